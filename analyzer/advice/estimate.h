/* estimate.h - what a change to the build's settings would save, predicted
 * from this one traced build.
 *
 * Per unit, the CPU a debuginfo option saves is the debuginfo it drops
 * (all of the category for debug = false, all but the line-table part
 * for line-tables-only, only the dependencies' for debuginfo-deps-off),
 * plus a calibrated multiple of its instruction-level debuginfo work (the
 * line-table and debug-value parts) for the cost spread outside the
 * category, plus the link CPU that the removed debuginfo bytes of the
 * linker's inputs cost (every input: in a rebuild most of them are rlibs
 * an earlier build left, bt_link_removed_bytes).  Cranelift and the faster
 * linkers use published or measured ratios.  The wall saving replays the build
 * (schedule.h) with that much less code generation and link work.
 * docs/estimation.md has the data. */
#ifndef BTRACE_ESTIMATE_H
#define BTRACE_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "advice/options.h"
#include "model/build_model.h"
#include "model/link_inputs.h"
#include "model/schedule.h"

/* The link model: the bytes of a link's inputs that option O takes out
 * of the link, by its BT_RM_* bits (options.def):
 *  - debuginfo-off: the debuginfo of every input: cargo links with -C
 *    strip=debuginfo when debug = 0 (and the profile sets no strip), so
 *    the standard library's goes too;
 *  - debuginfo-line-tables-only: the same but the line tables and the
 *    address ranges of the compile units (.debug_line, .debug_line_str,
 *    .debug_aranges), and LT_KEEP of the rest but the location lists
 *    (a DIE per function and inlined call);
 *  - debuginfo-deps-off: the dependencies' debuginfo;
 *  - split-debuginfo-unpacked: what a split-DWARF skeleton does not keep
 *    (it keeps the line tables, the address ranges and .debug_addr; the
 *    rest goes to .dwo files the linker never reads).
 * Under the other options the standard library and system objects keep
 * theirs.  0 for the options that are not debuginfo's. */
uint64_t bt_link_removed_bytes(const struct bt_link_inputs *li,
			       enum bt_option o);

/* What bt_link_removed_bytes takes out, as a share of the link's cost:
 * its inputs' bytes but the debuginfo at 1 each, the debuginfo's
 * relocations and merged strings at LINK_W_WORK, the rest of the DWARF
 * at LINK_W_COPY (docs/estimation.md, "What the link pays for"). */
double bt_link_removed_share(const struct bt_link_inputs *li, enum bt_option o);

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
	 * K_OFF or K_LINES), or -K_SPLIT * hidden_term_s (split
	 * debuginfo: a cost), link_cpu_s = LAMBDA * link_term_s */
	double term_s, hidden_term_s, link_term_s;
	/* of compile_cpu_s: the files the option adds or removes, on one
	 * CPU (split debuginfo: SPLIT_FILE a .dwo per object made, a cost) */
	double files_s;
	const char *method; /* "calibrated-model", "published-ratio",
			       "measured-ratio", "measured-here" (a
			       btrace experiment on this machine) */
};

/* The decimals E's seconds are written with: a rebuild's savings are
 * fractions of a second ("-0.09s", not "-0.1s"), a clean build's are
 * seconds.  Every writer of an estimate uses it. */
static inline int bt_estimate_digits(const struct bt_estimate *e)
{
	return e->cpu_s < 1 ? 2 : 1;
}

/* What an option saves in one unit (negative: costs), in CPU seconds,
 * and the model's terms before its constants (as in struct bt_estimate). */
struct bt_unit_part {
	double compile_s, link_s;
	double term_s, hidden_term_s, link_term_s;
	double files_s; /* of compile_s: on one CPU */
};

/* The model for one unit U whose link read LI: what option O saves in
 * its compilation and its link (docs/estimation.md, "The model"). */
void bt_unit_saving(const struct bt_unit *u, const struct bt_link_inputs *li,
		    enum bt_option o, struct bt_unit_part *s);

struct bt_estimator {
	const struct bt_build *b;
	struct bt_schedule sched;
	struct bt_link_inputs *links; /* parallel to b->units */
	struct bt_link_census census;
	size_t n_link_inputs, n_link_missing;
	double replay_s;	  /* the observed schedule replayed as it was */
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
