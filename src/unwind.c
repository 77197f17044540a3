/* unwind.c: stack unwinding with each module's CFI through libdwarf, frame pointers as the fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include "dwarf_index.h"
#include "error.h"
#include "log.h"
#include "leb128.h"
#include "unwind.h"

/*
 * Columns of libdwarf's internal rule table. CFI may name any x86-64
 * DWARF register (up to the AVX-512 mask registers, 118-125), and
 * libdwarf fails a whole FDE that names a column past the table, so the
 * table is as wide as libdwarf's own default (191); its pseudo-registers
 * (DW_FRAME_UNDEFINED_VAL, 1034, and up) must stay above it. Only the
 * first TR_UREG_COUNT columns are copied out.
 */
#define RULE_TABLE_SIZE 192

/* Bounds on a DWARF expression, so that corrupt CFI cannot loop. */
#define EXPR_STACK 64
#define EXPR_MAX_OPS 1024

/* Registers the callee must preserve (psABI 3.2.1); rsp is the CFA. */
#define CALLEE_SAVED                                                           \
	((1u << TR_UREG_RBX) | (1u << TR_UREG_RBP) | (1u << 12) | (1u << 13) | \
	 (1u << 14) | (1u << 15))

/* The CFI of one ELF file, by path: the same file mapped twice (or again
 * after a refresh) shares it, the load bias being applied per lookup. */
struct umod {
	char *path;
	int fd;
	Dwarf_Debug dbg; /* NULL: the file has no usable CFI */
	Dwarf_Cie *eh_cies, *df_cies;
	Dwarf_Signed eh_ncies, df_ncies;
	Dwarf_Fde *eh_fdes, *df_fdes;
	Dwarf_Signed eh_nfdes, df_nfdes;
};

struct tr_unwinder {
	struct tr_debuginfo *di;
	struct umod **mods;
	size_t nmods, cap;
	Dwarf_Regtable_Entry3 rules[TR_UREG_COUNT]; /* scratch for one row */
};

/* One row of a CFI table, as found for a pc. */
struct row {
	Dwarf_Regtable_Entry3 cfa;
	const Dwarf_Regtable_Entry3 *rules; /* TR_UREG_COUNT of them */
	uint64_t bias;
	bool sigtramp; /* the FDE's CIE has augmentation 'S' */
};

/* ---- modules ------------------------------------------------------- */

static void
umod_close(struct umod *um)
{
	Dwarf_Error err = NULL;

	if (!um)
		return;
	if (um->dbg) {
		if (um->eh_fdes)
			dwarf_fde_cie_list_dealloc(um->dbg, um->eh_cies,
						   um->eh_ncies, um->eh_fdes,
						   um->eh_nfdes);
		if (um->df_fdes)
			dwarf_fde_cie_list_dealloc(um->dbg, um->df_cies,
						   um->df_ncies, um->df_fdes,
						   um->df_nfdes);
		tr_dwarf_global_lock();
		dwarf_finish(um->dbg, &err);
		tr_dwarf_global_unlock();
	}
	if (um->fd >= 0)
		close(um->fd);
	free(um->path);
	free(um);
}

/* Read the FDE lists of an opened file; false when it has neither. */
static bool
umod_read_cfi(struct umod *um)
{
	Dwarf_Error err = NULL;
	int res;

	/* Rules for what the CFI does not mention: "same value", which
	 * eval_reg() reads as "preserved" for callee-saved registers only.
	 * An explicit DW_CFA_undefined (the return address of _start and
	 * clone3) stays distinguishable. The CFA gets a column of its own,
	 * outside the table (the DWARF3 interface). */
	dwarf_set_frame_rule_table_size(um->dbg, RULE_TABLE_SIZE);
	dwarf_set_frame_rule_initial_value(um->dbg, DW_FRAME_SAME_VAL);
	dwarf_set_frame_cfa_value(um->dbg, DW_FRAME_CFA_COL3);
	dwarf_set_frame_same_value(um->dbg, DW_FRAME_SAME_VAL);
	dwarf_set_frame_undefined_value(um->dbg, DW_FRAME_UNDEFINED_VAL);

	res = dwarf_get_fde_list_eh(um->dbg, &um->eh_cies, &um->eh_ncies,
				    &um->eh_fdes, &um->eh_nfdes, &err);
	if (res == DW_DLV_ERROR) {
		tr_log_debug("unwind: %s: .eh_frame: %s", um->path,
			     dwarf_errmsg(err));
		dwarf_dealloc_error(um->dbg, err);
		err = NULL;
	}
	if (res != DW_DLV_OK) {
		um->eh_cies = NULL;
		um->eh_fdes = NULL;
		um->eh_nfdes = 0;
	}
	res = dwarf_get_fde_list(um->dbg, &um->df_cies, &um->df_ncies,
				 &um->df_fdes, &um->df_nfdes, &err);
	if (res == DW_DLV_ERROR) {
		tr_log_debug("unwind: %s: .debug_frame: %s", um->path,
			     dwarf_errmsg(err));
		dwarf_dealloc_error(um->dbg, err);
	}
	if (res != DW_DLV_OK) {
		um->df_cies = NULL;
		um->df_fdes = NULL;
		um->df_nfdes = 0;
	}
	return um->eh_fdes || um->df_fdes;
}

