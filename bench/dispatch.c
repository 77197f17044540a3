/* dispatch.c: a PEEK on the tracer thread vs. through the slab and a naive dispatcher. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc-count.h"
#include "base/error.h"
#include "target/slab.h"
#include "target/tracer.h"

/*
 * Method. bench-target idles with one known word; one tracer per wait
 * policy attaches to it (the target is then stopped) and every case peeks
 * that word, checking the value each time:
 *
 *   direct-peek  tr_direct_peek() in a loop inside one tr_call(): the
 *                floor, PTRACE_PEEKDATA on the tracer thread itself;
 *   slab-peek    tr_peek() from 1 or 2 requester threads;
 *   slab-noop    tr_nop(): the dispatch alone;
 *   naive-peek   the tracer thread borrowed by one long tr_call() that
 *                serves a malloc'd request + mutex/condvar queue, the way
 *                a naive Go mainthread.Call does.
 *
 * Each op is timed on the thread that issues it, with one CLOCK_MONOTONIC
 * read per op (the time since the previous read), so the read's own cost
 * (printed as "clock") is in every figure alike; at 0.5-1 us per op it
 * does not need batching. The cases of a policy run interleaved in rounds,
 * so a noisy neighbour on this shared machine hits them all alike; the
 * samples of all rounds, and of both requesters, are pooled before the
 * median and p99 are taken. A case stops at its time cap (--secs), so the
 * slow ones time fewer ops (the "ops" column). Allocations are counted by
 * interposing malloc and friends (all threads, the tracer thread's too),
 * between barriers that enclose the timed loops only.
 */

#ifndef BENCH_TARGET
#define BENCH_TARGET "bench/bench-target"
#endif

#define MAX_REQ 2
#define MAX_CASES 32
#define DEFAULT_ITERS 200000
#define DEFAULT_ROUNDS 5
#define DEFAULT_CASE_SECS 1.5
#define DEFAULT_WARM 1000
#define QUICK_ITERS 20000
#define QUICK_ROUNDS 2
#define QUICK_CASE_SECS 0.25
#define QUICK_WARM 200

/* The issue's targets. */
#define TARGET_SLAB_DIRECT 1.3
#define TARGET_NAIVE_SLAB 5.0

/* A PEEK that succeeded with the wrong value: not a TR_E* code. */
#define E_VALUE 1000

/* ---- cases and their results --------------------------------------- */

enum kind {
	K_DIRECT_PEEK = 0,
	K_SLAB_PEEK = 1,
	K_SLAB_NOOP = 2,
	K_NAIVE_PEEK = 3,
};

static const char *const kind_names[] = { "direct-peek", "slab-peek",
					  "slab-noop", "naive-peek" };
/* Prefixes of the JSON keys. */
static const char *const kind_keys[] = { "direct_peek", "slab_peek",
					 "slab_noop", "naive_peek" };

struct bcase {
	enum kind kind;
	enum tr_wait_policy policy; /* of the tracer it runs on */
	unsigned nreq;              /* requester threads */
	uint32_t *samples;          /* ns per op, all rounds and requesters */
	size_t cap, n;
	uint64_t allocs;            /* over the timed loops */
	uint64_t busy_ns;           /* wall time of the timed loops */
	struct tr_slab_stats st;    /* slab counter deltas, timed loops only */
	/* What the machine did meanwhile (struct sys_snap deltas). */
	uint64_t win_ns, own_ns, rq_ns, other_ns, nvcsw, nivcsw;
	bool no_idle;               /* other_ns unknown */
	uint32_t med, p99;
};

static bool
is_slab(const struct bcase *c)
{
	return c->kind == K_SLAB_PEEK || c->kind == K_SLAB_NOOP;
}

/* CPU time over the case's timed loops, in CPUs. */
static double
cpus(const struct bcase *c, uint64_t ns)
{
	return c->win_ns ? (double)ns / (double)c->win_ns : 0.0;
}

static double
allocs_per_op(const struct bcase *c)
{
	return c->n ? (double)c->allocs / (double)c->n : 0.0;
}

/* ---- the naive dispatcher ------------------------------------------ */

/*
 * What a naive mainthread.Call does: every call allocates its request
 * with its own completion flag and condvar (Go: a closure and a `done`
 * channel), queues it under one mutex and sleeps until the server thread
 * signals it.
 */
struct naive_req {
	uint64_t addr;
	uint64_t val;
	int result;
	bool done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct naive_req *next;
};

struct naive_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct naive_req *head, *tail;
	bool stop;  /* set by main: return once the queue is empty */
	bool dead;  /* the server is gone: calls fail instead of hanging */
	int server_rc;
};

static void
naive_finish(struct naive_req *r, int result)
{
	pthread_mutex_lock(&r->mu);
	r->result = result;
	r->done = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* The server loop, on the tracer thread (inside tr_call). */
static int
naive_serve(struct tr_tracer *t, void *arg)
{
	struct naive_queue *q = arg;
	struct naive_req *r;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		r = q->head;
		if (!r)
			break;
		q->head = r->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		naive_finish(r, tr_direct_peek(t, 0, r->addr, &r->val));
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static int
naive_peek(struct naive_queue *q, uint64_t addr, uint64_t *val)
{
	struct naive_req *r = malloc(sizeof(*r));
	int rc;

	if (!r)
		return -TR_ENOMEM;
	r->addr = addr;
	r->val = 0;
	r->result = 0;
	r->done = false;
	r->next = NULL;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);

	pthread_mutex_lock(&q->mu);
	if (q->dead) {
		pthread_mutex_unlock(&q->mu);
		rc = -TR_ESHUTDOWN;
		goto out;
	}
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);

	pthread_mutex_lock(&r->mu);
	while (!r->done)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	rc = r->result;
	*val = r->val;
out:
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return rc;
}

