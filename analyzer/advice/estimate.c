/* estimate.c - the single-build estimator (estimate.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "advice/estimate.h"

#define CALIBRATION(name, value) static const double name = value;
#include "advice/estimate_calibration.def"
#undef CALIBRATION

/* The constant of option O's saving (options.def's second column). */
static double k_of(enum bt_option o)
{
	switch (o) {
#define OPTION(name, k, ...)                                                   \
	case BT_OPT_##name:                                                    \
		return k;
#include "advice/options.def"
#undef OPTION
	default:
		return 0;
	}
}

int bt_estimator_make(const struct bt_build *b, struct bt_estimator *e)
{
	memset(e, 0, sizeof(*e));
	e->b = b;
	if (bt_schedule_make(b, &e->sched) < 0)
		return -1;
	e->links = calloc(b->n_units + 1, sizeof(*e->links));
	e->cut = calloc(b->n_units + 1, sizeof(*e->cut));
	if (!e->links || !e->cut ||
	    bt_link_inputs_read(b, e->links, &e->census) < 0) {
		bt_estimator_free(e);
		return -1;
	}
	e->n_link_inputs = e->census.inputs;
	e->n_link_missing = e->census.missing;
	e->replay_s = bt_schedule_replay(&e->sched, NULL);
	return 0;
}

void bt_estimator_free(struct bt_estimator *e)
{
	bt_schedule_free(&e->sched);
	free(e->links);
	free(e->cut);
	memset(e, 0, sizeof(*e));
}

int bt_linker_is_slow(const char *l)
{
	return !strcmp(l, "ld") || !strcmp(l, "ld.bfd") ||
	       !strcmp(l, "ld.gold") || !strcmp(l, "gold");
}

int bt_linker_is_lld(const char *l)
{
	return !strcmp(l, "lld") || !strcmp(l, "ld.lld") ||
	       !strcmp(l, "rust-lld");
}

int bt_linker_is_mold(const char *l)
{
	return !strcmp(l, "mold") || !strcmp(l, "ld.mold");
}

/* What option bits RM leave in the link of S's debuginfo, bytes (WORK
 * 0) or of them the linker's work bytes (WORK 1): the line tables (and a
 * skeleton's address ranges) whole, and under line-tables-only LT_KEEP of
 * the rest but the location lists (the subprograms and inlined calls it
 * keeps a DIE for; docs/estimation.md, "What line-tables-only keeps"). */
static double kept(const struct bt_section_bytes *s, unsigned rm, int work)
{
	double debug = (double)(work ? s->debug_work : s->debug),
	       lines = (double)(work ? s->lines_work : s->lines),
	       ranges = (double)(work ? s->ranges_work : s->ranges),
	       locs = (double)(work ? s->locs_work : s->locs), k = 0;
	if (rm & BT_RM_KEEP_LINES)
		k += lines;
	if (rm & BT_RM_KEEP_RANGES)
		k += ranges;
	if (rm & BT_RM_KEEP_SUBPROGRAMS)
		k += LT_KEEP * fmax(0, debug - lines - locs);
	return fmin(k, debug);
}

/* The debuginfo (or its work bytes, WORK 1) option bits RM take out of
 * the link of LI. */
static double removed(const struct bt_link_inputs *li, unsigned rm, int work)
{
	const struct bt_section_bytes *p = &li->primary, *d = &li->deps;
	double r = 0;
	/* a stripped link drops every input's debuginfo */
	if (rm & BT_RM_STRIP)
		return (double)(work ? li->all.debug_work : li->all.debug);
	if (rm & BT_RM_DEBUG_MEMBERS)
		r += (double)(work ? p->debug_work : p->debug) -
		     kept(p, rm, work);
	if (rm & BT_RM_DEBUG_DEPS)
		r += (double)(work ? d->debug_work : d->debug) -
		     kept(d, rm, work);
	return r;
}

static unsigned removes(enum bt_option o)
{
	const struct bt_option_info *oi = bt_option_info(o);
	return oi ? oi->removes : 0;
}

