/* timeline.c - samples shared out among the processes, and each process's time
 * line relative to its own creation. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- samples: each sampled process's share ---- */

struct share {
	double frac;
	size_t i;
};

static int cmp_share(const void *a, const void *b)
{
	const struct share *x = a, *y = b;
	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void allocate_samples(void)
{
	double fixed = 0, weights = 0, room, f = 1;
	struct share *sh = xcalloc(g.np, sizeof(*sh));
	size_t n = 0;
	uint64_t given = 0;

	for (size_t i = 0; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		struct rng r = proc_rng(i, 1);
		p->salt = rnd(&r);
		switch (p->kind) {
		case P_PROBE_VV:
			p->natural = 4;
			p->fixed = 1;
			break;
		case P_PROBE_PRINT:
			p->natural = 8;
			p->fixed = 1;
			break;
		case P_RUSTC: {
			const struct crate *c = &g.crates[p->crate];
			switch (p->unit) {
			case U_BUILD:
				p->natural = 0.1 * rnd_lognormal(&r, 0.4);
				break;
			case U_MACRO:
				p->natural = 1.3 * rnd_lognormal(&r, 0.8);
				break;
			case U_BIN:
				p->natural = 4 * rnd_lognormal(&r, 0.7);
				break;
			default:
				p->natural = c->member
						 ? 1.5 * rnd_lognormal(&r, 1.0)
						 : rnd_lognormal(&r, 1.2);
			}
			break;
		}
		case P_LLD:
			p->fixed = 1;
			p->natural =
			    p->unit == U_BIN ? (100 + 1.5 * (double)g.n_libs) *
						   rnd_lognormal(&r, 0.3)
			    : p->unit == U_MACRO ? 30 * rnd_lognormal(&r, 0.5)
						 : 15 * rnd_lognormal(&r, 0.4);
			break;
		default:
			continue;
		}
		p->sampled = 1;
		if (p->fixed)
			fixed += p->natural;
		else
			weights += p->natural;
	}
	if (g.want_samples && fixed + weights == 0)
		die("-s %llu needs a sampled process: use -p 2 or more",
		    (unsigned long long)g.want_samples);
	/* Fixed-size processes (probes, links) take what they need, up to a
	 * tenth; the compilations share the rest by their weights. */
	if (weights > 0 && fixed > 0.1 * (double)g.want_samples)
		f = 0.1 * (double)g.want_samples / fixed;
	room = (double)g.want_samples - (weights > 0 ? fixed * f : 0);
	for (size_t i = 0; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		double x;
		if (!p->sampled)
			continue;
		if (weights > 0)
			x = p->fixed ? p->natural * f
				     : room * p->natural / weights;
		else
			x = (double)g.want_samples * p->natural / fixed;
		p->samples = (uint64_t)x;
		given += p->samples;
		sh[n].frac = x - (double)p->samples;
		sh[n].i = i;
		n++;
	}
	qsort(sh, n, sizeof(*sh), cmp_share);
	for (size_t k = 0; given < g.want_samples; k = (k + 1) % n) {
		g.procs[sh[k].i].samples++;
		given++;
	}
	free(sh);
}

/* ---- time lines, relative to the process's own creation (0) ---- */

static uint64_t weight_ns(const struct thr *t)
{
	return (t->n + t->n2) * PERIOD_NS;
}

/* A thread's window of at least its sampled CPU, from A on. */
static void thr_window(struct thr *t, struct rng *r, uint64_t a)
{
	t->a = a;
	t->b = a +
	       (uint64_t)((double)weight_ns(t) * (1.02 + 0.08 * rnd_unit(r))) +
	       rnd_ms(r, 0.2, 0.6);
}

uint64_t thr_cpu_sum(const struct proc *p)
{
	uint64_t s = 0;
	for (int i = 0; i < p->n_thr; i++)
		s += p->thr[i].cpu_ns;
	return s;
}

/* rust-lld: ld.lld (a small wrapper, sampled but too short for a sample)
 * execs rust-lld, which links on its main thread and 2-3 workers. */
static void plan_lld(struct proc *p, struct rng *r)
{
	uint64_t n = p->samples, w[4], n_main, stop;
	double ws[4] = {0};
	int nw = n > 400 ? 3 : n > 4 ? 2 : 0;
	struct thr *m;

	p->has_exec = 1;
	p->start0_ns = 0;
	p->pre_sampling_ns = rnd_ms(r, 1.4, 1.8);
	p->pre_stop_ns = p->pre_sampling_ns + rnd_ms(r, 0.2, 0.4);
	p->exec_ns = p->pre_stop_ns + rnd_ms(r, 0.03, 0.08);
	p->start1_ns = p->exec_ns + rnd_ms(r, 6.5, 8.5);
	p->sampling_ns = p->start1_ns + rnd_ms(r, 1.5, 1.9);
	p->startup_cpu_ns = rnd_ms(r, 10, 14);
	p->n_workers = nw;
	n_main = nw ? (uint64_t)((double)n * 0.55) : n;
	m = add_thr(p, T_LLD_MAIN, "rust-lld", 0, 1, 1);
	m->n = n_main;
	for (int j = 0; j < nw; j++)
		ws[j] = rnd_lognormal(r, 0.3);
	split(n - n_main, ws, nw, w);
	for (int j = 0; j < nw; j++) {
		struct thr *t =
		    add_thr(p, T_LLD_WORKER, "rust-lld", 3 + j, 0, 1);
		t->n = w[j];
		t->n2 = t->n / 40;
	}
	m = &p->thr[0];
	thr_window(m, r, p->sampling_ns + rnd_ms(r, 0.2, 0.4));
	stop = m->b;
	for (int j = 1; j <= nw; j++) {
		struct thr *t = &p->thr[j];
		thr_window(t, r,
			   m->a + (uint64_t)((double)(m->b - m->a) *
					     (0.2 + 0.3 * rnd_unit(r))));
		if (t->b + 300000 > stop)
			stop = t->b + 300000;
	}
	m->b = stop;
	p->stop_ns = stop + rnd_ms(r, 0.3, 0.6);
	p->end_ns = p->stop_ns + rnd_ms(r, 0.05, 0.08);
	m->cpu_ns = p->startup_cpu_ns + weight_ns(m) + rnd_ms(r, 0, 1);
	for (int j = 1; j <= nw; j++)
		p->thr[j].cpu_ns = weight_ns(&p->thr[j]) + rnd_ms(r, 0, 1);
	p->cpu_ns = thr_cpu_sum(p) + rnd_ms(r, 0.05, 0.2);
	p->n_tids = 3 + (uint32_t)nw;
}

/* rustc forks cc at 0; cc vforks collect2, which vforks ld.lld. */
static uint64_t plan_link(struct proc *cc, struct rng *r)
{
	struct proc *c2 = &g.procs[cc->child];
	struct proc *lld = &g.procs[c2->child];

	cc->has_spawn = cc->has_exec = 1;
	cc->spawn_ns = 0;
	cc->spawn_done_ns = rnd_ms(r, 0.3, 2.0);
	cc->exec_ns = rnd_ms(r, 0.8, 1.5);
	cc->start0_ns = cc->exec_ns + rnd_ms(r, 0.15, 0.3);
	cc->start1_ns = cc->exec_ns + rnd_ms(r, 2.0, 3.0);
	c2->start0_ns = cc->start1_ns + rnd_ms(r, 2.5, 4.0);
	plan_lld(lld, r);
	shift(lld, c2->start0_ns + rnd_ms(r, 1.5, 2.5));
	lld->reap_ns = lld->end_ns + rnd_ms(r, 3.5, 5.0);
	c2->end_ns = lld->reap_ns + rnd_ms(r, 0.08, 0.15);
	c2->reap_ns = c2->end_ns + rnd_ms(r, 0.2, 0.6);
	cc->end_ns = c2->reap_ns + rnd_ms(r, 0.08, 0.15);
	cc->reap_ns = cc->end_ns + rnd_ms(r, 0.2, 0.6);
	cc->cpu_ns = rnd_ms(r, 4.5, 6.0);
	c2->cpu_ns = rnd_ms(r, 2.0, 3.0);
	return cc->reap_ns;
}

/* A rustc that compiles: forked by cargo at 0, execs rustc; a compiler
 * thread runs the front end, LLVM's workers and the coordinator the code
 * generation, then rustc links (bins, proc macros, build scripts). */
void plan_rustc(struct proc *p, struct rng *r)
{
	const struct crate *c = &g.crates[p->crate];
	uint64_t n = p->samples, n_main, rest, n_fe, cg, n_coord, n_ccg, n_work;
	uint64_t fe_a, cg_start, cg_end, lane[2], w[MAX_WORKERS], t_after;
	double ws[MAX_WORKERS] = {0};
	int k, max_k = c->member ? MAX_WORKERS : 16;
	struct thr *comp, *mainth, *coord;

	p->has_spawn = p->has_exec = 1;
	p->spawn_done_ns = rnd_ms(r, 0.3, 0.8);
	p->exec_ns = p->spawn_done_ns + rnd_ms(r, 0.05, 0.3);
	p->start0_ns = p->exec_ns + rnd_ms(r, 0.15, 0.3);
	p->start1_ns = p->exec_ns + rnd_ms(r, 12, 18);
	p->sampling_ns = p->start1_ns + rnd_ms(r, 2.0, 2.5);
	p->startup_cpu_ns =
	    (uint64_t)((double)p->sampling_ns * (0.85 + 0.1 * rnd_unit(r)));

	n_main = (uint64_t)((double)n * 0.004);
	rest = n - n_main;
	n_fe = (uint64_t)((double)rest * (0.4 + 0.35 * rnd_unit(r)));
	cg = rest - n_fe;
	n_coord = (uint64_t)((double)cg * 0.02);
	n_ccg = (uint64_t)((double)(cg - n_coord) * 0.2);
	n_work = cg - n_coord - n_ccg;
	k = 1 + (int)(n_work / 80);
	if (k > max_k)
		k = max_k;
	p->n_workers = k;

	/* THREAD records at the stop come in this order. */
	comp = add_thr(p, T_COMPILER, "rustc", 3, 0, 1);
	mainth = add_thr(p, T_MAIN, "rustc", 0, 1, 1);
	add_thr(p, T_IDLE, "ctrl-c", 2, 0, 1)->cpu_ns = rnd_ms(r, 0.2, 0.4);
	add_thr(p, T_IDLE, "rustc", 4, 0, 1)->cpu_ns = rnd_ms(r, 0.15, 0.3);
	coord = add_thr(p, T_COORD, "coordinator", 5, 0, 0);
	for (int i = 0; i < k; i++) {
		char name[16], cgu[12];
		if (c->member) {
			/* incremental: CGUs have hashed names */
			rnd_base36(r, cgu, 11);
			snprintf(name, sizeof(name), "opt %s", cgu);
		} else {
			snprintf(name, sizeof(name), "opt cgu.%u",
				 (unsigned)i % 100u);
		}
		add_thr(p, T_WORKER, name, 6 + i, 0, 0);
		ws[i] = rnd_lognormal(r, 0.6);
	}
	/* add_thr may have moved the array */
	comp = &p->thr[0];
	mainth = &p->thr[1];
	coord = &p->thr[4];
	split(n_work, ws, k, w);
	mainth->n = n_main;
	comp->n = n_fe + n_ccg;
	coord->n = n_coord;
	for (int i = 0; i < k; i++) {
		p->thr[5 + i].n = w[i];
		p->thr[5 + i].n2 = w[i] * 3 / 100;
	}

	thr_window(mainth, r, p->sampling_ns + 50000);
	fe_a = p->sampling_ns + rnd_ms(r, 0.3, 0.5);
	cg_start = fe_a +
		   (uint64_t)((double)(n_fe * PERIOD_NS) *
			      (1.02 + 0.06 * rnd_unit(r))) +
		   MS;
	comp->a = fe_a;
	comp->b =
	    cg_start + (uint64_t)((double)(n_ccg * PERIOD_NS) * 1.05) + 200000;
	if (comp->b - comp->a < weight_ns(comp) + 100000)
		comp->b = comp->a + weight_ns(comp) + 100000;
	cg_end = comp->b;
	/* The workers take two jobserver tokens' worth of parallelism. */
	lane[0] = lane[1] = cg_start;
	for (int i = 0; i < k; i++) {
		struct thr *t = &p->thr[5 + i];
		int l = lane[1] < lane[0];
		uint64_t a = lane[l] > cg_start + (uint64_t)i * 300000
				 ? lane[l]
				 : cg_start + (uint64_t)i * 300000;
		thr_window(t, r, a);
		lane[l] = t->b + 100000;
		t->end_ns = t->b + rnd_ms(r, 0.03, 0.08);
		if (t->end_ns > cg_end)
			cg_end = t->end_ns;
	}
	cg_end += rnd_ms(r, 0.2, 0.4);
	coord->a = cg_start;
	coord->b = cg_end - 100000;
	if (coord->b - coord->a < weight_ns(coord) + 100000) {
		coord->b = coord->a + weight_ns(coord) + 100000;
		cg_end = coord->b + 100000;
	}
	coord->end_ns = cg_end;
	if (mainth->b > cg_end)
		cg_end = mainth->b;
	p->meta_ns = cg_start; /* --emit=metadata comes before codegen */
	if (c->macro >= 0)
		p->macro_load_ns =
		    fe_a + (uint64_t)((double)(cg_start - fe_a) *
				      (0.05 + 0.25 * rnd_unit(r)));

	if (p->child >= 0) {
		uint64_t at = cg_end + rnd_ms(r, 1, 3);
		struct proc *cc = &g.procs[p->child];
		t_after = at + plan_link(cc, r) + rnd_ms(r, 1, 3);
		shift(cc, at);
	} else {
		t_after = cg_end + rnd_ms(r, 1, 4); /* writing the rlib */
	}
	p->stop_ns = t_after;
	p->end_ns = p->stop_ns + rnd_ms(r, 0.05, 0.12);
	p->reap_ns = p->end_ns + rnd_ms(r, 0.3, 1.5);

	mainth->cpu_ns =
	    p->startup_cpu_ns + weight_ns(mainth) + rnd_ms(r, 0.5, 2);
	comp->cpu_ns = weight_ns(comp) + rnd_ms(r, 0.1, 2);
	coord->cpu_ns = weight_ns(coord) + rnd_ms(r, 1, 6);
	for (int i = 0; i < k; i++)
		p->thr[5 + i].cpu_ns =
		    weight_ns(&p->thr[5 + i]) + rnd_ms(r, 0, 1.5);
	p->cpu_ns = thr_cpu_sum(p) + rnd_ms(r, 0.05, 0.2);
	p->n_tids = 6 + (uint32_t)k;
}

/* cargo's probes: posix_spawnp of rustc, one image. */
void plan_probe(struct proc *p, struct rng *r)
{
	struct thr *m, *comp = NULL;
	uint64_t n = p->samples;

	p->has_spawn = 1;
	p->spawn_done_ns = rnd_ms(r, 0.5, 1.0);
	p->start0_ns = rnd_ms(r, 12, 18);
	p->sampling_ns = p->start0_ns + rnd_ms(r, 2.0, 2.5);
	p->startup_cpu_ns =
	    (uint64_t)((double)p->sampling_ns * (0.85 + 0.1 * rnd_unit(r)));
	if (p->kind == P_PROBE_PRINT) {
		comp = add_thr(p, T_COMPILER, "rustc", 3, 0, 0);
		comp->n = n - n / 5;
	}
	m = add_thr(p, T_MAIN, "rustc", 0, 1, 1);
	add_thr(p, T_IDLE, "ctrl-c", 2, 0, 1)->cpu_ns = rnd_ms(r, 0.2, 0.4);
	if (comp) {
		add_thr(p, T_IDLE, "rustc", 4, 0, 1)->cpu_ns =
		    rnd_ms(r, 0.15, 0.3);
		comp = &p->thr[0];
		m = &p->thr[1];
		m->n = n / 5;
		thr_window(comp, r, p->sampling_ns + 300000);
		comp->end_ns = comp->b + rnd_ms(r, 0.05, 0.3);
		comp->cpu_ns = weight_ns(comp) + rnd_ms(r, 0.5, 2);
	} else {
		m = &p->thr[0]; /* add_thr may have moved the array */
		m->n = n;
	}
	thr_window(m, r, p->sampling_ns + 100000);
	p->stop_ns = m->b + rnd_ms(r, 0.2, 0.5);
	if (comp && comp->end_ns + 100000 > p->stop_ns)
		p->stop_ns = comp->end_ns + 100000;
	p->end_ns = p->stop_ns + rnd_ms(r, 0.05, 0.08);
	p->reap_ns = p->end_ns + rnd_ms(r, 0.3, 0.8);
	m->cpu_ns = p->startup_cpu_ns + weight_ns(m) + rnd_ms(r, 0.5, 2);
	p->cpu_ns = thr_cpu_sum(p) + rnd_ms(r, 0.05, 0.2);
	p->n_tids = comp ? 5 : 3;
}

/* A build script: forked by cargo, execs the script, not sampled. */
void plan_bsrun(struct proc *p, struct rng *r)
{
	p->has_spawn = p->has_exec = 1;
	p->spawn_done_ns = rnd_ms(r, 0.3, 2.5);
	p->exec_ns = rnd_ms(r, 0.45, 0.9);
	p->start0_ns = p->exec_ns + rnd_ms(r, 0.15, 0.3);
	p->start1_ns = p->exec_ns + rnd_ms(r, 1.5, 3.0);
	/* most print a few lines; some compile C or generate code */
	p->cpu_ns = rnd_below(r, 10) == 0
			? rnd_ms(r, 200, 3000)
			: (uint64_t)(3e6 * rnd_lognormal(r, 0.8));
	p->end_ns =
	    p->start1_ns + (uint64_t)((double)p->cpu_ns * 1.05) + 300000;
	p->reap_ns = p->end_ns + rnd_ms(r, 0.3, 0.8);
}

void shift(struct proc *p, uint64_t dt)
{
	uint64_t *t[] = {
	    &p->spawn_ns,    &p->spawn_done_ns, &p->start0_ns,
	    &p->exec_ns,     &p->start1_ns,	&p->pre_sampling_ns,
	    &p->pre_stop_ns, &p->sampling_ns,	&p->stop_ns,
	    &p->end_ns,	     &p->reap_ns,	&p->macro_load_ns,
	    &p->meta_ns};
	/* fields a process does not have are never read: shift them all */
	for (size_t i = 0; i < N_OF(t); i++)
		*t[i] += dt;
	for (int i = 0; i < p->n_thr; i++) {
		p->thr[i].a += dt;
		p->thr[i].b += dt;
		p->thr[i].end_ns += dt;
	}
	if (p->child >= 0)
		shift(&g.procs[p->child], dt);
}
