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

/* Which entry of ENVP is the one that counts for the name of WANT: the
 * loader takes the last LD_PRELOAD= (each one it meets replaces the one
 * before), getenv() and so our BTRACE_* the first.  -1 if none. */
static long counting_entry(char *const envp[], size_t n, const char *want)
{
	int last = strncmp(want, "LD_PRELOAD=", 11) == 0;
	long found = -1;
	for (size_t i = 0; i < n; i++) {
		if (!same_name(envp[i], want))
			continue;
		found = (long)i;
		if (!last)
			break;
	}
	return found;
}

int bt_env_repair(char *const envp[], const struct bt_inject *inj, char **out,
		  size_t cap, char *scratch, size_t scratch_cap)
{
	size_t n = 0, k = 0, add = 0;
	long at[BT_INJECT_MAX];
	long merge = -1; /* the LD_PRELOAD= entry that lacks our library */
	size_t merge_inj = 0;

	if (envp)
		while (envp[n])
			n++;
	/* First decide, without writing anything: most environments need
	 * nothing, and then no buffer is needed at all. */
	for (size_t j = 0; j < inj->count; j++) {
		at[j] = counting_entry(envp, n, inj->entries[j]);
		if (at[j] < 0)
			add++;
		else if (strncmp(inj->entries[j], "LD_PRELOAD=", 11) == 0 &&
			 !preload_has(envp[at[j]] + 11, inj->preload_needle)) {
			merge = at[j];
			merge_inj = j;
		}
	}
	if (!add && merge < 0)
		return 0;
	if (n + add + 1 > cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[k++] = envp[i];
	if (merge >= 0) {
		/* Ours first, then theirs: "LD_PRELOAD=<ours> <theirs>". */
		const char *want = inj->entries[merge_inj];
		const char *e = envp[merge];
		size_t wl = strlen(want), tl = strlen(e + 11);
		if (wl + 1 + tl + 1 > scratch_cap)
			return -1;
		memcpy(scratch, want, wl);
		scratch[wl] = ' ';
		memcpy(scratch + wl + 1, e + 11, tl + 1);
		out[merge] = scratch;
	}
	for (size_t j = 0; j < inj->count; j++)
		if (at[j] < 0)
			out[k++] = (char *)inj->entries[j];
	out[k] = NULL;
	return (int)k;
}

size_t bt_env_repair_need(char *const envp[], const struct bt_inject *inj,
			  size_t *scratch_need)
{
	size_t n = 0, s = 0;
	if (envp)
		for (; envp[n]; n++)
			if (strncmp(envp[n], "LD_PRELOAD=", 11) == 0)
				s += strlen(envp[n]);
	for (size_t j = 0; j < inj->count; j++)
		s += strlen(inj->entries[j]);
	*scratch_need = s + 2;
	return n + inj->count + 1;
}

/* Variables worth recording: cargo's facts about the unit, and the flags
 * and tools that change how it builds.  Never the whole environment. */
static const char *const allow_exact[] = {
    "CARGO_PKG_NAME",
    "CARGO_PKG_VERSION",
    "CARGO_CRATE_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_BIN_NAME",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_JOBS",
    "CARGO_INCREMENTAL",
    "CARGO_MAKEFLAGS",
    "CARGO",
    "RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_BOOTSTRAP",
    "RUSTUP_TOOLCHAIN",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "OUT_DIR",
    "CC",
    "CXX",
    "LD",
    "CFLAGS",
    "LDFLAGS",
};
static const char *const allow_prefix[] = {
    "CARGO_PROFILE_",
    "BTRACE_",
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
