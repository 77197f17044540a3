/* watchpoint.c: user watchpoints over the tracer's mechanisms (debug registers or page protection: tracer.h, watch.c); runs on the tracer thread. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "control/breakpoint.h"
#include "control/watchpoint.h"
#include "target/tracer.h"

struct set_args {
	uint64_t addr;
	size_t len;
	const struct tr_watch_opts *o;
	uint32_t id;
};

static int
do_set(struct tr_tracer *t, void *arg)
{
	struct set_args *a = arg;
	int err = tr_direct_need_target(t);

	if (err)
		return err;
	a->id = tr_direct_break_number(t);
	if (!a->id)
		return -TR_ENOMEM;
	return tr_direct_watch_add(t, a->id, a->o->kind, a->addr, a->len,
				   a->o->scope_pc, a->o->scope_cfa, a->o->cond,
				   a->o->cond_ctx);
}

int
tr_watch_set(struct tr_tracer *t, uint64_t addr, size_t len,
	     const struct tr_watch_opts *o, uint32_t *id)
{
	struct set_args a = { .addr = addr, .len = len, .o = o };
	int err;

	/* once per process, here rather than on the tracer thread: it
	 * forks and waits for a child of its own */
	tr_watch_probe();
	err = tr_call(t, do_set, &a);

	if (!err && id)
		*id = a.id;
	return err;
}

struct id_args {
	uint32_t id;
	int what; /* 0 delete, 1 condition, 2 info, 3 ignore */
	uint32_t count;
	tr_watch_cond_fn cond;
	void *ctx;
	struct tr_watch_state *st;
	void *old, *now;
	size_t max;
};

static int
do_id(struct tr_tracer *t, void *arg)
{
	struct id_args *a = arg;

	switch (a->what) {
	case 0:
		return tr_direct_watch_del(t, a->id);
	case 1:
		return tr_direct_watch_cond(t, a->id, a->cond, a->ctx);
	case 3:
		return tr_direct_watch_ignore(t, a->id, a->count);
	default:
		return tr_direct_watch_get(t, a->id, a->st, a->old, a->now,
					   a->max);
	}
}

int
tr_watch_delete(struct tr_tracer *t, uint32_t id)
{
	struct id_args a = { .id = id, .what = 0 };

	return tr_call(t, do_id, &a);
}

int
tr_watch_ignore(struct tr_tracer *t, uint32_t id, uint32_t count)
{
	struct id_args a = { .id = id, .what = 3, .count = count };

	return tr_call(t, do_id, &a);
}

int
tr_watch_condition(struct tr_tracer *t, uint32_t id, tr_watch_cond_fn cond,
		   void *ctx)
{
	struct id_args a = { .id = id, .what = 1, .cond = cond, .ctx = ctx };

	return tr_call(t, do_id, &a);
}

int
tr_watch_info(struct tr_tracer *t, uint32_t id, struct tr_watch_state *st,
	      void *old, void *now, size_t max)
{
	struct id_args a = { .id = id, .what = 2, .st = st, .old = old,
			     .now = now, .max = max };

	return tr_call(t, do_id, &a);
}

struct list_args {
	uint32_t *ids;
	size_t max, n;
};

static int
cmp_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
do_list(struct tr_tracer *t, void *arg)
{
	struct list_args *a = arg;

	tr_direct_watch_list(t, a->ids, a->max, &a->n);
	qsort(a->ids, a->n < a->max ? a->n : a->max, sizeof(*a->ids), cmp_id);
	return 0;
}

int
tr_watch_list(struct tr_tracer *t, uint32_t *ids, size_t max, size_t *n)
{
	struct list_args a = { .ids = ids, .max = ids ? max : 0 };
	int err = tr_call(t, do_list, &a);

	if (n)
		*n = a.n;
	return err;
}
