/* experiment.c - btrace experiment [--runs N] [--only ID] [--untraced]
 * [--touch FILE] [-o DIR] -- CARGO_COMMAND: measure what the
 * recommendations estimate.
 *
 * 1. One traced clean build at the current settings gives the estimates
 *    (the same model as btrace report) and the options that apply: an
 *    option already in force is not measured.  It also refuses to go on
 *    when that build fails.
 * 2. Then N rounds, each one clean build of the baseline and of every
 *    option, interleaved (the order rotates every round), so that drift
 *    on the machine hits all alike.  Options are `--config` overrides on
 *    the command line; every build goes to a private --target-dir, so the
 *    user's target/ and Cargo.toml are never touched.  Wall time is the
 *    build's; CPU is the rusage of cargo and everything it waited for.
 *    Every build is traced too (not with --untraced), for its frontend
 *    CPU.
 * 3. The saving of an option is the median of its per-round differences
 *    from the baseline, with their min and max as the spread.  Each
 *    option build is first scaled by the baseline's frontend CPU over its
 *    own: the frontend's work does not depend on these options, so the
 *    ratio is the machine's speed drift between the two builds, which on
 *    a shared machine is larger than the saving (docs/estimation.md,
 *    "Measuring a saving").  The plain differences are kept beside.
 * With --touch FILE it measures the edit-rebuild loop instead: every
 * config gets its own target dir and one full build there (untimed), the
 * estimates come from one traced rebuild of the baseline after touching
 * FILE, and each round touches FILE and rebuilds every config, plain
 * (untraced, unscaled: a rebuild's frontend is too small a yardstick,
 * docs/estimation.md), 20 rounds unless --runs says otherwise.
 * A linker option's build is checked in the .comment section of what it
 * linked: a build that did not really change the linker fails that
 * option's measurement.
 * A build that fails is built once more (a build killed under load must
 * not cost an option its measurement); one that fails again fails its
 * option, with what failed in one line (experiment_run.c: the build's
 * exit status or signal and first error line, or btrace record's own
 * failure) and its log kept in DIR.  A build whose trace cannot be
 * analyzed is measured all the same: its round is left out of the
 * frontend-scaled saving only, and the reason is reported.
 * Writes DIR/experiment.json (default ./btrace.data/experiment), prints a
 * table, shows progress on a terminal, cleans up on Ctrl-C (exit 130).
 *
 * This file holds the options, the round loop and the Ctrl-C cleanup;
 * the options' overrides come from advice/options.def, the builds run
 * through base/spawn.h, the statistics are advice/measure.h's, and
 * experiment.h names the rest (the linker check, experiment.json, the
 * table and progress). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "base/spawn.h"
#include "cli.h"
#include "cmd/experiment.h"

#define MAX_CONFIGS (1 + BT_OPT_MAX)
#define DEFAULT_RUNS 3
#define DEFAULT_TOUCH_RUNS 20 /* rebuilds are short and noisy */

static volatile sig_atomic_t interrupted;

/* Async-signal-safe: a store and bt_run_interrupt(). */
static void on_signal(int sig)
{
	interrupted = sig;
	bt_run_interrupt();
}

/* Option O's --config overrides for PROFILE and its cargo argument
 * (options.def), where the baseline linked with BASE_LINKER. */
static void overrides_for(struct exp_config *c, enum bt_option o,
			  const char *profile, const char *base_linker)
{
	const struct bt_option_info *oi = bt_option_info(o);
	for (int k = 0; k < BT_OPTION_MAX_CONFIG && oi->config[k]; k++) {
		const char *t = oi->config[k];
		if (!k && oi->config_over_lld && bt_linker_is_lld(base_linker))
			t = oi->config_over_lld;
		bt_option_expand(t, profile, c->overrides[k],
				 sizeof(c->overrides[k]));
		c->n_overrides = k + 1;
	}
	c->cargo_arg = oi->cargo_arg;
}

/* Whether option O is measured without being asked for (options.def):
 * not if it is measured on request only (Cranelift needs nightly and a
 * rustup component), nor if a program it needs is not installed. */
