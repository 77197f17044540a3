/* session.c: one debugging session: the tracer thread, the event-loop thread and the expression-interpreter thread. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/user.h>

#include "control/backtrace.h"
#include "symbols/debuginfo.h"
#include "base/error.h"
#include "eval/expr_eval.h"
#include "eval/fastcond.h"
#include "eval/inject.h"
#include "eval/tls.h"
#include "base/log.h"
#include "session/session.h"
#include "symbols/scope.h"
#include "control/sigpolicy.h"
#include "control/watchpoint.h"
#include "target/slab.h"
#include "target/vregs.h"
#include "symbols/symtab.h"
#include "symbols/unwind.h"

#define DEFAULT_CALL_TIMEOUT_MS 5000

/*
 * A breakpoint condition, compiled once: its tree, and whether it calls
 * functions. One that does not is evaluated by cond_on_tracer() on the
 * tracer thread at the hit; one that does makes the hit a stop, and the
 * event loop has the interpreter evaluate it, resuming when it is false.
 */
struct cond {
	uint32_t bpnum;
	char *src;
	struct tr_ast *ast;
	bool calls;
	bool watch;        /* a watchpoint's: never compiled */
	uint32_t ignore;   /* calling conditions: hits still to ignore */
	/* locations the compiler was tried at (fastcond.h), once each */
	uint64_t tried[8];
	unsigned ntried;
	struct tr_session *s;
	struct cond *next;
};

enum job_kind {
	JOB_EVAL = 1,     /* interpreter */
	JOB_WHATIS = 2,   /* interpreter */
	JOB_COND = 3,     /* interpreter: a calling condition at a hit */
	JOB_CONT = 4,     /* event loop */
	JOB_STEP = 5,     /* event loop */
	JOB_QUIT = 6,
	JOB_CHECK = 8,    /* interpreter: do a condition's names exist? */
	JOB_FN = 9,       /* interpreter: a caller's function (tr_session_run) */
	JOB_VARS = 10,    /* interpreter: a frame's locals or arguments */
	JOB_WATCH = 11,   /* interpreter: where an expression to watch is */
	JOB_WATCHVAL = 12, /* interpreter: a watchpoint's values, printed */
	JOB_TREE = 13,    /* interpreter: structured values (valtree.h) */
};

struct job {
	enum job_kind kind;
	const char *expr;
	const struct tr_ast *ast; /* JOB_COND */
	pid_t tid;
	int sig;
	unsigned frame;
	char *out;
	size_t len;
	struct tr_expr_err *err;
	struct tr_event *ev;
	bool truth;               /* JOB_COND */
	uint64_t pc;              /* JOB_CHECK: where it is evaluated;
				     JOB_STEP: a range step's start
				     (len: its length) */
	tr_session_fn fn;         /* JOB_FN */
	tr_session_var_fn var_fn; /* JOB_VARS */
	void *arg;                /* JOB_FN, JOB_VARS */
	bool params;              /* JOB_VARS: arguments, else locals */
	struct tr_session_watch *watch; /* JOB_WATCH, JOB_WATCHVAL */
	char *out2;               /* JOB_WATCHVAL: the new value */
	struct tr_print_opts popts; /* JOB_EVAL */
	unsigned *histno;         /* JOB_EVAL: the value's $N, 0: none */
	bool ptype;               /* JOB_WHATIS: ptype, else whatis */
	const struct tr_tree_req *tree; /* JOB_TREE */
	tr_vnode_fn node_fn;      /* JOB_TREE */
};

struct tr_session {
	struct tr_tracer *t;
	struct tr_session_opts opts;
	struct tr_slab *islab;   /* requests to the interpreter */
	struct tr_slab *lslab;   /* requests to the event loop */
	pthread_t ith, lth;
	bool ith_up, lth_up;
	_Atomic pid_t pid;

	/* the interpreter thread's own */
	struct tr_debuginfo *idi;
	struct tr_unwinder *iunw;
	pid_t ipid;
	uint64_t iruns;    /* tr_run_count() when idi was refreshed */
	uint64_t ret_addr;

	/* the tracer thread's own (conditions evaluated there) */
	struct tr_debuginfo *cdi;
	struct tr_unwinder *cunw;
	pid_t cpid;

	pthread_mutex_t lock;    /* conds */
	struct cond *conds;

	struct tr_hist *hist;    /* value history, convenience variables */

	/* signals: gdb's handle, under lock */
	struct tr_sigpolicy sigpol;
	/* the event loop's: the last stop it returned, and the signals
	 * passed on without stopping that print, during the last run
	 * (read by the requester after it, under lock) */
	struct tr_event last_ev;
	struct tr_event seen[TR_SESSION_SEEN_MAX];
	size_t nseen;
};

/* ---- running a job on a session thread ------------------------------ */

static int
submit(struct tr_slab *slab, struct job *j)
{
	struct tr_req *r = tr_slab_get(slab);
	int err;

	r->op = (uint16_t)j->kind;
	r->arg = j;
	tr_slab_submit(slab, r);
	err = tr_slab_wait(slab, r);
	tr_slab_put(slab, r);
	return err;
}

/* The loop of the interpreter and event-loop threads: serve requests,
 * spinning briefly by the slab's policy before sleeping on its eventfd. */
static void
serve(struct tr_session *s, struct tr_slab *slab,
      int (*run)(struct tr_session *, struct job *))
{
	struct pollfd pfd = { .fd = tr_slab_server_fd(slab), .events = POLLIN };
	bool quit = false;

	tr_slab_server_bind(slab);
	while (!quit) {
		struct tr_req *r;
		bool got = false;

		while ((r = tr_slab_server_next(slab))) {
			struct job *j = r->arg;
			int res;

			if (j->kind == JOB_QUIT) {
				quit = true;
				res = 0;
			} else {
				res = run(s, j);
			}
			tr_slab_complete(slab, r, res);
			got = true;
		}
		if (got || quit)
			continue;
		if (tr_slab_server_spin(slab))
			continue;
		if (tr_slab_server_sleep_prepare(slab))
			continue;
		poll(&pfd, 1, 500);
		tr_slab_server_sleep_end(slab);
	}
}

/* ---- the interpreter ------------------------------------------------ */

static int
slab_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct tr_session *s = ctx;

	return tr_mem_read(s->t, addr, buf, len, NULL);
}

static int
slab_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct tr_session *s = ctx;

	return tr_mem_write(s->t, addr, buf, len, NULL);
}

