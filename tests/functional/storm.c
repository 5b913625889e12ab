/* storm.c - THREADS threads start PER short children each, all at once,
 * and reap them.  Each child's argv names it: `storm child T I` for the
 * I-th child of thread T, so the checker can tell a lost child from a
 * duplicated one.  Threads take turns in how they start children:
 * posix_spawn, posix_spawnp, fork+execv (see start_child).
 *
 *   storm parent THREADS PER     exit 0 if every child exited 0
 *   storm child T I              exits 0 */
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
static pthread_barrier_t go;

static pid_t start_child(int thread, char **av)
{
	pid_t pid = -1;
	switch (thread % 4) {
	case 0:
	case 1:
		if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0)
			pid = -1;
		break;
	case 2:
		if (posix_spawnp(&pid, "storm", NULL, NULL, av, environ) != 0)
			pid = -1;
		break;
	default:
		pid = fork();
		if (pid == 0) {
			execv(self, av);
			_exit(127);
		}
		break;
	}
	return pid;
}

static void *worker(void *arg)
{
	int thread = (int)(long)arg;
	char t[16], i_s[16];
	pthread_barrier_wait(&go);
	snprintf(t, sizeof(t), "%d", thread);
	for (int i = 0; i < per; i++) {
		char *av[] = {self, "child", t, i_s, NULL};
		pid_t pid;
		int st;
		snprintf(i_s, sizeof(i_s), "%d", i);
		pid = start_child(thread, av);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	char path[8192], *slash;
	int n;
	ssize_t len;
	if (argc == 4 && !strcmp(argv[1], "child"))
		return 0;
	if (argc != 4 || strcmp(argv[1], "parent"))
		return 2;
	n = atoi(argv[2]);
	per = atoi(argv[3]);
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 1 || n > 64 || len < 0)
		return 2;
	self[len] = 0;
	/* posix_spawnp finds us on PATH. */
	snprintf(path, sizeof(path), "%s", self);
	slash = strrchr(path, '/');
	snprintf(slash, sizeof(path) - (size_t)(slash - path), ":%s",
		 getenv("PATH") ? getenv("PATH") : "/bin");
	setenv("PATH", path, 1);
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("storm: %d children, %d failures\n", n * per, failures);
	return failures ? 1 : 0;
}
