/* test_codec.c - the record codec: round trips, argv bounding, cut-off
 * tails, unknown records, older bodies, bad headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace_codec.h"
#include "trace_records.h"

/* A file image: header plus records, built in memory. */
struct file {
	char buf[1 << 16];
	size_t len;
};

static void file_init(struct file *f)
{
	struct bt_file_header h;
	bt_file_header_init(&h, 42, 777, "sess-1");
	memcpy(f->buf, &h, sizeof(h));
	f->len = sizeof(h);
}

static void file_add(struct file *f, const char *rec, size_t len)
{
	assert_true(len > 0);
	assert_true(f->len + len <= sizeof(f->buf));
	memcpy(f->buf + f->len, rec, len);
	f->len += len;
}

static size_t make_start(char *buf, size_t cap, char *const argv[])
{
	char *env[] = {"CARGO_PKG_NAME=regex", NULL};
	struct bt_rec_proc_start st;
	struct bt_start_in in = {
	    "/usr/bin/rustc", "/work", {argv, NULL}, env, NULL};
	memset(&st, 0, sizeof(st));
	st.pid = 42;
	st.ppid = 41;
	st.start_ticks = 777;
	st.mono_ns = 123456789;
	return bt_build_proc_start(buf, cap, &st, &in);
}

static void test_round_trip_every_type(void **state)
{
	char rec[4096];
	char *argv[] = {"rustc", "--crate-name", "regex", "", NULL};
	struct file f;
	struct bt_record r;
	struct bt_file_header h;
	const char *why = NULL, *strs[16];
	size_t off;
	(void)state;

	file_init(&f);
	file_add(&f, rec, make_start(rec, sizeof(rec), argv));
	{
		struct bt_rec_spawn sp = {10, 20, 99, BT_API_POSIX_SPAWNP,
					  0,  1};
		file_add(&f, rec, bt_build_spawn(rec, sizeof(rec), &sp, "cc"));
	}
	{
		struct bt_rec_reap rp;
		memset(&rp, 0, sizeof(rp));
		rp.child_pid = 99;
		rp.wait_status = 3 << 8;
		rp.ru.utime_us = 5555;
		rp.ru.maxrss_kib = 1024;
		file_add(&f, rec, bt_build_reap(rec, sizeof(rec), &rp));
	}
	{
		struct bt_rec_proc_end pe;
		memset(&pe, 0, sizeof(pe));
		pe.exit_status = 7;
		pe.flags = BT_END_STATUS_KNOWN;
		pe.ru.stime_us = 42;
		file_add(&f, rec, bt_build_proc_end(rec, sizeof(rec), &pe));
	}

	assert_int_equal(bt_check_file_header(f.buf, f.len, &h, &why), 0);
	assert_int_equal(h.pid, 42);
	assert_int_equal(h.start_ticks, 777);
	assert_string_equal(h.session, "sess-1");
	off = h.header_size;

	assert_int_equal(bt_next_record(f.buf, f.len, &off, &r), BT_READ_OK);
	assert_int_equal(r.type, BT_REC_PROC_START);
	{
		struct bt_rec_proc_start st;
		bt_record_fixed(&r, &st, sizeof(st));
		assert_int_equal(st.pid, 42);
		assert_int_equal(st.ppid, 41);
		assert_int_equal(st.mono_ns, 123456789);
		assert_int_equal(st.argc, 4);
		assert_int_equal(st.argc_kept, 4);
		assert_int_equal(st.envc, 1);
	}
	assert_int_equal(bt_record_strings(&r, strs, 16), 7);
	assert_string_equal(strs[0], "/usr/bin/rustc");
	assert_string_equal(strs[1], "/work");
	assert_string_equal(strs[2], "rustc");
	assert_string_equal(strs[4], "regex");
	assert_string_equal(strs[5], ""); /* an empty argument survives */
	assert_string_equal(strs[6], "CARGO_PKG_NAME=regex");

	assert_int_equal(bt_next_record(f.buf, f.len, &off, &r), BT_READ_OK);
	assert_int_equal(r.type, BT_REC_SPAWN);
	{
		struct bt_rec_spawn sp;
		bt_record_fixed(&r, &sp, sizeof(sp));
		assert_int_equal(sp.child_pid, 99);
		assert_int_equal(sp.api, BT_API_POSIX_SPAWNP);
		assert_int_equal(sp.done_ns, 20);
	}
	assert_int_equal(bt_record_strings(&r, strs, 16), 1);
	assert_string_equal(strs[0], "cc");

	assert_int_equal(bt_next_record(f.buf, f.len, &off, &r), BT_READ_OK);
	assert_int_equal(r.type, BT_REC_REAP);
	{
		struct bt_rec_reap rp;
		bt_record_fixed(&r, &rp, sizeof(rp));
		assert_int_equal(rp.wait_status, 3 << 8);
		assert_int_equal(rp.ru.utime_us, 5555);
		assert_int_equal(rp.ru.maxrss_kib, 1024);
	}
	assert_int_equal(bt_next_record(f.buf, f.len, &off, &r), BT_READ_OK);
	assert_int_equal(r.type, BT_REC_PROC_END);
	{
		struct bt_rec_proc_end pe;
		bt_record_fixed(&r, &pe, sizeof(pe));
		assert_int_equal(pe.exit_status, 7);
		assert_int_equal(pe.ru.stime_us, 42);
	}
	assert_int_equal(bt_next_record(f.buf, f.len, &off, &r), BT_READ_END);
}

