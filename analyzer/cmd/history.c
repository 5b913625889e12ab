/* history.c - btrace history [--unit CRATE] [--check] [--plot FILE.svg]:
 * the builds that report (and record --history) stored, one crate's
 * trend, and a check for regressions (docs/history.md).
 *
 * Exit 0; 1 when --unit names a crate the history does not hold or the
 * plot cannot be written; 2 on a bad option or a store that cannot be
 * opened; 3 (BT_EXIT_REGRESSED) when --check finds a regression (as issue
 * 16 asks); 4 when out of memory, as for every command. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "cli.h"
#include "cmd/out_file.h"
#include "history/plot.h"
#include "history/stats.h"
#include "history/store.h"

static const struct option options[] = {
    {"db", required_argument, NULL, 'd'},
    {"last", required_argument, NULL, 'n'},
    {"all", no_argument, NULL, 'a'},
    {"unit", required_argument, NULL, 'u'},
    {"check", no_argument, NULL, 'c'},
    {"build", required_argument, NULL, 'b'},
    {"sigma", required_argument, NULL, 'k'},
    {"window", required_argument, NULL, 'w'},
    {"min-pct", required_argument, NULL, 'p'},
    {"plot", required_argument, NULL, 'P'},
    {"delete", required_argument, NULL, 'D'},
    {"keep", required_argument, NULL, 'K'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btrace history [--db DB] [-n N | --all] [--unit CRATE] "
		"[--plot FILE.svg]\n"
		"       btrace history --check [--build ID] [--sigma K] "
		"[--window N] [--min-pct P]\n"
		"       btrace history --delete ID | --keep N\n"
		"\n"
		"The builds btrace report stored (newest first), or one "
		"crate's trend.\n"
		"  --db DB        an SQLite file or a postgresql:// URI "
		"(default: $BTRACE_DB,\n"
		"                 else $XDG_DATA_HOME/btrace/history.db)\n"
		"  -n, --last N   the last N builds (default 30); --all: every "
		"one\n"
		"  --unit CRATE   the crate's CPU and wall time in every build "
		"that compiled it\n"
		"  --plot F.svg   draw the trend (the builds' CPU and wall, or "
		"the crate's CPU)\n"
		"  --check        flag each unit of the newest build (or "
		"--build ID) whose CPU\n"
		"                 exceeds the mean of its last N builds of the "
		"same workspace,\n"
		"                 command, toolchain and settings by more "
		"than K standard\n"
		"                 deviations (and P%% and 0.05 s); exit 3 if "
		"one does\n"
		"  --sigma K      default 3; --window N: default 10; "
		"--min-pct P: default 10\n"
		"  --delete ID    remove build ID (the first column of the "
		"list) and its units\n"
		"  --keep N       remove every build but the newest N\n");
}

struct opts {
	const char *db, *unit, *plot;
	long last, window;
	int64_t build, delete_id;
	long keep; /* -1: not asked */
	int check;
	struct bt_hist_rule rule;
};

/* --delete ID or --keep N: one transaction, one line saying what went. */
static int delete_builds(struct bt_store *st, const struct opts *o)
{
	char err[1024];
	long n = 0;
	if (bt_store_delete(st, o->delete_id, o->keep, &n, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "btrace history: %s\n", err);
		return BT_EXIT_PROBLEM;
	}
	if (o->delete_id > 0 && n == 0) {
		fprintf(stderr, "btrace history: no build %lld in %s\n",
			(long long)o->delete_id, bt_store_name(st));
		return BT_EXIT_BAD_INPUT;
	}
	printf("deleted %ld build%s from %s\n", n, n == 1 ? "" : "s",
	       bt_store_name(st));
	return BT_EXIT_OK;
}

static void when(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, cap, "?");
}

/* Growing arrays of plot points. */
static int push(struct bt_plot_series *s, size_t *cap, int64_t t, double y,
		int64_t id)
{
	if (s->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *p = realloc(s->pts, nc * sizeof(*s->pts));
		if (!p)
			return -1;
		s->pts = p;
		*cap = nc;
	}
	s->pts[s->n++] = (struct bt_plot_point){t, y, id};
	return 0;
}

