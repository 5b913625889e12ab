/* hook_wait.c - record children where the parent reaps them.
 *
 * Every wait variant is served by wait4 (or the raw waitid syscall, which
 * also takes a struct rusage), so each reap comes with the child's CPU
 * time, max RSS and exit status or signal, even for children that were
 * killed or are statically linked and so never ran our destructor. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static pid_t do_wait4(uint32_t api, pid_t pid, int *status, int options,
		      struct rusage *ru_out)
{
	struct rusage ru;
	int st = 0, saved;
	pid_t r = BT_REAL(wait4)(pid, &st, options, &ru);
	if (r > 0) {
		if (status)
			*status = st;
		if (ru_out)
			*ru_out = ru;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			saved = errno;
			bt_record_reap(api, r, st, &ru);
			errno = saved;
		}
	}
	return r;
}

BT_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return do_wait4(BT_API_WAIT4, pid, status, options, ru);
}

BT_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	return do_wait4(BT_API_WAIT3, -1, status, options, ru);
}

BT_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	return do_wait4(BT_API_WAITPID, pid, status, options, NULL);
}

BT_EXPORT pid_t wait(int *status)
{
	return do_wait4(BT_API_WAIT, -1, status, 0, NULL);
}

BT_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct rusage ru;
	siginfo_t local;
	siginfo_t *si = info ? info : &local;
	int saved, status;
	long r;

	memset(&local, 0, sizeof(local));
	r = syscall(SYS_waitid, idtype, id, si, options, &ru);
	if (r != 0 || (options & WNOWAIT) || si->si_pid <= 0)
		return (int)r;
	switch (si->si_code) {
	case CLD_EXITED:
		status = (si->si_status & 0xff) << 8;
		break;
	case CLD_KILLED:
		status = si->si_status & 0x7f;
		break;
	case CLD_DUMPED:
		status = (si->si_status & 0x7f) | 0x80;
		break;
	default:
		return (int)r; /* stopped or continued: not an end */
	}
	saved = errno;
	bt_record_reap(BT_API_WAITID, si->si_pid, status, &ru);
	errno = saved;
	return (int)r;
}
