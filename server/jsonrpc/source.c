/* source.c: the JSON-RPC methods on source files: lines by number, around a location, through the session's substitute-path rules. */
#include <stdio.h>
#include <string.h>

#include "core/call.h"
#include "core/sess.h"
#include "base/error.h"
#include "jsonrpc/request.h"
#include "jsonrpc/source.h"
#include "symbols/debuginfo.h"
#include "symbols/dwarf_index.h"
#include "symbols/source.h"
#include "symbols/symtab.h"

struct src_ctx {
	const char *spec;     /* a location, or a file name */
	uint32_t line;        /* in: a FILE's line to find it by; out: the
				 location's line */
	char file[1024];      /* the full name DWARF gives */
	char func[256];       /* the location's function */
	char name[1024];      /* the file as its unit names it (gdb's
				 symtab name: ../src/a.c) */
};

/* a unit's primary file, as a full path */
static void
cu_full(const struct tr_dw_cu *cu, char *out, size_t len)
{
	if (cu->name[0] == '/' || !cu->comp_dir)
		snprintf(out, len, "%s", cu->name);
	else
		snprintf(out, len, "%s/%s", cu->comp_dir, cu->name);
}

/* sc->name for sc->file: the name of the unit whose file it is, else the
 * full name */
static void
name_file(struct tr_debuginfo *di, struct src_ctx *sc)
{
	struct tr_symtab *st = tr_debuginfo_symtab(di);

	snprintf(sc->name, sizeof(sc->name), "%s", sc->file);
	for (size_t m = 0; m < tr_symtab_nmodules(st); m++) {
		struct tr_dwarf *d =
			tr_debuginfo_dwarf(di, tr_symtab_module(st, m));

		for (size_t i = 0; d && i < tr_dwarf_ncus(d); i++) {
			const struct tr_dw_cu *cu = tr_dwarf_cu(d, i);
			char full[1024];

			if (!cu->name)
				continue;
			cu_full(cu, full, sizeof(full));
			if (!strcmp(full, sc->file)) {
				snprintf(sc->name, sizeof(sc->name), "%s",
					 cu->name);
				return;
			}
		}
	}
}

/* ends with "/" + tail, or is tail */
static bool
path_ends(const char *path, const char *tail)
{
	size_t pl = strlen(path), tl = strlen(tail);

	if (pl < tl || strcmp(path + pl - tl, tail))
		return false;
	return pl == tl || path[pl - tl - 1] == '/' || tail[0] == '/';
}

/* The file `spec` names: a compile unit's primary file of some module
 * whose name ends in it, else a file of the line tables with code for
 * its line (a header). */
static int
file_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	void *arg)
{
	struct src_ctx *sc = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	char spec[1100];
	uint64_t addr;
	size_t n = 0;
	struct tr_location loc;

	(void)t;
	(void)u;
	for (size_t m = 0; m < tr_symtab_nmodules(st); m++) {
		struct tr_dwarf *d =
			tr_debuginfo_dwarf(di, tr_symtab_module(st, m));

		for (size_t i = 0; d && i < tr_dwarf_ncus(d); i++) {
			const struct tr_dw_cu *cu = tr_dwarf_cu(d, i);
			char full[1024];

			if (!cu->name)
				continue;
			cu_full(cu, full, sizeof(full));
			if (path_ends(full, sc->spec)) {
				snprintf(sc->file, sizeof(sc->file), "%s", full);
				snprintf(sc->name, sizeof(sc->name), "%s",
					 cu->name);
				return 0;
			}
		}
	}
	snprintf(spec, sizeof(spec), "%s:%u", sc->spec,
		 sc->line ? sc->line : 1);
	if (tr_debuginfo_resolve(di, spec, &addr, 1, &n) == 0 && n &&
	    tr_debuginfo_describe(di, addr, &loc) == 0 && loc.file) {
		snprintf(sc->file, sizeof(sc->file), "%s", loc.file);
		name_file(di, sc);
		return 0;
	}
	return -TR_ENOENT;
}

/* A location's file and line; for a function, the line it starts on. */
static int
loc_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
       void *arg)
{
	struct src_ctx *sc = arg;
	uint64_t addr;
	size_t n = 0;
	struct tr_location loc;
	int err;

	(void)t;
	(void)u;
	if ((err = tr_debuginfo_resolve(di, sc->spec, &addr, 1, &n)))
		return err;
	if (!n || tr_debuginfo_describe(di, addr, &loc) || !loc.file)
		return -TR_ENOENT;
	/* gdb centres `list FUNCTION` on the line of its entry */
	if (sc->spec[0] != '*' && !strchr(sc->spec, ':') && loc.func_lo &&
	    loc.func_lo != addr) {
		struct tr_location entry;

		if (tr_debuginfo_describe(di, loc.func_lo, &entry) == 0 &&
		    entry.file && entry.line)
			loc = entry;
	}
	snprintf(sc->file, sizeof(sc->file), "%s", loc.file);
	if (loc.function)
		snprintf(sc->func, sizeof(sc->func), "%s", loc.function);
	sc->line = loc.line;
	name_file(di, sc);
	return 0;
}

struct lines_out {
	struct tr_jw *w;
	uint32_t first, last;
};

static int
line_fn(uint32_t n, const char *text, size_t len, void *arg)
{
	struct lines_out *o = arg;

	if (!o->first)
		o->first = n;
	o->last = n;
	tr_jw_str(o->w, text, len);
	return 0;
}

