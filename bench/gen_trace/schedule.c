/* schedule.c - cargo's schedule (-j2, dependencies first), pids in creation
 * order, and every process's rusage. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- cargo: probes, then two jobs at a time ---- */

struct job {
	int32_t proc;
	int32_t deps[8];
	int nd;
	uint8_t barrier; /* a bin: after every library */
	uint8_t links;	 /* needs its deps' rlibs, not just their .rmeta */
	uint8_t done;
	uint64_t end, meta;
};

void schedule(struct rng *r)
{
	struct proc *root = &g.procs[0];
	struct job *jobs = xcalloc(g.np, sizeof(*jobs));
	int32_t *job_of = xcalloc(g.np, sizeof(*job_of));
	size_t nj = 0, first = 0, n_done = 0, first_bin = SIZE_MAX;
	uint64_t t, slot[2], last = 0, libs_end = 0;

	root->start0_ns = g.t0;
	root->has_exec = 1;
	root->exec_ns = g.t0 + rnd_ms(r, 15, 20);
	root->start1_ns = root->exec_ns + rnd_ms(r, 15, 20);
	t = root->start1_ns + rnd_ms(r, 30, 40);
	for (size_t i = 1; i < g.np && i < 3; i++) {
		shift(&g.procs[i], t);
		t = g.procs[i].reap_ns + rnd_ms(r, 0.2, 0.5);
	}
	last = t;
	t += rnd_ms(r, 40, 80); /* resolving, fingerprints */

	for (size_t i = 0; i < g.nc; i++) {
		const struct crate *c = &g.crates[i];
		struct job *j;
		if (c->has_bs) {
			j = &jobs[nj];
			j->proc = c->p_bs;
			job_of[c->p_bs] = (int32_t)nj++;
			j = &jobs[nj];
			j->proc = c->p_run;
			j->deps[j->nd++] = job_of[c->p_bs];
			job_of[c->p_run] = (int32_t)nj++;
		}
		j = &jobs[nj];
		j->proc = c->p_main;
		j->links = c->kind != CK_LIB;
		if (c->has_bs)
			j->deps[j->nd++] = job_of[c->p_run];
		if (c->macro >= 0)
			j->deps[j->nd++] = job_of[g.crates[c->macro].p_main];
		for (int k = 0; k < c->n_deps; k++)
			j->deps[j->nd++] = job_of[g.crates[c->deps[k]].p_main];
		if (c->kind == CK_BIN) {
			j->barrier = 1;
			if (first_bin == SIZE_MAX)
				first_bin = nj;
		}
		job_of[c->p_main] = (int32_t)nj++;
	}

	slot[0] = t;
	slot[1] = t + rnd_ms(r, 0.2, 0.5);
	while (n_done < nj) {
		int s = slot[1] < slot[0];
		size_t best = SIZE_MAX, lim = first + 64 < nj ? first + 64 : nj;
		uint64_t best_ready = UINT64_MAX, start;
		struct proc *p;
		for (size_t i = first; i < lim; i++) {
			struct job *j = &jobs[i];
			uint64_t ready = 0;
			int ok = 1;
			if (j->done)
				continue;
			if (j->barrier) {
				if (n_done < first_bin)
					continue;
				ready = libs_end;
			}
			for (int k = 0; k < j->nd && ok; k++) {
				const struct job *d = &jobs[j->deps[k]];
				uint64_t at = j->links ? d->end : d->meta;
				ok = d->done;
				if (ok && at > ready)
					ready = at;
			}
			if (!ok)
				continue;
			if (ready <= slot[s]) {
				best = i;
				best_ready = ready;
				break;
			}
			if (ready < best_ready) {
				best = i;
				best_ready = ready;
			}
		}
		if (best == SIZE_MAX)
			die("internal error: no job can run");
		start = (best_ready > slot[s] ? best_ready : slot[s]) +
			rnd_ms(r, 0.1, 1.5);
		p = &g.procs[jobs[best].proc];
		shift(p, start);
		jobs[best].done = 1;
		jobs[best].end = p->reap_ns;
		/* pipelining: a lib's dependents start at its metadata */
		jobs[best].meta = p->kind == P_RUSTC && p->unit == U_LIB
				      ? p->meta_ns
				      : p->reap_ns;
		if (!jobs[best].barrier && p->reap_ns > libs_end)
			libs_end = p->reap_ns;
		if (p->reap_ns > last)
			last = p->reap_ns;
		slot[s] = p->reap_ns + rnd_ms(r, 0.05, 0.3);
		n_done++;
		while (first < nj && jobs[first].done)
			first++;
	}
	root->end_ns = last + rnd_ms(r, 3, 6);
	root->cpu_ns =
	    100 * MS + nj * 3 * MS + (root->end_ns - root->start0_ns) / 500;
	root->n_tids = 6;
	free(jobs);
	free(job_of);
}

