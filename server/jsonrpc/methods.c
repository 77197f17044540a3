/* methods.c: the JSON-RPC methods of tracerd, each a thin layer over the library (proto/PROTOCOL.md documents them). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <unistd.h>

#include "backtrace.h"
#include "base64.h"
#include "breakpoint.h"
#include "config.h"
#include "core/call.h"
#include "core/conn.h"
#include "core/server.h"
#include "core/sess.h"
#include "core/stats.h"
#include "debuginfo.h"
#include "error.h"
#include "jsonrpc/request.h"
#include "jsonrpc/table.h"
#include "jsonrpc/where.h"
#include "log.h"
#include "stepping.h"
#include "symtab.h"

#define EVAL_OUT 65536
#define MAX_READ (256u << 20)  /* one read_memory request */
#define BT_DEFAULT 64
#define BT_MAX 4096

/* ---- parameters --------------------------------------------------------- */

static const struct tr_json *
param(struct srv_call *x, const char *key)
{
	return x->params ? tr_json_get(x->params, key) : NULL;
}

int
srv_param_u64(struct srv_call *x, const char *key, bool required,
	      uint64_t *out)
{
	const struct tr_json *v = param(x, key);

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
	const struct tr_json *v = param(x, key);
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
static int
param_num(struct srv_call *x, const char *key, bool required, uint64_t max,
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

static int
param_bool(struct srv_call *x, const char *key, bool *out)
{
	const struct tr_json *v = param(x, key);

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
static int
sel(struct srv_call *x, pid_t *tid, unsigned *frame)
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
	if ((r = param_num(x, "thread", false, INT32_MAX, &v)) < 0)
		return -1;
	if (r == 0 && v != (uint64_t)*tid) {
		*tid = (pid_t)v;
		if (frame)
			*frame = 0;
	}
	if (frame && (r = param_num(x, "frame", false, 100000, &v)) < 0)
		return -1;
	if (frame && r == 0)
		*frame = (unsigned)v;
	return 0;
}

/* ---- where an address is ------------------------------------------------ */

struct where {
	uint64_t pc;
	pid_t tid;
	bool with_frame;      /* backtrace frame 0 (function args) */
	struct tr_location loc;
	char func[256];
	char file[512];
	char module[256];
	struct tr_bt_frame fr;
	bool have_fr;
	char source[512];
};

/* The text of line `line` of `file`, if the file is here. */
static void
source_line(const char *file, uint32_t line, char *out, size_t len)
{
	FILE *f;
	char buf[4096];
	uint32_t n = 0;

	out[0] = 0;
	if (!file || !line || !(f = fopen(file, "r")))
		return;
	while (fgets(buf, sizeof(buf), f)) {
		size_t l = strlen(buf);
		bool whole = l && buf[l - 1] == '\n';

		if (++n == line) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(out, len, "%s", buf);
			break;
		}
		/* a line longer than buf: skip the rest of it */
		while (!whole && fgets(buf, sizeof(buf), f)) {
			l = strlen(buf);
			whole = l && buf[l - 1] == '\n';
		}
	}
	fclose(f);
}

static int
where_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	 void *arg)
{
	struct where *w = arg;

	if (tr_debuginfo_describe(di, w->pc, &w->loc) == 0) {
		if (w->loc.function)
			snprintf(w->func, sizeof(w->func), "%s",
				 w->loc.function);
		if (w->loc.file)
			snprintf(w->file, sizeof(w->file), "%s", w->loc.file);
		if (w->loc.module)
			snprintf(w->module, sizeof(w->module), "%s",
				 w->loc.module->name);
	}
	if (w->with_frame) {
		size_t n = 0;
		int err = tr_backtrace_thread(t, di, u, w->tid, &w->fr, 1, &n);

		w->have_fr = (err == 0 || err == -TR_ERANGE) && n == 1;
	}
	return 0;
}

static void
where_get(struct srv_sess *ss, uint64_t pc, pid_t tid, bool frame,
	  struct where *w)
{
	memset(w, 0, sizeof(*w));
	w->pc = pc;
	w->tid = tid;
	w->with_frame = frame;
	tr_session_run(ss->s, where_fn, w);
	if (w->file[0])
		source_line(w->file, w->loc.line, w->source,
			    sizeof(w->source));
}

static void
write_args(struct tr_jw *w, const struct tr_bt_frame *f)
{
	tr_jw_key(w, "args");
	tr_jw_arr_begin(w);
	for (size_t i = 0; i < f->nargs; i++) {
		tr_jw_obj_begin(w);
		tr_jw_key(w, "name");
		tr_jw_cstr(w, f->args[i].name);
		tr_jw_key(w, "value");
		tr_jw_cstr(w, f->args[i].value);
		tr_jw_obj_end(w);
	}
	tr_jw_arr_end(w);
}

static void
opt_str(struct tr_jw *w, const char *key, const char *s)
{
	tr_jw_key(w, key);
	if (s && *s)
		tr_jw_cstr(w, s);
	else
		tr_jw_null(w);
}

static void
write_where(struct tr_jw *w, const struct where *wh)
{
	tr_jw_key(w, "pc");
	tr_jw_uint(w, wh->pc);
	opt_str(w, "function", wh->func);
	tr_jw_key(w, "offset");
	tr_jw_uint(w, wh->loc.offset);
	opt_str(w, "file", wh->file);
	tr_jw_key(w, "line");
	tr_jw_uint(w, wh->loc.line);
	opt_str(w, "module", wh->module);
	if (wh->source[0] || wh->loc.line)
		opt_str(w, "source", wh->source);
}

