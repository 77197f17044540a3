/* main.c: tracerd's command line: options, logging, the front ends wired to the core, then the server loop (core/server.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core/server.h"
#include "jsonrpc/table.h"
#include "jsonrpc/where.h"
#include "base/log.h"
#include "rsp/conn.h"
#include "dap/conn.h"
#include "target/tracer.h"

/*
 * Exit codes:
 *   0  shut down on request (SIGINT, SIGTERM, SIGHUP or "shutdown")
 *   1  could not start: listening failed, the launch or attach failed
 *   2  bad command line
 */

static void
usage(FILE *f)
{
	fputs("usage: tracerd [OPTIONS] [--launch PROGRAM [ARGS...] | "
	      "--attach PID]\n"
	      "\n"
	      "A debugger backend daemon: clients (tracectl, scripts) drive\n"
	      "debugging sessions over JSON-RPC 2.0, one message per line\n"
	      "(proto/PROTOCOL.md).\n"
	      "\n"
	      "  --socket PATH       Unix socket to listen on (default:\n"
	      "                      $TRACERD_SOCKET, else\n"
	      "                      $XDG_RUNTIME_DIR/tracerd/tracerd.sock,\n"
	      "                      else /tmp/tracerd-UID/tracerd.sock)\n"
	      "  --listen HOST:PORT  also listen on TCP (loopback only unless\n"
	      "                      --allow-remote)\n"
	      "  --gdb HOST:PORT     serve gdb's remote protocol (target\n"
	      "                      remote HOST:PORT) for the session of\n"
	      "                      --launch or --attach; loopback only\n"
	      "                      unless --allow-remote; --gdb - (or\n"
	      "                      stdio): on stdin and stdout (target\n"
	      "                      remote | tracerd --gdb - --launch P),\n"
	      "                      the daemon ending with the client\n"
	      "  --dap               speak the Debug Adapter Protocol on\n"
	      "                      stdin and stdout, as editors start an\n"
	      "                      adapter (no Unix socket unless\n"
	      "                      --socket; the daemon ends with the\n"
	      "                      client)\n"
	      "  --dap-listen HOST:PORT\n"
	      "                      serve DAP clients on TCP; loopback\n"
	      "                      only unless --allow-remote (then the\n"
	      "                      client gives \"token\" in launch or\n"
	      "                      attach)\n"
	      "  --allow-remote      accept a TCP address other than loopback;\n"
	      "                      it also needs --token-file\n"
	      "  --token-file FILE   TCP clients must first send\n"
	      "                      auth {\"token\": <first line of FILE>}\n"
	      "                      (gdb from elsewhere: monitor auth TOKEN);\n"
	      "                      FILE must be ours and mode 0600\n"
	      "  --allow-uid UID     also serve local clients of this uid\n"
	      "                      (repeatable); by default only our own\n"
	      "                      uid may connect, over the Unix socket\n"
	      "                      and over loopback TCP alike\n"
	      "  --launch PROG ARGS  start with a session on PROG, stopped at\n"
	      "                      its first instruction (the rest of the\n"
	      "                      command line is its arguments)\n"
	      "  --attach PID        start with a session attached to PID\n"
	      "  --on-exit kill|detach\n"
	      "                      what shutdown does to launched targets\n"
	      "                      (default: kill); attached ones are always\n"
	      "                      detached, their breakpoints removed\n"
	      "  --no-compiled-conditions\n"
	      "                      evaluate breakpoint conditions in tracerd\n"
	      "                      at every hit, never in the target\n"
	      "  --watch-mechanism auto|debug-registers|page-protection\n"
	      "                      what watchpoints use (default auto: the\n"
	      "                      debug registers if a probe at start sees\n"
	      "                      them fire, else page protection)\n"
	      "  --max-request BYTES largest request line (default 16 MiB)\n"
	      "  --log-level LEVEL   error, warn, info (default) or debug\n"
	      "  -q, --quiet         --log-level warn\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "Exit status: 0 after a requested shutdown, 1 when it could\n"
	      "not start, 2 for a bad command line.\n",
	      f);
}

/* --gdb -: the protocol keeps copies of stdin and stdout; the daemon's
 * (and a launched program's) stdin becomes /dev/null and its stdout
 * stderr, so that nothing else is written into the protocol. */
static int
stdio_takeover(int *in, int *out)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	*in = fcntl(0, F_DUPFD_CLOEXEC, 3);
	*out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (null < 0 || *in < 0 || *out < 0 || dup2(null, 0) < 0 ||
	    dup2(2, 1) < 0) {
		fprintf(stderr, "tracerd: --gdb -: cannot take over stdin "
			"and stdout: %s\n", strerror(errno));
		return -1;
	}
	close(null);
	return 0;
}

