/* utilization.c - busy and idle cores over time (utilization.h). */
#define _GNU_SOURCE /* qsort_r */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/utilization.h"

/* A unit's CPUs busy while it ran: its CPU and its links' over its wall
 * time. */
static double rate_of(const struct bt_unit *x)
{
	double cpu = (x->cpu_s > 0 ? x->cpu_s : 0) +
		     (x->link_cpu_s > 0 ? x->link_cpu_s : 0);
	return x->wall_s > 0 ? cpu / x->wall_s : 0;
}

/* Cargo's -j: the NUM_JOBS of its build-script runs (0: none). */
static int jobs_of(const struct bt_build *b)
{
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *x = &b->units[i];
		const struct bt_image *im;
		const char *v;
		if (x->target != BT_TARGET_BUILD_SCRIPT_RUN || !x->node)
			continue;
		im = bt_proc_last(x->node->proc);
		v = im ? bt_image_env(im, "NUM_JOBS") : NULL;
		if (v && atoi(v) > 0)
			return atoi(v);
	}
	return 0;
}

/* The most units that ran at once. */
static int most_at_once(const struct bt_build *b)
{
	int best = 0;
	for (size_t i = 0; i < b->n_units; i++) {
		double t = b->units[i].start_s;
		int n = 0;
		for (size_t j = 0; j < b->n_units; j++)
			n += b->units[j].start_s <= t &&
			     b->units[j].start_s + b->units[j].wall_s > t;
		if (n > best)
			best = n;
	}
	return best;
}

