/* estimate.h - what a change to the build's settings would save, predicted
 * from this one traced build.
 *
 * Per unit, the CPU a debuginfo option saves is the debuginfo it drops
 * (all of the category for debug = false, all but the line-table part
 * for line-tables-only, only the dependencies' for debuginfo-deps-off),
 * plus a calibrated multiple of its instruction-level debuginfo work (the
 * line-table and debug-value parts) for the cost spread outside the
 * category, plus the link CPU that the removed
 * .debug_* bytes of the linker's inputs cost.  Cranelift and the faster linkers use
 * published or measured ratios.  The wall saving replays the build
 * (schedule.h) with that much less code generation and link work.
 * docs/estimation.md has the data. */
#ifndef BTRACE_ESTIMATE_H
#define BTRACE_ESTIMATE_H

#include <stddef.h>

#include "build_model.h"
#include "link_inputs.h"
#include "schedule.h"

enum bt_option {
	BT_OPT_DEBUG_LINE_TABLES = 0,
	BT_OPT_DEBUG_OFF,
	BT_OPT_DEBUG_DEPS_OFF,
	BT_OPT_CRANELIFT,
	BT_OPT_LINKER_LLD,
	BT_OPT_LINKER_MOLD,
	BT_OPT_MAX,
};

/* "debuginfo-line-tables-only", ... (summary.json's ids) */
const char *bt_option_id(enum bt_option o);
/* The option of an id, or -1. */
int bt_option_of_id(const char *id);

/* Whether a linker is one a faster linker would replace: GNU ld or
 * gold (not lld, rust-lld or mold). */
int bt_linker_is_slow(const char *name);
/* Whether it is lld (ld.lld, rust-lld), or mold (ld.mold). */
int bt_linker_is_lld(const char *name);
int bt_linker_is_mold(const char *name);

struct bt_estimate {
	double cpu_s, cpu_pct;	 /* CPU saved; % of the build's CPU */
	double wall_s, wall_pct; /* wall saved; % of the build's wall */
	double compile_cpu_s;	 /* parts of cpu_s: in the compilations */
	double link_cpu_s;	 /* and in their links */
	size_t n_units;		 /* units the option changes */
	/* the model's terms before its constants, for the calibration:
	 * compile_cpu_s = term_s + K * hidden_term_s (debuginfo options;
	 * K_OFF or K_LINES), link_cpu_s = LAMBDA * link_term_s */
	double term_s, hidden_term_s, link_term_s;
	const char *method;	 /* "calibrated-model", "published-ratio",
				    "measured-ratio", "measured-here" (a
				    btrace experiment on this machine) */
};

struct bt_estimator {
	const struct bt_build *b;
	struct bt_schedule sched;
	struct bt_link_inputs *links; /* parallel to b->units */
	size_t n_link_inputs, n_link_missing;
	double replay_s; /* the observed schedule replayed as it was */
	double (*cut)[BT_PHASES]; /* scratch: the work a replay removes */
};

/* Prepares the estimates for B (its profile must be made for anything
 * but 0 estimates).  Returns 0, or -1 when out of memory. */
int bt_estimator_make(const struct bt_build *b, struct bt_estimator *e);
void bt_estimator_free(struct bt_estimator *e);

/* Estimates option O.  Returns 0 and fills OUT (zero savings if the option
 * would change nothing). */
int bt_estimate(struct bt_estimator *e, enum bt_option o,
		struct bt_estimate *out);

#endif
