/* commands.c: tracectl's gdb-like commands. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "client.h"
#include "config.h"
#include "endpoint.h"
#include "base/error.h"
#include "json.h"
#include "ctl/tracectl.h"

/* ---- commands ----------------------------------------------------------- */

static void
cmd_simple(const char *method, char *params)
{
	struct tr_cl_reply r;

	if (tc_call_show(method, params, &r))
		tr_cl_reply_free(&r);
}

/* continue/step/next/stepi/finish: the stop is printed from the
 * notification; finish adds the value. */
void
tc_resume(const char *method, const char *arg)
{
	struct tr_cl_reply r;
	char *p = NULL;

	if (arg && *arg && !strcmp(method, "continue"))
		p = tc_jparams("{\"signal\":%J}", arg);
	if (!tc_call_show(method, p, &r))
		return;
	if (!strcmp(method, "finish") && tc_jstr(r.result, "return_value")) {
		/* gdb: the displays of the stop, then the value */
		tc_display_flush();
		printf("Value returned is $%" PRIu64 " = %s\n",
		       tc_jnum(r.result, "history"),
		       tc_jstr(r.result, "return_value"));
	}
	tr_cl_reply_free(&r);
}

enum print_kind { P_PRINT, P_CALL, P_OUTPUT };

/* gdb's last_format: the format letter print/FMT and x/FMT used last,
 * which a /FMT without one (print/r, x/4) takes again. */
static char last_format;

/*
 * gdb's /FMT after print: a count is refused, size letters too, and of
 * several format letters the last counts. 0 with *fmt (0: none), or -1
 * after printing gdb's error.
 */
static int
parse_fmt(const char *f, char *fmt)
{
	*fmt = last_format;
	for (; *f && !isspace((unsigned char)*f); f++) {
		const char *msg = NULL;

		if (isdigit((unsigned char)*f) || *f == '-')
			msg = "Item count other than 1 is meaningless in "
			      "\"print\" command.";
		else if (strchr("bhwg", *f))
			msg = "Size letters are meaningless in \"print\" "
			      "command.";
		if (msg) {
			printf("%s\n", msg);
			tc.failed = true;
			return -1;
		}
		if (*f != 'r') /* raw: no pretty-printers, none here */
			*fmt = *f;
	}
	last_format = *fmt;
	return 0;
}

/*
 * print[/FMT] EXPR, call EXPR, output EXPR: the server formats the value
 * and keeps it in the session's value history ($N), as gdb does; output
 * records nothing. print and call without an expression show the last
 * value again.
 */
static void
cmd_print(const char *fmtarg, const char *expr, enum print_kind kind)
{
	struct tr_cl_reply r;
	const char *v;
	char *params;
	char fmt = 0;
	char fs[2] = { 0, 0 };
	int err;

	if (!fmtarg && *expr == '/') {
		fmtarg = expr;
		expr += strcspn(expr, " \t");
		while (isspace((unsigned char)*expr))
			expr++;
	}
	if (fmtarg && parse_fmt(fmtarg + 1, &fmt))
		return;
	if (!*expr && kind == P_OUTPUT) {
		printf("Argument required (expression to compute).\n");
		tc.failed = true;
		return;
	}
	if (!*expr)
		expr = "$";
	fs[0] = fmt;
	if (fmt)
		params = tc_jparams("{\"expr\":%J,\"format\":%J,\"record\":%B"
				    ",\"call\":%B}", expr, fs,
				    kind != P_OUTPUT, kind == P_CALL);
	else
		params = tc_jparams("{\"expr\":%J,\"record\":%B,\"call\":%B}",
				    expr, kind != P_OUTPUT, kind == P_CALL);
	err = tr_cl_call(tc.cl, "eval", params, NULL, 0, &tc.sigint, &r);

	free(params);
	if (err) {
		fprintf(stderr, "tracectl: connection to tracerd lost\n");
		tc.failed = true;
		return;
	}
	if (r.code) {
		if (tc.json) {
			struct tr_buf b;
			struct tr_jw w;

			tr_buf_init(&b);
			tr_jw_init(&w, &b);
			tr_jw_cstr(&w, r.message);
			printf("{\"error\":{\"code\":%d,\"message\":%.*s,"
			       "\"pos\":%" PRId64 "}}\n", r.code, (int)b.len,
			       b.data, r.pos);
			tr_buf_free(&b);
		} else {
			printf("%s\n", r.message);
		}
		tc.failed = true;
		tr_cl_reply_free(&r);
		return;
	}
	if (tc.json) {
		tc_print_json(r.result);
	} else {
		v = tc_jstr(r.result, "value");
		if (kind == P_OUTPUT)
			printf("%s", v ? v : ""); /* gdb's output: no newline */
		else if (tc_jnum(r.result, "history"))
			printf("$%" PRIu64 " = %s\n",
			       tc_jnum(r.result, "history"), v ? v : "");
		/* else: call of a void function prints nothing, as gdb */
	}
	tr_cl_reply_free(&r);
}

