/* dwarf_type.c: C types read from DWARF on first use, cached per file, named the way gdb names them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/dwarf_int.h"
#include "symbols/dwarf_type.h"
#include "base/error.h"
#include "base/log.h"

_Static_assert(TR_ENC_BOOLEAN == DW_ATE_boolean &&
		       TR_ENC_FLOAT == DW_ATE_float &&
		       TR_ENC_SIGNED == DW_ATE_signed &&
		       TR_ENC_SIGNED_CHAR == DW_ATE_signed_char &&
		       TR_ENC_UNSIGNED == DW_ATE_unsigned &&
		       TR_ENC_UNSIGNED_CHAR == DW_ATE_unsigned_char &&
		       TR_ENC_UTF == DW_ATE_UTF,
	       "TR_ENC_* must be the DW_ATE_* values");

/* ---- building types --------------------------------------------------- */

static const struct tr_type void_type = { .kind = TR_TYPE_VOID,
					  .name = "void" };

const struct tr_type *
tr_type_void(void)
{
	return &void_type;
}

struct tcache {
	struct tr__map map;     /* DIE offset -> struct tr_type */
	struct tr_type **owned; /* everything allocated, for the drop */
	size_t nowned, cap_owned;
};

static void
tfree(struct tr_type *t)
{
	free((void *)t->members);
	free((void *)t->enumerators);
	free((void *)t->params);
	free(t);
}

static void
tcache_free(void *p)
{
	struct tcache *c = p;

	for (size_t i = 0; i < c->nowned; i++)
		tfree(c->owned[i]);
	free(c->owned);
	tr__map_free(&c->map, NULL);
	free(c);
}

static struct tcache *
tcache_get(struct tr_dwarf *d)
{
	return tr__dwarf_slot(d, TR__SLOT_TYPES, sizeof(struct tcache),
			      tcache_free);
}

/* Append p to a growing array of pointers. */
static int
push(void *arrp, size_t *n, size_t *cap, void *p)
{
	void ***arr = arrp;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void **a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return -TR_ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

struct build {
	struct tr_dwarf *d;
	Dwarf_Debug dbg;
	struct tcache *c;
	struct tr_type **queue; /* allocated, fields not read yet */
	size_t nqueue, cap_queue;
	struct tr_type **made; /* made by this build: sizes to derive */
	size_t nmade, cap_made;
	struct tr_type **decls; /* declarations and, after each, the
				 * definition that completes it */
	size_t ndecls, cap_decls;
	int err;
};

static struct tr_type *
tnew(struct build *b, uint64_t die)
{
	struct tr_type *t = calloc(1, sizeof(*t));

	if (!t || push(&b->c->owned, &b->c->nowned, &b->c->cap_owned, t) < 0) {
		free(t);
		return NULL;
	}
	t->die = die;
	t->kind = TR_TYPE_UNKNOWN;
	if (push(&b->made, &b->nmade, &b->cap_made, t) < 0)
		return NULL; /* owned: freed with the cache */
	return t;
}

/* The type of DIE `off`: from the cache, or allocated now and queued to
 * have its fields read (types refer to each other in cycles). */
static const struct tr_type *
ref(struct build *b, uint64_t off)
{
	struct tr_type *t = tr__map_get(&b->c->map, off);

	if (t)
		return t;
	t = tnew(b, off);
	if (!t || tr__map_put(&b->c->map, off, t) < 0 ||
	    push(&b->queue, &b->nqueue, &b->cap_queue, t) < 0) {
		b->err = -TR_ENOMEM;
		return t ? t : &void_type;
	}
	return t;
}

/* DW_AT_type of a DIE; void (or NULL when !dflt) when it has none. */
static const struct tr_type *
target_of(struct build *b, Dwarf_Die die, bool dflt)
{
	uint64_t off;

	if (tr__die_ref(b->dbg, die, DW_AT_type, &off) == 0)
		return ref(b, off);
	return dflt ? &void_type : NULL;
}

/* Encoding of the base type at `off`, through typedefs and qualifiers
 * (read from the DIEs: the type itself may still be queued). */
static uint32_t
base_encoding(struct build *b, uint64_t off)
{
	for (int i = 0; i < 8; i++) {
		Dwarf_Die die;
		uint64_t u = 0, next;
		int tag;

		if (tr__die_at(b->d, off, &die) < 0)
			return 0;
		tag = tr__die_tag(b->dbg, die);
		if (tag == DW_TAG_base_type) {
			tr__die_int(b->dbg, die, DW_AT_encoding, NULL, &u);
			dwarf_dealloc_die(die);
			return (uint32_t)u;
		}
		if (tr__die_ref(b->dbg, die, DW_AT_type, &next) < 0) {
			dwarf_dealloc_die(die);
			return 0;
		}
		dwarf_dealloc_die(die);
		off = next;
	}
	return 0;
}

/* DW_AT_data_member_location: a constant, or (DWARF 2) an expression
 * DW_OP_plus_uconst N. */
static uint64_t
member_offset(struct build *b, Dwarf_Die die)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Unsigned len = 0;
	Dwarf_Ptr p = NULL;
	uint64_t u = 0;

	if (tr__die_int(b->dbg, die, DW_AT_data_member_location, NULL, &u) == 0)
		return u;
	if (tr__dlv(b->dbg, dwarf_attr(die, DW_AT_data_member_location, &attr,
				   &err), err) < 0)
		return 0;
	err = NULL;
	if (tr__dlv(b->dbg, dwarf_formexprloc(attr, &len, &p, &err), err) == 0 &&
	    len >= 2 && ((const uint8_t *)p)[0] == DW_OP_plus_uconst) {
		const uint8_t *q = p;
		unsigned shift = 0;

		for (Dwarf_Unsigned i = 1; i < len && shift < 64; i++) {
			u |= (uint64_t)(q[i] & 0x7f) << shift;
			shift += 7;
			if (!(q[i] & 0x80))
				break;
		}
	}
	dwarf_dealloc_attribute(attr);
	return u;
}

