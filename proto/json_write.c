/* json_write.c: the streaming JSON writer: replies are appended to a tr_buf as they are written, with no tree in between. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "base/error.h"
#include "json_int.h"
#include "json_write.h"

enum {
	JW_OBJ = 1,   /* the level is an object (else an array) */
	JW_FIRST = 2, /* nothing written in it yet: no comma */
};

void
tr_jw_init(struct tr_jw *w, struct tr_buf *buf)
{
	w->buf = buf;
	w->err = 0;
	w->depth = 0;
	w->want_value = false;
	w->mark = buf->len;
}

int
tr_jw_error(const struct tr_jw *w)
{
	return w->err;
}

static int
jw_fail(struct tr_jw *w, int rc)
{
	if (!w->err)
		w->err = rc;
	return w->err;
}

static int
jw_put(struct tr_jw *w, const void *p, size_t n)
{
	int rc = tr_buf_append(w->buf, p, n);

	return rc ? jw_fail(w, rc) : 0;
}

static int
jw_putc(struct tr_jw *w, char c)
{
	struct tr_buf *b = w->buf;

	if (b->len == b->cap) {
		int rc = tr_buf_reserve(b, 1);

		if (rc)
			return jw_fail(w, rc);
	}
	b->data[b->len++] = c;
	return 0;
}

/* Whatever must come before a value at this point (a comma in an array),
 * and whether a value may come at all. */
static int
jw_pre_value(struct tr_jw *w)
{
	uint8_t *top;

	if (w->err)
		return w->err;
	if (!w->depth)
		return 0;
	top = &w->stack[w->depth - 1];
	if (*top & JW_OBJ) {
		if (!w->want_value)
			return jw_fail(w, -TR_EINVAL);
		w->want_value = false;
		return 0;
	}
	if (*top & JW_FIRST) {
		*top &= (uint8_t)~JW_FIRST;
		return 0;
	}
	return jw_putc(w, ',');
}

static const char hexdigits[] = "0123456789abcdef";

/* A JSON string of s[0..len), escaped as json_write.h says. Runs of bytes that
 * need no escape are copied whole. */
