/* reload_lib.c - built twice, as libreload_one.so (SPIN = spin_one) and
 * libreload_two.so (SPIN = spin_two): the same code and size, so that the
 * second, loaded after the first is closed, can land on its addresses. */
#include <time.h>

static volatile unsigned long sink;

void SPIN(double seconds)
{
	struct timespec ts;
	double end;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + seconds;
	do {
		for (int i = 0; i < 1000; i++)
			sink += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 < end);
}
