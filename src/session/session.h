/* session.h: one debugging session: the tracer thread, the event-loop thread and the expression-interpreter thread. */
#ifndef TR_SESSION_SESSION_H
#define TR_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "control/breakpoint.h"
#include "target/event.h"
#include "eval/expr_parse.h"
#include "eval/valtree.h"
#include "target/tracer.h"

/*
 * A session owns three threads, as Delve's design does:
 *  - the tracer thread (tracer.h), which makes every ptrace call;
 *  - the event-loop thread, which resumes the target and handles its
 *    stops: breakpoint conditions that need the interpreter (those that
 *    call functions) are evaluated here, and a false one resumes the
 *    target without a report;
 *  - the interpreter thread, which evaluates expressions against the
 *    stopped target, reading memory and registers and injecting calls
 *    through the tracer's request slab.
 * Callers (a server, a test, the demo) use the functions below from any
 * thread of theirs; each call is one request to the thread it concerns.
 */

struct tr_session;

struct tr_session_opts {
	unsigned call_timeout_ms; /* an injected call running longer is
				     interrupted and undone (0: 5000) */
	bool no_compiled_conditions; /* evaluate every condition on the
					tracer thread at each hit, never
					compiled into the target
					(fastcond.h) */
	bool detach_launched;  /* tr_session_free() detaches from a
				  launched target instead of killing it */
};

/* tr_session_new: start the tracer, event-loop and interpreter threads.
 * Blocks SIGCHLD in the calling thread, as tr_tracer_new(). */
int tr_session_new(const struct tr_session_opts *opts, struct tr_session **out);

/* tr_session_free: detach from an attached target, kill a launched one,
 * stop the threads. */
void tr_session_free(struct tr_session *s);

/* The session's tracer, for the tracer.h / breakpoint.h calls. */
struct tr_tracer *tr_session_tracer(struct tr_session *s);

int tr_session_launch(struct tr_session *s, const struct tr_launch *l,
		      pid_t *pid);
int tr_session_attach(struct tr_session *s, pid_t pid);

/*
 * Execution through the event loop. tr_session_cont resumes the target
 * (tid 0: the current thread gets back its signal, as tr_cont) and returns
 * with the next stop a user sees in *ev: breakpoint hits whose condition
 * is false, or within their ignore count, are not stops. TR_EV_EXIT /
 * TR_EV_KILLED in ev->type when the target ends. tr_session_step is one
 * instruction of tid; tr_session_step_range a range step of tid in
 * [lo, hi) (tr_step_range).
 */
int tr_session_cont(struct tr_session *s, pid_t tid, int sig,
		    struct tr_event *ev);
int tr_session_step(struct tr_session *s, pid_t tid, struct tr_event *ev);
int tr_session_step_range(struct tr_session *s, pid_t tid, uint64_t lo,
			  uint64_t hi, struct tr_event *ev);

/*
 * Signals, as gdb's handle (control/sigpolicy.h; gdb's defaults at
 * first): tr_session_cont reports a signal stop only when its policy is
 * stop; the others are passed on, or not (nopass), and the run goes on.
 * Resumed with sig 0, a thread that stopped with a nopass signal does not
 * get it. tr_session_handle sets and clears TR_SIG_* flags of sig (both 0:
 * reads them) and gives the result in *flags (may be NULL); -TR_EINVAL
 * for a bad signal. Any thread.
 */
int tr_session_handle(struct tr_session *s, int sig, unsigned set,
		      unsigned clear, unsigned *flags);
/* tr_session_signals_seen: the signals of the last tr_session_cont that
 * print but do not stop (gdb prints "Program received signal ..." for
 * each and goes on), up to max (the first TR_SESSION_SEEN_MAX). */
#define TR_SESSION_SEEN_MAX 16
size_t tr_session_signals_seen(struct tr_session *s, struct tr_event *out,
			       size_t max);

/*
 * tr_session_break: a breakpoint at a location spec (tr_break_set_spec)
 * with an optional condition, an expression in the scope of the
 * breakpoint's location (NULL: none). The condition is parsed and checked
 * now, then compiled once: one that calls no function is evaluated on the
 * tracer thread where the hit is seen, and at its first hit compiled
 * into the target when it can be (fastcond.h: later hits where it is
 * false cost no stop); one that calls functions is evaluated by the
 * interpreter. A condition whose evaluation fails at a
 * hit stops there (as gdb does). -TR_EINVAL with *err filled when the
 * condition does not parse or names nothing known there.
 */
