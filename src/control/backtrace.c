/* backtrace.c: frames with function, line and arguments, from the unwinder and the DWARF scopes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/user.h>

#include "control/backtrace.h"
#include "control/breakpoint.h"
#include "symbols/dwarf_type.h"
#include "base/error.h"
#include "symbols/loc_expr.h"
#include "symbols/scope.h"
#include "target/tracer.h"

#define ENTRY_DEPTH 4

static int64_t
sext(uint64_t v, size_t size)
{
	if (size >= 8)
		return (int64_t)v;
	return (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
}

/* A char as gdb shows it: 65 'A', 10 '\n', 0 '\000'. */
static void
fmt_char(char *out, size_t len, int64_t v)
{
	unsigned char c = (unsigned char)v;
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char name[] = "abfnrtv";
	const char *p = c ? strchr(esc, c) : NULL;

	if (c == '\'' || c == '\\')
		snprintf(out, len, "%" PRId64 " '\\%c'", v, c);
	else if (p)
		snprintf(out, len, "%" PRId64 " '\\%c'", v, name[p - esc]);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(out, len, "%" PRId64 " '%c'", v, c);
	else
		snprintf(out, len, "%" PRId64 " '\\%03o'", v, c);
}

/* A C string at addr, quoted, at most 40 characters (gdb: 200). */
static void
fmt_string(struct tr_tracer *t, char *out, size_t len, uint64_t addr,
	   size_t o)
{
	char s[41];
	size_t k = 0;

	if (o + 1 >= len || !addr || tr_mem_read(t, addr, s, 1, NULL) < 0)
		return;
	while (k < 40 && tr_mem_read(t, addr + k, &s[k], 1, NULL) == 0 && s[k])
		k++;
	s[k] = 0;
	if (o + 4 < len) {
		o += (size_t)snprintf(out + o, len - o, " \"");
		for (size_t i = 0; i < k && o + 6 < len; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '"' || c == '\\')
				o += (size_t)snprintf(out + o, len - o, "\\%c", c);
			else if (c >= 0x20 && c < 0x7f)
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, len - o, "\\%03o", c);
		}
		snprintf(out + o, len - o, k == 40 ? "\"..." : "\"");
	}
}

/* A value as gdb prints frame arguments by default (print frame-arguments
 * scalars): aggregates are "...". */
static void
fmt_value(struct tr_tracer *t, struct tr_debuginfo *di,
	  const struct tr_type *ty, const uint8_t *b, char *out, size_t len)
{
	const struct tr_type *s = tr_type_strip(ty);
	uint64_t v = 0;

	if (s->size && s->size <= 8)
		memcpy(&v, b, s->size);
	switch (s->kind) {
	case TR_TYPE_BASE:
		if (s->encoding == TR_ENC_FLOAT && s->size == 8) {
			double d;

			memcpy(&d, b, 8);
			snprintf(out, len, "%.17g", d);
		} else if (s->encoding == TR_ENC_FLOAT && s->size == 4) {
			float f;

			memcpy(&f, b, 4);
			snprintf(out, len, "%.9g", (double)f);
		} else if (s->encoding == TR_ENC_BOOLEAN) {
			snprintf(out, len, v ? "true" : "false");
		} else if (s->encoding == TR_ENC_SIGNED_CHAR ||
			   s->encoding == TR_ENC_UNSIGNED_CHAR) {
			fmt_char(out, len, s->encoding == TR_ENC_SIGNED_CHAR
						   ? sext(v, 1) : (int64_t)v);
		} else if (s->encoding == TR_ENC_SIGNED) {
			snprintf(out, len, "%" PRId64, sext(v, s->size));
		} else if (s->size <= 8) {
			snprintf(out, len, "%" PRIu64, v);
		} else {
			snprintf(out, len, "...");
		}
		return;
	case TR_TYPE_ENUM:
		for (size_t i = 0; i < s->nenumerators; i++)
			if (s->enumerators[i].value ==
			    sext(v, s->size ? s->size : 4)) {
				snprintf(out, len, "%s", s->enumerators[i].name);
				return;
			}
		snprintf(out, len, "%" PRId64, sext(v, s->size ? s->size : 4));
		return;
	case TR_TYPE_POINTER: {
		const struct tr_type *p = tr_type_strip(s->target);
		char name[128];
		uint64_t off = 0;
		size_t o = (size_t)snprintf(out, len, "0x%" PRIx64, v);

		/* gdb's <symbol+off> after a pointer into code or static
		 * data (print symbol on), before a string's text */
		if (o < len && tr_debuginfo_addr_symbol(di, v, name,
							sizeof(name), &off)) {
			o += (size_t)snprintf(out + o, len - o, " <%s", name);
			if (off && o < len)
				o += (size_t)snprintf(out + o, len - o,
						      "+%" PRIu64, off);
			if (o < len)
				o += (size_t)snprintf(out + o, len - o, ">");
		}
		if (o < len && p->kind == TR_TYPE_BASE && p->size == 1 &&
		    (p->encoding == TR_ENC_SIGNED_CHAR ||
		     p->encoding == TR_ENC_UNSIGNED_CHAR))
			fmt_string(t, out, len, v, o);
		return;
	}
	default:
		snprintf(out, len, "...");
	}
}

