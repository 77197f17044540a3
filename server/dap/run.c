/* run.c: the DAP requests that start, run, stop and end the program (launch, attach, configurationDone, continue, next, stepIn, stepOut, pause, terminate, disconnect), the run thread that waits for a stop and reports it, and the thread that forwards the program's output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "control/stepping.h"
#include "core/auth.h"
#include "core/sess.h"
#include "dap/breakpoints.h"
#include "dap/modules.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/run.h"

extern char **environ;

/* --- the program's output ------------------------------------------ */

static void *
output_main(void *arg)
{
	struct dap *d = arg;
	static const char *const cat[2] = { "stdout", "stderr" };
	char buf[65536];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct pollfd p[3];
		int n = 0;

		for (int i = 0; i < 2; i++) {
			p[i].fd = d->out_fds[i];
			p[i].events = POLLIN;
			n += d->out_fds[i] >= 0;
		}
		p[2].fd = d->out_quit;
		p[2].events = POLLIN;
		if (!n)
			break;
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].revents)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t k;

			if (d->out_fds[i] < 0 || !p[i].revents)
				continue;
			k = read(d->out_fds[i], buf, sizeof(buf));
			if (k > 0) {
				dap_output(d, cat[i], buf, (size_t)k);
			} else if (k == 0 || errno != EINTR) {
				close(d->out_fds[i]);
				d->out_fds[i] = -1;
			}
		}
	}
	atomic_store(&d->out_done, true);
	return NULL;
}

static void
output_stop(struct dap *d)
{
	uint64_t one = 1;

	if (d->out_started) {
		if (write(d->out_quit, &one, sizeof(one)) < 0)
			(void)0;
		pthread_join(d->out_th, NULL);
		d->out_started = false;
	}
	for (int i = 0; i < 2; i++)
		if (d->out_fds[i] >= 0) {
			close(d->out_fds[i]);
			d->out_fds[i] = -1;
		}
}

/* --- stops ----------------------------------------------------------- */

static int
cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void
thread_event(struct dap *d, const char *reason, pid_t tid)
{
	struct tr_buf buf;
	struct tr_jw w;

	tr_buf_init(&buf);
	dap_event_begin(d, &w, &buf, "thread");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "reason");
	tr_jw_cstr(&w, reason);
	tr_jw_key(&w, "threadId");
	tr_jw_int(&w, tid);
	tr_jw_obj_end(&w);
	dap_send(d, &w, &buf);
	tr_buf_free(&buf);
}

/* Thread events for the threads that appeared and ended since the last
 * stop; the list kept for a threads request while the program runs.
 * Every thread, however many: the two lists are compared sorted (a
 * comparison of each with each cost 10^8 steps a stop at 10,000). */
static void
thread_events(struct dap *d)
{
	pid_t *tids, *now, *old;
	size_t n = 0, nold, i, j;

	if (tr_threads_all(d->t, &tids, &n))
		return;
	now = malloc(n * sizeof(pid_t) + 1);
	if (!now) {
		free(tids);
		return;
	}
	memcpy(now, tids, n * sizeof(pid_t));
	qsort(now, n, sizeof(pid_t), cmp_tid);
	pthread_mutex_lock(&d->out_mu);
	old = d->tids;
	nold = d->ntids;
	d->tids = tids; /* the target's order, for the threads request */
	d->ntids = n;
	pthread_mutex_unlock(&d->out_mu);
	if (old)
		qsort(old, nold, sizeof(pid_t), cmp_tid);
	/* the new threads first, then the ones gone */
	for (int pass = 0; pass < 2; pass++)
		for (i = j = 0; i < n || j < nold;) {
			if (j == nold || (i < n && now[i] < old[j])) {
				if (!pass)
					thread_event(d, "started", now[i]);
				i++;
			} else if (i == n || old[j] < now[i]) {
				if (pass)
					thread_event(d, "exited", old[j]);
				j++;
			} else {
				i++;
				j++;
			}
		}
	free(now);
	free(old);
}

