/* schedule.c - the observed unit schedule and its replay (schedule.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/schedule.h"
#include "model/trace_reader.h"

static double replay(const struct bt_schedule *s, const struct bt_whatif *w,
		     double cpus);

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "";
}

/* The value of a rustc option written `OPT VALUE` or `OPT=VALUE` at ARGS[*I],
 * or NULL. */
static const char *opt_value(int argc, const char *const *args, int *i,
			     const char *opt)
{
	size_t n = strlen(opt);
	if (!strcmp(args[*i], opt) && *i + 1 < argc)
		return args[++*i];
	if (!strncmp(args[*i], opt, n) && args[*i][n] == '=')
		return args[*i] + n + 1;
	return NULL;
}

void bt_unit_output_key(const struct bt_unit *u, char *key, size_t cap)
{
	snprintf(key, cap, "lib%s%s", u->flags.crate_name,
		 u->flags.extra_filename);
}

int bt_output_stem(const char *path, char *stem, size_t cap)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');
	size_t n = dot ? (size_t)(dot - b) : strlen(b);
	if (n >= cap)
		n = cap - 1;
	memcpy(stem, b, n);
	stem[n] = '\0';
	return dot && !strcmp(dot, ".rmeta");
}

static int add_dep(struct bt_sched_unit *su, size_t unit, int needs_end)
{
	struct bt_sched_dep *d;
	for (size_t k = 0; k < su->n_deps; k++)
		if (su->deps[k].unit == unit) {
			su->deps[k].needs_end |= needs_end;
			return 0;
		}
	d = realloc(su->deps, (su->n_deps + 1) * sizeof(*d));
	if (!d)
		return -1;
	su->deps = d;
	d[su->n_deps].unit = unit;
	d[su->n_deps].needs_end = needs_end;
	su->n_deps++;
	return 0;
}

struct keyed {
	char key[BT_OUTPUT_KEY_MAX];
};

/* The dependencies of compilation I from its --extern arguments. */
static int extern_deps(const struct bt_build *b, const struct keyed *keys,
		       size_t i, struct bt_sched_unit *su)
{
	const char *const *args;
	int argc = bt_unit_args(&b->units[i], &args);
	for (int a = 0; a < argc; a++) {
		const char *v = opt_value(argc, args, &a, "--extern");
		const char *eq;
		char stem[BT_OUTPUT_KEY_MAX];
		int needs_end;
		if (!v || !(eq = strchr(v, '=')))
			continue;
		needs_end = !bt_output_stem(eq + 1, stem, sizeof(stem));
		/* the producer started before its user; several units may
		 * share a stem across profiles: take the latest before */
		for (size_t j = i; j-- > 0;)
			if (b->units[j].has_flags &&
			    !strcmp(keys[j].key, stem)) {
				if (add_dep(su, j, needs_end) < 0)
					return -1;
				break;
			}
	}
	return 0;
}

/* A build-script run waits for its script's compilation, whose --out-dir
 * holds the script it executes. */
static int script_deps(const struct bt_build *b, const struct keyed *keys,
		       size_t i, struct bt_sched_unit *su)
{
	const struct bt_image *im = bt_proc_last(b->units[i].node->proc);
	const char *exe = im && im->exe ? im->exe : "";
	const char *slash = strrchr(exe, '/');
	size_t dir_len = slash ? (size_t)(slash - exe) : 0;
	for (size_t j = i; dir_len && j-- > 0;) {
		const char *od = b->units[j].flags.out_dir;
		if (b->units[j].target == BT_TARGET_BUILD_SCRIPT &&
		    strlen(od) == dir_len && !strncmp(od, exe, dir_len))
			return add_dep(su, j, 1);
	}
	return 0;
}

/* The units of a package that start after its build-script run ended
 * wait for that run.  RUNS: the build-script runs' indices, in order. */
static int package_deps(const struct bt_build *b, const size_t *runs,
			size_t n_runs, size_t i, struct bt_sched_unit *su)
{
	const struct bt_unit *u = &b->units[i];
	for (size_t k = 0; k < n_runs && runs[k] < i; k++) {
		size_t j = runs[k];
		const struct bt_unit *r = &b->units[j];
		if (!strcmp(r->package, u->package) &&
		    !strcmp(r->version, u->version) &&
		    r->start_s + r->wall_s <= u->start_s + 1e-3 &&
		    add_dep(su, j, 1) < 0)
			return -1;
	}
	return 0;
}

struct event {
	double t;
	int delta;   /* +1 start, -1 end, 0 neither; ends sort first at
			equal times */
	double rate; /* the CPUs it adds (bt_schedule_measure()) */
	double want; /* the CPUs its phases could use, added */
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta;
}

/* The most units that ran at once (at least 1), or -1 when out of
 * memory. */
static int max_concurrency(const struct bt_build *b)
{
	struct event *ev = malloc((2 * b->n_units + 1) * sizeof(*ev));
	int best = 1, running = 0;
	if (!ev)
		return -1;
	for (size_t i = 0; i < b->n_units; i++) {
		ev[2 * i] = (struct event){b->units[i].start_s, 1, 0, 0};
		ev[2 * i + 1] = (struct event){
		    b->units[i].start_s + b->units[i].wall_s, -1, 0, 0};
	}
	qsort(ev, 2 * b->n_units, sizeof(*ev), cmp_event);
	for (size_t i = 0; i < 2 * b->n_units; i++) {
		running += ev[i].delta;
		if (running > best)
			best = running;
	}
	free(ev);
	return best;
}

