/* breakpoints.c: the JSON-RPC methods on user breakpoints: break, delete, enable, condition, ignore, breakpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/breakpoint.h"
#include "control/watchpoint.h"
#include "symbols/debuginfo.h"
#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/breakpoints.h"
#include "jsonrpc/request.h"
#include "jsonrpc/watch.h"
#include "jsonrpc/where.h"

static struct srv_bp *
bp_find(struct srv_sess *ss, uint32_t id)
{
	struct srv_bp *b;

	for (b = ss->bps; b && b->id != id; b = b->next)
		;
	return b;
}

static void
bp_forget(struct srv_sess *ss, uint32_t id)
{
	for (struct srv_bp **pp = &ss->bps; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct srv_bp *b = *pp;

			*pp = b->next;
			free(b->spec);
			free(b->cond);
			free(b);
			return;
		}
}

static int
addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A breakpoint's locations in address order: gdb numbers them so (the
 * 1.1, 1.2 of info breakpoints and of a stop). */
static int
bp_locations(struct srv_sess *ss, uint32_t id, struct tr_break_info *info,
	     uint64_t *locs, size_t max)
{
	int err = tr_break_info(ss->t, id, info, locs, max);

	if (!err)
		qsort(locs, info->nlocs < max ? info->nlocs : max,
		      sizeof(*locs), addr_cmp);
	return err;
}

unsigned
srv_bp_location_number(struct srv_sess *ss, uint32_t id, uint64_t addr)
{
	struct tr_break_info info;
	uint64_t locs[64];

	if (bp_locations(ss, id, &info, locs, 64) || info.nlocs < 2)
		return 0;
	for (size_t i = 0; i < info.nlocs && i < 64; i++)
		if (locs[i] == addr)
			return (unsigned)i + 1;
	return 0;
}

struct spec_line_args {
	const char *spec;
	uint32_t line;
	const uint64_t *locs;
	size_t n;
	uint32_t call_line[64]; /* per location, 0: as its row says */
	bool moved[64];         /* past a prologue: its row's line */
};

static int
spec_line_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	     struct tr_unwinder *u, void *arg)
{
	struct spec_line_args *a = arg;
	const char *colon = strrchr(a->spec, ':');

	(void)t;
	(void)u;
	if (tr_debuginfo_spec_line(di, a->spec, &a->line))
		a->line = 0;
	for (size_t i = 0; a->line && i < a->n && i < 64; i++)
		a->moved[i] = tr_debuginfo_after_prologue(di, a->locs[i]);
	if (a->line || *a->spec == '*')
		return 0;
	/* gdb 13's skip_prologue_sal: break FUNC past a prologue that
	 * lands in code inlined into FUNC is at the line of the outermost
	 * inlined call (where FUNC calls it). Without the prologue skipped
	 * (optimized code, whose locations gdb trusts) the row's line. */
	for (size_t i = 0; i < a->n && i < 64; i++) {
		struct tr_location loc;
		struct tr_inline in[32];
		size_t k = 0;

		if (tr_debuginfo_describe(di, a->locs[i], &loc) ||
		    !loc.dwfunc || a->locs[i] <= loc.func_lo ||
		    !loc.function ||
		    strcmp(loc.function, colon ? colon + 1 : a->spec))
			continue;
		tr_debuginfo_inlines(di, a->locs[i], in, 32, &k);
		if (k && k <= 32 && in[k - 1].call_line)
			a->call_line[i] = in[k - 1].call_line;
	}
	return 0;
}

