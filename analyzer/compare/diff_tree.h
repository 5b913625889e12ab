/* diff_tree.h - the profiles of two sets of builds merged into one tree,
 * for the differential flame graph and the two sides' folded stacks.
 *
 * A frame is the same frame on both sides when its whole path from the
 * root has the same names (the by-crate tree: build -> unit -> thread
 * kind -> frames, profile.h).  Each node holds the mean inclusive CPU of
 * the frame over each side's builds (0 on a side that never ran it).
 * `flame` is the same tree as a struct bt_flame_tree for the flame graph
 * writer, node for node: its value is the frame's drawn width, the larger
 * of the two sides' values and of its children's widths together, so a
 * frame that shrank or vanished keeps room to be seen, and every parent
 * is at least as wide as its children.  Children largest first. */
#ifndef BTRACE_DIFF_TREE_H
#define BTRACE_DIFF_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

struct bt_diff_node {
	double us[2]; /* mean inclusive CPU microseconds: base, new */
};

struct bt_diff_tree {
	struct bt_diff_node *nodes; /* parallel to flame.nodes */
	struct bt_flame_tree flame;
	size_t cap;
	/* private to diff_tree.c: (parent, name) -> node */
	uint32_t *slots_;
	size_t n_slots_;
};

/* Adds profile tree SRC to side SIDE (0 base, 1 new) of T, each value
 * times WEIGHT (1 / the side's number of builds).  Returns 0, or -1 when
 * out of memory. */
int bt_diff_tree_add(struct bt_diff_tree *t, const struct bt_flame_tree *src,
		     int side, double weight);

/* Computes the widths and orders the children, once every profile has
 * been added.  Returns 0, or -1 when out of memory. */
int bt_diff_tree_finish(struct bt_diff_tree *t);

void bt_diff_tree_free(struct bt_diff_tree *t);

#endif
