/* expr_eval.c: evaluating parsed C expressions against a stopped thread, with calls injected into the target. */
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

/* ---- the evaluator -------------------------------------------------- */

static int eval(struct tr_eval_env *e, const struct tr_ast *a,
		struct tr_value *v);

static const struct tr_type *
lit_type(enum tr_lit l)
{
	switch (l) {
	case TR_LIT_UINT: return &tr__t_uint;
	case TR_LIT_LONG: return &tr__t_long;
	case TR_LIT_ULONG: return &tr__t_ulong;
	case TR_LIT_LLONG: return &tr__t_llong;
	case TR_LIT_ULLONG: return &tr__t_ullong;
	case TR_LIT_FLOAT: return &tr__t_float;
	case TR_LIT_DOUBLE: return &tr__t_double;
	case TR_LIT_LDOUBLE: return &tr__t_ldouble;
	case TR_LIT_CHAR: return &tr__t_char;
	default: return &tr__t_int;
	}
}

/* The type of a wide literal: the program's wchar_t, char16_t or
 * char32_t where its DWARF has one (so that whatis names it as the
 * program does), else glibc's. */
static const struct tr_type *
wide_type(struct tr_eval_env *e, enum tr_lit l)
{
	const struct tr_type *b = l == TR_LIT_WCHAR ? &tr__t_wchar
				: l == TR_LIT_CHAR16 ? &tr__t_char16
						     : &tr__t_char32;
	const struct tr_type *t;

	if (e->st->dw && tr_dwarf_type_lookup(e->st->dw, b->name, &t) == 0 &&
	    t->kind == TR_TYPE_TYPEDEF &&
	    tr_type_strip(t)->size == b->size)
		return t;
	return b;
}

static bool
is_wide(enum tr_lit l)
{
	return l == TR_LIT_WCHAR || l == TR_LIT_CHAR16 || l == TR_LIT_CHAR32;
}

static bool
is_struct(const struct tr_value *v)
{
	return v && tr__ev_strip(v->type)->kind == TR_TYPE_STRUCT;
}

/*
 * gdb looks for a C++ operator when an operand is a struct (not a union):
 * C has none, and gdb says so in these words, before anything else is
 * checked. x is the left (or only) operand, y the right one.
 */
static int
no_struct_op(struct tr_eval_env *e, const struct tr_ast *at, const char *op,
	     const struct tr_value *x, const struct tr_value *y)
{
	if (is_struct(x))
		return tr__ev_fail(e, at, -TR_EINVAL, "Structure has no "
				   "component named operator%s.", op);
	if (is_struct(y))
		return tr__ev_fail(e, at, -TR_EINVAL, "Can't do that binary op "
				   "on that type");
	return 0;
}

static int
assign_op(int op)
{
	switch (op) {
	case TR_TOK_ADD_ASSIGN: return TR_TOK_PLUS;
	case TR_TOK_SUB_ASSIGN: return TR_TOK_MINUS;
	case TR_TOK_MUL_ASSIGN: return TR_TOK_STAR;
	case TR_TOK_DIV_ASSIGN: return TR_TOK_SLASH;
	case TR_TOK_MOD_ASSIGN: return TR_TOK_PERCENT;
	case TR_TOK_AND_ASSIGN: return TR_TOK_AMP;
	case TR_TOK_OR_ASSIGN: return TR_TOK_PIPE;
	case TR_TOK_XOR_ASSIGN: return TR_TOK_CARET;
	case TR_TOK_SHL_ASSIGN: return TR_TOK_SHL;
	case TR_TOK_SHR_ASSIGN: return TR_TOK_SHR;
	default: return 0;
	}
}

/* `$name` that is no register: a history entry or a convenience
 * variable (gdb's; void until set). */
static bool
is_conv(const struct tr_eval_env *e, const struct tr_ast *a)
{
	return a->kind == TR_AST_REG && e->hist && !tr__ev_is_reg(a->name);
}

