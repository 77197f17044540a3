/* scope.c: the variables a pc sees: function bodies and unit variables read from DWARF on first use, cached. */
#include <stdlib.h>
#include <string.h>

#include "symbols/dwarf_int.h"
#include "symbols/dwarf_type.h"
#include "base/error.h"
#include "base/log.h"
#include "symbols/scope.h"

#define NEST_MAX 64 /* deeper block nesting is ignored */

struct range {
	uint64_t lo, hi;
};

struct svar {
	const char *name;
	uint64_t die;
	uint64_t origin; /* DW_AT_abstract_origin, 0 none */
	uint64_t type;   /* type DIE, 0 none */
	uint32_t line;
	bool param;
	bool external;
	bool decl;       /* a declaration only ("extern int x;" in a block) */
};

/* An enumerator of an enumeration type declared in a block. */
struct senum {
	const char *name;
	uint64_t type; /* the enumeration type's DIE */
};

struct sblock {
	uint64_t die;
	bool inlined;      /* DW_TAG_inlined_subroutine: a scope of its own */
	const char *name;  /* inlined: the function's name */
	char *call_file;   /* inlined: DW_AT_call_file, its name (owned) */
	uint32_t call_line; /* inlined: DW_AT_call_line */
	uint64_t entry;    /* inlined: DW_AT_entry_pc, else its lowest pc */
	uint64_t origin;   /* inlined: the abstract DIE (DW_AT_abstract_origin) */
	struct range *r;
	size_t nr;
	struct svar *vars; /* in DIE order */
	size_t nvars, cap_vars;
	struct senum *enums; /* enumerators declared in the block */
	size_t nenums, cap_enums;
	struct sblock *kids;
	size_t nkids, cap_kids;
};

/* A call the function makes (DW_TAG_call_site): what entry values in
 * the callee are read from. */
struct scall {
	uint64_t ret;    /* link-time return address */
	uint64_t origin; /* the callee's DIE (DW_AT_call_origin), 0 none */
	uint64_t die;    /* the call site's DIE, for its parameters */
	bool tail;       /* DW_AT_call_tail_call: a jump, not a call */
	bool target;     /* DW_AT_call_target: an indirect call's target */
};

struct sfunc {
	struct sblock top;
	const char *name;
	struct scall *calls; /* by DIE order */
	size_t ncalls, cap_calls;
};

struct uvars {
	struct svar *vars;
	size_t n;
};

struct scache {
	struct tr__map funcs; /* subprogram DIE -> struct sfunc */
	struct tr__map units; /* unit index + 1 -> struct uvars */
	struct tr__map names; /* subprogram DIE -> its linkage name, or
			       * no_name */
};

static const char no_name[1];

static void
block_free(struct sblock *b)
{
	for (size_t i = 0; i < b->nkids; i++)
		block_free(&b->kids[i]);
	free(b->kids);
	free(b->enums);
	free(b->vars);
	free(b->r);
	free(b->call_file);
}

static void
sfunc_free(void *p)
{
	struct sfunc *f = p;

	block_free(&f->top);
	free(f->calls);
	free(f);
}

static void
uvars_free(void *p)
{
	struct uvars *u = p;

	free(u->vars);
	free(u);
}

static void
scache_free(void *p)
{
	struct scache *c = p;

	tr__map_free(&c->funcs, sfunc_free);
	tr__map_free(&c->units, uvars_free);
	tr__map_free(&c->names, NULL);
	free(c);
}

static struct scache *
scache_get(struct tr_dwarf *d)
{
	return tr__dwarf_slot(d, TR__SLOT_SCOPES, sizeof(struct scache),
			      scache_free);
}

/* ---- reading a function body ------------------------------------------ */

struct sbuild {
	struct tr_dwarf *d;
	Dwarf_Debug dbg;
	uint16_t version;
	uint64_t cu_base; /* DWARF 4 .debug_ranges are relative to it */
	char **files;     /* dwarf_srcfiles of the unit, for call_file */
	Dwarf_Signed nfiles;
	struct sfunc *f;  /* the function being read */
	int err;
};

/* Name, type and line of a variable, from its DIE or the abstract one it
 * stands for (the concrete DIEs of inlined and cloned code carry only a
 * location). */
static void
var_info(struct sbuild *b, Dwarf_Die die, struct svar *v)
{
	Dwarf_Die cur = die, origin;
	uint64_t u;

	v->die = tr__die_off(b->dbg, die);
	tr__die_ref(b->dbg, die, DW_AT_abstract_origin, &v->origin);
	v->decl = tr__die_flag(b->dbg, die, DW_AT_declaration) &&
		  !tr__die_has(b->dbg, die, DW_AT_location);
	for (int i = 0; i < 4; i++) {
		if (!v->name)
			v->name = tr__die_name(b->dbg, cur);
		if (!v->type)
			tr__die_ref(b->dbg, cur, DW_AT_type, &v->type);
		if (!v->line && tr__die_int(b->dbg, cur, DW_AT_decl_line, NULL,
					    &u) == 0)
			v->line = (uint32_t)u;
		if (!v->external)
			v->external = tr__die_flag(b->dbg, cur, DW_AT_external);
		if (tr__die_origin(b->d, cur, &origin) < 0)
			break;
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = origin;
	}
	if (cur != die)
		dwarf_dealloc_die(cur);
}

static int
add_range(struct sblock *blk, uint64_t lo, uint64_t hi)
{
	struct range *r;

	if (hi <= lo)
		return 0;
	r = realloc(blk->r, (blk->nr + 1) * sizeof(*r));
	if (!r)
		return -TR_ENOMEM;
	blk->r = r;
	r[blk->nr].lo = lo;
	r[blk->nr].hi = hi;
	blk->nr++;
	return 0;
}

