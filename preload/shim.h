/* shim.h - internals of libbtrace.so shared between its files.
 *
 * Everything here has hidden visibility (the library is built with
 * -fvisibility=hidden); only functions marked BT_EXPORT are interposed.
 *
 * Async-signal-safety: functions marked [AS-safe] use only syscalls, the
 * stack and the immutable state set up by the constructor, so they may run
 * in a vfork child or a signal handler.  The others may not.
 */
#ifndef BTRACE_SHIM_H
#define BTRACE_SHIM_H

#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../common/trace_format.h"

#define BT_EXPORT __attribute__((visibility("default")))

/* ---- the real libc functions (libc_table.c) ----
 * One table, resolved with dlsym(RTLD_NEXT) in the constructor and lazily
 * by any hook that runs before it.  Tests can point entries elsewhere. */
struct bt_libc {
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*posix_spawn)(pid_t *, const char *,
			   const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[],
			   char *const[]);
	int (*posix_spawnp)(pid_t *, const char *,
			    const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[],
			    char *const[]);
	pid_t (*fork)(void);
	int (*system)(const char *);
	FILE *(*popen)(const char *, const char *);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	void (*exit)(int) __attribute__((noreturn));
	void (*_exit)(int) __attribute__((noreturn));
	void (*_Exit)(int) __attribute__((noreturn));
};
extern struct bt_libc bt_real;
void bt_libc_resolve(void);
#define BT_REAL(fn) (bt_real.fn ? bt_real.fn : (bt_libc_resolve(), bt_real.fn))

/* ---- environment repair (env_repair.c) ---- */
#define BT_INJECT_MAX 16

struct bt_inject {
	const char *entries[BT_INJECT_MAX]; /* "NAME=value", built once */
	size_t count;
	const char *preload_needle; /* file name that marks our library */
};

/* [AS-safe] Writes into OUT (CAP slots) a copy of ENVP with every entry of
 * INJ that ENVP lacks added.  An LD_PRELOAD without our library is
 * replaced by "LD_PRELOAD=<ours> <theirs>", built in SCRATCH; of several
 * LD_PRELOAD= entries, the last is the one the loader reads, so that is
 * the one looked at and fixed.  Returns the number of entries written
 * (OUT is NULL-terminated), 0 if ENVP needs no repair (OUT untouched), or
 * -1 if it does not fit. */
int bt_env_repair(char *const envp[], const struct bt_inject *inj, char **out,
		  size_t cap, char *scratch, size_t scratch_cap);
/* [AS-safe] Slots (and in *SCRATCH_NEED, scratch bytes) that are always
 * enough for bt_env_repair of ENVP. */
size_t bt_env_repair_need(char *const envp[], const struct bt_inject *inj,
			  size_t *scratch_need);

/* Is NAME=value one of the environment variables we record?  See
 * docs/trace-format.md for the allow-list. */
int bt_env_allowed(const char *entry);

#include "../common/trace_dir.h"

/* ---- the per-process state and bt_emit() (emit.c) ---- */
#include "emit.h"

/* ---- the recorder (recorder.c) ---- */
/* What the recorder keeps beside bt_st: set in the constructor, read by
 * the hooks. */
struct bt_recorder {
	struct bt_inject inject; /* put back into child environments */
	volatile int ended;	 /* PROC_END written */
	int exit_status;	 /* exit()'s, for the destructor's PROC_END */
	int exit_status_known;
	uint32_t exit_api;
};
extern struct bt_recorder bt_recorder;

/* Records the end of this image (exit/_exit/destructor), once. */
void bt_record_end(uint32_t api, int status, int status_known);
/* Room for a repaired child environment.  A hook keeps it in its frame,
 * which must stay small (a thread may have a 32 KiB stack: issue 14,
 * defect 3), so a bigger environment gets an area from mmap: a syscall,
 * safe in a vfork child.  (A vfork child whose exec succeeds leaves that
 * area mapped in its parent: only for environments of more than
 * BT_ENV_SMALL entries that need repair, and the size of one.) */
#define BT_ENV_SMALL 128
#define BT_SCRATCH_SMALL 1024
struct bt_envbuf {
	char *slots[BT_ENV_SMALL];
	char scratch[BT_SCRATCH_SMALL];
	void *map;
	size_t map_len;
};
/* [AS-safe] Repairs ENVP for a child into B; returns the env to use (ENVP
 * itself if it needs nothing or cannot be repaired). */
char *const *bt_child_env(char *const envp[], struct bt_envbuf *b,
			  int *repaired);
/* [AS-safe] Gives back what bt_child_env mapped. */
void bt_child_env_release(struct bt_envbuf *b);
/* [AS-safe] Records an exec attempt and, if it failed, its errno. */
void bt_record_exec(uint32_t api, const char *path, int repaired);
void bt_record_exec_failed(uint32_t api, int err);
void bt_record_spawn(uint32_t api, uint64_t t0, pid_t child, int result,
		     const char *what, int repaired);
void bt_record_reap(uint32_t api, pid_t child, int status,
		    const struct rusage *ru);

/* In a fork child: system()'s count of callers starts anew (hook_spawn.c). */
void bt_system_forked(void);

/* ---- CPU sampling (sampler.c) ---- */
/* Decides whether this image is sampled (BTRACE_SAMPLE, the exe) and, if
 * so, installs the SIGPROF handler, arms the main thread's timer and
 * starts the flusher.  Constructor only. */
void bt_sampler_start(void);
/* Stops sampling and writes what is left: before exec, at exit, _exit. */
void bt_sampler_stop(void);
/* In a fork child of a sampled image: sampling starts again, for the
 * child (its atfork handler). */
void bt_sampler_forked(void);
/* [AS-safe in a vfork child, where it does nothing] The exec that
 * bt_sampler_stop() ran for failed: sampling goes on. */
void bt_sampler_exec_failed(void);

#endif