struct ienv {
	struct tr_session *s;
	pid_t tid;
};

static _Thread_local struct ienv cur_ienv;

static int
slab_siginfo(void *ctx, void *buf)
{
	struct tr_session *s = ctx;

	return tr_siginfo_get(s->t, cur_ienv.tid, buf);
}

static int
slab_vregs(void *ctx, struct tr_vregs *out)
{
	struct tr_session *s = ctx;

	return tr_vregs_get(s->t, cur_ienv.tid, out);
}

static int
slab_tls(void *ctx, uint64_t bias, uint64_t offset, uint64_t *out)
{
	struct tr_session *s = ctx;
	char why[200];

	return tr_tls_address_at(s->t, s->idi, cur_ienv.tid, bias, offset,
				 out, why, sizeof(why));
}

static int
slab_set_regs(void *ctx, const struct user_regs_struct *r)
{
	struct tr_session *s = ctx;

	return tr_regs_set(s->t, cur_ienv.tid, r);
}

static int
slab_call(void *ctx, struct tr_call *c, char *why, size_t len)
{
	struct tr_session *s = ctx;

	c->ret_addr = s->ret_addr;
	c->timeout_ms = s->opts.call_timeout_ms;
	return tr_inject_call(s->t, cur_ienv.tid, c, NULL, why, len);
}

/* The interpreter's view of the target: debug info, unwinder, the int3
 * injected calls return to; made again when the target changes. */
static int
interp_target(struct tr_session *s)
{
	pid_t pid = atomic_load(&s->pid);
	int err;

	if (!pid)
		return -TR_ENOTARGET;
	if (s->ipid == pid && s->idi) {
		/* the maps are read again only after the target ran */
		uint64_t runs = tr_run_count(s->t);

		if (runs != s->iruns) {
			bool changed = false;

			tr_debuginfo_refresh(s->idi, &changed);
			if (changed)
				tr_hist_types_changed(s->hist);
			s->iruns = runs;
		}
		return 0;
	}
	tr_hist_types_changed(s->hist);
	if (s->iunw)
		tr_unwinder_free(s->iunw);
	if (s->idi)
		tr_debuginfo_free(s->idi);
	s->iunw = NULL;
	s->idi = NULL;
	s->ret_addr = 0;
	if ((err = tr_debuginfo_new(pid, &s->idi)) ||
	    (err = tr_unwinder_new(s->idi, &s->iunw)))
		return err;
	s->ipid = pid;
	s->iruns = tr_run_count(s->t);
	return 0;
}

static void
set_err(struct tr_expr_err *err, uint32_t pos, const char *msg)
{
	if (!err)
		return;
	err->pos = pos;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* Set up an env for thread tid, frame `frame`, with the slab backend. */
static int
ienv_init(struct tr_session *s, struct tr_eval_env *e, pid_t tid,
	  unsigned frame)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->di = s->idi;
	e->unw = s->iunw;
	e->read = slab_read;
	e->write = slab_write;
	e->set_regs = slab_set_regs;
	e->call = slab_call;
	e->ctx = s;
	e->frame = frame;
	e->hist = s->hist;
	e->siginfo = slab_siginfo;
	e->tls = slab_tls;
	e->vregs = slab_vregs;
	cur_ienv.s = s;
	cur_ienv.tid = tid;
	err = tr_regs_get(s->t, tid, &e->regs.gp);
	if (err == 0) {
		e->have_regs = true;
		e->regs.has_fp = tr_fpregs_get(s->t, tid, &e->regs.fp) == 0;
		e->inline_hidden = tr_inline_hidden(s->t, s->idi, tid,
						    e->regs.gp.rip);
	} else if (err != -TR_ERUNNING && err != -TR_EGONE &&
		   err != -TR_ENOTARGET) {
		return err;
	}
	/* a program that exited still has its history and convenience
	 * variables ($_exitcode), and its globals' types */
	return tr_eval_env_init(e);
}


/* Every name of the tree is a variable visible at pc, a function or a
 * symbol: else gdb's error, at the name. */
static int
check_names(struct tr_session *s, struct tr_scope *sc, const struct tr_ast *a,
	    struct tr_expr_err *err)
{
	struct tr_symtab *st = tr_debuginfo_symtab(s->idi);
	struct tr_var v;
	struct tr_sym sym;
	int e;

	if (!a)
		return 0;
	if (a->kind == TR_AST_IDENT &&
	    !(sc && tr_scope_lookup(sc, a->name, &v) == 0) &&
	    tr_symtab_lookup(st, a->name, &sym) < 0) {
		bool found = false;

		for (size_t i = 0; i < tr_symtab_nmodules(st) && !found; i++) {
			struct tr_dwarf *dw = tr_debuginfo_dwarf(
				s->idi, tr_symtab_module(st, i));
			const struct tr_dw_entry *ent[1];
			size_t n = 0;

			found = dw && tr_dwarf_lookup(dw, a->name, 0, ent, 1,
						      &n) == 0 && n;
		}
		if (!found) {
			if (err) {
				err->pos = a->pos;
				snprintf(err->msg, sizeof(err->msg),
					 "No symbol \"%s\" in current "
					 "context.", a->name);
			}
			return -TR_ENOENT;
		}
	}
	if ((e = check_names(s, sc, a->a, err)) ||
	    (e = check_names(s, sc, a->b, err)) ||
	    (e = check_names(s, sc, a->c, err)))
		return e;
	for (size_t i = 0; i < a->nargs; i++)
		if ((e = check_names(s, sc, a->args[i], err)))
			return e;
	return 0;
}

static int
interp_check(struct tr_session *s, struct job *j)
{
	struct tr_symtab *st = tr_debuginfo_symtab(s->idi);
	const struct tr_module *m = tr_symtab_module_at(st, j->pc);
	struct tr_dwarf *dw = m ? tr_debuginfo_dwarf(s->idi, m) : NULL;
	struct tr_scope *sc = NULL;
	int err;

	if (dw && tr_scope_at(dw, j->pc - m->bias, &sc) < 0)
		sc = NULL;
	err = check_names(s, sc, j->ast, j->err);
	if (sc)
		tr_scope_free(sc);
	return err;
}

#define VARS_FRAMES 64

/*
 * The locals (innermost block first) or the arguments of the env's frame,
 * each printed as gdb's "info locals" / "info args" do: a shadowed local
 * is left out, since its name means the inner one here.
 */
/* One variable of a frame as a node: its value, or the error as its
 * value. */
