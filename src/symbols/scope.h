/* scope.h: the variables visible at a pc: locals of the enclosing blocks, parameters, file statics, globals. */
#ifndef TR_SYMBOLS_SCOPE_H
#define TR_SYMBOLS_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/dwarf_index.h"
#include "symbols/dwarf_type.h"
#include "symbols/loc_expr.h"

/*
 * A function's body (its lexical blocks, inlined calls and variables) is
 * read from DWARF the first time a pc in it is asked about and cached with
 * the struct tr_dwarf, as are each unit's top-level variables. A struct
 * tr_scope is the answer for one pc: its own list, freed by
 * tr_scope_free(), pointing into those caches (valid until
 * tr_dwarf_type_cache_drop()). One thread at a time per struct tr_dwarf.
 *
 * The list is ordered the way names are looked up in C: the locals of the
 * innermost block containing the pc first, then those of each enclosing
 * block out to the function's body, then the parameters, then the unit's
 * file statics and globals. A name already seen earlier in the list is
 * marked shadowed. When the pc is in code inlined from another function,
 * the scope is that function's, as gdb shows an inlined frame.
 */

enum tr_var_kind {
	TR_VAR_LOCAL = 1,  /* a block-scope variable (static ones too) */
	TR_VAR_PARAM = 2,
	TR_VAR_STATIC = 3, /* a file-scope static of the unit */
	TR_VAR_GLOBAL = 4, /* an external variable */
};

struct tr_var {
	const char *name;
	const struct tr_type *type; /* void when DWARF gives none */
	uint64_t die;               /* where its location is */
	enum tr_var_kind kind;
	uint32_t depth;             /* LOCAL: blocks from the function's
				     * body (0); others 0 */
	uint32_t decl_line;         /* 0: unknown */
	bool shadowed;              /* hidden by an earlier one of the name */
};

/* An enumerator declared in a block of the function (C scopes those like
 * the block's variables); its value is among type's enumerators. */
struct tr_scope_enum {
	const char *name;
	const struct tr_type *type; /* the enumeration type */
	uint32_t depth;             /* as tr_var.depth */
};

struct tr_scope {
	struct tr_dwarf *dwarf;
	uint64_t pc;           /* link-time */
	uint64_t func_die;     /* the subprogram with code at pc (its
				* DW_AT_frame_base is the frame base) */
	const char *func_name; /* the function whose scope this is: the
				* inlined one when pc is in inlined code */
	uint64_t inline_die;   /* the DW_TAG_inlined_subroutine whose scope
				* this is (the innermost at pc at level
				* 0), 0 when the function's own */
	unsigned level;        /* 0: the innermost inlined call at pc */
	unsigned ninlined;     /* inlined calls at pc: levels 0..ninlined */
	uint32_t cu;
	size_t nvars;
	struct tr_var *vars;
	size_t nenums;                /* innermost block first */
	struct tr_scope_enum *enums;
};

/*
 * tr_scope_at: the variables visible at link-time address `pc` (in outer
 * frames, the return address - 1). -TR_ENOENT when no function with DWARF
 * contains pc.
 */
int tr_scope_at(struct tr_dwarf *d, uint64_t pc, struct tr_scope **out);

/*
 * tr_scope_at_level: as tr_scope_at, the scope of one of the frames gdb
 * shows at pc when code is inlined there: level 0 is the innermost
 * inlined call, level k its caller inlined or not, up to the function
 * itself at level ninlined. Each has its own locals and parameters (the
 * blocks of an inner inlined call are not an outer level's).
 * -TR_ERANGE past the function's level.
 */
int tr_scope_at_level(struct tr_dwarf *d, uint64_t pc, unsigned level,
		      struct tr_scope **out);

/* An inlined call at a pc. */
struct tr_inline {
	const char *name;      /* the inlined function (NULL: unknown) */
	const char *call_file; /* where it is called (DW_AT_call_file), or
				* NULL */
	uint32_t call_line;    /* 0: unknown */
	uint64_t entry;        /* link-time entry pc of the inlined code */
	uint64_t die;
	bool starts;           /* the pc is where this inlined code is
				* entered (its entry, or the start of one
				* of its ranges coming from outside it):
				* gdb hides such a frame at a stop that is
				* no breakpoint's */
};

