/* experiment.h - what the files of `btrace experiment` share (cmd/):
 * experiment.c (options, the round loop, Ctrl-C), experiment_linker.c
 * (the linker check), experiment_json.c (experiment.json) and
 * experiment_table.c (the table, progress).  The statistics are
 * advice/measure.h's, the process spawning base/spawn.h's. */
#ifndef BTRACE_EXPERIMENT_H
#define BTRACE_EXPERIMENT_H

#include "advice/measure.h"
#include "advice/recommend.h"

/* One configuration measured: the baseline or an option. */
struct exp_config {
	const char *name; /* "baseline" or an option id */
	int option;	  /* -1 for the baseline */
	char overrides[BT_OPTION_MAX_CONFIG][256]; /* --config values */
	int n_overrides;
	const char *cargo_arg; /* one more argument for cargo, or NULL */
	struct bt_estimate estimate;
	struct bt_rounds rounds; /* its timed builds */
	int failed;
	char failure[256]; /* why, when not just a failing build */
	char target[288];  /* its private target dir (--touch) */
};

/* Checks that config C's build in TARGET linked with the linker it asks
 * for (options.def: the text its .comment section names): the
 * executables and shared objects in TARGET/PROFDIR/deps (the binaries,
 * tests, proc macros) must name it.  Returns 0 if they do or C is no
 * linker option, -1 with C->failure set if one names another linker or
 * none does. */
int exp_check_linker(struct exp_config *c, const char *target,
		     const char *profile);

/* Writes DIR/experiment.json: the command CMD (N_CMD words), the
 * configs CS[0..N_CS) (CS[0] the baseline) over RUNS rounds, SCALED
 * (frontend-scaled savings), TOUCH (the file --touch touched, or NULL),
 * the baseline's linker and RECS (the options not measured, with their
 * reasons).  Returns 0, or -1 with a message printed. */
int exp_write_json(const char *dir, char **cmd, int n_cmd,
		   const struct exp_config *cs, int n_cs, int runs, int scaled,
		   const char *touch, const char *base_linker,
		   const struct bt_recommendations *recs);

/* Prints the table of estimates and measurements on stdout. */
void exp_print_table(const struct exp_config *cs, int n_cs, int runs,
		     int scaled, const char *touch);

/* One line of progress on stderr (redrawn on a terminal, TTY): build
 * DONE + 1 of TOTAL, WHAT, round RUN of RUNS (0 RUNS: an untimed build),
 * the time since T0 and PER_BUILD seconds for each build left. */
void exp_progress(int tty, int done, int total, const char *what, int run,
		  int runs, double t0, double per_build);

#endif
