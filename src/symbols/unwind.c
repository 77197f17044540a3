/* unwind.c: stack unwinding with each module's CFI through libdwarf, frame pointers as the fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include "symbols/dwarf_index.h"
#include "base/error.h"
#include "base/log.h"
#include "symbols/unwind.h"
#include "symbols/scope.h"

/*
 * Columns of libdwarf's internal rule table. CFI may name any x86-64
 * DWARF register (up to the AVX-512 mask registers, 118-125), and
 * libdwarf fails a whole FDE that names a column past the table, so the
 * table is as wide as libdwarf's own default (191); its pseudo-registers
 * (DW_FRAME_UNDEFINED_VAL, 1034, and up) must stay above it. Only the
 * first TR_UREG_COUNT columns are copied out.
 */
#define RULE_TABLE_SIZE 192

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

/* ---- one step -------------------------------------------------------- */

static int
read_word(tr_mem_reader rd, void *ctx, uint64_t addr, uint64_t *v)
{
	return rd(ctx, addr, v, sizeof(*v));
}

/* A register of the callee, as the CFI of its caller sees it. */
static int
callee_reg(const struct tr_frame *f, uint64_t reg, uint64_t *v)
{
	if (reg >= TR_UREG_COUNT || !(f->valid & (1u << reg)))
		return -TR_EINVAL;
	*v = f->regs[reg];
	return 0;
}

/* The CFA of `callee` under the row's CFA rule; `lf` is the callee as
 * DWARF expressions see it (loc_expr.h). */