/* Open the CFI of a file. A file libdwarf cannot read, or without CFI,
 * is remembered as such (dbg NULL): its frames use the fallback. */
static void
umod_open(struct umod *um)
{
	Dwarf_Error err = NULL;
	int res;

	um->fd = open(um->path, O_RDONLY | O_CLOEXEC);
	if (um->fd < 0) {
		tr_log_debug("unwind: %s: %s", um->path, strerror(errno));
		return;
	}
	/* dwarf_init_b accepts files with .eh_frame and no .debug_info
	 * (libc on Debian): it only needs one section it knows. */
	tr_dwarf_global_lock();
	res = dwarf_init_b(um->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
			   &um->dbg, &err);
	tr_dwarf_global_unlock();
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR) {
			tr_log_debug("unwind: %s: %s", um->path,
				     dwarf_errmsg(err));
			dwarf_dealloc_error(NULL, err);
		}
		um->dbg = NULL;
		close(um->fd);
		um->fd = -1;
		return;
	}
	if (!umod_read_cfi(um)) {
		tr_log_debug("unwind: %s: no CFI", um->path);
		tr_dwarf_global_lock();
		dwarf_finish(um->dbg, &err);
		tr_dwarf_global_unlock();
		um->dbg = NULL;
		close(um->fd);
		um->fd = -1;
	}
}

/* The CFI of the file at `path`, opened on first use; NULL on ENOMEM. */
static struct umod *
umod_get(struct tr_unwinder *u, const char *path)
{
	struct umod *um;

	for (size_t i = 0; i < u->nmods; i++)
		if (strcmp(u->mods[i]->path, path) == 0)
			return u->mods[i];
	if (u->nmods == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct umod **n = realloc(u->mods, cap * sizeof(*n));

		if (!n)
			return NULL;
		u->mods = n;
		u->cap = cap;
	}
	um = calloc(1, sizeof(*um));
	if (!um)
		return NULL;
	um->fd = -1;
	um->path = strdup(path);
	if (!um->path) {
		free(um);
		return NULL;
	}
	umod_open(um);
	u->mods[u->nmods++] = um;
	return um;
}

/* The row of the CFI of `um` for link-time address `vpc`, from one FDE
 * list. 0, -TR_ENOENT when no FDE covers vpc, -TR_EINVAL when the FDE
 * cannot be read. */
static int
row_from(struct tr_unwinder *u, struct umod *um, Dwarf_Fde *fdes, uint64_t vpc,
	 struct row *row)
{
	Dwarf_Regtable3 rt = { .rt3_reg_table_size = TR_UREG_COUNT,
			       .rt3_rules = u->rules };
	Dwarf_Error err = NULL;
	Dwarf_Fde fde;
	Dwarf_Cie cie;
	Dwarf_Addr lo, hi, row_pc;
	Dwarf_Unsigned bytes, caf, ilen;
	Dwarf_Signed daf;
	Dwarf_Small version;
	Dwarf_Half ra, offsize;
	Dwarf_Ptr instrs;
	char *aug = NULL;
	int res;

