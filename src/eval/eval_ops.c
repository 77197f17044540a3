/* eval_ops.c: C conversions and operators over evaluated values. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/debuginfo.h"
#include "symbols/dwarf_index.h"
#include "base/error.h"
#include "eval/eval_int.h"
#include "symbols/scope.h"
#include "symbols/symtab.h"

/* ---- conversions ---------------------------------------------------- */

/* Arrays and functions used as values become pointers (C11 6.3.2.1). */
int
tr__ev_decay(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_type *t = tr__ev_strip(v->type);
	const struct tr_type *p;
	uint64_t addr = v->addr;

	if (t->kind != TR_TYPE_ARRAY && t->kind != TR_TYPE_FUNCTION)
		return 0;
	if (v->lval == TR_LVAL_INTERNAL)
		return tr__ev_fail(e, at, -TR_EINVAL, "Only values in memory can be "
			    "used as pointers; this string is in tracerd.");
	if (v->lval != TR_LVAL_MEMORY)
		return tr__ev_fail(e, at, -TR_EINVAL, "Attempt to take address of "
			    "value not located in memory.");
	p = tr__ev_pointer_to(e, t->kind == TR_TYPE_ARRAY ? t->target : v->type);
	if (!p)
		return tr__ev_fail(e, at, -TR_ENOMEM, "Out of memory.");
	tr_value_release(v);
	return tr__ev_vint(e, v, p, addr);
}

int
tr__ev_check_avail(struct tr_eval_env *e, const struct tr_ast *at,
	    const struct tr_value *v)
{
	if (v->optimized_out)
		return tr__ev_fail(e, at, -TR_ENOENT, "value has been optimized out");
	return 0;
}

/* Convert a scalar to type t (C's conversions; casts too). */
int
tr__ev_convert(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
	const struct tr_type *t)
{
	const struct tr_type *to = tr__ev_strip(t);
	struct tr_value r;
	int err;

	if ((err = tr__ev_decay(e, at, v)) || (err = tr__ev_check_avail(e, at, v)))
		return err;
	if (to->kind == TR_TYPE_VOID) {
		tr_value_release(v);
		tr__ev_vzero(v, t);
		return 0;
	}
	if (!tr__ev_is_scalar(v->type) || !(tr__ev_is_scalar(to))) {
		const struct tr_type *from = tr__ev_strip(v->type);

		if ((from->kind == TR_TYPE_STRUCT ||
		     from->kind == TR_TYPE_UNION) && from == to)
			return 0;
		if ((to->kind == TR_TYPE_STRUCT || to->kind == TR_TYPE_UNION) &&
		    (from->kind == TR_TYPE_STRUCT ||
		     from->kind == TR_TYPE_UNION) && from->name && to->name &&
		    !strcmp(from->name, to->name) && from->size == to->size) {
			v->type = t;
			return 0;
		}
		return tr__ev_fail(e, at, -TR_EINVAL, "Invalid cast.");
	}
	if (tr__ev_is_float(to)) {
		err = tr__ev_vfloat(e, &r, t, tr__ev_as_ld(v));
	} else if (to->kind == TR_TYPE_BASE &&
		   to->encoding == TR_ENC_BOOLEAN) {
		err = tr__ev_vint(e, &r, t, tr__ev_is_float(v->type) ? tr__ev_as_ld(v) != 0
						      : tr__ev_as_u64(v) != 0);
	} else if (tr__ev_is_float(v->type)) {
		long double x = tr__ev_as_ld(v);

		err = tr__ev_vint(e, &r, t, tr__ev_is_signed(to) || x < 0
				     ? (uint64_t)(int64_t)x : (uint64_t)x);
	} else {
		err = tr__ev_vint(e, &r, t, tr__ev_as_u64(v));
	}
	if (err)
		return err;
	tr_value_release(v);
	*v = r;
	return 0;
}

/* Integer promotions (C11 6.3.1.1). */
const struct tr_type *
tr__ev_promote(const struct tr_type *t)
{
	const struct tr_type *s = tr__ev_strip(t);

	if (tr__ev_is_float(s))
		return t;
	if (s->size < 4)
		return &tr__t_int;
	/* gdb's flags types ($eflags, $mxcsr) compute as int */
	if (s == &tr__t_eflags || s == &tr__t_mxcsr)
		return &tr__t_int;
	if (s->kind == TR_TYPE_ENUM || s->encoding == TR_ENC_BOOLEAN)
		return s->size <= 4 ? (tr__ev_is_signed(s) || s->size < 4 ? &tr__t_int
								   : &tr__t_uint)
				    : &tr__t_long;
	/* an integer typedef promotes to the type it names, as gdb's
	 * binop_promote does: wchar_t + 1 is an int, not a wchar_t */
	return s;
}

