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

/* The cargo command with CONFIG's overrides and the private target dir,
 * inserted before a `--` that passes arguments on (cargo run -- ...). */
static char **command_for(char **cmd, int n, const struct exp_config *c,
			  const char *target_dir)
{
	char **argv = calloc((size_t)n + 16, sizeof(*argv));
	int k = 0, i = 0;
	if (!argv)
		return NULL;
	for (; i < n && strcmp(cmd[i], "--"); i++)
		argv[k++] = cmd[i];
	for (int o = 0; o < c->n_overrides; o++) {
		argv[k++] = "--config";
		argv[k++] = (char *)c->overrides[o];
	}
	if (c->cargo_arg)
		argv[k++] = (char *)c->cargo_arg;
	argv[k++] = "--target-dir";
	argv[k++] = (char *)target_dir;
	for (; i < n; i++)
		argv[k++] = cmd[i];
	argv[k] = NULL;
	return argv;
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

/* Reads the trace in TRACE_DIR through bt_analyze(): with RECS, the
 * estimates and applicable options (the traced baseline) and in LINKER
 * (LINKER_CAP bytes) the linker its links ran ("" if none); with
 * FRONTEND, the frontend's CPU seconds (NAN without samples).  Returns
 * BT_EXIT_OK, or another enum bt_exit with a message printed. */
static int analyze(const char *trace_dir, struct bt_recommendations *recs,
		   char *linker, size_t linker_cap, double *frontend)
{
	/* without RECS, only the frontend's CPU is wanted */
	struct bt_analyze_opts o = {.profile_only = !recs};
	struct bt_analysis a;
	char err[1024];
	int rc;

	if (frontend)
		*frontend = NAN;
	rc = bt_analyze(trace_dir, &o, &a, err, sizeof(err));
	if (rc != BT_EXIT_OK) {
		fprintf(stderr, "btrace experiment: %s\n", err);
		return rc;
	}
	if (frontend && a.have_profile)
		*frontend = a.profile.cpu_s[BT_CAT_FRONTEND];
	if (recs)
		*recs = a.recs;
	if (linker) {
		linker[0] = '\0';
		for (size_t i = 0; i < a.build.n_units && !linker[0]; i++)
			snprintf(linker, linker_cap, "%s",
				 a.build.units[i].linker_used);
	}
	bt_analysis_free(&a);
	return BT_EXIT_OK;
}

/* Sets FILE's modification time to now, as `touch` does. */
static int touch_file(const char *file)
{
	if (utimensat(AT_FDCWD, file, NULL, 0) < 0) {
		fprintf(stderr, "btrace experiment: cannot touch %s: %s\n",
			file, strerror(errno));
		return -1;
	}
	return 0;
}

/* Builds config C in TARGET once (plain), with TOUCH first if given;
 * fills WALL and CPU.  Returns the build's wait status, or -1. */
static int build_once(char **cmd, int n_cmd, const struct exp_config *c,
		      const char *target, const char *log, const char *touch,
		      double *wall, double *cpu)
{
	char **argv = command_for(cmd, n_cmd, c, target);
	int st;
	if (!argv)
		return -1;
	if (touch && touch_file(touch) < 0) {
		free(argv);
		return -1;
	}
	st = bt_run(argv, log, wall, cpu);
	free(argv);
	return st;
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
	double t0, wall, cpu, spent = 0;
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

	/* 1. the traced baseline: estimates, and what applies (with
	 * --touch: a full build, then the traced rebuild) */
	{
		struct exp_config base = {.name = "baseline", .option = -1};
		char *base_target = target;
		char **c, **argv2;
		int st;
		if (touch) {
			snprintf(base.target, sizeof(base.target), "%s/t0",
				 work);
			base_target = base.target;
			exp_progress(tty, 0, 1, "baseline, full build", 0, 0,
				     t0, 0);
			st = build_once(cmd, n_cmd, &base, base_target, log,
					NULL, &wall, &cpu);
			if (tty)
				fputc('\n', stderr);
			if (interrupted)
				goto out;
			if (st != 0)
				goto failing;
			if (touch_file(touch) < 0)
				goto out;
		}
		c = command_for(cmd, n_cmd, &base, base_target);
		argv2 = c ? bt_traced_argv(self, trace, c) : NULL;
		if (!argv2) {
			free(c);
			goto out;
		}
		exp_progress(tty, 0, 1,
			     touch
				 ? "baseline rebuild, traced for the estimates"
				 : "baseline, traced for the estimates",
			     0, 0, t0, 0);
		st = bt_run(argv2, log, &wall, &cpu);
		free(c);
		free(argv2);
		if (tty)
			fputc('\n', stderr);
		if (interrupted)
			goto out;
		if (st != 0)
			goto failing;
		st = analyze(trace, &recs, base_linker, sizeof(base_linker),
			     NULL);
		if (st != BT_EXIT_OK) {
			if (st == BT_EXIT_NOMEM)
				rc = st;
			goto out;
		}
		spent = wall;
		cs[n_cs++] = base;
	}
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
	bt_rm_rf(trace);

	/* 1b. --touch: each option's full build in its own target dir, and
	 * the linker check */
	for (int k = 1; touch && k < n_cs && !interrupted; k++) {
		struct exp_config *c = &cs[k];
		char what[96];
		int st;
		snprintf(what, sizeof(what), "%s, full build", c->name);
		exp_progress(tty, 0, 1, what, 0, 0, t0, 0);
		st = build_once(cmd, n_cmd, c, c->target, log, NULL, &wall,
				&cpu);
		if (tty)
			fputc('\n', stderr);
		if (interrupted)
			break;
		if (st != 0)
			c->failed = 1;
		else if (exp_check_linker(c, c->target, recs.profile) < 0)
			c->failed = 1;
		if (c->failure[0])
			fprintf(stderr, "btrace experiment: %s: %s\n", c->name,
				c->failure);
	}

	/* 2. interleaved builds: clean ones, or touch and rebuild */
	total = runs * n_cs;
	for (int r = 0; r < runs && !interrupted; r++)
		for (int k = 0; k < n_cs && !interrupted; k++) {
			struct exp_config *c = &cs[(k + r) % n_cs];
			const char *tdir = touch ? c->target : target;
			char **c_argv, **t_argv;
			int st;
			if (c->failed) { /* not worth building again */
				done++;
				continue;
			}
			c_argv = command_for(cmd, n_cmd, c, tdir);
			t_argv = c_argv && !plain
				     ? bt_traced_argv(self, trace, c_argv)
				     : NULL;
			if (!c_argv || (!plain && !t_argv)) {
				free(c_argv);
				goto out;
			}
			if (!touch)
				bt_rm_rf(target);
			bt_rm_rf(trace);
			exp_progress(tty, done, total, c->name, r + 1, runs, t0,
				     spent / (done + 1));
			st = touch ? touch_file(touch) : 0;
			if (st == 0)
				st = bt_run(plain ? c_argv : t_argv, log, &wall,
					    &cpu);
			free(c_argv);
			free(t_argv);
			if (interrupted)
				break;
			if (st != 0)
				c->failed = 1;
			c->rounds.wall[r] = wall;
			c->rounds.cpu[r] = cpu;
			c->rounds.front[r] = NAN;
			if (!plain && st == 0)
				analyze(trace, NULL, NULL, 0,
					&c->rounds.front[r]);
			if (!touch && st == 0 &&
			    exp_check_linker(c, target, recs.profile) < 0) {
				c->failed = 1;
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
			"btrace experiment: a baseline build failed "
			"(see %s)\n",
			log);
		goto keep_log;
	}
	for (int c = 0; c < n_cs && !plain; c++)
		for (int r = 0; r < runs && !cs[c].failed && !plain; r++)
			if (!(cs[c].rounds.front[r] > 0)) {
				fprintf(stderr,
					"btrace experiment: note: %s, run %d "
					"has no frontend samples: savings "
					"are not scaled for drift\n",
					cs[c].name, r + 1);
				plain = 1;
			}
	exp_print_table(cs, n_cs, runs, !plain, touch);
	{
		char *dir = out_arg ? strdup(out_arg)
				    : strdup("btrace.data/experiment");
		if (dir && !out_arg)
			mkdir("btrace.data", 0700);
		if (!dir || (mkdir(dir, 0700) < 0 && errno != EEXIST) ||
		    exp_write_json(dir, cmd, n_cmd, cs, n_cs, runs, !plain,
				   touch, base_linker, &recs) < 0)
			rc = 1;
		else
			rc = 0;
		free(dir);
	}
out:
	bt_rm_rf(work);
	return rc;
failing:
	fprintf(stderr,
		"btrace experiment: the build fails at the current settings "
		"(see %s); fix it first\n",
		log);
	rc = 1;
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
