/*
 * terminal.c: the launched program's terminal, as gdb gives it one: its
 * stdin, stdout and stderr are tracectl's (passed to tracerd with the
 * launch request over the Unix socket, SCM_RIGHTS), through a
 * pseudo-terminal tracectl relays when it reads commands from a terminal
 * (the program sees a terminal, its output comes here, and tracectl's
 * own output starts on a line of its own after a program's unfinished
 * line; while it runs, the user's terminal is raw and keystrokes go to
 * it, but for the interrupt character, which interrupts it), else its stdout and stderr as they are with stdin /dev/null.
 * "run > out.txt" (<, >, >>, 2>, 2>&1) and "tty PATH" / "set
 * inferior-tty PATH" give it files or another terminal instead.
 * One-shot commands leave the program with tracerd's own stdio.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/tracectl.h"

static struct {
	bool on;          /* pass the program its stdio */
	bool unix_sock;   /* descriptors can be passed */
	bool pty;         /* interactive: relayed through master/slave */
	int master, slave;
	int wake[2];      /* wakes the relay thread */
	pthread_t th;
	pthread_mutex_t mu;
	bool running;     /* a run request is waiting: stdin goes to the
			   * program */
	bool prompt;      /* the prompt is up: the main loop relays */
	bool midline;     /* the program's last output ended mid-line */
	char *tty;        /* set inferior-tty */
	struct termios user; /* the user's terminal as tracectl found it */
	bool have_user;
	/* redirections of the next launch: "run > out.txt" */
	char *redir[3];
	bool append[3];
	bool err_to_out;
} T = { .master = -1, .slave = -1, .wake = { -1, -1 },
	.mu = PTHREAD_MUTEX_INITIALIZER };

static void
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* The program's output waiting in the master, to stdout (tracectl's
 * own buffered output first when on the main thread: the relay thread
 * stays out of stdio). T.mu held. */
static void
drain_locked(bool main_thread)
{
	char buf[4096];
	ssize_t k;

	if (T.master < 0)
		return;
	if (main_thread)
		fflush(stdout);
	while ((k = read(T.master, buf, sizeof(buf))) > 0) {
		write_all(1, buf, (size_t)k);
		T.midline = buf[k - 1] != '\n';
	}
}

void
tc_term_sync(void)
{
	if (!T.pty)
		return;
	pthread_mutex_lock(&T.mu);
	drain_locked(true);
	if (T.midline) {
		write_all(1, "\n", 1);
		T.midline = false;
	}
	pthread_mutex_unlock(&T.mu);
}

static void
wake(void)
{
	if (T.wake[1] >= 0 && write(T.wake[1], "", 1) < 0)
		(void)0;
}

/* The relay while no prompt is up: the program's output to stdout, and
 * while it runs, what is typed to it (the terminal cooked: lines, ^D an
 * end of file). */
static void *
relay_main(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct pollfd p[3] = { { .fd = T.wake[0], .events = POLLIN } };
		int n = 1;
		bool prompt, running;

		pthread_mutex_lock(&T.mu);
		prompt = T.prompt;
		running = T.running;
		pthread_mutex_unlock(&T.mu);
		if (!prompt) {
			p[n].fd = T.master;
			p[n++].events = POLLIN;
		}
		if (running && !prompt) {
			p[n].fd = 0;
			p[n++].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			char b[64];

			if (read(T.wake[0], b, sizeof(b)) <= 0)
				break; /* tc_term_end */
		}
		pthread_mutex_lock(&T.mu);
		if (!T.prompt) {
			drain_locked(false);
			if (n == 3 && p[2].revents && T.running) {
				char buf[4096];
				ssize_t k = read(0, buf, sizeof(buf));

				/* the terminal is raw: its interrupt
				 * character interrupts the program, as
				 * Ctrl-C does at gdb's; the rest is the
				 * program's, its pseudo-terminal's line
				 * discipline echoing and editing */
				for (ssize_t i = 0; i < k; i++) {
					if (T.have_user &&
					    (unsigned char)buf[i] ==
						    T.user.c_cc[VINTR]) {
						/* to the main thread, as
						 * the terminal would */
						kill(getpid(), SIGINT);
						continue;
					}
					write_all(T.master, &buf[i], 1);
				}
			}
		}
		pthread_mutex_unlock(&T.mu);
	}
	return NULL;
}

