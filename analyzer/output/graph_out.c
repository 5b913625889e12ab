/* graph_out.c - critical path, dependencies and idle cores in the
 * outputs (graph_out.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/graph_out.h"

#define PATH_SHOWN 15
#define SPEEDUP_SHOWN BT_CP_TOP
#define DEPS_SHOWN 10
#define IDLE_SHOWN 5
#define MACROS_SHOWN 10

static double r3(double s)
{
	return round(s * 1000) / 1000;
}

static void unit_label(const struct bt_build *b, size_t i, char *buf,
		       size_t cap)
{
	if (i < b->n_units)
		bt_unit_label(&b->units[i], buf, cap);
	else
		snprintf(buf, cap, "-");
}

int bt_graph_on_path(const struct bt_build *b, const struct bt_graph_report *g,
		     const struct bt_unit *u)
{
	size_t i;
	if (!g || !u || u < b->units || u >= b->units + b->n_units)
		return 0;
	i = (size_t)(u - b->units);
	return i < g->path.n_units && g->path.units[i].on_path;
}

/* ---- summary.txt ---- */

static void text_path(FILE *f, const struct bt_build *b,
		      const struct bt_graph_report *g)
{
	const struct bt_critical_path *cp = &g->path;
	char label[400], waited[400];
	fprintf(f,
		"\nCritical path (%zu of %zu units; the schedule replayed "
		"takes %.2fs of the %.2fs wall)\n",
		cp->n_path, b->n_units, cp->replay_s, b->wall_s);
	fprintf(f, "  %8s %8s  %-40s  %s\n", "start", "wall", "unit",
		"waited for");
	for (size_t k = 0; k < cp->n_path && k < PATH_SHOWN; k++) {
		size_t i = cp->path[k];
		const struct bt_cp_unit *c = &cp->units[i];
		unit_label(b, i, label, sizeof(label));
		unit_label(b, c->waited_for, waited, sizeof(waited));
		fprintf(f, "  %7.2fs %7.2fs  %-40s  %s%s%s\n",
			b->units[i].start_s, b->units[i].wall_s, label,
			c->waited_slot ? "a job slot: " : "", waited,
			c->waited_meta ? " (metadata)" : "");
	}
	if (cp->n_path > PATH_SHOWN)
		fprintf(f, "  ... %zu more in summary.json\n",
			cp->n_path - PATH_SHOWN);
}

static void text_speedup(FILE *f, const struct bt_build *b,
			 const struct bt_graph_report *g)
{
	const struct bt_critical_path *cp = &g->path;
	char label[400];
	if (!cp->n_top)
		return;
	fprintf(f,
		"\nSpeed-up potential (wall saved if one unit took half its "
		"time, or none; replayed on %.1f CPUs, %d jobs)\n",
		g->sched.cpus, g->sched.jobs);
	fprintf(f, "  %8s %8s %8s  %s\n", "half", "none", "slack", "unit");
	for (size_t k = 0; k < cp->n_top && k < SPEEDUP_SHOWN; k++) {
		const struct bt_cp_unit *c = &cp->units[cp->top[k]];
		unit_label(b, cp->top[k], label, sizeof(label));
		fprintf(f, "  %7.2fs %7.2fs %7.2fs  %s\n", c->save_half_s,
			c->save_none_s, c->slack_s, label);
	}
}

