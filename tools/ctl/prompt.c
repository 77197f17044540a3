/*
 * prompt.c: tracectl's interactive prompt as gdb's: Tab completion of
 * commands, symbols, struct members (after "." or "->") and file names;
 * Enter on an empty line repeats next, step, x and list as gdb does;
 * help COMMAND; Ctrl-C clears the line being typed.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "ctl/tracectl.h"

/* ---- the commands and their help --------------------------------------- */

struct cmd_help {
	const char *name;
	const char *aliases; /* space-separated, or NULL */
	const char *usage;
	const char *doc;     /* gdb's first line where gdb has the command */
};

static const struct cmd_help cmds[] = {
	{ "advance", NULL, "advance LOCATION",
	  "Continue the program up to the given location (same form as args "
	  "for break command)." },
	{ "attach", NULL, "attach PID",
	  "Attach to a process or file outside of GDB." },
	{ "awatch", NULL, "awatch EXPRESSION [if CONDITION]",
	  "Set a watchpoint for an expression." },
	{ "backtrace", "bt where", "backtrace [N]",
	  "Print backtrace of all stack frames, or innermost COUNT frames." },
	{ "break", "b br", "break [LOCATION] [if CONDITION]",
	  "Set breakpoint at specified location." },
	{ "call", NULL, "call EXPRESSION",
	  "Call a function in the program." },
	{ "catch", NULL, "catch fork|vfork|exec",
	  "Set catchpoints to catch events." },
	{ "condition", NULL, "condition N [CONDITION]",
	  "Specify breakpoint number N to break only if COND is true." },
	{ "continue", "c cont", "continue [N]",
	  "Continue program being debugged, after signal or breakpoint." },
	{ "delete", "d", "delete [N]",
	  "Delete all or some breakpoints." },
	{ "detach", NULL, "detach",
	  "Detach a process or file previously attached." },
	{ "disable", NULL, "disable N", "Disable all or some breakpoints." },
	{ "disassemble", "disas", "disassemble [/r] [/s] [FUNCTION | START,END | START,+LENGTH]",
	  "Disassemble a specified section of memory." },
	{ "display", NULL, "display[/FMT] EXPRESSION",
	  "Print value of expression EXP each time the program stops." },
	{ "down", NULL, "down [N]",
	  "Select and print stack frame called by this one." },
	{ "echo", NULL, "echo TEXT", "Print a constant string." },
	{ "enable", NULL, "enable N", "Enable all or some breakpoints." },
	{ "finish", "fin", "finish",
	  "Execute until selected stack frame returns." },
	{ "frame", "f", "frame [N]", "Select and print a stack frame." },
	{ "handle", NULL, "handle SIGNAL [stop|nostop] [print|noprint] [pass|nopass]",
	  "Specify how to handle signals." },
	{ "hbreak", NULL, "hbreak [LOCATION] [if CONDITION]",
	  "Set a hardware assisted breakpoint." },
	{ "help", "h", "help [COMMAND | all]", "Print list of commands." },
	{ "ignore", NULL, "ignore N COUNT",
	  "Set ignore-count of breakpoint number N to COUNT." },
	{ "info", "i", "info WHAT",
	  "Generic command for showing things about the program being "
	  "debugged." },
	{ "interrupt", NULL, "interrupt",
	  "Interrupt the execution of the debugged program." },
	{ "jump", "j", "jump LOCATION",
	  "Continue program being debugged at specified line or address." },
	{ "kill", "k", "kill", "Kill execution of program being debugged." },
	{ "launch", NULL, "launch PROGRAM [ARGS...] [< IN] [> OUT] [2> ERR]",
	  "Start the program, stopped at its first instruction." },
	{ "list", "l", "list [LOCATION | N,M | FILE:N,M | FUNCTION, | ,M | -]",
	  "List specified function or line." },
	{ "next", "n", "next [N]",
	  "Step program, proceeding through subroutine calls." },
	{ "output", NULL, "output EXPRESSION",
	  "Like \"print\" but don't put in value history and don't print "
	  "newline." },
	{ "print", "p inspect eval", "print[/FMT] [EXPRESSION]",
	  "Print value of expression EXP." },
	{ "ptype", NULL, "ptype EXPRESSION",
	  "Print definition of type TYPE." },
	{ "quit", "q exit", "quit", "Exit tracectl." },
	{ "rpc", NULL, "rpc METHOD [PARAMS-JSON]",
	  "Send one JSON-RPC request to tracerd and print its result." },
	{ "run", "r", "run [PROGRAM] [ARGS...] [< IN] [> OUT] [>> OUT] [2> ERR] [2>&1]",
	  "Start debugged program." },
	{ "rwatch", NULL, "rwatch EXPRESSION [if CONDITION]",
	  "Set a read watchpoint for an expression." },
	{ "session", NULL, "session N",
	  "Make session N the one commands are about." },
	{ "sessions", NULL, "sessions", "List tracerd's debugging sessions." },
	{ "set", NULL, "set var EXPRESSION | set $NAME = EXPRESSION | "
		       "set substitute-path FROM TO | set inferior-tty [PATH] | "
		       "set breakpoint pending on|off",
	  "Evaluate expression EXP and assign result to variable VAR." },
	{ "show", NULL, "show substitute-path | show inferior-tty",
	  "Generic command for showing things about the debugger." },
	{ "shutdown", NULL, "shutdown", "Ask tracerd to exit." },
	{ "signal", NULL, "signal SIGNAL | signal 0",
	  "Continue program with the specified signal." },
	{ "start", NULL, "start [PROGRAM] [ARGS...]",
	  "Start the debugged program stopping at the beginning of the main "
	  "procedure." },
	{ "stats", NULL, "stats", "Print the session's dispatch statistics." },
	{ "step", "s", "step [N]",
	  "Step program until it reaches a different source line." },
	{ "stepi", "si", "stepi [N]", "Step one instruction exactly." },
	{ "tbreak", NULL, "tbreak [LOCATION] [if CONDITION]",
	  "Set a temporary breakpoint." },
	{ "thbreak", NULL, "thbreak [LOCATION] [if CONDITION]",
	  "Set a temporary hardware assisted breakpoint." },
	{ "thread", NULL, "thread [N]",
	  "Use this command to switch between threads." },
	{ "tty", NULL, "tty PATH",
	  "Set terminal for future runs of program being debugged." },
	{ "undisplay", NULL, "undisplay [N]",
	  "Cancel some expressions to be displayed when program stops." },
	{ "unset", NULL, "unset substitute-path [FROM]",
	  "Complement to certain \"set\" commands." },
	{ "until", "u", "until [LOCATION]",
	  "Execute until past the current line or past a LOCATION." },
	{ "up", NULL, "up [N]",
	  "Select and print stack frame that called this one." },
	{ "watch", NULL, "watch EXPRESSION [if CONDITION]",
	  "Set a watchpoint for an expression." },
	{ "whatis", NULL, "whatis EXPRESSION",
	  "Print data type of expression EXP." },
	{ "x", NULL, "x/NFU ADDRESS",
	  "Examine memory: x/FMT ADDRESS." },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static bool
alias_of(const struct cmd_help *c, const char *w)
{
	const char *a = c->aliases;
	size_t n = strlen(w);

	if (!strcmp(c->name, w))
		return true;
	while (a && *a) {
		size_t k = strcspn(a, " ");

		if (k == n && !strncmp(a, w, n))
			return true;
		a += k;
		while (*a == ' ')
			a++;
	}
	return false;
}

bool
tc_help_command(const char *arg)
{
	char w[64];

	snprintf(w, sizeof(w), "%.*s", (int)strcspn(arg, " \t"), arg);
	if (!w[0])
		return false;
	if (!strcmp(w, "all")) {
		/* gdb's help all: every command, one line each */
		for (size_t i = 0; i < NCMDS; i++) {
			printf("%s", cmds[i].name);
			for (const char *a = cmds[i].aliases; a && *a;) {
				size_t k = strcspn(a, " ");

				printf(", %.*s", (int)k, a);
				a += k;
				while (*a == ' ')
					a++;
			}
			printf(" -- %s\n", cmds[i].doc);
		}
		return true;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (!alias_of(&cmds[i], w))
			continue;
		printf("%s\nUsage: %s\n", cmds[i].doc, cmds[i].usage);
		if (cmds[i].aliases)
			printf("Aliases: %s\n", cmds[i].aliases);
		return true;
	}
	printf("Undefined command: \"%s\".  Try \"help\".\n", w);
	tc.failed = true;
	return true;
}

/* ---- Enter repeats ------------------------------------------------------ */

static char last_line[1024];

/*
 * The command an empty line stands for, as gdb repeats it: next, step,
 * stepi, continue and until as typed; x and list go on from where
 * the last one stopped (x without its address, list without
 * arguments). NULL: nothing to repeat.
 */
const char *
tc_repeat_line(const char *line)
{
	static char out[1024];
	const char *p = line;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	if (*p) {
		n = strcspn(p, " \t/");
		/* remember the commands that repeat */
		if ((n == 1 && strchr("nsclux", *p)) ||
		    (n == 2 && !strncmp(p, "si", 2)) ||
		    (n == 4 && (!strncmp(p, "next", 4) || !strncmp(p, "step", 4) ||
				!strncmp(p, "list", 4) || !strncmp(p, "cont", 4))) ||
		    (n == 5 && (!strncmp(p, "stepi", 5) ||
				!strncmp(p, "until", 5))) ||
		    (n == 8 && !strncmp(p, "continue", 8)))
			snprintf(last_line, sizeof(last_line), "%s", p);
		else
			last_line[0] = 0;
		return NULL;
	}
	if (!last_line[0])
		return NULL;
	n = strcspn(last_line, " \t/");
	if ((n == 1 && last_line[0] == 'l') ||
	    (n == 4 && !strncmp(last_line, "list", 4))) {
		snprintf(out, sizeof(out), "list");
	} else if (n == 1 && last_line[0] == 'x') {
		/* x/FMT without the address: on after the last unit */
		snprintf(out, sizeof(out), "%.*s", (int)strcspn(last_line, " \t"),
			 last_line);
	} else {
		snprintf(out, sizeof(out), "%s", last_line);
	}
	return out;
}

/* ---- completion --------------------------------------------------------- */

static char **cands;
static size_t ncands, capcands;

static void
cands_reset(void)
{
	for (size_t i = 0; i < ncands; i++)
		free(cands[i]);
	ncands = 0;
}

static void
cand_add(const char *pre, const char *s, size_t len)
{
	char *c;

	for (size_t i = 0; i < ncands; i++)
		if (strlen(cands[i]) == strlen(pre) + len &&
		    !strncmp(cands[i] + strlen(pre), s, len))
			return;
	if (ncands == capcands) {
		size_t cap = capcands ? capcands * 2 : 64;
		char **a = realloc(cands, cap * sizeof(*a));

		if (!a)
			return;
		cands = a;
		capcands = cap;
	}
	if (asprintf(&c, "%s%.*s", pre, (int)len, s) >= 0)
		cands[ncands++] = c;
}

static char *
gen(const char *text, int state)
{
	static size_t i;
	size_t tl = strlen(text);

	if (!state)
		i = 0;
	while (i < ncands) {
		const char *c = cands[i++];

		if (!strncmp(c, text, tl))
			return strdup(c);
	}
	return NULL;
}

/* quiet calls: completion prints nothing of its own */
static int
qcall(const char *method, char *params, struct tr_cl_reply *r)
{
	int err = tr_cl_call(tc.cl, method, params, NULL, 0, NULL, r);

	free(params);
	if (err)
		return -1;
	if (r->code) {
		tr_cl_reply_free(r);
		return -1;
	}
	return 0;
}

/* the names of a list of {"name"} objects starting with pfx */
static void
add_names(const struct tr_json *arr, const char *key, const char *pre,
	  const char *pfx)
{
	size_t pl = strlen(pfx);

	for (size_t i = 0; arr && i < tr_json_len(arr); i++) {
		const char *n = tc_jstr(tr_json_at(arr, i), key);

		if (n && !strncmp(n, pfx, pl))
			cand_add(pre, n, strlen(n));
	}
}

static void
complete_symbols(const char *pre, const char *pfx, bool locals)
{
	struct tr_cl_reply r;
	char rx[300];

	if (locals) {
		if (qcall("locals", NULL, &r) == 0) {
			add_names(r.result, "name", pre, pfx);
			tr_cl_reply_free(&r);
		}
		if (qcall("args", NULL, &r) == 0) {
			add_names(r.result, "name", pre, pfx);
			tr_cl_reply_free(&r);
		}
	}
	if (!*pfx)
		return; /* every symbol of libc: too many to be of use */
	if (qcall("functions", tc_jparams("{\"match\":%J,\"limit\":5000}", pfx),
		  &r) == 0) {
		add_names(tr_json_get(r.result, "functions"), "name", pre, pfx);
		tr_cl_reply_free(&r);
	}
	/* variables with debug information */
	snprintf(rx, sizeof(rx), "^");
	for (const char *p = pfx; *p && strlen(rx) < sizeof(rx) - 3; p++) {
		if (strchr(".[]*^$\\", *p))
			strcat(rx, "\\");
		strncat(rx, p, 1);
	}
	if (qcall("symbol_search",
		  tc_jparams("{\"kind\":\"variables\",\"regex\":%J,"
			     "\"nondebugging\":false}", rx),
		  &r) == 0) {
		const struct tr_json *fs = tr_json_get(r.result, "files");

		for (size_t i = 0; fs && i < tr_json_len(fs); i++)
			add_names(tr_json_get(tr_json_at(fs, i), "symbols"),
				  "name", pre, pfx);
		tr_cl_reply_free(&r);
	}
}

/* The members of the struct or union `base` evaluates to (or points
 * to), from its ptype: the declarator's name of each member line. */
static void
complete_members(const char *base, const char *pre, const char *pfx)
{
	struct tr_cl_reply r;
	const char *t, *line;
	size_t pl = strlen(pfx);

	if (qcall("ptype", tc_jparams("{\"expr\":%J}", base), &r))
		return;
	t = tc_jstr(r.result, "type");
	line = t ? strchr(t, '{') : NULL;
	while (line && (line = strchr(line, '\n'))) {
		const char *s = ++line, *e = strchr(s, '\n');
		const char *name = NULL;
		size_t nl = 0;
		char buf[512];
		char *semi, *p;

		if (!e)
			break;
		snprintf(buf, sizeof(buf), "%.*s", (int)(e - s), s);
		semi = strrchr(buf, ';');
		if (!semi || strchr(buf, '{') || strchr(buf, '}'))
			continue; /* nested bodies: their own members */
		*semi = 0;
		if ((p = strstr(buf, " : ")))
			*p = 0; /* a bitfield's width */
		if ((p = strstr(buf, "(*"))) {
			/* int (*op)(int): the name inside */
			name = p + 2;
			nl = strspn(name, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
		} else {
			if ((p = strchr(buf, '[')))
				*p = 0;
			p = buf + strlen(buf);
			while (p > buf && (isalnum((unsigned char)p[-1]) ||
					   p[-1] == '_'))
				p--;
			name = p;
			nl = strlen(p);
		}
		if (nl && nl >= pl && !strncmp(name, pfx, pl))
			cand_add(pre, name, nl);
	}
	tr_cl_reply_free(&r);
}

static bool
is_cmd(const char *w, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(w, list[i], n))
			return true;
	return false;
}

static char **
complete(const char *text, int start, int end)
{
	const char *line = rl_line_buffer;
	const char *w = line;
	size_t n;
	static const char *const file_cmds[] = { "run", "r", "launch", "start",
						   "tty", "attach", NULL };
	static const char *const loc_cmds[] = { "break", "b", "br", "tbreak",
						  "list", "l", "until", "u",
						  "advance", "jump",
						  "disassemble", NULL };

	(void)end;
	rl_attempted_completion_over = 1;
	rl_completion_append_character = ' ';
	cands_reset();
	while (isspace((unsigned char)*w))
		w++;
	n = strcspn(w, " \t/");
	if (w + n >= line + start) {
		/* the command itself */
		for (size_t i = 0; i < NCMDS; i++)
			cand_add("", cmds[i].name, strlen(cmds[i].name));
		return rl_completion_matches(text, gen);
	}
	if (is_cmd(w, n, file_cmds) || strchr(text, '/')) {
		rl_attempted_completion_over = 0;
		return rl_completion_matches(text,
					     rl_filename_completion_function);
	}
	if (n == 4 && !strncmp(w, "help", 4)) {
		for (size_t i = 0; i < NCMDS; i++)
			cand_add("", cmds[i].name, strlen(cmds[i].name));
		return rl_completion_matches(text, gen);
	}
	if ((n == 4 && !strncmp(w, "info", 4)) || (n == 1 && *w == 'i')) {
		static const char *const infos[] = {
			"address", "args", "breakpoints", "display", "frame",
			"functions", "line", "locals", "registers",
			"all-registers", "sharedlibrary", "signals", "symbol",
			"threads", "types", "variables", "watchpoints", NULL };
		const char *sec = w + n;

		while (isspace((unsigned char)*sec))
			sec++;
		if (sec >= line + start) {
			for (size_t i = 0; infos[i]; i++)
				cand_add("", infos[i], strlen(infos[i]));
			return rl_completion_matches(text, gen);
		}
	}
	{
		/* an expression or a location: the identifier path under
		 * the cursor (a.b->c), its last part completed */
		const char *tok = line + start, *last;
		char base[512];

		while (tok > line && (isalnum((unsigned char)tok[-1]) ||
				      strchr("_.>-[]", tok[-1])))
			tok--;
		last = NULL;
		for (const char *p = tok; p < line + end; p++) {
			if (*p == '.')
				last = p + 1;
			else if (p[0] == '-' && p[1] == '>')
				last = p + 2;
		}
		if (last && last > tok) {
			const char *op = last[-1] == '.' ? last - 1 : last - 2;
			const char *pfx_start = line + start > last ? line + start
								   : last;
			char pre[512], pfx[256];

			snprintf(base, sizeof(base), "%.*s", (int)(op - tok), tok);
			/* what libedit replaces (text) up to the member */
			snprintf(pre, sizeof(pre), "%.*s",
				 (int)(pfx_start - (line + start)), line + start);
			snprintf(pfx, sizeof(pfx), "%.*s",
				 (int)(line + end - pfx_start), pfx_start);
			if (strlen(pre) > strlen(text))
				pre[0] = 0;
			complete_members(base, pre, pfx);
			rl_completion_append_character = '\0';
			return rl_completion_matches(text, gen);
		}
		complete_symbols("", text, !is_cmd(w, n, loc_cmds));
		return rl_completion_matches(text, gen);
	}
}

void
tc_prompt_init(void)
{
	rl_attempted_completion_function = complete;
	/* '.' and '>' stay in words: a.b and p->x complete as one */
	rl_completer_word_break_characters = (char *)" \t\n\"\\'`@$<=;|&{(,*!~+";
}
