/* loc_expr.h: where a variable is in a frame: DWARF location expressions and location lists, evaluated. */
#ifndef TR_SYMBOLS_LOC_EXPR_H
#define TR_SYMBOLS_LOC_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#include "symbols/dwarf_index.h"

/*
 * A location description says where an object lives at a given pc: in
 * memory, in a register, nowhere but with a known value (DW_OP_stack_value,
 * DW_OP_implicit_value, DW_AT_const_value), in pieces of those, or nowhere
 * at all ("optimized out"). Whatever cannot be computed here (an entry
 * value away from the entry, a register the unwinder could not recover, an
 * unknown CFA, an operation not supported) comes out as optimized out:
 * never as a wrong value.
 *
 * Expressions are decoded once per DIE and cached with the struct
 * tr_dwarf (freed by tr_dwarf_type_cache_drop()); evaluation itself only
 * calls back into the frame. One thread at a time per struct tr_dwarf.
 */

/* Reads `len` bytes of target memory at `addr` into buf: 0 or -TR_E*.
 * (tr_mem_read_cb of tracer.h is one, for any thread.) */
typedef int (*tr_mem_reader)(void *ctx, uint64_t addr, void *buf, size_t len);

/* DWARF register numbers on x86-64 (System V psABI). */
enum tr_dwreg {
	TR_DWREG_RAX = 0,
	TR_DWREG_RDX = 1,
	TR_DWREG_RCX = 2,
	TR_DWREG_RBX = 3,
	TR_DWREG_RSI = 4,
	TR_DWREG_RDI = 5,
	TR_DWREG_RBP = 6,
	TR_DWREG_RSP = 7,
	TR_DWREG_R8 = 8,    /* ... r15 = 15 */
	TR_DWREG_RIP = 16,  /* the return address column */
	TR_DWREG_XMM0 = 17, /* ... xmm15 = 32 */
	TR_DWREG_ST0 = 33,  /* ... st7 = 40 */
	TR_DWREG_MM0 = 41,  /* ... mm7 = 48 */
	TR_DWREG_RFLAGS = 49,
	TR_DWREG_FS_BASE = 58,
	TR_DWREG_GS_BASE = 59,
};

/*
 * A frame as location expressions see it. `reg` fills `len` bytes (at
 * most the register's size: 8 for general registers, 16 for xmm and x87)
 * with the low-order bytes of register `regno` as the frame sees it, and
 * returns 0, or a negative code when the register is unknown in this frame
 * (a caller-saved register of an outer frame): whatever needs it is then
 * optimized out. `mem` reads target memory (a wrapper of tr_mem_read, or
 * of tr_direct_mem_read inside tr_call): 0 or a negative TR_E* code.
 * Evaluation runs on the calling thread and touches the target only
 * through these two.
 */
struct tr_loc_frame {
	uint64_t pc;       /* run-time pc that selects location-list entries:
			    * in outer frames, the return address - 1 */
	uint64_t bias;     /* module load bias: run-time = link-time + bias */
	uint64_t cfa;      /* canonical frame address (DW_OP_call_frame_cfa) */
	bool has_cfa;
	bool innermost;    /* registers are the stopped thread's own, so at
			    * the function's entry pc DW_OP_entry_value is
			    * the register itself */
	uint64_t func_die; /* the subprogram whose DW_AT_frame_base
			    * DW_OP_fbreg uses; 0: none (the scope module
			    * fills it in) */
	int (*reg)(void *arg, unsigned regno, void *buf, size_t len);
	void *reg_arg;
	tr_mem_reader mem;
	void *mem_arg;
	/* DW_OP_entry_value(DW_OP_regN) away from the entry, and
	 * DW_OP_GNU_parameter_ref: the value the caller passed in DWARF
	 * register regno (param 0), or for the parameter whose DIE is
	 * `param`, from the call site's DW_TAG_call_site_parameter, as gdb
	 * finds it. NULL, or nonzero returned: unknown ("optimized out"). */
	int (*entry)(void *arg, unsigned regno, uint64_t param,
		     uint64_t *out);
	void *entry_arg;
	/* DW_OP_form_tls_address (and GNU_push_tls_address): the address
	 * of `offset` in this thread's TLS block of the module loaded at
	 * `bias`. NULL, or nonzero returned: unavailable. */
	int (*tls)(void *arg, uint64_t bias, uint64_t offset, uint64_t *out);
	void *tls_arg;
};

enum tr_loc_kind {
	TR_LOC_OPTIMIZED = 0, /* not available here: "<optimized out>" */
	TR_LOC_MEMORY = 1,    /* in target memory at `addr` (run-time) */
	TR_LOC_REGISTER = 2,  /* in DWARF register `reg`, low-order bytes */
	TR_LOC_VALUE = 3,     /* nowhere, but its value is known */
	TR_LOC_PIECES = 4,    /* pieces of the above, in order */
};

