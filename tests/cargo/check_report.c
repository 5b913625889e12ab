/* check_report.c - check what btrace report wrote for a known build.
 *
 *   check_report example REPORT_DIR   a whole build of hello-workspace
 *   check_report killed REPORT_DIR    a build killed half-way
 *
 * example: summary.json has the format header, a complete session whose
 * wall and CPU are positive, exactly the six units the workspace has
 * (stats lib, greet lib, greet build-script and its run, shout-macro
 * proc-macro, app bin) with their flags (debuginfo 2 in the dev profile,
 * opt-level 0, llvm, incremental), link time for the three that link and
 * none for the libs; trace.json parses, names the build and its lanes,
 * has one span per process and no two spans overlapping in a lane, and
 * (in a trace process of its own) the critical path's units;
 * summary.txt names the slowest unit first.
 *
 * killed: session.complete is false with warnings, at least one unit and
 * one trace.json span are marked as a gap, and summary.txt says
 * INCOMPLETE. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include "check.h"

static const cJSON *get(const cJSON *o, const char *path)
{
	char key[128];
	while (o && *path) {
		const char *dot = strchr(path, '.');
		size_t l = dot ? (size_t)(dot - path) : strlen(path);
		snprintf(key, sizeof(key), "%.*s", (int)l, path);
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += l + (dot ? 1 : 0);
	}
	return o;
}

static const char *gets_(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);
	return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static double getn(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *find_unit(const cJSON *units, const char *crate,
			      const char *target)
{
	const cJSON *u, *found = NULL;
	int n = 0;
	cJSON_ArrayForEach(u, units)
	{
		if (!strcmp(gets_(u, "crate"), crate) &&
		    !strcmp(gets_(u, "target"), target)) {
			found = u;
			n++;
		}
	}
	CHECK(n == 1, "%d units %s %s in summary.json, want 1", n, crate,
	      target);
	return n == 1 ? found : NULL;
}

/* trace.json: metadata naming the build and lanes, spans that do not
 * overlap within a lane; returns the number of the build's (trace process
 * 1) spans and of gaps, and of the critical path's spans (the other trace
 * process, issue 17). */
static void check_chrome(const char *dir, int *spans, int *gaps,
			 int *path_spans)
{
	char *text = slurp_at(dir, "trace.json");
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	const cJSON *ev, *events = get(root, "traceEvents");
	int lanes_named = 0, build_named = 0, max_tid = 0;
	struct span {
		int tid;
		double ts, dur;
	} *sp = NULL;
	int n = 0;

	*spans = *gaps = *path_spans = 0;
	CHECK(cJSON_IsArray(events), "trace.json has no traceEvents array");
	if (!cJSON_IsArray(events))
		goto out;
	sp = calloc((size_t)cJSON_GetArraySize(events) + 1, sizeof(*sp));
	cJSON_ArrayForEach(ev, events)
	{
		const char *ph = gets_(ev, "ph"), *name = gets_(ev, "name");
		if (getn(ev, "pid") != 1) {
			/* the critical path and cores (issue 17) */
			*path_spans +=
			    !strcmp(ph, "X") &&
			    !strcmp(gets_(ev, "cat"), "critical_path");
			continue;
		}
		if (!strcmp(ph, "M")) {
			build_named += !strcmp(name, "process_name") &&
				       strstr(gets_(ev, "args.name"), "cargo");
			lanes_named += !strcmp(name, "thread_name");
		} else if (!strcmp(ph, "X")) {
			sp[n].tid = (int)getn(ev, "tid");
			sp[n].ts = getn(ev, "ts");
			sp[n].dur = getn(ev, "dur");
			CHECK(sp[n].tid >= 1 && sp[n].ts >= 0 && sp[n].dur >= 0,
			      "span %s: tid %d ts %g dur %g", name, sp[n].tid,
			      sp[n].ts, sp[n].dur);
			CHECK(cJSON_IsArray(get(ev, "args.argv")) &&
				  cJSON_IsNumber(get(ev, "args.pid")),
			      "span %s has no argv or pid in args", name);
			if (sp[n].tid > max_tid)
				max_tid = sp[n].tid;
			*gaps += cJSON_IsTrue(get(ev, "args.gap")) &&
				 strstr(name, "[no end]") != NULL;
			n++;
		}
	}
	CHECK(build_named == 1, "trace.json does not name the build");
	CHECK(lanes_named == max_tid, "%d lanes named, %d used", lanes_named,
	      max_tid);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			CHECK(sp[i].tid != sp[j].tid ||
				  sp[i].ts + sp[i].dur <= sp[j].ts + 1 ||
				  sp[j].ts + sp[j].dur <= sp[i].ts + 1,
			      "spans %d and %d overlap in lane %d", i, j,
			      sp[i].tid);
	*spans = n;
out:
	free(sp);
	cJSON_Delete(root);
	free(text);
}

