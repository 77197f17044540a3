/* leb128.h: LEB128 numbers, as DWARF encodes them (shared by the DWARF modules). */
#ifndef TR_BASE_LEB128_H
#define TR_BASE_LEB128_H

#include <stdbool.h>
#include <stdint.h>

/*
 * tr_uleb128, tr_sleb128: decode the number at *pp, not reading at or past
 * `end`; on success advance *pp past it and return true. A number running
 * into `end` returns false and leaves *pp alone. Bits beyond 64 are
 * dropped.
 */
static inline bool
tr_uleb128(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	unsigned s = 0;
	uint8_t b;

	do {
		if (p >= end)
			return false;
		b = *p++;
		if (s < 64)
			r |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	} while (b & 0x80);
	*pp = p;
	*out = r;
	return true;
}

static inline bool
tr_sleb128(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	unsigned s = 0;
	uint8_t b;

	do {
		if (p >= end)
			return false;
		b = *p++;
		if (s < 64)
			r |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	} while (b & 0x80);
	if (s < 64 && (b & 0x40))
		r |= ~(uint64_t)0 << s;
	*pp = p;
	*out = (int64_t)r;
	return true;
}

#endif
