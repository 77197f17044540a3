/* check_proto.c: placeholder until the suite is written. */
#include "suites.h"

Suite *
suite_proto(void)
{
	return suite_create("proto");
}
