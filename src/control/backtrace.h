/* backtrace.h: backtraces as a debugger shows them: function, file:line, arguments. */
#ifndef TR_CONTROL_BACKTRACE_H
#define TR_CONTROL_BACKTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "symbols/debuginfo.h"
#include "symbols/unwind.h"

struct tr_tracer;
struct tr_type;

#define TR_BT_MAX_ARGS 16

struct tr_bt_arg {
	char name[64];
	char value[160]; /* as gdb prints frame arguments ("scalars"):
			    42, 65 'A', 1.5, 0x7ffe... "text", RED, ...,
			    <optimized out> */
	bool has_entry;  /* the value at the function's entry, from the
			    caller's call site, as gdb shows it: equal to
			    `value` (gdb: x=x@entry=1), or `value` is
			    <optimized out> (gdb: x@entry=1) */
	char entry[160];
};

struct tr_bt_frame {
	uint64_t pc;          /* the frame's pc (a return address above the
				 innermost frame) */
	const char *function; /* NULL when unknown */
	uint64_t offset;
	const char *file;     /* NULL without line information */
	uint32_t line;        /* the line of the call, above the innermost */
	const char *module;   /* file name of the module */
	bool guessed;         /* unwound without CFI: may be wrong */
	bool inlined;         /* a call inlined into the next frame out
				 (gdb: "inlined into frame N+1") */
	bool inline_caller;   /* the next frame in is inlined here: pc
				 is not a return address of this frame,
				 and gdb shows no address */
	bool hides_inlined;   /* frame 0 with the inlined calls that start
				 at pc hidden (tr_inline_hidden): its line
				 is that of the call, its pc shown */
	bool sigtramp;        /* <signal handler called> */
	size_t nargs;
	struct tr_bt_arg args[TR_BT_MAX_ARGS];
};

/*
 * tr_backtrace_thread: the backtrace of stopped thread `tid` (0: current),
 * innermost frame first, with each frame's arguments read through its
 * own location expressions (outer frames through the registers the
 * unwinder recovered). Calls inlined at a frame's pc are frames of their
 * own, as gdb shows them (the inlined function, its parameters, and in
 * its caller the line of the call), and the walk ends at main (gdb's
 * `backtrace past-main off`). *n gets the number of frames filled. Any
 * thread but the tracer thread; `di` and `u` are the caller's.
 */
int tr_backtrace_thread(struct tr_tracer *t, struct tr_debuginfo *di,
			struct tr_unwinder *u, pid_t tid,
			struct tr_bt_frame *frames, size_t max, size_t *n);

/*
 * tr_inline_hidden: how many of the innermost inlined calls at `pc` of
 * thread `tid` gdb hides at the current stop: those whose code starts
 * there (a step or a finish that lands at the start of an inlined call
 * shows its caller, at the line of the call); at a user breakpoint, only
 * those inside the function a breakpoint at pc names (none for FILE:LINE
 * or *ADDR); less those `step` entered since (tr_break_inline_enter).
 * Frame numbers (backtraces, frame N, evaluation, finish) begin after
 * them. Any thread but the tracer thread.
 */
unsigned tr_inline_hidden(struct tr_tracer *t, struct tr_debuginfo *di,
			  pid_t tid, uint64_t pc);

/*
 * tr_return_value: the value the function at `fn_pc` (any pc inside it)
 * returned, from the registers at its return (*regs, *fp: e.g. those
 * tr_finish gives and tr_fpregs_get), formatted as gdb's finish prints it
 * ("Value returned is $1 = 42"), into out. Scalars only (rax, or xmm0 for
 * floating point); -TR_ENOENT for a void function or one without DWARF,
 * -TR_ENOTSUP for aggregates.
 */
int tr_return_value(struct tr_tracer *t, struct tr_debuginfo *di,
		    uint64_t fn_pc, const struct user_regs_struct *regs,
		    const struct user_fpregs_struct *fp, char *out,
		    size_t len);

/* tr_return_value_raw: the same value as its type (owned by di's DWARF)
 * and its bytes (up to 16), for the value history. Errors as above. */
int tr_return_value_raw(struct tr_debuginfo *di, uint64_t fn_pc,
			const struct user_regs_struct *regs,
			const struct user_fpregs_struct *fp,
			const struct tr_type **type, uint8_t bytes[16]);

#endif
