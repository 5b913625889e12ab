/* schedule.h - the build's unit schedule, and a replay of it with less
 * work.
 *
 * A saving in a unit off the critical path saves little wall time, and a
 * saving in a unit that shares the CPUs with others lets them run faster,
 * so the recommendations' wall estimates do not scale the total: they
 * replay the build.
 *
 * Dependencies come from the units' command lines:
 *  - `--extern NAME=PATH`: PATH is another unit's output.  A `.rmeta`
 *    dependency (cargo's pipelining) is ready when the producer has
 *    written its metadata, at the end of its frontend; an `.rlib` or a
 *    proc macro's `.so` when the producer ends.
 *  - a build-script run waits for the compilation of its script (the
 *    script is that compilation's output), and its package's other units
 *    that start after it ends wait for it (they read its OUT_DIR).
 *
 * The replay is a fluid model of the CPUs.  A compilation is phases of
 * CPU work, from its profile: the frontend (one thread), code generation
 * (up to JOBS CPUs, at most the cores: rustc's codegen threads), and its
 * link, the linker's main thread (one CPU) then its workers (the CPUs
 * they reached, their CPU over the link's life less the main thread's,
 * at most the worker threads and the cores: link_cpus below; a link
 * without samples is one CPU).  At most JOBS units run
 * at once (JOBS: the most that ran at once, cargo's -j).  The running
 * phases share the CPU capacity the build had, each getting an equal
 * share up to its thread limit; the capacity is the CPUs those phases
 * can use (at most JOBS, or a link's CPUs, if more: a rebuild runs one
 * unit, whose link is threaded) times the share of that the observed
 * build's units had while as many of them ran at once (measured for each
 * count, 1..JOBS; nothing is fitted to the wall time): other load on the
 * machine and the units' own time off the CPU take the rest.  A
 * build-script run that
 * mostly waited (CPU below half its lifetime) keeps its observed
 * duration; a compilation never does (it can only have waited for the
 * CPUs, which the measured capacity models: pinned, a loaded machine's
 * rebuild had no wall saving at all).  Units start in
 * their observed order as soon as their dependencies are ready and fewer
 * than JOBS run.  docs/estimation.md tells how close a replay of the
 * observed work comes to the observed build. */
#ifndef BTRACE_SCHEDULE_H
#define BTRACE_SCHEDULE_H

#include <stddef.h>

#include "model/build_model.h"

struct bt_sched_dep {
	size_t unit;   /* index into bt_build.units */
	int needs_end; /* 1: the producer's end; 0: its metadata */
};

/* A link is two phases: its linkers' main thread (serial: one CPU), then
 * their workers (link_cpus); a cut of link work is given for
 * BT_PHASE_LINK and comes off the workers first. */
enum {
	BT_PHASE_FRONTEND,
	BT_PHASE_CODEGEN,
	BT_PHASE_LINK_MAIN,
	BT_PHASE_LINK,
	BT_PHASES
};

struct bt_sched_unit {
	double start_s, wall_s;	  /* observed */
	double work_s[BT_PHASES]; /* CPU seconds of each phase */
	double link_cpus;	  /* CPUs its link's workers reached (>= 1) */
	int fixed;		  /* mostly waited: keeps wall_s */
	struct bt_sched_dep *deps;
	size_t n_deps;
};

struct bt_schedule {
	struct bt_sched_unit *units; /* parallel to bt_build.units */
	size_t n_units;
	int jobs;
	int cores; /* the session's CPUs; 0: not known (JOBS stands in) */
	/* [K], K = 1..jobs: the CPUs the build's units had while K of them
	 * ran at once, measured (schedule.c), for the report */
	double *cpus_running;
	/* [K]: those CPUs over the CPUs their running phases could use
	 * (schedule.c); the replay's capacity with K units running is
	 * eff_running[K] times what its running phases can use, at most
	 * BOUND; NULL: cpus at every count */
	double *eff_running;
	double bound;	      /* the most CPUs phases can use: JOBS (at most the
				 cores), or a link's */
	double cpus;	      /* the CPUs at JOBS units (cpus_running[jobs]) */
	double first_start_s; /* the first unit's start (cargo's set-up) */
	double tail_s;	      /* build end after the last unit ends */
	size_t n_deps;	      /* all edges, for the report */
};

/* The stem of a compilation's outputs: "lib<crate><extra-filename>", as
 * in target/debug/deps/libregex-5f1c0e2a.rlib; KEY holds
 * BT_OUTPUT_KEY_MAX bytes. */
#define BT_OUTPUT_KEY_MAX 256
void bt_unit_output_key(const struct bt_unit *u, char *key, size_t cap);

/* The stem of an output's path into STEM (CAP bytes): "libfoo-123" of
 * ".../libfoo-123.rmeta".  Returns 1 if it is metadata (.rmeta). */
int bt_output_stem(const char *path, char *stem, size_t cap);

/* Builds the schedule of B (its capacity measured as below).  Returns 0,
 * or -1 when out of memory. */
int bt_schedule_make(const struct bt_build *b, struct bt_schedule *s);
void bt_schedule_free(struct bt_schedule *s);