/* The phases' CPU work of unit U: codegen is its codegen and debuginfo
 * categories (none without a profile), the frontend the rest of its own
 * CPU, the link its link chain's CPU. */
static void split_work(const struct bt_unit *u, struct bt_sched_unit *su)
{
	double cg = u->categories[BT_CAT_CODEGEN_LLVM] +
		    u->categories[BT_CAT_CODEGEN_CRANELIFT] +
		    u->categories[BT_CAT_DEBUGINFO];
	double own = u->cpu_s > 0 ? u->cpu_s : 0;
	if (cg > own)
		cg = own;
	su->work_s[BT_PHASE_FRONTEND] = own - cg;
	su->work_s[BT_PHASE_CODEGEN] = cg;
	su->work_s[BT_PHASE_LINK] = u->link_cpu_s > 0 ? u->link_cpu_s : 0;
	/* a build script that mostly waited (on its children, on I/O) keeps
	 * its duration; a compilation that did waited for the CPUs, which
	 * the measured capacity models (on a loaded machine it would
	 * otherwise be pinned, and no saving in it could shorten the
	 * build) */
	su->fixed = u->node->kind != BT_KIND_RUSTC &&
		    u->node->kind != BT_KIND_RUSTDOC &&
		    own + su->work_s[BT_PHASE_LINK] < 0.5 * su->wall_s;
}

/* Splits each unit's link work between its linkers' main thread and
 * their workers, and sets its link_cpus, from the linkers' samples per
 * thread (every thread has its own CPU-time timer, so they do not depend
 * on the load).  lld and mold run their serial work on the main thread,
 * which waits while a pool of worker threads runs the parallel loops
 * (copying and relocating the sections, the .debug_* ones the largest).
 * The share M / (M + W) of a linker's samples on its main thread is the
 * phase BT_PHASE_LINK_MAIN (one CPU), the rest BT_PHASE_LINK, and a cut
 * of link work comes off the workers (what_if_work()).  The workers'
 * limit is the parallelism they reached: their CPU over the linker's
 * lifetime less its main thread's CPU, W / (wall - M), between one and
 * the worker threads seen (at most the session's CPUs).  On a cli-app
 * rebuild (rust-lld, 2 CPUs, two workers) that is about 1.7, and the
 * debuginfo options measured a wall saving of 0.56-0.69 of their CPU
 * saving; the workers' count, 2, gave 0.52 and under-estimated six
 * cells, the link's average rate (1.60 CPUs, main thread included) 0.69
 * and over-estimated four (docs/estimation.md, "The wall saving of a
 * threaded link").  Of a unit's linkers the one with the most CPU sets
 * the limit.  A link without samples stays on one CPU (GNU ld has no
 * workers).  Returns 0, or -1 when out of memory. */
static int link_parallelism(const struct bt_build *b, struct bt_schedule *s)
{
	enum { MAX_TIDS = 64 };
	double *m = calloc(4 * b->n_units + 1, sizeof(*m)), *w = m + b->n_units;
	double *par = w + b->n_units, *top = par + b->n_units;
	/* the session's CPUs, else (an older trace) cargo's jobs */
	double cpus =
	    b->session.n_cpus > 0 ? (double)b->session.n_cpus : (double)s->jobs;
	if (!m)
		return -1;
	for (size_t i = 0; i < b->n_nodes; i++) {
		const struct bt_node *n = &b->nodes[i];
		double nm = 0, nw = 0, k;
		size_t u, k_max = 0;
		if (n->kind != BT_KIND_LINKER || !n->unit || !n->proc)
			continue;
		u = (size_t)(n->unit - b->units);
		for (size_t g = 0; g < n->proc->n_images; g++) {
			const struct bt_image *img = n->proc->images[g];
			uint32_t tids[MAX_TIDS];
			size_t n_tids = 0;
			for (size_t bi = 0; bi < img->n_batches; bi++) {
				struct bt_sample_head h;
				size_t off = 0, t;
				while (bt_batch_next(&img->batches[bi], &off,
						     &h, NULL) == 1) {
					if (h.tid == img->header.pid) {
						nm += h.weight;
						continue;
					}
					nw += h.weight;
					for (t = 0;
					     t < n_tids && tids[t] != h.tid;
					     t++)
						;
					if (t == n_tids && n_tids < MAX_TIDS)
						tids[n_tids++] = h.tid;
				}
			}
			if (n_tids > k_max)
				k_max = n_tids;
			bt_image_drop_pages(img); /* as the profile pass */
		}
		m[u] += nm;
		w[u] += nw;
		if (nm + nw <= 0 || n->cpu_s <= top[u])
			continue;
		top[u] = n->cpu_s;
		k = (double)k_max < cpus ? (double)k_max : cpus;
		par[u] = bt_link_workers_cpus(n->cpu_s, n->end_s - n->start_s,
					      nm / (nm + nw), k);
	}
	for (size_t u = 0; u < b->n_units; u++) {
		struct bt_sched_unit *su = &s->units[u];
		double link = su->work_s[BT_PHASE_LINK];
		su->link_cpus = par[u] >= 1 ? par[u] : 1;
		if (m[u] + w[u] > 0 && link > 0) {
			su->work_s[BT_PHASE_LINK_MAIN] =
			    link * m[u] / (m[u] + w[u]);
			su->work_s[BT_PHASE_LINK] =
			    link - su->work_s[BT_PHASE_LINK_MAIN];
		}
	}
	free(m);
	return 0;
}