/* Oldest first, as the plot wants; the store gives newest first. */
static void reverse(struct bt_plot_series *s)
{
	for (size_t i = 0; i < s->n / 2; i++) {
		struct bt_plot_point t = s->pts[i];
		s->pts[i] = s->pts[s->n - 1 - i];
		s->pts[s->n - 1 - i] = t;
	}
}

/* The plot: bt_out_write's callback. */
struct plot_file {
	const char *title;
	struct bt_plot_series *s;
	size_t ns;
};

static int write_plot_file(void *ctx, FILE *f)
{
	const struct plot_file *o = ctx;
	return bt_plot_svg(f, o->title, o->s, o->ns);
}

/* Writes the plot to PATH, oldest first, through a temporary file renamed
 * into place. */
static int write_plot(const char *path, const char *title,
		      struct bt_plot_series *s, size_t ns)
{
	struct plot_file o = {title, s, ns};
	for (size_t k = 0; k < ns; k++)
		reverse(&s[k]);
	if (bt_out_write("history", NULL, path, write_plot_file, &o) < 0)
		return -1;
	fprintf(stderr, "btrace history: wrote %s\n", path);
	return 0;
}

/* The list of builds. */
struct list {
	size_t n;
	struct bt_plot_series s[2];
	size_t cap[2];
	int plot, nomem;
};

static int list_row(void *ctx, const struct bt_hist_build *b)
{
	struct list *l = ctx;
	char t[32], top[48];
	when(t, sizeof(t), b->started_ms);
	if (b->top_category_s > 0 && b->cpu_s > 0)
		snprintf(top, sizeof(top), "%s %.0f%%", b->top_category,
			 100 * b->top_category_s / b->cpu_s);
	else
		snprintf(top, sizeof(top), "-");
	printf("%6lld  %s %8.2fs %8.2fs %6ld  %-18s %s%s\n", (long long)b->id,
	       t, b->wall_s, b->cpu_s, b->units_compiled, top, b->command,
	       b->complete ? "" : "  [incomplete]");
	l->n++;
	if (l->plot &&
	    (push(&l->s[0], &l->cap[0], b->started_ms, b->cpu_s, b->id) < 0 ||
	     push(&l->s[1], &l->cap[1], b->started_ms, b->wall_s, b->id) < 0)) {
		l->nomem = 1;
		return -1;
	}
	return 0;
}

static int list_builds(struct bt_store *st, const struct opts *o)
{
	struct bt_hist_filter f = {.limit = o->last};
	struct list l = {.plot = o->plot != NULL};
	char err[1024];
	int rc = BT_EXIT_OK;

	snprintf(l.s[0].name, sizeof(l.s[0].name), "build CPU");
	snprintf(l.s[1].name, sizeof(l.s[1].name), "build wall");
	printf("%6s  %-19s %9s %9s %6s  %-18s %s\n", "build", "started", "wall",
	       "cpu", "units", "top category", "command");
	if (bt_store_builds(st, &f, list_row, &l, err, sizeof(err)) < 0) {
		if (l.nomem) {
			fprintf(stderr, "btrace history: out of memory\n");
			rc = BT_EXIT_NOMEM;
		} else {
			fprintf(stderr, "btrace history: %s\n", err);
			rc = BT_EXIT_BAD_INPUT;
		}
		goto out;
	}
	printf("%zu build%s in %s (newest first%s)\n", l.n, l.n == 1 ? "" : "s",
	       bt_store_name(st), o->last > 0 ? "; --all for every one" : "");
	if (o->plot && write_plot(o->plot,
				  "btrace history: the builds' CPU "
				  "and wall time",
				  l.s, 2) < 0)
		rc = BT_EXIT_PROBLEM;
out:
	free(l.s[0].pts);
	free(l.s[1].pts);
	return rc;
}

