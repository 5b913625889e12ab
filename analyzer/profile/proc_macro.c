/* proc_macro.c - proc-macro expansion time from the samples
 * (proc_macro.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/schedule.h"
#include "profile/proc_macro.h"

/* A proc-macro library loaded in one image. */
struct lib {
	uint64_t start, end, until_ns;
	size_t macro;
};

/* The macro of a library: made if new; SIZE_MAX when out of memory. */
static size_t macro_of(const struct bt_build *b, const struct bt_dep_graph *g,
		       struct bt_proc_macros *m, const char *path)
{
	char crate[128], stem[BT_OUTPUT_KEY_MAX], key[BT_OUTPUT_KEY_MAX];
	size_t pkg = SIZE_MAX;
	struct bt_macro *x;
	bt_is_proc_macro_path(path, crate, sizeof(crate));
	bt_output_stem(path, stem, sizeof(stem));
	for (size_t i = 0; i < b->n_units && pkg == SIZE_MAX; i++) {
		const struct bt_unit *u = &b->units[i];
		if (u->target != BT_TARGET_PROC_MACRO || !u->has_flags)
			continue;
		bt_unit_output_key(u, key, sizeof(key));
		if (!strcmp(key, stem) && i < g->n_units)
			pkg = g->unit_pkg[i];
	}
	for (size_t k = 0; k < m->n_macros; k++)
		if (pkg != SIZE_MAX ? m->macros[k].pkg == pkg
				    : m->macros[k].pkg == SIZE_MAX &&
					  !strcmp(m->macros[k].crate, crate))
			return k;
	x = realloc(m->macros, (m->n_macros + 1) * sizeof(*x));
	if (!x)
		return SIZE_MAX;
	m->macros = x;
	x = &m->macros[m->n_macros];
	memset(x, 0, sizeof(*x));
	snprintf(x->crate, sizeof(x->crate), "%s", crate);
	x->pkg = pkg;
	return m->n_macros++;
}

/* The proc-macro libraries of image IM. */
static int libs_of(const struct bt_build *b, const struct bt_dep_graph *g,
		   struct bt_proc_macros *m, const struct bt_image *im,
		   struct lib **libs, size_t *n)
{
	*n = 0;
	for (size_t k = 0; k < im->n_modules; k++) {
		const struct bt_module *mo = &im->modules[k];
		char crate[128];
		struct lib *l;
		if (!bt_is_proc_macro_path(mo->path, crate, sizeof(crate)))
			continue;
		if (mo->rec.event == BT_MODULE_UNLOADING) {
			for (size_t j = 0; j < *n; j++)
				if ((*libs)[j].start == mo->rec.start &&
				    (*libs)[j].until_ns == UINT64_MAX)
					(*libs)[j].until_ns = mo->rec.mono_ns;
			continue;
		}
		l = realloc(*libs, (*n + 1) * sizeof(*l));
		if (!l)
			return -1;
		*libs = l;
		l[*n] = (struct lib){mo->rec.start, mo->rec.end, UINT64_MAX,
				     macro_of(b, g, m, mo->path)};
		if (l[*n].macro == SIZE_MAX)
			return -1;
		(*n)++;
	}
	return 0;
}

static int add_use(struct bt_proc_macros *m, size_t macro, size_t unit,
		   double s)
{
	struct bt_macro_use *u;
	for (size_t k = 0; k < m->n_uses; k++)
		if (m->uses[k].macro == macro && m->uses[k].unit == unit) {
			m->uses[k].expand_s += s;
			return 0;
		}
	u = realloc(m->uses, (m->n_uses + 1) * sizeof(*u));
	if (!u)
		return -1;
	m->uses = u;
	u[m->n_uses++] = (struct bt_macro_use){macro, unit, s};
	m->macros[macro].n_users++;
	return 0;
}

