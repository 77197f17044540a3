/* request.h: what the JSON-RPC methods read of their request (params, the thread and frame it is about) and the checks and error replies they share. */
#ifndef TR_SERVER_JSONRPC_REQUEST_H
#define TR_SERVER_JSONRPC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/call.h"
#include "session/session.h"

/*
 * All of these run on the method's thread, with x's request; those that
 * fail have replied with an error (x->replied), so that a method can
 * return at once.
 */

/* srv_param_get: params' member key, or NULL (absent, or no params). */
const struct tr_json *srv_param_get(struct srv_call *x, const char *key);
/* srv_param_u64: params' key as a non-negative integer into *out: 0;
 * absent: 1 (*out untouched), or an error reply when required; not such
 * an integer: an error reply (< 0). */
int srv_param_u64(struct srv_call *x, const char *key, bool required,
		  uint64_t *out);
/* srv_param_str: params' key as a string without NUL (it lives as long as
 * the request); NULL when absent (an error reply if required) or not
 * such a string (an error reply: x->replied tells the two apart). */
const char *srv_param_str(struct srv_call *x, const char *key, bool required);
/* srv_param_num: a u64 param that fits in max; -1 after an error reply,
 * 1 absent, 0 in *out. */
int srv_param_num(struct srv_call *x, const char *key, bool required,
		  uint64_t max, uint64_t *out);
/* srv_param_bool: 0 with *out, 1 absent, -1 after an error reply. */
int srv_param_bool(struct srv_call *x, const char *key, bool *out);
/* srv_param_thread: the thread and frame (frame may be NULL) a request
 * is about: its params, else what the client selected with "frame", else
 * the current thread's innermost (*tid 0). 0, or -1 after an error. */
int srv_param_thread(struct srv_call *x, pid_t *tid, unsigned *frame);

/* srv_target_exited: the session's target has exited: an error reply
 * ("The program is not being run.") and true. */
bool srv_target_exited(struct srv_call *x);
/* srv_eval_error: the error reply for an expression's error err: its
 * message and, in data.pos, where in the expression it is (e->msg empty:
 * as srv_lib_error). Returns the code. */
int srv_eval_error(struct srv_call *x, int err, const struct tr_expr_err *e);

#endif
