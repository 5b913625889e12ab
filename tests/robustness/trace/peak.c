/* peak.c - runs a command and reports the peaks of its resources: the
 * largest resident set of the command and any of its descendants (their
 * RUSAGE_CHILDREN maxrss), and the most file descriptors the command's
 * own process held at once (polled from /proc every millisecond).
 *
 *   peak CMD ARGS...   prints "peak: maxrss_kib=N max_fds=N wall_s=S"
 *                      on stderr and exits with CMD's status
 *   peak -p PID        watches a running process until it ends: prints
 *                      "peak: max_fds=N" */
#define _GNU_SOURCE
#include <dirent.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int st, max_fds = 0;
	pid_t pid;
	if (argc < 2) {
		fprintf(stderr, "usage: peak CMD ARGS... | peak -p PID\n");
		return 2;
	}
	if (argc == 3 && !strcmp(argv[1], "-p")) {
		int n;
		pid = (pid_t)atoi(argv[2]);
		while ((n = count_fds(pid)) >= 0) {
			if (n > max_fds)
				max_fds = n;
			usleep(1000);
		}
		fprintf(stderr, "peak: max_fds=%d\n", max_fds);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* posix_spawnp, not fork+exec: the command is then one image in a
	 * trace, as if it had been started directly. */
	if (posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) {
		fprintf(stderr, "peak: cannot run %s\n", argv[1]);
		return 127;
	}
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		int n;
		if (r == pid)
			break;
		n = count_fds(pid);
		if (n > max_fds)
			max_fds = n;
		usleep(1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "peak: maxrss_kib=%ld max_fds=%d wall_s=%.2f\n",
		ru.ru_maxrss, max_fds,
		(double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
