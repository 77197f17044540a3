/* disasm.c: x86-64 instructions as text in the AT&T form of gdb 13 and GNU objdump, decoded by Capstone; the operands are written here from Capstone's detail, since Capstone's own AT&T text differs from GNU's (suffixes, spaces, $1, displacements). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "symbols/disasm.h"

struct tr_disasm {
	csh h;
	cs_insn *insn;
};

int
tr_disasm_new(struct tr_disasm **out)
{
	struct tr_disasm *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return -TR_ENOMEM;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &d->h) != CS_ERR_OK) {
		free(d);
		return -TR_ESYS;
	}
	cs_option(d->h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	cs_option(d->h, CS_OPT_DETAIL, CS_OPT_ON);
	if (!(d->insn = cs_malloc(d->h))) {
		cs_close(&d->h);
		free(d);
		return -TR_ENOMEM;
	}
	*out = d;
	return 0;
}

void
tr_disasm_free(struct tr_disasm *d)
{
	if (!d)
		return;
	cs_free(d->insn, 1);
	cs_close(&d->h);
	free(d);
}

/* a bounded appender */
struct out {
	char *p;
	size_t len, n;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n >= o->len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->p + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n = o->n + (size_t)k < o->len ? o->n + (size_t)k : o->len - 1;
}

static bool
is_gpr(csh h, x86_reg r)
{
	const char *n = cs_reg_name(h, r);

	if (!n)
		return false;
	/* xmm, ymm, st, mm, k, segment and control registers do not say
	 * an integer operand's size */
	return strncmp(n, "xmm", 3) && strncmp(n, "ymm", 3) &&
	       strncmp(n, "zmm", 3) && strncmp(n, "st", 2) &&
	       strncmp(n, "mm", 2) && strncmp(n, "cr", 2) &&
	       strncmp(n, "dr", 2) &&
	       !(strlen(n) == 2 && n[1] == 's');
}

static void
mem_operand(csh h, const cs_insn *in, const cs_x86_op *op, bool no_seg,
	    struct out *o)
{
	const cs_x86 *x = &in->detail->x86;
	unsigned mod = x->modrm >> 6;
	int64_t disp = op->mem.disp;
	bool base = op->mem.base != X86_REG_INVALID;
	bool index = op->mem.index != X86_REG_INVALID;

	if (op->mem.segment != X86_REG_INVALID && !no_seg)
		put(o, "%%%s:", cs_reg_name(h, op->mem.segment));
	/* GNU writes a displacement the encoding has, even 0 (0x0(%rax)),
	 * and none when it has none; without a base or index it is an
	 * absolute address */
	if (!base && !index)
		put(o, "0x%llx", (unsigned long long)(uint64_t)disp);
	else if (disp < 0)
		put(o, "-0x%llx", (unsigned long long)-(uint64_t)disp);
	else if (disp > 0 || mod == 1 || mod == 2 ||
		 op->mem.base == X86_REG_RIP ||
		 (!base && index))
		put(o, "0x%llx", (unsigned long long)disp);
	if (base || index) {
		put(o, "(");
		if (base)
			put(o, "%%%s", cs_reg_name(h, op->mem.base));
		if (index)
			put(o, ",%%%s,%d", cs_reg_name(h, op->mem.index),
			    op->mem.scale);
		put(o, ")");
	}
}

/* Capstone's mnemonic ends in an operand-size suffix (movq, pushq) that
 * GNU leaves out when a general register gives the size */
static void
mnemonic(csh h, const cs_insn *in, char *out, size_t len)
{
	const cs_x86 *x = &in->detail->x86;
	const char *m = in->mnemonic;
	const char *sp = strrchr(m, ' ');
	const char *base = cs_insn_name(h, in->id);
	size_t bl = base ? strlen(base) : 0;
	size_t ml;
	bool gpr = false, implied = false;

	/* "lock xaddl": the prefix word goes back in front afterwards */
	if (sp) {
		size_t pl = (size_t)(sp - m) + 1;

		snprintf(out, len, "%.*s", (int)pl, m);
		out += pl;
		len = len > pl ? len - pl : 0;
		m = sp + 1;
		if (!len)
			return;
	}
	ml = strlen(m);
	snprintf(out, len, "%s", m);
	for (int i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_REG &&
		    is_gpr(h, x->operands[i].reg))
			gpr = true;
	/* 64-bit by default, GNU writes no suffix */
	if (base && (!strcmp(base, "call") || !strcmp(base, "ret") ||
		     !strcmp(base, "jmp") || !strcmp(base, "leave") ||
		     !strcmp(base, "push") || !strcmp(base, "pop")))
		implied = true;
	if (base && ml == bl + 1 && !strncmp(m, base, bl) &&
	    strchr("bwlq", m[bl]) && (gpr || implied))
		out[bl] = 0;
	/* 66 REX.W 0F 6E/7E moves 64 bits: GNU's movq, Capstone's movd */
	if (!strcmp(m, "movd"))
		for (int i = 0; i < x->op_count; i++)
			if (x->operands[i].type == X86_OP_REG &&
			    is_gpr(h, x->operands[i].reg) &&
			    x->operands[i].size == 8)
				snprintf(out, len, "movq");
}