struct borrower {
	struct tr_tracer *t;
	struct naive_queue *q;
	pthread_t th;
};

/* Lends the tracer thread to naive_serve() for the whole timed loop. */
static void *
borrower_main(void *arg)
{
	struct borrower *bw = arg;
	struct naive_queue *q = bw->q;
	int rc = tr_call(bw->t, naive_serve, q);

	/* Normally the queue is empty here; if tr_call failed, fail what was
	 * queued so that no requester waits forever. */
	pthread_mutex_lock(&q->mu);
	q->server_rc = rc;
	q->dead = true;
	while (q->head) {
		struct naive_req *r = q->head;

		q->head = r->next;
		naive_finish(r, rc ? rc : -TR_ESHUTDOWN);
	}
	q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* ---- the timed loops ----------------------------------------------- */

struct bench {
	struct tr_tracer *t;   /* the tracer of the policy being measured */
	pid_t pid;             /* the target */
	pid_t tracer_tid;      /* the tracer thread */
	uint64_t addr;         /* the word to peek */
	uint64_t expect;       /* its value */
	size_t warm;           /* warm-up ops per requester and round */
	pthread_barrier_t bar; /* main + the measuring threads */
	struct naive_queue nq;
};

struct worker {
	struct bench *b;
	struct bcase *c;
	uint32_t *out;      /* this worker's samples */
	size_t nops;        /* ops to time */
	uint64_t budget_ns; /* stop early once the loop took this long */
	size_t done;        /* ops timed */
	uint64_t t_start, t_end;
	uint64_t rq0, rq1;  /* this thread's run_delay around the loop */
	int err;            /* first failure: -TR_E* or E_VALUE */
	bool entered;       /* direct: the tracer thread ran direct_fn */
	pthread_t th;
};

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Where the time went besides the work, to explain an outlier: this
 * process's CPU time and context switches (getrusage); how long the
 * threads of a case sat runnable on a run queue, waiting for a CPU taken by
 * another thread of ours or by another process (run_delay, the second
 * field of /proc/.../schedstat, in ns); and the CPUs' idle time (cpuidle
 * state residency, in us), which tells how much other processes ran:
 * online CPUs x wall time - idle - ours.
 */
struct sys_snap {
	uint64_t t_ns;
	uint64_t own_ns;
	uint64_t idle_ns;      /* 0: no cpuidle statistics */
	uint64_t nvcsw, nivcsw;
	uint64_t tracer_rq_ns; /* the tracer thread's run_delay */
};

static int ncpus_online = 1;

/* Read one unsigned number from a small file: open/read rather than
 * stdio, which allocates a buffer. -1 when unreadable. */
static int
read_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &x) != 1)
		return -1;
	*v = x;
	return 0;
}

static uint64_t
idle_ns(void)
{
	char path[96];
	uint64_t sum = 0, v;

	for (int cpu = 0; cpu < ncpus_online; cpu++)
		for (int st = 0;; st++) {
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/"
				 "cpu%d/cpuidle/state%d/time", cpu, st);
			if (read_u64(path, &v) < 0)
				break;
			sum += v * 1000;
		}
	return sum;
}

/* run_delay of a thread; 0 when the kernel keeps no schedstat. */
static uint64_t
run_delay(const char *path)
{
	unsigned long long run, delay;
	char buf[128];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &delay) != 2)
		return 0;
	return delay;
}

static void
sys_snap(struct sys_snap *s, pid_t tracer_tid)
{
	struct timespec ts;
	struct rusage ru;
	char path[64];

	memset(s, 0, sizeof(*s));
	s->t_ns = now_ns();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	s->own_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		s->nvcsw = (uint64_t)ru.ru_nvcsw;
		s->nivcsw = (uint64_t)ru.ru_nivcsw;
	}
	if (tracer_tid > 0) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat",
			 (int)tracer_tid);
		s->tracer_rq_ns = run_delay(path);
	}
	s->idle_ns = idle_ns();
}

static void
sys_add_delta(struct bcase *c, const struct sys_snap *a,
	      const struct sys_snap *b)
{
	uint64_t win = b->t_ns - a->t_ns, own = b->own_ns - a->own_ns;
	uint64_t idle = b->idle_ns - a->idle_ns, cap = win * ncpus_online;

	c->win_ns += win;
	c->own_ns += own;
	if (!b->idle_ns)
		c->no_idle = true;
	else if (cap > idle + own)
		c->other_ns += cap - idle - own;
	c->rq_ns += b->tracer_rq_ns - a->tracer_rq_ns;
	c->nvcsw += b->nvcsw - a->nvcsw;
	c->nivcsw += b->nivcsw - a->nivcsw;
}

static inline int
do_op(struct worker *w, uint64_t *v)
{
	struct bench *b = w->b;

	switch (w->c->kind) {
	case K_DIRECT_PEEK:
		return tr_direct_peek(b->t, 0, b->addr, v);
	case K_SLAB_PEEK:
		return tr_peek(b->t, 0, b->addr, v);
	case K_SLAB_NOOP:
		*v = b->expect;
		return tr_nop(b->t);
	case K_NAIVE_PEEK:
		return naive_peek(&b->nq, b->addr, v);
	}
	return -TR_EINVAL;
}

