/* xalloc.h - the analyzer's one policy for running out of memory.
 *
 * Library code (model/, profile/, advice/, output/, analyze.c) never
 * exits and never aborts: every allocation is checked, and a failure is
 * carried up as -1 (or NULL, or a sticky flag such as
 * bt_symbolizer_nomem() where a lookup has no error return) with errno
 * ENOMEM, freeing what was made on the way.  Only a command (cmd/) turns
 * it into an exit: one line on stderr, "btrace CMD: out of memory ...",
 * and BT_EXIT_NOMEM (4, README "Exit codes"), the same everywhere.
 * tests/robustness/oom checks it by failing every allocation in turn. */
#ifndef BTRACE_XALLOC_H
#define BTRACE_XALLOC_H

#include <errno.h>

#include "cli.h"

/* The exit code for a failure that set errno: BT_EXIT_NOMEM when memory
 * ran out, else OTHER. */
static inline int bt_exit_for_errno(int other)
{
	return errno == ENOMEM ? BT_EXIT_NOMEM : other;
}

#endif
