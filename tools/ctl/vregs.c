/* vregs.c: tracectl's x87, SSE and AVX registers in gdb 13's layout: info all-registers, and st0-7, fctrl..fop, mxcsr, pkru, xmm0-15, ymm0-15 by name (the vector unions with /x, <repeats N times> as gdb). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "json.h"
#include "ctl/tracectl.h"

/* gdb's repeat_count_threshold: runs this long are "<repeats N times>" */
#define REPEATS 10

/* The bytes of a register given as "0x<hex, most significant first>",
 * little-endian into out (n bytes). */
static bool
le_bytes(const struct tr_json *regs, const char *name, uint8_t *out,
	 size_t n)
{
	const char *s = tc_jstr(regs, name);
	size_t len;

	if (!s || strncmp(s, "0x", 2) || (len = strlen(s + 2)) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned b;

		sscanf(s + 2 + 2 * (n - 1 - i), "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return true;
}

/* An element of `size` bytes (up to 16) as gdb's /x: no leading zeros. */
static void
hex_elem(const uint8_t *p, size_t size, char *out, size_t len)
{
	size_t n = 0, i = size;

	while (i > 1 && !p[i - 1])
		i--;
	n += (size_t)snprintf(out, len, "0x%x", p[i - 1]);
	while (--i > 0 && n < len)
		n += (size_t)snprintf(out + n, len - n, "%02x", p[i - 1]);
}

/* NAME = {e, e, e <repeats N times>} of count elements of size bytes */
static void
print_vec(const char *name, const uint8_t *b, size_t count, size_t size)
{
	printf("%s = {", name);
	for (size_t i = 0; i < count;) {
		size_t run = 1;
		char e[48];

		while (i + run < count &&
		       !memcmp(b + i * size, b + (i + run) * size, size))
			run++;
		hex_elem(b + i * size, size, e, sizeof(e));
		if (run >= REPEATS) {
			printf("%s%s <repeats %zu times>", i ? ", " : "", e,
			       run);
			i += run;
		} else {
			printf("%s%s", i ? ", " : "", e);
			i++;
		}
	}
	printf("}");
}

/* union vec128 or vec256 with /x, as info registers shows it */
static void
print_union(const uint8_t *b, size_t n)
{
	static const char *const n128[] = { "v8_bfloat16", "v8_half",
					    "v4_float", "v2_double",
					    "v16_int8", "v8_int16",
					    "v4_int32", "v2_int64" };
	static const char *const n256[] = { "v16_bfloat16", "v16_half",
					    "v8_float", "v4_double",
					    "v32_int8", "v16_int16",
					    "v8_int32", "v4_int64" };
	static const size_t sizes[] = { 2, 2, 4, 8, 1, 2, 4, 8 };
	const char *const *names = n == 16 ? n128 : n256;
	char e[48];

	printf("{");
	for (size_t i = 0; i < 8; i++) {
		print_vec(names[i], b, n / sizes[i], sizes[i]);
		printf(", ");
	}
	if (n == 16) {
		hex_elem(b, 16, e, sizeof(e));
		printf("uint128 = %s}", e);
	} else {
		print_vec("v2_int128", b, 2, 16);
		printf("}");
	}
}

/* mxcsr as gdb's flags type */
static void
print_mxcsr(uint64_t v)
{
	static const struct {
		unsigned bit;
		const char *name;
	} f[] = { { 0, "IE" },  { 1, "DE" },  { 2, "ZE" },  { 3, "OE" },
		  { 4, "UE" },  { 5, "PE" },  { 6, "DAZ" }, { 7, "IM" },
		  { 8, "DM" },  { 9, "ZM" },  { 10, "OM" }, { 11, "UM" },
		  { 12, "PM" }, { 15, "FZ" } };

	printf("[ ");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (v >> f[i].bit & 1)
			printf("%s ", f[i].name);
	printf("]");
}

static const char *const x87_ctl[] = { "fctrl", "fstat", "ftag", "fiseg",
				       "fioff", "foseg", "fooff", "fop" };

bool
tc_vreg_print(const char *name, const struct tr_json *regs)
{
	uint8_t b[32];
	char hex[32];

	if (!strncmp(name, "st", 2) && name[2] >= '0' && name[2] <= '7' &&
	    !name[3]) {
		long double ld = 0;
		char nat[64];

		if (!le_bytes(regs, name, b, 10))
			return false;
		memcpy(&ld, b, 10);
		/* gdb: the format's digits, 2 + floor(64 * log10(2)) */
		snprintf(nat, sizeof(nat), "%.21Lg", ld);
		printf("%-15s%-19s (raw %s)\n", name, nat,
		       tc_jstr(regs, name));
		return true;
	}
	for (size_t i = 0; i < sizeof(x87_ctl) / sizeof(x87_ctl[0]); i++)
		if (!strcmp(name, x87_ctl[i]) || (!strcmp(name, "pkru") && !i)) {
			uint64_t v;

			if (!tr_json_get(regs, name))
				return false;
			v = tc_jnum(regs, name);
			snprintf(hex, sizeof(hex), "0x%" PRIx64, v);
			printf("%-15s%-19s %" PRIu64 "\n", name, hex, v);
			return true;
		}
	if (!strcmp(name, "mxcsr")) {
		uint64_t v;

		if (!tr_json_get(regs, name))
			return false;
		v = tc_jnum(regs, name);
		snprintf(hex, sizeof(hex), "0x%" PRIx64, v);
		printf("%-15s%-19s ", name, hex);
		print_mxcsr(v);
		printf("\n");
		return true;
	}
	if ((!strncmp(name, "xmm", 3) && le_bytes(regs, name, b, 16)) ||
	    (!strncmp(name, "ymm", 3) && le_bytes(regs, name, b, 32))) {
		printf("%-15s", name);
		print_union(b, name[0] == 'x' ? 16 : 32);
		printf("\n");
		return true;
	}
	return false;
}

void
tc_vregs_print_all(const struct tr_json *regs)
{
	char name[8];
	bool avx = tr_json_get(regs, "ymm0") != NULL;

	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "st%d", i);
		tc_vreg_print(name, regs);
	}
	for (size_t i = 0; i < sizeof(x87_ctl) / sizeof(x87_ctl[0]); i++)
		tc_vreg_print(x87_ctl[i], regs);
	/* with AVX gdb shows ymm (xmm is their lower half) after mxcsr and
	 * pkru; without, xmm then mxcsr */
	if (avx) {
		tc_vreg_print("mxcsr", regs);
		if (tr_json_get(regs, "pkru"))
			tc_vreg_print("pkru", regs);
	}
	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), avx ? "ymm%d" : "xmm%d", i);
		tc_vreg_print(name, regs);
	}
	if (!avx)
		tc_vreg_print("mxcsr", regs);
}
