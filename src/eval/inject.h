/* inject.h: calling a function of the target from tracerd (System V x86-64 ABI). */
#ifndef TR_EVAL_INJECT_H
#define TR_EVAL_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/event.h"

struct tr_tracer;

/*
 * The caller (the expression evaluator) classifies arguments and the
 * return value the way the ABI does (System V x86-64 psABI 3.2.3); this
 * module places them, runs the call and undoes it.
 *
 * An argument of up to 16 bytes is one or two eightbytes, each INTEGER
 * (a general register) or SSE (an xmm register); an argument that does not
 * fit in the registers left, or that is MEMORY class (a struct over 16
 * bytes, a long double), goes on the stack, at an offset aligned to 8 or
 * to its own alignment when that is more (16 for long double). A long
 * double comes back in st(0). A BLOB is bytes tracerd owns (a string
 * literal): they are copied to the target's stack below the call frame and
 * their address is passed as an INTEGER.
 */
enum tr_cls {
	TR_CLS_NONE = 0,    /* no second eightbyte / void return */
	TR_CLS_INTEGER = 1,
	TR_CLS_SSE = 2,
	TR_CLS_MEMORY = 3,  /* whole argument on the stack; a return value
			       through a hidden pointer in rdi */
	TR_CLS_BLOB = 4,    /* argument: copy bytes to the stack, pass the
			       address */
	TR_CLS_X87 = 5,     /* return value: long double (or a struct of
			       just one), in st(0); as an argument, a long
			       double is MEMORY class with 16-byte
			       alignment */
};

#define TR_CALL_MAX_ARGS 16

struct tr_call_arg {
	const void *bytes;
	size_t size;
	enum tr_cls cls[2];
	size_t align;       /* MEMORY on the stack: 16 for a long double or
			       an aggregate holding one; 0: 8 */
};

struct tr_call {
	uint64_t fn;                  /* run-time address to call */
	uint64_t ret_addr;            /* from tr_inject_prepare() */
	size_t nargs;
	struct tr_call_arg args[TR_CALL_MAX_ARGS];
	enum tr_cls ret_cls[2];       /* NONE NONE: void */
	size_t ret_size;
	void *ret;                    /* ret_size bytes of result */
	unsigned timeout_ms;          /* 0: none */
};

/*
 * tr_inject_call: call c->fn in thread tid (0: current) of the stopped
 * target, the other threads staying stopped, and put the value it returns
 * in c->ret. The thread's registers (general, orig_rax, the whole XSAVE
 * area) are saved first and restored afterwards whatever happens; the
 * stack above the original rsp minus the 128-byte red zone is not
 * written. The return address is an int3 tracerd owns at the program's
 * entry point.
 *
 * Errors, all with the thread restored and *why (may be NULL) telling
 * what happened in gdb's words: -TR_ECALL when the callee stopped before
 * returning, by a signal (SIGSEGV, SIGABRT...) or at a breakpoint (*stop,
 * which may be NULL, has the stop); -TR_ETIMEDOUT when it ran longer than
 * c->timeout_ms; -TR_EGONE when the target exited or was killed during
 * the call (nothing left to restore). Any thread but the tracer thread.
 */
int tr_inject_call(struct tr_tracer *t, pid_t tid, struct tr_call *c,
		   struct tr_event *stop, char *why, size_t whylen);

/*
 * tr_inject_prepare: find the program's entry point (AT_ENTRY in
 * /proc/PID/auxv), where injected calls return to an int3 that each
 * call plants and lifts; *ret_addr gets its address, for struct
 * tr_call.ret_addr. Once per target (again after an exec).
 */
int tr_inject_prepare(struct tr_tracer *t, pid_t pid, uint64_t *ret_addr);

#endif
