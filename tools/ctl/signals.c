/* signals.c: tracectl's signal commands as gdb's: handle, info signals, signal SIG, continue N (an ignore count). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "json.h"
#include "ctl/tracectl.h"

static const char sig_header[] =
	"Signal        Stop\tPrint\tPass to program\tDescription\n";

static void
print_sig_row(const struct tr_json *s)
{
	printf("%-13s %s\t%s\t%s\t\t%s\n", tc_jstr(s, "signal"),
	       tc_jbool(s, "stop") ? "Yes" : "No",
	       tc_jbool(s, "print") ? "Yes" : "No",
	       tc_jbool(s, "pass") ? "Yes" : "No", tc_jstr(s, "description"));
}

/* info signals [SIG], info handle */
void
tc_cmd_info_signals(const char *arg)
{
	struct tr_cl_reply r;
	const struct tr_json *sigs;

	if (!tc_call_show("signals", *arg ? tc_jparams("{\"signal\":%J}", arg)
					  : NULL,
			  &r))
		return;
	sigs = tr_json_get(r.result, "signals");
	printf("%s", sig_header);
	if (!*arg)
		printf("\n");
	for (size_t i = 0; i < tr_json_len(sigs); i++)
		print_sig_row(tr_json_at(sigs, i));
	if (!*arg)
		printf("\nUse the \"handle\" command to change these "
		       "tables.\n");
	tr_cl_reply_free(&r);
}

/* handle SIG... [stop|nostop|print|noprint|pass|nopass|ignore|noignore]... */
void
tc_cmd_handle(char *arg)
{
	char *words[64];
	size_t nw = 0;
	int stop = -1, print = -1, pass = -1;
	char *save = NULL;
	bool any = false;

	for (char *t = strtok_r(arg, " \t", &save); t && nw < 64;
	     t = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(t, "stop"))
			stop = 1;
		else if (!strcmp(t, "nostop"))
			stop = 0;
		else if (!strcmp(t, "print"))
			print = 1;
		else if (!strcmp(t, "noprint"))
			print = 0;
		else if (!strcmp(t, "pass") || !strcmp(t, "noignore"))
			pass = 1;
		else if (!strcmp(t, "nopass") || !strcmp(t, "ignore"))
			pass = 0;
		else
			words[nw++] = t;
	}
	if (!nw) {
		printf("Argument required (signal to handle).\n");
		tc.failed = true;
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		struct tr_cl_reply r;
		struct tr_buf b;
		struct tr_jw w;

		tr_buf_init(&b);
		tr_jw_init(&w, &b);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "signal");
		tr_jw_cstr(&w, words[i]);
		if (stop >= 0) {
			tr_jw_key(&w, "stop");
			tr_jw_bool(&w, stop);
		}
		if (print >= 0) {
			tr_jw_key(&w, "print");
			tr_jw_bool(&w, print);
		}
		if (pass >= 0) {
			tr_jw_key(&w, "pass");
			tr_jw_bool(&w, pass);
		}
		tr_jw_obj_end(&w);
		tr_buf_append(&b, "", 1);
		if (!tc_call_show("handle", b.data, &r))
			return;
		if (!any)
			printf("%s", sig_header);
		any = true;
		print_sig_row(r.result);
		tr_cl_reply_free(&r);
	}
}

/* signal SIG: resume with it; signal 0: with none */
void
tc_cmd_signal(const char *arg)
{
	struct tr_cl_reply r;

	if (!*arg) {
		printf("Argument required (signal number).\n");
		tc.failed = true;
		return;
	}
	/* gdb checks there is a program first */
	if (tc_call("state", NULL, &r))
		return;
	if (tc_jstr(r.result, "state") &&
	    !strcmp(tc_jstr(r.result, "state"), "exited")) {
		printf("The program is not being run.\n");
		tc.failed = true;
		tr_cl_reply_free(&r);
		return;
	}
	tr_cl_reply_free(&r);
	if (!strcmp(arg, "0")) {
		printf("Continuing with no signal.\n");
	} else {
		struct tr_cl_reply s;
		const struct tr_json *sigs;

		/* the name as gdb says it, and an unknown one refused */
		if (tc_call("signals", tc_jparams("{\"signal\":%J}", arg), &s))
			return;
		sigs = tr_json_get(s.result, "signals");
		printf("Continuing with signal %s.\n",
		       tc_str(tc_jstr(tr_json_at(sigs, 0), "signal")));
		tr_cl_reply_free(&s);
	}
	fflush(stdout);
	if (tc_call_show("continue", tc_jparams("{\"signal\":%J}", arg), &r))
		tr_cl_reply_free(&r);
}

/* continue N: ignore the breakpoint stopped at N-1 more times */
bool
tc_continue_count(const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	struct tr_cl_reply r;

	if (!*arg || *end || !isdigit((unsigned char)*arg))
		return false;
	if (!tc.last_bp) {
		printf("Not stopped at any breakpoint; argument ignored.\n");
		return true;
	}
	if (n > 1) {
		if (tc_call("ignore", tc_jparams("{\"id\":%u,\"count\":%u}",
					       (uint64_t)tc.last_bp,
					       (uint64_t)(n - 1)),
			     &r))
			return true;
		tr_cl_reply_free(&r);
	}
	printf("Will ignore next %lu crossings of breakpoint %u.  "
	       "Continuing.\n", n - 1, tc.last_bp);
	return true;
}
