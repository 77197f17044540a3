/* call.h: a JSON-RPC method call as the methods see it: its context, the method table's entries, and the replies. */
#ifndef TR_SERVER_CORE_CALL_H
#define TR_SERVER_CORE_CALL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "json_write.h"
#include "jsonrpc.h"

struct srv_conn;
struct srv_sess;

/* Context of one method call. */
struct srv_call {
	struct srv_conn *c;
	struct srv_sess *ss;     /* NULL for server methods */
	const struct tr_rpc_request *req;
	const struct tr_json *params; /* an object, or NULL */
	struct tr_buf *out;      /* the reply goes here */
	struct tr_jw w;
	size_t body_off;         /* for binary replies: where the message
				    starts in out (srv_reply_binary) */
	bool replied;
};

/* Flags of a method. */
enum {
	SRV_M_SERVER = 1 << 0,   /* runs on the epoll thread, no session */
	SRV_M_CREATES = 1 << 1,  /* makes a session, then runs on it */
	SRV_M_STOPPED = 1 << 2,  /* needs the target stopped */
	SRV_M_RUNS = 1 << 3,     /* resumes the target (busy_running) */
	SRV_M_STOPS_FIRST = 1 << 4, /* interrupts a running target, then
				       is queued (detach, kill) */
	SRV_M_NOW = 1 << 5,      /* about a session, but answered on the
				    epoll thread at once (interrupt, stats) */
};

/* A method, as the JSON-RPC front end's table lists it (struct
 * srv_hooks' method_find). fn runs on the session's worker, or on the
 * epoll thread for SRV_M_SERVER and SRV_M_NOW, and always replies. */
struct srv_method {
	const char *name;
	unsigned flags;
	int (*fn)(struct srv_call *x);
};

/* Server-side error codes (JSON-RPC server range). Append-only. */
enum {
	SRV_E_TARGET = -32000,     /* the library said no: message tells */
	SRV_E_RUNNING = -32001,    /* the target is running */
	SRV_E_NO_SESSION = -32002, /* no such session / none given */
	SRV_E_MEMORY = -32003,     /* cannot access target memory */
	SRV_E_EVAL = -32004,       /* expression error (data.pos) */
	SRV_E_GONE = -32005,       /* the target exited or was killed */
	SRV_E_AUTH = -32006,       /* token missing or wrong */
	SRV_E_SHUTDOWN = -32007,   /* the server is shutting down */
	SRV_E_BUSY = -32008,       /* limits: too many sessions, follows */
};

/*
 * Replies, by the thread that runs the method. srv_begin starts a result
 * (the method then writes it with x->w and ends it with tr_rpc_end).
 * srv_error replaces whatever was written with an error and returns
 * code. srv_lib_error does so for an error of the library: the codes a
 * client acts on get their own numbers, the rest SRV_E_TARGET, with
 * "what: " before the library's message.
 */
int srv_begin(struct srv_call *x);
int srv_error(struct srv_call *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int srv_lib_error(struct srv_call *x, int err, const char *what);
/* srv_reply_binary: a reply made of a JSON line and raw bytes after it:
 * the caller put the bytes at x->out->data[body_off + header_room ..len)
 * and gives the line (with its '\n') in header, which goes just before
 * them, so that the bytes are never moved. */
int srv_reply_binary(struct srv_call *x, size_t header_room,
		     const char *header, size_t hlen);

/* The core's own (not for the front ends). */

/* srv__call_exec: run method m for req of c (on session ss, or NULL)
 * into *out; *off: where the reply starts in it. A method that wrote no
 * reply gets an internal error. Worker or epoll thread. */
void srv__call_exec(struct srv_conn *c, struct srv_sess *ss,
		    const struct tr_rpc_request *req,
		    const struct srv_method *m, struct tr_buf *out,
		    size_t *off);

#endif
