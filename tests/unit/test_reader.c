/* test_reader.c - the trace reader rebuilds processes: exec chains, reaps,
 * pid reuse, missing ends, and refuses unusable traces with a reason. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/trace_reader.h"
#include "trace_records.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/btrace-reader.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A trace file being built. */
struct tf {
	FILE *f;
};

static struct tf tf_open(const char *name, uint32_t pid, uint64_t ticks)
{
	char path[256];
	struct bt_file_header h;
	struct tf t;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	t.f = fopen(path, "wb");
	assert_non_null(t.f);
	bt_file_header_init(&h, pid, ticks, "s");
	fwrite(&h, sizeof(h), 1, t.f);
	return t;
}

static void tf_start(struct tf *t, uint32_t pid, uint32_t ppid, uint64_t ticks,
		     uint64_t ns, const char *exe, const char *arg1)
{
	char rec[4096]; /* room for an environment entry */
	char *argv[] = {(char *)exe, (char *)arg1, NULL};
	char *env[] = {"CARGO_PKG_NAME=demo", NULL};
	struct bt_start_in in = {exe, "/w", {argv, NULL}, env, NULL};
	struct bt_rec_proc_start st;
	memset(&st, 0, sizeof(st));
	st.pid = pid;
	st.ppid = ppid;
	st.start_ticks = ticks;
	st.mono_ns = ns;
	fwrite(rec, bt_build_proc_start(rec, sizeof(rec), &st, &in), 1, t->f);
}

static void tf_end(struct tf *t, uint64_t ns, int status)
{
	char rec[512];
	struct bt_rec_proc_end pe;
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = ns;
	pe.exit_status = status;
	pe.flags = BT_END_STATUS_KNOWN;
	pe.ru.utime_us = 1000;
	fwrite(rec, bt_build_proc_end(rec, sizeof(rec), &pe), 1, t->f);
}

static void tf_reap(struct tf *t, uint64_t ns, uint32_t child, int status)
{
	char rec[512];
	struct bt_rec_reap rp;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = ns;
	rp.child_pid = child;
	rp.wait_status = status;
	rp.ru.utime_us = 2000;
	fwrite(rec, bt_build_reap(rec, sizeof(rec), &rp), 1, t->f);
}

static void tf_spawn(struct tf *t, uint64_t ns, uint32_t child)
{
	char rec[512];
	struct bt_rec_spawn sp;
	memset(&sp, 0, sizeof(sp));
	sp.mono_ns = ns;
	sp.done_ns = ns + 10;
	sp.child_pid = child;
	sp.api = BT_API_POSIX_SPAWNP;
	fwrite(rec, bt_build_spawn(rec, sizeof(rec), &sp, "x"), 1, t->f);
}

static void tf_exec(struct tf *t, uint64_t ns, const char *path)
{
	char rec[512];
	struct bt_rec_exec ex;
	memset(&ex, 0, sizeof(ex));
	ex.mono_ns = ns;
	ex.api = BT_API_EXECVP;
	fwrite(rec, bt_build_exec(rec, sizeof(rec), &ex, path), 1, t->f);
}

static void tf_session(struct tf *t, uint64_t ns, uint32_t root_pid)
{
	char rec[512];
	char *cmd[] = {"cargo", "build", NULL};
	struct bt_argv_in in = {cmd, NULL};
	struct bt_rec_session s;
	memset(&s, 0, sizeof(s));
	s.mono_ns = ns;
	s.root_pid = root_pid;
	fwrite(rec, bt_build_session(rec, sizeof(rec), &s, "0.1.0", &in), 1,
	       t->f);
}

static void tf_close(struct tf *t)
{
	fclose(t->f);
}

static const struct bt_proc *find(const struct bt_trace *t, uint32_t pid,
				  int nth)
{
	for (size_t i = 0; i < t->n_procs; i++)
		if (t->procs[i].pid == pid && nth-- == 0)
			return &t->procs[i];
	return NULL;
}

