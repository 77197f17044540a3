/* breakpoint.c: user breakpoints over the tracer's sites; runs on the tracer thread. */
#include <stdlib.h>
#include <string.h>

#include "control/breakpoint.h"
#include "symbols/debuginfo.h"
#include "base/error.h"
#include "base/log.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

struct tr_ubp {
	uint32_t id;
	bool enabled;
	bool temporary;
	bool hardware; /* in debug registers (hbreak), not an int3 */
	uint32_t ignore;
	uint64_t hits;
	tr_break_cond_fn cond;
	void *ctx;
	uint64_t *locs;
	size_t nlocs;
	char *spec; /* re-resolved at library events; NULL: addresses */
};

/* The breakpoints of one tracer: the ctx of its site hooks, touched on
 * the tracer thread only. */
struct bps {
	struct tr_ubp *ubps;
	size_t nubps, cap_ubps;
	uint32_t next_bpnum;
	struct tr_debuginfo *di; /* the tracer thread's own, for specs */
	uint64_t solib_addr;     /* our site on the dynamic linker's
				    _dl_debug_state, or 0 */
	uint64_t inline_seq;     /* the stop whose hidden inlined calls */
	unsigned inline_entered; /* `step` entered without running */
};

static bool site_hit(struct tr_tracer *t, void *ctx, pid_t tid, uint64_t addr,
		     uint32_t *bpnum);
static void bps_reset(struct tr_tracer *t, void *ctx);
static void bps_release(void *ctx);

/* The tracer's breakpoints, made (and the hooks installed) on first use. */
static struct bps *
bps_of(struct tr_tracer *t)
{
	static const struct tr_site_hooks hooks = {
		.hit = site_hit, .reset = bps_reset, .release = bps_release,
	};
	struct bps *p = tr_direct_hooks_ctx(t);

	if (!p && (p = calloc(1, sizeof(*p))))
		tr_direct_hooks_set(t, &hooks, p);
	return p;
}

/* Whether the target is there to plant in. */
static bool
alive(struct tr_tracer *t)
{
	return tr_direct_pid(t) != 0;
}

static struct tr_ubp *
ubp_find(struct bps *p, uint32_t id)
{
	for (size_t i = 0; i < p->nubps; i++)
		if (p->ubps[i].id == id)
			return &p->ubps[i];
	return NULL;
}

static int
loc_get(struct tr_tracer *t, const struct tr_ubp *b, uint64_t addr)
{
	return b->hardware ? tr_direct_hbp_get(t, addr)
			   : tr_direct_site_get(t, addr);
}

static void
loc_put(struct tr_tracer *t, const struct tr_ubp *b, uint64_t addr)
{
	if (b->hardware)
		tr_direct_hbp_put(t, addr);
	else
		tr_direct_site_put(t, addr);
}

/* Take (or drop) the site references of an enabled breakpoint. On a
 * failure halfway, the references taken are given back. */
static int
ubp_plant(struct tr_tracer *t, struct tr_ubp *b)
{
	for (size_t i = 0; i < b->nlocs; i++) {
		int err = loc_get(t, b, b->locs[i]);

		if (err) {
			while (i-- > 0)
				loc_put(t, b, b->locs[i]);
			return err;
		}
	}
	return 0;
}

static void
ubp_lift(struct tr_tracer *t, struct tr_ubp *b)
{
	for (size_t i = 0; i < b->nlocs; i++)
		loc_put(t, b, b->locs[i]);
}

static void
ubp_del(struct tr_tracer *t, struct bps *p, struct tr_ubp *b)
{
	bool specs = false;

	if (b->enabled && alive(t))
		ubp_lift(t, b);
	free(b->locs);
	free(b->spec);
	*b = p->ubps[--p->nubps];
	/* The site on _dl_debug_state serves spec breakpoints only: it goes
	 * with the last of them, so that no int3 of ours stays in the
	 * dynamic linker longer than needed (a daemon killed with SIGKILL
	 * leaves its int3s behind: doc/INTERNALS.md). */
	for (size_t i = 0; i < p->nubps && !specs; i++)
		specs = p->ubps[i].spec != NULL;
	if (!specs && p->solib_addr) {
		if (alive(t))
			tr_direct_site_put(t, p->solib_addr);
		p->solib_addr = 0;
	}
}

