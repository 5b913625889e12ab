/* writer_stacks_folded.c - stacks.folded: the profile as folded stacks.
 *
 * The format flamegraph.pl, inferno and speedscope read: one line per
 * path from the root, "frame;frame;frame count", outermost frame first.
 * The count is the path's self value (the node's value minus its
 * children's) in CPU MICROSECONDS, not samples: the profile also holds
 * CPU that no sample covers and samples of different weights, so time is
 * the only unit every line shares.  Tools that print "samples" are
 * printing microseconds.
 *
 * Lines come from the by-category tree, whatever the report's grouping,
 * so the first two frames are always the category and the unit (crate),
 * then the thread kind and the frames: grep and the tools' own filters
 * can then cut the build either way.  The root ("the build") is left out,
 * as folded files have no frame for "everything".  Only paths with a
 * non-zero self value are written, so no line has a zero count, and the
 * counts add up to the root's value: the file round-trips.  The rare root
 * self value (CPU in no category) is written under the root's own name.
 *
 * Names: ';' separates frames and a newline ends a line, so ';' becomes
 * ':' and line breaks become spaces.  With no profile (no samples) the
 * file is empty, which every reader takes as an empty profile. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "report_writer.h"

/* Writes one frame name, safe for the format. */
static void put_frame(FILE *f, const char *name)
{
	if (!name || !*name)
		name = "[unnamed]";
	for (const char *s = name; *s; s++) {
		char c = *s;
		if (c == ';')
			c = ':';
		else if (c == '\n' || c == '\r')
			c = ' ';
		fputc(c, f);
	}
}

/* The node's value minus its children's, never below zero (a child
 * larger than its parent would be a profile bug; it must not make the
 * count wrap around).  At most n_nodes children: a child list that loops
 * is a bug too, and must not hang the report. */
static uint64_t self_value(const struct bt_flame_tree *t, uint32_t i)
{
	uint64_t kids = 0;
	size_t left = t->n_nodes;
	for (uint32_t c = t->nodes[i].first_child; c != BT_FLAME_NONE && left;
	     c = t->nodes[c].next_sibling, left--) {
		if (c >= t->n_nodes)
			break;
		kids += t->nodes[c].value_us;
	}
	return kids < t->nodes[i].value_us ? t->nodes[i].value_us - kids : 0;
}

/* Depth-first from the root with an explicit path (trees can be deeper
 * than the C stack likes).  SEEN guards against a broken child list
 * visiting a node twice or looping: such a list is cut where it goes
 * wrong. */
static int write_stacks_folded(const struct bt_build *b, FILE *f)
{
	const struct bt_flame_tree *t;
	uint32_t *path = NULL, *next = NULL;
	unsigned char *seen = NULL;
	size_t depth = 0;
	uint64_t v;
	int rc = -1;

	if (!b->profile || !b->profile->by_category.n_nodes)
		return ferror(f) ? -1 : 0;
	t = &b->profile->by_category;
	/* path[d] is the node at depth d; next[d] the next sibling to visit
	 * at depth d + 1 once the current one is done. */
	path = calloc(t->n_nodes + 1, sizeof(*path));
	next = calloc(t->n_nodes + 1, sizeof(*next));
	seen = calloc(t->n_nodes, 1);
	if (!path || !next || !seen)
		goto out;

	v = self_value(t, 0);
	if (v) {
		put_frame(f, t->nodes[0].name);
		fprintf(f, " %" PRIu64 "\n", v);
	}
	seen[0] = 1;
	path[0] = 0;
	next[0] = t->nodes[0].first_child;
	while (!ferror(f)) {
		uint32_t c = next[depth];
		if (c == BT_FLAME_NONE || c >= t->n_nodes || seen[c]) {
			if (!depth)
				break;
			depth--;
			continue;
		}
		seen[c] = 1;
		next[depth] = t->nodes[c].next_sibling;
		path[++depth] = c;
		next[depth] = t->nodes[c].first_child;
		v = self_value(t, c);
		if (!v)
			continue;
		for (size_t d = 1; d <= depth; d++) {
			if (d > 1)
				fputc(';', f);
			put_frame(f, t->nodes[path[d]].name);
		}
		fprintf(f, " %" PRIu64 "\n", v);
	}
	rc = ferror(f) ? -1 : 0;
out: /* calloc set errno */
	free(path);
	free(next);
	free(seen);
	return rc;
}

const struct bt_report_writer bt_writer_stacks_folded = {
	.file = "stacks.folded",
	.what = "CPU by stack, folded (category;unit;thread;frames "
		"microseconds) for flamegraph.pl, inferno, speedscope",
	.write = write_stacks_folded,
};
