/* watch.c: the JSON-RPC methods on watchpoints: watch, watchpoints; the watchpoint members of a stop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "control/watchpoint.h"
#include "jsonrpc/request.h"
#include "jsonrpc/watch.h"
#include "jsonrpc/where.h"

static const char *const kind_names[] = { "", "write", "read", "access" };

static struct srv_watch *
watch_find(struct srv_sess *ss, uint32_t id)
{
	struct srv_watch *w;

	for (w = ss->watches; w && w->w.id != id; w = w->next)
		;
	return w;
}

static void
watch_forget(struct srv_sess *ss, uint32_t id)
{
	for (struct srv_watch **pp = &ss->watches; *pp; pp = &(*pp)->next)
		if ((*pp)->w.id == id) {
			struct srv_watch *w = *pp;

			*pp = w->next;
			free(w->expr);
			free(w->cond);
			free(w);
			return;
		}
}

static void
write_watch(struct srv_call *x, struct srv_watch *w)
{
	struct tr_watch_state st = { 0 };

	tr_watch_info(x->ss->t, w->w.id, &st, NULL, NULL, 0);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "id");
	tr_jw_uint(&x->w, w->w.id);
	tr_jw_key(&x->w, "kind");
	tr_jw_cstr(&x->w, kind_names[w->w.kind]);
	srv_opt_str(&x->w, "expr", w->expr);
	srv_opt_str(&x->w, "condition", w->cond);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, w->w.addr);
	tr_jw_key(&x->w, "len");
	tr_jw_uint(&x->w, w->w.len);
	srv_opt_str(&x->w, "type", w->w.type[0] ? w->w.type : NULL);
	tr_jw_key(&x->w, "hits");
	tr_jw_uint(&x->w, st.hits);
	tr_jw_key(&x->w, "ignore_count");
	tr_jw_uint(&x->w, st.ignore);
	tr_jw_key(&x->w, "scoped");
	tr_jw_bool(&x->w, w->w.scope_pc != 0);
	tr_jw_key(&x->w, "mechanism");
	tr_jw_cstr(&x->w, st.mechanism ? st.mechanism : tr_watch_mechanism());
	tr_jw_obj_end(&x->w);
}

int
srv_m_watch(struct srv_call *x)
{
	const char *expr = srv_param_str(x, "expr", false);
	const char *kind = srv_param_str(x, "kind", false);
	const char *cond = srv_param_str(x, "condition", false);
	struct tr_expr_err e = { 0 };
	struct srv_watch *w;
	uint64_t addr = 0, len = 0;
	unsigned frame = 0;
	pid_t tid = 0;
	int err;

	if (x->replied ||
	    srv_param_u64(x, "addr", false, &addr) < 0 ||
	    srv_param_num(x, "len", false, TR_WATCH_MAX_LEN, &len) < 0 ||
	    srv_param_thread(x, &tid, &frame) < 0)
		return 0;
	if (srv_target_exited(x))
		return 0;
	if (!expr == !addr)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "give either expr or addr (with len)");
	if (addr && !len)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "len: 1 to %u bytes", TR_WATCH_MAX_LEN);
	w = calloc(1, sizeof(*w));
	if (!w)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	w->w.kind = TR_WATCH_WRITE;
	if (kind && !strcmp(kind, "read"))
		w->w.kind = TR_WATCH_READ;
	else if (kind && !strcmp(kind, "access"))
		w->w.kind = TR_WATCH_ACCESS;
	else if (kind && strcmp(kind, "write")) {
		free(w);
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "kind: write, read or access");
	}
	w->w.addr = addr;
	w->w.len = (size_t)len;
	if ((expr && !(w->expr = strdup(expr))) ||
	    (cond && *cond && !(w->cond = strdup(cond)))) {
		free(w->expr);
		free(w);
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	}
	err = tr_session_watch(x->ss->s, expr, tid, frame, cond, &w->w, &e);
	addr = w->w.addr;
	if (err) {
		free(w->expr);
		free(w->cond);
		free(w);
		if (err == -TR_EFAULT)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "Cannot access memory at address "
					 "%#lx", (unsigned long)addr);
		if (e.msg[0] && strcmp(e.msg, tr_strerror(err)))
			return srv_eval_error(x, err, &e);
		return srv_lib_error(x, err, expr);
	}
	w->next = x->ss->watches;
	x->ss->watches = w;
	srv_begin(x);
	write_watch(x, w);
	return tr_rpc_end(&x->w);
}

int
srv_m_watchpoints(struct srv_call *x)
{
	uint32_t ids[256];
	size_t n = 0;
	int err = tr_watch_list(x->ss->t, ids, 256, &n);

	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < n && i < 256; i++) {
		struct srv_watch *w = watch_find(x->ss, ids[i]);

		if (w)
			write_watch(x, w);
	}
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}

int
srv_watch_delete(struct srv_sess *ss, uint32_t id)
{
	int err;

	if (!watch_find(ss, id))
		return -TR_ENOENT;
	err = tr_session_watch_delete(ss->s, id);
	if (err && err != -TR_ENOENT)
		return err;
	watch_forget(ss, id);
	return 0;
}

void
srv_watch_note(struct srv_sess *ss, const struct tr_event *ev)
{
	struct srv_wnote n = { .seq = ev->seq, .id = ev->bpnum };
	struct srv_watch *w;

	if (ev->type != TR_EV_STOP || (ev->reason != TR_STOP_WATCH &&
				       ev->reason != TR_STOP_WATCH_SCOPE))
		return;
	w = watch_find(ss, ev->bpnum);
	if (w) {
		struct tr_watch_state st = { 0 };

		n.kind = w->w.kind;
		snprintf(n.expr, sizeof(n.expr), "%s", w->expr ? w->expr : "");
		n.hw = ev->reason == TR_STOP_WATCH &&
		       tr_watch_info(ss->t, ev->bpnum, &st, NULL, NULL, 0) == 0 &&
		       st.mechanism && !strcmp(st.mechanism, "debug-registers");
		if (ev->reason == TR_STOP_WATCH)
			tr_session_watch_values(ss->s, &w->w, ev->tid, n.old,
						n.now, sizeof(n.old));
		else
			watch_forget(ss, ev->bpnum);
	}
	pthread_mutex_lock(&ss->mu);
	ss->wnote = n;
	pthread_mutex_unlock(&ss->mu);
}

void
srv_watch_write(struct srv_sess *ss, struct tr_jw *w,
		const struct tr_event *ev)
{
	struct srv_wnote n;

	pthread_mutex_lock(&ss->mu);
	n = ss->wnote;
	pthread_mutex_unlock(&ss->mu);
	tr_jw_key(w, "watchpoint");
	tr_jw_uint(w, ev->bpnum);
	tr_jw_key(w, "addr");
	tr_jw_uint(w, ev->addr);
	if (n.seq != ev->seq || n.id != ev->bpnum)
		return;
	if (n.expr[0]) {
		tr_jw_key(w, "expr");
		tr_jw_cstr(w, n.expr);
	}
	if (ev->reason == TR_STOP_WATCH_SCOPE) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "Watchpoint %u deleted because the program has left "
			 "the block in\nwhich its expression is valid.",
			 ev->bpnum);
		tr_jw_key(w, "message");
		tr_jw_cstr(w, msg);
		return;
	}
	tr_jw_key(w, "kind");
	tr_jw_cstr(w, kind_names[n.kind]);
	tr_jw_key(w, "hardware");
	tr_jw_bool(w, n.hw);
	if (n.kind != TR_WATCH_READ || strcmp(n.old, n.now)) {
		tr_jw_key(w, "old");
		tr_jw_cstr(w, n.old);
		tr_jw_key(w, "new");
		tr_jw_cstr(w, n.now);
	} else {
		tr_jw_key(w, "value");
		tr_jw_cstr(w, n.now);
	}
}
