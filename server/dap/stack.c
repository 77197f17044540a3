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

static int
var_cb(const char *name, const char *value, void *arg)
{
	variable(arg, name, value, NULL, name, 0);
	return 0;
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

int
dap_r_variables(struct dap *d, const struct dap_req *q)
{
	const struct dap_ref *r = dap_ref_get(d, dap_arg_int(q,
				"variablesReference", 0));
	struct dap_ref ref;
	struct tr_expr_err e = { 0 };
	struct tr_buf b;
	struct tr_jw w;
	int rc, err = 0;

	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!r)
		return dap_fail(d, q, "variables: no such variablesReference "
				"(they last until the program runs)");
	ref = *r;
	if (!dap_lock(d, q, &rc))
		return rc;
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "variables");
	tr_jw_arr_begin(&w);
	switch (ref.kind) {
	case DAP_REF_LOCALS:
	case DAP_REF_ARGS:
		err = tr_session_vars(d->s, ref.tid, ref.frame,
				      ref.kind == DAP_REF_ARGS, var_cb, &w,
				      &e);
		/* no debug information there: an empty scope */
		if (err == -TR_ENOENT)
			err = 0;
		break;
	case DAP_REF_REGS:
		registers(d, &w, &ref);
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

/* --- evaluate -------------------------------------------------------- */

int
dap_r_evaluate(struct dap *d, const struct dap_req *q)
{
	const char *expr = dap_arg_str(q, "expression");
	const struct dap_frame *f = dap_frame_get(d, dap_arg_int(q, "frameId",
								0));
	struct tr_expr_err e = { 0 };
	struct tr_buf b;
	struct tr_jw w;
	pid_t tid = f ? f->tid : d->last_tid;
	unsigned level = f ? f->level : 0;
	char *out;
	int rc, err;

	if (!expr)
		return dap_fail(d, q, "evaluate: \"expression\" is required");
	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!(out = malloc(EVAL_OUT)))
		return dap_fail(d, q, "out of memory");
	if (!dap_lock(d, q, &rc)) {
		free(out);
		return rc;
	}
	err = tr_session_eval(d->s, expr, tid, level, out, EVAL_OUT, &e);
	dap_unlock(d);
	if (err) {
		rc = dap_fail(d, q, "%s", e.msg[0] ? e.msg : tr_strerror(err));
		free(out);
		return rc;
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "result");
	tr_jw_cstr(&w, out);
	tr_jw_key(&w, "variablesReference");
	tr_jw_uint(&w, 0);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	free(out);
	return rc;
}
