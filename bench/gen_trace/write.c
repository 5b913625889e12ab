/* write.c - writing each kind of process: the session root, the probes, rustc
 * with its link chain, build-script runs. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- writing each kind of process ---- */

static struct strv sv_a, sv_env, sv_a2;

void write_root(struct proc *p, struct rng *r)
{
	struct out o;
	struct ev *evs = xcalloc(2 * g.np + 1, sizeof(*evs));
	size_t ne = 0;

	out_open(&o, p->pid, p->ticks);
	sv_reset(&sv_a);
	sv_add(&sv_a, "cargo");
	sv_add(&sv_a, "build");
	sv_reset(&sv_env);
	env_common(&sv_env);
	rec_start(&o, p, p->start0_ns, BT_START_SESSION_ROOT, PROXY_EXE, WS,
		  &sv_a, &sv_env);
	rec_session(&o, p->start0_ns + 40000 + rnd_below(r, 10000), p->pid,
		    &sv_a);
	rec_exec(&o, p->exec_ns, CARGO_EXE);
	out_close(&o);

	out_open(&o, p->pid, p->ticks);
	sv_reset(&sv_a);
	sv_add(&sv_a, CARGO_EXE);
	sv_add(&sv_a, "build");
	sv_add(&sv_env, "RUSTUP_TOOLCHAIN=" TOOLCHAIN);
	rec_start(&o, p, p->start1_ns, 0, CARGO_EXE, WS, &sv_a, &sv_env);
	for (size_t i = 1; i < g.np; i++) {
		if (g.procs[i].parent != 0)
			continue;
		evs[ne++] =
		    (struct ev){g.procs[i].spawn_done_ns, EV_SPAWN, (int)i};
		evs[ne++] = (struct ev){g.procs[i].reap_ns, EV_REAP, (int)i};
	}
	qsort(evs, ne, sizeof(*evs), cmp_ev);
	for (size_t i = 0; i < ne; i++) {
		if (evs[i].kind == EV_SPAWN)
			rec_spawn(&o, &g.procs[evs[i].arg]);
		else
			rec_reap(&o, &g.procs[evs[i].arg]);
	}
	rec_end(&o, p, BT_API_DESTRUCTOR, 0);
	out_close(&o);
	free(evs);
}

void write_probe(struct proc *p, struct rng *r)
{
	struct out o;
	struct run *u;

	out_open(&o, p->pid, p->ticks);
	sv_reset(&sv_a);
	sv_add(&sv_a, RUSTC_EXE);
	if (p->kind == P_PROBE_VV) {
		sv_add(&sv_a, "-vV");
	} else {
		static const char *const args[] = {"-",
						   "--crate-name",
						   "___",
						   "--print=file-names",
						   "--crate-type",
						   "bin",
						   "--crate-type",
						   "rlib",
						   "--crate-type",
						   "dylib",
						   "--crate-type",
						   "cdylib",
						   "--crate-type",
						   "staticlib",
						   "--crate-type",
						   "proc-macro",
						   "--print=sysroot",
						   "--print=split-debuginfo",
						   "--print=crate-name",
						   "--print=cfg",
						   "-Wwarnings"};
		for (size_t i = 0; i < N_OF(args); i++)
			sv_add(&sv_a, "%s", args[i]);
	}
	sv_reset(&sv_env);
	env_common(&sv_env);
	sv_add(&sv_env, "RUSTUP_TOOLCHAIN=" TOOLCHAIN);
	rec_start(&o, p, p->start0_ns, 0, RUSTC_EXE, WS, &sv_a, &sv_env);
	u = run_new(&o, p);
	map_modules(u, rustc_layout, n_rustc_layout, r);
	write_modules(u, rustc_layout, n_rustc_layout, p->start0_ns + 150000);
	rec_sampling(&o, p->sampling_ns, p->startup_cpu_ns);
	run_samples(u, r);
	rec_end(&o, p, BT_API_DESTRUCTOR, 0);
	out_close(&o);
}

/* The first image of a fork child: the parent's program, its first record
 * the EXEC (whose time was taken before the file was made). */
static void write_fork_image(struct proc *p, const char *exe, struct strv *argv,
			     struct strv *env, const char *cwd,
			     const char *target)
{
	struct out o;
	out_open(&o, p->pid, p->ticks);
	rec_start(&o, p, p->start0_ns, BT_START_FORKED, exe, cwd, argv, env);
	rec_exec(&o, p->exec_ns, target);
	out_close(&o);
}

static void cargo_argv(struct strv *a)
{
	sv_reset(a);
	sv_add(a, CARGO_EXE);
	sv_add(a, "build");
}