/*
 * Warm up, then meet main at three barriers: after the warm-up (main
 * reads the counters while we wait at the second), before the timed loop
 * and after it. A failure still goes through every barrier, or main would
 * wait forever.
 */
static void
run_ops(struct worker *w)
{
	struct bench *b = w->b;
	uint64_t v = 0, t, d, prev, deadline;
	size_t i;
	int rc = 0;

	for (i = 0; i < b->warm && !rc; i++) {
		rc = do_op(w, &v);
		if (!rc && v != b->expect)
			rc = E_VALUE;
	}
	w->err = rc;
	pthread_barrier_wait(&b->bar);
	pthread_barrier_wait(&b->bar);
	w->rq0 = run_delay("/proc/thread-self/schedstat");
	i = 0;
	if (!rc) {
		prev = now_ns();
		w->t_start = prev;
		deadline = prev + w->budget_ns;
		while (i < w->nops) {
			rc = do_op(w, &v);
			t = now_ns();
			if (rc || v != b->expect) {
				w->err = rc ? rc : E_VALUE;
				break;
			}
			d = t - prev;
			w->out[i++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
			prev = t;
			if (t >= deadline)
				break;
		}
		w->t_end = prev;
	}
	w->done = i;
	w->rq1 = run_delay("/proc/thread-self/schedstat");
	pthread_barrier_wait(&b->bar);
}

static int
direct_fn(struct tr_tracer *t, void *arg)
{
	struct worker *w = arg;

	w->entered = true;
	run_ops(w);
	return 0;
}

static void *
requester_main(void *arg)
{
	struct worker *w = arg;
	int rc;

	if (w->c->kind != K_DIRECT_PEEK) {
		run_ops(w);
		return NULL;
	}
	/* The direct loop runs on the tracer thread; this thread only waits
	 * in tr_call (asleep once the slab's spin budget is spent). */
	rc = tr_call(w->b->t, direct_fn, w);
	if (!w->entered) {
		w->err = rc ? rc : -TR_ESYS;
		for (int k = 0; k < 3; k++)
			pthread_barrier_wait(&w->b->bar);
	} else if (rc && !w->err) {
		w->err = rc;
	}
	return NULL;
}

static const char *
err_str(int err)
{
	return err == E_VALUE ? "PEEK returned the wrong value"
			      : tr_strerror(err);
}

static void
stats_add_delta(struct tr_slab_stats *acc, const struct tr_slab_stats *a,
		const struct tr_slab_stats *b)
{
#define D(f) acc->f += b->f - a->f
	D(requests);
	D(submits);
	D(server_spin_hits);
	D(server_sleeps);
	D(server_wakes);
	D(client_spin_hits);
	D(client_yields);
	D(client_sleeps);
	D(client_wakes);
	D(slot_waits);
#undef D
}

static void
fatal(int rc, const char *what)
{
	fprintf(stderr, "dispatch: %s: %s\n", what, strerror(rc));
	/* The target has PR_SET_PDEATHSIG: it dies with us. */
	exit(1);
}

/* One round of case `c`: `nops` timed ops split over its requesters. */
static int
run_chunk(struct bench *b, struct bcase *c, size_t nops, uint64_t budget_ns)
{
	struct worker w[MAX_REQ];
	struct borrower bw = { .t = b->t, .q = &b->nq };
	struct tr_slab *slab = tr_tracer_slab(b->t);
	struct tr_slab_stats s0, s1;
	struct sys_snap y0, y1;
	uint64_t a0, a1, t0 = UINT64_MAX, t1 = 0;
	size_t per = nops / c->nreq;
	int rc, err = 0;

	if (c->n + per * c->nreq > c->cap)
		per = (c->cap - c->n) / c->nreq;
	if (per == 0)
		return 0;
	rc = pthread_barrier_init(&b->bar, NULL, c->nreq + 1);
	if (rc)
		fatal(rc, "pthread_barrier_init");
	if (c->kind == K_NAIVE_PEEK) {
		memset(&b->nq, 0, sizeof(b->nq));
		pthread_mutex_init(&b->nq.mu, NULL);
		pthread_cond_init(&b->nq.cv, NULL);
		rc = pthread_create(&bw.th, NULL, borrower_main, &bw);
		if (rc)
			fatal(rc, "pthread_create");
	}
	for (unsigned k = 0; k < c->nreq; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].b = b;
		w[k].c = c;
		w[k].out = c->samples + c->n + k * per;
		w[k].nops = per;
		w[k].budget_ns = budget_ns;
		rc = pthread_create(&w[k].th, NULL, requester_main, &w[k]);
		if (rc)
			fatal(rc, "pthread_create");
	}

	pthread_barrier_wait(&b->bar);
	/* Every measuring thread is parked at the second barrier. The
	 * tracer thread's run_delay is read here unless it is the measuring
	 * thread itself (direct), which reads its own. */
	sys_snap(&y0, c->kind == K_DIRECT_PEEK ? 0 : b->tracer_tid);
	tr_slab_stats_get(slab, &s0);
	a0 = bench_allocs_now();
	pthread_barrier_wait(&b->bar);
	pthread_barrier_wait(&b->bar);
	a1 = bench_allocs_now();
	tr_slab_stats_get(slab, &s1);
	sys_snap(&y1, c->kind == K_DIRECT_PEEK ? 0 : b->tracer_tid);

	for (unsigned k = 0; k < c->nreq; k++)
		pthread_join(w[k].th, NULL);
	if (c->kind == K_NAIVE_PEEK) {
		pthread_mutex_lock(&b->nq.mu);
		b->nq.stop = true;
		pthread_cond_signal(&b->nq.cv);
		pthread_mutex_unlock(&b->nq.mu);
		pthread_join(bw.th, NULL);
		if (b->nq.server_rc)
			err = b->nq.server_rc;
		pthread_cond_destroy(&b->nq.cv);
		pthread_mutex_destroy(&b->nq.mu);
	}
	pthread_barrier_destroy(&b->bar);

	/* Pool the samples: the workers wrote them at fixed offsets. */
	for (unsigned k = 0; k < c->nreq; k++) {
		if (w[k].err && !err)
			err = w[k].err;
		c->rq_ns += w[k].rq1 - w[k].rq0;
		if (!w[k].done)
			continue;
		memmove(c->samples + c->n, w[k].out,
			w[k].done * sizeof(*c->samples));
		c->n += w[k].done;
		if (w[k].t_start < t0)
			t0 = w[k].t_start;
		if (w[k].t_end > t1)
			t1 = w[k].t_end;
	}
	if (t1 > t0)
		c->busy_ns += t1 - t0;
	c->allocs += a1 - a0;
	stats_add_delta(&c->st, &s0, &s1);
	sys_add_delta(c, &y0, &y1);
	if (err)
		fprintf(stderr, "dispatch: %s (%s, %u req): %s\n",
			kind_names[c->kind], tr_slab_policy_name(c->policy),
			c->nreq, err_str(err));
	return err;
}

