/* check_proto.c: the wire-protocol codec: JSON parsing and writing, base64, JSON-RPC requests and replies, line framing, and fuzzing of them all. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "base/error.h"
#include "json.h"
#include "json_write.h"
#include "jsonrpc.h"
#include "suites.h"

/* --- helpers ----------------------------------------------------------- */

/* A copy of n bytes with no NUL after them, so that under ASan a parser
 * reading past len is caught. */
static char *
exact_copy(const char *s, size_t n)
{
	char *c = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(c);
	memcpy(c, s, n);
	return c;
}

static int
parse_n(const char *text, size_t n, const struct tr_json_limits *lim,
	struct tr_json **out, struct tr_json_error *err)
{
	char *copy = exact_copy(text, n);
	int rc = tr_json_parse(copy, n, lim, out, err);

	free(copy);
	return rc;
}

static struct tr_json *
parse_ok(const char *text)
{
	struct tr_json_error err;
	struct tr_json *v = NULL;
	int rc = parse_n(text, strlen(text), NULL, &v, &err);

	ck_assert_msg(rc == 0, "parse of '%s' failed: %d at %zu: %s", text, rc,
		      err.offset, err.message);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* The compact text of a tree, NUL-terminated (the caller frees it). */
static char *
to_text(const struct tr_json *v)
{
	struct tr_buf b;
	struct tr_jw w;
	char *s;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_value(&w, v), 0);
	ck_assert_int_eq(w.depth, 0);
	s = malloc(b.len + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	tr_buf_free(&b);
	return s;
}

/* w's buffer as a NUL-terminated string (it stays w's). */
static const char *
buf_str(struct tr_buf *b)
{
	ck_assert_int_eq(tr_buf_append(b, "", 1), 0);
	b->len--;
	return b->data;
}

static void
check_fail(const char *text, size_t n, const struct tr_json_limits *lim,
	   int want_rc, size_t want_off, const char *want_msg)
{
	struct tr_json_error err;
	struct tr_json *v = (struct tr_json *)1;
	int rc = parse_n(text, n, lim, &v, &err);

	ck_assert_msg(rc == want_rc, "'%.*s': rc %d, want %d (%s)", (int)n,
		      text, rc, want_rc, rc ? err.message : "accepted");
	ck_assert_ptr_null(v);
	ck_assert_msg(err.offset == want_off,
		      "'%.*s': offset %zu, want %zu (%s)", (int)n, text,
		      err.offset, want_off, err.message);
	if (want_msg)
		ck_assert_msg(strstr(err.message, want_msg),
			      "'%.*s': message '%s' lacks '%s'", (int)n, text,
			      err.message, want_msg);
}

/* A nesting of depth opening brackets (alternating [ and {"k": when obj),
 * a 1 inside, and their closers. */
static char *
nested(unsigned depth, bool obj)
{
	char *s = malloc(depth * 6 + 2), *o = s;
	unsigned i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < depth; i++) {
		if (obj && i % 2) {
			memcpy(o, "{\"k\":", 5);
			o += 5;
		} else {
			*o++ = '[';
		}
	}
	*o++ = '1';
	for (i = depth; i-- > 0;)
		*o++ = obj && i % 2 ? '}' : ']';
	*o = '\0';
	return s;
}

/* xorshift64*: a fixed seed makes every run the same. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t
rng_below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* --- parsing ------------------------------------------------------------- */

START_TEST(test_parse_scalars)
{
	struct tr_json *v;
	const char *s;
	size_t len;
	bool b;

	v = parse_ok(" null ");
	ck_assert_int_eq(v->kind, TR_JSON_NULL);
	tr_json_free(v);

	v = parse_ok("true");
	ck_assert_int_eq(tr_json_bool(v, &b), 0);
	ck_assert(b);
	tr_json_free(v);
	v = parse_ok("\t\r\nfalse\n");
	ck_assert_int_eq(tr_json_bool(v, &b), 0);
	ck_assert(!b);
	tr_json_free(v);

	v = parse_ok("\"h\\u00e9llo\"");
	s = tr_json_str(v, &len);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(s, "h\xc3\xa9llo");
	ck_assert_int_eq(tr_json_bool(v, &b), -TR_EINVAL);
	tr_json_free(v);

	v = parse_ok("-12.5e1");
	ck_assert_int_eq(v->kind, TR_JSON_NUMBER);
	ck_assert(!tr_json_is_int(v));
	ck_assert_double_eq(v->u.num.d, -125.0);
	tr_json_free(v);

	tr_json_free(NULL);
}
END_TEST

