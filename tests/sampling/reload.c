/* reload.c - dlopen a library, spin in it, dlclose it, then the same with
 * a second library of the same size, which the loader usually maps where
 * the first one was.  Prints "same" or "moved" for the two load addresses
 * (the sampling test checks that each library's samples symbolize to its
 * own function either way).
 *
 *   reload LIB_ONE LIB_TWO SECONDS */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void *run(const char *lib, const char *fn, double seconds)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	void (*spin)(double);
	void *at;
	if (!h) {
		fprintf(stderr, "reload: %s\n", dlerror());
		exit(1);
	}
	*(void **)&spin = dlsym(h, fn);
	if (!spin) {
		fprintf(stderr, "reload: %s\n", dlerror());
		exit(1);
	}
	spin(seconds);
	at = (void *)spin;
	dlclose(h);
	return at;
}

int main(int argc, char **argv)
{
	void *one, *two;
	if (argc != 4) {
		fprintf(stderr, "usage: reload LIB_ONE LIB_TWO SECONDS\n");
		return 2;
	}
	one = run(argv[1], "spin_one", atof(argv[3]));
	two = run(argv[2], "spin_two", atof(argv[3]));
	printf("%s\n", one == two ? "same" : "moved");
	return 0;
}
