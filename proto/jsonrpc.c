/* jsonrpc.c: JSON-RPC 2.0 request checking, reply writing and line framing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "jsonrpc.h"

const char *
tr_rpc_strerror(int code)
{
	switch (code) {
	case TR_RPC_PARSE_ERROR:
		return "Parse error";
	case TR_RPC_INVALID_REQUEST:
		return "Invalid Request";
	case TR_RPC_METHOD_NOT_FOUND:
		return "Method not found";
	case TR_RPC_INVALID_PARAMS:
		return "Invalid params";
	case TR_RPC_INTERNAL_ERROR:
		return "Internal error";
	}
	if (code <= TR_RPC_SERVER_ERROR && code >= TR_RPC_SERVER_ERROR_MIN)
		return "Server error";
	return "Unknown error";
}

/* --- requests ------------------------------------------------------------ */

static int
rpc_fail(struct tr_rpc_error *err, int rc, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

static bool
is_valid_id(const struct tr_json *id)
{
	return id->kind == TR_JSON_STRING || id->kind == TR_JSON_NULL ||
	       tr_json_is_int(id);
}

int
tr_rpc_parse_request(const char *line, size_t len,
		     const struct tr_json_limits *lim,
		     struct tr_rpc_request *req, struct tr_rpc_error *err)
{
	static const char *const names[] = { "jsonrpc", "method", "params",
					     "id" };
	const struct tr_json *member[4] = { NULL }, *root, *ver, *method;
	unsigned count[4] = { 0 };
	const char *dup = NULL;
	struct tr_json_error jerr;
	size_t i, k, n;
	int rc;

	memset(req, 0, sizeof(*req));
	memset(err, 0, sizeof(*err));
	rc = tr_json_parse(line, len, lim, &req->root, &jerr);
	if (rc == -TR_ENOMEM)
		return rpc_fail(err, rc, TR_RPC_INTERNAL_ERROR,
				"out of memory");
	if (rc)
		return rpc_fail(err, rc, TR_RPC_PARSE_ERROR,
				"parse error at byte %zu: %s", jerr.offset,
				jerr.message);
	root = req->root;
	if (root->kind == TR_JSON_ARRAY)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"batches are not supported");
	if (root->kind != TR_JSON_OBJECT)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"a request must be an object");

	/* The members that matter, each at most once: with two "id" or two
	 * "method", two parsers of the same text could disagree on what
	 * it asks, so such a text is refused rather than half-understood. */
	for (i = 0; i < root->u.obj.n; i++) {
		const struct tr_json_member *m = &root->u.obj.members[i];

		for (k = 0; k < 4; k++) {
			if (m->klen != strlen(names[k]) ||
			    memcmp(m->key, names[k], m->klen))
				continue;
			if (count[k]++ && !dup)
				dup = names[k];
			member[k] = &m->val;
		}
	}
	ver = member[0];
	method = member[1];

	/* The id first, so that every later complaint can carry it. */
	if (count[3] == 1) {
		if (!is_valid_id(member[3]))
			return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
					"\"id\" must be a string, an integer "
					"or null");
		err->has_id = true;
		err->id = member[3];
	}
	if (dup)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"duplicate member \"%s\"", dup);
	if (!ver)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"missing \"jsonrpc\"");
	if (ver->kind != TR_JSON_STRING || ver->u.str.len != 3 ||
	    memcmp(ver->u.str.s, "2.0", 3))
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"\"jsonrpc\" must be \"2.0\"");
	if (!method)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"missing \"method\"");
	if (method->kind != TR_JSON_STRING)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"\"method\" must be a string");
	/* The server compares names as C strings: "step\u0000x" must not
	 * pass for "step". */
	n = method->u.str.len;
	if (memchr(method->u.str.s, '\0', n))
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"\"method\" holds a NUL byte");
	if (member[2] && member[2]->kind != TR_JSON_OBJECT &&
	    member[2]->kind != TR_JSON_ARRAY)
		return rpc_fail(err, -TR_EINVAL, TR_RPC_INVALID_REQUEST,
				"\"params\" must be an object or an array");

	req->method = method->u.str.s;
	req->method_len = n;
	req->params = member[2];
	req->id = member[3];
	return 0;
}

void
tr_rpc_request_free(struct tr_rpc_request *req)
{
	tr_json_free(req->root);
	memset(req, 0, sizeof(*req));
}

/* --- replies ------------------------------------------------------------- */

/* A fresh message at the end of w->buf: {"jsonrpc":"2.0" */
static void
rpc_head(struct tr_jw *w)
{
	tr_jw_init(w, w->buf);
	tr_jw_obj_begin(w);
	tr_jw_key(w, "jsonrpc");
	tr_jw_str(w, "2.0", 3);
}

int
tr_rpc_begin_result(struct tr_jw *w, const struct tr_json *id)
{
	rpc_head(w);
	tr_jw_key(w, "id");
	tr_jw_value(w, id);
	return tr_jw_key(w, "result");
}

int
tr_rpc_begin_error(struct tr_jw *w, const struct tr_json *id, int code,
		   const char *message)
{
	rpc_head(w);
	tr_jw_key(w, "id");
	tr_jw_value(w, id);
	tr_jw_key(w, "error");
	tr_jw_obj_begin(w);
	tr_jw_key(w, "code");
	tr_jw_int(w, code);
	tr_jw_key(w, "message");
	return tr_jw_cstr(w, message ? message : tr_rpc_strerror(code));
}

int
tr_rpc_begin_notification(struct tr_jw *w, const char *method)
{
	rpc_head(w);
	tr_jw_key(w, "method");
	tr_jw_cstr(w, method);
	return tr_jw_key(w, "params");
}