static void text_deps(FILE *f, const struct bt_graph_report *g)
{
	const struct bt_dep_costs *dc = &g->costs;
	char label[200];
	if (!dc->n && !dc->n_dups)
		return;
	fprintf(f, "\nDependencies (the members' direct ones and the critical "
		   "path's; removal: the replay without the package and what "
		   "only it pulls in)\n");
	fprintf(f, "  %8s %8s %5s %8s %9s %8s  %s\n", "own cpu", "own wall",
		"only", "its cpu", "saves wall", "cpu", "package");
	for (size_t k = 0; k < dc->n && k < DEPS_SHOWN; k++) {
		const struct bt_dep_cost *c = &dc->costs[k];
		const struct bt_package *p = &g->graph.pkgs[c->pkg];
		bt_package_label(p, label, sizeof(label));
		fprintf(f,
			"  %7.2fs %7.2fs %5zu %7.2fs %9.2fs %7.2fs  %s%s%s%s\n",
			p->cpu_s, p->wall_s, c->n_excl, c->excl_cpu_s,
			c->save_wall_s, c->save_cpu_s, label,
			p->proc_macro ? " (proc macro)" : "",
			c->direct ? " [direct]" : "",
			c->on_path ? " [critical path]" : "");
	}
	if (dc->n > DEPS_SHOWN)
		fprintf(f, "  ... %zu more in summary.json\n",
			dc->n - DEPS_SHOWN);
	for (size_t k = 0; k < dc->n_dups; k++) {
		const struct bt_duplicate *d = &dc->dups[k];
		fprintf(f, "  %zu versions of %s (%.2fs CPU in all):", d->n,
			d->name, d->cpu_s);
		for (size_t v = 0; v < d->n; v++) {
			const struct bt_package *p = &g->graph.pkgs[d->pkgs[v]];
			fprintf(f, "%s %s %.2fs", v ? "," : "", p->version,
				p->cpu_s);
		}
		fputc('\n', f);
	}
}

static int by_length_desc(const void *a, const void *b)
{
	const struct bt_idle_period *x =
	    *(const struct bt_idle_period *const *)a;
	const struct bt_idle_period *y =
	    *(const struct bt_idle_period *const *)b;
	double lx = x->end_s - x->start_s, ly = y->end_s - y->start_s;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->start_s < y->start_s ? -1 : 1;
}

static int by_start(const void *a, const void *b)
{
	const struct bt_idle_period *x =
	    *(const struct bt_idle_period *const *)a;
	const struct bt_idle_period *y =
	    *(const struct bt_idle_period *const *)b;
	return x->start_s < y->start_s ? -1 : x->start_s > y->start_s;
}

static void text_idle(FILE *f, const struct bt_build *b,
		      const struct bt_graph_report *g)
{
	const struct bt_utilization *u = &g->util;
	const struct bt_idle_period **p;
	size_t n = u->n_periods < IDLE_SHOWN ? u->n_periods : IDLE_SHOWN;
	char label[400];
	double all = u->cores * u->span_s;
	if (!u->cores)
		return;
	fprintf(f, "\nIdle cores (%d cores, from %s%s", u->cores,
		strcmp(u->cores_from, "NUM_JOBS") ? "the " : "", u->cores_from);
	if (u->jobs)
		fprintf(f, "; cargo -j%d", u->jobs);
	fprintf(f,
		"): %.2f of %.2f core-seconds idle (%.1f%%) while units ran\n",
		u->idle_core_s, all, all > 0 ? 100 * u->idle_core_s / all : 0);
	/* Only when as many units ran as there are cores: fewer units
	 * (a rebuild's one rustc) fall short by their own thread limits,
	 * a single-threaded frontend, not by load. */
	if (g->sched.jobs >= u->cores && g->sched.cpus < 0.75 * u->cores)
		fprintf(
		    f,
		    "  (its units got %.1f CPUs while %d ran at once: the rest "
		    "went to other load on the machine, or the units waited "
		    "off the CPU)\n",
		    g->sched.cpus, g->sched.jobs);
	p = calloc(u->n_periods + 1, sizeof(*p));
	if (!p)
		return;
	for (size_t k = 0; k < u->n_periods; k++)
		p[k] = &u->periods[k];
	/* the longest, in time order */
	qsort(p, u->n_periods, sizeof(*p), by_length_desc);
	qsort(p, n, sizeof(*p), by_start);
	for (size_t k = 0; k < n; k++) {
		unit_label(b, p[k]->waiting_for, label, sizeof(label));
		fprintf(
		    f, "  %.2f-%.2fs: %.1f of %d cores busy, waiting for %s\n",
		    p[k]->start_s, p[k]->end_s, p[k]->busy, u->cores, label);
	}
	if (u->n_periods > n)
		fprintf(f, "  ... %zu shorter periods in summary.json\n",
			u->n_periods - n);
	free(p);
}

