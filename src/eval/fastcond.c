/* fastcond.c: breakpoint conditions compiled to x86-64 code that the target runs itself (see tramp.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "symbols/debuginfo.h"
#include "base/error.h"
#include "eval/expr_eval.h"
#include "eval/fastcond.h"
#include "symbols/symtab.h"

/*
 * Code generation is a plain tree walk: every node leaves its value in
 * %rax, converted to the node's C type (sign- or zero-extended to 64
 * bits from its size, so that one 64-bit instruction does the work of
 * any width); a binary operator keeps its left operand in a temporary
 * while the right one is computed. The types come from the evaluator
 * (the probes below), so the conversions are the ones `print` would do.
 * Whenever the code cannot be sure (a division by zero, a shift out of
 * range) it answers "maybe": the tracer evaluates the condition itself.
 */

/* Made-up register values of the two probes: register r (DWARF
 * numbering, 0..16) is TAG + r * STRIDE, plus SHIFT in probe B. */
#define TAG 0x100000000000ull
#define STRIDE 0x10000000000ull
#define SHIFT 0x4000000ull
#define NEAR 0x1000000ull /* offsets from a register: under 16 MiB */
#define MEM_A 0x11        /* memory in probe A is all 0x11 */
#define MEM_B 0x5a        /* and in probe B all 0x5a */

#define MAX_TEMPS 15
#define MAX_FIX 128

/* The scalar type of a value in %rax. */
struct cty {
	unsigned size; /* 1, 2, 4, 8 */
	bool sgn;
	bool boolean;
	bool pointer;
};

struct cg {
	struct tr_debuginfo *di;
	struct tr_unwinder *unw;
	pid_t pid;
	uint64_t pc;
	struct tr_eval_env env[2];
	bool env_up[2];
	uint8_t *code;
	size_t len;
	unsigned depth, max_depth; /* temporaries in use, and at most */
	/* disp32 fields that need 8 * ntemps added once it is known */
	size_t fix[MAX_FIX];
	size_t nfix;
	/* jumps to the "maybe" exit */
	size_t bail[MAX_FIX];
	size_t nbail;
	const struct tr_module *mod;
	char *why;
	size_t whylen;
	bool failed;
};

static int
fail(struct cg *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed && c->why && c->whylen) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->whylen, fmt, ap);
		va_end(ap);
	}
	c->failed = true;
	return -TR_ENOTSUP;
}

/* ---- emitting ---------------------------------------------------------- */

static void
emit(struct cg *c, const void *bytes, size_t n)
{
	if (c->len + n > TR_FASTCOND_MAX - 16) {
		fail(c, "condition too long to compile");
		return;
	}
	memcpy(c->code + c->len, bytes, n);
	c->len += n;
}

#define E(c, s) emit((c), (s), sizeof(s) - 1)

static void
emit32(struct cg *c, uint32_t v)
{
	emit(c, &v, 4);
}

/* A disp32 relative to the temporaries' base that must also skip the
 * temporaries: [rsp + 8*ntemps + v]. */
static void
emit_frame_disp(struct cg *c, int32_t v)
{
	if (c->nfix == MAX_FIX) {
		fail(c, "condition too long to compile");
		return;
	}
	c->fix[c->nfix++] = c->len;
	emit32(c, (uint32_t)v);
}

/* jcc/jmp rel32 forward, patched by label_here(). */
static size_t
jump(struct cg *c, const char *op, size_t oplen)
{
	size_t at;

	emit(c, op, oplen);
	at = c->len;
	emit32(c, 0);
	return at;
}

static void
label_here(struct cg *c, size_t at)
{
	int32_t rel = (int32_t)(c->len - (at + 4));

	if (!c->failed)
		memcpy(c->code + at, &rel, 4);
}

static void
bail_if(struct cg *c, const char *jcc, size_t n)
{
	if (c->nbail == MAX_FIX) {
		fail(c, "condition too long to compile");
		return;
	}
	c->bail[c->nbail++] = jump(c, jcc, n);
}

