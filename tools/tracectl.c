/* tracectl.c: the command-line client of tracerd: one-shot commands and a gdb-like REPL. */
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
#include "error.h"
#include "json.h"
#include "json_write.h"

/*
 * Exit codes: 0 when every command succeeded, 1 when one failed (an
 * error reply, a lost connection), 2 for a bad command line.
 */

static struct {
	struct tr_cl *cl;
	bool json;           /* print raw results and notifications */
	bool echo;           /* echo commands read from a pipe */
	bool failed;         /* some command failed */
	unsigned history;    /* $N of print */
	char last_func[256]; /* function of the last stop printed */
	volatile int sigint;
	bool in_readline;
} g;

/* ---- output helpers ----------------------------------------------------- */

static const char *
jstr(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;

	return v ? tr_json_str(v, NULL) : NULL;
}

static uint64_t
jnum(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;
	uint64_t u = 0;
	int64_t i;

	if (v && tr_json_uint64(v, &u) && tr_json_int64(v, &i) == 0)
		u = (uint64_t)i;
	return u;
}

/* for printing: "" where a member is missing or null */
static const char *
S(const char *s)
{
	static const char empty[] = "";

	return s ? s : empty;
}

static bool
jbool(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;
	bool b = false;

	if (v)
		tr_json_bool(v, &b);
	return b;
}

static void
print_json(const struct tr_json *v)
{
	struct tr_buf b;
	struct tr_jw w;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	if (v)
		tr_jw_value(&w, v);
	else
		tr_jw_null(&w);
	if (!tr_jw_error(&w))
		printf("%.*s\n", (int)b.len, b.data);
	tr_buf_free(&b);
}

static const char *
base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/* "compute (x=4, y=2)" */
static void
print_func_args(const struct tr_json *f)
{
	const struct tr_json *args = tr_json_get(f, "args");
	const char *fn = jstr(f, "function");

	printf("%s (", fn ? fn : "??");
	for (size_t i = 0; args && i < tr_json_len(args); i++) {
		const struct tr_json *a = tr_json_at(args, i);

		printf("%s%s=%s", i ? ", " : "", jstr(a, "name"),
		       jstr(a, "value"));
	}
	printf(")");
}

/* A frame as gdb's backtrace shows it. */
static void
print_frame_line(const struct tr_json *f, bool with_level, bool force_addr)
{
	const char *file = jstr(f, "file");
	uint64_t level = jnum(f, "level");

	if (with_level)
		printf("#%-3" PRIu64, level);
	if (force_addr || !file)
		printf("0x%016" PRIx64 " in ", jnum(f, "pc"));
	print_func_args(f);
	if (file)
		printf(" at %s:%" PRIu64, base_name(file), jnum(f, "line"));
	else if (jstr(f, "module"))
		printf(" from %s", jstr(f, "module"));
	printf("\n");
}

static void
print_source(const struct tr_json *f)
{
	const char *src = jstr(f, "source");

	if (src && jnum(f, "line"))
		printf("%" PRIu64 "\t%s\n", jnum(f, "line"), src);
}

/* A stop, as gdb prints it. */
static void
print_stop(const struct tr_json *st)
{
	const char *ev = jstr(st, "event");
	const char *reason = jstr(st, "reason");
	const struct tr_json *f = tr_json_get(st, "frame");
	const char *fn = f ? jstr(f, "function") : NULL;
	bool new_func;

	if (!ev)
		return;
	if (!strcmp(ev, "exit")) {
		uint64_t code = jnum(st, "exit_code");

		if (code)
			printf("[Inferior (process %" PRIu64 ") exited with "
			       "code %02" PRIo64 "]\n", jnum(st, "pid"), code);
		else
			printf("[Inferior (process %" PRIu64 ") exited "
			       "normally]\n", jnum(st, "pid"));
		g.last_func[0] = 0;
		return;
	}
	if (!strcmp(ev, "killed")) {
		printf("\nProgram terminated with signal %s.\n",
		       jstr(st, "signal"));
		g.last_func[0] = 0;
		return;
	}
	if (strcmp(ev, "stop") || !reason || !f)
		return;
	new_func = !fn || strcmp(fn, g.last_func);
	snprintf(g.last_func, sizeof(g.last_func), "%s", fn ? fn : "");
	if (!strcmp(reason, "breakpoint")) {
		printf("\nBreakpoint %" PRIu64 ", ", jnum(st, "breakpoint"));
		print_frame_line(f, false, false);
	} else if (!strcmp(reason, "signal")) {
		printf("\nProgram received signal %s, %s.\n",
		       jstr(st, "signal"), jstr(st, "description"));
		print_frame_line(f, false, true);
	} else if (!strcmp(reason, "interrupt")) {
		printf("\nProgram stopped.\n");
		print_frame_line(f, false, true);
	} else if (!strcmp(reason, "exec")) {
		printf("Stopped at the program's first instruction, "
		       "0x%016" PRIx64 ".\n", jnum(f, "pc"));
		return;
	} else if (!strcmp(reason, "attach")) {
		print_frame_line(f, false, true);
	} else if (!strcmp(reason, "finish") || new_func ||
		   !jstr(f, "source")) {
		print_frame_line(f, false, !jstr(f, "file"));
	}
	print_source(f);
}

