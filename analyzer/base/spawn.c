/* spawn.c - running other programs (spawn.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/spawn.h"

extern char **environ;

/* The process group of the build bt_run() waits for (0: none), and
 * whether bt_run_interrupt() was called: written by a signal handler. */
static volatile sig_atomic_t run_pgid, run_stop;

/* Whether an executable PROG is on PATH: 1 with its path in BUF. */
static int find_on_path(const char *prog, char *buf, size_t cap)
{
	const char *path = getenv("PATH");
	while (path && *path) {
		const char *colon = strchr(path, ':');
		int len = colon ? (int)(colon - path) : (int)strlen(path);
		snprintf(buf, cap, "%.*s/%s", len, path, prog);
		if (len > 0 && access(buf, X_OK) == 0)
			return 1;
		path = colon ? colon + 1 : NULL;
	}
	return 0;
}

/* In the child: the set-up O asks for, then ARGV.  execvp() runs a file
 * of no executable format as a shell script (/bin/sh FILE ARGS).  On
 * failure the errno value goes up the pipe ERR. */
static void __attribute__((noreturn))
child(char *const *argv, const struct bt_spawn_opts *o, int err)
{
	int e = 0;
	if (o->own_group && setpgid(0, 0) < 0)
		e = errno;
	for (int sig = 1; !e && o->sig_default && sig < NSIG; sig++)
		if (sigismember(o->sig_default, sig) == 1)
			signal(sig, SIG_DFL);
	if (!e && o->log) {
		int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int in = open("/dev/null", O_RDONLY);
		if (fd < 0 || in < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
		    dup2(in, 0) < 0)
			e = errno;
	}
	if (!e) {
		execvp(argv[0], argv);
		e = errno;
	}
	if (write(err, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* fork, not posix_spawn: posix_spawn's child shares this process's
 * memory until it execs (CLONE_VM), and Linux carries the high-water
 * mark of that memory into the new program's ru_maxrss, so the command
 * would report btrace's resident set as its own (7.6 MiB for a program
 * of 1.4 MiB, seen by robustness_storm_10k). */
int bt_spawn(char *const *argv, const struct bt_spawn_opts *o, pid_t *pid)
{
	int p[2], e = 0;
	ssize_t n;
	pid_t c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	c = fork();
	if (c < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return e;
	}
	if (c == 0) {
		close(p[0]);
		child(argv, o, p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == (ssize_t)sizeof(e)) { /* it never ran ARGV */
		while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
			;
		return e;
	}
	*pid = c;
	return 0;
}

int bt_wait(pid_t pid, int *status, struct rusage *ru)
{
	pid_t w;
	do
		w = wait4(pid, status, 0, ru);
	while (w < 0 && errno == EINTR);
	return w == pid ? 0 : -1;
}

double bt_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_of(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec +
	       (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

int bt_reap_stragglers(double wait_s, double *cpu)
{
	double deadline = bt_now_s() + wait_s;
	struct rusage ru;
	int reaped = 0, st;
	while (!run_stop) {
		pid_t p = wait4(-1, &st, WNOHANG, &ru);
		if (p > 0) {
			reaped++;
			if (cpu)
				*cpu += cpu_of(&ru);
		} else if (p < 0 && errno != EINTR) {
			return reaped; /* ECHILD: none left */
		} else if (p == 0 && bt_now_s() > deadline) {
			return -1;
		} else if (p == 0) {
			usleep(2000);
		}
	}
	return -1;
}

int bt_run(char *const *argv, const char *log, double *wall, double *cpu)
{
	const struct bt_spawn_opts o = {.log = log, .own_group = 1};
	struct rusage ru;
	pid_t pid;
	int status = -1, rc;
	double t0 = bt_now_s();

	rc = bt_spawn(argv, &o, &pid);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	run_pgid = pid;
	if (bt_wait(pid, &status, &ru) < 0)
		memset(&ru, 0, sizeof(ru));
	*wall = bt_now_s() - t0;
	*cpu = cpu_of(&ru);
	bt_reap_stragglers(BT_STRAGGLER_WAIT_S, cpu);
	run_pgid = 0;
	return status;
}

/* Async-signal-safe: kill() and sig_atomic_t stores only. */
void bt_run_interrupt(void)
{
	pid_t pgid = run_pgid;
	run_stop = 1;
	if (pgid > 0)
		kill(-pgid, SIGTERM);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void bt_rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int bt_on_path(const char *prog)
{
	char buf[4096];
	return find_on_path(prog, buf, sizeof(buf));
}

char **bt_traced_argv(const char *self, const char *trace, char *const *argv)
{
	int n = 0, k = 0;
	char **t;
	while (argv[n])
		n++;
	t = calloc((size_t)n + 6, sizeof(*t));
	if (!t)
		return NULL;
	t[k++] = (char *)self;
	t[k++] = "record";
	t[k++] = "-o";
	t[k++] = (char *)trace;
	t[k++] = "--";
	for (int i = 0; i < n; i++)
		t[k++] = argv[i];
	return t;
}
