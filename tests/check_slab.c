/* check_slab.c: the request slab under concurrency, with a server of our own and through a tracer. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "target/slab.h"
#include "suites.h"
#include "target/tracer.h"

/* Operations of the test's server (the slab leaves `op` to its server). */
enum {
	OP_ECHO = 1,  /* result = echo_result(val); done = val; *buf = ~val */
	OP_FAIL = 2,  /* result = -TR_EINVAL */
	OP_LOG = 3,   /* append val to the server's log; result 0 */
	OP_GATE = 4,  /* wait until the test opens the gate; result 5 */
	OP_BATCH = 5, /* a member of a concurrent batch, see batch_val() */
	OP_QUIT = 6,  /* the server thread ends */
};

#define NTHREADS 4
#define PER_THREAD 20000
#define LOG_MAX 64

struct server {
	struct tr_slab *slab;
	pthread_t thread;
	/* Completions counted by the server itself. */
	atomic_ulong completed;
	/* OP_ECHO: how many times each request (by index) was served. */
	_Atomic unsigned char *served;
	size_t nserved;
	atomic_ulong bad_val;
	/* OP_BATCH: batches whose chain was not as submitted. */
	atomic_ulong bad_batches;
	long last_batch[NTHREADS + 1];
	/* OP_LOG, in the order served (the server thread only). */
	uint64_t log[LOG_MAX];
	unsigned nlog;
	atomic_bool gate;
	atomic_bool idle; /* about to block in poll() */
};

/* A result only this request can have: a requester that got another's
 * completion sees the wrong number. */
static int
echo_result(uint64_t val)
{
	return (int)((val * 2654435761u) & 0x3fffffff);
}

#define ECHO_SALT 0x5a5a0000u

/* OP_BATCH values: client, batch number, position, length, failing
 * position (15: none), packed so that the server can check the chain. */
static uint64_t
batch_val(unsigned client, unsigned batch, unsigned pos, unsigned len,
	  unsigned failpos)
{
	return (uint64_t)client << 32 | (uint64_t)batch << 12 | pos << 8 |
	       len << 4 | failpos;
}

#define BV_CLIENT(v) ((unsigned)((v) >> 32))
#define BV_BATCH(v) ((unsigned)((v) >> 12) & 0xfffff)
#define BV_POS(v) ((unsigned)((v) >> 8) & 15)
#define BV_LEN(v) ((unsigned)((v) >> 4) & 15)
#define BV_FAILPOS(v) ((unsigned)(v) & 15)

/* The server sees a batch as its head: check that the chain is the one a
 * client built, whole, and that each client's batches come in the order
 * it submitted them. */
static void
check_batch(struct server *sv, struct tr_req *head)
{
	uint64_t v0 = head->val;
	unsigned c = BV_CLIENT(v0), n = 0;
	bool ok = BV_POS(v0) == 0 && c >= 1 && c <= NTHREADS;

	for (struct tr_req *r = head; ok && r; r = r->next, n++)
		ok = r->op == OP_BATCH && BV_CLIENT(r->val) == c &&
		     BV_BATCH(r->val) == BV_BATCH(v0) && BV_POS(r->val) == n &&
		     BV_LEN(r->val) == BV_LEN(v0);
	ok = ok && n == BV_LEN(v0);
	if (ok && (long)BV_BATCH(v0) <= sv->last_batch[c])
		ok = false;
	if (ok)
		sv->last_batch[c] = (long)BV_BATCH(v0);
	if (!ok)
		atomic_fetch_add(&sv->bad_batches, 1);
}

static int
serve_one(struct server *sv, struct tr_req *r)
{
	switch (r->op) {
	case OP_ECHO: {
		uint64_t idx = r->val ^ ECHO_SALT;

		if (idx < sv->nserved)
			atomic_fetch_add(&sv->served[idx], 1);
		else
			atomic_fetch_add(&sv->bad_val, 1);
		r->done = r->val;
		*(uint64_t *)r->buf = ~r->val;
		return echo_result(r->val);
	}
	case OP_FAIL:
		return -TR_EINVAL;
	case OP_LOG:
		if (sv->nlog < LOG_MAX)
			sv->log[sv->nlog++] = r->val;
		return 0;
	case OP_GATE: {
		uint64_t deadline = now_ms() + 10000;

		/* Bounded: a test that never opens the gate fails, it does
		 * not hang the server. */
		while (!atomic_load(&sv->gate))
			if (now_ms() > deadline)
				return -TR_ETIMEDOUT;
		return 5;
	}
	case OP_BATCH:
		return BV_POS(r->val) == BV_FAILPOS(r->val)
			       ? -TR_EINVAL
			       : echo_result(r->val);
	default:
		return -TR_EINVAL;
	}
}

