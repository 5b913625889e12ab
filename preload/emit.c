/* emit.c - the per-process state of libbtrace.so and bt_emit(), the one
 * function that appends records to this image's trace file (emit.h).
 *
 * The trace file is opened, appended to and closed again for every record
 * (O_APPEND, one write per record).  Holding no descriptor means a program
 * that closes all its descriptors (close_range, closefrom) or dup2()s over
 * them can never make us write into one of its files.
 *
 * Nothing here calls the recorder (recorder.c), the sampler (sampler.c) or
 * a hook: they call it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/redact.h"
#include "../common/trace_codec.h"
#include "../common/trace_dir.h"
#include "../common/trace_records.h"
#include "emit.h"
#include "shim.h" /* bt_env_allowed(): which variables PROC_START keeps */

struct bt_state bt_st;

uint64_t bt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bt_debug(const char *msg, const char *arg)
{
	char buf[512];
	size_t n = 0;
	char num[16];
	int k = 0;
	unsigned v = (unsigned)getpid();
	if (!bt_st.debug)
		return;
#define ADD(s)                                                                 \
	for (const char *q_ = (s); *q_ && n < sizeof(buf) - 2; q_++)           \
		buf[n++] = *q_;
	ADD("btrace[");
	do {
		num[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k && n < sizeof(buf) - 2)
		buf[n++] = num[--k];
	ADD("]: ");
	ADD(msg);
	if (arg) {
		ADD(": ");
		ADD(arg);
	}
#undef ADD
	buf[n++] = '\n';
	ssize_t r = write(2, buf, n);
	(void)r;
}

/* [AS-safe] starttime (field 22) of /proc/self/stat: with the pid, it names
 * a process across exec and tells reused pids apart.  Only create_file
 * calls it, one thread at a time: its buffer is static, off the stack of a
 * hook (issue 14, defect 3). */
static uint64_t read_start_ticks(void)
{
	static char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;
	uint64_t v = 0;
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* After ") " comes field 3 (state); starttime is field 22. */
	for (int field = 2; field < 22 && *p; p++)
		if (*p == ' ')
			field++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

int bt_active(void)
{
	return bt_st.enabled && (pid_t)syscall(SYS_getpid) == bt_st.pid;
}

/* [AS-safe] Would a file of SIZE bytes stay within RLIMIT_FSIZE?  Past it
 * write(2) raises SIGXFSZ in the traced program.  The program may lower
 * the limit at any time, so ask every time. */
static int fsize_allows(uint64_t size)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0)
		bt_st.fsize_limit = rl.rlim_cur == RLIM_INFINITY
					? UINT64_MAX
					: (uint64_t)rl.rlim_cur;
	return size <= bt_st.fsize_limit;
}

enum { FILE_NONE, FILE_CREATING, FILE_READY };

/* [AS-safe] Counts a record that could not be written; the next record
 * that can be written says how many were lost before it. */
static void drop(size_t len, unsigned records)
{
	__atomic_add_fetch(&bt_st.dropped, records, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&bt_st.dropped_bytes, len, __ATOMIC_SEQ_CST);
}

/* [AS-safe] Opens this image's trace file for appending, and makes sure it
 * is still the file we created: a trace directory renamed away and
 * replaced (by someone who can write its parent) must not receive our
 * records.  Returns the fd, or -1. */