static void check_example(const char *dir)
{
	char *text = slurp_at(dir, "summary.json"),
	     *txt = slurp_at(dir, "summary.txt");
	cJSON *s = text ? cJSON_Parse(text) : NULL;
	const cJSON *units = get(s, "units");
	static const char *const want[][2] = {
	    {"stats", "lib"},
	    {"greet", "lib"},
	    {"build_script_build", "build-script"},
	    {"build_script_build", "build-script-run"},
	    {"shout_macro", "proc-macro"},
	    {"app", "bin"},
	};
	const cJSON *u;
	double slowest = 0;
	const char *slowest_pkg = "";
	int spans, gaps, path_spans;

	CHECK(s != NULL, "summary.json missing or unparsable");
	CHECK(txt != NULL, "summary.txt missing");
	if (!s || !txt)
		return;
	CHECK(!strcmp(gets_(s, "format"), "btrace-summary") &&
		  getn(s, "version") == 1,
	      "format header: %s %g", gets_(s, "format"), getn(s, "version"));
	CHECK(cJSON_IsTrue(get(s, "session.complete")),
	      "session.complete is not true");
	CHECK(cJSON_GetArraySize(get(s, "session.warnings")) == 0,
	      "warnings in a whole build");
	CHECK(getn(s, "session.wall_s") > 0.1 && getn(s, "session.cpu_s") > 0.1,
	      "session wall %g cpu %g", getn(s, "session.wall_s"),
	      getn(s, "session.cpu_s"));
	CHECK(getn(s, "session.processes") >= 10, "%g processes",
	      getn(s, "session.processes"));
	CHECK(!strcmp(cJSON_GetArrayItem(get(s, "session.command"), 0)
			  ? cJSON_GetArrayItem(get(s, "session.command"), 0)
				->valuestring
			  : "",
		      "cargo"),
	      "session.command does not start with cargo");
	CHECK(cJSON_IsObject(get(s, "categories")) &&
		  cJSON_IsArray(get(s, "recommendations")),
	      "categories or recommendations missing");
	CHECK(cJSON_GetArraySize(units) == 6, "%d units, want 6",
	      cJSON_GetArraySize(units));
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const cJSON *x = find_unit(units, want[i][0], want[i][1]);
		int links = !strcmp(want[i][1], "bin") ||
			    !strcmp(want[i][1], "proc-macro") ||
			    !strcmp(want[i][1], "build-script");
		int compiles = strcmp(want[i][1], "build-script-run") != 0;
		if (!x)
			continue;
		CHECK(getn(x, "wall_s") > 0 && getn(x, "start_s") >= 0 &&
			  getn(x, "max_rss_kib") > 0 && getn(x, "exit") == 0,
		      "%s %s: wall %g start %g rss %g exit %g", want[i][0],
		      want[i][1], getn(x, "wall_s"), getn(x, "start_s"),
		      getn(x, "max_rss_kib"), getn(x, "exit"));
		CHECK(strcmp(gets_(x, "package"), "(none)") &&
			  !strcmp(gets_(x, "version"), "0.1.0"),
		      "%s: package %s version %s", want[i][0],
		      gets_(x, "package"), gets_(x, "version"));
		CHECK(links ? getn(x, "link_wall_s") > 0 &&
				  getn(x, "link_wall_s") < getn(x, "wall_s") &&
				  strcmp(gets_(x, "linker_used"), "(none)")
			    : getn(x, "link_wall_s") == 0,
		      "%s %s: link_wall_s %g linker_used %s", want[i][0],
		      want[i][1], getn(x, "link_wall_s"),
		      gets_(x, "linker_used"));
		if (compiles) {
			/* cargo's dev profile; build scripts get debug 0
			 * through build-override */
			const char *di =
			    !strcmp(want[i][1], "build-script") ? "0" : "2";
			CHECK(!strcmp(gets_(x, "flags.debuginfo"), di) &&
				  !strcmp(gets_(x, "flags.opt_level"), "0") &&
				  !strcmp(gets_(x, "flags.codegen_backend"),
					  "llvm") &&
				  cJSON_IsBool(get(x, "flags.incremental")),
			      "%s %s: flags debuginfo %s opt %s backend %s",
			      want[i][0], want[i][1],
			      gets_(x, "flags.debuginfo"),
			      gets_(x, "flags.opt_level"),
			      gets_(x, "flags.codegen_backend"));
		}
	}
	cJSON_ArrayForEach(u, units)
	{
		if (getn(u, "wall_s") > slowest) {
			slowest = getn(u, "wall_s");
			slowest_pkg = gets_(u, "package");
		}
	}
	{
		/* the first row under the title and the header row */
		const char *row = strstr(txt, "Slowest units"), *eol, *hit;
		row = row ? strchr(row, '\n') : NULL;
		row = row ? strchr(row + 1, '\n') : NULL;
		eol = row ? strchr(row + 1, '\n') : NULL;
		hit = row ? strstr(row + 1, slowest_pkg) : NULL;
		CHECK(hit && eol && hit < eol,
		      "summary.txt does not list %s first", slowest_pkg);
		CHECK(strstr(txt, "Settings in force") &&
			  strstr(txt, "debuginfo"),
		      "summary.txt has no settings");
	}
	check_chrome(dir, &spans, &gaps, &path_spans);
	CHECK(spans == (int)getn(s, "session.processes"),
	      "%d spans in trace.json, %g processes", spans,
	      getn(s, "session.processes"));
	CHECK(gaps == 0, "%d gaps in a whole build", gaps);
	/* the critical path: as many spans as summary.json's units */
	CHECK(path_spans > 0 && path_spans == cJSON_GetArraySize(get(
						  s, "critical_path.units")),
	      "%d critical-path spans in trace.json, %d units in summary.json",
	      path_spans, cJSON_GetArraySize(get(s, "critical_path.units")));
	cJSON_Delete(s);
	free(text);
	free(txt);
}

