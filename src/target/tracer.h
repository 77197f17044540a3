/* tracer.h: the tracer thread, which owns every ptrace and wait call of a session. */
#ifndef TR_TARGET_TRACER_H
#define TR_TARGET_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "base/error.h"
#include "target/event.h"
#include "target/slab.h"

/*
 * A struct tr_tracer is one debugging session: one target process (all of
 * its threads) and one thread, the tracer thread, that makes every ptrace
 * and wait call for it. Linux ties a tracee to the thread that attached to
 * it; any other thread gets ESRCH. Every other thread talks to the tracer
 * thread through the request slab (slab.h): the synchronous calls below
 * each take a slot, submit it and wait for it; the tr_req_* calls give the
 * asynchronous and batched forms.
 *
 * The model is all-stop: when one thread stops (breakpoint, signal, step),
 * the tracer stops every other thread before reporting the stop, and a
 * resume resumes them all. Stops and exits are published to subscribers
 * (event.h).
 *
 * SIGCHLD: the tracer thread learns of target stops through a signalfd, so
 * SIGCHLD must be blocked in every thread of the process. tr_tracer_new()
 * blocks it in the calling thread (threads created afterwards inherit the
 * mask); threads created before must block it themselves. The tracer also
 * polls on a short timeout while the target runs, so a stray delivery
 * delays a stop report but never loses it.
 */

/* Operations of a request slot (struct tr_req.op). Append-only. */
enum tr_op {
	TR_OP_NOP = 0,        /* nothing: measures the dispatch itself */
	TR_OP_CALL = 1,       /* result = fn(tracer, arg), on the tracer thread */
	TR_OP_PEEK = 2,       /* val = the word at addr (PTRACE_PEEKDATA) */
	TR_OP_POKE = 3,       /* the word at addr = val (PTRACE_POKEDATA) */
	TR_OP_MEM_READ = 4,   /* buf[0..len) = target memory at addr; done = bytes */
	TR_OP_MEM_WRITE = 5,  /* target memory at addr = buf[0..len); done = bytes */
	TR_OP_REGS_GET = 6,   /* buf = struct user_regs_struct of tid */
	TR_OP_REGS_SET = 7,
	TR_OP_FPREGS_GET = 8, /* buf = struct user_fpregs_struct (FXSAVE area) */
	TR_OP_FPREGS_SET = 9,
	TR_OP_XSTATE_GET = 10, /* buf[0..len) = XSAVE area; done = its size */
	TR_OP_XSTATE_SET = 11,
	TR_OP_STEP = 12,      /* single-step tid, delivering signal val;
				 len > 0: a range step of [addr, addr+len)
				 (see tr_step_range) */
	TR_OP_CONT = 13,      /* resume all threads; tid gets signal val */
	TR_OP_INTERRUPT = 14, /* stop all threads */
	TR_OP_KILL = 15,      /* kill the target; completes once it is reaped */
	TR_OP_DETACH = 16,    /* let the target go, as it was found; val 1:
				 passing no stop signal on */
	TR_OP_LAUNCH = 17,    /* arg = struct tr_launch *; val = pid */
	TR_OP_ATTACH = 18,    /* val = pid to attach to */
	TR_OP_BP_INSERT = 19, /* plant a breakpoint at addr */
	TR_OP_BP_REMOVE = 20, /* remove the breakpoint at addr */
	TR_OP_THREADS = 21,   /* buf = pid_t[len]; done = number of threads */
	TR_OP_STATE = 22,     /* buf = struct tr_state */
	TR_OP_SIGINFO_GET = 23, /* buf = siginfo_t of tid's last stop */
	TR_OP_RESUME_ONE = 24, /* run tid alone (an injected call); len =
				  timeout in ms, 0: none */
	TR_OP_SIGINFO_SET = 25, /* siginfo_t of tid's stop = buf (what the
				   signal passed on resume carries) */
	TR_OP_MAX_
};

/* Flags of a request (struct tr_req.flags). */
enum {
	/* STEP/CONT/INTERRUPT: complete only when the target has stopped
	 * again (or is gone), with the stop in req->ev. */
	TR_REQ_WAIT_STOP = 1 << 0,
};

