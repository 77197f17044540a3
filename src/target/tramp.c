/* tramp.c: breakpoints whose condition runs inside the target: a jump to a trampoline that tests it and traps only when it may hold. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/procfs.h"
#include "target/tracer_int.h"
#include "target/x86_insn.h"

/*
 * An int3 costs a stop and a resume: about 20 us of ptrace round trip
 * here (FIELD-NOTES), which caps a conditional breakpoint whose condition
 * is false at some 50,000 hits/s however fast the condition itself is.
 * gdbserver's fast tracepoints and Dyninst avoid the trap with a jump;
 * so does tracerd, for conditions simple enough to compile (session.c and
 * fastcond.c compile them to a `body` of machine code).
 *
 * The first 5 bytes at the breakpoint become `jmp rel32` to a trampoline
 * in the scratch area:
 *
 *   at:    lea -128(%rsp),%rsp        skip the red zone
 *          pushfq; push %rax; push %rcx; push %rdx
 *          lea -8N(%rsp),%rsp         N temporaries for the body
 *   body:  ...                        %rax = 0: the condition is false
 *   B:     lea 8N(%rsp),%rsp
 *          test %rax,%rax
 *          pop %rdx; pop %rcx
 *          jz fpath
 *          pop %rax; popfq; lea 128(%rsp),%rsp
 *   trap:  int3                       may be true: the tracer decides
 *   disp:  the instructions the jump covers, moved (jlen bytes)
 *          jmp *0(%rip); .quad addr + jlen
 *   fpath: pop %rax; popfq; lea 128(%rsp),%rsp
 *          jmp disp
 *
 * The body reads registers and memory only (it has no side effects), so
 * a thread stopped anywhere before `disp` can be put back at `addr` as
 * if it had not started (tramp_rollback): the tracer never shows a
 * stopped thread inside a trampoline. A thread at disp+k is shown at
 * addr+k (the moved instructions keep their lengths), and moved back on
 * resume. The int3 at `trap` reports as a hit of the breakpoint at addr,
 * which the tracer's own evaluation of the condition confirms or not, so
 * a body only needs to be right when it says "false".
 */

/* Layout offsets from `at`. */
#define PRO_LEN 14              /* prologue before the body */
#define EPI_LEN 22              /* B .. trap */
#define FPATH_LEN 12            /* pop, popfq, lea, jmp rel8 */
#define BACK_LEN 14             /* jmp *0(%rip); .quad */

/* Saved registers, by their offset below the thread's own rsp. */
enum { SV_FLAGS = 1, SV_RAX = 2, SV_RCX = 4, SV_RDX = 8 };

int
tr__tramp_request(struct tr_tracer *t, uint64_t addr, uint32_t bpnum,
		  const uint8_t *body, size_t blen, unsigned ntemps,
		  uint64_t func_lo, uint64_t func_hi)
{
	struct tr_bp *bp = tr__bp_find(t, addr);
	struct tr_tramp *tp;

	if (!bp)
		return -TR_ENOENT;
	if (ntemps > 15 || blen > 2048 || !blen)
		return -TR_EINVAL;
	tp = tr__tramp_of(t, bp);
	if (tp && (tp->st == TRAMP_WANTED || tp->st == TRAMP_JUMPED ||
		   tp->st == TRAMP_READY))
		return -TR_EEXIST;
	if (t->ntramps == t->cap_tramps) {
		size_t cap = t->cap_tramps ? t->cap_tramps * 2 : 8;
		struct tr_tramp *n = realloc(t->tramps, cap * sizeof(*n));

		if (!n)
			return -TR_ENOMEM;
		t->tramps = n;
		t->cap_tramps = cap;
	}
	tp = &t->tramps[t->ntramps];
	memset(tp, 0, sizeof(*tp));
	tp->body = malloc(blen);
	if (!tp->body)
		return -TR_ENOMEM;
	memcpy(tp->body, body, blen);
	tp->blen = blen;
	tp->ntemps = ntemps;
	tp->addr = addr;
	tp->bpnum = bpnum;
	tp->func_lo = func_lo;
	tp->func_hi = func_hi;
	tp->st = TRAMP_WANTED;
	bp->tramp = (uint32_t)++t->ntramps;
	t->tramp_want++;
	return 0;
}