static void
fill_member(struct build *b, Dwarf_Die die, struct tr_type_member *m)
{
	uint64_t byte, bits = 0, dbo;
	int64_t old;

	m->name = tr__die_name(b->dbg, die);
	m->type = target_of(b, die, true);
	byte = member_offset(b, die);
	m->offset = byte;
	if (tr__die_int(b->dbg, die, DW_AT_bit_size, NULL, &bits) < 0 || !bits)
		return;
	if (tr__die_int(b->dbg, die, DW_AT_data_bit_offset, NULL, &dbo) == 0) {
		/* DWARF 4+: bits from the start of the object. */
	} else if (tr__die_int(b->dbg, die, DW_AT_bit_offset, &old, NULL) ==
		   0) {
		/* DWARF 2/3: counted from the most significant bit of a
		 * storage unit of DW_AT_byte_size bytes at `byte`; on a
		 * little-endian machine that is from the other end. */
		uint64_t unit = 4;

		tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &unit);
		if (old < 0 || (uint64_t)old + bits > unit * 8)
			return;
		dbo = byte * 8 + unit * 8 - (uint64_t)old - bits;
	} else {
		dbo = byte * 8;
	}
	m->offset = dbo / 8;
	m->bit_offset = (uint32_t)(dbo % 8);
	m->bit_size = (uint32_t)bits;
}

static void
fill_struct(struct build *b, struct tr_type *t, Dwarf_Die die)
{
	struct tr_type_member *ms = NULL;
	size_t n = 0, cap = 0;
	Dwarf_Die kid;
	bool ok;

	t->name = tr__die_name(b->dbg, die);
	tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &t->size);
	t->declaration = tr__die_flag(b->dbg, die, DW_AT_declaration);
	for (ok = tr__die_child(b->dbg, die, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		if (tr__die_tag(b->dbg, kid) != DW_TAG_member)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct tr_type_member *a = realloc(ms, c * sizeof(*a));

			if (!a) {
				b->err = -TR_ENOMEM;
				dwarf_dealloc_die(kid);
				break;
			}
			ms = a;
			cap = c;
		}
		memset(&ms[n], 0, sizeof(ms[n]));
		fill_member(b, kid, &ms[n]);
		n++;
	}
	t->members = ms;
	t->nmembers = n;
}

static void
fill_enum(struct build *b, struct tr_type *t, Dwarf_Die die)
{
	struct tr_type_enumerator *es = NULL;
	size_t n = 0, cap = 0;
	uint64_t under = 0;
	bool neg = false, ok;
	Dwarf_Die kid;

	t->name = tr__die_name(b->dbg, die);
	tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &t->size);
	t->declaration = tr__die_flag(b->dbg, die, DW_AT_declaration);
	t->target = target_of(b, die, false);
	if (tr__die_ref(b->dbg, die, DW_AT_type, &under) == 0)
		t->encoding = base_encoding(b, under);
	for (ok = tr__die_child(b->dbg, die, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		int64_t s = 0;
		uint64_t u = 0;

		if (tr__die_tag(b->dbg, kid) != DW_TAG_enumerator ||
		    tr__die_int(b->dbg, kid, DW_AT_const_value, &s, &u) < 0)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct tr_type_enumerator *a =
				realloc(es, c * sizeof(*a));

			if (!a) {
				b->err = -TR_ENOMEM;
				dwarf_dealloc_die(kid);
				break;
			}
			es = a;
			cap = c;
		}
		es[n].name = tr__die_name(b->dbg, kid);
		/* A fixed-size form (data1..8) carries the bits of the
		 * value: its sign is the underlying type's. Without one,
		 * sdata says negative by itself. */
		if (t->encoding == TR_ENC_UNSIGNED ||
		    t->encoding == TR_ENC_UNSIGNED_CHAR)
			es[n].value = (int64_t)u;
		else
			es[n].value = s;
		if (es[n].value < 0)
			neg = true;
		n++;
	}
	if (!t->encoding)
		t->encoding = neg ? TR_ENC_SIGNED : TR_ENC_UNSIGNED;
	t->enumerators = es;
	t->nenumerators = n;
}

