/* stack.c: the DAP requests about a stopped program: threads, stackTrace (frames with their source), scopes (Locals, Arguments, Registers), variables, evaluate. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "control/backtrace.h"
#include "core/sess.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/source.h"
#include "dap/stack.h"

#define EVAL_OUT 65536

/* --- threads --------------------------------------------------------- */

static void
thread_name(pid_t pid, pid_t tid, char *out, size_t len)
{
	char path[64];
	ssize_t k = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
		 (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		k = read(fd, out, len - 1);
		close(fd);
	}
	if (k <= 0) {
		snprintf(out, len, "thread %d", (int)tid);
		return;
	}
	out[k] = 0;
	out[strcspn(out, "\n")] = 0;
	/* "name (tid)" tells threads of one name apart */
	k = (ssize_t)strlen(out);
	snprintf(out + k, len - (size_t)k, " (%d)", (int)tid);
}

int
dap_r_threads(struct dap *d, const struct dap_req *q)
{
	struct tr_buf b;
	struct tr_jw w;
	pid_t *tids = NULL;
	size_t n = 0;
	int rc;

	/* the list of the last stop: also while the program runs (VS
	 * Code asks then) */
	if (d->ss && !d->exited) {
		/* after a stop, its thread list is made under target_mu */
		bool locked = !atomic_load(&d->running) &&
			      pthread_mutex_lock(&d->ss->target_mu) == 0;

		if (locked)
			pthread_mutex_unlock(&d->ss->target_mu);
		pthread_mutex_lock(&d->out_mu);
		if (d->ntids && (tids = malloc(d->ntids * sizeof(pid_t)))) {
			memcpy(tids, d->tids, d->ntids * sizeof(pid_t));
			n = d->ntids;
		}
		pthread_mutex_unlock(&d->out_mu);
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "threads");
	tr_jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		char name[64];

		thread_name(d->pid, tids[i], name, sizeof(name));
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "id");
		tr_jw_int(&w, tids[i]);
		tr_jw_key(&w, "name");
		tr_jw_cstr(&w, name);
		tr_jw_obj_end(&w);
	}
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	free(tids);
	return rc;
}

/* --- stackTrace ------------------------------------------------------ */

#define PATH_LEN 1024

struct bt_ctx {
	pid_t tid;
	struct tr_bt_frame *frames;
	char *paths;      /* PATH_LEN per frame: its file, absolute */
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
		err = 0;
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->frames[i].file)
			dap_src_abs(di, b->frames[i].pc, b->frames[i].file,
				    b->paths + i * PATH_LEN, PATH_LEN);
	/* a frame that could not be unwound ends the list, as in gdb */
	return b->n ? 0 : err;
}

static pid_t
req_tid(struct dap *d, const struct dap_req *q)
{
	int64_t t = dap_arg_int(q, "threadId", 0);

	return t > 0 && t <= INT32_MAX ? (pid_t)t : d->last_tid;
}