/* watch, rwatch, awatch EXPR [if COND]; -l/-location as gdb's is the
 * default (the address is watched). */
static void
cmd_watch(const char *arg, const char *kind)
{
	char expr[512], *cond = NULL;
	const char *ifp;
	struct tr_cl_reply r;
	char *p;

	if (!strncmp(arg, "-l ", 3) || !strncmp(arg, "-location ", 10))
		arg = strchr(arg, ' ') + 1;
	ifp = strstr(arg, " if ");
	if (ifp) {
		snprintf(expr, sizeof(expr), "%.*s", (int)(ifp - arg), arg);
		cond = strdup(ifp + 4);
	} else {
		snprintf(expr, sizeof(expr), "%s", arg);
	}
	if (!expr[0]) {
		printf("Argument required (expression to compute).\n");
		tc.failed = true;
		free(cond);
		return;
	}
	p = cond ? tc_jparams("{\"expr\":%J,\"kind\":%J,\"condition\":%J}",
			   expr, kind, cond)
		 : tc_jparams("{\"expr\":%J,\"kind\":%J}", expr, kind);
	free(cond);
	if (tc_call_show("watch", p, &r)) {
		printf("%s %" PRIu64 ": %s\n",
		       tc_watch_title(kind, tc_jstr(r.result, "mechanism") &&
					   !strcmp(tc_jstr(r.result, "mechanism"),
						   "debug-registers")),
		       tc_jnum(r.result, "id"), expr);
		tr_cl_reply_free(&r);
	}
}

/* whatis EXPR, ptype EXPR: "type = ..." */
static void
cmd_type(const char *method, const char *arg)
{
	struct tr_cl_reply r;

	/* without an expression, the last value's type, as gdb */
	if (tc_call_show(method, tc_jparams("{\"expr\":%J}", *arg ? arg : "$"),
			 &r)) {
		printf("type = %s\n", tc_jstr(r.result, "type"));
		tr_cl_reply_free(&r);
	}
}

static void
cmd_info_watchpoints(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("watchpoints", NULL, &r))
		return;
	if (!tr_json_len(r.result)) {
		printf("No watchpoints.\n");
	} else {
		printf("Num     Type            Disp Enb Address            "
		       "What\n");
		for (size_t i = 0; i < tr_json_len(r.result); i++) {
			const struct tr_json *w = tr_json_at(r.result, i);
			const char *k = tc_jstr(w, "kind");
			const char *e = tc_jstr(w, "expr");
			uint64_t hits = tc_jnum(w, "hits");

			const char *m = tc_jstr(w, "mechanism");

			printf("%-7" PRIu64 " %-15s keep y   0x%016" PRIx64
			       " %s\n", tc_jnum(w, "id"),
			       !strcmp(k, "read") ? "read watchpoint" :
			       !strcmp(k, "access") ? "acc watchpoint" :
			       m && !strcmp(m, "debug-registers")
				       ? "hw watchpoint"
				       : "watchpoint",
			       tc_jnum(w, "addr"), e ? e : "");
			if (tc_jstr(w, "condition"))
				printf("\tstop only if %s\n",
				       tc_jstr(w, "condition"));
			if (hits)
				printf("\tbreakpoint already hit %" PRIu64
				       " time%s\n", hits, hits == 1 ? "" : "s");
			if (tc_jnum(w, "ignore_count"))
				printf("\tWill ignore next %" PRIu64
				       " crossings of breakpoint.\n",
				       tc_jnum(w, "ignore_count"));
		}
	}
	tr_cl_reply_free(&r);
}

