/* helpers.h: launching tracees with a pipe on their stdout, and reading what they print. */
#ifndef TR_TESTS_HELPERS_H
#define TR_TESTS_HELPERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracer.h"

struct tracee {
	struct tr_tracer *t;
	pid_t pid;
	int out;        /* read end of its stdout */
	char buf[4096]; /* what was read and not consumed yet */
	size_t len;
};

/* Start a tracer and launch TRACEE_DIR/prog with up to 2 arguments. */
void tracee_launch(struct tracee *te, const char *prog, const char *a1,
		   const char *a2);

/* Fork and exec TRACEE_DIR/prog untraced; returns its pid, *out gets the
 * read end of its stdout. */
pid_t tracee_spawn(const char *prog, const char *a1, const char *a2, int *out);

/* Read one line (without the newline) within timeout_ms; false on EOF or
 * timeout. */
bool tracee_line(struct tracee *te, char *line, size_t len, int timeout_ms);

/* A line's "key=0x..." value (0 when absent). */
uint64_t line_addr(const char *line, const char *key);

/* Continue until the tracee's own raise(SIGTRAP), which is suppressed. */
void tracee_to_trap(struct tracee *te);

/* Kill and free everything. */
void tracee_end(struct tracee *te);

#endif
