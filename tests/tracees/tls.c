/* tls.c: thread-local variables (__thread), in the executable and in the test library, with a value of their own in each thread. */
#include <pthread.h>
#include <stdio.h>

#include "tshared.h"

__thread int tls_var = 7;
__thread char tls_name[16] = "main";

__attribute__((noinline)) void
tls_mark(int n)
{
	printf("tls: %d %d %s %d\n", n, tls_var, tls_name, tshared_tls_get());
}

static void *
run(void *arg)
{
	long n = (long)arg;

	tls_var = 100 + (int)n;
	snprintf(tls_name, sizeof(tls_name), "thread%ld", n);
	tshared_tls_set(200 + (int)n);
	tls_mark((int)n);
	return NULL;
}

int
main(void)
{
	pthread_t th;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tls_var = 8;
	tshared_tls_set(9);
	tls_mark(0);
	pthread_create(&th, NULL, run, (void *)1L);
	pthread_join(th, NULL);
	return 0;
}
