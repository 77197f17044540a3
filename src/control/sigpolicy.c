/* sigpolicy.c: gdb's per-signal stop/print/pass policy, names and descriptions, for Linux's signals. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "control/sigpolicy.h"

/* gdb 13's descriptions (gdb/infrun.c's table, as `info signals` prints
 * them), in its order, for the signals Linux has. */
static const struct {
	int sig;
	const char *name, *desc;
} sigs[] = {
	{ SIGHUP, "SIGHUP", "Hangup" },
	{ SIGINT, "SIGINT", "Interrupt" },
	{ SIGQUIT, "SIGQUIT", "Quit" },
	{ SIGILL, "SIGILL", "Illegal instruction" },
	{ SIGTRAP, "SIGTRAP", "Trace/breakpoint trap" },
	{ SIGABRT, "SIGABRT", "Aborted" },
	{ SIGFPE, "SIGFPE", "Arithmetic exception" },
	{ SIGKILL, "SIGKILL", "Killed" },
	{ SIGBUS, "SIGBUS", "Bus error" },
	{ SIGSEGV, "SIGSEGV", "Segmentation fault" },
	{ SIGSYS, "SIGSYS", "Bad system call" },
	{ SIGPIPE, "SIGPIPE", "Broken pipe" },
	{ SIGALRM, "SIGALRM", "Alarm clock" },
	{ SIGTERM, "SIGTERM", "Terminated" },
	{ SIGURG, "SIGURG", "Urgent I/O condition" },
	{ SIGSTOP, "SIGSTOP", "Stopped (signal)" },
	{ SIGTSTP, "SIGTSTP", "Stopped (user)" },
	{ SIGCONT, "SIGCONT", "Continued" },
	{ SIGCHLD, "SIGCHLD", "Child status changed" },
	{ SIGTTIN, "SIGTTIN", "Stopped (tty input)" },
	{ SIGTTOU, "SIGTTOU", "Stopped (tty output)" },
	{ SIGIO, "SIGIO", "I/O possible" },
	{ SIGXCPU, "SIGXCPU", "CPU time limit exceeded" },
	{ SIGXFSZ, "SIGXFSZ", "File size limit exceeded" },
	{ SIGVTALRM, "SIGVTALRM", "Virtual timer expired" },
	{ SIGPROF, "SIGPROF", "Profiling timer expired" },
	{ SIGWINCH, "SIGWINCH", "Window size changed" },
	{ SIGUSR1, "SIGUSR1", "User defined signal 1" },
	{ SIGUSR2, "SIGUSR2", "User defined signal 2" },
	{ SIGPWR, "SIGPWR", "Power fail/restart" },
	{ SIGSTKFLT, "SIGSTKFLT", "Stack fault" },
};
#define NSIGS (sizeof(sigs) / sizeof(sigs[0]))

static int order[NSIG];
static size_t norder;
static char rtnames[NSIG][8], rtdescs[NSIG][24];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
make_tables(void)
{
	for (size_t i = 0; i < NSIGS; i++)
		order[norder++] = sigs[i].sig;
	/* gdb names the real-time signals by number: SIG32 .. SIG64 */
	for (int s = 32; s < NSIG; s++) {
		snprintf(rtnames[s], sizeof(rtnames[s]), "SIG%d", s);
		snprintf(rtdescs[s], sizeof(rtdescs[s]), "Real-time event %d",
			 s);
		order[norder++] = s;
	}
}

const int *
tr_signal_order(size_t *n)
{
	pthread_once(&once, make_tables);
	*n = norder;
	return order;
}

const char *
tr_signal_name(int sig)
{
	pthread_once(&once, make_tables);
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].sig == sig)
			return sigs[i].name;
	if (sig >= 32 && sig < NSIG)
		return rtnames[sig];
	return "?";
}

const char *
tr_signal_description(int sig)
{
	pthread_once(&once, make_tables);
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].sig == sig)
			return sigs[i].desc;
	if (sig >= 32 && sig < NSIG)
		return rtdescs[sig];
	return "Unknown signal";
}

int
tr_signal_number(const char *name)
{
	char *end;
	long n;

	if (!name || !*name)
		return 0;
	n = strtol(name, &end, 10);
	if (!*end)
		return n > 0 && n < NSIG ? (int)n : 0;
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < NSIGS; i++)
		if (!strcasecmp(sigs[i].name + 3, name))
			return sigs[i].sig;
	if (!strcasecmp(name, "POLL"))
		return SIGIO;
	n = strtol(name, &end, 10);
	if (!*end && n >= 32 && n < NSIG)
		return (int)n;
	return 0;
}

void
tr_sigpolicy_init(struct tr_sigpolicy *p)
{
	for (int s = 0; s < NSIG; s++)
		p->f[s] = TR_SIG_STOP | TR_SIG_PRINT | TR_SIG_PASS;
	p->f[0] = 0;
	p->f[SIGALRM] = p->f[SIGURG] = p->f[SIGCHLD] = p->f[SIGIO] =
		p->f[SIGVTALRM] = p->f[SIGPROF] = p->f[SIGWINCH] = TR_SIG_PASS;
	p->f[SIGINT] = p->f[SIGTRAP] = TR_SIG_STOP | TR_SIG_PRINT;
}

int
tr_sigpolicy_set(struct tr_sigpolicy *p, int sig, unsigned set,
		 unsigned clear)
{
	unsigned f;

	if (sig <= 0 || sig >= NSIG)
		return -TR_EINVAL;
	f = (p->f[sig] | set) & ~clear;
	if (set & TR_SIG_STOP)
		f |= TR_SIG_PRINT;
	if (clear & TR_SIG_PRINT)
		f &= ~(unsigned)TR_SIG_STOP;
	p->f[sig] = (unsigned char)f;
	return 0;
}
