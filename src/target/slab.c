/* slab.c: request slots, the submission ring and the wait policies. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "target/slab.h"

/*
 * Default budgets. On this kind of machine (2 vCPUs) a futex wake costs
 * 5-10 us per direction across CPUs and a cache-line hand-off between two
 * spinning threads 0.02-1.1 us (doc/FIELD-NOTES.md). A requester
 * spins a little longer than a typical request takes (a PEEK is about
 * 1 us), then gives up its CPU: spinning for about one wake-up cost before
 * sleeping costs at most twice the optimum (the classic spin-then-block
 * bound). The server spins after its last request for about two wake-up
 * costs, because a requester that computes between requests (the
 * expression interpreter) comes back within microseconds.
 */
#define DEFAULT_NSLOTS 64
#define MAX_NSLOTS 4096
#define DEFAULT_CLIENT_SPIN_NS 10000
#define DEFAULT_SERVER_SPIN_NS 20000
#define DEFAULT_YIELDS 4
/* Re-read the clock (and our CPU) every this many pause loops. */
#define SPIN_CHECK_EVERY 16

#define CACHELINE 64

struct tr_slab {
	/* read-mostly */
	struct tr_req *slots;
	unsigned nslots;
	unsigned ring_mask;
	enum tr_wait_policy policy;
	uint64_t client_spin_ns;
	uint64_t server_spin_ns;
	unsigned yields;
	int wake_fd;
	_Atomic int32_t *ring;

	/* producers */
	_Atomic uint64_t tail __attribute__((aligned(CACHELINE)));
	_Atomic uint32_t free_seq;
	_Atomic uint32_t free_waiters;

	/* server */
	uint64_t head __attribute__((aligned(CACHELINE)));
	_Atomic int server_sleeping;
	_Atomic int server_cpu;
	_Atomic int last_client_cpu;

	/* counters: relaxed atomics, each side mostly on its own line */
	_Atomic uint64_t requests __attribute__((aligned(CACHELINE)));
	_Atomic uint64_t submits;
	_Atomic uint64_t server_wakes;
	_Atomic uint64_t client_spin_hits;
	_Atomic uint64_t client_yields;
	_Atomic uint64_t client_sleeps;
	_Atomic uint64_t slot_waits;
	_Atomic uint64_t latency_hist[TR_SLAB_HIST];
	_Atomic uint64_t server_spin_hits __attribute__((aligned(CACHELINE)));
	_Atomic uint64_t server_sleeps;
	_Atomic uint64_t client_wakes;
};

#define RELAXED memory_order_relaxed

static inline void
cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void
count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, RELAXED);
}

static int
futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void
futex_wake(_Atomic uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* sched_getcpu() reads the rseq area (glibc 2.35+): a few ns. */
static inline int
my_cpu(void)
{
	return sched_getcpu();
}

const char *
tr_slab_policy_name(enum tr_wait_policy p)
{
	static const char *const names[] = { "adaptive", "spin", "yield",
					     "sleep" };

	if ((unsigned)p >= TR_WAIT_POLICY_MAX_)
		return "unknown";
	return names[p];
}

int
tr_slab_new(const struct tr_slab_opts *opts, struct tr_slab **out)
{
	struct tr_slab_opts o = { 0 };
	struct tr_slab *s;
	unsigned ringsz;

	*out = NULL;
	if (opts)
		o = *opts;
	if (o.nslots == 0)
		o.nslots = DEFAULT_NSLOTS;
	if (o.nslots > MAX_NSLOTS || (unsigned)o.policy >= TR_WAIT_POLICY_MAX_)
		return -TR_EINVAL;
	if (o.client_spin_ns == 0)
		o.client_spin_ns = DEFAULT_CLIENT_SPIN_NS;
	if (o.server_spin_ns == 0)
		o.server_spin_ns = DEFAULT_SERVER_SPIN_NS;
	if (o.yields == 0)
		o.yields = DEFAULT_YIELDS;

	s = aligned_alloc(CACHELINE, sizeof(*s));
	if (!s)
		return -TR_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->nslots = o.nslots;
	s->policy = o.policy;
	s->client_spin_ns = o.client_spin_ns;
	s->server_spin_ns = o.server_spin_ns;
	s->yields = o.yields;
	s->server_cpu = -1;
	s->last_client_cpu = -1;

	for (ringsz = 1; ringsz < o.nslots; ringsz <<= 1)
		;
	s->ring_mask = ringsz - 1;
	s->ring = calloc(ringsz, sizeof(*s->ring));
	s->slots = aligned_alloc(CACHELINE, sizeof(*s->slots) * o.nslots);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->ring || !s->slots || s->wake_fd < 0) {
		if (s->wake_fd >= 0)
			close(s->wake_fd);
		free(s->ring);
		free(s->slots);
		free(s);
		return -TR_ENOMEM;
	}
	memset(s->slots, 0, sizeof(*s->slots) * o.nslots);
	for (unsigned i = 0; i < ringsz; i++)
		atomic_init(&s->ring[i], -1);
	for (unsigned i = 0; i < o.nslots; i++)
		s->slots[i].index_ = i;
	*out = s;
	return 0;
}

