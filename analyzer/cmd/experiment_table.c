/* experiment_table.c - what `btrace experiment` prints: the table of
 * estimates against measurements on stdout, progress on stderr
 * (experiment.h). */
#include <math.h>
#include <stdio.h>

#include "base/spawn.h"
#include "cmd/experiment.h"

/* One line of the table: estimate and measurement in seconds and as
 * shares, the spread, and the error of the shares. */
static void print_row(const char *name, const char *what, double est_s,
		      double est_pct, struct bt_saving m, double base)
{
	double pct = 100 * m.med / base;
	printf("%-27s %-4s %7.2fs %5.1f%% %7.2fs %5.1f%% [%6.2f, %6.2f] "
	       "%+5.0f%%\n",
	       name, what, est_s, est_pct, m.med, pct, m.lo, m.hi,
	       bt_error_pct(est_pct, pct));
}

void exp_print_table(const struct exp_config *cs, int n_cs, int runs,
		     int scaled, const char *touch)
{
	double base_cpu = bt_median(cs[0].rounds.cpu, runs);
	double base_wall = bt_median(cs[0].rounds.wall, runs);
	printf("\n%-32s %15s %15s %16s %6s\n", "option (vs baseline)",
	       "estimate", "measured", "[min, max]", "error");
	for (int c = 1; c < n_cs; c++) {
		const struct bt_rounds *base = &cs[0].rounds,
				       *opt = &cs[c].rounds;
		int n_retried = 0, n_unanalyzed = 0;
		if (cs[c].failed) {
			printf("%-27s not measured: %s\n", cs[c].name,
			       cs[c].failure[0] ? cs[c].failure
						: "its build failed");
			continue;
		}
		print_row(cs[c].name, "CPU", cs[c].estimate.cpu_s,
			  cs[c].estimate.cpu_pct,
			  bt_saving(base, opt, runs, BT_MEASURE_CPU, scaled),
			  base_cpu);
		print_row("", "wall", cs[c].estimate.wall_s,
			  cs[c].estimate.wall_pct,
			  bt_saving(base, opt, runs, BT_MEASURE_WALL, scaled),
			  base_wall);
		for (int r = 0; r < runs; r++) {
			n_retried += cs[c].retried[r];
			n_unanalyzed += cs[c].unanalyzed[r];
		}
		if (n_retried)
			printf(
			    "%-32s built again in %d run%s whose first build "
			    "failed; first: %s\n",
			    "", n_retried, n_retried == 1 ? "" : "s",
			    cs[c].retry_why);
		if (n_unanalyzed)
			printf("%-32s %d run%s measured, but %s trace not "
			       "analyzed (left out of the scaled saving); "
			       "first: %s\n",
			       "", n_unanalyzed, n_unanalyzed == 1 ? "" : "s",
			       n_unanalyzed == 1 ? "its" : "their",
			       cs[c].analysis_why);
		if (scaled) {
			struct bt_saving pc, pw;
			pc = bt_saving(base, opt, runs, BT_MEASURE_CPU, 0);
			pw = bt_saving(base, opt, runs, BT_MEASURE_WALL, 0);
			printf("%-32s unscaled: %.2fs CPU [%.2f, %.2f], "
			       "%.2fs wall\n",
			       "", pc.med, pc.lo, pc.hi, pw.med);
		}
	}
	if (touch)
		printf("baseline: median %.2fs wall, %.2fs CPU over %d "
		       "rebuild%s after touching %s.\n",
		       base_wall, base_cpu, runs, runs == 1 ? "" : "s", touch);
	else
		printf("baseline: median %.2fs wall, %.2fs CPU over %d "
		       "run%s.\n",
		       base_wall, base_cpu, runs, runs == 1 ? "" : "s");
	if (scaled)
		printf(
		    "Measured: medians of the per-round differences from the "
		    "baseline; each option\nbuild is scaled by the "
		    "baseline's frontend CPU over its own, which takes out "
		    "the\nmachine's speed drift (--untraced: plain "
		    "builds).\n");
	else
		printf(
		    "Measured: medians of the per-round differences from the "
		    "baseline (plain builds,\nno drift scaling).\n");
	printf("Error: the estimate's share of its build against the "
	       "measured share of the\nbaseline's median.\n");
}

void exp_progress(int tty, int done, int total, const char *what, int run,
		  int runs, double t0, double per_build)
{
	double elapsed = bt_now_s() - t0, left = per_build * (total - done);
	if (tty && !runs)
		fprintf(stderr, "\r\033[K%s: building... elapsed %dm%02ds",
			what, (int)elapsed / 60, (int)elapsed % 60);
	else if (tty)
		fprintf(stderr,
			"\r\033[K[%d/%d] run %d/%d %s: building... elapsed "
			"%dm%02ds, about %dm%02ds left",
			done + 1, total, run, runs, what, (int)elapsed / 60,
			(int)elapsed % 60, (int)left / 60, (int)left % 60);
	else if (!runs)
		fprintf(stderr, "btrace experiment: %s\n", what);
	else
		fprintf(stderr, "btrace experiment: [%d/%d] run %d/%d %s\n",
			done + 1, total, run, runs, what);
}
