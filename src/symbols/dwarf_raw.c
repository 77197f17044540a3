/* dwarf_raw.c: reading DIEs straight from the mapped .debug_* sections: forms, abbreviations, units. */
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

/* Little-endian, n <= 8 (x86-64 only, as the rest of tracerd). */
uint64_t
tr__dwr_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

/* Size of a fixed-size form, -1 for a variable one, -2 for an unknown one. */
int
tr__dwr_form_size(uint16_t form, unsigned asz, unsigned osz, unsigned version)
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
bool
tr__dwr_read_val(const struct unit *u, uint16_t form, int64_t ic, const uint8_t **pp,
	 const uint8_t *end, struct aval *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0, len;
	int sz;

again:
	sz = tr__dwr_form_size(form, u->asz, u->osz, u->version);
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
			x = tr__dwr_rd(p, (unsigned)sz);
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
			len = tr__dwr_rd(p, 2);
			p += 2;
			goto block;
		case DW_FORM_block4:
			if (end - p < 4)
				return false;
			len = tr__dwr_rd(p, 4);
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

void
tr__dwr_abbrevs_free(struct abbrevs *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t->specs);
	free(t);
}

/* The abbreviation table at `off`, for units of this shape. */
struct abbrevs *
tr__dwr_abbrevs_load(const struct scan *sc, uint64_t off, const struct unit *u)
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
			sz = tr__dwr_form_size((uint16_t)form, u->asz, u->osz,
				       u->version);
			if (sz == -2 || form > 0xffff)
				goto fail;
			if (sz < 0)
				a->fixed = -1;
			else if (a->fixed >= 0)
				a->fixed += sz;
			s = tr__grow(t->specs, &cap_specs, t->nspecs, sizeof(*s));
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
	tr__dwr_abbrevs_free(t);
	return NULL;
}

/* Decode the attributes of a DIE whose abbreviation code was read. */
bool
tr__dwr_die_decode(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
	   const uint8_t *end, struct die *x)
{
	const struct aspec *s = &u->ab->specs[a->first];

	memset(x, 0, sizeof(*x));
	x->a = a;
	for (uint32_t i = 0; i < a->nspec; i++, s++) {
		struct aval tmp;

		if (!tr__dwr_read_val(u, s->form, s->ic, pp, end,
			      s->slot ? &x->v[s->slot] : &tmp))
			return false;
	}
	return true;
}

const struct abbrev *
tr__dwr_abbrev_of(const struct unit *u, uint64_t code)
{
	const struct abbrev *a;

	if (code >= u->ab->ncodes)
		return NULL;
	a = &u->ab->tab[code];
	return a->tag ? a : NULL;
}

/* Step over the attributes of a DIE. */
bool
tr__dwr_die_skip(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
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
		if (!tr__dwr_read_val(u, s->form, s->ic, pp, end, &tmp))
			return false;
	return true;
}

/* Where DW_AT_sibling points, or NULL when it is absent or bogus. */
const uint8_t *
tr__dwr_sibling_of(const struct scan *sc, const struct unit *u, const struct die *x,
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
bool
tr__dwr_skip_children(const struct scan *sc, const struct unit *u,
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
		a = tr__dwr_abbrev_of(u, code);
		if (!a)
			return false;
		if (a->children && a->sibling) {
			struct die x;
			const uint8_t *s;

			if (!tr__dwr_die_decode(u, a, &p, end, &x))
				return false;
			s = tr__dwr_sibling_of(sc, u, &x, p);
			if (s) {
				p = s;
				continue;
			}
		} else if (!tr__dwr_die_skip(u, a, &p, end)) {
			return false;
		}
		if (a->children)
			depth++;
	}
	*pp = p;
	return true;
}

/* The string of a name-like attribute, NULL if it is not a string. */
const char *
tr__dwr_str_of(const struct scan *sc, const struct unit *u, const struct aval *v)
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
		off = tr__dwr_rd(sc->str_offsets.p + off, u->osz);
		return off < sc->str.n ? (const char *)sc->str.p + off : NULL;
	default:
		return NULL;
	}
}

/* An address-class value (addr, addrx*). */
bool
tr__dwr_addr_of(const struct scan *sc, const struct unit *u, const struct aval *v,
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
		*out = tr__dwr_rd(sc->addr.p + off, u->asz);
		return true;
	default:
		return false;
	}
}

bool
tr__dwr_flag_of(const struct aval *v)
{
	/* As dwarf_formflag: only the flag forms are flags. */
	return (v->form == DW_FORM_flag && v->u) ||
	       v->form == DW_FORM_flag_present;
}

/* The unit whose DIEs contain .debug_info offset `off`. */
const struct unit *
tr__dwr_unit_at(const struct scan *sc, uint64_t off)
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
int
tr__dwr_die_at(const struct scan *sc, uint64_t off, const struct unit **uo,
       struct die *x)
{
	const struct unit *u = tr__dwr_unit_at(sc, off);
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
	a = tr__dwr_abbrev_of(u, code);
	if (!a || !tr__dwr_die_decode(u, a, &p, end, x))
		return -1;
	*uo = u;
	return 0;
}

/* The .debug_info offset a reference attribute names: 0 if it is not a
 * reference, -1 to give up (a type signature: only libdwarf follows it). */
int
tr__dwr_ref_of(const struct unit *u, const struct aval *v, uint64_t *off)
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

int
tr__dwr_scan_sections(struct scan *sc, int fd)
{
	GElf_Ehdr eh;
	Elf_Scn *s = NULL;
	size_t shstr;

	if (!sc->elf)
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
