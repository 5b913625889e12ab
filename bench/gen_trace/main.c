/* main.c - gen_trace: write a synthetic but realistic trace of a large cargo
 * build.
 *
 * Why: the analyzer must read the trace of a big build (the target is 1000
 * processes and 5 million samples in at most 10 s and 1 GiB RSS), and no
 * build at hand is that big.  This program writes such a trace directory,
 * file for file and record for record as libbtrace.so writes it, with the
 * encoder of common/trace_codec.c, so that `btrace dump` and `btrace report`
 * can be benchmarked on any size.
 *
 *   gen_trace -o DIR [-p PROCESSES] [-s TOTAL_SAMPLES] [--seed N]
 *
 * What it writes (modelled on a real traced `cargo build` with rustc 1.95):
 *  - the session root: the rustup proxy /root/.cargo/bin/cargo (session
 *    root flag, SESSION record) that execs the toolchain's cargo;
 *  - cargo's probes, started with posix_spawnp: `rustc -vV` and
 *    `rustc - --crate-name ___ --print=file-names ...`;
 *  - one rustc per crate (libraries from the registry, proc macros, the
 *    workspace's own crates, its bins), each a fork child of cargo (a cargo
 *    image, EXEC, then rustc) with the argv and the allow-listed environment
 *    cargo really passes; build scripts compiled and then run; proc macros,
 *    build scripts and bins linked by rustc through cc -> collect2 -> ld.lld
 *    (which execs rust-lld).  gcc starts collect2 and the linker with vfork,
 *    which the shim does not see: those children have a REAP but no SPAWN
 *    in their parent, as in real traces;
 *  - two jobs at a time (-j2), dependencies before dependents, every
 *    spawn, reap (pids, times, status, rusage) and exit in its place;
 *  - samples only in rustc and rust-lld, on the threads rustc and lld
 *    really have (rustc's main thread, its compiler thread, "coordinator",
 *    LLVM's "opt cgu.N" workers; lld's workers), every PC inside a
 *    mapped module (librustc_driver, libLLVM, libc, the rustc or rust-lld
 *    executable, a proc macro dlopen'ed mid-run) from the same call trees
 *    in every process, so that stacks aggregate.  With --stacks real (the
 *    default) the stacks are shaped like a real build's, measured on the
 *    cli-app trace (15.5k samples): 6 to 40 PCs deep (23 on average, as
 *    there), call graphs that converge on a few hot functions (a callee's
 *    index is n^(u^1.4) of the library's real symbol count), and samples
 *    that stop at a few hot places per function; at 15k samples that
 *    gives 20k distinct addresses (cli-app: 20.2k) and 9k functions
 *    (4.7k), and the distinct addresses grow as samples^0.63 (cli-app:
 *    ^0.68).  --stacks diverse keeps the older model, 10 to 60 PCs deep,
 *    with 15 new addresses per sample: a worst case.  Each process
 *    gets a share of the samples proportional to its CPU time, and its CPU
 *    time (rusage in PROC_END and in its parent's REAP, THREAD cpu_ns,
 *    SAMPLER_END) is its sample weight times 4 ms (250 Hz) plus start-up.
 *
 * Everything derives from --seed: the same arguments give the same bytes.
 * Samples are generated as they are written, never held in memory.
 */
#define _GNU_SOURCE
#include "gen_trace.h"

/* the run (gen_trace.h) */
struct gen_state g;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: gen_trace -o DIR [-p PROCESSES] [-s TOTAL_SAMPLES] "
	    "[--seed N] [--backend llvm|cranelift]\n"
	    "                 [--stacks real|diverse]\n"
	    "\n"
	    "Writes a synthetic trace of a cargo build (-j2) into DIR, as\n"
	    "libbtrace.so would: PROCESSES processes in all (default "
	    "1000,\n"
	    "at most %llu), TOTAL_SAMPLES CPU samples in rustc and the\n"
	    "linkers (default 5000000).  The same seed gives the same "
	    "trace.\n"
	    "--backend cranelift: the compilations ask for\n"
	    "-Zcodegen-backend=cranelift and their codegen samples fall in\n"
	    "rustc_codegen_cranelift's library (not on this machine: no\n"
	    "Cranelift component can be installed) instead of libLLVM.\n"
	    "--stacks real (default): stacks shaped like a real build's\n"
	    "(cli-app: about 23 frames deep, about 1.3 new addresses per\n"
	    "sample at 15k samples, growing as samples^0.68); diverse: the\n"
	    "older, far more varied stacks (35 deep, 15 new addresses per\n"
	    "sample), a worst case for btrace report.\n",
	    (unsigned long long)MAX_PROCS);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		die("bad %s: %s", what, s);
	return v;
}

