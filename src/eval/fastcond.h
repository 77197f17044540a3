/* fastcond.h: breakpoint conditions compiled to x86-64 code that the target runs itself (see tramp.c). */
#ifndef TR_EVAL_FASTCOND_H
#define TR_EVAL_FASTCOND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eval/expr_parse.h"

struct tr_debuginfo;
struct tr_unwinder;

#define TR_FASTCOND_MAX 1024

struct tr_fastcond {
	uint8_t code[TR_FASTCOND_MAX]; /* the body, tr_direct_fast_cond()'s
					  contract */
	size_t len;
	unsigned ntemps;
	uint64_t func_lo, func_hi; /* the function around pc (0: unknown) */
};

/*
 * tr_fastcond_compile: compile condition `ast` as it reads at `pc` (a
 * breakpoint address, innermost frame) of process `pid`. What compiles:
 * integer, character, boolean, enum and pointer values of variables
 * (locals and parameters in registers or in the frame, globals and
 * statics of the module around pc), their members and elements at
 * constant indexes, literals, sizeof, and C's operators on them but
 * assignments, increments and calls: casts to integer types, arithmetic
 * with C's conversions, comparisons, logic, ?:. Anything else (floating
 * point, a pointer followed, a call, a register by name) does not: the
 * condition is then evaluated by the tracer at each hit, as before.
 *
 * Every variable's place is found by evaluating the expression with
 * made-up registers and memory twice (tracerd's own evaluator, so the
 * places are the ones it would read): a place that moves with a register
 * by the same offset both times is that register plus the offset; one
 * that does not move is a fixed address; anything else (a place that
 * depends on memory read) does not compile. Fixed addresses must be in
 * the module of pc, frame places based on %rsp or %rbp: the code never
 * reads memory that may be unmapped.
 *
 * 0 with *out filled, or -TR_ENOTSUP with `why` saying what stopped it.
 * `di` and `unw` are the calling thread's own.
 */
int tr_fastcond_compile(struct tr_debuginfo *di, struct tr_unwinder *unw,
			pid_t pid, uint64_t pc, const struct tr_ast *ast,
			struct tr_fastcond *out, char *why, size_t len);

#endif
