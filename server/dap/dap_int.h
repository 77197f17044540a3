/* dap_int.h: a DAP connection's state, which the files of server/dap/ share (private to the folder). */
#ifndef TR_SERVER_DAP_DAP_INT_H
#define TR_SERVER_DAP_DAP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "dap.h"
#include "json.h"
#include "json_write.h"
#include "session/session.h"

struct srv_sess;
struct mod;

/* A request as it came: seq, command, arguments (NULL: none). */
struct dap_req {
	int64_t seq;
	const char *command;
	const struct tr_json *args;
};

/* A source or function breakpoint the client set, and what the adapter
 * adds to the library's: the hit condition and the log message. */
struct dap_bp {
	uint32_t id;           /* the library's breakpoint number (0: none,
				  it failed) */
	char *path;            /* source path, NULL for a function one */
	char *spec;            /* function and instruction ones: the spec */
	uint32_t line;         /* asked for */
	uint32_t kind;         /* DAP_BP_* */
	char *cond;            /* the condition: NULL: none */
	char *hit_cond;        /* "5", ">= 3", "% 2": NULL: none */
	char *log;             /* logpoint message: NULL: a breakpoint */
	uint64_t hits;         /* counted by the adapter for hit_cond */
	bool verified;         /* it had a location when last told */
	struct dap_bp *next;
};

enum { DAP_BP_SOURCE = 0, DAP_BP_FUNCTION = 1, DAP_BP_INSN = 2,
       DAP_BP_DATA = 3 /* a watchpoint: id is its number */ };

/* What a variablesReference stands for, until the next resume. */
struct dap_ref {
	uint32_t kind;  /* DAP_REF_* */
	pid_t tid;
	uint32_t frame;
	char *expr;     /* DAP_REF_VALUE: the expression of the value */
	uint64_t start; /* DAP_REF_VALUE of an array chunk: first index */
	uint64_t count; /*   and how many (0: all) */
};

enum { DAP_REF_LOCALS = 1, DAP_REF_ARGS = 2, DAP_REF_REGS = 3,
       DAP_REF_VALUE = 4 };

/* A frame id: a thread and a level, until the next resume. */
struct dap_frame {
	pid_t tid;
	uint32_t level;
};

/* Signals the client may ask to stop at (setExceptionBreakpoints). */
#define DAP_NSIG 65

struct dap {
	int in, out;
	bool stdio;              /* the daemon's stdin/stdout */
	bool authed;             /* a local peer, or the token was given */
	atomic_bool closing;     /* the reader is done */
	pthread_mutex_t out_mu;  /* one message at a time on `out` */
	atomic_llong seq;        /* our messages' numbers */
	struct tr_dap_reader rd;

	/* the session: set by launch/attach, under ss->target_mu for use */
	struct srv_sess *ss;
	struct tr_session *s;
	struct tr_tracer *t;
	pid_t pid;
	bool launched;
	bool configured;         /* configurationDone came */
	bool stop_on_entry;
	char *launch_args;       /* the last launch's arguments (JSON), for
				    restart */
	bool restarting;         /* a launch made by restart: no
				    initialized event */
	atomic_bool exited;      /* the target ended (set by the run
				    thread before it clears running) */
	bool terminated_sent;
	bool lines_start_at1, columns_start_at1;

	/* a run on the run thread */
	pthread_t run_th;
	bool run_started;
	atomic_bool running;
	atomic_bool pause_req;
	atomic_bool quiet;       /* the run's stop is not reported */
	pid_t last_tid;          /* the thread of the last stop */

	/* the program's output, forwarded as output events */
	int out_fds[2];          /* read ends of its stdout, stderr; -1 */
	int out_quit;            /* eventfd: the output thread stops */
	atomic_bool out_done;    /* it read both pipes to their end */
	pthread_t out_th;
	bool out_started;

	/* breakpoints and stop filters (the reader's) */
	struct dap_bp *bps;
	bool sig_stop[DAP_NSIG];

	/* ids that live until the next resume (the reader's; the run
	 * thread clears them only while the reader waits for nothing) */
	struct dap_ref *refs;
	size_t nrefs, caprefs;
	struct dap_frame *frames;
	size_t nframes, capframes;

	/* threads known at the last stop, for thread events and for a
	 * threads request while running (under out_mu) */
	pid_t *tids;
	size_t ntids;

	/* modules seen at the last stop (run.c, modules.c) */
	struct mod *mods;
	size_t nmods;

	struct tr_buf buf;       /* the reader's message buffer (kept) */
	uint8_t *mem;            /* readMemory's buffer (kept) */
	size_t memcap;
};

#endif
