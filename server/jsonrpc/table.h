/* table.h: the JSON-RPC front end's table of methods, which main.c gives the core. */
#ifndef TR_SERVER_JSONRPC_TABLE_H
#define TR_SERVER_JSONRPC_TABLE_H

#include <stddef.h>

#include "core/call.h"

/* srv_method_find: the method called name[0..len) (not NUL-terminated),
 * or NULL. The table is constant: any thread (the core calls it on the
 * epoll thread, as struct srv_hooks' method_find). */
const struct srv_method *srv_method_find(const char *name, size_t len);

#endif
