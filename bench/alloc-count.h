/* alloc-count.h: allocation calls made by every thread of the process so far. */
#ifndef TR_BENCH_ALLOC_COUNT_H
#define TR_BENCH_ALLOC_COUNT_H

#include <stdint.h>

/* The sanitizers bring their own malloc: defining ours next to theirs
 * breaks them, and their timings mean little anyway. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNT_ALLOCS 0
#else
#define COUNT_ALLOCS 1
#endif

/* Calls of malloc, calloc, realloc and the aligned allocators since the
 * process started, all threads together; always 0 under the sanitizers,
 * whose own allocator must not be interposed. */
uint64_t bench_allocs_now(void);

#endif