static void
on_notify(const char *method, const struct tr_json *params, void *arg)
{
	(void)arg;
	if (g.in_readline) {
		/* a stop of another client's doing: print it above the
		 * prompt and draw the line again */
		printf("\n");
	}
	if (g.json) {
		printf("{\"notification\":\"%s\",\"params\":", method);
		fflush(stdout);
		{
			struct tr_buf b;
			struct tr_jw w;

			tr_buf_init(&b);
			tr_jw_init(&w, &b);
			tr_jw_value(&w, params);
			printf("%.*s}\n", (int)b.len, b.data ? b.data : "");
			tr_buf_free(&b);
		}
	} else if (!strcmp(method, "stopped") || !strcmp(method, "exited")) {
		print_stop(tr_json_get(params, "stop"));
	} else if (!strcmp(method, "session_ended")) {
		printf("[session %" PRIu64 " %s]\n", jnum(params, "session"),
		       jstr(params, "how"));
	}
	fflush(stdout);
	if (g.in_readline)
		rl_forced_update_display();
}

/* ---- calls -------------------------------------------------------------- */

/* Build params from a format of JSON text: %J a C string written as a
 * JSON string, %u a uint64_t, %B an int written as true/false. */
static char *
jparams(const char *fmt, ...)
{
	struct tr_buf b;
	va_list ap;

	tr_buf_init(&b);
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 'J') {
			struct tr_jw w;

			tr_jw_init(&w, &b);
			tr_jw_cstr(&w, va_arg(ap, const char *));
			p++;
		} else if (p[0] == '%' && p[1] == 'B') {
			const char *t = va_arg(ap, int) ? "true" : "false";

			tr_buf_append(&b, t, strlen(t));
			p++;
		} else if (p[0] == '%' && p[1] == 'u') {
			char n[32];
			int k = snprintf(n, sizeof(n), "%llu",
					 (unsigned long long)va_arg(ap,
								    uint64_t));

			tr_buf_append(&b, n, (size_t)k);
			p++;
		} else {
			tr_buf_append(&b, p, 1);
		}
	}
	va_end(ap);
	tr_buf_append(&b, "", 1);
	return b.data;
}

/* Call and report errors; 0 with *r filled on success. */
static int
call(const char *method, char *params, struct tr_cl_reply *r)
{
	int err = tr_cl_call(g.cl, method, params, NULL, 0, &g.sigint, r);

	free(params);
	g.sigint = 0;
	if (err) {
		fprintf(stderr, "tracectl: %s: %s\n", method,
			err == -TR_EGONE ? "connection to tracerd lost"
					 : tr_strerror(err));
		g.failed = true;
		return -1;
	}
	if (r->code) {
		if (g.json)
			printf("{\"error\":{\"code\":%d,\"message\":\"%s\"}}\n",
			       r->code, r->message);
		else
			printf("%s\n", r->message);
		g.failed = true;
		tr_cl_reply_free(r);
		return -1;
	}
	return 0;
}

/* Call, then print the raw result in --json mode. Returns 1 when the
 * caller should print it its own way. */
static int
call_show(const char *method, char *params, struct tr_cl_reply *r)
{
	if (call(method, params, r))
		return 0;
	if (g.json) {
		print_json(r->result);
		tr_cl_reply_free(r);
		return 0;
	}
	return 1;
}

/* ---- commands ----------------------------------------------------------- */

static void
cmd_simple(const char *method, char *params)
{
	struct tr_cl_reply r;

	if (call_show(method, params, &r))
		tr_cl_reply_free(&r);
}

/* continue/step/next/stepi/finish: the stop is printed from the
 * notification; finish adds the value. */
static void
cmd_run(const char *method, const char *arg)
{
	struct tr_cl_reply r;
	char *p = NULL;

	if (arg && *arg && !strcmp(method, "continue"))
		p = jparams("{\"signal\":%J}", arg);
	if (!call_show(method, p, &r))
		return;
	if (!strcmp(method, "finish") && jstr(r.result, "return_value"))
		printf("Value returned is $%u = %s\n", ++g.history,
		       jstr(r.result, "return_value"));
	tr_cl_reply_free(&r);
}

