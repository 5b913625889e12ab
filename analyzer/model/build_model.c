/* build_model.c - classify a trace's processes as a cargo build.
 *
 * The rules, in order, looking at the last image of each process (the
 * rustup proxy exec's the real tool in the same pid):
 *   - exe "rustc" (or a wrapper whose argv[1] is rustc): a compilation,
 *     or a probe when its flags say so (-vV, --print, `-` input);
 *   - exe "rustdoc": documentation, a unit of its own;
 *   - exe "cargo": cargo;
 *   - exe "build-script-*": a build script running, a unit of its own;
 *   - a C compiler driver, collect2 or a linker whose parent is a rustc
 *     compilation or another link step: the compilation's link chain.
 *     The same programs under a build script compile C code for it and
 *     are "other" (their time is the build script's children's);
 *   - anything else: other. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/build_model.h"
#include "model/toolchain.h"

static const char *const kind_names[BT_KIND_MAX] = {
    [BT_KIND_OTHER] = "other",	   [BT_KIND_CARGO] = "cargo",
    [BT_KIND_RUSTC] = "rustc",	   [BT_KIND_RUSTC_PROBE] = "rustc-probe",
    [BT_KIND_RUSTDOC] = "rustdoc", [BT_KIND_BUILD_SCRIPT] = "build-script",
    [BT_KIND_LINKER] = "linker",
};

static const char *const target_names[BT_TARGET_MAX] = {
    [BT_TARGET_LIB] = "lib",
    [BT_TARGET_BIN] = "bin",
    [BT_TARGET_TEST] = "test",
    [BT_TARGET_PROC_MACRO] = "proc-macro",
    [BT_TARGET_BUILD_SCRIPT] = "build-script",
    [BT_TARGET_BUILD_SCRIPT_RUN] = "build-script-run",
    [BT_TARGET_OTHER] = "other",
};

const char *bt_kind_name(enum bt_kind k)
{
	return (unsigned)k < BT_KIND_MAX ? kind_names[k] : "?";
}

const char *bt_target_name(enum bt_target t)
{
	return (unsigned)t < BT_TARGET_MAX ? target_names[t] : "?";
}

static const char *base_name(const char *path)
{
	const char *s;
	if (!path)
		return "";
	s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Programs of a link chain: C compiler drivers, collect2, linkers. */
static int is_link_driver(const char *n)
{
	static const char *const drivers[] = {"cc",    "c++",	  "gcc", "g++",
					      "clang", "clang++", NULL};
	for (size_t i = 0; drivers[i]; i++)
		if (!strcmp(n, drivers[i]))
			return 1;
	/* versioned or triple-prefixed: gcc-12, x86_64-linux-gnu-gcc-12,
	 * clang-16 */
	return strstr(n, "-gcc") || !strncmp(n, "gcc-", 4) ||
	       !strncmp(n, "clang-", 6) || strstr(n, "-clang");
}

/* The linker proper (what really links): the last program of a chain. */
static int is_linker_proper(const char *n)
{
	return !strcmp(n, "ld") || !strncmp(n, "ld.", 3) || !strcmp(n, "lld") ||
	       !strcmp(n, "rust-lld") || !strcmp(n, "mold") ||
	       !strcmp(n, "gold") || !strcmp(n, "wild") ||
	       strstr(n, "-ld") != NULL;
}

static int is_link_program(const char *n)
{
	return is_link_driver(n) || is_linker_proper(n) ||
	       !strcmp(n, "collect2");
}

