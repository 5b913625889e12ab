/* test_schedule.c - the replay behind the wall estimates: it shares the
 * CPUs among the running phases (one thread for a frontend or a link,
 * every CPU for codegen), a metadata dependency (cargo's pipelining) is
 * ready when the producer's frontend ends, an .rlib dependency when it
 * ends; less codegen in a unit off the critical path still saves wall
 * time when it frees a CPU for another unit; a unit that mostly waited
 * keeps its duration; a threaded link (link_cpus) runs on that many CPUs,
 * so less link work saves that much less wall time.  The replay cursor
 * (many what-ifs, each from the step where it first differs) gives the
 * same replays to the bit as from the start.  Also the libelf
 * section counter on objects with and without debuginfo. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/link_inputs.h"
#include "model/schedule.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* a: frontend 1 s, codegen 2 s; b: frontend 1 s, waits for a's
 * metadata; 2 CPUs. */
static struct bt_sched_dep b_meta[] = {{0, 0}};
static struct bt_sched_dep b_end[] = {{0, 1}};

static void pipeline(struct bt_schedule *s, struct bt_sched_unit *u,
		     struct bt_sched_dep *dep)
{
	memset(u, 0, 2 * sizeof(*u));
	u[0].work_s[BT_PHASE_FRONTEND] = 1;
	u[0].work_s[BT_PHASE_CODEGEN] = 2;
	u[0].wall_s = 2.5;
	u[1].start_s = 1;
	u[1].work_s[BT_PHASE_FRONTEND] = 1;
	u[1].wall_s = 1;
	u[1].deps = dep;
	u[1].n_deps = 1;
	*s = (struct bt_schedule){
	    .units = u, .n_units = 2, .jobs = 2, .tail_s = 0.25};
}

static void test_replay(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u[2];
	double cut[2][BT_PHASES] = {{0}};
	(void)state;
	/* a's frontend 0-1; then a's codegen and b's frontend share the
	 * two CPUs one each until 2; a's codegen has 1 s left, alone on
	 * two CPUs: ends at 2.5; plus the tail */
	pipeline(&s, u, b_meta);
	assert_true(near(bt_schedule_replay(&s, NULL), 2.75));
	/* 1 s less codegen in a: both end at 2 */
	cut[0][BT_PHASE_CODEGEN] = 1;
	assert_true(near(bt_schedule_replay(&s, cut), 2.25));
	/* b waits for a's end instead: a ends at 2 (codegen on 2 CPUs),
	 * b at 3 */
	pipeline(&s, u, b_end);
	assert_true(near(bt_schedule_replay(&s, NULL), 3.25));
	/* one CPU: a's codegen takes 2 s alone */
	pipeline(&s, u, b_meta);
	s.jobs = 1;
	assert_true(near(bt_schedule_replay(&s, NULL), 4.25));
	/* a unit that mostly waited keeps its duration */
	pipeline(&s, u, b_end);
	u[0].fixed = 1;
	u[0].wall_s = 5;
	assert_true(near(bt_schedule_replay(&s, NULL), 6.25));
	/* a fitted capacity of one CPU slows the replay; replayed on the
	 * two cores with nothing fitted, it is the 2.75 s above again; on
	 * one CPU shared by both jobs: a's frontend 0-1, then a's codegen
	 * and b's frontend half a CPU each until 3, a's last 1 s of codegen
	 * alone until 4, plus the tail */
	pipeline(&s, u, b_meta);
	s.cpus = 1;
	assert_true(bt_schedule_replay(&s, NULL) > 2.75 + 0.5);
	assert_true(near(bt_schedule_replay_on(&s, 2), 2.75));
	assert_true(near(bt_schedule_replay_on(&s, 1), 4.25));
	/* cutting more than there is leaves no work, not negative work */
	pipeline(&s, u, b_meta);
	cut[0][BT_PHASE_CODEGEN] = 9;
	assert_true(near(bt_schedule_replay(&s, cut), 2.25));
}

