/* check_rsp.c: the GDB remote protocol's framing: packets good, malformed, oversized, with bad checksums, escapes and interrupts. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "base/error.h"
#include "rsp.h"
#include "suites.h"

/* Feed a whole string and take the next event. */
static int
feed_next(struct tr_rsp_reader *r, const char *s, const char **pkt,
	  size_t *len)
{
	ck_assert_int_eq(tr_rsp_feed(r, s, strlen(s)), 0);
	return tr_rsp_next(r, pkt, len);
}

START_TEST(test_packet)
{
	struct tr_rsp_reader r;
	const char *p;
	size_t n;

	tr_rsp_reader_init(&r, 0);
	/* "qSupported" sums to 0x37 */
	ck_assert_int_eq(feed_next(&r, "$qSupported#37", &p, &n),
			 TR_RSP_PACKET);
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(p, "qSupported");
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_NONE);
	/* an empty packet, then acks and the interrupt byte */
	ck_assert_int_eq(feed_next(&r, "$#00+-\x03", &p, &n), TR_RSP_PACKET);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_ACK);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_NAK);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_INTERRUPT);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_NONE);
	tr_rsp_reader_free(&r);
}
END_TEST

/* A packet arriving one byte at a time, and uppercase checksum digits. */
START_TEST(test_bytewise)
{
	const char *wire = "noise$g#67$m0,4#FD";
	struct tr_rsp_reader r;
	const char *p;
	size_t n;
	int got[2], k = 0;

	tr_rsp_reader_init(&r, 0);
	for (const char *c = wire; *c; c++) {
		int e;

		ck_assert_int_eq(tr_rsp_feed(&r, c, 1), 0);
		while ((e = tr_rsp_next(&r, &p, &n)) != TR_RSP_NONE) {
			ck_assert_int_lt(k, 2);
			got[k++] = e;
			ck_assert_str_eq(p, k == 1 ? "g" : "m0,4");
		}
	}
	ck_assert_int_eq(k, 2);
	ck_assert_int_eq(got[0], TR_RSP_PACKET);
	ck_assert_int_eq(got[1], TR_RSP_PACKET);
	tr_rsp_reader_free(&r);
}
END_TEST

START_TEST(test_bad_checksum)
{
	struct tr_rsp_reader r;
	const char *p;
	size_t n;

	tr_rsp_reader_init(&r, 0);
	ck_assert_int_eq(feed_next(&r, "$g#68", &p, &n), TR_RSP_BAD_CHECKSUM);
	ck_assert_int_eq(feed_next(&r, "$g#6z", &p, &n), TR_RSP_BAD_CHECKSUM);
	ck_assert_int_eq(feed_next(&r, "$g#x7", &p, &n), TR_RSP_BAD_CHECKSUM);
	/* and the stream goes on */
	ck_assert_int_eq(feed_next(&r, "$g#67", &p, &n), TR_RSP_PACKET);
	ck_assert_str_eq(p, "g");
	tr_rsp_reader_free(&r);
}
END_TEST

/* Escapes and run-length codes decode, and the checksum covers them as
 * sent. */
START_TEST(test_escapes)
{
	struct tr_rsp_reader r;
	struct tr_buf b;
	const unsigned char raw[] = { 'X', '$', '#', '}', '*', 0, 0xff, 'a' };
	const char *p;
	size_t n;

	tr_buf_init(&b);
	ck_assert_int_eq(tr_rsp_put_packet(&b, raw, sizeof(raw)), 0);
	/* $ # } * each went as } and the byte ^ 0x20 */
	ck_assert_uint_eq(b.len, 1 + sizeof(raw) + 4 + 3);
	ck_assert(memmem(b.data, b.len, "}\x04}\x03}]}\x0a", 8) != NULL);
	tr_rsp_reader_init(&r, 0);
	ck_assert_int_eq(tr_rsp_feed(&r, b.data, b.len), 0);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_PACKET);
	ck_assert_uint_eq(n, sizeof(raw));
	ck_assert_mem_eq(p, raw, sizeof(raw));
	/* "0* " is "0000": '*' then ' ' (32 - 29 = 3 more) */
	{
		char pk[16] = "$0* #";
		uint8_t sum = '0' + '*' + ' ';
		const char hx[] = "0123456789abcdef";

		pk[5] = hx[sum >> 4];
		pk[6] = hx[sum & 15];
		ck_assert_int_eq(feed_next(&r, pk, &p, &n), TR_RSP_PACKET);
		ck_assert_str_eq(p, "0000");
	}
	tr_buf_free(&b);
	tr_rsp_reader_free(&r);
}
END_TEST

