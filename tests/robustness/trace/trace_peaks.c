/* trace_peaks.c - the largest resident set any traced process of a trace
 * reported at its end (its own getrusage, the shim included).
 * usage: trace_peaks DIR   prints "processes=N max_rss_kib=M" */
#include <stdio.h>

#include "model/trace_reader.h"

int main(int argc, char **argv)
{
	struct bt_trace t;
	char err[1024];
	unsigned long long max = 0;
	size_t n = 0;
	if (argc != 2 || bt_trace_load(argv[1], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "trace_peaks: %s\n", argc == 2 ? err : "usage");
		return 2;
	}
	for (size_t i = 0; i < t.n_procs; i++) {
		if (!t.procs[i].has_ru_self)
			continue;
		n++;
		if (t.procs[i].ru_self.maxrss_kib > max)
			max = t.procs[i].ru_self.maxrss_kib;
	}
	printf("processes=%zu max_rss_kib=%llu\n", n, max);
	bt_trace_free(&t);
	return 0;
}
