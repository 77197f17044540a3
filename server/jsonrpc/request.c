/* request.c: what the JSON-RPC methods read of their request (params, the thread and frame it is about) and the checks and error replies they share. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "core/call.h"
#include "core/conn.h"
#include "core/sess.h"
#include "jsonrpc/request.h"

const struct tr_json *
srv_param_get(struct srv_call *x, const char *key)
{
	return x->params ? tr_json_get(x->params, key) : NULL;
}

int
srv_param_u64(struct srv_call *x, const char *key, bool required,
	      uint64_t *out)
{
	const struct tr_json *v = srv_param_get(x, key);

	if (!v) {
		if (required)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "missing \"%s\"", key);
		return 1; /* absent: *out untouched */
	}
	if (tr_json_uint64(v, out))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"%s\" must be a non-negative integer",
				 key);
	return 0;
}

const char *
srv_param_str(struct srv_call *x, const char *key, bool required)
{
	const struct tr_json *v = srv_param_get(x, key);
	const char *s;
	size_t len;

	if (!v) {
		if (required)
			srv_error(x, TR_RPC_INVALID_PARAMS, "missing \"%s\"",
				  key);
		return NULL;
	}
	s = tr_json_str(v, &len);
	if (!s || strlen(s) != len) {
		srv_error(x, TR_RPC_INVALID_PARAMS,
			  "\"%s\" must be a string without NUL", key);
		return NULL;
	}
	return s;
}

/* A u64 param that fits in `max`; -1 after an error reply, 1 absent. */
int
srv_param_num(struct srv_call *x, const char *key, bool required, uint64_t max,
	      uint64_t *out)
{
	int r = srv_param_u64(x, key, required, out);

	if (r < 0)
		return -1;
	if (r == 0 && *out > max) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "\"%s\" is too large",
			  key);
		return -1;
	}
	return r;
}

int
srv_param_bool(struct srv_call *x, const char *key, bool *out)
{
	const struct tr_json *v = srv_param_get(x, key);

	if (!v)
		return 1;
	if (tr_json_bool(v, out)) {
		srv_error(x, TR_RPC_INVALID_PARAMS,
			  "\"%s\" must be true or false", key);
		return -1;
	}
	return 0;
}

/* The thread and frame a request is about: its params, else what the
 * client selected with "frame", else the current thread's innermost. */
int
srv_param_thread(struct srv_call *x, pid_t *tid, unsigned *frame)
{
	uint64_t v;
	int r;

	*tid = 0;
	if (frame)
		*frame = 0;
	pthread_mutex_lock(&x->c->mu);
	{
		struct srv_follow *f = srv_follow_get(x->c, x->ss->id, false);

		if (f) {
			*tid = f->tid;
			if (frame)
				*frame = f->frame;
		}
	}
	pthread_mutex_unlock(&x->c->mu);
	if ((r = srv_param_num(x, "thread", false, INT32_MAX, &v)) < 0)
		return -1;
	if (r == 0 && v != (uint64_t)*tid) {
		*tid = (pid_t)v;
		if (frame)
			*frame = 0;
	}
	if (frame && (r = srv_param_num(x, "frame", false, 100000, &v)) < 0)
		return -1;
	if (frame && r == 0)
		*frame = (unsigned)v;
	return 0;
}

bool
srv_target_exited(struct srv_call *x)
{
	if (atomic_load(&x->ss->state) != SRV_EXITED)
		return false;
	srv_error(x, SRV_E_GONE, "The program is not being run.");
	return true;
}

int
srv_eval_error(struct srv_call *x, int err, const struct tr_expr_err *e)
{
	if (!e->msg[0])
		return srv_lib_error(x, err, NULL);
	srv_error(x, SRV_E_EVAL, "%s", e->msg);
	/* srv_error closed the message; reopen it with the position */
	x->out->len = x->body_off;
	tr_rpc_begin_error(&x->w, x->req->id, SRV_E_EVAL, e->msg);
	tr_jw_key(&x->w, "data");
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "pos");
	tr_jw_uint(&x->w, e->pos);
	tr_jw_obj_end(&x->w);
	tr_rpc_end(&x->w);
	return SRV_E_EVAL;
}
