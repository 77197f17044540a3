/* request.h: what the JSON-RPC methods read of their request: params, the thread and frame it is about. */
#ifndef TR_SERVER_JSONRPC_REQUEST_H
#define TR_SERVER_JSONRPC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/call.h"

/* srv_param_u64: params' key as a non-negative integer into *out: 0;
 * absent: 1 (*out untouched), or an error reply when required; not such
 * an integer: an error reply (< 0). The method's thread. */
int srv_param_u64(struct srv_call *x, const char *key, bool required,
		  uint64_t *out);
/* srv_param_str: params' key as a string without NUL (it lives as long as
 * the request); NULL when absent (an error reply if required) or not
 * such a string (an error reply: x->replied tells the two apart). */
const char *srv_param_str(struct srv_call *x, const char *key, bool required);

#endif
