/* value.c: typed values of the target, and printing them the way gdb's print does. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/value.h"

#define MAX_DEPTH 16
#define DEFAULT_PRINT_MAX 200
#define DEFAULT_REPEATS 10

int
tr_value_alloc(struct tr_value *v, size_t size)
{
	v->heap = NULL;
	v->size = 0;
	if (size > sizeof(v->inline_buf)) {
		v->heap = calloc(1, size);
		if (!v->heap)
			return -TR_ENOMEM;
	} else {
		memset(v->inline_buf, 0, sizeof(v->inline_buf));
	}
	v->size = size;
	return 0;
}

void
tr_value_release(struct tr_value *v)
{
	free(v->heap);
	v->heap = NULL;
	v->size = 0;
}

/* ---- an output buffer that remembers it was cut ---------------------- */

struct out {
	char *buf;
	size_t len, n;
	bool cut;
	const struct tr_print_env *env;
	unsigned print_max, repeats;
	char fmt;      /* print/FMT: 0, or a letter of tr_value_format_check */
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->cut)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= o->len - o->n) {
		o->cut = true;
		o->n = o->len - 1;
		return;
	}
	o->n += (size_t)k;
}

static int64_t
sext(uint64_t v, size_t size)
{
	if (size >= 8 || size == 0)
		return (int64_t)v;
	return (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
}

static uint64_t
get_u(const uint8_t *b, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, b, size < 8 ? size : 8);
	return v;
}

/* One character inside quotes, escaped as gdb does. */
static void
put_char_body(struct out *o, unsigned c, char quote)
{
	/* gdb reads \e but prints ESC as \033 */
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char name[] = "abfnrtv";
	const char *p = c ? memchr(esc, (int)c, sizeof(esc) - 1) : NULL;

	if (c == (unsigned char)quote || c == '\\')
		put(o, "\\%c", c);
	else if (p)
		put(o, "\\%c", name[p - esc]);
	else if (c >= 0x20 && c < 0x7f)
		put(o, "%c", c);
	else
		put(o, "\\%03o", c & 0xff);
}

static void
put_char(struct out *o, int64_t v, unsigned c)
{
	put(o, "%" PRId64 " '", v);
	put_char_body(o, c, '\'');
	put(o, "'");
}

static bool
is_char(const struct tr_type *t)
{
	t = tr_type_strip(t);
	return t->kind == TR_TYPE_BASE && t->size == 1 &&
	       (t->encoding == TR_ENC_SIGNED_CHAR ||
		t->encoding == TR_ENC_UNSIGNED_CHAR);
}

/*
 * The quote prefix of a wide character type as gdb knows one (its
 * c_textual_element_type): a typedef named wchar_t, char16_t or char32_t
 * in t's chain of typedefs and qualifiers gives 'L', 'u', 'U'; 0 for
 * any other type.
 */
static char
wide_kind(const struct tr_type *t)
{
	for (int i = 0; t && i < 32; i++) {
		if (t->kind == TR_TYPE_TYPEDEF && t->name) {
			if (!strcmp(t->name, "wchar_t"))
				return 'L';
			if (!strcmp(t->name, "char16_t"))
				return 'u';
			if (!strcmp(t->name, "char32_t"))
				return 'U';
		}
		if (t->kind != TR_TYPE_TYPEDEF && t->kind != TR_TYPE_CONST &&
		    t->kind != TR_TYPE_VOLATILE)
			break;
		t = t->target;
	}
	return 0;
}

/* A character of a text type (char, or wide with es 2 or 4) in quotes:
 * as a char up to 0x7f, octal up to 0xff, hex above (gdb with a host
 * charset of ASCII, which is what a daemon without a locale has). */
static void
put_text_body(struct out *o, uint32_t c, char quote)
{
	if (c < 0x80)
		put_char_body(o, c, quote);
	else if (c < 0x100)
		put(o, "\\%03o", c);
	else
		put(o, "\\x%x", c);
}

/* Whether the pointer prints without its type, as gdb's c_value_print
 * does for a pointer (not a typedef of one) to char, wchar_t, char16_t
 * or char32_t, qualifiers aside. */
