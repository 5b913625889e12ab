/* diff.c - btrace diff [options] BASE NEW
 *          btrace diff [options] A1 A2 A3 -- B1 B2 B3
 *
 * Compares two builds, or two sets of builds of the same workspace so
 * that a change can be told from noise: each trace is analysed
 * (analyze.h), the two sides compared (compare/compare.h), the summary
 * printed on stdout in the format asked for, and diff.svg, base.folded
 * and new.folded written into OUT_DIR (default NEW/diff, NEW the first
 * trace of the new side; 0700, files 0600).
 *
 * Exit 0; 3 (BT_EXIT_REGRESSED) when --fail-above PCT is given and the
 * build's CPU or wall grew by more than PCT percent beyond the noise (the
 * issue fixes 3, as for `history --check`); 2 for bad usage or a trace
 * that cannot be read; 1 when an output cannot be written; 4 when out of
 * memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "cmd/out_file.h"
#include "compare/compare.h"
#include "output/diff_writer.h"

#define MAX_BUILDS 32 /* per side */

static const struct bt_diff_writer *const formats[] = {
    &bt_diff_writer_text,
    &bt_diff_writer_json,
    &bt_diff_writer_markdown,
};
static const char *const format_names[] = {"text", "json", "markdown", NULL};

static const struct bt_diff_writer *const files[] = {
    &bt_diff_writer_svg,
    &bt_diff_writer_folded_base,
    &bt_diff_writer_folded_new,
};

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"fail-above", required_argument, NULL, 'F'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btrace diff [-o OUT_DIR] [--format text|json|markdown] "
		"[--fail-above PCT]\n"
		"                   BASE NEW | A1 A2 ... -- B1 B2 ...\n"
		"\n"
		"Compares two traced builds, or two sets (several builds a "
		"side tell a change\n"
		"from noise): the build's wall and CPU, each category, the "
		"settings that\n"
		"changed, and every unit by largest change, printed on "
		"stdout.  Writes into\n"
		"OUT_DIR (default NEW/diff, NEW the first new trace):\n");
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++)
		fprintf(f, "  %-14s %s\n", files[i]->file, files[i]->what);
	fprintf(f,
		"  -o, --output D     write them into D\n"
		"  --format F         stdout's format: text (default), json, "
		"markdown\n"
		"  --fail-above PCT   exit 3 when the build's CPU or wall grew "
		"by more than PCT%%\n"
		"                     beyond the noise (with one build a side: "
		"by more than PCT%%)\n");
}

/* One writer's file: bt_out_write's callback. */
struct diff_file {
	const struct bt_diff_writer *w;
	const struct bt_comparison *c;
};

static int write_diff_file(void *ctx, FILE *f)
{
	const struct diff_file *o = ctx;
	return o->w->write(o->c, f);
}

