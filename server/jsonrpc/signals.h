/* signals.h: the JSON-RPC methods on the session's signal policy (handle, signals). */
#ifndef TR_SERVER_JSONRPC_SIGNALS_H
#define TR_SERVER_JSONRPC_SIGNALS_H

#include "core/call.h"

int srv_m_handle(struct srv_call *x);
int srv_m_signals(struct srv_call *x);

#endif
