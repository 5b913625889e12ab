/* progress.h - progress of long work on a terminal: a phase and its
 * percent, redrawn on one line of stderr ("btrace report: profile 42%").
 *
 * The stages report through struct bt_progress_cb (how far they are, in
 * their own unit: files, samples, outputs) and know nothing of terminals;
 * the command decides whether anything is shown (bt_progress_init: only
 * when stderr is a terminal and not -q) and clears the line before it
 * prints anything else.  Not async-signal-safe (stdio); called from the
 * thread that runs the stage only. */
#ifndef BTRACE_PROGRESS_H
#define BTRACE_PROGRESS_H

#include <stddef.h>

/* What a stage calls: FN(CTX, PHASE, DONE, TOTAL), DONE of TOTAL units of
 * PHASE done.  A NULL callback (or FN) is no progress. */
struct bt_progress_cb {
	void (*fn)(void *ctx, const char *phase, size_t done, size_t total);
	void *ctx;
};

static inline void bt_progress(const struct bt_progress_cb *cb,
			       const char *phase, size_t done, size_t total)
{
	if (cb && cb->fn)
		cb->fn(cb->ctx, phase, done, total);
}

/* The terminal line. */
struct bt_progress_line {
	const char *cmd;   /* "report": the line's prefix */
	int on;		   /* stderr is a terminal and progress is wanted */
	const char *phase; /* the one on the line, NULL if none */
	int pct;	   /* the percent on the line */
};

/* Shows progress for CMD when WANTED and stderr is a terminal; fills CB
 * with the callback that draws it (its ctx is L). */
void bt_progress_init(struct bt_progress_line *l, const char *cmd, int wanted,
		      struct bt_progress_cb *cb);
/* Clears the line, if one is drawn, so other output starts on a clean
 * line. */
void bt_progress_clear(struct bt_progress_line *l);

#endif