int tr_session_break(struct tr_session *s, const char *spec,
		     const char *cond, const struct tr_break_opts *opts,
		     uint32_t *id, struct tr_expr_err *err);

/* tr_session_condition: replace the condition of breakpoint `id` (NULL or
 * "": none). As tr_session_break. */
int tr_session_condition(struct tr_session *s, uint32_t id, const char *cond,
			 struct tr_expr_err *err);

/*
 * tr_session_eval: evaluate the C expression `expr` with the target
 * stopped, in frame `frame` (0: innermost) of thread `tid` (0: the current
 * thread), and print its value into out as gdb's print does ("42",
 * "(int *) 0x7ffc...", "{a = 1, b = {x = 2}}"). Function calls are
 * injected into that thread; the other threads stay stopped. Assignments
 * write the target.
 *
 * Errors: a negative TR_E* code, with *err (may be NULL) holding the
 * message and the offset in expr it is about, e.g. "No symbol \"nosuch\"
 * in current context." at the name. A call that faults or exits leaves
 * the thread's registers and the stack exactly as before the call (or
 * reports the exit: -TR_EGONE), with a message saying what happened
 * ("The program being debugged was signaled while in a function called
 * from tracerd: SIGSEGV"). A call that hits a breakpoint is abandoned
 * the same way, the message naming the breakpoint. A call that runs past
 * the timeout is interrupted and undone: -TR_ETIMEDOUT.
 */
int tr_session_eval(struct tr_session *s, const char *expr, pid_t tid,
		    unsigned frame, char *out, size_t len,
		    struct tr_expr_err *err);

/*
 * tr_session_print: tr_session_eval as gdb's print/FMT and call: the
 * value in format opts->format (0: none; value.h), and, with
 * opts->record, added to the session's value history: *histno (may be
 * NULL) gets its number, for "$N = ". With opts->call a void value is
 * neither shown (out is "") nor recorded, as gdb's call. The history and
 * the convenience variables (`$1`, `$`, `$$2`, `$i = 3`, `$_exitcode`)
 * are the session's, seen by every evaluation; they outlive the program
 * (an evaluation after it exited reads them, and no memory). A format
 * letter print does not take: -TR_EINVAL, err saying so in gdb's words.
 */
struct tr_print_opts {
	char format;
	bool record;
	bool call;
};
int tr_session_print(struct tr_session *s, const char *expr, pid_t tid,
		     unsigned frame, const struct tr_print_opts *opts,
		     char *out, size_t len, unsigned *histno,
		     struct tr_expr_err *err);

/* tr_session_record: add a copy of v to the session's value history
 * (*histno its number): for values that come from elsewhere than an
 * evaluation, as the value finish returned. On the interpreter thread
 * (a tr_session_run function), while v's type is alive. */
struct tr_value;
int tr_session_record(struct tr_session *s, const struct tr_value *v,
		      unsigned *histno);

/* tr_session_examined: tell the session what gdb's x examined last, to
 * set $_ and $__ (history.h tr_hist_set_examined): the unit at addr,
 * `unit` bytes, read now when `value` (else $__ is void). Any thread, the
 * target stopped. */
int tr_session_examined(struct tr_session *s, uint64_t addr, unsigned unit,
			bool value);

/* tr_session_whatis: the type of the expression's value, as gdb's whatis
 * ("int", "struct point *"), without evaluating calls or side effects;
 * for a type name, the type it names, a typedef unrolled one level
 * ("whatis point_t" is "struct point"). tr_session_ptype: as gdb's
 * ptype, the type expanded (struct members, enum values, typedefs
 * resolved: "struct point {\n    int x;\n    int y;\n} *"). */
int tr_session_whatis(struct tr_session *s, const char *expr, pid_t tid,
		      unsigned frame, char *out, size_t len,
		      struct tr_expr_err *err);
int tr_session_ptype(struct tr_session *s, const char *expr, pid_t tid,
		     unsigned frame, char *out, size_t len,
		     struct tr_expr_err *err);

