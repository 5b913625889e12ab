/* unshare_user.c - a single-threaded program that enters a new user
 * namespace, as bwrap and `unshare -U` do (issue 14, defect 4).  The
 * kernel refuses unshare(CLONE_NEWUSER) with EINVAL in a multi-threaded
 * process, so a shim that starts a thread breaks it.  Burns CPU first so
 * that sampling has started.  Exits 0 on success, 1 on EINVAL, 77 if the
 * kernel refuses for another reason (no user namespaces here). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "cpu_time.h"

int main(void)
{
	volatile unsigned long x = 0;
	while (cpu_s() < 0.2)
		x++;
	if (unshare(CLONE_NEWUSER) == 0) {
		printf("unshare_user: in a new user namespace\n");
		return 0;
	}
	fprintf(stderr, "unshare_user: unshare(CLONE_NEWUSER): %s\n",
		strerror(errno));
	return errno == EINVAL ? 1 : 77;
}
