/* forks.h: gdb's follow-fork-mode, detach-on-fork and catch fork/vfork/exec for JSON-RPC sessions. */
#ifndef TR_SERVER_JSONRPC_FORKS_H
#define TR_SERVER_JSONRPC_FORKS_H

#include <stdbool.h>

#include "core/call.h"
#include "target/event.h"

/* fork_settings {follow?: "parent"|"child", detach_on_fork?: bool,
 * catch_fork?, catch_vfork?, catch_exec?: bool}: set what is given,
 * answer with all of them. */
int srv_m_fork_settings(struct srv_call *x);
/* srv_fork_stop: what a continue does at the stop ev: a fork or vfork
 * child is followed or let go as the settings say (ev->pid: the process
 * followed); an exec'd program gets the session's breakpoints set again.
 * true: the stop is not to be reported (nothing caught it): run on. */
bool srv_fork_stop(struct srv_sess *ss, struct tr_event *ev);

#endif
