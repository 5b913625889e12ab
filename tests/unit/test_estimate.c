/* test_estimate.c - the link model on fixture section sizes, the
 * per-unit model on fixture profiles, the option table, and where a
 * reused rlib came from (estimate.h, link_inputs.h). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "advice/estimate.h"
#include "model/link_inputs.h"

#define CALIBRATION(name, value) static const double name = value;
#include "advice/estimate_calibration.def"
#undef CALIBRATION

/* A link whose inputs are a member's objects and the dependencies'
 * rlibs with debuginfo, and the standard library's (with debuginfo of
 * its own): 1000 bytes, 600 of them debuginfo, in round figures; of
 * each part of the debuginfo, half is relocations and strings. */
static struct bt_link_inputs fixture(void)
{
	struct bt_link_inputs li = {0};
	const struct bt_section_bytes std = {
	    .total = 200, .debug = 100, .debug_work = 50};
	li.primary = (struct bt_section_bytes){.total = 200,
					       .debug = 100,
					       .lines = 20,
					       .ranges = 10,
					       .locs = 10,
					       .debug_work = 50,
					       .lines_work = 10,
					       .ranges_work = 5,
					       .locs_work = 5};
	li.deps = (struct bt_section_bytes){.total = 600,
					    .debug = 400,
					    .lines = 50,
					    .ranges = 100,
					    .locs = 50,
					    .debug_work = 200,
					    .lines_work = 25,
					    .ranges_work = 50,
					    .locs_work = 25};
	bt_section_bytes_add(&li.all, &li.primary);
	bt_section_bytes_add(&li.all, &li.deps);
	bt_section_bytes_add(&li.all, &std);
	return li;
}

/* The link's cost of the fixture's inputs, as the model counts it. */
static double fixture_weight(void)
{
	return 400 + LINK_W_WORK * 300 + LINK_W_COPY * 300;
}

static int near_rel(double a, double b)
{
	return a - b < 1e-9 * (1 + b) && b - a < 1e-9 * (1 + b);
}

static void test_removed_bytes(void **state)
{
	struct bt_link_inputs li = fixture();
	double lt_primary, lt_deps;
	(void)state;
	/* off: every input's debuginfo, the standard library's too (cargo
	 * strips the link when debug = 0) */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_OFF), 600);
	/* line tables only: all but the line tables, and LT_KEEP of the
	 * rest but the location lists */
	lt_primary = 100 - 20 - LT_KEEP * (100 - 20 - 10);
	lt_deps = 400 - 50 - LT_KEEP * (400 - 50 - 50);
	assert_true(LT_KEEP > 0 && LT_KEEP < 1);
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES),
			 (uint64_t)llround(lt_primary + lt_deps));
	/* deps off: the dependencies' only */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_DEPS_OFF),
			 400);
	/* split: all but the skeleton's line tables and ranges */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO),
			 (100 - 20 - 10) + (400 - 50 - 100));
	/* the other options are not the link model's */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_CRANELIFT), 0);
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_LINKER_MOLD), 0);
	/* the share is of the link's cost: the inputs but the
	 * debuginfo at 1 a byte, the debuginfo's relocations and strings
	 * at LINK_W_WORK, the rest of it at LINK_W_COPY */
	assert_true(near_rel(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF),
			     (LINK_W_WORK * 300 + LINK_W_COPY * 300) /
				 fixture_weight()));
	assert_true(near_rel(bt_link_removed_share(&li, BT_OPT_DEBUG_DEPS_OFF),
			     (LINK_W_WORK * 200 + LINK_W_COPY * 200) /
				 fixture_weight()));
	assert_true(near_rel(
	    bt_link_removed_share(&li, BT_OPT_DEBUG_LINE_TABLES),
	    (LINK_W_WORK *
		 ((50 - 10 - LT_KEEP * 35) + (200 - 25 - LT_KEEP * 150)) +
	     LINK_W_COPY *
		 ((50 - 10 - LT_KEEP * 35) + (200 - 25 - LT_KEEP * 150))) /
		fixture_weight()));
}

