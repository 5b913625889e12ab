/* experiment_json.c - experiment.json (experiment.h: exp_write_json),
 * through output/json_out.h.  Format "btrace-experiment", version 4:
 * the command, the rounds, each config's builds and its measured saving
 * beside the estimate (docs/estimation.md), and what failed; recommend.c
 * reads a measured linker-mold back from it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/experiment.h"
#include "output/json_out.h"

static double r3(double x)
{
	return round(x * 1e3) / 1e3;
}

static double r2(double x)
{
	return round(x * 1e2) / 1e2;
}

/* V rounded to 3 places into the array A, or null if it is not a number
 * (a round not measured). */
static void num_or_null(struct bt_json *j, cJSON *a, double v)
{
	if (isfinite(v))
		bt_json_num(j, a, NULL, r3(v));
	else
		bt_json_add(j, a, NULL, cJSON_CreateNull());
}

/* O.KEY = [the runs R (1-based) with FLAGS[R-1] set], and O.WHY_KEY =
 * WHY, the first one's reason; nothing if no run is flagged. */
static void runs_json(struct bt_json *j, cJSON *o, const char *key,
		      const unsigned char *flags, int runs, const char *why_key,
		      const char *why)
{
	cJSON *a = NULL;
	for (int r = 0; r < runs; r++) {
		if (!flags[r])
			continue;
		if (!a && !(a = bt_json_add(j, o, key, cJSON_CreateArray())))
			return;
		bt_json_num(j, a, NULL, r + 1);
	}
	if (a)
		bt_json_str(j, o, why_key, why);
}

/* O.KEY = [LO, HI], a median's 95% interval, or null if the rounds were
 * too few for one. */
static void ci_json(struct bt_json *j, cJSON *o, const char *key, double lo,
		    double hi)
{
	cJSON *a;
	if (!isfinite(lo) || !isfinite(hi)) {
		bt_json_add(j, o, key, cJSON_CreateNull());
		return;
	}
	if ((a = bt_json_add(j, o, key, cJSON_CreateArray()))) {
		bt_json_num(j, a, NULL, r3(lo));
		bt_json_num(j, a, NULL, r3(hi));
	}
}

/* O.KEY = {method, rounds, cpu_s, cpu_s_min, ..., wall_pct}. */
static cJSON *measured_json(struct bt_json *j, cJSON *o, const char *key,
			    const char *method, struct bt_saving sc,
			    struct bt_saving sw, double base_cpu,
			    double base_wall)
{
	cJSON *m = bt_json_add(j, o, key, cJSON_CreateObject());
	if (!m)
		return NULL;
	bt_json_str(j, m, "method", method);
	bt_json_num(j, m, "rounds", sc.n);
	bt_json_num(j, m, "cpu_s", r3(sc.med));
	bt_json_num(j, m, "cpu_s_min", r3(sc.lo));
	bt_json_num(j, m, "cpu_s_max", r3(sc.hi));
	ci_json(j, m, "cpu_s_ci", sc.ci_lo, sc.ci_hi);
	bt_json_num(j, m, "cpu_pct", r2(100 * sc.med / base_cpu));
	bt_json_num(j, m, "wall_s", r3(sw.med));
	bt_json_num(j, m, "wall_s_min", r3(sw.lo));
	bt_json_num(j, m, "wall_s_max", r3(sw.hi));
	ci_json(j, m, "wall_s_ci", sw.ci_lo, sw.ci_hi);
	bt_json_num(j, m, "wall_pct", r2(100 * sw.med / base_wall));
	return m;
}