static void
send_exited(struct dap *d, const struct tr_event *ev)
{
	struct tr_buf b;
	struct tr_jw w;

	d->exited = true;
	tr_buf_init(&b);
	dap_event_begin(d, &w, &b, "exited");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "exitCode");
	tr_jw_int(&w, ev->type == TR_EV_EXIT ? ev->status : 128 + ev->sig);
	tr_jw_obj_end(&w);
	dap_send(d, &w, &b);
	tr_buf_free(&b);
	if (!d->terminated_sent) {
		d->terminated_sent = true;
		dap_event_simple(d, "terminated");
	}
}

static void
send_stopped(struct dap *d, const struct tr_event *ev, const char *reason,
	     uint32_t hit_id)
{
	struct tr_buf b;
	struct tr_jw w;
	char text[128];

	tr_buf_init(&b);
	dap_event_begin(d, &w, &b, "stopped");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "reason");
	tr_jw_cstr(&w, reason);
	tr_jw_key(&w, "threadId");
	tr_jw_int(&w, ev->tid ? ev->tid : d->pid);
	tr_jw_key(&w, "allThreadsStopped");
	tr_jw_bool(&w, true);
	if (hit_id) {
		tr_jw_key(&w, "hitBreakpointIds");
		tr_jw_arr_begin(&w);
		tr_jw_uint(&w, hit_id);
		tr_jw_arr_end(&w);
	}
	if (ev->reason == TR_STOP_WATCH_SCOPE) {
		snprintf(text, sizeof(text), "Watchpoint %u deleted because "
			 "the program has left the block in which its "
			 "expression is valid.", ev->bpnum);
		tr_jw_key(&w, "description");
		tr_jw_cstr(&w, text);
	}
	if (ev->reason == TR_STOP_SIGNAL || ev->reason == TR_STOP_GROUP) {
		const char *abbr = sigabbrev_np(ev->sig);

		snprintf(text, sizeof(text), "SIG%s", abbr ? abbr : "?");
		tr_jw_key(&w, "text");
		tr_jw_cstr(&w, text);
		snprintf(text, sizeof(text), "Signal SIG%s (%s)",
			 abbr ? abbr : "?", strsignal(ev->sig));
		tr_jw_key(&w, "description");
		tr_jw_cstr(&w, text);
	}
	tr_jw_obj_end(&w);
	dap_send(d, &w, &b);
	tr_buf_free(&b);
}

/* --- the run thread -------------------------------------------------- */

enum { RUN_CONT, RUN_NEXT, RUN_STEP_IN, RUN_STEP_OUT, RUN_INSN };

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
finish_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	  struct tr_unwinder *u, void *arg)
{
	struct line_step *ls = arg;

	return tr_finish(t, di, u, ls->tid, 0, &ls->ev, NULL, NULL);
}

static int
run_op(struct dap *d, int kind, pid_t tid, struct tr_event *ev)
{
	struct line_step ls = { .tid = tid, .over = kind == RUN_NEXT };
	int err;

	switch (kind) {
	case RUN_NEXT:
	case RUN_STEP_IN:
		err = tr_session_run(d->s, line_step_fn, &ls);
		*ev = ls.ev;
		return err;
	case RUN_STEP_OUT:
		err = tr_session_run(d->s, finish_fn, &ls);
		*ev = ls.ev;
		return err;
	case RUN_INSN:
		return tr_session_step(d->s, tid, ev);
	default:
		return tr_session_cont(d->s, 0, 0, ev);
	}
}

struct run_arg {
	struct dap *d;
	int kind;
	pid_t tid;
};

