/* dwarf_raw.h: reading DIEs straight from the mapped .debug_* sections, for the index's scan (not exported). */
#ifndef TR_SYMBOLS_DWARF_RAW_H
#define TR_SYMBOLS_DWARF_RAW_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
uint64_t tr__dwr_rd(const uint8_t *p, unsigned n);

/* Size of a fixed-size form, -1 for a variable one, -2 for an unknown one. */
int tr__dwr_form_size(uint16_t form, unsigned asz, unsigned osz, unsigned version);

/* Read (or just step over) one value. */
bool tr__dwr_read_val(const struct unit *u, uint16_t form, int64_t ic, const uint8_t **pp,
	 const uint8_t *end, struct aval *v);

void tr__dwr_abbrevs_free(struct abbrevs *t);

/* The abbreviation table at `off`, for units of this shape. */
struct abbrevs *tr__dwr_abbrevs_load(const struct scan *sc, uint64_t off, const struct unit *u);

/* Decode the attributes of a DIE whose abbreviation code was read. */
bool tr__dwr_die_decode(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
	   const uint8_t *end, struct die *x);

const struct abbrev *tr__dwr_abbrev_of(const struct unit *u, uint64_t code);

/* Step over the attributes of a DIE. */
bool tr__dwr_die_skip(const struct unit *u, const struct abbrev *a, const uint8_t **pp,
	 const uint8_t *end);

/* Where DW_AT_sibling points, or NULL when it is absent or bogus. */
const uint8_t *tr__dwr_sibling_of(const struct scan *sc, const struct unit *u, const struct die *x,
	   const uint8_t *after);

/* Step over the children of a DIE (p is just after its attributes). */
bool tr__dwr_skip_children(const struct scan *sc, const struct unit *u,
	      const uint8_t **pp, const uint8_t *end);

/* The string of a name-like attribute, NULL if it is not a string. */
const char *tr__dwr_str_of(const struct scan *sc, const struct unit *u, const struct aval *v);

/* An address-class value (addr, addrx*). */
bool tr__dwr_addr_of(const struct scan *sc, const struct unit *u, const struct aval *v,
	uint64_t *out);

bool tr__dwr_flag_of(const struct aval *v);

/* The unit whose DIEs contain .debug_info offset `off`. */
const struct unit *tr__dwr_unit_at(const struct scan *sc, uint64_t off);

/*
 * The DIE at `off`, wherever it is (abstract_origin and specification may
 * point forward, into another unit, or inside a type). 0: decoded; 1: no
 * DIE there (libdwarf's dwarf_offdie_b would fail as well); -1: give up.
 */
int tr__dwr_die_at(const struct scan *sc, uint64_t off, const struct unit **uo,
       struct die *x);

/* The .debug_info offset a reference attribute names: 0 if it is not a
 * reference, -1 to give up (a type signature: only libdwarf follows it). */
int tr__dwr_ref_of(const struct unit *u, const struct aval *v, uint64_t *off);

int tr__dwr_scan_sections(struct scan *sc, int fd);

#endif
