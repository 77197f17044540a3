/* print.c: traced by check_print and tools/gdbcmp.sh at -O0 and -O2: values of every kind for print formats, value history, convenience variables, ptype and whatis, compared with gdb 13. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <uchar.h>

/*
 * The tests stop in stop_here at the line with the stop marker, where every
 * local is set, and evaluate expressions there. Globals are initialized
 * statically so that -O2 keeps them as they are; the locals are volatile
 * so that -O2 keeps them too. With the argument "segv" the program
 * faults in fault_here after stop_here returned ($_siginfo); otherwise it
 * exits with status 3 ($_exitcode).
 */

#define CALLED __attribute__((noinline, used))

enum color { RED, GREEN = 5, BLUE = -2 };
enum perm { P_READ = 1, P_WRITE = 2, P_EXEC = 4 }; /* a flag enum */
enum seq { S_ZERO, S_ONE, S_TWO };

typedef int myint;
typedef myint myint2;        /* two levels of typedef */
typedef unsigned char byte;

struct point {
	int x, y;
};

typedef struct point point_t;
typedef point_t point2_t;

struct bits {
	unsigned lo : 3;
	unsigned hi : 5;
	int sgn : 4;
	unsigned char flag : 1;
	enum seq e : 2;
};

struct outer {
	int id;
	struct point pt;             /* a named nested struct */
	struct {
		short a, b;
	} anon_s;                    /* an anonymous struct type */
	union {
		int i;
		float f;
	};                           /* an anonymous member */
	struct inner_tag {
		char c;
		double d;
	} in;                        /* a struct defined inside */
	const char *name;
	int vals[3];
	struct point pts[2];
	int (*op)(int, int);
	void (*cb)(void);
	struct outer *next;
};

union num {
	int i;
	float f;
	unsigned char bytes[4];
};

typedef int (*binop_t)(int, int);

/* anonymous types two levels down: ptype shows them as struct {...} */
struct deep {
	int k;
	union {
		struct {
			short lo, hi;
		} half;
		int whole;
	} u;
};

/* ---- functions -------------------------------------------------------- */

CALLED int
add(int a, int b)
{
	return a + b;
}

CALLED double
scale(double x, float f, long n)
{
	return x * f * (double)n;
}

CALLED void
nothing(void)
{
}

CALLED int
sumv(int n, ...)
{
	return n;
}

CALLED const char *
pick(const struct point *p, char **names, unsigned idx)
{
	(void)p;
	return names[idx];
}

CALLED struct point
mkpt(int x, int y)
{
	struct point p = { x, y };

	return p;
}

/* ---- globals ---------------------------------------------------------- */

char g_char = 'A';
signed char g_schar = -128;
unsigned char g_uchar = 200;
short g_short = -1234;
unsigned short g_ushort = 65535;
int g_int = 42;
int g_neg = -1;
unsigned g_uint = 4000000000u;
long g_long = -1234567890123L;
unsigned long g_ulong = 0xdeadbeefcafef00dul;
long long g_llong = -9000000000000000000LL;
unsigned long long g_ull = 18446744073709551615ull;
_Bool g_bool = 1;
float g_float = 1.25f;
double g_double = -2.5;
double g_third = 1.0 / 3;
long double g_ldouble = 1.0L / 3;
enum color g_color = BLUE;
enum perm g_perm = P_READ | P_EXEC;
enum seq g_seq = S_TWO;
myint g_myint = 7;
myint2 g_myint2 = 8;
byte g_byte = 0x7f;
char *string = "hello";
const char *cstring = "tab\there";
char buf[16] = "hi";
char nl = '\n';
int arr[5] = { 10, 20, 30, 40, 50 };
int negs[4] = { -1, -2, 127, -128 };
int zeros[16];
short shorts[3] = { -1, 2, 0x7fff };
unsigned char ubytes[6] = { 0, 1, 0x7f, 0x80, 0xfe, 0xff };
int matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
double dbls[3] = { 0.5, -1.5, 3.0 };
float flts[2] = { 1.5f, -0.25f };
bool bools[3] = { true, false, true };
struct point origin = { 1, 2 };
point_t corner = { -8, 9 };
point2_t corner2 = { 16, -32 };
struct point pts[3] = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
struct bits bits = { 5, 17, -3, 1, S_TWO };
struct outer outer = {
	.id = 7,
	.pt = { 5, 6 },
	.anon_s = { -1, 2 },
	.i = 0x3fc00000,
	.in = { 'z', 2.5 },
	.name = "outer",
	.vals = { 100, 200, 300 },
	.pts = { { 1, -1 }, { 2, -2 } },
	.op = add,
	.cb = nothing,
	.next = &outer,
};
union num num = { .f = 1.0f };
struct outer *outerp = &outer;
int (*fnptr)(int, int) = add;
binop_t binop = add;
void *vp = &g_int;
int *ip = &arr[2];
int **ipp = &ip;
const int cint = -5;
volatile unsigned vuint = 3;
wchar_t wc = L'Z';
wchar_t wstr[4] = L"wxy";
char16_t c16 = u'q';
char32_t c32 = U'r';
int *null_ptr;
long big_count = 100000;
struct deep deep = { 1, { .whole = 0x00020001 } };

/* ---- where the tests stop ---------------------------------------------- */

__attribute__((noinline)) void
mark(void)
{
	__asm__ volatile("" ::: "memory");
}

CALLED void
stop_here(int a, double d, struct point p, const char *s)
{
	volatile int li = -7;
	volatile unsigned char luc = 250;
	volatile long ll = -5000000000L;
	volatile struct point lp = { p.y, p.x };
	volatile int larr[4] = { 1, -1, 2, -2 };
	int twice_a = 2 * a; /* not volatile: -O2 may compute it */

	(void)twice_a;
	mark(); /* LINE:stop */
	g_int += li + luc + (int)ll + lp.x + larr[1] + (int)d + s[0];
}

CALLED void
fault_here(void)
{
	*null_ptr = 1;
}

int
main(int argc, char **argv)
{
	stop_here(3, 1.5, (struct point){ 3, -4 }, "world");
	if (argc > 1 && strcmp(argv[1], "segv") == 0)
		fault_here();
	return 3;
}
