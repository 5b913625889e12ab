/* diff_text.c - btrace diff's summary as text (the default, for a
 * terminal) and as markdown (for a pull-request comment).
 *
 * Both say the same: the build's wall and CPU, each category, the
 * settings that changed, and the units by largest change.  Each change is
 * the new side's mean minus the base's, in seconds and percent, with its
 * noise (the half-width of its 99% interval, stats.h) and a verdict:
 * "changed" (beyond the noise), "~" (within it) or "?" (one build on a
 * side: unknown).  The text lists every unit on one line and the
 * categories of the first few; markdown keeps a comment short (the first
 * 20 units).  Every unit's every category is in the JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output/diff_writer.h"

#define TEXT_UNIT_CATEGORIES 10 /* units whose categories the text shows */
#define MD_UNITS 20		/* units in the markdown table */

static const char *verdict(const struct bt_change *c)
{
	switch (c->signif) {
	case BT_SIGNIF_CHANGED:
		return "changed";
	case BT_SIGNIF_NOISE:
		return "~";
	default:
		return "?";
	}
}

/* "+0.67s +5.4% ±0.30s" (no percent from a base of 0, no noise when it
 * is unknown). */
static void fmt_change(char *buf, size_t cap, const struct bt_change *c)
{
	size_t l = (size_t)snprintf(buf, cap, "%+.2fs", c->delta);
	if (l < cap && c->base.mean > 0)
		l += (size_t)snprintf(buf + l, cap - l, " %+.1f%%", c->pct);
	else if (l < cap && c->new_.mean > 0)
		l += (size_t)snprintf(buf + l, cap - l, " new");
	if (l < cap && c->signif != BT_SIGNIF_UNKNOWN)
		snprintf(buf + l, cap - l, " \xc2\xb1%.2fs", c->noise);
}

/* S left-aligned in WIDTH columns: "\xc2\xb1" is two bytes, one column. */
static void put_pad(FILE *f, const char *s, int width)
{
	int cols = 0;
	for (const char *p = s; *p; p++)
		cols += ((unsigned char)*p & 0xc0) != 0x80;
	fputs(s, f);
	for (; cols < width; cols++)
		fputc(' ', f);
}

static void put_header(FILE *f, const struct bt_comparison *c, int md)
{
	size_t nb = c->n_builds[0], nn = c->n_builds[1];

	fprintf(f, "%sbtrace diff: %zu base build%s -> %zu new build%s\n",
		md ? "### " : "", nb, nb == 1 ? "" : "s", nn,
		nn == 1 ? "" : "s");
	if (md)
		fputs("\n", f);
	fprintf(f, "%sbase: %s%s%s\n", md ? "- " : "  ", md ? "`" : "",
		c->command[0][0] ? c->command[0] : "(unknown command)",
		md ? "`" : "");
	fprintf(f, "%snew:  %s%s%s\n", md ? "- " : "  ", md ? "`" : "",
		c->command[1][0] ? c->command[1] : "(unknown command)",
		md ? "`" : "");
	if (nb < 2 || nn < 2)
		fprintf(f,
			"%sSignificance unknown: one build on a side gives no "
			"spread; give each side several builds (btrace diff "
			"A1 A2 A3 -- B1 B2 B3) to tell a change from noise\n",
			md ? "- " : "  ");
	else
		fprintf(f,
			"%sEach change is new minus base (means), \xc2\xb1 its "
			"noise (99%% interval, Student's t); \"changed\" is "
			"beyond the noise, \"~\" within it\n",
			md ? "- " : "  ");
	for (size_t i = 0; i < c->n_notes; i++)
		fprintf(f, "%sNote: %s\n", md ? "- " : "  ", c->notes[i]);
}

/* One quantity: name, base, new, change, verdict. */
static void put_row(FILE *f, const char *name, const struct bt_change *c,
		    int md)
{
	char ch[64];

	fmt_change(ch, sizeof(ch), c);
	if (md)
		fprintf(f, "| %s | %.2fs | %.2fs | %s | %s |\n", name,
			c->base.mean, c->new_.mean, ch, verdict(c));
	else {
		fprintf(f, "  %-16s %9.2fs %9.2fs  ", name, c->base.mean,
			c->new_.mean);
		put_pad(f, ch, 26);
		fprintf(f, " %s\n", verdict(c));
	}
}

static void put_build(FILE *f, const struct bt_comparison *c, int md)
{
	if (md)
		fputs(
		    "\n| | base | new | change | |\n|---|---:|---:|---|---|\n",
		    f);
	else
		fprintf(f, "\nBuild %22s %10s  change\n", "base", "new");
	put_row(f, "wall", &c->build[BT_Q_WALL], md);
	put_row(f, "cpu", &c->build[BT_Q_CPU], md);
	if (!md)
		fputs("Where the CPU went\n", f);
	for (int k = 0; k < BT_CAT_MAX; k++)
		put_row(f, bt_category_name(k), &c->build[BT_Q_CAT0 + k], md);
}

