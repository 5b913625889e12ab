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

#include "advice/estimate.h"
#include "model/link_inputs.h"

#define CALIBRATION(name, value) static const double name = value;
#include "advice/estimate_calibration.def"
#undef CALIBRATION

/* A link of 1000 bytes: a member's objects and the dependencies' rlibs
 * with debuginfo, the rest the standard library's (with 100 bytes of
 * debuginfo of its own). */
static struct bt_link_inputs fixture(void)
{
	struct bt_link_inputs li = {0};
	li.all.total = 1000;
	li.all.debug = 600;
	li.primary = (struct bt_section_bytes){
	    .total = 200, .debug = 100, .lines = 20, .ranges = 10};
	li.deps = (struct bt_section_bytes){
	    .total = 600, .debug = 400, .lines = 50, .ranges = 100};
	return li;
}

static void test_removed_bytes(void **state)
{
	struct bt_link_inputs li = fixture();
	(void)state;
	/* off: every input's debuginfo, the standard library's too (cargo
	 * strips the link when debug = 0) */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_OFF), 600);
	/* line tables only: all but the line tables */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES),
			 (100 - 20) + (400 - 50));
	/* deps off: the dependencies' only */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_DEPS_OFF),
			 400);
	/* split: all but the skeleton's line tables and ranges */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO),
			 (100 - 20 - 10) + (400 - 50 - 100));
	/* the other options are not the link model's */
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_CRANELIFT), 0);
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_LINKER_MOLD), 0);
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) == 0.6);
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_DEPS_OFF) == 0.4);
}

static void test_removed_edges(void **state)
{
	struct bt_link_inputs li = {0};
	(void)state;
	/* only the standard library's inputs: nothing a setting removes,
	 * but debug = false's strip */
	li.all = (struct bt_section_bytes){.total = 900, .debug = 300};
	for (int o = 0; o < BT_OPT_MAX; o++) {
		uint64_t want = o == BT_OPT_DEBUG_OFF ? 300 : 0;
		assert_int_equal(bt_link_removed_bytes(&li, o), want);
		assert_true(bt_link_removed_share(&li, o) == want / 900.0);
	}
	/* no readable input at all (target/ cleaned): a share of 0 */
	li = fixture();
	li.all.total = 0;
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) == 0);
	/* kept parts larger than the debuginfo (a foreign layout): nothing
	 * removed, not a wrapped-around huge number */
	li = fixture();
	li.deps.lines = 500;
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES),
			 80);
	assert_int_equal(bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO),
			 70);
	/* never more than the whole link */
	li = fixture();
	li.all.total = 100;
	assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) == 1);
}

static void test_removed_order(void **state)
{
	(void)state;
	/* whatever the sizes: off removes the most, and at least what
	 * line-tables-only, split and deps-off do; split no more than
	 * line-tables-only */
	srand(13);
	for (int i = 0; i < 1000; i++) {
		struct bt_link_inputs li = {0};
		struct bt_section_bytes *s[] = {&li.primary, &li.deps};
		uint64_t off, lines, split, deps;
		for (int k = 0; k < 2; k++) {
			s[k]->debug = (uint64_t)(rand() % 100000);
			s[k]->lines =
			    (uint64_t)(rand() % 100000) % (s[k]->debug + 1);
			s[k]->ranges = (uint64_t)(rand() % 100000) %
				       (s[k]->debug - s[k]->lines + 1);
			s[k]->total = s[k]->debug + (uint64_t)(rand() % 1000);
		}
		li.all.total = li.primary.total + li.deps.total + 1;
		li.all.debug =
		    li.primary.debug + li.deps.debug + (uint64_t)(rand() % 2);
		off = bt_link_removed_bytes(&li, BT_OPT_DEBUG_OFF);
		lines = bt_link_removed_bytes(&li, BT_OPT_DEBUG_LINE_TABLES);
		split = bt_link_removed_bytes(&li, BT_OPT_SPLIT_DEBUGINFO);
		deps = bt_link_removed_bytes(&li, BT_OPT_DEBUG_DEPS_OFF);
		assert_true(off >= lines && lines >= split && off >= deps);
		assert_true(bt_link_removed_share(&li, BT_OPT_DEBUG_OFF) <= 1);
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
	 * part, and the link's share of every input's debuginfo (0.6) */
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_OFF, &s);
	assert_true(near(s.compile_s, 1.0 + K_OFF * 0.4));
	assert_true(near(s.link_term_s, 0.5 * 0.6));
	assert_true(near(s.link_s, LAMBDA * 0.5 * 0.6));
	/* line tables only: keeps the line tables, in the link too, and
	 * the debug-value passes (they run over every function that has a
	 * subprogram): drops 1.0 - 0.3 - 0.1 of the category */
	bt_unit_saving(&u, &li, BT_OPT_DEBUG_LINE_TABLES, &s);
	assert_true(near(s.term_s, 0.6));
	assert_true(near(s.hidden_term_s, 0.1));
	assert_true(near(s.compile_s, 0.6 + K_LINES * 0.1));
	assert_true(near(s.link_s, LAMBDA * 0.5 * 0.43));
	/* split debuginfo: a cost in the compilation, K_SPLIT of the DWARF
	 * generation (the category but the line-table part), and the link
	 * loses what the skeleton does not keep (0.32 of its bytes) */
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(K_SPLIT > 0);
	assert_true(near(s.hidden_term_s, 0.7));
	assert_true(near(s.compile_s, -K_SPLIT * 0.7));
	assert_true(near(s.link_s, LAMBDA * 0.5 * 0.32));
	/* a unit that splits already costs nothing more */
	strcpy(u.flags.split_debuginfo, "unpacked");
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(s.compile_s == 0);
	/* at debug = 0 nothing is generated, so nothing to split */
	unit_fixture(&u, &n);
	strcpy(u.flags.debuginfo, "0");
	bt_unit_saving(&u, &li, BT_OPT_SPLIT_DEBUGINFO, &s);
	assert_true(s.compile_s == 0);
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
	assert_true(near(s.link_s, LAMBDA * 0.5 * 0.4));
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
	    cmocka_unit_test(test_unit_saving),
	    cmocka_unit_test(test_option_ids),
	    cmocka_unit_test(test_rlib_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
