/* stats.h - the statistics of `btrace history --check`: a unit's recent
 * CPU times, and whether a new one is out of their range.  Pure code,
 * unit tested (tests/unit/test_history_stats.c). */
#ifndef BTRACE_HISTORY_STATS_H
#define BTRACE_HISTORY_STATS_H

#include <stddef.h>

struct bt_hist_stats {
	size_t n;
	double mean;
	double sd; /* the sample standard deviation (n - 1); 0 if n < 2 */
};

/* The mean and standard deviation of X[0..N) (Welford's method). */
void bt_hist_stats(const double *x, size_t n, struct bt_hist_stats *out);

/* When a value counts as a regression. */
struct bt_hist_rule {
	double k;	  /* standard deviations above the mean */
	size_t min_n;	  /* fewer earlier builds: cannot tell */
	double min_pct;	  /* and at least this much above the mean, % */
	double min_abs_s; /* and at least this many seconds above it */
};

/* Defaults of --check: k 3, at least 3 earlier builds, 10% and 0.05 s
 * above the mean (a unit whose times never varied would otherwise be
 * flagged for any change at all). */
extern const struct bt_hist_rule bt_hist_rule_default;

enum bt_hist_verdict {
	BT_HIST_TOO_FEW = -1, /* fewer than min_n earlier builds */
	BT_HIST_WITHIN = 0,
	BT_HIST_REGRESSED = 1,
};

/* Whether VALUE exceeds S's mean by more than R->k standard deviations,
 * R->min_pct percent and R->min_abs_s seconds.  *LIMIT (may be NULL)
 * gets the value above which it would be. */
enum bt_hist_verdict bt_hist_judge(double value, const struct bt_hist_stats *s,
				   const struct bt_hist_rule *r, double *limit);

#endif
