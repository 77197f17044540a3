/* deferred.c: requests that complete later (at a stop, once the target is gone, at a detach). */
#include "base/error.h"
#include "target/tracer_int.h"

/*
 * A request such as "continue and wait for the stop" cannot complete when
 * its op runs: it waits in the deferred list until the stop machinery
 * (stop.c) says what it waited for has happened. Completing one moves it
 * to the done list, which the loop (tracer.c) empties right after the op
 * or wait status that made it ready: that is where the rest of its batch
 * runs, never in the middle of the stop machinery.
 */

void
tr__defer(struct tr_tracer *t, struct tr_req *r, enum deferred_kind kind)
{
	/* There is room: at most one entry per slot. */
	t->deferred[t->ndeferred].req = r;
	t->deferred[t->ndeferred].kind = kind;
	t->ndeferred++;
}

void
tr__complete_deferred(struct tr_tracer *t, enum deferred_kind kind,
		      int result, const struct tr_event *ev)
{
	size_t i = 0;

	while (i < t->ndeferred) {
		struct tr_req *r = t->deferred[i].req;

		if (t->deferred[i].kind != kind) {
			i++;
			continue;
		}
		/* Keep the list in order: the oldest request completes
		 * first. */
		for (size_t k = i + 1; k < t->ndeferred; k++)
			t->deferred[k - 1] = t->deferred[k];
		t->ndeferred--;
		if (ev)
			r->ev = *ev;
		/* There is room: a request is in one list at a time. */
		t->done[t->ndone].req = r;
		t->done[t->ndone].result = result;
		t->ndone++;
	}
}

bool
tr__deferred_has(const struct tr_tracer *t, enum deferred_kind kind)
{
	for (size_t i = 0; i < t->ndeferred; i++)
		if (t->deferred[i].kind == kind)
			return true;
	return false;
}

struct tr_req *
tr__done_take(struct tr_tracer *t, int *result)
{
	struct tr_req *r;

	if (!t->ndone)
		return NULL;
	r = t->done[0].req;
	*result = t->done[0].result;
	for (size_t k = 1; k < t->ndone; k++)
		t->done[k - 1] = t->done[k];
	t->ndone--;
	return r;
}