static int measurable(enum bt_option o)
{
	const struct bt_option_info *oi = bt_option_info(o);
	return !oi->on_request && (!oi->needs || bt_on_path(oi->needs));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btrace experiment [--runs N] [--only ID] [--untraced] "
		"[--touch FILE]\n"
		"                         [-o DIR] -- CARGO_COMMAND...\n"
		"\n"
		"Measures the recommendations: one traced build for the "
		"estimates, then N\n"
		"clean builds (default 3) of the current settings and of each "
		"option,\n"
		"interleaved, in a private --target-dir.  Each build is "
		"traced, and its\n"
		"CPU and wall time scaled by the frontend's CPU to take out "
		"the machine's\n"
		"speed drift; --untraced measures plain builds, unscaled.  "
		"ID: one of\n");
	for (int o = 0; o < BT_OPT_MAX; o++)
		fprintf(f, "  %s\n", bt_option_id(o));
	fprintf(f,
		"--touch FILE measures the edit-rebuild loop: a full build per "
		"option in its\n"
		"own target dir, then N rounds (default 20) of touching FILE "
		"and rebuilding\n"
		"each, plain; the estimates come from one traced rebuild.\n"
		"A linker option is checked in the .comment section of what "
		"it linked.\n");
	fprintf(f, "Writes DIR/experiment.json (default "
		   "./btrace.data/experiment).\n");
}

/* Reads the traced baseline's trace in TRACE_DIR through bt_analyze():
 * the estimates and applicable options into RECS, and in LINKER
 * (LINKER_CAP bytes) the linker its links ran ("" if none).  Returns
 * BT_EXIT_OK, or another enum bt_exit with a message printed. */
static int analyze(const char *trace_dir, struct bt_recommendations *recs,
		   char *linker, size_t linker_cap)
{
	struct bt_analysis a;
	char err[1024];
	int rc;

	rc = bt_analyze(trace_dir, NULL, &a, err, sizeof(err));
	if (rc != BT_EXIT_OK) {
		fprintf(stderr,
			"btrace experiment: the trace of the traced baseline "
			"cannot be analyzed: %s\n",
			err);
		return rc;
	}
	*recs = a.recs;
	linker[0] = '\0';
	for (size_t i = 0; i < a.build.n_units && !linker[0]; i++)
		snprintf(linker, linker_cap, "%s",
			 a.build.units[i].linker_used);
	bt_analysis_free(&a);
	return BT_EXIT_OK;
}

/* The output directory DIR, made if need be (DFLT: the default one,
 * whose parent btrace.data is made too).  Returns 0, or -1 with errno. */
