/* experiment.h - what the files of `btrace experiment` share (cmd/):
 * experiment.c (options, the round loop, Ctrl-C), experiment_run.c (one
 * build and what failed), experiment_linker.c (the linker check),
 * experiment_json.c (experiment.json) and experiment_table.c (the table,
 * progress).  The statistics are
 * advice/measure.h's, the process spawning base/spawn.h's. */
#ifndef BTRACE_EXPERIMENT_H
#define BTRACE_EXPERIMENT_H

#include "advice/measure.h"
#include "advice/recommend.h"

/* What made a config's build give no measurement (exp_fail_name(): its
 * name in experiment.json's failure_kind). */
enum exp_fail {
	EXP_FAIL_NONE,
	EXP_FAIL_BUILD,	 /* the build: its exit status or signal */
	EXP_FAIL_RECORD, /* btrace record around it (exit 125) */
	EXP_FAIL_TOUCH,	 /* --touch FILE could not be touched */
	EXP_FAIL_LINKER, /* it did not link with its linker (.comment) */
};
const char *exp_fail_name(enum exp_fail k);

/* One configuration measured: the baseline or an option. */
struct exp_config {
	const char *name; /* "baseline" or an option id */
	int option;	  /* -1 for the baseline */
	char overrides[BT_OPTION_MAX_CONFIG][256]; /* --config values */
	int n_overrides;
	const char *cargo_arg; /* one more argument for cargo, or NULL */
	struct bt_estimate estimate;
	struct bt_rounds rounds; /* its timed builds (NAN: not measured) */
	int failed;		 /* no measurement: FAILURE says why */
	enum exp_fail fail_kind;
	char failure[384];
	/* RETRIED[R]: round R's first build failed and the round was built
	 * again (RETRY_WHY: the first such failure, "run N: ...") */
	unsigned char retried[BT_MAX_RUNS];
	char retry_why[384];
	/* UNANALYZED[R]: round R built, but its trace could not be analyzed
	 * for its frontend CPU (ANALYSIS_WHY: the first such reason) */
	unsigned char unanalyzed[BT_MAX_RUNS];
	char analysis_why[384];
	char target[288]; /* its private target dir (--touch) */
};

/* What every build of an experiment shares. */
struct exp_run {
	char **cmd; /* the cargo command, N_CMD words */
	int n_cmd;
	const char *self;  /* this btrace, to trace the build; NULL: plain */
	const char *trace; /* the trace directory of a traced build */
	const char *log;   /* each build's output (replaced every build) */
	const char *touch; /* touched before the build, or NULL */
	int analyze;	   /* a traced build's frontend CPU is wanted */
};

/* What one build came to (exp_build). */
struct exp_outcome {
	double wall, cpu; /* NAN if it did not run to its end */
	double front;	  /* frontend CPU of its trace, or NAN */
	enum exp_fail kind;
	char why[256];	    /* a failure, in one line */
	char analysis[256]; /* built, but its trace not analyzed: why */
};

/* The cargo command CMD (N words) with C's overrides and the private
 * target dir TARGET_DIR, inserted before a `--` that passes arguments on
 * (cargo run -- ...): a new array (its strings are not copied), or NULL
 * when out of memory. */
char **exp_command_for(char **cmd, int n, const struct exp_config *c,
		       const char *target_dir);

/* Builds config C in TARGET once as X says: touches X->touch, runs the
 * build (under btrace record if X->self) with its output in X->log, and
 * with X->analyze reads its trace's frontend CPU (tried twice).  Returns
 * 0 with OC's wall and CPU (and front, or analysis: why the trace could
 * not be analyzed), 1 when the build gave no measurement (OC's kind and
 * why say what failed: the build, btrace record, the touch), -1 when out
 * of memory. */
int exp_build(const struct exp_run *x, const struct exp_config *c,
	      const char *target, struct exp_outcome *oc);

/* Copies a failed build's LOG into the directory DIR as NAME-runRUN.log
 * (RUN 0: the full build of --touch; FIRST: NAME-runRUN-first.log, a
 * first attempt that was built again), 0600; its file name in KEPT (CAP
 * bytes).  Returns 0 or -1. */
int exp_keep_log(const char *log, const char *dir, const char *name, int run,
		 int first, char *kept, size_t cap);

/* Checks that config C's build in TARGET linked with the linker it asks
 * for (options.def: the text its .comment section names): the
 * executables and shared objects in TARGET/PROFDIR/deps (the binaries,
 * tests, proc macros) must name it.  Returns 0 if they do or C is no
 * linker option, -1 with C->failure set if one names another linker or
 * none does. */
int exp_check_linker(struct exp_config *c, const char *target,
		     const char *profile);

/* Writes DIR/experiment.json: the command CMD (N_CMD words), the
 * configs CS[0..N_CS) (CS[0] the baseline) over RUNS rounds (a round not
 * measured is null), SCALED
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