void
tr_slab_free(struct tr_slab *s)
{
	if (!s)
		return;
	close(s->wake_fd);
	free(s->ring);
	free(s->slots);
	free(s);
}

/* ---- requester side ------------------------------------------------ */

/* Each requester thread starts its search where it last found a slot:
 * usually that slot is free again, so a get touches one cache line. */
static _Thread_local unsigned slot_hint;

static struct tr_req *
try_claim(struct tr_slab *s)
{
	unsigned n = s->nslots;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (slot_hint + k) % n;
		struct tr_req *r = &s->slots[i];
		uint32_t expect = TR_SLOT_FREE;

		if (atomic_load_explicit(&r->state, RELAXED) != TR_SLOT_FREE)
			continue;
		if (atomic_compare_exchange_strong_explicit(&r->state, &expect,
				TR_SLOT_OWNED, memory_order_acquire, RELAXED)) {
			slot_hint = i;
			return r;
		}
	}
	return NULL;
}

static void
clear_slot(struct tr_req *r)
{
	/* Everything after the state word, but the slab's own index. */
	uint32_t index = r->index_;

	memset((char *)r + sizeof(r->state), 0, sizeof(*r) - sizeof(r->state));
	r->index_ = index;
}

struct tr_req *
tr_slab_get(struct tr_slab *s)
{
	struct tr_req *r;

	for (;;) {
		uint32_t seq = atomic_load_explicit(&s->free_seq,
						    memory_order_acquire);

		r = try_claim(s);
		if (r)
			break;
		/* All slots in flight: sleep until one is put back. The
		 * sequence number closes the race with a put between our
		 * scan and the futex call. */
		count(&s->slot_waits);
		atomic_fetch_add(&s->free_waiters, 1);
		if (atomic_load(&s->free_seq) == seq)
			futex_wait(&s->free_seq, seq);
		atomic_fetch_sub(&s->free_waiters, 1);
	}
	clear_slot(r);
	return r;
}

void
tr_slab_put(struct tr_slab *s, struct tr_req *r)
{
	atomic_store_explicit(&r->state, TR_SLOT_FREE, memory_order_release);
	if (atomic_load(&s->free_waiters)) {
		atomic_fetch_add(&s->free_seq, 1);
		futex_wake(&s->free_seq, INT_MAX);
	}
}