/* ---- configuration ------------------------------------------------- */

struct config {
	size_t iters;      /* timed ops per case, over all rounds */
	unsigned rounds;
	double case_secs;  /* time cap per case, over all rounds */
	size_t warm;
	bool json;
	unsigned policies; /* bit per enum tr_wait_policy */
	const char *target;
};

static int
tracer_tid_fn(struct tr_tracer *t, void *arg)
{
	*(pid_t *)arg = gettid();
	return 0;
}

/*
 * Run every round of the cases of one policy on a fresh tracer. A tracer
 * per policy because the policy is fixed at tr_tracer_new(); one target
 * for all, attached and detached in turn.
 */
static int
measure_policy(struct bench *b, const struct config *cfg,
	       struct bcase *cases, size_t ncases, enum tr_wait_policy policy)
{
	struct tr_tracer_opts opts;
	size_t chunk = cfg->iters / cfg->rounds;
	uint64_t budget = (uint64_t)(cfg->case_secs * 1e9 / cfg->rounds);
	uint64_t v = 0;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.slab.policy = policy;
	rc = tr_tracer_new(&opts, &b->t);
	if (rc) {
		fprintf(stderr, "dispatch: tr_tracer_new(%s): %s\n",
			tr_slab_policy_name(policy), tr_strerror(rc));
		return rc;
	}
	rc = tr_attach(b->t, b->pid);
	if (rc) {
		fprintf(stderr, "dispatch: tr_attach(%d): %s\n", (int)b->pid,
			tr_strerror(rc));
		goto out;
	}
	rc = tr_peek(b->t, 0, b->addr, &v);
	if (!rc && v != b->expect)
		rc = E_VALUE;
	if (rc) {
		fprintf(stderr, "dispatch: first tr_peek(%#" PRIx64 "): %s"
			" (got %#" PRIx64 ", want %#" PRIx64 ")\n",
			b->addr, err_str(rc), v, b->expect);
		goto detach;
	}
	if (tr_call(b->t, tracer_tid_fn, &b->tracer_tid) != 0)
		b->tracer_tid = 0;
	for (unsigned r = 0; r < cfg->rounds && !rc; r++)
		for (size_t i = 0; i < ncases && !rc; i++)
			if (cases[i].policy == policy)
				rc = run_chunk(b, &cases[i], chunk, budget);
detach:
	if (tr_detach(b->t) != 0 && !rc)
		fprintf(stderr, "dispatch: tr_detach failed (tr_tracer_free "
			"detaches anyway)\n");
out:
	tr_tracer_free(b->t);
	b->t = NULL;
	return rc;
}

/* ---- the target ---------------------------------------------------- */

/* Start bench-target untraced and read "&word value" from its stdout. */
static pid_t
start_target(const char *path, uint64_t *addr, uint64_t *val)
{
	char line[128];
	size_t len = 0;
	ssize_t n;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("dispatch: pipe2");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("dispatch: fork");
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		/* A blocked mask survives execve: give the target a clean
		 * one. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Die with the benchmark, however it ends. Safe: main forks
		 * and main is the thread that lives longest. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len < sizeof(line) - 1) {
		n = read(fds[0], line + len, sizeof(line) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len))
			break;
	}
	close(fds[0]);
	line[len] = '\0';
	if (sscanf(line, "%" SCNx64 " %" SCNx64, addr, val) != 2) {
		fprintf(stderr, "dispatch: %s did not start (make bench "
			"builds it; --target PATH)\n", path);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* ---- output -------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static uint32_t
pct(const uint32_t *s, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)((double)n * p);
	return s[i < n ? i : n - 1];
}

static struct bcase *
find(struct bcase *cases, size_t ncases, enum kind k,
     enum tr_wait_policy p, unsigned nreq)
{
	for (size_t i = 0; i < ncases; i++)
		if (cases[i].kind == k && cases[i].nreq == nreq &&
		    (k == K_NAIVE_PEEK || cases[i].policy == p) && cases[i].n)
			return &cases[i];
	return NULL;
}

static double
ratio(const struct bcase *num, const struct bcase *den)
{
	if (!num || !den || !den->med)
		return -1.0;
	return (double)num->med / (double)den->med;
}

struct summary {
	enum tr_wait_policy policy; /* the headline policy */
	struct bcase *direct, *slab, *slab2, *noop, *naive;
	double slab_direct, naive_slab;
	uint64_t slab_allocs, slab_ops; /* every slab case of every policy */
	bool pass_ratio, pass_allocs, pass_naive;
	bool busy;      /* other processes used a CPU meanwhile */
	bool waited;    /* our threads waited for a CPU meanwhile */
};