int
dap_r_stackTrace(struct dap *d, const struct dap_req *q)
{
	int64_t start = dap_arg_int(q, "startFrame", 0);
	int64_t levels = dap_arg_int(q, "levels", 0);
	struct bt_ctx bc = { .tid = req_tid(d, q) };
	struct tr_buf b;
	struct tr_jw w;
	int rc, err;

	if (start < 0 || levels < 0 || start > 100000 || levels > 100000)
		return dap_fail(d, q, "stackTrace: bad startFrame or levels");
	if (!dap_stopped(d, q, &rc))
		return rc;
	/* one frame more than asked tells whether there are more */
	bc.max = levels ? (size_t)(start + levels) + 1 : 4096;
	bc.frames = calloc(bc.max, sizeof(*bc.frames));
	bc.paths = calloc(bc.max, PATH_LEN);
	if (!bc.frames || !bc.paths) {
		free(bc.frames);
		free(bc.paths);
		return dap_fail(d, q, "out of memory");
	}
	if (!dap_lock(d, q, &rc)) {
		free(bc.frames);
		free(bc.paths);
		return rc;
	}
	err = tr_session_run(d->s, bt_fn, &bc);
	dap_unlock(d);
	if (err) {
		free(bc.frames);
		free(bc.paths);
		return dap_fail(d, q, "no stack for thread %d: %s",
				(int)bc.tid, tr_strerror(err));
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "stackFrames");
	tr_jw_arr_begin(&w);
	for (size_t i = (size_t)start;
	     i < bc.n && (!levels || i < (size_t)(start + levels)); i++) {
		const struct tr_bt_frame *f = &bc.frames[i];
		char name[512], ip[32];

		if (f->sigtramp)
			snprintf(name, sizeof(name), "<signal handler called>");
		else
			snprintf(name, sizeof(name), "%s",
				 f->function ? f->function : "??");
		snprintf(ip, sizeof(ip), "0x%llx", (unsigned long long)f->pc);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "id");
		tr_jw_uint(&w, dap_frame_id(d, bc.tid, (uint32_t)i));
		tr_jw_key(&w, "name");
		tr_jw_cstr(&w, name);
		if (f->file && f->line) {
			const char *path = bc.paths + i * PATH_LEN;
			const char *base = strrchr(path, '/');

			tr_jw_key(&w, "source");
			tr_jw_obj_begin(&w);
			tr_jw_key(&w, "name");
			tr_jw_cstr(&w, base ? base + 1 : path);
			tr_jw_key(&w, "path");
			tr_jw_cstr(&w, path);
			tr_jw_obj_end(&w);
			tr_jw_key(&w, "line");
			tr_jw_uint(&w, f->line);
			tr_jw_key(&w, "column");
			tr_jw_uint(&w, 1);
		} else {
			tr_jw_key(&w, "line");
			tr_jw_uint(&w, 0);
			tr_jw_key(&w, "column");
			tr_jw_uint(&w, 0);
			tr_jw_key(&w, "presentationHint");
			tr_jw_cstr(&w, "subtle");
		}
		tr_jw_key(&w, "instructionPointerReference");
		tr_jw_cstr(&w, ip);
		if (f->module) {
			tr_jw_key(&w, "moduleId");
			tr_jw_cstr(&w, f->module);
		}
		tr_jw_obj_end(&w);
	}
	tr_jw_arr_end(&w);
	tr_jw_key(&w, "totalFrames");
	/* more than we unwound: one beyond, so that the client pages on */
	tr_jw_uint(&w, bc.n + (bc.more || bc.n == bc.max ? 1 : 0));
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	free(bc.frames);
	free(bc.paths);
	return rc;
}

/* --- scopes and variables -------------------------------------------- */

static int
scope(struct dap *d, struct tr_jw *w, const char *name, const char *hint,
      uint32_t kind, const struct dap_frame *f, bool expensive)
{
	struct dap_ref r = { .kind = kind, .tid = f->tid, .frame = f->level };
	uint32_t id = dap_ref_new(d, &r);

	tr_jw_obj_begin(w);
	tr_jw_key(w, "name");
	tr_jw_cstr(w, name);
	tr_jw_key(w, "presentationHint");
	tr_jw_cstr(w, hint);
	tr_jw_key(w, "variablesReference");
	tr_jw_uint(w, id);
	tr_jw_key(w, "expensive");
	tr_jw_bool(w, expensive);
	tr_jw_obj_end(w);
	return id ? 0 : -1;
}

int
dap_r_scopes(struct dap *d, const struct dap_req *q)
{
	const struct dap_frame *f = dap_frame_get(d, dap_arg_int(q, "frameId",
								0));
	struct dap_frame fr;
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!f)
		return dap_fail(d, q, "scopes: no frame with that frameId "
				"(ids last until the program runs)");
	fr = *f;
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "scopes");
	tr_jw_arr_begin(&w);
	scope(d, &w, "Locals", "locals", DAP_REF_LOCALS, &fr, false);
	scope(d, &w, "Arguments", "arguments", DAP_REF_ARGS, &fr, false);
	scope(d, &w, "Registers", "registers", DAP_REF_REGS, &fr, false);
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

