/* dwarf_index.c: DWARF index of one ELF file (own .debug_info scan), line tables. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf_index.h"
#include "dwarf_int.h"
#include "dwarf_type.h"
#include "leb128.h"
#include "error.h"
#include "log.h"

/* dwarf_init_* and dwarf_finish touch global state in libdwarf 20210528
 * (../shared/FIELD-NOTES.md): serialize them. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

void
tr_dwarf_global_lock(void)
{
	pthread_mutex_lock(&init_lock);
}

void
tr_dwarf_global_unlock(void)
{
	pthread_mutex_unlock(&init_lock);
}

struct range {
	uint64_t lo, hi;
	uint32_t func; /* index into funcs */
};

struct cu_lines {
	bool loaded;
	bool failed;
	struct tr_dw_line *rows;
	size_t nrows;
	char **files; /* dwarf_linesrc strings, by file number */
	size_t nfiles;
};

struct tr_dwarf {
	int fd;
	Dwarf_Debug dbg;
	/* the other DWARF modules' caches (types, locations, scopes) */
	void *slot[TR__SLOT_MAX_];
	void (*slot_free[TR__SLOT_MAX_])(void *);
	Elf *elf; /* the sections the scan read: entry names point there */
	uint64_t dies;

	struct tr_dw_cu *cus;
	size_t ncus, cap_cus;
	struct cu_lines *lines; /* per CU */

	struct tr_dw_entry *ents; /* everything indexed */
	size_t nents, cap_ents;
	uint32_t *by_name;        /* indexes into ents, by name */
	uint32_t *funcs;          /* indexes of function definitions, by name */
	size_t nfuncs;
	struct range *ranges;     /* function code ranges, by address */
	size_t nranges, cap_ranges;
};

#define DWOK(call) ((call) == DW_DLV_OK)

/* ---- growing arrays -------------------------------------------------- */

static void *
grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 256;
	p = realloc(arr, c * size);
	if (p)
		*cap = c;
	return p;
}

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

static int
add_range(struct tr_dwarf *d, uint64_t lo, uint64_t hi, uint32_t func)
{
	struct range *r = grow(d->ranges, &d->cap_ranges, d->nranges,
			       sizeof(*r));

	if (!r)
		return -TR_ENOMEM;
	d->ranges = r;
	r[d->nranges].lo = lo;
	r[d->nranges].hi = hi;
	r[d->nranges].func = func;
	d->nranges++;
	return 0;
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
	e = grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
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
			    add_range(d, e->lowpc, e->highpc,
				      (uint32_t)d->nents) < 0)
				return -TR_ENOMEM;
		} else if (die_ranges(d, die, u->version, u->lowpc, &e->lowpc,
				      add_range, (uint32_t)d->nents) > 0) {
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

static int
walk_cus(struct tr_dwarf *d)
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
		u = grow(d->cus, &d->cap_cus, d->ncus, sizeof(*u));
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

/* ---- the direct scan of .debug_info ----------------------------------- */

/*
 * libdwarf costs 1-2 us per DIE even at the top level (it allocates a DIE
 * and looks attributes up one by one), which made the index most of the
 * time to a first breakpoint. The index needs a few attributes of the
 * top-level DIEs only, so it reads the sections itself, mapped through
 * libelf: each unit's abbreviations are decoded once, children are jumped
 * over with DW_AT_sibling (walked when it is missing), and only the
 * attributes the index keeps are decoded. The result is the one the
 * libdwarf walk gives (same entries, same .debug_info offsets for
 * dwarf_offdie_b). Whatever it does not understand (type or split units,
 * compressed or relocatable sections, an unknown form where a value is
 * needed, a malformed unit) makes it give up: the caller then falls back
 * to the libdwarf walk above.
 */

struct sec {
	const uint8_t *p;
	size_t n;
};

/* What an attribute is to the scan (set once per abbreviation). */
enum slot {
	SL_SKIP,
	SL_NAME,
	SL_ORIGIN,
	SL_SPEC,
	SL_LOWPC,
	SL_HIGHPC,
	SL_RANGES,
	SL_DECL,
	SL_EXT,
	SL_SIBLING,
	SL_COMP_DIR,
	SL_STR_BASE,
	SL_ADDR_BASE,
	SL_RNG_BASE,
	NSLOTS
};

struct aspec {
	uint16_t form;
	uint8_t slot;
	int64_t ic; /* DW_FORM_implicit_const: the value lives here */
};

struct abbrev {
	uint32_t tag;
	bool children;
	bool sibling;   /* has DW_AT_sibling */
	int32_t fixed;  /* size of all its attributes if fixed, else -1 */
	uint32_t first, nspec; /* in abbrevs.specs */
};

struct abbrevs {
	uint64_t off;
	uint16_t version;
	uint8_t asz, osz;
	struct abbrev *tab; /* by code */
	size_t ncodes;
	struct aspec *specs;
	size_t nspecs;
};

struct unit {
	uint64_t off, die, end; /* unit header, root DIE, end: in .debug_info */
	uint64_t kids;          /* its first child (0: none) */
	uint16_t version;
	uint8_t asz, osz;
	struct abbrevs *ab;
	uint64_t str_base, addr_base, rng_base;
	uint64_t lowpc; /* base of its range lists */
	uint32_t cu;
};

/* One decoded attribute value (form 0: absent). */
struct aval {
	uint16_t form;
	uint64_t u;
	const uint8_t *s; /* DW_FORM_string */
};

struct die {
	const struct abbrev *a;
	struct aval v[NSLOTS];
};

struct scan {
	Elf *elf;
	struct sec info, abbrev, str, line_str, str_offsets, addr, rnglists,
		ranges;
	struct unit *units;
	size_t nunits;
	struct abbrevs **abs;
	size_t nabs;
};

#define SCAN_MAX_CODES (1u << 20)

/* Little-endian, n <= 8 (x86-64 only, as the rest of tracerd). */
static uint64_t
rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

/* Size of a fixed-size form, -1 for a variable one, -2 for an unknown one. */
static int
form_size(uint16_t form, unsigned asz, unsigned osz, unsigned version)
{
	switch (form) {
	case DW_FORM_addr:
		return (int)asz;
	case DW_FORM_data1:
	case DW_FORM_ref1:
	case DW_FORM_flag:
	case DW_FORM_strx1:
	case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2:
	case DW_FORM_ref2:
	case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3:
	case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4:
	case DW_FORM_ref4:
	case DW_FORM_strx4:
	case DW_FORM_addrx4:
	case DW_FORM_ref_sup4:
		return 4;
	case DW_FORM_data8:
	case DW_FORM_ref8:
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return (int)osz;
	case DW_FORM_ref_addr:
		return (int)(version <= 2 ? asz : osz);
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_udata:
	case DW_FORM_sdata:
	case DW_FORM_ref_udata:
	case DW_FORM_strx:
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
	case DW_FORM_string:
	case DW_FORM_block:
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_exprloc:
	case DW_FORM_indirect:
		return -1;
	default:
		return -2;
	}
}

/* Read (or just step over) one value. */
static bool
read_val(const struct unit *u, uint16_t form, int64_t ic, const uint8_t **pp,
	 const uint8_t *end, struct aval *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0, len;
	int sz;

again:
	sz = form_size(form, u->asz, u->osz, u->version);
	if (sz == -2)
		return false;
	if (sz >= 0) {
		if ((size_t)(end - p) < (size_t)sz)
			return false;
		if (form == DW_FORM_implicit_const)
			x = (uint64_t)ic;
		else if (form == DW_FORM_flag_present)
			x = 1;
		else if (sz <= 8)
			x = rd(p, (unsigned)sz);
		p += sz;
	} else {
		switch (form) {
		case DW_FORM_sdata: {
			int64_t s;

			if (!tr_sleb128(&p, end, &s))
				return false;
			x = (uint64_t)s;
			break;
		}
		case DW_FORM_string: {
			const uint8_t *z = memchr(p, 0, (size_t)(end - p));

			if (!z)
				return false;
			v->s = p;
			p = z + 1;
			break;
		}
		case DW_FORM_block1:
			if (p >= end)
				return false;
			len = *p++;
			goto block;
		case DW_FORM_block2:
			if (end - p < 2)
				return false;
			len = rd(p, 2);
			p += 2;
			goto block;
		case DW_FORM_block4:
			if (end - p < 4)
				return false;
			len = rd(p, 4);
			p += 4;
			goto block;
		case DW_FORM_block:
		case DW_FORM_exprloc:
			if (!tr_uleb128(&p, end, &len))
				return false;
		block:
			if (len > (uint64_t)(end - p))
				return false;
			p += len;
			break;
		case DW_FORM_indirect:
			if (!tr_uleb128(&p, end, &x))
				return false;
			if (x == DW_FORM_indirect || x == DW_FORM_implicit_const)
				return false;
			form = (uint16_t)x;
			goto again;
		default: /* the uleb forms */
			if (!tr_uleb128(&p, end, &x))
				return false;
			break;
		}
	}
	v->form = form;
	v->u = x;
	*pp = p;
	return true;
}

static void
abbrevs_free(struct abbrevs *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t->specs);
	free(t);
}

