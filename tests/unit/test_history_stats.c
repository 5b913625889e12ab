/* test_history_stats.c - the statistics of btrace history --check: mean
 * and sample standard deviation, and the rule that flags a regression
 * (k standard deviations, a floor in percent and in seconds, too few
 * earlier builds). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "history/stats.h"

static void test_mean_sd(void **state)
{
	/* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7 */
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct bt_hist_stats s;
	(void)state;
	bt_hist_stats(x, 8, &s);
	assert_int_equal(s.n, 8);
	assert_true(fabs(s.mean - 5) < 1e-12);
	assert_true(fabs(s.sd - sqrt(32.0 / 7)) < 1e-12);
}

static void test_small_and_empty(void **state)
{
	const double one = 3.5;
	struct bt_hist_stats s;
	(void)state;
	bt_hist_stats(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(s.mean == 0 && s.sd == 0);
	bt_hist_stats(&one, 1, &s);
	assert_true(s.mean == 3.5 && s.sd == 0);
}

/* Large values with a tiny spread: the naive sum of squares would lose
 * it to cancellation; Welford's method keeps it. */
static void test_stable(void **state)
{
	double x[100];
	struct bt_hist_stats s;
	(void)state;
	for (int i = 0; i < 100; i++)
		x[i] = 1e9 + (i % 2 ? 1 : -1);
	bt_hist_stats(x, 100, &s);
	assert_true(fabs(s.mean - 1e9) < 1e-6);
	assert_true(fabs(s.sd - sqrt(100.0 / 99)) < 1e-6);
}

static void test_judge_k(void **state)
{
	struct bt_hist_stats s = {.n = 10, .mean = 10, .sd = 1};
	struct bt_hist_rule r = {
	    .k = 3, .min_n = 3, .min_pct = 0, .min_abs_s = 0};
	double lim;
	(void)state;
	assert_int_equal(bt_hist_judge(12.9, &s, &r, &lim), BT_HIST_WITHIN);
	assert_true(fabs(lim - 13) < 1e-12);
	assert_int_equal(bt_hist_judge(13.1, &s, &r, NULL), BT_HIST_REGRESSED);
	r.k = 2;
	assert_int_equal(bt_hist_judge(12.5, &s, &r, NULL), BT_HIST_REGRESSED);
	/* faster is never a regression */
	assert_int_equal(bt_hist_judge(1, &s, &r, NULL), BT_HIST_WITHIN);
}

/* With no spread at all, the floors decide: 10% and 0.05 s. */
static void test_judge_floors(void **state)
{
	struct bt_hist_stats s = {.n = 5, .mean = 2, .sd = 0};
	const struct bt_hist_rule *r = &bt_hist_rule_default;
	double lim;
	(void)state;
	assert_int_equal(bt_hist_judge(2.1, &s, r, &lim), BT_HIST_WITHIN);
	assert_true(fabs(lim - 2.2) < 1e-12);
	assert_int_equal(bt_hist_judge(2.25, &s, r, NULL), BT_HIST_REGRESSED);
	/* a tiny unit: 10% of 0.1 s is below the 0.05 s floor */
	s.mean = 0.1;
	assert_int_equal(bt_hist_judge(0.14, &s, r, &lim), BT_HIST_WITHIN);
	assert_true(fabs(lim - 0.15) < 1e-12);
	assert_int_equal(bt_hist_judge(0.16, &s, r, NULL), BT_HIST_REGRESSED);
}

static void test_too_few(void **state)
{
	struct bt_hist_stats s = {.n = 2, .mean = 1, .sd = 0};
	(void)state;
	assert_int_equal(bt_hist_judge(100, &s, &bt_hist_rule_default, NULL),
			 BT_HIST_TOO_FEW);
	s.n = 3;
	assert_int_equal(bt_hist_judge(100, &s, &bt_hist_rule_default, NULL),
			 BT_HIST_REGRESSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mean_sd),
	    cmocka_unit_test(test_small_and_empty),
	    cmocka_unit_test(test_stable),
	    cmocka_unit_test(test_judge_k),
	    cmocka_unit_test(test_judge_floors),
	    cmocka_unit_test(test_too_few),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
