/* json.h: JSON values, a bounded strict parser, and a streaming writer. */
#ifndef TR_PROTO_JSON_H
#define TR_PROTO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The codec of the wire protocol, on libc alone. Functions that can fail
 * return 0 or a negative TR_E* code of src/base/error.h:
 *   -TR_EINVAL  malformed input, or the writer used out of order;
 *   -TR_ERANGE  a limit exceeded (depth, values, string length, writer
 *               nesting);
 *   -TR_ENOMEM  an allocation failed (never a crash).
 * Nothing here keeps global state: every function may be called from any
 * thread on objects that thread owns.
 */

/* Kinds of values. Append-only. */
enum tr_json_kind {
	TR_JSON_NULL = 0,
	TR_JSON_BOOL = 1,
	TR_JSON_NUMBER = 2,
	TR_JSON_STRING = 3,
	TR_JSON_ARRAY = 4,
	TR_JSON_OBJECT = 5,
};

/* Number flags: which exact integer forms a number has. A number whose
 * text is an integer (no fraction, no exponent) in [INT64_MIN, INT64_MAX]
 * has TR_JSON_INT64 (u.num.i valid); one in [0, UINT64_MAX] has
 * TR_JSON_UINT64 (u.num.u valid). Both may be set (0..INT64_MAX): i and u
 * share their storage and agree then. u.num.d is always valid. */
enum {
	TR_JSON_INT64 = 1u << 0,
	TR_JSON_UINT64 = 1u << 1,
};

struct tr_json_member;

/*
 * A value. Trees come from tr_json_parse() only; every byte of one (nodes,
 * strings, arrays) belongs to it and goes with tr_json_free() of the root.
 * Strings are the decoded bytes, NUL-terminated for convenience but they
 * may hold NUL themselves (\u0000): use the length. Object members stay
 * in input order; duplicate keys are kept (tr_json_get finds the first).
 */
struct tr_json {
	enum tr_json_kind kind;
	unsigned flags; /* TR_JSON_INT64 | TR_JSON_UINT64, for numbers */
	union {
		bool b;
		struct {
			double d;
			union {
				int64_t i;
				uint64_t u;
			};
		} num;
		struct {
			const char *s;
			size_t len;
		} str;
		struct {
			struct tr_json *items;
			size_t n;
		} arr;
		struct {
			struct tr_json_member *members;
			size_t n;
		} obj;
	} u;
};

struct tr_json_member {
	const char *key; /* decoded, NUL-terminated, may hold NUL */
	size_t klen;
	struct tr_json val;
};

/* Parser limits; a field left 0 takes its default. */
#define TR_JSON_DEFAULT_MAX_DEPTH 64
#define TR_JSON_DEFAULT_MAX_VALUES (1u << 18)
#define TR_JSON_DEFAULT_MAX_STRING (16u << 20)

struct tr_json_limits {
	unsigned max_depth; /* open arrays and objects; scalars are depth 0 */
	size_t max_values;  /* values of the document, containers included,
			       object keys not counted */
	size_t max_string;  /* bytes of one string or key after decoding */
};

/* Where and why a parse failed. */
struct tr_json_error {
	size_t offset;    /* byte offset into the input */
	char message[96]; /* "unexpected character 'x'", ... */
};

/*
 * tr_json_parse: parse one JSON text of buf[0..len) (no NUL needed, none
 * read past len) into a new tree, *out, to be freed with tr_json_free().
 *
 * Strict RFC 8259: one value surrounded by optional whitespace; no
 * trailing commas, comments, single quotes, leading zeros, NaN/Infinity,
 * leading '+' or BOM; strings must be valid UTF-8 (no overlong forms,
 * no encoded surrogates, nothing above U+10FFFF) without raw control
 * characters; \u escapes of surrogates must come as a high-low pair (they
 * are decoded to one UTF-8 sequence). A number too big for a double is
 * refused ("number out of range"); one too small becomes 0 or a subnormal.
 *
 * lim may be NULL for the defaults; err may be NULL. The parser does not
 * recurse: its stacks live on the heap, bounded by the limits. Returns 0,
 * -TR_EINVAL (syntax), -TR_ERANGE (a limit) or -TR_ENOMEM; *out is NULL
 * on failure and err says where and why.
 */
