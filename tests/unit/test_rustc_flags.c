/* test_rustc_flags.c - the rustc flag parser: real cargo invocations,
 * every spelling of every setting, probes, RUSTFLAGS, and damaged argv. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/rustc_flags.h"

#define MAX_ARGS 48

/* One invocation and everything the parser should make of it.  Fields
 * left out hold the parser's defaults: strings "" (debuginfo and opt_level
 * "0", backend "llvm"), input NULL, codegen units not given, no unknown
 * flags.  Every row checks every field. */
struct row {
	const char *name;
	const char *argv[MAX_ARGS];
	int argc;
	const char *env; /* CARGO_ENCODED_RUSTFLAGS, or NULL */

	enum bt_rustc_mode mode;
	const char *crate_name, *crate_types, *emit, *edition, *target;
	const char *out_dir, *extra_filename; /* NULL: not given, so "" */
	const char *input;
	int test;
	const char *debuginfo; /* NULL: not given, so "0" */
	const char *opt_level; /* NULL: "0" */
	int cgu;	       /* 0: not given, so -1 (0 is not valid) */
	int incremental;
	const char *backend; /* NULL: "llvm" */
	const char *lto, *split, *linker, *fuse_ld, *self_contained, *flavor;
	const char *strip;
	const char *unknown[16]; /* all of them, in order */
};

#define ARGV(...)                                                              \
	.argv = {__VA_ARGS__},                                                 \
	.argc = (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *))
#define UNKNOWN(...) .unknown = {__VA_ARGS__}

/* cargo 1.8x's own flags around the settings under test. */
#define CARGO_HEAD "--crate-name", "app", "--edition=2021", "src/main.rs"
#define CARGO_HEAD_EXP                                                         \
	.crate_name = "app", .edition = "2021", .input = "src/main.rs"

