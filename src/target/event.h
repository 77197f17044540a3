/* event.h: target events (stops, exits, threads) and their subscribers. */
#ifndef TR_TARGET_EVENT_H
#define TR_TARGET_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Event types. Append-only. */
enum tr_event_type {
	TR_EV_NONE = 0,
	TR_EV_STOP = 1,        /* every thread of the target is stopped */
	TR_EV_EXIT = 2,        /* the target exited: status = exit code */
	TR_EV_KILLED = 3,      /* the target was killed: sig = the signal */
	TR_EV_THREAD_NEW = 4,  /* a thread appeared: tid */
	TR_EV_THREAD_EXIT = 5, /* a thread ended: tid, status */
	TR_EV_DETACHED = 6,    /* the tracer let the target go */
};

/* Why the target stopped (TR_EV_STOP). Append-only. */
enum tr_stop_reason {
	TR_STOP_NONE = 0,
	TR_STOP_BREAKPOINT = 1, /* tid hit a breakpoint of ours at addr; pc rewound */
	TR_STOP_STEP = 2,       /* tid finished a single-step */
	TR_STOP_SIGNAL = 3,     /* tid received signal sig (passed on resume unless changed) */
	TR_STOP_INTERRUPT = 4,  /* stopped on request */
	TR_STOP_EXEC = 5,       /* tid called execve (and a launch stops here) */
	TR_STOP_ATTACH = 6,     /* just attached */
	TR_STOP_GROUP = 7,      /* group-stop by a stop signal (SIGSTOP, SIGTSTP...) */
	TR_STOP_FINISH = 8,     /* tid returned from the function finish ran */
	TR_STOP_TIMEOUT = 9,    /* tid ran alone past tr_resume_one's timeout
				   and was interrupted */
	TR_STOP_WATCH = 10,     /* tid triggered watchpoint bpnum (watching
				   addr); pc after the access */
	TR_STOP_WATCH_SCOPE = 11, /* watchpoint bpnum on a local was deleted:
				     its frame returned (pc in the caller) */
	TR_STOP_FORK = 12,      /* tid forked `child` (tr_fork_events), held
				   stopped until tr_fork_detach/follow or the
				   next resume lets it go */
	TR_STOP_VFORK = 13,     /* the same for a vfork */
	TR_STOP_VFORK_DONE = 14, /* tid's vfork child exec'd or exited */
};

struct tr_event {
	uint32_t type;   /* enum tr_event_type */
	uint32_t reason; /* enum tr_stop_reason, for TR_EV_STOP */
	pid_t pid;       /* the target process */
	pid_t tid;       /* the thread the event is about */
	int sig;         /* signal, for TR_STOP_SIGNAL/GROUP and TR_EV_KILLED */
	int status;      /* exit code, for TR_EV_EXIT and TR_EV_THREAD_EXIT */
	uint64_t pc;     /* program counter of tid at a stop */
	uint64_t addr;   /* breakpoint address, or fault address (si_addr) */
	uint64_t seq;    /* event sequence number, from 1 */
	uint32_t bpnum;  /* TR_STOP_BREAKPOINT: the user breakpoint (0: a
			    site planted with tr_bp_insert); TR_STOP_WATCH
			    and _SCOPE: the watchpoint */
	pid_t child;     /* TR_STOP_FORK, _VFORK: the new process */
	bool step_frame; /* TR_STOP_STEP: the step ended in the frame it
			    stepped in last, though a frame of another
			    function (out of an inlined call, mid-line):
			    gdb shows only the source line */
	uint32_t steps;  /* TR_STOP_STEP of a range step: instructions
			    stepped (tr_step_range in target/tracer.h) */
};

/* tr_event_type_name, tr_stop_reason_name: short names, never NULL. */
const char *tr_event_type_name(uint32_t type);
const char *tr_stop_reason_name(uint32_t reason);

struct tr_tracer;
struct tr_sub;

/*
 * tr_sub_new: subscribe to the events of `t`. Each subscriber has its own
 * bounded queue of `capacity` events (0: 1024), preallocated here, and an
 * eventfd that is readable while events are queued, to wait on with
 * poll/epoll from any thread. When a queue is full, new events for it are
 * dropped and counted (tr_sub_lost). Returns 0 or -TR_E*. Any thread but
 * the tracer thread; the subscriber is then owned by the caller.
 */
int tr_sub_new(struct tr_tracer *t, unsigned capacity, struct tr_sub **out);

/* tr_sub_free: unsubscribe and free. Any thread but the tracer thread. */
void tr_sub_free(struct tr_tracer *t, struct tr_sub *sub);

/* tr_sub_fd: the descriptor to poll for POLLIN. It may stay readable
 * after the last event was taken, until a tr_sub_next() answers
 * -TR_EAGAIN (which resets it): poll, then drain with tr_sub_next. */
int tr_sub_fd(const struct tr_sub *sub);

/* tr_sub_next: take the oldest queued event: 0, or -TR_EAGAIN when none.
 * One consumer thread per subscriber. */
int tr_sub_next(struct tr_sub *sub, struct tr_event *ev);

/* tr_sub_wait: tr_sub_next, waiting up to timeout_ms (-1: forever);
 * -TR_ETIMEDOUT when nothing came. */
int tr_sub_wait(struct tr_sub *sub, struct tr_event *ev, int timeout_ms);

/* tr_sub_lost: events dropped because the queue was full. */
uint64_t tr_sub_lost(const struct tr_sub *sub);

#endif