/* %rax converted to type t from a 64-bit value. */
static void
normalize(struct cg *c, const struct cty *t)
{
	if (t->boolean) {
		E(c, "\x48\x85\xc0\x0f\x95\xc0\x0f\xb6\xc0"); /* != 0 */
		return;
	}
	switch (t->size) {
	case 1:
		if (t->sgn)
			E(c, "\x48\x0f\xbe\xc0"); /* movsbq %al,%rax */
		else
			E(c, "\x0f\xb6\xc0");     /* movzbl %al,%eax */
		break;
	case 2:
		if (t->sgn)
			E(c, "\x48\x0f\xbf\xc0"); /* movswq %ax,%rax */
		else
			E(c, "\x0f\xb7\xc0");     /* movzwl %ax,%eax */
		break;
	case 4:
		if (t->sgn)
			E(c, "\x48\x63\xc0");     /* movslq %eax,%rax */
		else
			E(c, "\x89\xc0");         /* mov %eax,%eax */
		break;
	default:
		break;
	}
}

/* %rax = the t-sized value at [%rax]. */
static void
load(struct cg *c, const struct cty *t)
{
	switch (t->size) {
	case 1:
		if (t->sgn && !t->boolean)
			E(c, "\x48\x0f\xbe\x00");
		else
			E(c, "\x0f\xb6\x00");
		break;
	case 2:
		if (t->sgn)
			E(c, "\x48\x0f\xbf\x00");
		else
			E(c, "\x0f\xb7\x00");
		break;
	case 4:
		if (t->sgn)
			E(c, "\x48\x63\x00");
		else
			E(c, "\x8b\x00");
		break;
	default:
		E(c, "\x48\x8b\x00");
		break;
	}
	if (t->boolean)
		normalize(c, t);
}

/* Hardware number of DWARF general register r (0..15). */
static unsigned
hw_reg(unsigned r)
{
	static const uint8_t map[16] = { 0, 2, 1, 3, 6, 7, 5, 4,
					 8, 9, 10, 11, 12, 13, 14, 15 };

	return map[r];
}

/* %rax = the thread's own register r (DWARF numbering, 0..15). */
static void
load_reg(struct cg *c, unsigned r)
{
	unsigned hw = hw_reg(r);

	switch (hw) {
	case 0: /* saved rax, rcx, rdx */
	case 1:
	case 2:
		E(c, "\x48\x8b\x84\x24"); /* mov disp32(%rsp),%rax */
		emit_frame_disp(c, hw == 0 ? 16 : hw == 1 ? 8 : 0);
		break;
	case 4: /* its rsp */
		E(c, "\x48\x8d\x84\x24"); /* lea disp32(%rsp),%rax */
		emit_frame_disp(c, 160);
		break;
	default: {
		/* mov %hw,%rax */
		uint8_t b[3] = { (uint8_t)(0x48 | (hw >= 8 ? 4 : 0)), 0x89,
				 (uint8_t)(0xc0 | ((hw & 7) << 3)) };

		emit(c, b, 3);
		break;
	}
	}
}

static void
push_tmp(struct cg *c)
{
	uint8_t b[5] = { 0x48, 0x89, 0x44, 0x24, 0 }; /* mov %rax,d8(%rsp) */

	if (c->depth == MAX_TEMPS) {
		fail(c, "condition nested too deep to compile");
		return;
	}
	b[4] = (uint8_t)(8 * c->depth++);
	if (c->depth > c->max_depth)
		c->max_depth = c->depth;
	emit(c, b, 5);
}

/* %rcx = %rax; %rax = the last temporary. */
static void
pop_tmp_rcx(struct cg *c)
{
	uint8_t b[5] = { 0x48, 0x8b, 0x44, 0x24, 0 }; /* mov d8(%rsp),%rax */

	E(c, "\x48\x89\xc1");
	b[4] = (uint8_t)(8 * --c->depth);
	emit(c, b, 5);
}

/* ---- probes --------------------------------------------------------------- */

static int
probe_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)addr;
	memset(buf, (int)(uintptr_t)ctx, len);
	return 0;
}

static int
probe_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx, (void)addr, (void)buf, (void)len;
	return -TR_EINVAL;
}

