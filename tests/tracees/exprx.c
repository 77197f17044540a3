/* exprx.c: traced by check_exprx at -O0 and -O2: enumerators as C scopes them, gdb's @, wide characters, long double, and function pointers for casts with abstract declarators. */
#include <stddef.h>
#include <stdlib.h>
#include <uchar.h>
#include <wchar.h>

/*
 * check_exprx stops at the line of stop_here marked as the stop and
 * evaluates expressions there and in main (frame 1); what they must print
 * is what gdb 13 prints, written in the test. The program prints nothing
 * and always exits 0, whatever the test assigns.
 *
 * Enumerators: `lamp` and `opts` (a flag enum) are file-scope here;
 * `far` is declared in exprx_far.c only; `mode` is declared in
 * stop_here's body and `deep` in a block inside it; stop_here has a
 * local named MAGENTA that hides the enumerator of `hue`.
 *
 * Every function the test calls is noinline and used, so that -O2 keeps
 * an out-of-line copy with the ordinary calling convention.
 */

#define CALLED __attribute__((noinline, used))

enum lamp { RED, AMBER, GREEN };
enum opts { OPT_A = 1, OPT_B = 2, OPT_C = 4 };
enum hue { CYAN = 3, MAGENTA = 4 };
enum level { LOW = -1, MID = 10, HIGH = 100 };

enum lamp light = AMBER;
enum opts optset = OPT_A | OPT_C;
enum hue tint = CYAN;
enum level lvl = LOW;
extern int far_var;

int vals[6] = { 1, 2, 3, 4, 5, 6 };
int grid[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
int *vp = vals;
int vlen = 4;
struct pair {
	int a, b;
} pairs[3] = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
char word[8] = "abcdefg";
union word4 {
	int i;
	float f;
} uw = { 7 };
struct pair *pp = &pairs[1];
int *volatile nullp; /* crash() reads through it */
short shorts[4] = { -1, 2, -3, 4 };

wchar_t wc = L'Z';
wchar_t wnl = L'\n';
wchar_t wstr[4] = L"wxy";
wchar_t wlong[8] = L"ab";
const wchar_t *wp = L"hello";
char16_t c16 = u'q';
char16_t s16[4] = u"abc";
const char16_t *p16 = u"sixteen";
char32_t c32 = U'R';
char32_t s32[5] = U"wxyz";
const char32_t *p32 = U"dyn";

long double ld = 1.0L / 3;
long double ld_neg = -2.5L;
long double ld_big = 1e300L * 1e100L;
long double lds[3] = { 0.5L, 0.1L, 1e-400L };
struct ldbox {
	long double v;
	int tag;
} box = { 0.1L, 7 };

/* ---- functions to call ---------------------------------------------- */

CALLED int
shade(enum lamp l)
{
	return (int)l * 10 + 1;
}

CALLED int
twice(int n)
{
	return 2 * n;
}

CALLED int
neg(int n)
{
	return -n;
}

CALLED void
nothing(void)
{
}

CALLED long double
ld_half(long double x)
{
	return x / 2;
}

CALLED long double
ld_add(long double a, long double b)
{
	return a + b;
}

/* Each argument has its own weight: one in the wrong place shows. */
CALLED double
ld_mix(int i, long double x, double d, long double y)
{
	return i * 1000.0 + (double)x * 100.0 + d * 10.0 + (double)y;
}

/* Eight integer arguments: the last two and the long doubles spill. */
CALLED long double
ld_spill(long a, long b, long c, long d, long e, long f, long g,
	 long double x, long h)
{
	return a + b + c + d + e + f + g * 1000 + x + h * 100000;
}

CALLED long double
ld_of_box(struct ldbox b)
{
	return b.v * b.tag;
}

CALLED struct ldbox
make_box(long double v, int tag)
{
	struct ldbox b = { v, tag };

	return b;
}

CALLED size_t
wlen(const wchar_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

CALLED unsigned
c32_at(const char32_t *s, int i)
{
	return (unsigned)s[i];
}

/* Calls that do not return: the test checks what is said and that the
 * program goes on as before. */
CALLED int
crash(void)
{
	return *nullp;
}

CALLED void
do_abort(void)
{
	abort();
}

int (*fp)(int) = twice;
void *vfp = (void *)neg;
long fn_as_long;

/* ---- where the test stops ------------------------------------------- */

volatile long sink;

__attribute__((noinline)) void
mark(void)
{
	__asm__ volatile("" ::: "memory");
}

CALLED void
stop_here(int n)
{
	enum mode { M_OFF, M_ON = 7 };
	volatile enum mode mode = M_ON;
	volatile int MAGENTA = 77; /* hides enum hue's MAGENTA */

	{
		enum deep { DEEP = 42, DEEPER };
		volatile enum deep dv = DEEPER;
		volatile int blockv = n + DEEP;

		mark(); /* LINE:stop */
		sink = dv + blockv;
	}
	sink += mode + MAGENTA;
}

int
main(void)
{
	volatile int in_main = 5;

	fn_as_long = (long)neg;
	stop_here(3);
	sink += in_main + far_var;
	return 0;
}
