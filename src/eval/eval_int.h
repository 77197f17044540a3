/* eval_int.h: what the evaluator's files share (not exported). */
#ifndef TR_EVAL_EVAL_INT_H
#define TR_EVAL_EVAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/expr_eval.h"
#include "symbols/dwarf_type.h"

/*
 * The evaluator's files, from the bottom up; each calls only those before
 * it: eval_values.c (built-in types, allocation, errors, scalars),
 * eval_names.c (frames, scopes, names, registers), eval_ops.c
 * (conversions and operators), eval_call.c (injected calls), expr_eval.c
 * (the tree walk). eval_call.c evaluates arguments through st->eval,
 * which expr_eval.c sets.
 */

/* Values bigger than this are left lazy: the printer reads what it shows. */
#define EAGER_MAX (1u << 20)
#define MAX_FRAMES 64

/* Every allocation of an evaluation, freed together. */
struct blk {
	struct blk *next;
	max_align_t data[];
};

struct tr_eval_state {
	/* the tree walk (expr_eval.c), for the arguments of calls */
	int (*eval)(struct tr_eval_env *e, const struct tr_ast *a,
		    struct tr_value *out);
	struct blk *blocks;
	struct tr_frame frames[MAX_FRAMES];
	size_t nframes;
	size_t ncallers;             /* frame 0 alone: frames[1..] are its
				      * callers all the same */
	size_t phys;                 /* env->frame is frames[phys] ... */
	unsigned level;              /* ... at this inline level there */
	struct tr_unwind_loc acc;
	struct tr_loc_frame lf;
	bool have_frame;
	uint64_t pc;                 /* lookup pc of the frame (run-time) */
	const struct tr_module *mod; /* its module */
	struct tr_dwarf *dw;         /* its DWARF, or NULL */
	struct tr_scope *scope;      /* its scope, or NULL */
};

/* eval_values.c */
extern const struct tr_type tr__t_bool;
extern const struct tr_type tr__t_char;
extern const struct tr_type tr__t_codep;
extern const struct tr_type tr__t_double;
extern const struct tr_type tr__t_float;
extern const struct tr_type tr__t_int;
extern const struct tr_type tr__t_ldouble;
extern const struct tr_type tr__t_llong;
extern const struct tr_type tr__t_long;
extern const struct tr_type tr__t_nodebug_fn;
extern const struct tr_type tr__t_schar;
extern const struct tr_type tr__t_short;
extern const struct tr_type tr__t_uchar;
extern const struct tr_type tr__t_uint;
extern const struct tr_type tr__t_ullong;
extern const struct tr_type tr__t_ulong;
extern const struct tr_type tr__t_ushort;
extern const struct tr_type tr__t_void;
extern const struct tr_type tr__t_wchar;
extern const struct tr_type tr__t_char16;
extern const struct tr_type tr__t_char32;
extern const struct tr_type tr__t_voidp;
const struct tr_type *tr__ev_array_of(struct tr_eval_env *e, const struct tr_type *t, uint64_t n);
long double tr__ev_as_ld(const struct tr_value *v);
uint64_t tr__ev_as_u64(const struct tr_value *v);
int tr__ev_fail(struct tr_eval_env *e, const struct tr_ast *at, int code, const char *fmt, ...);
bool tr__ev_is_arith(const struct tr_type *t);
bool tr__ev_is_float(const struct tr_type *t);
bool tr__ev_is_int(const struct tr_type *t);
bool tr__ev_is_ptr(const struct tr_type *t);
bool tr__ev_is_scalar(const struct tr_type *t);
bool tr__ev_is_signed(const struct tr_type *t);
int tr__ev_load(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v, const struct tr_type *t, uint64_t addr);
int tr__ev_mem_fail(struct tr_eval_env *e, const struct tr_ast *at, uint64_t addr);
const struct tr_type *tr__ev_pointer_to(struct tr_eval_env *e, const struct tr_type *t);
const struct tr_type *tr__ev_qualified(struct tr_eval_env *e, const struct tr_type *t, enum tr_type_kind kind);
const struct tr_type *tr__ev_function(struct tr_eval_env *e, const struct tr_type *ret, const struct tr_type *const *params, size_t n, bool prototyped, bool variadic);
int64_t tr__ev_sext(uint64_t v, size_t size);
const struct tr_type *tr__ev_strip(const struct tr_type *t);
int tr__ev_vfloat(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t, long double x);
int tr__ev_vint(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t, uint64_t x);
int tr__ev_vset(struct tr_eval_env *e, struct tr_value *v, const struct tr_type *t, const void *bytes, size_t n);
void tr__ev_vzero(struct tr_value *v, const struct tr_type *t);

/* eval_names.c */
#define UREG_LVAL 1000 /* tr_value.reg of a register: UREG_LVAL + ureg */
unsigned long long *tr__ev_gp_field(struct user_regs_struct *r, unsigned ureg);
int tr__ev_lookup_name(struct tr_eval_env *e, const struct tr_ast *at, const char *name, const char *scope, struct tr_value *v);
bool tr__ev_is_reg(const char *name);
/* eval_vregs.c: $xmm0, $ymm0, $st0, $mxcsr, $fctrl...; the flags
 * types of $eflags and $mxcsr */
extern const struct tr_type tr__t_eflags, tr__t_mxcsr;
bool tr__ev_is_vreg(const char *name);
int tr__ev_vreg_value(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v);
int tr__ev_reg_value(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v);
int tr__ev_type_of_name(struct tr_eval_env *e, const struct tr_ast *at, const struct tr_typename *tn, const struct tr_type **out);

/* eval_ops.c */
int tr__ev_arith(struct tr_eval_env *e, const struct tr_ast *at, int op, struct tr_value *a, struct tr_value *b, struct tr_value *out);
int tr__ev_check_avail(struct tr_eval_env *e, const struct tr_ast *at, const struct tr_value *v);
int tr__ev_convert(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v, const struct tr_type *t);
int tr__ev_decay(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v);
int tr__ev_deref(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v);
int tr__ev_member(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *v, const char *name);
int tr__ev_need_number(struct tr_eval_env *e, const struct tr_ast *at, const struct tr_value *v);
const struct tr_type *tr__ev_promote(const struct tr_type *t);
int tr__ev_store(struct tr_eval_env *e, const struct tr_ast *at, struct tr_value *lv, struct tr_value *v);
bool tr__ev_truth(const struct tr_value *v);

/* eval_call.c */
int tr__ev_call(struct tr_eval_env *e, const struct tr_ast *a, struct tr_value *out, const struct tr_type *ret_override);

#endif