	res = dwarf_get_fde_at_pc(fdes, vpc, &fde, &lo, &hi, &err);
	if (res == DW_DLV_OK)
		res = dwarf_get_cie_of_fde(fde, &cie, &err);
	if (res == DW_DLV_OK)
		res = dwarf_get_cie_info_b(cie, &bytes, &version, &aug, &caf,
					   &daf, &ra, &instrs, &ilen, &offsize,
					   &err);
	if (res == DW_DLV_OK)
		res = dwarf_get_fde_info_for_all_regs3(fde, vpc, &rt, &row_pc,
						       &err);
	if (res == DW_DLV_ERROR) {
		tr_log_debug("unwind: %s: CFI at %#lx: %s", um->path,
			     (unsigned long)vpc, dwarf_errmsg(err));
		dwarf_dealloc_error(um->dbg, err);
		return -TR_EINVAL;
	}
	if (res != DW_DLV_OK)
		return -TR_ENOENT;
	if (ra != TR_UREG_RA) {
		/* Every x86-64 CIE says 16; anything else is not ours. */
		tr_log_debug("unwind: %s: CIE with return column %u", um->path,
			     (unsigned)ra);
		return -TR_EINVAL;
	}
	row->cfa = rt.rt3_cfa_rule;
	row->rules = u->rules;
	/* 'S' marks the signal trampoline (glibc's __restore_rt): the
	 * frame it returns to was interrupted, its pc is exact. */
	row->sigtramp = aug && aug[0] == 'z' && strchr(aug, 'S');
	return 0;
}

/* The CFI row for run-time address `pc`: 0 or -TR_ENOENT when no module
 * or FDE covers it (the fallback's turn), -TR_EINVAL, -TR_ENOMEM. */
static int
row_find(struct tr_unwinder *u, uint64_t pc, struct row *row)
{
	struct tr_symtab *st = tr_debuginfo_symtab(u->di);
	const struct tr_module *m = tr_symtab_module_at(st, pc);
	struct umod *um;
	int err = -TR_ENOENT;

	if (!m)
		return -TR_ENOENT;
	um = umod_get(u, m->path);
	if (!um)
		return -TR_ENOMEM;
	if (!um->dbg)
		return -TR_ENOENT;
	row->bias = m->bias;
	/* .eh_frame first: it is mapped with the code, so always matches
	 * it, and gcc emits it for every function. */
	if (um->eh_fdes)
		err = row_from(u, um, um->eh_fdes, pc - m->bias, row);
	if (err == -TR_ENOENT && um->df_fdes)
		err = row_from(u, um, um->df_fdes, pc - m->bias, row);
	return err;
}

/* ---- DWARF expressions (CFA and register rules) ------------------- */

/* Read an n-byte little-endian operand (x86-64 only). */
static bool
read_fixed(const uint8_t **p, const uint8_t *end, unsigned n, bool sign,
	   uint64_t *v)
{
	uint64_t r = 0;

	if ((size_t)(end - *p) < n)
		return false;
	for (unsigned i = 0; i < n; i++)
		r |= (uint64_t)(*p)[i] << (8 * i);
	*p += n;
	if (sign && n < 8 && (r >> (8 * n - 1)) & 1)
		r |= ~(uint64_t)0 << (8 * n);
	*v = r;
	return true;
}

struct expr {
	const struct tr_frame *f; /* registers: the callee's */
	tr_mem_reader rd;
	void *ctx;
	uint64_t bias;
};

static int
expr_reg(const struct expr *x, uint64_t reg, uint64_t *v)
{
	if (reg >= TR_UREG_COUNT || !(x->f->valid & (1u << reg)))
		return -TR_EINVAL;
	*v = x->f->regs[reg];
	return 0;
}

