/* own_handler.c - a program with its own SIGPROF handler (and its own
 * profiling timer).  Traced with sampling on, it must keep its handler and
 * still get its signals; it exits 0 only if it did. */
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

int main(void)
{
	struct sigaction sa, now;
	struct itimerval it = {{0, 2000}, {0, 2000}};
	volatile unsigned long x = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) < 0 ||
	    setitimer(ITIMER_PROF, &it, NULL) < 0)
		return 1;
	while (hits < 50)
		x++;
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_PROF, &it, NULL);
	sigaction(SIGPROF, NULL, &now);
	if (now.sa_handler != on_prof) {
		fprintf(stderr,
			"own_handler: our SIGPROF handler was replaced\n");
		return 1;
	}
	printf("own_handler: %d signals, handler kept\n", (int)hits);
	return 0;
}