static void
variable(struct tr_jw *w, const char *name, const char *value,
	 const char *type, const char *eval_name, uint32_t ref)
{
	tr_jw_obj_begin(w);
	tr_jw_key(w, "name");
	tr_jw_cstr(w, name);
	tr_jw_key(w, "value");
	tr_jw_cstr(w, value);
	if (type) {
		tr_jw_key(w, "type");
		tr_jw_cstr(w, type);
	}
	if (eval_name) {
		tr_jw_key(w, "evaluateName");
		tr_jw_cstr(w, eval_name);
	}
	tr_jw_key(w, "variablesReference");
	tr_jw_uint(w, ref);
	tr_jw_obj_end(w);
}

static const char *const regs[] = {
	"rip", "rsp", "rbp", "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "eflags",
};

static void
registers(struct dap *d, struct tr_jw *w, const struct dap_ref *r)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		char expr[32], val[256], hex[32];
		struct tr_expr_err e;
		unsigned long long v;
		char *end;

		snprintf(expr, sizeof(expr), "(unsigned long)$%s", regs[i]);
		if (tr_session_eval(d->s, expr, r->tid, r->frame, val,
				    sizeof(val), &e))
			continue; /* not known in an outer frame */
		v = strtoull(val, &end, 10);
		if (*end)
			continue;
		snprintf(hex, sizeof(hex), "0x%016llx", v);
		snprintf(expr, sizeof(expr), "$%s", regs[i]);
		variable(w, regs[i], hex, "unsigned long", expr, 0);
	}
}

/* A node as a DAP Variable: its children get a variablesReference of
 * their own (until the next resume), named by the node's expression. */
struct node_out {
	struct dap *d;
	struct tr_jw *w;
	pid_t tid;
	unsigned frame;
	int mode;      /* NODE_VAR, NODE_RESULT, NODE_SET */
};

enum { NODE_VAR = 0, NODE_RESULT = 1, NODE_SET = 2 };

static void
write_node(struct node_out *o, const struct tr_vnode *n)
{
	struct tr_jw *w = o->w;
	uint32_t ref = 0;
	char mem[32];

	if (n->nchildren && n->expr[0]) {
		struct dap_ref r = { .kind = DAP_REF_VALUE, .tid = o->tid,
				     .frame = o->frame, .expr = (char *)n->expr };

		ref = dap_ref_new(o->d, &r);
	}
	if (o->mode == NODE_VAR) {
		tr_jw_key(w, "name");
		tr_jw_cstr(w, n->name);
	}
	tr_jw_key(w, o->mode == NODE_RESULT ? "result" : "value");
	tr_jw_cstr(w, n->value);
	if (n->type[0]) {
		tr_jw_key(w, "type");
		tr_jw_cstr(w, n->type);
	}
	if (n->expr[0] && o->mode == NODE_VAR) {
		tr_jw_key(w, "evaluateName");
		tr_jw_cstr(w, n->expr);
	}
	tr_jw_key(w, "variablesReference");
	tr_jw_uint(w, ref);
	if (ref) {
		tr_jw_key(w, n->indexed ? "indexedVariables"
					: "namedVariables");
		tr_jw_uint(w, n->nchildren);
	}
	if (n->has_addr) {
		snprintf(mem, sizeof(mem), "0x%llx",
			 (unsigned long long)n->addr);
		tr_jw_key(w, "memoryReference");
		tr_jw_cstr(w, mem);
	}
}

/* The one node of an evaluate or set* answer, into the open body. */
static int
node_write_cb(const struct tr_vnode *n, void *arg)
{
	write_node(arg, n);
	return 0;
}

static int
node_cb(const struct tr_vnode *n, void *arg)
{
	struct node_out *o = arg;

	tr_jw_obj_begin(o->w);
	write_node(o, n);
	tr_jw_obj_end(o->w);
	return 0;
}

