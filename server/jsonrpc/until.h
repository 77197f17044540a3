/* until.h: the JSON-RPC run requests until, advance and jump (gdb's). */
#ifndef TR_SERVER_JSONRPC_UNTIL_H
#define TR_SERVER_JSONRPC_UNTIL_H

#include "core/call.h"

int srv_m_until(struct srv_call *x);
int srv_m_advance(struct srv_call *x);
int srv_m_jump(struct srv_call *x);

#endif