int
srv_m_source(struct srv_call *x)
{
	struct src_ctx sc = { 0 };
	const char *location = srv_param_str(x, "location", false);
	const char *file = srv_param_str(x, "file", false);
	uint64_t line = 0, from = 0, to = 0;
	uint32_t total = 0;
	struct lines_out o = { &x->w, 0, 0 };
	char path[4096];
	bool start = false;
	int err;

	if (x->replied || srv_param_bool(x, "start", &start) < 0)
		return 0;
	if (srv_param_u64(x, "line", false, &line) < 0 ||
	    srv_param_u64(x, "from", false, &from) < 0 ||
	    srv_param_u64(x, "to", false, &to) < 0)
		return 0;
	if (!location == !file)
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "give \"location\" or \"file\"");
	if (line > UINT32_MAX || from > UINT32_MAX || to > UINT32_MAX ||
	    (from && to && to < from))
		return srv_error(x, TR_RPC_INVALID_PARAMS,
				 "bad line range");
	if (location) {
		sc.spec = location;
		err = tr_session_run(x->ss->s, loc_fn, &sc);
		if (err == -TR_ENOENT)
			return srv_error(x, SRV_E_TARGET,
					 "Function \"%s\" not defined.",
					 location);
		if (err)
			return srv_lib_error(x, err, location);
		line = sc.line;
	} else {
		sc.spec = file;
		sc.line = (uint32_t)(line ? line : from);
		if (tr_session_run(x->ss->s, file_fn, &sc)) {
			if (file[0] != '/')
				return srv_error(x, SRV_E_TARGET,
						 "No source file named %s.",
						 file);
			snprintf(sc.file, sizeof(sc.file), "%s", file);
			snprintf(sc.name, sizeof(sc.name), "%s", file);
		}
	}
	/* gdb's ten lines: the line sixth among them, or first */
	if (!from)
		from = start && line ? line : line > 5 ? line - 5 : 1;
	if (!to)
		to = from + 9;
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "file");
	tr_jw_cstr(&x->w, sc.file);
	tr_jw_key(&x->w, "name");
	tr_jw_cstr(&x->w, sc.name);
	if (line) {
		tr_jw_key(&x->w, "line");
		tr_jw_uint(&x->w, line);
	}
	if (sc.func[0]) {
		tr_jw_key(&x->w, "function");
		tr_jw_cstr(&x->w, sc.func);
	}
	tr_jw_key(&x->w, "lines");
	tr_jw_arr_begin(&x->w);
	err = tr_source_read(x->ss->srcmap, sc.file, (uint32_t)from,
			     (uint32_t)to, line_fn, &o, &total, path,
			     sizeof(path));
	if (err == -TR_ENOENT)
		return srv_error(x, SRV_E_TARGET,
				 "%s: No such file or directory.", sc.name);
	if (err == -TR_ERANGE)
		return srv_error(x, SRV_E_TARGET,
				 "Line number %u out of range; %s has %u "
				 "lines.",
				 (unsigned)from, sc.name, total);
	if (err)
		return srv_lib_error(x, err, sc.file);
	tr_jw_arr_end(&x->w);
	tr_jw_key(&x->w, "from");
	tr_jw_uint(&x->w, o.first);
	tr_jw_key(&x->w, "to");
	tr_jw_uint(&x->w, o.last);
	tr_jw_key(&x->w, "total");
	tr_jw_uint(&x->w, total);
	tr_jw_key(&x->w, "path");
	tr_jw_cstr(&x->w, path);
	return tr_rpc_end(&x->w);
}

int
srv_m_substitute_path(struct srv_call *x)
{
	struct srv_sess *ss = x->ss;
	const char *from = srv_param_str(x, "from", false);
	const char *to = srv_param_str(x, "to", false);
	bool unset = false;
	int err = 0;

	if (x->replied || srv_param_bool(x, "unset", &unset) < 0)
		return 0;
	if (!ss->srcmap && !(ss->srcmap = tr_srcmap_new()))
		return srv_lib_error(x, -TR_ENOMEM, NULL);
	if (unset) {
		err = tr_srcmap_unset(ss->srcmap, from);
		if (err == -TR_ENOENT)
			return srv_error(x, SRV_E_TARGET,
					 "No substitution rule defined for "
					 "`%s'", from);
	} else if (from || to) {
		if (!from || !to || !*from)
			return srv_error(x, TR_RPC_INVALID_PARAMS,
					 "\"from\" and \"to\" go together");
		err = tr_srcmap_set(ss->srcmap, from, to);
	}
	if (err)
		return srv_lib_error(x, err, NULL);
	srv_begin(x);
	tr_jw_obj_begin(&x->w);
	tr_jw_key(&x->w, "rules");
	tr_jw_arr_begin(&x->w);
	for (size_t i = 0; i < tr_srcmap_count(ss->srcmap); i++) {
		const char *f, *t;

		tr_srcmap_rule(ss->srcmap, i, &f, &t);
		tr_jw_obj_begin(&x->w);
		tr_jw_key(&x->w, "from");
		tr_jw_cstr(&x->w, f);
		tr_jw_key(&x->w, "to");
		tr_jw_cstr(&x->w, t);
		tr_jw_obj_end(&x->w);
	}
	tr_jw_arr_end(&x->w);
	return tr_rpc_end(&x->w);
}