/* A binary operation of a DWARF expression: a op b. */
static int
binop(uint8_t op, uint64_t a, uint64_t b, uint64_t *out)
{
	switch (op) {
	case DW_OP_and:
		*out = a & b;
		return 0;
	case DW_OP_div:
		if (b == 0 || ((int64_t)a == INT64_MIN && (int64_t)b == -1))
			return -TR_EINVAL;
		*out = (uint64_t)((int64_t)a / (int64_t)b);
		return 0;
	case DW_OP_minus:
		*out = a - b;
		return 0;
	case DW_OP_mod:
		if (b == 0)
			return -TR_EINVAL;
		*out = a % b;
		return 0;
	case DW_OP_mul:
		*out = a * b;
		return 0;
	case DW_OP_or:
		*out = a | b;
		return 0;
	case DW_OP_plus:
		*out = a + b;
		return 0;
	case DW_OP_shl:
		*out = b < 64 ? a << b : 0;
		return 0;
	case DW_OP_shr:
		*out = b < 64 ? a >> b : 0;
		return 0;
	case DW_OP_shra:
		*out = (uint64_t)((int64_t)a >> (b < 63 ? b : 63));
		return 0;
	case DW_OP_xor:
		*out = a ^ b;
		return 0;
	/* Comparisons are signed (DWARF 5, section 2.5.1.4). */
	case DW_OP_eq:
		*out = a == b;
		return 0;
	case DW_OP_ge:
		*out = (int64_t)a >= (int64_t)b;
		return 0;
	case DW_OP_gt:
		*out = (int64_t)a > (int64_t)b;
		return 0;
	case DW_OP_le:
		*out = (int64_t)a <= (int64_t)b;
		return 0;
	case DW_OP_lt:
		*out = (int64_t)a < (int64_t)b;
		return 0;
	case DW_OP_ne:
		*out = a != b;
		return 0;
	default:
		return -TR_EINVAL;
	}
}

/*
 * Evaluate the DWARF expression p[0..len) as CFI uses it: the value on
 * top of the stack at the end (a register rule's initial stack holds the
 * CFA, when `push` is set). The operations are those gcc, glibc and the
 * linkers write into CFI (registers, constants, arithmetic, compares,
 * branches, dereferences); the rest fail with -TR_EINVAL.
 */
static int
expr_eval(const struct expr *x, const uint8_t *p, size_t len, bool push,
	  uint64_t init, uint64_t *out)
{
	const uint8_t *start = p, *end = p + len;
	uint64_t st[EXPR_STACK], a, b;
	int64_t s;
	size_t sp = 0;
	int err;

#define NEED(k)                                                          \
	do {                                                             \
		if (sp < (k))                                            \
			return -TR_EINVAL;                               \
	} while (0)
#define PUSH(v)                                                          \
	do {                                                             \
		uint64_t v_ = (v);                                       \
									 \
		if (sp == EXPR_STACK)                                    \
			return -TR_EINVAL;                               \
		st[sp++] = v_;                                           \
	} while (0)

	if (push)
		PUSH(init);
	for (unsigned ops = 0; p < end; ops++) {
		uint8_t op = *p++;

		if (ops == EXPR_MAX_OPS)
			return -TR_EINVAL;
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			PUSH((uint64_t)(op - DW_OP_lit0));
			continue;
		}
		if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
			if (!tr_sleb128(&p, end, &s))
				return -TR_EINVAL;
			err = expr_reg(x, op - DW_OP_breg0, &a);
			if (err)
				return err;
			PUSH(a + (uint64_t)s);
			continue;
		}
		switch (op) {
		case DW_OP_addr:
			/* A link-time address: relocate it. */
			if (!read_fixed(&p, end, 8, false, &a))
				return -TR_EINVAL;
			PUSH(a + x->bias);
			break;
		case DW_OP_const1u:
		case DW_OP_const1s:
		case DW_OP_const2u:
		case DW_OP_const2s:
		case DW_OP_const4u:
		case DW_OP_const4s:
		case DW_OP_const8u:
		case DW_OP_const8s: {
			/* const1u, const1s, const2u... : size 1 << (k / 2) */
			unsigned k = op - DW_OP_const1u;

			if (!read_fixed(&p, end, 1u << (k / 2), k & 1, &a))
				return -TR_EINVAL;
			PUSH(a);
			break;
		}
		case DW_OP_constu:
			if (!tr_uleb128(&p, end, &a))
				return -TR_EINVAL;
			PUSH(a);
			break;
		case DW_OP_consts:
			if (!tr_sleb128(&p, end, &s))
				return -TR_EINVAL;
			PUSH((uint64_t)s);
			break;
		case DW_OP_bregx:
			if (!tr_uleb128(&p, end, &a) || !tr_sleb128(&p, end, &s))
				return -TR_EINVAL;
			err = expr_reg(x, a, &b);
			if (err)
				return err;
			PUSH(b + (uint64_t)s);
			break;
		case DW_OP_dup:
			NEED(1);
			PUSH(st[sp - 1]);
			break;
		case DW_OP_drop:
			NEED(1);
			sp--;
			break;
		case DW_OP_over:
			NEED(2);
			PUSH(st[sp - 2]);
			break;
		case DW_OP_pick:
			if (p == end)
				return -TR_EINVAL;
			a = *p++;
			NEED(a + 1);
			PUSH(st[sp - 1 - a]);
			break;
		case DW_OP_swap:
			NEED(2);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = a;
			break;
		case DW_OP_rot:
			NEED(3);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = st[sp - 3];
			st[sp - 3] = a;
			break;
		case DW_OP_deref:
		case DW_OP_deref_size: {
			unsigned n = 8;

			if (op == DW_OP_deref_size) {
				if (p == end)
					return -TR_EINVAL;
				n = *p++;
				if (n == 0 || n > 8)
					return -TR_EINVAL;
			}
			NEED(1);
			a = 0;
			err = x->rd(x->ctx, st[sp - 1], &a, n);
			if (err)
				return err;
			st[sp - 1] = a; /* little-endian: the low n bytes */
			break;
		}
		case DW_OP_plus_uconst:
			if (!tr_uleb128(&p, end, &a))
				return -TR_EINVAL;
			NEED(1);
			st[sp - 1] += a;
			break;
		case DW_OP_abs:
			NEED(1);
			if ((int64_t)st[sp - 1] < 0)
				st[sp - 1] = -st[sp - 1];
			break;
		case DW_OP_neg:
			NEED(1);
			st[sp - 1] = -st[sp - 1];
			break;
		case DW_OP_not:
			NEED(1);
			st[sp - 1] = ~st[sp - 1];
			break;
		case DW_OP_and:
		case DW_OP_div:
		case DW_OP_minus:
		case DW_OP_mod:
		case DW_OP_mul:
		case DW_OP_or:
		case DW_OP_plus:
		case DW_OP_shl:
		case DW_OP_shr:
		case DW_OP_shra:
		case DW_OP_xor:
		case DW_OP_eq:
		case DW_OP_ge:
		case DW_OP_gt:
		case DW_OP_le:
		case DW_OP_lt:
		case DW_OP_ne:
			NEED(2);
			b = st[--sp];
			err = binop(op, st[sp - 1], b, &st[sp - 1]);
			if (err)
				return err;
			break;
		case DW_OP_skip:
		case DW_OP_bra:
			if (!read_fixed(&p, end, 2, true, &a))
				return -TR_EINVAL;
			if (op == DW_OP_bra) {
				NEED(1);
				if (st[--sp] == 0)
					break;
			}
			s = (int64_t)a;
			if (s < start - p || s > end - p)
				return -TR_EINVAL;
			p += s;
			break;
		case DW_OP_nop:
			break;
		default:
			tr_log_debug("unwind: DWARF operation %#x in CFI "
				     "not supported", op);
			return -TR_EINVAL;
		}
	}
	NEED(1);
	*out = st[sp - 1];
	return 0;
