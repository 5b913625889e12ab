/* store.h - the history store: one row per build, with its units, in a
 * database that outlives the traces.  The one interface of history/;
 * two backends behind it (sql.h): SQLite, a file on this machine (the
 * default), and PostgreSQL, a team's shared server.  docs/history.md.
 *
 * Every write is one transaction: a build and all its unit rows, or
 * nothing (a writer killed half way leaves no trace of its build).
 * Writers may run at once: SQLite waits for its lock (WAL, busy timeout),
 * PostgreSQL serializes the writers on an advisory lock.
 *
 * Functions return 0, or -1 with one line in ERR.  Not thread-safe: one
 * store per thread. */
#ifndef BTRACE_HISTORY_STORE_H
#define BTRACE_HISTORY_STORE_H

#include <stddef.h>
#include <stdint.h>

/* The schema version this btrace writes (store.c: the migrations). */
#define BT_HIST_SCHEMA_VERSION 3

/* One build.  The key of a build's kind is (workspace, command,
 * toolchain, settings): builds are compared with builds of the same key
 * only. */
struct bt_hist_build {
	int64_t id;	    /* given by the store */
	char session[160];  /* "HOST:SESSION": a build stored again
			       replaces its earlier row */
	int64_t started_ms; /* when it started, ms since the epoch */
	char host[64];
	char workspace[512]; /* cargo's working directory */
	char command[512];   /* "cargo build --release" */
	char toolchain[128]; /* rustup's toolchain directory name */
	char settings[512];  /* "debuginfo=0/2 opt-level=0 ..." */
	double wall_s, cpu_s;
	long units;	     /* unit rows stored with it */
	long units_compiled; /* rustc compilations */
	char top_category[24];
	double top_category_s;
	int complete; /* no gap in its trace */
	/* CPU seconds by category (attribution.h's names, in that order);
	 * n_categories 0 when the trace had no samples.  Listing does not
	 * read them back (bt_store_categories does). */
	double categories[16];
	int n_categories;
};

/* One unit of a build: a compilation or a build-script run. */
struct bt_hist_unit {
	char crate[128];    /* the crate name */
	char target[24];    /* "lib", "bin", "build-script-run", ... */
	char version[64];   /* the package version, or "" */
	char settings[192]; /* its own: "debuginfo=2 opt-level=0 ..." */
	double wall_s, cpu_s;
	double frontend_s, codegen_s, debuginfo_s, link_s;
};

/* What to read back.  NULL strings and zero numbers match anything. */
struct bt_hist_filter {
	int64_t build_id;
	int64_t exclude_id;
	int64_t until_ms; /* started at or before this */
	const char *workspace, *command, *toolchain, *settings;
	const char *crate, *target, *unit_settings; /* units only */
	long limit;				    /* 0: all */
};

struct bt_store;

/* Opens (and creates, or migrates to BT_HIST_SCHEMA_VERSION) the store
 * WHERE names: a "postgresql://" or "postgres://" URI (or a libpq
 * "key=value" string starting with "host=" or "dbname="), the path of
 * an SQLite file, or NULL for the default file (bt_store_default_path).
 * A store whose schema is newer than this btrace's is refused. */
int bt_store_open(const char *where, struct bt_store **out, char *err,
		  size_t errlen);
void bt_store_close(struct bt_store *s);

/* What the store is, for people: the file's path, or the URI without
 * its password. */
const char *bt_store_name(const struct bt_store *s);

/* Stores B and its N units in one transaction, replacing an earlier
 * build of the same session; sets B->id. */
int bt_store_add(struct bt_store *s, struct bt_hist_build *b,
		 const struct bt_hist_unit *u, size_t n, char *err,
		 size_t errlen);

/* Deletes builds with their units and categories, in one transaction:
 * build ID when ID > 0, else every build but the newest KEEP (start
 * time, then id, as listed).  *DELETED gets how many builds went. */
int bt_store_delete(struct bt_store *s, int64_t id, long keep, long *deleted,
		    char *err, size_t errlen);

/* Calls CB for each build F matches (the unit fields of F are ignored),
 * newest first (start time, then id).  CB returns 0 to go on, -1 to
 * stop: then this returns -1 with ERR empty. */
typedef int (*bt_hist_build_cb)(void *ctx, const struct bt_hist_build *b);
int bt_store_builds(struct bt_store *s, const struct bt_hist_filter *f,
		    bt_hist_build_cb cb, void *ctx, char *err, size_t errlen);

/* Calls CB for each unit row F matches, with its build (categories not
 * filled), newest build first, a build's units in stored order. */
typedef int (*bt_hist_unit_cb)(void *ctx, const struct bt_hist_build *b,
			       const struct bt_hist_unit *u);
int bt_store_units(struct bt_store *s, const struct bt_hist_filter *f,
		   bt_hist_unit_cb cb, void *ctx, char *err, size_t errlen);

/* Fills B->categories and B->n_categories from the store (B->id). */
int bt_store_categories(struct bt_store *s, struct bt_hist_build *b, char *err,
			size_t errlen);

/* The default SQLite file: $XDG_DATA_HOME/btrace/history.db when
 * XDG_DATA_HOME is an absolute path, else ~/.local/share/btrace/
 * history.db.  Writes it into BUF; 0, or -1 with ERR (no home). */
int bt_store_default_path(char *buf, size_t cap, char *err, size_t errlen);

/* Whether WHERE names a PostgreSQL server rather than a file. */
int bt_store_is_postgres(const char *where);

#endif
