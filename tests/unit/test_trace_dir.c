/* test_trace_dir.c - the trace directory and file creation: modes,
 * ownership checks, O_EXCL, and never following a planted symlink. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace_dir.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/btrace-unit.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static mode_t mode_of(const char *p)
{
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

static void test_creates_0700(void **state)
{
	char dir[128];
	const char *why = NULL;
	mode_t old;
	(void)state;
	old = umask(0);
	snprintf(dir, sizeof(dir), "%s/a", root);
	assert_int_equal(bt_dir_prepare(dir, &why), 0);
	assert_int_equal(mode_of(dir), 0700);
	umask(022);
	snprintf(dir, sizeof(dir), "%s/b", root);
	assert_int_equal(bt_dir_prepare(dir, &why), 0);
	assert_int_equal(mode_of(dir), 0700);
	/* existing and fine */
	assert_int_equal(bt_dir_prepare(dir, &why), 0);
	umask(old);
}

static void test_refuses_bad_dirs(void **state)
{
	char dir[128], link[128], file[128];
	const char *why = NULL;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/open", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(bt_dir_prepare(dir, &why), -1);
	assert_non_null(strstr(why, "writable by others"));
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(bt_dir_prepare(dir, &why), -1);

	snprintf(link, sizeof(link), "%s/link", root);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(bt_dir_prepare(link, &why), -1);
	assert_non_null(strstr(why, "symlink"));

	snprintf(file, sizeof(file), "%s/file", root);
	fclose(fopen(file, "w"));
	assert_int_equal(bt_dir_prepare(file, &why), -1);
	/* a path under a regular file cannot be created */
	snprintf(dir, sizeof(dir), "%s/file/sub", root);
	assert_int_equal(bt_dir_prepare(dir, &why), -1);
	assert_non_null(strstr(why, "cannot create"));
}

static void test_session_dirs_and_latest(void **state)
{
	char base[128], out1[512], out2[512], s1[64], s2[64], l[512], lp[256];
	const char *why = NULL;
	ssize_t n;
	(void)state;
	snprintf(base, sizeof(base), "%s/btrace.data", root);
	assert_int_equal(bt_session_dir_create(base, out1, sizeof(out1), s1,
					       sizeof(s1), &why),
			 0);
	assert_int_equal(mode_of(base), 0700);
	assert_int_equal(mode_of(out1), 0700);
	assert_non_null(strstr(out1, s1));
	snprintf(lp, sizeof(lp), "%s/latest", base);
	n = readlink(lp, l, sizeof(l) - 1);
	assert_true(n > 0);
	l[n] = 0;
	assert_string_equal(l, s1);
	/* a second session gets another name and takes latest */
	assert_int_equal(bt_session_dir_create(base, out2, sizeof(out2), s2,
					       sizeof(s2), &why),
			 0);
	assert_string_not_equal(out1, out2);
	n = readlink(lp, l, sizeof(l) - 1);
	l[n] = 0;
	assert_string_equal(l, s2);
	/* relative bases are made absolute */
	{
		char cwd[512], out3[512], s3[64];
		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(root), 0);
		assert_int_equal(bt_session_dir_create("rel.data", out3,
						       sizeof(out3), s3,
						       sizeof(s3), &why),
				 0);
		assert_int_equal(out3[0], '/');
		assert_int_equal(chdir(cwd), 0);
	}
}

