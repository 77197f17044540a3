/* stepping.c: step and next by source line, on top of single-steps and breakpoints. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "control/backtrace.h"
#include "control/stepping.h"
#include "control/breakpoint.h"
#include "target/tracer.h"
#include "symbols/unwind.h"
#include "symbols/scope.h"

/* A line is rarely more than a few hundred instructions; a loop of a
 * single line (while (!flag);) would step forever: give up then. */
#define MAX_STEPS 200000

/* One instruction, and the registers after it, in one submission. With
 * a range [lo, hi) holding the pc: as many instructions as the tracer
 * thread can step there by itself (a range step, target/tracer.h). */
static int
step_insn(struct tr_tracer *t, pid_t tid, struct tr_event *ev,
	  struct user_regs_struct *regs, uint64_t lo, uint64_t hi)
{
	struct tr_req *s = tr_req_get(t), *g = tr_req_get(t);
	int err;

	s->op = TR_OP_STEP;
	s->flags = TR_REQ_WAIT_STOP;
	s->tid = tid;
	if (hi > lo && regs->rip >= lo && regs->rip < hi) {
		s->addr = lo;
		s->len = hi - lo;
	}
	s->next = g;
	g->op = TR_OP_REGS_GET;
	g->tid = tid;
	g->buf = regs;
	tr_req_submit(t, s);
	err = tr_req_wait(t, g);
	*ev = s->ev;
	if (s->result < 0)
		err = s->result;
	tr_req_put(t, s);
	tr_req_put(t, g);
	/* A stop that is no step (exit, signal) leaves the registers
	 * request failed or canceled: report the stop itself. */
	if (ev->type != TR_EV_STOP || ev->reason != TR_STOP_STEP)
		return 1;
	return err;
}

/*
 * Run everything until `tid` reaches `addr` in a frame whose stack
 * pointer is above `min_sp` (so a recursive call of the same function
 * does not count). Returns 0 when there, 1 when something else stopped
 * the target first (in *ev), or -TR_E*.
 */
static int
run_to(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t min_sp,
       struct tr_event *ev, struct user_regs_struct *regs)
{
	bool ours = tr_bp_insert(t, addr) == 0;
	int err, ret;

	for (;;) {
		err = tr_cont(t, tid, 0, ev);
		if (err) {
			ret = err;
			break;
		}
		if (ev->type != TR_EV_STOP || ev->reason != TR_STOP_BREAKPOINT ||
		    ev->addr != addr) {
			ret = 1;
			break;
		}
		if (ev->tid != tid) {
			/* Another thread at our private breakpoint: not its
			 * stop to report, unless a user breakpoint is there. */
			if (ev->bpnum) {
				ret = 1;
				break;
			}
			continue;
		}
		err = tr_regs_get(t, tid, regs);
		if (err) {
			ret = err;
			break;
		}
		if (regs->rsp > min_sp) {
			ret = 0;
			break;
		}
	}
	if (ours)
		tr_bp_remove(t, addr);
	return ret;
}

/* Whether pc is in code with line information (a function we can step
 * into and stop in). */
static bool
has_lines(struct tr_debuginfo *di, uint64_t pc, struct tr_location *loc)
{
	if (tr_debuginfo_describe(di, pc, loc) < 0 || !loc->dwfunc ||
	    loc->line == 0)
		return false;
	return true;
}

/* Calls into shared libraries go through a PLT stub (and, the first
 * time, the dynamic linker's lazy binder). */
static bool
in_plt(struct tr_debuginfo *di, uint64_t pc)
{
	return tr_symtab_in_plt(tr_debuginfo_symtab(di), pc);
}

/* Whether a location is in the dynamic linker (ld-linux-x86-64.so.2):
 * gdb never stops a step in its lazy binder. */
static bool
in_dynlinker(const struct tr_location *loc)
{
	const char *n = loc->module ? loc->module->name : NULL;

	return n && strncmp(n, "ld-", 3) == 0 && strstr(n, ".so");
}

