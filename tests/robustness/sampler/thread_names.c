/* thread_names.c - threads the sampler must name without /proc
 * (tests/robustness/sampler, case thread_names).
 *
 * 40 threads named short-0 .. short-39 run about a millisecond each and
 * end, one after another; then two threads named live-a and live-b spin
 * until main calls exit() with them still running (as rust-lld leaves
 * its pool).  The trace must hold every name, and the shim must have
 * read none from /proc/self/task (probe_open.c counts the opens). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spin(double s)
{
	volatile unsigned long x = 0;
	double end = now() + s;
	while (now() < end)
		x++;
}

static void *short_thread(void *arg)
{
	char name[16];
	snprintf(name, sizeof(name), "short-%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	spin(0.001);
	return NULL;
}

static void *live_thread(void *arg)
{
	pthread_setname_np(pthread_self(), (const char *)arg);
	for (;;)
		spin(0.01);
	return NULL;
}

int main(void)
{
	pthread_t t;
	for (long i = 0; i < 40; i++) {
		if (pthread_create(&t, NULL, short_thread, (void *)i) != 0 ||
		    pthread_join(t, NULL) != 0)
			return 1;
	}
	if (pthread_create(&t, NULL, live_thread, "live-a") != 0 ||
	    pthread_create(&t, NULL, live_thread, "live-b") != 0)
		return 1;
	spin(0.4); /* both sampled many times (250 Hz of CPU time) */
	exit(0);
}
