/* packet.h: one packet from the client, dispatched. */
#ifndef TR_SERVER_RSP_PACKET_H
#define TR_SERVER_RSP_PACKET_H

#include <stddef.h>

#include "rsp/rsp_int.h"

/* rsp_locked_packet: handle packet p[0..len) (decoded, NUL-terminated)
 * under the session's target_mu; a session that another client ended
 * is let go first. -1 ends the connection. The connection's thread. */
int rsp_locked_packet(struct rsp *r, const char *p, size_t len);

#endif
