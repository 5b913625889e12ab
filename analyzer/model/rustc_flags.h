/* rustc_flags.h - what a rustc invocation was asked to do, from its argv.
 *
 * Cargo hands rustc every setting on the command line: the profile's
 * debuginfo, opt-level, codegen-units and incremental directory, RUSTFLAGS,
 * and the crate's name, type and edition.  This parser reads them all,
 * whether written as one argument (`-Cdebuginfo=2`, `--crate-name=x`) or
 * two (`-C debuginfo=2`, `--crate-name x`), and normalizes the values so
 * that reports can compare them.  Later flags override earlier ones, as in
 * rustc.  Flags it does not know are kept in `unknown`, never dropped.
 *
 * Pure: no I/O, no globals.  Strings are copied into fixed fields (cut if
 * longer) or point into the caller's argv (`unknown`, `input`), so the
 * result lives as long as argv does (and must not be copied by value
 * while `unknown` points into its own `encoded_buf`). */
#ifndef BTRACE_RUSTC_FLAGS_H
#define BTRACE_RUSTC_FLAGS_H

#include <stddef.h>

/* What kind of rustc run this is. */
enum bt_rustc_mode {
	BT_RUSTC_COMPILE = 0, /* compiles a crate */
	BT_RUSTC_PROBE,	      /* -vV, --version, --print ..., or `-` input
				 without an output to keep (cargo's probes) */
};

struct bt_rustc_flags {
	enum bt_rustc_mode mode;
	char crate_name[128];	 /* --crate-name; "" if not given */
	char crate_types[64];	 /* --crate-type values joined by ',' in
				    order given: "lib", "bin,rlib", ... */
	char emit[96];		 /* --emit value(s) joined by ','; the kinds
				    only: "dep-info,metadata,link" */
	char edition[8];	 /* --edition; "" if not given (rustc: 2015) */
	char target[64];	 /* --target; "" for the host */
	char out_dir[512];	 /* --out-dir; "" if not given */
	char extra_filename[64]; /* -C extra-filename: the hash suffix of
				    the outputs' names; "" if not given */
	const char *input;	 /* the source file, "-" for stdin, or NULL */
	int test;		 /* --test */

	/* -C debuginfo / -g, normalized: "0", "line-directives-only",
	 * "line-tables-only", "1", "2".  "none" -> "0", "limited" -> "1",
	 * "full" -> "2", "-g" -> "2".  Default (not given): "0". */
	char debuginfo[24];
	int debuginfo_given;
	/* -C opt-level: "0", "1", "2", "3", "s", "z".  Default "0".
	 * -O means "2". */
	char opt_level[4];
	int codegen_units; /* -C codegen-units=N; -1 if not given */
	int incremental;   /* -C incremental=DIR given */
	/* -Z codegen-backend=X or -C codegen-backend=X.  Normalized:
	 * "llvm" (default), "cranelift", "gcc", or the value as given
	 * (a path to a backend library is reduced to the name in it:
	 * ".../librustc_codegen_cranelift-....so" -> "cranelift"). */
	char codegen_backend[64];
	/* -C lto: "" (not given), "off" (no/off/false), "thin", "fat"
	 * (yes/on/true/fat or a bare -C lto). */
	char lto[8];
	char split_debuginfo[16]; /* -C split-debuginfo; "" if not given */
	/* -C strip: "none", "debuginfo" or "symbols" as given; "" if not
	 * given (cargo passes strip=debuginfo when a profile has debug = 0
	 * and sets no strip: the link then drops every input's debuginfo) */
	char strip[16];
	char linker[256]; /* -C linker=PATH; "" if not given */
	/* The linker that will really link, from -C link-arg(s)=-fuse-ld=X
	 * or -Clink-arg=--ld-path=X; "" if none was asked for. */
	char fuse_ld[64];
	char link_self_contained[32]; /* -C link-self-contained; "" if not */
	char linker_flavor[32];	      /* -C linker-flavor; "" if not */

	/* Flags not understood above, each as given on the command line
	 * (a two-argument flag keeps both, e.g. "-C", "target-cpu=native"
	 * becomes one entry pointing at "target-cpu=native" preceded by
	 * one pointing at "-C").  Points into argv.  At most
	 * BT_RUSTC_UNKNOWN_MAX are kept; n_unknown counts them all. */
	const char *unknown[64];
	size_t n_unknown;
	/* A copy of ENCODED_RUSTFLAGS with its separators made NULs; the
	 * unknown entries that came from it point here (cut if longer). */
	char encoded_buf[2048];
};

#define BT_RUSTC_UNKNOWN_MAX 64

/* Parses ARGC arguments of ARGV (the arguments after the program name)
 * into OUT.  ENCODED_RUSTFLAGS, if not NULL, is the value of
 * CARGO_ENCODED_RUSTFLAGS (flags separated by 0x1f); it is read before
 * argv, so argv wins.  Always succeeds: anything unparseable is kept in
 * `unknown`. */
void bt_rustc_flags_parse(int argc, const char *const *argv,
			  const char *encoded_rustflags,
			  struct bt_rustc_flags *out);

/* Whether a debuginfo value (normalized as above) emits any debuginfo
 * beyond line tables: 1 for "1" and "2", else 0. */
int bt_debuginfo_has_types(const char *debuginfo);

#endif
