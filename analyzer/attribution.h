/* attribution.h - which part of the build a sampled stack's CPU time
 * belongs to.
 *
 * Categories are fixed (summary.json's "categories" keys).  Frames are
 * matched against the rules in attribution_rules.def; the innermost frame
 * with a rule decides the stack.  Whole processes that are not compilers
 * are attributed by kind: linkers to link, build scripts to build_script,
 * cargo to cargo, rustc probes to probe.
 * docs/attribution.md explains the rules and their evidence. */
#ifndef BTRACE_ATTRIBUTION_H
#define BTRACE_ATTRIBUTION_H

#include <stddef.h>

enum bt_category {
	BT_CAT_FRONTEND = 0,
	BT_CAT_CODEGEN_LLVM,
	BT_CAT_CODEGEN_CRANELIFT,
	BT_CAT_DEBUGINFO,
	BT_CAT_LINK,
	BT_CAT_BUILD_SCRIPT,
	BT_CAT_CARGO,	/* cargo's own process: fingerprints, resolution,
			   job control */
	BT_CAT_PROBE,	/* rustc probes (-vV, --print): cargo's queries */
	BT_CAT_STARTUP, /* a compiler's CPU no sample covers: start-up
			   before the sampler runs, and exit */
	BT_CAT_OTHER,
	BT_CAT_MAX,
	/* Not a category: a rule's "the unit's codegen backend". */
	BT_CAT_CODEGEN = BT_CAT_MAX + 1,
	BT_CAT_NONE = -1, /* no rule matches the frame */
};

/* A rule's result may carry flags on top of its category (small values:
 * profile.c keeps them in an int8_t per function).
 *  - BT_RULE_WEAK: a catch-all for a whole layer (all of llvm::, all of
 *    rustc_codegen_ssa::, rustc_interface::).  A stack is decided by its
 *    innermost strong rule, and only by its innermost weak rule when no
 *    frame has a strong one, so that generic LLVM helpers (MDNode,
 *    MCStreamer) called from DIBuilder or DwarfDebug are debuginfo.
 *  - BT_RULE_LINES: a debuginfo rule for work that `debug =
 *    "line-tables-only"` keeps (source locations, scopes, the line
 *    table); the rest of debuginfo (types, variables) goes away with it.
 *  - BT_RULE_DEBUG_VALUES: a debuginfo rule for the machine passes that
 *    track variables' debug values (LiveDebugValues and its kin): their
 *    time measures how many debug-value instructions the unit carries,
 *    which also slow instruction selection and emission (estimate.h). */
enum {
	BT_RULE_WEAK = 16,
	BT_RULE_LINES = 32,
	BT_RULE_DEBUG_VALUES = 64,
	BT_RULE_FLAGS = BT_RULE_WEAK | BT_RULE_LINES | BT_RULE_DEBUG_VALUES,
};

/* "frontend", "codegen_llvm", ... */
const char *bt_category_name(int category);

/* The rule one frame matches: its demangled function name (NULL if
 * unknown) and module basename (NULL if unknown).  Returns BT_CAT_NONE
 * when no rule matches, else a category (possibly BT_CAT_CODEGEN, which
 * bt_stack_category resolves) with BT_RULE_* flags. */
int bt_frame_rule(const char *func, const char *module);

/* BT_CAT_CODEGEN_CRANELIFT for a "cranelift" backend, else
 * BT_CAT_CODEGEN_LLVM. */
int bt_codegen_category(const char *backend);

/* The rule that decides a stack of N frames' rule results (innermost
 * first): the first strong one, else the first weak one, else
 * BT_CAT_NONE. */
int bt_stack_rule(const int *frame_rules, size_t n);

/* The category of a stack: its deciding rule's, with BT_CAT_CODEGEN
 * resolved for BACKEND; BT_CAT_OTHER if no frame has a rule. */
int bt_stack_category(const int *frame_rules, size_t n, const char *backend);

/* Whether a debuginfo stack is line-table work (BT_RULE_LINES). */
int bt_stack_line_tables(const int *frame_rules, size_t n);

/* Whether a debuginfo stack is debug-value tracking
 * (BT_RULE_DEBUG_VALUES). */
int bt_stack_debug_values(const int *frame_rules, size_t n);

/* The number of rules, for tests and docs. */
size_t bt_rule_count(void);

#endif
