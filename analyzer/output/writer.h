/* writer.h - one writer per output format, behind one interface.
 *
 * `btrace report` builds the model of the build once (build_model.h) and
 * hands it to each writer in turn.  A writer only formats: it never reads
 * the trace itself, never decides what is a unit or a gap, and reports
 * failure by returning -1 (errno set by the failing stdio call). */
#ifndef BTRACE_REPORT_WRITER_H
#define BTRACE_REPORT_WRITER_H

#include <stdio.h>

#include "model/build_model.h"

struct bt_report_writer {
	const char *file; /* its name in the report folder */
	const char *what; /* what it holds, for the command's help */
	int (*write)(const struct bt_build *b, FILE *out);
};

extern const struct bt_report_writer bt_writer_summary_text;
extern const struct bt_report_writer bt_writer_summary_json;
extern const struct bt_report_writer bt_writer_chrome_trace;
extern const struct bt_report_writer bt_writer_flame_svg;
extern const struct bt_report_writer bt_writer_stacks_folded;

#endif
