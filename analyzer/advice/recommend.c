/* recommend.c - recommendations with estimated savings (recommend.h). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/recommend.h"
#include "base/spawn.h"
#include "model/trace_reader.h"

/* The precision and value of a measured figure in seconds, for "%.*f s":
 * a rebuild's are fractions of a second ("0.03 s", not "0.0 s"), a clean
 * build's are seconds (an estimate's: bt_estimate_digits()). */
#define SECONDS(x) ((x) < 1 ? 2 : 1), (x)

/* The profile the compilations used, from a workspace member's --out-dir
 * (target/<dir>/deps; cargo names the dev profile's dir "debug"). */
static void profile_of(const struct bt_build *b, char *out, size_t cap)
{
	snprintf(out, cap, "dev");
	for (size_t i = 0; i < b->n_units; i++) {
		const char *d = b->units[i].flags.out_dir, *end, *start;
		if (!b->units[i].primary || !(end = strstr(d, "/deps")) ||
		    end[5])
			continue;
		start = end;
		while (start > d && start[-1] != '/')
			start--;
		if (end == start)
			continue;
		if (end - start != 5 || strncmp(start, "debug", 5))
			snprintf(out, cap, "%.*s", (int)(end - start), start);
		return;
	}
}

struct census {
	size_t compilations, debug_full, debug_any, deps, deps_debug, primary;
	size_t not_cranelift, slow_linker, fast_linker, lld_linker, mold_linker;
	size_t split, not_linux; /* debuginfo units split already; units
				    for a target other than Linux */
	double debuginfo_s, deps_debuginfo_s, llvm_s, link_cpu_s;
	uint64_t link_debug, link_deps_debug; /* debuginfo bytes the links
						 read from cargo's crates */
	size_t reused_deps; /* dependencies linked from earlier builds */
	char fast_linker_name[64];
};

static void take_census(const struct bt_build *b, const struct bt_estimator *e,
			struct census *c)
{
	memset(c, 0, sizeof(*c));
	c->reused_deps = e->census.reused_deps;
	for (size_t i = 0; i < b->n_units; i++) {
		c->link_debug +=
		    e->links[i].primary.debug + e->links[i].deps.debug;
		c->link_deps_debug += e->links[i].deps.debug;
	}
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		const char *l = u->linker_used;
		int level = bt_unit_debug_level(u);
		if (!u->has_flags || u->node->kind != BT_KIND_RUSTC)
			continue;
		c->compilations++;
		c->primary += u->primary != 0;
		c->deps += !u->primary;
		if (level > 0) {
			c->debug_any++;
			c->debug_full += level > 1;
			c->deps_debug += !u->primary;
			c->split +=
			    !strcmp(u->flags.split_debuginfo, "unpacked") ||
			    !strcmp(u->flags.split_debuginfo, "packed");
		}
		c->not_linux +=
		    u->flags.target[0] && !strstr(u->flags.target, "-linux");
		c->debuginfo_s += u->categories[BT_CAT_DEBUGINFO];
		if (!u->primary)
			c->deps_debuginfo_s += u->categories[BT_CAT_DEBUGINFO];
		c->llvm_s += u->categories[BT_CAT_CODEGEN_LLVM];
		c->link_cpu_s += u->link_cpu_s;
		c->not_cranelift +=
		    strcmp(u->flags.codegen_backend, "cranelift") != 0;
		if (!l[0])
			continue;
		c->lld_linker += bt_linker_is_lld(l) != 0;
		c->mold_linker += bt_linker_is_mold(l) != 0;
		if (bt_linker_is_slow(l)) {
			c->slow_linker++;
		} else {
			c->fast_linker++;
			snprintf(c->fast_linker_name,
				 sizeof(c->fast_linker_name), "%s", l);
		}
	}
}

/* The crates that keep debuginfo under debuginfo-deps-off. */
static void primary_crates(const struct bt_build *b, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		int seen = 0;
		if (!u->primary || !u->has_flags)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = b->units[j].primary &&
			       !strcmp(b->units[j].package, u->package);
		if (seen || len + strlen(u->package) + 3 >= cap)
			continue;
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
					len ? ", " : "", u->package);
	}
}

