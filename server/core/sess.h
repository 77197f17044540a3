/* sess.h: a session of the daemon: the library's session, its worker thread and queue, and what the front ends share of it. */
#ifndef TR_SERVER_CORE_SESS_H
#define TR_SERVER_CORE_SESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "json_write.h"
#include "jsonrpc.h"
#include "session/session.h"

struct srv_call;
struct srv_conn;
struct srv_method;

/* The session states a client sees. */
enum srv_state {
	SRV_STOPPED = 0,
	SRV_RUNNING = 1,
	SRV_EXITED = 2,
};

/* A breakpoint as the client made it: the library keeps addresses and
 * counts, the server keeps the words. */
struct srv_bp {
	uint32_t id;
	char *spec;
	char *cond;
	bool temporary;  /* tbreak: its stop says so */
	bool hardware;   /* hbreak: made so again at a rerun */
	bool disabled;   /* as "enable" left it (set again after an exec) */
	struct srv_bp *next;
};

/* An auto-display expression (gdb's display; jsonrpc/display.c). */
struct srv_display {
	uint32_t number;
	char *expr;
	char *format; /* "" or gdb's /FMT letters without the slash */
	bool enabled;
	struct srv_display *next;
};

/* srv_display_add: a display at the end of ss's list, numbered `number`
 * (0: the next); its number, 0 when out of memory. Worker. */
struct srv_sess;
int srv_display_add(struct srv_sess *ss, const char *expr,
		    const char *format, uint32_t number, bool enabled);

/* A watchpoint as the JSON-RPC client made it (jsonrpc/watch.c). */
struct srv_watch {
	struct tr_session_watch w;
	char *expr; /* NULL: by address */
	char *cond;
	struct srv_watch *next;
};

/* What the stop of sequence `seq` says about its watchpoint: its values
 * printed by the worker before the stop is written (under mu). */
struct srv_wnote {
	uint64_t seq;
	uint32_t id;
	int kind;
	bool hw;             /* in debug registers (gdb's "Hardware ...") */
	char expr[256];
	char old[512];
	char now[512];
};

/* A queued request. */
struct srv_job {
	struct srv_conn *c;
	struct srv_sess *ss;
	struct tr_rpc_request req;
	const struct srv_method *m;
	struct srv_job *next;
};

struct srv_sess {
	uint32_t id;
	struct tr_session *s;
	struct tr_tracer *t;
	_Atomic pid_t pid;
	bool launched;
	char *program;
	char **argv;               /* launched: its arguments, argv[0] first
				      (NULL-terminated; for a restart) */
	_Atomic int state;         /* enum srv_state */
	_Atomic bool busy_running; /* a run request is executing */
	_Atomic bool ended;        /* detached or killed: going away */
	atomic_uint runs_queued;   /* run requests queued or executing */
	_Atomic bool stop_req;     /* an interrupt came for them */
	_Atomic bool worker_done;  /* the worker freed the session */
	_Atomic bool exit_told;    /* followers heard the target's end */
	struct tr_sub *sub;        /* its events, under mu (watch) */
	struct tr_event last;      /* worker's: the last stop */
	struct srv_bp *bps;        /* worker's */
	uint32_t bp_floor;         /* worker's: the number the next break
				      asks for (after a rerun, past the
				      earlier session's), 0: none */
	uint32_t bp_hi;            /* worker's: the highest breakpoint number
				      given; a rerun's numbers go on after
				      the earlier session's (as gdb's) */
	struct srv_watch *watches; /* worker's */
	struct srv_display *displays; /* worker's, in number order */
	uint32_t display_hi;       /* worker's: the last display number */
	struct tr_srcmap *srcmap;  /* worker's: substitute-path rules */
	/* worker's: gdb's follow-fork-mode child, catch fork/vfork/exec
	 * (jsonrpc/forks.c) */
	bool follow_child, catch_fork, catch_vfork, catch_exec;
	/* under mu: signals the last continue passed on, printing them
	 * (gdb's handle print nostop), for the stop it reports */
	unsigned nseen;
	int seen_sig[16];
	pid_t seen_tid[16];
	struct srv_wnote wnote;    /* under mu */

	pthread_t th;
	pthread_mutex_t mu;        /* the queue */
	/* Held while the target is worked on: by the worker around each
	 * request and when it frees the session, by a gdb connection
	 * around each packet. Requests of both protocols never interleave,
	 * and a gdb connection never uses a freed session. */
	pthread_mutex_t target_mu;
	pthread_cond_t cv;
	struct srv_job *head, *tail;
	bool quit;
	atomic_uint refs;

