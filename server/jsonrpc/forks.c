/* forks.c: gdb's follow-fork-mode, detach-on-fork and catch fork/vfork/exec for JSON-RPC sessions: the fork_settings method, and what a continue does at a fork, vfork or exec stop (the child followed or let go, the breakpoints set again on an exec'd program, as gdb re-sets them). */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "core/sess.h"
#include "jsonrpc/forks.h"
#include "jsonrpc/request.h"
#include "session/session.h"
#include "target/tracer.h"

/* The tracer reports forks only when they matter: a fork it need not
 * stop at goes as before (the child let go at once). */
static int
sync_events(struct srv_sess *ss)
{
	return tr_fork_events(ss->t, ss->follow_child || ss->catch_fork ||
					     ss->catch_vfork);
}

int
srv_m_fork_settings(struct srv_call *x)
{
	struct srv_sess *ss = x->ss;
	const char *follow = srv_param_str(x, "follow", false);
	bool v;
	int rc, err;

	if (!follow && x->replied)
		return 0;
	if (follow && strcmp(follow, "parent") && strcmp(follow, "child"))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "\"follow\" must be \"parent\" or \"child\"");
	if ((rc = srv_param_bool(x, "detach_on_fork", &v)) < 0)
		return 0;
	if (rc == 0 && !v)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "detach-on-fork off is not supported: "
				 "tracerd follows one process at a time");
	if (follow)
		ss->follow_child = !strcmp(follow, "child");
	if ((rc = srv_param_bool(x, "catch_fork", &v)) < 0)
		return 0;
	if (rc == 0)
		ss->catch_fork = v;
	if ((rc = srv_param_bool(x, "catch_vfork", &v)) < 0)
		return 0;
	if (rc == 0)
		ss->catch_vfork = v;
	if ((rc = srv_param_bool(x, "catch_exec", &v)) < 0)
		return 0;
	if (rc == 0)
		ss->catch_exec = v;
	if (ss->t && (err = sync_events(ss)))
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "follow");
	tr_jw_cstr(&x->w, ss->follow_child ? "child" : "parent");
	tr_jw_key(&x->w, "detach_on_fork");
	tr_jw_bool(&x->w, true);
	tr_jw_key(&x->w, "catch_fork");
	tr_jw_bool(&x->w, ss->catch_fork);
	tr_jw_key(&x->w, "catch_vfork");
	tr_jw_bool(&x->w, ss->catch_vfork);
	tr_jw_key(&x->w, "catch_exec");
	tr_jw_bool(&x->w, ss->catch_exec);
	return tr_rpc_end(&x->w);
}

/* The session's breakpoints on a new image (an exec, or a vfork child
 * followed: the tracer forgot them), with their numbers, conditions and
 * enabled states; one whose location names nothing now is pending. */
static void
bps_again(struct srv_sess *ss)
{
	for (struct srv_bp *b = ss->bps; b; b = b->next) {
		struct tr_break_opts o = { .temporary = b->temporary,
					   .hardware = b->hardware,
					   .disabled = b->disabled,
					   .number = b->id,
					   .renumber = true };
		struct tr_expr_err e = { 0 };
		uint32_t id;

		if (tr_session_break(ss->s, b->spec, b->cond, &o, &id, &e) &&
		    (!b->cond ||
		     tr_session_break(ss->s, b->spec, NULL, &o, &id, &e)))
			tr_log_warn("breakpoint %u (%s) not set again",
				    b->id, b->spec);
	}
}

bool
srv_fork_stop(struct srv_sess *ss, struct tr_event *ev)
{
	pid_t parent = ev->pid;
	int err;

	if (ev->type != TR_EV_STOP)
		return false;
	switch (ev->reason) {
	case TR_STOP_FORK:
	case TR_STOP_VFORK:
		if (ss->follow_child) {
			err = tr_fork_follow(ss->t, ev->child);
			if (err) {
				tr_log_warn("follow fork child %d: %s",
					    ev->child, tr_strerror(err));
				return false; /* reported: the parent's */
			}
			atomic_store(&ss->pid, ev->child);
			ev->pid = ev->child;
			ev->tid = ev->child;
			tr_log_info("detached after fork from parent %d",
				    parent);
			if (ev->reason == TR_STOP_VFORK)
				bps_again(ss);
		} else {
			tr_fork_detach(ss->t, ev->child);
		}
		return ev->reason == TR_STOP_FORK ? !ss->catch_fork
						  : !ss->catch_vfork;
	case TR_STOP_VFORK_DONE:
		return true;
	case TR_STOP_EXEC:
		bps_again(ss);
		return !ss->catch_exec;
	default:
		return false;
	}
}
