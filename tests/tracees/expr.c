/* expr.c: traced by check_expr at -O0 and -O2: variables of every kind, functions to inject calls into (faulting ones too), and a worker thread. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * check_expr stops in stop_here, first at its entry and then at the line
 * marked LINE:stop, where every local is set, and evaluates expressions
 * there; what they must print is what gdb 13 prints, written in the test.
 * The program prints nothing, and nothing it does afterwards depends on
 * what the test assigns: it always exits 0 unless a test makes it call
 * do_exit().
 *
 * With argument "threads", a worker thread calls worker_tick(0),
 * worker_tick(1)... up to WORKER_TICKS while main runs stop_here and then
 * waits for it (conditional breakpoints and the concurrency test).
 *
 * Every function the test calls is noinline and used, so that -O2 keeps
 * an out-of-line copy with the ordinary calling convention.
 */

#define CALLED __attribute__((noinline, used))
#define WORKER_TICKS 100000

enum color { RED, GREEN = 5, BLUE = -2 };
enum perm { P_READ = 1, P_WRITE = 2, P_EXEC = 4 }; /* a flag enum */

struct point {
	int x, y;
};

typedef struct point point_t;

struct inner {
	short s;
	struct point pt;
};

struct rec {
	int id;
	struct inner in; /* a nested struct */
	const char *name;
	int vals[3];
	unsigned lo : 3;
	unsigned hi : 5;
	int sgn : 4;
};

union num {
	int i;
	float f;
	unsigned char bytes[4];
};

struct big {
	long a[6];
};

/* ---- functions to call ---------------------------------------------- */

CALLED int
add(int a, int b)
{
	return a + b;
}

CALLED int
twice(int n)
{
	return 2 * n;
}

CALLED long
mul3(long a, long b, long c)
{
	return a * b * c;
}

CALLED double
fadd(double a, double b)
{
	return a + b;
}

CALLED float
fhalf(float f)
{
	return f / 2;
}

/* Each argument has its own weight: one in the wrong register shows. */
CALLED double
mixed(int i, double d, long l, float f)
{
	return i * 1000.0 + d * 100.0 + l * 10.0 + f;
}

/* Weighted too: swapped members or arguments show. */
CALLED int
sum_points(struct point p, struct point q)
{
	return p.x + 10 * p.y + 100 * q.x + 1000 * q.y;
}

/* Eight bytes: returned in rax. */
CALLED struct point
make_point(int x, int y)
{
	struct point p = { x, y };

	return p;
}

/* 48 bytes: returned through the hidden pointer in rdi. */
CALLED struct big
make_big(long seed)
{
	struct big b;

	for (int i = 0; i < 6; i++)
		b.a[i] = seed * 10 + i;
	return b;
}

CALLED int
sumv(int n, ...)
{
	va_list ap;
	int s = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

/* Variadic with doubles: the caller must set AL. */
CALLED double
avgv(int n, ...)
{
	va_list ap;
	double s = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, double);
	va_end(ap);
	return n ? s / n : 0;
}

CALLED size_t
my_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* ---- variables -------------------------------------------------------- */

char g_char = 'A';
unsigned char g_uchar = 200;
short g_short = -1234;
int g_int = 42;
int g_neg = -17;
unsigned g_uint = 4000000000u;
long g_long = -1234567890123L;
unsigned long long g_ull = 18446744073709551615ull;
double g_double = 2.5;
float g_float = 1.25f;
_Bool g_bool = 1;
enum color g_color = BLUE;
enum perm g_perm = P_READ | P_EXEC;
char *string = "hello";
char buf[16] = "hi";
int arr[5] = { 10, 20, 30, 40, 50 };
int matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
struct point origin = { 1, 2 };
point_t corner = { -8, 9 };
struct rec rec = { 7, { -3, { 5, 6 } }, "rec", { 100, 200, 300 }, 5, 17, -3 };
union num num = { .f = 1.0f };
struct rec *recp = &rec;
int (*fnptr)(int, int) = add;
/* Hidden in stop_here by a local of the same name; `used` keeps it at
 * -O2 although nothing reads it. */
static int shadow __attribute__((used)) = 100;

int *volatile null_ptr;       /* crash() writes through it */
volatile int spin_count;      /* spin_forever() counts here */
volatile unsigned long ticks; /* the worker's loop count */
volatile long tick_sum;
volatile double sink;

/* ---- faults ----------------------------------------------------------- */

CALLED void
crash(void)
{
	*null_ptr = 1;
}

CALLED void
do_abort(void)
{
	abort();
}

CALLED void
do_exit(int code)
{
	exit(code);
}

CALLED int
spin_forever(void)
{
	for (;;)
		spin_count++;
}

/* The test puts a breakpoint here and then calls it. */
CALLED int
hits_bp(int n)
{
	return n * 3 + spin_count;
}

/* ---- where the test stops --------------------------------------------- */

CALLED void
worker_tick(int n)
{
	tick_sum += n;
}

static void *
worker(void *arg)
{
	(void)arg;
	for (int n = 0; n < WORKER_TICKS; n++) {
		ticks++;
		worker_tick(n);
	}
	return NULL;
}

__attribute__((noinline)) void
mark(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void
use(long a, double d, long x, const char *s)
{
	sink = (double)a + d + (double)x + s[0];
}

CALLED void
stop_here(int a, double d, struct point p, const char *s)
{
	static int calls;             /* stop_here::calls */
	volatile int shadow = 7;      /* hides the file static */
	volatile long lv = -5000000000L;
	volatile unsigned char uc = 250;
	volatile double ratio = d * 2;
	volatile struct point q = { p.y, p.x };
	int *volatile ip = &arr[2];
	int twice_a = 2 * a;          /* not volatile: -O2 may drop it */
	int reg = a + 1;              /* not volatile: a register at -O2 */

	calls++;
	(void)twice_a;
	mark(); /* LINE:stop */
	use(a + reg + shadow + lv, d + ratio + uc, p.x + q.y + *ip, s);
}

int
main(int argc, char **argv)
{
	volatile int argn = argc;
	volatile int in_main = 11;
	bool threads = argc > 1 && strcmp(argv[1], "threads") == 0;
	pthread_t th;

	if (threads && pthread_create(&th, NULL, worker, NULL) != 0)
		return 2;
	stop_here(3, 1.5, (struct point){ 3, -4 }, "world");
	if (threads)
		pthread_join(th, NULL);
	(void)argn;
	(void)in_main;
	return 0;
}