/* The innermost inlined subroutine at pc (its DIE), or 0. */
static uint64_t
inline_at(const struct tr_location *loc)
{
	struct tr_scope *sc;
	uint64_t die = 0;

	if (!loc->dwarf || !loc->module ||
	    tr_scope_at(loc->dwarf, loc->pc - loc->module->bias, &sc) < 0)
		return 0;
	die = sc->inline_die;
	tr_scope_free(sc);
	return die;
}

/* The end of the line at loc: the line table has a row per statement
 * part (columns, views), so a long line is several rows in a row; the
 * range a step stays in goes over all those of the same line and file
 * (a range step then covers the whole line). */
static uint64_t
line_end(struct tr_debuginfo *di, const struct tr_location *loc)
{
	uint64_t hi = loc->line_hi;
	struct tr_location n;

	for (int k = 0; k < 64 && hi > loc->line_lo; k++) {
		if (!has_lines(di, hi, &n) || n.line != loc->line ||
		    n.line_lo != hi || n.line_hi <= hi || !n.file ||
		    !loc->file || strcmp(n.file, loc->file) != 0 ||
		    n.dwfunc != loc->dwfunc)
			break;
		hi = n.line_hi;
	}
	return hi;
}

static bool in_inline(struct tr_debuginfo *di, uint64_t pc, uint64_t die);

/* The start of a step, finish or until: the target's state, tid (0:
 * the current thread) and its registers, the debug info brought up to
 * date with the modules loaded. */
static int
stopped_thread(struct tr_tracer *t, struct tr_debuginfo *di, pid_t *tid,
	       struct tr_state *st, struct user_regs_struct *regs)
{
	int err = tr_state_get(t, st);

	if (err)
		return err;
	if (!*tid)
		*tid = st->current_tid;
	err = tr_regs_get(t, *tid, regs);
	if (err)
		return err;
	tr_debuginfo_refresh(di, NULL);
	return 0;
}

static void
make_step_event(struct tr_event *ev, pid_t tid, uint64_t pc)
{
	ev->type = TR_EV_STOP;
	ev->reason = TR_STOP_STEP;
	ev->tid = tid;
	ev->pc = pc;
	ev->sig = 0;
	ev->bpnum = 0;
	ev->step_frame = false;
}

/* The inlined call a frame is (its DIE), 0 for the function's own code:
 * at pc, the innermost call not hidden (hidden: the first `hidden`). */
static uint64_t
visible_call(struct tr_debuginfo *di, uint64_t pc, unsigned hidden)
{
	struct tr_inline in[32];
	size_t n = 0;

	tr_debuginfo_inlines(di, pc, in, 32, &n);
	return hidden < n && hidden < 32 ? in[hidden].die : 0;
}

/* How many inlined calls at pc start there (gdb hides them at a stop
 * that is no breakpoint's); *within: whether inlined call `die` (0: the
 * function's own code) holds pc. */
static unsigned
starting_calls(struct tr_debuginfo *di, uint64_t pc, uint64_t die,
	       bool *within)
{
	struct tr_inline in[32];
	size_t n = 0;
	unsigned k = 0;

	tr_debuginfo_inlines(di, pc, in, 32, &n);
	while (k < n && k < 32 && in[k].starts)
		k++;
	*within = !die;
	for (size_t i = 0; i < n && i < 32; i++)
		if (in[i].die == die)
			*within = true;
	return k;
}