static void test_binary_payload(void **state)
{
	char rec[256];
	struct bt_enc e;
	struct bt_record r;
	struct bt_rec_samples hdr = {2, 0};
	uint64_t pcs[3] = {0x1000, 0x2000, 0x3000}, back[3];
	size_t off = 0, len;
	(void)state;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLES, &hdr, sizeof(hdr));
	assert_int_equal(bt_enc_bytes(&e, pcs, sizeof(pcs)), 0);
	len = bt_enc_end(&e);
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	assert_int_equal(r.strings_len, sizeof(pcs));
	memcpy(back, r.strings, sizeof(back));
	assert_memory_equal(back, pcs, sizeof(pcs));
	/* More bytes than fit: refused, the record is marked overflowed. */
	bt_enc_begin(&e, rec, 64, BT_REC_SAMPLES, &hdr, sizeof(hdr));
	assert_int_equal(bt_enc_bytes(&e, rec, 100), -1);
	assert_int_equal(bt_enc_end(&e), 0);
}

/* Cutting a file at any byte gives the whole records before the cut and
 * then a clean end or a truncated tail: never a bogus record. */
static void test_cut_at_every_byte(void **state)
{
	char rec[4096];
	char *argv[] = {"rustc", "-vV", NULL};
	struct file f;
	size_t ends[8], n = 0;
	(void)state;
	file_init(&f);
	for (int i = 0; i < 3; i++) {
		file_add(&f, rec, make_start(rec, sizeof(rec), argv));
		ends[n++] = f.len;
	}
	for (size_t cut = sizeof(struct bt_file_header); cut <= f.len; cut++) {
		size_t off = sizeof(struct bt_file_header), whole = 0;
		struct bt_record r;
		enum bt_read_status st;
		while ((st = bt_next_record(f.buf, cut, &off, &r)) ==
		       BT_READ_OK) {
			assert_int_equal(r.type, BT_REC_PROC_START);
			assert_true(off <= cut);
			whole++;
		}
		/* Exactly the records that end at or before the cut. */
		size_t expect = 0;
		for (size_t k = 0; k < n; k++)
			expect += ends[k] <= cut;
		assert_int_equal(whole, expect);
		if (cut == f.len || cut == ends[0] || cut == ends[1] ||
		    cut == sizeof(struct bt_file_header))
			assert_int_equal(st, BT_READ_END);
		else
			assert_int_equal(st, BT_READ_TRUNCATED);
	}
}

