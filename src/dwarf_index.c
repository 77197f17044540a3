/* dwarf_index.c: top-level DWARF index and line tables of one ELF file (libdwarf). */
#include <errno.h>
#include <fcntl.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf_index.h"
#include "dwarf_int.h"
#include "dwarf_type.h"
#include "error.h"
#include "log.h"

/* dwarf_init_* and dwarf_finish touch global state in libdwarf 20210528
 * (../shared/FIELD-NOTES.md): serialize them. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

void
tr_dwarf_global_lock(void)
{
	pthread_mutex_lock(&init_lock);
}

void
tr_dwarf_global_unlock(void)
{
	pthread_mutex_unlock(&init_lock);
}

struct range {
	uint64_t lo, hi;
	uint32_t func; /* index into funcs */
};

struct cu_lines {
	bool loaded;
	bool failed;
	struct tr_dw_line *rows;
	size_t nrows;
	char **files; /* dwarf_linesrc strings, by file number */
	size_t nfiles;
};

struct tr_dwarf {
	int fd;
	Dwarf_Debug dbg;
	uint64_t dies;

	struct tr_dw_cu *cus;
	size_t ncus, cap_cus;
	struct cu_lines *lines; /* per CU */

	struct tr_dw_entry *ents; /* everything indexed */
	size_t nents, cap_ents;
	uint32_t *by_name;        /* indexes into ents, by name */
	uint32_t *funcs;          /* indexes of function definitions, by name */
	size_t nfuncs;
	struct range *ranges;     /* function code ranges, by address */
	size_t nranges, cap_ranges;
};

#define DWOK(call) ((call) == DW_DLV_OK)

/* ---- growing arrays -------------------------------------------------- */

static void *
grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 256;
	p = realloc(arr, c * size);
	if (p)
		*cap = c;
	return p;
}

/* ---- attribute helpers ------------------------------------------------ */

static bool
has_flag(Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Bool v = 0;

	if (!DWOK(dwarf_attr(die, at, &attr, &err)))
		return false;
	if (!DWOK(dwarf_formflag(attr, &v, &err)))
		v = 0;
	dwarf_dealloc_attribute(attr);
	return v != 0;
}

/* The DIE an attribute refers to (abstract_origin, specification). */
static bool
ref_attr(Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	bool ok;

	if (!DWOK(dwarf_attr(die, at, &attr, &err)))
		return false;
	ok = DWOK(dwarf_global_formref(attr, off, &err));
	dwarf_dealloc_attribute(attr);
	return ok;
}

/* Name of a DIE, following abstract_origin/specification (at -O2 the
 * concrete copy of a function is unnamed and points to its abstract DIE). */
static const char *
die_name(struct tr_dwarf *d, Dwarf_Die die, int depth)
{
	Dwarf_Error err = NULL;
	char *name = NULL;
	Dwarf_Off off;
	Dwarf_Die other;
	const char *r = NULL;

	if (DWOK(dwarf_diename(die, &name, &err)))
		return name;
	if (depth > 4)
		return NULL;
	if (!ref_attr(die, DW_AT_abstract_origin, &off) &&
	    !ref_attr(die, DW_AT_specification, &off))
		return NULL;
	if (DWOK(dwarf_offdie_b(d->dbg, off, 1, &other, &err))) {
		r = die_name(d, other, depth + 1);
		dwarf_dealloc_die(other);
	}
	return r;
}

static bool
origin_flag(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error err = NULL;
	Dwarf_Off off;
	Dwarf_Die other;
	bool v = false;

	if (has_flag(die, at))
		return true;
	if (!ref_attr(die, DW_AT_abstract_origin, &off) &&
	    !ref_attr(die, DW_AT_specification, &off))
		return false;
	if (DWOK(dwarf_offdie_b(d->dbg, off, 1, &other, &err))) {
		v = has_flag(other, at);
		dwarf_dealloc_die(other);
	}
	return v;
}

/* low_pc/high_pc of a DIE (high_pc may be an offset: DWARF 4+). */
static bool
die_pc_range(Dwarf_Die die, uint64_t *lo, uint64_t *hi)
{
	Dwarf_Error err = NULL;
	Dwarf_Addr low, high;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;

	if (!DWOK(dwarf_lowpc(die, &low, &err)))
		return false;
	*lo = low;
	*hi = low;
	if (DWOK(dwarf_highpc_b(die, &high, &form, &cls, &err)))
		*hi = cls == DW_FORM_CLASS_CONSTANT ? low + high : high;
	return true;
}