static void
break_cmd(const char *arg, bool temporary, bool hardware)
{
	char loc[512], *cond = NULL;
	const char *ifp;
	struct tr_cl_reply r;
	char *p;

	/* "LOCATION if CONDITION" */
	ifp = strstr(arg, " if ");
	if (ifp) {
		snprintf(loc, sizeof(loc), "%.*s", (int)(ifp - arg), arg);
		cond = strdup(ifp + 4);
	} else if (!strncmp(arg, "if ", 3)) {
		loc[0] = 0;
		cond = strdup(arg + 3);
	} else {
		snprintf(loc, sizeof(loc), "%s", arg);
	}
	if (!loc[0]) {
		printf("A location is required (break FUNCTION, "
		       "FILE:LINE or *ADDRESS).\n");
		tc.failed = true;
		free(cond);
		return;
	}
	p = cond ? tc_jparams("{\"location\":%J,\"condition\":%J,"
			   "\"temporary\":%B,\"hardware\":%B,"
			   "\"pending\":%B}", loc, cond, (int)temporary,
			   (int)hardware, (int)tc.bp_pending)
		 : tc_jparams("{\"location\":%J,\"temporary\":%B,"
			   "\"hardware\":%B,\"pending\":%B}", loc,
			   (int)temporary, (int)hardware, (int)tc.bp_pending);
	free(cond);
	if (tc_call_show("break", p, &r)) {
		const struct tr_json *locs = tr_json_get(r.result, "locations");

		if (tc_jstr(r.result, "message"))
			printf("%s\n", tc_jstr(r.result, "message"));
		const struct tr_json *l0 = locs && tr_json_len(locs)
						   ? tr_json_at(locs, 0)
						   : NULL;

		/* gdb's mention() words */
		printf("%s %" PRIu64, hardware ? "Hardware assisted breakpoint"
				      : temporary ? "Temporary breakpoint"
						  : "Breakpoint",
		       tc_jnum(r.result, "id"));
		if (!l0 && tc_jbool(r.result, "not_running"))
			printf(" (%s): made when the program runs.\n", loc);
		else if (!l0)
			printf(" (%s) pending.\n", loc);
		else if (tr_json_len(locs) > 1)
			/* gdb: the spec, as the locations may be in
			 * several files */
			printf(" at 0x%" PRIx64 ": %s. (%zu locations)\n",
			       tc_jnum(l0, "addr"), loc, tr_json_len(locs));
		else if (tc_jstr(l0, "file"))
			printf(" at 0x%" PRIx64 ": file %s, line %" PRIu64
			       ".\n", tc_jnum(l0, "addr"),
			       tc_base_name(tc_jstr(l0, "file")), tc_jnum(l0, "line"));
		else
			printf(" at 0x%" PRIx64 "\n", tc_jnum(l0, "addr"));
		tr_cl_reply_free(&r);
	}
}

void
tc_cmd_break(const char *arg, bool temporary)
{
	break_cmd(arg, temporary, false);
}

/* delete with no argument: every breakpoint and watchpoint (gdb asks
 * first on a terminal; a script's answer is yes). */
static void
cmd_delete_all(void)
{
	const char *methods[] = { "breakpoints", "watchpoints" };

	for (size_t m = 0; m < 2; m++) {
		struct tr_cl_reply r;

		if (tc_call(methods[m], NULL, &r))
			return;
		for (size_t i = 0; i < tr_json_len(r.result); i++) {
			struct tr_cl_reply d;
			uint64_t id = tc_jnum(tr_json_at(r.result, i), "id");

			if (tc_call_show("delete",
					 tc_jparams("{\"id\":%u}", id), &d))
				tr_cl_reply_free(&d);
		}
		tr_cl_reply_free(&r);
	}
}

/* A location's address and where it is, as info breakpoints shows it. */
static void
print_bp_where(const struct tr_json *l)
{
	if (tc_jstr(l, "file"))
		printf("0x%016" PRIx64 " in %s at %s:%" PRIu64 "\n",
		       tc_jnum(l, "addr"), tc_jstr(l, "function"),
		       tc_base_name(tc_jstr(l, "file")), tc_jnum(l, "line"));
	else
		printf("0x%016" PRIx64 " <%s>\n", tc_jnum(l, "addr"),
		       tc_jstr(l, "function") ? tc_jstr(l, "function") : "?");
}

static void
cmd_info_breakpoints(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("breakpoints", NULL, &r))
		return;
	if (!tr_json_len(r.result)) {
		printf("No breakpoints or watchpoints.\n");
		tr_cl_reply_free(&r);
		return;
	}
	printf("Num     Type           Disp Enb Address            What\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *b = tr_json_at(r.result, i);
		const struct tr_json *locs = tr_json_get(b, "locations");
		const struct tr_json *l0 = locs && tr_json_len(locs)
						   ? tr_json_at(locs, 0)
						   : NULL;
		uint64_t hits = tc_jnum(b, "hits");

		printf("%-7" PRIu64 " %-14s %-4s %-3s ", tc_jnum(b, "id"),
		       tc_jbool(b, "hardware") ? "hw breakpoint" : "breakpoint",
		       tc_jbool(b, "temporary") ? "del" : "keep",
		       tc_jbool(b, "enabled") ? "y" : "n");
		if (!l0)
			printf("%-18s %s\n", "<PENDING>", tc_str(tc_jstr(b, "location")));
		else if (tr_json_len(locs) > 1)
			printf("%-18s \n", "<MULTIPLE>");
		else
			print_bp_where(l0);
		if (tc_jstr(b, "condition"))
			printf("\tstop only if %s\n", tc_str(tc_jstr(b, "condition")));
		if (hits)
			printf("\tbreakpoint already hit %" PRIu64 " time%s\n",
			       hits, hits == 1 ? "" : "s");
		if (tc_jnum(b, "ignore_count"))
			printf("\tWill ignore next %" PRIu64 " crossings of "
			       "breakpoint.\n", tc_jnum(b, "ignore_count"));
		/* gdb's rows of a breakpoint's locations: 1.1, 1.2 */
		for (size_t k = 0; locs && tr_json_len(locs) > 1 &&
				   k < tr_json_len(locs); k++) {
			char num[32];

			snprintf(num, sizeof(num), "%" PRIu64 ".%zu",
				 tc_jnum(b, "id"), k + 1);
			printf("%-7s %-14s %-4s %-3s ", num, "", "",
			       tc_jbool(b, "enabled") ? "y" : "n");
			print_bp_where(tr_json_at(locs, k));
		}
	}
	tr_cl_reply_free(&r);
}

