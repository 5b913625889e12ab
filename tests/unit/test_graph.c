/* test_graph.c - the package graph, the critical path, slack and speed-up
 * potential on small fixture schedules whose replays can be worked out by
 * hand (2 CPUs, frontends only unless said). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advice/dep_cost.h"
#include "model/critical_path.h"
#include "model/dep_graph.h"
#include "model/utilization.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* a: 2 s; b: 1 s; c: 1 s after a's end; app: 1 s after c and b.
 * Replay: a and b from 0, b ends at 1, a at 2; c 2-3; app 3-4. */
static struct bt_sched_dep c_deps[] = {{0, 1}};
static struct bt_sched_dep app_deps[] = {{2, 1}, {1, 1}};

static void chain(struct bt_schedule *s, struct bt_sched_unit *u)
{
	static const double fe[4] = {2, 1, 1, 1};
	memset(u, 0, 4 * sizeof(*u));
	for (int i = 0; i < 4; i++) {
		u[i].work_s[BT_PHASE_FRONTEND] = fe[i];
		u[i].wall_s = fe[i];
		u[i].start_s = i;
	}
	u[2].deps = c_deps;
	u[2].n_deps = 1;
	u[3].deps = app_deps;
	u[3].n_deps = 2;
	*s = (struct bt_schedule){.units = u, .n_units = 4, .jobs = 2};
}

static void test_path_and_slack(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u[4];
	struct bt_critical_path cp;
	(void)state;
	chain(&s, u);
	assert_int_equal(bt_critical_path_make(&s, 1, &cp), 0);
	assert_true(near(cp.replay_s, 4));
	assert_true(near(cp.units[2].at.start_s, 2));
	assert_true(near(cp.units[3].at.end_s, 4));
	/* a -> c -> app; b is off the path with 2 s of slack (app could
	 * start at 3 at the latest, b ended at 1) */
	assert_int_equal(cp.n_path, 3);
	assert_int_equal(cp.path[0], 0);
	assert_int_equal(cp.path[1], 2);
	assert_int_equal(cp.path[2], 3);
	assert_false(cp.units[1].on_path);
	assert_true(near(cp.units[0].slack_s, 0));
	assert_true(near(cp.units[2].slack_s, 0));
	assert_true(near(cp.units[3].slack_s, 0));
	assert_true(near(cp.units[1].slack_s, 2));
	/* app waited for c, which ended last; c for a's end */
	assert_int_equal(cp.units[3].waited_for, 2);
	assert_int_equal(cp.units[2].waited_for, 0);
	assert_int_equal(cp.units[2].waited_meta, 0);
	assert_true(cp.units[0].waited_for == SIZE_MAX);
	/* a in no time: c 0-1 beside b, app 1-2: 2 s saved; a halved: 1 s.
	 * b in no time saves nothing: it was never waited for */
	assert_true(near(cp.units[0].save_none_s, 2));
	assert_true(near(cp.units[0].save_half_s, 1));
	assert_true(near(cp.units[1].save_none_s, 0));
	assert_true(near(cp.units[1].save_half_s, 0));
	/* c or app in no time: 1 s each; b saves nothing and is not listed */
	assert_true(near(cp.units[2].save_none_s, 1));
	assert_int_equal(cp.n_top, 3);
	assert_int_equal(cp.top[0], 0);
	for (size_t k = 0; k < cp.n_top; k++)
		assert_int_not_equal(cp.top[k], 1);
	bt_critical_path_free(&cp);

	/* without the potential: no replays per unit, nothing listed */
	assert_int_equal(bt_critical_path_make(&s, 0, &cp), 0);
	assert_int_equal(cp.n_top, 0);
	assert_true(near(cp.units[0].save_none_s, 0));
	bt_critical_path_free(&cp);
}

/* c waits for a's metadata only: a's frontend 1 s then 1 s of codegen;
 * c starts at 1 beside a's codegen.  a's slack is then bounded by c's
 * start through its metadata, not by its end. */
