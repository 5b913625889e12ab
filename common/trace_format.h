/* trace_format.h - the on-disk btrace trace format (see docs/trace-format.md).
 *
 * Shared by the recorder (preload/) and the analyzer.  This header only
 * declares plain structs and constants: no allocation, no libc state, so the
 * recorder can use it from vfork children and signal handlers.
 *
 * A trace is a directory.  Each process image writes one file:
 *
 *   file   := file_header record*
 *   record := record_header body[fixed_size] strings
 *
 * All integers are in the writer's byte order, which the header announces.
 * Every record is written with a single write(2), so a reader sees either the
 * whole record or a cut-off tail at the end of the file.
 */
#ifndef BTRACE_TRACE_FORMAT_H
#define BTRACE_TRACE_FORMAT_H

#include <stdint.h>

#define BT_MAGIC "BTRACE\0\n"
#define BT_MAGIC_LEN 8
#define BT_FORMAT_VERSION 4
/* Version 3 added checksums (below): older readers would take a record's
 * check for string bytes, so they must refuse these files.  Version 4: a
 * file holds every image of its process (an exec appends the new image,
 * from its PROC_START with BT_START_APPENDED); an older reader would take
 * them for one image. */
#define BT_MIN_READER_VERSION 4
#define BT_ENDIAN_MARK 0x01020304u
#define BT_SESSION_LEN 32 /* NUL-padded session id string */
#define BT_FILE_SUFFIX ".btr"

struct bt_file_header {
	char magic[BT_MAGIC_LEN];
	uint16_t version;	     /* format version of the writer */
	uint16_t min_reader_version; /* oldest reader that understands it */
	uint16_t header_size;	     /* sizeof(struct bt_file_header) */
	uint16_t flags;		     /* enum bt_file_flags (version 3) */
	uint32_t endian_mark;	     /* BT_ENDIAN_MARK in the writer's order */
	uint32_t pid;
	uint64_t start_ticks; /* /proc/<pid>/stat starttime: pid identity */
	char session[BT_SESSION_LEN];
	/* version 3 */
	uint32_t header_check; /* bt_check32 of this header, this field 0 */
	uint32_t reserved1;
};

/* The size of a version 1 and 2 header, which ends after session. */
#define BT_HEADER_V2_SIZE 64u

enum bt_file_flags {
	/* Every record ends in a u32 bt_check32 of its bytes before it (size
	 * included), and the header carries header_check.  Set by every
	 * version 3 writer; a reader then finds a damaged record, skips it
	 * and reads on from the next whole one. */
	BT_FILE_CHECKED = 1u << 0,
};

/* Bytes of a record's check, at its end, in BT_FILE_CHECKED files. */
#define BT_RECORD_CHECK_SIZE 4u

struct bt_record_header {
	uint32_t size;	     /* whole record, header included */
	uint16_t type;	     /* enum bt_record_type */
	uint16_t fixed_size; /* bytes of fixed body before the strings */
};

enum bt_record_type {
	BT_REC_SESSION = 1,
	BT_REC_PROC_START = 2,
	BT_REC_EXEC = 3,
	BT_REC_EXEC_FAILED = 4,
	BT_REC_SPAWN = 5,
	BT_REC_REAP = 6,
	BT_REC_PROC_END = 7,
	/* version 2: CPU sampling */
	BT_REC_SAMPLING = 8,
	BT_REC_MODULE = 9,
	BT_REC_SAMPLES = 10,
	BT_REC_THREAD = 11,
	BT_REC_SAMPLER_END = 12,
	/* added within version 2 (older readers skip it): records lost */
	BT_REC_DROPPED = 13,
};

/* Resource usage, as getrusage/wait4 report it, in fixed-width units. */
struct bt_rusage {
	uint64_t utime_us;
	uint64_t stime_us;
	uint64_t maxrss_kib;
	uint64_t minflt;
	uint64_t majflt;
	uint64_t nvcsw;
	uint64_t nivcsw;
	uint64_t inblock;
	uint64_t oublock;
};

/* BT_REC_SESSION: written once per session by whoever created the trace
 * directory.  Strings: btrace version, then the session's command argv. */
struct bt_rec_session {
	uint64_t mono_ns;     /* CLOCK_MONOTONIC ... */
	uint64_t realtime_ns; /* ... and CLOCK_REALTIME read back to back */
	uint32_t root_pid;
	uint32_t argc;
	/* added within version 3 (a shorter record reads as 0: unknown) */
	uint32_t n_cpus; /* CPUs the session's first process could run on
			    (sched_getaffinity), what cargo's default -j is */
	uint32_t reserved;
};