static void
cmd_bt(const char *arg)
{
	struct tr_cl_reply r;
	const struct tr_json *frames;
	char *p = NULL;

	if (*arg)
		p = tc_jparams("{\"limit\":%u}", (uint64_t)strtoull(arg, NULL,
								 0));
	if (!tc_call_show("backtrace", p, &r))
		return;
	frames = tr_json_get(r.result, "frames");
	for (size_t i = 0; frames && i < tr_json_len(frames); i++)
		tc_print_frame_line(tr_json_at(frames, i), true, i > 0);
	if (tc_jbool(r.result, "more"))
		printf("(More stack frames follow...)\n");
	tr_cl_reply_free(&r);
}


/* finish: of the selected frame, which gdb names first ("Run till exit
 * from #1 ..."). */
static void
cmd_finish(void)
{
	struct tr_cl_reply r;
	char *p = tc_jparams("{\"level\":%u}", (uint64_t)tc.frame);

	/* gdb says it when typed (from_tty), not from a script */
	if (!tc.json && !tc.script &&
	    tr_cl_call(tc.cl, "frame", p, NULL, 0, &tc.sigint, &r) == 0) {
		if (!r.code) {
			printf("Run till exit from ");
			tc_print_frame_line(r.result, true, tc.frame > 0);
		}
		tr_cl_reply_free(&r);
	}
	free(p);
	tc_resume("finish", NULL);
}

static void
cmd_vars(const char *method)
{
	struct tr_cl_reply r;

	if (!tc_call_show(method, NULL, &r))
		return;
	if (!tr_json_len(r.result))
		printf(strcmp(method, "args") ? "No locals.\n"
					      : "No arguments.\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *v = tr_json_at(r.result, i);

		printf("%s = %s\n", tc_jstr(v, "name"), tc_jstr(v, "value"));
	}
	tr_cl_reply_free(&r);
}

static void
cmd_threads(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("threads", NULL, &r))
		return;
	printf("  Id   Target Id              Frame\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *t = tr_json_at(r.result, i);
		const char *fn = tc_jstr(t, "function");

		printf("%c %-4zu Thread %-15" PRIu64 " 0x%016" PRIx64
		       " in %s ()\n", tc_jbool(t, "current") ? '*' : ' ', i + 1,
		       tc_jnum(t, "thread"), tc_jnum(t, "pc"), fn ? fn : "??");
	}
	tr_cl_reply_free(&r);
}

static int eval_addr(const char *expr, uint64_t *addr);

/* The value of an address expression, through the server's evaluator. */
static int
eval_addr(const char *expr, uint64_t *addr)
{
	struct tr_cl_reply r;
	char *e;
	const char *v;
	char *end;
	int rc = -1;

	if (asprintf(&e, "(unsigned long)(%s)", expr) < 0)
		return -1;
	if (tc_call("eval", tc_jparams("{\"expr\":%J}", e), &r) == 0) {
		v = tc_jstr(r.result, "value");
		if (v) {
			*addr = strtoull(v, &end, 0);
			rc = end != v ? 0 : -1;
		}
		tr_cl_reply_free(&r);
	}
	free(e);
	return rc;
}

int
tc_eval_addr(const char *expr, uint64_t *addr)
{
	return eval_addr(expr, addr);
}

static int
read_mem(uint64_t addr, void *buf, size_t len, size_t *got)
{
	struct tr_cl_reply r;
	int err;

	err = tr_cl_call(tc.cl, "read_memory",
			 tc_jparams("{\"addr\":%u,\"length\":%u,"
				 "\"encoding\":\"binary\"}",
				 addr, (uint64_t)len),
			 buf, len, NULL, &r);
	if (err) {
		fprintf(stderr, "tracectl: read_memory: %s\n",
			tr_strerror(err));
		tc.failed = true;
		return -1;
	}
	if (r.code) {
		printf("%s\n", r.message);
		tc.failed = true;
		tr_cl_reply_free(&r);
		return -1;
	}
	*got = r.binary_len;
	tr_cl_reply_free(&r);
	return 0;
}

/* gdb's $_ and $__ after x: the last unit examined, kept by the session. */
static void
set_examined(uint64_t addr, unsigned unit, bool value)
{
	struct tr_cl_reply r;

	if (tc_call("examined", tc_jparams("{\"addr\":%u,\"unit\":%u,"
					   "\"value\":%B}", addr,
					   (uint64_t)unit, value),
		    &r) == 0)
		tr_cl_reply_free(&r);
}

