/* gdbrun.h: running gdb and gdbserver from the benchmarks, and timing them. */
#ifndef TR_BENCH_GDBRUN_H
#define TR_BENCH_GDBRUN_H

#include <stdbool.h>
#include <stddef.h>

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);

/* The full path of `name` found in PATH, in buf; false when missing. */
bool bench_which(const char *name, char *buf, size_t len);

/*
 * bench_gdb_batch: run `gdb -nx -batch -x SCRIPT` with the script's
 * lines, output to /dev/null, killed after timeout_s; *secs gets the wall
 * time from spawn to exit. False when gdb failed or timed out.
 */
bool bench_gdb_batch(const char *gdb, const char *script, double timeout_s,
		     double *secs);

/*
 * bench_gdb_per_command: what one `cmd` costs gdb: a batch session loads
 * prog, stops at `stop_at` and runs `cmd` k times; another does the same
 * with none. Their wall times differ by k commands (startup, symbol
 * loading and the run cancel out): microseconds per command, the median
 * of three pairs; -1 when gdb failed or timed out.
 */
double bench_gdb_per_command(const char *gdb, const char *prog,
			     const char *stop_at, const char *cmd, int k,
			     double timeout_s);

/* A free TCP port on 127.0.0.1. */
int bench_free_port(void);

/* Start `gdbserver --once 127.0.0.1:PORT prog args`; its pid, or -1. */
int bench_gdbserver_start(const char *gdbserver, int port, const char *prog,
			  const char *arg);
void bench_reap(int pid);

/* Median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

#endif
