/* output.c: tracectl's output: JSON results read, frames and stops printed as gdb prints them. */
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

/* ---- output helpers ----------------------------------------------------- */

const char *
tc_watch_title(const char *kind, bool hw)
{
	bool rd = !strcmp(kind, "read"), acc = !strcmp(kind, "access");

	if (hw)
		return rd ? "Hardware read watchpoint"
		     : acc ? "Hardware access (read/write) watchpoint"
			   : "Hardware watchpoint";
	return rd ? "Read watchpoint" : acc ? "Access watchpoint" : "Watchpoint";
}

const char *
tc_jstr(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;

	return v ? tr_json_str(v, NULL) : NULL;
}

uint64_t
tc_jnum(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;
	uint64_t u = 0;
	int64_t i;

	if (v && tr_json_uint64(v, &u) && tr_json_int64(v, &i) == 0)
		u = (uint64_t)i;
	return u;
}

/* for printing: "" where a member is missing or null */
const char *
tc_str(const char *s)
{
	static const char empty[] = "";

	return s ? s : empty;
}

bool
tc_jbool(const struct tr_json *o, const char *key)
{
	const struct tr_json *v = o ? tr_json_get(o, key) : NULL;
	bool b = false;

	if (v)
		tr_json_bool(v, &b);
	return b;
}

void
tc_print_json(const struct tr_json *v)
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

const char *
tc_base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/* "compute (x=4, y=2)" */
static void
print_func_args(const struct tr_json *f)
{
	const struct tr_json *args = tr_json_get(f, "args");
	const char *fn = tc_jstr(f, "function");

	printf("%s (", fn ? fn : "??");
	for (size_t i = 0; args && i < tr_json_len(args); i++) {
		const struct tr_json *a = tr_json_at(args, i);
		const char *name = tc_jstr(a, "name");
		const char *value = tc_jstr(a, "value");
		const char *entry = tc_jstr(a, "entry_value");

		/* gdb (print entry-values default): x=x@entry=1 when
		 * equal, x=<optimized out>, x@entry=1 for an unknown x */
		if (entry && value && !strcmp(value, "<optimized out>"))
			printf("%s%s=%s, %s@entry=%s", i ? ", " : "", name,
			       value, name, entry);
		else if (entry)
			printf("%s%s=%s@entry=%s", i ? ", " : "", name, name,
			       entry);
		else
			printf("%s%s=%s", i ? ", " : "", name, value);
	}
	printf(")");
}

/* A frame as gdb's backtrace shows it. */
void
tc_print_frame_line(const struct tr_json *f, bool with_level, bool force_addr)
{
	const char *file = tc_jstr(f, "file");
	uint64_t level = tc_jnum(f, "level");

	if (with_level)
		printf("#%-3" PRIu64, level);
	/* a frame that an inlined call sits in: its pc is the callee's,
	 * and gdb shows none */
	if (tc_jbool(f, "inline_caller"))
		force_addr = false;
	if (force_addr || !file)
		printf("0x%016" PRIx64 " in ", tc_jnum(f, "pc"));
	print_func_args(f);
	if (file)
		printf(" at %s:%" PRIu64, tc_base_name(file), tc_jnum(f, "line"));
	else if (tc_jstr(f, "module"))
		printf(" from %s", tc_jstr(f, "module"));
	printf("\n");
}

void
tc_print_source(const struct tr_json *f)
{
	const char *src = tc_jstr(f, "source");
	const char *file = tc_jstr(f, "file");
	const struct tr_json *sj = tr_json_get(f, "source");

	tc_list_center(tc_jstr(f, "file"), (uint32_t)tc_jnum(f, "line"));
	if (src && tc_jnum(f, "line"))
		printf("%" PRIu64 "\t%s\n", tc_jnum(f, "line"), src);
	else if (sj && !src && file && tc_jnum(f, "line"))
		/* the source is not here (libc's, say), in gdb's words */
		printf("%" PRIu64 "\t%s: No such file or directory.\n",
		       tc_jnum(f, "line"), file);
}