/* Add the code ranges of DW_AT_ranges (DWARF 5 rnglists, DWARF 4
 * .debug_ranges relative to the unit's base). Calls add(lo, hi). */
static int
die_ranges(struct tr_dwarf *d, Dwarf_Die die, uint16_t version,
	   uint64_t cu_base, uint64_t *first_lo,
	   int (*add)(struct tr_dwarf *, uint64_t, uint64_t, uint32_t),
	   uint32_t func)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form;
	Dwarf_Unsigned val = 0;
	int added = 0;

	if (!DWOK(dwarf_attr(die, DW_AT_ranges, &attr, &err)))
		return 0;
	if (!DWOK(dwarf_whatform(attr, &form, &err)))
		goto out;
	if (form == DW_FORM_rnglistx) {
		if (!DWOK(dwarf_formudata(attr, &val, &err)))
			goto out;
	} else {
		Dwarf_Off off;

		if (!DWOK(dwarf_global_formref(attr, &off, &err)))
			goto out;
		val = off;
	}
	if (version >= 5) {
		Dwarf_Rnglists_Head head;
		Dwarf_Unsigned count = 0, goff;

		if (!DWOK(dwarf_rnglists_get_rle_head(attr, form, val, &head,
						      &count, &goff, &err)))
			goto out;
		for (Dwarf_Unsigned i = 0; i < count; i++) {
			unsigned len, code;
			Dwarf_Unsigned r1, r2, c1, c2;
			Dwarf_Bool unavail = 0;

			if (!DWOK(dwarf_get_rnglists_entry_fields_a(head, i,
				&len, &code, &r1, &r2, &unavail, &c1, &c2,
				&err)) || unavail)
				continue;
			if (code == DW_RLE_end_of_list || code == DW_RLE_base_address ||
			    code == DW_RLE_base_addressx || c2 <= c1)
				continue;
			if (!added && first_lo)
				*first_lo = c1;
			if (add)
				add(d, c1, c2, func);
			added++;
		}
		dwarf_dealloc_rnglists_head(head);
	} else {
		Dwarf_Ranges *rb;
		Dwarf_Signed n = 0;
		Dwarf_Unsigned bytes;
		Dwarf_Off real;
		uint64_t base = cu_base;

		if (!DWOK(dwarf_get_ranges_b(d->dbg, val, die, &real, &rb, &n,
					     &bytes, &err)))
			goto out;
		for (Dwarf_Signed i = 0; i < n; i++) {
			if (rb[i].dwr_type == DW_RANGES_END)
				break;
			if (rb[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
				base = rb[i].dwr_addr2;
				continue;
			}
			if (rb[i].dwr_addr2 <= rb[i].dwr_addr1)
				continue;
			if (!added && first_lo)
				*first_lo = base + rb[i].dwr_addr1;
			if (add)
				add(d, base + rb[i].dwr_addr1,
				    base + rb[i].dwr_addr2, func);
			added++;
		}
		dwarf_ranges_dealloc(d->dbg, rb, n);
	}
out:
	dwarf_dealloc_attribute(attr);
	return added;
}

static int
add_range(struct tr_dwarf *d, uint64_t lo, uint64_t hi, uint32_t func)
{
	struct range *r = grow(d->ranges, &d->cap_ranges, d->nranges,
			       sizeof(*r));

	if (!r)
		return -TR_ENOMEM;
	d->ranges = r;
	r[d->nranges].lo = lo;
	r[d->nranges].hi = hi;
	r[d->nranges].func = func;
	d->nranges++;
	return 0;
}

/* ---- the index walk -------------------------------------------------- */

