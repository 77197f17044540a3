/* source.h: source files as a debugger shows them: lines read by number, and gdb's substitute-path rules for programs built elsewhere. */
#ifndef TR_SYMBOLS_SOURCE_H
#define TR_SYMBOLS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A struct tr_srcmap holds gdb's `set substitute-path FROM TO` rules: a
 * file name that starts with FROM, followed by '/' or its end, is read
 * as TO and the rest. The first rule that matches applies (the order
 * they were set in). Not locked: one thread at a time.
 */
struct tr_srcmap;

struct tr_srcmap *tr_srcmap_new(void);
void tr_srcmap_free(struct tr_srcmap *m);
/* tr_srcmap_set: add FROM -> TO, or change TO of FROM's rule.
 * -TR_EINVAL for an empty FROM, -TR_ENOMEM. */
int tr_srcmap_set(struct tr_srcmap *m, const char *from, const char *to);
/* tr_srcmap_unset: remove FROM's rule (NULL: all). -TR_ENOENT when
 * FROM has none. */
int tr_srcmap_unset(struct tr_srcmap *m, const char *from);
size_t tr_srcmap_count(const struct tr_srcmap *m);
/* tr_srcmap_rule: rule i's FROM and TO (i < count). */
void tr_srcmap_rule(const struct tr_srcmap *m, size_t i, const char **from,
		    const char **to);
/* tr_srcmap_apply: file as a rule rewrites it into out; 1 rewritten, 0
 * not (out gets file), -TR_ERANGE when out is too short. m may be NULL. */
int tr_srcmap_apply(const struct tr_srcmap *m, const char *file, char *out,
		    size_t len);

/* One line given to the tr_source_read callback, without its newline. A
 * nonzero return stops the reading and is returned. */
typedef int (*tr_source_line_fn)(uint32_t n, const char *text, size_t len,
				 void *arg);

/*
 * tr_source_read: lines first..last (1-based, inclusive; clipped at the
 * end of the file) of `file`, read as the rules of m rewrite it (by the
 * new name only, as gdb), each passed to fn.
 * *total gets the file's number of lines, path (may be NULL) the name
 * read. -TR_ENOENT when the file is not here, -TR_ERANGE when first is
 * past its end (*total is set), -TR_EINVAL for first 0 or last < first.
 */
int tr_source_read(const struct tr_srcmap *m, const char *file,
		   uint32_t first, uint32_t last, tr_source_line_fn fn,
		   void *arg, uint32_t *total, char *path, size_t pathlen);

#endif
