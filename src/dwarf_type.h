/* dwarf_type.h: C types read from DWARF on first use, cached per file, named the way gdb names them. */
#ifndef TR_SRC_DWARF_TYPE_H
#define TR_SRC_DWARF_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf_index.h"

/*
 * A struct tr_type is one node of a type graph: a pointer's `target` is
 * the pointee, and so on. Types are built from their DIE the first time
 * one is asked for, together with every type reachable from it (walked
 * iteratively, so deep graphs cost no stack), and are cached per struct
 * tr_dwarf: pointers stay valid until tr_dwarf_type_cache_drop() (called
 * when the file is closed). Like the rest of a struct tr_dwarf, one thread
 * at a time.
 *
 * Multi-dimensional arrays are nested: `int m[2][3]` is an ARRAY of 2
 * whose target is an ARRAY of 3 of int (made up here, die 0), which is
 * what indexing needs.
 */

enum tr_type_kind {
	TR_TYPE_VOID = 0,
	TR_TYPE_BASE = 1,     /* integer, floating point, boolean, char */
	TR_TYPE_POINTER = 2,
	TR_TYPE_STRUCT = 3,
	TR_TYPE_UNION = 4,
	TR_TYPE_ENUM = 5,
	TR_TYPE_ARRAY = 6,
	TR_TYPE_TYPEDEF = 7,
	TR_TYPE_CONST = 8,
	TR_TYPE_VOLATILE = 9,
	TR_TYPE_FUNCTION = 10,
	TR_TYPE_RESTRICT = 11,
	TR_TYPE_ATOMIC = 12,
	TR_TYPE_UNKNOWN = 13, /* a DWARF type C has no syntax for */
};

/* Encodings of base types: the DW_ATE_* values, so that users need not
 * include libdwarf. */
enum tr_type_enc {
	TR_ENC_ADDRESS = 0x1,
	TR_ENC_BOOLEAN = 0x2,
	TR_ENC_COMPLEX_FLOAT = 0x3,
	TR_ENC_FLOAT = 0x4,
	TR_ENC_SIGNED = 0x5,
	TR_ENC_SIGNED_CHAR = 0x6,
	TR_ENC_UNSIGNED = 0x7,
	TR_ENC_UNSIGNED_CHAR = 0x8,
	TR_ENC_UTF = 0x10,
};

struct tr_type;

struct tr_type_member {
	const char *name;           /* NULL: an anonymous struct or union */
	const struct tr_type *type;
	uint64_t offset;            /* bytes from the start of the object */
	uint32_t bit_offset;        /* bitfields: first bit, counted from the
				     * least significant bit of the byte at
				     * `offset` (x86-64 order) */
	uint32_t bit_size;          /* 0: not a bitfield */
};

struct tr_type_enumerator {
	const char *name;
	int64_t value;
};

struct tr_type {
	enum tr_type_kind kind;
	const char *name;   /* as DWARF spells it ("long int"); the tag of a
			     * struct, union or enum; NULL when anonymous */
	uint64_t size;      /* bytes; 0 when unknown (void, functions,
			     * incomplete types, arrays of unknown length) */
	uint32_t encoding;  /* BASE, and ENUM (its underlying type): TR_ENC_* */
	/*
	 * POINTER: the pointee; ARRAY: the element; TYPEDEF, CONST,
	 * VOLATILE, RESTRICT, ATOMIC: the type named or qualified; FUNCTION:
	 * the return type; ENUM: the underlying integer type, or NULL. Never
	 * NULL for the others: void is a type of kind TR_TYPE_VOID.
	 */
	const struct tr_type *target;
	bool declaration;   /* STRUCT/UNION/ENUM known by name only */
	bool prototyped;    /* FUNCTION: has a prototype ("(void)" vs "()") */
	bool variadic;      /* FUNCTION: ends with "..." (prototyped only:
			     * without a prototype, the parameters are
			     * unknown) */
	bool count_known;   /* ARRAY: `count` is meaningful */
	uint64_t count;     /* ARRAY: number of elements */
	size_t nmembers;    /* STRUCT/UNION, in declaration order */
	const struct tr_type_member *members;
	size_t nenumerators; /* ENUM */
	const struct tr_type_enumerator *enumerators;
	size_t nparams;     /* FUNCTION: parameter types */
	const struct tr_type *const *params;
	uint64_t die;       /* its DIE; 0 for types made up here */
};