/*
 * Other processes used over a quarter of a CPU during the case: then the
 * requester and the tracer thread may have had to share the other CPU,
 * where every dispatch costs two context switches.
 */
static bool
case_busy(const struct bcase *c)
{
	return c && c->n && !c->no_idle && cpus(c, c->other_ns) > 0.25;
}

/* Our threads spent over a tenth of an op waiting for a CPU. */
static bool
case_waited(const struct bcase *c)
{
	return c && c->n && (double)c->rq_ns / (double)c->n > 0.1 * c->med;
}

static void
summarize(struct summary *sm, struct bcase *cases, size_t ncases,
	  unsigned policies)
{
	memset(sm, 0, sizeof(*sm));
	sm->policy = TR_WAIT_ADAPTIVE;
	while (!(policies & (1u << sm->policy)))
		sm->policy++;
	sm->direct = find(cases, ncases, K_DIRECT_PEEK, sm->policy, 1);
	sm->slab = find(cases, ncases, K_SLAB_PEEK, sm->policy, 1);
	sm->slab2 = find(cases, ncases, K_SLAB_PEEK, sm->policy, 2);
	sm->noop = find(cases, ncases, K_SLAB_NOOP, sm->policy, 1);
	sm->naive = find(cases, ncases, K_NAIVE_PEEK, sm->policy, 1);
	sm->slab_direct = ratio(sm->slab, sm->direct);
	sm->naive_slab = ratio(sm->naive, sm->slab);
	for (size_t i = 0; i < ncases; i++) {
		if (!is_slab(&cases[i]))
			continue;
		sm->slab_allocs += cases[i].allocs;
		sm->slab_ops += cases[i].n;
	}
	sm->busy = case_busy(sm->direct) || case_busy(sm->slab);
	sm->waited = case_waited(sm->direct) || case_waited(sm->slab);
	sm->pass_ratio = sm->slab_direct >= 0 &&
			 sm->slab_direct <= TARGET_SLAB_DIRECT;
	sm->pass_naive = sm->naive_slab >= TARGET_NAIVE_SLAB;
	sm->pass_allocs = COUNT_ALLOCS && sm->slab && sm->slab_ops &&
			  sm->slab->allocs == 0 && sm->slab_allocs == 0;
}

static const char *
pass_str(bool ok)
{
	return ok ? "PASS" : "MISS";
}