static int
step_line(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
	  bool over, struct tr_event *ev, bool *entered, uint32_t *line_now,
	  const char **file_now)
{
	struct user_regs_struct regs, prev;
	struct tr_location loc, here;
	struct tr_state st;
	uint64_t lo, hi;
	uint32_t cur_line;
	const char *cur_file;
	uint64_t start_inline = 0, in, step_call = 0, step_func = 0;
	uint64_t start_pc;
	bool refreshed = false;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = stopped_thread(t, di, &tid, &st, &regs);
	if (err)
		return err;
	start_pc = regs.rip;
	/* gdb's step where calls inlined at the pc are hidden: the next
	 * of them is entered without running (step_into_inline_frame) */
	if (!over && tr_inline_hidden(t, di, tid, regs.rip)) {
		err = tr_break_inline_enter(t, st.last_stop.seq);
		if (err)
			return err;
		make_step_event(ev, tid, regs.rip);
		*entered = true;
		return 0;
	}
	if (!has_lines(di, regs.rip, &loc)) {
		/* No line here (in libc, say): gdb steps until it is out of
		 * the function; one instruction at a time until code with
		 * lines is reached is the same, only slower. */
		loc.line = 0;
	}
	lo = loc.line_lo;
	hi = line_end(di, &loc);
	cur_line = loc.line;
	cur_file = loc.file;
	/* the frame stepped in (gdb's step_frame_id): an inlined call, or
	 * the function's own code; calls hidden at the pc are not it */
	step_call = loc.line ? visible_call(di, regs.rip,
					    tr_inline_hidden(t, di, tid,
							     regs.rip))
			     : 0;
	start_inline = over ? step_call : 0;
	step_func = loc.func_lo;

	for (int n = 0; n < MAX_STEPS; n++) {
		uint64_t ret_addr = 0, last;

		prev = regs;
		/* Range steps only within the line (never while looking for
		 * a line): the stop comes after a call, a push, a return or
		 * a jump out of it, which is what the code below looks at. */
		err = step_insn(t, tid, ev, &regs, cur_line ? lo : 0,
				cur_line ? hi : 0);
		if (err)
			return err < 0 ? err : 0;
		/* the instruction stepped last was at prev.rip, or somewhere
		 * in the line after a range step */
		last = ev->steps > 1 && hi > prev.rip ? hi - 1 : prev.rip;
		if (ev->steps > 1)
			n += (int)ev->steps - 1;

		/* A call: the return address was just pushed, pointing
		 * just past the instruction we stepped. */
		if (regs.rsp == prev.rsp - 8 &&
		    tr_mem_read(t, regs.rsp, &ret_addr, 8, NULL) == 0 &&
		    ret_addr > prev.rip && ret_addr <= last + 15) {
			bool into = !over && has_lines(di, regs.rip, &here);

			/* Through a PLT stub (and the lazy binder) to see
			 * whether the real function has lines. */
			if (!over && !into && in_plt(di, regs.rip)) {
				int k;

				for (k = 0; k < 100000; k++) {
					if (regs.rip == ret_addr)
						break;
					/* the lazy binder has lines too
					 * when ld.so's debug file is there:
					 * gdb steps through it */
					if (has_lines(di, regs.rip, &here) &&
					    !in_dynlinker(&here)) {
						into = true;
						break;
					}
					tr_debuginfo_refresh(di, NULL);
					err = step_insn(t, tid, ev, &regs,
							0, 0);
					if (err)
						return err < 0 ? err : 0;
				}
				if (regs.rip == ret_addr)
					goto landed;
			}
			if (into) {
				uint64_t entry = here.func_lo, bp = regs.rip;
				uint8_t code[16];
				bool have;

				/* Entering at the entry: stop past the
				 * prologue, where `break FUNC` would. */
				if (regs.rip == entry) {
					have = tr_debuginfo_read_code(di, entry,
						code, sizeof(code)) == 0;
					if (tr_dwarf_breakpoint_addr(here.dwarf,
						here.dwfunc, have ? code : NULL,
						have ? sizeof(code) : 0,
						&bp) == 0)
						bp += here.module->bias;
					else
						bp = regs.rip;
				}
				if (bp != regs.rip) {
					err = run_to(t, tid, bp, 0, ev, &regs);
					if (err)
						return err < 0 ? err : 0;
				}
				make_step_event(ev, tid, regs.rip);
				return 0;
			}
			/* Over the call: at full speed to its return, in this
			 * frame (the stack pointer above the callee's). */
			err = run_to(t, tid, ret_addr, regs.rsp, ev, &regs);
			if (err)
				return err < 0 ? err : 0;
		}
landed:
		if (regs.rip >= lo && regs.rip < hi)
			continue;
		if (!has_lines(di, regs.rip, &here)) {
			if (cur_line == 0)
				continue; /* still looking for lines */
			/* Returned into code without lines (main's caller
			 * in libc): stop there, as gdb does. */
			make_step_event(ev, tid, regs.rip);
			return 0;
		}
		/* gdb 13's frames in a step through inlined code (step
		 * only, in the function stepped in) */
		if (!over && cur_line && here.func_lo == step_func) {
			bool within;
			unsigned k = starting_calls(di, regs.rip, step_call,
						    &within);

			/* "stepped into inlined function": calls start
			 * here inside the frame stepped in: stop (the
			 * caller enters one when its call is on the line
			 * being stepped) */
			if (k && visible_call(di, regs.rip, k) == step_call) {
				*line_now = cur_line;
				*file_now = cur_file;
				make_step_event(ev, tid, regs.rip);
				ev->step_frame = refreshed;
				return 0;
			}
			/* "stepped to a different frame, but it's not the
			 * start of a statement": out of the inlined call
			 * stepped in, mid-line: the new frame's range,
			 * any line after it new */
			if (!within && !(regs.rip == here.line_lo &&
					 here.is_stmt)) {
				lo = here.line_lo;
				hi = line_end(di, &here);
				cur_line = UINT32_MAX;
				cur_file = NULL;
				step_call = visible_call(di, regs.rip, k);
				refreshed = true;
				continue;
			}
		}
		if (regs.rip == here.line_lo &&
		    (here.line != cur_line || !cur_file ||
		     strcmp(here.file, cur_file) != 0)) {
			/* next: code inlined from a call on this line is
			 * that call's body, stepped over as gdb does; an
			 * inlined call that holds where the step began is
			 * an outer frame it returned to (gdb's "stepped
			 * back out"): a line there stops it. */
			if (over && (in = inline_at(&here)) &&
			    in != start_inline && !in_inline(di, start_pc, in))
				continue;
			if (here.is_stmt) {
				make_step_event(ev, tid, regs.rip);
				return 0;
			}
			/* A new line that is no statement: keep going
			 * without adopting it. */
			continue;
		}
		/* The middle of a line (back in the caller, or a jump
		 * into another part of a line): adopt it, and go on to
		 * the next line from there. */
		lo = here.line_lo;
		hi = line_end(di, &here);
		cur_line = here.line;
		cur_file = here.file;
	}
	make_step_event(ev, tid, regs.rip);
	tr_log_info("step: gave up after %d instructions", MAX_STEPS);
	return 0;
}

