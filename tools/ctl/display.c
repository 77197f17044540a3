/* display.c: tracectl's display, display/FMT, undisplay and info display, as gdb's: the session keeps the expressions (JSON-RPC display, undisplay, displays); they are shown after each stop this client prints. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/tracectl.h"

/* A display format is x's (x/FMT EXPR) when it has a count or size, or
 * is i or s; else print's (/FMT EXPR = VALUE). */
static bool
x_style(const char *f)
{
	return f[strcspn(f, "0123456789bhwgis")] != 0;
}

/* gdb's info display column: x's formats as /COUNT SIZE LETTER */
static void
norm_format(const char *f, char *out, size_t len)
{
	unsigned long count = 1;
	char letter = 'x', size = 0;

	if (!x_style(f)) {
		snprintf(out, len, "/%s ", f);
		return;
	}
	if (isdigit((unsigned char)*f))
		count = strtoul(f, (char **)&f, 10);
	for (; *f; f++)
		if (strchr("bhwg", *f))
			size = *f;
		else
			letter = *f;
	if (letter == 'i' || letter == 's')
		size = 'b';
	else if (letter == 'a')
		size = 'g';
	else if (!size)
		size = 'w';
	snprintf(out, len, "/%lu%c%c ", count, size, letter);
}

/* One display shown as gdb's: false when it cannot be evaluated here
 * (a name not in scope: gdb shows a display only where its block is). */
static void
show_one(const struct tr_json *d)
{
	const char *expr = tc_jstr(d, "expr"), *fmt = tc_jstr(d, "format");
	uint64_t num = tc_jnum(d, "number");
	struct tr_cl_reply r;
	char fs[2] = { 0, 0 };
	char *p;
	int err;

	if (!expr || !tc_jbool(d, "enabled"))
		return;
	if (!fmt)
		fmt = "";
	if (x_style(fmt)) {
		char xf[64];
		unsigned long count = 1;
		const char *f = fmt;

		/* gdb: a single unit on the same line, else below */
		if (isdigit((unsigned char)*f))
			count = strtoul(f, (char **)&f, 10);
		printf("%" PRIu64 ": x/%s %s%s", num, fmt, expr,
		       count != 1 || strchr(fmt, 'i') ? "\n" : "  ");
		snprintf(xf, sizeof(xf), "/%s", fmt);
		fflush(stdout);
		tc_cmd_x(xf, expr);
		return;
	}
	fs[0] = fmt[0];
	p = fmt[0] ? tc_jparams("{\"expr\":%J,\"format\":%J}", expr, fs)
		   : tc_jparams("{\"expr\":%J}", expr);
	err = tr_cl_call(tc.cl, "eval", p, NULL, 0, &tc.sigint, &r);
	free(p);
	if (err)
		return;
	if (r.code) {
		/* out of its scope: not shown, as gdb */
		if (!strstr(r.message, "No symbol") &&
		    !strstr(r.message, "not being run"))
			printf("%" PRIu64 ": %s%s%s = <error: %s>\n", num,
			       fmt[0] ? "/" : "", fmt, expr, r.message);
	} else {
		printf("%" PRIu64 ": %s%s%s%s = %s\n", num, fmt[0] ? "/" : "",
		       fmt, fmt[0] ? " " : "", expr,
		       tc_str(tc_jstr(r.result, "value")));
	}
	tr_cl_reply_free(&r);
}

/* The displays, after a stop this client printed (tc.display_due). */
void
tc_display_flush(void)
{
	struct tr_cl_reply r;

	if (!tc.display_due || tc.json)
		return;
	tc.display_due = false;
	if (tr_cl_call(tc.cl, "displays", NULL, NULL, 0, &tc.sigint, &r))
		return;
	for (size_t i = 0; !r.code && i < tr_json_len(r.result); i++)
		show_one(tr_json_at(r.result, i));
	tr_cl_reply_free(&r);
	fflush(stdout);
}