static double secs(const struct bt_trace *t, uint64_t ns)
{
	return ns > t->t0_ns ? (double)(ns - t->t0_ns) / 1e9 : 0.0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* The rustc arguments of an image: after argv[0], or after a wrapper's
 * argv[1] when a RUSTC_WRAPPER (sccache, ...) runs rustc. */
static int rustc_args(const struct bt_image *im, const char *const **args)
{
	int n = (int)im->start.argc_kept;
	if (n < 1) {
		*args = NULL;
		return 0;
	}
	if (strcmp(base_name(im->exe), "rustc") &&
	    strcmp(base_name(im->exe), "rustdoc") && n >= 2) {
		*args = im->argv + 2;
		return n - 2;
	}
	*args = im->argv + 1;
	return n - 1;
}

static enum bt_target target_of(const struct bt_rustc_flags *f)
{
	const char *ct = f->crate_types;
	if (f->test)
		return BT_TARGET_TEST;
	if (!strncmp(f->crate_name, "build_script_", 13))
		return BT_TARGET_BUILD_SCRIPT;
	if (strstr(ct, "proc-macro"))
		return BT_TARGET_PROC_MACRO;
	if (strstr(ct, "bin"))
		return BT_TARGET_BIN;
	if (strstr(ct, "lib") || strstr(ct, "staticlib"))
		return BT_TARGET_LIB;
	/* rustc's default crate type is bin */
	return ct[0] ? BT_TARGET_OTHER : BT_TARGET_BIN;
}

/* Classifies one node from its last image; link chains come after, when
 * every node has a kind. */
static void classify(struct bt_node *n)
{
	const struct bt_image *im = bt_proc_last(n->proc);
	const char *argv0 = im->start.argc_kept ? im->argv[0] : "";
	const char *name = n->name;

	if (!strcmp(name, "rustc") || !strcmp(name, "rustdoc") ||
	    !strcmp(base_name(im->start.argc_kept > 1 ? im->argv[1] : ""),
		    "rustc")) {
		const char *const *args;
		struct bt_rustc_flags f;
		int argc = rustc_args(im, &args);
		bt_rustc_flags_parse(
		    argc, args, bt_image_env(im, "CARGO_ENCODED_RUSTFLAGS"),
		    &f);
		if (f.mode == BT_RUSTC_PROBE)
			n->kind = BT_KIND_RUSTC_PROBE;
		else if (!strcmp(name, "rustdoc"))
			n->kind = BT_KIND_RUSTDOC;
		else
			n->kind = BT_KIND_RUSTC;
	} else if (!strcmp(name, "cargo") ||
		   !strcmp(base_name(argv0), "cargo")) {
		n->kind = BT_KIND_CARGO;
	} else if (!strncmp(name, "build-script-", 13)) {
		n->kind = BT_KIND_BUILD_SCRIPT;
	} else {
		n->kind = BT_KIND_OTHER;
	}
}

/* Whether N is a link program started, through link programs only, by a
 * compilation.  Bounded, so a damaged tree cannot loop. */
static int is_in_link_chain(const struct bt_node *n, size_t limit)
{
	if (n->kind != BT_KIND_OTHER || !is_link_program(n->name))
		return 0;
	for (const struct bt_node *a = n->parent; a && limit--; a = a->parent) {
		if (a->kind == BT_KIND_RUSTC || a->kind == BT_KIND_RUSTDOC)
			return 1;
		/* parents come first, so a link parent may already be
		 * BT_KIND_LINKER */
		if ((a->kind != BT_KIND_OTHER && a->kind != BT_KIND_LINKER) ||
		    !is_link_program(a->name))
			return 0;
	}
	return 0;
}

static void fill_unit(struct bt_unit *u, struct bt_node *n)
{
	const struct bt_image *im = bt_proc_last(n->proc);
	const struct bt_proc *p = n->proc;
	const char *pkg = bt_image_env(im, "CARGO_PKG_NAME");
	const char *ver = bt_image_env(im, "CARGO_PKG_VERSION");
	const char *crate = bt_image_env(im, "CARGO_CRATE_NAME");
	const char *prim = bt_image_env(im, "CARGO_PRIMARY_PACKAGE");

	memset(u, 0, sizeof(*u));
	u->node = n;
	n->unit = u;
	if (n->kind == BT_KIND_RUSTC || n->kind == BT_KIND_RUSTDOC) {
		const char *const *args;
		int argc = rustc_args(im, &args);
		bt_rustc_flags_parse(
		    argc, args, bt_image_env(im, "CARGO_ENCODED_RUSTFLAGS"),
		    &u->flags);
		u->has_flags = 1;
		u->target = n->kind == BT_KIND_RUSTDOC ? BT_TARGET_OTHER
						       : target_of(&u->flags);
		copy_str(u->crate, sizeof(u->crate),
			 u->flags.crate_name[0] ? u->flags.crate_name : crate);
	} else {
		u->target = BT_TARGET_BUILD_SCRIPT_RUN;
		copy_str(u->crate, sizeof(u->crate),
			 crate ? crate : "build_script_build");
	}
	copy_str(u->package, sizeof(u->package), pkg ? pkg : u->crate);
	copy_str(u->version, sizeof(u->version), ver);
	u->primary = prim && *prim;
	u->start_s = n->start_s;
	u->wall_s = n->end_s - n->start_s;
	u->cpu_s = n->cpu_s;
	u->max_rss_kib = n->max_rss_kib;
	u->exit_code = p->exit_code;
	u->signal = p->signal;
	u->no_end = n->no_end;
}

int bt_unit_args(const struct bt_unit *u, const char *const **args)
{
	*args = NULL;
	if (!u->has_flags)
		return 0;
	return rustc_args(bt_proc_last(u->node->proc), args);
}

int bt_unit_debug_level(const struct bt_unit *u)
{
	const char *d = u->flags.debuginfo;
	if (!u->has_flags || u->node->kind != BT_KIND_RUSTC || !strcmp(d, "0"))
		return 0;
	if (!strncmp(d, "line-", 5))
		return 1;
	return 2;
}

void bt_unit_label(const struct bt_unit *u, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s %s", u->package, u->version[0] ? " " : "",
		 u->version, bt_target_name(u->target));
	if (strcmp(u->crate, u->package) &&
	    u->target != BT_TARGET_BUILD_SCRIPT &&
	    u->target != BT_TARGET_BUILD_SCRIPT_RUN) {
		size_t l = strlen(buf);
		snprintf(buf + l, cap - l, " (%s)", u->crate);
	}
}