static int
probe_set_regs(void *ctx, const struct user_regs_struct *r)
{
	(void)ctx, (void)r;
	return -TR_EINVAL;
}

static void
probe_regs(struct user_regs_struct *r, uint64_t pc, uint64_t shift)
{
	unsigned long long *dw[16] = { &r->rax, &r->rdx, &r->rcx, &r->rbx,
				       &r->rsi, &r->rdi, &r->rbp, &r->rsp,
				       &r->r8,  &r->r9,  &r->r10, &r->r11,
				       &r->r12, &r->r13, &r->r14, &r->r15 };

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 16; i++)
		*dw[i] = TAG + i * STRIDE + shift;
	r->rip = pc;
	r->eflags = 0x246;
	r->cs = 0x33;
	r->ss = 0x2b;
}

static int
probes_init(struct cg *c)
{
	for (int i = 0; i < 2; i++) {
		struct tr_eval_env *e = &c->env[i];
		int err;

		memset(e, 0, sizeof(*e));
		e->di = c->di;
		e->unw = c->unw;
		e->read = probe_read;
		e->write = probe_write;
		e->set_regs = probe_set_regs;
		e->ctx = (void *)(uintptr_t)(i ? MEM_B : MEM_A);
		probe_regs(&e->regs.gp, c->pc, i ? SHIFT : 0);
		e->have_regs = true;
		e->no_side_effects = true;
		err = tr_eval_env_init(e);
		if (err)
			return fail(c, "no frame at the breakpoint");
		c->env_up[i] = true;
		if (!e->has_dwarf)
			return fail(c, "no debug information at the breakpoint");
	}
	return 0;
}

/* Evaluate `a` in both probes. */
static int
probe(struct cg *c, const struct tr_ast *a, struct tr_value *va,
      struct tr_value *vb)
{
	memset(va, 0, sizeof(*va));
	memset(vb, 0, sizeof(*vb));
	if (tr_eval(&c->env[0], a, va) < 0)
		return fail(c, "%s", c->env[0].err[0] ? c->env[0].err :
			    "cannot evaluate");
	if (tr_eval(&c->env[1], a, vb) < 0) {
		tr_value_release(va);
		return fail(c, "%s", c->env[1].err[0] ? c->env[1].err :
			    "cannot evaluate");
	}
	return 0;
}

static void
release2(struct tr_value *va, struct tr_value *vb)
{
	tr_value_release(va);
	tr_value_release(vb);
}

/* The scalar type of v, or false. */
static bool
scalar(const struct tr_type *t, struct cty *out)
{
	t = tr_type_strip(t);
	memset(out, 0, sizeof(*out));
	if (!t)
		return false;
	if (t->kind == TR_TYPE_POINTER) {
		out->size = 8;
		out->pointer = true;
		return true;
	}
	if (t->kind != TR_TYPE_BASE && t->kind != TR_TYPE_ENUM)
		return false;
	if (t->kind == TR_TYPE_BASE &&
	    (t->encoding == TR_ENC_FLOAT || t->encoding == TR_ENC_COMPLEX_FLOAT))
		return false;
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return false;
	out->size = (unsigned)t->size;
	out->sgn = tr_type_is_signed(t);
	out->boolean = t->kind == TR_TYPE_BASE &&
		       t->encoding == TR_ENC_BOOLEAN;
	return true;
}

static uint64_t
value_u64(const struct tr_value *v, const struct cty *t)
{
	uint64_t x = 0;

	memcpy(&x, tr_value_cbytes(v), t->size < v->size ? t->size : v->size);
	if (t->sgn && t->size < 8 && (x >> (8 * t->size - 1) & 1))
		x |= ~0ull << (8 * t->size);
	return x;
}

/* Which register an address found in both probes is based on: 0..15,
 * -1 for a fixed address, -2 for neither. *off gets the offset. */
