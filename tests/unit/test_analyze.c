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
#include "gen_trace.h"

static char work[] = "/tmp/btrace-test-analyze.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(work))
		return -1;
	if (gen_trace(work, "llvm", "-p 60 -s 4000 --seed 7") < 0 ||
	    gen_trace(work, "cranelift",
		      "-p 60 -s 4000 --seed 4 --stacks diverse --backend "
		      "cranelift") < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return gen_trace_rm(work);
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

/* What the writers read of the session and of each process, the model
 * holds (build_model.h): the same as the trace says. */
static void check_model_copies(const struct bt_analysis *a)
{
	const struct bt_session *s = &a->build.session;
	assert_true(a->trace.has_session);
	assert_true(s->known);
	assert_string_equal(s->trace_dir, a->trace.dir);
	assert_string_equal(s->id, a->trace.images[0].header.session);
	assert_true(s->id[0] != '\0');
	assert_int_equal(s->argc, a->trace.session.argc);
	assert_true(s->argc > 0);
	for (size_t i = 0; i < s->argc; i++)
		assert_string_equal(s->command[i], a->trace.command[i]);
	assert_string_equal(s->btrace_version, a->trace.btrace_version);
	assert_int_equal(s->realtime_ns, a->trace.session.realtime_ns);
	assert_int_equal(s->root_pid, a->trace.session.root_pid);
	for (size_t i = 0; i < a->build.n_nodes; i++) {
		const struct bt_node *n = &a->build.nodes[i];
		const struct bt_proc *p = &a->trace.procs[i];
		const struct bt_image *im = bt_proc_last(p);
		assert_int_equal(n->pid, p->pid);
		assert_int_equal(n->ppid, p->ppid);
		assert_ptr_equal(n->exe, im->exe);
		assert_ptr_equal(n->cwd, im->cwd);
		assert_int_equal(n->argc, im->start.argc_kept);
		for (uint32_t k = 0; k < n->argc; k++)
			assert_string_equal(n->argv[k], im->argv[k]);
		assert_int_equal(n->argc_before_cut,
				 im->start.flags & BT_START_ARGV_TRUNCATED
				     ? im->start.argc
				     : 0);
		assert_int_equal(n->exit_code, p->exit_code);
		assert_int_equal(n->signal, p->signal);
	}
}

/* A trace without its SESSION record: the session is marked unknown,
 * with no command, and the trace's directory still named. */
static void test_session_unknown(void **state)
{
	struct bt_trace t = {.dir = "some/dir"};
	struct bt_build b;
	char err[256];
	(void)state;
	assert_int_equal(bt_build_make(&t, &b, err, sizeof(err)), 0);
	assert_false(b.session.known);
	assert_int_equal(b.session.argc, 0);
	assert_null(b.session.command);
	assert_null(b.session.btrace_version);
	assert_string_equal(b.session.trace_dir, "some/dir");
	assert_string_equal(b.session.id, "");
	bt_build_free(&b);
}

static void test_whole_analysis(void **state)
{
	struct bt_analysis a;
	struct bt_analyze_opts o = {.flame_by_category = 1};
	char err[1024];
	(void)state;
	assert_int_equal(bt_analyze(trace("llvm"), &o, &a, err, sizeof(err)),
			 BT_EXIT_OK);
	/* every stage ran, and the report points at what was made */
	assert_ptr_equal(a.build.trace, &a.trace);
	assert_int_equal(a.trace.n_procs, 60);
	assert_true(a.have_profile);
	assert_ptr_equal(a.report.build, &a.build);
	assert_ptr_equal(a.report.profile, &a.profile);
	assert_ptr_equal(a.report.recommendations, &a.recs);
	assert_int_equal(a.report.options.flame_by_category, 1);
	check_model_copies(&a);
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
	assert_ptr_equal(a.report.profile, &a.profile);
	assert_null(a.report.recommendations);
	assert_int_equal(a.recs.n, 0);
	bt_analysis_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_trace),
	    cmocka_unit_test(test_session_unknown),
	    cmocka_unit_test(test_whole_analysis),
	    cmocka_unit_test(test_in_force),
	    cmocka_unit_test(test_profile_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
