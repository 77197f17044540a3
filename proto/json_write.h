/* json_write.h: the streaming JSON writer: JSON text appended to a tr_buf as it is called. */
#ifndef TR_PROTO_JSON_WRITE_H
#define TR_PROTO_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h" /* tr_jw_value writes a tree */

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
	 * (private to json_write.c) */
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

#endif