/* The abbreviation table at `off`, for units of this shape. */
static struct abbrevs *
abbrevs_load(const struct scan *sc, uint64_t off, const struct unit *u)
{
	const uint8_t *p, *end = sc->abbrev.p + sc->abbrev.n;
	struct abbrevs *t;
	size_t cap_specs = 0;

	if (off >= sc->abbrev.n)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->off = off;
	t->version = u->version;
	t->asz = u->asz;
	t->osz = u->osz;
	p = sc->abbrev.p + off;
	for (;;) {
		uint64_t code, tag, at, form;
		struct abbrev *a;

		if (!tr_uleb128(&p, end, &code))
			goto fail;
		if (!code)
			break;
		if (code >= SCAN_MAX_CODES)
			goto fail;
		if (code >= t->ncodes) {
			size_t c = t->ncodes ? t->ncodes : 64;
			struct abbrev *n;

			while (c <= code)
				c *= 2;
			n = realloc(t->tab, c * sizeof(*n));
			if (!n)
				goto fail;
			memset(n + t->ncodes, 0, (c - t->ncodes) * sizeof(*n));
			t->tab = n;
			t->ncodes = c;
		}
		a = &t->tab[code];
		if (a->tag || !tr_uleb128(&p, end, &tag) || !tag || p >= end)
			goto fail; /* a duplicate code, or truncated */
		a->tag = (uint32_t)tag;
		a->children = *p++ == DW_CHILDREN_yes;
		a->first = (uint32_t)t->nspecs;
		a->fixed = 0;
		for (;;) {
			struct aspec *s;
			int64_t ic = 0;
			int sz;

			if (!tr_uleb128(&p, end, &at) || !tr_uleb128(&p, end, &form))
				goto fail;
			if (form == DW_FORM_implicit_const &&
			    !tr_sleb128(&p, end, &ic))
				goto fail;
			if (!at && !form)
				break;
			sz = form_size((uint16_t)form, u->asz, u->osz,
				       u->version);
			if (sz == -2 || form > 0xffff)
				goto fail;
			if (sz < 0)
				a->fixed = -1;
			else if (a->fixed >= 0)
				a->fixed += sz;
			s = grow(t->specs, &cap_specs, t->nspecs, sizeof(*s));
			if (!s)
				goto fail;
			t->specs = s;
			s = &s[t->nspecs++];
			s->form = (uint16_t)form;
			s->ic = ic;
			switch (at) {
			case DW_AT_name: s->slot = SL_NAME; break;
			case DW_AT_abstract_origin: s->slot = SL_ORIGIN; break;
			case DW_AT_specification: s->slot = SL_SPEC; break;
			case DW_AT_low_pc: s->slot = SL_LOWPC; break;
			case DW_AT_high_pc: s->slot = SL_HIGHPC; break;
			case DW_AT_ranges: s->slot = SL_RANGES; break;
			case DW_AT_declaration: s->slot = SL_DECL; break;
			case DW_AT_external: s->slot = SL_EXT; break;
			case DW_AT_sibling:
				s->slot = SL_SIBLING;
				a->sibling = true;
				break;
			case DW_AT_comp_dir: s->slot = SL_COMP_DIR; break;
			case DW_AT_str_offsets_base: s->slot = SL_STR_BASE; break;
			case DW_AT_addr_base: s->slot = SL_ADDR_BASE; break;
			case DW_AT_rnglists_base: s->slot = SL_RNG_BASE; break;
			default: s->slot = SL_SKIP; break;
			}
		}
		a->nspec = (uint32_t)t->nspecs - a->first;
	}
	return t;
fail:
	abbrevs_free(t);
	return NULL;
}

/* Decode the attributes of a DIE whose abbreviation code was read. */
static bool
die_decode(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
	   const uint8_t *end, struct die *x)
{
	const struct aspec *s = &u->ab->specs[a->first];

	memset(x, 0, sizeof(*x));
	x->a = a;
	for (uint32_t i = 0; i < a->nspec; i++, s++) {
		struct aval tmp;

		if (!read_val(u, s->form, s->ic, pp, end,
			      s->slot ? &x->v[s->slot] : &tmp))
			return false;
	}
	return true;
}

static const struct abbrev *
abbrev_of(const struct unit *u, uint64_t code)
{
	const struct abbrev *a;

	if (code >= u->ab->ncodes)
		return NULL;
	a = &u->ab->tab[code];
	return a->tag ? a : NULL;
}

/* Step over the attributes of a DIE. */
static bool
die_skip(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
	 const uint8_t *end)
{
	const struct aspec *s;
	struct aval tmp;

	if (a->fixed >= 0) {
		if ((size_t)(end - *pp) < (size_t)a->fixed)
			return false;
		*pp += a->fixed;
		return true;
	}
	s = &u->ab->specs[a->first];
	for (uint32_t i = 0; i < a->nspec; i++, s++)
		if (!read_val(u, s->form, s->ic, pp, end, &tmp))
			return false;
	return true;
}

/* Where DW_AT_sibling points, or NULL when it is absent or bogus. */
static const uint8_t *
sibling_of(const struct scan *sc, const struct unit *u, const struct die *x,
	   const uint8_t *after)
{
	const struct aval *v = &x->v[SL_SIBLING];
	uint64_t off;

	switch (v->form) {
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
	case DW_FORM_ref_udata:
		off = u->off + v->u;
		break;
	case DW_FORM_ref_addr:
		off = v->u;
		break;
	default:
		return NULL;
	}
	if (off < (uint64_t)(after - sc->info.p) || off >= u->end)
		return NULL;
	return sc->info.p + off;
}