/* A rebuild of one unit into U and S: frontend 0.1 s, then a link of
 * MAIN_S on its main thread and WORKERS_S on LINK_CPUS, over 0.3 s, with
 * LINK_CPUS of capacity. */
static void one_link(struct bt_sched_unit *u, struct bt_schedule *s,
		     double main_s, double workers_s, double link_cpus)
{
	memset(u, 0, sizeof(*u));
	u->work_s[BT_PHASE_FRONTEND] = 0.1;
	u->work_s[BT_PHASE_LINK_MAIN] = main_s;
	u->work_s[BT_PHASE_LINK] = workers_s;
	u->wall_s = 0.3;
	u->link_cpus = link_cpus;
	*s = (struct bt_schedule){
	    .units = u, .n_units = 1, .jobs = 1, .cpus = link_cpus};
}

/* A rebuild: one unit, frontend 0.1 s, then a link of 0.32 s of CPU
 * whose linker kept 1.6 CPUs busy (its main thread and two workers);
 * 0.16 s less link CPU saves 0.1 s of wall, not 0.16 s.  A link without
 * a thread count (0) runs on one CPU, as before. */
static void test_threaded_link(void **state)
{
	struct bt_sched_unit u;
	struct bt_schedule s;
	double cut[1][BT_PHASES] = {{0}};
	(void)state;
	one_link(&u, &s, 0, 0.32, 1.6);
	assert_true(near(bt_schedule_replay(&s, NULL), 0.3));
	cut[0][BT_PHASE_LINK] = 0.16;
	assert_true(near(bt_schedule_replay(&s, cut), 0.2));
	/* a capacity below the link's threads (a loaded machine) bounds it */
	s.cpus = 0.8;
	assert_true(near(bt_schedule_replay(&s, NULL), 0.1 / 0.8 + 0.4));
	/* no thread count: one CPU */
	u.link_cpus = 0;
	s.cpus = 1.6;
	assert_true(near(bt_schedule_replay(&s, NULL), 0.42));
	assert_true(near(bt_schedule_replay(&s, cut), 0.26));
}

/* A link's main thread and its workers: 0.08 s of serial work, then
 * 0.24 s on two worker threads.  A cut of link work comes off the
 * workers, so 0.16 s less saves 0.08 s of wall (half, where the link's
 * average rate, 0.32 / 0.2 = 1.6 CPUs, would say 0.1 s); a cut beyond
 * the workers' part comes off the main thread. */
static void test_link_main_workers(void **state)
{
	struct bt_sched_unit u;
	struct bt_schedule s;
	double cut[1][BT_PHASES] = {{0}};
	(void)state;
	one_link(&u, &s, 0.08, 0.24, 2);
	assert_true(near(bt_sched_unit_work(&u), 0.42));
	assert_true(near(bt_schedule_replay(&s, NULL), 0.3));
	cut[0][BT_PHASE_LINK] = 0.16;
	assert_true(near(bt_schedule_replay(&s, cut), 0.22));
	cut[0][BT_PHASE_LINK] = 0.3;
	assert_true(near(bt_schedule_replay(&s, cut), 0.12));
	cut[0][BT_PHASE_LINK] = 9; /* no negative work */
	assert_true(near(bt_schedule_replay(&s, cut), 0.1));
}

/* The workers' limit is the parallelism they reached: a rust-lld link of
 * 0.16 s CPU, a quarter of it on the main thread, over 0.11 s: its
 * workers ran 0.12 s of CPU in the 0.07 s the main thread left, 1.71
 * CPUs of the two seen.  A link stretched by the load reaches less (never
 * below one CPU); one faster than its threads allow (sampling error)
 * gets the threads; one with no worker CPU, one. */
