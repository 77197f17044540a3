/* jsonrpc.h: JSON-RPC 2.0 requests, replies and newline framing of a byte stream. */
#ifndef TR_PROTO_JSONRPC_H
#define TR_PROTO_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "json_write.h"

/*
 * The protocol is JSON-RPC 2.0 (https://www.jsonrpc.org/specification),
 * one message per line: each message is compact JSON (the writer never
 * emits a raw newline, escaping it in strings) followed by '\n'.
 * Batches are not supported: a top-level array is answered with one
 * INVALID_REQUEST error, "batches are not supported", id null.
 */

/* Error codes of the spec. Append-only. */
enum {
	TR_RPC_PARSE_ERROR = -32700,      /* not JSON */
	TR_RPC_INVALID_REQUEST = -32600,  /* JSON, not a request */
	TR_RPC_METHOD_NOT_FOUND = -32601,
	TR_RPC_INVALID_PARAMS = -32602,
	TR_RPC_INTERNAL_ERROR = -32603,
	/* -32000 to -32099 are the server's own: tracerd numbers its errors
	 * down from TR_RPC_SERVER_ERROR. */
	TR_RPC_SERVER_ERROR = -32000,
	TR_RPC_SERVER_ERROR_MIN = -32099,
};

/* tr_rpc_strerror: the spec's message for one of its codes ("Parse
 * error", "Invalid Request", ...), "Server error" for the server range,
 * "Unknown error" otherwise. Never NULL. */
const char *tr_rpc_strerror(int code);

/*
 * A parsed request. Everything points into `root`, the message's tree,
 * which the request owns until tr_rpc_request_free().
 */
struct tr_rpc_request {
	struct tr_json *root;
	const char *method; /* NUL-terminated, holds no NUL */
	size_t method_len;
	/* an object or an array; NULL if absent */
	const struct tr_json *params;
	/* a string, an integer or null; NULL if absent: a notification */
	const struct tr_json *id;
};

/* Why a message is not a valid request, and how to answer it. */
struct tr_rpc_error {
	/* TR_RPC_PARSE_ERROR, _INVALID_REQUEST or _INTERNAL_ERROR */
	int code;
	/* The id could be recovered: the reply carries id, which points
	 * into the request's tree. Otherwise id is NULL and the reply's id
	 * is null, as the spec says. */
	bool has_id;
	const struct tr_json *id;
	char message[160];
};

/*
 * tr_rpc_parse_request: parse one message, line[0..len) (no NUL needed),
 * and check that it is a request: an object with "jsonrpc": "2.0", a
 * string "method" (without NUL bytes), "params" absent or an object or an
 * array, and "id" absent (a notification), a string, an integer or null.
 * None of these four members may appear twice; other members are ignored.
 *
 * lim: as for tr_json_parse (NULL: defaults). Returns 0, or the negative
 * TR_E* code of the failure with *err filled: TR_RPC_PARSE_ERROR for
 * anything tr_json_parse refuses (the message says where and why),
 * TR_RPC_INVALID_REQUEST for a well-formed message that is not a valid
 * request (also a batch), TR_RPC_INTERNAL_ERROR when memory ran out.
 *
 * Either way *req must be released with tr_rpc_request_free(), and only
 * after the error reply is written, since err->id points into req's
 * tree. Every failed parse deserves an error reply, even for a message
 * without an id: the spec answers those with id null.
 */
int tr_rpc_parse_request(const char *line, size_t len,
			 const struct tr_json_limits *lim,
			 struct tr_rpc_request *req, struct tr_rpc_error *err);

/* tr_rpc_request_free: release req's tree; req is then all NULL. */
void tr_rpc_request_free(struct tr_rpc_request *req);

/* tr_rpc_is_notification: a request without id, which gets no reply. */
static inline bool
tr_rpc_is_notification(const struct tr_rpc_request *req)
{
	return !req->id;
}

