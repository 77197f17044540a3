/* main.c: tracectl, the command-line client of tracerd: options, one-shot commands and the REPL. */
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

struct tc_state tc;

/* ---- the REPL ----------------------------------------------------------- */

static bool repl_quit;

static void
on_line(char *line)
{
	if (!line) {
		printf("quit\n");
		repl_quit = true;
		return;
	}
	/* libedit draws the next prompt when the handler returns; out of
	 * readline while the command prints, back in after it */
	rl_callback_handler_remove();
	if (*line)
		add_history(line);
	tc.in_readline = false;
	tc_term_prompt(false);
	{
		/* Enter on an empty line: next, step, x, list again */
		const char *rep = tc_repeat_line(line);

		if (rep) {
			free(line);
			line = strdup(rep);
		}
	}
	if (line && !tc_run_command(line))
		repl_quit = true;
	tc_term_sync();
	tc_display_flush();
	free(line);
	if (!repl_quit) {
		tc_term_prompt(true);
		tc.in_readline = true;
		rl_callback_handler_install("(tracectl) ", on_line);
	}
}

static void
on_sigint(int sig)
{
	(void)sig;
	tc.sigint = 1;
}

static void
repl_tty(void)
{
	char hist[4096];
	const char *home = getenv("HOME");

	hist[0] = 0;
	if (home) {
		snprintf(hist, sizeof(hist), "%s/.tracectl_history", home);
		read_history(hist);
	}
	tc_term_init(true);
	tc_term_prompt(true);
	tc_prompt_init();
	rl_callback_handler_install("(tracectl) ", on_line);
	tc.in_readline = true;
	while (!repl_quit) {
		struct pollfd p[3] = {
			{ .fd = 0, .events = POLLIN },
			{ .fd = tr_cl_fd(tc.cl), .events = POLLIN },
			{ .fd = tc_term_master_fd(), .events = POLLIN },
		};

		if (poll(p, p[2].fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR) {
				/* Ctrl-C at the prompt: the line typed so
				 * far is dropped, a new prompt drawn */
				if (tc.sigint && tc.in_readline) {
					/* libedit's rl_replace_line ignores
					 * an empty line, and rl_delete_text
					 * never takes the last character: a
					 * blank, which commands ignore */
					rl_replace_line(" ", 0);
					rl_callback_handler_remove();
					fputs("^C\n", stdout);
					rl_callback_handler_install(
						"(tracectl) ", on_line);
				}
				tc.sigint = 0;
				continue;
			}
			break;
		}
		if (p[1].revents) {
			if (tr_cl_poll_notifications(tc.cl) < 0) {
				fprintf(stderr, "\ntracectl: tracerd hung "
					"up\n");
				tc.failed = true;
				break;
			}
			tc_display_flush();
		}
		if (p[2].fd >= 0 && p[2].revents & POLLIN) {
			/* the program wrote while the prompt is up: its
			 * output above the prompt, which is drawn again */
			fputs("\r\033[K", stdout);
			tc_term_sync();
			rl_forced_update_display();
		}
		if (p[0].revents)
			rl_callback_read_char();
	}
	if (tc.in_readline)
		rl_callback_handler_remove();
	if (hist[0])
		write_history(hist);
}

static void
repl_pipe(void)
{
	char *line = NULL;
	size_t cap = 0;

	tc.script = true;
	tc_term_init(false);
	while (getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\n")] = 0;
		if (tc.echo && line[0] && line[0] != '#')
			printf("(tracectl) %s\n", line);
		else if (tc.echo && line[0] == '#')
			printf("%s\n", line);
		fflush(stdout);
		if (!tc_run_command(line))
			break;
		tc_display_flush();
		if (tr_cl_poll_notifications(tc.cl) < 0)
			break;
		tc_display_flush();
	}
	free(line);
}

/* --raw: bytes of stdin to the socket as they are, replies to stdout. */
static int
raw_mode(void)
{
	char buf[65536];
	bool in_open = true;
	int fd = tr_cl_fd(tc.cl);

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = 0, .events = POLLIN } };
		int k = poll(p, in_open ? 2 : 1, in_open ? -1 : 500);
		ssize_t n;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0; /* stdin done and the server quiet */
		if (p[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			fwrite(buf, 1, (size_t)n, stdout);
			fflush(stdout);
		}
		if (in_open && p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				in_open = false;
				continue;
			}
			if (tr_cl_send_raw(tc.cl, buf, (size_t)n))
				return 1;
		}
	}
}

