/* report.c - btrace report [TRACE_DIR] [-o OUT_DIR]: analyze a trace
 * (bt_analyze) and hand the report (struct bt_report) to every output
 * writer.
 *
 * Outputs go to TRACE_DIR/report/ (0700, files 0600: argv and paths can be
 * private) unless -o says otherwise; summary.txt is also printed.  Gaps
 * (a killed build, a cut-off file) are warnings on stderr and marks in
 * every output, and the exit status stays 0: the report was written.
 * Exit 2 when there is no usable trace, 1 when an output cannot be
 * written, 3 when out of memory (enum bt_exit). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "base/progress.h"
#include "cli.h"
#include "cmd/out_file.h"
#include "history/record.h"
#include "output/writer.h"

static const struct bt_report_writer *const writers[] = {
    &bt_writer_summary_text, &bt_writer_summary_json,  &bt_writer_chrome_trace,
    &bt_writer_flame_svg,    &bt_writer_stacks_folded, &bt_writer_report_html,
};

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"group", required_argument, NULL, 'g'},
    {"quiet", no_argument, NULL, 'q'},
    {"db", required_argument, NULL, 'D'},
    {"no-history", no_argument, NULL, 'N'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const groups[] = {"crate", "category", NULL};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: btrace report [-q] [-o OUT_DIR] [--group crate|category] "
	    "[TRACE_DIR]\n"
	    "\n"
	    "TRACE_DIR defaults to ./btrace.data/latest, OUT_DIR to "
	    "TRACE_DIR/report.  Writes:\n");
	for (size_t i = 0; i < sizeof(writers) / sizeof(*writers); i++)
		fprintf(f, "  %-14s %s\n", writers[i]->file, writers[i]->what);
	fprintf(f,
		"  -o, --output D write them into D\n"
		"  -q, --quiet    do not print summary.txt, nor progress on a "
		"terminal\n"
		"  --group G      the flame graph's first level: crate "
		"(default) or category\n"
		"  --db DB        store the build in DB's history (default: "
		"$BTRACE_DB, else\n"
		"                 $XDG_DATA_HOME/btrace/history.db)\n"
		"  --no-history   do not store it (or BTRACE_HISTORY=0)\n");
}

/* One writer's file: bt_out_write's callback. */
struct report_file {
	const struct bt_report_writer *w;
	const struct bt_report *r;
};

static int write_report_file(void *ctx, FILE *f)
{
	const struct report_file *o = ctx;
	return o->w->write(o->r, f);
}

/* BTRACE_DEBUG: how long each phase took, on stderr. */
static void phase(const char *what)
{
	static struct timespec last;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what && getenv("BTRACE_DEBUG"))
		fprintf(stderr, "btrace report: %-10s %.3f s\n", what,
			(double)(now.tv_sec - last.tv_sec) +
			    (double)(now.tv_nsec - last.tv_nsec) / 1e9);
	last = now;
}

int cmd_report(int argc, char **argv)
{
	const char *trace_arg = NULL, *out_arg = NULL, *db = NULL;
	char err[1024], *dir = NULL, *out_dir = NULL;
	struct bt_analysis a;
	struct bt_analyze_opts opts = {.phase = phase};
	struct bt_progress_line line;
	struct bt_progress_cb progress;
	int quiet = 0, rc = 0, history = bt_history_wanted(1);

	for (;;) {
		int c = getopt_long(argc, argv, ":o:qh", options, NULL);
		if (c == -1)
			break;
		if (c == 'o') {
			out_arg = optarg;
		} else if (c == 'g') {
			int g =
			    bt_cli_choice("report", "--group", optarg, groups);
			if (g < 0)
				return BT_EXIT_BAD_INPUT;
			opts.flame_by_category = g == 1;
		} else if (c == 'q') {
			quiet = 1;
		} else if (c == 'D' || c == 'N') {
			db = c == 'D' ? optarg : db;
			history = c == 'D';
		} else if (c == 'h') {
			usage(stdout);
			return BT_EXIT_OK;
		} else {
			bt_cli_bad_option("report", c, argv);
			return BT_EXIT_BAD_INPUT;
		}
	}
	if (bt_cli_trace_arg("report", argc, argv, optind, &trace_arg) < 0)
		return BT_EXIT_BAD_INPUT;
	dir = trace_arg ? strdup(trace_arg) : bt_default_trace_dir();
	if (!dir) {
		fprintf(stderr, "btrace report: no trace at "
				"./btrace.data/latest (record one with "
				"btrace record -- cargo build)\n");
		return BT_EXIT_BAD_INPUT;
	}
	phase(NULL);
	/* on a terminal, unless -q: phases and percent on stderr */
	bt_progress_init(&line, "report", !quiet, &progress);
	opts.progress = &progress;
	rc = bt_analyze(dir, &opts, &a, err, sizeof(err));
	bt_progress_clear(&line);
	if (rc != BT_EXIT_OK) {
		fprintf(stderr, "btrace report: %s\n", err);
		free(dir);
		return rc;
	}
	out_dir = bt_out_dir("report", out_arg, dir, "report");
	if (!out_dir) {
		rc = BT_EXIT_PROBLEM;
		goto out;
	}
	for (size_t i = 0; i < sizeof(writers) / sizeof(*writers); i++) {
		struct report_file o = {writers[i], &a.report};
		bt_progress(&progress, "writing the report", i,
			    sizeof(writers) / sizeof(*writers));
		if (bt_out_write("report", out_dir, writers[i]->file,
				 write_report_file, &o) < 0)
			rc = errno == ENOMEM ? BT_EXIT_NOMEM : BT_EXIT_PROBLEM;
		phase(writers[i]->file);
	}
	bt_progress_clear(&line);
	if (!quiet)
		bt_writer_summary_text.write(&a.report, stdout);
	fflush(stdout);
	for (size_t i = 0; i < a.build.n_warnings; i++)
		fprintf(stderr, "btrace report: warning: %s\n",
			a.build.warnings[i]);
	if (rc == 0)
		fprintf(stderr, "btrace report: wrote %s/{", out_dir);
	for (size_t i = 0; rc == 0 && i < sizeof(writers) / sizeof(*writers);
	     i++)
		fprintf(stderr, "%s%s", i ? "," : "", writers[i]->file);
	if (rc == 0)
		fprintf(stderr, "}\n");
	if (a.have_profile) {
		for (size_t i = 0; i < a.profile.n_warnings; i++)
			fprintf(stderr, "btrace report: warning: %s\n",
				a.profile.warnings[i]);
		for (size_t i = 0; i < a.profile.n_notes; i++)
			fprintf(stderr, "btrace report: note: %s\n",
				a.profile.notes[i]);
	}
	if (history) /* a failure is a warning: the report stands */
		bt_history_store("report", &a, db);
	/* Last, where a newcomer looks: the one file to open. */
	if (rc == 0)
		fprintf(stderr, "btrace report: open %s/%s\n", out_dir,
			bt_writer_report_html.file);
out:
	phase(NULL);
	bt_analysis_free(&a);
	free(out_dir);
	free(dir);
	phase("free");
	return rc;
}
