/* dap.h: the Debug Adapter Protocol's framing: Content-Length headers in front of JSON bodies. */
#ifndef TR_PROTO_DAP_H
#define TR_PROTO_DAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The Debug Adapter Protocol's base protocol
 * (https://microsoft.github.io/debug-adapter-protocol/overview, "Base
 * Protocol"): a message is a header of `Name: value` fields, each ended
 * by CRLF, then an empty line (CRLF), then a body of exactly
 * Content-Length bytes, a JSON object in UTF-8. Content-Length is the
 * only field required; others (Content-Type) are skipped.
 *
 * The reader cuts a byte stream into bodies. A header that is not
 * `Name: value` lines, lacks Content-Length, or names a length that is
 * not a decimal number is BAD: the stream cannot be trusted to be in
 * step after it, and the caller hangs up. A body longer than max is
 * TOO_LONG: it is skipped as it comes (the stream stays in step) and the
 * caller answers with an error. One reader per connection; not
 * thread-safe.
 */

/* What tr_dap_next() found. Append-only. */
enum {
	TR_DAP_NONE = 0,     /* nothing complete yet: feed more */
	TR_DAP_MESSAGE = 1,  /* a body */
	TR_DAP_BAD = 2,      /* a malformed header: hang up */
	TR_DAP_TOO_LONG = 3, /* a body over max, being skipped */
};

#define TR_DAP_DEFAULT_MAX (64u << 20)
#define TR_DAP_MAX_HEADER 4096

struct tr_dap_reader {
	char *in;
	size_t start, len, cap; /* in[start, start + len) not consumed */
	size_t max;
	size_t skip;            /* bytes of a TOO_LONG body still to drop */
	bool bad;
	bool held;              /* in[held_pos] is a body's NUL for now */
	size_t held_pos;
	char held_char;
};

/* tr_dap_reader_init: an empty reader; bodies over max bytes (0:
 * TR_DAP_DEFAULT_MAX) are TOO_LONG. */
void tr_dap_reader_init(struct tr_dap_reader *r, size_t max);
void tr_dap_reader_free(struct tr_dap_reader *r);
/* tr_dap_feed: append n bytes received. 0 or -TR_ENOMEM. */
int tr_dap_feed(struct tr_dap_reader *r, const void *data, size_t n);
/* tr_dap_next: the next message. For TR_DAP_MESSAGE, *body / *len are
 * the body (NUL-terminated too), valid until the next call on r. After
 * TR_DAP_BAD every call answers TR_DAP_BAD. */
int tr_dap_next(struct tr_dap_reader *r, const char **body, size_t *len);
/* tr_dap_header: the header of a body of len bytes into out (at least 40
 * bytes); its length. */
size_t tr_dap_header(size_t len, char *out);

#endif
