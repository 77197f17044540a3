/* request.c: the requester side of the slab (any thread), and the direct calls of the tracer thread. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "base/error.h"
#include "target/tracer_int.h"

/* ---- the requester API -------------------------------------------- */

struct tr_req *
tr_req_get(struct tr_tracer *t)
{
	return tr_slab_get(t->slab);
}

void
tr_req_submit(struct tr_tracer *t, struct tr_req *head)
{
	tr_slab_submit(t->slab, head);
}

int
tr_req_wait(struct tr_tracer *t, struct tr_req *r)
{
	return tr_slab_wait(t->slab, r);
}

void
tr_req_put(struct tr_tracer *t, struct tr_req *r)
{
	tr_slab_put(t->slab, r);
}

/* One synchronous round trip; `r` comes filled, results stay in it. */
static int
roundtrip(struct tr_tracer *t, struct tr_req *r)
{
	if (tr__on_tracer_thread(t)) {
		tr_slab_put(t->slab, r);
		return -TR_ENOTTHREAD; /* would wait for itself forever */
	}
	tr_slab_submit(t->slab, r);
	return tr_slab_wait(t->slab, r);
}

#define REQ(t, r, opcode)                                                 \
	struct tr_req *r = tr_slab_get((t)->slab);                        \
	r->op = (opcode)

