/* rerun.c: launch's "rerun": the program of an earlier session launched again in a new one with that session's breakpoints (their numbers kept), signal handling and substitute-path rules, as gdb's run after the program exited (or killing it first); the earlier session then ends. */
#include <stdlib.h>
#include <string.h>

#include "control/breakpoint.h"
#include "control/sigpolicy.h"
#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/request.h"
#include "jsonrpc/rerun.h"
#include "symbols/source.h"

#define SIG_ALL (TR_SIG_STOP | TR_SIG_PRINT | TR_SIG_PASS)

void
srv_rerun_free(struct srv_rerun *r)
{
	for (size_t i = 0; r->argv && r->argv[i]; i++)
		free(r->argv[i]);
	free(r->argv);
	for (size_t i = 0; i < r->nbps; i++) {
		free(r->bps[i].spec);
		free(r->bps[i].cond);
	}
	free(r->bps);
	tr_srcmap_free(r->srcmap);
	while (r->displays) {
		struct srv_display *d = r->displays;

		r->displays = d->next;
		free(d->expr);
		free(d->format);
		free(d);
	}
	if (r->old)
		srv_sess_unref(r->old);
	memset(r, 0, sizeof(*r));
}

/* What the old session's worker owns, copied under its target_mu (the
 * worker holds it around each request: it is idle while we read). */
static int
copy_old(struct srv_rerun *r)
{
	struct srv_sess *old = r->old;
	size_t n = 0;

	r->bp_hi = old->bp_hi;
	/* the displays, as gdb keeps them from run to run */
	r->display_hi = old->display_hi;
	for (struct srv_display *d = old->displays, **pp = &r->displays; d;
	     d = d->next) {
		struct srv_display *c = calloc(1, sizeof(*c));

		if (!c)
			return -TR_ENOMEM;
		*pp = c;
		pp = &c->next;
		c->number = d->number;
		c->enabled = d->enabled;
		c->expr = strdup(d->expr);
		c->format = strdup(d->format);
		if (!c->expr || !c->format)
			return -TR_ENOMEM;
	}
	for (struct srv_bp *b = old->bps; b; b = b->next)
		n++;
	r->bps = calloc(n ? n : 1, sizeof(*r->bps));
	if (!r->bps)
		return -TR_ENOMEM;
	/* the list is newest first: made again oldest first */
	r->nbps = n;
	for (struct srv_bp *b = old->bps; b; b = b->next) {
		struct srv_rerun_bp *c = &r->bps[--n];
		struct tr_break_info info;

		c->id = b->id;
		c->temporary = b->temporary;
		c->hardware = b->hardware;
		c->enabled = true;
		if (old->t && tr_break_info(old->t, b->id, &info, NULL, 0) == 0) {
			c->enabled = info.enabled;
			c->ignore = info.ignore_count;
		}
		c->spec = strdup(b->spec);
		c->cond = b->cond ? strdup(b->cond) : NULL;
		if (!c->spec || (b->cond && !c->cond))
			return -TR_ENOMEM;
	}
	for (int sig = 1; sig <= 64; sig++) {
		unsigned f = 0;

		if (old->s && tr_session_handle(old->s, sig, 0, 0, &f) == 0)
			r->sigflags[sig] = f | 0x100; /* known */
	}
	if (old->srcmap && tr_srcmap_count(old->srcmap)) {
		r->srcmap = tr_srcmap_new();
		if (!r->srcmap)
			return -TR_ENOMEM;
		for (size_t i = 0; i < tr_srcmap_count(old->srcmap); i++) {
			const char *f, *t;

			tr_srcmap_rule(old->srcmap, i, &f, &t);
			if (tr_srcmap_set(r->srcmap, f, t))
				return -TR_ENOMEM;
		}
	}
	return 0;
}

