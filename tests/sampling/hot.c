/* hot.c - a program with known hot functions for the sampling tests.
 *
 * Three threads each spend CPU time in a() and b() in the ratio 2:1 (by
 * their own CPU clocks), then the program writes the runtime address
 * ranges of a, b and thread_main to the file named by argv[1], so the
 * checker can attribute raw PCs without a symbolizer. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SECTION(s) __attribute__((section(s), noinline, used))

extern char __start_bt_hot_a[], __stop_bt_hot_a[];
extern char __start_bt_hot_b[], __stop_bt_hot_b[];
extern char __start_bt_hot_t[], __stop_bt_hot_t[];

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;

/* Spins until the thread's CPU clock has advanced by SECONDS. */
static inline void spin(double seconds)
{
	double end = cpu_now() + seconds;
	while (cpu_now() < end)
		for (int i = 0; i < 200; i++)
			sink += (unsigned long)i * 2654435761u;
}

SECTION("bt_hot_a") void a(void)
{
	spin(0.002);
}

SECTION("bt_hot_b") void b(void)
{
	spin(0.001);
}

static double per_thread = 0.6;

SECTION("bt_hot_t") void *thread_main(void *arg)
{
	double end = cpu_now() + per_thread;
	(void)arg;
	while (cpu_now() < end) {
		a();
		b();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[3];
	FILE *f;
	if (argc < 2) {
		fprintf(stderr,
			"usage: hot RANGES_FILE [SECONDS_PER_THREAD]\n");
		return 2;
	}
	if (argc > 2)
		per_thread = atof(argv[2]);
	for (int i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, thread_main, NULL) != 0)
			return 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	f = fopen(argv[1], "w");
	if (!f)
		return 1;
	fprintf(f, "a %p %p\nb %p %p\nthread_main %p %p\n",
		(void *)__start_bt_hot_a, (void *)__stop_bt_hot_a,
		(void *)__start_bt_hot_b, (void *)__stop_bt_hot_b,
		(void *)__start_bt_hot_t, (void *)__stop_bt_hot_t);
	return fclose(f) == 0 ? 0 : 1;
}
