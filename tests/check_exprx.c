/* check_exprx.c: enumerators, gdb's @, wide characters, long double and abstract declarators in expressions, against what gdb 13 prints, on exprx.c at -O0 and -O2. */
#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "helpers.h"
#include "session/session.h"
#include "suites.h"

#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif

/*
 * Every expected value below is what gdb 13.1 prints for `print EXPR`
 * (after "$N = "), or `whatis EXPR` (after "type = "), at the same stop
 * of the same program, the rows of a table run in order in one session
 * (assignments change what later rows see):
 *
 *   gdb -nx -batch -ex 'break exprx.c:LINE' -ex run \
 *       -ex 'print EXPR' ... tests/tracees/exprx-O0
 *
 * LINE is the line of tests/tracees/exprx.c marked as the stop; frame 1 is
 * main ("up" in gdb). As in check_expr.c, "0x*" in an expected string
 * stands for any hex number, and an error row gives a phrase of the
 * message and the offset of the node it is about (an operator, the '('
 * of a cast or call, a name's first character).
 */

enum {
	B_O0 = 1 << 0,
	B_O2 = 1 << 1,
	B_ALL = B_O0 | B_O2,
};

static const struct build {
	const char *prog;
	unsigned mask;
} builds[] = {
	{ "exprx-O0", B_O0 },
	{ "exprx-O2", B_O2 },
};

#define NBUILDS (sizeof(builds) / sizeof(builds[0]))

#define VALUE (-1)

struct row {
	const char *expr;
	const char *want; /* the value or type, or a phrase of the error */
	unsigned builds;  /* B_* */
	unsigned frame;   /* 0: stop_here, 1: main */
	int errpos;       /* VALUE, or where the error is */
	bool whatis;      /* the type, not the value */
};

#define V(e, w) { e, w, B_ALL, 0, VALUE, false }
#define VF1(e, w) { e, w, B_ALL, 1, VALUE, false }
#define T(e, w) { e, w, B_ALL, 0, VALUE, true }
#define E(e, pos, w) { e, w, B_ALL, 0, pos, false }
#define EF1(e, pos, w) { e, w, B_ALL, 1, pos, false }
#define ET(e, pos, w) { e, w, B_ALL, 0, pos, true }

/* ---- the tables ------------------------------------------------------- */

/* 1. Enumerators: file scope, another unit, the function's body, a
 * block, hidden by a local; in frame 1 (main) the function's own are out
 * of scope and the local no longer hides the global one. */
static const struct row enum_rows[] = {
	V("light", "AMBER"),
	V("AMBER", "AMBER"),
	V("light == AMBER", "1"),
	V("light != GREEN", "1"),
	V("shade(RED)", "1"),
	V("shade(GREEN)", "21"),
	V("shade(light)", "11"),
	V("(enum lamp)1", "AMBER"),
	V("(int)GREEN", "2"),
	V("GREEN - RED", "2"),
	V("OPT_A | OPT_C", "5"),
	V("(enum opts)(OPT_A | OPT_C)", "(OPT_A | OPT_C)"),
	V("optset == (OPT_A | OPT_C)", "1"),
	V("optset & OPT_B", "0"),
	V("MAGENTA", "77"), /* the local */
	V("CYAN", "CYAN"),
	V("tint == CYAN", "1"),
	V("M_ON", "M_ON"),
	V("mode", "M_ON"),
	V("mode == M_ON", "1"),
	V("M_ON * 2", "14"),
	V("DEEP", "DEEP"),
	V("DEEPER + 1", "44"),
	V("dv == DEEPER", "1"),
	V("blockv - DEEP", "3"),
	V("FAR_AWAY", "FAR_AWAY"),
	V("far_where", "FAR_NEAR"),
	V("FAR_NEAR - FAR_AWAY", "1"),
	V("LOW", "LOW"),
	V("-LOW", "1"),
	V("lvl == LOW", "1"),
	V("HIGH / MID", "10"),
	V("sizeof(AMBER)", "4"),
	V("vals[AMBER]", "2"),
	V("GREEN ? 1 : 2", "1"),
	V("'exprx.c'::GREEN", "GREEN"),
	V("light = RED", "RED"),
	V("light", "RED"),
	V("light = GREEN", "GREEN"),
	V("mode = M_OFF", "M_OFF"),
	V("mode", "M_OFF"),
	E("AMBER = 1", 6, "Left operand of assignment is not an lvalue."),
	E("&AMBER", 0, "Can't take address of \"AMBER\" which isn't an "
		       "lvalue."),
	VF1("MAGENTA", "MAGENTA"),
	VF1("AMBER + 1", "2"),
	VF1("FAR_AWAY", "FAR_AWAY"),
	EF1("M_ON", 0, "No symbol \"M_ON\" in current context."),
	EF1("DEEP", 0, "No symbol \"DEEP\" in current context."),
	E("NO_SUCH_ENUM", 0, "No symbol \"NO_SUCH_ENUM\" in current context."),
	T("AMBER", "enum lamp"),
	T("M_ON", "enum mode"),
	T("DEEP", "enum deep"),
	T("OPT_A | OPT_C", "unsigned int"),
	T("LOW + 1", "int"),
	T("FAR_NEAR", "enum far"),
};

