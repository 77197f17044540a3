/* dap-target.c: the program bench/dap debugs: a loop to step through, a
 * 1,000-element array of structs, add() to call, a 16 MiB buffer. Lines
 * the benchmark stops at carry a marker comment (BENCH_...). */
#include <stdlib.h>

struct item {
	int key;
	long value;
	double weight;
};

char *big;
size_t big_len = 16u << 20;

int
add(int a, int b)
{
	return a + b;
}

int
main(void)
{
	struct item items[1000];
	long sum = 0;

	big = malloc(big_len);
	if (!big)
		return 1;
	/* every page touched: the read never meets the zero page */
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)((i * 131 + 7) & 0xff);
	for (int i = 0; i < 1000; i++) {
		items[i].key = i;
		items[i].value = (long)i * i;
		items[i].weight = i / 2.0;
	}
	sum = items[0].key; /* BENCH_FIRST */
	for (int i = 0; i < 100000; i++) {
		sum += items[i % 1000].value; /* BENCH_LOOP */
		sum ^= i;
	}
	return (int)(sum & 1) + add(0, 0);
}