static const char *
signame(int sig)
{
	static __thread char buf[32];
	const char *a = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (a)
		snprintf(buf, sizeof(buf), "SIG%s", a);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

/* ---- stops -------------------------------------------------------------- */

int
srv_write_stop(struct srv_sess *ss, struct tr_jw *w, const struct tr_event *ev)
{
	tr_jw_obj_begin(w);
	tr_jw_key(w, "event");
	switch (ev->type) {
	case TR_EV_STOP: {
		struct where wh;

		tr_jw_cstr(w, "stop");
		tr_jw_key(w, "reason");
		tr_jw_cstr(w, tr_stop_reason_name(ev->reason));
		tr_jw_key(w, "thread");
		tr_jw_int(w, ev->tid);
		if (ev->reason == TR_STOP_BREAKPOINT) {
			tr_jw_key(w, "breakpoint");
			tr_jw_uint(w, ev->bpnum);
		}
		if (ev->reason == TR_STOP_SIGNAL ||
		    ev->reason == TR_STOP_GROUP) {
			tr_jw_key(w, "signal");
			tr_jw_cstr(w, signame(ev->sig));
			tr_jw_key(w, "signo");
			tr_jw_int(w, ev->sig);
			tr_jw_key(w, "description");
			tr_jw_cstr(w, strsignal(ev->sig));
			if (ev->addr) {
				tr_jw_key(w, "fault_addr");
				tr_jw_uint(w, ev->addr);
			}
		}
		where_get(ss, ev->pc, ev->tid, true, &wh);
		tr_jw_key(w, "frame");
		tr_jw_obj_begin(w);
		write_where(w, &wh);
		if (wh.have_fr)
			write_args(w, &wh.fr);
		tr_jw_obj_end(w);
		break;
	}
	case TR_EV_EXIT:
		tr_jw_cstr(w, "exit");
		tr_jw_key(w, "pid");
		tr_jw_int(w, ev->pid);
		tr_jw_key(w, "exit_code");
		tr_jw_int(w, ev->status);
		break;
	case TR_EV_KILLED:
		tr_jw_cstr(w, "killed");
		tr_jw_key(w, "pid");
		tr_jw_int(w, ev->pid);
		tr_jw_key(w, "signal");
		tr_jw_cstr(w, signame(ev->sig));
		tr_jw_key(w, "signo");
		tr_jw_int(w, ev->sig);
		break;
	default:
		tr_jw_cstr(w, tr_event_type_name(ev->type));
		break;
	}
	tr_jw_obj_end(w);
	return tr_jw_error(w);
}

/*
 * After a run request: record the stop, put every follower's frame back
 * to the innermost, tell the followers (the requester too: clients print
 * stops from the notification), then answer with the same stop.
 */
static int
after_run(struct srv_call *x, int err, const struct tr_event *ev,
	  void (*extra)(struct tr_jw *, void *), void *arg)
{
	struct srv_sess *ss = x->ss;
	struct tr_buf stop;
	struct tr_jw w;

	atomic_store(&ss->stop_req, false);
	/* followers may act on the notification at once */
	atomic_store(&ss->busy_running, false);
	if (err == -TR_EGONE || (!err && ev->type != TR_EV_STOP)) {
		atomic_store(&ss->state, SRV_EXITED);
	} else {
		atomic_store(&ss->state, SRV_STOPPED);
	}
	if (err)
		return srv_lib_error(x, err, NULL);
	pthread_mutex_lock(&ss->mu);
	ss->last = *ev;
	pthread_mutex_unlock(&ss->mu);
	srv_reset_frames(ss);
	tr_buf_init(&stop);
	tr_jw_init(&w, &stop);
	srv_write_stop(ss, &w, ev);
	if (tr_jw_error(&w)) {
		tr_buf_free(&stop);
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	}
	srv_notify_stop(ss, ev->type == TR_EV_STOP, stop.data, stop.len);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "stop");
	tr_jw_raw(&x->w, stop.data, stop.len);
	if (extra)
		extra(&x->w, arg);
	tr_rpc_end(&x->w);
	tr_buf_free(&stop);
	return 0;
}

/* A run request that came after an interrupt for it: not run. */
static bool
interrupted_before(struct srv_call *x)
{
	if (!atomic_exchange(&x->ss->stop_req, false))
		return false;
	srv_error(x, SRV_E_TARGET, "interrupted before it ran");
	return true;
}

static bool
target_exited(struct srv_call *x)
{
	if (atomic_load(&x->ss->state) != SRV_EXITED)
		return false;
	srv_error(x, SRV_E_GONE, "The program is not being run.");
	return true;
}

static int
parse_signal(struct srv_call *x, int *sig)
{
	const struct tr_json *v = param(x, "signal");
	const char *s;
	int64_t n;

	*sig = 0; /* pass the signal of the stop, as gdb's continue */
	if (!v)
		return 0;
	if (tr_json_int64(v, &n) == 0) {
		if (n < 0 || n >= NSIG)
			goto bad;
		*sig = n ? (int)n : -1;
		return 0;
	}
	if ((s = tr_json_str(v, NULL))) {
		if (!strncmp(s, "SIG", 3))
			s += 3;
		for (int i = 1; i < NSIG; i++) {
			const char *a = sigabbrev_np(i);

			if (a && !strcmp(a, s)) {
				*sig = i;
				return 0;
			}
		}
	}
bad:
	srv_error(x, TR_RPC_INVALID_PARAMS,
		  "\"signal\" must be a signal number or name (0: none)");
	return -1;
}