/* CPUs busy on average from T0 to T1. */
static double busy_in(const struct bt_build *b, double t0, double t1)
{
	double cpu = 0;
	if (t1 <= t0)
		return 0;
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *x = &b->units[i];
		double s = x->start_s > t0 ? x->start_s : t0;
		double e =
		    x->start_s + x->wall_s < t1 ? x->start_s + x->wall_s : t1;
		if (e > s)
			cpu += (e - s) * rate_of(x);
	}
	return cpu / (t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int add_period(struct bt_utilization *u, double t0, double t1,
		      double cpu, size_t waiting_for)
{
	struct bt_idle_period *p =
	    realloc(u->periods, (u->n_periods + 1) * sizeof(*p));
	if (!p)
		return -1;
	u->periods = p;
	p[u->n_periods++] = (struct bt_idle_period){
	    t0, t1, t1 > t0 ? cpu / (t1 - t0) : 0, waiting_for};
	return 0;
}

/* The units running through a piece of the span: a sweep over the
 * pieces between consecutive start and end moments, in time order.  No
 * unit starts or ends inside a piece, so a unit overlaps piece A..Z
 * (busy_in's test) exactly when it started at A or before and ends
 * after A; each overlaps by Z - A, the same double, and busy_in adds
 * them in the units' order: the running set is kept in it, which gives
 * busy_in's results to the bit, without its scan of every unit (a
 * 10,000-process build has 14,000 pieces and 7,000 units). */
struct sweep {
	const struct bt_build *b;
	size_t *by_start, *by_end, *on; /* ON: the running units, in order */
	size_t n_on, next_start, next_end;
};

static double end_of(const struct bt_unit *x)
{
	return x->start_s + x->wall_s;
}

static int cmp_start(const void *a, const void *b, void *units)
{
	const struct bt_unit *x = (const struct bt_unit *)units +
				  *(const size_t *)a,
			     *y = (const struct bt_unit *)units +
				  *(const size_t *)b;
	return x->start_s < y->start_s ? -1 : x->start_s > y->start_s;
}

static int cmp_end(const void *a, const void *b, void *units)
{
	double x = end_of((const struct bt_unit *)units + *(const size_t *)a),
	       y = end_of((const struct bt_unit *)units + *(const size_t *)b);
	return x < y ? -1 : x > y;
}

static int sweep_init(struct sweep *w, const struct bt_build *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->by_start = malloc((3 * b->n_units + 1) * sizeof(*w->by_start));
	if (!w->by_start)
		return -1;
	w->by_end = w->by_start + b->n_units;
	w->on = w->by_end + b->n_units;
	for (size_t i = 0; i < b->n_units; i++)
		w->by_start[i] = w->by_end[i] = i;
	qsort_r(w->by_start, b->n_units, sizeof(*w->by_start), cmp_start,
		b->units);
	qsort_r(w->by_end, b->n_units, sizeof(*w->by_end), cmp_end, b->units);
	return 0;
}

/* The running set of the piece from A on. */
static void sweep_to(struct sweep *w, double a)
{
	const struct bt_unit *units = w->b->units;
	size_t n = w->b->n_units;
	for (; w->next_start < n &&
	       units[w->by_start[w->next_start]].start_s <= a;
	     w->next_start++) {
		size_t i = w->by_start[w->next_start], k;
		if (!(end_of(&units[i]) > units[i].start_s))
			continue; /* overlaps nothing */
		for (k = w->n_on; k > 0 && w->on[k - 1] > i; k--)
			w->on[k] = w->on[k - 1];
		w->on[k] = i;
		w->n_on++;
	}
	for (; w->next_end < n && end_of(&units[w->by_end[w->next_end]]) <= a;
	     w->next_end++) {
		size_t i = w->by_end[w->next_end], k;
		for (k = 0; k < w->n_on && w->on[k] != i; k++)
			;
		if (k == w->n_on)
			continue;
		memmove(w->on + k, w->on + k + 1,
			(w->n_on - k - 1) * sizeof(*w->on));
		w->n_on--;
	}
}

/* busy_in(A, Z) of the piece A..Z the sweep is at. */
static double sweep_busy(const struct sweep *w, double a, double z)
{
	double cpu = 0;
	for (size_t k = 0; k < w->n_on; k++)
		cpu += (z - a) * rate_of(&w->b->units[w->on[k]]);
	return cpu / (z - a);
}

/* The unit waited for in that piece: the running one on the critical
 * path that overlaps most, else any that overlaps most; all overlap it
 * by as much, so the first in the units' order. */
static size_t sweep_waited(const struct sweep *w,
			   const struct bt_critical_path *cp)
{
	for (size_t k = 0; k < w->n_on; k++)
		if (cp && w->on[k] < cp->n_units && cp->units[w->on[k]].on_path)
			return w->on[k];
	return w->n_on ? w->on[0] : SIZE_MAX;
}

/* The idle periods: the moments where a unit starts or ends cut the span
 * into pieces of constant load; idle pieces next to each other join
 * while they wait for the same unit. */
static int find_periods(const struct bt_build *b, struct bt_utilization *u,
			const struct bt_critical_path *cp)
{
	double *t = malloc((2 * b->n_units + 1) * sizeof(*t));
	double min_len = 0.02 * u->span_s, need = 0.25 * u->cores;
	double p0 = -1, p1 = -1, cpu = 0;
	size_t n = 0, pw = SIZE_MAX;
	struct sweep sw;
	if (!t)
		return -1;
	if (sweep_init(&sw, b) < 0) {
		free(t);
		return -1;
	}
	if (min_len < 0.1)
		min_len = 0.1;
	if (need < 0.5)
		need = 0.5;
	for (size_t i = 0; i < b->n_units; i++) {
		t[n++] = b->units[i].start_s;
		t[n++] = b->units[i].start_s + b->units[i].wall_s;
	}
	qsort(t, n, sizeof(*t), cmp_double);
	for (size_t k = 0; k + 1 < n; k++) {
		double a = t[k], z = t[k + 1], busy;
		size_t w;
		if (z <= a)
			continue;
		sweep_to(&sw, a);
		busy = sweep_busy(&sw, a, z);
		if (u->cores > busy)
			u->idle_core_s += (u->cores - busy) * (z - a);
		w = u->cores - busy >= need ? sweep_waited(&sw, cp)
					    : SIZE_MAX - 1;
		if (p0 >= 0 && w == pw) {
			cpu += busy * (z - a);
			p1 = z;
			continue;
		}
		/* the open period ends here */
		if (p0 >= 0 && p1 - p0 >= min_len &&
		    add_period(u, p0, p1, cpu, pw) < 0)
			goto fail;
		p0 = -1;
		if (w != SIZE_MAX - 1) {
			p0 = a, p1 = z, pw = w;
			cpu = busy * (z - a);
		}
	}
	if (p0 >= 0 && p1 - p0 >= min_len && add_period(u, p0, p1, cpu, pw) < 0)
		goto fail;
	free(t);
	free(sw.by_start);
	return 0;
fail:
	free(t);
	free(sw.by_start);
	return -1;
}

int bt_utilization_make(const struct bt_build *b, unsigned n_cpus,
			const struct bt_critical_path *cp,
			struct bt_utilization *u)
{
	double last = 0;
	memset(u, 0, sizeof(*u));
	if (!b->n_units)
		return 0;
	u->jobs = jobs_of(b);
	if (n_cpus > 0) {
		u->cores = (int)n_cpus;
		u->cores_from = "trace";
	} else if (u->jobs > 0) {
		u->cores = u->jobs;
		u->cores_from = "NUM_JOBS";
	} else {
		u->cores = most_at_once(b);
		u->cores_from = "units at once";
	}
	u->first_s = b->units[0].start_s;
	for (size_t i = 0; i < b->n_units; i++) {
		if (b->units[i].start_s < u->first_s)
			u->first_s = b->units[i].start_s;
		if (b->units[i].start_s + b->units[i].wall_s > last)
			last = b->units[i].start_s + b->units[i].wall_s;
	}
	u->span_s = last > u->first_s ? last - u->first_s : 0;
	u->bucket_s = u->span_s / BT_UTIL_BUCKETS;
	for (int k = 0; k < BT_UTIL_BUCKETS && u->bucket_s > 0; k++)
		u->busy[k] = busy_in(b, u->first_s + k * u->bucket_s,
				     u->first_s + (k + 1) * u->bucket_s);
	if (u->span_s > 0 && find_periods(b, u, cp) < 0) {
		bt_utilization_free(u);
		return -1;
	}
	return 0;
}

void bt_utilization_free(struct bt_utilization *u)
{
	free(u->periods);
	u->periods = NULL;
	u->n_periods = 0;
}
