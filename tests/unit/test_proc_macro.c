/* test_proc_macro.c - proc-macro expansion time from samples
 * (proc_macro.h), on an image built here: samples whose stacks pass
 * through a dlopen()ed macro library count for that macro and the crate
 * that ran it; the outermost library on a stack takes the sample; a
 * library unloaded before a sample no longer counts; a library no unit
 * of this build made is named from its file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/dep_graph.h"
#include "profile/proc_macro.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void test_paths(void **state)
{
	char crate[64];
	(void)state;
	assert_true(bt_is_proc_macro_path(
	    "/t/target/debug/deps/libserde_derive-eb9a584506612877.so", crate,
	    sizeof(crate)));
	assert_string_equal(crate, "serde_derive");
	assert_true(bt_is_proc_macro_path("/t/deps/libtokio_macros-1.so", crate,
					  sizeof(crate)));
	assert_string_equal(crate, "tokio_macros");
	/* not in a deps directory, not a shared object, no name */
	assert_false(
	    bt_is_proc_macro_path("/usr/lib/libc.so.6", crate, sizeof(crate)));
	assert_false(
	    bt_is_proc_macro_path("/t/lib/librustc_driver-6108105cd7e839cf.so",
				  crate, sizeof(crate)));
	assert_false(bt_is_proc_macro_path("/t/deps/libfoo-1.rlib", crate,
					   sizeof(crate)));
	assert_false(
	    bt_is_proc_macro_path("/t/deps/lib-1.so", crate, sizeof(crate)));
	assert_false(bt_is_proc_macro_path(NULL, crate, sizeof(crate)));
}

/* One sample: DEPTH PCs (innermost first) at T ns, WEIGHT periods. */
static size_t put_sample(unsigned char *buf, size_t off, uint64_t t,
			 uint32_t weight, const uint64_t *pcs, uint16_t depth)
{
	struct bt_sample_head h = {.mono_ns = t,
				   .tid = 1,
				   .depth = depth,
				   .flags = BT_SAMPLE_COMPLETE,
				   .weight = weight};
	memcpy(buf + off, &h, sizeof(h));
	memcpy(buf + off + sizeof(h), pcs, depth * 8u);
	return off + sizeof(h) + depth * 8u;
}

