/* critical_path.c - critical path, slack, speed-up potential
 * (critical_path.h). */
#define _GNU_SOURCE /* qsort_r */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/critical_path.h"

/* When dependency D of a unit was ready in the replay. */
static double dep_ready(const struct bt_critical_path *cp,
			const struct bt_sched_dep *d)
{
	const struct bt_replay_unit *a = &cp->units[d->unit].at;
	return d->needs_end ? a->end_s : a->meta_s;
}

/* Unit I started after its dependencies were ready: it waited for the
 * job slot that the unit ending at its start freed (the latest such end
 * before its start; the earliest unit at equal ends). */
static void slot_wait(const struct bt_schedule *s, struct bt_critical_path *cp,
		      size_t i)
{
	struct bt_cp_unit *c = &cp->units[i];
	size_t best = SIZE_MAX;
	for (size_t j = 0; j < s->n_units; j++) {
		double e = cp->units[j].at.end_s;
		if (j == i || e < 0 || e > c->at.start_s + 1e-9)
			continue;
		if (best == SIZE_MAX || e > cp->units[best].at.end_s)
			best = j;
	}
	if (best != SIZE_MAX &&
	    cp->units[best].at.end_s > c->at.ready_s + 1e-9) {
		c->waited_for = best;
		c->waited_meta = 0;
		c->waited_slot = 1;
	}
}

/* What each unit waited for: its dependency that was ready last, or a
 * job slot. */
static void find_waits(const struct bt_schedule *s, struct bt_critical_path *cp)
{
	for (size_t i = 0; i < s->n_units; i++) {
		struct bt_cp_unit *c = &cp->units[i];
		double best = -1;
		c->waited_for = SIZE_MAX;
		for (size_t k = 0; k < s->units[i].n_deps; k++) {
			const struct bt_sched_dep *d = &s->units[i].deps[k];
			double t;
			if (d->unit >= s->n_units)
				continue;
			t = dep_ready(cp, d);
			if (t >= 0 && t >= best) {
				best = t;
				c->waited_for = d->unit;
				c->waited_meta = !d->needs_end;
			}
		}
		if (c->at.start_s > c->at.ready_s + 1e-6)
			slot_wait(s, cp, i);
	}
}

static const struct bt_critical_path *sort_cp;

/* Latest start first; at equal starts the later unit first (a
 * dependency has a lower index than its user). */
static int cmp_start_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double sx = sort_cp->units[x].at.start_s,
	       sy = sort_cp->units[y].at.start_s;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x > y ? -1 : x < y;
}

/* Slack, back from the end: a unit may grow until the first of its users
 * (or the unit that took the job slot it freed) would have to start after
 * its latest start. */
static int find_slack(const struct bt_schedule *s, struct bt_critical_path *cp)
{
	size_t *order = malloc((s->n_units + 1) * sizeof(*order)), n = 0;
	double end = -1;
	if (!order)
		return -1;
	for (size_t i = 0; i < s->n_units; i++) {
		const struct bt_replay_unit *a = &cp->units[i].at;
		if (a->end_s < 0) {
			cp->units[i].slack_s = -1;
			continue;
		}
		order[n++] = i;
		if (a->end_s > end)
			end = a->end_s;
	}
	for (size_t k = 0; k < n; k++)
		cp->units[order[k]].slack_s =
		    end - cp->units[order[k]].at.end_s;
	sort_cp = cp; /* the analyzer makes one path at a time */
	qsort(order, n, sizeof(*order), cmp_start_desc);
	sort_cp = NULL;
	for (size_t k = 0; k < n; k++) {
		size_t v = order[k];
		double latest = cp->units[v].at.start_s + cp->units[v].slack_s;
		for (size_t j = 0; j < s->units[v].n_deps; j++) {
			const struct bt_sched_dep *d = &s->units[v].deps[j];
			struct bt_cp_unit *u;
			double room;
			if (d->unit >= s->n_units ||
			    cp->units[d->unit].slack_s < 0)
				continue;
			u = &cp->units[d->unit];
			room = latest -
			       (d->needs_end ? u->at.end_s : u->at.meta_s);
			if (room < 0)
				room = 0;
			if (room < u->slack_s)
				u->slack_s = room;
		}
		/* the unit whose end freed V's job slot: an edge too */
		if (cp->units[v].waited_slot) {
			struct bt_cp_unit *u =
			    &cp->units[cp->units[v].waited_for];
			double room = latest - u->at.end_s;
			if (room < 0)
				room = 0;
			if (room < u->slack_s)
				u->slack_s = room;
		}
	}
	free(order);
	return 0;
}