static bool
open_pty(void)
{
	struct termios ts;
	struct winsize ws;
	char *name;

	T.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (T.master < 0 || grantpt(T.master) || unlockpt(T.master) ||
	    !(name = ptsname(T.master)))
		goto fail;
	T.slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (T.slave < 0)
		goto fail;
	/* as the user's terminal: while the program runs, that one is
	 * raw and this one does the echo and line editing, as the program
	 * asks (a readline of its own included) */
	if (tcgetattr(0, &ts) == 0) {
		T.user = ts;
		T.have_user = true;
		tcsetattr(T.slave, TCSANOW, &ts);
	}
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(T.slave, TIOCSWINSZ, &ws);
	fcntl(T.master, F_SETFL, fcntl(T.master, F_GETFL) | O_NONBLOCK);
	if (pipe2(T.wake, O_CLOEXEC))
		goto fail;
	if (pthread_create(&T.th, NULL, relay_main, NULL))
		goto fail;
	return true;
fail:
	if (T.master >= 0)
		close(T.master);
	if (T.slave >= 0)
		close(T.slave);
	for (int i = 0; i < 2; i++)
		if (T.wake[i] >= 0)
			close(T.wake[i]);
	T.master = T.slave = T.wake[0] = T.wake[1] = -1;
	return false;
}

void
tc_term_init(bool interactive)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	T.on = true;
	T.unix_sock = getsockname(tr_cl_fd(tc.cl), (struct sockaddr *)&sa,
				  &len) == 0 && sa.ss_family == AF_UNIX;
	if (interactive && T.unix_sock)
		T.pty = open_pty();
}

void
tc_term_end(void)
{
	if (T.pty) {
		tc_term_sync();
		close(T.wake[1]);
		pthread_join(T.th, NULL);
		close(T.wake[0]);
		close(T.master);
		close(T.slave);
		T.pty = false;
	}
	for (int i = 0; i < 3; i++)
		free(T.redir[i]);
	free(T.tty);
}

void
tc_term_prompt(bool up)
{
	if (!T.pty)
		return;
	pthread_mutex_lock(&T.mu);
	T.prompt = up;
	pthread_mutex_unlock(&T.mu);
	wake();
}

int
tc_term_master_fd(void)
{
	return T.pty ? T.master : -1;
}

/* ---- the launch request ------------------------------------------------- */

static bool
is_run_method(const char *m)
{
	static const char *const run[] = { "continue", "step", "next",
					   "finish", "stepi", "nexti",
					   "until", "advance", "jump",
					   "signal", NULL };

	for (int i = 0; run[i]; i++)
		if (!strcmp(m, run[i]))
			return true;
	return false;
}

/* An open file for redirection i (0 stdin, 1 stdout, 2 stderr) */
static int
open_redir(int i)
{
	int fl = i == 0 ? O_RDONLY
			: O_WRONLY | O_CREAT |
				  (T.append[i] ? O_APPEND : O_TRUNC);
	int fd = open(T.redir[i], fl | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0)
		printf("%s: %s.\n", T.redir[i], strerror(errno));
	return fd;
}

/* params with "stdio":"passed" added (params is freed) */
static char *
add_stdio(char *params)
{
	const char *rest = params ? strchr(params, '{') : NULL;
	char *out;

	if (!rest)
		return params ? params : strdup("{\"stdio\":\"passed\"}");
	rest++;
	while (isspace((unsigned char)*rest))
		rest++;
	if (asprintf(&out, "{\"stdio\":\"passed\"%s%s", *rest == '}' ? "" : ",",
		     rest) < 0)
		return params;
	free(params);
	return out;
}

static int opened[3] = { -1, -1, -1 };