/*
 * tr_session_run: run fn(t, di, u, arg) on the interpreter thread, with
 * its debug information and unwinder up to date for the target, and
 * return its result. For what needs them and is not an evaluation:
 * backtraces, line steps and finish (stepping.h), symbol lookups. fn
 * must not call back into the session.
 */
struct tr_debuginfo;
struct tr_unwinder;
typedef int (*tr_session_fn)(struct tr_tracer *t, struct tr_debuginfo *di,
			     struct tr_unwinder *u, void *arg);
int tr_session_run(struct tr_session *s, tr_session_fn fn, void *arg);

/*
 * tr_session_vars: the locals (params false; innermost block first) or the
 * arguments of frame `frame` of thread `tid`, each printed as gdb's
 * "info locals" / "info args" print them: fn(name, value, arg) per
 * variable, on the interpreter thread; a non-zero return stops the walk
 * and is returned. A local hidden by an inner one of the same name is left
 * out. -TR_ERANGE: no such frame; -TR_ENOENT (err filled): no debug
 * information there.
 */
typedef int (*tr_session_var_fn)(const char *name, const char *value,
				 void *arg);
int tr_session_vars(struct tr_session *s, pid_t tid, unsigned frame,
		    bool params, tr_session_var_fn fn, void *arg,
		    struct tr_expr_err *err);

/*
 * tr_session_watch: a watchpoint (control/watchpoint.h) of kind w->kind
 * on the C expression `expr`, evaluated now in frame `frame` of thread
 * `tid`, as gdb's watch/rwatch/awatch: it must be an lvalue in memory;
 * the whole object is watched (w->addr, w->len, w->type are filled).
 * When it lies in a frame of the thread's stack, the watchpoint goes
 * when that frame returns (w->scope_pc, w->scope_cfa; TR_STOP_WATCH_
 * SCOPE). expr NULL: w->addr, w->len (and scope) as given, w->type
 * naming how to print it ("" for bytes). cond (NULL: none) is an
 * expression evaluated at each trigger, on the tracer thread, calling no
 * function. w->id gets its number. -TR_EINVAL with *err filled.
 */
struct tr_session_watch {
	int kind;            /* enum tr_watch_kind */
	uint64_t addr;
	size_t len;
	uint64_t scope_pc, scope_cfa;
	char type[128];
	uint32_t id;
};
int tr_session_watch(struct tr_session *s, const char *expr, pid_t tid,
		     unsigned frame, const char *cond,
		     struct tr_session_watch *w, struct tr_expr_err *err);
int tr_session_watch_delete(struct tr_session *s, uint32_t id);
/* tr_session_watch_values: w's old value (before the last change
 * reported) and its value now, printed as gdb prints them. */
int tr_session_watch_values(struct tr_session *s,
			    const struct tr_session_watch *w, pid_t tid,
			    char *old, char *now, size_t len);

/*
 * tr_session_tree: structured values (eval/valtree.h) for a variables
 * view, in frame rq->frame of thread rq->tid (0: current): the locals
 * or the arguments of the frame as nodes (as tr_session_vars lists
 * them, each named and with its name as expression), the node of an
 * expression, or its children [start, start + count) (count 0: all).
 * fn(node, arg) per node on the interpreter thread; a non-zero return
 * stops and is returned. no_calls: an expression that calls a function
 * or writes the target is refused (what a hover may evaluate). Errors
 * as tr_session_eval's.
 */
enum tr_tree_what {
	TR_TREE_LOCALS = 0,
	TR_TREE_ARGS = 1,
	TR_TREE_EXPR = 2,
	TR_TREE_CHILDREN = 3,
};

struct tr_tree_req {
	enum tr_tree_what what;
	pid_t tid;
	unsigned frame;
	const char *expr;     /* TR_TREE_EXPR, TR_TREE_CHILDREN */
	uint64_t start, count; /* TR_TREE_CHILDREN */
	bool no_calls;
};

int tr_session_tree(struct tr_session *s, const struct tr_tree_req *rq,
		    tr_vnode_fn fn, void *arg, struct tr_expr_err *err);

/* tr_session_stats: the counters of the session's three request slabs:
 * to the tracer, to the interpreter, to the event loop (NULL: skip). */
struct tr_slab_stats;
void tr_session_stats(struct tr_session *s, struct tr_slab_stats *tracer,
		      struct tr_slab_stats *interp, struct tr_slab_stats *loop);

#endif
