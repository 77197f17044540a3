/* loc_expr.c: DWARF location expressions and lists, decoded once through libdwarf and evaluated per frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_int.h"
#include "dwarf_type.h"
#include "error.h"
#include "leb128.h"
#include "loc_expr.h"
#include "log.h"

#define STACK_MAX 64
#define STEPS_MAX 10000 /* DW_OP_skip/bra can loop */
#define DEPTH_MAX 3     /* frame base and entry values nest */

/* ---- decoded expressions ---------------------------------------------- */

struct expr;

struct op {
	uint8_t atom;
	uint8_t tsize;  /* typed operations: the base type's size; 0: generic */
	uint8_t tenc;   /* its TR_ENC_*; 0: generic */
	bool bad;       /* not decodable: evaluating it gives up */
	uint32_t off;   /* offset in its expression, for branches */
	uint64_t a, b;
	const uint8_t *blk;  /* implicit_value, const_type: bytes in the file */
	struct expr *sub;    /* entry_value: the expression inside */
};

struct expr {
	struct op *ops;
	size_t n;
};

struct lentry {
	uint64_t lo, hi; /* link-time [lo, hi) */
	bool any;        /* a single expression, or the default entry */
	struct expr e;
};

/* A location attribute, decoded: a list of entries (one for a plain
 * expression), or a constant (DW_AT_const_value), or nothing. */
struct ldesc {
	bool absent;     /* the DIE has no such attribute */
	size_t n;
	struct lentry *ents;
	bool is_const;
	const uint8_t *data;
	uint64_t data_len;
	uint8_t buf[16]; /* constants given as numbers, little-endian */
};

enum { SLOT_LOCATION = 1, SLOT_FRAME_BASE = 2, SLOT_VAR = 3 };

struct lcache {
	struct tr__map map; /* die << 3 | SLOT_* -> struct ldesc */
};

static void
expr_free(struct expr *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->ops[i].sub) {
			expr_free(e->ops[i].sub);
			free(e->ops[i].sub);
		}
	free(e->ops);
	e->ops = NULL;
	e->n = 0;
}

static void
ldesc_free(void *p)
{
	struct ldesc *ld = p;

	for (size_t i = 0; i < ld->n; i++)
		expr_free(&ld->ents[i].e);
	free(ld->ents);
	free(ld);
}

static void
lcache_free(void *p)
{
	struct lcache *c = p;

	tr__map_free(&c->map, ldesc_free);
	free(c);
}

static struct lcache *
lcache_get(struct tr_dwarf *d)
{
	return tr__dwarf_slot(d, TR__SLOT_LOCS, sizeof(struct lcache),
			      lcache_free);
}

/* What decoding needs to know about the unit of an expression. */
struct dec {
	struct tr_dwarf *d;
	Dwarf_Debug dbg;
	Dwarf_Die die;     /* a DIE of the unit: DW_OP_addrx */
	uint64_t unit_off; /* base of unit-relative type offsets; 0 unknown */
	Dwarf_Half version, offset_size;
	int depth;
};

static void
dec_init(struct dec *dc, struct tr_dwarf *d, Dwarf_Die die)
{
	memset(dc, 0, sizeof(*dc));
	dc->d = d;
	dc->dbg = tr__dwarf_dbg(d);
	dc->die = die;
	dc->version = 5;
	dc->offset_size = 4;
	if (die) {
		tr__die_unit_off(dc->dbg, die, &dc->unit_off);
		dwarf_get_version_of_die(die, &dc->version, &dc->offset_size);
	}
}

/* The base type at unit-relative offset `rel`: size and encoding. */
static bool
typed(struct dec *dc, uint64_t rel, struct op *op)
{
	const struct tr_type *t;

	if (!dc->unit_off && !dc->die)
		return false;
	if (tr_dwarf_type_get(dc->d, dc->unit_off + rel, &t) < 0)
		return false;
	t = tr_type_strip(t);
	if (!t || (t->kind != TR_TYPE_BASE && t->kind != TR_TYPE_ENUM) ||
	    !t->size || t->size > 8)
		return false;
	op->tsize = (uint8_t)t->size;
	op->tenc = (uint8_t)t->encoding;
	return true;
}

/* Reading raw expression bytes: a cursor that fails past the end. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t
rd_u(struct cur *c, unsigned n)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t
rd_s(struct cur *c, unsigned n)
{
	uint64_t v = rd_u(c, n);

	if (n < 8 && (v >> (n * 8 - 1) & 1))
		v |= ~0ull << (n * 8);
	return v;
}

static uint64_t
rd_uleb(struct cur *c)
{
	uint64_t v;

	if (tr_uleb128(&c->p, c->end, &v))
		return v;
	c->bad = true;
	return 0;
}

static uint64_t
rd_sleb(struct cur *c)
{
	int64_t v;

	if (tr_sleb128(&c->p, c->end, &v))
		return (uint64_t)v;
	c->bad = true;
	return 0;
}

static const uint8_t *
rd_block(struct cur *c, uint64_t n)
{
	const uint8_t *p = c->p;

	if ((uint64_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

static struct expr *decode_raw(struct dec *dc, const uint8_t *p, uint64_t len);

/* The operands of one operation, as libdwarf's reader gives them, so
 * both decoders feed the same evaluator. */
