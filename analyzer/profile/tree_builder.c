/* tree_builder.c - path-compressed profile trees (tree_builder.h). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "profile/symbolize.h"
#include "profile/tree_builder.h"

#define KIND_RUN 0xff /* in keys: the child is a run */

static uint64_t child_key(uint32_t parent, uint64_t what, uint8_t kind)
{
	return bt_mix64(((uint64_t)parent << 8 ^ kind) * 0x9e3779b97f4a7c15ULL ^
			what);
}

static uint64_t node_key(const struct tree_builder *b, const struct bnode *nd)
{
	return nd->name ? child_key(nd->parent, (uintptr_t)nd->name, nd->kind)
			: child_key(nd->parent, b->ids[nd->run], KIND_RUN);
}

/* Rebuilds the child index with N slots (a power of two). */
static int tb_index(struct tree_builder *b, size_t n)
{
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < b->n_n; i++) {
		size_t j;
		if (b->n[i].parent == BT_FLAME_NONE)
			continue;
		j = node_key(b, &b->n[i]) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(b->slots);
	b->slots = s;
	b->n_slots = n;
	return 0;
}

/* The slot of PARENT's child named NAME of KIND (NAME NULL: the run that
 * starts with function ID), or the empty slot where it would go. */
static size_t tb_slot(const struct tree_builder *b, uint32_t parent,
		      const char *name, uint8_t kind, uint32_t id)
{
	uint64_t h = name ? child_key(parent, (uintptr_t)name, kind)
			  : child_key(parent, id, KIND_RUN);
	size_t mask = b->n_slots - 1, j;
	for (j = h & mask; b->slots[j]; j = (j + 1) & mask) {
		const struct bnode *nd = &b->n[b->slots[j] - 1];
		if (nd->parent != parent)
			continue;
		if (name ? nd->name == name && nd->kind == kind
			 : !nd->name && b->ids[nd->run] == id)
			break;
	}
	return j;
}

/* Room for one more node, and N more ids: afterwards, appending moves
 * nothing and slot indexes stay valid. */
static int tb_reserve(struct tree_builder *b, size_t n_ids)
{
	if ((b->n_n + 1) * 2 > b->n_slots &&
	    tb_index(b, b->n_slots ? b->n_slots * 2 : 4096) < 0)
		goto fail;
	if (b->n_n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct bnode *n = realloc(b->n, cap * sizeof(*n));
		if (!n)
			goto fail;
		b->n = n;
		b->cap = cap;
	}
	if (b->n_ids + n_ids > b->cap_ids) {
		size_t cap = (b->n_ids + n_ids) * 2 + 65536;
		uint32_t *x = realloc(b->ids, cap * sizeof(*x));
		if (!x)
			goto fail;
		b->ids = x;
		b->cap_ids = cap;
	}
	return 0;
fail:
	b->failed = 1;
	return -1;
}

/* Appends a node below PARENT (reserved: see tb_reserve). */
static uint32_t tb_append(struct tree_builder *b, uint32_t parent,
			  const char *name, uint8_t kind, int category,
			  uint32_t run, uint16_t len)
{
	struct bnode *nd = &b->n[b->n_n];
	memset(nd, 0, sizeof(*nd));
	nd->name = name;
	nd->parent = parent;
	nd->run = run;
	nd->len = len;
	nd->kind = kind;
	nd->category = (int8_t)category;
	if (parent != BT_FLAME_NONE)
		nd->depth = (uint16_t)(b->n[parent].depth + b->n[parent].len);
	b->logical += len;
	return (uint32_t)b->n_n++;
}

/* The named node NAME of KIND below node PARENT (the end of it), made if
 * it is not there. */
uint32_t tb_node(struct tree_builder *b, uint32_t parent, const char *name,
		 uint8_t kind, int category)
{
	size_t j = 0;
	uint32_t i;

	if (b->failed || tb_reserve(b, 0) < 0)
		return 0;
	if (parent != BT_FLAME_NONE) {
		j = tb_slot(b, parent, name, kind, 0);
		if (b->slots[j])
			return b->slots[j] - 1;
	}
	i = tb_append(b, parent, name, kind, category, 0, 1);
	if (parent != BT_FLAME_NONE)
		b->slots[j] = i + 1;
	return i;
}

/* Splits the run AT.node after AT.pos (not its last frame).  The frames
 * up to AT.pos become a new node, which takes the run's place in the
 * index; the run keeps the rest, and with it its children, which would
 * otherwise all need a new parent and a new slot.  PATH[0..N), logical
 * nodes the caller holds, are moved with their frames.  Returns -1 when
 * out of memory. */