#undef NEED
#undef PUSH
}

/* ---- one step -------------------------------------------------------- */

static int
read_word(tr_mem_reader rd, void *ctx, uint64_t addr, uint64_t *v)
{
	return rd(ctx, addr, v, sizeof(*v));
}

/* The CFA of `callee` under the row's CFA rule. */
static int
eval_cfa(const struct expr *x, const struct row *row, uint64_t *cfa)
{
	const Dwarf_Regtable_Entry3 *r = &row->cfa;
	uint64_t v;
	int err;

	switch (r->dw_value_type) {
	case DW_EXPR_OFFSET:
	case DW_EXPR_VAL_OFFSET:
		/* reg + offset (DW_CFA_def_cfa and friends); the offset is
		 * signed, stored in an unsigned field. */
		err = expr_reg(x, r->dw_regnum, &v);
		if (err)
			return err;
		*cfa = v + (r->dw_offset_relevant ? r->dw_offset_or_block_len
						  : 0);
		return 0;
	case DW_EXPR_EXPRESSION:
	case DW_EXPR_VAL_EXPRESSION:
		/* DW_CFA_def_cfa_expression: the value computed is the CFA
		 * itself (PLT stubs compute it from rip; __restore_rt
		 * loads it from the saved context). Nothing is pushed. */
		return expr_eval(x, r->dw_block_ptr,
				 (size_t)r->dw_offset_or_block_len, false, 0,
				 cfa);
	default:
		return -TR_EINVAL;
	}
}