static void
decode_op(struct dec *dc, struct cur *c, struct op *op)
{
	uint8_t a = op->atom;
	uint64_t r;
	Dwarf_Addr addr;
	Dwarf_Error err = NULL;
	int res;

	if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
		op->a = (uint64_t)(a - DW_OP_lit0);
		return;
	}
	if (a >= DW_OP_reg0 && a <= DW_OP_reg31)
		return;
	if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
		op->a = rd_sleb(c);
		return;
	}
	switch (a) {
	case DW_OP_addr:
		op->a = rd_u(c, 8);
		break;
	case DW_OP_const1u:
	case DW_OP_pick:
	case DW_OP_deref_size:
	case DW_OP_xderef_size:
		op->a = rd_u(c, 1);
		break;
	case DW_OP_const1s:
		op->a = rd_s(c, 1);
		break;
	case DW_OP_const2u:
	case DW_OP_call2:
		op->a = rd_u(c, 2);
		break;
	case DW_OP_const2s:
	case DW_OP_skip:
	case DW_OP_bra:
		op->a = rd_s(c, 2);
		break;
	case DW_OP_const4u:
	case DW_OP_call4:
	case DW_OP_GNU_parameter_ref:
		op->a = rd_u(c, 4);
		break;
	case DW_OP_const4s:
		op->a = rd_s(c, 4);
		break;
	case DW_OP_const8u:
	case DW_OP_const8s:
		op->a = rd_u(c, 8);
		break;
	case DW_OP_constu:
	case DW_OP_plus_uconst:
	case DW_OP_regx:
	case DW_OP_piece:
		op->a = rd_uleb(c);
		break;
	case DW_OP_consts:
	case DW_OP_fbreg:
		op->a = rd_sleb(c);
		break;
	case DW_OP_bregx:
		op->a = rd_uleb(c);
		op->b = rd_sleb(c);
		break;
	case DW_OP_bit_piece:
		op->a = rd_uleb(c);
		op->b = rd_uleb(c);
		break;
	case DW_OP_call_ref:
	case DW_OP_GNU_variable_value:
		op->a = rd_u(c, dc->offset_size);
		break;
	case DW_OP_implicit_pointer:
	case DW_OP_GNU_implicit_pointer:
		op->a = rd_u(c, dc->offset_size);
		op->b = rd_sleb(c);
		break;
	case DW_OP_implicit_value:
		op->a = rd_uleb(c);
		op->blk = rd_block(c, op->a);
		break;
	case DW_OP_entry_value:
	case DW_OP_GNU_entry_value:
		op->a = rd_uleb(c);
		op->blk = rd_block(c, op->a);
		if (!c->bad) {
			op->sub = decode_raw(dc, op->blk, op->a);
			op->bad = !op->sub;
		}
		break;
	case DW_OP_addrx:
	case DW_OP_GNU_addr_index:
	case DW_OP_constx:
	case DW_OP_GNU_const_index:
		r = rd_uleb(c);
		res = DW_DLV_NO_ENTRY;
		if (dc->die)
			res = dwarf_debug_addr_index_to_addr(dc->die, r, &addr,
							     &err);
		if (res == DW_DLV_OK)
			op->a = addr;
		else
			op->bad = true;
		if (res == DW_DLV_ERROR && err)
			dwarf_dealloc_error(dc->dbg, err);
		break;
	case DW_OP_const_type:
	case DW_OP_GNU_const_type:
		r = rd_uleb(c);
		op->b = rd_u(c, 1);
		op->blk = rd_block(c, op->b);
		op->bad = !typed(dc, r, op) || op->b != op->tsize;
		break;
	case DW_OP_regval_type:
	case DW_OP_GNU_regval_type:
		op->a = rd_uleb(c);
		op->bad = !typed(dc, rd_uleb(c), op);
		break;
	case DW_OP_deref_type:
	case DW_OP_GNU_deref_type:
	case DW_OP_xderef_type:
		op->a = rd_u(c, 1);
		op->bad = !typed(dc, rd_uleb(c), op);
		break;
	case DW_OP_convert:
	case DW_OP_GNU_convert:
	case DW_OP_reinterpret:
	case DW_OP_GNU_reinterpret:
		r = rd_uleb(c);
		op->bad = r && !typed(dc, r, op);
		break;
	case DW_OP_deref:
	case DW_OP_dup:
	case DW_OP_drop:
	case DW_OP_over:
	case DW_OP_swap:
	case DW_OP_rot:
	case DW_OP_xderef:
	case DW_OP_abs:
	case DW_OP_and:
	case DW_OP_div:
	case DW_OP_minus:
	case DW_OP_mod:
	case DW_OP_mul:
	case DW_OP_neg:
	case DW_OP_not:
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
	case DW_OP_nop:
	case DW_OP_push_object_address:
	case DW_OP_form_tls_address:
	case DW_OP_GNU_push_tls_address:
	case DW_OP_call_frame_cfa:
	case DW_OP_stack_value:
	case DW_OP_GNU_uninit:
		break;
	default:
		/* Operands of unknown size: nothing after it can be read. */
		c->bad = true;
		break;
	}
}

/*
 * Raw expression bytes: the block of DW_OP_entry_value, or an expression
 * handed to tr_loc_eval_expr(). libdwarf 20210528's
 * dwarf_loclist_from_expr_c() refuses bytes outside its own sections, so
 * they are read here.
 */
static struct expr *
decode_raw(struct dec *dc, const uint8_t *p, uint64_t len)
{
	struct cur c = { p, p + len, false };
	struct expr *e;
	size_t cap = 8;

	if (!p || dc->depth >= DEPTH_MAX)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ops = calloc(cap, sizeof(*e->ops));
	if (!e->ops) {
		free(e);
		return NULL;
	}
	dc->depth++;
	while (c.p < c.end && !c.bad) {
		struct op *op;

		if (e->n == cap) {
			struct op *a = realloc(e->ops, cap * 2 * sizeof(*a));

			if (!a) {
				/* A prefix would evaluate to something
				 * else: give up on all of it. */
				e->ops[0].bad = true;
				break;
			}
			memset(a + cap, 0, cap * sizeof(*a));
			e->ops = a;
			cap *= 2;
		}
		op = &e->ops[e->n++];
		op->off = (uint32_t)(c.p - p);
		op->atom = *c.p++;
		decode_op(dc, &c, op);
		if (c.bad)
			op->bad = true;
	}
	dc->depth--;
	return e;
}

static int
decode_ops(struct dec *dc, Dwarf_Locdesc_c desc, Dwarf_Unsigned nops,
	   struct expr *e)
{
	e->n = 0;
	e->ops = calloc(nops ? nops : 1, sizeof(*e->ops));
	if (!e->ops)
		return -TR_ENOMEM;
	for (Dwarf_Unsigned i = 0; i < nops; i++) {
		struct op *op = &e->ops[i];
		Dwarf_Small atom = 0;
		Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, r1 = 0, r2 = 0, r3 = 0;
		Dwarf_Unsigned boff = 0;
		Dwarf_Error err = NULL;
		Dwarf_Addr addr;
		int res;

		res = dwarf_get_location_op_value_d(desc, i, &atom, &o1, &o2,
						    &o3, &r1, &r2, &r3, &boff,
						    &err);
		if (res != DW_DLV_OK) {
			if (res == DW_DLV_ERROR && err)
				dwarf_dealloc_error(dc->dbg, err);
			op->bad = true;
			e->n = i + 1;
			break;
		}
		op->atom = atom;
		op->off = (uint32_t)boff;
		op->a = o1;
		op->b = o2;
		e->n = i + 1;
		switch (atom) {
		case DW_OP_addrx:
		case DW_OP_GNU_addr_index:
		case DW_OP_constx:
		case DW_OP_GNU_const_index:
			/* An index into .debug_addr (the raw operand: libdwarf
			 * may already have replaced the other one). */
			err = NULL;
			res = dc->die ? dwarf_debug_addr_index_to_addr(
						dc->die, r1, &addr, &err) :
					DW_DLV_NO_ENTRY;
			if (res == DW_DLV_OK)
				op->a = addr;
			else
				op->bad = true;
			if (res == DW_DLV_ERROR && err)
				dwarf_dealloc_error(dc->dbg, err);
			break;
		case DW_OP_implicit_value:
			op->blk = (const uint8_t *)(uintptr_t)o2;
			break;
		case DW_OP_entry_value:
		case DW_OP_GNU_entry_value:
			op->sub = decode_raw(dc, (const uint8_t *)(uintptr_t)o2,
					     o1);
			op->bad = !op->sub;
			break;
		case DW_OP_const_type:
		case DW_OP_GNU_const_type:
			op->b = o2; /* size of the constant */
			op->blk = (const uint8_t *)(uintptr_t)o3;
			op->bad = !typed(dc, r1, op) || o2 != op->tsize;
			break;
		case DW_OP_regval_type:
		case DW_OP_GNU_regval_type:
		case DW_OP_deref_type:
		case DW_OP_GNU_deref_type:
			op->bad = !typed(dc, r2, op);
			break;
		case DW_OP_convert:
		case DW_OP_GNU_convert:
		case DW_OP_reinterpret:
		case DW_OP_GNU_reinterpret:
			/* 0: back to the generic type. */
			op->bad = r1 && !typed(dc, r1, op);
			break;
		case DW_OP_skip:
		case DW_OP_bra:
			op->a = (uint64_t)(int64_t)(int16_t)o1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* The location (list) in attribute `at` of `die`. */
static int
decode_attr(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Half at,
	    struct ldesc *ld)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	Dwarf_Attribute attr;
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	Dwarf_Error err = NULL;
	unsigned kind = DW_LKIND_unknown;
	struct dec dc;
	int res;

	res = dwarf_attr(die, at, &attr, &err);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR && err)
			dwarf_dealloc_error(dbg, err);
		ld->absent = true;
		return res == DW_DLV_NO_ENTRY ? 0 : -TR_EINVAL;
	}
	err = NULL;
	res = dwarf_get_loclist_c(attr, &head, &count, &err);
	dwarf_dealloc_attribute(attr);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR && err)
			dwarf_dealloc_error(dbg, err);
		/* Not a location (a constant offset in an odd form): as if
		 * absent, which reads as optimized out. */
		return 0;
	}
	err = NULL;
	dwarf_get_loclist_head_kind(head, &kind, &err);
	dec_init(&dc, d, die);
	ld->ents = calloc(count ? count : 1, sizeof(*ld->ents));
	if (!ld->ents) {
		dwarf_loc_head_c_dealloc(head);
		return -TR_ENOMEM;
	}
	for (Dwarf_Unsigned i = 0; i < count; i++) {
		struct lentry *le = &ld->ents[ld->n];
		Dwarf_Small lle = 0, src = 0;
		Dwarf_Unsigned rlo, rhi, nops = 0, eoff, loff;
		Dwarf_Bool unavail = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c desc = NULL;

		err = NULL;
		res = dwarf_get_locdesc_entry_d(head, i, &lle, &rlo, &rhi,
						&unavail, &lo, &hi, &nops,
						&desc, &src, &eoff, &loff,
						&err);
		if (res != DW_DLV_OK) {
			if (res == DW_DLV_ERROR && err)
				dwarf_dealloc_error(dbg, err);
			continue;
		}
		if (kind == DW_LKIND_expression) {
			le->any = true;
		} else if (kind == DW_LKIND_loclists) {
			if (lle == DW_LLE_end_of_list ||
			    lle == DW_LLE_base_address ||
			    lle == DW_LLE_base_addressx)
				continue;
			le->any = lle == DW_LLE_default_location;
		}
		/* Entries whose addresses .debug_addr cannot give, and the
		 * empty or base-address entries of DWARF 2-4 lists. */
		if (!le->any && (unavail || hi <= lo))
			continue;
		le->lo = lo;
		le->hi = hi;
		if (decode_ops(&dc, desc, nops, &le->e) < 0) {
			expr_free(&le->e);
			continue;
		}
		ld->n++;
	}
	dwarf_loc_head_c_dealloc(head);
	return 0;
}