static int
decompose(uint64_t a, uint64_t b, int64_t *off)
{
	for (int r = 0; r < 16; r++) {
		uint64_t base = TAG + (uint64_t)r * STRIDE;

		if (a - base + NEAR < 2 * NEAR) {
			if (b - (base + SHIFT) != a - base)
				return -2;
			*off = (int64_t)(a - base);
			return r;
		}
	}
	if (a != b)
		return -2;
	*off = (int64_t)a;
	return -1;
}

/* A fixed address must stay mapped as long as the breakpoint is: the
 * module of pc, its file mappings or the anonymous one after them (its
 * .bss). Checked against /proc/PID/maps. */
static bool
fixed_ok(struct cg *c, uint64_t addr, uint64_t size)
{
	char path[64], line[512], prev[256] = "";
	uint64_t prev_end = 0;
	bool ok = false;
	FILE *f;

	if (!c->mod || !c->mod->path)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)c->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8], file[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &lo, &hi, perms,
			   file) < 3)
			continue;
		if (addr >= lo && addr + size <= hi) {
			ok = perms[0] == 'r' &&
			     (strcmp(file, c->mod->path) == 0 ||
			      (!file[0] && lo == prev_end &&
			       strcmp(prev, c->mod->path) == 0));
			break;
		}
		prev_end = hi;
		snprintf(prev, sizeof(prev), "%s", file);
	}
	fclose(f);
	return ok;
}

/* ---- the tree --------------------------------------------------------- */

static int gen(struct cg *c, const struct tr_ast *a, struct cty *t);

/* A variable, member or element: load it from where the probes say. */
static int
gen_place(struct cg *c, const struct tr_value *va, const struct tr_value *vb,
	  struct cty *t)
{
	int64_t off;
	int base;

	if (va->optimized_out || vb->optimized_out)
		return fail(c, "a value is optimized out");
	if (va->bit_size || vb->bit_size)
		return fail(c, "bitfields do not compile");
	if (va->lval == TR_LVAL_REGISTER && vb->lval == TR_LVAL_REGISTER &&
	    va->reg == vb->reg && va->reg < 16) {
		load_reg(c, va->reg);
		normalize(c, t);
		return 0;
	}
	if (va->lval != TR_LVAL_MEMORY || vb->lval != TR_LVAL_MEMORY)
		return fail(c, "a value is neither in memory nor a register");
	base = decompose(va->addr, vb->addr, &off);
	if (base == -2)
		return fail(c, "a place depends on memory (a pointer is "
			       "followed)");
	if (base == -1) {
		if (!fixed_ok(c, va->addr, t->size))
			return fail(c, "%#" PRIx64 " is outside the module of "
				       "the breakpoint", va->addr);
		E(c, "\x48\xb8"); /* movabs $addr,%rax */
		emit(c, &va->addr, 8);
	} else if (base == 7) {
		/* the frame, from the thread's own rsp */
		E(c, "\x48\x8d\x84\x24");
		emit_frame_disp(c, (int32_t)(160 + off));
	} else if (base == 6) {
		E(c, "\x48\x8d\x85"); /* lea disp32(%rbp),%rax */
		emit32(c, (uint32_t)(int32_t)off);
	} else {
		return fail(c, "a place based on a register other than the "
			       "frame's");
	}
	load(c, t);
	return 0;
}

/* The type of C's usual arithmetic conversions of two promoted types. */
static struct cty
promote(struct cty t)
{
	if (t.pointer)
		return t;
	if (t.size < 4 || t.boolean) {
		t.size = 4;
		t.sgn = true;
		t.boolean = false;
	}
	return t;
}

static struct cty
common(struct cty a, struct cty b)
{
	struct cty r = { 8, false, false, false };

	a = promote(a);
	b = promote(b);
	if (a.pointer || b.pointer)
		return r;
	if (a.sgn == b.sgn)
		return a.size >= b.size ? a : b;
	if (!a.sgn && a.size >= b.size)
		return a;
	if (!b.sgn && b.size >= a.size)
		return b;
	return a.sgn ? a : b; /* the signed one is wider */
}

