/* dwarf_scan.c: the index of one file's top-level DIEs, from a direct scan of its sections. */
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
#include "symbols/dwarf_raw.h"

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


/* As die_pc_range on a libdwarf DIE. */
static bool
scan_pc_range(const struct scan *sc, const struct unit *u,
	      const struct die *x, uint64_t *lo, uint64_t *hi)
{
	const struct aval *h = &x->v[SL_HIGHPC];
	uint64_t v;

	if (!tr__dwr_addr_of(sc, u, &x->v[SL_LOWPC], lo))
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
		if (tr__dwr_addr_of(sc, u, h, &v))
			*hi = v;
		break;
	}
	return true;
}

/* The DIE abstract_origin (else specification) points to, as die_name and
 * origin_flag follow it. 1: found, 0: none, -1: give up. */
static int
scan_follow(const struct scan *sc, const struct unit **u, struct die *x)
{
	uint64_t off;
	int r = tr__dwr_ref_of(*u, &x->v[SL_ORIGIN], &off);

	if (r == 0)
		r = tr__dwr_ref_of(*u, &x->v[SL_SPEC], &off);
	if (r <= 0)
		return r;
	r = tr__dwr_die_at(sc, off, u, x);
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

		*name = x.v[SL_NAME].form ? tr__dwr_str_of(sc, u, &x.v[SL_NAME]) : NULL;
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
			off = u->rng_base + tr__dwr_rd(sc->rnglists.p + o, u->osz);
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
				    !tr__dwr_addr_of(sc, u, &t, &base))
					return -1;
				continue;
			case DW_RLE_startx_endx:
			case DW_RLE_startx_length:
				t.form = DW_FORM_addrx;
				if (!tr_uleb128(&p, end, &t.u) ||
				    !tr__dwr_addr_of(sc, u, &t, &lo) || !tr_uleb128(&p, end, &b))
					return -1;
				if (kind == DW_RLE_startx_length) {
					hi = lo + b;
				} else {
					t.u = b;
					if (!tr__dwr_addr_of(sc, u, &t, &hi))
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
				base = tr__dwr_rd(p, u->asz);
				p += u->asz;
				continue;
			case DW_RLE_start_end:
				if ((size_t)(end - p) < 2u * u->asz)
					return -1;
				lo = tr__dwr_rd(p, u->asz);
				hi = tr__dwr_rd(p + u->asz, u->asz);
				p += 2 * u->asz;
				break;
			case DW_RLE_start_length:
				if ((size_t)(end - p) < u->asz)
					return -1;
				lo = tr__dwr_rd(p, u->asz);
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
			if (tr__dwarf_add_range(d, lo, hi, func) < 0)
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
			a = tr__dwr_rd(p, u->asz);
			b = tr__dwr_rd(p + u->asz, u->asz);
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
			if (tr__dwarf_add_range(d, base + a, base + b, func) < 0)
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
		name = tr__dwr_str_of(sc, u, &x->v[SL_NAME]);
	else if (scan_name(sc, u, x, &name) < 0)
		return -1;
	if (!name)
		return 0;
	e = tr__grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
	if (!e)
		return -1;
	d->ents = e;
	e = &d->ents[d->nents];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->kind = kind;
	e->die = off;
	e->cu = u->cu;
	e->declaration = tr__dwr_flag_of(&x->v[SL_DECL]);
	if (kind == TR_DW_FUNC) {
		int r;

		e->external = tr__dwr_flag_of(&x->v[SL_EXT]);
		if (!e->external) {
			/* origin_flag: one step only. */
			const struct unit *ou = u;
			struct die o = *x;

			r = scan_follow(sc, &ou, &o);
			if (r < 0)
				return -1;
			e->external = r > 0 && tr__dwr_flag_of(&o.v[SL_EXT]);
		}
		if (scan_pc_range(sc, u, x, &e->lowpc, &e->highpc)) {
			if (e->highpc > e->lowpc &&
			    tr__dwarf_add_range(d, e->lowpc, e->highpc,
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
		e->external = tr__dwr_flag_of(&x->v[SL_EXT]);
	} else {
		e->external = true;
	}
	d->nents++;
	return 0;
}

/*
 * The enumerators of the enumeration type at `type_off`, whose children
 * start at *pp: each named one is indexed as TR_DW_ENUMERATOR with the
 * type's DIE (its value is the type's to give). *pp ends past the
 * children. 0, or -1 to give up.
 */
static int
scan_enumerators(const struct scan *sc, struct tr_dwarf *d,
		 const struct unit *u, const uint8_t **pp, const uint8_t *end,
		 uint64_t type_off, bool decl)
{
	for (;;) {
		const struct abbrev *a;
		struct tr_dw_entry *e;
		const char *name;
		uint64_t code;
		struct die x;

		if (*pp >= end)
			return 0;
		if (!tr_uleb128(pp, end, &code))
			return -1;
		if (!code)
			return 0;
		a = tr__dwr_abbrev_of(u, code);
		if (!a || !tr__dwr_die_decode(u, a, pp, end, &x))
			return -1;
		d->dies++;
		if (a->children && !tr__dwr_skip_children(sc, u, pp, end))
			return -1;
		if (a->tag != DW_TAG_enumerator || decl ||
		    !(name = tr__dwr_str_of(sc, u, &x.v[SL_NAME])))
			continue;
		e = tr__grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
		if (!e)
			return -1;
		d->ents = e;
		e = &d->ents[d->nents++];
		memset(e, 0, sizeof(*e));
		e->name = name;
		e->kind = TR_DW_ENUMERATOR;
		e->die = type_off;
		e->cu = u->cu;
	}
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

		u = tr__grow(sc->units, &cap, sc->nunits, sizeof(*u));
		if (!u)
			return -1;
		sc->units = u;
		u = &u[sc->nunits];
		memset(u, 0, sizeof(*u));
		u->off = (uint64_t)(p - sc->info.p);
		if (end - p < 4)
			return -1;
		len = tr__dwr_rd(p, 4);
		p += 4;
		u->osz = 4;
		if (len == 0xffffffffu) {
			if (end - p < 8)
				return -1;
			len = tr__dwr_rd(p, 8);
			p += 8;
			u->osz = 8;
		} else if (len >= 0xfffffff0u) {
			return -1;
		}
		if (len > (uint64_t)(end - p) || len < 2)
			return -1;
		q = p + len;
		u->end = (uint64_t)(q - sc->info.p);
		u->version = (uint16_t)tr__dwr_rd(p, 2);
		p += 2;
		if (u->version < 2 || u->version > 5)
			return -1;
		if ((size_t)(q - p) < 2u + u->osz)
			return -1;
		if (u->version >= 5) {
			ut = *p++;
			u->asz = *p++;
			aoff = tr__dwr_rd(p, u->osz);
			p += u->osz;
		} else {
			aoff = tr__dwr_rd(p, u->osz);
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
			u->ab = tr__dwr_abbrevs_load(sc, aoff, u);
			if (!u->ab)
				return -1;
			sc->abs[sc->nabs++] = u->ab;
		}
		/* Defaults when the unit does not say: just past the
		 * section's first header (libdwarf guesses the same way). */
		u->str_base = u->osz == 8 ? 16 : 8;
		u->addr_base = u->osz == 8 ? 16 : 8;
		u->rng_base = u->osz == 8 ? 20 : 12;
		if (!tr_uleb128(&p, q, &code) || !code || !(a = tr__dwr_abbrev_of(u, code)) ||
		    !tr__dwr_die_decode(u, a, &p, q, &x))
			return -1;
		if (x.v[SL_STR_BASE].form)
			u->str_base = x.v[SL_STR_BASE].u;
		if (x.v[SL_ADDR_BASE].form)
			u->addr_base = x.v[SL_ADDR_BASE].u;
		if (x.v[SL_RNG_BASE].form)
			u->rng_base = x.v[SL_RNG_BASE].u;
		c = tr__grow(d->cus, &d->cap_cus, d->ncus, sizeof(*c));
		if (!c)
			return -1;
		d->cus = c;
		c = &c[d->ncus];
		memset(c, 0, sizeof(*c));
		c->version = u->version;
		c->name = tr__dwr_str_of(sc, u, &x.v[SL_NAME]);
		c->comp_dir = tr__dwr_str_of(sc, u, &x.v[SL_COMP_DIR]);
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
#define DROP_EVERY (4u << 20) /* bytes of .debug_info scanned */

static int
scan_children(struct scan *sc, struct tr_dwarf *d)
{
	const uint8_t *kept = sc->info.p; /* pages from here are resident */

	for (size_t i = 0; i < sc->nunits; i++) {
		const struct unit *u = &sc->units[i];
		const uint8_t *p = sc->info.p + u->kids;
		const uint8_t *end = sc->info.p + u->end;

		/* What is behind is read: give its pages back, so that the
		 * scan of a large file holds a few MB of it at a time. */
		if ((size_t)(sc->info.p + u->off - kept) >= DROP_EVERY) {
			tr__dwarf_drop(d, kept, sc->info.p + u->off);
			kept = sc->info.p + u->off;
		}
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
			a = tr__dwr_abbrev_of(u, code);
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
				if (!tr__dwr_die_decode(u, a, &p, end, &x) ||
				    scan_entry(sc, d, u, &x, off) < 0)
					return -1;
				break;
			default:
				if (!a->children || !a->sibling) {
					if (!tr__dwr_die_skip(u, a, &p, end))
						return -1;
				} else if (!tr__dwr_die_decode(u, a, &p, end, &x)) {
					return -1;
				}
				break;
			}
			if (!a->children)
				continue;
			if (a->tag == DW_TAG_enumeration_type) {
				if (scan_enumerators(
					    sc, d, u, &p, end, off,
					    tr__dwr_flag_of(&x.v[SL_DECL])) < 0)
					return -1;
				continue;
			}
			s = a->sibling ? tr__dwr_sibling_of(sc, u, &x, p) : NULL;
			if (s)
				p = s;
			else if (!tr__dwr_skip_children(sc, u, &p, end))
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
	bool own;
	int res;

	memset(&sc, 0, sizeof(sc));
	sc.elf = *elf;
	own = !sc.elf;
	res = tr__dwr_scan_sections(&sc, d->fd);
	if (res == 0)
		warm_start(w, d, &sc.info);
	if (res == 0)
		res = scan_units(&sc, d);
	if (res == 0)
		res = scan_children(&sc, d);
	for (size_t i = 0; i < sc.nabs; i++)
		tr__dwr_abbrevs_free(sc.abs[i]);
	free(sc.abs);
	free(sc.units);
	if (res < 0) {
		if (sc.elf && own)
			elf_end(sc.elf);
		return -1;
	}
	*elf = sc.elf;
	return 0;
}

int
tr__dwarf_scan(struct tr_dwarf *d, Elf **elf)
{
	struct warm warm = { .started = false };
	int res = scan_index(d, elf, &warm);

	/* libdwarf is ours alone again from here. */
	warm_join(&warm);
	return res;
}