static int
m_continue(struct srv_call *x)
{
	struct tr_event ev;
	pid_t tid;
	int sig, err;

	if (target_exited(x) || parse_signal(x, &sig) ||
	    sel(x, &tid, NULL) || interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_cont(x->ss->s, tid, sig, &ev);
	return after_run(x, err, &ev, NULL, NULL);
}

static int
m_stepi(struct srv_call *x)
{
	struct tr_event ev;
	pid_t tid;
	int err;

	if (target_exited(x) || sel(x, &tid, NULL) || interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_step(x->ss->s, tid, &ev);
	return after_run(x, err, &ev, NULL, NULL);
}

struct line_step {
	pid_t tid;
	bool over;
	struct tr_event ev;
};

static int
line_step_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	     struct tr_unwinder *u, void *arg)
{
	struct line_step *ls = arg;

	return tr_step_line(t, di, ls->tid, ls->over, &ls->ev);
}

static int
line_step(struct srv_call *x, bool over)
{
	struct line_step ls = { .over = over };
	int err;

	if (target_exited(x) || sel(x, &ls.tid, NULL) ||
	    interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_run(x->ss->s, line_step_fn, &ls);
	return after_run(x, err, &ls.ev, NULL, NULL);
}

static int
m_step(struct srv_call *x)
{
	return line_step(x, false);
}

static int
m_next(struct srv_call *x)
{
	return line_step(x, true);
}

struct finish {
	pid_t tid;
	struct tr_event ev;
	uint64_t fn_pc;
	char value[1024];
	char func[256];
	bool have_value;
};

static int
finish_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	  void *arg)
{
	struct finish *f = arg;
	struct user_regs_struct r;
	struct user_fpregs_struct fp;
	struct tr_location loc;
	int err;

	if ((err = tr_regs_get(t, f->tid, &r)))
		return err;
	f->fn_pc = r.rip;
	if (tr_debuginfo_describe(di, r.rip, &loc) == 0 && loc.function)
		snprintf(f->func, sizeof(f->func), "%s", loc.function);
	err = tr_finish(t, u, f->tid, &f->ev, &r);
	if (err)
		return err;
	if (f->ev.type == TR_EV_STOP && f->ev.reason == TR_STOP_FINISH &&
	    tr_fpregs_get(t, f->ev.tid, &fp) == 0 &&
	    tr_return_value(t, di, f->fn_pc, &r, &fp, f->value,
			    sizeof(f->value)) == 0)
		f->have_value = true;
	return 0;
}

static void
finish_extra(struct tr_jw *w, void *arg)
{
	struct finish *f = arg;

	opt_str(w, "function", f->func);
	if (f->have_value) {
		tr_jw_key(w, "return_value");
		tr_jw_cstr(w, f->value);
	}
}

static int
m_finish(struct srv_call *x)
{
	struct finish f = { 0 };
	int err;

	if (target_exited(x) || sel(x, &f.tid, NULL) || interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_run(x->ss->s, finish_fn, &f);
	if (err == -TR_ENOENT) {
		atomic_store(&x->ss->state, SRV_STOPPED);
		return srv_error(x, SRV_E_TARGET,
				 "\"finish\" not meaningful in the outermost "
				 "frame.");
	}
	return after_run(x, err, &f.ev, finish_extra, &f);
}

/* interrupt: on the epoll thread, at once. The stop is the answer to the
 * run request that was going on, and a "stopped" notification. */
static int
m_interrupt(struct srv_call *x)
{
	struct srv_sess *ss = x->ss;
	bool running = atomic_load(&ss->runs_queued) != 0;

	if (running) {
		atomic_store(&ss->stop_req, true);
		srv_sess_interrupt(ss);
	}
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "was_running");
	tr_jw_bool(&x->w, running);
	return tr_rpc_end(&x->w);
}

/* ---- sessions ----------------------------------------------------------- */

static void
write_session_head(struct srv_call *x, pid_t pid)
{
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	tr_jw_key(&x->w, "pid");
	tr_jw_int(&x->w, pid);
}

/* A launch or attach that failed: the session goes, unannounced (its
 * creator learns of it from the error). */
static int
create_failed(struct srv_call *x, int err, const char *what)
{
	srv_lib_error(x, err, what);
	srv_sess_end(x->ss, NULL);
	return 0;
}

static int
open_stdio(struct srv_call *x, const char *key, int flags, int *fd)
{
	const char *p = srv_param_str(x, key, false);

	*fd = -1;
	if (!p)
		return x->replied ? -1 : 0;
	*fd = open(p, flags | O_CLOEXEC, 0600);
	if (*fd < 0) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "%s: %s: %s", key, p,
			  strerror(errno));
		return -1;
	}
	return 0;
}

static int
m_launch(struct srv_call *x)
{
	const char *prog = srv_param_str(x, "program", true);
	const struct tr_json *args = param(x, "args");
	const struct tr_json *env = param(x, "env");
	const char *cwd;
	char **argv = NULL, **envp = NULL;
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct tr_event ev = { .type = TR_EV_STOP, .reason = TR_STOP_EXEC };
	pid_t pid = 0;
	size_t n;
	int err = 0;

	if (!prog)
		goto fail;
	cwd = srv_param_str(x, "cwd", false);
	if (x->replied)
		goto fail;
	if ((args && args->kind != TR_JSON_ARRAY) ||
	    (env && env->kind != TR_JSON_OBJECT)) {
		srv_error(x, TR_RPC_INVALID_PARAMS, "\"args\" must be an array "
			  "of strings, \"env\" an object of strings");
		goto fail;
	}
	n = args ? tr_json_len(args) : 0;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		goto oom;
	argv[0] = (char *)prog;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *a = tr_json_str(tr_json_at(args, i), &len);

		if (!a || strlen(a) != len) {
			srv_error(x, TR_RPC_INVALID_PARAMS,
				  "\"args\" must be an array of strings");
			goto fail;
		}
		argv[i + 1] = (char *)a;
	}
	if (env) {
		size_t ne = tr_json_len(env);

		envp = calloc(ne + 1, sizeof(*envp));
		if (!envp)
			goto oom;
		for (size_t i = 0; i < ne; i++) {
			const struct tr_json_member *mb =
				tr_json_member_at(env, i);
			const char *v = tr_json_str(&mb->val, NULL);

			if (!v || asprintf(&envp[i], "%s=%s", mb->key, v) < 0) {
				srv_error(x, TR_RPC_INVALID_PARAMS,
					  "\"env\" values must be strings");
				goto fail;
			}
		}
	}
	if (open_stdio(x, "stdin", O_RDONLY, &l.stdin_fd) ||
	    open_stdio(x, "stdout", O_WRONLY | O_CREAT | O_TRUNC,
		       &l.stdout_fd) ||
	    open_stdio(x, "stderr", O_WRONLY | O_CREAT | O_TRUNC,
		       &l.stderr_fd))
		goto fail;
	l.path = prog;
	l.argv = argv;
	l.envp = envp;
	l.cwd = cwd;
	x->ss->launched = true;
	x->ss->program = strdup(prog);
	err = tr_session_launch(x->ss->s, &l, &pid);
	if (err) {
		create_failed(x, err, prog);
		goto out;
	}
	atomic_store(&x->ss->pid, pid);
	ev.pid = ev.tid = pid;
	{
		struct tr_state st;

		if (tr_state_get(x->ss->t, &st) == 0)
			ev = st.last_stop;
	}
	x->ss->last = ev;
	tr_log_info("session %u: launched %s, process %d", x->ss->id, prog,
		    (int)pid);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, pid);
	tr_jw_key(&x->w, "stop");
	srv_write_stop(x->ss, &x->w, &ev);
	tr_rpc_end(&x->w);
	goto out;
oom:
	srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
fail:
	srv_sess_end(x->ss, NULL);
out:
	for (size_t i = 0; envp && envp[i]; i++)
		free(envp[i]);
	free(envp);
	free(argv);
	if (l.stdin_fd >= 0)
		close(l.stdin_fd);
	if (l.stdout_fd >= 0)
		close(l.stdout_fd);
	if (l.stderr_fd >= 0)
		close(l.stderr_fd);
	return 0;
}

