/* demo-target.c: the bundled program that `tools/quickstart demo` debugs. */
#include <stdio.h>
#include <unistd.h>

char greeting[64] = "hello, world";
long counter;

__attribute__((noinline)) int
compute(int x, int y)
{
	counter++;
	return x * 10 + y;
}

int
main(void)
{
	int r;

	printf("demo-target: pid %d running\n", (int)getpid());
	fflush(stdout);
	r = compute(4, 2);
	printf("demo-target: compute(4, 2) returned %d\n", r);
	printf("demo-target: greeting is \"%s\", counter is %ld\n", greeting,
	       counter);
	return 0;
}
