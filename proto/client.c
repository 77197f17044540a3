/* client.c: a blocking JSON-RPC client of tracerd: connect, call, notifications, binary replies. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "endpoint.h"
#include "base/error.h"
#include "jsonrpc.h"

struct tr_cl {
	int fd;
	int64_t next_id;
	uint32_t sid;
	tr_cl_notify_fn notify;
	void *notify_arg;
	/* bytes received and not consumed yet */
	char *in;
	size_t start, len, cap;
	struct tr_buf out;
	/* descriptors the next request carries (tr_cl_pass_fds) */
	int pass[3];
	unsigned npass;
};

int
tr_cl_fd(const struct tr_cl *c)
{
	return c->fd;
}

void
tr_cl_set_notify(struct tr_cl *c, tr_cl_notify_fn fn, void *arg)
{
	c->notify = fn;
	c->notify_arg = arg;
}

void
tr_cl_set_session(struct tr_cl *c, uint32_t sid)
{
	c->sid = sid;
}

void
tr_cl_free(struct tr_cl *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	tr_buf_free(&c->out);
	free(c);
}

int
tr_cl_pass_fds(struct tr_cl *c, const int *fds, unsigned n)
{
	if (n > 3)
		return -TR_EINVAL;
	memcpy(c->pass, fds, n * sizeof(int));
	c->npass = n;
	return 0;
}

/* The first bytes of a request with the descriptors to pass. */
static ssize_t
send_fds(struct tr_cl *c, const char *p, size_t len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * 3)];
	} ctl;
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b,
			     .msg_controllen = CMSG_SPACE(sizeof(int) *
							  c->npass) };
	struct cmsghdr *h;

	memset(&ctl, 0, sizeof(ctl));
	h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * c->npass);
	memcpy(CMSG_DATA(h), c->pass, sizeof(int) * c->npass);
	return sendmsg(c->fd, &mh, MSG_NOSIGNAL);
}

