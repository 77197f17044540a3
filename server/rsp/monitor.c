/* monitor.c: monitor commands (qRcmd): eval with tracerd's own evaluator, the dispatch statistics, help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/auth.h"
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

int
rsp_monitor(struct rsp *r, const char *hex)
{
	size_t n = strlen(hex) / 2;
	char *cmd = malloc(n + 1), *arg;
	char out[4096];
	int rc;

	if (!cmd || tr_rsp_hex_decode(hex, 2 * n, (unsigned char *)cmd)) {
		free(cmd);
		return rsp_reply_str(r, "E01");
	}
	cmd[n] = 0;
	arg = cmd + strcspn(cmd, " \t");
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
			err = tr_session_eval(r->s, arg, rsp_gtid(r), 0, out,
					      sizeof(out) - 1, &e);
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
	} else if (!strcmp(cmd, "help") || !*cmd) {
		rc = console(r,
			     "tracerd monitor commands:\n"
			     "  auth TOKEN  present the daemon's token (a "
			     "client from another machine)\n"
			     "  eval EXPR   evaluate a C expression in the "
			     "target, server-side (calls injected)\n"
			     "  stats       the session's dispatch "
			     "statistics\n"
			     "  help        this list\n");
	} else {
		snprintf(out, sizeof(out),
			 "Unknown monitor command \"%.64s\"; try \"monitor "
			 "help\".\n",
			 cmd);
		rc = console(r, out);
	}
	free(cmd);
	return rc ? rc : rsp_reply_str(r, "OK");
}
