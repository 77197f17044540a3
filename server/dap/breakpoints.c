/* breakpoints.c: DAP breakpoints: setBreakpoints (conditions, hit conditions, logpoints), setFunctionBreakpoints, setInstructionBreakpoints, setExceptionBreakpoints (signals as C's exceptions), and what a hit of one means. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "core/sess.h"
#include "dap/breakpoints.h"
#include "dap/reply.h"
#include "dap/request.h"
#include "dap/source.h"
#include "dap/stack.h"
#include "symbols/debuginfo.h"

/* --- hit conditions -------------------------------------------------- */

/*
 * A hit condition says at which hits (counted from 1) a breakpoint
 * stops: "N" or ">= N" from the Nth on (gdb's ignore count N-1), "== N"
 * (or "= N") only the Nth, "> N", "< N", "<= N", and "% N" every Nth.
 * Returns 1 stop, 0 not, -1 for a malformed condition.
 */
static int
hit_cond_eval(const char *c, uint64_t hits)
{
	char op[3] = "";
	unsigned long long n;
	int k = 0;
	char *end;

	while (*c == ' ')
		c++;
	while (k < 2 && (*c == '<' || *c == '>' || *c == '=' || *c == '%'))
		op[k++] = *c++;
	while (*c == ' ')
		c++;
	if (*c < '0' || *c > '9')
		return -1;
	n = strtoull(c, &end, 10);
	while (*end == ' ')
		end++;
	if (*end)
		return -1;
	if (!*op || !strcmp(op, ">="))
		return hits >= n;
	if (!strcmp(op, "==") || !strcmp(op, "="))
		return hits == n;
	if (!strcmp(op, ">"))
		return hits > n;
	if (!strcmp(op, "<"))
		return hits < n;
	if (!strcmp(op, "<="))
		return hits <= n;
	if (!strcmp(op, "%"))
		return n && hits % n == 0;
	return -1;
}

/* --- the list -------------------------------------------------------- */

static void
bp_free(struct dap_bp *b)
{
	free(b->path);
	free(b->spec);
	free(b->cond);
	free(b->hit_cond);
	free(b->log);
	free(b);
}

/* Delete the client's breakpoints of one kind (and source path). */
static void
drop_kind(struct dap *d, uint32_t kind, const char *path)
{
	struct dap_bp **pp = &d->bps;

	while (*pp) {
		struct dap_bp *b = *pp;

		if (b->kind == kind &&
		    (!path || (b->path && !strcmp(b->path, path)))) {
			if (b->id && d->t && kind == DAP_BP_DATA)
				tr_session_watch_delete(d->s, b->id);
			else if (b->id && d->t)
				tr_break_delete(d->t, b->id);
			*pp = b->next;
			bp_free(b);
		} else {
			pp = &b->next;
		}
	}
}

void
dap_bps_clear(struct dap *d)
{
	for (struct dap_bp *b = d->bps; b; b = b->next)
		if (b->id && d->t) {
			if (b->kind == DAP_BP_DATA)
				tr_session_watch_delete(d->s, b->id);
			else
				tr_break_delete(d->t, b->id);
			b->id = 0;
		}
}

void
dap_bps_free(struct dap *d)
{
	while (d->bps) {
		struct dap_bp *b = d->bps;

		d->bps = b->next;
		bp_free(b);
	}
}

/* Where a breakpoint landed: the source line of its first location. */
struct where {
	uint64_t addr;
	char file[1024];
	uint32_t line;
};

static int
where_fn(struct tr_tracer *t, struct tr_debuginfo *di, struct tr_unwinder *u,
	 void *arg)
{
	struct where *w = arg;
	struct tr_location loc;
	int err = tr_debuginfo_describe(di, w->addr, &loc);

	if (err)
		return err;
	w->line = loc.line;
	snprintf(w->file, sizeof(w->file), "%s", loc.file ? loc.file : "");
	return 0;
}

/* Make breakpoint b at spec with condition cond (may be NULL) and write
 * it as a DAP Breakpoint. */
