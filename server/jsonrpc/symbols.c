/* symbols.c: the JSON-RPC methods on symbols (lookup_symbol, symbol_at, functions) and the session's dispatch statistics (stats). */
#include <stdio.h>
#include <string.h>

#include "core/call.h"
#include "core/sess.h"
#include "core/stats.h"
#include "symbols/debuginfo.h"
#include "symbols/dwarf_search.h"
#include "base/error.h"
#include "jsonrpc/request.h"
#include "jsonrpc/symbols.h"
#include "jsonrpc/where.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

static const char *const kind_names[] = { "?", "function", "object", "ifunc",
					  "other" };

struct sym_ctx {
	const char *name;
	uint64_t addr;
	struct tr_sym sym;
	char sname[256], module[256], section[64], path[512];
	bool debug; /* the symbol's module defines it in its DWARF */
	struct srv_where wh;
	/* functions */
	const char *match;
	struct tr_jw *w;
	uint64_t limit, count;
	bool more;
};

static int
lookup_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	  void *arg)
{
	struct sym_ctx *sc = arg;
	int err = tr_symtab_lookup(tr_debuginfo_symtab(di), sc->name,
				   &sc->sym);

	if (err)
		return err;
	snprintf(sc->sname, sizeof(sc->sname), "%s", sc->sym.name);
	snprintf(sc->module, sizeof(sc->module), "%s",
		 sc->sym.module ? sc->sym.module->name : "");
	if (sc->sym.module) {
		struct tr_dwarf *d = tr_debuginfo_dwarf(di, sc->sym.module);

		sc->debug = d && tr_dwarf_has_def(d, sc->sym.name,
						  sc->sym.kind == TR_SYM_OBJECT
							  ? TR_DW_VAR
							  : TR_DW_FUNC);
	}
	return 0;
}

/* The section and module path of sc->addr, for gdb's info symbol. */
static int
section_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	   void *arg)
{
	struct sym_ctx *sc = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	const struct tr_module *m = tr_symtab_module_at(st, sc->addr);

	(void)t;
	(void)u;
	if (!m)
		return 0;
	snprintf(sc->path, sizeof(sc->path), "%s", m->path);
	tr_symtab_section(st, m, NULL, sc->addr, sc->section,
			  sizeof(sc->section), NULL, NULL);
	return 0;
}

int
srv_m_lookup_symbol(struct srv_call *x)
{
	struct sym_ctx sc = { 0 };
	int err;

	if (!(sc.name = srv_param_str(x, "name", true)))
		return 0;
	err = tr_session_run(x->ss->s, lookup_fn, &sc);
	if (err == -TR_ENOENT)
		return srv_error(x, SRV_E_TARGET, "No symbol \"%s\".", sc.name);
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_where_get(x->ss, sc.sym.addr, 0, false, &sc.wh);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "name");
	tr_jw_cstr(&x->w, sc.sname);
	tr_jw_key(&x->w, "addr");
	tr_jw_uint(&x->w, sc.sym.addr);
	tr_jw_key(&x->w, "size");
	tr_jw_uint(&x->w, sc.sym.size);
	tr_jw_key(&x->w, "kind");
	tr_jw_cstr(&x->w, kind_names[sc.sym.kind <= 4 ? sc.sym.kind : 0]);
	tr_jw_key(&x->w, "global");
	tr_jw_bool(&x->w, sc.sym.global);
	tr_jw_key(&x->w, "debug");
	tr_jw_bool(&x->w, sc.debug);
	srv_opt_str(&x->w, "module", sc.module);
	srv_opt_str(&x->w, "file", sc.wh.file);
	tr_jw_key(&x->w, "line");
	tr_jw_uint(&x->w, sc.wh.loc.line);
	return tr_rpc_end(&x->w);
}

int
srv_m_symbol_at(struct srv_call *x)
{
	struct srv_where wh;
	struct sym_ctx sc = { 0 };
	uint64_t addr;

	if (srv_param_u64(x, "addr", true, &addr))
		return 0;
	srv_where_get(x->ss, addr, 0, false, &wh);
	if (!wh.func[0] && !wh.module[0])
		return srv_error(x, SRV_E_TARGET,
				 "No symbol matches 0x%llx.",
				 (unsigned long long)addr);
	sc.addr = addr;
	tr_session_run(x->ss->s, section_fn, &sc);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	srv_write_where(&x->w, &wh);
	srv_opt_str(&x->w, "section", sc.section);
	srv_opt_str(&x->w, "path", sc.path);
	return tr_rpc_end(&x->w);
}

