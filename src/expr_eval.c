/* expr_eval.c: evaluating parsed C expressions against a stopped thread, with calls injected into the target. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "dwarf_index.h"
#include "error.h"
#include "expr_eval.h"
#include "scope.h"
#include "symtab.h"

/* Values bigger than this are left lazy: the printer reads what it shows. */
#define EAGER_MAX (1u << 20)
#define MAX_FRAMES 64

/* Every allocation of an evaluation, freed together. */
struct blk {
	struct blk *next;
	max_align_t data[];
};

struct tr_eval_state {
	struct blk *blocks;
	struct tr_frame frames[MAX_FRAMES];
	size_t nframes;
	struct tr_loc_unwound acc;
	struct tr_loc_frame lf;
	bool have_frame;
	uint64_t pc;                 /* lookup pc of the frame (run-time) */
	const struct tr_module *mod; /* its module */
	struct tr_dwarf *dw;         /* its DWARF, or NULL */
	struct tr_scope *scope;      /* its scope, or NULL */
};

/* ---- built-in types ------------------------------------------------- */

#define BASE(id, nm, sz, enc)                                              \
	static const struct tr_type id = { .kind = TR_TYPE_BASE, .name = nm,  \
					   .size = sz, .encoding = enc }
BASE(t_bool, "_Bool", 1, TR_ENC_BOOLEAN);
BASE(t_char, "char", 1, TR_ENC_SIGNED_CHAR);
BASE(t_schar, "signed char", 1, TR_ENC_SIGNED_CHAR);
BASE(t_uchar, "unsigned char", 1, TR_ENC_UNSIGNED_CHAR);
BASE(t_short, "short", 2, TR_ENC_SIGNED);
BASE(t_ushort, "unsigned short", 2, TR_ENC_UNSIGNED);
BASE(t_int, "int", 4, TR_ENC_SIGNED);
BASE(t_uint, "unsigned int", 4, TR_ENC_UNSIGNED);
BASE(t_long, "long", 8, TR_ENC_SIGNED);
BASE(t_ulong, "unsigned long", 8, TR_ENC_UNSIGNED);
BASE(t_llong, "long long", 8, TR_ENC_SIGNED);
BASE(t_ullong, "unsigned long long", 8, TR_ENC_UNSIGNED);
BASE(t_float, "float", 4, TR_ENC_FLOAT);
BASE(t_double, "double", 8, TR_ENC_FLOAT);
BASE(t_ldouble, "long double", 16, TR_ENC_FLOAT);
#undef BASE
static const struct tr_type t_void = { .kind = TR_TYPE_VOID, .name = "void" };
static const struct tr_type t_voidp = { .kind = TR_TYPE_POINTER, .size = 8,
					.target = &t_void };
/* $pc's type, as gdb's: void (*)() */
static const struct tr_type t_code = { .kind = TR_TYPE_FUNCTION,
				       .target = &t_void };
static const struct tr_type t_codep = { .kind = TR_TYPE_POINTER, .size = 8,
					.target = &t_code };

/* ---- errors and memory ---------------------------------------------- */

