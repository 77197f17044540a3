/* monitor.c: monitor commands (qRcmd): eval with tracerd's own evaluator, the dispatch statistics, help. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/server.h"
#include "base/log.h"
#include "core/stats.h"
#include "base/error.h"
#include "rsp.h"
#include "rsp/ids.h"
#include "rsp/monitor.h"
#include "rsp/regs.h"
#include "rsp/reply.h"

/* Console output for gdb: O and the text in hex. */
static int
console(struct rsp *r, const char *text)
{
	size_t n = strlen(text);
	char *pk = malloc(2 * n + 2);
	int rc;

	if (!pk)
		return -1;
	pk[0] = 'O';
	tr_rsp_hex_encode(text, n, pk + 1);
	rc = rsp_reply(r, pk, 2 * n + 1);
	free(pk);
	return rc;
}

static void
slab_line(char *buf, size_t len, const char *name,
	  const struct tr_slab_stats *s)
{
	snprintf(buf, len,
		 "%-12s %10llu requests  p50 %6llu ns  p90 %6llu ns  "
		 "p99 %7llu ns  server sleeps %llu, client sleeps %llu\n",
		 name, (unsigned long long)s->requests,
		 (unsigned long long)srv_hist_quantile(s->latency_hist, 0.5),
		 (unsigned long long)srv_hist_quantile(s->latency_hist, 0.9),
		 (unsigned long long)srv_hist_quantile(s->latency_hist,
						       0.99),
		 (unsigned long long)s->server_sleeps,
		 (unsigned long long)s->client_sleeps);
}

/* gdbserver's monitor commands first (its help text, from gdbserver
 * 13's server.cc monitor_show_help, so that gdb's testsuite and users
 * find what they know), then tracerd's own. */
static const char help_text[] =
	"The following monitor commands are supported:\n"
	"  set debug <0|1>\n"
	"    Enable general debugging messages\n"
	"  set remote-debug <0|1>\n"
	"    Enable remote protocol debugging messages\n"
	"  set debug-format option1[,option2,...]\n"
	"    Add additional information to debugging messages\n"
	"    Options: all, none, timestamp\n"
	"  set libthread-db-search-path [PATH]\n"
	"    Accepted; tracerd finds threads without libthread_db\n"
	"  exit\n"
	"    Quit the daemon (as gdbserver: breakpoints removed, attached\n"
	"    processes detached, launched ones killed)\n"
	"tracerd's own:\n"
	"  auth TOKEN\n"
	"    Present the daemon's token (a client from another machine)\n"
	"  eval[/FMT] EXPR\n"
	"    Evaluate a C expression in the target, server-side (calls\n"
	"    injected), in print's format FMT (x d u o t a c f s z)\n"
	"  stats\n"
	"    The session's dispatch statistics\n"
	"  help\n"
	"    This list\n";

/* The level the daemon ran at before `set debug 1`, for `set debug 0`
 * (-1: debug was not turned on by a client). */
static _Atomic int level_before_debug = -1;

/* A 0 or 1 argument; -1 when it is neither. */
static int
on_off(const char *a)
{
	if (!strcmp(a, "1") || !strcmp(a, "on"))
		return 1;
	if (!strcmp(a, "0") || !strcmp(a, "off"))
		return 0;
	return -1;
}

/* monitor set ...: gdbserver's settings, applied to the daemon's log
 * (debug, debug-format) or to this connection (remote-debug). */
static int
monitor_set(struct rsp *r, char *arg, bool *bad)
{
	char *val = arg + strcspn(arg, " \t");
	int on;

	if (*val)
		*val++ = 0;
	val += strspn(val, " \t");
	if (!strcmp(arg, "debug")) {
		if ((on = on_off(val)) < 0)
			goto usage;
		if (on) {
			int prev = tr_log_level_get();

			if (prev < TR_LOG_DEBUG)
				atomic_store(&level_before_debug, prev);
			tr_log_level_set(TR_LOG_DEBUG);
			return console(r, "Debug output enabled.\n");
		}
		int prev = atomic_exchange(&level_before_debug, -1);

		if (prev >= 0)
			tr_log_level_set((enum tr_log_level)prev);
		return console(r, "Debug output disabled.\n");
	}
	if (!strcmp(arg, "remote-debug")) {
		if ((on = on_off(val)) < 0)
			goto usage;
		r->remote_debug = on;
		return console(r, on ? "Protocol debug output enabled.\n"
				     : "Protocol debug output disabled.\n");
	}
	if (!strcmp(arg, "debug-format")) {
		if (!strcmp(val, "all") || !strcmp(val, "timestamp")) {
			tr_log_timestamps(true);
			return console(r, !strcmp(val, "all")
				       ? "All extra debug format options "
					 "enabled.\n"
				       : "Timestamps will be added to debug "
					 "output.\n");
		}
		if (!strcmp(val, "none")) {
			tr_log_timestamps(false);
			return console(r, "All extra debug format options "
					  "disabled.\n");
		}
		*bad = true;
		return console(r, "Unknown debug-format argument: choose "
				  "all, none or timestamp.\n");
	}
	if (!strcmp(arg, "libthread-db-search-path")) {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "libthread-db-search-path set to `%.200s' (tracerd "
			 "lists threads from /proc and does not load "
			 "libthread_db).\n",
			 *val ? val : "$pdir:$sdir");
		return console(r, msg);
	}
	*bad = true;
	return console(r, "Unknown monitor \"set\" setting: see "
			  "\"monitor help\".\n");