static bool
text_pointee_named(const struct tr_type *p)
{
	while (p && (p->kind == TR_TYPE_CONST || p->kind == TR_TYPE_VOLATILE))
		p = p->target;
	return p && p->name && (p->kind == TR_TYPE_BASE ||
				p->kind == TR_TYPE_TYPEDEF) &&
	       (!strcmp(p->name, "char") || !strcmp(p->name, "wchar_t") ||
		!strcmp(p->name, "char16_t") || !strcmp(p->name, "char32_t"));
}

/* gdb 13 prints floats with %g and 1 + ceil(p * log10(2)) digits for a
 * mantissa of p bits (gdb's floatformat_printf_format): 9 for float
 * (1.10000002), 17 for double (0.10000000000000001), 21 for the x87
 * 80-bit format (0.333333333333333333342). */
/* bfloat16 and IEEE half (the vector registers' unions), with the
 * digits gdb gives their formats: 2 + floor(mantissa bits * log10 2) */
static void
put_half(struct out *o, const uint8_t *b, bool bf16)
{
	uint16_t h;
	float f;

	memcpy(&h, b, 2);
	if (bf16) {
		uint32_t u = (uint32_t)h << 16;

		memcpy(&f, &u, 4);
	} else {
		unsigned ex = h >> 10 & 0x1f, man = h & 0x3ff;

		if (ex == 0)
			f = ldexpf((float)man, -24);
		else if (ex == 31)
			f = man ? NAN : INFINITY;
		else
			f = ldexpf((float)(man | 0x400), (int)ex - 25);
		if (h & 0x8000)
			f = -f;
	}
	put(o, "%.*g", bf16 ? 4 : 5, (double)f);
}

/* $eflags and $mxcsr as gdb's flags types: "[ PF ZF IF ]" */
static void
put_flags(struct out *o, uint64_t v, bool eflags)
{
	static const char *const ef[22] = {
		"CF", NULL, "PF", NULL, "AF", NULL, "ZF", "SF", "TF", "IF",
		"DF", "OF", NULL, NULL, "NT", NULL, "RF", "VM", "AC", "VIF",
		"VIP", "ID",
	};
	static const char *const mx[16] = {
		"IE", "DE", "ZE", "OE", "UE", "PE", "DAZ", "IM", "DM", "ZM",
		"OM", "UM", "PM", NULL, NULL, "FZ",
	};
	const char *const *names = eflags ? ef : mx;
	unsigned n = eflags ? 22 : 16;

	put(o, "[ ");
	for (unsigned i = 0; i < n; i++)
		if (names[i] && (v >> i & 1))
			put(o, "%s ", names[i]);
	put(o, "]");
}

/* a 128-bit integer in decimal */
static void
put_u128_dec(struct out *o, const uint8_t *b, bool is_signed)
{
	unsigned __int128 u;
	char d[48];
	size_t n = sizeof(d);
	bool neg = false;

	memcpy(&u, b, 16);
	if (is_signed && (u >> 127)) {
		neg = true;
		u = -u;
	}
	d[--n] = 0;
	do {
		d[--n] = (char)('0' + (unsigned)(u % 10));
		u /= 10;
	} while (u);
	put(o, "%s%s", neg ? "-" : "", d + n);
}

