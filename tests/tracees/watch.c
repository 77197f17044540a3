/* watch.c: a program for watchpoint tests: a global, a struct member through a pointer, a local that goes out of scope, a 4 KiB buffer, a real fault its own handler catches, threads. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct node {
	int v;
	struct node *next;
};

int g;                         /* written in main's loop */
int other[4096];               /* written on other pages */
char buf[4096] __attribute__((aligned(4096)));
char rbuf[4096] __attribute__((aligned(4096))); /* read(2) into */
struct node n2 = { 20, 0 }, n1 = { 10, &n2 };
struct node *head = &n1;
int tcount;                    /* written by threads */
struct near {
	long before;           /* read next to target, same page */
	int target;            /* read-watched */
} nb = { 1, 2 };
volatile long sink;
volatile int seen;             /* what main read of n2.v */
static sigjmp_buf jb;
static volatile int faults;

static void
on_segv(int sig)
{
	(void)sig;
	faults++;
	siglongjmp(jb, 1);
}

int
scoped(int k)
{
	int local = 0;         /* watched, then the frame returns */

	for (int i = 0; i < k; i++)
		local += i;
	return local;
}

void
poke(struct node *p)
{
	p->v = 50;             /* written through a parameter: gdb scopes a */
	p->v = 51;             /* watchpoint on p->v to this frame */
}

static void *
worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		tcount += 1;
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th;
	pid_t kid;
	int st;

	(void)argv;
	signal(SIGSEGV, on_segv);
	for (int i = 0; i < 5; i++) {
		other[i * 64] = i;
		g = i * 10;        /* line of the write to g */
		other[i * 64 + 1] = i;
	}
	g = g;                     /* same value: no write watch report */
	head->next->v = 21;
	seen = n2.v;               /* line of the read of n2.v */
	poke(&n1);
	sink = nb.before;          /* line of the read next to nb.target */
	sink = nb.target;          /* line of the read of nb.target */
	printf("scoped %d\n", scoped(4));
	for (int i = 0; i < 1000; i++)
		other[i] = i;
	buf[100] = 'x';
	if (sigsetjmp(jb, 1) == 0)
		*(volatile int *)(argc > 100 ? (void *)&g : 0) = 1;
	printf("faults %d\n", faults);
	{
		int pfd[2];

		if (pipe(pfd) == 0) {
			ssize_t n;

			if (write(pfd[1], "hello", 5) != 5)
				return 3;
			/* the kernel writes rbuf (line of the read) */
			n = read(pfd[0], rbuf, 5);
			printf("read %zd %.5s\n", n, rbuf);
			fflush(stdout);
			close(pfd[0]);
			close(pfd[1]);
		}
	}
	pthread_create(&th, NULL, worker, NULL);
	pthread_join(th, NULL);
	printf("tcount %d\n", tcount);
	fflush(stdout);
	kid = fork();              /* a child writes g, watched in us */
	if (kid == 0) {
		g = 99;
		_exit(7);
	}
	waitpid(kid, &st, 0);
	printf("child %d\n", /* line after the fork child */
	       WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	fflush(stdout);
	if (argc > 1)
		pause();           /* "pause": left for a look at its maps */
	return 0;
}
