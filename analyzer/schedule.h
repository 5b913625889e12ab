/* schedule.h - the build's unit schedule, and a replay of it with other
 * durations.
 *
 * A saving in a unit off the critical path saves little wall time, so the
 * recommendations' wall estimates do not scale the total: they replay the
 * schedule cargo ran, with the same job count and the dependencies it
 * observed, and with the units' reduced durations.
 *
 * Dependencies come from the units' command lines:
 *  - `--extern NAME=PATH`: PATH is another unit's output.  A `.rmeta`
 *    dependency (cargo's pipelining) is ready when the producer has
 *    written its metadata, which is observed as the earliest start of any
 *    unit that waited for it; an `.rlib` or a proc macro's `.so` is ready
 *    when the producer ends.
 *  - a build-script run waits for the compilation of its script (the
 *    script is that compilation's output), and its package's other units
 *    that start after it ends wait for it (they read its OUT_DIR).
 * Units start in their observed order, each as soon as its dependencies
 * are ready and one of the JOBS slots is free; JOBS is the largest number
 * of units that ran at once.  docs/estimation.md tells how close a replay
 * with the observed durations comes to the observed build. */
#ifndef BTRACE_SCHEDULE_H
#define BTRACE_SCHEDULE_H

#include <stddef.h>

#include "build_model.h"

struct bt_sched_dep {
	size_t unit;	  /* index into bt_build.units */
	int needs_end;	  /* 1: the producer's end; 0: its metadata */
};

struct bt_sched_unit {
	double start_s, wall_s; /* observed */
	double rmeta_s;		/* metadata ready, seconds after its start */
	struct bt_sched_dep *deps;
	size_t n_deps;
};

struct bt_schedule {
	struct bt_sched_unit *units; /* parallel to bt_build.units */
	size_t n_units;
	int jobs;
	double first_start_s; /* the first unit's start (cargo's set-up) */
	double tail_s;	      /* build end after the last unit ends */
	size_t n_deps;	      /* all edges, for the report */
};

/* The stem of a compilation's outputs: "lib<crate><extra-filename>", as
 * in target/debug/deps/libregex-5f1c0e2a.rlib. */
void bt_unit_output_key(const struct bt_unit *u, char *key, size_t cap);

/* Builds the schedule of B.  Returns 0, or -1 when out of memory. */
int bt_schedule_make(const struct bt_build *b, struct bt_schedule *s);
void bt_schedule_free(struct bt_schedule *s);

/* The wall time of the build replayed with unit I lasting WALL_S[I]
 * seconds (NULL: the observed durations). */
double bt_schedule_replay(const struct bt_schedule *s, const double *wall_s);

#endif
