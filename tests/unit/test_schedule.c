/* test_schedule.c - the schedule replay behind the wall estimates: with
 * the observed durations it reproduces a build; a saving off the critical
 * path saves no wall time, on it saves all of it; a metadata dependency
 * (cargo's pipelining) is ready before its producer ends; the job count
 * bounds how many units run at once.  Also the libelf section counter on
 * an object with and without debuginfo. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "link_inputs.h"
#include "schedule.h"

/* Units: a (0-4 s) feeds b (4-6 s, waits for a's end) and c (1-2 s,
 * waits for a's metadata at 1 s); 2 jobs. */
static struct bt_sched_dep b_deps[] = {{0, 1}};
static struct bt_sched_dep c_deps[] = {{0, 0}};

static void make(struct bt_schedule *s, struct bt_sched_unit *u)
{
	memset(u, 0, 3 * sizeof(*u));
	u[0] = (struct bt_sched_unit){.start_s = 0, .wall_s = 4, .rmeta_s = 1};
	u[1] = (struct bt_sched_unit){
		.start_s = 4, .wall_s = 2, .rmeta_s = 2, .deps = b_deps,
		.n_deps = 1};
	u[2] = (struct bt_sched_unit){
		.start_s = 1, .wall_s = 1, .rmeta_s = 1, .deps = c_deps,
		.n_deps = 1};
	/* observed start order: a, c, b */
	struct bt_sched_unit tmp = u[1];
	u[1] = u[2];
	u[2] = tmp;
	b_deps[0].unit = 0;
	c_deps[0].unit = 0;
	*s = (struct bt_schedule){.units = u, .n_units = 3, .jobs = 2,
				  .first_start_s = 0, .tail_s = 0.5};
}

static void test_replay(void **state)
{
	struct bt_schedule s;
	struct bt_sched_unit u[3];
	double w[3];
	(void)state;
	make(&s, u);
	/* as observed: a ends at 4, b at 6, plus the tail */
	assert_true(fabs(bt_schedule_replay(&s, NULL) - 6.5) < 1e-9);
	/* c (off the critical path) twice as fast: no wall saved */
	w[0] = 4, w[1] = 0.5, w[2] = 2;
	assert_true(fabs(bt_schedule_replay(&s, w) - 6.5) < 1e-9);
	/* b one second faster: one second saved */
	w[0] = 4, w[1] = 1, w[2] = 1;
	assert_true(fabs(bt_schedule_replay(&s, w) - 5.5) < 1e-9);
	/* a shorter than its metadata point: c waits for a's end */
	w[0] = 0.5, w[1] = 1, w[2] = 2;
	assert_true(fabs(bt_schedule_replay(&s, w) - 3.0) < 1e-9);
	/* one job: everything in a row */
	s.jobs = 1;
	assert_true(fabs(bt_schedule_replay(&s, NULL) - 7.5) < 1e-9);
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
	assert_int_equal(bt_section_bytes_of_file("/nonexistent.o", &with), -1);
	assert_int_equal(bt_section_bytes_of_file("/etc/hostname", &with), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
