/* compare.c - two sets of builds compared, unit by unit (compare.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "model/toolchain.h"

/* A unit's values in every build, while they are gathered. */
struct gather {
	struct bt_cmp_unit *u;
	double *v;   /* [build][BT_Q_MAX], builds base first */
	size_t last; /* the last build that held it */
};

struct work {
	struct bt_comparison *c;
	struct gather *g;
	size_t n, cap;
	size_t n_builds; /* both sides */
};

const char *bt_quantity_name(int q)
{
	if (q == BT_Q_WALL)
		return "wall";
	if (q == BT_Q_CPU)
		return "cpu";
	return bt_category_name(q - BT_Q_CAT0);
}

int bt_cmp_unit_added(const struct bt_cmp_unit *u)
{
	return !u->builds[BT_SIDE_BASE];
}

int bt_cmp_unit_removed(const struct bt_cmp_unit *u)
{
	return !u->builds[BT_SIDE_NEW];
}

static int add_note(struct bt_comparison *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add_note(struct bt_comparison *c, const char *fmt, ...)
{
	char **n = realloc(c->notes, (c->n_notes + 1) * sizeof(*n));
	va_list ap;
	int rc;

	if (!n)
		return -1;
	c->notes = n;
	va_start(ap, fmt);
	rc = vasprintf(&n[c->n_notes], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	c->n_notes++;
	return 0;
}

static int same_key(const struct bt_cmp_unit *k, const struct bt_unit *u)
{
	return k->target == (int)u->target && k->kind == (int)u->node->kind &&
	       !strcmp(k->package, u->package) && !strcmp(k->crate, u->crate);
}

/* The gathered unit of U's key, added if new; NULL when out of memory. */
static struct gather *gather_of(struct work *w, const struct bt_unit *u)
{
	struct gather *g;

	for (size_t i = 0; i < w->n; i++)
		if (same_key(w->g[i].u, u))
			return &w->g[i];
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		g = realloc(w->g, cap * sizeof(*g));
		if (!g)
			return NULL;
		w->g = g;
		w->cap = cap;
	}
	g = &w->g[w->n];
	g->u = calloc(1, sizeof(*g->u));
	g->v = calloc(w->n_builds * BT_Q_MAX, sizeof(*g->v));
	if (!g->u || !g->v) {
		free(g->u);
		free(g->v);
		return NULL;
	}
	snprintf(g->u->package, sizeof(g->u->package), "%s", u->package);
	snprintf(g->u->crate, sizeof(g->u->crate), "%s", u->crate);
	g->u->target = (int)u->target;
	g->u->kind = (int)u->node->kind;
	g->last = (size_t)-1;
	w->n++;
	return g;
}

/* Adds build B (number BI of all, on SIDE) to the units. */
static int gather_build(struct work *w, const struct bt_build *b, size_t bi,
			int side)
{
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		struct gather *g = gather_of(w, u);
		double *v;
		if (!g)
			return -1;
		/* A key met again in this build adds to the same row. */
		v = &g->v[bi * BT_Q_MAX];
		if (g->last != bi)
			g->u->builds[side]++;
		g->last = bi;
		if (side == BT_SIDE_NEW || !g->u->label[0])
			bt_unit_label(u, g->u->label, sizeof(g->u->label));
		v[BT_Q_WALL] += u->wall_s;
		v[BT_Q_CPU] += u->cpu_s + u->link_cpu_s;
		for (int k = 0; k < BT_CAT_MAX; k++)
			v[BT_Q_CAT0 + k] += u->categories[k];
	}
	return 0;
}

/* The change of quantity Q from V's base builds to its new ones. */
static void change_of(const struct bt_comparison *c, const double *v, int q,
		      struct bt_change *out)
{
	double x[64];
	struct bt_stat s[2];
	size_t at = 0;

