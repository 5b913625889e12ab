/* main.c - the btrace command: a table of commands, one file per command
 * in cmd/; the exit codes are enum bt_exit (cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

struct bt_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct bt_command commands[] = {
    {"record", cmd_record, "run a command with every process traced"},
    {"report", cmd_report,
     "where the build's time went, and what to change in Cargo.toml"},
    {"experiment", cmd_experiment,
     "measure the recommendations with clean builds"},
    {"diff", cmd_diff, "what changed between two builds, or two sets"},
    {"dump", cmd_dump, "list the processes of a trace and check every file"},
    {"history", cmd_history, "the builds stored so far, trends, regressions"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(*commands))

static void usage(FILE *f)
{
	fprintf(f, "usage: btrace <command> [options] [args]\n\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n"
		   "btrace <command> --help describes the command's options.\n"
		   "The trace directory defaults to ./btrace.data/latest.  "
		   "Without btrace\n"
		   "record, LD_PRELOAD=libbtrace.so CMD records the same "
		   "trace.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return BT_EXIT_BAD_INPUT;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return BT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("btrace %s\n", BTRACE_VERSION);
		return BT_EXIT_OK;
	}
	fprintf(stderr, "btrace: unknown command '%s' (try btrace --help)\n",
		argv[1]);
	return BT_EXIT_BAD_INPUT;
}
