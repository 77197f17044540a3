/* symbols.h: the JSON-RPC methods on symbols, and the dispatch statistics. */
#ifndef TR_SERVER_JSONRPC_SYMBOLS_H
#define TR_SERVER_JSONRPC_SYMBOLS_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_lookup_symbol(struct srv_call *x);
int srv_m_symbol_at(struct srv_call *x);
int srv_m_functions(struct srv_call *x);
int srv_m_stats(struct srv_call *x);

#endif
