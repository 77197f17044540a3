/* memread-target.c: the program bench/memread reads 16 MiB out of. */
#include <stdlib.h>
#include <unistd.h>

char *buf;
size_t buf_len = 16u << 20;

/* The debugger stops here, the buffer filled. */
__attribute__((noinline)) void
ready(void)
{
	__asm__ volatile("" ::: "memory");
}

int
main(void)
{
	buf = malloc(buf_len);
	if (!buf)
		return 1;
	/* a pattern the reader can check byte for byte; every page touched
	 * so the read never meets the zero page */
	for (size_t i = 0; i < buf_len; i++)
		buf[i] = (char)((i * 131 + 7) & 0xff);
	ready();
	for (;;)
		pause();
}
