/* test_records.c - the record builders (common/trace_records.h): every
 * type reads back whole with its fixed body and strings, the builders set
 * the counts and truncation flags, cut strings at their limits, redact
 * argv when asked, batch samples, and return 0 when a record does not
 * fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace_records.h"

static char rec[BT_MAX_RECORD];

/* Reads back the one record of LEN bytes in REC: it must be whole, of
 * TYPE, and nothing else. */
static struct bt_record read_one(size_t len, uint16_t type)
{
	struct bt_record r;
	size_t off = 0;
	assert_true(len > 0);
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	assert_int_equal(off, len);
	assert_int_equal(r.type, type);
	return r;
}

static int strings(const struct bt_record *r, const char **out, size_t max)
{
	int n = bt_record_strings(r, out, max);
	assert_true(n >= 0);
	return n;
}

static void test_session(void **state)
{
	static char arg[BT_MAX_ARGV_BYTES];
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	char *cmd[] = {"cargo", "build", "--token", "s3cret", NULL};
	struct bt_argv_in plain = {cmd, NULL}, redacted = {cmd, &rb};
	struct bt_rec_session s, got;
	struct bt_record r;
	const char *str[8];
	(void)state;
	memset(&s, 0, sizeof(s));
	s.mono_ns = 11;
	s.realtime_ns = 22;
	s.root_pid = 33;
	s.argc = 999; /* the builder's to set */

	r = read_one(bt_build_session(rec, sizeof(rec), &s, "0.1.0", &plain),
		     BT_REC_SESSION);
	bt_record_fixed(&r, &got, sizeof(got));
	assert_int_equal(got.mono_ns, 11);
	assert_int_equal(got.realtime_ns, 22);
	assert_int_equal(got.root_pid, 33);
	assert_int_equal(got.argc, 4);
	assert_int_equal(strings(&r, str, 8), 5);
	assert_string_equal(str[0], "0.1.0");
	assert_string_equal(str[4], "s3cret");

	r = read_one(bt_build_session(rec, sizeof(rec), &s, "0.1.0", &redacted),
		     BT_REC_SESSION);
	assert_int_equal(strings(&r, str, 8), 5);
	assert_string_equal(str[3], "--token");
	assert_string_equal(str[4], BT_REDACTED);
	assert_int_equal(rb.count, 1);
}

static void test_proc_start(void **state)
{
	char *argv[] = {"rustc", "--crate-name", "regex", NULL};
	char *env[] = {"CARGO_PKG_NAME=regex", "HOME=/root",
		       "CARGO_PKG_VERSION=1.0", NULL};
	struct bt_start_in in = {
	    "/usr/bin/rustc", "/work", {argv, NULL}, env, NULL};
	struct bt_rec_proc_start st, got;
	struct bt_record r;
	const char *str[16];
	(void)state;
	memset(&st, 0, sizeof(st));
	st.pid = 42;
	st.ppid = 41;
	st.start_ticks = 777;
	st.mono_ns = 5;
	st.flags = BT_START_FORKED;
	st.uid = 1000;
	st.tid = 43;
	st.argc = st.argc_kept = st.envc = 77; /* the builder's to set */

	r = read_one(bt_build_proc_start(rec, sizeof(rec), &st, &in),
		     BT_REC_PROC_START);
	bt_record_fixed(&r, &got, sizeof(got));
	assert_int_equal(got.pid, 42);
	assert_int_equal(got.ppid, 41);
	assert_int_equal(got.start_ticks, 777);
	assert_int_equal(got.mono_ns, 5);
	assert_int_equal(got.flags, BT_START_FORKED);
	assert_int_equal(got.uid, 1000);
	assert_int_equal(got.tid, 43);
	assert_int_equal(got.argc, 3);
	assert_int_equal(got.argc_kept, 3);
	assert_int_equal(got.envc, 3);
	assert_int_equal(strings(&r, str, 16), 2 + 3 + 3);
	assert_string_equal(str[0], "/usr/bin/rustc");
	assert_string_equal(str[1], "/work");
	assert_string_equal(str[4], "regex");
	assert_string_equal(str[6], "HOME=/root");
}

static int keep_cargo(const char *entry)
{
	return strncmp(entry, "CARGO_", 6) == 0;
}

