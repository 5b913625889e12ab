/* check_samples.c - checks the samples of a trace (sampling tests).
 *
 *   check_samples hot TRACE RANGES   the hot.c program: a/b shares within
 *                                    5 points of 2/3 and 1/3, a and b below
 *                                    thread_main in every stack, sampled
 *                                    CPU within 10% of rusage
 *   check_samples cargo TRACE        every rustc compilation has samples,
 *                                    LLVM worker threads too, >= 99% of
 *                                    rustc samples unwind to the root
 *   check_samples yielded TRACE EXE  EXE stopped sampling for its own
 *                                    SIGPROF handler
 *
 * Prints what it measured; exits 0 if every check holds, 1 if not. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace_reader.h"
#include "check.h"

struct range {
	uint64_t lo, hi;
};

static int in(const struct range *r, uint64_t pc)
{
	return pc >= r->lo && pc < r->hi;
}

/* Sampled CPU of a process: weights times period. */
static double sampled_s(const struct bt_proc *p)
{
	double s = 0;
	for (size_t k = 0; k < p->n_images; k++) {
		const struct bt_image *im = p->images[k];
		s += (double)im->sample_weight *
		     (double)im->sampling.period_ns / 1e9;
	}
	return s;
}

/* CPU of the process while its timers ran (from the SAMPLING record to
 * the SAMPLER_END record): what the samples should add up to. */
static double window_s(const struct bt_proc *p)
{
	double s = 0;
	for (size_t k = 0; k < p->n_images; k++) {
		const struct bt_image *im = p->images[k];
		if (im->has_sampling && im->has_sampler_end &&
		    im->sampler_end.process_cpu_ns >
			im->sampling.process_cpu_ns)
			s += (double)(im->sampler_end.process_cpu_ns -
				      im->sampling.process_cpu_ns) /
			     1e9;
	}
	return s;
}

static const char *thread_name(const struct bt_image *im, uint32_t tid)
{
	for (size_t i = 0; i < im->n_threads; i++)
		if (im->threads[i].rec.tid == tid)
			return im->threads[i].name;
	return NULL;
}

static int check_hot(const struct bt_trace *t, const char *ranges)
{
	struct range a = {0, 0}, b = {0, 0}, tm = {0, 0};
	const struct bt_proc *hot = NULL;
	uint64_t pcs[BT_MAX_DEPTH];
	double wa = 0, wb = 0, wall = 0;
	size_t n = 0, complete = 0, bad_stack = 0;
	char name[64];
	unsigned long long lo, hi;
	FILE *f = fopen(ranges, "r");
	if (!f) {
		fprintf(stderr, "cannot read %s\n", ranges);
		return 1;
	}
	while (fscanf(f, "%63s %llx %llx", name, &lo, &hi) == 3) {
		struct range r = {lo, hi};
		if (!strcmp(name, "a"))
			a = r;
		else if (!strcmp(name, "b"))
			b = r;
		else if (!strcmp(name, "thread_main"))
			tm = r;
	}
	fclose(f);
	CHECK(a.hi && b.hi && tm.hi, "ranges file incomplete");
	for (size_t i = 0; i < t->n_procs; i++)
		if (!strcmp(base_name(bt_proc_last(&t->procs[i])->exe), "hot"))
			hot = &t->procs[i];
	CHECK(hot, "no hot process in the trace");
	if (!hot)
		return 1;
	for (size_t k = 0; k < hot->n_images; k++) {
		const struct bt_image *im = hot->images[k];
		for (size_t bi = 0; bi < im->n_batches; bi++) {
			struct bt_sample_head h;
			size_t off = 0;
			while (bt_batch_next(&im->batches[bi], &off, &h, pcs)) {
				int ia = -1, ib = -1, it = -1;
				double w = h.weight ? h.weight : 1;
				n++;
				wall += w;
				complete += (h.flags & BT_SAMPLE_COMPLETE) != 0;
				for (int d = 0; d < h.depth; d++) {
					if (ia < 0 && in(&a, pcs[d]))
						ia = d;
					if (ib < 0 && in(&b, pcs[d]))
						ib = d;
					if (it < 0 && in(&tm, pcs[d]))
						it = d;
				}
				if (ia >= 0)
					wa += w;
				if (ib >= 0)
					wb += w;
				/* a and b run only under thread_main. */
				if ((ia >= 0 || ib >= 0) &&
				    (it < 0 || (ia >= 0 && it < ia) ||
				     (ib >= 0 && it < ib)))
					bad_stack++;
			}
		}
	}
	{
		double share_a = wa / (wa + wb),
		       cpu = (double)hot->cpu_us / 1e6;
		double sampled = sampled_s(hot);
		printf("hot: %zu samples, a %.1f%% b %.1f%% (of a+b), a+b are "
		       "%.1f%% of all, sampled %.3fs vs rusage %.3fs (%.1f%%), "
		       "%.1f%% to root, %zu bad stacks\n",
		       n, 100 * share_a, 100 * (1 - share_a),
		       100 * (wa + wb) / wall, sampled, cpu,
		       100 * sampled / cpu,
		       100.0 * (double)complete / (double)n, bad_stack);
		CHECK(n >= 100, "too few samples: %zu", n);
		CHECK(share_a > 2.0 / 3 - 0.05 && share_a < 2.0 / 3 + 0.05,
		      "a's share %.3f is not 2/3 +- 0.05", share_a);
		CHECK((wa + wb) / wall > 0.9,
		      "only %.1f%% of samples are in a or b",
		      100 * (wa + wb) / wall);
		CHECK(sampled > 0.9 * cpu && sampled < 1.1 * cpu,
		      "sampled CPU %.3fs is not within 10%% of %.3fs", sampled,
		      cpu);
		CHECK(bad_stack == 0, "%zu stacks lack thread_main above a/b",
		      bad_stack);
		CHECK(complete >= 0.99 * (double)n, "only %zu of %zu to root",
		      complete, n);
	}
	return check_status();
}