static int
functions_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	     struct tr_unwinder *u, void *arg)
{
	struct sym_ctx *sc = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);

	for (size_t m = 0; m < tr_symtab_nmodules(st); m++) {
		struct tr_sym s;

		for (size_t i = 0; tr_symtab_sym(st, m, i, &s) == 0; i++) {
			if (s.kind != TR_SYM_FUNC && s.kind != TR_SYM_IFUNC)
				continue;
			if (sc->match && !strstr(s.name, sc->match))
				continue;
			if (sc->count == sc->limit) {
				sc->more = true;
				return 0;
			}
			sc->count++;
			tr_jw_obj_begin(sc->w);
			tr_jw_key(sc->w, "name");
			tr_jw_cstr(sc->w, s.name);
			tr_jw_key(sc->w, "addr");
			tr_jw_uint(sc->w, s.addr);
			tr_jw_key(sc->w, "size");
			tr_jw_uint(sc->w, s.size);
			tr_jw_key(sc->w, "module");
			tr_jw_cstr(sc->w, s.module->name);
			tr_jw_obj_end(sc->w);
		}
	}
	return 0;
}

int
srv_m_functions(struct srv_call *x)
{
	struct sym_ctx sc = { .limit = 1000 };
	int err;

	sc.match = srv_param_str(x, "match", false);
	if (x->replied ||
	    srv_param_num(x, "limit", false, 1000000, &sc.limit) < 0)
		return 0;
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "functions");
	tr_jw_arr_begin(&x->w);
	sc.w = &x->w;
	err = tr_session_run(x->ss->s, functions_fn, &sc);
	if (err)
		return srv_lib_error(x, err, NULL);
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "more");
	tr_jw_bool(&x->w, sc.more);
	return tr_rpc_end(&x->w);
}

static void
write_slab(struct tr_jw *w, const char *name, const struct tr_slab_stats *s)
{
	tr_jw_key(w, name);
	tr_jw_obj_begin(w);
#define F(f)                        \
	tr_jw_key(w, #f);           \
	tr_jw_uint(w, s->f)
	F(requests);
	F(submits);
	F(server_spin_hits);
	F(server_sleeps);
	F(server_wakes);
	F(client_spin_hits);
	F(client_yields);
	F(client_sleeps);
	F(client_wakes);
	F(slot_waits);
#undef F
	tr_jw_key(w, "latency_ns");
	tr_jw_obj_begin(w);
	tr_jw_key(w, "p50");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.5));
	tr_jw_key(w, "p90");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.9));
	tr_jw_key(w, "p99");
	tr_jw_uint(w, srv_hist_quantile(s->latency_hist, 0.99));
	tr_jw_key(w, "log2_histogram");
	tr_jw_arr_begin(w);
	for (int i = 0; i < TR_SLAB_HIST; i++)
		tr_jw_uint(w, s->latency_hist[i]);
	tr_jw_arr_end(w);
	tr_jw_obj_end(w);
	tr_jw_obj_end(w);
}

int
srv_m_stats(struct srv_call *x)
{
	struct tr_slab_stats tr, in, lp;

	tr_session_stats(x->ss->s, &tr, &in, &lp);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "session");
	tr_jw_uint(&x->w, x->ss->id);
	write_slab(&x->w, "tracer", &tr);
	write_slab(&x->w, "interpreter", &in);
	write_slab(&x->w, "event_loop", &lp);
	/* what watchpoints use here, and what the probe saw */
	tr_jw_key(&x->w, "watch_mechanism");
	tr_jw_cstr(&x->w, tr_watch_mechanism());
	tr_jw_key(&x->w, "debug_registers_fire");
	tr_jw_bool(&x->w, tr_watch_probe()->fires);
	tr_jw_key(&x->w, "debug_registers_probe");
	tr_jw_cstr(&x->w, tr_watch_probe()->why);
	return tr_rpc_end(&x->w);
}
