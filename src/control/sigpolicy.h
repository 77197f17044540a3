/* sigpolicy.h: what a debugger does with each signal the target gets (gdb's handle: stop, print, pass), its defaults, names and descriptions. */
#ifndef TR_CONTROL_SIGPOLICY_H
#define TR_CONTROL_SIGPOLICY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	TR_SIG_STOP = 1 << 0,  /* report the stop to the user */
	TR_SIG_PRINT = 1 << 1, /* tell the user it came (stopping or not) */
	TR_SIG_PASS = 1 << 2,  /* deliver it to the program on resume */
};

/* One flag set per signal number (1..NSIG-1). Not locked. */
struct tr_sigpolicy {
	unsigned char f[NSIG];
};

/*
 * tr_sigpolicy_init: gdb 13's defaults (its `info signals`): every signal
 * stops, prints and passes, except SIGALRM, SIGURG, SIGCHLD, SIGIO,
 * SIGVTALRM, SIGPROF, SIGWINCH (nostop noprint pass), and SIGINT,
 * SIGTRAP (stop print nopass).
 */
void tr_sigpolicy_init(struct tr_sigpolicy *p);

/*
 * tr_sigpolicy_set: set and clear flags of sig with gdb's rules: stop
 * implies print, noprint implies nostop. -TR_EINVAL for a signal out of
 * range.
 */
int tr_sigpolicy_set(struct tr_sigpolicy *p, int sig, unsigned set,
		     unsigned clear);

/*
 * tr_signal_number: the number of a signal name as gdb writes it
 * ("SIGUSR1", "USR1", "SIG34", a number 1..NSIG-1 alone); 0 when there
 * is none.
 */
int tr_signal_number(const char *name);
/* tr_signal_name: "SIGUSR1", "SIG34" (static storage per signal). */
const char *tr_signal_name(int sig);
/* tr_signal_description: gdb's words ("Child status changed",
 * "Real-time event 34"). */
const char *tr_signal_description(int sig);

/* tr_signal_order: the signals in the order gdb's `info signals` lists
 * them; *n gets the count. */
const int *tr_signal_order(size_t *n);

#endif
