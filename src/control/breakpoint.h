/* breakpoint.h: user breakpoints: locations, enable, hit counts, ignore counts, conditions. */
#ifndef TR_CONTROL_BREAKPOINT_H
#define TR_CONTROL_BREAKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tr_tracer;

/*
 * A condition runs on the tracer thread at every hit of an enabled
 * breakpoint, right where the stop is seen, before any other thread is
 * stopped or woken: it may read the target with the tr_direct_* calls.
 * It returns 1 to stop, 0 to go on (the tracer steps over the breakpoint
 * and resumes at once), or a negative TR_E* code: an error stops, as in
 * gdb. `ctx` belongs to the caller and must outlive the breakpoint.
 * It may also return 2: stop, without counting the hit or the ignore
 * count, for a caller that decides later (a condition that calls
 * functions) and counts with tr_break_count_hit().
 */
typedef int (*tr_break_cond_fn)(struct tr_tracer *t, pid_t tid, uint64_t addr,
				void *ctx);

struct tr_break_opts {
	bool temporary;        /* deleted after its first stop (tbreak) */
	bool hardware;         /* in a debug register (hbreak: the
				* tracer's tr_direct_hbp_get, and its
				* errors: -TR_ENOSPC when none is free,
				* -TR_ENOTSUP where they do not fire) */
	bool disabled;         /* created disabled */
	uint32_t ignore_count; /* hits to let pass before stopping */
	tr_break_cond_fn cond; /* NULL: unconditional */
	void *cond_ctx;
	bool must_resolve;     /* a spec that names nothing now is an error
				* (-TR_ENOENT), as gdb's without "set
				* breakpoint pending on": no breakpoint */
	uint32_t number;       /* 0: the next number; else this one when no
				* breakpoint had it yet (a rerun keeps
				* gdb's numbers), the next ones after it */
	bool renumber;         /* number: also when no breakpoint has it
				* now (set again on an exec'd program) */
};

struct tr_break_info {
	uint32_t id;
	bool enabled;
	bool temporary;
	bool hardware;
	bool has_cond;
	uint32_t ignore_count; /* still to ignore */
	uint64_t hits;         /* times the condition held (ignored hits too) */
	size_t nlocs;          /* 0: pending (a spec naming nothing yet) */
};

/*
 * tr_break_set: a breakpoint at `n` addresses (the locations of one spec,
 * see tr_debuginfo_resolve), numbered from 1 in creation order; *id gets
 * its number. A hit stops with TR_STOP_BREAKPOINT and ev.bpnum = id. Any
 * thread but the tracer thread (as are all below).
 */
int tr_break_set(struct tr_tracer *t, const uint64_t *addrs, size_t n,
		 const struct tr_break_opts *opts, uint32_t *id);
/*
 * tr_break_set_spec: a breakpoint at a gdb-style location spec (see
 * tr_debuginfo_resolve: FUNC, LIB:FUNC, FILE:LINE, *ADDR), resolved on the
 * tracer thread and again each time the dynamic linker loads or unloads a
 * library (a breakpoint on _dl_debug_state, handled without a report):
 * a spec that names nothing yet stays pending, with no location, like
 * gdb's "pending on future shared library load", and new locations are
 * added as libraries appear (unless opts->must_resolve: then -TR_ENOENT
 * and no breakpoint). -TR_EINVAL for a malformed spec.
 */
int tr_break_set_spec(struct tr_tracer *t, const char *spec,
		      const struct tr_break_opts *opts, uint32_t *id);
int tr_break_delete(struct tr_tracer *t, uint32_t id);
int tr_break_enable(struct tr_tracer *t, uint32_t id, bool enabled);
/* Replace the condition (NULL: none). */
int tr_break_condition(struct tr_tracer *t, uint32_t id, tr_break_cond_fn cond,
		       void *ctx);
int tr_break_ignore(struct tr_tracer *t, uint32_t id, uint32_t count);
/* One more hit of `id` (its condition held), for conditions returning 2. */
int tr_break_count_hit(struct tr_tracer *t, uint32_t id);
int tr_break_info(struct tr_tracer *t, uint32_t id, struct tr_break_info *info,
		  uint64_t *locs, size_t max);
/* tr_direct_break_number: the next breakpoint number, taken for a
 * watchpoint (watchpoint.c): one numbering for both, as gdb's. Tracer
 * thread; 0 when out of memory. */
uint32_t tr_direct_break_number(struct tr_tracer *t);
/* Ids of all breakpoints; *n gets the count (may exceed max). */
int tr_break_list(struct tr_tracer *t, uint32_t *ids, size_t max, size_t *n);

/*
 * tr_break_inline_view: what decides which inlined calls starting at pc
 * a stop shows (gdb 13's stopped_by_user_bp_inline_frame): into names
 * (`len` bytes, each name NUL-terminated, an empty one last) the
 * functions named by the enabled breakpoints with a location at pc;
 * *other true when one of them names no function (FILE:LINE, *ADDR),
 * which shows the innermost call; *entered how many hidden calls `step`
 * entered without running at stop `seq` (tr_break_inline_enter).
 */
int tr_break_inline_view(struct tr_tracer *t, uint64_t pc, uint64_t seq,
			 char *names, size_t len, bool *other,
			 unsigned *entered);
/* tr_break_inline_enter: gdb's `step` at a stop that hides inlined
 * calls: one more of them is shown, at stop `seq`, without running. */
int tr_break_inline_enter(struct tr_tracer *t, uint64_t seq);

#endif
