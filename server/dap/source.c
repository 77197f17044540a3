/* source.c: source paths as DAP clients use them (absolute), against the DWARF's (relative to the unit's compilation directory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dap/source.h"
#include "symbols/dwarf_index.h"

/* Remove "." and ".." components and doubled slashes of an absolute
 * path, in place. */
void
dap_src_normalize(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		size_t n;

		while (*in == '/')
			in++;
		n = strcspn(in, "/");
		if (n == 1 && in[0] == '.') {
			in += n;
			continue;
		}
		if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
			in += n;
			continue;
		}
		if (!n)
			break;
		*out++ = '/';
		memmove(out, in, n);
		out += n;
		in += n;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

void
dap_src_abs(struct tr_debuginfo *di, uint64_t pc, const char *file, char *out,
	    size_t len)
{
	struct tr_location loc;
	const char *dir = NULL;

	if (file[0] != '/' && tr_debuginfo_describe(di, pc, &loc) == 0 &&
	    loc.dwarf && loc.dwfunc) {
		const struct tr_dw_cu *cu = tr_dwarf_cu(loc.dwarf,
							loc.dwfunc->cu);

		dir = cu ? cu->comp_dir : NULL;
	}
	if (dir && dir[0] == '/')
		snprintf(out, len, "%s/%s", dir, file);
	else
		snprintf(out, len, "%s", file);
	if (out[0] == '/')
		dap_src_normalize(out);
}

struct spec_try {
	const char *path;
	uint32_t line;
	char *spec;
	size_t len;
};

static int
spec_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	void *arg)
{
	struct spec_try *st = arg;
	const char *tail = st->path, *last = strrchr(st->path, '/');

	last = last ? last + 1 : st->path;
	while (tail) {
		uint64_t a[4];
		size_t n;

		snprintf(st->spec, st->len, "%s:%u", tail, st->line);
		if (tr_debuginfo_resolve(di, st->spec, a, 4, &n) == 0 && n)
			return 0;
		/* the next tail: drop the first component */
		if (tail == last)
			break;
		tail = strchr(tail + (*tail == '/'), '/');
		if (tail)
			tail++;
	}
	snprintf(st->spec, st->len, "%s:%u", last, st->line);
	return 0;
}

void
dap_src_spec(struct dap *d, const char *path, uint32_t line, char *spec,
	     size_t len)
{
	struct spec_try st = { path, line, spec, len };

	snprintf(spec, len, "%s:%u", path, line);
	tr_session_run(d->s, spec_fn, &st);
}