/* A program to launch. */
struct tr_launch {
	const char *path;    /* program; searched in PATH when it has no '/' */
	char *const *argv;   /* NULL-terminated; NULL: { path, NULL } */
	char *const *envp;   /* NULL: the tracer's environment */
	const char *cwd;     /* NULL: the tracer's working directory */
	int stdin_fd;        /* descriptors for the target; -1: inherit */
	int stdout_fd;
	int stderr_fd;
};

/* A snapshot of the session. */
struct tr_state {
	pid_t pid;          /* target process, 0 when none */
	bool launched;      /* launched by us (else attached) */
	bool running;       /* some thread is running */
	bool gone;          /* the target exited or was killed */
	pid_t current_tid;  /* the thread of the last stop */
	unsigned nthreads;
	unsigned nbreakpoints;
	struct tr_event last_stop;
};

struct tr_tracer_opts {
	struct tr_slab_opts slab;
	/* On tr_tracer_free(): kill a launched target (default) or detach
	 * from it. Attached targets are always detached. */
	bool detach_launched;
	/* Range stepping off (gdb's `set range-stepping off`): a step
	 * request with a range steps one instruction (tr_step_range). */
	bool no_range_steps;
};

struct tr_tracer;

/*
 * tr_tracer_new: start a tracer thread with its slab (NULL opts:
 * defaults). Returns 0 or -TR_E*.
 */
int tr_tracer_new(const struct tr_tracer_opts *opts, struct tr_tracer **out);

/*
 * tr_tracer_free: detach from an attached target (breakpoints removed, the
 * target left running as it was found) or kill a launched one, complete
 * every pending request with -TR_ESHUTDOWN, stop the thread and free.
 * Not from the tracer thread.
 */
void tr_tracer_free(struct tr_tracer *t);

/* tr_tracer_slab: the slab, for tr_slab_stats_get() and the tr_req API. */
struct tr_slab *tr_tracer_slab(struct tr_tracer *t);

/* --- synchronous requests: any thread but the tracer thread ---------- */

/* Launch a program stopped at its first instruction after execve. */
int tr_launch(struct tr_tracer *t, const struct tr_launch *l, pid_t *pid);
/* Attach to every thread of a running process and stop them all. */
int tr_attach(struct tr_tracer *t, pid_t pid);
/* Remove breakpoints and let the target run on exactly as it was. */
int tr_detach(struct tr_tracer *t);
/* tr_detach_nosig: the same, but the signal each thread last stopped with
 * is not passed on (only one that arrived and was never reported is):
 * for a client that resumes with explicit signals, such as gdb, whose
 * own injected calls end in a SIGSEGV that must not reach the program. */
int tr_detach_nosig(struct tr_tracer *t);
/*
 * Forks and vforks (fork.c). tr_fork_events(on): a fork or vfork stops
 * the target with TR_STOP_FORK / _VFORK (the child in ev.child, held
 * stopped), and the end of a vfork with TR_STOP_VFORK_DONE; off (the
 * default), children are let go at once. A held child is let go (our
 * int3s out of its copy of the memory) by tr_fork_detach, or at the next
 * resume of the parent; tr_fork_follow detaches the parent (its memory as
 * found) and makes the child the target, with the breakpoint sites as they
 * are (a fork's copy of the memory has them; after a vfork they are taken
 * out, and the layer above forgets them as at an exec). tr_fork_unplant:
 * the original byte of site `addr` back in a held fork child's memory
 * (gdb's z0 there), the site staying in the parent. tr_fork_held: whether
 * pid is a held child.
 */
int tr_fork_events(struct tr_tracer *t, bool on);
int tr_fork_detach(struct tr_tracer *t, pid_t child);
int tr_fork_follow(struct tr_tracer *t, pid_t child);
int tr_fork_unplant(struct tr_tracer *t, pid_t child, uint64_t addr);
bool tr_fork_held(struct tr_tracer *t, pid_t pid);

