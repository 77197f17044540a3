/* dwarf_int.h: what the DWARF modules share with each other (they alone include libdwarf). */
#ifndef TR_SRC_DWARF_INT_H
#define TR_SRC_DWARF_INT_H

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include "dwarf_index.h"

/* The libdwarf handle of an index: one user thread at a time. */
Dwarf_Debug tr__dwarf_dbg(struct tr_dwarf *d);

/* The DWARF version of unit `cu` (decl_file numbering differs: from 0 in
 * DWARF 5, from 1 before). */
uint16_t tr__dwarf_cu_version(const struct tr_dwarf *d, uint32_t cu);

/* Index of the unit containing the DIE at offset `die` (-1: none). */
int tr__dwarf_cu_of_die(const struct tr_dwarf *d, uint64_t die);

#endif