static void *
run_main(void *arg)
{
	struct run_arg ra = *(struct run_arg *)arg;
	struct dap *d = ra.d;
	struct srv_sess *ss = d->ss;
	struct tr_event ev = { 0 };
	const char *reason = "pause";
	uint32_t hit = 0;
	int err, kind = ra.kind;
	sigset_t all;

	free(arg);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&ss->target_mu);
	if (atomic_load(&ss->ended) || !ss->s) {
		pthread_mutex_unlock(&ss->target_mu);
		atomic_store(&d->running, false);
		return NULL;
	}
	for (;;) {
		if (atomic_load(&d->pause_req) && kind == RUN_CONT) {
			/* a pause that came between two resumes */
			memset(&ev, 0, sizeof(ev));
			ev.type = TR_EV_STOP;
			ev.reason = TR_STOP_INTERRUPT;
			ev.tid = d->last_tid;
			break;
		}
		err = run_op(d, kind, ra.tid, &ev);
		if (err == -TR_ENOENT && kind == RUN_STEP_OUT) {
			/* the outermost frame: nothing to finish */
			dap_output(d, "console", "\"finish\" not meaningful "
				   "in the outermost frame.\n", 48);
			memset(&ev, 0, sizeof(ev));
			ev.type = TR_EV_STOP;
			ev.reason = TR_STOP_STEP;
			ev.tid = ra.tid;
			break;
		}
		if (err) {
			if (err == -TR_EGONE) {
				struct tr_state st;

				if (tr_state_get(d->t, &st) == 0 &&
				    st.last_stop.type != TR_EV_STOP)
					ev = st.last_stop;
				else
					ev.type = TR_EV_EXIT;
				break;
			}
			dap_output(d, "important", tr_strerror(err),
				   strlen(tr_strerror(err)));
			memset(&ev, 0, sizeof(ev));
			ev.type = TR_EV_STOP;
			ev.reason = TR_STOP_INTERRUPT;
			ev.tid = d->last_tid;
			break;
		}
		if (ev.type != TR_EV_STOP)
			break;
		if (ev.reason == TR_STOP_WATCH_SCOPE) {
			reason = "data breakpoint";
			break;
		}
		if ((ev.reason == TR_STOP_BREAKPOINT ||
		     ev.reason == TR_STOP_WATCH) && ev.bpnum) {
			int k = dap_bp_hit(d, &ev, &reason);

			if (k > 0) {
				hit = ev.bpnum;
				break;
			}
			/* a logpoint, a hit count not reached: on, with
			 * what the run was doing turned into a continue
			 * (a step that met one ends here) */
			if (kind != RUN_CONT) {
				reason = "step";
				break;
			}
			continue;
		}
		if (ev.reason == TR_STOP_SIGNAL || ev.reason == TR_STOP_GROUP) {
			if (ev.sig > 0 && ev.sig < DAP_NSIG &&
			    d->sig_stop[ev.sig]) {
				reason = "exception";
				break;
			}
			if (atomic_load(&d->pause_req) &&
			    ev.reason == TR_STOP_GROUP)
				break;
			/* not one the client stops at: delivered */
			kind = RUN_CONT;
			continue;
		}
		switch (ev.reason) {
		case TR_STOP_INTERRUPT:
			reason = "pause";
			break;
		case TR_STOP_STEP:
		case TR_STOP_FINISH:
			reason = "step";
			break;
		case TR_STOP_EXEC:
		case TR_STOP_ATTACH:
			reason = "entry";
			break;
		default:
			reason = "pause";
			break;
		}
		break;
	}
	if (ev.type == TR_EV_STOP)
		d->last_tid = ev.tid;
	atomic_store(&ss->stop_req, false);
	atomic_store(&ss->busy_running, false);
	atomic_store(&ss->state, ev.type == TR_EV_STOP ? SRV_STOPPED
						       : SRV_EXITED);
	if (ev.type != TR_EV_STOP)
		atomic_store(&d->exited, true);
	/* the client may act on the event at once (its requests wait for
	 * target_mu, which the thread and module events below hold) */
	atomic_store(&d->running, false);
	/* the program's last output before its end: the output thread
	 * reads the pipes to their end (up to 2 s: a child it left may
	 * hold them open) */
	for (int i = 0; ev.type != TR_EV_STOP && d->out_started &&
	     !atomic_load(&d->out_done) && i < 2000; i++)
		usleep(1000);
	if (!atomic_exchange(&d->quiet, false)) {
		if (ev.type == TR_EV_STOP)
			send_stopped(d, &ev, reason, hit);
		else
			send_exited(d, &ev);
	}
	/* after the stopped event, which a client waits for: what changed
	 * in the threads and modules since the last stop */
	if (ev.type == TR_EV_STOP) {
		thread_events(d);
		dap_modules_changed(d);
	}
	pthread_mutex_unlock(&ss->target_mu);
	return NULL;
}

