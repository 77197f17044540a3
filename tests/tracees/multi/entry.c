/* entry.c: a parameter that is only an entry value at its breakpoint. */
#include "multi.h"

volatile int entry_sink;

__attribute__((noinline)) static int
entry_callee(int unused_a, int b)
{
	entry_sink = b; /* marker: entry_callee */
	return b + 1;
}

int
entry_outer(int a, int b)
{
	int r = entry_callee(a, b);
	entry_sink = r;
	return r;
}