static int
jw_string(struct tr_jw *w, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	char esc[6];
	int rc;

	rc = tr_buf_reserve(w->buf, len + 2);
	if (rc)
		return jw_fail(w, rc);
	jw_putc(w, '"');
	while (i < len) {
		unsigned char c = u[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			n = c < 0x80 ? 1
				     : tr_json__utf8_len(u + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		/* c needs an escape: flush the run before it. */
		if (i > run && jw_put(w, s + run, i - run))
			return w->err;
		esc[0] = '\\';
		n = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			/* Other control characters, and bytes that are
			 * not valid UTF-8 (written as U+00XX). */
			memcpy(esc + 1, "u00", 3);
			esc[4] = hexdigits[c >> 4];
			esc[5] = hexdigits[c & 15];
			n = 6;
			break;
		}
		if (jw_put(w, esc, n))
			return w->err;
		run = ++i;
	}
	if (i > run && jw_put(w, s + run, i - run))
		return w->err;
	return jw_putc(w, '"');
}

static int
jw_begin(struct tr_jw *w, uint8_t kind, char c)
{
	if (jw_pre_value(w))
		return w->err;
	if (w->depth == TR_JW_MAX_DEPTH)
		return jw_fail(w, -TR_ERANGE);
	if (jw_putc(w, c))
		return w->err;
	w->stack[w->depth++] = kind | JW_FIRST;
	return 0;
}

static int
jw_end(struct tr_jw *w, uint8_t kind, char c)
{
	if (w->err)
		return w->err;
	if (!w->depth || (w->stack[w->depth - 1] & JW_OBJ) != kind ||
	    w->want_value)
		return jw_fail(w, -TR_EINVAL);
	if (jw_putc(w, c))
		return w->err;
	w->depth--;
	return 0;
}

int
tr_jw_obj_begin(struct tr_jw *w)
{
	return jw_begin(w, JW_OBJ, '{');
}

int
tr_jw_obj_end(struct tr_jw *w)
{
	return jw_end(w, JW_OBJ, '}');
}

int
tr_jw_arr_begin(struct tr_jw *w)
{
	return jw_begin(w, 0, '[');
}

int
tr_jw_arr_end(struct tr_jw *w)
{
	return jw_end(w, 0, ']');
}

int
tr_jw_end(struct tr_jw *w)
{
	if (w->err)
		return w->err;
	if (!w->depth)
		return jw_fail(w, -TR_EINVAL);
	if (w->stack[w->depth - 1] & JW_OBJ)
		return jw_end(w, JW_OBJ, '}');
	return jw_end(w, 0, ']');
}

int
tr_jw_keyn(struct tr_jw *w, const char *key, size_t len)
{
	uint8_t *top;

	if (w->err)
		return w->err;
	if (!w->depth || w->want_value)
		return jw_fail(w, -TR_EINVAL);
	top = &w->stack[w->depth - 1];
	if (!(*top & JW_OBJ))
		return jw_fail(w, -TR_EINVAL);
	if (*top & JW_FIRST)
		*top &= (uint8_t)~JW_FIRST;
	else if (jw_putc(w, ','))
		return w->err;
	if (jw_string(w, key, len) || jw_putc(w, ':'))
		return w->err;
	w->want_value = true;
	return 0;
}

int
tr_jw_key(struct tr_jw *w, const char *key)
{
	return tr_jw_keyn(w, key, strlen(key));
}

int
tr_jw_str(struct tr_jw *w, const char *s, size_t len)
{
	if (jw_pre_value(w))
		return w->err;
	return jw_string(w, s, len);
}

int
tr_jw_cstr(struct tr_jw *w, const char *s)
{
	return tr_jw_str(w, s, strlen(s));
}

/* Decimal digits of v, written backwards ending at end; the start. */
static char *
u64_digits(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

int
tr_jw_uint(struct tr_jw *w, uint64_t v)
{
	char tmp[24], *s;

	if (jw_pre_value(w))
		return w->err;
	s = u64_digits(v, tmp + sizeof(tmp));
	return jw_put(w, s, (size_t)(tmp + sizeof(tmp) - s));
}

int
tr_jw_int(struct tr_jw *w, int64_t v)
{
	char tmp[24], *s;

	if (jw_pre_value(w))
		return w->err;
	/* The magnitude as unsigned: -INT64_MIN does not fit int64_t. */
	s = u64_digits(v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
		       tmp + sizeof(tmp));
	if (v < 0)
		*--s = '-';
	return jw_put(w, s, (size_t)(tmp + sizeof(tmp) - s));
}

int
tr_jw_double(struct tr_jw *w, double v)
{
	const char *dp;
	char tmp[48], *s;
	size_t dplen;
	int prec, n = 0;

	if (!isfinite(v))
		return tr_jw_null(w);
	if (jw_pre_value(w))
		return w->err;
	/* 15 significant digits give the shortest text of every double
	 * that has one of 15 digits or fewer (all such decimals are 15-digit
	 * roundings of their double); the rest need 16 or 17. */
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* printf wrote the locale's decimal point: JSON wants '.'. */
	dp = tr_json__radix();
	dplen = strlen(dp);
	if ((dplen != 1 || *dp != '.') && (s = strstr(tmp, dp))) {
		*s = '.';
		memmove(s + 1, s + dplen, strlen(s + dplen) + 1);
		n -= (int)dplen - 1;
	}
	if (!strpbrk(tmp, ".e")) {
		memcpy(tmp + n, ".0", 3);
		n += 2;
	}
	return jw_put(w, tmp, (size_t)n);
}

int
tr_jw_bool(struct tr_jw *w, bool v)
{
	if (jw_pre_value(w))
		return w->err;
	return v ? jw_put(w, "true", 4) : jw_put(w, "false", 5);
}

int
tr_jw_null(struct tr_jw *w)
{
	if (jw_pre_value(w))
		return w->err;
	return jw_put(w, "null", 4);
}

int
tr_jw_raw(struct tr_jw *w, const char *json, size_t len)
{
	if (jw_pre_value(w))
		return w->err;
	return jw_put(w, json, len);
}

int
tr_jw_base64(struct tr_jw *w, const void *bytes, size_t len)
{
	struct tr_buf *b = w->buf;
	size_t n;
	int rc;

	if (jw_pre_value(w))
		return w->err;
	if (len > SIZE_MAX / 4 * 3 - 8)
		return jw_fail(w, -TR_ENOMEM);
	n = TR_BASE64_ENCODED_LEN(len);
	rc = tr_buf_reserve(b, n + 2);
	if (rc)
		return jw_fail(w, rc);
	b->data[b->len++] = '"';
	b->len += tr_base64_encode(bytes, len, b->data + b->len);
	b->data[b->len++] = '"';
	return 0;
}

static int
jw_scalar(struct tr_jw *w, const struct tr_json *v)
{
	switch (v->kind) {
	case TR_JSON_BOOL:
		return tr_jw_bool(w, v->u.b);
	case TR_JSON_NUMBER:
		if (v->flags & TR_JSON_INT64)
			return tr_jw_int(w, v->u.num.i);
		if (v->flags & TR_JSON_UINT64)
			return tr_jw_uint(w, v->u.num.u);
		return tr_jw_double(w, v->u.num.d);
	case TR_JSON_STRING:
		return tr_jw_str(w, v->u.str.s, v->u.str.len);
	default:
		return tr_jw_null(w);
	}
}

int
tr_jw_value(struct tr_jw *w, const struct tr_json *v)
{
	/* An explicit stack, bounded as the writer's own is (a container
	 * is pushed only after tr_jw_*_begin accepted it). */
	struct {
		const struct tr_json *v;
		size_t i;
	} st[TR_JW_MAX_DEPTH];
	unsigned sp = 0;

	if (!v)
		return tr_jw_null(w);
	for (;;) {
		if (v) {
			if (v->kind == TR_JSON_ARRAY ||
			    v->kind == TR_JSON_OBJECT) {
				if (v->kind == TR_JSON_ARRAY)
					tr_jw_arr_begin(w);
				else
					tr_jw_obj_begin(w);
				if (w->err)
					return w->err;
				st[sp].v = v;
				st[sp++].i = 0;
			} else if (jw_scalar(w, v)) {
				return w->err;
			}
			v = NULL;
		}
		if (!sp)
			return w->err;
		if (st[sp - 1].v->kind == TR_JSON_OBJECT) {
			const struct tr_json *o = st[sp - 1].v;

			if (st[sp - 1].i < o->u.obj.n) {
				const struct tr_json_member *m =
					&o->u.obj.members[st[sp - 1].i++];

				if (tr_jw_keyn(w, m->key, m->klen))
					return w->err;
				v = &m->val;
			} else if (tr_jw_obj_end(w)) {
				return w->err;
			} else {
				sp--;
			}
		} else {
			const struct tr_json *a = st[sp - 1].v;

			if (st[sp - 1].i < a->u.arr.n)
				v = &a->u.arr.items[st[sp - 1].i++];
			else if (tr_jw_arr_end(w))
				return w->err;
			else
				sp--;
		}
	}
}
