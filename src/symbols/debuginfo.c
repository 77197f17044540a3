/* debuginfo.c: symbols and DWARF of every module of a process, and location specs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/debuginfo.h"
#include "symbols/debugfile.h"
#include "symbols/dwarf_int.h"
#include "base/error.h"
#include "base/log.h"

struct dmod {
	const struct tr_module *m;
	struct tr_dwarf *dw;
};

struct tr_debuginfo {
	pid_t pid;
	struct tr_symtab *st;
	struct dmod *dm;
	size_t ndm, cap;
};

int
tr_debuginfo_new(pid_t pid, struct tr_debuginfo **out)
{
	struct tr_debuginfo *di;
	int err;

	*out = NULL;
	di = calloc(1, sizeof(*di));
	if (!di)
		return -TR_ENOMEM;
	di->pid = pid;
	err = tr_symtab_new(pid, &di->st);
	if (err) {
		free(di);
		return err;
	}
	*out = di;
	return 0;
}

void
tr_debuginfo_free(struct tr_debuginfo *di)
{
	if (!di)
		return;
	for (size_t i = 0; i < di->ndm; i++)
		tr_dwarf_close(di->dm[i].dw);
	free(di->dm);
	tr_symtab_free(di->st);
	free(di);
}

struct tr_symtab *
tr_debuginfo_symtab(struct tr_debuginfo *di)
{
	return di->st;
}

static bool
still_mapped(const struct tr_symtab *st, const struct tr_module *m)
{
	for (size_t i = 0; i < tr_symtab_nmodules(st); i++)
		if (tr_symtab_module(st, i) == m)
			return true;
	return false;
}

int
tr_debuginfo_refresh(struct tr_debuginfo *di, bool *changed)
{
	bool ch = false;
	size_t j = 0;
	int err = tr_symtab_refresh(di->st, &ch);

	if (changed)
		*changed = ch;
	if (err || !ch)
		return err;
	/* Close the DWARF of modules that went away. */
	for (size_t i = 0; i < di->ndm; i++) {
		if (still_mapped(di->st, di->dm[i].m))
			di->dm[j++] = di->dm[i];
		else
			tr_dwarf_close(di->dm[i].dw);
	}
	di->ndm = j;
	return 0;
}

struct tr_dwarf *
tr_debuginfo_dwarf(struct tr_debuginfo *di, const struct tr_module *m)
{
	struct dmod *d;
	int err;

	for (size_t i = 0; i < di->ndm; i++)
		if (di->dm[i].m == m)
			return di->dm[i].dw;
	if (di->ndm == di->cap) {
		size_t cap = di->cap ? di->cap * 2 : 16;
		struct dmod *n = realloc(di->dm, cap * sizeof(*n));

		if (!n)
			return NULL;
		di->dm = n;
		di->cap = cap;
	}
	d = &di->dm[di->ndm++];
	d->m = m;
	d->dw = NULL;
	err = tr_dwarf_open(m->path, &d->dw);
	if (err == -TR_ENOENT) {
		/* no DWARF of its own: a separate debug file's (libc6-dbg,
		 * objcopy --only-keep-debug), as gdb finds them */
		char dbg[4096];

		if (tr_debugfile_find(m->path, dbg, sizeof(dbg)) == 0)
			err = tr_dwarf_open(dbg, &d->dw);
	}
	if (err && err != -TR_ENOENT)
		tr_log_info("debuginfo: %s: %s", m->path, tr_strerror(err));
	return d->dw;
}

