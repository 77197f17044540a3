/* watch-target.c: loops for bench/watch: MODE:N writes N times to another page (m: then once to hot; b: then once into buf) or to near_hot, on hot's page outside it (w: then once to hot), or makes N system calls (s: getppid, then writes hot and buf). */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int hot;
int near_hot;
int other[8192] __attribute__((aligned(4096)));
char buf[4096] __attribute__((aligned(4096)));
void ready(void) {}
int main(int argc, char **argv) {
	int n = atoi(strchr(argv[1], ':') + 1);
	ready();
	if (argv[1][0] == 'm') {
		for (int i = 0; i < n; i++) other[i & 4095] = i;
		hot = 42;
	} else if (argv[1][0] == 's') {
		for (int i = 0; i < n; i++) syscall(SYS_getppid);
		hot = 42;
		buf[100] = 'x';
	} else if (argv[1][0] == 'b') {
		for (int i = 0; i < n; i++) other[i & 4095] = i;
		buf[100] = 'x';
	} else {
		for (int i = 0; i < n; i++) near_hot = i;
		hot = 42;
	}
	return 0;
}
