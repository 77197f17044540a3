/* base64.c: base64 of RFC 4648 (standard alphabet, padding), with a decoder that takes canonical input only. */
#include <stddef.h>
#include <stdint.h>

#include "base64.h"
#include "base/error.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
tr_base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *s = in;
	char *o = out;
	uint32_t v;

	for (; n >= 3; n -= 3, s += 3) {
		v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (n) {
		v = (uint32_t)s[0] << 16 | (n > 1 ? (uint32_t)s[1] << 8 : 0);
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = n > 1 ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	return (size_t)(o - out);
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
tr_base64_decode(const char *in, size_t n, void *out, size_t *outlen)
{
	unsigned char *o = out;
	size_t i;

	if (n % 4)
		return -TR_EINVAL;
	for (i = 0; i < n; i += 4) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]), d = b64_value(in[i + 3]);

		if (a < 0 || b < 0)
			return -TR_EINVAL;
		if (c >= 0 && d >= 0) {
			*o++ = (unsigned char)(a << 2 | b >> 4);
			*o++ = (unsigned char)((b & 15) << 4 | c >> 2);
			*o++ = (unsigned char)((c & 3) << 6 | d);
			continue;
		}
		/* Padding: only in the last quantum, and the bits it leaves
		 * over must be zero (RFC 4648 3.5), so that each byte string
		 * has exactly one accepted encoding. */
		if (i + 4 != n || in[i + 3] != '=')
			return -TR_EINVAL;
		*o++ = (unsigned char)(a << 2 | b >> 4);
		if (in[i + 2] == '=') {
			if (b & 15)
				return -TR_EINVAL;
		} else {
			if (c < 0 || (c & 3))
				return -TR_EINVAL;
			*o++ = (unsigned char)((b & 15) << 4 | c >> 2);
		}
	}
	*outlen = (size_t)(o - (unsigned char *)out);
	return 0;
}