double bt_link_workers_cpus(double cpu_s, double wall_s, double main_share,
			    double threads)
{
	double main_s = cpu_s * main_share, p;
	if (threads < 1)
		threads = 1;
	if (!(cpu_s > main_s)) /* no worker CPU */
		return 1;
	if (!(wall_s > main_s)) /* the main thread took all its life */
		return threads;
	p = (cpu_s - main_s) / (wall_s - main_s);
	return p < 1 ? 1 : p > threads ? threads : p;
}

double bt_sched_unit_work(const struct bt_sched_unit *su)
{
	double all = 0;
	for (int p = 0; p < BT_PHASES; p++)
		all += su->work_s[p];
	return all;
}

double bt_schedule_codegen_cpus(const struct bt_schedule *s)
{
	int jobs = s->jobs > 0 ? s->jobs : 1;
	return s->cores > 0 && s->cores < jobs ? s->cores : jobs;
}

/* The CPUs phase P can use, the one table of them: the frontend and the
 * linker's main thread one, code generation CODEGEN
 * (bt_schedule_codegen_cpus()), the linker's workers LINK_CPUS (at least
 * one). */
static double phase_cap(int p, double codegen, double link_cpus)
{
	switch (p) {
	case BT_PHASE_CODEGEN:
		return codegen;
	case BT_PHASE_LINK:
		return link_cpus >= 1 ? link_cpus : 1;
	default:
		return 1;
	}
}

/* Unit SU's phases laid out over its observed lifetime: each at its
 * thread limit (the frontend 1, code generation
 * bt_schedule_codegen_cpus(), the link its link_cpus), all stretched by one
 * factor to fill the wall time.  Adds to EV (up to 4 events) and returns how
 * many. */
static size_t unit_segments(const struct bt_sched_unit *su, double codegen,
			    struct event *ev)
{
	double least = 0, stretch, t = su->start_s, cap = 0, rate = 0;
	size_t n = 0;
	for (int p = 0; p < BT_PHASES; p++)
		least += su->work_s[p] / phase_cap(p, codegen, su->link_cpus);
	if (su->fixed || su->wall_s <= 0 || least <= 1e-12)
		return 0;
	stretch = su->wall_s / least;
	for (int p = 0; p < BT_PHASES; p++) {
		double c = phase_cap(p, codegen, su->link_cpus);
		if (su->work_s[p] <= 1e-12)
			continue;
		ev[n] =
		    (struct event){t, n ? 0 : 1, c / stretch - rate, c - cap};
		n++;
		rate = c / stretch;
		cap = c;
		t += su->work_s[p] / c * stretch;
	}
	ev[n] = (struct event){su->start_s + su->wall_s, -1, -rate, -cap};
	return n + 1;
}

/* The CPUs the build had, measured for each number K of units running at
 * once (1..JOBS) (schedule.h), as an efficiency: over the periods when K
 * units that do not keep their duration ran, their CPU over the CPUs
 * their running phases could have used (each unit's phases laid out at
 * their thread limits over its lifetime, unit_segments(); at most the
 * bound).  Nothing is fitted to the wall time: it takes in what a replay
 * on every core leaves out, the other load on the machine (the kernel
 * shares the CPUs per thread, so a unit running alone gets a smaller
 * share of a loaded machine than two do) and the units' own time off the
 * CPU (reading and writing files, page faults, waiting for a jobserver
 * token).  Relative to what the phases could use, not per count alone:
 * a lone unit's single-threaded frontend and its threaded link then get
 * the same share of what they could use, where one capacity per count
 * averaged the two and capped the link (docs/estimation.md, "The
 * replay's capacity").  A count never seen takes the nearest one below
 * (else above, else 1); each is within [0.01, 1].  CPUS_RUNNING[K] is
 * the CPUs themselves, for the report. */