uint64_t bt_link_removed_bytes(const struct bt_link_inputs *li,
			       enum bt_option o)
{
	return (uint64_t)llround(removed(li, removes(o), 0));
}

/* A link's cost, in bytes of its inputs but the debuginfo
 * (docs/estimation.md, "What the link pays for"): those at one each, the
 * debuginfo's relocations and merged strings at LINK_W_WORK, the rest of
 * the DWARF (copied as it is) at LINK_W_COPY. */
static double link_weight(const struct bt_section_bytes *s)
{
	return (double)(s->total - s->debug) +
	       LINK_W_WORK * (double)s->debug_work +
	       LINK_W_COPY * (double)(s->debug - s->debug_work);
}

double bt_link_removed_share(const struct bt_link_inputs *li, enum bt_option o)
{
	unsigned rm = removes(o);
	double work, all;
	if (!li->all.total)
		return 0;
	work = removed(li, rm, 1);
	all = removed(li, rm, 0);
	return fmin(1,
		    fmax(0, LINK_W_WORK * work + LINK_W_COPY * (all - work)) /
			link_weight(&li->all));
}

/* Whether unit U's link already drops its inputs' debuginfo (-C
 * strip=debuginfo or symbols): then no option removes any from it. */
static int unit_strips(const struct bt_unit *u)
{
	return u->has_flags && (!strcmp(u->flags.strip, "debuginfo") ||
				!strcmp(u->flags.strip, "symbols"));
}

/* Whether unit U already splits its debuginfo out (-C split-debuginfo
 * unpacked or packed; off is the default on Linux). */
static int unit_splits(const struct bt_unit *u)
{
	return u->has_flags && (!strcmp(u->flags.split_debuginfo, "unpacked") ||
				!strcmp(u->flags.split_debuginfo, "packed"));
}

/* The CPU option O saves in a unit's compilation and in its link, and
 * the model's terms (before the constants), by what the option removes
 * (its BT_RM_* bits, options.def) and its constant K.
 *
 * A debuginfo option saves the debuginfo it drops (all of the category,
 * or all but its line-table part and its debug-value passes) plus K
 * times the instruction-level debuginfo it removes: the cost the
 * category cannot see, spread over instruction selection, emission and
 * metadata teardown (docs/estimation.md).  debug = false removes the
 * debug locations on every instruction and the debug values (the
 * line-table and debug-value parts of the category measure how many
 * there are); line-tables-only removes the debug values only, and keeps
 * the debug-value passes' own work: they walk every instruction of
 * every function that has a subprogram, with debug values or not.
 * Split debuginfo still generates it all and costs K more of its DWARF
 * generation (the category but its line-table part: the split unit's
 * DWO id hash over every DIE, and the .dwo files written beside the
 * objects; a negative compile saving), plus SPLIT_FILE for each object
 * the unit made: rustc hard-links the .dwo of every codegen unit it
 * reuses from its incremental cache into the output directory, in a
 * rebuild where no DWARF is generated at all, one directory entry after
 * another (docs/estimation.md, "Where a rebuild saving falls").  It
 * saves link work.  Another backend saves K of the LLVM
 * code generation; a faster linker links in K of GNU ld's CPU (and K / R_LLD of
 * lld's: the published ratios, none measured here). */
void bt_unit_saving(const struct bt_unit *u, const struct bt_link_inputs *li,
		    enum bt_option o, struct bt_unit_part *s)
{
	double *compile = &s->compile_s, *link = &s->link_s, *term = &s->term_s,
	       *hidden = &s->hidden_term_s, *link_term = &s->link_term_s,
	       *files = &s->files_s;
	const struct bt_option_info *oi = bt_option_info(o);
	unsigned rm = oi ? oi->removes : 0;
	double dbg = u->categories[BT_CAT_DEBUGINFO], k = k_of(o);
	int level = bt_unit_debug_level(u);
	/* whether the option removes this unit's debuginfo */
	int whose =
	    u->primary ? rm & BT_RM_DEBUG_MEMBERS : rm & BT_RM_DEBUG_DEPS;

