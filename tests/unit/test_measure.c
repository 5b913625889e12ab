/* test_measure.c - the statistics of btrace experiment (advice/measure.h):
 * medians, per-round savings plain and frontend-scaled, and the error of
 * an estimate, on figures worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advice/measure.h"

/* cmocka compares as float: the figures here are exact in float */
#define EPS 1e-6

static void test_median(void **state)
{
	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, one[] = {7};
	double copy[4];
	(void)state;
	assert_float_equal(bt_median(odd, 3), 2, EPS);
	/* even: the mean of the two middle values */
	assert_float_equal(bt_median(even, 4), 2.5, EPS);
	assert_float_equal(bt_median(one, 1), 7, EPS);
	/* the input is left as it was */
	memcpy(copy, even, sizeof(even));
	bt_median(even, 4);
	assert_memory_equal(copy, even, sizeof(even));
	/* no values, or more than it holds: no median */
	assert_true(isnan(bt_median(odd, 0)));
	assert_true(isnan(bt_median(odd, -1)));
	assert_true(isnan(bt_median(odd, BT_MAX_RUNS + 1)));
}

static void test_saving_plain(void **state)
{
	double base[] = {10, 12, 11, 13}, opt[] = {8, 9, 10, 9};
	struct bt_saving s;
	(void)state;
	/* per round: 2, 3, 1, 4 */
	s = bt_saving_of(base, opt, NULL, NULL, 4);
	assert_int_equal(s.n, 4);
	assert_float_equal(s.med, 2.5, EPS);
	assert_float_equal(s.lo, 1, EPS);
	assert_float_equal(s.hi, 4, EPS);
	/* three rounds: 2, 3, 1 */
	s = bt_saving_of(base, opt, NULL, NULL, 3);
	assert_int_equal(s.n, 3);
	assert_float_equal(s.med, 2, EPS);
	/* an option slower than the baseline saves less than nothing */
	s = bt_saving_of(opt, base, NULL, NULL, 3);
	assert_float_equal(s.med, -2, EPS);
	assert_float_equal(s.lo, -3, EPS);
	assert_float_equal(s.hi, -1, EPS);
	s = bt_saving_of(base, opt, NULL, NULL, 0);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.med) && isnan(s.lo) && isnan(s.hi));
}

static void test_saving_scaled(void **state)
{
	/* round 1: the option's machine ran at half speed (its frontend
	 * took twice as long), so its 20 s count as 10; round 2 unscaled;
	 * round 3 has no frontend figure and is left out */
	double base[] = {12, 12, 12}, opt[] = {20, 9, 1};
	double fb[] = {2, 3, 3}, fo[] = {4, 3, NAN};
	struct bt_saving s = bt_saving_of(base, opt, fb, fo, 3);
	(void)state;
	assert_int_equal(s.n, 2);
	assert_float_equal(s.lo, 2, EPS); /* 12 - 20 * 2/4 */
	assert_float_equal(s.hi, 3, EPS); /* 12 - 9 */
	assert_float_equal(s.med, 2.5, EPS);
	/* a frontend of 0 is no figure either */
	fo[2] = 0;
	assert_int_equal(bt_saving_of(base, opt, fb, fo, 3).n, 2);
	/* with no frontend figure at all, nothing is measured */
	fb[0] = fb[1] = fb[2] = NAN;
	s = bt_saving_of(base, opt, fb, fo, 3);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.med));
}

static void test_saving_of_rounds(void **state)
{
	struct bt_rounds base, opt;
	struct bt_saving s;
	(void)state;
	memset(&base, 0, sizeof(base));
	memset(&opt, 0, sizeof(opt));
	for (int r = 0; r < 3; r++) {
		base.cpu[r] = 30 + r;
		opt.cpu[r] = 20;
		base.wall[r] = 10;
		opt.wall[r] = 9 - r;
		base.front[r] = 5;
		opt.front[r] = 10; /* the option's builds ran at half speed */
	}
	/* CPU, plain: 10, 11, 12 */
	s = bt_saving(&base, &opt, 3, BT_MEASURE_CPU, 0);
	assert_float_equal(s.med, 11, EPS);
	/* wall, plain: 1, 2, 3 */
	s = bt_saving(&base, &opt, 3, BT_MEASURE_WALL, 0);
	assert_float_equal(s.med, 2, EPS);
	assert_float_equal(s.lo, 1, EPS);
	/* CPU, scaled by 5/10: 20, 21, 22 */
	s = bt_saving(&base, &opt, 3, BT_MEASURE_CPU, 1);
	assert_float_equal(s.med, 21, EPS);
	/* wall, scaled: 10 - 4.5, 10 - 4, 10 - 3.5 */
	s = bt_saving(&base, &opt, 3, BT_MEASURE_WALL, 1);
	assert_float_equal(s.med, 6, EPS);
	assert_float_equal(s.hi, 6.5, EPS);
}

