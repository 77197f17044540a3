/* running.c: tracectl's run and start (a rerun keeps the breakpoints, as gdb's run after the program exited), until, advance and jump. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/tracectl.h"

/* Two program paths name the same file. */
static bool
same_program(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!strcmp(a, b))
		return true;
	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* A word names a program to run (else it is an argument, gdb's run
 * ARGS): a file that can be executed, here or in PATH. */
static bool
is_program(const char *w)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(w, '/') || !access(w, X_OK))
		return !access(w, X_OK);
	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, w);
		if (!access(buf, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/*
 * The session a run reruns: with no program named, this client's
 * session, else the only one; with one named, a session of that program
 * (this client's first). 0: none (a new launch); -1 after an error.
 */
static long
rerun_target(const char *prog)
{
	struct tr_cl_reply r;
	long found = 0, live = 0;
	unsigned nlive = 0;
	size_t n;

	if (tc_call("sessions", NULL, &r))
		return -1;
	n = tr_json_len(r.result);
	for (size_t i = 0; i < n; i++) {
		const struct tr_json *s = tr_json_at(r.result, i);
		uint32_t id = (uint32_t)tc_jnum(s, "session");
		const char *p = tc_jstr(s, "program");
		const char *st = tc_jstr(s, "state");

		if (prog && (!p || !same_program(prog, p)))
			continue;
		if (id == tc.session || (!prog && n == 1)) {
			found = id;
			break;
		}
		if (st && strcmp(st, "exited")) {
			live = id;
			nlive++;
		}
		if (prog && !found)
			found = id;
	}
	/* of several, the only one still running (as the server picks) */
	if (!prog && !found && nlive == 1)
		found = live;
	tr_cl_reply_free(&r);
	if (!prog && !found) {
		if (n)
			printf("several sessions: give -S N (or \"session "
			       "N\")\n");
		else
			printf("No executable file specified.\nUse the "
			       "\"file\" or \"exec-file\" command.\n");
		tc.failed = true;
		return -1;
	}
	return found;
}

/* Sessions of prog (NULL: the one just rerun's) whose program exited
 * end: a run replaces them, as gdb's inferior is run again, and they
 * do not linger. */
static void
end_exited(const char *prog)
{
	struct tr_cl_reply r;
	char program[PATH_MAX] = "";

	if (tc_call("sessions", NULL, &r))
		return;
	for (size_t i = 0; !prog && i < tr_json_len(r.result); i++) {
		const struct tr_json *s = tr_json_at(r.result, i);

		if (tc_jnum(s, "session") == tc.session && tc_jstr(s, "program"))
			snprintf(program, sizeof(program), "%s",
				 tc_jstr(s, "program"));
	}
	if (!prog)
		prog = program;
	for (size_t i = 0; *prog && i < tr_json_len(r.result); i++) {
		const struct tr_json *s = tr_json_at(r.result, i);
		const char *p = tc_jstr(s, "program");
		const char *st = tc_jstr(s, "state");
		struct tr_cl_reply k;

		if (tc_jnum(s, "session") == tc.session || !p || !st ||
		    strcmp(st, "exited") || !same_program(prog, p))
			continue;
		tc.rerun_of = (uint32_t)tc_jnum(s, "session");
		if (tc_call("kill", tc_jparams("{\"session\":%u}",
					       tc_jnum(s, "session")), &k) == 0)
			tr_cl_reply_free(&k);
		tc.rerun_of = 0;
	}
	tr_cl_reply_free(&r);
}

/* launch's params: the program (or the session rerun) and arguments */
static char *
launch_params(long rerun, char **words, size_t nw)
{
	struct tr_buf b;
	struct tr_jw w;

	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	if (rerun > 0) {
		tr_jw_key(&w, "rerun");
		tr_jw_uint(&w, (uint64_t)rerun);
	} else {
		tr_jw_key(&w, "program");
		tr_jw_cstr(&w, words[0]);
	}
	/* a rerun with no words keeps the arguments it had */
	if (nw) {
		tr_jw_key(&w, "args");
		tr_jw_arr_begin(&w);
		for (size_t i = 1; i < nw; i++)
			tr_jw_cstr(&w, words[i]);
		tr_jw_arr_end(&w);
	}
	tr_jw_obj_end(&w);
	tr_buf_append(&b, "", 1);
	return b.data;
}

/*
 * run [PROG [ARGS...]], start [PROG [ARGS...]]: PROG launched and
 * continued; with no PROG, or a PROG a session has run already, that
 * session's program is run again in a new session with its breakpoints
 * (their numbers kept), signal handling and substitute-path rules, and
 * the earlier session ends (its program killed if it is still there), as
 * gdb's run. start: a temporary breakpoint at main first.
 */
void
tc_cmd_run(const char *args, bool start)
{
	struct tr_cl_reply r;
	char *copy = strdup(args ? args : ""), *save = NULL, *tok;
	char *words[257];
	size_t nw = 0;
	long rerun;

	for (tok = strtok_r(copy, " \t", &save); tok && nw < 256;
	     tok = strtok_r(NULL, " \t", &save))
		words[nw++] = tok;
	if (nw && !is_program(words[0])) {
		/* gdb's run ARGS: the arguments of a rerun */
		memmove(words + 1, words, nw * sizeof(*words));
		words[0] = NULL;
		nw++;
	}
	rerun = rerun_target(nw ? words[0] : NULL);
	if (rerun < 0) {
		free(copy);
		return;
	}
	if (!rerun && nw && !words[0]) {
		printf("%s: No such file or directory.\n", words[1]);
		tc.failed = true;
		free(copy);
		return;
	}
	tc.rerun_of = rerun > 0 ? (uint32_t)rerun : 0;
	if (!tc_call_show("launch", launch_params(rerun, words, nw), &r)) {
		tc.rerun_of = 0;
		free(copy);
		return;
	}
	printf("Process %" PRIu64 " launched (session %" PRIu64 ").\n",
	       tc_jnum(r.result, "pid"), tc_jnum(r.result, "session"));
	tc.session = (uint32_t)tc_jnum(r.result, "session");
	tr_cl_set_session(tc.cl, tc.session);
	tr_cl_reply_free(&r);
	tc.rerun_of = 0;
	end_exited(nw ? words[0] : NULL); /* words point into copy */
	free(copy);
	if (start)
		tc_cmd_break("main", true);
	tc_resume("continue", NULL);
}

/* until [LOCATION], advance LOCATION: gdb's (the stop is printed from
 * the notification) */
void
tc_cmd_until(const char *arg, bool advance)
{
	struct tr_cl_reply r;

	if (advance && !*arg) {
		printf("Argument required (a location).\n");
		tc.failed = true;
		return;
	}
	/* a stop at the location or the return: gdb prints the frame
	 * line too (its momentary breakpoint's stop), not for until alone */
	tc.frame_line_next = *arg != 0;
	if (tc_call_show(advance ? "advance" : "until",
			 *arg ? tc_jparams("{\"location\":%J}", arg) : NULL,
			 &r))
		tr_cl_reply_free(&r);
	tc.frame_line_next = false;
}

/* jump LOCATION: "Continuing at 0x...." and on, as gdb's */
void
tc_cmd_jump(const char *arg)
{
	struct tr_cl_reply r;

	if (!*arg) {
		printf("Argument required (starting address).\n");
		tc.failed = true;
		return;
	}
	if (!tc_call("jump", tc_jparams("{\"location\":%J,\"dry_run\":true}",
					arg), &r)) {
		/* gdb says it only when typed (from_tty) */
		if (!tc.json && !tc.script)
			printf("Continuing at 0x%" PRIx64 ".\n",
			       tc_jnum(r.result, "addr"));
		tr_cl_reply_free(&r);
	} else {
		return;
	}
	fflush(stdout);
	if (tc_call_show("jump", tc_jparams("{\"location\":%J}", arg), &r))
		tr_cl_reply_free(&r);
}
