/* test_symbolize.c - the symbolizer names PCs from ELF fixtures (a library
 * and a PIE at given biases, stripped copies, a separate debug file, a
 * changed and a missing module, dlopen'ed modules over time) and demangles
 * Rust and C++ names with libiberty. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "elf_layout.h"
#include "profile/symbolize.h"

#define SEC 1000000000ull
#define LIB_BIAS 0x7f1200000000ull
#define LIB_BIAS2 0x7f3400000000ull
#define PIE_BIAS 0x555555554000ull

/* ---- reading the fixtures (independently of the symbolizer) ---- */

struct fix_sym {
	uint64_t value, size;
};

/* Looks NAME up in E's .symtab, else .dynsym. */
static struct fix_sym elf_sym(Elf *e, const char *name)
{
	struct fix_sym r = {0, 0};
	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			Elf_Data *d;
			gelf_getshdr(scn, &sh);
			if (sh.sh_type != (pass ? SHT_DYNSYM : SHT_SYMTAB))
				continue;
			d = elf_getdata(scn, NULL);
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize;
			     i++) {
				GElf_Sym s;
				const char *n;
				gelf_getsym(d, (int)i, &s);
				n = elf_strptr(e, sh.sh_link, s.st_name);
				if (n && strcmp(n, name) == 0 && s.st_value) {
					r.value = s.st_value;
					r.size = s.st_size;
					return r;
				}
			}
		}
	}
	return r;
}

static struct fix_sym fix_sym(const char *path, const char *name)
{
	struct fix_sym r;
	int fd = open(path, O_RDONLY);
	Elf *e;
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	r = elf_sym(e, name);
	elf_end(e);
	close(fd);
	assert_int_not_equal(r.value, 0);
	return r;
}

static void fix_lay(const char *path, uint64_t lay[4])
{
	assert_int_equal(elf_file_layout(path, lay), 0);
}

/* ---- images built in memory ---- */

struct fake {
	struct bt_image img;
	struct bt_module mods[8];
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->img.modules = f->mods;
	f->img.cwd = "/";
}

static void fake_module_lay(struct fake *f, const char *path, const char *bid,
			    uint64_t bias, const uint64_t lay[4],
			    uint32_t event, uint64_t t)
{
	struct bt_module *m = &f->mods[f->img.n_modules++];
	assert_true(f->img.n_modules <= 8);
	m->path = path;
	m->build_id = bid;
	m->rec.mono_ns = t;
	m->rec.bias = bias;
	m->rec.start = bias + lay[0];
	m->rec.end = bias + lay[1];
	m->rec.exec_start = bias + lay[2];
	m->rec.exec_end = bias + lay[3];
	m->rec.event = event;
}

static void fake_module(struct fake *f, const char *path, const char *bid,
			uint64_t bias, uint32_t event, uint64_t t)
{
	uint64_t lay[4];
	fix_lay(path, lay);
	fake_module_lay(f, path, bid, bias, lay, event, t);
}

/* Symbolizes PC at time 1 s; checks the status, name and module. */
static const struct bt_func *expect(struct bt_symbolizer *s,
				    struct bt_image_syms *m, uint64_t pc,
				    enum bt_sym_status st, const char *name,
				    const char *module)
{
	const struct bt_func *f = bt_symbolize(s, m, pc, SEC);
	assert_non_null(f);
	if (f->status != st || (name && strcmp(f->name, name) != 0) ||
	    (module && strcmp(f->module, module) != 0))
		fail_msg("pc 0x%llx: got %s '%s' in '%s', want %s '%s' in "
			 "'%s'",
			 (unsigned long long)pc, bt_sym_status_name(f->status),
			 f->name, f->module, bt_sym_status_name(st),
			 name ? name : "*", module ? module : "*");
	assert_ptr_equal(bt_symbolizer_func(s, f->id), f);
	return f;
}

static void stats(struct bt_symbolizer *s, struct bt_sym_stats *st)
{
	bt_symbolizer_stats(s, st);
}

static int has_problem(struct bt_symbolizer *s, const char *a, const char *b)
{
	const char *const *lines;
	size_t n = bt_symbolizer_problems(s, &lines, NULL);
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], a) && (!b || strstr(lines[i], b)))
			return 1;
	return 0;
}

/* ---- tests ---- */

