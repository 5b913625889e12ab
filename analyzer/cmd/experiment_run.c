/* experiment_run.c - one timed build of `btrace experiment` and what it
 * came to (experiment.h: exp_build).
 *
 * A build that gives no measurement says in one line what failed:
 *  - the build: its exit status (or the signal that killed it) and the
 *    first error line of its output ("error: could not compile ...");
 *  - btrace record around it (its own failure, exit 125: the trace
 *    directory could not be written, /tmp full...): not the build's;
 *  - the touch of --touch FILE, or the start of the command.
 * A built and traced build whose trace cannot be analyzed (a file cut
 * short by a full disk, a process still writing) still measured its wall
 * and CPU time: it is tried twice, and if it still fails the round has no
 * frontend CPU and its reason is kept (left out of the drift-scaled
 * saving, never counted as a failed build).
 *
 * Each build's output goes to a log of its own; exp_keep_log() moves a
 * failed build's log into the output directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "base/spawn.h"
#include "cli.h"
#include "cmd/experiment.h"

/* How long to wait before analyzing a trace again (a straggler writing
 * its last records, a disk briefly full). */
#define REANALYZE_DELAY_US 500000

/* The most of a log line a failure shows. */
#define LINE_SHOWN 180

char **exp_command_for(char **cmd, int n, const struct exp_config *c,
		       const char *target_dir)
{
	char **argv =
	    calloc((size_t)n + 2 * BT_OPTION_MAX_CONFIG + 8, sizeof(*argv));
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

const char *exp_fail_name(enum exp_fail k)
{
	static const char *const names[] = {"", "build", "record", "touch",
					    "linker"};
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* The line of LOG that says why a build failed, into OUT (CAP bytes):
 * the first line starting with PREFIX (NULL: the first "error" line of
 * cargo or rustc), else the last non-empty line that is not btrace
 * record's own ("btrace: trace of N processes..."); "" when there
 * is none. */
static void log_reason(const char *log, const char *prefix, char *out,
		       size_t cap)
{
	FILE *f = fopen(log, "r");
	char line[512];
	int found = 0;
	out[0] = '\0';
	if (!f)
		return;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");
		line[n] = '\0';
		found = prefix ? !strncmp(line, prefix, strlen(prefix))
			       : !strncmp(line, "error", 5);
		if (found ||
		    (n > 0 && (prefix || strncmp(line, "btrace: ", 8))))
			snprintf(out, cap, "%.*s", (int)cap - 1, line);
	}
	fclose(f);
}

/* When LOG says nothing (LINE is ""), a line saying so into LINE (CAP
 * bytes), and whether its file system is full: a /tmp without space
 * fails the build and takes its error message with it. */
static void empty_log(const char *log, char *line, size_t cap)
{
	struct statvfs sv;
	char dir[512], *slash;
	if (line[0])
		return;
	snprintf(dir, sizeof(dir), "%s", log);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (statvfs(slash ? dir : ".", &sv) == 0 &&
	    (double)sv.f_bavail * (double)sv.f_frsize < 1024.0 * 1024)
		snprintf(line, cap,
			 "its log is empty, and the file system of %.*s is "
			 "full (%.0f KiB free)",
			 (int)(cap / 2), slash ? dir : ".",
			 (double)sv.f_bavail * (double)sv.f_frsize / 1024);
	else
		snprintf(line, cap, "its log is empty");
}

/* Why a build that ended with wait status ST (-1: it could not start,
 * errno set) gave no measurement: its kind, and one line in WHY. */
static enum exp_fail failure_of(int st, int traced, const char *argv0,
				const char *log, char *why, size_t cap)
{
	char line[256];
	int code;
	if (st == -1) {
		snprintf(why, cap, "cannot run %s: %s", argv0, strerror(errno));
		return EXP_FAIL_BUILD;
	}
	if (WIFSIGNALED(st)) {
		log_reason(log, NULL, line, sizeof(line));
		empty_log(log, line, sizeof(line));
		snprintf(why, cap,
			 "the build was killed by signal %d (%s)%s%.*s",
			 WTERMSIG(st), strsignal(WTERMSIG(st)),
			 line[0] ? ": " : "", LINE_SHOWN, line);
		return EXP_FAIL_BUILD;
	}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (traced && code == BT_EXIT_RECORD_FAILED) {
		log_reason(log, "btrace", line, sizeof(line));
		empty_log(log, line, sizeof(line));
		snprintf(why, cap,
			 "btrace record failed (exit 125), not the "
			 "build: %.*s",
			 LINE_SHOWN, line[0] ? line : "no message");
		return EXP_FAIL_RECORD;
	}
	log_reason(log, NULL, line, sizeof(line));
	empty_log(log, line, sizeof(line));
	/* btrace record exits 128+N for a command killed by signal N */
	if (traced && code > 128 && code < 128 + NSIG)
		snprintf(why, cap,
			 "the build was killed by signal %d (%s)%s%.*s",
			 code - 128, strsignal(code - 128), line[0] ? ": " : "",
			 LINE_SHOWN, line);
	else
		snprintf(why, cap, "the build failed: exit status %d%s%.*s",
			 code, line[0] ? ": " : "", LINE_SHOWN, line);
	return EXP_FAIL_BUILD;
}

/* The frontend CPU of the trace in TRACE into *FRONT (NAN without
 * samples); tried twice.  Returns 0, or -1 with the analysis's own error
 * in WHY. */
static int frontend_of(const char *trace, double *front, char *why, size_t cap)
{
	struct bt_analyze_opts o = {.profile_only = 1};
	for (int attempt = 0; attempt < 2; attempt++) {
		struct bt_analysis a;
		if (attempt)
			usleep(REANALYZE_DELAY_US);
		if (bt_analyze(trace, &o, &a, why, cap) != BT_EXIT_OK)
			continue;
		*front =
		    a.have_profile ? a.profile.cpu_s[BT_CAT_FRONTEND] : NAN;
		bt_analysis_free(&a);
		why[0] = '\0';
		return 0;
	}
	return -1;
}

/* Sets FILE's modification time to now, as `touch` does. */
static int touch_file(const char *file, char *why, size_t cap)
{
	if (utimensat(AT_FDCWD, file, NULL, 0) < 0) {
		snprintf(why, cap, "cannot touch %s: %s", file,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int exp_build(const struct exp_run *x, const struct exp_config *c,
	      const char *target, struct exp_outcome *oc)
{
	char **argv = exp_command_for(x->cmd, x->n_cmd, c, target);
	char **traced =
	    argv && x->self ? bt_traced_argv(x->self, x->trace, argv) : NULL;
	int st, rc = -1;

	memset(oc, 0, sizeof(*oc));
	oc->wall = oc->cpu = oc->front = NAN;
	if (!argv || (x->self && !traced))
		goto out; /* out of memory */
	rc = 1;
	if (x->touch && touch_file(x->touch, oc->why, sizeof(oc->why)) < 0) {
		oc->kind = EXP_FAIL_TOUCH;
		goto out;
	}
	if (x->self)
		bt_rm_rf(x->trace);
	if (unlink(x->log) < 0 && errno != ENOENT) {
		snprintf(oc->why, sizeof(oc->why), "cannot reset %s: %s",
			 x->log, strerror(errno));
		oc->kind = EXP_FAIL_BUILD;
		goto out;
	}
	st = bt_run(x->self ? traced : argv, x->log, &oc->wall, &oc->cpu);
	if (st != 0) {
		oc->kind = failure_of(st, x->self != NULL, argv[0], x->log,
				      oc->why, sizeof(oc->why));
		goto out;
	}
	rc = 0;
	if (x->self && x->analyze &&
	    frontend_of(x->trace, &oc->front, oc->analysis,
			sizeof(oc->analysis)) < 0)
		oc->front = NAN;
out:
	free(traced);
	free(argv);
	return rc;
}

int exp_keep_log(const char *log, const char *dir, const char *name, int run,
		 int first, char *kept, size_t cap)
{
	char path[1024], buf[8192];
	int in, out, rc = -1;
	ssize_t n = 0;

	snprintf(kept, cap, "%s-run%d%s.log", name, run, first ? "-first" : "");
	snprintf(path, sizeof(path), "%s/%s", dir, kept);
	/* copied, not renamed: DIR is often on another file system */
	in = open(log, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (out >= 0 && n == 0)
		rc = 0;
	if (out >= 0 && close(out) < 0)
		rc = -1;
	close(in);
	return rc;
}