/* The element count of a DW_TAG_subrange_type (C: lower bound 0). */
static bool
subrange_count(struct build *b, Dwarf_Die die, uint64_t *count)
{
	int64_t lo = 0, hi;
	uint64_t c, uhi = 0, idx;

	if (tr__die_int(b->dbg, die, DW_AT_count, NULL, &c) == 0) {
		*count = c;
		return true;
	}
	/* A variable-length array has an expression or a reference
	 * here: its length is not known without a frame. */
	if (tr__die_int(b->dbg, die, DW_AT_upper_bound, &hi, &uhi) < 0)
		return false;
	tr__die_int(b->dbg, die, DW_AT_lower_bound, &lo, NULL);
	/* A bound in a fixed-size form (data1: `char s[129]` has 128) has
	 * the signedness of the subrange's index type: gcc's is sizetype,
	 * unsigned. */
	if (tr__die_ref(b->dbg, die, DW_AT_type, &idx) == 0) {
		uint32_t enc = base_encoding(b, idx);

		if ((enc == TR_ENC_UNSIGNED || enc == TR_ENC_UNSIGNED_CHAR) &&
		    uhi <= INT64_MAX)
			hi = (int64_t)uhi;
	}
	if (hi < lo - 1)
		return false;
	*count = (uint64_t)(hi - lo + 1);
	return true;
}

static void
fill_array(struct build *b, struct tr_type *t, Dwarf_Die die)
{
	const struct tr_type *elem = target_of(b, die, true);
	struct tr_type *cur = NULL;
	Dwarf_Die kid;
	bool ok;

	t->kind = TR_TYPE_ARRAY;
	for (ok = tr__die_child(b->dbg, die, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		struct tr_type *dim;
		int tag = tr__die_tag(b->dbg, kid);

		if (tag != DW_TAG_subrange_type &&
		    tag != DW_TAG_enumeration_type)
			continue;
		/* The first dimension is this DIE's type; the inner ones
		 * are made up, each an array of the next. */
		dim = cur ? tnew(b, 0) : t;
		if (!dim) {
			b->err = -TR_ENOMEM;
			dwarf_dealloc_die(kid);
			break;
		}
		dim->kind = TR_TYPE_ARRAY;
		if (tag == DW_TAG_subrange_type)
			dim->count_known = subrange_count(b, kid, &dim->count);
		if (cur)
			cur->target = dim;
		cur = dim;
	}
	if (cur)
		cur->target = elem;
	else
		t->target = elem; /* no subrange: length unknown */
	/* DW_AT_byte_size, when present, is the whole array's. */
	tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &t->size);
}

static void
fill_function(struct build *b, struct tr_type *t, Dwarf_Die die)
{
	const struct tr_type **ps = NULL;
	size_t n = 0, cap = 0;
	Dwarf_Die kid;
	bool ok;

	t->kind = TR_TYPE_FUNCTION;
	t->target = target_of(b, die, true);
	t->prototyped = tr__die_flag(b->dbg, die, DW_AT_prototyped);
	for (ok = tr__die_child(b->dbg, die, &kid) == 0; ok;
	     ok = tr__die_step(b->dbg, &kid)) {
		int tag = tr__die_tag(b->dbg, kid);

		/* Without a prototype the parameters are unknown, which
		 * DWARF says the same way as "...". */
		if (tag == DW_TAG_unspecified_parameters)
			t->variadic = t->prototyped;
		if (tag != DW_TAG_formal_parameter)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			const struct tr_type **a = realloc(ps, c * sizeof(*a));

			if (!a) {
				b->err = -TR_ENOMEM;
				dwarf_dealloc_die(kid);
				break;
			}
			ps = a;
			cap = c;
		}
		ps[n++] = target_of(b, kid, true);
	}
	t->params = ps;
	t->nparams = n;
}

/*
 * A struct, union or enum this unit knows only by name (`struct S;` in
 * a header, pointers to it) is completed by a definition of the same
 * name and kind in another unit, as gdb resolves opaque types: the
 * definition is queued in this build, and its contents copied into the
 * declaration once every type of the build is read.
 */
