/* nocfi.c - spends its CPU in nocfi_spin (nocfi_spin.s), code without
 * unwind information, for about ARGV[1] seconds of CPU. */
#include <stdint.h>
#include <stdlib.h>

#include "cpu_time.h"

uint64_t nocfi_spin(uint64_t n);

int main(int argc, char **argv)
{
	double until = argc > 1 ? atof(argv[1]) : 0.5;
	while (cpu_s() < until)
		nocfi_spin(10000000);
	return 0;
}