/* 2. gdb's @: n objects from an lvalue in memory on. Its errors point at
 * the @. gdb reads past the object as asked (`vlen@2`), so no row reads
 * past vals at -O2, where what follows it differs. */
static const struct row at_rows[] = {
	V("*vals@3", "{1, 2, 3}"),
	V("vals[1]@2", "{2, 3}"),
	V("*vp@vlen", "{1, 2, 3, 4}"),
	V("vp[2]@vlen - 2", "{3, 4}"),
	V("*vals@1+1", "{1, 2}"),
	V("pairs[1]@2", "{{a = 3, b = 4}, {a = 5, b = 6}}"),
	V("pairs[0].b@2", "{2, 3}"),
	V("word[1]@3", "\"bcd\""),
	V("shorts[0]@4", "{-1, 2, -3, 4}"),
	V("grid[0]@2", "{{1, 2, 3}, {4, 5, 6}}"),
	V("*grid@2", "{{1, 2, 3}, {4, 5, 6}}"),
	V("**grid@6", "{1, 2, 3, 4, 5, 6}"),
	V("(*vals@3)[1]", "2"),
	V("(vals[2]@2)[1]", "4"),
	V("sizeof(*vals@3)", "12"),
	/* sizeof binds tighter: (sizeof vals[0])@5 */
	E("sizeof vals[0]@5", 14, "Only values in memory can be extended "
				  "with '@'."),
	V("*vals@3@2", "{{1, 2, 3}, {4, 5, 6}}"),
	V("*vals@AMBER", "{1}"),
	T("*vals@3", "int [3]"),
	T("pairs[0]@2", "struct pair [2]"),
	T("*vals@3@2", "int [2][3]"),
	E("*vp@0", 3, "Invalid number 0 of repetitions."),
	E("*vals@-1", 5, "Invalid number -1 of repetitions."),
	E("42@2", 2, "Only values in memory can be extended with '@'."),
	E("&vals[0]@2", 8, "Only values in memory can be extended with '@'."),
	E("vlen + 1@2", 8, "Only values in memory can be extended with '@'."),
	E("*vals@1.5", 5, "Non-integral right operand for \"@\" operator."),
	E("*vals@vp", 5, "Non-integral right operand for \"@\" operator."),
	E("*vals@", 6, "A syntax error in expression, near `'."),
	E("*vals@(vlen - 4)", 5, "Invalid number 0 of repetitions."),
};