static int tb_split(struct tree_builder *b, struct lnode at, struct lnode *path,
		    size_t n)
{
	struct bnode *tail;
	uint32_t head, cut = at.pos + 1;
	size_t j;

	if (tb_reserve(b, 0) < 0)
		return -1;
	tail = &b->n[at.node];
	j = tb_slot(b, tail->parent, NULL, 0, b->ids[tail->run]);
	head = (uint32_t)b->n_n++;
	b->n[head] = *tail;
	b->n[head].len = (uint16_t)cut;
	tail->parent = head;
	tail->run += cut;
	tail->len = (uint16_t)(tail->len - cut);
	tail->depth = (uint16_t)(tail->depth + cut);
	b->slots[j] = head + 1;
	b->slots[tb_slot(b, head, NULL, 0, b->ids[tail->run])] = at.node + 1;
	for (size_t k = 0; k < n; k++) {
		if (path[k].node != at.node)
			continue;
		if (path[k].pos < cut)
			path[k].node = head;
		else
			path[k].pos -= cut;
	}
	return 0;
}

/* Follows the frames of levels FROM..N-1 of a path (F[l]: the function id
 * of level l, outermost first) from PATH[FROM - 1], storing each level's
 * logical node in PATH[l]; the first frame found nowhere starts a new run
 * holding the rest. */
static void tb_frames(struct tree_builder *b, struct lnode *path, size_t from,
		      size_t n, const uint32_t *f, int category)
{
	size_t l, j;
	uint32_t r;

	for (l = from; l < n && !b->failed; l++) {
		struct lnode at = path[l - 1];
		const struct bnode *nd = &b->n[at.node];
		if (at.pos + 1 < nd->len) {
			/* inside a run: one child, its next frame */
			if (b->ids[nd->run + at.pos + 1] == f[l]) {
				path[l] = (struct lnode){at.node, at.pos + 1};
				continue;
			}
			if (tb_split(b, at, path, l) < 0)
				return;
			at = path[l - 1];
		} else {
			j = tb_slot(b, at.node, NULL, 0, f[l]);
			if (b->slots[j]) {
				path[l] = (struct lnode){b->slots[j] - 1, 0};
				continue;
			}
		}
		/* nothing below AT has this frame: the rest is one new run */
		if (tb_reserve(b, n - l) < 0)
			return;
		j = tb_slot(b, at.node, NULL, 0, f[l]);
		memcpy(b->ids + b->n_ids, f + l, (n - l) * sizeof(*f));
		r = tb_append(b, at.node, NULL, BT_FLAME_FRAME, category,
			      (uint32_t)b->n_ids, (uint16_t)(n - l));
		b->n_ids += n - l;
		b->slots[j] = r + 1;
		for (size_t k = l; k < n; k++)
			path[k] = (struct lnode){r, (uint32_t)(k - l)};
		return;
	}
}

/* Makes PATH[N - 1] the last logical node of its node, splitting its run
 * if the path ends inside it, so that CPU can be added there. */
uint32_t tb_leaf(struct tree_builder *b, struct lnode *path, size_t n)
{
	struct lnode at = path[n - 1];
	if (b->failed)
		return 0;
	if (at.pos + 1 < b->n[at.node].len && tb_split(b, at, path, n) < 0)
		return 0;
	return path[n - 1].node;
}

/* Adds VALUE to NODE and its ancestors; a node whose samples are of
 * several categories gets -1. */
void tb_add(struct tree_builder *b, uint32_t node, uint64_t value, int category)
{
	while (!b->failed && node != BT_FLAME_NONE) {
		struct bnode *nd = &b->n[node];
		if (nd->value_us == 0 && nd->kind != BT_FLAME_ROOT)
			nd->category = (int8_t)category;
		else if (nd->category != category)
			nd->category = -1;
		nd->value_us += value;
		node = nd->parent;
	}
}

/* The nodes in order of depth, so parents before children (a split makes
 * a run's new head after it).  Returns a malloc'd array, or NULL. */
