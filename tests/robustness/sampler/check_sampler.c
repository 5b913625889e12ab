/* check_sampler.c - checks the samples of one program in a trace
 * (tests/robustness/sampler).
 *
 *   check_sampler samples TRACE EXE MIN [forked]
 *       the processes whose executable is named EXE (only fork children
 *       with "forked") have samples that stand for at least MIN periods
 *       between them (a sample's weight: two threads running at once
 *       under the process timer give one sample of weight 2)
 *   check_sampler truncated TRACE EXE
 *       EXE's samples: at least 80% flagged truncated, and none that
 *       stopped after one frame flagged complete (code without unwind
 *       information is not the root of a stack)
 *   check_sampler threads TRACE EXE NAME...
 *       EXE's THREAD records hold every NAME (a name ending in '*' stands
 *       for that many threads: "short-*40" for short-0 .. short-39)
 *   check_sampler lazy TRACE EXE...
 *       every image of each EXE was sampled (SAMPLING, active, and
 *       SAMPLER_END), and those that took no sample wrote no MODULE
 *       record (issue 19: the start is lazy, the module scan only for
 *       samples)
 *   check_sampler whole TRACE EXE MIN
 *       as samples, and no sample lost: none dropped, every one written
 *       is in the trace
 *
 * Every check also wants a trace without problems.  Prints what it
 * counted; exits 0 if every check holds, 1 if not, 2 on usage. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace_reader.h"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                 \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

struct counts {
	size_t procs, samples, weight, complete, truncated, depth1_complete;
	uint64_t lost, written;
};

static void count(const struct bt_trace *t, const char *exe, int forked,
		  struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < t->n_procs; i++) {
		const struct bt_proc *p = &t->procs[i];
		for (size_t k = 0; k < p->n_images; k++) {
			const struct bt_image *im = p->images[k];
			if (strcmp(base(im->exe), exe))
				continue;
			if (forked && !(im->start.flags & BT_START_FORKED))
				continue;
			c->procs++;
			if (im->has_sampler_end) {
				c->lost += im->sampler_end.dropped_full +
					   im->sampler_end.dropped_write;
				c->written += im->sampler_end.written;
			}
			for (size_t bi = 0; bi < im->n_batches; bi++) {
				struct bt_sample_head h;
				size_t off = 0;
				while (bt_batch_next(&im->batches[bi], &off, &h,
						     NULL)) {
					c->samples++;
					c->weight += h.weight ? h.weight : 1;
					c->complete +=
					    (h.flags & BT_SAMPLE_COMPLETE) != 0;
					c->truncated +=
					    (h.flags & BT_SAMPLE_TRUNCATED) !=
					    0;
					c->depth1_complete +=
					    h.depth == 1 &&
					    (h.flags & BT_SAMPLE_COMPLETE);
				}
			}
		}
	}
	printf("%s%s: %zu images, %zu samples (weight %zu), %zu complete, %zu "
	       "truncated, %zu complete at depth 1\n",
	       exe, forked ? " (fork children)" : "", c->procs, c->samples,
	       c->weight, c->complete, c->truncated, c->depth1_complete);
}

/* check_sampler lazy, for the images of EXE. */
static void check_lazy(const struct bt_trace *t, const char *exe)
{
	size_t n = 0, unsampled = 0;
	for (size_t i = 0; i < t->n_procs; i++)
		for (size_t k = 0; k < t->procs[i].n_images; k++) {
			const struct bt_image *im = t->procs[i].images[k];
			if (strcmp(base(im->exe), exe))
				continue;
			n++;
			CHECK(im->has_sampling &&
				  (im->sampling.flags & BT_SAMPLING_ACTIVE),
			      "%s (pid %u): no active SAMPLING record", exe,
			      t->procs[i].pid);
			CHECK(im->has_sampler_end,
			      "%s (pid %u): no SAMPLER_END", exe,
			      t->procs[i].pid);
			if (im->n_samples)
				continue;
			unsampled++;
			CHECK(
			    im->n_modules == 0,
			    "%s (pid %u): %zu MODULE records without a sample",
			    exe, t->procs[i].pid, im->n_modules);
		}
	printf("%s: %zu images, %zu without samples\n", exe, n, unsampled);
	CHECK(n > 0, "no %s in the trace", exe);
}

/* Has an image of EXE a THREAD record named NAME? */
static int has_thread(const struct bt_trace *t, const char *exe,
		      const char *name)
{
	for (size_t i = 0; i < t->n_procs; i++)
		for (size_t k = 0; k < t->procs[i].n_images; k++) {
			const struct bt_image *im = t->procs[i].images[k];
			if (strcmp(base(im->exe), exe))
				continue;
			for (size_t j = 0; j < im->n_threads; j++)
				if (!strcmp(im->threads[j].name, name))
					return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	struct bt_trace t;
	struct counts c;
	char err[512];
	if (argc < 4) {
		fprintf(stderr,
			"usage: check_sampler samples|whole|truncated|threads|"
			"lazy TRACE EXE ...\n");
		return 2;
	}
	if (bt_trace_load(argv[2], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "check_sampler: %s\n", err);
		return 1;
	}
	CHECK(t.n_problems == 0, "the trace has %zu problems", t.n_problems);
	if ((!strcmp(argv[1], "samples") || !strcmp(argv[1], "whole")) &&
	    argc > 4) {
		size_t min = strtoul(argv[4], NULL, 10);
		count(&t, argv[3], argc > 5 && !strcmp(argv[5], "forked"), &c);
		CHECK(c.procs > 0, "no %s in the trace", argv[3]);
		CHECK(c.weight >= min, "samples of weight %zu, less than %zu",
		      c.weight, min);
		if (!strcmp(argv[1], "whole")) {
			printf("%s: %llu samples lost, %llu written\n", argv[3],
			       (unsigned long long)c.lost,
			       (unsigned long long)c.written);
			CHECK(c.lost == 0, "%llu samples lost",
			      (unsigned long long)c.lost);
			CHECK(c.written == c.samples,
			      "%llu samples written, %zu in the trace",
			      (unsigned long long)c.written, c.samples);
		}
	} else if (!strcmp(argv[1], "lazy")) {
		for (int a = 3; a < argc; a++)
			check_lazy(&t, argv[a]);
	} else if (!strcmp(argv[1], "truncated")) {
		count(&t, argv[3], 0, &c);
		CHECK(c.samples >= 20, "only %zu samples", c.samples);
		CHECK(c.truncated >= 0.8 * (double)c.samples,
		      "only %zu of %zu samples flagged truncated", c.truncated,
		      c.samples);
		CHECK(c.depth1_complete == 0,
		      "%zu one-frame samples flagged complete",
		      c.depth1_complete);
	} else if (!strcmp(argv[1], "threads")) {
		for (int a = 4; a < argc; a++) {
			char name[64];
			const char *star = strchr(argv[a], '*');
			int n = star ? atoi(star + 1) : 1;
			for (int k = 0; k < n; k++) {
				if (star)
					snprintf(name, sizeof(name), "%.*s%d",
						 (int)(star - argv[a]), argv[a],
						 k);
				else
					snprintf(name, sizeof(name), "%s",
						 argv[a]);
				CHECK(has_thread(&t, argv[3], name),
				      "no THREAD record named %s", name);
			}
		}
	} else {
		bt_trace_free(&t);
		return 2;
	}
	bt_trace_free(&t);
	return failures ? 1 : 0;
}