static int
write_bp_msg(struct srv_call *x, uint32_t id, const char *msg)
{
	struct tr_break_info info;
	uint64_t locs[64];
	struct srv_bp *b = bp_find(x->ss, id);
	struct spec_line_args sl = { .spec = b ? b->spec : NULL };
	int err = bp_locations(x->ss, id, &info, locs, 64);

	if (err)
		return err;
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "id");
	tr_jw_uint(&x->w, id);
	srv_opt_str(&x->w, "location", b ? b->spec : NULL);
	srv_opt_str(&x->w, "condition", b ? b->cond : NULL);
	tr_jw_key(&x->w, "enabled");
	tr_jw_bool(&x->w, info.enabled);
	tr_jw_key(&x->w, "temporary");
	tr_jw_bool(&x->w, info.temporary);
	tr_jw_key(&x->w, "hardware");
	tr_jw_bool(&x->w, info.hardware);
	tr_jw_key(&x->w, "hits");
	tr_jw_uint(&x->w, info.hits);
	tr_jw_key(&x->w, "ignore_count");
	tr_jw_uint(&x->w, info.ignore_count);
	tr_jw_key(&x->w, "pending");
	tr_jw_bool(&x->w, info.nlocs == 0);
	if (msg && *msg) {
		tr_jw_key(&x->w, "message");
		tr_jw_cstr(&x->w, msg);
	}
	tr_jw_key(&x->w, "locations");
	tr_jw_arr_begin(&x->w);
	/* a FILE:LINE breakpoint's locations are at that line in gdb's
	 * listing, whichever line the row at each address names (at -O2
	 * a row of the inlined body can share the address) */
	sl.locs = locs;
	sl.n = info.nlocs;
	if (b && b->spec && info.nlocs)
		tr_session_run(x->ss->s, spec_line_fn, &sl);
	for (size_t i = 0; i < info.nlocs && i < 64; i++) {
		struct srv_where wh;

		srv_where_get(x->ss, locs[i], 0, false, &wh);
		wh.source[0] = 0;
		if (sl.line && !(i < 64 && sl.moved[i]))
			wh.loc.line = sl.line;
		else if (i < 64 && sl.call_line[i])
			wh.loc.line = sl.call_line[i];
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "addr");
		tr_jw_uint(&x->w, locs[i]);
		/* in inlined code, the inlined function (gdb's) */
		srv_opt_str(&x->w, "function",
			    wh.inlined[0] ? wh.inlined : wh.func);
		srv_opt_str(&x->w, "file", wh.file);
		tr_jw_key(&x->w, "line");
		tr_jw_uint(&x->w, wh.loc.line);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	tr_jw_obj_end(&x->w);
	return 0;
}

static int
write_bp(struct srv_call *x, uint32_t id)
{
	return write_bp_msg(x, id, NULL);
}

/* After the program exited: a breakpoint as its words only, made when
 * the program runs again (launch's rerun): no location yet. */
static void
write_bp_words(struct srv_call *x, const struct srv_bp *b)
{
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "id");
	tr_jw_uint(&x->w, b->id);
	srv_opt_str(&x->w, "location", b->spec);
	srv_opt_str(&x->w, "condition", b->cond);
	tr_jw_key(&x->w, "enabled");
	tr_jw_bool(&x->w, true);
	tr_jw_key(&x->w, "temporary");
	tr_jw_bool(&x->w, b->temporary);
	tr_jw_key(&x->w, "hits");
	tr_jw_uint(&x->w, 0);
	tr_jw_key(&x->w, "ignore_count");
	tr_jw_uint(&x->w, 0);
	tr_jw_key(&x->w, "pending");
	tr_jw_bool(&x->w, true);
	tr_jw_key(&x->w, "not_running");
	tr_jw_bool(&x->w, true);
	tr_jw_key(&x->w, "locations");
	tr_jw_arr_begin(&x->w);
	tr_jw_arr_end(&x->w);
	tr_jw_obj_end(&x->w);
}

static bool
exited(struct srv_call *x)
{
	return atomic_load(&x->ss->state) == SRV_EXITED;
}

struct known_args {
	const char *file;
	bool known;
};

static int
known_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	 void *arg)
{
	struct known_args *k = arg;

	(void)t;
	(void)u;
	tr_debuginfo_refresh(di, NULL);
	k->known = tr_debuginfo_source_known(di, k->file);
	return 0;
}

/* A location that names nothing, in gdb's words, into out. */
static void
unknown_location(struct srv_call *x, const char *spec, char *out, size_t len)
{
	const char *colon = strrchr(spec, ':');
	char file[1024];

	if (colon && colon[1] >= '0' && colon[1] <= '9' &&
	    (size_t)(colon - spec) < sizeof(file)) {
		struct known_args k = { .file = file };

		memcpy(file, spec, (size_t)(colon - spec));
		file[colon - spec] = 0;
		tr_session_run(x->ss->s, known_fn, &k);
		if (k.known)
			snprintf(out, len, "No line %s in file \"%s\".",
				 colon + 1, file);
		else
			snprintf(out, len, "No source file named %s.", file);
	} else if (colon && (size_t)(colon - spec) < sizeof(file)) {
		memcpy(file, spec, (size_t)(colon - spec));
		file[colon - spec] = 0;
		snprintf(out, len, "Function \"%s\" not defined in \"%s\".",
			 colon + 1, file);
	} else {
		snprintf(out, len, "Function \"%s\" not defined.", spec);
	}
}

