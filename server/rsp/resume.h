/* resume.h: running the target: c, C, s, S, vCont, and the signals passed without a stop. */
#ifndef TR_SERVER_RSP_RESUME_H
#define TR_SERVER_RSP_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rsp/rsp_int.h"

/* rsp_resume: step (thread tid, 0: the current one) or continue,
 * delivering sig (0: none), and answer with the stop; ^C from the client
 * interrupts. The session's target_mu held throughout. */
int rsp_resume(struct rsp *r, bool step, pid_t tid, int sig);
/* rsp_vcont: vCont;ACTION[:TID]...: p from the first ;. */
int rsp_vcont(struct rsp *r, const char *p);
/* rsp_resume_signal: the signal of C, S or a vCont;C action: exactly two
 * hex digits p[0..n) of gdb's numbering, into *sig (0: none). 0, or -1
 * when malformed or not a signal we can deliver. */
int rsp_resume_signal(const char *p, size_t n, int *sig);
/* rsp_pass_signals: QPassSignals:SIG;SIG...: p after the colon. */
int rsp_pass_signals(struct rsp *r, const char *p);

#endif