int tr_json_parse(const char *buf, size_t len,
		  const struct tr_json_limits *lim, struct tr_json **out,
		  struct tr_json_error *err);

/* tr_json_free: free a tree returned by tr_json_parse() (its root, never
 * a node inside it). NULL is fine. */
void tr_json_free(struct tr_json *root);

/*
 * Getters. Each accepts NULL (as what a failed lookup returned) and a
 * value of the wrong kind, and then fails, so lookups chain:
 * tr_json_int64(tr_json_get(params, "pid"), &pid).
 */

/* tr_json_get: the first member of object obj named key (NUL-terminated),
 * or NULL. Linear: objects of the protocol are small. */
const struct tr_json *tr_json_get(const struct tr_json *obj, const char *key);
/* tr_json_getn: the same with a key of klen bytes (may hold NUL). */
const struct tr_json *tr_json_getn(const struct tr_json *obj, const char *key,
				   size_t klen);

/* tr_json_is_int: v is a number whose text was an integer that fits in
 * int64_t or uint64_t. */
bool tr_json_is_int(const struct tr_json *v);

/* tr_json_int64 / tr_json_uint64: the exact integer; -TR_EINVAL if v is
 * not an integer number (1.0 and 1e3 are not), -TR_ERANGE if it does not
 * fit the type. *out is untouched on failure. */
int tr_json_int64(const struct tr_json *v, int64_t *out);
int tr_json_uint64(const struct tr_json *v, uint64_t *out);

/* tr_json_double: any number as a double (integers above 2^53 rounded);
 * -TR_EINVAL if v is not a number. */
int tr_json_double(const struct tr_json *v, double *out);

/* tr_json_bool: -TR_EINVAL if v is not true or false. */
int tr_json_bool(const struct tr_json *v, bool *out);

/* tr_json_str: the bytes of string v (NUL-terminated, may hold NUL),
 * their count in *len if len is not NULL; NULL if v is not a string. */
const char *tr_json_str(const struct tr_json *v, size_t *len);

/* tr_json_len: elements of an array or members of an object; 0 for
 * anything else. */
size_t tr_json_len(const struct tr_json *v);

/* tr_json_at: element i of array v, or NULL (not an array, i too big). */
const struct tr_json *tr_json_at(const struct tr_json *v, size_t i);

/* tr_json_member_at: member i of object v, or NULL. */
const struct tr_json_member *tr_json_member_at(const struct tr_json *v,
					       size_t i);

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

/*
 * The writer appends JSON text to a tr_buf as it is called, with no tree
 * in between (replies are written this way). It puts the commas and
 * colons itself, and remembers the nesting in a fixed stack of
 * TR_JW_MAX_DEPTH levels.
 *
 * Errors are sticky: the first failure (-TR_ENOMEM, -TR_EINVAL for a call
 * out of order such as a value in an object without its key, -TR_ERANGE
 * for nesting deeper than TR_JW_MAX_DEPTH) is kept in w->err, every later
 * call does nothing and returns it, so a caller can write a whole reply
 * and check once (tr_jw_error, or tr_rpc_end which does it).
 *
 * Strings are written as they are except for '"', '\\', control
 * characters (\n, \t, ... or \u00XX) and bytes that are not part of a
 * valid UTF-8 sequence: each of those is written as \u00XX of the byte
 * value, so the reader sees the character U+00XX (the Latin-1 reading of
 * the byte). The output is then always valid JSON, at the cost that such
 * bytes do not come back as the same bytes; binary data goes as base64
 * (tr_jw_base64) instead.
 *
 * Several values may be written at depth 0, one after the other with
 * nothing between them: separating them (the protocol's '\n') is up to
 * the caller.
 */