static int
m_attach(struct srv_call *x)
{
	uint64_t pid;
	struct tr_state st;
	int err;

	if (param_num(x, "pid", true, INT32_MAX, &pid) < 0 || !pid) {
		if (!x->replied)
			srv_error(x, TR_RPC_INVALID_PARAMS, "bad \"pid\"");
		srv_sess_end(x->ss, NULL);
		return 0;
	}
	err = tr_session_attach(x->ss->s, (pid_t)pid);
	if (err) {
		char what[64];

		snprintf(what, sizeof(what), "attach %llu",
			 (unsigned long long)pid);
		return create_failed(x, err, what);
	}
	atomic_store(&x->ss->pid, (pid_t)pid);
	if (tr_state_get(x->ss->t, &st) == 0)
		x->ss->last = st.last_stop;
	{
		char path[64], exe[4096];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			x->ss->program = strdup(exe);
		}
	}
	tr_log_info("session %u: attached to %d", x->ss->id, (int)pid);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, (pid_t)pid);
	tr_jw_key(&x->w, "threads");
	tr_jw_uint(&x->w, st.nthreads);
	tr_jw_key(&x->w, "stop");
	srv_write_stop(x->ss, &x->w, &x->ss->last);
	return tr_rpc_end(&x->w);
}

static int
end_session(struct srv_call *x, bool kill_it)
{
	struct srv_sess *ss = x->ss;
	int err = 0;

	atomic_store(&ss->stop_req, false);
	if (atomic_load(&ss->state) != SRV_EXITED)
		err = kill_it ? tr_kill(ss->t) : tr_detach(ss->t);
	if (err && err != -TR_EGONE && err != -TR_ENOTARGET)
		return srv_lib_error(x, err, kill_it ? "kill" : "detach");
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, kill_it ? "killed" : "detached");
	tr_jw_int(&x->w, atomic_load(&ss->pid));
	tr_rpc_end(&x->w);
	srv_sess_end(ss, kill_it ? "killed" : "detached");
	return 0;
}

static int
m_detach(struct srv_call *x)
{
	return end_session(x, false);
}

static int
m_kill(struct srv_call *x)
{
	return end_session(x, true);
}

static int
m_sessions(struct srv_call *x)
{
	srv_begin(x);
	srv_sessions_write(&x->w);
	return tr_rpc_end(&x->w);
}

static int
m_state(struct srv_call *x)
{
	static const char *const st[] = { "stopped", "running", "exited" };
	struct srv_sess *ss = x->ss;
	struct tr_event last;
	int state = atomic_load(&ss->state);

	pthread_mutex_lock(&ss->mu);
	last = ss->last;
	pthread_mutex_unlock(&ss->mu);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_session_head(x, atomic_load(&ss->pid));
	tr_jw_key(&x->w, "state");
	tr_jw_cstr(&x->w, st[state]);
	tr_jw_key(&x->w, "launched");
	tr_jw_bool(&x->w, ss->launched);
	tr_jw_key(&x->w, "current_thread");
	tr_jw_int(&x->w, last.tid);
	tr_jw_key(&x->w, "last_reason");
	tr_jw_cstr(&x->w, tr_stop_reason_name(last.reason));
	return tr_rpc_end(&x->w);
}

static int
m_follow(struct srv_call *x)
{
	/* handle_line made x->c follow the session already */
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	return tr_rpc_end(&x->w);
}

static int
m_unfollow(struct srv_call *x)
{
	pthread_mutex_lock(&x->c->mu);
	for (unsigned i = 0; i < x->c->nfollows; i++)
		if (x->c->follows[i].sid == x->ss->id) {
			x->c->follows[i] = x->c->follows[--x->c->nfollows];
			break;
		}
	pthread_mutex_unlock(&x->c->mu);
	return m_follow(x);
}

static int
m_version(struct srv_call *x)
{
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "name");
	tr_jw_cstr(&x->w, "tracerd");
	tr_jw_key(&x->w, "version");
	tr_jw_cstr(&x->w, PACKAGE_VERSION);
	tr_jw_key(&x->w, "protocol");
	tr_jw_int(&x->w, 1);
	tr_jw_key(&x->w, "pid");
	tr_jw_int(&x->w, getpid());
	return tr_rpc_end(&x->w);
}

static int
m_auth(struct srv_call *x)
{
	/* handle_line checked the token already */
	srv_begin(x);
	tr_jw_bool(&x->w, true);
	return tr_rpc_end(&x->w);
}

static int
m_shutdown(struct srv_call *x)
{
	srv_begin(x);
	tr_jw_bool(&x->w, true);
	tr_rpc_end(&x->w);
	srv_shutdown_request();
	return 0;
}

/* ---- threads and registers ---------------------------------------------- */

struct threads_ctx {
	pid_t tids[1024];
	size_t n;
	struct user_regs_struct regs[1024];
	char func[1024][96];
};

static int
threads_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	   struct tr_unwinder *u, void *arg)
{
	struct threads_ctx *tc = arg;
	size_t n = 0;
	int err = tr_threads(t, tc->tids, 1024, &n);

	if (err)
		return err;
	tc->n = n < 1024 ? n : 1024;
	for (size_t i = 0; i < tc->n; i++) {
		struct tr_location loc;

		tc->func[i][0] = 0;
		if (tr_regs_get(t, tc->tids[i], &tc->regs[i])) {
			memset(&tc->regs[i], 0, sizeof(tc->regs[i]));
			continue;
		}
		if (tr_debuginfo_describe(di, tc->regs[i].rip, &loc) == 0 &&
		    loc.function)
			snprintf(tc->func[i], sizeof(tc->func[i]), "%s",
				 loc.function);
	}
	return 0;
}

static int
m_threads(struct srv_call *x)
{
	struct threads_ctx *tc = malloc(sizeof(*tc));
	struct tr_event last;
	int err;

	if (!tc)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	if (target_exited(x)) {
		free(tc);
		return 0;
	}
	err = tr_session_run(x->ss->s, threads_fn, tc);
	if (err) {
		free(tc);
		return srv_lib_error(x, err, NULL);
	}
	pthread_mutex_lock(&x->ss->mu);
	last = x->ss->last;
	pthread_mutex_unlock(&x->ss->mu);
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < tc->n; i++) {
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "thread");
		tr_jw_int(&x->w, tc->tids[i]);
		tr_jw_key(&x->w, "current");
		tr_jw_bool(&x->w, tc->tids[i] == last.tid);
		tr_jw_key(&x->w, "pc");
		tr_jw_uint(&x->w, tc->regs[i].rip);
		opt_str(&x->w, "function", tc->func[i]);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	free(tc);
	return tr_rpc_end(&x->w);
}

