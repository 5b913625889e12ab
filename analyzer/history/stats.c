/* stats.c - mean, standard deviation, and the regression rule of
 * `btrace history --check` (stats.h). */
#include <math.h>

#include "history/stats.h"

const struct bt_hist_rule bt_hist_rule_default = {
    .k = 3, .min_n = 3, .min_pct = 10, .min_abs_s = 0.05};

void bt_hist_stats(const double *x, size_t n, struct bt_hist_stats *out)
{
	double mean = 0, m2 = 0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - mean;
		mean += d / (double)(i + 1);
		m2 += d * (x[i] - mean);
	}
	out->n = n;
	out->mean = n ? mean : 0;
	out->sd = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0;
}

enum bt_hist_verdict bt_hist_judge(double value, const struct bt_hist_stats *s,
				   const struct bt_hist_rule *r, double *limit)
{
	double lim = s->mean + r->k * s->sd;
	if (lim < s->mean * (1 + r->min_pct / 100))
		lim = s->mean * (1 + r->min_pct / 100);
	if (lim < s->mean + r->min_abs_s)
		lim = s->mean + r->min_abs_s;
	if (limit)
		*limit = lim;
	if (s->n < r->min_n || s->n == 0)
		return BT_HIST_TOO_FEW;
	return value > lim ? BT_HIST_REGRESSED : BT_HIST_WITHIN;
}
