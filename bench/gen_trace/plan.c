/* plan.c - the build's shape: crates, their processes and threads. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- the build: crates, processes, threads ---- */

struct rng proc_rng(size_t i, uint64_t stream)
{
	struct rng r = {mix64(g.seed * 0x2545f4914f6cdd1dull + i * 0x9e37u +
			      stream * 0x632be59bd9b4e019ull)};
	return r;
}

struct thr *add_thr(struct proc *p, int type, const char *name, int tid_off,
		    int is_main, int at_stop)
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
void split(uint64_t total, const double *w, int k, uint64_t *out)
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
    "serde",
    "serde_json",
    "syn",
    "quote",
    "proc-macro2",
    "unicode-ident",
    "libc",
    "cfg-if",
    "memchr",
    "regex",
    "regex-syntax",
    "regex-automata",
    "aho-corasick",
    "log",
    "once_cell",
    "itoa",
    "ryu",
    "bytes",
    "tokio",
    "mio",
    "futures-core",
    "futures-util",
    "futures-channel",
    "pin-project-lite",
    "smallvec",
    "hashbrown",
    "indexmap",
    "equivalent",
    "parking_lot",
    "parking_lot_core",
    "lock_api",
    "scopeguard",
    "rand",
    "rand_core",
    "rand_chacha",
    "getrandom",
    "ppv-lite86",
    "anyhow",
    "thiserror",
    "clap",
    "clap_builder",
    "clap_lex",
    "anstream",
    "anstyle",
    "strsim",
    "tracing",
    "tracing-core",
    "tracing-subscriber",
    "sharded-slab",
    "either",
    "itertools",
    "bitflags",
    "byteorder",
    "crossbeam-utils",
    "crossbeam-channel",
    "crossbeam-epoch",
    "rayon",
    "rayon-core",
    "num-traits",
    "time",
    "chrono",
    "url",
    "idna",
    "percent-encoding",
    "form_urlencoded",
    "http",
    "hyper",
    "h2",
    "socket2",
    "base64",
    "sha2",
    "digest",
    "generic-array",
    "typenum",
    "zerocopy",
    "ahash",
    "slab",
    "tempfile",
    "fastrand",
    "rustix",
    "linux-raw-sys",
    "encoding_rs",
    "flate2",
    "miniz_oxide",
    "adler2",
    "crc32fast",
    "walkdir",
    "same-file",
    "semver",
    "toml",
    "toml_edit",
    "winnow",
    "serde_spanned",
    "uuid",
    "lazy_static",
    "heck",
    "nom",
    "phf",
    "siphasher",
    "bstr",
};

static const char *const macro_names[] = {
    "serde_derive",
    "thiserror-impl",
    "tokio-macros",
    "async-trait",
    "pin-project-internal",
    "derive_more",
    "clap_derive",
    "tracing-attributes",
    "zerocopy-derive",
    "futures-macro",
    "paste",
    "strum_macros",
    "prost-derive",
    "displaydoc",
    "ctor",
};

static const char *const member_words[] = {
    "core",  "util",   "model", "store",   "net",  "api",   "config",
    "proto", "engine", "cache", "metrics", "auth", "sched", "codec",
};

const char *const features[] = {"default", "std",   "alloc",  "derive",
				"full",	   "serde", "unicode"};

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
void plan_crates(uint64_t budget, struct rng *r)
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
				size_t d =
				    nlib_macro - 1 -
				    rnd_below(r, nlib_macro < 20 ? nlib_macro
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
	size_t lld =
	    add_proc(P_LLD, g.procs[rustc].unit, g.procs[rustc].crate, (int)c2);
	g.procs[rustc].child = (int32_t)cc;
	g.procs[cc].child = (int32_t)c2;
	g.procs[c2].child = (int32_t)lld;
}

void plan_procs(void)
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
