/* db_file.c - where the SQLite history file lives, and making sure that
 * nobody else can steer it.
 *
 * The default file is $XDG_DATA_HOME/btrace/history.db (or
 * ~/.local/share/btrace/history.db): argv and paths of every build are in
 * it, so the btrace directory is 0700 and ours, the file 0600 and ours,
 * and every directory on the way is owned by root or by us and writable
 * by nobody else (or sticky, like /tmp): then no other user can swap a
 * component between our checks and SQLite's open.  A path given with
 * --db is the user's choice: it must only be a regular file and not a
 * symbolic link, created 0600 if missing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "history/db_file.h"
#include "trace_dir.h"

int bt_store_default_path(char *buf, size_t cap, char *err, size_t errlen)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;
	if (x && x[0] == '/')
		n = snprintf(buf, cap, "%s/btrace/history.db", x);
	else if (home && home[0] == '/')
		n = snprintf(buf, cap, "%s/.local/share/btrace/history.db",
			     home);
	else {
		snprintf(err, errlen,
			 "no history file: neither XDG_DATA_HOME nor HOME is "
			 "an absolute path (give one with --db)");
		return -1;
	}
	if (n < 0 || (size_t)n >= cap) {
		snprintf(err, errlen, "the history file's path is too long");
		return -1;
	}
	return 0;
}

/* Walks the resolved directory DIR from / with O_NOFOLLOW, checking each
 * component; returns its descriptor, or -1 with ERR. */
static int open_safe_dir(const char *dir, char *err, size_t errlen)
{
	char buf[PATH_MAX], *save = NULL, *comp;
	uid_t me = geteuid();
	struct stat st;
	int fd, next;

	snprintf(buf, sizeof(buf), "%s", dir);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto fail_errno;
	for (comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (fstat(fd, &st) < 0)
			goto fail_errno;
		if ((st.st_uid != 0 && st.st_uid != me) ||
		    ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
			snprintf(err, errlen,
				 "%s: a directory on its path is owned or "
				 "writable by another user (%.*s)",
				 dir,
				 comp - buf > 1 ? (int)(comp - buf - 1) : 1,
				 dir);
			goto fail;
		}
		next = openat(fd, comp,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			goto fail_errno;
		close(fd);
		fd = next;
	}
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	if (st.st_uid != me || (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "%s: the history directory must be yours and private "
			 "(mode 0700; it is %04o, owner %u)",
			 dir, (unsigned)(st.st_mode & 07777),
			 (unsigned)st.st_uid);
		goto fail;
	}
	return fd;
fail_errno:
	snprintf(err, errlen, "%s: %s", dir, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Creates or checks the file NAME under DIRFD (AT_FDCWD: a path). */
static int check_file(int dirfd, const char *name, const char *shown,
		      int private, char *err, size_t errlen)
{
	struct stat st;
	int fd =
	    openat(dirfd, name,
		   O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", shown,
			 errno == ELOOP ? "is a symbolic link"
					: strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", shown);
		goto fail;
	}
	if (private && (st.st_uid != geteuid() || (st.st_mode & 077) ||
			st.st_nlink != 1)) {
		snprintf(err, errlen,
			 "%s: the history file must be yours, private (mode "
			 "0600; it is %04o) and have one link",
			 shown, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

int bt_hist_db_file(const char *given, char *path, size_t cap, char *err,
		    size_t errlen)
{
	char want[PATH_MAX], real[PATH_MAX], *slash;
	int dfd, rc, made;

	if (given) {
		if (snprintf(path, cap, "%s", given) >= (int)cap) {
			snprintf(err, errlen, "%s: path too long", given);
			return -1;
		}
		return check_file(AT_FDCWD, given, given, 0, err, errlen);
	}
	if (bt_store_default_path(want, sizeof(want), err, errlen) < 0)
		return -1;
	made = bt_mkdir_parents(want, 0700);
	slash = strrchr(want, '/');
	*slash = 0;
	if (made < 0 || !realpath(want, real)) {
		snprintf(err, errlen, "%s: %s", want, strerror(errno));
		return -1;
	}
	dfd = open_safe_dir(real, err, errlen);
	if (dfd < 0)
		return -1;
	if (snprintf(path, cap, "%s/history.db", real) >= (int)cap) {
		snprintf(err, errlen, "%s: path too long", real);
		close(dfd);
		return -1;
	}
	rc = check_file(dfd, "history.db", path, 1, err, errlen);
	close(dfd);
	return rc;
}