static void
make_one(struct dap *d, struct tr_jw *w, struct dap_bp *b, const char *spec,
	 const char *cond)
{
	struct tr_expr_err e = { 0 };
	struct tr_break_info bi;
	uint64_t loc = 0;
	char msg[sizeof(((struct tr_expr_err *)0)->msg)] = "";
	struct where wh = { 0 };
	int err = 0;

	if (b->hit_cond && hit_cond_eval(b->hit_cond, 1) < 0) {
		snprintf(msg, sizeof(msg), "hit condition \"%s\": expected "
			 "N, >= N, == N, > N, < N, <= N or %% N", b->hit_cond);
		err = -TR_EINVAL;
	}
	if (!err) {
		err = tr_session_break(d->s, spec, cond && *cond ? cond : NULL,
				       NULL, &b->id, &e);
		if (err == -TR_EINVAL && e.msg[0])
			snprintf(msg, sizeof(msg), "%s", e.msg);
		else if (err)
			snprintf(msg, sizeof(msg), "%.300s: %s", spec,
				 tr_strerror(err));
	}
	tr_jw_obj_begin(w);
	if (err) {
		b->id = 0;
		tr_jw_key(w, "verified");
		tr_jw_bool(w, false);
		tr_jw_key(w, "message");
		tr_jw_cstr(w, msg);
		if (b->line) {
			tr_jw_key(w, "line");
			tr_jw_uint(w, b->line);
		}
		tr_jw_obj_end(w);
		return;
	}
	tr_jw_key(w, "id");
	tr_jw_uint(w, b->id);
	tr_break_info(d->t, b->id, &bi, &loc, 1);
	tr_jw_key(w, "verified");
	tr_jw_bool(w, bi.nlocs > 0);
	b->verified = bi.nlocs > 0;
	if (!bi.nlocs) {
		tr_jw_key(w, "message");
		tr_jw_cstr(w, "pending: no code there yet (a library not "
			      "loaded yet?)");
	} else {
		wh.addr = loc;
		tr_jw_key(w, "instructionReference");
		snprintf(msg, sizeof(msg), "0x%llx", (unsigned long long)loc);
		tr_jw_cstr(w, msg);
		if (tr_session_run(d->s, where_fn, &wh) == 0 && wh.line) {
			const char *base = strrchr(wh.file, '/');

			tr_jw_key(w, "line");
			tr_jw_uint(w, wh.line);
			tr_jw_key(w, "source");
			tr_jw_obj_begin(w);
			tr_jw_key(w, "name");
			tr_jw_cstr(w, base ? base + 1 : wh.file);
			tr_jw_key(w, "path");
			tr_jw_cstr(w, b->path ? b->path : wh.file);
			tr_jw_obj_end(w);
		}
	}
	tr_jw_obj_end(w);
}

static struct dap_bp *
bp_new(struct dap *d, uint32_t kind, const struct tr_json *sb)
{
	struct dap_bp *b = calloc(1, sizeof(*b));
	const char *hc = tr_json_str(tr_json_get(sb, "hitCondition"), NULL);
	const char *lm = tr_json_str(tr_json_get(sb, "logMessage"), NULL);

	if (!b)
		return NULL;
	b->kind = kind;
	const char *c = tr_json_str(tr_json_get(sb, "condition"), NULL);

	if (c && *c)
		b->cond = strdup(c);
	if (hc && *hc)
		b->hit_cond = strdup(hc);
	if (lm && *lm)
		b->log = strdup(lm);
	b->next = d->bps;
	d->bps = b;
	return b;
}

/* The body {"breakpoints": [...]} of a set*Breakpoints response, one
 * entry per element of the array `key` of q's arguments, each made by
 * spec_of. */