static int parse_pct(const char *s, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0) || v > 1e6) {
		fprintf(stderr,
			"btrace diff: --fail-above: \"%s\" is not a "
			"percentage (a number from 0)\n",
			s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Analyses the N traces of DIRS into A (pointers to allocated analyses).
 * Returns BT_EXIT_OK, or another exit status after one line on stderr;
 * what was made stays in A for the caller to free. */
static int analyse(char **dirs, size_t n, struct bt_analysis **a)
{
	struct bt_analyze_opts opts = {.profile_only = 1};
	char err[1024];

	for (size_t i = 0; i < n; i++) {
		int rc;
		a[i] = malloc(sizeof(*a[i]));
		if (!a[i]) {
			fprintf(stderr, "btrace diff: out of memory\n");
			return BT_EXIT_NOMEM;
		}
		rc = bt_analyze(dirs[i], &opts, a[i], err, sizeof(err));
		if (rc != BT_EXIT_OK) {
			free(a[i]);
			a[i] = NULL;
			fprintf(stderr, "btrace diff: %s: %s\n", dirs[i], err);
			return rc;
		}
	}
	return BT_EXIT_OK;
}

/* Whether wall or CPU grew past PCT beyond the noise: one line on
 * stderr for each. */
static int regressed(const struct bt_comparison *c, double pct)
{
	static const int qs[] = {BT_Q_CPU, BT_Q_WALL};
	int bad = 0;

	for (size_t i = 0; i < 2; i++) {
		const struct bt_change *ch = &c->build[qs[i]];
		double g = bt_change_growth_pct(ch);
		if (g > pct) {
			fprintf(stderr,
				"btrace diff: the build's %s grew %.1f%% "
				"(%+.2fs)%s, past --fail-above %g%%\n",
				bt_quantity_name(qs[i]), g, ch->delta,
				ch->signif == BT_SIGNIF_UNKNOWN
				    ? " (one build a side: noise unknown)"
				    : " beyond the noise",
				pct);
			bad = 1;
		}
	}
	return bad;
}

int cmd_diff(int argc, char **argv)
{
	/* The user's "--", as an argument getopt_long leaves in place. */
	static char split_mark[] = "\x1f--";
	char **av = NULL, *out_dir = NULL;
	const char *out_arg = NULL;
	const struct bt_diff_writer *format = formats[0];
	struct bt_analysis *a[2 * MAX_BUILDS] = {0};
	struct bt_comparison c;
	int have_c = 0, rc = BT_EXIT_BAD_INPUT, fail = 0;
	double fail_pct = 0;
	size_t n_args, nb = 0, nn = 0, split = (size_t)-1;
	char **args;

	/* getopt_long stops at a "--"; the side's separator is kept as an
	 * argument by giving it an address of our own. */
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!av) {
		fprintf(stderr, "btrace diff: out of memory\n");
		return BT_EXIT_NOMEM;
	}
	for (int i = 0; i < argc; i++)
		av[i] = i && split == (size_t)-1 && !strcmp(argv[i], "--")
			    ? (split = 0, split_mark)
			    : argv[i];
	for (;;) {
		int ch = getopt_long(argc, av, ":o:h", options, NULL);
		if (ch == -1)
			break;
		if (ch == 'o') {
			out_arg = optarg;
		} else if (ch == 'f') {
			int fi = bt_cli_choice("diff", "--format", optarg,
					       format_names);
			if (fi < 0)
				goto out;
			format = formats[fi];
		} else if (ch == 'F') {
			if (parse_pct(optarg, &fail_pct) < 0)
				goto out;
			fail = 1;
		} else if (ch == 'h') {
			usage(stdout);
			rc = BT_EXIT_OK;
			goto out;
		} else {
			bt_cli_bad_option("diff", ch, av);
			goto out;
		}
	}
	args = av + optind;
	n_args = (size_t)(argc - optind);
	split = (size_t)-1;
	for (size_t i = 0; i < n_args; i++)
		if (args[i] == split_mark)
			split = i;
	if (split == (size_t)-1) {
		if (n_args != 2) {
			fprintf(stderr,
				"btrace diff: give BASE NEW, or A1 A2 ... -- "
				"B1 B2 ... (try btrace diff --help)\n");
			goto out;
		}
		nb = nn = 1;
		split = 1;
		n_args = 2;
	} else {
		nb = split;
		nn = n_args - split - 1;
		if (!nb || !nn) {
			fprintf(stderr, "btrace diff: each side of '--' needs "
					"a trace directory\n");
			goto out;
		}
		memmove(&args[split], &args[split + 1], (nn) * sizeof(*args));
	}
	if (nb > MAX_BUILDS || nn > MAX_BUILDS) {
		fprintf(stderr,
			"btrace diff: at most %d builds a side, not %zu\n",
			MAX_BUILDS, nb > nn ? nb : nn);
		goto out;
	}
	rc = analyse(args, nb + nn, a);
	if (rc != BT_EXIT_OK)
		goto out;
	if (bt_compare(a, nb, a + nb, nn, &c) < 0) {
		fprintf(stderr, "btrace diff: out of memory\n");
		rc = BT_EXIT_NOMEM;
		goto out;
	}
	have_c = 1;
	for (size_t i = 0; i < nb + nn; i++) {
		bt_analysis_free(a[i]);
		free(a[i]);
		a[i] = NULL;
	}
	if (format->write(&c, stdout) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "btrace diff: cannot write the summary: %s\n",
			strerror(errno ? errno : ENOMEM));
		rc = BT_EXIT_PROBLEM;
		goto out;
	}
	out_dir = bt_out_dir("diff", out_arg, args[nb], "diff");
	if (!out_dir) {
		rc = BT_EXIT_PROBLEM;
		goto out;
	}
	rc = BT_EXIT_OK;
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct diff_file o = {files[i], &c};
		if (bt_out_write("diff", out_dir, files[i]->file,
				 write_diff_file, &o) < 0)
			rc = BT_EXIT_PROBLEM;
	}
	if (rc == BT_EXIT_OK) {
		fprintf(stderr, "btrace diff: wrote %s/{", out_dir);
		for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++)
			fprintf(stderr, "%s%s", i ? "," : "", files[i]->file);
		fprintf(stderr, "}\n");
	}
	if (rc == BT_EXIT_OK && fail && regressed(&c, fail_pct))
		rc = BT_EXIT_REGRESSED;
out:
	for (size_t i = 0; i < 2 * MAX_BUILDS; i++)
		if (a[i]) {
			bt_analysis_free(a[i]);
			free(a[i]);
		}
	if (have_c)
		bt_comparison_free(&c);
	free(out_dir);
	free(av);
	return rc;
}
