/* eval_names.c: the frame an evaluation runs in, and what its names mean there: variables, functions, types, registers. */
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
			return tr__ev_fail(e, NULL, -TR_ERUNNING,
				    "The thread is running: no frame.");
		return 0;
	}
	sym = tr_debuginfo_symtab(e->di);
	if (e->frame && e->unw) {
		err = tr_backtrace(e->unw, &e->regs.gp, e->read, e->ctx,
				   st->frames, MAX_FRAMES, &st->nframes);
		/* Inlined calls are frames of their own, as in gdb: the
		 * frame number counts them. */
		if ((err < 0 && err != -TR_ERANGE && !st->nframes) ||
		    tr_unwind_frame_level(e->di, st->frames, st->nframes,
					  e->frame + e->inline_hidden,
					  &st->phys, &st->level))
			return tr__ev_fail(e, NULL, -TR_ERANGE,
				    "No frame at level %u.", e->frame);
	} else if (e->frame) {
		return tr__ev_fail(e, NULL, -TR_ERANGE, "No frame at level %u.",
			    e->frame);
	} else {
		struct tr_frame caller;

		tr_unwind_frame_from_regs(&e->regs.gp, &st->frames[0]);
		st->nframes = 1;
		/* One step up gives frame 0 its CFA (DW_OP_call_frame_cfa,
		 * the frame base of gcc's functions). */
		/* Kept past the frames counted: entry values read the
		 * callers (a value passed on as it came needs theirs). */
		for (size_t k = 0; e->unw && k < 4 && k + 1 < MAX_FRAMES;
		     k++) {
			if (tr_unwind_step(e->unw, &st->frames[k], e->read,
					   e->ctx, &caller) != 0)
				break;
			st->frames[k + 1] = caller;
			st->ncallers = k + 1;
		}
	}
	if (!e->frame)
		st->level = e->inline_hidden;
	f = &st->frames[st->phys];
	st->acc.frame = f;
	st->acc.regs = st->phys == 0 ? &e->regs : NULL;
	/* its caller, for entry values (DW_OP_entry_value) */
	st->acc.di = e->di;
	st->acc.first = &st->frames[0];
	st->acc.regs0 = &e->regs;
	if (st->phys + 1 < st->nframes) {
		st->acc.caller = &st->frames[st->phys + 1];
		st->acc.end = &st->frames[st->nframes];
	} else if (st->ncallers) {
		st->acc.caller = &st->frames[1];
		st->acc.end = &st->frames[1 + st->ncallers];
	}
	st->pc = tr_unwind_lookup_pc(f);
	st->mod = tr_symtab_module_at(sym, st->pc);
	st->dw = st->mod ? tr_debuginfo_dwarf(e->di, st->mod) : NULL;
	tr_unwind_loc_frame(&st->lf, &st->acc, st->mod ? st->mod->bias : 0,
			     e->read, e->ctx);
	st->lf.tls = e->tls;
	st->lf.tls_arg = e->ctx;
	st->have_frame = true;
	e->has_dwarf = st->dw != NULL;
	if (st->dw && tr_scope_at_level(st->dw, st->pc - st->mod->bias,
					st->level, &st->scope) < 0)
		st->scope = NULL;
	st->acc.inlined = st->scope &&
			  st->scope->level < st->scope->ninlined;
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
	size_t n = tr__ev_strip(t)->size;
	int err;

	err = tr_scope_var_loc(sc, var, lf, &loc);
	if (err < 0 && err != -TR_ENOENT)
		return tr__ev_fail(e, at, err, "Cannot find the location of \"%s\": "
			    "%s.", var->name, tr_strerror(err));
	if (err == -TR_ENOENT || loc.kind == TR_LOC_OPTIMIZED) {
		tr__ev_vzero(v, t);
		v->optimized_out = true;
		return 0;
	}
	if (loc.kind == TR_LOC_MEMORY)
		return tr__ev_load(e, at, v, t, loc.pieces[0].addr);
	if (n > EAGER_MAX)
		return tr__ev_fail(e, at, -TR_ERANGE, "Value too large.");
	tr__ev_vzero(v, t);
	if (tr_value_alloc(v, n) < 0)
		return tr__ev_fail(e, at, -TR_ENOMEM, "Out of memory.");
	err = tr_loc_read(&loc, lf, tr_value_bytes(v), n, NULL);
	if (err == -TR_ENOENT) {
		v->optimized_out = true;
		return 0;
	}
	if (err == -TR_EFAULT)
		return tr__ev_mem_fail(e, at, loc.pieces[0].addr);
	if (err)
		return tr__ev_fail(e, at, err, "Cannot read \"%s\": %s.", var->name,
			    tr_strerror(err));
	if (loc.kind == TR_LOC_REGISTER && e->st->phys == 0) {
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
		tr__ev_vzero(v, ft);
		v->lval = TR_LVAL_MEMORY;
		v->addr = ent[i]->lowpc + m->bias;
		return true;
	}
	return false;
}

