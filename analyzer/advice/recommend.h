/* recommend.h - what to change in Cargo.toml, from the Cargo book's
 * build-performance guide, with this build's estimated saving.
 *
 * Every option is considered; one is recommended only when it is not
 * already in force (read from the compilations' parsed flags) and its
 * estimated saving reaches BT_RECOMMEND_MIN_PCT of the build's CPU or
 * wall time.  The others stay listed with the reason they were not
 * recommended (summary.json "considered"). */
#ifndef BTRACE_RECOMMEND_H
#define BTRACE_RECOMMEND_H

#include <stddef.h>

#include "model/build_model.h"
#include "advice/estimate.h"

#define BT_RECOMMEND_MIN_PCT 2.0

/* What was decided about an option; `reason` says it in words for
 * people, this says it for code (experiment picks what to measure by
 * it, never by the text). */
enum bt_rec_status {
	BT_REC_RECOMMENDED,	/* saves at least BT_RECOMMEND_MIN_PCT */
	BT_REC_BELOW_THRESHOLD, /* would save less than that */
	BT_REC_IN_FORCE,	/* the build already does it */
	BT_REC_CANNOT_TELL,	/* the trace cannot say whether it applies */
	BT_REC_NOTHING_TO_DO,	/* nothing it would change (a no-op build,
				   nothing linked, not a Linux target) */
	BT_REC_SLOWER_HERE,	/* measured slower on this machine */
	BT_REC_NOT_MEASURED,	/* needs a measurement here first */
};

struct bt_recommendation {
	enum bt_option option;
	const char *id;
	enum bt_rec_status status;
	int recommended;     /* status == BT_REC_RECOMMENDED */
	char reason[512];    /* one line: the measured cost, or why not */
	const char *file;    /* where the snippet goes (options.def) */
	char snippet[640];   /* the exact text to add */
	const char *caveats; /* "" if none (options.def) */
	char keeps[320];     /* debuginfo-deps-off: the crates that keep it */
	struct bt_estimate estimate;
};

struct bt_recommendations {
	/* the recommended ones first, by estimated saving, then the rest */
	struct bt_recommendation items[BT_OPT_MAX];
	size_t n, n_recommended;
	char profile[64];     /* the Cargo profile the build used: "dev" */
	double replay_wall_s; /* the observed schedule replayed */
	int jobs;	      /* the replay's job slots */
	double cpus;	      /* and the CPU capacity it fitted */
	size_t link_inputs, link_inputs_missing;
	/* The kind of build the estimates are for (summary.json "build"):
	 * "clean" (nothing from earlier builds was linked), "rebuild"
	 * (some crates were compiled, others linked from an earlier
	 * build) or "no-op" (nothing compiled).  Savings are per build of
	 * that kind. */
	const char *build_kind;
	size_t units_compiled; /* rustc compilations in this build */
	size_t crates_reused;  /* crates linked from earlier builds */
};

/* One line on the kind of build: "rebuild: 1 of 46 units compiled (45
 * crates linked from earlier builds)". */
void bt_build_kind_line(const struct bt_recommendations *rs, char *out,
			size_t cap);

/* Considers every option for B, whose profile should be made.  Returns 0,
 * or -1 when out of memory. */
int bt_recommend(const struct bt_build *b, struct bt_recommendations *out);

/* Whether R's option would change the build at all: not in force,
 * not "cannot tell", not "nothing to do" (what experiment measures). */
int bt_rec_applies(const struct bt_recommendation *r);

#endif
