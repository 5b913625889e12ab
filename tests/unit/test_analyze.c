/* test_analyze.c - bt_analyze() (analyze.h) on synthetic traces made by
 * bench/gen_trace, and the status that each recommendation carries beside
 * its text (recommend.h): the code that picks what to measure reads the
 * status, so the status must say what the text says. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze.h"
#include "cli.h"

static char work[] = "/tmp/btrace-test-analyze.XXXXXX";

static int gen(const char *name, const char *args)
{
	char *cmd;
	int rc;
	if (asprintf(&cmd, "'%s' -o '%s/%s' %s >/dev/null", GEN_TRACE, work,
		     name, args) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(work))
		return -1;
	if (gen("llvm", "-p 60 -s 4000 --seed 7") < 0 ||
	    gen("cranelift",
		"-p 60 -s 4000 --seed 4 --stacks diverse --backend cranelift") <
		0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char *cmd;
	(void)state;
	if (asprintf(&cmd, "rm -rf '%s'", work) < 0)
		return -1;
	if (system(cmd) != 0) {
		free(cmd);
		return -1;
	}
	free(cmd);
	return 0;
}

static char *trace(const char *name)
{
	static char path[sizeof(work) + 32];
	snprintf(path, sizeof(path), "%s/%s", work, name);
	return path;
}

static void test_missing_trace(void **state)
{
	struct bt_analysis a;
	char err[1024] = "";
	(void)state;
	assert_int_equal(
	    bt_analyze(trace("missing"), NULL, &a, err, sizeof(err)),
	    BT_EXIT_BAD_INPUT);
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n')); /* one line */
}

/* The reason's first words, as people read them, and the status that
 * says the same for code. */
static enum bt_rec_status status_of_text(const char *reason)
{
	static const struct {
		const char *prefix;
		enum bt_rec_status status;
	} words[] = {
	    {"already in force", BT_REC_IN_FORCE},
	    {"cannot tell", BT_REC_CANNOT_TELL},
	    {"nothing", BT_REC_NOTHING_TO_DO},
	    {"below the", BT_REC_BELOW_THRESHOLD},
	    {"not recommended: measured slower", BT_REC_SLOWER_HERE},
	    {"not measured", BT_REC_NOT_MEASURED},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (!strncmp(reason, words[i].prefix, strlen(words[i].prefix)))
			return words[i].status;
	return BT_REC_RECOMMENDED;
}

static void check_statuses(const struct bt_recommendations *rs)
{
	assert_int_equal(rs->n, BT_OPT_MAX);
	for (size_t i = 0; i < rs->n; i++) {
		const struct bt_recommendation *r = &rs->items[i];
		if (r->status != status_of_text(r->reason))
			fail_msg("%s: status %d for \"%s\"", r->id, r->status,
				 r->reason);
		assert_int_equal(r->recommended,
				 r->status == BT_REC_RECOMMENDED);
		assert_int_equal(bt_rec_applies(r),
				 r->status != BT_REC_IN_FORCE &&
				     r->status != BT_REC_CANNOT_TELL &&
				     r->status != BT_REC_NOTHING_TO_DO);
	}
}

static const struct bt_recommendation *find(const struct bt_recommendations *rs,
					    enum bt_option o)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->items[i].option == o)
			return &rs->items[i];
	fail_msg("option %d not considered", (int)o);
	return NULL;
}

static void test_whole_analysis(void **state)
{
	struct bt_analysis a;
	struct bt_analyze_opts o = {.flame_by_category = 1};
	char err[1024];
	(void)state;
	assert_int_equal(bt_analyze(trace("llvm"), &o, &a, err, sizeof(err)),
			 BT_EXIT_OK);
	/* every stage ran, and the model points at what was made */
	assert_ptr_equal(a.build.trace, &a.trace);
	assert_int_equal(a.trace.n_procs, 60);
	assert_true(a.have_profile);
	assert_ptr_equal(a.build.profile, &a.profile);
	assert_ptr_equal(a.build.recommendations, &a.recs);
	assert_int_equal(a.build.flame_by_category, 1);
	assert_true(a.profile.cpu_s[BT_CAT_FRONTEND] > 0);
	check_statuses(&a.recs);
	/* an LLVM build: Cranelift would change it */
	assert_true(bt_rec_applies(find(&a.recs, BT_OPT_CRANELIFT)));
	bt_analysis_free(&a);
}

static void test_in_force(void **state)
{
	struct bt_analysis a;
	const struct bt_recommendation *r;
	char err[1024];
	(void)state;
	assert_int_equal(
	    bt_analyze(trace("cranelift"), NULL, &a, err, sizeof(err)),
	    BT_EXIT_OK);
	check_statuses(&a.recs);
	/* every compilation uses Cranelift: nothing to measure there */
	r = find(&a.recs, BT_OPT_CRANELIFT);
	assert_int_equal(r->status, BT_REC_IN_FORCE);
	assert_false(r->recommended);
	assert_false(bt_rec_applies(r));
	bt_analysis_free(&a);
}

static void test_profile_only(void **state)
{
	struct bt_analysis a;
	struct bt_analyze_opts o = {.profile_only = 1};
	char err[1024];
	(void)state;
	assert_int_equal(bt_analyze(trace("llvm"), &o, &a, err, sizeof(err)),
			 BT_EXIT_OK);
	assert_true(a.have_profile);
	assert_true(a.profile.cpu_s[BT_CAT_FRONTEND] > 0);
	assert_null(a.build.recommendations);
	assert_int_equal(a.recs.n, 0);
	bt_analysis_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_trace),
	    cmocka_unit_test(test_whole_analysis),
	    cmocka_unit_test(test_in_force),
	    cmocka_unit_test(test_profile_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