/* One crate's trend: its rows, and per target and settings the mean. */
#define MAX_GROUPS 16
struct trend {
	size_t n;
	struct bt_plot_series s[MAX_GROUPS];
	size_t cap[MAX_GROUPS];
	char settings[MAX_GROUPS][192];
	size_t ns;
	int nomem;
};

static int trend_row(void *ctx, const struct bt_hist_build *b,
		     const struct bt_hist_unit *u)
{
	struct trend *tr = ctx;
	char t[32];
	size_t g;
	when(t, sizeof(t), b->started_ms);
	printf("%6lld  %s  %-16s %8.2fs %8.2fs %8.2fs %8.2fs %8.2fs  %s\n",
	       (long long)b->id, t, u->target, u->wall_s, u->cpu_s,
	       u->frontend_s, u->codegen_s, u->debuginfo_s, u->settings);
	tr->n++;
	for (g = 0; g < tr->ns; g++)
		if (!strcmp(tr->settings[g], u->settings) &&
		    !strncmp(tr->s[g].name, u->target, strlen(u->target)) &&
		    tr->s[g].name[strlen(u->target)] == ' ')
			break;
	if (g == tr->ns) {
		if (tr->ns == MAX_GROUPS)
			return 0; /* listed, not plotted */
		tr->ns++;
		snprintf(tr->settings[g], sizeof(tr->settings[g]), "%s",
			 u->settings);
		snprintf(tr->s[g].name, sizeof(tr->s[g].name), "%s %s CPU%s%s",
			 u->target, u->crate, u->settings[0] ? ", " : "",
			 u->settings);
	}
	if (push(&tr->s[g], &tr->cap[g], b->started_ms, u->cpu_s, b->id) < 0) {
		tr->nomem = 1;
		return -1;
	}
	return 0;
}

static int unit_trend(struct bt_store *st, const struct opts *o)
{
	struct bt_hist_filter f = {.crate = o->unit, .limit = 0};
	struct trend tr = {0};
	char err[1024], title[256];
	int rc = BT_EXIT_OK;

	printf("%6s  %-19s  %-16s %9s %9s %9s %9s %9s  %s\n", "build",
	       "started", "target", "wall", "cpu", "frontend", "codegen",
	       "debuginfo", "settings");
	if (bt_store_units(st, &f, trend_row, &tr, err, sizeof(err)) < 0) {
		fprintf(stderr, "btrace history: %s\n",
			tr.nomem ? "out of memory" : err);
		rc = tr.nomem ? BT_EXIT_NOMEM : BT_EXIT_BAD_INPUT;
		goto out;
	}
	if (!tr.n) {
		fprintf(stderr, "btrace history: no unit of crate '%s' in %s\n",
			o->unit, bt_store_name(st));
		rc = BT_EXIT_PROBLEM;
		goto out;
	}
	for (size_t g = 0; g < tr.ns; g++) {
		struct bt_hist_stats s;
		double *x = malloc(tr.s[g].n * sizeof(*x));
		if (!x) {
			rc = BT_EXIT_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < tr.s[g].n; i++)
			x[i] = tr.s[g].pts[i].y;
		bt_hist_stats(x, tr.s[g].n, &s);
		free(x);
		printf("%s: mean %.2fs, sd %.2fs over %zu build%s\n",
		       tr.s[g].name, s.mean, s.sd, s.n, s.n == 1 ? "" : "s");
	}
	snprintf(title, sizeof(title), "btrace history: %s", o->unit);
	if (o->plot && write_plot(o->plot, title, tr.s, tr.ns) < 0)
		rc = BT_EXIT_PROBLEM;
out:
	for (size_t g = 0; g < tr.ns; g++)
		free(tr.s[g].pts);
	return rc;
}

/* --check */
struct units {
	struct bt_hist_build b;
	struct bt_hist_unit *u;
	size_t n, cap;
	int got;
};

static int newest(void *ctx, const struct bt_hist_build *b)
{
	struct units *us = ctx;
	us->b = *b;
	us->got = 1;
	return 0;
}

