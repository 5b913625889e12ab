/* dep_cost.h - what each dependency costs the build, and what taking it
 * out would save.
 *
 * For every direct dependency of the workspace members and every package
 * with a unit on the critical path (critical_path.h):
 *  - its own units' CPU (their links included) and wall time, summed;
 *  - what it pulls in that nothing else needs: its exclusive transitive
 *    dependencies (dep_graph.h), build scripts and proc macros included,
 *    and their CPU and wall;
 *  - the wall time its removal would save: the schedule replayed
 *    (schedule.h, the one engine) without the package and its exclusive
 *    dependencies: they take no job slot and nothing waits for them.
 *    The CPU saving is their CPU.  What the users' own compilations would
 *    save (less code to check against) is not counted.
 * Also the crates built in more than one version (two syns), with each
 * version's cost.  docs/estimation.md, "Removing a dependency". */
#ifndef BTRACE_DEP_COST_H
#define BTRACE_DEP_COST_H

#include <stddef.h>

#include "model/critical_path.h"
#include "model/dep_graph.h"
#include "model/schedule.h"

struct bt_dep_cost {
	size_t pkg;   /* index into bt_dep_graph.pkgs */
	int direct;   /* a workspace member depends on it */
	int on_path;  /* one of its units is on the critical path */
	size_t *excl; /* the packages only it pulls in (not itself) */
	size_t n_excl;
	double excl_cpu_s, excl_wall_s; /* theirs, summed */
	double save_cpu_s;		/* its own CPU and theirs */
	double save_wall_s;		/* from the replay without them */
};

#define BT_DUP_VERSIONS_MAX 8

struct bt_duplicate {
	const char *name;		  /* points into the graph */
	size_t pkgs[BT_DUP_VERSIONS_MAX]; /* the versions' packages */
	size_t n;			  /* versions (a count past the
					     array's end is capped) */
	double cpu_s, wall_s;		  /* all versions' own, summed */
};

struct bt_dep_costs {
	struct bt_dep_cost *costs; /* most wall saved first, then CPU */
	size_t n;
	struct bt_duplicate *dups; /* by name */
	size_t n_dups;
};

/* Costs the dependencies of graph G (made from schedule S) with the
 * critical path CP (NULL: the direct dependencies only).  Returns 0, or
 * -1 when out of memory (OUT then needs no free). */
int bt_dep_costs_make(const struct bt_schedule *s, const struct bt_dep_graph *g,
		      const struct bt_critical_path *cp,
		      struct bt_dep_costs *out);
void bt_dep_costs_free(struct bt_dep_costs *c);

#endif
