/* watch.h: the JSON-RPC methods on watchpoints, and what a stop says about one. */
#ifndef TR_SERVER_JSONRPC_WATCH_H
#define TR_SERVER_JSONRPC_WATCH_H

#include <stdbool.h>

#include "core/call.h"
#include "core/sess.h"

/* Methods of the table (table.c): watch, watchpoints. */
int srv_m_watch(struct srv_call *x);
int srv_m_watchpoints(struct srv_call *x);

/* srv_watch_delete: delete watchpoint id if the client made one: 0,
 * -TR_ENOENT when it is no watchpoint of ours. Worker. */
int srv_watch_delete(struct srv_sess *ss, uint32_t id);

/* srv_watch_note: before a stop is written (worker): the values of the
 * watchpoint it is about, kept in ss->wnote; a scope stop forgets it. */
void srv_watch_note(struct srv_sess *ss, const struct tr_event *ev);

/* srv_watch_write: the stop's watchpoint members, from ss->wnote. */
void srv_watch_write(struct srv_sess *ss, struct tr_jw *w,
		     const struct tr_event *ev);

#endif