/* DW_AT_ranges: DWARF 5 .debug_rnglists (libdwarf gives the addresses),
 * DWARF 2-4 .debug_ranges (relative to the unit's base address). */
static void
die_ranges(struct sbuild *b, Dwarf_Die die, struct sblock *blk)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned val = 0;
	Dwarf_Off off = 0;
	int res;

	if (dwarf_attr(die, DW_AT_ranges, &attr, &err) != DW_DLV_OK) {
		if (err)
			dwarf_dealloc_error(b->dbg, err);
		return;
	}
	err = NULL;
	res = dwarf_whatform(attr, &form, &err);
	if (res == DW_DLV_OK && form == DW_FORM_rnglistx) {
		res = dwarf_formudata(attr, &val, &err);
	} else if (res == DW_DLV_OK) {
		res = dwarf_global_formref(attr, &off, &err);
		val = off;
	}
	if (res != DW_DLV_OK)
		goto out;
	if (b->version >= 5) {
		Dwarf_Rnglists_Head head;
		Dwarf_Unsigned count = 0, goff;

		err = NULL;
		res = dwarf_rnglists_get_rle_head(attr, form, val, &head,
						  &count, &goff, &err);
		if (res != DW_DLV_OK)
			goto out;
		for (Dwarf_Unsigned i = 0; i < count; i++) {
			unsigned len, code;
			Dwarf_Unsigned r1, r2, c1, c2;
			Dwarf_Bool unavail = 0;

			err = NULL;
			if (dwarf_get_rnglists_entry_fields_a(head, i, &len,
				&code, &r1, &r2, &unavail, &c1, &c2,
				&err) != DW_DLV_OK) {
				if (err)
					dwarf_dealloc_error(b->dbg, err);
				continue;
			}
			if (unavail || code == DW_RLE_end_of_list ||
			    code == DW_RLE_base_address ||
			    code == DW_RLE_base_addressx)
				continue;
			if (add_range(blk, c1, c2) < 0)
				b->err = -TR_ENOMEM;
		}
		dwarf_dealloc_rnglists_head(head);
	} else {
		Dwarf_Ranges *rb;
		Dwarf_Signed n = 0;
		Dwarf_Unsigned bytes;
		Dwarf_Off real;
		uint64_t base = b->cu_base;

		err = NULL;
		res = dwarf_get_ranges_b(b->dbg, val, die, &real, &rb, &n,
					 &bytes, &err);
		if (res != DW_DLV_OK)
			goto out;
		for (Dwarf_Signed i = 0; i < n; i++) {
			if (rb[i].dwr_type == DW_RANGES_END)
				break;
			if (rb[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
				base = rb[i].dwr_addr2;
				continue;
			}
			if (add_range(blk, base + rb[i].dwr_addr1,
				      base + rb[i].dwr_addr2) < 0)
				b->err = -TR_ENOMEM;
		}
		dwarf_ranges_dealloc(b->dbg, rb, n);
	}
out:
	if (res == DW_DLV_ERROR && err)
		dwarf_dealloc_error(b->dbg, err);
	dwarf_dealloc_attribute(attr);
}

static void
block_ranges(struct sbuild *b, Dwarf_Die die, struct sblock *blk)
{
	Dwarf_Error err = NULL;
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;
	int res;

	res = dwarf_lowpc(die, &lo, &err);
	if (res == DW_DLV_OK) {
		err = NULL;
		res = dwarf_highpc_b(die, &hi, &form, &cls, &err);
		if (res == DW_DLV_OK) {
			/* DWARF 4+: high_pc may be a length. */
			if (cls == DW_FORM_CLASS_CONSTANT)
				hi += lo;
			if (add_range(blk, lo, hi) < 0)
				b->err = -TR_ENOMEM;
		}
	}
	if (res == DW_DLV_ERROR && err)
		dwarf_dealloc_error(b->dbg, err);
	if (res != DW_DLV_OK)
		die_ranges(b, die, blk);
}

static int
add_var(struct sblock *blk, const struct svar *v)
{
	if (blk->nvars == blk->cap_vars) {
		size_t c = blk->cap_vars ? blk->cap_vars * 2 : 8;
		struct svar *a = realloc(blk->vars, c * sizeof(*a));

		if (!a)
			return -TR_ENOMEM;
		blk->vars = a;
		blk->cap_vars = c;
	}
	blk->vars[blk->nvars++] = *v;
	return 0;
}

static int
add_kid(struct sblock *blk, const struct sblock *kid)
{
	if (blk->nkids == blk->cap_kids) {
		size_t c = blk->cap_kids ? blk->cap_kids * 2 : 4;
		struct sblock *a = realloc(blk->kids, c * sizeof(*a));

		if (!a)
			return -TR_ENOMEM;
		blk->kids = a;
		blk->cap_kids = c;
	}
	blk->kids[blk->nkids++] = *kid;
	return 0;
}

/*
 * The parameters of an inlined or cloned function, in the order of its
 * abstract DIE: the concrete DIE lists only those that still exist, and
 * gdb shows the others as optimized out.
 */
/*
 * Parameters the concrete DIE of a clone or an inlined call leaves out
 * (unused, or passed some other way) are the abstract DIE's: appended
 * after the concrete ones, which keep their order, as gdb lists them
 * ("entry_callee (b=..., unused_a=...)" when a clone moved b first).
 */