#define TR_JW_MAX_DEPTH 128

struct tr_jw {
	struct tr_buf *buf;
	int err;        /* first error, 0 if none */
	unsigned depth; /* open arrays and objects */
	bool want_value; /* in an object, a key was written, its value not */
	size_t mark;    /* buf->len where the current message began (rpc) */
	/* per level: object or array, and whether it holds anything yet
	 * (private to json.c) */
	uint8_t stack[TR_JW_MAX_DEPTH];
};

/* tr_jw_init: start writing into buf (appending to what it holds). */
void tr_jw_init(struct tr_jw *w, struct tr_buf *buf);
/* tr_jw_error: the sticky error, 0 if none. */
int tr_jw_error(const struct tr_jw *w);

int tr_jw_obj_begin(struct tr_jw *w);
int tr_jw_obj_end(struct tr_jw *w);
int tr_jw_arr_begin(struct tr_jw *w);
int tr_jw_arr_end(struct tr_jw *w);
/* tr_jw_end: close the innermost array or object, whichever it is. */
int tr_jw_end(struct tr_jw *w);
/* tr_jw_key: the next member's name (NUL-terminated); tr_jw_keyn with a
 * length. Only inside an object, before each value. */
int tr_jw_key(struct tr_jw *w, const char *key);
int tr_jw_keyn(struct tr_jw *w, const char *key, size_t len);
/* tr_jw_str: a string of len bytes, escaped as said above; tr_jw_cstr
 * for a NUL-terminated one. */
int tr_jw_str(struct tr_jw *w, const char *s, size_t len);
int tr_jw_cstr(struct tr_jw *w, const char *s);
int tr_jw_int(struct tr_jw *w, int64_t v);
int tr_jw_uint(struct tr_jw *w, uint64_t v);
/* tr_jw_double: text that reads back as the same double: the first of 15,
 * 16 and 17 significant digits that does (the shortest text for every
 * value that has one of 15 digits or fewer), with ".0" added to integral
 * values so that they read back as non-integers. NaN and infinities,
 * which JSON cannot carry, are written as null. */
int tr_jw_double(struct tr_jw *w, double v);
int tr_jw_bool(struct tr_jw *w, bool v);
int tr_jw_null(struct tr_jw *w);
/* tr_jw_raw: len bytes of JSON text written as one value, unchecked: the
 * caller vouches that it is exactly one valid JSON value. */
int tr_jw_raw(struct tr_jw *w, const char *json, size_t len);
/* tr_jw_base64: a string holding the standard base64 (RFC 4648 section
 * 4, with padding) of len bytes. */
int tr_jw_base64(struct tr_jw *w, const void *bytes, size_t len);
/* tr_jw_value: a whole tree (as parsed); integers are written in their
 * exact form, other numbers as tr_jw_double does. -TR_ERANGE if the tree
 * nests deeper than what is left of TR_JW_MAX_DEPTH. */
int tr_jw_value(struct tr_jw *w, const struct tr_json *v);

/*
 * Base64, standard alphabet with padding (RFC 4648 section 4).
 * tr_base64_encode writes TR_BASE64_ENCODED_LEN(n) characters to out (no
 * NUL) and returns that count. tr_base64_decode accepts only canonical
 * input: a length that is a multiple of 4, nothing outside the alphabet
 * (no whitespace, no line breaks), '=' only as the last one or two
 * characters, and zero bits in what the padding leaves over; it writes at
 * most TR_BASE64_DECODED_MAX(n) bytes, their count in *outlen, and returns
 * 0 or -TR_EINVAL (out then holds garbage).
 */
#define TR_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
#define TR_BASE64_DECODED_MAX(n) (((n) / 4) * 3)

size_t tr_base64_encode(const void *in, size_t n, char *out);
int tr_base64_decode(const char *in, size_t n, void *out, size_t *outlen);

#endif
