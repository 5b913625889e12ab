/* profile.h - where the build's CPU went, as a tree of frames.
 *
 * The profile is made once per report from the model (build_model.h),
 * the samples and the symbolizer, and read by the flame graph and folded
 * stack writers.  Every CPU second of the build is in it: sampled stacks
 * of rustc and the linkers, and, as leaves of their own, the CPU that no
 * sample covers (start-up before sampling, processes that are not
 * sampled such as build scripts and cargo), so the root's value is the
 * build's total CPU.
 *
 * Two trees with the same leaves, grouped differently:
 *   by crate:     build -> unit ("regex 1.7.1 lib") -> thread kind ("rustc",
 *                 "opt cgu", "coordinator", "linker") -> frames, outermost
 *                 first
 *   by category:  build -> category ("debuginfo") -> unit -> thread kind
 *                 -> frames
 * Node 0 is the root of each tree.  Values are CPU microseconds,
 * inclusive (a node's value is at least the sum of its children's). */
#ifndef BTRACE_PROFILE_H
#define BTRACE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/attribution.h"

enum bt_flame_kind {
	BT_FLAME_ROOT = 0,  /* the build */
	BT_FLAME_GROUP,	    /* a category, unit or thread kind */
	BT_FLAME_FRAME,	    /* a symbolized function */
	BT_FLAME_UNKNOWN,   /* a frame with no symbol: "[libfoo.so+0x12]" or
			       "[unknown]" */
	BT_FLAME_UNSAMPLED, /* CPU no sample covers: "[not sampled: ...]" */
	BT_FLAME_GAP,	    /* samples lost: "[lost samples: ...]" */
	BT_FLAME_MACRO,	    /* a frame in a proc-macro library (symbolized
			       or not): macro expansion, its callees too
			       (docs/attribution.md) */
};

#define BT_FLAME_NONE UINT32_MAX

struct bt_flame_node {
	const char *name;		    /* owned by the profile */
	uint64_t value_us;		    /* inclusive CPU, microseconds */
	uint32_t parent;		    /* BT_FLAME_NONE for the root */
	uint32_t first_child, next_sibling; /* BT_FLAME_NONE ends a list;
					       children by value, largest
					       first */
	uint8_t kind;			    /* enum bt_flame_kind */
	int8_t category; /* enum bt_category of the samples below, or -1
			    when they are of several (groups above the
			    category level) */
	uint16_t depth;	 /* root 0 */
};

struct bt_flame_tree {
	struct bt_flame_node *nodes;
	size_t n_nodes;
};

struct bt_profile {
	struct bt_flame_tree by_crate, by_category;
	double period_s; /* CPU per sample weight unit, if uniform */
	uint64_t samples, sample_weight;
	uint64_t frames, frames_unknown; /* over all samples */
	double cpu_s[BT_CAT_MAX];	 /* the whole build, by category */
	double sampled_cpu_s;		 /* CPU the samples stand for */
	double unsampled_cpu_s;		 /* CPU no sample covers */
	double lost_cpu_s;		 /* samples lost (dropped, cut) */
	/* samples whose stack stops at code without unwind information:
	 * their callers, and so their category, are unknown */
	double truncated_cpu_s;
	/* When the trees grew too big to keep every frame: frames worth less
	 * than this many microseconds may be in "[small frames, merged]"
	 * nodes.  0 when nothing was merged. */
	uint64_t merged_below_us;
	size_t modules, modules_missing, modules_changed, modules_stripped;
	/* Symbolization problems, one line each: warnings, and notes for the
	 * small ones (under 1% of the frames, e.g. a stripped linker wrapper,
	 * whose samples are link by process anyway). */
	char **warnings;
	size_t n_warnings;
	char **notes;
	size_t n_notes;
	/* private to profile.c: what the node names point into */
	char **names_;
	size_t n_names_;
	struct bt_symbolizer *sym_;
};

struct bt_build;
struct bt_symbolizer;
struct bt_progress_cb;

/* Makes the profile of build B: symbolizes every sample, attributes each
 * stack to a category, fills both trees, the totals, and each unit's
 * `categories`.  Returns 0, or -1 with a reason in ERR. */
int bt_profile_make(struct bt_build *b, struct bt_profile *p, char *err,
		    size_t errlen);
/* The same, reporting the samples handed to the symbolizer to CB
 * (base/progress.h; NULL: none), phase "profile". */
int bt_profile_make_progress(struct bt_build *b, struct bt_profile *p,
			     char *err, size_t errlen,
			     const struct bt_progress_cb *cb);
void bt_profile_free(struct bt_profile *p);

/* Iterates a node's children: for (c = n->first_child; c != BT_FLAME_NONE;
 * c = t->nodes[c].next_sibling). */

#endif
