/* xalloc.h - what the analyzer does when memory runs out.
 *
 * Most of the analyzer returns -1 on ENOMEM and lets the command return
 * BT_EXIT_NOMEM (cli.h).  The trace reader and the symbolizer, whose
 * allocations are too many to unwind, still stop the process here: one
 * message and the same exit code as everywhere else.  (Issue 15 plans
 * one policy where library code never exits; docs/architecture.md.) */
#ifndef BTRACE_XALLOC_H
#define BTRACE_XALLOC_H

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

__attribute__((noreturn)) static inline void bt_oom_exit(void)
{
	fputs("btrace: out of memory\n", stderr);
	exit(BT_EXIT_NOMEM);
}

#endif
