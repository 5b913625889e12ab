/* analyze.c - load -> model -> profile -> recommend, once (analyze.h). */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "base/xalloc.h"
#include "cli.h"

int bt_analyze(const char *dir, const struct bt_analyze_opts *o,
	       struct bt_analysis *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (bt_trace_load_progress(dir, &a->trace, err, errlen,
				   o ? o->progress : NULL) < 0)
		return bt_exit_for_errno(BT_EXIT_BAD_INPUT);
	if (bt_build_make(&a->trace, &a->build, err, errlen) < 0)
		goto nomem; /* its only failure */
	if (o && o->phase)
		o->phase("load");
	a->report.build = &a->build;
	a->report.options.flame_by_category = o && o->flame_by_category;
	/* Where the CPU went: only when something was sampled. */
	for (size_t i = 0; i < a->trace.n_images && !a->have_profile; i++)
		a->have_profile = a->trace.images[i].n_samples > 0;
	if (a->have_profile) {
		if (bt_profile_make_progress(&a->build, &a->profile, err,
					     errlen,
					     o ? o->progress : NULL) < 0) {
			a->have_profile = 0;
			goto nomem; /* its only failure */
		}
		a->report.profile = &a->profile;
		if (o && o->phase)
			o->phase("profile");
	}
	if (o && o->profile_only)
		return BT_EXIT_OK;
	/* What to change: estimated from the profile's categories. */
	if (bt_recommend(&a->build, &a->recs) < 0) {
		snprintf(err, errlen, "out of memory");
		goto nomem;
	}
	a->report.recommendations = &a->recs;
	if (o && o->phase)
		o->phase("recommend");
	/* Beyond the settings: critical path, dependencies, idle cores. */
	if (bt_graph_report_make(&a->build, a->build.session.n_cpus,
				 &a->graph) < 0) {
		snprintf(err, errlen, "out of memory");
		goto nomem;
	}
	a->have_graph = 1;
	a->report.graph = &a->graph;
	if (o && o->phase)
		o->phase("graph");
	return BT_EXIT_OK;
nomem:
	bt_analysis_free(a);
	return BT_EXIT_NOMEM;
}

void bt_analysis_free(struct bt_analysis *a)
{
	if (a->have_graph)
		bt_graph_report_free(&a->graph);
	a->have_graph = 0;
	if (a->have_profile)
		bt_profile_free(&a->profile);
	a->have_profile = 0;
	bt_build_free(&a->build);
	bt_trace_free(&a->trace);
	memset(&a->report, 0, sizeof(a->report));
}