static void test_library_lookups(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym beta = fix_sym(FIX_LIB, "fixture_beta");
	struct fix_sym local = fix_sym(FIX_LIB, "fixture_local");
	struct fix_sym hidden = fix_sym(FIX_LIB, "fixture_hidden");
	struct bt_image_syms *m;
	struct bt_sym_stats st;
	struct fake f;
	char name[64];
	(void)state;

	assert_true(alpha.size != beta.size);
	/* -falign-functions=64: padding follows alpha. */
	assert_true(alpha.size % 64 != 0);
	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);

	expect(s, m, LIB_BIAS + alpha.value, BT_SYM_OK, "fixture_alpha",
	       "libfixture.so");
	expect(s, m, LIB_BIAS + alpha.value + alpha.size - 1, BT_SYM_OK,
	       "fixture_alpha", "libfixture.so");
	expect(s, m, LIB_BIAS + beta.value + beta.size / 2, BT_SYM_OK,
	       "fixture_beta", NULL);
	expect(s, m, LIB_BIAS + local.value + 1, BT_SYM_OK, "fixture_local",
	       NULL);
	expect(s, m, LIB_BIAS + hidden.value, BT_SYM_OK, "fixture_hidden",
	       NULL);
	/* Just past alpha, in the padding: no symbol, named by offset. */
	snprintf(name, sizeof(name), "[libfixture.so+0x%llx]",
		 (unsigned long long)(alpha.value + alpha.size));
	expect(s, m, LIB_BIAS + alpha.value + alpha.size, BT_SYM_NO_SYMBOL,
	       name, "libfixture.so");
	/* The ELF header: in the module, in no function. */
	expect(s, m, LIB_BIAS, BT_SYM_NO_SYMBOL, "[libfixture.so+0x0]", NULL);
	/* Outside every module. */
	expect(s, m, LIB_BIAS - 1, BT_SYM_NO_MODULE, "[unknown]", "[unknown]");
	expect(s, m, 0x1000, BT_SYM_NO_MODULE, "[unknown]", "[unknown]");

	/* The same pc twice: the same function, from the memo. */
	assert_ptr_equal(bt_symbolize(s, m, LIB_BIAS + alpha.value + 3, SEC),
			 bt_symbolize(s, m, LIB_BIAS + alpha.value + 3, SEC));
	stats(s, &st);
	assert_int_equal(st.modules, 1);
	assert_int_equal(st.lookups, 11);
	assert_true(st.memo_hits >= 1);
	assert_int_equal(st.frames[BT_SYM_NO_MODULE], 2);
	assert_int_equal(st.frames[BT_SYM_NO_SYMBOL], 2);
	assert_int_equal(st.unknown_frames, 4);
	assert_int_equal(st.modules_unverified, 0);
	assert_int_equal(bt_symbolizer_n_funcs(s), st.funcs);
	assert_null(bt_symbolizer_func(s, (uint32_t)st.funcs));
	bt_symbolizer_free(s);
}

static void test_size_rules(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym nosize = fix_sym(FIX_LIB, "fixture_nosize");
	struct fix_sym after = fix_sym(FIX_LIB, "fixture_after");
	struct fix_sym zeta = fix_sym(FIX_LIB, "fixture_zeta");
	struct fix_sym outer = fix_sym(FIX_LIB, "fixture_outer");
	struct fix_sym inner = fix_sym(FIX_LIB, "fixture_inner");
	struct bt_image_syms *m;
	struct fake f;
	(void)state;

	assert_int_equal(nosize.size, 0);
	assert_int_equal(after.value, nosize.value + 41);
	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	/* A size-0 symbol reaches to the next symbol. */
	expect(s, m, LIB_BIAS + nosize.value, BT_SYM_OK, "fixture_nosize",
	       NULL);
	expect(s, m, LIB_BIAS + nosize.value + 40, BT_SYM_OK, "fixture_nosize",
	       NULL);
	expect(s, m, LIB_BIAS + after.value, BT_SYM_OK, "fixture_after", NULL);
	expect(s, m, LIB_BIAS + after.value + after.size - 1, BT_SYM_OK,
	       "fixture_after", NULL);
	expect(s, m, LIB_BIAS + after.value + after.size, BT_SYM_NO_SYMBOL,
	       NULL, NULL);
	/* Global beats weak and local aliases, whatever the names. */
	expect(s, m, LIB_BIAS + zeta.value + 2, BT_SYM_OK, "fixture_zeta",
	       NULL);
	/* A symbol inside another: the innermost wins, the outer one
	 * resumes after it. */
	assert_int_equal(outer.size, 32);
	assert_int_equal(inner.value, outer.value + 8);
	expect(s, m, LIB_BIAS + outer.value + 7, BT_SYM_OK, "fixture_outer",
	       NULL);
	expect(s, m, LIB_BIAS + inner.value, BT_SYM_OK, "fixture_inner", NULL);
	expect(s, m, LIB_BIAS + inner.value + 7, BT_SYM_OK, "fixture_inner",
	       NULL);
	expect(s, m, LIB_BIAS + inner.value + 8, BT_SYM_OK, "fixture_outer",
	       NULL);
	expect(s, m, LIB_BIAS + outer.value + 31, BT_SYM_OK, "fixture_outer",
	       NULL);
	expect(s, m, LIB_BIAS + outer.value + 32, BT_SYM_NO_SYMBOL, NULL, NULL);
	bt_symbolizer_free(s);
}

