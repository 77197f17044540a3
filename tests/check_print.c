/* check_print.c: print formats, value history, convenience variables, whatis and ptype through a session, against what gdb 13 prints, on print.c at -O0 and -O2. */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "helpers.h"
#include "session/session.h"
#include "suites.h"
#include "target/tracer.h"

#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif

/*
 * Every row is a gdb command and what gdb 13.1 answers to it, run in
 * this order on the same build, stopped at the line marked LINE:stop of
 * tests/tracees/print.c:
 *
 *   gdb -nx -batch -ex 'break print.c:LINE' -ex run \
 *       -ex 'COMMAND' ... tests/tracees/print-O0
 *
 * The test runs each command as tracectl does: print/FMT, call and
 * output through tr_session_print (print and call recording the value,
 * so that "$N = " is the history's number), set through it without
 * recording, whatis and ptype through their own calls. The answer must
 * match what gdb printed, "$N = " and all; a multi-line answer (ptype)
 * has its lines joined with "\n". In an expected answer "0x*" stands
 * for any hex number, "#" for any decimal one (addresses change from
 * run to run).
 */

enum {
	B_O0 = 1 << 0,
	B_O2 = 1 << 1,
	B_ALL = B_O0 | B_O2,
};

static const char *const progs[] = { "print-O0", "print-O2" };

struct row {
	const char *cmd;
	const char *want;
	unsigned builds;
};