/* Step over the children of a DIE (p is just after its attributes). */
static bool
skip_children(const struct scan *sc, const struct unit *u,
	      const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	unsigned depth = 1;

	while (depth) {
		const struct abbrev *a;
		uint64_t code;

		if (!tr_uleb128(&p, end, &code))
			return false;
		if (!code) {
			depth--;
			continue;
		}
		a = abbrev_of(u, code);
		if (!a)
			return false;
		if (a->children && a->sibling) {
			struct die x;
			const uint8_t *s;

			if (!die_decode(u, a, &p, end, &x))
				return false;
			s = sibling_of(sc, u, &x, p);
			if (s) {
				p = s;
				continue;
			}
		} else if (!die_skip(u, a, &p, end)) {
			return false;
		}
		if (a->children)
			depth++;
	}
	*pp = p;
	return true;
}

/* The string of a name-like attribute, NULL if it is not a string. */
static const char *
str_of(const struct scan *sc, const struct unit *u, const struct aval *v)
{
	uint64_t off;

	switch (v->form) {
	case DW_FORM_string:
		return (const char *)v->s;
	case DW_FORM_strp:
		return v->u < sc->str.n ? (const char *)sc->str.p + v->u : NULL;
	case DW_FORM_line_strp:
		return v->u < sc->line_str.n ?
			       (const char *)sc->line_str.p + v->u : NULL;
	case DW_FORM_strx:
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
	case DW_FORM_GNU_str_index:
		off = u->str_base + v->u * u->osz;
		if (v->u > sc->str_offsets.n ||
		    off + u->osz > sc->str_offsets.n)
			return NULL;
		off = rd(sc->str_offsets.p + off, u->osz);
		return off < sc->str.n ? (const char *)sc->str.p + off : NULL;
	default:
		return NULL;
	}
}

/* An address-class value (addr, addrx*). */
static bool
addr_of(const struct scan *sc, const struct unit *u, const struct aval *v,
	uint64_t *out)
{
	uint64_t off;

	switch (v->form) {
	case DW_FORM_addr:
		*out = v->u;
		return true;
	case DW_FORM_addrx:
	case DW_FORM_addrx1:
	case DW_FORM_addrx2:
	case DW_FORM_addrx3:
	case DW_FORM_addrx4:
	case DW_FORM_GNU_addr_index:
		off = u->addr_base + v->u * u->asz;
		if (v->u > sc->addr.n || off + u->asz > sc->addr.n)
			return false;
		*out = rd(sc->addr.p + off, u->asz);
		return true;
	default:
		return false;
	}
}

static bool
flag_of(const struct aval *v)
{
	/* As dwarf_formflag: only the flag forms are flags. */
	return (v->form == DW_FORM_flag && v->u) ||
	       v->form == DW_FORM_flag_present;
}

/* As die_pc_range on a libdwarf DIE. */
static bool
scan_pc_range(const struct scan *sc, const struct unit *u,
	      const struct die *x, uint64_t *lo, uint64_t *hi)
{
	const struct aval *h = &x->v[SL_HIGHPC];
	uint64_t v;

	if (!addr_of(sc, u, &x->v[SL_LOWPC], lo))
		return false;
	*hi = *lo;
	switch (h->form) {
	case 0:
		break;
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
	case DW_FORM_udata:
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		*hi = *lo + h->u;
		break;
	default:
		if (addr_of(sc, u, h, &v))
			*hi = v;
		break;
	}
	return true;
}