/* The parameters of the frame, in declaration order. */
/*
 * The value parameter `v` had at the entry of its frame's function, as gdb
 * finds it: its location at the entry pc (`entry`, run-time; an inlined
 * call's own entry) must be a register, and the caller's call site must
 * say what it passed there. Fills buf (size bytes); false when unknown.
 */
static bool
entry_value(const struct tr_scope *sc, const struct tr_var *v,
	    const struct tr_loc_frame *lf, uint64_t entry, void *buf,
	    size_t size)
{
	struct tr_loc_frame at = *lf;
	struct tr_loc loc;
	uint64_t x;

	if (!lf->entry || !entry || size > 8)
		return false;
	at.pc = entry;
	at.innermost = false;
	if (tr_scope_var_loc(sc, v, &at, &loc) < 0 ||
	    loc.kind != TR_LOC_REGISTER || loc.npieces != 1 ||
	    lf->entry(lf->entry_arg, loc.pieces[0].reg, 0, &x))
		return false;
	memcpy(buf, &x, size);
	return true;
}

/* The parameters of the frame, in declaration order (an inlined call's
 * as gdb lists them); fr is in an array of unwound frames ending at
 * `end`, whose next ones are its callers, for entry values. */
static void
frame_args(struct tr_tracer *t, struct tr_debuginfo *di,
	   const struct tr_frame *first, const struct tr_loc_regs *regs0,
	   const struct tr_frame *fr, const struct tr_frame *end,
	   const struct tr_loc_regs *regs, unsigned level,
	   const struct tr_inline *inl, size_t ninl, struct tr_bt_frame *out)
{
	uint64_t pc = tr_unwind_lookup_pc(fr), entry = 0;
	const struct tr_module *m = tr_symtab_module_at(
		tr_debuginfo_symtab(di), pc);
	struct tr_dwarf *dw = m ? tr_debuginfo_dwarf(di, m) : NULL;
	const struct tr_dw_entry *fn;
	struct tr_scope *sc;
	struct tr_unwind_loc acc = { .frame = fr, .regs = regs,
				     .first = first, .regs0 = regs0,
				     .caller = fr + 1 < end ? fr + 1 : NULL,
				     .end = end, .di = di,
				     .inlined = level < ninl };
	struct tr_loc_frame lf;

	if (!dw || tr_scope_at_level(dw, pc - m->bias, level, &sc) < 0)
		return;
	tr_unwind_loc_frame(&lf, &acc, m->bias, tr_mem_read_cb, t);
	/* gdb's entry pc of a frame: an inlined call's entry, else the
	 * function's */
	if (level < ninl)
		entry = inl[level].entry + m->bias;
	else if ((fn = tr_dwarf_func_at(dw, pc - m->bias)) && fn->lowpc)
		entry = fn->lowpc + m->bias;
	for (size_t i = 0; i < sc->nvars && out->nargs < TR_BT_MAX_ARGS; i++) {
		const struct tr_var *v = &sc->vars[i];
		struct tr_bt_arg *a = &out->args[out->nargs];
		uint8_t buf[64], ebuf[8];
		size_t size = tr_type_strip(v->type)->size;
		bool have_entry;
		int err;

		if (v->kind != TR_VAR_PARAM)
			continue;
		snprintf(a->name, sizeof(a->name), "%s", v->name ? v->name : "?");
		if (size > sizeof(buf))
			size = 0; /* an aggregate too big to show anyway */
		err = size ? tr_scope_var_read(sc, v, &lf, buf, size, NULL)
			   : 0;
		have_entry = size && entry_value(sc, v, &lf, entry, ebuf, size);
		/* gdb's "print entry-values default": the entry value is
		 * shown when it equals the value (x=x@entry=1) or stands in
		 * for an unknown one (x@entry=1). */
		if (have_entry && (err == -TR_ENOENT ||
				   (err == 0 && !memcmp(buf, ebuf, size)))) {
			a->has_entry = true;
			fmt_value(t, di, v->type, ebuf, a->entry, sizeof(a->entry));
		}
		if (err == -TR_ENOENT)
			snprintf(a->value, sizeof(a->value), "<optimized out>");
		else if (err < 0)
			snprintf(a->value, sizeof(a->value), "<error: %s>",
				 tr_strerror(err));
		else if (!size)
			snprintf(a->value, sizeof(a->value), "...");
		else
			fmt_value(t, di, v->type, buf, a->value, sizeof(a->value));
		out->nargs++;
	}
	tr_scope_free(sc);
}

