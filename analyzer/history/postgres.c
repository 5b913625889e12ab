/* postgres.c - the history store's PostgreSQL backend (Debian's libpq):
 * the same schema on a team's shared server.
 *
 * libpq is loaded with dlopen() the first time a postgresql:// store is
 * opened, never linked: linking it made every btrace start map 22 more
 * shared libraries (and btrace record's child inherit part of that in
 * its ru_maxrss).  libpq-fe.h still gives the types and the prototypes
 * that the table below is checked against; libpq5 is only recommended.
 *
 * Parameters go as text and the server infers their types from the
 * statement; writers serialize on one transaction-scoped advisory lock,
 * so that a build is stored whole or not at all and two writers never
 * race on the migrations or on the replacement of one session's row. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "history/sql.h"

/* libpq's soname: the ABI this file was built against. */
#define PQ_SONAME "libpq.so.5"

/* The libpq functions this backend calls, resolved with dlsym() into a
 * table of pointers of the header's own types (so a prototype that
 * changes breaks the build, not the call). */
#define PQ_FUNCS(X)                                                            \
	X(PQconnectdbParams)                                                   \
	X(PQstatus)                                                            \
	X(PQerrorMessage)                                                      \
	X(PQfinish)                                                            \
	X(PQsetNoticeProcessor)                                                \
	X(PQexecParams)                                                        \
	X(PQresultStatus)                                                      \
	X(PQntuples)                                                           \
	X(PQnfields)                                                           \
	X(PQgetisnull)                                                         \
	X(PQgetvalue)                                                          \
	X(PQclear)

static struct {
#define PQ_FIELD(f) __typeof__(f) *f;
	PQ_FUNCS(PQ_FIELD)
#undef PQ_FIELD
} pq;

/* Not thread-safe: the store is opened from the main thread only. */
int bt_sql_pg_load(char *err, size_t errlen)
{
	static void *lib;
	void *h;

	if (lib)
		return 0;
	h = dlopen(PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen,
			 "the PostgreSQL store needs libpq (Debian: libpq5)");
		return -1;
	}
#define PQ_SYM(f)                                                              \
	*(void **)&pq.f = dlsym(h, #f);                                        \
	if (!pq.f) {                                                           \
		snprintf(err, errlen, "%s", dlerror());                        \
		goto fail;                                                     \
	}
	PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
	lib = h;
	return 0;
fail:
	memset(&pq, 0, sizeof(pq));
	dlclose(h);
	return -1;
}

/* The advisory lock's key: "btrace history" in no particular encoding,
 * only fixed. */
#define LOCK_KEY "727316"

/* libpq's text: one line, without its trailing newline. */
static void set_err(char *err, size_t errlen, const char *what, const char *msg)
{
	size_t n = 0;
	snprintf(err, errlen, "%s: %s", what, msg && *msg ? msg : "failed");
	/* newlines and tabs to single spaces */
	for (char *p = err; *p; p++) {
		char c = *p == '\n' || *p == '\t' ? ' ' : *p;
		if (c != ' ' || (n && err[n - 1] != ' '))
			err[n++] = c;
	}
	err[n] = 0;
	while (n && err[n - 1] == ' ')
		err[--n] = 0;
}

/* CREATE TABLE IF NOT EXISTS says NOTICE when the table is there:
 * btrace prints nothing of the sort. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int bt_sql_pg_open(const char *conninfo, void **out, char *err, size_t errlen)
{
	/* 10 s to connect unless CONNINFO says otherwise: a report must not
	 * hang on a server that is down (libpq waits forever by default). */
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const vals[] = {"10", conninfo, NULL};
	PGconn *c;

	if (bt_sql_pg_load(err, errlen) < 0)
		return -1;
	c = pq.PQconnectdbParams(keys, vals, 1);
	if (!c) {
		set_err(err, errlen, "postgresql", "out of memory");
		return -1;
	}
	if (pq.PQstatus(c) != CONNECTION_OK) {
		set_err(err, errlen, "postgresql", pq.PQerrorMessage(c));
		pq.PQfinish(c);
		return -1;
	}
	pq.PQsetNoticeProcessor(c, quiet, NULL);
	*out = c;
	return 0;
}

static int pg_exec(void *handle, const char *sql, const struct bt_sql_param *p,
		   int n, bt_sql_row_cb cb, void *ctx, char *err, size_t errlen)
{
	PGconn *c = handle;
	PGresult *r = NULL;
	const char *vals[32];
	char nums[32][32];
	struct bt_sql_col cols[32] = {0};
	int ret = -1, rows, nc;

	err[0] = 0;
	if (n > 32) {
		set_err(err, errlen, "postgresql", "too many parameters");
		return -1;
	}
	for (int k = 0; k < n; k++) {
		if (p[k].type == BT_SQL_INT) {
			snprintf(nums[k], sizeof(nums[k]), "%lld",
				 (long long)p[k].i);
			vals[k] = nums[k];
		} else if (p[k].type == BT_SQL_REAL) {
			snprintf(nums[k], sizeof(nums[k]), "%.17g", p[k].d);
			vals[k] = nums[k];
		} else {
			vals[k] = p[k].s;
		}
	}
	r = pq.PQexecParams(c, sql, n, NULL, n ? vals : NULL, NULL, NULL, 0);
	if (!r || (pq.PQresultStatus(r) != PGRES_COMMAND_OK &&
		   pq.PQresultStatus(r) != PGRES_TUPLES_OK)) {
		set_err(err, errlen, "postgresql", pq.PQerrorMessage(c));
		goto out;
	}
	rows = pq.PQntuples(r);
	nc = pq.PQnfields(r);
	if (nc > 32)
		nc = 32;
	for (int row = 0; cb && row < rows; row++) {
		for (int k = 0; k < nc; k++)
			cols[k].s = pq.PQgetisnull(r, row, k)
					? NULL
					: pq.PQgetvalue(r, row, k);
		if (cb(ctx, nc, cols) < 0)
			goto out;
	}
	ret = 0;
out:
	pq.PQclear(r);
	return ret;
}

static void pg_close(void *c)
{
	pq.PQfinish(c);
}

static const char *const pg_begin[] = {
    "BEGIN", "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", NULL};

const struct bt_sql_backend bt_sql_pg = {
    .name = "postgresql",
    .id_type = "BIGSERIAL PRIMARY KEY",
    .begin_write = pg_begin,
    .exec = pg_exec,
    .close = pg_close,
};