/*
 * tr_scope_inlines: the inlined calls containing link-time `pc`,
 * innermost first: up to `max` into out, *n gets how many there are (0
 * in code of the function's own). Valid while the caches are.
 * -TR_ENOENT when no function with DWARF contains pc.
 */
int tr_scope_inlines(struct tr_dwarf *d, uint64_t pc, struct tr_inline *out,
		     size_t max, size_t *n);

/*
 * tr_scope_call_value: at the call whose link-time return address is
 * `ret`, to the callee (is_callee(ctx, NAME) says whether the call site's
 * DW_AT_call_origin, by its name or linkage name, is it), the DWARF
 * expression of the value
 * passed in DWARF register `reg`, or when `param` is not 0 for the
 * parameter whose DIE that is (DW_AT_call_parameter, gcc's way for one
 * passed in no register), (DW_TAG_call_site_parameter's
 * DW_AT_call_value: evaluated in the caller's frame, it gives the value
 * on its stack). expr points into the file's DWARF; *site is the call
 * site's DIE (for tr_loc_eval_expr). -TR_ENOENT when the call site does
 * not say (unknown call, another callee, no such parameter). An
 * indirect call (DW_AT_call_target, no DW_AT_call_origin) is not checked
 * here: *target gets its expression (else NULL), which the caller
 * evaluates in the caller's frame and compares with the callee's entry.
 */
/*
 * tr_scope_linkage_name: the DW_AT_linkage_name of the function whose DIE
 * is `die` (or of its origin), which gdb shows for a C function that has
 * one (glibc's hidden aliases: __GI___waitpid for __waitpid), or NULL.
 * Cached with the scopes.
 */
const char *tr_scope_linkage_name(struct tr_dwarf *d, uint64_t die);

/*
 * tr_scope_inlined_at: the entry pcs (link-time) of the code inlined from
 * the function whose abstract DIE is `abstract` (DW_AT_inline), in unit
 * `cu`: where `break FUNCTION` puts a location for each inlined call, as
 * gdb does. Up to `max` into pcs; *n gets how many there are.
 */
int tr_scope_inlined_at(struct tr_dwarf *d, uint64_t abstract, uint32_t cu,
			uint64_t *pcs, size_t max, size_t *n);

/*
 * tr_scope_no_self_tail_call: whether function `name` is known not to
 * reach itself through tail calls (jumps: DW_AT_call_tail_call), which
 * gdb checks before it trusts any entry value of the function: a tail
 * jump to an unknown target, or back to the function, makes its entry
 * values unknown.
 */
bool tr_scope_no_self_tail_call(struct tr_dwarf *d, const char *name);

int tr_scope_call_value(struct tr_dwarf *d, uint64_t ret,
			bool (*is_callee)(void *ctx, const char *name),
			void *ctx, unsigned reg, uint64_t param,
			const uint8_t **expr, size_t *len, uint64_t *site,
			const uint8_t **target, size_t *tlen);
void tr_scope_free(struct tr_scope *s);

/*
 * tr_scope_lookup: the variable `name` means at the scope's pc: the first
 * one of the list, else an external variable defined in any unit of the
 * file (through the index). *out is a copy. -TR_ENOENT when none.
 */
int tr_scope_lookup(const struct tr_scope *s, const char *name,
		    struct tr_var *out);

/*
 * tr_scope_var_loc: where `v` is in frame `f` (f->func_die is taken from
 * the scope). As tr_loc_eval_var().
 */
int tr_scope_var_loc(const struct tr_scope *s, const struct tr_var *v,
		     const struct tr_loc_frame *f, struct tr_loc *out);

/*
 * tr_scope_var_read: the first `len` bytes of `v` (normally
 * v->type->size) in frame `f`. As tr_loc_read(): -TR_ENOENT when some or
 * all of it is optimized out (avail, which may be NULL, says which bytes).
 */
int tr_scope_var_read(const struct tr_scope *s, const struct tr_var *v,
		      const struct tr_loc_frame *f, void *buf, size_t len,
		      uint8_t *avail);

#endif
