/* tracer_int.h: the tracer's state, shared by its modules (not exported). */
#ifndef TR_TARGET_TRACER_INT_H
#define TR_TARGET_TRACER_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/user.h>

#include "target/event.h"
#include "target/slab.h"
#include "target/tracer.h"

/* Private request ops, beyond enum tr_op. */
enum {
	TR_OP_QUIT_ = 200,   /* end the tracer thread */
	TR_OP_SUB_ADD_ = 201,
	TR_OP_SUB_DEL_ = 202,
};

/* Result of an op that completes later (kept in the deferred list). */
#define TR_DEFERRED 1

enum thread_state {
	TH_RUNNING = 0,
	TH_STOPPED = 1,
	TH_EXITING = 2, /* past PTRACE_EVENT_EXIT: left alone until reaped */
};

struct tr_thread {
	pid_t tid;
	enum thread_state state;
	bool fresh;          /* auto-attached, initial stop not seen yet */
	bool interrupt_sent; /* a PTRACE_INTERRUPT is outstanding */
	bool interrupted;    /* interrupted since it was last resumed: the
				stop-all in progress need not ask again */
	bool at_bp;          /* stopped by one of our breakpoints, pc rewound */
	bool stepping;       /* user single-step in progress */
	bool has_pending;    /* a stop not reported yet (all-stop) */
	bool eat_sigtrap;    /* a breakpoint hit taken at an interrupt stop:
				its SIGTRAP is still queued, swallow it */
	bool eat_step_trap;  /* likewise the trap of a completed step */
	uint64_t step_from;  /* pc where the user's step started */
	/* A range step (TR_OP_STEP with a range): the tracer steps again
	 * by itself while pc stays in [range_lo, range_hi) and the stack
	 * pointer stays range_sp (tr_step_range in target/tracer.h); range_hi 0: one step. */
	uint64_t range_lo, range_hi, range_sp;
	uint32_t range_steps; /* instructions stepped so far */
	int resume_sig;      /* signal to deliver when resumed */
	uint64_t step_bp;    /* breakpoint lifted for this step, or 0 */
	uint64_t over_bp;    /* breakpoint lifted to step over it, or 0 */
	bool in_patch;       /* pc shown inside a jumped site (tramp.c):
				moved back on resume */
	/* The pc it stopped at, read before the first register write
	 * since (stop_pc_known), and whether its pc has been moved from
	 * there (pc_moved: a jump). As gdb (infrun.c's proceed), a thread
	 * resumed where it stopped steps over a breakpoint there; one
	 * whose pc was moved onto a breakpoint hits it. */
	uint64_t stop_pc;
	bool stop_pc_known;
	bool pc_moved;
	bool calling;        /* running alone for tr_resume_one() */
	int saved_sig;       /* resume_sig from before that run */
	bool wp_wait;        /* faulted on a page watch.c protects: steps
				over the access once the others stopped */
	bool wp_stepping;    /* stepping that access, pages unprotected */
	uint64_t wp_fault;   /* the address it faulted at */
	uint64_t wp_lo, wp_hi; /* the bytes its instruction accesses
				  (decoded at the fault; watch.c) */
	bool sys_open;       /* in a system call whose buffers lie on
				protected pages: they are open until its
				exit (watch.c) */
	bool sys_reissue;    /* its system call was made again after the
				pages were opened: the next entry is it */
	uint64_t sys_lo, sys_hi; /* the buffers it was given, as one range */
	struct tr_event pending;
};

/* A breakpoint site: one int3 in the target, shared by every user
 * breakpoint located there (breakpoint.c) and by tr_bp_insert(). */
struct tr_bp {
	uint64_t addr;
	uint8_t orig;
	bool raw;       /* planted by tr_bp_insert(): always stops */
	uint32_t users; /* enabled user breakpoints located here */
	bool trap;      /* injected calls return here: stops only a thread
			   that is running a call */
	uint64_t disp;  /* its displaced copy in the scratch area; 0: not
			   made yet; 1: the instruction cannot move */
	uint32_t tramp; /* its trampoline (tramp.c): index + 1 in
			   t->tramps; 0: none */
};

/* Bytes of a displaced copy in the scratch area (sites.c). */
#define TR_DISP_SLOT 32

