/* test_history_pqload.c - the PostgreSQL backend loads libpq with
 * dlopen() only when a postgresql:// store is opened (btrace links no
 * libpq): with libpq missing the store's error is the one line that
 * names the package; with a "libpq" that lacks a function it is
 * dlerror()'s text; with the real libpq.so.5 it loads once.  dlopen is
 * swapped through the linker's --wrap. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "history/sql.h"
#include "history/store.h"

void *__real_dlopen(const char *file, int mode);

/* What the wrapped dlopen does with libpq.so.5. */
static enum { PQ_REAL, PQ_MISSING, PQ_NOT_LIBPQ } pq_mode;
static int pq_opens;

void *__wrap_dlopen(const char *file, int mode)
{
	if (!file || strcmp(file, "libpq.so.5") != 0)
		return __real_dlopen(file, mode);
	pq_opens++;
	if (pq_mode == PQ_MISSING)
		return NULL;
	if (pq_mode == PQ_NOT_LIBPQ)
		return __real_dlopen("libc.so.6", mode);
	return __real_dlopen(file, mode);
}

static void test_missing(void **state)
{
	struct bt_store *s = (void *)1;
	char err[256];
	(void)state;
	pq_mode = PQ_MISSING;
	pq_opens = 0;
	assert_int_equal(
	    bt_store_open("postgresql://localhost/none", &s, err, sizeof(err)),
	    -1);
	assert_null(s);
	assert_string_equal(
	    err, "the PostgreSQL store needs libpq (Debian: libpq5)");
	assert_int_equal(pq_opens, 1);
	/* a failed load is tried again, not remembered */
	assert_int_equal(bt_sql_pg_load(err, sizeof(err)), -1);
	assert_int_equal(pq_opens, 2);
}

static void test_lacks_function(void **state)
{
	char err[256];
	(void)state;
	pq_mode = PQ_NOT_LIBPQ;
	assert_int_equal(bt_sql_pg_load(err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PQconnectdbParams"));
	assert_null(strchr(err, '\n'));
}

static void test_sqlite_never_loads(void **state)
{
	char err[256], path[] = "/tmp/btrace-pqload.XXXXXX", db[300];
	struct bt_store *s = NULL;
	(void)state;
	pq_mode = PQ_MISSING;
	pq_opens = 0;
	assert_non_null(mkdtemp(path));
	snprintf(db, sizeof(db), "%s/h.db", path);
	assert_int_equal(bt_store_open(db, &s, err, sizeof(err)), 0);
	bt_store_close(s);
	assert_int_equal(pq_opens, 0);
	assert_int_equal(unlink(db), 0);
	assert_int_equal(rmdir(path), 0);
}

static void test_real_loads_once(void **state)
{
	char err[256];
	(void)state;
	pq_mode = PQ_REAL;
	pq_opens = 0;
	assert_int_equal(bt_sql_pg_load(err, sizeof(err)), 0);
	assert_int_equal(bt_sql_pg_load(err, sizeof(err)), 0);
	assert_int_equal(pq_opens, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_lacks_function),
	    cmocka_unit_test(test_sqlite_never_loads),
	    cmocka_unit_test(test_real_loads_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