/* Why option O is not recommended (and its status in *ST), or NULL. */
static const char *why_not_debuginfo(enum bt_option o, const struct census *c,
				     enum bt_rec_status *st)
{
	*st = BT_REC_IN_FORCE;
	switch (o) {
	case BT_OPT_DEBUG_OFF:
		return c->debug_any ? NULL
				    : "already in force: no compilation "
				      "generates debuginfo";
	case BT_OPT_DEBUG_LINE_TABLES:
		return c->debug_full ? NULL
				     : "already in force: no compilation "
				       "generates more than line tables";
	case BT_OPT_DEBUG_DEPS_OFF:
		/* a rebuild compiles no dependency, but links their rlibs:
		 * their debuginfo bytes count */
		if (!c->primary) {
			*st = BT_REC_CANNOT_TELL;
			return "cannot tell workspace members from "
			       "dependencies "
			       "(no CARGO_PRIMARY_PACKAGE in the trace)";
		}
		if (!c->deps && !c->reused_deps) {
			*st = BT_REC_NOTHING_TO_DO;
			return "nothing to do: every compilation is a "
			       "workspace member and no dependency was "
			       "linked";
		}
		return c->deps_debug || c->link_deps_debug
			   ? NULL
			   : "already in force: dependencies build "
			     "without debuginfo";
	case BT_OPT_SPLIT_DEBUGINFO:
		*st = BT_REC_NOTHING_TO_DO;
		if (c->not_linux)
			return "nothing to do here: btrace recommends it for "
			       "Linux targets only";
		if (!c->debug_any)
			return "nothing to do: no compilation generates "
			       "debuginfo";
		*st = BT_REC_IN_FORCE;
		return c->split < c->debug_any
			   ? NULL
			   : "already in force: debuginfo is split off "
			     "(-C split-debuginfo)";
	default:
		return NULL;
	}
}

/* A saving of linker-mold measured on this machine by an earlier
 * `btrace experiment` (its experiment.json): in the trace directory, or
 * in the experiment directory beside it (btrace.data/experiment next to
 * btrace.data/<session>, both defaults).  Used only when its baseline
 * linked with the linker this build used. */
struct measured_link {
	double cpu_pct, wall_pct;
	int rounds;
	char touch[150]; /* the file its rebuilds touched, "" for clean */
	char path[400];
};

static int read_measured(const char *path, const char *linker,
			 struct measured_link *m)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long len;
	cJSON *root = NULL, *cfg, *bl, *touch;
	int found = 0;

	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0 ||
	    len > (1 << 24) || fseek(f, 0, SEEK_SET) < 0 ||
	    !(text = malloc((size_t)len + 1)) ||
	    fread(text, 1, (size_t)len, f) != (size_t)len)
		goto out;
	text[len] = '\0';
	root = cJSON_Parse(text);
	if (!root || !cJSON_IsString(cJSON_GetObjectItem(root, "format")) ||
	    strcmp(cJSON_GetObjectItem(root, "format")->valuestring,
		   "btrace-experiment"))
		goto out;
	bl = cJSON_GetObjectItem(root, "baseline_linker");
	if (!cJSON_IsString(bl) || strcmp(bl->valuestring, linker))
		goto out;
	touch = cJSON_GetObjectItem(root, "touch");
	cJSON_ArrayForEach(cfg, cJSON_GetObjectItem(root, "configs"))
	{
		cJSON *id = cJSON_GetObjectItem(cfg, "id");
		cJSON *ms = cJSON_GetObjectItem(cfg, "measured");
		cJSON *cp = cJSON_GetObjectItem(ms, "cpu_pct");
		cJSON *wp = cJSON_GetObjectItem(ms, "wall_pct");
		cJSON *rn = cJSON_GetObjectItem(ms, "rounds");
		if (!cJSON_IsString(id) ||
		    strcmp(id->valuestring, "linker-mold") ||
		    cJSON_IsTrue(cJSON_GetObjectItem(cfg, "failed")) ||
		    !cJSON_IsNumber(cp) || !cJSON_IsNumber(wp) ||
		    !cJSON_IsNumber(rn) || rn->valueint < 1)
			continue;
		m->cpu_pct = cp->valuedouble;
		m->wall_pct = wp->valuedouble;
		m->rounds = rn->valueint;
		snprintf(m->touch, sizeof(m->touch), "%s",
			 cJSON_IsString(touch) ? touch->valuestring : "");
		snprintf(m->path, sizeof(m->path), "%s", path);
		found = 1;
	}
out:
	cJSON_Delete(root);
	free(text);
	fclose(f);
	return found;
}

