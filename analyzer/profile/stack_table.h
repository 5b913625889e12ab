/* stack_table.h - one image's distinct stacks, each counted once with its
 * summed weight, and their sort in path order (thread kind, marker, then
 * frames outermost first), in which consecutive stacks share long
 * prefixes and the tree builder follows each from where it leaves the one
 * before (tree_builder.h).
 *
 * A table is filled by one thread and then handed whole to another
 * (pipeline.h); it has no lock of its own. */
#ifndef BTRACE_STACK_TABLE_H
#define BTRACE_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "trace_format.h"

struct stack {
	uint64_t hash;
	uint32_t first; /* into the frame id buffer */
	uint16_t depth;
	uint16_t marker; /* 0, or 1 = cut at the depth limit, 2 = unwind
			    failed, 3 = truncated where code has no unwind
			    info: an outermost "[...]" frame is added */
	uint32_t thread; /* index into the image's thread kinds */
	uint64_t weight;
};

/* A sample weight's CPU in whole microseconds, rounded as the profile
 * counts it everywhere (so that the trees, the categories and the
 * folded stacks add up alike). */
static inline uint64_t weight_us(uint64_t weight, double period_us)
{
	return (uint64_t)((double)weight * period_us + 0.5);
}

struct stack_table {
	struct stack *s;
	size_t n, cap;
	uint32_t *slots;
	size_t n_slots;
	uint32_t *ids;
	size_t n_ids, cap_ids;
};

/* Levels of a stack's path below its unit: 0 the thread kind, 1 the
 * marker (or nothing), 2.. the frames, outermost first. */
#define LEVELS (BT_MAX_DEPTH + 2)

/* Empties ST, keeping its memory for the next image.  Returns 0. */
int st_reset(struct stack_table *st);

/* Counts one stack of IDS[0..DEPTH) (function ids, innermost first) of
 * thread kind THREAD with MARKER, adding WEIGHT to an equal stack's.
 * Returns 0, or -1 out of memory. */
int st_add(struct stack_table *st, const uint32_t *ids, uint16_t depth,
	   uint16_t marker, uint32_t thread, uint64_t weight);

/* The table's memory, in bytes. */
size_t st_bytes(const struct stack_table *st);

void st_free(struct stack_table *st);

/* Sorts ORDER[0..N) (indexes into ST's stacks) in path order from level D
 * on, all of them sharing levels 0..D-1 (D = 0: the whole sort). */
void sort_stacks(const struct stack_table *st, uint32_t *order, size_t n,
		 size_t d);

/* The path levels stacks A and B share. */
size_t common_levels(const struct stack_table *st, const struct stack *a,
		     const struct stack *b);

#endif
