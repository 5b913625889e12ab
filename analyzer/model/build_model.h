/* build_model.h - a trace read as a cargo build.
 *
 * The trace reader gives processes; this turns them into what a Rust
 * developer thinks in: cargo, the rustc compilations (units) with their
 * crate, target kind and flags, the probes, the build-script runs, and the
 * linker chains (cc -> collect2 -> ld) attached to the rustc that started
 * them.  It also says what is missing: processes with no end (a killed
 * build), cut-off files.  Every output writer reads this model (with the
 * profile and the recommendations made from it, output/writer.h) and
 * never the trace, so they all agree: what a writer shows of a process or
 * of the session is copied here (struct bt_node, struct bt_session).
 *
 * Ownership: bt_build_make() allocates; bt_build_free() releases all but
 * the trace, which stays the caller's and must outlive the model (the
 * model's strings point into it). */
#ifndef BTRACE_BUILD_MODEL_H
#define BTRACE_BUILD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "profile/attribution.h"
#include "model/rustc_flags.h"
#include "model/trace_reader.h"

/* What a process was, in the build. */
enum bt_kind {
	BT_KIND_OTHER = 0,
	BT_KIND_CARGO,	      /* cargo (and the rustup proxy it exec'd from) */
	BT_KIND_RUSTC,	      /* a rustc compilation: a unit */
	BT_KIND_RUSTC_PROBE,  /* rustc -vV, --print, `-` input */
	BT_KIND_RUSTDOC,      /* rustdoc: a unit */
	BT_KIND_BUILD_SCRIPT, /* a build script running: a unit */
	BT_KIND_LINKER,	      /* a link step under a rustc: the driver
				 (cc), collect2, or the linker itself */
	BT_KIND_MAX,
};

/* The target kinds of summary.json's units[].target. */
enum bt_target {
	BT_TARGET_LIB = 0,
	BT_TARGET_BIN,
	BT_TARGET_TEST,
	BT_TARGET_PROC_MACRO,
	BT_TARGET_BUILD_SCRIPT,	    /* compiling build.rs */
	BT_TARGET_BUILD_SCRIPT_RUN, /* running it */
	BT_TARGET_OTHER,
	BT_TARGET_MAX,
};

struct bt_unit;

/* The traced session: what was run and when, from the SESSION record
 * that the process which created the trace directory wrote.  Without
 * that record (its file is lost), known is 0, command empty, version
 * NULL, realtime_ns and root_pid 0. */
struct bt_session {
	int known;		    /* a SESSION record was read */
	char id[BT_SESSION_LEN];    /* the files' session name; "" if none */
	const char *trace_dir;	    /* the directory as it was given */
	const char *const *command; /* argc entries: the traced command */
	size_t argc;
	const char *btrace_version; /* of the recorder */
	uint64_t realtime_ns;	    /* CLOCK_REALTIME at its start */
	uint32_t root_pid;	    /* the process that started it */
	uint32_t n_cpus; /* the CPUs it could run on; 0 unknown (issue 17) */
};

/* One process of the trace, placed in the build. */
struct bt_node {
	const struct bt_proc *proc; /* for the model's stages and the profile;
				      writers read the fields below */
	enum bt_kind kind;
	const char *name; /* basename of the last image's exe */
	/* The process as its last image ran (its final command): */
	uint32_t pid, ppid;
	const char *exe, *cwd;	  /* NULL when unknown */
	const char *const *argv;  /* the recorded argv ... */
	uint32_t argc;		  /* ... and its length */
	uint32_t argc_before_cut; /* the full count when argv was cut, else 0 */
	int exit_code;		  /* >= 0 if it exited with a status */
	int signal;		  /* > 0 if a signal ended it */
	struct bt_node *parent;	  /* NULL for roots */
	struct bt_node **children;
	size_t n_children;
	struct bt_unit *unit;  /* the unit it is or works for, or NULL */
	double start_s, end_s; /* since the session start; end_s of a
				  process with no end is the trace's end */
	int no_end;	       /* the end is unknown: a marked gap */
	double cpu_s;	       /* its own CPU */
	uint64_t max_rss_kib;
};

/* One unit of work cargo scheduled: a compilation, a rustdoc, or a
 * build-script run. */
struct bt_unit {
	struct bt_node *node;
	enum bt_target target;
	char package[128]; /* CARGO_PKG_NAME, else the crate name */
	char version[64];  /* CARGO_PKG_VERSION, else "" */
	char crate[128];   /* --crate-name, CARGO_CRATE_NAME, or package */
	int primary;	   /* CARGO_PRIMARY_PACKAGE: a workspace member */
	int has_flags;	   /* compilations and rustdoc */
	struct bt_rustc_flags flags;
	char linker_used[64]; /* basename of the last linker program in its
				 link chain ("ld", "rust-lld", "mold"), or
				 "" if it linked nothing */
	double start_s, wall_s, cpu_s;
	uint64_t max_rss_kib;
	int exit_code; /* >= 0, or -1 if unknown or signalled */
	int signal;
	int no_end;
	double link_wall_s; /* lifetime of its link driver children */
	double link_cpu_s;  /* CPU of its whole link chain */
	int n_links;
	/* CPU seconds by enum bt_category, filled by the profile (its
	 * samples, its link chain, its unsampled CPU); all 0 until then */
	double categories[BT_CAT_MAX];
	/* the part of categories[BT_CAT_DEBUGINFO] that line-tables-only
	 * keeps (BT_RULE_LINES) */
	double debuginfo_lines_s;
	/* and the part that is debug-value tracking (BT_RULE_DEBUG_VALUES) */
	double debug_values_s;
	/* The rustc it ran: an index in the build's toolchains, or -1 (not a
	 * compilation) */
	int toolchain;
};

