/* graph_report.c - graph, critical path, dependency costs, idle cores
 * (graph_report.h). */
#include <string.h>

#include "advice/graph_report.h"

int bt_graph_report_make(const struct bt_build *b, unsigned n_cpus,
			 struct bt_graph_report *r)
{
	memset(r, 0, sizeof(*r));
	if (bt_schedule_make(b, &r->sched) < 0)
		return -1;
	if (bt_dep_graph_make(b, &r->sched, &r->graph) < 0 ||
	    bt_critical_path_make(&r->sched, 1, &r->path) < 0 ||
	    bt_dep_costs_make(&r->sched, &r->graph, &r->path, &r->costs) < 0 ||
	    bt_utilization_make(b, n_cpus, &r->path, &r->util) < 0 ||
	    bt_proc_macros_make(b, &r->graph, &r->macros) < 0)
		goto fail;
	r->replay_cores = r->util.cores;
	if (r->sched.jobs > 0 && r->sched.jobs < r->replay_cores)
		r->replay_cores = r->sched.jobs;
	if (r->replay_cores > 0) {
		r->replay_on_cores_s =
		    bt_schedule_replay_on(&r->sched, r->replay_cores);
		if (r->replay_on_cores_s < 0)
			goto fail;
	}
	return 0;
fail:
	bt_graph_report_free(r);
	return -1;
}

void bt_graph_report_free(struct bt_graph_report *r)
{
	bt_proc_macros_free(&r->macros);
	bt_utilization_free(&r->util);
	bt_dep_costs_free(&r->costs);
	bt_critical_path_free(&r->path);
	bt_dep_graph_free(&r->graph);
	bt_schedule_free(&r->sched);
}