	for (int side = 0; side < 2; side++) {
		size_t n = c->n_builds[side];
		for (size_t i = 0; i < n; i++)
			x[i] = v[(at + i) * BT_Q_MAX + q];
		bt_stat_of(x, n, &s[side]);
		at += n;
	}
	bt_change_of(&s[0], &s[1], out);
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* Units by the size of their CPU's change, then of their wall time's
 * (the wall time of one unit moves with the machine's load much more
 * than its CPU does). */
static int by_change(const void *a, const void *b)
{
	const struct bt_cmp_unit *x = a, *y = b;
	double cx = absd(x->q[BT_Q_CPU].delta), cy = absd(y->q[BT_Q_CPU].delta);
	double wx = absd(x->q[BT_Q_WALL].delta);
	double wy = absd(y->q[BT_Q_WALL].delta);
	if (cx != cy)
		return cx > cy ? -1 : 1;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* The value of setting S (BT_SETTING_*, or BT_SETTING_MAX for the
 * toolchain) of U into BUF; -1 when U has none. */
static int setting_of(const struct bt_build *b, const struct bt_unit *u, int s,
		      char *buf, size_t cap)
{
	if (s < BT_SETTING_MAX)
		return bt_unit_setting(u, s, buf, cap);
	if (u->node->kind != BT_KIND_RUSTC || u->toolchain < 0 ||
	    (size_t)u->toolchain >= b->n_toolchains)
		return -1;
	/* its version ("1.95.0 (59807616e 2026-04-14)"), or its name and
	 * driver marked "version unknown" (model/toolchain.h) */
	bt_toolchain_label(&b->toolchains[u->toolchain], buf, cap);
	return 0;
}

static const char *setting_label(int s)
{
	return s < BT_SETTING_MAX ? bt_setting_name(s) : "rustc";
}

static int count_transition(struct bt_comparison *c, const char *name,
			    const char *from, const char *to)
{
	struct bt_cmp_setting *n;

	for (size_t i = 0; i < c->n_settings; i++) {
		n = &c->settings[i];
		if (!strcmp(n->name, name) && !strcmp(n->from, from) &&
		    !strcmp(n->to, to)) {
			n->units++;
			return 0;
		}
	}
	n = realloc(c->settings, (c->n_settings + 1) * sizeof(*n));
	if (!n)
		return -1;
	c->settings = n;
	n = &c->settings[c->n_settings++];
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->from, sizeof(n->from), "%s", from);
	snprintf(n->to, sizeof(n->to), "%s", to);
	n->units = 1;
	return 0;
}

/* The first unit of B with U's key, or NULL. */
static const struct bt_unit *match(const struct bt_build *b,
				   const struct bt_unit *u)
{
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *x = &b->units[i];
		if (x->target == u->target && x->node->kind == u->node->kind &&
		    !strcmp(x->package, u->package) &&
		    !strcmp(x->crate, u->crate))
			return x;
	}
	return NULL;
}

/* Settings that changed: for each unit of OLD's build that NEW's build
 * also compiled, every setting whose value differs. */
static int compare_settings(struct bt_comparison *c, const struct bt_build *old,
			    const struct bt_build *new_)
{
	for (size_t i = 0; i < new_->n_units; i++) {
		const struct bt_unit *u = &new_->units[i], *o = match(old, u);
		if (!o)
			continue;
		for (int s = 0; s <= BT_SETTING_MAX; s++) {
			char a[256], b[256];
			if (setting_of(old, o, s, a, sizeof(a)) < 0 ||
			    setting_of(new_, u, s, b, sizeof(b)) < 0 ||
			    !strcmp(a, b))
				continue;
			if (count_transition(c, setting_label(s), a, b) < 0)
				return -1;
		}
	}
	return 0;
}