#define REG(n) { #n, offsetof(struct user_regs_struct, n) }
static const struct {
	const char *name;
	size_t off;
} regs_tab[] = {
	REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi),
	REG(rbp), REG(rsp), REG(r8), REG(r9), REG(r10), REG(r11),
	REG(r12), REG(r13), REG(r14), REG(r15), REG(rip), REG(eflags),
	REG(cs), REG(ss), REG(ds), REG(es), REG(fs), REG(gs),
	REG(fs_base), REG(gs_base), REG(orig_rax),
};
#undef REG

static int
m_registers(struct srv_call *x)
{
	struct user_regs_struct r;
	pid_t tid;
	int err;

	if (sel(x, &tid, NULL))
		return 0;
	if ((err = tr_regs_get(x->ss->t, tid, &r)))
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	for (size_t i = 0; i < sizeof(regs_tab) / sizeof(regs_tab[0]); i++) {
		uint64_t v;

		memcpy(&v, (char *)&r + regs_tab[i].off, sizeof(v));
		tr_jw_key(&x->w, regs_tab[i].name);
		tr_jw_uint(&x->w, v);
	}
	return tr_rpc_end(&x->w);
}

static int
m_set_register(struct srv_call *x)
{
	const char *name = srv_param_str(x, "name", true);
	const struct tr_json *vj = param(x, "value");
	struct user_regs_struct r;
	uint64_t v;
	int64_t sv;
	pid_t tid;
	int err;

	if (!name)
		return 0;
	if (!vj || (tr_json_uint64(vj, &v) && tr_json_int64(vj, &sv)))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"value\" must be an integer");
	if (tr_json_uint64(vj, &v))
		v = (uint64_t)sv;
	if (sel(x, &tid, NULL))
		return 0;
	for (size_t i = 0; i < sizeof(regs_tab) / sizeof(regs_tab[0]); i++) {
		if (strcmp(regs_tab[i].name, name))
			continue;
		if ((err = tr_regs_get(x->ss->t, tid, &r)))
			return srv_lib_error(x, err, NULL);
		memcpy((char *)&r + regs_tab[i].off, &v, sizeof(v));
		if ((err = tr_regs_set(x->ss->t, tid, &r)))
			return srv_lib_error(x, err, NULL);
		srv_begin(x);
		tr_jw_uint(&x->w, v);
		return tr_rpc_end(&x->w);
	}
	return srv_error(x, TR_RPC_INVALID_PARAMS, "no register \"%s\"", name);
}

/* ---- memory ------------------------------------------------------------- */

#define BIN_HEADER_ROOM 192

static int
m_read_memory(struct srv_call *x)
{
	const char *enc = srv_param_str(x, "encoding", false);
	bool binary = enc && !strcmp(enc, "binary");
	uint64_t addr, len;
	size_t done = 0;
	char *data;
	int err;

	if (x->replied || srv_param_u64(x, "addr", true, &addr) ||
	    param_num(x, "length", true, MAX_READ, &len) < 0)
		return 0;
	if (enc && !binary && strcmp(enc, "base64"))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"encoding\" must be \"base64\" or "
				 "\"binary\"");
	if (binary) {
		/* The bytes go into the reply buffer where they will be sent
		 * from, after room for the JSON line. */
		char head[BIN_HEADER_ROOM];
		int hl;

		if (tr_buf_reserve(x->out, BIN_HEADER_ROOM + len))
			return srv_error(x, TR_RPC_INTERNAL_ERROR,
					 "out of memory");
		data = x->out->data + BIN_HEADER_ROOM;
		err = len ? tr_mem_read(x->ss->t, addr, data, len, &done) : 0;
		if (err && !done)
			return srv_error(x, SRV_E_MEMORY,
					 "Cannot access memory at address "
					 "0x%llx", (unsigned long long)addr);
		hl = snprintf(head, sizeof(head),
			      "{\"jsonrpc\":\"2.0\",\"id\":");
		{
			/* the id as the client sent it */
			struct tr_buf idb;
			struct tr_jw iw;

			tr_buf_init(&idb);
			tr_jw_init(&iw, &idb);
			if (x->req->id)
				tr_jw_value(&iw, x->req->id);
			else
				tr_jw_null(&iw);
			if (tr_jw_error(&iw) || idb.len > 64) {
				tr_buf_free(&idb);
				return srv_error(x, TR_RPC_INVALID_REQUEST,
						 "id too long for a binary "
						 "reply");
			}
			hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
				       "%.*s", (int)idb.len, idb.data);
			tr_buf_free(&idb);
		}
		hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
			       ",\"result\":{\"addr\":%llu,\"length\":%zu,"
			       "\"encoding\":\"binary\"}}\n",
			       (unsigned long long)addr, done);
		x->out->len = BIN_HEADER_ROOM + done;
		return srv_reply_binary(x, BIN_HEADER_ROOM, head, (size_t)hl);
	}
	data = malloc(len ? len : 1);
	if (!data)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	err = len ? tr_mem_read(x->ss->t, addr, data, len, &done) : 0;
	if (err && !done) {
		free(data);
		return srv_error(x, SRV_E_MEMORY,
				 "Cannot access memory at address 0x%llx",
				 (unsigned long long)addr);
	}
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, addr);
	tr_jw_key(&x->w, "length");
	tr_jw_uint(&x->w, done);
	tr_jw_key(&x->w, "data");
	tr_jw_base64(&x->w, data, done);
	free(data);
	return tr_rpc_end(&x->w);
}