/* Input → the writer's compact text of its tree. */
static const struct {
	const char *in, *out;
} roundtrips[] = {
	{ "null", "null" },
	{ " true ", "true" },
	{ "false", "false" },
	{ "0", "0" },
	{ "-0", "0" },
	{ "123", "123" },
	{ "-123", "-123" },
	{ "1.5", "1.5" },
	{ "-0.0", "-0.0" },
	{ "2.50", "2.5" },
	{ "1.0", "1.0" },
	{ "1e3", "1000.0" },
	{ "1E-2", "0.01" },
	{ "1e+2", "100.0" },
	{ "0.1", "0.1" },
	{ "1e-400", "0.0" },
	{ "123456789012345678901234567890", "1.2345678901234568e+29" },
	{ "9223372036854775807", "9223372036854775807" },
	{ "-9223372036854775808", "-9223372036854775808" },
	{ "18446744073709551615", "18446744073709551615" },
	{ "18446744073709551616", "1.8446744073709552e+19" },
	{ "\"\"", "\"\"" },
	{ "\"abc\"", "\"abc\"" },
	{ "\"a\\\"b\\\\c\\/d\"", "\"a\\\"b\\\\c/d\"" },
	{ "\"\\b\\f\\n\\r\\t\"", "\"\\b\\f\\n\\r\\t\"" },
	{ "\"\\u0001\\u001F\\u007f\"", "\"\\u0001\\u001f\x7f\"" },
	{ "\"\\u00e9\\u20AC\"", "\"\xc3\xa9\xe2\x82\xac\"" },
	{ "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
	{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"",
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"" },
	{ "\"\\u0000\"", "\"\\u0000\"" },
	{ "[]", "[]" },
	{ "[ ]", "[]" },
	{ "{}", "{}" },
	{ " { } ", "{}" },
	{ "[1,[2,[3,[]]],{}]", "[1,[2,[3,[]]],{}]" },
	{ "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
	  "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}" },
	{ "{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}" },
	{ "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}" },
	{ "{\"\\u0000k\":0}", "{\"\\u0000k\":0}" },
	{ " \t\n\r[ 1 , 2 ] \n", "[1,2]" },
	{ "[{\"x\":[{\"y\":[]}]},[[]],\"s\",-1.25e-5]",
	  "[{\"x\":[{\"y\":[]}]},[[]],\"s\",-1.25e-05]" },
};

START_TEST(test_roundtrip)
{
	size_t i;

	for (i = 0; i < sizeof(roundtrips) / sizeof(roundtrips[0]); i++) {
		struct tr_json *v = parse_ok(roundtrips[i].in), *v2;
		char *t = to_text(v), *t2;

		ck_assert_msg(!strcmp(t, roundtrips[i].out),
			      "'%s' wrote '%s', want '%s'", roundtrips[i].in, t,
			      roundtrips[i].out);
		/* What the writer wrote reads back to the same text. */
		v2 = parse_ok(t);
		t2 = to_text(v2);
		ck_assert_str_eq(t, t2);
		free(t);
		free(t2);
		tr_json_free(v);
		tr_json_free(v2);
	}
}
END_TEST

/* Rejected documents: where and why. */
static const struct {
	const char *in;
	int rc;
	size_t off;
	const char *msg;
} rejects[] = {
	{ "", -TR_EINVAL, 0, "unexpected end of input" },
	{ "   ", -TR_EINVAL, 3, "unexpected end of input" },
	/* trailing commas, missing pieces */
	{ "[1,2,]", -TR_EINVAL, 5, "unexpected character ']'" },
	{ "{\"a\":1,}", -TR_EINVAL, 7,
	  "unexpected character '}', expected a string key" },
	{ "[1,,2]", -TR_EINVAL, 3, "unexpected character ','" },
	{ "[,]", -TR_EINVAL, 1, "','" },
	{ "[1 2]", -TR_EINVAL, 3, "expected ',' or ']'" },
	{ "{\"a\":1 \"b\":2}", -TR_EINVAL, 7, "expected ',' or '}'" },
	{ "{\"a\" 1}", -TR_EINVAL, 5, "expected ':'" },
	{ "{\"a\"}", -TR_EINVAL, 4, "expected ':'" },
	{ "{a:1}", -TR_EINVAL, 1, "expected a string key" },
	{ "{'a':1}", -TR_EINVAL, 1, "character '''" },
	{ "{1:1}", -TR_EINVAL, 1, "expected a string key" },
	{ "[", -TR_EINVAL, 1, "end of input" },
	{ "[1", -TR_EINVAL, 2, "end of input" },
	{ "{\"a\":", -TR_EINVAL, 5, "end of input" },
	{ "{\"a\"", -TR_EINVAL, 4, "end of input" },
	{ "]", -TR_EINVAL, 0, "']'" },
	{ "}", -TR_EINVAL, 0, "'}'" },
	{ "[1]]", -TR_EINVAL, 3, "expected end of input" },
	{ "[1}", -TR_EINVAL, 2, "'}'" },
	{ "{\"a\":1]", -TR_EINVAL, 6, "']'" },
	{ "1 2", -TR_EINVAL, 2, "expected end of input" },
	{ "{} {}", -TR_EINVAL, 3, "'{'" },
	/* literals */
	{ "nul", -TR_EINVAL, 3, "end of input" },
	{ "nulx", -TR_EINVAL, 3, "'x'" },
	{ "nullx", -TR_EINVAL, 4, "'x'" },
	{ "True", -TR_EINVAL, 0, "'T'" },
	{ "tru", -TR_EINVAL, 3, "end of input" },
	{ "fals", -TR_EINVAL, 4, "end of input" },
	{ "undefined", -TR_EINVAL, 0, "'u'" },
	/* comments */
	{ "/* c */ 1", -TR_EINVAL, 0, "'/'" },
	{ "1 // c", -TR_EINVAL, 2, "'/'" },
	{ "[1, # c\n 2]", -TR_EINVAL, 4, "'#'" },
	/* numbers */
	{ "01", -TR_EINVAL, 0, "leading zero" },
	{ "-01", -TR_EINVAL, 1, "leading zero" },
	{ "00", -TR_EINVAL, 0, "leading zero" },
	{ "[007]", -TR_EINVAL, 1, "leading zero" },
	{ "NaN", -TR_EINVAL, 0, "'N'" },
	{ "-NaN", -TR_EINVAL, 1, "'N', expected a digit" },
	{ "Infinity", -TR_EINVAL, 0, "'I'" },
	{ "-Infinity", -TR_EINVAL, 1, "expected a digit" },
	{ "+1", -TR_EINVAL, 0, "'+'" },
	{ ".5", -TR_EINVAL, 0, "'.'" },
	{ "1.", -TR_EINVAL, 2, "end of input" },
	{ "1.e3", -TR_EINVAL, 2, "'e', expected a digit" },
	{ "1e", -TR_EINVAL, 2, "end of input" },
	{ "1e+", -TR_EINVAL, 3, "end of input" },
	{ "1e+x", -TR_EINVAL, 3, "expected a digit" },
	{ "-", -TR_EINVAL, 1, "end of input" },
	{ "- 1", -TR_EINVAL, 1, "byte 0x20" },
	{ "0x10", -TR_EINVAL, 1, "'x'" },
	{ "1.5.2", -TR_EINVAL, 3, "'.'" },
	{ "1e400", -TR_ERANGE, 0, "number out of range" },
	{ "[-1e400]", -TR_ERANGE, 1, "number out of range" },
	/* strings */
	{ "\"abc", -TR_EINVAL, 4, "end of input" },
	{ "\"\\", -TR_EINVAL, 2, "end of input" },
	{ "\"\\\"", -TR_EINVAL, 3, "end of input" },
	{ "\"\\x\"", -TR_EINVAL, 1, "invalid escape '\\x'" },
	{ "\"ab\\'\"", -TR_EINVAL, 3, "invalid escape" },
	{ "\"\\u12g4\"", -TR_EINVAL, 1, "invalid \\u escape" },
	{ "\"\\u12", -TR_EINVAL, 5, "end of input" },
	{ "\"\\U0041\"", -TR_EINVAL, 1, "invalid escape" },
	{ "\"\\ud800\"", -TR_EINVAL, 1, "lone surrogate \\ud800" },
	{ "\"\\udc00\"", -TR_EINVAL, 1, "lone surrogate \\udc00" },
	{ "\"\\uDBFF\\u0041\"", -TR_EINVAL, 1, "lone surrogate" },
	{ "\"a\\ud800x\"", -TR_EINVAL, 2, "lone surrogate" },
	{ "\"\\ud800\\ud800\"", -TR_EINVAL, 1, "lone surrogate" },
	{ "\"\\ud800\\\"", -TR_EINVAL, 1, "lone surrogate" },
	{ "\"\\ud83d\\ude00\\ude00\"", -TR_EINVAL, 13, "lone surrogate" },
	{ "'a'", -TR_EINVAL, 0, "'''" },
	{ "\"\x01\"", -TR_EINVAL, 1, "control character 0x01" },
	{ "\"a\tb\"", -TR_EINVAL, 2, "control character 0x09" },
	{ "\"\n\"", -TR_EINVAL, 1, "control character 0x0a" },
	{ "[\"\x1f\"]", -TR_EINVAL, 2, "control character 0x1f" },
	{ "\"ok\" \"\x1f", -TR_EINVAL, 5, "expected end of input" },
	/* invalid UTF-8 in input */
	{ "\"\xc0\x80\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xc1\xbf\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xe0\x80\xaf\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xf0\x8f\xbf\xbf\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xed\xa0\x80\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xed\xbf\xbf\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xf4\x90\x80\x80\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xf5\x80\x80\x80\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xff\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"ab\x80\"", -TR_EINVAL, 3, "invalid UTF-8" },
	{ "\"ab\xc3\"", -TR_EINVAL, 3, "invalid UTF-8" },
	{ "\"\xe2\x82\"", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "\"\xe2\x82", -TR_EINVAL, 1, "invalid UTF-8" },
	{ "{\"k\xff\":1}", -TR_EINVAL, 3, "invalid UTF-8" },
	/* not whitespace in JSON */
	{ "\xef\xbb\xbf[]", -TR_EINVAL, 0, "byte 0xef" },
	{ "\f1", -TR_EINVAL, 0, "byte 0x0c" },
	{ "\v1", -TR_EINVAL, 0, "byte 0x0b" },
	{ "[1]\xc2\xa0", -TR_EINVAL, 3, "byte 0xc2" },
};

START_TEST(test_reject)
{
	size_t i;

	for (i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++)
		check_fail(rejects[i].in, strlen(rejects[i].in), NULL,
			   rejects[i].rc, rejects[i].off, rejects[i].msg);
	/* A NUL is a byte like any other: the parser goes by the length. */
	check_fail("[1]\0", 4, NULL, -TR_EINVAL, 3, "byte 0x00");
	check_fail("\"a\0b\"", 5, NULL, -TR_EINVAL, 2,
		   "control character 0x00");
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	const char text[] = "[1,2]xyz";
	struct tr_json_error err;
	struct tr_json *v;

	/* Only the first 5 bytes are the document. */
	ck_assert_int_eq(parse_n(text, 5, NULL, &v, &err), 0);
	ck_assert_uint_eq(tr_json_len(v), 2);
	tr_json_free(v);
	/* Every prefix of a document ends early but never reads past it. */
	for (size_t n = 0; n < 5; n++) {
		ck_assert_int_eq(parse_n(text, n, NULL, &v, &err), -TR_EINVAL);
		ck_assert_uint_eq(err.offset, n);
	}
	/* err may be NULL. */
	ck_assert_int_eq(tr_json_parse("[", 1, NULL, &v, NULL), -TR_EINVAL);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct tr_json_limits lim = { .max_depth = 3 };
	struct tr_json *v;
	char *s;

	/* Exactly the default, 64, is fine; 65 is one too many, refused at
	 * the bracket that goes over. */
	s = nested(64, false);
	v = parse_ok(s);
	free(to_text(v));
	tr_json_free(v);
	free(s);
	s = nested(65, false);
	check_fail(s, strlen(s), NULL, -TR_ERANGE, 64,
		   "nesting deeper than 64");
	free(s);

	s = nested(64, true);
	v = parse_ok(s);
	tr_json_free(v);
	free(s);
	s = nested(65, true);
	check_fail(s, strlen(s), NULL, -TR_ERANGE, 64 / 2 + 64 / 2 * 5,
		   "nesting deeper than 64");
	free(s);

	/* Depth counts open containers, not values: scalars are free. */
	check_fail("[[[[1]]]]", 9, &lim, -TR_ERANGE, 3,
		   "nesting deeper than 3");
	ck_assert_int_eq(parse_n("[[[1]],[[2]],{\"a\":[3]}]", 23, &lim, &v,
				 NULL), 0);
	tr_json_free(v);
	check_fail("[{\"a\":{\"b\":[]}}]", 16, &lim, -TR_ERANGE, 11,
		   "nesting deeper than 3");

	/* A deep raised limit works too: the parser holds no recursion. */
	lim.max_depth = 100000;
	s = nested(100000, false);
	ck_assert_int_eq(parse_n(s, strlen(s), &lim, &v, NULL), 0);
	tr_json_free(v);
	/* ... but the writer's fixed stack refuses to write it. */
	{
		struct tr_buf b;
		struct tr_jw w;

		tr_buf_init(&b);
		tr_jw_init(&w, &b);
		ck_assert_int_eq(parse_n(s, strlen(s), &lim, &v, NULL), 0);
		ck_assert_int_eq(tr_jw_value(&w, v), -TR_ERANGE);
		tr_json_free(v);
		tr_buf_free(&b);
	}
	free(s);
}
END_TEST

START_TEST(test_value_and_string_limits)
{
	struct tr_json_limits lim = { .max_values = 3 };
	struct tr_json *v;

	ck_assert_int_eq(parse_n("[1,2]", 5, &lim, &v, NULL), 0);
	tr_json_free(v);
	check_fail("[1,2,3]", 7, &lim, -TR_ERANGE, 5, "more than 3 values");
	/* Keys are not values. */
	ck_assert_int_eq(parse_n("{\"a\":1,\"b\":2}", 13, &lim, &v, NULL), 0);
	tr_json_free(v);
	check_fail("{\"a\":[[[]]]}", 12, &lim, -TR_ERANGE, 7,
		   "more than 3 values");

	lim.max_values = 0;
	lim.max_string = 3;
	ck_assert_int_eq(parse_n("[\"abc\"]", 7, &lim, &v, NULL), 0);
	tr_json_free(v);
	check_fail("[\"abcd\"]", 8, &lim, -TR_ERANGE, 1,
		   "string longer than 3 bytes");
	/* The limit is on decoded bytes: two é are 4. */
	check_fail("\"\\u00e9\\u00e9\"", 14, &lim, -TR_ERANGE, 0, "longer");
	ck_assert_int_eq(parse_n("\"\\u00e9a\"", 9, &lim, &v, NULL), 0);
	tr_json_free(v);
	check_fail("{\"abcd\":1}", 10, &lim, -TR_ERANGE, 1, "longer");
}
END_TEST

START_TEST(test_big_integers)
{
	struct tr_json *v;
	uint64_t u;
	int64_t i;
	double d;

	v = parse_ok("-9223372036854775808");
	ck_assert_uint_eq(v->flags, TR_JSON_INT64);
	ck_assert_int_eq(tr_json_int64(v, &i), 0);
	ck_assert(i == INT64_MIN);
	ck_assert_int_eq(tr_json_uint64(v, &u), -TR_ERANGE);
	tr_json_free(v);

	v = parse_ok("9223372036854775807");
	ck_assert_uint_eq(v->flags, TR_JSON_INT64 | TR_JSON_UINT64);
	ck_assert_int_eq(tr_json_int64(v, &i), 0);
	ck_assert(i == INT64_MAX);
	ck_assert_int_eq(tr_json_uint64(v, &u), 0);
	ck_assert(u == INT64_MAX);
	tr_json_free(v);

	v = parse_ok("9223372036854775808");
	ck_assert_uint_eq(v->flags, TR_JSON_UINT64);
	ck_assert_int_eq(tr_json_int64(v, &i), -TR_ERANGE);
	ck_assert_int_eq(tr_json_uint64(v, &u), 0);
	ck_assert(u == (uint64_t)INT64_MAX + 1);
	tr_json_free(v);

	v = parse_ok("18446744073709551615");
	ck_assert(tr_json_is_int(v));
	ck_assert_int_eq(tr_json_uint64(v, &u), 0);
	ck_assert(u == UINT64_MAX);
	ck_assert_int_eq(tr_json_int64(v, &i), -TR_ERANGE);
	tr_json_free(v);

	/* 2^64 and -2^63-1: numbers, doubles, not integers. */
	v = parse_ok("18446744073709551616");
	ck_assert(!tr_json_is_int(v));
	ck_assert_uint_eq(v->flags, 0);
	ck_assert_int_eq(tr_json_uint64(v, &u), -TR_EINVAL);
	ck_assert_int_eq(tr_json_double(v, &d), 0);
	ck_assert_double_eq(d, 18446744073709551616.0);
	tr_json_free(v);
	v = parse_ok("-9223372036854775809");
	ck_assert(!tr_json_is_int(v));
	ck_assert_int_eq(tr_json_int64(v, &i), -TR_EINVAL);
	ck_assert_double_eq(v->u.num.d, -9223372036854775808.0);
	tr_json_free(v);
	v = parse_ok("123456789012345678901234567890"
		     "123456789012345678901234567890"
		     "123456789012345678901234567890");
	ck_assert(!tr_json_is_int(v));
	ck_assert_double_eq_tol(v->u.num.d, 1.2345678901234568e89, 1e75);
	tr_json_free(v);

	/* Integral values written otherwise are not integers. */
	v = parse_ok("[1.0, 1e3, -0, 0, 42]");
	ck_assert(!tr_json_is_int(tr_json_at(v, 0)));
	ck_assert_int_eq(tr_json_int64(tr_json_at(v, 1), &i), -TR_EINVAL);
	ck_assert_int_eq(tr_json_int64(tr_json_at(v, 2), &i), 0);
	ck_assert_int_eq(i, 0);
	ck_assert(signbit(tr_json_at(v, 2)->u.num.d));
	ck_assert_int_eq(tr_json_uint64(tr_json_at(v, 3), &u), 0);
	ck_assert_int_eq(tr_json_int64(tr_json_at(v, 4), &i), 0);
	ck_assert_int_eq(i, 42);
	ck_assert_double_eq(tr_json_at(v, 4)->u.num.d, 42.0);
	/* Wrong kinds and NULL fail. */
	ck_assert_int_eq(tr_json_int64(v, &i), -TR_EINVAL);
	ck_assert_int_eq(tr_json_int64(NULL, &i), -TR_EINVAL);
	ck_assert_int_eq(tr_json_double(NULL, &d), -TR_EINVAL);
	tr_json_free(v);
}
END_TEST

START_TEST(test_unicode)
{
	static const struct {
		const char *in, *bytes;
	} cases[] = {
		{ "\"\\u0041\"", "A" },
		{ "\"\\u00e9\"", "\xc3\xa9" },
		{ "\"\\u07FF\"", "\xdf\xbf" },
		{ "\"\\u0800\"", "\xe0\xa0\x80" },
		{ "\"\\u20ac\"", "\xe2\x82\xac" },
		{ "\"\\uffff\"", "\xef\xbf\xbf" },
		{ "\"\\ud800\\udc00\"", "\xf0\x90\x80\x80" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf" },
		{ "\"x\\ud83d\\ude00y\\u00e9\"", "x\xf0\x9f\x98\x80y\xc3\xa9" },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
		{ "\"\xe2\x82\xac\xf0\x9f\x98\x80\"",
		  "\xe2\x82\xac\xf0\x9f\x98\x80" },
		{ "\"\x7f\"", "\x7f" },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tr_json *v = parse_ok(cases[i].in);
		const char *s = tr_json_str(v, &len);

		ck_assert_uint_eq(len, strlen(cases[i].bytes));
		ck_assert_mem_eq(s, cases[i].bytes, len);
		ck_assert_int_eq(s[len], '\0');
		tr_json_free(v);
	}
}
END_TEST

START_TEST(test_string_nul)
{
	struct tr_json *v = parse_ok("{\"k\\u0000ey\":\"a\\u0000b\"}");
	const struct tr_json_member *m = tr_json_member_at(v, 0);
	const char *s;
	char *t;
	size_t len;

	ck_assert_uint_eq(m->klen, 4);
	ck_assert_mem_eq(m->key, "k\0ey", 4);
	s = tr_json_str(&m->val, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(s, "a\0b", 4);
	/* Found by its full key only. */
	ck_assert_ptr_null(tr_json_get(v, "k"));
	ck_assert_ptr_eq(tr_json_getn(v, "k\0ey", 4), &m->val);
	t = to_text(v);
	ck_assert_str_eq(t, "{\"k\\u0000ey\":\"a\\u0000b\"}");
	free(t);
	tr_json_free(v);
}
END_TEST

START_TEST(test_getters)
{
	struct tr_json *v = parse_ok(
		"{\"pid\":42,\"name\":\"prog\",\"args\":[\"-v\",1,[]],"
		"\"opt\":{\"a\":true},\"pid\":43}");
	const struct tr_json *args;
	const struct tr_json_member *m;
	int64_t i;
	size_t len;

	ck_assert_int_eq(v->kind, TR_JSON_OBJECT);
	ck_assert_uint_eq(tr_json_len(v), 5);
	/* The first of duplicate keys. */
	ck_assert_int_eq(tr_json_int64(tr_json_get(v, "pid"), &i), 0);
	ck_assert_int_eq(i, 42);
	ck_assert_str_eq(tr_json_str(tr_json_get(v, "name"), &len), "prog");
	ck_assert_uint_eq(len, 4);
	ck_assert_str_eq(tr_json_str(tr_json_get(v, "name"), NULL), "prog");
	args = tr_json_get(v, "args");
	ck_assert_uint_eq(tr_json_len(args), 3);
	ck_assert_str_eq(tr_json_str(tr_json_at(args, 0), NULL), "-v");
	ck_assert(tr_json_is_int(tr_json_at(args, 1)));
	ck_assert_int_eq(tr_json_at(args, 2)->kind, TR_JSON_ARRAY);
	ck_assert_uint_eq(tr_json_len(tr_json_at(args, 2)), 0);
	ck_assert_ptr_null(tr_json_at(args, 3));
	ck_assert_ptr_null(tr_json_at(v, 0));
	m = tr_json_member_at(v, 3);
	ck_assert_str_eq(m->key, "opt");
	ck_assert_ptr_null(tr_json_member_at(v, 5));
	ck_assert_ptr_null(tr_json_member_at(args, 0));
	/* Chained lookups through missing members and wrong kinds. */
	ck_assert_ptr_null(tr_json_get(v, "missing"));
	ck_assert_ptr_null(tr_json_get(tr_json_get(v, "missing"), "x"));
	ck_assert_ptr_null(tr_json_get(args, "x"));
	ck_assert_ptr_null(tr_json_str(tr_json_get(v, "pid"), &len));
	ck_assert_int_eq(tr_json_int64(tr_json_get(v, "name"), &i), -TR_EINVAL);
	ck_assert_uint_eq(tr_json_len(NULL), 0);
	ck_assert_uint_eq(tr_json_len(tr_json_get(v, "pid")), 0);
	ck_assert_ptr_null(tr_json_at(NULL, 0));
	tr_json_free(v);
}
END_TEST

/* Many values and strings of every size: the arena's chunks, the big
 * blocks that get chunks of their own, and the writer's buffer growth. */
START_TEST(test_big_document)
{
	struct tr_buf in;
	struct tr_json *v;
	char *t, num[32];
	size_t i, k, len;
	int64_t n;

	tr_buf_init(&in);
	ck_assert_int_eq(tr_buf_append(&in, "[", 1), 0);
	for (i = 0; i < 10000; i++) {
		k = i % 2000 == 1 ? 70000 + i : i % 13;
		snprintf(num, sizeof(num), "%s{\"k\":%zu,\"s\":\"",
			 i ? "," : "", i);
		ck_assert_int_eq(tr_buf_append(&in, num, strlen(num)), 0);
		ck_assert_int_eq(tr_buf_reserve(&in, k), 0);
		memset(in.data + in.len, 'a' + (int)(i % 26), k);
		in.len += k;
		ck_assert_int_eq(tr_buf_append(&in, "\"}", 2), 0);
	}
	ck_assert_int_eq(tr_buf_append(&in, "]", 1), 0);

	ck_assert_int_eq(parse_n(in.data, in.len, NULL, &v, NULL), 0);
	ck_assert_uint_eq(tr_json_len(v), 10000);
	for (i = 0; i < 10000; i += 1 + i % 7) {
		const struct tr_json *o = tr_json_at(v, i);
		const char *s;

		ck_assert_int_eq(tr_json_int64(tr_json_get(o, "k"), &n), 0);
		ck_assert_int_eq(n, (int64_t)i);
		s = tr_json_str(tr_json_get(o, "s"), &len);
		ck_assert_uint_eq(len, i % 2000 == 1 ? 70000 + i : i % 13);
		if (len)
			ck_assert_int_eq(s[len - 1], 'a' + (int)(i % 26));
		ck_assert_int_eq(s[len], '\0');
	}
	/* Written back, it is the same text. */
	t = to_text(v);
	ck_assert_uint_eq(strlen(t), in.len);
	ck_assert_int_eq(memcmp(t, in.data, in.len), 0);
	free(t);
	tr_json_free(v);
	tr_buf_free(&in);
}
END_TEST

/* --- writing ------------------------------------------------------------- */

START_TEST(test_buf)
{
	struct tr_buf b;
	size_t i, want = 0;

	tr_buf_init(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(tr_buf_append(&b, "0123456789", i % 11), 0);
		if (i % 11)
			ck_assert_int_eq(memcmp(b.data + want, "0123456789",
						i % 11), 0);
		want += i % 11;
	}
	ck_assert_uint_eq(b.len, want);
	ck_assert_uint_ge(b.cap, b.len);
	tr_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_int_eq(tr_buf_append(&b, "x", 1), 0);
	ck_assert_int_eq(tr_buf_reserve(&b, SIZE_MAX), -TR_ENOMEM);
	ck_assert_int_eq(b.len, 1);
	tr_buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.cap, 0);
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_writer_basic)
{
	struct tr_buf b;
	struct tr_jw w;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "a");
	tr_jw_int(&w, -5);
	tr_jw_key(&w, "b");
	tr_jw_arr_begin(&w);
	tr_jw_uint(&w, UINT64_MAX);
	tr_jw_int(&w, INT64_MIN);
	tr_jw_int(&w, 0);
	tr_jw_bool(&w, true);
	tr_jw_bool(&w, false);
	tr_jw_null(&w);
	tr_jw_arr_begin(&w);
	tr_jw_arr_end(&w);
	tr_jw_obj_begin(&w);
	tr_jw_obj_end(&w);
	tr_jw_raw(&w, "{\"r\":1}", 7);
	tr_jw_str(&w, "x", 1);
	tr_jw_end(&w);
	tr_jw_keyn(&w, "c\"d", 3);
	tr_jw_double(&w, 0.5);
	tr_jw_key(&w, "e");
	tr_jw_cstr(&w, "s");
	tr_jw_key(&w, "f");
	tr_jw_base64(&w, "foob", 4);
	ck_assert_int_eq(tr_jw_obj_end(&w), 0);
	ck_assert_int_eq(tr_jw_error(&w), 0);
	ck_assert_str_eq(buf_str(&b),
			 "{\"a\":-5,\"b\":[18446744073709551615,"
			 "-9223372036854775808,0,true,false,null,[],{},"
			 "{\"r\":1},\"x\"],\"c\\\"d\":0.5,\"e\":\"s\","
			 "\"f\":\"Zm9vYg==\"}");
	/* Values at depth 0 follow each other with nothing between. */
	tr_buf_reset(&b);
	tr_jw_init(&w, &b);
	tr_jw_int(&w, 1);
	tr_jw_int(&w, 2);
	ck_assert_str_eq(buf_str(&b), "12");
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_writer_misuse)
{
	struct tr_buf b;
	struct tr_jw w;
	int i;

	tr_buf_init(&b);
	/* A value in an object without its key; the error then sticks. */
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	ck_assert_int_eq(tr_jw_int(&w, 1), -TR_EINVAL);
	ck_assert_int_eq(tr_jw_key(&w, "a"), -TR_EINVAL);
	ck_assert_int_eq(tr_jw_obj_end(&w), -TR_EINVAL);
	ck_assert_int_eq(tr_jw_error(&w), -TR_EINVAL);

	/* A key in an array, at depth 0, or twice in a row. */
	tr_jw_init(&w, &b);
	tr_jw_arr_begin(&w);
	ck_assert_int_eq(tr_jw_key(&w, "a"), -TR_EINVAL);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_key(&w, "a"), -TR_EINVAL);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "a");
	ck_assert_int_eq(tr_jw_key(&w, "b"), -TR_EINVAL);

	/* Closers that do not match, or with a key waiting for its value. */
	tr_jw_init(&w, &b);
	tr_jw_arr_begin(&w);
	ck_assert_int_eq(tr_jw_obj_end(&w), -TR_EINVAL);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	ck_assert_int_eq(tr_jw_arr_end(&w), -TR_EINVAL);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_end(&w), -TR_EINVAL);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "a");
	ck_assert_int_eq(tr_jw_obj_end(&w), -TR_EINVAL);

	/* The fixed stack: TR_JW_MAX_DEPTH levels, not one more. */
	tr_jw_init(&w, &b);
	for (i = 0; i < TR_JW_MAX_DEPTH; i++)
		ck_assert_int_eq(tr_jw_arr_begin(&w), 0);
	ck_assert_int_eq(tr_jw_arr_begin(&w), -TR_ERANGE);
	ck_assert_int_eq(tr_jw_null(&w), -TR_ERANGE);
	tr_buf_free(&b);
}
END_TEST

