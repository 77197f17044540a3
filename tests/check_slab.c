/* check_slab.c: the request slab under concurrency, with a server thread of the test's own. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"
#include "suites.h"
#include "tracer.h"

#define OP_ECHO 1   /* result = val * 3 + 1, val echoed into done */
#define OP_FAIL 2   /* result = -TR_EINVAL */
#define OP_ORDER 3  /* appends val to the order log */

struct server {
	struct tr_slab *slab;
	atomic_bool quit;
	atomic_ulong completed;
	pthread_t thread;
	uint64_t order[64];
	unsigned norder;
};

/* The per-request work of the test's server: a result the requester can
 * check belongs to its own request. */
static int
serve_one(struct server *sv, struct tr_req *r)
{
	switch (r->op) {
	case OP_ECHO:
		r->done = r->val;
		*(uint64_t *)r->buf = r->val ^ 0x5a5a;
		return (int)(r->val % 1000) * 3 + 1;
	case OP_FAIL:
		return -TR_EINVAL;
	case OP_ORDER:
		if (sv->norder < 64)
			sv->order[sv->norder++] = r->val;
		return 0;
	default:
		return -TR_EINVAL;
	}
}

static void *
server_main(void *arg)
{
	struct server *sv = arg;
	struct pollfd pfd;

	tr_slab_server_bind(sv->slab);
	pfd.fd = tr_slab_server_fd(sv->slab);
	pfd.events = POLLIN;
	while (!atomic_load(&sv->quit)) {
		struct tr_req *r = tr_slab_server_next(sv->slab);

		if (r) {
			bool failed = false;

			/* A batch: run in order, cancel after a failure. */
			while (r) {
				struct tr_req *next = r->next;
				int res = failed ? -TR_ECANCELED
						 : serve_one(sv, r);

				if (res < 0)
					failed = true;
				tr_slab_complete(sv->slab, r, res);
				atomic_fetch_add(&sv->completed, 1);
				r = next;
			}
			continue;
		}
		if (tr_slab_server_spin(sv->slab))
			continue;
		if (tr_slab_server_sleep_prepare(sv->slab))
			continue;
		poll(&pfd, 1, 50);
		tr_slab_server_sleep_end(sv->slab);
	}
	return NULL;
}

static void
server_start(struct server *sv, enum tr_wait_policy policy, unsigned nslots)
{
	struct tr_slab_opts o = { .nslots = nslots, .policy = policy };

	memset(sv, 0, sizeof(*sv));
	ck_assert_int_eq(tr_slab_new(&o, &sv->slab), 0);
	ck_assert_int_eq(pthread_create(&sv->thread, NULL, server_main, sv), 0);
}

static void
server_stop(struct server *sv)
{
	atomic_store(&sv->quit, true);
	pthread_join(sv->thread, NULL);
	tr_slab_free(sv->slab);
}

#define NTHREADS 4
#define PER_THREAD 20000

struct client {
	struct server *sv;
	int id;
	unsigned wrong;
	unsigned inflight; /* requests kept in flight at once */
};

static void *
client_main(void *arg)
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
			r[k]->val = (uint64_t)c->id * 1000000 + i + k;
			r[k]->buf = &out[k];
			tr_slab_submit(c->sv->slab, r[k]);
		}
		for (k = 0; k < n; k++) {
			uint64_t v = (uint64_t)c->id * 1000000 + i + k;
			int res = tr_slab_wait(c->sv->slab, r[k]);

			if (res != (int)(v % 1000) * 3 + 1 || r[k]->done != v ||
			    out[k] != (v ^ 0x5a5a))
				c->wrong++;
			tr_slab_put(c->sv->slab, r[k]);
		}
	}
	return NULL;
}

/* Several threads times many requests, every policy: each request is
 * completed exactly once, with its own result. */
