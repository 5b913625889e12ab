/* history_fill.c - fills a history store with synthetic builds for
 * bench/history.sh: history_fill [--db DB] BUILDS UNITS.  Each build is
 * stored through the store's own interface (one transaction each), with
 * UNITS units of crates crate0.. whose CPU varies by a few percent from
 * build to build, one workspace and command, a minute apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/store.h"

int main(int argc, char **argv)
{
	const char *db = NULL;
	struct bt_store *s;
	struct bt_hist_unit *u;
	char err[1024];
	long builds, units;
	unsigned seed = 16;

	if (argc > 2 && !strcmp(argv[1], "--db")) {
		db = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: history_fill [--db DB] BUILDS UNITS\n");
		return 2;
	}
	builds = atol(argv[1]);
	units = atol(argv[2]);
	u = calloc((size_t)units, sizeof(*u));
	if (!u || bt_store_open(db, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "history_fill: %s\n", u ? err : "no memory");
		return 1;
	}
	for (long i = 0; i < builds; i++) {
		struct bt_hist_build b = {0};
		double cpu = 0;
		snprintf(b.session, sizeof(b.session), "bench:%ld", i);
		b.started_ms = 1767225600000LL + i * 60000;
		snprintf(b.host, sizeof(b.host), "bench");
		snprintf(b.workspace, sizeof(b.workspace), "/src/app");
		snprintf(b.command, sizeof(b.command), "cargo build");
		snprintf(b.toolchain, sizeof(b.toolchain), "stable");
		snprintf(b.settings, sizeof(b.settings),
			 "debuginfo=0/2 opt-level=0 codegen-backend=llvm");
		for (long k = 0; k < units; k++) {
			double base = 0.2 + (double)(k % 17) * 0.3;
			double noise = (double)(rand_r(&seed) % 1000) / 25000;
			snprintf(u[k].crate, sizeof(u[k].crate), "crate%ld", k);
			snprintf(u[k].target, sizeof(u[k].target), "lib");
			snprintf(
			    u[k].settings, sizeof(u[k].settings),
			    "debuginfo=2 opt-level=0 codegen-backend=llvm");
			u[k].cpu_s = base * (1 + noise);
			u[k].wall_s = u[k].cpu_s * 1.05;
			u[k].frontend_s = u[k].cpu_s * 0.5;
			u[k].codegen_s = u[k].cpu_s * 0.4;
			cpu += u[k].cpu_s;
		}
		b.cpu_s = cpu;
		b.wall_s = cpu / 1.8;
		b.units_compiled = units;
		snprintf(b.top_category, sizeof(b.top_category), "frontend");
		b.top_category_s = cpu / 2;
		b.complete = 1;
		if (bt_store_add(s, &b, u, (size_t)units, err, sizeof(err)) <
		    0) {
			fprintf(stderr, "history_fill: %s\n", err);
			return 1;
		}
	}
	bt_store_close(s);
	free(u);
	return 0;
}
