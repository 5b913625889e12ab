/* graph_out.h - the sections of graph_report.h in the report's outputs:
 * summary.txt, summary.json and trace.json call these, so the writers
 * keep one file each and these sections one file. */
#ifndef BTRACE_GRAPH_OUT_H
#define BTRACE_GRAPH_OUT_H

#include <stdio.h>

#include "advice/graph_report.h"
#include "model/build_model.h"
#include "output/json_out.h"

/* Critical path, speed-up potential, dependencies, idle cores. */
void bt_graph_text(FILE *f, const struct bt_build *b,
		   const struct bt_graph_report *g);

/* summary.json's "critical_path", "speedup", "dependencies",
 * "duplicates" and "cores" (docs/report-format.md). */
void bt_graph_json(struct bt_json *j, cJSON *root, const struct bt_build *b,
		   const struct bt_graph_report *g);

/* trace.json: a trace process PID of its own ("critical path and
 * cores", shown first), apart from the build's processes, with a
 * "critical path" lane (TID) of the path's units, an "idle cores" lane
 * (TID + 1) of the idle periods, and a "CPUs" counter (busy, idle). */
void bt_graph_chrome(struct bt_json *c, cJSON *events, const struct bt_build *b,
		     const struct bt_graph_report *g, int pid, int tid);

/* Whether unit U of B is on G's critical path (G may be NULL). */
int bt_graph_on_path(const struct bt_build *b, const struct bt_graph_report *g,
		     const struct bt_unit *u);

#endif