/* FF /4 or /5: jmp through a register or memory (FF /2, /3 are calls). */
static bool
jmp_indirect(const uint8_t *p, size_t len)
{
	size_t o = 0;

	while (o < len && p[o] != 0xff)
		o++; /* prefixes, REX */
	return o + 1 < len && (((p[o + 1] >> 3) & 7) == 4 ||
			       ((p[o + 1] >> 3) & 7) == 5);
}

/*
 * Whether a jump of jlen bytes at addr is safe from the function's own
 * branches: none may land strictly inside it. A linear sweep of the
 * function from its start must pass through addr; an indirect jump (a
 * switch's table) could land anywhere, so one refuses too. With a first
 * instruction of 5 bytes or more there is nothing to check.
 */
static bool
no_branch_into(struct tr_tracer *t, struct tr_tramp *tp, uint8_t first)
{
	uint64_t lo = tp->func_lo, hi = tp->func_hi;
	size_t n, off = 0;
	uint8_t *code;
	bool seen = false, ok = true;

	if (first >= tp->jlen)
		return true;
	if (!lo || hi <= lo || tp->addr < lo || tp->addr >= hi ||
	    hi - lo > 1u << 20)
		return false;
	n = hi - lo;
	code = calloc(1, n + 16);
	if (!code)
		return false;
	if (tr__mem_read(t, lo, code, n, NULL) < 0)
		ok = false;
	while (ok && off < n) {
		struct tr_insn in;
		uint64_t at = lo + off;

		if (tr_insn_decode(code + off, n + 16 - off, &in) < 0) {
			ok = false;
			break;
		}
		if (at == tp->addr)
			seen = true;
		if (at > tp->addr && at < tp->addr + tp->jlen && !seen)
			ok = false;
		if (in.indirect && jmp_indirect(code + off, in.len))
			ok = false;
		if (in.has_rel) {
			uint64_t to = at + in.len + (int64_t)in.rel;

			if (to > tp->addr && to < tp->addr + tp->jlen)
				ok = false;
		}
		off += in.len;
	}
	free(code);
	return ok && seen;
}

/* ---- the scratch area ------------------------------------------------ */

#define SCRATCH_LEN (64 * 1024)

/*
 * One system call made by stopped thread th (mmap for the scratch area,
 * mprotect for watchpoints: watch.c): a `syscall` written
 * over the program's entry point (run once at start-up, never again, so
 * no other thread can be there), one single-step, everything put back.
 * The kernel's answer, or a negative TR_E* code.
 *
 * The step may first report something else, without the thread having
 * run an instruction (pc still at the entry point):
 *  - the interrupt of an all-stop that was still pending;
 *  - a signal, or a SIGTRAP already queued: a breakpoint hit or a
 *    completed step the tracer took earlier and meant to swallow (it is
 *    swallowed here);
 *  - the way out of a system call the thread is stopped in (a clone or
 *    exec event: TRAP_BRKPT). On that way out the kernel stores the
 *    call's result in rax, over ours. It is the thread's own, to be put
 *    back with the rest: the old value (-ENOSYS) would make a clone3
 *    whose thread runs already look unsupported, and glibc then clones
 *    a second thread on the same stack.
 * Each time, the call is set up again and stepped again.
 */
