/* trace_reader.h - load a trace directory into memory and rebuild its
 * processes: images joined into exec chains, and each process joined with
 * its parent's spawn and reap records.
 *
 * Ownership: bt_trace_load() allocates everything it returns;
 * bt_trace_free() releases it all.  Strings point into copies owned by the
 * trace. */
#ifndef BTRACE_TRACE_READER_H
#define BTRACE_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/progress.h"

#include "trace_codec.h"

struct bt_spawn {
	struct bt_rec_spawn rec;
	const char *what;
};

struct bt_reap {
	struct bt_rec_reap rec;
	int matched; /* joined with a process */
};

struct bt_module {
	struct bt_rec_module rec;
	const char *path, *build_id;
};

struct bt_thread {
	struct bt_rec_thread rec;
	const char *name;
};

/* A SAMPLES record's payload: COUNT samples, validated. */
struct bt_sample_batch {
	const unsigned char *data;
	size_t len;
	uint32_t count;
};

/* One process image: what one trace file holds. */
struct bt_image {
	char *file; /* path of the trace file */
	struct bt_file_header header;
	int has_start, has_end, has_exec, exec_failed_count;
	struct bt_rec_proc_start start;
	struct bt_rec_proc_end end;
	struct bt_rec_exec exec; /* the last exec this image attempted */
	const char *exe, *cwd, *exec_path;
	const char **argv; /* start.argc_kept entries */
	const char **env;  /* start.envc entries, "NAME=value" */
	struct bt_spawn *spawns;
	size_t n_spawns;
	struct bt_reap *reaps;
	size_t n_reaps;
	int has_sampling, has_sampler_end;
	struct bt_rec_sampling sampling;
	struct bt_rec_sampler_end sampler_end;
	struct bt_module *modules;
	size_t n_modules;
	struct bt_thread *threads;
	size_t n_threads;
	struct bt_sample_batch *batches;
	size_t n_batches;
	size_t n_samples, n_samples_complete, n_bad_batches;
	size_t n_samples_truncated; /* BT_SAMPLE_TRUNCATED: no unwind info */
	uint64_t sample_weight;	    /* sum of weights: periods sampled */
	int has_session;	    /* this file started the session */
	struct bt_rec_session session;
	const char *session_version;
	const char **session_argv; /* session.argc entries */
	int truncated;		   /* the file ends in a cut-off record */
	int corrupt; /* reading stopped at a record that made no sense */
	/* Damaged stretches skipped in a checked file (reading went on at
	 * the next whole record), their bytes and the first one's offset. */
	size_t n_damaged, damaged_bytes, damaged_at;
	size_t n_records, n_unknown;
	/* DROPPED records: what the recorder could not write (summed). */
	uint64_t dropped_records, dropped_bytes;
	char *blob;    /* the file's bytes; strings point into it (or, when it
			* is mapped, into `strings`) */
	char *strings; /* a mapped file's strings, copied */
	size_t blob_len;
	int blob_mapped; /* blob is a read-only mapping of the file */
	/* Version 4: the offset of the next image's PROC_START in the same
	 * file (one file per process: an exec appends), 0 if none; and
	 * whether blob belongs to the file's first image, not this one. */
	size_t next_image;
	int blob_shared;
};

/* One process: the images of one (pid, start_ticks), in exec order. */
struct bt_proc {
	uint32_t pid, ppid;
	uint64_t start_ticks;
	struct bt_image **images;
	size_t n_images;
	struct bt_proc *parent;
	uint64_t start_ns; /* parent's spawn time if known, else own start */
	uint64_t end_ns;   /* 0 if the end is unknown */
	int end_known;	   /* from the process itself or its parent's reap */
	int reaped;
	int spawn_matched;	  /* a parent's spawn record was joined */
	int untraced;		  /* known only from its parent's spawn/reap */
	int start_unknown;	  /* untraced and not even its spawn was seen */
	int exit_code;		  /* >= 0 if it exited with a status */
	int signal;		  /* > 0 if a signal ended it */
	struct bt_rusage ru_self; /* RUSAGE_SELF at its end */
	int has_ru_self;
	struct bt_rusage ru_reap; /* from the reap: it and its descendants */
	int has_ru_reap;
	uint64_t cpu_us; /* own CPU: ru_self, else the reap's */
};

struct bt_trace {
	char *dir;
	struct bt_image *images;
	size_t n_images;
	struct bt_proc *procs; /* sorted by start_ns */
	size_t n_procs;
	struct bt_image *untraced; /* stand-in images of untraced processes */
	size_t n_untraced;
	int has_session;
	struct bt_rec_session session;
	const char *btrace_version;
	const char **command; /* session.argc entries */
	uint64_t t0_ns;	      /* session start: earliest known time */
	uint64_t t1_ns;	      /* latest known time */
	size_t n_records;
	size_t n_problems;
	char **warnings;
	size_t n_warnings;
};

/* Loads DIR.  Returns 0, or -1 with a one-line reason in ERR when there is
 * no usable trace at all (missing directory, no files, every file bad), or
 * when memory ran out: errno is then ENOMEM (the command's BT_EXIT_NOMEM;
 * base/xalloc.h), and nothing is left allocated.  Problems with single
 * files become warnings and count as problems. */
int bt_trace_load(const char *dir, struct bt_trace *t, char *err,
		  size_t errlen);
/* The same, reporting how many of the files are read to CB (progress.h;
 * NULL: none), phase "reading the trace". */
int bt_trace_load_progress(const char *dir, struct bt_trace *t, char *err,
			   size_t errlen, const struct bt_progress_cb *cb);
void bt_trace_free(struct bt_trace *t);

/* Loads one file's bytes into IMG (used by bt_trace_load and the fuzzer).
 * Returns 0, or -1 with *WHY if the file is unusable (errno EINVAL) or
 * memory ran out (errno ENOMEM); bt_image_free() frees IMG either way. */
int bt_image_parse(struct bt_image *img, char *blob, size_t len,
		   const char **why);
/* The image after PREV in PREV's file (PREV->next_image), into IMG, which
 * shares PREV's bytes: PREV must outlive it.  Returns 0, or -1 (errno
 * ENOMEM) with *WHY. */
int bt_image_parse_next(struct bt_image *img, const struct bt_image *prev,
			const char **why);
void bt_image_free(struct bt_image *img);

/* Lets the kernel drop the resident pages of a mapped image (they are
 * read back from the page cache when touched again): a big trace is then
 * never resident all at once.  Harmless for images read into memory. */
void bt_image_drop_pages(const struct bt_image *img);

/* Resolves the default trace directory: ./btrace.data/latest.  Returns a
 * malloc'd path or NULL. */
char *bt_default_trace_dir(void);

/* Iterates the samples of a batch: returns 1 and fills HEAD and PCS
 * (BT_MAX_DEPTH entries, or NULL) for the sample at *OFF, advancing it;
 * 0 at the end. */
int bt_batch_next(const struct bt_sample_batch *b, size_t *off,
		  struct bt_sample_head *head, uint64_t *pcs);

/* Looks up NAME in an image's recorded environment, or NULL. */
const char *bt_image_env(const struct bt_image *img, const char *name);
/* The last image of a process: its final command. */
const struct bt_image *bt_proc_last(const struct bt_proc *p);

#endif