static int
eval_cfa(const struct tr_frame *callee, const struct tr_loc_frame *lf,
	 const struct row *row, uint64_t *cfa)
{
	const Dwarf_Regtable_Entry3 *r = &row->cfa;
	uint64_t v;
	int err;

	switch (r->dw_value_type) {
	case DW_EXPR_OFFSET:
	case DW_EXPR_VAL_OFFSET:
		/* reg + offset (DW_CFA_def_cfa and friends); the offset is
		 * signed, stored in an unsigned field. */
		err = callee_reg(callee, r->dw_regnum, &v);
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
		return tr_loc_eval_cfi(r->dw_block_ptr,
				       (size_t)r->dw_offset_or_block_len, lf,
				       false, 0, cfa);
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
eval_reg(const struct tr_frame *f, const struct tr_loc_frame *lf,
	 unsigned reg, const Dwarf_Regtable_Entry3 *r, uint64_t cfa,
	 uint64_t *v, bool *known)
{
	uint64_t a;
	int err;

	*known = false;
	switch (r->dw_value_type) {
	case DW_EXPR_OFFSET:
		if (r->dw_offset_relevant) {
			/* offset(N): saved at CFA + N. */
			err = read_word(lf->mem, lf->mem_arg,
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
		if (callee_reg(f, r->dw_regnum, v) == 0)
			*known = true;
		return 0;
	case DW_EXPR_VAL_OFFSET:
		*v = cfa + r->dw_offset_or_block_len;
		*known = true;
		return 0;
	case DW_EXPR_EXPRESSION:
		/* DW_CFA_expression: the CFA pushed, the result is where the
		 * register is saved. */
		err = tr_loc_eval_cfi(r->dw_block_ptr,
				      (size_t)r->dw_offset_or_block_len, lf,
				      true, cfa, &a);
		if (!err)
			err = read_word(lf->mem, lf->mem_arg, a, v);
		if (err)
			return err;
		*known = true;
		return 0;
	case DW_EXPR_VAL_EXPRESSION:
		/* DW_CFA_val_expression: the result is the value itself. */
		err = tr_loc_eval_cfi(r->dw_block_ptr,
				      (size_t)r->dw_offset_or_block_len, lf,
				      true, cfa, v);
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
	struct tr_unwind_loc acc = { .frame = callee };
	struct tr_loc_frame lf;
	uint64_t cfa, v;
	bool known;
	int err;

	tr_unwind_loc_frame(&lf, &acc, row->bias, rd, ctx);
	err = eval_cfa(callee, &lf, row, &cfa);
	if (err)
		return err;
	callee->cfa = cfa;
	callee->sigtramp = row->sigtramp;
	for (unsigned i = 0; i < TR_UREG_COUNT; i++) {
		callee->saved_at[i] =
			row->rules[i].dw_value_type == DW_EXPR_OFFSET &&
					row->rules[i].dw_offset_relevant
				? cfa + (uint64_t)row->rules[i]
						.dw_offset_or_block_len
				: 0;
		err = eval_reg(callee, &lf, i, &row->rules[i], cfa, &v, &known);
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
tr_unwind_loc_reg(void *p, unsigned regno, void *buf, size_t len)
{
	const struct tr_unwind_loc *acc = p;
	const struct tr_frame *f = acc->frame;

	if (acc->regs)
		return tr_loc_regs_read((void *)acc->regs, regno, buf, len);
	/* Above the innermost frame only what the CFI restored is known:
	 * the call-clobbered registers are not, unless the frames below
	 * are at hand (same value, as gdb). */
	if (regno < TR_UREG_COUNT && !(f->valid >> regno & 1) &&
	    acc->first && f > acc->first && regno != TR_UREG_RSP &&
	    regno != TR_UREG_RA) {
		for (const struct tr_frame *g = f - 1;; g--) {
			if (g == acc->first && acc->regs0)
				return tr_loc_regs_read((void *)acc->regs0,
							regno, buf, len);
			if (g->valid >> regno & 1) {
				f = g;
				break;
			}
			if (g == acc->first)
				return -TR_ENOENT;
		}
	}
	if (regno >= TR_UREG_COUNT || !(f->valid >> regno & 1))
		return -TR_ENOENT;
	if (len > 8)
		return -TR_EINVAL;
	memcpy(buf, &f->regs[regno], len);
	return 0;
}

void
tr_unwind_loc_frame(struct tr_loc_frame *out, struct tr_unwind_loc *acc,
		     uint64_t bias, tr_mem_reader mem, void *ctx)
{
	const struct tr_frame *f = acc->frame;

	memset(out, 0, sizeof(*out));
	out->pc = tr_unwind_lookup_pc(f);
	out->bias = bias;
	out->cfa = f->cfa;
	out->has_cfa = f->cfa != 0;
	out->innermost = f->how == TR_FRAME_REGS && acc->regs != NULL;
	out->reg = tr_unwind_loc_reg;
	out->reg_arg = acc;
	acc->mem = mem;
	acc->mem_ctx = ctx;
	if (acc->caller && acc->di) {
		out->entry = tr_unwind_entry;
		out->entry_arg = acc;
	}
	out->mem = mem;
	out->mem_arg = ctx;
}


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

int
tr_unwind_frame_level(struct tr_debuginfo *di, const struct tr_frame *fr,
		      size_t n, unsigned vframe, size_t *phys, unsigned *level)
{
	unsigned v = 0;

	for (size_t p = 0; p < n; p++) {
		struct tr_inline in[1];
		size_t depth = 0;

		tr_debuginfo_inlines(di, tr_unwind_lookup_pc(&fr[p]), in, 1,
				     &depth);
		if (vframe <= v + depth) {
			*phys = p;
			*level = vframe - v;
			return 0;
		}
		v += (unsigned)depth + 1;
	}
	return -TR_ERANGE;
}

struct callee {
	struct tr_debuginfo *di;
	const char *name;
	uint64_t entry; /* run-time */
};

/* Whether NAME is the callee: its own name, or a symbol at its entry
 * (an alias: glibc's calls name __GI_strtol, the function is __strtol;
 * the ELF symbols know both), as gdb compares addresses. */
static bool
is_callee(void *ctx, const char *name)
{
	const struct callee *c = ctx;
	struct tr_sym sym;

	if (!strcmp(name, c->name))
		return true;
	return tr_symtab_lookup(tr_debuginfo_symtab(c->di), name, &sym) == 0 &&
	       sym.addr == c->entry;
}

static int
no_reg(void *arg, unsigned regno, void *buf, size_t len)
{
	(void)arg;
	(void)regno;
	(void)buf;
	(void)len;
	return -TR_ENOENT;
}

int
tr_unwind_entry(void *p, unsigned regno, uint64_t param, uint64_t *out)
{
	struct tr_unwind_loc *acc = p;
	struct tr_symtab *st = tr_debuginfo_symtab(acc->di);
	uint64_t lpc = tr_unwind_lookup_pc(acc->frame), ret, v;
	const struct tr_module *mc = tr_symtab_module_at(st, lpc), *m;
	struct tr_dwarf *dc, *dw;
	const struct tr_dw_entry *callee, *fn;
	struct tr_unwind_loc cacc;
	struct tr_loc_frame lf;
	struct tr_loc loc;
	const uint8_t *expr, *texpr;
	size_t len, tlen;
	uint64_t site;
	struct callee cc;

	if (!acc->caller || !mc || !(dc = tr_debuginfo_dwarf(acc->di, mc)) ||
	    !(callee = tr_dwarf_func_at(dc, lpc - mc->bias)) ||
	    !callee->name || !tr_scope_no_self_tail_call(dc, callee->name))
		return -TR_ENOENT;
	/* The call site: the caller's return address is where it is. */
	ret = acc->caller->pc;
	cc.di = acc->di;
	cc.name = callee->name;
	cc.entry = callee->lowpc + mc->bias;
	m = tr_symtab_module_at(st, ret - 1);
	if (!m || !(dw = tr_debuginfo_dwarf(acc->di, m)) ||
	    tr_scope_call_value(dw, ret - m->bias, is_callee, &cc, regno,
				param, &expr, &len, &site, &texpr, &tlen) < 0)
		return -TR_ENOENT;
	/* DW_AT_call_value is evaluated in the caller's frame (its own
	 * entry values too, through its caller). */
	memset(&cacc, 0, sizeof(cacc));
	cacc.frame = acc->caller;
	cacc.di = acc->di;
	cacc.end = acc->end;
	if (acc->end) {
		cacc.first = acc->first;
		cacc.regs0 = acc->regs0;
	}
	if (acc->end && acc->caller + 1 < acc->end)
		cacc.caller = acc->caller + 1;

	tr_unwind_loc_frame(&lf, &cacc, m->bias, acc->mem, acc->mem_ctx);
	/* gdb 13 gives an inlined call's parameters an entry value only
	 * when the call site's value needs no register (a constant, an
	 * address): measured on Lua (stringK's fs, passed in r12: none)
	 * and on tests/tracees/multi (inl_top's t, a constant: t@entry) */
	if (acc->inlined)
		lf.reg = no_reg;
	fn = tr_dwarf_func_at(dw, ret - 1 - m->bias);
	lf.func_die = fn ? fn->die : 0;
	/* an indirect call: its target, computed in the caller's frame,
	 * must be this function */
	if (texpr && (tr_loc_eval_expr(dw, site, texpr, tlen, &lf, &loc) < 0 ||
		      loc.npieces != 1 || loc.kind != TR_LOC_MEMORY ||
		      loc.pieces[0].addr != callee->lowpc + mc->bias))
		return -TR_ENOENT;
	if (tr_loc_eval_expr(dw, site, expr, len, &lf, &loc) < 0)
		return -TR_ENOENT;
	/* The value is what the expression leaves on its stack: a plain
	 * result reads as a memory "address". */
	if (loc.npieces != 1)
		return -TR_ENOENT;
	switch (loc.kind) {
	case TR_LOC_MEMORY:
		v = loc.pieces[0].addr;
		break;
	case TR_LOC_VALUE:
		if (loc.pieces[0].data) {
			if (loc.pieces[0].data_len > 8)
				return -TR_ENOENT;
			v = 0;
			memcpy(&v, loc.pieces[0].data, loc.pieces[0].data_len);
		} else {
			v = loc.pieces[0].value;
		}
		break;
	default:
		return -TR_ENOENT;
	}
	*out = v;
	return 0;
}
