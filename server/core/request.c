/* request.c: a JSON-RPC client's requests: framed, parsed, checked, then answered on the epoll thread or queued on their session. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/auth.h"
#include "core/call.h"
#include "core/conn.h"
#include "core/passfd.h"
#include "core/request.h"
#include "core/sess.h"
#include "core/state.h"
#include "base/log.h"

/* An error reply, at once. A request without id (a notification) gets
 * none, as JSON-RPC 2.0 says; callers pass a NULL `req` for messages that
 * are not valid requests, which are answered with id null. */
static void
reply_error_now(struct srv_conn *c, const struct tr_rpc_request *req,
		const struct tr_json *id, int code, const char *msg)
{
	struct tr_buf b;

	if (req && tr_rpc_is_notification(req))
		return;

	tr_buf_init(&b);
	if (tr_rpc_write_error(&b, id, code, msg, NULL) == 0)
		srv__conn_deliver(c, &b, 0);
	tr_buf_free(&b);
}

static void
call_run(struct srv_conn *c, struct srv_sess *ss,
	 const struct tr_rpc_request *req, const struct srv_method *m)
{
	struct tr_buf out;
	size_t off;

	tr_buf_init(&out);
	srv__call_exec(c, ss, req, m, &out, &off);
	if (!tr_rpc_is_notification(req))
		srv__conn_deliver(c, &out, off);
	tr_buf_free(&out);
}

static struct srv_sess *
resolve_session(struct srv_conn *c, const struct tr_rpc_request *req,
		char *why, size_t len)
{
	const struct tr_json *p = req->params;
	const struct tr_json *v = p && p->kind == TR_JSON_OBJECT
					  ? tr_json_get(p, "session")
					  : NULL;
	struct srv_sess *ss = NULL;
	uint64_t id;

	if (v) {
		if (tr_json_uint64(v, &id) || id > UINT32_MAX) {
			snprintf(why, len, "\"session\" must be a session id");
			return NULL;
		}
		if (!(ss = srv_sess_find((uint32_t)id)))
			snprintf(why, len, "no session %llu",
				 (unsigned long long)id);
		return ss;
	}
	/* none named: the only one there is, or the only one whose
	 * program has not exited */
	ss = srv_sess_only();
	pthread_mutex_lock(&srv.mu);
	if (!ss)
		snprintf(why, len, srv.sesss ? "several sessions: give "
					       "\"session\""
					     : "no session: launch or attach "
					       "first");
	pthread_mutex_unlock(&srv.mu);
	(void)c;
	return ss;
}

