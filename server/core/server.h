/* server.h: the tracerd daemon core as main.c starts it: options, the front ends' hooks, the loop. */
#ifndef TR_SERVER_CORE_SERVER_H
#define TR_SERVER_CORE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "session/session.h"

/*
 * Threads of the daemon:
 *  - the main thread runs the epoll loop (core/server.c): it accepts
 *    clients, reads and frames their requests, answers the ones that need
 *    no target (version, sessions, interrupt...) at once, and queues the
 *    others on their session (core/request.c);
 *  - each session has a worker thread that runs its queued requests one
 *    at a time, in arrival order, whoever sent them: requests of several
 *    clients never interleave inside one operation (core/sess.c). The
 *    worker drives the library's session (session.h), whose tracer,
 *    event-loop and interpreter threads do the work;
 *  - replies and notifications are appended to a connection's output
 *    under its lock by whichever thread made them, and written by that
 *    thread at once when the socket takes them, else by the epoll loop
 *    when it becomes writable (core/conn.c);
 *  - a front end that serves its own connections (gdb's remote protocol)
 *    runs a thread per connection (core/listen.c hands them over).
 */

struct srv_frontend;
struct srv_method;
struct srv_sess;
struct tr_jw;

/* How launched targets are left at shutdown. */
enum srv_on_exit {
	SRV_KILL_LAUNCHED = 0,
	SRV_DETACH_LAUNCHED = 1,
};

struct srv_opts {
	const char *socket_path;   /* Unix socket; NULL: the default */
	const char *tcp;           /* "HOST:PORT", or NULL */
	const char *gdb;           /* "HOST:PORT" for gdb's remote protocol */
	const char *dap;           /* "HOST:PORT" for DAP clients */
	bool dap_stdio;            /* DAP on stdin/stdout (tracerd --dap):
				      no Unix socket unless socket_path,
				      and the daemon ends with the client */
	/* gdb's remote protocol on these descriptors (tracerd --gdb -:
	 * copies of stdin and stdout, which main.c pointed at /dev/null
	 * and stderr); the daemon ends with the client */
	bool gdb_stdio;
	int gdb_in, gdb_out;
	bool allow_remote;         /* a TCP address other than loopback */
	/* Local clients (Unix socket, loopback TCP) of these uids are
	 * served besides our own (--allow-uid); all others are refused. */
	uid_t allow_uids[16];
	unsigned nallow_uids;
	const char *token_file;    /* clients must present its token */
	enum srv_on_exit on_exit;
	size_t max_line;           /* request size limit (0: default) */
	bool no_compiled_conditions;
};

/* What main.c gives the core: the front ends it calls, never by name. */
struct srv_hooks {
	/* The JSON-RPC method called name[0..len), or NULL. Epoll thread. */
	const struct srv_method *(*method_find)(const char *name, size_t len);
	/* A stop or the target's end as JSON-RPC notifications carry it
	 * (a target that ended while no run request waited for it). */
	int (*write_stop)(struct srv_sess *ss, struct tr_jw *w,
			  const struct tr_event *ev);
	/* The front end of the --gdb listener (srv_opts.gdb); NULL: none. */
	const struct srv_frontend *gdb;
	/* The front end of the --dap-listen listener (srv_opts.dap), and
	 * the one that serves stdin/stdout (srv_opts.dap_stdio). */
	const struct srv_frontend *dap;
	int (*dap_stdio)(void);
	/* Serve gdb's remote protocol on in/out for session ss (NULL:
	 * none yet), whose reference it takes over (srv_opts.gdb_stdio). */
	int (*gdb_stdio)(int in, int out, struct srv_sess *ss);
};

/* srv_run: listen, serve until a shutdown, then end every session and
 * connection. h: the front ends; launch / attach_pid: a first session
 * (neither: none). Main thread, once; returns the exit status. */
int srv_run(const struct srv_opts *o, const struct srv_hooks *h,
	    struct tr_launch *launch, pid_t attach_pid);

/* srv_core_init: the core's state with no listener, signal or loop:
 * srv_run's first step, and what a harness that drives a front end
 * directly (tests/fuzz) sets up before it makes sessions. SIGCHLD must
 * be blocked first (the tracers' signalfds). 0 or -1. Main thread,
 * once. */
int srv_core_init(const struct srv_opts *o, const struct srv_hooks *h);

/* srv_options: the options srv_run was given. Any thread. */
const struct srv_opts *srv_options(void);

/* srv_shutdown_request: have the loop shut the daemon down (the
 * "shutdown" method). Any thread. */
void srv_shutdown_request(void);

/* srv_stopping: the daemon is shutting down (a front end whose
 * connection the core cannot hang up on, a pipe, looks). Any thread. */
bool srv_stopping(void);

#endif
