/* trace_dir.h - where trace files go, and how they are created safely.
 * Used by the recorder (every traced process) and by `btrace record`. */
#ifndef BTRACE_TRACE_DIR_H
#define BTRACE_TRACE_DIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BT_DEFAULT_BASE "btrace.data"

/* mkdir -p of the directories that lead to PATH, each made with MODE
 * (less the umask) if missing; PATH itself is left alone, and trailing
 * or doubled slashes are fine; a part that exists is taken as it is
 * (the caller's next step finds out if it is no directory).  Not for
 * the recorder: it uses no PATH_MAX stack in hooks.  Returns 0, or -1
 * with errno. */
int bt_mkdir_parents(const char *path, mode_t mode);

/* Creates DIR (mode 0700) if missing, then checks that it is a real
 * directory (not a symlink) owned by us that nobody else can write.
 * Returns 0, or -1 with a one-line reason in *WHY. */
int bt_dir_prepare(const char *dir, const char **why);

/* Creates a new session directory under BASE (relative to the current
 * directory unless absolute), named <yyyymmdd-hhmmss>-<pid>, stores its
 * absolute path in OUT and its name in SESSION, and atomically points
 * BASE/latest at it.  Returns 0 or -1 with *WHY. */
int bt_session_dir_create(const char *base, char *out, size_t cap,
			  char *session, size_t session_cap, const char **why);

/* [AS-safe] Creates a new trace file DIR/<pid>-<ticks>-<k>.btr with
 * O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600, trying k = 0, 1, ...
 * Stores its path in PATH_OUT and returns the open fd, or -1. */
int bt_trace_file_create(const char *dir, uint32_t pid, uint64_t ticks,
			 char *path_out, size_t cap);

/* [AS-safe] The same, created in the directory DIRFD (open on DIR, or
 * AT_FDCWD): the file lands in that very directory even if DIR's path
 * names another one by now.  PATH_OUT still gets DIR/<name>. */
int bt_trace_file_createat(int dirfd, const char *dir, uint32_t pid,
			   uint64_t ticks, char *path_out, size_t cap);

#endif
