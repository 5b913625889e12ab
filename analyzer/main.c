/* main.c - the btrace command: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: btrace <command> [args]\n"
		"\n"
		"  record [-o DIR] -- CMD ARGS...  run CMD with every process traced\n"
		"  report [-o OUT] [DIR]           the build: summary, slowest units,\n"
		"                                  settings, where the CPU went, a\n"
		"                                  flame graph, a Chrome trace, and\n"
		"                                  what to change in Cargo.toml\n"
		"  experiment [--runs N] [--only ID] -- CARGO_COMMAND\n"
		"                                  measure the recommendations: clean\n"
		"                                  builds with and without each one\n"
		"  dump [DIR]                      list the processes of a trace and\n"
		"                                  check every file\n"
		"\n"
		"DIR defaults to ./btrace.data/latest.  Without btrace record,\n"
		"LD_PRELOAD=libbtrace.so CMD records the same trace.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return BT_EXIT_BAD_INPUT;
	}
	if (!strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "experiment"))
		return cmd_experiment(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("btrace %s\n", BTRACE_VERSION);
		return 0;
	}
	fprintf(stderr, "btrace: unknown command '%s' (try btrace --help)\n",
		argv[1]);
	return BT_EXIT_BAD_INPUT;
}
