/* chrome_trace.c - trace.json, the build on a timeline for Perfetto
 * (ui.perfetto.dev) and chrome://tracing.
 *
 * The Chrome trace event format's JSON object form: complete events
 * ("ph": "X", microseconds) for process spans, metadata events ("ph": "M")
 * naming the build and its lanes.  Each process gets a lane (a "thread"
 * of one trace process) free at its start, lowest first, so there are as
 * many lanes as processes ever ran at once and nothing overlaps.  A
 * process with no end runs to the end of the trace, is named "[no end]"
 * and carries "gap": true, with an instant event where its record stops.
 *
 * cJSON ownership: children are attached at once (json_out.h), the root's
 * delete frees all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/json_out.h"
#include "output/graph_out.h"
#include "output/writer.h"

#define BUILD_PID 1

static double us(double s)
{
	return round(s * 1e6);
}

/* Lane of each node: greedy interval colouring in start order. */
static int assign_lanes(const struct bt_build *b, int *lane, int *n_lanes)
{
	double *busy_until = calloc(b->n_nodes + 1, sizeof(*busy_until));
	int lanes = 0;
	if (!busy_until)
		return -1;
	/* nodes are in start order (the reader sorts processes) */
	for (size_t i = 0; i < b->n_nodes; i++) {
		const struct bt_node *n = &b->nodes[i];
		int l = 0;
		while (l < lanes && busy_until[l] > n->start_s)
			l++;
		if (l == lanes)
			lanes++;
		busy_until[l] =
		    n->end_s > n->start_s ? n->end_s : n->start_s + 1e-6;
		lane[i] = l;
	}
	*n_lanes = lanes;
	free(busy_until);
	return 0;
}

static void span_name(const struct bt_node *n, char *buf, size_t cap)
{
	char label[400];
	if (n->unit && n->kind != BT_KIND_LINKER) {
		bt_unit_label(n->unit, label, sizeof(label));
		snprintf(buf, cap, "%s%s", label, n->no_end ? " [no end]" : "");
	} else if (n->kind == BT_KIND_LINKER && n->unit) {
		snprintf(buf, cap, "link %s: %s%s", n->unit->crate, n->name,
			 n->no_end ? " [no end]" : "");
	} else if (n->kind == BT_KIND_RUSTC_PROBE) {
		snprintf(buf, cap, "rustc probe%s",
			 n->no_end ? " [no end]" : "");
	} else {
		snprintf(buf, cap, "%s%s", n->name,
			 n->no_end ? " [no end]" : "");
	}
}

static void put_args(struct bt_json *c, cJSON *ev, const struct bt_node *n)
{
	cJSON *args = bt_json_add(c, ev, "args", cJSON_CreateObject()), *argv;
	if (!args)
		return;
	bt_json_num(c, args, "pid", n->pid);
	bt_json_num(c, args, "ppid", n->ppid);
	bt_json_str(c, args, "kind", bt_kind_name(n->kind));
	bt_json_str(c, args, "exe", n->exe);
	argv = bt_json_add(c, args, "argv", cJSON_CreateArray());
	for (uint32_t i = 0; argv && i < n->argc; i++)
		bt_json_str(c, argv, NULL, n->argv[i]);
	if (n->argc_before_cut)
		bt_json_num(c, args, "argc_before_cut", n->argc_before_cut);
	bt_json_str(c, args, "cwd", n->cwd);
	bt_json_num(c, args, "cpu_s", round(n->cpu_s * 1e6) / 1e6);
	bt_json_num(c, args, "max_rss_kib", (double)n->max_rss_kib);
	if (n->no_end)
		bt_json_add(c, args, "gap", cJSON_CreateTrue());
	else if (n->signal)
		bt_json_num(c, args, "signal", n->signal);
	else if (n->exit_code >= 0)
		bt_json_num(c, args, "exit", n->exit_code);
	if (n->unit && n->kind != BT_KIND_LINKER) {
		const struct bt_unit *u = n->unit;
		bt_json_str(c, args, "package", u->package);
		bt_json_str(c, args, "version", u->version);
		bt_json_str(c, args, "target", bt_target_name(u->target));
		if (u->has_flags) {
			const struct bt_rustc_flags *f = &u->flags;
			cJSON *fl =
			    bt_json_add(c, args, "flags", cJSON_CreateObject());
			if (fl) {
				bt_json_str(c, fl, "debuginfo", f->debuginfo);
				bt_json_str(c, fl, "opt_level", f->opt_level);
				bt_json_str(c, fl, "codegen_backend",
					    f->codegen_backend);
				bt_json_num(c, fl, "codegen_units",
					    f->codegen_units);
				bt_json_add(c, fl, "incremental",
					    cJSON_CreateBool(f->incremental));
				bt_json_str(c, fl, "linker",
					    f->linker[0] ? f->linker : "cc");
			}
			bt_json_num(c, args, "link_wall_s",
				    round(u->link_wall_s * 1e6) / 1e6);
		}
	}
}

