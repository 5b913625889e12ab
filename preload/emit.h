/* emit.h - the per-process state of libbtrace.so and the one way a record
 * reaches this image's trace file (emit.c).
 *
 * Who calls what (no cycle): the hooks (hook_*.c), the recorder
 * (recorder.c) and the sampler (sampler.c) call the functions below and
 * read bt_st; emit.c calls none of them back, only common/ and
 * bt_env_allowed() (env_repair.c).  Only recorder.c writes bt_st's set-up
 * fields: its constructor, before the program has threads, then
 * bt_emit_begin(); its atfork handler, bt_emit_forked().  The recorder
 * starts and stops the sampler; the sampler never calls the recorder.
 *
 * Async-signal-safety: functions marked [AS-safe] use only syscalls, the
 * stack, atomics and bt_st, so they may run in a vfork child or a signal
 * handler (shim.h). */
#ifndef BTRACE_EMIT_H
#define BTRACE_EMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/trace_format.h"

struct bt_state {
	int initialized; /* constructor ran */
	int enabled;	 /* recording (0 once the file cannot grow) */
	int debug;	 /* BTRACE_DEBUG=1 */
	int session_root;
	pid_t pid; /* the process this state belongs to */
	/* Its parent when the image began: a fork child's is the process
	 * that forked it, even if that one has ended (and the child been
	 * reparented) by the child's first record. */
	pid_t ppid;
	uint64_t start_ticks;
	uint64_t image_start_ns; /* constructor or fork: PROC_START's time */
	/* The trace file of this image is made once, by the first record
	 * (FILE_NONE -> FILE_CREATING -> FILE_READY, or back to FILE_NONE
	 * if it failed, to be tried again by the next record). */
	int file_state;
	pid_t file_creator; /* tid that holds FILE_CREATING */
	int is_fork_child;
	/* What the trace directory and file were when we made them: after
	 * every open they must still be the same (issue 14, defect 12). */
	uint64_t dir_dev, dir_ino, file_dev, file_ino;
	/* Records that could not be written since the last one that could;
	 * the next one that can writes them down as a DROPPED record. */
	uint64_t dropped, dropped_bytes;
	char dir[1024];
	char path[1200];
	char session[BT_SESSION_LEN];
	uint64_t fsize_limit; /* RLIMIT_FSIZE, or UINT64_MAX */
	uint64_t written;
	int argc; /* the image's argv, for its PROC_START record */
	char **argv;
	/* /proc/self/exe, read once by bt_emit_begin() for PROC_START and
	 * the sampler (which compiler, the main program's MODULE record):
	 * an exec makes a new image, so it cannot change ("" if unread). */
	char exe[1024];
};
extern struct bt_state bt_st;

/* [AS-safe] Is this the process our state belongs to, with recording on?
 * False in vfork children and in children that skipped atfork handlers. */
int bt_active(void);
/* [AS-safe] Appends one encoded record (LEN 0: none, nothing happens) to
 * this process's trace file, which its first record creates, with the
 * image's PROC_START record.  A record that cannot be written is counted
 * and said in a DROPPED record before the next one that can be. */
void bt_emit(const void *rec, size_t len);
/* [AS-safe] bt_emit() of RECORDS whole records, one after another in
 * RECS, in one write(2): they reach the file together or are counted
 * lost together. */
void bt_emit_batch(const void *recs, size_t len, unsigned records);
/* [AS-safe] CLOCK_MONOTONIC in ns. */
uint64_t bt_now_ns(void);
/* [AS-safe] Writes "btrace[pid]: MSG ARG\n" to stderr if BTRACE_DEBUG. */
void bt_debug(const char *msg, const char *arg);

/* Constructor only, once bt_st's dir, session, argv and flags are set:
 * checks the trace directory is the one prepared, turns recording on and
 * makes the trace file.  Returns 0, or -1 (recording stays off). */
int bt_emit_begin(void);
/* The fork child's atfork handler, first: the state is the child's, with
 * a file of its own to be made by its first record. */
void bt_emit_forked(void);

#endif
