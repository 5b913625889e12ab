/* writer.h - one writer per output format, behind one interface.
 *
 * `btrace report` analyzes the trace once (analyze.h: the build model,
 * the profile, the recommendations) and hands the result to each writer
 * in turn as one struct bt_report.  A writer only formats: it never reads
 * the trace (build_model.h copies what they show of processes and of the
 * session), never decides what is a unit or a gap, and reports failure by
 * returning -1 (errno set by the failing stdio call). */
#ifndef BTRACE_REPORT_WRITER_H
#define BTRACE_REPORT_WRITER_H

#include <stdio.h>

#include "advice/graph_report.h"
#include "advice/recommend.h"
#include "model/build_model.h"
#include "profile/profile.h"

/* How the report is drawn: the command's options that reach writers. */
struct bt_report_options {
	int flame_by_category; /* --group category: the flame graph's first
				  level is the category, not the crate */
};

/* What every writer gets: read-only views of what bt_analyze() made and
 * owns (struct bt_analysis), or of what a test built by hand. */
struct bt_report {
	const struct bt_build *build; /* never NULL */
	/* Where the CPU went; NULL when the trace has no samples. */
	const struct bt_profile *profile;
	/* What to change; NULL when not made. */
	const struct bt_recommendations *recommendations;
	/* Critical path, dependency costs, idle cores (graph_report.h);
	 * NULL when not made. */
	const struct bt_graph_report *graph;
	struct bt_report_options options;
};

struct bt_report_writer {
	const char *file; /* its name in the report folder */
	const char *what; /* what it holds, for the command's help */
	int (*write)(const struct bt_report *r, FILE *out);
};

extern const struct bt_report_writer bt_writer_summary_text;
extern const struct bt_report_writer bt_writer_summary_json;
extern const struct bt_report_writer bt_writer_chrome_trace;
extern const struct bt_report_writer bt_writer_flame_svg;
extern const struct bt_report_writer bt_writer_stacks_folded;
extern const struct bt_report_writer bt_writer_report_html;

#endif