static int
m_write_memory(struct srv_call *x)
{
	const struct tr_json *d = param(x, "data");
	const char *s;
	size_t sl, n = 0, done = 0;
	uint64_t addr;
	char *bytes;
	int err;

	if (srv_param_u64(x, "addr", true, &addr))
		return 0;
	if (!d || !(s = tr_json_str(d, &sl)))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"data\" must be a base64 string");
	bytes = malloc(TR_BASE64_DECODED_MAX(sl) + 1);
	if (!bytes)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	if (tr_base64_decode(s, sl, bytes, &n)) {
		free(bytes);
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"data\" is not canonical base64");
	}
	err = n ? tr_mem_write(x->ss->t, addr, bytes, n, &done) : 0;
	free(bytes);
	if (err && !done)
		return srv_error(x, SRV_E_MEMORY,
				 "Cannot access memory at address 0x%llx",
				 (unsigned long long)addr);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "written");
	tr_jw_uint(&x->w, done);
	return tr_rpc_end(&x->w);
}

/* ---- breakpoints -------------------------------------------------------- */

static struct srv_bp *
bp_find(struct srv_sess *ss, uint32_t id)
{
	struct srv_bp *b;

	for (b = ss->bps; b && b->id != id; b = b->next)
		;
	return b;
}

static void
bp_forget(struct srv_sess *ss, uint32_t id)
{
	for (struct srv_bp **pp = &ss->bps; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct srv_bp *b = *pp;

			*pp = b->next;
			free(b->spec);
			free(b->cond);
			free(b);
			return;
		}
}

static int
write_bp(struct srv_call *x, uint32_t id)
{
	struct tr_break_info info;
	uint64_t locs[64];
	struct srv_bp *b = bp_find(x->ss, id);
	int err = tr_break_info(x->ss->t, id, &info, locs, 64);

	if (err)
		return err;
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "id");
	tr_jw_uint(&x->w, id);
	opt_str(&x->w, "location", b ? b->spec : NULL);
	opt_str(&x->w, "condition", b ? b->cond : NULL);
	tr_jw_key(&x->w, "enabled");
	tr_jw_bool(&x->w, info.enabled);
	tr_jw_key(&x->w, "temporary");
	tr_jw_bool(&x->w, info.temporary);
	tr_jw_key(&x->w, "hits");
	tr_jw_uint(&x->w, info.hits);
	tr_jw_key(&x->w, "ignore_count");
	tr_jw_uint(&x->w, info.ignore_count);
	tr_jw_key(&x->w, "pending");
	tr_jw_bool(&x->w, info.nlocs == 0);
	tr_jw_key(&x->w, "locations");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < info.nlocs && i < 64; i++) {
		struct where wh;

		where_get(x->ss, locs[i], 0, false, &wh);
		wh.source[0] = 0;
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "addr");
		tr_jw_uint(&x->w, locs[i]);
		opt_str(&x->w, "function", wh.func);
		opt_str(&x->w, "file", wh.file);
		tr_jw_key(&x->w, "line");
		tr_jw_uint(&x->w, wh.loc.line);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	tr_jw_obj_end(&x->w);
	return 0;
}

static int
eval_error(struct srv_call *x, int err, const struct tr_expr_err *e)
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

static int
m_break(struct srv_call *x)
{
	const char *spec = srv_param_str(x, "location", true);
	const char *cond;
	struct tr_break_opts o = { 0 };
	struct tr_expr_err e = { 0 };
	struct srv_bp *b;
	uint64_t ign = 0;
	uint32_t id;
	int err;

	if (!spec)
		return 0;
	cond = srv_param_str(x, "condition", false);
	if (x->replied || param_num(x, "ignore_count", false, UINT32_MAX,
				    &ign) < 0 ||
	    param_bool(x, "temporary", &o.temporary) < 0 ||
	    param_bool(x, "disabled", &o.disabled) < 0)
		return 0;
	if (target_exited(x))
		return 0;
	o.ignore_count = (uint32_t)ign;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->spec = strdup(spec)) ||
	    (cond && *cond && !(b->cond = strdup(cond)))) {
		if (b)
			free(b->spec);
		free(b);
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	}
	err = tr_session_break(x->ss->s, spec, cond, &o, &id, &e);
	if (err) {
		free(b->spec);
		free(b->cond);
		free(b);
		/* the library's own words: about the location, not the
		 * condition */
		if (!e.msg[0] || !strcmp(e.msg, tr_strerror(err))) {
			if (err == -TR_EINVAL)
				return srv_error(x, TR_RPC_INVALID_PARAMS,
						 "malformed location \"%s\"",
						 spec);
			return srv_lib_error(x, err, spec);
		}
		return eval_error(x, err, &e);
	}
	b->id = id;
	b->next = x->ss->bps;
	x->ss->bps = b;
	srv_begin(x);
	write_bp(x, id);
	return tr_rpc_end(&x->w);
}

static int
bp_id(struct srv_call *x, uint32_t *id)
{
	uint64_t v;

	if (param_num(x, "id", true, UINT32_MAX, &v) < 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static int
bp_done(struct srv_call *x, int err, uint32_t id)
{
	if (err == -TR_ENOENT)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No breakpoint number %u.", id);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	if (write_bp(x, id))
		tr_jw_null(&x->w);
	return tr_rpc_end(&x->w);
}

static int
m_delete(struct srv_call *x)
{
	uint32_t id;
	int err;

	if (bp_id(x, &id))
		return 0;
	/* the condition first: compiled code must not outlive its site */
	tr_session_condition(x->ss->s, id, NULL, NULL);
	err = tr_break_delete(x->ss->t, id);
	if (err == -TR_ENOENT)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No breakpoint number %u.", id);
	if (err)
		return srv_lib_error(x, err, NULL);
	bp_forget(x->ss, id);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "deleted");
	tr_jw_uint(&x->w, id);
	return tr_rpc_end(&x->w);
}

static int
m_enable(struct srv_call *x)
{
	bool on = true;
	uint32_t id;

	if (bp_id(x, &id) || param_bool(x, "enabled", &on) < 0)
		return 0;
	return bp_done(x, tr_break_enable(x->ss->t, id, on), id);
}

static int
m_condition(struct srv_call *x)
{
	const char *cond;
	struct tr_expr_err e = { 0 };
	struct srv_bp *b;
	uint32_t id;
	int err;

	if (bp_id(x, &id))
		return 0;
	cond = srv_param_str(x, "condition", false);
	if (x->replied)
		return 0;
	err = tr_session_condition(x->ss->s, id, cond, &e);
	if (err == -TR_ENOENT && !e.msg[0])
		return bp_done(x, err, id);
	if (err)
		return eval_error(x, err, &e);
	if ((b = bp_find(x->ss, id))) {
		free(b->cond);
		b->cond = cond && *cond ? strdup(cond) : NULL;
	}
	return bp_done(x, 0, id);
}

static int
m_ignore(struct srv_call *x)
{
	uint64_t n;
	uint32_t id;

	if (bp_id(x, &id) || param_num(x, "count", true, UINT32_MAX, &n) < 0)
		return 0;
	return bp_done(x, tr_break_ignore(x->ss->t, id, (uint32_t)n), id);
}

static int
m_breakpoints(struct srv_call *x)
{
	uint32_t ids[1024];
	size_t n = 0;
	int err = tr_break_list(x->ss->t, ids, 1024, &n);

	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < n && i < 1024; i++)
		write_bp(x, ids[i]);
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}

