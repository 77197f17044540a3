/* memory.c: the DAP requests on the program's memory: readMemory (the target read straight into a buffer, base64-encoded by the SIMD encoder into the reply) and writeMemory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base64.h"
#include "core/sess.h"
#include "dap/memory.h"
#include "dap/reply.h"
#include "dap/request.h"

/* Largest read or write in one request. */
#define MEM_MAX (256u << 20)

/* The address memoryReference + offset of q. */
static int
address(struct dap *d, const struct dap_req *q, uint64_t *addr)
{
	const char *ref = dap_arg_str(q, "memoryReference");
	int64_t off = dap_arg_int(q, "offset", 0);
	unsigned long long a;
	char *end;

	if (!ref || !*ref)
		return dap_fail(d, q, "%s: \"memoryReference\" (an address) "
				"is required", q->command) ? -2 : -1;
	a = strtoull(ref, &end, 0);
	if (*end)
		return dap_fail(d, q, "%s: memoryReference \"%s\" is not an "
				"address", q->command, ref) ? -2 : -1;
	*addr = a + (uint64_t)off;
	return 0;
}

int
dap_r_readMemory(struct dap *d, const struct dap_req *q)
{
	int64_t count = dap_arg_int(q, "count", -1);
	uint64_t addr;
	size_t done = 0;
	char at[32];
	uint8_t *buf;
	struct tr_jw w;
	int rc, err;

	if ((rc = address(d, q, &addr)))
		return rc == -2 ? -1 : 0;
	if (count < 0 || count > MEM_MAX)
		return dap_fail(d, q, "readMemory: \"count\" must be 0 to %u",
				MEM_MAX);
	if (!dap_stopped(d, q, &rc))
		return rc;
	/* the buffers stay from one read to the next: a bulk read finds
	 * its pages there (first touches cost more than the copy) */
	if ((size_t)count > d->memcap) {
		uint8_t *n = realloc(d->mem, (size_t)count);

		if (!n)
			return dap_fail(d, q, "out of memory");
		d->mem = n;
		d->memcap = (size_t)count;
	}
	buf = d->mem;
	if (!dap_lock(d, q, &rc))
		return rc;
	/* an unmapped page ends what can be read: the rest is
	 * unreadableBytes */
	err = tr_mem_read(d->t, addr, buf, (size_t)count, &done);
	dap_unlock(d);
	if (err && err != -TR_EFAULT)
		return dap_fail(d, q, "readMemory: %s", tr_strerror(err));
	if (err)
		done = done > (size_t)count ? 0 : done;
	else
		done = (size_t)count;
	/* the reply's room at once: the envelope and the base64 */
	if (tr_buf_reserve(&d->buf, TR_BASE64_ENCODED_LEN(done) + 512))
		return dap_fail(d, q, "out of memory");
	dap_response_begin(d, &w, &d->buf, q);
	tr_jw_obj_begin(&w);
	snprintf(at, sizeof(at), "0x%llx", (unsigned long long)addr);
	tr_jw_key(&w, "address");
	tr_jw_cstr(&w, at);
	if ((size_t)count > done) {
		tr_jw_key(&w, "unreadableBytes");
		tr_jw_uint(&w, (uint64_t)count - done);
	}
	tr_jw_key(&w, "data");
	tr_jw_base64(&w, buf, done);
	tr_jw_obj_end(&w);
	return dap_send(d, &w, &d->buf);
}

int
dap_r_writeMemory(struct dap *d, const struct dap_req *q)
{
	size_t len = 0, done = 0;
	const char *data;
	uint64_t addr;
	uint8_t *buf;
	struct tr_buf b;
	struct tr_jw w;
	size_t dlen = 0;
	int rc, err;

	if ((rc = address(d, q, &addr)))
		return rc == -2 ? -1 : 0;
	data = dap_arg(q, "data") ? tr_json_str(dap_arg(q, "data"), &dlen)
				  : NULL;
	if (!data)
		return dap_fail(d, q, "writeMemory: \"data\" (base64) is "
				"required");
	if (dlen / 4 * 3 > MEM_MAX)
		return dap_fail(d, q, "writeMemory: at most %u bytes",
				MEM_MAX);
	if (!(buf = malloc(dlen / 4 * 3 + 3)))
		return dap_fail(d, q, "out of memory");
	if (tr_base64_decode(data, dlen, buf, &len)) {
		free(buf);
		return dap_fail(d, q, "writeMemory: \"data\" is not base64");
	}
	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc)) {
		free(buf);
		return rc;
	}
	err = tr_mem_write(d->t, addr, buf, len, &done);
	dap_unlock(d);
	free(buf);
	if (err && (!dap_arg_bool(q, "allowPartial", false) || !done))
		return dap_fail(d, q, "writeMemory: %s at 0x%llx",
				tr_strerror(err),
				(unsigned long long)(addr + done));
	if (!err)
		done = len;
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "bytesWritten");
	tr_jw_uint(&w, done);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}