static int
conv_value(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v)
{
	char msg[128];
	int err;

	if (!is_conv(e, a))
		return tr__ev_reg_value(e, a, v);
	if (!strcmp(a->name, "_siginfo") && e->siginfo && e->have_regs) {
		/* read at each use, as gdb's: the stop's signal */
		uint8_t si[128];

		if (e->siginfo(e->ctx, si) == 0)
			return tr__ev_vset(e, v, tr_hist_siginfo_type(), si,
					   sizeof(si));
	}
	err = tr_hist_get(e->hist, a->name, v, msg, sizeof(msg));
	if (err == -TR_ENOENT)
		return tr__ev_fail(e, a, err, "%s", msg);
	if (err)
		return tr__ev_fail(e, a, err, "Out of memory.");
	return 0;
}

/*
 * `$i = x`, `$i += x`, `$i++`: convenience variables take the value and
 * type of what is assigned (gdb's); history entries cannot be assigned.
 * op is the arithmetic of a compound assignment or ++/-- (0: plain).
 * *v gets the variable's new value, or its old one when `post`.
 */
static int
conv_assign(struct tr_eval_env *e, const struct tr_ast *a, int op,
	    const struct tr_ast *rhs, bool post, struct tr_value *v)
{
	struct tr_value cur, rv, nv;
	int err;

	if (tr_hist_is_history(a->a->name))
		return tr__ev_fail(e, a, -TR_EINVAL, "Left operand of "
				   "assignment is not a modifiable lvalue.");
	if (rhs) {
		if ((err = eval(e, rhs, &rv)))
			return err;
	} else {
		tr__ev_vint(e, &rv, &tr__t_int, 1);
	}
	if (op) {
		if ((err = conv_value(e, a->a, &cur))) {
			tr_value_release(&rv);
			return err;
		}
		if ((err = tr__ev_decay(e, a, &rv)) ||
		    (err = tr__ev_arith(e, a, op, &cur, &rv, &nv))) {
			tr_value_release(&cur);
			tr_value_release(&rv);
			return err;
		}
		/* ++ and -- keep the variable's type */
		if (!rhs && (err = tr__ev_convert(e, a, &nv, cur.type))) {
			tr_value_release(&cur);
			tr_value_release(&rv);
			tr_value_release(&nv);
			return err;
		}
		tr_value_release(&rv);
		if (post) {
			rv = nv;
			nv = cur;
		} else {
			tr_value_release(&cur);
			rv = nv;
			tr__ev_vzero(&nv, rv.type);
			err = tr__ev_vset(e, &nv, rv.type, tr_value_cbytes(&rv),
					  rv.size);
			if (err) {
				tr_value_release(&rv);
				return err;
			}
		}
	} else {
		nv = rv;
		nv.heap = NULL;
		if ((err = tr__ev_vset(e, &nv, rv.type, tr_value_cbytes(&rv),
				       rv.size))) {
			tr_value_release(&rv);
			return err;
		}
		nv.lval = rv.lval;
		nv.addr = rv.addr;
		nv.lazy = rv.lazy;
		nv.optimized_out = rv.optimized_out;
	}
	/* rv: what the variable gets; nv: the expression's value */
	err = e->no_side_effects ? 0 : tr_hist_set(e->hist, a->a->name, &rv);
	tr_value_release(&rv);
	if (err) {
		tr_value_release(&nv);
		return tr__ev_fail(e, a, err, "Out of memory.");
	}
	*v = nv;
	return 0;
}

