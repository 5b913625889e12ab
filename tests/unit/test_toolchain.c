/* test_toolchain.c - which rustc a compilation ran (model/toolchain.h),
 * without running anything: the version found in a compiler library's
 * bytes (rustup's version string, Debian's source paths, the most
 * frequent of several, a tie refused), in an LLVM library's name, and
 * bt_toolchains_make on compilations built in memory whose driver module
 * is a fixture library (fixtures/rustc_driver_fixture.c): read when the
 * file is the recorded module, refused when it changed or is gone (then
 * the recorded LLVM name, or "version unknown"), and an unsampled
 * compilation joining the toolchain of its name. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elf_layout.h"
#include "model/build_model.h"
#include "model/toolchain.h"

#define V195 "1.95.0 (59807616e 2026-04-14)"

static int scan(const char *s, char *out, const char **source)
{
	return bt_rustc_version_scan(s, strlen(s), out, 96, source);
}

static void test_scan(void **state)
{
	char v[96];
	const char *src;
	(void)state;
	/* rustup's: run together with the strings around it */
	assert_int_equal(scan("cs_prefix" V195 "targ\0#rustc " V195, v, &src),
			 1);
	assert_string_equal(v, V195);
	assert_string_equal(src, "librustc_driver");
	assert_int_equal(
	    scan("handler1.97.0-nightly (e50aa6fba 2026-05-19)drop", v, &src),
	    1);
	assert_string_equal(v, "1.97.0-nightly (e50aa6fba 2026-05-19)");
	assert_int_equal(
	    scan("x 1.96.0-beta.3 (0123abcd9 2026-05-01)", v, &src), 1);
	assert_string_equal(v, "1.96.0-beta.3 (0123abcd9 2026-05-01)");
	/* a digit before one occurrence reads "21.95.0": the most frequent
	 * version wins; a tie is refused */
	assert_int_equal(scan("a2" V195 " b " V195 " c " V195, v, &src), 1);
	assert_string_equal(v, V195);
	assert_int_equal(
	    scan("a " V195 " b 1.96.0 (59807616e 2026-04-14)", v, &src), -1);
	/* Debian's rustc: only its source paths name the release */
	assert_int_equal(scan("x/usr/src/rustc-1.63.0/compiler/rustc_errors/"
			      "src/lib.rs/usr/src/rustc-1.63.0/library/",
			      v, &src),
			 1);
	assert_string_equal(v, "1.63.0");
	assert_string_equal(src, "source paths");
	/* the version string wins over paths */
	assert_int_equal(scan("/rustc-1.63.0/ " V195, v, &src), 1);
	assert_string_equal(v, V195);
	/* look-alikes that are not versions, and cut-off tails */
	assert_int_equal(scan("f(x) 1.2 (abcdefg 2026-04-14) 1.2.3 (xyz "
			      "2026-04-14) 1.2.3 (abcdef0 2026-4-14) "
			      "/rustc-1.2/ 1.2.3 (abcdef0 2026-04-1",
			      v, &src),
			 0);
	assert_string_equal(v, "");
	assert_null(src);
	assert_int_equal(bt_rustc_version_scan("1.2.3 (", 7, v, 96, &src), 0);
	assert_int_equal(bt_rustc_version_scan("/rustc-1.2.3", 12, v, 96, &src),
			 0);
}

static void test_llvm_name(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(bt_rustc_version_of_llvm(
			     "libLLVM-22-rust-1.95.0-stable.so", v, sizeof(v)),
			 1);
	assert_string_equal(v, "1.95.0");
	assert_int_equal(
	    bt_rustc_version_of_llvm("libLLVM.so.22.1-rust-1.97.0-nightly", v,
				     sizeof(v)),
	    1);
	assert_string_equal(v, "1.97.0-nightly");
	assert_int_equal(
	    bt_rustc_version_of_llvm("libLLVM-14.so.1", v, sizeof(v)), 0);
	assert_int_equal(
	    bt_rustc_version_of_llvm("libfoo-rust-1.95.0.so", v, sizeof(v)), 0);
}

/* ---- compilations built in memory ---- */

static void fix_lay(const char *path, uint64_t lay[4])
{
	assert_int_equal(elf_file_layout(path, lay), 0);
}

#define N_UNITS 4
struct fake {
	struct bt_build b;
	struct bt_unit u[N_UNITS];
	struct bt_node node[N_UNITS];
	struct bt_proc proc[N_UNITS];
	struct bt_image img[N_UNITS], *imgp[N_UNITS];
	struct bt_module mods[N_UNITS][2];
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->b.units = f->u;
	for (int i = 0; i < N_UNITS; i++) {
		f->u[i].node = &f->node[i];
		f->node[i].kind = BT_KIND_RUSTC;
		f->node[i].proc = &f->proc[i];
		f->proc[i].images = &f->imgp[i];
		f->proc[i].n_images = 1;
		f->imgp[i] = &f->img[i];
		f->img[i].modules = f->mods[i];
		f->img[i].exe = "/home/u/.rustup/toolchains/"
				"stable-x86_64-unknown-linux-gnu/bin/rustc";
	}
}