static void
print_table(const struct config *cfg, const struct bench *b,
	    struct bcase *cases, size_t ncases, const struct summary *sm,
	    uint64_t clock_ns, int ncpus)
{
	printf("dispatch: one PEEK on the tracer thread, through the slab, "
	       "through a naive dispatcher\n");
	printf("cpus %d, target pid %d, word at %#" PRIx64 "; clock read "
	       "%" PRIu64 " ns, in every figure\n", ncpus, (int)b->pid,
	       b->addr, clock_ns);
	printf("%zu timed ops per case (at most %.2f s), %u interleaved "
	       "rounds, %zu warm-up ops per round; per-op timing\n",
	       cfg->iters, cfg->case_secs, cfg->rounds, cfg->warm);
	if (!COUNT_ALLOCS)
		printf("sanitizer build: allocations not counted, timings "
		       "not meaningful\n");
	printf("\n%-12s %-9s %3s %8s %9s %9s %9s %9s\n", "operation",
	       "policy", "req", "ops", "median-ns", "p99-ns", "allocs/op",
	       "kop/s");
	for (size_t i = 0; i < ncases; i++) {
		const struct bcase *c = &cases[i];
		char allocs[16] = "n/a";

		if (!c->n)
			continue;
		if (COUNT_ALLOCS)
			snprintf(allocs, sizeof(allocs), "%.3f",
				 allocs_per_op(c));
		printf("%-12s %-9s %3u %8zu %9" PRIu32 " %9" PRIu32
		       " %9s %9.1f\n", kind_names[c->kind],
		       c->kind == K_NAIVE_PEEK ? "-"
					       : tr_slab_policy_name(c->policy),
		       c->nreq, c->n, c->med, c->p99, allocs,
		       c->busy_ns ? (double)c->n * 1e6 / (double)c->busy_ns
				  : 0.0);
	}

	printf("\nslab counters per request, timed loops only (srv: the "
	       "tracer thread, cli: requesters)\n");
	printf("%-12s %-9s %3s %9s %9s %9s %9s %9s %9s %9s %9s\n",
	       "operation", "policy", "req", "srv-spin", "srv-sleep",
	       "srv-wake", "cli-spin", "cli-yield", "cli-sleep", "cli-wake",
	       "slot-wait");
	for (size_t i = 0; i < ncases; i++) {
		const struct bcase *c = &cases[i];
		double q = c->st.requests ? (double)c->st.requests : 1.0;

		if (!c->n || !is_slab(c))
			continue;
		printf("%-12s %-9s %3u %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f "
		       "%9.3f %9.3f\n", kind_names[c->kind],
		       tr_slab_policy_name(c->policy), c->nreq,
		       c->st.server_spin_hits / q, c->st.server_sleeps / q,
		       c->st.server_wakes / q, c->st.client_spin_hits / q,
		       c->st.client_yields / q, c->st.client_sleeps / q,
		       c->st.client_wakes / q, c->st.slot_waits / q);
	}

	printf("\nscheduling, timed loops only: context switches of this "
	       "process per op (csw: sleeps;\nicsw: preemptions and yields), "
	       "ns per op its measuring threads and the tracer thread\n"
	       "spent runnable waiting for a CPU, CPUs used by this process "
	       "and not by it\n(other processes, interrupts, idle entry and "
	       "exit: about 0.1 on a quiet machine)\n");
	printf("%-12s %-9s %3s %9s %9s %9s %9s %9s\n", "operation", "policy",
	       "req", "csw/op", "icsw/op", "runq-ns", "own-cpu", "other-cpu");
	for (size_t i = 0; i < ncases; i++) {
		const struct bcase *c = &cases[i];

		if (!c->n)
			continue;
		printf("%-12s %-9s %3u %9.3f %9.3f %9.0f %9.2f %9.2f\n",
		       kind_names[c->kind],
		       c->kind == K_NAIVE_PEEK ? "-"
					       : tr_slab_policy_name(c->policy),
		       c->nreq, (double)c->nvcsw / (double)c->n,
		       (double)c->nivcsw / (double)c->n,
		       (double)c->rq_ns / (double)c->n, cpus(c, c->own_ns),
		       c->no_idle ? -1.0 : cpus(c, c->other_ns));
	}

	printf("\nslab-peek / direct-peek per policy (1 req, medians):");
	for (int p = 0; p < TR_WAIT_POLICY_MAX_; p++) {
		double x = ratio(find(cases, ncases, K_SLAB_PEEK, p, 1),
				 find(cases, ncases, K_DIRECT_PEEK, p, 1));

		if (x >= 0)
			printf(" %s %.2f", tr_slab_policy_name(p), x);
	}
	printf("\n\n");
	printf("slab-peek / direct-peek (%s, 1 req, median): %6.2f  target "
	       "<= %.2f  %s\n", tr_slab_policy_name(sm->policy),
	       sm->slab_direct, TARGET_SLAB_DIRECT, pass_str(sm->pass_ratio));
	printf("naive-peek / slab-peek  (%s, 1 req, median): %6.2f  target "
	       ">= %.2f  %s\n", tr_slab_policy_name(sm->policy),
	       sm->naive_slab, TARGET_NAIVE_SLAB, pass_str(sm->pass_naive));
	if (COUNT_ALLOCS)
		printf("slab allocs/op (%s, 1 req): %.3f; every slab case: "
		       "%" PRIu64 " allocations in %" PRIu64 " ops  target = 0"
		       "  %s\n", tr_slab_policy_name(sm->policy),
		       sm->slab ? allocs_per_op(sm->slab) : -1.0,
		       sm->slab_allocs, sm->slab_ops,
		       pass_str(sm->pass_allocs));
	else
		printf("slab allocs/op: not counted in a sanitizer build\n");
	if (sm->busy)
		printf("note: other processes used a CPU during the %s cases "
		       "(other-cpu): the ratios are not representative\n",
		       tr_slab_policy_name(sm->policy));
	else if (sm->waited)
		printf("note: the %s cases waited for a CPU (runq-ns) though "
		       "other-cpu was low: the requester\nand the tracer "
		       "thread shared a CPU part of the time (cli-yield)\n",
		       tr_slab_policy_name(sm->policy));
}

/* A minimal JSON writer: keys are ours, so nothing needs escaping. */
static int json_depth;
static bool json_first = true;

static void
jkey(const char *k)
{
	printf("%s\n%*s\"%s\": ", json_first ? "" : ",", 2 * json_depth, "",
	       k);
	json_first = false;
}

static void
jobj_begin(const char *k)
{
	if (k)
		jkey(k);
	printf("{");
	json_depth++;
	json_first = true;
}

static void
jobj_end(void)
{
	json_depth--;
	printf("\n%*s}", 2 * json_depth, "");
	json_first = false;
}

static void
ju(const char *k, uint64_t v)
{
	jkey(k);
	printf("%" PRIu64, v);
}

static void
jd(const char *k, double v)
{
	jkey(k);
	if (v < 0)
		printf("null");
	else
		printf("%.4f", v);
}

static void
jb(const char *k, bool v)
{
	jkey(k);
	printf("%s", v ? "true" : "false");
}

static void
js(const char *k, const char *v)
{
	jkey(k);
	printf("\"%s\"", v);
}