bool
tr_debuginfo_insn_symbol(void *arg, uint64_t addr, char *buf, size_t len)
{
	struct tr_debuginfo *di = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	char plt[160];
	struct tr_sym s;
	uint64_t off;

	/* a PLT entry by the function it calls, as gdb: <printf@plt> */
	if (tr_symtab_in_plt(st, addr) &&
	    tr_symtab_plt_name(st, addr, plt, sizeof(plt), &off) == 0)
		s.name = plt;
	else if (tr_symtab_addr(st, addr, &s, &off) || !s.name)
		return false;
	if (off)
		snprintf(buf, len, "%s+%llu", s.name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", s.name);
	return true;
}

int
tr_debuginfo_read_code(struct tr_debuginfo *di, uint64_t addr, void *buf,
		       size_t len)
{
	const struct tr_module *m = tr_symtab_module_at(di->st, addr);

	if (!m)
		return -TR_EFAULT;
	return tr_symtab_file_read(di->st, m, addr - m->bias, buf, len);
}

static void
push(uint64_t *addrs, size_t max, size_t *n, uint64_t a)
{
	for (size_t i = 0; i < *n && i < max; i++)
		if (addrs[i] == a)
			return;
	if (*n < max)
		addrs[*n] = a;
	(*n)++;
}

/*
 * The calls of function `e` inlined in its unit (e is its abstract DIE):
 * a location at each one's entry, moved to the start of the next line
 * when the entry is in the middle of one (as gdb's skip_prologue_sal
 * leaves an inlined function's entry).
 */
static void
resolve_inlined(struct tr_dwarf *dw, const struct tr_module *m,
		const struct tr_dw_entry *e, uint64_t *addrs, size_t max,
		size_t *n)
{
	uint64_t pcs[64];
	size_t k = 0;

	if (tr_scope_inlined_at(dw, e->die, e->cu, pcs, 64, &k) < 0)
		return;
	for (size_t j = 0; j < k && j < 64; j++) {
		struct tr_dw_line row;
		uint64_t lo = 0, hi = 0, a = pcs[j];

		if (tr_dwarf_line_range(dw, a, &row, &lo, &hi) == 0 &&
		    lo != a && hi > a)
			a = hi;
		push(addrs, max, n, a + m->bias);
	}
}

/* FUNCTION in the DWARF of module m: the address past the prologue of
 * each definition, and the entry of each inlined call. */
static void
resolve_func_dwarf(struct tr_debuginfo *di, const struct tr_module *m,
		   const char *name, uint64_t *addrs, size_t max, size_t *n)
{
	struct tr_dwarf *dw = tr_debuginfo_dwarf(di, m);
	const struct tr_dw_entry *e[32];
	size_t k = 0;

	if (!dw || tr_dwarf_lookup(dw, name, TR_DW_FUNC, e, 32, &k) < 0)
		return;
	for (size_t i = 0; i < k && i < 32; i++) {
		uint8_t code[16];
		uint64_t a;
		bool have_code;

		if (e[i]->declaration || !e[i]->lowpc) {
			resolve_inlined(dw, m, e[i], addrs, max, n);
			continue;
		}
		have_code = tr_symtab_file_read(di->st, m, e[i]->lowpc, code,
						sizeof(code)) == 0;
		tr_dwarf_breakpoint_addr(dw, e[i], have_code ? code : NULL,
					 have_code ? sizeof(code) : 0, &a);
		push(addrs, max, n, a + m->bias);
	}
}

static int
resolve_func(struct tr_debuginfo *di, const char *spec, uint64_t *addrs,
	     size_t max, size_t *n)
{
	const char *colon = strrchr(spec, ':');
	const char *name = colon ? colon + 1 : spec;
	size_t nm = tr_symtab_nmodules(di->st);
	struct tr_sym sym;

	if (!*name)
		return -TR_EINVAL;
	for (size_t i = 0; i < nm; i++) {
		const struct tr_module *m = tr_symtab_module(di->st, i);

		if (colon && !tr_symtab_module_matches(m, spec,
						       (size_t)(colon - spec)))
			continue;
		resolve_func_dwarf(di, m, name, addrs, max, n);
	}
	if (*n)
		return 0;
	/* No debug info for it: the ELF symbol's address (gdb also
	 * breaks at the entry of functions it has no line table for). */
	if (tr_symtab_lookup(di->st, spec, &sym) == 0 &&
	    (sym.kind == TR_SYM_FUNC || sym.kind == TR_SYM_IFUNC)) {
		push(addrs, max, n, sym.addr);
		return 0;
	}
	return -TR_ENOENT;
}

/* Where `break FUNC` goes in the function whose code holds run-time
 * address `addr` (module m, its DWARF dw); 0 when unknown. */
static uint64_t
func_bp_addr(struct tr_debuginfo *di, const struct tr_module *m,
	     struct tr_dwarf *dw, uint64_t addr)
{
	const struct tr_dw_entry *f = tr_dwarf_func_at(dw, addr - m->bias);
	uint8_t code[16];
	uint64_t bp;
	bool have;

	if (!f || !f->lowpc)
		return 0;
	have = tr_debuginfo_read_code(di, f->lowpc + m->bias, code,
				      sizeof(code)) == 0;
	if (tr_dwarf_breakpoint_addr(dw, f, have ? code : NULL,
				     have ? sizeof(code) : 0, &bp))
		return 0;
	return bp + m->bias;
}

bool
tr_debuginfo_after_prologue(struct tr_debuginfo *di, uint64_t addr)
{
	const struct tr_module *m = tr_symtab_module_at(di->st, addr);
	struct tr_dwarf *dw = m ? tr_debuginfo_dwarf(di, m) : NULL;
	const struct tr_dw_entry *f = dw ? tr_dwarf_func_at(dw, addr - m->bias)
					 : NULL;

	return f && f->lowpc && f->lowpc + m->bias != addr &&
	       func_bp_addr(di, m, dw, addr) == addr;
}

static int
resolve_line(struct tr_debuginfo *di, const char *file, uint32_t line,
	     uint64_t *addrs, size_t max, size_t *n)
{
	size_t nm = tr_symtab_nmodules(di->st);

	for (size_t i = 0; i < nm; i++) {
		const struct tr_module *m = tr_symtab_module(di->st, i);
		struct tr_dwarf *dw = tr_debuginfo_dwarf(di, m);
		uint64_t a[64];
		size_t k = 0;

		if (!dw || tr_dwarf_line_addrs(dw, file, line, a, 64, &k,
					       NULL) < 0)
			continue;
		for (size_t j = 0; j < k && j < 64; j++) {
			uint64_t at = a[j] + m->bias, bp;
			const struct tr_dw_entry *f =
				tr_dwarf_func_at(dw, a[j]);

			/* gdb 13 (skip_prologue_sal): a line whose code is
			 * a function's entry (its opening line, or a line
			 * before it with no code) breaks where break FUNC
			 * does, past the prologue */
			if (f && f->lowpc == a[j] &&
			    (bp = func_bp_addr(di, m, dw, at)))
				at = bp;
			push(addrs, max, n, at);
		}
	}
	return *n ? 0 : -TR_ENOENT;
}

int
tr_debuginfo_resolve(struct tr_debuginfo *di, const char *spec,
		     uint64_t *addrs, size_t max, size_t *n)
{
	const char *colon;
	char *end;

	*n = 0;
	while (*spec == ' ')
		spec++;
	if (!*spec)
		return -TR_EINVAL;
	if (*spec == '*') {
		unsigned long long a;

		errno = 0;
		a = strtoull(spec + 1, &end, 0);
		if (errno || end == spec + 1 || *end)
			return -TR_EINVAL;
		push(addrs, max, n, a);
		return 0;
	}
	colon = strrchr(spec, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		char file[1024];
		unsigned long line;

		line = strtoul(colon + 1, &end, 10);
		if (*end || line == 0 || line > UINT32_MAX ||
		    (size_t)(colon - spec) >= sizeof(file) || colon == spec)
			return -TR_EINVAL;
		memcpy(file, spec, (size_t)(colon - spec));
		file[colon - spec] = 0;
		return resolve_line(di, file, (uint32_t)line, addrs, max, n);
	}
	return resolve_func(di, spec, addrs, max, n);
}

int
tr_debuginfo_spec_line(struct tr_debuginfo *di, const char *spec,
		       uint32_t *line)
{
	const char *colon = strrchr(spec, ':');
	size_t nm = tr_symtab_nmodules(di->st);
	char file[1024], *end;
	unsigned long want;

	while (*spec == ' ')
		spec++;
	if (*spec == '*' || !colon || colon == spec || colon[1] < '0' ||
	    colon[1] > '9' || (size_t)(colon - spec) >= sizeof(file))
		return -TR_ENOENT;
	want = strtoul(colon + 1, &end, 10);
	if (*end || !want || want > UINT32_MAX)
		return -TR_ENOENT;
	memcpy(file, spec, (size_t)(colon - spec));
	file[colon - spec] = 0;
	for (size_t i = 0; i < nm; i++) {
		struct tr_dwarf *dw = tr_debuginfo_dwarf(
			di, tr_symtab_module(di->st, i));
		uint64_t a[64];
		size_t k = 0;
		uint32_t used = 0;

		if (dw && tr_dwarf_line_addrs(dw, file, (uint32_t)want, a, 64,
					      &k, &used) == 0 && k && used) {
			*line = used;
			return 0;
		}
	}
	return -TR_ENOENT;
}

bool
tr_debuginfo_source_known(struct tr_debuginfo *di, const char *file)
{
	size_t nm = tr_symtab_nmodules(di->st);

	for (size_t i = 0; i < nm; i++) {
		struct tr_dwarf *dw = tr_debuginfo_dwarf(
			di, tr_symtab_module(di->st, i));

		for (size_t c = 0; dw && c < tr_dwarf_ncus(dw); c++) {
			const struct tr_dw_cu *u = tr_dwarf_cu(dw, c);

			if (u && u->name && tr__path_matches(u->name, file))
				return true;
		}
	}
	return false;
}

void
tr_debuginfo_inlines(struct tr_debuginfo *di, uint64_t pc,
		     struct tr_inline *out, size_t max, size_t *n)
{
	const struct tr_module *m = tr_symtab_module_at(
		tr_debuginfo_symtab(di), pc);
	struct tr_dwarf *dw = m ? tr_debuginfo_dwarf(di, m) : NULL;

	*n = 0;
	if (dw && tr_scope_inlines(dw, pc - m->bias, out, max, n) < 0)
		*n = 0;
}

int
tr_debuginfo_describe(struct tr_debuginfo *di, uint64_t pc,
		      struct tr_location *loc)
{
	const struct tr_module *m = tr_symtab_module_at(di->st, pc);
	struct tr_dwarf *dw;
	struct tr_sym sym;
	uint64_t off;

	memset(loc, 0, sizeof(*loc));
	loc->pc = pc;
	if (!m)
		return -TR_ENOENT;
	loc->module = m;
	dw = tr_debuginfo_dwarf(di, m);
	if (dw) {
		const struct tr_dw_entry *f = tr_dwarf_func_at(dw, pc - m->bias);
		struct tr_dw_line ln;

		loc->dwarf = dw;
		if (f) {
			const char *lk = tr_scope_linkage_name(dw, f->die);

			/* gdb names a C function by its linkage name when
			 * DWARF gives one */
			loc->function = lk ? lk : f->name;
			loc->offset = pc - m->bias - f->lowpc;
			loc->func_lo = f->lowpc + m->bias;
			loc->func_hi = f->highpc + m->bias;
			loc->dwfunc = f;
		}
		if (tr_dwarf_line_range(dw, pc - m->bias, &ln, &loc->line_lo,
					&loc->line_hi) == 0) {
			loc->file = ln.file;
			loc->line = ln.line;
			loc->is_stmt = ln.is_stmt;
			loc->line_lo += m->bias;
			loc->line_hi += m->bias;
		}
	}
	if (!loc->function && tr_symtab_addr(di->st, pc, &sym, &off) == 0) {
		loc->function = sym.name;
		loc->offset = off;
	}
	return 0;
}

bool
tr_debuginfo_addr_symbol(struct tr_debuginfo *di, uint64_t addr, char *name,
			 size_t len, uint64_t *off)
{
	struct tr_location loc;
	struct tr_sym s;
	uint64_t o = 0;
	bool have_fn, have_sym;

	have_fn = tr_debuginfo_describe(di, addr, &loc) == 0 && loc.dwfunc &&
		  loc.function && addr >= loc.func_lo;
	/* gdb's minimal symbol: a zero-sized one that is no function is
	 * dropped, a sized one holds only its own bytes */
	have_sym = tr_symtab_addr(di->st, addr, &s, &o) == 0 && s.name &&
		   (s.kind == TR_SYM_FUNC || s.kind == TR_SYM_IFUNC ||
		    (s.kind == TR_SYM_OBJECT && s.size)) &&
		   (!s.size || o < s.size);
	/* gdb 13 takes the minimal symbol when there is no function, or
	 * when it starts at addr and the function does not (a function
	 * of several ranges) */
	if (have_sym && (!have_fn || (!o && loc.func_lo != addr))) {
		snprintf(name, len, "%s", s.name);
		*off = o;
		return true;
	}
	if (!have_fn)
		return false;
	snprintf(name, len, "%s", loc.function);
	*off = addr - loc.func_lo;
	return true;
}