static int measured_mold(const struct bt_build *b, const char *linker,
			 struct measured_link *m)
{
	char path[400];
	const char *dir = b->trace ? b->trace->dir : NULL;
	if (!dir || !linker[0])
		return 0;
	snprintf(path, sizeof(path), "%s/experiment.json", dir);
	if (read_measured(path, linker, m))
		return 1;
	snprintf(path, sizeof(path), "%s/../experiment/experiment.json", dir);
	return read_measured(path, linker, m);
}

/* linker-mold: in force when mold links; otherwise recommended on a saving
 * measured here (an earlier btrace experiment), or on the published ratio
 * when mold is not installed (labelled so).  With mold installed and no
 * measurement it is not recommended: the experiment measures it.  Fills
 * R and returns why it is not recommended, or NULL. */
static const char *mold(const struct bt_build *b, const struct census *c,
			struct bt_recommendation *r, char *why, size_t cap,
			enum bt_rec_status *st)
{
	struct bt_estimate *e = &r->estimate;
	const char *linker = c->slow_linker ? "ld" : c->fast_linker_name;
	struct measured_link m;

	*st = BT_REC_IN_FORCE;
	if (c->mold_linker && !c->slow_linker && !c->lld_linker)
		return "already in force: mold links";
	*st = BT_REC_NOTHING_TO_DO;
	if (!c->slow_linker && !c->fast_linker)
		return "nothing was linked";
	if (c->slow_linker && c->fast_linker)
		linker = ""; /* a mix: no measurement applies */
	if (measured_mold(b, linker, &m)) {
		char kind[200];
		if (m.touch[0])
			snprintf(kind, sizeof(kind),
				 "rebuilds after touching %s", m.touch);
		else
			snprintf(kind, sizeof(kind), "clean builds");
		e->method = "measured-here";
		e->cpu_pct = m.cpu_pct;
		e->wall_pct = m.wall_pct;
		e->cpu_s = b->cpu_s * m.cpu_pct / 100;
		e->wall_s = b->wall_s * m.wall_pct / 100;
		e->compile_cpu_s = 0;
		e->link_cpu_s = e->cpu_s;
		if (e->wall_pct < 0 || e->cpu_pct < 0) {
			*st = BT_REC_SLOWER_HERE;
			snprintf(why, cap,
				 "not recommended: measured slower than %s on "
				 "this machine (%+.1f%% wall, %+.1f%% CPU; "
				 "btrace experiment, %d rounds of %s)",
				 linker, -m.wall_pct, -m.cpu_pct, m.rounds,
				 kind);
			return why;
		}
		snprintf(r->reason, sizeof(r->reason),
			 "linking took %.*f s of CPU (%.1f%%) with %s; mold "
			 "saved %.1f%% CPU and %.1f%% wall on this machine "
			 "(btrace experiment, %d rounds of %s, %.80s)",
			 SECONDS(c->link_cpu_s), 100 * c->link_cpu_s / b->cpu_s,
			 linker, m.cpu_pct, m.wall_pct, m.rounds, kind, m.path);
		return NULL;
	}
	if (bt_on_path(bt_option_info(r->option)->needs)) {
		*st = BT_REC_NOT_MEASURED;
		snprintf(
		    why, cap,
		    "not measured: mold is installed; `btrace experiment "
		    "--only linker-mold -- CARGO_COMMAND` measures it here "
		    "(published ratio: saves about %.*f s CPU, %.1f%%)",
		    bt_estimate_digits(e), e->cpu_s, e->cpu_pct);
		return why;
	}
	snprintf(r->reason, sizeof(r->reason),
		 "linking took %.*f s of CPU (%.1f%%) with %s; mold saves "
		 "about %.*f s CPU (%.1f%%) and %.*f s wall (%.1f%%) by the "
		 "published ratio (mold's own benchmarks, on many cores; "
		 "not measured on this machine)",
		 SECONDS(c->link_cpu_s), 100 * c->link_cpu_s / b->cpu_s,
		 linker[0] ? linker : "several linkers", bt_estimate_digits(e),
		 e->cpu_s, e->cpu_pct, bt_estimate_digits(e), e->wall_s,
		 e->wall_pct);
	return NULL;
}