START_TEST(test_concurrent_requests)
{
	enum tr_wait_policy policy = (enum tr_wait_policy)_i;
	struct server sv;
	struct client c[NTHREADS];
	pthread_t th[NTHREADS];
	struct tr_slab_stats st;

	/* 16 slots for 4 threads keeping up to 4 each in flight: requesters
	 * also wait for free slots. */
	server_start(&sv, policy, 16);
	for (int i = 0; i < NTHREADS; i++) {
		c[i] = (struct client){ .sv = &sv, .id = i + 1,
					.inflight = (unsigned)(1 + i % 4) };
		ck_assert_int_eq(pthread_create(&th[i], NULL, client_main,
						&c[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_uint_eq(c[i].wrong, 0);
	}
	ck_assert_uint_eq(atomic_load(&sv.completed),
			  (unsigned long)NTHREADS * PER_THREAD);
	tr_slab_stats_get(sv.slab, &st);
	ck_assert_uint_eq(st.requests, (uint64_t)NTHREADS * PER_THREAD);
	ck_assert_uint_eq(st.submits, (uint64_t)NTHREADS * PER_THREAD);
	server_stop(&sv);
}
END_TEST

/* A batch runs in order; after a failure the rest is canceled. */
START_TEST(test_batches)
{
	struct server sv;
	struct tr_req *r[5];

	server_start(&sv, TR_WAIT_ADAPTIVE, 8);
	for (int i = 0; i < 5; i++) {
		r[i] = tr_slab_get(sv.slab);
		r[i]->op = OP_ORDER;
		r[i]->val = (uint64_t)(10 + i);
		if (i)
			r[i - 1]->next = r[i];
	}
	tr_slab_submit(sv.slab, r[0]);
	ck_assert_int_eq(tr_slab_wait(sv.slab, r[4]), 0);
	for (int i = 0; i < 5; i++) {
		ck_assert(tr_slab_poll_done(r[i]));
		ck_assert_int_eq(r[i]->result, 0);
		tr_slab_put(sv.slab, r[i]);
	}
	ck_assert_uint_eq(sv.norder, 5);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(sv.order[i], 10 + i);

	for (int i = 0; i < 4; i++) {
		r[i] = tr_slab_get(sv.slab);
		r[i]->op = i == 1 ? OP_FAIL : OP_ORDER;
		r[i]->val = (uint64_t)(20 + i);
		if (i)
			r[i - 1]->next = r[i];
	}
	tr_slab_submit(sv.slab, r[0]);
	ck_assert_int_eq(tr_slab_wait(sv.slab, r[3]), -TR_ECANCELED);
	ck_assert_int_eq(r[0]->result, 0);
	ck_assert_int_eq(r[1]->result, -TR_EINVAL);
	ck_assert_int_eq(r[2]->result, -TR_ECANCELED);
	for (int i = 0; i < 4; i++)
		tr_slab_put(sv.slab, r[i]);
	ck_assert_uint_eq(sv.norder, 6); /* only 20 ran of this batch */
	ck_assert_uint_eq(sv.order[5], 20);
	server_stop(&sv);
}
END_TEST

START_TEST(test_bad_options)
{
	struct tr_slab *s = NULL;
	struct tr_slab_opts o = { .nslots = 100000 };

	ck_assert_int_eq(tr_slab_new(&o, &s), -TR_EINVAL);
	ck_assert_ptr_null(s);
	o.nslots = 4;
	o.policy = TR_WAIT_POLICY_MAX_;
	ck_assert_int_eq(tr_slab_new(&o, &s), -TR_EINVAL);
	ck_assert_str_eq(tr_slab_policy_name(TR_WAIT_SPIN), "spin");
	ck_assert_str_eq(tr_strerror(-TR_EFAULT),
			 "cannot access target memory at that address");
	ck_assert_str_eq(tr_strerror(12345), "unknown error");
}
END_TEST

/* Through a real tracer thread: no-ops and calls from several threads,
 * with no target at all. */
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
	return n == 5000 ? NULL : (void *)2;
}

START_TEST(test_tracer_dispatch)
{
	struct tr_tracer *t;
	pthread_t th[3];
	uint64_t v;
	struct tr_state st;

	ck_assert_int_eq(tr_tracer_new(NULL, &t), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, tracer_client, t),
				 0);
	for (int i = 0; i < 3; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		ck_assert_ptr_null(ret);
	}
	/* Without a target, requests fail cleanly. */
	ck_assert_int_eq(tr_peek(t, 0, 0x1000, &v), -TR_ENOTARGET);
	ck_assert_int_eq(tr_cont(t, 0, 0, NULL), -TR_ENOTARGET);
	ck_assert_int_eq(tr_detach(t), -TR_ENOTARGET);
	ck_assert_int_eq(tr_state_get(t, &st), 0);
	ck_assert_int_eq(st.pid, 0);
	tr_tracer_free(t);
}
END_TEST

Suite *
suite_slab(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_concurrent_requests, 0,
			    TR_WAIT_POLICY_MAX_);
	tcase_add_test(tc, test_batches);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_tracer_dispatch);
	suite_add_tcase(s, tc);
	return s;
}
