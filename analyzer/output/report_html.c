/* report_html.c - report.html: the whole report in one self-contained
 * page, for whoever opens one file and wants to see where the time went
 * (issue 18; like cargo's --timings page).
 *
 * Sections: the summary (wall, CPU, parallelism, the kind of build, the
 * top categories), the timeline of units (one bar per unit, split by its
 * CPU categories, the critical path marked once the report has one), CPU
 * use over time against the cores, the flame graph inline (flame.svg's
 * own SVG, script and style, so the same search and zoom), the
 * recommendations with a copy button per snippet, the options not
 * recommended with the reason, the settings in force (mixed ones
 * flagged), warnings, and links to the other outputs.
 *
 * Everything is drawn here as HTML and SVG, so the page reads without
 * scripting; report.js (embedded, asset.h) adds the timeline's hover and
 * click and the copy buttons.  Nothing is loaded from anywhere: no URL
 * but the relative links to the other outputs.  The output depends on the
 * report alone: same report, same bytes. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/asset.h"
#include "output/assets/report.css.h"
#include "output/assets/report.js.h"
#include "output/writer.h"
#include "profile/profile.h"

#define CHART_W 1200  /* the charts' viewBox width */
#define LABEL_W 260   /* the timeline's unit names, left of the bars */
#define ROW_H 14      /* one unit */
#define AXIS_H 22     /* the time axis above the bars */
#define CPU_H 180     /* the CPU chart's plot height */
#define CPU_BINS 240  /* its time slices */
#define NAME_CHARS 40 /* of a unit's name in the timeline */
#define TOP_CATEGORIES 5

/* The category colours of flame.svg's legend (flame_svg.c), so both
 * pictures read alike. */
static const char *const cat_colour[BT_CAT_MAX] = {
    [BT_CAT_FRONTEND] = "#6fa8dc",
    [BT_CAT_CODEGEN_LLVM] = "#e69138",
    [BT_CAT_CODEGEN_CRANELIFT] = "#e8c32e",
    [BT_CAT_DEBUGINFO] = "#9a7cd0",
    [BT_CAT_LINK] = "#6ab04f",
    [BT_CAT_BUILD_SCRIPT] = "#d86f8e",
    [BT_CAT_CARGO] = "#a0724a",
    [BT_CAT_PROBE] = "#8c9db0",
    [BT_CAT_STARTUP] = "#b5b5b5",
    [BT_CAT_OTHER] = "#4fb8b0",
};
#define NO_CATEGORY_COLOUR "#c9c9c9" /* a unit without sampled CPU */

/* Whether unit I (an index into build->units) is on the build's
 * critical path (advice/graph_report.h: the schedule's units are parallel
 * to build->units). */
static int html_on_critical_path(const struct bt_report *r, size_t i)
{
	return r->graph && i < r->graph->path.n_units &&
	       r->graph->path.units[i].on_path;
}

/* The CPU chart's line, 0 when unknown: the cores the build had (the
 * trace's CPU count, else cargo's NUM_JOBS: model/utilization.h). */
static double html_cores(const struct bt_report *r)
{
	return r->graph ? r->graph->util.cores : 0;
}

/* Text as HTML character data or attribute value: markup characters
 * escaped, a line break as &#10; (kept in attributes: the tooltips are
 * several lines), other controls as U+FFFD.  Bytes that are not UTF-8
 * reach the browser as they are; its decoder shows them as U+FFFD. */
static void put_html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&#39;", f);
		else if (c == '\n')
			fputs("&#10;", f);
		else if (c == '\t')
			fputc(' ', f);
		else if (c < 0x20 || c == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else
			fputc(c, f);
	}
}

/* The first MAX bytes of S, cut back to a character boundary, ".." when
 * cut. */
static void put_html_cut(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t n = strlen(s);

	if (n <= max || max + 3 > sizeof(buf)) {
		put_html(f, s);
		return;
	}
	n = max - 2;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	strcpy(buf + n, "..");
	put_html(f, buf);
}

