/* x86_insn.c: the length of an x86-64 instruction, and whether it can run at another address unchanged. */
#include <string.h>

#include "target/x86_insn.h"

/*
 * Written from the Intel SDM, volume 2, appendix A (opcode maps) and
 * section 2.1-2.3 (prefixes, ModR/M, SIB, VEX), for 64-bit mode only.
 * Bits per one-byte opcode: M has a ModR/M byte, I8/I32/IZ an
 * immediate (IZ: 16 bits under a 66 prefix), X never movable (branches,
 * traps, system instructions, invalid in 64-bit mode).
 */
enum { M = 1, I8 = 2, I32 = 4, IZ = 8, X = 16 };

static uint8_t
one_byte(uint8_t op)
{
	if (op < 0x40) {
		uint8_t lo = op & 7;

		if (op == 0x0f)
			return 0; /* escape, handled apart */
		if (lo <= 3)
			return M;
		if (lo == 4)
			return I8;
		if (lo == 5)
			return IZ;
		return X; /* push/pop seg, daa..., prefixes (not reached) */
	}
	if (op >= 0x50 && op <= 0x5f)
		return 0;
	if (op >= 0x70 && op <= 0x7f)
		return X; /* jcc rel8 */
	if (op >= 0x80 && op <= 0x8f) {
		if (op == 0x80 || op == 0x83)
			return M | I8;
		if (op == 0x81)
			return M | IZ;
		if (op == 0x82)
			return X;
		return M;
	}
	if (op >= 0x90 && op <= 0x9f)
		return op == 0x9a ? X : 0;
	if (op >= 0xb0 && op <= 0xb7)
		return I8;
	if (op >= 0xd8 && op <= 0xdf)
		return M; /* x87 */
	switch (op) {
	case 0x63: return M;
	case 0x68: return IZ;
	case 0x69: return M | IZ;
	case 0x6a: return I8;
	case 0x6b: return M | I8;
	case 0xa8: return I8;
	case 0xa9: return IZ;
	case 0xa4: case 0xa5: case 0xa6: case 0xa7:
	case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
		return 0;
	case 0xc0: case 0xc1: case 0xc6: return M | I8;
	case 0xc7: return M | IZ;
	case 0xc9: return 0; /* leave */
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: return M;
	case 0xd7: return 0;
	case 0xf5: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc:
	case 0xfd:
		return 0;
	case 0xf6: case 0xf7: case 0xfe: case 0xff: return M; /* groups */
	default:
		return X;
	}
}

/* Two-byte map (0F xx): M is the rule, these are the exceptions. */
static uint8_t
two_byte(uint8_t op)
{
	if (op >= 0x80 && op <= 0x8f)
		return X; /* jcc rel32 */
	if (op >= 0xc8 && op <= 0xcf)
		return 0; /* bswap */
	switch (op) {
	case 0x00: case 0x01: case 0x05: case 0x06: case 0x07: case 0x08:
	case 0x09: case 0x0b: case 0x0f: case 0x30: case 0x32: case 0x33:
	case 0x34: case 0x35: case 0x37: case 0x78: case 0x79:
	case 0xa0: case 0xa1: case 0xa8: case 0xa9: case 0xaa: case 0xff:
		return X;
	case 0x31: case 0xa2: case 0x77:
		return 0;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac:
	case 0xba: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		return M | I8;
	default:
		return M;
	}
}

/* ModR/M, SIB and displacement starting at p: bytes used, or -1. */
static int
modrm_len(const uint8_t *p, size_t avail, bool *riprel)
{
	uint8_t mod, rm;
	int n = 1;

	if (avail < 1)
		return -1;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (avail < 2)
			return -1;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		*riprel = true;
		n += 4;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n;
}

/* Relative branches: opcode at code[i] (after prefixes), its map. */
static int
rel_branch(const uint8_t *code, size_t i, size_t avail, bool map2,
	   struct tr_insn *out)
{
	uint8_t op = code[i];
	size_t n;

	if (!map2 && ((op >= 0x70 && op <= 0x7f) || op == 0xeb ||
		      (op >= 0xe0 && op <= 0xe3)))
		n = 1; /* jcc, jmp, loop*, jrcxz: rel8 */
	else if ((!map2 && (op == 0xe8 || op == 0xe9)) ||
		 (map2 && op >= 0x80 && op <= 0x8f))
		n = 4; /* call, jmp, jcc: rel32 */
	else
		return 0;
	if (i + 1 + n > avail)
		return -1;
	if (n == 1) {
		out->rel = (int8_t)code[i + 1];
	} else {
		int32_t r;

		memcpy(&r, code + i + 1, 4);
		out->rel = r;
	}
	out->len = (uint8_t)(i + 1 + n);
	out->branch = out->has_rel = true;
	return 1;
}