static int
tree_var(struct tr_eval_env *e, const struct tr_ast *ast, const char *name,
	 struct job *j)
{
	struct tr_vnode *n = malloc(sizeof(*n));
	struct tr_value val;
	int err;

	if (!n)
		return -TR_ENOMEM;
	if (tr_eval(e, ast, &val) == 0) {
		tr_vtree_node(e, &val, name, name, n);
		tr_value_release(&val);
	} else {
		memset(n, 0, sizeof(*n));
		snprintf(n->name, sizeof(n->name), "%s", name);
		snprintf(n->expr, sizeof(n->expr), "%s", name);
		snprintf(n->value, sizeof(n->value), "<error: %s>", e->err);
	}
	err = j->node_fn(n, j->arg);
	free(n);
	return err;
}

/* An expression as a node (TR_TREE_EXPR), or its children
 * (TR_TREE_CHILDREN). */
static int
interp_tree(struct tr_eval_env *e, struct job *j)
{
	const struct tr_tree_req *rq = j->tree;
	struct tr_ast *ast = NULL;
	struct tr_expr_err perr;
	struct tr_value v;
	int err;

	err = tr_expr_parse(rq->expr, tr_eval_is_type, e, &ast, &perr);
	if (err) {
		if (j->err)
			*j->err = perr;
		return err;
	}
	/* hover: nothing that runs code in the target or writes it */
	if (rq->no_calls && tr_ast_has_call(ast)) {
		tr_ast_free(ast);
		set_err(j->err, 0, "expressions that call functions are not "
			"evaluated here (hover)");
		return -TR_EINVAL;
	}
	e->no_side_effects = rq->no_calls;
	err = tr_eval(e, ast, &v);
	tr_ast_free(ast);
	if (err) {
		set_err(j->err, e->errpos, e->err);
		return err;
	}
	if (rq->what == TR_TREE_CHILDREN) {
		err = tr_vtree_children(e, &v, rq->expr, rq->start, rq->count,
					j->node_fn, j->arg);
	} else {
		struct tr_vnode *n = malloc(sizeof(*n));

		err = -TR_ENOMEM;
		if (n) {
			tr_vtree_node(e, &v, rq->expr, rq->expr, n);
			err = j->node_fn(n, j->arg);
			free(n);
		}
	}
	tr_value_release(&v);
	return err;
}

static int
interp_vars(struct tr_session *s, struct tr_eval_env *e, struct job *j)
{
	struct tr_symtab *st = tr_debuginfo_symtab(s->idi);
	struct tr_frame fr[VARS_FRAMES];
	struct tr_scope *sc = NULL;
	const struct tr_module *m;
	struct tr_dwarf *dw;
	size_t nf = 0, phys = 0;
	unsigned level = 0;
	uint64_t pc;
	int err;

	bool params = j->kind == JOB_TREE ? j->tree->what == TR_TREE_ARGS
					  : j->params;

	if (!e->have_regs)
		return -TR_ERUNNING;
	/* the frame's pc: walk out to it as the evaluator did (inlined
	 * calls are frames of their own) */
	err = tr_backtrace(s->iunw, &e->regs.gp, slab_read, s, fr,
			   j->frame + 1 < VARS_FRAMES ? j->frame + 1
						      : VARS_FRAMES, &nf);
	/* (inlined calls count; hidden ones at frame 0 do not) */
	if ((err < 0 && err != -TR_ERANGE && !nf) ||
	    tr_unwind_frame_level(s->idi, fr, nf, j->frame + e->inline_hidden,
				  &phys, &level))
		return -TR_ERANGE;
	pc = tr_unwind_lookup_pc(&fr[phys]);
	m = tr_symtab_module_at(st, pc);
	dw = m ? tr_debuginfo_dwarf(s->idi, m) : NULL;
	if (!dw || tr_scope_at_level(dw, pc - m->bias, level, &sc) < 0) {
		set_err(j->err, 0, "No symbol table info available.");
		return -TR_ENOENT;
	}
	err = 0;
	for (size_t i = 0; i < sc->nvars && !err; i++) {
		const struct tr_var *v = &sc->vars[i];
		struct tr_ast *ast = NULL;
		struct tr_expr_err perr;
		struct tr_value val;
		char buf[4096];

		if (v->kind != (params ? TR_VAR_PARAM : TR_VAR_LOCAL) ||
		    v->shadowed || !v->name)
			continue;
		if (tr_expr_parse(v->name, NULL, NULL, &ast, &perr))
			continue;
		if (j->kind == JOB_TREE) {
			err = tree_var(e, ast, v->name, j);
			tr_ast_free(ast);
			continue;
		}
		if (tr_eval(e, ast, &val) == 0) {
			int pe = tr_eval_print_var(e, &val, buf, sizeof(buf));

			if (pe && pe != -TR_ERANGE)
				snprintf(buf, sizeof(buf), "<error: %s>",
					 tr_strerror(pe));
			tr_value_release(&val);
		} else {
			snprintf(buf, sizeof(buf), "<error: %s>", e->err);
		}
		tr_ast_free(ast);
		err = j->var_fn(v->name, buf, j->arg);
	}
	tr_scope_free(sc);
	return err;
}

/*
 * Where the expression of a watchpoint is: an lvalue in memory, its size,
 * its type's name, and, when it lies in a frame of the thread's stack
 * (a local, or memory a caller's local holds), that frame's return
 * address and CFA: the watchpoint goes when the frame returns.
 */