static int
assign(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v)
{
	struct tr_value lv, rv, nv;
	int err, op = assign_op(a->op);

	if (is_conv(e, a->a))
		return conv_assign(e, a, op, a->b, false, v);
	if ((err = eval(e, a->a, &lv)))
		return err;
	if (lv.lval != TR_LVAL_MEMORY && lv.lval != TR_LVAL_REGISTER) {
		tr_value_release(&lv);
		return tr__ev_fail(e, a, -TR_EINVAL, "Left operand of assignment is "
			    "not an lvalue.");
	}
	if ((err = eval(e, a->b, &rv)))
		goto out1;
	if (op && (err = no_struct_op(e, a, tr_tok_str(a->op), &lv, &rv)))
		goto out2;
	if (op) {
		struct tr_value cur;

		memset(&cur, 0, sizeof(cur));
		cur = lv;
		cur.heap = NULL;
		if ((err = tr__ev_vset(e, &cur, lv.type, tr_value_cbytes(&lv),
				lv.size)))
			goto out2;
		if ((err = tr__ev_decay(e, a->b, &rv)) ||
		    (err = tr__ev_check_avail(e, a->a, &lv))) {
			tr_value_release(&cur);
			goto out2;
		}
		err = tr__ev_arith(e, a, op, &cur, &rv, &nv);
		tr_value_release(&cur);
		if (err)
			goto out2;
		tr_value_release(&rv);
		rv = nv;
	}
	if (tr__ev_is_scalar(lv.type)) {
		if ((err = tr__ev_convert(e, a->b, &rv, lv.type)))
			goto out2;
	} else if (tr__ev_strip(rv.type) != tr__ev_strip(lv.type) &&
		   tr__ev_strip(rv.type)->size != tr__ev_strip(lv.type)->size) {
		err = tr__ev_fail(e, a, -TR_EINVAL, "Invalid cast.");
		goto out2;
	}
	if ((err = tr__ev_store(e, a, &lv, &rv)))
		goto out2;
	lv.optimized_out = false;
	*v = lv;
	tr_value_release(&rv);
	return 0;
out2:
	tr_value_release(&rv);
out1:
	tr_value_release(&lv);
	return err;
}

static int
incdec(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v,
       bool post)
{
	struct tr_value lv, one, nv, old;
	int err;

	if (is_conv(e, a->a))
		return conv_assign(e, a, a->op == TR_TOK_INC ? TR_TOK_PLUS
							   : TR_TOK_MINUS,
				   NULL, post, v);
	if ((err = eval(e, a->a, &lv)))
		return err;
	if (lv.lval != TR_LVAL_MEMORY && lv.lval != TR_LVAL_REGISTER) {
		tr_value_release(&lv);
		return tr__ev_fail(e, a, -TR_EINVAL, "Left operand of assignment is "
			    "not an lvalue.");
	}
	if ((err = no_struct_op(e, a, a->op == TR_TOK_INC ? "++" : "--", &lv,
				NULL)) ||
	    (!tr__ev_is_scalar(lv.type) &&
	     (err = tr__ev_fail(e, a, -TR_EINVAL, "Not a numeric type."))) ||
	    (err = tr__ev_check_avail(e, a->a, &lv)) ||
	    (err = tr__ev_vset(e, &old, lv.type, tr_value_cbytes(&lv), lv.size))) {
		tr_value_release(&lv);
		return err;
	}
	tr__ev_vint(e, &one, &tr__t_int, 1);
	err = tr__ev_arith(e, a, a->op == TR_TOK_INC ? TR_TOK_PLUS : TR_TOK_MINUS,
		    &old, &one, &nv);
	tr_value_release(&one);
	if (!err)
		err = tr__ev_convert(e, a, &nv, lv.type);
	if (!err)
		err = tr__ev_store(e, a, &lv, &nv);
	if (err) {
		tr_value_release(&old);
		tr_value_release(&nv);
		tr_value_release(&lv);
		return err;
	}
	tr_value_release(&lv);
	if (post) {
		tr_value_release(&nv);
		*v = old;
	} else {
		tr_value_release(&old);
		*v = nv;
	}
	return 0;
}

/*
 * gdb's x@n: n objects of x's type from x's address on, an array in
 * memory. Its errors and their order are gdb's (value_repeat): the count
 * must be an integer, x in memory, n at least 1.
 */
static int
repeat(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *x,
       struct tr_value *n, struct tr_value *v)
{
	const struct tr_type *t;
	uint64_t es = tr__ev_strip(x->type)->size;
	int64_t k;
	int err;

