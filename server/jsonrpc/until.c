/* until.c: the JSON-RPC run requests until (with or without a location), advance and jump, as gdb's: locations resolved as break's (a bare line number in the current file), private breakpoints (control/stepping.c), jump's new pc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "control/stepping.h"
#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/exec.h"
#include "jsonrpc/request.h"
#include "jsonrpc/until.h"
#include "symbols/debuginfo.h"
#include "target/tracer.h"

enum until_kind { U_NEXT, U_UNTIL, U_ADVANCE, U_JUMP };

struct until_args {
	enum until_kind kind;
	pid_t tid;
	const char *spec;
	bool dry_run;     /* jump: the address only */
	uint64_t addrs[64];
	size_t n;
	int resolve_err;  /* the location names nothing (or is malformed) */
	struct tr_event ev;
};

static int
until_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	 void *arg)
{
	struct until_args *a = arg;
	struct user_regs_struct regs;
	char spec[1200];
	int err;

	if (a->kind == U_NEXT)
		return tr_until_next(t, di, u, a->tid, &a->ev);
	if (!a->tid) {
		struct tr_state st;

		err = tr_state_get(t, &st);
		if (err)
			return err;
		a->tid = st.current_tid;
	}
	err = tr_regs_get(t, a->tid, &regs);
	if (err)
		return err;
	tr_debuginfo_refresh(di, NULL);
	snprintf(spec, sizeof(spec), "%s", a->spec);
	if (strspn(a->spec, "0123456789") == strlen(a->spec)) {
		/* a line of the current file, as gdb's until 49 */
		struct tr_location loc;

		if (tr_debuginfo_describe(di, regs.rip, &loc) || !loc.file) {
			a->resolve_err = -TR_ENOENT;
			return 0;
		}
		snprintf(spec, sizeof(spec), "%s:%s", loc.file, a->spec);
	}
	err = tr_debuginfo_resolve(di, spec, a->addrs, 64, &a->n);
	if (err || !a->n) {
		a->resolve_err = err ? err : -TR_ENOENT;
		return 0;
	}
	if (a->kind == U_JUMP) {
		if (a->dry_run)
			return 0;
		regs.rip = a->addrs[0];
		/* not back into a system call it was stopped in */
		regs.orig_rax = (unsigned long long)-1;
		return tr_regs_set(t, a->tid, &regs);
	}
	return tr_run_until(t, di, u, a->tid, a->addrs, a->n,
			    a->kind == U_ADVANCE, &a->ev);
}

static int
unknown(struct srv_call *x, const char *spec, int err)
{
	const char *colon = strrchr(spec, ':');

	atomic_store(&x->ss->state, SRV_STOPPED);
	if (err == -TR_EINVAL)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "malformed location \"%s\"", spec);
	if (strspn(spec, "0123456789") == strlen(spec))
		return srv_error(x, SRV_E_TARGET, "No line %s in the current "
				 "file.", spec);
	if (colon && colon[1] >= '0' && colon[1] <= '9')
		return srv_error(x, SRV_E_TARGET, "No line %s in file "
				 "\"%.*s\".", colon + 1, (int)(colon - spec),
				 spec);
	return srv_error(x, SRV_E_TARGET, "Function \"%s\" not defined.", spec);
}

static void
jump_extra(struct tr_jw *w, void *arg)
{
	struct until_args *a = arg;

	tr_jw_key(w, "addr");
	tr_jw_uint(w, a->addrs[0]);
}

static int
run_until(struct srv_call *x, enum until_kind kind)
{
	struct until_args a = { .kind = kind };
	int err;

	if (srv_target_exited(x) || srv_param_thread(x, &a.tid, NULL))
		return 0;
	a.spec = srv_param_str(x, "location", kind == U_ADVANCE ||
						     kind == U_JUMP);
	if (x->replied || srv_param_bool(x, "dry_run", &a.dry_run) < 0)
		return 0;
	if (kind == U_UNTIL && !a.spec)
		a.kind = kind = U_NEXT;
	if (kind == U_JUMP && a.dry_run) {
		err = tr_session_run(x->ss->s, until_fn, &a);
		if (err)
			return srv_lib_error(x, err, NULL);
		if (a.resolve_err)
			return unknown(x, a.spec, a.resolve_err);
		srv_begin(x);
		tr_jw_obj_begin(&x->w);
		jump_extra(&x->w, &a);
		return tr_rpc_end(&x->w);
	}
	if (srv_interrupted_before(x))
		return 0;
	atomic_store(&x->ss->state, SRV_RUNNING);
	err = tr_session_run(x->ss->s, until_fn, &a);
	if (!err && a.resolve_err)
		return unknown(x, a.spec, a.resolve_err);
	if (!err && kind == U_JUMP)
		/* then as continue: conditions, signal handling */
		err = tr_session_cont(x->ss->s, 0, 0, &a.ev);
	return srv_after_run(x, err, &a.ev, kind == U_JUMP ? jump_extra : NULL,
			     &a);
}

int
srv_m_until(struct srv_call *x)
{
	return run_until(x, U_UNTIL);
}

int
srv_m_advance(struct srv_call *x)
{
	return run_until(x, U_ADVANCE);
}

int
srv_m_jump(struct srv_call *x)
{
	return run_until(x, U_JUMP);
}
