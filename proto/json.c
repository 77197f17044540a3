/* json.c: the strict bounded JSON parser and the getters of its trees. */
#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "json.h"
#include "json_int.h"

/* --- the arena a tree lives in ------------------------------------- */

/*
 * A tree is a struct doc: the root node followed by a list of chunks that
 * every other node, array and string of the tree is carved from. Freeing
 * is then one walk over the chunks, never over the tree, so it cannot
 * recurse nor run out of stack however deep the tree is.
 */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct doc {
	struct chunk *chunks; /* the one being filled first */
	size_t next_cap;      /* size of the next ordinary chunk */
	struct tr_json root;
};

#define ARENA_MIN_CHUNK 1024
#define ARENA_MAX_CHUNK (1u << 20)
#define ARENA_ALIGN 8

static void *
arena_alloc(struct doc *d, size_t size)
{
	struct chunk *c = d->chunks, *nc;
	size_t cap;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (c && c->cap - c->used >= size) {
		void *p = (char *)c->data + c->used;

		c->used += size;
		return p;
	}
	/* A block bigger than a quarter of a chunk gets a chunk of its own,
	 * linked behind the current one so that what is left of the current
	 * one still serves the small nodes that follow. */
	if (size > d->next_cap / 4) {
		nc = malloc(sizeof(*nc) + size);
		if (!nc)
			return NULL;
		nc->used = nc->cap = size;
		if (c) {
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = NULL;
			d->chunks = nc;
		}
		return nc->data;
	}
	cap = d->next_cap;
	nc = malloc(sizeof(*nc) + cap);
	if (!nc)
		return NULL;
	nc->next = c;
	nc->cap = cap;
	nc->used = size;
	d->chunks = nc;
	if (d->next_cap < ARENA_MAX_CHUNK)
		d->next_cap *= 2;
	return nc->data;
}