int
srv_m_break(struct srv_call *x)
{
	const char *spec = srv_param_str(x, "location", true);
	const char *cond;
	struct tr_break_opts o = { 0 };
	struct tr_expr_err e = { 0 };
	struct srv_bp *b;
	uint64_t ign = 0;
	uint32_t id;
	bool pending = false;
	int err;

	if (!spec)
		return 0;
	cond = srv_param_str(x, "condition", false);
	if (x->replied ||
	    srv_param_num(x, "ignore_count", false, UINT32_MAX, &ign) < 0 ||
	    srv_param_bool(x, "temporary", &o.temporary) < 0 ||
	    srv_param_bool(x, "hardware", &o.hardware) < 0 ||
	    srv_param_bool(x, "disabled", &o.disabled) < 0 ||
	    srv_param_bool(x, "pending", &pending) < 0)
		return 0;
	/* gdb's "set breakpoint pending off": a location that names
	 * nothing is an error unless a pending breakpoint is asked for */
	o.must_resolve = !pending;
	o.ignore_count = (uint32_t)ign;
	o.number = x->ss->bp_floor; /* after a rerun: past the old ones */
	b = calloc(1, sizeof(*b));
	if (!b || !(b->spec = strdup(spec)) ||
	    (cond && *cond && !(b->cond = strdup(cond)))) {
		if (b)
			free(b->spec);
		free(b);
		return srv_error(x, TR_RPC_INTERNAL_ERROR, "out of memory");
	}
	if (exited(x)) {
		/* kept for the next run (gdb sets it in the program's
		 * file; here it is made when the program runs again) */
		b->id = ++x->ss->bp_hi;
		b->temporary = o.temporary;
		b->hardware = o.hardware;
		b->next = x->ss->bps;
		x->ss->bps = b;
		srv_begin(x);
		write_bp_words(x, b);
		return tr_rpc_end(&x->w);
	}
	err = tr_session_break(x->ss->s, spec, cond, &o, &id, &e);
	if (err) {
		free(b->spec);
		free(b->cond);
		free(b);
		/* the library's own words: about the location, not the
		 * condition */
		if (!e.msg[0] || !strcmp(e.msg, tr_strerror(err))) {
			if (err == -TR_ENOENT && o.must_resolve) {
				char msg[1200];

				unknown_location(x, spec, msg, sizeof(msg));
				return srv_error(x, SRV_E_TARGET, "%s", msg);
			}
			if (err == -TR_EINVAL)
				return srv_error(x, TR_RPC_INVALID_PARAMS,
						 "malformed location \"%s\"",
						 spec);
			/* gdb's words (breakpoint.c) */
			if (o.hardware && err == -TR_ENOSPC)
				return srv_error(
					x, SRV_E_TARGET,
					"Could not insert hardware breakpoints:"
					"\nYou may have requested too many "
					"hardware breakpoints/watchpoints.");
			if (o.hardware && err == -TR_ENOTSUP)
				return srv_error(
					x, SRV_E_TARGET,
					"No hardware breakpoint support in the "
					"target (the debug registers do not "
					"fire on this machine: %s).",
					tr_watch_probe()->why);
			return srv_lib_error(x, err, spec);
		}
		return srv_eval_error(x, err, &e);
	}
	b->id = id;
	x->ss->bp_floor = 0;
	if (id > x->ss->bp_hi)
		x->ss->bp_hi = id;
	b->temporary = o.temporary;
	b->hardware = o.hardware;
	b->next = x->ss->bps;
	x->ss->bps = b;
	srv_begin(x);
	{
		struct tr_break_info info;
		char msg[1200] = "";

		/* pending as asked: what gdb says before it makes one
		 * (not for a function a library not loaded yet defines) */
		if (pending &&
		    tr_break_info(x->ss->t, id, &info, NULL, 0) == 0 &&
		    info.nlocs == 0)
			unknown_location(x, spec, msg, sizeof(msg));
		write_bp_msg(x, id, msg);
	}
	return tr_rpc_end(&x->w);
}