static int add_warning(struct bt_build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add_warning(struct bt_build *b, const char *fmt, ...)
{
	char **w = realloc(b->warnings, (b->n_warnings + 1) * sizeof(*w));
	va_list ap;
	if (!w)
		return -1;
	b->warnings = w;
	va_start(ap, fmt);
	if (vasprintf(&w[b->n_warnings], fmt, ap) < 0) {
		va_end(ap);
		return -1;
	}
	va_end(ap);
	b->n_warnings++;
	return 0;
}

static void count_setting(struct bt_setting *s, const struct bt_unit *u,
			  const char *value)
{
	struct bt_setting_value *v = NULL;
	for (size_t i = 0; i < s->n_values && !v; i++)
		if (!strcmp(s->values[i].value, value))
			v = &s->values[i];
	if (!v && s->n_values < sizeof(s->values) / sizeof(*s->values)) {
		v = &s->values[s->n_values++];
		copy_str(v->value, sizeof(v->value), value);
	}
	if (v) {
		v->units++;
		v->by_target[u->target]++;
	}
}

static int by_units_desc(const void *a, const void *b)
{
	const struct bt_setting_value *x = a, *y = b;
	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return strcmp(x->value, y->value);
}

static const char *const setting_names[BT_SETTING_MAX] = {
    [BT_SETTING_DEBUGINFO] = "debuginfo",
    [BT_SETTING_OPT_LEVEL] = "opt-level",
    [BT_SETTING_CODEGEN_BACKEND] = "codegen-backend",
    [BT_SETTING_CODEGEN_UNITS] = "codegen-units",
    [BT_SETTING_INCREMENTAL] = "incremental",
    [BT_SETTING_LTO] = "lto",
    [BT_SETTING_SPLIT_DEBUGINFO] = "split-debuginfo",
    [BT_SETTING_LINKER] = "linker",
    [BT_SETTING_EDITION] = "edition",
};

const char *bt_setting_name(int setting)
{
	return setting >= 0 && setting < BT_SETTING_MAX ? setting_names[setting]
							: "?";
}

int bt_unit_setting(const struct bt_unit *u, int setting, char *buf, size_t cap)
{
	const struct bt_rustc_flags *f = &u->flags;

	if (u->node->kind != BT_KIND_RUSTC)
		return -1;
	switch (setting) {
	case BT_SETTING_DEBUGINFO:
		copy_str(buf, cap, f->debuginfo);
		return 0;
	case BT_SETTING_OPT_LEVEL:
		copy_str(buf, cap, f->opt_level);
		return 0;
	case BT_SETTING_CODEGEN_BACKEND:
		copy_str(buf, cap, f->codegen_backend);
		return 0;
	case BT_SETTING_CODEGEN_UNITS:
		if (f->codegen_units >= 0)
			snprintf(buf, cap, "%d", f->codegen_units);
		else
			copy_str(buf, cap, "default");
		return 0;
	case BT_SETTING_INCREMENTAL:
		copy_str(buf, cap, f->incremental ? "on" : "off");
		return 0;
	case BT_SETTING_LTO:
		copy_str(buf, cap, f->lto[0] ? f->lto : "default");
		return 0;
	case BT_SETTING_SPLIT_DEBUGINFO:
		copy_str(buf, cap,
			 f->split_debuginfo[0] ? f->split_debuginfo
					       : "default");
		return 0;
	case BT_SETTING_EDITION:
		copy_str(buf, cap, f->edition[0] ? f->edition : "2015");
		return 0;
	case BT_SETTING_LINKER:
		if (!u->n_links)
			return -1;
		copy_str(buf, cap, u->linker_used[0] ? u->linker_used : "?");
		return 0;
	default:
		return -1;
	}
}

static void count_settings(struct bt_build *b)
{
	for (int i = 0; i < BT_SETTING_MAX; i++)
		b->settings[i].name = setting_names[i];
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		char v[64];
		for (int s = 0; s < BT_SETTING_MAX; s++)
			if (bt_unit_setting(u, s, v, sizeof(v)) == 0)
				count_setting(&b->settings[s], u, v);
	}
	for (int i = 0; i < BT_SETTING_MAX; i++)
		qsort(b->settings[i].values, b->settings[i].n_values,
		      sizeof(b->settings[i].values[0]), by_units_desc);
}

