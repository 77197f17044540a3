/* stack.c: the JSON-RPC methods on the stack (backtrace, frame, locals, args) and on expressions (eval, whatis, ptype). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "control/backtrace.h"
#include "core/call.h"
#include "core/conn.h"
#include "core/sess.h"
#include "base/error.h"
#include "eval/value.h"
#include "jsonrpc/request.h"
#include "jsonrpc/stack.h"
#include "jsonrpc/where.h"

#define EVAL_OUT 65536
#define BT_DEFAULT 64
#define BT_MAX 4096

struct bt_ctx {
	pid_t tid;
	struct tr_bt_frame *frames;
	size_t max, n;
	bool more;
};

static int
bt_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
      void *arg)
{
	struct bt_ctx *b = arg;
	int err = tr_backtrace_thread(t, di, u, b->tid, b->frames, b->max,
				      &b->n);

	if (err == -TR_ERANGE) {
		b->more = true;
		return 0;
	}
	/* a frame that could not be unwound ends the list, as in gdb */
	return b->n ? 0 : err;
}

static void
write_frame(struct srv_sess *ss, struct tr_jw *w, size_t level,
	    const struct tr_bt_frame *f)
{
	char src[512] = "";

	tr_jw_obj_begin(w);
	tr_jw_key(w, "level");
	tr_jw_uint(w, level);
	tr_jw_key(w, "pc");
	tr_jw_uint(w, f->pc);
	srv_opt_str(w, "function", f->function);
	tr_jw_key(w, "offset");
	tr_jw_uint(w, f->offset);
	srv_opt_str(w, "file", f->file);
	tr_jw_key(w, "line");
	tr_jw_uint(w, f->line);
	srv_opt_str(w, "module", f->module);
	if (f->sigtramp) {
		tr_jw_key(w, "sigtramp");
		tr_jw_bool(w, true);
	}
	if (f->guessed) {
		tr_jw_key(w, "guessed");
		tr_jw_bool(w, true);
	}
	if (f->inlined) {
		tr_jw_key(w, "inlined");
		tr_jw_bool(w, true);
	}
	if (f->inline_caller) {
		tr_jw_key(w, "inline_caller");
		tr_jw_bool(w, true);
	}
	srv_write_args(w, f);
	if (f->file && f->line) {
		srv_source_line(ss, f->file, f->line, src, sizeof(src));
		srv_opt_str(w, "source", src);
	}
	tr_jw_obj_end(w);
}

static int
backtrace_get(struct srv_call *x, pid_t tid, size_t max, struct bt_ctx *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->tid = tid;
	b->max = max;
	b->frames = calloc(max, sizeof(*b->frames));
	if (!b->frames)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	err = tr_session_run(x->ss->s, bt_fn, b);
	if (err) {
		free(b->frames);
		b->frames = NULL;
		return srv_lib_error(x, err, NULL);
	}
	return 0;
}

int
srv_m_backtrace(struct srv_call *x)
{
	struct bt_ctx b;
	uint64_t limit = BT_DEFAULT;
	pid_t tid;

	if (srv_target_exited(x) || srv_param_thread(x, &tid, NULL) ||
	    srv_param_num(x, "limit", false, BT_MAX, &limit) < 0)
		return 0;
	if (!limit)
		limit = BT_DEFAULT;
	if (backtrace_get(x, tid, limit, &b))
		return 0;
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "frames");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < b.n; i++)
		write_frame(x->ss, &x->w, i, &b.frames[i]);
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "more");
	tr_jw_bool(&x->w, b.more);
	free(b.frames);
	return tr_rpc_end(&x->w);
}

int
srv_m_frame(struct srv_call *x)
{
	struct bt_ctx b;
	uint64_t level;
	pid_t tid;

	if (srv_target_exited(x) || srv_param_thread(x, &tid, NULL) ||
	    srv_param_num(x, "level", true, BT_MAX - 1, &level) < 0)
		return 0;
	if (backtrace_get(x, tid, level + 1, &b))
		return 0;
	if (b.n <= level) {
		free(b.frames);
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No frame at level %llu.",
				 (unsigned long long)level);
	}
	pthread_mutex_lock(&x->c->mu);
	{
		struct srv_follow *f = srv_follow_get(x->c, x->ss->id, true);

		if (f) {
			f->tid = tid;
			f->frame = (unsigned)level;
		}
	}
	pthread_mutex_unlock(&x->c->mu);
	srv_begin(x);
	write_frame(x->ss, &x->w, level, &b.frames[level]);
	free(b.frames);
	return tr_rpc_end(&x->w);
}

static int
var_cb(const char *name, const char *value, void *arg)
{
	struct tr_jw *w = arg;

	tr_jw_obj_begin(w);
	tr_jw_key(w, "name");
	tr_jw_cstr(w, name);
	tr_jw_key(w, "value");
	tr_jw_cstr(w, value);
	tr_jw_obj_end(w);
	return tr_jw_error(w);
}

static int
vars(struct srv_call *x, bool params)
{
	struct tr_expr_err e;
	unsigned frame;
	pid_t tid;
	int err;

	if (srv_target_exited(x) || srv_param_thread(x, &tid, &frame))
		return 0;
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	err = tr_session_vars(x->ss->s, tid, frame, params, var_cb, &x->w, &e);
	if (err == -TR_ERANGE)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No frame at level %u.", frame);
	if (err)
		return srv_eval_error(x, err, &e);
	return tr_rpc_end(&x->w);
}

