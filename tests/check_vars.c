/* check_vars.c: types, location expressions and variables in scope, on vars.c stopped under ptrace at -O0 and -O2. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/breakpoint.h"
#include "symbols/debuginfo.h"
#include "symbols/dwarf_type.h"
#include "helpers.h"
#include "symbols/loc_expr.h"
#include "symbols/scope.h"
#include "target/tracer.h"
#include "symbols/unwind.h"

#ifndef TRACEE_DIR
#error TRACEE_DIR must name the directory of the tracee programs
#endif
#ifndef TRACEE_SRC_DIR
#error TRACEE_SRC_DIR must name the directory of the tracee sources
#endif

/*
 * The program prints every value the tests read back ("val NAME VALUE"),
 * after the lines where they stop. So a stop takes a snapshot of the bytes
 * of every variable in scope, the program runs to its end, and then the
 * snapshot is compared with what it printed: exact at -O0; at -O2 each
 * value must be either right or reported optimized out, never wrong.
 */

static const struct variant {
	const char *name;
	bool optimized;
} variants[] = {
	{ "vars-O0", false },
	{ "vars-O2", true },
};

/* DWARF constants the hand-made expressions use (tests do not include
 * libdwarf). */
enum {
	OP_addr = 0x03, OP_deref = 0x06, OP_const1u = 0x08, OP_const1s = 0x09,
	OP_const2s = 0x0b, OP_const8u = 0x0e, OP_constu = 0x10,
	OP_consts = 0x11, OP_dup = 0x12, OP_drop = 0x13, OP_over = 0x14,
	OP_pick = 0x15, OP_swap = 0x16, OP_rot = 0x17, OP_abs = 0x19,
	OP_and = 0x1a, OP_div = 0x1b, OP_minus = 0x1c, OP_mod = 0x1d,
	OP_mul = 0x1e, OP_neg = 0x1f, OP_not = 0x20, OP_or = 0x21,
	OP_plus = 0x22, OP_plus_uconst = 0x23, OP_shl = 0x24, OP_shr = 0x25,
	OP_shra = 0x26, OP_xor = 0x27, OP_bra = 0x28, OP_eq = 0x29,
	OP_gt = 0x2b, OP_lt = 0x2d, OP_ne = 0x2e, OP_skip = 0x2f,
	OP_lit0 = 0x30, OP_reg0 = 0x50, OP_breg0 = 0x70, OP_regx = 0x90,
	OP_fbreg = 0x91, OP_bregx = 0x92, OP_piece = 0x93,
	OP_deref_size = 0x94, OP_nop = 0x96, OP_form_tls_address = 0x9b,
	OP_call_frame_cfa = 0x9c, OP_bit_piece = 0x9d,
	OP_implicit_value = 0x9e, OP_stack_value = 0x9f,
	OP_entry_value = 0xa3, OP_const_type = 0xa4, OP_regval_type = 0xa5,
	OP_convert = 0xa8, OP_reinterpret = 0xa9,
	AT_location = 0x02, AT_frame_base = 0x40,
};

/* ---- sessions ---------------------------------------------------------- */

static unsigned
marker_line(const char *name)
{
	return tracee_marker_line("vars.c", name);
}

struct session {
	struct tr_tracer *t;
	struct tr_debuginfo *di;
	pid_t pid;
	int out;              /* read end of the program's stdout */
	struct tr_dwarf *dw;  /* the program's DWARF */
	uint64_t bias;
	uint64_t entry;       /* where "break inspect" goes */
	bool entry_is_lowpc;  /* frameless (-O2): at the very entry */
	uint64_t cfa;         /* inspect's CFA, from its entry stop */
	struct tr_loc_regs regs;
	char text[16384];     /* what the program printed */
};

static void
start(struct session *s, const char *prog)
{
	char path[512];
	char *argv[2] = { path, NULL };
	int fds[2];
	struct tr_launch l = { .stdin_fd = -1, .stderr_fd = -1 };
	struct tr_location loc;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", TRACEE_DIR, prog);
	ck_assert_int_eq(pipe(fds), 0);
	l.path = path;
	l.argv = argv;
	l.stdout_fd = fds[1];
	ck_assert_int_eq(tr_tracer_new(NULL, &s->t), 0);
	ck_assert_int_eq(tr_launch(s->t, &l, &s->pid), 0);
	close(fds[1]);
	s->out = fds[0];
	ck_assert_int_eq(tr_debuginfo_new(s->pid, &s->di), 0);
	ck_assert_int_eq(tr_debuginfo_resolve(s->di, "inspect", &s->entry, 1,
					      &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(tr_debuginfo_describe(s->di, s->entry, &loc), 0);
	ck_assert_ptr_nonnull(loc.dwarf);
	s->dw = loc.dwarf;
	s->bias = loc.module->bias;
	s->entry_is_lowpc = loc.offset == 0;
}

static void
stop(struct session *s)
{
	/* tr_dwarf_close() will drop the caches once it is wired to; doing
	 * it here too is harmless and keeps runs with CK_FORK=no clean. */
	tr_dwarf_type_cache_drop(s->dw);
	tr_debuginfo_free(s->di);
	tr_tracer_free(s->t);
	close(s->out);
}

static uint64_t
break_at(struct session *s, const char *spec)
{
	uint64_t a[4];
	size_t n = 0;
	uint32_t id;
	int err = tr_debuginfo_resolve(s->di, spec, a, 4, &n);

	ck_assert_msg(err == 0 && n == 1, "resolve %s: %s, %zu", spec,
		      tr_strerror(err), n);
	ck_assert_int_eq(tr_break_set(s->t, a, 1, NULL, &id), 0);
	return a[0];
}

static uint64_t
break_marker(struct session *s, const char *marker)
{
	char spec[64];

	snprintf(spec, sizeof(spec), "vars.c:%u", marker_line(marker));
	return break_at(s, spec);
}

/* Continue to the next breakpoint; false once the program has exited. */
static bool
cont(struct session *s, uint64_t *pc)
{
	struct tr_event ev;

	ck_assert_int_eq(tr_cont(s->t, 0, 0, &ev), 0);
	if (ev.type == TR_EV_EXIT) {
		ck_assert_int_eq(ev.status, 0);
		return false;
	}
	ck_assert_msg(ev.type == TR_EV_STOP && ev.reason == TR_STOP_BREAKPOINT,
		      "expected a breakpoint, got %s/%s",
		      tr_event_type_name(ev.type),
		      tr_stop_reason_name(ev.reason));
	*pc = ev.pc;
	ck_assert_int_eq(tr_regs_get(s->t, 0, &s->regs.gp), 0);
	ck_assert_int_eq(tr_fpregs_get(s->t, 0, &s->regs.fp), 0);
	s->regs.has_fp = true;
	if (ev.pc == s->entry) {
		/* -O0 stops past "push %rbp; mov %rsp,%rbp"; -O2 at the
		 * entry, where the return address is on top. The CFA is
		 * the same for the whole call. */
		s->cfa = s->entry_is_lowpc ? s->regs.gp.rsp + 8 :
					     s->regs.gp.rbp + 16;
	}
	return true;
}

/* Keep what the program printed, once it has exited. */
static void
drain(struct session *s)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < sizeof(s->text) &&
	       (n = read(s->out, s->text + got, sizeof(s->text) - got - 1)) > 0)
		got += (size_t)n;
	s->text[got] = 0;
}

/* Continue until the program ends, and keep what it printed. */
static void
finish(struct session *s)
{
	uint64_t pc;

	while (cont(s, &pc))
		;
	drain(s);
}