/* Is the type of `die` (or of its origin) signed? For constants given
 * in fixed-size forms, whose sign is the type's. */
static bool
die_type_signed(struct tr_dwarf *d, Dwarf_Die die)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	const struct tr_type *t;
	Dwarf_Die origin;
	uint64_t off;
	bool found = tr__die_ref(dbg, die, DW_AT_type, &off) == 0;

	if (!found && tr__die_origin(d, die, &origin) == 0) {
		found = tr__die_ref(dbg, origin, DW_AT_type, &off) == 0;
		dwarf_dealloc_die(origin);
	}
	return found && tr_dwarf_type_get(d, off, &t) == 0 &&
	       tr_type_is_signed(t);
}

static int
decode_const(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Die typed_die,
	     struct ldesc *ld)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	Dwarf_Block *blk;
	Dwarf_Form_Data16 d16;
	char *str;
	int64_t s;
	uint64_t u;
	int res;

	res = dwarf_attr(die, DW_AT_const_value, &attr, &err);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR && err)
			dwarf_dealloc_error(dbg, err);
		return -TR_ENOENT;
	}
	err = NULL;
	res = dwarf_whatform(attr, &form, &err);
	ld->is_const = true;
	ld->data = ld->buf;
	err = NULL;
	switch (res == DW_DLV_OK ? form : 0) {
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_block:
		res = dwarf_formblock(attr, &blk, &err);
		if (res == DW_DLV_OK) {
			/* The bytes stay in the section; only the
			 * descriptor is libdwarf's to free. */
			ld->data = blk->bl_data;
			ld->data_len = blk->bl_len;
			dwarf_dealloc(dbg, blk, DW_DLA_BLOCK);
		}
		break;
	case DW_FORM_data16:
		res = dwarf_formdata16(attr, &d16, &err);
		if (res == DW_DLV_OK) {
			memcpy(ld->buf, d16.fd_data, 16);
			ld->data_len = 16;
		}
		break;
	case DW_FORM_string:
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_strx:
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
		res = dwarf_formstring(attr, &str, &err);
		if (res == DW_DLV_OK) {
			ld->data = (const uint8_t *)str;
			ld->data_len = strlen(str) + 1;
		}
		break;
	default:
		res = tr__die_int(dbg, die, DW_AT_const_value, &s, &u) == 0 ?
			      DW_DLV_OK : DW_DLV_NO_ENTRY;
		if (res != DW_DLV_OK)
			break;
		/* Fixed-size forms hold the bits of the value: widen them
		 * the way the variable's type says. */
		if ((form == DW_FORM_data1 || form == DW_FORM_data2 ||
		     form == DW_FORM_data4) &&
		    !die_type_signed(d, typed_die))
			s = (int64_t)u;
		for (int i = 0; i < 8; i++)
			ld->buf[i] = (uint8_t)((uint64_t)s >> (8 * i));
		ld->data_len = 8;
		break;
	}
	if (res == DW_DLV_ERROR && err)
		dwarf_dealloc_error(dbg, err);
	dwarf_dealloc_attribute(attr);
	if (res != DW_DLV_OK) {
		ld->is_const = false;
		ld->data = NULL;
		ld->data_len = 0;
	}
	return 0;
}

/* A variable: its location, else its constant value, here or in the
 * abstract DIE it stands for (an inlined or cloned function's concrete
 * DIE may carry neither: a static local of an inlined function has its
 * location only in the abstract instance). */
static int
decode_var(struct tr_dwarf *d, Dwarf_Die die, struct ldesc *ld)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	Dwarf_Die cur = die, origin;
	int err = 0;

	for (int i = 0; i < 4; i++) {
		if (tr__die_has(dbg, cur, DW_AT_location)) {
			err = decode_attr(d, cur, DW_AT_location, ld);
			break;
		}
		if (tr__die_has(dbg, cur, DW_AT_const_value)) {
			err = decode_const(d, cur, die, ld);
			break;
		}
		if (tr__die_origin(d, cur, &origin) < 0)
			break;
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = origin;
	}
	if (cur != die)
		dwarf_dealloc_die(cur);
	ld->absent = false;
	return err;
}

static int
ldesc_build(struct tr_dwarf *d, uint64_t off, int slot, Dwarf_Half at,
	    struct ldesc **out)
{
	struct ldesc *ld;
	Dwarf_Die die;
	int err;

	*out = NULL;
	if (tr__die_at(d, off, &die) < 0)
		return -TR_EINVAL;
	ld = calloc(1, sizeof(*ld));
	if (!ld) {
		dwarf_dealloc_die(die);
		return -TR_ENOMEM;
	}
	if (slot == SLOT_VAR)
		err = decode_var(d, die, ld);
	else
		err = decode_attr(d, die, at, ld);
	dwarf_dealloc_die(die);
	if (err < 0) {
		ldesc_free(ld);
		return err;
	}
	*out = ld;
	return 0;
}

