/* server.h: the tracerd daemon: listeners, client connections, sessions and their workers. */
#ifndef TR_SERVER_SERVER_H
#define TR_SERVER_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "jsonrpc.h"
#include "session.h"

/*
 * Threads of the daemon:
 *  - the main thread runs the epoll loop (server.c): it accepts clients,
 *    reads and frames their requests, answers the ones that need no
 *    target (version, sessions, interrupt...) at once, and queues the
 *    others on their session;
 *  - each session has a worker thread that runs its queued requests one
 *    at a time, in arrival order, whoever sent them: requests of several
 *    clients never interleave inside one operation. The worker drives the
 *    library's session (session.h), whose tracer, event-loop and
 *    interpreter threads do the work;
 *  - replies and notifications are appended to a connection's output
 *    under its lock by whichever thread made them, and written by that
 *    thread at once when the socket takes them, else by the epoll loop
 *    when it becomes writable.
 */

struct srv_conn;
struct srv_sess;

/* How launched targets are left at shutdown. */
enum srv_on_exit {
	SRV_KILL_LAUNCHED = 0,
	SRV_DETACH_LAUNCHED = 1,
};

struct srv_opts {
	const char *socket_path;   /* Unix socket; NULL: the default */
	const char *tcp;           /* "HOST:PORT", or NULL */
	const char *gdb;           /* "HOST:PORT" for gdb's remote protocol */
	bool allow_remote;         /* a TCP address other than loopback */
	const char *token_file;    /* clients must present its token */
	enum srv_on_exit on_exit;
	size_t max_line;           /* request size limit (0: default) */
	bool no_compiled_conditions;
};

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
	struct srv_bp *next;
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
	_Atomic int state;         /* enum srv_state */
	_Atomic bool busy_running; /* a run request is executing */
	_Atomic bool ended;        /* detached or killed: going away */
	atomic_uint runs_queued;   /* run requests queued or executing */
	_Atomic bool stop_req;     /* an interrupt came for them */
	_Atomic bool worker_done;  /* the worker freed the session */
	struct tr_event last;      /* worker's: the last stop */
	struct srv_bp *bps;        /* worker's */

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

/* What a connection follows: the sessions whose events it gets, with the
 * thread and frame it selected in each. */
struct srv_follow {
	uint32_t sid;
	pid_t tid;        /* 0: the session's current thread */
	unsigned frame;
};

#define SRV_MAX_FOLLOW 64

struct srv_conn {
	int kind;               /* epoll tag: EP_CONN (server.c) */
	int fd;
	unsigned id;
	atomic_uint refs;
	bool tcp;
	bool authed;            /* token presented (or none needed) */

	pthread_mutex_t mu;     /* out, closed, follows */
	struct tr_buf out;
	size_t out_off;         /* first unsent byte of out */
	bool closed;
	bool want_out;          /* EPOLLOUT armed */
	bool sending;           /* a worker writes a large reply to fd */
	struct srv_follow follows[SRV_MAX_FOLLOW];
	unsigned nfollows;

	struct tr_rpc_framer fr; /* epoll thread's */
	struct srv_conn *next;   /* server list, under srv.mu */
};

/* Context of one method call. */
struct srv_call {
	struct srv_conn *c;
	struct srv_sess *ss;     /* NULL for server methods */
	const struct tr_rpc_request *req;
	const struct tr_json *params; /* an object, or NULL */
	struct tr_buf *out;      /* the reply goes here */
	struct tr_jw w;
	size_t body_off;         /* for binary replies: where the message
				    starts in out (srv_reply_binary) */
	bool replied;
};

/* Flags of a method. */
enum {
	SRV_M_SERVER = 1 << 0,   /* runs on the epoll thread, no session */
	SRV_M_CREATES = 1 << 1,  /* makes a session, then runs on it */
	SRV_M_STOPPED = 1 << 2,  /* needs the target stopped */
	SRV_M_RUNS = 1 << 3,     /* resumes the target (busy_running) */
	SRV_M_STOPS_FIRST = 1 << 4, /* interrupts a running target, then
				       is queued (detach, kill) */
	SRV_M_NOW = 1 << 5,      /* about a session, but answered on the
				    epoll thread at once (interrupt, stats) */
};