int exp_write_json(const char *dir, char **cmd, int n_cmd,
		   const struct exp_config *cs, int n_cs, int runs, int scaled,
		   const char *touch, const char *base_linker,
		   const struct bt_recommendations *recs)
{
	struct bt_json j = {0};
	cJSON *root = cJSON_CreateObject(), *a, *opts;
	const struct bt_rounds *base = &cs[0].rounds;
	double base_cpu = bt_median(base->cpu, runs);
	double base_wall = bt_median(base->wall, runs);
	char *path = NULL;
	FILE *f = NULL;
	int fd, rc = -1;

	if (!root)
		return -1;
	bt_json_str(&j, root, "format", "btrace-experiment");
	bt_json_num(&j, root, "version", 4);
	a = bt_json_add(&j, root, "command", cJSON_CreateArray());
	for (int i = 0; a && i < n_cmd; i++)
		bt_json_str(&j, a, NULL, cmd[i]);
	bt_json_num(&j, root, "runs", runs);
	bt_json_bool(&j, root, "scaled", scaled);
	if (touch)
		bt_json_str(&j, root, "touch", touch);
	else
		bt_json_add(&j, root, "touch", cJSON_CreateNull());
	if (base_linker[0])
		bt_json_str(&j, root, "baseline_linker", base_linker);
	else
		bt_json_add(&j, root, "baseline_linker", cJSON_CreateNull());
	/* the options not measured, with the traced baseline's reason */
	a = bt_json_add(&j, root, "not_measured", cJSON_CreateArray());
	for (size_t i = 0; a && i < recs->n; i++) {
		int measured = 0;
		cJSON *o;
		for (int c = 1; c < n_cs && !measured; c++)
			measured = cs[c].option == (int)recs->items[i].option;
		if (measured ||
		    !(o = bt_json_add(&j, a, NULL, cJSON_CreateObject())))
			continue;
		bt_json_str(&j, o, "id", recs->items[i].id);
		bt_json_str(&j, o, "reason", recs->items[i].reason);
		bt_json_num(&j, o, "estimate_cpu_pct",
			    r2(recs->items[i].estimate.cpu_pct));
		bt_json_num(&j, o, "estimate_wall_pct",
			    r2(recs->items[i].estimate.wall_pct));
	}
	opts = bt_json_add(&j, root, "configs", cJSON_CreateArray());
	for (int c = 0; opts && c < n_cs; c++) {
		cJSON *o = bt_json_add(&j, opts, NULL, cJSON_CreateObject());
		cJSON *w, *u, *fr = NULL, *ov, *m, *e;
		struct bt_saving sw, sc;
		if (!o)
			break;
		bt_json_str(&j, o, "id", cs[c].name);
		ov = bt_json_add(&j, o, "config", cJSON_CreateArray());
		for (int k = 0; ov && k < cs[c].n_overrides; k++)
			bt_json_str(&j, ov, NULL, cs[c].overrides[k]);
		bt_json_bool(&j, o, "failed", cs[c].failed);
		if (cs[c].failed) {
			bt_json_str(&j, o, "failure_kind",
				    exp_fail_name(cs[c].fail_kind));
			bt_json_str(&j, o, "failure", cs[c].failure);
		}
		runs_json(&j, o, "retried_runs", cs[c].retried, runs,
			  "retry_failure", cs[c].retry_why);
		runs_json(&j, o, "unanalyzed_runs", cs[c].unanalyzed, runs,
			  "analysis_failure", cs[c].analysis_why);
		w = bt_json_add(&j, o, "wall_s", cJSON_CreateArray());
		u = bt_json_add(&j, o, "cpu_s", cJSON_CreateArray());
		if (scaled)
			fr = bt_json_add(&j, o, "frontend_s",
					 cJSON_CreateArray());
		for (int r = 0; w && u && r < runs; r++) {
			num_or_null(&j, w, cs[c].rounds.wall[r]);
			num_or_null(&j, u, cs[c].rounds.cpu[r]);
			if (fr && isfinite(cs[c].rounds.front[r]))
				bt_json_num(&j, fr, NULL,
					    r3(cs[c].rounds.front[r]));
			else if (fr)
				bt_json_add(&j, fr, NULL, cJSON_CreateNull());
		}
		if (!c || cs[c].failed)
			continue;
		sc = bt_saving(base, &cs[c].rounds, runs, BT_MEASURE_CPU,
			       scaled);
		sw = bt_saving(base, &cs[c].rounds, runs, BT_MEASURE_WALL,
			       scaled);
		m = measured_json(&j, o, "measured",
				  scaled ? "frontend-scaled" : "plain", sc, sw,
				  base_cpu, base_wall);
		if (scaled)
			measured_json(&j, o, "measured_plain", "plain",
				      bt_saving(base, &cs[c].rounds, runs,
						BT_MEASURE_CPU, 0),
				      bt_saving(base, &cs[c].rounds, runs,
						BT_MEASURE_WALL, 0),
				      base_cpu, base_wall);
		e = bt_json_add(&j, o, "estimate", cJSON_CreateObject());
		if (e) {
			bt_json_num(&j, e, "cpu_s", r3(cs[c].estimate.cpu_s));
			bt_json_num(&j, e, "cpu_pct",
				    r2(cs[c].estimate.cpu_pct));
			bt_json_num(&j, e, "wall_s", r3(cs[c].estimate.wall_s));
			bt_json_num(&j, e, "wall_pct",
				    r2(cs[c].estimate.wall_pct));
			bt_json_str(&j, e, "method", cs[c].estimate.method);
		}
		e = m ? bt_json_add(&j, o, "error_pct", cJSON_CreateObject())
		      : NULL;
		if (e) {
			double ec = bt_error_pct(cs[c].estimate.cpu_pct,
						 100 * sc.med / base_cpu);
			double ew = bt_error_pct(cs[c].estimate.wall_pct,
						 100 * sw.med / base_wall);
			if (isfinite(ec))
				bt_json_num(&j, e, "cpu", r2(ec));
			if (isfinite(ew))
				bt_json_num(&j, e, "wall", r2(ew));
		}
	}
	if (j.failed || asprintf(&path, "%s/experiment.json", dir) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	rc = bt_json_write(root, f, 1);
	if (fclose(f) != 0)
		rc = -1;
out:
	if (rc < 0)
		fprintf(stderr, "btrace experiment: cannot write %s: %s\n",
			path ? path : "experiment.json", strerror(errno));
	else
		fprintf(stderr, "btrace experiment: wrote %s\n", path);
	free(path);
	cJSON_Delete(root);
	return rc;
}