/* 7. Casts and sizeof with abstract declarators (C11 6.7.7). */
static const struct row decl_rows[] = {
	V("((int (*)(int))vfp)(21)", "-21"),
	V("((int (*)(int))fp)(1)", "2"),
	V("(*(int (*)(int))vfp)(4)", "-4"),
	V("((int (*)(int))fn_as_long)(9)", "-9"),
	V("(int (*)(int))fn_as_long", "(int (*)(int)) 0x* <neg>"),
	V("(int (*)(int))vfp == fp", "0"),
	V("sizeof(int (*)(int))", "8"),
	V("sizeof(int (*)[3])", "8"),
	V("sizeof(int *[3])", "24"),
	V("sizeof(int [2][3])", "24"),
	V("sizeof(char (*)(void))", "8"),
	V("sizeof(int[3])", "12"),
	V("sizeof(int (*(*)(void))[4])", "8"),
	V("sizeof(struct pair (*)[2])", "8"),
	V("sizeof(struct pair [2])", "16"),
	V("sizeof(long double [2])", "32"),
	V("(int (*)[3])grid", "(int (*)[3]) 0x* <grid>"),
	V("*(int (*)[3])grid", "{1, 2, 3}"),
	V("(*(int (*)[3])grid)[2]", "3"),
	V("((int (*)[3])grid)[1]", "{4, 5, 6}"),
	V("((int (*)[3])grid)[1][0]", "4"),
	V("((int (*)[2])vals)[2]", "{5, 6}"),
	V("(long (*)[2])vals", "(long (*)[2]) 0x* <vals>"),
	V("(void (*)(void))0", "(void (*)(void)) 0x0"),
	V("(void (*)(void))nothing", "(void (*)(void)) 0x* <nothing>"),
	V("(int (*)(int, int))0", "(int (*)(int, int)) 0x0"),
	V("(int (*)())0", "(int (*)()) 0x0"),
	V("(int (*)(const char *, ...))0", "(int (*)(const char *, ...)) 0x0"),
	V("(char **)0", "(char **) 0x0"),
	V("(const int *)vals", "(const int *) 0x* <vals>"),
	V("(int * const)vals", "(int * const) 0x* <vals>"),
	V("(struct pair *)vals", "(struct pair *) 0x* <vals>"),
	V("((struct pair *)vals)->b", "2"),
	V("((struct pair *)(int *)(char *)vals)[1].a", "3"),
	V("*(struct pair *)&vals[4]", "{a = 5, b = 6}"),
	V("(unsigned char)*(short *)shorts", "255 '\\377'"),
	T("(int (*)(int))vfp", "int (*)(int)"),
	T("(int (*)[3])grid", "int (*)[3]"),
	T("(void (*)(void))0", "void (*)(void)"),
	T("(char *(*)(const char *, int))0", "char *(*)(const char *, int)"),
	T("(int (*(*)(void))[4])0", "int (*(*)(void))[4]"),
	T("(int (*)(int (*)(int), ...))0", "int (*)(int (*)(int), ...)"),
	T("*(int (*)[3])grid", "int [3]"),
	T("(const char *)0", "const char *"),
	T("(char * volatile *)0", "char * volatile *"),
	E("(int[3])vals", 0, "Invalid cast."),
	ET("(int *[3])0", 0, "Invalid cast."),
	E("(int (*)(int)vfp", 13, "A syntax error in expression, near `vfp'."),
	V("sizeof(int (*)[])", "8"),
	T("(int (*)[])grid", "int (*)[]"),
	E("sizeof(int (*)[2 + 1])", 17, "A syntax error in expression, near "
					"`+ 1])'."),
};

/* 6. long double: gdb prints the x87 format with 21 significant digits;
 * calls pass it in memory (16-byte aligned on the stack) and get it back
 * in st(0). */