static void put_command(FILE *f, const struct bt_session *s)
{
	if (!s->known || !s->argc || !s->command) {
		fputs("build", f);
		return;
	}
	for (size_t i = 0; i < s->argc; i++) {
		if (i)
			fputc(' ', f);
		put_html(f, s->command[i] ? s->command[i] : "");
	}
}

static void put_head(FILE *f, const struct bt_report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>btrace report: ",
	      f);
	put_command(f, &r->build->session);
	fputs("</title>\n<style>", f);
	bt_asset_put(f, bt_asset_report_css, "");
	fputs("</style>\n</head>\n<body>\n<h1>btrace report: ", f);
	put_command(f, &r->build->session);
	fputs("</h1>\n<nav class=\"bt-nav\"><a href=\"#bt-summary\">Summary</a>"
	      "<a href=\"#bt-timeline-section\">Timeline</a>"
	      "<a href=\"#bt-cpu\">CPU use</a>"
	      "<a href=\"#bt-flame\">Flame graph</a>"
	      "<a href=\"#bt-recs\">Recommendations</a>"
	      "<a href=\"#bt-settings\">Settings</a>"
	      "<a href=\"#bt-links\">Other outputs</a></nav>\n",
	      f);
}

static double unit_cat_sum(const struct bt_unit *u)
{
	double s = 0;
	for (int c = 0; c < BT_CAT_MAX; c++)
		s += u->categories[c];
	return s;
}

