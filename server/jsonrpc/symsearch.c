/* symsearch.c: the JSON-RPC methods behind gdb's info functions, variables and types (symbol_search), info line (line_info) and info sharedlibrary (shared_libraries). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "core/call.h"
#include "core/sess.h"
#include "jsonrpc/request.h"
#include "jsonrpc/symsearch.h"
#include "jsonrpc/where.h"
#include "session/session.h"
#include "symbols/debuginfo.h"
#include "symbols/dwarf_search.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

/* ---- symbol_search ------------------------------------------------------ */

struct found {
	char *file, *name, *decl;
	uint32_t line;
};

struct minsym {
	char *name, *module;
	uint64_t addr;
};

struct search {
	regex_t re;
	bool have_re;
	enum tr_dw_kind kind;
	bool nondebugging;
	struct found *f;
	size_t nf, capf;
	struct minsym *m;
	size_t nm, capm;
	int err;
};

static bool
name_matches(const char *name, void *arg)
{
	struct search *s = arg;

	return !s->have_re || regexec(&s->re, name, 0, NULL, 0) == 0;
}

static int
add_found(const struct tr_dw_found *df, void *arg)
{
	struct search *s = arg;
	struct found *f;

	if (s->nf == s->capf) {
		size_t c = s->capf ? s->capf * 2 : 64;

		f = realloc(s->f, c * sizeof(*f));
		if (!f)
			return -TR_ENOMEM;
		s->f = f;
		s->capf = c;
	}
	f = &s->f[s->nf];
	f->file = strdup(df->file ? df->file : "");
	f->name = strdup(df->entry->name);
	f->decl = strdup(df->decl);
	f->line = df->line;
	if (!f->file || !f->name || !f->decl) {
		free(f->file);
		free(f->name);
		free(f->decl);
		return -TR_ENOMEM;
	}
	s->nf++;
	return 0;
}

static int
add_minsym(struct search *s, const struct tr_sym *sym)
{
	struct minsym *m;

	if (s->nm == s->capm) {
		size_t c = s->capm ? s->capm * 2 : 64;

		m = realloc(s->m, c * sizeof(*m));
		if (!m)
			return -TR_ENOMEM;
		s->m = m;
		s->capm = c;
	}
	m = &s->m[s->nm];
	m->name = strdup(sym->name);
	m->module = strdup(sym->module ? sym->module->path : "");
	m->addr = sym->addr;
	if (!m->name || !m->module) {
		free(m->name);
		free(m->module);
		return -TR_ENOMEM;
	}
	s->nm++;
	return 0;
}

static int
search_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	  void *arg)
{
	struct search *s = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	int err;

	(void)t;
	(void)u;
	for (size_t i = 0; i < tr_symtab_nmodules(st); i++) {
		const struct tr_module *m = tr_symtab_module(st, i);
		struct tr_dwarf *d = tr_debuginfo_dwarf(di, m);
		struct tr_sym sym;

		if (d) {
			err = tr_dwarf_search(d, s->kind, name_matches,
					      add_found, s);
			if (err)
				return err;
		}
		if (!s->nondebugging || s->kind == TR_DW_TYPE)
			continue;
		for (size_t k = 0; tr_symtab_sym(st, i, k, &sym) == 0; k++) {
			bool fn = sym.kind == TR_SYM_FUNC ||
				  sym.kind == TR_SYM_IFUNC;

			if (fn != (s->kind == TR_DW_FUNC) ||
			    (!fn && sym.kind != TR_SYM_OBJECT) ||
			    !sym.name[0] || !name_matches(sym.name, s))
				continue;
			if (d && tr_dwarf_has_def(d, sym.name, s->kind))
				continue;
			err = add_minsym(s, &sym);
			if (err)
				return err;
		}
	}
	return 0;
}

static int
cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = (x->line > y->line) - (x->line < y->line);
	return c;
}

