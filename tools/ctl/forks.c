/* forks.c: tracectl's set follow-fork-mode, set detach-on-fork, show them, and catch fork|vfork|exec, as gdb's (JSON-RPC fork_settings). */
#include <stdio.h>
#include <string.h>

#include "ctl/tracectl.h"

static void
settings(char *params, const char *show)
{
	struct tr_cl_reply r;

	if (!tc_call_show("fork_settings", params, &r))
		return;
	if (show && !strcmp(show, "follow-fork-mode"))
		printf("Debugger response to a program call of fork or vfork "
		       "is \"%s\".\n", tc_jstr(r.result, "follow"));
	else if (show)
		printf("Whether gdb will detach the child of a fork is %s.\n",
		       tc_jbool(r.result, "detach_on_fork") ? "on" : "off");
	tr_cl_reply_free(&r);
}

bool
tc_cmd_forks(const char *cmd, const char *arg)
{
	const char *v;

	if (!strcmp(cmd, "catch") && (!strcmp(arg, "fork") ||
				      !strcmp(arg, "vfork") ||
				      !strcmp(arg, "exec"))) {
		struct tr_cl_reply r;
		char key[16];

		snprintf(key, sizeof(key), "catch_%s", arg);
		if (tc_call_show("fork_settings",
				 tc_jparams("{%J:true}", key), &r)) {
			printf("Catchpoint (%s)\n", arg);
			tr_cl_reply_free(&r);
		}
		return true;
	}
	if (!strcmp(cmd, "show") && (!strcmp(arg, "follow-fork-mode") ||
				     !strcmp(arg, "detach-on-fork"))) {
		settings(tc_jparams("{}"), arg);
		return true;
	}
	if (strcmp(cmd, "set"))
		return false;
	if (!strncmp(arg, "follow-fork-mode ", 17)) {
		v = arg + 17;
		settings(tc_jparams("{\"follow\":%J}", v), NULL);
		return true;
	}
	if (!strncmp(arg, "detach-on-fork ", 15)) {
		v = arg + 15;
		settings(tc_jparams("{\"detach_on_fork\":%B}",
				    strcmp(v, "off") != 0),
			 NULL);
		return true;
	}
	return false;
}
