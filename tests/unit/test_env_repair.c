/* test_env_repair.c - putting LD_PRELOAD and BTRACE_* back into child
 * environments, and the allow-list of recorded variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shim.h"

static struct bt_inject inj = {
    .entries = {"LD_PRELOAD=/opt/lib/libbtrace.so", "BTRACE_DIR=/t/d",
		"BTRACE_SESSION=s1"},
    .count = 3,
    .preload_needle = "libbtrace.so",
};

static int count(char **env, const char *prefix)
{
	int n = 0;
	for (; *env; env++)
		n += strncmp(*env, prefix, strlen(prefix)) == 0;
	return n;
}

static const char *get(char **env, const char *prefix)
{
	for (; *env; env++)
		if (strncmp(*env, prefix, strlen(prefix)) == 0)
			return *env;
	return NULL;
}

static void test_adds_missing(void **state)
{
	char *envp[] = {"PATH=/bin", "HOME=/root", NULL};
	char *out[16], scratch[256];
	int n;
	(void)state;
	n = bt_env_repair(envp, &inj, out, 16, scratch, sizeof(scratch));
	assert_int_equal(n, 5);
	assert_null(out[5]);
	assert_string_equal(out[0], "PATH=/bin"); /* order kept */
	assert_string_equal(out[1], "HOME=/root");
	assert_string_equal(get(out, "LD_PRELOAD="),
			    "LD_PRELOAD=/opt/lib/libbtrace.so");
	assert_string_equal(get(out, "BTRACE_DIR="), "BTRACE_DIR=/t/d");
	assert_string_equal(get(out, "BTRACE_SESSION="), "BTRACE_SESSION=s1");
}

static void test_nothing_to_do(void **state)
{
	char *envp[] = {"LD_PRELOAD=/other/path/libbtrace.so",
			"BTRACE_DIR=/t/d", "X=1", "BTRACE_SESSION=s1", NULL};
	char *out[16], scratch[256];
	(void)state;
	assert_int_equal(
	    bt_env_repair(envp, &inj, out, 16, scratch, sizeof(scratch)), 0);
}

static void test_no_duplicates(void **state)
{
	/* BTRACE_DIR present with another value: kept (a nested btrace
	 * record chose it), not duplicated. */
	char *envp[] = {"BTRACE_DIR=/elsewhere", "A=1", NULL};
	char *out[16], scratch[256];
	int n;
	(void)state;
	n = bt_env_repair(envp, &inj, out, 16, scratch, sizeof(scratch));
	assert_int_equal(n, 4);
	assert_int_equal(count(out, "BTRACE_DIR="), 1);
	assert_string_equal(get(out, "BTRACE_DIR="), "BTRACE_DIR=/elsewhere");
	assert_int_equal(count(out, "LD_PRELOAD="), 1);
	/* a name that merely starts like ours is another variable */
	{
		char *e2[] = {"LD_PRELOADX=1", "BTRACE_DIRS=2", NULL};
		n = bt_env_repair(e2, &inj, out, 16, scratch, sizeof(scratch));
		assert_int_equal(n, 5);
		assert_int_equal(count(out, "LD_PRELOAD="), 1);
		assert_int_equal(count(out, "BTRACE_DIR="), 1);
	}
}

static void test_preload_merged(void **state)
{
	char *envp[] = {"LD_PRELOAD=/usr/lib/libfoo.so:libbar.so", NULL};
	char *out[16], scratch[256];
	int n;
	(void)state;
	n = bt_env_repair(envp, &inj, out, 16, scratch, sizeof(scratch));
	assert_int_equal(n, 3);
	assert_int_equal(count(out, "LD_PRELOAD="), 1);
	assert_string_equal(out[0], "LD_PRELOAD=/opt/lib/libbtrace.so "
				    "/usr/lib/libfoo.so:libbar.so");
	assert_ptr_equal(out[0], scratch);
	/* ours among others (':' or ' ' separated): kept as it is */
	{
		char *e2[] = {"LD_PRELOAD=libfoo.so:/x/libbtrace.so",
			      "BTRACE_DIR=/t/d", "BTRACE_SESSION=s1", NULL};
		char *e3[] = {"LD_PRELOAD=libfoo.so libbtrace.so",
			      "BTRACE_DIR=/t/d", "BTRACE_SESSION=s1", NULL};
		char *e4[] = {"LD_PRELOAD=/x/libbtrace.so.old",
			      "BTRACE_DIR=/t/d", "BTRACE_SESSION=s1", NULL};
		assert_int_equal(bt_env_repair(e2, &inj, out, 16, scratch, 256),
				 0);
		assert_int_equal(bt_env_repair(e3, &inj, out, 16, scratch, 256),
				 0);
		/* a different file that only starts with our name */
		assert_int_equal(bt_env_repair(e4, &inj, out, 16, scratch, 256),
				 3);
	}
}