int64_t
tr__remote_syscall(struct tr_tracer *t, struct tr_thread *th, long nr,
		   const uint64_t args[6])
{
	struct user_regs_struct saved, call, r;
	uint64_t entry;
	uint8_t orig[2];
	int64_t ret = -TR_ESYS;
	int st;

	/* read once per program: a watchpoint's page faults make two of
	 * these calls each */
	if (!t->sys_entry && tr_proc_auxv(t->pid, AT_ENTRY, &t->sys_entry) < 0)
		t->sys_entry = 0;
	entry = t->sys_entry;
	if (!entry || t->memfd < 0 ||
	    pread(t->memfd, orig, 2, (off_t)entry) != 2 ||
	    ptrace(PTRACE_GETREGS, th->tid, NULL, &saved) < 0)
		return -TR_EFAULT;
	if (pwrite(t->memfd, "\x0f\x05", 2, (off_t)entry) != 2)
		return -TR_EFAULT;
	call = saved;
	call.rip = entry;
	call.rax = (unsigned long long)nr;
	call.orig_rax = (unsigned long long)-1; /* no restart of a syscall
						   the thread was in */
	call.rdi = args[0];
	call.rsi = args[1];
	call.rdx = args[2];
	call.r10 = args[3];
	call.r8 = args[4];
	call.r9 = args[5];
	atomic_fetch_add_explicit(&t->runs, 1, memory_order_relaxed);
	for (int tries = 0; tries < 8; tries++) {
		bool trap;
		siginfo_t si;

		if (ptrace(PTRACE_SETREGS, th->tid, NULL, &call) < 0 ||
		    ptrace(PTRACE_SINGLESTEP, th->tid, NULL, NULL) < 0 ||
		    waitpid(th->tid, &st, __WALL) != th->tid ||
		    !WIFSTOPPED(st) ||
		    ptrace(PTRACE_GETREGS, th->tid, NULL, &r) < 0)
			break;
		trap = !(st >> 16) && WSTOPSIG(st) == SIGTRAP;
		if (st >> 16 == PTRACE_EVENT_STOP)
			th->interrupt_sent = false;
		else if (!(st >> 16) && !trap && !th->resume_sig)
			th->resume_sig = WSTOPSIG(st); /* it gets it later */
		if (r.rip == entry + 2) {
			ret = (int64_t)r.rax;
			/* Reported before the step's own trap: that one is
			 * still queued, for the tracer to swallow. */
			if (!trap &&
			    tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) == 1)
				th->eat_step_trap = true;
			break;
		}
		if (r.rip != entry)
			break;
		/* Nothing ran. A call the thread was stopped in may have
		 * returned meanwhile: rax is then its result. */
		if (r.rax != call.rax)
			saved.rax = r.rax;
		if (!trap)
			continue;
		if (ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) < 0)
			break;
		if (si.si_code == SI_KERNEL && th->eat_sigtrap)
			th->eat_sigtrap = false;
		else if (si.si_code != SI_KERNEL && th->eat_step_trap)
			th->eat_step_trap = false;
		else if (si.si_code != TRAP_BRKPT && !th->resume_sig)
			th->resume_sig = SIGTRAP; /* the program's own */
	}
	ptrace(PTRACE_SETREGS, th->tid, NULL, &saved);
	if (pwrite(t->memfd, orig, 2, (off_t)entry) != 2)
		tr_log_warn("cannot restore the entry point at %#lx",
			    (unsigned long)entry);
	return ret;
}

/*
 * The scratch area (displaced copies, trampolines): 64 KiB mapped by the
 * target itself, within reach of a rel32 jump from the executable (its
 * program headers, AT_PHDR) when the address space allows: libraries may
 * be out of reach, their breakpoints then stay int3s and their displaced
 * copies single-steps. It stays after a detach, as memory a function
 * called by gdb maps does. Needs a stopped thread.
 */