/* Kill the target and wait until it is reaped. */
int tr_kill(struct tr_tracer *t);

/*
 * Memory of any size, straight from and into the caller's buffer. A read
 * or write that meets an unmapped page fails with -TR_EFAULT; *done (may
 * be NULL) tells how many bytes were transferred before it. Reads show the
 * original bytes under our breakpoints; writes to code work (read-only
 * pages are written through /proc/PID/mem) and keep breakpoints in place.
 */
int tr_mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
		size_t *done);
int tr_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf,
		 size_t len, size_t *done);
/* tr_mem_read_cb: tr_mem_read as a memory-reader callback (the
 * tr_mem_reader of unwind.h), `tracer` being the struct tr_tracer. */
int tr_mem_read_cb(void *tracer, uint64_t addr, void *buf, size_t len);

/* One word with PTRACE_PEEKDATA / POKEDATA; tid 0: the current thread. */
int tr_peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val);
int tr_poke(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t val);

/* Registers of a stopped thread (tid 0: the current thread). */
int tr_regs_get(struct tr_tracer *t, pid_t tid, struct user_regs_struct *r);
int tr_regs_set(struct tr_tracer *t, pid_t tid,
		const struct user_regs_struct *r);
int tr_fpregs_get(struct tr_tracer *t, pid_t tid, struct user_fpregs_struct *f);
int tr_fpregs_set(struct tr_tracer *t, pid_t tid,
		  const struct user_fpregs_struct *f);
/* The whole XSAVE area (x87, SSE, AVX...): *size gets its length. */
int tr_xstate_get(struct tr_tracer *t, pid_t tid, void *buf, size_t len,
		  size_t *size);
int tr_xstate_set(struct tr_tracer *t, pid_t tid, const void *buf, size_t len);
/* siginfo of the last stop of tid. */
int tr_siginfo_get(struct tr_tracer *t, pid_t tid, void *siginfo);
int tr_siginfo_set(struct tr_tracer *t, pid_t tid, const void *siginfo);

/*
 * Execution. `ev` NULL: return once resumed; stops come as events.
 * `ev` non-NULL: return when the target has stopped again (or is gone),
 * with that stop in *ev. tr_step single-steps tid (0: current) alone;
 * tr_cont resumes every thread and delivers `sig` to tid (0: the signal the
 * current thread stopped with is passed on, as gdb does; -1: none).
 * tr_interrupt stops every thread; with `ev`, it returns once stopped.
 *
 * A range step (tr_step_range, or a TR_OP_STEP request with addr/len
 * set, as control/stepping.c submits it; no signal delivered): the tracer thread single-steps tid
 * again by itself, without a round trip, while its pc stays inside
 * [addr, addr+len), its stack pointer does not change, no breakpoint
 * site is at the pc and no watchpoint exists, at most TR_RANGE_STEPS
 * times; the stop's ev.steps says how many instructions ran. As
 * gdbserver's range stepping (vCont;r) saves gdb a round trip per
 * instruction of a line.
 */
#define TR_RANGE_STEPS 4096
int tr_step(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev);
int tr_step_range(struct tr_tracer *t, pid_t tid, uint64_t lo, uint64_t hi,
		  struct tr_event *ev);
int tr_cont(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev);
int tr_interrupt(struct tr_tracer *t, struct tr_event *ev);

/*
 * tr_resume_one: let thread tid (0: current) run alone, every other thread
 * staying stopped, until it stops; *ev gets that stop. Made for injected
 * calls: no breakpoint is stepped over (the caller has moved the pc), no
 * pending stop of another thread is reported instead, the thread gets no
 * signal, and the signal it had stopped with is still the one it will get
 * on the next ordinary resume, whatever the call ran into. A thread still
 * running after timeout_ms (0: no limit) is interrupted: ev->reason is
 * then TR_STOP_TIMEOUT.
 */
int tr_resume_one(struct tr_tracer *t, pid_t tid, unsigned timeout_ms,
		  struct tr_event *ev);