/* The samples of image IM of unit I. */
static int scan_image(const struct bt_build *b, const struct bt_dep_graph *g,
		      struct bt_proc_macros *m, size_t i,
		      const struct bt_image *im)
{
	struct lib *libs = NULL;
	size_t n_libs = 0;
	uint64_t pcs[BT_MAX_DEPTH];
	double period_s = (double)im->sampling.period_ns / 1e9;
	int rc = -1;
	if (!im->has_sampling || !im->n_samples)
		return 0;
	if (libs_of(b, g, m, im, &libs, &n_libs) < 0)
		goto out;
	for (size_t bi = 0; bi < im->n_batches; bi++) {
		struct bt_sample_head h;
		size_t off = 0;
		while (bt_batch_next(&im->batches[bi], &off, &h, pcs)) {
			double s = h.weight * period_s;
			size_t hit = SIZE_MAX;
			m->sampled_s += s;
			/* outermost library frame: the macro rustc called */
			for (size_t d = h.depth;
			     n_libs && d-- > 0 && hit == SIZE_MAX;)
				for (size_t k = 0; k < n_libs; k++)
					if (pcs[d] >= libs[k].start &&
					    pcs[d] < libs[k].end &&
					    h.mono_ns < libs[k].until_ns) {
						hit = libs[k].macro;
						break;
					}
			if (hit == SIZE_MAX)
				continue;
			m->macros[hit].expand_s += s;
			m->expand_s += s;
			if (add_use(m, hit, i, s) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	/* the profile pass dropped its pages: a second pass over every
	 * image must too, or the whole trace is resident at the end */
	bt_image_drop_pages(im);
	free(libs);
	return rc;
}

/* A macro's build cost: its package and everything it depends on. */
static int build_cost(const struct bt_dep_graph *g, struct bt_macro *x)
{
	unsigned char *reach;
	if (x->pkg == SIZE_MAX)
		return 0;
	reach = calloc(g->n_pkgs + 1, 1);
	if (!reach || bt_dep_graph_reach(g, &x->pkg, 1, SIZE_MAX, reach) < 0) {
		free(reach);
		return -1;
	}
	x->own_cpu_s = g->pkgs[x->pkg].cpu_s;
	for (size_t k = 0; k < g->n_pkgs; k++)
		if (reach[k] && k != x->pkg) {
			x->deps_cpu_s += g->pkgs[k].cpu_s;
			x->n_deps++;
		}
	free(reach);
	return 0;
}

static const struct bt_macro *sort_macros; /* one sort at a time */

static int cmp_macro(const void *a, const void *b)
{
	const struct bt_macro *x = &sort_macros[*(const size_t *)a];
	const struct bt_macro *y = &sort_macros[*(const size_t *)b];
	if (x->expand_s != y->expand_s)
		return x->expand_s > y->expand_s ? -1 : 1;
	return strcmp(x->crate, y->crate);
}

static int cmp_use(const void *a, const void *b)
{
	const struct bt_macro_use *x = a, *y = b;
	if (x->expand_s != y->expand_s)
		return x->expand_s > y->expand_s ? -1 : 1;
	if (x->macro != y->macro)
		return x->macro < y->macro ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* Most time first; the uses follow their macros' new places. */
static int sort_all(struct bt_proc_macros *m)
{
	size_t *order = malloc((m->n_macros + 1) * sizeof(*order));
	size_t *place = malloc((m->n_macros + 1) * sizeof(*place));
	struct bt_macro *sorted = malloc((m->n_macros + 1) * sizeof(*sorted));
	int rc = -1;
	if (!order || !place || !sorted)
		goto out;
	rc = 0;
	if (!m->n_macros) /* then no uses either; macros is NULL */
		goto out;
	for (size_t k = 0; k < m->n_macros; k++)
		order[k] = k;
	sort_macros = m->macros;
	qsort(order, m->n_macros, sizeof(*order), cmp_macro);
	sort_macros = NULL;
	for (size_t k = 0; k < m->n_macros; k++) {
		sorted[k] = m->macros[order[k]];
		place[order[k]] = k;
	}
	memcpy(m->macros, sorted, m->n_macros * sizeof(*sorted));
	for (size_t k = 0; k < m->n_uses; k++)
		m->uses[k].macro = place[m->uses[k].macro];
	qsort(m->uses, m->n_uses, sizeof(*m->uses), cmp_use);
	rc = 0;
out:
	free(order);
	free(place);
	free(sorted);
	return rc;
}

int bt_proc_macros_make(const struct bt_build *b, const struct bt_dep_graph *g,
			struct bt_proc_macros *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_proc *p = b->units[i].node->proc;
		if (b->units[i].node->kind != BT_KIND_RUSTC)
			continue;
		for (size_t k = 0; k < p->n_images; k++)
			if (scan_image(b, g, m, i, p->images[k]) < 0)
				goto fail;
	}
	for (size_t k = 0; k < m->n_macros; k++)
		if (build_cost(g, &m->macros[k]) < 0)
			goto fail;
	if (sort_all(m) < 0)
		goto fail;
	return 0;
fail:
	bt_proc_macros_free(m);
	return -1;
}

void bt_proc_macros_free(struct bt_proc_macros *m)
{
	free(m->macros);
	free(m->uses);
	memset(m, 0, sizeof(*m));
}