/* A watchpoint, by page protection or debug registers (watch.c). */
struct tr_wp {
	uint32_t id;
	int kind;            /* enum tr_watch_kind */
	uint8_t drs;         /* the debug registers it uses (bit n: DRn);
				0: page protection */
	uint64_t addr;
	size_t len;
	uint8_t *old;        /* the value as last seen (len bytes) */
	uint8_t *prev;       /* the value before the last reported change */
	uint64_t scope_pc;   /* a local's: its frame returns here (0: a
				global) with rsp >= scope_cfa */
	uint64_t scope_cfa;
	pid_t scope_tid;     /* the thread whose stack holds that frame:
				only its return ends the watchpoint */
	tr_watch_cond_fn cond;
	void *cond_ctx;
	uint64_t hits;
	uint32_t ignore;     /* triggers still to go on through */
};

/* A page watch.c protects: its permissions as found, and as set. */
struct tr_wpage {
	uint64_t page;
	int orig;
	int cur;
};

/* A condition compiled into the target (tramp.c). */
enum tramp_state {
	TRAMP_WANTED = 1,  /* requested, not built yet */
	TRAMP_READY = 2,   /* built, the jump not written (yet) */
	TRAMP_JUMPED = 3,  /* the site jumps to it */
	TRAMP_DROPPED = 4, /* no longer used (its code stays) */
	TRAMP_FAILED = 5,  /* could not be built: the int3 stays */
};

struct tr_tramp {
	uint64_t addr;      /* the breakpoint site */
	uint32_t bpnum;
	enum tramp_state st;
	uint8_t *body;      /* the compiled condition */
	size_t blen;
	unsigned ntemps;
	uint64_t func_lo, func_hi; /* the function around addr, for the
				      scan of branches into the jump */
	/* where its parts are in the scratch area */
	uint64_t at, epi, trap, disp, fpath, end;
	uint8_t jlen;       /* bytes of code moved (whole instructions) */
	uint8_t orig[5];    /* the bytes under the jump */
};

enum phase {
	PH_NONE = 0,     /* no target */
	PH_STOPPED = 1,  /* every thread stopped, the stop reported */
	PH_RUNNING = 2,  /* resumed (or stepping one thread) */
	PH_STOPPING = 3, /* a stop was seen; stopping the others */
};

enum deferred_kind {
	DEF_STOP = 1,   /* complete at the next reported stop or exit */
	DEF_GONE = 2,   /* complete once the target is reaped (kill) */
	DEF_DETACH = 3, /* detach once every thread is stopped */
};

struct deferred {
	struct tr_req *req;
	enum deferred_kind kind;
};

struct done {
	struct tr_req *req;
	int result;
};

struct fork_kid {
	pid_t pid;
	bool stopped;
	int kind; /* 0 unknown yet, else PTRACE_EVENT_FORK / _VFORK / _CLONE */
	bool held;  /* reported (tr_fork_events): kept stopped until the
		       layer above lets it go or follows it (fork.c) */
	pid_t parent_tid; /* the thread that forked it */
};
#define MAX_FORK_KIDS 16

struct tr_tracer {
	pthread_t thread;
	struct tr_slab *slab;
	struct tr_tracer_opts opts;
	int epfd;
	int sigfd;
	bool quit;

	/* the target */
	pid_t pid;
	bool launched;
	bool gone;
	int memfd;
	enum phase phase;
	pid_t current_tid;
	struct tr_thread *threads;
	size_t nthreads, cap_threads;
	uint32_t *tidx;          /* tid -> position + 1 (threads.c) */
	size_t cap_tidx;
	pid_t *sweep;            /* tids to wait for one by one (tr__reap) */
	size_t cap_sweep;
	bool all_interrupted;    /* every running thread has been asked to
				    stop since the last resume */
	unsigned nrunning;       /* threads resumed and not yet seen stopped */
	bool single;             /* only one thread was resumed (a step) */
	bool have_report;        /* `report` holds the stop to publish */
	size_t pending_next;     /* where the next scan for a pending stop
				    starts: threads take turns */
	struct tr_event report;
	struct tr_event last_stop;
	uint64_t ev_seq;
	_Atomic uint64_t runs; /* resumes of any thread (tr_run_count) */
	struct fork_kid kids[MAX_FORK_KIDS];
	bool fork_events; /* forks and vforks stop the target (fork.c) */
	bool vfork_lifted; /* our int3s out while a vfork child runs in
			      our memory, back at the vfork-done */