static const struct row ld_rows[] = {
	V("ld", "0.333333333333333333342"),
	V("ld_neg", "-2.5"),
	V("ld_big", "9.99999999999999999965e+399"),
	V("lds", "{0.5, 0.100000000000000000001, 9.99999999999999999979e-401}"),
	V("lds[0]@2", "{0.5, 0.100000000000000000001}"),
	V("box", "{v = 0.100000000000000000001, tag = 7}"),
	V("ld * 3", "1"),
	V("(long double)1 / 3", "0.333333333333333333342"),
	V("1.0L / 3", "0.333333333333333333342"),
	V("0.1L", "0.100000000000000000001"),
	V("0.1L == lds[1]", "1"),
	V("0.1 == lds[1]", "0"),
	V("sizeof(ld)", "16"),
	V("sizeof(1.5L)", "16"),
	V("(double)ld", "0.33333333333333331"),
	V("(float)ld", "0.333333343"),
	V("(int)(ld * 100)", "33"),
	V("ld_big > 1e300", "1"),
	V("-ld", "-0.333333333333333333342"),
	V("ld < 1", "1"),
	V("ld_half(ld)", "0.166666666666666666671"),
	V("ld_half(3)", "1.5"),
	V("ld_half(ld_big)", "4.99999999999999999982e+399"),
	V("ld_add(ld, ld)", "0.666666666666666666685"),
	V("ld_add(1.5, 2.25)", "3.75"),
	V("ld_add(ld_half(1), 0.25L)", "0.75"),
	V("ld_mix(1, 2.5L, 3.0, 0.5L)", "1280.5"),
	V("ld_mix(2, ld, 1, ld_neg)", "2040.8333333333333"),
	/* gdb 13 prints -nan(0xc000000000000000): the long double after
	 * seven integer arguments does not reach the callee as the psABI
	 * places it (on the stack after the 7th, 16-byte aligned, so after
	 * 8 bytes of padding). 1+2+3+4+5+6 + 7*1000 + 0.5 + 9*100000 is
	 * what the C call computes. */
	V("ld_spill(1, 2, 3, 4, 5, 6, 7, 0.5L, 9)", "907021.5"),
	V("ld_of_box(box)", "0.699999999999999999989"),
	V("make_box(0.25L, 3)", "{v = 0.25, tag = 3}"),
	V("make_box(ld, 2).v", "0.333333333333333333342"),
	V("ld_half(make_box(8, 1).v)", "4"),
	T("ld_half(1)", "long double"),
	T("1.5L", "long double"),
	T("ld + 1", "long double"),
	T("ld + 1.0f", "long double"),
	V("ld = 0.75L", "0.75"),
	V("ld", "0.75"),
	V("box.v = 1.0L/7", "0.142857142857142857141"),
	V("box.v", "0.142857142857142857141"),
	V("ld += 1", "1.75"),
	V("lds[2] = -lds[1]", "-0.100000000000000000001"),
};

/* 5. Wide characters: wchar_t, char16_t and char32_t (typedefs gdb
 * recognizes by name) print as characters and strings with gdb's L, u, U
 * prefixes; their literals parse. gdb was run with LANG=C: characters
 * past ASCII print as escapes, as a daemon without a locale prints them.
 * A pointer to char or to a wide character type is printed with the
 * symbol it points into and the text, without its type unless its
 * pointee is not named char, wchar_t, char16_t or char32_t. */