/* x87 register forms: Capstone leaves out %st; GNU writes
 * "fadd %st(1),%st" (D8, DA, DB, DF) and "fsubrp %st,%st(1)" (DC, DE) */
static void
x87_second(const cs_x86 *x, const char *m, struct out *o)
{
	unsigned op = x->opcode[0];

	if (x->op_count != 1 || op < 0xd8 || op > 0xdf || op == 0xd9 ||
	    op == 0xdd || (x->modrm >> 6) != 3 || !strcmp(m, "fcom") || !strcmp(m, "fcomp") ||
	    o->n < 6 || strncmp(o->p + o->n - 6, "%st(", 4))
		return;
	if (op == 0xdc || op == 0xde) {
		char r[8];

		snprintf(r, sizeof(r), "%s", o->p + o->n - 6);
		o->n -= 6;
		o->p[o->n] = 0;
		put(o, "%%st,%s", r);
	} else {
		put(o, ",%%st");
	}
}

/* String instructions as GNU writes them: segments named, stos/lods/scas
 * with the accumulator and no suffix. True when written. */
static bool
string_insn(csh h, const cs_insn *in, struct out *o, const char *mn)
{
	const char *m = strrchr(mn, ' ') ? strrchr(mn, ' ') + 1 : mn;
	static const char *const acc[] = { "al", "ax", "eax", "rax" };
	size_t ml = strlen(m);
	const char *sfx = "bwlq";
	int k;

	(void)h;
	if (ml != 5 || !strchr(sfx, m[4]))
		return false;
	k = (int)(strchr(sfx, m[4]) - sfx);
	if (!strncmp(m, "movs", 4))
		put(o, "%%ds:(%%rsi),%%es:(%%rdi)");
	else if (!strncmp(m, "cmps", 4))
		put(o, "%%es:(%%rdi),%%ds:(%%rsi)");
	else if (!strncmp(m, "stos", 4) || !strncmp(m, "lods", 4) ||
		 !strncmp(m, "scas", 4)) {
		if (!strncmp(m, "stos", 4))
			put(o, "%%%s,%%es:(%%rdi)", acc[k]);
		else if (!strncmp(m, "lods", 4))
			put(o, "%%ds:(%%rsi),%%%s", acc[k]);
		else
			put(o, "%%es:(%%rdi),%%%s", acc[k]);
	} else
		return false;
	return true;
}

int
tr_disasm_one(struct tr_disasm *d, const uint8_t *code, size_t len,
	      uint64_t addr, tr_disasm_sym sym, void *arg,
	      struct tr_dis_insn *ti)
{
	const uint8_t *p = code;
	size_t n = len;
	uint64_t a = addr;
	cs_insn *in = d->insn;
	const cs_x86 *x;
	struct out o = { ti->text, sizeof(ti->text), 0 };
	char mn[32], head[64];
	struct out ho = { head, sizeof(head), 0 };
	bool branch, cs_word = false;

