/* dep_cost.c - the cost of each dependency (dep_cost.h). */
#include <stdlib.h>
#include <string.h>

#include "advice/dep_cost.h"

/* Which packages are candidates: a member's direct dependencies, and the
 * packages with a unit on the critical path; members never are. */
static void candidates(const struct bt_dep_graph *g,
		       const struct bt_critical_path *cp, unsigned char *direct,
		       unsigned char *on_path)
{
	for (size_t k = 0; k < g->n_pkgs; k++) {
		const struct bt_package *p = &g->pkgs[k];
		if (!p->member)
			continue;
		for (size_t d = 0; d < p->n_deps; d++)
			direct[p->deps[d]] = 1;
	}
	for (size_t i = 0; cp && i < cp->n_path; i++)
		if (cp->path[i] < g->n_units)
			on_path[g->unit_pkg[cp->path[i]]] = 1;
}

/* The cost of taking out package P and what only it pulls in; EXCL and
 * REMOVED are scratch (packages, units). */
static int cost_of(struct bt_replay_cursor *cur, const struct bt_dep_graph *g,
		   double base_s, size_t p, unsigned char *excl,
		   unsigned char *removed, struct bt_dep_cost *c)
{
	struct bt_whatif w = {.removed = removed};
	double wall;
	long n = bt_dep_graph_exclusive(g, p, excl);
	if (n < 0)
		return -1;
	c->pkg = p;
	memset(removed, 0, g->n_units);
	for (size_t k = 0; k < g->n_pkgs; k++) {
		const struct bt_package *q = &g->pkgs[k];
		size_t *v;
		if (!excl[k])
			continue;
		for (size_t u = 0; u < q->n_units; u++)
			removed[q->units[u]] = 1;
		c->save_cpu_s += q->cpu_s;
		if (k == p)
			continue;
		v = realloc(c->excl, (c->n_excl + 1) * sizeof(*v));
		if (!v)
			return -1; /* the caller frees c->excl */
		c->excl = v;
		c->excl[c->n_excl++] = k;
		c->excl_cpu_s += q->cpu_s;
		c->excl_wall_s += q->wall_s;
	}
	wall = bt_replay_cursor_whatif(cur, &w);
	if (wall < 0)
		return -1;
	c->save_wall_s = base_s > wall ? base_s - wall : 0;
	return 0;
}

static int cmp_cost(const void *a, const void *b)
{
	const struct bt_dep_cost *x = a, *y = b;
	if (x->save_wall_s != y->save_wall_s)
		return x->save_wall_s > y->save_wall_s ? -1 : 1;
	if (x->save_cpu_s != y->save_cpu_s)
		return x->save_cpu_s > y->save_cpu_s ? -1 : 1;
	return x->pkg < y->pkg ? -1 : x->pkg > y->pkg;
}

/* The crates of G built in more than one version. */
static int find_duplicates(const struct bt_dep_graph *g,
			   struct bt_dep_costs *out)
{
	for (size_t k = 0; k < g->n_pkgs; k++) {
		struct bt_duplicate d = {.name = g->pkgs[k].name};
		int seen = 0;
		for (size_t j = 0; j < k && !seen; j++)
			seen = !strcmp(g->pkgs[j].name, d.name);
		if (seen)
			continue; /* counted with its first version */
		for (size_t j = k; j < g->n_pkgs; j++) {
			if (strcmp(g->pkgs[j].name, d.name))
				continue;
			if (d.n < BT_DUP_VERSIONS_MAX)
				d.pkgs[d.n++] = j;
			d.cpu_s += g->pkgs[j].cpu_s;
			d.wall_s += g->pkgs[j].wall_s;
		}
		if (d.n > 1) {
			struct bt_duplicate *v =
			    realloc(out->dups, (out->n_dups + 1) * sizeof(*v));
			if (!v)
				return -1;
			out->dups = v;
			v[out->n_dups++] = d;
		}
	}
	return 0;
}

int bt_dep_costs_make(const struct bt_schedule *s, const struct bt_dep_graph *g,
		      const struct bt_critical_path *cp,
		      struct bt_dep_costs *out)
{
	unsigned char *direct = calloc(g->n_pkgs + 1, 1);
	unsigned char *on_path = calloc(g->n_pkgs + 1, 1);
	unsigned char *excl = calloc(g->n_pkgs + 1, 1);
	unsigned char *removed = calloc(g->n_units + 1, 1);
	double base_s = cp ? cp->replay_s : bt_schedule_replay(s, NULL);
	struct bt_replay_cursor *cur = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!direct || !on_path || !excl || !removed || base_s < 0 ||
	    bt_replay_cursor_make(s, &cur) < 0)
		goto out;
	out->costs = calloc(g->n_pkgs + 1, sizeof(*out->costs));
	if (!out->costs)
		goto out;
	candidates(g, cp, direct, on_path);
	for (size_t k = 0; k < g->n_pkgs; k++) {
		struct bt_dep_cost *c = &out->costs[out->n];
		if (g->pkgs[k].member || (!direct[k] && !on_path[k]))
			continue;
		c->direct = direct[k];
		c->on_path = on_path[k];
		if (cost_of(cur, g, base_s, k, excl, removed, c) < 0) {
			free(c->excl);
			goto out;
		}
		out->n++;
	}
	qsort(out->costs, out->n, sizeof(*out->costs), cmp_cost);
	if (find_duplicates(g, out) < 0)
		goto out;
	rc = 0;
out:
	bt_replay_cursor_free(cur);
	free(direct);
	free(on_path);
	free(excl);
	free(removed);
	if (rc < 0)
		bt_dep_costs_free(out);
	return rc;
}

void bt_dep_costs_free(struct bt_dep_costs *c)
{
	for (size_t k = 0; c->costs && k < c->n; k++)
		free(c->costs[k].excl);
	free(c->costs);
	free(c->dups);
	memset(c, 0, sizeof(*c));
}
