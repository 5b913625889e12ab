/* summary_text.c - summary.txt: the build in one screen.
 *
 * What a developer asks first: how long, how parallel, which crates were
 * slow, what the build scripts and the linker cost, and which settings
 * were in force (with mixed settings called out, since a mix usually means
 * a profile override or RUSTFLAGS reaching only some crates). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"
#include "advice/recommend.h"
#include "output/graph_out.h"
#include "output/writer.h"
#include "model/toolchain.h"

#define TOP_UNITS 10

static int by_wall_desc(const void *a, const void *b)
{
	const struct bt_unit *x = *(const struct bt_unit *const *)a;
	const struct bt_unit *y = *(const struct bt_unit *const *)b;
	if (x->wall_s != y->wall_s)
		return x->wall_s > y->wall_s ? -1 : 1;
	return x->start_s < y->start_s ? -1 : 1;
}

static void print_rss(FILE *f, uint64_t kib)
{
	if (kib)
		fprintf(f, "%6.0f MiB", (double)kib / 1024.0);
	else
		fprintf(f, "%10s", "?");
}

static void print_status(FILE *f, const struct bt_unit *u)
{
	if (u->no_end)
		fprintf(f, "  [no end: gap]");
	else if (u->signal)
		fprintf(f, "  [killed by signal %d]", u->signal);
	else if (u->exit_code > 0)
		fprintf(f, "  [failed: exit %d]", u->exit_code);
}

static void print_units(FILE *f, const struct bt_build *b)
{
	const struct bt_unit **sorted;
	size_t n = 0;

	sorted = calloc(b->n_units + 1, sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < b->n_units; i++)
		sorted[n++] = &b->units[i];
	qsort(sorted, n, sizeof(*sorted), by_wall_desc);
	fprintf(f, "Slowest units (wall time; %zu unit%s in all)\n", n,
		n == 1 ? "" : "s");
	fprintf(f, "  %8s %8s %10s %8s %6s  %s\n", "wall", "cpu", "max rss",
		"start", "link", "unit");
	for (size_t i = 0; i < n && i < TOP_UNITS; i++) {
		const struct bt_unit *u = sorted[i];
		char label[400];
		bt_unit_label(u, label, sizeof(label));
		fprintf(f, "  %7.2fs %7.2fs ", u->wall_s, u->cpu_s);
		print_rss(f, u->max_rss_kib);
		fprintf(f, " %7.2fs ", u->start_s);
		if (u->n_links)
			fprintf(f, "%5.2fs", u->link_wall_s);
		else
			fprintf(f, "%6s", "-");
		fprintf(f, "  %s", label);
		print_status(f, u);
		fputc('\n', f);
	}
	if (n > TOP_UNITS)
		fprintf(f, "  ... %zu more in summary.json\n", n - TOP_UNITS);
	free(sorted);
}

/* Build scripts: each run with the compile of its build.rs. */
static void print_build_scripts(FILE *f, const struct bt_build *b)
{
	size_t runs = 0, compiles = 0;
	double run_s = 0, compile_s = 0;

	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		if (u->target == BT_TARGET_BUILD_SCRIPT) {
			compiles++;
			compile_s += u->wall_s;
		} else if (u->target == BT_TARGET_BUILD_SCRIPT_RUN) {
			runs++;
			run_s += u->wall_s;
		}
	}
	if (!runs && !compiles)
		return;
	fprintf(f,
		"\nBuild scripts: %zu compiled in %.2fs, %zu run in %.2fs "
		"(wall, summed)\n",
		compiles, compile_s, runs, run_s);
	fprintf(f, "  %8s %8s  %s\n", "compile", "run", "package");
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *r = &b->units[i], *c = NULL;
		if (r->target != BT_TARGET_BUILD_SCRIPT_RUN)
			continue;
		for (size_t j = 0; j < b->n_units; j++)
			if (b->units[j].target == BT_TARGET_BUILD_SCRIPT &&
			    !strcmp(b->units[j].package, r->package) &&
			    !strcmp(b->units[j].version, r->version))
				c = &b->units[j];
		if (c)
			fprintf(f, "  %7.2fs", c->wall_s);
		else
			fprintf(f, "  %8s", "-");
		fprintf(f, " %7.2fs  %s%s%s", r->wall_s, r->package,
			r->version[0] ? " " : "", r->version);
		print_status(f, r);
		fputc('\n', f);
	}
}

static void print_links(FILE *f, const struct bt_build *b)
{
	size_t links = 0;
	for (size_t i = 0; i < b->n_units; i++)
		links += (size_t)b->units[i].n_links;
	if (!links)
		return;
	fprintf(f,
		"\nLinking: %zu links, %.2fs wall (summed; %.1f%% of the "
		"build's wall time), %.2fs CPU\n",
		links, b->link_wall_s,
		b->wall_s > 0 ? 100.0 * b->link_wall_s / b->wall_s : 0.0,
		b->link_cpu_s);
}

