/* tiny.c - a small traced workload for the damaged-trace tests: spends
 * CPU (so that it is sampled), starts N children of itself through
 * posix_spawn and fork+exec (a fork child spends CPU before its exec),
 * and reaps them.
 *
 *   tiny N     parent: N children, exit 0 if each exited 0
 *   tiny -c    child: spends a little CPU, exits 0 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static volatile unsigned long sink;

static void spin(double seconds)
{
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i * 7;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((double)(b.tv_sec - a.tv_sec) +
		     (double)(b.tv_nsec - a.tv_nsec) / 1e9 <
		 seconds);
}

int main(int argc, char **argv)
{
	char *av[] = {argv[0], "-c", NULL};
	int n, failures = 0;
	if (argc == 2 && !strcmp(argv[1], "-c")) {
		spin(0.02);
		return 0;
	}
	if (argc != 2 || (n = atoi(argv[1])) < 1)
		return 2;
	spin(0.05);
	for (int i = 0; i < n; i++) {
		pid_t pid = -1;
		int st;
		if (i % 2 == 0) {
			if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, av,
					environ) != 0)
				pid = -1;
		} else if ((pid = fork()) == 0) {
			/* CPU before the exec: the fork child's own image
			 * holds samples, which a cut must not lose silently. */
			spin(0.02);
			execv("/proc/self/exe", av);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			failures++;
	}
	return failures ? 1 : 0;
}
