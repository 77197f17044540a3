/* conn.h: the Debug Adapter Protocol front end as the core sees it: a connection served on a thread of its own, over TCP or the daemon's stdin/stdout. */
#ifndef TR_SERVER_DAP_CONN_H
#define TR_SERVER_DAP_CONN_H

#include <stdbool.h>

#include "core/listen.h"

/* srv_dap_start: serve DAP on fd (--dap-listen) on a detached thread of
 * its own, which closes fd when the client leaves (srv_rsp_done). ss:
 * the daemon's only session, which an attach to its pid adopts (the
 * reference is taken and dropped at once: a DAP client makes or adopts
 * its session with launch or attach). !authed: a client from elsewhere,
 * which must give the token in launch or attach. 0, or -TR_ENOMEM with
 * fd and ss still the caller's. Epoll thread. */
int srv_dap_start(int fd, struct srv_sess *ss, bool authed);

/* srv_dap_start_stdio: serve DAP on the daemon's stdin and stdout
 * (tracerd --dap, as an editor starts an adapter): they are moved to
 * descriptors of the connection's own, stdin becomes /dev/null and
 * stdout stderr, so that nothing else ever writes into the protocol.
 * The daemon shuts down when the client leaves. 0 or -TR_E*. Main
 * thread, before the loop. */
int srv_dap_start_stdio(void);

/* The front end for the core's --dap-listen listener. */
extern const struct srv_frontend srv_dap_frontend;

#endif
