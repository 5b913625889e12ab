/* dep_graph.c - the package graph (dep_graph.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dep_graph.h"

static int same_package(const struct bt_package *p, const struct bt_unit *u)
{
	return !strcmp(p->name, u->package) && !strcmp(p->version, u->version);
}

static int push(size_t **v, size_t *n, size_t x)
{
	size_t *g = realloc(*v, (*n + 1) * sizeof(**v));
	if (!g)
		return -1;
	g[(*n)++] = x;
	*v = g;
	return 0;
}

/* Adds package D to P's dependencies, kept ascending and distinct. */
static int add_dep(struct bt_package *p, size_t d)
{
	size_t k = 0;
	while (k < p->n_deps && p->deps[k] < d)
		k++;
	if (k < p->n_deps && p->deps[k] == d)
		return 0;
	if (push(&p->deps, &p->n_deps, d) < 0)
		return -1;
	memmove(p->deps + k + 1, p->deps + k,
		(p->n_deps - 1 - k) * sizeof(*p->deps));
	p->deps[k] = d;
	return 0;
}

/* The package of unit U, made if it is new; SIZE_MAX when out of memory.
 * A linear search: builds have hundreds of packages, not millions. */
static size_t package_of(struct bt_dep_graph *g, const struct bt_unit *u)
{
	struct bt_package *p;
	for (size_t k = 0; k < g->n_pkgs; k++)
		if (same_package(&g->pkgs[k], u))
			return k;
	p = realloc(g->pkgs, (g->n_pkgs + 1) * sizeof(*p));
	if (!p)
		return SIZE_MAX;
	g->pkgs = p;
	p = &g->pkgs[g->n_pkgs];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", u->package);
	snprintf(p->version, sizeof(p->version), "%s", u->version);
	return g->n_pkgs++;
}

int bt_dep_graph_make(const struct bt_build *b, const struct bt_schedule *s,
		      struct bt_dep_graph *g)
{
	memset(g, 0, sizeof(*g));
	g->n_units = b->n_units;
	g->unit_pkg = calloc(b->n_units + 1, sizeof(*g->unit_pkg));
	if (!g->unit_pkg)
		goto fail;
	for (size_t i = 0; i < b->n_units; i++) {
		const struct bt_unit *u = &b->units[i];
		size_t k = package_of(g, u);
		struct bt_package *p;
		if (k == SIZE_MAX)
			goto fail;
		p = &g->pkgs[k];
		g->unit_pkg[i] = k;
		if (push(&p->units, &p->n_units, i) < 0)
			goto fail;
		p->member |= u->primary;
		p->proc_macro |= u->target == BT_TARGET_PROC_MACRO;
		p->cpu_s += (u->cpu_s > 0 ? u->cpu_s : 0) +
			    (u->link_cpu_s > 0 ? u->link_cpu_s : 0);
		p->wall_s += u->wall_s > 0 ? u->wall_s : 0;
	}
	for (size_t i = 0; i < b->n_units && i < s->n_units; i++) {
		size_t from = g->unit_pkg[i];
		for (size_t k = 0; k < s->units[i].n_deps; k++) {
			size_t to = s->units[i].deps[k].unit;
			if (to >= b->n_units || g->unit_pkg[to] == from)
				continue;
			if (add_dep(&g->pkgs[from], g->unit_pkg[to]) < 0)
				goto fail;
		}
	}
	for (size_t k = 0; k < g->n_pkgs; k++)
		for (size_t d = 0; d < g->pkgs[k].n_deps; d++)
			g->pkgs[g->pkgs[k].deps[d]].n_users++;
	return 0;
fail:
	bt_dep_graph_free(g);
	return -1;
}

void bt_dep_graph_free(struct bt_dep_graph *g)
{
	for (size_t k = 0; g->pkgs && k < g->n_pkgs; k++) {
		free(g->pkgs[k].units);
		free(g->pkgs[k].deps);
	}
	free(g->pkgs);
	free(g->unit_pkg);
	memset(g, 0, sizeof(*g));
}

int bt_dep_graph_reach(const struct bt_dep_graph *g, const size_t *from,
		       size_t n_from, size_t skip, unsigned char *reach)
{
	size_t *stack = malloc((g->n_pkgs + 1) * sizeof(*stack)), n = 0;
	if (!stack)
		return -1;
	for (size_t k = 0; k < n_from; k++)
		if (from[k] < g->n_pkgs && from[k] != skip && !reach[from[k]]) {
			reach[from[k]] = 1;
			stack[n++] = from[k];
		}
	while (n) {
		const struct bt_package *p = &g->pkgs[stack[--n]];
		for (size_t d = 0; d < p->n_deps; d++) {
			size_t q = p->deps[d];
			if (q == skip || reach[q])
				continue;
			reach[q] = 1; /* each package is pushed once */
			stack[n++] = q;
		}
	}
	free(stack);
	return 0;
}

long bt_dep_graph_exclusive(const struct bt_dep_graph *g, size_t p,
			    unsigned char *excl)
{
	unsigned char *without = calloc(g->n_pkgs + 1, 1);
	size_t *members = calloc(g->n_pkgs + 1, sizeof(*members)), n_mem = 0;
	long n = -1;
	if (!without || !members || p >= g->n_pkgs)
		goto out;
	for (size_t k = 0; k < g->n_pkgs; k++)
		if (g->pkgs[k].member)
			members[n_mem++] = k;
	memset(excl, 0, g->n_pkgs);
	n = 0;
	if (g->pkgs[p].member)
		goto out; /* the workspace's own: not removable */
	n = -1;
	if (bt_dep_graph_reach(g, &p, 1, SIZE_MAX, excl) < 0 ||
	    bt_dep_graph_reach(g, members, n_mem, p, without) < 0)
		goto out;
	n = 0;
	for (size_t k = 0; k < g->n_pkgs; k++) {
		/* what the members still reach, and the members */
		if (without[k] || g->pkgs[k].member)
			excl[k] = 0;
		n += excl[k];
	}
out:
	free(without);
	free(members);
	return n;
}

void bt_package_label(const struct bt_package *p, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", p->name, p->version[0] ? " " : "",
		 p->version);
}