static int open_trace_file(void)
{
	struct stat st;
	int fd = open(bt_st.path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != bt_st.file_dev ||
	    (uint64_t)st.st_ino != bt_st.file_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* [AS-safe] Reserves LEN bytes of the file within RLIMIT_FSIZE.  Threads
 * appending at once must not each find room for themselves in the same
 * last bytes below the limit (seen under load: SIGXFSZ with 8 threads and
 * ulimit -f 16).  Returns 0, or -1 (nothing reserved). */
static int reserve(size_t len)
{
	uint64_t end =
	    __atomic_add_fetch(&bt_st.written, len, __ATOMIC_SEQ_CST);
	if (fsize_allows(end))
		return 0;
	__atomic_sub_fetch(&bt_st.written, len, __ATOMIC_SEQ_CST);
	return -1;
}

/* [AS-safe] Writes LEN bytes in one write(2); returns what it wrote. */
static ssize_t write_once(int fd, const void *buf, size_t len)
{
	ssize_t n;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* [AS-safe] Before a record: the DROPPED record for what was lost since
 * the last one, if anything was. */
static void write_dropped(int fd)
{
	char rec[128];
	struct bt_rec_dropped d;
	size_t len;
	uint64_t r = __atomic_exchange_n(&bt_st.dropped, 0, __ATOMIC_SEQ_CST);
	uint64_t b;
	if (!r)
		return;
	b = __atomic_exchange_n(&bt_st.dropped_bytes, 0, __ATOMIC_SEQ_CST);
	memset(&d, 0, sizeof(d));
	d.mono_ns = bt_now_ns();
	d.records = r;
	d.bytes = b;
	len = bt_build_dropped(rec, sizeof(rec), &d);
	if (len && reserve(len) == 0) {
		ssize_t n = write_once(fd, rec, len);
		if (n == (ssize_t)len)
			return;
		__atomic_sub_fetch(&bt_st.written, len, __ATOMIC_SEQ_CST);
		if (n > 0)
			bt_st.enabled = 0; /* torn: nothing after it reads */
	}
	/* Still lost: keep counting them. */
	__atomic_add_fetch(&bt_st.dropped, r, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&bt_st.dropped_bytes, b, __ATOMIC_SEQ_CST);
}

/* [AS-safe] Writes BUF whole to the trace file, after the DROPPED record
 * of what was lost before it (the START record went with the header).
 * A record that cannot be written (the file cannot be opened, the disk is
 * full) is counted and the next one tries again; only a limit the file
 * has reached (RLIMIT_FSIZE) or a record torn in the middle ends
 * recording. */
static void append(const void *buf, size_t len, unsigned records)
{
	int fd;
	ssize_t n;
	if (reserve(len) < 0) {
		/* Writing on would raise SIGXFSZ in the traced program. */
		bt_st.enabled = 0;
		return;
	}
	fd = open_trace_file();
	if (fd < 0) {
		bt_debug("cannot reopen trace file, record dropped",
			 bt_st.path);
		__atomic_sub_fetch(&bt_st.written, len, __ATOMIC_SEQ_CST);
		drop(len, records);
		return;
	}
	write_dropped(fd);
	if (!bt_st.enabled) {
		close(fd);
		return;
	}
	n = write_once(fd, buf, len);
	close(fd);
	if (n == (ssize_t)len)
		return;
	if (n <= 0) {
		/* Nothing written (ENOSPC, EDQUOT, EIO): the file is whole. */
		bt_debug("cannot write trace file, record dropped", bt_st.path);
		__atomic_sub_fetch(&bt_st.written, len, __ATOMIC_SEQ_CST);
		drop(len, records);
		return;
	}
	/* Part of a record: what followed it would not read. */
	bt_debug("short write to trace file, recording off", bt_st.path);
	bt_st.enabled = 0;
}

/* [AS-safe] Is the open directory DFD the trace directory we checked? */
static int same_dir(int dfd)
{
	struct stat st;
	return fstat(dfd, &st) == 0 && (uint64_t)st.st_dev == bt_st.dir_dev &&
	       (uint64_t)st.st_ino == bt_st.dir_ino;
}

/* [AS-safe] The name <pid>-<start_ticks>-0.btr into OUT (CAP bytes). */
static void first_file_name(char *out, size_t cap)
{
	char num[24];
	size_t n = 0;
	uint64_t vals[2] = {(uint64_t)bt_st.pid, bt_st.start_ticks};
	for (int i = 0; i < 2; i++) {
		int k = 0;
		uint64_t v = vals[i];
		do {
			num[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k && n + 1 < cap)
			out[n++] = num[--k];
		if (n + 1 < cap)
			out[n++] = '-';
	}
	for (const char *q = "0" BT_FILE_SUFFIX; *q && n + 1 < cap; q++)
		out[n++] = *q;
	out[n] = 0;
}

/* [AS-safe] The file of the image that exec'd this one (the same pid and
 * start_ticks), opened to append this image to it: one file per process,
 * not one per image, saves an inode's creation per exec (issue 19,
 * docs/sampling.md).  It must be a regular file of ours, mode 0600, one
 * link, in the checked directory DFD, beginning with the very header this
 * image would write.  Returns the fd with the file's size in *SIZE, or -1
 * (no such file, or not one to trust: a new file is made). */
static int continue_file(int dfd, uint64_t *size)
{
	struct bt_file_header fh, want;
	struct stat st;
	char name[64];
	size_t pos;
	int fd;

	first_file_name(name, sizeof(name));
	fd = openat(dfd, name, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	bt_file_header_init(&want, (uint32_t)bt_st.pid, bt_st.start_ticks,
			    bt_st.session);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (st.st_mode & 07777) != 0600 || (uint64_t)st.st_size < sizeof(fh) ||
	    pread(fd, &fh, sizeof(fh), 0) != (ssize_t)sizeof(fh) ||
	    memcmp(&fh, &want, sizeof(fh)) != 0) {
		close(fd);
		return -1;
	}
	pos = strlen(bt_st.dir);
	if (pos + 1 + strlen(name) + 1 > sizeof(bt_st.path)) {
		close(fd);
		return -1;
	}
	memcpy(bt_st.path, bt_st.dir, pos);
	bt_st.path[pos] = '/';
	memcpy(bt_st.path + pos + 1, name, strlen(name) + 1);
	bt_st.file_dev = (uint64_t)st.st_dev;
	bt_st.file_ino = (uint64_t)st.st_ino;
	*size = (uint64_t)st.st_size;
	return fd;
}

/* [AS-safe] Creates this image's trace file with its header and start
 * record, both in the one write(2) that follows the creation: no second
 * open of the file (issue 19: every system call of a short process
 * counts).  An image that an exec started appends its start record to
 * the file of the image before it instead (continue_file()).  DFD is the trace
 * directory, already open and checked (the constructor's), or -1 to open it
 * here.  Only the one thread that moved file_state to FILE_CREATING gets here
 * (or the constructor, before there are threads), so the static buffers are its
 * own. */
static int create_file(int dfd)
{
	static char buf[sizeof(struct bt_file_header) + BT_MAX_RECORD];
	static char arg[BT_MAX_ARGV_BYTES]; /* one redacted argument */
	static char cwd[1024];
	char *rec = buf + sizeof(struct bt_file_header);
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_file_header fh;
	struct bt_rec_proc_start st;
	struct bt_start_in in;
	struct stat fst;
	ssize_t n;
	int fd, own_dfd = dfd < 0, appended;
	size_t len;
	uint64_t base = 0; /* what the file held before: earlier images */
	extern char **environ;

	if (!fsize_allows(sizeof(fh) + 4096))
		return -1;
	bt_st.start_ticks = read_start_ticks();
	if (own_dfd) {
		dfd = open(bt_st.dir,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 || !same_dir(dfd)) {
			bt_debug("trace directory gone or replaced", bt_st.dir);
			if (dfd >= 0)
				close(dfd);
			return -1;
		}
	}
	/* A fork child is a new process: it has no file yet. */
	fd = bt_st.is_fork_child ? -1 : continue_file(dfd, &base);
	appended = fd >= 0;
	if (!appended)
		fd = bt_trace_file_createat(dfd, bt_st.dir, (uint32_t)bt_st.pid,
					    bt_st.start_ticks, bt_st.path,
					    sizeof(bt_st.path));
	if (own_dfd)
		close(dfd);
	if (fd < 0) {
		bt_debug("cannot create trace file", bt_st.dir);
		return -1;
	}
	bt_file_header_init(&fh, (uint32_t)bt_st.pid, bt_st.start_ticks,
			    bt_st.session);
	memcpy(buf, &fh, sizeof(fh));

	memset(&st, 0, sizeof(st));
	st.pid = (uint32_t)bt_st.pid;
	st.ppid = (uint32_t)bt_st.ppid;
	st.start_ticks = bt_st.start_ticks;
	st.mono_ns = bt_st.image_start_ns;
	st.flags = bt_st.is_fork_child	? BT_START_FORKED
		   : bt_st.session_root ? BT_START_SESSION_ROOT
					: 0;
	if (appended)
		st.flags |= BT_START_APPENDED;
	st.uid = (uint32_t)getuid();
	st.tid = (uint32_t)syscall(SYS_gettid);
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	in.exe = bt_st.exe;
	in.cwd = cwd;
	in.argv.argv = bt_st.argv;
	in.argv.redact = &rb; /* the shim never records a credential */
	in.env = environ;
	in.env_keep = bt_env_allowed;
	len = bt_build_proc_start(rec, BT_MAX_RECORD, &st, &in);
	if (!len) {
		close(fd);
		if (!appended)
			unlink(bt_st.path);
		return -1;
	}
	/* A start record past RLIMIT_FSIZE: the header goes alone and
	 * recording ends, before the write that would raise SIGXFSZ. */
	if (!fsize_allows(base + (appended ? 0 : sizeof(fh)) + len)) {
		bt_st.enabled = 0;
		len = 0;
	}
	if (appended) {
		n = len ? write_once(fd, rec, len) : 0;
		close(fd);
		if (len && n <= 0)
			return -1; /* nothing written: the next record tries */
		if (n != (ssize_t)len) {
			/* Part of the start record: what follows would not
			 * read. */
			bt_debug("short write to trace file, recording off",
				 bt_st.path);
			bt_st.enabled = 0;
		}
		bt_st.written = base + (uint64_t)(n > 0 ? n : 0);
		return 0;
	}
	n = fstat(fd, &fst) == 0 ? write_once(fd, buf, sizeof(fh) + len) : -1;
	close(fd);
	if (n != (ssize_t)(sizeof(fh) + len)) {
		/* A file without its header (or with a torn start record)
		 * would not read: try anew. */
		unlink(bt_st.path);
		return -1;
	}
	bt_st.file_dev = (uint64_t)fst.st_dev;
	bt_st.file_ino = (uint64_t)fst.st_ino;
	bt_st.written = sizeof(fh) + len;
	return 0;
}

/* [AS-safe] Makes sure this image's trace file exists: the first record
 * creates it, once, even when several threads of a fork child record at
 * the same moment (issue 14, defect 1: two files, or lost records).  The
 * others wait for it.  Returns 0 if the file is there. */
static int ensure_file(int dfd)
{
	pid_t tid;
	if (__atomic_load_n(&bt_st.file_state, __ATOMIC_ACQUIRE) == FILE_READY)
		return 0; /* the common case: no gettid() */
	tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		int s = __atomic_load_n(&bt_st.file_state, __ATOMIC_ACQUIRE);
		if (s == FILE_READY)
			return 0;
		if (s == FILE_NONE) {
			int r, cs;
			if (!__atomic_compare_exchange_n(
				&bt_st.file_state, &s, FILE_CREATING, 0,
				__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				continue;
			/* open and write are cancellation points: a thread
			 * cancelled in here would leave the others waiting
			 * for good. */
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
			bt_st.file_creator = tid;
			r = create_file(dfd);
			bt_st.file_creator = 0;
			pthread_setcancelstate(cs, NULL);
			__atomic_store_n(&bt_st.file_state,
					 r == 0 ? FILE_READY : FILE_NONE,
					 __ATOMIC_RELEASE);
			return r;
		}
		/* FILE_CREATING: by this very thread, from a signal handler
		 * that interrupted it, or by another thread: wait. */
		if (bt_st.file_creator == tid)
			return -1;
		sched_yield();
	}
}

void bt_emit_batch(const void *recs, size_t len, unsigned records)
{
	if (!bt_active() || !len)
		return;
	if (ensure_file(-1) < 0) {
		drop(len, records);
		return;
	}
	append(recs, len, records);
}

void bt_emit(const void *rec, size_t len)
{
	bt_emit_batch(rec, len, 1);
}

/* ---- set-up (recorder.c's constructor and atfork handler) ---- */

/* Notes the device and inode of the trace directory that bt_dir_prepare
 * accepted, checking owner and mode again on the same inode.  Returns the
 * directory open (for the first trace file), or -1. */
static int dir_identify(void)
{
	struct stat st;
	int fd =
	    open(bt_st.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    !(st.st_mode & (S_IWGRP | S_IWOTH))) {
		bt_st.dir_dev = (uint64_t)st.st_dev;
		bt_st.dir_ino = (uint64_t)st.st_ino;
		return fd;
	}
	close(fd);
	return -1;
}

int bt_emit_begin(void)
{
	ssize_t n;
	int dfd = dir_identify();
	if (dfd < 0)
		return -1;
	n = readlink("/proc/self/exe", bt_st.exe, sizeof(bt_st.exe) - 1);
	bt_st.exe[n > 0 ? n : 0] = 0;
	bt_st.enabled = 1;
	/* A file that cannot be made now (EMFILE, ENOSPC) is tried again by
	 * the next record. */
	ensure_file(dfd);
	close(dfd);
	return 0;
}

void bt_emit_forked(void)
{
	/* A fork child gets a file of its own, made on its first record. */
	bt_st.ppid = bt_st.pid;
	bt_st.pid = (pid_t)syscall(SYS_getpid);
	bt_st.image_start_ns = bt_now_ns();
	/* Whatever the parent was doing to its file, the child has none. */
	bt_st.file_state = FILE_NONE;
	bt_st.file_creator = 0;
	bt_st.dropped = bt_st.dropped_bytes = 0;
	bt_st.is_fork_child = 1;
	bt_st.session_root = 0;
}