static int
interp_watch(struct tr_session *s, struct tr_eval_env *e, struct job *j)
{
	struct tr_session_watch *w = j->watch;
	struct tr_ast *ast = NULL;
	struct tr_expr_err perr;
	struct tr_frame fr[64];
	struct tr_value v;
	size_t n = 0, phys = 0;
	unsigned level = 0;
	bool uses_locals;
	int err;

	err = tr_expr_parse(j->expr, tr_eval_is_type, e, &ast, &perr);
	if (err) {
		if (j->err)
			*j->err = perr;
		return err;
	}
	e->no_side_effects = true;
	err = tr_eval(e, ast, &v);
	uses_locals = !err && tr_eval_uses_locals(e, ast);
	tr_ast_free(ast);
	if (err) {
		set_err(j->err, e->errpos, e->err);
		return err;
	}
	if (v.lval != TR_LVAL_MEMORY || v.bit_size || !v.type->size) {
		tr_value_release(&v);
		set_err(j->err, 0, v.lval == TR_LVAL_MEMORY ?
			"Cannot watch a bitfield or a value of no size." :
			"Cannot watch constant value.");
		return -TR_EINVAL;
	}
	w->addr = v.addr;
	w->len = v.type->size;
	tr_type_name(v.type, w->type, sizeof(w->type));
	tr_value_release(&v);
	w->scope_pc = w->scope_cfa = 0;
	if (!e->have_regs)
		return 0;
	tr_backtrace(s->iunw, &e->regs.gp, slab_read, s, fr, 64, &n);
	/* the unwound frame of frame j->frame (inlined calls count as
	 * frames, those hidden at frame 0 do not) */
	if (uses_locals &&
	    tr_unwind_frame_level(s->idi, fr, n, j->frame + e->inline_hidden,
				  &phys, &level) == 0 &&
	    phys + 1 < n && fr[phys].cfa) {
		/* as gdb: an expression naming a local or a parameter is
		 * valid in its frame only (`watch t->asize` goes when the
		 * function of t returns, wherever *t lies) */
		w->scope_pc = fr[phys + 1].pc;
		w->scope_cfa = fr[phys].cfa;
		return 0;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		uint64_t lo = fr[i].regs[TR_UREG_RSP] - (i ? 0 : 128);

		if (!fr[i].cfa || w->addr < lo || w->addr >= fr[i].cfa)
			continue;
		w->scope_pc = fr[i + 1].pc;
		w->scope_cfa = fr[i].cfa;
		break;
	}
	return 0;
}

/* Reads with a watchpoint's old bytes over its range: to print the old
 * value as the program had it. */
static _Thread_local struct {
	uint64_t addr;
	const uint8_t *bytes;
	size_t len;
} overlay;

static int
overlay_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	int err = slab_read(ctx, addr, buf, len);
	uint64_t lo = addr > overlay.addr ? addr : overlay.addr;
	uint64_t hi = addr + len < overlay.addr + overlay.len ?
			      addr + len : overlay.addr + overlay.len;

	if (overlay.bytes && lo < hi)
		memcpy((uint8_t *)buf + (lo - addr),
		       overlay.bytes + (lo - overlay.addr), hi - lo);
	return err;
}

/* Print `len` bytes at addr as a value of type `type` (as whatis named
 * it), read through overlay_read; hex bytes when the type cannot be
 * named in a cast. */
static void
print_typed(struct tr_session *s, pid_t tid, const char *type, uint64_t addr,
	    const uint8_t *bytes, size_t len, char *out, size_t olen)
{
	char expr[400];
	const char *br = strchr(type, '[');
	struct tr_eval_env e;
	struct tr_ast *ast = NULL;
	struct tr_expr_err perr;
	struct tr_value v;
	int err = -TR_EINVAL;

	if (br && br > type)
		snprintf(expr, sizeof(expr), "*(%.*s(*)%s) %#lx",
			 (int)(br - type), type, br, (unsigned long)addr);
	else
		snprintf(expr, sizeof(expr), "*(%s *) %#lx", type,
			 (unsigned long)addr);
	overlay.addr = addr;
	overlay.bytes = bytes;
	overlay.len = len;
	if (ienv_init(s, &e, tid, 0) == 0) {
		e.read = overlay_read;
		e.no_side_effects = true;
		err = tr_expr_parse(expr, tr_eval_is_type, &e, &ast, &perr);
		if (!err)
			err = tr_eval(&e, ast, &v);
		if (!err) {
			err = tr_eval_print(&e, &v, out, olen);
			if (err == -TR_ERANGE)
				err = 0;
			tr_value_release(&v);
		}
		tr_ast_free(ast);
	}
	tr_eval_env_done(&e);
	overlay.bytes = NULL;
	if (err) {
		size_t o = 0;

		o += (size_t)snprintf(out, olen, "{");
		for (size_t i = 0; i < len && o + 8 < olen; i++)
			o += (size_t)snprintf(out + o, olen - o, "%s0x%02x",
					      i ? ", " : "", bytes[i]);
		snprintf(out + o, olen > o ? olen - o : 0, "}");
	}
}

static int
interp_watchval(struct tr_session *s, struct job *j)
{
	struct tr_session_watch *w = j->watch;
	struct tr_watch_state st;
	uint8_t *old = malloc(TR_WATCH_MAX_LEN), *now = malloc(TR_WATCH_MAX_LEN);
	int err = -TR_ENOMEM;

	if (old && now)
		err = tr_watch_info(s->t, w->id, &st, old, now,
				    TR_WATCH_MAX_LEN);
	if (!err) {
		print_typed(s, j->tid, w->type, st.addr, old, st.len, j->out,
			    j->len);
		print_typed(s, j->tid, w->type, st.addr, now, st.len, j->out2,
			    j->len);
	}
	free(old);
	free(now);
	return err;
}