static void test_pie_and_demangled_symbol(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_PIE, "fixture_alpha");
	struct fix_sym beta = fix_sym(FIX_PIE, "fixture_beta");
	struct fix_sym main_ = fix_sym(FIX_PIE, "main");
	struct fix_sym lalpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym mangl =
	    fix_sym(FIX_LIB, "_ZN7fixture5mangl17h0123456789abcdefE");
	struct bt_image_syms *m;
	const struct bt_func *f1, *f2;
	struct fake f;
	(void)state;

	fake_init(&f);
	fake_module(&f, FIX_PIE, FIX_PIE_ID, PIE_BIAS, BT_MODULE_LOADED, 0);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	f1 = expect(s, m, PIE_BIAS + alpha.value + 1, BT_SYM_OK,
		    "fixture_alpha", "fixture_pie");
	expect(s, m, PIE_BIAS + beta.value + 1, BT_SYM_OK, "fixture_beta",
	       "fixture_pie");
	expect(s, m, PIE_BIAS + main_.value, BT_SYM_OK, "main", "fixture_pie");
	f2 = expect(s, m, LIB_BIAS + lalpha.value, BT_SYM_OK, "fixture_alpha",
		    "libfixture.so");
	/* Same name, another module: another function. */
	assert_int_not_equal(f1->id, f2->id);
	/* A Rust legacy name, demangled, hash dropped. */
	expect(s, m, LIB_BIAS + mangl.value + 2, BT_SYM_OK, "fixture::mangl",
	       "libfixture.so");
	bt_symbolizer_free(s);
}

static void test_shared_table(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym beta = fix_sym(FIX_LIB, "fixture_beta");
	struct bt_image_syms *m1, *m2;
	const struct bt_func *f1, *f2;
	struct bt_sym_stats st;
	struct fake a, b;
	(void)state;

	fake_init(&a);
	fake_module(&a, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	fake_init(&b);
	fake_module(&b, FIX_LIB, FIX_LIB_ID, LIB_BIAS2, BT_MODULE_LOADED, 0);
	m1 = bt_symbolizer_image(s, &a.img);
	m2 = bt_symbolizer_image(s, &b.img);
	f1 = expect(s, m1, LIB_BIAS + beta.value + 5, BT_SYM_OK, "fixture_beta",
		    NULL);
	f2 = expect(s, m2, LIB_BIAS2 + beta.value + 5, BT_SYM_OK,
		    "fixture_beta", NULL);
	assert_ptr_equal(f1, f2);
	/* At LIB_BIAS2, image 1 has nothing. */
	expect(s, m1, LIB_BIAS2 + beta.value + 5, BT_SYM_NO_MODULE, NULL, NULL);
	stats(s, &st);
	assert_int_equal(st.images, 2);
	assert_int_equal(st.modules, 1);   /* one table, read once */
	assert_int_equal(st.memo_hits, 1); /* same file address */
	bt_symbolizer_free(s);
}

static void test_stripped(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_PIE, "fixture_alpha");
	struct fix_sym lalpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym hidden = fix_sym(FIX_LIB, "fixture_hidden");
	struct bt_image_syms *m;
	struct bt_sym_stats st;
	struct fake f;
	char want[128];
	(void)state;

	bt_symbolizer_set_debug_dir(s, NULL);
	fake_init(&f);
	/* Stripping keeps the build-id. */
	fake_module(&f, FIX_PIE_STRIPPED, FIX_PIE_ID, PIE_BIAS,
		    BT_MODULE_LOADED, 0);
	fake_module(&f, FIX_LIB_STRIPPED, FIX_LIB_ID, LIB_BIAS,
		    BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);

	/* No .symtab, no defined function in .dynsym: offsets only. */
	snprintf(want, sizeof(want), "[fixture_pie-stripped+0x%llx]",
		 (unsigned long long)alpha.value);
	expect(s, m, PIE_BIAS + alpha.value, BT_SYM_NO_SYMBOLS, want,
	       "fixture_pie-stripped");
	expect(s, m, PIE_BIAS + alpha.value + 1, BT_SYM_NO_SYMBOLS, NULL, NULL);
	/* The stripped library still exports its functions in .dynsym;
	 * the hidden one is gone. */
	expect(s, m, LIB_BIAS + lalpha.value + 1, BT_SYM_OK, "fixture_alpha",
	       "libfixture-stripped.so");
	expect(s, m, LIB_BIAS + hidden.value + 1, BT_SYM_NO_SYMBOL, NULL,
	       "libfixture-stripped.so");
	stats(s, &st);
	assert_int_equal(st.modules, 2);
	assert_int_equal(st.modules_stripped, 1);
	assert_int_equal(st.modules_dynsym, 1);
	assert_int_equal(st.frames[BT_SYM_NO_SYMBOLS], 2);
	assert_int_equal(st.unknown_frames, 3);
	assert_true(has_problem(s, "fixture_pie-stripped: no symbols",
				"2 frames unnamed"));
	assert_false(has_problem(s, "libfixture-stripped.so", NULL));
	bt_symbolizer_free(s);
}