/* The unit whose DIEs contain .debug_info offset `off`. */
static const struct unit *
unit_at(const struct scan *sc, uint64_t off)
{
	size_t lo = 0, hi = sc->nunits;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sc->units[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	if (off < sc->units[lo].die || off >= sc->units[lo].end)
		return NULL;
	return &sc->units[lo];
}

/*
 * The DIE at `off`, wherever it is (abstract_origin and specification may
 * point forward, into another unit, or inside a type). 0: decoded; 1: no
 * DIE there (libdwarf's dwarf_offdie_b would fail as well); -1: give up.
 */
static int
die_at(const struct scan *sc, uint64_t off, const struct unit **uo,
       struct die *x)
{
	const struct unit *u = unit_at(sc, off);
	const uint8_t *p, *end;
	const struct abbrev *a;
	uint64_t code;

	if (!u)
		return 1;
	p = sc->info.p + off;
	end = sc->info.p + u->end;
	if (!tr_uleb128(&p, end, &code))
		return -1;
	if (!code)
		return 1;
	a = abbrev_of(u, code);
	if (!a || !die_decode(u, a, &p, end, x))
		return -1;
	*uo = u;
	return 0;
}

/* The .debug_info offset a reference attribute names: 0 if it is not a
 * reference, -1 to give up (a type signature: only libdwarf follows it). */
static int
ref_of(const struct unit *u, const struct aval *v, uint64_t *off)
{
	switch (v->form) {
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
	case DW_FORM_ref_udata:
		*off = u->off + v->u;
		return 1;
	case DW_FORM_ref_addr:
		*off = v->u;
		return 1;
	case 0:
		return 0;
	default:
		return -1;
	}
}

/* The DIE abstract_origin (else specification) points to, as die_name and
 * origin_flag follow it. 1: found, 0: none, -1: give up. */
static int
scan_follow(const struct scan *sc, const struct unit **u, struct die *x)
{
	uint64_t off;
	int r = ref_of(*u, &x->v[SL_ORIGIN], &off);

	if (r == 0)
		r = ref_of(*u, &x->v[SL_SPEC], &off);
	if (r <= 0)
		return r;
	r = die_at(sc, off, u, x);
	return r < 0 ? -1 : r == 0;
}

/* As die_name: the name, following abstract_origin/specification. 1 with
 * *name set (maybe NULL), -1 to give up. */
static int
scan_name(const struct scan *sc, const struct unit *u, const struct die *x0,
	  const char **name)
{
	struct die x = *x0;

	for (int depth = 0;; depth++) {
		int r;

		*name = x.v[SL_NAME].form ? str_of(sc, u, &x.v[SL_NAME]) : NULL;
		if (*name || depth > 4)
			return 1;
		r = scan_follow(sc, &u, &x);
		if (r <= 0)
			return r < 0 ? -1 : 1;
	}
}

/* Code ranges of DW_AT_ranges, as die_ranges. Returns how many were
 * added, -1 to give up. */
static int
scan_ranges(const struct scan *sc, struct tr_dwarf *d, const struct unit *u,
	    const struct die *x, uint32_t func, uint64_t *first_lo,
	    uint64_t *first_hi)
{
	const struct aval *v = &x->v[SL_RANGES];
	uint64_t off, base = u->lowpc;
	int added = 0;

	if (!v->form)
		return 0;
	if (u->version >= 5) {
		const uint8_t *p, *end = sc->rnglists.p + sc->rnglists.n;

		if (v->form == DW_FORM_rnglistx) {
			uint64_t o = u->rng_base + v->u * u->osz;

			if (v->u > sc->rnglists.n || o + u->osz > sc->rnglists.n)
				return -1;
			off = u->rng_base + rd(sc->rnglists.p + o, u->osz);
		} else if (v->form == DW_FORM_sec_offset) {
			off = v->u;
		} else {
			return -1;
		}
		if (off >= sc->rnglists.n)
			return -1;
		p = sc->rnglists.p + off;
		for (;;) {
			uint64_t a = 0, b = 0, lo, hi;
			struct aval t = { 0 };
			uint8_t kind;

			if (p >= end)
				return -1;
			kind = *p++;
			if (kind == DW_RLE_end_of_list)
				break;
			switch (kind) {
			case DW_RLE_base_addressx:
				t.form = DW_FORM_addrx;
				if (!tr_uleb128(&p, end, &t.u) ||
				    !addr_of(sc, u, &t, &base))
					return -1;
				continue;
			case DW_RLE_startx_endx:
			case DW_RLE_startx_length:
				t.form = DW_FORM_addrx;
				if (!tr_uleb128(&p, end, &t.u) ||
				    !addr_of(sc, u, &t, &lo) || !tr_uleb128(&p, end, &b))
					return -1;
				if (kind == DW_RLE_startx_length) {
					hi = lo + b;
				} else {
					t.u = b;
					if (!addr_of(sc, u, &t, &hi))
						return -1;
				}
				break;
			case DW_RLE_offset_pair:
				if (!tr_uleb128(&p, end, &a) || !tr_uleb128(&p, end, &b))
					return -1;
				lo = base + a;
				hi = base + b;
				break;
			case DW_RLE_base_address:
				if ((size_t)(end - p) < u->asz)
					return -1;
				base = rd(p, u->asz);
				p += u->asz;
				continue;
			case DW_RLE_start_end:
				if ((size_t)(end - p) < 2u * u->asz)
					return -1;
				lo = rd(p, u->asz);
				hi = rd(p + u->asz, u->asz);
				p += 2 * u->asz;
				break;
			case DW_RLE_start_length:
				if ((size_t)(end - p) < u->asz)
					return -1;
				lo = rd(p, u->asz);
				p += u->asz;
				if (!tr_uleb128(&p, end, &b))
					return -1;
				hi = lo + b;
				break;
			default:
				return -1;
			}
			if (hi <= lo)
				continue;
			if (!added) {
				*first_lo = lo;
				*first_hi = hi;
			}
			if (add_range(d, lo, hi, func) < 0)
				return -1;
			added++;
		}
	} else {
		const uint8_t *p;
		uint64_t all = u->asz == 8 ? ~(uint64_t)0 : 0xffffffffu;

		if (v->form != DW_FORM_sec_offset && v->form != DW_FORM_data4 &&
		    v->form != DW_FORM_data8)
			return -1;
		off = v->u;
		if (off >= sc->ranges.n)
			return -1;
		for (p = sc->ranges.p + off;; p += 2 * u->asz) {
			uint64_t a, b;

			if ((size_t)(sc->ranges.p + sc->ranges.n - p) <
			    2u * u->asz)
				return -1;
			a = rd(p, u->asz);
			b = rd(p + u->asz, u->asz);
			if (!a && !b)
				break;
			if (a == all) {
				base = b;
				continue;
			}
			if (b <= a)
				continue;
			if (!added) {
				*first_lo = base + a;
				*first_hi = base + b;
			}
			if (add_range(d, base + a, base + b, func) < 0)
				return -1;
			added++;
		}
	}
	return added;
}

/* As add_entry, on a decoded DIE. 0, or -1 to give up. */
static int
scan_entry(const struct scan *sc, struct tr_dwarf *d, const struct unit *u,
	   const struct die *x, uint64_t off)
{
	struct tr_dw_entry *e;
	enum tr_dw_kind kind;
	const char *name;

	switch (x->a->tag) {
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
	if (kind == TR_DW_TYPE)
		name = str_of(sc, u, &x->v[SL_NAME]);
	else if (scan_name(sc, u, x, &name) < 0)
		return -1;
	if (!name)
		return 0;
	e = grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
	if (!e)
		return -1;
	d->ents = e;
	e = &d->ents[d->nents];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->kind = kind;
	e->die = off;
	e->cu = u->cu;
	e->declaration = flag_of(&x->v[SL_DECL]);
	if (kind == TR_DW_FUNC) {
		int r;

		e->external = flag_of(&x->v[SL_EXT]);
		if (!e->external) {
			/* origin_flag: one step only. */
			const struct unit *ou = u;
			struct die o = *x;

			r = scan_follow(sc, &ou, &o);
			if (r < 0)
				return -1;
			e->external = r > 0 && flag_of(&o.v[SL_EXT]);
		}
		if (scan_pc_range(sc, u, x, &e->lowpc, &e->highpc)) {
			if (e->highpc > e->lowpc &&
			    add_range(d, e->lowpc, e->highpc,
				      (uint32_t)d->nents) < 0)
				return -1;
		} else {
			r = scan_ranges(sc, d, u, x, (uint32_t)d->nents,
					&e->lowpc, &e->highpc);
			if (r < 0)
				return -1;
			/* Without code (no pc, no non-empty range) it is an
			 * abstract inline instance or a declaration. */
			if (r == 0)
				e->declaration = true;
		}
	} else if (kind == TR_DW_VAR) {
		e->external = flag_of(&x->v[SL_EXT]);
	} else {
		e->external = true;
	}
	d->nents++;
	return 0;
}

static int
scan_sections(struct scan *sc, int fd)
{
	GElf_Ehdr eh;
	Elf_Scn *s = NULL;
	size_t shstr;

	sc->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!sc->elf || elf_kind(sc->elf) != ELF_K_ELF ||
	    !gelf_getehdr(sc->elf, &eh) || eh.e_type == ET_REL ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf_getshdrstrndx(sc->elf, &shstr) != 0)
		return -1; /* relocatable files need relocations applied */
	while ((s = elf_nextscn(sc->elf, s))) {
		GElf_Shdr sh;
		const char *nm;
		struct sec *t;
		Elf_Data *data;

		if (!gelf_getshdr(s, &sh) ||
		    !(nm = elf_strptr(sc->elf, shstr, sh.sh_name)))
			return -1;
		if (strncmp(nm, ".debug_", 7) != 0)
			continue;
		nm += 7;
		t = !strcmp(nm, "info")          ? &sc->info :
		    !strcmp(nm, "abbrev")        ? &sc->abbrev :
		    !strcmp(nm, "str")           ? &sc->str :
		    !strcmp(nm, "line_str")      ? &sc->line_str :
		    !strcmp(nm, "str_offsets")   ? &sc->str_offsets :
		    !strcmp(nm, "addr")          ? &sc->addr :
		    !strcmp(nm, "rnglists")      ? &sc->rnglists :
		    !strcmp(nm, "ranges")        ? &sc->ranges : NULL;
		if (!t || sh.sh_type == SHT_NOBITS)
			continue;
		/* gcc -gz and distribution debug files: inflated in
		 * memory, owned by the Elf handle as the mapping is. */
		if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(s, 0, 0) < 0)
			return -1;
		data = elf_getdata(s, NULL);
		if (!data || (data->d_size && !data->d_buf))
			return -1;
		t->p = data->d_buf;
		t->n = data->d_size;
	}
	if (!sc->info.n || !sc->abbrev.n)
		return -1;
	/* Strings are then NUL-terminated wherever they start. */
	if ((sc->str.n && sc->str.p[sc->str.n - 1]) ||
	    (sc->line_str.n && sc->line_str.p[sc->line_str.n - 1]))
		return -1;
	return 0;
}