static void test_metadata_edge(void **state)
{
	static struct bt_sched_dep meta[] = {{0, 0}};
	struct bt_schedule s;
	struct bt_sched_unit u[4];
	struct bt_critical_path cp;
	(void)state;
	chain(&s, u);
	u[0].work_s[BT_PHASE_FRONTEND] = 1;
	u[0].work_s[BT_PHASE_CODEGEN] = 1;
	u[2].deps = meta;
	assert_int_equal(bt_critical_path_make(&s, 1, &cp), 0);
	/* 0-1: a's frontend, b; 1-2: a's codegen and c share the 2 CPUs;
	 * app 2-3 */
	assert_true(near(cp.replay_s, 3));
	assert_true(near(cp.units[0].at.meta_s, 1));
	assert_true(near(cp.units[0].at.end_s, 2));
	assert_int_equal(cp.units[2].waited_for, 0);
	assert_int_equal(cp.units[2].waited_meta, 1);
	assert_true(near(cp.units[0].slack_s, 0));
	/* app waited for c (2) rather than b (1); b has 1 s of slack */
	assert_true(near(cp.units[1].slack_s, 1));
	assert_int_equal(cp.n_path, 3);
	bt_critical_path_free(&cp);
}

/* The what-if replay: a unit scaled, a unit removed (nothing waits for
 * it, it takes no slot), and the replayed times of each unit. */
static void test_whatif(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u[4];
	struct bt_replay_unit at[4];
	unsigned char removed[4] = {0};
	double scale[4] = {1, 1, 1, 1};
	struct bt_whatif w = {.out = at};
	(void)state;
	chain(&s, u);
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 4));
	assert_true(near(at[1].end_s, 1));
	assert_true(near(at[3].ready_s, 3));
	/* c removed: app waits for b only, 1-2 */
	removed[2] = 1;
	w.removed = removed;
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 2));
	assert_true(at[2].start_s < 0 && at[2].end_s < 0);
	assert_true(near(at[3].start_s, 1));
	/* c in no time (not removed) still waits for a: app 2-3 */
	removed[2] = 0;
	scale[2] = 0;
	w.scale = scale;
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 3));
	assert_true(near(at[2].start_s, 2) && near(at[2].end_s, 2));
	/* one job slot: a 0-2 first (the observed order), b 2-3, c 3-4,
	 * app 4-5; a removed frees the slot: b 0-1, c 1-2, app 2-3 */
	scale[2] = 1;
	s.jobs = 1;
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 5));
	assert_true(near(at[1].start_s, 2) && near(at[1].ready_s, 0));
	removed[0] = 1;
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 3));
	/* the plain replay is the what-if with nothing changed */
	assert_true(near(bt_schedule_replay(&s, NULL), 5));
}

/* Packages: a (build script and lib), b, c -> a, s 2.0.0 (shared),
 * d -> s 2.0.0, s 1.0.0, e -> both s, app (the member) -> c, d, b, e.
 * Every unit is 1 s of frontend but s 1.0.0 (3 s); unit I used 1 + I
 * CPU seconds; 4 job slots.  Replay: 0-1 a's script, b, s 2.0.0, and
 * s 1.0.0 (0-3); 1-2 a, d; 2-3 c; 3-4 e; 4-5 app. */
static void package_fixture(struct bt_build *b, struct bt_unit *units,
			    struct bt_schedule *s, struct bt_sched_unit *su)
{
	static struct bt_sched_dep a_dep[] = {{0, 1}};
	static struct bt_sched_dep c_dep[] = {{1, 1}};
	static struct bt_sched_dep d_dep[] = {{4, 0}};
	static struct bt_sched_dep e_dep[] = {{4, 0}, {6, 1}};
	static struct bt_sched_dep app_dep[] = {{3, 1}, {5, 1}, {2, 1}, {7, 1}};
	static const struct {
		const char *pkg, *ver;
		enum bt_target target;
	} def[] = {
	    {"a", "1.0.0", BT_TARGET_BUILD_SCRIPT},
	    {"a", "1.0.0", BT_TARGET_LIB},
	    {"b", "1.0.0", BT_TARGET_LIB},
	    {"c", "0.1.0", BT_TARGET_PROC_MACRO},
	    {"s", "2.0.0", BT_TARGET_LIB},
	    {"d", "1.0.0", BT_TARGET_LIB},
	    {"s", "1.0.0", BT_TARGET_LIB},
	    {"e", "1.0.0", BT_TARGET_LIB},
	    {"app", "0.1.0", BT_TARGET_BIN},
	};
	memset(b, 0, sizeof(*b));
	memset(units, 0, 9 * sizeof(*units));
	memset(su, 0, 9 * sizeof(*su));
	for (int i = 0; i < 9; i++) {
		strcpy(units[i].package, def[i].pkg);
		strcpy(units[i].version, def[i].ver);
		units[i].target = def[i].target;
		units[i].cpu_s = 1 + i;
		units[i].wall_s = i == 6 ? 3 : 1;
		units[i].link_cpu_s = def[i].target == BT_TARGET_BIN ? 0.5 : 0;
		su[i].work_s[BT_PHASE_FRONTEND] = units[i].wall_s;
		su[i].wall_s = units[i].wall_s;
	}
	units[8].primary = 1;
	su[1].deps = a_dep, su[1].n_deps = 1;
	su[3].deps = c_dep, su[3].n_deps = 1;
	su[5].deps = d_dep, su[5].n_deps = 1;
	su[7].deps = e_dep, su[7].n_deps = 2;
	su[8].deps = app_dep, su[8].n_deps = 4;
	b->units = units;
	b->n_units = 9;
	*s = (struct bt_schedule){.units = su, .n_units = 9, .jobs = 4};
}

