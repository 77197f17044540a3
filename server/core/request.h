/* request.h: a JSON-RPC client's requests, from its bytes to their method (the core's own). */
#ifndef TR_SERVER_CORE_REQUEST_H
#define TR_SERVER_CORE_REQUEST_H

struct srv_conn;

/* srv__request_read: EPOLLIN on c: read what it sent and handle every
 * whole request line in it (answered at once, or queued on its session);
 * a hang-up closes c. Epoll thread. */
void srv__request_read(struct srv_conn *c);

#endif