static int
add_entry(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Half tag, uint32_t cu)
{
	const struct tr_dw_cu *u = &d->cus[cu];
	struct tr_dw_entry *e;
	Dwarf_Error err = NULL;
	Dwarf_Off off = 0;
	const char *name;
	enum tr_dw_kind kind;

	switch (tag) {
	case DW_TAG_subprogram:
		kind = TR_DW_FUNC;
		break;
	case DW_TAG_variable:
		kind = TR_DW_VAR;
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_typedef:
	case DW_TAG_base_type:
		kind = TR_DW_TYPE;
		break;
	default:
		return 0;
	}
	/* Only functions and variables have unnamed concrete copies that
	 * point to a named DIE; anonymous types are just anonymous (and
	 * following nothing for each of them costs 10% of an index). */
	if (kind == TR_DW_TYPE) {
		char *n = NULL;

		if (!DWOK(dwarf_diename(die, &n, &err)))
			return 0;
		name = n;
	} else {
		name = die_name(d, die, 0);
	}
	if (!name)
		return 0;
	e = grow(d->ents, &d->cap_ents, d->nents, sizeof(*e));
	if (!e)
		return -TR_ENOMEM;
	d->ents = e;
	e = &d->ents[d->nents];
	memset(e, 0, sizeof(*e));
	dwarf_dieoffset(die, &off, &err);
	e->name = name;
	e->kind = kind;
	e->die = off;
	e->cu = cu;
	e->declaration = has_flag(die, DW_AT_declaration);
	if (kind == TR_DW_FUNC) {
		e->external = origin_flag(d, die, DW_AT_external);
		if (die_pc_range(die, &e->lowpc, &e->highpc)) {
			if (e->highpc > e->lowpc &&
			    add_range(d, e->lowpc, e->highpc,
				      (uint32_t)d->nents) < 0)
				return -TR_ENOMEM;
		} else if (die_ranges(d, die, u->version, u->lowpc, &e->lowpc,
				      add_range, (uint32_t)d->nents) > 0) {
			/* Hot/cold split at -O2: the entry is in the first
			 * range (the hot part). */
			e->highpc = e->lowpc;
			for (size_t i = d->nranges; i-- > 0 &&
			     d->ranges[i].func == d->nents;)
				if (d->ranges[i].lo == e->lowpc)
					e->highpc = d->ranges[i].hi;
		} else if (!e->declaration) {
			/* An abstract inline instance: no code of its own. */
			e->declaration = has_flag(die, DW_AT_inline) ||
					 e->lowpc == 0;
			if (has_flag(die, DW_AT_inline))
				e->declaration = true;
		}
	} else if (kind == TR_DW_VAR) {
		e->external = has_flag(die, DW_AT_external);
	} else {
		e->external = true;
	}
	d->nents++;
	return 0;
}

static int
index_cu(struct tr_dwarf *d, Dwarf_Die cu_die, uint32_t cu)
{
	Dwarf_Error err = NULL;
	Dwarf_Die child, next;
	int res, ret = 0;

	res = dwarf_child(cu_die, &child, &err);
	if (res != DW_DLV_OK)
		return 0;
	for (;;) {
		Dwarf_Half tag = 0;

		d->dies++;
		if (DWOK(dwarf_tag(child, &tag, &err)))
			ret = add_entry(d, child, tag, cu);
		if (ret < 0) {
			dwarf_dealloc_die(child);
			return ret;
		}
		res = dwarf_siblingof_b(d->dbg, child, 1, &next, &err);
		dwarf_dealloc_die(child);
		if (res != DW_DLV_OK)
			break;
		child = next;
	}
	return 0;
}

static int
walk_cus(struct tr_dwarf *d)
{
	Dwarf_Error err = NULL;
	int res;

	for (;;) {
		Dwarf_Unsigned hlen, typeoff, next;
		Dwarf_Half version, asize, lsize, esize, cutype;
		Dwarf_Off abbrev;
		Dwarf_Sig8 sig;
		Dwarf_Die cu_die;
		struct tr_dw_cu *u;
		char *s;
		Dwarf_Off off = 0;

		res = dwarf_next_cu_header_d(d->dbg, 1, &hlen, &version,
					     &abbrev, &asize, &lsize, &esize,
					     &sig, &typeoff, &next, &cutype,
					     &err);
		if (res == DW_DLV_NO_ENTRY)
			return 0;
		if (res != DW_DLV_OK)
			return -TR_EINVAL;
		if (!DWOK(dwarf_siblingof_b(d->dbg, NULL, 1, &cu_die, &err)))
			return -TR_EINVAL;
		u = grow(d->cus, &d->cap_cus, d->ncus, sizeof(*u));
		if (!u) {
			dwarf_dealloc_die(cu_die);
			return -TR_ENOMEM;
		}
		d->cus = u;
		u = &d->cus[d->ncus];
		memset(u, 0, sizeof(*u));
		u->version = version;
		if (DWOK(dwarf_diename(cu_die, &s, &err)))
			u->name = s;
		{
			Dwarf_Attribute a;

			if (DWOK(dwarf_attr(cu_die, DW_AT_comp_dir, &a, &err))) {
				if (DWOK(dwarf_formstring(a, &s, &err)))
					u->comp_dir = s;
				dwarf_dealloc_attribute(a);
			}
		}
		dwarf_dieoffset(cu_die, &off, &err);
		u->die = off;
		die_pc_range(cu_die, &u->lowpc, &u->highpc);
		d->ncus++;
		d->dies++;
		res = index_cu(d, cu_die, (uint32_t)(d->ncus - 1));
		dwarf_dealloc_die(cu_die);
		if (res < 0)
			return res;
	}
}

