/* expr_eval.h: evaluating parsed C expressions against a stopped thread, with calls injected into the target. */
#ifndef TR_EVAL_EXPR_EVAL_H
#define TR_EVAL_EXPR_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#include "eval/expr_parse.h"
#include "eval/history.h"
#include "eval/inject.h"
#include "symbols/loc_expr.h"
#include "symbols/unwind.h"
#include "eval/value.h"

struct tr_debuginfo;

/*
 * Where an evaluation runs: the caller says how to reach the target (the
 * slab from the interpreter thread, tr_direct_* calls on the tracer
 * thread for breakpoint conditions) and gives the thread's registers; the
 * evaluator finds the frame, its scope and its variables, and keeps the
 * types it makes up (pointer types for `&x`, casts) until
 * tr_eval_env_done(). Values it returns point into that memory too.
 *
 * Not thread-safe: one env per evaluating thread, and `di` is used by
 * that thread only while the env lives.
 */
struct tr_vregs;
struct tr_eval_env {
	/* the caller's */
	struct tr_debuginfo *di;
	struct tr_unwinder *unw;   /* NULL: frame 0 only */
	tr_mem_reader read;
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	/* write the thread's general registers (frame 0 assignments) */
	int (*set_regs)(void *ctx, const struct user_regs_struct *r);
	/* run a call (inject.h); NULL: this env cannot call functions */
	int (*call)(void *ctx, struct tr_call *c, char *why, size_t len);
	void *ctx;                 /* for read, write, set_regs, call */
	struct tr_loc_regs regs;   /* the thread's registers, innermost */
	bool have_regs;            /* false: globals only (target running) */
	unsigned frame;            /* 0: innermost */
	unsigned inline_hidden;    /* inlined calls hidden at frame 0's pc
				    * (tr_inline_hidden): frame numbers
				    * begin after them */
	bool no_side_effects;      /* whatis/sizeof: no calls, no writes */
	/* the value history and convenience variables ($1, $i); NULL:
	 * none, a `$name` that is no register is an error */
	struct tr_hist *hist;
	/* the 128-byte siginfo of the thread's last stop, for $_siginfo
	 * (ctx is the env's ctx); NULL: $_siginfo is void */
	int (*siginfo)(void *ctx, void *buf);
	/* the address of `offset` in the thread's TLS block of the module
	 * loaded at `bias` (__thread variables; eval/tls.h); NULL: none */
	int (*tls)(void *ctx, uint64_t bias, uint64_t offset, uint64_t *out);
	/* the thread's x87, SSE and AVX registers ($xmm0, $ymm0, $st0;
	 * ctx is the env's ctx); NULL: those are not available */
	int (*vregs)(void *ctx, struct tr_vregs *out);

	/* the evaluator's */
	char err[512];
	uint32_t errpos;
	bool needs_call;           /* a call was refused (call == NULL) */
	bool has_dwarf;            /* the frame's module has DWARF */
	struct tr_eval_state *st;
};

/*
 * tr_eval_env_init: select the frame (unwinding when env->frame > 0) and
 * its scope. -TR_ERANGE (err filled) when there is no such frame. Fields
 * of the caller's part must be set before.
 */
int tr_eval_env_init(struct tr_eval_env *env);

/* tr_eval_env_done: free what the evaluations made (their values and
 * types too). The env may be initialized again. */
void tr_eval_env_done(struct tr_eval_env *env);

/*
 * tr_eval: evaluate `ast` into *out (released with tr_value_release, and
 * valid until tr_eval_env_done). Errors: a negative TR_E* code with
 * env->err / env->errpos saying what and where, in gdb's words: "No
 * symbol \"x\" in current context.", "Cannot access memory at address
 * 0x0", "Too few arguments in function call.", ...
 */
int tr_eval(struct tr_eval_env *env, const struct tr_ast *ast,
	    struct tr_value *out);

/* tr_eval_truth: evaluate `ast` as a condition: *truth is its value != 0. */
int tr_eval_truth(struct tr_eval_env *env, const struct tr_ast *ast,
		  bool *truth);

/* tr_eval_print: `v` as gdb's print shows it (value.h), following
 * pointers through env->read and naming symbols. tr_eval_print_fmt: as
 * print/FMT shows it (fmt 0: as tr_eval_print). */
int tr_eval_print(struct tr_eval_env *env, const struct tr_value *v,
		  char *out, size_t len);
int tr_eval_print_fmt(struct tr_eval_env *env, const struct tr_value *v,
		      char fmt, char *out, size_t len);
/* tr_eval_print_var: as info locals and info args show a variable's
 * value (a pointer without print's "(T *) " prefix). */
int tr_eval_print_var(struct tr_eval_env *env, const struct tr_value *v,
		      char *out, size_t len);

/*
 * tr_eval_describe: gdb's whatis (ptype false) and ptype of `src`, a type
 * name ("struct point", "point_t *", "unsigned long") or an expression,
 * whose value's type is described without calls or side effects. whatis
 * names the type ("point_t"; of a typedef's own name, what it stands
 * for one level down); ptype expands it (dwarf_type.h tr_type_ptype).
 * Errors as tr_eval, in *err; -TR_ERANGE when out was too short.
 */
int tr_eval_describe(struct tr_eval_env *env, const char *src, bool ptype,
		     char *out, size_t len, struct tr_expr_err *err);

/* tr_eval_is_type: the parser's callback (expr_parse.h): is `name` a
 * typedef visible to env? ctx is the env. */
bool tr_eval_is_type(void *ctx, const char *name);
/* tr_eval_uses_locals: whether the expression names a variable of the
 * selected frame's scope (a local or a parameter), which makes gdb scope
 * a watchpoint on it to that frame. */
bool tr_eval_uses_locals(struct tr_eval_env *e, const struct tr_ast *ast);

/* tr_ast_has_call: the tree calls a function somewhere. */
bool tr_ast_has_call(const struct tr_ast *a);

#endif
