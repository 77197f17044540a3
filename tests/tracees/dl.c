/* dl.c: loads the test library with dlopen after start, for pending breakpoints; with a second argument N, N times, closing it in between (it comes back at the same address: breakpoints in it must follow). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	for (int i = 0; i < rounds; i++) {
		void *h = dlopen(argv[1], RTLD_NOW);
		int (*add)(int, int);

		if (!h) {
			printf("dl: %s\n", dlerror());
			return 1;
		}
		add = (int (*)(int, int))dlsym(h, "tshared_add");
		printf("dl: %d at %p\n", add ? add(20, 22 + i) : -1,
		       (void *)add);
		dlclose(h);
	}
	return 0;
}