struct tr_loc_piece {
	enum tr_loc_kind kind; /* not PIECES */
	uint64_t addr;         /* MEMORY */
	unsigned reg;          /* REGISTER */
	/* VALUE: `data_len` bytes at `data` (owned by the DWARF file or its
	 * cache) when data is set, else the low `value_size` bytes of
	 * `value` (a computed DW_OP_stack_value). */
	const uint8_t *data;
	uint64_t data_len;
	uint64_t value;
	uint8_t value_size;
	uint64_t bit_size;     /* in a PIECES location: the piece's size */
	uint64_t bit_offset;   /* DW_OP_bit_piece: where in its source */
};

#define TR_LOC_MAX_PIECES 32

struct tr_loc {
	enum tr_loc_kind kind;
	/* MEMORY, REGISTER, VALUE: pieces[0] says where (npieces 1,
	 * bit_size 0: the whole object). PIECES: npieces of them. */
	size_t npieces;
	struct tr_loc_piece pieces[TR_LOC_MAX_PIECES];
	const char *why; /* OPTIMIZED: a short reason, for logs */
};

/*
 * tr_loc_eval_var: where the variable or parameter at DIE `die` is in
 * frame `f`: its DW_AT_location (an expression, or a location list whose
 * entry covering f->pc is taken: none means optimized out), else its
 * DW_AT_const_value, following DW_AT_abstract_origin for what the
 * concrete DIE of an inlined or cloned function leaves out; neither is
 * optimized out. 0 with *out filled (possibly TR_LOC_OPTIMIZED);
 * -TR_EFAULT when a memory read the expression needs fails; -TR_EINVAL
 * for a DIE that cannot be read.
 */
int tr_loc_eval_var(struct tr_dwarf *d, uint64_t die,
		    const struct tr_loc_frame *f, struct tr_loc *out);

/*
 * tr_loc_eval_attr: the same for location attribute `attr` (a DW_AT_*
 * value: DW_AT_location, DW_AT_frame_base...) of a DIE, with no fallback.
 * -TR_ENOENT when the DIE has no such attribute.
 */
int tr_loc_eval_attr(struct tr_dwarf *d, uint64_t die, unsigned attr,
		     const struct tr_loc_frame *f, struct tr_loc *out);

/*
 * tr_loc_eval_expr: evaluate the DWARF expression expr[0..len) (a single
 * location description, not a list) in frame `f`. `unit_die` is any DIE of
 * the unit it belongs to, for DW_OP_addrx and the typed operations (0: the
 * first unit). Not cached: for expressions found elsewhere (CFI, tests).
 */
int tr_loc_eval_expr(struct tr_dwarf *d, uint64_t unit_die,
		     const uint8_t *expr, size_t len,
		     const struct tr_loc_frame *f, struct tr_loc *out);

/*
 * tr_loc_eval_cfi: the value of a DWARF expression of call frame
 * information (DW_CFA_def_cfa_expression, DW_CFA_expression,
 * DW_CFA_val_expression) in frame `f`, which gives the callee's
 * registers and memory (f->func_die 0: no frame base). When `push` is
 * set, `init` (the CFA) is on the stack before the first operation, as
 * DWARF 5 6.4.2 says for register rules. No DWARF file is needed: an
 * operation that needs one (typed, addrx, fbreg) fails. 0 with *out the
 * value on top of the stack; -TR_EINVAL when the expression cannot be
 * computed; -TR_EFAULT when a memory read fails.
 */
int tr_loc_eval_cfi(const uint8_t *expr, size_t len,
		    const struct tr_loc_frame *f, bool push, uint64_t init,
		    uint64_t *out);

/*
 * tr_loc_read: the first `len` bytes of the object at `loc`, read through
 * the frame into buf. Returns 0 when every byte was known; -TR_ENOENT when
 * some or all are optimized out (those are zero in buf, and 0 in avail[i],
 * which may be NULL; available ones are 1); -TR_EFAULT when memory could
 * not be read.
 */
int tr_loc_read(const struct tr_loc *loc, const struct tr_loc_frame *f,
		void *buf, size_t len, uint8_t *avail);

/*
 * Registers of a stopped thread (from tr_regs_get and tr_fpregs_get), and
 * a `reg` accessor over them for struct tr_loc_frame: the innermost frame.
 */
struct tr_loc_regs {
	struct user_regs_struct gp;
	struct user_fpregs_struct fp;
	bool has_fp; /* fp is filled: xmm, x87 and mm registers */
};

int tr_loc_regs_read(void *regs, unsigned regno, void *buf, size_t len);

#endif