static void test_debug_file(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym hidden = fix_sym(FIX_LIB, "fixture_hidden");
	struct fix_sym local = fix_sym(FIX_LIB, "fixture_local");
	struct bt_image_syms *m;
	struct bt_sym_stats st;
	struct fake f;
	(void)state;

	bt_symbolizer_set_debug_dir(s, FIX_DEBUG_DIR);
	fake_init(&f);
	fake_module(&f, FIX_LIB_STRIPPED, FIX_LIB_ID, LIB_BIAS,
		    BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	expect(s, m, LIB_BIAS + hidden.value + 1, BT_SYM_OK, "fixture_hidden",
	       "libfixture-stripped.so");
	expect(s, m, LIB_BIAS + local.value, BT_SYM_OK, "fixture_local", NULL);
	stats(s, &st);
	assert_int_equal(st.modules_debugfile, 1);
	assert_int_equal(st.modules_dynsym, 0);
	bt_symbolizer_free(s);
}

static void test_missing_and_changed(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym beta = fix_sym(FIX_LIB, "fixture_beta");
	uint64_t lay[4] = {0, 0x4000, 0x1000, 0x2000};
	struct bt_image_syms *m;
	const struct bt_func *f1;
	struct bt_sym_stats st;
	struct fake f;
	char want[128];
	(void)state;

	fake_init(&f);
	fake_module_lay(&f, "/nonexistent/dir/libgone.so", "abcdef", 0x10000,
			lay, BT_MODULE_LOADED, 0);
	/* Rebuilt since: same path, another build-id on disk. */
	fake_module(&f, FIX_LIB_NEWID, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED,
		    0);
	m = bt_symbolizer_image(s, &f.img);
	expect(s, m, 0x11234, BT_SYM_MODULE_MISSING, "[libgone.so (missing)]",
	       "libgone.so");
	/* Never a name from the changed file, not even for a pc that
	 * falls in a function of it: one stand-in for the whole module. */
	snprintf(want, sizeof(want),
		 "[libfixture-newid.so (changed since the build)]");
	f1 = expect(s, m, LIB_BIAS + alpha.value, BT_SYM_MODULE_CHANGED, want,
		    "libfixture-newid.so");
	expect(s, m, LIB_BIAS + beta.value + 3, BT_SYM_MODULE_CHANGED, NULL,
	       NULL);
	assert_ptr_equal(bt_symbolize(s, m, LIB_BIAS + alpha.value, SEC), f1);
	stats(s, &st);
	assert_int_equal(st.modules_missing, 1);
	assert_int_equal(st.modules_changed, 1);
	assert_int_equal(st.unknown_frames, 4);
	assert_true(has_problem(s, "libgone.so: missing",
				"/nonexistent/dir/libgone.so"));
	assert_true(has_problem(s,
				"libfixture-newid.so: changed on disk since "
				"the build (build-id " FIX_LIB_ID
				" recorded, " FIX_LIB_NEWID_ID " on disk)",
				"3 frames unnamed"));
	bt_symbolizer_free(s);
}

/* A proc-macro library (a shared object in a cargo deps directory,
 * proc_macro_path.h): its functions are flagged, named or not, and kept
 * apart from a same-named library elsewhere, which is not one. */
static void test_proc_macro_frames(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	uint64_t lay[4] = {0, 0x4000, 0x1000, 0x2000};
	char dir[] = "/tmp/btrace-test-pm.XXXXXX", deps[64], lib[96], cmd[256];
	struct bt_image_syms *m;
	const struct bt_func *in, *out, *named, *plain;
	struct fake f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(deps, sizeof(deps), "%s/deps", dir);
	snprintf(lib, sizeof(lib), "%s/libfixture_mac-1f2e.so", deps);
	snprintf(cmd, sizeof(cmd), "mkdir %s && cp %s %s", deps, FIX_LIB, lib);
	assert_int_equal(system(cmd), 0);
	fake_init(&f);
	fake_module_lay(&f, "/nonexistent/target/debug/deps/libmac-1f2e.so",
			"abcdef", 0x10000, lay, BT_MODULE_LOADED, 0);
	fake_module_lay(&f, "/nonexistent/elsewhere/libmac-1f2e.so", "abcdef",
			0x20000, lay, BT_MODULE_LOADED, 0);
	fake_module(&f, lib, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS2, BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	in = expect(s, m, 0x11234, BT_SYM_MODULE_MISSING,
		    "[libmac-1f2e.so (missing)]", "libmac-1f2e.so");
	out = expect(s, m, 0x21234, BT_SYM_MODULE_MISSING,
		     "[libmac-1f2e.so (missing)]", "libmac-1f2e.so");
	assert_true(in->proc_macro);
	assert_false(out->proc_macro);
	assert_int_not_equal(in->id, out->id);
	named = expect(s, m, LIB_BIAS + alpha.value, BT_SYM_OK, "fixture_alpha",
		       "libfixture_mac-1f2e.so");
	plain = expect(s, m, LIB_BIAS2 + alpha.value, BT_SYM_OK,
		       "fixture_alpha", NULL);
	assert_true(named->proc_macro);
	assert_false(plain->proc_macro);
	bt_symbolizer_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_no_build_id(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym beta = fix_sym(FIX_LIB_NOID, "fixture_beta");
	struct bt_image_syms *m;
	struct bt_sym_stats st;
	uint64_t lay[4];
	struct fake f;
	(void)state;

	fix_lay(FIX_LIB_NOID, lay);
	fake_init(&f);
	/* Like the Rust toolchain's libraries: no build-id.  The layout
	 * matches: trusted, counted as unverified. */
	fake_module_lay(&f, FIX_LIB_NOID, "", LIB_BIAS, lay, BT_MODULE_LOADED,
			0);
	/* Recorded with other segments: not this file. */
	lay[1] += 0x1000;
	fake_module_lay(&f, FIX_LIB_NOID, "", LIB_BIAS2, lay, BT_MODULE_LOADED,
			0);
	m = bt_symbolizer_image(s, &f.img);
	expect(s, m, LIB_BIAS + beta.value, BT_SYM_OK, "fixture_beta",
	       "libfixture-noid.so");
	expect(s, m, LIB_BIAS2 + beta.value, BT_SYM_MODULE_CHANGED, NULL,
	       "libfixture-noid.so");
	/* A build-id recorded, none on disk: another file. */
	bt_symbolizer_free(s);
	s = bt_symbolizer_new();
	fake_init(&f);
	fake_module(&f, FIX_LIB_NOID, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED,
		    0);
	m = bt_symbolizer_image(s, &f.img);
	expect(s, m, LIB_BIAS + beta.value, BT_SYM_MODULE_CHANGED, NULL, NULL);
	assert_true(has_problem(s, "(none) on disk", NULL));
	stats(s, &st);
	assert_int_equal(st.modules_changed, 1);
	bt_symbolizer_free(s);
}

static void test_dlopen_over_time(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym palpha = fix_sym(FIX_PIE, "fixture_alpha");
	uint64_t pc = LIB_BIAS + alpha.value + 1;
	/* The PIE, loaded later where the library was: its alpha lands on
	 * the same pc. */
	uint64_t pie_bias = LIB_BIAS + alpha.value - palpha.value;
	uint64_t lay[4];
	const struct bt_func *fn;
	struct bt_image_syms *m;
	struct fake f;
	(void)state;

	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED,
		    100 * SEC);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_UNLOADING,
		    200 * SEC);
	fake_module(&f, FIX_PIE, FIX_PIE_ID, pie_bias, BT_MODULE_LOADED,
		    250 * SEC);
	fix_lay(FIX_PIE, lay);
	assert_true(pie_bias + lay[0] < LIB_BIAS + alpha.value);
	m = bt_symbolizer_image(s, &f.img);

	/* Long before it was loaded: unknown. */
	fn = bt_symbolize(s, m, pc, 50 * SEC);
	assert_int_equal(fn->status, BT_SYM_NO_MODULE);
	/* Just before its LOADED record (the recorder's flusher writes it
	 * up to 100 ms late): the module that came there. */
	fn = bt_symbolize(s, m, pc, 100 * SEC - SEC / 10);
	assert_string_equal(fn->name, "fixture_alpha");
	assert_string_equal(fn->module, "libfixture.so");
	fn = bt_symbolize(s, m, pc, 150 * SEC);
	assert_string_equal(fn->name, "fixture_alpha");
	assert_string_equal(fn->module, "libfixture.so");
	/* Unloaded, nothing there yet. */
	fn = bt_symbolize(s, m, pc, 220 * SEC);
	assert_int_equal(fn->status, BT_SYM_NO_MODULE);
	/* The range reused by another module. */
	fn = bt_symbolize(s, m, pc, 250 * SEC + 1);
	assert_string_equal(fn->name, "fixture_alpha");
	assert_string_equal(fn->module, "fixture_pie");
	fn = bt_symbolize(s, m, pc, 250 * SEC - SEC / 2);
	assert_string_equal(fn->module, "fixture_pie");
	/* And back in time again (the hint must not stick). */
	fn = bt_symbolize(s, m, pc, 199 * SEC);
	assert_string_equal(fn->module, "libfixture.so");

	/* A module alone in its range, unloaded: a pc it named before
	 * (and that the caches hold) is nobody's afterwards. */
	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS2, BT_MODULE_LOADED,
		    100 * SEC);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS2, BT_MODULE_UNLOADING,
		    200 * SEC);
	m = bt_symbolizer_image(s, &f.img);
	pc = LIB_BIAS2 + alpha.value + 1;
	for (int i = 0; i < 2; i++) {
		fn = bt_symbolize(s, m, pc, 150 * SEC);
		assert_string_equal(fn->name, "fixture_alpha");
		fn = bt_symbolize(s, m, pc, 200 * SEC);
		assert_int_equal(fn->status, BT_SYM_NO_MODULE);
		fn = bt_symbolize(s, m, pc, 150 * SEC);
		assert_string_equal(fn->name, "fixture_alpha");
		fn = bt_symbolize(s, m, pc, 50 * SEC);
		assert_int_equal(fn->status, BT_SYM_NO_MODULE);
	}
	bt_symbolizer_free(s);
}