int
tr_step_line(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
	     bool over, struct tr_event *ev)
{
	struct user_regs_struct regs;
	struct tr_location loc;
	struct tr_inline in[32];
	struct tr_state st;
	bool entered = false;
	uint32_t line = 0;
	const char *file = NULL;
	unsigned h;
	size_t n = 0;
	int err;

	if (!tid && (err = tr_state_get(t, &st)) == 0)
		tid = st.current_tid;
	if (tr_regs_get(t, tid, &regs) == 0 && has_lines(di, regs.rip, &loc)) {
		line = loc.line;
		file = loc.file;
	}
	err = step_line(t, di, tid, over, ev, &entered, &line, &file);
	if (err || over || entered || ev->reason != TR_STOP_STEP || !line)
		return err;
	/* gdb 13 (process_event_stop_test, "stepped into inlined
	 * function"): a step that stops where inlined calls start, hidden,
	 * enters the innermost shown one when its call is on the line the
	 * step began at; else it stops at the call */
	h = tr_inline_hidden(t, di, tid, ev->pc);
	if (!h || tr_state_get(t, &st))
		return 0;
	tr_debuginfo_inlines(di, ev->pc, in, 32, &n);
	if (h <= n && h <= 32 && in[h - 1].call_line == line &&
	    in[h - 1].call_file && file &&
	    !strcmp(in[h - 1].call_file, file))
		return tr_break_inline_enter(t, st.last_stop.seq);
	return 0;
}

/* Whether the inlined call `die` contains pc (run-time). */
static bool
in_inline(struct tr_debuginfo *di, uint64_t pc, uint64_t die)
{
	struct tr_inline in[32];
	size_t n = 0;

	tr_debuginfo_inlines(di, pc, in, 32, &n);
	for (size_t i = 0; i < n && i < 32; i++)
		if (in[i].die == die)
			return true;
	return false;
}