/* The decoded location of (die, slot), cached. */
static int
ldesc_get(struct tr_dwarf *d, uint64_t die, int slot, Dwarf_Half at,
	  const struct ldesc **out)
{
	struct lcache *c = lcache_get(d);
	uint64_t key = die << 3 | (uint64_t)slot;
	struct ldesc *ld;
	int err;

	if (!c)
		return -TR_ENOMEM;
	ld = tr__map_get(&c->map, key);
	if (!ld) {
		err = ldesc_build(d, die, slot, at, &ld);
		if (err < 0)
			return err;
		if (tr__map_put(&c->map, key, ld) < 0) {
			ldesc_free(ld);
			return -TR_ENOMEM;
		}
	}
	*out = ld;
	return 0;
}

/* ---- evaluation ------------------------------------------------------- */

struct val {
	uint64_t v;
	uint8_t size; /* 0: the generic type (8 bytes) */
	uint8_t enc;  /* 0: generic */
};

enum { CUR_NONE, CUR_REG, CUR_VAL, CUR_BLK };

struct mach {
	struct tr_dwarf *d;
	const struct tr_loc_frame *f;
	int depth;
	struct val st[STACK_MAX];
	int sp;
	/* what the location turned out to be so far */
	int cur;
	unsigned reg;
	struct val val;
	const uint8_t *blk;
	uint64_t blk_len;
	const char *why;
	bool moved; /* the last operation branched */
};

/* Giving up is not an error: the object is then "optimized out". */
#define UNAVAIL(m, reason) ((m)->why = (reason), 1)

static int eval_desc(struct tr_dwarf *d, const struct ldesc *ld,
		     const struct tr_loc_frame *f, struct tr_loc *out,
		     int depth);

static bool
is_signed_enc(unsigned enc)
{
	return enc == TR_ENC_SIGNED || enc == TR_ENC_SIGNED_CHAR;
}

/* A value cut to its type's size and widened back by its sign. */
static uint64_t
norm(uint64_t v, unsigned size, unsigned enc)
{
	if (!size || size >= 8)
		return v;
	v &= (1ull << (size * 8)) - 1;
	if (is_signed_enc(enc) && (v >> (size * 8 - 1) & 1))
		v |= ~0ull << (size * 8);
	return v;
}

static uint64_t
le_bytes(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int
push(struct mach *m, struct val v)
{
	if (m->sp >= STACK_MAX)
		return UNAVAIL(m, "expression stack overflow");
	m->st[m->sp++] = v;
	return 0;
}

static int
pushu(struct mach *m, uint64_t v)
{
	struct val x = { v, 0, 0 };

	return push(m, x);
}

static int
pop(struct mach *m, struct val *v)
{
	if (m->sp <= 0)
		return UNAVAIL(m, "malformed expression");
	*v = m->st[--m->sp];
	return 0;
}

static int
regval(struct mach *m, unsigned reg, unsigned size, uint64_t *v)
{
	uint8_t buf[8] = { 0 };

	if (size > 8 || m->f->reg(m->f->reg_arg, reg, buf, size) < 0)
		return UNAVAIL(m, "register not available in this frame");
	*v = le_bytes(buf, size);
	return 0;
}

static int
memval(struct mach *m, uint64_t addr, unsigned size, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	int err;

	if (size > 8)
		return UNAVAIL(m, "malformed expression");
	err = m->f->mem(m->f->mem_arg, addr, buf, size);
	if (err < 0)
		return -TR_EFAULT;
	*v = le_bytes(buf, size);
	return 0;
}

/* The subprogram's entry, to know when DW_OP_entry_value is simply the
 * register's current value. */
static bool
func_entry(struct mach *m, uint64_t *entry)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(m->d);
	Dwarf_Error err = NULL;
	Dwarf_Addr lo;
	Dwarf_Die die;
	const struct tr_dw_entry *e;
	int res;

	if (!m->f->func_die || tr__die_at(m->d, m->f->func_die, &die) < 0)
		return false;
	res = dwarf_lowpc(die, &lo, &err);
	if (res == DW_DLV_ERROR && err)
		dwarf_dealloc_error(dbg, err);
	dwarf_dealloc_die(die);
	if (res == DW_DLV_OK) {
		*entry = lo;
		return true;
	}
	/* DW_AT_ranges (a hot/cold split): the index knows the entry. */
	e = tr_dwarf_func_at(m->d, m->f->pc - m->f->bias);
	if (!e || e->die != m->f->func_die)
		return false;
	*entry = e->lowpc;
	return true;
}

static int
frame_base(struct mach *m, uint64_t *fb)
{
	const struct ldesc *ld;
	struct tr_loc loc;
	int err;

	if (!m->f->func_die)
		return UNAVAIL(m, "no frame base");
	if (m->depth >= DEPTH_MAX)
		return UNAVAIL(m, "frame base refers to itself");
	err = ldesc_get(m->d, m->f->func_die, SLOT_FRAME_BASE,
			DW_AT_frame_base, &ld);
	if (err < 0)
		return err;
	err = eval_desc(m->d, ld, m->f, &loc, m->depth + 1);
	if (err < 0)
		return err;
	switch (loc.kind) {
	case TR_LOC_MEMORY:
		*fb = loc.pieces[0].addr;
		return 0;
	case TR_LOC_REGISTER:
		/* DW_OP_bregN would say this; old compilers wrote DW_OP_regN
		 * meaning "the register's contents". */
		return regval(m, loc.pieces[0].reg, 8, fb);
	case TR_LOC_VALUE:
		if (!loc.pieces[0].data) {
			*fb = loc.pieces[0].value;
			return 0;
		}
		/* fall through */
	default:
		return UNAVAIL(m, loc.why ? loc.why : "frame base unknown");
	}
}

static bool
is_float(struct val v)
{
	return v.enc == TR_ENC_FLOAT;
}

static double
fget(struct val v)
{
	if (v.size == 4) {
		uint32_t u = (uint32_t)v.v;
		float f;

		memcpy(&f, &u, 4);
		return f;
	}
	{
		double x;

		memcpy(&x, &v.v, 8);
		return x;
	}
}

static struct val
fput(double x, uint8_t size)
{
	struct val r = { 0, size, TR_ENC_FLOAT };

	if (size == 4) {
		float f = (float)x;
		uint32_t u;

		memcpy(&u, &f, 4);
		r.v = u;
	} else {
		memcpy(&r.v, &x, 8);
	}
	return r;
}

static int
cmp_result(uint8_t atom, int c)
{
	switch (atom) {
	case DW_OP_eq:
		return c == 0;
	case DW_OP_ne:
		return c != 0;
	case DW_OP_lt:
		return c < 0;
	case DW_OP_gt:
		return c > 0;
	case DW_OP_le:
		return c <= 0;
	default: /* DW_OP_ge */
		return c >= 0;
	}
}

static bool
is_cmp(uint8_t atom)
{
	return atom == DW_OP_eq || atom == DW_OP_ne || atom == DW_OP_lt ||
	       atom == DW_OP_gt || atom == DW_OP_le || atom == DW_OP_ge;
}

