/* value.h: typed values of the target, and printing them the way gdb's print does. */
#ifndef TR_EVAL_VALUE_H
#define TR_EVAL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/dwarf_type.h"

/*
 * A value is a type plus its bytes (little-endian, as in the target),
 * and where it lives when it is an lvalue. Bytes up to sizeof(inline_buf)
 * are held inline; bigger ones in `heap`. tr_value_bytes() gives them.
 */
enum tr_lval {
	TR_LVAL_NONE = 0,     /* an rvalue: a result, a literal */
	TR_LVAL_MEMORY = 1,   /* at addr in the target */
	TR_LVAL_REGISTER = 2, /* in DWARF register `reg` of the frame */
	TR_LVAL_INTERNAL = 3, /* in tracerd only (a string literal) */
};

struct tr_value {
	const struct tr_type *type; /* never NULL */
	enum tr_lval lval;
	uint64_t addr;       /* MEMORY */
	unsigned reg;        /* REGISTER: enum tr_dwreg */
	uint32_t bit_offset; /* a bitfield: bits from the lsb of the byte at
				addr, and its width (0: not a bitfield) */
	uint32_t bit_size;
	bool optimized_out;  /* "<optimized out>": bytes meaningless */
	bool lazy;           /* MEMORY, bytes not read yet (arrays and
				structs too big to read whole) */
	size_t size;         /* bytes held */
	uint8_t *heap;
	uint8_t inline_buf[32];
};

static inline uint8_t *
tr_value_bytes(struct tr_value *v)
{
	return v->heap ? v->heap : v->inline_buf;
}

static inline const uint8_t *
tr_value_cbytes(const struct tr_value *v)
{
	return v->heap ? v->heap : v->inline_buf;
}

/* tr_value_alloc: make room for `size` bytes (zeroed); -TR_ENOMEM.
 * tr_value_release frees them (the struct itself is the caller's). */
int tr_value_alloc(struct tr_value *v, size_t size);
void tr_value_release(struct tr_value *v);

/*
 * What the printer needs from the target: memory (to follow char *
 * pointers for their string, and read lazy values) and symbols (to show
 * a function pointer as "<add>" and a data pointer into a named object as
 * "<counter>" / "<buf+4>", as gdb does). sym may be NULL.
 */
struct tr_print_env {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	/* name of the symbol containing addr, *off the offset into it;
	 * false when none */
	bool (*sym)(void *ctx, uint64_t addr, char *name, size_t len,
		    uint64_t *off);
	void *ctx;
	unsigned print_max;   /* elements / characters shown (gdb: 200) */
	unsigned repeats;     /* runs at least this long are folded into
				 "<repeats N times>" (gdb: 10) */
	/* gdb's print/FMT letter, 0 for none: x d u o t a c f s z r
	 * (tr_value_format_check) */
	char format;
	/* a pointer at the top without print's "(T *) " prefix, as gdb's
	 * info locals and info args show it (common_val_print) */
	bool bare;
};

/*
 * tr_value_format_check: whether `f` is a letter print/FMT takes; if
 * not, msg gets gdb's words ("Undefined output format \"q\".", "Size
 * letters are meaningless in \"print\" command.") and -TR_EINVAL.
 */
int tr_value_format_check(char f, char *msg, size_t len);

/*
 * tr_value_print: `v` as gdb 13's `print v` shows it (`print/FMT v`
 * when env->format is set: scalars in that format at their type's width,
 * arrays element by element, structs and unions member by member) (without the "$1 =
 * " prefix): 42, 65 'A', true, 3.5, 1.10000002 (float), RED, (RED |
 * BLUE), (int *) 0x7ffc..., 0x5555... "hello", {int (int, int)} 0x1139
 * <add>, {a = 1, b = {x = 2}}, {1, 2, 3}, {0 <repeats 16 times>}, "abc",
 * '\000' <repeats 13 times>, <optimized out>. Always NUL-terminates when
 * len > 0; -TR_ERANGE when cut short ("..." at the end).
 */
int tr_value_print(const struct tr_value *v, const struct tr_print_env *env,
		   char *out, size_t len);

/*
 * tr_value_print_scalar: as tr_value_print, but an aggregate (struct,
 * union, array) is "..." : what gdb shows for frame arguments (print
 * frame-arguments scalars).
 */
int tr_value_print_scalar(const struct tr_value *v,
			  const struct tr_print_env *env, char *out,
			  size_t len);

#endif
