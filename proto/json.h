/* json.h: JSON values and the bounded strict parser that makes them (the writer is json_write.h). */
#ifndef TR_PROTO_JSON_H
#define TR_PROTO_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The codec of the wire protocol, on libc alone: this parser, the writer
 * (json_write.h), tr_buf (buf.h) and base64 (base64.h). Functions that can
 * fail return 0 or a negative TR_E* code of src/error.h:
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

#endif