static int
binop_float(struct mach *m, uint8_t atom, struct val a, struct val b)
{
	double x, y;

	if (!is_float(a) || !is_float(b) || a.size != b.size ||
	    (a.size != 4 && a.size != 8))
		return UNAVAIL(m, "operands of different types");
	x = fget(a);
	y = fget(b);
	if (is_cmp(atom))
		return pushu(m, (uint64_t)cmp_result(atom, x < y ? -1 :
						     x > y ? 1 : 0));
	switch (atom) {
	case DW_OP_plus:
		return push(m, fput(x + y, a.size));
	case DW_OP_minus:
		return push(m, fput(x - y, a.size));
	case DW_OP_mul:
		return push(m, fput(x * y, a.size));
	case DW_OP_div:
		return push(m, fput(x / y, a.size));
	default:
		return UNAVAIL(m, "integer operation on floating point");
	}
}

/* Binary operations: a is the second entry, b the top. Typed operands
 * (DWARF 5) are computed in their type, the generic type in 64 bits:
 * signed for division and comparisons, unsigned for DW_OP_mod. */
static int
binop(struct mach *m, uint8_t atom)
{
	struct val a, b, r;
	uint64_t x, y, z = 0;
	bool sgn;

	if (pop(m, &b) || pop(m, &a))
		return 1;
	if (is_float(a) || is_float(b))
		return binop_float(m, atom, a, b);
	r.size = a.size ? a.size : b.size;
	r.enc = a.size ? a.enc : b.enc;
	sgn = r.enc ? is_signed_enc(r.enc) : true;
	x = a.v;
	y = b.v;
	if (is_cmp(atom)) {
		int c;

		int64_t sx = (int64_t)x, sy = (int64_t)y;

		if (sgn)
			c = sx < sy ? -1 : sx > sy;
		else
			c = x < y ? -1 : x > y;
		return pushu(m, (uint64_t)cmp_result(atom, c));
	}
	switch (atom) {
	case DW_OP_plus:
		z = x + y;
		break;
	case DW_OP_minus:
		z = x - y;
		break;
	case DW_OP_mul:
		z = x * y;
		break;
	case DW_OP_and:
		z = x & y;
		break;
	case DW_OP_or:
		z = x | y;
		break;
	case DW_OP_xor:
		z = x ^ y;
		break;
	case DW_OP_div:
		if (!y)
			return UNAVAIL(m, "division by zero");
		if (!sgn)
			z = x / y;
		else if ((int64_t)x == INT64_MIN && (int64_t)y == -1)
			z = x;
		else
			z = (uint64_t)((int64_t)x / (int64_t)y);
		break;
	case DW_OP_mod:
		if (!y)
			return UNAVAIL(m, "division by zero");
		if (r.enc && sgn && (int64_t)y == -1)
			z = 0; /* INT64_MIN % -1 traps */
		else if (r.enc && sgn)
			z = (uint64_t)((int64_t)x % (int64_t)y);
		else
			z = x % y;
		break;
	case DW_OP_shl:
		z = y >= 64 ? 0 : x << y;
		break;
	case DW_OP_shr:
		if (r.size && r.size < 8)
			x &= (1ull << (r.size * 8)) - 1;
		z = y >= 64 ? 0 : x >> y;
		break;
	case DW_OP_shra:
		if (y >= 64)
			z = (int64_t)x < 0 ? ~0ull : 0;
		else
			z = (uint64_t)((int64_t)x >> y);
		break;
	default:
		return UNAVAIL(m, "unsupported operation");
	}
	r.v = norm(z, r.size, r.enc);
	return push(m, r);
}

static int
unop(struct mach *m, uint8_t atom)
{
	struct val a;

	if (pop(m, &a))
		return 1;
	if (is_float(a)) {
		double x = fget(a);

		if (atom == DW_OP_not)
			return UNAVAIL(m, "DW_OP_not on floating point");
		return push(m, fput(atom == DW_OP_neg ? -x : x < 0 ? -x : x,
				    a.size));
	}
	switch (atom) {
	case DW_OP_neg:
		a.v = -a.v;
		break;
	case DW_OP_not:
		a.v = ~a.v;
		break;
	default: /* DW_OP_abs */
		if ((int64_t)a.v < 0 && (!a.enc || is_signed_enc(a.enc)))
			a.v = -a.v;
		break;
	}
	a.v = norm(a.v, a.size, a.enc);
	return push(m, a);
}

static int
convert(struct mach *m, const struct op *op, bool reinterpret)
{
	struct val a, r = { 0, op->tsize, op->tenc };
	unsigned from = 0, to = op->tsize ? op->tsize : 8;

	if (pop(m, &a))
		return 1;
	from = a.size ? a.size : 8;
	if (reinterpret) {
		if (from != to)
			return UNAVAIL(m, "reinterpretation changes size");
		r.v = norm(a.v, r.size, r.enc);
		return push(m, r);
	}
	if (is_float(a) && is_float(r))
		return push(m, fput(fget(a), r.size));
	if (is_float(a)) {
		double x = fget(a);

		/* Out-of-range conversions have no defined result. */
		if (!(x > -9.2e18 && x < 1.8e19))
			return UNAVAIL(m, "conversion out of range");
		r.v = x < 0 ? (uint64_t)(int64_t)x : (uint64_t)x;
		r.v = norm(r.v, r.size, r.enc);
		return push(m, r);
	}
	if (is_float(r)) {
		bool sgn = a.enc ? is_signed_enc(a.enc) : true;

		return push(m, fput(sgn ? (double)(int64_t)a.v : (double)a.v,
				    r.size));
	}
	r.v = norm(a.v, r.size, r.enc);
	return push(m, r);
}

static int run(struct mach *m, const struct expr *e, struct tr_loc *out);

/* DW_OP_entry_value: the value a register (or a memory word it points
 * to) had when the function was entered. Without the caller's call-site
 * information that is known only while the innermost frame still stands
 * at the entry pc. */
static int
entry_value(struct mach *m, const struct op *op)
{
	struct mach *sub;
	struct tr_loc *tmp;
	uint64_t entry, v;
	int r;

	if (!m->f->innermost || !func_entry(m, &entry) ||
	    m->f->pc - m->f->bias != entry)
		return UNAVAIL(m, "entry value away from the entry");
	if (m->depth >= DEPTH_MAX)
		return UNAVAIL(m, "nested entry values");
	sub = calloc(1, sizeof(*sub));
	tmp = calloc(1, sizeof(*tmp));
	if (!sub || !tmp) {
		free(sub);
		free(tmp);
		return -TR_ENOMEM;
	}
	sub->d = m->d;
	sub->f = m->f;
	sub->depth = m->depth + 1;
	r = run(sub, op->sub, tmp);
	if (r == 0 && tmp->npieces)
		r = UNAVAIL(sub, "entry value in pieces");
	if (r == 0) {
		if (sub->cur == CUR_REG) {
			r = regval(sub, sub->reg, 8, &v);
			if (r == 0)
				r = pushu(m, v);
		} else if (sub->cur == CUR_NONE && sub->sp > 0) {
			r = push(m, sub->st[sub->sp - 1]);
		} else {
			r = UNAVAIL(sub, "entry value of an implicit value");
		}
	}
	if (r > 0)
		m->why = sub->why;
	free(sub);
	free(tmp);
	return r;
}