static int
cmp_minsym(const void *a, const void *b)
{
	const struct minsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
search_free(struct search *s)
{
	for (size_t i = 0; i < s->nf; i++) {
		free(s->f[i].file);
		free(s->f[i].name);
		free(s->f[i].decl);
	}
	for (size_t i = 0; i < s->nm; i++) {
		free(s->m[i].name);
		free(s->m[i].module);
	}
	free(s->f);
	free(s->m);
	if (s->have_re)
		regfree(&s->re);
}

int
srv_m_symbol_search(struct srv_call *x)
{
	struct search s = { .nondebugging = true };
	const char *kind, *rx;
	const char *cur = NULL;
	int err;

	if (!(kind = srv_param_str(x, "kind", true)))
		return 0;
	rx = srv_param_str(x, "regex", false);
	if (x->replied || srv_param_bool(x, "nondebugging", &s.nondebugging) < 0)
		return 0;
	if (!strcmp(kind, "functions"))
		s.kind = TR_DW_FUNC;
	else if (!strcmp(kind, "variables"))
		s.kind = TR_DW_VAR;
	else if (!strcmp(kind, "types"))
		s.kind = TR_DW_TYPE;
	else
		return srv_error(x, TR_RPC_INVALID_PARAMS, "kind: \"%s\" is none of "
				 "functions, variables, types", kind);
	if (rx && *rx) {
		/* gdb's regular expressions: POSIX basic ones */
		err = regcomp(&s.re, rx, REG_NOSUB);
		if (err) {
			char why[256];

			regerror(err, &s.re, why, sizeof(why));
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "Invalid regexp(%s): %s", why, rx);
		}
		s.have_re = true;
	}
	err = tr_session_run(x->ss->s, search_fn, &s);
	if (err) {
		search_free(&s);
		return srv_lib_error(x, err, NULL);
	}
	if (s.nf)
		qsort(s.f, s.nf, sizeof(*s.f), cmp_found);
	if (s.nm)
		qsort(s.m, s.nm, sizeof(*s.m), cmp_minsym);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "files");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < s.nf; i++) {
		const struct found *f = &s.f[i];

		/* the same declaration twice in a file (a static function
		 * of a header in two units): once, as gdb */
		if (i && !cmp_found(f, &s.f[i - 1]) &&
		    !strcmp(f->decl, s.f[i - 1].decl))
			continue;
		if (!cur || strcmp(cur, f->file)) {
			if (cur) {
				tr_jw_arr_end(&x->w);
				tr_jw_obj_end(&x->w);
			}
			cur = f->file;
			tr_jw_obj_begin(&x->w);
			tr_jw_key(&x->w, "file");
			tr_jw_cstr(&x->w, f->file);
			tr_jw_key(&x->w, "symbols");
			tr_jw_arr_begin(&x->w);
		}
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "name");
		tr_jw_cstr(&x->w, f->name);
		tr_jw_key(&x->w, "line");
		tr_jw_uint(&x->w, f->line);
		tr_jw_key(&x->w, "decl");
		tr_jw_cstr(&x->w, f->decl);
		tr_jw_obj_end(&x->w);
	}
	if (cur) {
		tr_jw_arr_end(&x->w);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "nondebugging");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < s.nm; i++) {
		if (i && s.m[i].addr == s.m[i - 1].addr &&
		    !strcmp(s.m[i].name, s.m[i - 1].name))
			continue;
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "name");
		tr_jw_cstr(&x->w, s.m[i].name);
		tr_jw_key(&x->w, "addr");
		tr_jw_uint(&x->w, s.m[i].addr);
		tr_jw_key(&x->w, "module");
		tr_jw_cstr(&x->w, s.m[i].module);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	search_free(&s);
	return tr_rpc_end(&x->w);
}

/* ---- line_info ---------------------------------------------------------- */

struct line_ctx {
	const char *spec;
	uint64_t addr;
	bool have_addr;
	uint32_t want_line; /* FILE:LINE asked for: the line */
	struct tr_location loc;
	char file[512];
	char sfunc[256], efunc[256];
	uint64_t soff, eoff;
	bool no_line;
	bool at_start;
};

