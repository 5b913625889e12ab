/* summary_json.c - summary.json, for scripts and the next tools.
 *
 * The field names below are a contract (docs/report-format.md): later
 * reports and external scripts read them.  New fields may be added; none
 * is renamed or removed without bumping "version".
 *
 * cJSON ownership: every node is added to its parent as soon as it is
 * made (json_out.h), so deleting the root frees all.  Nesting is four
 * levels deep, far below CJSON_NESTING_LIMIT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/json_out.h"
#include "profile/profile.h"
#include "advice/recommend.h"
#include "output/graph_out.h"
#include "output/writer.h"
#include "model/toolchain.h"

#define SUMMARY_VERSION 1

/* Seconds rounded to the microsecond, so files read well and diff well. */
static void put_s(struct bt_json *j, cJSON *o, const char *key, double s)
{
	bt_json_num(j, o, key, round(s * 1e6) / 1e6);
}

static void put_flags(struct bt_json *j, cJSON *unit, const struct bt_unit *u)
{
	const struct bt_rustc_flags *f = &u->flags;
	cJSON *o = bt_json_add(j, unit, "flags", cJSON_CreateObject()), *unk;
	if (!o)
		return;
	bt_json_str(j, o, "debuginfo", f->debuginfo);
	bt_json_str(j, o, "opt_level", f->opt_level);
	bt_json_str(j, o, "codegen_backend", f->codegen_backend);
	if (f->codegen_units >= 0)
		bt_json_num(j, o, "codegen_units", f->codegen_units);
	else
		bt_json_str(j, o, "codegen_units", NULL);
	bt_json_bool(j, o, "incremental", f->incremental);
	/* What the command line asked for; "cc" is rustc's default driver
	 * on Linux.  linker_used says what really ran. */
	bt_json_str(j, o, "linker", f->linker[0] ? f->linker : "cc");
	bt_json_str(j, o, "fuse_ld", f->fuse_ld[0] ? f->fuse_ld : NULL);
	bt_json_str(j, o, "linker_flavor",
		    f->linker_flavor[0] ? f->linker_flavor : NULL);
	bt_json_str(j, o, "link_self_contained",
		    f->link_self_contained[0] ? f->link_self_contained : NULL);
	bt_json_str(j, o, "lto", f->lto[0] ? f->lto : NULL);
	bt_json_str(j, o, "split_debuginfo",
		    f->split_debuginfo[0] ? f->split_debuginfo : NULL);
	bt_json_str(j, o, "edition", f->edition[0] ? f->edition : "2015");
	bt_json_str(j, o, "crate_types", f->crate_types);
	bt_json_str(j, o, "emit", f->emit);
	bt_json_str(j, o, "target_triple", f->target[0] ? f->target : NULL);
	bt_json_bool(j, o, "test", f->test);
	unk = bt_json_add(j, o, "unknown", cJSON_CreateArray());
	for (size_t i = 0; unk && i < f->n_unknown && i < BT_RUSTC_UNKNOWN_MAX;
	     i++)
		bt_json_str(j, unk, NULL, f->unknown[i]);
	if (f->n_unknown > BT_RUSTC_UNKNOWN_MAX)
		bt_json_num(j, o, "unknown_cut", (double)f->n_unknown);
}

/* CPU seconds by category: every category's key, or {} when there is no
 * profile (a trace without samples). */
static void put_categories(struct bt_json *j, cJSON *o, const double *cpu_s)
{
	cJSON *c = bt_json_add(j, o, "categories", cJSON_CreateObject());
	for (int i = 0; c && cpu_s && i < BT_CAT_MAX; i++)
		put_s(j, c, bt_category_name(i), cpu_s[i]);
}