static void test_trace_files(void **state)
{
	char dir[128], p1[512], p2[512], planted[512], target[256];
	const char *why = NULL;
	int fd1, fd2, fd3;
	FILE *f;
	char buf[16] = "";
	(void)state;
	snprintf(dir, sizeof(dir), "%s/t", root);
	assert_int_equal(bt_dir_prepare(dir, &why), 0);
	fd1 = bt_trace_file_create(dir, 123, 456, p1, sizeof(p1));
	assert_true(fd1 >= 0);
	assert_int_equal(mode_of(p1), 0600);
	assert_non_null(strstr(p1, "/123-456-0.btr"));
	assert_true(fcntl(fd1, F_GETFD) & FD_CLOEXEC);
	close(fd1);
	/* never overwrites: the next name */
	fd2 = bt_trace_file_create(dir, 123, 456, p2, sizeof(p2));
	assert_true(fd2 >= 0);
	assert_non_null(strstr(p2, "/123-456-1.btr"));
	close(fd2);
	/* a symlink planted at the expected name is not followed */
	snprintf(target, sizeof(target), "%s/victim", root);
	f = fopen(target, "w");
	fputs("keep", f);
	fclose(f);
	snprintf(planted, sizeof(planted), "%s/9-9-0.btr", dir);
	assert_int_equal(symlink(target, planted), 0);
	fd3 = bt_trace_file_create(dir, 9, 9, p1, sizeof(p1));
	assert_true(fd3 >= 0);
	assert_non_null(strstr(p1, "/9-9-1.btr"));
	assert_int_equal(write(fd3, "XXXX", 4), 4);
	close(fd3);
	f = fopen(target, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "keep");
	/* a directory we cannot create files in */
	assert_int_equal(
	    bt_trace_file_create("/proc/self", 1, 1, p1, sizeof(p1)), -1);
}

/* bt_trace_file_createat: the file lands in the directory the fd is open
 * on, even after that directory was renamed and another put at its path
 * (issue 14, defect 12); the path it reports is DIR/<name>. */
static void test_createat_follows_the_fd(void **state)
{
	char dir[128], moved[160], path[512], want[512];
	const char *why = NULL;
	struct stat st;
	int dfd, fd;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/at", root);
	snprintf(moved, sizeof(moved), "%s/at.moved", root);
	assert_int_equal(bt_dir_prepare(dir, &why), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(rename(dir, moved), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	fd = bt_trace_file_createat(dfd, dir, 7, 8, path, sizeof(path));
	assert_true(fd >= 0);
	close(fd);
	close(dfd);
	snprintf(want, sizeof(want), "%s/7-8-0.btr", dir);
	assert_string_equal(path, want);
	/* in the moved directory, not in the new one at the old path */
	snprintf(want, sizeof(want), "%s/7-8-0.btr", moved);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(path, &st), -1);
}

/* bt_mkdir_parents: every missing parent with the mode asked for, never
 * the path itself; trailing and doubled slashes; existing parts; a file
 * on the way; a path too long. */
static void test_mkdir_parents(void **state)
{
	char path[256], want[256], lng[PATH_MAX + 8];
	struct stat st;
	mode_t old;
	int fd;
	(void)state;
	old = umask(022);
	snprintf(path, sizeof(path), "%s/p/q//r/leaf", root);
	assert_int_equal(bt_mkdir_parents(path, 0700), 0);
	snprintf(want, sizeof(want), "%s/p/q/r", root);
	assert_int_equal(mode_of(want), 0700);
	snprintf(want, sizeof(want), "%s/p", root);
	assert_int_equal(mode_of(want), 0700);
	assert_int_equal(stat(path, &st), -1); /* not the leaf */
	/* again: all there, fine */
	assert_int_equal(bt_mkdir_parents(path, 0700), 0);
	/* trailing slashes name the same leaf */
	snprintf(path, sizeof(path), "%s/m/n///", root);
	assert_int_equal(bt_mkdir_parents(path, 0777), 0);
	snprintf(want, sizeof(want), "%s/m", root);
	assert_int_equal(mode_of(want), 0755); /* the umask applies */
	snprintf(want, sizeof(want), "%s/m/n", root);
	assert_int_equal(stat(want, &st), -1);
	/* a file where a directory should be */
	snprintf(want, sizeof(want), "%s/file", root);
	fd = open(want, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/file/x/y", root);
	assert_int_equal(bt_mkdir_parents(path, 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	/* too long */
	memset(lng, 'a', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	lng[0] = '/';
	assert_int_equal(bt_mkdir_parents(lng, 0700), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_creates_0700),
	    cmocka_unit_test(test_refuses_bad_dirs),
	    cmocka_unit_test(test_session_dirs_and_latest),
	    cmocka_unit_test(test_trace_files),
	    cmocka_unit_test(test_createat_follows_the_fd),
	    cmocka_unit_test(test_mkdir_parents),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