/* The text tr_jw_str writes for n bytes. */
static char *
str_text(const char *s, size_t n)
{
	struct tr_buf b;
	struct tr_jw w;
	char *r;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_str(&w, s, n), 0);
	r = strdup(buf_str(&b));
	tr_buf_free(&b);
	return r;
}

START_TEST(test_writer_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		/* Not UTF-8: each bad byte as \u00XX, good ones kept. */
		{ "a\xff" "b", "\"a\\u00ffb\"" },
		{ "\xc3", "\"\\u00c3\"" },
		{ "\xc3" "a", "\"\\u00c3a\"" },
		{ "\x80\xbf", "\"\\u0080\\u00bf\"" },
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xe2\x82\xac\xe2\x82", "\"\xe2\x82\xac\\u00e2\\u0082\"" },
	};
	struct tr_json *v;
	size_t i, len;
	char in[2], want[16], *t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = str_text(cases[i].in, strlen(cases[i].in));
		ck_assert_msg(!strcmp(t, cases[i].out),
			      "case %zu: '%s', want '%s'", i, t, cases[i].out);
		/* Always valid JSON. */
		v = parse_ok(t);
		tr_json_free(v);
		free(t);
	}
	/* Every control character. */
	for (i = 0; i < 0x20; i++) {
		const char *named = strchr("\bb\ff\nn\rr\tt", (int)i);

		in[0] = (char)i;
		if (i && named)
			snprintf(want, sizeof(want), "\"\\%c\"", named[1]);
		else
			snprintf(want, sizeof(want), "\"\\u%04zx\"", i);
		t = str_text(in, 1);
		ck_assert_str_eq(t, want);
		v = parse_ok(t);
		ck_assert_uint_eq(v->u.str.len, 1);
		ck_assert_int_eq(v->u.str.s[0], (char)i);
		tr_json_free(v);
		free(t);
	}
	/* Every byte value alone: valid JSON, and ASCII comes back. */
	for (i = 0; i < 256; i++) {
		in[0] = (char)i;
		t = str_text(in, 1);
		v = parse_ok(t);
		tr_json_str(v, &len);
		if (i < 0x80)
			ck_assert_int_eq(v->u.str.s[0], (char)i);
		else
			ck_assert_uint_eq(len, 2); /* U+00XX in UTF-8 */
		tr_json_free(v);
		free(t);
	}
}
END_TEST