/*
 * tr_call_trap_insert: an int3 at addr that injected calls return to: it
 * stops a thread running tr_resume_one() (TR_STOP_BREAKPOINT there), and
 * any other thread goes over it as if it were not there (the program's
 * own startup runs through the entry point, where tracerd puts it).
 */
int tr_call_trap_insert(struct tr_tracer *t, uint64_t addr);
/* tr_direct_call_trap: plant (on) or lift (!on) that int3, on the
 * tracer thread (a TR_OP_CALL in an injected call's batches: it is in
 * the target only while a call runs). 0 or -TR_E*. */
int tr_direct_call_trap(struct tr_tracer *t, uint64_t addr, bool on);

/* Breakpoint sites: an int3 the tracer owns. A hit stops the target with
 * TR_STOP_BREAKPOINT, pc rewound to addr; resuming steps over it.
 * tr_bp_insert of a site planted already gives -TR_EEXIST, after
 * planting its int3 again if the memory under it was mapped again since
 * (a library closed and opened again at the same address). */
int tr_bp_insert(struct tr_tracer *t, uint64_t addr);
int tr_bp_remove(struct tr_tracer *t, uint64_t addr);

/* Thread ids of the target, in the order they were found (stable while
 * the target is stopped); *n gets the count (may exceed `max`). */
int tr_threads(struct tr_tracer *t, pid_t *tids, size_t max, size_t *n);
/* tr_threads_all: every thread id, however many, in *tids (malloc'd, the
 * caller frees it) and their count in *n. */
int tr_threads_all(struct tr_tracer *t, pid_t **tids, size_t *n);
int tr_state_get(struct tr_tracer *t, struct tr_state *st);

/* A no-op round trip through the slab. */
int tr_nop(struct tr_tracer *t);

/*
 * tr_call: run fn(t, arg) on the tracer thread and return its result
 * (what Go's mainthread.Call is). fn may use the tr_direct_* calls below,
 * so a batch of ptrace work costs one dispatch.
 */
int tr_call(struct tr_tracer *t, int (*fn)(struct tr_tracer *, void *),
	    void *arg);

/* --- asynchronous and batched requests ------------------------------ */

/*
 * tr_req_get returns a zeroed slot; fill op, flags and arguments (or use a
 * tr_req_set_* helper), chain others through `next` for a batch, submit
 * the head, wait (on the last of a batch), read results, put each back.
 */
struct tr_req *tr_req_get(struct tr_tracer *t);
void tr_req_submit(struct tr_tracer *t, struct tr_req *head);
int tr_req_wait(struct tr_tracer *t, struct tr_req *r);
void tr_req_put(struct tr_tracer *t, struct tr_req *r);

/* --- on the tracer thread only (inside tr_call) ---------------------- */

int tr_direct_peek(struct tr_tracer *t, pid_t tid, uint64_t addr,
		   uint64_t *val);
int tr_direct_mem_read(struct tr_tracer *t, uint64_t addr, void *buf,
		       size_t len, size_t *done);
int tr_direct_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf,
			size_t len, size_t *done);
int tr_direct_regs_get(struct tr_tracer *t, pid_t tid,
		       struct user_regs_struct *r);
int tr_direct_regs_set(struct tr_tracer *t, pid_t tid,
		       const struct user_regs_struct *r);
/* The target's pid (0: none, or gone). */
pid_t tr_direct_pid(const struct tr_tracer *t);
/* 0 when there is a target; -TR_ENOTARGET, or -TR_EGONE once it exited. */
int tr_direct_need_target(const struct tr_tracer *t);