static int collect(void *ctx, const struct bt_hist_build *b,
		   const struct bt_hist_unit *u)
{
	struct units *us = ctx;
	(void)b;
	if (us->n == us->cap) {
		size_t nc = us->cap ? us->cap * 2 : 64;
		void *p = realloc(us->u, nc * sizeof(*us->u));
		if (!p)
			return -1;
		us->u = p;
		us->cap = nc;
	}
	us->u[us->n++] = *u;
	return 0;
}

struct series {
	double x[1000];
	size_t n;
};

static int cpu_of(void *ctx, const struct bt_hist_build *b,
		  const struct bt_hist_unit *u)
{
	struct series *s = ctx;
	(void)b;
	if (s->n < sizeof(s->x) / sizeof(*s->x))
		s->x[s->n++] = u->cpu_s;
	return 0;
}

static int check(struct bt_store *st, const struct opts *o)
{
	struct bt_hist_filter f = {.build_id = o->build, .limit = 1};
	struct units us = {0};
	struct series *ser = NULL;
	size_t regressed = 0, too_few = 0;
	char err[1024], t[32];
	int rc = BT_EXIT_OK;

	if (bt_store_builds(st, &f, newest, &us, err, sizeof(err)) < 0)
		goto fail;
	if (!us.got) {
		if (o->build) {
			fprintf(stderr, "btrace history: no build %lld in %s\n",
				(long long)o->build, bt_store_name(st));
			return BT_EXIT_PROBLEM;
		}
		printf("btrace history --check: no builds in %s: nothing to "
		       "check\n",
		       bt_store_name(st));
		return BT_EXIT_OK;
	}
	f = (struct bt_hist_filter){.build_id = us.b.id};
	if (bt_store_units(st, &f, collect, &us, err, sizeof(err)) < 0)
		goto fail;
	ser = malloc(sizeof(*ser));
	if (!ser) {
		rc = BT_EXIT_NOMEM;
		goto out;
	}
	when(t, sizeof(t), us.b.started_ms);
	printf("btrace history --check: build %lld (%s, %s) against the last "
	       "%ld builds of\n  workspace %s, toolchain %s, settings %s\n",
	       (long long)us.b.id, t, us.b.command, o->window, us.b.workspace,
	       us.b.toolchain[0] ? us.b.toolchain : "-",
	       us.b.settings[0] ? us.b.settings : "-");
	for (size_t i = 0; i < us.n; i++) {
		const struct bt_hist_unit *u = &us.u[i];
		struct bt_hist_stats s;
		double lim;
		enum bt_hist_verdict v;
		struct bt_hist_filter q = {
		    .exclude_id = us.b.id,
		    .until_ms = us.b.started_ms,
		    .workspace = us.b.workspace,
		    .command = us.b.command,
		    .toolchain = us.b.toolchain,
		    .settings = us.b.settings,
		    .crate = u->crate,
		    .target = u->target,
		    .unit_settings = u->settings,
		    .limit = o->window,
		};
		ser->n = 0;
		if (bt_store_units(st, &q, cpu_of, ser, err, sizeof(err)) < 0)
			goto fail;
		bt_hist_stats(ser->x, ser->n, &s);
		v = bt_hist_judge(u->cpu_s, &s, &o->rule, &lim);
		if (v == BT_HIST_TOO_FEW) {
			too_few++;
			continue;
		}
		if (v != BT_HIST_REGRESSED)
			continue;
		regressed++;
		printf("  REGRESSED %s %s: CPU %.2fs, mean %.2fs sd %.2fs over "
		       "%zu builds (limit %.2fs): %+.0f%%\n",
		       u->crate, u->target, u->cpu_s, s.mean, s.sd, s.n, lim,
		       s.mean > 0 ? 100 * (u->cpu_s - s.mean) / s.mean : 0.0);
	}
	printf("%zu of %zu units regressed", regressed, us.n);
	if (too_few)
		printf(" (%zu with fewer than %zu earlier builds: not judged)",
		       too_few, o->rule.min_n);
	printf("\n");
	rc = regressed ? BT_EXIT_REGRESSED : BT_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "btrace history: %s\n", err[0] ? err : "out of memory");
	rc = err[0] ? BT_EXIT_BAD_INPUT : BT_EXIT_NOMEM;