static void put_profile(struct bt_json *j, cJSON *root,
			const struct bt_profile *p)
{
	cJSON *o = bt_json_add(j, root, "profile", cJSON_CreateObject()), *w;
	if (!o)
		return;
	bt_json_num(j, o, "samples", (double)p->samples);
	bt_json_num(j, o, "sample_weight", (double)p->sample_weight);
	put_s(j, o, "period_s", p->period_s);
	bt_json_num(j, o, "frames", (double)p->frames);
	bt_json_num(j, o, "frames_unknown", (double)p->frames_unknown);
	put_s(j, o, "sampled_cpu_s", p->sampled_cpu_s);
	put_s(j, o, "unsampled_cpu_s", p->unsampled_cpu_s);
	put_s(j, o, "lost_cpu_s", p->lost_cpu_s);
	put_s(j, o, "truncated_cpu_s", p->truncated_cpu_s);
	put_s(j, o, "merged_below_s", (double)p->merged_below_us / 1e6);
	bt_json_num(j, o, "modules", (double)p->modules);
	bt_json_num(j, o, "modules_missing", (double)p->modules_missing);
	bt_json_num(j, o, "modules_changed", (double)p->modules_changed);
	bt_json_num(j, o, "modules_stripped", (double)p->modules_stripped);
	w = bt_json_add(j, o, "warnings", cJSON_CreateArray());
	for (size_t i = 0; w && i < p->n_warnings; i++)
		bt_json_str(j, w, NULL, p->warnings[i]);
	w = bt_json_add(j, o, "notes", cJSON_CreateArray());
	for (size_t i = 0; w && i < p->n_notes; i++)
		bt_json_str(j, w, NULL, p->notes[i]);
}

static void put_unit(struct bt_json *j, cJSON *units, const struct bt_report *r,
		     const struct bt_unit *u)
{
	cJSON *o = bt_json_add(j, units, NULL, cJSON_CreateObject());
	if (!o)
		return;
	bt_json_str(j, o, "package", u->package);
	bt_json_str(j, o, "version", u->version);
	bt_json_str(j, o, "crate", u->crate);
	bt_json_str(j, o, "target", bt_target_name(u->target));
	bt_json_str(j, o, "kind", bt_kind_name(u->node->kind));
	bt_json_bool(j, o, "primary", u->primary);
	bt_json_num(j, o, "pid", u->node->pid);
	put_s(j, o, "start_s", u->start_s);
	put_s(j, o, "wall_s", u->wall_s);
	put_s(j, o, "cpu_s", u->cpu_s);
	bt_json_num(j, o, "max_rss_kib", (double)u->max_rss_kib);
	if (u->no_end || u->signal || u->exit_code < 0)
		bt_json_str(j, o, "exit", NULL);
	else
		bt_json_num(j, o, "exit", u->exit_code);
	if (u->signal)
		bt_json_num(j, o, "signal", u->signal);
	bt_json_bool(j, o, "complete", !u->no_end);
	if (u->has_flags)
		put_flags(j, o, u);
	put_s(j, o, "link_wall_s", u->link_wall_s);
	put_s(j, o, "link_cpu_s", u->link_cpu_s);
	bt_json_num(j, o, "links", u->n_links);
	bt_json_str(j, o, "linker_used",
		    u->linker_used[0] ? u->linker_used : NULL);
	put_categories(j, o, r->profile ? u->categories : NULL);
}

static void put_settings(struct bt_json *j, cJSON *root,
			 const struct bt_build *b)
{
	cJSON *s = bt_json_add(j, root, "settings", cJSON_CreateObject());
	cJSON *vals, *a;
	for (int i = 0; s && i < BT_SETTING_MAX; i++) {
		const struct bt_setting *st = &b->settings[i];
		vals = bt_json_add(j, s, st->name, cJSON_CreateObject());
		for (size_t k = 0; vals && k < st->n_values; k++)
			bt_json_num(j, vals, st->values[k].value,
				    (double)st->values[k].units);
	}
	/* the compiler, as the other settings: its version (or its name
	 * marked "version unknown") and the compilations that ran it */
	vals = s ? bt_json_add(j, s, "rustc", cJSON_CreateObject()) : NULL;
	for (size_t k = 0; vals && k < b->n_toolchains; k++) {
		char label[256];
		bt_toolchain_label(&b->toolchains[k], label, sizeof(label));
		bt_json_num(j, vals, label, (double)b->toolchains[k].units);
	}
	/* and in full: where the version comes from, or why it is unknown */
	a = bt_json_add(j, root, "toolchains", cJSON_CreateArray());
	for (size_t k = 0; a && k < b->n_toolchains; k++) {
		const struct bt_toolchain *t = &b->toolchains[k];
		cJSON *o = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!o)
			break;
		bt_json_str(j, o, "name", t->name);
		bt_json_str(j, o, "driver", t->driver[0] ? t->driver : NULL);
		bt_json_str(j, o, "version", t->version[0] ? t->version : NULL);
		bt_json_str(j, o, "version_from", t->source);
		bt_json_str(j, o, "note", t->why[0] ? t->why : NULL);
		bt_json_num(j, o, "compilations", (double)t->units);
	}
}