static void put_summary(FILE *f, const struct bt_report *r)
{
	const struct bt_build *b = r->build;
	const struct bt_profile *p = r->profile;
	int order[BT_CAT_MAX], n = 0;
	double total = 0;
	char line[192];

	fputs("<section id=\"bt-summary\">\n<h2>Summary</h2>\n"
	      "<table class=\"bt-table\">\n",
	      f);
	fprintf(f,
		"<tr><th>Wall time</th><td class=\"bt-num\" "
		"id=\"bt-wall\">%.2f s</td></tr>\n"
		"<tr><th>CPU time</th><td class=\"bt-num\">%.2f s</td></tr>\n"
		"<tr><th>Parallelism</th><td class=\"bt-num\">%.2f</td>"
		"<td class=\"bt-muted\">CPU / wall: cores busy on "
		"average</td></tr>\n",
		b->wall_s, b->cpu_s, b->parallelism);
	fprintf(f, "<tr><th>Processes</th><td class=\"bt-num\">%zu</td><td>",
		b->n_nodes);
	for (int k = 0, first = 1; k < BT_KIND_MAX; k++) {
		if (!b->kind_count[k])
			continue;
		fprintf(f, "%s%zu %s", first ? "" : ", ", b->kind_count[k],
			bt_kind_name(k));
		first = 0;
	}
	fprintf(f,
		"</td></tr>\n<tr><th>Units</th><td class=\"bt-num\">%zu"
		"</td></tr>\n",
		b->n_units);
	if (r->recommendations && r->recommendations->build_kind) {
		bt_build_kind_line(r->recommendations, line, sizeof(line));
		fputs("<tr><th>Kind of build</th><td colspan=\"2\" "
		      "id=\"bt-kind\">",
		      f);
		put_html(f, line);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (!b->complete)
		fprintf(f,
			"<p class=\"bt-warn\">Incomplete trace (%zu "
			"warnings, <a href=\"#bt-warnings\">below</a>): the "
			"gaps hide time.</p>\n",
			b->n_warnings);
	if (!p) {
		fputs("<p class=\"bt-muted\">No CPU samples in this trace, so "
		      "no categories: record with btrace record --sample "
		      "compilers (or all).</p>\n</section>\n",
		      f);
		return;
	}
	for (int c = 0; c < BT_CAT_MAX; c++)
		total += p->cpu_s[c];
	/* the categories by CPU, most first (ties: enum order) */
	for (int c = 0; c < BT_CAT_MAX; c++) {
		int k = n++;
		while (k && p->cpu_s[order[k - 1]] < p->cpu_s[c]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = c;
	}
	fprintf(f,
		"<h3>Top categories (of %.2f s CPU)</h3>\n"
		"<table class=\"bt-table\" id=\"bt-top\">\n",
		total);
	for (int i = 0; i < TOP_CATEGORIES && i < n; i++) {
		int c = order[i];
		double pct = total > 0 ? 100 * p->cpu_s[c] / total : 0;
		if (p->cpu_s[c] <= 0)
			break;
		fprintf(f,
			"<tr><td>%s</td><td class=\"bt-num\">%.2f s</td>"
			"<td class=\"bt-num\">%.1f%%</td><td><span "
			"class=\"bt-bar\" style=\"width:%.0fpx;"
			"background:%s\"></span></td></tr>\n",
			bt_category_name(c), p->cpu_s[c], pct, 3 * pct,
			cat_colour[c]);
	}
	fputs("</table>\n</section>\n", f);
}

/* One unit's details, one per line: the tooltip and the click panel. */
static void put_unit_tip(FILE *f, const struct bt_report *r, size_t i)
{
	const struct bt_unit *u = &r->build->units[i];
	const struct bt_rustc_flags *fl = &u->flags;
	double sum = unit_cat_sum(u);
	char label[320];

	bt_unit_label(u, label, sizeof(label));
	put_html(f, label);
	fprintf(f,
		"&#10;start %.2f s, wall %.2f s, CPU %.2f s, max RSS %" PRIu64
		" MiB",
		u->start_s, u->wall_s, u->cpu_s, u->max_rss_kib / 1024);
	if (u->n_links)
		fprintf(f, "&#10;%d link%s: %.2f s wall, %.2f s CPU",
			u->n_links, u->n_links == 1 ? "" : "s", u->link_wall_s,
			u->link_cpu_s);
	if (u->no_end)
		fputs("&#10;INCOMPLETE: its end is not in the trace", f);
	else if (u->signal > 0)
		fprintf(f, "&#10;killed by signal %d", u->signal);
	else if (u->exit_code > 0)
		fprintf(f, "&#10;exit status %d", u->exit_code);
	if (html_on_critical_path(r, i))
		fputs("&#10;on the critical path", f);
	if (u->has_flags) {
		fputs("&#10;debuginfo ", f);
		put_html(f, fl->debuginfo);
		fputs(", opt-level ", f);
		put_html(f, fl->opt_level);
		fputs(", backend ", f);
		put_html(f, fl->codegen_backend);
		fprintf(f, ", incremental %s", fl->incremental ? "on" : "off");
		if (fl->codegen_units >= 0)
			fprintf(f, ", codegen-units %d", fl->codegen_units);
		if (fl->lto[0]) {
			fputs(", lto ", f);
			put_html(f, fl->lto);
		}
		if (u->linker_used[0]) {
			fputs(", linker ", f);
			put_html(f, u->linker_used);
		}
	}
	if (sum > 0) {
		fputs("&#10;CPU by category:", f);
		for (int c = 0; c < BT_CAT_MAX; c++)
			if (u->categories[c] > 0)
				fprintf(f, "&#10;  %-14s %7.2f s %5.1f%%",
					bt_category_name(c), u->categories[c],
					100 * u->categories[c] / sum);
	}
}

/* The timeline: one row per unit in start order (the model's), its bar
 * from start to end, split left to right in proportion to its CPU by
 * category (enum order); a unit without categorized CPU is one grey bar. */
static void put_timeline(FILE *f, const struct bt_report *r)
{
	const struct bt_build *b = r->build;
	/* a damaged trace's times can be anything: the ticks' loop needs
	 * a finite span */
	double span = b->wall_s > 0 && b->wall_s < 1e9 ? b->wall_s : 1;
	double plot_w = CHART_W - LABEL_W - 10, k = plot_w / span, step;
	int height = AXIS_H + (int)b->n_units * ROW_H + 6;

	fputs("<section id=\"bt-timeline-section\">\n<h2>Timeline of "
	      "units</h2>\n",
	      f);
	fprintf(f,
		"<p class=\"bt-muted\">One bar per unit (%zu), from its start "
		"to its end, coloured by where its CPU went.  Hover for its "
		"flags and numbers, click to keep them below.",
		b->n_units);
	if (!r->profile)
		fputs("  No samples: the bars are not split.", f);
	fputs("</p>\n<p>", f);
	for (int c = 0; c < BT_CAT_MAX; c++)
		fprintf(f,
			"<span class=\"bt-bar\" style=\"width:10px;"
			"background:%s\"></span> %s &nbsp;",
			cat_colour[c], bt_category_name(c));
	fprintf(f,
		"<span class=\"bt-bar\" style=\"width:10px;background:%s\">"
		"</span> no samples",
		NO_CATEGORY_COLOUR);
	for (size_t i = 0; i < b->n_units; i++)
		if (html_on_critical_path(r, i)) {
			fputs(
			    " &nbsp;<span class=\"bt-bar\" style=\"width:10px;"
			    "border:1.5px solid #d00\"></span> on the "
			    "critical path",
			    f);
			break;
		}
	fputs("</p>\n", f);
	if (!b->n_units) {
		fputs("<p>No units: nothing was compiled.</p>\n</section>\n",
		      f);
		return;
	}
	fprintf(f,
		"<svg class=\"bt-chart\" id=\"bt-timeline\" "
		"viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">\n",
		CHART_W, height, CHART_W, height);
	/* about ten ticks, at 1, 2 or 5 times a power of ten seconds */
	for (step = 0.001; span / step > 10;)
		step *= (span / (step * 2) <= 10)   ? 2
			: (span / (step * 5) <= 10) ? 5
						    : 10;
	for (int t = 0; t * step <= span + 1e-9; t++) {
		double x = LABEL_W + t * step * k;
		fprintf(f,
			"<line class=\"bt-axis\" x1=\"%.1f\" y1=\"%d\" "
			"x2=\"%.1f\" y2=\"%d\"/><text x=\"%.1f\" y=\"12\" "
			"text-anchor=\"middle\">%g s</text>\n",
			x, AXIS_H - 6, x, height, x, t * step);
	}
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		double x = LABEL_W + u->start_s * k, w = u->wall_s * k;
		double y = AXIS_H + (double)i * ROW_H, sum = unit_cat_sum(u);
		char label[320];

		if (w < 0.5)
			w = 0.5;
		fprintf(f, "<g class=\"bt-unit%s\" data-i=\"%zu\" data-tip=\"",
			html_on_critical_path(r, i) ? " bt-cp" : "", i);
		put_unit_tip(f, r, i);
		bt_unit_label(u, label, sizeof(label));
		fprintf(f,
			"\"><text x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">",
			LABEL_W - 6, y + ROW_H - 4);
		put_html_cut(f, label, NAME_CHARS);
		fputs("</text>", f);
		if (sum <= 0) {
			fprintf(f,
				"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
				"height=\"%d\" fill=\"%s\"/>",
				x, y + 1, w, ROW_H - 2, NO_CATEGORY_COLOUR);
		} else {
			double cx = x;
			for (int c = 0; c < BT_CAT_MAX; c++) {
				double cw = w * u->categories[c] / sum;
				if (u->categories[c] <= 0)
					continue;
				fprintf(f,
					"<rect x=\"%.2f\" y=\"%.1f\" "
					"width=\"%.2f\" height=\"%d\" "
					"fill=\"%s\"/>",
					cx, y + 1, cw, ROW_H - 2,
					cat_colour[c]);
				cx += cw;
			}
		}
		/* the outline that hover, selection and the critical path
		 * draw */
		fprintf(f,
			"<rect class=\"bt-frame\" x=\"%.2f\" y=\"%.1f\" "
			"width=\"%.2f\" height=\"%d\"/></g>\n",
			x, y + 1, w, ROW_H - 2);
	}
	fputs("</svg>\n<div id=\"bt-unit-detail\">Click a unit to keep its "
	      "details here.</div>\n<div id=\"bt-tip\"></div>\n</section>\n",
	      f);
}

/* CPU use over time: every process's own CPU spread evenly over its
 * lifetime (the trace has each process's total, not when it ran), in
 * CPU_BINS slices of the wall time, against the cores. */
static int put_cpu_chart(FILE *f, const struct bt_report *r)
{
	const struct bt_build *b = r->build;
	double *bin = calloc(CPU_BINS, sizeof(*bin));
	double span = b->wall_s, dt = span / CPU_BINS, top = 1;
	double cores = html_cores(r), plot_w = CHART_W - 60;

	if (!bin)
		return -1;
	fputs("<section id=\"bt-cpu\">\n<h2>CPU use over time</h2>\n", f);
	if (!(span > 0 && span < 1e9)) {
		fputs("<p>No time to draw.</p>\n</section>\n", f);
		free(bin);
		return 0;
	}
	for (size_t i = 0; i < b->n_nodes; i++) {
		const struct bt_node *n = &b->nodes[i];
		double s = n->start_s, e = n->end_s, rate;
		if (!(e > s) || n->cpu_s <= 0)
			continue;
		rate = n->cpu_s / (e - s);
		for (int j = (int)(s / dt); j < CPU_BINS && j * dt < e; j++) {
			double lo = j * dt > s ? j * dt : s;
			double hi = (j + 1) * dt < e ? (j + 1) * dt : e;
			if (j >= 0 && hi > lo)
				bin[j] += rate * (hi - lo) / dt;
		}
	}
	for (int j = 0; j < CPU_BINS; j++)
		if (bin[j] > top)
			top = bin[j];
	if (cores > top)
		top = cores;
	top *= 1.1;
	fprintf(
	    f,
	    "<p class=\"bt-muted\">CPUs busy, from each process's CPU "
	    "time spread evenly over its life; the dashed line is %s.</p>\n",
	    cores > 0 ? "the cores the build had"
		      : "missing: the core count is unknown");
	fprintf(f,
		"<svg class=\"bt-chart\" id=\"bt-cpu-chart\" viewBox=\"0 0 "
		"%d %d\" width=\"%d\" height=\"%d\">\n",
		CHART_W, CPU_H + 30, CHART_W, CPU_H + 30);
	fprintf(f,
		"<line class=\"bt-axis\" x1=\"50\" y1=\"%d\" x2=\"%d\" "
		"y2=\"%d\"/><text x=\"46\" y=\"%d\" text-anchor=\"end\">0"
		"</text><text x=\"46\" y=\"14\" text-anchor=\"end\">%.1f"
		"</text><text x=\"50\" y=\"%d\">0 s</text><text x=\"%d\" "
		"y=\"%d\" text-anchor=\"end\">%.2f s</text>\n",
		CPU_H + 5, CHART_W - 10, CPU_H + 5, CPU_H + 5, top, CPU_H + 22,
		CHART_W - 10, CPU_H + 22, span);
	fprintf(f,
		"<polygon fill=\"#6fa8dc\" fill-opacity=\".7\" "
		"stroke=\"#3d78b0\" stroke-width=\".6\" points=\"50,%d",
		CPU_H + 5);
	for (int j = 0; j < CPU_BINS; j++) {
		double y = CPU_H + 5 - CPU_H * bin[j] / top;
		fprintf(f, " %.1f,%.1f %.1f,%.1f", 50 + plot_w * j / CPU_BINS,
			y, 50 + plot_w * (j + 1) / CPU_BINS, y);
	}
	fprintf(f, " %.1f,%d\"/>\n", 50 + plot_w, CPU_H + 5);
	if (cores > 0) {
		double y = CPU_H + 5 - CPU_H * cores / top;
		fprintf(f,
			"<line id=\"bt-cores\" x1=\"50\" y1=\"%.1f\" "
			"x2=\"%d\" y2=\"%.1f\" stroke=\"#a40000\" "
			"stroke-dasharray=\"6 4\"/><text x=\"54\" y=\"%.1f\">"
			"%.0f job slots</text>\n",
			y, CHART_W - 10, y, y - 4, cores);
	}
	fputs("</svg>\n</section>\n", f);
	free(bin);
	return 0;
}

/* flame.svg itself, inline: its first line (the XML declaration) left
 * out, the rest as it is, script and style included. */
static int put_flame(FILE *f, const struct bt_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	const char *svg;
	int rc;

	if (!m)
		return -1;
	/* the stream is closed either way; its buffer is ours to free */
	rc = bt_writer_flame_svg.write(r, m);
	if (fclose(m) != 0)
		rc = -1;
	if (rc < 0 || !buf)
		goto out;
	svg = strstr(buf, "<svg");
	fputs("<section id=\"bt-flame\">\n<h2>Flame graph</h2>\n"
	      "<p class=\"bt-muted\">Where the CPU went, as in flame.svg: "
	      "click a frame to zoom, Esc to go back, Search (or Ctrl-F) "
	      "highlights frames by name.</p>\n",
	      f);
	if (svg)
		fputs(svg, f);
	fputs("</section>\n", f);
out:
	free(buf);
	return rc < 0 ? -1 : 0;
}

static void put_estimate(FILE *f, const struct bt_recommendation *x)
{
	int prec = bt_estimate_digits(&x->estimate);
	fprintf(f,
		"<p class=\"bt-est\"><b>-%.*f s CPU (%.1f%%), -%.*f s wall "
		"(%.1f%%)</b> <span class=\"bt-muted\">method: ",
		prec, x->estimate.cpu_s, x->estimate.cpu_pct, prec,
		x->estimate.wall_s, x->estimate.wall_pct);
	put_html(f, x->estimate.method ? x->estimate.method : "none");
	fputs("</span></p>\n", f);
}

static void put_recs(FILE *f, const struct bt_report *r)
{
	const struct bt_recommendations *rs = r->recommendations;

	fputs("<section id=\"bt-recs\">\n<h2>Recommendations</h2>\n", f);
	if (!rs) {
		fputs("<p>None made.</p>\n</section>\n", f);
		return;
	}
	fprintf(f,
		"<p class=\"bt-muted\">Estimated from this build (the "
		"<code>%s</code> profile); <code>btrace experiment</code> "
		"measures them.  Savings are per build of this kind.</p>\n",
		rs->profile);
	if (!rs->n_recommended)
		fputs("<p id=\"bt-no-recs\">Nothing to recommend: no option "
		      "would save enough here.</p>\n",
		      f);
	for (size_t i = 0; i < rs->n; i++) {
		const struct bt_recommendation *x = &rs->items[i];
		if (!x->recommended)
			continue;
		fputs("<div class=\"bt-rec\"><h3>", f);
		put_html(f, x->id);
		fputs("</h3>\n", f);
		put_estimate(f, x);
		fputs("<p>", f);
		put_html(f, x->reason);
		fputs("</p>\n", f);
		if (x->caveats && x->caveats[0]) {
			fputs("<p class=\"bt-muted\">Caveats: ", f);
			put_html(f, x->caveats);
			fputs("</p>\n", f);
		}
		fputs("<p>In <code>", f);
		put_html(f, x->file ? x->file : "Cargo.toml");
		fputs("</code>: <button class=\"bt-copy\" type=\"button\">Copy"
		      "</button><span class=\"bt-copy-note\"></span></p>\n"
		      "<pre class=\"bt-snippet\">",
		      f);
		put_html(f, x->snippet);
		fputs("</pre>\n</div>\n", f);
	}
	fputs("<h3>Not recommended</h3>\n<table class=\"bt-table\" "
	      "id=\"bt-not-recs\">\n",
	      f);
	for (size_t i = 0; i < rs->n; i++) {
		const struct bt_recommendation *x = &rs->items[i];
		if (x->recommended)
			continue;
		fputs("<tr><td>", f);
		put_html(f, x->id);
		fputs("</td><td>", f);
		put_html(f, x->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}

static void put_settings(FILE *f, const struct bt_report *r)
{
	const struct bt_build *b = r->build;

	fputs("<section id=\"bt-settings\">\n<h2>Settings in force</h2>\n"
	      "<table class=\"bt-table\">\n",
	      f);
	for (int s = 0; s < BT_SETTING_MAX; s++) {
		const struct bt_setting *st = &b->settings[s];
		int mixed = bt_setting_mixed(st);
		if (!st->name)
			continue;
		fprintf(f, "<tr%s><th>",
			mixed ? " class=\"bt-mixed-row\"" : "");
		put_html(f, st->name);
		fputs("</th><td>", f);
		for (size_t v = 0; v < st->n_values; v++) {
			const struct bt_setting_value *sv = &st->values[v];
			int first = 1;
			fputs(v ? "; " : "", f);
			put_html(f, sv->value);
			if (st->n_values < 2)
				continue;
			fprintf(f, " (%zu:", sv->units);
			for (int t = 0; t < BT_TARGET_MAX; t++) {
				if (!sv->by_target[t])
					continue;
				fprintf(f, "%s %zu %s", first ? "" : ",",
					sv->by_target[t], bt_target_name(t));
				first = 0;
			}
			fputs(")", f);
		}
		fprintf(f, "</td><td>%s</td></tr>\n",
			mixed ? "<span class=\"bt-mixed\">mixed</span>" : "");
	}
	fputs("</table>\n</section>\n", f);
}

static void put_links(FILE *f, const struct bt_report *r)
{
	static const struct bt_report_writer *const others[] = {
	    &bt_writer_summary_text,  &bt_writer_summary_json,
	    &bt_writer_chrome_trace,  &bt_writer_flame_svg,
	    &bt_writer_stacks_folded,
	};
	const struct bt_build *b = r->build;

	if (b->n_warnings) {
		fputs("<section id=\"bt-warnings\">\n<h2>Warnings</h2>\n<ul>\n",
		      f);
		for (size_t i = 0; i < b->n_warnings; i++) {
			fputs("<li>", f);
			put_html(f, b->warnings[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n</section>\n", f);
	}
	fputs("<section id=\"bt-links\">\n<h2>Other outputs</h2>\n<ul>\n", f);
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		fputs("<li><a href=\"", f);
		put_html(f, others[i]->file);
		fputs("\">", f);
		put_html(f, others[i]->file);
		fputs("</a>: ", f);
		put_html(f, others[i]->what);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

static int write_report_html(const struct bt_report *r, FILE *f)
{
	put_head(f, r);
	put_summary(f, r);
	put_timeline(f, r);
	if (put_cpu_chart(f, r) < 0 || put_flame(f, r) < 0)
		return -1;
	put_recs(f, r);
	put_settings(f, r);
	put_links(f, r);
	fputs("<script>\n(function () {\n\"use strict\";\n", f);
	bt_asset_put(f, bt_asset_report_js, "\n");
	fputs("})();\n</script>\n</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

const struct bt_report_writer bt_writer_report_html = {
    .file = "report.html",
    .what = "the whole report in one page: open it in a browser",
    .write = write_report_html,
};
