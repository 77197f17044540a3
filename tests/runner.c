/* runner.c: runs every suite; CK_RUN_SUITE / CK_RUN_CASE select, as check allows. */
#include <signal.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr;
	sigset_t chld;
	int failed;

	/* The tracer learns of target stops through a SIGCHLD signalfd:
	 * block it before any thread exists (tests create threads). */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	sr = srunner_create(suite_slab());
	srunner_add_suite(sr, suite_tracer());
	srunner_add_suite(sr, suite_debuginfo());
	srunner_add_suite(sr, suite_unwind());
	srunner_add_suite(sr, suite_vars());
	srunner_add_suite(sr, suite_expr_parse());
	srunner_add_suite(sr, suite_value());
	srunner_add_suite(sr, suite_expr());
	srunner_add_suite(sr, suite_fastcond());
	srunner_add_suite(sr, suite_proto());
	srunner_add_suite(sr, suite_rsp());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