static void test_link_workers_cpus(void **state)
{
	(void)state;
	assert_true(
	    near(bt_link_workers_cpus(0.16, 0.11, 0.25, 2), 0.12 / 0.07));
	assert_true(near(bt_link_workers_cpus(0.16, 0.2, 0.25, 2), 1));
	assert_true(
	    near(bt_link_workers_cpus(0.16, 0.13, 0.25, 2), 0.12 / 0.09));
	assert_true(near(bt_link_workers_cpus(0.16, 1.0, 0.25, 2), 1));
	assert_true(near(bt_link_workers_cpus(0.16, 0.05, 0.25, 2), 2));
	assert_true(near(bt_link_workers_cpus(0.16, 0.03, 0.25, 2), 2));
	assert_true(near(bt_link_workers_cpus(0.16, 0.11, 1, 2), 1));
	assert_true(near(bt_link_workers_cpus(0, 0.11, 0, 2), 1));
	assert_true(near(bt_link_workers_cpus(0.16, 0.05, 0.25, 0), 1));
}

/* The capacity measured from the observed schedule, nothing fitted to
 * the wall.  A loaded machine, where the kernel shares the CPUs per
 * thread: a and b (1 s of frontend each) ran side by side from 0 to 4 s,
 * 0.25 CPUs each, 0.5 in all; c (1 s), after both, alone from 4 to 8 s at
 * 0.25.  The replay with the capacity measured for 1 and 2 units running
 * takes the observed 8 s; removing b saves nothing, a alone getting no
 * more than beside it (a constant capacity, 0.5, would say 3 s).  A
 * count never seen takes the nearest one; a unit that keeps its
 * duration is left out; no count exceeds the jobs. */
static struct bt_sched_dep c_deps[] = {{0, 1}, {1, 1}};

static void loaded(struct bt_schedule *s, struct bt_sched_unit *u)
{
	memset(u, 0, 3 * sizeof(*u));
	for (int i = 0; i < 3; i++)
		u[i].work_s[BT_PHASE_FRONTEND] = 1;
	u[0].wall_s = u[1].wall_s = 4;
	u[2].start_s = 4;
	u[2].wall_s = 4;
	u[2].deps = c_deps;
	u[2].n_deps = 2;
	*s = (struct bt_schedule){.units = u, .n_units = 3, .jobs = 2};
}

static void test_measured(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u[3];
	unsigned char removed[3] = {0, 1, 0};
	struct bt_whatif w = {.removed = removed};
	(void)state;
	loaded(&s, u);
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.cpus_running[1], 0.25));
	assert_true(near(s.cpus_running[2], 0.5));
	assert_true(near(s.cpus, 0.5));
	assert_true(near(bt_schedule_replay(&s, NULL), 8));
	assert_true(near(bt_schedule_replay_whatif(&s, &w), 8));
	/* on the two cores, nothing off them: 1 s, then c's 1 s */
	assert_true(near(bt_schedule_replay_on(&s, 2), 2));
	free(s.cpus_running);
	free(s.eff_running);

	/* c never ran alone (it overlapped b's last second, 3-4 s): the
	 * count of 1 takes that of 2 */
	loaded(&s, u);
	u[2].start_s = 3;
	u[2].wall_s = 1;
	u[2].n_deps = 0;
	u[1].wall_s = 4;
	u[0].wall_s = 3;
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.cpus_running[1], s.cpus_running[2]));
	free(s.cpus_running);
	free(s.eff_running);

	/* a unit that keeps its duration is no running unit: a alone */
	loaded(&s, u);
	u[1].fixed = 1;
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.cpus_running[1], 0.25));
	assert_true(near(s.cpus_running[2], 0.25));
	free(s.cpus_running);
	free(s.eff_running);

	/* b waited for a's metadata and started at 3 s, three quarters of
	 * a's 4 s: a's frontend is at most three quarters of its work, the
	 * rest its codegen (a's work after its metadata) */
	{
		struct bt_sched_dep meta[] = {{0, 0}};
		struct bt_sched_unit v[2];
		memset(v, 0, sizeof(v));
		v[0].work_s[BT_PHASE_FRONTEND] = 2;
		v[0].wall_s = 4;
		v[1].start_s = 3;
		v[1].wall_s = 1;
		v[1].work_s[BT_PHASE_FRONTEND] = 1;
		v[1].deps = meta;
		v[1].n_deps = 1;
		s = (struct bt_schedule){.units = v, .n_units = 2, .jobs = 2};
		bt_schedule_split_at_metadata(&s);
		assert_true(near(v[0].work_s[BT_PHASE_FRONTEND], 1.5));
		assert_true(near(v[0].work_s[BT_PHASE_CODEGEN], 0.5));
		/* a later start moves nothing: the frontend was shorter */
		v[0].work_s[BT_PHASE_FRONTEND] = 1;
		v[0].work_s[BT_PHASE_CODEGEN] = 1;
		bt_schedule_split_at_metadata(&s);
		assert_true(near(v[0].work_s[BT_PHASE_FRONTEND], 1));
	}

	/* at most the jobs: 3 CPU-seconds in 1 s of one job */
	loaded(&s, u);
	u[0].work_s[BT_PHASE_CODEGEN] = 2;
	u[0].wall_s = 1;
	u[1].start_s = 1;
	u[2].start_s = 5;
	s.jobs = 1;
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(s.cpus_running[1] <= 1 + 1e-9);
	free(s.cpus_running);
	free(s.eff_running);
}

