/* hook_exit.c - record how an image leaves.
 *
 * exit() only notes the status: the record is written by our destructor,
 * which runs after the program's atexit handlers and destructors, so the
 * end time and rusage cover them.  _exit and _Exit skip destructors (lld
 * leaves through _exit), so they write the record themselves. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "shim.h"

BT_EXPORT void exit(int status)
{
	if (bt_active()) {
		bt_recorder.exit_status = status;
		bt_recorder.exit_status_known = 1;
		bt_recorder.exit_api = BT_API_EXIT;
	}
	BT_REAL(exit)(status);
}

BT_EXPORT void _exit(int status)
{
	bt_sampler_stop();
	bt_record_end(BT_API__EXIT, status, 1);
	BT_REAL(_exit)(status);
}

BT_EXPORT void _Exit(int status)
{
	bt_sampler_stop();
	bt_record_end(BT_API__EXIT2, status, 1);
	BT_REAL(_Exit)(status);
}