static void test_removed_edges(void **state)
{
	struct bt_link_inputs li = {0};
	(void)state;
	/* only the standard library's inputs: nothing a setting removes,
	 * but debug = false's strip */
	li.all = (struct bt_section_bytes){
	    .total = 900, .debug = 300, .debug_work = 100};
	for (int o = 0; o < BT_OPT_MAX; o++) {
		uint64_t want = o == BT_OPT_DEBUG_OFF ? 300 : 0;
		double cost = 600 + LINK_W_WORK * 100 + LINK_W_COPY * 200;
		assert_int_equal(bt_link_removed_bytes(&li, o), want);
		assert_true(near_rel(
		    bt_link_removed_share(&li, o),
		    want ? (LINK_W_WORK * 100 + LINK_W_COPY * 200) / cost : 0));
	}
	/* no readable input at all (target/ cleaned): a share of 0 */
	li = fixture();
	li.all.total = 0;
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) == 0);
	/* kept parts larger than the debuginfo (a foreign layout): nothing
	 * removed, not a wrapped-around huge number */
	li = fixture();
	li.deps.lines = 500;
	li.deps.lines_work = 500;
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES),
			 (uint64_t)llround(80 - LT_KEEP * 70));
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO),
			 70);
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_LINE_TABLES) >= 0);
	/* never more than the whole link */
	li = fixture();
	li.all.total = 100;
	li.all.debug = li.all.debug_work = 100;
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) <= 1);
}

static void test_removed_order(void **state)
{
	(void)state;
	/* whatever the sizes: off removes the most, at least what
	 * line-tables-only, split and deps-off do, and line-tables-only no
	 * more than all but the line tables; the same of the shares.
	 * (Split may remove more than line-tables-only or less: cli-app's
	 * skeletons keep about what its line-tables-only objects do.) */
	srand(13);
	for (int i = 0; i < 1000; i++) {
		struct bt_link_inputs li = {0};
		struct bt_section_bytes *s[] = {&li.primary, &li.deps};
		uint64_t off, lines, split, deps;
		double s_off, s_lines, s_split, s_deps;
		for (int k = 0; k < 2; k++) {
			uint64_t left;
			s[k]->debug = (uint64_t)(rand() % 100000);
			s[k]->lines =
			    (uint64_t)(rand() % 100000) % (s[k]->debug + 1);
			left = s[k]->debug - s[k]->lines;
			s[k]->ranges = (uint64_t)(rand() % 100000) % (left + 1);
			left -= s[k]->ranges;
			s[k]->locs = (uint64_t)(rand() % 100000) % (left + 1);
			s[k]->debug_work =
			    (uint64_t)(rand() % 100000) % (s[k]->debug + 1);
			s[k]->lines_work =
			    s[k]->lines * s[k]->debug_work / (s[k]->debug + 1);
			s[k]->ranges_work =
			    s[k]->ranges * s[k]->debug_work / (s[k]->debug + 1);
			s[k]->locs_work =
			    s[k]->locs * s[k]->debug_work / (s[k]->debug + 1);
			s[k]->total = s[k]->debug + (uint64_t)(rand() % 1000);
			bt_section_bytes_add(&li.all, s[k]);
		}
		li.all.total += 1;
		off = bt_link_removed_bytes(&li, BT_OPT_DEBUG_OFF);
		lines = bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES);
		split = bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO);
		deps = bt_link_removed_bytes(&li, BT_OPT_DEBUG_DEPS_OFF);
		assert_true(off >= lines && off >= split && off >= deps);
		assert_true(lines <= li.primary.debug - li.primary.lines +
					 li.deps.debug - li.deps.lines);
		s_off = bt_link_removed_share(&li, BT_OPT_DEBUG_OFF);
		s_lines = bt_link_removed_share(&li, BT_OPT_DEBUG_LINE_TABLES);
		s_split = bt_link_removed_share(&li, BT_OPT_SPLIT_DEBUGINFO);
		s_deps = bt_link_removed_share(&li, BT_OPT_DEBUG_DEPS_OFF);
		assert_true(s_off <= 1 && s_split >= 0);
		assert_true(s_off + 1e-12 >= s_lines &&
			    s_off + 1e-12 >= s_split &&
			    s_off + 1e-12 >= s_deps && s_lines >= 0);
	}
}