/* display[/FMT] [EXPR]: without EXPR, every display now */
void
tc_cmd_display(const char *fmtarg, const char *expr)
{
	struct tr_cl_reply r;
	const char *fmt = fmtarg && *fmtarg == '/' ? fmtarg + 1 : "";

	if (!*expr) {
		tc.display_due = true;
		tc_display_flush();
		return;
	}
	if (strspn(fmt, "0123456789xduotacfsizbhwg") != strlen(fmt)) {
		printf("Undefined output format \"%s\".\n", fmt);
		tc.failed = true;
		return;
	}
	/* gdb parses it where the program is: an unknown name is an error
	 * and makes no display (nothing to parse once it exited) */
	if (!x_style(fmt) &&
	    tr_cl_call(tc.cl, "whatis", tc_jparams("{\"expr\":%J}", expr),
		       NULL, 0, &tc.sigint, &r) == 0) {
		bool bad = r.code && !strstr(r.message, "not being run");

		if (bad) {
			printf("%s\n", r.message);
			tc.failed = true;
		}
		tr_cl_reply_free(&r);
		if (bad)
			return;
	}
	if (!tc_call_show("display", tc_jparams("{\"expr\":%J,\"format\":%J}",
						expr, fmt), &r))
		return;
	/* gdb shows it at once when typed at a terminal (from_tty), not
	 * in a script */
	if (!tc.script) {
		struct tr_cl_reply s;

		if (tr_cl_call(tc.cl, "state", NULL, NULL, 0, &tc.sigint, &s) ==
		    0) {
			const char *st = tc_jstr(s.result, "state");

			if (!s.code && st && !strcmp(st, "stopped"))
				show_one(r.result);
			tr_cl_reply_free(&s);
		}
	}
	tr_cl_reply_free(&r);
}

/* undisplay [N...], delete display [N...] */
void
tc_cmd_undisplay(const char *arg)
{
	struct tr_cl_reply r;
	const char *p = arg;

	if (!*p) {
		/* gdb asks first at a terminal; a script's answer is yes */
		if (tc_call_show("undisplay", NULL, &r))
			tr_cl_reply_free(&r);
		return;
	}
	while (*p) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);

		if (end == p || (*end && !isspace((unsigned char)*end))) {
			printf("Arguments must be display numbers.\n");
			tc.failed = true;
			return;
		}
		if (tc_call_show("undisplay",
				 tc_jparams("{\"number\":%u}", (uint64_t)n), &r))
			tr_cl_reply_free(&r);
		p = end;
		while (isspace((unsigned char)*p))
			p++;
	}
}

void
tc_cmd_info_display(void)
{
	struct tr_cl_reply r;

	if (!tc_call_show("displays", NULL, &r))
		return;
	if (!tr_json_len(r.result)) {
		printf("There are no auto-display expressions now.\n");
	} else {
		printf("Auto-display expressions now in effect:\n"
		       "Num Enb Expression\n");
		for (size_t i = 0; i < tr_json_len(r.result); i++) {
			const struct tr_json *d = tr_json_at(r.result, i);
			const char *f = tc_jstr(d, "format");
			char nf[64] = "";

			if (f && *f)
				norm_format(f, nf, sizeof(nf));
			struct tr_cl_reply w;
			bool out = false;

			/* gdb's note on one whose names are not here */
			if (tr_cl_call(tc.cl, "whatis",
				       tc_jparams("{\"expr\":%J}",
						  tc_str(tc_jstr(d, "expr"))),
				       NULL, 0, &tc.sigint, &w) == 0) {
				out = w.code && strstr(w.message, "No symbol");
				tr_cl_reply_free(&w);
			}
			printf("%" PRIu64 ":   %c  %s%s%s\n", tc_jnum(d, "number"),
			       tc_jbool(d, "enabled") ? 'y' : 'n', nf,
			       tc_str(tc_jstr(d, "expr")),
			       out ? " (cannot be evaluated in the current "
				     "context)" : "");
		}
	}
	tr_cl_reply_free(&r);
}