out:
	free(ser);
	free(us.u);
	return rc;
}

static int parse_double(const char *opt, const char *s, double lo, double hi,
			double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi)) {
		fprintf(stderr,
			"btrace history: %s: \"%s\" is not a number from %g "
			"to %g\n",
			opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_history(int argc, char **argv)
{
	struct opts o = {
	    .last = 30, .window = 10, .keep = -1, .rule = bt_hist_rule_default};
	struct bt_store *st = NULL;
	char err[1024];
	long v;
	int rc;

	for (;;) {
		int c = getopt_long(argc, argv, ":n:h", options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'd':
			o.db = optarg;
			break;
		case 'n':
			if (bt_cli_uint("history", "--last", optarg, 1,
					100000000, &o.last) < 0)
				return BT_EXIT_BAD_INPUT;
			break;
		case 'a':
			o.last = 0;
			break;
		case 'u':
			o.unit = optarg;
			break;
		case 'c':
			o.check = 1;
			break;
		case 'b':
			if (bt_cli_uint("history", "--build", optarg, 1,
					2000000000, &v) < 0)
				return BT_EXIT_BAD_INPUT;
			o.build = v;
			break;
		case 'k':
			if (parse_double("--sigma", optarg, 0, 100, &o.rule.k) <
			    0)
				return BT_EXIT_BAD_INPUT;
			break;
		case 'w':
			if (bt_cli_uint("history", "--window", optarg, 2, 1000,
					&o.window) < 0)
				return BT_EXIT_BAD_INPUT;
			break;
		case 'p':
			if (parse_double("--min-pct", optarg, 0, 10000,
					 &o.rule.min_pct) < 0)
				return BT_EXIT_BAD_INPUT;
			break;
		case 'P':
			o.plot = optarg;
			break;
		case 'D':
			if (bt_cli_uint("history", "--delete", optarg, 1,
					2000000000, &v) < 0)
				return BT_EXIT_BAD_INPUT;
			o.delete_id = v;
			break;
		case 'K':
			if (bt_cli_uint("history", "--keep", optarg, 0,
					100000000, &o.keep) < 0)
				return BT_EXIT_BAD_INPUT;
			break;
		case 'h':
			usage(stdout);
			return BT_EXIT_OK;
		default:
			bt_cli_bad_option("history", c, argv);
			return BT_EXIT_BAD_INPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"btrace history: unexpected argument '%s' (try btrace "
			"history --help)\n",
			argv[optind]);
		return BT_EXIT_BAD_INPUT;
	}
	if (o.check && (o.unit || o.plot)) {
		fprintf(stderr, "btrace history: --check goes without --unit "
				"and --plot\n");
		return BT_EXIT_BAD_INPUT;
	}
	if ((o.delete_id > 0 || o.keep >= 0) &&
	    (o.check || o.unit || o.plot || o.build ||
	     (o.delete_id > 0 && o.keep >= 0))) {
		fprintf(stderr, "btrace history: --delete and --keep go alone "
				"(with --db)\n");
		return BT_EXIT_BAD_INPUT;
	}
	if (o.window < (long)o.rule.min_n)
		o.rule.min_n = (size_t)o.window;
	if (!o.db && getenv("BTRACE_DB") && *getenv("BTRACE_DB"))
		o.db = getenv("BTRACE_DB");
	if (bt_store_open(o.db, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "btrace history: %s\n", err);
		return BT_EXIT_BAD_INPUT;
	}
	if (o.delete_id > 0 || o.keep >= 0)
		rc = delete_builds(st, &o);
	else if (o.check)
		rc = check(st, &o);
	else if (o.unit)
		rc = unit_trend(st, &o);
	else
		rc = list_builds(st, &o);
	fflush(stdout);
	bt_store_close(st);
	return rc;
}