	if (!tr__ev_is_int(n->type))
		return tr__ev_fail(e, a, -TR_EINVAL, "Non-integral right "
				   "operand for \"@\" operator.");
	if ((err = tr__ev_check_avail(e, a->b, n)))
		return err;
	if (x->lval != TR_LVAL_MEMORY || x->bit_size)
		return tr__ev_fail(e, a, -TR_EINVAL, "Only values in memory "
				   "can be extended with '@'.");
	k = (int64_t)tr__ev_as_u64(n);
	if (!tr__ev_is_signed(n->type) && tr__ev_as_u64(n) > INT64_MAX)
		k = INT64_MAX;
	if (k < 1)
		return tr__ev_fail(e, a, -TR_EINVAL, "Invalid number %" PRId64
				   " of repetitions.", k);
	if (k > INT32_MAX || (es && (uint64_t)k > UINT64_MAX / es))
		return tr__ev_fail(e, a, -TR_ERANGE, "Invalid number %" PRId64
				   " of repetitions.", k);
	if (!(t = tr__ev_array_of(e, x->type, (uint64_t)k)))
		return tr__ev_fail(e, a, -TR_ENOMEM, "Out of memory.");
	return tr__ev_load(e, a, v, t, x->addr);
}

static int eval_node(struct tr_eval_env *e, const struct tr_ast *a,
		     struct tr_value *v);

/* A failed evaluation leaves nothing allocated in *v. */
static int
eval(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v)
{
	int err = eval_node(e, a, v);

	if (err)
		tr_value_release(v);
	return err;
}

