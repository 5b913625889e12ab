/* exec_variants.c - starts a child through every way there is, so the
 * test can check that each child is recorded with the right parent, argv
 * and exit status (check_trace exec_variants).
 *
 *   exec_variants parent     run every variant; exit 0 if every child
 *                            exited with its code
 *   exec_variants child TAG CODE
 *                            exit with CODE (TAG names the variant), or
 *                            with 100 if its environment holds LD_PRELOAD
 *                            or a BTRACE_* variable twice, or an
 *                            LD_PRELOAD without libbtrace.so
 *
 * Each variant's child exits with its own code (see check_trace.c, which
 * has the same table).  A fork child that does not exec leaves through
 * _exit(28). */
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

/* The child's own check of the environment the shim handed it. */
static int env_is_sane(void)
{
	static const char *const once[] = {
	    "LD_PRELOAD=", "BTRACE_DIR=", "BTRACE_SESSION="};
	for (size_t i = 0; i < sizeof(once) / sizeof(*once); i++) {
		int n = 0;
		for (char **e = environ; *e; e++)
			if (!strncmp(*e, once[i], strlen(once[i]))) {
				n++;
				if (i == 0 && !strstr(*e, "libbtrace.so"))
					return 0;
			}
		if (n > 1)
			return 0;
	}
	return 1;
}

static void child_argv(char **argv, const char *tag, const char *code)
{
	argv[0] = self;
	argv[1] = "child";
	argv[2] = (char *)tag;
	argv[3] = (char *)code;
	argv[4] = NULL;
}

/* Runs BODY in a fork child and returns the child's exit code. */
#define IN_FORK(...)                                                           \
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
	printf("%-18s exit %d%s\n", tag, got, got == want ? "" : "  WRONG");
	if (got != want)
		failures++;
}

static int status_code(int st)
{
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	char *av[5];
	char dir[4096], *slash, path[8192], cmd[8300];
	ssize_t n;

	if (argc == 4 && !strcmp(argv[1], "child"))
		return env_is_sane() ? atoi(argv[3]) : 100;
	if (argc != 2 || strcmp(argv[1], "parent")) {
		fprintf(stderr, "usage: exec_variants parent\n");
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;
	/* execvp, execlp and posix_spawnp find us on PATH. */
	strcpy(dir, self);
	slash = strrchr(dir, '/');
	*slash = 0;
	snprintf(path, sizeof(path), "%s:%s", dir,
		 getenv("PATH") ? getenv("PATH") : "/bin");
	setenv("PATH", path, 1);

	expect(
	    "execve",
	    IN_FORK(child_argv(av, "execve", "11"); execve(self, av, environ)),
	    11);
	expect("execv", IN_FORK(child_argv(av, "execv", "12"); execv(self, av)),
	       12);
	expect("execvp",
	       IN_FORK(child_argv(av, "execvp", "13"); av[0] = "exec_variants";
		       execvp(av[0], av)),
	       13);
	expect("execvpe",
	       IN_FORK(child_argv(av, "execvpe", "14");
		       execvpe("exec_variants", av, environ)),
	       14);
	expect("execl",
	       IN_FORK(execl(self, self, "child", "execl", "15", (char *)NULL)),
	       15);
	expect("execlp",
	       IN_FORK(execlp("exec_variants", "exec_variants", "child",
			      "execlp", "16", (char *)NULL)),
	       16);
	{
		/* execle with an environment that lacks LD_PRELOAD. */
		char *bare[] = {"FOO=1", NULL};
		expect("execle",
		       IN_FORK(execle(self, self, "child", "execle", "17",
				      (char *)NULL, bare)),
		       17);
	}
	expect("fexecve",
	       IN_FORK(int fd = open(self, O_RDONLY);
		       child_argv(av, "fexecve", "18");
		       fexecve(fd, av, environ)),
	       18);
	expect("execveat",
	       IN_FORK(child_argv(av, "execveat", "19");
		       execveat(AT_FDCWD, self, av, environ, 0)),
	       19);
	expect("execveat_empty",
	       IN_FORK(int fd = open(self, O_RDONLY);
		       child_argv(av, "execveat_empty", "29");
		       execveat(fd, "", av, environ, AT_EMPTY_PATH)),
	       29);
	expect("posix_spawn", spawn_wait(0, "posix_spawn", "20", environ), 20);
	expect("posix_spawnp", spawn_wait(1, "posix_spawnp", "21", environ),
	       21);
	{
		/* Environments without LD_PRELOAD, and with an empty one:
		 * repaired, without duplicates (the child checks). */
		char *bare[] = {"FOO=1", NULL};
		char *empty[] = {"LD_PRELOAD=", "FOO=1", NULL};
		expect("spawn_bare_env",
		       spawn_wait(0, "spawn_bare_env", "22", bare), 22);
		expect("spawnp_empty_preload",
		       spawn_wait(1, "spawnp_empty_preload", "30", empty), 30);
	}
	snprintf(cmd, sizeof(cmd), "'%s' child system 23", self);
	expect("system", status_code(system(cmd)), 23);
	{
		FILE *p;
		snprintf(cmd, sizeof(cmd), "'%s' child popen 24", self);
		p = popen(cmd, "r");
		expect("popen", p ? status_code(pclose(p)) : -1, 24);
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
		expect("vfork", status_code(st), 25);
	}
	expect("clearenv",
	       IN_FORK(clearenv(); child_argv(av, "clearenv", "26");
		       execv(self, av)),
	       26);
	expect("exec_fails",
	       IN_FORK(char *bad[] = {"/nonexistent/x", NULL};
		       execv(bad[0], bad); if (errno != ENOENT) _exit(99);
		       child_argv(av, "exec_fails", "27"); execv(self, av)),
	       27);
	expect("fork_only", IN_FORK(_exit(28)), 28);
	{
		/* system() after the program dropped LD_PRELOAD from environ:
		 * the shim runs the shell with a repaired environment.  Done
		 * in a fork child so that the rest keeps its environment. */
		snprintf(cmd, sizeof(cmd), "'%s' child system_noenv 31", self);
		expect("system_noenv",
		       IN_FORK(unsetenv("LD_PRELOAD");
			       _exit(status_code(system(cmd)))),
		       31);
	}
	return failures ? 1 : 0;
}