/* The CPUs a linker's workers reached: its CPU CPU_S less its main
 * thread's share MAIN_SHARE of it, over its lifetime WALL_S less that
 * main thread's CPU; between 1 and THREADS (the workers seen, at most
 * the CPUs).  A linker whose main thread took all its life or more gets
 * THREADS; one with no worker CPU 1. */
double bt_link_workers_cpus(double cpu_s, double wall_s, double main_share,
			    double threads);

/* Unit SU's CPU work, all phases. */
double bt_sched_unit_work(const struct bt_sched_unit *su);

/* The CPUs a unit's code generation can use: JOBS (rustc's codegen
 * threads take jobserver tokens), at most the cores. */
double bt_schedule_codegen_cpus(const struct bt_schedule *s);

/* Measures S's eff_running, cpus_running (allocated; bt_schedule_free()
 * frees them), bound and cpus from its units' observed times and work:
 * for each count K of units that do not keep their duration running at
 * once, their CPU while K ran, per second (cpus_running) and over the
 * CPUs their phases could use (eff_running; each unit's phases laid out
 * at their thread limits and stretched to its observed wall time).  A
 * count never seen takes the nearest one below, else above; the CPUs are
 * kept within 0.01 and the bound (JOBS, or a link's CPUs if more), the
 * efficiencies within 0.01 and 1.  Returns 0, or -1 when out of
 * memory. */
int bt_schedule_measure(struct bt_schedule *s);

/* Moves the work each unit did after its metadata was observed ready (the
 * first start of a unit that waited for it) from its frontend to its
 * codegen phase (schedule.c); bt_schedule_make() calls it. */
void bt_schedule_split_at_metadata(struct bt_schedule *s);

/* The wall time of the build replayed with CUT[I][P] CPU seconds less
 * work in phase P of unit I (NULL: the observed work).  Returns -1 when
 * out of memory. */
double bt_schedule_replay(const struct bt_schedule *s,
			  const double (*cut)[BT_PHASES]);

/* The observed work replayed on CPUS CPUs at every count of units
 * instead of the measured capacity: with the cores, what the build would
 * take on CPUs it had to itself, never off them.  -1 when out of
 * memory. */
double bt_schedule_replay_on(const struct bt_schedule *s, double cpus);

/* When a unit ran in a replay. */
struct bt_replay_unit {
	double start_s, meta_s, end_s; /* meta_s: its metadata ready (the
					  end of its frontend) */
	double ready_s; /* when its dependencies were ready: start_s - ready_s
			   it waited for a job slot */
};

/* A what-if for bt_schedule_replay_whatif(); every member may be NULL. */
struct bt_whatif {
	const double (*cut)[BT_PHASES]; /* as in bt_schedule_replay */
	/* SCALE[I]: unit I's work (and, for a unit that keeps its duration,
	 * that duration) times SCALE[I], after CUT: 0.5 for half, 0 for a
	 * unit that takes no time but still waits for its dependencies */
	const double *scale;
	/* REMOVED[I] != 0: unit I is not built at all: it takes no job slot
	 * and nothing waits for it (a dependency taken out of the graph) */
	const unsigned char *removed;
	/* OUT[I] (N_UNITS entries), filled when not NULL; a removed unit,
	 * or one that could never start, gets -1 in every field */
	struct bt_replay_unit *out;
};

/* The wall time of the build replayed with W's changes (NULL: as
 * observed), or -1 when out of memory.  The one replay engine: the
 * estimates, the critical path and the dependency costs all use it. */
double bt_schedule_replay_whatif(const struct bt_schedule *s,
				 const struct bt_whatif *w);

/* Many what-ifs replayed faster, with the same results as
 * bt_schedule_replay_whatif(): a what-if's replay is the observed work's
 * until the first step that visits a unit it changes (or a user of a
 * unit it removes), so the cursor keeps that replay paused and runs each
 * what-if from there.  It only moves forward: give the what-ifs in the
 * order of their first changed unit (any order is right, and slower).
 * The cursor reads S, which must outlive it. */
struct bt_replay_cursor;
int bt_replay_cursor_make(const struct bt_schedule *s,
			  struct bt_replay_cursor **c);
/* As bt_schedule_replay_whatif(S, W), W not NULL. */
double bt_replay_cursor_whatif(struct bt_replay_cursor *c,
			       const struct bt_whatif *w);
/* The same, for a what-if that only scales work (W->scale, no cut, no
 * removal), when only a wall time under FLOOR_S matters: when a bound
 * shows, before the what-if's own steps, that its wall time is at least
 * FLOOR_S, returns that bound (at least FLOOR_S, at most the wall time)
 * without replaying.  The bound: the replay shares at most its CPUs,
 * so it cannot end before the paused replay's time plus the work left,
 * W's changes made, over the CPUs (docs/estimation.md, "Critical path
 * and speed-up potential"). */
double bt_replay_cursor_whatif_floor(struct bt_replay_cursor *c,
				     const struct bt_whatif *w, double floor_s);
/* That bound alone, for the same kind of what-if: at most its wall
 * time (0 when there is no bound), without replaying it. */
double bt_replay_cursor_bound(struct bt_replay_cursor *c,
			      const struct bt_whatif *w);
void bt_replay_cursor_free(struct bt_replay_cursor *c);

#endif