/* A stop, as gdb prints it. */
void
tc_print_stop(const struct tr_json *st)
{
	const char *ev = tc_jstr(st, "event");
	const char *reason = tc_jstr(st, "reason");
	const struct tr_json *f = tr_json_get(st, "frame");
	const char *fn = f ? tc_jstr(f, "function") : NULL;
	bool new_func, mid;

	/* signals passed on before the stop, that print (gdb's handle) */
	{
		const struct tr_json *seen = tr_json_get(st, "signals_seen");

		for (size_t i = 0; i < tr_json_len(seen); i++)
			printf("\nProgram received signal %s, %s.\n",
			       tc_str(tc_jstr(tr_json_at(seen, i), "signal")),
			       tc_str(tc_jstr(tr_json_at(seen, i),
					      "description")));
	}
	if (!ev)
		return;
	if (!strcmp(ev, "exit")) {
		uint64_t code = tc_jnum(st, "exit_code");

		/* gdb's inferior is 1 whatever the session (a rerun's too) */
		if (code)
			printf("[Inferior 1 (process %" PRIu64 ") exited with "
			       "code %02" PRIo64 "]\n", tc_jnum(st, "pid"), code);
		else
			printf("[Inferior 1 (process %" PRIu64 ") exited "
			       "normally]\n", tc_jnum(st, "pid"));
		tc.last_func[0] = 0;
		return;
	}
	if (!strcmp(ev, "killed")) {
		if (tc.killing)
			return; /* kill says it its own way */
		if (tc_jstr(st, "description"))
			printf("\nProgram terminated with signal %s, %s.\n"
			       "The program no longer exists.\n",
			       tc_jstr(st, "signal"), tc_jstr(st, "description"));
		else
			printf("\nProgram terminated with signal %s.\n",
			       tc_jstr(st, "signal"));
		tc.last_func[0] = 0;
		return;
	}
	if (strcmp(ev, "stop") || !reason || !f)
		return;
	tc.frame = 0;
	tc.thread = 0;
	tc.display_due = true;
	tc.last_bp = !strcmp(reason, "breakpoint")
			     ? (uint32_t)tc_jnum(st, "breakpoint") : 0;
	new_func = (!fn || strcmp(fn, tc.last_func)) &&
		   !tc_jbool(st, "step_frame");
	snprintf(tc.last_func, sizeof(tc.last_func), "%s", fn ? fn : "");
	mid = tc_jbool(f, "mid_line");
	if (!strcmp(reason, "breakpoint")) {
		printf("\n%s %" PRIu64,
		       tc_jbool(st, "temporary") ? "Temporary breakpoint"
						 : "Breakpoint",
		       tc_jnum(st, "breakpoint"));
		/* one of several locations: gdb's "Breakpoint 1.2, " */
		if (tc_jnum(st, "location"))
			printf(".%" PRIu64, tc_jnum(st, "location"));
		printf(", ");
		tc_print_frame_line(f, false, mid);
	} else if (!strcmp(reason, "watchpoint")) {
		const char *kind = tc_jstr(st, "kind");
		const char *expr = tc_jstr(st, "expr");

		printf("\n%s %" PRIu64 ": %s\n\n",
		       tc_watch_title(kind ? kind : "write",
				      tc_jbool(st, "hardware")),
		       tc_jnum(st, "watchpoint"), expr ? expr : "");
		if (tc_jstr(st, "value"))
			printf("Value = %s\n", tc_jstr(st, "value"));
		else
			printf("Old value = %s\nNew value = %s\n",
			       tc_jstr(st, "old") ? tc_jstr(st, "old") : "",
			       tc_jstr(st, "new") ? tc_jstr(st, "new") : "");
		tc_print_frame_line(f, false, mid);
	} else if (!strcmp(reason, "watchpoint-scope")) {
		const char *msg = tc_jstr(st, "message");

		printf("\n%s\n", msg ? msg : "Watchpoint deleted.");
		tc_print_frame_line(f, false, mid);
	} else if (!strcmp(reason, "signal")) {
		printf("\nProgram received signal %s, %s.\n",
		       tc_jstr(st, "signal"), tc_jstr(st, "description"));
		tc_print_frame_line(f, false, true);
	} else if (!strcmp(reason, "interrupt")) {
		printf("\nProgram stopped.\n");
		tc_print_frame_line(f, false, true);
	} else if (!strcmp(reason, "fork") || !strcmp(reason, "vfork")) {
		printf("\nCatchpoint (%sed process %" PRIu64 "), ", reason,
		       tc_jnum(st, "child"));
		tc_print_frame_line(f, false, true);
	} else if (!strcmp(reason, "exec")) {
		printf("Stopped at the program's first instruction, "
		       "0x%016" PRIx64 ".\n", tc_jnum(f, "pc"));
		return;
	} else if (!strcmp(reason, "attach")) {
		tc_print_frame_line(f, false, true);
	} else if (!strcmp(reason, "finish") || new_func ||
		   tc.frame_line_next ||
		   !tc_jstr(f, "source")) {
		tc_print_frame_line(f, false, !tc_jstr(f, "file") || mid);
	} else if (mid && tc_jstr(f, "source")) {
		/* the source line alone, in the middle of it (stepi): gdb
		 * puts the address before it */
		printf("0x%016" PRIx64 "\t", tc_jnum(f, "pc"));
	}
	tc_print_source(f);
}

void
tc_on_notify(const char *method, const struct tr_json *params, void *arg)
{
	(void)arg;
	if (tc.in_readline) {
		/* a stop of another client's doing: print it above the
		 * prompt and draw the line again */
		printf("\n");
	}
	tc_term_sync();
	if (tc.json) {
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
	} else if (!strcmp(method, "exited") && tc.rerun_of &&
		   tc_jnum(params, "session") == tc.rerun_of) {
		/* the program a run kills to start again: no news */
	} else if (!strcmp(method, "stopped") || !strcmp(method, "exited")) {
		tc_print_stop(tr_json_get(params, "stop"));
	} else if (!strcmp(method, "session_ended") &&
		   (tc_jnum(params, "session") == tc.rerun_of || tc.killing)) {
		/* the session a run replaces: its end is no news */
	} else if (!strcmp(method, "session_ended")) {
		printf("[session %" PRIu64 " %s]\n", tc_jnum(params, "session"),
		       tc_jstr(params, "how"));
	}
	fflush(stdout);
	if (tc.in_readline)
		rl_forced_update_display();
}
