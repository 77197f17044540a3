/* dwarf_lines.c: line tables of one file, decoded per unit on first use: pc to line, line to pcs, breakpoint addresses. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/leb128.h"
#include "base/log.h"
#include "symbols/dwarf_int.h"
#include "symbols/scope.h"

struct cu_lines {
	bool loaded;
	bool failed;
	struct tr_dw_line *rows;
	size_t nrows;
	char **files; /* dwarf_linesrc strings, by file number */
	size_t nfiles;
};

/* The line tables of a file, one per unit, decoded on first use: a cache
 * slot of the index (TR__SLOT_LINES), freed with the others while the
 * libdwarf handle still stands (tr_dwarf_close drops the caches first). */
struct lcache {
	Dwarf_Debug dbg;
	size_t n;
	struct cu_lines *cus;
};

static void
lines_free(Dwarf_Debug dbg, struct cu_lines *l)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i])
			dwarf_dealloc(dbg, l->files[i], DW_DLA_STRING);
	free(l->files);
	free(l->rows);
}

static void
lcache_free(void *p)
{
	struct lcache *c = p;

	for (size_t i = 0; i < c->n; i++)
		lines_free(c->dbg, &c->cus[i]);
	free(c->cus);
	free(c);
}


/*
 * A DWARF 5 unit whose compilation directory is relative (glibc's
 * "./posix") names it again as directory 0, and libdwarf 20210528 joins
 * both: "./posix/./posix/waitpid.c". gdb says "./posix/waitpid.c": the
 * repeated directory is dropped, in place.
 */
static void
undouble(char *s)
{
	size_t n = strlen(s);

	/* only a directory relative to "." as compiled (glibc's ./posix):
	 * a real a/a/ of other paths stays */
	if (s[0] != '.' || s[1] != '/')
		return;
	for (size_t k = 1; 2 * k + 1 < n; k++) {
		if (s[k] != '/')
			continue;
		/* s = P "/" P "/" rest, with P = s[0..k) */
		if (!strncmp(s, s + k + 1, k) && s[2 * k + 1] == '/') {
			memmove(s + k + 1, s + 2 * k + 2, n - (2 * k + 2) + 1);
			return;
		}
	}
}

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
	if (!l->files[fno] && DWOK(dwarf_linesrc(ln, &s, &err))) {
		undouble(s);
		l->files[fno] = s;
	}
	return l->files[fno];
}

static struct cu_lines *
cu_lines_get(struct tr_dwarf *d, size_t cu)
{
	struct lcache *c = tr__dwarf_slot(d, TR__SLOT_LINES, sizeof(*c),
					  lcache_free);
	struct cu_lines *l;
	Dwarf_Error err = NULL;
	Dwarf_Die cu_die;
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed count = 0;
	Dwarf_Unsigned version;
	Dwarf_Small tables;

	if (!c || cu >= d->ncus)
		return NULL;
	if (!c->cus) {
		c->cus = calloc(d->ncus, sizeof(*c->cus));
		if (!c->cus)
			return NULL;
		c->n = d->ncus;
		c->dbg = d->dbg;
	}
	l = &c->cus[cu];
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
		const struct tr_dw_line *prev = NULL;
		bool disc_line = false;

		l->rows = calloc((size_t)count, sizeof(*l->rows));
		for (Dwarf_Signed i = 0; l->rows && i < count; i++) {
			struct tr_dw_line *r = &l->rows[l->nrows];
			Dwarf_Addr a = 0;
			Dwarf_Unsigned no = 0, col = 0, isa, disc = 0;
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
			/* gdb 13 (dwarf_record_line_p, PR 17276) keeps no
			 * second row of the line it is in once that line had
			 * a discriminator: a loop's line is one range, and a
			 * return address inside it is mid-line ("0x... in") */
			if (prev && !r->end_sequence && r->line == prev->line &&
			    r->file == prev->file) {
				disc_line |= disc != 0;
				if (disc_line) {
					memset(r, 0, sizeof(*r));
					continue;
				}
			} else {
				disc_line = disc != 0;
			}
			prev = r->end_sequence ? NULL : r;
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
 * `file` per block: per inlined call, else per function (gdb 13's
 * create_sals_line_offset keeps one address per innermost block, so a
 * line of a function inlined twice has two locations; lexical blocks,
 * which gdb counts too, are not told apart here). */
static size_t
collect_line(struct tr_dwarf *d, const char *file, uint32_t line,
	     bool only_named_cu, uint64_t *addrs, size_t max,
	     uint32_t *next_line)
{
	size_t n = 0;
	uint64_t key_of[64];

	for (size_t cu = 0; cu < d->ncus; cu++) {
		struct cu_lines *l;

		if (only_named_cu && !tr__path_matches(d->cus[cu].name, file))
			continue;
		l = cu_lines_get(d, cu);
		if (!l)
			continue;
		for (size_t i = 0; i < l->nrows; i++) {
			const struct tr_dw_line *r = &l->rows[i];
			const struct tr_dw_entry *f;
			uint64_t key;
			size_t k;

			if (r->end_sequence || !r->is_stmt ||
			    !tr__path_matches(r->file, file))
				continue;
			if (r->line > line && r->line < *next_line)
				*next_line = r->line;
			if (r->line != line)
				continue;
			f = tr_dwarf_func_at(d, r->addr);
			key = f ? f->die << 1 : 0;
			if (f) {
				struct tr_inline in[1];
				size_t ni = 0;

				/* the innermost inlined call's DIE stands
				 * for its block */
				if (tr_scope_inlines(d, r->addr, in, 1, &ni) ==
					    0 && ni)
					key = (in[0].die << 1) | 1;
			}
			for (k = 0; k < n && k < 64; k++)
				if (key_of[k] == key)
					break;
			if (k < n && k < 64) {
				if (r->addr < addrs[k])
					addrs[k] = r->addr;
				continue;
			}
			if (n < max && n < 64) {
				addrs[n] = r->addr;
				key_of[n] = key;
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
