/* loc_expr.c: the DWARF expression machine: where an object is in a frame, and the values CFI computes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/leb128.h"
#include "base/log.h"
#include "symbols/dwarf_type.h"
#include "symbols/loc_int.h"

/* ---- evaluation ------------------------------------------------------- */

struct val {
	uint64_t v;
	uint8_t size; /* 0: the generic type (8 bytes) */
	uint8_t enc;  /* 0: generic */
};

enum { CUR_NONE, CUR_REG, CUR_VAL, CUR_BLK };

struct mach {
	struct tr_dwarf *d;
	const struct tr_loc_frame *f;
	int depth;
	struct val st[STACK_MAX];
	int sp;
	/* what the location turned out to be so far */
	int cur;
	unsigned reg;
	struct val val;
	const uint8_t *blk;
	uint64_t blk_len;
	const char *why;
	bool moved; /* the last operation branched */
};

/* Giving up is not an error: the object is then "optimized out". */
#define UNAVAIL(m, reason) ((m)->why = (reason), 1)

static int eval_desc(struct tr_dwarf *d, const struct ldesc *ld,
		     const struct tr_loc_frame *f, struct tr_loc *out,
		     int depth);

static bool
is_signed_enc(unsigned enc)
{
	return enc == TR_ENC_SIGNED || enc == TR_ENC_SIGNED_CHAR;
}

/* A value cut to its type's size and widened back by its sign. */
static uint64_t
norm(uint64_t v, unsigned size, unsigned enc)
{
	if (!size || size >= 8)
		return v;
	v &= (1ull << (size * 8)) - 1;
	if (is_signed_enc(enc) && (v >> (size * 8 - 1) & 1))
		v |= ~0ull << (size * 8);
	return v;
}

static uint64_t
le_bytes(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int
push(struct mach *m, struct val v)
{
	if (m->sp >= STACK_MAX)
		return UNAVAIL(m, "expression stack overflow");
	m->st[m->sp++] = v;
	return 0;
}

static int
pushu(struct mach *m, uint64_t v)
{
	struct val x = { v, 0, 0 };

	return push(m, x);
}

static int
pop(struct mach *m, struct val *v)
{
	if (m->sp <= 0)
		return UNAVAIL(m, "malformed expression");
	*v = m->st[--m->sp];
	return 0;
}

static int
regval(struct mach *m, unsigned reg, unsigned size, uint64_t *v)
{
	uint8_t buf[8] = { 0 };

	if (size > 8 || m->f->reg(m->f->reg_arg, reg, buf, size) < 0)
		return UNAVAIL(m, "register not available in this frame");
	*v = le_bytes(buf, size);
	return 0;
}

static int
memval(struct mach *m, uint64_t addr, unsigned size, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	int err;

	if (size > 8)
		return UNAVAIL(m, "malformed expression");
	err = m->f->mem(m->f->mem_arg, addr, buf, size);
	if (err < 0)
		return -TR_EFAULT;
	*v = le_bytes(buf, size);
	return 0;
}

/* The subprogram's entry, to know when DW_OP_entry_value is simply the
 * register's current value. */
static bool
func_entry(struct mach *m, uint64_t *entry)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(m->d);
	Dwarf_Error err = NULL;
	Dwarf_Addr lo;
	Dwarf_Die die;
	const struct tr_dw_entry *e;
	int res;

	if (!m->f->func_die || tr__die_at(m->d, m->f->func_die, &die) < 0)
		return false;
	res = dwarf_lowpc(die, &lo, &err);
	if (res == DW_DLV_ERROR && err)
		dwarf_dealloc_error(dbg, err);
	dwarf_dealloc_die(die);
	if (res == DW_DLV_OK) {
		*entry = lo;
		return true;
	}
	/* DW_AT_ranges (a hot/cold split): the index knows the entry. */
	e = tr_dwarf_func_at(m->d, m->f->pc - m->f->bias);
	if (!e || e->die != m->f->func_die)
		return false;
	*entry = e->lowpc;
	return true;
}

