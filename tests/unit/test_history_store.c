/* test_history_store.c - the history store on its SQLite backend: the
 * default file's place and modes, refusing a directory or file others
 * could steer, a build and its units written and read back, filters and
 * order, a build stored again replacing its row, a migration from
 * version 1 keeping the data, one from version 2 to 3 (the units'
 * crate index), numbers read back exactly, and a schema newer than this
 * btrace's refused.  (tests/history runs the same store against PostgreSQL.) */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "history/store.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/btrace-hist.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("XDG_DATA_HOME", root, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void make_build(struct bt_hist_build *b, const char *session, int64_t t,
		       double cpu)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->session, sizeof(b->session), "%s", session);
	b->started_ms = t;
	snprintf(b->host, sizeof(b->host), "host");
	snprintf(b->workspace, sizeof(b->workspace), "/ws");
	snprintf(b->command, sizeof(b->command), "cargo build");
	snprintf(b->toolchain, sizeof(b->toolchain), "stable");
	snprintf(b->settings, sizeof(b->settings), "debuginfo=2");
	b->wall_s = cpu / 2;
	b->cpu_s = cpu;
	b->units_compiled = 2;
	snprintf(b->top_category, sizeof(b->top_category), "frontend");
	b->top_category_s = cpu / 2;
	b->complete = 1;
	b->n_categories = 3;
	b->categories[0] = cpu / 2;
	b->categories[1] = cpu / 4;
	b->categories[2] = 0.125;
}

static void make_units(struct bt_hist_unit *u, double cpu)
{
	memset(u, 0, 2 * sizeof(*u));
	snprintf(u[0].crate, sizeof(u[0].crate), "alpha");
	snprintf(u[0].target, sizeof(u[0].target), "lib");
	snprintf(u[0].settings, sizeof(u[0].settings), "debuginfo=2");
	u[0].cpu_s = cpu;
	u[0].wall_s = cpu;
	u[0].frontend_s = cpu / 3;
	snprintf(u[1].crate, sizeof(u[1].crate), "beta");
	snprintf(u[1].target, sizeof(u[1].target), "bin");
	u[1].cpu_s = 1.5;
}

static int count_build(void *ctx, const struct bt_hist_build *b)
{
	int64_t *ids = ctx;
	ids[++ids[0]] = b->id;
	return 0;
}

struct seen {
	int n;
	double cpu[8];
	char crate[8][128];
};

static int count_unit(void *ctx, const struct bt_hist_build *b,
		      const struct bt_hist_unit *u)
{
	struct seen *s = ctx;
	(void)b;
	if (s->n < 8) {
		s->cpu[s->n] = u->cpu_s;
		snprintf(s->crate[s->n], 128, "%s", u->crate);
	}
	s->n++;
	return 0;
}

static struct bt_store *open_default(void)
{
	struct bt_store *s = NULL;
	char err[512];
	if (bt_store_open(NULL, &s, err, sizeof(err)) < 0)
		fail_msg("open: %s", err);
	return s;
}

static void test_default_place_and_modes(void **state)
{
	char path[256], want[256];
	struct stat st;
	struct bt_store *s;
	(void)state;
	assert_int_equal(bt_store_default_path(path, sizeof(path), NULL, 0), 0);
	snprintf(want, sizeof(want), "%s/btrace/history.db", root);
	assert_string_equal(path, want);
	s = open_default();
	assert_string_equal(bt_store_name(s), want);
	bt_store_close(s);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(want, sizeof(want), "%s/btrace", root);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* a relative XDG_DATA_HOME is ignored, as the spec says */
	setenv("XDG_DATA_HOME", "rel", 1);
	setenv("HOME", "/home/someone", 1);
	assert_int_equal(bt_store_default_path(path, sizeof(path), NULL, 0), 0);
	assert_string_equal(path, "/home/someone/.local/share/btrace/"
				  "history.db");
	setenv("XDG_DATA_HOME", root, 1);
}