/* The value a line "KEY... VALUE" of the output gives to `key`. */
static const char *
printed(const struct session *s, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = s->text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			size_t vl = ll - kl - 1;

			ck_assert_uint_lt(vl, len);
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = 0;
			return buf;
		}
		p += ll + (nl != NULL);
	}
	ck_abort_msg("the program did not print \"%s\"", key);
	return NULL;
}

static long long
printed_int(const struct session *s, const char *key)
{
	char buf[64];

	return strtoll(printed(s, key, buf, sizeof(buf)), NULL, 0);
}

static int
mem_cb(void *arg, uint64_t addr, void *buf, size_t len)
{
	return tr_mem_read(((struct session *)arg)->t, addr, buf, len, NULL);
}

static int
reg_cb(void *arg, unsigned regno, void *buf, size_t len)
{
	return tr_loc_regs_read(&((struct session *)arg)->regs, regno, buf,
				len);
}

static struct tr_loc_frame
frame(struct session *s, uint64_t pc)
{
	struct tr_loc_frame f = {
		.pc = pc,
		.bias = s->bias,
		.cfa = s->cfa,
		.has_cfa = s->cfa != 0,
		.innermost = true,
		.reg = reg_cb,
		.reg_arg = s,
		.mem = mem_cb,
		.mem_arg = s,
	};

	return f;
}

static struct tr_scope *
scope(struct session *s, uint64_t pc)
{
	struct tr_scope *sc;
	int err = tr_scope_at(s->dw, pc - s->bias, &sc);

	ck_assert_msg(err == 0, "scope at %#lx: %s", (unsigned long)pc,
		      tr_strerror(err));
	return sc;
}

static const struct tr_var *
var(const struct tr_scope *sc, const char *name)
{
	static struct tr_var v;

	ck_assert_msg(tr_scope_lookup(sc, name, &v) == 0, "no variable %s",
		      name);
	return &v;
}