static void fill(const struct bt_build *b, struct bt_recommendations *rs,
		 const struct census *c, struct bt_recommendation *r)
{
	const struct bt_estimate *e = &r->estimate;
	const struct bt_option_info *oi = bt_option_info(r->option);
	const char *why = NULL;
	enum bt_rec_status st = BT_REC_RECOMMENDED; /* when WHY is set */
	char saves[160], why_buf[512], keeps[sizeof(r->keeps)];

	/* a rebuild's savings are fractions of a second; an option can
	 * cost more than it saves (split debuginfo on a clean build) */
	if (e->cpu_s < 0)
		snprintf(saves, sizeof(saves),
			 "costs about %.*f s CPU (%.1f%%) and %.*f s wall "
			 "(%.1f%%) more",
			 e->cpu_s > -1 ? 2 : 1, -e->cpu_s, -e->cpu_pct,
			 e->cpu_s > -1 ? 2 : 1, -e->wall_s, -e->wall_pct);
	else
		snprintf(saves, sizeof(saves),
			 "saves about %.*f s CPU (%.1f%%) and %.*f s wall "
			 "(%.1f%%)",
			 bt_estimate_digits(e), e->cpu_s, e->cpu_pct,
			 bt_estimate_digits(e), e->wall_s, e->wall_pct);
	/* the option's facts (options.def); the reasons are made here */
	r->file = oi->file;
	r->caveats = oi->caveats;
	bt_option_expand(oi->snippet, rs->profile, r->snippet,
			 sizeof(r->snippet));
	switch (r->option) {
	case BT_OPT_DEBUG_OFF:
	case BT_OPT_DEBUG_LINE_TABLES:
		why = why_not_debuginfo(r->option, c, &st);
		snprintf(r->reason, sizeof(r->reason),
			 "debuginfo generation took %.*f s of CPU (%.1f%%) in "
			 "%zu compilation%s, plus link time (the links read "
			 "%.1f MiB of debuginfo); %s %s",
			 SECONDS(c->debuginfo_s),
			 100 * c->debuginfo_s / b->cpu_s, c->debug_any,
			 c->debug_any == 1 ? "" : "s",
			 (double)c->link_debug / 1048576,
			 r->option == BT_OPT_DEBUG_OFF
			     ? "debug = false"
			     : "line tables only (backtraces keep file "
			       "and line)",
			 saves);
		break;
	case BT_OPT_DEBUG_DEPS_OFF:
		why = why_not_debuginfo(r->option, c, &st);
		primary_crates(b, keeps, sizeof(keeps));
		memcpy(r->keeps, keeps, sizeof(keeps));
		if (c->deps)
			snprintf(r->reason, sizeof(r->reason),
				 "dependencies' debuginfo took %.*f s of CPU "
				 "(%.1f%%), plus link time; turning it off "
				 "for them only %s; your workspace members "
				 "keep full debuginfo: %s",
				 SECONDS(c->deps_debuginfo_s),
				 100 * c->deps_debuginfo_s / b->cpu_s, saves,
				 keeps);
		else
			snprintf(r->reason, sizeof(r->reason),
				 "every link reads the dependencies' "
				 "debuginfo (%.1f MiB, from their rlibs); "
				 "turning it off for them only %s per build "
				 "like this one, once they have been rebuilt "
				 "without it (one full build); your workspace "
				 "members keep full debuginfo: %s",
				 (double)c->link_deps_debug / 1048576, saves,
				 keeps);
		break;
	case BT_OPT_SPLIT_DEBUGINFO:
		why = why_not_debuginfo(r->option, c, &st);
		snprintf(r->reason, sizeof(r->reason),
			 "the links read %.1f MiB of debuginfo; split "
			 "debuginfo keeps it in .dwo files the linker does not "
			 "read (full debuginfo for gdb and lldb) and %s",
			 (double)c->link_debug / 1048576, saves);
		break;
	case BT_OPT_CRANELIFT:
		if (!c->not_cranelift) {
			why = "already in force: every compilation uses the "
			      "Cranelift backend";
			st = BT_REC_IN_FORCE;
		}
		snprintf(r->reason, sizeof(r->reason),
			 "LLVM code generation took %.*f s of CPU (%.1f%%); "
			 "the Cranelift backend %s (published ratio)",
			 SECONDS(c->llvm_s), 100 * c->llvm_s / b->cpu_s, saves);
		break;
	case BT_OPT_LINKER_LLD:
		if (c->fast_linker && !c->slow_linker) {
			snprintf(why_buf, sizeof(why_buf),
				 "already in force: a fast linker (%s) is "
				 "used",
				 c->fast_linker_name);
			why = why_buf;
			st = BT_REC_IN_FORCE;
		} else if (!c->slow_linker) {
			why = "nothing was linked";
			st = BT_REC_NOTHING_TO_DO;
		}
		snprintf(r->reason, sizeof(r->reason),
			 "linking took %.*f s of CPU (%.1f%%) with GNU ld; lld "
			 "%s",
			 SECONDS(c->link_cpu_s), 100 * c->link_cpu_s / b->cpu_s,
			 saves);
		break;
	case BT_OPT_LINKER_MOLD:
		why = mold(b, c, r, why_buf, sizeof(why_buf), &st);
		break;
	default:
		break;
	}
	/* a no-op build: no setting changes a build that does nothing */
	if (!c->compilations && !c->slow_linker && !c->fast_linker) {
		why = "nothing to do: a no-op build (nothing compiled or "
		      "linked)";
		st = BT_REC_NOTHING_TO_DO;
	}
	if (why) {
		snprintf(r->reason, sizeof(r->reason), "%s", why);
		r->status = st;
		r->recommended = 0;
	} else if (e->cpu_pct < BT_RECOMMEND_MIN_PCT &&
		   e->wall_pct < BT_RECOMMEND_MIN_PCT) {
		char tmp[sizeof(r->reason)];
		snprintf(tmp, sizeof(tmp), "below the %.0f%% threshold: %s",
			 BT_RECOMMEND_MIN_PCT, saves);
		memcpy(r->reason, tmp, sizeof(tmp));
		r->status = BT_REC_BELOW_THRESHOLD;
		r->recommended = 0;
	} else {
		r->status = BT_REC_RECOMMENDED;
		r->recommended = 1;
	}
}