/*
 * tr_direct_fast_cond: from a breakpoint condition (tracer thread), the
 * condition of breakpoint `bpnum` at `addr` compiled to x86-64 code the
 * target runs itself (tramp.c): at the next moment every thread is
 * stopped, the site becomes a jump to a trampoline that runs `body` and
 * traps only when it leaves %rax non-zero, so hits where the condition
 * is false cost no stop at all. A trap is still a hit whose condition
 * the tracer evaluates: the body may say "maybe" (non-zero) whenever it
 * is not sure, never "false" when the condition holds.
 *
 * The body's contract: [%rsp + 8*i] for i < ntemps (at most 15) are its
 * temporaries; the thread's own %rdx, %rcx, %rax and rflags are at
 * [%rsp + 8*ntemps + 0, 8, 16, 24], and its own %rsp is %rsp + 8*ntemps
 * + 160. It may change %rax, %rcx, %rdx and the flags only, must not
 * push, pop or write memory but its temporaries, and ends by running
 * off its end. [func_lo, func_hi) is the function around addr: when
 * the jump covers more than one instruction, its code is scanned for
 * branches into the covered bytes (none, or no jump). -TR_EEXIST when
 * the site has one already.
 */
/* tr_run_count: how many times the target has been resumed (continue,
 * step) or its dynamic linker has changed the libraries; any thread may
 * ask. The modules it maps can only change when this moves, so a cache
 * of them (a struct tr_debuginfo) need not be refreshed until then. */
uint64_t tr_run_count(struct tr_tracer *t);

int tr_direct_fast_cond(struct tr_tracer *t, uint64_t addr, uint32_t bpnum,
			const uint8_t *body, size_t blen, unsigned ntemps,
			uint64_t func_lo, uint64_t func_hi);

/* --- watchpoints (watch.c) ------------------------------------------ */

/*
 * Watchpoints, by the x86 debug registers or by page protection.
 *
 * Debug registers (where tr_watch_probe says they fire, or when forced
 * by tr_watch_set_mechanism): a range cut into at most four aligned
 * pieces of 1, 2, 4 or 8 bytes (32 bytes at most, fewer when
 * misaligned) gets DR0-DR3 and DR7 on every thread, set on a new thread
 * at its first stop and cleared on detach; -TR_ENOSPC when too few are
 * left. A longer or misaligned range uses page protection, as on a
 * machine whose debug registers do not fire.
 *
 * Page protection: the pages under a watched range are
 * mprotect()ed by a system call the target makes (read-only for a write
 * watchpoint, no access for a read or access one); a fault there is ours
 * when it hits one of those pages: the thread steps over the access with
 * the pages as found (every other thread stopped), they are protected
 * again, and the access triggers a watchpoint when it changed the value
 * (write; access too) or when the bytes the faulting instruction
 * accesses meet the range (read, access: its explicit memory operands'
 * addresses and sizes, decoded with Capstone; an implicit access such
 * as a push or a pop, or one not decoded: up to 31 bytes from the fault
 * address, the widest access of one instruction).
 *
 * Either way a trigger stops with TR_STOP_WATCH, bpnum the watchpoint,
 * addr its address, pc past the access. Any other fault is the program's
 * own and reaches it as without us. Injected calls trigger nothing (the
 * values are followed). A fork child gets its copies of the protected
 * pages back as found before it is let go.
 *
 * System calls: the kernel's own accesses (read(2), recv(2),
 * getrandom(2)... into a watched page; write(2) from a read- or
 * access-watched one) would fail with EFAULT on a protected page. So
 * while pages are protected, threads resume with PTRACE_SYSCALL: at the
 * entry of a call whose buffers (the (address, length) arguments of the
 * calls that have them, the iovecs of readv/recvmsg and kin, any other
 * argument's first byte) lie on a protected page, every page is opened
 * (a remote mprotect made by that thread, in place of its call, which is
 * then made again), and at its exit protected again and the watchpoints
 * compared: a change reports a write or access watchpoint there, with
 * the pc after the call; buffers over a read or access watched range
 * report it too. What it costs: two stops per system call of the
 * program while a page is protected (bench/watch's syscall_stop_us).
 * Limits: while one thread's call has the pages open (a read(2) that
 * blocks keeps them so), the accesses of the other threads go unseen
 * but a change is still reported at the call's exit; a thread making
 * an injected call is not traced so. The debug registers need none of
 * this (the kernel's writes do not trigger them: a change made by a
 * system call is seen at the next trigger only).
 */
