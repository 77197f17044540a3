/* stop.c: stop replies: T with the thread and every register (and swbreak, hwbreak, watch/rwatch/awatch or lldb's reason), W and X for an exit. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rsp.h"
#include "rsp/breakpoints.h"
#include "rsp/fork.h"
#include "rsp/ids.h"
#include "rsp/regs.h"
#include "rsp/reply.h"
#include "rsp/stop.h"

/* The stop reply of ev: T with the thread and every register, so that
 * the client need not ask for them (gdb sends no `g` after such a stop);
 * swbreak for a breakpoint when the client takes it, else lldb's
 * reason:breakpoint. The pc is the breakpoint's address either way: the
 * tracer rewinds it. */
int
rsp_send_stop(struct rsp *r, const struct tr_event *ev)
{
	char buf[128];
	const struct rsp_regset *rs;
	const struct rsp_bp *wp;
	struct tr_buf b;
	int sig, rc;

	if (ev->type == TR_EV_EXIT) {
		snprintf(buf, sizeof(buf), "W%02x", ev->status & 0xff);
		if (r->multiprocess)
			snprintf(buf + 3, sizeof(buf) - 3, ";process:%x",
				 (unsigned)ev->pid);
		r->gone = true;
		r->stop = *ev;
		return rsp_reply_str(r, buf);
	}
	if (ev->type == TR_EV_KILLED) {
		snprintf(buf, sizeof(buf), "X%02x",
			 rsp_gdb_signo(ev->sig) & 0xff);
		if (r->multiprocess)
			snprintf(buf + 3, sizeof(buf) - 3, ";process:%x",
				 (unsigned)ev->pid);
		r->gone = true;
		r->stop = *ev;
		return rsp_reply_str(r, buf);
	}
	sig = ev->reason == TR_STOP_SIGNAL || ev->reason == TR_STOP_GROUP
		      ? ev->sig
	      : ev->reason == TR_STOP_INTERRUPT ? SIGINT
						: SIGTRAP;
	r->stop = *ev;
	tr_buf_init(&b);
	{
		char id[48];

		snprintf(buf, sizeof(buf), "T%02xthread:%s;",
			 rsp_gdb_signo(sig),
			 rsp_tid_str(r, ev->tid, id, sizeof(id)));
	}
	tr_buf_append(&b, buf, strlen(buf));
	if (rsp_regs(r, ev->tid, true, &rs) == 0) {
		for (size_t i = 0; i < rsp_nregs(); i++) {
			unsigned char v[16];
			size_t sz = rsp_reg_size(i);
			char hex[40];

			rsp_reg_value(rs, i, v);
			tr_rsp_hex_encode(v, sz, hex);
			hex[2 * sz] = 0;
			snprintf(buf, sizeof(buf), "%02zx:%s;", i, hex);
			tr_buf_append(&b, buf, strlen(buf));
		}
	}
	if (r->list_threads_in_stop) {
		tr_buf_append(&b, "threads:", 8);
		rsp_append_tids(r, &b);
		tr_buf_append(&b, ";", 1);
	}
	wp = ev->reason == TR_STOP_WATCH ? rsp_watch_of(r, ev->bpnum) : NULL;
	if (wp) {
		/* the address the client gave: gdb looks it up among its
		 * watchpoints' ranges, lldb by that exact address */
		static const char *const key[] = { [2] = "watch",
						   [3] = "rwatch",
						   [4] = "awatch" };

		snprintf(buf, sizeof(buf), "%s:%llx;", key[(int)wp->type],
			 (unsigned long long)wp->addr);
		tr_buf_append(&b, buf, strlen(buf));
	} else if (ev->reason == TR_STOP_BREAKPOINT && r->hwbreak &&
		   rsp_hbreak_at(r, ev->pc)) {
		tr_buf_append(&b, "hwbreak:;", 9);
	} else if (ev->reason == TR_STOP_BREAKPOINT && r->swbreak)
		tr_buf_append(&b, "swbreak:;", 9);
	else if (r->lldb) {
		const char *why =
			ev->reason == TR_STOP_BREAKPOINT ? "breakpoint"
			: ev->reason == TR_STOP_STEP ||
					  ev->reason == TR_STOP_FINISH
				? "trace"
			: ev->reason == TR_STOP_SIGNAL ||
					  ev->reason == TR_STOP_GROUP
				? "signal"
				: NULL;

		if (why) {
			snprintf(buf, sizeof(buf), "reason:%s;", why);
			tr_buf_append(&b, buf, strlen(buf));
		}
	}
	rsp_fork_stop_append(r, ev, &b);
	rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}