int
dap_r_variables(struct dap *d, const struct dap_req *q)
{
	const struct dap_ref *r = dap_ref_get(d, dap_arg_int(q,
				"variablesReference", 0));
	int64_t start = dap_arg_int(q, "start", 0);
	int64_t count = dap_arg_int(q, "count", 0);
	struct tr_tree_req rq = { 0 };
	struct dap_ref ref;
	struct tr_expr_err e = { 0 };
	struct node_out o = { .d = d };
	struct tr_buf b;
	struct tr_jw w;
	int rc, err = 0;

	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!r)
		return dap_fail(d, q, "variables: no such variablesReference "
				"(they last until the program runs)");
	if (start < 0 || count < 0)
		return dap_fail(d, q, "variables: bad start or count");
	ref = *r;
	if (!dap_lock(d, q, &rc))
		return rc;
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "variables");
	tr_jw_arr_begin(&w);
	o.w = &w;
	o.tid = rq.tid = ref.tid;
	o.frame = rq.frame = ref.frame;
	switch (ref.kind) {
	case DAP_REF_LOCALS:
	case DAP_REF_ARGS:
		rq.what = ref.kind == DAP_REF_ARGS ? TR_TREE_ARGS
						   : TR_TREE_LOCALS;
		err = tr_session_tree(d->s, &rq, node_cb, &o, &e);
		/* no debug information there: an empty scope */
		if (err == -TR_ENOENT)
			err = 0;
		break;
	case DAP_REF_REGS:
		registers(d, &w, &ref);
		break;
	case DAP_REF_VALUE:
		rq.what = TR_TREE_CHILDREN;
		rq.expr = ref.expr;
		rq.start = (uint64_t)start;
		rq.count = (uint64_t)count;
		/* expanding never calls a function again */
		rq.no_calls = true;
		err = tr_session_tree(d->s, &rq, node_cb, &o, &e);
		break;
	default:
		break;
	}
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	dap_unlock(d);
	if (err) {
		tr_buf_free(&b);
		return dap_fail(d, q, "%s", e.msg[0] ? e.msg : tr_strerror(err));
	}
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

/* --- evaluate, setVariable, setExpression ---------------------------- */

/* The body of a response about expression expr in (tid, frame): its
 * node as an evaluate result (result) or a set* response (value). */