static void text_macros(FILE *f, const struct bt_build *b,
			const struct bt_graph_report *g)
{
	const struct bt_proc_macros *m = &g->macros;
	char label[400];
	if (!m->n_macros)
		return;
	fprintf(f,
		"\nProc macros (expansion: CPU sampled inside each macro's "
		"library, part of the frontend; %.2fs, %.1f%% of the "
		"compilations' sampled CPU)\n",
		m->expand_s,
		m->sampled_s > 0 ? 100 * m->expand_s / m->sampled_s : 0);
	fprintf(f, "  %8s %5s %9s %9s  %s\n", "expand", "users", "build cpu",
		"deps cpu", "macro");
	for (size_t k = 0; k < m->n_macros && k < MACROS_SHOWN; k++) {
		const struct bt_macro *x = &m->macros[k];
		if (x->pkg != SIZE_MAX)
			bt_package_label(&g->graph.pkgs[x->pkg], label,
					 sizeof(label));
		else
			snprintf(label, sizeof(label), "%s (built earlier)",
				 x->crate);
		fprintf(f, "  %7.2fs %5zu %8.2fs %8.2fs  %s (%zu deps)\n",
			x->expand_s, x->n_users, x->own_cpu_s, x->deps_cpu_s,
			label, x->n_deps);
	}
	if (!m->n_uses) /* each use takes a sample inside the macro */
		fprintf(f, "  by crate: no expansion sampled\n");
	else
		fprintf(f, "  by crate:\n");
	for (size_t k = 0; k < m->n_uses && k < MACROS_SHOWN; k++) {
		const struct bt_macro_use *u = &m->uses[k];
		unit_label(b, u->unit, label, sizeof(label));
		fprintf(f, "  %7.2fs  %s in %s\n", u->expand_s,
			m->macros[u->macro].crate, label);
	}
	if (m->n_uses > MACROS_SHOWN)
		fprintf(f, "  ... %zu more in summary.json\n",
			m->n_uses - MACROS_SHOWN);
}

void bt_graph_text(FILE *f, const struct bt_build *b,
		   const struct bt_graph_report *g)
{
	if (!g || !b->n_units)
		return;
	text_path(f, b, g);
	text_speedup(f, b, g);
	text_deps(f, g);
	text_macros(f, b, g);
	text_idle(f, b, g);
}

/* ---- summary.json ---- */

/* KEY: unit I's label, IKEY: its index into summary.json's "units" (both
 * null for none). */
static void put_unit_ref(struct bt_json *j, cJSON *o, const char *key,
			 const char *ikey, const struct bt_build *b, size_t i)
{
	char label[400];
	if (i >= b->n_units) {
		bt_json_add(j, o, key, cJSON_CreateNull());
		bt_json_add(j, o, ikey, cJSON_CreateNull());
		return;
	}
	unit_label(b, i, label, sizeof(label));
	bt_json_str(j, o, key, label);
	bt_json_num(j, o, ikey, (double)i);
}

static void json_path(struct bt_json *j, cJSON *root, const struct bt_build *b,
		      const struct bt_graph_report *g)
{
	const struct bt_critical_path *cp = &g->path;
	cJSON *o = bt_json_add(j, root, "critical_path", cJSON_CreateObject());
	cJSON *a, *s;
	if (!o)
		return;
	bt_json_num(j, o, "replay_wall_s", r3(cp->replay_s));
	bt_json_num(j, o, "replay_on_cores_wall_s", r3(g->replay_on_cores_s));
	bt_json_num(j, o, "replay_cores", (double)g->replay_cores);
	a = bt_json_add(j, o, "units", cJSON_CreateArray());
	for (size_t k = 0; a && k < cp->n_path; k++) {
		size_t i = cp->path[k];
		const struct bt_cp_unit *c = &cp->units[i];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!e)
			break;
		put_unit_ref(j, e, "label", "unit", b, i);
		bt_json_num(j, e, "start_s", r3(b->units[i].start_s));
		bt_json_num(j, e, "wall_s", r3(b->units[i].wall_s));
		bt_json_num(j, e, "replay_start_s", r3(c->at.start_s));
		bt_json_num(j, e, "replay_end_s", r3(c->at.end_s));
		put_unit_ref(j, e, "waited_for", "waited_for_unit", b,
			     c->waited_for);
		if (c->waited_for != SIZE_MAX)
			bt_json_str(j, e, "waited_for_what",
				    c->waited_slot   ? "job slot"
				    : c->waited_meta ? "metadata"
						     : "end");
	}
	/* every unit's slack, parallel to "units" at the top */
	s = bt_json_add(j, o, "slack_s", cJSON_CreateArray());
	for (size_t i = 0; s && i < cp->n_units; i++)
		bt_json_num(j, s, NULL, r3(cp->units[i].slack_s));
}

