/* measure.c - experiment statistics (measure.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "advice/measure.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double bt_median(const double *v, int n)
{
	double s[BT_MAX_RUNS];
	if (n <= 0 || n > BT_MAX_RUNS)
		return NAN;
	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The K of bt_median_ci(): Binomial(N, 1/2)'s lower tail summed term by
 * term until it would pass 2.5%. */
static int median_ci_rank(int n)
{
	double pmf = ldexp(1, -n), tail = 0;
	int k = 0;
	while (k < n && tail + pmf <= 0.025) {
		tail += pmf;
		pmf = pmf * (n - k) / (k + 1);
		k++;
	}
	return k;
}

void bt_median_ci(const double *sorted, int n, double *lo, double *hi)
{
	int k = n > 0 && n <= BT_MAX_RUNS ? median_ci_rank(n) : 0;
	*lo = k ? sorted[k - 1] : NAN;
	*hi = k ? sorted[n - k] : NAN;
}

struct bt_saving bt_saving_of(const double *base, const double *opt,
			      const double *fb, const double *fo, int n)
{
	double d[BT_MAX_RUNS];
	struct bt_saving s = {NAN, NAN, NAN, 0, NAN, NAN};
	for (int r = 0; r < n && r < BT_MAX_RUNS; r++) {
		double scale = 1;
		if (fb) {
			if (!(fb[r] > 0) || !(fo[r] > 0))
				continue;
			scale = fb[r] / fo[r];
		}
		d[s.n++] = base[r] - scale * opt[r];
	}
	if (s.n <= 0)
		return s;
	s.med = bt_median(d, s.n);
	qsort(d, (size_t)s.n, sizeof(*d), cmp_double);
	s.lo = d[0];
	s.hi = d[s.n - 1];
	bt_median_ci(d, s.n, &s.ci_lo, &s.ci_hi);
	return s;
}

struct bt_saving bt_saving(const struct bt_rounds *base,
			   const struct bt_rounds *opt, int n,
			   enum bt_measure what, int scaled)
{
	int cpu = what == BT_MEASURE_CPU;
	return bt_saving_of(
	    cpu ? base->cpu : base->wall, cpu ? opt->cpu : opt->wall,
	    scaled ? base->front : NULL, scaled ? opt->front : NULL, n);
}

double bt_error_pct(double est_pct, double meas_pct)
{
	return meas_pct != 0 ? 100 * (est_pct - meas_pct) / fabs(meas_pct)
			     : NAN;
}
