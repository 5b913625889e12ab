/* test_oom.c - running out of memory in the trace reader, the ELF reader
 * and the symbolizer (and the rest of bt_analyze()) is an error they
 * return, never an exit (base/xalloc.h): every allocation they make is
 * failed in turn, and each time the call must come back with ENOMEM and
 * leave nothing allocated (ASan's leak check, in the ASan layer), where
 * the old code exited the test process with status 3.
 *
 * Allocations are failed through the linker's --wrap of malloc, calloc,
 * realloc, strdup and vasprintf (tests/unit/CMakeLists.txt): the calls of
 * the code under test, not those inside libelf, libiberty or libc. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libelf.h>

#include "advice/graph_report.h"
#include "analyze.h"
#include "cli.h"
#include "gen_trace.h"
#include "model/build_model.h"
#include "model/trace_reader.h"
#include "profile/profile.h"
#include "profile/elf_file.h"

int main(void);

/* ---- the failing allocator ---- */

static unsigned long allocs;  /* allocations so far (atomic: the profile's
				 builder thread allocates too) */
static unsigned long fail_at; /* fail the allocation with this number
				 (1-based); 0: none */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
int __real_vasprintf(char **out, const char *fmt, va_list ap);

static void *failed_from; /* the caller of the failed allocation */

#define fail_now() fail_now_(__builtin_return_address(0))
static int fail_now_(void *caller)
{
	unsigned long k = __atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	if (k != __atomic_load_n(&fail_at, __ATOMIC_RELAXED))
		return 0;
	failed_from = caller;
	return 1;
}

void *__wrap_malloc(size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	if (fail_now()) {
		errno = ENOMEM;
		return -1;
	}
	return __real_vasprintf(out, fmt, ap);
}

static void fail_allocation(unsigned long n)
{
	failed_from = NULL;
	__atomic_store_n(&allocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_at, n, __ATOMIC_RELAXED);
}

static unsigned long allocations(void)
{
	return __atomic_load_n(&allocs, __ATOMIC_RELAXED);
}

/* The allocations to fail, out of TOTAL: every one of the first 400,
 * then about 600 more spread evenly (each run is a whole load). */
static unsigned long next_n(unsigned long n, unsigned long total)
{
	if (n < 400)
		return n + 1;
	return n + 1 + total / 600;
}

/* ---- a small synthetic trace ---- */

static char work[] = "/tmp/btrace-test-oom.XXXXXX";
static char trace[sizeof(work) + 16];

static int setup(void **state)
{
	(void)state;
	if (elf_version(EV_CURRENT) == EV_NONE || !mkdtemp(work))
		return -1;
	snprintf(trace, sizeof(trace), "%s/t", work);
	return gen_trace(work, "t", "-p 40 -s 600 --seed 3");
}

static int teardown(void **state)
{
	(void)state;
	return gen_trace_rm(work);
}

/* ---- the tests ---- */

static void reader_returns_enomem(void **state)
{
	struct bt_trace t;
	char err[512];
	unsigned long total, tried = 0;
	(void)state;

	fail_allocation(0);
	assert_int_equal(bt_trace_load(trace, &t, err, sizeof(err)), 0);
	total = allocations();
	bt_trace_free(&t);
	assert_true(total > 10);
	for (unsigned long n = 1; n <= total; n = next_n(n, total)) {
		fail_allocation(n);
		errno = 0;
		if (bt_trace_load(trace, &t, err, sizeof(err)) == 0) {
			void *from = failed_from;
			fail_allocation(0);
			bt_trace_free(&t);
			if (!from)
				continue; /* this run made fewer */
			fail_msg("allocation %lu of %lu (called from main%+p) "
				 "failed, yet the trace loaded",
				 n, total,
				 (void *)((char *)from - (char *)&main));
		}
		fail_allocation(0);
		assert_int_equal(errno, ENOMEM);
		assert_non_null(strstr(err, "out of memory"));
		assert_null(strchr(err, '\n'));
		tried++;
	}
	assert_true(tried >= (total < 400 ? total : 400));
}

static void elf_reader_returns_enomem(void **state)
{
	static const uint64_t lay[4];
	struct bt_elf_funcs f;
	unsigned long total;
	size_t ranges;
	(void)state;

	fail_allocation(0);
	assert_int_equal(bt_elf_read(FIXTURE_LIB, FIXTURE_ID, lay, NULL, &f),
			 0);
	assert_int_equal(f.status, BT_SYM_OK);
	ranges = f.n_ranges;
	assert_true(ranges > 0);
	bt_elf_funcs_free(&f);
	total = allocations();
	assert_true(total > 0);
	for (unsigned long n = 1; n <= total; n++) {
		fail_allocation(n);
		int rc = bt_elf_read(FIXTURE_LIB, FIXTURE_ID, lay, NULL, &f);
		fail_allocation(0);
		assert_int_equal(rc, -1);
		assert_null(f.ranges);
		assert_null(f.why);
	}
}

/* The profile: symbolizing every sample (the symbolizer, reading the
 * module files) and building the trees, in two threads: every allocation
 * failure is -1 with a one-line reason. */
