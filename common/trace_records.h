/* trace_records.h - one builder per record type (trace_format.h), over
 * trace_codec.
 *
 * Each builder encodes one whole record into the caller's buffer BUF (CAP
 * bytes) and returns its size, ready for a single write, or 0 if it does
 * not fit (the buffer then holds nothing usable).  The caller fills the
 * record's fixed body; the builder adds the strings in the order the format
 * gives them, each cut at the same limit everywhere (BT_STR_* below), and
 * sets the body's counts (argc, argc_kept, envc, count) and truncation
 * flags itself.  Unused fields must be zero: callers memset the body.
 *
 * Used by the shim (preload/), `btrace record`, bench/gen_trace and the
 * tests, so that a record is built one way only.
 *
 * [AS-safe] throughout: no allocation, no stdio, no libc state, only the
 * caller's buffers and the stack (at most a copy of the fixed body).
 * libbtrace.so links this file and only libc: it may run in a vfork child
 * or a signal handler, as trace_codec.c and redact.c do. */
#ifndef BTRACE_TRACE_RECORDS_H
#define BTRACE_TRACE_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "redact.h"
#include "trace_codec.h"
#include "trace_format.h"

/* Where a string is cut (with BT_TRUNC_MARK), in bytes before its NUL. */
#define BT_STR_VERSION 64	/* SESSION: the btrace version */
#define BT_STR_PATH 1023	/* PROC_START: exe and cwd */
#define BT_STR_EXEC 1024	/* EXEC: the path or file; SPAWN: its string */
#define BT_STR_MODULE_PATH 2048 /* MODULE: the path */
#define BT_STR_BUILD_ID 130	/* MODULE: the build-id in hex */
#define BT_STR_THREAD 32	/* THREAD: the name (comm) */

/* Converts getrusage()/wait4()'s struct rusage to the format's units. */
void bt_rusage_from(const struct rusage *in, struct bt_rusage *out);

/* An argv as a record stores it: at most BT_MAX_ARGS strings in
 * BT_MAX_ARGV_BYTES, cut with BT_TRUNC_MARK.  REDACT NULL: the arguments
 * as they are; else each is passed through bt_redact_filter() with
 * REDACT's buffer (the builder sets REDACT->exempt from ARGV). */
struct bt_argv_in {
	char *const *argv; /* NULL-terminated, or NULL */
	struct bt_redact_buf *redact;
};

/* SESSION: S's times and root_pid; then VERSION and the session's command
 * (S->argc is set to the arguments kept). */
size_t bt_build_session(char *buf, size_t cap, const struct bt_rec_session *s,
			const char *version, const struct bt_argv_in *cmd);

/* [AS-safe] SESSION's n_cpus: the CPUs the calling process may run on,
 * which its children inherit (cargo's default -j); 0 if that cannot be
 * told. */
uint32_t bt_session_cpus(void);

/* What PROC_START stores after its fixed body.  ENV: the environment to
 * pick from (NULL-terminated, or NULL); ENV_KEEP: which entries are
 * stored (NULL: all).  Entries stop, with BT_START_ENV_TRUNCATED, when
 * fewer than BT_MAX_ENV_VALUE + 64 bytes are left. */
struct bt_start_in {
	const char *exe, *cwd;
	struct bt_argv_in argv;
	char *const *env;
	int (*env_keep)(const char *entry);
};

/* PROC_START: ST's pid, ppid, start_ticks, mono_ns, flags, uid and tid;
 * the builder sets argc, argc_kept, envc and adds
 * BT_START_ARGV_TRUNCATED / BT_START_ENV_TRUNCATED to the flags. */
size_t bt_build_proc_start(char *buf, size_t cap,
			   const struct bt_rec_proc_start *st,
			   const struct bt_start_in *in);

/* EXEC: PATH is what was passed to exec (NULL: empty). */
size_t bt_build_exec(char *buf, size_t cap, const struct bt_rec_exec *ex,
		     const char *path);
size_t bt_build_exec_failed(char *buf, size_t cap,
			    const struct bt_rec_exec_failed *ef);
/* SPAWN: WHAT is the path, file or command, stored as given (a shell
 * command line is the caller's to redact: bt_redact_command()). */
size_t bt_build_spawn(char *buf, size_t cap, const struct bt_rec_spawn *sp,
		      const char *what);
size_t bt_build_reap(char *buf, size_t cap, const struct bt_rec_reap *rp);
size_t bt_build_proc_end(char *buf, size_t cap,
			 const struct bt_rec_proc_end *pe);
size_t bt_build_dropped(char *buf, size_t cap, const struct bt_rec_dropped *d);

/* ---- sampling ---- */

size_t bt_build_sampling(char *buf, size_t cap,
			 const struct bt_rec_sampling *s);
/* MODULE: PATH, then BUILD_ID in lower-case hex ("" or NULL: none). */
size_t bt_build_module(char *buf, size_t cap, const struct bt_rec_module *m,
		       const char *path, const char *build_id);
/* THREAD: NAME is the thread's comm. */
size_t bt_build_thread(char *buf, size_t cap, const struct bt_rec_thread *t,
		       const char *name);
size_t bt_build_sampler_end(char *buf, size_t cap,
			    const struct bt_rec_sampler_end *end);

/* SAMPLES: a batch that grows one sample at a time in BUF:
 *
 *	bt_samples_begin(&b, buf, cap);
 *	if (bt_samples_add(&b, head, pcs) < 0) {   full: write this batch
 *		write(fd, buf, bt_samples_end(&b));
 *		bt_samples_begin(&b, buf, cap);
 *		bt_samples_add(&b, head, pcs);
 *	}
 *	...
 *	len = bt_samples_end(&b);
 *
 * b.count is the number of samples in the batch. */
struct bt_samples_batch {
	struct bt_enc e;
	uint32_t count;
};
void bt_samples_begin(struct bt_samples_batch *b, char *buf, size_t cap);
/* Appends HEAD and its HEAD->depth PCS.  Returns 0, or -1 if they do not
 * fit (nothing appended: an empty batch of BT_MAX_RECORD bytes holds any
 * sample). */
int bt_samples_add(struct bt_samples_batch *b, const struct bt_sample_head *h,
		   const uint64_t *pcs);
/* Finishes the batch: its size, 0 if it could not be begun. */
size_t bt_samples_end(struct bt_samples_batch *b);

#endif
