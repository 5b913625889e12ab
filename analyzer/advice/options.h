/* options.h - the options btrace knows (options.def): one table that
 * recommend.c, estimate.c and cmd/experiment.c read, so that an option's
 * id, snippet, overrides, caveats and what it removes are written once. */
#ifndef BTRACE_OPTIONS_H
#define BTRACE_OPTIONS_H

#include <stddef.h>

enum bt_option {
#define OPTION(name, k, ...) BT_OPT_##name,
#include "advice/options.def"
#undef OPTION
	BT_OPT_MAX,
};

/* What an option takes out of a build: the estimator's model
 * (estimate.h, docs/estimation.md) reads these bits, never the option.
 *  - the debuginfo bits: whose debuginfo goes (workspace members',
 *    dependencies'), whether the line tables stay (and, in the link, the
 *    address ranges), and whether it is still generated, only kept out
 *    of the link (split debuginfo); KEEP_SUBPROGRAMS: in the link, a
 *    share of the rest too (line-tables-only's DIE per function and
 *    inlined call, with their names and scopes);
 *  - STRIP: cargo links with -C strip=debuginfo (its default for a
 *    profile with debug = 0 that sets no strip), so the link drops the
 *    debuginfo of every input, the standard library's too;
 *  - LLVM_CODEGEN: a share of the LLVM code generation (another backend);
 *  - GNU_LINK, LLD_LINK: a share of the link CPU of GNU ld and gold, and
 *    of lld (a faster linker). */
enum bt_removes {
	BT_RM_DEBUG_MEMBERS = 1 << 0,
	BT_RM_DEBUG_DEPS = 1 << 1,
	BT_RM_KEEP_LINES = 1 << 2,
	BT_RM_KEEP_RANGES = 1 << 3,
	BT_RM_LINK_ONLY = 1 << 4,
	BT_RM_LLVM_CODEGEN = 1 << 5,
	BT_RM_GNU_LINK = 1 << 6,
	BT_RM_LLD_LINK = 1 << 7,
	BT_RM_STRIP = 1 << 8,
	BT_RM_KEEP_SUBPROGRAMS = 1 << 9,
};

#define BT_OPTION_MAX_CONFIG 2

/* One row of options.def.  Strings are static; a field an option has no
 * use for is NULL (or 0). */
struct bt_option_info {
	enum bt_option option;
	const char *id;	     /* "debuginfo-off" (summary.json, --only) */
	const char *file;    /* where the snippet goes */
	const char *snippet; /* the text to add; "{profile}": the profile */
	/* cargo --config overrides that make the same change for one build
	 * ("{profile}" as above), and an extra cargo argument */
	const char *config[BT_OPTION_MAX_CONFIG];
	/* instead of config[0] when the build linked with lld (rustc's own
	 * rust-lld), or NULL */
	const char *config_over_lld;
	const char *cargo_arg;
	const char *needs; /* a program it needs on PATH, or NULL */
	int on_request;	   /* experiment measures it only with --only */
	/* linker options: the linker, and the text that names it in the
	 * .comment section of what it linked */
	const char *linker, *linker_comment;
	unsigned removes;    /* enum bt_removes */
	const char *method;  /* the estimate's method (struct bt_estimate) */
	const char *caveats; /* "" if none */
};

/* The row of option O (O < BT_OPT_MAX), or NULL. */
const struct bt_option_info *bt_option_info(enum bt_option o);

/* "debuginfo-line-tables-only", ... (summary.json's ids); "?" if O is
 * no option. */
const char *bt_option_id(enum bt_option o);
/* The option of an id, or -1. */
int bt_option_of_id(const char *id);

/* Whether O changes what debuginfo is generated or linked (the options
 * the link model applies to). */
int bt_option_is_debuginfo(enum bt_option o);

/* TMPL with every "{profile}" replaced by PROFILE, into OUT (CAP bytes,
 * always terminated).  Returns 0, or -1 if it was cut to fit. */
int bt_option_expand(const char *tmpl, const char *profile, char *out,
		     size_t cap);

#endif
