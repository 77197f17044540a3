/* dwarf_search.h: the definitions of one ELF file's DWARF whose names match, with their declarations in C, for gdb's info functions, variables and types. */
#ifndef TR_SYMBOLS_DWARF_SEARCH_H
#define TR_SYMBOLS_DWARF_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "symbols/dwarf_index.h"

/* One match: what gdb's "info functions" prints of it. */
struct tr_dw_found {
	const struct tr_dw_entry *entry;
	const char *file;  /* the file declaring it as gdb names the symtab:
			    * the unit's name for its primary file, else the
			    * full path; NULL when unknown */
	uint32_t line;     /* DW_AT_decl_line, 0 if none */
	const char *decl;  /* "static int docall(lua_State *, int, int);",
			    * "typedef struct {...} luaL_Buffer;", or for a
			    * base type its name only ("char") */
};

/*
 * tr_dwarf_search: calls cb for every definition of `kind` (TR_DW_FUNC,
 * TR_DW_VAR or TR_DW_TYPE) whose name `match` accepts (match(name, arg)),
 * in index order; a type defined alike in several units comes once per
 * file. The strings live until cb returns. cb returning non-zero stops
 * the walk with that value. The thread using d.
 */
int tr_dwarf_search(struct tr_dwarf *d, enum tr_dw_kind kind,
		    bool (*match)(const char *name, void *arg),
		    int (*cb)(const struct tr_dw_found *f, void *arg),
		    void *arg);

/* tr_dwarf_has_def: whether d defines a function or variable `name`
 * (kind TR_DW_FUNC / TR_DW_VAR): "non-debugging symbols" are the ELF
 * symbols without one. */
bool tr_dwarf_has_def(struct tr_dwarf *d, const char *name,
		      enum tr_dw_kind kind);

#endif
