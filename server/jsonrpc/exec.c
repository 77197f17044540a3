/* exec.c: the JSON-RPC methods that run the target (continue, step, next, finish, stepi) and interrupt it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "core/call.h"
#include "core/conn.h"
#include "core/sess.h"
#include "symbols/debuginfo.h"
#include "base/error.h"
#include "jsonrpc/exec.h"
#include "jsonrpc/forks.h"
#include "jsonrpc/watch.h"
#include "jsonrpc/request.h"
#include "jsonrpc/where.h"
#include "control/sigpolicy.h"
#include "control/stepping.h"
#include "eval/value.h"

/*
 * After a run request: record the stop, put every follower's frame back
 * to the innermost, tell the followers (the requester too: clients print
 * stops from the notification), then answer with the same stop.
 */
int
srv_after_run(struct srv_call *x, int err, const struct tr_event *ev,
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
	srv_watch_note(ss, ev);
	tr_buf_init(&stop);
	tr_jw_init(&w, &stop);
	srv_write_stop(ss, &w, ev);
	if (tr_jw_error(&w)) {
		tr_buf_free(&stop);
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	}
	srv_notify_stop(ss, ev->type == TR_EV_STOP, stop.data, stop.len);
	/* a tbreak's stop deleted it: the words go too (a rerun does not
	 * make it again) */
	if (ev->type == TR_EV_STOP && ev->reason == TR_STOP_BREAKPOINT)
		for (struct srv_bp **pp = &ss->bps; *pp; pp = &(*pp)->next)
			if ((*pp)->id == ev->bpnum && (*pp)->temporary) {
				struct srv_bp *b = *pp;

				*pp = b->next;
				free(b->spec);
				free(b->cond);
				free(b);
				break;
			}
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
bool
srv_interrupted_before(struct srv_call *x)
{
	if (!atomic_exchange(&x->ss->stop_req, false))
		return false;
	srv_error(x, SRV_E_TARGET, "interrupted before it ran");
	return true;
}

static int
parse_signal(struct srv_call *x, int *sig)
{
	const struct tr_json *v = srv_param_get(x, "signal");
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
		if (!strcmp(s, "0")) {
			*sig = -1;
			return 0;
		}
		if ((*sig = tr_signal_number(s)))
			return 0;
	}
bad:
	srv_error(x, TR_RPC_INVALID_PARAMS,
		  "\"signal\" must be a signal number or name (0: none)");
	return -1;
}

int
srv_m_continue(struct srv_call *x)
{
	struct tr_event ev;
	pid_t tid;
	int sig, err;

	if (srv_target_exited(x) || parse_signal(x, &sig) ||
	    srv_param_thread(x, &tid, NULL) || srv_interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	/* a fork, vfork or exec nothing catches: followed, on it runs */
	while (!(err = tr_session_cont(x->ss->s, tid, sig, &ev)) &&
	       srv_fork_stop(x->ss, &ev) && !atomic_load(&x->ss->stop_req)) {
		tid = 0;
		sig = 0;
	}
	if (!err) {
		struct tr_event seen[16];
		size_t n = tr_session_signals_seen(x->ss->s, seen, 16);

		pthread_mutex_lock(&x->ss->mu);
		for (size_t i = 0; i < n; i++) {
			x->ss->seen_sig[i] = seen[i].sig;
			x->ss->seen_tid[i] = seen[i].tid;
		}
		x->ss->nseen = (unsigned)n;
		pthread_mutex_unlock(&x->ss->mu);
	}
	return srv_after_run(x, err, &ev, NULL, NULL);
}

int
srv_m_stepi(struct srv_call *x)
{
	struct tr_event ev;
	pid_t tid;
	int err;

	if (srv_target_exited(x) || srv_param_thread(x, &tid, NULL) ||
	    srv_interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_step(x->ss->s, tid, &ev);
	return srv_after_run(x, err, &ev, NULL, NULL);
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

	if (srv_target_exited(x) || srv_param_thread(x, &ls.tid, NULL) ||
	    srv_interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_run(x->ss->s, line_step_fn, &ls);
	return srv_after_run(x, err, &ls.ev, NULL, NULL);
}

int
srv_m_step(struct srv_call *x)
{
	return line_step(x, false);
}

int
srv_m_next(struct srv_call *x)
{
	return line_step(x, true);
}

struct finish {
	pid_t tid;
	unsigned frame; /* the selected one: finished as gdb does */
	struct tr_event ev;
	uint64_t fn_pc;
	char value[1024];
	char func[256];
	bool have_value;
	struct tr_session *s;
	unsigned histno;  /* the value's $N in the session's history */
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

	err = tr_finish(t, di, u, f->tid, f->frame, &f->ev, &r, &f->fn_pc);
	if (err)
		return err;
	if (f->fn_pc && tr_debuginfo_describe(di, f->fn_pc, &loc) == 0 &&
	    loc.function)
		snprintf(f->func, sizeof(f->func), "%s", loc.function);
	if (f->fn_pc && f->ev.type == TR_EV_STOP &&
	    f->ev.reason == TR_STOP_FINISH &&
	    tr_fpregs_get(t, f->ev.tid, &fp) == 0 &&
	    tr_return_value(t, di, f->fn_pc, &r, &fp, f->value,
			    sizeof(f->value)) == 0) {
		struct tr_value v = { 0 };
		uint8_t b[16];

		f->have_value = true;
		/* gdb's finish puts the value in the history: "Value
		 * returned is $3 = 42" */
		if (tr_return_value_raw(di, f->fn_pc, &r, &fp, &v.type, b) == 0 &&
		    tr_value_alloc(&v, tr_type_strip(v.type)->size <= 16
				   ? tr_type_strip(v.type)->size : 16) == 0) {
			memcpy(tr_value_bytes(&v), b, v.size);
			tr_session_record(f->s, &v, &f->histno);
			tr_value_release(&v);
		}
	}
	return 0;
}

static void
finish_extra(struct tr_jw *w, void *arg)
{
	struct finish *f = arg;

	srv_opt_str(w, "function", f->func);
	if (f->have_value) {
		tr_jw_key(w, "return_value");
		tr_jw_cstr(w, f->value);
		if (f->histno) {
			tr_jw_key(w, "history");
			tr_jw_uint(w, f->histno);
		}
	}
}

int
srv_m_finish(struct srv_call *x)
{
	struct finish f = { .s = x->ss->s };
	int err;

	if (srv_target_exited(x) || srv_param_thread(x, &f.tid, &f.frame) ||
	    srv_interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_run(x->ss->s, finish_fn, &f);
	if (err == -TR_ERANGE) {
		atomic_store(&x->ss->state, SRV_STOPPED);
		return srv_error(x, SRV_E_TARGET, "No frame at level %u.",
				 f.frame);
	}
	if (err == -TR_ENOENT) {
		atomic_store(&x->ss->state, SRV_STOPPED);
		return srv_error(x, SRV_E_TARGET,
				 "\"finish\" not meaningful in the outermost "
				 "frame.");
	}
	return srv_after_run(x, err, &f.ev, finish_extra, &f);
}

/* interrupt: on the epoll thread, at once. The stop is the answer to the
 * run request that was going on, and a "stopped" notification. */
int
srv_m_interrupt(struct srv_call *x)
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