static void
abstract_params(struct sbuild *b, struct sblock *blk, uint64_t origin)
{
	Dwarf_Die odie, kid;
	bool ok;

	if (tr__die_at(b->d, origin, &odie) < 0)
		return;
	for (ok = tr__die_child(b->dbg, odie, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		uint64_t off = tr__die_off(b->dbg, kid);
		struct svar v;
		size_t i;

		if (tr__die_tag(b->dbg, kid) != DW_TAG_formal_parameter)
			continue;
		for (i = 0; i < blk->nvars; i++)
			if (blk->vars[i].param && blk->vars[i].origin == off)
				break;
		if (i < blk->nvars)
			continue;
		memset(&v, 0, sizeof(v));
		var_info(b, kid, &v);
		v.param = true;
		if (v.name && add_var(blk, &v) < 0) {
			b->err = -TR_ENOMEM;
			dwarf_dealloc_die(kid);
			break;
		}
	}
	dwarf_dealloc_die(odie);
}

/* An inlined call: its function's name, and its parameters in order. */
/* Where an inlined call is: DW_AT_call_file (numbered from 0 in DWARF 5,
 * from 1 before, FIELD-NOTES), DW_AT_call_line, and its entry pc. */
static void
inlined_site(struct sbuild *b, Dwarf_Die die, struct sblock *blk)
{
	uint64_t u;

	if (tr__die_int(b->dbg, die, DW_AT_call_line, NULL, &u) == 0)
		blk->call_line = (uint32_t)u;
	if (tr__die_int(b->dbg, die, DW_AT_call_file, NULL, &u) == 0) {
		int64_t i = (int64_t)u - (b->version >= 5 ? 0 : 1);

		if (i >= 0 && i < b->nfiles && b->files[i] &&
		    !(blk->call_file = strdup(b->files[i])))
			b->err = -TR_ENOMEM;
	}
	blk->entry = UINT64_MAX;
	for (size_t i = 0; i < blk->nr; i++)
		if (blk->r[i].lo < blk->entry)
			blk->entry = blk->r[i].lo;
	{
		Dwarf_Addr a;
		Dwarf_Attribute attr;
		Dwarf_Error err = NULL;

		/* DW_AT_entry_pc: an address (DWARF 4), or an offset from
		 * the low pc (DWARF 5 constant class). */
		if (tr__dlv(b->dbg, dwarf_attr(die, DW_AT_entry_pc, &attr,
					       &err), err) == 0) {
			err = NULL;
			if (tr__dlv(b->dbg, dwarf_formaddr(attr, &a, &err),
				    err) == 0)
				blk->entry = a;
			else if (tr__die_int(b->dbg, die, DW_AT_entry_pc, NULL,
					     &u) == 0 && blk->nr &&
				 tr__die_has(b->dbg, die, DW_AT_low_pc))
				blk->entry = blk->r[0].lo + u;
			dwarf_dealloc_attribute(attr);
		}
	}
}

static void
inlined_origin(struct sbuild *b, Dwarf_Die die, struct sblock *blk)
{
	uint64_t origin = 0;
	Dwarf_Die odie;

	if (tr__die_ref(b->dbg, die, DW_AT_abstract_origin, &origin) < 0)
		return;
	blk->origin = origin;
	abstract_params(b, blk, origin);
	if (tr__die_at(b->d, origin, &odie) == 0) {
		blk->name = tr__die_name(b->dbg, odie);
		dwarf_dealloc_die(odie);
	}
}

/* The enumerators of enumeration type `type`, declared in blk. */
static void
block_enums(struct sbuild *b, Dwarf_Die type, struct sblock *blk)
{
	uint64_t off = tr__die_off(b->dbg, type);
	Dwarf_Die kid;
	bool ok;

	if (tr__die_flag(b->dbg, type, DW_AT_declaration))
		return;
	for (ok = tr__die_child(b->dbg, type, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		const char *name = tr__die_name(b->dbg, kid);

		if (tr__die_tag(b->dbg, kid) != DW_TAG_enumerator || !name)
			continue;
		if (blk->nenums == blk->cap_enums) {
			size_t c = blk->cap_enums ? blk->cap_enums * 2 : 8;
			struct senum *a = realloc(blk->enums, c * sizeof(*a));

			if (!a) {
				b->err = -TR_ENOMEM;
				dwarf_dealloc_die(kid);
				return;
			}
			blk->enums = a;
			blk->cap_enums = c;
		}
		blk->enums[blk->nenums].name = name;
		blk->enums[blk->nenums++].type = off;
	}
}

/* Enumeration types declared in the abstract DIE a concrete block or
 * function stands for (-O2 keeps them there only). */
static void
origin_enums(struct sbuild *b, Dwarf_Die die, struct sblock *blk)
{
	Dwarf_Die origin, kid;
	bool ok;

	if (tr__die_origin(b->d, die, &origin) < 0)
		return;
	for (ok = tr__die_child(b->dbg, origin, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid))
		if (tr__die_tag(b->dbg, kid) == DW_TAG_enumeration_type)
			block_enums(b, kid, blk);
	dwarf_dealloc_die(origin);
}

/* An address attribute (DW_AT_call_return_pc, DW_AT_low_pc). */
static bool
die_addr(struct sbuild *b, Dwarf_Die die, Dwarf_Half at, uint64_t *out)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Addr a = 0;
	int res;

	if (tr__dlv(b->dbg, dwarf_attr(die, at, &attr, &err), err) < 0)
		return false;
	err = NULL;
	res = tr__dlv(b->dbg, dwarf_formaddr(attr, &a, &err), err);
	dwarf_dealloc_attribute(attr);
	*out = a;
	return res == 0;
}

/* A call site: DWARF 5's DW_TAG_call_site (DW_AT_call_return_pc), or
 * the GNU one of DWARF 4 (DW_AT_low_pc is the return address). */
static void
add_call(struct sbuild *b, Dwarf_Die die)
{
	struct scall c = { .die = tr__die_off(b->dbg, die) };
	struct sfunc *f = b->f;

	if (!f || (!die_addr(b, die, DW_AT_call_return_pc, &c.ret) &&
		   !die_addr(b, die, DW_AT_low_pc, &c.ret)))
		return;
	if (tr__die_ref(b->dbg, die, DW_AT_call_origin, &c.origin) < 0 &&
	    tr__die_ref(b->dbg, die, DW_AT_abstract_origin, &c.origin) < 0)
		c.origin = 0;
	c.tail = tr__die_flag(b->dbg, die, DW_AT_call_tail_call) ||
		 tr__die_flag(b->dbg, die, DW_AT_GNU_tail_call);
	c.target = tr__die_has(b->dbg, die, DW_AT_call_target) ||
		   tr__die_has(b->dbg, die, DW_AT_GNU_call_site_target);
	if (f->ncalls == f->cap_calls) {
		size_t n = f->cap_calls ? f->cap_calls * 2 : 8;
		struct scall *a = realloc(f->calls, n * sizeof(*a));

		if (!a) {
			b->err = -TR_ENOMEM;
			return;
		}
		f->calls = a;
		f->cap_calls = n;
	}
	f->calls[f->ncalls++] = c;
}

static void
walk(struct sbuild *b, Dwarf_Die parent, struct sblock *blk, int depth)
{
	Dwarf_Die kid;
	bool ok;

	if (depth > NEST_MAX)
		return;
	for (ok = tr__die_child(b->dbg, parent, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		int tag = tr__die_tag(b->dbg, kid);
		struct sblock nb;
		struct svar v;

		switch (tag) {
		case DW_TAG_enumeration_type:
			block_enums(b, kid, blk);
			break;
		case DW_TAG_formal_parameter:
		case DW_TAG_variable:
			memset(&v, 0, sizeof(v));
			var_info(b, kid, &v);
			v.param = tag == DW_TAG_formal_parameter;
			if (v.name && add_var(blk, &v) < 0)
				b->err = -TR_ENOMEM;
			break;
		case DW_TAG_call_site:
		case DW_TAG_GNU_call_site:
			add_call(b, kid);
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_inlined_subroutine:
			memset(&nb, 0, sizeof(nb));
			nb.die = tr__die_off(b->dbg, kid);
			nb.inlined = tag == DW_TAG_inlined_subroutine;
			block_ranges(b, kid, &nb);
			if (!nb.nr && !nb.inlined) {
				/* A block without code of its own: its
				 * variables belong to the enclosing block,
				 * as gdb reads it. */
				walk(b, kid, blk, depth + 1);
				break;
			}
			if (!nb.nr) {
				/* An inlined call with no code left. */
				block_free(&nb);
				break;
			}
			walk(b, kid, &nb, depth + 1);
			origin_enums(b, kid, &nb);
			if (nb.inlined) {
				inlined_origin(b, kid, &nb);
				inlined_site(b, kid, &nb);
			}
			if (add_kid(blk, &nb) < 0) {
				block_free(&nb);
				b->err = -TR_ENOMEM;
			}
			break;
		default:
			break;
		}
	}
}

static struct sfunc *
func_build(struct tr_dwarf *d, uint64_t off, uint32_t cu)
{
	struct sbuild b = { .d = d, .dbg = tr__dwarf_dbg(d) };
	const struct tr_dw_cu *u = tr_dwarf_cu(d, cu);
	struct sfunc *f;
	Dwarf_Die die, odie, udie;
	uint64_t origin = 0;

	if (tr__die_at(d, off, &die) < 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		dwarf_dealloc_die(die);
		return NULL;
	}
	b.version = tr__dwarf_cu_version(d, cu);
	b.cu_base = u ? u->lowpc : 0;
	f->top.die = off;
	f->name = tr__die_name(b.dbg, die);
	b.f = f;
	if (u && tr__die_at(d, u->die, &udie) == 0) {
		Dwarf_Error err = NULL;

		if (tr__dlv(b.dbg, dwarf_srcfiles(udie, &b.files, &b.nfiles,
						  &err), err) < 0) {
			b.files = NULL;
			b.nfiles = 0;
		}
		dwarf_dealloc_die(udie);
	}
	walk(&b, die, &f->top, 0);
	origin_enums(&b, die, &f->top);
	for (Dwarf_Signed i = 0; i < b.nfiles; i++)
		dwarf_dealloc(b.dbg, b.files[i], DW_DLA_STRING);
	if (b.files)
		dwarf_dealloc(b.dbg, b.files, DW_DLA_LIST);
	/* A clone (foo.constprop.0, foo.isra.0) or the out-of-line copy of
	 * an inline function: the abstract DIE has the name and every
	 * parameter. */
	if (tr__die_ref(b.dbg, die, DW_AT_abstract_origin, &origin) == 0) {
		abstract_params(&b, &f->top, origin);
		if (!f->name && tr__die_at(d, origin, &odie) == 0) {
			f->name = tr__die_name(b.dbg, odie);
			dwarf_dealloc_die(odie);
		}
	}
	dwarf_dealloc_die(die);
	if (b.err < 0)
		tr_log_warn("scope: function at DIE %#lx: %s",
			    (unsigned long)off, tr_strerror(b.err));
	return f;
}

static struct uvars *
unit_build(struct tr_dwarf *d, uint32_t cu)
{
	struct sbuild b = { .d = d, .dbg = tr__dwarf_dbg(d) };
	const struct tr_dw_cu *u = tr_dwarf_cu(d, cu);
	struct uvars *uv;
	size_t cap = 0;
	Dwarf_Die die, kid;
	bool ok;

	if (!u || tr__die_at(d, u->die, &die) < 0)
		return NULL;
	uv = calloc(1, sizeof(*uv));
	if (!uv) {
		dwarf_dealloc_die(die);
		return NULL;
	}
	for (ok = tr__die_child(b.dbg, die, &kid) == 0; ok;
	     ok = tr__die_step(b.dbg, &kid)) {
		struct svar v;

		if (tr__die_tag(b.dbg, kid) != DW_TAG_variable)
			continue;
		/* Declarations ("extern int x;" from a header) name
		 * variables defined elsewhere: the lookup finds those. */
		if (tr__die_flag(b.dbg, kid, DW_AT_declaration))
			continue;
		memset(&v, 0, sizeof(v));
		var_info(&b, kid, &v);
		if (!v.name)
			continue;
		if (uv->n == cap) {
			size_t c = cap ? cap * 2 : 16;
			struct svar *a = realloc(uv->vars, c * sizeof(*a));

			if (!a) {
				dwarf_dealloc_die(kid);
				break;
			}
			uv->vars = a;
			cap = c;
		}
		uv->vars[uv->n++] = v;
	}
	dwarf_dealloc_die(die);
	return uv;
}

static const struct sfunc *
func_get(struct tr_dwarf *d, struct scache *c, uint64_t die, uint32_t cu)
{
	struct sfunc *f = tr__map_get(&c->funcs, die);

	if (f)
		return f;
	f = func_build(d, die, cu);
	if (f && tr__map_put(&c->funcs, die, f) < 0) {
		sfunc_free(f);
		f = NULL;
	}
	return f;
}

static const struct uvars *
unit_get(struct tr_dwarf *d, struct scache *c, uint32_t cu)
{
	struct uvars *u = tr__map_get(&c->units, (uint64_t)cu + 1);

	if (u)
		return u;
	u = unit_build(d, cu);
	if (u && tr__map_put(&c->units, (uint64_t)cu + 1, u) < 0) {
		uvars_free(u);
		u = NULL;
	}
	return u;
}

/* ---- the scope at a pc ------------------------------------------------ */

static bool
contains(const struct sblock *b, uint64_t pc)
{
	for (size_t i = 0; i < b->nr; i++)
		if (pc >= b->r[i].lo && pc < b->r[i].hi)
			return true;
	return false;
}

static const struct tr_type *
type_of(struct tr_dwarf *d, uint64_t die)
{
	const struct tr_type *t;

	if (!die || tr_dwarf_type_get(d, die, &t) < 0)
		return tr_type_void();
	return t;
}

/* A variable defined outside any function: the first external
 * definition, else (as gdb does) a static of some other unit. */
static int
global_lookup(struct tr_dwarf *d, const char *name, struct tr_var *out)
{
	const struct tr_dw_entry *ents[32], *pick = NULL;
	struct sbuild b = { .d = d, .dbg = tr__dwarf_dbg(d) };
	struct svar v;
	size_t n = 0;
	Dwarf_Die die;

	if (tr_dwarf_lookup(d, name, TR_DW_VAR, ents, 32, &n) < 0)
		return -TR_ENOENT;
	for (size_t i = 0; i < n && i < 32; i++) {
		if (ents[i]->declaration)
			continue;
		if (ents[i]->external) {
			pick = ents[i];
			break;
		}
		if (!pick)
			pick = ents[i];
	}
	if (!pick || tr__die_at(d, pick->die, &die) < 0)
		return -TR_ENOENT;
	memset(&v, 0, sizeof(v));
	var_info(&b, die, &v);
	dwarf_dealloc_die(die);
	memset(out, 0, sizeof(*out));
	out->name = pick->name;
	out->die = pick->die;
	out->type = type_of(d, v.type);
	out->kind = pick->external ? TR_VAR_GLOBAL : TR_VAR_STATIC;
	out->decl_line = v.line;
	return 0;
}

static int
emit(struct tr_scope *s, const struct svar *v, enum tr_var_kind kind,
     uint32_t depth, size_t *cap)
{
	struct tr_var *t;

	if (s->nvars == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		struct tr_var *a = realloc(s->vars, c * sizeof(*a));

		if (!a)
			return -TR_ENOMEM;
		s->vars = a;
		*cap = c;
	}
	t = &s->vars[s->nvars];
	memset(t, 0, sizeof(*t));
	t->name = v->name;
	t->die = v->die;
	t->type = type_of(s->dwarf, v->type);
	t->kind = kind;
	t->depth = depth;
	t->decl_line = v->line;
	/* "extern int x;" inside a function: the variable is the global. */
	if (v->decl) {
		struct tr_var g;

		if (global_lookup(s->dwarf, v->name, &g) == 0) {
			t->die = g.die;
			t->kind = g.kind;
			if (t->type->kind == TR_TYPE_VOID)
				t->type = g.type;
		}
	}
	s->nvars++;
	return 0;
}

static int
emit_enum(struct tr_scope *s, const struct senum *en, uint32_t depth,
	  size_t *cap)
{
	struct tr_scope_enum *t;

	if (s->nenums == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct tr_scope_enum *a = realloc(s->enums, c * sizeof(*a));

		if (!a)
			return -TR_ENOMEM;
		s->enums = a;
		*cap = c;
	}
	t = &s->enums[s->nenums++];
	t->name = en->name;
	t->type = type_of(s->dwarf, en->type);
	t->depth = depth;
	return 0;
}

/* The blocks of f containing pc, outermost (the body) first. */
static size_t
chain_at(const struct sfunc *f, uint64_t pc, const struct sblock **chain)
{
	size_t n = 0;

	chain[n++] = &f->top;
	while (n < NEST_MAX + 2) {
		const struct sblock *b = chain[n - 1], *next = NULL;

		for (size_t i = 0; i < b->nkids && !next; i++)
			if (contains(&b->kids[i], pc))
				next = &b->kids[i];
		if (!next)
			break;
		chain[n++] = next;
	}
	return n;
}

static const struct sfunc *
func_of(struct tr_dwarf *d, uint64_t pc, const struct tr_dw_entry **fn)
{
	struct scache *c;

	*fn = tr_dwarf_func_at(d, pc);
	if (!*fn || !(c = scache_get(d)))
		return NULL;
	return func_get(d, c, (*fn)->die, (*fn)->cu);
}

int
tr_scope_inlines(struct tr_dwarf *d, uint64_t pc, struct tr_inline *out,
		 size_t max, size_t *n)
{
	const struct sblock *chain[NEST_MAX + 2];
	const struct tr_dw_entry *fn;
	const struct sfunc *f = func_of(d, pc, &fn);
	size_t nc;

	*n = 0;
	if (!f)
		return fn ? -TR_EINVAL : -TR_ENOENT;
	nc = chain_at(f, pc, chain);
	for (size_t i = nc; i-- > 1;) {
		if (!chain[i]->inlined)
			continue;
		if (*n < max) {
			struct tr_inline *o = &out[*n];

			o->name = chain[i]->name;
			o->call_file = chain[i]->call_file;
			o->call_line = chain[i]->call_line;
			o->entry = chain[i]->entry;
			o->die = chain[i]->die;
			o->starts = chain[i]->entry == pc;
			/* gdb's block_starting_point_at: pc - 1 in
			 * no part of this block */
			for (size_t r = 0; !o->starts &&
			     r < chain[i]->nr; r++)
				o->starts = chain[i]->r[r].lo == pc &&
					    !contains(chain[i], pc - 1);
		}
		(*n)++;
	}
	return 0;
}

int
tr_scope_at(struct tr_dwarf *d, uint64_t pc, struct tr_scope **out)
{
	return tr_scope_at_level(d, pc, 0, out);
}

int
tr_scope_at_level(struct tr_dwarf *d, uint64_t pc, unsigned level,
		  struct tr_scope **out)
{
	const struct tr_dw_entry *fn;
	const struct sblock *chain[NEST_MAX + 2];
	const struct sfunc *f;
	const struct uvars *u;
	struct scache *c;
	struct tr_scope *s;
	size_t n = 0, root = 0, cap = 0, ecap = 0, inl[NEST_MAX + 2];
	size_t ninl = 0;
	int err = 0;

	*out = NULL;
	f = func_of(d, pc, &fn);
	if (!fn)
		return -TR_ENOENT;
	if (!f)
		return -TR_EINVAL;
	c = scache_get(d);
	n = chain_at(f, pc, chain);
	/* The inlined calls at pc, innermost first: level L is the L-th of
	 * them, the function itself after the last. */
	for (size_t i = n; i-- > 1;)
		if (chain[i]->inlined)
			inl[ninl++] = i;
	if (level > ninl)
		return -TR_ERANGE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -TR_ENOMEM;
	s->dwarf = d;
	s->pc = pc;
	s->func_die = fn->die;
	s->func_name = f->name ? f->name : fn->name;
	s->cu = fn->cu;
	s->level = level;
	s->ninlined = (unsigned)ninl;
	/* The blocks of this level: from its root to the next inlined call
	 * inside it (that call's blocks are the inner frame's). */
	if (level > 0)
		n = inl[level - 1];
	if (level < ninl) {
		root = inl[level];
		s->inline_die = chain[root]->die;
		if (chain[root]->name)
			s->func_name = chain[root]->name;
	}
	for (size_t i = n; i-- > root && !err;)
		for (size_t k = 0; k < chain[i]->nvars && !err; k++)
			if (!chain[i]->vars[k].param)
				err = emit(s, &chain[i]->vars[k], TR_VAR_LOCAL,
					   (uint32_t)(i - root), &cap);
	for (size_t i = n; i-- > root && !err;)
		for (size_t k = 0; k < chain[i]->nenums && !err; k++)
			err = emit_enum(s, &chain[i]->enums[k],
					(uint32_t)(i - root), &ecap);
	/* in the concrete DIE's order, as gdb lists them (gcc emits an
	 * inlined call's last to first: "str2K (e=..., fs=...)") */
	for (size_t k = 0; k < chain[root]->nvars && !err; k++) {
		if (chain[root]->vars[k].param)
			err = emit(s, &chain[root]->vars[k], TR_VAR_PARAM, 0,
				   &cap);
	}
	u = unit_get(d, c, fn->cu);
	for (size_t k = 0; u && k < u->n && !err; k++)
		err = emit(s, &u->vars[k],
			   u->vars[k].external ? TR_VAR_GLOBAL : TR_VAR_STATIC,
			   0, &cap);
	if (err < 0) {
		tr_scope_free(s);
		return err;
	}
	/* The first of a name wins: later ones are hidden. */
	for (size_t i = 0; i < s->nvars; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->vars[k].name, s->vars[i].name) == 0) {
				s->vars[i].shadowed = true;
				break;
			}
	*out = s;
	return 0;
}

void
tr_scope_free(struct tr_scope *s)
{
	if (!s)
		return;
	free(s->vars);
	free(s->enums);
	free(s);
}

int
tr_scope_lookup(const struct tr_scope *s, const char *name, struct tr_var *out)
{
	for (size_t i = 0; i < s->nvars; i++) {
		const struct tr_var *v = &s->vars[i];

		if (!v->shadowed && strcmp(v->name, name) == 0) {
			*out = *v;
			return 0;
		}
	}
	return global_lookup(s->dwarf, name, out);
}

int
tr_scope_var_loc(const struct tr_scope *s, const struct tr_var *v,
		 const struct tr_loc_frame *f, struct tr_loc *out)
{
	struct tr_loc_frame g = *f;

	g.func_die = s->func_die;
	return tr_loc_eval_var(s->dwarf, v->die, &g, out);
}

int
tr_scope_var_read(const struct tr_scope *s, const struct tr_var *v,
		  const struct tr_loc_frame *f, void *buf, size_t len,
		  uint8_t *avail)
{
	struct tr_loc_frame g = *f;
	struct tr_loc *loc;
	int err;

	/* struct tr_loc is large: keep it off small thread stacks. */
	loc = malloc(sizeof(*loc));
	if (!loc)
		return -TR_ENOMEM;
	g.func_die = s->func_die;
	err = tr_loc_eval_var(s->dwarf, v->die, &g, loc);
	if (err == 0)
		err = tr_loc_read(loc, &g, buf, len, avail);
	else
		memset(buf, 0, len);
	free(loc);
	return err;
}

/* The name of a function's DIE, through its abstract origin or
 * specification (a clone, a declaration's definition). */
static const char *
func_name_of(struct tr_dwarf *d, uint64_t off)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	const char *name = NULL;
	Dwarf_Die die, o;

	if (tr__die_at(d, off, &die) < 0)
		return NULL;
	for (int i = 0; i < 4 && !(name = tr__die_name(dbg, die)); i++) {
		if (tr__die_origin(d, die, &o) < 0)
			break;
		dwarf_dealloc_die(die);
		die = o;
	}
	dwarf_dealloc_die(die);
	return name;
}