/*
 * Out of inlined call `die`: one instruction at a time (calls run at full
 * speed to their return), until the pc leaves the inlined code or the
 * function it is inlined into returns (its CFA is `cfa`).
 */
static int
step_out_inline(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
		uint64_t die, uint64_t cfa, struct tr_event *ev,
		struct user_regs_struct *regs)
{
	for (int n = 0; n < MAX_STEPS; n++) {
		struct user_regs_struct prev = *regs;
		uint64_t ret_addr = 0;
		int err = step_insn(t, tid, ev, regs, 0, 0);

		if (err)
			return err;
		if (regs->rsp == prev.rsp - 8 &&
		    tr_mem_read(t, regs->rsp, &ret_addr, 8, NULL) == 0 &&
		    ret_addr > prev.rip && ret_addr <= prev.rip + 15) {
			err = run_to(t, tid, ret_addr, regs->rsp, ev, regs);
			if (err)
				return err;
		}
		if (regs->rsp >= cfa || !in_inline(di, regs->rip, die))
			return 0;
	}
	tr_log_info("finish: gave up after %d instructions", MAX_STEPS);
	return 0;
}

int
tr_finish(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	  pid_t tid, unsigned frame, struct tr_event *ev,
	  struct user_regs_struct *out, uint64_t *fn_pc)
{
	struct user_regs_struct regs;
	struct tr_frame fr[64];
	struct tr_inline in[32];
	struct tr_state st;
	size_t nf = 0, phys = 0, k = 0;
	unsigned level = 0;
	int err;

	memset(ev, 0, sizeof(*ev));
	if (fn_pc)
		*fn_pc = 0;
	err = stopped_thread(t, di, &tid, &st, &regs);
	if (err)
		return err;
	/* The selected frame (gdb finishes it after up), counting the
	 * calls inlined at each pc as frames of their own. */
	err = tr_backtrace(u, &regs, tr_mem_read_cb, t, fr, 64, &nf);
	if (err < 0 && err != -TR_ERANGE && !nf)
		return err;
	if (tr_unwind_frame_level(di, fr, nf,
				  frame + tr_inline_hidden(t, di, tid, regs.rip),
				  &phys, &level))
		return -TR_ERANGE;
	tr_debuginfo_inlines(di, tr_unwind_lookup_pc(&fr[phys]), in, 32, &k);
	if (level >= k && phys + 1 >= nf)
		return -TR_ENOENT; /* the outermost frame */
	if (phys > 0) {
		/* Back in frame phys first: the physical frame below it
		 * returns (its CFA is the stack pointer then). */
		err = run_to(t, tid, fr[phys].pc, fr[phys - 1].cfa - 1, ev,
			     &regs);
		if (err)
			return err < 0 ? err : 0;
	}
	if (level < k && level < 32) {
		/* An inlined call has no return of its own: step until its
		 * code is left, as gdb does. No value is known then. */
		err = step_out_inline(t, di, tid, in[level].die,
				      fr[phys].cfa, ev, &regs);
		if (err)
			return err < 0 ? err : 0;
	} else {
		if (fn_pc)
			*fn_pc = tr_unwind_lookup_pc(&fr[phys]);
		/* Back in the caller, the stack pointer is the callee's
		 * CFA; a deeper (recursive) return to the same address has
		 * it lower. */
		err = run_to(t, tid, fr[phys + 1].pc, fr[phys].cfa - 1, ev,
			     &regs);
		if (err)
			return err < 0 ? err : 0;
	}
	ev->type = TR_EV_STOP;
	ev->reason = TR_STOP_FINISH;
	ev->tid = tid;
	ev->pc = regs.rip;
	ev->bpnum = 0;
	if (out)
		*out = regs;
	return 0;
}

/* The canonical frame address of the innermost frame of registers r
 * (0 when it cannot be unwound), and the return address (0: none). */
static uint64_t
frame_cfa(struct tr_tracer *t, struct tr_unwinder *u,
	  const struct user_regs_struct *r, uint64_t *ret)
{
	struct tr_frame fr[2];
	size_t nf = 0;

	if (ret)
		*ret = 0;
	tr_backtrace(u, r, tr_mem_read_cb, t, fr, 2, &nf);
	if (ret && nf > 1)
		*ret = fr[1].pc;
	return nf ? fr[0].cfa : 0;
}

