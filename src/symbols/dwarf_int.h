/* dwarf_int.h: what the DWARF modules share with each other (they alone include libdwarf). */
#ifndef TR_SYMBOLS_DWARF_INT_H
#define TR_SYMBOLS_DWARF_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include "base/error.h"
#include "symbols/dwarf_index.h"

/*
 * A map from nonzero 64-bit keys (DIE offsets) to pointers, and one cache
 * slot per DWARF module and struct tr_dwarf, freed together by
 * tr_dwarf_type_cache_drop(). `destroy` must only free memory: it may run
 * after libdwarf's handle is gone.
 */
struct tr__map {
	uint64_t *keys;
	void **vals;
	size_t cap, n;
};

void *tr__map_get(const struct tr__map *m, uint64_t key);
int tr__map_put(struct tr__map *m, uint64_t key, void *val);
void tr__map_free(struct tr__map *m, void (*fn)(void *));

enum tr__dwarf_slot {
	TR__SLOT_TYPES = 0,
	TR__SLOT_LOCS = 1,
	TR__SLOT_SCOPES = 2,
	TR__SLOT_LINES = 3,
	TR__SLOT_MAX_
};

/*
 * tr__dwarf_slot: module `s`'s cache for `d`: made (`size` zeroed bytes)
 * on first use and kept in `d` until tr_dwarf_type_cache_drop(), which
 * calls `destroy`; NULL when out of memory. Same thread rules as `d`.
 */
void *tr__dwarf_slot(struct tr_dwarf *d, enum tr__dwarf_slot s, size_t size,
		     void (*destroy)(void *));

/* An index of one file (dwarf_index.c builds it with the scan of
 * dwarf_scan.c, or else the walk of dwarf_walk.c; dwarf_lines.c adds
 * line tables on demand). */
struct fn_range {
	uint64_t lo, hi;
	uint32_t func; /* index into funcs */
};

struct tr_dwarf {
	int fd;
	Dwarf_Debug dbg;
	/* the other DWARF modules' caches (types, locations, scopes) */
	void *slot[TR__SLOT_MAX_];
	void (*slot_free[TR__SLOT_MAX_])(void *);
	Elf *elf; /* the sections the scan read: entry names point there */
	const uint8_t *map_lo, *map_hi; /* elf's file mapping, NULL: none */
	uint64_t dies;

	struct tr_dw_cu *cus;
	size_t ncus, cap_cus;

	struct tr_dw_entry *ents; /* everything indexed */
	size_t nents, cap_ents;
	uint32_t *by_name;        /* indexes into ents, by name */
	uint32_t *funcs;          /* indexes of function definitions, by name */
	size_t nfuncs;
	struct fn_range *ranges;     /* function code ranges, by address */
	size_t nranges, cap_ranges;
};

#define DWOK(call) ((call) == DW_DLV_OK)

/* Grow an array of `size`-byte elements to hold n + 1: the new array, or
 * NULL (the old one kept) when out of memory. */
static inline void *
tr__grow(void *arr, size_t *cap, size_t n, size_t size)
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

static inline int
tr__dwarf_add_range(struct tr_dwarf *d, uint64_t lo, uint64_t hi, uint32_t func)
{
	struct fn_range *r = tr__grow(d->ranges, &d->cap_ranges, d->nranges,
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


/* dwarf_walk.c: the index through libdwarf (whatever the scan cannot read) */
int tr__dwarf_walk(struct tr_dwarf *d);
/* dwarf_scan.c: the index from the mapped sections; 0, or -1 and the
 * caller resets the index and walks. *elf keeps the mapping the entries'
 * names point into. */
int tr__dwarf_scan(struct tr_dwarf *d, Elf **elf);
/* (*elf non-NULL: the mapping to scan, already open; it stays the
 * caller's whatever happens.) */

/* tr__dwarf_drop: give back the resident pages of the file mapping
 * wholly within [lo, hi) (nothing unless it is d->elf's mapping); they
 * are read again from the page cache when touched (dwarf_index.c). */
void tr__dwarf_drop(struct tr_dwarf *d, const void *lo, const void *hi);

/* Does path `full` end with `tail` at a component boundary? */
static inline bool
tr__path_matches(const char *full, const char *tail)
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


/* The libdwarf handle of an index: one user thread at a time. */
Dwarf_Debug tr__dwarf_dbg(struct tr_dwarf *d);

/* The DWARF version of unit `cu` (decl_file numbering differs: from 0 in
 * DWARF 5, from 1 before). */
uint16_t tr__dwarf_cu_version(const struct tr_dwarf *d, uint32_t cu);

/* Index of the unit containing the DIE at offset `die` (-1: none). */
int tr__dwarf_cu_of_die(const struct tr_dwarf *d, uint64_t die);

/*
 * DIE helpers (defined in dwarf_type.c). They
 * translate DW_DLV_* into 0 / -TR_ENOENT (no such attribute) / -TR_EINVAL
 * and free libdwarf's error records.
 */
/* A libdwarf result as 0 / -TR_ENOENT (DW_DLV_NO_ENTRY) / -TR_EINVAL,
 * the error record freed. */
int tr__dlv(Dwarf_Debug dbg, int res, Dwarf_Error err);
int tr__die_at(struct tr_dwarf *d, uint64_t off, Dwarf_Die *out);
uint64_t tr__die_off(Dwarf_Debug dbg, Dwarf_Die die);
int tr__die_tag(Dwarf_Debug dbg, Dwarf_Die die);
const char *tr__die_name(Dwarf_Debug dbg, Dwarf_Die die);
bool tr__die_has(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at);
bool tr__die_flag(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at);
/* A reference attribute as a .debug_info offset. */
int tr__die_ref(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, uint64_t *off);
/* A constant of any constant form (data1-8, sdata, udata,
 * implicit_const): *s sign-extended from its size, *u zero-extended;
 * either may be NULL. */
int tr__die_int(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, int64_t *s,
		uint64_t *u);
/* First child / next sibling: 0, or -TR_ENOENT at the end. */
int tr__die_child(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Die *out);
int tr__die_next(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Die *out);
/* Move *kid to its next sibling, freeing it; false (and *kid NULL) at the
 * end. Loops: for (ok = !tr__die_child(..., &kid); ok; ok =
 * tr__die_step(dbg, &kid)); free kid before leaving one early. */
bool tr__die_step(Dwarf_Debug dbg, Dwarf_Die *kid);
/* The DIE named by DW_AT_abstract_origin, else DW_AT_specification. */
int tr__die_origin(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Die *out);
/* Offset of the header of the unit holding `die` (base of the
 * unit-relative offsets of DW_OP_convert and friends). */
int tr__die_unit_off(Dwarf_Debug dbg, Dwarf_Die die, uint64_t *off);

#endif
