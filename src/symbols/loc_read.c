/* loc_read.c: reading an object at its location, and registers as location expressions see them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/leb128.h"
#include "base/log.h"
#include "symbols/dwarf_type.h"
#include "symbols/loc_int.h"

/* ---- reading ---------------------------------------------------------- */

static unsigned
reg_size(unsigned regno)
{
	return regno >= TR_DWREG_XMM0 && regno < TR_DWREG_MM0 ? 16 : 8;
}

/* Copy n bits of piece p to bit dpos of out, marking in `have` the bits
 * it could provide. */
static int
piece_bits(const struct tr_loc_piece *p, const struct tr_loc_frame *f,
	   uint8_t *out, uint8_t *have, uint64_t dpos, uint64_t n)
{
	uint8_t small[32];
	uint8_t *src = small, *heap = NULL;
	uint64_t need = (p->bit_offset + n + 7) / 8, srcbits = 0;

	switch (p->kind) {
	case TR_LOC_MEMORY:
		if (need > sizeof(small)) {
			heap = malloc(need);
			if (!heap)
				return -TR_ENOMEM;
			src = heap;
		}
		if (f->mem(f->mem_arg, p->addr, src, need) < 0) {
			free(heap);
			return -TR_EFAULT;
		}
		srcbits = need * 8;
		break;
	case TR_LOC_REGISTER: {
		size_t want = need < reg_size(p->reg) ? need : reg_size(p->reg);

		/* A register this frame does not know: those bits stay
		 * unavailable. */
		if (f->reg(f->reg_arg, p->reg, src, want) < 0)
			return 0;
		srcbits = want * 8;
		break;
	}
	case TR_LOC_VALUE:
		if (p->data) {
			src = (uint8_t *)p->data;
			srcbits = p->data_len * 8;
		} else {
			unsigned sz = p->value_size && p->value_size < 8 ?
					      p->value_size : 8;

			for (unsigned i = 0; i < 8; i++)
				small[i] = (uint8_t)(p->value >> (8 * i));
			srcbits = sz * 8;
		}
		break;
	default:
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t s = p->bit_offset + i, d = dpos + i;

		if (s >= srcbits)
			break;
		if (src[s / 8] >> (s % 8) & 1)
			out[d / 8] |= (uint8_t)(1u << (d % 8));
		have[d / 8] |= (uint8_t)(1u << (d % 8));
	}
	free(heap);
	return 0;
}

int
tr_loc_read(const struct tr_loc *loc, const struct tr_loc_frame *f, void *buf,
	    size_t len, uint8_t *avail)
{
	uint8_t *out = buf, *have;
	uint64_t pos = 0, total = (uint64_t)len * 8;
	int err = 0;

	memset(buf, 0, len);
	if (avail)
		memset(avail, 0, len);
	if (!len)
		return 0;
	if (loc->kind == TR_LOC_OPTIMIZED)
		return -TR_ENOENT;
	if (loc->kind == TR_LOC_MEMORY) {
		err = f->mem(f->mem_arg, loc->pieces[0].addr, buf, len);
		if (err < 0) {
			memset(buf, 0, len);
			return -TR_EFAULT;
		}
		if (avail)
			memset(avail, 1, len);
		return 0;
	}
	have = calloc(len, 1);
	if (!have)
		return -TR_ENOMEM;
	for (size_t i = 0; i < loc->npieces && pos < total && !err; i++) {
		const struct tr_loc_piece *p = &loc->pieces[i];
		uint64_t n = loc->kind == TR_LOC_PIECES ? p->bit_size : total;

		err = piece_bits(p, f, out, have, pos,
				 n < total - pos ? n : total - pos);
		pos += n;
	}
	if (err < 0) {
		memset(buf, 0, len);
		free(have);
		return err;
	}
	err = 0;
	for (size_t i = 0; i < len; i++) {
		bool ok = have[i] == 0xff;

		if (!ok) {
			out[i] = 0;
			err = -TR_ENOENT;
		}
		if (avail)
			avail[i] = ok;
	}
	free(have);
	return err;
}

int
tr_loc_regs_read(void *regs, unsigned regno, void *buf, size_t len)
{
	const struct tr_loc_regs *r = regs;
	const struct user_regs_struct *g = &r->gp;
	const uint8_t *src;
	unsigned long long v;

	if (regno <= TR_DWREG_RIP || regno == TR_DWREG_RFLAGS ||
	    (regno >= 50 && regno <= 55) || regno == TR_DWREG_FS_BASE ||
	    regno == TR_DWREG_GS_BASE) {
		/* The psABI numbering is not the order of
		 * user_regs_struct. */
		static const size_t at[] = {
			offsetof(struct user_regs_struct, rax),
			offsetof(struct user_regs_struct, rdx),
			offsetof(struct user_regs_struct, rcx),
			offsetof(struct user_regs_struct, rbx),
			offsetof(struct user_regs_struct, rsi),
			offsetof(struct user_regs_struct, rdi),
			offsetof(struct user_regs_struct, rbp),
			offsetof(struct user_regs_struct, rsp),
			offsetof(struct user_regs_struct, r8),
			offsetof(struct user_regs_struct, r9),
			offsetof(struct user_regs_struct, r10),
			offsetof(struct user_regs_struct, r11),
			offsetof(struct user_regs_struct, r12),
			offsetof(struct user_regs_struct, r13),
			offsetof(struct user_regs_struct, r14),
			offsetof(struct user_regs_struct, r15),
			offsetof(struct user_regs_struct, rip),
		};
		static const size_t seg[] = {
			offsetof(struct user_regs_struct, es),
			offsetof(struct user_regs_struct, cs),
			offsetof(struct user_regs_struct, ss),
			offsetof(struct user_regs_struct, ds),
			offsetof(struct user_regs_struct, fs),
			offsetof(struct user_regs_struct, gs),
		};
		size_t off;

		if (len > 8)
			return -TR_EINVAL;
		if (regno <= TR_DWREG_RIP)
			off = at[regno];
		else if (regno == TR_DWREG_RFLAGS)
			off = offsetof(struct user_regs_struct, eflags);
		else if (regno == TR_DWREG_FS_BASE)
			off = offsetof(struct user_regs_struct, fs_base);
		else if (regno == TR_DWREG_GS_BASE)
			off = offsetof(struct user_regs_struct, gs_base);
		else
			off = seg[regno - 50];
		memcpy(&v, (const uint8_t *)g + off, sizeof(v));
		memcpy(buf, &v, len);
		return 0;
	}
	if (!r->has_fp)
		return -TR_ENOENT;
	if (regno >= TR_DWREG_XMM0 && regno < TR_DWREG_ST0) {
		src = (const uint8_t *)r->fp.xmm_space +
		      (regno - TR_DWREG_XMM0) * 16;
		if (len > 16)
			return -TR_EINVAL;
	} else if (regno >= TR_DWREG_ST0 && regno < TR_DWREG_MM0 + 8) {
		/* FXSAVE keeps ST(i) in order, 16 bytes each; MMX registers
		 * alias them (TOP is 0 in MMX code). */
		unsigned i = (regno - TR_DWREG_ST0) % 8;

		src = (const uint8_t *)r->fp.st_space + i * 16;
		if (len > (regno < TR_DWREG_MM0 ? 16u : 8u))
			return -TR_EINVAL;
	} else {
		return -TR_ENOENT;
	}
	memcpy(buf, src, len);
	return 0;
}
