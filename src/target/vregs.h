/* vregs.h: the x87, SSE and AVX registers of a stopped thread, read from its XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE), as gdb shows them. */
#ifndef TR_TARGET_VREGS_H
#define TR_TARGET_VREGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct tr_tracer;

struct tr_vregs {
	uint8_t st[8][10];     /* st0..st7 (stack order), 80-bit, LE */
	uint32_t fctrl, fstat, ftag; /* ftag: the full 16-bit tag word */
	uint32_t fiseg, fioff, foseg, fooff, fop;
	uint32_t mxcsr;
	uint8_t xmm[16][16];   /* little-endian */
	bool has_avx;          /* XCR0 enables the upper halves of ymm */
	uint8_t ymmh[16][16];  /* ymm0..15's upper 128 bits */
	bool has_pkru;
	uint32_t pkru;
};

/*
 * tr_vregs_get: thread tid's (0: the current thread) floating-point and
 * vector registers. Components the thread has in their initial state
 * read as gdb shows them (zeros). Requester side, the target stopped.
 * 0, or a negative TR_E* (as tr_xstate_get / tr_fpregs_get).
 */
int tr_vregs_get(struct tr_tracer *t, pid_t tid, struct tr_vregs *out);

#endif