static void
complete_later(struct build *b, struct tr_type *t)
{
	const struct tr_dw_entry *ents[16];
	size_t n = 0;

	if (!t->declaration || !t->name ||
	    tr_dwarf_lookup(b->d, t->name, TR_DW_TYPE, ents, 16, &n) < 0)
		return;
	for (size_t i = 0; i < n && i < 16; i++) {
		const struct tr_type *def;
		Dwarf_Die die;
		int tag;

		if (ents[i]->declaration || ents[i]->die == t->die ||
		    tr__die_at(b->d, ents[i]->die, &die) < 0)
			continue;
		tag = tr__die_tag(b->dbg, die);
		dwarf_dealloc_die(die);
		if ((t->kind == TR_TYPE_UNION) != (tag == DW_TAG_union_type) ||
		    (t->kind == TR_TYPE_ENUM) !=
			    (tag == DW_TAG_enumeration_type) ||
		    (t->kind == TR_TYPE_STRUCT &&
		     tag != DW_TAG_structure_type && tag != DW_TAG_class_type))
			continue;
		def = ref(b, ents[i]->die);
		if (push(&b->decls, &b->ndecls, &b->cap_decls, t) < 0 ||
		    push(&b->decls, &b->ndecls, &b->cap_decls, (void *)def) < 0)
			b->err = -TR_ENOMEM;
		return;
	}
}

/* The declaration takes the definition's contents (copies of its
 * arrays: each node owns its own). */
static void
complete(struct build *b, struct tr_type *t, const struct tr_type *def)
{
	void *ms = NULL, *es = NULL;

	if (def->declaration || def->kind != t->kind)
		return;
	if (def->nmembers &&
	    !(ms = malloc(def->nmembers * sizeof(*def->members))))
		goto nomem;
	if (def->nenumerators &&
	    !(es = malloc(def->nenumerators * sizeof(*def->enumerators))))
		goto nomem;
	if (ms)
		memcpy(ms, def->members, def->nmembers * sizeof(*def->members));
	if (es)
		memcpy(es, def->enumerators,
		       def->nenumerators * sizeof(*def->enumerators));
	free((void *)t->members);
	free((void *)t->enumerators);
	t->members = ms;
	t->nmembers = def->nmembers;
	t->enumerators = es;
	t->nenumerators = def->nenumerators;
	t->size = def->size;
	t->encoding = def->encoding;
	t->target = def->target;
	t->declaration = false;
	return;
nomem:
	free(ms);
	b->err = -TR_ENOMEM;
}

static void
fill(struct build *b, struct tr_type *t)
{
	Dwarf_Die die, origin;
	int tag;

	if (tr__die_at(b->d, t->die, &die) < 0)
		return; /* stays UNKNOWN */
	tag = tr__die_tag(b->dbg, die);
	/* The concrete copy of a function at -O2 is unnamed and untyped:
	 * the abstract one says what it is. */
	if (tag == DW_TAG_subprogram && !tr__die_has(b->dbg, die, DW_AT_type) &&
	    tr__die_origin(b->d, die, &origin) == 0) {
		dwarf_dealloc_die(die);
		die = origin;
	}
	switch (tag) {
	case DW_TAG_base_type:
		t->kind = TR_TYPE_BASE;
		t->name = tr__die_name(b->dbg, die);
		tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &t->size);
		{
			uint64_t enc = 0;

			tr__die_int(b->dbg, die, DW_AT_encoding, NULL, &enc);
			t->encoding = (uint32_t)enc;
		}
		break;
	case DW_TAG_pointer_type:
		t->kind = TR_TYPE_POINTER;
		t->size = 8;
		tr__die_int(b->dbg, die, DW_AT_byte_size, NULL, &t->size);
		t->target = target_of(b, die, true);
		break;
	case DW_TAG_typedef:
		t->kind = TR_TYPE_TYPEDEF;
		t->name = tr__die_name(b->dbg, die);
		t->target = target_of(b, die, true);
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		t->kind = tag == DW_TAG_const_type ? TR_TYPE_CONST :
			  tag == DW_TAG_volatile_type ? TR_TYPE_VOLATILE :
			  tag == DW_TAG_restrict_type ? TR_TYPE_RESTRICT :
							TR_TYPE_ATOMIC;
		t->target = target_of(b, die, true);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		t->kind = tag == DW_TAG_union_type ? TR_TYPE_UNION :
						     TR_TYPE_STRUCT;
		fill_struct(b, t, die);
		complete_later(b, t);
		break;
	case DW_TAG_enumeration_type:
		t->kind = TR_TYPE_ENUM;
		fill_enum(b, t, die);
		complete_later(b, t);
		break;
	case DW_TAG_array_type:
		fill_array(b, t, die);
		break;
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		fill_function(b, t, die);
		break;
	default:
		t->kind = TR_TYPE_UNKNOWN;
		t->name = tr__die_name(b->dbg, die);
		break;
	}
	dwarf_dealloc_die(die);
}

