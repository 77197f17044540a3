/* where.c: where an address is (function, file, line, module, the source line) and what a stop was, as the JSON-RPC replies and notifications say it. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "control/backtrace.h"
#include "control/sigpolicy.h"
#include "symbols/debuginfo.h"
#include "base/error.h"
#include "jsonrpc/breakpoints.h"
#include "jsonrpc/watch.h"
#include "jsonrpc/where.h"
#include "symbols/source.h"

static int
one_line(uint32_t n, const char *text, size_t len, void *arg)
{
	struct { char *out; size_t len; } *o = arg;

	(void)n;
	snprintf(o->out, o->len, "%.*s", (int)len, text);
	return 0;
}

/* The text of line `line` of `file` (as ss's substitute-path rules
 * rewrite it), if the file is here. */
void
srv_source_line(struct srv_sess *ss, const char *file, uint32_t line,
		char *out, size_t len)
{
	struct { char *out; size_t len; } o = { out, len };
	uint32_t total;

	out[0] = 0;
	if (file && line)
		tr_source_read(ss->srcmap, file, line, line, one_line, &o,
			       &total, NULL, 0);
}

static int
where_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	 void *arg)
{
	struct srv_where *w = arg;

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
	{
		struct tr_inline in[1];
		size_t k = 0;

		tr_debuginfo_inlines(di, w->pc, in, 1, &k);
		if (k && in[0].name)
			snprintf(w->inlined, sizeof(w->inlined), "%s",
				 in[0].name);
	}
	if (w->with_frame) {
		size_t n = 0;
		int err = tr_backtrace_thread(t, di, u, w->tid, &w->fr, 1, &n);

		w->have_fr = (err == 0 || err == -TR_ERANGE) && n == 1;
		/* In inlined code the frame is the inlined function's
		 * (or, hiding those that start here, their caller's at
		 * the line of the call). */
		if (w->have_fr && w->fr.function)
			snprintf(w->func, sizeof(w->func), "%s",
				 w->fr.function);
		if (w->have_fr && (w->fr.inlined || w->fr.hides_inlined) &&
		    w->fr.file) {
			snprintf(w->file, sizeof(w->file), "%s", w->fr.file);
			w->loc.line = w->fr.line;
		}
	}
	return 0;
}

void
srv_where_get(struct srv_sess *ss, uint64_t pc, pid_t tid, bool frame,
	      struct srv_where *w)
{
	memset(w, 0, sizeof(*w));
	w->pc = pc;
	w->tid = tid;
	w->with_frame = frame;
	tr_session_run(ss->s, where_fn, w);
	if (w->file[0])
		srv_source_line(ss, w->file, w->loc.line, w->source,
				sizeof(w->source));
}

void
srv_write_args(struct tr_jw *w, const struct tr_bt_frame *f)
{
	tr_jw_key(w, "args");
	tr_jw_arr_begin(w);
	for (size_t i = 0; i < f->nargs; i++) {
		tr_jw_obj_begin(w);
		tr_jw_key(w, "name");
		tr_jw_cstr(w, f->args[i].name);
		tr_jw_key(w, "value");
		tr_jw_cstr(w, f->args[i].value);
		if (f->args[i].has_entry) {
			tr_jw_key(w, "entry_value");
			tr_jw_cstr(w, f->args[i].entry);
		}
		tr_jw_obj_end(w);
	}
	tr_jw_arr_end(w);
}

void
srv_opt_str(struct tr_jw *w, const char *key, const char *s)
{
	tr_jw_key(w, key);
	if (s && *s)
		tr_jw_cstr(w, s);
	else
		tr_jw_null(w);
}

void
srv_write_where(struct tr_jw *w, const struct srv_where *wh)
{
	tr_jw_key(w, "pc");
	tr_jw_uint(w, wh->pc);
	srv_opt_str(w, "function", wh->func);
	tr_jw_key(w, "offset");
	tr_jw_uint(w, wh->loc.offset);
	srv_opt_str(w, "file", wh->file);
	tr_jw_key(w, "line");
	tr_jw_uint(w, wh->loc.line);
	srv_opt_str(w, "module", wh->module);
	if (wh->source[0] || wh->loc.line)
		srv_opt_str(w, "source", wh->source);
	/* gdb shows the address of a stop that is not where a statement
	 * of the line table starts (after finish, at *ADDR): measured with
	 * gdb 13, a row that is no statement counts as the middle; a stop
	 * that hides the inlined calls starting there is at their call's
	 * line, without an address. */
	if (wh->have_fr && wh->fr.hides_inlined ? !wh->fr.inline_caller :
	    wh->loc.line && (wh->pc != wh->loc.line_lo || !wh->loc.is_stmt)) {
		tr_jw_key(w, "mid_line");
		tr_jw_bool(w, true);
	}
}