static void test_refuses_open_dir_and_link(void **state)
{
	char dir[256], file[300], other[300], err[512];
	struct bt_store *s = NULL;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/btrace", root);
	snprintf(file, sizeof(file), "%s/history.db", dir);
	snprintf(other, sizeof(other), "%s/elsewhere", root);
	/* a btrace directory others can read */
	mkdir(dir, 0700);
	chmod(dir, 0755);
	assert_int_equal(bt_store_open(NULL, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "private"));
	chmod(dir, 0700);
	/* a planted symbolic link instead of the file */
	unlink(file);
	assert_int_equal(symlink(other, file), 0);
	assert_int_equal(bt_store_open(NULL, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(access(other, F_OK), -1); /* nothing created */
	unlink(file);
	/* a directory on the way that anyone may write into (not sticky):
	 * another user could swap what lies below it */
	snprintf(other, sizeof(other), "%s/open", root);
	mkdir(other, 0777);
	chmod(other, 0777);
	setenv("XDG_DATA_HOME", other, 1);
	assert_int_equal(bt_store_open(NULL, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "writable by another user"));
	chmod(other, 01777); /* sticky, like /tmp: safe */
	s = open_default();
	bt_store_close(s);
	setenv("XDG_DATA_HOME", root, 1);
	snprintf(other, sizeof(other), "%s/elsewhere", root);
	/* a file others can read */
	s = open_default();
	bt_store_close(s);
	chmod(file, 0644);
	assert_int_equal(bt_store_open(NULL, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0644"));
	chmod(file, 0600);
}

static void test_add_and_read(void **state)
{
	struct bt_store *s = open_default();
	struct bt_hist_build b, c;
	struct bt_hist_unit u[2];
	struct bt_hist_filter all = {0}, f = {0};
	int64_t ids[16] = {0};
	struct seen seen = {0};
	char err[512];
	(void)state;
	for (int i = 0; i < 3; i++) {
		char sess[32];
		snprintf(sess, sizeof(sess), "host:s%d", i);
		make_build(&b, sess, 1000 + i, 10 + i);
		make_units(u, 2 + i);
		assert_int_equal(bt_store_add(s, &b, u, 2, err, sizeof(err)),
				 0);
		assert_true(b.id > 0);
	}
	/* one of another workspace, older than all */
	make_build(&b, "host:other", 10, 99);
	snprintf(b.workspace, sizeof(b.workspace), "/elsewhere");
	make_units(u, 50);
	assert_int_equal(bt_store_add(s, &b, u, 2, err, sizeof(err)), 0);

	assert_int_equal(
	    bt_store_builds(s, &all, count_build, ids, err, sizeof(err)), 0);
	assert_int_equal(ids[0], 4);
	assert_true(ids[1] > ids[2] && ids[2] > ids[3]); /* newest first */
	assert_int_equal(ids[4], b.id);			 /* the oldest */

	f.workspace = "/ws";
	f.limit = 2;
	ids[0] = 0;
	assert_int_equal(
	    bt_store_builds(s, &f, count_build, ids, err, sizeof(err)), 0);
	assert_int_equal(ids[0], 2);

	/* units: alpha's trend in /ws, newest first */
	f = (struct bt_hist_filter){.workspace = "/ws", .crate = "alpha"};
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 3);
	assert_true(seen.cpu[0] == 4 && seen.cpu[1] == 3 && seen.cpu[2] == 2);
	/* until and exclude, as --check asks */
	f.until_ms = 1001;
	f.exclude_id = ids[1];
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 2);
	/* unit settings and target filter */
	f = (struct bt_hist_filter){.crate = "beta", .target = "lib"};
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 0);

	/* categories come back by name */
	c.id = b.id;
	assert_int_equal(bt_store_categories(s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_categories, 3);
	assert_true(c.categories[0] == 99.0 / 2 && c.categories[2] == 0.125);
	bt_store_close(s);
}

/* The same session stored again replaces its row and units. */
static void test_replace(void **state)
{
	struct bt_store *s = open_default();
	struct bt_hist_build b;
	struct bt_hist_unit u[2];
	struct bt_hist_filter f = {.crate = "alpha"};
	int64_t ids[16] = {0};
	struct seen seen = {0};
	char err[512];
	(void)state;
	make_build(&b, "host:again", 5000, 1);
	make_units(u, 7);
	assert_int_equal(bt_store_add(s, &b, u, 2, err, sizeof(err)), 0);
	make_units(u, 8);
	assert_int_equal(bt_store_add(s, &b, u, 2, err, sizeof(err)), 0);
	assert_int_equal(bt_store_builds(s, &(struct bt_hist_filter){0},
					 count_build, ids, err, sizeof(err)),
			 0);
	assert_int_equal(ids[0], 5);
	f.build_id = b.id;
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 1);
	assert_true(seen.cpu[0] == 8);
	bt_store_close(s);
}

/* Runs SQL on the file PATH, CB called with CTX for each row (as
 * sqlite3_exec).  Returns 0, or -1. */
static int run_sql(const char *path, const char *sql,
		   int (*cb)(void *, int, char **, char **), void *ctx)
{
	sqlite3 *db;
	int rc;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, cb, ctx, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int exec_sql(const char *path, const char *sql)
{
	return run_sql(path, sql, NULL, NULL);
}

/* The builds and units tables as schema version 1 made them (version 2
 * added build_categories and indexes; version 3 changed an index): the
 * old files the migration tests start from. */
#define V1_BUILDS                                                              \
	"CREATE TABLE builds (id INTEGER PRIMARY KEY, session TEXT NOT NULL "  \
	"UNIQUE, started_ms BIGINT NOT NULL, host TEXT NOT NULL, workspace "   \
	"TEXT NOT NULL, command TEXT NOT NULL, toolchain TEXT NOT NULL, "      \
	"settings TEXT NOT NULL, wall_s DOUBLE PRECISION NOT NULL, cpu_s "     \
	"DOUBLE PRECISION NOT NULL, units INTEGER NOT NULL, units_compiled "   \
	"INTEGER NOT NULL, top_category TEXT NOT NULL, top_category_s DOUBLE " \
	"PRECISION NOT NULL, complete INTEGER NOT NULL);"
#define V1_UNITS                                                               \
	"CREATE TABLE units (build_id BIGINT NOT NULL, seq INTEGER NOT NULL, " \
	"crate TEXT NOT NULL, target TEXT NOT NULL, version TEXT NOT NULL, "   \
	"settings TEXT NOT NULL, wall_s DOUBLE PRECISION NOT NULL, cpu_s "     \
	"DOUBLE PRECISION NOT NULL, frontend_s DOUBLE PRECISION NOT NULL, "    \
	"codegen_s DOUBLE PRECISION NOT NULL, debuginfo_s DOUBLE PRECISION "   \
	"NOT NULL, link_s DOUBLE PRECISION NOT NULL, PRIMARY KEY (build_id, "  \
	"seq));"

/* A version-1 file (no build_categories) is migrated, its builds kept;
 * a file from a newer btrace is refused with a clear line. */
static void test_migrate_and_too_new(void **state)
{
	char path[256], err[512];
	struct bt_store *s = NULL;
	int64_t ids[16] = {0};
	(void)state;
	snprintf(path, sizeof(path), "%s/v1.db", root);
	assert_int_equal(
	    exec_sql(path,
		     "CREATE TABLE schema_version (version INTEGER NOT NULL);"
		     "INSERT INTO schema_version VALUES (1);" V1_BUILDS V1_UNITS
		     "INSERT INTO builds VALUES (7, 'h:old', 1, 'h', '/ws', "
		     "'cargo build', 'stable', '', 1, 2, 0, 0, '-', 0, 1);"),
	    0);
	assert_int_equal(bt_store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(bt_store_builds(s, &(struct bt_hist_filter){0},
					 count_build, ids, err, sizeof(err)),
			 0);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 7);
	bt_store_close(s);
	assert_int_equal(exec_sql(path,
				  "SELECT * FROM build_categories;"
				  "INSERT INTO schema_version VALUES (99);"),
			 0);
	assert_int_equal(bt_store_open(path, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "version 99, newer"));
}

static int get_text(void *ctx, int n, char **cols, char **names)
{
	char *out = ctx;
	(void)names;
	if (n > 0 && cols[0])
		snprintf(out + strlen(out), 256 - strlen(out), "%s;", cols[0]);
	return 0;
}

/* The text rows SQL gives in FILE, each followed by ';', into OUT[256]. */
static int query_sql(const char *path, const char *sql, char *out)
{
	out[0] = 0;
	return run_sql(path, sql, get_text, out);
}

/* A version-2 file, as btrace wrote it (units_crate, build_categories),
 * with units of two builds, is migrated to version 3: units_crate is
 * replaced by units_crate_build, every unit row is still there, and a
 * crate's trend reads back newest first, a build's rows in their order. */
static void test_migrate_2_to_3(void **state)
{
	char path[256], err[512], got[256];
	struct bt_store *s = NULL;
	struct bt_hist_filter f = {.crate = "alpha"};
	struct seen seen = {0};
	(void)state;
	snprintf(path, sizeof(path), "%s/v2.db", root);
	assert_int_equal(
	    exec_sql(path,
		     "CREATE TABLE schema_version (version INTEGER NOT NULL);"
		     "INSERT INTO schema_version VALUES (1);"
		     "INSERT INTO schema_version VALUES (2);" V1_BUILDS
		     "CREATE INDEX builds_started ON builds (started_ms, id);"
		     "CREATE INDEX builds_key ON builds (workspace, command, "
		     "toolchain, settings, started_ms);" V1_UNITS
		     "CREATE INDEX units_crate ON units (crate, target, "
		     "settings);"
		     "CREATE TABLE build_categories (build_id BIGINT NOT NULL, "
		     "category TEXT NOT NULL, cpu_s DOUBLE PRECISION NOT NULL, "
		     "PRIMARY KEY (build_id, category));"
		     /* build 3 started before build 2: the order is by time */
		     "INSERT INTO builds VALUES (2, 'h:b', 200, 'h', '/ws', "
		     "'cargo build', 'stable', '', 1, 2, 3, 3, '-', 0, 1);"
		     "INSERT INTO builds VALUES (3, 'h:a', 100, 'h', '/ws', "
		     "'cargo build', 'stable', '', 1, 2, 3, 3, '-', 0, 1);"
		     "INSERT INTO units VALUES (2, 0, 'alpha', 'lib', '1.0', "
		     "'', 1, 2.5, 1, 1, 0, 0);"
		     "INSERT INTO units VALUES (2, 1, 'beta', 'lib', '1.0', "
		     "'', 1, 9, 1, 1, 0, 0);"
		     "INSERT INTO units VALUES (2, 2, 'alpha', 'bin', '1.0', "
		     "'', 1, 2.75, 1, 1, 0, 0);"
		     "INSERT INTO units VALUES (3, 0, 'alpha', 'lib', '1.0', "
		     "'', 1, 1.5, 1, 1, 0, 0);"),
	    0);
	assert_int_equal(bt_store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	bt_store_close(s);
	assert_int_equal(seen.n, 3);
	assert_true(seen.cpu[0] == 2.5);  /* build 2 (newest), seq 0 */
	assert_true(seen.cpu[1] == 2.75); /* build 2, seq 2 */
	assert_true(seen.cpu[2] == 1.5);  /* build 3 */
	assert_int_equal(
	    query_sql(path, "SELECT max(version) FROM schema_version", got), 0);
	assert_string_equal(got, "3;");
	assert_int_equal(query_sql(path,
				   "SELECT name FROM sqlite_master WHERE "
				   "type = 'index' AND name LIKE 'units%' "
				   "ORDER BY name",
				   got),
			 0);
	assert_string_equal(got, "units_crate_build;");
	assert_int_equal(query_sql(path, "SELECT count(*) FROM units", got), 0);
	assert_string_equal(got, "4;");
}

/* A time reads back as the very double stored: the SQLite backend hands
 * numbers over as numbers, not as 15 significant digits of text. */
static void test_numbers_exact(void **state)
{
	struct bt_store *s = open_default();
	struct bt_hist_build b;
	struct bt_hist_unit u[2];
	struct bt_hist_filter f = {.crate = "alpha"};
	struct seen seen = {0};
	char err[512];
	double odd = 0.1 + 0.2; /* 0.30000000000000004: 17 digits */
	(void)state;
	make_build(&b, "host:exact", 4102444800000, 10);
	make_units(u, 1);
	u[0].cpu_s = odd;
	assert_int_equal(bt_store_add(s, &b, u, 2, err, sizeof(err)), 0);
	assert_int_equal(
	    bt_store_units(s, &f, count_unit, &seen, err, sizeof(err)), 0);
	bt_store_close(s);
	assert_true(seen.n >= 1);
	assert_true(seen.cpu[0] == odd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_place_and_modes),
	    cmocka_unit_test(test_refuses_open_dir_and_link),
	    cmocka_unit_test(test_add_and_read),
	    cmocka_unit_test(test_replace),
	    cmocka_unit_test(test_migrate_and_too_new),
	    cmocka_unit_test(test_migrate_2_to_3),
	    cmocka_unit_test(test_numbers_exact),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