static int
set_list(struct dap *d, const struct dap_req *q, uint32_t kind,
	 const char *path, const char *key,
	 int (*spec_of)(const struct tr_json *sb, char *spec, size_t len,
			uint32_t *line))
{
	const struct tr_json *arr = dap_arg(q, key);
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc))
		return rc;
	drop_kind(d, kind, path);
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "breakpoints");
	tr_jw_arr_begin(&w);
	for (size_t i = 0; i < tr_json_len(arr); i++) {
		const struct tr_json *sb = tr_json_at(arr, i);
		const char *cond = tr_json_str(tr_json_get(sb, "condition"),
					       NULL);
		struct dap_bp *bp = bp_new(d, kind, sb);
		char spec[1200];

		if (!bp)
			break;
		if (path)
			bp->path = strdup(path);
		if (spec_of(sb, spec, sizeof(spec), &bp->line)) {
			tr_jw_obj_begin(&w);
			tr_jw_key(&w, "verified");
			tr_jw_bool(&w, false);
			tr_jw_key(&w, "message");
			tr_jw_cstr(&w, spec);
			tr_jw_obj_end(&w);
			continue;
		}
		if (path)
			dap_src_spec(d, path, bp->line, spec, sizeof(spec));
		else
			bp->spec = strdup(spec);
		make_one(d, &w, bp, spec, cond);
	}
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	dap_unlock(d);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}

static int
line_spec(const struct tr_json *sb, char *spec, size_t len, uint32_t *line)
{
	int64_t l;

	if (tr_json_int64(tr_json_get(sb, "line"), &l) || l < 1 ||
	    l > UINT32_MAX) {
		snprintf(spec, len, "a source breakpoint needs a \"line\"");
		return -1;
	}
	*line = (uint32_t)l;
	return 0;
}

int
dap_r_setBreakpoints(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *src = dap_arg(q, "source");
	const char *path = tr_json_str(tr_json_get(src, "path"), NULL);

	if (!path || !*path)
		return dap_fail(d, q, "setBreakpoints: \"source\" needs a "
				"\"path\"");
	return set_list(d, q, DAP_BP_SOURCE, path, "breakpoints", line_spec);
}

static int
func_spec(const struct tr_json *sb, char *spec, size_t len, uint32_t *line)
{
	const char *n = tr_json_str(tr_json_get(sb, "name"), NULL);

	if (!n || !*n || strlen(n) >= len) {
		snprintf(spec, len, "a function breakpoint needs a \"name\"");
		return -1;
	}
	snprintf(spec, len, "%s", n);
	return 0;
}

int
dap_r_setFunctionBreakpoints(struct dap *d, const struct dap_req *q)
{
	return set_list(d, q, DAP_BP_FUNCTION, NULL, "breakpoints",
			func_spec);
}

static int
insn_spec(const struct tr_json *sb, char *spec, size_t len, uint32_t *line)
{
	const char *r = tr_json_str(tr_json_get(sb, "instructionReference"),
				    NULL);
	int64_t off = 0;
	unsigned long long a;
	char *end;

	tr_json_int64(tr_json_get(sb, "offset"), &off);
	if (!r || !*r)
		goto bad;
	a = strtoull(r, &end, 0);
	if (*end)
		goto bad;
	snprintf(spec, len, "*0x%llx", a + (unsigned long long)off);
	return 0;
bad:
	snprintf(spec, len, "an instruction breakpoint needs an "
		 "\"instructionReference\" (an address)");
	return -1;
}

int
dap_r_setInstructionBreakpoints(struct dap *d, const struct dap_req *q)
{
	return set_list(d, q, DAP_BP_INSN, NULL, "breakpoints", insn_spec);
}

/* --- signals as exceptions ------------------------------------------- */

static const struct {
	const char *filter, *label;
	int sig;
	bool def;
} filters[] = {
	{ "SIGSEGV", "SIGSEGV (invalid memory access)", SIGSEGV, true },
	{ "SIGABRT", "SIGABRT (abort, failed assert)", SIGABRT, true },
	{ "SIGFPE", "SIGFPE (arithmetic error)", SIGFPE, true },
	{ "SIGBUS", "SIGBUS (bus error)", SIGBUS, true },
	{ "SIGILL", "SIGILL (illegal instruction)", SIGILL, true },
	{ "other", "Other signals (SIGINT, SIGUSR1, SIGTERM...)", 0, false },
};

#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