enum bt_start_flags {
	BT_START_FORKED = 1u << 0,	   /* fork child without exec */
	BT_START_ARGV_TRUNCATED = 1u << 1, /* argv was cut: see argc */
	BT_START_ENV_TRUNCATED = 1u << 2,
	BT_START_SESSION_ROOT = 1u << 3, /* created the trace directory */
	BT_START_CONTINUED = 1u << 4,	 /* reopened file of a known image */
	/* Version 4: this image follows the one that exec'd it in its
	 * process's file; a new image starts at this record. */
	BT_START_APPENDED = 1u << 5,
};

/* BT_REC_PROC_START: one per process image (after exec) or fork child.
 * Strings: exe, cwd, argv[0..argc_kept), env[0..envc) as "NAME=value". */
struct bt_rec_proc_start {
	uint32_t pid;
	uint32_t ppid;
	uint64_t start_ticks; /* same as in the file header */
	uint64_t mono_ns;     /* when the shim's constructor ran */
	uint32_t flags;	      /* enum bt_start_flags */
	uint32_t argc;	      /* original argc */
	uint32_t argc_kept;   /* argv strings stored */
	uint32_t envc;	      /* allow-listed env strings stored */
	uint32_t uid;
	uint32_t tid;
};

enum bt_api {
	BT_API_EXECVE = 1,
	BT_API_EXECV,
	BT_API_EXECVP,
	BT_API_EXECVPE,
	BT_API_EXECL,
	BT_API_EXECLP,
	BT_API_EXECLE,
	BT_API_FEXECVE,
	BT_API_EXECVEAT,
	BT_API_POSIX_SPAWN,
	BT_API_POSIX_SPAWNP,
	BT_API_FORK,
	BT_API_SYSTEM,
	BT_API_POPEN,
	BT_API_WAIT,
	BT_API_WAITPID,
	BT_API_WAIT3,
	BT_API_WAIT4,
	BT_API_WAITID,
	BT_API_EXIT,
	BT_API__EXIT,
	BT_API__EXIT2, /* _Exit */
	BT_API_DESTRUCTOR,
	BT_API_MAX,
};

/* BT_REC_EXEC: written just before an exec* call in the calling image.
 * Strings: the path or file name passed to exec (empty for fexecve). */
struct bt_rec_exec {
	uint64_t mono_ns;
	uint32_t api; /* enum bt_api */
	uint32_t env_repaired;
};

/* BT_REC_EXEC_FAILED: the exec above returned. */
struct bt_rec_exec_failed {
	uint64_t mono_ns;
	int32_t err; /* errno */
	uint32_t api;
};

/* BT_REC_SPAWN: the image started a child (posix_spawn*, fork, system,
 * popen).  Strings: path, file or command.  child_pid is 0 when the API
 * hides it (system, popen). */
struct bt_rec_spawn {
	uint64_t mono_ns; /* before the call */
	uint64_t done_ns; /* after the call returned */
	uint32_t child_pid;
	uint32_t api;
	int32_t result; /* return value, or errno for posix_spawn* */
	uint32_t env_repaired;
};

/* BT_REC_REAP: the image reaped a child through a wait* call. */
struct bt_rec_reap {
	uint64_t mono_ns;
	uint32_t child_pid;
	uint32_t api;
	int32_t wait_status; /* raw status, as for WIFEXITED() etc. */
	uint32_t reserved;
	struct bt_rusage ru; /* the child's, from wait4/waitid */
};

enum bt_end_flags {
	BT_END_STATUS_KNOWN = 1u << 0,
};

/* BT_REC_PROC_END: the image is leaving (exit, _exit, destructor). */
struct bt_rec_proc_end {
	uint64_t mono_ns;
	uint32_t api; /* how it left: enum bt_api */
	int32_t exit_status;
	uint32_t flags; /* enum bt_end_flags */
	uint32_t reserved;
	struct bt_rusage ru;	      /* RUSAGE_SELF */
	struct bt_rusage ru_children; /* RUSAGE_CHILDREN */
};

/* ---- version 2: sampling ---- */

enum bt_sample_mode {
	BT_SAMPLE_OFF = 0,
	BT_SAMPLE_COMPILERS = 1, /* rustc, rustdoc and the linkers */
	BT_SAMPLE_ALL = 2,
};