/* dap_run_join: wait for the last run thread. */
static void
run_join(struct dap *d)
{
	if (d->run_started) {
		pthread_join(d->run_th, NULL);
		d->run_started = false;
	}
}

/* Start a run of `kind` for tid: the ids of this stop go, the response
 * to q goes before the run starts (body: allThreadsContinued for a
 * continue), and the stop comes as an event. */
static int
start_run(struct dap *d, const struct dap_req *q, int kind, pid_t tid)
{
	struct run_arg *ra;
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	run_join(d);
	if (!(ra = malloc(sizeof(*ra))))
		return dap_fail(d, q, "out of memory");
	ra->d = d;
	ra->kind = kind;
	ra->tid = tid;
	dap_ids_clear(d);
	atomic_store(&d->pause_req, false);
	atomic_store(&d->running, true);
	atomic_store(&d->ss->busy_running, true);
	atomic_store(&d->ss->state, SRV_RUNNING);
	tr_buf_init(&b);
	if (q) {
		dap_response_begin(d, &w, &b, q);
		tr_jw_obj_begin(&w);
		if (kind == RUN_CONT) {
			tr_jw_key(&w, "allThreadsContinued");
			tr_jw_bool(&w, true);
		}
		tr_jw_obj_end(&w);
		rc = dap_send(d, &w, &b);
	} else {
		rc = 0;
	}
	tr_buf_free(&b);
	if (pthread_create(&d->run_th, NULL, run_main, ra)) {
		free(ra);
		atomic_store(&d->running, false);
		atomic_store(&d->ss->busy_running, false);
		atomic_store(&d->ss->state, SRV_STOPPED);
		return dap_output(d, "important", "cannot start a thread\n",
				  22);
	}
	d->run_started = true;
	return rc;
}

/* Stop a run going on and wait for its thread; quiet: no stopped event
 * for it. */
static void
stop_run(struct dap *d, bool quiet)
{
	if (atomic_load(&d->running)) {
		atomic_store(&d->quiet, quiet);
		atomic_store(&d->pause_req, true);
		/* the core's loop sends it again until the stop (sess.c:
		 * one that reaches the tracer before the resume is lost) */
		srv_sess_stop_run(d->ss);
	}
	run_join(d);
	atomic_store(&d->quiet, false);
}

static pid_t
arg_tid(struct dap *d, const struct dap_req *q)
{
	int64_t t = dap_arg_int(q, "threadId", 0);

	return t > 0 && t <= INT32_MAX ? (pid_t)t : d->last_tid;
}

int
dap_r_continue(struct dap *d, const struct dap_req *q)
{
	int rc;

	if (!dap_stopped(d, q, &rc))
		return rc;
	return start_run(d, q, RUN_CONT, arg_tid(d, q));
}

static int
step(struct dap *d, const struct dap_req *q, int kind)
{
	const char *g = dap_arg_str(q, "granularity");
	int rc;

	if (!dap_stopped(d, q, &rc))
		return rc;
	if (g && !strcmp(g, "instruction") && kind != RUN_STEP_OUT)
		kind = RUN_INSN;
	return start_run(d, q, kind, arg_tid(d, q));
}