enum tr_watch_kind {
	TR_WATCH_WRITE = 1,  /* gdb's watch: reported when the value changed */
	TR_WATCH_READ = 2,   /* rwatch: reported at each access that left
				the value as it was (x86 cannot tell a read
				from a write: a change is taken for a write) */
	TR_WATCH_ACCESS = 3, /* awatch: at each access */
};

#define TR_WATCH_MAX_LEN (64 * 1024)
/* How many watchpoints a target may have at once (-TR_ENOSPC past it):
 * each fault is checked against every one. */
#define TR_WATCH_MAX_COUNT 64

/* A condition evaluated on the tracer thread at a trigger: 1 stops, 0
 * goes on, negative TR_E* stops (as breakpoint conditions). */
typedef int (*tr_watch_cond_fn)(struct tr_tracer *t, pid_t tid, uint32_t id,
				void *ctx);

struct tr_watch_state {
	int kind;
	uint64_t addr;
	size_t len;
	uint64_t hits;      /* triggers that stopped (condition true) */
	uint64_t scope_pc;  /* 0: not scoped */
	uint64_t scope_cfa;
	const char *mechanism; /* "debug-registers" or "page-protection" */
	uint32_t ignore;    /* triggers still to go on through */
};

/*
 * tr_direct_watch_add: watchpoint `id` (numbered by the layer above) on
 * [addr, addr + len), len 1..TR_WATCH_MAX_LEN. scope_pc non-zero: it
 * goes, stopping with TR_STOP_WATCH_SCOPE, when a thread reaches
 * scope_pc with rsp >= scope_cfa (the frame of the local returned). The
 * target must be stopped. -TR_EFAULT: the range is not mapped;
 * -TR_EEXIST: the id is taken; -TR_ERUNNING. Tracer thread.
 */
int tr_direct_watch_add(struct tr_tracer *t, uint32_t id, int kind,
			uint64_t addr, size_t len, uint64_t scope_pc,
			uint64_t scope_cfa, tr_watch_cond_fn cond, void *ctx);
/* tr_direct_watch_del: remove it, the pages back as they were found when
 * no other watchpoint needs them. -TR_ENOENT. */
int tr_direct_watch_del(struct tr_tracer *t, uint32_t id);
int tr_direct_watch_cond(struct tr_tracer *t, uint32_t id,
			 tr_watch_cond_fn cond, void *ctx);
/* tr_direct_watch_ignore: go on through the next `count` triggers (each
 * counted as a hit, as gdb counts ignored crossings). -TR_ENOENT. */
int tr_direct_watch_ignore(struct tr_tracer *t, uint32_t id, uint32_t count);
/* tr_direct_watch_get: its state; old (the value before the last change
 * reported) and now (the value as last seen), up to max bytes each (NULL:
 * skip). -TR_ENOENT. */
int tr_direct_watch_get(struct tr_tracer *t, uint32_t id,
			struct tr_watch_state *st, void *old, void *now,
			size_t max);
/* The ids of the watchpoints; *n gets the count (may exceed max). */
void tr_direct_watch_list(struct tr_tracer *t, uint32_t *ids, size_t max,
			  size_t *n);

/* What tr_watch_probe found out about the debug registers. */
struct tr_watch_probe_result {
	bool fires;       /* a debug-register watchpoint fired */
	char why[160];    /* what was seen, in words */
};

/*
 * tr_watch_probe: find out once per process (the first call forks a tiny
 * child that writes a word watched through DR0/DR7) whether the x86 debug
 * registers fire on this machine; later calls return the same answer.
 * Any thread but a tracer thread.
 */
const struct tr_watch_probe_result *tr_watch_probe(void);
enum tr_watch_mech {
	TR_WATCH_MECH_AUTO = 0,  /* debug registers if the probe says they
				    fire (tr_watch_probe called first), else
				    page protection */
	TR_WATCH_MECH_DR = 1,    /* debug registers, fire or not */
	TR_WATCH_MECH_PAGES = 2, /* page protection */
};
/* tr_watch_set_mechanism: what later watchpoints use, for the whole
 * process (tracerd --watch-mechanism). 0 or -TR_EINVAL. Any thread. */