START_TEST(test_writer_double)
{
	static const struct {
		double d;
		const char *out;
	} cases[] = {
		{ 0.0, "0.0" },
		{ -0.0, "-0.0" },
		{ 0.1, "0.1" },
		{ 2.0, "2.0" },
		{ -2.5, "-2.5" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ 2.0 / 3, "0.6666666666666666" },
		{ 123456789.0, "123456789.0" },
		{ 1e300, "1e+300" },
		{ 1e21, "1e+21" },
		{ 1.5e-7, "1.5e-07" },
		{ 9007199254740993.0, "9007199254740992.0" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ NAN, "null" },
		{ INFINITY, "null" },
		{ -INFINITY, "null" },
	};
	struct tr_buf b;
	struct tr_jw w;
	size_t i;

	tr_buf_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf_reset(&b);
		tr_jw_init(&w, &b);
		ck_assert_int_eq(tr_jw_double(&w, cases[i].d), 0);
		ck_assert_str_eq(buf_str(&b), cases[i].out);
	}
	/* In arrays too, with the commas. */
	tr_buf_reset(&b);
	tr_jw_init(&w, &b);
	tr_jw_arr_begin(&w);
	tr_jw_double(&w, NAN);
	tr_jw_double(&w, 1.25);
	tr_jw_arr_end(&w);
	ck_assert_str_eq(buf_str(&b), "[null,1.25]");

	/* Random finite doubles read back bit for bit, and as non-integers. */
	rng_state = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 3000; i++) {
		uint64_t bits = rng();
		struct tr_json *v;
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		tr_buf_reset(&b);
		tr_jw_init(&w, &b);
		ck_assert_int_eq(tr_jw_double(&w, d), 0);
		v = parse_ok(buf_str(&b));
		ck_assert_int_eq(v->kind, TR_JSON_NUMBER);
		ck_assert(!tr_json_is_int(v));
		ck_assert_msg(!memcmp(&v->u.num.d, &d, sizeof(d)),
			      "%a wrote '%s'", d, b.data);
		tr_json_free(v);
	}
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_writer_value_depth)
{
	struct tr_buf b;
	struct tr_jw w;
	struct tr_json *v;
	char *s = nested(64, true);
	unsigned i;

	/* A tree of 64 levels fits the writer alone, not inside 100 open
	 * levels of its own. */
	v = parse_ok(s);
	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_value(&w, v), 0);
	ck_assert_str_eq(buf_str(&b), s);
	tr_buf_reset(&b);
	tr_jw_init(&w, &b);
	for (i = 0; i < 100; i++)
		tr_jw_arr_begin(&w);
	ck_assert_int_eq(tr_jw_value(&w, v), -TR_ERANGE);
	/* NULL writes null. */
	tr_buf_reset(&b);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_jw_value(&w, NULL), 0);
	ck_assert_str_eq(buf_str(&b), "null");
	tr_json_free(v);
	tr_buf_free(&b);
	free(s);
}
END_TEST

/* --- base64 -------------------------------------------------------------- */

START_TEST(test_base64_rfc4648)
{
	/* RFC 4648, section 10. */
	static const char *const vec[][2] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	unsigned char all[256], back[256];
	char enc[TR_BASE64_ENCODED_LEN(256)], out[16];
	size_t i, n, len;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		n = tr_base64_encode(vec[i][0], strlen(vec[i][0]), out);
		ck_assert_uint_eq(n, strlen(vec[i][1]));
		ck_assert_uint_eq(n, TR_BASE64_ENCODED_LEN(strlen(vec[i][0])));
		ck_assert_mem_eq(out, vec[i][1], n);
		ck_assert_int_eq(tr_base64_decode(vec[i][1], n, out, &len), 0);
		ck_assert_uint_eq(len, strlen(vec[i][0]));
		ck_assert_mem_eq(out, vec[i][0], len);
	}
	/* Every byte value, at every length up to 256. */
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	for (i = 0; i <= 256; i++) {
		n = tr_base64_encode(all, i, enc);
		ck_assert_uint_eq(n, TR_BASE64_ENCODED_LEN(i));
		ck_assert_int_eq(tr_base64_decode(enc, n, back, &len), 0);
		ck_assert_uint_eq(len, i);
		ck_assert_int_eq(memcmp(back, all, i), 0);
	}
	n = tr_base64_encode("\xfb\xff\xbf", 3, out);
	ck_assert_mem_eq(out, "+/+/", 4);
}
END_TEST

/* The SIMD encoders (SSSE3, AVX2) against RFC 4648's definition done
 * one group at a time, at every length up to 3000 and five alignments,
 * and the decoder back. */
START_TEST(test_base64_simd)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
				"wxyz0123456789+/";
	unsigned char *in = malloc(3100), *back = malloc(3100);
	char *ref = malloc(4200), *out = malloc(4200);
	uint32_t seed = 12345;

	for (size_t i = 0; i < 3100; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = (unsigned char)(seed >> 16);
	}
	for (size_t n = 0; n <= 3000; n++) {
		for (size_t off = 0; off < 5; off++) {
			const unsigned char *s = in + off;
			size_t k = 0, m, len;

			for (size_t i = 0; i + 3 <= n; i += 3) {
				uint32_t v = (uint32_t)s[i] << 16 |
					     (uint32_t)s[i + 1] << 8 | s[i + 2];

				ref[k++] = a[v >> 18];
				ref[k++] = a[v >> 12 & 63];
				ref[k++] = a[v >> 6 & 63];
				ref[k++] = a[v & 63];
			}
			if (n % 3) {
				uint32_t v = (uint32_t)s[n - n % 3] << 16 |
					     (n % 3 == 2 ?
					      (uint32_t)s[n - 1] << 8 : 0);

				ref[k++] = a[v >> 18];
				ref[k++] = a[v >> 12 & 63];
				ref[k++] = n % 3 == 2 ? a[v >> 6 & 63] : '=';
				ref[k++] = '=';
			}
			m = tr_base64_encode(s, n, out);
			ck_assert_uint_eq(m, k);
			ck_assert(memcmp(out, ref, k) == 0);
			ck_assert_int_eq(tr_base64_decode(out, m, back, &len),
					 0);
			ck_assert_uint_eq(len, n);
			ck_assert(memcmp(back, s, n) == 0);
		}
	}
	free(in);
	free(back);
	free(ref);
	free(out);
}
END_TEST