int
dap_r_next(struct dap *d, const struct dap_req *q)
{
	return step(d, q, RUN_NEXT);
}

int
dap_r_stepIn(struct dap *d, const struct dap_req *q)
{
	return step(d, q, RUN_STEP_IN);
}

int
dap_r_stepOut(struct dap *d, const struct dap_req *q)
{
	return step(d, q, RUN_STEP_OUT);
}

int
dap_r_pause(struct dap *d, const struct dap_req *q)
{
	int rc;

	if (!d->ss)
		return dap_fail(d, q, "no program: launch or attach first");
	if (d->exited)
		return dap_fail(d, q, "the program has exited");
	if (!atomic_load(&d->running)) {
		/* stopped already: said again, as the client expects a
		 * stop for its pause */
		struct tr_event ev = { .type = TR_EV_STOP,
				       .reason = TR_STOP_INTERRUPT,
				       .tid = d->last_tid };

		rc = dap_ok(d, q);
		send_stopped(d, &ev, "pause", 0);
		return rc;
	}
	atomic_store(&d->pause_req, true);
	srv_sess_stop_run(d->ss);
	return dap_ok(d, q);
}

/* --- launch and attach ----------------------------------------------- */

/* The session made (or found) for the client: bound, and the events a
 * client waits for after launch or attach. */
static int
adopt(struct dap *d, const struct dap_req *q, struct srv_sess *ss,
      bool launched)
{
	struct tr_buf b;
	struct tr_jw w;
	struct tr_state st;
	int rc;

	d->ss = ss;
	d->s = ss->s;
	d->t = ss->t;
	d->pid = atomic_load(&ss->pid);
	d->launched = launched;
	d->exited = false;
	d->terminated_sent = false;
	d->last_tid = d->pid;
	pthread_mutex_lock(&ss->target_mu);
	if (tr_state_get(d->t, &st) == 0 && st.current_tid)
		d->last_tid = st.current_tid;
	thread_events(d);
	dap_modules_changed(d);
	pthread_mutex_unlock(&ss->target_mu);
	rc = dap_ok(d, q);
	tr_buf_init(&b);
	dap_event_begin(d, &w, &b, "process");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "name");
	tr_jw_cstr(&w, ss->program ? ss->program : "");
	tr_jw_key(&w, "systemProcessId");
	tr_jw_int(&w, d->pid);
	tr_jw_key(&w, "isLocalProcess");
	tr_jw_bool(&w, true);
	tr_jw_key(&w, "startMethod");
	tr_jw_cstr(&w, launched ? "launch" : "attach");
	tr_jw_obj_end(&w);
	if (!rc)
		rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	/* a restart keeps the configuration: no initialized event */
	if (!rc && !d->restarting)
		rc = dap_event_simple(d, "initialized");
	return rc;
}

/* A client from elsewhere gives the token in its launch or attach
 * arguments ("token"), as a JSON-RPC client sends auth. */
static bool
may_start(struct dap *d, const struct dap_req *q, int *rc)
{
	const char *tok;

	if (d->ss) {
		*rc = dap_fail(d, q, "this connection has a program already");
		return false;
	}
	if (d->authed)
		return true;
	tok = dap_arg_str(q, "token");
	if (tok && srv_token_ok(tok, strlen(tok))) {
		d->authed = true;
		return true;
	}
	/* as the other listeners: a wrong token is answered late */
	sleep(1);
	*rc = dap_fail(d, q, "a client from elsewhere must give the "
		       "daemon's token (\"token\" in launch or attach)");
	if (!*rc)
		*rc = -1; /* and hung up on */
	return false;
}

