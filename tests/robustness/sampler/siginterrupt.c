/* siginterrupt.c - signal() after siginterrupt(SIG, 1) installs a handler
 * that interrupts system calls (issue 14, defect 2): a blocking read of an
 * empty pipe returns EINTR when the alarm's handler has run.  Exits 0 if
 * it did; a shim that forces SA_RESTART makes the read hang (the test's
 * timeout then fails it). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* siginterrupt() is what the test is about. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static volatile sig_atomic_t rang;

static void on_alarm(int sig)
{
	(void)sig;
	rang = 1;
}

int main(void)
{
	int fds[2];
	char c;
	ssize_t n;
	if (pipe(fds) < 0)
		return 2;
	if (siginterrupt(SIGALRM, 1) < 0 ||
	    signal(SIGALRM, on_alarm) == SIG_ERR)
		return 2;
	alarm(1);
	n = read(fds[0], &c, 1); /* nobody writes: only a signal ends it */
	if (n < 0 && errno == EINTR && rang) {
		printf("siginterrupt: read interrupted (EINTR), as untraced\n");
		return 0;
	}
	fprintf(stderr, "siginterrupt: read returned %zd (%s)\n", n,
		n < 0 ? "error" : "data");
	return 1;
}
