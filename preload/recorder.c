/* recorder.c - the per-process state of libbtrace.so: constructor,
 * destructor, and the one function that appends records to the trace.
 *
 * The trace file is opened, appended to and closed again for every record
 * (O_APPEND, one write per record).  Holding no descriptor means a program
 * that closes all its descriptors (close_range, closefrom) or dup2()s over
 * them can never make us write into one of its files. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/redact.h"
#include "../common/trace_codec.h"
#include "shim.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

struct bt_state bt_st;

/* Entries we put back into child environments, built once. */
static char inject_store[BT_INJECT_MAX][1280];

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

void bt_rusage_conv(const struct rusage *in, struct bt_rusage *out)
{
	out->utime_us = (uint64_t)in->ru_utime.tv_sec * 1000000u +
			(uint64_t)in->ru_utime.tv_usec;
	out->stime_us = (uint64_t)in->ru_stime.tv_sec * 1000000u +
			(uint64_t)in->ru_stime.tv_usec;
	out->maxrss_kib = (uint64_t)in->ru_maxrss;
	out->minflt = (uint64_t)in->ru_minflt;
	out->majflt = (uint64_t)in->ru_majflt;
	out->nvcsw = (uint64_t)in->ru_nvcsw;
	out->nivcsw = (uint64_t)in->ru_nivcsw;
	out->inblock = (uint64_t)in->ru_inblock;
	out->oublock = (uint64_t)in->ru_oublock;
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
static void drop(size_t len)
{
	__atomic_add_fetch(&bt_st.dropped, 1, __ATOMIC_SEQ_CST);
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
	struct bt_enc e;
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
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_DROPPED, &d, sizeof(d));
	len = bt_enc_end(&e);
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
 * of what was lost before it unless it is the START record (which comes
 * first in a file).  A record that cannot be written (the file cannot be
 * opened, the disk is full) is counted and the next one tries again; only
 * a limit the file has reached (RLIMIT_FSIZE) or a record torn in the
 * middle ends recording. */
static void append(const void *buf, size_t len, int is_start)
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
		drop(len);
		return;
	}
	if (!is_start)
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
		drop(len);
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

/* [AS-safe] Creates this image's trace file with its header and start
 * record.  Only the one thread that moved file_state to FILE_CREATING
 * gets here (or the constructor, before there are threads), so the
 * static buffers are its own. */
static int create_file(void)
{
	static char rec[BT_MAX_RECORD];
	static char arg[BT_MAX_ARGV_BYTES]; /* one redacted argument */
	static char exe[1024], cwd[1024];
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_file_header fh;
	struct bt_rec_proc_start st;
	struct stat fst;
	struct bt_enc e;
	ssize_t n;
	int fd, dfd;
	size_t len;
	extern char **environ;

	if (!fsize_allows(sizeof(fh) + 4096))
		return -1;
	bt_st.start_ticks = read_start_ticks();
	dfd = open(bt_st.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || !same_dir(dfd)) {
		bt_debug("trace directory gone or replaced", bt_st.dir);
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	fd = bt_trace_file_createat(dfd, bt_st.dir, (uint32_t)bt_st.pid,
				    bt_st.start_ticks, bt_st.path,
				    sizeof(bt_st.path));
	close(dfd);
	if (fd < 0) {
		bt_debug("cannot create trace file", bt_st.dir);
		return -1;
	}
	bt_file_header_init(&fh, (uint32_t)bt_st.pid, bt_st.start_ticks,
			    bt_st.session);
	n = fstat(fd, &fst) == 0 ? write_once(fd, &fh, sizeof(fh)) : -1;
	close(fd);
	if (n != (ssize_t)sizeof(fh)) {
		/* A file without its header would never read: try anew. */
		unlink(bt_st.path);
		return -1;
	}
	bt_st.file_dev = (uint64_t)fst.st_dev;
	bt_st.file_ino = (uint64_t)fst.st_ino;
	bt_st.written = sizeof(fh);

	memset(&st, 0, sizeof(st));
	st.pid = (uint32_t)bt_st.pid;
	st.ppid = (uint32_t)bt_st.ppid;
	st.start_ticks = bt_st.start_ticks;
	st.mono_ns = bt_st.image_start_ns;
	st.flags = bt_st.is_fork_child	? BT_START_FORKED
		   : bt_st.session_root ? BT_START_SESSION_ROOT
					: 0;
	st.uid = (uint32_t)getuid();
	st.tid = (uint32_t)syscall(SYS_gettid);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	if (bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_START, &st,
			 sizeof(st)) < 0)
		return -1;
	bt_enc_str(&e, exe, 1023);
	bt_enc_str(&e, cwd, 1023);
	rb.exempt = bt_redact_exempt_argv(bt_st.argv);
	if (bt_enc_argv_filtered(&e, bt_st.argv, BT_MAX_ARGV_BYTES, BT_MAX_ARGS,
				 &st.argc_kept, &st.argc, bt_redact_filter,
				 &rb))
		st.flags |= BT_START_ARGV_TRUNCATED;
	for (char **ep = environ; ep && *ep; ep++) {
		if (!bt_env_allowed(*ep))
			continue;
		if (e.cap - e.len < BT_MAX_ENV_VALUE + 64) {
			st.flags |= BT_START_ENV_TRUNCATED;
			break;
		}
		if (bt_enc_str(&e, *ep, BT_MAX_ENV_VALUE) > 0)
			st.flags |= BT_START_ENV_TRUNCATED;
		st.envc++;
	}
	bt_enc_patch_fixed(&e, &st, sizeof(st));
	len = bt_enc_end(&e);
	if (!len)
		return -1;
	/* The file exists: from here on it is READY whatever happens to the
	 * start record (a lost one is counted like any other). */
	append(rec, len, 1);
	return 0;
}