/* Malformed: an escape or repeat cut by the frame, a repeat of nothing,
 * a count that is not one; the stream recovers each time. */
START_TEST(test_malformed)
{
	static const char *const bad[] = { "}", "a}", "*!", "a*", "a*\x1f" };
	struct tr_rsp_reader r;
	const char *p;
	size_t n;

	tr_rsp_reader_init(&r, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char pk[32];
		uint8_t sum = 0;
		const char hx[] = "0123456789abcdef";
		size_t l = strlen(bad[i]);

		for (size_t k = 0; k < l; k++)
			sum += (uint8_t)bad[i][k];
		pk[0] = '$';
		memcpy(pk + 1, bad[i], l);
		pk[l + 1] = '#';
		pk[l + 2] = hx[sum >> 4];
		pk[l + 3] = hx[sum & 15];
		pk[l + 4] = 0;
		ck_assert_msg(feed_next(&r, pk, &p, &n) == TR_RSP_BAD_PACKET,
			      "\"%s\" was taken", bad[i]);
		ck_assert_int_eq(feed_next(&r, "$g#67", &p, &n),
				 TR_RSP_PACKET);
	}
	/* a packet cut short by another: the second counts */
	ck_assert_int_eq(feed_next(&r, "$m12$g#67", &p, &n), TR_RSP_PACKET);
	ck_assert_str_eq(p, "g");
	tr_rsp_reader_free(&r);
}
END_TEST

/* Oversized: dropped whole, reported once, and the next one is fine. */
START_TEST(test_too_long)
{
	struct tr_rsp_reader r;
	struct tr_buf b;
	char *big = malloc(5000);
	const char *p;
	size_t n;

	memset(big, 'A', 5000);
	tr_buf_init(&b);
	ck_assert_int_eq(tr_rsp_put_packet(&b, big, 5000), 0);
	ck_assert_int_eq(tr_rsp_put_packet(&b, big, 4096), 0);
	tr_rsp_reader_init(&r, 4096);
	ck_assert_int_eq(tr_rsp_feed(&r, b.data, b.len), 0);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_TOO_LONG);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_PACKET);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_NONE);
	/* a repeat count cannot blow it up either */
	ck_assert_int_eq(feed_next(&r, "$", &p, &n), TR_RSP_NONE);
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(tr_rsp_feed(&r, "A*~", 3), 0);
		ck_assert_int_eq(tr_rsp_next(&r, &p, &n), TR_RSP_NONE);
	}
	ck_assert(r.pkt_cap <= 4097);
	tr_rsp_reader_free(&r);
	tr_buf_free(&b);
	free(big);
}
END_TEST

START_TEST(test_hex)
{
	unsigned char bytes[4] = { 0x00, 0x7f, 0xa5, 0xff }, back[4];
	char hex[9] = { 0 };
	uint64_t v;

	tr_rsp_hex_encode(bytes, 4, hex);
	ck_assert_str_eq(hex, "007fa5ff");
	ck_assert_int_eq(tr_rsp_hex_decode("007FA5ff", 8, back), 0);
	ck_assert_mem_eq(back, bytes, 4);
	ck_assert_int_eq(tr_rsp_hex_decode("007", 3, back), -TR_EINVAL);
	ck_assert_int_eq(tr_rsp_hex_decode("0g", 2, back), -TR_EINVAL);
	ck_assert_int_eq(tr_rsp_hex_u64("7ffd1234abcd", 12, &v), 0);
	ck_assert_uint_eq(v, 0x7ffd1234abcdull);
	ck_assert_int_eq(tr_rsp_hex_u64("ffffffffffffffff", 16, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(tr_rsp_hex_u64("10000000000000000", 17, &v),
			 -TR_EINVAL);
	ck_assert_int_eq(tr_rsp_hex_u64("", 0, &v), -TR_EINVAL);
	ck_assert_int_eq(tr_rsp_hex_u64("-1", 2, &v), -TR_EINVAL);
}
END_TEST

Suite *
suite_rsp(void)
{
	Suite *s = suite_create("rsp");
	TCase *tc = tcase_create("framing");

	tcase_add_test(tc, test_packet);
	tcase_add_test(tc, test_bytewise);
	tcase_add_test(tc, test_bad_checksum);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return s;
}