	*compile = *link = *term = *hidden = *link_term = *files = 0;
	if (bt_option_is_debuginfo(o) && !(rm & BT_RM_LINK_ONLY) && whose) {
		int keeps_lines = (rm & BT_RM_KEEP_LINES) != 0;
		if (keeps_lines && level > 1) {
			/* the debug-value passes stay: they run over every
			 * function that has a subprogram, and line-tables-only
			 * keeps those (docs/estimation.md, "What
			 * line-tables-only keeps") */
			*term = fmax(0, dbg - u->debuginfo_lines_s -
					    u->debug_values_s);
			*hidden = u->debug_values_s;
		} else if (!keeps_lines && level > 0) {
			*term = dbg;
			*hidden = u->debuginfo_lines_s + u->debug_values_s;
		}
		*compile = *term + k * *hidden;
	} else if (rm & BT_RM_LINK_ONLY && whose && level > 0 &&
		   !unit_splits(u)) {
		*hidden = fmax(0, dbg - u->debuginfo_lines_s);
		*files = -SPLIT_FILE * (double)li->objects_made;
		*compile = -k * *hidden + *files;
	}
	if (rm & BT_RM_LLVM_CODEGEN && u->has_flags &&
	    strcmp(u->flags.codegen_backend, "cranelift"))
		*compile = k * u->categories[BT_CAT_CODEGEN_LLVM];
	if (rm & BT_RM_GNU_LINK && bt_linker_is_slow(u->linker_used))
		*link = (1 - k) * u->link_cpu_s;
	else if (rm & BT_RM_LLD_LINK && bt_linker_is_lld(u->linker_used))
		*link = (1 - k / R_LLD) * u->link_cpu_s;
	if (bt_option_is_debuginfo(o) && !unit_strips(u)) {
		*link_term = u->link_cpu_s * bt_link_removed_share(li, o);
		*link = LAMBDA * *link_term;
	}
}

int bt_estimate(struct bt_estimator *e, enum bt_option o,
		struct bt_estimate *out)
{
	const struct bt_build *b = e->b;
	double replay;

	memset(out, 0, sizeof(*out));
	out->method = bt_option_info(o) ? bt_option_info(o)->method : "?";
	for (size_t i = 0; i < b->n_units; i++) {
		struct bt_unit_part sv;
		double compile, link;
		bt_unit_saving(&b->units[i], &e->links[i], o, &sv);
		compile = sv.compile_s;
		link = sv.link_s;
		out->term_s += sv.term_s;
		out->hidden_term_s += sv.hidden_term_s;
		out->link_term_s += sv.link_term_s;
		out->files_s += sv.files_s;
		if (compile != 0 || link > 0)
			out->n_units++;
		out->compile_cpu_s += compile;
		out->link_cpu_s += link;
		/* the saving is code generation work (debuginfo, the
		 * backend) and link work; the files on one CPU, as the
		 * frontend's work (links into one directory take its lock
		 * in turn) */
		e->cut[i][BT_PHASE_FRONTEND] = sv.files_s;
		e->cut[i][BT_PHASE_CODEGEN] = compile - sv.files_s;
		e->cut[i][BT_PHASE_LINK] = link;
	}
	out->cpu_s = out->compile_cpu_s + out->link_cpu_s;
	replay =
	    bt_schedule_replay(&e->sched, (const double(*)[BT_PHASES])e->cut);
	/* a cost (split debuginfo's compile side) can make it negative */
	if (replay >= 0 && e->replay_s >= 0)
		out->wall_s = out->cpu_s < 0 ? e->replay_s - replay
					     : fmax(0, e->replay_s - replay);
	if (b->cpu_s > 0)
		out->cpu_pct = 100 * out->cpu_s / b->cpu_s;
	if (b->wall_s > 0)
		out->wall_pct = 100 * out->wall_s / b->wall_s;
	return 0;
}
