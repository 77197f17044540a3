/* fcond.c: loops for breakpoint conditions compiled into the target (tests/check_fastcond.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * fcond N [THREADS]: calls step(i, &acc) for i in [0, N) and prints
 * "checksum K ACC" for each loop K (one loop in main, or one per thread,
 * thread K stepping i + K * 1000000), then exits 0. The test computes
 * the same sums itself: a breakpoint that disturbed a register or a flag
 * would show in them.
 */

enum color { RED, GREEN = 5, BLUE = 9 };

struct pair {
	int a;
	long b;
	unsigned char c;
};

int g_int = 7;
unsigned char g_uc = 200;
short g_short = -3;
long g_long = -100000;
unsigned g_uns = 4000000000u;
_Bool g_bool = 1;
enum color g_color = GREEN;
struct pair g_pair = { 11, -22, 33 };
int g_arr[4] = { 1, 2, 3, 4 };
static volatile int s_static = 42;

static long n_iter;

__attribute__((noinline)) int
add_one(int x)
{
	return x + 1;
}

__attribute__((noinline)) void
step(int i, unsigned long *acc)
{
	int local = i * 3;
	struct pair p = { i, (long)i * -2, (unsigned char)i };
	unsigned long x = *acc;

	x = x * 31 + (unsigned long)local + (unsigned long)p.b + p.c; /* LINE:mix */
	x ^= x >> 7;
	*acc = x;
}

static void *
loop(void *arg)
{
	long k = (long)arg;
	unsigned long acc = 0;

	for (long i = 0; i < n_iter; i++)
		step((int)(i + k * 1000000), &acc);
	printf("checksum %ld %lu\n", k, acc);
	return NULL;
}

int
main(int argc, char **argv)
{
	long nthreads = argc > 2 ? atol(argv[2]) : 0;
	pthread_t th[8];

	setvbuf(stdout, NULL, _IOLBF, 0);
	n_iter = argc > 1 ? atol(argv[1]) : 1000;
	if (nthreads > 8)
		nthreads = 8;
	if (nthreads == 0)
		loop(0);
	for (long k = 0; k < nthreads; k++)
		pthread_create(&th[k], NULL, loop, (void *)k);
	for (long k = 0; k < nthreads; k++)
		pthread_join(th[k], NULL);
	/* used, so that -O2 keeps them */
	return g_int + s_static + g_uc + g_short + (int)g_long + (int)g_uns +
			       g_bool + g_color + g_pair.a + g_arr[0] ==
		       12345 ? add_one(1) : 0;
}
