/* rsp_int.h: the GDB remote protocol front end's connection state, which every file of server/rsp/ shares. */
#ifndef TR_SERVER_RSP_INT_H
#define TR_SERVER_RSP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "core/sess.h"
#include "rsp.h"

#define RSP_PACKET_SIZE 0x20000 /* what we take in one packet (hex digits) */
#define RSP_HOSTIO_FILES 64     /* files a client may hold open (vFile:open) */
#define RSP_TIDS_PER_REPLY 256 /* thread ids in one qf/qsThreadInfo reply */

/* Registers of one thread as `g` and `p` number them (regs.c, regs[]). */
struct rsp_regset {
	struct user_regs_struct gp;
	struct user_fpregs_struct fp;
	bool have_fp;
};

/* A software breakpoint gdb asked for (Z0). gdb removes and reinserts
 * every breakpoint around each stop; the int3 stays in the target
 * while it is not wanted and is only taken out when the target resumes
 * or the client leaves (reads of the target never see it). */
struct rsp_bp {
	uint64_t addr;
	bool wanted;
	bool ours;             /* we planted it (not another client) */
	char type;             /* Z's: 0 software, 1 hardware breakpoint
				  (a debug register), 2 write, 3 read, 4 access
				  watchpoint */
	uint64_t len;          /* a watchpoint's length */
	uint32_t wpid;         /* its number (control/watchpoint.h) */
};

struct rsp {
	int fd;                /* read from (and written to, but on stdio) */
	int wfd;               /* written to: fd, or stdout's copy */
	bool stdio;            /* on stdin and stdout (tracerd --gdb -) */
	struct srv_sess *ss;   /* NULL: no session yet (extended-remote) */
	struct tr_session *s;
	struct tr_tracer *t;
	struct tr_rsp_reader rd;
	struct tr_buf out;     /* the packet being sent */
	struct tr_buf last;    /* the last one, for a `-` */
	bool noack;
	bool authed;           /* a local client of our uid, or the token
				  was given (monitor auth) */
	bool extended;         /* `!`: extended-remote */
	bool thread_suffix;    /* QThreadSuffixSupported (lldb) */
	bool lldb;             /* the client looks like lldb */
	bool list_threads_in_stop; /* QListThreadsInStopReply (lldb) */
	bool multiprocess;     /* thread ids are pPID.TID (gdb) */
	bool binary_upload;    /* x replies start with `b` (GDB 16) */
	bool fork_events;      /* fork-events+ / vfork-events+ agreed */
	bool exec_events;      /* exec-events+ agreed */
	struct tr_tracer *fork_events_t; /* the tracer told of fork_events */
	pid_t fork_child;      /* the held child of the last fork stop */
	bool ran;              /* resumed since it took on the session */
	pid_t gtid;            /* Hg: registers and memory (0: current) */
	pid_t ctid;            /* Hc: resumes (-1, 0: all / any) */
	struct tr_event stop;  /* the last stop reported */
	bool gone;             /* the target exited */
	bool swbreak;          /* the client takes swbreak stop reasons */
	bool hwbreak;          /* ... and hwbreak ones */
	bool remote_debug;     /* monitor set remote-debug 1: packets logged */
	char *xml;             /* target.xml */
	bool pass[65];         /* QPassSignals: delivered without a stop */

	/* The registers of one thread at the current stop, read once and
	 * written through. */
	struct rsp_regset cache;
	pid_t cache_tid;       /* 0: nothing cached */
	bool cache_fp;         /* cache.fp is valid */

	/* The program the last launched session ran, with its arguments
	 * (NULL-terminated, argv[0] first), for R after it is gone. */
	char **run_argv;

	/* Host I/O: the client's file numbers, host descriptor + 1 (0:
	 * free), and the process whose file system paths name (0: ours). */
	int hostio[RSP_HOSTIO_FILES];
	pid_t hostio_pid;

	struct rsp_bp *bps;
	size_t nbps, capbps;

	/* qfThreadInfo's list, sent in chunks at each qsThreadInfo */
	pid_t *tlist;
	size_t tlist_n, tlist_pos;
	/* qXfer:threads:read's document, made at offset 0 and read on */
	struct tr_buf osdata;  /* the osdata document being read */
	char *threads_xml;
	size_t threads_xml_len;
};

#endif
