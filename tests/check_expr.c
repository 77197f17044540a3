/* check_expr.c: placeholder until the suite is written. */
#include "suites.h"

Suite *
suite_expr(void)
{
	return suite_create("expr");
}