/* The target is gone: its breakpoints go with it (numbers go on). */
static void
bps_reset(struct tr_tracer *t, void *ctx)
{
	struct bps *p = ctx;

	(void)t;
	for (size_t i = 0; i < p->nubps; i++) {
		free(p->ubps[i].locs);
		free(p->ubps[i].spec);
	}
	p->nubps = 0;
	tr_debuginfo_free(p->di);
	p->di = NULL;
	p->solib_addr = 0;
}

static void
bps_release(void *ctx)
{
	struct bps *p = ctx;

	free(p->ubps);
	free(p);
}

#define MAX_LOCS 64

/* Resolve a spec with the tracer's own debuginfo (created on first use;
 * it is the tracer thread's alone). */
static int
resolve(struct tr_tracer *t, struct bps *p, const char *spec, uint64_t *locs,
	size_t *n)
{
	int err;

	*n = 0;
	if (!p->di && (err = tr_debuginfo_new(tr_direct_pid(t), &p->di)))
		return err;
	err = tr_debuginfo_resolve(p->di, spec, locs, MAX_LOCS, n);
	if (*n > MAX_LOCS)
		*n = MAX_LOCS;
	return err;
}

/*
 * Watch library loads: a site on the dynamic linker's _dl_debug_state,
 * which it calls before and after each change of the link map (the r_brk
 * of struct r_debug). A target without one (static) has no libraries to
 * wait for.
 */
static void
watch_solibs(struct tr_tracer *t, struct bps *p)
{
	struct tr_sym sym;
	const char *names[] = { "ld-linux-x86-64.so.2:_dl_debug_state",
				"_dl_debug_state" };

	if (p->solib_addr || !p->di)
		return;
	for (size_t i = 0; i < 2; i++) {
		if (tr_symtab_lookup(tr_debuginfo_symtab(p->di), names[i],
				     &sym) == 0 &&
		    tr_direct_site_get(t, sym.addr) == 0) {
			p->solib_addr = sym.addr;
			return;
		}
	}
}