static void profile_returns_nomem(void **state)
{
	struct bt_trace t;
	struct bt_build b;
	struct bt_profile p;
	char err[512];
	unsigned long total;
	(void)state;

	fail_allocation(0);
	assert_int_equal(bt_trace_load(trace, &t, err, sizeof(err)), 0);
	/* gen_trace names this machine's toolchain libraries: reading
	 * librustc_driver's symbols a thousand times would take minutes.
	 * Missing files keep every symbolizer path but that one, which
	 * elf_reader_returns_enomem covers. */
	for (size_t i = 0; i < t.n_images; i++)
		for (size_t k = 0; k < t.images[i].n_modules; k++)
			t.images[i].modules[k].path = "/nonexistent/lib.so";
	assert_int_equal(bt_build_make(&t, &b, err, sizeof(err)), 0);
	fail_allocation(0);
	assert_int_equal(bt_profile_make(&b, &p, err, sizeof(err)), 0);
	total = allocations();
	bt_profile_free(&p);
	assert_true(total > 100);
	for (unsigned long n = 1; n <= total; n = next_n(n, total)) {
		void *from;
		int rc;
		fail_allocation(n);
		err[0] = 0;
		rc = bt_profile_make(&b, &p, err, sizeof(err));
		from = failed_from;
		fail_allocation(0);
		if (rc == 0) {
			bt_profile_free(&p);
			if (!from)
				continue; /* this run made fewer (threads) */
			fail_msg("allocation %lu of %lu (called from main%+p) "
				 "failed, yet the profile was made",
				 n, total,
				 (void *)((char *)from - (char *)&main));
		}
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err, "out of memory"));
		assert_null(strchr(err, '\n'));
	}
	bt_build_free(&b);
	bt_trace_free(&t);
}

/* bt_analyze() as the commands call it, the real modules read: never an
 * exit or a crash; out of memory is BT_EXIT_NOMEM with a one-line
 * reason.  Some failures are still tolerated outside the reader and the
 * symbolizer (the estimator takes a failed schedule replay as "no wall
 * saving"; libiberty's demangler falls back to its C++ reading of a Rust
 * legacy name): a few, no more.  30 failures spread over the run. */
static void analyze_returns_nomem(void **state)
{
	struct bt_analysis a;
	char err[512];
	unsigned long total, tried = 0, tolerated = 0;
	int rc;
	(void)state;

	fail_allocation(0);
	assert_int_equal(bt_analyze(trace, NULL, &a, err, sizeof(err)),
			 BT_EXIT_OK);
	total = allocations();
	assert_true(a.have_profile);
	bt_analysis_free(&a);
	for (unsigned long n = 1; n <= total; n += total / 30 + 1) {
		void *from;
		fail_allocation(n);
		err[0] = 0;
		rc = bt_analyze(trace, NULL, &a, err, sizeof(err));
		from = failed_from;
		fail_allocation(0);
		if (rc == BT_EXIT_OK) {
			bt_analysis_free(&a);
			tried += from != NULL;
			tolerated += from != NULL;
			continue;
		}
		tried++;
		assert_int_equal(rc, BT_EXIT_NOMEM);
		assert_non_null(strstr(err, "out of memory"));
		assert_null(strchr(err, '\n'));
	}
	if (tolerated * 10 > tried)
		fail_msg("%lu of %lu allocation failures tolerated", tolerated,
			 tried);
}

/* The graph report (issue 17: schedule, package graph, critical path,
 * dependency costs, idle cores, proc macros): every one of its
 * allocations failed in turn gives -1 and leaves nothing to free (ASan's
 * leak check), or is tolerated (the schedule's concurrency count and
 * capacity fit fall back), a few, no more. */
static void graph_report_returns_nomem(void **state)
{
	struct bt_trace t;
	struct bt_build b;
	struct bt_graph_report g;
	char err[512];
	unsigned long total, tried = 0, tolerated = 0;
	(void)state;

	fail_allocation(0);
	assert_int_equal(bt_trace_load(trace, &t, err, sizeof(err)), 0);
	assert_int_equal(bt_build_make(&t, &b, err, sizeof(err)), 0);
	fail_allocation(0);
	assert_int_equal(bt_graph_report_make(&b, 2, &g), 0);
	total = allocations();
	assert_true(g.path.n_path > 0);
	bt_graph_report_free(&g);
	for (unsigned long n = 1; n <= total; n = next_n(n, total)) {
		int rc;
		fail_allocation(n);
		rc = bt_graph_report_make(&b, 2, &g);
		fail_allocation(0);
		tried++;
		if (rc == 0) {
			tolerated++;
			bt_graph_report_free(&g);
			continue;
		}
		assert_int_equal(rc, -1);
	}
	if (tolerated * 10 > tried)
		fail_msg("%lu of %lu allocation failures tolerated", tolerated,
			 tried);
	bt_build_free(&b);
	bt_trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reader_returns_enomem),
	    cmocka_unit_test(elf_reader_returns_enomem),
	    cmocka_unit_test(profile_returns_nomem),
	    cmocka_unit_test(analyze_returns_nomem),
	    cmocka_unit_test(graph_report_returns_nomem),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
