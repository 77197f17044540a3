/* buf.h: tr_buf, a growable byte buffer (replies, packets, requests are built in one). */
#ifndef TR_PROTO_BUF_H
#define TR_PROTO_BUF_H

#include <stddef.h>

/*
 * A growable byte buffer. The writer appends to one; the caller owns it
 * and sends data[0..len). data is NULL until something is appended.
 */
struct tr_buf {
	char *data;
	size_t len, cap;
};

void tr_buf_init(struct tr_buf *b);
/* tr_buf_free: release the memory; the buffer is then empty and usable. */
void tr_buf_free(struct tr_buf *b);
/* tr_buf_reset: empty the buffer, keeping its memory for the next use. */
void tr_buf_reset(struct tr_buf *b);
/* tr_buf_reserve: make room for n more bytes; -TR_ENOMEM. */
int tr_buf_reserve(struct tr_buf *b, size_t n);
/* tr_buf_append: append n bytes; -TR_ENOMEM. */
int tr_buf_append(struct tr_buf *b, const void *p, size_t n);

#endif