static int
gen_compare(struct cg *c, const struct tr_ast *a, const struct cty *res)
{
	struct cty ta, tb, ct;
	uint8_t setcc;

	if (gen(c, a->a, &ta) < 0)
		return -TR_ENOTSUP;
	push_tmp(c);
	if (gen(c, a->b, &tb) < 0)
		return -TR_ENOTSUP;
	ct = common(ta, tb);
	normalize(c, &ct);
	pop_tmp_rcx(c);
	normalize(c, &ct);
	E(c, "\x48\x39\xc8"); /* cmp %rcx,%rax */
	switch (a->op) {
	case TR_TOK_EQ: setcc = 0x94; break;
	case TR_TOK_NE: setcc = 0x95; break;
	case TR_TOK_LT: setcc = ct.sgn ? 0x9c : 0x92; break;
	case TR_TOK_GE: setcc = ct.sgn ? 0x9d : 0x93; break;
	case TR_TOK_LE: setcc = ct.sgn ? 0x9e : 0x96; break;
	default:        setcc = ct.sgn ? 0x9f : 0x97; break;
	}
	{
		uint8_t b[6] = { 0x0f, setcc, 0xc0, 0x0f, 0xb6, 0xc0 };

		emit(c, b, 6);
	}
	normalize(c, res);
	return 0;
}

static int
gen_logic(struct cg *c, const struct tr_ast *a)
{
	struct cty t;
	size_t j1, j2, j3;
	bool and = a->op == TR_TOK_ANDAND;

	if (gen(c, a->a, &t) < 0)
		return -TR_ENOTSUP;
	E(c, "\x48\x85\xc0");
	j1 = jump(c, and ? "\x0f\x84" : "\x0f\x85", 2); /* decided */
	if (gen(c, a->b, &t) < 0)
		return -TR_ENOTSUP;
	E(c, "\x48\x85\xc0");
	j2 = jump(c, and ? "\x0f\x84" : "\x0f\x85", 2);
	if (and) /* the other answer */
		E(c, "\xb8\x01\x00\x00\x00");
	else
		E(c, "\x31\xc0");
	j3 = jump(c, "\xe9", 1);
	label_here(c, j1);
	label_here(c, j2);
	if (and)
		E(c, "\x31\xc0");
	else
		E(c, "\xb8\x01\x00\x00\x00");
	label_here(c, j3);
	return 0;
}

static int
gen_arith(struct cg *c, const struct tr_ast *a, const struct cty *res)
{
	struct cty ta, tb;
	bool shift = a->op == TR_TOK_SHL || a->op == TR_TOK_SHR;

	if (res->pointer)
		return fail(c, "pointer arithmetic does not compile");
	if (gen(c, a->a, &ta) < 0)
		return -TR_ENOTSUP;
	if (ta.pointer)
		return fail(c, "pointer arithmetic does not compile");
	if (!shift)
		normalize(c, res);
	push_tmp(c);
	if (gen(c, a->b, &tb) < 0)
		return -TR_ENOTSUP;
	if (tb.pointer)
		return fail(c, "pointer arithmetic does not compile");
	if (!shift)
		normalize(c, res);
	pop_tmp_rcx(c);
	switch (a->op) {
	case TR_TOK_PLUS:  E(c, "\x48\x01\xc8"); break;
	case TR_TOK_MINUS: E(c, "\x48\x29\xc8"); break;
	case TR_TOK_STAR:  E(c, "\x48\x0f\xaf\xc1"); break;
	case TR_TOK_AMP:   E(c, "\x48\x21\xc8"); break;
	case TR_TOK_PIPE:  E(c, "\x48\x09\xc8"); break;
	case TR_TOK_CARET: E(c, "\x48\x31\xc8"); break;
	case TR_TOK_SHL:
	case TR_TOK_SHR: {
		uint8_t b[4] = { 0x48, 0x83, 0xf9, (uint8_t)(8 * res->size) };

		/* a count out of range: let the tracer say what it means */
		emit(c, b, 4); /* cmp $width,%rcx */
		bail_if(c, "\x0f\x83", 2); /* jae */
		if (a->op == TR_TOK_SHL)
			E(c, "\x48\xd3\xe0");
		else if (res->sgn)
			E(c, "\x48\xd3\xf8");
		else
			E(c, "\x48\xd3\xe8");
		break;
	}
	case TR_TOK_SLASH:
	case TR_TOK_PERCENT: {
		size_t j, k;

		E(c, "\x48\x85\xc9");      /* division by zero: maybe */
		bail_if(c, "\x0f\x84", 2);
		if (res->sgn) {
			/* x / -1 is -x, x % -1 is 0: no #DE for the most
			 * negative x */
			E(c, "\x48\x83\xf9\xff");
			j = jump(c, "\x0f\x85", 2);
			if (a->op == TR_TOK_SLASH)
				E(c, "\x48\xf7\xd8");
			else
				E(c, "\x31\xc0");
			k = jump(c, "\xe9", 1);
			label_here(c, j);
			E(c, "\x48\x99\x48\xf7\xf9"); /* cqo; idiv %rcx */
		} else {
			E(c, "\x31\xd2\x48\xf7\xf1"); /* div %rcx */
			k = 0;
		}
		if (a->op == TR_TOK_PERCENT)
			E(c, "\x48\x89\xd0");
		if (res->sgn)
			label_here(c, k);
		break;
	}
	default:
		return fail(c, "operator %s does not compile",
			    tr_tok_str(a->op));
	}
	normalize(c, res);
	return 0;
}