int bt_schedule_measure(struct bt_schedule *s)
{
	size_t jobs = s->jobs > 0 ? (size_t)s->jobs : 1, n = 0;
	struct event *ev = malloc((4 * s->n_units + 1) * sizeof(*ev));
	double *cpu = calloc(3 * (jobs + 1), sizeof(*cpu)),
	       *could = cpu + jobs + 1, *span = could + jobs + 1;
	double codegen = bt_schedule_codegen_cpus(s), bound = codegen;
	double rate = 0, want = 0;
	size_t running = 0;
	int rc = -1;

	free(s->cpus_running);
	free(s->eff_running);
	s->cpus_running = calloc(jobs + 1, sizeof(*s->cpus_running));
	s->eff_running = calloc(jobs + 1, sizeof(*s->eff_running));
	if (!ev || !cpu || !s->cpus_running || !s->eff_running)
		goto out;
	for (size_t i = 0; i < s->n_units; i++)
		if (s->units[i].link_cpus > bound)
			bound = s->units[i].link_cpus;
	for (size_t i = 0; i < s->n_units; i++)
		n += unit_segments(&s->units[i], codegen, ev + n);
	qsort(ev, n, sizeof(*ev), cmp_event);
	for (size_t i = 0; i < n; i++) {
		size_t k = running < jobs ? running : jobs;
		if (i > 0 && k > 0) {
			double dt = ev[i].t - ev[i - 1].t;
			cpu[k] += rate * dt;
			could[k] += (want < bound ? want : bound) * dt;
			span[k] += dt;
		}
		running += (size_t)(ev[i].delta > 0);
		running -= (size_t)(ev[i].delta < 0 && running > 0);
		rate += ev[i].rate;
		want += ev[i].want;
	}
	for (size_t k = 1; k <= jobs; k++) {
		double c = bound, e = 1;
		size_t lo = k, hi = k, at = 0;
		while (lo > 0 && span[lo] <= 0)
			lo--;
		while (hi <= jobs && span[hi] <= 0)
			hi++;
		at = lo > 0 ? lo : hi <= jobs ? hi : 0;
		if (at) {
			c = cpu[at] / span[at];
			e = could[at] > 0 ? cpu[at] / could[at] : 1;
		}
		s->cpus_running[k] = c > bound ? bound : c < 0.01 ? 0.01 : c;
		s->eff_running[k] = e > 1 ? 1 : e < 0.01 ? 0.01 : e;
	}
	s->cpus = s->cpus_running[jobs];
	s->bound = bound;
	rc = 0;
out:
	free(ev);
	free(cpu);
	return rc;
}

/* The work a unit does after its metadata is written (saving its
 * incremental state, writing its outputs: frontend categories in the
 * profile) moves from its frontend to its code generation, so that its
 * metadata is ready in the replay when it was in the build: the first
 * observed start of a unit that waited for its metadata (cargo starts it
 * within milliseconds) tells when, and the share of the unit's lifetime
 * before then, of its CPU spread evenly over that lifetime, bounds the
 * frontend.  Measured: a crate of generic functions nothing instantiates
 * (nearly all frontend) wrote its metadata 0.13-0.7 s before its end in
 * bench/graph_ab.sh's workspace builds, and their replays, 4.8-7.7% long
 * without this, came out 3.7-5.1% long. */
void bt_schedule_split_at_metadata(struct bt_schedule *s)
{
	for (size_t j = 0; j < s->n_units; j++)
		for (size_t k = 0; k < s->units[j].n_deps; k++) {
			const struct bt_sched_dep *d = &s->units[j].deps[k];
			struct bt_sched_unit *p = &s->units[d->unit];
			double f, fe, all;
			if (d->needs_end || p->fixed || p->wall_s <= 0)
				continue;
			f = (s->units[j].start_s - p->start_s) / p->wall_s;
			all = p->work_s[BT_PHASE_FRONTEND] +
			      p->work_s[BT_PHASE_CODEGEN];
			if (f <= 0 || f >= 1)
				continue;
			fe = all * f;
			if (fe < p->work_s[BT_PHASE_FRONTEND]) {
				p->work_s[BT_PHASE_CODEGEN] +=
				    p->work_s[BT_PHASE_FRONTEND] - fe;
				p->work_s[BT_PHASE_FRONTEND] = fe;
			}
		}
}

int bt_schedule_make(const struct bt_build *b, struct bt_schedule *s)
{
	struct keyed *keys;
	size_t *runs, n_runs = 0;
	double last_end = 0;

	memset(s, 0, sizeof(*s));
	s->n_units = b->n_units;
	s->units = calloc(b->n_units + 1, sizeof(*s->units));
	keys = calloc(b->n_units + 1, sizeof(*keys));
	runs = malloc((b->n_units + 1) * sizeof(*runs));
	if (!s->units || !keys || !runs)
		goto fail;
	for (size_t i = 0; i < b->n_units; i++)
		if (b->units[i].target == BT_TARGET_BUILD_SCRIPT_RUN)
			runs[n_runs++] = i;
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		s->units[i].start_s = u->start_s;
		s->units[i].wall_s = u->wall_s > 0 ? u->wall_s : 0;
		split_work(u, &s->units[i]);
		if (u->has_flags)
			bt_unit_output_key(u, keys[i].key, sizeof(keys[i].key));
		if (u->start_s + u->wall_s > last_end)
			last_end = u->start_s + u->wall_s;
	}
	for (size_t i = 0; i < b->n_units; i++) {
		struct bt_sched_unit *su = &s->units[i];
		int rc = b->units[i].target == BT_TARGET_BUILD_SCRIPT_RUN
			     ? script_deps(b, keys, i, su)
			     : extern_deps(b, keys, i, su);
		if (rc < 0 || package_deps(b, runs, n_runs, i, su) < 0)
			goto fail;
		s->n_deps += su->n_deps;
	}
	s->jobs = max_concurrency(b);
	if (s->jobs < 0)
		goto fail;
	s->cores = b->session.n_cpus > 0 ? (int)b->session.n_cpus : 0;
	bt_schedule_split_at_metadata(s);
	s->first_start_s = b->n_units ? b->units[0].start_s : 0;
	s->tail_s = b->wall_s > last_end ? b->wall_s - last_end : 0;
	if (link_parallelism(b, s) < 0 || bt_schedule_measure(s) < 0)
		goto fail;
	free(keys);
	free(runs);
	return 0;
fail:
	free(keys);
	free(runs);
	bt_schedule_free(s);
	return -1;
}