static int
frame_base(struct mach *m, uint64_t *fb)
{
	const struct ldesc *ld;
	struct tr_loc loc;
	int err;

	if (!m->f->func_die)
		return UNAVAIL(m, "no frame base");
	if (m->depth >= DEPTH_MAX)
		return UNAVAIL(m, "frame base refers to itself");
	err = tr__loc_ldesc_get(m->d, m->f->func_die, SLOT_FRAME_BASE,
			DW_AT_frame_base, &ld);
	if (err < 0)
		return err;
	err = eval_desc(m->d, ld, m->f, &loc, m->depth + 1);
	if (err < 0)
		return err;
	switch (loc.kind) {
	case TR_LOC_MEMORY:
		*fb = loc.pieces[0].addr;
		return 0;
	case TR_LOC_REGISTER:
		/* DW_OP_bregN would say this; old compilers wrote DW_OP_regN
		 * meaning "the register's contents". */
		return regval(m, loc.pieces[0].reg, 8, fb);
	case TR_LOC_VALUE:
		if (!loc.pieces[0].data) {
			*fb = loc.pieces[0].value;
			return 0;
		}
		/* fall through */
	default:
		return UNAVAIL(m, loc.why ? loc.why : "frame base unknown");
	}
}

static bool
is_float(struct val v)
{
	return v.enc == TR_ENC_FLOAT;
}

static double
fget(struct val v)
{
	if (v.size == 4) {
		uint32_t u = (uint32_t)v.v;
		float f;

		memcpy(&f, &u, 4);
		return f;
	}
	{
		double x;

		memcpy(&x, &v.v, 8);
		return x;
	}
}

static struct val
fput(double x, uint8_t size)
{
	struct val r = { 0, size, TR_ENC_FLOAT };

	if (size == 4) {
		float f = (float)x;
		uint32_t u;

		memcpy(&u, &f, 4);
		r.v = u;
	} else {
		memcpy(&r.v, &x, 8);
	}
	return r;
}

static int
cmp_result(uint8_t atom, int c)
{
	switch (atom) {
	case DW_OP_eq:
		return c == 0;
	case DW_OP_ne:
		return c != 0;
	case DW_OP_lt:
		return c < 0;
	case DW_OP_gt:
		return c > 0;
	case DW_OP_le:
		return c <= 0;
	default: /* DW_OP_ge */
		return c >= 0;
	}
}

static bool
is_cmp(uint8_t atom)
{
	return atom == DW_OP_eq || atom == DW_OP_ne || atom == DW_OP_lt ||
	       atom == DW_OP_gt || atom == DW_OP_le || atom == DW_OP_ge;
}

static int
binop_float(struct mach *m, uint8_t atom, struct val a, struct val b)
{
	double x, y;

	if (!is_float(a) || !is_float(b) || a.size != b.size ||
	    (a.size != 4 && a.size != 8))
		return UNAVAIL(m, "operands of different types");
	x = fget(a);
	y = fget(b);
	if (is_cmp(atom))
		return pushu(m, (uint64_t)cmp_result(atom, x < y ? -1 :
						     x > y ? 1 : 0));
	switch (atom) {
	case DW_OP_plus:
		return push(m, fput(x + y, a.size));
	case DW_OP_minus:
		return push(m, fput(x - y, a.size));
	case DW_OP_mul:
		return push(m, fput(x * y, a.size));
	case DW_OP_div:
		return push(m, fput(x / y, a.size));
	default:
		return UNAVAIL(m, "integer operation on floating point");
	}
}

/* Binary operations: a is the second entry, b the top. Typed operands
 * (DWARF 5) are computed in their type, the generic type in 64 bits:
 * signed for division and comparisons, unsigned for DW_OP_mod. */