static void put_settings(FILE *f, const struct bt_comparison *c, int md)
{
	fprintf(f, "\n%sSettings changed (in the units both sides compiled)\n",
		md ? "#### " : "");
	if (md && c->n_settings)
		fputs("\n", f);
	if (!c->n_settings)
		fprintf(f, "%snone\n", md ? "\n" : "  ");
	for (size_t i = 0; i < c->n_settings; i++) {
		const struct bt_cmp_setting *s = &c->settings[i];
		fprintf(f, "%s%s %s -> %s in %zu compilation%s\n",
			md ? "- " : "  ", s->name, s->from, s->to, s->units,
			s->units == 1 ? "" : "s");
	}
}

static void put_unit_status(FILE *f, const struct bt_cmp_unit *u)
{
	if (bt_cmp_unit_added(u))
		fputs(" (added)", f);
	else if (bt_cmp_unit_removed(u))
		fputs(" (removed)", f);
}

static void put_units_text(FILE *f, const struct bt_comparison *c)
{
	fprintf(f,
		"\nUnits by largest change (%zu in all: %zu added, %zu "
		"removed; a unit's CPU includes its link)\n",
		c->n_units, c->n_added, c->n_removed);
	fprintf(f, "  %-35s %-26s %-8s %s\n", "cpu change", "wall change", "",
		"unit");
	for (size_t i = 0; i < c->n_units; i++) {
		const struct bt_cmp_unit *u = &c->units[i];
		char cpu[64], wall[64];
		fmt_change(cpu, sizeof(cpu), &u->q[BT_Q_CPU]);
		fmt_change(wall, sizeof(wall), &u->q[BT_Q_WALL]);
		fputs("  ", f);
		put_pad(f, cpu, 26);
		fprintf(f, " %-8s ", verdict(&u->q[BT_Q_CPU]));
		put_pad(f, wall, 26);
		fprintf(f, " %-8s %s", verdict(&u->q[BT_Q_WALL]), u->label);
		put_unit_status(f, u);
		fputs("\n", f);
		if (i >= TEXT_UNIT_CATEGORIES)
			continue;
		for (int k = 0; k < BT_CAT_MAX; k++) {
			const struct bt_change *ch = &u->q[BT_Q_CAT0 + k];
			char s[64];
			if (ch->base.mean < 0.005 && ch->new_.mean < 0.005)
				continue;
			fmt_change(s, sizeof(s), ch);
			fprintf(f, "      %-14s %7.2fs -> %7.2fs  ",
				bt_category_name(k), ch->base.mean,
				ch->new_.mean);
			put_pad(f, s, 26);
			fprintf(f, " %s\n", verdict(ch));
		}
	}
}

static void put_units_md(FILE *f, const struct bt_comparison *c)
{
	fprintf(f,
		"\n#### Units by largest change (%zu in all: %zu added, %zu "
		"removed)\n\n| unit | cpu change | | wall change | | top "
		"category change |\n|---|---|---|---|---|---|\n",
		c->n_units, c->n_added, c->n_removed);
	for (size_t i = 0; i < c->n_units && i < MD_UNITS; i++) {
		const struct bt_cmp_unit *u = &c->units[i];
		char cpu[64], wall[64], top[64] = "";
		int best = -1;
		fmt_change(cpu, sizeof(cpu), &u->q[BT_Q_CPU]);
		fmt_change(wall, sizeof(wall), &u->q[BT_Q_WALL]);
		for (int k = 0; k < BT_CAT_MAX; k++)
			if (best < 0 || fabs(u->q[BT_Q_CAT0 + k].delta) >
					    fabs(u->q[BT_Q_CAT0 + best].delta))
				best = k;
		if (best >= 0 && u->q[BT_Q_CAT0 + best].delta != 0)
			snprintf(top, sizeof(top), "%s %+.2fs",
				 bt_category_name(best),
				 u->q[BT_Q_CAT0 + best].delta);
		fprintf(f, "| %s", u->label);
		put_unit_status(f, u);
		fprintf(f, " | %s | %s | %s | %s | %s |\n", cpu,
			verdict(&u->q[BT_Q_CPU]), wall,
			verdict(&u->q[BT_Q_WALL]), top);
	}
	if (c->n_units > MD_UNITS)
		fprintf(f, "\n%zu more units in `btrace diff --format json`.\n",
			c->n_units - MD_UNITS);
}

static int write_text(const struct bt_comparison *c, FILE *f)
{
	put_header(f, c, 0);
	put_build(f, c, 0);
	put_settings(f, c, 0);
	put_units_text(f, c);
	return ferror(f) ? -1 : 0;
}

static int write_markdown(const struct bt_comparison *c, FILE *f)
{
	put_header(f, c, 1);
	put_build(f, c, 1);
	put_settings(f, c, 1);
	put_units_md(f, c);
	return ferror(f) ? -1 : 0;
}

const struct bt_diff_writer bt_diff_writer_text = {
    .file = "diff.txt",
    .what = "the comparison as text",
    .write = write_text,
};

const struct bt_diff_writer bt_diff_writer_markdown = {
    .file = "diff.md",
    .what = "the comparison as markdown, for a pull-request comment",
    .write = write_markdown,
};
