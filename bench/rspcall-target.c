/* rspcall-target.c: the program bench/rspcall calls add() in and dumps. */
#include <stdlib.h>
#include <unistd.h>

char *buf;
size_t buf_len = 16u << 20;

__attribute__((noinline, used)) int
add(int a, int b)
{
	return a + b;
}

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
	/* memread-target's pattern, which the dumps are checked against;
	 * every page touched so the read never meets the zero page */
	for (size_t i = 0; i < buf_len; i++)
		buf[i] = (char)((i * 131 + 7) & 0xff);
	ready();
	for (;;)
		pause();
}