static void
cmd_print(const char *expr, bool is_call)
{
	struct tr_cl_reply r;
	const char *v;

	if (!*expr) {
		printf("Argument required (expression to compute).\n");
		g.failed = true;
		return;
	}
	if (tr_cl_call(g.cl, "eval", jparams("{\"expr\":%J}", expr), NULL, 0,
		       &g.sigint, &r)) {
		fprintf(stderr, "tracectl: connection to tracerd lost\n");
		g.failed = true;
		return;
	}
	if (r.code) {
		if (g.json) {
			printf("{\"error\":{\"code\":%d,\"message\":",
			       r.code);
			fflush(stdout);
		} else if (r.pos >= 0 && r.pos < (int64_t)strlen(expr)) {
			/* point at where the error is, as a compiler would */
			printf("%s\n", r.message);
		} else {
			printf("%s\n", r.message);
		}
		if (g.json) {
			struct tr_buf b;
			struct tr_jw w;

			tr_buf_init(&b);
			tr_jw_init(&w, &b);
			tr_jw_cstr(&w, r.message);
			printf("%.*s,\"pos\":%" PRId64 "}}\n", (int)b.len,
			       b.data, r.pos);
			tr_buf_free(&b);
		}
		g.failed = true;
		tr_cl_reply_free(&r);
		return;
	}
	if (g.json) {
		print_json(r.result);
	} else {
		v = jstr(r.result, "value");
		/* call of a void function prints nothing, as in gdb */
		if (!(is_call && v && !*v))
			printf("$%u = %s\n", ++g.history, v ? v : "");
	}
	tr_cl_reply_free(&r);
}

static void
cmd_break(const char *arg, bool temporary)
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
		g.failed = true;
		free(cond);
		return;
	}
	p = cond ? jparams("{\"location\":%J,\"condition\":%J,"
			   "\"temporary\":%B}", loc, cond, (int)temporary)
		 : jparams("{\"location\":%J,\"temporary\":%B}", loc,
			   (int)temporary);
	free(cond);
	if (call_show("break", p, &r)) {
		const struct tr_json *locs = tr_json_get(r.result, "locations");
		const struct tr_json *l0 = locs && tr_json_len(locs)
						   ? tr_json_at(locs, 0)
						   : NULL;

		printf("%s %" PRIu64, temporary ? "Temporary breakpoint"
						: "Breakpoint",
		       jnum(r.result, "id"));
		if (!l0)
			printf(" (%s) pending.\n", loc);
		else if (jstr(l0, "file"))
			printf(" at 0x%" PRIx64 ": file %s, line %" PRIu64
			       ".\n", jnum(l0, "addr"),
			       base_name(jstr(l0, "file")), jnum(l0, "line"));
		else
			printf(" at 0x%" PRIx64 "\n", jnum(l0, "addr"));
		if (locs && tr_json_len(locs) > 1)
			printf("(%zu locations)\n", tr_json_len(locs));
		tr_cl_reply_free(&r);
	}
}

static void
cmd_info_breakpoints(void)
{
	struct tr_cl_reply r;

	if (!call_show("breakpoints", NULL, &r))
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
		uint64_t hits = jnum(b, "hits");

		printf("%-7" PRIu64 " breakpoint     %-4s %-3s ",
		       jnum(b, "id"), jbool(b, "temporary") ? "del" : "keep",
		       jbool(b, "enabled") ? "y" : "n");
		if (!l0)
			printf("%-18s %s\n", "<PENDING>", S(jstr(b, "location")));
		else if (jstr(l0, "file"))
			printf("0x%016" PRIx64 " in %s at %s:%" PRIu64 "\n",
			       jnum(l0, "addr"), jstr(l0, "function"),
			       base_name(jstr(l0, "file")), jnum(l0, "line"));
		else
			printf("0x%016" PRIx64 " <%s>\n", jnum(l0, "addr"),
			       jstr(l0, "function") ? jstr(l0, "function")
						    : "?");
		if (jstr(b, "condition"))
			printf("\tstop only if %s\n", S(jstr(b, "condition")));
		if (hits)
			printf("\tbreakpoint already hit %" PRIu64 " time%s\n",
			       hits, hits == 1 ? "" : "s");
		if (jnum(b, "ignore_count"))
			printf("\tWill ignore next %" PRIu64 " crossings of "
			       "breakpoint.\n", jnum(b, "ignore_count"));
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
		p = jparams("{\"limit\":%u}", (uint64_t)strtoull(arg, NULL,
								 0));
	if (!call_show("backtrace", p, &r))
		return;
	frames = tr_json_get(r.result, "frames");
	for (size_t i = 0; frames && i < tr_json_len(frames); i++)
		print_frame_line(tr_json_at(frames, i), true, i > 0);
	if (jbool(r.result, "more"))
		printf("(More stack frames follow...)\n");
	tr_cl_reply_free(&r);
}