static void test_unknown_records_are_skipped(void **state)
{
	char rec[4096], odd[64];
	char *argv[] = {"ld.lld", NULL};
	struct file f;
	struct bt_record r;
	size_t off;
	int types[4], n = 0;
	struct bt_enc e;
	uint32_t body[3] = {1, 2, 3};
	(void)state;
	file_init(&f);
	file_add(&f, rec, make_start(rec, sizeof(rec), argv));
	bt_enc_begin(&e, odd, sizeof(odd), 999, body, sizeof(body));
	bt_enc_str(&e, "from the future", 64);
	file_add(&f, odd, bt_enc_end(&e));
	file_add(&f, rec, make_start(rec, sizeof(rec), argv));
	off = sizeof(struct bt_file_header);
	while (bt_next_record(f.buf, f.len, &off, &r) == BT_READ_OK)
		types[n++] = r.type;
	assert_int_equal(n, 3);
	assert_int_equal(types[0], BT_REC_PROC_START);
	assert_int_equal(types[1], 999);
	assert_int_equal(types[2], BT_REC_PROC_START);
	assert_string_equal(bt_record_type_name(999), "unknown");
}

/* An older writer's shorter body reads with the missing fields zeroed;
 * a newer writer's longer body is cut to what we know. */
static void test_fixed_body_sizes(void **state)
{
	char rec[256];
	struct bt_enc e;
	struct bt_record r;
	struct bt_rec_proc_end pe;
	uint64_t older[2] = {555,
			     0x0000000700000014ull}; /* mono_ns, api/status */
	unsigned char newer[sizeof(pe) + 16];
	size_t off = 0, len;
	(void)state;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_END, older,
		     sizeof(older));
	len = bt_enc_end(&e);
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	memset(&pe, 0xff, sizeof(pe));
	bt_record_fixed(&r, &pe, sizeof(pe));
	assert_int_equal(pe.mono_ns, 555);
	assert_int_equal(pe.api, 20);
	assert_int_equal(pe.exit_status, 7);
	assert_int_equal(pe.flags, 0);
	assert_int_equal(pe.ru.utime_us, 0);

	memset(newer, 0xab, sizeof(newer));
	memcpy(newer, older, sizeof(older));
	off = 0;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_END, newer,
		     sizeof(newer));
	bt_enc_str(&e, "tail", 16);
	len = bt_enc_end(&e);
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	assert_int_equal(r.fixed_size, sizeof(newer));
	bt_record_fixed(&r, &pe, sizeof(pe));
	assert_int_equal(pe.mono_ns, 555);
	{
		const char *s[2];
		assert_int_equal(bt_record_strings(&r, s, 2), 1);
		assert_string_equal(s[0], "tail");
	}
}

static void test_corrupt_sizes(void **state)
{
	struct bt_record_header rh;
	struct bt_record r;
	char buf[64];
	size_t off;
	(void)state;
	memset(buf, 0, sizeof(buf));
	/* size smaller than a header */
	rh.size = 4;
	rh.type = BT_REC_EXEC;
	rh.fixed_size = 0;
	memcpy(buf, &rh, sizeof(rh));
	off = 0;
	assert_int_equal(bt_next_record(buf, sizeof(buf), &off, &r),
			 BT_READ_CORRUPT);
	/* fixed body past the record */
	rh.size = 16;
	rh.fixed_size = 12;
	memcpy(buf, &rh, sizeof(rh));
	off = 0;
	assert_int_equal(bt_next_record(buf, sizeof(buf), &off, &r),
			 BT_READ_CORRUPT);
	/* absurd size */
	rh.size = 0x7fffffff;
	rh.fixed_size = 0;
	memcpy(buf, &rh, sizeof(rh));
	off = 0;
	assert_int_equal(bt_next_record(buf, sizeof(buf), &off, &r),
			 BT_READ_CORRUPT);
	/* strings without a final NUL */
	rh.size = 12;
	rh.fixed_size = 0;
	memcpy(buf, &rh, sizeof(rh));
	memcpy(buf + 8, "abcd", 4);
	off = 0;
	assert_int_equal(bt_read_record(buf, 12, &off, 0, &r), BT_READ_OK);
	assert_int_equal(bt_record_strings(&r, NULL, 0), -1);
}