/* Three links measured with rustc 1.95 and rust-lld: the rebuild link
 * of ../shared/workloads/cli-app (touch src/main.rs), that of
 * bench/rebuild_calibrate.sh's generated 20 x 600 workspace (touch
 * app/src/main.rs), and a hello world's, at debug = 2: their inputs'
 * section sizes (readelf -S of each argument of the link, an rlib's
 * lib.rmeta left out; the binary's own objects as the member's), and the
 * share of its CPU the same link command saved (perf stat task-clock,
 * medians of 10 interleaved runs) with -Wl,--strip-debug (debug = 0's
 * strip) and with every input built at line-tables-only
 * (docs/estimation.md, "What the link pays for").  The model must be
 * within 20% of each, with one set of constants for all. */
struct measured_link {
	const char *name;
	struct bt_section_bytes own, deps;
	double saved_off, saved_lines; /* saved_lines < 0: not measured */
};

static void test_measured_links(void **state)
{
	static const struct bt_section_bytes std = {.total = 20573187,
						    .debug = 8868806,
						    .lines = 852166,
						    .ranges = 1583488,
						    .locs = 15408,
						    .debug_work = 6221114,
						    .lines_work = 124008,
						    .ranges_work = 1083408};
	static const struct measured_link links[] = {
	    {"cli-app",
	     {.total = 8170554,
	      .debug = 7186785,
	      .lines = 216911,
	      .ranges = 200736,
	      .locs = 32875,
	      .debug_work = 5475777,
	      .lines_work = 65472,
	      .ranges_work = 140256,
	      .locs_work = 7944},
	     {.total = 60049749,
	      .debug = 43647732,
	      .lines = 3729126,
	      .ranges = 5171792,
	      .locs = 365585,
	      .debug_work = 31094424,
	      .lines_work = 1068336,
	      .ranges_work = 3618624,
	      .locs_work = 90240},
	     0.463,
	     0.371},
	    {"generated 20 x 600",
	     {.total = 27168,
	      .debug = 17571,
	      .lines = 1949,
	      .ranges = 352,
	      .debug_work = 11726,
	      .lines_work = 600,
	      .ranges_work = 240},
	     {.total = 185450672,
	      .debug = 80324589,
	      .lines = 14530663,
	      .ranges = 30615184,
	      .locs = 6324,
	      .debug_work = 45035960,
	      .lines_work = 1756080,
	      .ranges_work = 20792736,
	      .locs_work = 1440},
	     0.253,
	     0.153},
	    {"hello world",
	     {.total = 23807,
	      .debug = 14444,
	      .lines = 1938,
	      .ranges = 352,
	      .debug_work = 9601,
	      .lines_work = 600,
	      .ranges_work = 240},
	     {0},
	     0.316,
	     -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const struct measured_link *m = &links[i];
		struct bt_link_inputs li = {0};
		double off, lines;
		li.primary = m->own;
		li.deps = m->deps;
		bt_section_bytes_add(&li.all, &m->own);
		bt_section_bytes_add(&li.all, &m->deps);
		bt_section_bytes_add(&li.all, &std);
		off = LAMBDA * bt_link_removed_share(&li, BT_OPT_DEBUG_OFF);
		lines = LAMBDA *
			bt_link_removed_share(&li, BT_OPT_DEBUG_LINE_TABLES);
		printf("%s: off %.3f (measured %.3f), line-tables-only %.3f "
		       "(measured %.3f)\n",
		       m->name, off, m->saved_off, lines, m->saved_lines);
		assert_true(fabs(off / m->saved_off - 1) <= 0.20);
		if (m->saved_lines > 0)
			assert_true(fabs(lines / m->saved_lines - 1) <= 0.20);
	}
}

static int near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/* A workspace member's compilation at debug = 2 that linked (the
 * fixture's inputs): 1 s of debuginfo, 0.3 s of it the line-table part
 * and 0.1 s debug-value passes; 0.5 s of link CPU. */
static void unit_fixture(struct bt_unit *u, struct bt_node *n)
{
	memset(u, 0, sizeof(*u));
	memset(n, 0, sizeof(*n));
	n->kind = BT_KIND_RUSTC;
	u->node = n;
	u->has_flags = 1;
	u->primary = 1;
	strcpy(u->flags.debuginfo, "2");
	strcpy(u->flags.codegen_backend, "llvm");
	strcpy(u->linker_used, "rust-lld");
	u->categories[BT_CAT_DEBUGINFO] = 1.0;
	u->debuginfo_lines_s = 0.3;
	u->debug_values_s = 0.1;
	u->link_cpu_s = 0.5;
}

static void test_unit_saving(void **state)
{
	struct bt_link_inputs li = fixture();
	struct bt_unit u;
	struct bt_node n;
	struct bt_unit_part s;
	(void)state;
	unit_fixture(&u, &n);
	/* debug = false: the category, K_OFF of its instruction-level
	 * part, and the link's share of every input's debuginfo (the
	 * fixture's cost of it: test_removed_bytes) */
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_OFF, &s);
	assert_true(near(s.compile_s, 1.0 + K_OFF * 0.4));
	assert_true(near(s.link_term_s,
			 0.5 * bt_link_removed_share(&li, BT_OPT_DEBUG_OFF)));
	assert_true(
	    near(s.link_s,
		 LAMBDA * 0.5 * bt_link_removed_share(&li, BT_OPT_DEBUG_OFF)));
	assert_true(s.link_s > 0);
	/* line tables only: keeps the line tables, in the link too, and
	 * the debug-value passes (they run over every function that has a
	 * subprogram): drops 1.0 - 0.3 - 0.1 of the category */
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_LINE_TABLES, &s);
	assert_true(near(s.term_s, 0.6));
	assert_true(near(s.hidden_term_s, 0.1));
	assert_true(near(s.compile_s, 0.6 + K_LINES * 0.1));
	assert_true(near(s.link_s, LAMBDA * 0.5 *
				       bt_link_removed_share(
					   &li, BT_OPT_DEBUG_LINE_TABLES)));
	/* split debuginfo: a cost in the compilation, K_SPLIT of the DWARF
	 * generation (the category but the line-table part), and the link
	 * loses what the skeleton does not keep */
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(K_SPLIT > 0);
	assert_true(near(s.hidden_term_s, 0.7));
	assert_true(near(s.compile_s, -K_SPLIT * 0.7));
	assert_true(s.files_s == 0); /* it made no object the link read */
	assert_true(near(
	    s.link_s,
	    LAMBDA * 0.5 * bt_link_removed_share(&li, BT_OPT_SPLIT_DEBUGINFO)));
	assert_true(s.link_s > 0);
	/* and SPLIT_FILE per object it made, a .dwo each: also when no
	 * DWARF is generated (a rebuild reusing every codegen unit from
	 * the incremental cache hard-links their .dwo files); no other
	 * option writes or removes a file */
	li.objects_made = 155;
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(SPLIT_FILE > 0);
	assert_true(near(s.files_s, -SPLIT_FILE * 155));
	assert_true(near(s.compile_s, -K_SPLIT * 0.7 - SPLIT_FILE * 155));
	u.categories[BT_CAT_DEBUGINFO] = 0;
	u.debuginfo_lines_s = u.debug_values_s = 0;
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(s.hidden_term_s == 0);
	assert_true(near(s.compile_s, -SPLIT_FILE * 155));
	for (int o = 0; o < BT_OPT_MAX; o++) {
		if (o == BT_OPT_SPLIT_DEBUGINFO)
			continue;
		bt_unit_saving(&u, &li, o, &s);
		assert_true(s.files_s == 0);
	}
	unit_fixture(&u, &n);
	/* a unit that splits already costs nothing more */
	strcpy(u.flags.split_debuginfo, "unpacked");
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(s.compile_s == 0 && s.files_s == 0);
	/* at debug = 0 nothing is generated, so nothing to split */
	unit_fixture(&u, &n);
	strcpy(u.flags.debuginfo, "0");
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(s.compile_s == 0 && s.files_s == 0);
	li.objects_made = 0;
	/* a link that strips already reads no debuginfo: no option saves
	 * link time, the compile savings stay */
	unit_fixture(&u, &n);
	strcpy(u.flags.strip, "debuginfo");
	for (int o = 0; o < BT_OPT_MAX; o++) {
		if (!bt_option_is_debuginfo(o))
			continue;
		bt_unit_saving(&u, &li, o, &s);
		assert_true(s.link_s == 0 && s.link_term_s == 0);
	}
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_OFF, &s);
	assert_true(near(s.compile_s, 1.0 + K_OFF * 0.4));
	/* deps-off leaves a member's compilation alone; its link loses
	 * the dependencies' debuginfo only */
	unit_fixture(&u, &n);
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_DEPS_OFF, &s);
	assert_true(s.compile_s == 0);
	assert_true(near(
	    s.link_s,
	    LAMBDA * 0.5 * bt_link_removed_share(&li, BT_OPT_DEBUG_DEPS_OFF)));
	assert_true(s.link_s > 0);
}