static void test_expansion(void **state)
{
	/* the macro library serde_derive at 0x1000-0x2000 (built by unit
	 * 0), foo_macros at 0x3000-0x4000 (built earlier), unloaded at
	 * t=50; rustc's own code elsewhere */
	static const uint64_t rustc_only[] = {0x500, 0x600};
	static const uint64_t in_serde[] = {0x510, 0x1500, 0x600};
	static const uint64_t both[] = {0x3500, 0x520, 0x1600, 0x600};
	static const uint64_t in_foo[] = {0x3100, 0x600};
	unsigned char data[1024];
	size_t len = 0;
	struct bt_module mods[4];
	struct bt_sample_batch batch;
	struct bt_image im, *ims[1] = {&im};
	struct bt_proc proc, macro_proc;
	struct bt_node nodes[2];
	struct bt_unit units[2];
	struct bt_build b;
	struct bt_dep_graph g;
	struct bt_proc_macros m;
	(void)state;

	len = put_sample(data, len, 10, 3, rustc_only, 2);
	len = put_sample(data, len, 20, 1, in_serde, 3);
	len = put_sample(data, len, 30, 2, both, 4);
	len = put_sample(data, len, 40, 1, in_foo, 2);
	len = put_sample(data, len, 60, 5, in_foo, 2); /* after the unload */
	batch = (struct bt_sample_batch){data, len, 5};

	memset(mods, 0, sizeof(mods));
	mods[0].path = "/t/deps/libserde_derive-abc.so";
	mods[0].rec = (struct bt_rec_module){.mono_ns = 15,
					     .start = 0x1000,
					     .end = 0x2000,
					     .event = BT_MODULE_LOADED};
	mods[1].path = "/t/deps/libfoo_macros-123.so";
	mods[1].rec = (struct bt_rec_module){.mono_ns = 5,
					     .start = 0x3000,
					     .end = 0x4000,
					     .event = BT_MODULE_LOADED};
	mods[2].path = "/t/deps/libfoo_macros-123.so";
	mods[2].rec = (struct bt_rec_module){.mono_ns = 50,
					     .start = 0x3000,
					     .end = 0x4000,
					     .event = BT_MODULE_UNLOADING};
	mods[3].path = "/usr/lib/libc.so.6";
	mods[3].rec = (struct bt_rec_module){
	    .start = 0x400, .end = 0x800, .event = BT_MODULE_LOADED};

	memset(&im, 0, sizeof(im));
	im.has_sampling = 1;
	im.sampling.period_ns = 10000000; /* 10 ms */
	im.modules = mods;
	im.n_modules = 4;
	im.batches = &batch;
	im.n_batches = 1;
	im.n_samples = 5;
	memset(&proc, 0, sizeof(proc));
	proc.images = ims;
	proc.n_images = 1;
	memset(&macro_proc, 0, sizeof(macro_proc));

	memset(nodes, 0, sizeof(nodes));
	memset(units, 0, sizeof(units));
	nodes[0].proc = &macro_proc;
	nodes[0].kind = BT_KIND_RUSTC;
	nodes[1].proc = &proc;
	nodes[1].kind = BT_KIND_RUSTC;
	units[0].node = &nodes[0];
	units[0].target = BT_TARGET_PROC_MACRO;
	units[0].has_flags = 1;
	strcpy(units[0].package, "serde_derive");
	strcpy(units[0].version, "1.0.0");
	strcpy(units[0].flags.crate_name, "serde_derive");
	strcpy(units[0].flags.extra_filename, "-abc");
	units[0].cpu_s = 2;
	units[1].node = &nodes[1];
	units[1].target = BT_TARGET_BIN;
	strcpy(units[1].package, "app");
	units[1].primary = 1;
	memset(&b, 0, sizeof(b));
	b.units = units;
	b.n_units = 2;
	{
		/* app waits for serde_derive */
		static struct bt_sched_dep dep[] = {{0, 1}};
		struct bt_sched_unit su[2] = {{0}};
		struct bt_schedule s = {.units = su, .n_units = 2, .jobs = 1};
		su[1].deps = dep;
		su[1].n_deps = 1;
		assert_int_equal(bt_dep_graph_make(&b, &s, &g), 0);
	}
	assert_int_equal(bt_proc_macros_make(&b, &g, &m), 0);
	/* 12 periods sampled; serde_derive: the second and (outermost on
	 * the stack) third samples, 3 periods; foo_macros: the fourth, 1
	 * period (the fifth came after its unload) */
	assert_true(near(m.sampled_s, 0.12));
	assert_true(near(m.expand_s, 0.04));
	assert_int_equal(m.n_macros, 2);
	assert_string_equal(m.macros[0].crate, "serde_derive");
	assert_true(near(m.macros[0].expand_s, 0.03));
	assert_int_equal(m.macros[0].pkg, g.unit_pkg[0]);
	assert_true(near(m.macros[0].own_cpu_s, 2));
	assert_int_equal(m.macros[0].n_users, 1);
	assert_string_equal(m.macros[1].crate, "foo_macros");
	assert_true(m.macros[1].pkg == SIZE_MAX);
	assert_true(near(m.macros[1].expand_s, 0.01));
	/* per using crate, most first */
	assert_int_equal(m.n_uses, 2);
	assert_int_equal(m.uses[0].macro, 0);
	assert_int_equal(m.uses[0].unit, 1);
	assert_true(near(m.uses[0].expand_s, 0.03));
	assert_int_equal(m.uses[1].macro, 1);
	bt_proc_macros_free(&m);
	bt_dep_graph_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_expansion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
