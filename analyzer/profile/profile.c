/* profile.c - fold the samples of a build into the profile trees and the
 * per-unit categories.
 *
 * Per image (one process's samples), in two threads (see "the pipeline"):
 *  - the reader decodes the samples, symbolizes each stack (a memo lookup
 *    per frame, none for the outer frames a thread's stack shares with its
 *    previous one) and counts the distinct stacks in a stack table;
 *  - the builder sorts the table's stacks in path order (multikey
 *    quicksort), finds each one's category, and walks them into the two
 *    trees, each from where it leaves the one before.  In a build too big
 *    to keep whole, each image's small frames are merged first
 *    (keep_levels()), as the pruning would merge them anyway.
 * Real builds repeat stacks, but most stacks of an image are still new
 * below a dozen levels (90% of cli-app's, 98% of gen_trace's), which is
 * why the trees are path-compressed (see "tree building"): a stack's new
 * part costs one node, not one per frame. */
#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/build_model.h"
#include "base/hash.h"
#include "profile/profile.h"
#include "profile/symbolize.h"

/* ---- a string pool for group names ---- */

struct pool {
	char **s;
	size_t n, cap;
};

static const char *pool_add(struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *pool_add(struct pool *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* small pools: reuse equal strings so tree keys (pointers) match */
	for (size_t i = p->n; i-- > 0;)
		if (!strcmp(p->s[i], buf))
			return p->s[i];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **s = realloc(p->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		p->s = s;
		p->cap = cap;
	}
	p->s[p->n] = strdup(buf);
	return p->s[p->n] ? p->s[p->n++] : NULL;
}

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
}

/* ---- tree building: runs of frames, children found through a hash ----
 *
 * Below a dozen levels most stacks are unique (a build's samples, and
 * gen_trace's), so a tree with one node per frame makes a node for nearly
 * every frame of every sample, most of them pruned again later: 24 million
 * at 500k samples, each a lookup in a table far bigger than the caches.
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
 * bt_flame_node array the writers read. */

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
static uint32_t tb_node(struct tree_builder *b, uint32_t parent,
			const char *name, uint8_t kind, int category)
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
static uint32_t tb_leaf(struct tree_builder *b, struct lnode *path, size_t n)
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
static void tb_add(struct tree_builder *b, uint32_t node, uint64_t value,
		   int category)
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

/* A tree bigger than this many nodes is pruned between images: a trace of
 * millions of samples must not need a node per sample. */
