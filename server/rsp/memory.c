/* memory.c: the target's memory: m and x (hex and binary reads), M and X (writes). */
#include <stdlib.h>
#include <string.h>

#include "rsp.h"
#include "rsp/memory.h"
#include "rsp/reply.h"

/* m (hex) and x (binary: after a `b` for GDB, which negotiates it with
 * binary-upload; bare for lldb). A read that stops at an unmapped page
 * returns what it got; one that gets nothing is an error. */
int
rsp_read_mem(struct rsp *r, const char *p, bool binary)
{
	const char *comma = strchr(p, ',');
	uint64_t addr, len;
	unsigned char *buf;
	char *hex = NULL;
	size_t done = 0, pre = binary && r->binary_upload ? 1 : 0;
	int rc;

	if (!comma || tr_rsp_hex_u64(p, (size_t)(comma - p), &addr) ||
	    tr_rsp_hex_u64(comma + 1, strlen(comma + 1), &len))
		return rsp_reply_str(r, "E01");
	/* lldb probes for x with a zero-length read and wants OK */
	if (binary && len == 0 && !r->binary_upload)
		return rsp_reply_str(r, "OK");
	if (len > RSP_PACKET_SIZE / 2)
		len = RSP_PACKET_SIZE / 2;
	buf = malloc(len + 1);
	if (!binary)
		hex = malloc(2 * len + 1);
	if (!buf || (!binary && !hex)) {
		free(buf);
		free(hex);
		return rsp_reply_str(r, "E0c");
	}
	if (len)
		tr_mem_read(r->t, addr, buf + pre, len, &done);
	if (len && !done) {
		rc = rsp_reply_str(r, "E0e");
	} else if (binary) {
		buf[0] = pre ? 'b' : buf[0];
		rc = rsp_reply(r, (const char *)buf, pre + done);
	} else {
		tr_rsp_hex_encode(buf, done, hex);
		rc = rsp_reply(r, hex, 2 * done);
	}
	free(buf);
	free(hex);
	return rc;
}

int
rsp_write_mem(struct rsp *r, const char *p, size_t plen, bool binary)
{
	const char *comma = strchr(p, ','), *colon = strchr(p, ':');
	uint64_t addr, len;
	unsigned char *buf;
	size_t done = 0, dlen;
	int err = 0;

	if (!comma || !colon || colon < comma ||
	    tr_rsp_hex_u64(p, (size_t)(comma - p), &addr) ||
	    tr_rsp_hex_u64(comma + 1, (size_t)(colon - comma - 1), &len))
		return rsp_reply_str(r, "E01");
	dlen = plen - (size_t)(colon + 1 - p);
	if ((binary && dlen != len) || (!binary && dlen != 2 * len))
		return rsp_reply_str(r, "E01");
	buf = malloc(len + 1);
	if (!buf)
		return rsp_reply_str(r, "E0c");
	if (binary)
		memcpy(buf, colon + 1, len);
	else if (tr_rsp_hex_decode(colon + 1, dlen, buf)) {
		free(buf);
		return rsp_reply_str(r, "E01");
	}
	if (len)
		err = tr_mem_write(r->t, addr, buf, len, &done);
	free(buf);
	if (len && (err || done != len))
		return rsp_reply_str(r, "E0e");
	return rsp_reply_str(r, "OK");
}
