/* buf.c: tr_buf, the growable byte buffer that replies, packets and requests are built in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "base/error.h"

void
tr_buf_init(struct tr_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
tr_buf_free(struct tr_buf *b)
{
	free(b->data);
	tr_buf_init(b);
}

void
tr_buf_reset(struct tr_buf *b)
{
	b->len = 0;
}

int
tr_buf_reserve(struct tr_buf *b, size_t n)
{
	size_t need, ncap;
	char *d;

	if (b->cap - b->len >= n)
		return 0;
	if (n > SIZE_MAX - b->len)
		return -TR_ENOMEM;
	need = b->len + n;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	d = realloc(b->data, ncap);
	if (!d)
		return -TR_ENOMEM;
	b->data = d;
	b->cap = ncap;
	return 0;
}

int
tr_buf_append(struct tr_buf *b, const void *p, size_t n)
{
	int rc = tr_buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}