static void
wake_server(struct tr_slab *s)
{
	uint64_t one = 1;

	/*
	 * Dekker with tr_slab_server_sleep_prepare(): the ring entry store
	 * and this load, the server's flag store and its ring load, are all
	 * sequentially consistent, so either the server sees our entry or we
	 * see its sleeping flag. (Plain seq_cst accesses rather than fences,
	 * which the thread sanitizer cannot follow.)
	 */
	if (atomic_load(&s->server_sleeping) &&
	    atomic_exchange(&s->server_sleeping, 0)) {
		count(&s->server_wakes);
		if (write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			tr_log_error("slab: eventfd write: %s", strerror(errno));
	}
}

void
tr_slab_submit(struct tr_slab *s, struct tr_req *head)
{
	uint64_t pos, t0 = now_ns();
	int cpu = my_cpu();

	for (struct tr_req *r = head; r; r = r->next) {
		r->cpu_ = cpu;
		r->t_submit_ = t0;
		atomic_store_explicit(&r->state, TR_SLOT_QUEUED, RELAXED);
		count(&s->requests);
	}
	count(&s->submits);
	atomic_store_explicit(&s->last_client_cpu, cpu, RELAXED);
	/*
	 * Reserve a ring position, then publish the slot index (a seq_cst
	 * store: a release, and one half of the wake-up handshake below) so
	 * the server sees the filled slot. The ring has at least
	 * as many entries as there are slots and a slot is queued at most once,
	 * so a position is never reused before the server consumed it.
	 */
	pos = atomic_fetch_add_explicit(&s->tail, 1, RELAXED);
	atomic_store(&s->ring[pos & s->ring_mask], (int32_t)head->index_);
	wake_server(s);
}

int
tr_slab_poll_done(const struct tr_req *r)
{
	return atomic_load_explicit(&r->state, memory_order_acquire) ==
	       TR_SLOT_DONE;
}

static void
record_latency(struct tr_slab *s, const struct tr_req *r, uint64_t t_end)
{
	uint64_t d = t_end - r->t_submit_;
	unsigned b = d ? 63 - __builtin_clzll(d) : 0;

	if (b >= TR_SLAB_HIST)
		b = TR_SLAB_HIST - 1;
	count(&s->latency_hist[b]);
}

/* Whether to spin while waiting for the thread last seen on `other_cpu`. */
static int
spin_allowed(const struct tr_slab *s, int other_cpu, int me)
{
	switch (s->policy) {
	case TR_WAIT_ADAPTIVE:
		return other_cpu < 0 || other_cpu != me;
	case TR_WAIT_SPIN:
		return 1;
	default:
		return 0;
	}
}

int
tr_slab_wait(struct tr_slab *s, struct tr_req *r)
{
	uint64_t deadline;
	uint32_t st;
	unsigned k;

	st = atomic_load_explicit(&r->state, memory_order_acquire);
	if (st == TR_SLOT_DONE)
		goto done;

	/* The budget runs from the submission (its time is already known:
	 * one clock read less per request). */
	deadline = r->t_submit_ + s->client_spin_ns;

	/* 1. Spin, while the server runs on another CPU (adaptive). */
	if (spin_allowed(s, atomic_load_explicit(&s->server_cpu, RELAXED),
			 my_cpu())) {
		for (k = 1;; k++) {
			cpu_relax();
			if (atomic_load_explicit(&r->state,
				memory_order_acquire) == TR_SLOT_DONE) {
				count(&s->client_spin_hits);
				goto done;
			}
			if (k % SPIN_CHECK_EVERY)
				continue;
			if (now_ns() >= deadline)
				break;
			/* Migrated next to the server: spinning now only
			 * delays it. */
			if (s->policy == TR_WAIT_ADAPTIVE &&
			    my_cpu() == atomic_load_explicit(&s->server_cpu,
							     RELAXED))
				break;
		}
	}

	/*
	 * 2. Yield: cheap when the server shares our CPU and is runnable.
	 * With nothing else runnable a sched_yield returns in well under a
	 * microsecond, shorter than a PEEK: so yield until the budget is
	 * spent too, not just a fixed number of times.
	 */
	if (s->policy != TR_WAIT_SLEEP && s->policy != TR_WAIT_SPIN) {
		for (k = 0; k < s->yields || now_ns() < deadline; k++) {
			sched_yield();
			count(&s->client_yields);
			if (tr_slab_poll_done(r))
				goto done;
		}
	}

	/* 3. Sleep on the slot's state word. */
	for (;;) {
		uint32_t expect = TR_SLOT_QUEUED;

		if (atomic_compare_exchange_strong(&r->state, &expect,
						   TR_SLOT_SLEEPING)) {
			count(&s->client_sleeps);
			expect = TR_SLOT_SLEEPING;
		}
		if (expect == TR_SLOT_DONE)
			break;
		futex_wait(&r->state, TR_SLOT_SLEEPING);
		if (tr_slab_poll_done(r))
			break;
	}
done:
	record_latency(s, r, now_ns());
	return r->result;
}

void
tr_slab_stats_get(const struct tr_slab *s, struct tr_slab_stats *st)
{
	st->requests = atomic_load_explicit(&s->requests, RELAXED);
	st->submits = atomic_load_explicit(&s->submits, RELAXED);
	st->server_spin_hits = atomic_load_explicit(&s->server_spin_hits, RELAXED);
	st->server_sleeps = atomic_load_explicit(&s->server_sleeps, RELAXED);
	st->server_wakes = atomic_load_explicit(&s->server_wakes, RELAXED);
	st->client_spin_hits = atomic_load_explicit(&s->client_spin_hits, RELAXED);
	st->client_yields = atomic_load_explicit(&s->client_yields, RELAXED);
	st->client_sleeps = atomic_load_explicit(&s->client_sleeps, RELAXED);
	st->client_wakes = atomic_load_explicit(&s->client_wakes, RELAXED);
	st->slot_waits = atomic_load_explicit(&s->slot_waits, RELAXED);
	for (unsigned i = 0; i < TR_SLAB_HIST; i++)
		st->latency_hist[i] =
			atomic_load_explicit(&s->latency_hist[i], RELAXED);
}

/* ---- server side --------------------------------------------------- */

void
tr_slab_server_bind(struct tr_slab *s)
{
	atomic_store(&s->server_cpu, my_cpu());
}

struct tr_req *
tr_slab_server_next(struct tr_slab *s)
{
	_Atomic int32_t *slot = &s->ring[s->head & s->ring_mask];
	int32_t idx = atomic_load_explicit(slot, memory_order_acquire);

	/* -1: empty, or a producer reserved the position and has not
	 * written it yet; it will wake us after writing. */
	if (idx < 0)
		return NULL;
	atomic_store_explicit(slot, -1, RELAXED);
	s->head++;
	return &s->slots[idx];
}

void
tr_slab_complete(struct tr_slab *s, struct tr_req *r, int result)
{
	r->result = result;
	if (atomic_exchange_explicit(&r->state, TR_SLOT_DONE,
				     memory_order_acq_rel) == TR_SLOT_SLEEPING) {
		count(&s->client_wakes);
		futex_wake(&r->state, 1);
	}
}

static inline int
work_queued(struct tr_slab *s)
{
	return atomic_load_explicit(&s->ring[s->head & s->ring_mask],
				    memory_order_acquire) >= 0;
}

int
tr_slab_server_spin(struct tr_slab *s)
{
	uint64_t deadline;
	int me = my_cpu();
	unsigned k;

	atomic_store_explicit(&s->server_cpu, me, RELAXED);
	if (work_queued(s))
		return 1;
	deadline = now_ns() + s->server_spin_ns;
	if (!spin_allowed(s, atomic_load_explicit(&s->last_client_cpu, RELAXED),
			  me))
		goto yield;
	for (k = 1;; k++) {
		cpu_relax();
		if (work_queued(s)) {
			count(&s->server_spin_hits);
			return 1;
		}
		if (k % SPIN_CHECK_EVERY)
			continue;
		if (now_ns() >= deadline)
			break;
		if (s->policy == TR_WAIT_ADAPTIVE) {
			me = my_cpu();
			atomic_store_explicit(&s->server_cpu, me, RELAXED);
			if (me == atomic_load_explicit(&s->last_client_cpu,
						       RELAXED))
				break;
		}
	}
yield:
	if (s->policy == TR_WAIT_ADAPTIVE || s->policy == TR_WAIT_YIELD) {
		/* As the requester: at least `yields` times, and on until
		 * the budget is spent. */
		for (k = 0; k < s->yields || now_ns() < deadline; k++) {
			sched_yield();
			if (work_queued(s)) {
				count(&s->server_spin_hits);
				return 1;
			}
		}
	}
	return 0;
}

int
tr_slab_server_fd(const struct tr_slab *s)
{
	return s->wake_fd;
}

int
tr_slab_server_sleep_prepare(struct tr_slab *s)
{
	/* Dekker with wake_server(): seq_cst store, then seq_cst load. */
	atomic_store(&s->server_sleeping, 1);
	if (atomic_load(&s->ring[s->head & s->ring_mask]) >= 0) {
		atomic_store(&s->server_sleeping, 0);
		return 1;
	}
	count(&s->server_sleeps);
	return 0;
}

void
tr_slab_server_sleep_end(struct tr_slab *s)
{
	uint64_t v;

	atomic_store(&s->server_sleeping, 0);
	/* Drain a wake-up, ours or a stale one. */
	if (read(s->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		tr_log_error("slab: eventfd read: %s", strerror(errno));
	atomic_store_explicit(&s->server_cpu, my_cpu(), RELAXED);
}