START_TEST(test_base64_reject)
{
	static const char *const bad[] = {
		"Zg=",      /* length not a multiple of 4 */
		"Zg",
		"Z",
		"Zm9vY",
		"Z===",     /* too much padding */
		"====",
		"Zh==",     /* bits left over by the padding not zero */
		"Zm9=",
		"Zm=v",     /* '=' in the middle */
		"Zg==Zg==",
		"=Zg=",
		"Zm9v\n",   /* whitespace */
		"Zm9 v",
		"Zm9v\r\n",
		" Zm9v",
		"Zm-v",     /* base64url alphabet */
		"Zm_v",
		"Zm9\x80",
		"Zm9\0",
	};
	char out[16];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);

		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			n = 4; /* with its NUL */
		ck_assert_msg(tr_base64_decode(bad[i], n, out, &len) ==
				      -TR_EINVAL,
			      "'%s' accepted", bad[i]);
	}
}
END_TEST

/* --- JSON-RPC requests --------------------------------------------------- */

START_TEST(test_rpc_valid)
{
	struct tr_rpc_request req;
	struct tr_rpc_error err;
	const char *line;
	int64_t i;
	uint64_t u;

	line = "{\"jsonrpc\":\"2.0\",\"method\":\"attach\","
	       "\"params\":{\"pid\":42},\"id\":1}";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert_str_eq(req.method, "attach");
	ck_assert_uint_eq(req.method_len, 6);
	ck_assert_int_eq(tr_json_int64(tr_json_get(req.params, "pid"), &i), 0);
	ck_assert_int_eq(i, 42);
	ck_assert_int_eq(tr_json_int64(req.id, &i), 0);
	ck_assert_int_eq(i, 1);
	ck_assert(!tr_rpc_is_notification(&req));
	tr_rpc_request_free(&req);
	ck_assert_ptr_null(req.root);

	/* Members in any order, params an array, id a string, extras kept
	 * out of the way. */
	line = " {\"id\":\"a-1\",\"params\":[1,2],\"x\":{},\"method\":\"step\","
	       "\"jsonrpc\":\"2.0\"} ";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert_str_eq(req.method, "step");
	ck_assert_int_eq(req.params->kind, TR_JSON_ARRAY);
	ck_assert_str_eq(tr_json_str(req.id, NULL), "a-1");
	tr_rpc_request_free(&req);

	/* No params; id null (a request still: it gets a reply). */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":null}";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert_ptr_null(req.params);
	ck_assert_ptr_nonnull(req.id);
	ck_assert_int_eq(req.id->kind, TR_JSON_NULL);
	ck_assert(!tr_rpc_is_notification(&req));
	tr_rpc_request_free(&req);

	/* A notification: no id. */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"cancel\",\"params\":{}}";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert(tr_rpc_is_notification(&req));
	ck_assert_ptr_null(req.id);
	tr_rpc_request_free(&req);

	/* Ids at the ends of the integer ranges. */
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"m\","
	       "\"id\":18446744073709551615}";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert_int_eq(tr_json_uint64(req.id, &u), 0);
	ck_assert(u == UINT64_MAX);
	tr_rpc_request_free(&req);
	line = "{\"jsonrpc\":\"2.0\",\"method\":\"m\","
	       "\"id\":-9223372036854775808}";
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL, &req,
					      &err), 0);
	ck_assert_int_eq(tr_json_int64(req.id, &i), 0);
	ck_assert(i == INT64_MIN);
	tr_rpc_request_free(&req);
	tr_rpc_request_free(&req); /* twice is harmless */
}
END_TEST

static const struct {
	const char *in;
	int code;
	const char *id; /* the recovered id as the writer writes it, or NULL */
	const char *msg;
} rpc_bad[] = {
	{ "{\"method\":\"m\",\"id\":1}", TR_RPC_INVALID_REQUEST, "1",
	  "missing \"jsonrpc\"" },
	{ "{\"jsonrpc\":\"1.0\",\"method\":\"m\",\"id\":1}",
	  TR_RPC_INVALID_REQUEST, "1", "\"jsonrpc\" must be \"2.0\"" },
	{ "{\"jsonrpc\":2.0,\"method\":\"m\",\"id\":\"x\"}",
	  TR_RPC_INVALID_REQUEST, "\"x\"", "\"jsonrpc\" must be \"2.0\"" },
	{ "{\"jsonrpc\":\"2.0 \",\"method\":\"m\"}", TR_RPC_INVALID_REQUEST,
	  NULL, "must be \"2.0\"" },
	{ "{\"jsonrpc\":\"2.0\",\"id\":7}", TR_RPC_INVALID_REQUEST, "7",
	  "missing \"method\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":7}", TR_RPC_INVALID_REQUEST,
	  "7", "\"method\" must be a string" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":null,\"id\":7}",
	  TR_RPC_INVALID_REQUEST, "7", "\"method\" must be a string" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"st\\u0000ep\",\"id\":7}",
	  TR_RPC_INVALID_REQUEST, "7", "NUL" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":3,\"id\":null}",
	  TR_RPC_INVALID_REQUEST, "null",
	  "\"params\" must be an object or an array" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":\"x\",\"id\":2}",
	  TR_RPC_INVALID_REQUEST, "2", "\"params\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":null,\"id\":2}",
	  TR_RPC_INVALID_REQUEST, "2", "\"params\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1.5}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1.0}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1e2}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":{\"a\":1}}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":[1]}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":true}",
	  TR_RPC_INVALID_REQUEST, NULL, "\"id\" must be" },
	/* an invalid id spoils even an otherwise invalid request's reply */
	{ "{\"method\":1,\"id\":{}}", TR_RPC_INVALID_REQUEST, NULL,
	  "\"id\" must be" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"method\":\"b\",\"id\":3}",
	  TR_RPC_INVALID_REQUEST, "3", "duplicate member \"method\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":3,\"id\":4}",
	  TR_RPC_INVALID_REQUEST, NULL, "duplicate member \"id\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"method\":\"b\",\"id\":3,"
	  "\"id\":4}", TR_RPC_INVALID_REQUEST, NULL,
	  "duplicate member \"method\"" },
	{ "{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":5}",
	  TR_RPC_INVALID_REQUEST, "5", "duplicate member \"jsonrpc\"" },
	{ "[{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1}]",
	  TR_RPC_INVALID_REQUEST, NULL, "batches are not supported" },
	{ "[]", TR_RPC_INVALID_REQUEST, NULL, "batches are not supported" },
	{ "\"ping\"", TR_RPC_INVALID_REQUEST, NULL, "must be an object" },
	{ "42", TR_RPC_INVALID_REQUEST, NULL, "must be an object" },
	{ "{}", TR_RPC_INVALID_REQUEST, NULL, "missing \"jsonrpc\"" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":1", TR_RPC_PARSE_ERROR,
	  NULL, "parse error at byte 36: unexpected end of input" },
	{ "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":01}",
	  TR_RPC_PARSE_ERROR, NULL, "at byte 35: leading zero" },
	{ "", TR_RPC_PARSE_ERROR, NULL, "at byte 0" },
	{ "\xff", TR_RPC_PARSE_ERROR, NULL, "byte 0xff" },
};

/* The id field of a reply, as text. */
static char *
reply_id_text(const struct tr_json *reply)
{
	const struct tr_json *id = tr_json_get(reply, "id");

	ck_assert_ptr_nonnull(id);
	return to_text(id);
}

/* Check that buf holds exactly one message, one line ending in '\n', and
 * parse it. */
static struct tr_json *
parse_reply(const struct tr_buf *b, size_t from)
{
	const char *s = b->data + from;
	size_t n = b->len - from;
	struct tr_json *v;
	struct tr_json_error err;

	ck_assert_uint_gt(n, 1);
	ck_assert_int_eq(s[n - 1], '\n');
	ck_assert_ptr_eq(memchr(s, '\n', n), s + n - 1);
	ck_assert_msg(parse_n(s, n - 1, NULL, &v, &err) == 0,
		      "reply '%.*s': %s", (int)n, s, err.message);
	ck_assert_str_eq(tr_json_str(tr_json_get(v, "jsonrpc"), NULL), "2.0");
	return v;
}

START_TEST(test_rpc_invalid)
{
	struct tr_rpc_request req;
	struct tr_rpc_error err;
	struct tr_buf b;
	size_t i;

	tr_buf_init(&b);
	for (i = 0; i < sizeof(rpc_bad) / sizeof(rpc_bad[0]); i++) {
		const char *in = rpc_bad[i].in;
		char *copy = exact_copy(in, strlen(in)), *t;
		struct tr_json *reply;
		int64_t code;
		int rc;

		rc = tr_rpc_parse_request(copy, strlen(in), NULL, &req, &err);
		free(copy);
		ck_assert_msg(rc < 0, "'%s' accepted", in);
		ck_assert_msg(err.code == rpc_bad[i].code, "'%s': code %d", in,
			      err.code);
		ck_assert_msg(strstr(err.message, rpc_bad[i].msg),
			      "'%s': message '%s' lacks '%s'", in, err.message,
			      rpc_bad[i].msg);
		ck_assert_int_eq(err.has_id, rpc_bad[i].id != NULL);
		ck_assert_int_eq(err.id != NULL, rpc_bad[i].id != NULL);

		/* The error reply carries the recovered id, or null. */
		tr_buf_reset(&b);
		ck_assert_int_eq(tr_rpc_write_error(&b, err.id, err.code,
						    err.message, NULL), 0);
		tr_rpc_request_free(&req);
		reply = parse_reply(&b, 0);
		t = reply_id_text(reply);
		ck_assert_str_eq(t, rpc_bad[i].id ? rpc_bad[i].id : "null");
		free(t);
		ck_assert_int_eq(tr_json_int64(tr_json_get(tr_json_get(reply,
				 "error"), "code"), &code), 0);
		ck_assert_int_eq(code, rpc_bad[i].code);
		ck_assert_str_eq(tr_json_str(tr_json_get(tr_json_get(reply,
				 "error"), "message"), NULL), err.message);
		ck_assert_ptr_null(tr_json_get(reply, "result"));
		tr_json_free(reply);
	}
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_rpc_limits)
{
	struct tr_json_limits lim = { .max_depth = 2 };
	struct tr_rpc_request req;
	struct tr_rpc_error err;
	const char *line = "{\"jsonrpc\":\"2.0\",\"method\":\"m\","
			   "\"params\":[[1]],\"id\":1}";

	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), &lim, &req,
					      &err), -TR_ERANGE);
	ck_assert_int_eq(err.code, TR_RPC_PARSE_ERROR);
	ck_assert_ptr_nonnull(strstr(err.message,
				     "at byte 40: nesting deeper than 2"));
	ck_assert(!err.has_id);
	tr_rpc_request_free(&req);
	lim.max_depth = 3;
	ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), &lim, &req,
					      &err), 0);
	tr_rpc_request_free(&req);
}
END_TEST

