/* behave.c - a program whose observable behaviour must not change when it
 * is traced: its output, errno after failing and succeeding calls, exit
 * code, and the files it writes after closing every descriptor and
 * dup2()ing over them.  behave.sh runs it traced and untraced and compares.
 *
 *   behave DIR               writes DIR/out.N, prints a report, exits 42
 *   behave child TAG CODE    exits CODE (TAG names it) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char self[4096];
static int fails;

/* Prints what a call left in errno, and counts a surprise (WANT -1: any
 * value, as long as traced and untraced runs agree). */
static void report(const char *what, int got, int want)
{
	printf("%-34s errno %d (%s)%s\n", what, got,
	       strerrorname_np(got) ? strerrorname_np(got) : "0",
	       got == want || want < 0 ? "" : "  UNEXPECTED");
	fails += got != want && want >= 0;
}

static void errno_checks(const char *dir)
{
	char *av[] = {"/nonexistent/prog", NULL};
	char noexec[4200];
	pid_t pid;
	int st, r, fd;
	FILE *p;
	char line[64];
	siginfo_t si;

	/* Exec failures: errno is what the kernel said. */
	errno = 0;
	execv("/nonexistent/prog", av);
	report("execv missing", errno, ENOENT);
	snprintf(noexec, sizeof(noexec), "%s/noexec", dir);
	fd = open(noexec, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, "#!/bin/sh\n", 10) != 10)
			fails++;
		close(fd);
	}
	errno = 0;
	execve(noexec, av, environ);
	report("execve not executable", errno, EACCES);
	errno = 0;
	execvp("btrace-no-such-program", av);
	report("execvp not on PATH", errno, ENOENT);
	errno = 0;
	execl("/", "/", (char *)NULL);
	report("execl directory", errno, EACCES);
	errno = 0;
	execlp("/nonexistent/prog", "x", (char *)NULL);
	report("execlp missing", errno, ENOENT);
	errno = 0;
	execle("/nonexistent/prog", "x", (char *)NULL, environ);
	report("execle missing", errno, ENOENT);
	errno = 0;
	execvpe("btrace-no-such-program", av, environ);
	report("execvpe not on PATH", errno, ENOENT);
	errno = 0;
	fexecve(-1, av, environ);
	report("fexecve bad fd", errno, EINVAL);
	errno = 0;
	execveat(AT_FDCWD, "/nonexistent/prog", av, environ, 0);
	report("execveat missing", errno, ENOENT);

	/* posix_spawn reports through its return value; glibc leaves errno
	 * set too. */
	errno = EDOM;
	r = posix_spawn(&pid, av[0], NULL, NULL, av, environ);
	printf("posix_spawn missing returns %d\n", r);
	fails += r != ENOENT;
	report("errno after failed posix_spawn", errno, -1);
	errno = EDOM;
	r = posix_spawnp(&pid, "btrace-no-such-program", NULL, NULL, av,
			 environ);
	printf("posix_spawnp missing returns %d\n", r);
	fails += r != ENOENT;
	report("errno after failed posix_spawnp", errno, -1);
	{
		char *cav[] = {self, "child", "errno", "3", NULL};
		errno = ERANGE;
		r = posix_spawn(&pid, self, NULL, NULL, cav, environ);
		report("errno after posix_spawn", errno, ERANGE);
		errno = ERANGE;
		st = -1;
		if (r != 0 || waitpid(pid, &st, 0) != pid)
			fails++;
		report("errno after waitpid", errno, ERANGE);
		printf("child status %#x\n", st);
		fails += !WIFEXITED(st) || WEXITSTATUS(st) != 3;
	}

	/* fork and wait in the parent, errno kept. */
	errno = EILSEQ;
	pid = fork();
	if (pid == 0)
		_exit(4);
	report("errno after fork", errno, EILSEQ);
	errno = EILSEQ;
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, (id_t)pid, &si, WEXITED);
	report("errno after waitid", errno, EILSEQ);
	printf("waitid %d status %d\n", r, si.si_status);

	/* Waiting with no child at all. */
	errno = 0;
	printf("waitpid no child: %d\n", (int)waitpid(-1, &st, WNOHANG));
	report("waitpid no child", errno, ECHILD);
	errno = 0;
	printf("wait no child: %d\n", (int)wait(&st));
	report("wait no child", errno, ECHILD);
	errno = 0;
	printf("wait4 no child: %d\n", (int)wait4(-1, &st, 0, NULL));
	report("wait4 no child", errno, ECHILD);
	errno = 0;
	printf("waitid no child: %d\n", waitid(P_ALL, 0, &si, WEXITED));
	report("waitid no child", errno, ECHILD);

	/* system and popen, with their statuses. */
	errno = ENOTTY;
	st = system("echo from system; exit 3");
	printf("system status %#x\n", st);
	report("errno after system", errno, ENOTTY);
	printf("system(NULL) %d\n", system(NULL) != 0);
	fflush(stdout);
	errno = ENOTTY;
	p = popen("echo from popen; exit 5", "r");
	if (!p || !fgets(line, sizeof(line), p))
		fails++;
	else
		printf("popen read: %s", line);
	st = p ? pclose(p) : -1;
	printf("pclose status %#x\n", st);
	report("errno after popen/pclose", errno, ENOTTY);
}