static int
binop(struct mach *m, uint8_t atom)
{
	struct val a, b, r;
	uint64_t x, y, z = 0;
	bool sgn;

	if (pop(m, &b) || pop(m, &a))
		return 1;
	if (is_float(a) || is_float(b))
		return binop_float(m, atom, a, b);
	r.size = a.size ? a.size : b.size;
	r.enc = a.size ? a.enc : b.enc;
	sgn = r.enc ? is_signed_enc(r.enc) : true;
	x = a.v;
	y = b.v;
	if (is_cmp(atom)) {
		int c;

		int64_t sx = (int64_t)x, sy = (int64_t)y;

		if (sgn)
			c = sx < sy ? -1 : sx > sy;
		else
			c = x < y ? -1 : x > y;
		return pushu(m, (uint64_t)cmp_result(atom, c));
	}
	switch (atom) {
	case DW_OP_plus:
		z = x + y;
		break;
	case DW_OP_minus:
		z = x - y;
		break;
	case DW_OP_mul:
		z = x * y;
		break;
	case DW_OP_and:
		z = x & y;
		break;
	case DW_OP_or:
		z = x | y;
		break;
	case DW_OP_xor:
		z = x ^ y;
		break;
	case DW_OP_div:
		if (!y)
			return UNAVAIL(m, "division by zero");
		if (!sgn)
			z = x / y;
		else if ((int64_t)x == INT64_MIN && (int64_t)y == -1)
			z = x;
		else
			z = (uint64_t)((int64_t)x / (int64_t)y);
		break;
	case DW_OP_mod:
		if (!y)
			return UNAVAIL(m, "division by zero");
		if (r.enc && sgn && (int64_t)y == -1)
			z = 0; /* INT64_MIN % -1 traps */
		else if (r.enc && sgn)
			z = (uint64_t)((int64_t)x % (int64_t)y);
		else
			z = x % y;
		break;
	case DW_OP_shl:
		z = y >= 64 ? 0 : x << y;
		break;
	case DW_OP_shr:
		if (r.size && r.size < 8)
			x &= (1ull << (r.size * 8)) - 1;
		z = y >= 64 ? 0 : x >> y;
		break;
	case DW_OP_shra:
		if (y >= 64)
			z = (int64_t)x < 0 ? ~0ull : 0;
		else
			z = (uint64_t)((int64_t)x >> y);
		break;
	default:
		return UNAVAIL(m, "unsupported operation");
	}
	r.v = norm(z, r.size, r.enc);
	return push(m, r);
}

static int
unop(struct mach *m, uint8_t atom)
{
	struct val a;

	if (pop(m, &a))
		return 1;
	if (is_float(a)) {
		double x = fget(a);

		if (atom == DW_OP_not)
			return UNAVAIL(m, "DW_OP_not on floating point");
		return push(m, fput(atom == DW_OP_neg ? -x : x < 0 ? -x : x,
				    a.size));
	}
	switch (atom) {
	case DW_OP_neg:
		a.v = -a.v;
		break;
	case DW_OP_not:
		a.v = ~a.v;
		break;
	default: /* DW_OP_abs */
		if ((int64_t)a.v < 0 && (!a.enc || is_signed_enc(a.enc)))
			a.v = -a.v;
		break;
	}
	a.v = norm(a.v, a.size, a.enc);
	return push(m, a);
}

static int
convert(struct mach *m, const struct op *op, bool reinterpret)
{
	struct val a, r = { 0, op->tsize, op->tenc };
	unsigned from = 0, to = op->tsize ? op->tsize : 8;

	if (pop(m, &a))
		return 1;
	from = a.size ? a.size : 8;
	if (reinterpret) {
		if (from != to)
			return UNAVAIL(m, "reinterpretation changes size");
		r.v = norm(a.v, r.size, r.enc);
		return push(m, r);
	}
	if (is_float(a) && is_float(r))
		return push(m, fput(fget(a), r.size));
	if (is_float(a)) {
		double x = fget(a);

		/* Out-of-range conversions have no defined result. */
		if (!(x > -9.2e18 && x < 1.8e19))
			return UNAVAIL(m, "conversion out of range");
		r.v = x < 0 ? (uint64_t)(int64_t)x : (uint64_t)x;
		r.v = norm(r.v, r.size, r.enc);
		return push(m, r);
	}
	if (is_float(r)) {
		bool sgn = a.enc ? is_signed_enc(a.enc) : true;

		return push(m, fput(sgn ? (double)(int64_t)a.v : (double)a.v,
				    r.size));
	}
	r.v = norm(a.v, r.size, r.enc);
	return push(m, r);
}

