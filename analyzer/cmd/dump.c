/* dump.c - btrace dump [DIR]: check every trace file and list the
 * processes, one line each, then a line of counts.
 *
 * Exit status: 0 if every file is whole, 1 if some records are missing or
 * a process has no end, 2 if there is no usable trace at all. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cli.h"
#include "model/trace_reader.h"

/* On a terminal, lines are cut to its width unless --wide. */
static int line_cap;
static int line_len;

static void out_c(char c)
{
	if (c == '\n') {
		line_len = 0;
		putchar(c);
		return;
	}
	if (line_cap && line_len >= line_cap)
		return;
	if (line_cap && line_len == line_cap - 1 && c != 0) {
		putchar('>'); /* the mark of a cut line */
		line_len++;
		return;
	}
	putchar(c);
	line_len++;
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *p = buf; *p; p++)
		out_c(*p);
}

static void print_argv(const char *const *argv, uint32_t n, int cut)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *a = argv[i];
		int quote = !*a || strpbrk(a, " \t\"'\\$") != NULL;
		out_c(' ');
		if (quote) {
			out_c('\'');
			for (; *a; a++) {
				if (*a == '\'')
					out("'\\''");
				else
					out_c(*a);
			}
			out_c('\'');
		} else {
			for (; *a; a++)
				out_c(*a);
		}
	}
	if (cut)
		out(" [argv cut]");
}

static void print_proc(const struct bt_trace *t, const struct bt_proc *p)
{
	const struct bt_image *last = bt_proc_last(p);
	double start = (double)(p->start_ns - t->t0_ns) / 1e9;
	char dur[32], status[32];

	if (p->end_known)
		snprintf(dur, sizeof(dur), "%9.3fs",
			 (double)(p->end_ns - p->start_ns) / 1e9);
	else
		snprintf(dur, sizeof(dur), "%10s", "no-end");
	if (p->signal)
		snprintf(status, sizeof(status), "sig%d", p->signal);
	else if (p->exit_code >= 0)
		snprintf(status, sizeof(status), "%d", p->exit_code);
	else
		snprintf(status, sizeof(status), "?");
	out("%7u %7u %9.3fs %s %5s %7.3fs  %s ", p->pid, p->ppid, start, dur,
	    status, (double)p->cpu_us / 1e6, last->exe);
	print_argv(last->argv, last->start.argc_kept,
		   last->start.flags & BT_START_ARGV_TRUNCATED);
	if (last->start.flags & BT_START_FORKED)
		out(" [fork]");
	if (p->untraced)
		out(" [untraced%s]", p->start_unknown ? ", start unknown" : "");
	{
		uint64_t dropped = 0;
		for (size_t k = 0; k < p->n_images; k++)
			dropped += p->images[k]->dropped_records;
		if (dropped)
			out(" [%llu records dropped]",
			    (unsigned long long)dropped);
	}
	{
		size_t n = 0, complete = 0, truncated = 0, threads = 0;
		double period = 0;
		uint64_t weight = 0;
		for (size_t k = 0; k < p->n_images; k++) {
			const struct bt_image *im = p->images[k];
			n += im->n_samples;
			weight += im->sample_weight;
			if (im->has_sampling)
				period = (double)im->sampling.period_ns / 1e9;
			complete += p->images[k]->n_samples_complete;
			truncated += p->images[k]->n_samples_truncated;
			threads += p->images[k]->n_threads;
		}
		if (n)
			out(" [%zu samples = %.3fs CPU, %.1f%% to root, %.1f%% "
			    "truncated, %zu threads]",
			    n, (double)weight * period,
			    100.0 * (double)complete / (double)n,
			    100.0 * (double)truncated / (double)n, threads);
	}
	out("\n");
	/* An exec chain: the images this process was before. */
	for (size_t k = 0; k + 1 < p->n_images; k++) {
		const struct bt_image *img = p->images[k];
		out("%7s %7s %10s %10s %5s %8s  exec'd from %s ", "", "", "",
		    "", "", "", img->exe);
		print_argv(img->argv, img->start.argc_kept,
			   img->start.flags & BT_START_ARGV_TRUNCATED);
		out("\n");
	}
}

static const struct option options[] = {
    {"wide", no_argument, NULL, 'w'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btrace dump [-w|--wide] [TRACE_DIR]\n"
		"\n"
		"Checks every file of the trace (default ./btrace.data/latest) "
		"and lists\n"
		"its processes, one line each.\n"
		"  -w, --wide     do not cut lines to the terminal's width\n");
}

int cmd_dump(int argc, char **argv)
{
	struct bt_trace t;
	char err[1024];
	char *dir;
	int rc;

	struct winsize ws;
	const char *arg = NULL;
	int wide = 0;

	for (;;) {
		int c = getopt_long(argc, argv, ":wh", options, NULL);
		if (c == -1)
			break;
		if (c == 'w') {
			wide = 1;
		} else if (c == 'h') {
			usage(stdout);
			return BT_EXIT_OK;
		} else {
			bt_cli_bad_option("dump", c, argv);
			return BT_EXIT_BAD_INPUT;
		}
	}
	if (bt_cli_trace_arg("dump", argc, argv, optind, &arg) < 0)
		return BT_EXIT_BAD_INPUT;
	if (!wide && isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 40)
		line_cap = ws.ws_col;
	if (arg) {
		dir = strdup(arg);
	} else {
		dir = bt_default_trace_dir();
		if (!dir) {
			fprintf(stderr,
				"btrace dump: no trace at ./btrace.data/latest "
				"(record one with btrace record -- CMD)\n");
			return BT_EXIT_BAD_INPUT;
		}
	}
	if (bt_trace_load(dir, &t, err, sizeof(err)) < 0) {
		int rc = bt_exit_for_errno(BT_EXIT_BAD_INPUT);
		fprintf(stderr, "btrace dump: %s\n", err);
		free(dir);
		return rc;
	}
	if (t.has_session) {
		out("# session %s, btrace %s, command:", dir, t.btrace_version);
		print_argv(t.command, t.session.argc, 0);
		out("\n");
	}
	out("%7s %7s %10s %10s %5s %8s  %s\n", "PID", "PPID", "START",
	    "DURATION", "EXIT", "CPU", "EXE ARGV");
	for (size_t i = 0; i < t.n_procs; i++)
		print_proc(&t, &t.procs[i]);
	for (size_t i = 0; i < t.n_warnings; i++)
		fprintf(stderr, "btrace dump: warning: %s\n", t.warnings[i]);
	{
		size_t samples = 0;
		uint64_t dropped = 0;
		for (size_t i = 0; i < t.n_images; i++) {
			samples += t.images[i].n_samples;
			dropped += t.images[i].dropped_records;
		}
		/* Records the recorder could not write (full disk, no free
		 * descriptor): said, never silently missing. */
		if (dropped)
			printf("# %llu records dropped by the recorder\n",
			       (unsigned long long)dropped);
		printf("%zu processes, %zu images, %zu records, %zu samples, "
		       "%zu problems\n",
		       t.n_procs, t.n_images, t.n_records, samples,
		       t.n_problems);
	}
	rc = t.n_problems ? 1 : 0;
	bt_trace_free(&t);
	free(dir);
	return rc;
}