int
tr_until_next(struct tr_tracer *t, struct tr_debuginfo *di,
	      struct tr_unwinder *u, pid_t tid, struct tr_event *ev)
{
	struct user_regs_struct regs;
	struct tr_location loc;
	struct tr_state st;
	uint64_t start, end, cfa0, func;
	int err;

	memset(ev, 0, sizeof(*ev));
	err = stopped_thread(t, di, &tid, &st, &regs);
	if (err)
		return err;
	start = regs.rip;
	cfa0 = frame_cfa(t, u, &regs, NULL);
	func = tr_debuginfo_describe(di, start, &loc) == 0 ? loc.func_lo : 0;
	end = func && loc.line_hi > start ? loc.line_hi : start + 1;
	for (;;) {
		err = tr_step_line(t, di, tid, true, ev);
		if (err || ev->type != TR_EV_STOP || ev->reason != TR_STOP_STEP)
			return err;
		err = tr_regs_get(t, tid, &regs);
		if (err)
			return err;
		/* gdb's range is [function start, end of the line): a jump
		 * back (a loop) in the same frame goes on */
		if (!func || regs.rip >= end || regs.rip < func ||
		    frame_cfa(t, u, &regs, NULL) != cfa0)
			return 0;
	}
}

int
tr_run_until(struct tr_tracer *t, struct tr_debuginfo *di,
	     struct tr_unwinder *u, pid_t tid, const uint64_t *addrs,
	     size_t n, bool anywhere, struct tr_event *ev)
{
	struct user_regs_struct regs;
	struct tr_state st;
	uint64_t cfa0, ret;
	bool ours[65] = { false };
	int err, rc = 0;

	memset(ev, 0, sizeof(*ev));
	if (n > 64)
		n = 64;
	err = stopped_thread(t, di, &tid, &st, &regs);
	if (err)
		return err;
	cfa0 = frame_cfa(t, u, &regs, &ret);
	for (size_t i = 0; i < n; i++)
		ours[i] = tr_bp_insert(t, addrs[i]) == 0;
	/* the current frame's return stops too (gdb's until and advance) */
	if (ret && cfa0)
		ours[64] = tr_bp_insert(t, ret) == 0;
	for (;;) {
		bool at_loc = false, at_ret;

		err = tr_cont(t, tid, 0, ev);
		if (err) {
			rc = err;
			break;
		}
		if (ev->type != TR_EV_STOP || ev->reason != TR_STOP_BREAKPOINT) {
			rc = 1;
			break;
		}
		for (size_t i = 0; i < n; i++)
			at_loc |= ev->addr == addrs[i];
		at_ret = ret && cfa0 && ev->addr == ret;
		if (!at_loc && !at_ret) {
			rc = 1; /* a user breakpoint elsewhere */
			break;
		}
		if (ev->tid != tid) {
			/* another thread at our site: not its stop to
			 * report, unless a user breakpoint is there */
			if (ev->bpnum) {
				rc = 1;
				break;
			}
			continue;
		}
		err = tr_regs_get(t, tid, &regs);
		if (err) {
			rc = err;
			break;
		}
		/* back in the caller: the stack pointer is above the CFA */
		if (at_ret && regs.rsp > cfa0 - 1)
			break;
		if (at_loc) {
			uint64_t cfa = frame_cfa(t, u, &regs, NULL);

			/* until: in this frame or an outer one, not in a call
			 * it makes (recursion); advance: anywhere */
			if (anywhere || !cfa || cfa >= cfa0)
				break;
		}
		if (ev->bpnum) {
			rc = 1; /* a user breakpoint there */
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (ours[i])
			tr_bp_remove(t, addrs[i]);
	if (ours[64])
		tr_bp_remove(t, ret);
	if (rc)
		return rc < 0 ? rc : 0;
	/* a user breakpoint at the place: its stop, as gdb's */
	if (ev->bpnum)
		return 0;
	ev->type = TR_EV_STOP;
	ev->reason = TR_STOP_STEP;
	ev->tid = tid;
	ev->pc = regs.rip;
	return 0;
}
