/* data.h: the JSON-RPC methods on threads, registers and memory. */
#ifndef TR_SERVER_JSONRPC_DATA_H
#define TR_SERVER_JSONRPC_DATA_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_threads(struct srv_call *x);
int srv_m_registers(struct srv_call *x);
int srv_m_set_register(struct srv_call *x);
int srv_m_read_memory(struct srv_call *x);
int srv_m_examined(struct srv_call *x);
int srv_m_write_memory(struct srv_call *x);

#endif