/* The split of the build's CPU by category, with a bar each. */
static void print_categories(FILE *f, const struct bt_profile *p)
{
	double total = 0;
	if (!p)
		return;
	for (int c = 0; c < BT_CAT_MAX; c++)
		total += p->cpu_s[c];
	if (total <= 0)
		return;
	fprintf(f, "\nWhere the CPU went (%.2fs; %.1f%% of it sampled, ", total,
		100.0 * p->sampled_cpu_s / total);
	fprintf(f, "%.1f%% of sampled frames without a symbol)\n",
		p->frames
		    ? 100.0 * (double)p->frames_unknown / (double)p->frames
		    : 0.0);
	for (int c = 0; c < BT_CAT_MAX; c++) {
		double share = p->cpu_s[c] / total;
		int bar = (int)(share * 40 + 0.5);
		if (p->cpu_s[c] <= 0 && c == BT_CAT_CODEGEN_CRANELIFT)
			continue;
		fprintf(f, "  %-18s %8.2fs %5.1f%%  ", bt_category_name(c),
			p->cpu_s[c], 100 * share);
		for (int k = 0; k < bar; k++)
			fputc('#', f);
		fputc('\n', f);
	}
	if (p->unsampled_cpu_s > 0)
		fprintf(f,
			"  (%.2fs no sample covers - start-up, build "
			"scripts, cargo, probes - is in its process's "
			"category; a compiler's in startup)\n",
			p->unsampled_cpu_s);
	if (p->lost_cpu_s > 0)
		fprintf(f,
			"  ! %.2fs of samples were lost (the sampler's "
			"buffer was full or the trace could not be "
			"written): shown as [lost samples]\n",
			p->lost_cpu_s);
	if (p->truncated_cpu_s > 0)
		fprintf(f,
			"  ! %.2fs (%.1f%% of the sampled CPU) in stacks cut "
			"short at code without unwind information: their "
			"callers are unknown, shown as [no unwind info: "
			"stack truncated]\n",
			p->truncated_cpu_s,
			p->sampled_cpu_s > 0
			    ? 100.0 * p->truncated_cpu_s / p->sampled_cpu_s
			    : 0.0);
	if (p->merged_below_us)
		fprintf(f,
			"  (the profile was too big to keep every frame: "
			"frames worth less than %.3fs each are merged into "
			"[small frames, merged]; the split above is exact)\n",
			(double)p->merged_below_us / 1e6);
	for (size_t i = 0; i < p->n_warnings; i++)
		fprintf(f, "  ! %s\n", p->warnings[i]);
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(f, "  - note: %s\n", p->notes[i]);
}

static void print_settings(FILE *f, const struct bt_build *b)
{
	size_t n = b->kind_count[BT_KIND_RUSTC];
	if (!n)
		return;
	fprintf(f, "\nSettings in force (%zu compilation%s)\n", n,
		n == 1 ? "" : "s");
	for (int i = 0; i < BT_SETTING_MAX; i++) {
		const struct bt_setting *s = &b->settings[i];
		if (!s->n_values)
			continue;
		fprintf(f, "  %-16s", s->name);
		for (size_t k = 0; k < s->n_values; k++) {
			const struct bt_setting_value *v = &s->values[k];
			if (s->n_values == 1) {
				fprintf(f, "%s", v->value);
				continue;
			}
			fprintf(f, "%s%s (%zu", k ? ", " : "", v->value,
				v->units);
			/* Who has the less common values: often build
			 * scripts and proc macros, which cargo's
			 * build-override profile compiles differently. */
			if (bt_setting_mixed(s))
				for (int tk = 0, m = 0; tk < BT_TARGET_MAX;
				     tk++)
					if (v->by_target[tk])
						fprintf(f, "%s%zu %s",
							m++ ? ", " : ": ",
							v->by_target[tk],
							bt_target_name(tk));
			fputc(')', f);
		}
		if (bt_setting_mixed(s))
			fprintf(f, "   <- mixed");
		fputc('\n', f);
	}
	/* the compiler: its version, or its name with why it is unknown;
	 * a version not read from the compiler library says where from */
	if (b->n_toolchains)
		fprintf(f, "  %-16s", "rustc");
	for (size_t k = 0; k < b->n_toolchains; k++) {
		const struct bt_toolchain *t = &b->toolchains[k];
		char label[256];
		bt_toolchain_label(t, label, sizeof(label));
		fprintf(f, "%s%s", k ? "; " : "", label);
		if (t->why[0])
			fprintf(f, "%s%s%s%s",
				t->version[0] ? " (from the " : ": ",
				t->version[0] && t->source ? t->source : "",
				t->version[0] ? ": " : "", t->why);
		if (t->why[0] && t->version[0])
			fputc(')', f);
		if (b->n_toolchains > 1)
			fprintf(f, " (%zu)", t->units);
	}
	if (b->n_toolchains)
		fputc('\n', f);
}

