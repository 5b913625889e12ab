/* diff_writer.h - the outputs of btrace diff, one writer per format,
 * behind one interface (as writer.h for the report).
 *
 * `btrace diff` compares the builds once (compare/compare.h) and hands the
 * comparison to the writers: the summary in the format asked for on
 * stdout (text, markdown, json), diff.svg and the two sides' folded
 * stacks into the output folder.  A writer only formats; it returns -1
 * when writing failed (errno set by stdio) or memory ran out. */
#ifndef BTRACE_DIFF_WRITER_H
#define BTRACE_DIFF_WRITER_H

#include <stdio.h>

#include "compare/compare.h"

struct bt_diff_writer {
	const char *file; /* its name in the output folder */
	const char *what; /* what it holds, for the command's help */
	int (*write)(const struct bt_comparison *c, FILE *out);
};

extern const struct bt_diff_writer bt_diff_writer_text;
extern const struct bt_diff_writer bt_diff_writer_markdown;
extern const struct bt_diff_writer bt_diff_writer_json;
extern const struct bt_diff_writer bt_diff_writer_svg;
extern const struct bt_diff_writer bt_diff_writer_folded_base;
extern const struct bt_diff_writer bt_diff_writer_folded_new;

#endif