	/* breakpoint sites, sorted by address */
	struct tr_bp *bps;
	size_t nbps, cap_bps;
	/* what the layer above does at site hits (tr_direct_hooks_set) */
	struct tr_site_hooks hooks;
	void *hooks_ctx;
	bool detach_nosig;    /* this detach passes no stop signal on */
	bool auto_resume; /* the stop in progress is a silent one: resume */
	uint64_t deadline_ns;   /* tr_resume_one's timeout (CLOCK_MONOTONIC),
				   0: none */
	uint64_t resumed_ns;    /* when a thread was last resumed */
	/* executable memory of the target's for displaced copies of the
	 * instructions under breakpoints (tr_scratch_set), 0: none */
	uint64_t scratch;
	size_t scratch_len, scratch_used;
	bool scratch_failed; /* the target would not map one */
	/* trampolines of conditions compiled into the target (tramp.c) */
	struct tr_tramp *tramps;
	size_t ntramps, cap_tramps;
	size_t tramp_want, tramp_ready; /* how many are in those states */
	uint64_t sys_entry;  /* AT_ENTRY, where remote system calls run (0:
				not read yet; reset at exec) */

	/* watchpoints and the pages they protect (watch.c) */
	struct tr_wp *wps;
	size_t nwps, cap_wps;
	struct tr_wpage *wpages;
	size_t nwpages, cap_wpages;
	bool wp_off;         /* pages unprotected for a step (wp_stepping) */
	uint64_t dr_addr[4]; /* DR0-DR3 as set on every thread */
	uint64_t dr7;        /* DR7 as set on every thread (0: none used) */
	uint8_t dr_exec;     /* DRs that are hardware breakpoints (bit n) */
	uint32_t dr_users[4]; /* a breakpoint DR's references from the
				 layer above (tr_direct_hbp_get) */
	uint32_t dr_raw[4];  /* ... and from tr_hbp_insert: always stop */
	uint32_t sys_open;   /* threads in a system call with the pages
				open (tr_thread.sys_open) */

	/* requests that complete later; room for every slot */
	struct deferred *deferred;
	size_t ndeferred, cap_deferred;
	/* deferred requests completed, for the loop to finish (deferred.c) */
	struct done *done;
	size_t ndone;

	/* subscribers, touched only on the tracer thread */
	struct tr_sub *subs;
};

/*
 * The files of the tracer, from the bottom up: each calls only the ones
 * before it (and slab.c, procfs.c, x86_insn.c below them all).
 */

/* threads.c: the thread table and questions about the target */
uint64_t tr__now_ns(void);
bool tr__on_tracer_thread(const struct tr_tracer *t);
struct tr_thread *tr__thread_find(struct tr_tracer *t, pid_t tid);
struct tr_thread *tr__thread_add(struct tr_tracer *t, pid_t tid);
void tr__thread_del(struct tr_tracer *t, struct tr_thread *th);
void tr__threads_clear(struct tr_tracer *t); /* no thread at all */
int tr__regs_of(pid_t tid, struct user_regs_struct *r);
int tr__need_target(const struct tr_tracer *t);
/* The stopped thread a request is about (tid 0: the current one). */
int tr__stopped_thread(struct tr_tracer *t, pid_t tid, struct tr_thread **out);
bool tr__target_dying(struct tr_tracer *t);

/* memory.c: memory as it is, without regard to our sites */
int tr__ptrace_err(struct tr_tracer *t, pid_t tid);
bool tr__range_ok(uint64_t addr, size_t len);
int tr__raw_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
		 size_t *done);
int tr__raw_write(struct tr_tracer *t, pid_t pid, int fd, uint64_t addr,
		  const void *buf, size_t len, size_t *written);

/* sites.c: breakpoint sites, and memory as the program sees it under
 * them (tracer thread) */
int tr__mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
		 size_t *done);
