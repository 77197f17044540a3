/* dwarf_search.c: the definitions of a file's DWARF whose names match, declared in C as gdb's info functions, variables and types print them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "base/error.h"
#include "symbols/dwarf_int.h"
#include "symbols/dwarf_search.h"
#include "symbols/dwarf_type.h"

/* The file names of one unit (dwarf_srcfiles), read on first use. */
struct unit_files {
	bool loaded;
	char **names;
	Dwarf_Signed n;
};

static void
files_free(Dwarf_Debug dbg, struct unit_files *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (Dwarf_Signed k = 0; k < u[i].n; k++)
			dwarf_dealloc(dbg, u[i].names[k], DW_DLA_STRING);
		if (u[i].names)
			dwarf_dealloc(dbg, u[i].names, DW_DLA_LIST);
	}
	free(u);
}

/*
 * The name gdb gives the file numbered `fno` in unit `cu`: the unit's
 * own name when it is its primary file ("lua.c"), else the path the line
 * table joins ("/work/real/lua/lua.h"), as gdb 13 names the symtabs of
 * a DWARF 5 unit.
 */
static const char *
decl_file(struct tr_dwarf *d, struct unit_files *files, uint32_t cu,
	  uint64_t fno)
{
	const struct tr_dw_cu *c = &d->cus[cu];
	struct unit_files *u = &files[cu];
	const char *full;
	size_t dl;

	if (!u->loaded) {
		Dwarf_Error err = NULL;
		Dwarf_Die die;

		u->loaded = true;
		if (tr__die_at(d, c->die, &die) == 0) {
			if (!DWOK(dwarf_srcfiles(die, &u->names, &u->n, &err))) {
				u->names = NULL;
				u->n = 0;
				tr__dlv(d->dbg, DW_DLV_ERROR, err);
			}
			dwarf_dealloc_die(die);
		}
	}
	/* DWARF 5 numbers files from 0, earlier versions from 1 */
	if (tr__dwarf_cu_version(d, cu) < 5) {
		if (fno == 0)
			return NULL;
		fno--;
	}
	if (fno >= (uint64_t)u->n)
		return NULL;
	full = u->names[fno];
	if (!c->name)
		return full;
	if (!strcmp(full, c->name))
		return c->name;
	dl = c->comp_dir ? strlen(c->comp_dir) : 0;
	if (dl && !strncmp(full, c->comp_dir, dl) && full[dl] == '/' &&
	    !strcmp(full + dl + 1, c->name))
		return c->name;
	return full;
}

/* The type of a variable's DIE (through its declaration when the
 * definition names it by DW_AT_specification). */
static const struct tr_type *
var_type(struct tr_dwarf *d, Dwarf_Die die)
{
	const struct tr_type *t = NULL;
	uint64_t off;
	Dwarf_Die spec;

	if (tr__die_ref(d->dbg, die, DW_AT_type, &off) == 0) {
		if (tr_dwarf_type_get(d, off, &t))
			return NULL;
		return t;
	}
	if (tr__die_origin(d, die, &spec) == 0) {
		if (tr__die_ref(d->dbg, spec, DW_AT_type, &off) == 0 &&
		    tr_dwarf_type_get(d, off, &t))
			t = NULL;
		dwarf_dealloc_die(spec);
	}
	return t;
}

/* decl_line and decl_file of a DIE, or of the one it specifies. */
static void
decl_of(struct tr_dwarf *d, Dwarf_Die die, uint64_t *line, uint64_t *file)
{
	Dwarf_Die spec;

	*line = *file = 0;
	tr__die_int(d->dbg, die, DW_AT_decl_line, NULL, line);
	tr__die_int(d->dbg, die, DW_AT_decl_file, NULL, file);
	if ((!*line || !*file) && tr__die_origin(d, die, &spec) == 0) {
		if (!*line)
			tr__die_int(d->dbg, spec, DW_AT_decl_line, NULL, line);
		if (!*file)
			tr__die_int(d->dbg, spec, DW_AT_decl_file, NULL, file);
		dwarf_dealloc_die(spec);
	}
}