static void
doc_free(struct doc *d)
{
	struct chunk *c, *next;

	for (c = d->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(d);
}

void
tr_json_free(struct tr_json *root)
{
	if (root)
		doc_free((struct doc *)((char *)root -
					offsetof(struct doc, root)));
}

/* --- UTF-8 ----------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if the
 * bytes there are not one: overlong forms, surrogates (U+D800..DFFF) and
 * code points above U+10FFFF are not valid (RFC 3629). The writer uses it
 * too (json_int.h). */
size_t
tr_json__utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		return n >= 3 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c < 0xf5) {
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		return n >= 4 && s[1] >= lo && s[1] <= hi &&
		       (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

static size_t
utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* --- the parser -------------------------------------------------------- */

/*
 * The parser is a loop over an explicit stack instead of recursive
 * descent, so that a hostile "[[[[..." costs heap bounded by max_depth,
 * never the thread's stack. Children of the open containers wait in
 * `slots` (one growable array for all levels); when a container closes
 * its children are copied into the arena at their final, exact size.
 */
struct frame {
	size_t base;     /* its first child in slots */
	const char *key; /* its own key in the enclosing object, or NULL */
	size_t klen;
	bool obj;
};

#define INLINE_SLOTS 32
#define INLINE_FRAMES 8

struct parser {
	const char *buf;
	size_t len, pos;
	struct tr_json_limits lim;
	struct doc *doc;
	size_t nvalues;
	struct tr_json_member *slots;
	size_t nslots, slotcap;
	struct frame *frames;
	unsigned depth;
	size_t framecap;
	const char *key; /* key of the next value of an object */
	size_t klen;
	struct tr_json_error *err;
	/* The stacks start here, so that a typical request costs no
	 * malloc for them (this is on every request's path). */
	struct tr_json_member slots_inline[INLINE_SLOTS];
	struct frame frames_inline[INLINE_FRAMES];
};

/* One of the parser's stacks, arr of *cap elements of size bytes (at
 * first the inline one), grown to hold at least one more and at most
 * limit elements: the new array, or NULL (arr is still valid then). */
static void *
grow_stack(void *arr, size_t *cap, size_t size, const void *inl,
	   size_t limit)
{
	size_t ncap = *cap * 2;
	void *n;

	if (ncap > limit)
		ncap = limit;
	if (ncap > SIZE_MAX / size)
		return NULL;
	if (arr == inl) {
		n = malloc(ncap * size);
		if (n)
			memcpy(n, arr, *cap * size);
	} else {
		n = realloc(arr, ncap * size);
	}
	if (n)
		*cap = ncap;
	return n;
}

static int
fail(struct parser *p, int rc, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		p->err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int
fail_nomem(struct parser *p)
{
	return fail(p, -TR_ENOMEM, p->pos, "out of memory");
}

static int
fail_end(struct parser *p)
{
	return fail(p, -TR_EINVAL, p->len, "unexpected end of input");
}

/* The byte at p->pos is not what the grammar allows there; expect, if
 * not NULL, says what would have been. */
static int
fail_char(struct parser *p, const char *expect)
{
	unsigned char c;
	char what[24];

	if (p->pos >= p->len)
		return fail_end(p);
	c = (unsigned char)p->buf[p->pos];
	if (c > 0x20 && c < 0x7f)
		snprintf(what, sizeof(what), "character '%c'", c);
	else
		snprintf(what, sizeof(what), "byte 0x%02x", c);
	if (expect)
		return fail(p, -TR_EINVAL, p->pos, "unexpected %s, expected %s",
			    what, expect);
	return fail(p, -TR_EINVAL, p->pos, "unexpected %s", what);
}

static void
skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->buf[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static bool
is_digit(const struct parser *p, size_t i)
{
	return i < p->len && p->buf[i] >= '0' && p->buf[i] <= '9';
}

static int
count_value(struct parser *p)
{
	if (++p->nvalues > p->lim.max_values)
		return fail(p, -TR_ERANGE, p->pos, "more than %zu values",
			    p->lim.max_values);
	return 0;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* The \u escape at p->pos (the backslash) and, for a high surrogate, the
 * low one that must follow; the code point in *cp. */
static int
parse_uescape(struct parser *p, uint32_t *cp)
{
	size_t at = p->pos;
	uint32_t lo;

	if (p->len - at < 6)
		return fail_end(p);
	if (hex4(p->buf + at + 2, cp))
		return fail(p, -TR_EINVAL, at, "invalid \\u escape");
	p->pos += 6;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(p, -TR_EINVAL, at, "lone surrogate \\u%04x", *cp);
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	/* A high surrogate: only the low half of its pair may follow. */
	if (p->len - p->pos < 6 || p->buf[p->pos] != '\\' ||
	    p->buf[p->pos + 1] != 'u' || hex4(p->buf + p->pos + 2, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return fail(p, -TR_EINVAL, at, "lone surrogate \\u%04x", *cp);
	p->pos += 6;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A byte that stands for itself in a string, ASCII only. */
static inline bool
is_plain(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The byte the escape \e stands for, -1 if e is not one of JSON's
 * escapes (\u aside). */
static int
simple_escape(char e)
{
	switch (e) {
	case '"':
	case '\\':
	case '/':
		return e;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

/* The escape at p->pos (its backslash) is not one. */
static int
fail_escape(struct parser *p)
{
	unsigned char e = (unsigned char)p->buf[p->pos + 1];

	if (e > 0x20 && e < 0x7f)
		return fail(p, -TR_EINVAL, p->pos, "invalid escape '\\%c'", e);
	return fail(p, -TR_EINVAL, p->pos, "invalid escape (byte 0x%02x)", e);
}

/*
 * The string at p->pos (its opening quote): decoded into the arena,
 * NUL-terminated. A first scan finds the closing quote to size the copy
 * (decoding only ever shrinks the text); without one the decoding still
 * runs, writing nothing, so that the error reported is the first one in
 * the string rather than its missing end.
 */
static int
parse_string(struct parser *p, const char **out, size_t *outlen)
{
	size_t start = p->pos, q, o = 0;
	char *dst = NULL;
	int rc;

	q = ++p->pos;
	while (q < p->len && p->buf[q] != '"')
		q += p->buf[q] == '\\' ? 2 : 1;
	if (q < p->len) {
		dst = arena_alloc(p->doc, q - p->pos + 1);
		if (!dst)
			return fail_nomem(p);
	}
	while (p->pos < p->len) {
		unsigned char c;
		char tmp[4];
		const char *put = tmp;
		size_t n = p->pos;
		uint32_t cp;

		/* Most strings are mostly plain ASCII: runs of it are copied
		 * at once. */
		while (n < p->len && is_plain(p->buf[n]))
			n++;
		if (n > p->pos) {
			if (dst)
				memcpy(dst + o, p->buf + p->pos, n - p->pos);
			o += n - p->pos;
			p->pos = n;
			continue;
		}
		c = (unsigned char)p->buf[p->pos];
		n = 1;
		if (c == '"') {
			p->pos++;
			if (o > p->lim.max_string)
				return fail(p, -TR_ERANGE, start,
					    "string longer than %zu bytes",
					    p->lim.max_string);
			if (!dst)
				break; /* cannot be: the scan saw no quote */
			dst[o] = '\0';
			*out = dst;
			*outlen = o;
			return 0;
		}
		if (c == '\\') {
			if (p->pos + 1 >= p->len)
				return fail_end(p);
			if (p->buf[p->pos + 1] == 'u') {
				rc = parse_uescape(p, &cp);
				if (rc)
					return rc;
				n = utf8_put(tmp, cp);
			} else {
				int e = simple_escape(p->buf[p->pos + 1]);

				if (e < 0)
					return fail_escape(p);
				tmp[0] = (char)e;
				p->pos += 2;
			}
		} else if (c < 0x20) {
			return fail(p, -TR_EINVAL, p->pos,
				    "control character 0x%02x in string", c);
		} else {
			n = tr_json__utf8_len(
				(const unsigned char *)p->buf + p->pos,
				p->len - p->pos);
			if (!n)
				return fail(p, -TR_EINVAL, p->pos,
					    "invalid UTF-8 in string");
			put = p->buf + p->pos;
			p->pos += n;
		}
		if (dst)
			memcpy(dst + o, put, n);
		o += n;
	}
	return fail(p, -TR_EINVAL, p->len, "unexpected end of input in string");
}

static int
parse_literal(struct parser *p, const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, p->pos++)
		if (p->pos >= p->len || p->buf[p->pos] != word[i])
			return fail_char(p, NULL);
	return 0;
}

/* The decimal point of the current locale, which strtod and printf use:
 * a program embedding us may have called setlocale (the writer's doubles
 * need it too: json_int.h). nl_langinfo, unlike
 * localeconv, is thread-safe. */
const char *
tr_json__radix(void)
{
	const char *dp = nl_langinfo(RADIXCHAR);

	return dp && *dp ? dp : ".";
}

/* strtod of s[0..n), JSON number syntax whatever the locale. */
static double
c_strtod(const char *s, size_t n, int *errnum)
{
	const char *dp = tr_json__radix();
	size_t dplen = strlen(dp);
	char small[64], *copy = small, *o;
	double d;
	size_t i;

	if (n + dplen + 1 > sizeof(small)) {
		copy = malloc(n + dplen + 1);
		if (!copy) {
			*errnum = ENOMEM;
			return 0;
		}
	}
	for (i = 0, o = copy; i < n; i++) {
		if (s[i] == '.') {
			memcpy(o, dp, dplen);
			o += dplen;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	errno = 0;
	d = strtod(copy, NULL);
	*errnum = errno;
	if (copy != small)
		free(copy);
	return d;
}

static int
parse_number(struct parser *p, struct tr_json *v)
{
	size_t start = p->pos, int_start, int_end, i;
	bool neg = false, integer = true, ovf = false;
	uint64_t m = 0;
	int errnum;

	if (p->buf[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	int_start = p->pos;
	if (p->pos < p->len && p->buf[p->pos] == '0') {
		if (is_digit(p, p->pos + 1))
			return fail(p, -TR_EINVAL, p->pos,
				    "leading zero in number");
		p->pos++;
	} else if (!is_digit(p, p->pos)) {
		return fail_char(p, "a digit");
	}
	while (is_digit(p, p->pos))
		p->pos++;
	int_end = p->pos;
	if (p->pos < p->len && p->buf[p->pos] == '.') {
		integer = false;
		p->pos++;
		if (!is_digit(p, p->pos))
			return fail_char(p, "a digit");
		while (is_digit(p, p->pos))
			p->pos++;
	}
	if (p->pos < p->len &&
	    (p->buf[p->pos] == 'e' || p->buf[p->pos] == 'E')) {
		integer = false;
		p->pos++;
		if (p->pos < p->len &&
		    (p->buf[p->pos] == '+' || p->buf[p->pos] == '-'))
			p->pos++;
		if (!is_digit(p, p->pos))
			return fail_char(p, "a digit");
		while (is_digit(p, p->pos))
			p->pos++;
	}

	v->kind = TR_JSON_NUMBER;
	v->flags = 0;
	if (integer) {
		for (i = int_start; i < int_end; i++) {
			unsigned dg = (unsigned)(p->buf[i] - '0');

			if (m > (UINT64_MAX - dg) / 10) {
				ovf = true;
				break;
			}
			m = m * 10 + dg;
		}
		if (!ovf && neg && m <= (uint64_t)INT64_MAX + 1) {
			/* -(m - 1) - 1 stays in range for m = 2^63. "-0" is
			 * the integer 0 (its double keeps the sign). */
			v->u.num.i = m ? -(int64_t)(m - 1) - 1 : 0;
			v->flags = TR_JSON_INT64 | (m ? 0 : TR_JSON_UINT64);
			v->u.num.d = m ? (double)v->u.num.i : -0.0;
			return 0;
		}
		if (!ovf && !neg) {
			v->u.num.u = m;
			v->flags = TR_JSON_UINT64 |
				   (m <= INT64_MAX ? TR_JSON_INT64 : 0);
			v->u.num.d = (double)m;
			return 0;
		}
	}
	/* A fraction, an exponent or an integer beyond 64 bits: a double
	 * only, correctly rounded by strtod. */
	v->u.num.u = 0;
	v->u.num.d = c_strtod(p->buf + start, p->pos - start, &errnum);
	if (errnum == ENOMEM)
		return fail_nomem(p);
	if (errnum == ERANGE && isinf(v->u.num.d))
		return fail(p, -TR_ERANGE, start, "number out of range");
	return 0;
}

/* A scalar at p->pos (not end of input), into *v. */
static int
parse_scalar(struct parser *p, struct tr_json *v)
{
	int rc;

	switch (p->buf[p->pos]) {
	case '"':
		v->kind = TR_JSON_STRING;
		v->flags = 0;
		return parse_string(p, &v->u.str.s, &v->u.str.len);
	case 't':
	case 'f':
		v->kind = TR_JSON_BOOL;
		v->flags = 0;
		v->u.b = p->buf[p->pos] == 't';
		return v->u.b ? parse_literal(p, "true", 4)
			      : parse_literal(p, "false", 5);
	case 'n':
		rc = parse_literal(p, "null", 4);
		memset(v, 0, sizeof(*v));
		v->kind = TR_JSON_NULL;
		return rc;
	default:
		if (p->buf[p->pos] == '-' || is_digit(p, p->pos))
			return parse_number(p, v);
		return fail_char(p, NULL);
	}
}

/* An object's key at p->pos and the ':' after it: p->key. */
static int
parse_key(struct parser *p)
{
	int rc;

	skip_ws(p);
	if (p->pos >= p->len || p->buf[p->pos] != '"')
		return fail_char(p, "a string key");
	rc = parse_string(p, &p->key, &p->klen);
	if (rc)
		return rc;
	skip_ws(p);
	if (p->pos >= p->len || p->buf[p->pos] != ':')
		return fail_char(p, "':'");
	p->pos++;
	return 0;
}

/* Open the array or object whose bracket is at p->pos. */
static int
open_container(struct parser *p, bool obj)
{
	struct frame *f;

	if (p->depth >= p->lim.max_depth)
		return fail(p, -TR_ERANGE, p->pos, "nesting deeper than %u",
			    p->lim.max_depth);
	if (p->depth == p->framecap) {
		/* Never more frames than the limit lets be used. */
		f = grow_stack(p->frames, &p->framecap, sizeof(*f),
			       p->frames_inline, p->lim.max_depth);
		if (!f)
			return fail_nomem(p);
		p->frames = f;
	}
	f = &p->frames[p->depth++];
	f->base = p->nslots;
	f->key = p->key;
	f->klen = p->klen;
	f->obj = obj;
	p->key = NULL;
	p->pos++;
	return 0;
}

/* Close the innermost container: its node in *v, and p->key set back to
 * its own key so that it lands under it in its parent. */
static int
close_container(struct parser *p, struct tr_json *v)
{
	struct frame *f = &p->frames[--p->depth];
	size_t n = p->nslots - f->base, i;

	memset(v, 0, sizeof(*v));
	if (f->obj) {
		v->kind = TR_JSON_OBJECT;
		if (n) {
			v->u.obj.members = arena_alloc(p->doc,
					n * sizeof(*v->u.obj.members));
			if (!v->u.obj.members)
				return fail_nomem(p);
			memcpy(v->u.obj.members, p->slots + f->base,
			       n * sizeof(*v->u.obj.members));
		}
		v->u.obj.n = n;
	} else {
		v->kind = TR_JSON_ARRAY;
		if (n) {
			v->u.arr.items = arena_alloc(p->doc,
					n * sizeof(*v->u.arr.items));
			if (!v->u.arr.items)
				return fail_nomem(p);
			for (i = 0; i < n; i++)
				v->u.arr.items[i] = p->slots[f->base + i].val;
		}
		v->u.arr.n = n;
	}
	p->nslots = f->base;
	p->key = f->key;
	p->klen = f->klen;
	return 0;
}

/* A complete value joins the innermost open container. */
static int
push_value(struct parser *p, const struct tr_json *v)
{
	struct tr_json_member *m;

	if (p->nslots == p->slotcap) {
		/* Each slot holds a value count_value let in: the limit
		 * bounds them. */
		m = grow_stack(p->slots, &p->slotcap, sizeof(*m),
			       p->slots_inline, p->lim.max_values);
		if (!m)
			return fail_nomem(p);
		p->slots = m;
	}
	m = &p->slots[p->nslots++];
	m->key = p->key;
	m->klen = p->key ? p->klen : 0;
	m->val = *v;
	p->key = NULL;
	return 0;
}

static int
parse_doc(struct parser *p)
{
	struct tr_json v;
	struct frame *f;
	int rc;
	char c;

	for (;;) {
		/* A value is expected here. */
		skip_ws(p);
		if (p->pos >= p->len)
			return fail_end(p);
		rc = count_value(p);
		if (rc)
			return rc;
		c = p->buf[p->pos];
		if (c == '[' || c == '{') {
			rc = open_container(p, c == '{');
			if (rc)
				return rc;
			skip_ws(p);
			if (p->pos < p->len &&
			    p->buf[p->pos] == (c == '{' ? '}' : ']')) {
				p->pos++;
				rc = close_container(p, &v);
			} else if (c == '{') {
				rc = parse_key(p);
				if (rc)
					return rc;
				continue;
			} else {
				continue;
			}
		} else {
			rc = parse_scalar(p, &v);
		}
		if (rc)
			return rc;

		/* v is complete: place it and see what follows it, closing
		 * as many containers as the input closes. */
		for (;;) {
			if (p->depth == 0) {
				p->doc->root = v;
				skip_ws(p);
				if (p->pos < p->len)
					return fail_char(p, "end of input");
				return 0;
			}
			rc = push_value(p, &v);
			if (rc)
				return rc;
			f = &p->frames[p->depth - 1];
			skip_ws(p);
			if (p->pos < p->len && p->buf[p->pos] == ',') {
				p->pos++;
				if (f->obj) {
					rc = parse_key(p);
					if (rc)
						return rc;
				}
				break;
			}
			if (p->pos < p->len &&
			    p->buf[p->pos] == (f->obj ? '}' : ']')) {
				p->pos++;
				rc = close_container(p, &v);
				if (rc)
					return rc;
				continue;
			}
			return fail_char(p, f->obj ? "',' or '}'"
						    : "',' or ']'");
		}
	}
}

int
tr_json_parse(const char *buf, size_t len, const struct tr_json_limits *lim,
	      struct tr_json **out, struct tr_json_error *err)
{
	struct parser p;
	size_t cap;
	int rc;

	*out = NULL;
	/* Not an initializer: that would zero the inline stacks too. */
	memset(&p, 0, offsetof(struct parser, slots_inline));
	p.buf = buf;
	p.len = len;
	p.err = err;
	p.slots = p.slots_inline;
	p.slotcap = INLINE_SLOTS;
	p.frames = p.frames_inline;
	p.framecap = INLINE_FRAMES;
	if (err) {
		err->offset = 0;
		err->message[0] = '\0';
	}
	if (lim)
		p.lim = *lim;
	if (!p.lim.max_depth)
		p.lim.max_depth = TR_JSON_DEFAULT_MAX_DEPTH;
	if (!p.lim.max_values)
		p.lim.max_values = TR_JSON_DEFAULT_MAX_VALUES;
	if (!p.lim.max_string)
		p.lim.max_string = TR_JSON_DEFAULT_MAX_STRING;

	p.doc = malloc(sizeof(*p.doc));
	if (!p.doc)
		return fail_nomem(&p);
	p.doc->chunks = NULL;
	/* A tree takes a few times the size of its text: a first chunk of
	 * about that size holds a small request's tree whole. */
	cap = len < ARENA_MAX_CHUNK / 4 ? len * 4 : ARENA_MAX_CHUNK;
	p.doc->next_cap = cap < ARENA_MIN_CHUNK ? ARENA_MIN_CHUNK : cap;

	rc = parse_doc(&p);
	if (p.slots != p.slots_inline)
		free(p.slots);
	if (p.frames != p.frames_inline)
		free(p.frames);
	if (rc) {
		doc_free(p.doc);
		return rc;
	}
	*out = &p.doc->root;
	return 0;
}

/* --- getters ----------------------------------------------------------- */

const struct tr_json *
tr_json_getn(const struct tr_json *obj, const char *key, size_t klen)
{
	size_t i;

	if (!obj || obj->kind != TR_JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->u.obj.n; i++) {
		const struct tr_json_member *m = &obj->u.obj.members[i];

		if (m->klen == klen && !memcmp(m->key, key, klen))
			return &m->val;
	}
	return NULL;
}

const struct tr_json *
tr_json_get(const struct tr_json *obj, const char *key)
{
	return tr_json_getn(obj, key, strlen(key));
}

bool
tr_json_is_int(const struct tr_json *v)
{
	return v && v->kind == TR_JSON_NUMBER &&
	       (v->flags & (TR_JSON_INT64 | TR_JSON_UINT64));
}

int
tr_json_int64(const struct tr_json *v, int64_t *out)
{
	if (!tr_json_is_int(v))
		return -TR_EINVAL;
	if (!(v->flags & TR_JSON_INT64))
		return -TR_ERANGE;
	*out = v->u.num.i;
	return 0;
}

int
tr_json_uint64(const struct tr_json *v, uint64_t *out)
{
	if (!tr_json_is_int(v))
		return -TR_EINVAL;
	if (!(v->flags & TR_JSON_UINT64))
		return -TR_ERANGE;
	*out = v->u.num.u;
	return 0;
}

int
tr_json_double(const struct tr_json *v, double *out)
{
	if (!v || v->kind != TR_JSON_NUMBER)
		return -TR_EINVAL;
	*out = v->u.num.d;
	return 0;
}

int
tr_json_bool(const struct tr_json *v, bool *out)
{
	if (!v || v->kind != TR_JSON_BOOL)
		return -TR_EINVAL;
	*out = v->u.b;
	return 0;
}

const char *
tr_json_str(const struct tr_json *v, size_t *len)
{
	if (!v || v->kind != TR_JSON_STRING)
		return NULL;
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

size_t
tr_json_len(const struct tr_json *v)
{
	if (!v)
		return 0;
	if (v->kind == TR_JSON_ARRAY)
		return v->u.arr.n;
	if (v->kind == TR_JSON_OBJECT)
		return v->u.obj.n;
	return 0;
}

const struct tr_json *
tr_json_at(const struct tr_json *v, size_t i)
{
	if (!v || v->kind != TR_JSON_ARRAY || i >= v->u.arr.n)
		return NULL;
	return &v->u.arr.items[i];
}

const struct tr_json_member *
tr_json_member_at(const struct tr_json *v, size_t i)
{
	if (!v || v->kind != TR_JSON_OBJECT || i >= v->u.obj.n)
		return NULL;
	return &v->u.obj.members[i];
}