/* Whether gdb knows where a call site's DW_AT_call_origin is: a
 * declaration (found by its name) or a DIE with code; an abstract
 * instance of an inlined function (DW_AT_inline, no pc) says nothing. */
static bool
origin_known(struct tr_dwarf *d, uint64_t off)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	Dwarf_Die die;
	bool ok;

	if (!off || tr__die_at(d, off, &die) < 0)
		return false;
	ok = tr__die_flag(dbg, die, DW_AT_declaration) ||
	     tr__die_has(dbg, die, DW_AT_low_pc) ||
	     tr__die_has(dbg, die, DW_AT_ranges) ||
	     tr__die_has(dbg, die, DW_AT_entry_pc);
	dwarf_dealloc_die(die);
	return ok;
}

int
tr_scope_call_value(struct tr_dwarf *d, uint64_t ret,
		    bool (*is_callee)(void *ctx, const char *name),
		    void *ctx, unsigned reg, uint64_t param,
		    const uint8_t **expr, size_t *len, uint64_t *site,
		    const uint8_t **target, size_t *tlen)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	const struct tr_dw_entry *fn;
	const struct sfunc *f = func_of(d, ret - 1, &fn);
	const struct scall *c = NULL;
	const char *oname, *lname;
	Dwarf_Die die, kid;
	bool ok;
	int found = -TR_ENOENT;

	if (!f)
		return -TR_ENOENT;
	for (size_t i = 0; i < f->ncalls && !c; i++)
		if (f->calls[i].ret == ret)
			c = &f->calls[i];
	/* Only a call known to be to this callee says what it passed (a
	 * call through a pointer, or to another function, says nothing). */
	*target = NULL;
	*tlen = 0;
	if (!c || !is_callee)
		return -TR_ENOENT;
	if (tr__die_at(d, c->die, &die) < 0)
		return -TR_ENOENT;
	if (!c->origin && c->target) {
		/* an indirect call: its target is an expression the
		 * caller checks in its frame */
		Dwarf_Attribute attr;
		Dwarf_Error err = NULL;
		Dwarf_Unsigned n = 0;
		Dwarf_Ptr p = NULL;

		if (tr__dlv(dbg, dwarf_attr(die, DW_AT_call_target, &attr,
					    &err), err) < 0) {
			err = NULL;
			if (tr__dlv(dbg, dwarf_attr(die,
				DW_AT_GNU_call_site_target, &attr, &err),
				err) < 0) {
				dwarf_dealloc_die(die);
				return -TR_ENOENT;
			}
		}
		err = NULL;
		if (tr__dlv(dbg, dwarf_formexprloc(attr, &n, &p, &err), err) ==
		    0 && n > 0) {
			*target = p;
			*tlen = n;
		}
		dwarf_dealloc_attribute(attr);
		if (!*target) {
			dwarf_dealloc_die(die);
			return -TR_ENOENT;
		}
	} else if (!c->origin || !origin_known(d, c->origin) ||
		   (!((oname = func_name_of(d, c->origin)) &&
		      is_callee(ctx, oname)) &&
		    !((lname = tr_scope_linkage_name(d, c->origin)) &&
		      is_callee(ctx, lname)))) {
		/* the callee by its name, or its linkage name (glibc's
		 * __GI_strtol, an alias of __strtol) */
		dwarf_dealloc_die(die);
		return -TR_ENOENT;
	}
	for (ok = tr__die_child(dbg, die, &kid) == 0; ok && found;
	     ok = tr__die_step(dbg, &kid)) {
		int tag = tr__die_tag(dbg, kid);
		Dwarf_Attribute attr;
		Dwarf_Error err = NULL;
		Dwarf_Unsigned n = 0;
		Dwarf_Ptr p = NULL;
		const uint8_t *q;
		unsigned r;

		if (tag != DW_TAG_call_site_parameter &&
		    tag != DW_TAG_GNU_call_site_parameter)
			continue;
		if (param) {
			uint64_t pd = 0;

			/* the parameter it is for, not a register */
			if (tr__die_ref(dbg, kid, DW_AT_call_parameter, &pd) <
				    0 || pd != param)
				continue;
			goto value;
		}
		/* its location: the register, as DW_OP_regN or regx */
		if (tr__dlv(dbg, dwarf_attr(kid, DW_AT_location, &attr, &err),
			    err) < 0)
			continue;
		err = NULL;
		if (tr__dlv(dbg, dwarf_formexprloc(attr, &n, &p, &err), err) <
		    0 || n < 1) {
			dwarf_dealloc_attribute(attr);
			continue;
		}
		q = p;
		dwarf_dealloc_attribute(attr);
		if (q[0] >= DW_OP_reg0 && q[0] <= DW_OP_reg31 && n == 1)
			r = q[0] - DW_OP_reg0;
		else if (q[0] == DW_OP_regx && n >= 2 && !(q[1] & 0x80))
			r = q[1];
		else
			continue;
		if (r != reg)
			continue;
value:
		err = NULL;
		if (tr__dlv(dbg, dwarf_attr(kid, DW_AT_call_value, &attr, &err),
			    err) < 0) {
			err = NULL;
			if (tr__dlv(dbg, dwarf_attr(kid, DW_AT_GNU_call_site_value,
						    &attr, &err), err) < 0)
				continue;
		}
		err = NULL;
		if (tr__dlv(dbg, dwarf_formexprloc(attr, &n, &p, &err), err) ==
		    0 && n > 0) {
			*expr = p;
			*len = n;
			*site = c->die;
			found = 0;
		}
		dwarf_dealloc_attribute(attr);
	}
	if (ok) /* left early: the current child is still ours */
		dwarf_dealloc_die(kid);
	dwarf_dealloc_die(die);
	return found;
}