static int is_compilation(const struct bt_image *im)
{
	for (uint32_t i = 0; i + 1 < im->start.argc_kept; i++)
		if (!strcmp(im->argv[i], "--crate-name"))
			return strcmp(im->argv[i + 1], "___") != 0;
	return 0;
}

static int check_cargo(const struct bt_trace *t)
{
	size_t units = 0, with_workers = 0, n = 0, complete = 0, codegen = 0;
	size_t truncated = 0;
	double cpu = 0, sampled = 0, window = 0;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *p = &t->procs[i];
		const struct bt_image *im = bt_proc_last(p);
		size_t worker = 0, mine = 0;
		int emits_code = 0;
		if (strcmp(base_name(im->exe), "rustc") || !is_compilation(im))
			continue;
		units++;
		for (uint32_t k = 0; k < im->start.argc_kept; k++)
			if (strstr(im->argv[k], "--emit=") &&
			    (strstr(im->argv[k], "link") ||
			     strstr(im->argv[k], "obj")))
				emits_code = 1;
		for (size_t bi = 0; bi < im->n_batches; bi++) {
			struct bt_sample_head h;
			size_t off = 0;
			while (
			    bt_batch_next(&im->batches[bi], &off, &h, NULL)) {
				const char *tn = thread_name(im, h.tid);
				mine++;
				complete += (h.flags & BT_SAMPLE_COMPLETE) != 0;
				truncated +=
				    (h.flags & BT_SAMPLE_TRUNCATED) != 0;
				if (tn && (!strncmp(tn, "opt ", 4) ||
					   !strcmp(tn, "coordinator")))
					worker++;
			}
		}
		n += mine;
		cpu += (double)p->cpu_us / 1e6;
		sampled += sampled_s(p);
		window += window_s(p);
		CHECK(mine > 0, "rustc pid %u (%s) has no samples", p->pid,
		      im->argv[0]);
		/* A unit with few samples may finish its codegen between two
		 * samples of its workers; judge those with enough. */
		if (emits_code && mine >= 25) {
			codegen++;
			with_workers += worker > 0;
		}
	}
	printf("cargo: %zu compilations, %zu samples, %.2f%% to root, %.2f%% "
	       "truncated at code without unwind info, %zu of "
	       "%zu code-emitting units (with >= 25 samples) sampled on LLVM "
	       "threads, sampled %.2fs of %.2fs rustc CPU while timers ran "
	       "(%.1f%%), %.2fs in all (rusage; the rest is start-up before "
	       "the shim's constructor and exit)\n",
	       units, n, 100.0 * (double)complete / (double)(n ? n : 1),
	       100.0 * (double)truncated / (double)(n ? n : 1), with_workers,
	       codegen, sampled, window,
	       100 * sampled / (window > 0 ? window : 1), cpu);
	CHECK(sampled > 0.9 * window && sampled < 1.1 * window,
	      "sampled %.3fs is not within 10%% of the %.3fs CPU while "
	      "timers ran",
	      sampled, window);
	CHECK(units > 0, "no rustc compilation in the trace");
	/* The unwinder got to the end of the stack: the root, or code that
	 * has no unwind information (a few PCs in libLLVM and rust-lld;
	 * before BT_SAMPLE_TRUNCATED these were flagged complete, so this is
	 * the check as it was). */
	CHECK(complete + truncated >= 0.99 * (double)n,
	      "only %zu of %zu samples unwound to the end",
	      complete + truncated, n);
	CHECK(truncated <= 0.05 * (double)n,
	      "%zu of %zu samples truncated at code without unwind info",
	      truncated, n);
	CHECK(with_workers == codegen,
	      "%zu of %zu code-emitting units have no LLVM-thread samples",
	      codegen - with_workers, codegen);
	return check_status();
}

static int check_yielded(const struct bt_trace *t, const char *exe)
{
	int found = 0;
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_image *im = bt_proc_last(&t->procs[i]);
		if (strcmp(base_name(im->exe), exe))
			continue;
		found = 1;
		CHECK(im->has_sampling &&
			  (im->sampling.flags & BT_SAMPLING_FOREIGN_HANDLER),
		      "%s: sampling did not yield to the program's handler",
		      exe);
	}
	CHECK(found, "no %s process in the trace", exe);
	return check_status();
}

int main(int argc, char **argv)
{
	struct bt_trace t;
	char err[512];
	int rc;
	if (argc < 3) {
		fprintf(stderr,
			"usage: check_samples hot|cargo|yielded TRACE ...\n");
		return 2;
	}
	if (bt_trace_load(argv[2], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "check_samples: %s\n", err);
		return 1;
	}
	CHECK(t.n_problems == 0, "the trace has %zu problems", t.n_problems);
	if (!strcmp(argv[1], "hot") && argc > 3)
		rc = check_hot(&t, argv[3]);
	else if (!strcmp(argv[1], "cargo"))
		rc = check_cargo(&t);
	else if (!strcmp(argv[1], "yielded") && argc > 3)
		rc = check_yielded(&t, argv[3]);
	else
		rc = 2;
	bt_trace_free(&t);
	return rc ? rc : check_status();
}