/* Pass 1: unit headers, abbreviations and root DIEs (the units). */
static int
scan_units(struct scan *sc, struct tr_dwarf *d)
{
	const uint8_t *p = sc->info.p, *end = sc->info.p + sc->info.n;
	size_t cap = 0;

	while (p < end) {
		struct unit *u;
		struct tr_dw_cu *c;
		const struct abbrev *a;
		const uint8_t *q;
		uint64_t len, aoff, code;
		struct die x;
		unsigned ut = DW_UT_compile;

		u = grow(sc->units, &cap, sc->nunits, sizeof(*u));
		if (!u)
			return -1;
		sc->units = u;
		u = &u[sc->nunits];
		memset(u, 0, sizeof(*u));
		u->off = (uint64_t)(p - sc->info.p);
		if (end - p < 4)
			return -1;
		len = rd(p, 4);
		p += 4;
		u->osz = 4;
		if (len == 0xffffffffu) {
			if (end - p < 8)
				return -1;
			len = rd(p, 8);
			p += 8;
			u->osz = 8;
		} else if (len >= 0xfffffff0u) {
			return -1;
		}
		if (len > (uint64_t)(end - p) || len < 2)
			return -1;
		q = p + len;
		u->end = (uint64_t)(q - sc->info.p);
		u->version = (uint16_t)rd(p, 2);
		p += 2;
		if (u->version < 2 || u->version > 5)
			return -1;
		if ((size_t)(q - p) < 2u + u->osz)
			return -1;
		if (u->version >= 5) {
			ut = *p++;
			u->asz = *p++;
			aoff = rd(p, u->osz);
			p += u->osz;
		} else {
			aoff = rd(p, u->osz);
			p += u->osz;
			u->asz = *p++;
		}
		if (ut != DW_UT_compile && ut != DW_UT_partial) {
			tr_log_debug("dwarf: unit type %u at %#lx: not scanned",
				     ut, (unsigned long)u->off);
			return -1;
		}
		if (u->asz != 4 && u->asz != 8)
			return -1;
		u->die = (uint64_t)(p - sc->info.p);
		if (sc->nabs && sc->abs[sc->nabs - 1]->off == aoff &&
		    sc->abs[sc->nabs - 1]->version == u->version &&
		    sc->abs[sc->nabs - 1]->asz == u->asz &&
		    sc->abs[sc->nabs - 1]->osz == u->osz) {
			u->ab = sc->abs[sc->nabs - 1];
		} else {
			struct abbrevs **n;

			n = realloc(sc->abs, (sc->nabs + 1) * sizeof(*n));
			if (!n)
				return -1;
			sc->abs = n;
			u->ab = abbrevs_load(sc, aoff, u);
			if (!u->ab)
				return -1;
			sc->abs[sc->nabs++] = u->ab;
		}
		/* Defaults when the unit does not say: just past the
		 * section's first header (libdwarf guesses the same way). */
		u->str_base = u->osz == 8 ? 16 : 8;
		u->addr_base = u->osz == 8 ? 16 : 8;
		u->rng_base = u->osz == 8 ? 20 : 12;
		if (!tr_uleb128(&p, q, &code) || !code || !(a = abbrev_of(u, code)) ||
		    !die_decode(u, a, &p, q, &x))
			return -1;
		if (x.v[SL_STR_BASE].form)
			u->str_base = x.v[SL_STR_BASE].u;
		if (x.v[SL_ADDR_BASE].form)
			u->addr_base = x.v[SL_ADDR_BASE].u;
		if (x.v[SL_RNG_BASE].form)
			u->rng_base = x.v[SL_RNG_BASE].u;
		c = grow(d->cus, &d->cap_cus, d->ncus, sizeof(*c));
		if (!c)
			return -1;
		d->cus = c;
		c = &c[d->ncus];
		memset(c, 0, sizeof(*c));
		c->version = u->version;
		c->name = str_of(sc, u, &x.v[SL_NAME]);
		c->comp_dir = str_of(sc, u, &x.v[SL_COMP_DIR]);
		c->die = u->die;
		scan_pc_range(sc, u, &x, &c->lowpc, &c->highpc);
		u->lowpc = c->lowpc;
		u->cu = (uint32_t)d->ncus++;
		d->dies++;
		u->kids = a->children ? (uint64_t)(p - sc->info.p) : 0;
		sc->nunits++;
		p = q;
	}
	return 0;
}

/* Pass 2: the top-level DIEs of each unit. */
static int
scan_children(struct scan *sc, struct tr_dwarf *d)
{
	for (size_t i = 0; i < sc->nunits; i++) {
		const struct unit *u = &sc->units[i];
		const uint8_t *p = sc->info.p + u->kids;
		const uint8_t *end = sc->info.p + u->end;

		if (!u->kids)
			continue;
		for (;;) {
			const struct abbrev *a;
			const uint8_t *s;
			uint64_t code, off = (uint64_t)(p - sc->info.p);
			struct die x;

			/* A unit may end without its final null entry. */
			if (p >= end)
				break;
			if (!tr_uleb128(&p, end, &code))
				return -1;
			if (!code)
				break;
			a = abbrev_of(u, code);
			if (!a)
				return -1;
			d->dies++;
			switch (a->tag) {
			case DW_TAG_subprogram:
			case DW_TAG_variable:
			case DW_TAG_structure_type:
			case DW_TAG_union_type:
			case DW_TAG_enumeration_type:
			case DW_TAG_typedef:
			case DW_TAG_base_type:
				if (!die_decode(u, a, &p, end, &x) ||
				    scan_entry(sc, d, u, &x, off) < 0)
					return -1;
				break;
			default:
				if (!a->children || !a->sibling) {
					if (!die_skip(u, a, &p, end))
						return -1;
				} else if (!die_decode(u, a, &p, end, &x)) {
					return -1;
				}
				break;
			}
			if (!a->children)
				continue;
			s = a->sibling ? sibling_of(sc, u, &x, p) : NULL;
			if (s)
				p = s;
			else if (!skip_children(sc, u, &p, end))
				return -1;
		}
	}
	return 0;
}

/*
 * Fill d->cus, d->ents, d->ranges and d->dies from the sections. On
 * failure the caller resets them and uses the libdwarf walk. On success
 * the names point into the mapping held by *elf (closed with the index).
 */
/*
 * libdwarf reads .debug_info, .debug_abbrev and .debug_line into memory
 * on its first use of a DIE (19 MB and 25-40 ms for a 1.4M-DIE program),
 * which the first line table, and so the first breakpoint, waits for.
 * Do that on a second thread while this one scans: the scan touches no
 * libdwarf state, and reads the file only through its own mapping (libdwarf
 * moves the descriptor's offset).
 */
struct warm {
	pthread_t thread;
	Dwarf_Debug dbg;
	uint64_t die;
	bool started;
};

static void *
warm_main(void *arg)
{
	struct warm *w = arg;
	Dwarf_Error err = NULL;
	Dwarf_Die die;

	if (dwarf_offdie_b(w->dbg, w->die, 1, &die, &err) != DW_DLV_OK) {
		if (err)
			dwarf_dealloc_error(w->dbg, err);
		return NULL;
	}
	dwarf_dealloc_die(die);
	return NULL;
}