bool
tr_scope_no_self_tail_call(struct tr_dwarf *d, const char *name)
{
	const char *todo[64], *seen[64];
	size_t ntodo = 0, nseen = 0;
	struct scache *c = scache_get(d);

	if (!c)
		return false;
	todo[ntodo++] = name;
	seen[nseen++] = name;
	while (ntodo) {
		const char *fname = todo[--ntodo];
		const struct tr_dw_entry *ents[4];
		const struct sfunc *f = NULL;
		size_t n = 0;

		if (tr_dwarf_lookup(d, fname, TR_DW_FUNC, ents, 4, &n) < 0)
			continue; /* in another file: its calls are unknown */
		for (size_t i = 0; i < n && i < 4 && !f; i++)
			if (!ents[i]->declaration)
				f = func_get(d, c, ents[i]->die, ents[i]->cu);
		for (size_t i = 0; f && i < f->ncalls; i++) {
			const struct scall *k = &f->calls[i];
			const char *t;

			if (!k->tail)
				continue;
			/* a jump to a target only a frame would tell:
			 * gdb gives up (DW_AT_call_target is not known
			 * without one, or not specified at all) */
			if (!origin_known(d, k->origin) ||
			    !(t = func_name_of(d, k->origin)))
				return false;
			if (strcmp(t, name) == 0)
				return false;
			for (n = 0; n < nseen && strcmp(seen[n], t); n++)
				;
			if (n < nseen)
				continue;
			if (nseen == 64 || ntodo == 64)
				return false; /* too far to tell */
			seen[nseen++] = t;
			todo[ntodo++] = t;
		}
	}
	return true;
}