/* ---- stack -------------------------------------------------------------- */

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
write_frame(struct tr_jw *w, size_t level, const struct tr_bt_frame *f)
{
	char src[512] = "";

	tr_jw_obj_begin(w);
	tr_jw_key(w, "level");
	tr_jw_uint(w, level);
	tr_jw_key(w, "pc");
	tr_jw_uint(w, f->pc);
	opt_str(w, "function", f->function);
	tr_jw_key(w, "offset");
	tr_jw_uint(w, f->offset);
	opt_str(w, "file", f->file);
	tr_jw_key(w, "line");
	tr_jw_uint(w, f->line);
	opt_str(w, "module", f->module);
	if (f->sigtramp) {
		tr_jw_key(w, "sigtramp");
		tr_jw_bool(w, true);
	}
	if (f->guessed) {
		tr_jw_key(w, "guessed");
		tr_jw_bool(w, true);
	}
	write_args(w, f);
	if (f->file && f->line) {
		source_line(f->file, f->line, src, sizeof(src));
		opt_str(w, "source", src);
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

static int
m_backtrace(struct srv_call *x)
{
	struct bt_ctx b;
	uint64_t limit = BT_DEFAULT;
	pid_t tid;

	if (target_exited(x) || sel(x, &tid, NULL) ||
	    param_num(x, "limit", false, BT_MAX, &limit) < 0)
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
		write_frame(&x->w, i, &b.frames[i]);
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "more");
	tr_jw_bool(&x->w, b.more);
	free(b.frames);
	return tr_rpc_end(&x->w);
}

static int
m_frame(struct srv_call *x)
{
	struct bt_ctx b;
	uint64_t level;
	pid_t tid;

	if (target_exited(x) || sel(x, &tid, NULL) ||
	    param_num(x, "level", true, BT_MAX - 1, &level) < 0)
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
	write_frame(&x->w, level, &b.frames[level]);
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

	if (target_exited(x) || sel(x, &tid, &frame))
		return 0;
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	err = tr_session_vars(x->ss->s, tid, frame, params, var_cb, &x->w, &e);
	if (err == -TR_ERANGE)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No frame at level %u.", frame);
	if (err)
		return eval_error(x, err, &e);
	return tr_rpc_end(&x->w);
}

static int
m_locals(struct srv_call *x)
{
	return vars(x, false);
}

static int
m_args(struct srv_call *x)
{
	return vars(x, true);
}

/* ---- evaluation --------------------------------------------------------- */

static int
evaluate(struct srv_call *x, bool whatis)
{
	const char *expr = srv_param_str(x, "expr", true);
	struct tr_expr_err e;
	unsigned frame;
	pid_t tid;
	char *out;
	int err;

	if (!expr || target_exited(x) || sel(x, &tid, &frame))
		return 0;
	out = malloc(EVAL_OUT);
	if (!out)
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	err = (whatis ? tr_session_whatis : tr_session_eval)(
		x->ss->s, expr, tid, frame, out, EVAL_OUT, &e);
	if (err == -TR_EGONE)
		atomic_store(&x->ss->state, SRV_EXITED);
	if (err) {
		free(out);
		return eval_error(x, err, &e);
	}
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, whatis ? "type" : "value");
	tr_jw_cstr(&x->w, out);
	free(out);
	return tr_rpc_end(&x->w);
}

static int
m_eval(struct srv_call *x)
{
	return evaluate(x, false);
}

static int
m_whatis(struct srv_call *x)
{
	return evaluate(x, true);
}

/* ---- symbols ------------------------------------------------------------ */

static const char *const kind_names[] = { "?", "function", "object", "ifunc",
					  "other" };

struct sym_ctx {
	const char *name;
	uint64_t addr;
	struct tr_sym sym;
	char sname[256], module[256];
	struct where wh;
	/* functions */
	const char *match;
	struct tr_jw *w;
	uint64_t limit, count;
	bool more;
};

static int
lookup_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	  void *arg)
{
	struct sym_ctx *sc = arg;
	int err = tr_symtab_lookup(tr_debuginfo_symtab(di), sc->name,
				   &sc->sym);

	if (err)
		return err;
	snprintf(sc->sname, sizeof(sc->sname), "%s", sc->sym.name);
	snprintf(sc->module, sizeof(sc->module), "%s",
		 sc->sym.module ? sc->sym.module->name : "");
	return 0;
}

static int
m_lookup_symbol(struct srv_call *x)
{
	struct sym_ctx sc = { 0 };
	int err;

	if (!(sc.name = srv_param_str(x, "name", true)))
		return 0;
	err = tr_session_run(x->ss->s, lookup_fn, &sc);
	if (err == -TR_ENOENT)
		return srv_error(x, SRV_E_TARGET, "No symbol \"%s\".", sc.name);
	if (err)
		return srv_lib_error(x, err, NULL);
	where_get(x->ss, sc.sym.addr, 0, false, &sc.wh);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "name");
	tr_jw_cstr(&x->w, sc.sname);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, sc.sym.addr);
	tr_jw_key(&x->w, "size");
	tr_jw_uint(&x->w, sc.sym.size);
	tr_jw_key(&x->w, "kind");
	tr_jw_cstr(&x->w, kind_names[sc.sym.kind <= 4 ? sc.sym.kind : 0]);
	tr_jw_key(&x->w, "global");
	tr_jw_bool(&x->w, sc.sym.global);
	opt_str(&x->w, "module", sc.module);
	opt_str(&x->w, "file", sc.wh.file);
	tr_jw_key(&x->w, "line");
	tr_jw_uint(&x->w, sc.wh.loc.line);
	return tr_rpc_end(&x->w);
}

