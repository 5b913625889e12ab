/* store.c - the history store over either backend (sql.h): the schema and
 * its migrations, a build written in one transaction, and the queries,
 * each written once in SQL that SQLite and PostgreSQL both accept.
 *
 * Schema (docs/history.md): schema_version (one row per migration
 * applied), builds (one row per build, its key and totals), units (a
 * build's units, by build_id and seq) and, from version 2,
 * build_categories (a build's CPU per category); version 3 indexes the
 * units by crate and build (step3). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/db_file.h"
#include "history/sql.h"
#include "history/store.h"
#include "profile/attribution.h"

struct bt_store {
	const struct bt_sql_backend *be;
	void *db;
	char name[1024];
};

/* The migrations, in order: step k takes the schema from version k-1 to
 * k.  "@ID@" is the backend's generated primary key type.  Never edit a
 * step that has shipped: add one. */
static const char *const step1[] = {
    "CREATE TABLE builds (id @ID@, session TEXT NOT NULL UNIQUE, "
    "started_ms BIGINT NOT NULL, host TEXT NOT NULL, "
    "workspace TEXT NOT NULL, command TEXT NOT NULL, "
    "toolchain TEXT NOT NULL, settings TEXT NOT NULL, "
    "wall_s DOUBLE PRECISION NOT NULL, cpu_s DOUBLE PRECISION NOT NULL, "
    "units INTEGER NOT NULL, units_compiled INTEGER NOT NULL, "
    "top_category TEXT NOT NULL, "
    "top_category_s DOUBLE PRECISION NOT NULL, complete INTEGER NOT NULL)",
    "CREATE INDEX builds_started ON builds (started_ms, id)",
    "CREATE INDEX builds_key ON builds (workspace, command, toolchain, "
    "settings, started_ms)",
    "CREATE TABLE units (build_id BIGINT NOT NULL REFERENCES builds (id) "
    "ON DELETE CASCADE, seq INTEGER NOT NULL, crate TEXT NOT NULL, "
    "target TEXT NOT NULL, version TEXT NOT NULL, settings TEXT NOT NULL, "
    "wall_s DOUBLE PRECISION NOT NULL, cpu_s DOUBLE PRECISION NOT NULL, "
    "frontend_s DOUBLE PRECISION NOT NULL, "
    "codegen_s DOUBLE PRECISION NOT NULL, "
    "debuginfo_s DOUBLE PRECISION NOT NULL, "
    "link_s DOUBLE PRECISION NOT NULL, PRIMARY KEY (build_id, seq))",
    "CREATE INDEX units_crate ON units (crate, target, settings)",
    NULL,
};
static const char *const step2[] = {
    "CREATE TABLE build_categories (build_id BIGINT NOT NULL REFERENCES "
    "builds (id) ON DELETE CASCADE, category TEXT NOT NULL, "
    "cpu_s DOUBLE PRECISION NOT NULL, PRIMARY KEY (build_id, category))",
    NULL,
};
/* Version 3: one crate's rows together.  `history --unit` and --check
 * read a crate's rows build by build (the builds in the order of
 * builds_started or builds_key, each probing this index by crate and
 * build), with no sort; the index carries every column those queries
 * read, so the units table itself is not touched: at 10,000 builds of
 * 50 units that took --unit from ~11,000 page reads to ~300 (the file
 * grows by about half; BENCHMARKS.md "btrace history").  It replaces
 * units_crate, of which it holds the leading column. */
static const char *const step3[] = {
    "DROP INDEX IF EXISTS units_crate",
    "CREATE INDEX units_crate_build ON units (crate, build_id, seq, target, "
    "settings, version, wall_s, cpu_s, frontend_s, codegen_s, debuginfo_s, "
    "link_s)",
    NULL,
};
static const char *const *const steps[] = {step1, step2, step3};
_Static_assert(sizeof(steps) / sizeof(*steps) == BT_HIST_SCHEMA_VERSION,
	       "one migration step per schema version");