int
tr_nop(struct tr_tracer *t)
{
	REQ(t, r, TR_OP_NOP);
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_call(struct tr_tracer *t, int (*fn)(struct tr_tracer *, void *), void *arg)
{
	REQ(t, r, TR_OP_CALL);
	int err;

	r->fn = fn;
	r->arg = arg;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_launch(struct tr_tracer *t, const struct tr_launch *l, pid_t *pid)
{
	REQ(t, r, TR_OP_LAUNCH);
	int err;

	r->arg = (void *)l;
	err = roundtrip(t, r);
	if (err == 0 && pid)
		*pid = (pid_t)r->val;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_attach(struct tr_tracer *t, pid_t pid)
{
	REQ(t, r, TR_OP_ATTACH);
	int err;

	r->val = (uint64_t)pid;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

static int
simple(struct tr_tracer *t, uint16_t op)
{
	REQ(t, r, op);
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_detach(struct tr_tracer *t)
{
	return simple(t, TR_OP_DETACH);
}

int
tr_detach_nosig(struct tr_tracer *t)
{
	REQ(t, r, TR_OP_DETACH);
	r->val = 1;
	int err = roundtrip(t, r);

	tr_slab_put(t->slab, r);
	return err;
}

int
tr_kill(struct tr_tracer *t)
{
	return simple(t, TR_OP_KILL);
}

static int
mem_op(struct tr_tracer *t, uint16_t op, uint64_t addr, void *buf, size_t len,
       size_t *done)
{
	REQ(t, r, op);
	int err;

	r->addr = addr;
	r->buf = buf;
	r->len = len;
	err = roundtrip(t, r);
	if (done)
		*done = r->done;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
	    size_t *done)
{
	return mem_op(t, TR_OP_MEM_READ, addr, buf, len, done);
}

int
tr_mem_read_cb(void *tracer, uint64_t addr, void *buf, size_t len)
{
	return tr_mem_read(tracer, addr, buf, len, NULL);
}

int
tr_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf, size_t len,
	     size_t *done)
{
	return mem_op(t, TR_OP_MEM_WRITE, addr, (void *)buf, len, done);
}

int
tr_peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val)
{
	REQ(t, r, TR_OP_PEEK);
	int err;

	r->tid = tid;
	r->addr = addr;
	err = roundtrip(t, r);
	if (err == 0)
		*val = r->val;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_poke(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t val)
{
	REQ(t, r, TR_OP_POKE);
	int err;

	r->tid = tid;
	r->addr = addr;
	r->val = val;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

static int
buf_op(struct tr_tracer *t, uint16_t op, pid_t tid, void *buf, size_t len,
       size_t *done)
{
	REQ(t, r, op);
	int err;

	r->tid = tid;
	r->buf = buf;
	r->len = len;
	err = roundtrip(t, r);
	if (done)
		*done = r->done;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_regs_get(struct tr_tracer *t, pid_t tid, struct user_regs_struct *regs)
{
	return buf_op(t, TR_OP_REGS_GET, tid, regs, sizeof(*regs), NULL);
}

int
tr_regs_set(struct tr_tracer *t, pid_t tid,
	    const struct user_regs_struct *regs)
{
	return buf_op(t, TR_OP_REGS_SET, tid, (void *)regs, sizeof(*regs),
		      NULL);
}

int
tr_fpregs_get(struct tr_tracer *t, pid_t tid, struct user_fpregs_struct *f)
{
	return buf_op(t, TR_OP_FPREGS_GET, tid, f, sizeof(*f), NULL);
}

int
tr_fpregs_set(struct tr_tracer *t, pid_t tid,
	      const struct user_fpregs_struct *f)
{
	return buf_op(t, TR_OP_FPREGS_SET, tid, (void *)f, sizeof(*f), NULL);
}

int
tr_xstate_get(struct tr_tracer *t, pid_t tid, void *buf, size_t len,
	      size_t *size)
{
	return buf_op(t, TR_OP_XSTATE_GET, tid, buf, len, size);
}

int
tr_xstate_set(struct tr_tracer *t, pid_t tid, const void *buf, size_t len)
{
	return buf_op(t, TR_OP_XSTATE_SET, tid, (void *)buf, len, NULL);
}

int
tr_siginfo_get(struct tr_tracer *t, pid_t tid, void *siginfo)
{
	return buf_op(t, TR_OP_SIGINFO_GET, tid, siginfo, sizeof(siginfo_t),
		      NULL);
}

int
tr_siginfo_set(struct tr_tracer *t, pid_t tid, const void *siginfo)
{
	return buf_op(t, TR_OP_SIGINFO_SET, tid, (void *)siginfo,
		      sizeof(siginfo_t), NULL);
}

static int
exec_req(struct tr_tracer *t, uint16_t op, pid_t tid, int sig,
	 struct tr_event *ev)
{
	REQ(t, r, op);
	int err;

	r->tid = tid;
	r->val = (uint64_t)(int64_t)sig;
	if (ev)
		r->flags = TR_REQ_WAIT_STOP;
	err = roundtrip(t, r);
	if (err == 0 && ev)
		*ev = r->ev;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_step(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev)
{
	return exec_req(t, TR_OP_STEP, tid, sig, ev);
}

int
tr_step_range(struct tr_tracer *t, pid_t tid, uint64_t lo, uint64_t hi,
	      struct tr_event *ev)
{
	REQ(t, r, TR_OP_STEP);
	int err;

	r->tid = tid;
	r->val = (uint64_t)(int64_t)-1;
	r->addr = lo;
	r->len = hi > lo ? hi - lo : 0;
	r->flags = TR_REQ_WAIT_STOP;
	err = roundtrip(t, r);
	if (err == 0)
		*ev = r->ev;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_cont(struct tr_tracer *t, pid_t tid, int sig, struct tr_event *ev)
{
	return exec_req(t, TR_OP_CONT, tid, sig, ev);
}

static int
trap_insert(struct tr_tracer *t, void *arg)
{
	int err = tr__need_target(t);

	return err ? err : tr__trap_insert(t, *(uint64_t *)arg);
}

int
tr_call_trap_insert(struct tr_tracer *t, uint64_t addr)
{
	return tr_call(t, trap_insert, &addr);
}

int
tr_resume_one(struct tr_tracer *t, pid_t tid, unsigned timeout_ms,
	      struct tr_event *ev)
{
	REQ(t, r, TR_OP_RESUME_ONE);
	int err;

	r->tid = tid;
	r->len = timeout_ms;
	r->flags = TR_REQ_WAIT_STOP;
	err = roundtrip(t, r);
	if (err == 0)
		*ev = r->ev;
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_interrupt(struct tr_tracer *t, struct tr_event *ev)
{
	return exec_req(t, TR_OP_INTERRUPT, 0, 0, ev);
}

static int
bp_op(struct tr_tracer *t, uint16_t op, uint64_t addr)
{
	REQ(t, r, op);
	int err;

	r->addr = addr;
	err = roundtrip(t, r);
	tr_slab_put(t->slab, r);
	return err;
}

int
tr_bp_insert(struct tr_tracer *t, uint64_t addr)
{
	return bp_op(t, TR_OP_BP_INSERT, addr);
}

int
tr_bp_remove(struct tr_tracer *t, uint64_t addr)
{
	return bp_op(t, TR_OP_BP_REMOVE, addr);
}

int
tr_threads(struct tr_tracer *t, pid_t *tids, size_t max, size_t *n)
{
	return buf_op(t, TR_OP_THREADS, 0, tids, max, n);
}

int
tr_threads_all(struct tr_tracer *t, pid_t **tids, size_t *n)
{
	size_t cap = 64, got = 0;
	pid_t *buf = NULL;

	*tids = NULL;
	*n = 0;
	for (;;) {
		pid_t *nb = realloc(buf, cap * sizeof(*buf));
		int err;

		if (!nb) {
			free(buf);
			return -TR_ENOMEM;
		}
		buf = nb;
		err = tr_threads(t, buf, cap, &got);
		if (err) {
			free(buf);
			return err;
		}
		if (got <= cap)
			break;
		/* More threads than room: ask again with room for them all
		 * (and some that may have been born meanwhile). */
		cap = got + got / 8 + 16;
	}
	*tids = buf;
	*n = got;
	return 0;
}

int
tr_state_get(struct tr_tracer *t, struct tr_state *st)
{
	return buf_op(t, TR_OP_STATE, 0, st, sizeof(*st), NULL);
}

/* ---- direct calls, on the tracer thread ----------------------------- */

int
tr_direct_peek(struct tr_tracer *t, pid_t tid, uint64_t addr, uint64_t *val)
{
	struct tr_thread *th;
	int err;

	if (!tr__on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = tr__stopped_thread(t, tid, &th);
	return err ? err : tr__peek(t, th->tid, addr, val);
}

int
tr_direct_mem_read(struct tr_tracer *t, uint64_t addr, void *buf, size_t len,
		   size_t *done)
{
	int err;

	if (!tr__on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = tr__need_target(t);
	return err ? err : tr__mem_read(t, addr, buf, len, done);
}

int
tr_direct_mem_write(struct tr_tracer *t, uint64_t addr, const void *buf,
		    size_t len, size_t *done)
{
	int err;

	if (!tr__on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = tr__need_target(t);
	return err ? err : tr__mem_write(t, addr, buf, len, done);
}

int
tr_direct_regs_get(struct tr_tracer *t, pid_t tid, struct user_regs_struct *r)
{
	struct tr_thread *th;
	int err;

	if (!tr__on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = tr__stopped_thread(t, tid, &th);
	if (err)
		return err;
	return ptrace(PTRACE_GETREGS, th->tid, NULL, r) < 0
		       ? tr__ptrace_err(t, th->tid)
		       : 0;
}

int
tr_direct_regs_set(struct tr_tracer *t, pid_t tid,
		   const struct user_regs_struct *r)
{
	struct tr_thread *th;
	int err;

	if (!tr__on_tracer_thread(t))
		return -TR_ENOTTHREAD;
	err = tr__stopped_thread(t, tid, &th);
	if (err)
		return err;
	if (ptrace(PTRACE_SETREGS, th->tid, NULL, r) < 0)
		return tr__ptrace_err(t, th->tid);
	return 0;
}

uint64_t
tr_run_count(struct tr_tracer *t)
{
	return atomic_load_explicit(&t->runs, memory_order_relaxed);
}

int
tr_direct_fast_cond(struct tr_tracer *t, uint64_t addr, uint32_t bpnum,
		    const uint8_t *body, size_t blen, unsigned ntemps,
		    uint64_t func_lo, uint64_t func_hi)
{
	return tr__tramp_request(t, addr, bpnum, body, blen, ntemps, func_lo,
				 func_hi);
}

pid_t
tr_direct_pid(const struct tr_tracer *t)
{
	return t->gone ? 0 : t->pid;
}


/* ---- the layer above's hooks and sites (tracer.h) ------------------- */

int
tr_direct_need_target(const struct tr_tracer *t)
{
	return tr__need_target(t);
}

void
tr_direct_hooks_set(struct tr_tracer *t, const struct tr_site_hooks *h,
		    void *ctx)
{
	t->hooks = *h;
	t->hooks_ctx = ctx;
}

void *
tr_direct_hooks_ctx(struct tr_tracer *t)
{
	return t->hooks_ctx;
}

int
tr_direct_site_get(struct tr_tracer *t, uint64_t addr)
{
	return tr__site_get(t, addr);
}

void
tr_direct_site_put(struct tr_tracer *t, uint64_t addr)
{
	tr__site_put(t, addr);
}

int
tr_direct_call_trap(struct tr_tracer *t, uint64_t addr, bool on)
{
	int err = tr__need_target(t);

	if (err)
		return err;
	return on ? tr__trap_insert(t, addr) : tr__trap_remove(t, addr);
}

void
tr_direct_site_cond_drop(struct tr_tracer *t, uint64_t addr)
{
	struct tr_bp *site = tr__bp_find(t, addr);

	if (site && site->tramp)
		tr__tramp_drop(t, site);
}

void
tr_direct_libs_changed(struct tr_tracer *t)
{
	atomic_fetch_add_explicit(&t->runs, 1, memory_order_relaxed);
	tr__sites_check(t);
}