static int
answer_node(struct dap *d, const struct dap_req *q, const char *expr,
	    pid_t tid, unsigned frame, bool no_calls, bool result)
{
	struct tr_tree_req rq = { .what = TR_TREE_EXPR, .tid = tid,
				  .frame = frame, .expr = expr,
				  .no_calls = no_calls };
	struct node_out o = { .d = d, .tid = tid, .frame = frame,
			      .mode = result ? NODE_RESULT : NODE_SET };
	struct tr_expr_err e = { 0 };
	struct tr_buf b, vb;
	struct tr_jw w, vw;
	int rc, err;

	/* the node is written into a buffer of its own: the response's
	 * envelope comes only when it is known to succeed */
	tr_buf_init(&vb);
	tr_jw_init(&vw, &vb);
	tr_jw_obj_begin(&vw);
	o.w = &vw;
	err = tr_session_tree(d->s, &rq, node_write_cb, &o, &e);
	tr_jw_obj_end(&vw);
	if (err) {
		tr_buf_free(&vb);
		return dap_fail(d, q, "%s", e.msg[0] ? e.msg : tr_strerror(err));
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_raw(&w, vb.data, vb.len);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	tr_buf_free(&vb);
	return rc;
}

/* The thread and frame a request names by frameId (none: the thread of
 * the last stop, innermost frame). */
static void
req_frame(struct dap *d, const struct dap_req *q, pid_t *tid, unsigned *lvl)
{
	const struct dap_frame *f = dap_frame_get(d, dap_arg_int(q, "frameId",
								0));

	*tid = f ? f->tid : d->last_tid;
	*lvl = f ? f->level : 0;
}

int
dap_r_evaluate(struct dap *d, const struct dap_req *q)
{
	const char *expr = dap_arg_str(q, "expression");
	const char *ctx = dap_arg_str(q, "context");
	pid_t tid;
	unsigned level;
	int rc;

	if (!expr)
		return dap_fail(d, q, "evaluate: \"expression\" is required");
	if (!dap_stopped(d, q, &rc))
		return rc;
	req_frame(d, q, &tid, &level);
	if (!dap_lock(d, q, &rc))
		return rc;
	/* a hover runs no code in the target and writes nothing; repl,
	 * watch and clipboard may call functions */
	rc = answer_node(d, q, expr, tid, level,
			 ctx && !strcmp(ctx, "hover"), true);
	dap_unlock(d);
	return rc;
}

/* Assign value to the object expr names, then answer with its node. */
static int
assign(struct dap *d, const struct dap_req *q, const char *expr,
       const char *value, pid_t tid, unsigned level)
{
	struct tr_expr_err e = { 0 };
	char *a, out[256];
	int err;

	if (asprintf(&a, "(%s) = (%s)", expr, value) < 0)
		return dap_fail(d, q, "out of memory");
	err = tr_session_eval(d->s, a, tid, level, out, sizeof(out), &e);
	free(a);
	if (err)
		return dap_fail(d, q, "%s", e.msg[0] ? e.msg
						    : tr_strerror(err));
	return answer_node(d, q, expr, tid, level, true, false);
}

struct find_child {
	const char *name;
	char *expr;
	size_t len;
	bool found;
};

static int
find_cb(const struct tr_vnode *n, void *arg)
{
	struct find_child *f = arg;

	if (strcmp(n->name, f->name))
		return 0;
	snprintf(f->expr, f->len, "%s", n->expr);
	f->found = true;
	return 1;
}

bool
dap_child_expr(struct dap *d, const struct dap_ref *r, const char *name,
	       char *expr, size_t len)
{
	struct find_child f = { .name = name, .expr = expr, .len = len };

	expr[0] = 0;
	if (!r || r->kind == DAP_REF_LOCALS || r->kind == DAP_REF_ARGS) {
		snprintf(expr, len, "%s", name);
	} else if (r->kind == DAP_REF_REGS) {
		snprintf(expr, len, "$%s", name);
	} else {
		struct tr_tree_req rq = { .what = TR_TREE_CHILDREN,
					  .tid = r->tid, .frame = r->frame,
					  .expr = r->expr, .no_calls = true };

		tr_session_tree(d->s, &rq, find_cb, &f, NULL);
	}
	return expr[0] != 0;
}

int
dap_r_setVariable(struct dap *d, const struct dap_req *q)
{
	const struct dap_ref *r = dap_ref_get(d, dap_arg_int(q,
				"variablesReference", 0));
	const char *name = dap_arg_str(q, "name");
	const char *value = dap_arg_str(q, "value");
	char expr[1024];
	struct dap_ref ref;
	int rc;

	if (!name || !value)
		return dap_fail(d, q, "setVariable: \"name\" and \"value\" are "
				"required");
	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!r)
		return dap_fail(d, q, "setVariable: no such "
				"variablesReference");
	ref = *r;
	if (!dap_lock(d, q, &rc))
		return rc;
	if (!dap_child_expr(d, &ref, name, expr, sizeof(expr))) {
		dap_unlock(d);
		return dap_fail(d, q, "setVariable: no \"%s\" there", name);
	}
	rc = assign(d, q, expr, value, ref.tid, ref.frame);
	dap_unlock(d);
	return rc;
}

int
dap_r_setExpression(struct dap *d, const struct dap_req *q)
{
	const char *expr = dap_arg_str(q, "expression");
	const char *value = dap_arg_str(q, "value");
	pid_t tid;
	unsigned level;
	int rc;

	if (!expr || !value)
		return dap_fail(d, q, "setExpression: \"expression\" and "
				"\"value\" are required");
	if (!dap_stopped(d, q, &rc))
		return rc;
	req_frame(d, q, &tid, &level);
	if (!dap_lock(d, q, &rc))
		return rc;
	rc = assign(d, q, expr, value, tid, level);
	dap_unlock(d);
	return rc;
}
