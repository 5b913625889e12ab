/* gen_trace.c - write a synthetic but realistic trace of a large cargo build.
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
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace_codec.h"
#include "trace_dir.h"
#include "trace_format.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

#define MS 1000000ull
#define PERIOD_NS 4000000ull /* 250 Hz */
#define SAMPLE_HZ 250
#define FLUSH_NS (100 * MS) /* the shim's flusher period */
#define MAX_PROCS 100000ull
#define MAX_WORKERS 32

#define TOOLCHAIN "stable-x86_64-unknown-linux-gnu"
#define TC "/root/.rustup/toolchains/" TOOLCHAIN
#define RUSTLIB TC "/lib/rustlib/x86_64-unknown-linux-gnu"
#define PROXY_EXE "/root/.cargo/bin/cargo"
#define CARGO_EXE TC "/bin/cargo"
#define RUSTC_EXE TC "/bin/rustc"
#define GCC_EXE "/usr/bin/x86_64-linux-gnu-gcc-12"
#define GCC_LIB "/usr/lib/gcc/x86_64-linux-gnu/12"
#define COLLECT2_EXE GCC_LIB "/collect2"
#define WRAPPER_EXE RUSTLIB "/bin/gcc-ld/ld.lld"
#define LLD_EXE RUSTLIB "/bin/rust-lld"
#define WS "/root/work/bigapp"
#define TARGET WS "/target/debug"
#define REGISTRY "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f"
#define MAKEFLAGS "-j --jobserver-fds=6,7 --jobserver-auth=6,7"

static void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("gen_trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- randomness: splitmix64, seeded per process so that nothing depends
 * on the order things are generated in ---- */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

/* A value in [0, N) from the high bits of H, without a division. */
static uint64_t scale(uint64_t h, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)h * n) >> 64);
}

static uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return scale(rnd(r), n);
}