static unsigned cur_frame;

static void
cmd_frame(long level)
{
	struct tr_cl_reply r;

	if (level < 0) {
		printf("Initial frame selected; you cannot go down.\n");
		g.failed = true;
		return;
	}
	if (!call_show("frame", jparams("{\"level\":%u}", (uint64_t)level),
		       &r))
		return;
	cur_frame = (unsigned)level;
	print_frame_line(r.result, true, level > 0);
	print_source(r.result);
	tr_cl_reply_free(&r);
}

static void
cmd_vars(const char *method)
{
	struct tr_cl_reply r;

	if (!call_show(method, NULL, &r))
		return;
	if (!tr_json_len(r.result))
		printf(strcmp(method, "args") ? "No locals.\n"
					      : "No arguments.\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *v = tr_json_at(r.result, i);

		printf("%s = %s\n", jstr(v, "name"), jstr(v, "value"));
	}
	tr_cl_reply_free(&r);
}

static void
cmd_registers(const char *only)
{
	struct tr_cl_reply r;

	if (!call_show("registers", NULL, &r))
		return;
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json_member *m =
			tr_json_member_at(r.result, i);
		uint64_t v = 0;

		if (*only && strcmp(only, m->key) &&
		    !(only[0] == '$' && !strcmp(only + 1, m->key)))
			continue;
		tr_json_uint64(&m->val, &v);
		printf("%-15s0x%-18" PRIx64 "%" PRId64 "\n", m->key, v,
		       (int64_t)v);
	}
	tr_cl_reply_free(&r);
}

static void
cmd_threads(void)
{
	struct tr_cl_reply r;

	if (!call_show("threads", NULL, &r))
		return;
	printf("  Id   Target Id              Frame\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *t = tr_json_at(r.result, i);
		const char *fn = jstr(t, "function");

		printf("%c %-4zu Thread %-15" PRIu64 " 0x%016" PRIx64
		       " in %s ()\n", jbool(t, "current") ? '*' : ' ', i + 1,
		       jnum(t, "thread"), jnum(t, "pc"), fn ? fn : "??");
	}
	tr_cl_reply_free(&r);
}

static int eval_addr(const char *expr, uint64_t *addr);

/* print/FMT EXPR for integers: x d u o t c, as gdb formats them. */
static void
cmd_print_fmt(const char *fmt, const char *expr)
{
	char f = fmt[1];
	uint64_t v;

	if (!f || fmt[2] || !strchr("xduotc", f)) {
		printf("Undefined output format \"%s\" (print/x, /d, /u, /o, "
		       "/t or /c).\n", fmt + 1);
		g.failed = true;
		return;
	}
	if (eval_addr(expr, &v))
		return;
	printf("$%u = ", ++g.history);
	switch (f) {
	case 'x':
		printf("0x%" PRIx64 "\n", v);
		break;
	case 'd':
		printf("%" PRId64 "\n", (int64_t)v);
		break;
	case 'u':
		printf("%" PRIu64 "\n", v);
		break;
	case 'o':
		printf("0%" PRIo64 "\n", v);
		break;
	case 't': {
		int b = 63;

		while (b > 0 && !((v >> b) & 1))
			b--;
		for (; b >= 0; b--)
			putchar('0' + (int)((v >> b) & 1));
		putchar('\n');
		break;
	}
	case 'c':
		printf("%d '%c'\n", (int)(int8_t)v,
		       isprint((int)(v & 0xff)) ? (int)(v & 0xff) : '.');
		break;
	}
}

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
	if (call("eval", jparams("{\"expr\":%J}", e), &r) == 0) {
		v = jstr(r.result, "value");
		if (v) {
			*addr = strtoull(v, &end, 0);
			rc = end != v ? 0 : -1;
		}
		tr_cl_reply_free(&r);
	}
	free(e);
	return rc;
}

static int
read_mem(uint64_t addr, void *buf, size_t len, size_t *got)
{
	struct tr_cl_reply r;
	int err;

	err = tr_cl_call(g.cl, "read_memory",
			 jparams("{\"addr\":%u,\"length\":%u,"
				 "\"encoding\":\"binary\"}",
				 addr, (uint64_t)len),
			 buf, len, NULL, &r);
	if (err) {
		fprintf(stderr, "tracectl: read_memory: %s\n",
			tr_strerror(err));
		g.failed = true;
		return -1;
	}
	if (r.code) {
		printf("%s\n", r.message);
		g.failed = true;
		tr_cl_reply_free(&r);
		return -1;
	}
	*got = r.binary_len;
	tr_cl_reply_free(&r);
	return 0;
}