static int
add_piece(struct mach *m, struct tr_loc *out, uint64_t bits, uint64_t off)
{
	struct tr_loc_piece *p;
	struct val a = { 0 };

	if (out->npieces >= TR_LOC_MAX_PIECES)
		return UNAVAIL(m, "too many pieces");
	p = &out->pieces[out->npieces];
	memset(p, 0, sizeof(*p));
	switch (m->cur) {
	case CUR_NONE:
		/* No location before the piece: that part is gone. */
		if (m->sp == 0) {
			p->kind = TR_LOC_OPTIMIZED;
			break;
		}
		pop(m, &a);
		p->kind = TR_LOC_MEMORY;
		p->addr = a.v;
		break;
	case CUR_REG:
		p->kind = TR_LOC_REGISTER;
		p->reg = m->reg;
		break;
	case CUR_VAL:
		p->kind = TR_LOC_VALUE;
		p->value = m->val.v;
		p->value_size = m->val.size ? m->val.size : 8;
		break;
	default:
		p->kind = TR_LOC_VALUE;
		p->data = m->blk;
		p->data_len = m->blk_len;
		break;
	}
	p->bit_size = bits;
	p->bit_offset = off;
	out->npieces++;
	m->cur = CUR_NONE;
	return 0;
}

static int
jump(const struct expr *e, const struct op *op, size_t *i)
{
	int64_t target = (int64_t)op->off + 3 + (int64_t)op->a;

	if (target < 0)
		return -1;
	for (size_t j = 0; j < e->n; j++)
		if (e->ops[j].off == (uint64_t)target) {
			*i = j;
			return 0;
		}
	/* Past the last operation: the end of the expression. */
	if (e->n && (uint64_t)target > e->ops[e->n - 1].off) {
		*i = e->n;
		return 0;
	}
	return -1;
}

