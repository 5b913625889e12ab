/* db_file.h - the SQLite history file: where it is, and checked before
 * SQLite opens it (db_file.c says what is checked).  Private to
 * history/. */
#ifndef BTRACE_HISTORY_DB_FILE_H
#define BTRACE_HISTORY_DB_FILE_H

#include <stddef.h>

#include "history/store.h"

/* The file to open: GIVEN (a --db path), or the default file with its
 * private directory made.  Creates the file 0600 if missing, checks it,
 * and writes the path SQLite must open into PATH.  0, or -1 with ERR. */
int bt_hist_db_file(const char *given, char *path, size_t cap, char *err,
		    size_t errlen);

#endif