static void test_cleared_environment(void **state)
{
	char *out[8], scratch[64];
	char *empty[] = {NULL};
	(void)state;
	assert_int_equal(bt_env_repair(NULL, &inj, out, 8, scratch, 64), 3);
	assert_null(out[3]);
	assert_int_equal(bt_env_repair(empty, &inj, out, 8, scratch, 64), 3);
}

static void test_does_not_fit(void **state)
{
	char *envp[] = {"A=1", "B=2", NULL};
	char *big[] = {"LD_PRELOAD=/a/very/long/path/libother.so", NULL};
	char *out[8], scratch[16];
	(void)state;
	/* 2 + 3 + NULL need 6 slots */
	assert_int_equal(bt_env_repair(envp, &inj, out, 5, scratch, 16), -1);
	assert_int_equal(bt_env_repair(envp, &inj, out, 6, scratch, 16), 5);
	/* the merged LD_PRELOAD does not fit the scratch buffer */
	assert_int_equal(bt_env_repair(big, &inj, out, 8, scratch, 16), -1);
}

/* The loader reads the last LD_PRELOAD= (each replaces the one before):
 * that is the one checked and fixed (issue 14, defect 8). */
static void test_duplicate_preload(void **state)
{
	char *first_ours[] = {"LD_PRELOAD=/opt/lib/libbtrace.so",
			      "LD_PRELOAD=/x/libfoo.so", "BTRACE_DIR=/t/d",
			      "BTRACE_SESSION=s1", NULL};
	char *last_ours[] = {"LD_PRELOAD=/x/libfoo.so",
			     "LD_PRELOAD=/opt/lib/libbtrace.so",
			     "BTRACE_DIR=/t/d", "BTRACE_SESSION=s1", NULL};
	char *out[16], scratch[256];
	(void)state;
	assert_int_equal(
	    bt_env_repair(first_ours, &inj, out, 16, scratch, sizeof(scratch)),
	    4);
	assert_ptr_equal(out[0], first_ours[0]); /* left as it was */
	assert_ptr_equal(out[1], scratch);
	assert_string_equal(out[1], "LD_PRELOAD=/opt/lib/libbtrace.so "
				    "/x/libfoo.so");
	assert_null(out[4]);
	assert_int_equal(
	    bt_env_repair(last_ours, &inj, out, 16, scratch, sizeof(scratch)),
	    0);
}

/* Nothing to repair: no buffer needed (the hooks pass none first). */
static void test_decides_before_writing(void **state)
{
	char *fine[] = {"LD_PRELOAD=/opt/lib/libbtrace.so", "BTRACE_DIR=/t/d",
			"BTRACE_SESSION=s1", NULL};
	char *lacking[] = {"A=1", "LD_PRELOAD=/x/libfoo.so", NULL};
	char *out[8], scratch[128];
	size_t slots, need;
	(void)state;
	assert_int_equal(bt_env_repair(fine, &inj, NULL, 0, NULL, 0), 0);
	assert_int_equal(bt_env_repair(lacking, &inj, NULL, 0, NULL, 0), -1);
	/* bt_env_repair_need is always enough */
	slots = bt_env_repair_need(lacking, &inj, &need);
	assert_true(slots <= 8 && need <= sizeof(scratch));
	assert_int_equal(
	    bt_env_repair(lacking, &inj, out, slots, scratch, need), 4);
	assert_string_equal(out[1], "LD_PRELOAD=/opt/lib/libbtrace.so "
				    "/x/libfoo.so");
}

static void test_allow_list(void **state)
{
	(void)state;
	assert_true(bt_env_allowed("CARGO_PKG_NAME=regex"));
	assert_true(bt_env_allowed("CARGO_PRIMARY_PACKAGE=1"));
	assert_true(bt_env_allowed("CARGO_ENCODED_RUSTFLAGS="));
	assert_true(bt_env_allowed("CARGO_PROFILE_DEV_DEBUG=0"));
	assert_true(bt_env_allowed("BTRACE_HZ=99"));
	assert_true(bt_env_allowed("RUSTFLAGS=-Cdebuginfo=0"));
	assert_false(bt_env_allowed("PATH=/bin"));
	assert_false(bt_env_allowed("HOME=/root"));
	assert_false(bt_env_allowed("AWS_SECRET_ACCESS_KEY=x"));
	assert_false(bt_env_allowed("CARGO_REGISTRY_TOKEN=x"));
	assert_false(bt_env_allowed("CARGO_PKG_NAMEX=1"));
	assert_false(bt_env_allowed("CARGO_PKG_NAME"));	  /* no '=' */
	assert_false(bt_env_allowed("CARGO_PROFILE_=1")); /* prefix only */
	assert_false(bt_env_allowed("BTRACE="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_adds_missing),
	    cmocka_unit_test(test_nothing_to_do),
	    cmocka_unit_test(test_no_duplicates),
	    cmocka_unit_test(test_preload_merged),
	    cmocka_unit_test(test_cleared_environment),
	    cmocka_unit_test(test_does_not_fit),
	    cmocka_unit_test(test_duplicate_preload),
	    cmocka_unit_test(test_decides_before_writing),
	    cmocka_unit_test(test_allow_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