/* x/NFU ADDR, as gdb's examine command. */
static void
cmd_x(const char *fmtarg, const char *expr)
{
	static char last_fmt = 'x', last_unit = 'w';
	unsigned long count = 1;
	char fmt = last_fmt, unit = last_unit;
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
			else if (strchr("xduotcas", *p))
				fmt = *p;
			else {
				printf("Invalid format letter '%c' (x/NFU: "
				       "F one of x d u o t c a s, U one of "
				       "b h w g).\n", *p);
				g.failed = true;
				return;
			}
		}
	}
	if (!*expr) {
		printf("Argument required (starting display address).\n");
		g.failed = true;
		return;
	}
	if (count == 0 || count > 65536) {
		printf("Count must be between 1 and 65536.\n");
		g.failed = true;
		return;
	}
	if (fmt == 'c' && !strchr(fmtarg, 'b') && !strchr(fmtarg, 'h') &&
	    !strchr(fmtarg, 'w') && !strchr(fmtarg, 'g'))
		unit = 'b';
	if (fmt == 'a')
		unit = 'g';
	last_fmt = fmt;
	last_unit = unit;
	if (eval_addr(expr, &addr))
		return;
	if (fmt == 's') {
		for (unsigned long i = 0; i < count; i++) {
			char s[4096];
			size_t n = 0;

			if (read_mem(addr, s, sizeof(s) - 1, &got))
				return;
			while (n < got && s[n])
				n++;
			printf("0x%" PRIx64 ":\t\"%.*s\"\n", addr, (int)n, s);
			addr += n + 1;
		}
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
		g.failed = true;
		return;
	}
	if (!call_show("launch", b.data, &r))
		return;
	printf("Process %" PRIu64 " launched (session %" PRIu64 ").\n",
	       jnum(r.result, "pid"), jnum(r.result, "session"));
	tr_cl_set_session(g.cl, (uint32_t)jnum(r.result, "session"));
	if (!run)
		print_stop(tr_json_get(r.result, "stop"));
	tr_cl_reply_free(&r);
	if (run)
		cmd_run("continue", NULL);
}

static void
cmd_attach(const char *arg)
{
	struct tr_cl_reply r;

	if (!call_show("attach", jparams("{\"pid\":%u}",
					 (uint64_t)strtoull(arg, NULL, 10)),
		       &r))
		return;
	printf("Attaching to process %" PRIu64 " (session %" PRIu64 ", %"
	       PRIu64 " threads)\n", jnum(r.result, "pid"),
	       jnum(r.result, "session"), jnum(r.result, "threads"));
	tr_cl_set_session(g.cl, (uint32_t)jnum(r.result, "session"));
	print_stop(tr_json_get(r.result, "stop"));
	tr_cl_reply_free(&r);
}

static void
cmd_sessions(void)
{
	struct tr_cl_reply r;

	if (!call_show("sessions", NULL, &r))
		return;
	if (!tr_json_len(r.result))
		printf("No sessions.\n");
	for (size_t i = 0; i < tr_json_len(r.result); i++) {
		const struct tr_json *s = tr_json_at(r.result, i);

		printf("session %" PRIu64 ": process %" PRIu64 ", %s, %s %s\n",
		       jnum(s, "session"), jnum(s, "pid"), jstr(s, "state"),
		       jbool(s, "launched") ? "launched" : "attached",
		       jstr(s, "program") ? jstr(s, "program") : "");
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
	       name, jnum(s, "requests"), (double)jnum(l, "p50") / 1e3,
	       (double)jnum(l, "p90") / 1e3, (double)jnum(l, "p99") / 1e3,
	       jnum(s, "server_sleeps"), jnum(s, "client_sleeps"));
}

static void
cmd_stats(void)
{
	struct tr_cl_reply r;

	if (!call_show("stats", NULL, &r))
		return;
	printf("Dispatch statistics of session %" PRIu64
	       " (request slabs; latency is submit to completion):\n",
	       jnum(r.result, "session"));
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
		g.failed = true;
		return;
	}
	memcpy(method, arg, n);
	method[n] = 0;
	rest = arg + n;
	while (isspace((unsigned char)*rest))
		rest++;
	if (call(method, *rest ? strdup(rest) : NULL, &r) == 0) {
		print_json(r.result);
		tr_cl_reply_free(&r);
	}
}

