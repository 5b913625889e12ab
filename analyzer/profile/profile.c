/* profile.c - fold the samples of a build into the profile trees and the
 * per-unit categories.
 *
 * Per image (one process's samples), in two threads (pipeline.h):
 *  - the reader decodes the samples, symbolizes each stack (a memo lookup
 *    per frame, none for the outer frames a thread's stack shares with its
 *    previous one) and counts the distinct stacks in a stack table
 *    (stack_table.h);
 *  - the builder sorts the table's stacks in path order (multikey
 *    quicksort), finds each one's category, and walks them into the two
 *    trees (tree_builder.h), each from where it leaves the one before.  In
 *    a build too big to keep whole, each image's small frames are merged
 *    first (keep_levels()), as the pruning would merge them anyway.
 * Real builds repeat stacks, but most stacks of an image are still new
 * below a dozen levels (BENCHMARKS.md, "The synthetic traces"), which is
 * why the trees are path-compressed: a stack's new part costs one node,
 * not one per frame.
 *
 * Names (units, thread kinds, leaves) come from a string pool (pool.h)
 * that only the reader's thread adds to. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/build_model.h"
#include "profile/pipeline.h"
#include "profile/pool.h"
#include "profile/profile.h"
#include "profile/stack_table.h"
#include "profile/symbolize.h"
#include "profile/tree_builder.h"

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
	int rule_nomem; /* growing `rule` failed (builder thread) */
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
		if (!r) {
			m->rule_nomem = 1; /* build_job() fails the job */
			return BT_CAT_NONE;
		}
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

/* The builder's half of a job (pipeline.h: on the builder thread, one job
 * at a time): an image's stacks into both trees, then the trees bounded;
 * or a leaf.  FAILED: only free what the job owns. */
static int build_job(void *arg, struct job *j, int failed)
{
	struct maker *m = arg;
	int rc = 0;
	double t0;

	if (j->kind == JOB_LEAF) {
		if (!failed)
			add_leaf(m, j->u, j->unit, j->thread, j->leaf,
				 j->leaf_kind, j->cat, j->value);
		return 0;
	}
	m->cur = j->st;
	if (!failed && (add_stacks(m, j->u, j->unit, j->threads, j->backend,
				   j->cat, j->period_us) < 0 ||
			m->rule_nomem))
		rc = -1;
	t0 = mono_s();
	if (!failed && !rc &&
	    (tb_bound(&m->crate, m->cap, &m->prune_us, m->merged_name) < 0 ||
	     tb_bound(&m->cat, m->cap, &m->prune_us, m->merged_name) < 0))
		rc = -1;
	m->t_bound += mono_s() - t0;
	/* pruning moves nodes: find the category groups anew */
	for (int c = 0; c < BT_CAT_MAX; c++)
		m->cat_node[c] = BT_FLAME_NONE;
	free(j->threads);
	return rc;
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
	for (size_t k = 0; k < n_threads; k++)
		if (!threads[k]) { /* out of memory */
			free(threads);
			free(kind);
			return -1;
		}
	for (size_t k = 0; k < n_threads; k++) {
		kind[k] = (uint32_t)k;
		for (size_t j = 0; j < k; j++)
			if (threads[j] == threads[k]) {
				kind[k] = (uint32_t)j;
				break;
			}
	}
	t0 = mono_s();
	st = pipeline_take_table(m->pl);
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
			if (bt_symbolizer_nomem(m->sym))
				goto fail;
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
	pipeline_put(m->pl, &j);
	return 0;
fail:
	/* give the table back through the builder, which skips no job */
	free(kind);
	j = (struct job){.kind = JOB_IMAGE,
			 .st = st,
			 .threads = threads,
			 .skip = 1,
			 .bytes = st_bytes(st)};
	pipeline_put(m->pl, &j);
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
	pipeline_put(m->pl, &j);
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
		const char *leaf = pool_add(&m->names, "[lost samples]");
		if (!leaf)
			return -1;
		put_leaf(m, u, unit, NULL, leaf, BT_FLAME_GAP, cat_rest, lost);
		m->p->lost_cpu_s += (double)lost / 1e6;
	}
	m->p->sampled_cpu_s += (double)sampled / 1e6;
	if (cpu_us > sampled + lost) {
		uint64_t rest = cpu_us - sampled - lost;
		const char *leaf;
		if (n->kind == BT_KIND_LINKER) {
			thread = pool_add(&m->names, "%s", n->name);
			if (!thread)
				return -1;
		} else {
			thread = NULL;
		}
		if (sampled)
			leaf = pool_add(&m->names, "[not sampled: start-up "
						   "and exit]");
		else
			leaf = pool_add(&m->names, "[not sampled: %s]",
					n->kind == BT_KIND_BUILD_SCRIPT
					    ? "build script"
					    : n->name);
		if (!leaf)
			return -1;
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

/* Appends LINE to the list *LIST of *N lines, once. */
static int add_line(char ***list, size_t *n, const char *line)
{
	char **w;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], line))
			return 0; /* a module file seen with two layouts */
	w = realloc(*list, (*n + 1) * sizeof(*w));
	if (!w)
		return -1;
	*list = w;
	w[*n] = strdup(line);
	if (!w[*n])
		return -1;
	(*n)++;
	return 0;
}