int
srv_rerun_take(struct srv_call *x, uint64_t id, struct srv_rerun *r)
{
	const struct tr_json *args = srv_param_get(x, "args");
	struct srv_sess *old;
	size_t n = 0;
	int err;

	memset(r, 0, sizeof(*r));
	old = srv_sess_find((uint32_t)id);
	if (!old) {
		srv_error(x, SRV_E_NO_SESSION, "no session %llu",
			  (unsigned long long)id);
		return -1;
	}
	r->old = old;
	if (atomic_load(&old->state) == SRV_RUNNING ||
	    atomic_load(&old->runs_queued)) {
		srv_error(x, SRV_E_RUNNING, "session %u is running: interrupt "
			  "it first", old->id);
		return -1;
	}
	pthread_mutex_lock(&old->target_mu);
	if (!old->program) {
		pthread_mutex_unlock(&old->target_mu);
		srv_error(x, SRV_E_TARGET, "session %u: its program is not "
			  "known", old->id);
		return -1;
	}
	/* the program and, unless the request gives them, its arguments */
	if (!args)
		while (old->argv && old->argv[n])
			n++;
	else
		n = 1 + tr_json_len(args);
	r->argv = calloc(n + 2, sizeof(*r->argv));
	err = r->argv ? 0 : -TR_ENOMEM;
	if (!err && !(r->argv[0] = strdup(old->program)))
		err = -TR_ENOMEM;
	for (size_t i = 1; !err && i < n; i++) {
		const char *a = args ? tr_json_str(tr_json_at(args, i - 1), NULL)
				     : old->argv[i];

		if (!(r->argv[i] = strdup(a ? a : "")))
			err = -TR_ENOMEM;
	}
	if (!err)
		err = copy_old(r);
	pthread_mutex_unlock(&old->target_mu);
	if (err) {
		srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

void
srv_rerun_apply(struct srv_call *x, struct srv_rerun *r)
{
	struct srv_sess *ss = x->ss, *old = r->old;

	for (int sig = 1; sig <= 64; sig++)
		if (r->sigflags[sig] & 0x100)
			tr_session_handle(ss->s, sig, r->sigflags[sig] & SIG_ALL,
					  ~r->sigflags[sig] & SIG_ALL, NULL);
	if (r->srcmap) {
		tr_srcmap_free(ss->srcmap);
		ss->srcmap = r->srcmap;
		r->srcmap = NULL;
	}
	/* each breakpoint as it was asked for, with its number; one whose
	 * location names nothing now is pending (gdb re-sets them so) */
	for (size_t i = 0; i < r->nbps; i++) {
		struct srv_rerun_bp *c = &r->bps[i];
		struct tr_break_opts o = { .temporary = c->temporary,
					   .hardware = c->hardware,
					   .disabled = !c->enabled,
					   .ignore_count = c->ignore,
					   .number = c->id };
		struct tr_expr_err e = { 0 };
		struct srv_bp *b = calloc(1, sizeof(*b));
		uint32_t id;

		if (!b)
			break;
		if (tr_session_break(ss->s, c->spec, c->cond, &o, &id, &e) &&
		    (!c->cond ||
		     tr_session_break(ss->s, c->spec, NULL, &o, &id, &e))) {
			free(b);
			continue;
		}
		b->id = id;
		if (id > ss->bp_hi)
			ss->bp_hi = id;
		b->spec = c->spec;
		b->cond = c->cond;
		c->spec = c->cond = NULL;
		b->temporary = c->temporary;
		b->hardware = c->hardware;
		b->next = ss->bps;
		ss->bps = b;
	}
	for (struct srv_display *d = r->displays; d; d = d->next)
		srv_display_add(ss, d->expr, d->format, d->number, d->enabled);
	if (r->display_hi > ss->display_hi)
		ss->display_hi = r->display_hi;
	if (r->bp_hi > ss->bp_hi) {
		/* the next break goes on past the earlier numbers */
		ss->bp_hi = r->bp_hi;
		ss->bp_floor = r->bp_hi + 1;
	}
	/* the earlier session ends: its target killed if it is there */
	pthread_mutex_lock(&old->target_mu);
	if (atomic_load(&old->state) != SRV_EXITED && old->t)
		tr_kill(old->t);
	pthread_mutex_unlock(&old->target_mu);
	srv_sess_finish(old, "killed");
}
