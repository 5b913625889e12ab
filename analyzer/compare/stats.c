/* stats.c - Student's t-test on two small sets of builds (stats.h). */
#include <math.h>

#include "compare/stats.h"

void bt_stat_of(const double *x, size_t n, struct bt_stat *s)
{
	double sum = 0, ss = 0;

	s->n = n;
	s->mean = 0;
	s->sd = 0;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = sqrt(ss / (double)(n - 1));
}

double bt_t_crit99(double df)
{
	/* t(0.995, df) for df 1..30, then table points to the normal's
	 * 2.576; between them linear in 1 / df, as tables are read. */
	static const double t[31] = {
	    0,	   63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499,
	    3.355, 3.250,  3.169, 3.106, 3.055, 3.012, 2.977, 2.947,
	    2.921, 2.898,  2.878, 2.861, 2.845, 2.831, 2.819, 2.807,
	    2.797, 2.787,  2.779, 2.771, 2.763, 2.756, 2.750,
	};
	static const double far_df[] = {30, 40, 60, 120, INFINITY};
	static const double far_t[] = {2.750, 2.704, 2.660, 2.617, 2.576};
	double lo, hi, tlo, thi;

	if (!(df > 1))
		return t[1];
	if (df < 30) {
		lo = floor(df);
		hi = lo + 1;
		tlo = t[(int)lo];
		thi = t[(int)hi];
	} else {
		size_t i = 0;
		while (far_df[i + 1] <= df)
			if (++i == 4)
				return far_t[4];
		lo = far_df[i];
		hi = far_df[i + 1];
		tlo = far_t[i];
		thi = far_t[i + 1];
	}
	return tlo + (thi - tlo) * (1 / lo - 1 / df) / (1 / lo - 1 / hi);
}

void bt_change_of(const struct bt_stat *base, const struct bt_stat *new_,
		  struct bt_change *c)
{
	double df, sp2, floor;

	c->base = *base;
	c->new_ = *new_;
	c->delta = new_->mean - base->mean;
	c->pct = base->mean != 0 ? c->delta / base->mean * 100 : 0;
	c->noise = 0;
	if (base->n < 2 || new_->n < 2) {
		c->signif = BT_SIGNIF_UNKNOWN;
		return;
	}
	/* Student's t with the pooled variance: n_base + n_new - 2 degrees
	 * of freedom whatever the spreads (stats.h says why not Welch's). */
	df = (double)(base->n + new_->n - 2);
	sp2 = ((double)(base->n - 1) * base->sd * base->sd +
	       (double)(new_->n - 1) * new_->sd * new_->sd) /
	      df;
	c->noise = bt_t_crit99(df) *
		   sqrt(sp2 * (1.0 / (double)base->n + 1.0 / (double)new_->n));
	floor = fmax(BT_STATS_MIN_ABS, BT_STATS_MIN_REL * fabs(base->mean));
	c->signif = fabs(c->delta) > c->noise && fabs(c->delta) >= floor
			? BT_SIGNIF_CHANGED
			: BT_SIGNIF_NOISE;
}

double bt_change_growth_pct(const struct bt_change *c)
{
	double d = c->delta;

	if (c->base.mean == 0)
		return 0;
	if (c->signif != BT_SIGNIF_UNKNOWN)
		d = d > 0 ? fmax(d - c->noise, 0) : fmin(d + c->noise, 0);
	return d / c->base.mean * 100;
}

const char *bt_signif_name(enum bt_signif s)
{
	switch (s) {
	case BT_SIGNIF_NOISE:
		return "within noise";
	case BT_SIGNIF_CHANGED:
		return "changed";
	default:
		return "significance unknown";
	}
}