void
dap_exception_filters(struct tr_jw *w)
{
	tr_jw_arr_begin(w);
	for (size_t i = 0; i < NFILTERS; i++) {
		tr_jw_obj_begin(w);
		tr_jw_key(w, "filter");
		tr_jw_cstr(w, filters[i].filter);
		tr_jw_key(w, "label");
		tr_jw_cstr(w, filters[i].label);
		tr_jw_key(w, "default");
		tr_jw_bool(w, filters[i].def);
		tr_jw_obj_end(w);
	}
	tr_jw_arr_end(w);
}

static void
set_filter(struct dap *d, size_t i)
{
	if (filters[i].sig) {
		d->sig_stop[filters[i].sig] = true;
		return;
	}
	/* "other": every signal no filter names, but those a program gets
	 * in its normal life that gdb passes silently too */
	for (int s = 1; s < DAP_NSIG; s++) {
		bool named = false;

		for (size_t k = 0; k < NFILTERS; k++)
			named |= filters[k].sig == s;
		if (!named && s != SIGCHLD && s != SIGALRM && s != SIGWINCH &&
		    s != SIGURG && s != SIGPROF && s != SIGIO && s != SIGVTALRM)
			d->sig_stop[s] = true;
	}
}

void
dap_exception_defaults(struct dap *d)
{
	memset(d->sig_stop, 0, sizeof(d->sig_stop));
	for (size_t i = 0; i < NFILTERS; i++)
		if (filters[i].def)
			set_filter(d, i);
}

int
dap_r_setExceptionBreakpoints(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *f = dap_arg(q, "filters");
	bool on[NFILTERS] = { false };

	for (size_t i = 0; i < tr_json_len(f); i++) {
		const char *s = tr_json_str(tr_json_at(f, i), NULL);
		size_t k;

		for (k = 0; s && k < NFILTERS; k++)
			if (!strcmp(s, filters[k].filter))
				break;
		if (!s || k == NFILTERS)
			return dap_fail(d, q, "unknown exception filter "
					"\"%s\"", s ? s : "?");
		on[k] = true;
	}
	memset(d->sig_stop, 0, sizeof(d->sig_stop));
	for (size_t i = 0; i < NFILTERS; i++)
		if (on[i])
			set_filter(d, i);
	return dap_ok(d, q);
}

/* --- hits ------------------------------------------------------------ */

/* A logpoint's message with each {expression} replaced by its value
 * (or <error>), "{{" and "}}" for braces. */
static void
log_message(struct dap *d, const struct dap_bp *b, pid_t tid)
{
	struct tr_buf out;
	const char *p = b->log;

	tr_buf_init(&out);
	while (*p) {
		const char *close;
		char val[4096], *expr;
		struct tr_expr_err e = { 0 };
		int err;

		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			tr_buf_append(&out, p, 1);
			p += 2;
			continue;
		}
		if (*p != '{' || !(close = strchr(p + 1, '}'))) {
			tr_buf_append(&out, p, 1);
			p++;
			continue;
		}
		expr = strndup(p + 1, (size_t)(close - p - 1));
		err = expr ? tr_session_eval(d->s, expr, tid, 0, val,
					     sizeof(val), &e)
			   : -TR_ENOMEM;
		if (err)
			snprintf(val, sizeof(val), "<%s>",
				 e.msg[0] ? e.msg : tr_strerror(err));
		tr_buf_append(&out, val, strlen(val));
		free(expr);
		p = close + 1;
	}
	tr_buf_append(&out, "\n", 1);
	dap_output(d, "console", out.data, out.len);
	tr_buf_free(&out);
}

int
dap_bp_hit(struct dap *d, const struct tr_event *ev, const char **reason)
{
	struct dap_bp *b;

	for (b = d->bps; b && b->id != ev->bpnum; b = b->next)
		;
	if (!b) {
		*reason = "breakpoint"; /* another client's */
		return 1;
	}
	b->hits++;
	if (b->hit_cond && hit_cond_eval(b->hit_cond, b->hits) != 1)
		return 0;
	if (b->log) {
		log_message(d, b, ev->tid);
		return 0;
	}
	*reason = b->kind == DAP_BP_FUNCTION ? "function breakpoint"
		: b->kind == DAP_BP_INSN   ? "instruction breakpoint"
		: b->kind == DAP_BP_DATA   ? "data breakpoint"
					   : "breakpoint";
	return 1;
}