int
tr__scratch_ensure(struct tr_tracer *t, struct tr_thread *th)
{
	uint64_t base, hints[3];
	int64_t got = -1;

	if (t->scratch)
		return 0;
	if (t->scratch_failed || !th || th->state != TH_STOPPED)
		return -TR_ENOENT;
	tr_proc_auxv(t->pid, AT_PHDR, &base); /* 0: anywhere below */
	base &= ~0xfffffull;
	/* below the module when there is room, else above its .bss */
	hints[0] = base > 0x20000000 ? base - 0x10000000 : base + 0x40000000;
	hints[1] = base > 0x20000000 ? base - 0x18000000 : base + 0x48000000;
	hints[2] = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t a[6] = { hints[i], SCRATCH_LEN,
				  PROT_READ | PROT_EXEC,
				  MAP_PRIVATE | MAP_ANONYMOUS |
					  (hints[i] ? MAP_FIXED_NOREPLACE : 0),
				  (uint64_t)-1, 0 };

		got = tr__remote_syscall(t, th, SYS_mmap, a);
		if (got > 0 && (uint64_t)got < 0xfffffffffffff000ull)
			break;
		if (got < 0 && got > -4096 && got != -EEXIST)
			break; /* the kernel said no for another reason */
	}
	if (got <= 0 || (uint64_t)got >= 0xfffffffffffff000ull) {
		t->scratch_failed = true;
		tr_log_info("no scratch area in %d: %s", t->pid,
			    got < 0 && got > -4096 ? strerror((int)-got) :
						     "mmap failed");
		return -TR_ENOMEM;
	}
	t->scratch = (uint64_t)got;
	t->scratch_len = SCRATCH_LEN;
	t->scratch_used = 0;
	tr_log_debug("scratch area of %d at %#lx", t->pid,
		     (unsigned long)t->scratch);
	return 0;
}

/* Emit the trampoline into the scratch area: 0, or why not. */
static int
tramp_build(struct tr_tracer *t, struct tr_tramp *tp)
{
	uint8_t code[16 + 15], *out;
	size_t size, k = 0, b;
	uint8_t first = 0;
	int64_t rel;
	uint64_t back;
	int err;

	if (tr__mem_read(t, tp->addr, code, sizeof(code), NULL) < 0)
		return -TR_EFAULT;
	/* The instructions the 5-byte jump covers, each movable. */
	while (k < 5) {
		struct tr_insn in;

		if (tr_insn_decode(code + k, sizeof(code) - k, &in) < 0 ||
		    !in.movable)
			return -TR_EINVAL;
		if (!first)
			first = in.len;
		k += in.len;
	}
	tp->jlen = (uint8_t)k;
	memcpy(tp->orig, code, 5);
	if (!no_branch_into(t, tp, first))
		return -TR_EINVAL;
	size = PRO_LEN + tp->blen + EPI_LEN + 1 + tp->jlen + BACK_LEN +
	       FPATH_LEN;
	size = (size + 15) & ~(size_t)15;
	if (!t->scratch || t->scratch_used + size > t->scratch_len)
		return -TR_ENOMEM;
	tp->at = t->scratch + t->scratch_used;
	rel = (int64_t)(tp->at - (tp->addr + 5));
	if (rel != (int32_t)rel)
		return -TR_ERANGE;
	out = malloc(size);
	if (!out)
		return -TR_ENOMEM;
	memset(out, 0xcc, size);
	b = 0;
	memcpy(out + b, "\x48\x8d\x64\x24\x80\x9c\x50\x51\x52\x48\x8d\x64\x24",
	       13);
	out[13] = (uint8_t)(-8 * (int)tp->ntemps);
	b = PRO_LEN;
	memcpy(out + b, tp->body, tp->blen);
	b += tp->blen;
	tp->epi = tp->at + b;
	memcpy(out + b, "\x48\x8d\x64\x24", 4);
	out[b + 4] = (uint8_t)(8 * tp->ntemps);
	memcpy(out + b + 5, "\x48\x85\xc0\x5a\x59\x74", 6);
	/* jz fpath: over pop, popfq, lea (10), the int3, the moved code and
	 * the jump back */
	out[b + 11] = (uint8_t)(10 + 1 + tp->jlen + BACK_LEN);
	memcpy(out + b + 12, "\x58\x9d\x48\x8d\xa4\x24\x80\x00\x00\x00", 10);
	b += EPI_LEN;
	tp->trap = tp->at + b;
	out[b++] = 0xcc;
	tp->disp = tp->at + b;
	/* The moved instructions, rip-relative operands rebased. */
	for (k = 0; k < tp->jlen;) {
		struct tr_insn in;

		tr_insn_decode(code + k, sizeof(code) - k, &in);
		memcpy(out + b + k, code + k, in.len);
		if (in.riprel) {
			int32_t d;
			int64_t nd;

			memcpy(&d, code + k + in.disp_off, 4);
			nd = (int64_t)d + (int64_t)(tp->addr - tp->disp);
			if (nd != (int32_t)nd) {
				free(out);
				return -TR_ERANGE;
			}
			d = (int32_t)nd;
			memcpy(out + b + k + in.disp_off, &d, 4);
		}
		k += in.len;
	}
	b += tp->jlen;
	back = tp->addr + tp->jlen;
	memcpy(out + b, "\xff\x25\x00\x00\x00\x00", 6);
	memcpy(out + b + 6, &back, 8);
	b += BACK_LEN;
	tp->fpath = tp->at + b;
	memcpy(out + b, "\x58\x9d\x48\x8d\xa4\x24\x80\x00\x00\x00\xeb", 11);
	out[b + 11] = (uint8_t)(int8_t)((int64_t)tp->disp -
					(int64_t)(tp->fpath + FPATH_LEN));
	b += FPATH_LEN;
	tp->end = tp->at + b;
	err = tr__raw_write(t, t->pid, t->memfd, tp->at, out, size, NULL);
	free(out);
	if (err < 0)
		return err;
	t->scratch_used += size;
	return 0;
}

