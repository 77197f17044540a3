/* tshared.c: a shared library of the test programs' own, with debug info. */
#include "tshared.h"

int tshared_calls;

int
tshared_add(int a, int b)
{
	tshared_calls++; /* LINE:tshared_body */
	return a + b; /* LINE:tshared_ret */
} /* LINE:tshared_end */