static int by_recommended_then_saving(const void *a, const void *b)
{
	const struct bt_recommendation *x = a, *y = b;
	if (x->recommended != y->recommended)
		return y->recommended - x->recommended;
	if (x->estimate.cpu_s != y->estimate.cpu_s)
		return x->estimate.cpu_s < y->estimate.cpu_s ? 1 : -1;
	return (int)x->option - (int)y->option;
}

void bt_build_kind_line(const struct bt_recommendations *rs, char *out,
			size_t cap)
{
	if (!strcmp(rs->build_kind, "no-op"))
		snprintf(out, cap, "no-op: nothing compiled");
	else if (!strcmp(rs->build_kind, "rebuild"))
		snprintf(out, cap,
			 "rebuild: %zu of %zu units compiled (%zu crates "
			 "linked from earlier builds)",
			 rs->units_compiled,
			 rs->units_compiled + rs->crates_reused,
			 rs->crates_reused);
	else
		snprintf(out, cap,
			 "clean: %zu units compiled, nothing from earlier "
			 "builds linked",
			 rs->units_compiled);
}

int bt_rec_applies(const struct bt_recommendation *r)
{
	return r->status != BT_REC_IN_FORCE &&
	       r->status != BT_REC_CANNOT_TELL &&
	       r->status != BT_REC_NOTHING_TO_DO;
}

int bt_recommend(const struct bt_build *b, struct bt_recommendations *out)
{
	struct bt_estimator e;
	struct census c;

	memset(out, 0, sizeof(*out));
	if (bt_estimator_make(b, &e) < 0)
		return -1;
	profile_of(b, out->profile, sizeof(out->profile));
	take_census(b, &e, &c);
	out->units_compiled = c.compilations;
	out->crates_reused = e.census.reused_crates;
	out->build_kind = !c.compilations	   ? "no-op"
			  : e.census.reused_crates ? "rebuild"
						   : "clean";
	out->replay_wall_s = e.replay_s;
	out->jobs = e.sched.jobs;
	out->cpus = e.sched.cpus;
	out->link_inputs = e.n_link_inputs;
	out->link_inputs_missing = e.n_link_missing;
	for (int o = 0; o < BT_OPT_MAX; o++) {
		struct bt_recommendation *r = &out->items[out->n++];
		r->option = (enum bt_option)o;
		r->id = bt_option_id(r->option);
		bt_estimate(&e, r->option, &r->estimate);
		fill(b, out, &c, r);
		out->n_recommended += r->recommended != 0;
	}
	qsort(out->items, out->n, sizeof(*out->items),
	      by_recommended_then_saving);
	bt_estimator_free(&e);
	return 0;
}