/* Add the locations of `b`'s spec that are new; plant them if enabled. */
static void
reresolve(struct tr_tracer *t, struct bps *p, struct tr_ubp *b)
{
	uint64_t locs[MAX_LOCS];
	size_t n = 0;

	if (resolve(t, p, b->spec, locs, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		uint64_t *nl;

		for (size_t k = 0; k < b->nlocs && !known; k++)
			known = b->locs[k] == locs[i];
		if (known)
			continue;
		if (b->enabled && loc_get(t, b, locs[i]) < 0)
			continue;
		nl = realloc(b->locs, (b->nlocs + 1) * sizeof(*nl));
		if (!nl) {
			if (b->enabled)
				loc_put(t, b, locs[i]);
			return;
		}
		b->locs = nl;
		b->locs[b->nlocs++] = locs[i];
		tr_log_info("breakpoint %u: new location %#lx (%s)", b->id,
			    (unsigned long)locs[i], b->spec);
	}
}

/* The dynamic linker changed the link map: read the maps again and give
 * spec breakpoints their new locations. */
static void
solib_event(struct tr_tracer *t, struct bps *p)
{
	bool changed = false;

	/* whoever caches the maps reads them again (tr_run_count) */
	tr_direct_libs_changed(t);
	if (!p->di || tr_debuginfo_refresh(p->di, &changed) < 0 || !changed)
		return;
	for (size_t i = 0; i < p->nubps; i++)
		if (p->ubps[i].spec)
			reresolve(t, p, &p->ubps[i]);
}

/* The tracer's hook (tracer.h): does a hit at `addr` stop? */
static bool
site_hit(struct tr_tracer *t, void *ctx, pid_t tid, uint64_t addr,
	 uint32_t *bpnum)
{
	struct bps *p = ctx;
	bool stop = false;
	uint32_t temp[8];
	size_t ntemp = 0;

	*bpnum = 0;
	if (addr == p->solib_addr)
		solib_event(t, p);
	for (size_t i = 0; i < p->nubps; i++) {
		struct tr_ubp *b = &p->ubps[i];
		bool here = false;
		int c = 1;

		if (!b->enabled)
			continue;
		for (size_t k = 0; k < b->nlocs && !here; k++)
			here = b->locs[k] == addr;
		if (!here)
			continue;
		if (b->cond) {
			c = b->cond(t, tid, addr, b->ctx);
			if (c < 0)
				tr_log_info("breakpoint %u: condition failed: %s",
					    b->id, tr_strerror(c));
		}
		if (c == 0)
			continue;
		if (c == 2) {
			/* decided elsewhere (tr_break_count_hit) */
			stop = true;
			if (!*bpnum)
				*bpnum = b->id;
			continue;
		}
		b->hits++;
		if (b->ignore && c > 0) {
			b->ignore--;
			continue;
		}
		stop = true;
		if (!*bpnum)
			*bpnum = b->id;
		if (b->temporary && ntemp < 8)
			temp[ntemp++] = b->id;
	}
	/* A temporary breakpoint is gone once it stopped the target; the
	 * thread's pc was rewound, and without a site it just runs on. */
	for (size_t i = 0; i < ntemp; i++) {
		struct tr_ubp *b = ubp_find(p, temp[i]);

		if (b)
			ubp_del(t, p, b);
	}
	return stop;
}

/* ---- requests: run on the tracer thread through tr_call ------------- */

struct set_args {
	const uint64_t *addrs;
	size_t n;
	const char *spec;
	struct tr_break_opts opts;
	uint32_t id;
};

static int
do_set(struct tr_tracer *t, void *arg)
{
	struct set_args *a = arg;
	struct bps *p;
	struct tr_ubp *b;
	uint32_t number;
	int err = tr_direct_need_target(t);

	if (err)
		return err;
	if (!(p = bps_of(t)))
		return -TR_ENOMEM;
	if (a->spec) {
		static uint64_t locs[MAX_LOCS]; /* tracer thread only */

		err = resolve(t, p, a->spec, locs, &a->n);
		if (err && err != -TR_ENOENT)
			return err;
		/* a function the program imports is defined by a library
		 * not loaded yet (before the start): pending all the same,
		 * as gdb's breakpoint at "name@plt" follows it there */
		if (a->n == 0 && a->opts.must_resolve &&
		    !(p->di && !strchr(a->spec, ':') &&
		      tr_symtab_imports(tr_debuginfo_symtab(p->di), a->spec)))
			return -TR_ENOENT;
		a->addrs = locs;
		watch_solibs(t, p);
	} else if (a->n == 0 || !a->addrs) {
		return -TR_EINVAL;
	}
	if (p->nubps == p->cap_ubps) {
		size_t cap = p->cap_ubps ? p->cap_ubps * 2 : 16;
		struct tr_ubp *n = realloc(p->ubps, cap * sizeof(*n));

		if (!n)
			return -TR_ENOMEM;
		p->ubps = n;
		p->cap_ubps = cap;
	}
	b = &p->ubps[p->nubps];
	memset(b, 0, sizeof(*b));
	{
		bool free_now = a->opts.renumber && a->opts.number;

		for (size_t i = 0; i < p->nubps && free_now; i++)
			free_now = p->ubps[i].id != a->opts.number;
		number = a->opts.number > p->next_bpnum || free_now
				 ? a->opts.number
				 : 0;
	}
	b->locs = malloc((a->n ? a->n : 1) * sizeof(*b->locs));
	b->spec = a->spec ? strdup(a->spec) : NULL;
	if (!b->locs || (a->spec && !b->spec)) {
		free(b->locs);
		free(b->spec);
		return -TR_ENOMEM;
	}
	if (a->n)
		memcpy(b->locs, a->addrs, a->n * sizeof(*b->locs));
	b->nlocs = a->n;
	b->enabled = !a->opts.disabled;
	b->temporary = a->opts.temporary;
	b->hardware = a->opts.hardware;
	b->ignore = a->opts.ignore_count;
	b->cond = a->opts.cond;
	b->ctx = a->opts.cond_ctx;
	if (b->enabled && (err = ubp_plant(t, b))) {
		free(b->locs);
		free(b->spec);
		return err;
	}
	/* the number asked for when none had it yet (a rerun), or when
	 * no breakpoint has it now (renumber: set again on an exec'd
	 * program); else the next one */
	b->id = number;
	if (!b->id)
		b->id = ++p->next_bpnum;
	else if (b->id > p->next_bpnum)
		p->next_bpnum = b->id;
	a->id = b->id;
	p->nubps++;
	return 0;
}

int
tr_break_set(struct tr_tracer *t, const uint64_t *addrs, size_t n,
	     const struct tr_break_opts *opts, uint32_t *id)
{
	struct set_args a = { .addrs = addrs, .n = n };
	int err;

	if (opts)
		a.opts = *opts;
	err = tr_call(t, do_set, &a);
	if (err == 0 && id)
		*id = a.id;
	return err;
}

int
tr_break_set_spec(struct tr_tracer *t, const char *spec,
		  const struct tr_break_opts *opts, uint32_t *id)
{
	struct set_args a = { .spec = spec };
	int err;

	if (!spec || !*spec)
		return -TR_EINVAL;
	if (opts)
		a.opts = *opts;
	err = tr_call(t, do_set, &a);
	if (err == 0 && id)
		*id = a.id;
	return err;
}

struct id_args {
	uint32_t id;
	int what;
	bool enabled;
	uint32_t count;
	tr_break_cond_fn cond;
	void *ctx;
	struct tr_break_info *info;
	uint64_t *locs;
	size_t max;
};

enum { DO_DELETE, DO_ENABLE, DO_COND, DO_IGNORE, DO_INFO, DO_HIT };

static int
do_id(struct tr_tracer *t, void *arg)
{
	struct id_args *a = arg;
	struct bps *p = tr_direct_hooks_ctx(t);
	struct tr_ubp *b = p ? ubp_find(p, a->id) : NULL;
	int err;

	if (!b)
		return -TR_ENOENT;
	switch (a->what) {
	case DO_DELETE:
		ubp_del(t, p, b);
		return 0;
	case DO_ENABLE:
		if (a->enabled == b->enabled)
			return 0;
		if (a->enabled && alive(t) && (err = ubp_plant(t, b)))
			return err;
		if (!a->enabled && alive(t))
			ubp_lift(t, b);
		b->enabled = a->enabled;
		return 0;
	case DO_COND:
		/* A condition compiled into the target is the old one. */
		for (size_t i = 0; i < b->nlocs; i++)
			tr_direct_site_cond_drop(t, b->locs[i]);
		b->cond = a->cond;
		b->ctx = a->ctx;
		return 0;
	case DO_IGNORE:
		b->ignore = a->count;
		return 0;
	case DO_HIT:
		b->hits++;
		return 0;
	case DO_INFO:
		a->info->id = b->id;
		a->info->enabled = b->enabled;
		a->info->temporary = b->temporary;
		a->info->hardware = b->hardware;
		a->info->has_cond = b->cond != NULL;
		a->info->ignore_count = b->ignore;
		a->info->hits = b->hits;
		a->info->nlocs = b->nlocs;
		for (size_t i = 0; i < b->nlocs && i < a->max; i++)
			a->locs[i] = b->locs[i];
		return 0;
	default:
		return -TR_EINVAL;
	}
}

int
tr_break_delete(struct tr_tracer *t, uint32_t id)
{
	struct id_args a = { .id = id, .what = DO_DELETE };

	return tr_call(t, do_id, &a);
}

int
tr_break_enable(struct tr_tracer *t, uint32_t id, bool enabled)
{
	struct id_args a = { .id = id, .what = DO_ENABLE, .enabled = enabled };

	return tr_call(t, do_id, &a);
}

int
tr_break_condition(struct tr_tracer *t, uint32_t id, tr_break_cond_fn cond,
		   void *ctx)
{
	struct id_args a = { .id = id, .what = DO_COND, .cond = cond,
			     .ctx = ctx };

	return tr_call(t, do_id, &a);
}

int
tr_break_count_hit(struct tr_tracer *t, uint32_t id)
{
	struct id_args a = { .id = id, .what = DO_HIT };

	return tr_call(t, do_id, &a);
}

int
tr_break_ignore(struct tr_tracer *t, uint32_t id, uint32_t count)
{
	struct id_args a = { .id = id, .what = DO_IGNORE, .count = count };

	return tr_call(t, do_id, &a);
}

int
tr_break_info(struct tr_tracer *t, uint32_t id, struct tr_break_info *info,
	      uint64_t *locs, size_t max)
{
	struct id_args a = { .id = id, .what = DO_INFO, .info = info,
			     .locs = locs, .max = locs ? max : 0 };

	return tr_call(t, do_id, &a);
}

struct list_args {
	uint32_t *ids;
	size_t max, n;
};

static int
do_list(struct tr_tracer *t, void *arg)
{
	struct list_args *a = arg;
	struct bps *p = tr_direct_hooks_ctx(t);

	/* In creation order, as gdb lists them. */
	a->n = 0;
	for (uint32_t id = 1; p && id <= p->next_bpnum; id++) {
		if (!ubp_find(p, id))
			continue;
		if (a->n < a->max)
			a->ids[a->n] = id;
		a->n++;
	}
	return 0;
}

int
tr_break_list(struct tr_tracer *t, uint32_t *ids, size_t max, size_t *n)
{
	struct list_args a = { .ids = ids, .max = ids ? max : 0 };
	int err = tr_call(t, do_list, &a);

	if (n)
		*n = a.n;
	return err;
}

uint32_t
tr_direct_break_number(struct tr_tracer *t)
{
	struct bps *p = bps_of(t);

	return p ? ++p->next_bpnum : 0;
}

struct at_args {
	uint64_t pc, seq;
	char *names;
	size_t len, used;
	bool other;
	unsigned entered;
	bool enter;
};

/* A breakpoint spec's function (LIB:FUNC's FUNC), or NULL for one that
 * names no function: FILE:LINE, *ADDR, or addresses. */
static const char *
spec_func(const char *spec)
{
	const char *colon;

	if (!spec || *spec == '*')
		return NULL;
	colon = strrchr(spec, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9')
		return NULL;
	return colon ? colon + 1 : spec;
}

static int
do_at(struct tr_tracer *t, void *arg)
{
	struct at_args *a = arg;
	struct bps *p = a->enter ? bps_of(t) : tr_direct_hooks_ctx(t);

	if (!p)
		return a->enter ? -TR_ENOMEM : 0;
	if (a->enter) {
		if (p->inline_seq != a->seq)
			p->inline_entered = 0;
		p->inline_seq = a->seq;
		p->inline_entered++;
		return 0;
	}
	a->entered = p->inline_seq == a->seq ? p->inline_entered : 0;
	for (size_t i = 0; i < p->nubps; i++) {
		const struct tr_ubp *b = &p->ubps[i];
		const char *fn;
		size_t k;

		for (k = 0; k < b->nlocs && b->locs[k] != a->pc; k++)
			;
		if (!b->enabled || k == b->nlocs)
			continue;
		fn = spec_func(b->spec);
		if (!fn) {
			a->other = true;
			continue;
		}
		if (a->used + strlen(fn) + 1 < a->len) {
			memcpy(a->names + a->used, fn, strlen(fn) + 1);
			a->used += strlen(fn) + 1;
		}
	}
	return 0;
}

int
tr_break_inline_view(struct tr_tracer *t, uint64_t pc, uint64_t seq,
		     char *names, size_t len, bool *other, unsigned *entered)
{
	struct at_args a = { .pc = pc, .seq = seq, .names = names,
			     .len = len };
	int err = tr_call(t, do_at, &a);

	if (len)
		names[a.used < len ? a.used : len - 1] = 0;
	*other = a.other;
	*entered = a.entered;
	return err;
}

int
tr_break_inline_enter(struct tr_tracer *t, uint64_t seq)
{
	struct at_args a = { .seq = seq, .enter = true };

	return tr_call(t, do_at, &a);
}
