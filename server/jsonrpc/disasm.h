/* disasm.h: the JSON-RPC method disassemble (instructions of a function, a range, or a count from an address). */
#ifndef TR_SERVER_JSONRPC_DISASM_H
#define TR_SERVER_JSONRPC_DISASM_H

#include "core/call.h"

int srv_m_disassemble(struct srv_call *x);

#endif
