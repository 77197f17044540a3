/* endpoint.c: where tracerd listens: the default Unix socket, TCP addresses, tokens. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint.h"
#include "base/error.h"

int
tr_ep_default_socket(char *buf, size_t len)
{
	const char *env = getenv("TRACERD_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(buf, len, "%s/tracerd/tracerd.sock", xdg);
	else
		n = snprintf(buf, len, "/tmp/tracerd-%u/tracerd.sock",
			     (unsigned)getuid());
	return n < 0 || (size_t)n >= len ? -TR_ERANGE : 0;
}

int
tr_ep_parse_tcp(const char *spec, struct sockaddr_storage *ss,
		socklen_t *sslen, bool *loopback)
{
	char host[128];
	const char *colon;
	char *end;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':')
			return -TR_EINVAL;
		hl = (size_t)(close - spec - 1);
		if (hl >= sizeof(host))
			return -TR_EINVAL;
		memcpy(host, spec + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return -TR_EINVAL;
		hl = (size_t)(colon - spec);
		if (hl >= sizeof(host))
			return -TR_EINVAL;
		memcpy(host, spec, hl);
	}
	host[hl] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -TR_EINVAL;
	if (!strcmp(host, "localhost") || !*host)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -TR_EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*a);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -TR_EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*a);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
}

int
tr_ep_read_token(const char *path, char *buf, size_t len, char *why,
		 size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	ssize_t got;
	size_t n;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return tr_errno_map(errno);
	}
	/* A token others can read is no secret, and one others wrote is
	 * not ours (ssh refuses such key files for the same reasons). */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		close(fd);
		return -TR_EINVAL;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & 077)) {
		snprintf(why, whylen, "others may read or write it: it must "
			 "be ours (or root's) and mode 0600 or 0400");
		close(fd);
		return -TR_EPERM;
	}
	got = read(fd, buf, len - 1);
	close(fd);
	if (got < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -TR_ESYS;
	}
	buf[got] = 0;
	n = strcspn(buf, "\r\n");
	if (n == (size_t)got && (size_t)got == len - 1) {
		snprintf(why, whylen, "its first line is longer than %zu "
			 "bytes", len - 2);
		return -TR_EINVAL;
	}
	buf[n] = 0;
	if (n < TR_EP_TOKEN_MIN) {
		snprintf(why, whylen, "its first line (the token) must have "
			 "at least %d bytes", TR_EP_TOKEN_MIN);
		return -TR_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			snprintf(why, whylen, "the token has a control "
				 "character");
			return -TR_EINVAL;
		}
	return 0;
}

/* ---- who is at the other end of a socket ---------------------------- */

/* An address as /proc/net/tcp{,6} lists it, IPv4 (also IPv4-mapped
 * IPv6) reduced to four bytes. */
struct ep_addr {
	bool v4;
	uint32_t a[4]; /* in network order, as the kernel prints them */
	uint16_t port;
};

static bool
ep_addr_eq(const struct ep_addr *x, const struct ep_addr *y)
{
	if (x->v4 != y->v4 || x->port != y->port)
		return false;
	return x->v4 ? x->a[0] == y->a[0] : !memcmp(x->a, y->a, sizeof(x->a));
}

static void
ep_addr_of(const struct sockaddr_storage *ss, struct ep_addr *e)
{
	memset(e, 0, sizeof(*e));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;

		e->v4 = true;
		e->a[0] = a->sin_addr.s_addr;
		e->port = ntohs(a->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const void *)ss;

		memcpy(e->a, &a->sin6_addr, 16);
		e->port = ntohs(a->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			e->v4 = true;
			e->a[0] = e->a[3];
			e->a[1] = e->a[2] = e->a[3] = 0;
		}
	}
}

/* "0100007F:1F90" (tcp) or 32 hex digits and a port (tcp6): each 32-bit
 * word is printed as the host sees it (proc(5), net/ipv4/tcp_ipv4.c). */