static void json_speedup(struct bt_json *j, cJSON *root,
			 const struct bt_build *b,
			 const struct bt_graph_report *g)
{
	const struct bt_critical_path *cp = &g->path;
	cJSON *a = bt_json_add(j, root, "speedup", cJSON_CreateArray());
	for (size_t k = 0; a && k < cp->n_top; k++) {
		const struct bt_cp_unit *c = &cp->units[cp->top[k]];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!e)
			break;
		put_unit_ref(j, e, "label", "unit", b, cp->top[k]);
		bt_json_num(j, e, "half_saves_wall_s", r3(c->save_half_s));
		bt_json_num(j, e, "none_saves_wall_s", r3(c->save_none_s));
		bt_json_num(j, e, "slack_s", r3(c->slack_s));
		bt_json_bool(j, e, "critical_path", c->on_path);
	}
}

static void json_deps(struct bt_json *j, cJSON *root,
		      const struct bt_graph_report *g)
{
	const struct bt_dep_costs *dc = &g->costs;
	cJSON *a = bt_json_add(j, root, "dependencies", cJSON_CreateArray());
	cJSON *d;
	for (size_t k = 0; a && k < dc->n; k++) {
		const struct bt_dep_cost *c = &dc->costs[k];
		const struct bt_package *p = &g->graph.pkgs[c->pkg];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject()), *x;
		if (!e)
			break;
		bt_json_str(j, e, "package", p->name);
		bt_json_str(j, e, "version", p->version);
		bt_json_bool(j, e, "direct", c->direct);
		bt_json_bool(j, e, "critical_path", c->on_path);
		bt_json_bool(j, e, "proc_macro", p->proc_macro);
		bt_json_num(j, e, "units", (double)p->n_units);
		bt_json_num(j, e, "cpu_s", r3(p->cpu_s));
		bt_json_num(j, e, "wall_s", r3(p->wall_s));
		x = bt_json_add(j, e, "exclusive", cJSON_CreateArray());
		for (size_t q = 0; x && q < c->n_excl; q++) {
			char label[200];
			bt_package_label(&g->graph.pkgs[c->excl[q]], label,
					 sizeof(label));
			bt_json_str(j, x, NULL, label);
		}
		bt_json_num(j, e, "exclusive_cpu_s", r3(c->excl_cpu_s));
		bt_json_num(j, e, "exclusive_wall_s", r3(c->excl_wall_s));
		bt_json_num(j, e, "removal_saves_wall_s", r3(c->save_wall_s));
		bt_json_num(j, e, "removal_saves_cpu_s", r3(c->save_cpu_s));
	}
	d = bt_json_add(j, root, "duplicates", cJSON_CreateArray());
	for (size_t k = 0; d && k < dc->n_dups; k++) {
		const struct bt_duplicate *du = &dc->dups[k];
		cJSON *e = bt_json_add(j, d, NULL, cJSON_CreateObject()), *v;
		if (!e)
			break;
		bt_json_str(j, e, "crate", du->name);
		bt_json_num(j, e, "cpu_s", r3(du->cpu_s));
		bt_json_num(j, e, "wall_s", r3(du->wall_s));
		v = bt_json_add(j, e, "versions", cJSON_CreateArray());
		for (size_t q = 0; v && q < du->n; q++) {
			const struct bt_package *p =
			    &g->graph.pkgs[du->pkgs[q]];
			cJSON *o =
			    bt_json_add(j, v, NULL, cJSON_CreateObject());
			if (!o)
				break;
			bt_json_str(j, o, "version", p->version);
			bt_json_num(j, o, "cpu_s", r3(p->cpu_s));
			bt_json_num(j, o, "wall_s", r3(p->wall_s));
		}
	}
}