void bt_schedule_free(struct bt_schedule *s)
{
	for (size_t i = 0; s->units && i < s->n_units; i++)
		free(s->units[i].deps);
	free(s->units);
	free(s->cpus_running);
	free(s->eff_running);
	memset(s, 0, sizeof(*s));
}

/* The replay's state of one unit. */
struct run {
	int phase;     /* -1 waiting, BT_PHASE_*, BT_PHASES done */
	double left;   /* CPU work left in the phase (fixed: its end) */
	double fe_end; /* when its frontend ended: metadata ready */
	double end;    /* when it ended */
	double rate;   /* CPUs it gets now */
	double cap;    /* CPUs its phase can use */
	double work[BT_PHASES];
	double scale;	     /* the what-if's factor on its work */
	double link_cpus;    /* its link phase's limit */
	double start, ready; /* when it started; its dependencies ready */
};

/* Moves unit R to its next phase with work, or ends it, at time T. */
static void next_phase(struct run *r, double t, double codegen)
{
	for (r->phase++; r->phase < BT_PHASES; r->phase++) {
		if (r->phase == BT_PHASE_CODEGEN && r->fe_end < 0)
			r->fe_end = t;
		if (r->work[r->phase] > 1e-9) {
			r->left = r->work[r->phase];
			r->cap = phase_cap(r->phase, codegen, r->link_cpus);
			return;
		}
	}
	if (r->fe_end < 0)
		r->fe_end = t;
	r->end = t;
}

/* When unit U's dependencies are ready, or -1 if one is not yet known.
 * A removed dependency is no dependency. */
static double ready_at(const struct bt_schedule *s, const struct run *rs,
		       const unsigned char *removed, size_t u)
{
	double at = s->first_start_s;
	for (size_t k = 0; k < s->units[u].n_deps; k++) {
		const struct bt_sched_dep *d = &s->units[u].deps[k];
		double t;
		if (removed && removed[d->unit])
			continue;
		t = d->needs_end ? rs[d->unit].end : rs[d->unit].fe_end;
		if (t < 0)
			return -1;
		if (t > at)
			at = t;
	}
	return at;
}

/* Shares the CPUs among the running units: fixed ones take their
 * observed rate, the others an equal share up to their phase's limit
 * (water-filling, smallest limits first).  CPUS > 0: that capacity, the
 * fixed ones' rates taken out of it; else S's measured efficiency for as
 * many units as run (measured without the fixed ones) times the CPUs
 * their phases can use (at most S's bound), or S's cpus. */
static void share_cpus(const struct bt_schedule *s, struct run *rs,
		       const size_t *running, size_t n, double cpus)
{
	size_t left = 0;
	double fixed = 0, want = 0; /* what the other phases can use */
	for (size_t k = 0; k < n; k++) {
		struct run *r = &rs[running[k]];
		if (r->cap > 0) {
			left++;
			want += r->cap;
		} else {
			fixed += r->rate;
		}
	}
	if (cpus > 0) {
		cpus -= fixed;
	} else if (s->eff_running && s->jobs > 0) {
		if (s->bound > 0 && want > s->bound)
			want = s->bound;
		cpus = want *
		       s->eff_running[left < (size_t)s->jobs ? left
							     : (size_t)s->jobs];
	} else
		cpus = (s->cpus > 0 ? s->cpus : s->jobs) - fixed;
	if (cpus < 0)
		cpus = 0;
	/* smallest limits first: 1-thread phases, then codegen */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < n; k++) {
			struct run *r = &rs[running[k]];
			double share;
			if (r->cap <= 0 || (pass == 0) != (r->cap <= 1))
				continue;
			share = left ? cpus / (double)left : 0;
			r->rate = share < r->cap ? share : r->cap;
			cpus -= r->rate;
			left--;
		}
}

double bt_schedule_replay(const struct bt_schedule *s,
			  const double (*cut)[BT_PHASES])
{
	struct bt_whatif w = {.cut = cut};
	return replay(s, &w, 0);
}

double bt_schedule_replay_on(const struct bt_schedule *s, double cpus)
{
	return replay(s, NULL, cpus > 0 ? cpus : s->jobs);
}

double bt_schedule_replay_whatif(const struct bt_schedule *s,
				 const struct bt_whatif *w)
{
	return replay(s, w, 0);
}

/* Unit I's work in the replay: the observed work, less W's cut, times W's
 * scale. */
static void what_if_work(const struct bt_schedule *s, const struct bt_whatif *w,
			 size_t i, struct run *r)
{
	double scale = w && w->scale ? w->scale[i] : 1;
	if (scale < 0)
		scale = 0;
	for (int p = 0; p < BT_PHASES; p++) {
		double x =
		    s->units[i].work_s[p] - (w && w->cut ? w->cut[i][p] : 0);
		r->work[p] = x;
	}
	/* a link cut beyond the workers' part comes off the main thread */
	if (r->work[BT_PHASE_LINK] < 0) {
		r->work[BT_PHASE_LINK_MAIN] += r->work[BT_PHASE_LINK];
		r->work[BT_PHASE_LINK] = 0;
	}
	for (int p = 0; p < BT_PHASES; p++)
		r->work[p] = r->work[p] > 0 ? r->work[p] * scale : 0;
	r->scale = scale;
	r->link_cpus = s->units[i].link_cpus >= 1 ? s->units[i].link_cpus : 1;
}

