/* spin_single.c - one thread, no other: about ARGV[1] seconds of CPU in
 * spin() (issue 19: a sampled image that never starts a thread gets no
 * flusher; its handler writes the ring out, which holds about 4 s of
 * samples, so a longer run loses none). */
#define _GNU_SOURCE
#include <stdlib.h>

#include "cpu_time.h"

__attribute__((noinline)) static void spin(double until)
{
	volatile unsigned long x = 0;
	while (cpu_s() < until)
		x++;
}

int main(int argc, char **argv)
{
	spin(cpu_s() + (argc > 1 ? atof(argv[1]) : 1.0));
	return 0;
}
