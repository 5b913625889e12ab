/* test_pool.c - the profile's string pool: one pointer per distinct
 * string, through its hash index, however many (a name per unit in a
 * build of thousands). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "profile/pool.h"

static void test_equal_names_one_pointer(void **state)
{
	enum { N = 5000 };
	static const char *first[N];
	struct pool p = {0};
	(void)state;
	for (int i = 0; i < N; i++) {
		first[i] = pool_add(&p, "unit-%d 1.0.%d lib", i, i % 7);
		assert_non_null(first[i]);
	}
	assert_int_equal(p.n, N);
	/* again, in another order, and formatted otherwise */
	for (int i = N; i-- > 0;) {
		char buf[64];
		snprintf(buf, sizeof(buf), "unit-%d 1.0.%d lib", i, i % 7);
		assert_ptr_equal(pool_add(&p, "%s", buf), first[i]);
		assert_string_equal(first[i], buf);
	}
	assert_int_equal(p.n, N);
	for (int i = 1; i < N; i++)
		assert_ptr_not_equal(first[i], first[i - 1]);
	assert_string_equal(pool_add(&p, "%s", ""), "");
	assert_int_equal(p.n, N + 1);
	/* sealed: the strings stay */
	pool_seal(&p);
	assert_null(p.slots);
	assert_string_equal(first[42], "unit-42 1.0.0 lib");
	pool_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_names_one_pointer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