static int
cmp_name(const void *a, const void *b, void *ctx)
{
	const struct tr_dw_entry *e = ctx;
	const struct tr_dw_entry *x = &e[*(const uint32_t *)a];
	const struct tr_dw_entry *y = &e[*(const uint32_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* Definitions before declarations, then by DIE for stability. */
	if (x->declaration != y->declaration)
		return x->declaration ? 1 : -1;
	return x->die < y->die ? -1 : x->die > y->die;
}

static int
cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Innermost (shortest) last, so a lookup finds it first going back. */
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

int
tr_dwarf_open(const char *path, struct tr_dwarf **out)
{
	struct tr_dwarf *d;
	Dwarf_Error err = NULL;
	int res;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -TR_ENOMEM;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		res = tr_errno_map(errno);
		free(d);
		return res;
	}
	pthread_mutex_lock(&init_lock);
	res = dwarf_init_b(d->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
			   &d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR)
			dwarf_dealloc_error(NULL, err);
		close(d->fd);
		free(d);
		return res == DW_DLV_NO_ENTRY ? -TR_ENOENT : -TR_EINVAL;
	}
	res = walk_cus(d);
	if (res == 0 && d->ncus == 0)
		res = -TR_ENOENT;
	if (res == 0) {
		d->lines = calloc(d->ncus, sizeof(*d->lines));
		d->by_name = malloc((d->nents + 1) * sizeof(*d->by_name));
		d->funcs = malloc((d->nents + 1) * sizeof(*d->funcs));
		if (!d->lines || !d->by_name || !d->funcs)
			res = -TR_ENOMEM;
	}
	if (res < 0) {
		tr_dwarf_close(d);
		return res;
	}
	for (size_t i = 0; i < d->nents; i++)
		d->by_name[i] = (uint32_t)i;
	qsort_r(d->by_name, d->nents, sizeof(*d->by_name), cmp_name, d->ents);
	for (size_t i = 0; i < d->nents; i++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[i]];

		if (e->kind == TR_DW_FUNC && !e->declaration && e->lowpc)
			d->funcs[d->nfuncs++] = d->by_name[i];
	}
	qsort(d->ranges, d->nranges, sizeof(*d->ranges), cmp_range);
	tr_log_debug("dwarf: %s: %zu units, %zu entries, %lu DIEs", path,
		     d->ncus, d->nents, (unsigned long)d->dies);
	*out = d;
	return 0;
}

static void
lines_free(struct tr_dwarf *d, struct cu_lines *l)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i])
			dwarf_dealloc(d->dbg, l->files[i], DW_DLA_STRING);
	free(l->files);
	free(l->rows);
}

void
tr_dwarf_close(struct tr_dwarf *d)
{
	Dwarf_Error err = NULL;

	if (!d)
		return;
	tr_dwarf_type_cache_drop(d);
	for (size_t i = 0; d->lines && i < d->ncus; i++)
		lines_free(d, &d->lines[i]);
	free(d->lines);
	pthread_mutex_lock(&init_lock);
	dwarf_finish(d->dbg, &err);
	pthread_mutex_unlock(&init_lock);
	close(d->fd);
	free(d->cus);
	free(d->ents);
	free(d->by_name);
	free(d->funcs);
	free(d->ranges);
	free(d);
}

size_t
tr_dwarf_ncus(const struct tr_dwarf *d)
{
	return d->ncus;
}

const struct tr_dw_cu *
tr_dwarf_cu(const struct tr_dwarf *d, size_t i)
{
	return i < d->ncus ? &d->cus[i] : NULL;
}

uint64_t
tr_dwarf_dies_seen(const struct tr_dwarf *d)
{
	return d->dies;
}

