/* exec.h: the JSON-RPC methods that run the target and interrupt it. */
#ifndef TR_SERVER_JSONRPC_EXEC_H
#define TR_SERVER_JSONRPC_EXEC_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_continue(struct srv_call *x);
int srv_m_stepi(struct srv_call *x);
int srv_m_step(struct srv_call *x);
int srv_m_next(struct srv_call *x);
int srv_m_finish(struct srv_call *x);
int srv_m_interrupt(struct srv_call *x);

#endif