static void
type_is(const struct tr_type *t, const char *want)
{
	char buf[128];

	ck_assert_int_eq(tr_type_name(t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
}

/* ---- snapshots: the bytes of every variable in scope at a stop --------- */

struct snap {
	char name[32];
	enum tr_var_kind kind;
	const struct tr_type *type;
	uint8_t bytes[256], avail[256];
	size_t len;
};

struct stopsnap {
	uint64_t pc;
	bool inlined; /* in code inlined from another function */
	struct snap v[64];
	size_t n;
};

static void
take_in(struct tr_scope *sc, const struct tr_loc_frame *fr,
	struct stopsnap *ss)
{
	const struct tr_loc_frame f = *fr;

	ss->pc = f.pc;
	ss->n = 0;
	ss->inlined = sc->inline_die != 0;
	for (size_t i = 0; i < sc->nvars && ss->n < 64; i++) {
		const struct tr_var *v = &sc->vars[i];
		struct snap *p = &ss->v[ss->n];
		int err;

		if (v->shadowed)
			continue;
		ck_assert_uint_lt(strlen(v->name), sizeof(p->name));
		strcpy(p->name, v->name);
		p->kind = v->kind;
		p->type = v->type;
		p->len = v->type->size;
		ck_assert_uint_le(p->len, sizeof(p->bytes));
		err = tr_scope_var_read(sc, v, &f, p->bytes, p->len, p->avail);
		/* Optimized out is an answer; an error is not. */
		ck_assert_msg(err == 0 || err == -TR_ENOENT, "%s: %s", v->name,
			      tr_strerror(err));
		ss->n++;
	}
}

static void
take(struct session *s, uint64_t pc, struct stopsnap *ss)
{
	struct tr_scope *sc = scope(s, pc);
	struct tr_loc_frame f = frame(s, pc);

	take_in(sc, &f, ss);
	tr_scope_free(sc);
}

static void
fmt_scalar(const struct tr_type *t, const uint8_t *p, char *out, size_t len)
{
	const struct tr_type *st = tr_type_strip(t);
	uint64_t u = 0;

	for (size_t i = 0; i < st->size && i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	if (st->kind == TR_TYPE_POINTER) {
		snprintf(out, len, "0x%llx", (unsigned long long)u);
	} else if (st->kind == TR_TYPE_BASE && st->encoding == TR_ENC_FLOAT) {
		if (st->size == 4) {
			float x;

			memcpy(&x, p, 4);
			snprintf(out, len, "%a", (double)x);
		} else {
			double x;

			memcpy(&x, p, 8);
			snprintf(out, len, "%a", x);
		}
	} else if (tr_type_is_signed(st)) {
		if (st->size < 8 && (u >> (st->size * 8 - 1) & 1))
			u |= ~0ull << (st->size * 8);
		snprintf(out, len, "%lld", (long long)u);
	} else {
		snprintf(out, len, "%llu", (unsigned long long)u);
	}
}

/*
 * The value of path ("o.in.tag[1]", "matrix[1][2]", "o.c") in a snapshot,
 * formatted as the program prints it; false when some of its bytes are
 * optimized out.
 */
static bool
path_value(const struct snap *p, const char *path, char *out, size_t len)
{
	const struct tr_type *t = p->type;
	const struct tr_type_member *bf = NULL;
	uint64_t off = 0, size;

	path += strlen(p->name);
	while (*path) {
		char id[32];
		size_t k = 0;

		if (*path == '.') {
			const struct tr_type_member *m;
			uint64_t moff;

			for (path++; *path && *path != '.' && *path != '[';)
				id[k++] = *path++;
			id[k] = 0;
			ck_assert_msg(tr_type_member_find(t, id, &m,
							  &moff) == 0,
				      "no member %s", id);
			off += moff;
			t = m->type;
			bf = m->bit_size ? m : NULL;
		} else {
			const struct tr_type *a = tr_type_strip(t);
			char *end;
			unsigned long idx = strtoul(path + 1, &end, 10);

			path = end;

			ck_assert_int_eq(*path++, ']');
			ck_assert_int_eq(a->kind, TR_TYPE_ARRAY);
			ck_assert(a->count_known && idx < a->count);
			off += idx * a->target->size;
			t = a->target;
		}
	}
	size = bf ? (bf->bit_offset + bf->bit_size + 7) / 8 : t->size;
	ck_assert_uint_le(off + size, p->len);
	for (uint64_t i = off; i < off + size; i++)
		if (!p->avail[i])
			return false;
	if (bf) {
		uint64_t v;

		ck_assert_int_eq(tr_type_bitfield_get(bf, p->bytes, p->len, off,
						      &v), 0);
		if (tr_type_is_signed(bf->type))
			snprintf(out, len, "%lld", (long long)v);
		else
			snprintf(out, len, "%llu", (unsigned long long)v);
	} else {
		fmt_scalar(t, p->bytes + off, out, len);
	}
	return true;
}

/*
 * Compare a snapshot with every "val" line of the output naming one of
 * its variables (those in `only`, when given). *right and *gone count the
 * values found equal and optimized out; a wrong value fails the test.
 */
static void
compare(const struct session *s, const struct stopsnap *ss,
	const char *const *only, unsigned *right, unsigned *gone)
{
	const char *p = s->text;

	while ((p = strstr(p, "val ")) != NULL) {
		char name[64], want[64], got[64], root[32];
		size_t k = 0;
		const struct snap *sn = NULL;

		if (p != s->text && p[-1] != '\n') {
			p++;
			continue;
		}
		ck_assert_int_eq(sscanf(p, "val %63s %63s", name, want), 2);
		p++;
		while (name[k] && name[k] != '.' && name[k] != '[' && k < 31) {
			root[k] = name[k];
			k++;
		}
		root[k] = 0;
		/* Inside inlined code only the globals are inspect's. */
		for (size_t i = 0; i < ss->n; i++)
			if (strcmp(ss->v[i].name, root) == 0 &&
			    (!ss->inlined || ss->v[i].kind == TR_VAR_GLOBAL ||
			     ss->v[i].kind == TR_VAR_STATIC))
				sn = &ss->v[i];
		if (!sn)
			continue;
		if (only) {
			bool listed = false;

			for (size_t i = 0; only[i]; i++)
				listed |= strcmp(only[i], root) == 0;
			if (!listed)
				continue;
		}
		if (!path_value(sn, name, got, sizeof(got))) {
			(*gone)++;
			continue;
		}
		ck_assert_msg(strcmp(got, want) == 0,
			      "%s at pc %#lx: read %s, the program has %s",
			      name, (unsigned long)ss->pc, got, want);
		(*right)++;
	}
}

/* ---- tests ------------------------------------------------------------- */

static const char *const params[] = { "i", "c", "f", "d", "u", "l", "s",
				      "op", "msg", NULL };

/* At the breakpoint on the function, its parameters: right, and at -O2
 * (the entry, all in registers or on the stack) available too. */
START_TEST(test_params_at_entry)
{
	const struct variant *v = &variants[_i];
	static struct stopsnap ss;
	struct session s;
	struct tr_scope *sc;
	struct tr_loc loc;
	struct tr_loc_frame f;
	unsigned right = 0, gone = 0;
	size_t k = 0;
	uint64_t pc;

	start(&s, v->name);
	ck_assert_int_eq(s.entry_is_lowpc, v->optimized);
	break_at(&s, "inspect");
	ck_assert(cont(&s, &pc));
	ck_assert_uint_eq(pc, s.entry);
	sc = scope(&s, pc);
	ck_assert_str_eq(sc->func_name, "inspect");
	ck_assert_uint_eq(sc->inline_die, 0);
	for (size_t i = 0; i < sc->nvars; i++)
		if (sc->vars[i].kind == TR_VAR_PARAM) {
			ck_assert_ptr_nonnull(params[k]);
			ck_assert_str_eq(sc->vars[i].name, params[k]);
			k++;
		}
	ck_assert_ptr_null(params[k]);
	f = frame(&s, pc);
	/* Where the ABI put them. */
	ck_assert_int_eq(tr_scope_var_loc(sc, var(sc, "i"), &f, &loc), 0);
	ck_assert_int_eq(loc.kind, v->optimized ? TR_LOC_REGISTER :
						  TR_LOC_MEMORY);
	if (v->optimized) {
		ck_assert_uint_eq(loc.pieces[0].reg, TR_DWREG_RDI);
		ck_assert_int_eq(tr_scope_var_loc(sc, var(sc, "f"), &f, &loc),
				 0);
		ck_assert_int_eq(loc.kind, TR_LOC_REGISTER);
		ck_assert_uint_eq(loc.pieces[0].reg, TR_DWREG_XMM0);
		/* Locals whose lists do not cover the entry yet. */
		ck_assert_int_eq(tr_scope_var_loc(sc, var(sc, "r"), &f, &loc),
				 0);
		ck_assert_int_eq(loc.kind, TR_LOC_OPTIMIZED);
		{
			uint8_t b[4], av[4] = { 1, 1, 1, 1 };

			ck_assert_int_eq(tr_scope_var_read(sc, var(sc, "r"), &f,
							   b, 4, av),
					 -TR_ENOENT);
			ck_assert_int_eq(av[0] | av[1] | av[2] | av[3], 0);
		}
	}
	/* msg, the ninth argument, is on the stack just above the return
	 * address: at the CFA. */
	ck_assert_int_eq(tr_scope_var_loc(sc, var(sc, "msg"), &f, &loc), 0);
	ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
	if (v->optimized)
		ck_assert_uint_eq(loc.pieces[0].addr, s.cfa);
	tr_scope_free(sc);
	take(&s, pc, &ss);
	finish(&s);
	compare(&s, &ss, params, &right, &gone);
	ck_assert_uint_eq(right, 9);
	ck_assert_uint_eq(gone, 0);
	stop(&s);
}
END_TEST

/* What the innermost block sees: the names in C's lookup order, the
 * inner "shadow", every value right (or, at -O2, optimized out). */
START_TEST(test_deepest_block)
{
	static const struct {
		const char *name;
		enum tr_var_kind kind;
		uint32_t depth;
		bool shadowed;
	} want[] = {
		{ "shadow", TR_VAR_LOCAL, 2, false },
		{ "deep", TR_VAR_LOCAL, 2, false },
		{ "shadow", TR_VAR_LOCAL, 1, true },
		{ "mid", TR_VAR_LOCAL, 1, false },
		{ "calls", TR_VAR_LOCAL, 0, false },
		{ "o", TR_VAR_LOCAL, 0, false },
		{ "n", TR_VAR_LOCAL, 0, false },
		{ "col", TR_VAR_LOCAL, 0, false },
		{ "pt", TR_VAR_LOCAL, 0, false },
		{ "matrix", TR_VAR_LOCAL, 0, false },
		{ "fp", TR_VAR_LOCAL, 0, false },
		{ "ip", TR_VAR_LOCAL, 0, false },
		{ "shadow", TR_VAR_LOCAL, 0, true },
		{ "r", TR_VAR_LOCAL, 0, false },
		{ "i", TR_VAR_PARAM, 0, false },
		{ "c", TR_VAR_PARAM, 0, false },
		{ "f", TR_VAR_PARAM, 0, false },
		{ "d", TR_VAR_PARAM, 0, false },
		{ "u", TR_VAR_PARAM, 0, false },
		{ "l", TR_VAR_PARAM, 0, false },
		{ "s", TR_VAR_PARAM, 0, false },
		{ "op", TR_VAR_PARAM, 0, false },
		{ "msg", TR_VAR_PARAM, 0, false },
		{ "global_counter", TR_VAR_GLOBAL, 0, false },
		{ "file_static", TR_VAR_STATIC, 0, false },
		{ "grid", TR_VAR_GLOBAL, 0, false },
		{ "greeting", TR_VAR_GLOBAL, 0, false },
		{ "op_ptr", TR_VAR_GLOBAL, 0, false },
		{ "ticks", TR_VAR_GLOBAL, 0, false },
	};
	const struct variant *v = &variants[_i];
	static struct stopsnap ss;
	struct session s;
	struct tr_scope *sc;
	struct tr_var sh;
	uint64_t deepest, pc;
	unsigned right = 0, gone = 0;
	size_t k = 0;

	start(&s, v->name);
	break_at(&s, "inspect");
	deepest = break_marker(&s, "deepest");
	ck_assert(cont(&s, &pc) && pc == s.entry);
	ck_assert(cont(&s, &pc) && pc == deepest);
	if (!v->optimized)
		ck_assert_uint_eq(s.regs.gp.rbp + 16, s.cfa);
	sc = scope(&s, pc);
	/* The list starts with what -O0 keeps; -O2 may drop variables but
	 * never reorders them. */
	for (size_t i = 0; i < sc->nvars && k < sizeof(want) / sizeof(want[0]);
	     i++) {
		const struct tr_var *x = &sc->vars[i];

		while (k < sizeof(want) / sizeof(want[0]) &&
		       (strcmp(want[k].name, x->name) != 0 ||
			want[k].depth != x->depth) && v->optimized)
			k++;
		ck_assert_msg(k < sizeof(want) / sizeof(want[0]),
			      "unexpected %s", x->name);
		ck_assert_str_eq(x->name, want[k].name);
		ck_assert_int_eq(x->kind, want[k].kind);
		ck_assert_uint_eq(x->depth, want[k].depth);
		ck_assert_int_eq(x->shadowed, want[k].shadowed);
		k++;
	}
	if (!v->optimized)
		ck_assert_uint_ge(sc->nvars, sizeof(want) / sizeof(want[0]));
	/* The innermost "shadow" is the one a name finds. */
	ck_assert_int_eq(tr_scope_lookup(sc, "shadow", &sh), 0);
	ck_assert_uint_eq(sh.depth, 2);
	{
		struct tr_loc_frame f = frame(&s, pc);
		int val = 0;

		ck_assert_int_eq(tr_scope_var_read(sc, &sh, &f, &val,
						   sizeof(val), NULL), 0);
		ck_assert_int_eq(val, 3);
	}
	/* The for loop's k is not in scope here; nothing is named so. */
	ck_assert_int_eq(tr_scope_lookup(sc, "k", &sh), -TR_ENOENT);
	ck_assert_int_eq(tr_scope_lookup(sc, "no_such_variable", &sh),
			 -TR_ENOENT);
	tr_scope_free(sc);
	take(&s, pc, &ss);
	finish(&s);
	compare(&s, &ss, NULL, &right, &gone);
	if (!v->optimized)
		ck_assert_uint_eq(gone, 0);
	/* -O2 keeps most of them here (about 70 of 76): a regression that
	 * made everything "optimized out" must not pass. */
	ck_assert_uint_ge(right, v->optimized ? 50 : 68);
	stop(&s);
}
END_TEST

/* The middle block sees shadow == 2, the body shadow == 1; neither sees
 * the inner blocks' variables. */
START_TEST(test_shadowing)
{
	const struct variant *v = &variants[_i];
	static struct stopsnap ss;
	struct session s;
	uint64_t middle, outer, pc;
	int mid_shadow = -1, outer_shadow = -1;
	unsigned right = 0, gone = 0;

	start(&s, v->name);
	break_at(&s, "inspect");
	middle = break_marker(&s, "middle");
	outer = break_marker(&s, "outer");
	while (cont(&s, &pc)) {
		struct tr_scope *sc;
		struct tr_loc_frame f;
		struct tr_var x;
		int val = 0, err;

		if (pc == s.entry)
			continue;
		ck_assert(pc == middle || pc == outer);
		sc = scope(&s, pc);
		f = frame(&s, pc);
		ck_assert_int_eq(tr_scope_lookup(sc, "deep", &x), -TR_ENOENT);
		ck_assert_int_eq(tr_scope_lookup(sc, "mid", &x),
				 pc == middle ? 0 : -TR_ENOENT);
		ck_assert_int_eq(tr_scope_lookup(sc, "shadow", &x), 0);
		ck_assert_uint_eq(x.depth, pc == middle ? 1 : 0);
		err = tr_scope_var_read(sc, &x, &f, &val, sizeof(val), NULL);
		ck_assert(err == 0 || (v->optimized && err == -TR_ENOENT));
		if (err == 0)
			*(pc == middle ? &mid_shadow : &outer_shadow) = val;
		if (pc == middle)
			take(&s, pc, &ss);
		tr_scope_free(sc);
	}
	drain(&s);
	if (mid_shadow != -1)
		ck_assert_int_eq(mid_shadow, printed_int(&s, "mid shadow"));
	if (outer_shadow != -1)
		ck_assert_int_eq(outer_shadow, printed_int(&s, "outer shadow"));
	if (!v->optimized)
		ck_assert(mid_shadow == 2 && outer_shadow == 1);
	{
		static const char *const only[] = { "mid", "o", "r", "calls",
						    NULL };

		compare(&s, &ss, only, &right, &gone);
		ck_assert_uint_ge(right + gone, 20);
	}
	stop(&s);
}
END_TEST

/* A breakpoint on every line of the innermost block (at -O2, lines the
 * compiler moved and code it inlined too): at each stop, every variable
 * in scope is right or optimized out. */
START_TEST(test_every_line)
{
	const struct variant *v = &variants[_i];
	static struct stopsnap snaps[64];
	struct session s;
	unsigned first = marker_line("deepest");
	unsigned last = marker_line("deepest_end");
	uint64_t addrs[64], pc;
	size_t naddrs = 0, nsnaps = 0;
	unsigned right = 0, gone = 0;

	start(&s, v->name);
	break_at(&s, "inspect");
	for (unsigned line = first; line <= last; line++) {
		char spec[64];
		uint64_t a[4];
		size_t n = 0, k;

		snprintf(spec, sizeof(spec), "vars.c:%u", line);
		if (tr_debuginfo_resolve(s.di, spec, a, 4, &n) < 0)
			continue;
		for (size_t j = 0; j < n && j < 4; j++) {
			for (k = 0; k < naddrs && addrs[k] != a[j]; k++)
				;
			if (k < naddrs || a[j] == s.entry || naddrs == 64)
				continue;
			addrs[naddrs++] = a[j];
			ck_assert_int_eq(tr_break_set(s.t, &a[j], 1, NULL,
						      NULL), 0);
		}
	}
	ck_assert_uint_ge(naddrs, 10);
	while (cont(&s, &pc))
		if (pc != s.entry && nsnaps < 64)
			take(&s, pc, &snaps[nsnaps++]);
	ck_assert_uint_ge(nsnaps, naddrs);
	drain(&s);
	for (size_t i = 0; i < nsnaps; i++) {
		static const char *const not_shadow[] = {
			"deep", "i", "c", "f", "d", "u", "l", "s", "op", "msg",
			"calls", "o", "n", "col", "pt", "matrix", "fp", "ip",
			"r", "mid", "global_counter", "file_static", "grid",
			"greeting", "op_ptr", "ticks", NULL,
		};

		compare(&s, &snaps[i], not_shadow, &right, &gone);
	}
	if (!v->optimized)
		ck_assert_uint_eq(gone, 0);
	ck_assert_uint_ge(right, 100);
	stop(&s);
}
END_TEST

/* Globals, file statics and a function-local static, by name, with their
 * values; and the types of everything, as gdb's whatis spells them. */
START_TEST(test_globals_and_types)
{
	static const char *const names[][2] = {
		{ "i", "int" },
		{ "c", "char" },
		{ "f", "float" },
		{ "d", "double" },
		{ "u", "unsigned int" },
		{ "l", "long" },
		{ "s", "short" },
		{ "op", "struct outer *" },
		{ "msg", "const char *" },
		{ "o", "struct outer" },
		{ "n", "union num" },
		{ "col", "enum color" },
		{ "pt", "point_t" },
		{ "matrix", "int [2][3]" },
		{ "fp", "int (*)(int, char *)" },
		{ "ip", "int *" },
		{ "deep", "double" },
		{ "mid", "long" },
		{ "calls", "int" },
		{ "grid", "int [3][4]" },
		{ "ticks", "volatile counter_t" },
		{ "greeting", "const char *" },
		{ "op_ptr", "int (*)(int, char *)" },
		{ "global_counter", "int" },
		{ "file_static", "int" },
		{ "row_ptr", "int (*)[4]" },
		{ "ptr_arr", "int *[2]" },
		{ "handlers", "void (*[2])(void)" },
		{ "maker", "char *(*)(const char *, ...)" },
		{ "const_argv", "char * const *" },
		{ "cv_byte", "const volatile unsigned char" },
		{ "old_style", "int (*)()" },
	};
	const struct variant *v = &variants[_i];
	static struct stopsnap ss;
	struct session s;
	struct tr_scope *sc;
	struct tr_var x;
	const struct tr_type *t, *t2;
	uint64_t deepest, pc;
	unsigned right = 0, gone = 0;

	start(&s, v->name);
	break_at(&s, "inspect");
	deepest = break_marker(&s, "deepest");
	ck_assert(cont(&s, &pc) && pc == s.entry);
	ck_assert(cont(&s, &pc) && pc == deepest);
	sc = scope(&s, pc);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(tr_scope_lookup(sc, names[i][0], &x) == 0, "%s",
			      names[i][0]);
		type_is(x.type, names[i][1]);
	}
	/* Kinds: external, file static, static local. */
	ck_assert_int_eq(tr_scope_lookup(sc, "row_ptr", &x), 0);
	ck_assert_int_eq(x.kind, TR_VAR_GLOBAL);
	ck_assert_int_eq(tr_scope_lookup(sc, "file_static", &x), 0);
	ck_assert_int_eq(x.kind, TR_VAR_STATIC);
	ck_assert_int_eq(tr_scope_lookup(sc, "calls", &x), 0);
	ck_assert_int_eq(x.kind, TR_VAR_LOCAL);
	{
		struct tr_loc_frame f = frame(&s, pc);
		struct tr_loc loc;

		/* A static local lives at a fixed address, PIE-relocated. */
		ck_assert_int_eq(tr_scope_var_loc(sc, &x, &f, &loc), 0);
		ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
		ck_assert_uint_gt(loc.pieces[0].addr, s.bias);
	}

	/* Types are cached: the same DIE, the same pointer. */
	ck_assert_int_eq(tr_scope_lookup(sc, "op", &x), 0);
	t = tr_type_strip(x.type)->target;
	ck_assert_int_eq(tr_scope_lookup(sc, "o", &x), 0);
	ck_assert_ptr_eq(t, x.type);
	ck_assert_int_eq(tr_dwarf_type_get(s.dw, x.type->die, &t2), 0);
	ck_assert_ptr_eq(t2, x.type);
	ck_assert_int_eq(tr_dwarf_type_get(s.dw, 1, &t2), -TR_EINVAL);
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "struct outer", &t2), 0);
	ck_assert_ptr_eq(t2, x.type);
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "struct nosuch", &t2),
			 -TR_ENOENT);
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "unsigned long", &t2), 0);
	ck_assert_int_eq(t2->kind, TR_TYPE_BASE);
	ck_assert_uint_eq(t2->size, 8);
	ck_assert_int_eq(t2->encoding, TR_ENC_UNSIGNED);
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "point_t", &t2), 0);
	ck_assert_int_eq(t2->kind, TR_TYPE_TYPEDEF);
	type_is(tr_type_strip(t2), "struct point");
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "enum color", &t2), 0);
	ck_assert_int_eq(t2->kind, TR_TYPE_ENUM);

	/* Through typedefs and qualifiers to what they name. */
	ck_assert_int_eq(tr_scope_lookup(sc, "ticks", &x), 0);
	ck_assert_int_eq(x.type->kind, TR_TYPE_VOLATILE);
	ck_assert_int_eq(x.type->target->kind, TR_TYPE_TYPEDEF);
	type_is(tr_type_strip(x.type), "unsigned long");
	ck_assert_uint_eq(x.type->size, 8);

	/* Function types: the pointer's target, and a function's own. */
	ck_assert_int_eq(tr_scope_lookup(sc, "fp", &x), 0);
	t = tr_type_strip(x.type)->target;
	ck_assert_int_eq(t->kind, TR_TYPE_FUNCTION);
	ck_assert_uint_eq(t->nparams, 2);
	ck_assert(t->prototyped && !t->variadic);
	type_is(t->target, "int");
	type_is(t->params[1], "char *");
	type_is(t, "int (int, char *)");
	ck_assert_int_eq(tr_dwarf_type_get(s.dw, sc->func_die, &t2), 0);
	type_is(t2, "int (int, char, float, double, unsigned int, long, "
		    "short, struct outer *, const char *)");
	ck_assert_int_eq(tr_scope_lookup(sc, "maker", &x), 0);
	ck_assert(tr_type_strip(x.type)->target->variadic);

	/* Arrays are arrays of arrays, each with its length. */
	ck_assert_int_eq(tr_scope_lookup(sc, "matrix", &x), 0);
	ck_assert_int_eq(x.type->kind, TR_TYPE_ARRAY);
	ck_assert_uint_eq(x.type->count, 2);
	ck_assert_uint_eq(x.type->size, 24);
	ck_assert_int_eq(x.type->target->kind, TR_TYPE_ARRAY);
	ck_assert_uint_eq(x.type->target->count, 3);
	ck_assert_uint_eq(x.type->target->size, 12);
	type_is(x.type->target, "int [3]");
	type_is(x.type->target->target, "int");
	{
		char small[8];

		ck_assert_int_eq(tr_type_name(x.type, small, sizeof(small)),
				 -TR_ERANGE);
		ck_assert_str_eq(small, "int [2]");
	}
	take(&s, pc, &ss);
	tr_scope_free(sc);
	finish(&s);

	/* Values of the globals and statics. */
	{
		static const char *const only[] = {
			"global_counter", "file_static", "grid", "greeting",
			"op_ptr", "ticks", "calls", NULL,
		};

		compare(&s, &ss, only, &right, &gone);
		ck_assert_uint_eq(gone, 0);
		ck_assert_uint_eq(right, 18);
	}

	/* struct outer as the compiler laid it out. */
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "struct outer", &t), 0);
	ck_assert_uint_eq(t->size, printed_int(&s, "size outer"));
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "struct inner", &t2), 0);
	ck_assert_uint_eq(t2->size, printed_int(&s, "size inner"));
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "union num", &t2), 0);
	ck_assert_uint_eq(t2->size, printed_int(&s, "size num"));
	ck_assert_uint_eq(t2->nmembers, 3);
	for (size_t i = 0; i < t2->nmembers; i++)
		ck_assert_uint_eq(t2->members[i].offset, 0);
	{
		static const char *const members[] = {
			"id", "in", "arr", "u", "col", "pt", "dv", "name", "ay",
		};
		static const char *const bits[] = { "a", "b", "c", "d" };

		for (size_t i = 0; i < sizeof(members) / sizeof(members[0]);
		     i++) {
			const struct tr_type_member *m;
			uint64_t off;
			char key[32];

			ck_assert_int_eq(tr_type_member_find(t, members[i], &m,
							     &off), 0);
			snprintf(key, sizeof(key), "offset %s", members[i]);
			ck_assert_uint_eq(off, printed_int(&s, key));
			ck_assert_uint_eq(m->bit_size, 0);
		}
		for (size_t i = 0; i < 4; i++) {
			const struct tr_type_member *m;
			uint64_t off;
			char key[32], val[32], want[32];

			ck_assert_int_eq(tr_type_member_find(t, bits[i], &m,
							     &off), 0);
			snprintf(key, sizeof(key), "bitfield %s", bits[i]);
			snprintf(val, sizeof(val), "%llu %u",
				 (unsigned long long)(off * 8 + m->bit_offset),
				 m->bit_size);
			ck_assert_str_eq(val, printed(&s, key, want,
						      sizeof(want)));
		}
		/* The anonymous struct holding ax and ay. */
		ck_assert_int_eq(tr_type_member_find(t, "ax", NULL, NULL), 0);
		ck_assert_ptr_null(t->members[t->nmembers - 1].name);
		ck_assert_int_eq(tr_type_member_find(t, "nosuch", NULL, NULL),
				 -TR_ENOENT);
		ck_assert_int_eq(tr_type_member_find(t->members[0].type, "x",
						     NULL, NULL), -TR_EINVAL);
		{
			const struct tr_type_member *m;

			ck_assert_int_eq(tr_type_member_find(t, "u", &m, NULL),
					 0);
			type_is(m->type, "union {...}");
			ck_assert_int_eq(tr_type_member_find(t, "in", &m, NULL),
					 0);
			type_is(m->type, "struct inner");
			ck_assert_int_eq(tr_type_member_find(m->type, "tag", &m,
							     NULL), 0);
			type_is(m->type, "char [3]");
		}
	}
	ck_assert_int_eq(tr_dwarf_type_lookup(s.dw, "enum color", &t), 0);
	ck_assert_uint_eq(t->nenumerators, 3);
	ck_assert_uint_eq(t->size, 4);
	ck_assert(tr_type_is_signed(t));
	for (size_t i = 0; i < t->nenumerators; i++) {
		char key[32];

		snprintf(key, sizeof(key), "enum %s", t->enumerators[i].name);
		ck_assert_int_eq(t->enumerators[i].value, printed_int(&s, key));
	}
	stop(&s);
}
END_TEST

