/* plot.h - `btrace history --plot FILE.svg`: a trend as an SVG line
 * chart, one line per series, builds placed by their start time; each
 * point says what it is when hovered (its <title>). */
#ifndef BTRACE_HISTORY_PLOT_H
#define BTRACE_HISTORY_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bt_plot_point {
	int64_t t_ms; /* the build's start */
	double y;     /* seconds */
	int64_t build_id;
};

struct bt_plot_series {
	char name[384];
	struct bt_plot_point *pts; /* oldest first */
	size_t n;
};

/* Writes the chart of NS series to F.  0, or -1 (errno) when writing
 * fails. */
int bt_plot_svg(FILE *f, const char *title, const struct bt_plot_series *s,
		size_t ns);

#endif