/* gdb 13.1's answers, on both builds alike. */
static const struct row rows[] = {
	{ "print/x -1",
	  "$1 = 0xffffffff", B_ALL },
	{ "print/x g_neg",
	  "$2 = 0xffffffff", B_ALL },
	{ "print/x arr",
	  "$3 = {0xa, 0x14, 0x1e, 0x28, 0x32}", B_ALL },
	{ "print/x origin",
	  "$4 = {x = 0x1, y = 0x2}", B_ALL },
	{ "print/c 10",
	  "$5 = 10 '\\n'", B_ALL },
	{ "print/u (char)-128",
	  "$6 = 128", B_ALL },
	{ "print/x 1.5",
	  "$7 = 0x*", B_ALL },
	{ "print/x g_double",
	  "$8 = 0x*", B_ALL },
	{ "print/f 3",
	  "$9 = 4.20389539e-45", B_ALL },
	{ "print/f 1.5",
	  "$10 = 1.5", B_ALL },
	{ "print/d 'A'",
	  "$11 = 65", B_ALL },
	{ "print/x 'A'",
	  "$12 = 0x41", B_ALL },
	{ "print/t 10",
	  "$13 = 1010", B_ALL },
	{ "print/t 0",
	  "$14 = 0", B_ALL },
	{ "print/o 8",
	  "$15 = 010", B_ALL },
	{ "print/o 0",
	  "$16 = 0", B_ALL },
	{ "print/z 42",
	  "$17 = 0x0000002a", B_ALL },
	{ "print/z g_char",
	  "$18 = 0x41", B_ALL },
	{ "print/a 0",
	  "$19 = 0x0", B_ALL },
	{ "print/a ip",
	  "$20 = 0x* <arr+#>", B_ALL },
	{ "print/s string",
	  "$21 = 0x* \"hello\"", B_ALL },
	{ "print/s buf",
	  "$22 = \"hi\", '\\000' <repeats 13 times>", B_ALL },
	{ "print/x buf",
	  "$23 = {0x68, 0x69, 0x0 <repeats 14 times>}", B_ALL },
	{ "print/d buf",
	  "$24 = {104, 105, 0 <repeats 14 times>}", B_ALL },
	{ "print/c arr",
	  "$25 = {10 '\\n', 20 '\\024', 30 '\\036', 40 '(', 50 '2'}", B_ALL },
	{ "print/x zeros",
	  "$26 = {0x0 <repeats 16 times>}", B_ALL },
	{ "print/x bits",
	  "$27 = {lo = 0x5, hi = 0x11, sgn = 0xfffffffd, flag = 0x1, e = 0x2}", B_ALL },
	{ "print/d bits",
	  "$28 = {lo = 5, hi = 17, sgn = -3, flag = 1, e = 2}", B_ALL },
	{ "print/z bits",
	  "$29 = {lo = 0x00000005, hi = 0x00000011, sgn = 0xfffffffd, flag = 0x01, e = 0x00000002}", B_ALL },
	{ "print/t bits",
	  "$30 = {lo = 101, hi = 10001, sgn = 11111111111111111111111111111101, flag = 1, e = 10}", B_ALL },
	{ "print/o bits",
	  "$31 = {lo = 05, hi = 021, sgn = 037777777775, flag = 01, e = 02}", B_ALL },
	{ "print/x g_color",
	  "$32 = 0xfffffffe", B_ALL },
	{ "print/d g_color",
	  "$33 = -2", B_ALL },
	{ "print/x g_perm",
	  "$34 = 0x5", B_ALL },
	{ "print/x g_bool",
	  "$35 = 0x1", B_ALL },
	{ "print/x num",
	  "$36 = {i = 0x3f800000, f = 0x3f800000, bytes = {0x0, 0x0, 0x80, 0x3f}}", B_ALL },
	{ "print/x outer",
	  "$37 = {id = 0x7, pt = {x = 0x5, y = 0x6}, anon_s = {a = 0xffff, b = 0x2}, {i = 0x3fc00000, f = 0x3fc00000}, in = {c = 0x7a, d = 0x*}, name = 0x*, vals = {0x64, 0xc8, 0x12c}, pts = {{x = 0x1, y = 0xffffffff}, {x = 0x2, y = 0xfffffffe}}, op = 0x*, cb = 0x*, next = 0x*}", B_ALL },
	{ "print/x string",
	  "$38 = 0x*", B_ALL },
	{ "print/u g_schar",
	  "$39 = 128", B_ALL },
	{ "print/x g_schar",
	  "$40 = 0x80", B_ALL },
	{ "print/c 321",
	  "$41 = 65 'A'", B_ALL },
	{ "print/c -1",
	  "$42 = -1 '\\377'", B_ALL },
	{ "print/x g_float",
	  "$43 = 0x3fa00000", B_ALL },
	{ "print/x g_ldouble",
	  "$44 = 0x*", B_ALL },
	{ "print/f g_uint",
	  "$45 = -1.81943336e+28", B_ALL },
	{ "print/d g_uint",
	  "$46 = -294967296", B_ALL },
	{ "print/u g_neg",
	  "$47 = 4294967295", B_ALL },
	{ "print/x g_ull",
	  "$48 = 0x*", B_ALL },
	{ "print/d g_ull",
	  "$49 = -1", B_ALL },
	{ "print/o g_neg",
	  "$50 = 037777777777", B_ALL },
	{ "print/t g_neg",
	  "$51 = 11111111111111111111111111111111", B_ALL },
	{ "print/z (short)1",
	  "$52 = 0x0001", B_ALL },
	{ "print/x (short)-1",
	  "$53 = 0xffff", B_ALL },
	{ "print/x dbls",
	  "$54 = {0x*, 0x*, 0x*}", B_ALL },
	{ "print/d dbls",
	  "$55 = {4602678819172646912, -4613937818241073152, 4613937818241073152}", B_ALL },
	{ "print/c buf",
	  "$56 = {104 'h', 105 'i', 0 '\\000' <repeats 14 times>}", B_ALL },
	{ "print/d ubytes",
	  "$57 = {0, 1, 127, -128, -2, -1}", B_ALL },
	{ "print/u negs",
	  "$58 = {4294967295, 4294967294, 127, 4294967168}", B_ALL },
	{ "print/x matrix",
	  "$59 = {{0x1, 0x2, 0x3}, {0x4, 0x5, 0x6}}", B_ALL },
	{ "print/x pts",
	  "$60 = {{x = 0x1, y = 0x2}, {x = 0x3, y = 0x4}, {x = 0x5, y = 0x6}}", B_ALL },
	{ "print/x null_ptr",
	  "$61 = 0x0", B_ALL },
	{ "print/s arr",
	  "$62 = {10, 20, 30, 40, 50}", B_ALL },
	{ "print/z arr",
	  "$63 = {0x0000000a, 0x00000014, 0x0000001e, 0x00000028, 0x00000032}", B_ALL },
	{ "print/x li",
	  "$64 = 0xfffffff9", B_ALL },
	{ "print/x lp",
	  "$65 = {x = 0xfffffffc, y = 0x3}", B_ALL },
	{ "print/x larr",
	  "$66 = {0x1, 0xffffffff, 0x2, 0xfffffffe}", B_ALL },
	{ "print/c luc",
	  "$67 = 250 '\\372'", B_ALL },
	{ "print/d luc",
	  "$68 = -6", B_ALL },
	{ "print/x ll",
	  "$69 = 0x*", B_ALL },
	{ "print/a vp",
	  "$70 = 0x* <g_int>", B_ALL },
	{ "print/s vp",
	  "$71 = (void *) 0x* <g_int>", B_ALL },
	{ "print/c g_double",
	  "$72 = -2 '\\376'", B_ALL },
	{ "print/u g_double",
	  "$73 = 13836183955189006336", B_ALL },
	{ "print/a fnptr",
	  "$74 = 0x* <add>", B_ALL },
	{ "print/s fnptr",
	  "$75 = (int (*)(int, int)) 0x* <add>", B_ALL },
	{ "print/f g_short",
	  "$76 = -1234", B_ALL },
	{ "print/i 5",
	  "Format letter \"i\" is meaningless in \"print\" command.", B_ALL },
	{ "print 5",
	  "$77 = 5", B_ALL },
	{ "print $",
	  "$78 = 5", B_ALL },
	{ "print $$",
	  "$79 = 5", B_ALL },
	{ "print $$0",
	  "$80 = 5", B_ALL },
	{ "print $$3",
	  "$81 = 5", B_ALL },
	{ "print $1",
	  "$82 = -1", B_ALL },
	{ "print arr",
	  "$83 = {10, 20, 30, 40, 50}", B_ALL },
	{ "print $[1]",
	  "$84 = 20", B_ALL },
	{ "print *$$2",
	  "Cannot access memory at address 0x*", B_ALL },
	{ "print outer",
	  "$85 = {id = 7, pt = {x = 5, y = 6}, anon_s = {a = -1, b = 2}, {i = 1069547520, f = 1.5}, in = {c = 122 'z', d = 2.5}, name = 0x* \"outer\", vals = {100, 200, 300}, pts = {{x = 1, y = -1}, {x = 2, y = -2}}, op = 0x* <add>, cb = 0x* <nothing>, next = 0x* <outer>}", B_ALL },
	{ "print $.pt",
	  "$86 = {x = 5, y = 6}", B_ALL },
	{ "print $$.name",
	  "$87 = 0x* \"outer\"", B_ALL },
	{ "print $999",
	  "History has not yet reached $999.", B_ALL },
	{ "print $$999",
	  "History does not go back to $$999.", B_ALL },
	{ "print &$",
	  "$88 = (const char **) 0x* <outer+#>", B_ALL },
	{ "print sizeof($1)",
	  "$89 = 4", B_ALL },
	{ "whatis $",
	  "type = int", B_ALL },
	{ "print/x",
	  "$90 = 0x4", B_ALL },
	{ "print $nonexistent",
	  "$91 = void", B_ALL },
	{ "whatis $nonexistent",
	  "type = void", B_ALL },
	{ "set $i = 3",
	  "", B_ALL },
	{ "print $i",
	  "$92 = 3", B_ALL },
	{ "print arr[$i]",
	  "$93 = 40", B_ALL },
	{ "print $i++",
	  "$94 = 3", B_ALL },
	{ "print $i",
	  "$95 = 4", B_ALL },
	{ "print ++$i",
	  "$96 = 5", B_ALL },
	{ "print $i += 10",
	  "$97 = 15", B_ALL },
	{ "print $i * 2",
	  "$98 = 30", B_ALL },
	{ "set $j = origin",
	  "", B_ALL },
	{ "print $j",
	  "$99 = {x = 1, y = 2}", B_ALL },
	{ "print $j.y",
	  "$100 = 2", B_ALL },
	{ "whatis $j",
	  "type = struct point", B_ALL },
	{ "print $_",
	  "$101 = void", B_ALL },
	{ "print $_exitcode",
	  "$102 = void", B_ALL },
	{ "print $1 = 4",
	  "Left operand of assignment is not a modifiable lvalue.", B_ALL },
	{ "call nothing()",
	  "", B_ALL },
	{ "call add(1, 1)",
	  "$103 = 2", B_ALL },
	{ "print $",
	  "$104 = 2", B_ALL },
	{ "whatis g_myint2",
	  "type = myint2", B_ALL },
	{ "whatis myint2",
	  "type = myint", B_ALL },
	{ "whatis myint",
	  "type = int", B_ALL },
	{ "whatis corner2",
	  "type = point2_t", B_ALL },
	{ "whatis point2_t",
	  "type = point_t", B_ALL },
	{ "whatis point_t",
	  "type = struct point", B_ALL },
	{ "whatis struct point",
	  "type = struct point", B_ALL },
	{ "whatis outer.anon_s",
	  "type = struct {...}", B_ALL },
	{ "whatis binop",
	  "type = binop_t", B_ALL },
	{ "whatis binop_t",
	  "type = int (*)(int, int)", B_ALL },
	{ "whatis point_t *",
	  "type = point_t *", B_ALL },
	{ "whatis add(1,2)",
	  "type = int", B_ALL },
	{ "whatis unsigned long",
	  "type = unsigned long", B_ALL },
	{ "whatis long unsigned int",
	  "type = unsigned long", B_ALL },
	{ "whatis g_byte",
	  "type = byte", B_ALL },
	{ "ptype outer",
	  "type = struct outer {\n    int id;\n    struct point pt;\n    struct {\n        short a;\n        short b;\n    } anon_s;\n    union {\n        int i;\n        float f;\n    };\n    struct inner_tag in;\n    const char *name;\n    int vals[3];\n    struct point pts[2];\n    int (*op)(int, int);\n    void (*cb)(void);\n    struct outer *next;\n}", B_ALL },
	{ "ptype struct point",
	  "type = struct point {\n    int x;\n    int y;\n}", B_ALL },
	{ "ptype point2_t",
	  "type = struct point {\n    int x;\n    int y;\n}", B_ALL },
	{ "ptype myint2",
	  "type = int", B_ALL },
	{ "ptype bits",
	  "type = struct bits {\n    unsigned int lo : 3;\n    unsigned int hi : 5;\n    int sgn : 4;\n    unsigned char flag : 1;\n    enum seq e : 2;\n}", B_ALL },
	{ "ptype union num",
	  "type = union num {\n    int i;\n    float f;\n    unsigned char bytes[4];\n}", B_ALL },
	{ "ptype enum color",
	  "type = enum color {RED, GREEN = 5, BLUE = -2}", B_ALL },
	{ "ptype enum perm",
	  "type = enum perm {P_READ = 1, P_WRITE, P_EXEC = 4}", B_ALL },
	{ "ptype add",
	  "type = int (int, int)", B_ALL },
	{ "ptype nothing",
	  "type = void (void)", B_ALL },
	{ "ptype sumv",
	  "type = int (int, ...)", B_ALL },
	{ "ptype pick",
	  "type = const char *(const struct point *, char **, unsigned int)", B_ALL },
	{ "ptype mkpt",
	  "type = struct point {\n    int x;\n    int y;\n} (int, int)", B_ALL },
	{ "ptype binop",
	  "type = int (*)(int, int)", B_ALL },
	{ "ptype outerp",
	  "type = struct outer {\n    int id;\n    struct point pt;\n    struct {\n        short a;\n        short b;\n    } anon_s;\n    union {\n        int i;\n        float f;\n    };\n    struct inner_tag in;\n    const char *name;\n    int vals[3];\n    struct point pts[2];\n    int (*op)(int, int);\n    void (*cb)(void);\n    struct outer *next;\n} *", B_ALL },
	{ "ptype pts",
	  "type = struct point {\n    int x;\n    int y;\n} [3]", B_ALL },
	{ "ptype matrix",
	  "type = int [2][3]", B_ALL },
	{ "ptype unsigned long",
	  "type = unsigned long", B_ALL },
	{ "ptype point_t *",
	  "type = struct point {\n    int x;\n    int y;\n} *", B_ALL },
	{ "ptype cstring",
	  "type = const char *", B_ALL },
	{ "ptype cint",
	  "type = const int", B_ALL },
	{ "ptype vuint",
	  "type = volatile unsigned int", B_ALL },
	{ "ptype outer.anon_s",
	  "type = struct {\n    short a;\n    short b;\n}", B_ALL },
	{ "ptype outer.cb",
	  "type = void (*)(void)", B_ALL },
	{ "ptype struct inner_tag",
	  "type = struct inner_tag {\n    char c;\n    double d;\n}", B_ALL },
	{ "ptype \"abc\"",
	  "type = char [4]", B_ALL },
	{ "ptype &arr",
	  "type = int (*)[5]", B_ALL },
	{ "ptype lp",
	  "type = volatile struct point {\n    int x;\n    int y;\n}", B_ALL },
	{ "ptype p",
	  "type = struct point {\n    int x;\n    int y;\n}", B_ALL },
	{ "ptype struct nosuch",
	  "No struct type named nosuch.", B_ALL },
	{ "ptype nosuch",
	  "No symbol \"nosuch\" in current context.", B_ALL },
	{ "ptype myint *",
	  "type = int *", B_ALL },
	{ "print $_siginfo",
	  "$105 = {si_signo = 5, si_errno = 0, si_code = 128, _sifields = {_pad = {0 <repeats 28 times>}, _kill = {si_pid = 0, si_uid = 0}, _timer = {si_tid = 0, si_overrun = 0, si_sigval = {sival_int = 0, sival_ptr = 0x0}}, _rt = {si_pid = 0, si_uid = 0, si_sigval = {sival_int = 0, sival_ptr = 0x0}}, _sigchld = {si_pid = 0, si_uid = 0, si_status = 0, si_utime = 0, si_stime = 0}, _sigfault = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}, _sigpoll = {si_band = 0, si_fd = 0}, _sigsys = {_call_addr = 0x0, _syscall = 0, _arch = 0}}}", B_ALL },
	{ "print $_siginfo.si_signo",
	  "$106 = 5", B_ALL },
	{ "print $_siginfo._sifields._sigfault",
	  "$107 = {si_addr = 0x0, _addr_lsb = 0, _addr_bnd = {_lower = 0x0, _upper = 0x0}}", B_ALL },
	{ "whatis $_siginfo",
	  "type = struct siginfo", B_ALL },
	{ "print sizeof($_siginfo)",
	  "$108 = 128", B_ALL },
	{ "print $_siginfo.si_code == 128",
	  "$109 = 1", B_ALL },
	{ "ptype struct deep",
	  "type = struct deep {\n    int k;\n    union {\n        struct {...} half;\n        int whole;\n    } u;\n}", B_ALL },
	{ "ptype deep.u",
	  "type = union {\n    struct {\n        short lo;\n        short hi;\n    } half;\n    int whole;\n}", B_ALL },
	{ "whatis deep.u.half",
	  "type = struct {...}", B_ALL },
	{ "print deep",
	  "$110 = {k = 1, u = {half = {lo = 1, hi = 2}, whole = 131073}}", B_ALL },
	{ "print/x deep",
	  "$111 = {k = 0x1, u = {half = {lo = 0x1, hi = 0x2}, whole = 0x20001}}", B_ALL },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* want matches got: "0x*" any hex number, "#" any decimal one. */
static bool
match(const char *want, const char *got)
{
	while (*want) {
		if (strncmp(want, "0x*", 3) == 0) {
			if (strncmp(got, "0x", 2) != 0 ||
			    !isxdigit((unsigned char)got[2]))
				return false;
			got += 2;
			while (isxdigit((unsigned char)*got))
				got++;
			want += 3;
		} else if (*want == '#') {
			if (!isdigit((unsigned char)*got))
				return false;
			while (isdigit((unsigned char)*got))
				got++;
			want++;
		} else if (*want++ != *got++) {
			return false;
		}
	}
	return *got == '\0';
}

/* Run one command as tracectl would; its answer (or error) into out. */
static void
run_cmd(struct tr_session *s, const char *cmd, char *out, size_t len)
{
	struct tr_print_opts po = { 0 };
	struct tr_expr_err err;
	const char *expr;
	char val[4096];
	unsigned num = 0;
	int rc;

	memset(&err, 0, sizeof(err));
	if (!strncmp(cmd, "whatis ", 7) || !strncmp(cmd, "ptype ", 6)) {
		bool pt = cmd[0] == 'p';

		expr = cmd + (pt ? 6 : 7);
		rc = (pt ? tr_session_ptype : tr_session_whatis)(
			s, expr, 0, 0, val, sizeof(val), &err);
		if (rc)
			snprintf(out, len, "%s", err.msg);
		else
			snprintf(out, len, "type = %s", val);
		return;
	}
	if (!strncmp(cmd, "set ", 4)) {
		expr = cmd + 4;
		if (!strncmp(expr, "var ", 4))
			expr += 4;
	} else if (!strncmp(cmd, "output", 6)) {
		expr = cmd + 6;
	} else if (!strncmp(cmd, "call", 4)) {
		expr = cmd + 4;
		po.record = po.call = true;
	} else {
		ck_assert_msg(!strncmp(cmd, "print", 5), "row %s", cmd);
		expr = cmd + 5;
		po.record = true;
	}
	if (*expr == '/') {
		po.format = expr[1];
		expr += 2;
	}
	while (*expr == ' ')
		expr++;
	if (!*expr)
		expr = "$";
	rc = tr_session_print(s, expr, 0, 0, &po, val, sizeof(val), &num,
			      &err);
	if (rc)
		snprintf(out, len, "%s", err.msg);
	else if (num)
		snprintf(out, len, "$%u = %s", num, val);
	else if (!strncmp(cmd, "output", 6))
		snprintf(out, len, "%s", val);
	else
		out[0] = 0;
}

START_TEST(test_print_table)
{
	const char *prog = progs[_i];
	unsigned mask = _i ? B_O2 : B_O0;
	struct tr_session *s;
	struct tr_session_opts o = { 0 };
	char path[512], spec[64];
	char *argv[2] = { path, NULL };
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	struct tr_expr_err err;
	struct tr_event ev;
	uint32_t bp;
	pid_t pid;
	char out[8192];
	unsigned failed = 0;

	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_tr(tr_session_new(&o, &s), 0);
	ck_assert_tr(tr_session_launch(s, &l, &pid), 0);
	snprintf(spec, sizeof(spec), "print.c:%u",
		 tracee_marker_line("print.c", "stop"));
	memset(&err, 0, sizeof(err));
	ck_assert_msg(tr_session_break(s, spec, NULL, NULL, &bp, &err) == 0,
		      "break %s: %s", spec, err.msg);
	ck_assert_tr(tr_session_cont(s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_BREAKPOINT);
	for (size_t i = 0; i < NROWS; i++) {
		if (!(rows[i].builds & mask))
			continue;
		run_cmd(s, rows[i].cmd, out, sizeof(out));
		if (!match(rows[i].want, out)) {
			fprintf(stderr, "%s: %s\n  got  \"%s\"\n  want \"%s\"\n",
				prog, rows[i].cmd, out, rows[i].want);
			failed++;
		}
	}
	ck_assert_msg(failed == 0, "%s: %u rows differ from gdb", prog, failed);
	/* the program runs on to its end: $_exitcode, as gdb sets it */
	ck_assert_tr(tr_session_cont(s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_EXIT, TR_STOP_NONE);
	run_cmd(s, "print $_exitcode", out, sizeof(out));
	ck_assert_msg(match("$# = 3", out), "%s: $_exitcode: %s", prog, out);
	run_cmd(s, "print $1", out, sizeof(out));
	ck_assert_msg(match("$# = 0xffffffff", out) || match("$# = -1", out),
		      "%s: history after the exit: %s", prog, out);
	run_cmd(s, "print g_int", out, sizeof(out));
	ck_assert_msg(strstr(out, "Cannot access memory") != NULL ||
		      strstr(out, "not being run") != NULL ||
		      strstr(out, "exited") != NULL,
		      "%s: memory after the exit: %s", prog, out);
	tr_session_free(s);
}
END_TEST

/* $_siginfo at a fault: gdb 13 prints $1 = 11, $2 = 1, $3 = (void *)
 * 0x0 and $4 = void for these (print.c segv, at -O0 and -O2). */
START_TEST(test_siginfo_fault)
{
	static const char *const cmds[][2] = {
		{ "print $_siginfo.si_signo", "$1 = 11" },
		{ "print $_siginfo.si_code", "$2 = 1" },
		{ "print $_siginfo._sifields._sigfault.si_addr",
		  "$3 = (void *) 0x0" },
		{ "print $_exitcode", "$4 = void" },
	};
	struct tr_session *s;
	struct tr_session_opts o = { 0 };
	char path[512];
	char *argv[3] = { path, "segv", NULL };
	struct tr_launch l = { .path = path, .argv = argv, .stdin_fd = -1,
			       .stdout_fd = -1, .stderr_fd = -1 };
	struct tr_event ev;
	pid_t pid;
	char out[1024];

	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, progs[_i]);
	ck_assert_tr(tr_session_new(&o, &s), 0);
	ck_assert_tr(tr_session_launch(s, &l, &pid), 0);
	ck_assert_tr(tr_session_cont(s, 0, 0, &ev), 0);
	ck_assert_event(ev, TR_EV_STOP, TR_STOP_SIGNAL);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run_cmd(s, cmds[i][0], out, sizeof(out));
		ck_assert_msg(match(cmds[i][1], out), "%s: %s: got \"%s\"",
			      progs[_i], cmds[i][0], out);
	}
	tr_session_free(s);
}
END_TEST

Suite *
suite_print(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_print_table, 0, 2);
	tcase_add_loop_test(tc, test_siginfo_fault, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