/* Closes every descriptor above stderr, dup2()s files over 3..9 and
 * writes to them around children: the files hold exactly what was
 * written. */
static void descriptor_checks(const char *dir)
{
	char path[4200];
	pid_t pid;
	int st;

	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	for (int fd = 3; fd < 10; fd++) {
		int f;
		snprintf(path, sizeof(path), "%s/out.%d", dir, fd);
		/* Open above the target so that dup2 really replaces. */
		f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (f < 0) {
			fails++;
			continue;
		}
		if (f != fd) {
			dup2(f, fd);
			close(f);
		}
	}
	/* Children in between the writes: posix_spawn, fork+exec, system. */
	for (int i = 0; i < 3; i++) {
		char *av[] = {self, "child", "dup2", "5", NULL};
		char cmd[4300];
		for (int fd = 3; fd < 10; fd++)
			dprintf(fd, "line %d of fd %d\n", i, fd);
		if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 5)
			fails++;
		pid = fork();
		if (pid == 0) {
			dprintf(4, "fork child %d\n", i);
			av[2] = "dup2fork";
			execv(self, av);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 5)
			fails++;
		snprintf(cmd, sizeof(cmd),
			 "'%s' child dup2sh 5; echo sh %d >&6", self, i);
		st = system(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fails++;
	}
	for (int fd = 3; fd < 10; fd++)
		close(fd);
	for (int fd = 3; fd < 10; fd++) {
		char buf[512], want[512] = "";
		FILE *f;
		size_t got;
		snprintf(path, sizeof(path), "%s/out.%d", dir, fd);
		f = fopen(path, "r");
		got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[got] = 0;
		for (int i = 0; i < 3; i++) {
			size_t l = strlen(want);
			snprintf(want + l, sizeof(want) - l,
				 "line %d of fd %d\n", i, fd);
			l = strlen(want);
			if (fd == 4)
				snprintf(want + l, sizeof(want) - l,
					 "fork child %d\n", i);
			else if (fd == 6)
				snprintf(want + l, sizeof(want) - l, "sh %d\n",
					 i);
		}
		if (strcmp(buf, want)) {
			printf("fd %d file corrupt: [%s]\n", fd, buf);
			fails++;
		}
	}
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 4 && !strcmp(argv[1], "child"))
		return atoi(argv[3]);
	if (argc != 2)
		return 2;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;
	printf("unflushed line before the first fork\n");
	errno_checks(argv[1]);
	fflush(stdout);
	descriptor_checks(argv[1]);
	printf("files intact, errno as expected: %s\n", fails ? "no" : "yes");
	fprintf(stderr, "a line on stderr\n");
	fflush(stdout);
	errno = 0;
	/* exit() with a code of our own, through the interposed exit. */
	exit(fails ? 1 : 42);
}