int tr__mem_write(struct tr_tracer *t, uint64_t addr, const void *buf,
		  size_t len, size_t *done);
int tr__peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val);
int tr__poke(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t val);
struct tr_bp *tr__bp_find(struct tr_tracer *t, uint64_t addr);
int tr__bp_insert(struct tr_tracer *t, uint64_t addr);
/* tr__sites_check: plant again the int3s of sites whose memory was
 * mapped again since (libraries closed and opened again). */
void tr__sites_check(struct tr_tracer *t);
int tr__bp_remove(struct tr_tracer *t, uint64_t addr);
int tr__site_get(struct tr_tracer *t, uint64_t addr);  /* users++ */
void tr__site_put(struct tr_tracer *t, uint64_t addr); /* users-- */
void tr__sites_clear(struct tr_tracer *t); /* lift every int3 */
int tr__bp_lift(struct tr_tracer *t, uint64_t addr);  /* write orig byte */
int tr__bp_plant(struct tr_tracer *t, uint64_t addr); /* write int3 */
void tr__bp_restore_in(struct tr_tracer *t, pid_t pid); /* fork child */
uint64_t tr__bp_displaced(struct tr_tracer *t, uint64_t addr);
int tr__trap_insert(struct tr_tracer *t, uint64_t addr);
int tr__trap_remove(struct tr_tracer *t, uint64_t addr);
/* the jumps of compiled conditions at sites */
struct tr_tramp *tr__tramp_of(struct tr_tracer *t, const struct tr_bp *bp);
bool tr__bp_jumped(struct tr_tracer *t, const struct tr_bp *bp);
void tr__tramp_drop(struct tr_tracer *t, struct tr_bp *bp);
void tr__tramp_drop_range(struct tr_tracer *t, uint64_t addr, size_t len);

/* tramp.c: conditions run by the target itself, behind a jump */
int tr__tramp_request(struct tr_tracer *t, uint64_t addr, uint32_t bpnum,
		      const uint8_t *body, size_t blen, unsigned ntemps,
		      uint64_t func_lo, uint64_t func_hi);
void tr__tramp_arm(struct tr_tracer *t);  /* every thread stopped */
bool tr__tramp_stop(struct tr_tracer *t, struct tr_thread *th, int status);
void tr__tramp_resume(struct tr_tracer *t, struct tr_thread *th);
bool tr__tramp_inside(struct tr_tracer *t, uint64_t rip);
void tr__tramp_reset(struct tr_tracer *t);
int tr__scratch_ensure(struct tr_tracer *t, struct tr_thread *th);
int64_t tr__remote_syscall(struct tr_tracer *t, struct tr_thread *th,
			   long nr, const uint64_t args[6]);

/* watch.c: watchpoints by page protection */
bool tr__wp_fault(struct tr_tracer *t, struct tr_thread *th,
		  const siginfo_t *si);
void tr__wp_step_begin(struct tr_tracer *t, struct tr_thread *th);
void tr__wp_step_cancel(struct tr_tracer *t, struct tr_thread *th);
uint32_t tr__wp_step_done(struct tr_tracer *t, struct tr_thread *th,
			  uint64_t *addr);
uint32_t tr__wp_scope_hit(struct tr_tracer *t, struct tr_thread *th,
			  uint64_t addr);
void tr__wp_clear(struct tr_tracer *t); /* every page as found */
/* A fork child, stopped, before it is let go: its copies of the pages
 * we protect put back as found (it has no debug register of ours). */
void tr__wp_restore_in(struct tr_tracer *t, pid_t pid);
/* A new thread's first stop: the debug registers in use set on it. */
void tr__wp_thread_new(struct tr_tracer *t, struct tr_thread *th);
void tr__wp_reset(struct tr_tracer *t); /* the target is gone */
/* What a debug-register trap (DR6) says, for a thread stopped with
 * SIGTRAP while DRs are in use: -1 none of ours fired; else 0, with
 * *exec set when a hardware breakpoint fired at *bp_addr (the pc) and
 * *watch the watchpoint to report (0: none; *waddr its address). DR6
 * is cleared. */
int tr__dr_trap(struct tr_tracer *t, struct tr_thread *th, bool *exec,
		uint64_t *bp_addr, uint32_t *watch, uint64_t *waddr);
