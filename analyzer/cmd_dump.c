/* cmd_dump.c - btrace dump [DIR]: check every trace file and list the
 * processes, one line each, then a line of counts.
 *
 * Exit status: 0 if every file is whole, 1 if some records are missing or
 * a process has no end, 2 if there is no usable trace at all. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "trace_reader.h"

static void print_argv(const char *const *argv, uint32_t n, int cut)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *a = argv[i];
		int quote = !*a || strpbrk(a, " \t\"'\\$") != NULL;
		printf(" ");
		if (quote) {
			putchar('\'');
			for (; *a; a++) {
				if (*a == '\'')
					fputs("'\\''", stdout);
				else
					putchar(*a);
			}
			putchar('\'');
		} else {
			fputs(a, stdout);
		}
	}
	if (cut)
		printf(" [argv cut]");
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
	printf("%7u %7u %9.3fs %s %5s %7.3fs  %s ", p->pid, p->ppid, start,
	       dur, status, (double)p->cpu_us / 1e6, last->exe);
	print_argv(last->argv, last->start.argc_kept,
		   last->start.flags & BT_START_ARGV_TRUNCATED);
	if (last->start.flags & BT_START_FORKED)
		printf(" [fork]");
	printf("\n");
	/* An exec chain: the images this process was before. */
	for (size_t k = 0; k + 1 < p->n_images; k++) {
		const struct bt_image *img = p->images[k];
		printf("%7s %7s %10s %10s %5s %8s  exec'd from %s ", "", "", "",
		       "", "", "", img->exe);
		print_argv(img->argv, img->start.argc_kept,
			   img->start.flags & BT_START_ARGV_TRUNCATED);
		printf("\n");
	}
}

int cmd_dump(int argc, char **argv)
{
	struct bt_trace t;
	char err[1024];
	char *dir;
	int rc;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: btrace dump [TRACE_DIR]\n");
		return BT_EXIT_BAD_INPUT;
	}
	if (argc == 2) {
		dir = strdup(argv[1]);
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
		fprintf(stderr, "btrace dump: %s\n", err);
		free(dir);
		return BT_EXIT_BAD_INPUT;
	}
	if (t.has_session) {
		printf("# session %s, btrace %s, command:", dir,
		       t.btrace_version);
		print_argv(t.command, t.session.argc, 0);
		printf("\n");
	}
	printf("%7s %7s %10s %10s %5s %8s  %s\n", "PID", "PPID", "START",
	       "DURATION", "EXIT", "CPU", "EXE ARGV");
	for (size_t i = 0; i < t.n_procs; i++)
		print_proc(&t, &t.procs[i]);
	for (size_t i = 0; i < t.n_warnings; i++)
		fprintf(stderr, "btrace dump: warning: %s\n", t.warnings[i]);
	printf("%zu processes, %zu images, %zu records, %zu problems\n",
	       t.n_procs, t.n_images, t.n_records, t.n_problems);
	rc = t.n_problems ? 1 : 0;
	bt_trace_free(&t);
	free(dir);
	return rc;
}
