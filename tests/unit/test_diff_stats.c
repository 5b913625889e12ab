/* test_diff_stats.c - btrace diff's statistics (compare/stats.h) and the
 * merge of two sides' profiles (compare/diff_tree.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compare/diff_tree.h"
#include "compare/stats.h"

static void near(double got, double want, double eps)
{
	if (fabs(got - want) > eps)
		fail_msg("got %.6f, want %.6f (+-%g)", got, want, eps);
}

static void stat_of(const double *x, size_t n, struct bt_stat *s)
{
	bt_stat_of(x, n, s);
}

static void test_mean_and_spread(void **state)
{
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
	struct bt_stat s;
	(void)state;
	stat_of(x, 8, &s);
	assert_int_equal(s.n, 8);
	near(s.mean, 5, 1e-12);
	near(s.sd, sqrt(32.0 / 7), 1e-12); /* n - 1, not n */
	stat_of(x, 1, &s);
	near(s.mean, 2, 1e-12);
	near(s.sd, 0, 0);
	stat_of(x, 0, &s);
	assert_int_equal(s.n, 0);
	near(s.mean, 0, 0);
}

static void test_t_table(void **state)
{
	(void)state;
	near(bt_t_crit99(1), 63.657, 1e-9);
	near(bt_t_crit99(4), 4.604, 1e-9);
	/* Between points, linear in 1 / df: 4.5 is 4/9 of the way from 4's
	 * 1/4 to 5's 1/5 in 1 / df. */
	near(bt_t_crit99(4.5),
	     4.604 +
		 (4.032 - 4.604) * (1 / 4.0 - 1 / 4.5) / (1 / 4.0 - 1 / 5.0),
	     1e-9);
	near(bt_t_crit99(40), 2.704, 1e-9);
	near(bt_t_crit99(120), 2.617, 1e-9);
	near(bt_t_crit99(30), 2.750, 1e-9);
	near(bt_t_crit99(1e6), 2.576, 1e-4); /* the normal, nearly */
	near(bt_t_crit99(INFINITY), 2.576, 1e-9);
	near(bt_t_crit99(0.5), 63.657, 1e-9); /* below 1: the widest */
	/* The table falls as the degrees of freedom grow. */
	for (double df = 1.25; df < 300; df += 0.25)
		assert_true(bt_t_crit99(df) <= bt_t_crit99(df - 0.25));
}

static void change(const double *a, size_t na, const double *b, size_t nb,
		   struct bt_change *c)
{
	struct bt_stat sa, sb;
	stat_of(a, na, &sa);
	stat_of(b, nb, &sb);
	bt_change_of(&sa, &sb, c);
}

static void test_one_build_a_side_is_unknown(void **state)
{
	const double a[] = {10}, b[] = {20};
	struct bt_change c;
	(void)state;
	change(a, 1, b, 1, &c);
	assert_int_equal(c.signif, BT_SIGNIF_UNKNOWN);
	near(c.delta, 10, 1e-12);
	near(c.pct, 100, 1e-9);
	near(c.noise, 0, 0);
	/* Growth past the noise is the plain change when it is unknown. */
	near(bt_change_growth_pct(&c), 100, 1e-9);
	assert_string_equal(bt_signif_name(c.signif), "significance unknown");
}

static void test_clear_shift_is_changed(void **state)
{
	const double a[] = {10.0, 10.1, 9.9}, b[] = {13.0, 13.1, 12.9};
	struct bt_change c;
	double se = sqrt(0.01 / 3 * 2);
	(void)state;
	change(a, 3, b, 3, &c);
	near(c.delta, 3, 1e-9);
	near(c.pct, 30, 1e-9);
	/* 3 + 3 - 2 = 4 degrees of freedom; equal spreads: the pooled
	 * standard error is Welch's. */
	near(c.noise, 4.604 * se, 1e-9);
	assert_int_equal(c.signif, BT_SIGNIF_CHANGED);
	near(bt_change_growth_pct(&c), (3 - 4.604 * se) / 10 * 100, 1e-9);
	/* The same change backwards: shrinkage, as large. */
	change(b, 3, a, 3, &c);
	assert_int_equal(c.signif, BT_SIGNIF_CHANGED);
	assert_true(bt_change_growth_pct(&c) < -20);
}

