/* utilization.h - the cores the build had against the cores it used, over
 * time, and the periods where cores sat idle with the unit the build was
 * waiting for.
 *
 * The cores: the CPUs the session's first process could run on (the
 * SESSION record's n_cpus, cargo's default -j), else cargo's -j (the
 * NUM_JOBS cargo gives build scripts), else the most units that ran at
 * once.  Cargo's -j is the NUM_JOBS of the build-script runs when there
 * is one.
 *
 * The CPUs busy at a moment are the units running then, each at its
 * average rate (its CPU and its link chain's over its wall time): the
 * trace has each process's CPU, not its CPU over time, so a unit's
 * frontend and codegen threads are smoothed into one rate.  A period is
 * idle when at least a quarter of the cores (half a core at least) sat
 * idle, between the first unit's start and the last one's end, one period
 * per unit waited for; periods
 * shorter than 2% of the build (0.1 s at least) are left out.  The unit
 * waited for is the one running through the period on the critical path
 * (critical_path.h), else the one running longest in it. */
#ifndef BTRACE_UTILIZATION_H
#define BTRACE_UTILIZATION_H

#include <stddef.h>

#include "model/build_model.h"
#include "model/critical_path.h"

struct bt_idle_period {
	double start_s, end_s; /* since the session start */
	double busy;	       /* CPUs busy on average */
	size_t waiting_for;    /* unit index, or SIZE_MAX: none ran */
};

#define BT_UTIL_BUCKETS 100

struct bt_utilization {
	int cores;		/* 0: no unit ran */
	const char *cores_from; /* "trace", "NUM_JOBS", "units at once" */
	int jobs;		/* cargo's -j from NUM_JOBS, 0 unknown */
	double idle_core_s;	/* core-seconds idle, first unit to last */
	double span_s;		/* the first unit's start to the last's end */
	/* CPUs busy on average in BT_UTIL_BUCKETS equal slices of the span
	 * (the chart) */
	double busy[BT_UTIL_BUCKETS];
	double bucket_s;
	double first_s;			/* the span's start */
	struct bt_idle_period *periods; /* in time order */
	size_t n_periods;
};

/* Fills U for build B (n_cpus: the trace's SESSION value, 0 unknown)
 * with its critical path CP (NULL: waited-for units by overlap only).
 * Returns 0, or -1 when out of memory (U then needs no free). */
int bt_utilization_make(const struct bt_build *b, unsigned n_cpus,
			const struct bt_critical_path *cp,
			struct bt_utilization *u);
void bt_utilization_free(struct bt_utilization *u);

#endif
