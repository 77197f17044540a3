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

	/* The suites' expectations were taken from gdb without libc's
	 * separate debug file: keep it out of reach whether or not the
	 * machine has libc6-dbg (tests of debug files set their own
	 * directory), and no debuginfod. */
	setenv("TRACERD_DEBUG_FILE_DIRECTORY", "/nonexistent/tracerd-tests",
	       1);
	unsetenv("DEBUGINFOD_URLS");

	/* No test may depend on the machine's speed. check's default limit
	 * of 4 s per test (which the TSan build's test_deep_nesting overran
	 * on a loaded 2-CPU machine) becomes 120 s, and every limit, those
	 * the suites set included, is 4 times longer under the sanitizers
	 * (TSan runs the code 5-15 times slower). Set before the suites
	 * make their test cases, which read them; the environment's own
	 * CK_DEFAULT_TIMEOUT and CK_TIMEOUT_MULTIPLIER win. */
	setenv("CK_DEFAULT_TIMEOUT", "120", 0);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	setenv("CK_TIMEOUT_MULTIPLIER", "4", 0);
#endif

	sr = srunner_create(suite_slab());
	srunner_add_suite(sr, suite_tracer());
	srunner_add_suite(sr, suite_debuginfo());
	srunner_add_suite(sr, suite_unwind());
	srunner_add_suite(sr, suite_vars());
	srunner_add_suite(sr, suite_expr_parse());
	srunner_add_suite(sr, suite_value());
	srunner_add_suite(sr, suite_expr());
	srunner_add_suite(sr, suite_exprx());
	srunner_add_suite(sr, suite_fastcond());
	srunner_add_suite(sr, suite_proto());
	srunner_add_suite(sr, suite_rsp());
	srunner_add_suite(sr, suite_print());
	srunner_add_suite(sr, suite_disasm());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