/* <prefix>[_2req]_ns, _p99_ns, _ops, _allocs_per_op of one case. */
static void
json_case(const struct bcase *c, bool with_counters)
{
	char k[64];
	const char *sfx = c->nreq == 1 ? "" : "_2req";

	snprintf(k, sizeof(k), "%s%s_ns", kind_keys[c->kind], sfx);
	ju(k, c->med);
	snprintf(k, sizeof(k), "%s%s_p99_ns", kind_keys[c->kind], sfx);
	ju(k, c->p99);
	snprintf(k, sizeof(k), "%s%s_ops", kind_keys[c->kind], sfx);
	ju(k, c->n);
	snprintf(k, sizeof(k), "%s%s_allocs_per_op", kind_keys[c->kind], sfx);
	jd(k, COUNT_ALLOCS ? allocs_per_op(c) : -1.0);
	snprintf(k, sizeof(k), "%s%s_sched", kind_keys[c->kind], sfx);
	jobj_begin(k);
	jd("csw_per_op", (double)c->nvcsw / (double)c->n);
	jd("icsw_per_op", (double)c->nivcsw / (double)c->n);
	jd("runq_ns_per_op", (double)c->rq_ns / (double)c->n);
	jd("own_cpus", cpus(c, c->own_ns));
	jd("other_cpus", c->no_idle ? -1.0 : cpus(c, c->other_ns));
	jobj_end();
	if (!with_counters)
		return;
	snprintf(k, sizeof(k), "%s%s_counters", kind_keys[c->kind], sfx);
	jobj_begin(k);
	ju("requests", c->st.requests);
	ju("server_spin_hits", c->st.server_spin_hits);
	ju("server_sleeps", c->st.server_sleeps);
	ju("server_wakes", c->st.server_wakes);
	ju("client_spin_hits", c->st.client_spin_hits);
	ju("client_yields", c->st.client_yields);
	ju("client_sleeps", c->st.client_sleeps);
	ju("client_wakes", c->st.client_wakes);
	ju("slot_waits", c->st.slot_waits);
	jobj_end();
}

static void
print_json(const struct config *cfg, struct bcase *cases, size_t ncases,
	   const struct summary *sm, uint64_t clock_ns, int ncpus)
{
	jobj_begin(NULL);
	js("benchmark", "dispatch");
	ju("cpus", (uint64_t)ncpus);
	ju("iters", cfg->iters);
	ju("rounds", cfg->rounds);
	ju("clock_ns", clock_ns);
	js("policy", tr_slab_policy_name(sm->policy));
	ju("direct_peek_ns", sm->direct ? sm->direct->med : 0);
	ju("direct_peek_p99_ns", sm->direct ? sm->direct->p99 : 0);
	ju("slab_peek_ns", sm->slab ? sm->slab->med : 0);
	ju("slab_peek_p99_ns", sm->slab ? sm->slab->p99 : 0);
	ju("slab_noop_ns", sm->noop ? sm->noop->med : 0);
	ju("slab_noop_p99_ns", sm->noop ? sm->noop->p99 : 0);
	if (sm->slab2) {
		ju("slab_peek_2req_ns", sm->slab2->med);
		ju("slab_peek_2req_p99_ns", sm->slab2->p99);
	}
	jd("slab_allocs_per_op", COUNT_ALLOCS && sm->slab ?
	   allocs_per_op(sm->slab) : -1.0);
	jd("slab_allocs_per_op_all", COUNT_ALLOCS && sm->slab_ops ?
	   (double)sm->slab_allocs / (double)sm->slab_ops : -1.0);
	for (size_t i = 0; i < ncases; i++)
		if (cases[i].kind == K_NAIVE_PEEK && cases[i].n)
			json_case(&cases[i], false);
	jd("slab_direct_ratio", sm->slab_direct);
	jd("naive_slab_ratio", sm->naive_slab);
	jb("cpu_busy_elsewhere", sm->busy);
	jb("cpu_waited", sm->waited);
	jobj_begin("targets");
	jd("slab_direct_ratio_max", TARGET_SLAB_DIRECT);
	jd("naive_slab_ratio_min", TARGET_NAIVE_SLAB);
	ju("slab_allocs_per_op", 0);
	jobj_end();
	jobj_begin("pass");
	jb("slab_direct_ratio", sm->pass_ratio);
	jb("naive_slab_ratio", sm->pass_naive);
	if (COUNT_ALLOCS)
		jb("slab_allocs_per_op", sm->pass_allocs);
	else
		jd("slab_allocs_per_op", -1.0); /* null: not counted */
	jobj_end();
	jobj_begin("policies");
	for (int p = 0; p < TR_WAIT_POLICY_MAX_; p++) {
		if (!(cfg->policies & (1u << p)))
			continue;
		jobj_begin(tr_slab_policy_name(p));
		for (size_t i = 0; i < ncases; i++)
			if (cases[i].policy == (enum tr_wait_policy)p &&
			    cases[i].kind != K_NAIVE_PEEK && cases[i].n)
				json_case(&cases[i], is_slab(&cases[i]));
		jd("slab_direct_ratio",
		   ratio(find(cases, ncases, K_SLAB_PEEK, p, 1),
			 find(cases, ncases, K_DIRECT_PEEK, p, 1)));
		jobj_end();
	}
	jobj_end();
	jobj_end();
	printf("\n");
}

