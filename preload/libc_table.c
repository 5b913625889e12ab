/* libc_table.c - the real libc functions behind our hooks. */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "shim.h"

struct bt_libc bt_real;

#define RESOLVE(fn)                                                            \
	do {                                                                   \
		if (!bt_real.fn)                                               \
			*(void **)&bt_real.fn = dlsym(RTLD_NEXT, #fn);         \
	} while (0)

/* Not AS-safe (dlsym may allocate): the constructor calls it first, so a
 * hook only gets here if another library's constructor ran before ours. */
void bt_libc_resolve(void)
{
	RESOLVE(execve);
	RESOLVE(execvpe);
	RESOLVE(fexecve);
	RESOLVE(execveat);
	RESOLVE(posix_spawn);
	RESOLVE(posix_spawnp);
	RESOLVE(fork);
	RESOLVE(system);
	RESOLVE(popen);
	RESOLVE(wait4);
	RESOLVE(exit);
	RESOLVE(_exit);
	RESOLVE(_Exit);
}
