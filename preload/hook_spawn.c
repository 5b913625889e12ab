/* hook_spawn.c - posix_spawn(p), fork, system and popen.
 *
 * glibc's posix_spawn, system and popen start the child with the internal
 * __execve, so the only way to keep the child traced is to hand it a
 * repaired environment.  Rust's Command uses posix_spawnp. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

extern char **environ;

static int do_spawn(uint32_t api, pid_t *pid, const char *path,
		    const posix_spawn_file_actions_t *fa,
		    const posix_spawnattr_t *attr, char *const argv[],
		    char *const envp[])
{
	struct bt_envbuf envbuf;
	char *const *env;
	pid_t child = 0;
	int repaired, r, saved = errno;
	uint64_t t0 = bt_now_ns();

	env = bt_child_env(envp, &envbuf, &repaired);
	errno = saved;
	if (api == BT_API_POSIX_SPAWNP)
		r = BT_REAL(posix_spawnp)(&child, path, fa, attr, argv, env);
	else
		r = BT_REAL(posix_spawn)(&child, path, fa, attr, argv, env);
	saved = errno;
	bt_child_env_release(&envbuf);
	if (pid && r == 0)
		*pid = child;
	bt_record_spawn(api, t0, r == 0 ? child : 0, r, path, repaired);
	errno = saved;
	return r;
}

BT_EXPORT int posix_spawn(pid_t *pid, const char *path,
			  const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[],
			  char *const envp[])
{
	return do_spawn(BT_API_POSIX_SPAWN, pid, path, fa, attr, argv, envp);
}

BT_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			   const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[],
			   char *const envp[])
{
	return do_spawn(BT_API_POSIX_SPAWNP, pid, file, fa, attr, argv, envp);
}

BT_EXPORT pid_t fork(void)
{
	uint64_t t0 = bt_now_ns();
	pid_t pid = BT_REAL(fork)();
	if (pid > 0) {
		int saved = errno;
		bt_record_spawn(BT_API_FORK, t0, pid, 0, "", 0);
		errno = saved;
	}
	return pid;
}

/* SIGINT and SIGQUIT are ignored while any thread is in system(), and
 * given back when the last one leaves: glibc counts the callers, and so
 * must we, or two threads in system() at once leave SIGINT ignored for
 * good (issue 14, defect 5).  The lock guards only the count and the
 * saved dispositions; a fork child starts with it free. */
static struct {
	int lock;
	unsigned users;
	struct sigaction old_int, old_quit;
} sys_sig;

static void sys_lock(void)
{
	while (__atomic_exchange_n(&sys_sig.lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void sys_unlock(void)
{
	__atomic_store_n(&sys_sig.lock, 0, __ATOMIC_RELEASE);
}

void bt_system_forked(void)
{
	sys_sig.lock = 0;
	sys_sig.users = 0;
}

static void sys_leave(void)
{
	sys_lock();
	if (--sys_sig.users == 0) {
		sigaction(SIGINT, &sys_sig.old_int, NULL);
		sigaction(SIGQUIT, &sys_sig.old_quit, NULL);
	}
	sys_unlock();
}

/* A thread cancelled while it waits for the shell (wait4 is a
 * cancellation point): as glibc does, kill and reap the shell, then leave
 * as a return would, or SIGINT would stay ignored. */
struct sys_call {
	pid_t pid;
	sigset_t old_mask;
};

static void system_cancelled(void *arg)
{
	struct sys_call *c = arg;
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		BT_REAL(wait4)(c->pid, NULL, 0, NULL);
	}
	sys_leave();
	sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
}

/* system() for an environment that lost our variables: what glibc does
 * (sh -c with SIGINT/SIGQUIT ignored and SIGCHLD blocked in the caller),
 * with a repaired environment. */
static int system_repaired(const char *cmd, char *const env[])
{
	struct sigaction ign;
	sigset_t block, defaults;
	struct sys_call c = {0};
	posix_spawnattr_t attr;
	int status = -1, r;
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&defaults);
	sys_lock();
	if (sys_sig.users++ == 0) {
		sigaction(SIGINT, &ign, &sys_sig.old_int);
		sigaction(SIGQUIT, &ign, &sys_sig.old_quit);
	}
	if (sys_sig.old_int.sa_handler != SIG_IGN)
		sigaddset(&defaults, SIGINT);
	if (sys_sig.old_quit.sa_handler != SIG_IGN)
		sigaddset(&defaults, SIGQUIT);
	sys_unlock();
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &c.old_mask);

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &c.old_mask);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
					    POSIX_SPAWN_SETSIGMASK);
	pthread_cleanup_push(system_cancelled, &c);
	r = BT_REAL(posix_spawn)(&c.pid, "/bin/sh", NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	if (r == 0) {
		struct rusage ru;
		pid_t w;
		pid_t child;
		do
			w = BT_REAL(wait4)(c.pid, &status, 0, &ru);
		while (w < 0 && errno == EINTR);
		child = c.pid;
		c.pid = 0; /* reaped: nothing to kill from here on */
		if (w == child)
			bt_record_reap(BT_API_SYSTEM, child, status, &ru);
		else
			status = -1;
	} else {
		status = 127 << 8; /* as if the shell failed to run */
	}
	pthread_cleanup_pop(0);
	sys_leave();
	sigprocmask(SIG_SETMASK, &c.old_mask, NULL);
	return status;
}

BT_EXPORT int system(const char *cmd)
{
	struct bt_envbuf envbuf;
	char *const *env;
	int repaired, r, saved = errno;
	uint64_t t0 = bt_now_ns();

	/* Whether recording is on or not: all system() calls that need a
	 * repaired environment go through one count of callers. */
	if (!cmd || !bt_recorder.inject.count || bt_st.pid != getpid())
		return BT_REAL(system)(cmd);
	env = bt_child_env(environ, &envbuf, &repaired);
	errno = saved;
	r = repaired ? system_repaired(cmd, env) : BT_REAL(system)(cmd);
	saved = errno;
	bt_child_env_release(&envbuf);
	bt_record_spawn(BT_API_SYSTEM, t0, 0, r, cmd, repaired);
	errno = saved;
	return r;
}

/* popen: the child is traced as long as environ still carries our
 * variables; a repaired popen would need glibc's private FILE state, so an
 * environment without them is recorded (env_repaired = -1) but not fixed. */
BT_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	int repaired = 0, saved;
	uint64_t t0 = bt_now_ns();
	FILE *f;

	/* Would environ need repair?  (-1: yes, it does not fit in none.) */
	if (bt_active() && bt_recorder.inject.count)
		repaired = bt_env_repair(environ, &bt_recorder.inject, NULL, 0,
					 NULL, 0) != 0;
	f = BT_REAL(popen)(cmd, mode);
	saved = errno;
	bt_record_spawn(BT_API_POPEN, t0, 0, f ? 0 : -1, cmd,
			repaired ? -1 : 0);
	errno = saved;
	return f;
}