static int
interp_run(struct tr_session *s, struct job *j)
{
	struct tr_eval_env e;
	struct tr_ast *ast = NULL;
	struct tr_value v;
	struct tr_expr_err perr;
	int err;

	if ((err = interp_target(s))) {
		set_err(j->err, 0, tr_strerror(err));
		return err;
	}
	if (!s->ret_addr && j->kind != JOB_WHATIS &&
	    (err = tr_inject_prepare(s->t, s->ipid, &s->ret_addr)) < 0)
		tr_log_warn("no return address for calls: %s",
			    tr_strerror(err));
	if (j->kind == JOB_CHECK)
		return interp_check(s, j);
	if (j->kind == JOB_FN)
		return j->fn(s->t, s->idi, s->iunw, j->arg);
	if (j->kind == JOB_WATCHVAL)
		return interp_watchval(s, j);
	err = ienv_init(s, &e, j->tid, j->frame);
	if (err) {
		set_err(j->err, 0, e.err[0] ? e.err : tr_strerror(err));
		tr_eval_env_done(&e);
		return err;
	}
	if (j->kind == JOB_VARS || (j->kind == JOB_TREE &&
				     j->tree->what <= TR_TREE_ARGS)) {
		err = interp_vars(s, &e, j);
		tr_eval_env_done(&e);
		return err;
	}
	if (j->kind == JOB_TREE) {
		err = interp_tree(&e, j);
		tr_eval_env_done(&e);
		return err;
	}
	if (j->kind == JOB_WATCH) {
		err = interp_watch(s, &e, j);
		tr_eval_env_done(&e);
		return err;
	}
	if (j->kind == JOB_COND) {
		err = tr_eval_truth(&e, j->ast, &j->truth);
		if (err)
			set_err(j->err, e.errpos, e.err);
		tr_eval_env_done(&e);
		return err;
	}
	if (j->kind == JOB_WHATIS) {
		struct tr_expr_err derr;

		err = tr_eval_describe(&e, j->expr, j->ptype, j->out, j->len,
				       &derr);
		if (err == -TR_ERANGE)
			err = 0;
		if (err && j->err)
			*j->err = derr;
		tr_eval_env_done(&e);
		return err;
	}
	err = tr_expr_parse(j->expr, tr_eval_is_type, &e, &ast, &perr);
	if (err) {
		if (j->err)
			*j->err = perr;
		tr_eval_env_done(&e);
		return err;
	}
	e.no_side_effects = j->kind == JOB_WHATIS;
	err = tr_eval(&e, ast, &v);
	if (err) {
		set_err(j->err, e.errpos, e.err);
	} else {
		bool is_void = tr_type_strip(v.type)->kind == TR_TYPE_VOID;

		if (j->popts.call && is_void) {
			/* gdb's call of a void function shows nothing */
			if (j->len)
				j->out[0] = 0;
		} else {
			err = tr_eval_print_fmt(&e, &v, j->popts.format,
						j->out, j->len);
			if ((!err || err == -TR_ERANGE) && j->popts.record) {
				int herr = tr_hist_record(s->hist, &v,
							  j->histno);

				if (herr)
					err = herr;
			}
		}
		if (err == -TR_ERANGE)
			err = 0; /* cut short, marked "..." */
		tr_value_release(&v);
	}
	tr_ast_free(ast);
	tr_eval_env_done(&e);
	return err;
}

static void *
interp_main(void *arg)
{
	struct tr_session *s = arg;

	serve(s, s->islab, interp_run);
	return NULL;
}

/* ---- conditions on the tracer thread -------------------------------- */

static int
direct_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	int err = tr_direct_mem_read(ctx, addr, buf, len, &done);

	return err ? err : done == len ? 0 : -TR_EFAULT;
}

static int
direct_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	size_t done = 0;
	int err = tr_direct_mem_write(ctx, addr, buf, len, &done);

	return err ? err : done == len ? 0 : -TR_EFAULT;
}

static _Thread_local pid_t cond_tid;

static int
direct_set_regs(void *ctx, const struct user_regs_struct *r)
{
	return tr_direct_regs_set(ctx, cond_tid, r);
}

/*
 * At a location's first hit, try to compile the condition into the
 * target (fastcond.h, tramp.c): later hits where it is false then cost
 * no stop. One that does not compile stays evaluated here.
 */
static void
cond_compile(struct tr_tracer *t, struct cond *c, uint64_t addr)
{
	struct tr_fastcond *fc;
	char why[160];
	int err;

	for (unsigned i = 0; i < c->ntried; i++)
		if (c->tried[i] == addr)
			return;
	if (c->ntried == sizeof(c->tried) / sizeof(c->tried[0]))
		return;
	c->tried[c->ntried++] = addr;
	fc = malloc(sizeof(*fc));
	if (!fc)
		return;
	err = tr_fastcond_compile(c->s->cdi, c->s->cunw, tr_direct_pid(t),
				  addr, c->ast, fc, why, sizeof(why));
	if (err == 0)
		err = tr_direct_fast_cond(t, addr, c->bpnum, fc->code, fc->len,
					  fc->ntemps, fc->func_lo, fc->func_hi);
	if (err)
		tr_log_debug("breakpoint %u at %#lx: condition \"%s\" stays "
			     "with the tracer: %s", c->bpnum,
			     (unsigned long)addr, c->src,
			     why[0] ? why : tr_strerror(err));
	else
		tr_log_debug("breakpoint %u at %#lx: condition \"%s\" "
			     "compiled into the target (%zu bytes)", c->bpnum,
			     (unsigned long)addr, c->src, fc->len);
	free(fc);
}

/*
 * A condition without calls, right where the hit is seen: 1 stops, 0
 * goes on. A condition with calls always stops here; the event loop
 * decides. An error stops too (gdb does the same), logged.
 */
static int
cond_on_tracer(struct tr_tracer *t, pid_t tid, uint64_t addr, void *ctx)
{
	struct cond *c = ctx;
	struct tr_session *s = c->s;
	struct tr_eval_env e;
	pid_t pid = tr_direct_pid(t);
	bool truth = true;
	int err;

	(void)addr;
	if (c->calls)
		return 2; /* the event loop decides, and counts */
	if (s->cpid != pid || !s->cdi) {
		if (s->cunw)
			tr_unwinder_free(s->cunw);
		tr_debuginfo_free(s->cdi);
		s->cdi = NULL;
		s->cunw = NULL;
		if (tr_debuginfo_new(pid, &s->cdi) < 0 ||
		    tr_unwinder_new(s->cdi, &s->cunw) < 0)
			return 1;
		s->cpid = pid;
	}
	memset(&e, 0, sizeof(e));
	e.di = s->cdi;
	e.unw = s->cunw;
	e.read = direct_read;
	e.write = direct_write;
	e.set_regs = direct_set_regs;
	e.ctx = t;
	cond_tid = tid;
	if (tr_direct_regs_get(t, tid, &e.regs.gp) < 0)
		return 1;
	e.have_regs = true;
	err = tr_eval_env_init(&e);
	if (!err && !e.has_dwarf) {
		/* A library loaded since: look again. */
		tr_debuginfo_refresh(s->cdi, NULL);
		tr_eval_env_done(&e);
		err = tr_eval_env_init(&e);
	}
	if (!err)
		err = tr_eval_truth(&e, c->ast, &truth);
	if (err)
		tr_log_info("breakpoint %u: condition \"%s\": %s", c->bpnum,
			    c->src, e.err[0] ? e.err : tr_strerror(err));
	tr_eval_env_done(&e);
	if (!err && !s->opts.no_compiled_conditions && !c->watch)
		cond_compile(t, c, addr);
	return err ? 1 : truth;
}

static int
watch_cond_on_tracer(struct tr_tracer *t, pid_t tid, uint32_t id, void *ctx)
{
	(void)id;
	return cond_on_tracer(t, tid, 0, ctx);
}

static struct cond *
cond_find(struct tr_session *s, uint32_t id)
{
	for (struct cond *c = s->conds; c; c = c->next)
		if (c->bpnum == id)
			return c;
	return NULL;
}

