/* signals.c: the JSON-RPC methods on the session's signal policy: handle (gdb's handle SIG stop|nostop print|noprint pass|nopass) and signals (gdb's info signals). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "control/sigpolicy.h"
#include "jsonrpc/request.h"
#include "jsonrpc/signals.h"
#include "session/session.h"

static void
write_sig(struct tr_jw *w, int sig, unsigned f)
{
	tr_jw_obj_begin(w);
	tr_jw_key(w, "signal");
	tr_jw_cstr(w, tr_signal_name(sig));
	tr_jw_key(w, "signo");
	tr_jw_int(w, sig);
	tr_jw_key(w, "stop");
	tr_jw_bool(w, f & TR_SIG_STOP);
	tr_jw_key(w, "print");
	tr_jw_bool(w, f & TR_SIG_PRINT);
	tr_jw_key(w, "pass");
	tr_jw_bool(w, f & TR_SIG_PASS);
	tr_jw_key(w, "description");
	tr_jw_cstr(w, tr_signal_description(sig));
	tr_jw_obj_end(w);
}

static int
sig_param(struct srv_call *x, int *sig)
{
	const struct tr_json *v = srv_param_get(x, "signal");
	const char *s;
	int64_t n;

	*sig = 0;
	if (v && tr_json_int64(v, &n) == 0 && n > 0 && n < NSIG)
		*sig = (int)n;
	else if (v && (s = tr_json_str(v, NULL)))
		*sig = tr_signal_number(s);
	if (*sig)
		return 0;
	if (v && (s = tr_json_str(v, NULL)))
		srv_error(x, TR_RPC_INVALID_PARAMS,
			  "Unrecognized or ambiguous flag word: \"%s\".", s);
	else
		srv_error(x, TR_RPC_INVALID_PARAMS,
			  "\"signal\" must be a signal name or number");
	return -1;
}

int
srv_m_handle(struct srv_call *x)
{
	static const struct {
		const char *key;
		unsigned flag;
	} keys[] = { { "stop", TR_SIG_STOP }, { "print", TR_SIG_PRINT },
		     { "pass", TR_SIG_PASS } };
	unsigned set = 0, clear = 0, f;
	int sig, err;

	if (sig_param(x, &sig))
		return 0;
	for (size_t i = 0; i < 3; i++) {
		bool b;
		int r = srv_param_bool(x, keys[i].key, &b);

		if (r < 0)
			return 0;
		if (r == 0)
			*(b ? &set : &clear) |= keys[i].flag;
	}
	/* gdb: SIGTRAP and SIGINT are the debugger's; it asks before
	 * changing them, and tracerd's interrupts and breakpoints never
	 * show as these signals */
	if ((err = tr_session_handle(x->ss->s, sig, set, clear, &f)))
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	write_sig(&x->w, sig, f);
	return tr_rpc_end(&x->w);
}

int
srv_m_signals(struct srv_call *x)
{
	size_t n;
	const int *order = tr_signal_order(&n);
	int only = 0;

	if (srv_param_get(x, "signal") && sig_param(x, &only))
		return 0;
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "signals");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < n; i++) {
		unsigned f;

		if (only && order[i] != only)
			continue;
		tr_session_handle(x->ss->s, order[i], 0, 0, &f);
		write_sig(&x->w, order[i], f);
	}
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}
