/* storm.c - THREADS threads each posix_spawn PER short children at once
 * (`storm child` exits 0 at once) and reap them.
 *   storm parent THREADS PER     exit 0 if every child exited 0
 *   storm child */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char self[4096];
static int per;
static int failures;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < per; i++) {
		char *av[] = {self, "child", NULL};
		pid_t pid;
		int st;
		if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int n;
	if (argc == 2 && !strcmp(argv[1], "child"))
		return 0;
	if (argc != 4 || strcmp(argv[1], "parent"))
		return 2;
	n = atoi(argv[2]);
	per = atoi(argv[3]);
	if (n < 1 || n > 64 ||
	    readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return 2;
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("storm: %d children, %d failures\n", n * per, failures);
	return failures ? 1 : 0;
}
