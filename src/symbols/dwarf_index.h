/* dwarf_index.h: a quick index of one ELF file's DWARF: units, functions, variables, types, lines. */
#ifndef TR_SYMBOLS_DWARF_INDEX_H
#define TR_SYMBOLS_DWARF_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Opening a file scans only the top-level DIEs of each compile unit, reading
 * the sections directly (about 0.1 us per DIE; libdwarf 20210528 takes
 * 1-2 us, and remains the fallback for what the scan does not handle, such
 * as type and split units): functions, global and
 * file-static variables and named types are indexed by name and address.
 * Function bodies, type graphs and line tables are read on first use.
 * All addresses here are link-time addresses: add the module's load bias.
 *
 * One struct tr_dwarf may be used by one thread at a time (libdwarf keeps
 * per-handle cursor state); opening and closing are serialized inside.
 */

struct tr_dwarf;

enum tr_dw_kind {
	TR_DW_FUNC = 1,
	TR_DW_VAR = 2,  /* global or file-static variable */
	TR_DW_TYPE = 3, /* struct, union, enum, typedef or base type */
	TR_DW_ENUMERATOR = 4, /* an enumerator of a file-scope enumeration
			       * type: `die` is the type's DIE */
};

struct tr_dw_entry {
	const char *name;
	enum tr_dw_kind kind;
	uint64_t die;     /* offset of the DIE in .debug_info */
	uint64_t lowpc;   /* functions: entry address; 0 if none */
	uint64_t highpc;  /* functions: end (exclusive) of the first range */
	uint32_t cu;      /* index of its compile unit */
	bool external;    /* DW_AT_external: visible outside its unit */
	bool declaration; /* a declaration only (no code or storage here) */
};

struct tr_dw_cu {
	const char *name;     /* DW_AT_name: the primary source file */
	const char *comp_dir;
	uint64_t die;         /* offset of the CU DIE */
	uint64_t lowpc, highpc;
	uint16_t version;
};

/*
 * tr_dwarf_open: index the DWARF of an ELF file. -TR_ENOENT when it has
 * no .debug_info (a stripped file), -TR_EINVAL when it cannot be read.
 */
int tr_dwarf_open(const char *path, struct tr_dwarf **out);
void tr_dwarf_close(struct tr_dwarf *d);

size_t tr_dwarf_ncus(const struct tr_dwarf *d);
const struct tr_dw_cu *tr_dwarf_cu(const struct tr_dwarf *d, size_t i);

/* Number of DIEs the index looked at (for the benchmark and logs). */
uint64_t tr_dwarf_dies_seen(const struct tr_dwarf *d);

/*
 * tr_dwarf_lookup: the entries named `name` of a kind (0: any), the
 * definitions first; fills up to `max`, *n gets how many there are.
 * "file.c::name" restricts to the unit whose name ends in file.c.
 */
int tr_dwarf_lookup(const struct tr_dwarf *d, const char *name,
		    enum tr_dw_kind kind, const struct tr_dw_entry **out,
		    size_t max, size_t *n);

/* tr_dwarf_func_at: the function whose code contains `pc`, or NULL. */
const struct tr_dw_entry *tr_dwarf_func_at(const struct tr_dwarf *d,
					   uint64_t pc);

/* All indexed functions, sorted by name (for listings). */
size_t tr_dwarf_nfuncs(const struct tr_dwarf *d);
const struct tr_dw_entry *tr_dwarf_func(const struct tr_dwarf *d, size_t i);

/* ---- line table (read per unit, on first use) ----------------------- */

struct tr_dw_line {
	uint64_t addr;
	const char *file; /* full path as the line table names it */
	uint32_t line;
	uint32_t column;
	bool is_stmt;
	bool end_sequence;
	bool prologue_end;
};

/*
 * tr_dwarf_addr_line: the line row covering `pc` (the last row at or
 * before pc in its sequence). -TR_ENOENT outside any sequence.
 */
int tr_dwarf_addr_line(struct tr_dwarf *d, uint64_t pc,
		       struct tr_dw_line *out);

/*
 * tr_dwarf_line_range: the line-table entry covering `pc` (as
 * tr_dwarf_addr_line) and its address range [*start, *end): from the row
 * to the next row at a higher address in its sequence. This is the range
 * gdb steps through for one line.
 */
int tr_dwarf_line_range(struct tr_dwarf *d, uint64_t pc,
			struct tr_dw_line *out, uint64_t *start, uint64_t *end);

/*
 * tr_dwarf_line_addrs: addresses where breakpoints for `file`:`line` go:
 * for each function that has is_stmt rows of that line, the lowest
 * address; when no row has exactly that line, the next line that has
 * rows (as gdb does). `file` matches a full path, or its trailing
 * components ("src/a.c", "a.c"). *n gets the count, *actual_line the
 * line used.
 */
int tr_dwarf_line_addrs(struct tr_dwarf *d, const char *file, uint32_t line,
			uint64_t *addrs, size_t max, size_t *n,
			uint32_t *actual_line);

/*
 * tr_dwarf_breakpoint_addr: where "break FUNCTION" goes, as gdb puts it
 * on amd64: at a row marked prologue_end if any; else past a frame-pointer
 * prologue ([endbr64] push %rbp; mov %rsp,%rbp), moved on to the start of
 * the next line-table entry of the function (at -O0: the first line of
 * the body); at the entry for a frameless function. `code` holds the
 * function's first `len` bytes (16 are enough), NULL if unknown.
 */
int tr_dwarf_breakpoint_addr(struct tr_dwarf *d, const struct tr_dw_entry *fn,
			     const uint8_t *code, size_t len, uint64_t *addr);

/*
 * libdwarf 20210528's dwarf_init_* and dwarf_finish write global state:
 * every module that opens its own Dwarf_Debug (the unwinder) takes this
 * lock around them.
 */
void tr_dwarf_global_lock(void);
void tr_dwarf_global_unlock(void);

/*
 * tr_dwarf_type_cache_drop: free everything the DWARF modules (types,
 * location expressions, scopes) cached for `d`. tr_dwarf_close() calls it;
 * pointers obtained from them are invalid afterwards. The thread using
 * `d`.
 */
void tr_dwarf_type_cache_drop(struct tr_dwarf *d);

#endif