static void
cond_free(struct cond *c)
{
	if (!c)
		return;
	tr_ast_free(c->ast);
	free(c->src);
	free(c);
}

/* Compile `src` for breakpoint `id` (NULL or "": none) and install it. */
static int
cond_install(struct tr_session *s, uint32_t id, const char *src,
	     uint32_t ignore, struct tr_expr_err *err)
{
	struct cond *c = NULL, *old, **pp;
	int e;

	if (src && *src) {
		c = calloc(1, sizeof(*c));
		if (!c || !(c->src = strdup(src))) {
			free(c);
			return -TR_ENOMEM;
		}
		e = tr_expr_parse(src, NULL, NULL, &c->ast, err);
		if (e) {
			cond_free(c);
			return e;
		}
		{
			/* names must exist where the breakpoint is (when it
			 * has a location yet) */
			uint64_t loc;
			struct tr_break_info info;
			struct job j = { .kind = JOB_CHECK, .ast = c->ast,
					 .err = err };

			if (tr_break_info(s->t, id, &info, &loc, 1) == 0 &&
			    info.nlocs) {
				j.pc = loc;
				e = submit(s->islab, &j);
				if (e == -TR_ENOENT) {
					cond_free(c);
					return -TR_EINVAL;
				}
			}
		}
		c->bpnum = id;
		c->calls = tr_ast_has_call(c->ast);
		c->s = s;
		c->ignore = c->calls ? ignore : 0;
	}
	/* Once tr_break_condition returns, the tracer thread no longer
	 * uses the old condition: it is freed after. */
	e = tr_break_condition(s->t, id, c ? cond_on_tracer : NULL, c);
	if (e) {
		cond_free(c);
		return e;
	}
	if (c && c->calls && ignore)
		tr_break_ignore(s->t, id, 0);
	pthread_mutex_lock(&s->lock);
	old = cond_find(s, id);
	for (pp = &s->conds; *pp; pp = &(*pp)->next)
		if (*pp == old) {
			*pp = old->next;
			break;
		}
	if (c) {
		c->next = s->conds;
		s->conds = c;
	}
	pthread_mutex_unlock(&s->lock);
	cond_free(old);
	return 0;
}

/* ---- the event loop ------------------------------------------------- */

/* A hit of a breakpoint whose condition calls functions: have the
 * interpreter decide. True: report the stop. */
static bool
calling_cond_stops(struct tr_session *s, const struct tr_event *ev)
{
	struct cond *c;
	struct job j = { .kind = JOB_COND, .tid = ev->tid };
	struct tr_expr_err err;
	int res;

	pthread_mutex_lock(&s->lock);
	c = cond_find(s, ev->bpnum);
	pthread_mutex_unlock(&s->lock);
	if (!c || !c->calls)
		return true;
	j.ast = c->ast;
	j.err = &err;
	res = submit(s->islab, &j);
	if (res) {
		tr_log_info("breakpoint %u: condition \"%s\": %s", c->bpnum,
			    c->src, err.msg);
		return true;
	}
	if (!j.truth)
		return false;
	tr_break_count_hit(s->t, c->bpnum);
	if (c->ignore) {
		c->ignore--;
		return false;
	}
	return true;
}

static int
loop_run(struct tr_session *s, struct job *j)
{
	int err;

	if (j->kind == JOB_STEP) {
		err = j->len ? tr_step_range(s->t, j->tid, j->pc, j->pc + j->len,
					     j->ev)
			     : tr_step(s->t, j->tid, -1, j->ev);
	} else {
		int sig = j->sig;
		unsigned f;

		/* the signal the thread stopped with goes on unless its
		 * policy is nopass (gdb's handle) */
		pthread_mutex_lock(&s->lock);
		if (!sig && s->last_ev.type == TR_EV_STOP &&
		    s->last_ev.reason == TR_STOP_SIGNAL &&
		    (!j->tid || j->tid == s->last_ev.tid) &&
		    s->last_ev.sig > 0 && s->last_ev.sig < NSIG &&
		    !(s->sigpol.f[s->last_ev.sig] & TR_SIG_PASS))
			sig = -1;
		s->nseen = 0;
		pthread_mutex_unlock(&s->lock);
		err = tr_cont(s->t, j->tid, sig, j->ev);
		while (!err && j->ev->type == TR_EV_STOP) {
			if (j->ev->reason == TR_STOP_BREAKPOINT &&
			    j->ev->bpnum && !calling_cond_stops(s, j->ev)) {
				err = tr_cont(s->t, 0, 0, j->ev);
				continue;
			}
			if (j->ev->reason != TR_STOP_SIGNAL || j->ev->sig <= 0 ||
			    j->ev->sig >= NSIG)
				break;
			pthread_mutex_lock(&s->lock);
			f = s->sigpol.f[j->ev->sig];
			if (!(f & TR_SIG_STOP) && (f & TR_SIG_PRINT) &&
			    s->nseen < TR_SESSION_SEEN_MAX)
				s->seen[s->nseen++] = *j->ev;
			pthread_mutex_unlock(&s->lock);
			if (f & TR_SIG_STOP)
				break;
			err = tr_cont(s->t, j->ev->tid,
				      (f & TR_SIG_PASS) ? j->ev->sig : -1,
				      j->ev);
		}
	}
	pthread_mutex_lock(&s->lock);
	if (!err)
		s->last_ev = *j->ev;
	pthread_mutex_unlock(&s->lock);
	/* gdb's $_exitcode: the status of the last program that exited */
	if (!err && j->ev->type == TR_EV_EXIT)
		tr_hist_set_int(s->hist, "_exitcode", j->ev->status);
	return err;
}

static void *
loop_main(void *arg)
{
	struct tr_session *s = arg;

	serve(s, s->lslab, loop_run);
	return NULL;
}

/* ---- the API -------------------------------------------------------- */