static int out_dir_make(const char *dir, int dflt)
{
	if (dflt)
		mkdir("btrace.data", 0700);
	return mkdir(dir, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Where the failed builds' logs go: the output directory. */
struct log_dest {
	const char *dir;
	int dflt;
};

/* "run N" for round R (0-based), or "the full build" for R < 0. */
static void run_name(int r, char *out, size_t cap)
{
	if (r < 0)
		snprintf(out, cap, "the full build");
	else
		snprintf(out, cap, "run %d", r + 1);
}

/* Copies a failed build's log into the output directory, and names it
 * in SUFFIX (" (log: DIR/FILE)", or "" if it could not be kept). */
static void keep_log(const struct exp_run *x, const struct log_dest *ld,
		     const struct exp_config *c, const struct exp_outcome *oc,
		     int r, int first, char *suffix, size_t cap)
{
	char kept[256];
	suffix[0] = '\0';
	/* a failed touch ran nothing: the log is an earlier build's */
	if (oc->kind != EXP_FAIL_TOUCH &&
	    out_dir_make(ld->dir, ld->dflt) == 0 &&
	    exp_keep_log(x->log, ld->dir, c->name, r + 1, first, kept,
			 sizeof(kept)) == 0)
		snprintf(suffix, cap, " (log: %s/%s)", ld->dir, kept);
}

/* Round R of config C (R < 0: its full build, untimed) built as X says,
 * and once more if that build fails: a failure under load (a process
 * killed, a disk briefly full) must not cost the option its measurement.
 * Fills C's round R (wall, CPU, frontend CPU; a trace that could not be
 * analyzed is noted in C, the round stays measured), or fails C with
 * what failed and its log kept in LD.  *WALL: the time it took.  Returns
 * 0, or -1 when out of memory. */
static int measure(const struct exp_run *x, const struct log_dest *ld,
		   struct exp_config *c, const char *tdir, int r, double *wall)
{
	struct exp_outcome oc;
	char run[32], logged[600];
	int st = 0;

	*wall = 0;
	run_name(r, run, sizeof(run));
	for (int attempt = 0; attempt < 2 && !interrupted; attempt++) {
		st = exp_build(x, c, tdir, &oc);
		if (st < 0)
			return -1;
		if (isfinite(oc.wall))
			*wall += oc.wall;
		if (st == 0 || attempt || interrupted)
			break;
		keep_log(x, ld, c, &oc, r, 1, logged, sizeof(logged));
		fprintf(stderr,
			"btrace experiment: %s, %s: %s%s; building it "
			"again\n",
			c->name, run, oc.why, logged);
		if (r >= 0)
			c->retried[r] = 1;
		if (!c->retry_why[0])
			snprintf(c->retry_why, sizeof(c->retry_why), "%s: %s%s",
				 run, oc.why, logged);
	}
	if (interrupted)
		return 0;
	if (st > 0) {
		keep_log(x, ld, c, &oc, r, 0, logged, sizeof(logged));
		c->failed = 1;
		c->fail_kind = oc.kind;
		snprintf(c->failure, sizeof(c->failure),
			 "%s, tried twice: %s%s", run, oc.why, logged);
		fprintf(stderr, "btrace experiment: %s: %s\n", c->name,
			c->failure);
		return 0;
	}
	if (r < 0)
		return 0;
	c->rounds.wall[r] = oc.wall;
	c->rounds.cpu[r] = oc.cpu;
	c->rounds.front[r] = oc.front;
	if (oc.analysis[0]) {
		c->unanalyzed[r] = 1;
		if (!c->analysis_why[0])
			snprintf(c->analysis_why, sizeof(c->analysis_why),
				 "%s: %s", run, oc.analysis);
		fprintf(stderr,
			"btrace experiment: %s, %s: the build succeeded, but "
			"its trace could not be analyzed (tried twice): %s; "
			"the run is left out of the drift-scaled saving\n",
			c->name, run, oc.analysis);
	}
	return 0;
}

static const struct option options[] = {
    {"runs", required_argument, NULL, 'r'},
    {"only", required_argument, NULL, 'n'},
    {"untraced", no_argument, NULL, 'u'},
    {"touch", required_argument, NULL, 't'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_experiment(int argc, char **argv)
{
	const char *ids[BT_OPT_MAX + 1];
	int runs = 0, n_cmd = 0, n_cs = 0, tty = isatty(2), rc = 1, plain = 0;
	const char *only = NULL, *out_arg = NULL, *touch = NULL;
	char **cmd = NULL, work[256];
	char target[sizeof(work) + 16], trace[sizeof(work) + 16];
	char log[sizeof(work) + 16], self[4096], base_linker[64] = "";
	const char *tmp = getenv("TMPDIR");
	struct exp_config cs[MAX_CONFIGS];
	struct bt_recommendations recs;
	struct sigaction sa;
	struct stat st_touch;
	struct exp_run x = {0};
	struct log_dest ld;
	double t0, wall, spent = 0;
	ssize_t sl;
	int done = 0, total;

	for (int o = 0; o < BT_OPT_MAX; o++)
		ids[o] = bt_option_id(o);
	ids[BT_OPT_MAX] = NULL;
	setenv("BTRACE_HISTORY", "0", 1); /* measurements, not history */
	for (;;) {
		long v;
		int c = getopt_long(argc, argv, "+:o:h", options, NULL);
		if (c == -1)
			break;
		if (c == 'r') {
			if (bt_cli_uint("experiment", "--runs", optarg, 1,
					BT_MAX_RUNS, &v) < 0)
				return BT_EXIT_BAD_INPUT;
			runs = (int)v;
		} else if (c == 'u') {
			plain = 1;
		} else if (c == 't') {
			touch = optarg;
		} else if (c == 'n') {
			if (bt_cli_choice("experiment", "--only", optarg, ids) <
			    0)
				return BT_EXIT_BAD_INPUT;
			only = optarg;
		} else if (c == 'o') {
			out_arg = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return BT_EXIT_OK;
		} else {
			bt_cli_bad_option("experiment", c, argv);
			return BT_EXIT_BAD_INPUT;
		}
	}
	/* The cargo command comes after "--", which getopt_long took. */
	if (optind < 2 || strcmp(argv[optind - 1], "--") != 0 ||
	    optind >= argc) {
		fprintf(stderr, "btrace experiment: no cargo command after -- "
				"(try btrace experiment --help)\n");
		return BT_EXIT_BAD_INPUT;
	}
	cmd = argv + optind;
	n_cmd = argc - optind;
	if (!runs)
		runs = touch ? DEFAULT_TOUCH_RUNS : DEFAULT_RUNS;
	if (touch) {
		int bad = stat(touch, &st_touch) < 0 ? errno : 0;
		if (bad || !S_ISREG(st_touch.st_mode)) {
			fprintf(stderr, "btrace experiment: --touch %s: %s\n",
				touch,
				bad ? strerror(bad) : "not a regular file");
			return BT_EXIT_BAD_INPUT;
		}
	}
	/* a rebuild's frontend is too small a yardstick for the drift
	 * (docs/estimation.md): rebuilds are measured plain */
	if (touch)
		plain = 1;
	for (int i = 0; i < n_cmd && strcmp(cmd[i], "--"); i++)
		if (!strncmp(cmd[i], "--target-dir", 12)) {
			fprintf(stderr, "btrace experiment: drop --target-dir: "
					"every build goes to a private one\n");
			return BT_EXIT_BAD_INPUT;
		}
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0) {
		fprintf(stderr, "btrace experiment: cannot find myself: %s\n",
			strerror(errno));
		return 1;
	}
	self[sl] = '\0';
	if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(work, sizeof(work), "%s/btrace-experiment.XXXXXX", tmp);
	if (!mkdtemp(work)) {
		fprintf(stderr, "btrace experiment: cannot create %s: %s\n",
			work, strerror(errno));
		return 1;
	}
	snprintf(target, sizeof(target), "%s/target", work);
	snprintf(trace, sizeof(trace), "%s/trace", work);
	snprintf(log, sizeof(log), "%s/log", work);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* the builds' orphans are ours to wait for (run()) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	t0 = bt_now_s();

	x.cmd = cmd;
	x.n_cmd = n_cmd;
	x.trace = trace;
	x.log = log;
	ld.dir = out_arg ? out_arg : "btrace.data/experiment";
	ld.dflt = !out_arg;

	/* 1. the traced baseline: estimates, and what applies (with
	 * --touch: a full build, then the traced rebuild) */
	{
		struct exp_config base = {.name = "baseline", .option = -1};
		struct exp_run bx = x;
		struct exp_outcome oc;
		char *base_target = target;
		int st;
		if (touch) {
			snprintf(base.target, sizeof(base.target), "%s/t0",
				 work);
			base_target = base.target;
			exp_progress(tty, 0, 1, "baseline, full build", 0, 0,
				     t0, 0);
			st = exp_build(&bx, &base, base_target, &oc);
			if (tty)
				fputc('\n', stderr);
			if (interrupted || st < 0)
				goto out;
			if (st != 0)
				goto failing;
			bx.touch = touch;
		}
		bx.self = self;
		exp_progress(tty, 0, 1,
			     touch
				 ? "baseline rebuild, traced for the estimates"
				 : "baseline, traced for the estimates",
			     0, 0, t0, 0);
		st = exp_build(&bx, &base, base_target, &oc);
		if (tty)
			fputc('\n', stderr);
		if (interrupted || st < 0)
			goto out;
		if (st != 0)
			goto failing;
		st = analyze(trace, &recs, base_linker, sizeof(base_linker));
		if (st != BT_EXIT_OK) {
			if (st == BT_EXIT_NOMEM)
				rc = st;
			goto out;
		}
		spent = oc.wall;
		cs[n_cs++] = base;
		goto baseline_done;
	failing:
		if (oc.kind == EXP_FAIL_BUILD)
			fprintf(stderr,
				"btrace experiment: the build fails at the "
				"current settings: %s (see %s); fix it first\n",
				oc.why, log);
		else
			fprintf(stderr,
				"btrace experiment: the baseline could not be "
				"built: %s (see %s)\n",
				oc.why, log);
		rc = 1;
		goto keep_log;
	}
baseline_done:
	for (size_t i = 0; i < recs.n; i++) {
		const struct bt_recommendation *r = &recs.items[i];
		struct exp_config c = {.name = r->id, .option = (int)r->option};
		int in_force = !bt_rec_applies(r);
		/* (a recommendation below the threshold is still measured:
		 * the measurement is what the user asked for) */
		if (only ? strcmp(only, r->id) != 0
			 : in_force || !measurable(r->option))
			continue;
		if (in_force)
			fprintf(stderr, "btrace experiment: note: %s: %s\n",
				r->id, r->reason);
		overrides_for(&c, r->option, recs.profile, base_linker);
		c.estimate = r->estimate;
		if (touch)
			snprintf(c.target, sizeof(c.target), "%s/t%d", work,
				 n_cs);
		cs[n_cs++] = c;
	}
	if (n_cs < 2) {
		fprintf(stderr, "btrace experiment: nothing to measure: every "
				"option is already in force\n");
		rc = 0;
		goto out;
	}
	/* a round not measured stays NAN (null in experiment.json) */
	for (int c = 0; c < n_cs; c++)
		for (int r = 0; r < BT_MAX_RUNS; r++)
			cs[c].rounds.wall[r] = cs[c].rounds.cpu[r] =
			    cs[c].rounds.front[r] = NAN;
	bt_rm_rf(trace);

	/* 1b. --touch: each option's full build in its own target dir, and
	 * the linker check */
	for (int k = 1; touch && k < n_cs && !interrupted; k++) {
		struct exp_config *c = &cs[k];
		char what[96];
		snprintf(what, sizeof(what), "%s, full build", c->name);
		exp_progress(tty, 0, 1, what, 0, 0, t0, 0);
		if (measure(&x, &ld, c, c->target, -1, &wall) < 0)
			goto out;
		if (tty)
			fputc('\n', stderr);
		if (interrupted || c->failed)
			continue;
		if (exp_check_linker(c, c->target, recs.profile) < 0) {
			c->failed = 1;
			c->fail_kind = EXP_FAIL_LINKER;
			fprintf(stderr, "btrace experiment: %s: %s\n", c->name,
				c->failure);
		}
	}

	/* 2. interleaved builds: clean ones, or touch and rebuild */
	x.self = plain ? NULL : self;
	x.analyze = !plain;
	x.touch = touch;
	total = runs * n_cs;
	for (int r = 0; r < runs && !interrupted; r++)
		for (int k = 0; k < n_cs && !interrupted; k++) {
			struct exp_config *c = &cs[(k + r) % n_cs];
			const char *tdir = touch ? c->target : target;
			if (c->failed) { /* not worth building again */
				done++;
				continue;
			}
			if (!touch)
				bt_rm_rf(target);
			exp_progress(tty, done, total, c->name, r + 1, runs, t0,
				     spent / (done + 1));
			if (measure(&x, &ld, c, tdir, r, &wall) < 0)
				goto out;
			if (interrupted)
				break;
			if (!touch && !c->failed &&
			    exp_check_linker(c, target, recs.profile) < 0) {
				c->failed = 1;
				c->fail_kind = EXP_FAIL_LINKER;
				fprintf(stderr, "btrace experiment: %s: %s\n",
					c->name, c->failure);
			}
			spent += wall;
			done++;
		}
	if (tty)
		fputc('\n', stderr);
	if (interrupted) {
		fprintf(stderr, "btrace experiment: interrupted; cleaned up\n");
		rc = BT_EXIT_INTERRUPTED;
		goto out;
	}
	if (cs[0].failed) {
		fprintf(stderr,
			"btrace experiment: a baseline build failed, so "
			"nothing can be compared: %s\n",
			cs[0].failure);
		goto out;
	}
	/* a build whose trace has no frontend samples leaves nothing to
	 * scale by; a trace that could not be analyzed leaves out its round
	 * only (noted above) */
	for (int c = 0; c < n_cs && !plain; c++)
		for (int r = 0; r < runs && !cs[c].failed && !plain; r++)
			if (!cs[c].unanalyzed[r] &&
			    !(cs[c].rounds.front[r] > 0)) {
				fprintf(stderr,
					"btrace experiment: note: %s, run %d "
					"has no frontend samples: savings "
					"are not scaled for drift\n",
					cs[c].name, r + 1);
				plain = 1;
			}
	exp_print_table(cs, n_cs, runs, !plain, touch);
	if (out_dir_make(ld.dir, ld.dflt) < 0)
		fprintf(stderr, "btrace experiment: cannot create %s: %s\n",
			ld.dir, strerror(errno));
	if (exp_write_json(ld.dir, cmd, n_cmd, cs, n_cs, runs, !plain, touch,
			   base_linker, &recs) < 0)
		rc = 1;
	else
		rc = 0;
out:
	bt_rm_rf(work);
	return rc;
keep_log:
	for (int c = 0; c < MAX_CONFIGS; c++) { /* --touch's target dirs */
		char t[sizeof(work) + 16];
		snprintf(t, sizeof(t), "%s/t%d", work, c);
		bt_rm_rf(t);
	}
	bt_rm_rf(target);
	bt_rm_rf(trace);
	return rc;
}
