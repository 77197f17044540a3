/* check_expr_parse.c: the C expression parser, tree shapes compared as S-expressions. */
#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "eval/expr_parse.h"
#include "suites.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- S-expressions -------------------------------------------------- */

struct sbuf {
	char s[16384];
	size_t n;
};

static void
put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_lt(b->n + (size_t)n, sizeof(b->s));
	b->n += (size_t)n;
}

/* A type name: its base, then its derivations in the order they apply
 * ("<int * [3]>": an array of 3 pointers; "<int (int) *>": a pointer to
 * a function). */
static void
put_tn(struct sbuf *b, const struct tr_typename *tn)
{
	put(b, "<%s", tn->base);
	for (size_t i = 0; i < tn->nops; i++) {
		const struct tr_tn_op *op = &tn->ops[i];

		switch (op->kind) {
		case TR_TN_PTR:
			put(b, i && tn->ops[i - 1].kind == TR_TN_PTR ? "*"
								      : " *");
			break;
		case TR_TN_CONST:
			put(b, " const");
			break;
		case TR_TN_VOLATILE:
			put(b, " volatile");
			break;
		case TR_TN_ARRAY:
			put(b, " [%" PRIu64 "]", op->len);
			break;
		case TR_TN_FUNC:
			put(b, " (");
			for (size_t k = 0; k < op->nparams; k++) {
				if (k)
					put(b, ", ");
				put_tn(b, &op->params[k]);
			}
			put(b, "%s%s)", op->variadic ? ", ..." : "",
			    op->prototyped && !op->nparams ? "void" : "");
			break;
		}
	}
	put(b, ">");
}

/* Operators print as their spelling: "(+ a b)", "(- a)" (prefix),
 * "(post++ a)"; literals as values ("'10'" for a char constant); the
 * node's position after '@' when with_pos. */
static void
sexp(struct sbuf *b, const struct tr_ast *a, bool with_pos)
{
	const char *head = NULL;

	switch (a->kind) {
	case TR_AST_INT: put(b, "%" PRIu64, a->ival); break;
	case TR_AST_FLOAT: put(b, "%Lg", a->fval); break;
	case TR_AST_CHAR: put(b, "'%" PRId64 "'", (int64_t)a->ival); break;
	case TR_AST_STRING:
		put(b, "\"");
		for (size_t i = 0; i < a->len; i++) {
			unsigned char c = (unsigned char)a->str[i];

			if (c == '"' || c == '\\')
				put(b, "\\%c", c);
			else if (c >= 0x20 && c < 0x7f)
				put(b, "%c", c);
			else
				put(b, "\\x%02x", c);
		}
		put(b, "\"");
		break;
	case TR_AST_IDENT: put(b, "%s", a->name); break;
	case TR_AST_REG: put(b, "$%s", a->name); break;
	case TR_AST_SCOPED: put(b, "%s::%s", a->scope, a->name); break;
	case TR_AST_UNARY:
	case TR_AST_BINARY:
	case TR_AST_ASSIGN: head = tr_tok_str(a->op); break;
	case TR_AST_POSTFIX: head = a->op == TR_TOK_INC ? "post++" : "post--";
		break;
	case TR_AST_TERNARY: head = "?"; break;
	case TR_AST_COMMA: head = ","; break;
	case TR_AST_CAST: head = "cast"; break;
	case TR_AST_SIZEOF_TYPE:
	case TR_AST_SIZEOF_EXPR: head = "sizeof"; break;
	case TR_AST_MEMBER: head = "."; break;
	case TR_AST_ARROW: head = "->"; break;
	case TR_AST_INDEX: head = "[]"; break;
	case TR_AST_CALL: head = "call"; break;
	default: put(b, "?kind%d", (int)a->kind); break;
	}
	if (!head) {
		if (with_pos)
			put(b, "@%" PRIu32, a->pos);
		return;
	}
	put(b, "(%s", head);
	if (with_pos)
		put(b, "@%" PRIu32, a->pos);
	if (a->kind == TR_AST_CAST || a->kind == TR_AST_SIZEOF_TYPE) {
		put(b, " ");
		put_tn(b, &a->tn);
	}
	if (a->a) {
		put(b, " ");
		sexp(b, a->a, with_pos);
	}
	if (a->b) {
		put(b, " ");
		sexp(b, a->b, with_pos);
	}
	if (a->c) {
		put(b, " ");
		sexp(b, a->c, with_pos);
	}
	for (size_t i = 0; i < a->nargs; i++) {
		put(b, " ");
		sexp(b, a->args[i], with_pos);
	}
	if (a->kind == TR_AST_MEMBER || a->kind == TR_AST_ARROW)
		put(b, " %s", a->name);
	put(b, ")");
}

/* Typedef names the tests' scope knows; ctx, if not NULL, counts calls. */
static bool
is_type(void *ctx, const char *name)
{
	if (ctx)
		++*(unsigned *)ctx;
	return !strcmp(name, "mytype") || !strcmp(name, "size_t") ||
	       !strcmp(name, "uint8_t");
}

struct shape {
	const char *src, *want;
};

static void
check_shapes(const struct shape *t, size_t n, bool with_pos)
{
	for (size_t i = 0; i < n; i++) {
		struct tr_ast *a = NULL;
		struct tr_expr_err err = { 0 };
		struct sbuf *b = calloc(1, sizeof(*b));
		int rc;

		ck_assert_ptr_nonnull(b);
		rc = tr_expr_parse(t[i].src, is_type, NULL, &a, &err);
		ck_assert_msg(rc == 0, "%s: %d %s (at %u)", t[i].src, rc,
			      err.msg, err.pos);
		ck_assert_ptr_nonnull(a);
		sexp(b, a, with_pos);
		ck_assert_msg(!strcmp(b->s, t[i].want), "%s: got %s, want %s",
			      t[i].src, b->s, t[i].want);
		tr_ast_free(a);
		free(b);
	}
}

struct bad {
	const char *src;
	uint32_t pos;
	const char *msg;
};

static void
check_errors(const struct bad *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tr_ast *a = (struct tr_ast *)&a; /* must become NULL */
		struct tr_expr_err err = { 0 };
		int rc;

		rc = tr_expr_parse(t[i].src, is_type, NULL, &a, &err);
		ck_assert_msg(rc == -TR_EINVAL, "%s: rc %d", t[i].src, rc);
		ck_assert_msg(a == NULL, "%s: tree on error", t[i].src);
		ck_assert_msg(!strcmp(err.msg, t[i].msg),
			      "%s: got message %s, want %s", t[i].src, err.msg,
			      t[i].msg);
		ck_assert_msg(err.pos == t[i].pos, "%s: got pos %u, want %u",
			      t[i].src, err.pos, t[i].pos);
	}
}

