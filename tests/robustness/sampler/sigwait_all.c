/* sigwait_all.c - a program that blocks every signal and takes them with
 * sigwait() on a full set (issue 14, defect 4), in its main thread
 * (ARGV[1] "main"), in a thread started after the mask was set
 * ("thread"), or in a new image that got the mask across exec and never
 * sets one itself ("exec": the shim's constructor finds it blocked), or
 * in a thread that blocks them itself while the main thread, which does
 * not, leaves with pthread_exit ("mainexit").  It burns
 * CPU, sends itself SIGUSR1, and must receive SIGUSR1 and nothing else: no
 * other signal pending, ever.  Exits 0 if so. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rounds(void)
{
	sigset_t all, pending;
	sigfillset(&all);
	for (int r = 0; r < 5; r++) {
		volatile unsigned long x = 0;
		double t0 = cpu_s();
		int sig = 0;
		while (cpu_s() < t0 + 0.1)
			x++;
		kill(getpid(), SIGUSR1);
		if (sigwait(&all, &sig) != 0 || sig != SIGUSR1) {
			fprintf(stderr,
				"sigwait_all: round %d got signal %d "
				"(%s), not SIGUSR1\n",
				r, sig, strsignal(sig));
			return 1;
		}
		sigpending(&pending);
		for (int s = 1; s < NSIG; s++)
			if (sigismember(&pending, s) == 1) {
				fprintf(stderr,
					"sigwait_all: round %d: signal "
					"%d (%s) pending\n",
					r, s, strsignal(s));
				return 1;
			}
	}
	return 0;
}

static void *thread_main(void *arg)
{
	(void)arg;
	return (void *)(long)rounds();
}

static void *blocking_thread(void *arg)
{
	sigset_t all;
	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	if (rounds())
		exit(1);
	printf("sigwait_all: only SIGUSR1, 5 times\n");
	exit(0);
}

int main(int argc, char **argv)
{
	sigset_t all;
	if (argc > 1 && !strcmp(argv[1], "inherited")) {
		if (rounds())
			return 1;
		printf("sigwait_all: only SIGUSR1, 5 times\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "mainexit")) {
		pthread_t th;
		if (pthread_create(&th, NULL, blocking_thread, NULL) != 0)
			return 2;
		pthread_exit(NULL);
	}
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return 2;
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		char *args[] = {argv[0], "inherited", NULL};
		execv("/proc/self/exe", args);
		return 2;
	}
	if (argc > 1 && !strcmp(argv[1], "thread")) {
		pthread_t th;
		void *rc;
		if (pthread_create(&th, NULL, thread_main, NULL) != 0 ||
		    pthread_join(th, &rc) != 0)
			return 2;
		if (rc)
			return 1;
	} else if (rounds()) {
		return 1;
	}
	printf("sigwait_all: only SIGUSR1, 5 times\n");
	return 0;
}