static double rnd_unit(struct rng *r)
{
	return (double)(rnd(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [LO, HI] milliseconds, in nanoseconds. */
static uint64_t rnd_ms(struct rng *r, double lo, double hi)
{
	return (uint64_t)((lo + (hi - lo) * rnd_unit(r)) * 1e6);
}

/* exp(N(0, SIGMA)): median 1, a long tail like crate sizes have. */
static double rnd_lognormal(struct rng *r, double sigma)
{
	double u1 = rnd_unit(r) + 1e-12, u2 = rnd_unit(r);
	return exp(sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

static void rnd_hex(struct rng *r, char *out, int n)
{
	static const char d[] = "0123456789abcdef";
	uint64_t v = rnd(r);
	for (int i = 0; i < n; i++) {
		if (i == 16)
			v = rnd(r);
		out[i] = d[v & 15];
		v >>= 4;
	}
	out[n] = 0;
}

static void rnd_base36(struct rng *r, char *out, int n)
{
	static const char d[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	for (int i = 0; i < n; i++)
		out[i] = d[rnd_below(r, 36)];
	out[n] = 0;
}

static void rnd_alnum(struct rng *r, char *out, int n)
{
	static const char d[] = "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < n; i++)
		out[i] = d[rnd_below(r, sizeof(d) - 1)];
	out[n] = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* A GNU build-id (SHA-1 sized) that depends only on the file's path: the
 * same file has the same id in every process. */
static void build_id_for(const char *path, char out[41])
{
	static const char d[] = "0123456789abcdef";
	uint64_t h = hash_str(path);
	for (int i = 0; i < 40; i++) {
		if (i % 16 == 0)
			h = mix64(h + (uint64_t)i);
		out[i] = d[(h >> (4 * (i % 16))) & 15];
	}
	out[40] = 0;
}

/* ---- the modules: sizes and executable ranges of the real files ---- */

enum mod_id {
	M_RUSTC,
	M_VDSO,
	M_BTRACE,
	M_DRIVER,
	M_LIBDL,
	M_LIBRT,
	M_LIBPTHREAD,
	M_LIBC,
	M_LLVM,
	M_LIBGCC,
	M_LDSO,
	M_LIBM,
	M_LIBZ,
	M_LLD,
	M_WRAPPER,
	M_MACRO, /* a proc macro, dlopen'ed by rustc; path set per crate */
	N_MODS,
};

struct moddef {
	const char *path;
	uint64_t size, x0, x1; /* mapping size; executable range (offsets) */
	int has_build_id;      /* the Rust toolchain's files have none */
	uint32_t n_funcs;      /* functions the call trees use */
};

static const struct moddef mods[N_MODS] = {
	[M_RUSTC] = {RUSTC_EXE, 0x29b6bd, 0x12bc0, 0x89df0, 0, 400},
	[M_VDSO] = {"linux-vdso.so.1", 0x1542, 0, 0x1542, 1, 128},
	[M_BTRACE] = {"/usr/local/lib/libbtrace.so", 0x500e8, 0x2000, 0x8645, 1,
		      128},
	[M_DRIVER] = {TC "/lib/librustc_driver-6108105cd7e839cf.so", 0x7be2b8c,
		      0x11a1c00, 0x7be2b8c, 0, 60000},
	[M_LIBDL] = {"/lib/x86_64-linux-gnu/libdl.so.2", 0x4010, 0x1000, 0x110d,
		     1, 128},
	[M_LIBRT] = {"/lib/x86_64-linux-gnu/librt.so.1", 0x4020, 0x1000, 0x125d,
		     1, 128},
	[M_LIBPTHREAD] = {"/lib/x86_64-linux-gnu/libpthread.so.0", 0x4010,
			  0x1000, 0x110d, 1, 128},
	[M_LIBC] = {"/lib/x86_64-linux-gnu/libc.so.6", 0x1e1f50, 0x26000,
		    0x17b0fc, 1, 2500},
	[M_LLVM] = {TC "/lib/libLLVM.so.22.1-rust-1.95.0-stable", 0xa757044,
		    0x449b9a4, 0xa757044, 0, 80000},
	[M_LIBGCC] = {"/lib/x86_64-linux-gnu/libgcc_s.so.1", 0x1f2c8, 0x3000,
		      0x198d1, 1, 200},
	[M_LDSO] = {"/lib64/ld-linux-x86-64.so.2", 0x342d8, 0x1000, 0x26111, 1,
		    200},
	[M_LIBM] = {"/lib/x86_64-linux-gnu/libm.so.6", 0xdf110, 0x10000,
		    0x833e1, 1, 400},
	[M_LIBZ] = {"/lib/x86_64-linux-gnu/libz.so.1", 0x1e190, 0x3000, 0x1500d,
		    1, 128},
	[M_LLD] = {LLD_EXE, 0x754ac0, 0xe61c0, 0x7254c0, 0, 20000},
	[M_WRAPPER] = {WRAPPER_EXE, 0x5e752, 0x151a0, 0x592e0, 0, 300},
	[M_MACRO] = {NULL, 0x5d9f6, 0x18824, 0x596c0, 1, 800},
};

/* Where each object lands, relative to the lowest mmap'ed one, in the
 * order dl_iterate_phdr reports them (taken from real processes).  The
 * executable (first) goes in the PIE range instead. */
struct placement {
	uint8_t m;
	uint64_t off;
};

static const struct placement rustc_layout[] = {
	{M_RUSTC, 0},
	{M_VDSO, 0x127b4000},
	{M_BTRACE, 0x1275b000},
	{M_DRIVER, 0xaa00000},
	{M_LIBDL, 0x1274b000},
	{M_LIBRT, 0x12746000},
	{M_LIBPTHREAD, 0x12741000},
	{M_LIBC, 0xa81e000},
	{M_LLVM, 0},
	{M_LIBGCC, 0x1271f000},
	{M_LDSO, 0x127b6000},
	{M_LIBM, 0x1263f000},
	{M_LIBZ, 0x12620000},
};

static const struct placement lld_layout[] = {
	{M_LLD, 0},
	{M_VDSO, 0xab1a000},
	{M_BTRACE, 0xaac1000},
	{M_LIBPTHREAD, 0xaab1000},
	{M_LIBZ, 0xaa92000},
	{M_LLVM, 0x200000},
	{M_LIBM, 0xa9b0000},
	{M_LIBGCC, 0xa990000},
	{M_LIBC, 0x1e000},
	{M_LDSO, 0xab1c000},
	{M_LIBRT, 0xa98b000},
	{M_LIBDL, 0xa986000},
};

static const struct placement wrapper_layout[] = {
	{M_WRAPPER, 0},	      {M_VDSO, 0x26b000},	{M_BTRACE, 0x212000},
	{M_LIBGCC, 0x1e7000}, {M_LIBPTHREAD, 0x1e2000}, {M_LIBC, 0},
	{M_LDSO, 0x26d000},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- call trees: function F of module M is a fixed range of its text,
 * and each function calls a fixed few others, so that every process
 * samples the same code ---- */

static uint64_t fn_off(int m, uint64_t f, uint64_t *len)
{
	const struct moddef *d = &mods[m];
	uint64_t span = d->x1 - d->x0;
	uint64_t maxlen = span / 8 < 4096 ? span / 8 : 4096;
	uint64_t h =
		mix64(f * 0x9e3779b97f4a7c15ull ^ ((uint64_t)(m + 1) << 52));
	uint64_t l = 16 + (((h >> 32) * maxlen) >> 32);
	*len = l;
	return (d->x0 + (((h & 0xffffffffu) * (span - l)) >> 32)) & ~15ull;
}

/* --stacks: "real" (the default) matches the shape of real rustc samples;
 * "diverse" is the old, much more varied model, kept as a worst case. */
static int stacks_diverse;

#define REAL_SKEW 1.4
static uint32_t next_node(int m, uint64_t cur, uint64_t c)
{
	uint64_t h = mix64((cur << 2 | c) ^ ((uint64_t)(m + 7) << 50));
	/* real: as many functions as the real libraries have symbols */
	uint64_t n = (stacks_diverse ? mods[m].n_funcs
		      : m == M_DRIVER ? 120000
		      : m == M_LLVM   ? 180000
		      : m == M_LLD    ? 60000
				      : mods[m].n_funcs) - 64;
	double u;
	if (stacks_diverse)
		return (uint32_t)(64 + scale(h, n));
	/* real: call graphs converge on a few hot functions; the callee's
	 * index is log-distributed, n^(u^SKEW) */
	u = (double)(h >> 11) * 0x1p-53;
	return (uint32_t)(64 + (uint64_t)pow((double)n, pow(u, REAL_SKEW)) - 1);
}

struct frame {
	uint8_t m;
	uint32_t f;
};

enum thread_type {
	T_IDLE, /* ctrl-c, jobserver helper: no samples */
	T_MAIN,
	T_COMPILER,
	T_WORKER,
	T_COORD,
	T_LLD_MAIN,
	T_LLD_WORKER,
	N_TYPES,
};

static const struct frame pre_main[] = {
	{M_RUSTC, 1},  {M_LIBC, 1},   {M_LIBC, 2},   {M_RUSTC, 2},
	{M_DRIVER, 1}, {M_DRIVER, 2}, {M_DRIVER, 3},
};
static const struct frame pre_compiler[] = {
	{M_LIBC, 10},	{M_LIBC, 11},	{M_DRIVER, 10}, {M_DRIVER, 11},
	{M_DRIVER, 12}, {M_DRIVER, 13}, {M_DRIVER, 14},
};
static const struct frame pre_worker[] = {
	{M_LIBC, 10},	{M_LIBC, 11},	{M_DRIVER, 10}, {M_DRIVER, 11},
	{M_DRIVER, 30}, {M_DRIVER, 31}, {M_DRIVER, 32}, {M_LLVM, 1},
};
static const struct frame pre_coord[] = {
	{M_LIBC, 10},	{M_LIBC, 11},	{M_DRIVER, 10},
	{M_DRIVER, 11}, {M_DRIVER, 40},
};
static const struct frame pre_lld_main[] = {
	{M_LLD, 1}, {M_LIBC, 1}, {M_LIBC, 2},
	{M_LLD, 2}, {M_LLD, 3},	 {M_LLD, 4},
};
static const struct frame pre_lld_worker[] = {
	{M_LIBC, 10}, {M_LIBC, 11}, {M_LLVM, 20}, {M_LLVM, 21}, {M_LLD, 20},
};

/* Per thread type: the frames from the root, the module most of the stack
 * is in, and where the innermost frames are (cumulative percentages). */
static const struct tdef {
	const struct frame *pre;
	int n_pre;
	uint8_t walk_mod;
	uint32_t walk_from;
	uint8_t tail_mod[4];
	uint8_t tail_pct[4];
} tdefs[N_TYPES] = {
	[T_MAIN] = {pre_main, N_OF(pre_main), M_DRIVER, 100,
		    {M_DRIVER, M_LIBC, M_LDSO, M_LDSO}, {80, 95, 100, 100}},
	[T_COMPILER] = {pre_compiler, N_OF(pre_compiler), M_DRIVER, 200,
			{M_DRIVER, M_LIBC, M_LLVM, M_MACRO}, {62, 77, 92, 100}},
	[T_WORKER] = {pre_worker, N_OF(pre_worker), M_LLVM, 300,
		      {M_LLVM, M_LIBC, M_LIBC, M_LIBC}, {85, 100, 100, 100}},
	[T_COORD] = {pre_coord, N_OF(pre_coord), M_DRIVER, 400,
		     {M_DRIVER, M_LIBC, M_LIBC, M_LIBC}, {60, 100, 100, 100}},
	[T_LLD_MAIN] = {pre_lld_main, N_OF(pre_lld_main), M_LLD, 500,
			{M_LLD, M_LLVM, M_LIBC, M_LIBC}, {60, 85, 100, 100}},
	[T_LLD_WORKER] = {pre_lld_worker, N_OF(pre_lld_worker), M_LLD, 600,
			  {M_LLD, M_LLVM, M_LIBC, M_LIBC}, {55, 80, 100, 100}},
};

/* Which callee: skewed, so that some paths are hot; SALT (per crate)
 * moves the hot paths near the root. */
static uint64_t pick(uint64_t bits, int level, uint64_t salt)
{
	static const uint8_t skew[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					 1, 1, 1, 1, 2, 2, 3, 3};
	static const uint8_t skew_real[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0, 1, 1, 1, 2, 3};
	uint64_t c = (stacks_diverse ? skew : skew_real)[bits & 15];
	if (level < 6)
		c = (c + (salt >> (2 * level))) & 3;
	return c;
}

#define HOT_SPOTS 4096 /* places per function where "real" stacks stop */

/* Where a "real" stack is interrupted in its function: one of up to
 * HOT_SPOTS places, log-distributed, so a few are hot. */
static uint64_t hot_spot(struct rng *r)
{
	return (uint64_t)pow((double)HOT_SPOTS, rnd_unit(r));
}

/* The callee of a tail frame: any of four, or (real) mostly the first. */
static uint64_t tail_pick(struct rng *r)
{
	return stacks_diverse ? rnd(r) & 3 : pick(rnd(r), 99, 0);
}

/* One stack, innermost PC first.  MAP holds each module's load address
 * (0: not mapped).  Returns the depth; *FLAGS gets the sample flags. */
static int make_stack(struct rng *r, int type, const uint64_t *map,
		      uint64_t salt, int macro_ok, uint64_t *pcs,
		      uint16_t *flags)
{
	const struct tdef *t = &tdefs[type];
	struct frame fr[64];
	int depth = stacks_diverse ? 10 + (int)rnd_below(r, 51)
				   : 6 + (int)rnd_below(r, 35),
	    n = 0, tail, walk;
	uint64_t bits = rnd(r), cur, x = rnd(r);
	int tm = t->tail_mod[3], level = 0, used = 0;

	for (int i = 0; i < 4; i++)
		if ((x & 0xffff) % 100 < t->tail_pct[i]) {
			tm = t->tail_mod[i];
			break;
		}
	x >>= 16;
	if (tm == M_MACRO && !macro_ok)
		tm = M_DRIVER;
	if (!map[tm])
		tm = t->walk_mod;
	tail = 1 + (int)(x % 3);
	x >>= 8;
	if (tm == M_MACRO)
		tail = 3 + (int)(x % 4);
	if (tail > depth - t->n_pre)
		tail = depth - t->n_pre;
	if (tm == M_MACRO && tail < 3)
		tm = t->walk_mod;
	walk = depth - t->n_pre - tail;

	for (int i = 0; i < t->n_pre; i++)
		fr[n++] = t->pre[i];
	cur = t->walk_from + ((x >> 8) & 1);
	for (int i = 0; i < walk; i++, level++) {
		fr[n++] = (struct frame){t->walk_mod, (uint32_t)cur};
		if (++used == 16) {
			bits = rnd(r);
			used = 0;
		}
		cur = next_node(t->walk_mod, cur, pick(bits, level, salt));
		bits >>= 4;
	}
	if (tm == t->walk_mod) {
		for (int i = 0; i < tail; i++, level++) {
			fr[n++] = (struct frame){(uint8_t)tm, (uint32_t)cur};
			cur = next_node(tm, cur, tail_pick(r));
		}
	} else {
		int i = 0;
		if (tm == M_MACRO) {
			/* rustc's proc-macro bridge, then the macro */
			fr[n++] = (struct frame){M_DRIVER, 50};
			fr[n++] = (struct frame){M_DRIVER, 51};
			i = 2;
		}
		cur = next_node(tm, cur ^ 0x5a5a, 0);
		for (; i < tail; i++) {
			fr[n++] = (struct frame){(uint8_t)tm, (uint32_t)cur};
			cur = next_node(tm, cur, tail_pick(r));
		}
	}

	/* Innermost first: the interrupted PC, then return addresses. */
	for (int i = 0; i < n; i++) {
		const struct frame *f = &fr[n - 1 - i];
		/* the interrupted PC: anywhere in the function, or (real)
		 * one of a few hot spots */
		uint64_t len, callee = i ? fr[n - i].f
				       : stacks_diverse ? rnd(r)
							: hot_spot(r);
		uint64_t off = fn_off(f->m, f->f, &len);
		uint64_t h = mix64(f->f * 31 + callee) & 0xffffffffu;
		pcs[i] = map[f->m] + off + 1 + ((h * (len - 1)) >> 32);
	}
	*flags = BT_SAMPLE_COMPLETE;
	/* 1%: the unwinder gave up before the root (no unwind info). */
	if (rnd_below(r, 100) == 0 && n - t->n_pre >= 10) {
		n -= t->n_pre;
		*flags = 0;
	}
	return n;
}

/* ---- the build: crates, processes, threads ---- */

enum crate_kind { CK_LIB, CK_MACRO, CK_BIN };

struct crate {
	char pkg[48], name[48], version[16];
	uint8_t kind, member, has_bs, edition, n_features;
	int32_t macro; /* proc-macro crate it uses, or -1 */
	int32_t deps[6];
	int n_deps;
	char meta[17], extra[17], bs_meta[17], bs_extra[17], bs_out[17];
	int32_t p_bs, p_run, p_main; /* its processes */
};

enum proc_kind {
	P_ROOT,
	P_PROBE_VV,
	P_PROBE_PRINT,
	P_RUSTC,
	P_BSRUN,
	P_CC,
	P_COLLECT2,
	P_LLD,
};

/* What a rustc compiles. */
enum unit_kind { U_LIB, U_MACRO, U_BUILD, U_BIN };

struct thr {
	uint8_t type, is_main, at_stop; /* THREAD at the sampler's stop */
	uint16_t tid_off;		/* tid = pid + tid_off */
	char name[16];
	uint64_t a, b;	  /* its samples fall in [a, b) */
	uint64_t n, n2;	  /* samples, of them with weight 2 */
	uint64_t cpu_ns;  /* its CPU clock at its end */
	uint64_t end_ns;  /* its THREAD record, if not at the stop */
	uint64_t k, next; /* generation: next sample and its time */
};

struct proc {
	uint8_t kind, unit;
	uint8_t has_spawn, has_exec, sampled;
	int32_t crate;	/* or -1 */
	int32_t parent; /* or -1 */
	int32_t child;	/* the one child it spawns itself (linking), or -1 */
	uint32_t pid, ppid, n_tids;
	uint64_t ticks;
	double natural; /* its share of the samples, before scaling */
	int fixed;	/* natural is a sample count, not a weight */
	uint64_t samples;
	int n_workers;
	/* times (ns): the parent's SPAWN (before, after the call), the
	 * first image's PROC_START, EXEC, the second image's PROC_START */
	uint64_t spawn_ns, spawn_done_ns, start0_ns, exec_ns, start1_ns;
	uint64_t pre_sampling_ns, pre_stop_ns; /* ld.lld before it execs */
	uint64_t sampling_ns, stop_ns, end_ns, reap_ns, macro_load_ns;
	uint64_t meta_ns; /* a lib's .rmeta is written: dependents may start */
	uint64_t startup_cpu_ns, cpu_ns;
	struct bt_rusage ru_self, ru_children, ru_reap;
	struct thr *thr;
	int n_thr;
	uint64_t salt;
	char tmp[8], res[8]; /* rustcXXXXXX, /tmp/ccXXXXXX.res */
};

static struct {
	const char *dir_arg;
	char dir[PATH_MAX];
	char session[BT_SESSION_LEN];
	uint64_t seed, want_procs, want_samples;
	struct crate *crates;
	size_t nc, n_libs;
	struct proc *procs;
	size_t np;
	uint64_t t0, realtime0;
	size_t n_images;
	uint64_t bytes, samples_written;
	int cranelift; /* --backend cranelift */
} g;

static struct rng proc_rng(size_t i, uint64_t stream)
{
	struct rng r = {mix64(g.seed * 0x2545f4914f6cdd1dull + i * 0x9e37u +
			      stream * 0x632be59bd9b4e019ull)};
	return r;
}

static struct thr *add_thr(struct proc *p, int type, const char *name,
			   int tid_off, int is_main, int at_stop)
{
	struct thr *t;
	p->thr = xrealloc(p->thr, (size_t)(p->n_thr + 1) * sizeof(*p->thr));
	t = &p->thr[p->n_thr++];
	memset(t, 0, sizeof(*t));
	t->type = (uint8_t)type;
	t->is_main = (uint8_t)is_main;
	t->at_stop = (uint8_t)at_stop;
	t->tid_off = (uint16_t)tid_off;
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

static size_t add_proc(int kind, int unit, int crate, int parent)
{
	struct proc *p;
	g.procs = xrealloc(g.procs, (g.np + 1) * sizeof(*g.procs));
	p = &g.procs[g.np];
	memset(p, 0, sizeof(*p));
	p->kind = (uint8_t)kind;
	p->unit = (uint8_t)unit;
	p->crate = crate;
	p->parent = parent;
	p->child = -1;
	return g.np++;
}

/* Splits TOTAL into K parts in proportion to W (largest remainder). */
static void split(uint64_t total, const double *w, int k, uint64_t *out)
{
	double sum = 0;
	uint64_t given = 0;
	double frac[MAX_WORKERS + 8];
	for (int i = 0; i < k; i++)
		sum += w[i];
	for (int i = 0; i < k; i++) {
		double x = sum > 0 ? (double)total * w[i] / sum : 0;
		out[i] = (uint64_t)x;
		frac[i] = x - (double)out[i];
		given += out[i];
	}
	while (given < total) {
		int best = 0;
		for (int i = 1; i < k; i++)
			if (frac[i] > frac[best])
				best = i;
		out[best]++;
		frac[best] = -1;
		given++;
	}
}

/* ---- crates ---- */

static const char *const lib_names[] = {
	"serde", "serde_json", "syn", "quote", "proc-macro2", "unicode-ident",
	"libc", "cfg-if", "memchr", "regex", "regex-syntax", "regex-automata",
	"aho-corasick", "log", "once_cell", "itoa", "ryu", "bytes", "tokio",
	"mio", "futures-core", "futures-util", "futures-channel",
	"pin-project-lite", "smallvec", "hashbrown", "indexmap", "equivalent",
	"parking_lot", "parking_lot_core", "lock_api", "scopeguard", "rand",
	"rand_core", "rand_chacha", "getrandom", "ppv-lite86", "anyhow",
	"thiserror", "clap", "clap_builder", "clap_lex", "anstream", "anstyle",
	"strsim", "tracing", "tracing-core", "tracing-subscriber",
	"sharded-slab", "either", "itertools", "bitflags", "byteorder",
	"crossbeam-utils", "crossbeam-channel", "crossbeam-epoch", "rayon",
	"rayon-core", "num-traits", "time", "chrono", "url", "idna",
	"percent-encoding", "form_urlencoded", "http", "hyper", "h2",
	"socket2", "base64", "sha2", "digest", "generic-array", "typenum",
	"zerocopy", "ahash", "slab", "tempfile", "fastrand", "rustix",
	"linux-raw-sys", "encoding_rs", "flate2", "miniz_oxide", "adler2",
	"crc32fast", "walkdir", "same-file", "semver", "toml", "toml_edit",
	"winnow", "serde_spanned", "uuid", "lazy_static", "heck", "nom", "phf",
	"siphasher", "bstr",
};

static const char *const macro_names[] = {
	"serde_derive", "thiserror-impl", "tokio-macros", "async-trait",
	"pin-project-internal", "derive_more", "clap_derive",
	"tracing-attributes", "zerocopy-derive", "futures-macro", "paste",
	"strum_macros", "prost-derive", "displaydoc", "ctor",
};

static const char *const member_words[] = {
	"core", "util", "model", "store", "net", "api", "config", "proto",
	"engine", "cache", "metrics", "auth", "sched", "codec",
};

static const char *const features[] = {"default", "std", "alloc", "derive",
				       "full", "serde", "unicode"};

static void crate_names(struct crate *c, const char *base, uint64_t cycle)
{
	int n = cycle ? snprintf(c->pkg, sizeof(c->pkg), "%s-%llu", base,
				 (unsigned long long)cycle)
		      : snprintf(c->pkg, sizeof(c->pkg), "%s", base);
	if (n < 0 || (size_t)n >= sizeof(c->pkg))
		die("internal error: crate name too long");
	memcpy(c->name, c->pkg, sizeof(c->name));
	for (char *s = c->name; *s; s++)
		if (*s == '-')
			*s = '_';
}

static struct crate *add_crate(int kind)
{
	struct crate *c;
	g.crates = xrealloc(g.crates, (g.nc + 1) * sizeof(*g.crates));
	c = &g.crates[g.nc++];
	memset(c, 0, sizeof(*c));
	c->kind = (uint8_t)kind;
	c->macro = -1;
	c->p_bs = c->p_run = c->p_main = -1;
	return c;
}

/* Crates whose processes (rustc, linkers, build scripts) add up to
 * exactly BUDGET: a lib costs 1, a proc macro or a bin 4 (rustc, cc,
 * collect2, rust-lld), a build script 5 more (compiled, linked, run). */
static void plan_crates(uint64_t budget, struct rng *r)
{
	uint64_t nbins = budget >= 60 ? budget / 200 + 1 : budget >= 12;
	uint64_t rest, n_members, nlib_macro, lib_i = 0, macro_i = 0;

	if (nbins > 8)
		nbins = 8;
	rest = budget - 4 * nbins;
	while (rest) {
		struct crate *c = add_crate(CK_LIB);
		uint64_t cost = 1;
		if (rnd_below(r, 100) < 7 && rest >= 4) {
			c->kind = CK_MACRO;
			cost = 4;
		}
		if (rnd_below(r, 100) < 10 && rest >= cost + 5) {
			c->has_bs = 1;
			cost += 5;
		}
		rest -= cost;
	}
	nlib_macro = g.nc;
	n_members = nlib_macro >= 3 ? nlib_macro / 10 + 1 : 0;
	for (size_t i = 0; i < nlib_macro; i++) {
		struct crate *c = &g.crates[i];
		c->member = i >= nlib_macro - n_members;
		if (c->kind == CK_MACRO) {
			size_t n = N_OF(macro_names);
			crate_names(c, macro_names[macro_i % n], macro_i / n);
			macro_i++;
		} else if (c->member) {
			size_t n = N_OF(member_words),
			       k = i - (nlib_macro - n_members);
			char base[48];
			snprintf(base, sizeof(base), "bigapp-%s",
				 member_words[k % n]);
			crate_names(c, base, k / n);
		} else {
			size_t n = N_OF(lib_names);
			crate_names(c, lib_names[lib_i % n], lib_i / n);
			lib_i++;
		}
	}
	for (uint64_t i = 0; i < nbins; i++) {
		struct crate *c = add_crate(CK_BIN);
		char base[48];
		c->member = 1;
		if (i)
			snprintf(base, sizeof(base), "bigapp-tool%llu",
				 (unsigned long long)i);
		else
			snprintf(base, sizeof(base), "bigapp");
		crate_names(c, base, 0);
	}
	for (size_t i = 0; i < g.nc; i++) {
		struct crate *c = &g.crates[i];
		if (c->member)
			snprintf(c->version, sizeof(c->version), "0.%llu.0",
				 (unsigned long long)rnd_below(r, 5));
		else
			snprintf(c->version, sizeof(c->version),
				 "%llu.%llu.%llu",
				 (unsigned long long)rnd_below(r, 2),
				 (unsigned long long)rnd_below(r, 40),
				 (unsigned long long)rnd_below(r, 220));
		c->edition = c->member || rnd_below(r, 10) < 7 ? 21 : 18;
		c->n_features = (uint8_t)rnd_below(r, 4);
		rnd_hex(r, c->meta, 16);
		rnd_hex(r, c->extra, 16);
		rnd_hex(r, c->bs_meta, 16);
		rnd_hex(r, c->bs_extra, 16);
		rnd_hex(r, c->bs_out, 16);
		if (c->kind == CK_BIN) {
			/* its direct deps: mostly the workspace's crates */
			for (size_t k = 0; k < 6 && nlib_macro; k++) {
				size_t d = nlib_macro - 1 -
					   rnd_below(r, nlib_macro < 20
								? nlib_macro
								: 20);
				int dup = 0;
				if (g.crates[d].kind != CK_LIB)
					continue;
				for (int j = 0; j < c->n_deps; j++)
					dup |= c->deps[j] == (int32_t)d;
				if (!dup)
					c->deps[c->n_deps++] = (int32_t)d;
			}
			continue;
		}
		for (uint64_t k = rnd_below(r, 6); k && i; k--) {
			/* rarely one of the last few: a build is a wide graph
			 */
			size_t d = i > 4 && rnd_below(r, 10)
					   ? rnd_below(r, i - 3)
					   : rnd_below(r, i);
			int dup = 0;
			if (g.crates[d].kind != CK_LIB)
				continue;
			for (int j = 0; j < c->n_deps; j++)
				dup |= c->deps[j] == (int32_t)d;
			if (!dup)
				c->deps[c->n_deps++] = (int32_t)d;
		}
		if (c->kind == CK_LIB && rnd_below(r, 10) < 3) {
			/* a proc macro from earlier in the build */
			for (size_t k = 0; k < 8 && i; k++) {
				size_t d = rnd_below(r, i);
				if (g.crates[d].kind == CK_MACRO) {
					c->macro = (int32_t)d;
					break;
				}
			}
		}
	}
	for (size_t i = 0; i < g.nc; i++)
		g.n_libs += g.crates[i].kind == CK_LIB;
}

/* The processes of each crate, in the order cargo runs them. */
static void link_chain(size_t rustc)
{
	size_t cc = add_proc(P_CC, 0, g.procs[rustc].crate, (int)rustc);
	size_t c2 = add_proc(P_COLLECT2, 0, g.procs[rustc].crate, (int)cc);
	size_t lld = add_proc(P_LLD, g.procs[rustc].unit, g.procs[rustc].crate,
			      (int)c2);
	g.procs[rustc].child = (int32_t)cc;
	g.procs[cc].child = (int32_t)c2;
	g.procs[c2].child = (int32_t)lld;
}

static void plan_procs(void)
{
	add_proc(P_ROOT, 0, -1, -1);
	if (g.want_procs >= 2)
		add_proc(P_PROBE_VV, 0, -1, 0);
	if (g.want_procs >= 3)
		add_proc(P_PROBE_PRINT, 0, -1, 0);
	for (size_t i = 0; i < g.nc; i++) {
		struct crate *c = &g.crates[i];
		size_t p;
		if (c->has_bs) {
			c->p_bs =
				(int32_t)add_proc(P_RUSTC, U_BUILD, (int)i, 0);
			link_chain((size_t)c->p_bs);
			c->p_run = (int32_t)add_proc(P_BSRUN, 0, (int)i, 0);
		}
		p = add_proc(P_RUSTC,
			     c->kind == CK_BIN	   ? U_BIN
			     : c->kind == CK_MACRO ? U_MACRO
						   : U_LIB,
			     (int)i, 0);
		c->p_main = (int32_t)p;
		if (c->kind != CK_LIB)
			link_chain(p);
	}
	if (g.np != g.want_procs)
		die("internal error: planned %zu processes, not %llu", g.np,
		    (unsigned long long)g.want_procs);
}

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

static void allocate_samples(void)
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
				p->natural =
					c->member ? 1.5 * rnd_lognormal(&r, 1.0)
						  : rnd_lognormal(&r, 1.2);
			}
			break;
		}
		case P_LLD:
			p->fixed = 1;
			p->natural = p->unit == U_BIN
					     ? (100 + 1.5 * (double)g.n_libs) *
						       rnd_lognormal(&r, 0.3)
				     : p->unit == U_MACRO
					     ? 30 * rnd_lognormal(&r, 0.5)
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

static uint64_t thr_cpu_sum(const struct proc *p)
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

static void shift(struct proc *p, uint64_t dt);

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
static void plan_rustc(struct proc *p, struct rng *r)
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
	comp->b = cg_start + (uint64_t)((double)(n_ccg * PERIOD_NS) * 1.05) +
		  200000;
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
static void plan_probe(struct proc *p, struct rng *r)
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
static void plan_bsrun(struct proc *p, struct rng *r)
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

static void shift(struct proc *p, uint64_t dt)
{
	uint64_t *t[] = {
		&p->spawn_ns,	 &p->spawn_done_ns, &p->start0_ns,
		&p->exec_ns,	 &p->start1_ns,	    &p->pre_sampling_ns,
		&p->pre_stop_ns, &p->sampling_ns,   &p->stop_ns,
		&p->end_ns,	 &p->reap_ns,	    &p->macro_load_ns,
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

static void schedule(struct rng *r)
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

static void assign_pids(struct rng *r)
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
static void compute_rusage(void)
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

/* ---- output ---- */

struct out {
	int fd;
	size_t len;
	char path[PATH_MAX + 64];
};

static char out_buf[1 << 20];

static void out_flush(struct out *o)
{
	size_t off = 0;
	while (off < o->len) {
		ssize_t n = write(o->fd, out_buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: %s", o->path,
			    n < 0 ? strerror(errno) : "short write");
		off += (size_t)n;
	}
	g.bytes += o->len;
	o->len = 0;
}

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > sizeof(out_buf))
		out_flush(o);
	memcpy(out_buf + o->len, p, n);
	o->len += n;
}

static void out_rec(struct out *o, const char *rec, size_t len)
{
	if (!len)
		die("internal error: a record did not fit");
	out_put(o, rec, len);
}

static void out_open(struct out *o, uint32_t pid, uint64_t ticks)
{
	struct bt_file_header h;
	o->fd = bt_trace_file_create(g.dir, pid, ticks, o->path,
				     sizeof(o->path));
	if (o->fd < 0)
		die("cannot create a trace file in %s: %s", g.dir,
		    strerror(errno));
	o->len = 0;
	bt_file_header_init(&h, pid, ticks, g.session);
	out_put(o, &h, sizeof(h));
	g.n_images++;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (close(o->fd) < 0)
		die("%s: %s", o->path, strerror(errno));
}

/* A growing list of strings (argv, environment). */
struct strv {
	char *buf;
	size_t len, cap;
	size_t *off;
	char **v;
	size_t n, ncap;
};

static void sv_reset(struct strv *s)
{
	s->len = s->n = 0;
}

static void sv_add(struct strv *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sv_add(struct strv *s, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if (s->len + (size_t)n + 1 > s->cap) {
		s->cap = (s->len + (size_t)n + 1) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	if (s->n + 2 > s->ncap) {
		s->ncap = (s->n + 2) * 2;
		s->off = xrealloc(s->off, s->ncap * sizeof(*s->off));
		s->v = xrealloc(s->v, s->ncap * sizeof(*s->v));
	}
	memcpy(s->buf + s->len, tmp, (size_t)n + 1);
	s->off[s->n++] = s->len;
	s->len += (size_t)n + 1;
}

/* The NULL-terminated array, valid until the next sv_add. */
static char **sv_argv(struct strv *s)
{
	if (s->n + 1 > s->ncap) {
		s->ncap = s->n + 1;
		s->v = xrealloc(s->v, s->ncap * sizeof(*s->v));
	}
	for (size_t i = 0; i < s->n; i++)
		s->v[i] = s->buf + s->off[i];
	s->v[s->n] = NULL;
	return s->v;
}

static char rec_buf[BT_MAX_RECORD];

/* As the shim's create_file(): exe, cwd, bounded argv, allow-listed env. */
static void rec_start(struct out *o, const struct proc *p, uint64_t t,
		      uint32_t flags, const char *exe, const char *cwd,
		      struct strv *argv, struct strv *env)
{
	struct bt_rec_proc_start st;
	struct bt_enc e;
	memset(&st, 0, sizeof(st));
	st.pid = p->pid;
	st.ppid = p->ppid;
	st.start_ticks = p->ticks;
	st.mono_ns = t;
	st.flags = flags;
	st.uid = 0;
	st.tid = p->pid;
	bt_enc_begin(&e, rec_buf, sizeof(rec_buf), BT_REC_PROC_START, &st,
		     sizeof(st));
	bt_enc_str(&e, exe, 1023);
	bt_enc_str(&e, cwd, 1023);
	if (bt_enc_argv(&e, sv_argv(argv), BT_MAX_ARGV_BYTES, BT_MAX_ARGS,
			&st.argc_kept, &st.argc))
		st.flags |= BT_START_ARGV_TRUNCATED;
	for (char **ep = sv_argv(env); *ep; ep++) {
		if (e.cap - e.len < BT_MAX_ENV_VALUE + 64) {
			st.flags |= BT_START_ENV_TRUNCATED;
			break;
		}
		if (bt_enc_str(&e, *ep, BT_MAX_ENV_VALUE) > 0)
			st.flags |= BT_START_ENV_TRUNCATED;
		st.envc++;
	}
	bt_enc_patch_fixed(&e, &st, sizeof(st));
	out_rec(o, rec_buf, bt_enc_end(&e));
}

static void rec_session(struct out *o, uint64_t t, uint32_t root_pid,
			struct strv *argv)
{
	struct bt_rec_session s;
	struct bt_enc e;
	uint32_t kept = 0, total = 0;
	memset(&s, 0, sizeof(s));
	s.mono_ns = t;
	s.realtime_ns = g.realtime0 + (t - g.t0);
	s.root_pid = root_pid;
	bt_enc_begin(&e, rec_buf, sizeof(rec_buf), BT_REC_SESSION, &s,
		     sizeof(s));
	bt_enc_str(&e, BTRACE_VERSION, 64);
	bt_enc_argv(&e, sv_argv(argv), BT_MAX_ARGV_BYTES, BT_MAX_ARGS, &kept,
		    &total);
	s.argc = kept;
	bt_enc_patch_fixed(&e, &s, sizeof(s));
	out_rec(o, rec_buf, bt_enc_end(&e));
}

static void rec_exec(struct out *o, uint64_t t, const char *path)
{
	char rec[2048];
	struct bt_rec_exec ex;
	struct bt_enc e;
	memset(&ex, 0, sizeof(ex));
	ex.mono_ns = t;
	ex.api = BT_API_EXECVP; /* Rust's Command, fork path */
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_EXEC, &ex, sizeof(ex));
	bt_enc_str(&e, path, 1024);
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_spawn(struct out *o, const struct proc *c)
{
	char rec[2048];
	struct bt_rec_spawn sp;
	struct bt_enc e;
	int probe = c->kind == P_PROBE_VV || c->kind == P_PROBE_PRINT;
	memset(&sp, 0, sizeof(sp));
	sp.mono_ns = c->spawn_ns;
	sp.done_ns = c->spawn_done_ns;
	sp.child_pid = c->pid;
	sp.api = probe ? BT_API_POSIX_SPAWNP : BT_API_FORK;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SPAWN, &sp, sizeof(sp));
	bt_enc_str(&e, probe ? RUSTC_EXE : "", 1024);
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_reap(struct out *o, const struct proc *c)
{
	char rec[256];
	struct bt_rec_reap rp;
	struct bt_enc e;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = c->reap_ns;
	rp.child_pid = c->pid;
	rp.api = BT_API_WAITPID;
	rp.wait_status = 0; /* exited 0 */
	rp.ru = c->ru_reap;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_REAP, &rp, sizeof(rp));
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_end(struct out *o, const struct proc *p, uint32_t api,
		    int known)
{
	char rec[512];
	struct bt_rec_proc_end pe;
	struct bt_enc e;
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = p->end_ns;
	pe.api = api;
	pe.exit_status = known ? 0 : -1;
	pe.flags = known ? BT_END_STATUS_KNOWN : 0;
	pe.ru = p->ru_self;
	pe.ru_children = p->ru_children;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_END, &pe, sizeof(pe));
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_sampling(struct out *o, uint64_t t, uint64_t cpu)
{
	char rec[128];
	struct bt_rec_sampling s;
	struct bt_enc e;
	memset(&s, 0, sizeof(s));
	s.mono_ns = t;
	s.period_ns = PERIOD_NS;
	s.hz = SAMPLE_HZ;
	s.mode = BT_SAMPLE_COMPILERS;
	s.flags = BT_SAMPLING_ACTIVE | BT_SAMPLING_PROCESS_TIMER;
	s.process_cpu_ns = cpu;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLING, &s, sizeof(s));
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_module(struct out *o, uint64_t t, int m, uint64_t start,
		       const char *path)
{
	char rec[4096], bid[41] = "";
	struct bt_rec_module mr;
	struct bt_enc e;
	const struct moddef *d = &mods[m];
	memset(&mr, 0, sizeof(mr));
	mr.mono_ns = t;
	mr.bias = start;
	mr.start = start;
	mr.end = start + d->size;
	mr.exec_start = start + d->x0;
	mr.exec_end = start + d->x1;
	mr.event = BT_MODULE_LOADED;
	if (d->has_build_id)
		build_id_for(path, bid);
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_MODULE, &mr, sizeof(mr));
	bt_enc_str(&e, path, 2048);
	bt_enc_str(&e, bid, 130);
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_thread(struct out *o, uint64_t t, const struct proc *p,
		       const struct thr *th)
{
	char rec[256];
	struct bt_rec_thread tr;
	struct bt_enc e;
	memset(&tr, 0, sizeof(tr));
	tr.mono_ns = t;
	tr.cpu_ns = th->cpu_ns;
	tr.tid = p->pid + th->tid_off;
	tr.flags = th->is_main;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_THREAD, &tr, sizeof(tr));
	bt_enc_str(&e, th->name, 32);
	out_rec(o, rec, bt_enc_end(&e));
}

static void rec_sampler_end(struct out *o, uint64_t t, uint64_t n,
			    uint32_t threads, uint64_t cpu)
{
	char rec[256];
	struct bt_rec_sampler_end se;
	struct bt_enc e;
	memset(&se, 0, sizeof(se));
	se.mono_ns = t;
	se.taken = n;
	se.written = n;
	se.threads = threads;
	se.process_cpu_ns = cpu;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLER_END, &se, sizeof(se));
	out_rec(o, rec, bt_enc_end(&e));
}

/* ---- what cargo and rustc pass: paths, argv, environment ---- */

static void pkg_dir(const struct crate *c, char *out, size_t cap)
{
	if (c->member)
		snprintf(out, cap, WS "/%s", c->pkg);
	else
		snprintf(out, cap, REGISTRY "/%s-%s", c->pkg, c->version);
}

static void job_cwd(const struct proc *p, char *out, size_t cap)
{
	const struct crate *c = p->crate >= 0 ? &g.crates[p->crate] : NULL;
	if (!c || (c->member && p->kind != P_BSRUN))
		snprintf(out, cap, WS);
	else
		pkg_dir(c, out, cap);
}

static void env_common(struct strv *env)
{
	sv_add(env, "BTRACE_DIR=%s", g.dir);
	sv_add(env, "BTRACE_SESSION=%s", g.session);
}

/* The environment cargo gives a rustc or a build script (allow-listed
 * names only, in cargo's order). */
static void job_env(const struct proc *p, struct strv *env)
{
	const struct crate *c = &g.crates[p->crate];
	char dir[512];
	int bs = p->unit == U_BUILD, run = p->kind == P_BSRUN;
	pkg_dir(c, dir, sizeof(dir));
	sv_reset(env);
	env_common(env);
	sv_add(env, "CARGO=" CARGO_EXE);
	if (c->kind == CK_BIN && !bs)
		sv_add(env, "CARGO_BIN_NAME=%s", c->name);
	if (!run)
		sv_add(env, "CARGO_CRATE_NAME=%s",
		       bs ? "build_script_build" : c->name);
	if (run)
		sv_add(env, "CARGO_ENCODED_RUSTFLAGS=");
	sv_add(env, "CARGO_MAKEFLAGS=" MAKEFLAGS);
	sv_add(env, "CARGO_MANIFEST_DIR=%s", dir);
	sv_add(env, "CARGO_MANIFEST_PATH=%s/Cargo.toml", dir);
	sv_add(env, "CARGO_PKG_NAME=%s", c->pkg);
	sv_add(env, "CARGO_PKG_VERSION=%s", c->version);
	if (c->member && !run)
		sv_add(env, "CARGO_PRIMARY_PACKAGE=1");
	if (run) {
		sv_add(env, "DEBUG=true");
		sv_add(env, "HOST=x86_64-unknown-linux-gnu");
		sv_add(env, "NUM_JOBS=2");
		sv_add(env, "OPT_LEVEL=0");
	}
	if (run || (c->has_bs && !bs))
		sv_add(env, "OUT_DIR=" TARGET "/build/%s-%s/out", c->pkg,
		       c->bs_out);
	if (run) {
		sv_add(env, "PROFILE=debug");
		sv_add(env, "RUSTC=" RUSTC_EXE);
	}
	sv_add(env, "RUSTUP_TOOLCHAIN=" TOOLCHAIN);
	if (run)
		sv_add(env, "TARGET=x86_64-unknown-linux-gnu");
}

static void check_cfg(struct strv *a, const struct crate *c)
{
	char vals[256] = "";
	size_t n = 0;
	for (int i = 0; i < c->n_features; i++)
		n += (size_t)snprintf(vals + n, sizeof(vals) - n, "%s\"%s\"",
				      i ? ", " : "", features[i]);
	sv_add(a, "--check-cfg");
	sv_add(a, "cfg(docsrs,test)");
	sv_add(a, "--check-cfg");
	sv_add(a, "cfg(feature, values(%s))", vals);
}

static void rustc_argv(const struct proc *p, struct strv *a)
{
	const struct crate *c = &g.crates[p->crate];
	char dir[512];
	int bs = p->unit == U_BUILD;
	pkg_dir(c, dir, sizeof(dir));
	sv_reset(a);
	sv_add(a, RUSTC_EXE);
	sv_add(a, "--crate-name");
	sv_add(a, "%s", bs ? "build_script_build" : c->name);
	sv_add(a, "--edition=20%d", c->edition);
	if (c->member)
		sv_add(a, "%s/%s", c->pkg,
		       bs		   ? "build.rs"
		       : c->kind == CK_BIN ? "src/main.rs"
					   : "src/lib.rs");
	else
		sv_add(a, "%s/%s", dir, bs ? "build.rs" : "src/lib.rs");
	sv_add(a, "--error-format=json");
	sv_add(a, "--json=diagnostic-rendered-ansi,artifacts,future-incompat");
	sv_add(a, "--crate-type");
	sv_add(a, "%s",
	       bs || c->kind == CK_BIN ? "bin"
	       : c->kind == CK_MACRO   ? "proc-macro"
				       : "lib");
	sv_add(a, "%s",
	       c->kind == CK_LIB && !bs ? "--emit=dep-info,metadata,link"
					: "--emit=dep-info,link");
	if (c->kind == CK_MACRO && !bs) {
		sv_add(a, "-C");
		sv_add(a, "prefer-dynamic");
	}
	sv_add(a, "-C");
	sv_add(a, "embed-bitcode=no");
	if (g.cranelift)
		sv_add(a, "-Zcodegen-backend=cranelift");
	if (!bs) {
		sv_add(a, "-C");
		sv_add(a, "debuginfo=2");
		for (int i = 0; i < c->n_features; i++) {
			sv_add(a, "--cfg");
			sv_add(a, "feature=\"%s\"", features[i]);
		}
	}
	check_cfg(a, c);
	sv_add(a, "-C");
	sv_add(a, "metadata=%s", bs ? c->bs_meta : c->meta);
	sv_add(a, "-C");
	sv_add(a, "extra-filename=-%s", bs ? c->bs_extra : c->extra);
	sv_add(a, "--out-dir");
	if (bs)
		sv_add(a, TARGET "/build/%s-%s", c->pkg, c->bs_extra);
	else
		sv_add(a, TARGET "/deps");
	if (c->member) {
		sv_add(a, "-C");
		sv_add(a, "incremental=" TARGET "/incremental");
	}
	sv_add(a, "-L");
	sv_add(a, "dependency=" TARGET "/deps");
	if (!bs) {
		for (int i = 0; i < c->n_deps; i++) {
			const struct crate *d = &g.crates[c->deps[i]];
			sv_add(a, "--extern");
			sv_add(a, "%s=" TARGET "/deps/lib%s-%s.%s", d->name,
			       d->name, d->extra,
			       c->kind == CK_LIB ? "rmeta" : "rlib");
		}
		if (c->macro >= 0) {
			const struct crate *d = &g.crates[c->macro];
			sv_add(a, "--extern");
			sv_add(a, "%s=" TARGET "/deps/lib%s-%s.so", d->name,
			       d->name, d->extra);
		}
		if (c->kind == CK_MACRO) {
			sv_add(a, "--extern");
			sv_add(a, "proc_macro");
		}
	}
	if (!c->member)
		sv_add(a, "--cap-lints");
	if (!c->member)
		sv_add(a, "allow");
}

static const char *const std_rlibs[] = {
	"std-d1237ef7159db0a2", "panic_unwind-4be5972b22d3a6da",
	"object-2a81194c9d07bbf6", "memchr-ea71fa85f6699d6b",
	"addr2line-a79a8816d9fd6004", "gimli-46dc78dc6a8cb06a",
	"cfg_if-0ce073fff809ec38", "rustc_demangle-146c3f1190dee2e2",
	"std_detect-e305c7135f50bfab", "hashbrown-1448c95121de53aa",
	"rustc_std_workspace_alloc-5bc57914b232292d",
	"miniz_oxide-5ad929a15a8e6727", "adler2-1f570ee5c6635aae",
	"unwind-545faafa3c69262e", "liblibc-5b1ad6df1855186c",
	"rustc_std_workspace_core-75c1307561ed9634",
	"alloc-6e6df4ffe0af4d15", "core-120cbae4e86ec454",
	"compiler_builtins-27cfc16bdf3bb694",
};

static const char *const sys_libs[] = {"-lgcc_s", "-lutil", "-lrt",
				       "-lpthread", "-lm", "-ldl", "-lc"};

enum link_prog { L_CC, L_COLLECT2, L_WRAPPER, L_LLD };

/* What rustc asks cc to link, and what cc and collect2 pass on. */
static void link_argv(const struct proc *rustc, int prog, struct strv *a)
{
	const struct crate *c = &g.crates[rustc->crate];
	int bs = rustc->unit == U_BUILD, so = rustc->unit == U_MACRO;
	int cc = prog == L_CC;
	char outdir[512], stem[160], out[700];
	struct rng r = proc_rng((size_t)(rustc - g.procs), 4);

	if (bs)
		snprintf(outdir, sizeof(outdir), TARGET "/build/%s-%s", c->pkg,
			 c->bs_extra);
	else
		snprintf(outdir, sizeof(outdir), TARGET "/deps");
	if (bs)
		snprintf(stem, sizeof(stem), "build_script_build-%s",
			 c->bs_extra);
	else
		snprintf(stem, sizeof(stem), "%s-%s", c->name, c->extra);
	if (so)
		snprintf(out, sizeof(out), "%s/lib%s.so", outdir, stem);
	else
		snprintf(out, sizeof(out), "%s/%s", outdir, stem);

	sv_reset(a);
	switch (prog) {
	case L_CC:
		sv_add(a, "cc");
		if (so) {
			sv_add(a, "-Wl,--version-script=%s/rustc%s/list",
			       outdir, rustc->tmp);
			sv_add(a, "-Wl,--no-undefined-version");
		}
		sv_add(a, "-m64");
		break;
	case L_COLLECT2:
		sv_add(a, COLLECT2_EXE);
		break;
	case L_WRAPPER:
		sv_add(a, WRAPPER_EXE);
		break;
	default:
		sv_add(a, LLD_EXE);
		sv_add(a, "-flavor");
		sv_add(a, "gnu");
	}
	if (!cc) {
		sv_add(a, "-plugin");
		sv_add(a, GCC_LIB "/liblto_plugin.so");
		sv_add(a, "-plugin-opt=" GCC_LIB "/lto-wrapper");
		sv_add(a, "-plugin-opt=-fresolution=/tmp/cc%s.res", rustc->res);
		sv_add(a, "--build-id");
		sv_add(a, "--eh-frame-hdr");
		sv_add(a, "-m");
		sv_add(a, "elf_x86_64");
		sv_add(a, "--hash-style=gnu");
		sv_add(a, "--as-needed");
		if (so) {
			sv_add(a, "-shared");
		} else {
			sv_add(a, "-dynamic-linker");
			sv_add(a, "/lib64/ld-linux-x86-64.so.2");
			sv_add(a, "-pie");
		}
		if (prog == L_COLLECT2)
			sv_add(a, "-fuse-ld=lld");
		sv_add(a, "-o");
		sv_add(a, "%s", out);
		if (!so)
			sv_add(a, GCC_LIB "/../../../x86_64-linux-gnu/Scrt1.o");
		sv_add(a, GCC_LIB "/../../../x86_64-linux-gnu/crti.o");
		sv_add(a, GCC_LIB "/crtbeginS.o");
		sv_add(a, "-L%s/rustc%s/raw-dylibs", outdir, rustc->tmp);
		sv_add(a, "-L" RUSTLIB "/lib");
		sv_add(a, "-L" RUSTLIB "/bin/gcc-ld");
		sv_add(a, "-L" GCC_LIB);
		sv_add(a, "-L" GCC_LIB "/../../../x86_64-linux-gnu");
		sv_add(a, "-L/lib/x86_64-linux-gnu");
		sv_add(a, "-L/usr/lib/x86_64-linux-gnu");
	}
	sv_add(a, "%s/rustc%s/symbols.o", outdir, rustc->tmp);
	for (int i = 0; i < (rustc->n_workers > 0 ? rustc->n_workers : 1);
	     i++) {
		char h1[26], h2[8];
		rnd_base36(&r, h1, 25);
		rnd_base36(&r, h2, 7);
		sv_add(a, "%s/%s.%s.%s.rcgu.o", outdir, stem, h1, h2);
	}
	sv_add(a, cc ? "-Wl,--as-needed" : "--as-needed");
	sv_add(a, cc ? "-Wl,-Bstatic" : "-Bstatic");
	if (c->kind == CK_BIN && !bs) {
		/* every library of the build, dependents first */
		for (size_t i = g.nc; i-- > 0;)
			if (g.crates[i].kind == CK_LIB)
				sv_add(a, TARGET "/deps/lib%s-%s.rlib",
				       g.crates[i].name, g.crates[i].extra);
	} else if (!bs) {
		for (int i = 0; i < c->n_deps; i++)
			sv_add(a, TARGET "/deps/lib%s-%s.rlib",
			       g.crates[c->deps[i]].name,
			       g.crates[c->deps[i]].extra);
	}
	if (!so)
		for (size_t i = 0; i < N_OF(std_rlibs); i++)
			sv_add(a, RUSTLIB "/lib/lib%s.rlib", std_rlibs[i]);
	sv_add(a, cc ? "-Wl,-Bdynamic" : "-Bdynamic");
	if (so)
		sv_add(a, "-l%s", std_rlibs[0]);
	for (size_t i = 0; i < N_OF(sys_libs); i++)
		sv_add(a, "%s", sys_libs[i]);
	if (cc) {
		sv_add(a, "-L");
		sv_add(a, "%s/rustc%s/raw-dylibs", outdir, rustc->tmp);
		sv_add(a, "-B" RUSTLIB "/bin/gcc-ld");
		sv_add(a, "-fuse-ld=lld");
		sv_add(a, "-Wl,--eh-frame-hdr");
		sv_add(a, "-Wl,-z,noexecstack");
		sv_add(a, "-L");
		sv_add(a, RUSTLIB "/lib");
		sv_add(a, "-o");
		sv_add(a, "%s", out);
		sv_add(a, "-Wl,--gc-sections");
		sv_add(a, so ? "-shared" : "-pie");
		sv_add(a, "-Wl,-z,relro,-z,now");
		sv_add(a, "-nodefaultlibs");
	} else {
		sv_add(a, "--eh-frame-hdr");
		sv_add(a, "-z");
		sv_add(a, "noexecstack");
		sv_add(a, "--gc-sections");
		sv_add(a, "-z");
		sv_add(a, "relro");
		sv_add(a, "-z");
		sv_add(a, "now");
		sv_add(a, GCC_LIB "/crtendS.o");
		sv_add(a, GCC_LIB "/../../../x86_64-linux-gnu/crtn.o");
	}
}

static void macro_path(const struct crate *m, char *out, size_t cap)
{
	snprintf(out, cap, TARGET "/deps/lib%s-%s.so", m->name, m->extra);
}

/* ---- a sampled image: modules, SAMPLING, samples flushed every 100 ms
 * between the image's other records, then the totals ---- */

enum ev_kind { EV_THREAD, EV_SPAWN, EV_REAP, EV_MODULE };

struct ev {
	uint64_t t;
	int kind, arg;
};

struct run {
	struct out *o;
	struct proc *p;
	uint64_t map[N_MODS];
	char macro_path[600];
	int macro_state; /* 0 none, 1 loaded (not written), 2 written */
	uint64_t macro_at;
	struct ev ev[MAX_WORKERS + 16];
	int nev;
	char *pend; /* SAMPLES records of the current flush period */
	size_t pend_len, pend_cap;
	struct bt_enc e;
	struct bt_rec_samples hdr;
	int open;
	char rec[BT_MAX_RECORD];
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->kind - y->kind;
}

static void map_modules(struct run *u, const struct placement *pl, size_t n,
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
	TC "/lib/rustlib/x86_64-unknown-linux-gnu/codegen-backends/"         \
	   "librustc_codegen_cranelift-1.95.0-nightly.so"

static void write_modules(struct run *u, const struct placement *pl, size_t n,
			  uint64_t t)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = mods[pl[i].m].path;
		if (g.cranelift && pl == rustc_layout && pl[i].m == M_LLVM)
			path = CRANELIFT_DYLIB;
		rec_module(u->o, t + i * 12000, pl[i].m, u->map[pl[i].m],
			   path);
	}
}

static void pend_close(struct run *u)
{
	size_t len;
	if (!u->open)
		return;
	bt_enc_patch_fixed(&u->e, &u->hdr, sizeof(u->hdr));
	len = bt_enc_end(&u->e);
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
	size_t need = sizeof(*h) + h->depth * sizeof(uint64_t);
	if (u->open && u->e.cap - u->e.len < need)
		pend_close(u);
	if (!u->open) {
		u->hdr.count = 0;
		u->hdr.reserved = 0;
		bt_enc_begin(&u->e, u->rec, sizeof(u->rec), BT_REC_SAMPLES,
			     &u->hdr, sizeof(u->hdr));
		u->open = 1;
	}
	bt_enc_bytes(&u->e, h, sizeof(*h));
	bt_enc_bytes(&u->e, pcs, h->depth * sizeof(uint64_t));
	u->hdr.count++;
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
static void run_samples(struct run *u, struct rng *r)
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
				u->macro_state && ts >= u->macro_at, pcs,
				&flags);
			h.flags = flags;
			h.weight =
				(t->k + 1) * t->n2 / t->n > t->k * t->n2 / t->n
					? 2
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

static struct run *run_new(struct out *o, struct proc *p)
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

/* ---- writing each kind of process ---- */

static struct strv sv_a, sv_env, sv_a2;

static void write_root(struct proc *p, struct rng *r)
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

static void write_probe(struct proc *p, struct rng *r)
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
	map_modules(u, rustc_layout, N_OF(rustc_layout), r);
	write_modules(u, rustc_layout, N_OF(rustc_layout),
		      p->start0_ns + 150000);
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
	map_modules(u, wrapper_layout, N_OF(wrapper_layout), r);
	write_modules(u, wrapper_layout, N_OF(wrapper_layout),
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
	map_modules(u, lld_layout, N_OF(lld_layout), r);
	write_modules(u, lld_layout, N_OF(lld_layout), p->start1_ns + 150000);
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

static void write_rustc(struct proc *p, struct rng *r)
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
	map_modules(u, rustc_layout, N_OF(rustc_layout), r);
	write_modules(u, rustc_layout, N_OF(rustc_layout),
		      p->start1_ns + 150000);
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

static void write_bsrun(struct proc *p)
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

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
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
			if (strcmp(optarg, "llvm") && strcmp(optarg, "cranelift"))
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