/*
 * tr_dwarf_type_get: the type described by the DIE at offset `die` (a
 * type DIE, or a subprogram for its function type). -TR_EINVAL when there
 * is no such DIE or it is not a type, -TR_ENOMEM.
 */
int tr_dwarf_type_get(struct tr_dwarf *d, uint64_t die,
		      const struct tr_type **out);

/*
 * tr_dwarf_type_lookup: a named type: "struct point", "union num",
 * "enum color", a typedef or a base type (gdb's spellings, "unsigned
 * long", are understood too). Definitions are preferred to declarations.
 * -TR_ENOENT when none.
 */
int tr_dwarf_type_lookup(struct tr_dwarf *d, const char *name,
			 const struct tr_type **out);

/*
 * tr_dwarf_type_cache_drop: free everything the DWARF modules (types,
 * location expressions, scopes) cached for `d`. tr_dwarf_close() calls it;
 * pointers obtained from them are invalid afterwards. The thread using
 * `d`.
 */
void tr_dwarf_type_cache_drop(struct tr_dwarf *d);

/* tr_type_void: the void type (static, never freed). */
const struct tr_type *tr_type_void(void);

/* tr_type_strip: `t` without its typedefs and qualifiers (NULL stays NULL). */
const struct tr_type *tr_type_strip(const struct tr_type *t);

/* tr_type_is_signed: a signed integer (or char, or enum over one). */
bool tr_type_is_signed(const struct tr_type *t);

/*
 * tr_type_name: `t` in C syntax, as gdb's whatis prints it: "struct point
 * *", "int [3][4]", "int (*)(int, char *)", "const char *", "unsigned
 * long" (gdb's names for gcc's "long unsigned int" and friends),
 * "union {...}" for an anonymous union. Always NUL-terminates when len >
 * 0; -TR_ERANGE when it had to cut the name short.
 */
int tr_type_name(const struct tr_type *t, char *buf, size_t len);

/*
 * tr_type_member_find: member `name` of a struct or union (through
 * typedefs and qualifiers), looking into anonymous members as C does.
 * *member and *offset (either may be NULL) get it and its byte offset from
 * the start of the outer object. -TR_ENOENT when there is none,
 * -TR_EINVAL when `t` is not a struct or union.
 */
int tr_type_member_find(const struct tr_type *t, const char *name,
			const struct tr_type_member **member, uint64_t *offset);

/*
 * tr_type_bitfield_get: the value of bitfield `m` held in obj[0..len),
 * where the field's byte offset in obj is `offset` (m->offset for a direct
 * member, what tr_type_member_find gave for a nested one), sign-extended
 * when its type is signed. -TR_ERANGE when the field lies outside obj.
 */
int tr_type_bitfield_get(const struct tr_type_member *m, const void *obj,
			 size_t len, uint64_t offset, uint64_t *out);

/* ---- internal: shared by the DWARF modules --------------------------- */

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
	TR__SLOT_MAX_
};

/*
 * tr__dwarf_slot: module `s`'s cache for `d`: made (`size` zeroed bytes)
 * on first use and kept in `d` until tr_dwarf_type_cache_drop(), which
 * calls `destroy`; NULL when out of memory. Same thread rules as `d`.
 */
void *tr__dwarf_slot(struct tr_dwarf *d, enum tr__dwarf_slot s, size_t size,
		     void (*destroy)(void *));

/*
 * DIE helpers, for modules that include dwarf_int.h (libdwarf) first. They
 * translate DW_DLV_* into 0 / -TR_ENOENT (no such attribute) / -TR_EINVAL
 * and free libdwarf's error records.
 */
#ifdef TR_SRC_DWARF_INT_H
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

#endif