/* Ids as they come in requests, and as replies must echo them. */
static const char *const echo_ids[] = {
	"0", "42", "-7", "18446744073709551615", "-9223372036854775808",
	"\"abc\"", "\"\"", "\"a\\\"b\\\\c\"", "\"\xc3\xa9\\n\\u0000\"",
	"null",
};

START_TEST(test_rpc_reply_echo)
{
	struct tr_rpc_request req;
	struct tr_rpc_error err;
	struct tr_buf b;
	struct tr_jw w;
	size_t i;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	for (i = 0; i < sizeof(echo_ids) / sizeof(echo_ids[0]); i++) {
		char line[256], *t, *want;
		struct tr_json *reply, *idv;
		const struct tr_json *res, *e;
		size_t from;

		snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"id\":%s}",
			 echo_ids[i]);
		ck_assert_int_eq(tr_rpc_parse_request(line, strlen(line), NULL,
						      &req, &err), 0);
		idv = parse_ok(echo_ids[i]);
		want = to_text(idv);
		tr_json_free(idv);

		/* A result... */
		from = b.len;
		ck_assert_int_eq(tr_rpc_begin_result(&w, req.id), 0);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "n");
		tr_jw_uint(&w, i);
		tr_jw_obj_end(&w);
		ck_assert_int_eq(tr_rpc_end(&w), 0);
		reply = parse_reply(&b, from);
		t = reply_id_text(reply);
		ck_assert_str_eq(t, want);
		free(t);
		res = tr_json_get(reply, "result");
		ck_assert_int_eq(tr_json_len(res), 1);
		ck_assert(tr_json_is_int(tr_json_get(res, "n")));
		ck_assert_ptr_null(tr_json_get(reply, "error"));
		tr_json_free(reply);

		/* ... and an error with data, appended to the same buffer. */
		from = b.len;
		ck_assert_int_eq(tr_rpc_begin_error(&w, req.id,
				 TR_RPC_SERVER_ERROR - 5, "target gone"), 0);
		tr_jw_key(&w, "data");
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "errno");
		tr_jw_int(&w, -5);
		ck_assert_int_eq(tr_rpc_end(&w), 0);
		reply = parse_reply(&b, from);
		t = reply_id_text(reply);
		ck_assert_str_eq(t, want);
		free(t);
		e = tr_json_get(reply, "error");
		ck_assert_str_eq(tr_json_str(tr_json_get(e, "message"), NULL),
				 "target gone");
		ck_assert(tr_json_is_int(tr_json_get(tr_json_get(e, "data"),
						     "errno")));
		tr_json_free(reply);

		/* ... and a result the caller forgot: null. */
		from = b.len;
		tr_rpc_begin_result(&w, req.id);
		ck_assert_int_eq(tr_rpc_end(&w), 0);
		reply = parse_reply(&b, from);
		ck_assert_int_eq(tr_json_get(reply, "result")->kind,
				 TR_JSON_NULL);
		tr_json_free(reply);
		free(want);
		tr_rpc_request_free(&req);
	}
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_rpc_write_error)
{
	struct tr_json *reply, *id = parse_ok("\"q\"");
	const struct tr_json *e;
	struct tr_buf b;

	tr_buf_init(&b);
	ck_assert_int_eq(tr_rpc_write_error(&b, NULL, TR_RPC_METHOD_NOT_FOUND,
					    NULL, NULL), 0);
	ck_assert_str_eq(buf_str(&b),
			 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
			 "-32601,\"message\":\"Method not found\"}}\n");
	tr_buf_reset(&b);
	ck_assert_int_eq(tr_rpc_write_error(&b, id, TR_RPC_INVALID_PARAMS,
					    "bad \"pid\"",
					    "{\"field\":\"pid\"}"), 0);
	reply = parse_reply(&b, 0);
	e = tr_json_get(reply, "error");
	ck_assert_str_eq(tr_json_str(tr_json_get(e, "message"), NULL),
			 "bad \"pid\"");
	ck_assert_str_eq(tr_json_str(tr_json_get(tr_json_get(e, "data"),
						 "field"), NULL), "pid");
	ck_assert_str_eq(tr_json_str(tr_json_get(reply, "id"), NULL), "q");
	tr_json_free(reply);

	ck_assert_str_eq(tr_rpc_strerror(TR_RPC_PARSE_ERROR), "Parse error");
	ck_assert_str_eq(tr_rpc_strerror(TR_RPC_INVALID_REQUEST),
			 "Invalid Request");
	ck_assert_str_eq(tr_rpc_strerror(TR_RPC_INVALID_PARAMS),
			 "Invalid params");
	ck_assert_str_eq(tr_rpc_strerror(TR_RPC_INTERNAL_ERROR),
			 "Internal error");
	ck_assert_str_eq(tr_rpc_strerror(-32050), "Server error");
	ck_assert_str_eq(tr_rpc_strerror(1), "Unknown error");
	tr_json_free(id);
	tr_buf_free(&b);
}
END_TEST

START_TEST(test_rpc_notification_and_rollback)
{
	struct tr_json *msg;
	struct tr_buf b;
	struct tr_jw w;
	size_t before;
	int i;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	ck_assert_int_eq(tr_rpc_begin_notification(&w, "stopped"), 0);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "tid");
	tr_jw_int(&w, 1234);
	tr_jw_key(&w, "reason");
	tr_jw_cstr(&w, "breakpoint");
	ck_assert_int_eq(tr_rpc_end(&w), 0);
	ck_assert_str_eq(buf_str(&b),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"stopped\","
			 "\"params\":"
			 "{\"tid\":1234,\"reason\":\"breakpoint\"}}\n");
	msg = parse_reply(&b, 0);
	ck_assert_ptr_null(tr_json_get(msg, "id"));
	tr_json_free(msg);

	/* A message that goes wrong is cut off whole; the next one is
	 * fine. */
	before = b.len;
	tr_rpc_begin_result(&w, NULL);
	tr_jw_obj_begin(&w);
	tr_jw_int(&w, 1); /* no key */
	ck_assert_int_eq(tr_rpc_end(&w), -TR_EINVAL);
	ck_assert_uint_eq(b.len, before);
	tr_rpc_begin_result(&w, NULL);
	for (i = 0; i < TR_JW_MAX_DEPTH; i++)
		tr_jw_arr_begin(&w);
	ck_assert_int_eq(tr_rpc_end(&w), -TR_ERANGE);
	ck_assert_uint_eq(b.len, before);
	ck_assert_int_eq(tr_rpc_begin_result(&w, NULL), 0);
	tr_jw_arr_begin(&w);
	tr_jw_arr_begin(&w);
	ck_assert_int_eq(tr_rpc_end(&w), 0); /* closes what is open */
	msg = parse_reply(&b, before);
	ck_assert_int_eq(tr_json_len(tr_json_get(msg, "result")), 1);
	tr_json_free(msg);
	tr_buf_free(&b);
}
END_TEST

/* --- framing ------------------------------------------------------------- */

/* Events of a framer as text: lines as they are, TOO_LONG as "!", each
 * followed by '|'. */
static void
drain(struct tr_rpc_framer *f, struct tr_buf *ev)
{
	const char *line;
	size_t len;
	int r;

	while ((r = tr_rpc_framer_next(f, &line, &len)) != TR_RPC_FRAME_NONE) {
		if (r == TR_RPC_FRAME_TOO_LONG) {
			ck_assert_int_eq(tr_buf_append(ev, "!", 1), 0);
		} else {
			ck_assert_int_eq(r, TR_RPC_FRAME_LINE);
			ck_assert_uint_gt(len, 0);
			ck_assert_uint_le(len, f->max_line);
			ck_assert_ptr_null(memchr(line, '\n', len));
			ck_assert_int_eq(tr_buf_append(ev, line, len), 0);
		}
		ck_assert_int_eq(tr_buf_append(ev, "|", 1), 0);
	}
}

/* Feed s in chunks of the given size, draining after each. */
static void
feed_chunks(struct tr_rpc_framer *f, const char *s, size_t n, size_t chunk,
	    struct tr_buf *ev)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < chunk ? n - i : chunk;
		ck_assert_int_eq(tr_rpc_framer_feed(f, s + i, k), 0);
		drain(f, ev);
	}
}

START_TEST(test_framer_split)
{
	static const char stream[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":1}\n"
		"second line\n"
		"x\n"
		"the last one, a bit longer than the others\n"
		"incomplete";
	struct tr_rpc_framer f;
	struct tr_buf ev;
	size_t chunk;

	tr_buf_init(&ev);
	for (chunk = 1; chunk <= sizeof(stream); chunk++) {
		tr_rpc_framer_init(&f, 0);
		ck_assert_uint_eq(f.max_line, TR_RPC_DEFAULT_MAX_LINE);
		tr_buf_reset(&ev);
		feed_chunks(&f, stream, sizeof(stream) - 1, chunk, &ev);
		ck_assert_str_eq(buf_str(&ev),
				 "{\"jsonrpc\":\"2.0\",\"method\":\"a\","
				 "\"id\":1}|"
				 "second line|x|"
				 "the last one, a bit longer than the others|");
		/* The incomplete line comes out once ended. */
		ck_assert_int_eq(tr_rpc_framer_feed(&f, "!\n", 2), 0);
		drain(&f, &ev);
		ck_assert_ptr_nonnull(strstr(buf_str(&ev), "|incomplete!|"));
		tr_rpc_framer_free(&f);
	}
	tr_buf_free(&ev);
}
END_TEST

START_TEST(test_framer_crlf_empty)
{
	static const char stream[] =
		"\n\r\n\n a\r\n\r\nb\rc\n\r\r\n\n\nd\r\r\nlast\r";
	struct tr_rpc_framer f;
	struct tr_buf ev;
	size_t chunk;

	tr_buf_init(&ev);
	for (chunk = 1; chunk < sizeof(stream); chunk++) {
		tr_rpc_framer_init(&f, 64);
		tr_buf_reset(&ev);
		feed_chunks(&f, stream, sizeof(stream) - 1, chunk, &ev);
		/* Only one '\r' goes with the '\n'; one in the middle stays;
		 * "\r" alone is an empty line. */
		ck_assert_str_eq(buf_str(&ev), " a|b\rc|\r|d\r|");
		tr_rpc_framer_free(&f);
	}
	tr_buf_free(&ev);
}
END_TEST

START_TEST(test_framer_exact_max)
{
	static const struct {
		const char *in, *ev;
	} cases[] = {
		{ "0123456789\n", "0123456789|" },
		{ "0123456789\r\n", "0123456789|" },
		{ "0123456789a\n", "!|" },
		{ "0123456789a\r\n", "!|" },
		{ "0123456789\r\r\n", "!|" },
		{ "0123456789ab\n", "!|" },
		{ "012345678\r\n0123456789\n0123456789a\nok\n",
		  "012345678|0123456789|!|ok|" },
	};
	struct tr_rpc_framer f;
	struct tr_buf ev;
	size_t i, chunk;

	tr_buf_init(&ev);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (chunk = 1; chunk <= strlen(cases[i].in); chunk++) {
			tr_rpc_framer_init(&f, 10);
			tr_buf_reset(&ev);
			feed_chunks(&f, cases[i].in, strlen(cases[i].in), chunk,
				    &ev);
			ck_assert_msg(!strcmp(buf_str(&ev), cases[i].ev),
				      "case %zu chunk %zu: '%s'", i, chunk,
				      ev.data);
			tr_rpc_framer_free(&f);
		}
	}
	tr_buf_free(&ev);
}
END_TEST

