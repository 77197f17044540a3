/* source.c: tracectl's source commands: list (around the stop, a function, a file's lines, on from the last listing) and set/show/unset substitute-path. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "client.h"
#include "json.h"
#include "ctl/tracectl.h"

/* What `list` goes on from: the file last listed or stopped in, the
 * lines last listed (0: none yet), and a line to centre on next (the
 * stop's, or the selected frame's). */
static struct {
	char file[1024];
	uint32_t first, last;
	uint32_t center;
} ls;

void
tc_list_center(const char *file, uint32_t line)
{
	if (!file || !line)
		return;
	snprintf(ls.file, sizeof(ls.file), "%s", file);
	ls.center = line;
	ls.first = ls.last = 0;
}

/* Ask for lines and print them gdb's way: "N\tTEXT". want_from: the
 * first line asked for (0: the server chooses); star: the *ADDR listed. */
static void
list_call(char *params, uint64_t want_from, const char *star)
{
	struct tr_cl_reply r;
	const struct tr_json *lines;
	uint64_t from;
	int err = tr_cl_call(tc.cl, "source", params, NULL, 0, &tc.sigint,
			     &r);

	free(params);
	tc.sigint = 0;
	if (err) {
		fprintf(stderr, "tracectl: source: %s\n",
			err == -TR_EGONE ? "connection to tracerd lost"
					 : tr_strerror(err));
		tc.failed = true;
		return;
	}
	if (r.code) {
		if (tc.json)
			printf("{\"error\":{\"code\":%d,\"message\":\"%s\"}}\n",
			       r.code, r.message);
		else if (want_from &&
			 strstr(r.message, ": No such file or directory."))
			/* gdb puts the line's number before it */
			printf("%" PRIu64 "\t%s\n", want_from, r.message);
		else
			printf("%s\n", r.message);
		tc.failed = true;
		tr_cl_reply_free(&r);
		return;
	}
	if (tc.json) {
		tc_print_json(r.result);
		tr_cl_reply_free(&r);
		return;
	}
	if (star && tc_jstr(r.result, "function"))
		printf("%s is in %s (%s:%" PRIu64 ").\n", star,
		       tc_jstr(r.result, "function"),
		       tc_base_name(tc_jstr(r.result, "file")),
		       tc_jnum(r.result, "line"));
	lines = tr_json_get(r.result, "lines");
	from = tc_jnum(r.result, "from");
	for (size_t i = 0; i < tr_json_len(lines); i++) {
		size_t len = 0;
		const char *s = tr_json_str(tr_json_at(lines, i), &len);

		printf("%" PRIu64 "\t%.*s\n", from + i, (int)len, s ? s : "");
	}
	if (tc_jstr(r.result, "file"))
		snprintf(ls.file, sizeof(ls.file), "%s",
			 tc_jstr(r.result, "file"));
	ls.first = (uint32_t)from;
	ls.last = (uint32_t)tc_jnum(r.result, "to");
	ls.center = 0;
	tr_cl_reply_free(&r);
}

static bool
all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * The params for one linespec of list: N (the current file), FILE:N, or
 * anything else break takes (FUNCTION, FILE:FUNCTION, *ADDR) for the
 * server to find. from/to: the range (0: ten lines around the line, or
 * from it with start). *first gets the first line when known here.
 */
static char *
spec_params(const char *spec, size_t n, uint64_t to, bool start,
	    uint64_t *first)
{
	char buf[1100];
	const char *colon;
	const char *file = NULL;
	uint64_t line = 0, from;

	snprintf(buf, sizeof(buf), "%.*s", (int)n, spec);
	colon = strrchr(buf, ':');
	if (all_digits(buf, strlen(buf))) {
		line = strtoull(buf, NULL, 10);
		file = ls.file;
	} else if (colon && buf[0] != '*' &&
		   all_digits(colon + 1, strlen(colon + 1))) {
		line = strtoull(colon + 1, NULL, 10);
		buf[colon - buf] = 0;
		file = buf;
	}
	if (!file)
		return tc_jparams(start ? "{\"location\":%J,\"start\":true}"
					: "{\"location\":%J}", buf);
	from = start ? line : line > 5 ? line - 5 : 1;
	*first = from ? from : 1;
	return tc_jparams("{\"file\":%J,\"line\":%u,\"from\":%u,\"to\":%u}",
			  file, line, *first, to ? to : *first + 9);
}