	memset(ti, 0, sizeof(*ti));
	ti->addr = addr;
	if (!len)
		return -TR_EINVAL;
	if (!cs_disasm_iter(d->h, &p, &n, &a, in)) {
		ti->len = 1;
		snprintf(ti->text, sizeof(ti->text), "(bad)");
		return 0;
	}
	ti->len = in->size;
	x = &in->detail->x86;
	/* Capstone 4 puts loop and jrcxz in no branch group */
	branch = cs_insn_group(d->h, in, CS_GRP_JUMP) ||
		 cs_insn_group(d->h, in, CS_GRP_CALL) ||
		 in->id == X86_INS_LOOP || in->id == X86_INS_LOOPE ||
		 in->id == X86_INS_LOOPNE || in->id == X86_INS_JRCXZ ||
		 in->id == X86_INS_JECXZ;
	/* prefixes GNU names as words: a segment override on an
	 * instruction that ignores it (cs nopw), repeated 0x66 */
	{
		unsigned k = 0, n66 = 0;

		while (k < in->size && (in->bytes[k] == 0x66 ||
					in->bytes[k] == 0x2e ||
					in->bytes[k] == 0xf3 ||
					in->bytes[k] == 0xf2 ||
					in->bytes[k] == 0xf0 ||
					in->bytes[k] == 0x3e ||
					in->bytes[k] == 0x64 ||
					in->bytes[k] == 0x65)) {
			if (in->bytes[k] == 0x66)
				n66++;
			k++;
		}
		/* one 0x66 sets the operand size unless REX.W does */
		if (n66 && (!(x->rex & 8) || x->opcode[0] == 0x0f))
			n66--;
		for (unsigned i = 0; i < n66; i++)
			put(&ho, "data16 ");
		if (in->id == X86_INS_NOP && x->prefix[1] == 0x2e) {
			put(&ho, "cs ");
			cs_word = true;
		}
		if (branch && x->prefix[1] == 0x3e)
			put(&ho, "notrack ");
		if (branch && x->prefix[0] == 0xf2 &&
		    strncmp(in->mnemonic, "bnd", 3))
			put(&ho, "bnd ");
		/* f3 c3: AMD's two-byte return, GNU's "repz ret" */
		if (in->id == X86_INS_RET && in->bytes[0] == 0xf3)
			put(&ho, "repz ");
	}
	mnemonic(d->h, in, mn, sizeof(mn));
	/* 66 90 is GNU's xchg %ax,%ax */
	if (in->id == X86_INS_NOP && x->opcode[0] == 0x90 &&
	    x->prefix[2] == 0x66) {
		snprintf(ti->text, sizeof(ti->text), "xchg   %%ax,%%ax");
		return 0;
	}
	{
		/* stos, lods, scas: no suffix (the accumulator says it) */
		char *w = strrchr(mn, ' ') ? strrchr(mn, ' ') + 1 : mn;

		if (strlen(w) == 5 && strchr("bwlq", w[4]) &&
		    (!strncmp(w, "stos", 4) || !strncmp(w, "lods", 4) ||
		     !strncmp(w, "scas", 4)))
			w[4] = 0;
	}
	put(&ho, "%s", !strcmp(mn, "wait") ? "fwait" : mn);
	if (!x->op_count || !in->op_str[0]) {
		put(&o, "%s", head);
		return 0;
	}
	put(&o, "%-6s ", head);
	/* 91-97 (xchg with the accumulator): GNU writes the accumulator
	 * first, Capstone last */
	if (in->id == X86_INS_XCHG && (x->opcode[0] & 0xf8) == 0x90 &&
	    x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	    x->operands[1].type == X86_OP_REG) {
		put(&o, "%%%s,%%%s", cs_reg_name(d->h, x->operands[1].reg),
		    cs_reg_name(d->h, x->operands[0].reg));
		return 0;
	}
	if (string_insn(d->h, in, &o, in->mnemonic))
		goto symbol;
	/* D2/D3: shifts by %cl, which Capstone leaves out of the operands */
	if ((x->opcode[0] == 0xd2 || x->opcode[0] == 0xd3) && !x->opcode[1] &&
	    x->op_count == 1)
		put(&o, "%%cl");
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		/* D0/D1/D2/D3: shifts by one written with no count */
		if (op->type == X86_OP_IMM && op->imm == 1 &&
		    (x->opcode[0] == 0xd0 || x->opcode[0] == 0xd1) &&
		    !x->opcode[1])
			continue;
		if (o.n && o.p[o.n - 1] != ' ')
			put(&o, ",");
		switch (op->type) {
		case X86_OP_REG:
			/* GNU names st(0) %st beside another x87 register */
			if (op->reg == X86_REG_ST0 && x->op_count == 2) {
				put(&o, "%%st");
				break;
			}
			put(&o, "%s%%%s", branch ? "*" : "",
			    cs_reg_name(d->h, op->reg));
			x87_second(x, in->mnemonic, &o);
			break;
		case X86_OP_IMM: {
			uint64_t v = (uint64_t)op->imm;

			if (branch) {
				ti->has_target = ti->is_branch = true;
				ti->target = v;
				put(&o, "0x%llx", (unsigned long long)v);
				break;
			}
			if (op->size && op->size < 8)
				v &= (1ULL << (op->size * 8)) - 1;
			/* xabort's imm8 is no sign-extended operand */
			if (in->id == X86_INS_XABORT)
				v &= 0xff;
			put(&o, "$0x%llx", (unsigned long long)v);
			break;
		}
		case X86_OP_MEM:
			if (branch)
				put(&o, "*");
			mem_operand(d->h, in, op, cs_word, &o);
			if (op->mem.base == X86_REG_RIP) {
				ti->has_target = true;
				ti->target = in->address + in->size +
					     (uint64_t)op->mem.disp;
			}
			break;
		default:
			break;
		}
	}
symbol:
	if (ti->has_target) {
		char s[160];
		bool named = sym && sym(arg, ti->target, s, sizeof(s));

		if (ti->is_branch) {
			if (named)
				put(&o, " <%s>", s);
		} else {
			put(&o, "        # 0x%llx",
			    (unsigned long long)ti->target);
			if (named)
				put(&o, " <%s>", s);
		}
	}
	return 0;
}

unsigned
tr_disasm_length(struct tr_disasm *d, const uint8_t *code, size_t len,
		 uint64_t addr)
{
	const uint8_t *p = code;
	size_t n = len;
	uint64_t a = addr;

	if (!len || !cs_disasm_iter(d->h, &p, &n, &a, d->insn))
		return 0;
	return d->insn->size;
}