START_TEST(test_framer_oversized)
{
	struct tr_rpc_framer f;
	struct tr_buf ev;
	char *big = malloc(1000);
	size_t chunk;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 1000);
	tr_buf_init(&ev);
	for (chunk = 1; chunk <= 1000; chunk = chunk * 3 + 1) {
		tr_rpc_framer_init(&f, 16);
		tr_buf_reset(&ev);
		feed_chunks(&f, "good 1\n", 7, chunk, &ev);
		feed_chunks(&f, big, 1000, chunk, &ev);
		/* Reported as soon as it is known to be too long, before its
		 * end arrives; memory stays within the maximum. */
		ck_assert_str_eq(buf_str(&ev), "good 1|!|");
		ck_assert_uint_le(f.cap, 16 + 2);
		feed_chunks(&f, "xx\n{\"good\":2}\n", 14, chunk, &ev);
		ck_assert_str_eq(buf_str(&ev), "good 1|!|{\"good\":2}|");
		tr_rpc_framer_free(&f);
	}
	/* Several in one feed keep their order. */
	tr_rpc_framer_init(&f, 4);
	tr_buf_reset(&ev);
	feed_chunks(&f, "a\nlonger\nb\r\n\nlonger still\r\nc\n12345", 34, 34,
		    &ev);
	/* "12345" is one over, but could still end in "\r\n". */
	ck_assert_str_eq(buf_str(&ev), "a|!|b|!|c|");
	feed_chunks(&f, "6\nd\n", 4, 4, &ev);
	ck_assert_str_eq(buf_str(&ev), "a|!|b|!|c|!|d|");
	tr_rpc_framer_free(&f);
	tr_buf_free(&ev);
	free(big);
}
END_TEST

START_TEST(test_framer_endless)
{
	struct tr_rpc_framer f;
	struct tr_buf ev;
	char chunk[4096];
	size_t i;

	/* 8 MiB without a newline, maximum 1 KiB: the framer holds at most
	 * the maximum, reports the line once, and then works again. */
	memset(chunk, 'y', sizeof(chunk));
	tr_buf_init(&ev);
	tr_rpc_framer_init(&f, 1024);
	for (i = 0; i < 2048; i++) {
		ck_assert_int_eq(tr_rpc_framer_feed(&f, chunk, 1000 + i % 7),
				 0);
		drain(&f, &ev);
		ck_assert_uint_le(f.cap, 1024 + 2);
		ck_assert_uint_le(f.len, 1024 + 2);
	}
	ck_assert_str_eq(buf_str(&ev), "!|");
	feed_chunks(&f, "y\r\n{\"ok\":1}\n", 12, 5, &ev);
	ck_assert_str_eq(buf_str(&ev), "!|{\"ok\":1}|");
	/* Drained, the framer gives big buffers back. */
	tr_rpc_framer_free(&f);
	tr_rpc_framer_init(&f, 1 << 20);
	{
		char *line = malloc(300000);

		ck_assert_ptr_nonnull(line);
		memset(line, 'z', 299999);
		line[299999] = '\n';
		tr_buf_reset(&ev);
		feed_chunks(&f, line, 300000, 65536, &ev);
		ck_assert_uint_eq(ev.len, 300000);
		ck_assert_uint_eq(tr_rpc_framer_next(&f, NULL, NULL),
				  TR_RPC_FRAME_NONE);
		ck_assert_ptr_null(f.buf);
		ck_assert_uint_eq(f.cap, 0);
		free(line);
	}
	tr_rpc_framer_free(&f);
	tr_buf_free(&ev);
}
END_TEST

static void
append_str(struct tr_buf *b, const char *s)
{
	ck_assert_int_eq(tr_buf_append(b, s, strlen(s)), 0);
}

/* A server loop in miniature: frame, parse, answer. */
START_TEST(test_framer_rpc_session)
{
	struct tr_rpc_framer f;
	struct tr_buf out, stream;
	struct tr_jw w;
	struct tr_json *reply;
	const char *line;
	size_t len, i, off;
	int r;
	static const char *const want[][2] = {
		{ "1", NULL },
		{ "null", "request too large" },
		{ "null", "parse error at byte 1" },
		{ "\"s\"", NULL },
		{ "null", "batches are not supported" },
	};

	tr_buf_init(&out);
	tr_buf_init(&stream);
	tr_jw_init(&w, &out);
	tr_rpc_framer_init(&f, 256);
	append_str(&stream,
		   "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"id\":1}\r\n");
	append_str(&stream,
		   "{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"params\":[\"");
	for (i = 0; i < 1000; i++)
		append_str(&stream, "0123456789");
	append_str(&stream, "\"],\"id\":2}\n");
	append_str(&stream, "{,}\n");
	append_str(&stream, "{\"jsonrpc\":\"2.0\",\"method\":\"note\"}\n");
	append_str(&stream,
		   "\n\n{\"jsonrpc\":\"2.0\",\"method\":\"b\",\"id\":\"s\"}\n");
	append_str(&stream, "[1]\n");

	for (off = 0; off < stream.len; off += 97) {
		size_t k = stream.len - off < 97 ? stream.len - off : 97;

		ck_assert_int_eq(tr_rpc_framer_feed(&f, stream.data + off, k),
				 0);
		while ((r = tr_rpc_framer_next(&f, &line, &len))) {
			struct tr_rpc_request req;
			struct tr_rpc_error err;

			if (r == TR_RPC_FRAME_TOO_LONG) {
				ck_assert_int_eq(tr_rpc_write_error(&out, NULL,
						 TR_RPC_INVALID_REQUEST,
						 "request too large", NULL), 0);
				continue;
			}
			if (tr_rpc_parse_request(line, len, NULL, &req, &err)) {
				ck_assert_int_eq(tr_rpc_write_error(&out,
						 err.id, err.code, err.message,
						 NULL), 0);
			} else if (!tr_rpc_is_notification(&req)) {
				tr_rpc_begin_result(&w, req.id);
				tr_jw_cstr(&w, req.method);
				ck_assert_int_eq(tr_rpc_end(&w), 0);
			}
			tr_rpc_request_free(&req);
		}
	}
	/* One reply per request, in order; none for the notification. */
	line = out.data;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t left = out.len - (size_t)(line - out.data);
		const char *nl = memchr(line, '\n', left);
		struct tr_buf one;
		char *id;

		ck_assert_ptr_nonnull(nl);
		tr_buf_init(&one);
		tr_buf_append(&one, line, (size_t)(nl - line) + 1);
		reply = parse_reply(&one, 0);
		id = reply_id_text(reply);
		ck_assert_str_eq(id, want[i][0]);
		free(id);
		if (want[i][1]) {
			const struct tr_json *e = tr_json_get(reply, "error");

			ck_assert_ptr_nonnull(strstr(tr_json_str(tr_json_get(e,
					"message"), NULL), want[i][1]));
		} else {
			ck_assert_ptr_nonnull(tr_json_get(reply, "result"));
		}
		tr_json_free(reply);
		tr_buf_free(&one);
		line = nl + 1;
	}
	ck_assert_ptr_eq(line, out.data + out.len);
	tr_rpc_framer_free(&f);
	tr_buf_free(&out);
	tr_buf_free(&stream);
}
END_TEST

/* --- allocation failure ------------------------------------------------ */

/* ASan and TSan both: their shadow memory and allocators need far
 * more address space than the cap leaves. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/*
 * In a child whose address space is capped a little above what it uses,
 * a 32 MiB document, string, reply and line must fail with -TR_ENOMEM (or
 * the framer's drop) rather than crash. Not under ASan, whose shadow
 * memory needs far more address space than any cap would leave; nor
 * under TSan.
 */
START_TEST(test_out_of_memory)
{
#ifdef HAVE_ASAN
	return;
#else
	enum { BIG = 32 << 20 };
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct tr_json_limits lim = { .max_string = 2 * BIG };
		char *doc = malloc(BIG + 2);
		struct tr_rpc_framer f;
		struct tr_rpc_request req;
		struct tr_rpc_error err;
		struct tr_json *v;
		struct tr_buf b;
		struct tr_jw w;
		struct rlimit rl;
		unsigned long pages;
		const char *line;
		size_t len;
		FILE *statm;

		if (!doc)
			_exit(10);
		memset(doc, 'a', BIG + 2);
		doc[0] = doc[BIG + 1] = '"';
		statm = fopen("/proc/self/statm", "r");
		if (!statm || fscanf(statm, "%lu", &pages) != 1)
			_exit(11);
		fclose(statm);
		rl.rlim_cur = pages * (rlim_t)sysconf(_SC_PAGESIZE) +
			      (16 << 20);
		rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_AS, &rl))
			_exit(12);

		if (tr_json_parse(doc, BIG + 2, &lim, &v, NULL) != -TR_ENOMEM)
			_exit(20);
		if (tr_rpc_parse_request(doc, BIG + 2, &lim, &req, &err) !=
			    -TR_ENOMEM || err.code != TR_RPC_INTERNAL_ERROR)
			_exit(21);
		tr_rpc_request_free(&req);

		tr_buf_init(&b);
		tr_jw_init(&w, &b);
		tr_rpc_begin_result(&w, NULL);
		if (tr_jw_str(&w, doc, BIG) != -TR_ENOMEM)
			_exit(30);
		if (tr_rpc_end(&w) != -TR_ENOMEM || b.len != 0)
			_exit(31);
		if (tr_rpc_begin_result(&w, NULL) || tr_jw_int(&w, 1) ||
		    tr_rpc_end(&w))
			_exit(32);
		tr_buf_free(&b);

		tr_rpc_framer_init(&f, 2 * BIG);
		if (tr_rpc_framer_feed(&f, doc, BIG) != -TR_ENOMEM)
			_exit(40);
		if (tr_rpc_framer_feed(&f, "a\nok\n", 5))
			_exit(41);
		if (tr_rpc_framer_next(&f, &line, &len) !=
		    TR_RPC_FRAME_TOO_LONG)
			_exit(42);
		if (tr_rpc_framer_next(&f, &line, &len) != TR_RPC_FRAME_LINE ||
		    len != 2 || memcmp(line, "ok", 2))
			_exit(43);
		tr_rpc_framer_free(&f);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status 0x%x", status);