static void write_lld(struct proc *p, struct rng *r, struct strv *env,
		      const char *cwd)
{
	const struct proc *rustc =
	    &g.procs[g.procs[g.procs[p->parent].parent].parent];
	struct out o;
	struct run *u;
	struct thr wt;

	/* ld.lld: sampled, too short for a sample, execs rust-lld */
	out_open(&o, p->pid, p->ticks);
	link_argv(rustc, L_WRAPPER, &sv_a);
	rec_start(&o, p, p->start0_ns, 0, WRAPPER_EXE, cwd, &sv_a, env);
	u = run_new(&o, p);
	map_modules(u, wrapper_layout, n_wrapper_layout, r);
	write_modules(u, wrapper_layout, n_wrapper_layout,
		      p->start0_ns + 150000);
	rec_sampling(&o, p->pre_sampling_ns, rnd_ms(r, 2.5, 3.0));
	memset(&wt, 0, sizeof(wt));
	snprintf(wt.name, sizeof(wt.name), "ld.lld");
	wt.is_main = 1;
	wt.cpu_ns = rnd_ms(r, 3.0, 3.3);
	rec_thread(&o, p->pre_stop_ns, p, &wt);
	rec_sampler_end(&o, p->pre_stop_ns + 30000, 0, 1, wt.cpu_ns + 100000);
	rec_exec(&o, p->exec_ns, LLD_EXE);
	out_close(&o);

	out_open(&o, p->pid, p->ticks);
	link_argv(rustc, L_LLD, &sv_a);
	rec_start(&o, p, p->start1_ns, 0, LLD_EXE, cwd, &sv_a, env);
	u = run_new(&o, p);
	map_modules(u, lld_layout, n_lld_layout, r);
	write_modules(u, lld_layout, n_lld_layout, p->start1_ns + 150000);
	rec_sampling(&o, p->sampling_ns, p->startup_cpu_ns);
	run_samples(u, r);
	rec_end(&o, p, BT_API__EXIT2, 1); /* lld leaves through _Exit */
	out_close(&o);
}

static void write_link_chain(struct proc *rustc, struct strv *rustc_argv_sv,
			     struct strv *env, const char *cwd)
{
	struct proc *cc = &g.procs[rustc->child];
	struct proc *c2 = &g.procs[cc->child];
	struct proc *lld = &g.procs[c2->child];
	struct rng r = proc_rng((size_t)(lld - g.procs), 2);
	struct out o;

	write_fork_image(cc, RUSTC_EXE, rustc_argv_sv, env, cwd, "cc");
	out_open(&o, cc->pid, cc->ticks);
	link_argv(rustc, L_CC, &sv_a2);
	rec_start(&o, cc, cc->start1_ns, 0, GCC_EXE, cwd, &sv_a2, env);
	rec_reap(&o, c2);
	rec_end(&o, cc, BT_API_DESTRUCTOR, 0);
	out_close(&o);

	out_open(&o, c2->pid, c2->ticks);
	link_argv(rustc, L_COLLECT2, &sv_a2);
	rec_start(&o, c2, c2->start0_ns, 0, COLLECT2_EXE, cwd, &sv_a2, env);
	rec_reap(&o, lld);
	rec_end(&o, c2, BT_API_DESTRUCTOR, 0);
	out_close(&o);

	write_lld(lld, &r, env, cwd);
}

void write_rustc(struct proc *p, struct rng *r)
{
	char cwd[512];
	struct out o;
	struct run *u;

	job_cwd(p, cwd, sizeof(cwd));
	job_env(p, &sv_env);
	cargo_argv(&sv_a);
	write_fork_image(p, CARGO_EXE, &sv_a, &sv_env, cwd, RUSTC_EXE);

	out_open(&o, p->pid, p->ticks);
	rustc_argv(p, &sv_a);
	rec_start(&o, p, p->start1_ns, 0, RUSTC_EXE, cwd, &sv_a, &sv_env);
	u = run_new(&o, p);
	map_modules(u, rustc_layout, n_rustc_layout, r);
	write_modules(u, rustc_layout, n_rustc_layout, p->start1_ns + 150000);
	rec_sampling(&o, p->sampling_ns, p->startup_cpu_ns);
	if (p->child >= 0) {
		const struct proc *cc = &g.procs[p->child];
		u->ev[u->nev++] = (struct ev){cc->spawn_done_ns, EV_SPAWN, 0};
		u->ev[u->nev++] = (struct ev){cc->reap_ns, EV_REAP, 0};
	}
	run_samples(u, r);
	rec_end(&o, p, BT_API_DESTRUCTOR, 0);
	out_close(&o);

	if (p->child >= 0)
		write_link_chain(p, &sv_a, &sv_env, cwd);
}

void write_bsrun(struct proc *p)
{
	const struct crate *c = &g.crates[p->crate];
	char cwd[512], script[700];
	struct out o;

	job_cwd(p, cwd, sizeof(cwd));
	job_env(p, &sv_env);
	snprintf(script, sizeof(script),
		 TARGET "/build/%s-%s/build-script-build", c->pkg, c->bs_extra);
	cargo_argv(&sv_a);
	write_fork_image(p, CARGO_EXE, &sv_a, &sv_env, cwd, script);
	out_open(&o, p->pid, p->ticks);
	sv_reset(&sv_a);
	sv_add(&sv_a, "%s", script);
	rec_start(&o, p, p->start1_ns, 0, script, cwd, &sv_a, &sv_env);
	rec_end(&o, p, BT_API_DESTRUCTOR, 0);
	out_close(&o);
}
