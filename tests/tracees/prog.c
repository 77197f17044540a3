/* prog.c: traced by check_debuginfo at -O0/-O2, PIE and not; markers name the lines the tests use. */
#include <stdio.h>
#include <stdlib.h>

#include "tshared.h"

struct point {
	int x, y;
};

int counter;                 /* a global */
static int file_static = 7;  /* a file static */

__attribute__((noinline)) int
compute_sum(int n)
{
	int sum = 0; /* LINE:sum_first */

	for (int i = 0; i < n; i++) /* LINE:sum_for */
		sum += i * file_static; /* LINE:sum_loop */
	counter += sum; /* LINE:sum_counter */
	return sum; /* LINE:sum_ret */
} /* LINE:sum_end */

__attribute__((noinline)) static int
leaf(struct point *p)
{
	return p->x * p->y; /* LINE:leaf_body */
} /* LINE:leaf_end */

int
main(int argc, char **argv)
{
	struct point p = { 3, 4 }; /* LINE:main_first */
	int n = argc > 1 ? atoi(argv[1]) : 5; /* LINE:main_n */
	int s = compute_sum(n); /* LINE:main_s */

	printf("prog: sum %d leaf %d lib %d iterations %d\n", s, leaf(&p), /* LINE:main_printf */
	       tshared_add(s, 1), n);
	return 0; /* LINE:main_ret */
} /* LINE:main_end */
