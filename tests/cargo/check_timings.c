/* check_timings.c - compare btrace's units with cargo's own timings.
 *
 *   check_timings CARGO_TIMING_HTML SUMMARY_JSON [MIN_FRACTION [MS [PCT]]]
 *
 * cargo build --timings writes cargo-timing.html with a UNIT_DATA array:
 * each unit cargo ran, with its package, version, target and duration
 * (seconds, rounded to 0.01).  This pairs every one of them with a unit
 * of summary.json (package, version and target kind; among equals, the
 * closest duration), prints the table, and fails unless every cargo unit
 * has a partner and at least MIN_FRACTION (default 0.95) of them have a
 * wall_s within max(PCT % (default 2), MS ms (default 20)) of cargo's
 * duration.  The last line is machine-readable:
 *   timings: N units, M within max(P%, Q ms), fraction F, worst D ms
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"

/* cargo's target string -> summary.json's target kind, "" meaning lib or
 * proc-macro (cargo prints nothing for a package's library target). */
static const char *cargo_kind(const char *target)
{
	while (*target == ' ')
		target++;
	if (!strcmp(target, "build-script (run)"))
		return "build-script-run";
	if (!strcmp(target, "build-script"))
		return "build-script";
	/* `bin "app"` or `app "bin"`, depending on cargo's version */
	if (!strncmp(target, "bin", 3) || strstr(target, "\"bin\""))
		return "bin";
	if (!strncmp(target, "test", 4) || strstr(target, "\"test\"") ||
	    strstr(target, "(test)"))
		return "test";
	if (!*target)
		return "";
	return "other";
}

static int kind_matches(const char *cargo, const char *ours)
{
	if (!*cargo)
		return !strcmp(ours, "lib") || !strcmp(ours, "proc-macro");
	return !strcmp(cargo, ours);
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int main(int argc, char **argv)
{
	double min_fraction = argc > 3 ? atof(argv[3]) : 0.95;
	double tol_ms = argc > 4 ? atof(argv[4]) : 20;
	double tol_pct = argc > 5 ? atof(argv[5]) : 2;
	char *html, *json, *start, *end;
	cJSON *cargo, *summary, *units, *cu;
	int n = 0, within = 0, unmatched = 0, n_ours;
	double worst = 0;
	char *used;

	if (argc < 3) {
		fprintf(stderr, "usage: check_timings CARGO_TIMING_HTML "
				"SUMMARY_JSON [MIN_FRACTION [MS [PCT]]]\n");
		return 2;
	}
	html = slurp(argv[1]);
	json = slurp(argv[2]);
	if (!html || !json) {
		fprintf(stderr, "check_timings: cannot read %s\n",
			html ? argv[2] : argv[1]);
		return 2;
	}
	start = strstr(html, "const UNIT_DATA = ");
	end = start ? strstr(start, "\n];") : NULL;
	if (!start || !end) {
		fprintf(stderr, "check_timings: no UNIT_DATA in %s\n", argv[1]);
		return 2;
	}
	start += strlen("const UNIT_DATA = ");
	end[2] = 0;
	cargo = cJSON_Parse(start);
	summary = cJSON_Parse(json);
	units = cJSON_GetObjectItemCaseSensitive(summary, "units");
	if (!cJSON_IsArray(cargo) || !cJSON_IsArray(units)) {
		fprintf(stderr, "check_timings: unparsable UNIT_DATA or "
				"summary.json\n");
		return 2;
	}
	n_ours = cJSON_GetArraySize(units);
	used = calloc((size_t)n_ours + 1, 1);
	printf("%-28s %-18s %9s %9s %8s\n", "package", "target", "cargo",
	       "btrace", "diff");
	cJSON_ArrayForEach(cu, cargo)
	{
		const char *name = str_of(cu, "name");
		const char *version = str_of(cu, "version");
		const char *kind = cargo_kind(str_of(cu, "target"));
		double dur = num_of(cu, "duration");
		int best = -1, i = 0;
		double best_d = INFINITY, wall, diff, bound;
		const cJSON *ou;

		n++;
		cJSON_ArrayForEach(ou, units)
		{
			double d = fabs(num_of(ou, "wall_s") - dur);
			if (!used[i] && !strcmp(str_of(ou, "package"), name) &&
			    !strcmp(str_of(ou, "version"), version) &&
			    kind_matches(kind, str_of(ou, "target")) &&
			    d < best_d) {
				best = i;
				best_d = d;
			}
			i++;
		}
		if (best < 0) {
			printf("%-28s %-18s %8.2fs  MISSING in summary.json\n",
			       name, *kind ? kind : "lib", dur);
			unmatched++;
			continue;
		}
		used[best] = 1;
		wall = num_of(cJSON_GetArrayItem(units, best), "wall_s");
		diff = fabs(wall - dur) * 1e3;
		/* cargo rounds to 10 ms; the bound stays as given */
		bound = fmax(tol_pct / 100 * dur * 1e3, tol_ms);
		within += diff <= bound;
		if (diff > worst)
			worst = diff;
		printf("%-28s %-18s %8.2fs %8.3fs %6.0fms%s\n", name,
		       *kind ? kind : "lib", dur, wall, diff,
		       diff <= bound ? "" : "  OUT");
	}
	printf("timings: %d units, %d within max(%g%%, %g ms), fraction "
	       "%.3f, worst %.0f ms, %d missing\n",
	       n, within, tol_pct, tol_ms, n ? (double)within / n : 0.0, worst,
	       unmatched);
	if (!n || unmatched || (double)within / n < min_fraction) {
		fprintf(stderr,
			"FAIL: %d of %d units missing, %d within the "
			"bound (want a fraction of %g)\n",
			unmatched, n, within, min_fraction);
		return 1;
	}
	free(used);
	cJSON_Delete(cargo);
	cJSON_Delete(summary);
	free(html);
	free(json);
	return 0;
}