/*
 * Register `reg` of the caller under rule `r`: *known false when the rule
 * leaves it unknown. "Same value" (also what unmentioned registers get)
 * is kept for the registers a callee must preserve only: the others are
 * clobbered by the call as far as anyone can tell.
 */
static int
eval_reg(const struct expr *x, unsigned reg, const Dwarf_Regtable_Entry3 *r,
	 uint64_t cfa, uint64_t *v, bool *known)
{
	const struct tr_frame *f = x->f;
	uint64_t a;
	int err;

	*known = false;
	switch (r->dw_value_type) {
	case DW_EXPR_OFFSET:
		if (r->dw_offset_relevant) {
			/* offset(N): saved at CFA + N. */
			err = read_word(x->rd, x->ctx,
					cfa + r->dw_offset_or_block_len, v);
			if (err)
				return err;
			*known = true;
			return 0;
		}
		if (r->dw_regnum == DW_FRAME_UNDEFINED_VAL)
			return 0;
		if (r->dw_regnum == DW_FRAME_SAME_VAL) {
			if (reg < TR_UREG_COUNT && (CALLEE_SAVED >> reg) & 1 &&
			    (f->valid >> reg) & 1) {
				*v = f->regs[reg];
				*known = true;
			}
			return 0;
		}
		/* register(R): in another register of the callee. */
		if (expr_reg(x, r->dw_regnum, v) == 0)
			*known = true;
		return 0;
	case DW_EXPR_VAL_OFFSET:
		*v = cfa + r->dw_offset_or_block_len;
		*known = true;
		return 0;
	case DW_EXPR_EXPRESSION:
		err = expr_eval(x, r->dw_block_ptr,
				(size_t)r->dw_offset_or_block_len, true, cfa,
				&a);
		if (!err)
			err = read_word(x->rd, x->ctx, a, v);
		if (err)
			return err;
		*known = true;
		return 0;
	case DW_EXPR_VAL_EXPRESSION:
		err = expr_eval(x, r->dw_block_ptr,
				(size_t)r->dw_offset_or_block_len, true, cfa,
				v);
		if (err)
			return err;
		*known = true;
		return 0;
	default:
		return -TR_EINVAL;
	}
}

static int
step_cfi(struct tr_frame *callee, const struct row *row, tr_mem_reader rd,
	 void *ctx, struct tr_frame *caller)
{
	struct expr x = { .f = callee, .rd = rd, .ctx = ctx,
			  .bias = row->bias };
	uint64_t cfa, v;
	bool known;
	int err;

	err = eval_cfa(&x, row, &cfa);
	if (err)
		return err;
	callee->cfa = cfa;
	callee->sigtramp = row->sigtramp;
	for (unsigned i = 0; i < TR_UREG_COUNT; i++) {
		err = eval_reg(&x, i, &row->rules[i], cfa, &v, &known);
		/* A register the caller cannot get back is unknown; only
		 * the return address and the stack pointer are needed to
		 * go on. */
		if (err && (i == TR_UREG_RA || i == TR_UREG_RSP))
			return err;
		if (err || !known)
			continue;
		caller->regs[i] = v;
		caller->valid |= 1u << i;
	}
	/* The psABI defines the caller's rsp as the CFA; CFI says so only
	 * where it differs (signal frames restore it from the context). */
	if (row->rules[TR_UREG_RSP].dw_value_type == DW_EXPR_OFFSET &&
	    !row->rules[TR_UREG_RSP].dw_offset_relevant &&
	    row->rules[TR_UREG_RSP].dw_regnum == DW_FRAME_SAME_VAL) {
		caller->regs[TR_UREG_RSP] = cfa;
		caller->valid |= 1u << TR_UREG_RSP;
	}
	/* No return address: the outermost frame (_start, clone3 mark it
	 * with DW_CFA_undefined rip). */
	if (!(caller->valid & (1u << TR_UREG_RA)) || !caller->regs[TR_UREG_RA])
		return -TR_ENOENT;
	if (!(caller->valid & (1u << TR_UREG_RSP)))
		return -TR_EINVAL;
	/* A call pushes a return address, so the caller's stack pointer is
	 * above the callee's; only a signal frame may move elsewhere (a
	 * handler on an alternate stack). */
	if (!row->sigtramp && (callee->valid & (1u << TR_UREG_RSP)) &&
	    caller->regs[TR_UREG_RSP] <= callee->regs[TR_UREG_RSP])
		return -TR_EINVAL;
	caller->pc = caller->regs[TR_UREG_RA];
	caller->how = TR_FRAME_CFI;
	caller->signal_frame = row->sigtramp;
	return 0;
}