/* Tags a type can be asked for by (libdwarf reads a DIE at almost any
 * offset: the tag tells a type from garbage or a variable). */
static bool
type_tag(int tag)
{
	switch (tag) {
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
	case DW_TAG_unspecified_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
	case DW_TAG_string_type:
	case DW_TAG_set_type:
	case DW_TAG_subrange_type:
	case DW_TAG_interface_type:
	case DW_TAG_shared_type:
	case DW_TAG_packed_type:
		return true;
	default:
		return false;
	}
}

/* Sizes that come from other types: typedefs, qualifiers, arrays. */
static uint64_t
derive_size(struct tr_type *t, int depth)
{
	uint64_t n;

	if (!t || depth > 64 || t->size)
		return t ? t->size : 0;
	switch (t->kind) {
	case TR_TYPE_TYPEDEF:
	case TR_TYPE_CONST:
	case TR_TYPE_VOLATILE:
	case TR_TYPE_RESTRICT:
	case TR_TYPE_ATOMIC:
	case TR_TYPE_ENUM:
		t->size = derive_size((struct tr_type *)t->target, depth + 1);
		break;
	case TR_TYPE_ARRAY:
		n = derive_size((struct tr_type *)t->target, depth + 1);
		if (t->count_known && !__builtin_mul_overflow(t->count, n, &n))
			t->size = n;
		break;
	default:
		break;
	}
	return t->size;
}

int
tr_dwarf_type_get(struct tr_dwarf *d, uint64_t die, const struct tr_type **out)
{
	struct build b = { .d = d, .dbg = tr__dwarf_dbg(d) };
	const struct tr_type *t;
	Dwarf_Die probe;
	bool ok;

	*out = NULL;
	b.c = tcache_get(d);
	if (!b.c)
		return -TR_ENOMEM;
	t = tr__map_get(&b.c->map, die);
	if (t) {
		*out = t;
		return 0;
	}
	/* Cache nothing under an offset that is not a type's DIE. */
	if (!die || tr__die_at(d, die, &probe) < 0)
		return -TR_EINVAL;
	ok = tr__die_off(b.dbg, probe) == die &&
	     tr__dwarf_cu_of_die(d, die) >= 0 &&
	     type_tag(tr__die_tag(b.dbg, probe));
	dwarf_dealloc_die(probe);
	if (!ok)
		return -TR_EINVAL;
	t = ref(&b, die);
	while (b.nqueue > 0)
		fill(&b, b.queue[--b.nqueue]);
	for (size_t i = 0; i + 1 < b.ndecls; i += 2)
		complete(&b, b.decls[i], b.decls[i + 1]);
	for (size_t i = 0; i < b.nmade; i++)
		derive_size(b.made[i], 0);
	free(b.queue);
	free(b.made);
	free(b.decls);
	if (b.err < 0)
		tr_log_warn("dwarf_type: DIE %#lx: %s", (unsigned long)die,
			    tr_strerror(b.err));
	if (!t || t == &void_type)
		return b.err < 0 ? b.err : -TR_ENOMEM;
	*out = t;
	return 0;
}

/* ---- looking types up by name ----------------------------------------- */

/* gcc's names of base types and gdb's. */
static const char *const base_names[][2] = {
	{ "long int", "long" },
	{ "long unsigned int", "unsigned long" },
	{ "short int", "short" },
	{ "short unsigned int", "unsigned short" },
	{ "long long int", "long long" },
	{ "long long unsigned int", "unsigned long long" },
};
#define NBASE_NAMES (sizeof(base_names) / sizeof(base_names[0]))

static const char *
gdb_base_name(const char *name)
{
	for (size_t i = 0; name && i < NBASE_NAMES; i++)
		if (strcmp(name, base_names[i][0]) == 0)
			return base_names[i][1];
	return name;
}