static void
warm_start(struct warm *w, struct tr_dwarf *d, const struct sec *info)
{
	uint32_t len;
	uint16_t version;

	/* The first unit's DIE follows its header: 11 bytes in DWARF 2-4,
	 * 12 in DWARF 5 (32-bit DWARF only; the others are not warmed).
	 * The section need not be aligned: memcpy. */
	if (info->n < 16)
		return;
	memcpy(&len, info->p, 4);
	if (len >= 0xfffffff0u)
		return;
	memcpy(&version, info->p + 4, 2);
	if (version < 2 || version > 5)
		return;
	w->dbg = d->dbg;
	w->die = version >= 5 ? 12 : 11;
	w->started = pthread_create(&w->thread, NULL, warm_main, w) == 0;
}

static void
warm_join(struct warm *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = false;
}

static int
scan_index(struct tr_dwarf *d, Elf **elf, struct warm *w)
{
	struct scan sc;
	int res;

	memset(&sc, 0, sizeof(sc));
	res = scan_sections(&sc, d->fd);
	if (res == 0)
		warm_start(w, d, &sc.info);
	if (res == 0)
		res = scan_units(&sc, d);
	if (res == 0)
		res = scan_children(&sc, d);
	for (size_t i = 0; i < sc.nabs; i++)
		abbrevs_free(sc.abs[i]);
	free(sc.abs);
	free(sc.units);
	if (res < 0) {
		if (sc.elf)
			elf_end(sc.elf);
		return -1;
	}
	*elf = sc.elf;
	return 0;
}

static int
cmp_name(const void *a, const void *b, void *ctx)
{
	const struct tr_dw_entry *e = ctx;
	const struct tr_dw_entry *x = &e[*(const uint32_t *)a];
	const struct tr_dw_entry *y = &e[*(const uint32_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* Definitions before declarations, then by DIE for stability. */
	if (x->declaration != y->declaration)
		return x->declaration ? 1 : -1;
	return x->die < y->die ? -1 : x->die > y->die;
}

static int
cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Innermost (shortest) last, so a lookup finds it first going back. */
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

/* A sort key: the first 8 bytes of a name, big-endian, so that comparing
 * keys compares names as strcmp does as far as they go. */
struct name_key {
	uint64_t k;
	uint32_t i;
};

static uint64_t
name_key(const char *s)
{
	uint64_t k = 0;

	for (unsigned j = 0; j < 8 && s[j]; j++)
		k |= (uint64_t)(uint8_t)s[j] << (56 - 8 * j);
	return k;
}

/*
 * d->by_name in cmp_name's order. qsort_r with strcmp was a tenth of the
 * index (one indirect call and two cache misses per comparison): a stable
 * radix sort on 8-byte name prefixes instead, then cmp_name within the
 * (short) runs of equal prefixes.
 */
static int
sort_by_name(struct tr_dwarf *d)
{
	size_t n = d->nents, cnt[8][256];
	struct name_key *a, *b;

	a = malloc((n + 1) * sizeof(*a));
	b = malloc((n + 1) * sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		return -TR_ENOMEM;
	}
	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < n; i++) {
		a[i].k = name_key(d->ents[i].name);
		a[i].i = (uint32_t)i;
		for (unsigned byte = 0; byte < 8; byte++)
			cnt[byte][(a[i].k >> (8 * byte)) & 0xff]++;
	}
	for (unsigned byte = 0; byte < 8; byte++) {
		size_t sum = 0;
		struct name_key *t;

		/* A byte that is the same in every key sorts nothing. */
		if (n == 0 || cnt[byte][(a[0].k >> (8 * byte)) & 0xff] == n)
			continue;
		for (unsigned v = 0; v < 256; v++) {
			size_t c = cnt[byte][v];

			cnt[byte][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[byte][(a[i].k >> (8 * byte)) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		d->by_name[i] = a[i].i;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].k == a[i].k; j++)
			;
		if (j - i > 1)
			qsort_r(d->by_name + i, j - i, sizeof(*d->by_name),
				cmp_name, d->ents);
	}
	free(a);
	free(b);
	return 0;
}

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;

static void
elf_init(void)
{
	elf_version(EV_CURRENT);
}

/* Forget what a failed scan indexed. */
static void
index_reset(struct tr_dwarf *d)
{
	free(d->cus);
	free(d->ents);
	free(d->ranges);
	d->cus = NULL;
	d->ents = NULL;
	d->ranges = NULL;
	d->ncus = d->cap_cus = d->nents = d->cap_ents = 0;
	d->nranges = d->cap_ranges = 0;
	d->dies = 0;
}

int
tr_dwarf_open(const char *path, struct tr_dwarf **out)
{
	struct tr_dwarf *d;
	Dwarf_Error err = NULL;
	struct warm warm = { .started = false };
	bool sorted = true;
	int res;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -TR_ENOMEM;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		res = tr_errno_map(errno);
		free(d);
		return res;
	}
	pthread_mutex_lock(&init_lock);
	res = dwarf_init_b(d->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
			   &d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR)
			dwarf_dealloc_error(NULL, err);
		close(d->fd);
		free(d);
		return res == DW_DLV_NO_ENTRY ? -TR_ENOENT : -TR_EINVAL;
	}
	pthread_once(&elf_once, elf_init);
	res = scan_index(d, &d->elf, &warm);
	/* libdwarf is ours alone again from here. */
	warm_join(&warm);
	if (res == 0) {
		res = 0;
	} else {
		tr_log_debug("dwarf: %s: direct scan failed, walking with "
			     "libdwarf", path);
		index_reset(d);
		res = walk_cus(d);
	}
	if (res == 0 && d->ncus == 0)
		res = -TR_ENOENT;
	if (res == 0) {
		d->lines = calloc(d->ncus, sizeof(*d->lines));
		d->by_name = malloc((d->nents + 1) * sizeof(*d->by_name));
		d->funcs = malloc((d->nents + 1) * sizeof(*d->funcs));
		if (!d->lines || !d->by_name || !d->funcs)
			res = -TR_ENOMEM;
	}
	if (res == 0)
		res = sort_by_name(d);
	if (res < 0) {
		tr_dwarf_close(d);
		return res;
	}
	for (size_t i = 0; i < d->nents; i++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[i]];

		if (e->kind == TR_DW_FUNC && !e->declaration && e->lowpc)
			d->funcs[d->nfuncs++] = d->by_name[i];
	}
	/* Functions come in address order within a unit, and units often
	 * in address order too: skip the sort when there is nothing to do. */
	for (size_t i = 1; sorted && i < d->nranges; i++)
		sorted = cmp_range(&d->ranges[i - 1], &d->ranges[i]) <= 0;
	if (!sorted)
		qsort(d->ranges, d->nranges, sizeof(*d->ranges), cmp_range);
	tr_log_debug("dwarf: %s: %zu units, %zu entries, %lu DIEs", path,
		     d->ncus, d->nents, (unsigned long)d->dies);
	*out = d;
	return 0;
}

static void
lines_free(struct tr_dwarf *d, struct cu_lines *l)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i])
			dwarf_dealloc(d->dbg, l->files[i], DW_DLA_STRING);
	free(l->files);
	free(l->rows);
}

