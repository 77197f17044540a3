/* dwarf_die.c: libdwarf DIE helpers and the offset-keyed maps the DWARF modules cache in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "symbols/dwarf_int.h"

/* ---- the map ---------------------------------------------------------- */

static size_t
map_slot(uint64_t key, size_t cap)
{
	/* DIE offsets are dense and ascending: multiply to spread them. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 29) & (cap - 1);
}

void *
tr__map_get(const struct tr__map *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t i = map_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return m->vals[i];
		if (!m->keys[i])
			return NULL;
	}
}

static int
map_grow(struct tr__map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	void **vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -TR_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		j = map_slot(m->keys[i], cap);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int
tr__map_put(struct tr__map *m, uint64_t key, void *val)
{
	size_t i;

	if (!key)
		return -TR_EINVAL;
	if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m) < 0)
		return -TR_ENOMEM;
	for (i = map_slot(key, m->cap); m->keys[i] && m->keys[i] != key;
	     i = (i + 1) & (m->cap - 1))
		;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void
tr__map_free(struct tr__map *m, void (*fn)(void *))
{
	for (size_t i = 0; fn && i < m->cap; i++)
		if (m->keys[i])
			fn(m->vals[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- DIE helpers ------------------------------------------------------ */

int
tr__dlv(Dwarf_Debug dbg, int res, Dwarf_Error err)
{
	if (res == DW_DLV_OK)
		return 0;
	if (res == DW_DLV_ERROR) {
		if (err)
			dwarf_dealloc_error(dbg, err);
		return -TR_EINVAL;
	}
	return -TR_ENOENT;
}

int
tr__die_at(struct tr_dwarf *d, uint64_t off, Dwarf_Die *out)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	Dwarf_Error err = NULL;

	return tr__dlv(dbg, dwarf_offdie_b(dbg, off, 1, out, &err), err);
}

uint64_t
tr__die_off(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Error err = NULL;
	Dwarf_Off off = 0;

	if (tr__dlv(dbg, dwarf_dieoffset(die, &off, &err), err) < 0)
		return 0;
	return off;
}

int
tr__die_tag(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Error err = NULL;
	Dwarf_Half tag = 0;
	int res = tr__dlv(dbg, dwarf_tag(die, &tag, &err), err);

	return res < 0 ? res : tag;
}

const char *
tr__die_name(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Error err = NULL;
	char *name = NULL;

	/* The string lives in the file's sections: no copy, no free. */
	if (tr__dlv(dbg, dwarf_diename(die, &name, &err), err) < 0)
		return NULL;
	return name;
}

bool
tr__die_has(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error err = NULL;
	Dwarf_Bool has = 0;

	return tr__dlv(dbg, dwarf_hasattr(die, at, &has, &err), err) == 0 && has;
}

bool
tr__die_flag(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Bool v = 0;

	if (tr__dlv(dbg, dwarf_attr(die, at, &attr, &err), err) < 0)
		return false;
	err = NULL;
	if (tr__dlv(dbg, dwarf_formflag(attr, &v, &err), err) < 0)
		v = 0;
	dwarf_dealloc_attribute(attr);
	return v != 0;
}

int
tr__die_ref(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, uint64_t *off)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Off o = 0;
	int res;

	res = tr__dlv(dbg, dwarf_attr(die, at, &attr, &err), err);
	if (res < 0)
		return res;
	err = NULL;
	res = tr__dlv(dbg, dwarf_global_formref(attr, &o, &err), err);
	dwarf_dealloc_attribute(attr);
	if (res == 0)
		*off = o;
	return res < 0 ? -TR_EINVAL : 0;
}

int
tr__die_int(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, int64_t *s,
	    uint64_t *u)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned uv = 0;
	Dwarf_Signed sv = 0;
	int res, bytes = 8;

	res = tr__dlv(dbg, dwarf_attr(die, at, &attr, &err), err);
	if (res < 0)
		return res;
	err = NULL;
	res = tr__dlv(dbg, dwarf_whatform(attr, &form, &err), err);
	if (res < 0)
		goto out;
	/* dwarf_formudata refuses implicit_const and dwarf_formsdata
	 * refuses udata (libdwarf 20210528): pick by form. */
	err = NULL;
	switch (form) {
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
		bytes = form == DW_FORM_data1 ? 1 : form == DW_FORM_data2 ? 2 :
			form == DW_FORM_data4 ? 4 : 8;
		res = tr__dlv(dbg, dwarf_formudata(attr, &uv, &err), err);
		sv = (Dwarf_Signed)uv;
		if (bytes < 8 && (uv >> (bytes * 8 - 1) & 1))
			sv = (Dwarf_Signed)(uv | ~0ull << (bytes * 8));
		break;
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		res = tr__dlv(dbg, dwarf_formsdata(attr, &sv, &err), err);
		uv = (Dwarf_Unsigned)sv;
		break;
	case DW_FORM_udata:
		res = tr__dlv(dbg, dwarf_formudata(attr, &uv, &err), err);
		sv = (Dwarf_Signed)uv;
		break;
	default:
		res = -TR_EINVAL;
		break;
	}
out:
	dwarf_dealloc_attribute(attr);
	if (res < 0)
		return -TR_EINVAL;
	if (s)
		*s = sv;
	if (u)
		*u = uv;
	return 0;
}

int
tr__die_child(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Die *out)
{
	Dwarf_Error err = NULL;
	int res = tr__dlv(dbg, dwarf_child(die, out, &err), err);

	return res < 0 ? -TR_ENOENT : 0;
}

int
tr__die_next(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Die *out)
{
	Dwarf_Error err = NULL;
	int res = tr__dlv(dbg, dwarf_siblingof_b(dbg, die, 1, out, &err), err);

	return res < 0 ? -TR_ENOENT : 0;
}

bool
tr__die_step(Dwarf_Debug dbg, Dwarf_Die *kid)
{
	Dwarf_Die next = NULL;
	int res = tr__die_next(dbg, *kid, &next);

	dwarf_dealloc_die(*kid);
	*kid = res == 0 ? next : NULL;
	return res == 0;
}

int
tr__die_origin(struct tr_dwarf *d, Dwarf_Die die, Dwarf_Die *out)
{
	Dwarf_Debug dbg = tr__dwarf_dbg(d);
	uint64_t off;

	if (tr__die_ref(dbg, die, DW_AT_abstract_origin, &off) < 0 &&
	    tr__die_ref(dbg, die, DW_AT_specification, &off) < 0)
		return -TR_ENOENT;
	return tr__die_at(d, off, out);
}

int
tr__die_unit_off(Dwarf_Debug dbg, Dwarf_Die die, uint64_t *off)
{
	Dwarf_Error err = NULL;
	Dwarf_Off hdr = 0, len = 0;
	int res = tr__dlv(dbg, dwarf_die_CU_offset_range(die, &hdr, &len, &err),
		      err);

	if (res == 0)
		*off = hdr;
	return res;
}