static int run(struct mach *m, const struct expr *e, struct tr_loc *out);

/* DW_OP_entry_value: the value a register (or a memory word it points
 * to) had when the function was entered. Without the caller's call-site
 * information that is known only while the innermost frame still stands
 * at the entry pc. */
static int
entry_value(struct mach *m, const struct op *op)
{
	struct mach *sub;
	struct tr_loc *tmp;
	uint64_t entry, v;
	int r;

	if (!m->f->innermost || !func_entry(m, &entry) ||
	    m->f->pc - m->f->bias != entry) {
		const struct op *o = op->sub && op->sub->n == 1 ?
			&op->sub->ops[0] : NULL;
		unsigned reg;

		/* Away from the entry: the caller's call site may say what
		 * it passed in that register (gdb: single DW_OP_regN). */
		if (!o || !m->f->entry ||
		    !((o->atom >= DW_OP_reg0 && o->atom <= DW_OP_reg31) ||
		      o->atom == DW_OP_regx))
			return UNAVAIL(m, "entry value away from the entry");
		reg = o->atom == DW_OP_regx ? (unsigned)o->a :
					      (unsigned)(o->atom - DW_OP_reg0);
		if (m->f->entry(m->f->entry_arg, reg, 0, &v))
			return UNAVAIL(m, "entry value not known at the "
				       "call site");
		return pushu(m, v);
	}
	if (m->depth >= DEPTH_MAX)
		return UNAVAIL(m, "nested entry values");
	sub = calloc(1, sizeof(*sub));
	tmp = calloc(1, sizeof(*tmp));
	if (!sub || !tmp) {
		free(sub);
		free(tmp);
		return -TR_ENOMEM;
	}
	sub->d = m->d;
	sub->f = m->f;
	sub->depth = m->depth + 1;
	r = run(sub, op->sub, tmp);
	if (r == 0 && tmp->npieces)
		r = UNAVAIL(sub, "entry value in pieces");
	if (r == 0) {
		if (sub->cur == CUR_REG) {
			r = regval(sub, sub->reg, 8, &v);
			if (r == 0)
				r = pushu(m, v);
		} else if (sub->cur == CUR_NONE && sub->sp > 0) {
			r = push(m, sub->st[sub->sp - 1]);
		} else {
			r = UNAVAIL(sub, "entry value of an implicit value");
		}
	}
	if (r > 0)
		m->why = sub->why;
	free(sub);
	free(tmp);
	return r;
}

static int
add_piece(struct mach *m, struct tr_loc *out, uint64_t bits, uint64_t off)
{
	struct tr_loc_piece *p;
	struct val a = { 0 };

	if (out->npieces >= TR_LOC_MAX_PIECES)
		return UNAVAIL(m, "too many pieces");
	p = &out->pieces[out->npieces];
	memset(p, 0, sizeof(*p));
	switch (m->cur) {
	case CUR_NONE:
		/* No location before the piece: that part is gone. */
		if (m->sp == 0) {
			p->kind = TR_LOC_OPTIMIZED;
			break;
		}
		pop(m, &a);
		p->kind = TR_LOC_MEMORY;
		p->addr = a.v;
		break;
	case CUR_REG:
		p->kind = TR_LOC_REGISTER;
		p->reg = m->reg;
		break;
	case CUR_VAL:
		p->kind = TR_LOC_VALUE;
		p->value = m->val.v;
		p->value_size = m->val.size ? m->val.size : 8;
		break;
	default:
		p->kind = TR_LOC_VALUE;
		p->data = m->blk;
		p->data_len = m->blk_len;
		break;
	}
	p->bit_size = bits;
	p->bit_offset = off;
	out->npieces++;
	m->cur = CUR_NONE;
	return 0;
}