static void test_overlap_is_noise(void **state)
{
	const double a[] = {10, 12, 8}, b[] = {11, 13, 9};
	struct bt_change c;
	(void)state;
	change(a, 3, b, 3, &c);
	near(c.delta, 1, 1e-9);
	assert_true(c.noise > 1);
	assert_int_equal(c.signif, BT_SIGNIF_NOISE);
	/* Within the noise, nothing grew past it. */
	near(bt_change_growth_pct(&c), 0, 0);
	/* Identical builds. */
	change(a, 3, a, 3, &c);
	near(c.delta, 0, 0);
	assert_int_equal(c.signif, BT_SIGNIF_NOISE);
	assert_string_equal(bt_signif_name(c.signif), "within noise");
}

static void test_floors(void **state)
{
	/* No spread at all, but 1% of the base: below the relative floor. */
	const double a[] = {100, 100, 100}, b[] = {101, 101, 101};
	/* 4 ms: below the absolute floor, however steady. */
	const double c0[] = {0.001, 0.001, 0.001}, c1[] = {0.005, 0.005, 0.005};
	/* 3% with no spread: a change. */
	const double d[] = {103, 103, 103};
	struct bt_change c;
	(void)state;
	change(a, 3, b, 3, &c);
	near(c.noise, 0, 0);
	assert_int_equal(c.signif, BT_SIGNIF_NOISE);
	change(c0, 3, c1, 3, &c);
	assert_int_equal(c.signif, BT_SIGNIF_NOISE);
	change(a, 3, d, 3, &c);
	assert_int_equal(c.signif, BT_SIGNIF_CHANGED);
	near(bt_change_growth_pct(&c), 3, 1e-9);
}

static void test_pooled_unequal(void **state)
{
	/* Two quiet builds against four noisy ones: Student's t with the
	 * pooled variance, 2 + 4 - 2 = 4 degrees of freedom. */
	const double a[] = {5.0, 5.2}, b[] = {6, 7, 8, 9};
	struct bt_stat sa, sb;
	struct bt_change c;
	double sp2;
	(void)state;
	stat_of(a, 2, &sa);
	stat_of(b, 4, &sb);
	sp2 = (1 * sa.sd * sa.sd + 3 * sb.sd * sb.sd) / 4;
	bt_change_of(&sa, &sb, &c);
	near(c.noise, 4.604 * sqrt(sp2 * (1 / 2.0 + 1 / 4.0)), 1e-9);
	/* 2.4 s against a noise of about 4.5 s: within it. */
	near(c.delta, 2.4, 1e-9);
	assert_int_equal(c.signif, BT_SIGNIF_NOISE);
}

static void test_outlier_on_one_side(void **state)
{
	/* lib1's CPU in a run of tests/diff (rounded): one of the three
	 * heavier builds an outlier.  Welch's df falls to 2.3 and its 99% t
	 * to about 8.2, a noise of 0.21 s: the 46% change would be called
	 * noise.  The pooled test keeps 4 degrees of freedom. */
	const double a[] = {0.376, 0.388, 0.400}, b[] = {0.540, 0.545, 0.616};
	struct bt_stat sa, sb;
	struct bt_change c;
	double va, vb, df;
	(void)state;
	stat_of(a, 3, &sa);
	stat_of(b, 3, &sb);
	bt_change_of(&sa, &sb, &c);
	assert_int_equal(c.signif, BT_SIGNIF_CHANGED);
	assert_true(c.noise < 0.13 && c.delta > 0.17);
	va = sa.sd * sa.sd / 3;
	vb = sb.sd * sb.sd / 3;
	df = (va + vb) * (va + vb) / (va * va / 2 + vb * vb / 2);
	assert_true(df < 2.5);
	assert_true(bt_t_crit99(df) * sqrt(va + vb) > c.delta);
}

static void test_zero_base(void **state)
{
	struct bt_change c;
	(void)state;
	/* A zero base gives no percentage. */
	{
		const double z[] = {0, 0}, y[] = {1, 1};
		change(z, 2, y, 2, &c);
		near(c.pct, 0, 0);
		near(bt_change_growth_pct(&c), 0, 0);
		assert_int_equal(c.signif, BT_SIGNIF_CHANGED);
	}
}

/* A flame tree from (name, parent, value) rows, parents first. */
struct row {
	const char *name;
	uint32_t parent;
	uint64_t us;
};