int bt_setting_mixed(const struct bt_setting *s)
{
	return s->n_values > 1 && strcmp(s->name, "edition") != 0;
}

/* Link chains: each linker node works for the unit of its nearest
 * compilation ancestor.  The chain's top (the driver rustc waited for)
 * gives the link's wall time; every program in it adds CPU. */
static void attach_links(struct bt_build *b)
{
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i], *a = n->parent;
		struct bt_unit *u;
		if (n->kind != BT_KIND_LINKER)
			continue;
		while (a && a->kind == BT_KIND_LINKER)
			a = a->parent;
		if (!a || !a->unit)
			continue;
		u = n->unit = a->unit;
		u->link_cpu_s += n->cpu_s;
		b->link_cpu_s += n->cpu_s;
		if (n->parent == a) {
			u->link_wall_s += n->end_s - n->start_s;
			b->link_wall_s += n->end_s - n->start_s;
			u->n_links++;
		}
		if (is_linker_proper(n->name))
			copy_str(u->linker_used, sizeof(u->linker_used),
				 n->name);
		else if (!u->linker_used[0] && !strcmp(n->name, "collect2"))
			copy_str(u->linker_used, sizeof(u->linker_used), "ld");
	}
}

/* What the writers show of a process: its last image's command. */
static void put_process(struct bt_node *n, const struct bt_proc *p)
{
	const struct bt_image *im = bt_proc_last(p);
	n->name = base_name(im->exe);
	n->pid = p->pid;
	n->ppid = p->ppid;
	n->exe = im->exe;
	n->cwd = im->cwd;
	n->argv = im->argv;
	n->argc = im->start.argc_kept;
	if (im->start.flags & BT_START_ARGV_TRUNCATED)
		n->argc_before_cut = im->start.argc;
	n->exit_code = p->exit_code;
	n->signal = p->signal;
}

/* The session, from the trace's SESSION record and its files' headers
 * (the reader kept the files of one session only). */
static void put_session(struct bt_session *s, const struct bt_trace *t)
{
	s->trace_dir = t->dir;
	if (t->n_images)
		snprintf(s->id, sizeof(s->id), "%.*s", (int)sizeof(s->id) - 1,
			 t->images[0].header.session);
	if (!t->has_session)
		return;
	s->known = 1;
	s->command = t->command;
	s->argc = t->command ? t->session.argc : 0;
	s->btrace_version = t->btrace_version;
	s->realtime_ns = t->session.realtime_ns;
	s->root_pid = t->session.root_pid;
	s->n_cpus = t->session.n_cpus;
}