/* The usual arithmetic conversions (C11 6.3.1.8): the common type. */
static const struct tr_type *
common_type(const struct tr_type *a, const struct tr_type *b)
{
	const struct tr_type *sa, *sb;

	if (tr__ev_is_float(a) || tr__ev_is_float(b)) {
		size_t za = tr__ev_is_float(a) ? tr__ev_strip(a)->size : 0;
		size_t zb = tr__ev_is_float(b) ? tr__ev_strip(b)->size : 0;
		size_t z = za > zb ? za : zb;

		return z == 4 ? &tr__t_float : z == 8 ? &tr__t_double : &tr__t_ldouble;
	}
	a = tr__ev_promote(a);
	b = tr__ev_promote(b);
	sa = tr__ev_strip(a);
	sb = tr__ev_strip(b);
	if (sa->size == sb->size && tr__ev_is_signed(sa) == tr__ev_is_signed(sb))
		return a;
	if (tr__ev_is_signed(sa) == tr__ev_is_signed(sb))
		return sa->size > sb->size ? a : b;
	{
		const struct tr_type *u = tr__ev_is_signed(sa) ? b : a;
		const struct tr_type *s = tr__ev_is_signed(sa) ? a : b;

		if (tr__ev_strip(u)->size >= tr__ev_strip(s)->size)
			return u;
		return s; /* a wider signed type holds every value */
	}
}

/* ---- operators ------------------------------------------------------ */

int
tr__ev_need_number(struct tr_eval_env *e, const struct tr_ast *at,
	    const struct tr_value *v)
{
	if (!tr__ev_is_arith(v->type))
		return tr__ev_fail(e, at, -TR_EINVAL, "Argument to arithmetic "
			    "operation not a number or boolean.");
	return 0;
}

int
tr__ev_arith(struct tr_eval_env *e, const struct tr_ast *at, int op,
      struct tr_value *a, struct tr_value *b, struct tr_value *out)
{
	const struct tr_type *ta = tr__ev_strip(a->type), *tb = tr__ev_strip(b->type);
	const struct tr_type *ct;
	int err;