static const char help_text[] =
	"Sessions:   launch PROG [ARGS]   run PROG [ARGS]   attach PID\n"
	"            detach   kill   sessions   session N   shutdown\n"
	"Breakpoints: break|b LOC [if COND]   tbreak LOC [if COND]\n"
	"            condition N [COND]   delete|d N   enable N   disable N\n"
	"            ignore N COUNT   info breakpoints\n"
	"            (LOC: FUNCTION, FILE:LINE, LIB:FUNCTION or *ADDRESS)\n"
	"Running:    continue|c [SIGNAL]   step|s   next|n   finish\n"
	"            stepi|si   interrupt (or ^C while it runs)\n"
	"Stack:      bt|backtrace [N]   frame|f [N]   up [N]   down [N]\n"
	"            info locals   info args   info frame\n"
	"Data:       print|p|eval EXPR   print/x EXPR   call EXPR\n"
	"            whatis EXPR   set var EXPR\n"
	"            x/NFU ADDR   info registers [REG]   info threads\n"
	"            thread TID\n"
	"Symbols:    info symbol ADDR   info address NAME\n"
	"            info functions [SUBSTRING]\n"
	"Other:      stats   rpc METHOD [JSON]   help   quit\n";

static pid_t cur_thread;

/* Run one command line. Returns false for quit. */
static bool
run_command(char *line)
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
		    !strcmp(cmd, "output")) {
			cmd_print_fmt(fmt, sp);
			return true;
		}
		if (strcmp(cmd, "x")) {
			printf("Undefined command: \"%s\".  Try \"help\".\n",
			       cmd);
			g.failed = true;
			return true;
		}
		cmd_x(fmt, sp);
		return true;
	}
	if (*arg)
		*arg++ = 0;
	while (isspace((unsigned char)*arg))
		arg++;

#define IS(a) (!strcmp(cmd, a))
	if (IS("quit") || IS("q") || IS("exit"))
		return false;
	else if (IS("help") || IS("h"))
		fputs(help_text, stdout);
	else if (IS("launch"))
		cmd_launch(arg, false);
	else if (IS("run") || IS("r"))
		cmd_launch(arg, true);
	else if (IS("attach"))
		cmd_attach(arg);
	else if (IS("detach"))
		cmd_simple("detach", NULL);
	else if (IS("kill") || IS("k"))
		cmd_simple("kill", NULL);
	else if (IS("sessions") || (IS("info") && !strcmp(arg, "sessions")))
		cmd_sessions();
	else if (IS("session"))
		tr_cl_set_session(g.cl, (uint32_t)strtoul(arg, NULL, 10));
	else if (IS("shutdown"))
		cmd_simple("shutdown", NULL);
	else if (IS("break") || IS("b") || IS("br"))
		cmd_break(arg, false);
	else if (IS("tbreak"))
		cmd_break(arg, true);
	else if (IS("condition")) {
		unsigned long id = strtoul(arg, &arg, 10);

		while (isspace((unsigned char)*arg))
			arg++;
		cmd_simple("condition",
			   jparams("{\"id\":%u,\"condition\":%J}",
				   (uint64_t)id, arg));
	} else if (IS("delete") || IS("d"))
		cmd_simple("delete", jparams("{\"id\":%u}",
					     (uint64_t)strtoull(arg, NULL,
								10)));
	else if (IS("enable") || IS("disable"))
		cmd_simple("enable",
			   jparams(IS("enable") ? "{\"id\":%u}"
						: "{\"id\":%u,\"enabled\":false}",
				   (uint64_t)strtoull(arg, NULL, 10)));
	else if (IS("ignore")) {
		unsigned long id = strtoul(arg, &arg, 10);
		unsigned long cnt = strtoul(arg, NULL, 10);

		cmd_simple("ignore", jparams("{\"id\":%u,\"count\":%u}",
					     (uint64_t)id, (uint64_t)cnt));
	} else if (IS("continue") || IS("c") || IS("cont"))
		cmd_run("continue", arg);
	else if (IS("step") || IS("s"))
		cmd_run("step", NULL);
	else if (IS("next") || IS("n"))
		cmd_run("next", NULL);
	else if (IS("finish") || IS("fin"))
		cmd_run("finish", NULL);
	else if (IS("stepi") || IS("si"))
		cmd_run("stepi", NULL);
	else if (IS("interrupt"))
		cmd_simple("interrupt", NULL);
	else if (IS("print") || IS("p") || IS("output") || IS("eval"))
		cmd_print(arg, false);
	else if (IS("call"))
		cmd_print(arg, true);
	else if (IS("whatis") || IS("ptype")) {
		struct tr_cl_reply r;

		if (call_show("whatis", jparams("{\"expr\":%J}", arg), &r)) {
			printf("type = %s\n", jstr(r.result, "type"));
			tr_cl_reply_free(&r);
		}
	} else if (IS("set")) {
		if (!strncmp(arg, "var ", 4))
			arg += 4;
		else if (!strncmp(arg, "variable ", 9))
			arg += 9;
		{
			struct tr_cl_reply r;

			if (call_show("eval", jparams("{\"expr\":%J}", arg),
				      &r))
				tr_cl_reply_free(&r);
		}
	} else if (IS("x"))
		cmd_x("", arg);
	else if (IS("bt") || IS("backtrace") || IS("where"))
		cmd_bt(arg);
	else if (IS("frame") || IS("f"))
		cmd_frame(*arg ? strtol(arg, NULL, 10) : (long)cur_frame);
	else if (IS("up"))
		cmd_frame((long)cur_frame + (*arg ? strtol(arg, NULL, 10) : 1));
	else if (IS("down"))
		cmd_frame((long)cur_frame - (*arg ? strtol(arg, NULL, 10) : 1));
	else if (IS("thread")) {
		cur_thread = (pid_t)strtol(arg, NULL, 10);
		cmd_simple("frame", jparams("{\"level\":0,\"thread\":%u}",
					    (uint64_t)cur_thread));
		printf("[Switching to thread %d]\n", (int)cur_thread);
	} else if (IS("info") || IS("i")) {
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
			cmd_registers(rest);
		else if (!strcmp(what, "threads"))
			cmd_threads();
		else if (!strcmp(what, "breakpoints") || !strcmp(what, "b") ||
			 !strcmp(what, "break"))
			cmd_info_breakpoints();
		else if (!strcmp(what, "frame"))
			cmd_frame((long)cur_frame);
		else if (!strcmp(what, "symbol")) {
			uint64_t a;
			struct tr_cl_reply r;

			if (eval_addr(rest, &a) == 0 &&
			    call_show("symbol_at", jparams("{\"addr\":%u}", a),
				      &r)) {
				printf("%s + %" PRIu64 " in %s\n",
				       jstr(r.result, "function")
					       ? jstr(r.result, "function")
					       : "??",
				       jnum(r.result, "offset"),
				       jstr(r.result, "module"));
				tr_cl_reply_free(&r);
			}
		} else if (!strcmp(what, "address")) {
			struct tr_cl_reply r;

			if (call_show("lookup_symbol",
				      jparams("{\"name\":%J}", rest), &r)) {
				printf("Symbol \"%s\" is at 0x%" PRIx64
				       " (%s in %s).\n", rest,
				       jnum(r.result, "addr"),
				       jstr(r.result, "kind"),
				       jstr(r.result, "module"));
				tr_cl_reply_free(&r);
			}
		} else if (!strcmp(what, "functions")) {
			struct tr_cl_reply r;
			const struct tr_json *fs;

			if (call_show("functions",
				      *rest ? jparams("{\"match\":%J}", rest)
					    : NULL,
				      &r)) {
				fs = tr_json_get(r.result, "functions");
				for (size_t i = 0; i < tr_json_len(fs); i++) {
					const struct tr_json *f =
						tr_json_at(fs, i);

					printf("0x%016" PRIx64 "  %s  (%s)\n",
					       jnum(f, "addr"),
					       jstr(f, "name"),
					       jstr(f, "module"));
				}
				if (jbool(r.result, "more"))
					printf("(more: narrow the search)\n");
				tr_cl_reply_free(&r);
			}
		} else {
			printf("Undefined info command: \"%s\".  Try "
			       "\"help\".\n", what);
			g.failed = true;
		}
	} else if (IS("stats"))
		cmd_stats();
	else if (IS("rpc"))
		cmd_rpc(arg);
	else {
		printf("Undefined command: \"%s\".  Try \"help\".\n", cmd);
		g.failed = true;
	}