int
srv_m_locals(struct srv_call *x)
{
	return vars(x, false);
}

int
srv_m_args(struct srv_call *x)
{
	return vars(x, true);
}

enum describe { EVAL, WHATIS, PTYPE };

/*
 * eval, whatis, ptype. They answer after the program exited too: the
 * value history and convenience variables ($1, $_exitcode) and the
 * program's types outlive it, as in gdb (its memory does not: reading it
 * is an error then).
 */
static int
evaluate(struct srv_call *x, enum describe what)
{
	const char *expr = srv_param_str(x, "expr", true);
	const char *fmt = NULL;
	struct tr_print_opts po = { 0 };
	struct tr_expr_err e;
	unsigned frame, num = 0;
	pid_t tid;
	char *out;
	int err;

	if (!expr || srv_param_thread(x, &tid, &frame))
		return 0;
	if (what == EVAL) {
		fmt = srv_param_str(x, "format", false);
		if ((!fmt && x->replied) ||
		    srv_param_bool(x, "record", &po.record) < 0 ||
		    srv_param_bool(x, "call", &po.call) < 0)
			return 0;
		if (fmt) {
			char msg[128];

			if (strlen(fmt) != 1 ||
			    tr_value_format_check(fmt[0], msg, sizeof(msg)))
				return srv_error(x, TR_RPC_INVALID_PARAMS, "%s",
						 strlen(fmt) == 1 ? msg :
						 "format: one letter of "
						 "x d u o t a c f s z r");
			po.format = fmt[0];
		}
	}
	out = malloc(EVAL_OUT);
	if (!out)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	if (what == EVAL)
		err = tr_session_print(x->ss->s, expr, tid, frame, &po, out,
				       EVAL_OUT, &num, &e);
	else
		err = (what == WHATIS ? tr_session_whatis : tr_session_ptype)(
			x->ss->s, expr, tid, frame, out, EVAL_OUT, &e);
	if (err == -TR_EGONE)
		atomic_store(&x->ss->state, SRV_EXITED);
	if (err) {
		free(out);
		return srv_eval_error(x, err, &e);
	}
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, what == EVAL ? "value" : "type");
	tr_jw_cstr(&x->w, out);
	if (num) {
		tr_jw_key(&x->w, "history");
		tr_jw_uint(&x->w, num);
	}
	tr_jw_obj_end(&x->w);
	free(out);
	return tr_rpc_end(&x->w);
}

int
srv_m_eval(struct srv_call *x)
{
	return evaluate(x, EVAL);
}

int
srv_m_whatis(struct srv_call *x)
{
	return evaluate(x, WHATIS);
}

int
srv_m_ptype(struct srv_call *x)
{
	return evaluate(x, PTYPE);
}

/* tree: structured values (eval/valtree.h), the nodes a variables view
 * shows. */
static int
tree_cb(const struct tr_vnode *n, void *arg)
{
	struct tr_jw *w = arg;

	tr_jw_obj_begin(w);
	tr_jw_key(w, "name");
	tr_jw_cstr(w, n->name);
	tr_jw_key(w, "type");
	tr_jw_cstr(w, n->type);
	tr_jw_key(w, "value");
	tr_jw_cstr(w, n->value);
	tr_jw_key(w, "expr");
	if (n->expr[0])
		tr_jw_cstr(w, n->expr);
	else
		tr_jw_null(w);
	tr_jw_key(w, "children");
	tr_jw_uint(w, n->nchildren);
	tr_jw_key(w, "indexed");
	tr_jw_bool(w, n->indexed);
	if (n->has_addr) {
		tr_jw_key(w, "addr");
		tr_jw_uint(w, n->addr);
	}
	tr_jw_obj_end(w);
	return 0;
}

int
srv_m_tree(struct srv_call *x)
{
	static const char *const whats[] = { "locals", "args", "value",
					     "children" };
	const char *what = srv_param_str(x, "what", false);
	struct tr_tree_req rq = { 0 };
	struct tr_expr_err e;
	uint64_t start = 0, count = 0;
	bool no_calls = false;
	unsigned frame;
	pid_t tid;
	size_t i;
	int err;

	if (x->replied)
		return 0;
	rq.expr = srv_param_str(x, "expr", false);
	if (x->replied || srv_param_num(x, "start", false, UINT32_MAX,
					&start) < 0 ||
	    srv_param_num(x, "count", false, UINT32_MAX, &count) < 0 ||
	    srv_param_bool(x, "no_calls", &no_calls) < 0 ||
	    srv_param_thread(x, &tid, &frame))
		return 0;
	if (!what)
		what = rq.expr ? "value" : "locals";
	for (i = 0; i < 4 && strcmp(whats[i], what); i++)
		;
	if (i == 4)
		return srv_error(x, TR_RPC_INVALID_PARAMS, "\"what\": locals, "
				 "args, value or children");
	if (i >= TR_TREE_EXPR && !rq.expr)
		return srv_error(x, TR_RPC_INVALID_PARAMS, "\"%s\" needs "
				 "\"expr\"", what);
	rq.what = (enum tr_tree_what)i;
	rq.tid = tid;
	rq.frame = frame;
	rq.start = start;
	rq.count = count;
	rq.no_calls = no_calls;
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	err = tr_session_tree(x->ss->s, &rq, tree_cb, &x->w, &e);
	if (err == -TR_ERANGE)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No frame at level %u.", frame);
	if (err)
		return srv_eval_error(x, err, &e);
	return tr_rpc_end(&x->w);
}
