/* loc_decode.c: DWARF location expressions and lists, decoded once through libdwarf and cached per file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/leb128.h"
#include "base/log.h"
#include "symbols/dwarf_type.h"
#include "symbols/loc_int.h"

/* ---- decoded expressions ---------------------------------------------- */

struct lcache {
	struct tr__map map; /* die << 3 | SLOT_* -> struct ldesc */
};

void
tr__loc_expr_free(struct expr *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->ops[i].sub) {
			tr__loc_expr_free(e->ops[i].sub);
			free(e->ops[i].sub);
		}
	free(e->ops);
	e->ops = NULL;
	e->n = 0;
}

void
tr__loc_ldesc_free(void *p)
{
	struct ldesc *ld = p;

	for (size_t i = 0; i < ld->n; i++)
		tr__loc_expr_free(&ld->ents[i].e);
	free(ld->ents);
	free(ld);
}

static void
lcache_free(void *p)
{
	struct lcache *c = p;

	tr__map_free(&c->map, tr__loc_ldesc_free);
	free(c);
}

static struct lcache *
lcache_get(struct tr_dwarf *d)
{
	return tr__dwarf_slot(d, TR__SLOT_LOCS, sizeof(struct lcache),
			      lcache_free);
}

void
tr__loc_dec_init(struct dec *dc, struct tr_dwarf *d, Dwarf_Die die)
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
		op->a = rd_u(c, 4);
		break;
	case DW_OP_GNU_parameter_ref:
		/* unit-relative: made absolute (0: the unit is unknown) */
		op->a = rd_u(c, 4);
		op->a = dc->unit_off ? op->a + dc->unit_off : 0;
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
			op->sub = tr__loc_decode_raw(dc, op->blk, op->a);
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
struct expr *
tr__loc_decode_raw(struct dec *dc, const uint8_t *p, uint64_t len)
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
		case DW_OP_GNU_parameter_ref:
			/* unit-relative: made absolute (0: unknown unit) */
			op->a = dc->unit_off ? r1 + dc->unit_off : 0;
			break;
		case DW_OP_entry_value:
		case DW_OP_GNU_entry_value:
			op->sub = tr__loc_decode_raw(dc, (const uint8_t *)(uintptr_t)o2,
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
	tr__loc_dec_init(&dc, d, die);
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
			tr__loc_expr_free(&le->e);
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

int
tr__loc_ldesc_build(struct tr_dwarf *d, uint64_t off, int slot, Dwarf_Half at,
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
		tr__loc_ldesc_free(ld);
		return err;
	}
	*out = ld;
	return 0;
}

/* The decoded location of (die, slot), cached. */
int
tr__loc_ldesc_get(struct tr_dwarf *d, uint64_t die, int slot, Dwarf_Half at,
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
		err = tr__loc_ldesc_build(d, die, slot, at, &ld);
		if (err < 0)
			return err;
		if (tr__map_put(&c->map, key, ld) < 0) {
			tr__loc_ldesc_free(ld);
			return -TR_ENOMEM;
		}
	}
	*out = ld;
	return 0;
}