static void test_tree_chains_reaps_reuse(void **state)
{
	struct bt_trace t;
	char err[256];
	const struct bt_proc *p, *c;
	struct tf f;
	(void)state;

	/* 100: the rustup proxy becoming cargo (two images, same ticks) */
	f = tf_open("100-5-0.btr", 100, 5);
	tf_start(&f, 100, 1, 5, 1000, "/bin/rustup", "build");
	tf_spawn(&f, 1500, 200);
	tf_reap(&f, 3000, 200, 0);
	tf_spawn(&f, 3100, 200);
	tf_reap(&f, 4000, 200, SIGKILL);
	tf_exec(&f, 4100, "cargo");
	tf_close(&f);
	f = tf_open("100-5-1.btr", 100, 5);
	tf_start(&f, 100, 1, 5, 1200, "/bin/cargo", "build");
	tf_end(&f, 5000, 0);
	tf_close(&f);
	/* 200 twice: a reused pid (other ticks) */
	f = tf_open("200-7-0.btr", 200, 7);
	tf_start(&f, 200, 100, 7, 1600, "/bin/rustc", "a.rs");
	tf_end(&f, 2900, 0);
	tf_close(&f);
	f = tf_open("200-9-0.btr", 200, 9);
	tf_start(&f, 200, 100, 9, 3200, "/bin/rustc", "b.rs");
	tf_close(&f); /* killed: no end of its own */

	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_images, 4);
	assert_int_equal(t.n_procs, 3);
	assert_int_equal(t.n_problems, 0);

	p = find(&t, 100, 0);
	assert_non_null(p);
	assert_int_equal(p->n_images, 2);
	assert_string_equal(p->images[0]->exe, "/bin/rustup");
	assert_string_equal(bt_proc_last(p)->exe, "/bin/cargo");
	assert_int_equal(p->start_ns, 1000);
	assert_int_equal(p->end_ns, 5000);
	assert_int_equal(p->exit_code, 0);
	assert_string_equal(bt_image_env(bt_proc_last(p), "CARGO_PKG_NAME"),
			    "demo");
	assert_null(bt_image_env(bt_proc_last(p), "PATH"));

	c = find(&t, 200, 0);
	assert_non_null(c);
	assert_string_equal(bt_proc_last(c)->argv[1], "a.rs");
	assert_ptr_equal(c->parent, p);
	assert_int_equal(c->start_ns, 1500); /* the spawn time, earlier */
	/* reaped 100 ns after its exit record: the reap ends it (the
	 * kernel's teardown belongs to its lifetime) */
	assert_int_equal(c->end_ns, 3000);
	assert_true(c->reaped);
	assert_int_equal(c->exit_code, 0);
	assert_int_equal(c->cpu_us, 1000); /* RUSAGE_SELF from its end */

	c = find(&t, 200, 1);
	assert_non_null(c);
	assert_string_equal(bt_proc_last(c)->argv[1], "b.rs");
	assert_int_equal(c->start_ns, 3100);
	assert_true(c->end_known);
	assert_int_equal(c->end_ns, 4000); /* from the reap */
	assert_int_equal(c->signal, SIGKILL);
	assert_int_equal(c->exit_code, -1);
	assert_int_equal(c->cpu_us, 2000); /* from the reap's rusage */
	bt_trace_free(&t);
}

/* A parent that reaps long after the exit (here 1 s) does not stretch the
 * child's lifetime: its own end stands. */
static void test_late_reap_keeps_own_end(void **state)
{
	struct bt_trace t;
	char err[256];
	struct tf f;
	(void)state;
	f = tf_open("400-1-0.btr", 400, 1);
	tf_start(&f, 400, 1, 1, 1000, "/bin/make", "all");
	tf_spawn(&f, 1100, 500);
	tf_reap(&f, 2000 + 1000000000ull, 500, 0);
	tf_end(&f, 3000 + 1000000000ull, 0);
	tf_close(&f);
	f = tf_open("500-2-0.btr", 500, 2);
	tf_start(&f, 500, 400, 2, 1200, "/bin/cc", "x.c");
	tf_end(&f, 2000, 0);
	tf_close(&f);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_procs, 2);
	assert_int_equal(find(&t, 500, 0)->end_ns, 2000);
	assert_true(find(&t, 500, 0)->reaped);
	bt_trace_free(&t);
}

/* Records that put a process's end before its start never give a negative
 * duration (dump showed 18446744073.703 s): 0, with a warning. */