/* A replay under way: the state at the beginning of step STEPS. */
struct replay_state {
	struct run *rs;
	size_t *running;
	size_t n_run, n_done, steps, first;
	double t, end;
	int over; /* the replay has ended */
};

static void state_free(struct replay_state *st)
{
	free(st->rs);
	free(st->running);
	memset(st, 0, sizeof(*st));
}

/* The state before the first step, with W's changes.  -1 when out of
 * memory. */
static int state_init(const struct bt_schedule *s, const struct bt_whatif *w,
		      struct replay_state *st)
{
	const unsigned char *removed = w ? w->removed : NULL;
	memset(st, 0, sizeof(*st));
	st->rs = calloc(s->n_units + 1, sizeof(*st->rs));
	st->running = calloc(s->n_units + 1, sizeof(*st->running));
	if (!st->rs || !st->running) {
		state_free(st);
		return -1;
	}
	st->t = st->end = s->first_start_s;
	for (size_t i = 0; i < s->n_units; i++) {
		struct run *r = &st->rs[i];
		r->phase = -1;
		r->fe_end = r->end = r->start = r->ready = -1;
		what_if_work(s, w, i, r);
		if (removed && removed[i]) {
			r->phase = BT_PHASES;
			st->n_done++;
		}
	}
	return 0;
}

/* Runs the replay's steps until it ends, or (STOP) until the beginning
 * of step STOP.  VISIT (N_UNITS entries, SIZE_MAX before) gets the first
 * step whose start-up scan reached each unit: nothing of a unit (its
 * work, whether it is removed, its dependencies' times) is read before,
 * so a what-if on it replays like the observed work until then. */
static void run_steps(const struct bt_schedule *s, const unsigned char *removed,
		      double cpus, struct replay_state *st, size_t stop,
		      size_t *visit)
{
	struct run *rs = st->rs;
	size_t *running = st->running;
	size_t n_run = st->n_run, n_done = st->n_done, steps = st->steps,
	       first = st->first;
	int jobs = s->jobs > 0 ? s->jobs : 1;
	double t = st->t, end = st->end, codegen = bt_schedule_codegen_cpus(s);

	while (!st->over) {
		double dt = -1, next_ready = -1;
		if (steps >= stop)
			break;
		if (!(n_done < s->n_units && steps++ < 16 * s->n_units + 64)) {
			st->over = 1;
			break;
		}
		/* start what can start, in the observed order (every unit
		 * before FIRST has started) */
		while (first < s->n_units && rs[first].phase != -1)
			first++;
		for (size_t i = first; i < s->n_units && n_run < (size_t)jobs;
		     i++) {
			struct run *r = &rs[i];
			const struct bt_sched_unit *su = &s->units[i];
			double at;
			if (visit && visit[i] == SIZE_MAX)
				visit[i] = steps - 1;
			if (r->phase != -1)
				continue;
			at = ready_at(s, rs, removed, i);
			if (at < 0)
				continue;
			if (at > t + 1e-12) {
				if (next_ready < 0 || at < next_ready)
					next_ready = at;
				continue;
			}
			r->start = t;
			r->ready = at;
			if (su->fixed) {
				r->phase = BT_PHASE_FRONTEND;
				r->cap = 0;
				r->left = t + su->wall_s * r->scale;
				r->rate =
				    su->wall_s > 0
					? bt_sched_unit_work(su) / su->wall_s
					: 0;
				if (r->scale <= 0) {
					r->fe_end = r->end = t;
					r->phase = BT_PHASES;
					n_done++;
					continue;
				}
			} else {
				next_phase(r, t, codegen);
				if (r->phase == BT_PHASES) {
					n_done++;
					continue;
				}
			}
			running[n_run++] = i;
		}
		if (!n_run) {
			if (next_ready < 0) {
				st->over = 1; /* nothing can ever start */
				break;
			}
			t = next_ready;
			continue;
		}
		share_cpus(s, rs, running, n_run, cpus);
		for (size_t k = 0; k < n_run; k++) {
			const struct run *r = &rs[running[k]];
			double d = r->cap <= 0	 ? r->left - t
				   : r->rate > 0 ? r->left / r->rate
						 : -1;
			if (d >= 0 && (dt < 0 || d < dt))
				dt = d;
		}
		if (next_ready > t && n_run < (size_t)jobs &&
		    (dt < 0 || next_ready - t < dt))
			dt = next_ready - t;
		if (dt < 0) {
			st->over = 1;
			break;
		}
		t += dt;
		for (size_t k = 0; k < n_run;) {
			struct run *r = &rs[running[k]];
			int finished;
			if (r->cap <= 0) {
				finished = r->left <= t + 1e-9;
			} else {
				r->left -= r->rate * dt;
				finished = r->left <= 1e-9;
			}
			if (finished) {
				if (r->cap <= 0) {
					r->fe_end = r->end = t;
					r->phase = BT_PHASES;
				} else {
					next_phase(r, t, codegen);
				}
			}
			if (r->phase == BT_PHASES) {
				if (t > end)
					end = t;
				n_done++;
				running[k] = running[--n_run];
			} else {
				k++;
			}
		}
	}
	st->n_run = n_run;
	st->n_done = n_done;
	st->steps = steps;
	st->first = first;
	st->t = t;
	st->end = end;
}

