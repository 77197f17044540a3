/* rsp.h: the GDB Remote Serial Protocol's framing: packets, checksums, escapes, acks and the interrupt byte. */
#ifndef TR_PROTO_RSP_H
#define TR_PROTO_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * The GDB Remote Serial Protocol (the GDB manual, "Remote Protocol",
 * "Overview"): a packet is `$` DATA `#` CC, CC the two lowercase hex
 * digits of the sum of DATA's bytes modulo 256. Inside DATA, `}` escapes
 * the next byte (sent XORed with 0x20), and `*` N repeats the previous
 * byte N - 29 times (run-length encoding, which servers may send and
 * clients may too). Outside packets, `+` and `-` acknowledge or reject
 * the last packet (until QStartNoAckMode), and a lone 0x03 byte is the
 * client's interrupt (^C). Anything else between packets is noise and is
 * skipped.
 *
 * The reader decodes a byte stream into these events. The checksum is
 * computed over the bytes as sent (escapes and run-length codes
 * included); the payload it hands out is decoded. One reader per
 * connection; not thread-safe.
 */

/* What tr_rsp_next() found. Append-only. */
enum {
	TR_RSP_NONE = 0,         /* nothing complete yet: feed more */
	TR_RSP_PACKET = 1,       /* a packet with a good checksum */
	TR_RSP_ACK = 2,          /* `+` */
	TR_RSP_NAK = 3,          /* `-`: send the last packet again */
	TR_RSP_INTERRUPT = 4,    /* 0x03 */
	TR_RSP_BAD_CHECKSUM = 5, /* a packet whose checksum is wrong (or
				    not hex): answer `-` (ack mode) */
	TR_RSP_TOO_LONG = 6,     /* a packet longer than max, dropped
				    whole: answer with an error */
	TR_RSP_BAD_PACKET = 7,   /* a malformed escape or repeat count */
};

#define TR_RSP_DEFAULT_MAX (1u << 20)

struct tr_rsp_reader {
	/* input fed and not consumed yet */
	unsigned char *in;
	size_t in_start, in_len, in_cap;
	/* the packet being decoded */
	char *pkt;
	size_t pkt_len, pkt_cap, max;
	int state;            /* private to rsp.c */
	uint8_t sum;
	uint8_t cs;           /* checksum digits read so far */
	bool overflow, bad;   /* this packet is too long / malformed */
	bool cs_bad;          /* a checksum digit that is not hex */
};

/* tr_rsp_reader_init: an empty reader; packets whose decoded payload is
 * longer than max (0: TR_RSP_DEFAULT_MAX) are dropped as TOO_LONG. */
void tr_rsp_reader_init(struct tr_rsp_reader *r, size_t max);
void tr_rsp_reader_free(struct tr_rsp_reader *r);

/* tr_rsp_feed: append n bytes received. 0 or -TR_ENOMEM. */
int tr_rsp_feed(struct tr_rsp_reader *r, const void *data, size_t n);

/* tr_rsp_next: the next event. For TR_RSP_PACKET, *pkt / *len hold the
 * decoded payload (NUL-terminated too; it may hold NUL bytes), valid
 * until the next call on r. */
int tr_rsp_next(struct tr_rsp_reader *r, const char **pkt, size_t *len);

/*
 * tr_rsp_put_packet: append `$` DATA `#` CC for payload[0..len) to out,
 * escaping `$`, `#`, `}` and `*` (so binary payloads travel as they
 * are). 0 or -TR_ENOMEM (out unchanged then).
 */
int tr_rsp_put_packet(struct tr_buf *out, const void *payload, size_t len);

/* Hex, as the protocol writes memory and registers: two lowercase digits
 * per byte. tr_rsp_hex_decode accepts either case; -TR_EINVAL for an odd
 * length or a character that is not a hex digit. */
void tr_rsp_hex_encode(const void *in, size_t n, char *out);
int tr_rsp_hex_decode(const char *in, size_t n, void *out);

/* tr_rsp_hex_u64: a number in hex (as in "m7ffd1234,40"), at most 16
 * digits, from s[0..n); 0 or -TR_EINVAL. */
int tr_rsp_hex_u64(const char *s, size_t n, uint64_t *out);

#endif