static int
jump(const struct expr *e, const struct op *op, size_t *i)
{
	int64_t target = (int64_t)op->off + 3 + (int64_t)op->a;

	if (target < 0)
		return -1;
	for (size_t j = 0; j < e->n; j++)
		if (e->ops[j].off == (uint64_t)target) {
			*i = j;
			return 0;
		}
	/* Past the last operation: the end of the expression. */
	if (e->n && (uint64_t)target > e->ops[e->n - 1].off) {
		*i = e->n;
		return 0;
	}
	return -1;
}

static int
step(struct mach *m, const struct expr *e, size_t *i, struct tr_loc *out)
{
	const struct op *op = &e->ops[*i];
	uint8_t a = op->atom;
	struct val x, y, z;
	uint64_t v;
	int r = 0;

	if (op->bad)
		return UNAVAIL(m, "operation not understood");
	/* After a register, a value or implicit bytes, only a piece (or
	 * GNU_uninit, a mere note) may follow. */
	if (m->cur != CUR_NONE && a != DW_OP_piece && a != DW_OP_bit_piece &&
	    a != DW_OP_GNU_uninit)
		return UNAVAIL(m, "malformed expression");
	if (a >= DW_OP_lit0 && a <= DW_OP_lit31)
		return pushu(m, a - DW_OP_lit0);
	if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
		m->cur = CUR_REG;
		m->reg = a - DW_OP_reg0;
		return 0;
	}
	if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
		r = regval(m, a - DW_OP_breg0, 8, &v);
		return r ? r : pushu(m, v + op->a);
	}
	switch (a) {
	case DW_OP_addr:
	case DW_OP_addrx:
	case DW_OP_GNU_addr_index:
		/* Link-time addresses: the module's bias makes them real. */
		return pushu(m, op->a + m->f->bias);
	case DW_OP_constx:
	case DW_OP_GNU_const_index:
	case DW_OP_const1u:
	case DW_OP_const1s:
	case DW_OP_const2u:
	case DW_OP_const2s:
	case DW_OP_const4u:
	case DW_OP_const4s:
	case DW_OP_const8u:
	case DW_OP_const8s:
	case DW_OP_constu:
	case DW_OP_consts:
		/* libdwarf has sign-extended the signed ones. */
		return pushu(m, op->a);
	case DW_OP_regx:
		m->cur = CUR_REG;
		m->reg = (unsigned)op->a;
		return 0;
	case DW_OP_bregx:
		r = regval(m, (unsigned)op->a, 8, &v);
		return r ? r : pushu(m, v + op->b);
	case DW_OP_fbreg:
		r = frame_base(m, &v);
		return r ? r : pushu(m, v + op->a);
	case DW_OP_call_frame_cfa:
		if (!m->f->has_cfa)
			return UNAVAIL(m, "CFA unknown");
		return pushu(m, m->f->cfa);
	case DW_OP_dup:
	case DW_OP_over:
	case DW_OP_pick:
		v = a == DW_OP_dup ? 0 : a == DW_OP_over ? 1 : op->a;
		if (v >= (uint64_t)m->sp)
			return UNAVAIL(m, "malformed expression");
		return push(m, m->st[m->sp - 1 - (int)v]);
	case DW_OP_drop:
		return pop(m, &x);
	case DW_OP_swap:
		if (pop(m, &x) || pop(m, &y))
			return 1;
		push(m, x);
		return push(m, y);
	case DW_OP_rot:
		/* top -> third, second -> top, third -> second */
		if (pop(m, &x) || pop(m, &y) || pop(m, &z))
			return 1;
		push(m, x);
		push(m, z);
		return push(m, y);
	case DW_OP_deref:
	case DW_OP_deref_size:
		if (pop(m, &x))
			return 1;
		r = memval(m, x.v, a == DW_OP_deref ? 8 : (unsigned)op->a, &v);
		return r ? r : pushu(m, v);
	case DW_OP_deref_type:
	case DW_OP_GNU_deref_type:
		if (pop(m, &x))
			return 1;
		if (op->a != op->tsize)
			return UNAVAIL(m, "malformed expression");
		r = memval(m, x.v, op->tsize, &v);
		if (r)
			return r;
		y.v = norm(v, op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_regval_type:
	case DW_OP_GNU_regval_type:
		r = regval(m, (unsigned)op->a, op->tsize, &v);
		if (r)
			return r;
		y.v = norm(v, op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_const_type:
	case DW_OP_GNU_const_type:
		y.v = norm(le_bytes(op->blk, op->tsize), op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_convert:
	case DW_OP_GNU_convert:
		return convert(m, op, false);
	case DW_OP_reinterpret:
	case DW_OP_GNU_reinterpret:
		return convert(m, op, true);
	case DW_OP_plus:
	case DW_OP_minus:
	case DW_OP_mul:
	case DW_OP_div:
	case DW_OP_mod:
	case DW_OP_and:
	case DW_OP_or:
	case DW_OP_xor:
	case DW_OP_shl:
	case DW_OP_shr:
	case DW_OP_shra:
	case DW_OP_eq:
	case DW_OP_ne:
	case DW_OP_lt:
	case DW_OP_gt:
	case DW_OP_le:
	case DW_OP_ge:
		return binop(m, a);
	case DW_OP_neg:
	case DW_OP_not:
	case DW_OP_abs:
		return unop(m, a);
	case DW_OP_plus_uconst:
		if (pop(m, &x))
			return 1;
		x.v = norm(x.v + op->a, x.size, x.enc);
		return push(m, x);
	case DW_OP_skip:
		if (jump(e, op, i) < 0)
			return UNAVAIL(m, "branch out of the expression");
		m->moved = true;
		return 0;
	case DW_OP_bra:
		if (pop(m, &x))
			return 1;
		if (!x.v)
			return 0;
		if (jump(e, op, i) < 0)
			return UNAVAIL(m, "branch out of the expression");
		m->moved = true;
		return 0;
	case DW_OP_nop:
	case DW_OP_GNU_uninit:
		return 0;
	case DW_OP_stack_value:
		if (pop(m, &m->val))
			return 1;
		m->cur = CUR_VAL;
		return 0;
	case DW_OP_implicit_value:
		m->cur = CUR_BLK;
		m->blk = op->blk;
		m->blk_len = op->a;
		return 0;
	case DW_OP_piece:
		return add_piece(m, out, op->a * 8, 0);
	case DW_OP_bit_piece:
		return add_piece(m, out, op->a, op->b);
	case DW_OP_entry_value:
	case DW_OP_GNU_entry_value:
		return entry_value(m, op);
	case DW_OP_GNU_parameter_ref: {
		/* a parameter the caller passed without a register of its
		 * own: its call site says (DW_AT_call_parameter) */
		uint64_t pv;

		if (!m->f->entry || !op->a ||
		    m->f->entry(m->f->entry_arg, 0, op->a, &pv))
			return UNAVAIL(m, "parameter not known at the call "
				       "site");
		return pushu(m, pv);
	}
	case DW_OP_form_tls_address:
	case DW_OP_GNU_push_tls_address: {
		/* the top is an offset in the module's TLS block */
		struct val off;
		uint64_t ta;
		int rc = pop(m, &off);

		if (rc)
			return rc;
		if (!m->f->tls ||
		    m->f->tls(m->f->tls_arg, m->f->bias, off.v, &ta))
			return UNAVAIL(m, "thread-local storage not "
				       "available");
		return pushu(m, ta);
	}
	default:
		/* implicit_pointer, calls, push_object_address... */
		return UNAVAIL(m, "operation not supported");
	}
}

/* Run the operations: 0 done, 1 unavailable (m->why), negative error. */
static int
run(struct mach *m, const struct expr *e, struct tr_loc *out)
{
	size_t i = 0;
	unsigned steps = 0;

	while (i < e->n) {
		int r;

		if (++steps > STEPS_MAX)
			return UNAVAIL(m, "expression does not end");
		m->moved = false;
		r = step(m, e, &i, out);
		if (r)
			return r;
		if (!m->moved)
			i++;
	}
	return 0;
}

static void
loc_optimized(struct tr_loc *out, const char *why)
{
	out->kind = TR_LOC_OPTIMIZED;
	out->npieces = 0;
	out->why = why;
}

static void
finish(struct mach *m, struct tr_loc *out)
{
	struct tr_loc_piece *p = &out->pieces[0];
	bool all_gone = true;

	if (out->npieces > 0) {
		for (size_t i = 0; i < out->npieces; i++)
			if (out->pieces[i].kind != TR_LOC_OPTIMIZED)
				all_gone = false;
		if (all_gone)
			loc_optimized(out, "optimized out");
		else
			out->kind = TR_LOC_PIECES;
		return;
	}
	memset(p, 0, sizeof(*p));
	out->npieces = 1;
	switch (m->cur) {
	case CUR_NONE:
		if (m->sp == 0) {
			loc_optimized(out, "optimized out");
			return;
		}
		out->kind = TR_LOC_MEMORY;
		p->kind = TR_LOC_MEMORY;
		p->addr = m->st[m->sp - 1].v;
		break;
	case CUR_REG:
		out->kind = TR_LOC_REGISTER;
		p->kind = TR_LOC_REGISTER;
		p->reg = m->reg;
		break;
	case CUR_VAL:
		out->kind = TR_LOC_VALUE;
		p->kind = TR_LOC_VALUE;
		p->value = m->val.v;
		p->value_size = m->val.size ? m->val.size : 8;
		break;
	default:
		out->kind = TR_LOC_VALUE;
		p->kind = TR_LOC_VALUE;
		p->data = m->blk;
		p->data_len = m->blk_len;
		break;
	}
}

/* Run `e` in frame `f`, with `init` on the stack first when `push` is
 * set (CFI register rules). */
static int
eval_expr_init(struct tr_dwarf *d, const struct expr *e,
	       const struct tr_loc_frame *f, bool push, uint64_t init,
	       struct tr_loc *out, int depth)
{
	struct mach *m;
	int r;

	out->npieces = 0;
	out->why = NULL;
	if (e->n == 0) {
		loc_optimized(out, "optimized out");
		return 0;
	}
	/* The machine is large for the stack of a deep caller. */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -TR_ENOMEM;
	m->d = d;
	m->f = f;
	m->depth = depth;
	r = push ? pushu(m, init) : 0;
	if (r == 0)
		r = run(m, e, out);
	if (r == 0)
		finish(m, out);
	else if (r > 0)
		loc_optimized(out, m->why);
	free(m);
	return r < 0 ? r : 0;
}

static int
eval_expr(struct tr_dwarf *d, const struct expr *e,
	  const struct tr_loc_frame *f, struct tr_loc *out, int depth)
{
	return eval_expr_init(d, e, f, false, 0, out, depth);
}

static int
eval_desc(struct tr_dwarf *d, const struct ldesc *ld,
	  const struct tr_loc_frame *f, struct tr_loc *out, int depth)
{
	uint64_t pc = f->pc - f->bias;
	const struct expr *e = NULL, *dflt = NULL;

	out->npieces = 0;
	out->why = NULL;
	if (ld->is_const) {
		memset(&out->pieces[0], 0, sizeof(out->pieces[0]));
		out->kind = TR_LOC_VALUE;
		out->npieces = 1;
		out->pieces[0].kind = TR_LOC_VALUE;
		out->pieces[0].data = ld->data;
		out->pieces[0].data_len = ld->data_len;
		return 0;
	}
	for (size_t i = 0; i < ld->n && !e; i++) {
		const struct lentry *le = &ld->ents[i];

		if (le->any) {
			if (!dflt)
				dflt = &le->e;
		} else if (pc >= le->lo && pc < le->hi) {
			e = &le->e;
		}
	}
	if (!e)
		e = dflt;
	if (!e) {
		loc_optimized(out, ld->n ? "not available at this pc" :
					   "optimized out");
		return 0;
	}
	return eval_expr(d, e, f, out, depth);
}

int
tr_loc_eval_var(struct tr_dwarf *d, uint64_t die, const struct tr_loc_frame *f,
		struct tr_loc *out)
{
	const struct ldesc *ld;
	int err = tr__loc_ldesc_get(d, die, SLOT_VAR, 0, &ld);

	if (err < 0)
		return err;
	return eval_desc(d, ld, f, out, 0);
}

int
tr_loc_eval_attr(struct tr_dwarf *d, uint64_t die, unsigned attr,
		 const struct tr_loc_frame *f, struct tr_loc *out)
{
	struct ldesc *tmp = NULL;
	const struct ldesc *ld;
	int err;

	/* The two that are asked for again and again are cached. */
	if (attr == DW_AT_location || attr == DW_AT_frame_base) {
		err = tr__loc_ldesc_get(d, die,
				attr == DW_AT_location ? SLOT_LOCATION :
							 SLOT_FRAME_BASE,
				(Dwarf_Half)attr, &ld);
	} else {
		err = tr__loc_ldesc_build(d, die, 0, (Dwarf_Half)attr, &tmp);
		ld = tmp;
	}
	if (err < 0)
		return err;
	if (ld->absent)
		err = -TR_ENOENT;
	else
		err = eval_desc(d, ld, f, out, 0);
	if (tmp)
		tr__loc_ldesc_free(tmp);
	return err;
}

int
tr_loc_eval_expr(struct tr_dwarf *d, uint64_t unit_die, const uint8_t *expr,
		 size_t len, const struct tr_loc_frame *f, struct tr_loc *out)
{
	Dwarf_Die die = NULL;
	struct expr *e;
	struct dec dc;
	int err;

	if (!len) {
		loc_optimized(out, "optimized out");
		return 0;
	}
	if (!unit_die && tr_dwarf_ncus(d) > 0)
		unit_die = tr_dwarf_cu(d, 0)->die;
	if (unit_die && tr__die_at(d, unit_die, &die) < 0)
		return -TR_EINVAL;
	tr__loc_dec_init(&dc, d, die);
	e = tr__loc_decode_raw(&dc, expr, len);
	if (die)
		dwarf_dealloc_die(die);
	if (!e)
		return -TR_EINVAL;
	err = eval_expr(d, e, f, out, 0);
	tr__loc_expr_free(e);
	free(e);
	return err;
}

int
tr_loc_eval_cfi(const uint8_t *expr, size_t len,
		const struct tr_loc_frame *f, bool push, uint64_t init,
		uint64_t *out)
{
	struct tr_loc *loc;
	struct expr *e;
	struct dec dc;
	int err;

	if (!len)
		return -TR_EINVAL;
	tr__loc_dec_init(&dc, NULL, NULL);
	e = tr__loc_decode_raw(&dc, expr, len);
	loc = malloc(sizeof(*loc));
	if (!e || !loc) {
		if (e) {
			tr__loc_expr_free(e);
			free(e);
		}
		free(loc);
		return -TR_ENOMEM;
	}
	err = eval_expr_init(NULL, e, f, push, init, loc, 0);
	tr__loc_expr_free(e);
	free(e);
	/* The value a CFI expression computes is the top of its stack: an
	 * address (a "memory location") unless it says DW_OP_stack_value. */
	if (err == 0 && loc->kind == TR_LOC_MEMORY)
		*out = loc->pieces[0].addr;
	else if (err == 0 && loc->kind == TR_LOC_VALUE && !loc->pieces[0].data)
		*out = loc->pieces[0].value;
	else if (err == 0)
		err = -TR_EINVAL;
	free(loc);
	return err;
}
