/* bench-target.c: an idle process with one known word, for bench/dispatch to peek at. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/*
 * The word the benchmark peeks. It prints the address and the value, so
 * the benchmark checks every PEEK against what the target said instead of
 * sharing a constant with it. "tracerd!" in little-endian ASCII.
 */
volatile uint64_t bench_word = 0x2164726563617274ull;

int
main(void)
{
	printf("%p %" PRIx64 "\n", (void *)&bench_word, bench_word);
	/* The benchmark reads one line from a pipe: flush it now, the
	 * process never exits on its own. */
	fflush(stdout);
	/* Idle in a system call, attached or not; the benchmark kills us
	 * when it is done. The loop covers a pause() that returns. */
	for (;;)
		pause();
	return 0;
}