static void
handle_line(struct srv_conn *c, const char *line, size_t len)
{
	struct tr_json_limits lim = { .max_string = srv.o.max_line };
	struct tr_rpc_request req;
	struct tr_rpc_error perr;
	const struct srv_method *m;
	struct srv_sess *ss;
	struct srv_job *j;
	char why[160];

	if (tr_rpc_parse_request(line, len, &lim, &req, &perr)) {
		reply_error_now(c, NULL, perr.has_id ? perr.id : NULL, perr.code,
				perr.message);
		tr_rpc_request_free(&req);
		return;
	}
	if (req.params && req.params->kind != TR_JSON_OBJECT) {
		reply_error_now(c, &req, req.id, TR_RPC_INVALID_PARAMS,
				"params must be an object");
		goto done;
	}
	if (c->tcp && !c->authed) {
		const struct tr_json *tok =
			req.params ? tr_json_get(req.params, "token") : NULL;
		const char *s;
		size_t sl;

		if (strcmp(req.method, "auth")) {
			reply_error_now(c, &req, req.id, SRV_E_AUTH,
					"authenticate first: "
					"auth {\"token\": ...}");
			goto done;
		}
		if (!tok || !(s = tr_json_str(tok, &sl)) ||
		    !srv_token_ok(s, sl)) {
			struct tr_buf b;

			/* answered late, then hung up on: one guess per
			 * connection and second */
			tr_buf_init(&b);
			tr_rpc_write_error(&b, req.id, SRV_E_AUTH,
					   "wrong token", NULL);
			srv__auth_penalize(c, &b);
			tr_buf_free(&b);
			goto done;
		}
		c->authed = true;
		if (srv.nunauthed)
			srv.nunauthed--;
	}
	m = srv.h.method_find(req.method, req.method_len);
	if (!m) {
		snprintf(why, sizeof(why), "no method \"%.100s\"",
			 req.method);
		reply_error_now(c, &req, req.id, TR_RPC_METHOD_NOT_FOUND, why);
		goto done;
	}
	if (atomic_load(&srv.stopping) && !(m->flags & SRV_M_SERVER)) {
		reply_error_now(c, &req, req.id, SRV_E_SHUTDOWN,
				"the server is shutting down");
		goto done;
	}
	if (m->flags & SRV_M_SERVER) {
		call_run(c, NULL, &req, m);
		goto done;
	}
	if (!(m->flags & SRV_M_NOW) &&
	    atomic_load(&c->queued) >= SRV_MAX_QUEUED) {
		snprintf(why, sizeof(why), "too many requests queued by this "
			 "client (%d): wait for their replies", SRV_MAX_QUEUED);
		reply_error_now(c, &req, req.id, SRV_E_BUSY, why);
		goto done;
	}
	if (m->flags & SRV_M_CREATES) {
		struct srv_call x = { .c = c, .req = &req };
		struct tr_buf out;

		tr_buf_init(&out);
		x.out = &out;
		tr_jw_init(&x.w, &out);
		ss = srv_sess_new(&x);
		if (!ss) {
			if (!tr_rpc_is_notification(&req))
				srv__conn_deliver(c, &out, 0);
			tr_buf_free(&out);
			goto done;
		}
		tr_buf_free(&out);
		atomic_fetch_add(&ss->refs, 1);
	} else if (!(ss = resolve_session(c, &req, why, sizeof(why)))) {
		reply_error_now(c, &req, req.id, SRV_E_NO_SESSION, why);
		goto done;
	}
	pthread_mutex_lock(&c->mu);
	if (!srv_follow_get(c, ss->id, true))
		tr_log_warn("client %u follows too many sessions", c->id);
	pthread_mutex_unlock(&c->mu);
	if (m->flags & SRV_M_NOW) {
		call_run(c, ss, &req, m);
		srv_sess_unref(ss);
		goto done;
	}
	if ((m->flags & SRV_M_STOPPED) && atomic_load(&ss->busy_running)) {
		reply_error_now(c, &req, req.id, SRV_E_RUNNING,
				"Cannot execute this command while the "
				"target is running (interrupt it first)");
		srv_sess_unref(ss);
		goto done;
	}
	if ((m->flags & SRV_M_STOPS_FIRST) &&
	    atomic_load(&ss->runs_queued)) {
		atomic_store(&ss->stop_req, true);
		srv_sess_interrupt(ss);
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		reply_error_now(c, &req, req.id, TR_RPC_INTERNAL_ERROR,
				"out of memory");
		srv_sess_unref(ss);
		goto done;
	}
	j->c = c;
	srv__conn_ref(c);
	atomic_fetch_add(&c->queued, 1);
	j->ss = ss;
	j->req = req;
	j->m = m;
	srv__sess_enqueue(ss, j);
	srv_sess_unref(ss);
	return;
done:
	tr_rpc_request_free(&req);
}

void
srv__request_read(struct srv_conn *c)
{
	char buf[65536];
	ssize_t n;
	const char *line;
	size_t len;
	int k;

	n = srv__recv_fds(c, buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		srv__conn_close(c);
		return;
	}
	if (n < 0)
		return;
	if (tr_rpc_framer_feed(&c->fr, buf, (size_t)n))
		tr_log_warn("client %u: out of memory for a request", c->id);
	while (!c->auth_failed &&
	       (k = tr_rpc_framer_next(&c->fr, &line, &len)) !=
		       TR_RPC_FRAME_NONE) {
		if (k == TR_RPC_FRAME_TOO_LONG)
			reply_error_now(c, NULL, NULL, TR_RPC_INVALID_REQUEST,
					"request too large");
		else
			handle_line(c, line, len);
	}
}
