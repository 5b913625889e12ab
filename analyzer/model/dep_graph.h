/* dep_graph.h - the build's packages and the dependencies between them.
 *
 * The edges are the schedule's (schedule.h): a compilation's `--extern`
 * arguments name other units' outputs, a build-script run hangs off its
 * script's compilation, and a package's units after its build-script run
 * wait for it.  Here the units are grouped by package (name and version:
 * two versions of syn are two packages), so that a package's cost and
 * what it pulls in can be told: its own units (lib, proc macro, build
 * script and its run, bins), the packages it depends on, and which of
 * them nothing else needs.
 *
 * Ownership: bt_dep_graph_make() allocates; bt_dep_graph_free() releases.
 * The graph keeps no pointer into the build or the schedule. */
#ifndef BTRACE_DEP_GRAPH_H
#define BTRACE_DEP_GRAPH_H

#include <stddef.h>

#include "model/build_model.h"
#include "model/schedule.h"

struct bt_package {
	char name[128];
	char version[64];
	int member;	/* a workspace member (CARGO_PRIMARY_PACKAGE) */
	int proc_macro; /* one of its units is a proc macro */
	size_t *units;	/* its units, indices into bt_build.units */
	size_t n_units;
	size_t *deps; /* the packages its units wait for, ascending */
	size_t n_deps;
	size_t n_users; /* packages whose units wait for it */
	double cpu_s;	/* its units' CPU, their links included */
	double wall_s;	/* its units' wall times, summed */
};

struct bt_dep_graph {
	struct bt_package *pkgs; /* in the order of their first unit */
	size_t n_pkgs;
	size_t *unit_pkg; /* parallel to bt_build.units */
	size_t n_units;
};

/* Builds the package graph of B from the edges of its schedule S.
 * Returns 0, or -1 when out of memory (G then needs no free). */
int bt_dep_graph_make(const struct bt_build *b, const struct bt_schedule *s,
		      struct bt_dep_graph *g);
void bt_dep_graph_free(struct bt_dep_graph *g);

/* Marks in REACH (N_PKGS bytes, set by the caller to 0) every package
 * that FROM's packages depend on, directly or not, FROM included, never
 * passing through SKIP (SIZE_MAX: none).  FROM: N_FROM package indices.
 * Returns 0, or -1 when out of memory. */
int bt_dep_graph_reach(const struct bt_dep_graph *g, const size_t *from,
		       size_t n_from, size_t skip, unsigned char *reach);

/* The packages that exist only because of package P: P, and what P pulls
 * in that no workspace member reaches without passing through P (its
 * exclusive transitive dependencies, build scripts and proc macros
 * included).  Marks them in EXCL (N_PKGS bytes); a member is never
 * exclusive.  Returns their number, or -1 when out of memory. */
long bt_dep_graph_exclusive(const struct bt_dep_graph *g, size_t p,
			    unsigned char *excl);

/* A package's name for people: "syn 2.0.3". */
void bt_package_label(const struct bt_package *p, char *buf, size_t cap);

#endif
