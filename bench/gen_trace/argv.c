/* argv.c - what cargo and rustc pass: working directories, environments,
 * rustc's and the linkers' command lines. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- what cargo and rustc pass: paths, argv, environment ---- */

static void pkg_dir(const struct crate *c, char *out, size_t cap)
{
	if (c->member)
		snprintf(out, cap, WS "/%s", c->pkg);
	else
		snprintf(out, cap, REGISTRY "/%s-%s", c->pkg, c->version);
}

void job_cwd(const struct proc *p, char *out, size_t cap)
{
	const struct crate *c = p->crate >= 0 ? &g.crates[p->crate] : NULL;
	if (!c || (c->member && p->kind != P_BSRUN))
		snprintf(out, cap, WS);
	else
		pkg_dir(c, out, cap);
}

void env_common(struct strv *env)
{
	sv_add(env, "BTRACE_DIR=%s", g.dir);
	sv_add(env, "BTRACE_SESSION=%s", g.session);
}

/* The environment cargo gives a rustc or a build script (allow-listed
 * names only, in cargo's order). */
void job_env(const struct proc *p, struct strv *env)
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

void rustc_argv(const struct proc *p, struct strv *a)
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
    "std-d1237ef7159db0a2",
    "panic_unwind-4be5972b22d3a6da",
    "object-2a81194c9d07bbf6",
    "memchr-ea71fa85f6699d6b",
    "addr2line-a79a8816d9fd6004",
    "gimli-46dc78dc6a8cb06a",
    "cfg_if-0ce073fff809ec38",
    "rustc_demangle-146c3f1190dee2e2",
    "std_detect-e305c7135f50bfab",
    "hashbrown-1448c95121de53aa",
    "rustc_std_workspace_alloc-5bc57914b232292d",
    "miniz_oxide-5ad929a15a8e6727",
    "adler2-1f570ee5c6635aae",
    "unwind-545faafa3c69262e",
    "liblibc-5b1ad6df1855186c",
    "rustc_std_workspace_core-75c1307561ed9634",
    "alloc-6e6df4ffe0af4d15",
    "core-120cbae4e86ec454",
    "compiler_builtins-27cfc16bdf3bb694",
};

static const char *const sys_libs[] = {"-lgcc_s", "-lutil", "-lrt", "-lpthread",
				       "-lm",	  "-ldl",   "-lc"};

/* What rustc asks cc to link, and what cc and collect2 pass on. */
void link_argv(const struct proc *rustc, int prog, struct strv *a)
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

void macro_path(const struct crate *m, char *out, size_t cap)
{
	snprintf(out, cap, TARGET "/deps/lib%s-%s.so", m->name, m->extra);
}