static void json_cores(struct bt_json *j, cJSON *root, const struct bt_build *b,
		       const struct bt_graph_report *g)
{
	const struct bt_utilization *u = &g->util;
	cJSON *o = bt_json_add(j, root, "cores", cJSON_CreateObject()), *a;
	if (!o)
		return;
	bt_json_num(j, o, "cores", u->cores);
	bt_json_str(j, o, "cores_from", u->cores_from);
	if (u->jobs)
		bt_json_num(j, o, "jobs", u->jobs);
	else
		bt_json_add(j, o, "jobs", cJSON_CreateNull());
	bt_json_num(j, o, "span_start_s", r3(u->first_s));
	bt_json_num(j, o, "span_s", r3(u->span_s));
	bt_json_num(j, o, "idle_core_s", r3(u->idle_core_s));
	bt_json_num(j, o, "busy_slice_s", r3(u->bucket_s));
	a = bt_json_add(j, o, "busy", cJSON_CreateArray());
	for (int k = 0; a && u->bucket_s > 0 && k < BT_UTIL_BUCKETS; k++)
		bt_json_num(j, a, NULL, r3(u->busy[k]));
	a = bt_json_add(j, o, "idle_periods", cJSON_CreateArray());
	for (size_t k = 0; a && k < u->n_periods; k++) {
		const struct bt_idle_period *p = &u->periods[k];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!e)
			break;
		bt_json_num(j, e, "start_s", r3(p->start_s));
		bt_json_num(j, e, "end_s", r3(p->end_s));
		bt_json_num(j, e, "busy", r3(p->busy));
		put_unit_ref(j, e, "waiting_for", "waiting_for_unit", b,
			     p->waiting_for);
	}
}

static void json_macros(struct bt_json *j, cJSON *root,
			const struct bt_build *b,
			const struct bt_graph_report *g)
{
	const struct bt_proc_macros *m = &g->macros;
	cJSON *o = bt_json_add(j, root, "proc_macros", cJSON_CreateObject());
	cJSON *a;
	if (!o)
		return;
	bt_json_num(j, o, "expand_s", r3(m->expand_s));
	bt_json_num(j, o, "sampled_s", r3(m->sampled_s));
	a = bt_json_add(j, o, "macros", cJSON_CreateArray());
	for (size_t k = 0; a && k < m->n_macros; k++) {
		const struct bt_macro *x = &m->macros[k];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!e)
			break;
		bt_json_str(j, e, "crate", x->crate);
		if (x->pkg != SIZE_MAX) {
			bt_json_str(j, e, "package",
				    g->graph.pkgs[x->pkg].name);
			bt_json_str(j, e, "version",
				    g->graph.pkgs[x->pkg].version);
		} else {
			bt_json_add(j, e, "package", cJSON_CreateNull());
			bt_json_add(j, e, "version", cJSON_CreateNull());
		}
		bt_json_num(j, e, "expand_s", r3(x->expand_s));
		bt_json_num(j, e, "users", (double)x->n_users);
		bt_json_num(j, e, "own_cpu_s", r3(x->own_cpu_s));
		bt_json_num(j, e, "deps_cpu_s", r3(x->deps_cpu_s));
		bt_json_num(j, e, "deps", (double)x->n_deps);
	}
	a = bt_json_add(j, o, "uses", cJSON_CreateArray());
	for (size_t k = 0; a && k < m->n_uses; k++) {
		const struct bt_macro_use *u = &m->uses[k];
		cJSON *e = bt_json_add(j, a, NULL, cJSON_CreateObject());
		if (!e)
			break;
		bt_json_str(j, e, "macro", m->macros[u->macro].crate);
		put_unit_ref(j, e, "label", "unit", b, u->unit);
		bt_json_num(j, e, "expand_s", r3(u->expand_s));
	}
}

void bt_graph_json(struct bt_json *j, cJSON *root, const struct bt_build *b,
		   const struct bt_graph_report *g)
{
	if (!g)
		return;
	json_path(j, root, b, g);
	json_speedup(j, root, b, g);
	json_deps(j, root, g);
	json_cores(j, root, b, g);
	json_macros(j, root, b, g);
}

/* ---- trace.json ---- */