/* The wall time of the ended replay ST, and W's OUT. */
static double finish(const struct bt_schedule *s, const struct bt_whatif *w,
		     const struct replay_state *st)
{
	const unsigned char *removed = w ? w->removed : NULL;
	for (size_t i = 0; w && w->out && i < s->n_units; i++) {
		const struct run *r = &st->rs[i];
		int gone = (removed && removed[i]) || r->end < 0;
		w->out[i] = (struct bt_replay_unit){
		    gone ? -1 : r->start, gone ? -1 : r->fe_end,
		    gone ? -1 : r->end, gone ? -1 : r->ready};
	}
	return st->end + s->tail_s;
}

static double replay(const struct bt_schedule *s, const struct bt_whatif *w,
		     double cpus)
{
	struct replay_state st;
	double wall;
	if (state_init(s, w, &st) < 0)
		return -1;
	run_steps(s, w ? w->removed : NULL, cpus, &st, SIZE_MAX, NULL);
	wall = finish(s, w, &st);
	state_free(&st);
	return wall;
}

struct bt_replay_cursor {
	const struct bt_schedule *s;
	double cpus;
	struct replay_state st;	  /* the observed work's replay, paused */
	size_t *visit;		  /* run_steps' VISIT of a whole replay */
	size_t last;		  /* the last step that replay began */
	struct run *save;	  /* the paused state's units from FIRST on */
	struct run *save_running; /* and its running ones, */
	size_t *save_at;	  /* which are these */
	int whole;		  /* that replay ran every unit, in fewer
				     steps than the limit: a bound holds */
};

