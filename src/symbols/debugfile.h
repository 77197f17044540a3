/* debugfile.h: separate debug files, found as gdb finds them (build-id, .gnu_debuglink), and through debuginfod. */
#ifndef TR_SYMBOLS_DEBUGFILE_H
#define TR_SYMBOLS_DEBUGFILE_H

#include <stddef.h>

/*
 * tr_debugfile_find: the separate debug file of ELF file `path` (one whose
 * DWARF was moved out: Debian's -dbg packages, objcopy --only-keep-debug),
 * looked for as gdb 13 looks (its "Separate Debug Files"):
 *
 *   1. by build-id: DIR/.build-id/xx/yyyy.debug for each debug directory
 *      DIR, where xxyyyy is the file's NT_GNU_BUILD_ID in hex; the
 *      candidate's own build-id must be the same;
 *   2. by .gnu_debuglink NAME: next to the file, in its .debug/
 *      directory, then DIR/<the file's directory>/NAME; the candidate's
 *      CRC-32 must be the one the link records;
 *   3. through debuginfod, when DEBUGINFOD_URLS is set and Debian's
 *      libdebuginfod.so.1 can be loaded (at run time: tracerd works
 *      without it), which downloads it into its cache.
 *
 * The debug directories are those of $TRACERD_DEBUG_FILE_DIRECTORY
 * (colon-separated, like gdb's debug-file-directory), else /usr/lib/debug.
 * The path found goes into out. -TR_ENOENT when there is none. Any
 * thread; it reads files only (debuginfod may take the network's time).
 */
int tr_debugfile_find(const char *path, char *out, size_t len);

#endif
