/* make_flame.c - writes flame.svg (and stacks.folded) for a hand-built
 * profile, with no trace: the input of the Chromium test, and with
 * --nodes N a large random profile for sizes and timings.
 *
 *   make_flame OUT.svg [OUT.folded] [--nodes N [--chains|--chain]]
 *              [--by-category]
 *
 * The small profile (by crate; values in microseconds, 10 s in all):
 *
 *   build 10000000
 *     regex 1.7.1 lib 6000000 (group)
 *       rustc 4000000 (group)
 *         rustc_driver::main 4000000 (several categories)
 *           rustc_codegen_llvm::alloc_thing 2500000 (codegen_llvm)
 *             <alloc::vec::Vec<T> as Drop>::drop & "co" 1000000
 *           rustc_parse::parse_crate 1500000 (frontend)
 *             serde_derive::de::expand_derive_deserialize 1000000
 *               (frontend: a frame in a proc-macro library)
 *               rustc_expand::proc_macro_server::from_str 400000
 *       opt cgu 1500000 (group)
 *         llvm::DwarfDebug::endFunction(llvm::MachineFunction const*)
 *           1500000 (debuginfo)
 *       [not sampled: start-up] 500000
 *     app 0.1.0 bin 3000000 (group)
 *       linker 3000000 (group)
 *         ld::alloc_sections 2000000 (link)
 *         [unknown] 1000000
 *     [lost samples] 990000
 *     tiny_0 .. tiny_19 500 each (0.06 px: merged into one frame)
 *
 * Searching "alloc" matches three frames, one inside another: 4.5 s,
 * 45.00% of all. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/profile.h"
#include "output/writer.h"

struct tree_maker {
	struct bt_flame_tree *t;
	size_t cap;
	uint32_t *last_child; /* to append children in order */
};

static uint32_t add(struct tree_maker *m, uint32_t parent, const char *name,
		    uint64_t v, int kind, int cat)
{
	struct bt_flame_tree *t = m->t;
	uint32_t i = (uint32_t)t->n_nodes++;
	struct bt_flame_node *n = &t->nodes[i];

	if (t->n_nodes > m->cap) {
		fprintf(stderr, "make_flame: too many nodes\n");
		exit(1);
	}
	n->name = name;
	n->value_us = v;
	n->parent = parent;
	n->first_child = n->next_sibling = BT_FLAME_NONE;
	n->kind = (uint8_t)kind;
	n->category = (int8_t)cat;
	n->depth = parent == BT_FLAME_NONE ? 0 : t->nodes[parent].depth + 1;
	m->last_child[i] = BT_FLAME_NONE;
	if (parent != BT_FLAME_NONE) {
		if (m->last_child[parent] == BT_FLAME_NONE)
			t->nodes[parent].first_child = i;
		else
			t->nodes[m->last_child[parent]].next_sibling = i;
		m->last_child[parent] = i;
	}
	return i;
}

static void maker_init(struct tree_maker *m, struct bt_flame_tree *t,
		       size_t cap)
{
	m->t = t;
	m->cap = cap;
	t->nodes = calloc(cap, sizeof(*t->nodes));
	m->last_child = calloc(cap, sizeof(*m->last_child));
	if (!t->nodes || !m->last_child) {
		fprintf(stderr, "make_flame: out of memory\n");
		exit(1);
	}
}

static const char *const tiny[] = {
    "tiny_0",  "tiny_1",  "tiny_2",  "tiny_3",	"tiny_4",  "tiny_5",  "tiny_6",
    "tiny_7",  "tiny_8",  "tiny_9",  "tiny_10", "tiny_11", "tiny_12", "tiny_13",
    "tiny_14", "tiny_15", "tiny_16", "tiny_17", "tiny_18", "tiny_19",
};