/* Write the jump (every thread stopped). */
static int
tramp_jump(struct tr_tracer *t, struct tr_tramp *tp)
{
	uint8_t j[5];
	int32_t rel = (int32_t)(tp->at - (tp->addr + 5));
	int err;

	j[0] = 0xe9;
	memcpy(j + 1, &rel, 4);
	/* Byte 0 is our int3 until the rest is in place. */
	err = tr__raw_write(t, t->pid, t->memfd, tp->addr + 1, j + 1, 4, NULL);
	if (err == 0)
		err = tr__raw_write(t, t->pid, t->memfd, tp->addr, j, 1, NULL);
	if (err == 0)
		tp->st = TRAMP_JUMPED;
	return err;
}

/* Whether a thread keeps the jump out for now: one stepping over the
 * int3 there. One stopped inside the bytes the jump covers will run
 * their moved copy (in_patch, tr__tramp_resume). */
static bool
thread_blocks(struct tr_tracer *t, struct tr_tramp *tp)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		struct tr_thread *th = &t->threads[i];
		struct user_regs_struct r;

		if (th->over_bp == tp->addr || th->step_bp == tp->addr)
			return true;
		if (ptrace(PTRACE_GETREGS, th->tid, NULL, &r) == 0 &&
		    r.rip > tp->addr && r.rip < tp->addr + tp->jlen)
			th->in_patch = true;
	}
	return false;
}

void
tr__tramp_arm(struct tr_tracer *t)
{
	if (!t->tramp_want && !t->tramp_ready)
		return;
	for (size_t i = 0; !t->scratch && i < t->nthreads; i++)
		if (t->threads[i].state == TH_STOPPED &&
		    tr__scratch_ensure(t, &t->threads[i]) == 0)
			break;
	if (!t->scratch && !t->scratch_failed)
		return; /* another time */
	for (size_t i = 0; i < t->nbps; i++) {
		struct tr_bp *bp = &t->bps[i];
		struct tr_tramp *tp = tr__tramp_of(t, bp);
		int err;

		if (!tp || (tp->st != TRAMP_WANTED && tp->st != TRAMP_READY))
			continue;
		/* Only a site with one user, the breakpoint whose condition
		 * it is: anything else must see every hit. */
		if (bp->users != 1 || bp->raw || bp->trap) {
			tr__tramp_drop(t, bp);
			continue;
		}
		if (tp->st == TRAMP_WANTED) {
			t->tramp_want--;
			err = tramp_build(t, tp);
			if (err < 0) {
				tr_log_debug("breakpoint %u at %#lx: no jump "
					     "(%s), the int3 stays",
					     tp->bpnum, (unsigned long)tp->addr,
					     tr_strerror(err));
				tp->st = TRAMP_FAILED;
				free(tp->body);
				tp->body = NULL;
				bp->tramp = 0;
				continue;
			}
			tp->st = TRAMP_READY;
			t->tramp_ready++;
		}
		if (thread_blocks(t, tp))
			continue;
		if (tramp_jump(t, tp) == 0) {
			t->tramp_ready--;
			bp->disp = tp->disp;
		}
	}
}