static void
func_at(struct tr_debuginfo *di, uint64_t addr, char *out, size_t len,
	uint64_t *off)
{
	struct tr_sym sym;

	out[0] = 0;
	*off = 0;
	/* gdb's <main+15>: the ELF symbol, as its minimal symbols */
	if (tr_symtab_addr(tr_debuginfo_symtab(di), addr, &sym, off) == 0)
		snprintf(out, len, "%s", sym.name);
}

static int
line_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	void *arg)
{
	struct line_ctx *c = arg;
	int err;

	(void)t;
	(void)u;
	if (!c->have_addr) {
		const char *colon = strrchr(c->spec, ':');
		uint64_t addrs[16];
		size_t n = 0;
		struct tr_sym sym;

		if (c->spec[0] != '*' && !colon &&
		    tr_symtab_lookup(tr_debuginfo_symtab(di), c->spec,
				     &sym) == 0 &&
		    (sym.kind == TR_SYM_FUNC || sym.kind == TR_SYM_IFUNC)) {
			/* a function: the line of its entry, as gdb */
			c->addr = sym.addr;
		} else if (colon && c->spec[0] != '*' && colon[1] >= '0' &&
			   colon[1] <= '9') {
			/* FILE:LINE: the line table's rows, as gdb reads
			 * them for info line (no prologue skipped), the
			 * next line with code when it has none */
			char file[512];
			struct tr_symtab *st = tr_debuginfo_symtab(di);
			bool found = false;

			snprintf(file, sizeof(file), "%.*s",
				 (int)(colon - c->spec), c->spec);
			c->want_line = (uint32_t)strtoul(colon + 1, NULL, 10);
			for (size_t i = 0; i < tr_symtab_nmodules(st); i++) {
				const struct tr_module *m =
					tr_symtab_module(st, i);
				struct tr_dwarf *d = tr_debuginfo_dwarf(di, m);
				uint32_t actual = 0;

				if (!d || tr_dwarf_line_addrs(d, file,
							      c->want_line,
							      addrs, 16, &n,
							      &actual) ||
				    !n)
					continue;
				for (size_t k = 0; k < n && k < 16; k++)
					if (!found || addrs[k] + m->bias <
							      c->addr)
						c->addr = addrs[k] + m->bias,
						found = true;
				break;
			}
			if (!found)
				return -TR_ENOENT;
		} else {
			err = tr_debuginfo_resolve(di, c->spec, addrs, 16, &n);
			if (err)
				return err;
			if (!n)
				return -TR_ENOENT;
			c->addr = addrs[0];
			for (size_t i = 1; i < n && i < 16; i++)
				if (addrs[i] < c->addr)
					c->addr = addrs[i];
		}
	}
	err = tr_debuginfo_describe(di, c->addr, &c->loc);
	if (err)
		return err;
	func_at(di, c->addr, c->sfunc, sizeof(c->sfunc), &c->soff);
	if (!c->loc.line || !c->loc.file) {
		c->no_line = true;
		return 0;
	}
	snprintf(c->file, sizeof(c->file), "%s", c->loc.file);
	/* gdb names the unit's primary file as the unit does
	 * ("../tests/x.c"), other files by their full path */
	if (c->loc.dwarf && c->loc.dwfunc) {
		const struct tr_dw_cu *cu = tr_dwarf_cu(c->loc.dwarf,
							c->loc.dwfunc->cu);
		size_t dl = cu && cu->comp_dir ? strlen(cu->comp_dir) : 0;

		if (cu && cu->name &&
		    (!strcmp(c->loc.file, cu->name) ||
		     (dl && !strncmp(c->loc.file, cu->comp_dir, dl) &&
		      c->loc.file[dl] == '/' &&
		      !strcmp(c->loc.file + dl + 1, cu->name))))
			snprintf(c->file, sizeof(c->file), "%s", cu->name);
	}
	c->at_start = c->loc.line_lo == c->addr;
	/* gdb's range of a line runs over the rows that follow with the
	 * same line (gcc's rows for the parts of one statement) */
	for (int i = 0; i < 256; i++) {
		struct tr_location nx;

		if (tr_debuginfo_describe(di, c->loc.line_hi, &nx) ||
		    nx.line != c->loc.line || !nx.file ||
		    strcmp(nx.file, c->loc.file) || nx.line_lo != c->loc.line_hi ||
		    nx.line_hi <= c->loc.line_hi)
			break;
		c->loc.line_hi = nx.line_hi;
	}
	func_at(di, c->loc.line_lo, c->sfunc, sizeof(c->sfunc), &c->soff);
	func_at(di, c->loc.line_hi, c->efunc, sizeof(c->efunc), &c->eoff);
	return 0;
}