int bt_profile_make(struct bt_build *b, struct bt_profile *p, char *err,
		    size_t errlen)
{
	return bt_profile_make_progress(b, p, err, errlen, NULL);
}

/* Node samples of node N: its images' samples. */
static uint64_t node_samples(const struct bt_node *n)
{
	uint64_t s = 0;
	for (size_t k = 0; k < n->proc->n_images; k++)
		s += n->proc->images[k]->n_samples;
	return s;
}

int bt_profile_make_progress(struct bt_build *b, struct bt_profile *p,
			     char *err, size_t errlen,
			     const struct bt_progress_cb *cb)
{
	uint64_t all_samples = 0, done_samples = 0;
	struct maker m = {0};
	struct pipeline pl;
	struct bt_sym_stats ss;
	const char *const *lines, *root;
	size_t n_lines;
	const uint64_t *unnamed;
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
			samples += node_samples(&b->nodes[i]);
		all_samples = samples;
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
	if (!root || !m.merged_name || !m.marks[1] || !m.marks[2] ||
	    !m.marks[3])
		goto oom;
	for (int c = 0; c < BT_CAT_MAX; c++)
		if (!m.cat_names[c])
			goto oom;
	for (size_t i = 0; i < b->n_units; i++)
		memset(b->units[i].categories, 0,
		       sizeof(b->units[i].categories));
	m.pl = &pl;
	if (pipeline_start(&pl, build_job, &m) < 0)
		goto oom;
	/* progress by samples handed to the pipeline: its queue is short,
	 * so they are about the samples symbolized */
	for (size_t i = 0; i < b->n_nodes && !failed; i++) {
		bt_progress(cb, "profile", (size_t)done_samples,
			    (size_t)all_samples);
		failed = add_node(&m, &b->nodes[i]) < 0;
		done_samples += node_samples(&b->nodes[i]);
	}
	{
		double t0 = mono_s();
		int rc = pipeline_finish(&pl);
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
	n_lines = bt_symbolizer_problems(m.sym, &lines, &unnamed);
	if (bt_symbolizer_nomem(m.sym))
		goto oom;
	for (size_t i = 0; i < n_lines; i++) {
		/* under 1% of the frames moves no figure of the report by
		 * a printed digit: a note, not a warning */
		int note = unnamed[i] * 100 < p->frames;
		if (note ? add_line(&p->notes, &p->n_notes, lines[i]) < 0
			 : add_line(&p->warnings, &p->n_warnings, lines[i]) < 0)
			goto oom;
	}
	pool_seal(&m.names); /* the names stay, their index goes */
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
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	memset(p, 0, sizeof(*p));
	return -1;
}

void bt_profile_free(struct bt_profile *p)
{
	struct pool names = {p->names_, p->n_names_, p->n_names_, NULL, 0};
	pool_free(&names);
	if (p->sym_)
		bt_symbolizer_free(p->sym_);
	free(p->by_crate.nodes);
	free(p->by_category.nodes);
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	memset(p, 0, sizeof(*p));
}