/* A syntax error's message, gdb's words. */
#define NEAR(s) "A syntax error in expression, near `" s "'."

/* Parses src, which must give one literal node. */
static struct tr_ast *
parse_one(const char *src)
{
	struct tr_ast *a = NULL;
	struct tr_expr_err err = { 0 };
	int rc = tr_expr_parse(src, NULL, NULL, &a, &err);

	ck_assert_msg(rc == 0, "%s: %d %s", src, rc, err.msg);
	return a;
}

/* ---- literals ------------------------------------------------------- */

START_TEST(test_int_literals)
{
	static const struct {
		const char *src;
		enum tr_lit lit;
		uint64_t v;
	} t[] = {
		{ "0", TR_LIT_INT, 0 },
		{ "42", TR_LIT_INT, 42 },
		{ "2147483647", TR_LIT_INT, 2147483647 },
		{ "2147483648", TR_LIT_LONG, 2147483648u },
		{ "4294967295", TR_LIT_LONG, 4294967295u },
		{ "9223372036854775807", TR_LIT_LONG, INT64_MAX },
		{ "9223372036854775808", TR_LIT_ULONG, 1ull << 63 },
		{ "18446744073709551615", TR_LIT_ULONG, UINT64_MAX },
		{ "0x7fffffff", TR_LIT_INT, 0x7fffffff },
		{ "0x80000000", TR_LIT_UINT, 0x80000000u },
		{ "0XFFFFFFFF", TR_LIT_UINT, 0xffffffffu },
		{ "0x100000000", TR_LIT_LONG, 0x100000000ull },
		{ "0x7fffffffffffffff", TR_LIT_LONG, INT64_MAX },
		{ "0x8000000000000000", TR_LIT_ULONG, 1ull << 63 },
		{ "0xffffffffffffffff", TR_LIT_ULONG, UINT64_MAX },
		{ "0xDeadBeef", TR_LIT_UINT, 0xdeadbeefu },
		{ "017", TR_LIT_INT, 15 },
		{ "020000000000", TR_LIT_UINT, 0x80000000u },
		{ "0b101", TR_LIT_INT, 5 },
		{ "0B11111111111111111111111111111111", TR_LIT_UINT,
		  0xffffffffu },
		{ "1u", TR_LIT_UINT, 1 },
		{ "1U", TR_LIT_UINT, 1 },
		{ "4294967296u", TR_LIT_ULONG, 1ull << 32 },
		{ "5l", TR_LIT_LONG, 5 },
		{ "5L", TR_LIT_LONG, 5 },
		{ "10UL", TR_LIT_ULONG, 10 },
		{ "10ul", TR_LIT_ULONG, 10 },
		{ "10lu", TR_LIT_ULONG, 10 },
		{ "10Lu", TR_LIT_ULONG, 10 },
		{ "5ll", TR_LIT_LLONG, 5 },
		{ "5LL", TR_LIT_LLONG, 5 },
		{ "5ull", TR_LIT_ULLONG, 5 },
		{ "5LLU", TR_LIT_ULLONG, 5 },
		{ "5uLL", TR_LIT_ULLONG, 5 },
		{ "0x80000000l", TR_LIT_LONG, 0x80000000u },
		{ "0xffffffffffffffffl", TR_LIT_ULONG, UINT64_MAX },
		{ "0xffffffffffffffffll", TR_LIT_ULLONG, UINT64_MAX },
		{ "9223372036854775808ll", TR_LIT_ULLONG, 1ull << 63 },
		{ "  7  ", TR_LIT_INT, 7 },
	};

	for (size_t i = 0; i < N(t); i++) {
		struct tr_ast *a = parse_one(t[i].src);

		ck_assert_msg(a->kind == TR_AST_INT, "%s: kind %d", t[i].src,
			      a->kind);
		ck_assert_msg(a->lit == t[i].lit, "%s: lit %d, want %d",
			      t[i].src, a->lit, t[i].lit);
		ck_assert_msg(a->ival == t[i].v, "%s: %" PRIu64, t[i].src,
			      a->ival);
		tr_ast_free(a);
	}
}
END_TEST