/* ---- without CFI ---------------------------------------------------- */

/*
 * Is `ra` a plausible return address: are the bytes before it a call
 * instruction? Either call rel32 (e8, 5 bytes) or an indirect call (ff /2,
 * 2 to 7 bytes with its ModRM, SIB and displacement). Cheap insurance
 * for the guesses below, which would otherwise take any stack word.
 */
static bool
after_call(tr_mem_reader rd, void *ctx, uint64_t ra)
{
	uint8_t b[7];

	if (ra < sizeof(b) || rd(ctx, ra - sizeof(b), b, sizeof(b)))
		return false;
	if (b[2] == 0xe8)
		return true;
	for (unsigned k = 2; k <= 7; k++)
		if (b[7 - k] == 0xff && ((b[8 - k] >> 3) & 7) == 2)
			return true;
	return false;
}

/*
 * A frame with an exact pc and no CFI, innermost or interrupted by a
 * signal: either a call through a bad pointer (the pc cannot even be
 * read) or code that has pushed nothing (hand-written assembly: glibc's
 * clone3 leaves the instructions after its syscall outside any FDE, on
 * purpose, and the parent returns through them). Either way the return
 * address is on top of the stack, and the callee-saved registers are
 * untouched.
 */
static int
step_top_of_stack(struct tr_frame *callee, tr_mem_reader rd, void *ctx,
		  struct tr_frame *caller)
{
	uint64_t rsp = callee->regs[TR_UREG_RSP], ra;
	int err;

	if (!(callee->valid & (1u << TR_UREG_RSP)) || rsp & 7)
		return -TR_EINVAL;
	err = read_word(rd, ctx, rsp, &ra);
	if (err)
		return err;
	if (!after_call(rd, ctx, ra))
		return -TR_EINVAL;
	callee->cfa = rsp + 8;
	caller->valid = callee->valid & CALLEE_SAVED;
	for (unsigned i = 0; i < TR_UREG_COUNT; i++)
		if ((caller->valid >> i) & 1)
			caller->regs[i] = callee->regs[i];
	caller->regs[TR_UREG_RSP] = rsp + 8;
	caller->regs[TR_UREG_RA] = ra;
	caller->valid |= (1u << TR_UREG_RSP) | (1u << TR_UREG_RA);
	caller->pc = ra;
	caller->how = TR_FRAME_GUESS;
	return 0;
}

/*
 * Follow the frame pointer chain, as code built with
 * -fno-omit-frame-pointer (and most JITs) keeps it: [rbp] is the
 * caller's rbp, [rbp + 8] the return address; rbp 0 ends the chain
 * (_start clears it). Guesswork, so checked: rbp must be aligned, at or
 * above the stack pointer (so strictly growing along the chain, each
 * caller's rsp being the callee's rbp + 16) and readable, and the return
 * address must follow a call. Only rbp, rsp and the pc of the caller are
 * known afterwards.
 */
static int
step_frame_pointer(struct tr_frame *callee, tr_mem_reader rd, void *ctx,
		   struct tr_frame *caller)
{
	uint64_t rbp = callee->regs[TR_UREG_RBP], saved[2];
	int err;

	if (!(callee->valid & (1u << TR_UREG_RBP)))
		return -TR_EINVAL;
	if (rbp == 0)
		return -TR_ENOENT;
	if (rbp & 7 || rbp > UINT64_MAX - 16)
		return -TR_EINVAL;
	if ((callee->valid & (1u << TR_UREG_RSP)) &&
	    rbp < callee->regs[TR_UREG_RSP])
		return -TR_EINVAL;
	err = rd(ctx, rbp, saved, sizeof(saved));
	if (err)
		return err;
	callee->cfa = rbp + 16;
	if (saved[1] == 0)
		return -TR_ENOENT;
	if (!after_call(rd, ctx, saved[1]))
		return -TR_EINVAL;
	caller->regs[TR_UREG_RBP] = saved[0];
	caller->regs[TR_UREG_RSP] = rbp + 16;
	caller->regs[TR_UREG_RA] = saved[1];
	caller->valid = (1u << TR_UREG_RBP) | (1u << TR_UREG_RSP) |
			(1u << TR_UREG_RA);
	caller->pc = saved[1];
	caller->how = TR_FRAME_GUESS;
	return 0;
}