static const struct row wide_rows[] = {
	V("wc", "90 L'Z'"),
	V("wnl", "10 L'\\n'"),
	V("wstr", "L\"wxy\""),
	V("wlong", "L\"ab\\000\\000\\000\\000\\000\""),
	V("wp", "0x* L\"hello\""),
	V("c16", "113 u'q'"),
	V("s16", "u\"abc\""),
	V("p16", "0x* u\"sixteen\""),
	V("c32", "82 U'R'"),
	V("s32", "U\"wxyz\""),
	V("p32", "0x* U\"dyn\""),
	V("L'a'", "97 L'a'"),
	V("L\"ab\"", "L\"ab\""),
	V("u'x'", "120 u'x'"),
	V("u\"xy\"", "u\"xy\""),
	V("U'y'", "121 U'y'"),
	V("U\"yz\"", "U\"yz\""),
	V("L'\\''", "39 L'\\''"),
	V("L'\"'", "34 L'\"'"),
	V("L\"\\\"q\\\\\"", "L\"\\\"q\\\\\""),
	V("L\"a\\nb\\tc\"", "L\"a\\nb\\tc\""),
	V("L'\\x263a'", "9786 L'\\x263a'"),
	V("u\"\\x263a\"", "u\"\\x263a\""),
	V("L\"caf\\351\"", "L\"caf\\351\""),
	V("L'\\0'", "0 L'\\000'"),
	V("L\"\"", "L\"\""),
	V("\"a\" L\"b\"", "L\"ab\""),
	V("L\"a\" \"b\"", "L\"ab\""),
	V("(wchar_t)0", "0 L'\\000'"),
	V("(wchar_t)27", "27 L'\\033'"),
	V("(wchar_t)127", "127 L'\\177'"),
	V("(wchar_t)200", "200 L'\\310'"),
	V("(wchar_t)-1", "-1 L'\\xffffffff'"),
	V("(char16_t)0xe9", "233 u'\\351'"),
	V("(char16_t)65535", "65535 u'\\xffff'"),
	V("(char32_t)0x1f600", "128512 U'\\x1f600'"),
	V("(char32_t)92", "92 U'\\\\'"),
	V("sizeof(L\"ab\")", "12"),
	V("sizeof(u\"ab\")", "6"),
	V("sizeof(U'a')", "4"),
	V("sizeof(L\"\")", "4"),
	V("sizeof(wc)", "4"),
	V("sizeof(c16)", "2"),
	V("wc == L'Z'", "1"),
	V("wc + 1", "91"),
	V("-wc", "-90"),
	V("(char)wc", "90 'Z'"),
	V("c16 * 2", "226"),
	V("wstr[1]", "120 L'x'"),
	V("*wp", "104 L'h'"),
	V("p32[1]", "121 U'y'"),
	V("p16[7]", "0 u'\\000'"),
	V("wlong[1]@3", "L\"b\\000\""),
	V("wstr[0]@2", "L\"wx\""),
	V("*p16@3", "u\"six\""),
	V("&wstr[1]", "0x* <wstr+4> L\"xy\""),
	V("wp + 2", "0x* L\"llo\""),
	V("&word[1]", "0x* <word+1> \"bcdefg\""),
	V("(char *)word", "0x* <word> \"abcdefg\""),
	V("(unsigned char *)word", "(unsigned char *) 0x* <word> \"abcdefg\""),
	V("wlen(wp)", "5"),
	V("wlen(L\"four\")", "4"),
	V("wlen(wstr)", "3"),
	V("c32_at(U\"abc\", 2)", "99"),
	V("c32_at(s32, 3)", "122"),
	V("wc = L'y'", "121 L'y'"),
	V("wc", "121 L'y'"),
	V("s16[1] = u'Q'", "81 u'Q'"),
	V("s16", "u\"aQc\""),
	T("L'a'", "wchar_t"),
	T("L\"ab\"", "wchar_t [3]"),
	T("u\"ab\"", "char16_t [3]"),
	T("U'a'", "char32_t"),
	T("wc + 1", "int"),
	T("c16 + c16", "int"),
	T("wstr[0]", "wchar_t"),
	T("*wp", "const wchar_t"),
	T("p16", "const char16_t *"),
	T("s32", "char32_t [5]"),
	E("L\"a\" u\"b\"", 0, "Undefined string concatenation."),
	E("L'ab'", 0, "Invalid character constant."),
	E("L'", 0, "Unmatched single quote."),
	E("L\"x", 0, "Unterminated string in expression."),
	V("(char)27", "27 '\\033'"),
	V("L\"\\033x\"", "L\"\\033x\""),
	V("(wchar_t)11", "11 L'\\v'"),
};

/* 9. gdb's words for errors that only differ in words. gdb looks for a
 * C++ operator when the left operand is a struct; tracerd says what gdb
 * says. A call that does not return is undone (gdb's unwindonsignal on,
 * which tracerd always does), so tracerd says what gdb says then, with
 * its own name for the debugger and without gdb's hint to change the
 * setting. */
#define ABANDONED(fn)                                                     \
	"tracerd has restored the context to what it was before the "    \
	"call.\nEvaluation of the expression containing the function\n(" \
	fn ") will be abandoned."