/* The caller's frame, through the unwinder: main's variables, from the
 * registers its CFI restores and main's own CFA. */
START_TEST(test_caller_frame)
{
	const struct variant *v = &variants[_i];
	static struct stopsnap ss;
	static const char *const only[] = { "base", NULL };
	struct session s;
	struct tr_unwinder *u;
	struct tr_frame f0, f1, f2;
	struct tr_unwind_loc acc0 = { &f0, NULL }, acc1 = { &f1, NULL };
	struct tr_loc_frame lf;
	struct tr_scope *sc;
	struct tr_var x;
	struct tr_loc loc;
	uint64_t pc, deepest, main_o;
	unsigned right = 0, gone = 0;
	int val;
	char buf[32];

	start(&s, v->name);
	break_at(&s, "inspect");
	deepest = break_marker(&s, "deepest");
	ck_assert(cont(&s, &pc) && pc == s.entry);
	ck_assert(cont(&s, &pc) && pc == deepest);
	ck_assert_int_eq(tr_unwinder_new(s.di, &u), 0);
	tr_unwind_frame_from_regs(&s.regs.gp, &f0);
	ck_assert_int_eq(tr_unwind_step(u, &f0, mem_cb, &s, &f1), 0);
	/* The unwinder's CFA is the one the other tests work out. */
	ck_assert_uint_eq(f0.cfa, s.cfa);
	ck_assert_int_eq(tr_unwind_step(u, &f1, mem_cb, &s, &f2), 0);

	/* The innermost frame through the same adapter. */
	acc0.regs = &s.regs;
	tr_unwind_loc_frame(&lf, &acc0, s.bias, mem_cb, &s);
	ck_assert(lf.innermost && lf.has_cfa && lf.pc == pc);
	sc = scope(&s, lf.pc);
	ck_assert_int_eq(tr_scope_lookup(sc, "shadow", &x), 0);
	ck_assert_int_eq(tr_scope_var_read(sc, &x, &lf, &val, sizeof(val),
					   NULL), 0);
	ck_assert_int_eq(val, 3);
	tr_scope_free(sc);

	/* main, above it: the pc is a return address, looked up less 1. */
	tr_unwind_loc_frame(&lf, &acc1, s.bias, mem_cb, &s);
	ck_assert(!lf.innermost && lf.has_cfa);
	ck_assert_uint_eq(lf.pc, f1.pc - 1);
	sc = scope(&s, lf.pc);
	ck_assert_str_eq(sc->func_name, "main");
	ck_assert_int_eq(tr_scope_lookup(sc, "o", &x), 0);
	type_is(x.type, "struct outer");
	ck_assert_int_eq(tr_scope_var_loc(sc, &x, &lf, &loc), 0);
	ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
	main_o = loc.pieces[0].addr;
	take_in(sc, &lf, &ss);
	tr_scope_free(sc);
	tr_unwinder_free(u);
	finish(&s);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)main_o);
	{
		char want[32];

		ck_assert_str_eq(buf, printed(&s, "val main.o", want,
					      sizeof(want)));
	}
	compare(&s, &ss, only, &right, &gone);
	ck_assert_uint_eq(right + gone, 1);
	if (!v->optimized)
		ck_assert_uint_eq(right, 1);
	/* main's o as main filled it (inspect changed only its copy). */
	for (size_t i = 0; i < ss.n; i++) {
		char got[32];

		if (strcmp(ss.v[i].name, "o") != 0)
			continue;
		ck_assert(path_value(&ss.v[i], "o.id", got, sizeof(got)));
		ck_assert_int_eq(atoi(got), 100 * printed_int(&s, "val base"));
		ck_assert(path_value(&ss.v[i], "o.arr[1]", got, sizeof(got)));
		ck_assert_int_eq(atoi(got), printed_int(&s, "val base") + 10);
	}
	stop(&s);
}
END_TEST