/* ---- exported ------------------------------------------------------ */

int
tr_unwinder_new(struct tr_debuginfo *di, struct tr_unwinder **out)
{
	struct tr_unwinder *u;

	*out = NULL;
	if (!di)
		return -TR_EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -TR_ENOMEM;
	u->di = di;
	*out = u;
	return 0;
}

void
tr_unwinder_free(struct tr_unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nmods; i++)
		umod_close(u->mods[i]);
	free(u->mods);
	free(u);
}

void
tr_unwind_frame_from_regs(const struct user_regs_struct *r,
			  struct tr_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->regs[TR_UREG_RAX] = r->rax;
	f->regs[TR_UREG_RDX] = r->rdx;
	f->regs[TR_UREG_RCX] = r->rcx;
	f->regs[TR_UREG_RBX] = r->rbx;
	f->regs[TR_UREG_RSI] = r->rsi;
	f->regs[TR_UREG_RDI] = r->rdi;
	f->regs[TR_UREG_RBP] = r->rbp;
	f->regs[TR_UREG_RSP] = r->rsp;
	f->regs[8] = r->r8;
	f->regs[9] = r->r9;
	f->regs[10] = r->r10;
	f->regs[11] = r->r11;
	f->regs[12] = r->r12;
	f->regs[13] = r->r13;
	f->regs[14] = r->r14;
	f->regs[15] = r->r15;
	f->regs[TR_UREG_RA] = r->rip;
	f->valid = (1u << TR_UREG_COUNT) - 1;
	f->pc = r->rip;
	f->how = TR_FRAME_REGS;
}

uint64_t
tr_unwind_lookup_pc(const struct tr_frame *f)
{
	if (f->how == TR_FRAME_REGS || f->signal_frame || f->pc == 0)
		return f->pc;
	return f->pc - 1;
}

int
tr_unwind_step(struct tr_unwinder *u, struct tr_frame *callee,
	       tr_mem_reader rd, void *ctx, struct tr_frame *caller)
{
	uint64_t lpc = tr_unwind_lookup_pc(callee);
	struct row row;
	int err;

	memset(caller, 0, sizeof(*caller));
	callee->cfa = 0;
	callee->sigtramp = false;
	err = row_find(u, lpc, &row);
	if (err == 0)
		return step_cfi(callee, &row, rd, ctx, caller);
	if (err != -TR_ENOENT && err != -TR_EINVAL)
		return err;
	/* Where the pc is exact, the function may not have pushed anything
	 * yet (or the pc is garbage); elsewhere it is in the middle of a
	 * call, past any prologue, and only a frame pointer can help. */
	if (lpc == callee->pc) {
		err = step_top_of_stack(callee, rd, ctx, caller);
		if (err == 0)
			return 0;
		memset(caller, 0, sizeof(*caller));
		callee->cfa = 0;
	}
	return step_frame_pointer(callee, rd, ctx, caller);
}

int
tr_backtrace(struct tr_unwinder *u, const struct user_regs_struct *r,
	     tr_mem_reader rd, void *ctx, struct tr_frame *frames, size_t max,
	     size_t *n)
{
	struct tr_frame next;
	size_t k = 1;
	int err;

	*n = 0;
	if (max == 0)
		return -TR_ERANGE;
	tr_unwind_frame_from_regs(r, &frames[0]);
	for (;;) {
		err = tr_unwind_step(u, &frames[k - 1], rd, ctx, &next);
		if (err)
			break;
		/* Outside signal frames the stack pointer grows at each
		 * step (tr_unwind_step checks it), so a loop has to pass
		 * through one: compare those with the earlier ones. */
		if (next.signal_frame) {
			for (size_t i = 0; i < k; i++) {
				if (frames[i].pc == next.pc &&
				    frames[i].regs[TR_UREG_RSP] ==
					    next.regs[TR_UREG_RSP]) {
					err = -TR_EINVAL;
					break;
				}
			}
			if (err)
				break;
		}
		if (k == max) {
			err = -TR_ERANGE;
			break;
		}
		frames[k++] = next;
	}
	*n = k;
	return err == -TR_ENOENT ? 0 : err;
}