static int
gen(struct cg *c, const struct tr_ast *a, struct cty *t)
{
	struct tr_value va, vb;
	int err = 0;

	if (c->failed)
		return -TR_ENOTSUP;
	switch (a->kind) {
	case TR_AST_FLOAT:
	case TR_AST_STRING:
	case TR_AST_REG:
	case TR_AST_ASSIGN:
	case TR_AST_POSTFIX:
	case TR_AST_CALL:
		return fail(c, "%s does not compile",
			    a->kind == TR_AST_CALL ? "a call" :
			    a->kind == TR_AST_REG ? "a register" :
			    a->kind == TR_AST_FLOAT ? "floating point" :
			    a->kind == TR_AST_STRING ? "a string" :
			    "an assignment");
	case TR_AST_UNARY:
		if (a->op == TR_TOK_INC || a->op == TR_TOK_DEC)
			return fail(c, "an assignment does not compile");
		break;
	default:
		break;
	}
	if (probe(c, a, &va, &vb) < 0)
		return -TR_ENOTSUP;
	if (!scalar(va.type, t) && a->kind != TR_AST_COMMA) {
		release2(&va, &vb);
		return fail(c, "a value that is not an integer or a pointer");
	}
	switch (a->kind) {
	case TR_AST_INT:
	case TR_AST_CHAR:
	case TR_AST_SIZEOF_TYPE:
	case TR_AST_SIZEOF_EXPR: {
		uint64_t v = value_u64(&va, t);

		E(c, "\x48\xb8");
		emit(c, &v, 8);
		break;
	}
	case TR_AST_IDENT:
	case TR_AST_SCOPED:
	case TR_AST_MEMBER:
	case TR_AST_ARROW:
	case TR_AST_INDEX:
		if (va.lval == TR_LVAL_NONE && vb.lval == TR_LVAL_NONE &&
		    value_u64(&va, t) == value_u64(&vb, t)) {
			/* an enumerator, a constant */
			uint64_t v = value_u64(&va, t);

			E(c, "\x48\xb8");
			emit(c, &v, 8);
			break;
		}
		err = gen_place(c, &va, &vb, t);
		break;
	case TR_AST_UNARY:
		if (a->op == TR_TOK_STAR) {
			err = gen_place(c, &va, &vb, t);
			break;
		}
		if (a->op == TR_TOK_AMP) {
			err = fail(c, "an address does not compile");
			break;
		}
		{
			struct cty ta;

			if ((err = gen(c, a->a, &ta)) < 0)
				break;
			if (a->op == TR_TOK_NOT) {
				E(c, "\x48\x85\xc0\x0f\x94\xc0\x0f\xb6\xc0");
				break;
			}
			if (ta.pointer) {
				err = fail(c, "pointer arithmetic does not "
					      "compile");
				break;
			}
			normalize(c, t);
			if (a->op == TR_TOK_MINUS)
				E(c, "\x48\xf7\xd8");
			else if (a->op == TR_TOK_TILDE)
				E(c, "\x48\xf7\xd0");
			normalize(c, t);
		}
		break;
	case TR_AST_BINARY:
		switch (a->op) {
		case TR_TOK_EQ: case TR_TOK_NE: case TR_TOK_LT:
		case TR_TOK_GT: case TR_TOK_LE: case TR_TOK_GE:
			err = gen_compare(c, a, t);
			break;
		case TR_TOK_ANDAND:
		case TR_TOK_OROR:
			err = gen_logic(c, a);
			break;
		default:
			err = gen_arith(c, a, t);
			break;
		}
		break;
	case TR_AST_TERNARY: {
		struct cty tc;
		size_t j1, j2;

		if ((err = gen(c, a->a, &tc)) < 0)
			break;
		E(c, "\x48\x85\xc0");
		j1 = jump(c, "\x0f\x84", 2);
		if ((err = gen(c, a->b, &tc)) < 0)
			break;
		normalize(c, t);
		j2 = jump(c, "\xe9", 1);
		label_here(c, j1);
		if ((err = gen(c, a->c, &tc)) < 0)
			break;
		normalize(c, t);
		label_here(c, j2);
		break;
	}
	case TR_AST_CAST: {
		struct cty tc;

		if ((err = gen(c, a->a, &tc)) < 0)
			break;
		normalize(c, t);
		break;
	}
	case TR_AST_COMMA: {
		struct cty tc;

		if ((err = gen(c, a->a, &tc)) < 0)
			break;
		err = gen(c, a->b, t);
		break;
	}
	default:
		err = fail(c, "this expression does not compile");
		break;
	}
	release2(&va, &vb);
	return c->failed ? -TR_ENOTSUP : err;
}

