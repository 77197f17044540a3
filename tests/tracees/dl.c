/* dl.c: loads the test library with dlopen after start, for pending breakpoints. */
#include <dlfcn.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	void *h;
	int (*add)(int, int);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		printf("dl: %s\n", dlerror());
		return 1;
	}
	add = (int (*)(int, int))dlsym(h, "tshared_add");
	printf("dl: %d\n", add ? add(20, 22) : -1);
	dlclose(h);
	return 0;
}