	/* Pointer arithmetic. */
	if ((op == TR_TOK_PLUS || op == TR_TOK_MINUS) &&
	    (tr__ev_is_ptr(ta) || tr__ev_is_ptr(tb))) {
		if (tr__ev_is_ptr(ta) && tr__ev_is_ptr(tb) && op == TR_TOK_MINUS) {
			uint64_t sz = tr__ev_strip(ta->target)->size;
			int64_t d = (int64_t)(tr__ev_as_u64(a) - tr__ev_as_u64(b));

			if (!sz)
				sz = 1;
			if (tr__ev_strip(ta->target)->size !=
			    tr__ev_strip(tb->target)->size)
				return tr__ev_fail(e, at, -TR_EINVAL, "First argument "
					    "of `-' is a pointer and second "
					    "argument is neither\nan integer "
					    "nor a pointer of the same type.");
			return tr__ev_vint(e, out, &tr__t_long, (uint64_t)(d / (int64_t)sz));
		}
		if (tr__ev_is_ptr(tb) && op == TR_TOK_MINUS)
			return tr__ev_fail(e, at, -TR_EINVAL, "Argument to arithmetic "
				    "operation not a number or boolean.");
		{
			struct tr_value *p = tr__ev_is_ptr(ta) ? a : b;
			struct tr_value *n = tr__ev_is_ptr(ta) ? b : a;
			uint64_t sz = tr__ev_strip(tr__ev_strip(p->type)->target)->size;
			int64_t k;

			if (!tr__ev_is_int(n->type))
				return tr__ev_fail(e, at, -TR_EINVAL, "Argument to "
					    "arithmetic operation not a number "
					    "or boolean.");
			if (!sz)
				sz = 1; /* void *: gdb steps bytes */
			k = (int64_t)tr__ev_as_u64(n);
			if (op == TR_TOK_MINUS)
				k = -k;
			return tr__ev_vint(e, out, p->type,
				    tr__ev_as_u64(p) + (uint64_t)(k * (int64_t)sz));
		}
	}
	/* Comparisons of pointers (with each other or with integers). */
	if (op >= TR_TOK_LT && op <= TR_TOK_NE &&
	    (tr__ev_is_ptr(ta) || tr__ev_is_ptr(tb))) {
		uint64_t x = tr__ev_as_u64(a), y = tr__ev_as_u64(b);
		int r = op == TR_TOK_LT ? x < y : op == TR_TOK_GT ? x > y
		      : op == TR_TOK_LE ? x <= y : op == TR_TOK_GE ? x >= y
		      : op == TR_TOK_EQ ? x == y : x != y;

		if (!tr__ev_is_scalar(ta) || !tr__ev_is_scalar(tb))
			return tr__ev_need_number(e, at, tr__ev_is_scalar(ta) ? b : a);
		return tr__ev_vint(e, out, &tr__t_int, (uint64_t)r);
	}
	if ((err = tr__ev_need_number(e, at, a)) || (err = tr__ev_need_number(e, at, b)))
		return err;
	if (op == TR_TOK_SHL || op == TR_TOK_SHR) {
		const struct tr_type *pt = tr__ev_promote(a->type);
		uint64_t x = tr__ev_as_u64(a), y = tr__ev_as_u64(b);
		unsigned bits = (unsigned)tr__ev_strip(pt)->size * 8;

		if (tr__ev_is_float(ta) || tr__ev_is_float(tb))
			return tr__ev_fail(e, at, -TR_EINVAL, "Integer-only operation "
				    "on floating point number.");
		if (y >= bits)
			return tr__ev_vint(e, out, pt, 0); /* as gdb: C leaves it
						       undefined */
		if (op == TR_TOK_SHL)
			x <<= y;
		else if (tr__ev_is_signed(pt))
			x = (uint64_t)(tr__ev_sext(x, tr__ev_strip(pt)->size) >> y);
		else
			x = (tr__ev_strip(pt)->size == 4 ? x & 0xffffffffu : x) >> y;
		return tr__ev_vint(e, out, pt, x);
	}
	ct = common_type(a->type, b->type);
	if (tr__ev_is_float(ct)) {
		long double x = tr__ev_as_ld(a), y = tr__ev_as_ld(b);
		long double r;

		switch (op) {
		case TR_TOK_PLUS: r = x + y; break;
		case TR_TOK_MINUS: r = x - y; break;
		case TR_TOK_STAR: r = x * y; break;
		case TR_TOK_SLASH: r = x / y; break;
		case TR_TOK_LT: return tr__ev_vint(e, out, &tr__t_int, x < y);
		case TR_TOK_GT: return tr__ev_vint(e, out, &tr__t_int, x > y);
		case TR_TOK_LE: return tr__ev_vint(e, out, &tr__t_int, x <= y);
		case TR_TOK_GE: return tr__ev_vint(e, out, &tr__t_int, x >= y);
		case TR_TOK_EQ: return tr__ev_vint(e, out, &tr__t_int, x == y);
		case TR_TOK_NE: return tr__ev_vint(e, out, &tr__t_int, x != y);
		default:
			return tr__ev_fail(e, at, -TR_EINVAL, "Integer-only operation "
				    "on floating point number.");
		}
		if (tr__ev_strip(ct)->size == 4)
			r = (float)r;
		else if (tr__ev_strip(ct)->size == 8)
			r = (double)r;
		return tr__ev_vfloat(e, out, ct, r);
	}
	{
		bool sg = tr__ev_is_signed(ct);
		size_t sz = tr__ev_strip(ct)->size;
		uint64_t mask = sz >= 8 ? ~0ull : (1ull << (sz * 8)) - 1;
		uint64_t x = tr__ev_as_u64(a) & mask, y = tr__ev_as_u64(b) & mask, r;
		int64_t sx = tr__ev_sext(x, sz), sy = tr__ev_sext(y, sz);

		switch (op) {
		case TR_TOK_PLUS: r = x + y; break;
		case TR_TOK_MINUS: r = x - y; break;
		case TR_TOK_STAR: r = x * y; break;
		case TR_TOK_SLASH:
		case TR_TOK_PERCENT:
			if (!y)
				return tr__ev_fail(e, at, -TR_EINVAL,
					    "Division by zero");
			if (sg && sy == -1 && sx == tr__ev_sext(1ull << (sz * 8 - 1),
							 sz))
				r = op == TR_TOK_SLASH ? x : 0;
			else if (sg)
				r = (uint64_t)(op == TR_TOK_SLASH ? sx / sy
								 : sx % sy);
			else
				r = op == TR_TOK_SLASH ? x / y : x % y;
			break;
		case TR_TOK_AMP: r = x & y; break;
		case TR_TOK_PIPE: r = x | y; break;
		case TR_TOK_CARET: r = x ^ y; break;
		case TR_TOK_LT: return tr__ev_vint(e, out, &tr__t_int, sg ? sx < sy : x < y);
		case TR_TOK_GT: return tr__ev_vint(e, out, &tr__t_int, sg ? sx > sy : x > y);
		case TR_TOK_LE: return tr__ev_vint(e, out, &tr__t_int, sg ? sx <= sy : x <= y);
		case TR_TOK_GE: return tr__ev_vint(e, out, &tr__t_int, sg ? sx >= sy : x >= y);
		case TR_TOK_EQ: return tr__ev_vint(e, out, &tr__t_int, x == y);
		case TR_TOK_NE: return tr__ev_vint(e, out, &tr__t_int, x != y);
		default:
			return tr__ev_fail(e, at, -TR_EINVAL, "Invalid operator.");
		}
		return tr__ev_vint(e, out, ct, r & mask);
	}
}

