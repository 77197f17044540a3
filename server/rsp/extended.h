/* extended.h: the session a connection drives: taking it on, letting it go, ending it, and making one (vRun, vAttach). */
#ifndef TR_SERVER_RSP_EXTENDED_H
#define TR_SERVER_RSP_EXTENDED_H

#include <stdbool.h>

#include "core/sess.h"
#include "rsp/rsp_int.h"

/* rsp_bind_session: drive ss (NULL: none) from now on, from its last
 * stop; r's register cache, breakpoints and Hg/Hc go. ss's target_mu
 * held. */
void rsp_bind_session(struct rsp *r, struct srv_sess *ss);
/* rsp_drop_session: let go of the session (and its reference): its
 * target was killed, detached, or has exited (how: what its followers
 * are told; NULL: nothing happened to it). Called with target_mu held;
 * leaves it unlocked. */
void rsp_drop_session(struct rsp *r, const char *how);
/* rsp_end_target: kill (or detach from) the target and end its session,
 * its target_mu held (this unlocks it). */
void rsp_end_target(struct rsp *r, bool kill_it);
/* rsp_v_run: vRun;PROGRAM;ARG...: p from the first ;. rsp_v_attach:
 * vAttach;PID: p after the ;. Each makes a session and answers with its
 * first stop. */
int rsp_v_run(struct rsp *r, const char *p);
int rsp_v_attach(struct rsp *r, const char *p);
/* rsp_restart: R (extended-remote): relaunch the program; no reply. */
int rsp_restart(struct rsp *r);

#endif