/* Whether `name` is one of the NUL-terminated names in `names` (an empty
 * one ends them). */
static bool
name_in(const char *names, const char *name)
{
	for (const char *p = names; *p; p += strlen(p) + 1)
		if (!strcmp(p, name))
			return true;
	return false;
}

unsigned
tr_inline_hidden(struct tr_tracer *t, struct tr_debuginfo *di, pid_t tid,
		 uint64_t pc)
{
	struct tr_inline in[32];
	struct tr_state st;
	char names[512];
	bool other = false, bp;
	unsigned k = 0, entered = 0;
	size_t n = 0;

	if (tr_state_get(t, &st) || st.last_stop.type != TR_EV_STOP ||
	    st.last_stop.pc != pc || (tid && st.last_stop.tid != tid) ||
	    tr_break_inline_view(t, pc, st.last_stop.seq, names,
				 sizeof(names), &other, &entered))
		return 0;
	/* gdb 13 (skip_inline_frames, stopped_by_user_bp_inline_frame): at
	 * a user breakpoint the calls starting at pc are hidden up to the
	 * function a breakpoint there names (break FUNC on the outer
	 * function shows it; on an inlined one, that call); a breakpoint
	 * naming no function (FILE:LINE, *ADDR) shows the innermost */
	bp = st.last_stop.reason == TR_STOP_BREAKPOINT && st.last_stop.bpnum;
	if (bp && other)
		return 0;
	tr_debuginfo_inlines(di, pc, in, 32, &n);
	while (k < n && k < 32 && in[k].starts) {
		if (bp && in[k].name && name_in(names, in[k].name))
			break;
		k++;
	}
	/* those `step` entered since (gdb's step_into_inline_frame) */
	return k > entered ? k - entered : 0;
}

int
tr_backtrace_thread(struct tr_tracer *t, struct tr_debuginfo *di,
		    struct tr_unwinder *u, pid_t tid,
		    struct tr_bt_frame *frames, size_t max, size_t *n)
{
	struct tr_frame fr[64];
	struct tr_loc_regs regs;
	struct tr_state st;
	size_t nf = 0, nv = 0;
	unsigned hidden;
	int err;