/*
 * The server loop, as the tracer thread runs it: take a batch, run it in
 * order, cancel the rest after a failure, then spin by the policy and
 * sleep in poll() with no timeout. A lost wake-up therefore hangs the
 * test until check's timeout fails it, rather than being papered over.
 */
static void *
server_main(void *arg)
{
	struct server *sv = arg;
	struct pollfd pfd;

	tr_slab_server_bind(sv->slab);
	pfd.fd = tr_slab_server_fd(sv->slab);
	pfd.events = POLLIN;
	for (;;) {
		struct tr_req *r = tr_slab_server_next(sv->slab);

		if (r) {
			bool failed = false;

			if (r->op == OP_QUIT) {
				tr_slab_complete(sv->slab, r, 0);
				return NULL;
			}
			if (r->op == OP_BATCH)
				check_batch(sv, r);
			while (r) {
				/* The slot is the requester's again once
				 * completed: read next first. */
				struct tr_req *next = r->next;
				int res = failed ? -TR_ECANCELED
						 : serve_one(sv, r);

				if (res < 0)
					failed = true;
				/* Counted first: once completed, the
				 * requester may check the count. */
				atomic_fetch_add(&sv->completed, 1);
				tr_slab_complete(sv->slab, r, res);
				r = next;
			}
			continue;
		}
		if (tr_slab_server_spin(sv->slab))
			continue;
		if (tr_slab_server_sleep_prepare(sv->slab))
			continue;
		atomic_store(&sv->idle, true);
		poll(&pfd, 1, -1);
		atomic_store(&sv->idle, false);
		tr_slab_server_sleep_end(sv->slab);
	}
}

static void
server_start(struct server *sv, enum tr_wait_policy policy, unsigned nslots,
	     size_t nserved)
{
	struct tr_slab_opts o = { .nslots = nslots, .policy = policy };

	memset(sv, 0, sizeof(*sv));
	for (int i = 0; i <= NTHREADS; i++)
		sv->last_batch[i] = -1;
	if (nserved) {
		sv->served = calloc(nserved, 1);
		ck_assert_ptr_nonnull(sv->served);
		sv->nserved = nserved;
	}
	ck_assert_int_eq(tr_slab_new(&o, &sv->slab), 0);
	ck_assert_int_eq(pthread_create(&sv->thread, NULL, server_main, sv), 0);
}

static void
server_stop(struct server *sv)
{
	struct tr_req *r = tr_slab_get(sv->slab);

	r->op = OP_QUIT;
	tr_slab_submit(sv->slab, r);
	ck_assert_int_eq(tr_slab_wait(sv->slab, r), 0);
	tr_slab_put(sv->slab, r);
	pthread_join(sv->thread, NULL);
	tr_slab_free(sv->slab);
	free(sv->served);
}

/* ---- many requests from many threads -------------------------------- */

struct client {
	struct server *sv;
	int id;           /* from 0 */
	unsigned inflight; /* requests one thread keeps in flight at once */
	unsigned wrong;
	char what[128];   /* the first wrong one */
};

