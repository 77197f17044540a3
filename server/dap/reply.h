/* reply.h: a DAP connection's outgoing messages: responses and events. */
#ifndef TR_SERVER_DAP_REPLY_H
#define TR_SERVER_DAP_REPLY_H

#include <stdbool.h>

#include "dap/dap_int.h"

/*
 * A message is written into a buffer with a JSON writer: _begin writes
 * its envelope up to the "body" key, the caller writes the body (an
 * object), dap_send closes it and writes header and body to the client
 * under out_mu. Any thread of the connection; each with its own buffer.
 */
void dap_response_begin(struct dap *d, struct tr_jw *w, struct tr_buf *b,
			const struct dap_req *q);
void dap_event_begin(struct dap *d, struct tr_jw *w, struct tr_buf *b,
		     const char *event);
/* dap_send: 0, or -1 when the client is gone or memory ran out. */
int dap_send(struct dap *d, struct tr_jw *w, struct tr_buf *b);
/* dap_ok: a success with an empty body. */
int dap_ok(struct dap *d, const struct dap_req *q);
/* dap_fail: a failure response saying why (printf-style). */
int dap_fail(struct dap *d, const struct dap_req *q, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* dap_output: an output event of `category` ("stdout", "stderr",
 * "console", "important") carrying text[0, len). */
int dap_output(struct dap *d, const char *category, const char *text,
	       size_t len);
/* dap_event_simple: an event whose body is empty ("initialized",
 * "terminated"). */
int dap_event_simple(struct dap *d, const char *event);

#endif
