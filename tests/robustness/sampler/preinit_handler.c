/* preinit_handler.c - a program that takes SIGPROF before any shared
 * library's constructor runs: from its .preinit_array, which the dynamic
 * loader runs before the constructors of LD_PRELOADed libraries.  Traced
 * with sampling on, its handler must stay and get the program's own
 * profiling signals.  Exits 0 if it did. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t hits;

static void on_prof(int sig)
{
	(void)sig;
	hits++;
}

static void take_sigprof(int argc, char **argv, char **envp)
{
	struct sigaction sa;
	(void)argc;
	(void)argv;
	(void)envp;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
}

__attribute__((section(".preinit_array"),
	       used)) static void (*const preinit)(int, char **,
						   char **) = take_sigprof;

int main(void)
{
	struct itimerval it = {{0, 2000}, {0, 2000}};
	struct sigaction now;
	volatile unsigned long x = 0;
	if (setitimer(ITIMER_PROF, &it, NULL) < 0)
		return 2;
	while (hits < 50)
		x++;
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_PROF, &it, NULL);
	sigaction(SIGPROF, NULL, &now);
	if (now.sa_handler != on_prof) {
		fprintf(stderr, "preinit_handler: SIGPROF handler replaced\n");
		return 1;
	}
	printf("preinit_handler: %d signals, handler kept\n", (int)hits);
	return 0;
}
