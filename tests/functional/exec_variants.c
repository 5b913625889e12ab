/* exec_variants.c - starts a child through every way there is, so the
 * test can check that each child is recorded with the right parent, argv
 * and exit status.
 *
 *   exec_variants parent     run every variant; exit 0 if every child
 *                            exited with its code
 *   exec_variants child TAG CODE
 *                            exit with CODE (TAG names the variant)
 *
 * Each variant's child exits with its own code (see variants[]). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char self[4096];

static void child_argv(char **argv, const char *tag, const char *code)
{
	argv[0] = self;
	argv[1] = "child";
	argv[2] = (char *)tag;
	argv[3] = (char *)code;
	argv[4] = NULL;
}

/* Runs BODY in a fork child and returns the child's exit code. */
#define IN_FORK(...)                                                          \
	({                                                                     \
		pid_t pid_ = fork();                                           \
		int st_ = -1;                                                  \
		if (pid_ == 0) {                                               \
			__VA_ARGS__;                                           \
			_exit(127);                                            \
		}                                                              \
		waitpid(pid_, &st_, 0);                                        \
		WIFEXITED(st_) ? WEXITSTATUS(st_) : -1;                        \
	})

static int spawn_wait(int p, const char *tag, const char *code,
		      char *const envp[])
{
	char *argv[5];
	pid_t pid;
	int st = -1, r;
	child_argv(argv, tag, code);
	r = p ? posix_spawnp(&pid, "exec_variants", NULL, NULL, argv, envp)
	      : posix_spawn(&pid, self, NULL, NULL, argv, envp);
	if (r != 0)
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int failures;

static void expect(const char *tag, int got, int want)
{
	printf("%-16s exit %d%s\n", tag, got, got == want ? "" : "  WRONG");
	if (got != want)
		failures++;
}

int main(int argc, char **argv)
{
	char *av[5];
	char dir[4096], *slash, path[8192];
	if (argc == 4 && !strcmp(argv[1], "child"))
		return atoi(argv[3]);
	if (argc != 2 || strcmp(argv[1], "parent")) {
		fprintf(stderr, "usage: exec_variants parent\n");
		return 2;
	}
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return 2;
	/* execvp, execlp and posix_spawnp find us on PATH. */
	strcpy(dir, self);
	slash = strrchr(dir, '/');
	*slash = 0;
	snprintf(path, sizeof(path), "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/bin");
	setenv("PATH", path, 1);

	expect("execve", IN_FORK(child_argv(av, "execve", "11");
				 execve(self, av, environ)), 11);
	expect("execv", IN_FORK(child_argv(av, "execv", "12"); execv(self, av)),
	       12);
	expect("execvp", IN_FORK(child_argv(av, "execvp", "13");
				 av[0] = "exec_variants"; execvp(av[0], av)),
	       13);
	expect("execvpe", IN_FORK(child_argv(av, "execvpe", "14");
				  execvpe("exec_variants", av, environ)),
	       14);
	expect("execl", IN_FORK(execl(self, self, "child", "execl", "15",
				      (char *)NULL)),
	       15);
	expect("execlp", IN_FORK(execlp("exec_variants", "exec_variants",
					 "child", "execlp", "16", (char *)NULL)),
	       16);
	expect("execle", IN_FORK(execle(self, self, "child", "execle", "17",
					(char *)NULL, environ)),
	       17);
	expect("fexecve", IN_FORK(int fd = open(self, O_RDONLY);
				  child_argv(av, "fexecve", "18");
				  fexecve(fd, av, environ)),
	       18);
	expect("execveat", IN_FORK(child_argv(av, "execveat", "19");
				   execveat(AT_FDCWD, self, av, environ, 0)),
	       19);
	expect("posix_spawn", spawn_wait(0, "posix_spawn", "20", environ), 20);
	expect("posix_spawnp", spawn_wait(1, "posix_spawnp", "21", environ), 21);
	{
		/* An environment without LD_PRELOAD: repaired. */
		char *bare[] = {"FOO=1", NULL};
		expect("spawn_bare_env", spawn_wait(0, "spawn_bare_env", "22", bare),
		       22);
	}
	{
		char cmd[8300];
		int st;
		FILE *p;
		snprintf(cmd, sizeof(cmd), "'%s' child system 23", self);
		st = system(cmd);
		expect("system", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 23);
		snprintf(cmd, sizeof(cmd), "'%s' child popen 24", self);
		p = popen(cmd, "r");
		st = p ? pclose(p) : -1;
		expect("popen", st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		       24);
	}
	{
		pid_t pid;
		int st = -1;
		child_argv(av, "vfork", "25");
		pid = vfork();
		if (pid == 0) {
			execv(self, av);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		expect("vfork", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 25);
	}
	expect("clearenv", IN_FORK(clearenv(); child_argv(av, "clearenv", "26");
				   execv(self, av)),
	       26);
	{
		/* An exec that fails, then one that works. */
		int err = 0;
		expect("exec_fails",
		       IN_FORK(char *bad[] = {"/nonexistent/x", NULL};
			       execv(bad[0], bad); err = errno;
			       if (err != ENOENT) _exit(99);
			       child_argv(av, "exec_fails", "27");
			       execv(self, av)),
		       27);
		(void)err;
	}
	return failures ? 1 : 0;
}
