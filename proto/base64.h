/* base64.h: base64 encoding and canonical decoding (RFC 4648). */
#ifndef TR_PROTO_BASE64_H
#define TR_PROTO_BASE64_H

#include <stddef.h>

/*
 * Base64, standard alphabet with padding (RFC 4648 section 4).
 * tr_base64_encode writes TR_BASE64_ENCODED_LEN(n) characters to out (no
 * NUL) and returns that count. tr_base64_decode accepts only canonical
 * input: a length that is a multiple of 4, nothing outside the alphabet
 * (no whitespace, no line breaks), '=' only as the last one or two
 * characters, and zero bits in what the padding leaves over; it writes at
 * most TR_BASE64_DECODED_MAX(n) bytes, their count in *outlen, and returns
 * 0 or -TR_EINVAL (out then holds garbage).
 */
#define TR_BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
#define TR_BASE64_DECODED_MAX(n) (((n) / 4) * 3)

size_t tr_base64_encode(const void *in, size_t n, char *out);
int tr_base64_decode(const char *in, size_t n, void *out, size_t *outlen);

#endif
