/* ids.h: what the client knows things by: process and thread ids, and gdb's signal numbers. */
#ifndef TR_SERVER_RSP_IDS_H
#define TR_SERVER_RSP_IDS_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "rsp/rsp_int.h"

/* rsp_pid: the process of r's session (0: none). */
pid_t rsp_pid(const struct rsp *r);
/* rsp_gtid: the thread registers and memory packets are about (Hg, or
 * the thread of the last stop). */
pid_t rsp_gtid(const struct rsp *r);
/* rsp_tid_str: tid as the client wants it, into buf: pPID.TID once
 * multiprocess+ is agreed, else TID; hex. Returns buf. */
const char *rsp_tid_str(const struct rsp *r, pid_t tid, char *buf,
			size_t len);
/* rsp_parse_tid: a thread id the client sent (TID or pPID.TID, hex; -1
 * for all); 0 when it is not one. */
pid_t rsp_parse_tid(const char *p);
/* rsp_append_tids: the target's threads as a comma-separated list of
 * ids, appended to b; -1 when they cannot be listed. */
int rsp_append_tids(struct rsp *r, struct tr_buf *b);
/*
 * rsp_thread_list: the reply to qfThreadInfo: the target's threads are
 * listed once, and sent RSP_TIDS_PER_REPLY at a time, the rest at each
 * qsThreadInfo (rsp_thread_list_next), then `l`. rsp_thread_list_free
 * drops what is left of the list.
 */
int rsp_thread_list(struct rsp *r);
int rsp_thread_list_next(struct rsp *r);
void rsp_thread_list_free(struct rsp *r);

/* rsp_gdb_signo: Linux signal sig as gdb numbers it (143: unknown);
 * rsp_host_signo: the other way (0: none). */
int rsp_gdb_signo(int sig);
int rsp_host_signo(int g);

#endif