/* ---- hand-made expressions, evaluated against the stopped program ----- */

struct ebuf {
	uint8_t b[128];
	size_t n;
};

static void
e1(struct ebuf *e, unsigned v)
{
	ck_assert_uint_lt(e->n, sizeof(e->b));
	e->b[e->n++] = (uint8_t)v;
}

static void
euleb(struct ebuf *e, uint64_t v)
{
	do {
		e1(e, (v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void
esleb(struct ebuf *e, int64_t v)
{
	for (;;) {
		unsigned b = v & 0x7f;

		v >>= 7;
		if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
			e1(e, b);
			return;
		}
		e1(e, b | 0x80);
	}
}

static void
en(struct ebuf *e, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		e1(e, (unsigned)(v >> (8 * i)) & 0xff);
}

/* Build an expression from bytes given as ints, -1 ending the list. */
static struct ebuf
ops(int first, ...)
{
	struct ebuf e = { .n = 0 };
	va_list ap;

	va_start(ap, first);
	for (int b = first; b != -1; b = va_arg(ap, int))
		e1(&e, (unsigned)b);
	va_end(ap);
	return e;
}

static void
eval(struct session *s, const struct tr_loc_frame *f, const struct ebuf *e,
     struct tr_loc *loc)
{
	ck_assert_int_eq(tr_loc_eval_expr(s->dw, 0, e->b, e->n, f, loc), 0);
}

/* The value of an expression ending in DW_OP_stack_value. */
static uint64_t
value(struct session *s, const struct tr_loc_frame *f, struct ebuf e)
{
	struct tr_loc loc;
	uint64_t v = 0;
	size_t n;

	e1(&e, OP_stack_value);
	eval(s, f, &e, &loc);
	ck_assert_msg(loc.kind == TR_LOC_VALUE, "kind %d (%s)", loc.kind,
		      loc.why ? loc.why : "");
	/* As many bytes as the value has: 8, or its type's size. */
	n = loc.pieces[0].data ? loc.pieces[0].data_len :
				 loc.pieces[0].value_size;
	ck_assert_uint_le(n, sizeof(v));
	ck_assert_int_eq(tr_loc_read(&loc, f, &v, n, NULL), 0);
	return v;
}

static void
gone(struct session *s, const struct tr_loc_frame *f, const struct ebuf *e)
{
	struct tr_loc loc;
	uint8_t b[8];

	eval(s, f, e, &loc);
	ck_assert_int_eq(loc.kind, TR_LOC_OPTIMIZED);
	ck_assert_ptr_nonnull(loc.why);
	ck_assert_int_eq(tr_loc_read(&loc, f, b, sizeof(b), NULL), -TR_ENOENT);
}

/* Offset of a type DIE from its unit's header, as the typed operations
 * give it (the header before the unit's DIE is 12 bytes in DWARF 5, 11
 * before). */
static uint64_t
unit_rel(struct session *s, const char *type)
{
	const struct tr_type *t;
	uint64_t hdr = 0;

	ck_assert_int_eq(tr_dwarf_type_lookup(s->dw, type, &t), 0);
	for (size_t i = 0; i < tr_dwarf_ncus(s->dw); i++) {
		const struct tr_dw_cu *u = tr_dwarf_cu(s->dw, i);

		if (u->die <= t->die)
			hdr = u->die - (u->version >= 5 ? 12 : 11);
	}
	return t->die - hdr;
}

START_TEST(test_expressions)
{
	struct session s;
	struct tr_loc_frame f;
	struct tr_loc loc;
	struct tr_scope *sc;
	struct tr_var gc;
	struct ebuf e;
	uint64_t pc, gc_addr, v;
	int32_t i32;

	start(&s, "vars-O0");
	break_at(&s, "inspect");
	break_marker(&s, "deepest");
	ck_assert(cont(&s, &pc) && pc == s.entry);
	ck_assert(cont(&s, &pc));
	f = frame(&s, pc);
	sc = scope(&s, pc);
	ck_assert_int_eq(tr_scope_lookup(sc, "global_counter", &gc), 0);
	ck_assert_int_eq(tr_scope_var_loc(sc, &gc, &f, &loc), 0);
	ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
	gc_addr = loc.pieces[0].addr;

	/* Literals, constants and arithmetic. */
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 5, OP_lit0 + 3, OP_minus,
					    -1)), 2);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 2, OP_lit0 + 3, OP_shl,
					    -1)), 16);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const1s, 0xf8, OP_lit0 + 2,
					    OP_shra, -1)), (uint64_t)-2);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const1s, 0xf8, OP_lit0 + 2,
					    OP_shr, -1)),
			  0x3ffffffffffffffeull);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const1s, 0xf9, OP_lit0 + 2,
					    OP_div, -1)), (uint64_t)-3);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 7, OP_lit0 + 3, OP_mod,
					    -1)), 1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 6, OP_lit0 + 7, OP_mul,
					    -1)), 42);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 12, OP_lit0 + 10, OP_and,
					    OP_lit0 + 1, OP_or, OP_lit0 + 15,
					    OP_xor, -1)), 6);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 5, OP_neg, -1)),
			  (uint64_t)-5);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0, OP_not, -1)), ~0ull);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const1s, 0xfb, OP_abs, -1)), 5);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const2s, 0x9c, 0xff,
					    OP_plus_uconst, 0x64, -1)), 0);
	e = ops(OP_constu, -1);
	euleb(&e, 300);
	e1(&e, OP_consts);
	esleb(&e, -100);
	e1(&e, OP_plus);
	ck_assert_uint_eq(value(&s, &f, e), 200);
	/* Division by zero cannot be computed: optimized out. */
	e = ops(OP_lit0 + 1, OP_lit0, OP_div, OP_stack_value, -1);
	gone(&s, &f, &e);

	/* Stack operations. */
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2,
					    OP_lit0 + 3, OP_rot, -1)), 2);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2,
					    OP_lit0 + 3, OP_rot, OP_drop, -1)),
			  1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2,
					    OP_lit0 + 3, OP_rot, OP_drop,
					    OP_drop, -1)), 3);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2,
					    OP_lit0 + 3, OP_pick, 2, -1)), 1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2, OP_over,
					    -1)), 1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2, OP_swap,
					    -1)), 1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 4, OP_dup, OP_plus,
					    OP_nop, -1)), 8);
	e = ops(OP_drop, OP_stack_value, -1);
	gone(&s, &f, &e);

	/* Comparisons (signed) and branches. */
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_lit0 + 2, OP_lt,
					    -1)), 1);
	ck_assert_uint_eq(value(&s, &f, ops(OP_const1s, 0xff, OP_lit0, OP_gt,
					    -1)), 0);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 3, OP_lit0 + 3, OP_eq,
					    OP_lit0 + 3, OP_lit0 + 4, OP_ne,
					    OP_plus, -1)), 2);
	/* lit1; bra L; lit7; skip E; L: lit9; E: */
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0 + 1, OP_bra, 4, 0,
					    OP_lit0 + 7, OP_skip, 1, 0,
					    OP_lit0 + 9, -1)), 9);
	ck_assert_uint_eq(value(&s, &f, ops(OP_lit0, OP_bra, 4, 0,
					    OP_lit0 + 7, OP_skip, 1, 0,
					    OP_lit0 + 9, -1)), 7);

	/* Registers, memory, the CFA and the frame base. */
	e = ops(OP_breg0 + TR_DWREG_RSP, 0, -1);
	eval(&s, &f, &e, &loc);
	ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
	ck_assert_uint_eq(loc.pieces[0].addr, s.regs.gp.rsp);
	e = ops(OP_bregx, TR_DWREG_RSP, 8, -1);
	eval(&s, &f, &e, &loc);
	ck_assert_uint_eq(loc.pieces[0].addr, s.regs.gp.rsp + 8);
	e = ops(OP_regx, TR_DWREG_RDI, -1);
	eval(&s, &f, &e, &loc);
	ck_assert_int_eq(loc.kind, TR_LOC_REGISTER);
	ck_assert_uint_eq(loc.pieces[0].reg, TR_DWREG_RDI);
	ck_assert_int_eq(tr_loc_read(&loc, &f, &i32, 4, NULL), 0);
	ck_assert_int_eq(i32, (int32_t)s.regs.gp.rdi);
	e = ops(OP_reg0 + TR_DWREG_XMM0 + 1, -1);
	eval(&s, &f, &e, &loc);
	{
		uint8_t x[16];

		ck_assert_int_eq(tr_loc_read(&loc, &f, x, 16, NULL), 0);
		ck_assert_mem_eq(x, (uint8_t *)s.regs.fp.xmm_space + 16, 16);
	}
	e = ops(OP_const8u, -1);
	en(&e, gc_addr, 8);
	e1(&e, OP_deref_size);
	e1(&e, 4);
	ck_assert_uint_eq(value(&s, &f, e), 47);
	e = ops(OP_addr, -1);
	en(&e, gc_addr - s.bias, 8);
	eval(&s, &f, &e, &loc);
	ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
	ck_assert_uint_eq(loc.pieces[0].addr, gc_addr);
	e1(&e, OP_deref);
	ck_assert_uint_eq(value(&s, &f, e) & 0xffffffff, 47);
	e = ops(OP_call_frame_cfa, -1);
	eval(&s, &f, &e, &loc);
	ck_assert_uint_eq(loc.pieces[0].addr, s.cfa);
	{
		struct tr_loc_frame g = f;

		g.has_cfa = false;
		gone(&s, &g, &e);
		/* DW_OP_fbreg needs the function's frame base. */
		e = ops(OP_fbreg, 0x70, -1); /* -16 */
		gone(&s, &f, &e);
		g = f;
		g.func_die = sc->func_die;
		eval(&s, &g, &e, &loc);
		ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
		ck_assert_uint_eq(loc.pieces[0].addr, s.cfa - 16);
		ck_assert_int_eq(tr_loc_eval_attr(s.dw, sc->func_die,
						  AT_frame_base, &g, &loc), 0);
		ck_assert_int_eq(loc.kind, TR_LOC_MEMORY);
		ck_assert_uint_eq(loc.pieces[0].addr, s.cfa);
		ck_assert_int_eq(tr_loc_eval_attr(s.dw, gc.die, AT_frame_base,
						  &g, &loc), -TR_ENOENT);
		ck_assert_int_eq(tr_loc_eval_attr(s.dw, gc.die, AT_location,
						  &g, &loc), 0);
		ck_assert_uint_eq(loc.pieces[0].addr, gc_addr);
	}

	/* Implicit values, pieces, bit pieces. */
	e = ops(OP_implicit_value, 4, 0x78, 0x56, 0x34, 0x12, -1);
	eval(&s, &f, &e, &loc);
	ck_assert_int_eq(loc.kind, TR_LOC_VALUE);
	ck_assert_int_eq(tr_loc_read(&loc, &f, &i32, 4, NULL), 0);
	ck_assert_int_eq(i32, 0x12345678);
	{
		uint8_t b[16], av[16];
		uint32_t w[4];

		/* rdi | 9 | (nothing) | global_counter */
		e = ops(OP_reg0 + TR_DWREG_RDI, OP_piece, 4, OP_lit0 + 9,
			OP_stack_value, OP_piece, 4, OP_piece, 4, OP_const8u,
			-1);
		en(&e, gc_addr, 8);
		e1(&e, OP_piece);
		e1(&e, 4);
		eval(&s, &f, &e, &loc);
		ck_assert_int_eq(loc.kind, TR_LOC_PIECES);
		ck_assert_uint_eq(loc.npieces, 4);
		ck_assert_int_eq(tr_loc_read(&loc, &f, b, 16, av), -TR_ENOENT);
		memcpy(w, b, 16);
		ck_assert_uint_eq(w[0], (uint32_t)s.regs.gp.rdi);
		ck_assert_uint_eq(w[1], 9);
		ck_assert_uint_eq(w[2], 0);
		ck_assert_uint_eq(w[3], 47);
		for (int k = 0; k < 16; k++)
			ck_assert_uint_eq(av[k], k < 8 || k >= 12);
	}
	{
		uint8_t b;

		e = ops(OP_lit0 + 5, OP_stack_value, OP_bit_piece, 3, 0,
			OP_lit0 + 3, OP_stack_value, OP_bit_piece, 5, 0, -1);
		eval(&s, &f, &e, &loc);
		ck_assert_int_eq(tr_loc_read(&loc, &f, &b, 1, NULL), 0);
		ck_assert_uint_eq(b, 5 | 3 << 3);
	}

	/* Typed (DWARF 5) values: double arithmetic and conversions. */
	{
		uint64_t rd = unit_rel(&s, "double"), ri = unit_rel(&s, "int");
		double x = 1.5, y = 2.25, r;
		uint64_t bx, by;

		memcpy(&bx, &x, 8);
		memcpy(&by, &y, 8);
		e = ops(OP_const_type, -1);
		euleb(&e, rd);
		e1(&e, 8);
		en(&e, bx, 8);
		e1(&e, OP_const_type);
		euleb(&e, rd);
		e1(&e, 8);
		en(&e, by, 8);
		e1(&e, OP_plus);
		v = value(&s, &f, e);
		memcpy(&r, &v, 8);
		ck_assert(r == 3.75);
		e = ops(OP_lit0 + 7, OP_convert, -1);
		euleb(&e, rd);
		v = value(&s, &f, e);
		memcpy(&r, &v, 8);
		ck_assert(r == 7.0);
		e = ops(OP_const_type, -1);
		euleb(&e, rd);
		e1(&e, 8);
		en(&e, by, 8);
		e1(&e, OP_convert);
		euleb(&e, ri);
		ck_assert_uint_eq(value(&s, &f, e) & 0xffffffff, 2);
		e = ops(OP_regval_type, TR_DWREG_RSP, -1);
		euleb(&e, rd);
		e1(&e, OP_reinterpret);
		euleb(&e, 0);
		ck_assert_uint_eq(value(&s, &f, e), s.regs.gp.rsp);
		/* A double plus a plain integer has no meaning. */
		e = ops(OP_lit0 + 1, OP_const_type, -1);
		euleb(&e, rd);
		e1(&e, 8);
		en(&e, bx, 8);
		e1(&e, OP_plus);
		e1(&e, OP_stack_value);
		gone(&s, &f, &e);
	}

	/* What cannot be computed is optimized out, never a guess: entry
	 * values away from the entry, TLS, registers the frame lacks. */
	e = ops(OP_entry_value, 1, OP_reg0 + TR_DWREG_RDI, OP_stack_value, -1);
	{
		struct tr_loc_frame g = f;

		g.func_die = sc->func_die;
		gone(&s, &g, &e);
	}
	e = ops(OP_const1u, 8, OP_form_tls_address, -1);
	gone(&s, &f, &e);
	e = ops(OP_regx, 60, -1);
	{
		uint8_t b[8];

		eval(&s, &f, &e, &loc);
		ck_assert_int_eq(loc.kind, TR_LOC_REGISTER);
		ck_assert_int_eq(tr_loc_read(&loc, &f, b, 8, NULL), -TR_ENOENT);
	}
	e = ops(OP_bregx, 60, 0, -1);
	gone(&s, &f, &e);
	/* An empty expression: nothing is known. */
	e.n = 0;
	gone(&s, &f, &e);
	tr_scope_free(sc);
	finish(&s);
	stop(&s);
}
END_TEST