/* The capacity relative to what the running phases can use.  A rebuild
 * on a loaded machine: one unit, 0.1 s of frontend (one thread), then
 * 0.32 s of link CPU on 1.6 CPUs, in 0.6 s, twice the 0.3 s it needs
 * at its thread limits: it had half of what its phases could use.  The
 * replay gives its frontend 0.5 CPUs and its link 0.8, so the observed
 * 0.6 s again, and 0.16 s less link CPU saves 0.2 s.  A capacity per
 * count alone (0.42 CPU-s over 0.6 s: 0.7 CPUs for both phases) would
 * save 0.23 s, the link's threads left out.  Then a lone unit on two
 * jobs: 1 s of frontend and 2 s of codegen in 2 s, all it needs at its
 * limits (1 s + 2 s / 2): halving its codegen saves 0.5 s, not the
 * 0.67 s of a 1.5-CPU average. */
static void test_measured_phases(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u;
	double cut[1][BT_PHASES] = {{0}};
	(void)state;
	memset(&u, 0, sizeof(u));
	u.work_s[BT_PHASE_FRONTEND] = 0.1;
	u.work_s[BT_PHASE_LINK] = 0.32;
	u.wall_s = 0.6;
	u.link_cpus = 1.6;
	s = (struct bt_schedule){.units = &u, .n_units = 1, .jobs = 1};
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.eff_running[1], 0.5));
	assert_true(near(s.cpus_running[1], 0.7));
	assert_true(near(s.bound, 1.6));
	assert_true(near(bt_schedule_replay(&s, NULL), 0.6));
	cut[0][BT_PHASE_LINK] = 0.16;
	assert_true(near(bt_schedule_replay(&s, cut), 0.4));
	free(s.cpus_running);
	free(s.eff_running);

	memset(&u, 0, sizeof(u));
	u.work_s[BT_PHASE_FRONTEND] = 1;
	u.work_s[BT_PHASE_CODEGEN] = 2;
	u.wall_s = 2;
	u.link_cpus = 1;
	s = (struct bt_schedule){.units = &u, .n_units = 1, .jobs = 2};
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.eff_running[1], 1));
	assert_true(near(bt_schedule_replay(&s, NULL), 2));
	cut[0][BT_PHASE_LINK] = 0;
	cut[0][BT_PHASE_CODEGEN] = 1;
	assert_true(near(bt_schedule_replay(&s, cut), 1.5));
	free(s.cpus_running);
	free(s.eff_running);

	/* three units ran at once on two cores (a build-script run beside
	 * two compilations): code generation and the bound are the cores,
	 * not the jobs, or the measure would count CPUs that were never
	 * there (cli-app's replays came out 16-18% short) */
	s = (struct bt_schedule){
	    .units = &u, .n_units = 1, .jobs = 3, .cores = 2};
	assert_true(near(bt_schedule_codegen_cpus(&s), 2));
	assert_int_equal(bt_schedule_measure(&s), 0);
	assert_true(near(s.bound, 2));
	assert_true(near(s.eff_running[1], 1));
	assert_true(near(bt_schedule_replay(&s, NULL), 2));
	free(s.cpus_running);
	free(s.eff_running);
	s.cores = 0; /* not known: the jobs */
	assert_true(near(bt_schedule_codegen_cpus(&s), 3));
}