static void
usage(FILE *f)
{
	fputs("usage: tracectl [OPTIONS] [COMMAND [ARGS...]]\n"
	      "\n"
	      "The client of tracerd. With a COMMAND, runs it and exits;\n"
	      "without, reads commands (gdb-like; \"help\" lists them) from\n"
	      "the terminal with line editing and history, or from stdin.\n"
	      "\n"
	      "  -s, --socket PATH    tracerd's Unix socket (default as\n"
	      "                       tracerd's: $TRACERD_SOCKET, ...)\n"
	      "  -c, --connect HOST:PORT\n"
	      "                       a TCP listener instead\n"
	      "  --token-file FILE    the token a TCP listener asks for\n"
	      "  -S, --session N      the session commands are about\n"
	      "                       (default: the only one)\n"
	      "  --json               print results and events as JSON\n"
	      "  --echo               echo commands read from stdin\n"
	      "  --raw                copy stdin to the socket and the\n"
	      "                       socket to stdout, unparsed\n"
	      "  -h, --help, -V, --version\n"
	      "\n"
	      "Exit status: 0 if every command succeeded, 1 if one failed,\n"
	      "2 for a bad command line.\n",
	      f);
}

int
main(int argc, char **argv)
{
	enum { O_TOKEN = 256, O_JSON, O_ECHO, O_RAW };
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "connect", required_argument, NULL, 'c' },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "session", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, O_JSON },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "raw", no_argument, NULL, O_RAW },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *tcp = NULL, *token_file = NULL;
	char where[256], token[256], why[512];
	unsigned long sid = 0;
	bool raw = false;
	struct sigaction sa = { .sa_handler = on_sigint };
	int c, err;

	while ((c = getopt_long(argc, argv, "+s:c:S:hV", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			tcp = optarg;
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case 'S':
			sid = strtoul(optarg, NULL, 10);
			break;
		case O_JSON:
			tc.json = true;
			break;
		case O_ECHO:
			tc.echo = true;
			break;
		case O_RAW:
			raw = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tracectl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (tcp)
		snprintf(where, sizeof(where), "tcp:%s", tcp);
	else if (sock)
		snprintf(where, sizeof(where), "unix:%s", sock);
	if (token_file) {
		err = tr_ep_read_token(token_file, token, sizeof(token), why,
				       sizeof(why));
		if (err) {
			fprintf(stderr, "tracectl: --token-file %s: %s\n",
				token_file, why);
			return 2;
		}
	}
	/* `tracectl help [COMMAND]` needs no daemon */
	if (!raw && optind < argc &&
	    (!strcmp(argv[optind], "help") || !strcmp(argv[optind], "h"))) {
		if (optind + 1 < argc)
			tc_help_command(argv[optind + 1]);
		else
			tc_help_command("all");
		return tc.failed ? 1 : 0;
	}
	err = tr_cl_connect(tcp || sock ? where : NULL,
			    token_file ? token : NULL, &tc.cl, why,
			    sizeof(why));
	if (err) {
		fprintf(stderr, "tracectl: %s\n", why);
		return 1;
	}
	tr_cl_set_notify(tc.cl, tc_on_notify, NULL);
	if (sid)
		tr_cl_set_session(tc.cl, tc.session = (uint32_t)sid);
	sigaction(SIGINT, &sa, NULL);
	if (raw) {
		err = raw_mode();
	} else if (optind < argc) {
		/* one command: its words joined */
		size_t len = 1;
		char *line;

		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		line = calloc(1, len);
		for (int i = optind; i < argc; i++) {
			strcat(line, argv[i]);
			if (i + 1 < argc)
				strcat(line, " ");
		}
		tc_run_command(line);
		tc_display_flush();
		free(line);
		err = tc.failed;
	} else if (isatty(0)) {
		repl_tty();
		err = 0;
	} else {
		repl_pipe();
		err = tc.failed;
	}
	tc_term_end();
	tr_cl_free(tc.cl);
	return err ? 1 : 0;
}