static int exec(struct bt_store *s, const char *sql,
		const struct bt_sql_param *p, int n, bt_sql_row_cb cb,
		void *ctx, char *err, size_t errlen)
{
	return s->be->exec(s->db, sql, p, n, cb, ctx, err, errlen);
}

static int begin_write(struct bt_store *s, char *err, size_t errlen)
{
	for (const char *const *q = s->be->begin_write; *q; q++)
		if (exec(s, *q, NULL, 0, NULL, NULL, err, errlen) < 0) {
			if (q != s->be->begin_write) {
				char e2[8];
				exec(s, "ROLLBACK", NULL, 0, NULL, NULL, e2,
				     sizeof(e2));
			}
			return -1;
		}
	return 0;
}

static void rollback(struct bt_store *s)
{
	char e[256];
	exec(s, "ROLLBACK", NULL, 0, NULL, NULL, e, sizeof(e));
}

/* A column's value (sql.h): text, a number, a whole number. */
static const char *col_text(const struct bt_sql_col *c)
{
	return c->s;
}

static double col_num(const struct bt_sql_col *c)
{
	return c->num ? c->d : c->s ? strtod(c->s, NULL) : 0;
}

static int64_t col_int(const struct bt_sql_col *c)
{
	return c->num ? c->i : c->s ? strtoll(c->s, NULL, 10) : 0;
}

static int get_int(void *ctx, int n, const struct bt_sql_col *cols)
{
	*(int64_t *)ctx = n > 0 ? col_int(&cols[0]) : 0;
	return 0;
}

/* Applies the missing steps in one write transaction. */
static int migrate(struct bt_store *s, char *err, size_t errlen)
{
	int64_t v = -1;
	char sql[2048];

	/* The common case, without taking the write lock: up to date. */
	if (exec(s, "SELECT max(version) FROM schema_version", NULL, 0, get_int,
		 &v, err, errlen) == 0 &&
	    v == BT_HIST_SCHEMA_VERSION)
		return 0;
	if (begin_write(s, err, errlen) < 0)
		return -1;
	if (exec(s,
		 "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
		 "NOT NULL)",
		 NULL, 0, NULL, NULL, err, errlen) < 0 ||
	    exec(s, "SELECT max(version) FROM schema_version", NULL, 0, get_int,
		 &v, err, errlen) < 0)
		goto fail;
	if (v > BT_HIST_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "its schema is version %" PRId64
			 ", newer than this btrace's (%d): use a newer btrace",
			 v, BT_HIST_SCHEMA_VERSION);
		goto fail;
	}
	for (int64_t k = v; k < BT_HIST_SCHEMA_VERSION; k++) {
		struct bt_sql_param p = {.type = BT_SQL_INT, .i = k + 1};
		for (const char *const *q = steps[k]; *q; q++) {
			const char *at = strstr(*q, "@ID@");
			if (at)
				snprintf(sql, sizeof(sql), "%.*s%s%s",
					 (int)(at - *q), *q, s->be->id_type,
					 at + 4);
			else
				snprintf(sql, sizeof(sql), "%s", *q);
			if (exec(s, sql, NULL, 0, NULL, NULL, err, errlen) < 0)
				goto fail;
		}
		if (exec(s, "INSERT INTO schema_version (version) VALUES ($1)",
			 &p, 1, NULL, NULL, err, errlen) < 0)
			goto fail;
	}
	if (exec(s, "COMMIT", NULL, 0, NULL, NULL, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	rollback(s);
	return -1;
}

int bt_store_is_postgres(const char *w)
{
	return w && (!strncmp(w, "postgresql://", 13) ||
		     !strncmp(w, "postgres://", 11) ||
		     !strncmp(w, "host=", 5) || !strncmp(w, "dbname=", 7));
}

/* The URI for people: without the password in "user:password@", or
 * after "password=" in a key=value string. */
static void shown_uri(char *out, size_t cap, const char *uri)
{
	const char *scheme = strstr(uri, "://"), *at, *colon;
	const char *pw = strstr(uri, "password=");
	if (pw) {
		const char *end = pw + strcspn(pw, " &");
		snprintf(out, cap, "%.*spassword=***%s", (int)(pw - uri), uri,
			 end);
		return;
	}
	if (!scheme || !(at = strchr(scheme + 3, '@')) ||
	    !(colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3)))) {
		snprintf(out, cap, "%s", uri);
		return;
	}
	snprintf(out, cap, "%.*s:***%s", (int)(colon - uri), uri, at);
}

