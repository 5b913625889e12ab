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
 * table, shows progress on a terminal, cleans up on Ctrl-C (exit 130). */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <gelf.h>
#include <libelf.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "output/json_out.h"

extern char **environ;

#define MAX_CONFIGS (1 + BT_OPT_MAX)
#define MAX_RUNS 100
#define DEFAULT_RUNS 3
#define DEFAULT_TOUCH_RUNS 20 /* rebuilds are short and noisy */

struct config {
	const char *name;	/* "baseline" or an option id */
	int option;		/* -1 for the baseline */
	char overrides[3][256]; /* --config values */
	int n_overrides;
	int extra_z; /* cranelift: -Zcodegen-backend */
	struct bt_estimate estimate;
	double wall[MAX_RUNS], cpu[MAX_RUNS];
	double front[MAX_RUNS]; /* frontend CPU of each traced build, or NAN */
	int failed;
	char failure[256]; /* why, when not just a failing build */
	char target[288];  /* its private target dir (--touch) */
};

static volatile sig_atomic_t interrupted;
static pid_t child_pgid;

static void on_signal(int sig)
{
	interrupted = sig;
	if (child_pgid > 0)
		kill(-child_pgid, SIGTERM);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static double cpu_of(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec +
	       (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* How long run() waits for the descendants a build left running. */
#define STRAGGLER_WAIT_S 30

/* Runs ARGV in its own process group with stdout/stderr to LOG; returns
 * its wait status (or -1), and its wall and CPU seconds.
 *
 * The wall time ends when ARGV exits.  The CPU time is that of ARGV and
 * every descendant: the ones it waited for (its rusage) and the ones it
 * left running, which this process, a child subreaper (see
 * cmd_experiment), inherits and waits for, up to STRAGGLER_WAIT_S.  mold
 * is one: by default (--fork) it links in a child and returns as soon as
 * the output is written, leaving the child to tear down; that child's
 * CPU was missing from the measurement (mold on a cli-app rebuild "saved"
 * 48% of the CPU). */
static int run(char *const *argv, const char *log, double *wall, double *cpu)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct rusage ru;
	pid_t pid, p;
	int status = -1, rc, st;
	double t0 = now_s(), deadline;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	child_pgid = pid;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	*wall = now_s() - t0;
	*cpu = cpu_of(&ru);
	deadline = now_s() + STRAGGLER_WAIT_S;
	while (!interrupted) {
		p = wait4(-1, &st, WNOHANG, &ru);
		if (p > 0)
			*cpu += cpu_of(&ru);
		else if (p < 0 && errno != EINTR)
			break; /* ECHILD: none left */
		else if (p == 0 && now_s() > deadline)
			break;
		else if (p == 0)
			usleep(2000);
	}
	child_pgid = 0;
	return status;
}

/* The cargo command with CONFIG's overrides and the private target dir,
 * inserted before a `--` that passes arguments on (cargo run -- ...). */
static char **command_for(char **cmd, int n, const struct config *c,
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
	if (c->extra_z)
		argv[k++] = "-Zcodegen-backend";
	argv[k++] = "--target-dir";
	argv[k++] = (char *)target_dir;
	for (; i < n; i++)
		argv[k++] = cmd[i];
	argv[k] = NULL;
	return argv;
}

/* The --config overrides of option O for PROFILE; 0 if it cannot be
 * measured by overrides. */
static int overrides_for(struct config *c, enum bt_option o,
			 const char *profile, const char *base_linker)
{
	const char *fuse = NULL;
	switch (o) {
	case BT_OPT_DEBUG_LINE_TABLES:
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "profile.%s.debug=\"line-tables-only\"", profile);
		break;
	case BT_OPT_DEBUG_OFF:
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "profile.%s.debug=false", profile);
		break;
	case BT_OPT_DEBUG_DEPS_OFF:
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "profile.%s.package.\"*\".debug=false", profile);
		break;
	case BT_OPT_SPLIT_DEBUGINFO:
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "profile.%s.split-debuginfo=\"unpacked\"", profile);
		break;
	case BT_OPT_CRANELIFT:
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "profile.%s.codegen-backend=\"cranelift\"", profile);
		snprintf(c->overrides[1], sizeof(c->overrides[1]),
			 "unstable.codegen-backend=true");
		c->n_overrides = 2;
		c->extra_z = 1;
		return 1;
	case BT_OPT_LINKER_LLD:
		fuse = "lld";
		break;
	case BT_OPT_LINKER_MOLD:
		fuse = "mold";
		break;
	default:
		return 0;
	}
	/* where rustc links with its own rust-lld (the default on x86_64
	 * Linux since 1.90), -fuse-ld alone still passes rustc's
	 * -fuse-ld=lld first; -C linker-features=-lld (stable) drops it */
	if (fuse && bt_linker_is_lld(base_linker) && strcmp(fuse, "lld"))
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "build.rustflags=[\"-C\",\"link-arg=-fuse-ld=%s\","
			 "\"-C\",\"linker-features=-lld\"]",
			 fuse);
	else if (fuse)
		snprintf(c->overrides[0], sizeof(c->overrides[0]),
			 "build.rustflags=[\"-C\",\"link-arg=-fuse-ld=%s\"]",
			 fuse);
	c->n_overrides = 1;
	return 1;
}