/* A rustc the build's compilations ran (model/toolchain.h says how it is
 * known without running anything). */
struct bt_toolchain {
	/* rustup's toolchain directory ("stable-x86_64-unknown-linux-gnu"),
	 * else RUSTUP_TOOLCHAIN, else the rustc executable's path */
	char name[128];
	/* the compiler library the sampler saw loaded
	 * ("librustc_driver-6108105cd7e839cf"), or "" (not sampled) */
	char driver[64];
	/* as rustc -V prints it, "1.95.0 (59807616e 2026-04-14)"; or only
	 * "1.95.0" (Debian's rustc, the LLVM library's name); "" unknown */
	char version[96];
	/* where the version comes from: "librustc_driver" (its version
	 * string), "source paths" (its /rustc-X.Y.Z/ paths: distribution
	 * builds), "libLLVM name" (the name the sampler recorded), or NULL */
	const char *source;
	/* why the version is not known from the compiler library itself, or
	 * "": "not sampled (no module map)", "librustc_driver-... changed
	 * since the build (...)" */
	char why[256];
	size_t units; /* compilations that ran it */
};

/* A setting and how many units used each value of it. */
struct bt_setting_value {
	char value[64];
	size_t units;
	size_t by_target[BT_TARGET_MAX]; /* the units by target kind */
};

struct bt_setting {
	const char *name; /* "debuginfo", "opt-level", ... */
	struct bt_setting_value values[16];
	size_t n_values;
};

enum {
	BT_SETTING_DEBUGINFO = 0,
	BT_SETTING_OPT_LEVEL,
	BT_SETTING_CODEGEN_BACKEND,
	BT_SETTING_CODEGEN_UNITS,
	BT_SETTING_INCREMENTAL,
	BT_SETTING_LTO,
	BT_SETTING_SPLIT_DEBUGINFO,
	BT_SETTING_LINKER,
	BT_SETTING_EDITION,
	BT_SETTING_MAX,
};

struct bt_build {
	/* The trace the model was made from: for the model's stages, the
	 * profile and the estimator, never for the writers. */
	const struct bt_trace *trace;
	struct bt_session session;
	struct bt_node *nodes; /* parallel to trace->procs */
	size_t n_nodes;
	struct bt_node **roots;
	size_t n_roots;
	struct bt_unit *units; /* by start time */
	size_t n_units;
	size_t kind_count[BT_KIND_MAX];
	double wall_s;	    /* session start to its last known time */
	double cpu_s;	    /* own CPU of every process */
	double parallelism; /* cpu_s / wall_s */
	double link_wall_s, link_cpu_s; /* over all units */
	int complete;	 /* no gap: every process ended, no file cut */
	char **warnings; /* one line each: the trace's, then gaps */
	size_t n_warnings;
	/* The settings of the compilations (not probes, not rustdoc). */
	struct bt_setting settings[BT_SETTING_MAX];
	/* The rustcs the compilations ran, most compilations first. */
	struct bt_toolchain *toolchains;
	size_t n_toolchains;
};

/* Builds the model of trace T into B.  Returns 0, or -1 with a reason in
 * ERR (out of memory). */
int bt_build_make(const struct bt_trace *t, struct bt_build *b, char *err,
		  size_t errlen);
void bt_build_free(struct bt_build *b);

const char *bt_kind_name(enum bt_kind k);     /* "rustc", "linker", ... */
const char *bt_target_name(enum bt_target t); /* "lib", "proc-macro", ... */

/* A unit's name for people: "regex 1.7.1 lib", "greet build-script-run". */
void bt_unit_label(const struct bt_unit *u, char *buf, size_t cap);

/* A compilation unit's rustc arguments (after rustc, or after a
 * RUSTC_WRAPPER's rustc); returns their number, 0 for other units. */
int bt_unit_args(const struct bt_unit *u, const char *const **args);

/* The debuginfo level of a compilation, coarsely: 0 none (or not a
 * compilation), 1 line tables only (line-tables-only,
 * line-directives-only), 2 more (limited, full). */
int bt_unit_debug_level(const struct bt_unit *u);

/* The value of setting SETTING (BT_SETTING_*) for compilation U, as the
 * build's `settings` count it, into BUF: 0, or -1 when U has none (not a
 * compilation; the linker of a unit that linked nothing). */
int bt_unit_setting(const struct bt_unit *u, int setting, char *buf,
		    size_t cap);
const char *bt_setting_name(int setting); /* "debuginfo", ... */

/* Whether a setting that matters for build time differs between units
 * (the edition may differ freely). */
int bt_setting_mixed(const struct bt_setting *s);

#endif