int
tr_session_new(const struct tr_session_opts *opts, struct tr_session **out)
{
	struct tr_session *s = calloc(1, sizeof(*s));
	struct tr_tracer_opts to = { 0 };
	/*
	 * An injected call keeps its requester waiting 20-40 us (one ptrace
	 * stop costs about 19 us on these VMs); a futex wake-up after that
	 * costs as much again. Requesters of a session spin (yielding, by
	 * the adaptive policy) that long before they sleep.
	 */
	struct tr_slab_opts so = { .client_spin_ns = 150000 };
	int err;

	if (!s)
		return -TR_ENOMEM;
	if (opts)
		s->opts = *opts;
	if (!s->opts.call_timeout_ms)
		s->opts.call_timeout_ms = DEFAULT_CALL_TIMEOUT_MS;
	pthread_mutex_init(&s->lock, NULL);
	tr_sigpolicy_init(&s->sigpol);
	if ((err = tr_hist_new(&s->hist))) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return err;
	}
	to.slab = so;
	to.detach_launched = s->opts.detach_launched;
	if ((err = tr_tracer_new(&to, &s->t)) ||
	    (err = tr_slab_new(&so, &s->islab)) ||
	    (err = tr_slab_new(NULL, &s->lslab)))
		goto fail;
	if (pthread_create(&s->ith, NULL, interp_main, s)) {
		err = -TR_ESYS;
		goto fail;
	}
	s->ith_up = true;
	if (pthread_create(&s->lth, NULL, loop_main, s)) {
		err = -TR_ESYS;
		goto fail;
	}
	s->lth_up = true;
	*out = s;
	return 0;
fail:
	tr_session_free(s);
	return err;
}

void
tr_session_free(struct tr_session *s)
{
	struct job q = { .kind = JOB_QUIT };

	if (!s)
		return;
	if (s->lth_up) {
		submit(s->lslab, &q);
		pthread_join(s->lth, NULL);
	}
	if (s->ith_up) {
		submit(s->islab, &q);
		pthread_join(s->ith, NULL);
	}
	/* The tracer goes first: once it is gone no condition runs. */
	tr_tracer_free(s->t);
	if (s->iunw)
		tr_unwinder_free(s->iunw);
	tr_debuginfo_free(s->idi);
	if (s->cunw)
		tr_unwinder_free(s->cunw);
	tr_debuginfo_free(s->cdi);
	while (s->conds) {
		struct cond *c = s->conds;

		s->conds = c->next;
		cond_free(c);
	}
	if (s->islab)
		tr_slab_free(s->islab);
	if (s->lslab)
		tr_slab_free(s->lslab);
	pthread_mutex_destroy(&s->lock);
	tr_hist_free(s->hist);
	free(s);
}

struct tr_tracer *
tr_session_tracer(struct tr_session *s)
{
	return s->t;
}

int
tr_session_launch(struct tr_session *s, const struct tr_launch *l, pid_t *pid)
{
	pid_t p = 0;
	int err = tr_launch(s->t, l, &p);

	if (!err) {
		atomic_store(&s->pid, p);
		if (pid)
			*pid = p;
	}
	return err;
}

int
tr_session_attach(struct tr_session *s, pid_t pid)
{
	int err = tr_attach(s->t, pid);

	if (!err)
		atomic_store(&s->pid, pid);
	return err;
}

int
tr_session_cont(struct tr_session *s, pid_t tid, int sig, struct tr_event *ev)
{
	struct job j = { .kind = JOB_CONT, .tid = tid, .sig = sig, .ev = ev };

	return submit(s->lslab, &j);
}

int
tr_session_handle(struct tr_session *s, int sig, unsigned set, unsigned clear,
		  unsigned *flags)
{
	int err = 0;

	if (sig <= 0 || sig >= NSIG)
		return -TR_EINVAL;
	pthread_mutex_lock(&s->lock);
	if (set || clear)
		err = tr_sigpolicy_set(&s->sigpol, sig, set, clear);
	if (flags)
		*flags = s->sigpol.f[sig];
	pthread_mutex_unlock(&s->lock);
	return err;
}

size_t
tr_session_signals_seen(struct tr_session *s, struct tr_event *out,
			size_t max)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->nseen < max ? s->nseen : max;
	memcpy(out, s->seen, n * sizeof(*out));
	pthread_mutex_unlock(&s->lock);
	return n;
}

int
tr_session_step(struct tr_session *s, pid_t tid, struct tr_event *ev)
{
	struct job j = { .kind = JOB_STEP, .tid = tid, .ev = ev };

	return submit(s->lslab, &j);
}

int
tr_session_step_range(struct tr_session *s, pid_t tid, uint64_t lo,
		      uint64_t hi, struct tr_event *ev)
{
	struct job j = { .kind = JOB_STEP, .tid = tid, .ev = ev, .pc = lo,
			 .len = hi > lo ? hi - lo : 0 };

	return submit(s->lslab, &j);
}

int
tr_session_break(struct tr_session *s, const char *spec, const char *cond,
		 const struct tr_break_opts *opts, uint32_t *id,
		 struct tr_expr_err *err)
{
	struct tr_break_opts o = { 0 };
	struct tr_ast *ast = NULL;
	int e;

	if (opts)
		o = *opts;
	/* Parse first: a bad condition creates no breakpoint. */
	if (cond && *cond) {
		e = tr_expr_parse(cond, NULL, NULL, &ast, err);
		if (e)
			return e;
		tr_ast_free(ast);
	}
	o.cond = NULL;
	o.cond_ctx = NULL;
	e = tr_break_set_spec(s->t, spec, &o, id);
	if (e) {
		set_err(err, 0, tr_strerror(e));
		return e;
	}
	if (cond && *cond) {
		e = cond_install(s, *id, cond, o.ignore_count, err);
		if (e) {
			tr_break_delete(s->t, *id);
			return e;
		}
	}
	return 0;
}

int
tr_session_condition(struct tr_session *s, uint32_t id, const char *cond,
		     struct tr_expr_err *err)
{
	struct tr_break_info info;
	int e = tr_break_info(s->t, id, &info, NULL, 0);

	if (e)
		return e;
	return cond_install(s, id, cond, info.ignore_count, err);
}

int
tr_session_eval(struct tr_session *s, const char *expr, pid_t tid,
		unsigned frame, char *out, size_t len, struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_EVAL, .expr = expr, .tid = tid,
			 .frame = frame, .out = out, .len = len, .err = err };

	if (len)
		out[0] = 0;
	if (err)
		memset(err, 0, sizeof(*err));
	return submit(s->islab, &j);
}

int
tr_session_print(struct tr_session *s, const char *expr, pid_t tid,
		 unsigned frame, const struct tr_print_opts *opts, char *out,
		 size_t len, unsigned *histno, struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_EVAL, .expr = expr, .tid = tid,
			 .frame = frame, .out = out, .len = len, .err = err,
			 .histno = histno };
	char msg[128];

	if (len)
		out[0] = 0;
	if (err)
		memset(err, 0, sizeof(*err));
	if (histno)
		*histno = 0;
	if (opts)
		j.popts = *opts;
	if (j.popts.format &&
	    tr_value_format_check(j.popts.format, msg, sizeof(msg))) {
		set_err(err, 0, msg);
		return -TR_EINVAL;
	}
	return submit(s->islab, &j);
}

