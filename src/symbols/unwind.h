/* unwind.h: call stacks from call frame information (.eh_frame, .debug_frame), frame pointers as the fallback. */
#ifndef TR_SYMBOLS_UNWIND_H
#define TR_SYMBOLS_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#include "symbols/debuginfo.h"
#include "symbols/loc_expr.h"

/*
 * A struct tr_unwinder turns the registers of a stopped thread into its
 * call stack, one frame at a time, the way the System V x86-64 ABI
 * describes it: each module's call frame information (.eh_frame, which
 * every module has, libc included, and .debug_frame when present) says
 * where a function keeps its caller's registers at each instruction, so
 * neither frame pointers nor debug info are needed. Code without CFI
 * (JIT code, hand-written assembly, the vDSO, which is no file) is
 * guessed at, along the frame pointer chain or from a return address on
 * top of the stack, with sanity checks, and flagged as such.
 *
 * The unwinder reads target memory only through a tr_mem_reader the
 * caller passes (tr_mem_read from any thread, tr_direct_mem_read inside
 * tr_call on the tracer thread), and modules' files through libdwarf, one
 * handle per module, opened on first use and kept. One thread at a time
 * may use an unwinder and its struct tr_debuginfo; two unwinders over
 * two debuginfos may be used by two threads at once.
 */

/* DWARF register numbers of x86-64 (the psABI's table), as tr_frame.regs
 * indexes them. TR_UREG_RA is the return-address column: the pc. */
enum tr_ureg {
	TR_UREG_RAX = 0,
	TR_UREG_RDX = 1,
	TR_UREG_RCX = 2,
	TR_UREG_RBX = 3,
	TR_UREG_RSI = 4,
	TR_UREG_RDI = 5,
	TR_UREG_RBP = 6,
	TR_UREG_RSP = 7,
	TR_UREG_R8 = 8, /* r8..r15 are 8..15 */
	TR_UREG_R15 = 15,
	TR_UREG_RA = 16,
	TR_UREG_COUNT = 17,
};

/* How a frame was found. Append-only. */
enum tr_frame_how {
	TR_FRAME_REGS = 0,  /* the innermost frame: the thread's registers */
	TR_FRAME_CFI = 1,   /* unwound from its callee with CFI: exact */
	TR_FRAME_GUESS = 2, /* its callee had no CFI: guessed from the
			     * frame pointer chain, or from the top of the
			     * stack where the callee's pc is exact; may be
			     * wrong */
};

struct tr_frame {
	uint64_t pc;       /* innermost and signal frames: the next
			    * instruction; others: the return address */
	uint64_t cfa;      /* canonical frame address: the caller's rsp
			    * before its call; 0 until this frame is
			    * unwound (tr_unwind_step fills it in) */
	uint64_t regs[TR_UREG_COUNT]; /* by enum tr_ureg */
	uint64_t saved_at[TR_UREG_COUNT]; /* where this frame saved its
			    * caller's register i (its CFI's offset(N)
			    * rule: CFA + N), 0: not saved so (gdb's info
			    * frame "Saved registers") */
	uint32_t valid;    /* bit i: regs[i] known. Above the innermost
			    * frame the call-clobbered registers (rax, rcx,
			    * rdx, rsi, rdi, r8-r11) are unknown unless the
			    * CFI saved them (signal frames do). */
	enum tr_frame_how how;
	bool signal_frame; /* this frame was interrupted by a signal: pc is
			    * exact, not a return address */
	bool sigtramp;     /* this frame is the signal return trampoline
			    * (__restore_rt): its caller is a signal frame;
			    * gdb shows it as <signal handler called> */
};

struct tr_unwinder;

/*
 * tr_unwinder_new: an unwinder over the modules of `di`, which it
 * borrows: `di` must outlive it, and a tr_debuginfo_refresh() is seen at
 * the next step (modules are found by address each time; CFI stays cached
 * by file path). Refresh `di` once libraries are loaded: at the exec stop
 * only the executable and the dynamic linker are mapped, and frames in
 * modules it does not know are guessed at. Returns 0, -TR_EINVAL (no
 * `di`) or -TR_ENOMEM.
 */
int tr_unwinder_new(struct tr_debuginfo *di, struct tr_unwinder **out);

/* tr_unwinder_free: close every module's CFI and free (NULL is fine). */
void tr_unwinder_free(struct tr_unwinder *u);

/*
 * tr_unwind_frame_from_regs: the innermost frame of a thread stopped with
 * registers `r` (all 17 known, pc exact, cfa not yet known).
 */
void tr_unwind_frame_from_regs(const struct user_regs_struct *r,
			       struct tr_frame *f);

/*
 * tr_unwind_lookup_pc: the address that stands for frame `f` when asking
 * what code it is in (function, file:line, CFI): pc itself for the
 * innermost and signal frames, pc - 1 for the others, whose pc is a
 * return address that may already be past the end of the caller's
 * function (a call to a noreturn function) or on the next line.
 */
uint64_t tr_unwind_lookup_pc(const struct tr_frame *f);

