/* inject.c: calling a function of the target from tracerd (System V x86-64 ABI). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <unistd.h>
#include <elf.h>

#include "base/error.h"
#include "eval/inject.h"
#include "target/procfs.h"
#include "target/tracer.h"

/*
 * gdb leaves the red zone and some room below the stack pointer alone
 * before building a dummy frame; so do we (FIELD-NOTES: new rsp =
 * ((rsp - 256) & ~15) - 8 after pushing the return address).
 */
#define STACK_GAP 256
#define MAX_FRAME (64 * 1024)
#define XSTATE_MAX 16384
#define EFLAGS_DF 0x400

static const unsigned gp_order[6] = {
	offsetof(struct user_regs_struct, rdi),
	offsetof(struct user_regs_struct, rsi),
	offsetof(struct user_regs_struct, rdx),
	offsetof(struct user_regs_struct, rcx),
	offsetof(struct user_regs_struct, r8),
	offsetof(struct user_regs_struct, r9),
};

static uint64_t *
gp_reg(struct user_regs_struct *r, unsigned i)
{
	return (uint64_t *)((char *)r + gp_order[i]);
}

/* xmm register i of an FXSAVE area, low 8 bytes at xmm_space[4 * i]. */
static void *
xmm_reg(struct user_fpregs_struct *f, unsigned i)
{
	return &f->xmm_space[4 * i];
}

/* The entry point: a process that has not reached it yet (stopped at its
 * exec) goes over the trap; it is never executed again after that. The
 * trap itself is planted by each call and lifted after it (call_trap),
 * so that a daemon killed with SIGKILL between calls leaves no int3 at
 * the entry point (doc/INTERNALS.md). */
int
tr_inject_prepare(struct tr_tracer *t, pid_t pid, uint64_t *ret_addr)
{
	(void)t;
	return tr_proc_auxv(pid, AT_ENTRY, ret_addr);
}

struct trap_arg {
	uint64_t addr;
	bool on;
};

/* TR_OP_CALL: plant or lift the return trap, on the tracer thread. */
static int
call_trap(struct tr_tracer *t, void *arg)
{
	const struct trap_arg *a = arg;

	return tr_direct_call_trap(t, a->addr, a->on);
}

/* Where each argument goes: registers, or an offset in the stack area. */
struct layout {
	struct user_regs_struct regs;
	struct user_fpregs_struct fp;
	unsigned ngp, nsse;
	bool use_sse;
	uint8_t *frame;   /* bytes from rsp up */
	size_t frame_len;
	uint64_t rsp;
	uint64_t sret;
};

static size_t
round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* The offset from the first stack argument (16-byte aligned: rsp + 8 at
 * the call) where an argument goes after `off` bytes of others. */
static size_t
stack_slot(size_t off, const struct tr_call_arg *a)
{
	size_t al = a->cls[0] == TR_CLS_MEMORY && a->align > 8 ? a->align : 8;

	return (off + al - 1) & ~(al - 1);
}

/*
 * Build the call: blobs and the return buffer at the top of the area,
 * then the stack arguments (16-byte aligned, as the callee expects at
 * rsp + 8), then the return address. Registers per the psABI: an argument
 * of two eightbytes takes both of its registers or goes on the stack.
 */
static int
layout(const struct tr_call *c, const struct user_regs_struct *saved,
       struct layout *L, char *why, size_t whylen)
{
	uint64_t blob_addr[TR_CALL_MAX_ARGS] = { 0 };
	bool on_stack[TR_CALL_MAX_ARGS] = { false };
	size_t top = 0, args = 0, off;
	uint64_t base, sp;

