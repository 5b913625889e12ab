/* out_file.c - see out_file.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_dir.h"
#include "cmd/out_file.h"

char *bt_out_dir(const char *cmd, const char *given, const char *base,
		 const char *sub)
{
	struct stat st;
	char *dir = NULL;

	if (given)
		dir = strdup(given);
	else if (asprintf(&dir, "%s/%s", base, sub) < 0)
		dir = NULL;
	if (!dir)
		goto fail;
	/* -o a/b makes a/ too, as `btrace record -o` does */
	if (bt_mkdir_parents(dir, 0700) < 0 ||
	    (mkdir(dir, 0700) < 0 && errno != EEXIST))
		goto fail;
	if (stat(dir, &st) < 0)
		goto fail;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	return dir;
fail:
	fprintf(stderr, "btrace %s: cannot create %s: %s\n", cmd,
		dir ? dir : "the output directory", strerror(errno));
	free(dir);
	return NULL;
}

int bt_out_write(const char *cmd, const char *dir, const char *name,
		 int (*write)(void *ctx, FILE *f), void *ctx)
{
	char *path = NULL, *tmp = NULL;
	const char *base = strrchr(name, '/');
	FILE *f = NULL;
	int fd, rc = -1, saved;

	/* the temporary beside the file, hidden: DIR/[NAME's dirs/].BASE */
	base = base ? base + 1 : name;
	if (dir ? asprintf(&path, "%s/%s", dir, name) < 0
		: !(path = strdup(name))) {
		path = NULL;
		goto out;
	}
	if (asprintf(&tmp, "%.*s.%s.tmp.%d", (int)(strlen(path) - strlen(base)),
		     path, base, (int)getpid()) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		goto out;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		goto out;
	}
	errno = 0;
	if (write(ctx, f) < 0) {
		if (!errno)
			errno = ENOMEM;
		goto out;
	}
	if (fflush(f) != 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (f)
		fclose(f);
	if (rc < 0 && tmp)
		unlink(tmp);
	if (rc < 0)
		fprintf(stderr, "btrace %s: cannot write %s: %s\n", cmd,
			path ? path : name, strerror(saved));
	free(path);
	free(tmp);
	errno = saved;
	return rc;
}