static const struct row err_rows[] = {
	E("pairs[0] + 1", 9, "Structure has no component named operator+."),
	E("pairs[0] - pairs[1]", 9, "Structure has no component named "
				    "operator-."),
	E("box * 2", 4, "Structure has no component named operator*."),
	E("pairs[0] == pairs[1]", 9, "Structure has no component named "
				     "operator==."),
	E("pairs[0] < 1", 9, "Structure has no component named operator<."),
	E("pairs[0] << 1", 9, "Structure has no component named operator<<."),
	E("pairs[0] || 1", 9, "Structure has no component named operator||."),
	E("1 && pairs[0]", 2, "Can't do that binary op on that type"),
	E("1 + pairs[0]", 2, "Can't do that binary op on that type"),
	E("vals == pairs[0]", 5, "Can't do that binary op on that type"),
	E("vals[pairs[0]]", 4, "Can't do that binary op on that type"),
	E("-pairs[0]", 0, "Structure has no component named operator-."),
	E("+pairs[0]", 0, "Structure has no component named operator+."),
	E("!pairs[0]", 0, "Structure has no component named operator!."),
	E("~pairs[0]", 0, "Structure has no component named operator~."),
	E("*pairs[0]", 0, "Structure has no component named operator*."),
	E("pairs[0][1]", 8, "Structure has no component named operator[]."),
	E("pairs[0]++", 8, "Structure has no component named operator++."),
	E("--pairs[0]", 0, "Structure has no component named operator--."),
	E("pairs[0] += 1", 9, "Structure has no component named "
			      "operator+=."),
	E("uw + 1", 3, "Argument to arithmetic operation not a number or "
		       "boolean."),
	E("-uw", 0, "Argument to negate operation not a number."),
	E("+uw", 0, "Argument to positive operation not a number."),
	E("-vals", 0, "Argument to negate operation not a number."),
	E("+word", 0, "Argument to positive operation not a number."),
	E("~uw", 0, "Argument to complement operation not an integer, "
		    "boolean."),
	E("~vp", 0, "Argument to complement operation not an integer, "
		    "boolean."),
	E("uw++", 2, "Not a numeric type."),
	E("uw += 1", 3, "Argument to arithmetic operation not a number or "
			"boolean."),
	E("uw[1]", 2, "cannot subscript something of type `word4'"),
	E("*uw", 0, "Attempt to take contents of a non-pointer value."),
	E("uw()", 2, "Invalid data type for function to be called."),
	E("pairs[0](1)", 8, "Invalid data type for function to be called."),
	E("vlen->a", 4, "Attempt to extract a component of a value that is "
			"not a structure pointer."),
	E("vlen.a", 4, "Attempt to extract a component of a value that is "
		       "not a structure."),
	V("pairs.a", "1"),     /* an array decays, as for gdb */
	V("pairs->b", "2"),
	E("pp->c", 2, "There is no member named c."),
	V("pp.b", "4"),       /* gdb takes p.x for p->x */
	V("pairs[2]->a", "5"), /* and s->x for s.x */
	V("(*pp).a", "3"),
	V("uw.i", "7"),
	E("crash()", 5,
	  "Program received signal SIGSEGV, Segmentation fault.\n"
	  "The program being debugged was signaled while in a function "
	  "called from tracerd.\n" ABANDONED("crash")),
	E("twice(crash())", 11,
	  "Program received signal SIGSEGV, Segmentation fault.\n"
	  "The program being debugged was signaled while in a function "
	  "called from tracerd.\n" ABANDONED("crash")),
	E("do_abort()", 8,
	  "Program received signal SIGABRT, Aborted.\n"
	  "The program being debugged was signaled while in a function "
	  "called from tracerd.\n" ABANDONED("do_abort")),
	V("twice(4)", "8"),
	V("vlen", "4"),
};

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- running a table -------------------------------------------------- */

static bool
match(const char *want, const char *got)
{
	while (*want) {
		if (strncmp(want, "0x*", 3) == 0) {
			if (strncmp(got, "0x", 2) != 0 ||
			    !isxdigit((unsigned char)got[2]))
				return false;
			got += 2;
			while (isxdigit((unsigned char)*got))
				got++;
			want += 3;
		} else if (*want++ != *got++) {
			return false;
		}
	}
	return *got == '\0';
}

struct sess {
	struct tr_session *s;
	const struct build *b;
};

