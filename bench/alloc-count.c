/* alloc-count.c: counts every allocation call in the process, by interposing malloc and friends (for bench/dispatch). */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc-count.h"

/* Allocation calls in every thread. Zero-initialized static storage: valid
 * before main and before any constructor runs. */
static _Atomic uint64_t nallocs;

#if COUNT_ALLOCS
/*
 * glibc exports its allocator under these names, so the interposers need
 * no dlsym() (which itself allocates, and would recurse). They are not
 * static: the point is that every malloc call in the process, libtracer's
 * and libc's own included, binds to them.
 */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static inline void
count_alloc(void)
{
	atomic_fetch_add_explicit(&nallocs, 1, memory_order_relaxed);
}

void *
malloc(size_t size)
{
	count_alloc();
	return __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	count_alloc();
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	count_alloc();
	return __libc_realloc(p, size);
}

void
free(void *p)
{
	__libc_free(p);
}

void *
memalign(size_t align, size_t size)
{
	count_alloc();
	return __libc_memalign(align, size);
}

void *
aligned_alloc(size_t align, size_t size)
{
	count_alloc();
	return __libc_memalign(align, size);
}

int
posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	count_alloc();
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	/* posix_memalign reports through its result, never errno. */
	errno = saved;
	*out = p;
	return 0;
}

void *
valloc(size_t size)
{
	count_alloc();
	return __libc_valloc(size);
}

void *
pvalloc(size_t size)
{
	count_alloc();
	return __libc_pvalloc(size);
}
#endif

uint64_t
bench_allocs_now(void)
{
	return atomic_load_explicit(&nallocs, memory_order_relaxed);
}