	*n = 0;
	err = tr_state_get(t, &st);
	if (err)
		return err;
	if (!tid)
		tid = st.current_tid;
	memset(&regs, 0, sizeof(regs));
	err = tr_regs_get(t, tid, &regs.gp);
	if (err)
		return err;
	regs.has_fp = tr_fpregs_get(t, tid, &regs.fp) == 0;
	tr_debuginfo_refresh(di, NULL);
	/* a few frames more than shown: callers give entry values, and
	 * theirs (a value passed on as it came: DW_OP_entry_value in the
	 * call site's DW_AT_call_value) */
	err = tr_backtrace(u, &regs.gp, tr_mem_read_cb, t, fr,
			   max < 64 - ENTRY_DEPTH ? max + ENTRY_DEPTH : 64, &nf);
	if (err < 0 && err != -TR_ERANGE && nf == 0)
		return err;
	hidden = nf ? tr_inline_hidden(t, di, tid, fr[0].pc) : 0;
	for (size_t i = 0; i < nf && nv < max; i++) {
		struct tr_inline inl[32];
		struct tr_location loc;
		uint64_t lpc = tr_unwind_lookup_pc(&fr[i]);
		bool have = tr_debuginfo_describe(di, lpc, &loc) == 0;
		size_t k = 0;

		tr_debuginfo_inlines(di, lpc, inl, 32, &k);
		if (k > 32)
			k = 32;
		/* The inlined calls at pc first, innermost first, then the
		 * function itself: each shows the line of the call made
		 * inside it. */
		for (size_t L = i ? 0 : hidden; L <= k && nv < max; L++) {
			struct tr_bt_frame *f = &frames[nv++];

			memset(f, 0, sizeof(*f));
			f->pc = fr[i].pc;
			f->guessed = fr[i].how == TR_FRAME_GUESS;
			f->sigtramp = fr[i].sigtramp && L == 0;
			f->inlined = L < k;
			f->inline_caller = L > 0;
			f->hides_inlined = !i && L == hidden && hidden;
			/* hiding an inlined call that has no call line:
			 * gdb shows the line table's line and the pc */
			if (f->hides_inlined && !inl[L - 1].call_line)
				f->inline_caller = false;
			if (have) {
				f->function = L < k && inl[L].name ?
					inl[L].name : loc.function;
				f->offset = fr[i].pc - (lpc - loc.offset);
				f->file = loc.file;
				f->line = loc.line;
				f->module = loc.module ? loc.module->name
						       : NULL;
				if (L > 0 && inl[L - 1].call_line) {
					f->file = inl[L - 1].call_file;
					f->line = inl[L - 1].call_line;
				}
			}
			frame_args(t, di, fr, &regs, &fr[i], &fr[nf],
				   i == 0 ? &regs : NULL, (unsigned)L, inl, k,
				   f);
		}
		/* gdb's default (backtrace past-main off): the frames of
		 * libc's start-up code above main are not the program's. */
		if (have && loc.function && loc.dwfunc &&
		    strcmp(loc.function, "main") == 0) {
			*n = nv;
			return 0;
		}
		if (nv == max && i + 1 < nf) {
			*n = nv;
			return -TR_ERANGE; /* more frames than asked for */
		}
	}
	*n = nv;
	return 0;
}

int
tr_return_value(struct tr_tracer *t, struct tr_debuginfo *di, uint64_t fn_pc,
		const struct user_regs_struct *regs,
		const struct user_fpregs_struct *fp, char *out, size_t len)
{
	const struct tr_type *type;
	uint8_t b[16];
	int err = tr_return_value_raw(di, fn_pc, regs, fp, &type, b);

	if (err)
		return err;
	fmt_value(t, di, type, b, out, len);
	return 0;
}

int
tr_return_value_raw(struct tr_debuginfo *di, uint64_t fn_pc,
		    const struct user_regs_struct *regs,
		    const struct user_fpregs_struct *fp,
		    const struct tr_type **type, uint8_t bytes[16])
{
	struct tr_location loc;
	const struct tr_type *ft, *rt;
	uint8_t *b = bytes;
	int err;

	if (tr_debuginfo_describe(di, fn_pc, &loc) < 0 || !loc.dwfunc)
		return -TR_ENOENT;
	err = tr_dwarf_type_get(loc.dwarf, loc.dwfunc->die, &ft);
	if (err)
		return err;
	rt = tr_type_strip(ft->target);
	switch (rt->kind) {
	case TR_TYPE_VOID:
		return -TR_ENOENT;
	case TR_TYPE_BASE:
	case TR_TYPE_ENUM:
	case TR_TYPE_POINTER:
		break;
	default:
		return -TR_ENOTSUP;
	}
	/* System V: floating point comes back in xmm0, the rest in rax. */
	if (rt->kind == TR_TYPE_BASE && rt->encoding == TR_ENC_FLOAT) {
		if (!fp || rt->size > 8)
			return -TR_ENOTSUP;
		memcpy(b, &fp->xmm_space[0], 8);
	} else {
		memcpy(b, &regs->rax, 8);
	}
	*type = ft->target;
	return 0;
}