/*
 * tr_unwind_frame_level: which of the unwound frames fr[0..n) frame
 * number `vframe` is when inlined calls count as frames of their own, as
 * gdb numbers them: *phys gets the index into fr, *level the inline level
 * there (0: the innermost inlined call, as tr_scope_at_level). -TR_ERANGE
 * when there are fewer frames.
 */
int tr_unwind_frame_level(struct tr_debuginfo *di, const struct tr_frame *fr,
			  size_t n, unsigned vframe, size_t *phys,
			  unsigned *level);

/*
 * tr_unwind_step: the caller of frame `callee`, into *caller; also sets
 * callee->cfa and callee->sigtramp, which only unwinding it tells.
 * Memory is read through rd(ctx, ...). The CFI row is looked up at
 * tr_unwind_lookup_pc(callee). Without CFI there, the caller is guessed
 * (TR_FRAME_GUESS): where the pc is exact, from a return address on top
 * of the stack; else, or failing that, along the frame pointer chain;
 * either return address must follow a call instruction.
 *
 * Returns 0; -TR_ENOENT at the outermost frame (the CFI says the return
 * address is undefined, as in _start and clone3; it is 0; or the frame
 * pointer chain ends with rbp 0); -TR_EFAULT when the stack cannot be
 * read; -TR_EINVAL when the frame cannot be unwound or the result is not
 * a plausible caller (a stack pointer that does not grow outwards outside
 * a signal frame, a guess that fails its checks); -TR_ENOMEM.
 */
int tr_unwind_step(struct tr_unwinder *u, struct tr_frame *callee,
		   tr_mem_reader rd, void *ctx, struct tr_frame *caller);

/*
 * tr_backtrace: up to `max` frames of a thread stopped with registers
 * `r`, innermost first; *n gets how many were filled. Returns 0 when the
 * outermost frame was reached; -TR_ERANGE when `max` frames were not
 * enough; otherwise the error of the step that could go no further
 * (-TR_EFAULT, -TR_EINVAL...), with the frames found until then (a
 * debugger shows them and says why it stopped). A signal frame whose pc
 * and stack pointer repeat an inner frame's ends the walk with
 * -TR_EINVAL (a loop; elsewhere the stack pointer must grow, so no loop
 * gets past tr_unwind_step). `frames` holds `max` frames.
 */
int tr_backtrace(struct tr_unwinder *u, const struct user_regs_struct *r,
		 tr_mem_reader rd, void *ctx, struct tr_frame *frames,
		 size_t max, size_t *n);

/*
 * A frame of a backtrace (unwind.h) as location expressions see it. The
 * accessor gives the registers the unwinder recovered (frame->valid); for
 * the innermost frame, pass the thread's registers as `regs` too, for the
 * xmm and x87 registers. The caller keeps `acc` alive while `out` is used.
 * out->pc is tr_unwind_lookup_pc(frame) (a return address - 1 in outer
 * frames); out->cfa is frame->cfa, known once the frame has been stepped
 * from (tr_unwind_step fills it in); out->func_die is left 0. With
 * acc->caller and acc->di, DW_OP_entry_value(DW_OP_regN) is read from the
 * caller's call site (DW_TAG_call_site_parameter), as gdb does.
 */
struct tr_unwind_loc {
	const struct tr_frame *frame;
	const struct tr_loc_regs *regs; /* innermost frame only, else NULL */
	/* Optional, for DW_OP_entry_value away from a function's entry:
	 * the frame that called this one (its own registers as the
	 * unwinder recovered them) and the debug information that finds
	 * its call site. Without them entry values are optimized out. */
	/* Optional: frame is in an array of unwound frames that starts
	 * at `first` (the innermost, whose registers are `regs0`). A
	 * register the CFI did not restore then reads as in the next
	 * frame in, as gdb reads it ("same value"): a location list that
	 * names it at a return address vouches for it (gcc's
	 * interprocedural register allocation keeps values in registers
	 * the callee is known not to touch). */
	const struct tr_frame *first;
	const struct tr_loc_regs *regs0;
	const struct tr_frame *caller;
	const struct tr_frame *end; /* caller is in an array of frames
				     * that ends here: the caller's own
				     * caller is caller + 1 before it */
	struct tr_debuginfo *di;
	bool inlined;       /* the frame is an inlined call's: its entry
			     * values are those that need no register
			     * (as gdb 13 finds them) */
	tr_mem_reader mem;  /* set by tr_unwind_loc_frame */
	void *mem_ctx;
};

int tr_unwind_loc_reg(void *acc, unsigned regno, void *buf, size_t len);

void tr_unwind_loc_frame(struct tr_loc_frame *out, struct tr_unwind_loc *acc,
			 uint64_t bias, tr_mem_reader mem, void *ctx);

/*
 * tr_unwind_entry: the value DWARF register `regno` had when the function
 * of acc->frame was entered (param 0), or the value of the parameter whose
 * DIE is `param`, from the call site in acc->caller (0), or -TR_ENOENT
 * when the call site does not say. The function is the frame's
 * outermost one (inlined calls have no entry of their own).
 */
int tr_unwind_entry(void *acc, unsigned regno, uint64_t param,
		    uint64_t *out);

#endif
