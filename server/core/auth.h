/* auth.h: who may use the daemon: the uid of a local peer, tokens, and the limits on guessing them. */
#ifndef TR_SERVER_CORE_AUTH_H
#define TR_SERVER_CORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct srv_conn;

/* A wrong token is answered (and its connection closed) this late, and
 * at most SRV_MAX_UNAUTHED TCP clients may be without a token at once:
 * a guesser gets a few dozen tries a second instead of 50,000. */
#define SRV_AUTH_DELAY_MS 1000
/* A TCP client that presents no token within this is hung up on. */
#define SRV_AUTH_GRACE_MS 10000
#define SRV_MAX_UNAUTHED 16

/* srv_uid_allowed: a local client of this uid may use the daemon: ours,
 * or one --allow-uid named. Any thread. */
bool srv_uid_allowed(uid_t uid);

/*
 * srv_peer_admit: fd was accepted on a listener (a Unix socket, or TCP
 * when tcp). A Unix peer's uid comes from SO_PEERCRED; a TCP peer on
 * this machine (loopback) is found in /proc/net/tcp{,6}, as Delve's
 * --only-same-user does. Returns 1 when the peer is a local process of
 * an allowed uid, 0 when it is not on this machine (a token must
 * decide), -1 when it is refused (logged, with `what`: "client", "gdb
 * client"). *uid: the peer's uid (ours for a peer from elsewhere, who
 * acts with our rights once it has the token). Any thread.
 */
int srv_peer_admit(int fd, bool tcp, const char *what, uid_t *uid);

/* srv_token_ok: given[0..len) is the daemon's token (compared in a time
 * that does not depend on where they differ). Any thread. */
bool srv_token_ok(const char *given, size_t len);

/* srv_auth_failed: log a wrong token from `who`. Any thread. */
void srv_auth_failed(const char *who);

/* The core's own. */
/* srv__auth_penalize: c presented a wrong token: it is read no more and
 * gets `reply` (taken) and a hang-up SRV_AUTH_DELAY_MS from now. Epoll
 * thread. */
void srv__auth_penalize(struct srv_conn *c, struct tr_buf *reply);
/* srv__auth_tick: answer and close the penalized connections whose time
 * came, and those that stayed without a token past the grace period.
 * Returns how long the loop may sleep (ms, -1: no limit). Epoll thread. */
int srv__auth_tick(void);

#endif
