/* stacks_folded.c - stacks.folded: the profile as folded stacks.
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

#include "profile/profile.h"
#include "output/writer.h"

/* The current path as one line's text: frames are escaped and appended
 * once per node, not once per line that goes through them, and each line
 * is one fwrite.  A profile pruned to two million nodes still writes
 * hundreds of megabytes, most of it the long outer frames again and
 * again, so this is the writer's whole cost. */
struct line {
	char *s;
	size_t len, cap;
};

/* Appends ";" (unless FIRST) and NAME, made safe for the format. */
static int line_put(struct line *l, const char *name, int first)
{
	size_t n;
	if (!name || !*name)
		name = "[unnamed]";
	n = strlen(name) + 1;
	if (l->len + n + 1 > l->cap) {
		size_t cap = (l->len + n + 1) * 2;
		char *s = realloc(l->s, cap);
		if (!s)
			return -1;
		l->s = s;
		l->cap = cap;
	}
	if (!first)
		l->s[l->len++] = ';';
	for (const char *c = name; *c; c++)
		l->s[l->len++] = *c == ';'		    ? ':'
				 : *c == '\n' || *c == '\r' ? ' '
							    : *c;
	return 0;
}

/* Writes the line and its count. */
static void line_write(FILE *f, const struct line *l, uint64_t v)
{
	fwrite(l->s, 1, l->len, f);
	fprintf(f, " %" PRIu64 "\n", v);
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
static int write_stacks_folded(const struct bt_report *r, FILE *f)
{
	const struct bt_flame_tree *t;
	uint32_t *next = NULL;
	size_t *at = NULL; /* at[d]: the line's length up to depth d */
	unsigned char *seen = NULL;
	struct line l = {NULL, 0, 0};
	size_t depth = 0;
	uint64_t v;
	int rc = -1;

	if (!r->profile || !r->profile->by_category.n_nodes)
		return ferror(f) ? -1 : 0;
	t = &r->profile->by_category;
	/* next[d] is the next sibling to visit at depth d + 1 once the
	 * current one is done. */
	at = calloc(t->n_nodes + 1, sizeof(*at));
	next = calloc(t->n_nodes + 1, sizeof(*next));
	seen = calloc(t->n_nodes, 1);
	if (!at || !next || !seen)
		goto out;

	v = self_value(t, 0);
	if (v) {
		if (line_put(&l, t->nodes[0].name, 1) < 0)
			goto out;
		line_write(f, &l, v);
	}
	seen[0] = 1;
	at[0] = 0;
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
		l.len = at[depth];
		if (line_put(&l, t->nodes[c].name, depth == 0) < 0)
			goto out;
		at[++depth] = l.len;
		next[depth] = t->nodes[c].first_child;
		v = self_value(t, c);
		if (v)
			line_write(f, &l, v);
	}
	rc = ferror(f) ? -1 : 0;
out: /* calloc and realloc set errno */
	free(l.s);
	free(at);
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
