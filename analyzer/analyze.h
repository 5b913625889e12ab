/* analyze.h - the one analysis that report and experiment share: load a
 * trace, model the build, make the profile (when something was sampled),
 * recommend.  report hands `report`, the read-only view of the result, to
 * every writer (output/writer.h); experiment reads the recommendations of
 * its baseline build and the frontend's CPU of every measured build.
 *
 * struct bt_analysis owns the data, struct bt_report only points at it:
 * the writers get a view they cannot free or change, and whoever writes
 * without bt_analyze() (tests, the flame benchmark) fills a bt_report of
 * their own. */
#ifndef BTRACE_ANALYZE_H
#define BTRACE_ANALYZE_H

#include <stddef.h>

#include "advice/graph_report.h"
#include "advice/recommend.h"
#include "model/build_model.h"
#include "model/trace_reader.h"
#include "output/writer.h"
#include "profile/profile.h"

/* Everything bt_analyze() made.  build.trace and report's pointers point
 * into the struct itself: it must not be copied or moved while in use.
 * The writers read `report` only. */
struct bt_analysis {
	struct bt_trace trace;
	struct bt_build build;
	struct bt_profile profile; /* valid when have_profile */
	int have_profile;	   /* the trace has samples */
	struct bt_recommendations recs;
	/* build, profile (NULL without samples), recommendations (NULL
	 * with profile_only) and the report's options */
	struct bt_report report;
	struct bt_graph_report graph; /* valid when have_graph */
	int have_graph;
};

struct bt_analyze_opts {
	int flame_by_category; /* --group category */
	int profile_only;      /* stop before recommending (recs left 0) */
	/* Called after each stage ("load", "profile", "recommend",
	 * "graph") when not NULL: report's BTRACE_DEBUG timings. */
	void (*phase)(const char *what);
	/* Progress of the long stages (reading, profile) when not NULL
	 * (base/progress.h). */
	const struct bt_progress_cb *progress;
};

/* Analyzes the trace in DIR into A.  Returns BT_EXIT_OK; or, with one
 * line in ERR and nothing left to free, BT_EXIT_BAD_INPUT (no usable
 * trace) or BT_EXIT_NOMEM. */
int bt_analyze(const char *dir, const struct bt_analyze_opts *o,
	       struct bt_analysis *a, char *err, size_t errlen);
void bt_analysis_free(struct bt_analysis *a);

#endif