static size_t find_pkg(const struct bt_dep_graph *g, const char *name,
		       const char *version)
{
	for (size_t k = 0; k < g->n_pkgs; k++)
		if (!strcmp(g->pkgs[k].name, name) &&
		    !strcmp(g->pkgs[k].version, version))
			return k;
	fail_msg("no package %s %s", name, version);
	return SIZE_MAX;
}

static void test_packages(void **state)
{
	struct bt_build b;
	struct bt_unit units[9];
	struct bt_schedule s;
	struct bt_sched_unit su[9];
	struct bt_dep_graph g;
	unsigned char excl[16];
	size_t a, c, d, app, s2, s1, e;
	char label[64];
	(void)state;
	package_fixture(&b, units, &s, su);
	assert_int_equal(bt_dep_graph_make(&b, &s, &g), 0);
	assert_int_equal(g.n_pkgs, 8); /* a's two units are one package */
	a = find_pkg(&g, "a", "1.0.0");
	c = find_pkg(&g, "c", "0.1.0");
	d = find_pkg(&g, "d", "1.0.0");
	e = find_pkg(&g, "e", "1.0.0");
	app = find_pkg(&g, "app", "0.1.0");
	s2 = find_pkg(&g, "s", "2.0.0");
	s1 = find_pkg(&g, "s", "1.0.0");
	assert_int_equal(g.pkgs[a].n_units, 2);
	assert_true(near(g.pkgs[a].cpu_s, 1 + 2));
	assert_true(near(g.pkgs[app].cpu_s, 9 + 0.5));
	assert_true(g.pkgs[app].member && !g.pkgs[a].member);
	assert_true(g.pkgs[c].proc_macro && !g.pkgs[d].proc_macro);
	/* a's lib waiting for its own build script is no package edge */
	assert_int_equal(g.pkgs[a].n_deps, 0);
	assert_int_equal(g.pkgs[app].n_deps, 4);
	assert_int_equal(g.pkgs[e].n_deps, 2);
	assert_int_equal(g.pkgs[s2].n_users, 2);
	assert_int_equal(g.unit_pkg[0], a);
	/* c pulls in a, which nothing else needs */
	assert_int_equal(bt_dep_graph_exclusive(&g, c, excl), 2);
	assert_true(excl[c] && excl[a] && !excl[app]);
	/* d shares s 2.0.0 with e: only d is d's */
	assert_int_equal(bt_dep_graph_exclusive(&g, d, excl), 1);
	assert_true(excl[d] && !excl[s2]);
	/* e is the only user of s 1.0.0 */
	assert_int_equal(bt_dep_graph_exclusive(&g, e, excl), 2);
	assert_true(excl[e] && excl[s1] && !excl[s2]);
	/* a member is never exclusive */
	assert_int_equal(bt_dep_graph_exclusive(&g, app, excl), 0);
	bt_package_label(&g.pkgs[s1], label, sizeof(label));
	assert_string_equal(label, "s 1.0.0");
	bt_dep_graph_free(&g);
}

static const struct bt_dep_cost *cost_of(const struct bt_dep_costs *dc,
					 const struct bt_dep_graph *g,
					 const char *name, const char *version)
{
	size_t p = find_pkg(g, name, version);
	for (size_t k = 0; k < dc->n; k++)
		if (dc->costs[k].pkg == p)
			return &dc->costs[k];
	fail_msg("no cost for %s %s", name, version);
	return NULL;
}