/* The chain back from the unit that ends last. */
static int find_path(const struct bt_schedule *s, struct bt_critical_path *cp)
{
	size_t last = SIZE_MAX, n = 0;
	for (size_t i = 0; i < s->n_units; i++)
		if (cp->units[i].at.end_s >= 0 &&
		    (last == SIZE_MAX ||
		     cp->units[i].at.end_s >= cp->units[last].at.end_s))
			last = i;
	for (size_t u = last; u != SIZE_MAX && n <= s->n_units;
	     u = cp->units[u].waited_for)
		n++;
	cp->path = calloc(n + 1, sizeof(*cp->path));
	if (!cp->path)
		return -1;
	cp->n_path = n;
	for (size_t u = last; u != SIZE_MAX && n > 0;
	     u = cp->units[u].waited_for) {
		cp->path[--n] = u;
		cp->units[u].on_path = 1;
	}
	return 0;
}

/* A unit's weight in the replay: its CPU work, or for one that keeps its
 * duration, that duration. */
static double unit_work(const struct bt_sched_unit *u)
{
	return u->fixed ? u->wall_s : bt_sched_unit_work(u);
}

/* Puts unit I into the top list if it saves more than its last; -1 if
 * it does not get in. */
static int add_top(struct bt_critical_path *cp, size_t i)
{
	double save = cp->units[i].save_none_s;
	size_t k;
	if (save < 1e-6)
		return -1;
	if (cp->n_top == BT_CP_TOP) {
		if (save <= cp->units[cp->top[BT_CP_TOP - 1]].save_none_s)
			return -1;
		k = BT_CP_TOP - 1;
	} else {
		k = cp->n_top++;
	}
	cp->top[k] = i;
	for (; k > 0 && cp->units[cp->top[k - 1]].save_none_s < save; k--) {
		size_t t = cp->top[k - 1];
		cp->top[k - 1] = cp->top[k];
		cp->top[k] = t;
	}
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Whether unit I is worth a replay: on the critical path, or among
 * the BT_CP_CANDIDATES units with the most work (a big build has
 * thousands of units, each replay costs O(units^2), and a small unit off
 * the path cannot make the top list). */
static int candidate(const struct bt_schedule *s,
		     const struct bt_critical_path *cp, size_t i)
{
	double mine = unit_work(&s->units[i]);
	size_t more = 0;
	if (cp->units[i].on_path || s->n_units <= BT_CP_CANDIDATES)
		return 1;
	for (size_t j = 0; j < s->n_units && more < BT_CP_CANDIDATES; j++)
		more += unit_work(&s->units[j]) > mine ||
			(unit_work(&s->units[j]) == mine && j < i);
	return more < BT_CP_CANDIDATES;
}

/* The wall time saved with unit I's work times FACTOR, into *SAVE; -1
 * when out of memory.  SCALE is all ones, and is again on return.  Only
 * a saving above MIN_S matters (-1: any): one that cannot be gets a bound
 * (at most MIN_S) instead, from bt_replay_cursor_whatif_floor. */
static int save_with(struct bt_replay_cursor *c,
		     const struct bt_critical_path *cp, double *scale, size_t i,
		     double factor, double min_s, double *save)
{
	struct bt_whatif w = {.scale = scale};
	double wall;
	scale[i] = factor;
	wall = bt_replay_cursor_whatif_floor(
	    c, &w, min_s >= 0 ? cp->replay_s - min_s : -1);
	scale[i] = 1;
	if (wall < 0)
		return -1;
	*save = cp->replay_s > wall ? cp->replay_s - wall : 0;
	return 0;
}

/* The saving a unit must beat to get into a top list of N units whose
 * last saves LAST (add_top). */
static double top_min(size_t n, double last)
{
	return n == BT_CP_TOP ? last : 0.999e-6;
}

static int cmp_bound(const void *a, const void *b, void *arg)
{
	const double *ub = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (ub[x] != ub[y])
		return ub[x] > ub[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* A replay without each candidate unit's work ranks them; only the top
 * list's units are replayed with half their work, the one figure shown
 * of the others being none (save_half_s stays 0): a replay per candidate
 * and BT_CP_TOP more, instead of two per candidate.
 *
 * Most candidates of a big build cannot get into the top list, and a
 * bound shows it without their replay (bt_replay_cursor_bound: at most
 * what a unit's removal saves): the BT_CP_TOP candidates with the
 * highest bounds are replayed first, then the others whose bound beats
 * the top list so far; the rest keep their bound as save_none_s.  The
 * list is the one a replay of every candidate gives (the BT_CP_TOP
 * largest savings, the earlier unit first among equal ones: add_top in
 * the units' order), as a unit whose bound is below the list's last
 * cannot be in it.  Each pass goes in the units' order, the cursor's
 * (schedule.h). */
static int find_potential(const struct bt_schedule *s,
			  struct bt_critical_path *cp)
{
	double *scale = malloc((s->n_units + 1) * sizeof(*scale));
	double *ub = malloc((s->n_units + 1) * sizeof(*ub));
	size_t *cand = malloc((s->n_units + 1) * sizeof(*cand)), n_cand = 0;
	unsigned char *done = calloc(s->n_units + 1, 1);
	size_t half[BT_CP_TOP], best[BT_CP_TOP], n_best = 0;
	double min_s;
	struct bt_replay_cursor *c = NULL;
	int rc = -1;
	if (!scale || !ub || !cand || !done || bt_replay_cursor_make(s, &c) < 0)
		goto out;
	for (size_t i = 0; i < s->n_units; i++)
		scale[i] = 1;
	for (size_t i = 0; i < s->n_units; i++) {
		struct bt_whatif w = {.scale = scale};
		double b;
		if (cp->units[i].at.end_s < 0 || !candidate(s, cp, i))
			continue;
		scale[i] = 0;
		b = bt_replay_cursor_bound(c, &w);
		scale[i] = 1;
		ub[i] = cp->replay_s > b ? cp->replay_s - b : 0;
		cand[n_cand++] = i;
	}
	/* the highest bounds first, replayed in the units' order */
	n_best = n_cand < BT_CP_TOP ? n_cand : BT_CP_TOP;
	{
		size_t *by = malloc((n_cand + 1) * sizeof(*by));
		if (!by)
			goto out;
		memcpy(by, cand, n_cand * sizeof(*by));
		qsort_r(by, n_cand, sizeof(*by), cmp_bound, ub);
		memcpy(best, by, n_best * sizeof(*best));
		free(by);
	}
	qsort(best, n_best, sizeof(*best), cmp_size);
	for (size_t k = 0; k < n_best; k++) {
		if (save_with(c, cp, scale, best[k], 0, -1,
			      &cp->units[best[k]].save_none_s) < 0)
			goto out;
		done[best[k]] = 1;
		add_top(cp, best[k]);
	}
	for (size_t k = 0; k < n_cand; k++) {
		size_t i = cand[k];
		if (done[i])
			continue;
		min_s = top_min(
		    cp->n_top,
		    cp->n_top ? cp->units[cp->top[cp->n_top - 1]].save_none_s
			      : 0);
		if (ub[i] < min_s) { /* cannot get in */
			cp->units[i].save_none_s = ub[i];
			continue;
		}
		if (save_with(c, cp, scale, i, 0, min_s,
			      &cp->units[i].save_none_s) < 0)
			goto out;
		add_top(cp, i);
	}
	/* the list as the units' order makes it */
	cp->n_top = 0;
	for (size_t k = 0; k < n_cand; k++)
		add_top(cp, cand[k]);
	memcpy(half, cp->top, cp->n_top * sizeof(*half));
	qsort(half, cp->n_top, sizeof(*half), cmp_size);
	for (size_t k = 0; k < cp->n_top; k++)
		if (save_with(c, cp, scale, half[k], 0.5, -1,
			      &cp->units[half[k]].save_half_s) < 0)
			goto out;
	rc = 0;
out:
	bt_replay_cursor_free(c);
	free(scale);
	free(ub);
	free(cand);
	free(done);
	return rc;
}

int bt_critical_path_make(const struct bt_schedule *s, int with_potential,
			  struct bt_critical_path *cp)
{
	struct bt_replay_unit *at;
	struct bt_whatif w = {0};
	memset(cp, 0, sizeof(*cp));
	cp->n_units = s->n_units;
	cp->units = calloc(s->n_units + 1, sizeof(*cp->units));
	at = calloc(s->n_units + 1, sizeof(*at));
	if (!cp->units || !at)
		goto fail;
	w.out = at;
	cp->replay_s = bt_schedule_replay_whatif(s, &w);
	if (cp->replay_s < 0)
		goto fail;
	for (size_t i = 0; i < s->n_units; i++)
		cp->units[i].at = at[i];
	free(at);
	at = NULL;
	find_waits(s, cp);
	if (find_slack(s, cp) < 0 || find_path(s, cp) < 0)
		goto fail;
	if (with_potential && find_potential(s, cp) < 0)
		goto fail;
	return 0;
fail:
	free(at);
	bt_critical_path_free(cp);
	return -1;
}

void bt_critical_path_free(struct bt_critical_path *cp)
{
	free(cp->units);
	free(cp->path);
	memset(cp, 0, sizeof(*cp));
}
