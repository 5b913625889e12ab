/* hook_exec.c - the exec* family.  A vfork child can run every function
 * here, so they use the stack only: no malloc, no stdio, no locks, and no
 * writes to shared state ([AS-safe] throughout).
 *
 * Each hook repairs the child's environment, records the exec in the
 * calling image (the new image records its own start), and calls the real
 * function.  glibc's execv/execvp/execl* call the internal __execve, which
 * we cannot interpose, so those are rebuilt on execve/execvpe here. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "shim.h"

extern char **environ;

static int do_exec(uint32_t api, int fd, const char *path, char *const argv[],
		   char *const envp[], int at_flags)
{
	struct bt_envbuf envbuf;
	char *const *env;
	int repaired, err, saved = errno;

	env = bt_child_env(envp, &envbuf, &repaired);
	bt_sampler_stop(); /* no timer may outlive the image */
	bt_record_exec(api, path ? path : "", repaired);
	errno = saved;
	switch (api) {
	case BT_API_EXECVP:
	case BT_API_EXECVPE:
	case BT_API_EXECLP:
		BT_REAL(execvpe)(path, argv, env);
		break;
	case BT_API_FEXECVE:
		BT_REAL(fexecve)(fd, argv, env);
		break;
	case BT_API_EXECVEAT:
		if (BT_REAL(execveat))
			bt_real.execveat(fd, path, argv, env, at_flags);
		else
			errno = ENOSYS;
		break;
	default:
		BT_REAL(execve)(path, argv, env);
		break;
	}
	err = errno;
	bt_child_env_release(&envbuf);
	bt_record_exec_failed(api, err);
	bt_sampler_exec_failed();
	errno = err;
	return -1;
}

BT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return do_exec(BT_API_EXECVE, -1, path, argv, envp, 0);
}

BT_EXPORT int execv(const char *path, char *const argv[])
{
	return do_exec(BT_API_EXECV, -1, path, argv, environ, 0);
}

BT_EXPORT int execvp(const char *file, char *const argv[])
{
	return do_exec(BT_API_EXECVP, -1, file, argv, environ, 0);
}

BT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return do_exec(BT_API_EXECVPE, -1, file, argv, envp, 0);
}

BT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	return do_exec(BT_API_FEXECVE, fd, NULL, argv, envp, 0);
}

BT_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
		       char *const envp[], int flags)
{
	return do_exec(BT_API_EXECVEAT, dirfd, path, argv, envp, flags);
}

/* The execl* variants: count the arguments, then copy them into an array
 * on the stack (as glibc does) and go through do_exec. */
static size_t count_args(const char *arg0, va_list ap)
{
	va_list cp;
	size_t n = 1;
	va_copy(cp, ap);
	if (arg0)
		while (va_arg(cp, const char *))
			n++;
	else
		n = 0;
	va_end(cp);
	return n;
}

#define COLLECT_ARGS(argv, n, arg0, ap)                                        \
	do {                                                                   \
		argv[0] = (char *)arg0;                                        \
		for (size_t i_ = 1; i_ < (n); i_++)                            \
			argv[i_] = va_arg(ap, char *);                         \
		if ((n) > 0)                                                   \
			(void)va_arg(ap, char *); /* the NULL */               \
		argv[(n)] = NULL;                                              \
	} while (0)

BT_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	char *argv[n + 1];
	COLLECT_ARGS(argv, n, arg, ap);
	va_end(ap);
	return do_exec(BT_API_EXECL, -1, path, argv, environ, 0);
}

BT_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	char *argv[n + 1];
	COLLECT_ARGS(argv, n, arg, ap);
	va_end(ap);
	return do_exec(BT_API_EXECLP, -1, file, argv, environ, 0);
}

BT_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = count_args(arg, ap);
	char *argv[n + 1];
	COLLECT_ARGS(argv, n, arg, ap);
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return do_exec(BT_API_EXECLE, -1, path, argv, envp, 0);
}