int bt_replay_cursor_make(const struct bt_schedule *s,
			  struct bt_replay_cursor **out)
{
	struct bt_replay_cursor *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return -1;
	c->s = s;
	c->cpus = 0; /* measured */
	c->visit = malloc((s->n_units + 1) * sizeof(*c->visit));
	c->save = malloc((s->n_units + 1) * sizeof(*c->save));
	c->save_running = malloc((s->n_units + 1) * sizeof(*c->save_running));
	c->save_at = malloc((s->n_units + 1) * sizeof(*c->save_at));
	if (!c->visit || !c->save || !c->save_running || !c->save_at ||
	    state_init(s, NULL, &c->st) < 0)
		goto fail;
	for (size_t i = 0; i < s->n_units; i++)
		c->visit[i] = SIZE_MAX;
	run_steps(s, NULL, c->cpus, &c->st, SIZE_MAX, c->visit);
	c->last = c->st.steps > 0 ? c->st.steps - 1 : 0;
	c->whole = c->st.n_done == s->n_units && c->st.steps < 8 * s->n_units;
	state_free(&c->st);
	if (state_init(s, NULL, &c->st) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	bt_replay_cursor_free(c);
	return -1;
}

void bt_replay_cursor_free(struct bt_replay_cursor *c)
{
	if (!c)
		return;
	state_free(&c->st);
	free(c->visit);
	free(c->save);
	free(c->save_running);
	free(c->save_at);
	free(c);
}

/* The first step at which W's replay can differ from the observed
 * work's: the first visit of a unit W changes or removes, or of a user
 * of a removed one (or the last step begun, if none was visited).  The
 * visits grow with the unit's index: a scan that reaches unit I + 1
 * passed unit I, or began after it (every unit before FIRST started, so
 * was visited), hence the first unit touched has the first visit. */
static size_t diverges_at(const struct bt_replay_cursor *c,
			  const struct bt_whatif *w)
{
	const struct bt_schedule *s = c->s;
	size_t at = SIZE_MAX;
	for (size_t i = 0; i < s->n_units && at == SIZE_MAX; i++) {
		int touched = (w->scale && w->scale[i] != 1) ||
			      (w->removed && w->removed[i]);
		for (int p = 0; !touched && w->cut && p < BT_PHASES; p++)
			touched = w->cut[i][p] != 0;
		for (size_t k = 0;
		     !touched && w->removed && k < s->units[i].n_deps; k++)
			touched = w->removed[s->units[i].deps[k].unit];
		if (touched)
			at = c->visit[i];
	}
	return at < c->last ? at : c->last;
}

/* The least time unit R (of S) needs from phase P on, its
 * first phase having LEFT of its work left: no phase runs faster than
 * on as many CPUs as it may use (next_phase), nor on more than CPUS. */
static double least_time(const struct bt_schedule *s, const struct run *r,
			 int p, double left, double cpus)
{
	double codegen = bt_schedule_codegen_cpus(s), d = 0;
	for (int q = p; q < BT_PHASES; q++) {
		double cap = phase_cap(q, codegen, r->link_cpus);
		if (cap > cpus)
			cap = cpus;
		d += (q == p ? left : r->work[q]) / cap;
	}
	return d;
}

/* The most CPUs the replay at CPUS (0: the measured capacity) ever
 * gives the units that do not keep their duration: the bound's
 * capacity.  With the efficiency measured per count of running units,
 * the largest of the counts' times the bound on what phases can use. */
static double most_cpus(const struct bt_schedule *s, double cpus)
{
	double most = 0;
	if (cpus > 0)
		return cpus;
	if (!s->eff_running || s->jobs <= 0)
		return s->cpus > 0 ? s->cpus : s->jobs;
	for (int k = 1; k <= s->jobs; k++)
		if (s->eff_running[k] > most)
			most = s->eff_running[k];
	return most * (s->bound > 0 ? s->bound : s->jobs);
}

/* A lower bound of the wall time of the replay ST (paused, W's changes
 * made), or -1 if there is none.  What is left to run: the running
 * units' phases and after, and the units yet to start from LO on (every
 * unit before LO has started).  Its CPU work cannot be done faster than
 * on all CPUs; the least time each unit needs (a unit that keeps its
 * duration: that duration) cannot pass faster than in all job slots.
 * Each phase may end with up to 1e-9 of its work undone (run_steps),
 * hence the slack. */
static double wall_bound(const struct bt_replay_cursor *c,
			 const struct replay_state *st, size_t lo)
{
	const struct bt_schedule *s = c->s;
	double work = 0, busy = 0, end = st->t, slack;
	double cpus = most_cpus(s, c->cpus);
	int jobs = s->jobs > 0 ? s->jobs : 1;
	if (!c->whole || cpus <= 0)
		return -1;
	for (size_t k = 0; k < st->n_run; k++) {
		size_t i = st->running[k];
		const struct run *r = &st->rs[i];
		if (r->cap <= 0) { /* keeps its duration: LEFT is its end */
			busy += r->left - st->t;
			continue;
		}
		work += r->left;
		for (int p = r->phase + 1; p < BT_PHASES; p++)
			work += r->work[p];
		busy += least_time(s, r, r->phase, r->left, cpus);
	}
	for (size_t i = lo; i < s->n_units; i++) {
		const struct run *r = &st->rs[i];
		if (r->phase != -1)
			continue;
		if (s->units[i].fixed) {
			busy +=
			    s->units[i].wall_s * (r->scale > 0 ? r->scale : 0);
			continue;
		}
		for (int p = 0; p < BT_PHASES; p++)
			work += r->work[p];
		busy += least_time(s, r, 0, r->work[0], cpus);
	}
	slack = 3e-9 * BT_PHASES * (double)(s->n_units + 1);
	work -= slack;
	busy -= slack;
	if (st->t + work / cpus > end)
		end = st->t + work / cpus;
	if (st->t + busy / jobs > end)
		end = st->t + busy / jobs;
	return end + s->tail_s - 1e-9 * (end > 1 ? end : 1);
}

static double cursor_whatif(struct bt_replay_cursor *c,
			    const struct bt_whatif *w, double floor_s,
			    int bound_only);

double bt_replay_cursor_whatif(struct bt_replay_cursor *c,
			       const struct bt_whatif *w)
{
	return cursor_whatif(c, w, -1, 0);
}

double bt_replay_cursor_whatif_floor(struct bt_replay_cursor *c,
				     const struct bt_whatif *w, double floor_s)
{
	return cursor_whatif(c, w, floor_s, 0);
}

double bt_replay_cursor_bound(struct bt_replay_cursor *c,
			      const struct bt_whatif *w)
{
	double b = cursor_whatif(c, w, 0, 1);
	return b < 0 ? 0 : b;
}

/* W's replay from the paused one: its wall time; or, FLOOR_S >= 0, the
 * bound if it is at least FLOOR_S; or, BOUND_ONLY, the bound (-1: none)
 * and no replay. */
static double cursor_whatif(struct bt_replay_cursor *c,
			    const struct bt_whatif *w, double floor_s,
			    int bound_only)
{
	const struct bt_schedule *s = c->s;
	struct replay_state *st = &c->st, keep;
	size_t at = diverges_at(c, w), lo, n_run;
	double wall;

	if (st->steps > at) { /* paused too late: from the start again */
		state_free(st);
		if (state_init(s, NULL, st) < 0)
			return -1;
	}
	run_steps(s, NULL, c->cpus, st, at, NULL);
	/* every unit before FIRST has started and, unless running, ended:
	 * the others and the running ones are all W's replay can change */
	keep = *st;
	lo = st->first;
	n_run = st->n_run;
	memcpy(c->save, st->rs + lo, (s->n_units - lo) * sizeof(*c->save));
	memcpy(c->save_at, st->running, n_run * sizeof(*c->save_at));
	for (size_t k = 0; k < n_run; k++)
		c->save_running[k] = st->rs[st->running[k]];
	for (size_t i = lo; i < s->n_units; i++) {
		struct run *r = &st->rs[i];
		if (r->phase != -1)
			continue;
		what_if_work(s, w, i, r);
		if (w->removed && w->removed[i]) {
			r->phase = BT_PHASES;
			st->n_done++;
		}
	}
	wall = floor_s >= 0 && !w->removed && !w->cut && !w->out
		   ? wall_bound(c, st, lo)
		   : -1;
	if (!bound_only && (wall < 0 || wall < floor_s)) {
		run_steps(s, w->removed, c->cpus, st, SIZE_MAX, NULL);
		wall = finish(s, w, st);
	}
	/* back to the paused replay */
	memcpy(st->rs + lo, c->save, (s->n_units - lo) * sizeof(*c->save));
	memcpy(st->running, c->save_at, n_run * sizeof(*c->save_at));
	for (size_t k = 0; k < n_run; k++)
		st->rs[c->save_at[k]] = c->save_running[k];
	*st = keep;
	return wall;
}