static void test_dep_costs(void **state)
{
	struct bt_build b;
	struct bt_unit units[9];
	struct bt_schedule s;
	struct bt_sched_unit su[9];
	struct bt_dep_graph g;
	struct bt_critical_path cp;
	struct bt_dep_costs dc;
	const struct bt_dep_cost *c;
	(void)state;
	package_fixture(&b, units, &s, su);
	assert_int_equal(bt_dep_graph_make(&b, &s, &g), 0);
	assert_int_equal(bt_critical_path_make(&s, 0, &cp), 0);
	assert_true(near(cp.replay_s, 5));
	/* app <- e <- s 1.0.0 */
	assert_int_equal(cp.n_path, 3);
	assert_int_equal(cp.path[0], 6);
	assert_int_equal(bt_dep_costs_make(&s, &g, &cp, &dc), 0);
	/* the members' direct dependencies b, c, d, e, and s 1.0.0 for
	 * the critical path */
	assert_int_equal(dc.n, 5);
	/* e and the s 1.0.0 only it needs: app can start at 3 */
	c = cost_of(&dc, &g, "e", "1.0.0");
	assert_true(c->direct && c->on_path);
	assert_int_equal(c->n_excl, 1);
	assert_true(near(c->excl_cpu_s, 7));
	assert_true(near(c->excl_wall_s, 3));
	assert_true(near(c->save_cpu_s, 8 + 7));
	assert_true(near(c->save_wall_s, 1));
	/* s 1.0.0 alone: e no longer waits for it */
	c = cost_of(&dc, &g, "s", "1.0.0");
	assert_true(!c->direct && c->on_path);
	assert_true(near(c->save_wall_s, 1));
	/* c and the a only it needs are off the path: no wall saved, their
	 * CPU saved; d shares s 2.0.0 with e */
	c = cost_of(&dc, &g, "c", "0.1.0");
	assert_true(c->direct && !c->on_path);
	assert_int_equal(c->n_excl, 1);
	assert_true(near(c->save_cpu_s, 4 + 1 + 2));
	assert_true(near(c->save_wall_s, 0));
	c = cost_of(&dc, &g, "d", "1.0.0");
	assert_int_equal(c->n_excl, 0);
	assert_true(near(c->save_wall_s, 0));
	/* most wall first, then most CPU */
	assert_int_equal(dc.costs[0].pkg, find_pkg(&g, "e", "1.0.0"));
	assert_int_equal(dc.costs[1].pkg, find_pkg(&g, "s", "1.0.0"));
	assert_int_equal(dc.costs[2].pkg, find_pkg(&g, "c", "0.1.0"));
	assert_int_equal(dc.costs[4].pkg, find_pkg(&g, "b", "1.0.0"));
	/* two versions of s */
	assert_int_equal(dc.n_dups, 1);
	assert_string_equal(dc.dups[0].name, "s");
	assert_int_equal(dc.dups[0].n, 2);
	assert_true(near(dc.dups[0].cpu_s, 5 + 7));
	bt_dep_costs_free(&dc);
	/* without a critical path: the direct dependencies only */
	assert_int_equal(bt_dep_costs_make(&s, &g, NULL, &dc), 0);
	assert_int_equal(dc.n, 4);
	bt_dep_costs_free(&dc);
	bt_critical_path_free(&cp);
	bt_dep_graph_free(&g);
}

/* Idle cores: on 2 CPUs, a (0-4 s, one CPU) and b (0-1 s) run, then c
 * (4-6 s, both CPUs: codegen) after a.  1-4 s: one core idle, waiting
 * for a. */
