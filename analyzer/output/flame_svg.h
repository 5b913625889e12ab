/* flame_svg.h - flame.svg's drawing, for another picture of a flame
 * tree: the differential flame graph (diff_svg.c) draws its merged tree
 * with flame.svg's layout, frames and interactions (hover, click to zoom,
 * search), and only its own colours, figures, header and legend. */
#ifndef BTRACE_FLAME_SVG_H
#define BTRACE_FLAME_SVG_H

#include <stdint.h>
#include <stdio.h>

#include "profile/profile.h"

struct bt_flame_paint {
	/* The document's start: the XML declaration, the <svg> element of
	 * WIDTH x HEIGHT, its <title>.  flame.svg's style and patterns and
	 * the background follow. */
	void (*head)(FILE *f, int width, int height, void *ctx);
	/* The title, the totals and the legend, above y = 105 (the details
	 * line); XPAD is the frames' left edge. */
	void (*lines)(FILE *f, int width, int xpad, void *ctx);
	/* Node I's fill (a colour, "url(#pu)"...). */
	void (*fill)(FILE *f, const struct bt_flame_tree *t, uint32_t i,
		     void *ctx);
	/* Node I's figures in its tooltip, inside the parentheses after its
	 * name ("1.2 s CPU, 3.00%" in flame.svg), XML-escaped; no "(" or
	 * ")" (the script finds the name before the last " ("). */
	void (*figures)(FILE *f, const struct bt_flame_tree *t, uint32_t i,
			void *ctx);
	/* Script run after flame.svg's (window.btraceFlame is set), or
	 * NULL; free of "]]>". */
	const char *script;
	void *ctx;
};

/* Writes T (node 0 its root, with a value > 0) as an interactive flame
 * graph painted by PAINT.  Returns 0, or -1 when T is empty, memory ran
 * out or writing failed. */
int bt_flame_svg_draw(FILE *f, const struct bt_flame_tree *t,
		      const struct bt_flame_paint *paint);

#endif
