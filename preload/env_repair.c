/* env_repair.c - put LD_PRELOAD and BTRACE_* back into child environments,
 * and the allow-list of variables we record.  [AS-safe]: stack and caller
 * buffers only. */
#include <string.h>

#include "shim.h"

/* Length of the NAME part of "NAME=value" (whole string if no '='). */
static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static int same_name(const char *a, const char *b)
{
	size_t n = name_len(a);
	return n == name_len(b) && memcmp(a, b, n) == 0;
}

/* Does the LD_PRELOAD value list (separated by ':' or ' ') name a file
 * whose base name is NEEDLE? */
static int preload_has(const char *value, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p = value;
	while (*p) {
		const char *end = p, *base = p;
		while (*end && *end != ':' && *end != ' ')
			end++;
		for (const char *q = p; q < end; q++)
			if (*q == '/')
				base = q + 1;
		if ((size_t)(end - base) == nl && memcmp(base, needle, nl) == 0)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int bt_env_repair(char *const envp[], const struct bt_inject *inj,
		  char **out, size_t cap, char *scratch, size_t scratch_cap)
{
	size_t n = 0, k = 0;
	int changed = 0;
	unsigned char present[BT_INJECT_MAX] = {0};

	if (envp)
		while (envp[n])
			n++;
	if (n + inj->count + 1 > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *e = envp[i];
		out[k++] = e;
		for (size_t j = 0; j < inj->count; j++) {
			const char *want = inj->entries[j];
			if (present[j] || !same_name(e, want))
				continue;
			present[j] = 1;
			if (strncmp(want, "LD_PRELOAD=", 11) == 0 &&
			    !preload_has(e + 11, inj->preload_needle)) {
				/* Ours first, then theirs. */
				size_t wl = strlen(want), tl = strlen(e + 11);
				if (wl + 1 + tl + 1 > scratch_cap)
					return -1;
				memcpy(scratch, want, wl);
				scratch[wl] = ' ';
				memcpy(scratch + wl + 1, e + 11, tl + 1);
				out[k - 1] = scratch;
				changed = 1;
			}
		}
	}
	for (size_t j = 0; j < inj->count; j++) {
		if (!present[j]) {
			out[k++] = (char *)inj->entries[j];
			changed = 1;
		}
	}
	out[k] = NULL;
	return changed ? (int)k : 0;
}

/* Variables worth recording: cargo's facts about the unit, and the flags
 * and tools that change how it builds.  Never the whole environment. */
static const char *const allow_exact[] = {
	"CARGO_PKG_NAME", "CARGO_PKG_VERSION", "CARGO_CRATE_NAME",
	"CARGO_PRIMARY_PACKAGE", "CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH",
	"CARGO_BIN_NAME", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_DIR",
	"CARGO_BUILD_JOBS", "CARGO_INCREMENTAL", "CARGO_MAKEFLAGS", "CARGO",
	"RUSTFLAGS", "RUSTC", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER",
	"RUSTC_BOOTSTRAP", "RUSTUP_TOOLCHAIN", "TARGET", "HOST", "PROFILE",
	"OPT_LEVEL", "DEBUG", "NUM_JOBS", "OUT_DIR", "CC", "CXX", "LD",
	"CFLAGS", "LDFLAGS",
};
static const char *const allow_prefix[] = {
	"CARGO_PROFILE_", "BTRACE_",
};

int bt_env_allowed(const char *entry)
{
	size_t n = name_len(entry);
	if (!entry[n])
		return 0; /* no '=': not a variable */
	for (size_t i = 0; i < sizeof(allow_exact) / sizeof(*allow_exact); i++)
		if (strlen(allow_exact[i]) == n &&
		    memcmp(allow_exact[i], entry, n) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(allow_prefix) / sizeof(*allow_prefix);
	     i++) {
		size_t pl = strlen(allow_prefix[i]);
		if (n > pl && memcmp(allow_prefix[i], entry, pl) == 0)
			return 1;
	}
	return 0;
}
