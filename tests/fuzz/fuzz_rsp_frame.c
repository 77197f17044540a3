/* fuzz_rsp_frame.c: libFuzzer harness for the GDB remote protocol's framing (proto/rsp.c): the reader fed in chunks, and every packet it decodes framed again and read back unchanged; hex numbers and hex data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rsp.h"

/* payload framed by tr_rsp_put_packet and read back: the same bytes. */
static void
reframe(const char *p, size_t n)
{
	struct tr_rsp_reader r;
	struct tr_buf b;
	const char *q;
	size_t qn;

	tr_buf_init(&b);
	if (tr_rsp_put_packet(&b, p, n)) {
		tr_buf_free(&b);
		return;
	}
	tr_rsp_reader_init(&r, n + 1);
	if (tr_rsp_feed(&r, b.data, b.len) == 0) {
		if (tr_rsp_next(&r, &q, &qn) != TR_RSP_PACKET || qn != n ||
		    memcmp(p, q, n))
			abort();
		if (tr_rsp_next(&r, &q, &qn) != TR_RSP_NONE)
			abort(); /* one packet in, one out */
	}
	tr_rsp_reader_free(&r);
	tr_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_rsp_reader r;
	const char *p;
	size_t n, off = 0;
	int e;

	tr_rsp_reader_init(&r, 4096);
	while (off < size) {
		size_t k = 1 + data[off] % 97;

		if (k > size - off)
			k = size - off;
		if (tr_rsp_feed(&r, data + off, k))
			break;
		off += k;
		while ((e = tr_rsp_next(&r, &p, &n)) != TR_RSP_NONE) {
			uint64_t v;

			if (e < TR_RSP_PACKET || e > TR_RSP_BAD_PACKET)
				abort();
			if (e != TR_RSP_PACKET)
				continue;
			if (n > 4096 || p[n] != 0)
				abort();
			reframe(p, n);
			(void)tr_rsp_hex_u64(p, n < 17 ? n : 16, &v);
			if (n / 2 <= 2048) {
				unsigned char out[2048];
				char back[4097];

				if (tr_rsp_hex_decode(p, n & ~(size_t)1,
						      out) == 0) {
					tr_rsp_hex_encode(out, n / 2, back);
					/* lowercase on the way back */
					for (size_t i = 0; i < (n & ~1u); i++)
						if ((p[i] | 0x20) != back[i])
							abort();
				}
			}
		}
	}
	tr_rsp_reader_free(&r);
	return 0;
}
