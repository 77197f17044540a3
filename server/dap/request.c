/* request.c: what the DAP request handlers share: arguments, the target's state checks and lock, ids until the next resume. */
#include <stdlib.h>
#include <string.h>

#include "core/sess.h"
#include "dap/reply.h"
#include "dap/request.h"

const struct tr_json *
dap_arg(const struct dap_req *q, const char *key)
{
	return q->args ? tr_json_get(q->args, key) : NULL;
}

const char *
dap_arg_str(const struct dap_req *q, const char *key)
{
	const struct tr_json *v = dap_arg(q, key);

	return v ? tr_json_str(v, NULL) : NULL;
}

int64_t
dap_arg_int(const struct dap_req *q, const char *key, int64_t def)
{
	const struct tr_json *v = dap_arg(q, key);
	int64_t n;

	return v && tr_json_int64(v, &n) == 0 ? n : def;
}

bool
dap_arg_bool(const struct dap_req *q, const char *key, bool def)
{
	const struct tr_json *v = dap_arg(q, key);
	bool b;

	return v && tr_json_bool(v, &b) == 0 ? b : def;
}

bool
dap_stopped(struct dap *d, const struct dap_req *q, int *rc)
{
	if (!d->ss) {
		*rc = dap_fail(d, q, "no program: launch or attach first");
		return false;
	}
	if (d->exited) {
		*rc = dap_fail(d, q, "the program has exited");
		return false;
	}
	if (atomic_load(&d->running)) {
		*rc = dap_fail(d, q, "the program is running (pause it "
			       "first)");
		return false;
	}
	return true;
}

bool
dap_lock(struct dap *d, const struct dap_req *q, int *rc)
{
	pthread_mutex_lock(&d->ss->target_mu);
	if (atomic_load(&d->ss->ended) || !d->ss->s) {
		pthread_mutex_unlock(&d->ss->target_mu);
		*rc = dap_fail(d, q, "the session ended (another client "
			       "detached or killed it)");
		return false;
	}
	return true;
}

void
dap_unlock(struct dap *d)
{
	pthread_mutex_unlock(&d->ss->target_mu);
}

uint32_t
dap_ref_new(struct dap *d, const struct dap_ref *r)
{
	struct dap_ref *n;

	if (d->nrefs == d->caprefs) {
		size_t cap = d->caprefs ? d->caprefs * 2 : 64;

		if (!(n = realloc(d->refs, cap * sizeof(*n))))
			return 0;
		d->refs = n;
		d->caprefs = cap;
	}
	n = &d->refs[d->nrefs];
	*n = *r;
	n->expr = NULL;
	if (r->expr && !(n->expr = strdup(r->expr)))
		return 0;
	return (uint32_t)++d->nrefs;
}

const struct dap_ref *
dap_ref_get(struct dap *d, int64_t id)
{
	return id >= 1 && (uint64_t)id <= d->nrefs ? &d->refs[id - 1] : NULL;
}

uint32_t
dap_frame_id(struct dap *d, pid_t tid, uint32_t level)
{
	/* the same frame asked for twice keeps its id */
	for (size_t i = 0; i < d->nframes; i++)
		if (d->frames[i].tid == tid && d->frames[i].level == level)
			return (uint32_t)i + 1;
	if (d->nframes == d->capframes) {
		size_t cap = d->capframes ? d->capframes * 2 : 64;
		struct dap_frame *n = realloc(d->frames, cap * sizeof(*n));

		if (!n)
			return 0;
		d->frames = n;
		d->capframes = cap;
	}
	d->frames[d->nframes].tid = tid;
	d->frames[d->nframes].level = level;
	return (uint32_t)++d->nframes;
}

const struct dap_frame *
dap_frame_get(struct dap *d, int64_t id)
{
	return id >= 1 && (uint64_t)id <= d->nframes ? &d->frames[id - 1]
						     : NULL;
}

void
dap_ids_clear(struct dap *d)
{
	for (size_t i = 0; i < d->nrefs; i++)
		free(d->refs[i].expr);
	d->nrefs = 0;
	d->nframes = 0;
}