bool
tr__ev_truth(const struct tr_value *v)
{
	if (tr__ev_is_float(v->type))
		return tr__ev_as_ld(v) != 0;
	return tr__ev_as_u64(v) != 0;
}

/* Write `v` (already of the lvalue's type) where `lv` lives. */
int
tr__ev_store(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *lv,
      struct tr_value *v)
{
	const uint8_t *src = tr_value_cbytes(v);
	size_t n = tr__ev_strip(lv->type)->size;
	int err;

	if (e->no_side_effects)
		return 0;
	if (lv->lval == TR_LVAL_MEMORY) {
		uint8_t buf[8];
		uint64_t x;

		if (!lv->bit_size) {
			err = e->write ? e->write(e->ctx, lv->addr, src, n)
				       : -TR_ENOTSUP;
			if (err == -TR_EFAULT)
				return tr__ev_mem_fail(e, at, lv->addr);
			if (err)
				return tr__ev_fail(e, at, err, "Cannot write "
					    "memory: %s.", tr_strerror(err));
			memcpy(tr_value_bytes(lv), src, n);
			return 0;
		}
		/* A bitfield: read, modify, write the bytes it spans. */
		n = (lv->bit_offset + lv->bit_size + 7) / 8;
		if (n > 8 || e->read(e->ctx, lv->addr, buf, n))
			return tr__ev_mem_fail(e, at, lv->addr);
		x = 0;
		memcpy(&x, buf, n);
		{
			uint64_t m = (lv->bit_size >= 64 ? ~0ull
				     : (1ull << lv->bit_size) - 1)
				     << lv->bit_offset;
			uint64_t nv = 0;

			memcpy(&nv, src, v->size < 8 ? v->size : 8);
			x = (x & ~m) | ((nv << lv->bit_offset) & m);
		}
		memcpy(buf, &x, n);
		err = e->write(e->ctx, lv->addr, buf, n);
		if (err)
			return tr__ev_mem_fail(e, at, lv->addr);
		/* the value now in the field: cut to its width */
		x = (x >> lv->bit_offset) & (lv->bit_size >= 64 ? ~0ull
				: (1ull << lv->bit_size) - 1);
		if (tr__ev_is_signed(lv->type) && lv->bit_size < 64 &&
		    (x >> (lv->bit_size - 1)) & 1)
			x |= ~0ull << lv->bit_size;
		memcpy(tr_value_bytes(lv), &x,
		       lv->size < 8 ? lv->size : 8);
		return 0;
	}
	if (lv->lval == TR_LVAL_REGISTER) {
		struct user_regs_struct r = e->regs.gp;
		uint64_t x = 0;

		if (!e->set_regs || e->frame)
			return tr__ev_fail(e, at, -TR_ENOTSUP, "Cannot write "
				    "registers of this frame.");
		memcpy(&x, src, n < 8 ? n : 8);
		if (lv->reg >= UREG_LVAL) {
			unsigned long long *f = tr__ev_gp_field(&r,
						       lv->reg - UREG_LVAL);

			if (n == 4 && lv->reg - UREG_LVAL != 98)
				x &= 0xffffffffu; /* as writing $eax does */
			*f = x;
		} else {
			/* A variable in a DWARF register (rax..r15). */
			static const unsigned dw2u[] = {
				TR_UREG_RAX, TR_UREG_RDX, TR_UREG_RCX,
				TR_UREG_RBX, TR_UREG_RSI, TR_UREG_RDI,
				TR_UREG_RBP, TR_UREG_RSP, 8, 9, 10, 11, 12, 13,
				14, 15,
			};
			unsigned long long *f;

			if (lv->reg >= 16)
				return tr__ev_fail(e, at, -TR_ENOTSUP, "Cannot write "
					    "this register.");
			f = tr__ev_gp_field(&r, dw2u[lv->reg]);
			if (n < 8)
				x = (*f & ~((1ull << (n * 8)) - 1)) | x;
			*f = x;
		}
		err = e->set_regs(e->ctx, &r);
		if (err)
			return tr__ev_fail(e, at, err, "Cannot write registers: %s.",
				    tr_strerror(err));
		e->regs.gp = r;
		memcpy(tr_value_bytes(lv), src, n);
		return 0;
	}
	return tr__ev_fail(e, at, -TR_EINVAL, "Left operand of assignment is not an "
		    "lvalue.");
}