int
tr_rpc_end(struct tr_jw *w)
{
	int rc;

	if (w->want_value)
		tr_jw_null(w);
	while (!w->err && w->depth)
		tr_jw_end(w);
	rc = w->err;
	if (!rc)
		rc = tr_buf_append(w->buf, "\n", 1);
	if (rc) {
		w->buf->len = w->mark;
		w->err = rc;
	}
	return rc;
}

int
tr_rpc_write_error(struct tr_buf *buf, const struct tr_json *id, int code,
		   const char *message, const char *data)
{
	struct tr_jw w;

	tr_jw_init(&w, buf);
	tr_rpc_begin_error(&w, id, code, message);
	if (data) {
		tr_jw_key(&w, "data");
		tr_jw_raw(&w, data, strlen(data));
	}
	return tr_rpc_end(&w);
}

/* --- framing ------------------------------------------------------------- */

/* Buffers bigger than this are given back once emptied, so that an idle
 * connection does not keep the memory of its biggest request. */
#define FRAMER_KEEP (64u << 10)
#define FRAMER_MIN 4096

void
tr_rpc_framer_init(struct tr_rpc_framer *f, size_t max_line)
{
	memset(f, 0, sizeof(*f));
	f->max_line = max_line ? max_line : TR_RPC_DEFAULT_MAX_LINE;
	/* Keeps max_line + 2 from wrapping around. */
	if (f->max_line > SIZE_MAX / 2)
		f->max_line = SIZE_MAX / 2;
}

void
tr_rpc_framer_free(struct tr_rpc_framer *f)
{
	free(f->buf);
	tr_rpc_framer_init(f, f->max_line);
}

/* Room for n more bytes. Growth doubles, but never past what a line
 * being received can need (max_line + 2) unless complete lines waiting
 * to be taken need more. */
static int
framer_reserve(struct tr_rpc_framer *f, size_t n)
{
	size_t need, ncap, bound;
	char *b;

	if (f->cap - f->len >= n)
		return 0;
	if (n > SIZE_MAX - f->len)
		return -TR_ENOMEM;
	need = f->len + n;
	ncap = f->cap ? f->cap : FRAMER_MIN;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	bound = f->max_line + 2;
	if (ncap > bound && need <= bound)
		ncap = bound;
	b = realloc(f->buf, ncap);
	if (!b)
		return -TR_ENOMEM;
	f->buf = b;
	f->cap = ncap;
	return 0;
}

/*
 * The line being received is too long (or could not be buffered): drop
 * what is held of it and leave an empty line in its place, which next()
 * reports as TR_RPC_FRAME_TOO_LONG (real empty lines are never stored,
 * so the marker cannot be mistaken). ended: its '\n' was seen already;
 * otherwise the bytes up to it are discarded as they come.
 */
static void
framer_overflow(struct tr_rpc_framer *f, bool ended)
{
	f->len = f->tail;
	/* The partial line just dropped made room unless it was empty; if
	 * even one byte cannot be had, the report is lost, not the stream. */
	if (!framer_reserve(f, 1))
		f->buf[f->len++] = '\n';
	f->tail = f->len;
	f->discarding = !ended;
}

int
tr_rpc_framer_feed(struct tr_rpc_framer *f, const void *data, size_t n)
{
	const char *s = data;
	int ret = 0;

	/* Move what is left to the front, once per feed: the bytes moved
	 * are lines not taken yet plus the partial one, usually few. */
	if (f->start) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		f->tail -= f->start;
		f->len -= f->start;
		f->start = 0;
	}
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t seg = nl ? (size_t)(nl - s) : n;
		size_t adv = nl ? seg + 1 : n;
		size_t cur = f->len - f->tail, full = cur + seg;
		char last = seg ? s[seg - 1] : cur ? f->buf[f->len - 1] : '\0';

		if (f->discarding) {
			f->discarding = !nl;
		} else if (seg > f->max_line + 1 - cur) {
			/* Too long even if it is to end in "\r\n". */
			framer_overflow(f, nl != NULL);
		} else if (!nl) {
			if (framer_reserve(f, seg)) {
				ret = -TR_ENOMEM;
				framer_overflow(f, false);
			} else {
				memcpy(f->buf + f->len, s, seg);
				f->len += seg;
			}
		} else {
			if (last == '\r')
				full--;
			if (full > f->max_line) {
				framer_overflow(f, true);
			} else if (!full) {
				f->len = f->tail; /* an empty line */
			} else if (framer_reserve(f, seg + 1)) {
				ret = -TR_ENOMEM;
				framer_overflow(f, true);
			} else {
				memcpy(f->buf + f->len, s, seg);
				f->len += seg;
				f->buf[f->len++] = '\n';
				f->tail = f->len;
			}
		}
		s += adv;
		n -= adv;
	}
	return ret;
}

int
tr_rpc_framer_next(struct tr_rpc_framer *f, const char **line, size_t *len)
{
	const char *s, *nl;
	size_t n;

	if (f->start == f->tail) {
		if (f->start == f->len && f->len) {
			f->start = f->tail = f->len = 0;
			if (f->cap > FRAMER_KEEP) {
				free(f->buf);
				f->buf = NULL;
				f->cap = 0;
			}
		}
		return TR_RPC_FRAME_NONE;
	}
	/* Everything before tail is complete lines, each ending in '\n'. */
	s = f->buf + f->start;
	nl = memchr(s, '\n', f->tail - f->start);
	n = (size_t)(nl - s);
	f->start += n + 1;
	if (!n)
		return TR_RPC_FRAME_TOO_LONG;
	if (s[n - 1] == '\r')
		n--;
	*line = s;
	*len = n;
	return TR_RPC_FRAME_LINE;
}