/* The small profile above, in both groupings. */
static void small_profile(struct bt_profile *p)
{
	struct tree_maker m;
	uint32_t r, u, th, f;

	maker_init(&m, &p->by_crate, 64);
	r = add(&m, BT_FLAME_NONE, "build", 10000000, BT_FLAME_ROOT, -1);
	u = add(&m, r, "regex 1.7.1 lib", 6000000, BT_FLAME_GROUP, -1);
	th = add(&m, u, "rustc", 4000000, BT_FLAME_GROUP, -1);
	f = add(&m, th, "rustc_driver::main", 4000000, BT_FLAME_FRAME, -1);
	f = add(&m, f, "rustc_codegen_llvm::alloc_thing", 2500000,
		BT_FLAME_FRAME, BT_CAT_CODEGEN_LLVM);
	add(&m, f, "<alloc::vec::Vec<T> as Drop>::drop & \"co\"", 1000000,
	    BT_FLAME_FRAME, BT_CAT_CODEGEN_LLVM);
	f = add(&m, m.t->nodes[f].parent, "rustc_parse::parse_crate", 1500000,
		BT_FLAME_FRAME, BT_CAT_FRONTEND);
	f = add(&m, f, "serde_derive::de::expand_derive_deserialize", 1000000,
		BT_FLAME_MACRO, BT_CAT_FRONTEND);
	add(&m, f, "rustc_expand::proc_macro_server::from_str", 400000,
	    BT_FLAME_FRAME, BT_CAT_FRONTEND);
	th = add(&m, u, "opt cgu", 1500000, BT_FLAME_GROUP, BT_CAT_DEBUGINFO);
	add(&m, th,
	    "llvm::DwarfDebug::endFunction(llvm::MachineFunction const*)",
	    1500000, BT_FLAME_FRAME, BT_CAT_DEBUGINFO);
	add(&m, u, "[not sampled: start-up]", 500000, BT_FLAME_UNSAMPLED,
	    BT_CAT_OTHER);
	u = add(&m, r, "app 0.1.0 bin", 3000000, BT_FLAME_GROUP, BT_CAT_LINK);
	th = add(&m, u, "linker", 3000000, BT_FLAME_GROUP, BT_CAT_LINK);
	add(&m, th, "ld::alloc_sections", 2000000, BT_FLAME_FRAME, BT_CAT_LINK);
	add(&m, th, "[unknown]", 1000000, BT_FLAME_UNKNOWN, BT_CAT_LINK);
	add(&m, r, "[lost samples]", 990000, BT_FLAME_GAP, BT_CAT_OTHER);
	for (size_t i = 0; i < sizeof(tiny) / sizeof(*tiny); i++)
		add(&m, r, tiny[i], 500, BT_FLAME_FRAME, BT_CAT_OTHER);
	free(m.last_child);

	/* The same leaves by category (only what the Chromium test and
	 * --by-category need: a plausible tree, not a full copy). */
	maker_init(&m, &p->by_category, 64);
	r = add(&m, BT_FLAME_NONE, "build", 10000000, BT_FLAME_ROOT, -1);
	u = add(&m, r, "codegen_llvm", 2500000, BT_FLAME_GROUP,
		BT_CAT_CODEGEN_LLVM);
	u = add(&m, u, "regex 1.7.1 lib", 2500000, BT_FLAME_GROUP,
		BT_CAT_CODEGEN_LLVM);
	u = add(&m, u, "rustc", 2500000, BT_FLAME_GROUP, BT_CAT_CODEGEN_LLVM);
	u = add(&m, u, "rustc_driver::main", 2500000, BT_FLAME_FRAME,
		BT_CAT_CODEGEN_LLVM);
	u = add(&m, u, "rustc_codegen_llvm::alloc_thing", 2500000,
		BT_FLAME_FRAME, BT_CAT_CODEGEN_LLVM);
	add(&m, u, "<alloc::vec::Vec<T> as Drop>::drop & \"co\"", 1000000,
	    BT_FLAME_FRAME, BT_CAT_CODEGEN_LLVM);
	u = add(&m, r, "link", 3000000, BT_FLAME_GROUP, BT_CAT_LINK);
	u = add(&m, u, "app 0.1.0 bin", 3000000, BT_FLAME_GROUP, BT_CAT_LINK);
	u = add(&m, u, "linker", 3000000, BT_FLAME_GROUP, BT_CAT_LINK);
	add(&m, u, "ld::alloc_sections", 2000000, BT_FLAME_FRAME, BT_CAT_LINK);
	add(&m, u, "[unknown]", 1000000, BT_FLAME_UNKNOWN, BT_CAT_LINK);
	u = add(&m, r, "other", 1500000, BT_FLAME_GROUP, BT_CAT_OTHER);
	u = add(&m, u, "regex 1.7.1 lib", 500000, BT_FLAME_GROUP, BT_CAT_OTHER);
	add(&m, u, "[not sampled: start-up]", 500000, BT_FLAME_UNSAMPLED,
	    BT_CAT_OTHER);
	add(&m, m.t->nodes[u].parent, "[lost samples]", 990000, BT_FLAME_GAP,
	    BT_CAT_OTHER);
	add(&m, m.t->nodes[u].parent, "tiny_0", 10000, BT_FLAME_FRAME,
	    BT_CAT_OTHER);
	u = add(&m, r, "frontend", 1500000, BT_FLAME_GROUP, BT_CAT_FRONTEND);
	add(&m, u, "rustc_parse::parse_crate", 1500000, BT_FLAME_FRAME,
	    BT_CAT_FRONTEND);
	u = add(&m, r, "debuginfo", 1500000, BT_FLAME_GROUP, BT_CAT_DEBUGINFO);
	add(&m, u,
	    "llvm::DwarfDebug::endFunction(llvm::MachineFunction const*)",
	    1500000, BT_FLAME_FRAME, BT_CAT_DEBUGINFO);
	free(m.last_child);

	p->samples = 9000;
	p->frames = 90000;
	p->frames_unknown = 4500;
	p->unsampled_cpu_s = 0.5;
	p->lost_cpu_s = 0.99;
}

