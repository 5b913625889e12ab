/* cli.h - what the btrace commands share: the exit codes, the one-line
 * errors for options and their values.  Each command parses its options
 * with getopt_long and returns its exit status; only main() exits. */
#ifndef BTRACE_CLI_H
#define BTRACE_CLI_H

/* The exit codes of every command (README "Exit codes"). */
enum bt_exit {
	BT_EXIT_OK = 0,
	/* The command ran but found a problem (a damaged trace for dump, a
	 * report output that could not be written, a failed baseline). */
	BT_EXIT_PROBLEM = 1,
	/* Usage: unknown command or option, bad value; or unusable input
	 * (a trace missing, empty, garbage, too new). */
	BT_EXIT_BAD_INPUT = 2,
	/* A regression found: diff --fail-above PCT (the build grew past
	 * PCT beyond the noise), history --check (a unit regressed).  Issue
	 * 16 fixes the value 3. */
	BT_EXIT_REGRESSED = 3,
	/* Out of memory, whichever command and stage: a code of its own, so
	 * that CI never takes it for a regression. */
	BT_EXIT_NOMEM = 4,
	/* record: its own failure (trace directory, libbtrace.so, fork), as
	 * env, nice and timeout do; the command's own status otherwise. */
	BT_EXIT_RECORD_FAILED = 125,
	BT_EXIT_CANNOT_EXECUTE = 126, /* record: the command cannot run */
	BT_EXIT_NOT_FOUND = 127,      /* record: the command is not found */
	BT_EXIT_INTERRUPTED = 130,    /* experiment: Ctrl-C, after cleanup */
};

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_experiment(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_history(int argc, char **argv);

/* After getopt_long returned '?' or ':' (the optstring starts with ':' or
 * "+:"): prints "btrace CMD: unknown option '-x'" or "btrace CMD: option
 * '--x' needs a value" on stderr, one line.  ARGV is the command's. */
void bt_cli_bad_option(const char *cmd, int c, char **argv);

/* The optional trace directory that follows a command's options: ARGV
 * after getopt_long, FIRST the index of the first operand (optind).
 * Returns 0 with *DIR set (NULL when none was given), or -1 after
 * "btrace CMD: one trace directory at most, not 'X' too" on stderr. */
int bt_cli_trace_arg(const char *cmd, int argc, char **argv, int first,
		     const char **dir);

/* S as a whole number from LO to HI into *OUT: 0, or -1 after printing
 * "btrace CMD: OPT: "S" is not a number from LO to HI" on stderr. */
int bt_cli_uint(const char *cmd, const char *opt, const char *s, long lo,
		long hi, long *out);

/* S as one of the NULL-terminated WORDS: its index, or -1 after printing
 * "btrace CMD: OPT: "S" is not one of A, B, C" on stderr. */
int bt_cli_choice(const char *cmd, const char *opt, const char *s,
		  const char *const *words);

#endif