/* A function type "int ()" for functions without debug info: calls
 * return int, as gdb before 8 assumed (a cast of the call picks another
 * return type). */
const struct tr_type tr__t_nodebug_fn = { .kind = TR_TYPE_FUNCTION,
					     .target = &tr__t_int };

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

/* The value of enumerator `name` of enumeration type t, or -TR_ENOENT. */
static int
enum_value(struct tr_eval_env *e, const struct tr_type *t, const char *name,
	   struct tr_value *v)
{
	const struct tr_type *s = tr__ev_strip(t);

	for (size_t i = 0; s->kind == TR_TYPE_ENUM && i < s->nenumerators; i++)
		if (!strcmp(s->enumerators[i].name, name))
			return tr__ev_vint(e, v, t,
					   (uint64_t)s->enumerators[i].value);
	return -TR_ENOENT;
}

/* A file-scope enumerator of `dw`: of unit `cu` only when cu >= 0. */
static int
dwarf_enum(struct tr_eval_env *e, struct tr_dwarf *dw, const char *name,
	   int64_t cu, struct tr_value *v)
{
	const struct tr_dw_entry *ent[16];
	const char *bare = strstr(name, "::");
	const struct tr_type *t;
	size_t n = 0;

	if (!dw || tr_dwarf_lookup(dw, name, TR_DW_ENUMERATOR, ent, 16, &n) < 0)
		return -TR_ENOENT;
	for (size_t i = 0; i < n && i < 16; i++)
		if ((cu < 0 || ent[i]->cu == cu) &&
		    tr_dwarf_type_get(dw, ent[i]->die, &t) == 0 &&
		    enum_value(e, t, bare ? bare + 2 : name, v) == 0)
			return 0;
	return -TR_ENOENT;
}

/*
 * A name in the scope of the frame, as C scopes it: a local variable or
 * an enumerator declared in a block, the innermost declaration winning;
 * then parameters, and the unit's statics and globals; then the unit's
 * file-scope enumerators. -TR_ENOENT when none of those.
 */
static int
scope_name(struct tr_eval_env *e, const struct tr_ast *at, const char *name,
	   struct tr_value *v)
{
	struct tr_eval_state *st = e->st;
	const struct tr_scope *sc = st->scope;
	const struct tr_scope_enum *en = NULL;
	const struct tr_var *var = NULL;

	if (!sc)
		return -TR_ENOENT;
	for (size_t i = 0; i < sc->nenums && !en; i++)
		if (!strcmp(sc->enums[i].name, name))
			en = &sc->enums[i];
	for (size_t i = 0; i < sc->nvars && !var; i++)
		if (!sc->vars[i].shadowed && !strcmp(sc->vars[i].name, name))
			var = &sc->vars[i];
	if (en && (!var || var->kind != TR_VAR_LOCAL ||
		   en->depth >= var->depth) &&
	    enum_value(e, en->type, name, v) == 0)
		return 0;
	if (var)
		return from_loc(e, at, sc, var, &st->lf, v);
	return dwarf_enum(e, st->dw, name, sc->cu, v);
}

