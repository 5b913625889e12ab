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
#define BT_ENV_MAX 4096     /* child env entries we can repair on the stack */
#define BT_INJECT_MAX 16
#define BT_PRELOAD_MAX 4096 /* merged LD_PRELOAD= entry */

struct bt_inject {
	const char *entries[BT_INJECT_MAX]; /* "NAME=value", built once */
	size_t count;
	const char *preload_needle; /* file name that marks our library */
};

/* [AS-safe] Writes into OUT (CAP slots) a copy of ENVP with every entry of
 * INJ that ENVP lacks added.  LD_PRELOAD without our library is replaced by
 * "LD_PRELOAD=<ours> <theirs>", built in SCRATCH.  Returns the number of
 * entries written (OUT is NULL-terminated), 0 if ENVP needs no repair, or
 * -1 if it does not fit (then ENVP is used as it is). */
int bt_env_repair(char *const envp[], const struct bt_inject *inj,
		  char **out, size_t cap, char *scratch, size_t scratch_cap);

/* Is NAME=value one of the environment variables we record?  See
 * docs/trace-format.md for the allow-list. */
int bt_env_allowed(const char *entry);

#include "../common/trace_dir.h"

/* ---- the recorder (recorder.c) ---- */
struct bt_state {
	int initialized; /* constructor ran */
	int enabled;     /* recording (0 after any failure) */
	int debug;       /* BTRACE_DEBUG=1 */
	int session_root;
	pid_t pid; /* the process this state belongs to */
	uint64_t start_ticks;
	int file_ready;
	int is_fork_child;
	char dir[1024];
	char path[1200];
	char session[BT_SESSION_LEN];
	uint64_t fsize_limit; /* RLIMIT_FSIZE, or UINT64_MAX */
	uint64_t written;
	int argc;
	char **argv;
	struct bt_inject inject;
	volatile int ended;
	int exit_status;
	int exit_status_known;
	uint32_t exit_api;
};
extern struct bt_state bt_st;

/* [AS-safe] Is this the process our state belongs to, with recording on?
 * False in vfork children and in children that skipped atfork handlers. */
int bt_active(void);
/* [AS-safe] Appends one encoded record to this process's trace file. */
void bt_emit(const void *rec, size_t len);
/* [AS-safe] CLOCK_MONOTONIC in ns. */
uint64_t bt_now_ns(void);
/* [AS-safe] Converts struct rusage. */
void bt_rusage_conv(const struct rusage *in, struct bt_rusage *out);
/* [AS-safe] Writes "btrace[pid]: MSG ARG\n" to stderr if BTRACE_DEBUG. */
void bt_debug(const char *msg, const char *arg);
/* Records the end of this image (exit/_exit/destructor), once. */
void bt_record_end(uint32_t api, int status, int status_known);
/* [AS-safe] Repairs ENVP for a child into OUT; returns the env to use. */
char *const *bt_child_env(char *const envp[], char **out, size_t cap,
			  char *scratch, size_t scratch_cap, int *repaired);
/* [AS-safe] Records an exec attempt and, if it failed, its errno. */
void bt_record_exec(uint32_t api, const char *path, int repaired);
void bt_record_exec_failed(uint32_t api, int err);
void bt_record_spawn(uint32_t api, uint64_t t0, pid_t child, int result,
		     const char *what, int repaired);
void bt_record_reap(uint32_t api, pid_t child, int status,
		    const struct rusage *ru);

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
