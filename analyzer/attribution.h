/* attribution.h - which part of the build a sampled stack's CPU time
 * belongs to.
 *
 * Categories are fixed (summary.json's "categories" keys).  Frames are
 * matched against the rules in attribution_rules.def; the innermost frame
 * with a rule decides the stack.  Whole processes that are not compilers
 * are attributed by kind: linkers to link, build scripts to build_script.
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
	BT_CAT_OTHER,
	BT_CAT_MAX,
	/* Not a category: a rule's "the unit's codegen backend". */
	BT_CAT_CODEGEN = BT_CAT_MAX + 1,
	BT_CAT_NONE = -1, /* no rule matches the frame */
};

/* "frontend", "codegen_llvm", ... */
const char *bt_category_name(int category);

/* The category the rules give one frame: its demangled function name
 * (NULL if unknown) and module basename (NULL if unknown).  Returns
 * BT_CAT_NONE when no rule matches, and may return BT_CAT_CODEGEN, which
 * the caller resolves with bt_codegen_category. */
int bt_frame_rule(const char *func, const char *module);

/* BT_CAT_CODEGEN_CRANELIFT for a "cranelift" backend, else
 * BT_CAT_CODEGEN_LLVM. */
int bt_codegen_category(const char *backend);

/* The category of a stack of N frames' rule results (innermost first):
 * the first that is not BT_CAT_NONE, with BT_CAT_CODEGEN resolved for
 * BACKEND; BT_CAT_OTHER if none has a rule. */
int bt_stack_category(const int *frame_rules, size_t n, const char *backend);

/* The number of rules, for tests and docs. */
size_t bt_rule_count(void);

#endif