static uint32_t *tb_order(const struct tree_builder *b)
{
	uint32_t *order = malloc((b->n_n + 1) * sizeof(*order));
	size_t *at = calloc(UINT16_MAX + 2, sizeof(*at));
	if (!order || !at) {
		free(order);
		free(at);
		return NULL;
	}
	for (size_t i = 0; i < b->n_n; i++)
		at[b->n[i].depth + 1]++;
	for (size_t d = 1; d <= UINT16_MAX + 1; d++)
		at[d] += at[d - 1];
	for (size_t i = 0; i < b->n_n; i++)
		order[at[b->n[i].depth]++] = (uint32_t)i;
	free(at);
	return order;
}

/* Drops the frames worth less than MIN_US, keeping groups.  The dropped
 * children of a kept node become one "[merged]" child (the first of them,
 * renamed), so the time stays visible and the values stay consistent; a
 * later sample through a dropped frame makes it anew.  All logical nodes
 * of a run have one value, so a run goes or stays whole.  In one pass,
 * parents first; the kept runs' ids are copied, which compacts them. */
static int tb_prune(struct tree_builder *b, uint64_t min_us,
		    const char *merged_name)
{
	/* map: old index -> new, or NONE if dropped; merged: new index ->
	 * its merged child (new index), or NONE */
	uint32_t *order = tb_order(b);
	uint32_t *map = malloc((b->n_n + 1) * sizeof(*map));
	uint32_t *merged = malloc((b->n_n + 1) * sizeof(*merged));
	struct bnode *nn = malloc((b->n_n + 1) * sizeof(*nn));
	uint32_t *ids = malloc((b->n_ids + 1) * sizeof(*ids));
	size_t n = 0, n_ids = 0, logical = 0;

	if (!order || !map || !merged || !nn || !ids) {
		free(order);
		free(map);
		free(merged);
		free(nn);
		free(ids);
		return -1;
	}
	for (size_t k = 0; k < b->n_n; k++) {
		uint32_t i = order[k];
		struct bnode nd = b->n[i];
		uint32_t p =
		    nd.parent == BT_FLAME_NONE ? BT_FLAME_NONE : map[nd.parent];
		map[i] = BT_FLAME_NONE;
		if (nd.parent != BT_FLAME_NONE && p == BT_FLAME_NONE)
			continue; /* its value is in a dropped ancestor's */
		if (nd.kind != BT_FLAME_ROOT && nd.kind != BT_FLAME_GROUP &&
		    nd.value_us < min_us) {
			if (merged[p] != BT_FLAME_NONE) {
				struct bnode *mg = &nn[merged[p]];
				mg->value_us += nd.value_us;
				if (mg->category != nd.category)
					mg->category = -1;
				continue;
			}
			nd.name = merged_name;
			nd.kind = BT_FLAME_UNKNOWN;
			nd.run = 0;
			nd.len = 1;
			merged[p] = (uint32_t)n;
		} else {
			map[i] = (uint32_t)n;
			if (!nd.name) {
				memcpy(ids + n_ids, b->ids + nd.run,
				       nd.len * sizeof(*ids));
				nd.run = (uint32_t)n_ids;
				n_ids += nd.len;
			}
		}
		nd.parent = p;
		logical += nd.len;
		nn[n] = nd;
		merged[n++] = BT_FLAME_NONE;
	}
	free(order);
	free(map);
	free(merged);
	free(b->n);
	free(b->ids);
	b->n = nn;
	b->cap = b->n_n + 1;
	b->n_n = n;
	b->ids = ids;
	b->cap_ids = b->n_ids + 1;
	b->n_ids = n_ids;
	b->logical = logical;
	b->pruned = 1;
	return tb_index(b, b->n_slots);
}

/* Keeps the tree under CAP logical nodes: when it grows past, prunes at
 * *MIN_US, doubling it until at most half the cap is left.  The threshold
 * only goes up. */
int tb_bound(struct tree_builder *b, size_t cap, uint64_t *min_us,
	     const char *merged_name)
{
	if (b->failed || b->logical <= cap)
		return 0;
	for (;;) {
		if (tb_prune(b, *min_us, merged_name) < 0)
			return -1;
		/* groups and merged nodes stay: once the threshold passes the
		 * whole build, no frame is left to merge */
		if (b->logical <= cap / 2 || *min_us > b->n[0].value_us)
			return 0;
		*min_us *= 2;
	}
}

void tb_free(struct tree_builder *b)
{
	free(b->n);
	free(b->ids);
	free(b->slots);
	b->n = NULL;
	b->ids = NULL;
	b->slots = NULL;
}

static int by_value_desc(const void *a, const void *b, void *arg)
{
	const struct bt_flame_node *n = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (n[x].value_us != n[y].value_us)
		return n[x].value_us > n[y].value_us ? -1 : 1;
	return strcmp(n[x].name, n[y].name);
}