static const char *
signame(int sig)
{
	static __thread char buf[32];

	if (sig > 0 && sig < NSIG)
		return tr_signal_name(sig);
	snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

int
srv_write_stop(struct srv_sess *ss, struct tr_jw *w, const struct tr_event *ev)
{
	unsigned nseen;
	int seen_sig[16];
	pid_t seen_tid[16];

	tr_jw_obj_begin(w);
	/* signals passed on before it, that print; the epoll thread writes
	 * exits too, hence the lock */
	pthread_mutex_lock(&ss->mu);
	nseen = ss->nseen;
	memcpy(seen_sig, ss->seen_sig, sizeof(seen_sig));
	memcpy(seen_tid, ss->seen_tid, sizeof(seen_tid));
	ss->nseen = 0;
	pthread_mutex_unlock(&ss->mu);
	if (nseen) {
		tr_jw_key(w, "signals_seen");
		tr_jw_arr_begin(w);
		for (unsigned i = 0; i < nseen; i++) {
			tr_jw_obj_begin(w);
			tr_jw_key(w, "signal");
			tr_jw_cstr(w, signame(seen_sig[i]));
			tr_jw_key(w, "description");
			tr_jw_cstr(w, tr_signal_description(seen_sig[i]));
			tr_jw_key(w, "thread");
			tr_jw_int(w, seen_tid[i]);
			tr_jw_obj_end(w);
		}
		tr_jw_arr_end(w);
	}
	tr_jw_key(w, "event");
	switch (ev->type) {
	case TR_EV_STOP: {
		struct srv_where wh;

		tr_jw_cstr(w, "stop");
		tr_jw_key(w, "reason");
		tr_jw_cstr(w, tr_stop_reason_name(ev->reason));
		tr_jw_key(w, "thread");
		tr_jw_int(w, ev->tid);
		if (ev->reason == TR_STOP_FORK || ev->reason == TR_STOP_VFORK) {
			/* the new process, and the one now followed */
			tr_jw_key(w, "child");
			tr_jw_int(w, ev->child);
			tr_jw_key(w, "pid");
			tr_jw_int(w, ev->pid);
		}
		/* gdb prints the source line alone (a step that ended in
		 * the frame it stepped in) */
		if (ev->reason == TR_STOP_STEP && ev->step_frame) {
			tr_jw_key(w, "step_frame");
			tr_jw_bool(w, true);
		}
		if (ev->reason == TR_STOP_BREAKPOINT) {
			unsigned locno = srv_bp_location_number(
				ss, ev->bpnum, ev->addr ? ev->addr : ev->pc);

			tr_jw_key(w, "breakpoint");
			tr_jw_uint(w, ev->bpnum);
			/* of several locations, the one hit (gdb's 1.2) */
			if (locno) {
				tr_jw_key(w, "location");
				tr_jw_uint(w, locno);
			}
			/* a tbreak's stop (the worker's list: stops are
			 * written by the worker; the epoll thread writes
			 * only exits) */
			for (const struct srv_bp *b = ss->bps; b; b = b->next)
				if (b->id == ev->bpnum && b->temporary) {
					tr_jw_key(w, "temporary");
					tr_jw_bool(w, true);
					break;
				}
		}
		if (ev->reason == TR_STOP_WATCH ||
		    ev->reason == TR_STOP_WATCH_SCOPE)
			srv_watch_write(ss, w, ev);
		if (ev->reason == TR_STOP_SIGNAL ||
		    ev->reason == TR_STOP_GROUP) {
			tr_jw_key(w, "signal");
			tr_jw_cstr(w, signame(ev->sig));
			tr_jw_key(w, "signo");
			tr_jw_int(w, ev->sig);
			tr_jw_key(w, "description");
			tr_jw_cstr(w, tr_signal_description(ev->sig));
			if (ev->addr) {
				tr_jw_key(w, "fault_addr");
				tr_jw_uint(w, ev->addr);
			}
		}
		srv_where_get(ss, ev->pc, ev->tid, true, &wh);
		tr_jw_key(w, "frame");
		tr_jw_obj_begin(w);
		srv_write_where(w, &wh);
		if (wh.have_fr)
			srv_write_args(w, &wh.fr);
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
		tr_jw_key(w, "description");
		tr_jw_cstr(w, tr_signal_description(ev->sig));
		break;
	default:
		tr_jw_cstr(w, tr_event_type_name(ev->type));
		break;
	}
	tr_jw_obj_end(w);
	return tr_jw_error(w);
}
