/* frameinfo.h: the JSON-RPC method frame_info (gdb's info frame). */
#ifndef TR_SERVER_JSONRPC_FRAMEINFO_H
#define TR_SERVER_JSONRPC_FRAMEINFO_H

#include "core/call.h"

int srv_m_frame_info(struct srv_call *x);

#endif
