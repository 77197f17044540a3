/* helpers.h: launching tracees, reading what they print, and /proc probes, for the suites. */
#ifndef TR_TESTS_HELPERS_H
#define TR_TESTS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/tracer.h"

struct tracee {
	struct tr_tracer *t; /* NULL for a spawned, not yet attached one */
	pid_t pid;
	int out;        /* read end of its stdout */
	int in;         /* write end of its stdin, or -1 */
	bool spawned;   /* forked by the test itself: the test reaps it */
	char buf[4096]; /* what was read and not consumed yet */
	size_t len;
};

/* Start a tracer and launch TRACEE_DIR/prog with up to 2 arguments;
 * stopped after execve. */
void tracee_launch(struct tracee *te, const char *prog, const char *a1,
		   const char *a2);

/* The same, with a pipe on its stdin too (te->in). */
void tracee_launch_stdin(struct tracee *te, const char *prog, const char *a1,
			 const char *a2);

/* Fork and exec TRACEE_DIR/prog untraced; returns its pid, *out gets the
 * read end of its stdout. It dies with the calling thread. */
pid_t tracee_spawn(const char *prog, const char *a1, const char *a2, int *out);

/* tracee_spawn into a struct tracee (te->t stays NULL). */
void tracee_spawn_te(struct tracee *te, const char *prog, const char *a1,
		     const char *a2);

/* Read one line (without the newline) within timeout_ms; false on EOF or
 * timeout. */
bool tracee_line(struct tracee *te, char *line, size_t len, int timeout_ms);

/* A line's "key=0x..." value (0 when absent). */
uint64_t line_addr(const char *line, const char *key);

/* Continue from the launch stop until the tracee's own raise(SIGTRAP). */
void tracee_to_trap(struct tracee *te);

/* Free the tracer (which kills a launched target), kill and reap a spawned
 * one, close the pipes. */
void tracee_end(struct tracee *te);

/* --- /proc, read by the test itself (not through the library) -------- */

/* The state letter of a thread from /proc/PID/task/TID/stat, or 0 when
 * it is gone. */
char proc_state(pid_t pid, pid_t tid);

/* Thread ids of pid from /proc/PID/task (up to max); returns the count. */
size_t proc_tids(pid_t pid, pid_t *tids, size_t max);

/* How many threads of pid are in state `want`; *total gets the count. */
size_t proc_count_state(pid_t pid, char want, size_t *total);

/* pread of /proc/PID/mem: returns the bytes read, -1 on failure. */
ssize_t proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* The first mapping of pid whose line contains both `perms` (e.g.
 * " r-xp ") and `name`: its bounds in *lo, *hi; false when none. */
bool proc_mapping(pid_t pid, const char *perms, const char *name,
		  uint64_t *lo, uint64_t *hi);

/* --- waiting ---------------------------------------------------------- */

/* Poll cond(arg) every 200 us until true or timeout_ms passed. */
bool wait_until(bool (*cond)(void *), void *arg, int timeout_ms);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* Assert an event, naming what came instead. */
#define ck_assert_event(ev, want_type, want_reason)                        \
	ck_assert_msg((ev).type == (want_type) &&                          \
		      ((want_type) != TR_EV_STOP ||                        \
		       (ev).reason == (uint32_t)(want_reason)),            \
		      "expected %s/%s, got %s/%s sig %d status %d tid %d", \
		      tr_event_type_name(want_type),                       \
		      tr_stop_reason_name(want_reason),                    \
		      tr_event_type_name((ev).type),                       \
		      tr_stop_reason_name((ev).reason), (ev).sig,          \
		      (ev).status, (ev).tid)

/* Assert a call returned `want`, naming the error it gave instead. */
#define ck_assert_tr(call, want)                                         \
	do {                                                             \
		int ck_tr_err_ = (call);                                 \
		ck_assert_msg(ck_tr_err_ == (want),                      \
			      "%s: got %d (%s), expected %d (%s)", #call,  \
			      ck_tr_err_, tr_strerror(ck_tr_err_), (want), \
			      tr_strerror(want));                        \
	} while (0)

/*
 * tracee_marker_line: the line of tests/tracees/`file` carrying the marker
 * "LINE:name" (a comment in the source), so that tests name lines, not
 * numbers. Fails the test when there is none.
 */
unsigned tracee_marker_line(const char *file, const char *name);

#endif