/* ---- pids, in the order the processes were created ---- */

static uint64_t created(const struct proc *p)
{
	return p->has_spawn ? p->spawn_ns : p->start0_ns - 300000;
}

static int cmp_created(const void *a, const void *b)
{
	const struct proc *x = &g.procs[*(const size_t *)a];
	const struct proc *y = &g.procs[*(const size_t *)b];
	uint64_t cx = created(x), cy = created(y);
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void assign_pids(struct rng *r)
{
	size_t *order = xcalloc(g.np, sizeof(*order));
	uint32_t next = 2000 + (uint32_t)rnd_below(r, 60000);

	for (size_t i = 0; i < g.np; i++)
		order[i] = i;
	qsort(order, g.np, sizeof(*order), cmp_created);
	for (size_t k = 0; k < g.np; k++) {
		struct proc *p = &g.procs[order[k]];
		p->pid = next;
		next += 1 + p->n_tids + (uint32_t)rnd_below(r, 3);
		/* field 22 of /proc/<pid>/stat: clock ticks (100 Hz) */
		p->ticks = (created(p) + 100000) / 10000000;
	}
	for (size_t i = 0; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		p->ppid = p->parent >= 0
			      ? g.procs[p->parent].pid
			      : p->pid - 3 - (uint32_t)rnd_below(r, 40);
	}
	free(order);
}

/* ---- rusage ---- */

static void make_ru(struct bt_rusage *ru, uint64_t cpu_ns, double user,
		    uint64_t maxrss_kib, struct rng *r)
{
	uint64_t us = cpu_ns / 1000;
	double s = (double)cpu_ns / 1e9;
	memset(ru, 0, sizeof(*ru));
	ru->utime_us = (uint64_t)((double)us * user);
	ru->stime_us = us - ru->utime_us;
	ru->maxrss_kib = maxrss_kib;
	ru->minflt = (uint64_t)((double)maxrss_kib / 4 * (1.2 + rnd_unit(r)));
	ru->majflt = rnd_below(r, 30);
	ru->nvcsw = 2 + (uint64_t)(s * 40) + rnd_below(r, 100);
	ru->nivcsw = (uint64_t)(s * 15) + rnd_below(r, 20);
	ru->oublock = (uint64_t)(s * 2500) + rnd_below(r, 64);
}

static void ru_add(struct bt_rusage *a, const struct bt_rusage *b)
{
	a->utime_us += b->utime_us;
	a->stime_us += b->stime_us;
	if (b->maxrss_kib > a->maxrss_kib)
		a->maxrss_kib = b->maxrss_kib;
	a->minflt += b->minflt;
	a->majflt += b->majflt;
	a->nvcsw += b->nvcsw;
	a->nivcsw += b->nivcsw;
	a->inblock += b->inblock;
	a->oublock += b->oublock;
}

/* Children come after their parents in g.procs, so walking backwards
 * finishes every child before its parent needs its reap. */
void compute_rusage(void)
{
	for (size_t i = g.np; i-- > 0;) {
		struct proc *p = &g.procs[i];
		struct rng r = proc_rng(i, 3);
		double s = (double)p->cpu_ns / 1e9;
		uint64_t rss;
		switch (p->kind) {
		case P_RUSTC:
		case P_PROBE_VV:
		case P_PROBE_PRINT:
			rss = 90000 + (uint64_t)(45000 * sqrt(s));
			if (rss > 6000000)
				rss = 6000000;
			make_ru(&p->ru_self, p->cpu_ns,
				0.82 + 0.1 * rnd_unit(&r), rss, &r);
			break;
		case P_LLD:
			make_ru(&p->ru_self, p->cpu_ns, 0.6,
				40000 + (uint64_t)(s * 300000), &r);
			break;
		case P_CC:
			make_ru(&p->ru_self, p->cpu_ns, 0.1,
				20000 + rnd_below(&r, 2000), &r);
			break;
		case P_COLLECT2:
			make_ru(&p->ru_self, p->cpu_ns, 0.0,
				2500 + rnd_below(&r, 200), &r);
			break;
		case P_BSRUN:
			make_ru(&p->ru_self, p->cpu_ns, 0.9,
				4000 + (uint64_t)(s * 20000), &r);
			break;
		case P_ROOT:
			make_ru(&p->ru_self, p->cpu_ns, 0.4, 27000 + g.nc * 40,
				&r);
			break;
		}
		p->ru_reap = p->ru_self;
		/* the process runs a little past its PROC_END */
		p->ru_reap.utime_us += rnd_below(&r, 150);
		ru_add(&p->ru_reap, &p->ru_children);
		if (p->parent >= 0)
			ru_add(&g.procs[p->parent].ru_children, &p->ru_reap);
	}
}
