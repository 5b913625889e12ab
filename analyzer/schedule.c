/* schedule.c - the observed unit schedule and its replay (schedule.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "trace_reader.h"

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "";
}

/* The value of a rustc option written `OPT VALUE` or `OPT=VALUE` at ARGS[*I],
 * or NULL. */
static const char *opt_value(int argc, const char *const *args, int *i,
			     const char *opt)
{
	size_t n = strlen(opt);
	if (!strcmp(args[*i], opt) && *i + 1 < argc)
		return args[++*i];
	if (!strncmp(args[*i], opt, n) && args[*i][n] == '=')
		return args[*i] + n + 1;
	return NULL;
}

/* -C extra-filename=X, written any of the ways rustc takes -C. */
static const char *extra_filename(int argc, const char *const *args)
{
	static const char key[] = "extra-filename=";
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		if (!strcmp(args[i], "-C") && i + 1 < argc)
			v = args[++i];
		else if (!strncmp(args[i], "-C", 2))
			v = args[i] + 2;
		else if (!strncmp(args[i], "--codegen=", 10))
			v = args[i] + 10;
		if (v && !strncmp(v, key, sizeof(key) - 1))
			return v + sizeof(key) - 1;
	}
	return "";
}

/* The output key of a compilation: "lib<crate><extra-filename>", the
 * stem of its .rlib/.rmeta/.so, and its --out-dir (for build scripts). */
static void output_key(const struct bt_unit *u, char *key, size_t cap,
		       const char **out_dir);

void bt_unit_output_key(const struct bt_unit *u, char *key, size_t cap)
{
	const char *out_dir;
	output_key(u, key, cap, &out_dir);
}

static void output_key(const struct bt_unit *u, char *key, size_t cap,
		       const char **out_dir)
{
	const char *const *args;
	int argc = bt_unit_args(u, &args);
	*out_dir = NULL;
	for (int i = 0; i < argc; i++) {
		const char *v = opt_value(argc, args, &i, "--out-dir");
		if (v)
			*out_dir = v;
	}
	snprintf(key, cap, "lib%s%s", u->flags.crate_name,
		 extra_filename(argc, args));
}

/* The stem of an --extern path: "libfoo-123" of ".../libfoo-123.rmeta";
 * sets *NEEDS_END unless it is metadata. */
static void extern_stem(const char *path, char *stem, size_t cap,
			int *needs_end)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');
	size_t n = dot ? (size_t)(dot - b) : strlen(b);
	if (n >= cap)
		n = cap - 1;
	memcpy(stem, b, n);
	stem[n] = '\0';
	*needs_end = !(dot && !strcmp(dot, ".rmeta"));
}

static int add_dep(struct bt_sched_unit *su, size_t unit, int needs_end)
{
	struct bt_sched_dep *d;
	for (size_t k = 0; k < su->n_deps; k++)
		if (su->deps[k].unit == unit) {
			su->deps[k].needs_end |= needs_end;
			return 0;
		}
	d = realloc(su->deps, (su->n_deps + 1) * sizeof(*d));
	if (!d)
		return -1;
	su->deps = d;
	d[su->n_deps].unit = unit;
	d[su->n_deps].needs_end = needs_end;
	su->n_deps++;
	return 0;
}

struct keyed {
	char key[192];
	const char *out_dir;
};

/* The dependencies of compilation I from its --extern arguments. */
static int extern_deps(const struct bt_build *b, const struct keyed *keys,
		       size_t i, struct bt_sched_unit *su)
{
	const char *const *args;
	int argc = bt_unit_args(&b->units[i], &args);
	for (int a = 0; a < argc; a++) {
		const char *v = opt_value(argc, args, &a, "--extern");
		const char *eq;
		char stem[192];
		int needs_end;
		if (!v || !(eq = strchr(v, '=')))
			continue;
		extern_stem(eq + 1, stem, sizeof(stem), &needs_end);
		/* the producer started before its user; several units may
		 * share a stem across profiles: take the latest before */
		for (size_t j = i; j-- > 0;)
			if (b->units[j].has_flags && !strcmp(keys[j].key, stem)) {
				if (add_dep(su, j, needs_end) < 0)
					return -1;
				break;
			}
	}
	return 0;
}

/* A build-script run waits for its script's compilation, whose --out-dir
 * holds the script it executes. */
static int script_deps(const struct bt_build *b, const struct keyed *keys,
		       size_t i, struct bt_sched_unit *su)
{
	const struct bt_image *im = bt_proc_last(b->units[i].node->proc);
	const char *exe = im && im->exe ? im->exe : "";
	const char *slash = strrchr(exe, '/');
	size_t dir_len = slash ? (size_t)(slash - exe) : 0;
	for (size_t j = i; dir_len && j-- > 0;) {
		const char *od = keys[j].out_dir;
		if (b->units[j].target == BT_TARGET_BUILD_SCRIPT && od &&
		    strlen(od) == dir_len && !strncmp(od, exe, dir_len))
			return add_dep(su, j, 1);
	}
	return 0;
}

/* The units of a package that start after its build-script run ended
 * wait for that run. */