int
tr_insn_decode(const uint8_t *code, size_t avail, struct tr_insn *out)
{
	size_t i = 0;
	bool opsize = false, rexw = false, riprel = false;
	uint8_t flags, op;
	bool map1 = false;
	int n;

	memset(out, 0, sizeof(*out));
	if (avail > 15)
		avail = 15;
	/* legacy prefixes */
	while (i < avail) {
		uint8_t b = code[i];

		if (b == 0x66)
			opsize = true;
		else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x2e &&
			 b != 0x36 && b != 0x3e && b != 0x26 && b != 0x64 &&
			 b != 0x65 && b != 0x67)
			break;
		i++;
	}
	if (i < avail && (code[i] & 0xf0) == 0x40) {
		rexw = code[i] & 8;
		i++;
	}
	if (i >= avail)
		return -1;
	n = rel_branch(code, i, avail, false, out);
	if (n == 0 && code[i] == 0x0f && i + 1 < avail)
		n = rel_branch(code, i + 1, avail, true, out);
	if (n != 0)
		return n < 0 ? -1 : 0;
	if (code[i] == 0xc3 || code[i] == 0xcc) {
		out->len = (uint8_t)(i + 1); /* ret, int3 */
		out->branch = code[i] == 0xc3;
		return 0;
	}
	if (code[i] == 0xc2) {
		if (i + 3 > avail)
			return -1;
		out->len = (uint8_t)(i + 3); /* ret imm16 */
		out->branch = true;
		return 0;
	}
	op = code[i++];
	if (op == 0xc4 || op == 0xc5) {
		/* VEX: map from the prefix, then opcode and ModR/M */
		unsigned map = 1;

		if (op == 0xc4) {
			if (i + 2 > avail)
				return -1;
			map = code[i] & 0x1f;
			i += 2;
		} else {
			if (i + 1 > avail)
				return -1;
			i += 1;
		}
		if (i >= avail || map < 1 || map > 3)
			return -1;
		op = code[i++];
		if (map == 1 && op == 0x77) {
			flags = 0; /* vzeroupper / vzeroall */
		} else {
			flags = M;
			if (map == 3 || (map == 1 && (two_byte(op) & I8)))
				flags |= I8;
		}
	} else if (op == 0x0f) {
		if (i >= avail)
			return -1;
		op = code[i++];
		if (op == 0x38 || op == 0x3a) {
			bool imm = op == 0x3a;

			if (i >= avail)
				return -1;
			i++; /* the third opcode byte */
			flags = M | (imm ? I8 : 0);
		} else {
			flags = two_byte(op);
		}
	} else if (op >= 0xb8 && op <= 0xbf) {
		flags = rexw ? 0 : IZ;
		if (rexw)
			i += 8; /* mov r64, imm64 */
	} else if (op >= 0xa0 && op <= 0xa3) {
		flags = 0;
		i += 8; /* mov with a 64-bit absolute address */
	} else {
		flags = one_byte(op);
		map1 = true;
	}
	if (flags & X)
		return -1;
	if (flags & M) {
		uint8_t reg;

		n = modrm_len(code + i, avail - i, &riprel);
		if (n < 0)
			return -1;
		if (riprel)
			out->disp_off = (uint8_t)(i + 1);
		reg = (code[i] >> 3) & 7;
		/* F6/F7 /0 and /1 (test) take an immediate; FF /2../5 are
		 * indirect calls and jumps. */
		if (map1 && op == 0xf6 && reg <= 1)
			flags |= I8;
		if (map1 && op == 0xf7 && reg <= 1)
			flags |= IZ;
		i += (size_t)n;
		if (map1 && op == 0xff && reg >= 2 && reg <= 5) {
			/* call/jmp through a register or memory */
			if (i > avail)
				return -1;
			out->len = (uint8_t)i;
			out->branch = out->indirect = true;
			return 0;
		}
	}
	if (flags & I8)
		i += 1;
	if (flags & IZ)
		i += opsize ? 2 : 4;
	if (flags & I32)
		i += 4;
	if (i > avail)
		return -1;
	out->len = (uint8_t)i;
	out->movable = true;
	out->riprel = riprel;
	return 0;
}
