/* source.h: source paths as DAP clients use them: absolute paths of the DWARF's file names, and the breakpoint spec of a client's absolute path. */
#ifndef TR_SERVER_DAP_SOURCE_H
#define TR_SERVER_DAP_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "dap/dap_int.h"
#include "symbols/debuginfo.h"

/* dap_src_abs: file (a line table's name, often relative to its unit's
 * DW_AT_comp_dir) as an absolute path without "." and ".." components,
 * into out; the unit is the one of the code at pc. On the interpreter
 * thread (a tr_session_run function). */
void dap_src_abs(struct tr_debuginfo *di, uint64_t pc, const char *file,
		 char *out, size_t len);

/* dap_src_normalize: an absolute path without "." and ".." components
 * and doubled slashes, in place. */
void dap_src_normalize(char *path);

/* dap_src_spec: the "FILE:LINE" spec that names the client's path: the
 * longest tail of path (whole components) that names code in the
 * program (DWARF names files as the compiler was given them), else its
 * last component (pending: a library not loaded yet). Under
 * target_mu. */
void dap_src_spec(struct dap *d, const char *path, uint32_t line, char *spec,
		  size_t len);

#endif