static int by_units(const void *a, const void *b)
{
	const struct bt_cmp_setting *x = a, *y = b;
	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Whether the builds of one side were built with the same settings; a
 * note when not (the side mixes what it compares). */
static int check_side(struct bt_comparison *c, struct bt_analysis *const *a,
		      size_t n, const char *side)
{
	struct bt_comparison tmp = {0};
	int rc = 0;

	for (size_t i = 1; i < n && rc == 0; i++) {
		if (compare_settings(&tmp, &a[0]->build, &a[i]->build) < 0)
			rc = -1;
		else if (tmp.n_settings)
			rc = add_note(c,
				      "the %s builds differ in their settings "
				      "(%s %s -> %s in build %zu): their "
				      "spread is not only noise",
				      side, tmp.settings[0].name,
				      tmp.settings[0].from, tmp.settings[0].to,
				      i + 1);
		free(tmp.settings);
		tmp.settings = NULL;
		if (tmp.n_settings)
			break;
	}
	return rc;
}

static void command_of(const struct bt_build *b, char *buf, size_t cap)
{
	const struct bt_trace *t = b->trace;
	size_t l = 0;

	buf[0] = 0;
	if (!t || !t->has_session || !t->command)
		return;
	for (uint32_t i = 0; i < t->session.argc && l < cap; i++)
		l += (size_t)snprintf(buf + l, cap - l, "%s%s", i ? " " : "",
				      t->command[i] ? t->command[i] : "");
}

int bt_compare(struct bt_analysis *const *base, size_t nb,
	       struct bt_analysis *const *new_, size_t nn,
	       struct bt_comparison *c)
{
	struct work w = {.c = c, .n_builds = nb + nn};
	double *totals = NULL;
	size_t bi = 0;

	memset(c, 0, sizeof(*c));
	if (!nb || !nn || nb + nn > 64)
		return -1; /* the command checks this */
	c->n_builds[0] = nb;
	c->n_builds[1] = nn;
	totals = calloc(w.n_builds * BT_Q_MAX, sizeof(*totals));
	if (!totals)
		goto nomem;
	for (int side = 0; side < 2; side++) {
		struct bt_analysis *const *a = side ? new_ : base;
		size_t n = side ? nn : nb;
		const char *name = side ? "new" : "base";
		command_of(&a[0]->build, c->command[side],
			   sizeof(c->command[side]));
		c->have_profile[side] = 1;
		for (size_t i = 0; i < n; i++, bi++) {
			const struct bt_build *b = &a[i]->build;
			double *t = &totals[bi * BT_Q_MAX];
			t[BT_Q_WALL] = b->wall_s;
			t[BT_Q_CPU] = b->cpu_s;
			if (a[i]->report.profile)
				for (int k = 0; k < BT_CAT_MAX; k++)
					t[BT_Q_CAT0 + k] =
					    a[i]->report.profile->cpu_s[k];
			else
				c->have_profile[side] = 0;
			if (!b->complete &&
			    add_note(c,
				     "%s build %zu is incomplete (%zu "
				     "warnings): its figures miss the gaps",
				     name, i + 1, b->n_warnings) < 0)
				goto nomem;
			if (gather_build(&w, b, bi, side) < 0)
				goto nomem;
		}
		if (!c->have_profile[side] &&
		    add_note(c,
			     "a %s build has no CPU samples: its categories "
			     "are 0 and there is no differential flame graph",
			     name) < 0)
			goto nomem;
		if (check_side(c, a, n, name) < 0)
			goto nomem;
	}
	c->units_compiled[0] = base[0]->build.kind_count[BT_KIND_RUSTC];
	c->units_compiled[1] = new_[0]->build.kind_count[BT_KIND_RUSTC];
	for (int q = 0; q < BT_Q_MAX; q++)
		change_of(c, totals, q, &c->build[q]);

	/* The units, by largest change first. */
	c->units = calloc(w.n ? w.n : 1, sizeof(*c->units));
	if (!c->units)
		goto nomem;
	for (size_t i = 0; i < w.n; i++) {
		struct bt_cmp_unit *u = &c->units[i];
		*u = *w.g[i].u;
		for (int q = 0; q < BT_Q_MAX; q++)
			change_of(c, w.g[i].v, q, &u->q[q]);
		c->n_added += bt_cmp_unit_added(u);
		c->n_removed += bt_cmp_unit_removed(u);
	}
	c->n_units = w.n;
	qsort(c->units, c->n_units, sizeof(*c->units), by_change);

	if (compare_settings(c, &base[0]->build, &new_[0]->build) < 0)
		goto nomem;
	if (c->n_settings)
		qsort(c->settings, c->n_settings, sizeof(*c->settings),
		      by_units);

	/* The differential flame graph's tree: the by-crate trees, each
	 * side's the mean of its builds. */
	if (c->have_profile[0] && c->have_profile[1]) {
		for (size_t i = 0; i < nb; i++)
			if (bt_diff_tree_add(&c->tree,
					     &base[i]->profile.by_crate, 0,
					     1.0 / (double)nb) < 0)
				goto nomem;
		for (size_t i = 0; i < nn; i++)
			if (bt_diff_tree_add(&c->tree,
					     &new_[i]->profile.by_crate, 1,
					     1.0 / (double)nn) < 0)
				goto nomem;
		if (bt_diff_tree_finish(&c->tree) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < w.n; i++) {
		free(w.g[i].u);
		free(w.g[i].v);
	}
	free(w.g);
	free(totals);
	return 0;
nomem:
	for (size_t i = 0; i < w.n; i++) {
		free(w.g[i].u);
		free(w.g[i].v);
	}
	free(w.g);
	free(totals);
	bt_comparison_free(c);
	return -1;
}

void bt_comparison_free(struct bt_comparison *c)
{
	free(c->units);
	free(c->settings);
	for (size_t i = 0; i < c->n_notes; i++)
		free(c->notes[i]);
	free(c->notes);
	bt_diff_tree_free(&c->tree);
	memset(c, 0, sizeof(*c));
}