static int
step(struct mach *m, const struct expr *e, size_t *i, struct tr_loc *out)
{
	const struct op *op = &e->ops[*i];
	uint8_t a = op->atom;
	struct val x, y, z;
	uint64_t v;
	int r = 0;

	if (op->bad)
		return UNAVAIL(m, "operation not understood");
	/* After a register, a value or implicit bytes, only a piece (or
	 * GNU_uninit, a mere note) may follow. */
	if (m->cur != CUR_NONE && a != DW_OP_piece && a != DW_OP_bit_piece &&
	    a != DW_OP_GNU_uninit)
		return UNAVAIL(m, "malformed expression");
	if (a >= DW_OP_lit0 && a <= DW_OP_lit31)
		return pushu(m, a - DW_OP_lit0);
	if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
		m->cur = CUR_REG;
		m->reg = a - DW_OP_reg0;
		return 0;
	}
	if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
		r = regval(m, a - DW_OP_breg0, 8, &v);
		return r ? r : pushu(m, v + op->a);
	}
	switch (a) {
	case DW_OP_addr:
	case DW_OP_addrx:
	case DW_OP_GNU_addr_index:
		/* Link-time addresses: the module's bias makes them real. */
		return pushu(m, op->a + m->f->bias);
	case DW_OP_constx:
	case DW_OP_GNU_const_index:
	case DW_OP_const1u:
	case DW_OP_const1s:
	case DW_OP_const2u:
	case DW_OP_const2s:
	case DW_OP_const4u:
	case DW_OP_const4s:
	case DW_OP_const8u:
	case DW_OP_const8s:
	case DW_OP_constu:
	case DW_OP_consts:
		/* libdwarf has sign-extended the signed ones. */
		return pushu(m, op->a);
	case DW_OP_regx:
		m->cur = CUR_REG;
		m->reg = (unsigned)op->a;
		return 0;
	case DW_OP_bregx:
		r = regval(m, (unsigned)op->a, 8, &v);
		return r ? r : pushu(m, v + op->b);
	case DW_OP_fbreg:
		r = frame_base(m, &v);
		return r ? r : pushu(m, v + op->a);
	case DW_OP_call_frame_cfa:
		if (!m->f->has_cfa)
			return UNAVAIL(m, "CFA unknown");
		return pushu(m, m->f->cfa);
	case DW_OP_dup:
	case DW_OP_over:
	case DW_OP_pick:
		v = a == DW_OP_dup ? 0 : a == DW_OP_over ? 1 : op->a;
		if (v >= (uint64_t)m->sp)
			return UNAVAIL(m, "malformed expression");
		return push(m, m->st[m->sp - 1 - (int)v]);
	case DW_OP_drop:
		return pop(m, &x);
	case DW_OP_swap:
		if (pop(m, &x) || pop(m, &y))
			return 1;
		push(m, x);
		return push(m, y);
	case DW_OP_rot:
		/* top -> third, second -> top, third -> second */
		if (pop(m, &x) || pop(m, &y) || pop(m, &z))
			return 1;
		push(m, x);
		push(m, z);
		return push(m, y);
	case DW_OP_deref:
	case DW_OP_deref_size:
		if (pop(m, &x))
			return 1;
		r = memval(m, x.v, a == DW_OP_deref ? 8 : (unsigned)op->a, &v);
		return r ? r : pushu(m, v);
	case DW_OP_deref_type:
	case DW_OP_GNU_deref_type:
		if (pop(m, &x))
			return 1;
		if (op->a != op->tsize)
			return UNAVAIL(m, "malformed expression");
		r = memval(m, x.v, op->tsize, &v);
		if (r)
			return r;
		y.v = norm(v, op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_regval_type:
	case DW_OP_GNU_regval_type:
		r = regval(m, (unsigned)op->a, op->tsize, &v);
		if (r)
			return r;
		y.v = norm(v, op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_const_type:
	case DW_OP_GNU_const_type:
		y.v = norm(le_bytes(op->blk, op->tsize), op->tsize, op->tenc);
		y.size = op->tsize;
		y.enc = op->tenc;
		return push(m, y);
	case DW_OP_convert:
	case DW_OP_GNU_convert:
		return convert(m, op, false);
	case DW_OP_reinterpret:
	case DW_OP_GNU_reinterpret:
		return convert(m, op, true);
	case DW_OP_plus:
	case DW_OP_minus:
	case DW_OP_mul:
	case DW_OP_div:
	case DW_OP_mod:
	case DW_OP_and:
	case DW_OP_or:
	case DW_OP_xor:
	case DW_OP_shl:
	case DW_OP_shr:
	case DW_OP_shra:
	case DW_OP_eq:
	case DW_OP_ne:
	case DW_OP_lt:
	case DW_OP_gt:
	case DW_OP_le:
	case DW_OP_ge:
		return binop(m, a);
	case DW_OP_neg:
	case DW_OP_not:
	case DW_OP_abs:
		return unop(m, a);
	case DW_OP_plus_uconst:
		if (pop(m, &x))
			return 1;
		x.v = norm(x.v + op->a, x.size, x.enc);
		return push(m, x);
	case DW_OP_skip:
		if (jump(e, op, i) < 0)
			return UNAVAIL(m, "branch out of the expression");
		m->moved = true;
		return 0;
	case DW_OP_bra:
		if (pop(m, &x))
			return 1;
		if (!x.v)
			return 0;
		if (jump(e, op, i) < 0)
			return UNAVAIL(m, "branch out of the expression");
		m->moved = true;
		return 0;
	case DW_OP_nop:
	case DW_OP_GNU_uninit:
		return 0;
	case DW_OP_stack_value:
		if (pop(m, &m->val))
			return 1;
		m->cur = CUR_VAL;
		return 0;
	case DW_OP_implicit_value:
		m->cur = CUR_BLK;
		m->blk = op->blk;
		m->blk_len = op->a;
		return 0;
	case DW_OP_piece:
		return add_piece(m, out, op->a * 8, 0);
	case DW_OP_bit_piece:
		return add_piece(m, out, op->a, op->b);
	case DW_OP_entry_value:
	case DW_OP_GNU_entry_value:
		return entry_value(m, op);
	default:
		/* implicit_pointer, TLS, calls, push_object_address... */
		return UNAVAIL(m, "operation not supported");
	}
}

/* Run the operations: 0 done, 1 unavailable (m->why), negative error. */
static int
run(struct mach *m, const struct expr *e, struct tr_loc *out)
{
	size_t i = 0;
	unsigned steps = 0;

	while (i < e->n) {
		int r;

		if (++steps > STEPS_MAX)
			return UNAVAIL(m, "expression does not end");
		m->moved = false;
		r = step(m, e, &i, out);
		if (r)
			return r;
		if (!m->moved)
			i++;
	}
	return 0;
}

static void
loc_optimized(struct tr_loc *out, const char *why)
{
	out->kind = TR_LOC_OPTIMIZED;
	out->npieces = 0;
	out->why = why;
}

static void
finish(struct mach *m, struct tr_loc *out)
{
	struct tr_loc_piece *p = &out->pieces[0];
	bool all_gone = true;

	if (out->npieces > 0) {
		for (size_t i = 0; i < out->npieces; i++)
			if (out->pieces[i].kind != TR_LOC_OPTIMIZED)
				all_gone = false;
		if (all_gone)
			loc_optimized(out, "optimized out");
		else
			out->kind = TR_LOC_PIECES;
		return;
	}
	memset(p, 0, sizeof(*p));
	out->npieces = 1;
	switch (m->cur) {
	case CUR_NONE:
		if (m->sp == 0) {
			loc_optimized(out, "optimized out");
			return;
		}
		out->kind = TR_LOC_MEMORY;
		p->kind = TR_LOC_MEMORY;
		p->addr = m->st[m->sp - 1].v;
		break;
	case CUR_REG:
		out->kind = TR_LOC_REGISTER;
		p->kind = TR_LOC_REGISTER;
		p->reg = m->reg;
		break;
	case CUR_VAL:
		out->kind = TR_LOC_VALUE;
		p->kind = TR_LOC_VALUE;
		p->value = m->val.v;
		p->value_size = m->val.size ? m->val.size : 8;
		break;
	default:
		out->kind = TR_LOC_VALUE;
		p->kind = TR_LOC_VALUE;
		p->data = m->blk;
		p->data_len = m->blk_len;
		break;
	}
}

static int
eval_expr(struct tr_dwarf *d, const struct expr *e,
	  const struct tr_loc_frame *f, struct tr_loc *out, int depth)
{
	struct mach *m;
	int r;

	out->npieces = 0;
	out->why = NULL;
	if (e->n == 0) {
		loc_optimized(out, "optimized out");
		return 0;
	}
	/* The machine is large for the stack of a deep caller. */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -TR_ENOMEM;
	m->d = d;
	m->f = f;
	m->depth = depth;
	r = run(m, e, out);
	if (r == 0)
		finish(m, out);
	else if (r > 0)
		loc_optimized(out, m->why);
	free(m);
	return r < 0 ? r : 0;
}

static int
eval_desc(struct tr_dwarf *d, const struct ldesc *ld,
	  const struct tr_loc_frame *f, struct tr_loc *out, int depth)
{
	uint64_t pc = f->pc - f->bias;
	const struct expr *e = NULL, *dflt = NULL;

	out->npieces = 0;
	out->why = NULL;
	if (ld->is_const) {
		memset(&out->pieces[0], 0, sizeof(out->pieces[0]));
		out->kind = TR_LOC_VALUE;
		out->npieces = 1;
		out->pieces[0].kind = TR_LOC_VALUE;
		out->pieces[0].data = ld->data;
		out->pieces[0].data_len = ld->data_len;
		return 0;
	}
	for (size_t i = 0; i < ld->n && !e; i++) {
		const struct lentry *le = &ld->ents[i];

		if (le->any) {
			if (!dflt)
				dflt = &le->e;
		} else if (pc >= le->lo && pc < le->hi) {
			e = &le->e;
		}
	}
	if (!e)
		e = dflt;
	if (!e) {
		loc_optimized(out, ld->n ? "not available at this pc" :
					   "optimized out");
		return 0;
	}
	return eval_expr(d, e, f, out, depth);
}

int
tr_loc_eval_var(struct tr_dwarf *d, uint64_t die, const struct tr_loc_frame *f,
		struct tr_loc *out)
{
	const struct ldesc *ld;
	int err = ldesc_get(d, die, SLOT_VAR, 0, &ld);

	if (err < 0)
		return err;
	return eval_desc(d, ld, f, out, 0);
}

int
tr_loc_eval_attr(struct tr_dwarf *d, uint64_t die, unsigned attr,
		 const struct tr_loc_frame *f, struct tr_loc *out)
{
	struct ldesc *tmp = NULL;
	const struct ldesc *ld;
	int err;

	/* The two that are asked for again and again are cached. */
	if (attr == DW_AT_location || attr == DW_AT_frame_base) {
		err = ldesc_get(d, die,
				attr == DW_AT_location ? SLOT_LOCATION :
							 SLOT_FRAME_BASE,
				(Dwarf_Half)attr, &ld);
	} else {
		err = ldesc_build(d, die, 0, (Dwarf_Half)attr, &tmp);
		ld = tmp;
	}
	if (err < 0)
		return err;
	if (ld->absent)
		err = -TR_ENOENT;
	else
		err = eval_desc(d, ld, f, out, 0);
	if (tmp)
		ldesc_free(tmp);
	return err;
}

int
tr_loc_eval_expr(struct tr_dwarf *d, uint64_t unit_die, const uint8_t *expr,
		 size_t len, const struct tr_loc_frame *f, struct tr_loc *out)
{
	Dwarf_Die die = NULL;
	struct expr *e;
	struct dec dc;
	int err;

	if (!len) {
		loc_optimized(out, "optimized out");
		return 0;
	}
	if (!unit_die && tr_dwarf_ncus(d) > 0)
		unit_die = tr_dwarf_cu(d, 0)->die;
	if (unit_die && tr__die_at(d, unit_die, &die) < 0)
		return -TR_EINVAL;
	dec_init(&dc, d, die);
	e = decode_raw(&dc, expr, len);
	if (die)
		dwarf_dealloc_die(die);
	if (!e)
		return -TR_EINVAL;
	err = eval_expr(d, e, f, out, 0);
	expr_free(e);
	free(e);
	return err;
}

/* ---- reading ---------------------------------------------------------- */

static unsigned
reg_size(unsigned regno)
{
	return regno >= TR_DWREG_XMM0 && regno < TR_DWREG_MM0 ? 16 : 8;
}

/* Copy n bits of piece p to bit dpos of out, marking in `have` the bits
 * it could provide. */
static int
piece_bits(const struct tr_loc_piece *p, const struct tr_loc_frame *f,
	   uint8_t *out, uint8_t *have, uint64_t dpos, uint64_t n)
{
	uint8_t small[32];
	uint8_t *src = small, *heap = NULL;
	uint64_t need = (p->bit_offset + n + 7) / 8, srcbits = 0;

	switch (p->kind) {
	case TR_LOC_MEMORY:
		if (need > sizeof(small)) {
			heap = malloc(need);
			if (!heap)
				return -TR_ENOMEM;
			src = heap;
		}
		if (f->mem(f->mem_arg, p->addr, src, need) < 0) {
			free(heap);
			return -TR_EFAULT;
		}
		srcbits = need * 8;
		break;
	case TR_LOC_REGISTER: {
		size_t want = need < reg_size(p->reg) ? need : reg_size(p->reg);

		/* A register this frame does not know: those bits stay
		 * unavailable. */
		if (f->reg(f->reg_arg, p->reg, src, want) < 0)
			return 0;
		srcbits = want * 8;
		break;
	}
	case TR_LOC_VALUE:
		if (p->data) {
			src = (uint8_t *)p->data;
			srcbits = p->data_len * 8;
		} else {
			unsigned sz = p->value_size && p->value_size < 8 ?
					      p->value_size : 8;

			for (unsigned i = 0; i < 8; i++)
				small[i] = (uint8_t)(p->value >> (8 * i));
			srcbits = sz * 8;
		}
		break;
	default:
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t s = p->bit_offset + i, d = dpos + i;

		if (s >= srcbits)
			break;
		if (src[s / 8] >> (s % 8) & 1)
			out[d / 8] |= (uint8_t)(1u << (d % 8));
		have[d / 8] |= (uint8_t)(1u << (d % 8));
	}
	free(heap);
	return 0;
}

int
tr_loc_read(const struct tr_loc *loc, const struct tr_loc_frame *f, void *buf,
	    size_t len, uint8_t *avail)
{
	uint8_t *out = buf, *have;
	uint64_t pos = 0, total = (uint64_t)len * 8;
	int err = 0;

	memset(buf, 0, len);
	if (avail)
		memset(avail, 0, len);
	if (!len)
		return 0;
	if (loc->kind == TR_LOC_OPTIMIZED)
		return -TR_ENOENT;
	if (loc->kind == TR_LOC_MEMORY) {
		err = f->mem(f->mem_arg, loc->pieces[0].addr, buf, len);
		if (err < 0) {
			memset(buf, 0, len);
			return -TR_EFAULT;
		}
		if (avail)
			memset(avail, 1, len);
		return 0;
	}
	have = calloc(len, 1);
	if (!have)
		return -TR_ENOMEM;
	for (size_t i = 0; i < loc->npieces && pos < total && !err; i++) {
		const struct tr_loc_piece *p = &loc->pieces[i];
		uint64_t n = loc->kind == TR_LOC_PIECES ? p->bit_size : total;

		err = piece_bits(p, f, out, have, pos,
				 n < total - pos ? n : total - pos);
		pos += n;
	}
	if (err < 0) {
		memset(buf, 0, len);
		free(have);
		return err;
	}
	err = 0;
	for (size_t i = 0; i < len; i++) {
		bool ok = have[i] == 0xff;

		if (!ok) {
			out[i] = 0;
			err = -TR_ENOENT;
		}
		if (avail)
			avail[i] = ok;
	}
	free(have);
	return err;
}

int
tr_loc_regs_read(void *regs, unsigned regno, void *buf, size_t len)
{
	const struct tr_loc_regs *r = regs;
	const struct user_regs_struct *g = &r->gp;
	const uint8_t *src;
	unsigned long long v;

	if (regno <= TR_DWREG_RIP || regno == TR_DWREG_RFLAGS ||
	    (regno >= 50 && regno <= 55) || regno == TR_DWREG_FS_BASE ||
	    regno == TR_DWREG_GS_BASE) {
		/* The psABI numbering is not the order of
		 * user_regs_struct. */
		static const size_t at[] = {
			offsetof(struct user_regs_struct, rax),
			offsetof(struct user_regs_struct, rdx),
			offsetof(struct user_regs_struct, rcx),
			offsetof(struct user_regs_struct, rbx),
			offsetof(struct user_regs_struct, rsi),
			offsetof(struct user_regs_struct, rdi),
			offsetof(struct user_regs_struct, rbp),
			offsetof(struct user_regs_struct, rsp),
			offsetof(struct user_regs_struct, r8),
			offsetof(struct user_regs_struct, r9),
			offsetof(struct user_regs_struct, r10),
			offsetof(struct user_regs_struct, r11),
			offsetof(struct user_regs_struct, r12),
			offsetof(struct user_regs_struct, r13),
			offsetof(struct user_regs_struct, r14),
			offsetof(struct user_regs_struct, r15),
			offsetof(struct user_regs_struct, rip),
		};
		static const size_t seg[] = {
			offsetof(struct user_regs_struct, es),
			offsetof(struct user_regs_struct, cs),
			offsetof(struct user_regs_struct, ss),
			offsetof(struct user_regs_struct, ds),
			offsetof(struct user_regs_struct, fs),
			offsetof(struct user_regs_struct, gs),
		};
		size_t off;

		if (len > 8)
			return -TR_EINVAL;
		if (regno <= TR_DWREG_RIP)
			off = at[regno];
		else if (regno == TR_DWREG_RFLAGS)
			off = offsetof(struct user_regs_struct, eflags);
		else if (regno == TR_DWREG_FS_BASE)
			off = offsetof(struct user_regs_struct, fs_base);
		else if (regno == TR_DWREG_GS_BASE)
			off = offsetof(struct user_regs_struct, gs_base);
		else
			off = seg[regno - 50];
		memcpy(&v, (const uint8_t *)g + off, sizeof(v));
		memcpy(buf, &v, len);
		return 0;
	}
	if (!r->has_fp)
		return -TR_ENOENT;
	if (regno >= TR_DWREG_XMM0 && regno < TR_DWREG_ST0) {
		src = (const uint8_t *)r->fp.xmm_space +
		      (regno - TR_DWREG_XMM0) * 16;
		if (len > 16)
			return -TR_EINVAL;
	} else if (regno >= TR_DWREG_ST0 && regno < TR_DWREG_MM0 + 8) {
		/* FXSAVE keeps ST(i) in order, 16 bytes each; MMX registers
		 * alias them (TOP is 0 in MMX code). */
		unsigned i = (regno - TR_DWREG_ST0) % 8;

		src = (const uint8_t *)r->fp.st_space + i * 16;
		if (len > (regno < TR_DWREG_MM0 ? 16u : 8u))
			return -TR_EINVAL;
	} else {
		return -TR_ENOENT;
	}
	memcpy(buf, src, len);
	return 0;
}

int
tr_loc_unwound_read(void *p, unsigned regno, void *buf, size_t len)
{
	const struct tr_loc_unwound *acc = p;
	const struct tr_frame *f = acc->frame;

	if (acc->regs)
		return tr_loc_regs_read((void *)acc->regs, regno, buf, len);
	/* Above the innermost frame only what the CFI restored is known:
	 * the call-clobbered registers are not. */
	if (regno >= TR_UREG_COUNT || !(f->valid >> regno & 1))
		return -TR_ENOENT;
	if (len > 8)
		return -TR_EINVAL;
	memcpy(buf, &f->regs[regno], len);
	return 0;
}

void
tr_loc_frame_unwound(struct tr_loc_frame *out, struct tr_loc_unwound *acc,
		     uint64_t bias, tr_mem_reader mem, void *ctx)
{
	const struct tr_frame *f = acc->frame;

	memset(out, 0, sizeof(*out));
	out->pc = tr_unwind_lookup_pc(f);
	out->bias = bias;
	out->cfa = f->cfa;
	out->has_cfa = f->cfa != 0;
	out->innermost = f->how == TR_FRAME_REGS && acc->regs != NULL;
	out->reg = tr_loc_unwound_read;
	out->reg_arg = acc;
	out->mem = mem;
	out->mem_arg = ctx;
}