/* Whether a hardware breakpoint at addr stops thread tid (*bpnum: the
 * user breakpoint, 0 for tr_hbp_insert's). */
bool tr__hbp_stops(struct tr_tracer *t, pid_t tid, uint64_t addr,
		   uint32_t *bpnum);
/* Before th resumes: standing on a hardware breakpoint, it goes over it
 * (EFLAGS.RF), as over an int3 of ours. */
void tr__hbp_resume(struct tr_tracer *t, struct tr_thread *th);
/* Whether th resumes with PTRACE_SYSCALL rather than PTRACE_CONT: while
 * pages are protected, so that a system call the kernel would have write
 * (or read) them finds them open (watch.c). */
bool tr__wp_sys_trace(struct tr_tracer *t, struct tr_thread *th);
/* A system-call stop of th (PTRACE_O_TRACESYSGOOD): at the entry of one
 * whose buffers lie on protected pages, they are opened and the call
 * made again; at its exit they are protected again and the watchpoints
 * compared: the one to report (0: none), *addr its address. */
uint32_t tr__wp_sys_stop(struct tr_tracer *t, struct tr_thread *th,
			 uint64_t *addr);

/* launch.c */
int tr__launch(struct tr_tracer *t, const struct tr_launch *l);
int tr__attach_begin(struct tr_tracer *t, pid_t pid);
int tr__open_mem(struct tr_tracer *t);

/* event.c: publishing to subscribers (tracer thread) */
void tr__publish(struct tr_tracer *t, const struct tr_event *ev);
void tr__emit(struct tr_tracer *t, uint32_t type, pid_t tid, int sig,
	      int status);
void tr__sub_add(struct tr_tracer *t, struct tr_sub *sub);
void tr__sub_del(struct tr_tracer *t, struct tr_sub *sub);

/* deferred.c: requests that complete later */
void tr__defer(struct tr_tracer *t, struct tr_req *r, enum deferred_kind kind);
void tr__complete_deferred(struct tr_tracer *t, enum deferred_kind kind,
			   int result, const struct tr_event *ev);
bool tr__deferred_has(const struct tr_tracer *t, enum deferred_kind kind);
/* The next request completed by tr__complete_deferred, oldest first. */
struct tr_req *tr__done_take(struct tr_tracer *t, int *result);

/* stop.c: all-stop, wait statuses, detach */
void tr__hooks_reset(struct tr_tracer *t);
void tr__target_reset(struct tr_tracer *t);
void tr__finish_stop(struct tr_tracer *t);
void tr__interrupt_all(struct tr_tracer *t);
void tr__maybe_finish_stop(struct tr_tracer *t);
void tr__resume_thread(struct tr_tracer *t, struct tr_thread *th, int req,
		       int sig);
bool tr__at_breakpoint(struct tr_tracer *t, struct tr_thread *th,
		       uint64_t *addr);
void tr__continue_resume(struct tr_tracer *t);
/* A resume with a stop still untold reports that stop instead. */
bool tr__report_pending(struct tr_tracer *t);
void tr__handle_status(struct tr_tracer *t, pid_t tid, int status);
void tr__detach(struct tr_tracer *t);
void tr__detach_threads(struct tr_tracer *t);

/* tracer.c: the loop */
void tr__reap(struct tr_tracer *t);

#define TR_PTRACE_OPTIONS                                                  \
	(PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |   \
	 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE | \
	 PTRACE_O_TRACESYSGOOD)

/* fork children (stop.c, fork.c) */
struct fork_kid *tr__kid_find(struct tr_tracer *t, pid_t pid, bool add);
/* tr__kid_wait: wait for a fork child's first stop; 0 or -TR_ESRCH. */
int tr__kid_wait(struct tr_tracer *t, struct fork_kid *k);
/* tr__kid_release: the child as without us (fork: our int3s and page
 * protections out of its copy of the memory) and detached. */
void tr__kid_release(struct tr_tracer *t, struct fork_kid *k);
/* tr__kids_release: every held child whose event is no longer pending
 * (all: every one), at a resume and when the target goes. */
void tr__kids_release(struct tr_tracer *t, bool all);

#endif
