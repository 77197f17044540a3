/* sym.c: pointers to code and to static data, which gdb prints with the
 * symbol they point into: 0x... <square>, <table+12>, <counts+16>. */
#include "multi.h"

static int
square(int x)
{
	return x * x;
}

static int
twice(int x)
{
	return 2 * x;
}

struct op {
	const char *name;
	int (*fn)(int);
};

static struct op ops[] = { { "square", square }, { "twice", twice } };
int table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }; /* .data */
static long counts[4];                     /* .bss */
static const char greeting[] = "hello, symbols";

__attribute__((noinline)) static int
apply(int (*fn)(int), int *slot, const char *label, int x)
{
	int (*f)(int) = fn;
	int *p = slot + 1;
	const char *l = label + 7;
	long *c = &counts[2];

	*c += 1; /* marker: apply */
	return f(x) + *p + (l[0] == 's') + (int)*c;
}

int
sym_run(int x)
{
	int r = 0;

	for (int i = 0; i < 2; i++)
		r += apply(ops[i].fn, &table[i], greeting, x);
	return r;
}