/* The trampoline `rip` is in, or NULL. */
static struct tr_tramp *
tramp_at(struct tr_tracer *t, uint64_t rip)
{
	if (rip < t->scratch ||
	    rip >= t->scratch + t->scratch_used)
		return NULL;
	for (size_t i = 0; i < t->ntramps; i++)
		if (t->tramps[i].at && rip >= t->tramps[i].at &&
		    rip < t->tramps[i].end)
			return &t->tramps[i];
	return NULL;
}

/* Stack depth below the thread's own rsp, and what is saved, at rip
 * (before the moved code), from the layout above. */
static void
tramp_state(const struct tr_tramp *tp, uint64_t rip, unsigned *depth,
	    unsigned *saved)
{
	uint64_t off = rip - tp->at, e = tp->epi - tp->at;
	unsigned all = SV_FLAGS | SV_RAX | SV_RCX | SV_RDX;

	*saved = 0;
	*depth = 0;
	if (rip >= tp->fpath) {
		off = rip - tp->fpath;
		if (off == 0) {
			*depth = 144, *saved = SV_FLAGS | SV_RAX;
		} else if (off == 1) {
			*depth = 136, *saved = SV_FLAGS;
		} else if (off == 2) {
			*depth = 128;
		}
		return;
	}
	if (off >= 5 && off <= 9) {
		static const unsigned d[] = { 128, 136, 144, 152, 160 };
		static const unsigned s[] = { 0, SV_FLAGS, SV_FLAGS | SV_RAX,
					      SV_FLAGS | SV_RAX | SV_RCX, 0 };

		*depth = d[off - 5];
		*saved = off == 9 ? all : s[off - 5];
	} else if (off >= PRO_LEN && off <= e) {
		*depth = 160 + 8 * tp->ntemps, *saved = all;
	} else if (off == e + 5 || off == e + 8) {
		*depth = 160, *saved = all;
	} else if (off == e + 9) {
		*depth = 152, *saved = SV_FLAGS | SV_RAX | SV_RCX;
	} else if (off == e + 10 || off == e + 12) {
		*depth = 144, *saved = SV_FLAGS | SV_RAX;
	} else if (off == e + 13) {
		*depth = 136, *saved = SV_FLAGS;
	} else if (off == e + 14) {
		*depth = 128;
	}
}

static int
tramp_rollback(struct tr_tracer *t, struct tr_tramp *tp,
	       struct user_regs_struct *r)
{
	unsigned depth, saved;
	uint64_t top, v[4];

	tramp_state(tp, r->rip, &depth, &saved);
	top = r->rsp + depth;
	if (saved) {
		/* rdx, rcx, rax, flags from top-160 up */
		if (tr__mem_read(t, top - 160, v, sizeof(v), NULL) < 0)
			return -TR_EFAULT;
		if (saved & SV_RDX)
			r->rdx = v[0];
		if (saved & SV_RCX)
			r->rcx = v[1];
		if (saved & SV_RAX)
			r->rax = v[2];
		if (saved & SV_FLAGS)
			r->eflags = v[3];
	}
	r->rsp = top;
	r->rip = tp->addr;
	return 0;
}

/*
 * A thread stopped in a displaced copy (sites.c: the instruction,
 * then a jump back) is shown where it stands in the original code: at
 * the breakpoint, past it already (at_bp: it is not hit again), or
 * after the instruction.
 */
static bool
disp_stop(struct tr_tracer *t, struct tr_thread *th,
	  struct user_regs_struct *r)
{
	for (size_t i = 0; i < t->nbps; i++) {
		struct tr_bp *bp = &t->bps[i];
		struct tr_insn in;
		uint8_t code[16];

		if (bp->disp <= 1 || r->rip < bp->disp ||
		    r->rip >= bp->disp + TR_DISP_SLOT)
			continue;
		if (r->rip == bp->disp) {
			r->rip = bp->addr;
			th->at_bp = true;
		} else if (tr__mem_read(t, bp->addr, code, sizeof(code), NULL) ==
				   0 &&
			   tr_insn_decode(code, sizeof(code), &in) == 0 &&
			   r->rip == bp->disp + in.len) {
			r->rip = bp->addr + in.len;
		} else {
			return false;
		}
		ptrace(PTRACE_SETREGS, th->tid, NULL, r);
		return false;
	}
	return false;
}

