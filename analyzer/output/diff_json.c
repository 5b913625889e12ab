/* diff_json.c - btrace diff --format json: the whole comparison, for
 * scripts and CI.  docs/diff.md describes every field.
 *
 * Each change is an object: the two sides' means and spreads (seconds),
 * delta, pct (null from a base of 0), noise (null when unknown) and
 * verdict ("changed", "within noise", "significance unknown"). */
#include <math.h>

#include "output/diff_writer.h"
#include "output/json_out.h"

#define DIFF_JSON_VERSION 1

static void put_s(struct bt_json *j, cJSON *o, const char *key, double v)
{
	bt_json_num(j, o, key, round(v * 1e6) / 1e6);
}

static void put_change(struct bt_json *j, cJSON *parent, const char *key,
		       const struct bt_change *c)
{
	cJSON *o = bt_json_add(j, parent, key, cJSON_CreateObject());
	if (!o)
		return;
	put_s(j, o, "base", c->base.mean);
	put_s(j, o, "new", c->new_.mean);
	put_s(j, o, "base_sd", c->base.sd);
	put_s(j, o, "new_sd", c->new_.sd);
	put_s(j, o, "delta", c->delta);
	if (c->base.mean > 0)
		bt_json_num(j, o, "pct", round(c->pct * 100) / 100);
	else
		bt_json_add(j, o, "pct", cJSON_CreateNull());
	if (c->signif != BT_SIGNIF_UNKNOWN)
		put_s(j, o, "noise", c->noise);
	else
		bt_json_add(j, o, "noise", cJSON_CreateNull());
	bt_json_str(j, o, "verdict", bt_signif_name(c->signif));
}

static void put_quantities(struct bt_json *j, cJSON *o,
			   const struct bt_change *q)
{
	cJSON *cats;

	put_change(j, o, "wall", &q[BT_Q_WALL]);
	put_change(j, o, "cpu", &q[BT_Q_CPU]);
	cats = bt_json_add(j, o, "categories", cJSON_CreateObject());
	for (int k = 0; cats && k < BT_CAT_MAX; k++)
		put_change(j, cats, bt_category_name(k), &q[BT_Q_CAT0 + k]);
}

static int write_json(const struct bt_comparison *c, FILE *f)
{
	struct bt_json j = {0};
	cJSON *root = cJSON_CreateObject(), *o, *a;
	int rc = -1;

	if (!root)
		return -1;
	/* After a failed add (out of memory) the object is NULL: nothing is
	 * added to it, and j.failed stops the writing. */
	bt_json_num(&j, root, "btrace_diff", DIFF_JSON_VERSION);
	o = bt_json_add(&j, root, "builds", cJSON_CreateObject());
	if (o) {
		bt_json_num(&j, o, "base", (double)c->n_builds[0]);
		bt_json_num(&j, o, "new", (double)c->n_builds[1]);
	}
	o = bt_json_add(&j, root, "commands", cJSON_CreateObject());
	if (o) {
		bt_json_str(&j, o, "base", c->command[0]);
		bt_json_str(&j, o, "new", c->command[1]);
	}
	bt_json_str(&j, root, "significance",
		    c->n_builds[0] > 1 && c->n_builds[1] > 1 ? "student-t-99"
							     : "unknown");
	o = bt_json_add(&j, root, "build", cJSON_CreateObject());
	if (o)
		put_quantities(&j, o, c->build);
	a = bt_json_add(&j, root, "settings_changed", cJSON_CreateArray());
	for (size_t i = 0; a && i < c->n_settings; i++) {
		const struct bt_cmp_setting *s = &c->settings[i];
		o = bt_json_add(&j, a, NULL, cJSON_CreateObject());
		if (!o)
			break;
		bt_json_str(&j, o, "setting", s->name);
		bt_json_str(&j, o, "from", s->from);
		bt_json_str(&j, o, "to", s->to);
		bt_json_num(&j, o, "compilations", (double)s->units);
	}
	o = bt_json_add(&j, root, "unit_counts", cJSON_CreateObject());
	if (o) {
		bt_json_num(&j, o, "all", (double)c->n_units);
		bt_json_num(&j, o, "added", (double)c->n_added);
		bt_json_num(&j, o, "removed", (double)c->n_removed);
	}
	a = bt_json_add(&j, root, "units", cJSON_CreateArray());
	for (size_t i = 0; a && i < c->n_units; i++) {
		const struct bt_cmp_unit *u = &c->units[i];
		cJSON *b;
		o = bt_json_add(&j, a, NULL, cJSON_CreateObject());
		if (!o)
			break;
		bt_json_str(&j, o, "unit", u->label);
		bt_json_str(&j, o, "package", u->package);
		bt_json_str(&j, o, "crate", u->crate);
		bt_json_str(&j, o, "target", bt_target_name(u->target));
		bt_json_str(&j, o, "kind", bt_kind_name(u->kind));
		bt_json_str(&j, o, "status",
			    bt_cmp_unit_added(u)     ? "added"
			    : bt_cmp_unit_removed(u) ? "removed"
						     : "both");
		b = bt_json_add(&j, o, "builds", cJSON_CreateObject());
		if (b) {
			bt_json_num(&j, b, "base", (double)u->builds[0]);
			bt_json_num(&j, b, "new", (double)u->builds[1]);
		}
		put_quantities(&j, o, u->q);
	}
	a = bt_json_add(&j, root, "notes", cJSON_CreateArray());
	for (size_t i = 0; a && i < c->n_notes; i++)
		bt_json_add(&j, a, NULL, cJSON_CreateString(c->notes[i]));
	if (!j.failed)
		rc = bt_json_write(root, f, 1);
	cJSON_Delete(root);
	return rc;
}

const struct bt_diff_writer bt_diff_writer_json = {
    .file = "diff.json",
    .what = "the whole comparison as JSON",
    .write = write_json,
};