START_TEST(test_float_literals)
{
	static const struct {
		const char *src;
		enum tr_lit lit;
		double v;
	} t[] = {
		{ "1e3", TR_LIT_DOUBLE, 1000.0 },
		{ "1E3", TR_LIT_DOUBLE, 1000.0 },
		{ "2.5f", TR_LIT_FLOAT, 2.5 },
		{ "2.5F", TR_LIT_FLOAT, 2.5 },
		{ "1.5L", TR_LIT_LDOUBLE, 1.5 },
		{ "1.5l", TR_LIT_LDOUBLE, 1.5 },
		{ "3.25", TR_LIT_DOUBLE, 3.25 },
		{ ".5", TR_LIT_DOUBLE, 0.5 },
		{ "1.", TR_LIT_DOUBLE, 1.0 },
		{ "1.e2", TR_LIT_DOUBLE, 100.0 },
		{ "6.25e+2", TR_LIT_DOUBLE, 625.0 },
		{ "1e-3", TR_LIT_DOUBLE, 1e-3 },
		{ "1e-3f", TR_LIT_FLOAT, 1e-3 },
		{ "010.5", TR_LIT_DOUBLE, 10.5 }, /* decimal, not octal */
		{ "0e0", TR_LIT_DOUBLE, 0.0 },
		{ "0x1.8p3", TR_LIT_DOUBLE, 12.0 },
		{ "0x10p-4", TR_LIT_DOUBLE, 1.0 },
		{ "0X1P+1f", TR_LIT_FLOAT, 2.0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		struct tr_ast *a = parse_one(t[i].src);

		ck_assert_msg(a->kind == TR_AST_FLOAT, "%s: kind %d", t[i].src,
			      a->kind);
		ck_assert_msg(a->lit == t[i].lit, "%s: lit %d, want %d",
			      t[i].src, a->lit, t[i].lit);
		ck_assert_msg(a->fval == t[i].v, "%s: %Lg", t[i].src, a->fval);
		tr_ast_free(a);
	}
}
END_TEST

START_TEST(test_char_literals)
{
	static const struct {
		const char *src;
		int64_t v;
	} t[] = {
		{ "'a'", 'a' },
		{ "'\\n'", '\n' },
		{ "'\\t'", '\t' },
		{ "'\\r'", '\r' },
		{ "'\\a'", '\a' },
		{ "'\\b'", '\b' },
		{ "'\\f'", '\f' },
		{ "'\\v'", '\v' },
		{ "'\\e'", 27 },
		{ "'\\\\'", '\\' },
		{ "'\\''", '\'' },
		{ "'\\\"'", '"' },
		{ "'\"'", '"' },
		{ "'\\?'", '?' },
		{ "'\\0'", 0 },
		{ "'\\101'", 'A' },
		{ "'\\7'", 7 },
		{ "'\\x41'", 'A' },
		{ "'\\x7f'", 0x7f },
		{ "'\\377'", -1 }, /* char is signed on x86-64 */
		{ "'\\xff'", -1 },
		{ "' '", ' ' },
	};

	for (size_t i = 0; i < N(t); i++) {
		struct tr_ast *a = parse_one(t[i].src);

		ck_assert_msg(a->kind == TR_AST_CHAR, "%s: kind %d", t[i].src,
			      a->kind);
		ck_assert_msg(a->lit == TR_LIT_CHAR, "%s: lit %d", t[i].src,
			      a->lit);
		ck_assert_msg(a->ival == (uint64_t)t[i].v, "%s: %" PRIu64,
			      t[i].src, a->ival);
		tr_ast_free(a);
	}
}
END_TEST

START_TEST(test_string_literals)
{
	static const struct {
		const char *src;
		const char *v;
		size_t len;
	} t[] = {
		{ "\"abc\"", "abc", 3 },
		{ "\"\"", "", 0 },
		{ "\"a\" \"b\"", "ab", 2 },
		{ "\"a\"\"b\"  \"cd\"", "abcd", 4 },
		{ "\"\" \"x\" \"\"", "x", 1 },
		{ "\"a\\0b\"", "a\0b", 3 },
		{ "\"\\x41\\n\\\"\\\\\"", "A\n\"\\", 4 },
		{ "\"\\101\\1012\"", "AA2", 3 },
		{ "\"it's\"", "it's", 4 },
		{ "\"\\'\"", "'", 1 },
		{ "\"\\377\"", "\377", 1 },
	};

	for (size_t i = 0; i < N(t); i++) {
		struct tr_ast *a = parse_one(t[i].src);

		ck_assert_msg(a->kind == TR_AST_STRING, "%s: kind %d",
			      t[i].src, a->kind);
		ck_assert_msg(a->len == t[i].len, "%s: len %zu", t[i].src,
			      a->len);
		ck_assert_msg(!memcmp(a->str, t[i].v, t[i].len + 1), "%s",
			      t[i].src);
		ck_assert_uint_eq(a->pos, 0);
		tr_ast_free(a);
	}
}
END_TEST

START_TEST(test_literal_errors)
{
	static const struct bad t[] = {
		{ "0x", 0, "Invalid number \"0x\"." },
		{ "1 + 0x", 4, "Invalid number \"0x\"." },
		{ "0xg", 0, "Invalid number \"0xg\"." },
		{ "08", 0, "Invalid number \"08\"." },
		{ "0b", 0, "Invalid number \"0b\"." },
		{ "0b102", 0, "Invalid number \"0b102\"." },
		{ "12abc + 1", 0, "Invalid number \"12abc\"." },
		{ "1lll", 0, "Invalid number \"1lll\"." },
		{ "1uu", 0, "Invalid number \"1uu\"." },
		{ "1ulu", 0, "Invalid number \"1ulu\"." },
		{ "1e", 0, "Invalid number \"1e\"." },
		{ "1e+", 0, "Invalid number \"1e+\"." },
		{ "1.2.3", 0, "Invalid number \"1.2.3\"." },
		{ "0x1.8", 0, "Invalid number \"0x1.8\"." },
		{ "1.5ff", 0, "Invalid number \"1.5ff\"." },
		{ "1.5u", 0, "Invalid number \"1.5u\"." },
		{ "18446744073709551616", 0, "Numeric constant too large." },
		{ "0x10000000000000000", 0, "Numeric constant too large." },
		{ "'a", 0, "Unmatched single quote." },
		{ "x + '", 4, "Unmatched single quote." },
		{ "'\\", 0, "Unmatched single quote." },
		{ "'\\n", 0, "Unmatched single quote." },
		{ "''", 0, "Empty character constant." },
		{ "'\\na'", 0, "Invalid character constant." },
		{ "'\\x'", 1, "\\x escape without a following hex digit" },
		{ "'\\400'", 1, "Octal escape out of range." },
		{ "'\\x100'", 1, "Hex escape out of range." },
		{ "\"abc", 0, "Unterminated string in expression." },
		{ "\"abc\\\"", 0, "Unterminated string in expression." },
		{ "\"abc\\", 0, "Unterminated string in expression." },
		{ "\"a\" \"b", 4, "Unterminated string in expression." },
		{ "\"\\x\"", 1, "\\x escape without a following hex digit" },
		/* the first error in the input wins, as gdb reads tokens
		 * on demand */
		{ "1 2 \"x", 2, NEAR("2 \"x") },
		{ "1 0x", 2, "Invalid number \"0x\"." },
	};

	check_errors(t, N(t));
}
END_TEST

/* ---- names ---------------------------------------------------------- */

START_TEST(test_names)
{
	static const struct shape t[] = {
		{ "foo", "foo" },
		{ "_x1", "_x1" },
		{ "$rip", "$rip" },
		{ "$eax + 1", "(+ $eax 1)" },
		{ "$r8", "$r8" },
		{ "$1", "$1" },
		{ "$", "$" },
		{ "$$", "$$" },
		{ "$$3 + $2", "(+ $$3 $2)" },
		{ "$_exitcode", "$_exitcode" },
		{ "$-1", "(- $ 1)" },
		{ "*(long *)$rsp", "(* (cast <long *> $rsp))" },
		{ "main::x", "main::x" },
		{ "main :: x", "main::x" },
		{ "file.c::counter", "file.c::counter" },
		{ "my_file.c::counter + 1", "(+ my_file.c::counter 1)" },
		{ "'file.c'::counter", "file.c::counter" },
		{ "'my file.c'::v", "my file.c::v" },
		{ "'x'::y", "x::y" },
		{ "&main::x", "(& main::x)" },
		{ "main::s.f", "(. main::s f)" },
		{ "a.b", "(. a b)" },
		{ "a.b.c", "(. (. a b) c)" },
		{ "'quoted'", "quoted" },
		{ "sizeofx", "sizeofx" },
		{ "integer", "integer" },
		{ "long_name_1 + int_", "(+ long_name_1 int_)" },
	};

	check_shapes(t, N(t), false);
}
END_TEST

START_TEST(test_name_errors)
{
	static const struct bad t[] = {
		{ "$ rip", 2, NEAR("rip") },
		{ "$1.5", 2, NEAR(".5") },
		{ "f::1", 3, NEAR("1") },
		{ "x::", 3, NEAR("") },
		{ "::x", 0, NEAR("::x") },
		{ "a::b::c", 3, NEAR("b::c") },
		{ "a.", 2, NEAR("") },
		{ "a . int", 4, NEAR("int") },
		{ "p->1", 3, NEAR("1") },
	};

	check_errors(t, N(t));
}
END_TEST

/* ---- operators ------------------------------------------------------ */

START_TEST(test_precedence)
{
	static const struct shape t[] = {
		/* each level against the next, both ways */
		{ "a , b = c", "(, a (= b c))" },
		{ "a = b , c", "(, (= a b) c)" },
		{ "a = b ? c : d", "(= a (? b c d))" },
		{ "a ? b : c = d", "(= (? a b c) d)" },
		{ "a || b ? c : d", "(? (|| a b) c d)" },
		{ "a ? b || c : d || e", "(? a (|| b c) (|| d e))" },
		{ "a ? b , c : d", "(? a (, b c) d)" },
		{ "a ? b = c : d", "(? a (= b c) d)" },
		{ "a || b && c", "(|| a (&& b c))" },
		{ "a && b || c", "(|| (&& a b) c)" },
		{ "a && b | c", "(&& a (| b c))" },
		{ "a | b && c", "(&& (| a b) c)" },
		{ "a | b ^ c", "(| a (^ b c))" },
		{ "a ^ b | c", "(| (^ a b) c)" },
		{ "a ^ b & c", "(^ a (& b c))" },
		{ "a & b ^ c", "(^ (& a b) c)" },
		{ "a & b == c", "(& a (== b c))" },
		{ "a != b & c", "(& (!= a b) c)" },
		{ "a == b < c", "(== a (< b c))" },
		{ "a >= b != c", "(!= (>= a b) c)" },
		{ "a < b << c", "(< a (<< b c))" },
		{ "a >> b <= c", "(<= (>> a b) c)" },
		{ "a << b + c", "(<< a (+ b c))" },
		{ "a - b >> c", "(>> (- a b) c)" },
		{ "a + b * c", "(+ a (* b c))" },
		{ "a % b - c", "(- (% a b) c)" },
		{ "a * -b", "(* a (- b))" },
		{ "-a * b", "(* (- a) b)" },
		{ "(int)a * b", "(* (cast <int> a) b)" },
		{ "-a[1]", "(- ([] a 1))" },
		{ "-f(x)", "(- (call f x))" },
		{ "!a.b", "(! (. a b))" },
		{ "*p++", "(* (post++ p))" },
		{ "*p->q", "(* (-> p q))" },
		{ "&a[1]", "(& ([] a 1))" },
		{ "(a + b) * c", "(* (+ a b) c)" },
		{ "a * (b + c)", "(* a (+ b c))" },
		{ "1 + 2 * 3 - 4 / 5 % 6 << 7 < 8 == 9 & 10 ^ 11 | 12 && "
		  "13 || 14 ? 15 : 16",
		  "(? (|| (&& (| (^ (& (== (< (<< (- (+ 1 (* 2 3)) (% (/ 4 5) "
		  "6)) 7) 8) 9) 10) 11) 12) 13) 14) 15 16)" },
		{ "a || b || c && d && e",
		  "(|| (|| a b) (&& (&& c d) e))" },
	};

	check_shapes(t, N(t), false);
}
END_TEST

START_TEST(test_associativity)
{
	static const struct shape t[] = {
		{ "a , b , c", "(, (, a b) c)" },
		{ "a = b = c", "(= a (= b c))" },
		{ "a += b -= c", "(+= a (-= b c))" },
		{ "a ? b : c ? d : e", "(? a b (? c d e))" },
		{ "a ? b ? c : d : e", "(? a (? b c d) e)" },
		{ "a || b || c", "(|| (|| a b) c)" },
		{ "a && b && c", "(&& (&& a b) c)" },
		{ "a | b | c", "(| (| a b) c)" },
		{ "a ^ b ^ c", "(^ (^ a b) c)" },
		{ "a & b & c", "(& (& a b) c)" },
		{ "a == b != c", "(!= (== a b) c)" },
		{ "a != b == c", "(== (!= a b) c)" },
		{ "a < b > c", "(> (< a b) c)" },
		{ "a <= b >= c", "(>= (<= a b) c)" },
		{ "a << b >> c", "(>> (<< a b) c)" },
		{ "a >> b << c", "(<< (>> a b) c)" },
		{ "a - b - c", "(- (- a b) c)" },
		{ "a - b + c", "(+ (- a b) c)" },
		{ "a / b / c", "(/ (/ a b) c)" },
		{ "a / b % c", "(% (/ a b) c)" },
		{ "a % b * c", "(* (% a b) c)" },
		{ "- - a", "(- (- a))" },
		{ "!~-+a", "(! (~ (- (+ a))))" },
		{ "*&*p", "(* (& (* p)))" },
		{ "++--a", "(++ (-- a))" },
		{ "++*p", "(++ (* p))" },
		{ "a++--", "(post-- (post++ a))" },
		{ "a---b", "(- (post-- a) b)" },
		{ "a+++b", "(+ (post++ a) b)" },
		{ "a- -b", "(- a (- b))" },
		{ "a[1][2]", "([] ([] a 1) 2)" },
		{ "p->next->val", "(-> (-> p next) val)" },
		{ "a.b->c.d", "(. (-> (. a b) c) d)" },
		{ "f(a)(b)", "(call (call f a) b)" },
		{ "f(a)[1].x", "(. ([] (call f a) 1) x)" },
	};

	check_shapes(t, N(t), false);
}
END_TEST

START_TEST(test_all_operators)
{
	static const struct shape t[] = {
		{ "a=b", "(= a b)" }, { "a+=b", "(+= a b)" },
		{ "a-=b", "(-= a b)" }, { "a*=b", "(*= a b)" },
		{ "a/=b", "(/= a b)" }, { "a%=b", "(%= a b)" },
		{ "a&=b", "(&= a b)" }, { "a|=b", "(|= a b)" },
		{ "a^=b", "(^= a b)" }, { "a<<=b", "(<<= a b)" },
		{ "a>>=b", "(>>= a b)" }, { "a+b", "(+ a b)" },
		{ "a-b", "(- a b)" }, { "a*b", "(* a b)" },
		{ "a/b", "(/ a b)" }, { "a%b", "(% a b)" },
		{ "a&b", "(& a b)" }, { "a|b", "(| a b)" },
		{ "a^b", "(^ a b)" }, { "a<<b", "(<< a b)" },
		{ "a>>b", "(>> a b)" }, { "a<b", "(< a b)" },
		{ "a>b", "(> a b)" }, { "a<=b", "(<= a b)" },
		{ "a>=b", "(>= a b)" }, { "a==b", "(== a b)" },
		{ "a!=b", "(!= a b)" }, { "a&&b", "(&& a b)" },
		{ "a||b", "(|| a b)" }, { "+a", "(+ a)" }, { "-a", "(- a)" },
		{ "!a", "(! a)" }, { "~a", "(~ a)" }, { "*a", "(* a)" },
		{ "&a", "(& a)" }, { "++a", "(++ a)" }, { "--a", "(-- a)" },
		{ "a++", "(post++ a)" }, { "a--", "(post-- a)" },
		{ "a?b:c", "(? a b c)" }, { "a,b", "(, a b)" },
		{ "a.b", "(. a b)" }, { "a->b", "(-> a b)" },
		{ "a[b]", "([] a b)" }, { "a(b)", "(call a b)" },
	};
	struct tr_ast *a;

	check_shapes(t, N(t), false);
	/* the op codes themselves */
	a = parse_one("x <<= 1");
	ck_assert_int_eq(a->kind, TR_AST_ASSIGN);
	ck_assert_int_eq(a->op, TR_TOK_SHL_ASSIGN);
	tr_ast_free(a);
	a = parse_one("x-- != y");
	ck_assert_int_eq(a->kind, TR_AST_BINARY);
	ck_assert_int_eq(a->op, TR_TOK_NE);
	ck_assert_int_eq(a->a->kind, TR_AST_POSTFIX);
	ck_assert_int_eq(a->a->op, TR_TOK_DEC);
	tr_ast_free(a);
	a = parse_one("~x");
	ck_assert_int_eq(a->kind, TR_AST_UNARY);
	ck_assert_int_eq(a->op, TR_TOK_TILDE);
	tr_ast_free(a);
}
END_TEST

START_TEST(test_calls)
{
	static const struct shape t[] = {
		{ "f()", "(call f)" },
		{ "f(1)", "(call f 1)" },
		{ "f(1, 2, 3)", "(call f 1 2 3)" },
		{ "f(g(1), h(2, 3))", "(call f (call g 1) (call h 2 3))" },
		{ "f(g(h(i())))", "(call f (call g (call h (call i))))" },
		{ "f((a, b), c)", "(call f (, a b) c)" },
		{ "f(a = 1, b ? c : d)", "(call f (= a 1) (? b c d))" },
		{ "s.fn(1)", "(call (. s fn) 1)" },
		{ "p->fn()", "(call (-> p fn))" },
		{ "(*fp)(1, 2)", "(call (* fp) 1 2)" },
		{ "(x)(y)", "(call x y)" },
		{ "$rip(1)", "(call $rip 1)" },
		{ "file.c::f(1)", "(call file.c::f 1)" },
		{ "f(\"a\" \"b\", 'c')", "(call f \"ab\" '99')" },
		{ "f(1,2,3,4,5,6,7,8,9,10,11,12)",
		  "(call f 1 2 3 4 5 6 7 8 9 10 11 12)" },
		{ "a[b, c]", "([] a (, b c))" },
		{ "a[f(1)]", "([] a (call f 1))" },
	};
	struct tr_ast *a;

	check_shapes(t, N(t), false);
	a = parse_one("f()");
	ck_assert_uint_eq(a->nargs, 0);
	ck_assert_ptr_null(a->args);
	tr_ast_free(a);
	a = parse_one("f(1, 2, 3)");
	ck_assert_uint_eq(a->nargs, 3);
	ck_assert_int_eq(a->a->kind, TR_AST_IDENT);
	ck_assert_uint_eq(a->args[2]->ival, 3);
	tr_ast_free(a);
}
END_TEST

/* ---- casts and sizeof ----------------------------------------------- */

START_TEST(test_casts)
{
	static const struct shape t[] = {
		{ "(int)x", "(cast <int> x)" },
		{ "(int) x", "(cast <int> x)" },
		{ "( int )x", "(cast <int> x)" },
		{ "(char)x", "(cast <char> x)" },
		{ "(signed char)x", "(cast <signed char> x)" },
		{ "(unsigned char)x", "(cast <unsigned char> x)" },
		{ "(short)x", "(cast <short> x)" },
		{ "(unsigned short int)x", "(cast <unsigned short int> x)" },
		{ "(unsigned)x", "(cast <unsigned int> x)" },
		{ "(signed)x", "(cast <signed int> x)" },
		{ "(long)x", "(cast <long> x)" },
		{ "(unsigned long)x", "(cast <unsigned long> x)" },
		{ "(long unsigned int)x", "(cast <long unsigned int> x)" },
		{ "(long  long)x", "(cast <long long> x)" },
		{ "(unsigned long long int)x",
		  "(cast <unsigned long long int> x)" },
		{ "(long int long)x", "(cast <long int long> x)" },
		{ "(float)x", "(cast <float> x)" },
		{ "(double)x", "(cast <double> x)" },
		{ "(long double)x", "(cast <long double> x)" },
		{ "(_Bool)x", "(cast <_Bool> x)" },
		{ "(void)f()", "(cast <void> (call f))" },
		{ "(const int)x", "(cast <int const> x)" },
		{ "(volatile unsigned const)x",
		  "(cast <unsigned int const volatile> x)" },
		{ "(char *)p", "(cast <char *> p)" },
		{ "(const char **)p", "(cast <char const **> p)" },
		{ "(char * const * volatile)p",
		  "(cast <char * const * volatile> p)" },
		/* abstract declarators */
		{ "(int (*)(int))f", "(cast <int (<int>) *> f)" },
		{ "(int (*)[3])g", "(cast <int [3] *> g)" },
		{ "(int *[3])g", "(cast <int * [3]> g)" },
		{ "(int [2][3])g", "(cast <int [3] [2]> g)" },
		{ "(void (*)(void))0", "(cast <void (void) *> 0)" },
		{ "(int (*)())0", "(cast <int () *> 0)" },
		{ "(int (*)(const char *, ...))0",
		  "(cast <int (<char const *>, ...) *> 0)" },
		{ "(int (*(*)(void))[4])0",
		  "(cast <int [4] * (void) *> 0)" },
		{ "(char *(*)(int (*)(int), long))0",
		  "(cast <char * (<int (<int>) *>, <long>) *> 0)" },
		{ "sizeof(int (*)(int))", "(sizeof <int (<int>) *>)" },
		{ "(int [])x", "(cast <int [0]> x)" },
		{ "(void*)0", "(cast <void *> 0)" },
		{ "(struct point *)p", "(cast <struct point *> p)" },
		{ "(const struct point)p", "(cast <struct point const> p)" },
		{ "(union u)x", "(cast <union u> x)" },
		{ "(enum color)1", "(cast <enum color> 1)" },
		{ "(struct mytype *)p", "(cast <struct mytype *> p)" },
		{ "(int [4])x", "(cast <int [4]> x)" },
		{ "(char *[2])x", "(cast <char * [2]> x)" },
		{ "(mytype)x", "(cast <mytype> x)" },
		{ "(mytype *)x", "(cast <mytype *> x)" },
		{ "(const mytype **)x", "(cast <mytype const **> x)" },
		{ "(size_t)-1", "(cast <size_t> (- 1))" },
		{ "(mytype)(y)", "(cast <mytype> y)" },
		{ "(uint8_t)(int)(char)x",
		  "(cast <uint8_t> (cast <int> (cast <char> x)))" },
		{ "(int)-x", "(cast <int> (- x))" },
		{ "-(int)x", "(- (cast <int> x))" },
		{ "(int)x + 1", "(+ (cast <int> x) 1)" },
		{ "(int)x.y", "(cast <int> (. x y))" },
		{ "(int)p->y[2]", "(cast <int> ([] (-> p y) 2))" },
		{ "(int)f(1)", "(cast <int> (call f 1))" },
		{ "(int)x++", "(cast <int> (post++ x))" },
		{ "(char)sizeof x", "(cast <char> (sizeof x))" },
		{ "(long)(x + y)", "(cast <long> (+ x y))" },
		{ "*(int *)&x", "(* (cast <int *> (& x)))" },
		/* parenthesized expressions, not casts */
		{ "(x)", "x" },
		{ "(x) + 1", "(+ x 1)" },
		{ "(x)-1", "(- x 1)" },
		{ "(x)*y", "(* x y)" },
		{ "(notatype)*y", "(* notatype y)" },
		{ "((x))", "x" },
		{ "(1)", "1" },
	};

	check_shapes(t, N(t), false);
}
END_TEST

START_TEST(test_cast_uses_is_type)
{
	struct tr_ast *a = NULL;
	struct tr_expr_err err;
	unsigned calls = 0;

	ck_assert_int_eq(tr_expr_parse("(mytype)x", is_type, &calls, &a,
				       &err), 0);
	ck_assert_int_eq(a->kind, TR_AST_CAST);
	ck_assert_str_eq(a->tn.base, "mytype");
	ck_assert_uint_gt(calls, 0);
	tr_ast_free(a);

	/* without the callback, no typedef names: `(mytype)` is a name in
	 * parentheses and `x` follows it */
	ck_assert_int_eq(tr_expr_parse("(mytype)x", NULL, NULL, &a, &err),
			 -TR_EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_str_eq(err.msg, NEAR("x"));
	ck_assert_uint_eq(err.pos, 8);
	ck_assert_int_eq(tr_expr_parse("(mytype)-x", NULL, NULL, &a, &err), 0);
	ck_assert_int_eq(a->kind, TR_AST_BINARY);
	tr_ast_free(a);

	/* the type name as the evaluator gets it */
	ck_assert_int_eq(tr_expr_parse("(const struct point * const *[3])p",
				       is_type, NULL, &a, &err), 0);
	ck_assert_str_eq(a->tn.base, "struct point");
	ck_assert_uint_eq(a->tn.nops, 5);
	ck_assert_int_eq(a->tn.ops[0].kind, TR_TN_CONST);
	ck_assert_int_eq(a->tn.ops[1].kind, TR_TN_PTR);
	ck_assert_int_eq(a->tn.ops[2].kind, TR_TN_CONST);
	ck_assert_int_eq(a->tn.ops[3].kind, TR_TN_PTR);
	ck_assert_int_eq(a->tn.ops[4].kind, TR_TN_ARRAY);
	ck_assert_uint_eq(a->tn.ops[4].len, 3);
	tr_ast_free(a);
}
END_TEST

START_TEST(test_sizeof)
{
	static const struct shape t[] = {
		{ "sizeof x", "(sizeof x)" },
		{ "sizeof(x)", "(sizeof x)" },
		{ "sizeof (x + 1)", "(sizeof (+ x 1))" },
		{ "sizeof(int)", "(sizeof <int>)" },
		{ "sizeof (unsigned long)", "(sizeof <unsigned long>)" },
		{ "sizeof(struct point *)", "(sizeof <struct point *>)" },
		{ "sizeof(char[16])", "(sizeof <char [16]>)" },
		{ "sizeof(mytype)", "(sizeof <mytype>)" },
		{ "sizeof(mytype *)", "(sizeof <mytype *>)" },
		{ "sizeof x + 1", "(+ (sizeof x) 1)" },
		{ "sizeof(int) * 2", "(* (sizeof <int>) 2)" },
		{ "sizeof a[1]", "(sizeof ([] a 1))" },
		{ "sizeof p->x", "(sizeof (-> p x))" },
		{ "sizeof -x", "(sizeof (- x))" },
		{ "sizeof *p", "(sizeof (* p))" },
		{ "sizeof sizeof x", "(sizeof (sizeof x))" },
		{ "sizeof(x)[0]", "(sizeof ([] x 0))" },
		{ "sizeof \"abc\"", "(sizeof \"abc\")" },
		{ "-sizeof(int)", "(- (sizeof <int>))" },
		{ "(int)sizeof(int)", "(cast <int> (sizeof <int>))" },
		{ "sizeof((int)x)", "(sizeof (cast <int> x))" },
		{ "sizeof ++x", "(sizeof (++ x))" },
	};

	check_shapes(t, N(t), false);
}
END_TEST

START_TEST(test_type_errors)
{
	static const struct bad t[] = {
		{ "(int x)", 5, NEAR("x)") },
		{ "(int", 4, NEAR("") },
		{ "(int)", 5, NEAR("") },
		{ "(int)+", 6, NEAR("") },
		{ "(char int)x", 6, NEAR("int)x") },
		{ "(int char)x", 5, NEAR("char)x") },
		{ "(long long long)x", 11, NEAR("long)x") },
		{ "(unsigned signed)x", 10, NEAR("signed)x") },
		{ "(unsigned double)x", 10, NEAR("double)x") },
		{ "(long long double)x", 11, NEAR("double)x") },
		{ "(double long long)x", 13, NEAR("long)x") },
		{ "(short long)x", 7, NEAR("long)x") },
		{ "(void int)x", 6, NEAR("int)x") },
		{ "(int int)x", 5, NEAR("int)x") },
		{ "(struct)x", 7, NEAR(")x") },
		{ "(struct int)x", 8, NEAR("int)x") },
		{ "(struct s int)x", 10, NEAR("int)x") },
		{ "(int struct s)x", 5, NEAR("struct s)x") },
		{ "(const)x", 6, NEAR(")x") },
		{ "(mytype int)x", 8, NEAR("int)x") },
		{ "(int mytype)x", 5, NEAR("mytype)x") },
		{ "(int [0])x", 6, NEAR("0])x") },
		{ "(int [n])x", 6, NEAR("n])x") },
		{ "(int [2)x", 7, NEAR(")x") },
		{ "(int * int)x", 7, NEAR("int)x") },
		{ "(int (*)(int)x", 13, NEAR("x") },
		{ "(int (*)(int x))0", 13, NEAR("x))0") },
		{ "(int (*)(...))0", 9, NEAR("...))0") },
		{ "(int (*)[0])g", 9, NEAR("0])g") },
		{ "(int (*)(int,))0", 13, NEAR("))0") },
		{ "(int (*)(int)", 13, NEAR("") },
		{ "(int){1}", 5, "Invalid character '{' in expression." },
		{ "sizeof(int", 10, NEAR("") },
		{ "sizeof(int) x", 12, NEAR("x") },
		{ "sizeof", 6, NEAR("") },
		{ "int", 0, NEAR("int") },
		{ "x + int", 4, NEAR("int") },
		{ "sizeof int", 7, NEAR("int") },
	};

	check_errors(t, N(t));
}
END_TEST

/* ---- positions ------------------------------------------------------ */

START_TEST(test_positions)
{
	static const struct shape t[] = {
		{ "1 + 2 * 3", "(+@2 1@0 (*@6 2@4 3@8))" },
		/* gdb's @: between << and + */
		{ "*p@n+1", "(@@2 (*@0 p@1) (+@4 n@3 1@5))" },
		{ "a@2<<1", "(<<@3 (@@1 a@0 2@2) 1@5)" },
		{ "a@2@3", "(@@3 (@@1 a@0 2@2) 3@4)" },
		{ "  42", "42@2" },
		{ "a = b", "(=@2 a@0 b@4)" },
		{ "a <<= b", "(<<=@2 a@0 b@6)" },
		{ "a, b", "(,@1 a@0 b@3)" },
		{ "a ? b : c", "(?@2 a@0 b@4 c@8)" },
		{ "-x", "(-@0 x@1)" },
		{ "x++", "(post++@1 x@0)" },
		{ "f(1, 22)", "(call@1 f@0 1@2 22@5)" },
		{ "a[1]", "([]@1 a@0 1@2)" },
		{ "a.b", "(.@1 a@0 b)" },
		{ "p->x", "(->@1 p@0 x)" },
		{ "(int)x", "(cast@0 <int> x@5)" },
		{ "y + (char *) x", "(+@2 y@0 (cast@4 <char *> x@13))" },
		{ "sizeof x", "(sizeof@0 x@7)" },
		{ "sizeof(int)", "(sizeof@0 <int>)" },
		{ "main::x", "main::x@0" },
		{ "'f.c'::x", "f.c::x@0" },
		{ "$pc", "$pc@0" },
		{ "\"a\" \"b\"", "\"ab\"@0" },
		{ "'a' + 1.5", "(+@4 '97'@0 1.5@6)" },
		{ "(a)", "a@1" },
		{ "0x10 >= .5f", "(>=@5 16@0 0.5@8)" },
	};

	check_shapes(t, N(t), true);
}
END_TEST

/* ---- errors --------------------------------------------------------- */

START_TEST(test_syntax_errors)
{
	static const struct bad t[] = {
		{ "", 0, "Empty expression." },
		{ "   \t\n", 0, "Empty expression." },
		{ "(1", 2, NEAR("") },
		{ "(1 + 2", 6, NEAR("") },
		{ "((1)", 4, NEAR("") },
		{ "1)", 1, NEAR(")") },
		{ "(1))", 3, NEAR(")") },
		{ ")", 0, NEAR(")") },
		{ "()", 1, NEAR(")") },
		{ "1 2", 2, NEAR("2") },
		{ "x y z", 2, NEAR("y z") },
		{ "1 +", 3, NEAR("") },
		{ "1 + * ", 6, NEAR("") },
		{ "* ", 2, NEAR("") },
		{ "a +* /b", 5, NEAR("/b") },
		{ "f(1,", 4, NEAR("") },
		{ "f(1,)", 4, NEAR(")") },
		{ "f(,1)", 2, NEAR(",1)") },
		{ "f(1 2)", 4, NEAR("2)") },
		{ "f(1", 3, NEAR("") },
		{ "a[1", 3, NEAR("") },
		{ "a[]", 2, NEAR("]") },
		{ "a[1)", 3, NEAR(")") },
		{ "a ? b", 5, NEAR("") },
		{ "a ? b c", 6, NEAR("c") },
		{ "a ? : c", 4, NEAR(": c") },
		{ "a : b", 2, NEAR(": b") },
		{ "a = ", 4, NEAR("") },
		{ "a->", 3, NEAR("") },
		{ "a.1", 1, NEAR(".1") },
		{ "a ,", 3, NEAR("") },
		{ ", a", 0, NEAR(", a") },
		{ "1 # 2", 2, "Invalid character '#' in expression." },
		{ "a @", 3, NEAR("") },
		{ "a \\ b", 2, "Invalid character '\\' in expression." },
		{ "`x`", 0, "Invalid character '`' in expression." },
		{ "a \001", 2, "Invalid character '\\001' in expression." },
		{ "1 2 #", 2, NEAR("2 #") },
		{ "x = = y", 4, NEAR("= y") },
		{ "a ! b", 2, NEAR("! b") },
	};

	check_errors(t, N(t));
}
END_TEST

START_TEST(test_error_details)
{
	struct tr_ast *a = NULL;
	struct tr_expr_err err;
	char *src = malloc(1200), want[320];

	/* err may be NULL */
	ck_assert_int_eq(tr_expr_parse("1 +", NULL, NULL, &a, NULL),
			 -TR_EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(tr_expr_parse(NULL, NULL, NULL, &a, &err),
			 -TR_EINVAL);
	ck_assert_int_eq(tr_expr_parse("1", NULL, NULL, NULL, &err),
			 -TR_EINVAL);
	tr_ast_free(NULL);

	/* a long rest is cut so that the message ends well */
	ck_assert_ptr_nonnull(src);
	memcpy(src, "1 ", 2);
	memset(src + 2, 'x', 1000);
	src[1002] = '\0';
	ck_assert_int_eq(tr_expr_parse(src, NULL, NULL, &a, &err), -TR_EINVAL);
	ck_assert_uint_eq(err.pos, 2);
	snprintf(want, sizeof(want), "A syntax error in expression, near "
		 "`%.256s'.", src + 2);
	ck_assert_str_eq(err.msg, want);
	free(src);

	/* tr_tok_str spells every operator */
	{
		static const struct {
			int tok;
			const char *s;
		} t[] = {
			{ TR_TOK_PLUS, "+" }, { TR_TOK_MINUS, "-" },
			{ TR_TOK_STAR, "*" }, { TR_TOK_SLASH, "/" },
			{ TR_TOK_PERCENT, "%" }, { TR_TOK_AMP, "&" },
			{ TR_TOK_PIPE, "|" }, { TR_TOK_CARET, "^" },
			{ TR_TOK_TILDE, "~" }, { TR_TOK_NOT, "!" },
			{ TR_TOK_SHL, "<<" }, { TR_TOK_SHR, ">>" },
			{ TR_TOK_LT, "<" }, { TR_TOK_GT, ">" },
			{ TR_TOK_LE, "<=" }, { TR_TOK_GE, ">=" },
			{ TR_TOK_EQ, "==" }, { TR_TOK_NE, "!=" },
			{ TR_TOK_ANDAND, "&&" }, { TR_TOK_OROR, "||" },
			{ TR_TOK_INC, "++" }, { TR_TOK_DEC, "--" },
			{ TR_TOK_ASSIGN, "=" }, { TR_TOK_ADD_ASSIGN, "+=" },
			{ TR_TOK_SUB_ASSIGN, "-=" },
			{ TR_TOK_MUL_ASSIGN, "*=" },
			{ TR_TOK_DIV_ASSIGN, "/=" },
			{ TR_TOK_MOD_ASSIGN, "%=" },
			{ TR_TOK_AND_ASSIGN, "&=" },
			{ TR_TOK_OR_ASSIGN, "|=" },
			{ TR_TOK_XOR_ASSIGN, "^=" },
			{ TR_TOK_SHL_ASSIGN, "<<=" },
			{ TR_TOK_SHR_ASSIGN, ">>=" },
		};

		for (size_t i = 0; i < N(t); i++)
			ck_assert_str_eq(tr_tok_str(t[i].tok), t[i].s);
		ck_assert_str_eq(tr_tok_str(0), "?");
		ck_assert_str_eq(tr_tok_str(-1), "?");
		ck_assert_str_eq(tr_tok_str(12345), "?");
	}
}
END_TEST

/* src made of `n` copies of pre, then mid, then `n` copies of post. */
static char *
repeat(const char *pre, const char *mid, const char *post, size_t n)
{
	size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
	char *s = malloc(n * (lp + lq) + lm + 1), *q = s;

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++, q += lp)
		memcpy(q, pre, lp);
	memcpy(q, mid, lm);
	q += lm;
	for (size_t i = 0; i < n; i++, q += lq)
		memcpy(q, post, lq);
	*q = '\0';
	return s;
}

START_TEST(test_deep_nesting)
{
	static const struct {
		const char *pre, *mid, *post;
	} t[] = {
		{ "(", "1", ")" },
		{ "(", "1", "" },
		{ "-", "x", "" },
		{ "!", "x", "" },
		{ "++", "x", "" },
		{ "(int)", "x", "" },
		{ "sizeof ", "x", "" },
		{ "a = ", "b", "" },
		{ "a ? b : ", "c", "" },
		{ "a ? ", "b", " : c" },
		{ "a[", "0", "]" },
		{ "f(", "0", ")" },
		{ "f(1, ", "0", ")" },
		{ "", "1", " + 1" },
		{ "", "x", ".y" },
		{ "", "x", "[0]" },
		{ "", "x", "++" },
		{ "", "f", "()" },
		{ "", "a", ", b" },
		{ "", "a", " || b" },
		{ "1 + (", "1", ")" },
	};
	struct tr_ast *a = NULL;
	struct tr_expr_err err;

	for (size_t i = 0; i < N(t); i++) {
		char *src = repeat(t[i].pre, t[i].mid, t[i].post, 10000);

		a = NULL;
		ck_assert_msg(tr_expr_parse(src, is_type, NULL, &a, &err) ==
				      -TR_EINVAL,
			      "%s%s%s...", t[i].pre, t[i].mid, t[i].post);
		ck_assert_ptr_null(a);
		ck_assert_msg(!strcmp(err.msg, "Expression too deeply "
				      "nested."),
			      "%s%s%s: %s", t[i].pre, t[i].mid, t[i].post,
			      err.msg);
		ck_assert_uint_lt(err.pos, strlen(src));
		free(src);
	}

	/* the level that is too deep is the one reported */
	{
		char *src = repeat("(", "1", ")", 10000);

		ck_assert_int_eq(tr_expr_parse(src, NULL, NULL, &a, &err),
				 -TR_EINVAL);
		ck_assert_uint_eq(err.pos, 256);
		free(src);
	}
	/* 256 levels are fine, and so are long flat inputs */
	{
		static const struct {
			const char *pre, *mid, *post;
			size_t n;
		} ok[] = {
			{ "(", "1", ")", 256 },
			{ "-", "x", "", 255 },
			{ "", "1", " + 1", 255 },
			{ "", "\"ab\" ", "\"cd\" ", 10000 },
		};

		for (size_t i = 0; i < N(ok); i++) {
			char *src = repeat(ok[i].pre, ok[i].mid, ok[i].post,
					   ok[i].n);

			ck_assert_msg(tr_expr_parse(src, is_type, NULL, &a,
						    &err) == 0,
				      "%s%s%s x%zu: %s", ok[i].pre, ok[i].mid,
				      ok[i].post, ok[i].n, err.msg);
			tr_ast_free(a);
			free(src);
		}
	}
	/* the concatenated string is whole */
	{
		char *src = repeat("\"ab\" ", "", "", 10000);

		ck_assert_int_eq(tr_expr_parse(src, NULL, NULL, &a, &err), 0);
		ck_assert_int_eq(a->kind, TR_AST_STRING);
		ck_assert_uint_eq(a->len, 20000);
		ck_assert_uint_eq(strlen(a->str), 20000);
		tr_ast_free(a);
		free(src);
	}
}
END_TEST

Suite *
suite_expr_parse(void)
{
	Suite *s = suite_create("expr_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_int_literals);
	tcase_add_test(tc, test_float_literals);
	tcase_add_test(tc, test_char_literals);
	tcase_add_test(tc, test_string_literals);
	tcase_add_test(tc, test_literal_errors);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_name_errors);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_associativity);
	tcase_add_test(tc, test_all_operators);
	tcase_add_test(tc, test_calls);
	tcase_add_test(tc, test_casts);
	tcase_add_test(tc, test_cast_uses_is_type);
	tcase_add_test(tc, test_sizeof);
	tcase_add_test(tc, test_type_errors);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_error_details);
	tcase_add_test(tc, test_deep_nesting);
	suite_add_tcase(s, tc);
	return s;
}