static void test_stack(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym after = fix_sym(FIX_LIB, "fixture_after");
	struct fix_sym beta = fix_sym(FIX_LIB, "fixture_beta");
	struct bt_image_syms *m;
	uint64_t pcs[5];
	uint32_t ids[5];
	struct fake f;
	(void)state;

	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	/* The innermost pc as is; a return address at the very start of
	 * fixture_after is a call at the end of fixture_nosize; the
	 * unwinder's final 0 is dropped. */
	pcs[0] = LIB_BIAS + after.value;
	pcs[1] = LIB_BIAS + after.value;
	pcs[2] = LIB_BIAS + beta.value + 10;
	pcs[3] = LIB_BIAS + alpha.value + 4;
	pcs[4] = 0;
	assert_int_equal(bt_symbolize_stack(s, m, pcs, 5, SEC, ids), 4);
	assert_string_equal(bt_symbolizer_func(s, ids[0])->name,
			    "fixture_after");
	assert_string_equal(bt_symbolizer_func(s, ids[1])->name,
			    "fixture_nosize");
	assert_string_equal(bt_symbolizer_func(s, ids[2])->name,
			    "fixture_beta");
	assert_string_equal(bt_symbolizer_func(s, ids[3])->name,
			    "fixture_alpha");
	pcs[0] = 0;
	assert_int_equal(bt_symbolize_stack(s, m, pcs, 1, SEC, ids), 0);
	bt_symbolizer_free(s);
}