static const struct row rows[] = {
    /* Real cargo invocations. */
    {
	.name = "cargo lib",
	ARGV("--crate-name", "greet", "--edition=2021", "greet/src/lib.rs",
	     "--error-format=json",
	     "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
	     "--diagnostic-width=100", "--crate-type", "lib",
	     "--emit=dep-info,metadata,link", "-C", "embed-bitcode=no", "-C",
	     "debuginfo=2", "-C", "metadata=5c1b9e3f1a2b3c4d", "-C",
	     "extra-filename=-5c1b9e3f1a2b3c4d", "--out-dir",
	     "/t/target/debug/deps", "-C",
	     "incremental=/t/target/debug/incremental", "-L",
	     "dependency=/t/target/debug/deps"),
	.crate_name = "greet",
	.edition = "2021",
	.input = "greet/src/lib.rs",
	.crate_types = "lib",
	.emit = "dep-info,metadata,link",
	.debuginfo = "2",
	.incremental = 1,
    },
    {
	.name = "cargo build script",
	ARGV("--crate-name", "build_script_build", "--edition=2021",
	     "greet/build.rs", "--error-format=json",
	     "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
	     "--diagnostic-width=100", "--crate-type", "bin",
	     "--emit=dep-info,link", "-C", "embed-bitcode=no", "-C",
	     "debuginfo=2", "-C", "metadata=0a1b2c3d4e5f6071", "-C",
	     "extra-filename=-0a1b2c3d4e5f6071", "--out-dir",
	     "/t/target/debug/build/greet-0a1b2c3d4e5f6071", "-C",
	     "incremental=/t/target/debug/incremental", "-L",
	     "dependency=/t/target/debug/deps"),
	.crate_name = "build_script_build",
	.edition = "2021",
	.input = "greet/build.rs",
	.crate_types = "bin",
	.emit = "dep-info,link",
	.debuginfo = "2",
	.incremental = 1,
    },
    {
	.name = "cargo proc macro",
	ARGV("--crate-name", "shout_macro", "--edition=2021",
	     "shout-macro/src/lib.rs", "--error-format=json",
	     "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
	     "--diagnostic-width=100", "--crate-type", "proc-macro",
	     "--emit=dep-info,link", "-C", "prefer-dynamic", "-C",
	     "embed-bitcode=no", "-C", "debuginfo=2", "-C", "metadata=77aa",
	     "-C", "extra-filename=-77aa", "--out-dir", "/t/target/debug/deps",
	     "-L", "dependency=/t/target/debug/deps", "--extern", "proc_macro"),
	.crate_name = "shout_macro",
	.edition = "2021",
	.input = "shout-macro/src/lib.rs",
	.out_dir = "/t/target/debug/deps",
	.extra_filename = "-77aa",
	.crate_types = "proc-macro",
	.emit = "dep-info,link",
	.debuginfo = "2",
    },
    {
	.name = "cargo target-info probe",
	ARGV("-", "--crate-name", "___", "--print=file-names", "--crate-type",
	     "bin", "--crate-type", "rlib", "--crate-type", "dylib",
	     "--crate-type", "cdylib", "--crate-type", "staticlib",
	     "--crate-type", "proc-macro", "--print=sysroot",
	     "--print=split-debuginfo", "--print=crate-name", "--print=cfg"),
	.mode = BT_RUSTC_PROBE,
	.input = "-",
	.crate_name = "___",
	.crate_types = "bin,rlib,dylib,cdylib,staticlib,proc-macro",
    },
    {
	.name = "stdin crate ___ without --print is still the probe",
	ARGV("-", "--crate-name", "___", "--crate-type", "lib"),
	.mode = BT_RUSTC_PROBE,
	.input = "-",
	.crate_name = "___",
	.crate_types = "lib",
    },
    {
	.name = "-vV",
	ARGV("-vV"),
	.mode = BT_RUSTC_PROBE,
    },
    {
	.name = "-V",
	ARGV("-V"),
	.mode = BT_RUSTC_PROBE,
    },
    {
	.name = "--version with a crate",
	ARGV("--version", "--crate-name", "x", "x.rs"),
	.mode = BT_RUSTC_PROBE,
	.crate_name = "x",
	.input = "x.rs",
    },
    {
	.name = "--print sysroot, two arguments",
	ARGV("--print", "sysroot"),
	.mode = BT_RUSTC_PROBE,
    },
    {
	.name = "--print=cfg in a compile-looking run",
	ARGV("--crate-name", "x", "x.rs", "--print=cfg", "-C", "opt-level=3"),
	.mode = BT_RUSTC_PROBE,
	.crate_name = "x",
	.input = "x.rs",
	.opt_level = "3",
    },
    {
	.name = "no arguments",
	.argc = 0,
	.mode = BT_RUSTC_PROBE,
    },
    {
	.name = "settings but no input nor crate name",
	ARGV("-C", "opt-level=3", "--target", "wasm32-unknown-unknown"),
	.mode = BT_RUSTC_PROBE,
	.opt_level = "3",
	.target = "wasm32-unknown-unknown",
    },
    {
	.name = "stdin with a real crate name compiles",
	ARGV("-", "--crate-name", "snippet", "-o", "/tmp/snippet"),
	.input = "-",
	.crate_name = "snippet",
    },
    {
	.name = "input without a crate name compiles",
	ARGV("main.rs"),
	.input = "main.rs",
    },

    /* Release profiles. */
    {
	.name = "release profile",
	ARGV(CARGO_HEAD, "--crate-type", "bin", "-C", "opt-level=3", "-C",
	     "codegen-units=16", "-C", "lto=thin", "-C", "strip=debuginfo"),
	CARGO_HEAD_EXP,
	.crate_types = "bin",
	.opt_level = "3",
	.cgu = 16,
	.lto = "thin",
	.strip = "debuginfo",
    },
    {
	.name = "-Copt-level=z",
	ARGV(CARGO_HEAD, "-Copt-level=z"),
	CARGO_HEAD_EXP,
	.opt_level = "z",
    },
    {
	.name = "-O",
	ARGV(CARGO_HEAD, "-O"),
	CARGO_HEAD_EXP,
	.opt_level = "2",
    },
    {
	.name = "-O then -C opt-level=s",
	ARGV(CARGO_HEAD, "-O", "-C", "opt-level=s"),
	CARGO_HEAD_EXP,
	.opt_level = "s",
    },
    {
	.name = "-C opt-level=3 then -O",
	ARGV(CARGO_HEAD, "-C", "opt-level=3", "-O"),
	CARGO_HEAD_EXP,
	.opt_level = "2",
    },
    {
	.name = "opt_level with '_', as rustc allows",
	ARGV(CARGO_HEAD, "-Copt_level=1", "-C", "codegen_units=1"),
	CARGO_HEAD_EXP,
	.opt_level = "1",
	.cgu = 1,
    },
    {
	.name = "--codegen, the long -C",
	ARGV(CARGO_HEAD, "--codegen", "opt-level=2", "--codegen=lto=fat"),
	CARGO_HEAD_EXP,
	.opt_level = "2",
	.lto = "fat",
    },

    /* Debuginfo. */
    {
	.name = "line-tables-only",
	ARGV(CARGO_HEAD, "-C", "debuginfo=line-tables-only"),
	CARGO_HEAD_EXP,
	.debuginfo = "line-tables-only",
    },
    {
	.name = "line-directives-only",
	ARGV(CARGO_HEAD, "-Cdebuginfo=line-directives-only"),
	CARGO_HEAD_EXP,
	.debuginfo = "line-directives-only",
    },
    {
	.name = "limited is 1",
	ARGV(CARGO_HEAD, "-Cdebuginfo=limited"),
	CARGO_HEAD_EXP,
	.debuginfo = "1",
    },
    {
	.name = "full is 2",
	ARGV(CARGO_HEAD, "-C", "debuginfo=full"),
	CARGO_HEAD_EXP,
	.debuginfo = "2",
    },
    {
	.name = "none is 0, and given",
	ARGV(CARGO_HEAD, "-C", "debuginfo=none"),
	CARGO_HEAD_EXP,
	.debuginfo = "0",
    },
    {
	.name = "1",
	ARGV(CARGO_HEAD, "-C", "debuginfo=1"),
	CARGO_HEAD_EXP,
	.debuginfo = "1",
    },
    {
	.name = "-g",
	ARGV(CARGO_HEAD, "-g"),
	CARGO_HEAD_EXP,
	.debuginfo = "2",
    },
    {
	.name = "-g then -C debuginfo=1",
	ARGV(CARGO_HEAD, "-g", "-C", "debuginfo=1"),
	CARGO_HEAD_EXP,
	.debuginfo = "1",
    },
    {
	.name = "-C debuginfo=1 then -g",
	ARGV(CARGO_HEAD, "-C", "debuginfo=1", "-g"),
	CARGO_HEAD_EXP,
	.debuginfo = "2",
    },
    {
	.name = "later overrides earlier",
	ARGV(CARGO_HEAD, "-C", "debuginfo=2", "-C", "debuginfo=0"),
	CARGO_HEAD_EXP,
	.debuginfo = "0",
    },
    {
	.name = "grouped -gO",
	ARGV(CARGO_HEAD, "-gO"),
	CARGO_HEAD_EXP,
	.debuginfo = "2",
	.opt_level = "2",
    },

    /* Codegen backends. */
    {
	.name = "-Zcodegen-backend=cranelift",
	ARGV(CARGO_HEAD, "-Zcodegen-backend=cranelift"),
	CARGO_HEAD_EXP,
	.backend = "cranelift",
    },
    {
	.name = "-Z codegen-backend=cranelift",
	ARGV(CARGO_HEAD, "-Z", "codegen-backend=cranelift"),
	CARGO_HEAD_EXP,
	.backend = "cranelift",
    },
    {
	.name = "backend library path",
	ARGV(CARGO_HEAD, "-Zcodegen-backend=/x/"
			 "librustc_codegen_cranelift-abc.so"),
	CARGO_HEAD_EXP,
	.backend = "cranelift",
    },
    {
	.name = "-C codegen-backend=gcc",
	ARGV(CARGO_HEAD, "-C", "codegen-backend=gcc"),
	CARGO_HEAD_EXP,
	.backend = "gcc",
    },

    /* LTO and split debuginfo. */
    {
	.name = "bare -C lto is fat",
	ARGV(CARGO_HEAD, "-C", "lto"),
	CARGO_HEAD_EXP,
	.lto = "fat",
    },
    {
	.name = "lto=no is off, lto=yes fat, last wins",
	ARGV(CARGO_HEAD, "-Clto=yes", "-C", "lto=no"),
	CARGO_HEAD_EXP,
	.lto = "off",
    },
    {
	.name = "lto=true",
	ARGV(CARGO_HEAD, "-Clto=true"),
	CARGO_HEAD_EXP,
	.lto = "fat",
    },
    {
	.name = "split-debuginfo",
	ARGV(CARGO_HEAD, "-C", "split-debuginfo=packed"),
	CARGO_HEAD_EXP,
	.split = "packed",
    },

    /* Linkers. */
    {
	.name = "linker clang with mold by path",
	ARGV(CARGO_HEAD, "-C", "linker=clang", "-C",
	     "link-arg=-fuse-ld=/usr/bin/mold"),
	CARGO_HEAD_EXP,
	.linker = "clang",
	.fuse_ld = "mold",
    },
    {
	.name = "link-args list",
	ARGV(CARGO_HEAD, "-Clink-args=-fuse-ld=lld -Wl,--gc-sections"),
	CARGO_HEAD_EXP,
	.fuse_ld = "lld",
    },
    {
	.name = "--ld-path",
	ARGV(CARGO_HEAD, "-Clink-arg=--ld-path=/usr/bin/mold"),
	CARGO_HEAD_EXP,
	.fuse_ld = "mold",
    },
    {
	.name = "ld.lld by path, last selection wins",
	ARGV(CARGO_HEAD, "-C", "link-arg=-fuse-ld=mold", "-C",
	     "link-arg=-Wl,-z,relro", "-C",
	     "link-args=-Wl,-O1 -fuse-ld=/opt/llvm/bin/ld.lld"),
	CARGO_HEAD_EXP,
	.fuse_ld = "lld",
    },
    {
	.name = "link-self-contained with -Z unstable-options",
	ARGV(CARGO_HEAD, "-C", "link-self-contained=+linker", "-Z",
	     "unstable-options"),
	CARGO_HEAD_EXP,
	.self_contained = "+linker",
	UNKNOWN("-Z", "unstable-options"),
    },
    {
	.name = "linker-flavor",
	ARGV(CARGO_HEAD, "-Clinker-flavor=gnu-lld-cc"),
	CARGO_HEAD_EXP,
	.flavor = "gnu-lld-cc",
    },

    /* Crate name, types, emit, edition, target, test. */
    {
	.name = "--crate-name=x",
	ARGV("--crate-name=x", "x.rs"),
	.crate_name = "x",
	.input = "x.rs",
    },
    {
	.name = "crate types in both forms and lists",
	ARGV(CARGO_HEAD, "--crate-type=rlib", "--crate-type", "cdylib",
	     "--crate-type=staticlib,dylib"),
	CARGO_HEAD_EXP,
	.crate_types = "rlib,cdylib,staticlib,dylib",
    },
    {
	.name = "emit kinds without paths, all --emit joined",
	ARGV(CARGO_HEAD, "--emit=link=/path/out", "--emit",
	     "asm,llvm-ir=/x/y.ll,metadata"),
	CARGO_HEAD_EXP,
	.emit = "link,asm,llvm-ir,metadata",
    },
    {
	.name = "--test and --target",
	ARGV("--crate-name", "t", "--edition", "2018", "src/lib.rs", "--test",
	     "--target", "aarch64-unknown-linux-gnu",
	     "--target=x86_64-unknown-linux-gnu"),
	.crate_name = "t",
	.edition = "2018",
	.input = "src/lib.rs",
	.test = 1,
	.target = "x86_64-unknown-linux-gnu",
    },

    /* Known flags consume their values; nothing is unknown. */
    {
	.name = "every known valued flag, two arguments",
	ARGV("--cfg", "feature=\"std\"", "-L", "native=/n", "--extern",
	     "serde=/d/libserde.rlib", "--out-dir", "/o", "-o", "/o/app",
	     "--cap-lints", "allow", "--error-format", "json", "--json",
	     "diagnostic-short", "--check-cfg", "cfg(docsrs)", "-W", "unused",
	     "-A", "dead_code", "-D", "warnings", "-F", "unsafe_code",
	     "--diagnostic-width", "80", "--color", "always", "-l", "static=z",
	     "--crate-name", "app", "src/main.rs"),
	.crate_name = "app",
	.out_dir = "/o",
	.input = "src/main.rs",
    },
    {
	.name = "every known valued flag, one argument",
	ARGV("--cfg=feature=\"std\"", "-Lnative=/n",
	     "--extern=serde=/d/libserde.rlib", "--out-dir=/o", "-o/o/app",
	     "--cap-lints=warn", "--error-format=short", "--check-cfg=x",
	     "-Wunused", "-Adead_code", "-Dwarnings", "-Funsafe_code",
	     "--warn=x", "--allow", "y", "--deny=z", "--forbid", "w",
	     "--force-warn", "v", "--color=never", "-lz", "-v", "src/a.rs",
	     "--crate-name", "a", "-C", "strip=symbols", "-Cprefer-dynamic",
	     "-Cembed-bitcode=no", "-Cmetadata=1", "-Cextra-filename=-1"),
	.crate_name = "a",
	.out_dir = "/o",
	.extra_filename = "-1",
	.input = "src/a.rs",
	.strip = "symbols",
    },

    /* Unknown flags, kept as given. */
    {
	.name = "-C target-cpu=native, two arguments",
	ARGV(CARGO_HEAD, "-C", "target-cpu=native"),
	CARGO_HEAD_EXP,
	UNKNOWN("-C", "target-cpu=native"),
    },
    {
	.name = "-Ctarget-cpu=native, one argument",
	ARGV(CARGO_HEAD, "-Ctarget-cpu=native"),
	CARGO_HEAD_EXP,
	UNKNOWN("-Ctarget-cpu=native"),
    },
    {
	.name = "profile flags not modelled",
	ARGV(CARGO_HEAD, "-C", "panic=abort", "-C", "overflow-checks=on",
	     "-Zthreads=8", "--codegen", "force-frame-pointers=yes"),
	CARGO_HEAD_EXP,
	UNKNOWN("-C", "panic=abort", "-C", "overflow-checks=on", "-Zthreads=8",
		"--codegen", "force-frame-pointers=yes"),
    },
    {
	.name = "invalid values are unknown and change nothing",
	ARGV(CARGO_HEAD, "-C", "debuginfo=3", "-Copt-level=4",
	     "-Ccodegen-units=0", "-C", "codegen-units=x8", "-Clto=maybe", "-C",
	     "incremental", "-C", "debuginfo"),
	CARGO_HEAD_EXP,
	UNKNOWN("-C", "debuginfo=3", "-Copt-level=4", "-Ccodegen-units=0", "-C",
		"codegen-units=x8", "-Clto=maybe", "-C", "incremental", "-C",
		"debuginfo"),
    },
    {
	.name = "rustc flags not modelled keep their values",
	ARGV(CARGO_HEAD, "--sysroot", "/s", "--remap-path-prefix=/a=/b",
	     "--env-set", "A=1"),
	CARGO_HEAD_EXP,
	UNKNOWN("--sysroot", "/s", "--remap-path-prefix=/a=/b", "--env-set",
		"A=1"),
    },
    {
	.name = "not rustc flags at all, and a second input",
	ARGV(CARGO_HEAD, "--frobnicate", "-Q", "other.rs", "--test=1"),
	CARGO_HEAD_EXP,
	UNKNOWN("--frobnicate", "-Q", "other.rs", "--test=1"),
    },

    /* CARGO_ENCODED_RUSTFLAGS. */
    {
	.name = "encoded rustflags, argv wins",
	ARGV(CARGO_HEAD, "-C", "debuginfo=2"),
	.env = "-Cdebuginfo=1\x1f-Ctarget-cpu=native",
	CARGO_HEAD_EXP,
	.debuginfo = "2",
	UNKNOWN("-Ctarget-cpu=native"),
    },
    {
	.name = "encoded two-argument flags and empty entries",
	ARGV(CARGO_HEAD),
	.env = "\x1f-C\x1fopt-level=3\x1f\x1f-Z\x1fthreads=4\x1f-g\x1f",
	CARGO_HEAD_EXP,
	.opt_level = "3",
	.debuginfo = "2",
	UNKNOWN("-Z", "threads=4"),
    },
    {
	.name = "encoded free argument is not the input",
	ARGV("--crate-name", "x", "x.rs"),
	.env = "stray.rs\x1f-Clinker=cc",
	.crate_name = "x",
	.input = "x.rs",
	.linker = "cc",
	UNKNOWN("stray.rs"),
    },
    {
	.name = "empty encoded rustflags",
	ARGV(CARGO_HEAD),
	.env = "",
	CARGO_HEAD_EXP,
    },

    /* Damaged or odd argv. */
    {
	.name = "trailing flags missing their values",
	ARGV(CARGO_HEAD, "--crate-type", "lib", "-C"),
	CARGO_HEAD_EXP,
	.crate_types = "lib",
	UNKNOWN("-C"),
    },
    {
	.name = "trailing long flag missing its value",
	ARGV("x.rs", "--crate-name"),
	.input = "x.rs",
	UNKNOWN("--crate-name"),
    },
    {
	.name = "NULL and empty entries",
	ARGV(NULL, "", "--crate-name", "a", NULL, "", "a.rs", "-C", NULL,
	     "opt-level=3", ""),
	.crate_name = "a",
	.input = "a.rs",
	UNKNOWN("-C", "opt-level=3"),
    },
    {
	.name = "only NULLs",
	ARGV(NULL, NULL, NULL),
	.mode = BT_RUSTC_PROBE,
    },
    {
	.name = "values longer than their fields are cut",
	ARGV("--edition=20211234567", "--crate-name", "x", "x.rs", "-C",
	     "split-debuginfo=unpacked-and-more-than-sixteen"),
	.edition = "2021123",
	.crate_name = "x",
	.input = "x.rs",
	.split = "unpacked-and-mo",
    },
    {
	.name = "after --, everything is free",
	ARGV("--crate-name", "x", "--", "-weird.rs", "-C"),
	.crate_name = "x",
	.input = "-weird.rs",
	UNKNOWN("-C"),
    },
    {
	.name = "a short option takes the next argument whatever it is",
	ARGV("--crate-name", "x", "x.rs", "-C", "--test"),
	.crate_name = "x",
	.input = "x.rs",
	UNKNOWN("-C", "--test"),
    },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void check_str(const struct row *r, const char *field, const char *got,
		      const char *want)
{
	if (strcmp(got, want)) {
		print_error("row \"%s\": %s is \"%s\", want \"%s\"\n", r->name,
			    field, got, want);
		fail();
	}
}

static void check_int(const struct row *r, const char *field, long got,
		      long want)
{
	if (got != want) {
		print_error("row \"%s\": %s is %ld, want %ld\n", r->name, field,
			    got, want);
		fail();
	}
}

#define OR(s, dflt) ((s) ? (s) : (dflt))

static void check_row(const struct row *r)
{
	struct bt_rustc_flags f;
	size_t n_unknown = 0;

	/* Garbage first: the parser must set every field itself. */
	memset(&f, 0xa5, sizeof(f));
	bt_rustc_flags_parse(r->argc, r->argv, r->env, &f);

	check_int(r, "mode", f.mode, r->mode);
	check_str(r, "crate_name", f.crate_name, OR(r->crate_name, ""));
	check_str(r, "crate_types", f.crate_types, OR(r->crate_types, ""));
	check_str(r, "emit", f.emit, OR(r->emit, ""));
	check_str(r, "edition", f.edition, OR(r->edition, ""));
	check_str(r, "target", f.target, OR(r->target, ""));
	if (r->out_dir)
		check_str(r, "out_dir", f.out_dir, r->out_dir);
	if (r->extra_filename)
		check_str(r, "extra_filename", f.extra_filename,
			  r->extra_filename);
	if (r->input)
		check_str(r, "input", f.input ? f.input : "(null)", r->input);
	else if (f.input)
		check_str(r, "input", f.input, "(null)");
	check_int(r, "test", f.test, r->test);
	check_str(r, "debuginfo", f.debuginfo, OR(r->debuginfo, "0"));
	check_int(r, "debuginfo_given", f.debuginfo_given, r->debuginfo != 0);
	check_str(r, "opt_level", f.opt_level, OR(r->opt_level, "0"));
	check_int(r, "codegen_units", f.codegen_units, r->cgu ? r->cgu : -1);
	check_int(r, "incremental", f.incremental, r->incremental);
	check_str(r, "codegen_backend", f.codegen_backend,
		  OR(r->backend, "llvm"));
	check_str(r, "lto", f.lto, OR(r->lto, ""));
	check_str(r, "split_debuginfo", f.split_debuginfo, OR(r->split, ""));
	check_str(r, "strip", f.strip, OR(r->strip, ""));
	check_str(r, "linker", f.linker, OR(r->linker, ""));
	check_str(r, "fuse_ld", f.fuse_ld, OR(r->fuse_ld, ""));
	check_str(r, "link_self_contained", f.link_self_contained,
		  OR(r->self_contained, ""));
	check_str(r, "linker_flavor", f.linker_flavor, OR(r->flavor, ""));

	while (n_unknown < 16 && r->unknown[n_unknown])
		n_unknown++;
	check_int(r, "n_unknown", (long)f.n_unknown, (long)n_unknown);
	for (size_t i = 0; i < n_unknown; i++)
		check_str(r, "unknown[]", f.unknown[i], r->unknown[i]);
}

static void test_table(void **state)
{
	(void)state;
	assert_true(N_ROWS >= 40);
	for (size_t i = 0; i < N_ROWS; i++)
		check_row(&rows[i]);
}

/* Unknown entries point at the argument as given, in argv or in the
 * struct's own copy of the encoded flags; the input points into argv. */
static void test_unknown_points_into_argv(void **state)
{
	const char *argv[] = {"-C", "target-cpu=native", "x.rs", "-Zfoo"};
	struct bt_rustc_flags f;
	(void)state;
	bt_rustc_flags_parse(4, argv,
			     "-Cbar\x1f-C\x1f"
			     "baz",
			     &f);
	assert_int_equal(f.n_unknown, 6);
	assert_ptr_equal(f.unknown[0], f.encoded_buf);
	assert_ptr_equal(f.unknown[1], f.encoded_buf + 6);
	assert_ptr_equal(f.unknown[2], f.encoded_buf + 9);
	assert_string_equal(f.unknown[2], "baz");
	assert_ptr_equal(f.unknown[3], argv[0]);
	assert_ptr_equal(f.unknown[4], argv[1]);
	assert_ptr_equal(f.unknown[5], argv[3]);
	assert_ptr_equal(f.input, argv[2]);
}

/* More unknown flags than are kept: all counted, the first kept. */
static void test_unknown_overflow(void **state)
{
	const char *argv[2 + 2 * 100];
	char vals[100][24];
	struct bt_rustc_flags f;
	(void)state;
	argv[0] = "x.rs";
	argv[1] = "--crate-name=x";
	for (int i = 0; i < 100; i++) {
		snprintf(vals[i], sizeof(vals[i]), "target-cpu=c%d", i);
		argv[2 + 2 * i] = "-C";
		argv[3 + 2 * i] = vals[i];
	}
	bt_rustc_flags_parse(202, argv, NULL, &f);
	assert_int_equal(f.n_unknown, 200);
	for (int i = 0; i < BT_RUSTC_UNKNOWN_MAX; i++)
		assert_ptr_equal(f.unknown[i], argv[2 + i]);
	assert_int_equal(f.mode, BT_RUSTC_COMPILE);
}

/* Every fixed field takes a value far longer than itself, cut in place
 * with its terminator (ASan and the sentinel catch any overrun). */
static void test_long_values_cut(void **state)
{
	static char big[4096];
	static char a[13][4200];
	const char *pre[] = {
	    "--crate-name=",
	    "--crate-type=",
	    "--emit=",
	    "--edition=",
	    "--target=",
	    "-Clinker=",
	    "-Clinker-flavor=",
	    "-Clink-self-contained=",
	    "-Csplit-debuginfo=",
	    "-Zcodegen-backend=",
	    "-Clink-arg=-fuse-ld=",
	    "--crate-type=",
	    "-Clink-args=-fuse-ld=",
	};
	const char *argv[14];
	struct {
		struct bt_rustc_flags f;
		char sentinel[64];
	} s;
	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	for (int i = 0; i < 13; i++) {
		snprintf(a[i], sizeof(a[i]), "%s%s", pre[i], big);
		argv[i] = a[i];
	}
	argv[13] = "x.rs";
	memset(s.sentinel, 0x5a, sizeof(s.sentinel));
	bt_rustc_flags_parse(14, argv, NULL, &s.f);
	for (size_t i = 0; i < sizeof(s.sentinel); i++)
		assert_int_equal((unsigned char)s.sentinel[i], 0x5a);
	assert_int_equal(strlen(s.f.crate_name), sizeof(s.f.crate_name) - 1);
	assert_int_equal(strlen(s.f.crate_types), sizeof(s.f.crate_types) - 1);
	assert_int_equal(strlen(s.f.emit), sizeof(s.f.emit) - 1);
	assert_int_equal(strlen(s.f.edition), sizeof(s.f.edition) - 1);
	assert_int_equal(strlen(s.f.target), sizeof(s.f.target) - 1);
	assert_int_equal(strlen(s.f.linker), sizeof(s.f.linker) - 1);
	assert_int_equal(strlen(s.f.linker_flavor),
			 sizeof(s.f.linker_flavor) - 1);
	assert_int_equal(strlen(s.f.link_self_contained),
			 sizeof(s.f.link_self_contained) - 1);
	assert_int_equal(strlen(s.f.split_debuginfo),
			 sizeof(s.f.split_debuginfo) - 1);
	assert_int_equal(strlen(s.f.codegen_backend),
			 sizeof(s.f.codegen_backend) - 1);
	assert_int_equal(strlen(s.f.fuse_ld), sizeof(s.f.fuse_ld) - 1);
	assert_int_equal(s.f.n_unknown, 0);
	assert_string_equal(s.f.input, "x.rs");
}

/* Encoded flags longer than the buffer: whole flags are parsed, the one
 * cut by the end is kept as unknown but not read, or "codegen-units=256"
 * would be taken for 25. */
static void test_encoded_cut(void **state)
{
	static char enc[4096];
	struct bt_rustc_flags f;
	size_t room;
	const char *argv[] = {"x.rs", "--crate-name", "x"};
	(void)state;
	room = sizeof(f.encoded_buf) - 1;
	/* two flags, separators up to 4 bytes before the end, the cut one */
	memset(enc, 0, sizeof(enc));
	strcpy(enc, "-Copt-level=3\x1f-Cdebuginfo=1\x1f");
	memset(enc + strlen(enc), '\x1f', room - 4 - strlen(enc));
	strcat(enc, "-Ccodegen-units=256");
	assert_true(strlen(enc) > room);
	bt_rustc_flags_parse(3, argv, enc, &f);
	assert_string_equal(f.opt_level, "3");
	assert_string_equal(f.debuginfo, "1");
	assert_int_equal(f.codegen_units, -1);
	assert_int_equal(f.n_unknown, 1);
	assert_string_equal(f.unknown[0], "-Cco");
	assert_ptr_equal(f.unknown[0], f.encoded_buf + room - 4);

	/* cut exactly at a separator: the last flag is whole */
	memset(enc, 0, sizeof(enc));
	memset(enc, '\x1f', room - 8);
	strcat(enc, "-Clto=no\x1f-Cfoo");
	bt_rustc_flags_parse(3, argv, enc, &f);
	assert_string_equal(f.lto, "off");
	assert_int_equal(f.n_unknown, 0);
}

static void test_odd_calls(void **state)
{
	struct bt_rustc_flags f;
	const char *argv[] = {"--crate-name", "x", "x.rs"};
	(void)state;
	bt_rustc_flags_parse(3, NULL, NULL, &f);
	assert_int_equal(f.mode, BT_RUSTC_PROBE);
	assert_int_equal(f.n_unknown, 0);
	assert_null(f.input);
	bt_rustc_flags_parse(-1, argv, NULL, &f);
	assert_int_equal(f.mode, BT_RUSTC_PROBE);
	assert_string_equal(f.crate_name, "");
	/* argc bounds argv: the input past it is not read */
	bt_rustc_flags_parse(2, argv, NULL, &f);
	assert_string_equal(f.crate_name, "x");
	assert_null(f.input);
	assert_int_equal(f.mode, BT_RUSTC_COMPILE);
}

static void test_backend_names(void **state)
{
	static const char *const cases[][2] = {
	    {"cranelift", "cranelift"},
	    {"/x/librustc_codegen_cranelift-abc.so", "cranelift"},
	    {"/r/lib/rustlib/x/codegen-backends/"
	     "librustc_codegen_gcc-1.83.0-nightly.so",
	     "gcc"},
	    {"librustc_codegen_llvm.so", "llvm"},
	    {"C:\\r\\rustc_codegen_cranelift.dll", "cranelift"},
	    {"./mybackend.so", "mybackend"},
	    {"/x/.so", "/x/.so"},
	};
	char arg[256];
	const char *argv[] = {arg, "x.rs"};
	struct bt_rustc_flags f;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(arg, sizeof(arg), "-Zcodegen-backend=%s", cases[i][0]);
		bt_rustc_flags_parse(2, argv, NULL, &f);
		assert_string_equal(f.codegen_backend, cases[i][1]);
		assert_int_equal(f.n_unknown, 0);
	}
	/* an empty backend is refused by rustc */
	snprintf(arg, sizeof(arg), "-Zcodegen-backend=");
	bt_rustc_flags_parse(2, argv, NULL, &f);
	assert_string_equal(f.codegen_backend, "llvm");
	assert_int_equal(f.n_unknown, 1);
}

static void test_has_types(void **state)
{
	static const struct {
		const char *v;
		int want;
	} cases[] = {
	    {"0", 0},
	    {"line-directives-only", 0},
	    {"line-tables-only", 0},
	    {"1", 1},
	    {"2", 1},
	    {"limited", 1},
	    {"full", 1},
	    {"none", 0},
	    {"", 0},
	    {"3", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(bt_debuginfo_has_types(cases[i].v),
				 cases[i].want);
	assert_int_equal(bt_debuginfo_has_types(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_unknown_points_into_argv),
	    cmocka_unit_test(test_unknown_overflow),
	    cmocka_unit_test(test_long_values_cut),
	    cmocka_unit_test(test_encoded_cut),
	    cmocka_unit_test(test_odd_calls),
	    cmocka_unit_test(test_backend_names),
	    cmocka_unit_test(test_has_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