static void prepare_dir(void)
{
	const char *why = NULL, *b;
	DIR *d;
	struct dirent *de;

	if (bt_dir_prepare(g.dir_arg, &why) < 0)
		die("%s: %s", g.dir_arg, why);
	d = opendir(g.dir_arg);
	if (!d)
		die("%s: %s", g.dir_arg, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, BT_FILE_SUFFIX))
			die("%s already holds a trace", g.dir_arg);
	}
	closedir(d);
	if (!realpath(g.dir_arg, g.dir))
		die("%s: %s", g.dir_arg, strerror(errno));
	/* as the shim names a session started by BTRACE_DIR=DIR */
	b = strrchr(g.dir, '/');
	b = b && b[1] ? b + 1 : g.dir;
	memcpy(g.session, b, strnlen(b, sizeof(g.session) - 1));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"seed", required_argument, NULL, 'S'},
	    {"backend", required_argument, NULL, 'B'},
	    {"stacks", required_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct timespec t_begin, t_done;
	struct rng r;
	int c;

	g.want_procs = 1000;
	g.want_samples = 5000000;
	while ((c = getopt_long(argc, argv, "o:p:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			g.dir_arg = optarg;
			break;
		case 'p':
			g.want_procs = parse_u64(optarg, "process count");
			break;
		case 's':
			g.want_samples = parse_u64(optarg, "sample count");
			break;
		case 'S':
			g.seed = parse_u64(optarg, "seed");
			break;
		case 'B':
			if (strcmp(optarg, "llvm") &&
			    strcmp(optarg, "cranelift"))
				die("--backend must be llvm or cranelift");
			g.cranelift = !strcmp(optarg, "cranelift");
			break;
		case 'K':
			if (strcmp(optarg, "real") && strcmp(optarg, "diverse"))
				die("--stacks must be real or diverse");
			stacks_diverse = !strcmp(optarg, "diverse");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!g.dir_arg || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (g.want_procs < 1 || g.want_procs > MAX_PROCS)
		die("-p must be between 1 and %llu",
		    (unsigned long long)MAX_PROCS);
	clock_gettime(CLOCK_MONOTONIC, &t_begin);
	prepare_dir();

	/* the plan: crates, processes, samples, times, pids, rusage */
	r = proc_rng(SIZE_MAX, 0);
	g.t0 = (3600 + rnd_below(&r, 86400)) * 1000000000ull +
	       rnd_below(&r, 1000000000);
	g.realtime0 =
	    (1767225600ull + rnd_below(&r, 365 * 86400)) * 1000000000ull +
	    rnd_below(&r, 1000000000);
	if (g.want_procs > 3)
		plan_crates(g.want_procs - 3, &r);
	plan_procs();
	allocate_samples();
	for (size_t i = 1; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		struct rng pr = proc_rng(i, 5);
		if (p->kind == P_PROBE_VV || p->kind == P_PROBE_PRINT)
			plan_probe(p, &pr);
		else if (p->kind == P_RUSTC)
			plan_rustc(p, &pr);
		else if (p->kind == P_BSRUN)
			plan_bsrun(p, &pr);
	}
	for (size_t i = 0; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		if (p->kind == P_RUSTC && p->child >= 0) {
			struct rng tr = proc_rng(i, 6);
			rnd_alnum(&tr, p->tmp, 6);
			rnd_alnum(&tr, p->res, 6);
		}
	}
	schedule(&r);
	assign_pids(&r);
	compute_rusage();

	/* the files */
	for (size_t i = 0; i < g.np; i++) {
		struct proc *p = &g.procs[i];
		struct rng pr = proc_rng(i, 7);
		switch (p->kind) {
		case P_ROOT:
			write_root(p, &pr);
			break;
		case P_PROBE_VV:
		case P_PROBE_PRINT:
			write_probe(p, &pr);
			break;
		case P_RUSTC:
			write_rustc(p, &pr); /* and its linkers */
			break;
		case P_BSRUN:
			write_bsrun(p);
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t_done);
	printf("%s: %zu processes, %zu images, %llu samples, %.1f MB, "
	       "build of %.1f s, written in %.2f s\n",
	       g.dir, g.np, g.n_images, (unsigned long long)g.samples_written,
	       (double)g.bytes / 1e6,
	       (double)(g.procs[0].end_ns - g.procs[0].start0_ns) / 1e9,
	       (double)(t_done.tv_sec - t_begin.tv_sec) +
		   (double)(t_done.tv_nsec - t_begin.tv_nsec) / 1e9);
	for (size_t i = 0; i < g.np; i++)
		free(g.procs[i].thr);
	free(g.procs);
	free(g.crates);
	return 0;
}