int
tr__ev_lookup_name(struct tr_eval_env *e, const struct tr_ast *at, const char *name,
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
			struct tr_unwind_loc acc = st->acc;

			/* Its locals are those of its innermost frame on the
			 * stack, as gdb reads them. */
			if (st->nframes < 2 && e->unw && e->have_regs) {
				size_t nf = 0;

				tr_backtrace(e->unw, &e->regs.gp, e->read,
					     e->ctx, st->frames, MAX_FRAMES,
					     &nf);
				if (nf > st->nframes)
					st->nframes = nf;
				st->acc.frame = &st->frames[st->phys];
				acc = st->acc;
			}
			for (size_t k = 0; k < st->nframes; k++) {
				uint64_t pc = tr_unwind_lookup_pc(
					&st->frames[k]) - st->mod->bias;

				if (pc >= fn[0]->lowpc && pc < fn[0]->highpc) {
					acc.frame = &st->frames[k];
					acc.regs = k == 0 ? &e->regs : NULL;
					tr_unwind_loc_frame(&lf, &acc,
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
		if (dwarf_enum(e, st->dw, q, -1, v) == 0)
			return 0;
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
		return tr__ev_fail(e, at, -TR_ENOENT,
			    "No symbol \"%s\" in %s.", name, scope);
	}
	{
		int err = scope_name(e, at, name, v);

		if (err != -TR_ENOENT)
			return err;
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
	/* Enumerators of any unit, this module's first (gdb looks at the
	 * static symbols of every unit last). */
	if (dwarf_enum(e, st->dw, name, -1, v) == 0)
		return 0;
	for (size_t i = 0; i < nm; i++) {
		struct tr_dwarf *dw =
			tr_debuginfo_dwarf(e->di, tr_symtab_module(sym, i));

		if (dw != st->dw && dwarf_enum(e, dw, name, -1, v) == 0)
			return 0;
	}
	if (tr_symtab_lookup(sym, name, &s) == 0) {
		if (s.kind == TR_SYM_FUNC || s.kind == TR_SYM_IFUNC) {
			tr__ev_vzero(v, &tr__t_nodebug_fn);
			v->lval = TR_LVAL_MEMORY;
			v->addr = s.addr;
			/* bit_size on a function value: an IFUNC */
			v->bit_size = s.kind == TR_SYM_IFUNC;
			return 0;
		}
		if (s.kind == TR_SYM_OBJECT) /* data without debug info */
			return tr__ev_load(e, at, v, &tr__t_int, s.addr);
	}
	return tr__ev_fail(e, at, -TR_ENOENT, "No symbol \"%s\" in current context.",
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

bool
tr_eval_uses_locals(struct tr_eval_env *e, const struct tr_ast *a)
{
	struct tr_var v;

	if (!a || !e->st || !e->st->scope)
		return false;
	/* the scope holds the unit's statics and globals too: only a
	 * block-scope variable or a parameter ties the expression to its
	 * frame (gdb scopes `watch counter` on a global to nothing) */
	if (a->kind == TR_AST_IDENT && a->name &&
	    tr_scope_lookup(e->st->scope, a->name, &v) == 0 &&
	    (v.kind == TR_VAR_LOCAL || v.kind == TR_VAR_PARAM))
		return true;
	if (tr_eval_uses_locals(e, a->a) || tr_eval_uses_locals(e, a->b) ||
	    tr_eval_uses_locals(e, a->c))
		return true;
	for (size_t i = 0; i < a->nargs; i++)
		if (tr_eval_uses_locals(e, a->args[i]))
			return true;
	return false;
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
		return &tr__t_void;
	if (n_bool)
		return &tr__t_bool;
	if (n_flt)
		return &tr__t_float;
	if (n_dbl)
		return n_long ? &tr__t_ldouble : &tr__t_double;
	if (n_char)
		return n_uns ? &tr__t_uchar : n_sig ? &tr__t_schar : &tr__t_char;
	if (n_short)
		return n_uns ? &tr__t_ushort : &tr__t_short;
	if (n_long >= 2)
		return n_uns ? &tr__t_ullong : &tr__t_llong;
	if (n_long)
		return n_uns ? &tr__t_ulong : &tr__t_long;
	return n_uns ? &tr__t_uint : &tr__t_int;
}

int
tr__ev_type_of_name(struct tr_eval_env *e, const struct tr_ast *at,
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
		return tr__ev_fail(e, at, -TR_ENOENT, "No struct type named %s.",
			    tn->base + 7);
	if (!t && !strncmp(tn->base, "union ", 6))
		return tr__ev_fail(e, at, -TR_ENOENT, "No union type named %s.",
			    tn->base + 6);
	if (!t && !strncmp(tn->base, "enum ", 5))
		return tr__ev_fail(e, at, -TR_ENOENT, "No enum type named %s.",
			    tn->base + 5);
	if (!t)
		return tr__ev_fail(e, at, -TR_ENOENT, "No symbol \"%s\" in current "
			    "context.", tn->base);
	for (size_t i = 0; i < tn->nops && t; i++) {
		const struct tr_tn_op *op = &tn->ops[i];
		const struct tr_type *pv[TR_CALL_MAX_ARGS];

		switch (op->kind) {
		case TR_TN_PTR:
			t = tr__ev_pointer_to(e, t);
			break;
		case TR_TN_ARRAY:
			t = tr__ev_array_of(e, t, op->len);
			if (t && !op->len) {
				/* []: no length, no size */
				struct tr_type *u = (struct tr_type *)t;

				u->count_known = false;
			}
			break;
		case TR_TN_CONST:
			t = tr__ev_qualified(e, t, TR_TYPE_CONST);
			break;
		case TR_TN_VOLATILE:
			t = tr__ev_qualified(e, t, TR_TYPE_VOLATILE);
			break;
		case TR_TN_FUNC:
			if (op->nparams > TR_CALL_MAX_ARGS)
				return tr__ev_fail(e, at, -TR_EINVAL, "Too many "
						   "parameters (at most %d).",
						   TR_CALL_MAX_ARGS);
			for (size_t k = 0; k < op->nparams; k++) {
				const struct tr_type *p;
				int err = tr__ev_type_of_name(
					e, at, &op->params[k], &p);

				if (err)
					return err;
				/* an array or function parameter is a
				 * pointer (C11 6.7.6.3) */
				if (tr__ev_strip(p)->kind == TR_TYPE_ARRAY)
					p = tr__ev_pointer_to(
						e, tr__ev_strip(p)->target);
				else if (tr__ev_strip(p)->kind ==
					 TR_TYPE_FUNCTION)
					p = tr__ev_pointer_to(e, p);
				if (!p)
					return tr__ev_fail(e, at, -TR_ENOMEM,
							   "Out of memory.");
				pv[k] = p;
			}
			t = tr__ev_function(e, t, pv, op->nparams,
					    op->prototyped, op->variadic);
			break;
		}
	}
	if (!t)
		return tr__ev_fail(e, at, -TR_ENOMEM, "Out of memory.");
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

unsigned long long *
tr__ev_gp_field(struct user_regs_struct *r, unsigned ureg)
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

bool
tr__ev_is_reg(const char *name)
{
	for (size_t i = 0; i < sizeof(reg_names) / sizeof(reg_names[0]); i++)
		if (!strcmp(reg_names[i].name, name))
			return true;
	return tr__ev_is_vreg(name);
}

int
tr__ev_reg_value(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v)
{
	const struct tr_frame *f;
	uint64_t x;
	unsigned i;

	for (i = 0; i < sizeof(reg_names) / sizeof(reg_names[0]); i++)
		if (!strcmp(reg_names[i].name, at->name))
			break;
	if (i == sizeof(reg_names) / sizeof(reg_names[0]) &&
	    tr__ev_is_vreg(at->name))
		return tr__ev_vreg_value(e, at, v);
	if (i == sizeof(reg_names) / sizeof(reg_names[0]))
		return tr__ev_fail(e, at, -TR_ENOENT, "Invalid register \"$%s\".",
			    at->name);
	if (!e->have_regs)
		return tr__ev_fail(e, at, -TR_ERUNNING, "The thread is running.");
	f = &e->st->frames[e->st->phys];
	if (reg_names[i].ureg == 99) {
		x = f->pc;
	} else if (e->st->phys == 0) {
		x = *tr__ev_gp_field(&e->regs.gp, reg_names[i].ureg);
	} else if (reg_names[i].ureg == TR_UREG_RSP) {
		x = f->cfa ? f->cfa : f->regs[TR_UREG_RSP];
		if (f->valid & (1u << TR_UREG_RSP))
			x = f->regs[TR_UREG_RSP];
	} else if (reg_names[i].ureg < TR_UREG_COUNT &&
		   (f->valid & (1u << reg_names[i].ureg))) {
		x = f->regs[reg_names[i].ureg];
	} else {
		tr__ev_vzero(v, &tr__t_long);
		v->optimized_out = true;
		return 0;
	}
	if (reg_names[i].ureg == 99)
		tr__ev_vint(e, v, &tr__t_codep, x);
	else if (reg_names[i].ureg == TR_UREG_RSP ||
		 reg_names[i].ureg == TR_UREG_RBP)
		tr__ev_vint(e, v, reg_names[i].size == 8 ? &tr__t_voidp : &tr__t_int, x);
	else if (reg_names[i].ureg == 98)
		tr__ev_vint(e, v, &tr__t_eflags, x);
	else
		tr__ev_vint(e, v, reg_names[i].size == 8 ? &tr__t_long
			   : reg_names[i].size == 4 ? &tr__t_int
			   : reg_names[i].size == 2 ? &tr__t_short : &tr__t_schar, x);
	if (e->st->phys == 0) {
		v->lval = TR_LVAL_REGISTER;
		v->reg = UREG_LVAL + reg_names[i].ureg;
	}
	return 0;
}
