/* fork_burn.c - forks; the child burns about ARGV[1] seconds of CPU in
 * child_work() and exits, the parent waits (issue 14, defect 7: mold
 * works in a fork child).  With ARGV[2] "threads", the child does the
 * work on two threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double limit;

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void *child_work(void *arg)
{
	volatile unsigned long x = 0;
	(void)arg;
	while (cpu_s() < limit)
		x++;
	return NULL;
}

int main(int argc, char **argv)
{
	pid_t pid;
	int status;
	limit = argc > 1 ? atof(argv[1]) : 0.5;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (argc > 2 && !strcmp(argv[2], "threads")) {
			pthread_t a, b;
			limit /= 2;
			pthread_create(&a, NULL, child_work, NULL);
			pthread_create(&b, NULL, child_work, NULL);
			pthread_join(a, NULL);
			pthread_join(b, NULL);
		} else {
			child_work(NULL);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	return 0;
}
