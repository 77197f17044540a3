/* dwarf_walk.c: the index of one file's top-level DIEs, walked with libdwarf where the direct scan gives up. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/leb128.h"
#include "base/log.h"
#include "symbols/dwarf_int.h"

/* ---- attribute helpers ------------------------------------------------ */

static bool
has_flag(Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Bool v = 0;

	if (!DWOK(dwarf_attr(die, at, &attr, &err)))
		return false;
	if (!DWOK(dwarf_formflag(attr, &v, &err)))
		v = 0;
	dwarf_dealloc_attribute(attr);
	return v != 0;
}

/* The DIE an attribute refers to (abstract_origin, specification). */
static bool
ref_attr(Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	bool ok;

	if (!DWOK(dwarf_attr(die, at, &attr, &err)))
		return false;
	ok = DWOK(dwarf_global_formref(attr, off, &err));
	dwarf_dealloc_attribute(attr);
	return ok;
}

/* Name of a DIE, following abstract_origin/specification (at -O2 the
 * concrete copy of a function is unnamed and points to its abstract DIE). */
static const char *
die_name(struct tr_dwarf *d, Dwarf_Die die, int depth)
{
	Dwarf_Error err = NULL;
	char *name = NULL;
	Dwarf_Off off;
	Dwarf_Die other;
	const char *r = NULL;

	if (DWOK(dwarf_diename(die, &name, &err)))
		return name;
	if (depth > 4)
		return NULL;
	if (!ref_attr(die, DW_AT_abstract_origin, &off) &&
	    !ref_attr(die, DW_AT_specification, &off))
		return NULL;
	if (DWOK(dwarf_offdie_b(d->dbg, off, 1, &other, &err))) {
		r = die_name(d, other, depth + 1);
		dwarf_dealloc_die(other);
	}
	return r;
}

static bool
origin_flag(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error err = NULL;
	Dwarf_Off off;
	Dwarf_Die other;
	bool v = false;

	if (has_flag(die, at))
		return true;
	if (!ref_attr(die, DW_AT_abstract_origin, &off) &&
	    !ref_attr(die, DW_AT_specification, &off))
		return false;
	if (DWOK(dwarf_offdie_b(d->dbg, off, 1, &other, &err))) {
		v = has_flag(other, at);
		dwarf_dealloc_die(other);
	}
	return v;
}

/* low_pc/high_pc of a DIE (high_pc may be an offset: DWARF 4+). */
static bool
die_pc_range(Dwarf_Die die, uint64_t *lo, uint64_t *hi)
{
	Dwarf_Error err = NULL;
	Dwarf_Addr low, high;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;

	if (!DWOK(dwarf_lowpc(die, &low, &err)))
		return false;
	*lo = low;
	*hi = low;
	if (DWOK(dwarf_highpc_b(die, &high, &form, &cls, &err)))
		*hi = cls == DW_FORM_CLASS_CONSTANT ? low + high : high;
	return true;
}

/* Add the code ranges of DW_AT_ranges (DWARF 5 rnglists, DWARF 4
 * .debug_ranges relative to the unit's base). Calls add(lo, hi). */
