/* x86_insn.h: the length of an x86-64 instruction, and whether it can run at another address unchanged. */
#ifndef TR_TARGET_X86_INSN_H
#define TR_TARGET_X86_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What displaced execution needs to know about the instruction under a
 * breakpoint: its length, and whether a copy of it placed elsewhere,
 * followed by a jump back, does what the original would have done. That
 * excludes branches and calls (relative ones read rip, the others
 * would leave the copy behind), and anything that traps or changes the
 * privilege or flow (int, syscall, iret, ud2, hlt). Opcodes this decoder
 * does not know are not movable either: the caller then single-steps. A
 * rip-relative operand is movable if its displacement is adjusted.
 */
struct tr_insn {
	uint8_t len;
	bool movable;
	bool riprel;      /* has a rip-relative operand: its 32-bit
			     displacement at disp_off must be adjusted by
			     whoever moves it */
	uint8_t disp_off;
	/* Branches are decoded too (never movable), for scans of a
	 * function's code: `branch` for jumps, calls and returns; `has_rel`
	 * when the target is the next instruction + `rel` (jmp/jcc/call/loop
	 * with an 8- or 32-bit displacement); `indirect` for jmp and call
	 * through a register or memory (a jump table may go anywhere). */
	bool branch;
	bool has_rel;
	bool indirect;
	int32_t rel;
};

/* tr_insn_decode: decode the instruction at code[0..avail). -1 when it is
 * longer than avail or not understood (then out->movable is false). A
 * branch decodes (0) with movable false. */
int tr_insn_decode(const uint8_t *code, size_t avail, struct tr_insn *out);

#endif