/*
 * Replies and notifications, written with a struct tr_jw set up once by
 * tr_jw_init(w, buf). Each tr_rpc_begin_* starts a new message at the end
 * of w->buf (resetting w's nesting and sticky error, so a failed message
 * does not poison the next one) and leaves w where the caller writes the
 * rest with tr_jw_*; tr_rpc_end() then closes whatever is still open,
 * appends '\n' and returns w's sticky error. On failure tr_rpc_end cuts
 * w->buf back to where the message began, so the buffer never holds half
 * a message.
 *
 * An id (NULL: null) is written as received: a string, an integer in its
 * exact form, or null.
 */

/* {"jsonrpc":"2.0","id":ID,"result": -- then the caller writes the result
 * value (if it writes none, tr_rpc_end writes null). */
int tr_rpc_begin_result(struct tr_jw *w, const struct tr_json *id);

/* {"jsonrpc":"2.0","id":ID,"error":{"code":CODE,"message":MESSAGE --
 * inside the error object, where the caller may add tr_jw_key(w, "data")
 * and a value. message NULL: tr_rpc_strerror(code). */
int tr_rpc_begin_error(struct tr_jw *w, const struct tr_json *id, int code,
		       const char *message);

/* {"jsonrpc":"2.0","method":METHOD,"params": -- then the caller writes
 * the params, an object or an array (the spec allows nothing else). */
int tr_rpc_begin_notification(struct tr_jw *w, const char *method);

/* tr_rpc_end: close the message, as said above. */
int tr_rpc_end(struct tr_jw *w);

/* tr_rpc_write_error: one whole error reply appended to buf. data, if not
 * NULL, is NUL-terminated JSON text of one value, written unchecked as
 * the error's "data". 0 or -TR_ENOMEM (buf unchanged then). */
int tr_rpc_write_error(struct tr_buf *buf, const struct tr_json *id, int code,
		       const char *message, const char *data);

/*
 * Line framing of a byte stream. Bytes go in with tr_rpc_framer_feed() as
 * they are read; complete lines come out with tr_rpc_framer_next(),
 * without their '\n' and one '\r' before it (so CRLF works). Empty lines
 * are skipped.
 *
 * A line longer than max_line (not counting its "\n" or "\r\n") is not
 * kept: as soon as the framer sees it is too long it drops what it holds
 * of it and every byte up to and including its '\n', however long that
 * takes, and tr_rpc_framer_next() reports TR_RPC_FRAME_TOO_LONG in its
 * place, in order. The caller answers it with one error reply,
 * TR_RPC_INVALID_REQUEST "request too large" with id null, and the
 * connection goes on with the next line. So the framer never holds more
 * than max_line + 2 bytes of the line being received, plus the complete
 * lines fed and not yet taken.
 *
 * One framer per connection; not thread-safe.
 */
#define TR_RPC_DEFAULT_MAX_LINE (16u << 20)

/* What tr_rpc_framer_next() found. */
enum {
	TR_RPC_FRAME_NONE = 0,     /* no complete line yet: feed more */
	TR_RPC_FRAME_LINE = 1,     /* *line, *len: the next line */
	TR_RPC_FRAME_TOO_LONG = 2, /* a line over max_line was dropped */
};

struct tr_rpc_framer {
	char *buf;
	size_t start;     /* first byte not handed out yet */
	size_t tail;      /* start of the incomplete last line */
	size_t len, cap;
	size_t max_line;
	bool discarding;  /* in the rest of a line found too long */
};

/* tr_rpc_framer_init: an empty framer; max_line 0 means
 * TR_RPC_DEFAULT_MAX_LINE. Allocates nothing. */
void tr_rpc_framer_init(struct tr_rpc_framer *f, size_t max_line);

/* tr_rpc_framer_free: release its memory; f is then empty and usable. */
void tr_rpc_framer_free(struct tr_rpc_framer *f);

/* tr_rpc_framer_feed: append n bytes read from the peer. 0, or -TR_ENOMEM
 * when a line could not be buffered: that line is then dropped as if too
 * long (next() reports it), and the framer stays consistent. */
int tr_rpc_framer_feed(struct tr_rpc_framer *f, const void *data, size_t n);

/* tr_rpc_framer_next: the next event, as the enum above says. A line
 * points into the framer and stays valid until the next call of any
 * tr_rpc_framer_* function on f. */
int tr_rpc_framer_next(struct tr_rpc_framer *f, const char **line,
		       size_t *len);

#endif
