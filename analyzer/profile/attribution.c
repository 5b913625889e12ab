/* attribution.c - match frames against attribution_rules.def. */
#include <string.h>

#include "profile/attribution.h"

enum match { PREFIX, CONTAINS, MODULE };

struct rule {
	enum match match;
	const char *pattern;
	size_t len;
	int category;
};

#define FRONTEND BT_CAT_FRONTEND
#define CODEGEN BT_CAT_CODEGEN
#define CODEGEN_LLVM BT_CAT_CODEGEN_LLVM
#define CODEGEN_CRANELIFT BT_CAT_CODEGEN_CRANELIFT
#define DEBUGINFO BT_CAT_DEBUGINFO
#define LINK BT_CAT_LINK
#define RULE(m, p, c) {m, p, sizeof(p) - 1, c},
#define CATCHALL(m, p, c) {m, p, sizeof(p) - 1, (c) | BT_RULE_WEAK},
#define LINES(m, p) {m, p, sizeof(p) - 1, BT_CAT_DEBUGINFO | BT_RULE_LINES},
#define DEBUG_VALUES(m, p)                                                     \
	{m, p, sizeof(p) - 1, BT_CAT_DEBUGINFO | BT_RULE_DEBUG_VALUES},
static const struct rule rules[] = {
#include "profile/attribution_rules.def"
};
#undef RULE
#undef CATCHALL
#undef LINES
#undef DEBUG_VALUES

static const char *const names[BT_CAT_MAX] = {
    [BT_CAT_FRONTEND] = "frontend",
    [BT_CAT_CODEGEN_LLVM] = "codegen_llvm",
    [BT_CAT_CODEGEN_CRANELIFT] = "codegen_cranelift",
    [BT_CAT_DEBUGINFO] = "debuginfo",
    [BT_CAT_LINK] = "link",
    [BT_CAT_BUILD_SCRIPT] = "build_script",
    [BT_CAT_CARGO] = "cargo",
    [BT_CAT_PROBE] = "probe",
    [BT_CAT_STARTUP] = "startup",
    [BT_CAT_OTHER] = "other",
};

const char *bt_category_name(int category)
{
	return category >= 0 && category < BT_CAT_MAX ? names[category] : "?";
}

size_t bt_rule_count(void)
{
	return sizeof(rules) / sizeof(*rules);
}

int bt_frame_rule(const char *func, const char *module)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		const struct rule *r = &rules[i];
		const char *subject = r->match == MODULE ? module : func;
		if (!subject)
			continue;
		if (r->match == CONTAINS
			? strstr(subject, r->pattern) != NULL
			: !strncmp(subject, r->pattern, r->len))
			return r->category;
	}
	return BT_CAT_NONE;
}

int bt_codegen_category(const char *backend)
{
	return backend && !strcmp(backend, "cranelift")
		   ? BT_CAT_CODEGEN_CRANELIFT
		   : BT_CAT_CODEGEN_LLVM;
}

int bt_stack_rule(const int *frame_rules, size_t n)
{
	int weak = BT_CAT_NONE;
	for (size_t i = 0; i < n; i++) {
		if (frame_rules[i] == BT_CAT_NONE)
			continue;
		if (!(frame_rules[i] & BT_RULE_WEAK))
			return frame_rules[i];
		if (weak == BT_CAT_NONE)
			weak = frame_rules[i];
	}
	return weak;
}

int bt_stack_category(const int *frame_rules, size_t n, const char *backend)
{
	int rule = bt_stack_rule(frame_rules, n);
	if (rule == BT_CAT_NONE)
		return BT_CAT_OTHER;
	rule &= ~BT_RULE_FLAGS;
	return rule == BT_CAT_CODEGEN ? bt_codegen_category(backend) : rule;
}

int bt_stack_line_tables(const int *frame_rules, size_t n)
{
	int rule = bt_stack_rule(frame_rules, n);
	return rule != BT_CAT_NONE && (rule & BT_RULE_LINES);
}

int bt_stack_debug_values(const int *frame_rules, size_t n)
{
	int rule = bt_stack_rule(frame_rules, n);
	return rule != BT_CAT_NONE && (rule & BT_RULE_DEBUG_VALUES);
}
