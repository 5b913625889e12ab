/* sample_cover.c - how much of each sampled process's CPU its samples
 * account for (bench/report.sh, "sampled CPU against rusage").
 *
 *   sample_cover TRACE
 *
 * Prints one tab-separated line per process in which sampling ran:
 *   kind  pid  rusage_s  window_s  sampled_s  samples
 * kind: the basename of its last sampled image ("rustc" for a
 * compilation, "rustc-probe" for cargo's `rustc -vV` and --print probes,
 * which have no crate of their own; "A-fork-then-B" for a fork child of a
 * sampled A that exec'd B, sampled only between the fork and the exec,
 * as rustc's child that becomes the link driver cc); rusage_s: the process's
 * own CPU (RUSAGE_SELF at its end, else its parent's reap), every image of it
 * (rustup's proxy before the exec of the real rustc included); window_s:
 * the CPU it used while its timers ran (from each image's SAMPLING record
 * to its SAMPLER_END record); sampled_s: the samples' weights times the
 * period.  The raw facts, no judgement: the script aggregates them.
 * Exits 1 if the trace cannot be read. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "model/trace_reader.h"

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "?";
}

static int is_probe(const struct bt_image *im)
{
	for (uint32_t i = 0; i + 1 < im->start.argc_kept; i++)
		if (!strcmp(im->argv[i], "--crate-name"))
			return !strcmp(im->argv[i + 1], "___");
	return 1; /* rustc -vV: no crate */
}

int main(int argc, char **argv)
{
	struct bt_trace t;
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: sample_cover TRACE\n");
		return 2;
	}
	if (bt_trace_load(argv[1], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "sample_cover: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < t.n_procs; i++) {
		const struct bt_proc *p = &t.procs[i];
		const struct bt_image *last = bt_proc_last(p);
		const struct bt_image *sampled_im = NULL;
		const char *kind;
		char fork_kind[256];
		double window = 0, sampled = 0;
		size_t samples = 0;
		int sampling = 0;

		for (size_t k = 0; k < p->n_images; k++) {
			const struct bt_image *im = p->images[k];
			if (!im->has_sampling)
				continue;
			sampling = 1;
			sampled_im = im;
			samples += im->n_samples;
			sampled += (double)im->sample_weight *
				   (double)im->sampling.period_ns / 1e9;
			if (im->has_sampler_end) {
				uint64_t on = im->sampling.process_cpu_ns,
					 off = im->sampler_end.process_cpu_ns;
				if (off > on)
					window += (double)(off - on) / 1e9;
			}
		}
		if (!sampling)
			continue;
		kind = base(sampled_im->exe);
		if (sampled_im != last) {
			/* a fork child of a sampled image that exec'd another
			 * program (rustc's child that becomes cc) */
			snprintf(fork_kind, sizeof(fork_kind),
				 "%s-fork-then-%s", kind, base(last->exe));
			kind = fork_kind;
		} else if (!strcmp(kind, "rustc") && is_probe(last))
			kind = "rustc-probe";
		printf("%s\t%u\t%.6f\t%.6f\t%.6f\t%zu\n", kind, p->pid,
		       (double)p->cpu_us / 1e6, window, sampled, samples);
	}
	bt_trace_free(&t);
	return 0;
}