/* [AS-safe] Makes sure this image's trace file exists: the first record
 * creates it, once, even when several threads of a fork child record at
 * the same moment (issue 14, defect 1: two files, or lost records).  The
 * others wait for it.  Returns 0 if the file is there. */
static int ensure_file(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
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
			r = create_file();
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

void bt_emit(const void *rec, size_t len)
{
	if (!bt_active() || !len)
		return;
	if (ensure_file() < 0) {
		drop(len);
		return;
	}
	append(rec, len, 0);
}

/* ---- records of events (called by the hooks) ---- */

void bt_record_exec(uint32_t api, const char *path, int repaired)
{
	char rec[1024 + 128];
	struct bt_rec_exec ex = {bt_now_ns(), api, (uint32_t)repaired};
	struct bt_enc e;
	if (!bt_active())
		return;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_EXEC, &ex, sizeof(ex));
	bt_enc_str(&e, path, 1024);
	bt_emit(rec, bt_enc_end(&e));
}

void bt_record_exec_failed(uint32_t api, int err)
{
	char rec[64];
	struct bt_rec_exec_failed ef = {bt_now_ns(), err, api};
	struct bt_enc e;
	if (!bt_active())
		return;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_EXEC_FAILED, &ef, sizeof(ef));
	bt_emit(rec, bt_enc_end(&e));
}

void bt_record_spawn(uint32_t api, uint64_t t0, pid_t child, int result,
		     const char *what, int repaired)
{
	char rec[1024 + 128];
	struct bt_rec_spawn sp;
	struct bt_enc e;
	if (!bt_active())
		return;
	memset(&sp, 0, sizeof(sp));
	sp.mono_ns = t0;
	sp.done_ns = bt_now_ns();
	sp.child_pid = (uint32_t)(child > 0 ? child : 0);
	sp.api = api;
	sp.result = result;
	sp.env_repaired = (uint32_t)repaired;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SPAWN, &sp, sizeof(sp));
	if (api == BT_API_SYSTEM || api == BT_API_POPEN) {
		/* A shell command line: may hold credentials (redact.h). */
		char cmd[1024 + sizeof(BT_TRUNC_MARK)];
		bt_redact_command(what, cmd, sizeof(cmd));
		bt_enc_str(&e, cmd, 1024);
	} else {
		bt_enc_str(&e, what, 1024);
	}
	bt_emit(rec, bt_enc_end(&e));
}

void bt_record_reap(uint32_t api, pid_t child, int status,
		    const struct rusage *ru)
{
	char rec[256];
	struct bt_rec_reap rp;
	struct bt_enc e;
	if (!bt_active())
		return;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = bt_now_ns();
	rp.child_pid = (uint32_t)child;
	rp.api = api;
	rp.wait_status = status;
	if (ru)
		bt_rusage_conv(ru, &rp.ru);
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_REAP, &rp, sizeof(rp));
	bt_emit(rec, bt_enc_end(&e));
}

void bt_record_end(uint32_t api, int status, int status_known)
{
	char rec[512];
	struct bt_rec_proc_end pe;
	struct rusage ru;
	struct bt_enc e;
	if (!bt_active() ||
	    __atomic_exchange_n(&bt_st.ended, 1, __ATOMIC_SEQ_CST))
		return;
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = bt_now_ns();
	pe.api = api;
	pe.exit_status = status_known ? (status & 0xff) : -1;
	pe.flags = status_known ? BT_END_STATUS_KNOWN : 0;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		bt_rusage_conv(&ru, &pe.ru);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		bt_rusage_conv(&ru, &pe.ru_children);
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_PROC_END, &pe, sizeof(pe));
	bt_emit(rec, bt_enc_end(&e));
}

