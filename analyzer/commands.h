/* commands.h - the btrace subcommands.  Each returns the process exit
 * status; only main() exits. */
#ifndef BTRACE_COMMANDS_H
#define BTRACE_COMMANDS_H

/* Exit status for unusable input (missing, empty, garbage, too new). */
#define BT_EXIT_BAD_INPUT 2

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_experiment(int argc, char **argv);

#endif
