/* endpoint.c: where tracerd listens: the default Unix socket, TCP addresses, tokens. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
tr_ep_read_token(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return tr_errno_map(errno);
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -TR_EINVAL;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = 0;
	return n < 16 || n >= len - 1 ? -TR_EINVAL : 0;
}
