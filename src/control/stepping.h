/* stepping.h: source-level stepping: step and next by line, as gdb does them. */
#ifndef TR_CONTROL_STEPPING_H
#define TR_CONTROL_STEPPING_H

#include <stdbool.h>
#include <sys/types.h>

#include "symbols/debuginfo.h"
#include "target/event.h"
#include <sys/user.h>

struct tr_tracer;

/*
 * tr_step_line: run thread `tid` (0: current) to the start of another
 * source line, like gdb's `step` (over == false: into called functions
 * that have line information, past their prologue) or `next` (over ==
 * true: calls run to their return at full speed). Other threads stay
 * stopped while single-stepping and run while a call is stepped over.
 *
 * The rules follow gdb 13: the step ends at the first instruction that
 * starts a line-table entry (is_stmt) of another line; landing in the
 * middle of a line (returning into the caller) adopts that line and goes
 * on to the next; a function without line information is stepped over,
 * and returning into one ends the step there.
 *
 * *ev gets the stop: TR_STOP_STEP when the step completed, otherwise
 * whatever interrupted it (a breakpoint, a signal, the exit). Any thread
 * but the tracer thread; `di` is the caller's, refreshed as needed.
 */
int tr_step_line(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
		 bool over, struct tr_event *ev);

struct tr_unwinder;

/*
 * tr_finish: run until the function of frame `frame` (0: the innermost)
 * of thread `tid` returns to its caller, like gdb's `finish` with that
 * frame selected. Frames count the calls inlined at each pc, as gdb's
 * do. The return address comes from the unwinder (CFI), and a recursive
 * call of the same function returning first does not count (the stack
 * pointer must be back at the frame's CFA); an inlined call is finished
 * by stepping until its code is left. *ev gets TR_STOP_FINISH, or what
 * stopped the target first; *regs (may be NULL) the registers at the
 * return: rax/rdx, or xmm0/xmm1 in the FP state, hold the return value,
 * to be read with the function's DWARF return type; *fn_pc (may be NULL)
 * a pc inside the finished function for that type, 0 when no value can
 * be known (an inlined call). -TR_ENOENT from the outermost frame,
 * -TR_ERANGE when there is no frame `frame`. `di` and `u` are the
 * caller's.
 */
int tr_finish(struct tr_tracer *t, struct tr_debuginfo *di,
	      struct tr_unwinder *u, pid_t tid, unsigned frame,
	      struct tr_event *ev, struct user_regs_struct *regs,
	      uint64_t *fn_pc);

/*
 * tr_until_next: gdb's until without argument: a next (tr_step_line,
 * over) that does not stop where the code jumps back in the same frame
 * (a loop): gdb's step range is [the function's start, the line's end).
 * As tr_step_line otherwise; `u` the caller's.
 */
int tr_until_next(struct tr_tracer *t, struct tr_debuginfo *di,
		  struct tr_unwinder *u, pid_t tid, struct tr_event *ev);

/*
 * tr_run_until: gdb's until LOCATION (anywhere false) and advance
 * LOCATION (true): run until thread tid reaches one of addrs[0..n) (at
 * most 64), or the current frame returns to its caller. until stops at
 * the location only in the current frame or an outer one (a recursive
 * call reaching it goes on), advance in any. Private breakpoints, no
 * user numbers. *ev: TR_STOP_STEP there, or what stopped the target
 * first (a user breakpoint, a signal, the exit).
 */
int tr_run_until(struct tr_tracer *t, struct tr_debuginfo *di,
		 struct tr_unwinder *u, pid_t tid, const uint64_t *addrs,
		 size_t n, bool anywhere, struct tr_event *ev);

#endif
