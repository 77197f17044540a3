/* dwarf_type.h: C types read from DWARF on first use, cached per file, named the way gdb names them. */
#ifndef TR_SYMBOLS_DWARF_TYPE_H
#define TR_SYMBOLS_DWARF_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/dwarf_index.h"

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

/* tr_type_declare: `name` declared with type `t`, as gdb's info
 * functions and variables print it: "int docall(lua_State *, int, int)",
 * "const char *progname", "int (*op)(int)". As tr_type_name otherwise. */
int tr_type_declare(const struct tr_type *t, const char *name, char *buf,
		    size_t len);

/*
 * tr_type_ptype: `t` as gdb's ptype prints it after "type = ": typedefs
 * resolved, and a struct, union or enum with its body: "struct point {\n
 *     int x;\n    int y;\n} *", members declared as in C ("int
 * (*op)(int, int);", "unsigned int lo : 3;"), named struct members by
 * name only, anonymous ones expanded (their own anonymous members as
 * "struct {...}", as gdb); "enum color {RED, GREEN = 5}";
 * "int (int, char **)" for a function. As tr_type_name otherwise.
 */
int tr_type_ptype(const struct tr_type *t, char *buf, size_t len);

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

#endif
