/* progress.c - progress on a terminal (progress.h). */
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "base/progress.h"

/* Redraws only when the phase or the whole percent changes: at most 101
 * writes a phase, however many steps the stage reports. */
static void draw(void *ctx, const char *phase, size_t done, size_t total)
{
	struct bt_progress_line *l = ctx;
	int pct = total ? (int)(100.0 * (double)(done < total ? done : total) /
				(double)total)
			: 100;

	if (!l->on || (l->phase && !strcmp(l->phase, phase) && l->pct == pct))
		return;
	l->phase = phase;
	l->pct = pct;
	fprintf(stderr, "\rbtrace %s: %s %3d%% (%zu/%zu)\033[K", l->cmd, phase,
		pct, done, total);
	fflush(stderr);
}

void bt_progress_init(struct bt_progress_line *l, const char *cmd, int wanted,
		      struct bt_progress_cb *cb)
{
	memset(l, 0, sizeof(*l));
	l->cmd = cmd;
	l->on = wanted && isatty(2);
	cb->fn = draw;
	cb->ctx = l;
}

void bt_progress_clear(struct bt_progress_line *l)
{
	if (!l->on || !l->phase)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	l->phase = NULL;
}
