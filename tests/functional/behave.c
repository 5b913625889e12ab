/* behave.c - a program whose observable behaviour must not change when it
 * is traced: its output, errno after failing calls, exit code, and the
 * files it writes after closing every descriptor and dup2()ing over them.
 *
 *   behave DIR               writes DIR/out.N, prints a report, exits 42
 *   behave child TAG CODE    exits CODE (TAG names it)
 *   behave child kill 0      SIGKILLs itself
 *   behave child _exit CODE  leaves through _exit */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char self[4096], path[4200];
	ssize_t n;
	pid_t pid;
	int st, fails = 0;

	if (argc == 4 && !strcmp(argv[1], "child")) {
		if (!strcmp(argv[2], "kill"))
			raise(SIGKILL);
		if (!strcmp(argv[2], "_exit")) {
			printf("leaving through _exit\n");
			fflush(stdout);
			_exit(atoi(argv[3]));
		}
		return atoi(argv[3]);
	}
	if (argc != 2)
		return 2;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;

	/* errno after calls that fail */
	errno = 0;
	execv("/nonexistent/prog", argv);
	printf("execv errno %s\n", errno == ENOENT ? "ENOENT" : strerror(errno));
	fails += errno != ENOENT;
	{
		char *av[] = {"/nonexistent/prog", NULL};
		int r = posix_spawn(&pid, av[0], NULL, NULL, av, environ);
		printf("posix_spawn returns %s\n", r == ENOENT ? "ENOENT" : strerror(r));
		fails += r != ENOENT;
	}
	errno = 0;
	printf("waitpid with no child: %d %s\n", (int)waitpid(-1, &st, WNOHANG),
	       errno == ECHILD ? "ECHILD" : strerror(errno));
	fails += errno != ECHILD;
	fflush(stdout);

	/* close every descriptor above stderr, then dup2 files over 3..9 */
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	for (int fd = 3; fd < 10; fd++) {
		int f;
		snprintf(path, sizeof(path), "%s/out.%d", argv[1], fd);
		f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (f != fd) {
			dup2(f, fd);
			close(f);
		}
	}
	/* children in between the writes */
	for (int i = 0; i < 3; i++) {
		char *av[] = {self, "child", "dup2", "5", NULL};
		for (int fd = 3; fd < 10; fd++)
			dprintf(fd, "line %d of fd %d\n", i, fd);
		if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 5)
			fails++;
	}
	for (int fd = 3; fd < 10; fd++)
		close(fd);
	for (int fd = 3; fd < 10; fd++) {
		char buf[256], want[256] = "";
		FILE *f;
		size_t got;
		snprintf(path, sizeof(path), "%s/out.%d", argv[1], fd);
		f = fopen(path, "r");
		got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[got] = 0;
		for (int i = 0; i < 3; i++)
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
				 "line %d of fd %d\n", i, fd);
		if (strcmp(buf, want)) {
			printf("fd %d file corrupt\n", fd);
			fails++;
		}
	}
	printf("files intact: %s\n", fails ? "no" : "yes");
	fprintf(stderr, "a line on stderr\n");
	return fails ? 1 : 42;
}
