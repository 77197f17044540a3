/* symsearch.h: the JSON-RPC methods symbol_search, line_info and shared_libraries. */
#ifndef TR_SERVER_JSONRPC_SYMSEARCH_H
#define TR_SERVER_JSONRPC_SYMSEARCH_H

struct srv_call;

int srv_m_symbol_search(struct srv_call *x);
int srv_m_line_info(struct srv_call *x);
int srv_m_shared_libraries(struct srv_call *x);

#endif
