/* passfd.c: file descriptors a client passes with its requests over a Unix socket (SCM_RIGHTS): its terminal or files for a launched program's stdin, stdout and stderr. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/passfd.h"
#include "base/log.h"

ssize_t
srv__recv_fds(struct srv_conn *c, void *buf, size_t len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * SRV_MAX_PASSED_FDS * 2)];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	ssize_t n;

	if (c->tcp)
		return recv(c->fd, buf, len, MSG_DONTWAIT);
	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h;
	     h = CMSG_NXTHDR(&mh, h)) {
		size_t k;
		int fds[SRV_MAX_PASSED_FDS * 2];

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (k > SRV_MAX_PASSED_FDS * 2)
			k = SRV_MAX_PASSED_FDS * 2;
		memcpy(fds, CMSG_DATA(h), k * sizeof(int));
		pthread_mutex_lock(&c->mu);
		/* the latest set replaces one no request took */
		for (unsigned i = 0; i < c->npassed; i++)
			close(c->passed[i]);
		c->npassed = 0;
		for (size_t i = 0; i < k; i++) {
			if (i < SRV_MAX_PASSED_FDS)
				c->passed[c->npassed++] = fds[i];
			else
				close(fds[i]);
		}
		pthread_mutex_unlock(&c->mu);
		tr_log_debug("client %u: %zu file descriptors passed", c->id,
			     k);
	}
	if (mh.msg_flags & MSG_CTRUNC)
		tr_log_warn("client %u: passed file descriptors cut short",
			    c->id);
	return n;
}

unsigned
srv_conn_take_fds(struct srv_conn *c, int *fds)
{
	unsigned n;

	pthread_mutex_lock(&c->mu);
	n = c->npassed;
	memcpy(fds, c->passed, n * sizeof(int));
	c->npassed = 0;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void
srv__conn_drop_fds(struct srv_conn *c)
{
	for (unsigned i = 0; i < c->npassed; i++)
		close(c->passed[i]);
	c->npassed = 0;
}