void
tr_dwarf_close(struct tr_dwarf *d)
{
	Dwarf_Error err = NULL;

	if (!d)
		return;
	tr_dwarf_type_cache_drop(d);
	for (size_t i = 0; d->lines && i < d->ncus; i++)
		lines_free(d, &d->lines[i]);
	free(d->lines);
	pthread_mutex_lock(&init_lock);
	dwarf_finish(d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	if (d->elf)
		elf_end(d->elf);
	close(d->fd);
	free(d->cus);
	free(d->ents);
	free(d->by_name);
	free(d->funcs);
	free(d->ranges);
	free(d);
}

size_t
tr_dwarf_ncus(const struct tr_dwarf *d)
{
	return d->ncus;
}

const struct tr_dw_cu *
tr_dwarf_cu(const struct tr_dwarf *d, size_t i)
{
	return i < d->ncus ? &d->cus[i] : NULL;
}

uint64_t
tr_dwarf_dies_seen(const struct tr_dwarf *d)
{
	return d->dies;
}

/* Does path `full` end with `tail` at a component boundary? */
static bool
path_matches(const char *full, const char *tail)
{
	size_t fl, tl;

	if (!full)
		return false;
	fl = strlen(full);
	tl = strlen(tail);
	if (tl > fl || strcmp(full + fl - tl, tail) != 0)
		return false;
	return tl == fl || full[fl - tl - 1] == '/' || tail[0] == '/';
}

int
tr_dwarf_lookup(const struct tr_dwarf *d, const char *name,
		enum tr_dw_kind kind, const struct tr_dw_entry **out,
		size_t max, size_t *n)
{
	const char *sep = strstr(name, "::");
	char file[512];
	size_t lo = 0, hi = d->nents, k = 0;

	*n = 0;
	file[0] = 0;
	if (sep) {
		size_t fl = (size_t)(sep - name);

		if (fl >= sizeof(file))
			return -TR_EINVAL;
		memcpy(file, name, fl);
		file[fl] = 0;
		name = sep + 2;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(d->ents[d->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nents; lo++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[lo]];

		if (strcmp(e->name, name) != 0)
			break;
		if (kind && e->kind != kind)
			continue;
		if (file[0] && !path_matches(d->cus[e->cu].name, file))
			continue;
		if (k < max)
			out[k] = e;
		k++;
	}
	*n = k;
	return k ? 0 : -TR_ENOENT;
}

const struct tr_dw_entry *
tr_dwarf_func_at(const struct tr_dwarf *d, uint64_t pc)
{
	size_t lo = 0, hi = d->nranges;

	/* The last range starting at or before pc... */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->ranges[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and back while ranges could still contain it (nested ones
	 * are rare for top-level functions, so this stays short). */
	for (size_t i = lo; i-- > 0;) {
		if (pc < d->ranges[i].hi)
			return &d->ents[d->ranges[i].func];
		if (lo - i > 64)
			break;
	}
	return NULL;
}

size_t
tr_dwarf_nfuncs(const struct tr_dwarf *d)
{
	return d->nfuncs;
}

const struct tr_dw_entry *
tr_dwarf_func(const struct tr_dwarf *d, size_t i)
{
	return i < d->nfuncs ? &d->ents[d->funcs[i]] : NULL;
}

/* ---- line tables ------------------------------------------------------ */

static const char *
line_file(struct tr_dwarf *d, struct cu_lines *l, Dwarf_Line ln)
{
	Dwarf_Error err = NULL;
	Dwarf_Unsigned fno = 0;
	char *s = NULL;

	if (!DWOK(dwarf_line_srcfileno(ln, &fno, &err)))
		return NULL;
	if (fno >= 4096)
		return NULL;
	if (fno >= l->nfiles) {
		char **f = realloc(l->files, (fno + 1) * sizeof(*f));

		if (!f)
			return NULL;
		memset(f + l->nfiles, 0, (fno + 1 - l->nfiles) * sizeof(*f));
		l->files = f;
		l->nfiles = fno + 1;
	}
	if (!l->files[fno] && DWOK(dwarf_linesrc(ln, &s, &err)))
		l->files[fno] = s;
	return l->files[fno];
}

static struct cu_lines *
cu_lines_get(struct tr_dwarf *d, size_t cu)
{
	struct cu_lines *l = &d->lines[cu];
	Dwarf_Error err = NULL;
	Dwarf_Die cu_die;
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed count = 0;
	Dwarf_Unsigned version;
	Dwarf_Small tables;

	if (l->loaded || l->failed)
		return l->loaded ? l : NULL;
	l->failed = true;
	if (!DWOK(dwarf_offdie_b(d->dbg, d->cus[cu].die, 1, &cu_die, &err)))
		return NULL;
	if (!DWOK(dwarf_srclines_b(cu_die, &version, &tables, &ctx, &err))) {
		dwarf_dealloc_die(cu_die);
		return NULL;
	}
	if (DWOK(dwarf_srclines_from_linecontext(ctx, &lines, &count, &err)) &&
	    count > 0) {
		l->rows = calloc((size_t)count, sizeof(*l->rows));
		for (Dwarf_Signed i = 0; l->rows && i < count; i++) {
			struct tr_dw_line *r = &l->rows[l->nrows];
			Dwarf_Addr a = 0;
			Dwarf_Unsigned no = 0, col = 0, isa, disc;
			Dwarf_Bool b = 0, pe = 0, eb = 0;

			if (!DWOK(dwarf_lineaddr(lines[i], &a, &err)))
				continue;
			dwarf_lineno(lines[i], &no, &err);
			dwarf_lineoff_b(lines[i], &col, &err);
			r->addr = a;
			r->line = (uint32_t)no;
			r->column = (uint32_t)col;
			r->is_stmt = DWOK(dwarf_linebeginstatement(lines[i], &b,
								   &err)) && b;
			b = 0;
			r->end_sequence = DWOK(dwarf_lineendsequence(lines[i], &b,
								     &err)) && b;
			if (DWOK(dwarf_prologue_end_etc(lines[i], &pe, &eb, &isa,
							&disc, &err)))
				r->prologue_end = pe;
			r->file = line_file(d, l, lines[i]);
			l->nrows++;
		}
	}
	dwarf_srclines_dealloc_b(ctx);
	dwarf_dealloc_die(cu_die);
	if (!l->rows && count > 0)
		return NULL;
	l->loaded = true;
	l->failed = false;
	return l;
}

/* The unit whose code contains pc: through the function index, which at
 * -O2 also knows the split (cold) parts; else by the unit's range. */
static int
cu_of_pc(const struct tr_dwarf *d, uint64_t pc)
{
	const struct tr_dw_entry *f = tr_dwarf_func_at(d, pc);

	if (f)
		return (int)f->cu;
	for (size_t i = 0; i < d->ncus; i++)
		if (pc >= d->cus[i].lowpc && pc < d->cus[i].highpc)
			return (int)i;
	return -1;
}

static int
row_at(const struct cu_lines *l, uint64_t pc, struct tr_dw_line *out,
       uint64_t *end)
{
	const struct tr_dw_line *best = NULL;

	/* Rows are in sequences, each sorted by address and closed by an
	 * end_sequence row: the answer is the last row <= pc of the
	 * sequence containing pc. */
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (r->end_sequence) {
			if (best && pc < r->addr) {
				*out = *best;
				if (end) {
					/* The next row at a higher address. */
					*end = r->addr;
					for (const struct tr_dw_line *q = best;
					     q < r; q++)
						if (q->addr > best->addr &&
						    q->addr < *end)
							*end = q->addr;
				}
				return 0;
			}
			best = NULL;
			continue;
		}
		/* Several rows at one address: the last is_stmt one names
		 * the line, as gdb reports it. */
		if (r->addr <= pc &&
		    (!best || r->addr > best->addr ||
		     (r->addr == best->addr && (r->is_stmt || !best->is_stmt))))
			best = r;
	}
	return -TR_ENOENT;
}

int
tr_dwarf_line_range(struct tr_dwarf *d, uint64_t pc, struct tr_dw_line *out,
		    uint64_t *start, uint64_t *end)
{
	int cu = cu_of_pc(d, pc);
	struct cu_lines *l;
	uint64_t e = 0;

	if (cu >= 0 && (l = cu_lines_get(d, (size_t)cu)) &&
	    row_at(l, pc, out, &e) == 0)
		goto found;
	/* Not where we expected (code outside any indexed function): try
	 * every unit. */
	for (size_t i = 0; i < d->ncus; i++)
		if ((int)i != cu && (l = cu_lines_get(d, i)) &&
		    row_at(l, pc, out, &e) == 0)
			goto found;
	return -TR_ENOENT;
found:
	if (start)
		*start = out->addr;
	if (end)
		*end = e;
	return 0;
}

int
tr_dwarf_addr_line(struct tr_dwarf *d, uint64_t pc, struct tr_dw_line *out)
{
	return tr_dwarf_line_range(d, pc, out, NULL, NULL);
}

/* Collect, for units in `cus`, the lowest is_stmt address of `line` in
 * `file` per function. */
static size_t
collect_line(struct tr_dwarf *d, const char *file, uint32_t line,
	     bool only_named_cu, uint64_t *addrs, size_t max,
	     uint32_t *next_line)
{
	size_t n = 0;
	const void *fn_of[64];

	for (size_t cu = 0; cu < d->ncus; cu++) {
		struct cu_lines *l;

		if (only_named_cu && !path_matches(d->cus[cu].name, file))
			continue;
		l = cu_lines_get(d, cu);
		if (!l)
			continue;
		for (size_t i = 0; i < l->nrows; i++) {
			const struct tr_dw_line *r = &l->rows[i];
			const struct tr_dw_entry *f;
			size_t k;

			if (r->end_sequence || !r->is_stmt ||
			    !path_matches(r->file, file))
				continue;
			if (r->line > line && r->line < *next_line)
				*next_line = r->line;
			if (r->line != line)
				continue;
			f = tr_dwarf_func_at(d, r->addr);
			for (k = 0; k < n && k < 64; k++)
				if (fn_of[k] == (const void *)f)
					break;
			if (k < n && k < 64) {
				if (r->addr < addrs[k])
					addrs[k] = r->addr;
				continue;
			}
			if (n < max && n < 64) {
				addrs[n] = r->addr;
				fn_of[n] = f;
				n++;
			}
		}
	}
	return n;
}

int
tr_dwarf_line_addrs(struct tr_dwarf *d, const char *file, uint32_t line,
		    uint64_t *addrs, size_t max, size_t *n,
		    uint32_t *actual_line)
{
	uint32_t next = UINT32_MAX;
	size_t k;

	*n = 0;
	/* The unit named like the file first (cheap), then every unit
	 * (the file may be a header). */
	k = collect_line(d, file, line, true, addrs, max, &next);
	if (k == 0)
		k = collect_line(d, file, line, false, addrs, max, &next);
	if (k == 0 && next != UINT32_MAX) {
		line = next;
		k = collect_line(d, file, line, false, addrs, max, &next);
	}
	*n = k;
	if (actual_line)
		*actual_line = line;
	return k ? 0 : -TR_ENOENT;
}

/* Length of a frame-pointer prologue at the start of `code` ([endbr64]
 * push %rbp; mov %rsp,%rbp), or 0 when the function is frameless. */
static size_t
fp_prologue(const uint8_t *code, size_t len)
{
	size_t p = 0;

	if (len >= 4 && code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e &&
	    code[3] == 0xfa)
		p = 4;
	if (p + 1 > len || code[p] != 0x55)
		return 0;
	p++;
	if (p + 3 <= len && code[p] == 0x48 &&
	    ((code[p + 1] == 0x89 && code[p + 2] == 0xe5) ||
	     (code[p + 1] == 0x8b && code[p + 2] == 0xec)))
		return p + 3;
	return 0;
}

int
tr_dwarf_breakpoint_addr(struct tr_dwarf *d, const struct tr_dw_entry *fn,
			 const uint8_t *code, size_t len, uint64_t *addr)
{
	struct cu_lines *l = cu_lines_get(d, fn->cu);
	uint64_t entry = fn->lowpc, pc, next = 0, cover = 0;
	size_t plen;

	*addr = entry;
	if (!l)
		return 0;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (!r->end_sequence && r->prologue_end && r->addr > entry &&
		    r->addr < fn->highpc) {
			/* The compiler said where the prologue ends. */
			*addr = r->addr;
			return 0;
		}
	}
	/*
	 * gdb's rule on amd64: skip a frame-pointer prologue; if that lands
	 * in the middle of a line-table entry, go on to the start of the
	 * next entry of the function (at -O0: the first line of the body,
	 * after the arguments are stored). A frameless function (-O2) breaks
	 * at its entry.
	 */
	plen = code ? fp_prologue(code, len) : 0;
	if (!plen)
		return 0;
	pc = entry + plen;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (r->end_sequence || r->addr < entry || r->addr >= fn->highpc)
			continue;
		if (r->addr == pc)
			cover = pc;
		if (r->addr > pc && (!next || r->addr < next))
			next = r->addr;
	}
	*addr = cover ? cover : next ? next : pc;
	return 0;
}

