/* eval_values.c: the values an evaluation makes: built-in types, its memory, its errors, scalar conversions. */
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

/* ---- built-in types ------------------------------------------------- */

#define BASE(id, nm, sz, enc)                                              \
	const struct tr_type id = { .kind = TR_TYPE_BASE, .name = nm,  \
					   .size = sz, .encoding = enc }
BASE(tr__t_bool, "_Bool", 1, TR_ENC_BOOLEAN);
BASE(tr__t_char, "char", 1, TR_ENC_SIGNED_CHAR);
BASE(tr__t_schar, "signed char", 1, TR_ENC_SIGNED_CHAR);
BASE(tr__t_uchar, "unsigned char", 1, TR_ENC_UNSIGNED_CHAR);
BASE(tr__t_short, "short", 2, TR_ENC_SIGNED);
BASE(tr__t_ushort, "unsigned short", 2, TR_ENC_UNSIGNED);
BASE(tr__t_int, "int", 4, TR_ENC_SIGNED);
BASE(tr__t_uint, "unsigned int", 4, TR_ENC_UNSIGNED);
BASE(tr__t_long, "long", 8, TR_ENC_SIGNED);
BASE(tr__t_ulong, "unsigned long", 8, TR_ENC_UNSIGNED);
BASE(tr__t_llong, "long long", 8, TR_ENC_SIGNED);
BASE(tr__t_ullong, "unsigned long long", 8, TR_ENC_UNSIGNED);
BASE(tr__t_float, "float", 4, TR_ENC_FLOAT);
BASE(tr__t_double, "double", 8, TR_ENC_FLOAT);
BASE(tr__t_ldouble, "long double", 16, TR_ENC_FLOAT);
#undef BASE
const struct tr_type tr__t_void = { .kind = TR_TYPE_VOID, .name = "void" };
const struct tr_type tr__t_voidp = { .kind = TR_TYPE_POINTER, .size = 8,
					.target = &tr__t_void };
/* The wide character types when the program's DWARF has none: the
 * typedefs of glibc on x86-64 (wchar_t is int, char16_t and char32_t
 * uint_least16_t and uint_least32_t). */
const struct tr_type tr__t_wchar = { .kind = TR_TYPE_TYPEDEF,
				     .name = "wchar_t", .size = 4,
				     .target = &tr__t_int };
const struct tr_type tr__t_char16 = { .kind = TR_TYPE_TYPEDEF,
				      .name = "char16_t", .size = 2,
				      .target = &tr__t_ushort };
const struct tr_type tr__t_char32 = { .kind = TR_TYPE_TYPEDEF,
				      .name = "char32_t", .size = 4,
				      .target = &tr__t_uint };
/* $pc's type, as gdb's: void (*)() */
static const struct tr_type t_code = { .kind = TR_TYPE_FUNCTION,
				       .target = &tr__t_void };
const struct tr_type tr__t_codep = { .kind = TR_TYPE_POINTER, .size = 8,
					.target = &t_code };

/* ---- errors and memory ---------------------------------------------- */

int
tr__ev_fail(struct tr_eval_env *e, const struct tr_ast *at, int code,
     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	e->errpos = at ? at->pos : 0;
	return code;
}

static void *
ealloc(struct tr_eval_env *e, size_t size)
{
	struct blk *b = calloc(1, sizeof(*b) + size);

	if (!b)
		return NULL;
	b->next = e->st->blocks;
	e->st->blocks = b;
	return b->data;
}