#undef IS
	fflush(stdout);
	return true;
}

/* ---- the REPL ----------------------------------------------------------- */

static bool repl_quit;

static void
on_line(char *line)
{
	if (!line) {
		printf("quit\n");
		repl_quit = true;
		return;
	}
	/* libedit draws the next prompt when the handler returns; out of
	 * readline while the command prints, back in after it */
	rl_callback_handler_remove();
	if (*line)
		add_history(line);
	g.in_readline = false;
	if (!run_command(line))
		repl_quit = true;
	free(line);
	if (!repl_quit) {
		g.in_readline = true;
		rl_callback_handler_install("(tracectl) ", on_line);
	}
}

static void
on_sigint(int sig)
{
	(void)sig;
	g.sigint = 1;
}

static void
repl_tty(void)
{
	char hist[4096];
	const char *home = getenv("HOME");

	hist[0] = 0;
	if (home) {
		snprintf(hist, sizeof(hist), "%s/.tracectl_history", home);
		read_history(hist);
	}
	rl_callback_handler_install("(tracectl) ", on_line);
	g.in_readline = true;
	while (!repl_quit) {
		struct pollfd p[2] = {
			{ .fd = 0, .events = POLLIN },
			{ .fd = tr_cl_fd(g.cl), .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR) {
				g.sigint = 0;
				continue;
			}
			break;
		}
		if (p[1].revents) {
			if (tr_cl_poll_notifications(g.cl) < 0) {
				fprintf(stderr, "\ntracectl: tracerd hung "
					"up\n");
				g.failed = true;
				break;
			}
		}
		if (p[0].revents)
			rl_callback_read_char();
	}
	if (g.in_readline)
		rl_callback_handler_remove();
	if (hist[0])
		write_history(hist);
}

