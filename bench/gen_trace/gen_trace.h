/* gen_trace.h - what the parts of gen_trace share: the build's types, the
 * global state, and each file's functions (main.c says what gen_trace
 * writes and why).  Every part includes this after #define _GNU_SOURCE.
 *
 * Everything derives from --seed: a change here must leave the generated
 * traces byte-identical (cmp them for a few seeds, sizes and --stacks
 * modes before and after), or say in its commit why not. */
#ifndef BTRACE_GEN_TRACE_H
#define BTRACE_GEN_TRACE_H

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
#include "trace_records.h"
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

struct rng {
	uint64_t s;
};

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

/* Where each object lands, relative to the lowest mmap'ed one, in the
 * order dl_iterate_phdr reports them (taken from real processes).  The
 * executable (first) goes in the PIE range instead. */
struct placement {
	uint8_t m;
	uint64_t off;
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

struct out {
	int fd;
	size_t len;
	char path[PATH_MAX + 64];
};

/* A growing list of strings (argv, environment). */
struct strv {
	char *buf;
	size_t len, cap;
	size_t *off;
	char **v;
	size_t n, ncap;
};

enum link_prog { L_CC, L_COLLECT2, L_WRAPPER, L_LLD };

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
	struct bt_samples_batch batch;
	int open;
	char rec[BT_MAX_RECORD];
};

/* the run: its arguments and everything planned (main.c owns it) */
struct gen_state {
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
};
extern struct gen_state g;

/* util.c */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
uint64_t mix64(uint64_t z);
uint64_t rnd(struct rng *r);
uint64_t scale(uint64_t h, uint64_t n);
uint64_t rnd_below(struct rng *r, uint64_t n);
double rnd_unit(struct rng *r);
uint64_t rnd_ms(struct rng *r, double lo, double hi);
double rnd_lognormal(struct rng *r, double sigma);
void rnd_hex(struct rng *r, char *out, int n);
void rnd_base36(struct rng *r, char *out, int n);
void rnd_alnum(struct rng *r, char *out, int n);
void build_id_for(const char *path, char out[41]);

/* modules.c */
extern const struct moddef mods[N_MODS];
extern const struct placement rustc_layout[];
extern const struct placement lld_layout[];
extern const struct placement wrapper_layout[];
extern const size_t n_rustc_layout;
extern const size_t n_lld_layout;
extern const size_t n_wrapper_layout;

/* stacks.c */
extern int stacks_diverse;
int make_stack(struct rng *r, int type, const uint64_t *map, uint64_t salt,
	       int macro_ok, uint64_t *pcs, uint16_t *flags);

/* plan.c */
extern const char *const features[];
struct rng proc_rng(size_t i, uint64_t stream);
struct thr *add_thr(struct proc *p, int type, const char *name, int tid_off,
		    int is_main, int at_stop);
void split(uint64_t total, const double *w, int k, uint64_t *out);
void plan_crates(uint64_t budget, struct rng *r);
void plan_procs(void);

/* timeline.c */
void allocate_samples(void);
uint64_t thr_cpu_sum(const struct proc *p);
void plan_rustc(struct proc *p, struct rng *r);
void plan_probe(struct proc *p, struct rng *r);
void plan_bsrun(struct proc *p, struct rng *r);
void shift(struct proc *p, uint64_t dt);

/* schedule.c */
void schedule(struct rng *r);
void assign_pids(struct rng *r);
void compute_rusage(void);

/* records.c */
void out_put(struct out *o, const void *p, size_t n);
void out_open(struct out *o, uint32_t pid, uint64_t ticks);
void out_close(struct out *o);
void sv_reset(struct strv *s);
void sv_add(struct strv *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rec_start(struct out *o, const struct proc *p, uint64_t t, uint32_t flags,
	       const char *exe, const char *cwd, struct strv *argv,
	       struct strv *env);
void rec_session(struct out *o, uint64_t t, uint32_t root_pid,
		 struct strv *argv);
void rec_exec(struct out *o, uint64_t t, const char *path);
void rec_spawn(struct out *o, const struct proc *c);
void rec_reap(struct out *o, const struct proc *c);
void rec_end(struct out *o, const struct proc *p, uint32_t api, int known);
void rec_sampling(struct out *o, uint64_t t, uint64_t cpu);
void rec_module(struct out *o, uint64_t t, int m, uint64_t start,
		const char *path);
void rec_thread(struct out *o, uint64_t t, const struct proc *p,
		const struct thr *th);
void rec_sampler_end(struct out *o, uint64_t t, uint64_t n, uint32_t threads,
		     uint64_t cpu);

/* argv.c */
void job_cwd(const struct proc *p, char *out, size_t cap);
void env_common(struct strv *env);
void job_env(const struct proc *p, struct strv *env);
void rustc_argv(const struct proc *p, struct strv *a);
void link_argv(const struct proc *rustc, int prog, struct strv *a);
void macro_path(const struct crate *m, char *out, size_t cap);

/* image.c */
int cmp_ev(const void *a, const void *b);
void map_modules(struct run *u, const struct placement *pl, size_t n,
		 struct rng *r);
void write_modules(struct run *u, const struct placement *pl, size_t n,
		   uint64_t t);
void run_samples(struct run *u, struct rng *r);
struct run *run_new(struct out *o, struct proc *p);

/* write.c */
void write_root(struct proc *p, struct rng *r);
void write_probe(struct proc *p, struct rng *r);
void write_rustc(struct proc *p, struct rng *r);
void write_bsrun(struct proc *p);

#endif
