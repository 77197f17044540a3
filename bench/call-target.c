/* call-target.c: the program bench/call and bench/condbreak debug. */
#include <stdlib.h>

volatile int counter;

__attribute__((noinline, used)) int
add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) void
ready(void)
{
	counter = 0;
}

__attribute__((noinline)) void
loop_body(int i)
{
	counter += i & 1;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;

	ready();
	for (int i = 0; i < n; i++)
		loop_body(i);
	return 0;
}