static int package_deps(const struct bt_build *b, size_t i,
			struct bt_sched_unit *su)
{
	const struct bt_unit *u = &b->units[i];
	for (size_t j = 0; j < i; j++) {
		const struct bt_unit *r = &b->units[j];
		if (r->target == BT_TARGET_BUILD_SCRIPT_RUN &&
		    !strcmp(r->package, u->package) &&
		    !strcmp(r->version, u->version) &&
		    r->start_s + r->wall_s <= u->start_s + 1e-3 &&
		    add_dep(su, j, 1) < 0)
			return -1;
	}
	return 0;
}

struct event {
	double t;
	int delta; /* +1 start, -1 end; ends sort first at equal times */
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta;
}

/* The most units that ran at once (1 if that cannot be told). */
static int max_concurrency(const struct bt_build *b)
{
	struct event *ev = malloc((2 * b->n_units + 1) * sizeof(*ev));
	int best = 1, running = 0;
	if (!ev)
		return 1;
	for (size_t i = 0; i < b->n_units; i++) {
		ev[2 * i] = (struct event){b->units[i].start_s, 1};
		ev[2 * i + 1] = (struct event){
			b->units[i].start_s + b->units[i].wall_s, -1};
	}
	qsort(ev, 2 * b->n_units, sizeof(*ev), cmp_event);
	for (size_t i = 0; i < 2 * b->n_units; i++) {
		running += ev[i].delta;
		if (running > best)
			best = running;
	}
	free(ev);
	return best;
}

int bt_schedule_make(const struct bt_build *b, struct bt_schedule *s)
{
	struct keyed *keys;
	double last_end = 0;

	memset(s, 0, sizeof(*s));
	s->n_units = b->n_units;
	s->units = calloc(b->n_units + 1, sizeof(*s->units));
	keys = calloc(b->n_units + 1, sizeof(*keys));
	if (!s->units || !keys)
		goto fail;
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		s->units[i].start_s = u->start_s;
		s->units[i].wall_s = u->wall_s > 0 ? u->wall_s : 0;
		s->units[i].rmeta_s = s->units[i].wall_s;
		if (u->has_flags)
			output_key(u, keys[i].key, sizeof(keys[i].key),
				   &keys[i].out_dir);
		if (u->start_s + u->wall_s > last_end)
			last_end = u->start_s + u->wall_s;
	}
	for (size_t i = 0; i < b->n_units; i++) {
		struct bt_sched_unit *su = &s->units[i];
		int rc = b->units[i].target == BT_TARGET_BUILD_SCRIPT_RUN
				 ? script_deps(b, keys, i, su)
				 : extern_deps(b, keys, i, su);
		if (rc < 0 || package_deps(b, i, su) < 0)
			goto fail;
		s->n_deps += su->n_deps;
		/* a metadata dependency was ready by the time its user
		 * started: the earliest such start bounds when */
		for (size_t k = 0; k < su->n_deps; k++) {
			struct bt_sched_unit *p = &s->units[su->deps[k].unit];
			double at = su->start_s - p->start_s;
			if (!su->deps[k].needs_end && at >= 0 && at < p->rmeta_s)
				p->rmeta_s = at;
		}
	}
	s->jobs = max_concurrency(b);
	s->first_start_s = b->n_units ? b->units[0].start_s : 0;
	s->tail_s = b->wall_s > last_end ? b->wall_s - last_end : 0;
	free(keys);
	return 0;
fail:
	free(keys);
	bt_schedule_free(s);
	return -1;
}

void bt_schedule_free(struct bt_schedule *s)
{
	for (size_t i = 0; s->units && i < s->n_units; i++)
		free(s->units[i].deps);
	free(s->units);
	memset(s, 0, sizeof(*s));
}

double bt_schedule_replay(const struct bt_schedule *s, const double *wall_s)
{
	double *start, *slot, end = s->first_start_s;
	int jobs = s->jobs > 0 ? s->jobs : 1;

	start = calloc(s->n_units + 1, sizeof(*start));
	slot = calloc((size_t)jobs, sizeof(*slot));
	if (!start || !slot) {
		free(start);
		free(slot);
		return -1;
	}
	for (int k = 0; k < jobs; k++)
		slot[k] = s->first_start_s;
	for (size_t i = 0; i < s->n_units; i++) {
		const struct bt_sched_unit *u = &s->units[i];
		double ready = s->first_start_s, dur;
		int free_k = 0;
		for (size_t k = 0; k < u->n_deps; k++) {
			size_t d = u->deps[k].unit;
			double dd = wall_s ? wall_s[d] : s->units[d].wall_s;
			double at = u->deps[k].needs_end || s->units[d].rmeta_s > dd
					    ? dd
					    : s->units[d].rmeta_s;
			if (start[d] + at > ready)
				ready = start[d] + at;
		}
		for (int k = 1; k < jobs; k++)
			if (slot[k] < slot[free_k])
				free_k = k;
		start[i] = ready > slot[free_k] ? ready : slot[free_k];
		dur = wall_s ? wall_s[i] : u->wall_s;
		slot[free_k] = start[i] + dur;
		if (slot[free_k] > end)
			end = slot[free_k];
	}
	free(start);
	free(slot);
	return end + s->tail_s;
}
