/* make_seeds.c - writes a few valid trace files (one of each record kind)
 * as the fuzzer's seed corpus.  usage: make_seeds DIR */
#include <stdio.h>
#include <string.h>

#include "trace_codec.h"

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
	struct bt_file_header h;
	struct bt_enc e;
	if (argc != 2)
		return 2;
	bt_file_header_init(&h, 7, 8, "seed");
	memcpy(buf, &h, sizeof(h));
	len = sizeof(h);
	{
		struct bt_rec_proc_start st = {7, 1, 8, 100, 0, 0, 0, 1, 0, 7};
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_START, &st,
			     sizeof(st));
		bt_enc_str(&e, "/bin/rustc", 64);
		bt_enc_str(&e, "/", 64);
		bt_enc_argv(&e, av, 1024, 16, &st.argc_kept, &st.argc);
		bt_enc_str(&e, "CARGO_PKG_NAME=x", 64);
		bt_enc_patch_fixed(&e, &st, sizeof(st));
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_spawn sp = {110, 120, 9, BT_API_POSIX_SPAWNP,
					  0,   0};
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SPAWN, &sp,
			     sizeof(sp));
		bt_enc_str(&e, "cc", 8);
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_module m = {0};
		m.start = 0x1000;
		m.end = 0x9000;
		m.event = BT_MODULE_LOADED;
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_MODULE, &m,
			     sizeof(m));
		bt_enc_str(&e, "/lib/librustc_driver.so", 64);
		bt_enc_str(&e, "abcdef", 64);
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_samples s = {2, 0};
		struct bt_sample_head sh = {130, 7, 2, BT_SAMPLE_COMPLETE,
					    1,	 0};
		uint64_t pcs[2] = {0x1234, 0x5678};
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLES, &s,
			     sizeof(s));
		bt_enc_bytes(&e, &sh, sizeof(sh));
		bt_enc_bytes(&e, pcs, sizeof(pcs));
		bt_enc_bytes(&e, &sh, sizeof(sh));
		bt_enc_bytes(&e, pcs, sizeof(pcs));
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_thread th = {140, 5000, 7, 1};
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_THREAD, &th,
			     sizeof(th));
		bt_enc_str(&e, "opt cgu.0", 16);
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_reap rp;
		memset(&rp, 0, sizeof(rp));
		rp.child_pid = 9;
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_REAP, &rp,
			     sizeof(rp));
		add(rec, bt_enc_end(&e));
	}
	{
		struct bt_rec_proc_end pe;
		memset(&pe, 0, sizeof(pe));
		pe.flags = BT_END_STATUS_KNOWN;
		bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_END, &pe,
			     sizeof(pe));
		add(rec, bt_enc_end(&e));
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
	return save(argv[1], "cut.btr") < 0 ? 1 : 0;
}
