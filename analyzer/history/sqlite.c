/* sqlite.c - the history store's SQLite backend (Debian's libsqlite3).
 *
 * The file is in WAL mode, so that readers never wait for a writer and a
 * writer killed half way leaves only a WAL tail that the next opener
 * rolls back; writers take the write lock first (BEGIN IMMEDIATE) and
 * wait up to BUSY_MS for it, so 20 reports at once all get their turn. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "history/sql.h"

#define BUSY_MS 60000

static void set_err(char *err, size_t errlen, const char *what, sqlite3 *db)
{
	snprintf(err, errlen, "%s: %s", what,
		 db ? sqlite3_errmsg(db) : "out of memory");
}

int bt_sql_sqlite_open(const char *path, void **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		set_err(err, errlen, path, db);
		goto fail;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	/* WAL persists in the file; synchronous=NORMAL is durable in WAL
	 * mode up to the last checkpoint: a crash loses at most the last
	 * builds, never the file. */
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 " PRAGMA foreign_keys=ON;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		goto fail;
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return -1;
}

static int bind(sqlite3_stmt *st, const struct bt_sql_param *p, int n)
{
	for (int k = 0; k < n; k++) {
		char name[16];
		int idx, rc;
		snprintf(name, sizeof(name), "$%d", k + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (!idx)
			continue; /* a parameter this statement does not use */
		if (p[k].type == BT_SQL_INT)
			rc = sqlite3_bind_int64(st, idx, p[k].i);
		else if (p[k].type == BT_SQL_REAL)
			rc = sqlite3_bind_double(st, idx, p[k].d);
		else if (p[k].s)
			rc = sqlite3_bind_text(st, idx, p[k].s, -1,
					       SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(st, idx);
		if (rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

static int sqlite_exec(void *handle, const char *sql,
		       const struct bt_sql_param *p, int n, bt_sql_row_cb cb,
		       void *ctx, char *err, size_t errlen)
{
	sqlite3 *db = handle;
	sqlite3_stmt *st = NULL;
	struct bt_sql_col cols[32];
	int rc, ret = -1;

	err[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    bind(st, p, n) < 0) {
		set_err(err, errlen, "sqlite", db);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int nc = sqlite3_column_count(st);
		if (nc > 32)
			nc = 32;
		for (int c = 0; c < nc; c++) {
			struct bt_sql_col *col = &cols[c];
			*col = (struct bt_sql_col){0};
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				col->num = 1;
				col->i = sqlite3_column_int64(st, c);
				col->d = (double)col->i;
				break;
			case SQLITE_FLOAT:
				col->num = 1;
				col->d = sqlite3_column_double(st, c);
				/* (a file may hold anything: no undefined
				 * conversion of an inf or a huge value) */
				col->i = col->d > -9e18 && col->d < 9e18
					     ? (int64_t)col->d
					     : 0;
				break;
			case SQLITE_NULL:
				break;
			default:
				col->s =
				    (const char *)sqlite3_column_text(st, c);
			}
		}
		if (cb && cb(ctx, nc, cols) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		set_err(err, errlen, "sqlite", db);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static void sqlite_close(void *db)
{
	sqlite3_close(db);
}

static const char *const sqlite_begin[] = {"BEGIN IMMEDIATE", NULL};

const struct bt_sql_backend bt_sql_sqlite = {
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY",
    .begin_write = sqlite_begin,
    .exec = sqlite_exec,
    .close = sqlite_close,
};