	if (c->nargs > TR_CALL_MAX_ARGS)
		return -TR_EINVAL;
	for (size_t i = 0; i < c->nargs; i++)
		if (c->args[i].cls[0] == TR_CLS_BLOB)
			top += round16(c->args[i].size);
	if (c->ret_cls[0] == TR_CLS_MEMORY)
		top += round16(c->ret_size);
	L->regs = *saved;
	L->ngp = L->nsse = 0;
	if (c->ret_cls[0] == TR_CLS_MEMORY)
		L->ngp = 1; /* rdi: the hidden pointer */
	/* Registers first, to know what spills. */
	for (size_t i = 0; i < c->nargs; i++) {
		const struct tr_call_arg *a = &c->args[i];
		unsigned need_gp = 0, need_sse = 0;

		if (a->cls[0] == TR_CLS_MEMORY) {
			on_stack[i] = true;
			args = stack_slot(args, a);
			args += (a->size + 7) & ~(size_t)7;
			continue;
		}
		for (int k = 0; k < 2; k++) {
			if (a->cls[k] == TR_CLS_SSE)
				need_sse++;
			else if (a->cls[k] != TR_CLS_NONE)
				need_gp++;
		}
		if (L->ngp + need_gp > 6 || L->nsse + need_sse > 8) {
			on_stack[i] = true;
			args += a->cls[0] == TR_CLS_BLOB
					? 8 : (a->size + 7) & ~(size_t)7;
			continue;
		}
		L->ngp += need_gp;
		L->nsse += need_sse;
	}
	base = (saved->rsp - STACK_GAP) & ~(uint64_t)15;
	sp = ((base - top - args) & ~(uint64_t)15) - 8;
	L->frame_len = base - sp;
	if (L->frame_len > MAX_FRAME) {
		snprintf(why, whylen, "Arguments too large for the stack.");
		return -TR_EINVAL;
	}
	L->frame = calloc(1, L->frame_len);
	if (!L->frame)
		return -TR_ENOMEM;
	L->rsp = sp;
	memcpy(L->frame, &c->ret_addr, 8);
	/* The top area: blobs, then the return buffer. */
	off = base - top;
	for (size_t i = 0; i < c->nargs; i++) {
		if (c->args[i].cls[0] != TR_CLS_BLOB)
			continue;
		memcpy(L->frame + (off - sp), c->args[i].bytes,
		       c->args[i].size);
		blob_addr[i] = off;
		off += round16(c->args[i].size);
	}
	L->sret = c->ret_cls[0] == TR_CLS_MEMORY ? off : 0;

	/* Now the registers and the stack arguments, in order. */
	L->ngp = L->nsse = 0;
	if (L->sret)
		*gp_reg(&L->regs, L->ngp++) = L->sret;
	off = sp + 8;
	for (size_t i = 0; i < c->nargs; i++) {
		const struct tr_call_arg *a = &c->args[i];
		uint8_t word[16] = { 0 };

		if (a->cls[0] == TR_CLS_BLOB)
			memcpy(word, &blob_addr[i], 8);
		else
			memcpy(word, a->bytes, a->size < 16 ? a->size : 16);
		if (on_stack[i]) {
			size_t n = a->cls[0] == TR_CLS_BLOB ? 8 : a->size;

			off = sp + 8 + stack_slot(off - (sp + 8), a);
			memcpy(L->frame + (off - sp),
			       a->cls[0] == TR_CLS_BLOB ? word : a->bytes, n);
			off += (n + 7) & ~(size_t)7;
			continue;
		}
		for (int k = 0; k < 2; k++) {
			if (a->cls[k] == TR_CLS_SSE) {
				uint8_t *x = xmm_reg(&L->fp, L->nsse++);

				memset(x, 0, 16);
				memcpy(x, word + 8 * k, 8);
				L->use_sse = true;
			} else if (a->cls[k] != TR_CLS_NONE) {
				memcpy(gp_reg(&L->regs, L->ngp++),
				       word + 8 * k, 8);
			}
		}
	}
	L->regs.rsp = sp;
	L->regs.rip = c->fn;
	/* AL: vector registers used, for variadic callees; harmless to
	 * others. orig_rax -1: a thread stopped inside a system call must
	 * not have it restarted at the callee's first instruction. */
	L->regs.rax = L->nsse;
	L->regs.orig_rax = (uint64_t)-1;
	L->regs.eflags &= ~(uint64_t)EFLAGS_DF;
	return 0;
}

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* gdb's words when it unwinds a call that stopped (set unwindonsignal
 * on), which is what tracerd always does; the evaluator adds the
 * function's name ("Evaluation of the expression containing the
 * function ... will be abandoned."). */
#define RESTORED "tracerd has restored the context to what it was before " \
		 "the call."

