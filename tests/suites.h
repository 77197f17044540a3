/* suites.h: every check suite of the runner. */
#ifndef TR_TESTS_SUITES_H
#define TR_TESTS_SUITES_H

#include <check.h>

Suite *suite_slab(void);
Suite *suite_tracer(void);
Suite *suite_debuginfo(void);
Suite *suite_unwind(void);
Suite *suite_vars(void);
Suite *suite_expr_parse(void);
Suite *suite_value(void);
Suite *suite_expr(void);
Suite *suite_exprx(void);
Suite *suite_proto(void);
Suite *suite_fastcond(void);
Suite *suite_rsp(void);
Suite *suite_print(void);
Suite *suite_disasm(void);

#endif
