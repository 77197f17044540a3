/* source.h: the JSON-RPC methods on source files (source, substitute_path). */
#ifndef TR_SERVER_JSONRPC_SOURCE_H
#define TR_SERVER_JSONRPC_SOURCE_H

#include "core/call.h"

int srv_m_source(struct srv_call *x);
int srv_m_substitute_path(struct srv_call *x);

#endif