char *const *bt_child_env(char *const envp[], struct bt_envbuf *b,
			  int *repaired)
{
	size_t slots, scratch;
	int n;
	*repaired = 0;
	b->map = NULL;
	b->map_len = 0;
	if (!bt_st.initialized || !bt_st.inject.count)
		return envp;
	n = bt_env_repair(envp, &bt_st.inject, b->slots, BT_ENV_SMALL,
			  b->scratch, sizeof(b->scratch));
	if (n < 0) {
		/* Too big for the frame: an area of its own. */
		slots = bt_env_repair_need(envp, &bt_st.inject, &scratch);
		b->map_len = slots * sizeof(char *) + scratch;
		b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b->map == MAP_FAILED) {
			b->map = NULL;
			bt_debug("no memory to repair a child's environment",
				 NULL);
			return envp;
		}
		n = bt_env_repair(envp, &bt_st.inject, b->map, slots,
				  (char *)b->map + slots * sizeof(char *),
				  scratch);
	}
	if (n <= 0)
		return envp;
	*repaired = 1;
	return b->map ? (char *const *)b->map : b->slots;
}

void bt_child_env_release(struct bt_envbuf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	b->map = NULL;
}

/* ---- set-up ---- */

static void add_inject(const char *name, const char *value)
{
	size_t i = bt_st.inject.count, nl = strlen(name), vl = strlen(value);
	if (i >= BT_INJECT_MAX || nl + 1 + vl + 1 > sizeof(inject_store[0]))
		return;
	memcpy(inject_store[i], name, nl);
	inject_store[i][nl] = '=';
	memcpy(inject_store[i] + nl + 1, value, vl + 1);
	bt_st.inject.entries[i] = inject_store[i];
	bt_st.inject.count++;
}

static void write_session_record(void)
{
	static char rec[BT_MAX_RECORD]; /* constructor only */
	static char arg[BT_MAX_ARGV_BYTES];
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_rec_session s;
	struct timespec mono, real;
	struct bt_enc e;
	uint32_t kept = 0, total = 0;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	memset(&s, 0, sizeof(s));
	s.mono_ns =
	    (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	s.realtime_ns =
	    (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	s.root_pid = (uint32_t)bt_st.pid;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SESSION, &s, sizeof(s));
	bt_enc_str(&e, BTRACE_VERSION, 64);
	rb.exempt = bt_redact_exempt_argv(bt_st.argv);
	bt_enc_argv_filtered(&e, bt_st.argv, BT_MAX_ARGV_BYTES, BT_MAX_ARGS,
			     &kept, &total, bt_redact_filter, &rb);
	s.argc = kept;
	bt_enc_patch_fixed(&e, &s, sizeof(s));
	bt_emit(rec, bt_enc_end(&e));
}

/* Notes the device and inode of the trace directory that bt_dir_prepare
 * accepted, checking owner and mode again on the same inode. */
static int dir_identify(void)
{
	struct stat st;
	int fd =
	    open(bt_st.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = -1;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    !(st.st_mode & (S_IWGRP | S_IWOTH))) {
		bt_st.dir_dev = (uint64_t)st.st_dev;
		bt_st.dir_ino = (uint64_t)st.st_ino;
		r = 0;
	}
	close(fd);
	return r;
}

static void atfork_child(void)
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
	bt_system_forked();
	bt_sampler_forked();
	bt_st.session_root = 0;
	bt_st.ended = 0;
	bt_st.exit_status_known = 0;
}

static void find_our_library(char *needle, size_t cap, char *path,
			     size_t path_cap)
{
	Dl_info info;
	const char *p, *base;
	needle[0] = path[0] = 0;
	if (!dladdr((void *)&find_our_library, &info) || !info.dli_fname)
		return;
	p = info.dli_fname;
	base = strrchr(p, '/');
	base = base ? base + 1 : p;
	if (strlen(base) < cap)
		strcpy(needle, base);
	if (strlen(p) < path_cap)
		strcpy(path, p);
}