const struct tr_type *
tr__ev_pointer_to(struct tr_eval_env *e, const struct tr_type *t)
{
	struct tr_type *p = ealloc(e, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = TR_TYPE_POINTER;
	p->size = 8;
	p->target = t;
	return p;
}

const struct tr_type *
tr__ev_array_of(struct tr_eval_env *e, const struct tr_type *t, uint64_t n)
{
	struct tr_type *p = ealloc(e, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = TR_TYPE_ARRAY;
	p->target = t;
	p->count = n;
	p->count_known = true;
	p->size = n * tr_type_strip(t)->size;
	return p;
}

/* t qualified const (TR_TYPE_CONST) or volatile (TR_TYPE_VOLATILE). */
const struct tr_type *
tr__ev_qualified(struct tr_eval_env *e, const struct tr_type *t,
		 enum tr_type_kind kind)
{
	struct tr_type *q = ealloc(e, sizeof(*q));

	if (!q)
		return NULL;
	q->kind = kind;
	q->target = t;
	q->size = tr_type_strip(t)->size;
	return q;
}

/* A function type returning ret, with n parameters (copied). */
const struct tr_type *
tr__ev_function(struct tr_eval_env *e, const struct tr_type *ret,
		const struct tr_type *const *params, size_t n,
		bool prototyped, bool variadic)
{
	struct tr_type *f = ealloc(e, sizeof(*f));
	const struct tr_type **pv = n ? ealloc(e, n * sizeof(*pv)) : NULL;

	if (!f || (n && !pv))
		return NULL;
	for (size_t i = 0; i < n; i++)
		pv[i] = params[i];
	f->kind = TR_TYPE_FUNCTION;
	f->target = ret;
	f->params = pv;
	f->nparams = n;
	f->prototyped = prototyped;
	f->variadic = variadic;
	return f;
}

int
tr__ev_mem_fail(struct tr_eval_env *e, const struct tr_ast *at, uint64_t addr)
{
	return tr__ev_fail(e, at, -TR_EFAULT, "Cannot access memory at address 0x%"
		    PRIx64, addr);
}

/* ---- values --------------------------------------------------------- */

const struct tr_type *
tr__ev_strip(const struct tr_type *t)
{
	return tr_type_strip(t);
}

bool
tr__ev_is_int(const struct tr_type *t)
{
	t = tr__ev_strip(t);
	return (t->kind == TR_TYPE_BASE && t->encoding != TR_ENC_FLOAT &&
		t->encoding != TR_ENC_COMPLEX_FLOAT) || t->kind == TR_TYPE_ENUM;
}

bool
tr__ev_is_float(const struct tr_type *t)
{
	t = tr__ev_strip(t);
	return t->kind == TR_TYPE_BASE && t->encoding == TR_ENC_FLOAT;
}

bool
tr__ev_is_ptr(const struct tr_type *t)
{
	return tr__ev_strip(t)->kind == TR_TYPE_POINTER;
}

bool
tr__ev_is_arith(const struct tr_type *t)
{
	return tr__ev_is_int(t) || tr__ev_is_float(t);
}

bool
tr__ev_is_scalar(const struct tr_type *t)
{
	return tr__ev_is_arith(t) || tr__ev_is_ptr(t);
}

bool
tr__ev_is_signed(const struct tr_type *t)
{
	return tr_type_is_signed(tr__ev_strip(t));
}

void
tr__ev_vzero(struct tr_value *v, const struct tr_type *t)
{
	memset(v, 0, sizeof(*v));
	v->type = t;
}

int
tr__ev_vset(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
     const void *bytes, size_t n)
{
	tr__ev_vzero(v, t);
	if (tr_value_alloc(v, n) < 0)
		return tr__ev_fail(e, NULL, -TR_ENOMEM, "Out of memory.");
	if (bytes)
		memcpy(tr_value_bytes(v), bytes, n);
	return 0;
}

int
tr__ev_vint(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
     uint64_t x)
{
	size_t n = tr__ev_strip(t)->size;

	if (n > 8 || n == 0)
		n = 8;
	return tr__ev_vset(e, v, t, &x, n);
}

int
tr__ev_vfloat(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
       long double x)
{
	size_t n = tr__ev_strip(t)->size;

	if (n == 4) {
		float f = (float)x;

		return tr__ev_vset(e, v, t, &f, 4);
	}
	if (n == 8) {
		double d = (double)x;

		return tr__ev_vset(e, v, t, &d, 8);
	}
	return tr__ev_vset(e, v, t, &x, sizeof(x));
}

int64_t
tr__ev_sext(uint64_t v, size_t size)
{
	if (size >= 8 || size == 0)
		return (int64_t)v;
	return (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
}

/* A scalar's bits as a 64-bit integer, sign-extended per its type. */
uint64_t
tr__ev_as_u64(const struct tr_value *v)
{
	const struct tr_type *t = tr__ev_strip(v->type);
	uint64_t x = 0;
	size_t n = v->size < 8 ? v->size : 8;

	if (tr__ev_is_float(t)) {
		long double f = 0;

		if (t->size == 4) {
			float g;

			memcpy(&g, tr_value_cbytes(v), 4);
			f = g;
		} else if (t->size == 8) {
			double g;

			memcpy(&g, tr_value_cbytes(v), 8);
			f = g;
		} else {
			memcpy(&f, tr_value_cbytes(v), 10);
		}
		return f < 0 ? (uint64_t)(int64_t)f : (uint64_t)f;
	}
	memcpy(&x, tr_value_cbytes(v), n);
	if (t->kind == TR_TYPE_BASE && t->encoding == TR_ENC_BOOLEAN)
		return x != 0;
	return tr__ev_is_signed(t) ? (uint64_t)tr__ev_sext(x, n) : x;
}

long double
tr__ev_as_ld(const struct tr_value *v)
{
	const struct tr_type *t = tr__ev_strip(v->type);

	if (tr__ev_is_float(t)) {
		if (t->size == 4) {
			float g;

			memcpy(&g, tr_value_cbytes(v), 4);
			return g;
		}
		if (t->size == 8) {
			double g;

			memcpy(&g, tr_value_cbytes(v), 8);
			return g;
		}
		long double g = 0;

		memcpy(&g, tr_value_cbytes(v), 10);
		return g;
	}
	if (tr__ev_is_signed(t))
		return (long double)(int64_t)tr__ev_as_u64(v);
	return (long double)tr__ev_as_u64(v);
}

/* Read the bytes of a memory lvalue (lazy when huge). */
int
tr__ev_load(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
     const struct tr_type *t, uint64_t addr)
{
	size_t n = tr__ev_strip(t)->size;
	int err;

	tr__ev_vzero(v, t);
	v->lval = TR_LVAL_MEMORY;
	v->addr = addr;
	if (tr__ev_strip(t)->kind == TR_TYPE_FUNCTION || n == 0)
		return 0;
	if (n > EAGER_MAX) {
		v->lazy = true;
		return 0;
	}
	if (tr_value_alloc(v, n) < 0)
		return tr__ev_fail(e, at, -TR_ENOMEM, "Out of memory.");
	if (e->no_side_effects && !e->read)
		return 0;
	err = e->read(e->ctx, addr, tr_value_bytes(v), n);
	if (err) {
		tr_value_release(v);
		if (e->no_side_effects)
			return tr_value_alloc(v, n) < 0 ? -TR_ENOMEM : 0;
		return tr__ev_mem_fail(e, at, addr);
	}
	return 0;
}