static int
die_ranges(struct tr_dwarf *d, Dwarf_Die die, uint16_t version,
	   uint64_t cu_base, uint64_t *first_lo,
	   int (*add)(struct tr_dwarf *, uint64_t, uint64_t, uint32_t),
	   uint32_t func)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form;
	Dwarf_Unsigned val = 0;
	int added = 0;

	if (!DWOK(dwarf_attr(die, DW_AT_ranges, &attr, &err)))
		return 0;
	if (!DWOK(dwarf_whatform(attr, &form, &err)))
		goto out;
	if (form == DW_FORM_rnglistx) {
		if (!DWOK(dwarf_formudata(attr, &val, &err)))
			goto out;
	} else {
		Dwarf_Off off;

		if (!DWOK(dwarf_global_formref(attr, &off, &err)))
			goto out;
		val = off;
	}
	if (version >= 5) {
		Dwarf_Rnglists_Head head;
		Dwarf_Unsigned count = 0, goff;

		if (!DWOK(dwarf_rnglists_get_rle_head(attr, form, val, &head,
						      &count, &goff, &err)))
			goto out;
		for (Dwarf_Unsigned i = 0; i < count; i++) {
			unsigned len, code;
			Dwarf_Unsigned r1, r2, c1, c2;
			Dwarf_Bool unavail = 0;

			if (!DWOK(dwarf_get_rnglists_entry_fields_a(head, i,
				&len, &code, &r1, &r2, &unavail, &c1, &c2,
				&err)) || unavail)
				continue;
			if (code == DW_RLE_end_of_list || code == DW_RLE_base_address ||
			    code == DW_RLE_base_addressx || c2 <= c1)
				continue;
			if (!added && first_lo)
				*first_lo = c1;
			if (add)
				add(d, c1, c2, func);
			added++;
		}
		dwarf_dealloc_rnglists_head(head);
	} else {
		Dwarf_Ranges *rb;
		Dwarf_Signed n = 0;
		Dwarf_Unsigned bytes;
		Dwarf_Off real;
		uint64_t base = cu_base;

		if (!DWOK(dwarf_get_ranges_b(d->dbg, val, die, &real, &rb, &n,
					     &bytes, &err)))
			goto out;
		for (Dwarf_Signed i = 0; i < n; i++) {
			if (rb[i].dwr_type == DW_RANGES_END)
				break;
			if (rb[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
				base = rb[i].dwr_addr2;
				continue;
			}
			if (rb[i].dwr_addr2 <= rb[i].dwr_addr1)
				continue;
			if (!added && first_lo)
				*first_lo = base + rb[i].dwr_addr1;
			if (add)
				add(d, base + rb[i].dwr_addr1,
				    base + rb[i].dwr_addr2, func);
			added++;
		}
		dwarf_ranges_dealloc(d->dbg, rb, n);
	}
out:
	dwarf_dealloc_attribute(attr);
	return added;
}

/* ---- the index walk -------------------------------------------------- */

static int
add_entry(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Half tag, uint32_t cu)
{
	const struct tr_dw_cu *u = &d->cus[cu];
	struct tr_dw_entry *e;
	Dwarf_Error err = NULL;
	Dwarf_Off off = 0;
	const char *name;
	enum tr_dw_kind kind;

	switch (tag) {
	case DW_TAG_subprogram:
		kind = TR_DW_FUNC;
		break;
	case DW_TAG_variable:
		kind = TR_DW_VAR;
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_typedef:
	case DW_TAG_base_type:
		kind = TR_DW_TYPE;
		break;
	default:
		return 0;
	}
	/* Only functions and variables have unnamed concrete copies that
	 * point to a named DIE; anonymous types are just anonymous (and
	 * following nothing for each of them costs 10% of an index). */
	if (kind == TR_DW_TYPE) {
		char *n = NULL;

		if (!DWOK(dwarf_diename(die, &n, &err)))
			return 0;
		name = n;
	} else {
		name = die_name(d, die, 0);
	}
	if (!name)
		return 0;
	e = tr__grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
	if (!e)
		return -TR_ENOMEM;
	d->ents = e;
	e = &d->ents[d->nents];
	memset(e, 0, sizeof(*e));
	dwarf_dieoffset(die, &off, &err);
	e->name = name;
	e->kind = kind;
	e->die = off;
	e->cu = cu;
	e->declaration = has_flag(die, DW_AT_declaration);
	if (kind == TR_DW_FUNC) {
		e->external = origin_flag(d, die, DW_AT_external);
		if (die_pc_range(die, &e->lowpc, &e->highpc)) {
			if (e->highpc > e->lowpc &&
			    tr__dwarf_add_range(d, e->lowpc, e->highpc,
				      (uint32_t)d->nents) < 0)
				return -TR_ENOMEM;
		} else if (die_ranges(d, die, u->version, u->lowpc, &e->lowpc,
				      tr__dwarf_add_range, (uint32_t)d->nents) > 0) {
			/* Hot/cold split at -O2: the entry is in the first
			 * range (the hot part). */
			e->highpc = e->lowpc;
			for (size_t i = d->nranges; i-- > 0 &&
			     d->ranges[i].func == d->nents;)
				if (d->ranges[i].lo == e->lowpc)
					e->highpc = d->ranges[i].hi;
		} else if (!e->declaration) {
			/* An abstract inline instance: no code of its own. */
			e->declaration = has_flag(die, DW_AT_inline) ||
					 e->lowpc == 0;
			if (has_flag(die, DW_AT_inline))
				e->declaration = true;
		}
	} else if (kind == TR_DW_VAR) {
		e->external = has_flag(die, DW_AT_external);
	} else {
		e->external = true;
	}
	d->nents++;
	return 0;
}

/* The enumerators of a file-scope enumeration type, as TR_DW_ENUMERATOR
 * entries naming the type's DIE (dwarf_scan.c does the same). */