int
tr_cl_send_raw(struct tr_cl *c, const void *buf, size_t len)
{
	const char *p = buf;

	while (len && c->npass) {
		ssize_t n = send_fds(c, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		c->npass = 0;
		if (n <= 0)
			return -TR_EGONE;
		p += n;
		len -= (size_t)n;
	}
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -TR_EGONE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read more bytes (blocking, unless timeout_ms >= 0). 1: got some, 0:
 * timed out or interrupted, <0: the server hung up. */
static int
fill(struct tr_cl *c, int timeout_ms)
{
	ssize_t n;

	if (c->start && c->start == c->len)
		c->start = c->len = 0;
	if (c->cap - c->len < 65536) {
		size_t ncap;
		char *p;

		if (c->start) {
			memmove(c->in, c->in + c->start, c->len - c->start);
			c->len -= c->start;
			c->start = 0;
		}
		ncap = c->cap ? c->cap * 2 : 131072;
		while (ncap - c->len < 65536)
			ncap *= 2;
		if (ncap != c->cap) {
			if (!(p = realloc(c->in, ncap)))
				return -TR_ENOMEM;
			c->in = p;
			c->cap = ncap;
		}
	}
	if (timeout_ms >= 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int k = poll(&pfd, 1, timeout_ms);

		if (k <= 0)
			return 0;
	}
	n = recv(c->fd, c->in + c->len, c->cap - c->len, 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -TR_EGONE;
	c->len += (size_t)n;
	return 1;
}

/* The next complete line in the input, if any. */
static bool
next_line(struct tr_cl *c, const char **line, size_t *len)
{
	char *nl;

	if (!c->in || c->start == c->len)
		return false;
	nl = memchr(c->in + c->start, '\n', c->len - c->start);
	if (!nl)
		return false;
	*line = c->in + c->start;
	*len = (size_t)(nl - *line);
	c->start = (size_t)(nl - c->in) + 1;
	return true;
}

/* Read exactly n raw bytes into buf. */
static int
read_raw(struct tr_cl *c, char *buf, size_t n)
{
	size_t have = c->len - c->start;
	size_t k = have < n ? have : n;

	memcpy(buf, c->in + c->start, k);
	c->start += k;
	while (k < n) {
		ssize_t r = recv(c->fd, buf + k, n - k, MSG_WAITALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -TR_EGONE;
		k += (size_t)r;
	}
	return 0;
}

static void
dispatch_notification(struct tr_cl *c, struct tr_json *tree)
{
	const struct tr_json *m = tr_json_get(tree, "method");
	const struct tr_json *p = tr_json_get(tree, "params");
	const char *ms = m ? tr_json_str(m, NULL) : NULL;

	if (ms && c->notify)
		c->notify(ms, p, c->notify_arg);
}

int
tr_cl_poll_notifications(struct tr_cl *c)
{
	const char *line;
	size_t len;
	int k;

	for (;;) {
		while (next_line(c, &line, &len)) {
			struct tr_json *tree = NULL;
			struct tr_json_error je;

			if (tr_json_parse(line, len, NULL, &tree, &je) == 0 &&
			    tree->kind == TR_JSON_OBJECT &&
			    !tr_json_get(tree, "id"))
				dispatch_notification(c, tree);
			tr_json_free(tree);
		}
		k = fill(c, 0);
		if (k < 0)
			return k;
		if (k == 0)
			return 0;
	}
}

/* Before anything is sent: the server must run as our uid or as root,
 * or it may be anyone's program waiting for our requests (and tokens).
 * Unix sockets tell with SO_PEERCRED, loopback TCP with the owner of the
 * server's socket in /proc/net/tcp. */
static int
server_uid_ok(int fd, bool tcp, const char *where, char *why, size_t whylen)
{
	uid_t uid;

	if (tcp) {
		if (tr_ep_tcp_peer_uid(fd, &uid)) {
			snprintf(why, whylen, "%s: cannot tell who serves it "
				 "(no such socket in /proc/net/tcp)", where);
			return -TR_EPERM;
		}
	} else {
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl)) {
			snprintf(why, whylen, "%s: SO_PEERCRED: %s", where,
				 strerror(errno));
			return tr_errno_map(errno);
		}
		uid = cred.uid;
	}
	if (uid != geteuid() && uid != 0) {
		snprintf(why, whylen, "%s is served by uid %u, not by us "
			 "(uid %u) or root: refused", where, (unsigned)uid,
			 (unsigned)geteuid());
		return -TR_EPERM;
	}
	return 0;
}

int
tr_cl_connect(const char *where, const char *token, struct tr_cl **out,
	      char *why, size_t whylen)
{
	struct tr_cl *c = calloc(1, sizeof(*c));
	char path[108];
	int err;

	*out = NULL;
	if (!c)
		return -TR_ENOMEM;
	c->fd = -1;
	tr_buf_init(&c->out);
	if (where && !strncmp(where, "tcp:", 4)) {
		struct sockaddr_storage ss;
		socklen_t sl;
		bool lo;

		if (tr_ep_parse_tcp(where + 4, &ss, &sl, &lo)) {
			snprintf(why, whylen, "%s: expected tcp:HOST:PORT",
				 where);
			tr_cl_free(c);
			return -TR_EINVAL;
		}
		c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&ss, sl)) {
			err = tr_errno_map(errno);
			snprintf(why, whylen, "cannot connect to %s: %s",
				 where + 4, strerror(errno));
			tr_cl_free(c);
			return err;
		}
		/* On this machine, whoever listens must be us or root;
		 * elsewhere the token is what we trust. */
		if (lo && (err = server_uid_ok(c->fd, true, where + 4, why,
					       whylen))) {
			tr_cl_free(c);
			return err;
		}
	} else {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		if (where && !strncmp(where, "unix:", 5))
			where += 5;
		if (where)
			snprintf(path, sizeof(path), "%s", where);
		else if (tr_ep_default_socket(path, sizeof(path))) {
			snprintf(why, whylen, "default socket path too long");
			tr_cl_free(c);
			return -TR_ERANGE;
		}
		if (strlen(path) >= sizeof(a.sun_path)) {
			snprintf(why, whylen, "socket path too long");
			tr_cl_free(c);
			return -TR_ERANGE;
		}
		memcpy(a.sun_path, path, strlen(path) + 1);
		if ((err = tr_ep_check_socket_dir(path, why, whylen))) {
			tr_cl_free(c);
			return err;
		}
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 ||
		    connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
			err = tr_errno_map(errno);
			snprintf(why, whylen, "cannot connect to %s: %s (is "
				 "tracerd running?)", path, strerror(errno));
			tr_cl_free(c);
			return err;
		}
		if ((err = server_uid_ok(c->fd, false, path, why, whylen))) {
			tr_cl_free(c);
			return err;
		}
	}
	if (token) {
		struct tr_buf p;
		struct tr_jw w;
		struct tr_cl_reply r;

		tr_buf_init(&p);
		tr_jw_init(&w, &p);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "token");
		tr_jw_cstr(&w, token);
		tr_jw_obj_end(&w);
		tr_buf_append(&p, "", 1);
		err = tr_jw_error(&w) ? -TR_ENOMEM
				      : tr_cl_call(c, "auth", p.data, NULL, 0,
						   NULL, &r);
		tr_buf_free(&p);
		if (err || r.code) {
			snprintf(why, whylen, "authentication failed: %s",
				 err ? tr_strerror(err) : r.message);
			if (!err)
				tr_cl_reply_free(&r);
			tr_cl_free(c);
			return err ? err : -TR_EPERM;
		}
		tr_cl_reply_free(&r);
	}
	*out = c;
	return 0;
}

void
tr_cl_reply_free(struct tr_cl_reply *r)
{
	tr_json_free(r->tree);
	memset(r, 0, sizeof(*r));
}