int
tr_session_record(struct tr_session *s, const struct tr_value *v,
		  unsigned *histno)
{
	return tr_hist_record(s->hist, v, histno);
}

int
tr_session_examined(struct tr_session *s, uint64_t addr, unsigned unit,
		    bool value)
{
	uint8_t b[8];
	size_t done = 0;

	if (unit != 1 && unit != 2 && unit != 4 && unit != 8)
		return -TR_EINVAL;
	if (value && (tr_mem_read(s->t, addr, b, unit, &done) || done != unit))
		value = false;
	return tr_hist_set_examined(s->hist, addr, unit, value ? b : NULL);
}

int
tr_session_whatis(struct tr_session *s, const char *expr, pid_t tid,
		  unsigned frame, char *out, size_t len,
		  struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_WHATIS, .expr = expr, .tid = tid,
			 .frame = frame, .out = out, .len = len, .err = err };

	if (len)
		out[0] = 0;
	if (err)
		memset(err, 0, sizeof(*err));
	return submit(s->islab, &j);
}

int
tr_session_ptype(struct tr_session *s, const char *expr, pid_t tid,
		 unsigned frame, char *out, size_t len,
		 struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_WHATIS, .expr = expr, .tid = tid,
			 .frame = frame, .out = out, .len = len, .err = err,
			 .ptype = true };

	if (len)
		out[0] = 0;
	if (err)
		memset(err, 0, sizeof(*err));
	return submit(s->islab, &j);
}

int
tr_session_run(struct tr_session *s, tr_session_fn fn, void *arg)
{
	struct job j = { .kind = JOB_FN, .fn = fn, .arg = arg };

	return submit(s->islab, &j);
}

int
tr_session_vars(struct tr_session *s, pid_t tid, unsigned frame, bool params,
		tr_session_var_fn fn, void *arg, struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_VARS, .tid = tid, .frame = frame,
			 .params = params, .var_fn = fn, .arg = arg,
			 .err = err };

	if (err)
		memset(err, 0, sizeof(*err));
	return submit(s->islab, &j);
}

int
tr_session_tree(struct tr_session *s, const struct tr_tree_req *rq,
		tr_vnode_fn fn, void *arg, struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_TREE, .tid = rq->tid, .frame = rq->frame,
			 .tree = rq, .node_fn = fn, .arg = arg, .err = err };

	if (err)
		memset(err, 0, sizeof(*err));
	if (rq->what > TR_TREE_CHILDREN ||
	    (rq->what >= TR_TREE_EXPR && !rq->expr))
		return -TR_EINVAL;
	return submit(s->islab, &j);
}

void
tr_session_stats(struct tr_session *s, struct tr_slab_stats *tracer,
		 struct tr_slab_stats *interp, struct tr_slab_stats *loop)
{
	if (tracer)
		tr_slab_stats_get(tr_tracer_slab(s->t), tracer);
	if (interp)
		tr_slab_stats_get(s->islab, interp);
	if (loop)
		tr_slab_stats_get(s->lslab, loop);
}

/* ---- watchpoints ------------------------------------------------------ */

/* Parse a watchpoint's condition: NULL when there is none. */
static int
watch_cond_new(struct tr_session *s, const char *src, struct cond **out,
	       struct tr_expr_err *err)
{
	struct cond *c;
	int e;

	*out = NULL;
	if (!src || !*src)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->src = strdup(src))) {
		free(c);
		return -TR_ENOMEM;
	}
	e = tr_expr_parse(src, NULL, NULL, &c->ast, err);
	if (e) {
		cond_free(c);
		return e;
	}
	if (tr_ast_has_call(c->ast)) {
		cond_free(c);
		set_err(err, 0, "A watchpoint's condition cannot call "
				"functions.");
		return -TR_EINVAL;
	}
	c->watch = true;
	c->s = s;
	*out = c;
	return 0;
}

int
tr_session_watch(struct tr_session *s, const char *expr, pid_t tid,
		 unsigned frame, const char *cond, struct tr_session_watch *w,
		 struct tr_expr_err *err)
{
	struct job j = { .kind = JOB_WATCH, .expr = expr, .tid = tid,
			 .frame = frame, .err = err, .watch = w };
	struct tr_watch_opts o = { .kind = w->kind };
	struct cond *c = NULL;
	int e;

	if (err)
		memset(err, 0, sizeof(*err));
	if ((e = watch_cond_new(s, cond, &c, err)))
		return e;
	if (expr) {
		e = submit(s->islab, &j);
		if (e) {
			cond_free(c);
			return e;
		}
	}
	o.scope_pc = w->scope_pc;
	o.scope_cfa = w->scope_cfa;
	o.cond = c ? watch_cond_on_tracer : NULL;
	o.cond_ctx = c;
	e = tr_watch_set(s->t, w->addr, w->len, &o, &w->id);
	if (e) {
		cond_free(c);
		set_err(err, 0, tr_strerror(e));
		return e;
	}
	if (c) {
		c->bpnum = w->id;
		pthread_mutex_lock(&s->lock);
		c->next = s->conds;
		s->conds = c;
		pthread_mutex_unlock(&s->lock);
	}
	return 0;
}

int
tr_session_watch_delete(struct tr_session *s, uint32_t id)
{
	int e = tr_watch_delete(s->t, id);

	if (e == 0) {
		struct cond **pp, *c = NULL;

		pthread_mutex_lock(&s->lock);
		for (pp = &s->conds; *pp; pp = &(*pp)->next)
			if ((*pp)->bpnum == id) {
				c = *pp;
				*pp = c->next;
				break;
			}
		pthread_mutex_unlock(&s->lock);
		cond_free(c);
	}
	return e;
}

int
tr_session_watch_values(struct tr_session *s, const struct tr_session_watch *w,
			pid_t tid, char *old, char *now, size_t len)
{
	struct job j = { .kind = JOB_WATCHVAL, .tid = tid, .out = old,
			 .out2 = now, .len = len,
			 .watch = (struct tr_session_watch *)w };

	if (len)
		old[0] = now[0] = 0;
	return submit(s->islab, &j);
}