/* Whether option O can be measured here without being asked for: the
 * debuginfo options always; a linker if it is installed; Cranelift only
 * with --only (it needs nightly and a rustup component). */
static int measurable(enum bt_option o)
{
	switch (o) {
	case BT_OPT_CRANELIFT:
		return 0;
	case BT_OPT_LINKER_LLD:
		return bt_on_path("ld.lld");
	case BT_OPT_LINKER_MOLD:
		return bt_on_path("mold");
	default:
		return 1;
	}
}

/* The linker named in the .comment section of the ELF executable or
 * shared object PATH ("Linker: LLD 22.1.2 ...", "mold 1.10.1 ..."; GNU
 * ld writes none): 1 with it in OUT, 0 if it names none or is not such
 * a file. */
static int comment_linker(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	size_t shstr;
	GElf_Ehdr eh;

	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    elf_getshdrstrndx(e, &shstr) != 0)
		goto out;
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;
		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(e, shstr, sh.sh_name)) ||
		    strcmp(name, ".comment") || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < d->d_size && !found;) {
			const char *str = (const char *)d->d_buf + i;
			size_t len = strnlen(str, d->d_size - i);
			if (!strncmp(str, "Linker:", 7) ||
			    !strncmp(str, "mold ", 5) ||
			    !strncmp(str, "LLD ", 4) ||
			    !strncmp(str, "GNU gold", 8)) {
				snprintf(out, cap, "%.*s", (int)len, str);
				found = 1;
			}
			i += len + 1;
		}
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

/* Checks that config C's build in TARGET linked with the linker it
 * asks for: the executables and shared objects in TARGET/PROFDIR/deps
 * (the binaries, tests, proc macros) must name it in .comment.  Returns
 * 0 if they do or C is no linker option, -1 with C->failure set if one
 * names another linker or none does. */
