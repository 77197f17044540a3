/* rsp.c: the GDB Remote Serial Protocol's framing: packets, checksums, escapes, acks and the interrupt byte. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "rsp.h"

enum { ST_IDLE = 0, ST_DATA, ST_ESCAPE, ST_REPEAT, ST_CS1, ST_CS2 };

void
tr_rsp_reader_init(struct tr_rsp_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max ? max : TR_RSP_DEFAULT_MAX;
}

void
tr_rsp_reader_free(struct tr_rsp_reader *r)
{
	size_t max = r->max;

	free(r->in);
	free(r->pkt);
	tr_rsp_reader_init(r, max);
}

int
tr_rsp_feed(struct tr_rsp_reader *r, const void *data, size_t n)
{
	if (r->in_start == r->in_len)
		r->in_start = r->in_len = 0;
	if (r->in_cap - r->in_len < n) {
		size_t keep = r->in_len - r->in_start;
		size_t cap = r->in_cap ? r->in_cap : 4096;
		unsigned char *p;

		while (cap - keep < n)
			cap *= 2;
		if (r->in_start) {
			memmove(r->in, r->in + r->in_start, keep);
			r->in_len = keep;
			r->in_start = 0;
		}
		if (cap > r->in_cap) {
			if (!(p = realloc(r->in, cap)))
				return -TR_ENOMEM;
			r->in = p;
			r->in_cap = cap;
		}
	}
	memcpy(r->in + r->in_len, data, n);
	r->in_len += n;
	return 0;
}

/* One decoded byte of the packet, or the packet marked too long. */
static void
put(struct tr_rsp_reader *r, char c)
{
	if (r->overflow)
		return;
	if (r->pkt_len >= r->max) {
		r->overflow = true;
		return;
	}
	if (r->pkt_len + 1 >= r->pkt_cap) {
		size_t cap = r->pkt_cap ? r->pkt_cap * 2 : 256;
		char *p;

		if (cap > r->max + 1)
			cap = r->max + 1;
		if (!(p = realloc(r->pkt, cap))) {
			/* out of memory: the packet goes as too long */
			r->overflow = true;
			return;
		}
		r->pkt = p;
		r->pkt_cap = cap;
	}
	r->pkt[r->pkt_len++] = c;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
packet_start(struct tr_rsp_reader *r)
{
	r->state = ST_DATA;
	r->sum = 0;
	r->pkt_len = 0;
	r->overflow = false;
	r->bad = false;
}

int
tr_rsp_next(struct tr_rsp_reader *r, const char **pkt, size_t *len)
{
	while (r->in_start < r->in_len) {
		unsigned char c = r->in[r->in_start++];
		int h;

		switch (r->state) {
		case ST_IDLE:
			if (c == '$')
				packet_start(r);
			else if (c == '+')
				return TR_RSP_ACK;
			else if (c == '-')
				return TR_RSP_NAK;
			else if (c == 0x03)
				return TR_RSP_INTERRUPT;
			/* anything else between packets is noise */
			break;
		case ST_DATA:
			if (c == '#') {
				r->state = ST_CS1;
				break;
			}
			if (c == '$') {
				/* a packet cut short by a new one: the
				 * peer gave up on it, so do we */
				packet_start(r);
				break;
			}
			r->sum += c;
			if (c == '}')
				r->state = ST_ESCAPE;
			else if (c == '*' && r->pkt_len)
				r->state = ST_REPEAT;
			else if (c == '*')
				r->bad = true; /* nothing to repeat */
			else
				put(r, (char)c);
			break;
		case ST_ESCAPE:
			if (c == '#' || c == '$') {
				/* an escape cut by the frame */
				r->bad = true;
				r->state = c == '#' ? ST_CS1 : ST_DATA;
				if (c == '$')
					packet_start(r);
				break;
			}
			r->sum += c;
			put(r, (char)(c ^ 0x20));
			r->state = ST_DATA;
			break;
		case ST_REPEAT:
			if (c == '#' || c == '$' || c < 29 + 3) {
				/* a count is the byte minus 29, from ' '
				 * (3) up; '#' and '$' frame packets and
				 * cannot be counts */
				r->bad = true;
				if (c == '#') {
					r->state = ST_CS1;
					break;
				}
				if (c == '$') {
					packet_start(r);
					break;
				}
				r->sum += c;
				r->state = ST_DATA;
				break;
			}
			r->sum += c;
			{
				char prev = r->overflow ? 0
						: r->pkt[r->pkt_len - 1];

				for (int i = 0; i < c - 29; i++)
					put(r, prev);
			}
			r->state = ST_DATA;
			break;
		case ST_CS1:
			h = hexval(c);
			r->cs_bad = h < 0;
			r->cs = (uint8_t)((h < 0 ? 0 : h) << 4);
			r->state = ST_CS2;
			break;
		case ST_CS2:
			h = hexval(c);
			r->state = ST_IDLE;
			if (r->cs_bad || h < 0 || (uint8_t)(r->cs | h) != r->sum)
				return TR_RSP_BAD_CHECKSUM;
			if (r->overflow)
				return TR_RSP_TOO_LONG;
			if (r->bad)
				return TR_RSP_BAD_PACKET;
			/* put() keeps room for a NUL after the payload */
			if (r->pkt)
				r->pkt[r->pkt_len] = 0;
			*pkt = r->pkt ? r->pkt : "";
			*len = r->pkt_len;
			return TR_RSP_PACKET;
		}
	}
	return TR_RSP_NONE;
}

int
tr_rsp_put_packet(struct tr_buf *out, const void *payload, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = payload;
	size_t mark = out->len;
	uint8_t sum = 0;
	char tail[3];

	if (tr_buf_reserve(out, len + 4))
		return -TR_ENOMEM;
	if (tr_buf_append(out, "$", 1))
		goto oom;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '$' || c == '#' || c == '}' || c == '*') {
			char esc[2] = { '}', (char)(c ^ 0x20) };

			sum += (uint8_t)esc[0] + (uint8_t)esc[1];
			if (tr_buf_append(out, esc, 2))
				goto oom;
		} else {
			sum += c;
			if (tr_buf_append(out, &c, 1))
				goto oom;
		}
	}
	tail[0] = '#';
	tail[1] = hex[sum >> 4];
	tail[2] = hex[sum & 15];
	if (tr_buf_append(out, tail, 3))
		goto oom;
	return 0;
oom:
	out->len = mark;
	return -TR_ENOMEM;
}

void
tr_rsp_hex_encode(const void *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
}

int
tr_rsp_hex_decode(const char *in, size_t n, void *out)
{
	unsigned char *o = out;

	if (n % 2)
		return -TR_EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval((unsigned char)in[i]);
		int b = hexval((unsigned char)in[i + 1]);

		if (a < 0 || b < 0)
			return -TR_EINVAL;
		o[i / 2] = (unsigned char)(a << 4 | b);
	}
	return 0;
}

int
tr_rsp_hex_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n || n > 16)
		return -TR_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int h = hexval((unsigned char)s[i]);

		if (h < 0)
			return -TR_EINVAL;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return 0;
}
