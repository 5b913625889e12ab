/* compare.h - two sets of analysed builds compared: what changed, and by
 * more than the noise or not.
 *
 * Each side is one analysis (analyze.h) or several of the same workspace.
 * The comparison holds, for the build and for each unit, the wall time,
 * the CPU and the CPU of each category, each as a change with its spread
 * and significance (stats.h); the units that only one side built; the
 * settings whose value changed in the units both sides built; and the
 * two sides' profiles merged into one tree for the differential flame
 * graph (diff_tree.h).  Units are matched by package, crate name, target
 * kind and unit kind (a version bump is the same unit); a key that a
 * build holds more than once (a crate built for the host and the target)
 * is summed.  A unit absent from some builds of a side counts 0 there.
 *
 * The writers (output/diff_writer.h) read this and nothing else.
 *
 * Ownership: bt_compare() allocates; bt_comparison_free() releases it
 * all.  The analyses may be freed once bt_compare() has returned. */
#ifndef BTRACE_COMPARE_H
#define BTRACE_COMPARE_H

#include <stddef.h>

#include "analyze.h"
#include "compare/diff_tree.h"
#include "compare/stats.h"

enum { BT_SIDE_BASE = 0, BT_SIDE_NEW = 1 };

/* The quantities compared, for the build and for each unit. */
enum {
	BT_Q_WALL = 0,
	BT_Q_CPU,
	BT_Q_CAT0, /* + enum bt_category: that category's CPU */
	BT_Q_MAX = BT_Q_CAT0 + BT_CAT_MAX,
};

/* One unit across the builds. */
struct bt_cmp_unit {
	char label[320];   /* "lib3 0.1.0 lib", the newest side's */
	char package[128]; /* the key: package, crate, target, kind */
	char crate[128];
	int target;	  /* enum bt_target */
	int kind;	  /* enum bt_kind */
	size_t builds[2]; /* how many builds of each side hold it */
	struct bt_change q[BT_Q_MAX];
	double order; /* sort key: the largest |delta| of wall, CPU */
};

/* A setting whose value changed in matched units: "debuginfo 2 -> 0 in
 * 48 compilations". */
struct bt_cmp_setting {
	char name[32]; /* "debuginfo", "rustc" */
	char from[256], to[256];
	size_t units;
};

struct bt_comparison {
	size_t n_builds[2];
	char command[2][256]; /* the first build's command of each side */
	int have_profile[2];  /* every build of the side was sampled */
	struct bt_change build[BT_Q_MAX];
	size_t units_compiled[2]; /* of the first build of each side */
	/* Every unit of either side, by largest absolute change of its CPU
	 * first (then of its wall time);
	 * builds[] tells which sides hold it (added: none of BASE). */
	struct bt_cmp_unit *units;
	size_t n_units, n_added, n_removed;
	struct bt_cmp_setting *settings;
	size_t n_settings;
	/* One line each: builds incomplete, settings that differ inside a
	 * side, a side without a profile. */
	char **notes;
	size_t n_notes;
	struct bt_diff_tree tree; /* empty when a side has no profile */
};

/* Compares NB analyses BASE with NN analyses NEW into C.  Returns 0, or
 * -1 when out of memory (with nothing left to free). */
int bt_compare(struct bt_analysis *const *base, size_t nb,
	       struct bt_analysis *const *new_, size_t nn,
	       struct bt_comparison *c);
void bt_comparison_free(struct bt_comparison *c);

/* "wall", "cpu", "frontend", ... */
const char *bt_quantity_name(int q);

/* Whether unit U is new (added) or gone (removed). */
int bt_cmp_unit_added(const struct bt_cmp_unit *u);
int bt_cmp_unit_removed(const struct bt_cmp_unit *u);

#endif