/* where the next x without an address starts ("" before any) */
static char x_next[32];

/* x/NFU ADDR, as gdb's examine command. */
void
tc_cmd_x(const char *fmtarg, const char *expr)
{
	static char last_unit = 'w';
	unsigned long count = 1;
	char fmt = last_format ? last_format : 'x', unit = last_unit;
	const char *p = fmtarg;
	unsigned size, per_line;
	uint64_t addr;
	unsigned char *buf;
	size_t got;

	if (*p == '/') {
		p++;
		if (isdigit((unsigned char)*p))
			count = strtoul(p, (char **)&p, 10);
		for (; *p; p++) {
			if (strchr("bhwg", *p))
				unit = *p;
			else if (strchr("xduotcasi", *p))
				fmt = *p;
			else {
				printf("Invalid format letter '%c' (x/NFU: "
				       "F one of x d u o t c a s, U one of "
				       "b h w g).\n", *p);
				tc.failed = true;
				return;
			}
		}
	}
	/* gdb: x without an address goes on after the last one (Enter
	 * repeating x) */
	if (!*expr && x_next[0] && fmt != 'i')
		expr = x_next;
	if (!*expr) {
		printf("Argument required (starting display address).\n");
		tc.failed = true;
		return;
	}
	if (count == 0 || count > 65536) {
		printf("Count must be between 1 and 65536.\n");
		tc.failed = true;
		return;
	}
	if (fmt == 'c' && !strchr(fmtarg, 'b') && !strchr(fmtarg, 'h') &&
	    !strchr(fmtarg, 'w') && !strchr(fmtarg, 'g'))
		unit = 'b';
	if (fmt == 'a')
		unit = 'g';
	if (fmt == 'i') {
		tc_cmd_x_insn(count, expr);
		return;
	}
	last_format = fmt;
	last_unit = unit;
	if (eval_addr(expr, &addr))
		return;
	if (fmt == 's') {
		uint64_t last = addr;

		for (unsigned long i = 0; i < count; i++) {
			char s[4096];
			size_t n = 0;

			if (read_mem(addr, s, sizeof(s) - 1, &got))
				return;
			while (n < got && s[n])
				n++;
			printf("0x%" PRIx64 ":\t\"%.*s\"\n", addr, (int)n, s);
			last = addr;
			addr += n + 1;
		}
		/* gdb: $_ the last string's address, $__ void */
		set_examined(last, 1, false);
		snprintf(x_next, sizeof(x_next), "0x%" PRIx64, addr);
		return;
	}
	size = unit == 'b' ? 1 : unit == 'h' ? 2 : unit == 'w' ? 4 : 8;
	per_line = size == 8 ? 2 : size == 4 ? 4 : 8;
	buf = malloc(count * size);
	if (!buf || read_mem(addr, buf, count * size, &got)) {
		free(buf);
		return;
	}
	for (size_t i = 0; i < got / size; i++) {
		uint64_t v = 0;

		memcpy(&v, buf + i * size, size);
		if (i % per_line == 0)
			printf("%s0x%" PRIx64 ":", i ? "\n" : "",
			       addr + i * size);
		switch (fmt) {
		case 'x':
		case 'a':
			printf("\t0x%0*" PRIx64, (int)size * 2, v);
			break;
		case 'd': {
			int64_t s = (int64_t)(v << (64 - 8 * size)) >>
				    (64 - 8 * size);

			printf("\t%" PRId64, s);
			break;
		}
		case 'u':
			printf("\t%" PRIu64, v);
			break;
		case 'o':
			printf("\t0%" PRIo64, v);
			break;
		case 't':
			putchar('\t');
			for (int b = (int)size * 8 - 1; b >= 0; b--)
				putchar('0' + (int)((v >> b) & 1));
			break;
		case 'c':
			printf("\t%d '%c'", (int)(int8_t)v,
			       isprint((int)v) ? (int)v : '.');
			break;
		}
	}
	printf("\n");
	if (got < count * size)
		printf("Cannot access memory at address 0x%" PRIx64 "\n",
		       addr + got);
	if (got >= size)
		set_examined(addr + (got / size - 1) * size, size, true);
	snprintf(x_next, sizeof(x_next), "0x%" PRIx64, addr + got / size * size);
	free(buf);
}