usage:
	*bad = true;
	return console(r, "Expected 0 or 1.\n");
}

int
rsp_monitor(struct rsp *r, const char *hex)
{
	size_t n = strlen(hex) / 2;
	char *cmd = malloc(n + 1), *arg;
	char out[4096];
	char fmt = 0;
	bool bad = false;
	int rc;

	if (!cmd || tr_rsp_hex_decode(hex, 2 * n, (unsigned char *)cmd)) {
		free(cmd);
		return rsp_reply_str(r, "E01");
	}
	cmd[n] = 0;
	arg = cmd + strcspn(cmd, " \t/");
	if (*arg == '/') {
		/* eval/x EXPR: print's format goes with the command (of
		 * several letters the last, as gdb's) */
		char *f = arg + 1;

		*arg = 0;
		arg = f + strcspn(f, " \t");
		fmt = arg > f ? arg[-1] : 0;
	}
	if (*arg)
		*arg++ = 0;
	arg += strspn(arg, " \t");
	if (!strcmp(cmd, "auth")) {
		if (r->authed) {
			rc = console(r, "Already authenticated.\n");
		} else if (!srv_token_ok(arg, strlen(arg))) {
			/* late, then hung up on: one guess per connection
			 * and second (the core's limit for JSON-RPC too) */
			srv_auth_failed("a gdb client");
			usleep(SRV_AUTH_DELAY_MS * 1000);
			console(r, "Wrong token.\n");
			rsp_reply_str(r, "E01");
			free(cmd);
			return -1;
		} else {
			r->authed = true;
			rc = console(r, "Authenticated: \"attach PID\" takes "
				     "the daemon's session of process PID, "
				     "\"run\" starts one.\n");
		}
	} else if (!r->authed && *cmd && strcmp(cmd, "help")) {
		rc = console(r, "Authenticate first: monitor auth TOKEN\n");
	} else if (!strcmp(cmd, "eval") || !strcmp(cmd, "print") ||
	    !strcmp(cmd, "p")) {
		struct tr_expr_err e = { 0 };
		int err;

		if (!r->s || r->gone) {
			rc = console(r, "No process.\n");
		} else if (!*arg) {
			rc = console(r, "usage: monitor eval EXPRESSION\n");
		} else {
			struct tr_print_opts po = { .format = fmt };

			err = tr_session_print(r->s, arg, rsp_gtid(r), 0, &po,
					       out, sizeof(out) - 1, NULL, &e);
			rsp_regs_forget(r); /* a call ran in the target */
			if (err) {
				snprintf(out, sizeof(out), "%s\n",
					 e.msg[0] ? e.msg : tr_strerror(err));
			} else {
				strcat(out, "\n");
			}
			rc = console(r, out);
		}
	} else if (!strcmp(cmd, "stats")) {
		struct tr_slab_stats tr, in, lp;
		char line[3][256];

		if (!r->s) {
			rc = console(r, "No session.\n");
		} else {
			tr_session_stats(r->s, &tr, &in, &lp);
			slab_line(line[0], sizeof(line[0]), "tracer", &tr);
			slab_line(line[1], sizeof(line[1]), "interpreter",
				  &in);
			slab_line(line[2], sizeof(line[2]), "event loop",
				  &lp);
			snprintf(out, sizeof(out), "%s%s%s", line[0], line[1],
				 line[2]);
			rc = console(r, out);
		}
	} else if (!strcmp(cmd, "help")) {
		rc = console(r, help_text);
	} else if (!strcmp(cmd, "exit")) {
		/* gdbserver's: leave once the client has its answer, with
		 * what a shutdown does (breakpoints removed, attached
		 * processes detached, launched ones killed) */
		tr_log_info("gdb client: monitor exit: shutting down");
		srv_shutdown_request();
		rc = 0;
	} else if (!strcmp(cmd, "set")) {
		rc = monitor_set(r, arg, &bad);
	} else {
		/* gdbserver answers an unknown command with its help and an
		 * error (gdb: "Protocol error with Rcmd") */
		if (*cmd)
			snprintf(out, sizeof(out),
				 "Unknown monitor command \"%.64s\".\n\n%s",
				 cmd, help_text);
		else
			snprintf(out, sizeof(out),
				 "Unknown monitor command.\n\n%s", help_text);
		rc = console(r, out);
		bad = true;
	}
	free(cmd);
	if (rc)
		return rc;
	return rsp_reply_str(r, bad ? "E01" : "OK");
}
