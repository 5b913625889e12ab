/* diff_svg.c - diff.svg: the differential flame graph, and the two
 * sides' folded stacks.
 *
 * The two sides' profiles merged by path (compare/diff_tree.h), drawn by
 * flame.svg's code (flame_svg.h) with the same layout and interactions:
 * hover, click to zoom, search.  A frame's width is the larger of its
 * two sides' mean CPU, so a frame that shrank or vanished is still there
 * to be seen; its colour is its change: red grew, blue shrank, the
 * stronger the larger the change relative to the frame (full at +-50%),
 * pale grey unchanged.  A frame only the new side has is full red, one
 * only the base has full blue.  Its tooltip, and the details line on
 * hover, give both sides' CPU and the change.
 *
 * base.folded and new.folded are the same tree's two sides as folded
 * stacks (stacks_folded.c's format: one line per path, self value in CPU
 * microseconds, the mean of the side's builds), grouped by crate, for
 * flamegraph.pl's difffolded.pl or any other diff tool. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/diff_writer.h"
#include "output/flame_svg.h"

#define FULL_REL 0.5 /* a change of this share of the frame: full colour */

static void put_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else if ((unsigned char)*s < 0x20)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void put_time(FILE *f, double us)
{
	double a = fabs(us);
	if (a >= 1e6)
		fprintf(f, "%.3f s", us / 1e6);
	else if (a >= 1e3)
		fprintf(f, "%.1f ms", us / 1e3);
	else
		fprintf(f, "%.0f us", us);
}

static void head(FILE *f, int width, int height, void *ctx)
{
	const struct bt_comparison *c = ctx;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
	      f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"id=\"btrace-diff\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n<title>btrace differential flame "
		"graph: ",
		width, height, width, height);
	put_esc(f, c->command[1][0] ? c->command[1] : "build");
	fputs("</title>\n", f);
}

/* #rrggbb of a change of REL (-1..1) of the frame: grey to red or blue. */
static void put_change_rgb(FILE *f, double rel)
{
	static const unsigned char grey[3] = {0xee, 0xee, 0xea};
	static const unsigned char red[3] = {0xe0, 0x3c, 0x31};
	static const unsigned char blue[3] = {0x3b, 0x6f, 0xd6};
	const unsigned char *to = rel > 0 ? red : blue;
	double t = fmin(fabs(rel) / FULL_REL, 1);

	fprintf(f, "#%02x%02x%02x",
		(unsigned)lround(grey[0] + (to[0] - grey[0]) * t),
		(unsigned)lround(grey[1] + (to[1] - grey[1]) * t),
		(unsigned)lround(grey[2] + (to[2] - grey[2]) * t));
}

static double rel_change(const struct bt_diff_node *d)
{
	double m = fmax(d->us[0], d->us[1]);
	return m > 0 ? (d->us[1] - d->us[0]) / m : 0;
}

static void lines(FILE *f, int width, int xpad, void *ctx)
{
	const struct bt_comparison *c = ctx;
	const struct bt_change *cpu = &c->build[BT_Q_CPU];
	static const double keys[] = {-1,  -0.5, -0.25, -0.1, 0,
				      0.1, 0.25, 0.5,	1};
	int x = xpad;

	fprintf(f,
		"<text id=\"title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">"
		"btrace differential flame graph: ",
		width / 2);
	put_esc(f, c->command[1][0] ? c->command[1] : "build");
	fprintf(f,
		"</text>\n<text id=\"totals\" x=\"%d\" y=\"44\" "
		"text-anchor=\"middle\">CPU: base %.2f s (%zu build%s), new "
		"%.2f s (%zu build%s): %+.2f s, %s</text>\n",
		width / 2, cpu->base.mean, c->n_builds[0],
		c->n_builds[0] == 1 ? "" : "s", cpu->new_.mean, c->n_builds[1],
		c->n_builds[1] == 1 ? "" : "s", cpu->delta,
		bt_signif_name(cpu->signif));
	fprintf(f,
		"<text id=\"profile\" x=\"%d\" y=\"61\" "
		"text-anchor=\"middle\">Width: the larger side's mean CPU; "
		"colour: the change, relative to the frame</text>\n",
		width / 2);
	fputs("<g id=\"legend\">", f);
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		fprintf(f,
			"<g class=\"key\"><rect x=\"%d\" y=\"70\" width=\"12\" "
			"height=\"12\" stroke=\"#888\" stroke-width=\".5\" "
			"fill=\"",
			x);
		put_change_rgb(f, keys[i] * FULL_REL);
		fprintf(f, "\"/><text x=\"%d\" y=\"80\">%s%+.0f%%</text></g>",
			x + 16,
			keys[i] == 1	? "&gt;="
			: keys[i] == -1 ? "&lt;="
					: "",
			keys[i] * FULL_REL * 100);
		x += 16 + 60;
	}
	fprintf(f,
		"<g class=\"key\" id=\"key-added\"><text x=\"%d\" y=\"97\">"
		"red: grew (full red: only in new); blue: shrank (full blue: "
		"only in base)</text></g>",
		xpad);
	fputs("</g>\n", f);
}