int
tr_fastcond_compile(struct tr_debuginfo *di, struct tr_unwinder *unw,
		    pid_t pid, uint64_t pc, const struct tr_ast *ast,
		    struct tr_fastcond *out, char *why, size_t len)
{
	struct cg c;
	struct cty t;
	struct tr_sym sym;
	uint64_t symoff;
	size_t j;
	int err;

	memset(&c, 0, sizeof(c));
	c.di = di;
	c.unw = unw;
	c.pid = pid;
	c.pc = pc;
	c.code = out->code;
	c.why = why;
	c.whylen = len;
	if (why && len)
		why[0] = '\0';
	out->len = 0;
	out->func_lo = out->func_hi = 0;
	c.mod = tr_symtab_module_at(tr_debuginfo_symtab(di), pc);
	if (tr_ast_has_call(ast)) {
		err = fail(&c, "a call does not compile");
		goto out;
	}
	err = probes_init(&c);
	if (err)
		goto out;
	err = gen(&c, ast, &t);
	if (err)
		goto out;
	/* the result is the truth: jump over the "maybe" exit */
	j = jump(&c, "\xe9", 1);
	for (size_t i = 0; i < c.nbail; i++)
		label_here(&c, c.bail[i]);
	E(&c, "\xb8\x01\x00\x00\x00");
	label_here(&c, j);
	if (c.failed) {
		err = -TR_ENOTSUP;
		goto out;
	}
	out->len = c.len;
	out->ntemps = c.max_depth;
	for (size_t i = 0; i < c.nfix; i++) {
		int32_t d;

		memcpy(&d, out->code + c.fix[i], 4);
		d += (int32_t)(8 * out->ntemps);
		memcpy(out->code + c.fix[i], &d, 4);
	}
	if (tr_symtab_addr(tr_debuginfo_symtab(di), pc, &sym, &symoff) == 0 &&
	    sym.kind == TR_SYM_FUNC && sym.size) {
		out->func_lo = sym.addr;
		out->func_hi = sym.addr + sym.size;
	}
out:
	for (int i = 0; i < 2; i++)
		if (c.env_up[i])
			tr_eval_env_done(&c.env[i]);
	return err;
}