enum bt_sampling_flags {
	BT_SAMPLING_ACTIVE = 1u << 0,	       /* timers armed */
	BT_SAMPLING_FOREIGN_HANDLER = 1u << 1, /* program owns SIGPROF: off */
	BT_SAMPLING_NO_UNWINDER = 1u << 2,     /* no _Unwind_Backtrace: off */
	BT_SAMPLING_NO_TIMER = 1u << 3,	       /* timer_create failed: off */
	BT_SAMPLING_PROCESS_TIMER = 1u << 4,   /* one process-wide timer */
};

/* BT_REC_SAMPLING: sampling was considered for this image. */
struct bt_rec_sampling {
	uint64_t mono_ns;
	uint64_t period_ns; /* CPU time per sample */
	uint32_t hz;
	uint32_t mode;	/* enum bt_sample_mode */
	uint32_t flags; /* enum bt_sampling_flags */
	uint32_t reserved;
	uint64_t process_cpu_ns; /* CPU the process used before sampling:
				    the dynamic loader, the constructors */
};

enum bt_module_event {
	BT_MODULE_LOADED = 1,	 /* present (at start or after dlopen) */
	BT_MODULE_UNLOADING = 2, /* about to be dlclose()d */
};

/* BT_REC_MODULE: a loaded ELF object.  Strings: path, build-id (lower-case
 * hex, empty if none).  Addresses are runtime addresses. */
struct bt_rec_module {
	uint64_t mono_ns;
	uint64_t bias;	     /* load bias: runtime = file vaddr + bias */
	uint64_t start, end; /* lowest and highest PT_LOAD addresses */
	uint64_t exec_start, exec_end; /* the executable PT_LOAD(s) */
	uint32_t event;		       /* enum bt_module_event */
	uint32_t reserved;
};

enum bt_sample_flags {
	BT_SAMPLE_COMPLETE = 1u << 0, /* unwound to the root of the stack */
	BT_SAMPLE_CUT = 1u << 1,      /* stopped at the depth limit */
	BT_SAMPLE_UNWIND_FAILED = 1u << 2, /* only the interrupted PC */
	/* The unwinder stopped at a frame with no unwind information (no
	 * FDE): the stack is cut there and its root is unknown.  Older
	 * writers flagged such stacks COMPLETE (docs/sampling.md). */
	BT_SAMPLE_TRUNCATED = 1u << 3,
};

/* BT_REC_SAMPLES: a batch of stack samples.  After the fixed body comes
 * binary data (not strings): COUNT times a bt_sample_head followed by
 * DEPTH u64 PCs, innermost first. */
struct bt_rec_samples {
	uint32_t count;
	uint32_t reserved;
};

struct bt_sample_head {
	uint64_t mono_ns;
	uint32_t tid;
	uint16_t depth;
	uint16_t flags;	 /* enum bt_sample_flags */
	uint32_t weight; /* periods this sample stands for: 1 + overruns */
	uint32_t reserved;
};

#define BT_MAX_DEPTH 256

/* BT_REC_THREAD: a sampled thread's name and CPU time, written when it
 * ends (or when the process ends).  String: the thread name (comm). */
struct bt_rec_thread {
	uint64_t mono_ns;
	uint64_t cpu_ns; /* the thread's CPU time, if known (else 0) */
	uint32_t tid;
	uint32_t flags; /* 1 = main thread */
};

/* BT_REC_SAMPLER_END: totals, so that a reader can tell lost samples from
 * samples never taken. */
struct bt_rec_sampler_end {
	uint64_t mono_ns;
	uint64_t taken;		/* samples the handler stored */
	uint64_t dropped_full;	/* buffer full: not stored */
	uint64_t dropped_write; /* stored but lost writing the trace */
	uint64_t written;	/* samples written */
	uint32_t threads;	/* threads that had a timer */
	uint32_t reserved;
	uint64_t process_cpu_ns; /* CPU of the process when sampling stopped */
};

/* BT_REC_DROPPED: records of this image that could not be written (the
 * trace file could not be opened: EMFILE, ENOSPC, a trace directory that
 * was moved) since the last record that could.  Written before the next
 * record that can be; each file's counts add up to its losses, except
 * those of its last moments (nothing follows them). */
struct bt_rec_dropped {
	uint64_t mono_ns;
	uint64_t records;
	uint64_t bytes;
};

/* Limits that keep every record bounded. */
#define BT_MAX_RECORD 65536u
#define BT_MAX_ARGV_BYTES 49152u
#define BT_MAX_ARGS 4096u
#define BT_MAX_ENV_VALUE 2048u
#define BT_TRUNC_MARK "...[btrace: truncated]"

const char *bt_api_name(uint32_t api);
const char *bt_record_type_name(uint32_t type);

#endif
