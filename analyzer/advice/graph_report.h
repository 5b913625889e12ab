/* graph_report.h - what to do beyond the profile settings (issue 17):
 * the dependency graph, the critical path with each unit's slack and
 * speed-up potential, the cost of each dependency, and the idle cores.
 *
 * One schedule (schedule.h) feeds them all, and every wall figure here is
 * a replay of it (the same engine as the recommendations' estimates):
 * dep_graph.h groups its edges by package, critical_path.h walks its
 * replay, dep_cost.h replays it without a dependency, utilization.h puts
 * the observed load against the cores.  proc_macro.h adds each proc
 * macro's expansion time from the samples, and its build cost from the
 * package graph.
 *
 * Ownership: bt_graph_report_make() allocates; bt_graph_report_free()
 * releases.  It keeps no pointer into the build (indices only), so the
 * build may be freed first. */
#ifndef BTRACE_GRAPH_REPORT_H
#define BTRACE_GRAPH_REPORT_H

#include "advice/dep_cost.h"
#include "model/build_model.h"
#include "model/critical_path.h"
#include "model/dep_graph.h"
#include "model/schedule.h"
#include "model/utilization.h"
#include "profile/proc_macro.h"

struct bt_graph_report {
	struct bt_schedule sched;
	struct bt_dep_graph graph;
	struct bt_critical_path path;
	struct bt_dep_costs costs;
	struct bt_utilization util;
	struct bt_proc_macros macros;
	/* The observed work replayed on every core (the cores, or cargo's
	 * jobs if fewer), no capacity fitted: on a quiet machine, how far
	 * the model is from the build (docs/estimation.md); 0 when no unit
	 * ran. */
	double replay_on_cores_s;
	int replay_cores;
};

/* Makes the report of build B; N_CPUS: the trace's SESSION n_cpus (0
 * unknown).  Returns 0, or -1 when out of memory (R then needs no
 * free). */
int bt_graph_report_make(const struct bt_build *b, unsigned n_cpus,
			 struct bt_graph_report *r);
void bt_graph_report_free(struct bt_graph_report *r);

#endif
