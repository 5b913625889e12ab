/* sql.h - what a history backend does for store.c: run one SQL statement
 * with parameters and hand back its rows as text.  store.c writes every
 * statement once, in the SQL both SQLite and PostgreSQL accept
 * (parameters $1, $2, ... numbered in order of first use), and keeps
 * the schema, the migrations and the row layout; a backend knows only
 * its library (sqlite3, libpq).  Private to history/. */
#ifndef BTRACE_HISTORY_SQL_H
#define BTRACE_HISTORY_SQL_H

#include <stddef.h>
#include <stdint.h>

/* One parameter: text (S, NULL for SQL NULL), or an integer or a double
 * (S NULL and TYPE saying which). */
enum bt_sql_type { BT_SQL_TEXT = 0, BT_SQL_INT, BT_SQL_REAL };
struct bt_sql_param {
	enum bt_sql_type type;
	const char *s;
	int64_t i;
	double d;
};

/* One column of a row, as the backend has it: a number as a number
 * (NUM 1, the value in D and I, S NULL), so that a double never goes
 * through text and back (SQLite's own formatting of a double was a
 * quarter of `btrace history --unit`'s CPU); text, or a number the
 * backend has as text (PostgreSQL's text results), in S; SQL NULL as S
 * NULL and NUM 0.  store.c reads them through col_text(), col_num() and
 * col_int(). */
struct bt_sql_col {
	const char *s;
	int num;
	double d;
	int64_t i;
};

/* Called for each row: N columns.  Returns 0 to go on, -1 to stop (the
 * statement then fails with ERR left empty). */
typedef int (*bt_sql_row_cb)(void *ctx, int n, const struct bt_sql_col *cols);

struct bt_sql_backend {
	const char *name; /* "sqlite", "postgresql" */
	/* The column type of a generated primary key. */
	const char *id_type;
	/* Starts a write transaction that no other writer shares: SQLite's
	 * BEGIN IMMEDIATE; PostgreSQL's BEGIN and an advisory lock. */
	const char *const *begin_write;
	/* Runs SQL with N parameters; CB (may be NULL) gets each row. */
	int (*exec)(void *db, const char *sql, const struct bt_sql_param *p,
		    int n, bt_sql_row_cb cb, void *ctx, char *err,
		    size_t errlen);
	void (*close)(void *db);
};

/* Opens the SQLite file PATH (created 0600 beforehand by store.c). */
int bt_sql_sqlite_open(const char *path, void **db, char *err, size_t errlen);
extern const struct bt_sql_backend bt_sql_sqlite;

/* Loads libpq with dlopen() (once; btrace does not link it) and
 * resolves the functions postgres.c calls.  0, or -1 with ERR one line:
 * "the PostgreSQL store needs libpq (Debian: libpq5)" when libpq.so.5 is
 * not installed, dlerror()'s text when it lacks a function. */
int bt_sql_pg_load(char *err, size_t errlen);
/* Connects to the PostgreSQL server CONNINFO names (loading libpq). */
int bt_sql_pg_open(const char *conninfo, void **db, char *err, size_t errlen);
extern const struct bt_sql_backend bt_sql_pg;

#endif