/* A thread's stacks share their outer frames with its previous stack:
 * bt_symbolize_thread_stack() takes those from it, and must give what
 * bt_symbolize_stack() gives, ids and counts, also when the stack got
 * deeper or shallower, and when the module map changed in between (the
 * library unloaded: the same pcs are nobody's afterwards). */
static void test_thread_stack(void **state)
{
	struct bt_symbolizer *s = bt_symbolizer_new(), *r = bt_symbolizer_new();
	struct fix_sym alpha = fix_sym(FIX_LIB, "fixture_alpha");
	struct fix_sym beta = fix_sym(FIX_LIB, "fixture_beta");
	struct fix_sym after = fix_sym(FIX_LIB, "fixture_after");
	struct bt_image_syms *m, *mr;
	struct bt_sym_stats a, b;
	struct fake f;
	uint64_t A = LIB_BIAS + alpha.value + 4, B = LIB_BIAS + beta.value + 10,
		 C = LIB_BIAS + after.value + 1;
	/* outermost last; times in seconds */
	const struct {
		uint64_t t, pcs[6];
		size_t depth;
	} seq[] = {
	    {10, {C, B, B, A, 0}, 5},
	    {11, {B, C, B, B, A}, 5},
	    {12, {A, C, B, B, A, 0}, 6},
	    {13, {C, A}, 2},
	    {14, {B, A}, 2},
	    {15, {A, B, C, B, A}, 5},
	    {250, {A, B, C, B, A}, 5}, /* unloaded at 200 s */
	    {251, {C, B, A}, 3},
	};
	(void)state;

	fake_init(&f);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_LOADED, SEC);
	fake_module(&f, FIX_LIB, FIX_LIB_ID, LIB_BIAS, BT_MODULE_UNLOADING,
		    200 * SEC);
	m = bt_symbolizer_image(s, &f.img);
	mr = bt_symbolizer_image(r, &f.img);
	for (size_t i = 0; i < sizeof(seq) / sizeof(*seq); i++) {
		uint32_t got[6], want[6];
		size_t n = bt_symbolize_thread_stack(
		    s, m, 3, seq[i].pcs, seq[i].depth, seq[i].t * SEC, got);
		size_t nr = bt_symbolize_stack(r, mr, seq[i].pcs, seq[i].depth,
					       seq[i].t * SEC, want);
		assert_int_equal(n, nr);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(
			    bt_symbolizer_func(s, got[k])->name,
			    bt_symbolizer_func(r, want[k])->name);
	}
	bt_symbolizer_stats(s, &a);
	bt_symbolizer_stats(r, &b);
	assert_int_equal(a.lookups, b.lookups);
	assert_int_equal(a.unknown_frames, b.unknown_frames);
	assert_true(b.unknown_frames > 0); /* the unloaded part counted */
	for (int k = 0; k < BT_SYM_N_STATUS; k++)
		assert_int_equal(a.frames[k], b.frames[k]);
	bt_symbolizer_free(s);
	bt_symbolizer_free(r);
}