static int link_tree(struct bt_build *b)
{
	const struct bt_trace *t = b->trace;
	size_t *nkids = calloc(b->n_nodes + 1, sizeof(*nkids));
	if (!nkids)
		return -1;
	for (size_t i = 0; i < b->n_nodes; i++) {
		const struct bt_proc *pp = t->procs[i].parent;
		if (pp) {
			b->nodes[i].parent = &b->nodes[pp - t->procs];
			nkids[pp - t->procs]++;
		} else {
			b->n_roots++;
		}
	}
	b->roots = calloc(b->n_roots + 1, sizeof(*b->roots));
	if (!b->roots)
		goto fail;
	b->n_roots = 0;
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i];
		if (nkids[i]) {
			n->children = calloc(nkids[i], sizeof(*n->children));
			if (!n->children)
				goto fail;
		}
		if (n->parent)
			n->parent->children[n->parent->n_children++] = n;
		else
			b->roots[b->n_roots++] = n;
	}
	free(nkids);
	return 0;
fail:
	free(nkids);
	return -1;
}

int bt_build_make(const struct bt_trace *t, struct bt_build *b, char *err,
		  size_t errlen)
{
	size_t n_units = 0, k = 0, gaps = 0;

	memset(b, 0, sizeof(*b));
	b->trace = t;
	put_session(&b->session, t);
	b->n_nodes = t->n_procs;
	b->nodes = calloc(t->n_procs + 1, sizeof(*b->nodes));
	if (!b->nodes || link_tree(b) < 0)
		goto oom;
	b->wall_s = secs(t, t->t1_ns);
	/* Procs are sorted by start, so parents come first. */
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i];
		const struct bt_proc *p = &t->procs[i];
		n->proc = p;
		put_process(n, p);
		n->start_s = secs(t, p->start_ns);
		n->no_end = !p->end_known;
		n->end_s = p->end_known ? secs(t, p->end_ns) : b->wall_s;
		if (n->end_s < n->start_s)
			n->end_s = n->start_s;
		n->cpu_s = (double)p->cpu_us / 1e6;
		n->max_rss_kib = p->has_ru_self ? p->ru_self.maxrss_kib
						: p->ru_reap.maxrss_kib;
		b->cpu_s += n->cpu_s;
	}
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i];
		/* parents before children even when starts tie */
		classify(n);
	}
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i];
		if (is_in_link_chain(n, b->n_nodes))
			n->kind = BT_KIND_LINKER;
		b->kind_count[n->kind]++;
		if (n->kind == BT_KIND_RUSTC || n->kind == BT_KIND_RUSTDOC ||
		    n->kind == BT_KIND_BUILD_SCRIPT)
			n_units++;
	}
	b->units = calloc(n_units + 1, sizeof(*b->units));
	if (!b->units)
		goto oom;
	for (size_t i = 0; i < b->n_nodes; i++) {
		struct bt_node *n = &b->nodes[i];
		if (n->kind == BT_KIND_RUSTC || n->kind == BT_KIND_RUSTDOC ||
		    n->kind == BT_KIND_BUILD_SCRIPT)
			fill_unit(&b->units[k++], n);
	}
	/* In start order already, as the nodes are.  (Never move units:
	 * their flags may point into themselves.) */
	b->n_units = k;
	attach_links(b);
	count_settings(b);
	if (bt_toolchains_make(b) < 0)
		goto oom;
	b->parallelism = b->wall_s > 0 ? b->cpu_s / b->wall_s : 0;

	for (size_t i = 0; i < t->n_warnings; i++)
		if (add_warning(b, "%s", t->warnings[i]) < 0)
			goto oom;
	/* The reader already warns once per process with no end. */
	for (size_t i = 0; i < b->n_nodes; i++)
		gaps += b->nodes[i].no_end;
	b->complete = gaps == 0 && t->n_problems == 0 && !b->n_warnings;
	return 0;
oom:
	snprintf(err, errlen, "out of memory building the report");
	bt_build_free(b);
	return -1;
}

void bt_build_free(struct bt_build *b)
{
	if (b->nodes)
		for (size_t i = 0; i < b->n_nodes; i++)
			free(b->nodes[i].children);
	free(b->nodes);
	free(b->roots);
	free(b->units);
	free(b->toolchains);
	for (size_t i = 0; i < b->n_warnings; i++)
		free(b->warnings[i]);
	free(b->warnings);
	memset(b, 0, sizeof(*b));
}