static void *
echo_client(void *arg)
{
	struct client *c = arg;
	struct tr_req *r[8];
	uint64_t out[8];

	for (unsigned i = 0; i < PER_THREAD; i += c->inflight) {
		unsigned k, n = c->inflight;

		if (n > PER_THREAD - i)
			n = PER_THREAD - i;
		/* Several in flight from one thread, each with its own
		 * output buffer. */
		for (k = 0; k < n; k++) {
			r[k] = tr_slab_get(c->sv->slab);
			r[k]->op = OP_ECHO;
			r[k]->val = ((uint64_t)c->id * PER_THREAD + i + k) ^
				    ECHO_SALT;
			r[k]->buf = &out[k];
			out[k] = 0;
			tr_slab_submit(c->sv->slab, r[k]);
		}
		for (k = 0; k < n; k++) {
			uint64_t v = ((uint64_t)c->id * PER_THREAD + i + k) ^
				     ECHO_SALT;
			int res = tr_slab_wait(c->sv->slab, r[k]);

			if ((res != echo_result(v) || r[k]->result != res ||
			     r[k]->done != v || out[k] != ~v ||
			     !tr_slab_poll_done(r[k])) && !c->wrong++)
				snprintf(c->what, sizeof(c->what),
					 "val %#lx: result %d done %#lx out "
					 "%#lx", (unsigned long)v, res,
					 (unsigned long)r[k]->done,
					 (unsigned long)out[k]);
			tr_slab_put(c->sv->slab, r[k]);
		}
	}
	return NULL;
}

/*
 * 4 threads x 20,000 requests, for each wait policy: every request is
 * served exactly once (counted by the server, per request) and its
 * requester gets its own result, its own `done` and its own output
 * buffer. 8 slots for up to 1+2+3+4 requests in flight: requesters also
 * wait for free slots. (Never more than 7 = 10 - 4 + 1 are needed for
 * progress: a thread blocked in get holds at most inflight - 1.)
 */