/* Version 3 records end in a check: any flipped byte of a record (its
 * size included) is found, and the record is not returned. */
static void test_record_check(void **state)
{
	char rec[256], copy[256];
	struct bt_rec_exec ex = {123, BT_API_EXECVE, 0};
	struct bt_enc e;
	struct bt_record r;
	size_t len, off;
	(void)state;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_EXEC, &ex, sizeof(ex));
	bt_enc_str(&e, "/usr/bin/cc", 64);
	len = bt_enc_end(&e);
	assert_int_equal(len, 8 + sizeof(ex) + 12 + BT_RECORD_CHECK_SIZE);
	off = 0;
	assert_int_equal(bt_next_record(rec, len, &off, &r), BT_READ_OK);
	assert_int_equal(r.strings_len, 12); /* the check is not a string */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			enum bt_read_status st;
			memcpy(copy, rec, len);
			copy[i] ^= (char)(1 << bit);
			off = 0;
			st = bt_next_record(copy, len, &off, &r);
			assert_int_not_equal(st, BT_READ_OK);
			assert_int_equal(off, 0);
		}
	}
	/* An unchecked (version 2) reading of the same bytes sees the check
	 * as string bytes: the reader must go by the file's flags. */
	off = 0;
	assert_int_equal(bt_read_record(rec, len, &off, 0, &r), BT_READ_OK);
	assert_int_equal(r.strings_len, 12 + BT_RECORD_CHECK_SIZE);
}

static void test_bad_headers(void **state)
{
	struct bt_file_header h;
	char buf[sizeof(h) + 8];
	const char *why;
	(void)state;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(bt_check_file_header(buf, 0, NULL, &why), -1);
	assert_string_equal(why, "empty file");

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(bt_check_file_header(buf, sizeof(buf), NULL, &why),
			 -1);
	assert_non_null(strstr(why, "magic"));

	bt_file_header_init(&h, 1, 2, "s");
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(bt_check_file_header(buf, sizeof(h) - 1, NULL, &why),
			 -1);
	assert_non_null(strstr(why, "cut off"));

	h.endian_mark = 0x04030201u;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(bt_check_file_header(buf, sizeof(h), NULL, &why), -1);
	assert_non_null(strstr(why, "byte order"));

	bt_file_header_init(&h, 1, 2, "s");
	h.version = BT_FORMAT_VERSION + 5;
	h.min_reader_version = BT_FORMAT_VERSION + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(bt_check_file_header(buf, sizeof(h), NULL, &why), -1);
	assert_non_null(strstr(why, "newer"));

	/* A newer writer that older readers may still read is accepted. */
	h.min_reader_version = BT_FORMAT_VERSION;
	h.header_check = 0;
	h.header_check = bt_check32(&h, sizeof(h));
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(bt_check_file_header(buf, sizeof(h), NULL, &why), 0);

	/* Any flipped byte of a version 3 header is found. */
	bt_file_header_init(&h, 1, 2, "s");
	for (size_t i = BT_MAGIC_LEN; i < sizeof(h); i++) {
		memcpy(buf, &h, sizeof(h));
		buf[i] ^= 0x10;
		assert_int_equal(
		    bt_check_file_header(buf, sizeof(h), NULL, &why), -1);
	}

	/* A version 2 header (64 bytes, no checks) is still read. */
	bt_file_header_init(&h, 1, 2, "s");
	h.version = 2;
	h.min_reader_version = 1;
	h.header_size = BT_HEADER_V2_SIZE;
	h.flags = 0;
	memcpy(buf, &h, BT_HEADER_V2_SIZE);
	assert_int_equal(bt_check_file_header(buf, BT_HEADER_V2_SIZE, &h, &why),
			 0);
	assert_int_equal(h.pid, 1);
	assert_int_equal(h.flags & BT_FILE_CHECKED, 0);
}