static void put_session(struct bt_json *j, cJSON *root,
			const struct bt_build *b)
{
	const struct bt_session *ss = &b->session;
	cJSON *s = bt_json_add(j, root, "session", cJSON_CreateObject()), *a,
	      *k;
	if (!s)
		return;
	a = bt_json_add(j, s, "command", cJSON_CreateArray());
	for (size_t i = 0; a && ss->known && i < ss->argc; i++)
		bt_json_str(j, a, NULL, ss->command[i]);
	bt_json_str(j, s, "trace_dir", ss->trace_dir);
	bt_json_str(j, s, "btrace_version",
		    ss->known ? ss->btrace_version : NULL);
	if (ss->known)
		bt_json_num(j, s, "realtime_start_s",
			    (double)(ss->realtime_ns / 1000000) / 1e3);
	put_s(j, s, "wall_s", b->wall_s);
	put_s(j, s, "cpu_s", b->cpu_s);
	bt_json_num(j, s, "parallelism", round(b->parallelism * 1000) / 1000);
	bt_json_num(j, s, "processes", (double)b->n_nodes);
	k = bt_json_add(j, s, "kinds", cJSON_CreateObject());
	for (int i = 0; k && i < BT_KIND_MAX; i++)
		bt_json_num(j, k, bt_kind_name(i), (double)b->kind_count[i]);
	put_s(j, s, "link_wall_s", b->link_wall_s);
	put_s(j, s, "link_cpu_s", b->link_cpu_s);
	bt_json_bool(j, s, "complete", b->complete);
	a = bt_json_add(j, s, "warnings", cJSON_CreateArray());
	for (size_t i = 0; a && i < b->n_warnings; i++)
		bt_json_str(j, a, NULL, b->warnings[i]);
}

static void put_recommendation(struct bt_json *j, cJSON *a,
			       const struct bt_recommendation *r)
{
	cJSON *o = bt_json_add(j, a, NULL, cJSON_CreateObject()), *e;
	if (!o)
		return;
	bt_json_str(j, o, "id", r->id);
	bt_json_str(j, o, "reason", r->reason);
	bt_json_str(j, o, "file", r->file);
	bt_json_str(j, o, "snippet", r->snippet);
	bt_json_str(j, o, "caveats", r->caveats[0] ? r->caveats : NULL);
	if (r->option == BT_OPT_DEBUG_DEPS_OFF)
		bt_json_str(j, o, "keeps_debuginfo", r->keeps);
	e = bt_json_add(j, o, "estimate", cJSON_CreateObject());
	if (!e)
		return;
	put_s(j, e, "cpu_s", r->estimate.cpu_s);
	bt_json_num(j, e, "cpu_pct", round(r->estimate.cpu_pct * 100) / 100);
	put_s(j, e, "wall_s", r->estimate.wall_s);
	bt_json_num(j, e, "wall_pct", round(r->estimate.wall_pct * 100) / 100);
	bt_json_str(j, e, "method", r->estimate.method);
	put_s(j, e, "compile_cpu_s", r->estimate.compile_cpu_s);
	put_s(j, e, "link_cpu_s", r->estimate.link_cpu_s);
	bt_json_num(j, e, "units", (double)r->estimate.n_units);
	put_s(j, e, "model_term_s", r->estimate.term_s);
	put_s(j, e, "model_hidden_term_s", r->estimate.hidden_term_s);
	put_s(j, e, "model_link_term_s", r->estimate.link_term_s);
	put_s(j, e, "model_files_s", r->estimate.files_s);
}

