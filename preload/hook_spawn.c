/* hook_spawn.c - posix_spawn(p), fork, system and popen.
 *
 * glibc's posix_spawn, system and popen start the child with the internal
 * __execve, so the only way to keep the child traced is to hand it a
 * repaired environment.  Rust's Command uses posix_spawnp. */
#define _GNU_SOURCE
#include <errno.h>
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
	char *envbuf[BT_ENV_MAX];
	char scratch[BT_PRELOAD_MAX];
	char *const *env;
	pid_t child = 0;
	int repaired, r, saved = errno;
	uint64_t t0 = bt_now_ns();

	env = bt_child_env(envp, envbuf, BT_ENV_MAX, scratch, sizeof(scratch),
			   &repaired);
	errno = saved;
	if (api == BT_API_POSIX_SPAWNP)
		r = BT_REAL(posix_spawnp)(&child, path, fa, attr, argv, env);
	else
		r = BT_REAL(posix_spawn)(&child, path, fa, attr, argv, env);
	saved = errno;
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

/* system() for an environment that lost our variables: what glibc does
 * (sh -c with SIGINT/SIGQUIT ignored and SIGCHLD blocked in the caller),
 * with a repaired environment. */
static int system_repaired(const char *cmd, char *const env[])
{
	struct sigaction ign, old_int, old_quit;
	sigset_t block, old_mask, defaults;
	posix_spawnattr_t attr;
	pid_t pid;
	int status = -1, r;
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);

	sigemptyset(&defaults);
	if (old_int.sa_handler != SIG_IGN)
		sigaddset(&defaults, SIGINT);
	if (old_quit.sa_handler != SIG_IGN)
		sigaddset(&defaults, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &old_mask);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr,
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	r = BT_REAL(posix_spawn)(&pid, "/bin/sh", NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	if (r == 0) {
		struct rusage ru;
		pid_t w;
		do
			w = BT_REAL(wait4)(pid, &status, 0, &ru);
		while (w < 0 && errno == EINTR);
		if (w == pid)
			bt_record_reap(BT_API_SYSTEM, pid, status, &ru);
		else
			status = -1;
	} else {
		status = 127 << 8; /* as if the shell failed to run */
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}

BT_EXPORT int system(const char *cmd)
{
	char *envbuf[BT_ENV_MAX];
	char scratch[BT_PRELOAD_MAX];
	char *const *env;
	int repaired, r, saved = errno;
	uint64_t t0 = bt_now_ns();

	if (!cmd || !bt_active())
		return BT_REAL(system)(cmd);
	env = bt_child_env(environ, envbuf, BT_ENV_MAX, scratch,
			   sizeof(scratch), &repaired);
	errno = saved;
	r = repaired ? system_repaired(cmd, env) : BT_REAL(system)(cmd);
	saved = errno;
	bt_record_spawn(BT_API_SYSTEM, t0, 0, r, cmd, repaired);
	errno = saved;
	return r;
}

/* popen: the child is traced as long as environ still carries our
 * variables; a repaired popen would need glibc's private FILE state, so an
 * environment without them is recorded (env_repaired = -1) but not fixed. */
BT_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	char *envbuf[BT_ENV_MAX];
	char scratch[BT_PRELOAD_MAX];
	int repaired = 0, saved;
	uint64_t t0 = bt_now_ns();
	FILE *f;

	if (bt_active()) {
		bt_child_env(environ, envbuf, BT_ENV_MAX, scratch,
			     sizeof(scratch), &repaired);
	}
	f = BT_REAL(popen)(cmd, mode);
	saved = errno;
	bt_record_spawn(BT_API_POPEN, t0, 0, f ? 0 : -1, cmd,
			repaired ? -1 : 0);
	errno = saved;
	return f;
}