#define TREE_CAP (2u << 20)

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
static int tb_bound(struct tree_builder *b, size_t cap, uint64_t *min_us,
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

static void tb_free(struct tree_builder *b)
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
				nd->kind = f && f->status == BT_SYM_OK
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
static int tb_finish(struct tree_builder *b)
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

/* ---- stacks of one image, counted once each ---- */

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
static uint64_t weight_us(uint64_t weight, double period_us)
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

static int st_reset(struct stack_table *st)
{
	st->n = 0;
	st->n_ids = 0;
	if (st->slots)
		memset(st->slots, 0, st->n_slots * sizeof(*st->slots));
	return 0;
}

static int st_grow(struct stack_table *st)
{
	size_t n = st->n_slots ? st->n_slots * 2 : 8192;
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < st->n; i++) {
		size_t j = st->s[i].hash & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(st->slots);
	st->slots = s;
	st->n_slots = n;
	return 0;
}

/* Counts one stack of ids[0..depth) (innermost first). */
static int st_add(struct stack_table *st, const uint32_t *ids, uint16_t depth,
		  uint16_t marker, uint32_t thread, uint64_t weight)
{
	uint64_t h = bt_mix64(((uint64_t)thread << 32) ^
			      ((uint64_t)marker << 16) ^ depth);
	size_t j;
	for (uint16_t i = 0; i < depth; i++)
		h = bt_mix64(h ^ (ids[i] + 0x9e3779b97f4a7c15ULL));
	if ((st->n + 1) * 2 > st->n_slots && st_grow(st) < 0)
		return -1;
	j = h & (st->n_slots - 1);
	while (st->slots[j]) {
		struct stack *s = &st->s[st->slots[j] - 1];
		if (s->hash == h && s->depth == depth && s->marker == marker &&
		    s->thread == thread &&
		    !memcmp(st->ids + s->first, ids, depth * sizeof(*ids))) {
			s->weight += weight;
			return 0;
		}
		j = (j + 1) & (st->n_slots - 1);
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		struct stack *s = realloc(st->s, cap * sizeof(*s));
		if (!s)
			return -1;
		st->s = s;
		st->cap = cap;
	}
	if (st->n_ids + depth > st->cap_ids) {
		size_t cap = (st->n_ids + depth) * 2 + 65536;
		uint32_t *x = realloc(st->ids, cap * sizeof(*x));
		if (!x)
			return -1;
		st->ids = x;
		st->cap_ids = cap;
	}
	memcpy(st->ids + st->n_ids, ids, depth * sizeof(*ids));
	st->s[st->n] = (struct stack){
	    h, (uint32_t)st->n_ids, depth, marker, thread, weight};
	st->n_ids += depth;
	st->slots[j] = (uint32_t)++st->n;
	return 0;
}

static void st_free(struct stack_table *st)
{
	free(st->s);
	free(st->slots);
	free(st->ids);
}

/* ---- the profile ---- */

struct maker {
	struct bt_build *b;
	struct bt_profile *p;
	struct bt_symbolizer *sym;
	struct pool names;
	struct tree_builder crate, cat;
	uint32_t crate_root, cat_root;
	uint32_t cat_node[BT_CAT_MAX];
	int8_t *rule; /* per function id: its rule, or BT_CAT_MAX+2 unknown */
	size_t n_rule;
	const char *cat_names[BT_CAT_MAX];
	const char *marks[4];	 /* by marker: none, cut, unwinding failed,
				    truncated (no unwind info) */
	struct stack_table *cur; /* the builder's current image */
	struct pipeline *pl;
	size_t cap;	   /* tree size that triggers pruning */
	uint64_t prune_us; /* frames below this may be merged */
	const char *merged_name;
	uint64_t distinct_stacks; /* summed over the images */
	int premerge;		  /* keep_levels() before the walks */
	int premerged;		  /* ... and it merged something */
	double t_read, t_sort, t_cat, t_walk, t_bound; /* BTRACE_DEBUG */
	double t_wait, t_join, t_finish;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define RULE_UNSET ((int8_t)-2)

static int rule_of(struct maker *m, uint32_t id)
{
	if (id >= m->n_rule) {
		size_t n = (id + 1) * 2;
		int8_t *r = realloc(m->rule, n);
		if (!r)
			return BT_CAT_NONE;
		memset(r + m->n_rule, RULE_UNSET, n - m->n_rule);
		m->rule = r;
		m->n_rule = n;
	}
	if (m->rule[id] == RULE_UNSET) {
		const struct bt_func *f = bt_symbolizer_func_shared(m->sym, id);
		m->rule[id] = (int8_t)bt_frame_rule(
		    f && f->status == BT_SYM_OK ? f->name : NULL,
		    f ? f->module : NULL);
	}
	return m->rule[id];
}

/* The by-category tree's node for CAT, made when first needed so that
 * empty categories have no node. */
static uint32_t cat_group(struct maker *m, int cat)
{
	if (m->cat_node[cat] == BT_FLAME_NONE)
		m->cat_node[cat] =
		    tb_node(&m->cat, m->cat_root, m->cat_names[cat],
			    BT_FLAME_GROUP, cat);
	return m->cat_node[cat];
}

/* "opt cgu.07" -> "opt cgu", "rustc" stays: threads grouped by kind.
 * LLVM's workers are named after their codegen unit, which in an
 * incremental build is a hash ("opt 7p2mgx..."): all are "opt cgu". */
static const char *thread_kind(struct maker *m, const char *name, int main)
{
	char buf[64];
	size_t l;
	if (main)
		return pool_add(&m->names, "main thread");
	if (!name || !*name)
		return pool_add(&m->names, "thread");
	if (!strncmp(name, "opt ", 4))
		return pool_add(&m->names, "opt cgu");
	snprintf(buf, sizeof(buf), "%s", name);
	l = strlen(buf);
	while (l &&
	       (isdigit((unsigned char)buf[l - 1]) || buf[l - 1] == '.' ||
		buf[l - 1] == '-' || buf[l - 1] == '_' || buf[l - 1] == ' '))
		buf[--l] = 0;
	return pool_add(&m->names, "%s", l ? buf : "thread");
}

static const char *unit_name(struct maker *m, const struct bt_unit *u)
{
	char label[400];
	bt_unit_label(u, label, sizeof(label));
	return pool_add(&m->names, "%s", label);
}

/* Adds a leaf of VALUE us under GROUPS (outermost first) in both trees,
 * and counts it for the unit U (or none) in category CAT. */
static void add_leaf(struct maker *m, struct bt_unit *u, const char *unit,
		     const char *thread, const char *leaf, uint8_t kind,
		     int cat, uint64_t value)
{
	uint32_t a, c;
	if (!value)
		return;
	a = tb_node(&m->crate, m->crate_root, unit, BT_FLAME_GROUP, cat);
	c = tb_node(&m->cat, cat_group(m, cat), unit, BT_FLAME_GROUP, cat);
	if (thread) {
		a = tb_node(&m->crate, a, thread, BT_FLAME_GROUP, cat);
		c = tb_node(&m->cat, c, thread, BT_FLAME_GROUP, cat);
	}
	a = tb_node(&m->crate, a, leaf, kind, cat);
	c = tb_node(&m->cat, c, leaf, kind, cat);
	tb_add(&m->crate, a, value, cat);
	tb_add(&m->cat, c, value, cat);
	m->p->cpu_s[cat] += (double)value / 1e6;
	if (u)
		u->categories[cat] += (double)value / 1e6;
}

/* Stacks in path order: thread kind, marker, then frames outermost first,
 * so that consecutive stacks share long prefixes. */
static int cmp_stacks(const void *a, const void *b, void *arg)
{
	const struct stack_table *st = arg;
	const struct stack *x = &st->s[*(const uint32_t *)a];
	const struct stack *y = &st->s[*(const uint32_t *)b];
	const uint32_t *xi = st->ids + x->first, *yi = st->ids + y->first;
	uint16_t n = x->depth < y->depth ? x->depth : y->depth;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->marker != y->marker)
		return x->marker < y->marker ? -1 : 1;
	for (uint16_t k = 1; k <= n; k++)
		if (xi[x->depth - k] != yi[y->depth - k])
			return xi[x->depth - k] < yi[y->depth - k] ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

/* Level D of stack S's path as a sort key (see cmp_stacks): the thread
 * kind, the marker, then the frames outermost first; 0 past its end, so
 * that a stack sorts before the stacks it is a prefix of. */
static inline uint64_t level_key(const struct stack_table *st,
				 const struct stack *s, size_t d)
{
	if (d == 0)
		return (uint64_t)s->thread + 1;
	if (d == 1)
		return (uint64_t)s->marker + 1;
	d -= 2;
	return d < s->depth ? (uint64_t)st->ids[s->first + s->depth - 1 - d] + 1
			    : 0;
}

/* Sorts ORDER[0..N) in path order (as cmp_stacks) from level D on, all of
 * them sharing levels 0..D-1: a multikey quicksort (Bentley and
 * Sedgewick), which looks at each stack's level D once per partition
 * instead of comparing whole shared prefixes again and again: the stacks
 * of one thread share their outer dozen frames. */
static void sort_stacks(const struct stack_table *st, uint32_t *order, size_t n,
			size_t d)
{
	while (n > 1) {
		size_t lt = 0, i = 0, gt = n;
		uint64_t pivot;
		if (n < 12) {
			/* insertion sort on the whole keys */
			for (size_t a = 1; a < n; a++)
				for (size_t b = a;
				     b > 0 &&
				     cmp_stacks(&order[b - 1], &order[b],
						(void *)st) > 0;
				     b--) {
					uint32_t t = order[b];
					order[b] = order[b - 1];
					order[b - 1] = t;
				}
			return;
		}
		{
			/* median of three */
			uint64_t x = level_key(st, &st->s[order[0]], d);
			uint64_t y = level_key(st, &st->s[order[n / 2]], d);
			uint64_t z = level_key(st, &st->s[order[n - 1]], d);
			pivot = x < y ? (y < z	 ? y
					 : x < z ? z
						 : x)
				      : (x < z	 ? x
					 : y < z ? z
						 : y);
		}
		/* three-way partition: [0,lt) < pivot, [lt,gt) ==, [gt,n) > */
		while (i < gt) {
			uint64_t k = level_key(st, &st->s[order[i]], d);
			uint32_t t = order[i];
			if (k < pivot) {
				order[i++] = order[lt];
				order[lt++] = t;
			} else if (k > pivot) {
				order[i] = order[--gt];
				order[gt] = t;
			} else {
				i++;
			}
		}
		sort_stacks(st, order, lt, d);
		sort_stacks(st, order + gt, n - gt, d);
		if (pivot == 0)
			return; /* all ended here: equal paths */
		order += lt;
		n = gt - lt;
		d++;
	}
}

/* Levels of a stack's path below its unit: 0 the thread kind, 1 the
 * marker (or nothing), 2.. the frames, outermost first. */
#define LEVELS (BT_MAX_DEPTH + 2)

/* The path levels two stacks share. */
static size_t common_levels(const struct stack_table *st, const struct stack *a,
			    const struct stack *b)
{
	const uint32_t *ai = st->ids + a->first, *bi = st->ids + b->first;
	uint16_t n = a->depth < b->depth ? a->depth : b->depth, k = 0;
	if (a->thread != b->thread)
		return 0;
	if (a->marker != b->marker)
		return 1;
	while (k < n && ai[a->depth - 1 - k] == bi[b->depth - 1 - k])
		k++;
	return 2 + (size_t)k;
}

/* Follows (or makes) levels FROM..N-1 of a stack's path below its unit's
 * node TOP: the thread kind THREAD, the marker MARK (NULL: none), then the
 * frames F[2..N), outermost first.  PATH[0..FROM) are the levels it
 * shares with the stack before it. */
static void tb_path(struct tree_builder *b, struct lnode *path, size_t from,
		    size_t n, uint32_t top, const char *thread,
		    const char *mark, const uint32_t *f, int category)
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

/* The category of stack S: the innermost frame with a specific rule
 * decides, else the innermost catch-all (attribution.h); the frames
 * outside a specific rule need no lookup (nor its cache misses).  Sets
 * *LINES and *VALUES for debuginfo kept by line-tables-only and for the
 * debug-value passes. */
static int stack_category(struct maker *m, const struct stack *s,
			  const char *backend, int *lines, int *values)
{
	const uint32_t *ids = m->cur->ids + s->first;
	int weak = BT_CAT_NONE, rule = BT_CAT_NONE, cat;
	for (uint16_t k = 0; k < s->depth; k++) {
		int r = rule_of(m, ids[k]);
		if (r == BT_CAT_NONE)
			continue;
		if (!(r & BT_RULE_WEAK)) {
			rule = r;
			break;
		}
		if (weak == BT_CAT_NONE)
			weak = r;
	}
	if (rule == BT_CAT_NONE)
		rule = weak;
	cat = bt_stack_category(&rule, rule != BT_CAT_NONE, backend);
	*lines = cat == BT_CAT_DEBUGINFO && bt_stack_line_tables(&rule, 1);
	*values = cat == BT_CAT_DEBUGINFO && bt_stack_debug_values(&rule, 1);
	return cat;
}

/* Pre-merging, for builds whose trees will be pruned anyway (see
 * bt_profile_make): the levels of each stack, in ORDER, that lie in a
 * node of this image worth at least MIN_US; the deeper ones will go to
 * "[small frames, merged]" as tb_prune would merge them, so they need
 * never be made.  ORDER is path order (per category for the by-category
 * tree), so a node's stacks are consecutive: a sweep over the levels
 * each stack opens (LCPS[i]: the levels it shares with the one before)
 * finds every node's value from prefix sums.
 * Levels 0 and 1 (thread kind and marker) are always kept.  A node that
 * two images of a unit share is judged by each image's share alone: a
 * unit's rustc and its linker share only their outermost frames, which
 * are heavy anyway.  The processes outside any unit (cargo, probes) are
 * not pre-merged: they share one node per group. */
static void keep_levels(struct maker *m, const uint32_t *order,
			const uint16_t *lcps, double period_us, uint64_t min_us,
			uint64_t *sum, uint16_t *keep)
{
	size_t start[LEVELS], open = 0, n = m->cur->n;

	sum[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const struct stack *s = &m->cur->s[order[i]];
		sum[i + 1] = sum[i] + weight_us(s->weight, period_us);
		keep[order[i]] = 2;
	}
	for (size_t i = 0; i <= n; i++) {
		const struct stack *s = i < n ? &m->cur->s[order[i]] : NULL;
		size_t lcp = i < n ? lcps[i] : 0;
		size_t levels = s ? 2 + (size_t)s->depth : 0;
		/* close the levels the stack does not share, deepest first */
		while (open > lcp) {
			size_t l = --open;
			if (l < 2 || sum[i] - sum[start[l]] < min_us)
				continue;
			for (size_t j = start[l]; j < i; j++)
				if (keep[order[j]] < l + 1)
					keep[order[j]] = (uint16_t)(l + 1);
		}
		for (; open < levels; open++)
			start[open] = i;
	}
	for (size_t i = 0; i < n && !m->premerged; i++)
		m->premerged = keep[i] < 2 + m->cur->s[i].depth;
}

/* Walks the distinct stacks of one image, in ORDER, into the tree B below
 * the unit's node (TOP, or per category TOPS[cat]), looking up only the
 * levels a stack does not share with the one before it (LCPS[i]).  KEEP (or
 * NULL: all): the levels of each stack to make; the rest of its value goes to
 * a "[small frames, merged]" child of its last kept level. */
static void walk_stacks(struct maker *m, struct tree_builder *b,
			const uint32_t *order, const uint16_t *lcps,
			const uint8_t *cats, const uint16_t *keep,
			const uint32_t *top, int per_cat,
			const char *const *threads, const char *const *marks,
			double period_us)
{
	struct lnode path[LEVELS];
	uint32_t f[LEVELS], pending = BT_FLAME_NONE;
	int pending_cat = -1;
	size_t prev_kept = 0;
	uint64_t pending_us = 0;

	for (size_t i = 0; i < m->cur->n; i++) {
		const struct stack *s = &m->cur->s[order[i]];
		const uint32_t *ids = m->cur->ids + s->first;
		uint64_t value = weight_us(s->weight, period_us);
		size_t levels = 2 + (size_t)s->depth, from, kept;
		int cat = cats[order[i]];
		uint32_t leaf;

		kept = keep ? keep[order[i]] : levels;
		from = lcps[i];
		if (from > prev_kept)
			from = prev_kept;
		if (from > kept)
			from = kept;
		for (size_t k = 2; k < kept; k++)
			f[k] = ids[s->depth - 1 - (k - 2)];
		tb_path(b, path, from, kept, top[per_cat ? cat : 0],
			threads[s->thread], marks[s->marker], f, cat);
		leaf = tb_leaf(b, path, kept);
		if (kept < levels)
			leaf = tb_node(b, leaf, m->merged_name,
				       BT_FLAME_UNKNOWN, cat);
		/* consecutive stacks often end in the same merged node: add
		 * their CPU up the tree once */
		if (leaf != pending || cat != pending_cat) {
			if (pending != BT_FLAME_NONE)
				tb_add(b, pending, pending_us, pending_cat);
			pending = leaf;
			pending_cat = cat;
			pending_us = 0;
		}
		pending_us += value;
		prev_kept = kept;
	}
	if (pending != BT_FLAME_NONE)
		tb_add(b, pending, pending_us, pending_cat);
}

/* Adds the distinct stacks of one image to both trees and to the unit's
 * categories.  The by-crate tree takes them in path order; the
 * by-category tree in path order within each category (a stable bucket
 * sort of the same order), so that both follow each stack from where it
 * leaves the one before it. */
static int add_stacks(struct maker *m, struct bt_unit *u, const char *unit,
		      const char *const *threads, const char *backend,
		      int whole_cat, double period_us)
{
	const char *const *marks = m->marks;
	uint32_t ua, uc[BT_CAT_MAX], *order, *order_c;
	size_t start[BT_CAT_MAX + 1] = {0};
	uint8_t *cats;
	uint64_t *sum = NULL;
	uint16_t *keep = NULL, *lcp, *lcp_c;

	order = malloc((m->cur->n + 1) * sizeof(*order));
	order_c = malloc((m->cur->n + 1) * sizeof(*order_c));
	cats = malloc(m->cur->n + 1);
	lcp = malloc((m->cur->n + 1) * sizeof(*lcp));
	lcp_c = malloc((m->cur->n + 1) * sizeof(*lcp_c));
	if (!order || !order_c || !cats || !lcp || !lcp_c) {
		free(order);
		free(order_c);
		free(cats);
		free(lcp);
		free(lcp_c);
		return -1;
	}
	double t0 = mono_s(), t1, t2;
	for (size_t i = 0; i < m->cur->n; i++)
		order[i] = (uint32_t)i;
	sort_stacks(m->cur, order, m->cur->n, 0);
	t1 = mono_s();
	m->t_sort += t1 - t0;
	ua = tb_node(&m->crate, m->crate_root, unit, BT_FLAME_GROUP, whole_cat);
	for (int c = 0; c < BT_CAT_MAX; c++)
		uc[c] = BT_FLAME_NONE;
	for (size_t i = 0; i < m->cur->n; i++) {
		const struct stack *s = &m->cur->s[i];
		double value_s = (double)weight_us(s->weight, period_us) / 1e6;
		int cat = whole_cat, lines = 0, values = 0;
		if (cat < 0)
			cat = stack_category(m, s, backend, &lines, &values);
		cats[i] = (uint8_t)cat;
		start[cat + 1]++;
		m->p->cpu_s[cat] += value_s;
		if (u)
			u->categories[cat] += value_s;
		if (u && lines)
			u->debuginfo_lines_s += value_s;
		if (u && values)
			u->debug_values_s += value_s;
	}
	for (int c = 0; c < BT_CAT_MAX; c++) {
		if (start[c + 1])
			uc[c] = tb_node(&m->cat, cat_group(m, c), unit,
					BT_FLAME_GROUP, c);
		start[c + 1] += start[c];
	}
	/* the levels each stack shares with the one before it, in path
	 * order; and in each category's order, where the one before it is
	 * the last stack of its category: in sorted order the levels two
	 * stacks share are the least any two neighbours between share */
	{
		uint16_t run[BT_CAT_MAX];
		int seen[BT_CAT_MAX] = {0};
		for (int k = 0; k < BT_CAT_MAX; k++)
			run[k] = UINT16_MAX;
		for (size_t i = 0; i < m->cur->n; i++) {
			const struct stack *s = &m->cur->s[order[i]];
			uint16_t l =
			    i ? (uint16_t)common_levels(
				    m->cur, &m->cur->s[order[i - 1]], s)
			      : 0;
			int c = cats[order[i]];
			lcp[i] = l;
			for (int k = 0; k < BT_CAT_MAX; k++)
				if (run[k] > l)
					run[k] = l;
			lcp_c[start[c]] = seen[c] ? run[c] : 0;
			seen[c] = 1;
			run[c] = UINT16_MAX;
			order_c[start[c]++] = order[i];
		}
	}
	t2 = mono_s();
	m->t_cat += t2 - t1;
	/* not in the groups of cargo, probes and other processes: their many
	 * images share one node, whose frames are judged on their sum */
	if (m->premerge && u) {
		sum = malloc((m->cur->n + 1) * sizeof(*sum));
		keep = malloc((m->cur->n + 1) * sizeof(*keep));
		if (!sum || !keep) {
			free(order);
			free(order_c);
			free(cats);
			free(sum);
			free(keep);
			free(lcp);
			free(lcp_c);
			return -1;
		}
		keep_levels(m, order, lcp, period_us, m->prune_us, sum, keep);
	}
	walk_stacks(m, &m->crate, order, lcp, cats, keep, &ua, 0, threads,
		    marks, period_us);
	if (keep)
		keep_levels(m, order_c, lcp_c, period_us, m->prune_us, sum,
			    keep);
	walk_stacks(m, &m->cat, order_c, lcp_c, cats, keep, uc, 1, threads,
		    marks, period_us);
	free(lcp);
	free(lcp_c);
	free(sum);
	free(keep);
	m->t_walk += mono_s() - t2;
	free(order);
	free(order_c);
	free(cats);
	return 0;
}

/* ---- the pipeline: one thread reads and symbolizes the samples, the
 * other builds the trees ----
 *
 * Both halves cost about the same at millions of samples, and neither
 * needs the other's data but for a finished stack table, so the reader
 * (the caller's thread, "producer") hands each image's table to a builder
 * thread ("consumer") through a short queue of jobs, in order; the
 * builder sees them in the order one thread would have done them, so the
 * profile is the same byte for byte (BTRACE_THREADS=1 runs the jobs
 * inline, which the tests compare).  What the builder reads of the
 * producer's: the stack table it is handed, and functions by id
 * (bt_symbolizer_func_shared); names it needs are made by the producer
 * (the pool is the producer's) or before the threads start. */

enum job_kind { JOB_IMAGE, JOB_LEAF, JOB_END };

struct job {
	enum job_kind kind;
	int skip;     /* JOB_IMAGE: only give the table back */
	size_t bytes; /* JOB_IMAGE: the table's, as handed over */
	struct bt_unit *u;
	const char *unit;
	int cat; /* JOB_IMAGE: the whole image's, or -1; JOB_LEAF: its */
	/* JOB_IMAGE */
	struct stack_table *st;
	const char **threads; /* by stack thread index; the job's */
	const char *backend;
	double period_us;
	/* JOB_LEAF */
	const char *thread, *leaf;
	uint8_t leaf_kind;
	uint64_t value;
};

#define QUEUE 64  /* jobs */
#define TABLES 16 /* stack tables: one filling, the rest queued or building */
/* ... but no more than this much of them waiting, so that a build of a
 * few huge processes does not hold 16 huge tables at once; and a table
 * bigger than TABLE_KEEP gives its memory back once built */
#define QUEUED_BYTES ((size_t)256 << 20)
#define TABLE_KEEP ((size_t)64 << 20)

static size_t st_bytes(const struct stack_table *st)
{
	return st->cap * sizeof(*st->s) + st->n_slots * sizeof(*st->slots) +
	       st->cap_ids * sizeof(*st->ids);
}

struct pipeline {
	pthread_t thread;
	int threaded;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct job q[QUEUE];
	size_t head, n;
	struct stack_table tables[TABLES];
	struct stack_table *free_tables[TABLES];
	size_t n_free;
	size_t queued_bytes; /* of the tables handed over, not yet back */
	int failed; /* the builder ran out of memory: it drains the rest */
};

static void consume(struct maker *m, struct job *j)
{
	struct pipeline *pl = m->pl;
	if (j->kind == JOB_IMAGE) {
		double t0;
		m->cur = j->st;
		if (j->skip)
			pl->failed = 1;
		if (!pl->failed &&
		    add_stacks(m, j->u, j->unit, j->threads, j->backend, j->cat,
			       j->period_us) < 0)
			pl->failed = 1;
		t0 = mono_s();
		if (!pl->failed && (tb_bound(&m->crate, m->cap, &m->prune_us,
					     m->merged_name) < 0 ||
				    tb_bound(&m->cat, m->cap, &m->prune_us,
					     m->merged_name) < 0))
			pl->failed = 1;
		m->t_bound += mono_s() - t0;
		/* pruning moves nodes: find the category groups anew */
		for (int c = 0; c < BT_CAT_MAX; c++)
			m->cat_node[c] = BT_FLAME_NONE;
		free(j->threads);
		if (st_bytes(j->st) > TABLE_KEEP) {
			st_free(j->st);
			memset(j->st, 0, sizeof(*j->st));
		}
		pthread_mutex_lock(&pl->mu);
		pl->queued_bytes -= j->bytes;
		pl->free_tables[pl->n_free++] = j->st;
		pthread_cond_broadcast(&pl->changed);
		pthread_mutex_unlock(&pl->mu);
	} else if (j->kind == JOB_LEAF && !pl->failed) {
		add_leaf(m, j->u, j->unit, j->thread, j->leaf, j->leaf_kind,
			 j->cat, j->value);
	}
}

static void *builder(void *arg)
{
	struct maker *m = arg;
	struct pipeline *pl = m->pl;
	for (;;) {
		struct job j;
		pthread_mutex_lock(&pl->mu);
		while (!pl->n)
			pthread_cond_wait(&pl->changed, &pl->mu);
		j = pl->q[pl->head];
		pl->head = (pl->head + 1) % QUEUE;
		pl->n--;
		pthread_cond_broadcast(&pl->changed);
		pthread_mutex_unlock(&pl->mu);
		if (j.kind == JOB_END)
			return NULL;
		consume(m, &j);
	}
}

/* Hands job J to the builder (or, unthreaded, does it). */
static void put(struct maker *m, const struct job *j)
{
	struct pipeline *pl = m->pl;
	if (!pl->threaded) {
		struct job c = *j;
		pl->queued_bytes += c.bytes;
		if (c.kind != JOB_END)
			consume(m, &c);
		return;
	}
	pthread_mutex_lock(&pl->mu);
	while (pl->n == QUEUE)
		pthread_cond_wait(&pl->changed, &pl->mu);
	pl->queued_bytes += j->bytes;
	pl->q[(pl->head + pl->n) % QUEUE] = *j;
	pl->n++;
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->mu);
}

/* A stack table to fill, once the builder has given one back. */
static struct stack_table *take_table(struct maker *m)
{
	struct pipeline *pl = m->pl;
	struct stack_table *st;
	pthread_mutex_lock(&pl->mu);
	while (!pl->n_free ||
	       (pl->queued_bytes > QUEUED_BYTES && pl->n_free < TABLES))
		pthread_cond_wait(&pl->changed, &pl->mu);
	st = pl->free_tables[--pl->n_free];
	pthread_mutex_unlock(&pl->mu);
	return st;
}

static int pipeline_start(struct maker *m, struct pipeline *pl)
{
	const char *env = getenv("BTRACE_THREADS");
	memset(pl, 0, sizeof(*pl));
	m->pl = pl;
	for (size_t i = 0; i < TABLES; i++)
		pl->free_tables[pl->n_free++] = &pl->tables[i];
	if (pthread_mutex_init(&pl->mu, NULL))
		return -1;
	if (pthread_cond_init(&pl->changed, NULL)) {
		pthread_mutex_destroy(&pl->mu);
		return -1;
	}
	/* without a second thread (BTRACE_THREADS=1, or none to be had)
	 * the jobs run inline, in the same order */
	pl->threaded = !(env && !strcmp(env, "1")) &&
		       pthread_create(&pl->thread, NULL, builder, m) == 0;
	return 0;
}

/* Waits for the builder to finish every job; -1 if it failed. */
static int pipeline_finish(struct maker *m)
{
	struct pipeline *pl = m->pl;
	struct job end = {.kind = JOB_END};
	put(m, &end);
	if (pl->threaded)
		pthread_join(pl->thread, NULL);
	pthread_cond_destroy(&pl->changed);
	pthread_mutex_destroy(&pl->mu);
	for (size_t i = 0; i < TABLES; i++)
		st_free(&pl->tables[i]);
	return pl->failed ? -1 : 0;
}

/* One process image's samples: symbolize, count distinct stacks, and
 * hand them to the builder. */
static int add_image(struct maker *m, struct bt_unit *u, const char *unit,
		     const struct bt_image *im, const char *backend,
		     int whole_cat, uint64_t *sampled_us)
{
	struct bt_image_syms *is;
	struct stack_table *st;
	struct job j;
	const char **threads;
	uint32_t ids[BT_MAX_DEPTH], *kind, last_t = 0;
	uint64_t pcs[BT_MAX_DEPTH], last_tid = UINT64_MAX;
	double period_us = (double)im->sampling.period_ns / 1e3, t0;
	size_t n_threads = im->n_threads + 1;

	if (!im->n_samples || !im->has_sampling)
		return 0;
	is = bt_symbolizer_image(m->sym, im);
	threads = calloc(n_threads + 1, sizeof(*threads));
	kind = calloc(n_threads + 1, sizeof(*kind));
	if (!is || !threads || !kind) {
		free(threads);
		free(kind);
		return -1;
	}
	/* thread kinds: index k < n_threads-1 is im->threads[k]; the last
	 * stands for threads that left no THREAD record.  KIND[k] is the
	 * first thread of k's kind ("opt cgu.00" and "opt cgu.07" are one
	 * kind, one node): the stack table counts stacks by kind, so that
	 * a kind's stacks sort together and equal stacks count once. */
	for (size_t k = 0; k < im->n_threads; k++)
		threads[k] = thread_kind(m, im->threads[k].name,
					 (im->threads[k].rec.flags & 1) != 0);
	threads[n_threads - 1] = thread_kind(m, NULL, 0);
	for (size_t k = 0; k < n_threads; k++) {
		kind[k] = (uint32_t)k;
		for (size_t j = 0; j < k; j++)
			if (threads[j] == threads[k]) {
				kind[k] = (uint32_t)j;
				break;
			}
	}
	t0 = mono_s();
	st = take_table(m);
	m->t_wait += mono_s() - t0;
	st_reset(st);
	t0 = mono_s();
	for (size_t bi = 0; bi < im->n_batches; bi++) {
		const struct bt_sample_batch *bt = &im->batches[bi];
		struct bt_sample_head h;
		size_t off = 0;
		while (bt_batch_next(bt, &off, &h, pcs)) {
			uint32_t t = (uint32_t)(n_threads - 1), raw_t;
			uint16_t marker = 0, depth;
			if (h.tid == last_tid) {
				t = last_t;
			} else {
				for (size_t k = 0; k < im->n_threads; k++)
					if (im->threads[k].rec.tid == h.tid) {
						t = (uint32_t)k;
						break;
					}
				last_tid = h.tid;
				last_t = t;
			}
			raw_t = t;
			t = kind[t];
			/* frames and frames_unknown are the symbolizer's
			 * counts (bt_profile_make): reading each frame's
			 * function here would be a cache miss per frame */
			depth = (uint16_t)bt_symbolize_thread_stack(
			    m->sym, is, raw_t, pcs, h.depth, h.mono_ns, ids);
			if (h.flags & BT_SAMPLE_CUT)
				marker = 1;
			else if (h.flags & BT_SAMPLE_UNWIND_FAILED)
				marker = 2;
			else if (h.flags & BT_SAMPLE_TRUNCATED)
				marker = 3;
			if (h.flags & BT_SAMPLE_TRUNCATED)
				m->p->truncated_cpu_s +=
				    (double)weight_us(h.weight, period_us) /
				    1e6;
			m->p->samples++;
			m->p->sample_weight += h.weight;
			*sampled_us += weight_us(h.weight, period_us);
			if (st_add(st, ids, depth, marker, t, h.weight) < 0)
				goto fail;
		}
	}
	m->p->period_s = period_us / 1e6;
	m->distinct_stacks += st->n;
	m->t_read += mono_s() - t0;
	free(kind);
	bt_image_drop_pages(im);
	j = (struct job){.kind = JOB_IMAGE,
			 .bytes = st_bytes(st),
			 .u = u,
			 .unit = unit,
			 .cat = whole_cat,
			 .st = st,
			 .threads = threads,
			 .backend = backend,
			 .period_us = period_us};
	put(m, &j);
	return 0;
fail:
	/* give the table back through the builder, which skips no job */
	free(kind);
	j = (struct job){.kind = JOB_IMAGE,
			 .st = st,
			 .threads = threads,
			 .skip = 1,
			 .bytes = st_bytes(st)};
	put(m, &j);
	return -1;
}

/* Samples lost by the sampler (buffer full, write failed), in us. */
static uint64_t lost_us(const struct bt_image *im)
{
	if (!im->has_sampler_end || !im->has_sampling)
		return 0;
	return (im->sampler_end.dropped_full + im->sampler_end.dropped_write) *
	       im->sampling.period_ns / 1000;
}

/* A leaf of VALUE us below UNIT (and THREAD, if not NULL), for the
 * builder's add_leaf(). */
static void put_leaf(struct maker *m, struct bt_unit *u, const char *unit,
		     const char *thread, const char *leaf, uint8_t kind,
		     int cat, uint64_t value)
{
	struct job j = {.kind = JOB_LEAF,
			.u = u,
			.unit = unit,
			.cat = cat,
			.thread = thread,
			.leaf = leaf,
			.leaf_kind = kind,
			.value = value};
	put(m, &j);
}

static int add_node(struct maker *m, struct bt_node *n)
{
	struct bt_unit *u = n->unit;
	const struct bt_proc *pr = n->proc;
	uint64_t cpu_us = pr->cpu_us, sampled = 0, lost = 0;
	const char *unit, *backend = "llvm";
	int whole_cat = -1, cat_rest = BT_CAT_OTHER;
	const char *thread;

	switch (n->kind) {
	case BT_KIND_RUSTC:
	case BT_KIND_RUSTDOC:
		unit = unit_name(m, u);
		backend = u->flags.codegen_backend;
		break;
	case BT_KIND_LINKER:
		if (!u)
			goto other;
		unit = unit_name(m, u);
		whole_cat = cat_rest = BT_CAT_LINK;
		break;
	case BT_KIND_BUILD_SCRIPT:
		unit = unit_name(m, u);
		whole_cat = cat_rest = BT_CAT_BUILD_SCRIPT;
		break;
	case BT_KIND_CARGO:
		unit = pool_add(&m->names, "[cargo]");
		whole_cat = cat_rest = BT_CAT_CARGO;
		u = NULL;
		break;
	case BT_KIND_RUSTC_PROBE:
		unit = pool_add(&m->names, "[rustc probes]");
		whole_cat = cat_rest = BT_CAT_PROBE;
		u = NULL;
		break;
	default:
	other:
		unit = pool_add(&m->names, "[other processes]");
		whole_cat = cat_rest = BT_CAT_OTHER;
		u = NULL;
		break;
	}
	if (!unit)
		return -1;
	for (size_t k = 0; k < pr->n_images; k++) {
		if (add_image(m, u, unit, pr->images[k], backend, whole_cat,
			      &sampled) < 0)
			return -1;
		lost += lost_us(pr->images[k]);
	}
	if (lost) {
		put_leaf(m, u, unit, NULL,
			 pool_add(&m->names, "[lost samples]"), BT_FLAME_GAP,
			 cat_rest, lost);
		m->p->lost_cpu_s += (double)lost / 1e6;
	}
	m->p->sampled_cpu_s += (double)sampled / 1e6;
	if (cpu_us > sampled + lost) {
		uint64_t rest = cpu_us - sampled - lost;
		const char *leaf;
		if (n->kind == BT_KIND_LINKER)
			thread = pool_add(&m->names, "%s", n->name);
		else
			thread = NULL;
		if (sampled)
			leaf = pool_add(&m->names, "[not sampled: start-up "
						   "and exit]");
		else
			leaf = pool_add(&m->names, "[not sampled: %s]",
					n->kind == BT_KIND_BUILD_SCRIPT
					    ? "build script"
					    : n->name);
		/* a compiler's CPU that no sample covers is its start-up
		 * and exit (docs/attribution.md) */
		put_leaf(m, u, unit, thread, leaf, BT_FLAME_UNSAMPLED,
			 n->kind == BT_KIND_RUSTC || n->kind == BT_KIND_RUSTDOC
			     ? BT_CAT_STARTUP
			     : cat_rest,
			 rest);
		m->p->unsampled_cpu_s += (double)rest / 1e6;
	}
	return 0;
}

static int add_warning(struct bt_profile *p, const char *line)
{
	char **w;
	for (size_t i = 0; i < p->n_warnings; i++)
		if (!strcmp(p->warnings[i], line))
			return 0; /* a module file seen with two layouts */
	w = realloc(p->warnings, (p->n_warnings + 1) * sizeof(*w));
	if (!w)
		return -1;
	p->warnings = w;
	w[p->n_warnings] = strdup(line);
	if (!w[p->n_warnings])
		return -1;
	p->n_warnings++;
	return 0;
}

int bt_profile_make(struct bt_build *b, struct bt_profile *p, char *err,
		    size_t errlen)
{
	struct maker m = {0};
	struct pipeline pl;
	struct bt_sym_stats ss;
	const char *const *lines, *root;
	size_t n_lines;
	int failed = 0;

	memset(p, 0, sizeof(*p));
	m.b = b;
	m.p = p;
	m.crate.t = &p->by_crate;
	m.cat.t = &p->by_category;
	m.sym = bt_symbolizer_new();
	if (!m.sym)
		goto oom;
	m.crate.sym = m.cat.sym = m.sym;
	root = pool_add(&m.names, "build");
	m.crate_root =
	    tb_node(&m.crate, BT_FLAME_NONE, root, BT_FLAME_ROOT, -1);
	m.cat_root = tb_node(&m.cat, BT_FLAME_NONE, root, BT_FLAME_ROOT, -1);
	for (int c = 0; c < BT_CAT_MAX; c++)
		m.cat_node[c] = BT_FLAME_NONE;
	/* BTRACE_PROFILE_NODES lowers the cap, for tests */
	m.cap = TREE_CAP;
	if (getenv("BTRACE_PROFILE_NODES") &&
	    strtoul(getenv("BTRACE_PROFILE_NODES"), NULL, 10) >= 64)
		m.cap = strtoul(getenv("BTRACE_PROFILE_NODES"), NULL, 10);
	/* start pruning, if it comes to that, at 0.001% of the build */
	m.prune_us = (uint64_t)(b->cpu_s * 10) + 1;
	/* BTRACE_PROFILE_MERGE_US raises it, for tests */
	if (getenv("BTRACE_PROFILE_MERGE_US") &&
	    strtoull(getenv("BTRACE_PROFILE_MERGE_US"), NULL, 10) > m.prune_us)
		m.prune_us =
		    strtoull(getenv("BTRACE_PROFILE_MERGE_US"), NULL, 10);
	m.merged_name = pool_add(&m.names, "[small frames, merged]");
	/* A build with more sampled frames than the cap will be pruned:
	 * merge each image's small frames before they are made (at about
	 * 20 frames a sample; real rustc stacks are 23 deep) */
	{
		uint64_t samples = 0;
		for (size_t i = 0; i < b->n_nodes; i++)
			for (size_t k = 0; k < b->nodes[i].proc->n_images; k++)
				samples +=
				    b->nodes[i].proc->images[k]->n_samples;
		m.premerge = samples * 20 > m.cap;
		/* BTRACE_PROFILE_PREMERGE=0 or 1: never or always (for
		 * tests and benchmarks) */
		if (getenv("BTRACE_PROFILE_PREMERGE"))
			m.premerge =
			    !strcmp(getenv("BTRACE_PROFILE_PREMERGE"), "1");
	}
	for (int c = 0; c < BT_CAT_MAX; c++)
		m.cat_names[c] = pool_add(&m.names, "%s", bt_category_name(c));
	m.marks[1] =
	    pool_add(&m.names, "[stack cut at %d frames]", BT_MAX_DEPTH);
	m.marks[2] = pool_add(&m.names, "[unwinding failed]");
	m.marks[3] = pool_add(&m.names, "[no unwind info: stack truncated]");
	for (size_t i = 0; i < b->n_units; i++)
		memset(b->units[i].categories, 0,
		       sizeof(b->units[i].categories));
	if (pipeline_start(&m, &pl) < 0)
		goto oom;
	for (size_t i = 0; i < b->n_nodes && !failed; i++)
		failed = add_node(&m, &b->nodes[i]) < 0;
	{
		double t0 = mono_s();
		int rc = pipeline_finish(&m);
		m.t_join = mono_s() - t0;
		if (rc < 0 || failed)
			goto oom;
	}
	if (m.crate.failed || m.cat.failed)
		goto oom;
	/* the lookups are done: the memo need not live on beside the
	 * expanded trees and the writers (it is the peak's biggest part) */
	{
		double t0 = mono_s();
		bt_symbolizer_trim(m.sym);
		if (tb_finish(&m.crate) < 0 || tb_finish(&m.cat) < 0)
			goto oom;
		m.t_finish = mono_s() - t0;
	}
	if (m.crate.pruned || m.cat.pruned || m.premerged)
		p->merged_below_us = m.prune_us;
	bt_symbolizer_stats(m.sym, &ss);
	if (getenv("BTRACE_DEBUG"))
		fprintf(stderr,
			"btrace: profile: %llu samples, %llu frames, %llu "
			"distinct stacks, %llu distinct addresses, %llu "
			"front-cache hits, %llu memo hits, %zu functions\n",
			(unsigned long long)p->samples,
			(unsigned long long)ss.lookups,
			(unsigned long long)m.distinct_stacks,
			(unsigned long long)ss.memo_entries,
			(unsigned long long)ss.front_hits,
			(unsigned long long)ss.memo_hits, ss.funcs);
	if (getenv("BTRACE_DEBUG"))
		fprintf(stderr,
			"btrace: profile: read+symbolize %.3f s, sort %.3f s, "
			"categories %.3f s, walk %.3f s, bound %.3f s; waited "
			"%.3f s for tables, %.3f s for the builder; finish "
			"%.3f s\n",
			m.t_read, m.t_sort, m.t_cat, m.t_walk, m.t_bound,
			m.t_wait, m.t_join, m.t_finish);
	/* every lookup of this symbolizer is a sampled frame */
	p->frames = ss.lookups;
	p->frames_unknown = ss.unknown_frames;
	p->modules = ss.modules;
	p->modules_missing = ss.modules_missing;
	p->modules_changed = ss.modules_changed;
	p->modules_stripped = ss.modules_stripped;
	n_lines = bt_symbolizer_problems(m.sym, &lines);
	for (size_t i = 0; i < n_lines; i++)
		if (add_warning(p, lines[i]) < 0)
			goto oom;
	p->names_ = m.names.s;
	p->n_names_ = m.names.n;
	p->sym_ = m.sym;
	free(m.rule);
	return 0;
oom:
	snprintf(err, errlen, "out of memory making the profile");
	tb_free(&m.crate);
	tb_free(&m.cat);
	free(m.rule);
	pool_free(&m.names);
	if (m.sym)
		bt_symbolizer_free(m.sym);
	free(p->by_crate.nodes);
	free(p->by_category.nodes);
	memset(p, 0, sizeof(*p));
	return -1;
}

void bt_profile_free(struct bt_profile *p)
{
	struct pool names = {p->names_, p->n_names_, p->n_names_};
	pool_free(&names);
	if (p->sym_)
		bt_symbolizer_free(p->sym_);
	free(p->by_crate.nodes);
	free(p->by_category.nodes);
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}