int
tr_inject_call(struct tr_tracer *t, pid_t tid, struct tr_call *c,
	       struct tr_event *stop, char *why, size_t whylen)
{
	struct user_regs_struct saved, out;
	struct user_fpregs_struct outfp;
	uint8_t *xsave = NULL;
	size_t xsize = 0;
	struct layout L = { 0 };
	struct tr_req *r[10] = { 0 }, *plant;
	struct trap_arg on = { c->ret_addr, true }, off = { c->ret_addr, false };
	struct tr_event ev;
	size_t nr = 0, lift;
	int err, res;
	bool restored = false;

	if (why && whylen)
		why[0] = 0;
	xsave = malloc(XSTATE_MAX);
	if (!xsave)
		return -TR_ENOMEM;
	/* One dispatch plants the return trap and saves the thread's
	 * state. */
	plant = tr_req_get(t);
	plant->op = TR_OP_CALL;
	plant->fn = call_trap;
	plant->arg = &on;
	r[0] = tr_req_get(t);
	r[0]->op = TR_OP_REGS_GET;
	r[0]->tid = tid;
	r[0]->buf = &saved;
	r[0]->len = sizeof(saved);
	r[1] = tr_req_get(t);
	r[1]->op = TR_OP_XSTATE_GET;
	r[1]->tid = tid;
	r[1]->buf = xsave;
	r[1]->len = XSTATE_MAX;
	plant->next = r[0];
	r[0]->next = r[1];
	tr_req_submit(t, plant);
	err = tr_req_wait(t, r[1]);
	if (!err)
		err = plant->result ? plant->result : r[0]->result;
	xsize = r[1]->done;
	tr_req_put(t, plant);
	tr_req_put(t, r[0]);
	tr_req_put(t, r[1]);
	if (err) {
		tr_call(t, call_trap, &off);
		goto out;
	}
	/* The FXSAVE image starts the XSAVE area. */
	memcpy(&L.fp, xsave, sizeof(L.fp));
	err = layout(c, &saved, &L, why, whylen);
	if (err) {
		tr_call(t, call_trap, &off);
		goto out;
	}

