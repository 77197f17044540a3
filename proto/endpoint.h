/* endpoint.h: where tracerd listens: the default Unix socket, TCP addresses, tokens. */
#ifndef TR_PROTO_ENDPOINT_H
#define TR_PROTO_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

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

/*
 * tr_ep_read_token: the token in file `path`: its first line, without the
 * newline; at least 16 and at most len - 1 bytes. 0, -TR_EINVAL (too
 * short, too long, empty) or the error of opening it.
 */
int tr_ep_read_token(const char *path, char *buf, size_t len);

#endif
