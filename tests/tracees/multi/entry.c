/* entry.c: parameters known only through entry values at -O2: the
 * caller's call site (DW_TAG_call_site_parameter) says what was passed. */
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

	entry_sink = r + b; /* b lives on past the call */
	return r;
}