static int
ep_addr_parse(const char *s, bool v6, struct ep_addr *e)
{
	unsigned words = v6 ? 4 : 1;
	char w[9];
	char *end;

	memset(e, 0, sizeof(*e));
	for (unsigned i = 0; i < words; i++) {
		memcpy(w, s + 8 * i, 8);
		w[8] = 0;
		e->a[i] = (uint32_t)strtoul(w, &end, 16);
		if (*end)
			return -1;
	}
	s += 8 * words;
	if (*s != ':')
		return -1;
	e->port = (uint16_t)strtoul(s + 1, &end, 16);
	e->v4 = !v6;
	if (v6 && e->a[0] == 0 && e->a[1] == 0 && e->a[2] == htonl(0xffff)) {
		e->v4 = true;
		e->a[0] = e->a[3];
		e->a[2] = e->a[3] = 0;
	}
	return 0;
}

/* The uid of the socket in `file` whose local address is `local` and
 * remote address `remote`: 0 with *uid, or -TR_ENOENT. */
static int
proc_net_uid(const char *file, bool v6, const struct ep_addr *local,
	     const struct ep_addr *remote, uid_t *uid)
{
	FILE *f = fopen(file, "re");
	char line[512];
	int err = -TR_ENOENT;

	if (!f)
		return -TR_ENOENT;
	if (!fgets(line, sizeof(line), f)) { /* the heading */
		fclose(f);
		return -TR_ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		char la[64], ra[64];
		unsigned long u;
		struct ep_addr l, r;

		/* sl local rem st tx:rx tr:when retrnsmt uid ... */
		if (sscanf(line, "%*s %63s %63s %*s %*s %*s %*s %lu", la, ra,
			   &u) != 3 ||
		    ep_addr_parse(la, v6, &l) || ep_addr_parse(ra, v6, &r))
			continue;
		if (ep_addr_eq(&l, local) && ep_addr_eq(&r, remote)) {
			*uid = (uid_t)u;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int
tr_ep_tcp_peer_uid(int fd, uid_t *uid)
{
	struct sockaddr_storage me, peer;
	socklen_t ml = sizeof(me), pl = sizeof(peer);
	struct ep_addr m, p;

	if (getsockname(fd, (struct sockaddr *)&me, &ml) ||
	    getpeername(fd, (struct sockaddr *)&peer, &pl))
		return tr_errno_map(errno);
	if ((me.ss_family != AF_INET && me.ss_family != AF_INET6) ||
	    me.ss_family != peer.ss_family)
		return -TR_EINVAL;
	ep_addr_of(&me, &m);
	ep_addr_of(&peer, &p);
	/* The peer's own socket: its local address is our remote one. An
	 * IPv4 peer of an IPv6 socket is listed in tcp, not tcp6. */
	if (proc_net_uid("/proc/net/tcp", false, &p, &m, uid) == 0 ||
	    proc_net_uid("/proc/net/tcp6", true, &p, &m, uid) == 0)
		return 0;
	return -TR_ENOENT;
}

bool
tr_ep_is_loopback(const struct sockaddr_storage *ss)
{
	struct ep_addr e;

	ep_addr_of(ss, &e);
	if (e.v4)
		return (ntohl(e.a[0]) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

int
tr_ep_check_socket_dir(const char *path, char *why, size_t whylen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -TR_ERANGE;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
	}
	if (stat(dir, &st)) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return tr_errno_map(errno);
	}
	/* Whoever may write the directory may put a socket of theirs
	 * there: the default /tmp/tracerd-UID can be made by anyone. */
	if (!S_ISDIR(st.st_mode) ||
	    (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & 022)) {
		snprintf(why, whylen, "the socket's directory %s belongs to "
			 "uid %u or others may write it: refused (it must "
			 "be ours or root's, mode 0700 or 0755)", dir,
			 (unsigned)st.st_uid);
		return -TR_EPERM;
	}
	return 0;
}