static void
repl_pipe(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\n")] = 0;
		if (g.echo && line[0] && line[0] != '#')
			printf("(tracectl) %s\n", line);
		else if (g.echo && line[0] == '#')
			printf("%s\n", line);
		fflush(stdout);
		if (!run_command(line))
			break;
		if (tr_cl_poll_notifications(g.cl) < 0)
			break;
	}
	free(line);
}

/* --raw: bytes of stdin to the socket as they are, replies to stdout. */
static int
raw_mode(void)
{
	char buf[65536];
	bool in_open = true;
	int fd = tr_cl_fd(g.cl);

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = 0, .events = POLLIN } };
		int k = poll(p, in_open ? 2 : 1, in_open ? -1 : 500);
		ssize_t n;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0; /* stdin done and the server quiet */
		if (p[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			fwrite(buf, 1, (size_t)n, stdout);
			fflush(stdout);
		}
		if (in_open && p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				in_open = false;
				continue;
			}
			if (tr_cl_send_raw(g.cl, buf, (size_t)n))
				return 1;
		}
	}
}

static void
usage(FILE *f)
{
	fputs("usage: tracectl [OPTIONS] [COMMAND [ARGS...]]\n"
	      "\n"
	      "The client of tracerd. With a COMMAND, runs it and exits;\n"
	      "without, reads commands (gdb-like; \"help\" lists them) from\n"
	      "the terminal with line editing and history, or from stdin.\n"
	      "\n"
	      "  -s, --socket PATH    tracerd's Unix socket (default as\n"
	      "                       tracerd's: $TRACERD_SOCKET, ...)\n"
	      "  -c, --connect HOST:PORT\n"
	      "                       a TCP listener instead\n"
	      "  --token-file FILE    the token a TCP listener asks for\n"
	      "  -S, --session N      the session commands are about\n"
	      "                       (default: the only one)\n"
	      "  --json               print results and events as JSON\n"
	      "  --echo               echo commands read from stdin\n"
	      "  --raw                copy stdin to the socket and the\n"
	      "                       socket to stdout, unparsed\n"
	      "  -h, --help, -V, --version\n"
	      "\n"
	      "Exit status: 0 if every command succeeded, 1 if one failed,\n"
	      "2 for a bad command line.\n",
	      f);
}

int
main(int argc, char **argv)
{
	enum { O_TOKEN = 256, O_JSON, O_ECHO, O_RAW };
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "connect", required_argument, NULL, 'c' },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "session", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, O_JSON },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "raw", no_argument, NULL, O_RAW },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *tcp = NULL, *token_file = NULL;
	char where[256], token[256], why[512];
	unsigned long sid = 0;
	bool raw = false;
	struct sigaction sa = { .sa_handler = on_sigint };
	int c, err;

	while ((c = getopt_long(argc, argv, "+s:c:S:hV", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			tcp = optarg;
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case 'S':
			sid = strtoul(optarg, NULL, 10);
			break;
		case O_JSON:
			g.json = true;
			break;
		case O_ECHO:
			g.echo = true;
			break;
		case O_RAW:
			raw = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tracectl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (tcp)
		snprintf(where, sizeof(where), "tcp:%s", tcp);
	else if (sock)
		snprintf(where, sizeof(where), "unix:%s", sock);
	if (token_file) {
		err = tr_ep_read_token(token_file, token,
					      sizeof(token));
		if (err) {
			fprintf(stderr, "tracectl: --token-file %s: %s\n",
				token_file, tr_strerror(err));
			return 2;
		}
	}
	err = tr_cl_connect(tcp || sock ? where : NULL,
			    token_file ? token : NULL, &g.cl, why,
			    sizeof(why));
	if (err) {
		fprintf(stderr, "tracectl: %s\n", why);
		return 1;
	}
	tr_cl_set_notify(g.cl, on_notify, NULL);
	if (sid)
		tr_cl_set_session(g.cl, (uint32_t)sid);
	sigaction(SIGINT, &sa, NULL);
	if (raw) {
		err = raw_mode();
	} else if (optind < argc) {
		/* one command: its words joined */
		size_t len = 1;
		char *line;

		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		line = calloc(1, len);
		for (int i = optind; i < argc; i++) {
			strcat(line, argv[i]);
			if (i + 1 < argc)
				strcat(line, " ");
		}
		run_command(line);
		free(line);
		err = g.failed;
	} else if (isatty(0)) {
		repl_tty();
		err = 0;
	} else {
		repl_pipe();
		err = g.failed;
	}
	tr_cl_free(g.cl);
	return err ? 1 : 0;
}
