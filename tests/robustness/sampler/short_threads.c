/* short_threads.c - ARGV[1] rounds of 8 threads that each burn a little
 * CPU and exit, some of them while a sample is being taken (issue 14,
 * "threads that exit while being sampled").  Exits 0 when all ran. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *burn(void *arg)
{
	volatile unsigned long x = 0;
	double until = (double)(long)arg * 1e-4; /* 0.1 .. 0.8 ms */
	while (cpu_s() < until)
		x++;
	return arg;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 300;
	for (int r = 0; r < rounds; r++) {
		pthread_t th[8];
		for (long i = 0; i < 8; i++)
			if (pthread_create(&th[i], NULL, burn, (void *)(i + 1)))
				return 2;
		for (int i = 0; i < 8; i++)
			pthread_join(th[i], NULL);
	}
	printf("short_threads: %d threads\n", rounds * 8);
	return 0;
}
