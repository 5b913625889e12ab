/* out_file.h - how the commands write their output files (report, diff,
 * history --plot): into a private output directory, each file through a
 * temporary renamed into place, so that a failed run never leaves half a
 * file that looks whole. */
#ifndef BTRACE_OUT_FILE_H
#define BTRACE_OUT_FILE_H

#include <stdio.h>

/* The output directory: GIVEN, else BASE/SUB; created 0700 if missing
 * (its missing parents too, like mkdir -p),
 * and it must be a directory.  Returns it (the caller frees it), or NULL
 * after "btrace CMD: cannot create DIR: ERR" on stderr, one line. */
char *bt_out_dir(const char *cmd, const char *given, const char *base,
		 const char *sub);

/* Writes DIR/NAME (or NAME where DIR is NULL) through DIR/.NAME.tmp.PID:
 * WRITE(CTX, F) fills F and returns 0, or < 0 with errno (ENOMEM where it
 * set none).  Returns 0, or -1 with errno after "btrace CMD: cannot write
 * PATH: ERR" on stderr, one line; the temporary is gone either way. */
int bt_out_write(const char *cmd, const char *dir, const char *name,
		 int (*write)(void *ctx, FILE *f), void *ctx);

#endif
