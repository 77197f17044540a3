/* passfd.h: file descriptors a client passes over a Unix socket (SCM_RIGHTS), for a launch's stdin, stdout and stderr. */
#ifndef TR_SERVER_CORE_PASSFD_H
#define TR_SERVER_CORE_PASSFD_H

#include <sys/types.h>

struct srv_conn;

/* srv__recv_fds: recv() of c's socket that also keeps the descriptors
 * passed with the bytes (up to SRV_MAX_PASSED_FDS; a new set replaces
 * one no request took). TCP: plain recv. The epoll thread. */
ssize_t srv__recv_fds(struct srv_conn *c, void *buf, size_t len);

/* srv_conn_take_fds: the descriptors c passed last, now the caller's
 * (fds has room for SRV_MAX_PASSED_FDS); how many. Any thread. */
unsigned srv_conn_take_fds(struct srv_conn *c, int *fds);

/* srv__conn_drop_fds: close the ones no request took (c going away). */
void srv__conn_drop_fds(struct srv_conn *c);

#endif
