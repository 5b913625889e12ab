/* utilization.c - busy and idle cores over time (utilization.h). */
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

/* The unit waited for from T0 to T1: the running one on the critical
 * path that overlaps most, else any that overlaps most. */
static size_t waited_for(const struct bt_build *b,
			 const struct bt_critical_path *cp, double t0,
			 double t1)
{
	size_t best = SIZE_MAX;
	double best_len = 0;
	for (int pass = 0; pass < 2 && best == SIZE_MAX; pass++)
		for (size_t i = 0; i < b->n_units; i++) {
			const struct bt_unit *x = &b->units[i];
			double s = x->start_s > t0 ? x->start_s : t0;
			double e = x->start_s + x->wall_s < t1
				       ? x->start_s + x->wall_s
				       : t1;
			if (pass == 0 &&
			    !(cp && i < cp->n_units && cp->units[i].on_path))
				continue;
			if (e - s > best_len) {
				best_len = e - s;
				best = i;
			}
		}
	return best;
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
	if (!t)
		return -1;
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
		busy = busy_in(b, a, z);
		if (u->cores > busy)
			u->idle_core_s += (u->cores - busy) * (z - a);
		w = u->cores - busy >= need ? waited_for(b, cp, a, z)
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
	return 0;
fail:
	free(t);
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
