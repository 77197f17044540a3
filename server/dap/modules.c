/* modules.c: the program's modules and sources as DAP shows them (modules, loadedSources, source), module events, and breakpoint events for pending breakpoints verified when their library loads. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "core/sess.h"
#include "dap/breakpoints.h"
#include "dap/modules.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/source.h"
#include "symbols/dwarf_index.h"
#include "symbols/symtab.h"

#define MAX_MODULES 512

/* One module as DAP's Module: its id is its path. */
struct mod {
	char path[512];
	char name[128];
	uint64_t lo, hi;
	bool dwarf;
};

static void
write_module(struct tr_jw *w, const struct mod *m)
{
	char range[64];

	tr_jw_obj_begin(w);
	tr_jw_key(w, "id");
	tr_jw_cstr(w, m->path);
	tr_jw_key(w, "name");
	tr_jw_cstr(w, m->name);
	tr_jw_key(w, "path");
	tr_jw_cstr(w, m->path);
	tr_jw_key(w, "symbolStatus");
	tr_jw_cstr(w, m->dwarf ? "Symbols loaded." : "No debug information.");
	snprintf(range, sizeof(range), "0x%llx-0x%llx",
		 (unsigned long long)m->lo, (unsigned long long)m->hi);
	tr_jw_key(w, "addressRange");
	tr_jw_cstr(w, range);
	tr_jw_obj_end(w);
}

struct mod_list {
	struct mod *m;
	size_t n;
	bool dwarf;    /* look up whether each has DWARF (modules) */
};

static int
list_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	void *arg)
{
	struct mod_list *l = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	size_t n = tr_symtab_nmodules(st);

	for (size_t i = 0; i < n && l->n < MAX_MODULES; i++) {
		const struct tr_module *m = tr_symtab_module(st, i);
		struct mod *o = &l->m[l->n++];

		snprintf(o->path, sizeof(o->path), "%s", m->path);
		snprintf(o->name, sizeof(o->name), "%s", m->name);
		o->lo = m->lo;
		o->hi = m->hi;
		/* opening a module's DWARF is not for every stop */
		o->dwarf = l->dwarf && tr_debuginfo_dwarf(di, m) != NULL;
	}
	return 0;
}

static int
list(struct dap *d, struct mod_list *l)
{
	free(l->m);
	l->n = 0;
	if (!(l->m = calloc(MAX_MODULES, sizeof(*l->m))))
		return -TR_ENOMEM;
	return tr_session_run(d->s, list_fn, l);
}

int
dap_r_modules(struct dap *d, const struct dap_req *q)
{
	int64_t start = dap_arg_int(q, "startModule", 0);
	int64_t count = dap_arg_int(q, "moduleCount", 0);
	struct mod_list l = { 0 };
	struct tr_buf b;
	struct tr_jw w;
	int rc, err;

	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc))
		return rc;
	l.dwarf = true;
	err = list(d, &l);
	dap_unlock(d);
	if (err) {
		free(l.m);
		return dap_fail(d, q, "modules: %s", tr_strerror(err));
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "modules");
	tr_jw_arr_begin(&w);
	for (size_t i = start > 0 ? (size_t)start : 0;
	     i < l.n && (count <= 0 || i < (size_t)(start + count)); i++)
		write_module(&w, &l.m[i]);
	tr_jw_arr_end(&w);
	tr_jw_key(&w, "totalModules");
	tr_jw_uint(&w, l.n);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	free(l.m);
	return rc;
}

/* --- loadedSources --------------------------------------------------- */

struct sources {
	struct tr_jw *w;
	char **seen;
	size_t n, cap;
};

static bool
seen(struct sources *s, const char *path)
{
	char **n;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->seen[i], path))
			return true;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		if (!(n = realloc(s->seen, cap * sizeof(*n))))
			return true;
		s->seen = n;
		s->cap = cap;
	}
	s->seen[s->n] = strdup(path);
	if (s->seen[s->n])
		s->n++;
	return false;
}

/* The primary source file of every unit with DWARF, absolute. */
static int
sources_fn(struct tr_tracer *t, struct tr_debuginfo *di,
	   struct tr_unwinder *u, void *arg)
{
	struct sources *s = arg;
	struct tr_symtab *st = tr_debuginfo_symtab(di);
	size_t n = tr_symtab_nmodules(st);