static void fill(FILE *f, const struct bt_flame_tree *t, uint32_t i, void *ctx)
{
	const struct bt_comparison *c = ctx;
	(void)t;
	put_change_rgb(f, rel_change(&c->tree.nodes[i]));
}

static void figures(FILE *f, const struct bt_flame_tree *t, uint32_t i,
		    void *ctx)
{
	const struct bt_comparison *c = ctx;
	const struct bt_diff_node *d = &c->tree.nodes[i];
	(void)t;

	fputs("base ", f);
	put_time(f, d->us[0]);
	fputs(", new ", f);
	put_time(f, d->us[1]);
	fputs(": ", f);
	if (d->us[1] >= d->us[0])
		fputc('+', f);
	put_time(f, d->us[1] - d->us[0]);
	if (d->us[0] > 0)
		fprintf(f, " %+.1f%%", (d->us[1] - d->us[0]) / d->us[0] * 100);
	else
		fputs(", only in new", f);
	if (d->us[1] <= 0)
		fputs(", only in base", f);
}

/* On hover, the details line gives both sides and the change (from the
 * frame's tooltip) instead of the width flame.svg's script shows. */
static const char diff_script[] =
    "(function () {\n"
    "var frames = document.getElementById('frames');\n"
    "var details = document.getElementById('details');\n"
    "frames.addEventListener('mouseover', function (e) {\n"
    "	var g = e.target;\n"
    "	while (g && g !== frames && g._v === undefined) g = g.parentNode;\n"
    "	if (!g || g === frames) return;\n"
    "	var s = g.firstElementChild.textContent;\n"
    "	var k = s.lastIndexOf(' (');\n"
    "	details.textContent = k >= 0 ? s.slice(0, k) + ': '\n"
    "		+ s.slice(k + 2, -1) : s;\n"
    "});\n"
    "})();\n";

static int write_svg(const struct bt_comparison *c, FILE *f)
{
	const struct bt_flame_paint paint = {
	    .head = head,
	    .lines = lines,
	    .fill = fill,
	    .figures = figures,
	    .script = diff_script,
	    .ctx = (void *)c,
	};

	if (!c->tree.flame.n_nodes || !c->tree.flame.nodes[0].value_us) {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "id=\"btrace-diff\" width=\"1200\" height=\"60\">"
		      "<text id=\"notice\" x=\"600\" y=\"35\" "
		      "text-anchor=\"middle\" font-family=\"sans-serif\">"
		      "No differential flame graph: a side has no CPU "
		      "samples</text></svg>\n",
		      f);
		return ferror(f) ? -1 : 0;
	}
	return bt_flame_svg_draw(f, &c->tree.flame, &paint);
}

/* Folded stacks of one side: every path with a self value, depth first
 * with an explicit stack; the root ("build") is left out, as in
 * stacks.folded. */
static int write_folded(const struct bt_comparison *c, FILE *f, int side)
{
	const struct bt_flame_tree *t = &c->tree.flame;
	uint32_t *path, *stack;
	size_t sp = 0;

	if (!t->n_nodes)
		return ferror(f) ? -1 : 0;
	path = malloc(t->n_nodes * sizeof(*path));
	stack = malloc(t->n_nodes * sizeof(*stack));
	if (!path || !stack) {
		free(path);
		free(stack);
		return -1;
	}
	for (uint32_t ch = t->nodes[0].first_child; ch != BT_FLAME_NONE;
	     ch = t->nodes[ch].next_sibling)
		stack[sp++] = ch;
	while (sp) {
		uint32_t i = stack[--sp], d = 0;
		double self = c->tree.nodes[i].us[side];
		for (uint32_t ch = t->nodes[i].first_child; ch != BT_FLAME_NONE;
		     ch = t->nodes[ch].next_sibling) {
			self -= c->tree.nodes[ch].us[side];
			stack[sp++] = ch;
		}
		if (llround(self) <= 0)
			continue;
		for (uint32_t p = i; p != 0; p = t->nodes[p].parent)
			path[d++] = p;
		while (d-- > 0) {
			for (const char *s = t->nodes[path[d]].name; *s; s++)
				fputc(*s == ';'			 ? ':'
				      : *s == '\n' || *s == '\r' ? ' '
								 : *s,
				      f);
			fputc(d ? ';' : ' ', f);
		}
		fprintf(f, "%lld\n", llround(self));
	}
	free(path);
	free(stack);
	return ferror(f) ? -1 : 0;
}

static int write_base(const struct bt_comparison *c, FILE *f)
{
	return write_folded(c, f, 0);
}

static int write_new(const struct bt_comparison *c, FILE *f)
{
	return write_folded(c, f, 1);
}

const struct bt_diff_writer bt_diff_writer_svg = {
    .file = "diff.svg",
    .what = "differential flame graph: red grew, blue shrank (open in a "
	    "browser)",
    .write = write_svg,
};

const struct bt_diff_writer bt_diff_writer_folded_base = {
    .file = "base.folded",
    .what = "the base side's mean CPU as folded stacks (microseconds)",
    .write = write_base,
};

const struct bt_diff_writer bt_diff_writer_folded_new = {
    .file = "new.folded",
    .what = "the new side's mean CPU as folded stacks (microseconds)",
    .write = write_new,
};
