/* test_graph_report.c - the critical path, dependency costs and idle
 * cores of bt_analyze() (graph_report.h) on a synthetic trace made by
 * bench/gen_trace: the invariants that hold on any build, since the
 * synthetic one has no hand-worked answer (test_graph.c has those). */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze.h"
#include "cli.h"

static char work[] = "/tmp/btrace-test-graph.XXXXXX";
static struct bt_analysis an;

static int setup(void **state)
{
	char *cmd, err[1024];
	int rc;
	(void)state;
	if (!mkdtemp(work))
		return -1;
	if (asprintf(&cmd, "'%s' -o '%s/t' -p 60 -s 2000 --seed 7 >/dev/null",
		     GEN_TRACE, work) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	if (rc != 0)
		return -1;
	if (asprintf(&cmd, "%s/t", work) < 0)
		return -1;
	rc = bt_analyze(cmd, NULL, &an, err, sizeof(err));
	free(cmd);
	return rc == BT_EXIT_OK ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd;
	int rc;
	(void)state;
	bt_analysis_free(&an);
	if (asprintf(&cmd, "rm -rf '%s'", work) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void test_made(void **state)
{
	(void)state;
	assert_true(an.have_graph);
	assert_ptr_equal(an.report.graph, &an.graph);
	assert_true(an.build.n_units > 20);
	/* the SESSION record's CPU count (gen_trace: 2) */
	assert_int_equal(an.trace.session.n_cpus, 2);
	assert_int_equal(an.build.session.n_cpus, 2);
	assert_int_equal(an.graph.util.cores, 2);
	assert_string_equal(an.graph.util.cores_from, "trace");
	assert_int_equal(an.graph.util.jobs, 2); /* NUM_JOBS */
}

/* The path is a chain back from the unit that ends last: each unit
 * waited for the one before it; the replay is the observed wall. */
static void test_path(void **state)
{
	const struct bt_critical_path *cp = &an.graph.path;
	const struct bt_build *b = &an.build;
	size_t last;
	(void)state;
	assert_true(cp->n_path >= 2);
	assert_true(fabs(cp->replay_s - b->wall_s) <= 0.05 * b->wall_s);
	assert_true(cp->units[cp->path[0]].waited_for == SIZE_MAX);
	for (size_t k = 1; k < cp->n_path; k++) {
		assert_int_equal(cp->units[cp->path[k]].waited_for,
				 cp->path[k - 1]);
		assert_true(cp->units[cp->path[k]].at.start_s >=
			    cp->units[cp->path[k - 1]].at.start_s);
	}
	last = cp->path[cp->n_path - 1];
	for (size_t i = 0; i < cp->n_units; i++) {
		assert_true(cp->units[i].at.end_s <=
			    cp->units[last].at.end_s + 1e-9);
		assert_true(cp->units[i].slack_s >= 0);
	}
	/* what the end waited for, directly or not, has no slack */
	for (size_t k = 0; k < cp->n_path; k++)
		assert_true(cp->units[cp->path[k]].slack_s < 1e-6);
	/* the top list: most saved first; none saves at least half */
	assert_true(cp->n_top > 0 && cp->n_top <= BT_CP_TOP);
	for (size_t k = 0; k < cp->n_top; k++) {
		const struct bt_cp_unit *c = &cp->units[cp->top[k]];
		assert_true(c->save_none_s >= c->save_half_s - 1e-9);
		assert_true(c->save_none_s <= cp->replay_s);
		if (k)
			assert_true(cp->units[cp->top[k - 1]].save_none_s >=
				    c->save_none_s);
	}
}

/* Each dependency's removal saves at least its own CPU, at most the
 * build; a direct dependency is one a member waits for. */
static void test_dependencies(void **state)
{
	const struct bt_dep_costs *dc = &an.graph.costs;
	const struct bt_dep_graph *g = &an.graph.graph;
	size_t members = 0, direct = 0;
	(void)state;
	for (size_t k = 0; k < g->n_pkgs; k++)
		members += g->pkgs[k].member;
	assert_true(members > 0);
	assert_true(dc->n > 0);
	for (size_t k = 0; k < dc->n; k++) {
		const struct bt_dep_cost *c = &dc->costs[k];
		const struct bt_package *p = &g->pkgs[c->pkg];
		assert_false(p->member);
		assert_true(c->save_cpu_s >= p->cpu_s - 1e-9);
		assert_true(fabs(c->save_cpu_s - p->cpu_s - c->excl_cpu_s) <
			    1e-6);
		assert_true(c->save_wall_s <= an.graph.path.replay_s);
		for (size_t q = 0; q < c->n_excl; q++)
			assert_false(g->pkgs[c->excl[q]].member);
		direct += c->direct;
		if (k)
			assert_true(dc->costs[k - 1].save_wall_s >=
				    c->save_wall_s);
	}
	assert_true(direct > 0);
}

static void test_idle(void **state)
{
	const struct bt_utilization *u = &an.graph.util;
	(void)state;
	assert_true(u->span_s > 0 && u->span_s <= an.build.wall_s + 1e-9);
	assert_true(u->idle_core_s >= 0 &&
		    u->idle_core_s <= u->cores * u->span_s + 1e-9);
	for (size_t k = 0; k < u->n_periods; k++) {
		const struct bt_idle_period *p = &u->periods[k];
		assert_true(p->end_s > p->start_s);
		assert_true(p->busy <= u->cores - 0.5 + 1e-9);
		assert_true(p->waiting_for < an.build.n_units);
		if (k)
			assert_true(p->start_s >=
				    u->periods[k - 1].end_s - 1e-9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_made),
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_dependencies),
	    cmocka_unit_test(test_idle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