int
srv_m_line_info(struct srv_call *x)
{
	struct line_ctx c = { 0 };
	int err;

	c.spec = srv_param_str(x, "location", false);
	if (x->replied)
		return 0;
	err = srv_param_u64(x, "addr", false, &c.addr);
	if (err < 0 || x->replied)
		return 0;
	c.have_addr = err == 0;
	if (!c.have_addr && !c.spec)
		return srv_error(x, TR_RPC_INVALID_PARAMS, "location or addr required");
	err = tr_session_run(x->ss->s, line_fn, &c);
	if (err == -TR_ENOENT && c.spec)
		return srv_error(x, SRV_E_TARGET, "Function \"%s\" not "
				 "defined.", c.spec);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, c.addr);
	srv_opt_str(&x->w, "function", c.no_line ? c.sfunc : NULL);
	tr_jw_key(&x->w, "offset");
	tr_jw_uint(&x->w, c.soff);
	if (!c.no_line) {
		tr_jw_key(&x->w, "file");
		tr_jw_cstr(&x->w, c.file);
		tr_jw_key(&x->w, "line");
		tr_jw_uint(&x->w, c.want_line && c.want_line != c.loc.line
					  ? c.want_line
					  : c.loc.line);
		/* a line asked for without code: gdb names the address
		 * of the next line that has some */
		tr_jw_key(&x->w, "has_code");
		tr_jw_bool(&x->w, !c.want_line || c.want_line == c.loc.line);
		tr_jw_key(&x->w, "start");
		tr_jw_uint(&x->w, c.loc.line_lo);
		srv_opt_str(&x->w, "start_function", c.sfunc);
		tr_jw_key(&x->w, "start_offset");
		tr_jw_uint(&x->w, c.soff);
		tr_jw_key(&x->w, "end");
		tr_jw_uint(&x->w, c.loc.line_hi);
		srv_opt_str(&x->w, "end_function", c.efunc);
		tr_jw_key(&x->w, "end_offset");
		tr_jw_uint(&x->w, c.eoff);
		tr_jw_key(&x->w, "at_start");
		tr_jw_bool(&x->w, c.at_start);
	}
	return tr_rpc_end(&x->w);
}

/* ---- shared_libraries --------------------------------------------------- */

struct libs_ctx {
	struct tr_jw *w;
};

/* One loaded object as the dynamic loader's list (r_debug's link map)
 * names it. */
struct lm_obj {
	uint64_t base;
	char name[512];
};

/*
 * The link map: the executable's DT_DEBUG gives r_debug (glibc's
 * <link.h>: r_version, r_map at 8, r_ldbase at 32), whose list of
 * struct link_map (l_addr at 0, l_name at 8, l_next at 24) names each
 * object as ld.so opened it. The interpreter first, then the others in
 * the list's order, the executable and nameless ones left out: gdb's
 * order. 0 entries before ld.so has set it up (at the exec stop).
 */