/* argv bounding: counts, the cut mark, and never a byte past the buffer. */
static void test_argv_bounding(void **state)
{
	char big[5000];
	char *argv[6];
	char buf[1024 + 16];
	const char *s[16];
	struct bt_enc e;
	struct bt_record r;
	uint32_t kept, total;
	size_t off, len;
	int cut;
	(void)state;

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	argv[0] = "rustc";
	argv[1] = "--crate-name";
	argv[2] = big;
	argv[3] = "tail1";
	argv[4] = "tail2";
	argv[5] = NULL;

	/* canary around the buffer */
	memset(buf, 0x5a, sizeof(buf));
	bt_enc_begin(&e, buf + 8, 1024, BT_REC_EXEC, "", 0);
	cut = bt_enc_argv(&e, argv, 512, 100, &kept, &total);
	assert_int_equal(cut, 1);
	assert_int_equal(total, 5);
	assert_int_equal(kept, 3); /* the big one is cut and kept, then stop */
	len = bt_enc_end(&e);
	assert_true(len > 0 && len <= 1024);
	for (int i = 0; i < 8; i++) {
		assert_int_equal((unsigned char)buf[i], 0x5a);
		assert_int_equal((unsigned char)buf[8 + 1024 + i], 0x5a);
	}
	off = 0;
	assert_int_equal(bt_next_record(buf + 8, len, &off, &r), BT_READ_OK);
	assert_int_equal(bt_record_strings(&r, s, 16), 3);
	assert_string_equal(s[0], "rustc");
	assert_non_null(strstr(s[2], BT_TRUNC_MARK));
	assert_true(strlen(s[0]) + strlen(s[1]) + strlen(s[2]) + 3 <= 512);

	/* the argument count limit */
	bt_enc_begin(&e, buf, sizeof(buf), BT_REC_EXEC, "", 0);
	cut = bt_enc_argv(&e, argv, 4096, 2, &kept, &total);
	assert_int_equal(cut, 1);
	assert_int_equal(kept, 2);
	assert_int_equal(total, 5);

	/* nothing cut */
	argv[2] = "regex";
	bt_enc_begin(&e, buf, sizeof(buf), BT_REC_EXEC, "", 0);
	cut = bt_enc_argv(&e, argv, 4096, 100, &kept, &total);
	assert_int_equal(cut, 0);
	assert_int_equal(kept, 5);

	/* empty and NULL argv */
	{
		char *empty[] = {NULL};
		bt_enc_begin(&e, buf, sizeof(buf), BT_REC_EXEC, "", 0);
		assert_int_equal(
		    bt_enc_argv(&e, empty, 4096, 100, &kept, &total), 0);
		assert_int_equal(kept, 0);
		assert_int_equal(total, 0);
		assert_int_equal(
		    bt_enc_argv(&e, NULL, 4096, 100, &kept, &total), 0);
		assert_int_equal(total, 0);
	}

	/* A record buffer smaller than the argv budget: cut, never overrun. */
	memset(buf, 0x5a, sizeof(buf));
	argv[2] = big;
	bt_enc_begin(&e, buf + 8, 100, BT_REC_EXEC, "", 0);
	cut = bt_enc_argv(&e, argv, 4096, 100, &kept, &total);
	assert_int_equal(cut, 1);
	assert_true(bt_enc_end(&e) <= 100);
	for (int i = 0; i < 8; i++)
		assert_int_equal((unsigned char)buf[8 + 100 + i], 0x5a);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(bt_api_name(BT_API_POSIX_SPAWNP), "posix_spawnp");
	assert_string_equal(bt_api_name(BT_API__EXIT), "_exit");
	assert_string_equal(bt_api_name(12345), "unknown");
	assert_string_equal(bt_record_type_name(BT_REC_REAP), "reap");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_every_type),
	    cmocka_unit_test(test_binary_payload),
	    cmocka_unit_test(test_cut_at_every_byte),
	    cmocka_unit_test(test_unknown_records_are_skipped),
	    cmocka_unit_test(test_fixed_body_sizes),
	    cmocka_unit_test(test_corrupt_sizes),
	    cmocka_unit_test(test_record_check),
	    cmocka_unit_test(test_bad_headers),
	    cmocka_unit_test(test_argv_bounding),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