int
main(int argc, char **argv)
{
	enum { O_SOCKET = 256, O_LISTEN, O_GDB, O_REMOTE, O_TOKEN, O_LAUNCH,
	       O_ATTACH, O_ONEXIT, O_NOCOMP, O_MAXREQ, O_LOG, O_ALLOWUID,
	       O_DAP, O_DAPLISTEN, O_WATCHMECH };
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "gdb", required_argument, NULL, O_GDB },
		{ "dap", no_argument, NULL, O_DAP },
		{ "dap-listen", required_argument, NULL, O_DAPLISTEN },
		{ "allow-remote", no_argument, NULL, O_REMOTE },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "allow-uid", required_argument, NULL, O_ALLOWUID },
		{ "launch", required_argument, NULL, O_LAUNCH },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "on-exit", required_argument, NULL, O_ONEXIT },
		{ "no-compiled-conditions", no_argument, NULL, O_NOCOMP },
		{ "max-request", required_argument, NULL, O_MAXREQ },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "watch-mechanism", required_argument, NULL, O_WATCHMECH },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	/* the front ends, which the core calls only through these */
	static const struct srv_hooks hooks = {
		.method_find = srv_method_find,
		.write_stop = srv_write_stop,
		.gdb = &srv_rsp_frontend,
		.gdb_stdio = srv_rsp_start_stdio,
		.dap = &srv_dap_frontend,
		.dap_stdio = srv_dap_start_stdio,
	};
	struct srv_opts o = { 0 };
	struct tr_launch l = { .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	bool launch = false;
	pid_t attach = 0;
	int level = TR_LOG_INFO, c, rc;
	char *end, *prog = NULL;

	/* "+": options stop at the first non-option, the launched
	 * program's arguments are its own */
	while ((c = getopt_long(argc, argv, "+qhV", lo, NULL)) != -1) {
		switch (c) {
		case O_SOCKET:
			o.socket_path = optarg;
			break;
		case O_LISTEN:
			o.tcp = optarg;
			break;
		case O_GDB:
			if (!strcmp(optarg, "-") || !strcmp(optarg, "stdio"))
				o.gdb_stdio = true; /* as gdbserver's stdio */
			else
				o.gdb = optarg;
			break;
		case O_DAP:
			o.dap_stdio = true;
			break;
		case O_DAPLISTEN:
			o.dap = optarg;
			break;
		case O_REMOTE:
			o.allow_remote = true;
			break;
		case O_TOKEN:
			o.token_file = optarg;
			break;
		case O_ALLOWUID: {
			unsigned long u = strtoul(optarg, &end, 10);

			if (!*optarg || *end || u > 0xfffffffe ||
			    o.nallow_uids == 16) {
				fprintf(stderr, "tracerd: --allow-uid %s: a "
					"uid (at most 16 of them)\n", optarg);
				return 2;
			}
			o.allow_uids[o.nallow_uids++] = (uid_t)u;
			break;
		}
		case O_LAUNCH:
			launch = true;
			l.path = optarg;
			/* the program's arguments: the rest, argv[0] first */
			l.argv = &argv[optind - 1];
			optind = argc;
			break;
		case O_ATTACH:
			attach = (pid_t)strtol(optarg, &end, 10);
			if (*end || attach <= 0) {
				fprintf(stderr, "tracerd: --attach %s: not a "
					"process id\n", optarg);
				return 2;
			}
			break;
		case O_ONEXIT:
			if (!strcmp(optarg, "kill")) {
				o.on_exit = SRV_KILL_LAUNCHED;
			} else if (!strcmp(optarg, "detach")) {
				o.on_exit = SRV_DETACH_LAUNCHED;
			} else {
				fprintf(stderr, "tracerd: --on-exit: kill or "
					"detach\n");
				return 2;
			}
			break;
		case O_NOCOMP:
			o.no_compiled_conditions = true;
			break;
		case O_MAXREQ:
			o.max_line = strtoul(optarg, &end, 10);
			if (*end || o.max_line < 1024) {
				fprintf(stderr, "tracerd: --max-request: a "
					"size of at least 1024 bytes\n");
				return 2;
			}
			break;
		case O_WATCHMECH:
			if (!strcmp(optarg, "auto"))
				tr_watch_set_mechanism(TR_WATCH_MECH_AUTO);
			else if (!strcmp(optarg, "debug-registers"))
				tr_watch_set_mechanism(TR_WATCH_MECH_DR);
			else if (!strcmp(optarg, "page-protection"))
				tr_watch_set_mechanism(TR_WATCH_MECH_PAGES);
			else {
				fprintf(stderr, "tracerd: --watch-mechanism: "
					"auto, debug-registers or "
					"page-protection\n");
				return 2;
			}
			break;
		case O_LOG:
			if (!strcmp(optarg, "error"))
				level = TR_LOG_ERROR;
			else if (!strcmp(optarg, "warn"))
				level = TR_LOG_WARN;
			else if (!strcmp(optarg, "info"))
				level = TR_LOG_INFO;
			else if (!strcmp(optarg, "debug"))
				level = TR_LOG_DEBUG;
			else {
				fprintf(stderr, "tracerd: --log-level: error, "
					"warn, info or debug\n");
				return 2;
			}
			break;
		case 'q':
			level = TR_LOG_WARN;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			/* the probe of the debug registers, run here (a
			 * child of ours, a few milliseconds) */
			printf("tracerd %s\nwatchpoints: %s (debug registers: "
			       "%s)\n", PACKAGE_VERSION,
			       (tr_watch_probe(), tr_watch_mechanism()),
			       tr_watch_probe()->why);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tracerd: unexpected argument \"%s\" (the "
			"program to launch goes after --launch)\n",
			argv[optind]);
		return 2;
	}
	if (launch && attach) {
		fprintf(stderr, "tracerd: --launch or --attach, not both\n");
		return 2;
	}
	tr_log_set(level, tr_log_stderr, NULL);
	if (o.gdb_stdio && stdio_takeover(&o.gdb_in, &o.gdb_out))
		return 1;
	/* once per daemon, before any session: logged by the probe, shown
	 * by stats and --version */
	tr_watch_probe();
	tr_log_info("watchpoints: %s", tr_watch_mechanism());
	if (launch && !(prog = srv_program_path(l.path))) {
		fprintf(stderr, "tracerd: out of memory\n");
		return 1;
	}
	if (launch)
		l.path = prog;
	rc = srv_run(&o, &hooks, launch ? &l : NULL, attach);
	free(prog);
	return rc;
}