static void test_option_ids(void **state)
{
	(void)state;
	assert_int_equal(bt_option_of_id("split-debuginfo-unpacked"),
			 BT_OPT_SPLIT_DEBUGINFO);
	assert_string_equal(bt_option_id(BT_OPT_SPLIT_DEBUGINFO),
			    "split-debuginfo-unpacked");
	for (int o = 0; o < BT_OPT_MAX; o++)
		assert_int_equal(bt_option_of_id(bt_option_id(o)), o);
	assert_int_equal(bt_option_of_id("split-debuginfo"), -1);
	assert_true(bt_option_is_debuginfo(BT_OPT_SPLIT_DEBUGINFO));
	assert_true(bt_option_is_debuginfo(BT_OPT_DEBUG_DEPS_OFF));
	assert_false(bt_option_is_debuginfo(BT_OPT_CRANELIFT));
	assert_false(bt_option_is_debuginfo(BT_OPT_LINKER_LLD));
}

static void touch(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A fake target/debug: deps/libmember-1.rlib (uplifted to
 * debug/libmember.rlib), deps/libdep-2.rlib (not uplifted), each with its
 * dep-info file, and deps/libstd-3.rlib with none. */
static void test_rlib_origin(void **state)
{
	char dir[] = "/tmp/btrace-test-origin.XXXXXX", deps[600], p[700],
	     q[700];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(deps, sizeof(deps), "%s/deps", dir);
	assert_int_equal(mkdir(deps, 0700), 0);
	touch(deps, "libmember-1.rlib", "!<arch>\n");
	touch(deps, "member-1.d", "x: src/lib.rs\n");
	snprintf(p, sizeof(p), "%s/libmember-1.rlib", deps);
	snprintf(q, sizeof(q), "%s/libmember.rlib", dir);
	assert_int_equal(link(p, q), 0);
	assert_int_equal(bt_rlib_origin(p), BT_ORIGIN_MEMBER);
	/* an uplifted file of an older build (another file): not this one */
	unlink(q);
	touch(dir, "libmember.rlib", "!<arch>\nolder, longer\n");
	assert_int_equal(bt_rlib_origin(p), BT_ORIGIN_DEPENDENCY);
	touch(deps, "libdep-2.rlib", "!<arch>\n");
	touch(deps, "dep-2.d", "x: /registry/dep/src/lib.rs\n");
	snprintf(p, sizeof(p), "%s/libdep-2.rlib", deps);
	assert_int_equal(bt_rlib_origin(p), BT_ORIGIN_DEPENDENCY);
	touch(deps, "libstd-3.rlib", "!<arch>\n");
	snprintf(p, sizeof(p), "%s/libstd-3.rlib", deps);
	assert_int_equal(bt_rlib_origin(p), BT_ORIGIN_NONE);
	assert_int_equal(bt_rlib_origin("/nonexistent/deps/libx-1.rlib"),
			 BT_ORIGIN_NONE);
	assert_int_equal(bt_rlib_origin("libx.a"), BT_ORIGIN_NONE);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_removed_bytes),
	    cmocka_unit_test(test_removed_edges),
	    cmocka_unit_test(test_removed_order),
	    cmocka_unit_test(test_measured_links),
	    cmocka_unit_test(test_unit_saving),
	    cmocka_unit_test(test_option_ids),
	    cmocka_unit_test(test_rlib_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