static int
bp_id(struct srv_call *x, uint32_t *id)
{
	uint64_t v;

	if (srv_param_num(x, "id", true, UINT32_MAX, &v) < 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static int
bp_done(struct srv_call *x, int err, uint32_t id)
{
	if (err == -TR_ENOENT)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No breakpoint number %u.", id);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	if (write_bp(x, id))
		tr_jw_null(&x->w);
	return tr_rpc_end(&x->w);
}

int
srv_m_delete(struct srv_call *x)
{
	uint32_t id;
	int err;

	if (bp_id(x, &id))
		return 0;
	err = srv_watch_delete(x->ss, id);
	if (err != -TR_ENOENT) {
		if (err)
			return srv_lib_error(x, err, NULL);
		srv_begin(x);
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "deleted");
		tr_jw_uint(&x->w, id);
		return tr_rpc_end(&x->w);
	}
	if (exited(x)) {
		err = bp_find(x->ss, id) ? 0 : -TR_ENOENT;
	} else {
		/* the condition first: compiled code must not outlive its
		 * site */
		tr_session_condition(x->ss->s, id, NULL, NULL);
		err = tr_break_delete(x->ss->t, id);
	}
	if (err == -TR_ENOENT)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "No breakpoint number %u.", id);
	if (err)
		return srv_lib_error(x, err, NULL);
	bp_forget(x->ss, id);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "deleted");
	tr_jw_uint(&x->w, id);
	return tr_rpc_end(&x->w);
}

int
srv_m_enable(struct srv_call *x)
{
	bool on = true;
	uint32_t id;

	struct srv_bp *b;
	int err;

	if (bp_id(x, &id) || srv_param_bool(x, "enabled", &on) < 0)
		return 0;
	err = tr_break_enable(x->ss->t, id, on);
	if (!err && (b = bp_find(x->ss, id)))
		b->disabled = !on;
	return bp_done(x, err, id);
}

int
srv_m_condition(struct srv_call *x)
{
	const char *cond;
	struct tr_expr_err e = { 0 };
	struct srv_bp *b;
	uint32_t id;
	int err;

	if (bp_id(x, &id))
		return 0;
	cond = srv_param_str(x, "condition", false);
	if (x->replied)
		return 0;
	err = tr_session_condition(x->ss->s, id, cond, &e);
	if (err == -TR_ENOENT && !e.msg[0])
		return bp_done(x, err, id);
	if (err)
		return srv_eval_error(x, err, &e);
	if ((b = bp_find(x->ss, id))) {
		free(b->cond);
		b->cond = cond && *cond ? strdup(cond) : NULL;
	}
	return bp_done(x, 0, id);
}

int
srv_m_ignore(struct srv_call *x)
{
	uint64_t n;
	uint32_t id;
	int err;

	if (bp_id(x, &id) ||
	    srv_param_num(x, "count", true, UINT32_MAX, &n) < 0)
		return 0;
	err = tr_break_ignore(x->ss->t, id, (uint32_t)n);
	if (err == -TR_ENOENT) /* numbers are shared: a watchpoint's? */
		err = tr_watch_ignore(x->ss->t, id, (uint32_t)n);
	return bp_done(x, err, id);
}

int
srv_m_breakpoints(struct srv_call *x)
{
	uint32_t ids[1024];
	size_t n = 0;
	int err;

	if (exited(x)) {
		/* the words kept for the next run, by number */
		uint32_t last = 0;

		srv_begin(x);
		tr_jw_arr_begin(&x->w);
		for (;;) {
			const struct srv_bp *next = NULL;

			for (const struct srv_bp *b = x->ss->bps; b;
			     b = b->next)
				if (b->id > last && (!next || b->id < next->id))
					next = b;
			if (!next)
				break;
			write_bp_words(x, next);
			last = next->id;
		}
		tr_jw_arr_end(&x->w);
		return tr_rpc_end(&x->w);
	}
	err = tr_break_list(x->ss->t, ids, 1024, &n);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < n && i < 1024; i++)
		write_bp(x, ids[i]);
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}