	for (size_t i = 0; i < n; i++) {
		const struct tr_module *m = tr_symtab_module(st, i);
		struct tr_dwarf *dw = tr_debuginfo_dwarf(di, m);

		for (size_t k = 0; dw && k < tr_dwarf_ncus(dw); k++) {
			const struct tr_dw_cu *cu = tr_dwarf_cu(dw, k);
			char path[1024];
			const char *base;

			if (!cu || !cu->name)
				continue;
			if (cu->name[0] == '/' || !cu->comp_dir)
				snprintf(path, sizeof(path), "%s", cu->name);
			else
				snprintf(path, sizeof(path), "%s/%s",
					 cu->comp_dir, cu->name);
			dap_src_normalize(path);
			if (seen(s, path))
				continue;
			base = strrchr(path, '/');
			tr_jw_obj_begin(s->w);
			tr_jw_key(s->w, "name");
			tr_jw_cstr(s->w, base ? base + 1 : path);
			tr_jw_key(s->w, "path");
			tr_jw_cstr(s->w, path);
			tr_jw_obj_end(s->w);
		}
	}
	return 0;
}

int
dap_r_loadedSources(struct dap *d, const struct dap_req *q)
{
	struct sources s = { 0 };
	struct tr_buf b;
	struct tr_jw w;
	int rc, err;

	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc))
		return rc;
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "sources");
	tr_jw_arr_begin(&w);
	s.w = &w;
	err = tr_session_run(d->s, sources_fn, &s);
	dap_unlock(d);
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	for (size_t i = 0; i < s.n; i++)
		free(s.seen[i]);
	free(s.seen);
	if (err) {
		tr_buf_free(&b);
		return dap_fail(d, q, "loadedSources: %s", tr_strerror(err));
	}
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

/* --- source ------------------------------------------------------------ */

/* The content of a source by its path (every source we name has one: we
 * give no sourceReference). */
int
dap_r_source(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *src = dap_arg(q, "source");
	const char *path = tr_json_str(tr_json_get(src, "path"), NULL);
	struct stat st;
	char *text = NULL;
	struct tr_buf b;
	struct tr_jw w;
	ssize_t k = 0;
	int fd, rc;

	if (!path)
		return dap_fail(d, q, "source: no such sourceReference (every "
				"source has a path)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > (16 << 20) ||
	    !(text = malloc((size_t)st.st_size + 1)) ||
	    (k = read(fd, text, (size_t)st.st_size)) < 0) {
		if (fd >= 0)
			close(fd);
		free(text);
		return dap_fail(d, q, "source: cannot read %s", path);
	}
	close(fd);
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "content");
	tr_jw_str(&w, text, (size_t)k);
	tr_jw_key(&w, "mimeType");
	tr_jw_cstr(&w, "text/x-c");
	tr_jw_obj_end(&w);
	free(text);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

/* --- events ------------------------------------------------------------ */

static bool
has(const struct mod *list, size_t n, const struct mod *m)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].lo == m->lo && !strcmp(list[i].path, m->path))
			return true;
	return false;
}

void
dap_modules_changed(struct dap *d)
{
	struct mod_list l = { 0 };
	struct mod *old = d->mods;
	size_t nold = d->nmods;
	bool changed = false;

	if (list(d, &l)) {
		free(l.m);
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct mod *a = pass ? old : l.m, *bl = pass ? l.m : old;
		size_t na = pass ? nold : l.n, nb = pass ? l.n : nold;

		for (size_t i = 0; i < na; i++) {
			struct tr_buf b;
			struct tr_jw w;

			if (has(bl, nb, &a[i]))
				continue;
			changed = true;
			tr_buf_init(&b);
			dap_event_begin(d, &w, &b, "module");
			tr_jw_obj_begin(&w);
			tr_jw_key(&w, "reason");
			tr_jw_cstr(&w, pass ? "removed" : "new");
			tr_jw_key(&w, "module");
			write_module(&w, &a[i]);
			tr_jw_obj_end(&w);
			dap_send(d, &w, &b);
			tr_buf_free(&b);
		}
	}
	free(old);
	d->mods = l.m;
	d->nmods = l.n;
	if (changed)
		dap_bps_verify(d);
}

void
dap_modules_free(struct dap *d)
{
	free(d->mods);
	d->mods = NULL;
	d->nmods = 0;
}
