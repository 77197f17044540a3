/* slab.h: preallocated request slots between requester threads and one server thread. */
#ifndef TR_TARGET_SLAB_H
#define TR_TARGET_SLAB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/event.h"

/*
 * The slab is the only channel from other threads to the tracer thread.
 * It is a fixed array of cache-line aligned request slots, allocated once
 * by tr_slab_new(); a request after that allocates nothing. A requester
 * claims a slot, fills it (the slot carries pointers to the requester's
 * own buffers: the server reads and writes them in place, so no byte is
 * copied twice), submits it, waits for it and puts it back.
 *
 * Several requests may be chained through `next` and submitted as one
 * batch: the server runs them in order, and once one fails the rest
 * complete with -TR_ECANCELED.
 *
 * Waiting (both the requester waiting for completion and the server
 * waiting for work) follows a policy, because on a 2-CPU machine the cost
 * of a dispatch is waking a sleeping thread (5-10 us per direction, see
 * doc/INTERNALS.md), not allocation (35 ns).
 */

/* How a thread waits for the other side. Append-only. */
enum tr_wait_policy {
	/*
	 * Default. Spin for a time budget only while the other side was last
	 * seen on another CPU (spinning against a thread that shares our CPU
	 * only delays it), then sched_yield a few times, then sleep on a futex.
	 */
	TR_WAIT_ADAPTIVE = 0,
	/* Spin for the budget whatever the CPUs, then sleep. */
	TR_WAIT_SPIN = 1,
	/* sched_yield a few times, then sleep. */
	TR_WAIT_YIELD = 2,
	/* Sleep at once (futex or epoll). */
	TR_WAIT_SLEEP = 3,
	TR_WAIT_POLICY_MAX_
};

/* Slot states. */
enum {
	TR_SLOT_FREE = 0,
	TR_SLOT_OWNED = 1,    /* claimed by a requester, being filled */
	TR_SLOT_QUEUED = 2,   /* submitted, not completed */
	TR_SLOT_SLEEPING = 3, /* submitted, requester asleep on the futex */
	TR_SLOT_DONE = 4,     /* completed: result and outputs valid */
};

struct tr_tracer;

/*
 * One request slot. The requester owns every field between get and
 * submit and after completion; the server owns them in between.
 * `op` and the meaning of the argument fields belong to the server
 * (see tracer.h for the tracer's operations).
 */
struct tr_req {
	_Atomic uint32_t state;
	uint16_t op;
	uint16_t flags;
	int32_t result;   /* 0 or -TR_E* */
	pid_t tid;        /* thread the request is about; 0: current thread */
	uint64_t addr;
	void *buf;        /* requester's buffer: read into / written from */
	size_t len;
	size_t done;      /* bytes actually transferred */
	uint64_t val;     /* word argument or result */
	int (*fn)(struct tr_tracer *, void *);
	void *arg;
	struct tr_req *next; /* next request of a batch, or NULL */
	struct tr_event ev;  /* stop event, for resume-and-wait requests */
	/* private to the slab */
	int cpu_;
	uint32_t index_;
	uint64_t t_submit_;
} __attribute__((aligned(64)));

struct tr_slab_opts {
	unsigned nslots;          /* number of slots (0: 64) */
	enum tr_wait_policy policy;
	uint32_t client_spin_ns;  /* requester spin budget (0: default) */
	uint32_t server_spin_ns;  /* server idle spin budget (0: default) */
	unsigned yields;          /* sched_yield calls before sleeping (0: default) */
};

/* Counters, all since tr_slab_new(). Latencies are submit-to-completion as
 * seen by the requester, in a log2 histogram: bucket i counts latencies in
 * [2^i, 2^(i+1)) ns. */
#define TR_SLAB_HIST 32
struct tr_slab_stats {
	uint64_t requests;      /* slots submitted (batch members counted) */
	uint64_t submits;       /* submissions (a batch counts once) */
	uint64_t server_spin_hits; /* work found while the server spun */
	uint64_t server_sleeps; /* times the server went to sleep */
	uint64_t server_wakes;  /* wake-ups sent to the server */
	uint64_t client_spin_hits; /* completions seen while spinning */
	uint64_t client_yields;
	uint64_t client_sleeps; /* requesters that slept on the futex */
	uint64_t client_wakes;  /* futex wakes sent to requesters */
	uint64_t slot_waits;    /* times a requester found no free slot */
	uint64_t latency_hist[TR_SLAB_HIST];
};

struct tr_slab;

/*
 * tr_slab_new: allocate a slab of opts->nslots slots (NULL opts: defaults).
 * `wake_fd` receives the eventfd the server must include in its sleep (see
 * tr_slab_server_sleep_prepare). Returns 0 or -TR_E*.
 */
int tr_slab_new(const struct tr_slab_opts *opts, struct tr_slab **out);
void tr_slab_free(struct tr_slab *s);

/* --- requester side: any thread --------------------------------------- */

/*
 * tr_slab_get: claim a free slot, waiting (by the policy) while all are in
 * use. The slot comes zeroed but for its state. Never fails.
 */
struct tr_req *tr_slab_get(struct tr_slab *s);

/* tr_slab_put: give a completed (or never submitted) slot back. */
void tr_slab_put(struct tr_slab *s, struct tr_req *r);

/* tr_slab_submit: submit `head` and every slot chained after it. */
void tr_slab_submit(struct tr_slab *s, struct tr_req *head);

/*
 * tr_slab_wait: wait until `r` is completed; returns r->result. Waiting
 * for the last slot of a batch is enough: the server completes a batch in
 * order.
 */
int tr_slab_wait(struct tr_slab *s, struct tr_req *r);

/* tr_slab_poll_done: non-blocking: 1 when `r` is completed, else 0. */
int tr_slab_poll_done(const struct tr_req *r);

/* tr_slab_stats_get: a snapshot of the counters (any thread). */
void tr_slab_stats_get(const struct tr_slab *s, struct tr_slab_stats *st);

/* tr_slab_policy_name: "adaptive", "spin", "yield", "sleep". */
const char *tr_slab_policy_name(enum tr_wait_policy p);

/* --- server side: the one server thread only ------------------------ */

/* tr_slab_server_bind: the calling thread becomes the server. */
void tr_slab_server_bind(struct tr_slab *s);

/* tr_slab_server_next: the head of the next submitted batch, or NULL. */
struct tr_req *tr_slab_server_next(struct tr_slab *s);

/* tr_slab_complete: complete one slot with `result`, waking its requester
 * if it sleeps. The server must not touch `r` afterwards. */
void tr_slab_complete(struct tr_slab *s, struct tr_req *r, int result);

/*
 * tr_slab_server_spin: wait for work by the policy, without sleeping, for
 * at most the server spin budget. Returns 1 when work is queued. Callers
 * skip this when spinning would steal the CPU from the target.
 */
int tr_slab_server_spin(struct tr_slab *s);

/*
 * Sleeping: the server calls tr_slab_server_sleep_prepare(); when it
 * returns 0 it may block in poll/epoll on tr_slab_server_fd() (and its own
 * descriptors); afterwards it calls tr_slab_server_sleep_end(). When
 * prepare returns 1, work arrived meanwhile: do not sleep.
 */
int tr_slab_server_fd(const struct tr_slab *s);
int tr_slab_server_sleep_prepare(struct tr_slab *s);
void tr_slab_server_sleep_end(struct tr_slab *s);

#endif
