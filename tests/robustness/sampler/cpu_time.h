/* cpu_time.h - the test programs' clock: this process's CPU time, in
 * seconds (they spin until it reaches a mark). */
#ifndef RS_CPU_TIME_H
#define RS_CPU_TIME_H

#include <time.h>

static inline double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