/* Only the entries ENV_KEEP keeps. */
static void test_proc_start_env_keep(void **state)
{
	char *argv[] = {"cc", NULL};
	char *env[] = {"CARGO_PKG_NAME=regex", "HOME=/root",
		       "CARGO_PKG_VERSION=1.0", NULL};
	struct bt_start_in in = {
	    "/usr/bin/cc", "/", {argv, NULL}, env, keep_cargo};
	struct bt_rec_proc_start st, got;
	struct bt_record r;
	const char *str[8];
	(void)state;
	memset(&st, 0, sizeof(st));
	r = read_one(bt_build_proc_start(rec, sizeof(rec), &st, &in),
		     BT_REC_PROC_START);
	bt_record_fixed(&r, &got, sizeof(got));
	assert_int_equal(got.envc, 2);
	assert_int_equal(strings(&r, str, 8), 2 + 1 + 2);
	assert_string_equal(str[3], "CARGO_PKG_NAME=regex");
	assert_string_equal(str[4], "CARGO_PKG_VERSION=1.0");
}

/* Too many arguments, too much environment: what fits is kept, the
 * counts say what there was, and the flags say it was cut. */
static void test_proc_start_truncated(void **state)
{
	static char *argv[BT_MAX_ARGS + 11];
	static char *env[64];
	static char big[BT_MAX_ENV_VALUE + 100];
	static char arg[BT_MAX_ARGV_BYTES];
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_start_in in = {"/bin/x", "/", {argv, &rb}, env, NULL};
	struct bt_rec_proc_start st, got;
	struct bt_record r;
	(void)state;
	for (size_t i = 0; i < BT_MAX_ARGS + 10; i++)
		argv[i] = "-v";
	argv[BT_MAX_ARGS + 10] = NULL;
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "CARGO_X=", 8);
	for (size_t i = 0; i < 63; i++)
		env[i] = big;
	env[63] = NULL;
	memset(&st, 0, sizeof(st));
	r = read_one(bt_build_proc_start(rec, sizeof(rec), &st, &in),
		     BT_REC_PROC_START);
	bt_record_fixed(&r, &got, sizeof(got));
	assert_int_equal(got.argc, BT_MAX_ARGS + 10);
	assert_int_equal(got.argc_kept, BT_MAX_ARGS);
	assert_true(got.flags & BT_START_ARGV_TRUNCATED);
	assert_true(got.flags & BT_START_ENV_TRUNCATED);
	assert_true(got.envc > 0 && got.envc < 63);
	assert_true(r.size <= BT_MAX_RECORD);
}

/* Strings are cut with the mark at the limits the shim has always used
 * (written out here: a changed BT_STR_* changes the trace's bytes). */
static void test_string_limits(void **state)
{
	static char longer[4096];
	struct bt_rec_exec ex = {1, BT_API_EXECVE, 0};
	struct bt_rec_spawn sp = {1, 2, 3, BT_API_SYSTEM, 0, 0};
	struct bt_rec_module m;
	struct bt_rec_thread t = {1, 2, 3, 1};
	struct bt_record r;
	const char *str[4];
	size_t mark = strlen(BT_TRUNC_MARK);
	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);

	r = read_one(bt_build_exec(rec, sizeof(rec), &ex, longer), BT_REC_EXEC);
	assert_int_equal(strings(&r, str, 4), 1);
	assert_int_equal(strlen(str[0]), 1024 + mark);
	assert_non_null(strstr(str[0], BT_TRUNC_MARK));

	r = read_one(bt_build_spawn(rec, sizeof(rec), &sp, longer),
		     BT_REC_SPAWN);
	assert_int_equal(strings(&r, str, 4), 1);
	assert_int_equal(strlen(str[0]), 1024 + mark);

	memset(&m, 0, sizeof(m));
	m.start = 0x1000;
	m.end = 0x2000;
	m.event = BT_MODULE_LOADED;
	r = read_one(bt_build_module(rec, sizeof(rec), &m, longer, NULL),
		     BT_REC_MODULE);
	assert_int_equal(strings(&r, str, 4), 2);
	assert_int_equal(strlen(str[0]), 2048 + mark);
	assert_string_equal(str[1], ""); /* no build-id */

	r = read_one(bt_build_thread(rec, sizeof(rec), &t, "rustc"),
		     BT_REC_THREAD);
	assert_int_equal(strings(&r, str, 4), 1);
	assert_string_equal(str[0], "rustc");
	r = read_one(bt_build_thread(rec, sizeof(rec), &t, longer),
		     BT_REC_THREAD);
	assert_int_equal(strings(&r, str, 4), 1);
	assert_int_equal(strlen(str[0]), 32 + mark);

	{
		char *argv[] = {"x", NULL};
		struct bt_argv_in cmd = {argv, NULL};
		struct bt_start_in in = {
		    longer, longer, {argv, NULL}, NULL, NULL};
		struct bt_rec_session se;
		struct bt_rec_proc_start st;
		memset(&se, 0, sizeof(se));
		memset(&st, 0, sizeof(st));
		r = read_one(
		    bt_build_session(rec, sizeof(rec), &se, longer, &cmd),
		    BT_REC_SESSION);
		assert_int_equal(strings(&r, str, 4), 2);
		assert_int_equal(strlen(str[0]), 64 + mark);
		r = read_one(bt_build_proc_start(rec, sizeof(rec), &st, &in),
			     BT_REC_PROC_START);
		assert_int_equal(strings(&r, str, 4), 3);
		assert_int_equal(strlen(str[0]), 1023 + mark);
		assert_int_equal(strlen(str[1]), 1023 + mark);
	}
}

