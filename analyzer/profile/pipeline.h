/* pipeline.h - the profile's two threads: one reads and symbolizes the
 * samples, the other builds the trees.
 *
 * Both halves cost about the same at millions of samples, and neither
 * needs the other's data but for a finished stack table, so the reader
 * (the caller's thread, "producer") hands each image's table to a builder
 * thread ("consumer") through a short queue of jobs, in order; the
 * builder sees them in the order one thread would have done them, so the
 * profile is the same byte for byte (BTRACE_THREADS=1 runs the jobs
 * inline, which the tests compare).
 *
 * Threading contract (what TSan checks, scripts/test.sh's build-tsan/):
 *  - the queue, the free tables and their counts are touched only under
 *    the pipeline's mutex;
 *  - a stack table belongs to the producer from pipeline_take_table() to
 *    pipeline_put() of its job, then to the builder until the builder
 *    gives it back (under the mutex): never to both;
 *  - the job's strings (unit, thread kinds, leaf names) are made by the
 *    producer (the name pool is the producer's) or before the threads
 *    start, and not changed after the job is put;
 *  - the builder reads of the producer's only the table it was handed
 *    and functions by id (bt_symbolizer_func_shared(), whose records
 *    never move);
 *  - the CONSUME callback runs on the builder thread only (or inline),
 *    one job at a time, and is the only one to touch what it builds
 *    until pipeline_finish() has returned. */
#ifndef BTRACE_PIPELINE_H
#define BTRACE_PIPELINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/stack_table.h"

struct bt_unit;

enum job_kind { JOB_IMAGE, JOB_LEAF, JOB_END };

/* One job; the pipeline reads only kind, skip, bytes and st, and copies
 * the rest (profile.c's) through as is. */
struct job {
	enum job_kind kind;
	int skip;     /* JOB_IMAGE: only give the table back */
	size_t bytes; /* JOB_IMAGE: the table's, as handed over */
	struct bt_unit *u;
	const char *unit;
	int cat; /* JOB_IMAGE: the whole image's, or -1; JOB_LEAF: its */
	/* JOB_IMAGE */
	struct stack_table *st;
	const char **threads; /* by stack thread index; the job's */
	const char *backend;
	double period_us;
	/* JOB_LEAF */
	const char *thread, *leaf;
	uint8_t leaf_kind;
	uint64_t value;
};

#define PIPELINE_QUEUE 64 /* jobs */
#define PIPELINE_TABLES                                                        \
	16 /* stack tables: one filling, the rest queued or                    \
	      building */

/* Does job J (never JOB_END) on the builder thread.  FAILED: an earlier
 * job failed, so only clean up (free what the job owns).  Returns 0, or
 * -1 to fail the pipeline (out of memory).  A JOB_IMAGE's table is given
 * back by the pipeline afterwards. */
typedef int (*pipeline_consume_fn)(void *arg, struct job *j, int failed);

struct pipeline {
	pipeline_consume_fn consume;
	void *arg;
	pthread_t thread;
	int threaded;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct job q[PIPELINE_QUEUE];
	size_t head, n;
	struct stack_table tables[PIPELINE_TABLES];
	struct stack_table *free_tables[PIPELINE_TABLES];
	size_t n_free;
	size_t queued_bytes; /* of the tables handed over, not yet back */
	int failed; /* the builder ran out of memory: it drains the rest */
};

/* Starts the builder thread running CONSUME(ARG, job, failed) on each job
 * (or none: BTRACE_THREADS=1, or no thread to be had; the jobs then run
 * inline in pipeline_put()).  Returns 0, or -1 (PL is then unusable). */
int pipeline_start(struct pipeline *pl, pipeline_consume_fn consume, void *arg);

/* A stack table to fill, once the builder has given one back (and the
 * tables waiting are not too big).  Producer only. */
struct stack_table *pipeline_take_table(struct pipeline *pl);

/* Hands job J to the builder (or, unthreaded, does it).  Producer only. */
void pipeline_put(struct pipeline *pl, const struct job *j);

/* Waits for the builder to finish every job, and frees the tables.
 * Returns 0, or -1 if a job failed. */
int pipeline_finish(struct pipeline *pl);

#endif