/* The logical tree, one node per frame, parents first. */
static int tb_expand(struct tree_builder *b)
{
	struct bt_flame_tree *t = b->t;
	uint32_t *order = tb_order(b);
	uint32_t *last = malloc((b->n_n + 1) * sizeof(*last));
	size_t n = 0;

	t->nodes = calloc(b->logical + 1, sizeof(*t->nodes));
	if (!order || !last || !t->nodes) {
		free(order);
		free(last);
		return -1;
	}
	for (size_t k = 0; k < b->n_n; k++) {
		const struct bnode *bn = &b->n[order[k]];
		uint32_t parent = bn->parent == BT_FLAME_NONE
				      ? BT_FLAME_NONE
				      : last[bn->parent];
		for (uint16_t i = 0; i < bn->len; i++) {
			struct bt_flame_node *nd = &t->nodes[n];
			if (bn->name) {
				nd->name = bn->name;
				nd->kind = bn->kind;
			} else {
				const struct bt_func *f = bt_symbolizer_func(
				    b->sym, b->ids[bn->run + i]);
				nd->name = f ? f->name : "[unknown]";
				nd->kind = f && f->proc_macro ? BT_FLAME_MACRO
					   : f && f->status == BT_SYM_OK
					       ? BT_FLAME_FRAME
					       : BT_FLAME_UNKNOWN;
			}
			nd->value_us = bn->value_us;
			nd->category = bn->category;
			nd->parent = parent;
			nd->first_child = nd->next_sibling = BT_FLAME_NONE;
			nd->depth =
			    parent == BT_FLAME_NONE
				? 0
				: (uint16_t)(t->nodes[parent].depth + 1);
			parent = (uint32_t)n++;
		}
		last[order[k]] = parent;
	}
	t->n_nodes = n;
	free(order);
	free(last);
	return 0;
}

/* Expands the tree and links children into lists, largest first
 * (deterministic output). */
int tb_finish(struct tree_builder *b)
{
	struct bt_flame_tree *t = b->t;
	uint32_t *order, *start;
	size_t *count;

	free(b->slots);
	b->slots = NULL;
	if (b->failed || tb_expand(b) < 0)
		return -1;
	tb_free(b);
	order = malloc((t->n_nodes + 1) * sizeof(*order));
	count = calloc(t->n_nodes + 1, sizeof(*count));
	start = malloc((t->n_nodes + 1) * sizeof(*start));
	if (!order || !count || !start) {
		free(order);
		free(count);
		free(start);
		return -1;
	}
	/* bucket the children by parent, then sort each bucket */
	for (size_t i = 1; i < t->n_nodes; i++)
		count[t->nodes[i].parent]++;
	for (size_t i = 0, at = 0; i < t->n_nodes; i++) {
		start[i] = (uint32_t)at;
		at += count[i];
		count[i] = 0;
	}
	for (size_t i = 1; i < t->n_nodes; i++) {
		uint32_t p = t->nodes[i].parent;
		order[start[p] + count[p]++] = (uint32_t)i;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		uint32_t *kids = order + start[i];
		qsort_r(kids, count[i], sizeof(*kids), by_value_desc, t->nodes);
		t->nodes[i].first_child = count[i] ? kids[0] : BT_FLAME_NONE;
		for (size_t k = 0; k + 1 < count[i]; k++)
			t->nodes[kids[k]].next_sibling = kids[k + 1];
	}
	free(order);
	free(count);
	free(start);
	return 0;
}
/* Follows (or makes) levels FROM..N-1 of a stack's path below its unit's
 * node TOP: the thread kind THREAD, the marker MARK (NULL: none), then the
 * frames F[2..N), outermost first.  PATH[0..FROM) are the levels it
 * shares with the stack before it. */
void tb_path(struct tree_builder *b, struct lnode *path, size_t from, size_t n,
	     uint32_t top, const char *thread, const char *mark,
	     const uint32_t *f, int category)
{
	if (from == 0)
		path[0] = (struct lnode){
		    tb_node(b, top, thread, BT_FLAME_GROUP, category), 0};
	if (from <= 1)
		path[1] =
		    mark ? (struct lnode){tb_node(b, path[0].node, mark,
						  BT_FLAME_UNKNOWN, category),
					  0}
			 : path[0];
	tb_frames(b, path, from > 2 ? from : 2, n, f, category);
}