int
tr_dwarf_type_lookup(struct tr_dwarf *d, const char *name,
		     const struct tr_type **out)
{
	enum tr_type_kind want = TR_TYPE_VOID; /* VOID: a typedef or base */
	const char *cands[2] = { name, NULL };
	const struct tr_type *decl = NULL;

	*out = NULL;
	if (strncmp(name, "struct ", 7) == 0)
		want = TR_TYPE_STRUCT, cands[0] = name + 7;
	else if (strncmp(name, "union ", 6) == 0)
		want = TR_TYPE_UNION, cands[0] = name + 6;
	else if (strncmp(name, "enum ", 5) == 0)
		want = TR_TYPE_ENUM, cands[0] = name + 5;
	for (size_t i = 0; want == TR_TYPE_VOID && i < NBASE_NAMES; i++)
		if (strcmp(name, base_names[i][1]) == 0)
			cands[1] = base_names[i][0];
	for (int c = 0; c < 2 && cands[c]; c++) {
		const struct tr_dw_entry *ents[32];
		size_t n = 0;

		if (tr_dwarf_lookup(d, cands[c], TR_DW_TYPE, ents, 32, &n) < 0)
			continue;
		for (size_t i = 0; i < n && i < 32; i++) {
			const struct tr_type *t;

			if (tr_dwarf_type_get(d, ents[i]->die, &t) < 0)
				continue;
			if (want == TR_TYPE_VOID ?
				    t->kind != TR_TYPE_TYPEDEF &&
					    t->kind != TR_TYPE_BASE :
				    t->kind != want)
				continue;
			if (!t->declaration) {
				*out = t;
				return 0;
			}
			if (!decl)
				decl = t;
		}
	}
	*out = decl;
	return decl ? 0 : -TR_ENOENT;
}

/* ---- questions about types -------------------------------------------- */

const struct tr_type *
tr_type_strip(const struct tr_type *t)
{
	for (int i = 0; t && i < 64; i++) {
		switch (t->kind) {
		case TR_TYPE_TYPEDEF:
		case TR_TYPE_CONST:
		case TR_TYPE_VOLATILE:
		case TR_TYPE_RESTRICT:
		case TR_TYPE_ATOMIC:
			t = t->target;
			continue;
		default:
			return t;
		}
	}
	return t;
}

bool
tr_type_is_signed(const struct tr_type *t)
{
	t = tr_type_strip(t);
	if (!t || (t->kind != TR_TYPE_BASE && t->kind != TR_TYPE_ENUM))
		return false;
	return t->encoding == TR_ENC_SIGNED ||
	       t->encoding == TR_ENC_SIGNED_CHAR;
}

static int
member_find(const struct tr_type *t, const char *name,
	    const struct tr_type_member **member, uint64_t *offset, int depth)
{
	t = tr_type_strip(t);
	if (!t || (t->kind != TR_TYPE_STRUCT && t->kind != TR_TYPE_UNION))
		return -TR_EINVAL;
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct tr_type_member *m = &t->members[i];

		if (m->name && strcmp(m->name, name) == 0) {
			*member = m;
			*offset = m->offset;
			return 0;
		}
	}
	for (size_t i = 0; i < t->nmembers && depth < 16; i++) {
		uint64_t sub;

		if (!t->members[i].name &&
		    member_find(t->members[i].type, name, member, &sub,
				depth + 1) == 0) {
			*offset = t->members[i].offset + sub;
			return 0;
		}
	}
	return -TR_ENOENT;
}

int
tr_type_member_find(const struct tr_type *t, const char *name,
		    const struct tr_type_member **member, uint64_t *offset)
{
	const struct tr_type_member *m = NULL;
	uint64_t off = 0;
	int err = member_find(t, name, &m, &off, 0);

	if (err == 0 && member)
		*member = m;
	if (err == 0 && offset)
		*offset = off;
	return err;
}

int
tr_type_bitfield_get(const struct tr_type_member *m, const void *obj,
		     size_t len, uint64_t offset, uint64_t *out)
{
	const uint8_t *p = obj;
	unsigned n = m->bit_size;
	uint64_t first, v = 0;

	if (!n || n > 64)
		return -TR_EINVAL;
	if (offset >= len || (len - offset) * 8 < (uint64_t)m->bit_offset + n)
		return -TR_ERANGE;
	first = offset * 8 + m->bit_offset;
	for (unsigned i = 0; i < n; i++) {
		uint64_t bit = first + i;

		v |= (uint64_t)(p[bit / 8] >> (bit % 8) & 1) << i;
	}
	if (n < 64 && tr_type_is_signed(m->type) && (v >> (n - 1) & 1))
		v |= ~0ull << n;
	*out = v;
	return 0;
}

/* ---- C names ---------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
sb_insert(struct sbuf *b, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memmove(b->p + at + n, b->p + at, b->len - at);
	memcpy(b->p + at, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void
sb_append(struct sbuf *b, const char *s)
{
	sb_insert(b, b->len, s);
}

enum { Q_CONST = 1, Q_VOLATILE = 2, Q_RESTRICT = 4, Q_ATOMIC = 8 };

static void
quals_str(unsigned q, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s", q & Q_CONST ? "const" : "",
		 q & Q_CONST && q & ~Q_CONST ? " " : "",
		 q & Q_VOLATILE ? "volatile" : "",
		 q & Q_VOLATILE && q & ~(Q_CONST | Q_VOLATILE) ? " " : "",
		 q & Q_RESTRICT ? "restrict" : "",
		 q & Q_RESTRICT && q & Q_ATOMIC ? " " : "",
		 q & Q_ATOMIC ? "_Atomic" : "");
}

/* How ptype prints a type (NULL: as whatis names it): the name it
 * declares, how deep bodies of structs, unions and enums are shown and
 * typedefs resolved (show > 0; anonymous ones always), the indentation. */
