/* jsonrpc.h: JSON-RPC 2.0 messages and line framing (placeholder: being written). */
#ifndef TR_PROTO_JSONRPC_H
#define TR_PROTO_JSONRPC_H
#endif
