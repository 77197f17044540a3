/* reply.c: sending to the client: packets (framed by proto/rsp.c, the last one kept for a resend) and error replies. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "rsp.h"
#include "rsp/reply.h"

int
rsp_send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == ENOTSOCK) /* stdio: a pipe or a tty */
			k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

ssize_t
rsp_recv(int fd, void *buf, size_t len, bool nowait)
{
	ssize_t k = recv(fd, buf, len, nowait ? MSG_DONTWAIT : 0);

	if (k < 0 && errno == ENOTSOCK) { /* stdio: a pipe or a tty */
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (nowait && poll(&p, 1, 0) == 0) {
			errno = EAGAIN;
			return -1;
		}
		k = read(fd, buf, len);
	}
	return k;
}

int
rsp_reply(struct rsp *r, const char *payload, size_t len)
{
	if (r->remote_debug)
		tr_log_info("gdb client %d: putpkt (\"%.*s\")%s", r->fd,
			    (int)(len > 200 ? 200 : len), payload,
			    len > 200 ? " [truncated]" : "");
	tr_buf_reset(&r->out);
	if (tr_rsp_put_packet(&r->out, payload, len))
		return -1;
	tr_buf_reset(&r->last);
	tr_buf_append(&r->last, r->out.data, r->out.len);
	return rsp_send_all(r->wfd, r->out.data, r->out.len);
}

int
rsp_reply_str(struct rsp *r, const char *s)
{
	return rsp_reply(r, s, strlen(s));
}

/* An error reply: E and two hex digits (gdb shows the number). */
int
rsp_reply_err(struct rsp *r, int err)
{
	char e[8];

	snprintf(e, sizeof(e), "E%02x", (unsigned)(-err) & 0xff);
	return rsp_reply_str(r, e);
}
