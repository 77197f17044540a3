/* vregs.c: x87, SSE and AVX registers from a thread's XSAVE area: the FXSAVE part (x87 state, mxcsr, xmm), the YMM_Hi128 and PKRU components, the abridged x87 tag made the full tag word as gdb shows it. */
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "base/error.h"
#include "target/tracer.h"
#include "target/vregs.h"

#define XSAVE_MAX 16384
/* Linux keeps XCR0 in the FXSAVE area's software-reserved bytes
 * (struct _fpx_sw_bytes, arch/x86/include/uapi/asm/sigcontext.h) */
#define XCR0_OFF 464
#define XSTATE_BV_OFF 512  /* the XSAVE header: which components are set */
#define YMMH_OFF 576       /* standard format: component 2 */

/* The x87 tag of one register (00 valid, 01 zero, 10 special), from
 * its contents, as FSTENV would give it. */
static unsigned
tag_of(const uint8_t *r)
{
	uint64_t mant;
	unsigned exp = (unsigned)(r[8] | (r[9] << 8)) & 0x7fff;

	memcpy(&mant, r, 8);
	if (exp == 0x7fff)
		return 2;
	if (exp == 0)
		return mant == 0 ? 1 : 2;
	return mant >> 63 ? 0 : 2;
}

/* pkru's offset in the standard format: CPUID leaf 0xd, sub-leaf 9. */
static unsigned
pkru_offset(void)
{
	unsigned a = 0xd, b = 0, c = 9, d = 0;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b;
}

int
tr_vregs_get(struct tr_tracer *t, pid_t tid, struct tr_vregs *v)
{
	uint8_t *x = calloc(1, XSAVE_MAX);
	size_t size = 0;
	uint64_t xcr0 = 0, bv = 0;
	uint16_t w16;
	unsigned top;
	int err;

	memset(v, 0, sizeof(*v));
	if (!x)
		return -TR_ENOMEM;
	err = tr_xstate_get(t, tid, x, XSAVE_MAX, &size);
	if (err) {
		/* no XSAVE: the FXSAVE area alone */
		struct user_fpregs_struct f;

		if ((err = tr_fpregs_get(t, tid, &f))) {
			free(x);
			return err;
		}
		memcpy(x, &f, sizeof(f));
		size = sizeof(f);
	}
	memcpy(&w16, x + 0, 2);
	v->fctrl = w16;
	memcpy(&w16, x + 2, 2);
	v->fstat = w16;
	memcpy(&w16, x + 6, 2);
	v->fop = w16 & 0x7ff;
	/* the 64-bit FXSAVE layout: FPU IP and DP as 64 bits, which gdb
	 * splits into offset (low) and segment (high) */
	memcpy(&v->fioff, x + 8, 4);
	memcpy(&v->fiseg, x + 12, 4);
	memcpy(&v->fooff, x + 16, 4);
	memcpy(&v->foseg, x + 20, 4);
	memcpy(&v->mxcsr, x + 24, 4);
	for (int i = 0; i < 8; i++)
		memcpy(v->st[i], x + 32 + 16 * i, 10);
	for (int i = 0; i < 16; i++)
		memcpy(v->xmm[i], x + 160 + 16 * i, 16);
	/* the abridged tag (1: not empty, per physical register) made the
	 * full one; physical register i is st((i - top) mod 8) */
	top = v->fstat >> 11 & 7;
	for (unsigned i = 0; i < 8; i++) {
		unsigned tag = !(x[4] >> i & 1)
				       ? 3
				       : tag_of(v->st[(i - top) & 7]);

		v->ftag |= tag << (2 * i);
	}
	if (size > XCR0_OFF + 8)
		memcpy(&xcr0, x + XCR0_OFF, 8);
	if (size >= XSTATE_BV_OFF + 8)
		memcpy(&bv, x + XSTATE_BV_OFF, 8);
	if ((xcr0 & 4) && size >= YMMH_OFF + 256) {
		v->has_avx = true;
		/* the kernel writes a component in its initial state as
		 * zeros; bv tells it apart anyway (older kernels) */
		if (bv & 4)
			for (int i = 0; i < 16; i++)
				memcpy(v->ymmh[i], x + YMMH_OFF + 16 * i, 16);
	}
	if (xcr0 & (1u << 9)) {
		unsigned off = pkru_offset();

		v->has_pkru = true;
		if ((bv & (1u << 9)) && off && size >= off + 4)
			memcpy(&v->pkru, x + off, 4);
	}
	free(x);
	return 0;
}