/* Does path `full` end with `tail` at a component boundary? */
static bool
path_matches(const char *full, const char *tail)
{
	size_t fl, tl;

	if (!full)
		return false;
	fl = strlen(full);
	tl = strlen(tail);
	if (tl > fl || strcmp(full + fl - tl, tail) != 0)
		return false;
	return tl == fl || full[fl - tl - 1] == '/' || tail[0] == '/';
}

int
tr_dwarf_lookup(const struct tr_dwarf *d, const char *name,
		enum tr_dw_kind kind, const struct tr_dw_entry **out,
		size_t max, size_t *n)
{
	const char *sep = strstr(name, "::");
	char file[512];
	size_t lo = 0, hi = d->nents, k = 0;

	*n = 0;
	file[0] = 0;
	if (sep) {
		size_t fl = (size_t)(sep - name);

		if (fl >= sizeof(file))
			return -TR_EINVAL;
		memcpy(file, name, fl);
		file[fl] = 0;
		name = sep + 2;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(d->ents[d->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nents; lo++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[lo]];

		if (strcmp(e->name, name) != 0)
			break;
		if (kind && e->kind != kind)
			continue;
		if (file[0] && !path_matches(d->cus[e->cu].name, file))
			continue;
		if (k < max)
			out[k] = e;
		k++;
	}
	*n = k;
	return k ? 0 : -TR_ENOENT;
}

const struct tr_dw_entry *
tr_dwarf_func_at(const struct tr_dwarf *d, uint64_t pc)
{
	size_t lo = 0, hi = d->nranges;

	/* The last range starting at or before pc... */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->ranges[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and back while ranges could still contain it (nested ones
	 * are rare for top-level functions, so this stays short). */
	for (size_t i = lo; i-- > 0;) {
		if (pc < d->ranges[i].hi)
			return &d->ents[d->ranges[i].func];
		if (lo - i > 64)
			break;
	}
	return NULL;
}

size_t
tr_dwarf_nfuncs(const struct tr_dwarf *d)
{
	return d->nfuncs;
}

const struct tr_dw_entry *
tr_dwarf_func(const struct tr_dwarf *d, size_t i)
{
	return i < d->nfuncs ? &d->ents[d->funcs[i]] : NULL;
}

/* ---- line tables ------------------------------------------------------ */

static const char *
line_file(struct tr_dwarf *d, struct cu_lines *l, Dwarf_Line ln)
{
	Dwarf_Error err = NULL;
	Dwarf_Unsigned fno = 0;
	char *s = NULL;

	if (!DWOK(dwarf_line_srcfileno(ln, &fno, &err)))
		return NULL;
	if (fno >= 4096)
		return NULL;
	if (fno >= l->nfiles) {
		char **f = realloc(l->files, (fno + 1) * sizeof(*f));

		if (!f)
			return NULL;
		memset(f + l->nfiles, 0, (fno + 1 - l->nfiles) * sizeof(*f));
		l->files = f;
		l->nfiles = fno + 1;
	}
	if (!l->files[fno] && DWOK(dwarf_linesrc(ln, &s, &err)))
		l->files[fno] = s;
	return l->files[fno];
}

static struct cu_lines *
cu_lines_get(struct tr_dwarf *d, size_t cu)
{
	struct cu_lines *l = &d->lines[cu];
	Dwarf_Error err = NULL;
	Dwarf_Die cu_die;
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed count = 0;
	Dwarf_Unsigned version;
	Dwarf_Small tables;

	if (l->loaded || l->failed)
		return l->loaded ? l : NULL;
	l->failed = true;
	if (!DWOK(dwarf_offdie_b(d->dbg, d->cus[cu].die, 1, &cu_die, &err)))
		return NULL;
	if (!DWOK(dwarf_srclines_b(cu_die, &version, &tables, &ctx, &err))) {
		dwarf_dealloc_die(cu_die);
		return NULL;
	}
	if (DWOK(dwarf_srclines_from_linecontext(ctx, &lines, &count, &err)) &&
	    count > 0) {
		l->rows = calloc((size_t)count, sizeof(*l->rows));
		for (Dwarf_Signed i = 0; l->rows && i < count; i++) {
			struct tr_dw_line *r = &l->rows[l->nrows];
			Dwarf_Addr a = 0;
			Dwarf_Unsigned no = 0, col = 0, isa, disc;
			Dwarf_Bool b = 0, pe = 0, eb = 0;

			if (!DWOK(dwarf_lineaddr(lines[i], &a, &err)))
				continue;
			dwarf_lineno(lines[i], &no, &err);
			dwarf_lineoff_b(lines[i], &col, &err);
			r->addr = a;
			r->line = (uint32_t)no;
			r->column = (uint32_t)col;
			r->is_stmt = DWOK(dwarf_linebeginstatement(lines[i], &b,
								   &err)) && b;
			b = 0;
			r->end_sequence = DWOK(dwarf_lineendsequence(lines[i], &b,
								     &err)) && b;
			if (DWOK(dwarf_prologue_end_etc(lines[i], &pe, &eb, &isa,
							&disc, &err)))
				r->prologue_end = pe;
			r->file = line_file(d, l, lines[i]);
			l->nrows++;
		}
	}
	dwarf_srclines_dealloc_b(ctx);
	dwarf_dealloc_die(cu_die);
	if (!l->rows && count > 0)
		return NULL;
	l->loaded = true;
	l->failed = false;
	return l;
}

/* The unit whose code contains pc: through the function index, which at
 * -O2 also knows the split (cold) parts; else by the unit's range. */
static int
cu_of_pc(const struct tr_dwarf *d, uint64_t pc)
{
	const struct tr_dw_entry *f = tr_dwarf_func_at(d, pc);

	if (f)
		return (int)f->cu;
	for (size_t i = 0; i < d->ncus; i++)
		if (pc >= d->cus[i].lowpc && pc < d->cus[i].highpc)
			return (int)i;
	return -1;
}

static int
row_at(const struct cu_lines *l, uint64_t pc, struct tr_dw_line *out,
       uint64_t *end)
{
	const struct tr_dw_line *best = NULL;

	/* Rows are in sequences, each sorted by address and closed by an
	 * end_sequence row: the answer is the last row <= pc of the
	 * sequence containing pc. */
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (r->end_sequence) {
			if (best && pc < r->addr) {
				*out = *best;
				if (end) {
					/* The next row at a higher address. */
					*end = r->addr;
					for (const struct tr_dw_line *q = best;
					     q < r; q++)
						if (q->addr > best->addr &&
						    q->addr < *end)
							*end = q->addr;
				}
				return 0;
			}
			best = NULL;
			continue;
		}
		/* Several rows at one address: the last is_stmt one names
		 * the line, as gdb reports it. */
		if (r->addr <= pc &&
		    (!best || r->addr > best->addr ||
		     (r->addr == best->addr && (r->is_stmt || !best->is_stmt))))
			best = r;
	}
	return -TR_ENOENT;
}

int
tr_dwarf_line_range(struct tr_dwarf *d, uint64_t pc, struct tr_dw_line *out,
		    uint64_t *start, uint64_t *end)
{
	int cu = cu_of_pc(d, pc);
	struct cu_lines *l;
	uint64_t e = 0;

	if (cu >= 0 && (l = cu_lines_get(d, (size_t)cu)) &&
	    row_at(l, pc, out, &e) == 0)
		goto found;
	/* Not where we expected (code outside any indexed function): try
	 * every unit. */
	for (size_t i = 0; i < d->ncus; i++)
		if ((int)i != cu && (l = cu_lines_get(d, i)) &&
		    row_at(l, pc, out, &e) == 0)
			goto found;
	return -TR_ENOENT;
found:
	if (start)
		*start = out->addr;
	if (end)
		*end = e;
	return 0;
}

int
tr_dwarf_addr_line(struct tr_dwarf *d, uint64_t pc, struct tr_dw_line *out)
{
	return tr_dwarf_line_range(d, pc, out, NULL, NULL);
}

/* Collect, for units in `cus`, the lowest is_stmt address of `line` in
 * `file` per function. */
static size_t
collect_line(struct tr_dwarf *d, const char *file, uint32_t line,
	     bool only_named_cu, uint64_t *addrs, size_t max,
	     uint32_t *next_line)
{
	size_t n = 0;
	const void *fn_of[64];

	for (size_t cu = 0; cu < d->ncus; cu++) {
		struct cu_lines *l;

		if (only_named_cu && !path_matches(d->cus[cu].name, file))
			continue;
		l = cu_lines_get(d, cu);
		if (!l)
			continue;
		for (size_t i = 0; i < l->nrows; i++) {
			const struct tr_dw_line *r = &l->rows[i];
			const struct tr_dw_entry *f;
			size_t k;

			if (r->end_sequence || !r->is_stmt ||
			    !path_matches(r->file, file))
				continue;
			if (r->line > line && r->line < *next_line)
				*next_line = r->line;
			if (r->line != line)
				continue;
			f = tr_dwarf_func_at(d, r->addr);
			for (k = 0; k < n && k < 64; k++)
				if (fn_of[k] == (const void *)f)
					break;
			if (k < n && k < 64) {
				if (r->addr < addrs[k])
					addrs[k] = r->addr;
				continue;
			}
			if (n < max && n < 64) {
				addrs[n] = r->addr;
				fn_of[n] = f;
				n++;
			}
		}
	}
	return n;
}

int
tr_dwarf_line_addrs(struct tr_dwarf *d, const char *file, uint32_t line,
		    uint64_t *addrs, size_t max, size_t *n,
		    uint32_t *actual_line)
{
	uint32_t next = UINT32_MAX;
	size_t k;

	*n = 0;
	/* The unit named like the file first (cheap), then every unit
	 * (the file may be a header). */
	k = collect_line(d, file, line, true, addrs, max, &next);
	if (k == 0)
		k = collect_line(d, file, line, false, addrs, max, &next);
	if (k == 0 && next != UINT32_MAX) {
		line = next;
		k = collect_line(d, file, line, false, addrs, max, &next);
	}
	*n = k;
	if (actual_line)
		*actual_line = line;
	return k ? 0 : -TR_ENOENT;
}

/* Length of a frame-pointer prologue at the start of `code` ([endbr64]
 * push %rbp; mov %rsp,%rbp), or 0 when the function is frameless. */
static size_t
fp_prologue(const uint8_t *code, size_t len)
{
	size_t p = 0;

	if (len >= 4 && code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e &&
	    code[3] == 0xfa)
		p = 4;
	if (p + 1 > len || code[p] != 0x55)
		return 0;
	p++;
	if (p + 3 <= len && code[p] == 0x48 &&
	    ((code[p + 1] == 0x89 && code[p + 2] == 0xe5) ||
	     (code[p + 1] == 0x8b && code[p + 2] == 0xec)))
		return p + 3;
	return 0;
}

int
tr_dwarf_breakpoint_addr(struct tr_dwarf *d, const struct tr_dw_entry *fn,
			 const uint8_t *code, size_t len, uint64_t *addr)
{
	struct cu_lines *l = cu_lines_get(d, fn->cu);
	uint64_t entry = fn->lowpc, pc, next = 0, cover = 0;
	size_t plen;

	*addr = entry;
	if (!l)
		return 0;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (!r->end_sequence && r->prologue_end && r->addr > entry &&
		    r->addr < fn->highpc) {
			/* The compiler said where the prologue ends. */
			*addr = r->addr;
			return 0;
		}
	}
	/*
	 * gdb's rule on amd64: skip a frame-pointer prologue; if that lands
	 * in the middle of a line-table entry, go on to the start of the
	 * next entry of the function (at -O0: the first line of the body,
	 * after the arguments are stored). A frameless function (-O2) breaks
	 * at its entry.
	 */
	plen = code ? fp_prologue(code, len) : 0;
	if (!plen)
		return 0;
	pc = entry + plen;
	for (size_t i = 0; i < l->nrows; i++) {
		const struct tr_dw_line *r = &l->rows[i];

		if (r->end_sequence || r->addr < entry || r->addr >= fn->highpc)
			continue;
		if (r->addr == pc)
			cover = pc;
		if (r->addr > pc && (!next || r->addr < next))
			next = r->addr;
	}
	*addr = cover ? cover : next ? next : pc;
	return 0;
}

Dwarf_Debug
tr__dwarf_dbg(struct tr_dwarf *d)
{
	return d->dbg;
}

uint16_t
tr__dwarf_cu_version(const struct tr_dwarf *d, uint32_t cu)
{
	return cu < d->ncus ? d->cus[cu].version : 0;
}

int
tr__dwarf_cu_of_die(const struct tr_dwarf *d, uint64_t die)
{
	/* Units are in .debug_info order: the last one starting at or
	 * before the DIE holds it. */
	int r = -1;

	for (size_t i = 0; i < d->ncus && d->cus[i].die <= die + 16; i++)
		if (d->cus[i].die <= die)
			r = (int)i;
	return r;
}