/* "recommendations" (ordered by saving) and "considered" (the options
 * not recommended, each with its reason), and what the estimates used. */
static void put_recommendations(struct bt_json *j, cJSON *root,
				const struct bt_report *r)
{
	const struct bt_build *b = r->build;
	const struct bt_recommendations *rs = r->recommendations;
	cJSON *rec =
	    bt_json_add(j, root, "recommendations", cJSON_CreateArray());
	cJSON *con, *est, *bk;
	double lines = 0, dbg = 0, values = 0;
	char line[160];
	if (!rs)
		return;
	/* the kind of build the savings are for */
	bk = bt_json_add(j, root, "build", cJSON_CreateObject());
	if (bk) {
		bt_build_kind_line(rs, line, sizeof(line));
		bt_json_str(j, bk, "kind", rs->build_kind);
		bt_json_num(j, bk, "units_compiled",
			    (double)rs->units_compiled);
		bt_json_num(j, bk, "crates_reused", (double)rs->crates_reused);
		bt_json_str(j, bk, "summary", line);
	}
	con = bt_json_add(j, root, "considered", cJSON_CreateArray());
	for (size_t i = 0; rec && con && i < rs->n; i++)
		put_recommendation(j, rs->items[i].recommended ? rec : con,
				   &rs->items[i]);
	est = bt_json_add(j, root, "estimation", cJSON_CreateObject());
	if (!est)
		return;
	for (size_t i = 0; i < b->n_units; i++) {
		dbg += b->units[i].categories[BT_CAT_DEBUGINFO];
		lines += b->units[i].debuginfo_lines_s;
		values += b->units[i].debug_values_s;
	}
	bt_json_str(j, est, "profile", rs->profile);
	bt_json_num(j, est, "threshold_pct", BT_RECOMMEND_MIN_PCT);
	put_s(j, est, "replay_wall_s", rs->replay_wall_s);
	bt_json_num(j, est, "jobs", rs->jobs);
	bt_json_num(j, est, "cpus", round(rs->cpus * 1000) / 1000);
	put_s(j, est, "debuginfo_s", dbg);
	put_s(j, est, "debuginfo_line_tables_s", lines);
	put_s(j, est, "debug_values_s", values);
	bt_json_num(j, est, "link_inputs", (double)rs->link_inputs);
	bt_json_num(j, est, "link_inputs_missing",
		    (double)rs->link_inputs_missing);
}

static int write_summary_json(const struct bt_report *r, FILE *f)
{
	const struct bt_build *b = r->build;
	struct bt_json j = {0};
	cJSON *root = cJSON_CreateObject(), *units;
	int rc = -1;

	if (!root)
		return -1;
	bt_json_str(&j, root, "format", "btrace-summary");
	bt_json_num(&j, root, "version", SUMMARY_VERSION);
	put_session(&j, root, b);
	units = bt_json_add(&j, root, "units", cJSON_CreateArray());
	for (size_t i = 0; units && i < b->n_units; i++)
		put_unit(&j, units, r, &b->units[i]);
	put_settings(&j, root, b);
	put_categories(&j, root, r->profile ? r->profile->cpu_s : NULL);
	if (r->profile)
		put_profile(&j, root, r->profile);
	put_recommendations(&j, root, r);
	bt_graph_json(&j, root, b, r->graph);
	if (j.failed)
		goto out;
	rc = bt_json_write(root, f, 1);
out:
	cJSON_Delete(root);
	return rc;
}

const struct bt_report_writer bt_writer_summary_json = {
    .file = "summary.json",
    .what = "every unit with its times and flags, for scripts",
    .write = write_summary_json,
};