void
tc_cmd_list(const char *arg)
{
	const char *comma = strchr(arg, ',');
	uint64_t first = 0;

	if (!*arg) {
		/* around the stop, on from the last listing, or main */
		if (ls.center)
			first = ls.center > 5 ? ls.center - 5 : 1;
		else if (ls.last)
			first = ls.last + 1;
		else {
			list_call(tc_jparams("{\"location\":\"main\"}"), 0,
				  NULL);
			return;
		}
		list_call(tc_jparams("{\"file\":%J,\"from\":%u,\"to\":%u}",
				  ls.file, first, first + 9), first, NULL);
		return;
	}
	if (!strcmp(arg, "-")) {
		/* the ten lines before those last listed */
		uint64_t to = ls.center ? (ls.center > 5 ? ls.center - 6 : 0)
			    : ls.first ? ls.first - 1 : 0;

		if (!to) {
			printf("Already at the start of %s.\n",
			       tc_base_name(ls.file[0] ? ls.file : "?"));
			return;
		}
		first = to > 10 ? to - 9 : 1;
		list_call(tc_jparams("{\"file\":%J,\"from\":%u,\"to\":%u}",
				  ls.file, first, to), first, NULL);
		return;
	}
	if (!ls.file[0] && (*arg == ',' || all_digits(arg, strcspn(arg, ",")))) {
		printf("No default source file.\n");
		tc.failed = true;
		return;
	}
	if (comma) {
		/* FIRST,LAST  FIRST,  ,LAST */
		const char *b = comma + 1;
		size_t an = (size_t)(comma - arg);
		uint64_t last;
		char *params;

		while (an && isspace((unsigned char)arg[an - 1]))
			an--;
		while (isspace((unsigned char)*b))
			b++;
		if (*b && !all_digits(b, strlen(b))) {
			printf("malformed linespec error: unexpected string, "
			       "\"%s\"\n", b);
			tc.failed = true;
			return;
		}
		last = strtoull(b, NULL, 10);
		if (!an) {
			first = last > 10 ? last - 9 : 1;
			list_call(tc_jparams("{\"file\":%J,\"from\":%u,"
					  "\"to\":%u}", ls.file, first, last),
				  first, NULL);
			return;
		}
		params = spec_params(arg, an, last, true, &first);
		if (first && last && last < first) {
			/* gdb 13 lists nothing */
			free(params);
			return;
		}
		list_call(params, first, NULL);
		return;
	}
	{
		char *params = spec_params(arg, strlen(arg), 0, false, &first);

		list_call(params, first, *arg == '*' ? arg : NULL);
	}
}

/* set substitute-path FROM TO, unset substitute-path [FROM], show
 * substitute-path */
void
tc_cmd_substitute_path(const char *verb, const char *arg)
{
	struct tr_cl_reply r;
	char from[1024], to[1024];
	char *params;

	from[0] = to[0] = 0;
	sscanf(arg, "%1023s %1023s", from, to);
	if (!strcmp(verb, "set")) {
		if (!from[0] || !to[0]) {
			printf("Incorrect usage, too few arguments in "
			       "command\n");
			tc.failed = true;
			return;
		}
		params = tc_jparams("{\"from\":%J,\"to\":%J}", from, to);
	} else if (!strcmp(verb, "unset")) {
		params = from[0] ? tc_jparams("{\"unset\":true,\"from\":%J}",
					   from)
				 : tc_jparams("{\"unset\":true}");
	} else {
		params = NULL;
	}
	if (!tc_call_show("substitute_path", params, &r))
		return;
	if (!strcmp(verb, "show")) {
		const struct tr_json *rules = tr_json_get(r.result, "rules");

		printf("List of all source path substitution rules:\n");
		for (size_t i = 0; i < tr_json_len(rules); i++)
			printf("  `%s' -> `%s'.\n",
			       tc_jstr(tr_json_at(rules, i), "from"),
			       tc_jstr(tr_json_at(rules, i), "to"));
	}
	tr_cl_reply_free(&r);
}