static void
cmd_launch(const char *args, bool run)
{
	struct tr_cl_reply r;
	struct tr_buf b;
	struct tr_jw w;
	char *copy = strdup(args), *save = NULL, *tok;
	bool first = true;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (first) {
			tr_jw_key(&w, "program");
			tr_jw_cstr(&w, tok);
			tr_jw_key(&w, "args");
			tr_jw_arr_begin(&w);
			first = false;
		} else {
			tr_jw_cstr(&w, tok);
		}
	}
	if (!first)
		tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	tr_buf_append(&b, "", 1);
	free(copy);
	if (first) {
		printf("usage: %s PROGRAM [ARGS...]\n", run ? "run" : "launch");
		tr_buf_free(&b);
		tc.failed = true;
		return;
	}
	if (!tc_call_show("launch", b.data, &r))
		return;
	printf("Process %" PRIu64 " launched (session %" PRIu64 ").\n",
	       tc_jnum(r.result, "pid"), tc_jnum(r.result, "session"));
	tc.session = (uint32_t)tc_jnum(r.result, "session");
	tr_cl_set_session(tc.cl, tc.session);
	if (!run)
		tc_print_stop(tr_json_get(r.result, "stop"));
	tr_cl_reply_free(&r);
	if (run)
		tc_resume("continue", NULL);
}

static void
cmd_attach(const char *arg)
{
	struct tr_cl_reply r;

	if (!tc_call_show("attach", tc_jparams("{\"pid\":%u}",
					 (uint64_t)strtoull(arg, NULL, 10)),
		       &r))
		return;
	printf("Attaching to process %" PRIu64 " (session %" PRIu64 ", %"
	       PRIu64 " threads)\n", tc_jnum(r.result, "pid"),
	       tc_jnum(r.result, "session"), tc_jnum(r.result, "threads"));
	tc.session = (uint32_t)tc_jnum(r.result, "session");
	tr_cl_set_session(tc.cl, tc.session);
	tc_print_stop(tr_json_get(r.result, "stop"));
	tr_cl_reply_free(&r);
}

static void
cmd_sessions(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("sessions", NULL, &r))
		return;
	if (!tr_json_len(r.result))
		printf("No sessions.\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *s = tr_json_at(r.result, i);

		printf("session %" PRIu64 ": process %" PRIu64 ", %s, %s %s\n",
		       tc_jnum(s, "session"), tc_jnum(s, "pid"), tc_jstr(s, "state"),
		       tc_jbool(s, "launched") ? "launched" : "attached",
		       tc_jstr(s, "program") ? tc_jstr(s, "program") : "");
	}
	tr_cl_reply_free(&r);
}

static void
print_slab(const char *name, const struct tr_json *s)
{
	const struct tr_json *l = tr_json_get(s, "latency_ns");

	printf("  %-12s %10" PRIu64 " requests  p50 <%6.1f us  p90 <%6.1f us"
	       "  p99 <%7.1f us  (server slept %" PRIu64 "x, requesters "
	       "slept %" PRIu64 "x)\n",
	       name, tc_jnum(s, "requests"), (double)tc_jnum(l, "p50") / 1e3,
	       (double)tc_jnum(l, "p90") / 1e3, (double)tc_jnum(l, "p99") / 1e3,
	       tc_jnum(s, "server_sleeps"), tc_jnum(s, "client_sleeps"));
}

static void
cmd_stats(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("stats", NULL, &r))
		return;
	printf("Dispatch statistics of session %" PRIu64
	       " (request slabs; latency is submit to completion):\n",
	       tc_jnum(r.result, "session"));
	print_slab("tracer", tr_json_get(r.result, "tracer"));
	print_slab("interpreter", tr_json_get(r.result, "interpreter"));
	print_slab("event loop", tr_json_get(r.result, "event_loop"));
	tr_cl_reply_free(&r);
}

static void
cmd_rpc(const char *arg)
{
	char method[64];
	const char *rest;
	struct tr_cl_reply r;
	size_t n = strcspn(arg, " \t");

	if (!n || n >= sizeof(method)) {
		printf("usage: rpc METHOD [PARAMS-JSON]\n");
		tc.failed = true;
		return;
	}
	memcpy(method, arg, n);
	method[n] = 0;
	rest = arg + n;
	while (isspace((unsigned char)*rest))
		rest++;
	if (tc_call(method, *rest ? strdup(rest) : NULL, &r) == 0) {
		tc_print_json(r.result);
		tr_cl_reply_free(&r);
	}
}