struct srv_method {
	const char *name;
	unsigned flags;
	int (*fn)(struct srv_call *x);
};

/* Server-side error codes (JSON-RPC server range). Append-only. */
enum {
	SRV_E_TARGET = -32000,     /* the library said no: message tells */
	SRV_E_RUNNING = -32001,    /* the target is running */
	SRV_E_NO_SESSION = -32002, /* no such session / none given */
	SRV_E_MEMORY = -32003,     /* cannot access target memory */
	SRV_E_EVAL = -32004,       /* expression error (data.pos) */
	SRV_E_GONE = -32005,       /* the target exited or was killed */
	SRV_E_AUTH = -32006,       /* token missing or wrong */
	SRV_E_SHUTDOWN = -32007,   /* the server is shutting down */
	SRV_E_BUSY = -32008,       /* limits: too many sessions, follows */
};

/* server.c: for the methods */
int srv_error(struct srv_call *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int srv_lib_error(struct srv_call *x, int err, const char *what);
int srv_begin(struct srv_call *x);     /* start a result */
int srv_reply_binary(struct srv_call *x, size_t header_room,
		     const char *header, size_t hlen);
void srv_notify_stop(struct srv_sess *ss, bool stop, const char *json,
		     size_t len);
void srv_sess_interrupt(struct srv_sess *ss);
int srv_write_stop(struct srv_sess *ss, struct tr_jw *w,
		   const struct tr_event *ev);
struct srv_follow *srv_follow_get(struct srv_conn *c, uint32_t sid,
				  bool add);
void srv_reset_frames(struct srv_sess *ss);

struct srv_sess *srv_sess_new(struct srv_call *x);
void srv_sess_end(struct srv_sess *ss, const char *how);
/* srv_sess_start: a new session that launches l (or attaches to
 * attach_pid), stopped; the caller gets a reference. NULL with *err. */
struct srv_sess *srv_sess_start(const struct tr_launch *l, pid_t attach_pid,
				int *err);
/* srv_sess_finish: end the session (its target killed or detached by the
 * caller, under target_mu) and stop its worker. */
void srv_sess_finish(struct srv_sess *ss, const char *how);
struct srv_sess *srv_sess_find(uint32_t id);
void srv_sess_unref(struct srv_sess *ss);
int srv_sessions_write(struct tr_jw *w);
void srv_shutdown_request(void);
const struct srv_opts *srv_options(void);

/* server.c: the RSP threads say when they are gone */
void srv_rsp_register(int fd);
void srv_rsp_done(int fd);

/*
 * A front end that serves its own connections, one thread each (gdb's
 * remote protocol; DAP to come): the core listens on its TCP address,
 * accepts, and hands each connection over with the daemon's only
 * session. The core knows it only through this.
 */
struct srv_frontend {
	const char *name;     /* "gdb": its option (--gdb) and its clients
				 in the log ("gdb client on session 1") */
	const char *protocol; /* "remote protocol", for the log */
	/* Serve fd for session ss (NULL: none yet), on a thread of its
	 * own that takes ss's reference and fd, and calls srv_rsp_done(fd)
	 * when it is gone. 0, or a negative TR_E* code with fd and ss
	 * still the caller's. Epoll thread. */
	int (*start)(int fd, struct srv_sess *ss);
};

/* What main.c gives the core: the front ends it calls, never by name. */
struct srv_hooks {
	/* The JSON-RPC method called name[0..len), or NULL. Epoll thread. */
	const struct srv_method *(*method_find)(const char *name, size_t len);
	/* The front end of the --gdb listener (srv_opts.gdb); NULL: none. */
	const struct srv_frontend *gdb;
};

/* srv_run: listen, serve until a shutdown, then end every session and
 * connection. h: the front ends. Main thread; returns the exit status. */
int srv_run(const struct srv_opts *o, const struct srv_hooks *h,
	    struct tr_launch *launch, pid_t attach_pid);

/* params helpers (methods.c) */
int srv_param_u64(struct srv_call *x, const char *key, bool required,
		  uint64_t *out);
const char *srv_param_str(struct srv_call *x, const char *key, bool required);

#endif