static void test_sections(void **state)
{
	struct bt_section_bytes with, without;
	(void)state;
	assert_int_equal(bt_section_bytes_of_file(DEBUG_OBJ, &with), 0);
	assert_int_equal(bt_section_bytes_of_file(PLAIN_OBJ, &without), 0);
	assert_true(with.debug > 0 && with.lines > 0);
	assert_true(with.lines < with.debug && with.debug < with.total);
	assert_int_equal(without.debug, 0);
	assert_true(without.total > 0);
	assert_int_equal(with.objects, 1);
	assert_int_equal(without.objects, 1);
	assert_int_equal(bt_section_bytes_of_file("/nonexistent.o", &with), -1);
	assert_int_equal(bt_section_bytes_of_file("/etc/hostname", &with), -1);
}

/* An archive member that defines no symbol (an rlib's lib.rmeta, a
 * .dwo) is never linked: skipped, not counted; the object beside it
 * counts as it does alone.  The parts of the debuginfo and their
 * relocations and merged strings are counted apart. */
static void test_sections_archive(void **state)
{
	struct bt_section_bytes ar, obj;
	(void)state;
	assert_int_equal(bt_section_bytes_of_file(ARCHIVE, &ar), 0);
	assert_int_equal(bt_section_bytes_of_file(DEBUG_OBJ, &obj), 0);
	assert_true(ar.skipped > 4096);
	assert_int_equal(obj.skipped, 0);
	/* the member without a symbol is no object the link reads */
	assert_int_equal(ar.objects, 1);
	assert_int_equal(ar.total, obj.total);
	assert_int_equal(ar.debug, obj.debug);
	/* -g -O0 C: .rela.debug_info, .debug_str and .debug_line_str are
	 * the linker's work; the line table's relocations are of it */
	assert_true(obj.debug_work > 0 && obj.debug_work < obj.debug);
	assert_true(obj.lines_work > 0 && obj.lines_work < obj.lines);
	assert_true(obj.lines_work <= obj.debug_work);
	assert_true(obj.lines + obj.ranges + obj.locs <= obj.debug);
}

/* A random build of N units: dependencies on earlier units (metadata or
 * end), frontend, codegen and link work, a few that keep their duration;
 * 3 jobs on 2.5 CPUs. */
#define RAND_UNITS 300
static unsigned rand_next(unsigned *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) & 0xffff;
}

static void random_build(struct bt_schedule *s, struct bt_sched_unit *u,
			 struct bt_sched_dep (*deps)[4], unsigned seed)
{
	memset(s, 0, sizeof(*s));
	memset(u, 0, RAND_UNITS * sizeof(*u));
	for (size_t i = 0; i < RAND_UNITS; i++) {
		u[i].start_s = 1 + 0.01 * (double)i;
		u[i].wall_s = 0.1 + (double)(rand_next(&seed) % 100) / 50;
		u[i].work_s[BT_PHASE_FRONTEND] =
		    (double)(rand_next(&seed) % 100) / 100;
		u[i].work_s[BT_PHASE_CODEGEN] =
		    rand_next(&seed) % 3
			? (double)(rand_next(&seed) % 200) / 100
			: 0;
		u[i].work_s[BT_PHASE_LINK] =
		    rand_next(&seed) % 5
			? 0
			: (double)(rand_next(&seed) % 50) / 100;
		u[i].link_cpus = 1 + (double)(rand_next(&seed) % 3) / 2;
		u[i].fixed = rand_next(&seed) % 10 == 0;
		u[i].deps = deps[i];
		for (size_t k = 0; i > 0 && k < 4; k++) {
			if (rand_next(&seed) % 3 == 0)
				continue;
			/* mostly recent ones, as in a cargo build */
			deps[i][u[i].n_deps].unit =
			    i - 1 - rand_next(&seed) % (i < 20 ? i : 20);
			deps[i][u[i].n_deps].needs_end = rand_next(&seed) % 2;
			u[i].n_deps++;
		}
	}
	s->units = u;
	s->n_units = RAND_UNITS;
	s->jobs = 3;
	s->cpus = 2.5;
	s->first_start_s = 1;
	s->tail_s = 0.25;
}