/* Prints TEXT with every line indented by INDENT. */
static void print_indented(FILE *f, const char *indent, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);
		fprintf(f, "%s%.*s\n", indent, len, text);
		text += len + (nl != NULL);
	}
}

static void print_recommendations(FILE *f, const struct bt_recommendations *rs)
{
	char kind[160];
	if (!rs)
		return;
	bt_build_kind_line(rs, kind, sizeof(kind));
	fprintf(f, "\nRecommendations (estimated from this build; "
		   "`btrace experiment` measures them)\n");
	fprintf(f, "  Build kind: %s; the savings are per %s like this one%s\n",
		kind,
		!strcmp(rs->build_kind, "rebuild") ? "rebuild"
		: !strcmp(rs->build_kind, "no-op") ? "no-op build"
						   : "clean build",
		strcmp(rs->build_kind, "rebuild")
		    ? ""
		    : " (the steady-state edit-rebuild loop, once the "
		      "setting has been applied and built once)");
	if (!rs->n_recommended)
		fprintf(f, "  none: no option saves %.0f%% or more\n",
			BT_RECOMMEND_MIN_PCT);
	for (size_t i = 0; i < rs->n; i++) {
		const struct bt_recommendation *r = &rs->items[i];
		if (!r->recommended)
			continue;
		int prec = bt_estimate_digits(&r->estimate);
		fprintf(f,
			"\n  %s: -%.*fs CPU (%.1f%%), -%.*fs wall "
			"(%.1f%%) [%s]\n",
			r->id, prec, r->estimate.cpu_s, r->estimate.cpu_pct,
			prec, r->estimate.wall_s, r->estimate.wall_pct,
			r->estimate.method);
		fprintf(f, "    %s\n", r->reason);
		if (r->caveats[0])
			fprintf(f, "    caveats: %s\n", r->caveats);
		fprintf(f, "    in %s:\n", r->file);
		print_indented(f, "      ", r->snippet);
	}
	if (rs->link_inputs && rs->link_inputs_missing == rs->link_inputs)
		fprintf(f, "\n  (the linkers' inputs are gone - target/ was "
			   "cleaned? - so the debuginfo estimates leave out "
			   "link time)\n");
	fprintf(f, "\n  Not recommended:\n");
	for (size_t i = 0; i < rs->n; i++)
		if (!rs->items[i].recommended)
			fprintf(f, "    %s: %s\n", rs->items[i].id,
				rs->items[i].reason);
}

static int write_summary_text(const struct bt_report *r, FILE *f)
{
	const struct bt_build *b = r->build;
	const struct bt_session *s = &b->session;
	static const enum bt_kind order[] = {
	    BT_KIND_RUSTC,  BT_KIND_RUSTDOC,	 BT_KIND_BUILD_SCRIPT,
	    BT_KIND_LINKER, BT_KIND_RUSTC_PROBE, BT_KIND_CARGO,
	    BT_KIND_OTHER};

	fprintf(f, "btrace report:");
	if (s->known)
		for (size_t i = 0; i < s->argc; i++)
			fprintf(f, " %s", s->command[i]);
	else
		fprintf(f, " (no session record: the trace's first process "
			   "is missing)");
	fputc('\n', f);
	if (!b->complete)
		fprintf(f,
			"INCOMPLETE TRACE: %zu warnings, see the end; "
			"figures below miss what the gaps hide\n",
			b->n_warnings);
	fprintf(f, "\nBuild: %.2fs wall, %.2fs CPU, average parallelism %.2f\n",
		b->wall_s, b->cpu_s, b->parallelism);
	fprintf(f, "  %zu processes:", b->n_nodes);
	for (size_t i = 0, k = 0; i < sizeof(order) / sizeof(*order); i++)
		if (b->kind_count[order[i]])
			fprintf(f, "%s %zu %s", k++ ? "," : "",
				b->kind_count[order[i]],
				bt_kind_name(order[i]));
	fprintf(f, "\n\n");
	print_units(f, b);
	print_build_scripts(f, b);
	print_links(f, b);
	print_categories(f, r->profile);
	print_settings(f, b);
	print_recommendations(f, r->recommendations);
	bt_graph_text(f, b, r->graph);
	if (b->n_warnings) {
		fprintf(f, "\nWarnings\n");
		for (size_t i = 0; i < b->n_warnings; i++)
			fprintf(f, "  ! %s\n", b->warnings[i]);
	}
	return ferror(f) ? -1 : 0;
}

const struct bt_report_writer bt_writer_summary_text = {
    .file = "summary.txt",
    .what = "the build in one screen (also printed)",
    .write = write_summary_text,
};