static void make_tree(const struct row *r, size_t n, struct bt_flame_node *nd,
		      struct bt_flame_tree *t)
{
	memset(nd, 0, n * sizeof(*nd));
	for (size_t i = 0; i < n; i++) {
		nd[i].name = r[i].name;
		nd[i].value_us = r[i].us;
		nd[i].parent = i ? r[i].parent : BT_FLAME_NONE;
		nd[i].first_child = nd[i].next_sibling = BT_FLAME_NONE;
		nd[i].kind = i ? BT_FLAME_FRAME : BT_FLAME_ROOT;
		nd[i].category = 0;
	}
	for (size_t i = n; i-- > 1;) {
		nd[i].next_sibling = nd[r[i].parent].first_child;
		nd[r[i].parent].first_child = (uint32_t)i;
	}
	t->nodes = nd;
	t->n_nodes = n;
}

static uint32_t find(const struct bt_diff_tree *t, const char *name,
		     uint32_t parent)
{
	for (uint32_t i = 0; i < t->flame.n_nodes; i++)
		if (!strcmp(t->flame.nodes[i].name, name) &&
		    t->flame.nodes[i].parent == parent)
			return i;
	fail_msg("no node %s", name);
	return BT_FLAME_NONE;
}

static void test_diff_tree(void **state)
{
	/* Base: build -> a -> f (60), a -> g (40); build -> b (100).
	 * New:  build -> a -> f (90), a -> h (30); build -> b (20); the root
	 * named otherwise. */
	const struct row base[] = {{"build", 0, 200},
				   {"a", 0, 100},
				   {"f", 1, 60},
				   {"g", 1, 40},
				   {"b", 0, 100}};
	const struct row new_[] = {{"all", 0, 140},
				   {"a", 0, 120},
				   {"f", 1, 90},
				   {"h", 1, 30},
				   {"b", 0, 20}};
	struct bt_flame_node nb[5], nn[5];
	struct bt_flame_tree tb, tn;
	struct bt_diff_tree d = {0};
	uint32_t a, f, g, h, b;
	uint64_t kids = 0;
	(void)state;

	make_tree(base, 5, nb, &tb);
	make_tree(new_, 5, nn, &tn);
	/* The base twice at half weight: the mean of two equal builds. */
	assert_int_equal(bt_diff_tree_add(&d, &tb, 0, 0.5), 0);
	assert_int_equal(bt_diff_tree_add(&d, &tb, 0, 0.5), 0);
	assert_int_equal(bt_diff_tree_add(&d, &tn, 1, 1), 0);
	assert_int_equal(bt_diff_tree_finish(&d), 0);
	assert_int_equal(d.flame.n_nodes, 6); /* one root, f g h a b */
	a = find(&d, "a", 0);
	f = find(&d, "f", a);
	g = find(&d, "g", a);
	h = find(&d, "h", a);
	b = find(&d, "b", 0);
	near(d.nodes[0].us[0], 200, 1e-9);
	near(d.nodes[0].us[1], 140, 1e-9);
	near(d.nodes[f].us[0], 60, 1e-9);
	near(d.nodes[f].us[1], 90, 1e-9);
	near(d.nodes[g].us[1], 0, 0); /* only in base */
	near(d.nodes[h].us[0], 0, 0); /* only in new */
	/* Widths: a frame is as wide as its larger side, a parent at least
	 * as wide as its children together (a: 90 + 40 + 30 > 120). */
	assert_int_equal(d.flame.nodes[f].value_us, 90);
	assert_int_equal(d.flame.nodes[g].value_us, 40);
	assert_int_equal(d.flame.nodes[a].value_us, 160);
	assert_int_equal(d.flame.nodes[b].value_us, 100);
	assert_int_equal(d.flame.nodes[0].value_us, 260);
	/* Children linked largest first, every one once. */
	assert_int_equal(d.flame.nodes[0].first_child, a);
	assert_int_equal(d.flame.nodes[a].next_sibling, b);
	assert_int_equal(d.flame.nodes[a].first_child, f);
	for (uint32_t c = d.flame.nodes[a].first_child; c != BT_FLAME_NONE;
	     c = d.flame.nodes[c].next_sibling)
		kids += d.flame.nodes[c].value_us;
	assert_int_equal(kids, 160);
	assert_int_equal(d.flame.nodes[h].depth, 2);
	bt_diff_tree_free(&d);
	assert_int_equal(d.flame.n_nodes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mean_and_spread),
	    cmocka_unit_test(test_t_table),
	    cmocka_unit_test(test_one_build_a_side_is_unknown),
	    cmocka_unit_test(test_clear_shift_is_changed),
	    cmocka_unit_test(test_overlap_is_noise),
	    cmocka_unit_test(test_floors),
	    cmocka_unit_test(test_pooled_unequal),
	    cmocka_unit_test(test_outlier_on_one_side),
	    cmocka_unit_test(test_zero_base),
	    cmocka_unit_test(test_diff_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
