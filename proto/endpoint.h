/* endpoint.h: where tracerd listens: the default Unix socket, TCP addresses, tokens. */
#ifndef TR_PROTO_ENDPOINT_H
#define TR_PROTO_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * tr_ep_default_socket: the default socket path, the same for the daemon
 * and its clients: $TRACERD_SOCKET if set, else
 * $XDG_RUNTIME_DIR/tracerd/tracerd.sock, else /tmp/tracerd-UID/tracerd.sock.
 * 0, or -TR_ERANGE when it does not fit in len.
 */
int tr_ep_default_socket(char *buf, size_t len);

/*
 * tr_ep_parse_tcp: "HOST:PORT" (HOST an IPv4 address, "[v6]", or
 * "localhost") into *ss / *sslen. *loopback tells whether it is a loopback
 * address. 0 or -TR_EINVAL.
 */
int tr_ep_parse_tcp(const char *spec, struct sockaddr_storage *ss,
		    socklen_t *sslen, bool *loopback);

/* The shortest token tracerd and tracectl take. */
#define TR_EP_TOKEN_MIN 16

/*
 * tr_ep_read_token: the token in file `path`: its first line, without the
 * newline, at least TR_EP_TOKEN_MIN and at most len - 2 bytes, no control
 * characters. The file must be a regular file of ours (or root's) that
 * nobody else may read or write (mode 0600 or 0400), as ssh wants of its
 * keys; symbolic links are not followed. 0, or -TR_EINVAL / -TR_EPERM /
 * an open error with why[] saying what is wrong.
 */
int tr_ep_read_token(const char *path, char *buf, size_t len, char *why,
		     size_t whylen);

/*
 * tr_ep_tcp_peer_uid: the uid of the process at the other end of the
 * connected TCP socket fd, when that end is on this machine (in the same
 * network namespace): the owner of the socket whose local address is
 * our peer's and remote address ours, in /proc/net/tcp or tcp6, as
 * Delve's --only-same-user finds it. 0 with *uid, -TR_ENOENT when no
 * such socket is listed (the peer is elsewhere, or already gone).
 */
int tr_ep_tcp_peer_uid(int fd, uid_t *uid);

/* tr_ep_is_loopback: ss (AF_INET or AF_INET6, IPv4-mapped too) is a
 * loopback address. */
bool tr_ep_is_loopback(const struct sockaddr_storage *ss);

/*
 * tr_ep_check_socket_dir: the directory of socket path `path` may be
 * trusted by a client: ours or root's, and writable by nobody else (who
 * could otherwise put a socket of theirs in its place). 0, or -TR_EPERM
 * (or a stat error) with why[] saying what is wrong.
 */
int tr_ep_check_socket_dir(const char *path, char *why, size_t whylen);

#endif