/* The client's breakpoints made again in a new session (restart), each
 * as it was asked for; a breakpoint event for each with its new id. */
void
dap_bps_remake(struct dap *d)
{
	for (struct dap_bp *b = d->bps; b; b = b->next) {
		struct tr_buf buf;
		struct tr_jw w;
		char spec[1200];

		if (b->kind == DAP_BP_DATA) {
			b->id = 0; /* a watched object is of the old process */
			continue;
		}
		if (b->kind == DAP_BP_SOURCE)
			dap_src_spec(d, b->path, b->line, spec, sizeof(spec));
		else
			snprintf(spec, sizeof(spec), "%s", b->spec ? b->spec
								  : "");
		b->hits = 0;
		tr_buf_init(&buf);
		dap_event_begin(d, &w, &buf, "breakpoint");
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "reason");
		tr_jw_cstr(&w, "changed");
		tr_jw_key(&w, "breakpoint");
		make_one(d, &w, b, spec, b->cond);
		tr_jw_obj_end(&w);
		dap_send(d, &w, &buf);
		tr_buf_free(&buf);
	}
}

/* Pending breakpoints that have a location now: a breakpoint event
 * each (a library they name was loaded). */
void
dap_bps_verify(struct dap *d)
{
	for (struct dap_bp *b = d->bps; b; b = b->next) {
		struct tr_break_info bi;
		uint64_t loc = 0;
		struct where wh = { 0 };
		struct tr_buf buf;
		struct tr_jw w;

		if (b->verified || !b->id || b->kind == DAP_BP_DATA ||
		    tr_break_info(d->t, b->id, &bi, &loc, 1) || !bi.nlocs)
			continue;
		b->verified = true;
		wh.addr = loc;
		tr_buf_init(&buf);
		dap_event_begin(d, &w, &buf, "breakpoint");
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "reason");
		tr_jw_cstr(&w, "changed");
		tr_jw_key(&w, "breakpoint");
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "id");
		tr_jw_uint(&w, b->id);
		tr_jw_key(&w, "verified");
		tr_jw_bool(&w, true);
		if (tr_session_run(d->s, where_fn, &wh) == 0 && wh.line) {
			tr_jw_key(&w, "line");
			tr_jw_uint(&w, wh.line);
		}
		tr_jw_obj_end(&w);
		tr_jw_obj_end(&w);
		dap_send(d, &w, &buf);
		tr_buf_free(&buf);
	}
}

/* --- data breakpoints (watchpoints) ---------------------------------- */

/*
 * A dataId names what to watch: "TID:FRAME:EXPRESSION", the expression
 * evaluated in that frame when the data breakpoint is set (a local
 * watched goes when its frame returns, as gdb's watch).
 */