static int
add_enumerators(struct tr_dwarf *d, Dwarf_Die type, uint32_t cu)
{
	Dwarf_Error err = NULL;
	Dwarf_Die kid, next;
	Dwarf_Off off = 0;
	int res;

	if (has_flag(type, DW_AT_declaration) ||
	    !DWOK(dwarf_dieoffset(type, &off, &err)) ||
	    dwarf_child(type, &kid, &err) != DW_DLV_OK)
		return 0;
	for (;;) {
		Dwarf_Half tag = 0;
		char *name = NULL;

		d->dies++;
		if (DWOK(dwarf_tag(kid, &tag, &err)) &&
		    tag == DW_TAG_enumerator &&
		    DWOK(dwarf_diename(kid, &name, &err)) && name) {
			struct tr_dw_entry *e = tr__grow(
				d->ents, &d->cap_ents, d->nents, sizeof(*e));

			if (!e) {
				dwarf_dealloc_die(kid);
				return -TR_ENOMEM;
			}
			d->ents = e;
			e = &d->ents[d->nents++];
			memset(e, 0, sizeof(*e));
			e->name = name;
			e->kind = TR_DW_ENUMERATOR;
			e->die = off;
			e->cu = cu;
		}
		res = dwarf_siblingof_b(d->dbg, kid, 1, &next, &err);
		dwarf_dealloc_die(kid);
		if (res != DW_DLV_OK)
			return 0;
		kid = next;
	}
}

static int
index_cu(struct tr_dwarf *d, Dwarf_Die cu_die, uint32_t cu)
{
	Dwarf_Error err = NULL;
	Dwarf_Die child, next;
	int res, ret = 0;

	res = dwarf_child(cu_die, &child, &err);
	if (res != DW_DLV_OK)
		return 0;
	for (;;) {
		Dwarf_Half tag = 0;

		d->dies++;
		if (DWOK(dwarf_tag(child, &tag, &err)))
			ret = add_entry(d, child, tag, cu);
		if (ret == 0 && tag == DW_TAG_enumeration_type)
			ret = add_enumerators(d, child, cu);
		if (ret < 0) {
			dwarf_dealloc_die(child);
			return ret;
		}
		res = dwarf_siblingof_b(d->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		if (res != DW_DLV_OK)
			break;
		child = next;
	}
	return 0;
}

int
tr__dwarf_walk(struct tr_dwarf *d)
{
	Dwarf_Error err = NULL;
	int res;

	for (;;) {
		Dwarf_Unsigned hlen, typeoff, next;
		Dwarf_Half version, asize, lsize, esize, cutype;
		Dwarf_Off abbrev;
		Dwarf_Sig8 sig;
		Dwarf_Die cu_die;
		struct tr_dw_cu *u;
		char *s;
		Dwarf_Off off = 0;

		res = dwarf_next_cu_header_d(d->dbg, 1, &hlen, &version,
					     &abbrev, &asize, &lsize, &esize,
					     &sig, &typeoff, &next, &cutype,
					     &err);
		if (res == DW_DLV_NO_ENTRY)
			return 0;
		if (res != DW_DLV_OK)
			return -TR_EINVAL;
		if (!DWOK(dwarf_siblingof_b(d->dbg, NULL, 1, &cu_die, &err)))
			return -TR_EINVAL;
		u = tr__grow(d->cus, &d->cap_cus, d->ncus, sizeof(*u));
		if (!u) {
			dwarf_dealloc_die(cu_die);
			return -TR_ENOMEM;
		}
		d->cus = u;
		u = &d->cus[d->ncus];
		memset(u, 0, sizeof(*u));
		u->version = version;
		if (DWOK(dwarf_diename(cu_die, &s, &err)))
			u->name = s;
		{
			Dwarf_Attribute a;

			if (DWOK(dwarf_attr(cu_die, DW_AT_comp_dir, &a, &err))) {
				if (DWOK(dwarf_formstring(a, &s, &err)))
					u->comp_dir = s;
				dwarf_dealloc_attribute(a);
			}
		}
		dwarf_dieoffset(cu_die, &off, &err);
		u->die = off;
		die_pc_range(cu_die, &u->lowpc, &u->highpc);
		d->ncus++;
		d->dies++;
		res = index_cu(d, cu_die, (uint32_t)(d->ncus - 1));
		dwarf_dealloc_die(cu_die);
		if (res < 0)
			return res;
	}
}
