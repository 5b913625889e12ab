/* exec_fail.c - an exec that fails, then about ARGV[1] seconds of CPU in
 * after_exec() (issue 14, defect 10: the sampler stopped for the exec must
 * start again when it returns). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "cpu_time.h"

__attribute__((noinline)) static void after_exec(double until)
{
	volatile unsigned long x = 0;
	while (cpu_s() < until)
		x++;
}

int main(int argc, char **argv)
{
	char *args[] = {"/nonexistent/btrace-no-such-program", NULL};
	double t;
	execv(args[0], args); /* fails: ENOENT */
	t = cpu_s();
	after_exec(t + (argc > 1 ? atof(argv[1]) : 0.5));
	return 0;
}