int
dap_r_dataBreakpointInfo(struct dap *d, const struct dap_req *q)
{
	const char *name = dap_arg_str(q, "name");
	int64_t vref = dap_arg_int(q, "variablesReference", 0);
	const struct dap_ref *r = vref ? dap_ref_get(d, vref) : NULL;
	const struct dap_frame *f = dap_frame_get(d, dap_arg_int(q, "frameId",
								0));
	char expr[1024];
	struct tr_session_watch w = { .kind = TR_WATCH_WRITE };
	struct tr_expr_err e = { 0 };
	pid_t tid = f ? f->tid : d->last_tid;
	unsigned level = f ? f->level : 0;
	char id[1200];
	struct tr_buf b;
	struct tr_jw jw;
	int rc, err;
	bool found;

	if (!name)
		return dap_fail(d, q, "dataBreakpointInfo: \"name\" is "
				"required");
	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc))
		return rc;
	if (r) {
		tid = r->tid;
		level = r->frame;
	}
	/* registers cannot be watched */
	found = (!r || r->kind != DAP_REF_REGS) &&
		dap_child_expr(d, r, name, expr, sizeof(expr));
	tr_buf_init(&b);
	dap_response_begin(d, &jw, &b, q);
	tr_jw_obj_begin(&jw);
	/* what can be watched: an lvalue in memory (tried by making the
	 * watchpoint, and deleting it) */
	err = found ? tr_session_watch(d->s, expr, tid, level, NULL, &w, &e)
		    : -TR_EINVAL;
	if (!err)
		tr_session_watch_delete(d->s, w.id);
	dap_unlock(d);
	tr_jw_key(&jw, "dataId");
	if (err) {
		tr_jw_null(&jw);
		tr_jw_key(&jw, "description");
		tr_jw_cstr(&jw, e.msg[0] ? e.msg : "not an object in memory");
	} else {
		snprintf(id, sizeof(id), "%d:%u:%s", (int)tid, level, expr);
		tr_jw_cstr(&jw, id);
		snprintf(id, sizeof(id), "%s (%zu bytes at 0x%llx)", expr,
			 w.len, (unsigned long long)w.addr);
		tr_jw_key(&jw, "description");
		tr_jw_cstr(&jw, id);
		tr_jw_key(&jw, "accessTypes");
		tr_jw_arr_begin(&jw);
		tr_jw_cstr(&jw, "write");
		tr_jw_cstr(&jw, "read");
		tr_jw_cstr(&jw, "readWrite");
		tr_jw_arr_end(&jw);
	}
	tr_jw_obj_end(&jw);
	rc = dap_send(d, &jw, &b);
	tr_buf_free(&b);
	return rc;
}

int
dap_r_setDataBreakpoints(struct dap *d, const struct dap_req *q)
{
	const struct tr_json *arr = dap_arg(q, "breakpoints");
	struct tr_buf b;
	struct tr_jw w;
	int rc;

	if (!dap_stopped(d, q, &rc) || !dap_lock(d, q, &rc))
		return rc;
	drop_kind(d, DAP_BP_DATA, NULL);
	tr_buf_init(&b);
	dap_response_begin(d, &w, &b, q);
	tr_jw_obj_begin(&w);
	tr_jw_key(&w, "breakpoints");
	tr_jw_arr_begin(&w);
	for (size_t i = 0; i < tr_json_len(arr); i++) {
		const struct tr_json *sb = tr_json_at(arr, i);
		const char *id = tr_json_str(tr_json_get(sb, "dataId"), NULL);
		const char *at = tr_json_str(tr_json_get(sb, "accessType"),
					     NULL);
		const char *cond = tr_json_str(tr_json_get(sb, "condition"),
					       NULL);
		struct tr_session_watch ws = { .kind = TR_WATCH_WRITE };
		struct tr_expr_err e = { 0 };
		struct dap_bp *bp = bp_new(d, DAP_BP_DATA, sb);
		unsigned level = 0;
		int tid = 0, used = 0, err = -TR_EINVAL;

		if (!bp)
			break;
		if (at && !strcmp(at, "read"))
			ws.kind = TR_WATCH_READ;
		else if (at && !strcmp(at, "readWrite"))
			ws.kind = TR_WATCH_ACCESS;
		if (id && sscanf(id, "%d:%u:%n", &tid, &level, &used) == 2 &&
		    used > 0)
			err = tr_session_watch(d->s, id + used, tid, level,
					       cond && *cond ? cond : NULL,
					       &ws, &e);
		tr_jw_obj_begin(&w);
		tr_jw_key(&w, "verified");
		tr_jw_bool(&w, !err);
		if (err) {
			tr_jw_key(&w, "message");
			tr_jw_cstr(&w, e.msg[0] ? e.msg : "bad dataId");
		} else {
			bp->id = ws.id;
			tr_jw_key(&w, "id");
			tr_jw_uint(&w, ws.id);
		}
		tr_jw_obj_end(&w);
	}
	tr_jw_arr_end(&w);
	tr_jw_obj_end(&w);
	dap_unlock(d);
	rc = dap_send(d, &w, &b);
	tr_buf_free(&b);
	return rc;
}