	/*
	 * One dispatch does the rest: write the frame, set the registers,
	 * run the thread alone until it stops, read what it returned, put
	 * every register back. A failure cancels what follows it, so the
	 * restore is checked below and redone if it did not run.
	 */
#define ADD(opc, b, l)                                                      \
	do {                                                                \
		r[nr] = tr_req_get(t);                                      \
		r[nr]->op = (opc);                                          \
		r[nr]->tid = tid;                                           \
		r[nr]->buf = (b);                                           \
		r[nr]->len = (l);                                           \
		if (nr)                                                     \
			r[nr - 1]->next = r[nr];                            \
		nr++;                                                       \
	} while (0)
	ADD(TR_OP_MEM_WRITE, L.frame, L.frame_len);
	r[0]->addr = L.rsp;
	ADD(TR_OP_REGS_SET, &L.regs, sizeof(L.regs));
	if (L.use_sse)
		ADD(TR_OP_FPREGS_SET, &L.fp, sizeof(L.fp));
	ADD(TR_OP_RESUME_ONE, NULL, c->timeout_ms);
	size_t run = nr - 1;
	r[run]->flags = TR_REQ_WAIT_STOP;
	ADD(TR_OP_REGS_GET, &out, sizeof(out));
	size_t get = nr - 1;
	ADD(TR_OP_FPREGS_GET, &outfp, sizeof(outfp));
	ADD(TR_OP_REGS_SET, &saved, sizeof(saved));
	size_t rest = nr - 1;
	ADD(TR_OP_XSTATE_SET, xsave, xsize);
	size_t xset = nr - 1;
	ADD(TR_OP_CALL, NULL, 0);
	lift = nr - 1;
	r[lift]->fn = call_trap;
	r[lift]->arg = &off;
#undef ADD
	tr_req_submit(t, r[0]);
	tr_req_wait(t, r[nr - 1]);
	ev = r[run]->ev;
	res = r[run]->result;
	restored = r[rest]->result == 0 && r[xset]->result == 0;
	/* a failure earlier in the batch cancelled the lift: again */
	if (r[lift]->result && ev.type != TR_EV_EXIT &&
	    ev.type != TR_EV_KILLED)
		tr_call(t, call_trap, &off);
	err = 0;
	for (size_t i = 0; i < run && !err; i++)
		err = r[i]->result;
	if (!err)
		err = res;
	if (!err && r[get]->result)
		err = r[get]->result;
	for (size_t i = 0; i < nr; i++)
		tr_req_put(t, r[i]);
	if (!restored && !(ev.type == TR_EV_EXIT || ev.type == TR_EV_KILLED)) {
		int e1 = tr_regs_set(t, tid, &saved);
		int e2 = tr_xstate_set(t, tid, xsave, xsize);

		restored = !e1 && !e2;
	}
	if (stop)
		*stop = ev;
	if (err == -TR_EGONE || (!res && (ev.type == TR_EV_EXIT ||
					   ev.type == TR_EV_KILLED))) {
		if (ev.type == TR_EV_KILLED)
			say(why, whylen, "Program terminated with signal "
			    "SIG%s, %s.\nThe program being debugged was killed "
			    "while in a function called from tracerd.",
			    sigabbrev_np(ev.sig) ? sigabbrev_np(ev.sig) : "?",
			    sigdescr_np(ev.sig) ? sigdescr_np(ev.sig) : "?");
		else
			say(why, whylen, "The program being debugged exited "
			    "while in a function called from tracerd (exit "
			    "code %d).", ev.status);
		err = -TR_EGONE;
		goto out;
	}
	if (err)
		goto out;
	if (ev.reason == TR_STOP_BREAKPOINT && ev.pc == c->ret_addr &&
	    out.rsp == L.rsp + 8) {
		/* Returned: the result per the psABI's eightbyte classes. */
		uint8_t val[16] = { 0 };
		unsigned gi = 0, si = 0;

		for (int k = 0; k < 2 && c->ret_cls[0] != TR_CLS_MEMORY &&
				c->ret_cls[0] != TR_CLS_X87; k++) {
			if (c->ret_cls[k] == TR_CLS_SSE)
				memcpy(val + 8 * k, xmm_reg(&outfp, si++), 8);
			else if (c->ret_cls[k] == TR_CLS_INTEGER)
				memcpy(val + 8 * k, gi++ ? &out.rdx : &out.rax,
				       8);
		}
		if (c->ret_cls[0] == TR_CLS_X87) {
			/* st(0): FXSAVE keeps the x87 stack from its top,
			 * 16 bytes a register, 10 of them the value */
			memset(c->ret, 0, c->ret_size);
			memcpy(c->ret, outfp.st_space,
			       c->ret_size < 10 ? c->ret_size : 10);
		} else if (c->ret_cls[0] == TR_CLS_MEMORY)
			err = tr_mem_read(t, L.sret, c->ret, c->ret_size,
					  NULL);
		else if (c->ret_size)
			memcpy(c->ret, val,
			       c->ret_size < 16 ? c->ret_size : 16);
		if (!restored) {
			say(why, whylen, "Could not restore the registers "
			    "of the thread after the call.");
			err = -TR_ESYS;
		}
		goto out;
	}
	err = ev.reason == TR_STOP_TIMEOUT ? -TR_ETIMEDOUT : -TR_ECALL;
	if (ev.reason == TR_STOP_TIMEOUT)
		say(why, whylen, "The program being debugged timed out while "
		    "in a function called from tracerd (it ran longer than "
		    "%u ms).\n" RESTORED, c->timeout_ms);
	else if (ev.reason == TR_STOP_SIGNAL)
		say(why, whylen, "Program received signal SIG%s, %s.\nThe "
		    "program being debugged was signaled while in a function "
		    "called from tracerd.\n" RESTORED,
		    sigabbrev_np(ev.sig) ? sigabbrev_np(ev.sig) : "?",
		    sigdescr_np(ev.sig) ? sigdescr_np(ev.sig) : "?");
	else if (ev.reason == TR_STOP_BREAKPOINT)
		say(why, whylen, "The program being debugged stopped at "
		    "breakpoint %u while in a function called from tracerd.\n"
		    RESTORED, ev.bpnum);
	else
		say(why, whylen, "The program being debugged stopped while "
		    "in a function called from tracerd (stop reason %u).\n"
		    RESTORED, (unsigned)ev.reason);
out:
	free(L.frame);
	free(xsave);
	return err;
}
