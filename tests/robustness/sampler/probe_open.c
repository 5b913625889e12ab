/* probe_open.c - an LD_PRELOAD library put before libbtrace.so: every
 * open(2) and openat(2) of the process goes through it, libbtrace's
 * included.  At exit it appends to $PROBE_LOG how many paths under
 * /proc/self/task/ and how many under $PROBE_DIR (the trace directory)
 * were opened (tests/robustness/sampler, case thread_names). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int task_opens, dir_opens;

static void count(const char *path)
{
	const char *dir = getenv("PROBE_DIR");
	if (!path)
		return;
	if (strncmp(path, "/proc/self/task/", 16) == 0)
		__atomic_add_fetch(&task_opens, 1, __ATOMIC_RELAXED);
	if (dir && *dir && strncmp(path, dir, strlen(dir)) == 0)
		__atomic_add_fetch(&dir_opens, 1, __ATOMIC_RELAXED);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	count(path);
	return real(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "openat");
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	count(path);
	return real(dirfd, path, flags, mode);
}

/* After libbtrace's destructor (a library preloaded first is finalized
 * last), so the shim's last records are counted. */
__attribute__((destructor)) static void report(void)
{
	const char *log = getenv("PROBE_LOG");
	FILE *f = log ? fopen(log, "a") : NULL;
	if (!f)
		return;
	fprintf(f, "task %d dir %d\n", task_opens, dir_opens);
	fclose(f);
}