struct tn_opts {
	const char *var;
	int show;
	unsigned indent;
};

static void type_name(struct sbuf *out, const struct tr_type *t, int depth,
		      const struct tn_opts *o);
static void type_body(struct sbuf *out, const struct tr_type *t, int depth,
		      const struct tn_opts *o);

/*
 * C declarators read inside out: walking the type from the outside in,
 * pointers are prepended to the declarator and arrays and parameter lists
 * appended, with parentheses when a pointer would otherwise bind to them
 * ("int (*)[3]"). Qualifiers met before a pointer qualify the pointer
 * ("char * const"), before anything else the specifier ("const char").
 */
static void
type_name(struct sbuf *out, const struct tr_type *t, int depth,
	  const struct tn_opts *o)
{
	struct sbuf decl = { 0 };
	unsigned quals = 0;
	bool ptr_last = false;
	char q[48], tmp[48];
	const char *spec;

	if (o && o->var)
		sb_append(&decl, o->var);
	for (; t && depth < 64; depth++) {
		switch (t->kind) {
		case TR_TYPE_TYPEDEF:
			if (!o || o->show <= 0)
				break;
			t = t->target;
			continue;
		case TR_TYPE_CONST:
			quals |= Q_CONST;
			t = t->target;
			continue;
		case TR_TYPE_VOLATILE:
			quals |= Q_VOLATILE;
			t = t->target;
			continue;
		case TR_TYPE_RESTRICT:
			quals |= Q_RESTRICT;
			t = t->target;
			continue;
		case TR_TYPE_ATOMIC:
			quals |= Q_ATOMIC;
			t = t->target;
			continue;
		case TR_TYPE_POINTER:
			quals_str(quals, q, sizeof(q));
			if (*q && decl.len &&
			    (decl.p[0] == '*' || decl.p[0] == '_' ||
			     ((decl.p[0] | 0x20) >= 'a' &&
			      (decl.p[0] | 0x20) <= 'z')))
				sb_insert(&decl, 0, " ");
			if (*q) {
				sb_insert(&decl, 0, q);
				sb_insert(&decl, 0, " ");
			}
			sb_insert(&decl, 0, "*");
			quals = 0;
			ptr_last = true;
			t = t->target;
			continue;
		case TR_TYPE_ARRAY:
			if (ptr_last) {
				sb_insert(&decl, 0, "(");
				sb_append(&decl, ")");
			}
			if (t->count_known)
				snprintf(tmp, sizeof(tmp), "[%llu]",
					 (unsigned long long)t->count);
			else
				snprintf(tmp, sizeof(tmp), "[]");
			sb_append(&decl, tmp);
			ptr_last = false;
			t = t->target; /* qualifiers go on to the element */
			continue;
		case TR_TYPE_FUNCTION:
			if (ptr_last) {
				sb_insert(&decl, 0, "(");
				sb_append(&decl, ")");
			}
			sb_append(&decl, "(");
			for (size_t i = 0; i < t->nparams; i++) {
				if (i)
					sb_append(&decl, ", ");
				type_name(&decl, t->params[i], depth + 1,
					  NULL);
			}
			if (t->variadic)
				sb_append(&decl, t->nparams ? ", ..." : "...");
			else if (!t->nparams && t->prototyped)
				sb_append(&decl, "void");
			sb_append(&decl, ")");
			quals = 0;
			ptr_last = false;
			t = t->target;
			continue;
		default:
			break;
		}
		break;
	}
	quals_str(quals, q, sizeof(q));
	if (*q) {
		sb_append(out, q);
		sb_append(out, " ");
	}
	spec = "?";
	tmp[0] = 0;
	if (!t || t->kind == TR_TYPE_VOID) {
		spec = "void";
	} else if ((t->kind == TR_TYPE_STRUCT || t->kind == TR_TYPE_UNION ||
		    t->kind == TR_TYPE_ENUM) && o &&
		   (o->show > 0 || (!t->name && o->show == 0))) {
		/* gdb's show levels: ptype's type at 1, its members at 0
		 * (an anonymous one expanded), theirs at -1 ("struct
		 * {...}") */
		type_body(out, t, depth, o);
		spec = "";
	} else if (t->kind == TR_TYPE_STRUCT || t->kind == TR_TYPE_UNION ||
		   t->kind == TR_TYPE_ENUM) {
		sb_append(out, t->kind == TR_TYPE_STRUCT ? "struct " :
			       t->kind == TR_TYPE_UNION  ? "union " :
							   "enum ");
		spec = t->name ? t->name : "{...}";
	} else if (t->kind == TR_TYPE_BASE) {
		spec = t->name ? gdb_base_name(t->name) : "?";
	} else if (t->name && t->kind != TR_TYPE_POINTER &&
		   t->kind != TR_TYPE_ARRAY && t->kind != TR_TYPE_FUNCTION) {
		spec = t->name;
	}
	sb_append(out, spec);
	if (decl.len) {
		sb_append(out, " ");
		sb_append(out, decl.p);
	}
	if (decl.oom)
		out->oom = true;
	free(decl.p);
}