/* The declaration gdb prints for entry e of type t. */
static void
declare(const struct tr_dw_entry *e, const struct tr_type *t, char *buf,
	size_t len)
{
	char tn[1024];

	buf[0] = 0;
	if (e->kind == TR_DW_TYPE) {
		if (!t)
			return;
		switch (t->kind) {
		case TR_TYPE_TYPEDEF:
			/* gdb: the target's name, then the typedef's,
			 * whatever the declarator ("typedef int (*)(int)
			 * f;") */
			tr_type_name(t->target, tn, sizeof(tn));
			snprintf(buf, len, "typedef %s %s;", tn, e->name);
			return;
		case TR_TYPE_STRUCT:
		case TR_TYPE_UNION:
		case TR_TYPE_ENUM:
			tr_type_name(t, tn, sizeof(tn));
			snprintf(buf, len, "%s;", tn);
			return;
		default:
			snprintf(buf, len, "%s", e->name);
			return;
		}
	}
	if (!t)
		return;
	tr_type_declare(t, e->name, tn, sizeof(tn));
	snprintf(buf, len, "%s%s;", e->external ? "" : "static ", tn);
}

struct seen_type {
	const char *name, *file;
	uint64_t line;
};

int
tr_dwarf_search(struct tr_dwarf *d, enum tr_dw_kind kind,
		bool (*match)(const char *name, void *arg),
		int (*cb)(const struct tr_dw_found *f, void *arg), void *arg)
{
	struct unit_files *files = calloc(d->ncus ? d->ncus : 1,
					  sizeof(*files));
	struct seen_type *seen = NULL;
	size_t nseen = 0, cap = 0;
	char decl[1536];
	int rc = 0;

	if (!files)
		return -TR_ENOMEM;
	for (size_t i = 0; i < d->nents && !rc; i++) {
		const struct tr_dw_entry *e = &d->ents[d->by_name[i]];
		const struct tr_type *t = NULL;
		struct tr_dw_found f = { .entry = e };
		uint64_t line, fno;
		Dwarf_Die die;
		bool dup = false;

		if (e->kind != kind || e->declaration || !e->name[0] ||
		    e->cu >= d->ncus || !match(e->name, arg))
			continue;
		if (tr__die_at(d, e->die, &die))
			continue;
		decl_of(d, die, &line, &fno);
		if (kind == TR_DW_VAR)
			t = var_type(d, die);
		dwarf_dealloc_die(die);
		if (kind != TR_DW_VAR && tr_dwarf_type_get(d, e->die, &t))
			t = NULL;
		f.line = (uint32_t)line;
		f.file = decl_file(d, files, e->cu, fno);
		if (!f.file)
			f.file = d->cus[e->cu].name;
		/* a type of a header comes with every unit including it */
		if (kind == TR_DW_TYPE) {
			for (size_t k = 0; k < nseen && !dup; k++)
				dup = seen[k].line == line &&
				      !strcmp(seen[k].name, e->name) &&
				      (seen[k].file == f.file ||
				       (seen[k].file && f.file &&
					!strcmp(seen[k].file, f.file)));
			if (dup)
				continue;
			if (nseen == cap) {
				struct seen_type *s;

				cap = cap ? cap * 2 : 64;
				s = realloc(seen, cap * sizeof(*s));
				if (!s) {
					rc = -TR_ENOMEM;
					break;
				}
				seen = s;
			}
			seen[nseen++] = (struct seen_type){ e->name, f.file,
							    line };
		}
		declare(e, t, decl, sizeof(decl));
		if (!decl[0])
			continue;
		f.decl = decl;
		rc = cb(&f, arg);
	}
	free(seen);
	files_free(d->dbg, files, d->ncus);
	return rc;
}

bool
tr_dwarf_has_def(struct tr_dwarf *d, const char *name, enum tr_dw_kind kind)
{
	const struct tr_dw_entry *e[8];
	size_t n = 0;

	if (tr_dwarf_lookup(d, name, kind, e, 8, &n) || !n)
		return false;
	for (size_t i = 0; i < n && i < 8; i++)
		if (!e[i]->declaration)
			return true;
	return false;
}
