/* fuzz_rsp_packet.c: libFuzzer harness for the GDB remote protocol's packet handlers (server/rsp/), on a real session set up as the daemon sets one up (srv_sess_start: a traced program, its worker, the session's threads), replies going to a socket nobody reads carefully. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/server.h"
#include "core/sess.h"
#include "rsp/conn.h"
#include "rsp/packet.h"

static struct rsp *conn;
static const char *tracee; /* $FUZZ_TRACEE: tests/tracees/e2e */
static int peer;

/* The client's end: whatever the handlers send is read and dropped. */
static void *
drain(void *arg)
{
	char buf[65536];

	(void)arg;
	while (read(peer, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

/* A session on a freshly launched program, for the connection. */
static void
new_session(void)
{
	char *argv[] = { (char *)tracee, "spin", NULL };
	struct tr_launch l = { .path = tracee, .argv = argv,
			       .stdin_fd = -1, .stdout_fd = -1,
			       .stderr_fd = -1 };
	struct srv_sess *ss;
	int err;

	/* sessions that ended (k, D, S09...) are joined, as the epoll
	 * loop would */
	srv__sess_reap(false);
	l.stdout_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ss = srv_sess_start(&l, 0, &err);
	close(l.stdout_fd);
	if (!ss) {
		fprintf(stderr, "fuzz_rsp_packet: cannot launch %s: %d\n",
			tracee, err);
		exit(1);
	}
	rsp_conn_bind(conn, ss);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct srv_opts o = { 0 };
	static const struct srv_hooks h = { 0 };
	int sv[2];
	sigset_t mask;
	pthread_t th;

	(void)argc;
	(void)argv;
	tracee = getenv("FUZZ_TRACEE");
	if (!tracee) {
		fprintf(stderr, "fuzz_rsp_packet: set FUZZ_TRACEE to the "
			"program to trace (tests/tracees/e2e)\n");
		exit(1);
	}
	/* as srv_run: SIGCHLD blocked before any thread exists */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv_core_init(&o, &h) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	peer = sv[1];
	/* a local client of our uid, as the --gdb listener admits one */
	conn = rsp_conn_new(sv[0], NULL, true);
	if (!conn)
		abort();
	pthread_create(&th, NULL, drain, NULL);
	new_session();
	return 0;
}

/* Packets left out: they run the target without end (c, C, vCont with a
 * continue), end or replace the session on every input (k, D, vKill,
 * vRun, vAttach to any pid), or run code of the input's choosing in the
 * target (monitor eval). Steps, register and memory writes stay: a
 * target they kill is replaced. */
static bool
left_out(const char *p, size_t n)
{
	if (!n)
		return false;
	switch (p[0]) {
	case 'c': case 'C': case 'k': case 'D': case '!':
		return true;
	case 'v':
		return !strncmp(p, "vRun", 4) || !strncmp(p, "vAttach", 7) ||
		       !strncmp(p, "vKill", 5) ||
		       (!strncmp(p, "vCont;", 6) &&
			(strstr(p, ";c") || strstr(p, ";C")));
	case 'q':
		return !strncmp(p, "qRcmd,", 6) &&
		       (!strncmp(p + 6, "6576616c", 8) ||   /* eval */
			!strncmp(p + 6, "7072696e74", 10) || /* print */
			!strncmp(p + 6, "7020", 4));         /* "p " */
	default:
		return false;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	/* up to 8 packets, one per line */
	for (int i = 0; i < 8 && off <= size; i++) {
		const char *start = (const char *)data + off;
		const char *nl = memchr(start, '\n', size - off);
		size_t n = nl ? (size_t)(nl - start) : size - off;
		char *p = malloc(n + 1);

		if (!p)
			return 0;
		memcpy(p, start, n);
		p[n] = 0; /* as tr_rsp_next hands them out */
		if (!left_out(p, n))
			rsp_locked_packet(conn, p, n);
		free(p);
		if (!rsp_conn_live(conn)) {
			/* S09 and friends: let the dead one go */
			rsp_conn_drop(conn, true);
			new_session();
		}
		if (!nl)
			break;
		off += n + 1;
	}
	return 0;
}