/* An event without a time (the metadata events have none). */
static cJSON *event(struct bt_json *c, cJSON *events, const char *name,
		    const char *ph, int pid, int tid)
{
	cJSON *ev = bt_json_add(c, events, NULL, cJSON_CreateObject());
	if (!ev)
		return NULL;
	bt_json_str(c, ev, "name", name);
	bt_json_str(c, ev, "ph", ph);
	bt_json_num(c, ev, "pid", pid);
	if (tid >= 0)
		bt_json_num(c, ev, "tid", tid);
	return ev;
}

/* A complete event of D seconds from T seconds. */
static cJSON *span(struct bt_json *c, cJSON *events, const char *name,
		   const char *cat, double t, double d, int pid, int tid)
{
	cJSON *ev = event(c, events, name, "X", pid, tid);
	if (!ev)
		return NULL;
	bt_json_str(c, ev, "cat", cat);
	bt_json_num(c, ev, "ts", round(t * 1e6));
	bt_json_num(c, ev, "dur", round(d * 1e6));
	return bt_json_add(c, ev, "args", cJSON_CreateObject());
}

/* A metadata event WHAT (process_name, thread_name, ...) with one
 * argument. */
static void meta(struct bt_json *c, cJSON *events, const char *what, int pid,
		 int tid, const char *key, const char *str, double num)
{
	cJSON *ev = event(c, events, what, "M", pid, tid), *a;
	a = ev ? bt_json_add(c, ev, "args", cJSON_CreateObject()) : NULL;
	if (a && str)
		bt_json_str(c, a, key, str);
	else if (a)
		bt_json_num(c, a, key, num);
}

static void lane_name(struct bt_json *c, cJSON *events, int pid, int tid,
		      const char *name)
{
	meta(c, events, "thread_name", pid, tid, "name", name, 0);
	meta(c, events, "thread_sort_index", pid, tid, "sort_index", NULL, tid);
}

void bt_graph_chrome(struct bt_json *c, cJSON *events, const struct bt_build *b,
		     const struct bt_graph_report *g, int pid, int tid)
{
	const struct bt_utilization *u;
	char label[400], name[450];
	if (!g)
		return;
	u = &g->util;
	meta(c, events, "process_name", pid, -1, "name",
	     "critical path and cores", 0);
	meta(c, events, "process_sort_index", pid, -1, "sort_index", NULL, 0);
	lane_name(c, events, pid, tid, "critical path");
	for (size_t k = 0; k < g->path.n_path && !c->failed; k++) {
		size_t i = g->path.path[k];
		const struct bt_cp_unit *cu = &g->path.units[i];
		cJSON *a;
		unit_label(b, i, label, sizeof(label));
		a = span(c, events, label, "critical_path", b->units[i].start_s,
			 b->units[i].wall_s, pid, tid);
		if (!a)
			break;
		unit_label(b, cu->waited_for, name, sizeof(name));
		bt_json_str(c, a, "waited_for", name);
		bt_json_num(c, a, "slack_s", r3(cu->slack_s));
	}
	lane_name(c, events, pid, tid + 1, "idle cores");
	for (size_t k = 0; k < u->n_periods && !c->failed; k++) {
		const struct bt_idle_period *p = &u->periods[k];
		cJSON *a;
		unit_label(b, p->waiting_for, label, sizeof(label));
		snprintf(name, sizeof(name), "%.1f of %d cores busy", p->busy,
			 u->cores);
		a = span(c, events, name, "idle_cores", p->start_s,
			 p->end_s - p->start_s, pid, tid + 1);
		if (a)
			bt_json_str(c, a, "waiting_for", label);
	}
	/* the chart: CPUs busy and idle, a counter track */
	for (int k = 0; u->bucket_s > 0 && k <= BT_UTIL_BUCKETS && !c->failed;
	     k++) {
		double busy = k < BT_UTIL_BUCKETS ? u->busy[k] : 0;
		cJSON *ev = event(c, events, "CPUs", "C", pid, -1), *a;
		if (!ev)
			break;
		bt_json_num(c, ev, "ts",
			    round((u->first_s + k * u->bucket_s) * 1e6));
		a = bt_json_add(c, ev, "args", cJSON_CreateObject());
		if (!a)
			break;
		bt_json_num(c, a, "busy", r3(busy));
		bt_json_num(c, a, "idle",
			    r3(busy < u->cores ? u->cores - busy : 0));
	}
}
