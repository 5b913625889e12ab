/* make_seeds.c - writes a few valid trace files (one of each record kind)
 * as the fuzzer's seed corpus.  usage: make_seeds DIR */
#include <stdio.h>
#include <string.h>

#include "trace_codec.h"
#include "trace_records.h"

static char buf[1 << 16];
static size_t len;

static void add(const char *rec, size_t n)
{
	memcpy(buf + len, rec, n);
	len += n;
}

static int save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(buf, 1, len, f);
	return fclose(f);
}

int main(int argc, char **argv)
{
	char rec[4096];
	char *av[] = {"rustc", "--crate-name", "x", NULL};
	char *env[] = {"CARGO_PKG_NAME=x", NULL};
	struct bt_file_header h;
	if (argc != 2)
		return 2;
	bt_file_header_init(&h, 7, 8, "seed");
	memcpy(buf, &h, sizeof(h));
	len = sizeof(h);
	{
		struct bt_rec_proc_start st = {7, 1, 8, 100, 0, 0, 0, 0, 0, 7};
		struct bt_start_in in = {
		    "/bin/rustc", "/", {av, NULL}, env, NULL};
		add(rec, bt_build_proc_start(rec, sizeof(rec), &st, &in));
	}
	{
		struct bt_rec_spawn sp = {110, 120, 9, BT_API_POSIX_SPAWNP,
					  0,   0};
		add(rec, bt_build_spawn(rec, sizeof(rec), &sp, "cc"));
	}
	{
		struct bt_rec_module m = {0};
		m.start = 0x1000;
		m.end = 0x9000;
		m.event = BT_MODULE_LOADED;
		add(rec, bt_build_module(rec, sizeof(rec), &m,
					 "/lib/librustc_driver.so", "abcdef"));
	}
	{
		struct bt_samples_batch b;
		struct bt_sample_head sh = {130, 7, 2, BT_SAMPLE_COMPLETE,
					    1,	 0};
		uint64_t pcs[2] = {0x1234, 0x5678};
		bt_samples_begin(&b, rec, sizeof(rec));
		bt_samples_add(&b, &sh, pcs);
		bt_samples_add(&b, &sh, pcs);
		add(rec, bt_samples_end(&b));
	}
	{
		struct bt_rec_thread th = {140, 5000, 7, 1};
		add(rec, bt_build_thread(rec, sizeof(rec), &th, "opt cgu.0"));
	}
	{
		struct bt_rec_reap rp;
		memset(&rp, 0, sizeof(rp));
		rp.child_pid = 9;
		add(rec, bt_build_reap(rec, sizeof(rec), &rp));
	}
	{
		struct bt_rec_proc_end pe;
		memset(&pe, 0, sizeof(pe));
		pe.flags = BT_END_STATUS_KNOWN;
		add(rec, bt_build_proc_end(rec, sizeof(rec), &pe));
	}
	if (save(argv[1], "full.btr") < 0)
		return 1;
	/* The same with checks recomputed by the fuzz target (reserved1). */
	h.reserved1 = 1;
	h.header_check = 0;
	h.header_check = bt_check32(&h, sizeof(h));
	memcpy(buf, &h, sizeof(h));
	if (save(argv[1], "fix.btr") < 0)
		return 1;
	len = sizeof(h) + 40; /* a cut-off copy */
	if (save(argv[1], "cut.btr") < 0)
		return 1;
	/* Version 4: a fork child's image, its exec, and the image it
	 * exec'd appended to the same file. */
	bt_file_header_init(&h, 9, 8, "seed");
	memcpy(buf, &h, sizeof(h));
	len = sizeof(h);
	{
		struct bt_rec_proc_start st = {9, 7, 8, 150, BT_START_FORKED,
					       0, 0, 0, 0,   9};
		struct bt_start_in in = {
		    "/bin/rustc", "/", {av, NULL}, env, NULL};
		add(rec, bt_build_proc_start(rec, sizeof(rec), &st, &in));
	}
	{
		struct bt_rec_exec ex = {160, BT_API_EXECVP, 1};
		add(rec, bt_build_exec(rec, sizeof(rec), &ex, "cc"));
	}
	{
		struct bt_rec_proc_start st = {9, 7, 8, 170, BT_START_APPENDED,
					       0, 0, 0, 0,   9};
		struct bt_start_in in = {
		    "/usr/bin/cc", "/", {av, NULL}, env, NULL};
		add(rec, bt_build_proc_start(rec, sizeof(rec), &st, &in));
	}
	{
		struct bt_rec_proc_end pe;
		memset(&pe, 0, sizeof(pe));
		pe.flags = BT_END_STATUS_KNOWN;
		add(rec, bt_build_proc_end(rec, sizeof(rec), &pe));
	}
	return save(argv[1], "chain.btr") < 0 ? 1 : 0;
}
