/* demo-target.c: the bundled program that `tools/quickstart demo` debugs. */
#include <stdio.h>
#include <unistd.h>

struct point {
	int x, y;
	const char *name;
};

char greeting[64] = "hello, world";
long counter;
struct point origin = { 0, 0, "origin" };

__attribute__((noinline)) int
add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int
compute(int x, int y)
{
	counter++;
	return x * 10 + y;
}

/* The sum of add(p->x * i, p->y) for i in [0, n). */
__attribute__((noinline)) long
walk(const struct point *p, int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum += add(p->x * i, p->y); /* the demo's conditional breakpoint */
	return sum;
}

int
main(void)
{
	struct point p = { 3, 4, "p" };
	long s;
	int r;

	printf("demo-target: pid %d running\n", (int)getpid());
	fflush(stdout);
	r = compute(4, 2);
	printf("demo-target: compute(4, 2) returned %d\n", r);
	s = walk(&p, 10);
	printf("demo-target: walk returned %ld\n", s);
	printf("demo-target: greeting is \"%s\", counter is %ld\n", greeting,
	       counter);
	return 0;
}
