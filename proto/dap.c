/* dap.c: the Debug Adapter Protocol's framing (see dap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "dap.h"

void
tr_dap_reader_init(struct tr_dap_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max ? max : TR_DAP_DEFAULT_MAX;
}

void
tr_dap_reader_free(struct tr_dap_reader *r)
{
	free(r->in);
	memset(r, 0, sizeof(*r));
}

/* Put back the byte a body's NUL terminator replaced. */
static void
unhold(struct tr_dap_reader *r)
{
	if (r->held) {
		r->in[r->held_pos] = r->held_char;
		r->held = false;
	}
}

int
tr_dap_feed(struct tr_dap_reader *r, const void *data, size_t n)
{
	const char *p = data;

	unhold(r);
	/* the rest of a body being dropped never reaches the buffer */
	if (r->skip) {
		size_t k = n < r->skip ? n : r->skip;

		r->skip -= k;
		p += k;
		n -= k;
	}
	if (!n)
		return 0;
	if (r->start && r->start + r->len + n + 1 > r->cap) {
		memmove(r->in, r->in + r->start, r->len);
		r->start = 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 65536;
		char *q;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (!(q = realloc(r->in, cap)))
			return -TR_ENOMEM;
		r->in = q;
		r->cap = cap;
	}
	memcpy(r->in + r->start + r->len, p, n);
	r->len += n;
	return 0;
}

/* The value of the Content-Length field in header h[0, n) (ending with
 * the empty line), or -1 when the header is malformed. */
static long long
content_length(const char *h, size_t n)
{
	long long len = -1;
	const char *end = h + n;

	while (h < end) {
		const char *eol = memchr(h, '\r', (size_t)(end - h));
		const char *colon;

		if (!eol || eol + 1 >= end || eol[1] != '\n')
			return -1;
		if (eol == h)
			break; /* the empty line */
		colon = memchr(h, ':', (size_t)(eol - h));
		if (!colon || colon == h)
			return -1;
		if (colon - h == 14 && !strncasecmp(h, "Content-Length", 14)) {
			const char *v = colon + 1;
			long long x = 0;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v == eol || len >= 0)
				return -1; /* empty, or given twice */
			for (; v < eol && *v >= '0' && *v <= '9'; v++) {
				x = x * 10 + (*v - '0');
				if (x > (1ll << 40))
					return -1;
			}
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v != eol)
				return -1;
			len = x;
		}
		h = eol + 2;
	}
	return len;
}

int
tr_dap_next(struct tr_dap_reader *r, const char **body, size_t *blen)
{
	const char *p, *hend = NULL;
	size_t hlen;
	long long n;

	unhold(r);
	if (r->bad)
		return TR_DAP_BAD;
	if (r->skip || !r->len)
		return TR_DAP_NONE;
	p = r->in + r->start;
	/* the header ends at the first empty line */
	for (size_t i = 0; i + 3 < r->len && i < TR_DAP_MAX_HEADER; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n') {
			hend = p + i + 4;
			break;
		}
	if (!hend) {
		if (r->len >= TR_DAP_MAX_HEADER + 3) {
			r->bad = true;
			return TR_DAP_BAD;
		}
		return TR_DAP_NONE;
	}
	hlen = (size_t)(hend - p);
	if ((n = content_length(p, hlen)) < 0) {
		r->bad = true;
		return TR_DAP_BAD;
	}
	if ((unsigned long long)n > r->max) {
		size_t have = r->len - hlen;

		if (have >= (size_t)n) {
			r->start += hlen + (size_t)n;
			r->len -= hlen + (size_t)n;
		} else {
			r->skip = (size_t)n - have;
			r->start = r->len = 0;
		}
		return TR_DAP_TOO_LONG;
	}
	if (r->len - hlen < (size_t)n)
		return TR_DAP_NONE;
	*body = hend;
	*blen = (size_t)n;
	r->start += hlen + (size_t)n;
	r->len -= hlen + (size_t)n;
	/* NUL-terminate the body in place: the byte after it (the next
	 * message's first, or the spare byte feed keeps) is saved and put
	 * back at the next call */
	r->held = true;
	r->held_pos = r->start;
	r->held_char = r->in[r->start];
	r->in[r->start] = 0;
	return TR_DAP_MESSAGE;
}

size_t
tr_dap_header(size_t len, char *out)
{
	return (size_t)sprintf(out, "Content-Length: %zu\r\n\r\n", len);
}