__attribute__((constructor)) static void bt_init(int argc, char **argv,
						 char **envp)
{
	static char needle[256], libpath[1024];
	const char *dir, *v, *why = NULL;
	int saved = errno;
	(void)envp;

	bt_libc_resolve();
	bt_st.pid = (pid_t)syscall(SYS_getpid);
	bt_st.ppid = getppid();
	bt_st.image_start_ns = bt_now_ns();
	bt_st.argc = argc;
	bt_st.argv = argv;
	bt_st.fsize_limit = UINT64_MAX;
	v = getenv("BTRACE_DEBUG");
	bt_st.debug = v && *v && strcmp(v, "0") != 0;
	bt_st.initialized = 1;

	/* Inert in setuid/setgid programs, and when switched off. */
	if (getauxval(AT_SECURE)) {
		bt_st.inject.count = 0;
		goto out;
	}
	v = getenv("BTRACE");
	if (v && strcmp(v, "off") == 0)
		goto out;

	find_our_library(needle, sizeof(needle), libpath, sizeof(libpath));
	if (!needle[0]) {
		bt_debug("cannot find our own library, recording off", NULL);
		goto out;
	}
	bt_st.inject.preload_needle = needle;
	/* Only our library goes back into a child's LD_PRELOAD: what else
	 * the first process preloaded, a program may have dropped on purpose
	 * (issue 14, defect 8). */
	add_inject("LD_PRELOAD", libpath);

	dir = getenv("BTRACE_DIR");
	v = getenv("BTRACE_SESSION");
	if (dir && *dir) {
		if (strlen(dir) >= sizeof(bt_st.dir) - 100) {
			bt_debug("BTRACE_DIR too long, recording off", dir);
			goto out;
		}
		if (dir[0] != '/') {
			char cwd[512];
			if (!getcwd(cwd, sizeof(cwd)) ||
			    strlen(cwd) + strlen(dir) + 2 >=
				sizeof(bt_st.dir) - 100)
				goto out;
			strcpy(bt_st.dir, cwd);
			strcat(bt_st.dir, "/");
			strcat(bt_st.dir, dir);
		} else {
			strcpy(bt_st.dir, dir);
		}
		if (bt_dir_prepare(bt_st.dir, &why) < 0) {
			bt_debug(why, bt_st.dir);
			goto out;
		}
		if (v && *v) {
			strncpy(bt_st.session, v, sizeof(bt_st.session) - 1);
		} else {
			/* BTRACE_DIR set by hand: this process starts the
			 * session. */
			const char *b = strrchr(bt_st.dir, '/');
			b = b ? b + 1 : bt_st.dir;
			size_t bl = strlen(b);
			if (bl >= sizeof(bt_st.session))
				bl = sizeof(bt_st.session) - 1;
			memcpy(bt_st.session, b, bl);
			bt_st.session_root = 1;
		}
	} else {
		if (bt_session_dir_create(
			BT_DEFAULT_BASE, bt_st.dir, sizeof(bt_st.dir) - 100,
			bt_st.session, sizeof(bt_st.session), &why) < 0) {
			bt_debug(why, "btrace.data");
			goto out;
		}
		bt_st.session_root = 1;
	}
	add_inject("BTRACE_DIR", bt_st.dir);
	add_inject("BTRACE_SESSION", bt_st.session);
	/* A session root also exports the session in its own environment,
	 * so children started where no hook can repair the environment
	 * (popen, which keeps glibc-private state) join it rather than
	 * starting a session of their own.  This runs in the constructor,
	 * before the program has threads. */
	if (bt_st.session_root) {
		setenv("BTRACE_DIR", bt_st.dir, 1);
		setenv("BTRACE_SESSION", bt_st.session, 1);
	}
	/* Pass the other settings on unchanged. */
	{
		extern char **environ;
		for (char **ep = environ; ep && *ep; ep++)
			if (strncmp(*ep, "BTRACE_", 7) == 0 &&
			    strncmp(*ep, "BTRACE_DIR=", 11) != 0 &&
			    strncmp(*ep, "BTRACE_SESSION=", 15) != 0) {
				char name[64];
				const char *eq = strchr(*ep, '=');
				size_t nl = eq ? (size_t)(eq - *ep) : 0;
				if (!eq || nl >= sizeof(name))
					continue;
				memcpy(name, *ep, nl);
				name[nl] = 0;
				add_inject(name, eq + 1);
			}
	}
	if (pthread_atfork(NULL, NULL, atfork_child) != 0) {
		bt_debug("pthread_atfork failed, recording off", NULL);
		goto out;
	}
	if (dir_identify() < 0) {
		bt_debug("trace directory changed while checked, recording off",
			 bt_st.dir);
		goto out;
	}
	bt_st.enabled = 1;
	/* A file that cannot be made now (EMFILE, ENOSPC) is tried again by
	 * the next record. */
	ensure_file();
	if (bt_st.session_root)
		write_session_record();
	bt_sampler_start();
	bt_debug("recording to", bt_st.path);
out:
	errno = saved;
}

__attribute__((destructor)) static void bt_fini(void)
{
	int saved = errno;
	bt_sampler_stop();
	bt_record_end(bt_st.exit_status_known ? bt_st.exit_api
					      : BT_API_DESTRUCTOR,
		      bt_st.exit_status, bt_st.exit_status_known);
	errno = saved;
}