Dwarf_Debug
tr__dwarf_dbg(struct tr_dwarf *d)
{
	return d->dbg;
}

uint16_t
tr__dwarf_cu_version(const struct tr_dwarf *d, uint32_t cu)
{
	return cu < d->ncus ? d->cus[cu].version : 0;
}

int
tr__dwarf_cu_of_die(const struct tr_dwarf *d, uint64_t die)
{
	/* Units are in .debug_info order: the last one starting at or
	 * before the DIE holds it. */
	int r = -1;

	for (size_t i = 0; i < d->ncus && d->cus[i].die <= die + 16; i++)
		if (d->cus[i].die <= die)
			r = (int)i;
	return r;
}

void *
tr__dwarf_slot(struct tr_dwarf *d, enum tr__dwarf_slot s, size_t size,
	       void (*destroy)(void *))
{
	if (!d->slot[s] && (d->slot[s] = calloc(1, size)))
		d->slot_free[s] = destroy;
	return d->slot[s];
}

void
tr_dwarf_type_cache_drop(struct tr_dwarf *d)
{
	for (int i = 0; i < TR__SLOT_MAX_; i++) {
		if (d->slot[i] && d->slot_free[i])
			d->slot_free[i](d->slot[i]);
		d->slot[i] = NULL;
		d->slot_free[i] = NULL;
	}
}