/* A deterministic random generator (xorshift), so the big profile is the
 * same on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static const char *const words[] = {
    "rustc_middle",
    "ty",
    "query",
    "rustc_codegen_llvm",
    "llvm",
    "SelectionDAG",
    "Vec<T>",
    "HashMap",
    "Iterator",
    "fold",
    "core::ptr",
    "drop_in_place",
    "Rc<RefCell<Node>>",
    "&'a str",
    "Pass",
};

/* N nodes.  The default shape looks like a build: 200 units, three
 * thread kinds each, then stacks from a walk that goes deeper, climbs
 * back (never above the thread kinds) or jumps to another thread, so the
 * tree has ragged depth and the long tail of small stacks real profiles
 * have.  CHAINS is the worst case for the SVG's size: N/10 chains of 10
 * frames of equal width under the root, every frame wide enough to draw.
 * CHAINS 2 is one chain N deep: the worst case for browsers' parsers.  Leaf
 * self values are exponential-ish; inclusive values are summed up, then
 * each child list is ordered largest first. */
static void big_tree(struct bt_flame_tree *t, size_t n, int chains)
{
	uint32_t *parent = calloc(n, sizeof(*parent));
	uint32_t *depth = calloc(n, sizeof(*depth));
	uint64_t *val = calloc(n, sizeof(*val));
	uint32_t **kids = calloc(n, sizeof(*kids));
	size_t *nk = calloc(n, sizeof(*nk));
	uint32_t cur = 0;

	t->nodes = calloc(n, sizeof(*t->nodes));
	if (!parent || !depth || !val || !kids || !nk || !t->nodes)
		exit(1);
	t->n_nodes = n;
	parent[0] = BT_FLAME_NONE;
	for (size_t i = 1; i < n; i++) {
		unsigned r = (unsigned)(rnd() % 100);
		if (chains == 2)
			cur = (uint32_t)i - 1;
		else if (chains)
			cur = i % 10 == 1 ? 0 : (uint32_t)i - 1;
		else if (i <= 200)
			cur = 0; /* units */
		else if (i <= 800)
			cur = (uint32_t)(i - 201) / 3 + 1; /* thread kinds */
		else if (i == 801 || r < 3)
			cur = 201 + (uint32_t)(rnd() % 600); /* jump */
		else if (r < 55)
			cur = (uint32_t)i - 1; /* deeper */
		else /* climb a few levels, staying in the thread */
			for (unsigned k = 1 + (unsigned)(rnd() % 5);
			     k && depth[cur] > 2; k--)
				cur = parent[cur];
		parent[i] = cur;
		depth[i] = depth[cur] + 1;
		nk[cur]++;
		val[i] = chains == 2 ? (i == n - 1) * 1000
			 : chains    ? (i % 10 == 0) * 1000
				     : 1 + (rnd() % 1000) * (rnd() % 1000) /
					    (1 + rnd() % 50);
	}
	for (size_t i = 0; i < n; i++) {
		kids[i] = calloc(nk[i] + 1, sizeof(**kids));
		if (!kids[i])
			exit(1);
		nk[i] = 0;
	}
	for (size_t i = n - 1; i > 0; i--)
		val[parent[i]] += val[i];
	for (size_t i = 1; i < n; i++)
		kids[parent[i]][nk[parent[i]]++] = (uint32_t)i;
	for (size_t i = 0; i < n; i++) {
		struct bt_flame_node *nd = &t->nodes[i];
		char name[200];
		/* largest first: insertion sort is fine for a test tool */
		for (size_t a = 1; a < nk[i]; a++) {
			uint32_t *k = kids[i];
			for (size_t b = a; b && val[k[b]] > val[k[b - 1]];
			     b--) {
				uint32_t x = k[b];
				k[b] = k[b - 1];
				k[b - 1] = x;
			}
		}
		snprintf(name, sizeof(name), "%s::%s<%s>::%s_%zu",
			 words[rnd() % 15], words[rnd() % 15],
			 words[rnd() % 15], words[rnd() % 15], i);
		nd->name = i ? strdup(name) : "build";
		nd->value_us = val[i];
		nd->parent = parent[i];
		nd->first_child = nk[i] ? kids[i][0] : BT_FLAME_NONE;
		nd->next_sibling = BT_FLAME_NONE;
		nd->kind = !i		   ? BT_FLAME_ROOT
			   : depth[i] <= 2 ? BT_FLAME_GROUP
					   : BT_FLAME_FRAME;
		nd->category = (int8_t)(i ? (int)(rnd() % BT_CAT_MAX) : -1);
		nd->depth = i ? (uint16_t)(t->nodes[parent[i]].depth + 1) : 0;
	}
	/* after every node is set: a child has a larger index */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 1; k < nk[i]; k++)
			t->nodes[kids[i][k - 1]].next_sibling = kids[i][k];
	for (size_t i = 0; i < n; i++)
		free(kids[i]);
	free(kids);
	free(nk);
	free(val);
	free(depth);
	free(parent);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_one(const struct bt_report_writer *w,
		     const struct bt_report *r, const char *path, int timed)
{
	FILE *f = fopen(path, "w");
	double t0 = now();
	long size;

	if (!f || w->write(r, f) < 0) {
		perror(path);
		return -1;
	}
	size = ftell(f);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	if (timed)
		fprintf(stderr, "%s: %ld bytes in %.3f s\n", path, size,
			now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct bt_profile prof = {0};
	struct bt_build b = {0}; /* no session: the title says "build" */
	struct bt_report r = {.build = &b, .profile = &prof};
	const char *svg = NULL, *folded = NULL;
	size_t nodes = 0;
	int chains = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--nodes") && i + 1 < argc)
			nodes = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--chains"))
			chains = 1;
		else if (!strcmp(argv[i], "--chain"))
			chains = 2;
		else if (!strcmp(argv[i], "--by-category"))
			r.options.flame_by_category = 1;
		else if (!svg)
			svg = argv[i];
		else
			folded = argv[i];
	}
	if (!svg) {
		fprintf(stderr, "usage: make_flame OUT.svg [OUT.folded] "
				"[--nodes N [--chains|--chain]] "
				"[--by-category]\n");
		return 2;
	}
	b.wall_s = 8.0;
	b.cpu_s = 10.0;
	b.parallelism = 1.25;
	b.complete = 1;
	if (nodes > 1) {
		big_tree(&prof.by_crate, nodes, chains);
		prof.by_category = prof.by_crate;
		prof.samples = nodes * 10;
		prof.frames = nodes * 200;
	} else {
		small_profile(&prof);
	}
	if (write_one(&bt_writer_flame_svg, &r, svg, nodes > 1) < 0 ||
	    (folded &&
	     write_one(&bt_writer_stacks_folded, &r, folded, nodes > 1) < 0))
		return 1;
	if (nodes > 1) {
		for (size_t i = 1; i < nodes; i++)
			free((char *)prof.by_crate.nodes[i].name);
	} else {
		free(prof.by_category.nodes);
	}
	free(prof.by_crate.nodes);
	return 0;
}