static void
inlined_of(const struct sblock *b, uint64_t abstract, uint64_t *pcs,
	   size_t max, size_t *n, int depth)
{
	if (depth > NEST_MAX)
		return;
	for (size_t i = 0; i < b->nkids; i++) {
		const struct sblock *k = &b->kids[i];

		if (k->inlined && k->origin == abstract &&
		    k->entry != UINT64_MAX) {
			if (*n < max)
				pcs[*n] = k->entry;
			(*n)++;
		}
		inlined_of(k, abstract, pcs, max, n, depth + 1);
	}
}

int
tr_scope_inlined_at(struct tr_dwarf *d, uint64_t abstract, uint32_t cu,
		    uint64_t *pcs, size_t max, size_t *n)
{
	struct scache *c = scache_get(d);
	size_t nf = tr_dwarf_nfuncs(d);

	*n = 0;
	if (!c)
		return -TR_ENOMEM;
	/* Inlined copies of a unit's function are in that unit's
	 * functions (no cross-unit inlining without LTO). */
	for (size_t i = 0; i < nf; i++) {
		const struct tr_dw_entry *fe = tr_dwarf_func(d, i);
		const struct sfunc *f;

		if (fe->cu != cu || fe->declaration || !fe->lowpc)
			continue;
		f = func_get(d, c, fe->die, fe->cu);
		if (f)
			inlined_of(&f->top, abstract, pcs, max, n, 0);
	}
	return 0;
}

const char *
tr_scope_linkage_name(struct tr_dwarf *d, uint64_t die)
{
	struct scache *c = scache_get(d);
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	const char *name = NULL, *got;
	Dwarf_Die x, o;

	if (!c)
		return NULL;
	got = tr__map_get(&c->names, die);
	if (got)
		return got == no_name ? NULL : got;
	if (tr__die_at(d, die, &x) == 0) {
		/* the concrete DIE of a clone names it through its origin */
		for (int i = 0; i < 4; i++) {
			char *s = NULL;
			Dwarf_Error err = NULL;
			Dwarf_Attribute a;

			if (tr__dlv(dbg, dwarf_attr(x, DW_AT_linkage_name, &a,
						    &err), err) == 0) {
				err = NULL;
				if (tr__dlv(dbg, dwarf_formstring(a, &s, &err),
					    err) == 0)
					name = s;
				dwarf_dealloc_attribute(a);
				break;
			}
			if (tr__die_origin(d, x, &o) < 0)
				break;
			dwarf_dealloc_die(x);
			x = o;
		}
		dwarf_dealloc_die(x);
	}
	tr__map_put(&c->names, die, (void *)(name ? name : no_name));
	return name;
}
