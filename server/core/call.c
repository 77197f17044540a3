/* call.c: one JSON-RPC method call: running it into a buffer, and the replies it writes (results, errors, binary). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/call.h"
#include "base/error.h"

/* Run one request of a session (worker) or of the server (epoll thread)
 * into *out; *off: where the reply starts in it. */
void
srv__call_exec(struct srv_conn *c, struct srv_sess *ss,
	  const struct tr_rpc_request *req, const struct srv_method *m,
	  struct tr_buf *out, size_t *off)
{
	struct srv_call x = { .c = c, .ss = ss, .req = req, .out = out };

	tr_jw_init(&x.w, out);
	x.params = req->params && req->params->kind == TR_JSON_OBJECT
			   ? req->params : NULL;
	m->fn(&x);
	if (!x.replied)
		srv_error(&x, TR_RPC_INTERNAL_ERROR, "no reply");
	*off = x.body_off;
}

int
srv_begin(struct srv_call *x)
{
	x->replied = true;
	return tr_rpc_begin_result(&x->w, x->req->id);
}

int
srv_error(struct srv_call *x, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a result half written is dropped: the error replaces it */
	x->out->len = x->body_off;
	x->replied = true;
	tr_rpc_begin_error(&x->w, x->req->id, code, msg);
	tr_rpc_end(&x->w);
	return code;
}

/* An error of the library, as a JSON-RPC error: the codes a client acts
 * on get their own numbers, the rest SRV_E_TARGET with the message. */
int
srv_lib_error(struct srv_call *x, int err, const char *what)
{
	int code = SRV_E_TARGET;

	switch (-err) {
	case TR_ERUNNING:
		code = SRV_E_RUNNING;
		break;
	case TR_EFAULT:
		code = SRV_E_MEMORY;
		break;
	case TR_EGONE:
		code = SRV_E_GONE;
		break;
	case TR_EINVAL:
		code = TR_RPC_INVALID_PARAMS;
		break;
	}
	return srv_error(x, code, "%s%s%s", what ? what : "",
			 what ? ": " : "", tr_strerror(err));
}

/*
 * A reply made of a JSON line and raw bytes after it. The caller put the
 * raw bytes at x->out->data[body_off + header_room ..len) and gives the
 * JSON line (with its '\n') in header: it goes just before them, so the
 * bytes are never moved.
 */
int
srv_reply_binary(struct srv_call *x, size_t header_room, const char *header,
		 size_t hlen)
{
	if (hlen > header_room)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "header too long");
	memcpy(x->out->data + x->body_off + header_room - hlen, header, hlen);
	x->body_off += header_room - hlen;
	x->replied = true;
	return 0;
}
