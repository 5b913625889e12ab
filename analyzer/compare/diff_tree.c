/* diff_tree.c - two sides' profiles merged by path (diff_tree.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "compare/diff_tree.h"

static uint64_t key_hash(uint32_t parent, const char *name)
{
	uint64_t h = bt_hash_str(BT_HASH_SEED, name);
	return bt_mix64(h ^ ((uint64_t)parent << 32 | parent));
}

static int grow_slots(struct bt_diff_tree *t)
{
	size_t n = t->n_slots_ ? t->n_slots_ * 2 : 1024;
	uint32_t *s = malloc(n * sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		s[i] = BT_FLAME_NONE;
	for (uint32_t i = 0; i < t->flame.n_nodes; i++) {
		const struct bt_flame_node *f = &t->flame.nodes[i];
		size_t j = key_hash(f->parent, f->name) & (n - 1);
		while (s[j] != BT_FLAME_NONE)
			j = (j + 1) & (n - 1);
		s[j] = i;
	}
	free(t->slots_);
	t->slots_ = s;
	t->n_slots_ = n;
	return 0;
}

/* The node named NAME under PARENT (BT_FLAME_NONE for the root), made
 * from SRC if new.  Returns its index, or BT_FLAME_NONE when out of
 * memory. */
static uint32_t find_or_add(struct bt_diff_tree *t, uint32_t parent,
			    const struct bt_flame_node *src)
{
	const char *name = src->name ? src->name : "[unnamed]";
	struct bt_flame_node *f;
	size_t j;

	if ((t->flame.n_nodes + 1) * 2 > t->n_slots_ && grow_slots(t) < 0)
		return BT_FLAME_NONE;
	j = key_hash(parent, name) & (t->n_slots_ - 1);
	for (; t->slots_[j] != BT_FLAME_NONE; j = (j + 1) & (t->n_slots_ - 1)) {
		f = &t->flame.nodes[t->slots_[j]];
		if (f->parent == parent && !strcmp(f->name, name)) {
			if (f->category != src->category)
				f->category = -1;
			return t->slots_[j];
		}
	}
	if (t->flame.n_nodes == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct bt_flame_node *fn;
		struct bt_diff_node *dn;
		if (cap >= BT_FLAME_NONE)
			return BT_FLAME_NONE;
		fn = realloc(t->flame.nodes, cap * sizeof(*fn));
		if (!fn)
			return BT_FLAME_NONE;
		t->flame.nodes = fn;
		dn = realloc(t->nodes, cap * sizeof(*dn));
		if (!dn)
			return BT_FLAME_NONE;
		t->nodes = dn;
		t->cap = cap;
	}
	f = &t->flame.nodes[t->flame.n_nodes];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return BT_FLAME_NONE;
	f->parent = parent;
	f->first_child = f->next_sibling = BT_FLAME_NONE;
	f->kind = src->kind;
	f->category = src->category;
	memset(&t->nodes[t->flame.n_nodes], 0, sizeof(*t->nodes));
	t->slots_[j] = (uint32_t)t->flame.n_nodes;
	return (uint32_t)t->flame.n_nodes++;
}

int bt_diff_tree_add(struct bt_diff_tree *t, const struct bt_flame_tree *src,
		     int side, double weight)
{
	/* Depth first with an explicit stack of (source node, merged
	 * parent); a parent is merged before its children, so its index is
	 * smaller. */
	struct item {
		uint32_t src, parent;
	} * stack;
	size_t sp = 0;
	unsigned char *seen;
	int rc = -1;

	if (!src->n_nodes)
		return 0;
	stack = malloc(src->n_nodes * sizeof(*stack));
	seen = calloc(src->n_nodes, 1);
	if (!stack || !seen)
		goto out;
	stack[sp++] = (struct item){0, BT_FLAME_NONE};
	seen[0] = 1;
	while (sp) {
		struct item it = stack[--sp];
		const struct bt_flame_node *s = &src->nodes[it.src];
		/* One root, whatever each side named it. */
		uint32_t m = it.parent == BT_FLAME_NONE && t->flame.n_nodes
				 ? 0
				 : find_or_add(t, it.parent, s);
		if (m == BT_FLAME_NONE)
			goto out;
		t->nodes[m].us[side] += (double)s->value_us * weight;
		for (uint32_t c = s->first_child; c != BT_FLAME_NONE;
		     c = src->nodes[c].next_sibling) {
			if (c >= src->n_nodes || seen[c])
				break; /* a broken list ends there */
			seen[c] = 1;
			stack[sp++] = (struct item){c, m};
		}
	}
	rc = 0;
out:
	free(stack);
	free(seen);
	return rc;
}

static const struct bt_flame_node *sort_nodes;

static int by_width(const void *a, const void *b)
{
	const struct bt_flame_node *x = &sort_nodes[*(const uint32_t *)a];
	const struct bt_flame_node *y = &sort_nodes[*(const uint32_t *)b];
	if (x->value_us != y->value_us)
		return x->value_us > y->value_us ? -1 : 1;
	return strcmp(x->name, y->name);
}

int bt_diff_tree_finish(struct bt_diff_tree *t)
{
	struct bt_flame_node *n = t->flame.nodes;
	size_t count = t->flame.n_nodes;
	uint64_t *kids;
	uint32_t *order;

	if (!count)
		return 0;
	kids = calloc(count, sizeof(*kids));
	order = malloc(count * sizeof(*order));
	if (!kids || !order) {
		free(kids);
		free(order);
		return -1;
	}
	/* Widths bottom-up: children have larger indices than parents. */
	for (size_t i = count; i-- > 0;) {
		uint64_t b = (uint64_t)llround(t->nodes[i].us[0]);
		uint64_t w = (uint64_t)llround(t->nodes[i].us[1]);
		if (b > w)
			w = b;
		if (kids[i] > w)
			w = kids[i];
		n[i].value_us = w;
		if (i)
			kids[n[i].parent] += w;
	}
	/* Children lists, largest first: sort all but the root by (parent,
	 * width) and link each run. */
	for (size_t i = 0; i < count; i++) {
		order[i] = (uint32_t)i;
		n[i].first_child = n[i].next_sibling = BT_FLAME_NONE;
		n[i].depth = i ? (uint16_t)(n[n[i].parent].depth + 1) : 0;
	}
	sort_nodes = n;
	qsort(order + 1, count - 1, sizeof(*order), by_width);
	for (size_t i = count; i-- > 1;) {
		struct bt_flame_node *c = &n[order[i]];
		c->next_sibling = n[c->parent].first_child;
		n[c->parent].first_child = order[i];
	}
	free(kids);
	free(order);
	return 0;
}

void bt_diff_tree_free(struct bt_diff_tree *t)
{
	for (size_t i = 0; i < t->flame.n_nodes; i++)
		free((char *)t->flame.nodes[i].name);
	free(t->flame.nodes);
	free(t->nodes);
	free(t->slots_);
	memset(t, 0, sizeof(*t));
}
