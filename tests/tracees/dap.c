/* dap.c: the program tests/dap/scenario.js debugs through DAP: nested
 * structs, a pointer, an array, a function to call, a loop, a second
 * thread, a signal. Lines the test stops at carry a marker comment
 * (BP_...), which the test finds in this file. argv[1] picks a mode:
 * (none) the main scenario, "loop" runs until paused or killed,
 * "segv" faults, "wait" sleeps (for attach). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct inner {
	int x;
	double y;
};

struct outer {
	int id;
	struct inner in;
	struct inner *ptr;
	int arr[5];
	char name[8];
};

struct item {
	int key;
	long value;
};

struct item items[1000];
volatile int spin = 1;
volatile long counter;

int
add(int a, int b)
{
	return a + b; /* BP_ADD */
}

static int
twice(int v)
{
	int r = add(v, v); /* BP_TWICE */
	return r;
}

static void *
worker(void *arg)
{
	int n = *(int *)arg;

	counter += n; /* BP_WORKER */
	return NULL;
}

static int
loop_sum(int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += i; /* BP_LOOP */
	return sum;
}

int
main(int argc, char **argv)
{
	struct inner target = { 7, 2.5 };
	struct outer o = { 42, { 1, 0.5 }, &target, { 10, 20, 30, 40, 50 },
			   "abc" };
	const char *mode = argc > 1 ? argv[1] : "";
	pthread_t th;
	int n = 3, total;

	for (int i = 0; i < 1000; i++) {
		items[i].key = i;
		items[i].value = (long)i * i;
	}
	if (!strcmp(mode, "loop")) {
		printf("looping\n"); /* BP_LOOPING */
		fflush(stdout);
		while (spin)
			counter++; /* BP_SPIN */
		return 0;
	}
	if (!strcmp(mode, "wait")) {
		printf("waiting %d\n", (int)getpid());
		fflush(stdout);
		while (spin)
			usleep(1000);
		return 0;
	}
	if (!strcmp(mode, "segv")) {
		int *volatile p = NULL;

		return *p; /* BP_SEGV */
	}
	printf("start %d\n", o.id); /* BP_MAIN */
	fflush(stdout);
	total = twice(o.arr[1]); /* BP_CALL */
	total += loop_sum(10); /* BP_AFTER */
	pthread_create(&th, NULL, worker, &n);
	pthread_join(th, NULL);
	fprintf(stderr, "to stderr\n");
	printf("total %d counter %ld\n", total, counter);
	return 7; /* BP_END */
}