/* The records that are a fixed body alone come back as they were given. */
static void test_fixed_bodies(void **state)
{
	struct bt_rec_exec_failed ef = {7, 2, BT_API_EXECVP}, ef2;
	struct bt_rec_reap rp, rp2;
	struct bt_rec_proc_end pe, pe2;
	struct bt_rec_dropped d = {9, 3, 300}, d2;
	struct bt_rec_sampling s, s2;
	struct bt_rec_sampler_end se, se2;
	struct bt_record r;
	(void)state;

	r = read_one(bt_build_exec_failed(rec, sizeof(rec), &ef),
		     BT_REC_EXEC_FAILED);
	bt_record_fixed(&r, &ef2, sizeof(ef2));
	assert_memory_equal(&ef, &ef2, sizeof(ef));
	assert_int_equal(r.strings_len, 0);

	memset(&rp, 0, sizeof(rp));
	rp.child_pid = 99;
	rp.api = BT_API_WAIT4;
	rp.wait_status = 3 << 8;
	rp.ru.maxrss_kib = 1024;
	r = read_one(bt_build_reap(rec, sizeof(rec), &rp), BT_REC_REAP);
	bt_record_fixed(&r, &rp2, sizeof(rp2));
	assert_memory_equal(&rp, &rp2, sizeof(rp));

	memset(&pe, 0, sizeof(pe));
	pe.exit_status = 7;
	pe.flags = BT_END_STATUS_KNOWN;
	pe.ru_children.utime_us = 42;
	r = read_one(bt_build_proc_end(rec, sizeof(rec), &pe), BT_REC_PROC_END);
	bt_record_fixed(&r, &pe2, sizeof(pe2));
	assert_memory_equal(&pe, &pe2, sizeof(pe));

	r = read_one(bt_build_dropped(rec, sizeof(rec), &d), BT_REC_DROPPED);
	bt_record_fixed(&r, &d2, sizeof(d2));
	assert_memory_equal(&d, &d2, sizeof(d));

	memset(&s, 0, sizeof(s));
	s.hz = 250;
	s.flags = BT_SAMPLING_ACTIVE;
	r = read_one(bt_build_sampling(rec, sizeof(rec), &s), BT_REC_SAMPLING);
	bt_record_fixed(&r, &s2, sizeof(s2));
	assert_memory_equal(&s, &s2, sizeof(s));

	memset(&se, 0, sizeof(se));
	se.taken = 10;
	se.written = 9;
	r = read_one(bt_build_sampler_end(rec, sizeof(rec), &se),
		     BT_REC_SAMPLER_END);
	bt_record_fixed(&r, &se2, sizeof(se2));
	assert_memory_equal(&se, &se2, sizeof(se));
}