static int check_linker(struct config *c, const char *target,
			const char *profile)
{
	const char *want, *label;
	char dir[600], seen[160] = "", seen_in[128] = "", line[160];
	int n_elf = 0, n_ok = 0;
	DIR *d;
	struct dirent *de;

	if (c->option == BT_OPT_LINKER_MOLD) {
		want = "mold";
		label = "mold";
	} else if (c->option == BT_OPT_LINKER_LLD) {
		want = "LLD";
		label = "lld";
	} else {
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/%s/deps", target,
		 strcmp(profile, "dev") ? profile : "debug");
	if (elf_version(EV_CURRENT) == EV_NONE || !(d = opendir(dir))) {
		snprintf(c->failure, sizeof(c->failure),
			 "cannot check the linker: no %.200s", dir);
		return -1;
	}
	while ((de = readdir(d))) {
		char path[900];
		const char *dot = strrchr(de->d_name, '.');
		if (dot && (!strcmp(dot, ".d") || !strcmp(dot, ".rlib") ||
			    !strcmp(dot, ".rmeta") || !strcmp(dot, ".o")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!comment_linker(path, line, sizeof(line)))
			continue;
		n_elf++;
		if (strstr(line, want))
			n_ok++;
		else if (!seen[0]) {
			snprintf(seen, sizeof(seen), "%s", line);
			snprintf(seen_in, sizeof(seen_in), "%.100s",
				 de->d_name);
		}
	}
	closedir(d);
	if (n_ok && !seen[0])
		return 0;
	if (seen[0])
		snprintf(c->failure, sizeof(c->failure),
			 "the linker did not change: %.60s names \"%.60s\" in "
			 ".comment, not %s (RUSTFLAGS in the environment "
			 "overrides build.rustflags)",
			 seen_in, seen, label);
	else
		snprintf(
		    c->failure, sizeof(c->failure),
		    "cannot check the linker: nothing in %.160s names one in "
		    ".comment (%d linked files)",
		    dir, n_elf);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double s[MAX_RUNS];
	if (n <= 0)
		return NAN;
	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

struct saving {
	double med, lo, hi;
	int n; /* rounds it is made of */
};

/* The option's per-round savings against the baseline (BASE, OPT: the
 * wall or CPU arrays).  With FB and FO, the frontend CPU of the same
 * builds, each option build is first scaled by FB/FO: the frontend does
 * the same work at every setting the options change, so its ratio is the
 * machine's speed drift between the two builds (docs/estimation.md).
 * Rounds without a frontend figure are left out of a scaled saving. */
static struct saving saving_of(const double *base, const double *opt,
			       const double *fb, const double *fo, int n)
{
	double d[MAX_RUNS];
	struct saving s = {NAN, NAN, NAN, 0};
	for (int r = 0; r < n; r++) {
		double scale = 1;
		if (fb) {
			if (!(fb[r] > 0) || !(fo[r] > 0))
				continue;
			scale = fb[r] / fo[r];
		}
		d[s.n++] = base[r] - scale * opt[r];
	}
	if (s.n <= 0)
		return s;
	s.med = median(d, s.n);
	qsort(d, (size_t)s.n, sizeof(*d), cmp_double);
	s.lo = d[0];
	s.hi = d[s.n - 1];
	return s;
}

/* The drift-corrected savings of config C against cs[0] when every build
 * was traced (NULL arrays otherwise: plain savings). */
static struct saving cpu_saving(const struct config *cs, int c, int runs,
				int scaled)
{
	return saving_of(cs[0].cpu, cs[c].cpu, scaled ? cs[0].front : NULL,
			 scaled ? cs[c].front : NULL, runs);
}

static struct saving wall_saving(const struct config *cs, int c, int runs,
				 int scaled)
{
	return saving_of(cs[0].wall, cs[c].wall, scaled ? cs[0].front : NULL,
			 scaled ? cs[c].front : NULL, runs);
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

/* ARGV run under `btrace record -o TRACE`: SELF is this program. */
static char **traced(const char *self, const char *trace, char **argv)
{
	int n = 0, k = 0;
	char **t;
	while (argv[n])
		n++;
	t = calloc((size_t)n + 6, sizeof(*t));
	if (!t)
		return NULL;
	t[k++] = (char *)self;
	t[k++] = "record";
	t[k++] = "-o";
	t[k++] = (char *)trace;
	t[k++] = "--";
	for (int i = 0; i < n; i++)
		t[k++] = argv[i];
	return t;
}

static void progress(int tty, int done, int total, const char *what, int run,
		     int runs, double t0, double per_build)
{
	double elapsed = now_s() - t0, left = per_build * (total - done);
	if (tty && !runs)
		fprintf(stderr, "\r\033[K%s: building... elapsed %dm%02ds",
			what, (int)elapsed / 60, (int)elapsed % 60);
	else if (tty)
		fprintf(stderr,
			"\r\033[K[%d/%d] run %d/%d %s: building... elapsed "
			"%dm%02ds, about %dm%02ds left",
			done + 1, total, run, runs, what, (int)elapsed / 60,
			(int)elapsed % 60, (int)left / 60, (int)left % 60);
	else if (!runs)
		fprintf(stderr, "btrace experiment: %s\n", what);
	else
		fprintf(stderr, "btrace experiment: [%d/%d] run %d/%d %s\n",
			done + 1, total, run, runs, what);
}

/* Relative error of an estimate (a share of its build) against a
 * measurement (a share of the baseline's median), in %. */
static double error_pct(double est_pct, double meas_pct)
{
	return meas_pct != 0 ? 100 * (est_pct - meas_pct) / fabs(meas_pct)
			     : NAN;
}

static double r3(double x)
{
	return round(x * 1e3) / 1e3;
}

static double r2(double x)
{
	return round(x * 1e2) / 1e2;
}

/* O.KEY = {method, rounds, cpu_s, cpu_s_min, ..., wall_pct}. */
static cJSON *measured_json(struct bt_json *j, cJSON *o, const char *key,
			    const char *method, struct saving sc,
			    struct saving sw, double base_cpu, double base_wall)
{
	cJSON *m = bt_json_add(j, o, key, cJSON_CreateObject());
	if (!m)
		return NULL;
	bt_json_str(j, m, "method", method);
	bt_json_num(j, m, "rounds", sc.n);
	bt_json_num(j, m, "cpu_s", r3(sc.med));
	bt_json_num(j, m, "cpu_s_min", r3(sc.lo));
	bt_json_num(j, m, "cpu_s_max", r3(sc.hi));
	bt_json_num(j, m, "cpu_pct", r2(100 * sc.med / base_cpu));
	bt_json_num(j, m, "wall_s", r3(sw.med));
	bt_json_num(j, m, "wall_s_min", r3(sw.lo));
	bt_json_num(j, m, "wall_s_max", r3(sw.hi));
	bt_json_num(j, m, "wall_pct", r2(100 * sw.med / base_wall));
	return m;
}

static int write_json(const char *dir, char **cmd, int n_cmd, struct config *cs,
		      int n_cs, int runs, int scaled, const char *touch,
		      const char *base_linker,
		      const struct bt_recommendations *recs)
{
	struct bt_json j = {0};
	cJSON *root = cJSON_CreateObject(), *a, *opts;
	double base_cpu = median(cs[0].cpu, runs);
	double base_wall = median(cs[0].wall, runs);
	char *path = NULL;
	FILE *f = NULL;
	int fd, rc = -1;

	if (!root)
		return -1;
	bt_json_str(&j, root, "format", "btrace-experiment");
	bt_json_num(&j, root, "version", 3);
	a = bt_json_add(&j, root, "command", cJSON_CreateArray());
	for (int i = 0; a && i < n_cmd; i++)
		bt_json_str(&j, a, NULL, cmd[i]);
	bt_json_num(&j, root, "runs", runs);
	bt_json_bool(&j, root, "scaled", scaled);
	if (touch)
		bt_json_str(&j, root, "touch", touch);
	else
		bt_json_add(&j, root, "touch", cJSON_CreateNull());
	if (base_linker[0])
		bt_json_str(&j, root, "baseline_linker", base_linker);
	else
		bt_json_add(&j, root, "baseline_linker", cJSON_CreateNull());
	/* the options not measured, with the traced baseline's reason */
	a = bt_json_add(&j, root, "not_measured", cJSON_CreateArray());
	for (size_t i = 0; a && i < recs->n; i++) {
		int measured = 0;
		cJSON *o;
		for (int c = 1; c < n_cs && !measured; c++)
			measured = cs[c].option == (int)recs->items[i].option;
		if (measured ||
		    !(o = bt_json_add(&j, a, NULL, cJSON_CreateObject())))
			continue;
		bt_json_str(&j, o, "id", recs->items[i].id);
		bt_json_str(&j, o, "reason", recs->items[i].reason);
		bt_json_num(&j, o, "estimate_cpu_pct",
			    r2(recs->items[i].estimate.cpu_pct));
		bt_json_num(&j, o, "estimate_wall_pct",
			    r2(recs->items[i].estimate.wall_pct));
	}
	opts = bt_json_add(&j, root, "configs", cJSON_CreateArray());
	for (int c = 0; opts && c < n_cs; c++) {
		cJSON *o = bt_json_add(&j, opts, NULL, cJSON_CreateObject());
		cJSON *w, *u, *fr = NULL, *ov, *m, *e;
		struct saving sw, sc;
		if (!o)
			break;
		bt_json_str(&j, o, "id", cs[c].name);
		ov = bt_json_add(&j, o, "config", cJSON_CreateArray());
		for (int k = 0; ov && k < cs[c].n_overrides; k++)
			bt_json_str(&j, ov, NULL, cs[c].overrides[k]);
		bt_json_bool(&j, o, "failed", cs[c].failed);
		if (cs[c].failure[0])
			bt_json_str(&j, o, "failure", cs[c].failure);
		w = bt_json_add(&j, o, "wall_s", cJSON_CreateArray());
		u = bt_json_add(&j, o, "cpu_s", cJSON_CreateArray());
		if (scaled)
			fr = bt_json_add(&j, o, "frontend_s",
					 cJSON_CreateArray());
		for (int r = 0; w && u && r < runs; r++) {
			bt_json_num(&j, w, NULL, r3(cs[c].wall[r]));
			bt_json_num(&j, u, NULL, r3(cs[c].cpu[r]));
			if (fr && isfinite(cs[c].front[r]))
				bt_json_num(&j, fr, NULL, r3(cs[c].front[r]));
			else if (fr)
				bt_json_add(&j, fr, NULL, cJSON_CreateNull());
		}
		if (!c || cs[c].failed)
			continue;
		sc = cpu_saving(cs, c, runs, scaled);
		sw = wall_saving(cs, c, runs, scaled);
		m = measured_json(&j, o, "measured",
				  scaled ? "frontend-scaled" : "plain", sc, sw,
				  base_cpu, base_wall);
		if (scaled)
			measured_json(&j, o, "measured_plain", "plain",
				      cpu_saving(cs, c, runs, 0),
				      wall_saving(cs, c, runs, 0), base_cpu,
				      base_wall);
		e = bt_json_add(&j, o, "estimate", cJSON_CreateObject());
		if (e) {
			bt_json_num(&j, e, "cpu_s", r3(cs[c].estimate.cpu_s));
			bt_json_num(&j, e, "cpu_pct",
				    r2(cs[c].estimate.cpu_pct));
			bt_json_num(&j, e, "wall_s", r3(cs[c].estimate.wall_s));
			bt_json_num(&j, e, "wall_pct",
				    r2(cs[c].estimate.wall_pct));
			bt_json_str(&j, e, "method", cs[c].estimate.method);
		}
		e = m ? bt_json_add(&j, o, "error_pct", cJSON_CreateObject())
		      : NULL;
		if (e) {
			double ec = error_pct(cs[c].estimate.cpu_pct,
					      100 * sc.med / base_cpu);
			double ew = error_pct(cs[c].estimate.wall_pct,
					      100 * sw.med / base_wall);
			if (isfinite(ec))
				bt_json_num(&j, e, "cpu", r2(ec));
			if (isfinite(ew))
				bt_json_num(&j, e, "wall", r2(ew));
		}
	}
	if (j.failed || asprintf(&path, "%s/experiment.json", dir) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	rc = bt_json_write(root, f, 1);
	if (fclose(f) != 0)
		rc = -1;
out:
	if (rc < 0)
		fprintf(stderr, "btrace experiment: cannot write %s: %s\n",
			path ? path : "experiment.json", strerror(errno));
	else
		fprintf(stderr, "btrace experiment: wrote %s\n", path);
	free(path);
	cJSON_Delete(root);
	return rc;
}

/* One line of the table: estimate and measurement in seconds and as
 * shares, the spread, and the error of the shares. */
static void print_row(const char *name, const char *what, double est_s,
		      double est_pct, struct saving m, double base)
{
	double pct = 100 * m.med / base;
	printf("%-27s %-4s %7.2fs %5.1f%% %7.2fs %5.1f%% [%6.2f, %6.2f] "
	       "%+5.0f%%\n",
	       name, what, est_s, est_pct, m.med, pct, m.lo, m.hi,
	       error_pct(est_pct, pct));
}

static void print_table(struct config *cs, int n_cs, int runs, int scaled,
			const char *touch)
{
	double base_cpu = median(cs[0].cpu, runs);
	double base_wall = median(cs[0].wall, runs);
	printf("\n%-32s %15s %15s %16s %6s\n", "option (vs baseline)",
	       "estimate", "measured", "[min, max]", "error");
	for (int c = 1; c < n_cs; c++) {
		if (cs[c].failed && cs[c].failure[0]) {
			printf("%-27s not measured: %s\n", cs[c].name,
			       cs[c].failure);
			continue;
		} else if (cs[c].failed) {
			printf("%-27s build failed (see the log)\n",
			       cs[c].name);
			continue;
		}
		print_row(cs[c].name, "CPU", cs[c].estimate.cpu_s,
			  cs[c].estimate.cpu_pct,
			  cpu_saving(cs, c, runs, scaled), base_cpu);
		print_row("", "wall", cs[c].estimate.wall_s,
			  cs[c].estimate.wall_pct,
			  wall_saving(cs, c, runs, scaled), base_wall);
		if (scaled) {
			struct saving p = cpu_saving(cs, c, runs, 0);
			printf("%-32s unscaled: %.2fs CPU [%.2f, %.2f], "
			       "%.2fs wall\n",
			       "", p.med, p.lo, p.hi,
			       wall_saving(cs, c, runs, 0).med);
		}
	}
	if (touch)
		printf("baseline: median %.2fs wall, %.2fs CPU over %d "
		       "rebuild%s after touching %s.\n",
		       base_wall, base_cpu, runs, runs == 1 ? "" : "s", touch);
	else
		printf("baseline: median %.2fs wall, %.2fs CPU over %d "
		       "run%s.\n",
		       base_wall, base_cpu, runs, runs == 1 ? "" : "s");
	if (scaled)
		printf(
		    "Measured: medians of the per-round differences from the "
		    "baseline; each option\nbuild is scaled by the "
		    "baseline's frontend CPU over its own, which takes out "
		    "the\nmachine's speed drift (--untraced: plain "
		    "builds).\n");
	else
		printf(
		    "Measured: medians of the per-round differences from the "
		    "baseline (plain builds,\nno drift scaling).\n");
	printf("Error: the estimate's share of its build against the "
	       "measured share of the\nbaseline's median.\n");
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
static int build_once(char **cmd, int n_cmd, const struct config *c,
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
	st = run(argv, log, wall, cpu);
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
	struct config cs[MAX_CONFIGS];
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
					MAX_RUNS, &v) < 0)
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
	t0 = now_s();

	/* 1. the traced baseline: estimates, and what applies (with
	 * --touch: a full build, then the traced rebuild) */
	{
		struct config base = {.name = "baseline", .option = -1};
		char *base_target = target;
		char **c, **argv2;
		int st;
		if (touch) {
			snprintf(base.target, sizeof(base.target), "%s/t0",
				 work);
			base_target = base.target;
			progress(tty, 0, 1, "baseline, full build", 0, 0, t0,
				 0);
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
		argv2 = c ? traced(self, trace, c) : NULL;
		if (!argv2) {
			free(c);
			goto out;
		}
		progress(tty, 0, 1,
			 touch ? "baseline rebuild, traced for the estimates"
			       : "baseline, traced for the estimates",
			 0, 0, t0, 0);
		st = run(argv2, log, &wall, &cpu);
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
		struct config c = {.name = r->id, .option = (int)r->option};
		int in_force = !bt_rec_applies(r);
		/* (a recommendation below the threshold is still measured:
		 * the measurement is what the user asked for) */
		if (only ? strcmp(only, r->id) != 0
			 : in_force || !measurable(r->option))
			continue;
		if (in_force)
			fprintf(stderr, "btrace experiment: note: %s: %s\n",
				r->id, r->reason);
		if (!overrides_for(&c, r->option, recs.profile, base_linker))
			continue;
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
	rm_rf(trace);

	/* 1b. --touch: each option's full build in its own target dir, and
	 * the linker check */
	for (int k = 1; touch && k < n_cs && !interrupted; k++) {
		struct config *c = &cs[k];
		char what[96];
		int st;
		snprintf(what, sizeof(what), "%s, full build", c->name);
		progress(tty, 0, 1, what, 0, 0, t0, 0);
		st = build_once(cmd, n_cmd, c, c->target, log, NULL, &wall,
				&cpu);
		if (tty)
			fputc('\n', stderr);
		if (interrupted)
			break;
		if (st != 0)
			c->failed = 1;
		else if (check_linker(c, c->target, recs.profile) < 0)
			c->failed = 1;
		if (c->failure[0])
			fprintf(stderr, "btrace experiment: %s: %s\n", c->name,
				c->failure);
	}

	/* 2. interleaved builds: clean ones, or touch and rebuild */
	total = runs * n_cs;
	for (int r = 0; r < runs && !interrupted; r++)
		for (int k = 0; k < n_cs && !interrupted; k++) {
			struct config *c = &cs[(k + r) % n_cs];
			const char *tdir = touch ? c->target : target;
			char **c_argv, **t_argv;
			int st;
			if (c->failed) { /* not worth building again */
				done++;
				continue;
			}
			c_argv = command_for(cmd, n_cmd, c, tdir);
			t_argv = c_argv && !plain ? traced(self, trace, c_argv)
						  : NULL;
			if (!c_argv || (!plain && !t_argv)) {
				free(c_argv);
				goto out;
			}
			if (!touch)
				rm_rf(target);
			rm_rf(trace);
			progress(tty, done, total, c->name, r + 1, runs, t0,
				 spent / (done + 1));
			st = touch ? touch_file(touch) : 0;
			if (st == 0)
				st = run(plain ? c_argv : t_argv, log, &wall,
					 &cpu);
			free(c_argv);
			free(t_argv);
			if (interrupted)
				break;
			if (st != 0)
				c->failed = 1;
			c->wall[r] = wall;
			c->cpu[r] = cpu;
			c->front[r] = NAN;
			if (!plain && st == 0)
				analyze(trace, NULL, NULL, 0, &c->front[r]);
			if (!touch && st == 0 &&
			    check_linker(c, target, recs.profile) < 0) {
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
			if (!(cs[c].front[r] > 0)) {
				fprintf(stderr,
					"btrace experiment: note: %s, run %d "
					"has no frontend samples: savings "
					"are not scaled for drift\n",
					cs[c].name, r + 1);
				plain = 1;
			}
	print_table(cs, n_cs, runs, !plain, touch);
	{
		char *dir = out_arg ? strdup(out_arg)
				    : strdup("btrace.data/experiment");
		if (dir && !out_arg)
			mkdir("btrace.data", 0700);
		if (!dir || (mkdir(dir, 0700) < 0 && errno != EEXIST) ||
		    write_json(dir, cmd, n_cmd, cs, n_cs, runs, !plain, touch,
			       base_linker, &recs) < 0)
			rc = 1;
		else
			rc = 0;
		free(dir);
	}
out:
	rm_rf(work);
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
		rm_rf(t);
	}
	rm_rf(target);
	rm_rf(trace);
	return rc;
}
