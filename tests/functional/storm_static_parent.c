/* storm_static_parent.c - posix_spawns PROG CODE and reaps it.
 *   storm_static_parent PROG CODE    exits 0 if PROG exited CODE */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	char *av[3];
	pid_t pid;
	int st;
	if (argc != 3)
		return 2;
	av[0] = argv[1];
	av[1] = argv[2];
	av[2] = NULL;
	if (posix_spawn(&pid, argv[1], NULL, NULL, av, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == atoi(argv[2]) ? 0 : 1;
}
