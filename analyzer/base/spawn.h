/* spawn.h - running other programs: the build commands of `btrace
 * experiment`, the traced command of `btrace record`; and the small
 * process helpers around them (PATH look-up, removing a directory tree,
 * the `btrace record` wrapper of a command).
 *
 * Not thread-safe: bt_run() keeps the build it waits for in a static,
 * for bt_run_interrupt(). */
#ifndef BTRACE_SPAWN_H
#define BTRACE_SPAWN_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

/* How bt_spawn() starts a program. */
struct bt_spawn_opts {
	/* stdout and stderr appended to this file (created 0600), stdin
	 * from /dev/null; NULL: all three inherited */
	const char *log;
	/* in a process group of its own (bt_run_interrupt() ends all of
	 * it; a terminal's ^C does not reach it) */
	int own_group;
	/* signals reset to SIG_DFL in the child (ones this process
	 * ignores), or NULL */
	const sigset_t *sig_default;
};

/* Starts ARGV[0], looked up on PATH (fork and execvp), with the
 * environment of this process; a file of no executable format runs as a
 * shell script (/bin/sh FILE ARGS), as execvp() does.  Returns 0 with
 * *PID, or the errno value of why it could not (ENOENT: not found,
 * EACCES: not executable...). */
int bt_spawn(char *const *argv, const struct bt_spawn_opts *o, pid_t *pid);

/* Waits for PID (again after EINTR).  Returns 0 with its wait status in
 * *STATUS and its rusage in *RU, or -1 with errno. */
int bt_wait(pid_t pid, int *status, struct rusage *ru);

/* How long bt_run() waits for the descendants a build left running. */
#define BT_STRAGGLER_WAIT_S 30

/* Reaps the descendants a command left running (they come to this
 * process when it is a child subreaper, PR_SET_CHILD_SUBREAPER) until
 * none is left, WAIT_S seconds have passed, or bt_run_interrupt() ran;
 * adds their CPU seconds to *CPU unless CPU is NULL.  Returns how many it
 * reaped, or -1 if some still run. */
int bt_reap_stragglers(double wait_s, double *cpu);

/* Runs ARGV in its own process group with stdout/stderr to LOG; returns
 * its wait status (or -1 with errno if it could not start), and its wall
 * and CPU seconds.
 *
 * The wall time ends when ARGV exits.  The CPU time is that of ARGV and
 * every descendant: the ones it waited for (its rusage) and the ones it
 * left running, which this process, when it is a child subreaper
 * (PR_SET_CHILD_SUBREAPER), inherits and waits for, up to
 * BT_STRAGGLER_WAIT_S.  mold is one: by default (--fork) it links in a
 * child and returns as soon as the output is written, leaving the child
 * to tear down; that child's CPU was missing from the measurement (mold
 * on a cli-app rebuild "saved" 48% of the CPU). */
int bt_run(char *const *argv, const char *log, double *wall, double *cpu);

/* For a signal handler: ends the build bt_run() waits for (SIGTERM to
 * its process group), and makes bt_run() stop waiting for stragglers.
 * Async-signal-safe. */
void bt_run_interrupt(void);

/* Seconds on the monotonic clock. */
double bt_now_s(void);

/* Removes PATH and everything under it, as far as it can (rm -rf; no
 * symbolic link is followed). */
void bt_rm_rf(const char *path);

/* Whether an executable PROG is on PATH. */
int bt_on_path(const char *prog);

/* ARGV (NULL-terminated) run under `SELF record -o TRACE --`, SELF being
 * this btrace: a new array the caller frees (its strings are ARGV's), or
 * NULL when out of memory. */
char **bt_traced_argv(const char *self, const char *trace, char *const *argv);

#endif
