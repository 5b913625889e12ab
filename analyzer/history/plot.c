/* plot.c - a trend as an SVG line chart (plot.h): axes with round ticks
 * in seconds, the first and last build's date under the time axis, one
 * coloured polyline and a legend entry per series. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "history/plot.h"

#define W 900
#define H 420
#define LEFT 70
#define RIGHT 20
#define TOP 40
#define BOTTOM 70

static const char *const colours[] = {"#d62728", "#1f77b4", "#2ca02c",
				      "#ff7f0e", "#9467bd", "#8c564b",
				      "#e377c2", "#7f7f7f"};

/* Text for SVG: &, <, > and quotes escaped. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static void date(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, cap, "?");
}

/* A round tick step for a range of SPAN seconds: 1, 2 or 5 times a
 * power of ten, about 5 ticks. */
static double tick_step(double span)
{
	double raw = span / 5, p, m;
	if (raw <= 0)
		return 1;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

int bt_plot_svg(FILE *f, const char *title, const struct bt_plot_series *s,
		size_t ns)
{
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	double ymax = 0, step;
	char d0[32], d1[32];
	const double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;

	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			const struct bt_plot_point *p = &s[k].pts[i];
			if (p->t_ms < t0)
				t0 = p->t_ms;
			if (p->t_ms > t1)
				t1 = p->t_ms;
			if (p->y > ymax)
				ymax = p->y;
		}
	if (t0 > t1)
		t0 = t1 = 0;
	step = tick_step(ymax > 0 ? ymax : 1);
	ymax = ceil((ymax > 0 ? ymax : 1) / step) * step;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%d\" y=\"24\" font-size=\"15\">",
		W, H, W, H, LEFT);
	esc(f, title);
	fprintf(f, "</text>\n");
	/* the value axis, with its grid */
	for (double v = 0; v <= ymax + step / 2; v += step) {
		double y = TOP + ph - v / ymax * ph;
		fprintf(f,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#ddd\"/>\n"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%gs"
			"</text>\n",
			LEFT, y, LEFT + pw, y, LEFT - 6, y + 4, v);
	}
	fprintf(f,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"black\"/>\n"
		"<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"black\"/>\n",
		LEFT, TOP, LEFT, TOP + ph, LEFT, TOP + ph, LEFT + pw, TOP + ph);
	date(d0, sizeof(d0), t0);
	date(d1, sizeof(d1), t1);
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\">%s</text>\n"
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		LEFT, TOP + ph + 18, d0, LEFT + pw, TOP + ph + 18, d1);
	for (size_t k = 0; k < ns; k++) {
		const char *c =
		    colours[k % (sizeof(colours) / sizeof(*colours))];
		fprintf(f,
			"<g class=\"series\"><polyline fill=\"none\" "
			"stroke=\"%s\" stroke-width=\"1.5\" points=\"",
			c);
		for (size_t i = 0; i < s[k].n; i++) {
			const struct bt_plot_point *p = &s[k].pts[i];
			double x = t1 > t0 ? LEFT + (double)(p->t_ms - t0) /
							(double)(t1 - t0) * pw
					   : LEFT + pw / 2;
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", x,
				TOP + ph - p->y / ymax * ph);
		}
		fprintf(f, "\"/>\n");
		for (size_t i = 0; i < s[k].n; i++) {
			const struct bt_plot_point *p = &s[k].pts[i];
			double x = t1 > t0 ? LEFT + (double)(p->t_ms - t0) /
							(double)(t1 - t0) * pw
					   : LEFT + pw / 2;
			char d[32];
			date(d, sizeof(d), p->t_ms);
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				"fill=\"%s\"><title>",
				x, TOP + ph - p->y / ymax * ph, c);
			esc(f, s[k].name);
			fprintf(f, ": %.2fs, build %lld, %s</title></circle>\n",
				p->y, (long long)p->build_id, d);
		}
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"3\" "
			"fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
			LEFT + 10 + (double)(k % 4) * 200,
			TOP + ph + 36 + (double)(k / 4) * 16, c,
			LEFT + 26 + (double)(k % 4) * 200,
			TOP + ph + 41 + (double)(k / 4) * 16);
		esc(f, s[k].name);
		fprintf(f, "</text></g>\n");
	}
	fprintf(f, "</svg>\n");
	if (ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