static void test_end_before_start(void **state)
{
	struct bt_trace t;
	char err[256];
	struct tf f;
	(void)state;
	f = tf_open("600-1-0.btr", 600, 1);
	tf_start(&f, 600, 1, 1, 5000, "/usr/bin/mold", "-o");
	tf_end(&f, 4000, 0);
	tf_close(&f);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_procs, 1);
	assert_true(t.procs[0].end_known);
	assert_int_equal(t.procs[0].end_ns, t.procs[0].start_ns);
	assert_true(t.n_warnings > 0);
	assert_non_null(strstr(t.warnings[t.n_warnings - 1], "precedes"));
	bt_trace_free(&t);
}

static void test_missing_end_is_a_problem(void **state)
{
	struct bt_trace t;
	char err[256];
	struct tf f = tf_open("300-1-0.btr", 300, 1);
	(void)state;
	tf_start(&f, 300, 1, 1, 10, "/bin/cargo", "build");
	tf_close(&f);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_procs, 1);
	assert_false(t.procs[0].end_known);
	assert_true(t.n_problems > 0);
	assert_non_null(strstr(t.warnings[0], "no end"));
	bt_trace_free(&t);
}

static int warned(const struct bt_trace *t, const char *what)
{
	for (size_t i = 0; i < t->n_warnings; i++)
		if (strstr(t->warnings[i], what))
			return 1;
	return 0;
}

/* A file cut at a record boundary loses its tail unseen unless its last
 * record is known: every image but a process's last one ends in EXEC
 * (a fork child's samples before its exec were lost this way), and
 * btrace record's session file ends in the command's REAP. */
static void test_lost_tail_is_a_problem(void **state)
{
	struct bt_trace t;
	char err[256];
	struct tf f;
	(void)state;
	for (int whole = 0; whole < 2; whole++) {
		f = tf_open("50-0-0.btr", 50, 0); /* btrace record's */
		tf_session(&f, 5, 400);
		if (whole)
			tf_reap(&f, 60, 400, 0);
		tf_close(&f);
		f = tf_open("400-1-0.btr", 400, 1); /* a fork child */
		tf_start(&f, 400, 50, 1, 10, "/bin/cargo", "build");
		if (whole)
			tf_exec(&f, 20, "rustc");
		tf_close(&f);
		f = tf_open("400-1-1.btr", 400, 1); /* what it exec'd */
		tf_start(&f, 400, 50, 1, 30, "/bin/rustc", "a.rs");
		tf_end(&f, 50, 0);
		tf_close(&f);
		assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
		assert_int_equal(t.n_procs, 1);
		assert_int_equal(t.procs[0].n_images, 2);
		if (whole) {
			assert_int_equal(t.n_problems, 0);
		} else {
			assert_int_equal(t.n_problems, 2);
			assert_true(
			    warned(&t, "400-1-0.btr has no exec record"));
			assert_true(warned(&t, "no reap of the command"));
		}
		bt_trace_free(&t);
	}
}

static void tf_dropped(struct tf *t, uint64_t ns, uint64_t records,
		       uint64_t bytes)
{
	char rec[128];
	struct bt_rec_dropped d = {ns, records, bytes};
	fwrite(rec, bt_build_dropped(rec, sizeof(rec), &d), 1, t->f);
}

/* DROPPED records (issue 14, defect 11): summed per image, and a file
 * that lost records is a problem with a warning that says so. */
static void test_dropped_records(void **state)
{
	struct bt_trace t;
	char err[256];
	int warned = 0;
	struct tf f = tf_open("310-1-0.btr", 310, 1);
	(void)state;
	tf_start(&f, 310, 1, 1, 10, "/bin/cargo", "build");
	tf_dropped(&f, 20, 2, 300);
	tf_spawn(&f, 30, 311);
	tf_dropped(&f, 40, 3, 150);
	tf_end(&f, 50, 0);
	tf_close(&f);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_images, 1);
	assert_int_equal(t.images[0].dropped_records, 5);
	assert_int_equal(t.images[0].dropped_bytes, 450);
	assert_int_equal(t.images[0].n_unknown, 0);
	assert_int_equal(t.images[0].n_spawns, 1);
	assert_true(t.procs[0].end_known);
	assert_true(t.n_problems > 0);
	for (size_t i = 0; i < t.n_warnings; i++)
		warned |= strstr(t.warnings[i], "5 records (450 bytes) could "
						"not be written") != NULL;
	assert_true(warned);
	bt_trace_free(&t);
}