/* Launch build b and stop at the line marked LINE:stop. */
static void
sess_to_stop(struct sess *x, const struct build *b)
{
	char path[512], spec[64];
	char *argv[2] = { path, NULL };
	struct tr_session_opts o = { 0 };
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	struct tr_expr_err err;
	struct tr_event ev;
	uint32_t id;
	pid_t pid;

	x->b = b;
	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, b->prog);
	ck_assert_tr(tr_session_new(&o, &x->s), 0);
	ck_assert_tr(tr_session_launch(x->s, &l, &pid), 0);
	/* At the exec stop the program's own modules are not known yet: a
	 * function breakpoint first, then the line. */
	memset(&err, 0, sizeof(err));
	ck_assert_msg(tr_session_break(x->s, "stop_here", NULL, NULL, &id,
				       &err) == 0,
		      "break stop_here: %s", err.msg);
	ck_assert_tr(tr_session_cont(x->s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	snprintf(spec, sizeof(spec), "exprx.c:%u",
		 tracee_marker_line("exprx.c", "stop"));
	ck_assert_msg(tr_session_break(x->s, spec, NULL, NULL, &id, &err) == 0,
		      "break %s: %s", spec, err.msg);
	ck_assert_tr(tr_session_cont(x->s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	ck_assert_uint_eq(ev.bpnum, id);
}

/* The program goes on to its normal end. */
static void
sess_finish(struct sess *x)
{
	struct tr_event ev;

	ck_assert_tr(tr_session_cont(x->s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, TR_STOP_NONE);
	ck_assert_int_eq(ev.status, 0);
	tr_session_free(x->s);
}

/* One row: true when right; else *why says what came instead. */
static bool
row_check(struct sess *x, const struct row *r, char *why, size_t len)
{
	struct tr_expr_err err;
	char out[1024];
	int rc;

	memset(&err, 0, sizeof(err));
	out[0] = '\0';
	rc = r->whatis ? tr_session_whatis(x->s, r->expr, 0, r->frame, out,
					   sizeof(out), &err)
		       : tr_session_eval(x->s, r->expr, 0, r->frame, out,
					 sizeof(out), &err);
	if (r->errpos == VALUE) {
		if (rc != 0) {
			snprintf(why, len, "error %d (%s): \"%s\" at %u", rc,
				 tr_strerror(rc), err.msg, err.pos);
			return false;
		}
		if (!match(r->want, out)) {
			snprintf(why, len, "got \"%s\"", out);
			return false;
		}
		return true;
	}
	if (rc >= 0) {
		snprintf(why, len, "no error: rc %d, \"%s\"", rc, out);
		return false;
	}
	if (!strstr(err.msg, r->want) || err.pos != (uint32_t)r->errpos) {
		snprintf(why, len, "error %d (%s): \"%s\" at %u", rc,
			 tr_strerror(rc), err.msg, err.pos);
		return false;
	}
	return true;
}

/* Every row of a table for build b, in one session; all wrong rows are
 * listed on stderr, the first in the failure. */
static void
run_table(const struct build *b, const struct row *rows, size_t n)
{
	char first[1400] = "", why[1200];
	unsigned done = 0, bad = 0;
	struct sess x;

	sess_to_stop(&x, b);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (!(r->builds & b->mask))
			continue;
		done++;
		if (row_check(&x, r, why, sizeof(why)))
			continue;
		bad++;
		fprintf(stderr, "%s: %s%s (frame %u): want %s\"%s\": %s\n",
			b->prog, r->whatis ? "whatis " : "", r->expr, r->frame,
			r->errpos == VALUE ? "" : "error ", r->want, why);
		if (!first[0])
			snprintf(first, sizeof(first),
				 "%s%s (frame %u): want \"%s\": %s",
				 r->whatis ? "whatis " : "", r->expr, r->frame,
				 r->want, why);
	}
	ck_assert_uint_gt(done, 0);
	ck_assert_msg(bad == 0, "%s: %u of %u rows wrong; the first: %s",
		      b->prog, bad, done, first);
	sess_finish(&x);
}

START_TEST(test_enumerators)
{
	run_table(&builds[_i], enum_rows, NROWS(enum_rows));
}
END_TEST

START_TEST(test_at)
{
	run_table(&builds[_i], at_rows, NROWS(at_rows));
}
END_TEST

START_TEST(test_declarators)
{
	run_table(&builds[_i], decl_rows, NROWS(decl_rows));
}
END_TEST

START_TEST(test_long_double)
{
	run_table(&builds[_i], ld_rows, NROWS(ld_rows));
}
END_TEST

START_TEST(test_wide)
{
	run_table(&builds[_i], wide_rows, NROWS(wide_rows));
}
END_TEST

START_TEST(test_errors)
{
	run_table(&builds[_i], err_rows, NROWS(err_rows));
}
END_TEST

Suite *
suite_exprx(void)
{
	Suite *s = suite_create("exprx");
	TCase *tc = tcase_create("gdb");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_enumerators, 0, NBUILDS);
	tcase_add_loop_test(tc, test_at, 0, NBUILDS);
	tcase_add_loop_test(tc, test_declarators, 0, NBUILDS);
	tcase_add_loop_test(tc, test_long_double, 0, NBUILDS);
	tcase_add_loop_test(tc, test_wide, 0, NBUILDS);
	tcase_add_loop_test(tc, test_errors, 0, NBUILDS);
	suite_add_tcase(s, tc);
	return s;
}
