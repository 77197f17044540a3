/* loc_int.h: what the location-expression files share (decoded expressions, their cache). */
#ifndef TR_SYMBOLS_LOC_INT_H
#define TR_SYMBOLS_LOC_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "symbols/dwarf_int.h"
#include "symbols/loc_expr.h"

#define STACK_MAX 64
#define STEPS_MAX 10000 /* DW_OP_skip/bra can loop */
#define DEPTH_MAX 3     /* frame base and entry values nest */

struct expr;

struct op {
	uint8_t atom;
	uint8_t tsize;  /* typed operations: the base type's size; 0: generic */
	uint8_t tenc;   /* its TR_ENC_*; 0: generic */
	bool bad;       /* not decodable: evaluating it gives up */
	uint32_t off;   /* offset in its expression, for branches */
	uint64_t a, b;
	const uint8_t *blk;  /* implicit_value, const_type: bytes in the file */
	struct expr *sub;    /* entry_value: the expression inside */
};

struct expr {
	struct op *ops;
	size_t n;
};

struct lentry {
	uint64_t lo, hi; /* link-time [lo, hi) */
	bool any;        /* a single expression, or the default entry */
	struct expr e;
};

/* A location attribute, decoded: a list of entries (one for a plain
 * expression), or a constant (DW_AT_const_value), or nothing. */
struct ldesc {
	bool absent;     /* the DIE has no such attribute */
	size_t n;
	struct lentry *ents;
	bool is_const;
	const uint8_t *data;
	uint64_t data_len;
	uint8_t buf[16]; /* constants given as numbers, little-endian */
};

enum { SLOT_LOCATION = 1, SLOT_FRAME_BASE = 2, SLOT_VAR = 3 };

/* What decoding needs to know about the unit of an expression. */
struct dec {
	struct tr_dwarf *d;
	Dwarf_Debug dbg;
	Dwarf_Die die;     /* a DIE of the unit: DW_OP_addrx */
	uint64_t unit_off; /* base of unit-relative type offsets; 0 unknown */
	Dwarf_Half version, offset_size;
	int depth;
};

/* loc_decode.c: decoding, and the per-file cache of decoded locations */
void tr__loc_dec_init(struct dec *dc, struct tr_dwarf *d, Dwarf_Die die);
/* Raw expression bytes, decoded (NULL: out of memory or nesting). */
struct expr *tr__loc_decode_raw(struct dec *dc, const uint8_t *p,
				uint64_t len);
void tr__loc_expr_free(struct expr *e);
void tr__loc_ldesc_free(void *p);
/* The location (list) of attribute `at` (or, for SLOT_VAR, the variable's
 * location or constant) of the DIE at `off`, decoded; the caller frees
 * it. */
int tr__loc_ldesc_build(struct tr_dwarf *d, uint64_t off, int slot,
			Dwarf_Half at, struct ldesc **out);
/* The same, cached with the file. */
int tr__loc_ldesc_get(struct tr_dwarf *d, uint64_t die, int slot,
		      Dwarf_Half at, const struct ldesc **out);

#endif
