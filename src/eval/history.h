/* history.h: gdb's value history ($1, $, $$, $$N) and convenience variables ($i, $_exitcode), kept per session. */
#ifndef TR_EVAL_HISTORY_H
#define TR_EVAL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/value.h"

/*
 * A history holds copies of values: their bytes, where they lived (so
 * that &$1 and $1[2] work as in gdb), and their types, copied with every
 * type reachable from them into memory of the history's own, so that a
 * value outlives the evaluation that made it and the debug information
 * it was read with. Types read from DWARF are copied once while that
 * DWARF stays open (tr_hist_types_changed says when it may have closed).
 * Values too big to be read whole (lazy ones) are kept by address.
 *
 * All calls may come from any thread (one lock).
 */
struct tr_hist;

int tr_hist_new(struct tr_hist **out);
void tr_hist_free(struct tr_hist *h);

/* tr_hist_types_changed: debug information was closed or replaced:
 * types seen from now on are copied anew. */
void tr_hist_types_changed(struct tr_hist *h);

/* tr_hist_record: append a copy of v; *num gets its number (1, 2, ...).
 * -TR_ENOMEM. */
int tr_hist_record(struct tr_hist *h, const struct tr_value *v,
		   unsigned *num);

/*
 * tr_hist_get: the value of `$NAME`, NAME as the expression lexer gives
 * it without the '$': "" ($, the last value), "$" ($$), "$N" ($$N),
 * "N" ($N), or a convenience variable's name ("i", "_exitcode"), void
 * when never set. *out is a copy (tr_value_release); its type lives as
 * long as h. -TR_ENOENT with gdb's words in msg for history that does
 * not reach so far ("History has not yet reached $9.").
 */
int tr_hist_get(struct tr_hist *h, const char *name, struct tr_value *out,
		char *msg, size_t len);

/* tr_hist_is_history: NAME (as above) names a history entry, not a
 * convenience variable. */
bool tr_hist_is_history(const char *name);

/* tr_hist_set: give convenience variable `name` (without '$') a copy of
 * v (not an lvalue: gdb's convenience variables live in the debugger). */
int tr_hist_set(struct tr_hist *h, const char *name, const struct tr_value *v);

/* tr_hist_set_int: a convenience variable of type int ($_exitcode). */
int tr_hist_set_int(struct tr_hist *h, const char *name, int value);

/* tr_hist_siginfo_type: the type of $_siginfo, gdb's struct siginfo for
 * x86-64 Linux (128 bytes; static). */
const struct tr_type *tr_hist_siginfo_type(void);

/* tr_hist_set_examined: what gdb's x sets after examining memory: $_ to
 * addr (the last unit examined) as a pointer to an integer type of the
 * unit's size (1, 2, 4, 8 bytes: int8_t ... int64_t), $__ to the unit's
 * bytes as that integer (bytes NULL: void, as after x/s). */
int tr_hist_set_examined(struct tr_hist *h, uint64_t addr, unsigned unit,
			 const void *bytes);

/* tr_hist_count: how many values the history holds. */
unsigned tr_hist_count(struct tr_hist *h);

#endif
