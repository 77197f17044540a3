/* inl.c: helpers inlined three levels deep into inl_compute. */
#include "multi.h"

volatile int inl_bias = 7;

static inline __attribute__((always_inline)) int
inl_leaf(int x)
{
	int y = x * 3 + inl_bias; /* marker: inl_leaf */
	return y;
}

static inline __attribute__((always_inline)) int
inl_mid(int m)
{
	int r = inl_leaf(m + 1);
	return r + 1;
}

static inline __attribute__((always_inline)) int
inl_top(int t)
{
	int q = inl_mid(t * 2);
	return q - 2;
}

int
inl_compute(int n)
{
	int v = inl_top(n);
	return v + inl_bias;
}

/* inlined at two calls: a breakpoint on it, or on one of its lines, has
 * two locations (gdb's 1.1 and 1.2) */
static inline __attribute__((always_inline)) int
inl_twice(int k)
{
	int z = k * inl_bias; /* marker: inl_twice */
	return z + 1;
}

int
inl_pair(int a)
{
	int s = inl_twice(a);

	s += inl_twice(a + 1);
	return s;
}
