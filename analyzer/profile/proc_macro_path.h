/* proc_macro_path.h - what a proc-macro library's path looks like, for
 * the symbolizer (its frames are macro expansion: the flame graph's
 * proc-macro frames) and proc_macro.c (expansion time per macro).  A
 * header of its own, static inline, because the symbolizer is also
 * built alone (btrace_symbolize, the fuzzers) without the profile. */
#ifndef BTRACE_PROC_MACRO_PATH_H
#define BTRACE_PROC_MACRO_PATH_H

#include <stddef.h>
#include <string.h>

/* Whether a module path is a proc-macro library: a shared object in a
 * cargo `deps` directory ("/deps/lib<crate>-<hash>.so"); rustc loads
 * nothing else from there (codegen backends live in the toolchain).  The
 * crate name goes to CRATE (CAP bytes) when CRATE is not NULL. */
static inline int bt_is_proc_macro_path(const char *path, char *crate,
					size_t cap)
{
	const char *base, *dash, *dot;
	size_t n;
	if (!path || !(base = strrchr(path, '/')))
		return 0;
	if (base - path < 5 || strncmp(base - 5, "/deps", 5))
		return 0;
	base++;
	dot = strrchr(base, '.');
	if (strncmp(base, "lib", 3) || !dot || strcmp(dot, ".so"))
		return 0;
	dash = NULL; /* the last '-' before ".so": the hash follows it */
	for (const char *c = base; c < dot; c++)
		if (*c == '-')
			dash = c;
	n = (size_t)((dash ? dash : dot) - base - 3);
	if (n == 0)
		return 0;
	if (crate && cap) {
		if (n >= cap)
			n = cap - 1;
		memcpy(crate, base + 3, n);
		crate[n] = '\0';
	}
	return 1;
}

#endif