static void test_error_pct(void **state)
{
	(void)state;
	/* estimated 10% of the build, measured 8%: 25% too high */
	assert_float_equal(bt_error_pct(10, 8), 25, EPS);
	assert_float_equal(bt_error_pct(6, 8), -25, EPS);
	/* against a measured loss, relative to its size */
	assert_float_equal(bt_error_pct(2, -4), 150, EPS);
	assert_float_equal(bt_error_pct(8, 8), 0, EPS);
	/* nothing measured: no relative error */
	assert_true(isnan(bt_error_pct(5, 0)));
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median's interval by its ranks, worked out by hand from the
 * binomial tail: n = 6, P(B = 0) = 1/64 <= 2.5% < P(B <= 1) = 7/64;
 * n = 15, P(B <= 3) = 576/32768 = 1.76% < 2.5% < P(B <= 4) = 5.9%;
 * n = 30, P(B <= 9) = 2.14% < 2.5% < P(B <= 10) = 4.94%. */
static void test_median_ci_ranks(void **state)
{
	double v[30], lo, hi;
	(void)state;
	for (int i = 0; i < 30; i++)
		v[i] = i + 1; /* the i-th order statistic is i */
	bt_median_ci(v, 5, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi)); /* too few rounds */
	bt_median_ci(v, 6, &lo, &hi);
	assert_float_equal(lo, 1, EPS);
	assert_float_equal(hi, 6, EPS);
	bt_median_ci(v, 15, &lo, &hi);
	assert_float_equal(lo, 4, EPS);
	assert_float_equal(hi, 12, EPS);
	bt_median_ci(v, 30, &lo, &hi);
	assert_float_equal(lo, 10, EPS);
	assert_float_equal(hi, 21, EPS);
}

/* The interval's coverage, checked by simulation rather than by its
 * formula: rounds drawn from a skewed distribution (exponential, median
 * ln 2), 4000 trials of 15 rounds.  The exact coverage at these ranks is
 * 1 - 2 x 576/32768 = 96.5%; 4000 trials put the estimate within about
 * +-0.6 points of it (two standard errors). */
static void test_median_ci_coverage(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	int covered = 0, trials = 4000;
	(void)state;
	for (int t = 0; t < trials; t++) {
		double d[15], lo, hi;
		for (int i = 0; i < 15; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			d[i] = -log(((double)(x >> 11) + 0.5) /
				    9007199254740992.0);
		}
		qsort(d, 15, sizeof(*d), cmp);
		bt_median_ci(d, 15, &lo, &hi);
		covered += lo <= log(2) && log(2) <= hi;
	}
	assert_in_range(covered, (int)(0.955 * trials), (int)(0.975 * trials));
}

/* A saving carries the interval of its per-round savings. */
static void test_saving_ci(void **state)
{
	double base[6] = {10, 10, 10, 10, 10, 10}, opt[6] = {9, 8, 7, 6, 5, 4};
	struct bt_saving s;
	(void)state;
	s = bt_saving_of(base, opt, NULL, NULL, 6);
	assert_float_equal(s.ci_lo, 1, EPS);
	assert_float_equal(s.ci_hi, 6, EPS);
	s = bt_saving_of(base, opt, NULL, NULL, 5);
	assert_true(isnan(s.ci_lo));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_median),
	    cmocka_unit_test(test_saving_plain),
	    cmocka_unit_test(test_saving_scaled),
	    cmocka_unit_test(test_saving_of_rounds),
	    cmocka_unit_test(test_error_pct),
	    cmocka_unit_test(test_median_ci_ranks),
	    cmocka_unit_test(test_median_ci_coverage),
	    cmocka_unit_test(test_saving_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