	/* The worker's reply buffer, kept from one request to the next so
	 * that a bulk read finds its pages already there. */
	struct tr_buf out;
	uint64_t requests;         /* worker's */
	uint64_t busy_ns;
	struct srv_sess *next;     /* server list, under srv.mu */
};

/* srv_sess_new: a session with no target yet, its worker started, on
 * the list; NULL after an error reply to x (too many sessions...). The
 * list and the worker hold its two references. Epoll thread. */
struct srv_sess *srv_sess_new(struct srv_call *x);
/* srv_program_path: the program a launch of `name` runs, as gdbserver
 * finds it: a name without a '/' that is a regular file in the current
 * directory is that file (its absolute path), else the name as it is
 * (searched in PATH by the launch). Allocated; NULL when out of memory. */
char *srv_program_path(const char *name);
/* srv_argv_dup: a copy of the NULL-terminated argv, or of {program}
 * when argv has no element; NULL when out of memory. srv_argv_free:
 * such an array and its strings (NULL: nothing). */
char **srv_argv_dup(char *const *argv, const char *program);
void srv_argv_free(char **argv);
/* srv_sess_set_program: remember what l launches (program and
 * arguments), for `sessions` and for a restart. */
void srv_sess_set_program(struct srv_sess *ss, const struct tr_launch *l);
/* srv_sess_start: a new session that launches l (or attaches to
 * attach_pid), stopped; the caller gets a reference. NULL with *err.
 * Any thread but a worker. */
struct srv_sess *srv_sess_start(const struct tr_launch *l, pid_t attach_pid,
				int *err);
/* srv_sess_end: the session was detached or killed (its worker, in the
 * method): it leaves the list, its followers are told `how` (NULL:
 * nobody), its worker stops after the request. */
void srv_sess_end(struct srv_sess *ss, const char *how);
/* srv_sess_finish: end the session (its target killed or detached by the
 * caller, under target_mu) and stop its worker. Not on the worker. */
void srv_sess_finish(struct srv_sess *ss, const char *how);
/* srv_sess_find: session id, with a reference for the caller; NULL if
 * there is none or it ended. Any thread. */
struct srv_sess *srv_sess_find(uint32_t id);
/* srv_sess_only: the daemon's only session, or of several the only one
 * whose target has not exited, with a reference for the caller; NULL
 * when there is none, several, or it ended. Any thread. */
struct srv_sess *srv_sess_only(void);
/* srv_sess_unref: drop a reference; the last frees the session. */
void srv_sess_unref(struct srv_sess *ss);
/* srv_sessions_write: every session, as the "sessions" method lists
 * them, with w. Any thread. */
int srv_sessions_write(struct tr_jw *w);
/* srv_sess_interrupt: stop a running target (an interrupt without
 * waiting): the run request going on then ends with the stop. Any
 * thread. */
void srv_sess_interrupt(struct srv_sess *ss);
/* srv_sess_stop_run: stop the run a front end's own thread is making
 * (busy_running set): an interrupt now, and again every 20 ms from the
 * epoll loop until the front end clears busy_running (one that reaches
 * the tracer before the resume took effect is lost). Any thread. */
void srv_sess_stop_run(struct srv_sess *ss);

/* The core's own (not for the front ends). */

/* srv__sess_enqueue: queue job j on ss for its worker. */
void srv__sess_enqueue(struct srv_sess *ss, struct srv_job *j);
/* srv__sess_watch: the sessions' target events came (EP_SUB): a target
 * that ended while no run request waited for it (SIGKILLed while
 * stopped) is marked exited and its followers told, at once. Epoll
 * thread. */
void srv__sess_watch(void);
/* srv__sess_cancel_conn: drop the requests connection c has queued on
 * any session (it closed). Epoll thread. */
void srv__sess_cancel_conn(struct srv_conn *c);
/* srv__sess_reap: join the workers of the sessions that ended: those
 * done, or all of them, waiting. Epoll thread. */
void srv__sess_reap(bool all);
/* srv__sess_reinterrupt: send a pending interrupt again (see sess.c);
 * whether one is pending. Epoll thread. */
bool srv__sess_reinterrupt(void);
/* srv__sess_stop_all: at shutdown, have every worker quit (interrupting
 * a running target first) and join them. Epoll thread. */
void srv__sess_stop_all(void);

#endif