/* Unit I ran a rustc whose module map holds the driver at PATH with
 * layout LAY (shifted by SHIFT: another file), and the LLVM library
 * LLVM (NULL: none). */
static void fake_sampled(struct fake *f, int i, const char *path,
			 uint64_t shift, const char *llvm)
{
	uint64_t lay[4], bias = 0x7f0000000000;
	struct bt_module *m = &f->mods[i][0];
	fix_lay(FIX_DRIVER, lay);
	m->path = path;
	m->build_id = "";
	m->rec.bias = bias;
	m->rec.start = bias + lay[0];
	m->rec.end = bias + lay[1] + shift;
	m->rec.exec_start = bias + lay[2];
	m->rec.exec_end = bias + lay[3];
	f->img[i].n_modules = 1;
	if (llvm) {
		f->mods[i][1].path = llvm;
		f->img[i].n_modules = 2;
	}
}

static void test_driver_read(void **state)
{
	struct fake f;
	char label[256];
	(void)state;
	fake_init(&f);
	fake_sampled(&f, 0, FIX_DRIVER, 0, NULL);
	f.b.n_units = 1;
	assert_int_equal(bt_toolchains_make(&f.b), 0);
	assert_int_equal(f.b.n_toolchains, 1);
	assert_int_equal(f.u[0].toolchain, 0);
	assert_string_equal(f.b.toolchains[0].name,
			    "stable-x86_64-unknown-linux-gnu");
	assert_string_equal(f.b.toolchains[0].driver,
			    "librustc_driver-0123456789abcdef");
	assert_string_equal(f.b.toolchains[0].version, V195);
	assert_string_equal(f.b.toolchains[0].source, "librustc_driver");
	assert_string_equal(f.b.toolchains[0].why, "");
	bt_toolchain_label(&f.b.toolchains[0], label, sizeof(label));
	assert_string_equal(label, V195);
	free(f.b.toolchains);
}

/* After a `rustup update` the file at the recorded path is another one,
 * or gone: never read as the recorded module. */
static void test_driver_changed_or_gone(void **state)
{
	struct fake f;
	char label[256];
	(void)state;
	fake_init(&f);
	/* changed, and no LLVM name recorded: unknown */
	fake_sampled(&f, 0, FIX_DRIVER, 0x1000, NULL);
	f.b.n_units = 1;
	assert_int_equal(bt_toolchains_make(&f.b), 0);
	assert_string_equal(f.b.toolchains[0].version, "");
	assert_null(f.b.toolchains[0].source);
	assert_non_null(
	    strstr(f.b.toolchains[0].why, "changed since the build"));
	bt_toolchain_label(&f.b.toolchains[0], label, sizeof(label));
	assert_string_equal(label, "stable-x86_64-unknown-linux-gnu "
				   "(librustc_driver-0123456789abcdef), "
				   "version unknown");
	free(f.b.toolchains);

	/* gone, with the LLVM library's name recorded: that version, the
	 * one that ran */
	fake_init(&f);
	fake_sampled(&f, 0,
		     "/nonexistent/toolchains/stable/lib/"
		     "librustc_driver-0123456789abcdef.so",
		     0, "/x/lib/libLLVM.so.22.1-rust-1.95.0-stable");
	f.b.n_units = 1;
	assert_int_equal(bt_toolchains_make(&f.b), 0);
	assert_string_equal(f.b.toolchains[0].version, "1.95.0");
	assert_string_equal(f.b.toolchains[0].source, "libLLVM name");
	assert_non_null(strstr(f.b.toolchains[0].why, "gone since the build"));
	free(f.b.toolchains);
}

/* Unsampled compilations (no module map) join the one toolchain of their
 * name; one of another name is its own, version unknown; a unit that is
 * not a compilation has none. */
static void test_unsampled(void **state)
{
	struct fake f;
	char label[256];
	(void)state;
	fake_init(&f);
	fake_sampled(&f, 1, FIX_DRIVER, 0, NULL);
	f.img[2].exe = "/usr/bin/rustc";
	f.node[3].kind = BT_KIND_BUILD_SCRIPT;
	f.b.n_units = 4;
	assert_int_equal(bt_toolchains_make(&f.b), 0);
	assert_int_equal(f.b.n_toolchains, 2);
	assert_int_equal(f.u[0].toolchain, f.u[1].toolchain);
	assert_int_equal(f.b.toolchains[f.u[1].toolchain].units, 2);
	assert_string_equal(f.b.toolchains[f.u[0].toolchain].version, V195);
	assert_int_not_equal(f.u[2].toolchain, f.u[1].toolchain);
	assert_int_equal(f.u[3].toolchain, -1);
	assert_string_equal(f.b.toolchains[f.u[2].toolchain].why,
			    "not sampled (no module map)");
	bt_toolchain_label(&f.b.toolchains[f.u[2].toolchain], label,
			   sizeof(label));
	assert_string_equal(label, "/usr/bin/rustc, version unknown");
	free(f.b.toolchains);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_llvm_name),
	    cmocka_unit_test(test_driver_read),
	    cmocka_unit_test(test_driver_changed_or_gone),
	    cmocka_unit_test(test_unsampled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