#endif
}
END_TEST

/* --- fuzzing ------------------------------------------------------------ */

static const char *const fuzz_seeds[] = {
	"{\"jsonrpc\":\"2.0\",\"method\":\"attach\",\"params\":{\"pid\":42},"
	"\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"read\",\"params\":[\"0x7fff\",16],"
	"\"id\":\"r1\"}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"note\"}",
	"[1,-2.5e-3,true,false,null,\"s\\u00e9\\ud83d\\ude00\\n\",{},[]]",
	"{\"a\":{\"b\":{\"c\":[[[[\"deep\"]]]]}},"
	"\"k\\\"\":18446744073709551615}",
	"\"\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\"",
	"-9223372036854775808",
	"[0,1e308,-1E-308,123456789012345678901234567890]",
	"{\"id\":null,\"method\":\"x\",\"jsonrpc\":\"2.0\","
	"\"params\":{\"a\":[1,{\"b\":\"\\u0000\"}]}}",
};

static const char fuzz_bytes[] =
	"\"\\[]{},:0-e.u+Ed9 \n\t\x00\x80\xbf\xc3\xed\xf0\xff";

/* One of fuzz_bytes. */
static char
fuzz_byte(void)
{
	return fuzz_bytes[rng_below(sizeof(fuzz_bytes) - 1)];
}

/* A mutation of a seed (or random bytes) in buf; its length. */
static size_t
mutate(char *buf, size_t cap)
{
	const char *seed = fuzz_seeds[rng_below(sizeof(fuzz_seeds) /
						sizeof(fuzz_seeds[0]))];
	size_t n = strlen(seed), ops, i, at, k;

	if (rng_below(8) == 0) {
		n = rng_below(64);
		for (i = 0; i < n; i++)
			buf[i] = rng_below(2) ? (char)rng() : fuzz_byte();
		return n;
	}
	memcpy(buf, seed, n);
	for (ops = 1 + rng_below(4); ops--;) {
		at = rng_below(n + 1);
		switch (rng_below(6)) {
		case 0: /* flip a bit */
			if (n)
				buf[rng_below(n)] ^= (char)(1u << rng_below(8));
			break;
		case 1: /* replace by an interesting byte */
			if (n)
				buf[rng_below(n)] = fuzz_byte();
			break;
		case 2: /* insert one */
			if (n < cap) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = fuzz_byte();
				n++;
			}
			break;
		case 3: /* delete some */
			k = rng_below(n - at + 1);
			memmove(buf + at, buf + at + k, n - at - k);
			n -= k;
			break;
		case 4: /* duplicate a piece */
			k = rng_below(n - at + 1);
			if (n + k <= cap) {
				memmove(buf + at + k, buf + at, n - at);
				n += k;
			}
			break;
		default: /* truncate */
			n = at;
			break;
		}
	}
	return n;
}

START_TEST(test_fuzz_parser)
{
	struct tr_json_limits small = { .max_depth = 4, .max_values = 20,
					.max_string = 8 };
	struct tr_json_error err;
	struct tr_rpc_request req;
	struct tr_rpc_error rerr;
	struct tr_buf b;
	struct tr_jw w;
	char buf[1024];
	unsigned i, accepted = 0;

	rng_state = 0x0123456789abcdefull;
	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	for (i = 0; i < 3000; i++) {
		size_t n = mutate(buf, sizeof(buf));
		const struct tr_json_limits *lim = i % 5 ? NULL : &small;
		char *copy = exact_copy(buf, n);
		struct tr_json *v;
		int rc = tr_json_parse(copy, n, lim, &v, &err);

		if (rc == 0) {
			/* Accepted: it writes, and what it writes reads back
			 * and writes the same. */
			char *t = to_text(v), *t2;
			struct tr_json *v2 = parse_ok(t);

			t2 = to_text(v2);
			ck_assert_str_eq(t, t2);
			free(t);
			free(t2);
			tr_json_free(v);
			tr_json_free(v2);
			accepted++;
		} else {
			ck_assert_msg(rc == -TR_EINVAL || rc == -TR_ERANGE,
				      "rc %d", rc);
			ck_assert_ptr_null(v);
			ck_assert_uint_le(err.offset, n);
			ck_assert_uint_gt(strlen(err.message), 0);
		}

		/* The same as a request, answered as a server would. */
		rc = tr_rpc_parse_request(copy, n, lim, &req, &rerr);
		tr_buf_reset(&b);
		if (rc) {
			ck_assert(rerr.code == TR_RPC_PARSE_ERROR ||
				  rerr.code == TR_RPC_INVALID_REQUEST);
			ck_assert_int_eq(rerr.has_id, rerr.id != NULL);
			ck_assert_int_eq(tr_rpc_write_error(&b, rerr.id,
					 rerr.code, rerr.message, NULL), 0);
		} else {
			ck_assert_ptr_nonnull(req.method);
			tr_rpc_begin_result(&w, req.id);
			ck_assert_int_eq(tr_jw_value(&w, req.params), 0);
			ck_assert_int_eq(tr_rpc_end(&w), 0);
		}
		tr_rpc_request_free(&req);
		if (b.len) {
			struct tr_json *reply = parse_reply(&b, 0);

			tr_json_free(reply);
		}
		free(copy);
	}
	/* The mutations keep a fair share of valid documents. */
	ck_assert_uint_gt(accepted, 200);
	tr_buf_free(&b);
}
END_TEST

/* What a framer must report for a whole stream: the reference, written
 * the obvious way over the complete stream. */
static void
framer_reference(const char *s, size_t n, size_t max, struct tr_buf *ev)
{
	size_t i = 0, j, len;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);

		if (!nl) {
			/* Incomplete: reported early only once too long
			 * even if it ends in "\r\n". */
			if (n - i > max + 1)
				tr_buf_append(ev, "!|", 2);
			return;
		}
		j = (size_t)(nl - s);
		len = j - i;
		if (len && s[j - 1] == '\r')
			len--;
		if (len > max) {
			tr_buf_append(ev, "!|", 2);
		} else if (len) {
			tr_buf_append(ev, s + i, len);
			tr_buf_append(ev, "|", 1);
		}
		i = j + 1;
	}
}

START_TEST(test_fuzz_framer)
{
	static const char alphabet[] = "ab\r\n\n{\"\0";
	struct tr_buf got, want;
	char stream[600];
	unsigned iter;

	rng_state = 0xfeedfacecafebeefull;
	tr_buf_init(&got);
	tr_buf_init(&want);
	for (iter = 0; iter < 2000; iter++) {
		size_t n = rng_below(sizeof(stream)), max = 1 + rng_below(40);
		size_t i, k, run;
		struct tr_rpc_framer f;

		/* Runs of one byte make long lines and empty ones. */
		for (i = 0; i < n; i += run) {
			char c = alphabet[rng_below(sizeof(alphabet) - 1)];

			run = 1 + (rng_below(4) ? 0 : rng_below(60));
			if (run > n - i)
				run = n - i;
			memset(stream + i, c, run);
		}
		tr_buf_reset(&got);
		tr_buf_reset(&want);
		framer_reference(stream, n, max, &want);
		tr_rpc_framer_init(&f, max);
		for (i = 0; i < n; i += k) {
			char *copy;

			k = 1 + rng_below(rng_below(3) ? 8 : 200);
			if (k > n - i)
				k = n - i;
			copy = exact_copy(stream + i, k);
			ck_assert_int_eq(tr_rpc_framer_feed(&f, copy, k), 0);
			free(copy);
			/* Sometimes let lines pile up before taking them. */
			if (rng_below(3))
				drain(&f, &got);
			ck_assert_uint_le(f.len - f.tail, max + 1);
		}
		drain(&f, &got);
		ck_assert_uint_eq(got.len, want.len);
		ck_assert_int_eq(memcmp(got.data, want.data, got.len), 0);
		tr_rpc_framer_free(&f);
	}
	tr_buf_free(&got);
	tr_buf_free(&want);
}
END_TEST

Suite *
suite_proto(void)
{
	Suite *s = suite_create("proto");
	TCase *tj = tcase_create("json");
	TCase *tw = tcase_create("writer");
	TCase *tr = tcase_create("jsonrpc");
	TCase *tf = tcase_create("framer");
	TCase *tz = tcase_create("fuzz");

	tcase_add_test(tj, test_parse_scalars);
	tcase_add_test(tj, test_roundtrip);
	tcase_add_test(tj, test_reject);
	tcase_add_test(tj, test_not_nul_terminated);
	tcase_add_test(tj, test_depth_limit);
	tcase_add_test(tj, test_value_and_string_limits);
	tcase_add_test(tj, test_big_integers);
	tcase_add_test(tj, test_unicode);
	tcase_add_test(tj, test_string_nul);
	tcase_add_test(tj, test_getters);
	tcase_add_test(tj, test_big_document);
	suite_add_tcase(s, tj);

	tcase_add_test(tw, test_buf);
	tcase_add_test(tw, test_writer_basic);
	tcase_add_test(tw, test_writer_misuse);
	tcase_add_test(tw, test_writer_escape);
	tcase_add_test(tw, test_writer_double);
	tcase_add_test(tw, test_writer_value_depth);
	tcase_add_test(tw, test_base64_rfc4648);
	tcase_add_test(tw, test_base64_simd);
	tcase_add_test(tw, test_base64_reject);
	suite_add_tcase(s, tw);

	tcase_add_test(tr, test_rpc_valid);
	tcase_add_test(tr, test_rpc_invalid);
	tcase_add_test(tr, test_rpc_limits);
	tcase_add_test(tr, test_rpc_reply_echo);
	tcase_add_test(tr, test_rpc_write_error);
	tcase_add_test(tr, test_rpc_notification_and_rollback);
	suite_add_tcase(s, tr);

	tcase_add_test(tf, test_framer_split);
	tcase_add_test(tf, test_framer_crlf_empty);
	tcase_add_test(tf, test_framer_exact_max);
	tcase_add_test(tf, test_framer_oversized);
	tcase_add_test(tf, test_framer_endless);
	tcase_add_test(tf, test_framer_rpc_session);
	tcase_add_test(tf, test_out_of_memory);
	suite_add_tcase(s, tf);

	/* Generous for sanitizer builds; a plain run takes a fraction. */
	tcase_set_timeout(tz, 60);
	tcase_add_test(tz, test_fuzz_parser);
	tcase_add_test(tz, test_fuzz_framer);
	suite_add_tcase(s, tz);
	return s;
}