/* The analyzer's own vDSO stands in for the traced one when the build-ids
 * match (same kernel). */
struct vdso_find {
	uint64_t bias, lay[4];
	char bid[130];
	int found;
};

static int vdso_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct vdso_find *v = arg;
	(void)size;
	if (!info->dlpi_name || strncmp(info->dlpi_name, "linux-vdso", 10))
		return 0;
	v->found = 1;
	v->bias = info->dlpi_addr;
	v->lay[0] = v->lay[2] = UINT64_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD) {
			if (ph->p_vaddr < v->lay[0])
				v->lay[0] = ph->p_vaddr;
			if (ph->p_vaddr + ph->p_memsz > v->lay[1])
				v->lay[1] = ph->p_vaddr + ph->p_memsz;
			if ((ph->p_flags & PF_X) && ph->p_vaddr < v->lay[2])
				v->lay[2] = ph->p_vaddr;
			if ((ph->p_flags & PF_X) &&
			    ph->p_vaddr + ph->p_memsz > v->lay[3])
				v->lay[3] = ph->p_vaddr + ph->p_memsz;
		} else if (ph->p_type == PT_NOTE) {
			const char *p =
			    (const char *)(info->dlpi_addr + ph->p_vaddr);
			const char *end = p + ph->p_memsz;
			while (p + sizeof(ElfW(Nhdr)) <= end) {
				const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
				const unsigned char *d =
				    (const unsigned char *)p + sizeof(*nh) +
				    ((nh->n_namesz + 3) & ~3u);
				p = (const char *)d +
				    ((nh->n_descsz + 3) & ~3u);
				if (nh->n_type != NT_GNU_BUILD_ID)
					continue;
				for (unsigned j = 0; j < nh->n_descsz && j < 64;
				     j++)
					sprintf(v->bid + 2 * j, "%02x", d[j]);
			}
		}
	}
	return 1;
}