static char **
make_env(const struct dap_req *q)
{
	const struct tr_json *e = dap_arg(q, "env");
	size_t n = 0, cap;
	char **env;

	for (char **p = environ; *p; p++)
		n++;
	cap = n + tr_json_len(e) + 1;
	if (!(env = calloc(cap, sizeof(char *))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = strdup(environ[i]);
	for (size_t i = 0; e && i < tr_json_len(e); i++) {
		const char *k, *v = NULL;
		size_t klen;
		char *kv = NULL;

		if (e->kind == TR_JSON_OBJECT) {
			const struct tr_json_member *m = tr_json_member_at(e, i);

			k = m->key;
			klen = m->klen;
			v = tr_json_str(&m->val, NULL); /* null: unset */
		} else {
			/* lldb-vscode's form: ["K=V", ...] */
			const char *s = tr_json_str(tr_json_at(e, i), NULL);
			const char *eq = s ? strchr(s, '=') : NULL;

			if (!eq)
				continue;
			k = s;
			klen = (size_t)(eq - s);
			v = eq + 1;
		}
		if (v && asprintf(&kv, "%.*s=%s", (int)klen, k, v) < 0)
			kv = NULL;
		for (size_t j = 0; j < n; j++)
			if (env[j] && !strncmp(env[j], k, klen) &&
			    env[j][klen] == '=') {
				free(env[j]);
				env[j] = env[--n];
				env[n] = NULL;
				break;
			}
		if (kv)
			env[n++] = kv;
	}
	env[n] = NULL;
	return env;
}

static void
free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int
dap_r_launch(struct dap *d, const struct dap_req *q)
{
	const char *prog = dap_arg_str(q, "program");
	const struct tr_json *args = dap_arg(q, "args");
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_sess *ss;
	char **argv = NULL, **envp = NULL, *abs_prog = NULL;
	int pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, err, rc;
	size_t na = tr_json_len(args);

	if (!may_start(d, q, &rc))
		return rc;
	if (!prog || !*prog)
		return dap_fail(d, q, "launch: \"program\" (a path) is "
				"required");
	if (args && args->kind != TR_JSON_ARRAY)
		return dap_fail(d, q, "launch: \"args\" must be an array of "
				"strings");
	/* a relative path is the client's, not the program's cwd's */
	if (strchr(prog, '/') && prog[0] != '/' &&
	    (abs_prog = realpath(prog, NULL)))
		prog = abs_prog;
	if (!(argv = calloc(na + 2, sizeof(char *)))) {
		free(abs_prog);
		return dap_fail(d, q, "out of memory");
	}
	argv[0] = strdup(prog);
	for (size_t i = 0; i < na; i++) {
		const char *a = tr_json_str(tr_json_at(args, i), NULL);

		if (!a) {
			free_strv(argv);
			free(abs_prog);
			return dap_fail(d, q, "launch: \"args\" must be an "
					"array of strings");
		}
		argv[i + 1] = strdup(a);
	}
	if (dap_arg(q, "env") && !(envp = make_env(q))) {
		free_strv(argv);
		free(abs_prog);
		return dap_fail(d, q, "out of memory");
	}
	l.path = prog;
	l.argv = argv;
	l.envp = envp;
	l.cwd = dap_arg_str(q, "cwd");
	l.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (pipe2(pout, O_CLOEXEC) == 0 && pipe2(perr, O_CLOEXEC) == 0) {
		l.stdout_fd = pout[1];
		l.stderr_fd = perr[1];
	}
	ss = srv_sess_start(&l, 0, &err);
	free_strv(argv);
	free_strv(envp);
	if (l.stdin_fd >= 0)
		close(l.stdin_fd);
	for (int i = 0; i < 2; i++) {
		if (i == 1 || !ss) {
			if (pout[i] >= 0)
				close(pout[i]);
			if (perr[i] >= 0)
				close(perr[i]);
		}
	}
	if (!ss) {
		rc = dap_fail(d, q, "cannot launch %s: %s", prog,
			      tr_strerror(err));
		free(abs_prog);
		return rc;
	}
	free(abs_prog);
	d->out_fds[0] = pout[0];
	d->out_fds[1] = perr[0];
	atomic_store(&d->out_done, false);
	if (pout[0] >= 0 && pthread_create(&d->out_th, NULL, output_main, d)
	    == 0)
		d->out_started = true;
	d->stop_on_entry = dap_arg_bool(q, "stopOnEntry", false);
	/* kept for restart */
	if (q->args && !d->restarting) {
		struct tr_buf ab;
		struct tr_jw aw;

		tr_buf_init(&ab);
		tr_jw_init(&aw, &ab);
		tr_jw_value(&aw, q->args);
		free(d->launch_args);
		d->launch_args = tr_jw_error(&aw) || tr_buf_append(&ab, "", 1)
				 ? NULL : strdup(ab.data);
		tr_buf_free(&ab);
	}
	return adopt(d, q, ss, true);
}

int
dap_r_attach(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *v = dap_arg(q, "pid");
	struct srv_sess *ss;
	int64_t pid = 0;
	const char *s;
	char *end;
	int err, rc;

	if (!may_start(d, q, &rc))
		return rc;
	if (v && tr_json_int64(v, &pid) != 0 && (s = tr_json_str(v, NULL))) {
		pid = strtoll(s, &end, 10);
		if (*end)
			pid = 0;
	}
	if (pid <= 0 || pid > INT32_MAX)
		return dap_fail(d, q, "attach: \"pid\" (a process id) is "
				"required");
	/* the daemon's own session of that process (--attach, --launch) */
	if ((ss = srv_sess_only())) {
		if (atomic_load(&ss->pid) == (pid_t)pid) {
			d->stop_on_entry = dap_arg_bool(q, "stopOnEntry",
							false);
			return adopt(d, q, ss, ss->launched);
		}
		srv_sess_unref(ss);
	}
	if (!(ss = srv_sess_start(NULL, (pid_t)pid, &err)))
		return dap_fail(d, q, "cannot attach to %lld: %s",
				(long long)pid, tr_strerror(err));
	d->stop_on_entry = dap_arg_bool(q, "stopOnEntry", false);
	return adopt(d, q, ss, false);
}

/* (q NULL: a restart's, answered already) */
int
dap_r_configurationDone(struct dap *d, const struct dap_req *q)
{
	int rc;

	if (!d->ss)
		return dap_fail(d, q, "no program: launch or attach first");
	if (d->configured)
		return q ? dap_ok(d, q) : 0;
	d->configured = true;
	if (d->stop_on_entry || d->exited || atomic_load(&d->running)) {
		struct tr_event ev = { .type = TR_EV_STOP,
				       .reason = TR_STOP_EXEC,
				       .tid = d->last_tid };

		rc = q ? dap_ok(d, q) : 0;
		if (!rc && d->stop_on_entry && !d->exited)
			send_stopped(d, &ev, "entry", 0);
		return rc;
	}
	/* the program was stopped at its exec (or the attach): it runs;
	 * the client did not ask for it by a continue: a continued event */
	{
		struct tr_buf b;
		struct tr_jw w;

		tr_buf_init(&b);
		dap_event_begin(d, &w, &b, "continued");
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "threadId");
		tr_jw_int(&w, d->last_tid);
		tr_jw_key(&w, "allThreadsContinued");
		tr_jw_bool(&w, true);
		tr_jw_obj_end(&w);
		rc = q ? dap_ok(d, q) : 0;
		if (!rc)
			rc = dap_send(d, &w, &b);
		tr_buf_free(&b);
		if (rc)
			return rc;
	}
	return start_run(d, NULL, RUN_CONT, d->last_tid);
}

/* --- the end --------------------------------------------------------- */

void
dap_end(struct dap *d, bool terminate, bool ask)
{
	struct srv_sess *ss = d->ss;

	if (!ss) {
		output_stop(d);
		return;
	}
	if (!ask)
		terminate = d->launched;
	stop_run(d, true);
	pthread_mutex_lock(&ss->target_mu);
	if (!atomic_load(&ss->ended) && ss->s) {
		if (!d->exited && !terminate)
			dap_bps_clear(d);
		if (terminate)
			tr_kill(d->t);
		else if (!d->exited)
			tr_detach_nosig(d->t);
		else
			tr_kill(d->t); /* reaps an exited target */
		srv_sess_finish(ss, terminate ? "killed" : "detached");
	}
	pthread_mutex_unlock(&ss->target_mu);
	/* a detached program keeps writing into our pipes: let them be
	 * read to the end only when it is dead */
	if (terminate || d->exited) {
		if (d->out_started) {
			pthread_join(d->out_th, NULL);
			d->out_started = false;
		}
	}
	output_stop(d);
	dap_bps_free(d);
	dap_modules_free(d);
	d->ss = NULL;
	d->s = NULL;
	d->t = NULL;
	srv_sess_unref(ss);
}

int
dap_r_disconnect(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *v = dap_arg(q, "terminateDebuggee");
	bool term = d->launched;
	int rc;

	if (v)
		tr_json_bool(v, &term);
	dap_end(d, term, true);
	/* the connection stays until the client closes it (some send
	 * disconnect twice), with no program: a launch may follow */
	d->configured = false;
	d->exited = false;
	rc = dap_ok(d, q);
	return rc;
}

/*
 * restart: the launched program killed and launched again with the same
 * arguments (or those of the request), the client's breakpoints made
 * again (breakpoint events give their new ids), then run as after
 * configurationDone. An attached program is not restarted.
 */
int
dap_r_restart(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *na = dap_arg(q, "arguments");
	struct tr_json_limits lim = { 0 };
	struct tr_json_error je;
	struct tr_json *args = NULL;
	struct dap_req lq = *q;
	struct dap_bp *bps;
	bool configured = d->configured;
	int rc;

	if (!d->launch_args || !d->launched)
		return dap_fail(d, q, "restart: only a launched program is "
				"restarted (attach again)");
	if (na && na->kind == TR_JSON_OBJECT) {
		lq.args = na;
	} else {
		if (tr_json_parse(d->launch_args, strlen(d->launch_args), &lim,
				  &args, &je))
			return dap_fail(d, q, "restart: the launch arguments "
					"are lost");
		lq.args = args;
	}
	/* the run thread (stopped, or still making its thread and module
	 * events after a stop) is done with the breakpoints first */
	stop_run(d, true);
	/* the breakpoints outlive the session they were made in */
	bps = d->bps;
	d->bps = NULL;
	dap_end(d, true, true);
	d->bps = bps;
	d->restarting = true;
	rc = dap_r_launch(d, &lq);
	d->restarting = false;
	tr_json_free(args);
	if (rc || !d->ss)
		return rc;
	pthread_mutex_lock(&d->ss->target_mu);
	dap_bps_remake(d);
	pthread_mutex_unlock(&d->ss->target_mu);
	d->configured = false;
	if (configured)
		return dap_r_configurationDone(d, NULL);
	return 0;
}

int
dap_r_terminate(struct dap *d, const struct dap_req *q)
{
	struct tr_event ev = { .type = TR_EV_KILLED, .sig = SIGKILL };
	int rc;

	if (!d->ss || d->exited)
		return dap_ok(d, q);
	stop_run(d, true);
	pthread_mutex_lock(&d->ss->target_mu);
	if (!atomic_load(&d->ss->ended) && d->ss->s)
		tr_kill(d->t);
	pthread_mutex_unlock(&d->ss->target_mu);
	atomic_store(&d->ss->state, SRV_EXITED);
	rc = dap_ok(d, q);
	send_exited(d, &ev);
	return rc;
}
