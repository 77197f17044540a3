/* eval_call.c: calls injected into the target: arguments classified as the System V ABI says. */
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

/* ---- calls ---------------------------------------------------------- */

/* The psABI class of one eightbyte [lo, lo + 8) of type t at offset base. */
static enum tr_cls
eightbyte_cls(const struct tr_type *t, uint64_t base, uint64_t lo,
	      enum tr_cls c)
{
	t = tr__ev_strip(t);
	if (base + t->size <= lo || base >= lo + 8 || !t->size)
		return c;
	switch (t->kind) {
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
		for (size_t i = 0; i < t->nmembers; i++)
			c = eightbyte_cls(t->members[i].type,
					  base + t->members[i].offset, lo, c);
		return c;
	case TR_TYPE_ARRAY: {
		uint64_t es = tr__ev_strip(t->target)->size;

		for (uint64_t i = 0; es && i < t->count; i++)
			c = eightbyte_cls(t->target, base + i * es, lo, c);
		return c;
	}
	default:
		if (c == TR_CLS_MEMORY)
			return c;
		/* a long double: X87 and X87UP, which no other class of
		 * the eightbyte merges with but MEMORY */
		if (tr__ev_is_float(t) && t->size > 8)
			return c == TR_CLS_MEMORY ? c : TR_CLS_X87;
		if (c == TR_CLS_X87)
			return TR_CLS_MEMORY;
		if (tr__ev_is_float(t))
			return c == TR_CLS_INTEGER ? c : TR_CLS_SSE;
		return TR_CLS_INTEGER;
	}
}

/* Whether t holds a long double somewhere (its alignment is then 16). */
static bool
has_x87(const struct tr_type *t)
{
	t = tr__ev_strip(t);
	switch (t->kind) {
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
		for (size_t i = 0; i < t->nmembers; i++)
			if (has_x87(t->members[i].type))
				return true;
		return false;
	case TR_TYPE_ARRAY:
		return has_x87(t->target);
	default:
		return tr__ev_is_float(t) && t->size > 8;
	}
}

/*
 * The psABI classes of an argument (ret false) or a return value (ret
 * true), and the stack alignment of an argument passed in memory. A long
 * double, or an aggregate of just one (classes X87, X87UP), is returned
 * in st(0) and passed in memory; any other aggregate holding one is
 * MEMORY (psABI 3.2.3, post-merger rule b).
 */
static int
classify(const struct tr_type *type, bool ret, enum tr_cls cls[2],
	 size_t *align)
{
	const struct tr_type *t = tr__ev_strip(type);

	cls[0] = cls[1] = TR_CLS_NONE;
	if (align)
		*align = has_x87(t) ? 16 : 8;
	switch (t->kind) {
	case TR_TYPE_VOID:
		return 0;
	case TR_TYPE_STRUCT:
	case TR_TYPE_UNION:
	case TR_TYPE_ARRAY:
		if (t->size > 16) {
			cls[0] = TR_CLS_MEMORY;
			return 0;
		}
		cls[0] = eightbyte_cls(t, 0, 0, TR_CLS_NONE);
		if (cls[0] == TR_CLS_NONE)
			cls[0] = TR_CLS_SSE;
		if (t->size > 8) {
			cls[1] = eightbyte_cls(t, 0, 8, TR_CLS_NONE);
			if (cls[1] == TR_CLS_NONE)
				cls[1] = TR_CLS_SSE;
		}
		if (cls[0] == TR_CLS_X87 || cls[1] == TR_CLS_X87) {
			bool one = cls[0] == TR_CLS_X87 &&
				   cls[1] == TR_CLS_X87 && t->size == 16;

			cls[0] = ret && one ? TR_CLS_X87 : TR_CLS_MEMORY;
			cls[1] = TR_CLS_NONE;
		} else if (cls[0] == TR_CLS_MEMORY ||
			   cls[1] == TR_CLS_MEMORY) {
			cls[0] = TR_CLS_MEMORY;
			cls[1] = TR_CLS_NONE;
		}
		return 0;
	default:
		if (tr__ev_is_float(t))
			cls[0] = t->size > 8 ? (ret ? TR_CLS_X87 : TR_CLS_MEMORY)
					     : TR_CLS_SSE;
		else
			cls[0] = TR_CLS_INTEGER;
		return 0;
	}
}

/* Calls the ELF IFUNC resolver at addr: the implementation's address. */
static int
resolve_ifunc(struct tr_eval_env *e, const struct tr_ast *at, uint64_t addr,
	      uint64_t *fn)
{
	struct tr_call c = { 0 };
	int err;

	c.fn = addr;
	c.ret_cls[0] = TR_CLS_INTEGER;
	c.ret_size = 8;
	c.ret = fn;
	err = e->call(e->ctx, &c, e->err, sizeof(e->err));
	if (err) {
		e->errpos = at->pos;
		if (!e->err[0])
			tr__ev_fail(e, at, err, "Cannot resolve the GNU indirect "
			     "function: %s.", tr_strerror(err));
	}
	return err;
}

/* gdb's last words on a call that did not return, naming the function
 * as its symbol does. */
static void
abandoned(struct tr_eval_env *e, uint64_t fn)
{
	struct tr_sym s;
	uint64_t off = 0;
	size_t n = strlen(e->err);
	char name[128];

	if (tr_symtab_addr(tr_debuginfo_symtab(e->di), fn, &s, &off) == 0 &&
	    s.name && !off)
		snprintf(name, sizeof(name), "%s", s.name);
	else
		snprintf(name, sizeof(name), "at 0x%" PRIx64, fn);
	snprintf(e->err + n, sizeof(e->err) - n, "\nEvaluation of the "
		 "expression containing the function\n(%s) will be "
		 "abandoned.", name);
}

