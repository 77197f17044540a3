/* stack.h: the JSON-RPC methods on the stack and on expressions. */
#ifndef TR_SERVER_JSONRPC_STACK_H
#define TR_SERVER_JSONRPC_STACK_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_backtrace(struct srv_call *x);
int srv_m_frame(struct srv_call *x);
int srv_m_locals(struct srv_call *x);
int srv_m_args(struct srv_call *x);
int srv_m_eval(struct srv_call *x);
int srv_m_tree(struct srv_call *x);
int srv_m_whatis(struct srv_call *x);
int srv_m_ptype(struct srv_call *x);

#endif
