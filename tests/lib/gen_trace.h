/* gen_trace.h - synthetic traces for a unit test: bench/gen_trace run
 * into the test's temporary directory at setup, and the directory removed
 * at teardown.  GEN_TRACE is gen_trace's path (a compile definition that
 * CMake sets).  Header-only, like check.h. */
#ifndef BTRACE_TESTS_GEN_TRACE_H
#define BTRACE_TESTS_GEN_TRACE_H

#include <stdio.h>
#include <stdlib.h>

/* Writes the trace DIR/NAME with gen_trace ARGS (e.g. "-p 40 -s 600
 * --seed 3"), its output thrown away.  Returns 0, or -1 if it failed. */
static inline int gen_trace(const char *dir, const char *name, const char *args)
{
	char *cmd;
	int rc;
	if (asprintf(&cmd, "'%s' -o '%s/%s' %s >/dev/null", GEN_TRACE, dir,
		     name, args) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* rm -rf DIR.  Returns 0, or -1 if it failed. */
static inline int gen_trace_rm(const char *dir)
{
	char *cmd;
	int rc;
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

#endif
