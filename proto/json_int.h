/* json_int.h: what the JSON parser (json.c) and writer (json_write.c) share: UTF-8 validation and the locale's decimal point (not exported). */
#ifndef TR_PROTO_JSON_INT_H
#define TR_PROTO_JSON_INT_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at s (n bytes available), 0 if
 * the bytes there are not one (RFC 3629: no overlong forms, surrogates or
 * code points above U+10FFFF). */
size_t tr_json__utf8_len(const unsigned char *s, size_t n);

/* The decimal point of the current locale, which strtod and printf use
 * and JSON does not. Thread-safe. */
const char *tr_json__radix(void);

#endif