/* A record that does not fit is 0, never a partial record. */
static void test_too_small(void **state)
{
	char *argv[] = {"x", NULL};
	struct bt_argv_in cmd = {argv, NULL};
	struct bt_start_in in = {"/x", "/", {argv, NULL}, NULL, NULL};
	struct bt_rec_session s;
	struct bt_rec_proc_start st;
	struct bt_rec_proc_end pe;
	struct bt_rec_exec ex = {1, 1, 0};
	struct bt_rec_module m;
	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&st, 0, sizeof(st));
	memset(&pe, 0, sizeof(pe));
	memset(&m, 0, sizeof(m));
	assert_int_equal(bt_build_session(rec, 16, &s, "v", &cmd), 0);
	assert_int_equal(bt_build_proc_start(rec, 16, &st, &in), 0);
	assert_int_equal(bt_build_proc_end(rec, sizeof(pe), &pe), 0);
	assert_int_equal(bt_build_exec(rec, 16, &ex, "/bin/sh"), 0);
	assert_int_equal(bt_build_module(rec, 90, &m, "/lib/libc.so.6",
					 "0123456789abcdef0123456789abcdef"),
			 0);
}

/* Samples go into a batch until it is full; each batch reads back with
 * its count and every sample as it went in. */
static void test_samples_batches(void **state)
{
	struct bt_samples_batch b;
	struct bt_sample_head h;
	uint64_t pcs[BT_MAX_DEPTH];
	uint32_t added = 0;
	size_t len, off = 0, n;
	struct bt_record r;
	struct bt_rec_samples hdr;
	(void)state;
	memset(&h, 0, sizeof(h));
	h.tid = 7;
	h.depth = BT_MAX_DEPTH;
	h.flags = BT_SAMPLE_CUT;
	h.weight = 1;
	for (int i = 0; i < BT_MAX_DEPTH; i++)
		pcs[i] = 0x1000 + (uint64_t)i;
	bt_samples_begin(&b, rec, sizeof(rec));
	for (;;) {
		h.mono_ns = added;
		if (bt_samples_add(&b, &h, pcs) < 0)
			break;
		added++;
	}
	n = BT_MAX_RECORD / (sizeof(h) + sizeof(pcs));
	assert_true(added == n || added == n - 1);
	assert_int_equal(b.count, added);
	len = bt_samples_end(&b);
	assert_true(len <= BT_MAX_RECORD);
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	assert_int_equal(r.type, BT_REC_SAMPLES);
	bt_record_fixed(&r, &hdr, sizeof(hdr));
	assert_int_equal(hdr.count, added);
	assert_int_equal(r.strings_len, added * (sizeof(h) + sizeof(pcs)));
	for (uint32_t i = 0; i < added; i++) {
		const char *p =
		    r.strings + (size_t)i * (sizeof(h) + sizeof(pcs));
		struct bt_sample_head g;
		memcpy(&g, p, sizeof(g));
		assert_int_equal(g.mono_ns, i);
		assert_int_equal(g.depth, BT_MAX_DEPTH);
		assert_memory_equal(p + sizeof(g), pcs, sizeof(pcs));
	}

	/* A buffer too small for the header: nothing goes in, nothing out. */
	bt_samples_begin(&b, rec, 8);
	assert_int_equal(bt_samples_add(&b, &h, pcs), -1);
	assert_int_equal(bt_samples_end(&b), 0);
}

static void test_rusage(void **state)
{
	struct rusage ru;
	struct bt_rusage out;
	(void)state;
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = 2;
	ru.ru_utime.tv_usec = 500;
	ru.ru_stime.tv_sec = 1;
	ru.ru_maxrss = 4096;
	ru.ru_minflt = 5;
	ru.ru_majflt = 6;
	ru.ru_nvcsw = 7;
	ru.ru_nivcsw = 8;
	ru.ru_inblock = 9;
	ru.ru_oublock = 10;
	bt_rusage_from(&ru, &out);
	assert_int_equal(out.utime_us, 2000500);
	assert_int_equal(out.stime_us, 1000000);
	assert_int_equal(out.maxrss_kib, 4096);
	assert_int_equal(out.minflt, 5);
	assert_int_equal(out.majflt, 6);
	assert_int_equal(out.nvcsw, 7);
	assert_int_equal(out.nivcsw, 8);
	assert_int_equal(out.inblock, 9);
	assert_int_equal(out.oublock, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session),
	    cmocka_unit_test(test_proc_start),
	    cmocka_unit_test(test_proc_start_env_keep),
	    cmocka_unit_test(test_proc_start_truncated),
	    cmocka_unit_test(test_string_limits),
	    cmocka_unit_test(test_fixed_bodies),
	    cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_samples_batches),
	    cmocka_unit_test(test_rusage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
