/* debuginfo.h: what a process's addresses mean: symbols and DWARF of all its modules. */
#ifndef TR_SYMBOLS_DEBUGINFO_H
#define TR_SYMBOLS_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "symbols/dwarf_index.h"
#include "symbols/scope.h"
#include "symbols/symtab.h"

/*
 * A struct tr_debuginfo joins the ELF symbol table of a process (every
 * mapped module) with the DWARF index of each module that has debug
 * info, opened on first use. It reads /proc and files only, never the
 * target through ptrace, so any one thread may use it (one at a time).
 * Run-time addresses throughout.
 */

struct tr_debuginfo;

int tr_debuginfo_new(pid_t pid, struct tr_debuginfo **out);
void tr_debuginfo_free(struct tr_debuginfo *di);

/* Read the module list again (after dlopen/dlclose or exec). */
int tr_debuginfo_refresh(struct tr_debuginfo *di, bool *changed);

struct tr_symtab *tr_debuginfo_symtab(struct tr_debuginfo *di);

/*
 * tr_debuginfo_dwarf: the DWARF index of module `m` (opened now if not
 * yet), or NULL when it has none.
 */
struct tr_dwarf *tr_debuginfo_dwarf(struct tr_debuginfo *di,
				    const struct tr_module *m);

/* tr_debuginfo_source_known: whether some unit of a module is compiled
 * from `file` (a full path or its trailing components), to tell gdb's
 * "No line N in file" from "No source file named". */
bool tr_debuginfo_source_known(struct tr_debuginfo *di, const char *file);

/*
 * tr_debuginfo_inlines: the inlined calls containing run-time address
 * `pc` (a frame's lookup pc), innermost first, as tr_scope_inlines: the
 * frames gdb shows there besides the function's own. *n 0 without them
 * or without DWARF.
 */
void tr_debuginfo_inlines(struct tr_debuginfo *di, uint64_t pc,
			  struct tr_inline *out, size_t max, size_t *n);

/*
 * tr_debuginfo_resolve: the addresses a location spec names, the way gdb's
 * `break` reads it:
 *   FUNCTION          past the prologue (DWARF), or the symbol address
 *   MODULE:FUNCTION   in that module only (libc.so.6:strlen)
 *   FILE:LINE         one address per function with code for that line
 *   *ADDRESS          that address (0x... or decimal)
 * Fills up to `max` addresses; *n gets the count. -TR_ENOENT when the spec
 * names nothing, -TR_EINVAL when it is malformed.
 */
int tr_debuginfo_resolve(struct tr_debuginfo *di, const char *spec,
			 uint64_t *addrs, size_t max, size_t *n);

/*
 * tr_debuginfo_spec_line: for a FILE:LINE spec, the line its locations
 * are at: LINE, or the next line with code when LINE has none (gdb shows
 * this line for every location, whatever line the address's row names).
 * -TR_ENOENT for other specs or when it names nothing.
 */
int tr_debuginfo_spec_line(struct tr_debuginfo *di, const char *spec,
			   uint32_t *line);
/* tr_debuginfo_after_prologue: whether addr is where `break FUNC` puts
 * its function's breakpoint, past a prologue (a FILE:LINE at the
 * function's opening line moved there shows that address's line). */
bool tr_debuginfo_after_prologue(struct tr_debuginfo *di, uint64_t addr);

/* Where an address is. Fields unknown are NULL/0. */
struct tr_location {
	uint64_t pc;
	const struct tr_module *module;
	const char *function; /* DWARF name, else the ELF symbol */
	uint64_t offset;      /* pc - start of the function */
	uint64_t func_lo;     /* the function's code (DWARF), or 0 */
	uint64_t func_hi;
	const char *file;
	uint32_t line;        /* 0: no line information here */
	bool is_stmt;
	uint64_t line_lo;     /* the line-table entry's range: what one */
	uint64_t line_hi;     /* "step" of a line steps through */
	const struct tr_dw_entry *dwfunc; /* NULL without DWARF */
	struct tr_dwarf *dwarf;
};

int tr_debuginfo_describe(struct tr_debuginfo *di, uint64_t pc,
			  struct tr_location *loc);

/*
 * tr_debuginfo_addr_symbol: the `<name+off>` gdb 13 prints after a
 * pointer's value (build_address_symbolic): the function whose code holds
 * `addr` (DWARF, its name as frames show it), else, or when an ELF symbol
 * starts exactly at `addr` and the function does not, that symbol (a
 * function, or a data object of known size that holds addr). false when
 * none (heap, stack, unmapped memory, past a sized object's end).
 */
bool tr_debuginfo_addr_symbol(struct tr_debuginfo *di, uint64_t addr,
			      char *name, size_t len, uint64_t *off);

/*
 * tr_debuginfo_insn_symbol: "f+N" (or "f") of the ELF symbol holding
 * addr, a PLT entry named by the function it calls ("printf@plt"), as gdb
 * names branch targets in disassembly; false when none holds it. Its
 * signature is a disassembler's symbol callback's (symbols/disasm.h), di
 * the tr_debuginfo.
 */
bool tr_debuginfo_insn_symbol(void *di, uint64_t addr, char *buf, size_t len);

/*
 * tr_debuginfo_read_code: `len` bytes of the file backing run-time
 * address `addr` (code as linked, without our breakpoints).
 */
int tr_debuginfo_read_code(struct tr_debuginfo *di, uint64_t addr, void *buf,
			   size_t len);

#endif
