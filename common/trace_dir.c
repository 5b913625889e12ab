/* trace_dir.c - see trace_dir.h.  The trace directory is 0700 and ours; files
 * are 0600, created with O_EXCL|O_NOFOLLOW so that nobody can make us write
 * through a link. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace_dir.h"

#include "trace_format.h"

/* [AS-safe] Appends decimal V to BUF at *POS (bounded by CAP). */
static void put_u64(char *buf, size_t cap, size_t *pos, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && *pos + 1 < cap)
		buf[(*pos)++] = tmp[--n];
	buf[*pos] = 0;
}

static void put_str(char *buf, size_t cap, size_t *pos, const char *s)
{
	while (*s && *pos + 1 < cap)
		buf[(*pos)++] = *s++;
	buf[*pos] = 0;
}

static void put_2d(char *buf, size_t cap, size_t *pos, int v)
{
	char t[3] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10), 0};
	put_str(buf, cap, pos, t);
}

int bt_mkdir_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
		while (p[1] == '/')
			p++;
	}
	return 0;
}

int bt_dir_prepare(const char *dir, const char **why)
{
	struct stat st;
	int fd;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*why = "cannot create the trace directory";
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*why = "trace directory is not a directory (or is a symlink)";
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		*why = "cannot stat the trace directory";
		return -1;
	}
	close(fd);
	if (st.st_uid != geteuid()) {
		*why = "trace directory belongs to another user";
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "trace directory is writable by others";
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		*why = "trace directory is not writable";
		return -1;
	}
	return 0;
}

int bt_session_dir_create(const char *base, char *out, size_t cap,
			  char *session, size_t session_cap, const char **why)
{
	char cwd[1024], name[64], link_tmp[1200], link_path[1200];
	size_t pos;
	struct timespec ts;
	struct tm tm;
	const char *why_base = NULL;

	if (base[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd))) {
			*why = "cannot read the current directory";
			return -1;
		}
	} else {
		cwd[0] = 0;
	}
	/* The base (./btrace.data) may be shared by several sessions. */
	pos = 0;
	out[0] = 0;
	if (cwd[0]) {
		put_str(out, cap, &pos, cwd);
		put_str(out, cap, &pos, "/");
	}
	put_str(out, cap, &pos, base);
	if (bt_dir_prepare(out, &why_base) < 0) {
		*why = why_base;
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	for (int attempt = 0; attempt < 100; attempt++) {
		size_t np = 0, op = pos;
		put_u64(name, sizeof(name), &np, (uint64_t)tm.tm_year + 1900);
		put_2d(name, sizeof(name), &np, tm.tm_mon + 1);
		put_2d(name, sizeof(name), &np, tm.tm_mday);
		put_str(name, sizeof(name), &np, "-");
		put_2d(name, sizeof(name), &np, tm.tm_hour);
		put_2d(name, sizeof(name), &np, tm.tm_min);
		put_2d(name, sizeof(name), &np, tm.tm_sec);
		put_str(name, sizeof(name), &np, "-");
		put_u64(name, sizeof(name), &np, (uint64_t)getpid());
		if (attempt) {
			put_str(name, sizeof(name), &np, "-");
			put_u64(name, sizeof(name), &np, (uint64_t)attempt);
		}
		put_str(out, cap, &op, "/");
		put_str(out, cap, &op, name);
		if (op + 1 >= cap) {
			*why = "trace directory path too long";
			return -1;
		}
		if (mkdir(out, 0700) == 0) {
			size_t sp = 0;
			put_str(session, session_cap, &sp, name);
			/* Point BASE/latest at it: a new link renamed over. */
			size_t lp = 0, tp = 0;
			out[pos] = 0;
			put_str(link_path, sizeof(link_path), &lp, out);
			put_str(link_path, sizeof(link_path), &lp, "/latest");
			put_str(link_tmp, sizeof(link_tmp), &tp, link_path);
			put_str(link_tmp, sizeof(link_tmp), &tp, ".");
			put_u64(link_tmp, sizeof(link_tmp), &tp,
				(uint64_t)getpid());
			unlink(link_tmp);
			if (symlink(name, link_tmp) == 0 &&
			    rename(link_tmp, link_path) < 0)
				unlink(link_tmp);
			out[pos] = '/';
			return 0;
		}
		if (errno != EEXIST) {
			*why = "cannot create the session directory";
			return -1;
		}
		out[pos] = 0;
	}
	*why = "cannot find a free session directory name";
	return -1;
}

int bt_trace_file_create(const char *dir, uint32_t pid, uint64_t ticks,
			 char *path_out, size_t cap)
{
	return bt_trace_file_createat(AT_FDCWD, dir, pid, ticks, path_out, cap);
}

int bt_trace_file_createat(int dirfd, const char *dir, uint32_t pid,
			   uint64_t ticks, char *path_out, size_t cap)
{
	for (uint64_t k = 0; k < 1000; k++) {
		size_t pos = 0, name;
		int fd;
		put_str(path_out, cap, &pos, dir);
		put_str(path_out, cap, &pos, "/");
		name = pos;
		put_u64(path_out, cap, &pos, pid);
		put_str(path_out, cap, &pos, "-");
		put_u64(path_out, cap, &pos, ticks);
		put_str(path_out, cap, &pos, "-");
		put_u64(path_out, cap, &pos, k);
		put_str(path_out, cap, &pos, BT_FILE_SUFFIX);
		if (pos + 1 >= cap)
			return -1;
		fd = openat(dirfd,
			    dirfd == AT_FDCWD ? path_out : path_out + name,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC | O_APPEND,
			    0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}