static int
fail(struct tr_eval_env *e, const struct tr_ast *at, int code,
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

static const struct tr_type *
pointer_to(struct tr_eval_env *e, const struct tr_type *t)
{
	struct tr_type *p = ealloc(e, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = TR_TYPE_POINTER;
	p->size = 8;
	p->target = t;
	return p;
}

static const struct tr_type *
array_of(struct tr_eval_env *e, const struct tr_type *t, uint64_t n)
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

static int
mem_fail(struct tr_eval_env *e, const struct tr_ast *at, uint64_t addr)
{
	return fail(e, at, -TR_EFAULT, "Cannot access memory at address 0x%"
		    PRIx64, addr);
}

/* ---- values --------------------------------------------------------- */

static const struct tr_type *
strip(const struct tr_type *t)
{
	return tr_type_strip(t);
}

static bool
is_int(const struct tr_type *t)
{
	t = strip(t);
	return (t->kind == TR_TYPE_BASE && t->encoding != TR_ENC_FLOAT &&
		t->encoding != TR_ENC_COMPLEX_FLOAT) || t->kind == TR_TYPE_ENUM;
}

static bool
is_float(const struct tr_type *t)
{
	t = strip(t);
	return t->kind == TR_TYPE_BASE && t->encoding == TR_ENC_FLOAT;
}

static bool
is_ptr(const struct tr_type *t)
{
	return strip(t)->kind == TR_TYPE_POINTER;
}

static bool
is_arith(const struct tr_type *t)
{
	return is_int(t) || is_float(t);
}

static bool
is_scalar(const struct tr_type *t)
{
	return is_arith(t) || is_ptr(t);
}

static bool
is_signed(const struct tr_type *t)
{
	return tr_type_is_signed(strip(t));
}

static void
vzero(struct tr_value *v, const struct tr_type *t)
{
	memset(v, 0, sizeof(*v));
	v->type = t;
}

static int
vset(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
     const void *bytes, size_t n)
{
	vzero(v, t);
	if (tr_value_alloc(v, n) < 0)
		return fail(e, NULL, -TR_ENOMEM, "Out of memory.");
	if (bytes)
		memcpy(tr_value_bytes(v), bytes, n);
	return 0;
}

static int
vint(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
     uint64_t x)
{
	size_t n = strip(t)->size;

	if (n > 8 || n == 0)
		n = 8;
	return vset(e, v, t, &x, n);
}

static int
vfloat(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t,
       long double x)
{
	size_t n = strip(t)->size;

	if (n == 4) {
		float f = (float)x;

		return vset(e, v, t, &f, 4);
	}
	if (n == 8) {
		double d = (double)x;

		return vset(e, v, t, &d, 8);
	}
	return vset(e, v, t, &x, sizeof(x));
}

static int64_t
sext(uint64_t v, size_t size)
{
	if (size >= 8 || size == 0)
		return (int64_t)v;
	return (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
}

/* A scalar's bits as a 64-bit integer, sign-extended per its type. */
static uint64_t
as_u64(const struct tr_value *v)
{
	const struct tr_type *t = strip(v->type);
	uint64_t x = 0;
	size_t n = v->size < 8 ? v->size : 8;

	if (is_float(t)) {
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
	return is_signed(t) ? (uint64_t)sext(x, n) : x;
}

static long double
as_ld(const struct tr_value *v)
{
	const struct tr_type *t = strip(v->type);

	if (is_float(t)) {
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
	if (is_signed(t))
		return (long double)(int64_t)as_u64(v);
	return (long double)as_u64(v);
}

/* Read the bytes of a memory lvalue (lazy when huge). */
static int
load(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
     const struct tr_type *t, uint64_t addr)
{
	size_t n = strip(t)->size;
	int err;

	vzero(v, t);
	v->lval = TR_LVAL_MEMORY;
	v->addr = addr;
	if (strip(t)->kind == TR_TYPE_FUNCTION || n == 0)
		return 0;
	if (n > EAGER_MAX) {
		v->lazy = true;
		return 0;
	}
	if (tr_value_alloc(v, n) < 0)
		return fail(e, at, -TR_ENOMEM, "Out of memory.");
	if (e->no_side_effects && !e->read)
		return 0;
	err = e->read(e->ctx, addr, tr_value_bytes(v), n);
	if (err) {
		tr_value_release(v);
		if (e->no_side_effects)
			return tr_value_alloc(v, n) < 0 ? -TR_ENOMEM : 0;
		return mem_fail(e, at, addr);
	}
	return 0;
}

/* ---- frames, scopes and names --------------------------------------- */

int
tr_eval_env_init(struct tr_eval_env *e)
{
	struct tr_eval_state *st = calloc(1, sizeof(*st));
	struct tr_symtab *sym;
	const struct tr_frame *f;
	int err;

	e->err[0] = 0;
	e->errpos = 0;
	e->needs_call = false;
	if (!st)
		return -TR_ENOMEM;
	e->st = st;
	if (!e->have_regs) {
		if (e->frame)
			return fail(e, NULL, -TR_ERUNNING,
				    "The thread is running: no frame.");
		return 0;
	}
	sym = tr_debuginfo_symtab(e->di);
	if (e->frame && e->unw) {
		err = tr_backtrace(e->unw, &e->regs.gp, e->read, e->ctx,
				   st->frames, MAX_FRAMES, &st->nframes);
		if ((err < 0 && err != -TR_ERANGE && !st->nframes) ||
		    e->frame >= st->nframes)
			return fail(e, NULL, -TR_ERANGE,
				    "No frame at level %u.", e->frame);
	} else if (e->frame) {
		return fail(e, NULL, -TR_ERANGE, "No frame at level %u.",
			    e->frame);
	} else {
		struct tr_frame caller;

		tr_unwind_frame_from_regs(&e->regs.gp, &st->frames[0]);
		st->nframes = 1;
		/* One step up gives frame 0 its CFA (DW_OP_call_frame_cfa,
		 * the frame base of gcc's functions). */
		if (e->unw)
			tr_unwind_step(e->unw, &st->frames[0], e->read, e->ctx,
				       &caller);
	}
	f = &st->frames[e->frame];
	st->acc.frame = f;
	st->acc.regs = e->frame == 0 ? &e->regs : NULL;
	st->pc = tr_unwind_lookup_pc(f);
	st->mod = tr_symtab_module_at(sym, st->pc);
	st->dw = st->mod ? tr_debuginfo_dwarf(e->di, st->mod) : NULL;
	tr_loc_frame_unwound(&st->lf, &st->acc, st->mod ? st->mod->bias : 0,
			     e->read, e->ctx);
	st->have_frame = true;
	e->has_dwarf = st->dw != NULL;
	if (st->dw && tr_scope_at(st->dw, st->pc - st->mod->bias,
				  &st->scope) < 0)
		st->scope = NULL;
	return 0;
}

void
tr_eval_env_done(struct tr_eval_env *e)
{
	struct tr_eval_state *st = e->st;

	if (!st)
		return;
	if (st->scope)
		tr_scope_free(st->scope);
	while (st->blocks) {
		struct blk *b = st->blocks;

		st->blocks = b->next;
		free(b);
	}
	free(st);
	e->st = NULL;
}

/* A DWARF location made into a value. */
static int
from_loc(struct tr_eval_env *e, const struct tr_ast *at,
	 const struct tr_scope *sc, const struct tr_var *var,
	 const struct tr_loc_frame *lf, struct tr_value *v)
{
	struct tr_loc loc;
	const struct tr_type *t = var->type;
	size_t n = strip(t)->size;
	int err;

	err = tr_scope_var_loc(sc, var, lf, &loc);
	if (err < 0 && err != -TR_ENOENT)
		return fail(e, at, err, "Cannot find the location of \"%s\": "
			    "%s.", var->name, tr_strerror(err));
	if (err == -TR_ENOENT || loc.kind == TR_LOC_OPTIMIZED) {
		vzero(v, t);
		v->optimized_out = true;
		return 0;
	}
	if (loc.kind == TR_LOC_MEMORY)
		return load(e, at, v, t, loc.pieces[0].addr);
	if (n > EAGER_MAX)
		return fail(e, at, -TR_ERANGE, "Value too large.");
	vzero(v, t);
	if (tr_value_alloc(v, n) < 0)
		return fail(e, at, -TR_ENOMEM, "Out of memory.");
	err = tr_loc_read(&loc, lf, tr_value_bytes(v), n, NULL);
	if (err == -TR_ENOENT) {
		v->optimized_out = true;
		return 0;
	}
	if (err == -TR_EFAULT)
		return mem_fail(e, at, loc.pieces[0].addr);
	if (err)
		return fail(e, at, err, "Cannot read \"%s\": %s.", var->name,
			    tr_strerror(err));
	if (loc.kind == TR_LOC_REGISTER && e->frame == 0) {
		v->lval = TR_LVAL_REGISTER;
		v->reg = loc.pieces[0].reg;
	}
	return 0;
}

/* A function with DWARF in module m, or false. */
static bool
dwarf_func(struct tr_eval_env *e, const struct tr_module *m,
	   const char *name, struct tr_value *v)
{
	struct tr_dwarf *dw = tr_debuginfo_dwarf(e->di, m);
	const struct tr_dw_entry *ent[4];
	const struct tr_type *ft;
	size_t n = 0;

	if (!dw || tr_dwarf_lookup(dw, name, TR_DW_FUNC, ent, 4, &n) < 0)
		return false;
	for (size_t i = 0; i < n && i < 4; i++) {
		if (ent[i]->declaration || !ent[i]->lowpc)
			continue;
		if (tr_dwarf_type_get(dw, ent[i]->die, &ft) < 0)
			continue;
		vzero(v, ft);
		v->lval = TR_LVAL_MEMORY;
		v->addr = ent[i]->lowpc + m->bias;
		return true;
	}
	return false;
}

/* A function type "int ()" for functions without debug info: calls
 * return int, as gdb before 8 assumed (a cast of the call picks another
 * return type). */
static const struct tr_type t_nodebug_fn = { .kind = TR_TYPE_FUNCTION,
					     .target = &t_int };

/* A variable of `dw` by its index entry: its type and location come from
 * the scope of a function of its unit (which lists the unit's statics). */
static int
var_by_entry(struct tr_eval_env *e, const struct tr_ast *at,
	     struct tr_dwarf *dw, uint64_t bias, const struct tr_dw_entry *ve,
	     struct tr_value *v)
{
	struct tr_eval_state *st = e->st;
	size_t nf = tr_dwarf_nfuncs(dw);
	struct tr_loc_frame lf = st->lf;

	/* a static's address is relative to its own module */
	lf.bias = bias;

	if (st->scope && st->scope->dwarf == dw)
		for (size_t i = 0; i < st->scope->nvars; i++)
			if (st->scope->vars[i].die == ve->die)
				return from_loc(e, at, st->scope,
						&st->scope->vars[i], &st->lf,
						v);
	for (size_t f = 0; f < nf; f++) {
		const struct tr_dw_entry *fe = tr_dwarf_func(dw, f);
		struct tr_scope *sc;
		int err = -TR_ENOENT;

		if (fe->cu != ve->cu || !fe->lowpc ||
		    tr_scope_at(dw, fe->lowpc, &sc) < 0)
			continue;
		for (size_t i = 0; i < sc->nvars; i++)
			if (sc->vars[i].die == ve->die) {
				err = from_loc(e, at, sc, &sc->vars[i], &lf,
					       v);
				break;
			}
		tr_scope_free(sc);
		return err;
	}
	return -TR_ENOENT;
}

static int
lookup_name(struct tr_eval_env *e, const struct tr_ast *at, const char *name,
	    const char *scope, struct tr_value *v)
{
	struct tr_eval_state *st = e->st;
	struct tr_symtab *sym = tr_debuginfo_symtab(e->di);
	struct tr_var var;
	struct tr_sym s;
	size_t nm;

	if (scope && st->dw) {
		/* function::name: a static (or any local) of that function,
		 * at its entry; file.c::name: that unit's static. */
		const struct tr_dw_entry *fn[1];
		struct tr_scope *fsc = NULL;
		size_t n = 0;
		char q[512];

		if (tr_dwarf_lookup(st->dw, scope, TR_DW_FUNC, fn, 1, &n) == 0 &&
		    n && fn[0]->lowpc &&
		    tr_scope_at(st->dw, fn[0]->lowpc, &fsc) == 0) {
			int err = -TR_ENOENT;
			struct tr_loc_frame lf = st->lf;
			struct tr_loc_unwound acc = st->acc;

			/* Its locals are those of its innermost frame on the
			 * stack, as gdb reads them. */
			if (st->nframes < 2 && e->unw && e->have_regs) {
				size_t nf = 0;

				tr_backtrace(e->unw, &e->regs.gp, e->read,
					     e->ctx, st->frames, MAX_FRAMES,
					     &nf);
				if (nf > st->nframes)
					st->nframes = nf;
				st->acc.frame = &st->frames[e->frame];
				acc = st->acc;
			}
			for (size_t k = 0; k < st->nframes; k++) {
				uint64_t pc = tr_unwind_lookup_pc(
					&st->frames[k]) - st->mod->bias;

				if (pc >= fn[0]->lowpc && pc < fn[0]->highpc) {
					acc.frame = &st->frames[k];
					acc.regs = k == 0 ? &e->regs : NULL;
					tr_loc_frame_unwound(&lf, &acc,
							     st->mod->bias,
							     e->read, e->ctx);
					break;
				}
			}
			for (size_t i = 0; i < fsc->nvars; i++)
				if (!strcmp(fsc->vars[i].name, name)) {
					err = from_loc(e, at, fsc,
						       &fsc->vars[i], &lf, v);
					break;
				}
			tr_scope_free(fsc);
			if (err != -TR_ENOENT)
				return err;
		}
		snprintf(q, sizeof(q), "%s::%s", scope, name);
		{
			const struct tr_dw_entry *ve[1];

			n = 0;
			if (tr_dwarf_lookup(st->dw, q, TR_DW_VAR, ve, 1, &n) ==
				    0 && n) {
				int err = var_by_entry(e, at, st->dw,
						       st->mod->bias, ve[0], v);

				if (err != -TR_ENOENT)
					return err;
			}
		}
		return fail(e, at, -TR_ENOENT,
			    "No symbol \"%s\" in %s.", name, scope);
	}
	if (st->scope && tr_scope_lookup(st->scope, name, &var) == 0)
		return from_loc(e, at, st->scope, &var, &st->lf, v);
	/* Functions: this module's DWARF, then every module's. */
	if (st->mod && dwarf_func(e, st->mod, name, v))
		return 0;
	nm = tr_symtab_nmodules(sym);
	for (size_t i = 0; i < nm; i++) {
		const struct tr_module *m = tr_symtab_module(sym, i);

		if (m != st->mod && dwarf_func(e, m, name, v))
			return 0;
	}
	/* Variables with DWARF anywhere (the target may be stopped where
	 * there is no scope: in the dynamic linker, in libc). */
	for (size_t i = 0; i < nm; i++) {
		struct tr_dwarf *dw =
			tr_debuginfo_dwarf(e->di, tr_symtab_module(sym, i));
		const struct tr_dw_entry *ve[1];
		size_t n = 0;

		if (dw && tr_dwarf_lookup(dw, name, TR_DW_VAR, ve, 1, &n) == 0 &&
		    n && !ve[0]->declaration) {
			int err = var_by_entry(
				e, at, dw, tr_symtab_module(sym, i)->bias,
				ve[0], v);

			if (err != -TR_ENOENT)
				return err;
		}
	}
	if (tr_symtab_lookup(sym, name, &s) == 0) {
		if (s.kind == TR_SYM_FUNC || s.kind == TR_SYM_IFUNC) {
			vzero(v, &t_nodebug_fn);
			v->lval = TR_LVAL_MEMORY;
			v->addr = s.addr;
			/* bit_size on a function value: an IFUNC */
			v->bit_size = s.kind == TR_SYM_IFUNC;
			return 0;
		}
		if (s.kind == TR_SYM_OBJECT) /* data without debug info */
			return load(e, at, v, &t_int, s.addr);
	}
	return fail(e, at, -TR_ENOENT, "No symbol \"%s\" in current context.",
		    name);
}

bool
tr_eval_is_type(void *ctx, const char *name)
{
	struct tr_eval_env *e = ctx;
	const struct tr_type *t;

	if (!e->st || !e->st->dw)
		return false;
	if (e->st->scope) {
		struct tr_var v;

		/* A variable of that name hides the typedef, as in C. */
		if (tr_scope_lookup(e->st->scope, name, &v) == 0)
			return false;
	}
	return tr_dwarf_type_lookup(e->st->dw, name, &t) == 0 &&
	       t->kind == TR_TYPE_TYPEDEF;
}

/* C allows the words of a base type in any order ("int unsigned", "long
 * int long"): the base type they name, or NULL. */
static const struct tr_type *
builtin_words(const char *base)
{
	int n_long = 0, n_short = 0, n_char = 0, n_int = 0, n_uns = 0;
	int n_sig = 0, n_dbl = 0, n_flt = 0, n_bool = 0, n_void = 0;
	const char *p = base;

	while (*p) {
		size_t k = strcspn(p, " ");

#define W(s) (k == sizeof(s) - 1 && !strncmp(p, s, k))
		if (W("long")) n_long++;
		else if (W("short")) n_short++;
		else if (W("char")) n_char++;
		else if (W("int")) n_int++;
		else if (W("unsigned")) n_uns++;
		else if (W("signed")) n_sig++;
		else if (W("double")) n_dbl++;
		else if (W("float")) n_flt++;
		else if (W("_Bool")) n_bool++;
		else if (W("void")) n_void++;
		else return NULL;
#undef W
		p += k;
		while (*p == ' ')
			p++;
	}
	if (n_void)
		return &t_void;
	if (n_bool)
		return &t_bool;
	if (n_flt)
		return &t_float;
	if (n_dbl)
		return n_long ? &t_ldouble : &t_double;
	if (n_char)
		return n_uns ? &t_uchar : n_sig ? &t_schar : &t_char;
	if (n_short)
		return n_uns ? &t_ushort : &t_short;
	if (n_long >= 2)
		return n_uns ? &t_ullong : &t_llong;
	if (n_long)
		return n_uns ? &t_ulong : &t_long;
	return n_uns ? &t_uint : &t_int;
}

static int
type_of_name(struct tr_eval_env *e, const struct tr_ast *at,
	     const struct tr_typename *tn, const struct tr_type **out)
{
	const struct tr_type *t = builtin_words(tn->base);
	if (!t && e->st->dw && tr_dwarf_type_lookup(e->st->dw, tn->base, &t))
		t = NULL;
	if (!t) {
		struct tr_symtab *sym = tr_debuginfo_symtab(e->di);

		for (size_t i = 0; !t && i < tr_symtab_nmodules(sym); i++) {
			const struct tr_module *m = tr_symtab_module(sym, i);
			struct tr_dwarf *dw = tr_debuginfo_dwarf(e->di, m);

			if (dw && dw != e->st->dw &&
			    tr_dwarf_type_lookup(dw, tn->base, &t))
				t = NULL;
		}
	}
	if (!t && !strncmp(tn->base, "struct ", 7))
		return fail(e, at, -TR_ENOENT, "No struct type named %s.",
			    tn->base + 7);
	if (!t && !strncmp(tn->base, "union ", 6))
		return fail(e, at, -TR_ENOENT, "No union type named %s.",
			    tn->base + 6);
	if (!t && !strncmp(tn->base, "enum ", 5))
		return fail(e, at, -TR_ENOENT, "No enum type named %s.",
			    tn->base + 5);
	if (!t)
		return fail(e, at, -TR_ENOENT, "No symbol \"%s\" in current "
			    "context.", tn->base);
	for (unsigned i = 0; i < tn->nptr && t; i++)
		t = pointer_to(e, t);
	if (t && tn->array_len)
		t = array_of(e, t, tn->array_len);
	if (!t)
		return fail(e, at, -TR_ENOMEM, "Out of memory.");
	*out = t;
	return 0;
}

/* ---- registers ------------------------------------------------------ */

static const struct {
	const char *name;
	unsigned ureg;  /* enum tr_ureg, or 99: rip, 98: eflags */
	unsigned size;  /* 8, or 4 for $eax and friends */
} reg_names[] = {
	{ "rax", TR_UREG_RAX, 8 }, { "rbx", TR_UREG_RBX, 8 },
	{ "rcx", TR_UREG_RCX, 8 }, { "rdx", TR_UREG_RDX, 8 },
	{ "rsi", TR_UREG_RSI, 8 }, { "rdi", TR_UREG_RDI, 8 },
	{ "rbp", TR_UREG_RBP, 8 }, { "rsp", TR_UREG_RSP, 8 },
	{ "r8", 8, 8 }, { "r9", 9, 8 }, { "r10", 10, 8 }, { "r11", 11, 8 },
	{ "r12", 12, 8 }, { "r13", 13, 8 }, { "r14", 14, 8 },
	{ "r15", 15, 8 }, { "rip", 99, 8 }, { "pc", 99, 8 },
	{ "sp", TR_UREG_RSP, 8 }, { "fp", TR_UREG_RBP, 8 },
	{ "eflags", 98, 4 },
	{ "eax", TR_UREG_RAX, 4 }, { "ebx", TR_UREG_RBX, 4 },
	{ "ecx", TR_UREG_RCX, 4 }, { "edx", TR_UREG_RDX, 4 },
	{ "esi", TR_UREG_RSI, 4 }, { "edi", TR_UREG_RDI, 4 },
	{ "ebp", TR_UREG_RBP, 4 }, { "esp", TR_UREG_RSP, 4 },
	{ "al", TR_UREG_RAX, 1 }, { "bl", TR_UREG_RBX, 1 },
	{ "cl", TR_UREG_RCX, 1 }, { "dl", TR_UREG_RDX, 1 },
	{ "ax", TR_UREG_RAX, 2 }, { "bx", TR_UREG_RBX, 2 },
	{ "cx", TR_UREG_RCX, 2 }, { "dx", TR_UREG_RDX, 2 },
};

static unsigned long long *
gp_field(struct user_regs_struct *r, unsigned ureg)
{
	switch (ureg) {
	case TR_UREG_RAX: return &r->rax;
	case TR_UREG_RBX: return &r->rbx;
	case TR_UREG_RCX: return &r->rcx;
	case TR_UREG_RDX: return &r->rdx;
	case TR_UREG_RSI: return &r->rsi;
	case TR_UREG_RDI: return &r->rdi;
	case TR_UREG_RBP: return &r->rbp;
	case TR_UREG_RSP: return &r->rsp;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	case 15: return &r->r15;
	case 98: return &r->eflags;
	default: return &r->rip;
	}
}

/* Register lvalues of frame 0 carry the tr_ureg index + 1000 in `reg`
 * (DWARF-located variables carry a DWARF number below 1000). */
#define UREG_LVAL 1000

static int
reg_value(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_frame *f;
	uint64_t x;
	unsigned i;

	for (i = 0; i < sizeof(reg_names) / sizeof(reg_names[0]); i++)
		if (!strcmp(reg_names[i].name, at->name))
			break;
	if (i == sizeof(reg_names) / sizeof(reg_names[0]))
		return fail(e, at, -TR_ENOENT, "Invalid register \"$%s\".",
			    at->name);
	if (!e->have_regs)
		return fail(e, at, -TR_ERUNNING, "The thread is running.");
	f = &e->st->frames[e->frame];
	if (reg_names[i].ureg == 99) {
		x = f->pc;
	} else if (e->frame == 0) {
		x = *gp_field(&e->regs.gp, reg_names[i].ureg);
	} else if (reg_names[i].ureg == TR_UREG_RSP) {
		x = f->cfa ? f->cfa : f->regs[TR_UREG_RSP];
		if (f->valid & (1u << TR_UREG_RSP))
			x = f->regs[TR_UREG_RSP];
	} else if (reg_names[i].ureg < TR_UREG_COUNT &&
		   (f->valid & (1u << reg_names[i].ureg))) {
		x = f->regs[reg_names[i].ureg];
	} else {
		vzero(v, &t_long);
		v->optimized_out = true;
		return 0;
	}
	if (reg_names[i].ureg == 99)
		vint(e, v, &t_codep, x);
	else if (reg_names[i].ureg == TR_UREG_RSP ||
		 reg_names[i].ureg == TR_UREG_RBP)
		vint(e, v, reg_names[i].size == 8 ? &t_voidp : &t_int, x);
	else
		vint(e, v, reg_names[i].size == 8 ? &t_long
			   : reg_names[i].size == 4 ? &t_int
			   : reg_names[i].size == 2 ? &t_short : &t_schar, x);
	if (e->frame == 0) {
		v->lval = TR_LVAL_REGISTER;
		v->reg = UREG_LVAL + reg_names[i].ureg;
	}
	return 0;
}

/* ---- conversions ---------------------------------------------------- */

static int eval(struct tr_eval_env *e, const struct tr_ast *a,
		struct tr_value *v);

/* Arrays and functions used as values become pointers (C11 6.3.2.1). */
static int
decay(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_type *t = strip(v->type);
	const struct tr_type *p;
	uint64_t addr = v->addr;

	if (t->kind != TR_TYPE_ARRAY && t->kind != TR_TYPE_FUNCTION)
		return 0;
	if (v->lval == TR_LVAL_INTERNAL)
		return fail(e, at, -TR_EINVAL, "Only values in memory can be "
			    "used as pointers; this string is in tracerd.");
	if (v->lval != TR_LVAL_MEMORY)
		return fail(e, at, -TR_EINVAL, "Attempt to take address of "
			    "value not located in memory.");
	p = pointer_to(e, t->kind == TR_TYPE_ARRAY ? t->target : v->type);
	if (!p)
		return fail(e, at, -TR_ENOMEM, "Out of memory.");
	tr_value_release(v);
	return vint(e, v, p, addr);
}

static int
check_avail(struct tr_eval_env *e, const struct tr_ast *at,
	    const struct tr_value *v)
{
	if (v->optimized_out)
		return fail(e, at, -TR_ENOENT, "value has been optimized out");
	return 0;
}

/* Convert a scalar to type t (C's conversions; casts too). */
static int
convert(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
	const struct tr_type *t)
{
	const struct tr_type *to = strip(t);
	struct tr_value r;
	int err;

	if ((err = decay(e, at, v)) || (err = check_avail(e, at, v)))
		return err;
	if (to->kind == TR_TYPE_VOID) {
		tr_value_release(v);
		vzero(v, t);
		return 0;
	}
	if (!is_scalar(v->type) || !(is_scalar(to))) {
		const struct tr_type *from = strip(v->type);

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
		return fail(e, at, -TR_EINVAL, "Invalid cast.");
	}
	if (is_float(to)) {
		err = vfloat(e, &r, t, as_ld(v));
	} else if (to->kind == TR_TYPE_BASE &&
		   to->encoding == TR_ENC_BOOLEAN) {
		err = vint(e, &r, t, is_float(v->type) ? as_ld(v) != 0
						      : as_u64(v) != 0);
	} else if (is_float(v->type)) {
		long double x = as_ld(v);

		err = vint(e, &r, t, is_signed(to) || x < 0
				     ? (uint64_t)(int64_t)x : (uint64_t)x);
	} else {
		err = vint(e, &r, t, as_u64(v));
	}
	if (err)
		return err;
	tr_value_release(v);
	*v = r;
	return 0;
}

/* Integer promotions (C11 6.3.1.1). */
static const struct tr_type *
promote(const struct tr_type *t)
{
	const struct tr_type *s = strip(t);

	if (is_float(s))
		return t;
	if (s->size < 4)
		return &t_int;
	if (s->kind == TR_TYPE_ENUM || s->encoding == TR_ENC_BOOLEAN)
		return s->size <= 4 ? (is_signed(s) || s->size < 4 ? &t_int
								   : &t_uint)
				    : &t_long;
	return t;
}

/* The usual arithmetic conversions (C11 6.3.1.8): the common type. */
static const struct tr_type *
common_type(const struct tr_type *a, const struct tr_type *b)
{
	const struct tr_type *sa, *sb;

	if (is_float(a) || is_float(b)) {
		size_t za = is_float(a) ? strip(a)->size : 0;
		size_t zb = is_float(b) ? strip(b)->size : 0;
		size_t z = za > zb ? za : zb;

		return z == 4 ? &t_float : z == 8 ? &t_double : &t_ldouble;
	}
	a = promote(a);
	b = promote(b);
	sa = strip(a);
	sb = strip(b);
	if (sa->size == sb->size && is_signed(sa) == is_signed(sb))
		return a;
	if (is_signed(sa) == is_signed(sb))
		return sa->size > sb->size ? a : b;
	{
		const struct tr_type *u = is_signed(sa) ? b : a;
		const struct tr_type *s = is_signed(sa) ? a : b;

		if (strip(u)->size >= strip(s)->size)
			return u;
		return s; /* a wider signed type holds every value */
	}
}

/* ---- operators ------------------------------------------------------ */

static int
need_number(struct tr_eval_env *e, const struct tr_ast *at,
	    const struct tr_value *v)
{
	if (!is_arith(v->type))
		return fail(e, at, -TR_EINVAL, "Argument to arithmetic "
			    "operation not a number or boolean.");
	return 0;
}

static int
arith(struct tr_eval_env *e, const struct tr_ast *at, int op,
      struct tr_value *a, struct tr_value *b, struct tr_value *out)
{
	const struct tr_type *ta = strip(a->type), *tb = strip(b->type);
	const struct tr_type *ct;
	int err;

	/* Pointer arithmetic. */
	if ((op == TR_TOK_PLUS || op == TR_TOK_MINUS) &&
	    (is_ptr(ta) || is_ptr(tb))) {
		if (is_ptr(ta) && is_ptr(tb) && op == TR_TOK_MINUS) {
			uint64_t sz = strip(ta->target)->size;
			int64_t d = (int64_t)(as_u64(a) - as_u64(b));

			if (!sz)
				sz = 1;
			if (strip(ta->target)->size !=
			    strip(tb->target)->size)
				return fail(e, at, -TR_EINVAL, "First argument "
					    "of `-' is a pointer and second "
					    "argument is neither\nan integer "
					    "nor a pointer of the same type.");
			return vint(e, out, &t_long, (uint64_t)(d / (int64_t)sz));
		}
		if (is_ptr(tb) && op == TR_TOK_MINUS)
			return fail(e, at, -TR_EINVAL, "Argument to arithmetic "
				    "operation not a number or boolean.");
		{
			struct tr_value *p = is_ptr(ta) ? a : b;
			struct tr_value *n = is_ptr(ta) ? b : a;
			uint64_t sz = strip(strip(p->type)->target)->size;
			int64_t k;

			if (!is_int(n->type))
				return fail(e, at, -TR_EINVAL, "Argument to "
					    "arithmetic operation not a number "
					    "or boolean.");
			if (!sz)
				sz = 1; /* void *: gdb steps bytes */
			k = (int64_t)as_u64(n);
			if (op == TR_TOK_MINUS)
				k = -k;
			return vint(e, out, p->type,
				    as_u64(p) + (uint64_t)(k * (int64_t)sz));
		}
	}
	/* Comparisons of pointers (with each other or with integers). */
	if (op >= TR_TOK_LT && op <= TR_TOK_NE &&
	    (is_ptr(ta) || is_ptr(tb))) {
		uint64_t x = as_u64(a), y = as_u64(b);
		int r = op == TR_TOK_LT ? x < y : op == TR_TOK_GT ? x > y
		      : op == TR_TOK_LE ? x <= y : op == TR_TOK_GE ? x >= y
		      : op == TR_TOK_EQ ? x == y : x != y;

		if (!is_scalar(ta) || !is_scalar(tb))
			return need_number(e, at, is_scalar(ta) ? b : a);
		return vint(e, out, &t_int, (uint64_t)r);
	}
	if ((err = need_number(e, at, a)) || (err = need_number(e, at, b)))
		return err;
	if (op == TR_TOK_SHL || op == TR_TOK_SHR) {
		const struct tr_type *pt = promote(a->type);
		uint64_t x = as_u64(a), y = as_u64(b);
		unsigned bits = (unsigned)strip(pt)->size * 8;

		if (is_float(ta) || is_float(tb))
			return fail(e, at, -TR_EINVAL, "Integer-only operation "
				    "on floating point number.");
		if (y >= bits)
			return vint(e, out, pt, 0); /* as gdb: C leaves it
						       undefined */
		if (op == TR_TOK_SHL)
			x <<= y;
		else if (is_signed(pt))
			x = (uint64_t)(sext(x, strip(pt)->size) >> y);
		else
			x = (strip(pt)->size == 4 ? x & 0xffffffffu : x) >> y;
		return vint(e, out, pt, x);
	}
	ct = common_type(a->type, b->type);
	if (is_float(ct)) {
		long double x = as_ld(a), y = as_ld(b);
		long double r;

		switch (op) {
		case TR_TOK_PLUS: r = x + y; break;
		case TR_TOK_MINUS: r = x - y; break;
		case TR_TOK_STAR: r = x * y; break;
		case TR_TOK_SLASH: r = x / y; break;
		case TR_TOK_LT: return vint(e, out, &t_int, x < y);
		case TR_TOK_GT: return vint(e, out, &t_int, x > y);
		case TR_TOK_LE: return vint(e, out, &t_int, x <= y);
		case TR_TOK_GE: return vint(e, out, &t_int, x >= y);
		case TR_TOK_EQ: return vint(e, out, &t_int, x == y);
		case TR_TOK_NE: return vint(e, out, &t_int, x != y);
		default:
			return fail(e, at, -TR_EINVAL, "Integer-only operation "
				    "on floating point number.");
		}
		if (strip(ct)->size == 4)
			r = (float)r;
		else if (strip(ct)->size == 8)
			r = (double)r;
		return vfloat(e, out, ct, r);
	}
	{
		bool sg = is_signed(ct);
		size_t sz = strip(ct)->size;
		uint64_t mask = sz >= 8 ? ~0ull : (1ull << (sz * 8)) - 1;
		uint64_t x = as_u64(a) & mask, y = as_u64(b) & mask, r;
		int64_t sx = sext(x, sz), sy = sext(y, sz);

		switch (op) {
		case TR_TOK_PLUS: r = x + y; break;
		case TR_TOK_MINUS: r = x - y; break;
		case TR_TOK_STAR: r = x * y; break;
		case TR_TOK_SLASH:
		case TR_TOK_PERCENT:
			if (!y)
				return fail(e, at, -TR_EINVAL,
					    "Division by zero");
			if (sg && sy == -1 && sx == sext(1ull << (sz * 8 - 1),
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
		case TR_TOK_LT: return vint(e, out, &t_int, sg ? sx < sy : x < y);
		case TR_TOK_GT: return vint(e, out, &t_int, sg ? sx > sy : x > y);
		case TR_TOK_LE: return vint(e, out, &t_int, sg ? sx <= sy : x <= y);
		case TR_TOK_GE: return vint(e, out, &t_int, sg ? sx >= sy : x >= y);
		case TR_TOK_EQ: return vint(e, out, &t_int, x == y);
		case TR_TOK_NE: return vint(e, out, &t_int, x != y);
		default:
			return fail(e, at, -TR_EINVAL, "Invalid operator.");
		}
		return vint(e, out, ct, r & mask);
	}
}

static bool
truth(const struct tr_value *v)
{
	if (is_float(v->type))
		return as_ld(v) != 0;
	return as_u64(v) != 0;
}

/* Write `v` (already of the lvalue's type) where `lv` lives. */
static int
store(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *lv,
      struct tr_value *v)
{
	const uint8_t *src = tr_value_cbytes(v);
	size_t n = strip(lv->type)->size;
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
				return mem_fail(e, at, lv->addr);
			if (err)
				return fail(e, at, err, "Cannot write "
					    "memory: %s.", tr_strerror(err));
			memcpy(tr_value_bytes(lv), src, n);
			return 0;
		}
		/* A bitfield: read, modify, write the bytes it spans. */
		n = (lv->bit_offset + lv->bit_size + 7) / 8;
		if (n > 8 || e->read(e->ctx, lv->addr, buf, n))
			return mem_fail(e, at, lv->addr);
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
			return mem_fail(e, at, lv->addr);
		/* the value now in the field: cut to its width */
		x = (x >> lv->bit_offset) & (lv->bit_size >= 64 ? ~0ull
				: (1ull << lv->bit_size) - 1);
		if (is_signed(lv->type) && lv->bit_size < 64 &&
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
			return fail(e, at, -TR_ENOTSUP, "Cannot write "
				    "registers of this frame.");
		memcpy(&x, src, n < 8 ? n : 8);
		if (lv->reg >= UREG_LVAL) {
			unsigned long long *f = gp_field(&r,
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
				return fail(e, at, -TR_ENOTSUP, "Cannot write "
					    "this register.");
			f = gp_field(&r, dw2u[lv->reg]);
			if (n < 8)
				x = (*f & ~((1ull << (n * 8)) - 1)) | x;
			*f = x;
		}
		err = e->set_regs(e->ctx, &r);
		if (err)
			return fail(e, at, err, "Cannot write registers: %s.",
				    tr_strerror(err));
		e->regs.gp = r;
		memcpy(tr_value_bytes(lv), src, n);
		return 0;
	}
	return fail(e, at, -TR_EINVAL, "Left operand of assignment is not an "
		    "lvalue.");
}

static int
deref(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_type *t;
	uint64_t addr;
	int err;

	if ((err = decay(e, at, v)) || (err = check_avail(e, at, v)))
		return err;
	t = strip(v->type);
	if (t->kind != TR_TYPE_POINTER) {
		if (is_int(t)) {
			/* gdb: *INTEGER reads a long at that address */
			addr = as_u64(v);
			tr_value_release(v);
			return load(e, at, v, &t_long, addr);
		}
		return fail(e, at, -TR_EINVAL, "Attempt to take contents of "
			    "a non-pointer value.");
	}
	if (strip(t->target)->kind == TR_TYPE_VOID)
		return fail(e, at, -TR_EINVAL, "Attempt to take contents of "
			    "a non-pointer value.");
	addr = as_u64(v);
	tr_value_release(v);
	return load(e, at, v, t->target, addr);
}

static int
member(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v,
       const char *name)
{
	const struct tr_type *t = strip(v->type);
	const struct tr_type_member *m;
	uint64_t off;
	struct tr_value r;
	int err;

	if (t->kind != TR_TYPE_STRUCT && t->kind != TR_TYPE_UNION)
		return fail(e, at, -TR_EINVAL, "Attempt to extract a component "
			    "of a value that is not a structure.");
	if (tr_type_member_find(t, name, &m, &off) < 0)
		return fail(e, at, -TR_ENOENT, "There is no member named %s.",
			    name);
	if (v->optimized_out) {
		vzero(&r, m->type);
		r.optimized_out = true;
	} else if (m->bit_size) {
		uint64_t x = 0;

		if (v->lazy)
			return fail(e, at, -TR_ERANGE, "Value too large.");
		if (tr_type_bitfield_get(m, tr_value_cbytes(v), v->size, off,
					 &x) < 0)
			return fail(e, at, -TR_ERANGE, "Bad bitfield.");
		if ((err = vint(e, &r, m->type, x)))
			return err;
		r.lval = v->lval == TR_LVAL_MEMORY ? TR_LVAL_MEMORY
						   : TR_LVAL_NONE;
		r.addr = v->addr + off;
		r.bit_offset = m->bit_offset;
		r.bit_size = m->bit_size;
	} else if (v->lval == TR_LVAL_MEMORY && (v->lazy || !v->size)) {
		if ((err = load(e, at, &r, m->type, v->addr + off)))
			return err;
	} else {
		size_t n = strip(m->type)->size;

		if (off + n > v->size)
			return fail(e, at, -TR_ERANGE, "Member outside the "
				    "value.");
		if ((err = vset(e, &r, m->type, tr_value_cbytes(v) + off, n)))
			return err;
		r.lval = v->lval == TR_LVAL_MEMORY ? TR_LVAL_MEMORY
						   : TR_LVAL_NONE;
		r.addr = v->addr + off;
	}
	tr_value_release(v);
	*v = r;
	return 0;
}

/* ---- calls ---------------------------------------------------------- */

/* The psABI class of one eightbyte [lo, lo + 8) of type t at offset base. */
static enum tr_cls
eightbyte_cls(const struct tr_type *t, uint64_t base, uint64_t lo,
	      enum tr_cls c)
{
	t = strip(t);
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
		uint64_t es = strip(t->target)->size;

		for (uint64_t i = 0; es && i < t->count; i++)
			c = eightbyte_cls(t->target, base + i * es, lo, c);
		return c;
	}
	default:
		if (is_float(t) && t->size <= 8)
			return c == TR_CLS_INTEGER ? c : TR_CLS_SSE;
		return TR_CLS_INTEGER;
	}
}

static int
classify(struct tr_eval_env *e, const struct tr_ast *at,
	 const struct tr_type *type, enum tr_cls cls[2])
{
	const struct tr_type *t = strip(type);

	cls[0] = cls[1] = TR_CLS_NONE;
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
		return 0;
	default:
		if (is_float(t)) {
			if (t->size > 8)
				return fail(e, at, -TR_ENOTSUP, "long double "
					    "arguments and results of calls "
					    "are not supported.");
			cls[0] = TR_CLS_SSE;
		} else {
			cls[0] = TR_CLS_INTEGER;
		}
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
			fail(e, at, err, "Cannot resolve the GNU indirect "
			     "function: %s.", tr_strerror(err));
	}
	return err;
}

static int
call(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *out,
     const struct tr_type *ret_override)
{
	struct tr_value fnv, args[TR_CALL_MAX_ARGS];
	const struct tr_type *ft, *rt;
	struct tr_call *c = NULL;
	size_t nargs = a->nargs, np;
	uint64_t fn;
	int err;

	memset(args, 0, sizeof(args));
	if ((err = eval(e, a->a, &fnv)))
		return err;
	ft = strip(fnv.type);
	if (ft->kind == TR_TYPE_POINTER &&
	    strip(ft->target)->kind == TR_TYPE_FUNCTION) {
		fn = as_u64(&fnv);
		ft = strip(ft->target);
	} else if (ft->kind == TR_TYPE_FUNCTION) {
		fn = fnv.addr;
	} else {
		tr_value_release(&fnv);
		return fail(e, a, -TR_EINVAL, "Attempt to call a value that "
			    "is not a function.");
	}
	rt = ret_override && ft == &t_nodebug_fn ? ret_override : ft->target;
	np = ft->prototyped ? ft->nparams : 0;
	if (ft->prototyped && nargs < np) {
		err = fail(e, a, -TR_EINVAL, "Too few arguments in function "
			   "call.");
		goto out;
	}
	if (ft->prototyped && !ft->variadic && nargs > np) {
		err = fail(e, a, -TR_EINVAL, "Too many arguments in function "
			   "call.");
		goto out;
	}
	if (nargs > TR_CALL_MAX_ARGS) {
		err = fail(e, a, -TR_EINVAL, "Too many arguments (at most %d).",
			   TR_CALL_MAX_ARGS);
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = fail(e, a, -TR_ENOMEM, "Out of memory.");
		goto out;
	}
	/* Arguments left to right, each converted to its parameter's type
	 * (default promotions for the variadic part and unprototyped
	 * callees). */
	for (size_t i = 0; i < nargs; i++) {
		struct tr_value *v = &args[i];
		const struct tr_type *pt = i < np ? ft->params[i] : NULL;

		if ((err = eval(e, a->args[i], v)))
			goto out;
		if (v->lval == TR_LVAL_INTERNAL &&
		    strip(v->type)->kind == TR_TYPE_ARRAY) {
			c->args[i].bytes = tr_value_cbytes(v);
			c->args[i].size = v->size;
			c->args[i].cls[0] = TR_CLS_BLOB;
			continue;
		}
		if ((err = decay(e, a->args[i], v)) ||
		    (err = check_avail(e, a->args[i], v)))
			goto out;
		if (!pt && is_float(v->type) && strip(v->type)->size == 4)
			pt = &t_double;
		else if (!pt && is_int(v->type))
			pt = promote(v->type);
		if (pt && is_scalar(pt) && (err = convert(e, a->args[i], v,
							  pt)))
			goto out;
		if (pt && !is_scalar(pt) && strip(pt) != strip(v->type) &&
		    strip(pt)->size != strip(v->type)->size) {
			err = fail(e, a->args[i], -TR_EINVAL, "Cannot convert "
				   "argument %zu to the parameter's type.",
				   i + 1);
			goto out;
		}
		if (v->lazy) {
			err = fail(e, a->args[i], -TR_ERANGE, "Argument too "
				   "large.");
			goto out;
		}
		if ((err = classify(e, a->args[i], v->type, c->args[i].cls)))
			goto out;
		c->args[i].bytes = tr_value_cbytes(v);
		c->args[i].size = v->size;
	}
	if ((err = classify(e, a, rt, c->ret_cls)))
		goto out;
	c->nargs = nargs;
	c->ret_size = strip(rt)->size;
	if (e->no_side_effects || !e->call) {
		if (!e->call && !e->no_side_effects) {
			e->needs_call = true;
			err = fail(e, a, -TR_ENOTSUP, "Function calls are not "
				   "allowed here.");
			goto out;
		}
		vzero(out, rt);
		err = strip(rt)->kind == TR_TYPE_VOID
			      ? 0 : tr_value_alloc(out, c->ret_size);
		goto out;
	}
	if (fnv.bit_size && (err = resolve_ifunc(e, a, fn, &fn)))
		goto out;
	c->fn = fn;
	vzero(out, rt);
	if (c->ret_size && (err = tr_value_alloc(out, c->ret_size)))
		goto out;
	c->ret = c->ret_size ? tr_value_bytes(out) : NULL;
	e->err[0] = 0;
	err = e->call(e->ctx, c, e->err, sizeof(e->err));
	if (err) {
		tr_value_release(out);
		e->errpos = a->pos;
		if (!e->err[0])
			fail(e, a, err, "The call failed: %s.",
			     tr_strerror(err));
	}
out:
	for (size_t i = 0; i < nargs && i < TR_CALL_MAX_ARGS; i++)
		tr_value_release(&args[i]);
	tr_value_release(&fnv);
	free(c);
	return err;
}

/* ---- the evaluator -------------------------------------------------- */

static const struct tr_type *
lit_type(enum tr_lit l)
{
	switch (l) {
	case TR_LIT_UINT: return &t_uint;
	case TR_LIT_LONG: return &t_long;
	case TR_LIT_ULONG: return &t_ulong;
	case TR_LIT_LLONG: return &t_llong;
	case TR_LIT_ULLONG: return &t_ullong;
	case TR_LIT_FLOAT: return &t_float;
	case TR_LIT_DOUBLE: return &t_double;
	case TR_LIT_LDOUBLE: return &t_ldouble;
	case TR_LIT_CHAR: return &t_char;
	default: return &t_int;
	}
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

static int
assign(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *v)
{
	struct tr_value lv, rv, nv;
	int err, op = assign_op(a->op);

	if ((err = eval(e, a->a, &lv)))
		return err;
	if (lv.lval != TR_LVAL_MEMORY && lv.lval != TR_LVAL_REGISTER) {
		tr_value_release(&lv);
		return fail(e, a, -TR_EINVAL, "Left operand of assignment is "
			    "not an lvalue.");
	}
	if ((err = eval(e, a->b, &rv)))
		goto out1;
	if (op) {
		struct tr_value cur;

		memset(&cur, 0, sizeof(cur));
		cur = lv;
		cur.heap = NULL;
		if ((err = vset(e, &cur, lv.type, tr_value_cbytes(&lv),
				lv.size)))
			goto out2;
		if ((err = decay(e, a->b, &rv)) ||
		    (err = check_avail(e, a->a, &lv))) {
			tr_value_release(&cur);
			goto out2;
		}
		err = arith(e, a, op, &cur, &rv, &nv);
		tr_value_release(&cur);
		if (err)
			goto out2;
		tr_value_release(&rv);
		rv = nv;
	}
	if (is_scalar(lv.type)) {
		if ((err = convert(e, a->b, &rv, lv.type)))
			goto out2;
	} else if (strip(rv.type) != strip(lv.type) &&
		   strip(rv.type)->size != strip(lv.type)->size) {
		err = fail(e, a, -TR_EINVAL, "Invalid cast.");
		goto out2;
	}
	if ((err = store(e, a, &lv, &rv)))
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

	if ((err = eval(e, a->a, &lv)))
		return err;
	if (lv.lval != TR_LVAL_MEMORY && lv.lval != TR_LVAL_REGISTER) {
		tr_value_release(&lv);
		return fail(e, a, -TR_EINVAL, "Left operand of assignment is "
			    "not an lvalue.");
	}
	if ((err = check_avail(e, a->a, &lv)) ||
	    (err = vset(e, &old, lv.type, tr_value_cbytes(&lv), lv.size))) {
		tr_value_release(&lv);
		return err;
	}
	vint(e, &one, &t_int, 1);
	err = arith(e, a, a->op == TR_TOK_INC ? TR_TOK_PLUS : TR_TOK_MINUS,
		    &old, &one, &nv);
	tr_value_release(&one);
	if (!err)
		err = convert(e, a, &nv, lv.type);
	if (!err)
		err = store(e, a, &lv, &nv);
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
	v->type = &t_int;
	switch (a->kind) {
	case TR_AST_INT:
	case TR_AST_CHAR:
		return vint(e, v, lit_type(a->lit), a->ival);
	case TR_AST_FLOAT:
		return vfloat(e, v, lit_type(a->lit), a->fval);
	case TR_AST_STRING: {
		const struct tr_type *t = array_of(e, &t_char, a->len + 1);

		if (!t || vset(e, v, t, a->str, a->len + 1))
			return fail(e, a, -TR_ENOMEM, "Out of memory.");
		v->lval = TR_LVAL_INTERNAL;
		return 0;
	}
	case TR_AST_IDENT:
		return lookup_name(e, a, a->name, NULL, v);
	case TR_AST_SCOPED:
		return lookup_name(e, a, a->name, a->scope, v);
	case TR_AST_REG:
		return reg_value(e, a, v);
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
		if ((err = eval(e, a->a, &x)) || (err = decay(e, a->a, &x)) ||
		    (err = check_avail(e, a->a, &x)))
			return err;
		{
			bool c = truth(&x);

			tr_value_release(&x);
			return eval(e, c ? a->b : a->c, v);
		}
	case TR_AST_CAST: {
		const struct tr_type *t;

		if ((err = type_of_name(e, a, &a->tn, &t)))
			return err;
		/* (type) f(args) of a function without debug info: the
		 * cast names the return type, as gdb 13 asks. */
		if (a->a->kind == TR_AST_CALL)
			err = call(e, a->a, v, t);
		else
			err = eval(e, a->a, v);
		if (err)
			return err;
		return convert(e, a, v, t);
	}
	case TR_AST_SIZEOF_TYPE: {
		const struct tr_type *t;

		if ((err = type_of_name(e, a, &a->tn, &t)))
			return err;
		/* gdb gives sizeof the type int */
		return vint(e, v, &t_int, strip(t)->size);
	}
	case TR_AST_SIZEOF_EXPR: {
		bool nse = e->no_side_effects;

		e->no_side_effects = true;
		err = eval(e, a->a, &x);
		e->no_side_effects = nse;
		if (err)
			return err;
		err = vint(e, v, &t_int, strip(x.type)->size);
		tr_value_release(&x);
		return err;
	}
	case TR_AST_MEMBER:
		if ((err = eval(e, a->a, v)))
			return err;
		return member(e, a, v, a->name);
	case TR_AST_ARROW:
		if ((err = eval(e, a->a, v)))
			return err;
		if (!is_ptr(v->type))
			return fail(e, a, -TR_EINVAL, "The -> operator needs "
				    "a pointer to a structure.");
		if ((err = deref(e, a, v)))
			return err;
		return member(e, a, v, a->name);
	case TR_AST_INDEX:
		if ((err = eval(e, a->a, &x)))
			return err;
		if ((err = eval(e, a->b, &y))) {
			tr_value_release(&x);
			return err;
		}
		if (strip(x.type)->kind == TR_TYPE_ARRAY &&
		    x.lval != TR_LVAL_MEMORY && !x.optimized_out &&
		    is_int(y.type)) {
			/* an element of an array that is not in memory (a
			 * member of a struct a call returned) */
			const struct tr_type *et = strip(x.type)->target;
			uint64_t es = strip(et)->size, k = as_u64(&y);

			tr_value_release(&y);
			if (!es || k >= x.size / es) {
				tr_value_release(&x);
				return fail(e, a, -TR_ERANGE, "no such vector "
					    "element");
			}
			err = vset(e, v, et, tr_value_cbytes(&x) + k * es, es);
			tr_value_release(&x);
			return err;
		}
		if (!(err = decay(e, a->a, &x)) && !(err = decay(e, a->b, &y)) &&
		    !(err = check_avail(e, a->a, &x)) &&
		    !(err = check_avail(e, a->b, &y))) {
			if (!is_ptr(x.type) && !is_ptr(y.type))
				err = fail(e, a, -TR_EINVAL, "cannot subscript "
					   "something of type `%s'",
					   strip(x.type)->name
						   ? strip(x.type)->name
						   : "?");
			else
				err = arith(e, a, TR_TOK_PLUS, &x, &y, v);
		}
		tr_value_release(&x);
		tr_value_release(&y);
		return err ? err : deref(e, a, v);
	case TR_AST_CALL:
		return call(e, a, v, NULL);
	case TR_AST_UNARY:
		if (a->op == TR_TOK_INC || a->op == TR_TOK_DEC)
			return incdec(e, a, v, false);
		if ((err = eval(e, a->a, v)))
			return err;
		switch (a->op) {
		case TR_TOK_STAR:
			return deref(e, a, v);
		case TR_TOK_AMP: {
			const struct tr_type *p;
			uint64_t addr = v->addr;

			if (v->bit_size)
				return fail(e, a, -TR_EINVAL, "Attempt to take "
					    "address of value not located in "
					    "memory.");
			if (v->lval == TR_LVAL_REGISTER)
				return fail(e, a, -TR_EINVAL, "Address "
					    "requested for identifier \"%s\" "
					    "which is in register.",
					    a->a->name ? a->a->name : "?");
			if (v->lval != TR_LVAL_MEMORY)
				return fail(e, a, -TR_EINVAL, "Attempt to take "
					    "address of value not located in "
					    "memory.");
			p = pointer_to(e, v->type);
			tr_value_release(v);
			if (!p)
				return fail(e, a, -TR_ENOMEM, "Out of memory.");
			return vint(e, v, p, addr);
		}
		default:
			break;
		}
		if ((err = decay(e, a, v)) || (err = check_avail(e, a->a, v)))
			return err;
		if (a->op == TR_TOK_NOT) {
			bool t;

			if (!is_scalar(v->type))
				return need_number(e, a, v);
			t = truth(v);
			tr_value_release(v);
			return vint(e, v, &t_int, !t);
		}
		if ((err = need_number(e, a, v)))
			return err;
		if (a->op == TR_TOK_PLUS)
			return convert(e, a, v, promote(v->type));
		if (a->op == TR_TOK_MINUS) {
			const struct tr_type *t = promote(v->type);

			if (is_float(t)) {
				long double f = -as_ld(v);

				tr_value_release(v);
				return vfloat(e, v, t, f);
			}
			{
				uint64_t n = -as_u64(v);

				tr_value_release(v);
				return vint(e, v, t, n);
			}
		}
		if (a->op == TR_TOK_TILDE) {
			const struct tr_type *t = promote(v->type);
			uint64_t n;

			if (is_float(t))
				return fail(e, a, -TR_EINVAL, "Argument to "
					    "complement operation not an "
					    "integer, boolean.");
			n = ~as_u64(v);
			tr_value_release(v);
			return vint(e, v, t, n);
		}
		return fail(e, a, -TR_EINVAL, "Invalid unary operator.");
	case TR_AST_BINARY:
		if (a->op == TR_TOK_ANDAND || a->op == TR_TOK_OROR) {
			bool t;

			/* Short-circuit: the right side may not run. */
			if ((err = eval(e, a->a, &x)) ||
			    (err = decay(e, a->a, &x)) ||
			    (err = check_avail(e, a->a, &x)))
				return err;
			t = truth(&x);
			tr_value_release(&x);
			if (t == (a->op == TR_TOK_OROR))
				return vint(e, v, &t_int, t);
			if ((err = eval(e, a->b, &y)) ||
			    (err = decay(e, a->b, &y)) ||
			    (err = check_avail(e, a->b, &y)))
				return err;
			t = truth(&y);
			tr_value_release(&y);
			return vint(e, v, &t_int, t);
		}
		if ((err = eval(e, a->a, &x)))
			return err;
		if ((err = eval(e, a->b, &y))) {
			tr_value_release(&x);
			return err;
		}
		if (!(err = decay(e, a->a, &x)) && !(err = decay(e, a->b, &y)) &&
		    !(err = check_avail(e, a->a, &x)) &&
		    !(err = check_avail(e, a->b, &y)))
			err = arith(e, a, a->op, &x, &y, v);
		tr_value_release(&x);
		tr_value_release(&y);
		return err;
	}
	return fail(e, a, -TR_EINVAL, "Unsupported expression.");
}

int
tr_eval(struct tr_eval_env *e, const struct tr_ast *ast, struct tr_value *out)
{
	e->err[0] = 0;
	e->errpos = 0;
	return eval(e, ast, out);
}

int
tr_eval_truth(struct tr_eval_env *e, const struct tr_ast *ast, bool *t)
{
	struct tr_value v;
	int err = tr_eval(e, ast, &v);

	if (err)
		return err;
	if (!(err = decay(e, ast, &v)) && !(err = check_avail(e, ast, &v))) {
		if (!is_scalar(v.type))
			err = fail(e, ast, -TR_EINVAL, "The condition is not "
				   "a number or a pointer.");
		else
			*t = truth(&v);
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
	struct tr_sym s;
	uint64_t o;

	if (tr_symtab_addr(tr_debuginfo_symtab(e->di), addr, &s, &o) < 0 ||
	    !s.name || (s.kind != TR_SYM_FUNC && s.kind != TR_SYM_OBJECT &&
			s.kind != TR_SYM_IFUNC))
		return false;
	if (s.size && o >= s.size)
		return false;
	snprintf(name, len, "%s", s.name);
	*off = o;
	return true;
}

int
tr_eval_print(struct tr_eval_env *e, const struct tr_value *v, char *out,
	      size_t len)
{
	struct tr_print_env pe = {
		.read = print_read,
		.sym = print_sym,
		.ctx = e,
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