/* W replayed by the cursor and from the start: the same wall time and
 * unit times, to the bit. */
static void same_replay(const struct bt_schedule *s, struct bt_replay_cursor *c,
			struct bt_whatif *w)
{
	static struct bt_replay_unit a[RAND_UNITS], b[RAND_UNITS];
	double x, y;
	w->out = a;
	x = bt_replay_cursor_whatif(c, w);
	w->out = b;
	y = bt_schedule_replay_whatif(s, w);
	w->out = NULL;
	assert_true(x > 0);
	assert_memory_equal(&x, &y, sizeof(x));
	assert_memory_equal(a, b, sizeof(a));
}

/* The cursor (a what-if replayed from the observed replay's step where
 * it first differs) gives exactly the what-if's replay from the start:
 * one unit halved or without work, each in the units' order and again
 * backwards (the cursor starts over), packages of units removed, cuts. */
static void test_cursor(void **state)
{
	static struct bt_sched_unit u[RAND_UNITS];
	static struct bt_sched_dep deps[RAND_UNITS][4];
	static double scale[RAND_UNITS], cut[RAND_UNITS][BT_PHASES];
	static unsigned char removed[RAND_UNITS];
	struct bt_schedule s;
	struct bt_replay_cursor *c;
	double base;
	size_t changed = 0;
	(void)state;
	for (unsigned seed = 1; seed <= 4; seed++) {
		random_build(&s, u, deps, seed);
		/* the last one on the capacity measured per running count */
		if (seed == 4)
			assert_int_equal(bt_schedule_measure(&s), 0);
		base = bt_schedule_replay_whatif(&s, NULL);
		assert_int_equal(bt_replay_cursor_make(&s, &c), 0);
		for (size_t i = 0; i < RAND_UNITS; i++)
			scale[i] = 1;
		for (size_t n = 0; n < 2 * RAND_UNITS; n++) {
			size_t i = n < RAND_UNITS ? n : 2 * RAND_UNITS - 1 - n;
			struct bt_whatif w = {.scale = scale};
			scale[i] = n % 2 ? 0.5 : 0;
			same_replay(&s, c, &w);
			scale[i] = 1;
		}
		for (size_t i = 0; i < RAND_UNITS; i += 7) {
			struct bt_whatif w = {.removed = removed};
			double wall;
			memset(removed, 0, sizeof(removed));
			for (size_t k = i; k < RAND_UNITS; k += 37)
				removed[k] = 1;
			same_replay(&s, c, &w);
			wall = bt_replay_cursor_whatif(c, &w);
			changed += wall != base;
		}
		assert_true(changed > 0); /* the what-ifs matter */
		for (size_t i = 0; i < RAND_UNITS; i += 11) {
			struct bt_whatif w = {.cut = cut};
			memset(cut, 0, sizeof(cut));
			cut[i][BT_PHASE_CODEGEN] = 0.5;
			cut[(i * 7) % RAND_UNITS][BT_PHASE_FRONTEND] = 0.25;
			same_replay(&s, c, &w);
		}
		bt_replay_cursor_free(c);
		free(s.cpus_running);
		free(s.eff_running);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay),
	    cmocka_unit_test(test_threaded_link),
	    cmocka_unit_test(test_link_main_workers),
	    cmocka_unit_test(test_link_workers_cpus),
	    cmocka_unit_test(test_measured),
	    cmocka_unit_test(test_measured_phases),
	    cmocka_unit_test(test_cursor),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_sections_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