static void test_truncated_and_garbage_files(void **state)
{
	struct bt_trace t;
	char err[256], path[256];
	struct tf f = tf_open("400-1-0.btr", 400, 1);
	FILE *g;
	(void)state;
	tf_start(&f, 400, 1, 1, 10, "/bin/cargo", "build");
	tf_end(&f, 20, 0);
	fwrite("\x40\x00\x00\x00\x07\x00", 6, 1, f.f); /* a cut-off record */
	tf_close(&f);
	snprintf(path, sizeof(path), "%s/junk.btr", dir);
	g = fopen(path, "w");
	fputs("this is not a trace", g);
	fclose(g);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_procs, 1);
	assert_true(t.procs[0].end_known);
	assert_int_equal(t.n_problems, 2);
	{
		int cut = 0, junk = 0;
		for (size_t i = 0; i < t.n_warnings; i++) {
			cut += strstr(t.warnings[i], "cut off") != NULL;
			junk += strstr(t.warnings[i], "junk.btr") != NULL;
		}
		assert_int_equal(cut, 1);
		assert_int_equal(junk, 1);
	}
	bt_trace_free(&t);
}

/* A version 2 file (64-byte header, records without checks) is still
 * read in full. */
static void test_version2_file(void **state)
{
	struct bt_trace t;
	char err[256], path[256], rec[1024];
	char *argv[] = {"/bin/cargo", "build", NULL};
	struct bt_start_in in = {"/bin/cargo", "/w", {argv, NULL}, NULL, NULL};
	struct bt_file_header h;
	struct bt_rec_proc_start st;
	struct bt_rec_proc_end pe;
	uint32_t size;
	FILE *g;
	(void)state;
	snprintf(path, sizeof(path), "%s/500-1-0.btr", dir);
	g = fopen(path, "wb");
	assert_non_null(g);
	bt_file_header_init(&h, 500, 1, "s");
	h.version = 2;
	h.min_reader_version = 1;
	h.header_size = BT_HEADER_V2_SIZE;
	h.flags = 0;
	fwrite(&h, BT_HEADER_V2_SIZE, 1, g);
	memset(&st, 0, sizeof(st));
	st.pid = 500;
	st.ppid = 1;
	st.start_ticks = 1;
	st.mono_ns = 10;
	/* as v2: the same record without its check */
	size = (uint32_t)bt_build_proc_start(rec, sizeof(rec), &st, &in) -
	       BT_RECORD_CHECK_SIZE;
	memcpy(rec, &size, sizeof(size));
	fwrite(rec, size, 1, g);
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = 20;
	pe.flags = BT_END_STATUS_KNOWN;
	pe.ru.utime_us = 5000;
	size = (uint32_t)bt_build_proc_end(rec, sizeof(rec), &pe) -
	       BT_RECORD_CHECK_SIZE;
	memcpy(rec, &size, sizeof(size));
	fwrite(rec, size, 1, g);
	fclose(g);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_problems, 0);
	assert_int_equal(t.n_procs, 1);
	assert_true(t.procs[0].end_known);
	assert_int_equal(t.procs[0].cpu_us, 5000);
	assert_int_equal(t.procs[0].images[0]->start.argc_kept, 2);
	assert_string_equal(t.procs[0].images[0]->argv[1], "build");
	bt_trace_free(&t);
}

/* Pages of [P, P + LEN) mapped into this process (/proc/self/pagemap's
 * present bit), or -1 if it cannot be read. */
static long present_pages(const void *p, size_t len)
{
	long ps = sysconf(_SC_PAGESIZE), n = 0;
	uintptr_t a = (uintptr_t)p / (uintptr_t)ps,
		  b = ((uintptr_t)p + len + (uintptr_t)ps - 1) / (uintptr_t)ps;
	FILE *f = fopen("/proc/self/pagemap", "rb");
	if (!f)
		return -1;
	for (uintptr_t i = a; i < b; i++) {
		uint64_t e;
		if (fseeko(f, (off_t)(i * 8), SEEK_SET) < 0 ||
		    fread(&e, sizeof(e), 1, f) != 1) {
			fclose(f);
			return -1;
		}
		n += (e >> 63) & 1;
	}
	fclose(f);
	return n;
}

