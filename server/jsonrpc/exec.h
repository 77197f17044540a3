/* exec.h: the JSON-RPC methods that run the target and interrupt it. */
#ifndef TR_SERVER_JSONRPC_EXEC_H
#define TR_SERVER_JSONRPC_EXEC_H

#include <stdbool.h>

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_continue(struct srv_call *x);
int srv_m_stepi(struct srv_call *x);
int srv_m_step(struct srv_call *x);
int srv_m_next(struct srv_call *x);
int srv_m_finish(struct srv_call *x);
int srv_m_interrupt(struct srv_call *x);

/* srv_after_run: after a run request: the stop recorded, the followers'
 * frames reset and told, the reply {"stop": ..., extra's members}. */
struct tr_event;
struct tr_jw;
int srv_after_run(struct srv_call *x, int err, const struct tr_event *ev,
		  void (*extra)(struct tr_jw *, void *), void *arg);
/* srv_interrupted_before: a run request an interrupt came for before it
 * ran: its error reply, true. */
bool srv_interrupted_before(struct srv_call *x);

#endif
