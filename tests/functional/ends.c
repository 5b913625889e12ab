/* ends.c - children that end in every way, reaped by every wait call; and
 * threads that write many records (for the RLIMIT_FSIZE test).
 *
 *   ends signals    spawns children that wait to be killed; kills each
 *                   with a signal and reaps it with another wait call
 *                   (see kills[]); exit 0 if every status is as expected
 *   ends exits      spawns children that leave through _exit, _Exit,
 *                   exit, a return from main and exit from a thread
 *                   (see leaves[]), reaps them; exit 0 if as expected
 *   ends records THREADS N
 *                   THREADS threads each make N failing execs and N
 *                   spawns of a child: many records, written at once
 *   ends child TAG CODE           exits CODE
 *   ends wait_kill TAG            says "ready" on fd 3, waits for a signal
 *   ends leave TAG HOW CODE       leaves through HOW with CODE */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char self[4096];
static int failures;

/* Spawns `ends ARGS...` with fd 3 the write end of a pipe, and returns
 * once the child has said it is ready (so that its shim has started). */
static pid_t spawn_ready(char *const args[])
{
	posix_spawn_file_actions_t fa;
	char *av[8] = {self};
	int p[2];
	pid_t pid;
	char c;
	for (int i = 0; args[i] && i < 6; i++)
		av[i + 1] = args[i];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 3);
	if (posix_spawn(&pid, self, &fa, NULL, av, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1)
		failures++;
	close(p[0]);
	return pid;
}

static void expect_status(const char *tag, int st, int sig, int code)
{
	int ok = sig ? WIFSIGNALED(st) && WTERMSIG(st) == sig
		     : WIFEXITED(st) && WEXITSTATUS(st) == code;
	printf("%-14s status %#06x%s\n", tag, st, ok ? "" : "  WRONG");
	failures += !ok;
}

static int signals(void)
{
	static const struct {
		const char *tag;
		int sig;
	} kills[] = {
	    {"kill_waitpid", SIGKILL}, {"kill_wait4", SIGKILL},
	    {"kill_wait3", SIGKILL},   {"kill_wait", SIGKILL},
	    {"kill_waitid", SIGKILL},  {"kill_wnowait", SIGKILL},
	    {"term_waitpid", SIGTERM}, {"segv_waitpid", SIGSEGV},
	};
	for (size_t i = 0; i < sizeof(kills) / sizeof(*kills); i++) {
		char *args[] = {"wait_kill", (char *)kills[i].tag, NULL};
		const char *tag = kills[i].tag;
		const char *how = strchr(tag, '_') + 1;
		pid_t pid = spawn_ready(args), got = -1;
		struct rusage ru;
		siginfo_t si;
		int st = -1;
		if (pid < 0) {
			failures++;
			continue;
		}
		kill(pid, kills[i].sig);
		if (!strcmp(how, "waitpid")) {
			got = waitpid(pid, &st, 0);
		} else if (!strcmp(how, "wait4")) {
			got = wait4(pid, &st, 0, &ru);
		} else if (!strcmp(how, "wait3")) {
			got = wait3(&st, 0, &ru);
		} else if (!strcmp(how, "wait")) {
			got = wait(&st);
		} else if (!strcmp(how, "waitid") || !strcmp(how, "wnowait")) {
			int opt = WEXITED | (how[1] == 'n' ? WNOWAIT : 0);
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, opt) == 0) {
				got = si.si_pid;
				st = si.si_code == CLD_KILLED ||
					     si.si_code == CLD_DUMPED
					 ? si.si_status
					 : -1;
			}
			/* After WNOWAIT the child is still there: reap it
			 * for real, once. */
			if (opt & WNOWAIT && waitpid(pid, &st, 0) != pid)
				got = -1;
		}
		if (got != pid)
			failures++;
		expect_status(tag, st, kills[i].sig, 0);
	}
	return failures ? 1 : 0;
}

static const struct {
	const char *tag, *how;
	int code;
} leaves[] = {
    {"leave__exit", "_exit", 7},    {"leave__Exit", "_Exit", 8},
    {"leave_exit", "exit", 9},	    {"leave_return", "return", 10},
    {"leave_thread", "thread", 11}, {"leave_big", "exit", 300},
};

static int exits(void)
{
	for (size_t i = 0; i < sizeof(leaves) / sizeof(*leaves); i++) {
		char code[16];
		char *av[] = {
		    self, "leave", (char *)leaves[i].tag, (char *)leaves[i].how,
		    code, NULL};
		pid_t pid;
		int st = -1;
		snprintf(code, sizeof(code), "%d", leaves[i].code);
		if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid)
			failures++;
		expect_status(leaves[i].tag, st, 0, leaves[i].code & 0xff);
	}
	return failures ? 1 : 0;
}

static int per_thread;

static void *record_worker(void *arg)
{
	char *bad[] = {"/nonexistent/prog", NULL};
	char *av[] = {self, "child", "records", "0", NULL};
	(void)arg;
	for (int i = 0; i < per_thread; i++) {
		pid_t pid;
		int st;
		errno = 0;
		execv(bad[0], bad);
		if (errno != ENOENT)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		if (i % 8 == 0 &&
		    (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
		     waitpid(pid, &st, 0) != pid || st != 0))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int records(int threads, int n)
{
	pthread_t th[32];
	if (threads < 1 || threads > 32)
		return 2;
	per_thread = n;
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, record_worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	printf("records: %d failures\n", failures);
	return failures ? 1 : 0;
}

static int leave_code;

static void *leave_thread(void *arg)
{
	(void)arg;
	exit(leave_code);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;
	if (argc == 4 && !strcmp(argv[1], "child"))
		return atoi(argv[3]);
	if (argc == 3 && !strcmp(argv[1], "wait_kill")) {
		if (!strcmp(argv[2], "segv_waitpid")) {
			/* Dies of SIGSEGV when it comes, without a core. */
			struct rlimit rl = {0, 0};
			setrlimit(RLIMIT_CORE, &rl);
		}
		if (write(3, "r", 1) != 1)
			return 3;
		for (;;)
			pause();
	}
	if (argc == 5 && !strcmp(argv[1], "leave")) {
		int code = atoi(argv[4]);
		printf("leaving through %s\n", argv[3]);
		fflush(stdout);
		if (!strcmp(argv[3], "_exit"))
			_exit(code);
		if (!strcmp(argv[3], "_Exit"))
			_Exit(code);
		if (!strcmp(argv[3], "exit"))
			exit(code);
		if (!strcmp(argv[3], "thread")) {
			pthread_t t;
			leave_code = code;
			pthread_create(&t, NULL, leave_thread, NULL);
			for (;;)
				pause();
		}
		return code;
	}
	if (argc == 2 && !strcmp(argv[1], "signals"))
		return signals();
	if (argc == 2 && !strcmp(argv[1], "exits"))
		return exits();
	if (argc == 4 && !strcmp(argv[1], "records"))
		return records(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: ends signals|exits|records THREADS N\n");
	return 2;
}