static int
eval_node(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v)
{
	struct tr_value x, y;
	int err;

	memset(v, 0, sizeof(*v));
	v->type = &tr__t_int;
	switch (a->kind) {
	case TR_AST_INT:
	case TR_AST_CHAR:
		if (is_wide(a->lit))
			return tr__ev_vint(e, v, wide_type(e, a->lit), a->ival);
		return tr__ev_vint(e, v, lit_type(a->lit), a->ival);
	case TR_AST_FLOAT:
		return tr__ev_vfloat(e, v, lit_type(a->lit), a->fval);
	case TR_AST_STRING: {
		const struct tr_type *et = is_wide(a->lit) ? wide_type(e, a->lit)
							   : &tr__t_char;
		size_t es = tr__ev_strip(et)->size;
		const struct tr_type *t = tr__ev_array_of(e, et, a->len / es + 1);

		/* str ends with a NUL code unit */
		if (!t || tr__ev_vset(e, v, t, a->str, a->len + es))
			return tr__ev_fail(e, a, -TR_ENOMEM, "Out of memory.");
		v->lval = TR_LVAL_INTERNAL;
		return 0;
	}
	case TR_AST_IDENT:
		return tr__ev_lookup_name(e, a, a->name, NULL, v);
	case TR_AST_SCOPED:
		return tr__ev_lookup_name(e, a, a->name, a->scope, v);
	case TR_AST_REG:
		return conv_value(e, a, v);
	case TR_AST_COMMA:
		if ((err = eval(e, a->a, &x)))
			return err;
		tr_value_release(&x);
		return eval(e, a->b, v);
	case TR_AST_ASSIGN:
		return assign(e, a, v);
	case TR_AST_POSTFIX:
		return incdec(e, a, v, true);
	case TR_AST_TERNARY:
		if ((err = eval(e, a->a, &x)) || (err = tr__ev_decay(e, a->a, &x)) ||
		    (err = tr__ev_check_avail(e, a->a, &x)))
			return err;
		{
			bool c = tr__ev_truth(&x);

			tr_value_release(&x);
			return eval(e, c ? a->b : a->c, v);
		}
	case TR_AST_CAST: {
		const struct tr_type *t;

		if ((err = tr__ev_type_of_name(e, a, &a->tn, &t)))
			return err;
		/* (type) f(args) of a function without debug info: the
		 * cast names the return type, as gdb 13 asks. */
		if (a->a->kind == TR_AST_CALL)
			err = tr__ev_call(e, a->a, v, t);
		else
			err = eval(e, a->a, v);
		if (err)
			return err;
		return tr__ev_convert(e, a, v, t);
	}
	case TR_AST_SIZEOF_TYPE: {
		const struct tr_type *t;

		if ((err = tr__ev_type_of_name(e, a, &a->tn, &t)))
			return err;
		/* gdb gives sizeof the type int */
		return tr__ev_vint(e, v, &tr__t_int, tr__ev_strip(t)->size);
	}
	case TR_AST_SIZEOF_EXPR: {
		bool nse = e->no_side_effects;

		e->no_side_effects = true;
		err = eval(e, a->a, &x);
		e->no_side_effects = nse;
		if (err)
			return err;
		err = tr__ev_vint(e, v, &tr__t_int, tr__ev_strip(x.type)->size);
		tr_value_release(&x);
		return err;
	}
	case TR_AST_MEMBER:
	case TR_AST_ARROW: {
		const struct tr_type *t, *pt;

		if ((err = eval(e, a->a, v)))
			return err;
		t = tr__ev_strip(v->type);
		/* an array of structs is a pointer to its first, for gdb too */
		if (t->kind == TR_TYPE_ARRAY &&
		    (tr__ev_strip(t->target)->kind == TR_TYPE_STRUCT ||
		     tr__ev_strip(t->target)->kind == TR_TYPE_UNION)) {
			if ((err = tr__ev_decay(e, a, v)))
				return err;
			t = tr__ev_strip(v->type);
		}
		pt = t->kind == TR_TYPE_POINTER ? tr__ev_strip(t->target) : NULL;
		/* gdb takes p.x for p->x and s->x for s.x */
		if (pt && (pt->kind == TR_TYPE_STRUCT ||
			   pt->kind == TR_TYPE_UNION)) {
			if ((err = tr__ev_deref(e, a, v)))
				return err;
		} else if (a->kind == TR_AST_ARROW &&
			   t->kind != TR_TYPE_STRUCT &&
			   t->kind != TR_TYPE_UNION) {
			return tr__ev_fail(e, a, -TR_EINVAL, "Attempt to extract a "
				    "component of a value that is not a "
				    "structure pointer.");
		}
		return tr__ev_member(e, a, v, a->name);
	}
	case TR_AST_INDEX:
		if ((err = eval(e, a->a, &x)))
			return err;
		if ((err = eval(e, a->b, &y))) {
			tr_value_release(&x);
			return err;
		}
		if ((err = no_struct_op(e, a, "[]", &x, &y))) {
			tr_value_release(&x);
			tr_value_release(&y);
			return err;
		}
		if (tr__ev_strip(x.type)->kind == TR_TYPE_ARRAY &&
		    x.lval != TR_LVAL_MEMORY && !x.optimized_out &&
		    tr__ev_is_int(y.type)) {
			/* an element of an array that is not in memory (a
			 * member of a struct a call returned) */
			const struct tr_type *et = tr__ev_strip(x.type)->target;
			uint64_t es = tr__ev_strip(et)->size, k = tr__ev_as_u64(&y);

			tr_value_release(&y);
			if (!es || k >= x.size / es) {
				tr_value_release(&x);
				return tr__ev_fail(e, a, -TR_ERANGE, "no such vector "
					    "element");
			}
			err = tr__ev_vset(e, v, et, tr_value_cbytes(&x) + k * es, es);
			tr_value_release(&x);
			return err;
		}
		if (!(err = tr__ev_decay(e, a->a, &x)) && !(err = tr__ev_decay(e, a->b, &y)) &&
		    !(err = tr__ev_check_avail(e, a->a, &x)) &&
		    !(err = tr__ev_check_avail(e, a->b, &y))) {
			if (!tr__ev_is_ptr(x.type) && !tr__ev_is_ptr(y.type))
				err = tr__ev_fail(e, a, -TR_EINVAL, "cannot subscript "
					   "something of type `%s'",
					   tr__ev_strip(x.type)->name
						   ? tr__ev_strip(x.type)->name
						   : "?");
			else
				err = tr__ev_arith(e, a, TR_TOK_PLUS, &x, &y, v);
		}
		tr_value_release(&x);
		tr_value_release(&y);
		return err ? err : tr__ev_deref(e, a, v);
	case TR_AST_CALL:
		return tr__ev_call(e, a, v, NULL);
	case TR_AST_UNARY:
		if (a->op == TR_TOK_INC || a->op == TR_TOK_DEC)
			return incdec(e, a, v, false);
		if ((err = eval(e, a->a, v)))
			return err;
		if (a->op != TR_TOK_AMP &&
		    (err = no_struct_op(e, a, tr_tok_str(a->op), v, NULL)))
			return err;
		switch (a->op) {
		case TR_TOK_STAR:
			return tr__ev_deref(e, a, v);
		case TR_TOK_AMP: {
			const struct tr_type *p;
			uint64_t addr = v->addr;

			if (v->bit_size)
				return tr__ev_fail(e, a, -TR_EINVAL, "Attempt to take "
					    "address of value not located in "
					    "memory.");
			if (v->lval == TR_LVAL_REGISTER)
				return tr__ev_fail(e, a, -TR_EINVAL, "Address "
					    "requested for identifier \"%s\" "
					    "which is in register.",
					    a->a->name ? a->a->name : "?");
			/* an enumerator: gdb names it */
			if (v->lval == TR_LVAL_NONE &&
			    (a->a->kind == TR_AST_IDENT ||
			     a->a->kind == TR_AST_SCOPED))
				return tr__ev_fail(e, a, -TR_EINVAL, "Can't take "
					    "address of \"%s\" which isn't an "
					    "lvalue.", a->a->name);
			if (v->lval != TR_LVAL_MEMORY)
				return tr__ev_fail(e, a, -TR_EINVAL, "Attempt to take "
					    "address of value not located in "
					    "memory.");
			p = tr__ev_pointer_to(e, v->type);
			tr_value_release(v);
			if (!p)
				return tr__ev_fail(e, a, -TR_ENOMEM, "Out of memory.");
			return tr__ev_vint(e, v, p, addr);
		}
		default:
			break;
		}
		if ((err = tr__ev_decay(e, a, v)) || (err = tr__ev_check_avail(e, a->a, v)))
			return err;
		if (a->op == TR_TOK_NOT) {
			bool t;

			if (!tr__ev_is_scalar(v->type))
				return tr__ev_need_number(e, a, v);
			t = tr__ev_truth(v);
			tr_value_release(v);
			return tr__ev_vint(e, v, &tr__t_int, !t);
		}
		if ((a->op == TR_TOK_MINUS || a->op == TR_TOK_PLUS) &&
		    !tr__ev_is_arith(v->type))
			return tr__ev_fail(e, a, -TR_EINVAL, "Argument to %s "
				    "operation not a number.",
				    a->op == TR_TOK_MINUS ? "negate" : "positive");
		if (a->op == TR_TOK_TILDE && !tr__ev_is_int(v->type))
			return tr__ev_fail(e, a, -TR_EINVAL, "Argument to "
				    "complement operation not an integer, "
				    "boolean.");
		if ((err = tr__ev_need_number(e, a, v)))
			return err;
		if (a->op == TR_TOK_PLUS)
			return tr__ev_convert(e, a, v, tr__ev_promote(v->type));
		if (a->op == TR_TOK_MINUS) {
			const struct tr_type *t = tr__ev_promote(v->type);

			if (tr__ev_is_float(t)) {
				long double f = -tr__ev_as_ld(v);

				tr_value_release(v);
				return tr__ev_vfloat(e, v, t, f);
			}
			{
				uint64_t n = -tr__ev_as_u64(v);

				tr_value_release(v);
				return tr__ev_vint(e, v, t, n);
			}
		}
		if (a->op == TR_TOK_TILDE) {
			const struct tr_type *t = tr__ev_promote(v->type);
			uint64_t n;

			if (tr__ev_is_float(t))
				return tr__ev_fail(e, a, -TR_EINVAL, "Argument to "
					    "complement operation not an "
					    "integer, boolean.");
			n = ~tr__ev_as_u64(v);
			tr_value_release(v);
			return tr__ev_vint(e, v, t, n);
		}
		return tr__ev_fail(e, a, -TR_EINVAL, "Invalid unary operator.");
	case TR_AST_BINARY:
		if (a->op == TR_TOK_ANDAND || a->op == TR_TOK_OROR) {
			bool t;

			/* Short-circuit: the right side may not run. */
			if ((err = eval(e, a->a, &x)) ||
			    (err = no_struct_op(e, a, tr_tok_str(a->op), &x,
						NULL)) ||
			    (err = tr__ev_decay(e, a->a, &x)) ||
			    (err = tr__ev_check_avail(e, a->a, &x)))
				return err;
			t = tr__ev_truth(&x);
			tr_value_release(&x);
			if (t == (a->op == TR_TOK_OROR))
				return tr__ev_vint(e, v, &tr__t_int, t);
			if ((err = eval(e, a->b, &y)) ||
			    (err = no_struct_op(e, a, tr_tok_str(a->op), NULL,
						&y)) ||
			    (err = tr__ev_decay(e, a->b, &y)) ||
			    (err = tr__ev_check_avail(e, a->b, &y)))
				return err;
			t = tr__ev_truth(&y);
			tr_value_release(&y);
			return tr__ev_vint(e, v, &tr__t_int, t);
		}
		if ((err = eval(e, a->a, &x)))
			return err;
		if ((err = eval(e, a->b, &y))) {
			tr_value_release(&x);
			return err;
		}
		if (a->op == TR_TOK_AT) {
			err = repeat(e, a, &x, &y, v);
			tr_value_release(&x);
			tr_value_release(&y);
			return err;
		}
		if ((err = no_struct_op(e, a, tr_tok_str(a->op), &x, &y))) {
			tr_value_release(&x);
			tr_value_release(&y);
			return err;
		}
		if (!(err = tr__ev_decay(e, a->a, &x)) && !(err = tr__ev_decay(e, a->b, &y)) &&
		    !(err = tr__ev_check_avail(e, a->a, &x)) &&
		    !(err = tr__ev_check_avail(e, a->b, &y)))
			err = tr__ev_arith(e, a, a->op, &x, &y, v);
		tr_value_release(&x);
		tr_value_release(&y);
		return err;
	}
	return tr__ev_fail(e, a, -TR_EINVAL, "Unsupported expression.");
}

