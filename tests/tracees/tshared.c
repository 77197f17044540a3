/* tshared.c: a shared library of the test programs' own, with debug info. */
#include "tshared.h"

int tshared_calls;

int
tshared_add(int a, int b)
{
	tshared_calls++; /* LINE:tshared_body */
	return a + b; /* LINE:tshared_ret */
} /* LINE:tshared_end */

__thread int tshared_tls = 1;

void
tshared_tls_set(int v)
{
	tshared_tls = v;
}

int
tshared_tls_get(void)
{
	return tshared_tls;
}