/* At the entry of the -O2 build, DW_OP_entry_value(reg) is the register
 * itself. */
START_TEST(test_entry_value_at_entry)
{
	struct session s;
	struct tr_loc_frame f;
	struct tr_scope *sc;
	struct ebuf e = ops(OP_entry_value, 1, OP_reg0 + TR_DWREG_RSI, -1);
	uint64_t pc;

	start(&s, "vars-O2");
	break_at(&s, "inspect");
	ck_assert(cont(&s, &pc) && pc == s.entry);
	sc = scope(&s, pc);
	f = frame(&s, pc);
	f.func_die = sc->func_die;
	ck_assert_uint_eq(value(&s, &f, e), s.regs.gp.rsi);
	/* Not the innermost frame: the registers are not the entry's. */
	f.innermost = false;
	gone(&s, &f, &e);
	tr_scope_free(sc);
	finish(&s);
	stop(&s);
}
END_TEST

/* Dropping the caches and building them again gives the same answers. */
START_TEST(test_cache_drop)
{
	struct session s;
	struct tr_scope *sc;
	struct tr_var x;
	char a[64], b[64];
	uint64_t pc;
	size_t n;

	start(&s, "vars-O2");
	break_marker(&s, "deepest");
	ck_assert(cont(&s, &pc));
	sc = scope(&s, pc);
	n = sc->nvars;
	ck_assert_int_eq(tr_scope_lookup(sc, "fp", &x), 0);
	ck_assert_int_eq(tr_type_name(x.type, a, sizeof(a)), 0);
	tr_scope_free(sc);
	tr_dwarf_type_cache_drop(s.dw);
	tr_dwarf_type_cache_drop(s.dw);
	sc = scope(&s, pc);
	ck_assert_uint_eq(sc->nvars, n);
	ck_assert_int_eq(tr_scope_lookup(sc, "fp", &x), 0);
	ck_assert_int_eq(tr_type_name(x.type, b, sizeof(b)), 0);
	ck_assert_str_eq(a, b);
	tr_scope_free(sc);
	ck_assert_int_eq(tr_scope_at(s.dw, 1, &sc), -TR_ENOENT);
	finish(&s);
	stop(&s);
}
END_TEST

Suite *suite_vars(void);

Suite *
suite_vars(void)
{
	Suite *s = suite_create("vars");
	TCase *tc = tcase_create("programs");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_params_at_entry, 0, 2);
	tcase_add_loop_test(tc, test_deepest_block, 0, 2);
	tcase_add_loop_test(tc, test_shadowing, 0, 2);
	tcase_add_loop_test(tc, test_every_line, 0, 2);
	tcase_add_loop_test(tc, test_globals_and_types, 0, 2);
	tcase_add_loop_test(tc, test_caller_frame, 0, 2);
	tcase_add_test(tc, test_expressions);
	tcase_add_test(tc, test_entry_value_at_entry);
	tcase_add_test(tc, test_cache_drop);
	suite_add_tcase(s, tc);
	return s;
}