static size_t
link_map(struct tr_tracer *t, struct tr_symtab *st, struct lm_obj *out,
	 size_t max)
{
	const struct tr_module *exe = NULL;
	uint64_t dyn = 0, dynend = 0, rdebug = 0, lm, ldbase = 0;
	size_t n = 0, guard = 0;

	for (size_t i = 0; i < tr_symtab_nmodules(st) && !exe; i++)
		if (tr_symtab_module(st, i)->is_exec)
			exe = tr_symtab_module(st, i);
	if (!exe || tr_symtab_section(st, exe, ".dynamic", 0, NULL, 0, &dyn,
				      &dynend))
		return 0;
	for (uint64_t a = dyn; a + 16 <= dynend; a += 16) {
		uint64_t d[2];

		if (tr_mem_read(t, a, d, sizeof(d), NULL) || d[0] == 0)
			break;
		if (d[0] == 21 /* DT_DEBUG */)
			rdebug = d[1];
	}
	if (!rdebug || tr_mem_read(t, rdebug + 8, &lm, 8, NULL) ||
	    tr_mem_read(t, rdebug + 32, &ldbase, 8, NULL))
		return 0;
	while (lm && n < max && guard++ < 4096) {
		uint64_t f[4];
		struct lm_obj *o = &out[n];
		size_t got = 0;

		if (tr_mem_read(t, lm, f, sizeof(f), NULL))
			break;
		o->base = f[0];
		o->name[0] = 0;
		if (f[1]) {
			tr_mem_read(t, f[1], o->name, sizeof(o->name) - 1, &got);
			o->name[got < sizeof(o->name) ? got : 0] = 0;
			o->name[sizeof(o->name) - 1] = 0;
		}
		if (o->name[0] == '/' || (o->name[0] && o->base)) {
			if (o->base == ldbase && n) {
				/* the interpreter first */
				struct lm_obj tmp = *o;

				memmove(&out[1], &out[0], n * sizeof(*out));
				out[0] = tmp;
			}
			n++;
		}
		lm = f[3];
	}
	return n;
}

static void
write_lib(struct libs_ctx *c, struct tr_debuginfo *di,
	  const struct tr_module *m, const char *path)
{
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	uint64_t lo = 0, hi = 0;
	bool text = tr_symtab_section(st, m, ".text", 0, NULL, 0, &lo, &hi) ==
		    0;

	tr_jw_obj_begin(c->w);
	tr_jw_key(c->w, "path");
	tr_jw_cstr(c->w, path);
	tr_jw_key(c->w, "file");
	tr_jw_cstr(c->w, m->path);
	if (text) {
		tr_jw_key(c->w, "from");
		tr_jw_uint(c->w, lo);
		tr_jw_key(c->w, "to");
		tr_jw_uint(c->w, hi);
	}
	tr_jw_key(c->w, "lo");
	tr_jw_uint(c->w, m->lo);
	tr_jw_key(c->w, "hi");
	tr_jw_uint(c->w, m->hi);
	tr_jw_key(c->w, "symbols");
	tr_jw_uint(c->w, m->nsyms);
	tr_jw_key(c->w, "debug_info");
	tr_jw_bool(c->w, tr_debuginfo_dwarf(di, m) != NULL);
	tr_jw_obj_end(c->w);
}

static int
libs_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	void *arg)
{
	struct libs_ctx *c = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	size_t nm = tr_symtab_nmodules(st);
	bool *done = calloc(nm ? nm : 1, sizeof(*done));
	struct lm_obj *objs = calloc(256, sizeof(*objs));
	size_t n;

	(void)u;
	if (!done || !objs) {
		free(done);
		free(objs);
		return -TR_ENOMEM;
	}
	/* in the loader's order with its names, where it has a list */
	n = link_map(t, st, objs, 256);
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < nm; i++) {
			const struct tr_module *m = tr_symtab_module(st, i);

			if (done[i] || m->is_exec || m->bias != objs[k].base)
				continue;
			done[i] = true;
			write_lib(c, di, m, objs[k].name);
			break;
		}
	}
	/* the rest (before ld.so made its list) as mapped */
	for (size_t i = 0; i < nm; i++) {
		const struct tr_module *m = tr_symtab_module(st, i);

		if (!done[i] && !m->is_exec)
			write_lib(c, di, m, m->path);
	}
	free(done);
	free(objs);
	return 0;
}

int
srv_m_shared_libraries(struct srv_call *x)
{
	struct libs_ctx c = { .w = &x->w };
	int err;

	srv_begin(x);
	tr_jw_arr_begin(&x->w);
	err = tr_session_run(x->ss->s, libs_fn, &c);
	if (err)
		return srv_lib_error(x, err, NULL);
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}