int
tr_eval(struct tr_eval_env *e, const struct tr_ast *ast, struct tr_value *out)
{
	e->err[0] = 0;
	e->errpos = 0;
	e->st->eval = eval; /* for the arguments of calls (eval_call.c) */
	return eval(e, ast, out);
}

int
tr_eval_truth(struct tr_eval_env *e, const struct tr_ast *ast, bool *t)
{
	struct tr_value v;
	int err = tr_eval(e, ast, &v);

	if (err)
		return err;
	if (!(err = tr__ev_decay(e, ast, &v)) && !(err = tr__ev_check_avail(e, ast, &v))) {
		if (!tr__ev_is_scalar(v.type))
			err = tr__ev_fail(e, ast, -TR_EINVAL, "The condition is not "
				   "a number or a pointer.");
		else
			*t = tr__ev_truth(&v);
	}
	tr_value_release(&v);
	return err;
}

static int
print_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct tr_eval_env *e = ctx;

	return e->read(e->ctx, addr, buf, len);
}

/* Names as gdb shows them after pointers: functions, and data objects of
 * static storage (not the stack, not the heap). */
static bool
print_sym(void *ctx, uint64_t addr, char *name, size_t len, uint64_t *off)
{
	struct tr_eval_env *e = ctx;

	return tr_debuginfo_addr_symbol(e->di, addr, name, len, off);
}

int
tr_eval_print_fmt(struct tr_eval_env *e, const struct tr_value *v, char fmt,
		  char *out, size_t len)
{
	struct tr_print_env pe = {
		.read = print_read,
		.sym = print_sym,
		.ctx = e,
		.format = fmt,
	};

	return tr_value_print(v, &pe, out, len);
}

int
tr_eval_print(struct tr_eval_env *e, const struct tr_value *v, char *out,
	      size_t len)
{
	return tr_eval_print_fmt(e, v, 0, out, len);
}

int
tr_eval_print_var(struct tr_eval_env *e, const struct tr_value *v, char *out,
		  size_t len)
{
	struct tr_print_env pe = {
		.read = print_read,
		.sym = print_sym,
		.ctx = e,
		.bare = true,
	};

	return tr_value_print(v, &pe, out, len);
}

bool
tr_ast_has_call(const struct tr_ast *a)
{
	if (!a)
		return false;
	if (a->kind == TR_AST_CALL)
		return true;
	if (tr_ast_has_call(a->a) || tr_ast_has_call(a->b) ||
	    tr_ast_has_call(a->c))
		return true;
	return false;
}
