/* trace_lines.c - prints a trace, one fact a line, for the shell drivers
 * of tests/robustness/shim to check with grep and awk:
 *
 *   image PID PPID FLAGS SPAWNS REAPS END DROPPED TRUNCATED CORRUPT FILE
 *   arg PID INDEX STRING
 *   spawn PID API STRING
 *
 * Exits 0, or 1 if the trace cannot be loaded. */
#include <stdio.h>
#include <string.h>

#include "model/trace_reader.h"

int main(int argc, char **argv)
{
	struct bt_trace t;
	char err[512];
	if (argc != 2) {
		fprintf(stderr, "usage: trace_lines TRACE_DIR\n");
		return 2;
	}
	if (bt_trace_load(argv[1], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "trace_lines: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < t.n_images; i++) {
		const struct bt_image *im = &t.images[i];
		const char *base = strrchr(im->file, '/');
		unsigned pid = im->header.pid;
		printf("image %u %u %u %zu %zu %d %llu %d %d %s\n", pid,
		       im->has_start ? im->start.ppid : 0,
		       im->has_start ? im->start.flags : 0, im->n_spawns,
		       im->n_reaps, im->has_end,
		       (unsigned long long)im->dropped_records, im->truncated,
		       im->corrupt, base ? base + 1 : im->file);
		for (uint32_t k = 0; im->has_start && k < im->start.argc_kept;
		     k++)
			printf("arg %u %u %s\n", pid, k, im->argv[k]);
		for (size_t k = 0; k < im->n_spawns; k++)
			printf("spawn %u %s %s\n", pid,
			       bt_api_name(im->spawns[k].rec.api),
			       im->spawns[k].what);
	}
	bt_trace_free(&t);
	return 0;
}
