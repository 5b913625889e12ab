/* test_options.c - the options table (advice/options.def): every row has
 * what its readers need (recommend: file, snippet, caveats; estimate:
 * what it removes, a method; experiment: overrides, the linker to find),
 * the template expansion, and every recommendation bt_recommend() emits
 * has its row, with the row's facts (a trace from bench/gen_trace). */
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

#include "advice/options.h"
#include "analyze.h"
#include "cli.h"
#include "gen_trace.h"

static const unsigned debuginfo_bits = BT_RM_DEBUG_MEMBERS | BT_RM_DEBUG_DEPS |
				       BT_RM_KEEP_LINES | BT_RM_KEEP_RANGES |
				       BT_RM_LINK_ONLY;

static void test_every_row(void **state)
{
	static const char *const methods[] = {
	    "calibrated-model", "published-ratio", "measured-ratio"};
	(void)state;
	for (int o = 0; o < BT_OPT_MAX; o++) {
		const struct bt_option_info *oi = bt_option_info(o);
		char buf[1024];
		int known = 0;
		assert_non_null(oi);
		assert_int_equal(oi->option, o);
		/* recommend */
		assert_non_null(oi->id);
		assert_true(oi->id[0]);
		assert_non_null(oi->file);
		assert_true(strstr(oi->file, "Cargo.toml") ||
			    strstr(oi->file, ".cargo/config.toml"));
		assert_non_null(oi->snippet);
		assert_int_equal(
		    bt_option_expand(oi->snippet, "dev", buf, sizeof(buf)), 0);
		assert_null(strchr(buf, '{')); /* no template left */
		assert_true(buf[strlen(buf) - 1] == '\n');
		assert_non_null(oi->caveats);
		/* a program it needs is looked up on PATH: a name only */
		if (oi->needs)
			assert_null(strchr(oi->needs, '/'));
		/* estimate: something removed, by a known method */
		assert_true(oi->removes != 0);
		assert_non_null(oi->method);
		for (size_t m = 0; m < sizeof(methods) / sizeof(*methods); m++)
			known |= !strcmp(oi->method, methods[m]);
		assert_true(known);
		/* split debuginfo's bits say "debuginfo": the rest are
		 * modifiers of whose debuginfo goes */
		if (oi->removes & debuginfo_bits)
			assert_true(bt_option_is_debuginfo(o));
		/* experiment: at least one override, all expanding */
		assert_non_null(oi->config[0]);
		for (int k = 0; k < BT_OPTION_MAX_CONFIG && oi->config[k];
		     k++) {
			assert_int_equal(bt_option_expand(oi->config[k], "dev",
							  buf, sizeof(buf)),
					 0);
			assert_null(strchr(buf, '{'));
		}
		/* a snippet for the build's profile: the override sets the
		 * same profile */
		if (strstr(oi->snippet, "{profile}"))
			assert_non_null(strstr(oi->config[0], "{profile}"));
		/* a linker option names what to find in what it linked;
		 * only a linker option replaces rust-lld's override */
		if (oi->removes & (BT_RM_GNU_LINK | BT_RM_LLD_LINK)) {
			assert_non_null(oi->linker);
			assert_non_null(oi->linker_comment);
			assert_non_null(oi->needs);
		} else {
			assert_null(oi->linker_comment);
			assert_null(oi->config_over_lld);
		}
		/* ids are unique, and lead back to the row */
		assert_int_equal(bt_option_of_id(oi->id), o);
	}
	assert_null(bt_option_info(BT_OPT_MAX));
	assert_string_equal(bt_option_id(BT_OPT_MAX), "?");
	assert_int_equal(bt_option_of_id("no-such-option"), -1);
}

static void test_expand(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(bt_option_expand("[profile.{profile}]\n"
					  "x = \"{profile}\"\n",
					  "release", out, sizeof(out)),
			 0);
	assert_string_equal(out, "[profile.release]\nx = \"release\"\n");
	/* not the key: copied as it is */
	assert_int_equal(bt_option_expand("{prof} {}", "dev", out, sizeof(out)),
			 0);
	assert_string_equal(out, "{prof} {}");
	/* too long: cut, terminated, and said so */
	assert_int_equal(
	    bt_option_expand("profile.{profile}.debug", "dev", out, 10), -1);
	assert_string_equal(out, "profile.d");
	assert_int_equal(bt_option_expand("abc", "dev", out, 4), 0);
	assert_int_equal(bt_option_expand("abcd", "dev", out, 4), -1);
	assert_string_equal(out, "abc");
}

static char work[] = "/tmp/btrace-test-options.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(work))
		return -1;
	return gen_trace(work, "t", "-p 40 -s 2000 --seed 3");
}

static int teardown(void **state)
{
	(void)state;
	return gen_trace_rm(work);
}

static void test_recommendations_have_rows(void **state)
{
	struct bt_analysis a;
	char err[1024] = "", path[sizeof(work) + 8], snippet[640];
	int seen[BT_OPT_MAX] = {0};
	(void)state;
	snprintf(path, sizeof(path), "%s/t", work);
	assert_int_equal(bt_analyze(path, NULL, &a, err, sizeof(err)),
			 BT_EXIT_OK);
	assert_int_equal(a.recs.n, BT_OPT_MAX);
	for (size_t i = 0; i < a.recs.n; i++) {
		const struct bt_recommendation *r = &a.recs.items[i];
		int o = bt_option_of_id(r->id);
		const struct bt_option_info *oi;
		assert_true(o >= 0);
		assert_int_equal(o, r->option);
		oi = bt_option_info(o);
		seen[o]++;
		/* the row's facts, as the row says them */
		assert_string_equal(r->file, oi->file);
		assert_string_equal(r->caveats, oi->caveats);
		bt_option_expand(oi->snippet, a.recs.profile, snippet,
				 sizeof(snippet));
		assert_string_equal(r->snippet, snippet);
		assert_true(r->reason[0]);
	}
	for (int o = 0; o < BT_OPT_MAX; o++)
		assert_int_equal(seen[o], 1);
	bt_analysis_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_row),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_recommendations_have_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
