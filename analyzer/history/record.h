/* record.h - a build's row for the history store, from bt_analyze()'s
 * results, and the hook report and record call after their work.
 * docs/history.md says what is stored and when. */
#ifndef BTRACE_HISTORY_RECORD_H
#define BTRACE_HISTORY_RECORD_H

#include <stddef.h>

#include "analyze.h"
#include "history/store.h"

/* Fills B (all but id) and *UNITS (malloc'd, *N of them; the caller
 * frees) from A.  0, or -1 when out of memory. */
int bt_hist_from_analysis(const struct bt_analysis *a, struct bt_hist_build *b,
			  struct bt_hist_unit **units, size_t *n);

/* Whether a command stores its build: BTRACE_HISTORY=0 says no and =1
 * yes, whatever the command; unset, BY_DEFAULT decides (report 1,
 * record 0 unless --history). */
int bt_history_wanted(int by_default);

/* Stores A's build in DB (NULL: $BTRACE_DB, else the default file) and
 * says so on stderr in one line ("btrace CMD: history: ..."), or why
 * not.  Returns 0, or -1 (the command's own outputs stand: callers
 * warn, they do not fail). */
int bt_history_store(const char *cmd, const struct bt_analysis *a,
		     const char *db);

#endif
