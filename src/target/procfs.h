/* procfs.h: facts about a process and its threads from /proc (any thread may ask). */
#ifndef TR_TARGET_PROCFS_H
#define TR_TARGET_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * tr_proc_thread_name: the name of thread `tid` of process `pid` (its
 * comm, as set by pthread_setname_np or prctl), NUL-terminated in buf.
 * -TR_ESRCH when the thread is gone.
 */
int tr_proc_thread_name(pid_t pid, pid_t tid, char *buf, size_t len);

/*
 * tr_proc_thread_state: the state letter of a thread as /proc shows it
 * (R running, S sleeping, D disk, t traced-stopped, T stopped, Z zombie),
 * or -TR_ESRCH.
 */
int tr_proc_thread_state(pid_t pid, pid_t tid);

/*
 * tr_proc_sig_pending: whether signal `sig` is pending for thread `tid`
 * itself (SigPnd): 1, 0, or -TR_E*.
 */
int tr_proc_sig_pending(pid_t pid, pid_t tid, int sig);

/* tr_proc_auxv: *val gets auxiliary vector entry `type` (AT_ENTRY,
 * AT_PHDR...) of process pid: 0, -TR_ENOENT when it has none (or it is
 * 0), -TR_EGONE when the process is gone. */
int tr_proc_auxv(pid_t pid, uint64_t type, uint64_t *val);

#endif