/*
 * A thread stopped (status from waitpid) inside a trampoline is put back
 * where it stands in the original code. The trampoline's int3 becomes a
 * hit of the breakpoint at addr: pc is set to addr + 1, as the int3 of
 * a plain site leaves it. Returns true when the stop is to be swallowed
 * (a trap of a breakpoint deleted meanwhile).
 */
bool
tr__tramp_stop(struct tr_tracer *t, struct tr_thread *th, int status)
{
	struct user_regs_struct r;
	struct tr_tramp *tp;
	bool trap = false;

	if (!t->scratch_used || ptrace(PTRACE_GETREGS, th->tid, NULL, &r) < 0)
		return false;
	if (!(tp = tramp_at(t, r.rip)))
		return disp_stop(t, th, &r);
	if (r.rip == tp->disp) {
		siginfo_t si;

		if (!(status >> 16) && WSTOPSIG(status) == SIGTRAP)
			trap = ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) ==
				       0 && si.si_code == SI_KERNEL;
		else if (status >> 16 == PTRACE_EVENT_STOP &&
			 tr_proc_sig_pending(t->pid, th->tid, SIGTRAP) == 1)
			trap = true; /* queued: took_queued_hit() takes it */
		if (trap) {
			if (!tr__bp_find(t, tp->addr)) {
				/* its breakpoint is gone: go on */
				r.rip = tp->addr;
				if (status >> 16)
					th->eat_sigtrap = true;
				ptrace(PTRACE_SETREGS, th->tid, NULL, &r);
				return !(status >> 16);
			}
			r.rip = tp->addr + 1;
		} else {
			r.rip = tp->addr;
			th->at_bp = true;
		}
	} else if (r.rip > tp->disp && r.rip <= tp->disp + tp->jlen) {
		r.rip = tp->addr + (r.rip - tp->disp);
		th->in_patch = r.rip < tp->addr + tp->jlen;
	} else if (r.rip < tp->disp || r.rip >= tp->fpath) {
		if (tramp_rollback(t, tp, &r) < 0)
			return false;
		th->at_bp = false;
	} else {
		return false; /* inside the jump back: cannot be */
	}
	ptrace(PTRACE_SETREGS, th->tid, NULL, &r);
	return false;
}

/* Before a thread resumes: a pc on a jumped site that it must not hit
 * again (at_bp), or inside the jump, moves to the moved code. */
void
tr__tramp_resume(struct tr_tracer *t, struct tr_thread *th)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, th->tid, NULL, &r) < 0)
		return;
	th->in_patch = false;
	for (size_t i = 0; i < t->ntramps; i++) {
		struct tr_tramp *tp = &t->tramps[i];

		if (tp->st != TRAMP_JUMPED || r.rip < tp->addr ||
		    r.rip >= tp->addr + tp->jlen)
			continue;
		if (r.rip == tp->addr && !th->at_bp)
			return;
		r.rip = tp->disp + (r.rip - tp->addr);
		ptrace(PTRACE_SETREGS, th->tid, NULL, &r);
		return;
	}
}

/* Whether rip stands inside a jump (for a register write). */
bool
tr__tramp_inside(struct tr_tracer *t, uint64_t rip)
{
	for (size_t i = 0; i < t->ntramps; i++) {
		struct tr_tramp *tp = &t->tramps[i];

		if (tp->st == TRAMP_JUMPED && rip > tp->addr &&
		    rip < tp->addr + tp->jlen)
			return true;
	}
	return false;
}

void
tr__tramp_reset(struct tr_tracer *t)
{
	for (size_t i = 0; i < t->ntramps; i++)
		free(t->tramps[i].body);
	t->ntramps = 0;
	t->tramp_want = t->tramp_ready = 0;
	t->sys_entry = 0;
}