int tr_watch_set_mechanism(int mech);
/* "debug-registers" or "page-protection": what a watchpoint set now
 * would use (a range too long for the registers uses pages). */
const char *tr_watch_mechanism(void);

/* --- the layer above: what a hit at a site means --------------------- */

/*
 * The tracer plants sites and sees them hit; what a hit means (which user
 * breakpoint, its condition, hit and ignore counts, the dynamic linker's
 * library events) is the business of the layer above (control/
 * breakpoint.c), which the tracer calls only through these hooks. Every
 * hook runs on the tracer thread; `ctx` is the one given with them.
 *
 * hit: a thread hit the site at `addr` (pc already rewound): return true
 *   to stop and report it, with *bpnum the breakpoint that stops (0:
 *   none). A raw site (tr_bp_insert) stops whatever this says. It may use
 *   the tr_direct_* calls.
 * reset: the target is gone (exited, killed, exec'd, detached): forget
 *   everything about it. Its sites are gone already.
 * release: the tracer is being freed: free ctx.
 */
struct tr_site_hooks {
	bool (*hit)(struct tr_tracer *t, void *ctx, pid_t tid, uint64_t addr,
		    uint32_t *bpnum);
	void (*reset)(struct tr_tracer *t, void *ctx);
	void (*release)(void *ctx);
};

/* tr_direct_hooks_set: install the hooks (one set per tracer; they
 * replace the old ones). tr_direct_hooks_ctx: the ctx installed with
 * them, or NULL. Tracer thread only. */
void tr_direct_hooks_set(struct tr_tracer *t, const struct tr_site_hooks *h,
			 void *ctx);
void *tr_direct_hooks_ctx(struct tr_tracer *t);

/*
 * Sites shared by the layer above, counted: the first tr_direct_site_get
 * at an address plants an int3 there, the last tr_direct_site_put lifts
 * it. A hit at such a site asks hooks.hit. tr_direct_site_cond_drop takes
 * out the condition compiled into the target at `addr` (tr_direct_fast_
 * cond), if any: the int3 is back and every hit asks hooks.hit again.
 */
int tr_direct_site_get(struct tr_tracer *t, uint64_t addr);
/*
 * Hardware breakpoints (watch.c): an execute breakpoint in a debug
 * register (DR7 RW=00, length 1), on every thread of the target,
 * threads created later too, cleared on detach; the registers are
 * shared with watchpoints. Counted like sites: tr_direct_hbp_get at an
 * address takes a register the first time, tr_direct_hbp_put frees it
 * with the last reference. A hit stops with TR_STOP_BREAKPOINT (pc at
 * addr: nothing to rewind) when hooks.hit says so; resuming goes over
 * it. -TR_ENOSPC when no register is free, -TR_ENOTSUP when the debug
 * registers do not fire on this machine (tr_watch_probe) and they are
 * not forced (tr_watch_set_mechanism), -TR_EFAULT when nothing is
 * mapped at addr. tr_hbp_insert/remove: the same from any thread, for
 * a client that decides itself (the GDB remote protocol's Z1): its
 * hits always stop, with bpnum 0.
 */
int tr_direct_hbp_get(struct tr_tracer *t, uint64_t addr);
void tr_direct_hbp_put(struct tr_tracer *t, uint64_t addr);
int tr_hbp_insert(struct tr_tracer *t, uint64_t addr);
int tr_hbp_remove(struct tr_tracer *t, uint64_t addr);
/* tr_hbp_at: whether a hardware breakpoint is set at addr (any thread). */
bool tr_hbp_at(struct tr_tracer *t, uint64_t addr);
void tr_direct_site_put(struct tr_tracer *t, uint64_t addr);
void tr_direct_site_cond_drop(struct tr_tracer *t, uint64_t addr);

/* tr_direct_libs_changed: the dynamic linker changed the libraries (the
 * layer above saw its breakpoint): tr_run_count moves, so caches of the
 * modules are read again, and sites whose memory was mapped again since
 * (a library closed and opened at the same address) get their int3s
 * back. */
void tr_direct_libs_changed(struct tr_tracer *t);

#endif
