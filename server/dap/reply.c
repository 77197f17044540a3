/* reply.c: a DAP connection's outgoing messages: envelopes, the Content-Length header, writing under the connection's lock. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dap/reply.h"

static void
envelope(struct dap *d, struct tr_jw *w, struct tr_buf *b, const char *type)
{
	tr_buf_reset(b);
	tr_jw_init(w, b);
	tr_jw_obj_begin(w);
	tr_jw_key(w, "seq");
	tr_jw_int(w, atomic_fetch_add(&d->seq, 1));
	tr_jw_key(w, "type");
	tr_jw_cstr(w, type);
}

void
dap_response_begin(struct dap *d, struct tr_jw *w, struct tr_buf *b,
		   const struct dap_req *q)
{
	envelope(d, w, b, "response");
	tr_jw_key(w, "request_seq");
	tr_jw_int(w, q->seq);
	tr_jw_key(w, "command");
	tr_jw_cstr(w, q->command ? q->command : "");
	tr_jw_key(w, "success");
	tr_jw_bool(w, true);
	tr_jw_key(w, "body");
}

void
dap_event_begin(struct dap *d, struct tr_jw *w, struct tr_buf *b,
		const char *event)
{
	envelope(d, w, b, "event");
	tr_jw_key(w, "event");
	tr_jw_cstr(w, event);
	tr_jw_key(w, "body");
}

static int
write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t k = writev(fd, iov, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

int
dap_send(struct dap *d, struct tr_jw *w, struct tr_buf *b)
{
	char head[48];
	struct iovec iov[2];
	int rc;

	tr_jw_obj_end(w);
	if (tr_jw_error(w))
		return -1;
	iov[0].iov_base = head;
	iov[0].iov_len = tr_dap_header(b->len, head);
	iov[1].iov_base = b->data;
	iov[1].iov_len = b->len;
	pthread_mutex_lock(&d->out_mu);
	rc = write_all(d->out, iov, 2);
	pthread_mutex_unlock(&d->out_mu);
	return rc;
}

int
dap_ok(struct dap *d, const struct dap_req *q)
{
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

int
dap_fail(struct dap *d, const struct dap_req *q, const char *fmt, ...)
{
	char msg[1024];
	struct tr_buf b;
	struct tr_jw w;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tr_buf_init(&b);
	tr_jw_init(&w, &b);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "seq");
	tr_jw_int(&w, atomic_fetch_add(&d->seq, 1));
	tr_jw_key(&w, "type");
	tr_jw_cstr(&w, "response");
	tr_jw_key(&w, "request_seq");
	tr_jw_int(&w, q ? q->seq : 0);
	tr_jw_key(&w, "command");
	tr_jw_cstr(&w, q && q->command ? q->command : "");
	tr_jw_key(&w, "success");
	tr_jw_bool(&w, false);
	tr_jw_key(&w, "message");
	tr_jw_cstr(&w, msg);
	/* the body's error is what VS Code shows the user */
	tr_jw_key(&w, "body");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "error");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "id");
	tr_jw_int(&w, 1);
	tr_jw_key(&w, "format");
	tr_jw_cstr(&w, msg);
	tr_jw_key(&w, "showUser");
	tr_jw_bool(&w, false);
	tr_jw_obj_end(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

int
dap_output(struct dap *d, const char *category, const char *text, size_t len)
{
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	tr_buf_init(&b);
	dap_event_begin(d, &w, &b, "output");
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "category");
	tr_jw_cstr(&w, category);
	tr_jw_key(&w, "output");
	tr_jw_str(&w, text, len);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

int
dap_event_simple(struct dap *d, const char *event)
{
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	tr_buf_init(&b);
	dap_event_begin(d, &w, &b, event);
	tr_jw_obj_begin(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}
