/* critical_path.h - the chain of units that set the build's wall time,
 * each unit's slack, and what making one unit faster would save.
 *
 * All three come from the schedule's replay (schedule.h), the same engine
 * as the recommendations' wall estimates:
 *  - the replay of the observed work gives every unit a start, the moment
 *    its metadata was ready (the end of its frontend) and an end;
 *  - the critical path starts at the unit that ends last and walks back
 *    through what each unit waited for: the dependency that was ready
 *    last (a producer's metadata or its end), or, when the unit started
 *    later than that because every job slot was taken, the unit whose end
 *    freed the slot;
 *  - slack is how much a unit could grow before the end moves, from the
 *    dependency edges, the job-slot waits and the replayed times (the
 *    latest start each of its users can have, back from the end); it
 *    keeps the replay's order of the slots and does not count the CPUs a
 *    longer unit would also take from others, so it is an estimate;
 *  - the speed-up potential replays the build with one unit's work
 *    halved, and with none of it (it still waits for its dependencies):
 *    the wall time either saves, CPU sharing included; in a build of
 *    more than BT_CP_CANDIDATES units, only the path's units and the
 *    BT_CP_CANDIDATES with the most work are replayed.
 * docs/estimation.md, "Critical path and speed-up potential". */
#ifndef BTRACE_CRITICAL_PATH_H
#define BTRACE_CRITICAL_PATH_H

#include <stddef.h>

#include "model/schedule.h"

#define BT_CP_TOP 10
#define BT_CP_CANDIDATES                                                       \
	64 /* units replayed for the potential, besides                        \
	      the path's: the ones with the most work */

struct bt_cp_unit {
	struct bt_replay_unit at; /* replayed times */
	double slack_s;		  /* -1: never ran in the replay */
	/* What it waited for: the dependency ready last; or, when it
	 * started after its dependencies were ready, the unit whose end
	 * freed its job slot (waited_slot); SIZE_MAX: nothing */
	size_t waited_for;
	int waited_meta; /* 1: for its metadata only (pipelining) */
	int waited_slot; /* 1: for a job slot */
	int on_path;
	double save_half_s; /* wall saved if its work were halved (the top
			     * list's units only, else 0) */
	double save_none_s; /* and if it took no time (a unit that a bound
			     * kept out of the top list: that bound, at
			     * least the saving) */
};

struct bt_critical_path {
	struct bt_cp_unit *units; /* parallel to the schedule's units */
	size_t n_units;
	size_t *path; /* unit indices, first to last */
	size_t n_path;
	double replay_s;       /* the observed work replayed */
	size_t top[BT_CP_TOP]; /* units by save_none_s, most first */
	size_t n_top;	       /* only units that save something */
};

/* Finds the critical path and slack of schedule S, and (WITH_POTENTIAL)
 * every unit's speed-up potential (two replays per unit).  Returns 0, or
 * -1 when out of memory (CP then needs no free). */
int bt_critical_path_make(const struct bt_schedule *s, int with_potential,
			  struct bt_critical_path *cp);
void bt_critical_path_free(struct bt_critical_path *cp);

#endif