static void metadata(struct bt_json *c, cJSON *events, const char *what,
		     int tid, const char *key, cJSON *value)
{
	cJSON *ev = bt_json_add(c, events, NULL, cJSON_CreateObject()), *args;
	if (!ev) {
		cJSON_Delete(value);
		return;
	}
	bt_json_str(c, ev, "name", what);
	bt_json_str(c, ev, "ph", "M");
	bt_json_num(c, ev, "pid", BUILD_PID);
	if (tid >= 0)
		bt_json_num(c, ev, "tid", tid);
	args = bt_json_add(c, ev, "args", cJSON_CreateObject());
	if (args)
		bt_json_add(c, args, key, value);
	else
		cJSON_Delete(value);
}

static int write_chrome_trace(const struct bt_report *r, FILE *f)
{
	const struct bt_build *b = r->build;
	const struct bt_session *s = &b->session;
	struct bt_json c = {0};
	cJSON *root = cJSON_CreateObject(), *events, *other, *w;
	int *lane = calloc(b->n_nodes + 1, sizeof(*lane)), n_lanes = 0;
	char title[512] = "build", name[600];
	int rc = -1;

	if (!root || !lane || assign_lanes(b, lane, &n_lanes) < 0)
		goto out;
	if (s->known) {
		size_t l = 0;
		for (size_t i = 0; i < s->argc && l < sizeof(title); i++)
			l += (size_t)snprintf(title + l, sizeof(title) - l,
					      "%s%s", i ? " " : "",
					      s->command[i]);
	}
	bt_json_str(&c, root, "displayTimeUnit", "ms");
	events = bt_json_add(&c, root, "traceEvents", cJSON_CreateArray());
	if (!events)
		goto out;
	metadata(&c, events, "process_name", -1, "name",
		 cJSON_CreateString(title));
	for (int l = 0; l < n_lanes; l++) {
		char lname[32];
		snprintf(lname, sizeof(lname), "lane %d", l + 1);
		metadata(&c, events, "thread_name", l + 1, "name",
			 cJSON_CreateString(lname));
		metadata(&c, events, "thread_sort_index", l + 1, "sort_index",
			 cJSON_CreateNumber(l + 1));
	}
	for (size_t i = 0; i < b->n_nodes && !c.failed; i++) {
		const struct bt_node *n = &b->nodes[i];
		cJSON *ev = bt_json_add(&c, events, NULL, cJSON_CreateObject());
		if (!ev)
			break;
		span_name(n, name, sizeof(name));
		bt_json_str(&c, ev, "name", name);
		bt_json_str(&c, ev, "cat", bt_kind_name(n->kind));
		bt_json_str(&c, ev, "ph", "X");
		bt_json_num(&c, ev, "ts", us(n->start_s));
		bt_json_num(&c, ev, "dur", us(n->end_s - n->start_s));
		bt_json_num(&c, ev, "pid", BUILD_PID);
		bt_json_num(&c, ev, "tid", lane[i] + 1);
		if (n->no_end)
			bt_json_str(&c, ev, "cname", "terrible");
		put_args(&c, ev, n);
		if (n->unit && n->kind != BT_KIND_LINKER &&
		    bt_graph_on_path(b, r->graph, n->unit))
			bt_json_bool(&c, cJSON_GetObjectItem(ev, "args"),
				     "critical_path", 1);
		if (n->no_end) {
			/* Where the record of this process stops. */
			cJSON *gap =
			    bt_json_add(&c, events, NULL, cJSON_CreateObject());
			if (!gap)
				break;
			bt_json_str(&c, gap, "name", "gap: no end recorded");
			bt_json_str(&c, gap, "ph", "i");
			bt_json_str(&c, gap, "s", "t");
			bt_json_num(&c, gap, "ts", us(n->end_s));
			bt_json_num(&c, gap, "pid", BUILD_PID);
			bt_json_num(&c, gap, "tid", lane[i] + 1);
		}
	}
	bt_graph_chrome(&c, events, b, r->graph, BUILD_PID + 1, 1);
	other = bt_json_add(&c, root, "otherData", cJSON_CreateObject());
	if (other) {
		bt_json_str(&c, other, "producer", "btrace");
		bt_json_str(&c, other, "version",
			    s->known ? s->btrace_version : NULL);
		bt_json_add(&c, other, "complete",
			    cJSON_CreateBool(b->complete));
		w = bt_json_add(&c, other, "warnings", cJSON_CreateArray());
		for (size_t i = 0; w && i < b->n_warnings; i++)
			bt_json_str(&c, w, NULL, b->warnings[i]);
	}
	if (c.failed)
		goto out;
	rc = bt_json_write(root, f, 0);
out:
	free(lane);
	cJSON_Delete(root);
	return rc;
}

const struct bt_report_writer bt_writer_chrome_trace = {
    .file = "trace.json",
    .what = "the build on a timeline (ui.perfetto.dev, chrome://tracing)",
    .write = write_chrome_trace,
};
