/* client.h: a blocking JSON-RPC client of tracerd: connect, call, notifications, binary replies. */
#ifndef TR_PROTO_CLIENT_H
#define TR_PROTO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

/*
 * One connection to tracerd, used from one thread. tr_cl_call() sends a
 * request and reads until its reply, handing every notification that
 * comes first to the callback. A reply may carry raw bytes after its
 * JSON line (read_memory with "encoding": "binary"): they are read into
 * the caller's buffer.
 */
struct tr_cl;

/* A notification: method and params (an object), valid during the call. */
typedef void (*tr_cl_notify_fn)(const char *method,
				const struct tr_json *params, void *arg);

/* tr_cl_connect: "unix:PATH", "tcp:HOST:PORT", a path (with a '/'), or
 * NULL for the default socket (endpoint.h). With a token (TCP), an auth
 * request is sent first. 0 or -TR_E*, with why[] saying what failed. */
int tr_cl_connect(const char *where, const char *token, struct tr_cl **out,
		  char *why, size_t whylen);
void tr_cl_free(struct tr_cl *c);
int tr_cl_fd(const struct tr_cl *c);

void tr_cl_set_notify(struct tr_cl *c, tr_cl_notify_fn fn, void *arg);

/* The result of a call. tree is the whole reply; result points into it
 * (NULL on error). On a JSON-RPC error, code/message are set. */
struct tr_cl_reply {
	struct tr_json *tree;
	const struct tr_json *result;
	int code;              /* 0: success */
	const char *message;   /* error message */
	int64_t pos;           /* error data.pos, -1 when none */
	size_t binary_len;     /* raw bytes read after the line */
};

/*
 * tr_cl_call: send {"method": method, "params": params_json} (params_json
 * NUL-terminated JSON text of an object, or NULL) and wait for the reply.
 * bin / binlen: where raw bytes after the reply go (NULL: a binary reply
 * is an error). Returns 0 (the reply in *r, also for JSON-RPC errors; free
 * with tr_cl_reply_free) or -TR_E* when the connection failed.
 * interrupt: if not NULL, polled while waiting; when it becomes true,
 * an "interrupt" request is sent once (for ^C).
 */
int tr_cl_call(struct tr_cl *c, const char *method, const char *params_json,
	       void *bin, size_t binlen, volatile int *interrupt,
	       struct tr_cl_reply *r);
void tr_cl_reply_free(struct tr_cl_reply *r);

/* tr_cl_poll_notifications: read and dispatch notifications that have
 * arrived, without waiting. 0, or -TR_EGONE when the server hung up. */
int tr_cl_poll_notifications(struct tr_cl *c);

/* tr_cl_send_raw / tr_cl_read_line: the bare stream, for raw mode. */
int tr_cl_send_raw(struct tr_cl *c, const void *buf, size_t len);

/* Session the calls are about: added as "session" to params that have
 * none (0: none added). */
void tr_cl_set_session(struct tr_cl *c, uint32_t sid);

/*
 * tr_cl_pass_fds: the next request sent carries these n (at most 3)
 * descriptors (SCM_RIGHTS; a Unix socket only): a launch with "stdio":
 * "passed" gives them to the program as its stdin, stdout and stderr.
 * They stay the caller's to close.
 */
int tr_cl_pass_fds(struct tr_cl *c, const int *fds, unsigned n);

#endif