/* Run one command line. Returns false for quit. */
bool
tc_run_command(char *line)
{
	char *cmd, *arg;
	size_t n;

	while (isspace((unsigned char)*line))
		line++;
	n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = 0;
	if (!*line || *line == '#')
		return true;
	tc_term_parse_redirs(line);
	cmd = line;
	n = strcspn(cmd, " \t/");
	arg = cmd + n;
	if (*arg == '/') {
		/* x/4xb: the format belongs to the command */
		char *sp = arg + strcspn(arg, " \t");
		char fmt[32];

		snprintf(fmt, sizeof(fmt), "%.*s", (int)(sp - arg), arg);
		cmd[n] = 0;
		while (isspace((unsigned char)*sp))
			sp++;
		if (!strcmp(cmd, "p") || !strcmp(cmd, "print") ||
		    !strcmp(cmd, "inspect") || !strcmp(cmd, "call") ||
		    !strcmp(cmd, "output")) {
			cmd_print(fmt, sp, !strcmp(cmd, "call") ? P_CALL :
					   !strcmp(cmd, "output") ? P_OUTPUT :
								    P_PRINT);
			return true;
		}
		if (!strcmp(cmd, "display")) {
			tc_cmd_display(fmt, sp);
			return true;
		}
		if (strcmp(cmd, "x")) {
			printf("Undefined command: \"%s\".  Try \"help\".\n",
			       cmd);
			tc.failed = true;
			return true;
		}
		tc_cmd_x(fmt, sp);
		return true;
	}
	if (*arg)
		*arg++ = 0;
	while (isspace((unsigned char)*arg))
		arg++;

#define IS(a) (!strcmp(cmd, a))
	if (tc_term_command(cmd, arg))
		;
	else if (IS("quit") || IS("q") || IS("exit"))
		return false;
	else if ((IS("help") || IS("h")) && *arg)
		tc_help_command(arg);
	else if (IS("help") || IS("h"))
		tc_help_command("all"); /* every command, one line each */
	else if (IS("launch"))
		cmd_launch(arg, false);
	else if (IS("run") || IS("r"))
		tc_cmd_run(arg, false);
	else if (IS("start"))
		tc_cmd_run(arg, true);
	else if (IS("attach"))
		cmd_attach(arg);
	else if (IS("detach"))
		cmd_simple("detach", NULL);
	else if (IS("kill") || IS("k")) {
		struct tr_cl_reply r;

		bool gone = false;

		/* an exited program's session just ends */
		if (tr_cl_call(tc.cl, "state", NULL, NULL, 0, &tc.sigint,
			       &r) == 0) {
			gone = !r.code && tc_jstr(r.result, "state") &&
			       !strcmp(tc_jstr(r.result, "state"), "exited");
			tr_cl_reply_free(&r);
		}
		tc.killing = true;
		if (tc_call_show("kill", NULL, &r)) {
			if (!gone)
				printf("[Inferior 1 (process %" PRIu64
				       ") killed]\n",
				       tc_jnum(r.result, "killed"));
			tr_cl_reply_free(&r);
		}
		tc.killing = false;
	}
	else if (IS("sessions") || (IS("info") && !strcmp(arg, "sessions")))
		cmd_sessions();
	else if (IS("session"))
		tr_cl_set_session(tc.cl, tc.session = (uint32_t)strtoul(arg,
								   NULL, 10));
	else if (IS("shutdown"))
		cmd_simple("shutdown", NULL);
	else if (IS("break") || IS("b") || IS("br"))
		tc_cmd_break(arg, false);
	else if (IS("tbreak"))
		tc_cmd_break(arg, true);
	else if (IS("hbreak"))
		break_cmd(arg, false, true);
	else if (IS("thbreak"))
		break_cmd(arg, true, true);
	else if (IS("watch"))
		cmd_watch(arg, "write");
	else if (IS("rwatch"))
		cmd_watch(arg, "read");
	else if (IS("awatch"))
		cmd_watch(arg, "access");
	else if (IS("condition")) {
		unsigned long id = strtoul(arg, &arg, 10);

		while (isspace((unsigned char)*arg))
			arg++;
		cmd_simple("condition",
			   tc_jparams("{\"id\":%u,\"condition\":%J}",
				   (uint64_t)id, arg));
	} else if ((IS("delete") || IS("d")) && !*arg)
		cmd_delete_all();
	else if (IS("delete") || IS("d"))
		cmd_simple("delete", tc_jparams("{\"id\":%u}",
					     (uint64_t)strtoull(arg, NULL,
								10)));
	else if (IS("enable") || IS("disable"))
		cmd_simple("enable",
			   tc_jparams(IS("enable") ? "{\"id\":%u}"
						: "{\"id\":%u,\"enabled\":false}",
				   (uint64_t)strtoull(arg, NULL, 10)));
	else if (IS("ignore")) {
		unsigned long id = strtoul(arg, &arg, 10);
		unsigned long cnt = strtoul(arg, NULL, 10);

		cmd_simple("ignore", tc_jparams("{\"id\":%u,\"count\":%u}",
					     (uint64_t)id, (uint64_t)cnt));
	} else if (IS("continue") || IS("c") || IS("cont")) {
		if (tc_continue_count(arg))
			arg = "";
		tc_resume("continue", arg);
	} else if (IS("signal"))
		tc_cmd_signal(arg);
	else if (IS("handle"))
		tc_cmd_handle(arg);
	else if (IS("step") || IS("s"))
		tc_resume("step", NULL);
	else if (IS("next") || IS("n"))
		tc_resume("next", NULL);
	else if (IS("finish") || IS("fin"))
		cmd_finish();
	else if (IS("until") || IS("u"))
		tc_cmd_until(arg, false);
	else if (IS("advance"))
		tc_cmd_until(arg, true);
	else if (IS("jump") || IS("j"))
		tc_cmd_jump(arg);
	else if (IS("stepi") || IS("si"))
		tc_resume("stepi", NULL);
	else if (IS("interrupt"))
		cmd_simple("interrupt", NULL);
	else if (IS("print") || IS("p") || IS("inspect") || IS("eval"))
		cmd_print(NULL, arg, P_PRINT);
	else if (IS("output"))
		cmd_print(NULL, arg, P_OUTPUT);
	else if (IS("call"))
		cmd_print(NULL, arg, P_CALL);
	else if (IS("echo")) {
		/* gdb's echo: C escapes, no newline of its own */
		for (const char *p = arg; *p; p++) {
			if (*p != '\\' || !p[1]) {
				putchar(*p);
				continue;
			}
			p++;
			putchar(*p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		}
	} else if (IS("whatis"))
		cmd_type("whatis", arg);
	else if (IS("ptype"))
		cmd_type("ptype", arg);
	else if (IS("display"))
		tc_cmd_display(NULL, arg);
	else if (IS("undisplay") ||
		 (IS("delete") && !strncmp(arg, "display", 7) &&
		  (!arg[7] || isspace((unsigned char)arg[7]))))
		tc_cmd_undisplay(IS("delete") ? arg + 7 + strspn(arg + 7, " \t")
					      : arg);
	else if (IS("list") || IS("l"))
		tc_cmd_list(arg);
	else if (tc_cmd_forks(cmd, arg))
		;
	else if ((IS("set") || IS("unset") || IS("show")) &&
		 !strncmp(arg, "substitute-path", 15) &&
		 (!arg[15] || isspace((unsigned char)arg[15])))
		tc_cmd_substitute_path(cmd, arg + 15);
	else if (IS("set") && !strncmp(arg, "breakpoint pending ", 19)) {
		/* gdb's: on makes unknown locations pending; off and auto
		 * (no one to ask here) report them */
		tc.bp_pending = !strcmp(arg + 19, "on");
	} else if (IS("set")) {
		if (!strncmp(arg, "var ", 4))
			arg += 4;
		else if (!strncmp(arg, "variable ", 9))
			arg += 9;
		{
			struct tr_cl_reply r;

			if (tc_call_show("eval", tc_jparams("{\"expr\":%J}", arg),
				      &r))
				tr_cl_reply_free(&r);
		}
	} else if (IS("x"))
		tc_cmd_x("", arg);
	else if (IS("disassemble") || IS("disas"))
		tc_cmd_disassemble(arg);
	else if (IS("bt") || IS("backtrace") || IS("where"))
		cmd_bt(arg);
	else if (IS("frame") || IS("f"))
		tc_cmd_frame_rel(arg, 0);
	else if (IS("up"))
		tc_cmd_frame_rel(arg, 1);
	else if (IS("down"))
		tc_cmd_frame_rel(arg, -1);
	else if (IS("thread") && !strncmp(arg, "apply", 5) &&
		 (!arg[5] || isspace((unsigned char)arg[5])))
		tc_cmd_thread_apply(arg + 5 + strspn(arg + 5, " \t"));
	else if (IS("thread"))
		tc_cmd_thread(arg);
	else if (IS("info") || IS("i")) {
		char *what = arg;
		char *rest = what + strcspn(what, " \t");

		if (*rest)
			*rest++ = 0;
		while (isspace((unsigned char)*rest))
			rest++;
		if (!strcmp(what, "locals"))
			cmd_vars("locals");
		else if (!strcmp(what, "args"))
			cmd_vars("args");
		else if (!strcmp(what, "registers") || !strcmp(what, "reg") ||
			 !strcmp(what, "r"))
			tc_cmd_info_registers(rest, false);
		else if (!strcmp(what, "all-registers"))
			tc_cmd_info_registers(rest, true);
		else if (!strcmp(what, "signals") ||
			 !strcmp(what, "handle"))
			tc_cmd_info_signals(rest);
		else if (!strcmp(what, "threads"))
			cmd_threads();
		else if (!strcmp(what, "breakpoints") || !strcmp(what, "b") ||
			 !strcmp(what, "break"))
			cmd_info_breakpoints();
		else if (!strcmp(what, "display"))
			tc_cmd_info_display();
		else if (!strcmp(what, "watchpoints"))
			cmd_info_watchpoints();
		else if (!strcmp(what, "frame") || !strcmp(what, "f"))
			tc_cmd_info_frame();
		else if (tc_cmd_info_symbols(what, rest))
			;
		else {
			printf("Undefined info command: \"%s\".  Try "
			       "\"help\".\n", what);
			tc.failed = true;
		}
	} else if (IS("stats"))
		cmd_stats();
	else if (IS("rpc"))
		cmd_rpc(arg);
	else {
		printf("Undefined command: \"%s\".  Try \"help\".\n", cmd);
		tc.failed = true;
	}
#undef IS
	fflush(stdout);
	return true;
}
