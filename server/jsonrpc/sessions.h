/* sessions.h: the JSON-RPC methods on sessions, and the server's own. */
#ifndef TR_SERVER_JSONRPC_SESSIONS_H
#define TR_SERVER_JSONRPC_SESSIONS_H

#include "core/call.h"

/* Methods of the table (table.c), run as its flags say; each replies to
 * x. proto/PROTOCOL.md documents their params and results. */
int srv_m_launch(struct srv_call *x);
int srv_m_attach(struct srv_call *x);
int srv_m_detach(struct srv_call *x);
int srv_m_kill(struct srv_call *x);
int srv_m_sessions(struct srv_call *x);
int srv_m_state(struct srv_call *x);
int srv_m_follow(struct srv_call *x);
int srv_m_unfollow(struct srv_call *x);
int srv_m_version(struct srv_call *x);
int srv_m_auth(struct srv_call *x);
int srv_m_shutdown(struct srv_call *x);

#endif