int
tr__ev_call(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *out,
     const struct tr_type *ret_override)
{
	struct tr_value fnv, args[TR_CALL_MAX_ARGS];
	const struct tr_type *ft, *rt;
	struct tr_call *c = NULL;
	size_t nargs = a->nargs, np;
	uint64_t fn;
	int err;

	memset(args, 0, sizeof(args));
	if ((err = e->st->eval(e, a->a, &fnv)))
		return err;
	ft = tr__ev_strip(fnv.type);
	if (ft->kind == TR_TYPE_POINTER &&
	    tr__ev_strip(ft->target)->kind == TR_TYPE_FUNCTION) {
		fn = tr__ev_as_u64(&fnv);
		ft = tr__ev_strip(ft->target);
	} else if (ft->kind == TR_TYPE_FUNCTION) {
		fn = fnv.addr;
	} else if (ft->kind == TR_TYPE_STRUCT || ft->kind == TR_TYPE_UNION) {
		tr_value_release(&fnv);
		return tr__ev_fail(e, a, -TR_EINVAL, "Invalid data type for "
			    "function to be called.");
	} else {
		tr_value_release(&fnv);
		return tr__ev_fail(e, a, -TR_EINVAL, "Attempt to call a value that "
			    "is not a function.");
	}
	rt = ret_override && ft == &tr__t_nodebug_fn ? ret_override : ft->target;
	np = ft->prototyped ? ft->nparams : 0;
	if (ft->prototyped && nargs < np) {
		err = tr__ev_fail(e, a, -TR_EINVAL, "Too few arguments in function "
			   "call.");
		goto out;
	}
	if (ft->prototyped && !ft->variadic && nargs > np) {
		err = tr__ev_fail(e, a, -TR_EINVAL, "Too many arguments in function "
			   "call.");
		goto out;
	}
	if (nargs > TR_CALL_MAX_ARGS) {
		err = tr__ev_fail(e, a, -TR_EINVAL, "Too many arguments (at most %d).",
			   TR_CALL_MAX_ARGS);
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = tr__ev_fail(e, a, -TR_ENOMEM, "Out of memory.");
		goto out;
	}
	/* Arguments left to right, each converted to its parameter's type
	 * (default promotions for the variadic part and unprototyped
	 * callees). */
	for (size_t i = 0; i < nargs; i++) {
		struct tr_value *v = &args[i];
		const struct tr_type *pt = i < np ? ft->params[i] : NULL;

		if ((err = e->st->eval(e, a->args[i], v)))
			goto out;
		if (v->lval == TR_LVAL_INTERNAL &&
		    tr__ev_strip(v->type)->kind == TR_TYPE_ARRAY) {
			c->args[i].bytes = tr_value_cbytes(v);
			c->args[i].size = v->size;
			c->args[i].cls[0] = TR_CLS_BLOB;
			continue;
		}
		if ((err = tr__ev_decay(e, a->args[i], v)) ||
		    (err = tr__ev_check_avail(e, a->args[i], v)))
			goto out;
		if (!pt && tr__ev_is_float(v->type) && tr__ev_strip(v->type)->size == 4)
			pt = &tr__t_double;
		else if (!pt && tr__ev_is_int(v->type))
			pt = tr__ev_promote(v->type);
		if (pt && tr__ev_is_scalar(pt) && (err = tr__ev_convert(e, a->args[i], v,
							  pt)))
			goto out;
		if (pt && !tr__ev_is_scalar(pt) && tr__ev_strip(pt) != tr__ev_strip(v->type) &&
		    tr__ev_strip(pt)->size != tr__ev_strip(v->type)->size) {
			err = tr__ev_fail(e, a->args[i], -TR_EINVAL, "Cannot convert "
				   "argument %zu to the parameter's type.",
				   i + 1);
			goto out;
		}
		if (v->lazy) {
			err = tr__ev_fail(e, a->args[i], -TR_ERANGE, "Argument too "
				   "large.");
			goto out;
		}
		classify(v->type, false, c->args[i].cls, &c->args[i].align);
		c->args[i].bytes = tr_value_cbytes(v);
		c->args[i].size = v->size;
	}
	classify(rt, true, c->ret_cls, NULL);
	c->nargs = nargs;
	c->ret_size = tr__ev_strip(rt)->size;
	if (e->no_side_effects || !e->call) {
		if (!e->call && !e->no_side_effects) {
			e->needs_call = true;
			err = tr__ev_fail(e, a, -TR_ENOTSUP, "Function calls are not "
				   "allowed here.");
			goto out;
		}
		tr__ev_vzero(out, rt);
		err = tr__ev_strip(rt)->kind == TR_TYPE_VOID
			      ? 0 : tr_value_alloc(out, c->ret_size);
		goto out;
	}
	if (fnv.bit_size && (err = resolve_ifunc(e, a, fn, &fn)))
		goto out;
	c->fn = fn;
	tr__ev_vzero(out, rt);
	if (c->ret_size && (err = tr_value_alloc(out, c->ret_size)))
		goto out;
	c->ret = c->ret_size ? tr_value_bytes(out) : NULL;
	e->err[0] = 0;
	err = e->call(e->ctx, c, e->err, sizeof(e->err));
	if (err) {
		tr_value_release(out);
		e->errpos = a->pos;
		if (!e->err[0])
			tr__ev_fail(e, a, err, "The call failed: %s.",
			     tr_strerror(err));
		else if (err == -TR_ECALL || err == -TR_ETIMEDOUT ||
			 err == -TR_EGONE)
			abandoned(e, fn);
	}
out:
	for (size_t i = 0; i < nargs && i < TR_CALL_MAX_ARGS; i++)
		tr_value_release(&args[i]);
	tr_value_release(&fnv);
	free(c);
	return err;
}
