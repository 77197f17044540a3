/* check_value.c: placeholder until the suite is written. */
#include "suites.h"

Suite *
suite_value(void)
{
	return suite_create("value");
}