int bt_store_open(const char *where, struct bt_store **out, char *err,
		  size_t errlen)
{
	struct bt_store *s = calloc(1, sizeof(*s));
	char e[768];

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (bt_store_is_postgres(where)) {
		s->be = &bt_sql_pg;
		/* no libpq: the one line alone, no store name before it */
		if (bt_sql_pg_load(err, errlen) < 0)
			goto fail_quiet;
		shown_uri(s->name, sizeof(s->name), where);
		if (bt_sql_pg_open(where, &s->db, e, sizeof(e)) < 0)
			goto fail;
	} else {
		s->be = &bt_sql_sqlite;
		if (bt_hist_db_file(where, s->name, sizeof(s->name), err,
				    errlen) < 0)
			goto fail_quiet;
		if (bt_sql_sqlite_open(s->name, &s->db, e, sizeof(e)) < 0)
			goto fail;
	}
	if (migrate(s, e, sizeof(e)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", s->name, e);
fail_quiet:
	bt_store_close(s);
	return -1;
}

void bt_store_close(struct bt_store *s)
{
	if (!s)
		return;
	if (s->db)
		s->be->close(s->db);
	free(s);
}

const char *bt_store_name(const struct bt_store *s)
{
	return s->name;
}

static struct bt_sql_param text(const char *v)
{
	return (struct bt_sql_param){.type = BT_SQL_TEXT, .s = v};
}
static struct bt_sql_param integer(int64_t v)
{
	return (struct bt_sql_param){.type = BT_SQL_INT, .i = v};
}
static struct bt_sql_param real(double v)
{
	return (struct bt_sql_param){.type = BT_SQL_REAL, .d = v};
}

/* Tests only (docs/history.md): BTRACE_HISTORY_KILL_AFTER=N kills this
 * process with SIGKILL after N unit rows of a build were written, inside
 * its transaction: what a killed report leaves. */
static void maybe_die(size_t rows)
{
	const char *k = getenv("BTRACE_HISTORY_KILL_AFTER");
	if (k && *k && (size_t)strtoul(k, NULL, 10) == rows)
		raise(SIGKILL);
}

int bt_store_add(struct bt_store *s, struct bt_hist_build *b,
		 const struct bt_hist_unit *u, size_t n, char *err,
		 size_t errlen)
{
	struct bt_sql_param p[15];
	char e[512];
	int64_t id = 0;

	if (begin_write(s, e, sizeof(e)) < 0)
		goto fail_open;
	p[0] = text(b->session);
	if (exec(s,
		 "DELETE FROM build_categories WHERE build_id IN (SELECT id "
		 "FROM builds WHERE session = $1)",
		 p, 1, NULL, NULL, e, sizeof(e)) < 0 ||
	    exec(s,
		 "DELETE FROM units WHERE build_id IN (SELECT id FROM builds "
		 "WHERE session = $1)",
		 p, 1, NULL, NULL, e, sizeof(e)) < 0 ||
	    exec(s, "DELETE FROM builds WHERE session = $1", p, 1, NULL, NULL,
		 e, sizeof(e)) < 0)
		goto fail;
	p[1] = integer(b->started_ms);
	p[2] = text(b->host);
	p[3] = text(b->workspace);
	p[4] = text(b->command);
	p[5] = text(b->toolchain);
	p[6] = text(b->settings);
	p[7] = real(b->wall_s);
	p[8] = real(b->cpu_s);
	p[9] = integer((int64_t)n);
	p[10] = integer(b->units_compiled);
	p[11] = text(b->top_category);
	p[12] = real(b->top_category_s);
	p[13] = integer(b->complete);
	if (exec(s,
		 "INSERT INTO builds (session, started_ms, host, workspace, "
		 "command, toolchain, settings, wall_s, cpu_s, units, "
		 "units_compiled, top_category, top_category_s, complete) "
		 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
		 "$13, $14) RETURNING id",
		 p, 14, get_int, &id, e, sizeof(e)) < 0)
		goto fail;
	for (size_t k = 0; k < n; k++) {
		p[0] = integer(id);
		p[1] = integer((int64_t)k);
		p[2] = text(u[k].crate);
		p[3] = text(u[k].target);
		p[4] = text(u[k].version);
		p[5] = text(u[k].settings);
		p[6] = real(u[k].wall_s);
		p[7] = real(u[k].cpu_s);
		p[8] = real(u[k].frontend_s);
		p[9] = real(u[k].codegen_s);
		p[10] = real(u[k].debuginfo_s);
		p[11] = real(u[k].link_s);
		if (exec(s,
			 "INSERT INTO units (build_id, seq, crate, target, "
			 "version, settings, wall_s, cpu_s, frontend_s, "
			 "codegen_s, debuginfo_s, link_s) VALUES ($1, $2, $3, "
			 "$4, $5, $6, $7, $8, $9, $10, $11, $12)",
			 p, 12, NULL, NULL, e, sizeof(e)) < 0)
			goto fail;
		maybe_die(k + 1);
	}
	for (int c = 0; c < b->n_categories && c < BT_CAT_MAX; c++) {
		p[0] = integer(id);
		p[1] = text(bt_category_name(c));
		p[2] = real(b->categories[c]);
		if (exec(s,
			 "INSERT INTO build_categories (build_id, category, "
			 "cpu_s) VALUES ($1, $2, $3)",
			 p, 3, NULL, NULL, e, sizeof(e)) < 0)
			goto fail;
	}
	if (exec(s, "COMMIT", NULL, 0, NULL, NULL, e, sizeof(e)) < 0)
		goto fail;
	b->id = id;
	b->units = (long)n;
	return 0;
fail:
	rollback(s);
fail_open:
	snprintf(err, errlen, "%s: %s", s->name, e);
	return -1;
}

int bt_store_delete(struct bt_store *s, int64_t id, long keep, long *deleted,
		    char *err, size_t errlen)
{
	/* The builds to go, as a subquery over $1: one id, or the ones
	 * past the newest $1 in listing order (in the SQL both backends
	 * take: SQLite has no LIMIT ALL, PostgreSQL no LIMIT -1). */
	static const char *const by_id = "SELECT id FROM builds WHERE id = $1";
	static const char *const past_keep =
	    "SELECT id FROM builds WHERE id NOT IN (SELECT id FROM builds "
	    "ORDER BY started_ms DESC, id DESC LIMIT $1)";
	static const char *const tables[] = {"build_categories", "units"};
	const char *which = id > 0 ? by_id : past_keep;
	struct bt_sql_param p[1];
	char sql[512], e[512];
	int64_t n = 0;

	p[0] = integer(id > 0 ? id : (int64_t)keep);
	if (begin_write(s, e, sizeof(e)) < 0)
		goto fail_open;
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM builds WHERE id IN (%s)", which);
	if (exec(s, sql, p, 1, get_int, &n, e, sizeof(e)) < 0)
		goto fail;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		snprintf(sql, sizeof(sql),
			 "DELETE FROM %s WHERE build_id IN (%s)", tables[t],
			 which);
		if (exec(s, sql, p, 1, NULL, NULL, e, sizeof(e)) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM builds WHERE id IN (%s)",
		 which);
	if (exec(s, sql, p, 1, NULL, NULL, e, sizeof(e)) < 0 ||
	    exec(s, "COMMIT", NULL, 0, NULL, NULL, e, sizeof(e)) < 0)
		goto fail;
	*deleted = (long)n;
	return 0;
fail:
	rollback(s);
fail_open:
	snprintf(err, errlen, "%s: %s", s->name, e);
	return -1;
}

/* A query being put together: SQL text and its parameters. */
struct query {
	char sql[2048];
	size_t len;
	struct bt_sql_param p[16];
	int n;
};

static void q_add(struct query *q, const char *fmt, const char *arg)
{
	int w = snprintf(q->sql + q->len, sizeof(q->sql) - q->len, fmt, arg);
	if (w > 0)
		q->len += (size_t)w;
	if (q->len >= sizeof(q->sql))
		q->len = sizeof(q->sql) - 1;
}

/* " AND COL = $k" with its parameter, when V is set. */
static void q_text(struct query *q, const char *col, const char *v)
{
	char frag[96];
	if (!v)
		return;
	snprintf(frag, sizeof(frag), " AND %s = $%d", col, q->n + 1);
	q_add(q, "%s", frag);
	q->p[q->n++] = text(v);
}

static void q_int(struct query *q, const char *cond, int64_t v)
{
	char frag[96];
	if (!v)
		return;
	snprintf(frag, sizeof(frag), " AND %s $%d", cond, q->n + 1);
	q_add(q, "%s", frag);
	q->p[q->n++] = integer(v);
}

static void q_filter(struct query *q, const struct bt_hist_filter *f)
{
	q_add(q, "%s", " WHERE 1 = 1");
	q_int(q, "b.id =", f->build_id);
	q_int(q, "b.id <>", f->exclude_id);
	q_int(q, "b.started_ms <=", f->until_ms);
	q_text(q, "b.workspace", f->workspace);
	q_text(q, "b.command", f->command);
	q_text(q, "b.toolchain", f->toolchain);
	q_text(q, "b.settings", f->settings);
}

/* Ends Q with ORDER and LIMIT (none where LIMIT <= 0) and runs it, each
 * row to CB.  Returns 0, or -1 with "STORE: why" in ERR (empty where CB
 * stopped the rows without a reason: out of memory). */
static int q_run(struct bt_store *s, struct query *q, const char *order,
		 long limit, bt_sql_row_cb cb, void *ctx, char *err,
		 size_t errlen)
{
	char e[512];
	q_add(q, "%s", order);
	if (limit > 0) {
		char frag[48];
		snprintf(frag, sizeof(frag), " LIMIT %ld", limit);
		q_add(q, "%s", frag);
	}
	if (exec(s, q->sql, q->p, q->n, cb, ctx, e, sizeof(e)) < 0) {
		if (e[0])
			snprintf(err, errlen, "%s: %s", s->name, e);
		else
			err[0] = 0;
		return -1;
	}
	return 0;
}

#define BUILD_COLS                                                             \
	"b.id, b.session, b.started_ms, b.host, b.workspace, b.command, "      \
	"b.toolchain, b.settings, b.wall_s, b.cpu_s, b.units, "                \
	"b.units_compiled, b.top_category, b.top_category_s, b.complete"
#define N_BUILD_COLS 15

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void parse_build(const struct bt_sql_col *c, struct bt_hist_build *b)
{
	memset(b, 0, sizeof(*b));
	b->id = col_int(&c[0]);
	copy(b->session, sizeof(b->session), col_text(&c[1]));
	b->started_ms = col_int(&c[2]);
	copy(b->host, sizeof(b->host), col_text(&c[3]));
	copy(b->workspace, sizeof(b->workspace), col_text(&c[4]));
	copy(b->command, sizeof(b->command), col_text(&c[5]));
	copy(b->toolchain, sizeof(b->toolchain), col_text(&c[6]));
	copy(b->settings, sizeof(b->settings), col_text(&c[7]));
	b->wall_s = col_num(&c[8]);
	b->cpu_s = col_num(&c[9]);
	b->units = (long)col_int(&c[10]);
	b->units_compiled = (long)col_int(&c[11]);
	copy(b->top_category, sizeof(b->top_category), col_text(&c[12]));
	b->top_category_s = col_num(&c[13]);
	b->complete = (int)col_int(&c[14]);
}

struct build_rows {
	bt_hist_build_cb cb;
	bt_hist_unit_cb ucb;
	void *ctx;
};

static int build_row(void *ctx, int n, const struct bt_sql_col *c)
{
	struct build_rows *r = ctx;
	struct bt_hist_build b;
	if (n < N_BUILD_COLS)
		return -1;
	parse_build(c, &b);
	return r->cb(r->ctx, &b);
}

int bt_store_builds(struct bt_store *s, const struct bt_hist_filter *f,
		    bt_hist_build_cb cb, void *ctx, char *err, size_t errlen)
{
	struct query q = {0};
	struct build_rows r = {.cb = cb, .ctx = ctx};
	q_add(&q, "%s", "SELECT " BUILD_COLS " FROM builds b");
	q_filter(&q, f);
	return q_run(s, &q, " ORDER BY b.started_ms DESC, b.id DESC", f->limit,
		     build_row, &r, err, errlen);
}

static int unit_row(void *ctx, int n, const struct bt_sql_col *c)
{
	struct build_rows *r = ctx;
	struct bt_hist_build b;
	struct bt_hist_unit u;
	const struct bt_sql_col *uc = c + N_BUILD_COLS;
	if (n < N_BUILD_COLS + 10)
		return -1;
	parse_build(c, &b);
	memset(&u, 0, sizeof(u));
	copy(u.crate, sizeof(u.crate), col_text(&uc[0]));
	copy(u.target, sizeof(u.target), col_text(&uc[1]));
	copy(u.version, sizeof(u.version), col_text(&uc[2]));
	copy(u.settings, sizeof(u.settings), col_text(&uc[3]));
	u.wall_s = col_num(&uc[4]);
	u.cpu_s = col_num(&uc[5]);
	u.frontend_s = col_num(&uc[6]);
	u.codegen_s = col_num(&uc[7]);
	u.debuginfo_s = col_num(&uc[8]);
	u.link_s = col_num(&uc[9]);
	return r->ucb(r->ctx, &b, &u);
}

int bt_store_units(struct bt_store *s, const struct bt_hist_filter *f,
		   bt_hist_unit_cb cb, void *ctx, char *err, size_t errlen)
{
	struct query q = {0};
	struct build_rows r = {.ucb = cb, .ctx = ctx};
	q_add(&q, "%s",
	      "SELECT " BUILD_COLS ", u.crate, u.target, u.version, "
	      "u.settings, u.wall_s, u.cpu_s, u.frontend_s, u.codegen_s, "
	      "u.debuginfo_s, u.link_s FROM builds b CROSS JOIN units u");
	q_filter(&q, f);
	q_add(&q, "%s", " AND u.build_id = b.id");
	q_text(&q, "u.crate", f->crate);
	q_text(&q, "u.target", f->target);
	q_text(&q, "u.settings", f->unit_settings);
	return q_run(s, &q, " ORDER BY b.started_ms DESC, b.id DESC, u.seq",
		     f->limit, unit_row, &r, err, errlen);
}

static int category_row(void *ctx, int n, const struct bt_sql_col *c)
{
	struct bt_hist_build *b = ctx;
	if (n < 2 || !col_text(&c[0]))
		return 0;
	for (int k = 0; k < BT_CAT_MAX && k < 16; k++)
		if (!strcmp(col_text(&c[0]), bt_category_name(k))) {
			b->categories[k] = col_num(&c[1]);
			if (b->n_categories <= k)
				b->n_categories = k + 1;
		}
	return 0;
}

int bt_store_categories(struct bt_store *s, struct bt_hist_build *b, char *err,
			size_t errlen)
{
	struct bt_sql_param p = integer(b->id);
	char e[512];
	memset(b->categories, 0, sizeof(b->categories));
	b->n_categories = 0;
	if (exec(s,
		 "SELECT category, cpu_s FROM build_categories WHERE "
		 "build_id = $1",
		 &p, 1, category_row, b, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: %s", s->name, e);
		return -1;
	}
	return 0;
}