static void test_idle(void **state)
{
	struct bt_build b;
	struct bt_unit units[3];
	struct bt_critical_path cp;
	struct bt_utilization u;
	static const double start[3] = {0, 0, 4}, wall[3] = {4, 1, 2},
			    cpu[3] = {4, 1, 4};
	(void)state;
	memset(&b, 0, sizeof(b));
	memset(units, 0, sizeof(units));
	memset(&cp, 0, sizeof(cp));
	for (int i = 0; i < 3; i++) {
		units[i].start_s = start[i];
		units[i].wall_s = wall[i];
		units[i].cpu_s = cpu[i];
	}
	b.units = units;
	b.n_units = 3;
	struct bt_cp_unit cu[3] = {
	    {.on_path = 1}, {.on_path = 0}, {.on_path = 1}};
	cp.units = cu;
	cp.n_units = 3;
	assert_int_equal(bt_utilization_make(&b, 2, &cp, &u), 0);
	assert_int_equal(u.cores, 2);
	assert_string_equal(u.cores_from, "trace");
	assert_int_equal(u.jobs, 0);
	assert_true(near(u.span_s, 6));
	assert_true(near(u.idle_core_s, 3));
	assert_int_equal(u.n_periods, 1);
	assert_true(near(u.periods[0].start_s, 1));
	assert_true(near(u.periods[0].end_s, 4));
	assert_true(near(u.periods[0].busy, 1));
	assert_int_equal(u.periods[0].waiting_for, 0);
	/* the chart: both CPUs busy in the first second, one after */
	assert_true(near(u.busy[0], 2));
	assert_true(near(u.busy[BT_UTIL_BUCKETS / 2 - 1], 1));
	assert_true(near(u.busy[BT_UTIL_BUCKETS - 1], 2));
	bt_utilization_free(&u);

	/* no CPU count in the trace, no build script: the most units at
	 * once; on 4 cores, all of it is idle (half of them at least) */
	assert_int_equal(bt_utilization_make(&b, 0, NULL, &u), 0);
	assert_int_equal(u.cores, 2);
	assert_string_equal(u.cores_from, "units at once");
	bt_utilization_free(&u);
	assert_int_equal(bt_utilization_make(&b, 4, NULL, &u), 0);
	assert_true(near(u.idle_core_s, 4 * 6 - 9));
	/* one period per unit waited for; without a critical path, the
	 * unit running longest in it: a until 4, then c */
	assert_int_equal(u.n_periods, 2);
	assert_true(near(u.periods[0].start_s, 0));
	assert_true(near(u.periods[0].end_s, 4));
	assert_true(near(u.periods[0].busy, 5.0 / 4));
	assert_int_equal(u.periods[0].waiting_for, 0);
	assert_true(near(u.periods[1].start_s, 4));
	assert_true(near(u.periods[1].end_s, 6));
	assert_int_equal(u.periods[1].waiting_for, 2);
	bt_utilization_free(&u);

	/* a short dip is no period: 2% of the build, 0.1 s at least */
	units[1].wall_s = 3.95;
	units[1].cpu_s = 3.95;
	assert_int_equal(bt_utilization_make(&b, 2, &cp, &u), 0);
	assert_int_equal(u.n_periods, 0);
	assert_true(near(u.idle_core_s, 0.05));
	bt_utilization_free(&u);
}

/* Idle cores of a random build (units in no particular order, shared
 * start and end moments, some of no time): on far more cores than it
 * used, the idle core time is the cores times the span less all of the
 * units' CPU, whichever units overlap which piece of the span. */
static void test_idle_random(void **state)
{
	enum { N = 200 };
	static struct bt_unit units[N];
	struct bt_build b;
	struct bt_utilization u;
	double cpu = 0, first = 1e9, last = 0;
	unsigned x = 7;
	(void)state;
	memset(&b, 0, sizeof(b));
	memset(units, 0, sizeof(units));
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		units[i].start_s = (double)((x >> 8) % 400) / 4;
		x = x * 1103515245u + 12345u;
		units[i].wall_s = (double)((x >> 8) % 40) / 4;
		units[i].cpu_s = units[i].wall_s * (1 + (double)(i % 3));
		if (units[i].wall_s > 0)
			cpu += units[i].cpu_s;
		if (units[i].start_s < first)
			first = units[i].start_s;
		if (units[i].start_s + units[i].wall_s > last)
			last = units[i].start_s + units[i].wall_s;
	}
	b.units = units;
	b.n_units = N;
	assert_int_equal(bt_utilization_make(&b, 1000, NULL, &u), 0);
	assert_true(near(u.span_s, last - first));
	assert_true(fabs(u.idle_core_s - (1000 * (last - first) - cpu)) <
		    1e-6 * cpu);
	assert_true(u.n_periods >= 1);
	bt_utilization_free(&u);
}

static unsigned rnd(unsigned *x, unsigned n)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) % n;
}

/* The speed-up potential replays only the units a bound cannot rule out
 * of the top list (bt_replay_cursor_bound); the list must be the one a
 * replay of every unit gives (the BT_CP_TOP largest savings, the earlier
 * unit first among equal ones), and the bound never above a what-if's
 * wall time.  Random schedules of N units (all candidates: N is at most
 * BT_CP_CANDIDATES): phases, units that keep their duration, metadata
 * and end edges, 1 to 4 jobs on fewer or more CPUs. */
