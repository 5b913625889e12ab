/* measure.h - the statistics of `btrace experiment`: what an option
 * saved, from the timed builds of the baseline and of the option, round
 * by round, and how far the estimate was from it (docs/estimation.md,
 * "Measuring a saving").  Pure functions. */
#ifndef BTRACE_MEASURE_H
#define BTRACE_MEASURE_H

/* at most this many rounds: a rebuild's small savings take a few hundred
 * to resolve (docs/estimation.md, "Whether a run resolves the target") */
#define BT_MAX_RUNS 400

/* One configuration's timed builds, one entry per round. */
struct bt_rounds {
	double wall[BT_MAX_RUNS], cpu[BT_MAX_RUNS];
	double front[BT_MAX_RUNS]; /* frontend CPU of each traced build, or
				      NAN */
};

/* A saving over rounds: the median of the per-round savings, their min
 * and max, how many rounds it is made of (NAN and 0 if none), and the
 * median's 95% confidence interval (bt_median_ci(); NAN if the rounds
 * are too few for one). */
struct bt_saving {
	double med, lo, hi;
	int n;
	double ci_lo, ci_hi;
};

enum bt_measure { BT_MEASURE_CPU, BT_MEASURE_WALL };

/* The median of V[0..N) (N <= BT_MAX_RUNS; V is not changed): the middle
 * value, or the mean of the two middle ones for an even N; NAN if N <= 0. */
double bt_median(const double *v, int n);

/* The distribution-free 95% confidence interval of the median of
 * SORTED[0..N) (ascending): the order statistics K and N + 1 - K
 * (1-based), K the largest with P(Binomial(N, 1/2) < K) <= 2.5%, which
 * holds whatever the distribution of the rounds, as long as they are
 * independent.  NAN in both if N < 6 (no K >= 1 qualifies). */
void bt_median_ci(const double *sorted, int n, double *lo, double *hi);

/* The option's per-round savings against the baseline (BASE, OPT: the
 * wall or CPU arrays, N rounds).  With FB and FO, the frontend CPU of the
 * same builds, each option build is first scaled by FB/FO: the frontend
 * does the same work at every setting the options change, so its ratio
 * is the machine's speed drift between the two builds.  Rounds without
 * a frontend figure (not > 0) are left out of a scaled saving. */
struct bt_saving bt_saving_of(const double *base, const double *opt,
			      const double *fb, const double *fo, int n);

/* OPT's saving against BASE over N rounds in CPU or wall time:
 * frontend-scaled if SCALED, plain otherwise. */
struct bt_saving bt_saving(const struct bt_rounds *base,
			   const struct bt_rounds *opt, int n,
			   enum bt_measure what, int scaled);

/* Relative error of an estimate (a share of its build) against a
 * measurement (a share of the baseline's median), in %: NAN if the
 * measurement is 0. */
double bt_error_pct(double est_pct, double meas_pct);

#endif
