/* disasm.c: the DAP disassemble request: instructionCount instructions around memoryReference + offset, instructionOffset of them before it (found by decoding forward from the function's start, or from the point where decoding falls in step), as symbols/disasm.c writes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "dap/disasm.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/source.h"
#include "symbols/debuginfo.h"
#include "symbols/disasm.h"
#include "symbols/symtab.h"
#include "target/tracer.h"

#define COUNT_MAX 100000
#define BACK_MAX (64u << 10) /* decode at most this far from a function's
				start to find the instructions before */
#define INSN_MAX 15

struct dis_row {
	uint64_t addr;
	bool valid;
	unsigned len;
	uint8_t bytes[INSN_MAX];
	char text[192];
	char symbol[160];
	char file[512];
	uint32_t line;
};

struct dis_ctx {
	uint64_t base;
	int64_t first;        /* instructionOffset */
	size_t count;         /* instructionCount */
	bool symbols;         /* resolveSymbols */
	struct dis_row *rows; /* count of them */
	struct tr_debuginfo *di;
};

/* Instruction starts in [from, to) decoding from `from`; *n of them
 * into starts (up to max, keeping the last ones); true when decoding
 * lands exactly on `to`. */
static bool
starts_before(struct tr_tracer *t, struct tr_disasm *dz, uint64_t from,
	      uint64_t to, uint64_t *starts, size_t max, size_t *n)
{
	size_t len = (size_t)(to - from), done = 0, pos = 0, k = 0;
	uint8_t *buf = malloc(len + INSN_MAX);
	bool ok;

	*n = 0;
	if (!buf)
		return false;
	tr_mem_read(t, from, buf, len + INSN_MAX, &done);
	while (pos < len && pos < done) {
		unsigned l = tr_disasm_length(dz, buf + pos, done - pos,
					      from + pos);

		if (!l)
			l = 1; /* "(bad)" as the forward listing shows it */
		starts[k++ % max] = from + pos;
		pos += l;
	}
	ok = pos == len;
	free(buf);
	/* the last min(k, max) starts, in order, at the front */
	if (k > max) {
		uint64_t *tmp = malloc(max * sizeof(*tmp));

		if (!tmp)
			return false;
		for (size_t i = 0; i < max; i++)
			tmp[i] = starts[(k + i) % max];
		memcpy(starts, tmp, max * sizeof(*tmp));
		free(tmp);
		k = max;
	}
	*n = k;
	return ok;
}

/* Where to begin so that -first instructions come before base. */
static uint64_t
back_start(struct tr_tracer *t, struct tr_disasm *dz, struct dis_ctx *c,
	   size_t *before)
{
	size_t want = (size_t)-c->first, n = 0;
	uint64_t *starts = calloc(want, sizeof(*starts));
	struct tr_sym s;
	uint64_t off, from;

	*before = 0;
	if (!starts)
		return c->base;
	/* from the function's start when base is near it: exact */
	if (c->base && tr_symtab_addr(tr_debuginfo_symtab(c->di), c->base - 1,
				      &s, &off) == 0 &&
	    s.addr < c->base && c->base - s.addr <= BACK_MAX &&
	    starts_before(t, dz, s.addr, c->base, starts, want, &n) &&
	    n == want) {
		*before = n;
		from = starts[0];
		free(starts);
		return from;
	}
	/* else: x86 decoding falls in step within a few instructions; the
	 * first of 16 starting points that lands on base wins */
	from = c->base > want * INSN_MAX + 32 ? c->base - want * INSN_MAX - 32
					      : 0;
	for (unsigned i = 0; i < 16; i++)
		if (starts_before(t, dz, from + i, c->base, starts, want, &n) &&
		    n) {
			*before = n;
			from = starts[0];
			free(starts);
			return from;
		}
	free(starts);
	return c->base;
}

static void
describe(struct dis_ctx *c, struct dis_row *r)
{
	struct tr_location loc;

	if (tr_debuginfo_describe(c->di, r->addr, &loc))
		return;
	if (c->symbols && loc.function) {
		if (loc.offset)
			snprintf(r->symbol, sizeof(r->symbol), "%s+%llu",
				 loc.function, (unsigned long long)loc.offset);
		else
			snprintf(r->symbol, sizeof(r->symbol), "%s",
				 loc.function);
	}
	if (loc.file && loc.line) {
		/* absolute and resolved, as stackTrace gives it */
		dap_src_abs(c->di, r->addr, loc.file, r->file,
			    sizeof(r->file));
		r->line = loc.line;
	}
}

