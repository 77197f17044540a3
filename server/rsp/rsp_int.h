/* rsp_int.h: the GDB remote protocol front end's connection state, shared by rsp.c (gdb's packets) and lldb.c (lldb's). */
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

/* Registers of one thread as `g` and `p` number them (rsp.c, regs[]). */
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
};

struct rsp {
	int fd;
	struct srv_sess *ss;   /* NULL: no session yet (extended-remote) */
	struct tr_session *s;
	struct tr_tracer *t;
	struct tr_rsp_reader rd;
	struct tr_buf out;     /* the packet being sent */
	struct tr_buf last;    /* the last one, for a `-` */
	bool noack;
	bool extended;         /* `!`: extended-remote */
	bool thread_suffix;    /* QThreadSuffixSupported (lldb) */
	bool lldb;             /* the client looks like lldb */
	bool list_threads_in_stop; /* QListThreadsInStopReply (lldb) */
	bool multiprocess;     /* thread ids are pPID.TID (gdb) */
	bool binary_upload;    /* x replies start with `b` (GDB 16) */
	pid_t gtid;            /* Hg: registers and memory (0: current) */
	pid_t ctid;            /* Hc: resumes (-1, 0: all / any) */
	struct tr_event stop;  /* the last stop reported */
	bool gone;             /* the target exited */
	bool swbreak;          /* the client takes swbreak stop reasons */
	char *xml;             /* target.xml */
	bool pass[65];         /* QPassSignals: delivered without a stop */

	/* The registers of one thread at the current stop, read once and
	 * written through. */
	struct rsp_regset cache;
	pid_t cache_tid;       /* 0: nothing cached */
	bool cache_fp;         /* cache.fp is valid */

	struct rsp_bp *bps;
	size_t nbps, capbps;
};

/* rsp.c */
int rsp_reply(struct rsp *r, const char *payload, size_t len);
int rsp_reply_str(struct rsp *r, const char *s);
int rsp_reply_err(struct rsp *r, int err);
pid_t rsp_pid(const struct rsp *r);
/* The thread registers and memory packets are about (Hg, or the thread
 * of the last stop). */
pid_t rsp_gtid(const struct rsp *r);
/* Registers of tid (0: rsp_gtid), from the cache; fp too when want_fp. */
int rsp_regs(struct rsp *r, pid_t tid, bool want_fp,
	     const struct rsp_regset **out);
size_t rsp_nregs(void);
/* Name, size in bytes and value (little-endian) of register n. */
const char *rsp_reg_name(size_t n);
size_t rsp_reg_size(size_t n);
void rsp_reg_value(const struct rsp_regset *rs, size_t n, unsigned char *buf);
/* Drop the register cache (the registers may have changed). */
void rsp_regs_forget(struct rsp *r);
int rsp_gdb_signo(int sig);

/* lldb.c: lldb's own packets. 1: not one of them. */
int rsp_lldb_packet(struct rsp *r, const char *p, size_t len);

#endif