static void test_potential_random(void **state)
{
	enum { N = 60, ROUNDS = 40 };
	static struct bt_sched_unit u[N];
	static struct bt_sched_dep deps[N][4];
	static double scale[N], save[N], running[8];
	unsigned x = 11;
	size_t pruned = 0;
	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		struct bt_schedule s = {.units = u, .n_units = N};
		struct bt_critical_path cp;
		struct bt_replay_cursor *c;
		size_t top[BT_CP_TOP], n_top = 0;
		memset(u, 0, sizeof(u));
		s.jobs = 1 + (int)rnd(&x, 4);
		s.cpus = 0.5 + (double)rnd(&x, 8) / 2;
		/* every other round, a capacity measured per count of
		 * running units (schedule.c), the bound's hardest case */
		if (round % 2) {
			for (int k = 0; k <= s.jobs; k++)
				running[k] = 0.125 + (double)rnd(&x, 8) / 8;
			s.eff_running = running;
			s.bound = s.jobs + (double)rnd(&x, 3) / 2;
		}
		for (int i = 0; i < N; i++) {
			u[i].start_s = i;
			u[i].work_s[0] = (double)rnd(&x, 40) / 8;
			if (rnd(&x, 2))
				u[i].work_s[1] = (double)rnd(&x, 40) / 8;
			if (rnd(&x, 4) == 0)
				u[i].work_s[2] = (double)rnd(&x, 8) / 8;
			u[i].link_cpus = 1 + rnd(&x, 2);
			u[i].wall_s = 0.25 + (double)rnd(&x, 40) / 8;
			u[i].fixed = rnd(&x, 6) == 0;
			u[i].deps = deps[i];
			for (int k = 0; i > 0 && k < (int)rnd(&x, 4); k++)
				deps[i][u[i].n_deps++] = (struct bt_sched_dep){
				    rnd(&x, (unsigned)i), (int)rnd(&x, 2)};
		}
		assert_int_equal(bt_critical_path_make(&s, 1, &cp), 0);
		assert_int_equal(bt_replay_cursor_make(&s, &c), 0);
		for (int i = 0; i < N; i++)
			scale[i] = 1;
		/* every unit replayed in no time, and half */
		for (size_t i = 0; i < N; i++) {
			struct bt_whatif w = {.scale = scale};
			double wall, bound;
			size_t k;
			save[i] = 0;
			if (cp.units[i].at.end_s < 0)
				continue;
			for (int h = 1; h >= 0; h--) {
				scale[i] = h ? 0.5 : 0;
				wall = bt_schedule_replay_whatif(&s, &w);
				bound = bt_replay_cursor_bound(c, &w);
				assert_true(bound <= wall + 1e-12);
			}
			scale[i] = 1;
			save[i] = cp.replay_s > wall ? cp.replay_s - wall : 0;
			/* pruned units keep a bound, never less */
			assert_true(cp.units[i].save_none_s >= save[i] - 1e-9);
			pruned +=
			    fabs(cp.units[i].save_none_s - save[i]) > 1e-9;
			/* the list by hand: add_top's rule */
			if (save[i] < 1e-6 || (n_top == BT_CP_TOP &&
					       save[i] <= save[top[n_top - 1]]))
				continue;
			k = n_top < BT_CP_TOP ? n_top++ : BT_CP_TOP - 1;
			for (; k > 0 && save[top[k - 1]] < save[i]; k--)
				top[k] = top[k - 1];
			top[k] = i;
		}
		assert_int_equal(cp.n_top, n_top);
		for (size_t k = 0; k < n_top; k++) {
			assert_int_equal(cp.top[k], top[k]);
			assert_true(
			    near(cp.units[top[k]].save_none_s, save[top[k]]));
		}
		bt_replay_cursor_free(c);
		bt_critical_path_free(&cp);
	}
	/* the bound did rule units out, or this tested nothing */
	assert_true(pruned > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_and_slack),
	    cmocka_unit_test(test_metadata_edge),
	    cmocka_unit_test(test_whatif),
	    cmocka_unit_test(test_packages),
	    cmocka_unit_test(test_dep_costs),
	    cmocka_unit_test(test_idle),
	    cmocka_unit_test(test_idle_random),
	    cmocka_unit_test(test_potential_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