/* A file big enough to be mapped: its strings are copied, so reading
 * them after its pages were dropped maps none of the file back (one byte
 * read maps the whole folio around it: the model reads every argv after
 * the profile dropped the samples' pages). */
static void test_mapped_file_strings(void **state)
{
	struct bt_trace t;
	char err[256], rec[512];
	struct tf f = tf_open("600-1-0.btr", 600, 1);
	const struct bt_image *im;
	struct bt_rec_module m;
	struct bt_rec_thread th;
	size_t sum = 0;
	long n;
	(void)state;
	tf_start(&f, 600, 1, 1, 10, "/bin/rustc", "--crate-name=demo");
	memset(&m, 0, sizeof(m));
	m.mono_ns = 11;
	fwrite(rec,
	       bt_build_module(rec, sizeof(rec), &m, "/lib/libdemo.so", "ab12"),
	       1, f.f);
	memset(&th, 0, sizeof(th));
	th.tid = 601;
	fwrite(rec, bt_build_thread(rec, sizeof(rec), &th, "opt cgu.00"), 1,
	       f.f);
	for (int i = 0; i < 2000; i++) /* 100+ KiB */
		tf_spawn(&f, 20 + (uint64_t)i, 0);
	tf_end(&f, 5000, 0);
	tf_close(&f);
	assert_int_equal(bt_trace_load(dir, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_images, 1);
	im = &t.images[0];
	assert_true(im->blob_mapped);
	assert_int_equal(im->n_spawns, 2000);
	assert_int_equal(im->n_modules, 1);
	assert_int_equal(im->n_threads, 1);
	bt_image_drop_pages(im);
	n = present_pages(im->blob, im->blob_len);
	if (n < 0) {
		bt_trace_free(&t);
		skip(); /* no pagemap */
	}
	assert_int_equal(n, 0);
	/* what the model reads */
	sum += strlen(im->exe) + strlen(im->cwd);
	for (uint32_t i = 0; i < im->start.argc_kept; i++)
		sum += strlen(im->argv[i]);
	for (uint32_t i = 0; i < im->start.envc; i++)
		sum += strlen(im->env[i]);
	for (size_t i = 0; i < im->n_spawns; i++)
		sum += strlen(im->spawns[i].what);
	sum += strlen(im->modules[0].path) + strlen(im->modules[0].build_id);
	sum += strlen(im->threads[0].name);
	assert_string_equal(im->argv[1], "--crate-name=demo");
	assert_string_equal(im->env[0], "CARGO_PKG_NAME=demo");
	assert_string_equal(im->spawns[1999].what, "x");
	assert_string_equal(im->modules[0].path, "/lib/libdemo.so");
	assert_string_equal(im->modules[0].build_id, "ab12");
	assert_string_equal(im->threads[0].name, "opt cgu.00");
	assert_true(sum > 0);
	assert_int_equal(present_pages(im->blob, im->blob_len), 0);
	bt_trace_free(&t);
}

static void test_unusable_traces(void **state)
{
	struct bt_trace t;
	char err[256], path[256], sub[200];
	struct bt_file_header h;
	FILE *g;
	(void)state;
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	assert_int_equal(bt_trace_load(sub, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));

	snprintf(sub, sizeof(sub), "%s/empty", dir);
	mkdir(sub, 0700);
	assert_int_equal(bt_trace_load(sub, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no trace files"));

	snprintf(path, sizeof(path), "%s/x.btr", sub);
	g = fopen(path, "w");
	fputs("garbage garbage garbage garbage garbage garbage garbage garbage",
	      g);
	fclose(g);
	assert_int_equal(bt_trace_load(sub, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "magic"));

	bt_file_header_init(&h, 1, 1, "s");
	h.version = 99;
	h.min_reader_version = 99;
	g = fopen(path, "w");
	fwrite(&h, sizeof(h), 1, g);
	fclose(g);
	assert_int_equal(bt_trace_load(sub, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));

	g = fopen(path, "w");
	fclose(g);
	assert_int_equal(bt_trace_load(sub, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tree_chains_reaps_reuse, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_late_reap_keeps_own_end, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_end_before_start, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_missing_end_is_a_problem,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_tail_is_a_problem, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dropped_records, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_and_garbage_files,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_version2_file, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unusable_traces, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_mapped_file_strings, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