int
tc_term_call_begin(const char *method, char **params)
{
	int fds[3] = { -1, -1, -1 };
	bool any = false;

	/* what tracectl printed goes before anything the program prints */
	fflush(stdout);

	if (T.pty && is_run_method(method)) {
		pthread_mutex_lock(&T.mu);
		T.running = true;
		if (T.have_user) {
			struct termios raw = T.user;

			/* keystrokes go as they come; output as before */
			raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHOE | ECHOK |
						   ECHONL | ISIG | IEXTEN);
			raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
			raw.c_cc[VMIN] = 1;
			raw.c_cc[VTIME] = 0;
			tcsetattr(0, TCSANOW, &raw);
		}
		pthread_mutex_unlock(&T.mu);
		wake();
	}
	if (!T.on || strcmp(method, "launch"))
		return 0;
	for (int i = 0; i < 3; i++) {
		if (T.redir[i])
			any = true;
	}
	if (!T.unix_sock) {
		/* over TCP only paths: tracerd opens them (files of its
		 * machine, as this user) */
		for (int i = 0; i < 3; i++)
			free(T.redir[i]), T.redir[i] = NULL;
		return 0;
	}
	if (T.tty) {
		int fd = open(T.tty, O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (fd < 0) {
			printf("%s: %s.\n", T.tty, strerror(errno));
			tc.failed = true;
			return -1;
		}
		opened[0] = fd;
		fds[0] = fds[1] = fds[2] = fd;
	} else if (T.pty) {
		fds[0] = fds[1] = fds[2] = T.slave;
	} else {
		opened[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		fds[0] = opened[0];
		fds[1] = 1;
		fds[2] = 2;
	}
	for (int i = 0; any && i < 3; i++) {
		if (!T.redir[i])
			continue;
		if (opened[i] >= 0 && i)
			close(opened[i]);
		opened[i] = open_redir(i);
		if (opened[i] < 0) {
			tc.failed = true;
			tc_term_call_end(method);
			return -1;
		}
		fds[i] = opened[i];
	}
	if (T.err_to_out)
		fds[2] = fds[1];
	for (int i = 0; i < 3; i++) {
		free(T.redir[i]);
		T.redir[i] = NULL;
	}
	T.err_to_out = false;
	if (fds[0] < 0)
		return 0;
	tr_cl_pass_fds(tc.cl, fds, 3);
	*params = add_stdio(*params);
	return 0;
}

void
tc_term_call_end(const char *method)
{
	if (T.pty && is_run_method(method)) {
		pthread_mutex_lock(&T.mu);
		T.running = false;
		if (T.have_user)
			tcsetattr(0, TCSANOW, &T.user);
		pthread_mutex_unlock(&T.mu);
		wake();
	}
	for (int i = 0; i < 3; i++)
		if (opened[i] >= 0) {
			close(opened[i]);
			opened[i] = -1;
		}
	(void)method;
}

/* ---- commands ------------------------------------------------------------ */

/*
 * Redirections in a run/start/launch line: removed from it, kept for the
 * launch. "<F", "< F", ">F", "> F", ">>F", "2>F", "2>&1" as words.
 */
void
tc_term_parse_redirs(char *line)
{
	char *cmd = line, *p, *out;
	size_t n;

	while (isspace((unsigned char)*cmd))
		cmd++;
	n = strcspn(cmd, " \t");
	if (!((n == 3 && !strncmp(cmd, "run", 3)) ||
	      (n == 1 && *cmd == 'r') || (n == 5 && !strncmp(cmd, "start", 5)) ||
	      (n == 6 && !strncmp(cmd, "launch", 6))))
		return;
	p = out = cmd + n;
	while (*p) {
		char *w = p, *f;
		int which = -1;
		bool app = false;

		while (isspace((unsigned char)*w))
			w++;
		if (!*w)
			break;
		if (!strncmp(w, "2>&1", 4) &&
		    (!w[4] || isspace((unsigned char)w[4]))) {
			T.err_to_out = true;
			p = w + 4;
			continue;
		}
		f = w;
		if (*f == '<')
			which = 0, f++;
		else if (!strncmp(f, "2>", 2))
			which = 2, f += 2;
		else if (*f == '>')
			which = 1, f++;
		if (which > 0 && *f == '>')
			app = true, f++;
		if (which < 0) {
			/* a word of the program's: kept */
			size_t wl = strcspn(w, " \t");

			*out++ = ' ';
			memmove(out, w, wl);
			out += wl;
			p = w + wl;
			continue;
		}
		while (isspace((unsigned char)*f))
			f++;
		{
			size_t fl = strcspn(f, " \t");

			free(T.redir[which]);
			T.redir[which] = strndup(f, fl);
			T.append[which] = app;
			p = f + fl;
		}
	}
	*out = 0;
}

bool
tc_term_command(const char *cmd, const char *arg)
{
	bool set = !strcmp(cmd, "set") &&
		   !strncmp(arg, "inferior-tty", 12) &&
		   (!arg[12] || isspace((unsigned char)arg[12]));
	bool show = !strcmp(cmd, "show") && !strcmp(arg, "inferior-tty");

	if (!strcmp(cmd, "tty")) {
		if (!*arg) {
			printf("Argument required (filename to set it to.).\n");
			tc.failed = true;
			return true;
		}
		set = true;
	} else if (set) {
		arg += 12;
		while (isspace((unsigned char)*arg))
			arg++;
	}
	if (show) {
		printf("Terminal for future runs of program being debugged "
		       "is \"%s\".\n", T.tty ? T.tty : "");
		return true;
	}
	if (!set)
		return false;
	free(T.tty);
	T.tty = *arg ? strdup(arg) : NULL;
	return true;
}