static int
m_symbol_at(struct srv_call *x)
{
	struct where wh;
	uint64_t addr;

	if (srv_param_u64(x, "addr", true, &addr))
		return 0;
	where_get(x->ss, addr, 0, false, &wh);
	if (!wh.func[0] && !wh.module[0])
		return srv_error(x, SRV_E_TARGET,
				 "No symbol matches 0x%llx.",
				 (unsigned long long)addr);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	write_where(&x->w, &wh);
	return tr_rpc_end(&x->w);
}

static int
functions_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	     struct tr_unwinder *u, void *arg)
{
	struct sym_ctx *sc = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);

	for (size_t m = 0; m < tr_symtab_nmodules(st); m++) {
		struct tr_sym s;

		for (size_t i = 0; tr_symtab_sym(st, m, i, &s) == 0; i++) {
			if (s.kind != TR_SYM_FUNC && s.kind != TR_SYM_IFUNC)
				continue;
			if (sc->match && !strstr(s.name, sc->match))
				continue;
			if (sc->count == sc->limit) {
				sc->more = true;
				return 0;
			}
			sc->count++;
			tr_jw_obj_begin(sc->w);
			tr_jw_key(sc->w, "name");
			tr_jw_cstr(sc->w, s.name);
			tr_jw_key(sc->w, "addr");
			tr_jw_uint(sc->w, s.addr);
			tr_jw_key(sc->w, "size");
			tr_jw_uint(sc->w, s.size);
			tr_jw_key(sc->w, "module");
			tr_jw_cstr(sc->w, s.module->name);
			tr_jw_obj_end(sc->w);
		}
	}
	return 0;
}

static int
m_functions(struct srv_call *x)
{
	struct sym_ctx sc = { .limit = 1000 };
	int err;

	sc.match = srv_param_str(x, "match", false);
	if (x->replied || param_num(x, "limit", false, 1000000, &sc.limit) < 0)
		return 0;
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "functions");
	tr_jw_arr_begin(&x->w);
	sc.w = &x->w;
	err = tr_session_run(x->ss->s, functions_fn, &sc);
	if (err)
		return srv_lib_error(x, err, NULL);
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "more");
	tr_jw_bool(&x->w, sc.more);
	return tr_rpc_end(&x->w);
}

/* ---- statistics --------------------------------------------------------- */

static void
write_slab(struct tr_jw *w, const char *name, const struct tr_slab_stats *s)
{
	tr_jw_key(w, name);
	tr_jw_obj_begin(w);
#define F(f)                        \
	tr_jw_key(w, #f);           \
	tr_jw_uint(w, s->f)
	F(requests);
	F(submits);
	F(server_spin_hits);
	F(server_sleeps);
	F(server_wakes);
	F(client_spin_hits);
	F(client_yields);
	F(client_sleeps);
	F(client_wakes);
	F(slot_waits);
#undef F
	tr_jw_key(w, "latency_ns");
	tr_jw_obj_begin(w);
	tr_jw_key(w, "p50");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.5));
	tr_jw_key(w, "p90");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.9));
	tr_jw_key(w, "p99");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.99));
	tr_jw_key(w, "log2_histogram");
	tr_jw_arr_begin(w);
	for (int i = 0; i < TR_SLAB_HIST; i++)
		tr_jw_uint(w, s->latency_hist[i]);
	tr_jw_arr_end(w);
	tr_jw_obj_end(w);
	tr_jw_obj_end(w);
}

static int
m_stats(struct srv_call *x)
{
	struct tr_slab_stats tr, in, lp;

	tr_session_stats(x->ss->s, &tr, &in, &lp);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	write_slab(&x->w, "tracer", &tr);
	write_slab(&x->w, "interpreter", &in);
	write_slab(&x->w, "event_loop", &lp);
	return tr_rpc_end(&x->w);
}

/* ---- the table ---------------------------------------------------------- */

#define STOPPED SRV_M_STOPPED
static const struct srv_method methods[] = {
	/* server */
	{ "version", SRV_M_SERVER, m_version },
	{ "auth", SRV_M_SERVER, m_auth },
	{ "sessions", SRV_M_SERVER, m_sessions },
	{ "shutdown", SRV_M_SERVER, m_shutdown },
	/* sessions */
	{ "launch", SRV_M_CREATES, m_launch },
	{ "attach", SRV_M_CREATES, m_attach },
	{ "detach", SRV_M_STOPS_FIRST, m_detach },
	{ "kill", SRV_M_STOPS_FIRST, m_kill },
	{ "state", SRV_M_NOW, m_state },
	{ "follow", SRV_M_NOW, m_follow },
	{ "unfollow", SRV_M_NOW, m_unfollow },
	{ "stats", SRV_M_NOW, m_stats },
	{ "interrupt", SRV_M_NOW, m_interrupt },
	/* execution */
	{ "continue", STOPPED | SRV_M_RUNS, m_continue },
	{ "step", STOPPED | SRV_M_RUNS, m_step },
	{ "next", STOPPED | SRV_M_RUNS, m_next },
	{ "finish", STOPPED | SRV_M_RUNS, m_finish },
	{ "stepi", STOPPED | SRV_M_RUNS, m_stepi },
	/* threads, registers, memory */
	{ "threads", STOPPED, m_threads },
	{ "registers", STOPPED, m_registers },
	{ "set_register", STOPPED, m_set_register },
	{ "read_memory", STOPPED, m_read_memory },
	{ "write_memory", STOPPED, m_write_memory },
	/* breakpoints */
	{ "break", STOPPED, m_break },
	{ "delete", STOPPED, m_delete },
	{ "enable", STOPPED, m_enable },
	{ "condition", STOPPED, m_condition },
	{ "ignore", STOPPED, m_ignore },
	{ "breakpoints", STOPPED, m_breakpoints },
	/* stack */
	{ "backtrace", STOPPED, m_backtrace },
	{ "frame", STOPPED, m_frame },
	{ "locals", STOPPED, m_locals },
	{ "args", STOPPED, m_args },
	/* evaluation */
	{ "eval", STOPPED, m_eval },
	{ "whatis", STOPPED, m_whatis },
	/* symbols */
	{ "lookup_symbol", STOPPED, m_lookup_symbol },
	{ "symbol_at", STOPPED, m_symbol_at },
	{ "functions", STOPPED, m_functions },
};

const struct srv_method *
srv_method_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == len &&
		    !memcmp(methods[i].name, name, len))
			return &methods[i];
	return NULL;
}
