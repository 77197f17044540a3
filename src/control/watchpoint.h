/* watchpoint.h: user watchpoints: numbered with the breakpoints, on an address range, by kind, scoped to a frame, with a condition. */
#ifndef TR_CONTROL_WATCHPOINT_H
#define TR_CONTROL_WATCHPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/tracer.h"

struct tr_watch_opts {
	int kind;           /* enum tr_watch_kind */
	/* A local's: deleted (TR_STOP_WATCH_SCOPE) when a thread is back at
	 * scope_pc, its frame's return address, with rsp >= scope_cfa, the
	 * frame's CFA. 0: for good. */
	uint64_t scope_pc;
	uint64_t scope_cfa;
	tr_watch_cond_fn cond; /* NULL: none; runs on the tracer thread */
	void *cond_ctx;        /* the caller's; outlives the watchpoint */
};

/*
 * tr_watch_set: a watchpoint on [addr, addr + len) (tracer.h: page
 * protection; TR_STOP_WATCH with ev.bpnum = *id when it triggers),
 * numbered in the breakpoints' sequence (gdb's "Hardware watchpoint 2").
 * The target must be stopped. Any thread but the tracer thread (as all
 * below). 0 or -TR_E*.
 */
int tr_watch_set(struct tr_tracer *t, uint64_t addr, size_t len,
		 const struct tr_watch_opts *o, uint32_t *id);
int tr_watch_delete(struct tr_tracer *t, uint32_t id);
/* tr_watch_ignore: go on through its next `count` triggers. */
int tr_watch_ignore(struct tr_tracer *t, uint32_t id, uint32_t count);
int tr_watch_condition(struct tr_tracer *t, uint32_t id, tr_watch_cond_fn cond,
		       void *ctx);
/* tr_watch_info: the state of watchpoint id, and its old and new values
 * (the last change reported), up to max bytes each (NULL: skip). */
int tr_watch_info(struct tr_tracer *t, uint32_t id, struct tr_watch_state *st,
		  void *old, void *now, size_t max);
/* Ids of every watchpoint, in creation order; *n gets the count. */
int tr_watch_list(struct tr_tracer *t, uint32_t *ids, size_t max, size_t *n);

#endif