static void
put_float(struct out *o, const uint8_t *b, size_t size)
{
	char tmp[64];
	long double x;
	int prec;

	if (size == 4) {
		float f;

		memcpy(&f, b, 4);
		x = f;
		prec = 9;
		if (isnan(f)) {
			uint32_t u;

			memcpy(&u, b, 4);
			put(o, "%snan(%#x)", (u >> 31) ? "-" : "", u & 0x7fffff);
			return;
		}
	} else if (size == 8) {
		double d;

		memcpy(&d, b, 8);
		x = d;
		prec = 17;
		if (isnan(d)) {
			uint64_t u;

			memcpy(&u, b, 8);
			put(o, "%snan(0x%" PRIx64 ")", (u >> 63) ? "-" : "",
			    u & 0xfffffffffffffull);
			return;
		}
	} else {
		uint64_t man;
		uint16_t se;

		x = 0;
		memcpy(&x, b, 10);
		prec = 21;
		if (isnan(x)) {
			/* as gdb: the 64-bit mantissa, explicit bit included */
			memcpy(&man, b, 8);
			memcpy(&se, b + 8, 2);
			put(o, "%snan(0x%" PRIx64 ")", (se >> 15) ? "-" : "",
			    man);
			return;
		}
	}
	if (isinf(x)) {
		put(o, x < 0 ? "-inf" : "inf");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*Lg", prec, x);
	put(o, "%s", tmp);
}


/* ---- print/FMT ---------------------------------------------------------- */

int
tr_value_format_check(char f, char *msg, size_t len)
{
	if (f && strchr("xduotacfszr", f))
		return 0;
	if (f && strchr("bhwg", f))
		snprintf(msg, len, "Size letters are meaningless in \"print\" "
			 "command.");
	else if (f == 'i')
		snprintf(msg, len, "Format letter \"i\" is meaningless in "
			 "\"print\" command.");
	else
		snprintf(msg, len, "Undefined output format \"%c\".", f);
	return -TR_EINVAL;
}

typedef unsigned __int128 u128;

static u128
get_u128(const uint8_t *b, size_t size)
{
	u128 v = 0;

	memcpy(&v, b, size < 16 ? size : 16);
	return v;
}

static void
put_u128(struct out *o, u128 v, unsigned base, unsigned width)
{
	char tmp[132];
	size_t n = sizeof(tmp) - 1;

	tmp[n] = 0;
	do {
		tmp[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v || sizeof(tmp) - 1 - n < width);
	put(o, "%s", tmp + n);
}

static void put_symbol(struct out *o, uint64_t addr);

/*
 * A scalar of type s (stripped, `size` bytes at b) in format o->fmt, as
 * gdb 13's print_scalar_formatted does: x z o t d u show the bits at the
 * type's width (a double's too: print/x 1.5 is 0x3ff8000000000000), c
 * and a take the value as an integer (print/c 1.5 is 1 '\001'), f reads
 * 4- and 8-byte integers as float and double.
 */
static void
put_formatted(struct out *o, const struct tr_type *s, const uint8_t *b,
	      size_t size)
{
	bool is_fl = s->kind == TR_TYPE_BASE && s->encoding == TR_ENC_FLOAT;
	bool sign = !is_fl && s->kind != TR_TYPE_POINTER &&
		    tr_type_is_signed(s);
	unsigned bits = (unsigned)(size > 16 ? 128 : size * 8);
	u128 raw = get_u128(b, size), mask;
	long double x = 0;

	if (size > 16)
		size = 16;
	mask = bits >= 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	raw &= mask;
	if (is_fl) {
		float f;
		double d;

		if (size == 4) {
			memcpy(&f, b, 4);
			x = f;
		} else if (size == 8) {
			memcpy(&d, b, 8);
			x = d;
		} else {
			memcpy(&x, b, 10);
		}
	}
	switch (o->fmt) {
	case 'x':
		put(o, "0x");
		put_u128(o, raw, 16, 1);
		return;
	case 'z':
		put(o, "0x");
		put_u128(o, raw, 16, bits / 4);
		return;
	case 'o':
		if (raw)
			put(o, "0");
		put_u128(o, raw, 8, 1);
		return;
	case 't':
		put_u128(o, raw, 2, 1);
		return;
	case 'u':
		put_u128(o, raw, 10, 1);
		return;
	case 'd': {
		/* the bits as a signed number of the type's width */
		bool neg = bits && (raw >> (bits - 1)) & 1;

		if (neg) {
			put(o, "-");
			put_u128(o, (~raw + 1) & mask, 10, 1);
		} else {
			put_u128(o, raw, 10, 1);
		}
		return;
	}
	case 'c': {
		int64_t v = is_fl ? (int64_t)x : (int64_t)(uint64_t)raw;
		unsigned c = (unsigned)(v & 0xff);

		put_char(o, sign || is_fl ? (int64_t)(int8_t)c : (int64_t)c, c);
		return;
	}
	case 'a': {
		uint64_t a = is_fl ? (uint64_t)(int64_t)x : (uint64_t)raw;

		put(o, "0x%" PRIx64, a);
		put_symbol(o, a);
		return;
	}
	case 'f':
		if (is_fl) {
			put_float(o, b, size);
		} else if (size == 4 || size == 8) {
			put_float(o, b, size);
		} else if (sign && bits && (raw >> (bits - 1)) & 1) {
			put(o, "-");
			put_u128(o, (~raw + 1) & mask, 10, 1);
		} else {
			put_u128(o, raw, 10, 1);
		}
		return;
	}
}

static void put_value(struct out *o, const struct tr_type *t,
		      const uint8_t *b, size_t avail, uint64_t addr,
		      bool have_addr, int depth, bool scalar_only);

/* A string in target memory, quoted; print_max characters at most, of
 * es bytes each (1, or 2 and 4 for wide ones, whose quotes take the
 * prefix `wide`). */
static void
put_string_at(struct out *o, uint64_t addr, size_t es, char wide)
{
	unsigned max = o->print_max;
	uint8_t chunk[64];
	unsigned n = 0;
	bool open = false, done = false;
	const char *pre = wide == 'L' ? "L" : wide == 'u' ? "u"
			: wide == 'U' ? "U" : "";

	while (!done && n < max) {
		size_t want = sizeof(chunk);
		uint64_t at = addr + (uint64_t)n * es;

		if (o->env->read(o->env->ctx, at, chunk, want) < 0) {
			/* near the end of a mapping: one by one */
			want = 0;
			while (want + es <= sizeof(chunk) &&
			       o->env->read(o->env->ctx, at + want,
					    &chunk[want], es) == 0)
				want += es;
			if (!want) {
				if (!open)
					put(o, " <error: Cannot access memory at "
					    "address 0x%" PRIx64 ">", at);
				else
					put(o, "\"");
				return;
			}
		}
		for (size_t i = 0; i + es <= want && n < max; i += es, n++) {
			uint32_t c = (uint32_t)get_u(chunk + i, es);

			if (!c) {
				done = true;
				break;
			}
			if (!open) {
				put(o, " %s\"", pre);
				open = true;
			}
			put_text_body(o, c, '"');
		}
	}
	if (!open)
		put(o, " %s\"\"", pre);
	else
		put(o, done ? "\"" : "\"...");
}

static void
put_symbol(struct out *o, uint64_t addr)
{
	char name[256];
	uint64_t off = 0;

	if (!o->env->sym || !o->env->sym(o->env->ctx, addr, name, sizeof(name),
					 &off))
		return;
	if (off)
		put(o, " <%s+%" PRIu64 ">", name, off);
	else
		put(o, " <%s>", name);
}

static void
put_pointer(struct out *o, const struct tr_type *t, uint64_t v, bool bare)
{
	const struct tr_type *pt = tr_type_strip(t)->target;
	const struct tr_type *p = tr_type_strip(pt);
	char wide = wide_kind(pt);
	char tn[256];

	/* gdb leaves the type out for char, wchar_t, char16_t and
	 * char32_t (the quotes tell it), and shows the text pointed to of
	 * any pointer to a character type */
	if (!bare && (t->kind == TR_TYPE_TYPEDEF ||
		      !text_pointee_named(pt))) {
		tr_type_name(t, tn, sizeof(tn));
		put(o, "(%s) ", tn);
	}
	put(o, "0x%" PRIx64, v);
	put_symbol(o, v);
	if (v && (is_char(p) || (wide && (p->size == 2 || p->size == 4))))
		put_string_at(o, v, wide ? p->size : 1, wide);
}

static bool
enum_flags(const struct tr_type *t)
{
	uint64_t seen = 0;

	for (size_t i = 0; i < t->nenumerators; i++) {
		uint64_t v = (uint64_t)t->enumerators[i].value;

		/* every enumerator a distinct bit set (zero allowed) */
		if (t->enumerators[i].value < 0 || (v & seen))
			return false;
		seen |= v;
	}
	return t->nenumerators > 0;
}

static void
put_enum(struct out *o, const struct tr_type *t, const uint8_t *b)
{
	size_t size = t->size ? t->size : 4;
	int64_t v = tr_type_is_signed(t) ? sext(get_u(b, size), size)
					 : (int64_t)get_u(b, size);
	uint64_t rest;
	bool first = true;

	for (size_t i = 0; i < t->nenumerators; i++)
		if (t->enumerators[i].value == v) {
			put(o, "%s", t->enumerators[i].name);
			return;
		}
	if (!enum_flags(t) || v <= 0) {
		put(o, "%" PRId64, v);
		return;
	}
	/* gdb 13: a flag enum shows its flags, and what is left over */
	rest = (uint64_t)v;
	put(o, "(");
	for (size_t i = 0; i < t->nenumerators; i++) {
		uint64_t f = (uint64_t)t->enumerators[i].value;

		if (f && (rest & f) == f) {
			put(o, "%s%s", first ? "" : " | ",
			    t->enumerators[i].name);
			rest &= ~f;
			first = false;
		}
	}
	if (rest)
		put(o, "%sunknown: 0x%" PRIx64, first ? "" : " | ", rest);
	put(o, ")");
}

/* An array of char (es 1) or of a wide character type (es 2 or 4,
 * quotes prefixed by pre): "abc", L"abc", with gdb's repeats and
 * trailing NULs. */
static void
put_char_array(struct out *o, const uint8_t *b, uint64_t n, size_t es,
	       const char *pre)
{
	uint64_t i = 0, shown = 0, end = n;
	bool open = false, first = true;

#define EL(k) ((uint32_t)get_u(b + (k) * es, es))
	/* gdb (print null-stop off) takes a NUL in the last element for the
	 * terminator and does not show it; NULs before it are shown. */
	if (end && !EL(end - 1))
		end--;
	while (i < end && shown < o->print_max) {
		uint64_t r = 1;

		while (i + r < end && EL(i + r) == EL(i))
			r++;
		if (r > o->repeats) {
			if (open)
				put(o, "\"");
			open = false;
			put(o, "%s%s'", first ? "" : ", ", pre);
			put_text_body(o, EL(i), '\'');
			put(o, "' <repeats %" PRIu64 " times>", r);
			i += r;
			shown += o->repeats;
			first = false;
			continue;
		}
		if (!open) {
			put(o, "%s%s\"", first ? "" : ", ", pre);
			open = true;
			first = false;
		}
		put_text_body(o, EL(i), '"');
		i++;
		shown++;
	}
#undef EL
	if (open)
		put(o, "\"");
	if (i < end)
		put(o, "...");
	if (first)
		put(o, "%s\"\"", pre);
}

static void
put_array(struct out *o, const struct tr_type *t, const uint8_t *b,
	  size_t avail, uint64_t addr, bool have_addr, int depth)
{
	const struct tr_type *et = t->target;
	uint64_t es = tr_type_strip(et)->size;
	uint64_t n = t->count_known ? t->count : 0;
	uint64_t i = 0, shown = 0;

	if (es && n * es > avail)
		n = avail / es;
	if (is_char(et) && (!o->fmt || o->fmt == 's' || o->fmt == 'r')) {
		put_char_array(o, b, n, 1, "");
		return;
	}
	if (wide_kind(et) && (es == 2 || es == 4) &&
	    (!o->fmt || o->fmt == 's' || o->fmt == 'r')) {
		char pre[2] = { wide_kind(et), 0 };

		put_char_array(o, b, n, es, pre);
		return;
	}
	put(o, "{");
	while (i < n && shown < o->print_max && !o->cut) {
		uint64_t r = 1;

		while (i + r < n && es && !memcmp(b + (i + r) * es, b + i * es, es))
			r++;
		if (i)
			put(o, ", ");
		put_value(o, et, b + i * es, es, addr + i * es, have_addr,
			  depth + 1, false);
		if (r > o->repeats) {
			put(o, " <repeats %" PRIu64 " times>", r);
			i += r;
			shown += o->repeats;
		} else {
			i++;
			shown++;
		}
	}
	if (i < n)
		put(o, "...");
	put(o, "}");
}

static void
put_struct(struct out *o, const struct tr_type *t, const uint8_t *b,
	   size_t avail, uint64_t addr, bool have_addr, int depth)
{
	put(o, "{");
	for (size_t i = 0; i < t->nmembers && !o->cut; i++) {
		const struct tr_type_member *m = &t->members[i];

		if (i)
			put(o, ", ");
		if (m->name)
			put(o, "%s = ", m->name);
		if (m->bit_size) {
			uint64_t v = 0;
			uint8_t tmp[8];
			const struct tr_type *mt = tr_type_strip(m->type);

			if (tr_type_bitfield_get(m, b, avail, m->offset, &v) < 0) {
				put(o, "<error>");
				continue;
			}
			memcpy(tmp, &v, 8);
			if (mt->kind == TR_TYPE_BASE || mt->kind == TR_TYPE_ENUM) {
				struct tr_type_member dummy;

				(void)dummy;
				put_value(o, m->type, tmp, 8, 0, false, depth + 1,
					  false);
			} else {
				put(o, "%" PRIu64, v);
			}
			continue;
		}
		if (m->offset > avail) {
			put(o, "<error>");
			continue;
		}
		put_value(o, m->type, b + m->offset, avail - m->offset,
			  addr + m->offset, have_addr, depth + 1, false);
	}
	put(o, "}");
}

static void
put_value(struct out *o, const struct tr_type *t, const uint8_t *b,
	  size_t avail, uint64_t addr, bool have_addr, int depth,
	  bool scalar_only)
{
	const struct tr_type *s = tr_type_strip(t);
	size_t size = s->size;
	char tn[256];

	if (depth > MAX_DEPTH) {
		put(o, "...");
		return;
	}
	if (size > avail && s->kind != TR_TYPE_FUNCTION &&
	    s->kind != TR_TYPE_ARRAY && s->kind != TR_TYPE_STRUCT &&
	    s->kind != TR_TYPE_UNION) {
		put(o, "<error: value not available>");
		return;
	}
	if (o->fmt && o->fmt != 's' && o->fmt != 'r') {
		switch (s->kind) {
		case TR_TYPE_BASE:
		case TR_TYPE_ENUM:
		case TR_TYPE_POINTER:
			put_formatted(o, s, b, size ? size : 4);
			return;
		case TR_TYPE_FUNCTION: {
			/* gdb's value of a function is its first byte */
			uint8_t c;
			struct tr_type u8 = { .kind = TR_TYPE_BASE, .size = 1,
					      .encoding = TR_ENC_UNSIGNED };

			if (o->fmt == 'a' || !have_addr ||
			    o->env->read(o->env->ctx, addr, &c, 1) < 0)
				break;
			put_formatted(o, &u8, &c, 1);
			return;
		}
		default:
			break;
		}
	}
	switch (s->kind) {
	case TR_TYPE_BASE:
		if (wide_kind(t) && (size == 2 || size == 4) &&
		    s->encoding != TR_ENC_FLOAT) {
			/* 90 L'Z' */
			uint64_t u = get_u(b, size);

			put(o, "%" PRId64 " %c'",
			    tr_type_is_signed(s) ? sext(u, size) : (int64_t)u,
			    wide_kind(t));
			put_text_body(o, (uint32_t)u, '\'');
			put(o, "'");
		} else if (s->encoding == TR_ENC_FLOAT && size == 2) {
			put_half(o, b, s->name && !strcmp(s->name, "bfloat16"));
		} else if (s->encoding == TR_ENC_FLOAT) {
			put_float(o, b, size);
		} else if (s->encoding == TR_ENC_BOOLEAN) {
			uint64_t v = get_u(b, size);

			if (v <= 1)
				put(o, v ? "true" : "false");
			else
				put(o, "%" PRIu64, v);
		} else if (is_char(s)) {
			int64_t v = s->encoding == TR_ENC_SIGNED_CHAR
					    ? sext(b[0], 1) : b[0];

			put_char(o, v, b[0]);
		} else if (s->name && (!strcmp(s->name, "i386_eflags") ||
				       !strcmp(s->name, "i386_mxcsr"))) {
			put_flags(o, get_u(b, size), s->name[5] == 'e');
		} else if (size == 16 && s->name &&
			   (!strcmp(s->name, "uint128_t") ||
			    !strcmp(s->name, "int128_t"))) {
			/* the vector registers' 128-bit members: gdb 13
			 * prints them in decimal */
			put_u128_dec(o, b, s->encoding == TR_ENC_SIGNED);
		} else if (size > 8) {
			/* __int128: as gdb 13 prints those it knows, hex */
			uint64_t lo = get_u(b, 8), hi = get_u(b + 8, 8);

			if (!hi)
				put(o, "%" PRIu64, lo);
			else
				put(o, "0x%" PRIx64 "%016" PRIx64, hi, lo);
		} else if (tr_type_is_signed(s)) {
			put(o, "%" PRId64, sext(get_u(b, size), size));
		} else {
			put(o, "%" PRIu64, get_u(b, size));
		}
		return;
	case TR_TYPE_ENUM:
		put_enum(o, s, b);
		return;
	case TR_TYPE_POINTER:
		put_pointer(o, t, get_u(b, 8), depth > 0 || o->env->bare);
		return;
	case TR_TYPE_FUNCTION:
		tr_type_name(t, tn, sizeof(tn));
		put(o, "{%s} 0x%" PRIx64, tn, addr);
		put_symbol(o, addr);
		return;
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
		if (scalar_only) {
			put(o, "...");
			return;
		}
		put_struct(o, s, b, avail, addr, have_addr, depth);
		return;
	case TR_TYPE_ARRAY:
		if (scalar_only) {
			put(o, "...");
			return;
		}
		put_array(o, s, b, avail, addr, have_addr, depth);
		return;
	case TR_TYPE_VOID:
		put(o, "void");
		return;
	default:
		put(o, "<unknown type>");
	}
}

static int
print(const struct tr_value *v, const struct tr_print_env *env, char *buf,
      size_t len, bool scalar_only)
{
	struct out o = { .buf = buf, .len = len, .env = env };
	const struct tr_type *s = tr_type_strip(v->type);
	const uint8_t *b = tr_value_cbytes(v);
	uint8_t *lazy = NULL;
	size_t avail = v->size;

	if (!len)
		return -TR_ERANGE;
	buf[0] = 0;
	o.print_max = env->print_max ? env->print_max : DEFAULT_PRINT_MAX;
	o.fmt = env->format;
	o.repeats = env->repeats ? env->repeats : DEFAULT_REPEATS;
	if (v->optimized_out) {
		put(&o, "<optimized out>");
		return o.cut ? -TR_ERANGE : 0;
	}
	if (v->lazy) {
		/* read what can be shown: print_max elements */
		size_t want = s->size;
		uint64_t es = s->kind == TR_TYPE_ARRAY
				      ? tr_type_strip(s->target)->size : 0;

		if (es && want > es * (o.print_max + 1))
			want = es * (o.print_max + 1);
		if (want > (1u << 24))
			want = 1u << 24;
		lazy = malloc(want ? want : 1);
		if (!lazy)
			return -TR_ENOMEM;
		if (env->read(env->ctx, v->addr, lazy, want) < 0) {
			put(&o, "<error: Cannot access memory at address %#"
			    PRIx64 ">", v->addr);
			free(lazy);
			return o.cut ? -TR_ERANGE : 0;
		}
		b = lazy;
		avail = want;
	}
	put_value(&o, v->type, b, avail, v->addr, v->lval == TR_LVAL_MEMORY,
		  0, scalar_only);
	free(lazy);
	if (o.cut) {
		if (len >= 4)
			memcpy(buf + len - 4, "...", 4);
		return -TR_ERANGE;
	}
	return 0;
}

int
tr_value_print(const struct tr_value *v, const struct tr_print_env *env,
	       char *out, size_t len)
{
	return print(v, env, out, len, false);
}

int
tr_value_print_scalar(const struct tr_value *v,
		      const struct tr_print_env *env, char *out, size_t len)
{
	return print(v, env, out, len, true);
}