static int
send_request(struct tr_cl *c, int64_t id, const char *method,
	     const char *params)
{
	int n;

	tr_buf_reset(&c->out);
	{
		char head[160];

		n = snprintf(head, sizeof(head),
			     "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":",
			     (long long)id);
		if (tr_buf_append(&c->out, head, (size_t)n))
			return -TR_ENOMEM;
	}
	{
		struct tr_jw w;

		tr_jw_init(&w, &c->out);
		tr_jw_cstr(&w, method);
		if (tr_jw_error(&w))
			return -TR_ENOMEM;
	}
	if (c->sid && (!params || !strstr(params, "\"session\""))) {
		char s[48];
		const char *rest = params ? strchr(params, '{') : NULL;

		n = snprintf(s, sizeof(s), ",\"params\":{\"session\":%u",
			     c->sid);
		if (tr_buf_append(&c->out, s, (size_t)n))
			return -TR_ENOMEM;
		if (rest) {
			rest++;
			while (*rest == ' ')
				rest++;
			if (*rest != '}' &&
			    tr_buf_append(&c->out, ",", 1))
				return -TR_ENOMEM;
			if (tr_buf_append(&c->out, rest, strlen(rest)))
				return -TR_ENOMEM;
		} else if (tr_buf_append(&c->out, "}", 1)) {
			return -TR_ENOMEM;
		}
	} else if (params) {
		if (tr_buf_append(&c->out, ",\"params\":", 10) ||
		    tr_buf_append(&c->out, params, strlen(params)))
			return -TR_ENOMEM;
	}
	if (tr_buf_append(&c->out, "}\n", 2))
		return -TR_ENOMEM;
	return tr_cl_send_raw(c, c->out.data, c->out.len);
}

static const struct tr_json_limits reply_limits = {
	.max_string = 512u << 20,
};

int
tr_cl_call(struct tr_cl *c, const char *method, const char *params_json,
	   void *bin, size_t binlen, volatile int *interrupt,
	   struct tr_cl_reply *r)
{
	int64_t id = ++c->next_id;
	bool sent_int = false;
	int err;

	memset(r, 0, sizeof(*r));
	r->pos = -1;
	if ((err = send_request(c, id, method, params_json)))
		return err;
	for (;;) {
		const char *line;
		size_t len;

		while (next_line(c, &line, &len)) {
			struct tr_json *tree = NULL;
			struct tr_json_error je;
			const struct tr_json *idv, *res, *e;
			int64_t got;

			/* The server is trusted to send JSON; the limits
			 * only bound what one reply may hold: a base64
			 * read_memory of the largest size is 342 MiB. */
			if (tr_json_parse(line, len, &reply_limits, &tree,
					  &je) ||
			    tree->kind != TR_JSON_OBJECT) {
				/* it may have been the reply: never wait for
				 * one that already came */
				tr_json_free(tree);
				return -TR_EINVAL;
			}
			idv = tr_json_get(tree, "id");
			if (!idv) {
				dispatch_notification(c, tree);
				tr_json_free(tree);
				continue;
			}
			if (tr_json_int64(idv, &got) || got != id) {
				tr_json_free(tree);
				continue; /* a late reply of an interrupt */
			}
			r->tree = tree;
			res = tr_json_get(tree, "result");
			e = tr_json_get(tree, "error");
			if (e) {
				const struct tr_json *cd = tr_json_get(e, "code");
				const struct tr_json *ms =
					tr_json_get(e, "message");
				const struct tr_json *d = tr_json_get(e, "data");
				int64_t v = 0;

				if (cd)
					tr_json_int64(cd, &v);
				r->code = v ? (int)v : -1;
				r->message = ms ? tr_json_str(ms, NULL) : NULL;
				if (!r->message)
					r->message = "error";
				if (d && (d = tr_json_get(d, "pos")))
					tr_json_int64(d, &r->pos);
				return 0;
			}
			r->result = res;
			{
				const struct tr_json *enc =
					res && res->kind == TR_JSON_OBJECT
						? tr_json_get(res, "encoding")
						: NULL;
				const char *es = enc ? tr_json_str(enc, NULL)
						     : NULL;
				uint64_t n = 0;

				if (es && !strcmp(es, "binary")) {
					tr_json_uint64(tr_json_get(res,
								   "length"),
						       &n);
					if (!bin || n > binlen)
						return -TR_ERANGE;
					r->binary_len = n;
					return read_raw(c, bin, n);
				}
			}
			return 0;
		}
		err = fill(c, interrupt ? 200 : -1);
		if (err < 0)
			return err;
		if (interrupt && *interrupt && !sent_int) {
			char req[96];
			int n;

			sent_int = true;
			if (c->sid)
				n = snprintf(req, sizeof(req),
					     "{\"jsonrpc\":\"2.0\",\"id\":-1,"
					     "\"method\":\"interrupt\","
					     "\"params\":{\"session\":%u}}\n",
					     c->sid);
			else
				n = snprintf(req, sizeof(req),
					     "{\"jsonrpc\":\"2.0\",\"id\":-1,"
					     "\"method\":\"interrupt\"}\n");
			if ((err = tr_cl_send_raw(c, req, (size_t)n)))
				return err;
		}
	}
}
