/* image.c - a sampled image: its modules, SAMPLING, the samples flushed every
 * 100 ms between its other records, then the totals. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- a sampled image: modules, SAMPLING, samples flushed every 100 ms
 * between the image's other records, then the totals ---- */

int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->kind - y->kind;
}

void map_modules(struct run *u, const struct placement *pl, size_t n,
		 struct rng *r)
{
	/* ASLR: a random PIE base, a 2 MiB-aligned mmap base */
	uint64_t exe = 0x550000000000ull + rnd_below(r, 0x10000000) * 0x1000;
	uint64_t base = 0x7f0000000000ull + rnd_below(r, 0x7f000) * 0x200000;
	memset(u->map, 0, sizeof(u->map));
	for (size_t i = 0; i < n; i++)
		u->map[pl[i].m] = i ? base + pl[i].off : exe;
	u->map[M_MACRO] = base - 0x2bd7000 - rnd_below(r, 0x400) * 0x1000;
}

/* With --backend cranelift, a compiling rustc's codegen runs in the
 * Cranelift backend library where libLLVM would be. */
#define CRANELIFT_DYLIB                                                        \
	TC "/lib/rustlib/x86_64-unknown-linux-gnu/codegen-backends/"           \
	   "librustc_codegen_cranelift-1.95.0-nightly.so"

void write_modules(struct run *u, const struct placement *pl, size_t n,
		   uint64_t t)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = mods[pl[i].m].path;
		if (g.cranelift && pl == rustc_layout && pl[i].m == M_LLVM)
			path = CRANELIFT_DYLIB;
		rec_module(u->o, t + i * 12000, pl[i].m, u->map[pl[i].m], path);
	}
}

static void pend_close(struct run *u)
{
	size_t len;
	if (!u->open)
		return;
	len = bt_samples_end(&u->batch);
	if (!len)
		die("internal error: a sample batch did not fit");
	if (u->pend_len + len > u->pend_cap) {
		u->pend_cap = (u->pend_len + len) * 2;
		u->pend = xrealloc(u->pend, u->pend_cap);
	}
	memcpy(u->pend + u->pend_len, u->rec, len);
	u->pend_len += len;
	u->open = 0;
}

/* What the flusher writes at T: new modules, then the samples. */
static void flush_at(struct run *u, uint64_t t)
{
	if (u->macro_state == 1) {
		rec_module(u->o, t, M_MACRO, u->map[M_MACRO], u->macro_path);
		u->macro_state = 2;
	}
	pend_close(u);
	if (u->pend_len) {
		out_put(u->o, u->pend, u->pend_len);
		u->pend_len = 0;
	}
}

static void add_sample(struct run *u, const struct bt_sample_head *h,
		       const uint64_t *pcs)
{
	if (u->open && bt_samples_add(&u->batch, h, pcs) == 0)
		return;
	pend_close(u); /* full, or none open: a new batch holds any sample */
	bt_samples_begin(&u->batch, u->rec, sizeof(u->rec));
	bt_samples_add(&u->batch, h, pcs);
	u->open = 1;
}

static void thr_next(struct thr *t, struct rng *r)
{
	uint64_t d;
	if (t->k >= t->n) {
		t->next = UINT64_MAX;
		return;
	}
	d = (t->b - t->a) / t->n;
	t->next = t->a + t->k * d + d / 10 + rnd_below(r, d * 8 / 10 + 1);
}

/* Samples, flushes and the events of U->ev, in time order, up to the
 * sampler's stop; then the last flush, the THREADs and SAMPLER_END. */
void run_samples(struct run *u, struct rng *r)
{
	struct proc *p = u->p;
	uint64_t tf = p->sampling_ns + FLUSH_NS + rnd_ms(r, 0.05, 0.3);
	uint64_t pcs[BT_MAX_DEPTH], total = 0;
	const struct crate *c = p->crate >= 0 ? &g.crates[p->crate] : NULL;
	int ei = 0;

	if (c && c->macro >= 0 && p->kind == P_RUSTC && p->unit != U_BUILD) {
		macro_path(&g.crates[c->macro], u->macro_path,
			   sizeof(u->macro_path));
		u->macro_at = p->macro_load_ns;
		u->ev[u->nev++] = (struct ev){u->macro_at, EV_MODULE, 0};
	}
	for (int i = 0; i < p->n_thr; i++) {
		struct thr *t = &p->thr[i];
		t->k = 0;
		thr_next(t, r);
		if (!t->at_stop)
			u->ev[u->nev++] = (struct ev){t->end_ns, EV_THREAD, i};
	}
	qsort(u->ev, (size_t)u->nev, sizeof(*u->ev), cmp_ev);

	for (;;) {
		uint64_t ts = UINT64_MAX, te, tn;
		int ti = -1;
		for (int i = 0; i < p->n_thr; i++)
			if (p->thr[i].next < ts) {
				ts = p->thr[i].next;
				ti = i;
			}
		te = ei < u->nev ? u->ev[ei].t : UINT64_MAX;
		if (ts == UINT64_MAX && te == UINT64_MAX)
			break;
		tn = ts < te ? ts : te;
		if (tf <= tn) {
			flush_at(u, tf);
			if (tn - tf > FLUSH_NS) /* nothing to write meanwhile */
				tf += (tn - tf) / FLUSH_NS * FLUSH_NS;
			tf += FLUSH_NS + rnd_ms(r, 0.05, 0.3);
			continue;
		}
		if (te <= ts) {
			const struct ev *v = &u->ev[ei++];
			const struct proc *cc =
			    p->child >= 0 ? &g.procs[p->child] : NULL;
			switch (v->kind) {
			case EV_THREAD:
				rec_thread(u->o, v->t, p, &p->thr[v->arg]);
				break;
			case EV_SPAWN:
				rec_spawn(u->o, cc);
				break;
			case EV_REAP:
				rec_reap(u->o, cc);
				break;
			case EV_MODULE:
				u->macro_state = 1;
				break;
			}
			continue;
		} else {
			struct thr *t = &p->thr[ti];
			struct bt_sample_head h;
			uint16_t flags;
			memset(&h, 0, sizeof(h));
			h.mono_ns = ts;
			h.tid = p->pid + t->tid_off;
			h.depth = (uint16_t)make_stack(
			    r, t->type, u->map, p->salt,
			    u->macro_state && ts >= u->macro_at, pcs, &flags);
			h.flags = flags;
			h.weight =
			    (t->k + 1) * t->n2 / t->n > t->k * t->n2 / t->n ? 2
									    : 1;
			add_sample(u, &h, pcs);
			total++;
			t->k++;
			thr_next(t, r);
		}
	}
	/* the stop: drain, the threads still registered, the totals */
	flush_at(u, p->stop_ns);
	for (int i = 0; i < p->n_thr; i++)
		if (p->thr[i].at_stop)
			rec_thread(u->o,
				   p->stop_ns + 10000 + (uint64_t)i * 5000, p,
				   &p->thr[i]);
	rec_sampler_end(u->o, p->stop_ns + 40000, total, (uint32_t)p->n_thr,
			thr_cpu_sum(p));
	g.samples_written += total;
}

struct run *run_new(struct out *o, struct proc *p)
{
	static struct run u;
	char *pend = u.pend;
	size_t cap = u.pend_cap;
	memset(&u, 0, sizeof(u));
	u.pend = pend;
	u.pend_cap = cap;
	u.o = o;
	u.p = p;
	return &u;
}