/* ---- main ---------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dispatch [--json] [--quick] [--iters N] [--rounds N]\n"
		"                [--secs S] [--policy P] [--target PATH]\n"
		"  --json      print one JSON object instead of the table\n"
		"  --quick     %d ops per case in %d rounds, a quick look\n"
		"  --iters N   timed ops per case (default %d)\n"
		"  --rounds N  interleaved rounds (default %d)\n"
		"  --secs S    time cap per case (default %.1f)\n"
		"  --policy P  adaptive, spin, yield or sleep only (repeatable;\n"
		"              default: all four)\n"
		"  --target P  the target program (default %s)\n",
		QUICK_ITERS, QUICK_ROUNDS, DEFAULT_ITERS, DEFAULT_ROUNDS,
		DEFAULT_CASE_SECS, BENCH_TARGET);
}

static int
parse_policy(const char *s)
{
	for (int p = 0; p < TR_WAIT_POLICY_MAX_; p++)
		if (!strcmp(s, tr_slab_policy_name(p)))
			return p;
	return -1;
}

static int
parse_args(int argc, char **argv, struct config *cfg)
{
	bool quick = false, have_iters = false, have_rounds = false,
	     have_secs = false;

	memset(cfg, 0, sizeof(*cfg));
	cfg->target = BENCH_TARGET;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(a, "--json")) {
			cfg->json = true;
		} else if (!strcmp(a, "--quick")) {
			quick = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!v) {
			goto bad;
		} else if (!strcmp(a, "--iters")) {
			cfg->iters = strtoul(v, &end, 10);
			if (*end || cfg->iters < 100)
				goto bad;
			have_iters = true;
			i++;
		} else if (!strcmp(a, "--rounds")) {
			cfg->rounds = strtoul(v, &end, 10);
			if (*end || cfg->rounds < 1 || cfg->rounds > 100)
				goto bad;
			have_rounds = true;
			i++;
		} else if (!strcmp(a, "--secs")) {
			cfg->case_secs = strtod(v, &end);
			if (*end || !(cfg->case_secs > 0))
				goto bad;
			have_secs = true;
			i++;
		} else if (!strcmp(a, "--policy")) {
			int p = parse_policy(v);

			if (p < 0)
				goto bad;
			cfg->policies |= 1u << p;
			i++;
		} else if (!strcmp(a, "--target")) {
			cfg->target = v;
			i++;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "dispatch: bad argument: %s\n", a);
		usage(stderr);
		return -1;
	}
	if (!have_iters)
		cfg->iters = quick ? QUICK_ITERS : DEFAULT_ITERS;
	if (!have_rounds)
		cfg->rounds = quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	if (!have_secs)
		cfg->case_secs = quick ? QUICK_CASE_SECS : DEFAULT_CASE_SECS;
	cfg->warm = quick ? QUICK_WARM : DEFAULT_WARM;
	if (!cfg->policies)
		cfg->policies = (1u << TR_WAIT_POLICY_MAX_) - 1;
	if (cfg->iters < (size_t)cfg->rounds * MAX_REQ)
		cfg->iters = (size_t)cfg->rounds * MAX_REQ;
	return 0;
}

/* The cost of one clock read, the floor of every figure. */
static uint64_t
clock_cost(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < 100000; i++)
		now_ns();
	return (now_ns() - t0) / 100001;
}

static int
online_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static void
add_case(struct bcase *cases, size_t *n, enum kind k, enum tr_wait_policy p,
	 unsigned nreq, size_t iters)
{
	struct bcase *c = &cases[(*n)++];

	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->policy = p;
	c->nreq = nreq;
	c->cap = iters;
	c->samples = malloc(iters * sizeof(*c->samples));
	if (!c->samples) {
		fprintf(stderr, "dispatch: out of memory\n");
		exit(1);
	}
	/* Fault the pages in now, not inside a timed loop. */
	memset(c->samples, 0, iters * sizeof(*c->samples));
}

int
main(int argc, char **argv)
{
	static struct bcase cases[MAX_CASES];
	static struct bench b;
	struct config cfg;
	struct summary sm;
	sigset_t set;
	size_t ncases = 0;
	uint64_t clock_ns;
	bool naive_added = false;
	int rc = 0, ncpus;

	/* Before any thread exists, so that every thread inherits it: the
	 * tracer learns of target stops through a signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	ncpus = online_cpus();
	if (sysconf(_SC_NPROCESSORS_ONLN) > 0)
		ncpus_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	clock_ns = clock_cost();

	/* The headline policy's tracer also lends its thread to the naive
	 * dispatcher: the naive cases do not depend on the slab's policy. */
	for (int p = 0; p < TR_WAIT_POLICY_MAX_; p++) {
		if (!(cfg.policies & (1u << p)))
			continue;
		add_case(cases, &ncases, K_DIRECT_PEEK, p, 1, cfg.iters);
		add_case(cases, &ncases, K_SLAB_PEEK, p, 1, cfg.iters);
		add_case(cases, &ncases, K_SLAB_PEEK, p, 2, cfg.iters);
		add_case(cases, &ncases, K_SLAB_NOOP, p, 1, cfg.iters);
		add_case(cases, &ncases, K_SLAB_NOOP, p, 2, cfg.iters);
		if (!naive_added) {
			add_case(cases, &ncases, K_NAIVE_PEEK, p, 1, cfg.iters);
			add_case(cases, &ncases, K_NAIVE_PEEK, p, 2, cfg.iters);
			naive_added = true;
		}
	}

	b.warm = cfg.warm;
	b.pid = start_target(cfg.target, &b.addr, &b.expect);
	if (b.pid < 0)
		return 1;

	for (int p = 0; p < TR_WAIT_POLICY_MAX_ && !rc; p++)
		if (cfg.policies & (1u << p))
			rc = measure_policy(&b, &cfg, cases, ncases, p);

	kill(b.pid, SIGKILL);
	waitpid(b.pid, NULL, 0);
	if (rc)
		return 1;

	for (size_t i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];

		qsort(c->samples, c->n, sizeof(*c->samples), cmp_u32);
		c->med = pct(c->samples, c->n, 0.50);
		c->p99 = pct(c->samples, c->n, 0.99);
	}
	summarize(&sm, cases, ncases, cfg.policies);
	if (cfg.json)
		print_json(&cfg, cases, ncases, &sm, clock_ns, ncpus);
	else
		print_table(&cfg, &b, cases, ncases, &sm, clock_ns, ncpus);
	for (size_t i = 0; i < ncases; i++)
		free(cases[i].samples);
	return 0;
}
