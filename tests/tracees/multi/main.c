/* main.c: sees struct shape only as a declaration and banner[] without
 * its size; calls into the other units. */
#include <stdio.h>
#include <stdlib.h>

#include "multi.h"

/* not inlined at -O2: its frame is main.c's own */
__attribute__((noinline)) static int
use_shape(struct shape *s)
{
	int a = shape_area(s); /* marker: use_shape */

	return a + (banner[0] == 'm');
}

int
main(void)
{
	struct shape *s = shape_new(6, 7, "rect");
	int a = use_shape(s);
	int c = inl_compute(5);
	int e = entry_outer(11, 22);
	int k = atoi("42"); /* into libc (libc6-dbg) */

	printf("%s %d %d %d %d\n", banner, a, c, e, k);
	return sym_run(3) + inl_pair(1) != 48;
}