static void test_vdso(void **state)
{
	struct bt_symbolizer *s;
	struct vdso_find v;
	const unsigned char *img =
	    (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	struct fix_sym gettime;
	struct bt_image_syms *m;
	struct fake f;
	Elf *e;
	(void)state;

	memset(&v, 0, sizeof(v));
	dl_iterate_phdr(vdso_cb, &v);
	if (!img || !v.found || !v.bid[0])
		skip();
	{
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
		size_t size =
		    eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
		char *copy;
		if (v.lay[1] - v.lay[0] > size)
			size = v.lay[1] - v.lay[0];
		copy = malloc(size);
		assert_non_null(copy);
		memcpy(copy, img, size);
		elf_version(EV_CURRENT);
		e = elf_memory(copy, size);
		assert_non_null(e);
		gettime = elf_sym(e, "__vdso_clock_gettime");
		elf_end(e);
		free(copy);
	}
	if (!gettime.value)
		skip();

	s = bt_symbolizer_new();
	fake_init(&f);
	fake_module_lay(&f, "linux-vdso.so.1", v.bid, v.bias, v.lay,
			BT_MODULE_LOADED, 0);
	fake_module_lay(&f, "linux-vdso.so.1", "00ff", v.bias + 0x100000, v.lay,
			BT_MODULE_LOADED, 0);
	m = bt_symbolizer_image(s, &f.img);
	/* __vdso_clock_gettime (global) over clock_gettime (weak). */
	expect(s, m, v.bias + gettime.value + 1, BT_SYM_OK,
	       "__vdso_clock_gettime", "linux-vdso.so.1");
	/* Another kernel's vDSO: missing here. */
	expect(s, m, v.bias + 0x100000 + gettime.value, BT_SYM_MODULE_MISSING,
	       NULL, "linux-vdso.so.1");
	bt_symbolizer_free(s);
}

static void test_demangle(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    /* Rust legacy: hash dropped. */
	    {"_ZN4core3ptr13drop_in_place17h0123456789abcdefE",
	     "core::ptr::drop_in_place"},
	    {"_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core.."
	     "ops..drop..Drop$GT$4drop17h5c8b0d6f0e5f0b2aE",
	     "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"},
	    /* ... and an LLVM clone suffix. */
	    {"_ZN4core3ptr13drop_in_place17h0123456789abcdefE.llvm.42",
	     "core::ptr::drop_in_place"},
	    /* Rust v0: no crate disambiguators, generics kept. */
	    {"_RNvCs15kBYyAo9fc_7mycrate4main", "mycrate::main"},
	    {"_RINvNtCs9ltgdHTiPiY_4core3ptr13drop_in_placeNtNtCsk5GHbs5fZ3"
	     "l_5alloc6string6StringEB8_",
	     "core::ptr::drop_in_place::<alloc::string::String>"},
	    /* BOLT's and LLVM's split-off parts name their function. */
	    {"_RNvNtCs9gE3dmllNPh_12rustc_passes16diagnostic_items16diagn"
	     "ostic_items.cold",
	     "rustc_passes::diagnostic_items::diagnostic_items"},
	    /* C++. */
	    {"_ZN4llvm10DwarfDebug11beginModuleEPNS_6ModuleE",
	     "llvm::DwarfDebug::beginModule(llvm::Module*)"},
	    {"_ZNK4llvm5Value7getNameEv", "llvm::Value::getName() const"},
	};
	static const char *const plain[] = {
	    "main",
	    "malloc",
	    "__libc_start_main",
	    "_start",
	    /* Mis-mangled (the length of "beginModule" is 11). */
	    "_ZN4llvm10DwarfDebug10beginModuleEPNS_6ModuleE",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = bt_sym_demangle(cases[i].in);
		if (!d || strcmp(d, cases[i].out) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].in,
				 d ? d : "(null)", cases[i].out);
		free(d);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_null(bt_sym_demangle(plain[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_library_lookups),
	    cmocka_unit_test(test_size_rules),
	    cmocka_unit_test(test_pie_and_demangled_symbol),
	    cmocka_unit_test(test_shared_table),
	    cmocka_unit_test(test_stripped),
	    cmocka_unit_test(test_debug_file),
	    cmocka_unit_test(test_missing_and_changed),
	    cmocka_unit_test(test_proc_macro_frames),
	    cmocka_unit_test(test_no_build_id),
	    cmocka_unit_test(test_dlopen_over_time),
	    cmocka_unit_test(test_stack),
	    cmocka_unit_test(test_thread_stack),
	    cmocka_unit_test(test_vdso),
	    cmocka_unit_test(test_demangle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
