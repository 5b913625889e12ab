/* stats.h - is a change between two sets of builds more than noise?
 *
 * Each side of a diff is one build or several of the same workspace.  A
 * quantity (the build's CPU, one unit's debuginfo CPU) is summarized per
 * side by its mean and sample standard deviation, and the change from
 * one side to the other is judged with Student's two-sample t-test
 * (pooled variance, n_base + n_new - 2 degrees of freedom), two-sided, at
 * the 99% level.  Not Welch's: with 3 builds a side, one outlying build
 * on one side drives Welch's degrees of freedom from 4 towards 2 and its
 * 99% t from 4.6 to near 10, and a unit 46% slower was called noise; for
 * equal sides the two tests have the same t statistic.  The level is
 * strict because a diff judges a hundred quantities at once, and 95%
 * called 6 of 288 quantities changed between identical builds.  Two
 * floors keep what no clock resolves from being called a change: a
 * change below BT_STATS_MIN_ABS seconds or below BT_STATS_MIN_REL of the
 * base is within the noise whatever the test says.  docs/diff.md gives
 * the figures.
 *
 * Pure: no I/O, no globals, no allocation. */
#ifndef BTRACE_STATS_H
#define BTRACE_STATS_H

#include <stddef.h>

#define BT_STATS_MIN_ABS 0.010 /* seconds */
#define BT_STATS_MIN_REL 0.02  /* of the base's mean */

/* One side's values of one quantity. */
struct bt_stat {
	size_t n;
	double mean;
	double sd; /* sample standard deviation (n - 1); 0 when n < 2 */
};

enum bt_signif {
	BT_SIGNIF_UNKNOWN = 0, /* one build on a side: no spread to judge */
	BT_SIGNIF_NOISE,       /* within the noise */
	BT_SIGNIF_CHANGED,     /* more than the noise */
};

struct bt_change {
	struct bt_stat base, new_;
	double delta; /* new_.mean - base.mean */
	double pct;   /* delta / base.mean * 100; 0 when base.mean is 0 */
	/* Half-width of the 99% confidence interval of delta (Student's t,
	 * pooled variance); 0 when the significance is unknown. */
	double noise;
	enum bt_signif signif;
};

/* The mean and spread of the N values X into S. */
void bt_stat_of(const double *x, size_t n, struct bt_stat *s);

/* The two-sided 99% critical value of Student's t with DF degrees of
 * freedom (DF >= 1; between the table's points, linear in 1 / DF). */
double bt_t_crit99(double df);

/* The change from BASE to NEW into C: its size, its noise and whether it
 * is more than that. */
void bt_change_of(const struct bt_stat *base, const struct bt_stat *new_,
		  struct bt_change *c);

/* How far past the noise C grew, in percent of the base: the lower end of
 * its confidence interval (delta - noise) over the base's mean; with an
 * unknown significance, the plain change.  0 when the base is 0. */
double bt_change_growth_pct(const struct bt_change *c);

/* "within noise", "changed", "significance unknown". */
const char *bt_signif_name(enum bt_signif s);

#endif
