/* tree_builder.h - the profile's trees, built path-compressed: runs of
 * frames, children found through a hash.
 *
 * Below a dozen levels most stacks are unique (a build's samples, and
 * gen_trace's), so a tree with one node per frame makes a node for nearly
 * every frame of every sample, most of them pruned again later, each a
 * lookup in a table far bigger than the caches (BENCHMARKS.md).
 * The builder keeps the tree path-compressed instead.  A *run* is a chain
 * of frames in which each frame but the last has that one child and no
 * CPU of its own, so all its frames have the same value and category: it
 * is one node holding a slice of function ids.  The unshared end of a new
 * stack becomes one run; a run is split where a later stack leaves it (or
 * ends inside it).  Groups, markers and leaves are *named* nodes.
 *
 * The tree the runs stand for (the "logical" tree, one node per frame) is
 * exactly the one a node per frame gives: the node cap and the pruning
 * count and drop logical nodes, and tb_finish() expands the runs into the
 * bt_flame_node array the writers read.
 *
 * Not thread-safe: one builder is used by one thread at a time (the
 * pipeline's builder thread, pipeline.h).  Out of memory sets `failed`
 * and every later call does nothing; tb_finish() then returns -1. */
#ifndef BTRACE_TREE_BUILDER_H
#define BTRACE_TREE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

struct bt_symbolizer;

/* A tree bigger than this many nodes is pruned between images: a trace of
 * millions of samples must not need a node per sample. */
#define TREE_CAP (2u << 20)

struct bnode {
	uint64_t value_us; /* inclusive, as each of its logical nodes' */
	const char *name;  /* a named node's name; NULL for a run */
	uint32_t parent;   /* BT_FLAME_NONE for the root */
	uint32_t run;	   /* a run: its first function id in ids[] */
	uint16_t len;	   /* logical nodes: 1, or a run's frames */
	uint16_t depth;	   /* of its first logical node; root 0 */
	uint8_t kind;	   /* enum bt_flame_kind; BT_FLAME_FRAME for a run,
			      whose frames have their own */
	int8_t category;   /* as bt_flame_node's */
};

/* A logical node: a builder node and a position in it (0 unless a run). */
struct lnode {
	uint32_t node;
	uint32_t pos;
};

struct tree_builder {
	struct bt_flame_tree *t;	 /* what tb_finish() fills */
	const struct bt_symbolizer *sym; /* names the runs' frames */
	struct bnode *n;
	size_t n_n, cap;
	size_t logical; /* logical nodes: what the cap counts */
	uint32_t *ids;	/* the runs' function ids, outermost first */
	size_t n_ids, cap_ids;
	uint32_t *slots; /* node index + 1, by (parent, first logical node);
			    0 = empty */
	size_t n_slots;
	int failed;
	int pruned; /* tb_prune ran */
};

/* The named node NAME of KIND below node PARENT (BT_FLAME_NONE: a new
 * root), made if it is not there. */
uint32_t tb_node(struct tree_builder *b, uint32_t parent, const char *name,
		 uint8_t kind, int category);

/* Follows (or makes) levels FROM..N-1 of a stack's path below node TOP:
 * the thread kind THREAD, the marker MARK (NULL: none), then the frames
 * F[2..N) (function ids), outermost first.  PATH[0..FROM) are the levels
 * it shares with the stack before it; PATH[FROM..N) are set. */
void tb_path(struct tree_builder *b, struct lnode *path, size_t from, size_t n,
	     uint32_t top, const char *thread, const char *mark,
	     const uint32_t *f, int category);

/* Makes PATH[N - 1] a node of its own (splitting a run the path ends
 * inside), so that CPU can be added there; returns it. */
uint32_t tb_leaf(struct tree_builder *b, struct lnode *path, size_t n);

/* Adds VALUE to NODE and its ancestors; a node whose samples are of
 * several categories gets -1. */
void tb_add(struct tree_builder *b, uint32_t node, uint64_t value,
	    int category);

/* Keeps the tree under CAP logical nodes: when it grows past, merges the
 * frames worth less than *MIN_US into MERGED_NAME nodes, doubling *MIN_US
 * until at most half the cap is left.  Returns 0, or -1 out of memory. */
int tb_bound(struct tree_builder *b, size_t cap, uint64_t *min_us,
	     const char *merged_name);

/* Expands the runs into B->t's bt_flame_node array (one node per frame,
 * children linked largest first) and frees the builder's own memory.
 * Returns 0, or -1 (out of memory, or the builder failed before). */
int tb_finish(struct tree_builder *b);

/* Frees the builder's memory (not B->t's nodes). */
void tb_free(struct tree_builder *b);

#endif
