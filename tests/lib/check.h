/* check.h - what every test checker shares: the CHECK macro, reading a
 * whole file, a path's last component.
 *
 * A checker is a small program that reads what btrace wrote (a trace, a
 * report) and checks it: it runs every check, prints one "FAIL: ..." line
 * per broken one on stderr, and exits 1 if any broke (check_status()).
 * Header-only: each checker is one translation unit and includes this
 * once.  Not thread-safe (one failure counter per program). */
#ifndef BTRACE_TESTS_CHECK_H
#define BTRACE_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the number of failed CHECKs so far */
static int check_failures;

/* CHECK(cond, fmt, ...): if COND is false, print "FAIL: " and the message
 * and count the failure; the checker goes on with the next check. */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL: " __VA_ARGS__);                 \
			fputc('\n', stderr);                                   \
			check_failures++;                                      \
		}                                                              \
	} while (0)

/* The exit status of a checker: 0 if every CHECK held, 1 if one broke. */
static inline int check_status(void)
{
	return check_failures ? 1 : 0;
}

/* The whole file PATH, NUL-terminated (it may hold other NULs), in a
 * buffer the caller frees; its length in *LEN if LEN is not NULL.  NULL if
 * the file cannot be opened or read, or memory runs out. */
static inline char *slurp_len(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	if (!f)
		return NULL;
	do {
		if (len + 65536 + 1 > cap) {
			nb = realloc(buf, cap = len + 65536 * 2 + 1);
			if (!nb)
				goto fail;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[len] = 0;
	if (len_out)
		*len_out = len;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

static inline char *slurp(const char *path)
{
	return slurp_len(path, NULL);
}

/* slurp() of DIR/NAME. */
static inline char *slurp_at(const char *dir, const char *name)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return NULL;
	return slurp(path);
}

/* The last component of PATH ("rustc" for "/usr/bin/rustc"). */
static inline const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

#endif