/*
 * gdb's ptype body of a struct, union or enum: "struct tag {\n", each
 * member declared on a line of its own four columns further in (bitfields
 * with their width, anonymous members expanded), "}"; "enum tag {A, B =
 * 5}" with the values that do not follow from the one before.
 */
static void
type_body(struct sbuf *out, const struct tr_type *t, int depth,
	  const struct tn_opts *o)
{
	char tmp[64];

	sb_append(out, t->kind == TR_TYPE_STRUCT ? "struct " :
		       t->kind == TR_TYPE_UNION  ? "union " : "enum ");
	if (t->name) {
		sb_append(out, t->name);
		sb_append(out, " ");
	}
	if (t->kind == TR_TYPE_ENUM) {
		int64_t last = 0;

		sb_append(out, "{");
		for (size_t i = 0; i < t->nenumerators; i++) {
			const struct tr_type_enumerator *en = &t->enumerators[i];

			if (i)
				sb_append(out, ", ");
			sb_append(out, en->name ? en->name : "?");
			if (en->value != last) {
				snprintf(tmp, sizeof(tmp), " = %lld",
					 (long long)en->value);
				sb_append(out, tmp);
				last = en->value;
			}
			last++;
		}
		sb_append(out, "}");
		return;
	}
	sb_append(out, "{\n");
	if (!t->nmembers) {
		snprintf(tmp, sizeof(tmp), "%*s%s\n", (int)o->indent + 4, "",
			 t->declaration ? "<incomplete type>"
					: "<no data fields>");
		sb_append(out, tmp);
	}
	for (size_t i = 0; i < t->nmembers && depth < 64; i++) {
		const struct tr_type_member *m = &t->members[i];
		struct tn_opts mo = { .var = m->name, .show = o->show - 1,
				      .indent = o->indent + 4 };

		snprintf(tmp, sizeof(tmp), "%*s", (int)mo.indent, "");
		sb_append(out, tmp);
		type_name(out, m->type, depth + 1, &mo);
		if (m->bit_size) {
			snprintf(tmp, sizeof(tmp), " : %u", m->bit_size);
			sb_append(out, tmp);
		}
		sb_append(out, ";\n");
	}
	snprintf(tmp, sizeof(tmp), "%*s}", (int)o->indent, "");
	sb_append(out, tmp);
}

static int
to_buf(struct sbuf *s, char *buf, size_t len)
{
	int err = 0;

	if (s->oom) {
		free(s->p);
		buf[0] = 0;
		return -TR_ENOMEM;
	}
	if (s->len >= len) {
		err = -TR_ERANGE;
		s->len = len - 1;
	}
	memcpy(buf, s->p ? s->p : "", s->len);
	buf[s->len] = 0;
	free(s->p);
	return err;
}

int
tr_type_ptype(const struct tr_type *t, char *buf, size_t len)
{
	struct sbuf s = { 0 };
	struct tn_opts o = { .show = 1 };

	if (!len)
		return -TR_ERANGE;
	type_name(&s, t, 0, &o);
	return to_buf(&s, buf, len);
}

int
tr_type_name(const struct tr_type *t, char *buf, size_t len)
{
	struct sbuf s = { 0 };
	int err = 0;

	if (!len)
		return -TR_ERANGE;
	type_name(&s, t, 0, NULL);
	if (s.oom) {
		free(s.p);
		buf[0] = 0;
		return -TR_ENOMEM;
	}
	if (s.len >= len) {
		err = -TR_ERANGE;
		s.len = len - 1;
	}
	memcpy(buf, s.p ? s.p : "", s.len);
	buf[s.len] = 0;
	free(s.p);
	return err;
}

int
tr_type_declare(const struct tr_type *t, const char *name, char *buf,
		size_t len)
{
	struct sbuf s = { 0 };
	struct tn_opts o = { .var = name, .show = -1 };

	if (!len)
		return -TR_ERANGE;
	type_name(&s, t, 0, &o);
	return to_buf(&s, buf, len);
}