START_TEST(test_concurrent_requests)
{
	enum tr_wait_policy policy = (enum tr_wait_policy)_i;
	struct server sv;
	struct client c[NTHREADS];
	pthread_t th[NTHREADS];
	struct tr_slab_stats st;
	uint64_t waited = 0;
	size_t total = (size_t)NTHREADS * PER_THREAD;

	server_start(&sv, policy, 8, total);
	for (int i = 0; i < NTHREADS; i++) {
		c[i] = (struct client){ .sv = &sv, .id = i,
					.inflight = (unsigned)(1 + i % 4) };
		ck_assert_int_eq(pthread_create(&th[i], NULL, echo_client,
						&c[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		ck_assert_msg(c[i].wrong == 0, "%s: thread %d got %u wrong "
			      "completions, first %s",
			      tr_slab_policy_name(policy), i, c[i].wrong,
			      c[i].what);
	}
	ck_assert_uint_eq(atomic_load(&sv.bad_val), 0);
	for (size_t i = 0; i < total; i++)
		ck_assert_msg(atomic_load(&sv.served[i]) == 1,
			      "request %zu served %d times", i,
			      (int)atomic_load(&sv.served[i]));
	ck_assert_uint_eq(atomic_load(&sv.completed), total);

	tr_slab_stats_get(sv.slab, &st);
	ck_assert_uint_eq(st.requests, total);
	ck_assert_uint_eq(st.submits, total);
	/* Each wait records one latency. */
	for (int i = 0; i < TR_SLAB_HIST; i++)
		waited += st.latency_hist[i];
	ck_assert_uint_eq(waited, total);
	/* A requester that went to sleep was woken exactly once. */
	ck_assert_uint_eq(st.client_sleeps, st.client_wakes);
	/* What each policy promises not to do. */
	if (policy == TR_WAIT_SLEEP || policy == TR_WAIT_YIELD)
		ck_assert_uint_eq(st.client_spin_hits, 0);
	if (policy == TR_WAIT_SLEEP || policy == TR_WAIT_SPIN)
		ck_assert_uint_eq(st.client_yields, 0);
	server_stop(&sv);
}
END_TEST

/* ---- batches ------------------------------------------------------- */

/* Submit ops[0..n) (OP_LOG with val base + i, or ops[i] when non-zero) as
 * one batch, wait for the last, check each result against want[]. */
static void
run_batch(struct server *sv, const int *ops, unsigned n, uint64_t base,
	  const int *want)
{
	struct tr_req *r[8];

	ck_assert_uint_le(n, 8);
	for (unsigned i = 0; i < n; i++) {
		r[i] = tr_slab_get(sv->slab);
		r[i]->op = (uint16_t)(ops && ops[i] ? ops[i] : OP_LOG);
		r[i]->val = base + i;
		if (i)
			r[i - 1]->next = r[i];
	}
	tr_slab_submit(sv->slab, r[0]);
	ck_assert_int_eq(tr_slab_wait(sv->slab, r[n - 1]), want[n - 1]);
	/* Waiting for the last is enough: all are complete. */
	for (unsigned i = 0; i < n; i++) {
		ck_assert_msg(tr_slab_poll_done(r[i]), "member %u not done", i);
		ck_assert_msg(r[i]->result == want[i], "member %u: %d, "
			      "expected %d", i, r[i]->result, want[i]);
		tr_slab_put(sv->slab, r[i]);
	}
}

/* A batch runs in order; after a failure the rest is canceled and does
 * not run. Every policy. */
START_TEST(test_batches)
{
	struct server sv;
	static const int ok5[5] = { 0, 0, 0, 0, 0 };
	static const int fail1[4] = { 0, OP_FAIL, 0, 0 };
	static const int want1[4] = { 0, -TR_EINVAL, -TR_ECANCELED,
				      -TR_ECANCELED };
	static const int fail0[3] = { OP_FAIL, 0, 0 };
	static const int want0[3] = { -TR_EINVAL, -TR_ECANCELED,
				      -TR_ECANCELED };
	static const int faillast[3] = { 0, 0, OP_FAIL };
	static const int wantlast[3] = { 0, 0, -TR_EINVAL };
	static const int one_fail[1] = { OP_FAIL };
	static const int want_one[1] = { -TR_EINVAL };

	server_start(&sv, (enum tr_wait_policy)_i, 8, 0);
	run_batch(&sv, NULL, 5, 10, ok5);
	run_batch(&sv, fail1, 4, 20, want1);
	run_batch(&sv, fail0, 3, 30, want0);
	run_batch(&sv, faillast, 3, 40, wantlast);
	run_batch(&sv, one_fail, 1, 50, want_one);
	run_batch(&sv, NULL, 1, 60, ok5);
	/* What ran, in order: canceled members never did. */
	{
		static const uint64_t want[] = { 10, 11, 12, 13, 14, 20, 40,
						 41, 60 };

		ck_assert_uint_eq(sv.nlog, sizeof(want) / sizeof(want[0]));
		for (unsigned i = 0; i < sv.nlog; i++)
			ck_assert_uint_eq(sv.log[i], want[i]);
	}
	server_stop(&sv);
}
END_TEST

#define NBATCHES 3000

struct batcher {
	struct server *sv;
	unsigned id; /* from 1 */
	unsigned wrong;
	char what[128];
};

static unsigned
xorshift(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *
batch_client(void *arg)
{
	struct batcher *b = arg;
	unsigned seed = 0x9e3779b9u * b->id;
	struct tr_req *r[2][5];
	unsigned len[2], fail[2];

	/* Two batches in flight at a time, of 1-5 members, a quarter of
	 * them with a failing member. */
	for (unsigned n = 0; n < NBATCHES; n += 2) {
		for (int k = 0; k < 2; k++) {
			len[k] = 1 + xorshift(&seed) % 5;
			fail[k] = xorshift(&seed) % 4 == 0
					  ? xorshift(&seed) % len[k]
					  : 15;
			for (unsigned i = 0; i < len[k]; i++) {
				r[k][i] = tr_slab_get(b->sv->slab);
				r[k][i]->op = OP_BATCH;
				r[k][i]->val = batch_val(b->id, n + k, i,
							 len[k], fail[k]);
				if (i)
					r[k][i - 1]->next = r[k][i];
			}
			tr_slab_submit(b->sv->slab, r[k][0]);
		}
		for (int k = 0; k < 2; k++) {
			tr_slab_wait(b->sv->slab, r[k][len[k] - 1]);
			for (unsigned i = 0; i < len[k]; i++) {
				int want = -TR_ECANCELED;

				if (i < fail[k])
					want = echo_result(r[k][i]->val);
				else if (i == fail[k])
					want = -TR_EINVAL;

				if (r[k][i]->result != want && !b->wrong++)
					snprintf(b->what, sizeof(b->what),
						 "batch %u member %u/%u "
						 "(fail at %u): %d, expected "
						 "%d", n + k, i, len[k],
						 fail[k], r[k][i]->result,
						 want);
			}
			for (unsigned i = 0; i < len[k]; i++)
				tr_slab_put(b->sv->slab, r[k][i]);
		}
	}
	return NULL;
}

/* Batches from several threads at once, for each policy: each reaches the
 * server whole and in its submitter's order, runs in order, and is
 * canceled after a failure. */
START_TEST(test_concurrent_batches)
{
	struct server sv;
	struct batcher b[NTHREADS];
	pthread_t th[NTHREADS];
	struct tr_slab_stats st;

	/* 4 threads x 2 batches x 5 members = 40 slots: never short of
	 * one while holding others (a deadlock the test would cause, not
	 * the slab). */
	server_start(&sv, (enum tr_wait_policy)_i, 40, 0);
	for (int i = 0; i < NTHREADS; i++) {
		b[i] = (struct batcher){ .sv = &sv, .id = (unsigned)i + 1 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, batch_client,
						&b[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		ck_assert_msg(b[i].wrong == 0, "thread %d: %u wrong, first %s",
			      i, b[i].wrong, b[i].what);
	}
	ck_assert_uint_eq(atomic_load(&sv.bad_batches), 0);
	tr_slab_stats_get(sv.slab, &st);
	ck_assert_uint_eq(st.submits, (uint64_t)NTHREADS * NBATCHES);
	ck_assert_uint_eq(st.requests, atomic_load(&sv.completed));
	server_stop(&sv);
}
END_TEST

/* ---- waiting on both sides ------------------------------------------- */

struct gate_opener {
	struct server *sv;
	struct tr_req *r;
	bool saw_sleep;
};

static bool
requester_asleep(void *arg)
{
	struct gate_opener *g = arg;

	return atomic_load(&g->r->state) == TR_SLOT_SLEEPING;
}

static void *
open_gate(void *arg)
{
	struct gate_opener *g = arg;

	g->saw_sleep = wait_until(requester_asleep, g, 10000);
	atomic_store(&g->sv->gate, true);
	return NULL;
}

/* Whatever the policy, a requester whose request takes long ends up
 * asleep, is not told it is done before it is, and is woken by the
 * completion. */
START_TEST(test_requester_sleeps)
{
	struct server sv;
	struct gate_opener g;
	struct tr_slab_stats st;
	pthread_t th;

	server_start(&sv, (enum tr_wait_policy)_i, 4, 0);
	g = (struct gate_opener){ .sv = &sv };
	g.r = tr_slab_get(sv.slab);
	g.r->op = OP_GATE;
	tr_slab_submit(sv.slab, g.r);
	ck_assert(!tr_slab_poll_done(g.r));
	ck_assert_int_eq(pthread_create(&th, NULL, open_gate, &g), 0);
	ck_assert_int_eq(tr_slab_wait(sv.slab, g.r), 5);
	pthread_join(th, NULL);
	ck_assert_msg(g.saw_sleep, "the requester never went to sleep");
	ck_assert(tr_slab_poll_done(g.r));
	tr_slab_put(sv.slab, g.r);
	tr_slab_stats_get(sv.slab, &st);
	ck_assert_uint_eq(st.client_sleeps, 1);
	ck_assert_uint_eq(st.client_wakes, 1);
	server_stop(&sv);
}
END_TEST

static bool
server_idle(void *arg)
{
	return atomic_load(&((struct server *)arg)->idle);
}

/* A server asleep in poll() is woken by every submission: 200 times, a
 * request submitted only once the server is about to block. A lost
 * wake-up hangs (the server polls with no timeout) and check's timeout
 * fails the test. */
START_TEST(test_server_wakeup)
{
	struct server sv;
	struct tr_slab_stats st;
	uint64_t out;

	server_start(&sv, (enum tr_wait_policy)_i, 4, 1);
	for (int i = 0; i < 200; i++) {
		struct tr_req *r;

		ck_assert_msg(wait_until(server_idle, &sv, 10000),
			      "the server never went idle");
		r = tr_slab_get(sv.slab);
		r->op = OP_ECHO;
		r->val = ECHO_SALT; /* index 0, served 200 times */
		r->buf = &out;
		tr_slab_submit(sv.slab, r);
		ck_assert_int_eq(tr_slab_wait(sv.slab, r),
				 echo_result(ECHO_SALT));
		tr_slab_put(sv.slab, r);
	}
	ck_assert_uint_eq(atomic_load(&sv.served[0]), 200);
	tr_slab_stats_get(sv.slab, &st);
	ck_assert_uint_ge(st.server_sleeps, 200);
	ck_assert_uint_ge(st.server_wakes, 200);
	server_stop(&sv);
}
END_TEST

START_TEST(test_bad_options)
{
	struct tr_slab *s = (struct tr_slab *)&s;
	struct tr_slab_opts o = { .nslots = 100000 };
	struct tr_tracer *t = (struct tr_tracer *)&t;
	struct tr_tracer_opts to = {
		.slab = { .policy = TR_WAIT_POLICY_MAX_ },
	};

	ck_assert_int_eq(tr_slab_new(&o, &s), -TR_EINVAL);
	ck_assert_ptr_null(s);
	o.nslots = 4;
	o.policy = TR_WAIT_POLICY_MAX_;
	ck_assert_int_eq(tr_slab_new(&o, &s), -TR_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(tr_tracer_new(&to, &t), -TR_EINVAL);
	ck_assert_str_eq(tr_slab_policy_name(TR_WAIT_ADAPTIVE), "adaptive");
	ck_assert_str_eq(tr_slab_policy_name(TR_WAIT_SPIN), "spin");
	ck_assert_str_eq(tr_slab_policy_name(TR_WAIT_YIELD), "yield");
	ck_assert_str_eq(tr_slab_policy_name(TR_WAIT_SLEEP), "sleep");
	ck_assert_str_eq(tr_strerror(-TR_EFAULT),
			 "cannot access target memory at that address");
	ck_assert_str_eq(tr_strerror(TR_EFAULT), tr_strerror(-TR_EFAULT));
	ck_assert_str_eq(tr_strerror(12345), "unknown error");
	/* Every code has a message of its own. */
	for (int e = 1; e < TR_E_MAX_; e++) {
		ck_assert_str_ne(tr_strerror(-e), "unknown error");
		for (int f = 1; f < e; f++)
			ck_assert_str_ne(tr_strerror(-e), tr_strerror(-f));
	}
}
END_TEST

/* ---- through a tracer thread, no target ------------------------------ */

static int
add_one(struct tr_tracer *t, void *arg)
{
	(void)t;
	(*(long *)arg)++;
	return 7;
}

static void *
tracer_client(void *arg)
{
	struct tr_tracer *t = arg;
	long n = 0;

	for (int i = 0; i < 5000; i++) {
		if (tr_nop(t) != 0 || tr_call(t, add_one, &n) != 7)
			return (void *)1;
	}
	/* tr_call ran on another thread, and we saw its effect. */
	return n == 5000 ? NULL : (void *)2;
}

/* tr_nop and tr_call from three threads, under each policy; without a
 * target, target requests fail cleanly. */
START_TEST(test_tracer_dispatch)
{
	struct tr_tracer_opts o = { .slab = {
		.policy = (enum tr_wait_policy)_i } };
	struct tr_tracer *t;
	pthread_t th[3];
	void *ret[3];
	uint64_t v;
	struct tr_state st;
	struct tr_slab_stats ss;

	ck_assert_int_eq(tr_tracer_new(&o, &t), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, tracer_client, t),
				 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], &ret[i]);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_null(ret[i]);
	tr_slab_stats_get(tr_tracer_slab(t), &ss);
	ck_assert_uint_ge(ss.requests, 3 * 2 * 5000);
	ck_assert_tr(tr_peek(t, 0, 0x1000, &v), -TR_ENOTARGET);
	ck_assert_tr(tr_cont(t, 0, 0, NULL), -TR_ENOTARGET);
	ck_assert_tr(tr_interrupt(t, NULL), -TR_ENOTARGET);
	ck_assert_tr(tr_detach(t), -TR_ENOTARGET);
	ck_assert_tr(tr_kill(t), -TR_ENOTARGET);
	ck_assert_tr(tr_bp_insert(t, 0x1000), -TR_ENOTARGET);
	ck_assert_tr(tr_state_get(t, &st), 0);
	ck_assert_int_eq(st.pid, 0);
	ck_assert(!st.gone);
	tr_tracer_free(t);
}
END_TEST

struct call_log {
	int ran[8];
	int n;
	pthread_t thread;
	bool same_thread;
};

struct call_arg {
	struct call_log *log;
	int k;
};

/* Runs on the tracer thread: logs its number; number 3 fails. */
static int
logged_call(struct tr_tracer *t, void *arg)
{
	struct call_log *l = ((struct call_arg *)arg)->log;
	int k = ((struct call_arg *)arg)->k;

	(void)t;
	/* Every call of a batch on one thread, the tracer thread. */
	if (l->n == 0)
		l->thread = pthread_self();
	else if (!pthread_equal(l->thread, pthread_self()))
		l->same_thread = false;
	l->ran[l->n++] = k;
	return k == 3 ? -TR_EINVAL : 100 + k;
}

/* Batches through the tracer: CALL and NOP requests chained with `next`,
 * run in order on the tracer thread, canceled after a failure. */
START_TEST(test_tracer_batches)
{
	struct tr_tracer *t;
	struct call_log log = { .same_thread = true };
	struct call_arg args[6];
	struct tr_req *r[6];

	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	for (int i = 0; i < 6; i++) {
		args[i].log = &log;
		args[i].k = i;
		r[i] = tr_req_get(t);
		ck_assert_ptr_nonnull(r[i]);
		if (i == 1) {
			r[i]->op = TR_OP_NOP;
		} else {
			r[i]->op = TR_OP_CALL;
			r[i]->fn = logged_call;
			r[i]->arg = &args[i];
		}
		if (i)
			r[i - 1]->next = r[i];
	}
	tr_req_submit(t, r[0]);
	ck_assert_tr(tr_req_wait(t, r[5]), -TR_ECANCELED);
	ck_assert_int_eq(r[0]->result, 100);
	ck_assert_int_eq(r[1]->result, 0);
	ck_assert_int_eq(r[2]->result, 102);
	ck_assert_int_eq(r[3]->result, -TR_EINVAL);
	ck_assert_int_eq(r[4]->result, -TR_ECANCELED);
	ck_assert_int_eq(r[5]->result, -TR_ECANCELED);
	for (int i = 0; i < 6; i++)
		tr_req_put(t, r[i]);
	/* 0, 2 and 3 ran in order; 4 and 5 never did. */
	ck_assert_int_eq(log.n, 3);
	ck_assert_int_eq(log.ran[0], 0);
	ck_assert_int_eq(log.ran[1], 2);
	ck_assert_int_eq(log.ran[2], 3);
	ck_assert(log.same_thread);
	ck_assert(!pthread_equal(log.thread, pthread_self()));
	/* The tracer goes on serving after a failed batch. */
	ck_assert_int_eq(tr_nop(t), 0);
	tr_tracer_free(t);
}
END_TEST

Suite *
suite_slab(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	TCase *tt = tcase_create("tracer");

	/* Generous: the thread sanitizer slows these down tenfold. */
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, test_concurrent_requests, 0,
			    TR_WAIT_POLICY_MAX_);
	tcase_add_loop_test(tc, test_batches, 0, TR_WAIT_POLICY_MAX_);
	tcase_add_loop_test(tc, test_concurrent_batches, 0,
			    TR_WAIT_POLICY_MAX_);
	tcase_add_loop_test(tc, test_requester_sleeps, 0, TR_WAIT_POLICY_MAX_);
	tcase_add_loop_test(tc, test_server_wakeup, 0, TR_WAIT_POLICY_MAX_);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tt, 120);
	tcase_add_loop_test(tt, test_tracer_dispatch, 0, TR_WAIT_POLICY_MAX_);
	tcase_add_test(tt, test_tracer_batches);
	suite_add_tcase(s, tt);
	return s;
}