int
tr__ev_deref(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_type *t;
	uint64_t addr;
	int err;

	if ((err = tr__ev_decay(e, at, v)) || (err = tr__ev_check_avail(e, at, v)))
		return err;
	t = tr__ev_strip(v->type);
	if (t->kind != TR_TYPE_POINTER) {
		if (tr__ev_is_int(t)) {
			/* gdb: *INTEGER reads a long at that address */
			addr = tr__ev_as_u64(v);
			tr_value_release(v);
			return tr__ev_load(e, at, v, &tr__t_long, addr);
		}
		return tr__ev_fail(e, at, -TR_EINVAL, "Attempt to take contents of "
			    "a non-pointer value.");
	}
	if (tr__ev_strip(t->target)->kind == TR_TYPE_VOID)
		return tr__ev_fail(e, at, -TR_EINVAL, "Attempt to take contents of "
			    "a non-pointer value.");
	addr = tr__ev_as_u64(v);
	tr_value_release(v);
	return tr__ev_load(e, at, v, t->target, addr);
}

int
tr__ev_member(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
       const char *name)
{
	const struct tr_type *t = tr__ev_strip(v->type);
	const struct tr_type_member *m;
	uint64_t off;
	struct tr_value r;
	int err;

	if (t->kind != TR_TYPE_STRUCT && t->kind != TR_TYPE_UNION)
		return tr__ev_fail(e, at, -TR_EINVAL, "Attempt to extract a component "
			    "of a value that is not a structure.");
	if (tr_type_member_find(t, name, &m, &off) < 0)
		return tr__ev_fail(e, at, -TR_ENOENT, "There is no member named %s.",
			    name);
	if (v->optimized_out) {
		tr__ev_vzero(&r, m->type);
		r.optimized_out = true;
	} else if (m->bit_size) {
		uint64_t x = 0;

		if (v->lazy)
			return tr__ev_fail(e, at, -TR_ERANGE, "Value too large.");
		if (tr_type_bitfield_get(m, tr_value_cbytes(v), v->size, off,
					 &x) < 0)
			return tr__ev_fail(e, at, -TR_ERANGE, "Bad bitfield.");
		if ((err = tr__ev_vint(e, &r, m->type, x)))
			return err;
		r.lval = v->lval == TR_LVAL_MEMORY ? TR_LVAL_MEMORY
						   : TR_LVAL_NONE;
		r.addr = v->addr + off;
		r.bit_offset = m->bit_offset;
		r.bit_size = m->bit_size;
	} else if (v->lval == TR_LVAL_MEMORY && (v->lazy || !v->size)) {
		if ((err = tr__ev_load(e, at, &r, m->type, v->addr + off)))
			return err;
	} else {
		size_t n = tr__ev_strip(m->type)->size;

		if (off + n > v->size)
			return tr__ev_fail(e, at, -TR_ERANGE, "Member outside the "
				    "value.");
		if ((err = tr__ev_vset(e, &r, m->type, tr_value_cbytes(v) + off, n)))
			return err;
		r.lval = v->lval == TR_LVAL_MEMORY ? TR_LVAL_MEMORY
						   : TR_LVAL_NONE;
		r.addr = v->addr + off;
	}
	tr_value_release(v);
	*v = r;
	return 0;
}