static int
dis_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
       void *arg)
{
	struct dis_ctx *c = arg;
	struct tr_disasm *dz;
	size_t before = 0, skip = 0, i = 0, pad = 0, done = 0, pos = 0, len;
	uint64_t start;
	uint8_t *buf;
	int err;

	(void)u;
	c->di = di;
	if ((err = tr_disasm_new(&dz)))
		return err;
	if (c->first < 0) {
		start = back_start(t, dz, c, &before);
		/* too few found before base: invalid rows first */
		pad = (size_t)-c->first - before;
	} else {
		start = c->base;
		skip = (size_t)c->first;
	}
	for (; i < pad && i < c->count; i++) {
		c->rows[i].addr = start - (pad - i);
		c->rows[i].valid = false;
	}
	len = (skip + c->count - i) * INSN_MAX;
	if (!(buf = malloc(len))) {
		tr_disasm_free(dz);
		return -TR_ENOMEM;
	}
	tr_mem_read(t, start, buf, len, &done);
	while (i < c->count) {
		struct dis_row *r = &c->rows[i];
		struct tr_dis_insn in;

		if (pos >= done) {
			/* memory that cannot be read: one byte a row */
			r->addr = start + pos++;
			r->valid = false;
			i++;
			continue;
		}
		tr_disasm_one(dz, buf + pos, done - pos, start + pos,
			      c->symbols ? tr_debuginfo_insn_symbol : NULL, di, &in);
		if (skip) {
			skip--;
			pos += in.len;
			continue;
		}
		r->addr = in.addr;
		r->valid = true;
		r->len = in.len;
		memcpy(r->bytes, buf + pos, in.len);
		snprintf(r->text, sizeof(r->text), "%s", in.text);
		describe(c, r);
		pos += in.len;
		i++;
	}
	free(buf);
	tr_disasm_free(dz);
	return 0;
}

int
dap_r_disassemble(struct dap *d, const struct dap_req *q)
{
	const char *ref = dap_arg_str(q, "memoryReference");
	int64_t off = dap_arg_int(q, "offset", 0);
	int64_t first = dap_arg_int(q, "instructionOffset", 0);
	int64_t count = dap_arg_int(q, "instructionCount", -1);
	struct dis_ctx c = { .first = first };
	struct tr_buf b;
	struct tr_jw w;
	char *end;
	int rc, err;

	if (!ref || !*ref)
		return dap_fail(d, q, "disassemble: \"memoryReference\" (an "
				"address) is required");
	c.base = strtoull(ref, &end, 0) + (uint64_t)off;
	if (*end)
		return dap_fail(d, q, "disassemble: memoryReference \"%s\" is "
				"not an address", ref);
	if (count < 0 || count > COUNT_MAX)
		return dap_fail(d, q, "disassemble: \"instructionCount\" must "
				"be 0 to %d", COUNT_MAX);
	if (first < -COUNT_MAX || first > COUNT_MAX)
		return dap_fail(d, q, "disassemble: \"instructionOffset\" "
				"must be -%d to %d", COUNT_MAX, COUNT_MAX);
	c.count = (size_t)count;
	c.symbols = dap_arg_bool(q, "resolveSymbols", true);
	if (!dap_stopped(d, q, &rc))
		return rc;
	if (!(c.rows = calloc(c.count ? c.count : 1, sizeof(*c.rows))))
		return dap_fail(d, q, "out of memory");
	if (!dap_lock(d, q, &rc)) {
		free(c.rows);
		return rc;
	}
	err = c.count ? tr_session_run(d->s, dis_fn, &c) : 0;
	dap_unlock(d);
	if (err) {
		free(c.rows);
		return dap_fail(d, q, "disassemble: %s", tr_strerror(err));
	}
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "instructions");
	tr_jw_arr_begin(&w);
	for (size_t i = 0; i < c.count; i++) {
		const struct dis_row *r = &c.rows[i];
		char at[32], hex[INSN_MAX * 3 + 1] = "";

		snprintf(at, sizeof(at), "0x%llx", (unsigned long long)r->addr);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "address");
		tr_jw_cstr(&w, at);
		if (!r->valid) {
			tr_jw_key(&w, "instruction");
			tr_jw_cstr(&w, "??");
			tr_jw_key(&w, "presentationHint");
			tr_jw_cstr(&w, "invalid");
			tr_jw_obj_end(&w);
			continue;
		}
		/* "55 48 89 e5" */
		for (unsigned k = 0; k < r->len; k++)
			snprintf(hex + (k ? 3 * k - 1 : 0),
				 sizeof(hex) - (k ? 3 * k - 1 : 0),
				 k ? " %02x" : "%02x", r->bytes[k]);
		tr_jw_key(&w, "instructionBytes");
		tr_jw_cstr(&w, hex);
		tr_jw_key(&w, "instruction");
		tr_jw_cstr(&w, r->text);
		if (r->symbol[0]) {
			tr_jw_key(&w, "symbol");
			tr_jw_cstr(&w, r->symbol);
		}
		if (r->file[0]) {
			const char *base = strrchr(r->file, '/');

			tr_jw_key(&w, "location");
			tr_jw_obj_begin(&w);
			tr_jw_key(&w, "name");
			tr_jw_cstr(&w, base ? base + 1 : r->file);
			tr_jw_key(&w, "path");
			tr_jw_cstr(&w, r->file);
			tr_jw_obj_end(&w);
			tr_jw_key(&w, "line");
			tr_jw_uint(&w, r->line);
		}
		tr_jw_obj_end(&w);
	}
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	free(c.rows);
	return rc;
}