static void check_killed(const char *dir)
{
	char *text = slurp_at(dir, "summary.json"),
	     *txt = slurp_at(dir, "summary.txt");
	cJSON *s = text ? cJSON_Parse(text) : NULL;
	const cJSON *u;
	int gap_units = 0, spans, gaps, path_spans;

	CHECK(s && txt, "summary.json or summary.txt missing");
	if (!s || !txt)
		return;
	CHECK(cJSON_IsFalse(get(s, "session.complete")),
	      "session.complete is not false");
	CHECK(cJSON_GetArraySize(get(s, "session.warnings")) > 0,
	      "no warnings for a killed build");
	cJSON_ArrayForEach(u, get(s, "units")) gap_units +=
	    cJSON_IsFalse(get(u, "complete"));
	CHECK(strstr(txt, "INCOMPLETE TRACE") && strstr(txt, "has no end"),
	      "summary.txt does not mark the gap");
	check_chrome(dir, &spans, &gaps, &path_spans);
	CHECK(gaps > 0, "no gap marked in trace.json");
	printf("killed: %d units and %d spans marked as gaps, %d warnings\n",
	       gap_units, gaps, cJSON_GetArraySize(get(s, "session.warnings")));
	cJSON_Delete(s);
	free(text);
	free(txt);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: check_report example|killed DIR\n");
		return 2;
	}
	if (!strcmp(argv[1], "example"))
		check_example(argv[2]);
	else if (!strcmp(argv[1], "killed"))
		check_killed(argv[2]);
	else
		return 2;
	if (check_failures)
		return 1;
	printf("ok: %s report checked\n", argv[1]);
	return 0;
}
