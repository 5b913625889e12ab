/* trace_reader.c - load a trace directory and rebuild its processes.
 *
 * Out of memory (base/xalloc.h): every allocation is checked and the
 * failure carried up to bt_trace_load(), which frees what it made and
 * returns -1 with errno ENOMEM; nothing here exits. */
#define _GNU_SOURCE
#include "model/trace_reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FILE_BYTES (1024ull * 1024 * 1024)

/* calloc of at least one byte: NULL means out of memory. */
static void *zalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

/* Appends an element to ARR (N of them): the new element, or NULL (ARR
 * unchanged) when out of memory. */
#define GROW(arr, n)                                                           \
	({                                                                     \
		__typeof__(arr) g_ =                                           \
		    realloc((arr), ((n) + 1) * sizeof(*(arr)));                \
		g_ ? ((arr) = g_, &g_[(n)++]) : NULL;                          \
	})

/* What bt_trace_load() works on: the trace, and whether memory ran out
 * (a warning that could not be kept sets it too). */
struct loader {
	struct bt_trace *t;
	int nomem;
};

static void warn(struct loader *l, int problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(struct loader *l, int problem, const char *fmt, ...)
{
	struct bt_trace *t = l->t;
	char buf[1024], **w;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w = GROW(t->warnings, t->n_warnings);
	if (!w) {
		l->nomem = 1;
		return;
	}
	*w = strdup(buf);
	if (!*w) {
		t->n_warnings--;
		l->nomem = 1;
		return;
	}
	if (problem)
		t->n_problems++;
}

/* Splits a record's strings into a new array; returns the count (0 with
 * *OOM set when out of memory). */
static int split_strings(const struct bt_record *rec, const char ***out,
			 int *oom)
{
	int n = bt_record_strings(rec, NULL, 0);
	if (n <= 0) {
		*out = NULL;
		return n;
	}
	*out = calloc((size_t)n, sizeof(**out));
	if (!*out) {
		*oom = 1;
		return 0;
	}
	bt_record_strings(rec, *out, (size_t)n);
	return n;
}

static void parse_start(struct bt_image *img, const struct bt_record *rec,
			int *oom)
{
	const char **s = NULL;
	int n = split_strings(rec, &s, oom);
	size_t need;
	bt_record_fixed(rec, &img->start, sizeof(img->start));
	img->has_start = 1;
	img->exe = n > 0 ? s[0] : "";
	img->cwd = n > 1 ? s[1] : "";
	/* Clamp counts to the strings actually present. */
	need = (size_t)(n > 2 ? n - 2 : 0);
	if (img->start.argc_kept > need)
		img->start.argc_kept = (uint32_t)need;
	if (img->start.envc > need - img->start.argc_kept)
		img->start.envc = (uint32_t)(need - img->start.argc_kept);
	img->argv = zalloc(img->start.argc_kept + 1, sizeof(char *));
	img->env = zalloc(img->start.envc + 1, sizeof(char *));
	if (!img->argv || !img->env) {
		*oom = 1;
		free(s);
		return;
	}
	for (uint32_t i = 0; i < img->start.argc_kept; i++)
		img->argv[i] = s[2 + i];
	for (uint32_t i = 0; i < img->start.envc; i++)
		img->env[i] = s[2 + img->start.argc_kept + i];
	free(s);
}

static void parse_session(struct bt_image *img, const struct bt_record *rec,
			  int *oom)
{
	const char **s = NULL;
	int n = split_strings(rec, &s, oom);
	bt_record_fixed(rec, &img->session, sizeof(img->session));
	img->has_session = 1;
	img->session_version = n > 0 ? s[0] : "";
	if (img->session.argc > (uint32_t)(n > 1 ? n - 1 : 0))
		img->session.argc = (uint32_t)(n > 1 ? n - 1 : 0);
	img->session_argv = zalloc(img->session.argc + 1, sizeof(char *));
	if (!img->session_argv) {
		*oom = 1;
		free(s);
		return;
	}
	for (uint32_t i = 0; i < img->session.argc; i++)
		img->session_argv[i] = s[1 + i];
	free(s);
}

int bt_batch_next(const struct bt_sample_batch *b, size_t *off,
		  struct bt_sample_head *head, uint64_t *pcs)
{
	if (*off + sizeof(*head) > b->len)
		return 0;
	memcpy(head, b->data + *off, sizeof(*head));
	if (head->depth > BT_MAX_DEPTH ||
	    *off + sizeof(*head) + head->depth * 8u > b->len)
		return 0;
	if (pcs) /* records are not aligned: copy, never cast */
		memcpy(pcs, b->data + *off + sizeof(*head), head->depth * 8u);
	*off += sizeof(*head) + head->depth * 8u;
	return 1;
}

/* Checks that a SAMPLES payload holds exactly COUNT whole samples.
 * Returns 0, or -1 if it does not (*OOM set if memory ran out). */
static int parse_samples(struct bt_image *img, const struct bt_record *rec,
			 int *oom)
{
	struct bt_rec_samples hdr;
	struct bt_sample_batch b, *slot;
	struct bt_sample_head h;
	size_t off = 0;
	uint32_t n = 0, complete = 0, truncated = 0;
	uint64_t weight = 0;
	bt_record_fixed(rec, &hdr, sizeof(hdr));
	b.data = (const unsigned char *)rec->strings;
	b.len = rec->strings_len;
	b.count = hdr.count;
	while (bt_batch_next(&b, &off, &h, NULL)) {
		n++;
		complete += (h.flags & BT_SAMPLE_COMPLETE) != 0;
		truncated += (h.flags & BT_SAMPLE_TRUNCATED) != 0;
		weight += h.weight ? h.weight : 1;
	}
	if (n != hdr.count || off != b.len)
		return -1;
	slot = GROW(img->batches, img->n_batches);
	if (!slot) {
		*oom = 1;
		return -1;
	}
	*slot = b;
	img->n_samples += n;
	img->n_samples_complete += complete;
	img->n_samples_truncated += truncated;
	img->sample_weight += weight;
	return 0;
}

/* Bytes a file may have checked while looking for a whole record after
 * a damaged one: bounds the time a hostile file can cost (each candidate
 * offset checks up to 64 KiB). */
#define RESYNC_BUDGET (64u << 20)

/* Finds the next whole record after the damaged one at FROM in a checked
 * file: the first later offset holding a plausible record header whose
 * check matches.  A record's check covers its size, so a stretch of
 * garbage passes with a chance of 2^-32 per candidate.  Returns 0 with
 * *NEXT, or -1 if there is none (or the budget ran out). */
static int resync(const char *blob, size_t len, size_t from, unsigned flags,
		  size_t *budget, size_t *next)
{
	if (!(flags & BT_FILE_CHECKED))
		return -1;
	for (size_t o = from + 1;
	     o + sizeof(struct bt_record_header) + BT_RECORD_CHECK_SIZE <= len;
	     o++) {
		struct bt_record_header rh;
		struct bt_record rec;
		size_t at = o;
		memcpy(&rh, blob + o, sizeof(rh));
		if (rh.type == 0 || rh.size > len - o ||
		    rh.size < sizeof(rh) + BT_RECORD_CHECK_SIZE ||
		    rh.size > BT_MAX_RECORD ||
		    rh.fixed_size > rh.size - sizeof(rh) - BT_RECORD_CHECK_SIZE)
			continue;
		if (*budget < rh.size)
			return -1;
		*budget -= rh.size;
		if (bt_read_record(blob, len, &at, flags, &rec) == BT_READ_OK) {
			*next = o;
			return 0;
		}
	}
	return -1;
}

/* The records of IMG's image from offset OFF of BLOB, up to the end of
 * the file or the PROC_START of the next image (version 4). */
static int parse_records(struct bt_image *img, char *blob, size_t len,
			 size_t off, const char **why);

int bt_image_parse(struct bt_image *img, char *blob, size_t len,
		   const char **why)
{
	img->blob = blob;
	if (bt_check_file_header(blob, len, &img->header, why) < 0) {
		errno = EINVAL;
		return -1;
	}
	return parse_records(img, blob, len, img->header.header_size, why);
}

int bt_image_parse_next(struct bt_image *img, const struct bt_image *prev,
			const char **why)
{
	img->blob = prev->blob;
	img->blob_len = prev->blob_len;
	img->blob_mapped = prev->blob_mapped;
	img->blob_shared = 1;
	img->header = prev->header;
	return parse_records(img, prev->blob, prev->blob_len, prev->next_image,
			     why);
}

static int parse_records(struct bt_image *img, char *blob, size_t len,
			 size_t off, const char **why)
{
	struct bt_record rec;
	size_t budget = RESYNC_BUDGET;
	enum bt_read_status st;
	int oom = 0;

	while (!oom) {
		const char **s = NULL;
		int n;
		size_t next;
		st = bt_read_record(blob, len, &off, img->header.flags, &rec);
		if (st == BT_READ_END)
			break;
		if (st != BT_READ_OK) {
			/* A checked file reads on after a damaged stretch: a
			 * torn record, flipped bits, a hole of zeros. */
			if (resync(blob, len, off, img->header.flags, &budget,
				   &next) < 0)
				break;
			if (!img->n_damaged)
				img->damaged_at = off;
			img->n_damaged++;
			img->damaged_bytes += next - off;
			off = next;
			continue;
		}
		img->n_records++;
		switch (rec.type) {
		case BT_REC_PROC_START: {
			struct bt_rec_proc_start ps;
			bt_record_fixed(&rec, &ps, sizeof(ps));
			if (img->n_records > 1 &&
			    (ps.flags & BT_START_APPENDED)) {
				/* The next image of this process (version 4):
				 * it is read on its own. */
				img->n_records--;
				img->next_image = rec.offset;
				st = BT_READ_END;
				goto done;
			}
			if (!img->has_start)
				parse_start(img, &rec, &oom);
			break;
		}
		case BT_REC_SESSION:
			if (!img->has_session)
				parse_session(img, &rec, &oom);
			break;
		case BT_REC_PROC_END:
			if (!img->has_end) {
				bt_record_fixed(&rec, &img->end,
						sizeof(img->end));
				img->has_end = 1;
			}
			break;
		case BT_REC_EXEC:
			bt_record_fixed(&rec, &img->exec, sizeof(img->exec));
			img->has_exec = 1;
			n = split_strings(&rec, &s, &oom);
			img->exec_path = n > 0 ? s[0] : "";
			free(s);
			break;
		case BT_REC_EXEC_FAILED:
			img->exec_failed_count++;
			img->has_exec = 0;
			break;
		case BT_REC_SPAWN: {
			struct bt_spawn *sp = GROW(img->spawns, img->n_spawns);
			if (!sp) {
				oom = 1;
				break;
			}
			bt_record_fixed(&rec, &sp->rec, sizeof(sp->rec));
			n = split_strings(&rec, &s, &oom);
			sp->what = n > 0 ? s[0] : "";
			free(s);
			break;
		}
		case BT_REC_REAP: {
			struct bt_reap *rp = GROW(img->reaps, img->n_reaps);
			if (!rp) {
				oom = 1;
				break;
			}
			memset(rp, 0, sizeof(*rp));
			bt_record_fixed(&rec, &rp->rec, sizeof(rp->rec));
			break;
		}
		case BT_REC_SAMPLING:
			bt_record_fixed(&rec, &img->sampling,
					sizeof(img->sampling));
			img->has_sampling = 1;
			break;
		case BT_REC_SAMPLER_END:
			bt_record_fixed(&rec, &img->sampler_end,
					sizeof(img->sampler_end));
			img->has_sampler_end = 1;
			break;
		case BT_REC_MODULE: {
			struct bt_module *m =
			    GROW(img->modules, img->n_modules);
			if (!m) {
				oom = 1;
				break;
			}
			bt_record_fixed(&rec, &m->rec, sizeof(m->rec));
			n = split_strings(&rec, &s, &oom);
			m->path = n > 0 ? s[0] : "";
			m->build_id = n > 1 ? s[1] : "";
			free(s);
			break;
		}
		case BT_REC_THREAD: {
			struct bt_thread *th =
			    GROW(img->threads, img->n_threads);
			if (!th) {
				oom = 1;
				break;
			}
			bt_record_fixed(&rec, &th->rec, sizeof(th->rec));
			n = split_strings(&rec, &s, &oom);
			th->name = n > 0 ? s[0] : "";
			free(s);
			break;
		}
		case BT_REC_DROPPED: {
			struct bt_rec_dropped d;
			bt_record_fixed(&rec, &d, sizeof(d));
			img->dropped_records += d.records;
			img->dropped_bytes += d.bytes;
			break;
		}
		case BT_REC_SAMPLES:
			if (parse_samples(img, &rec, &oom) < 0 && !oom)
				img->n_bad_batches++;
			break;
		default:
			img->n_unknown++; /* a newer writer's record: skip */
			break;
		}
	}
done:
	if (oom) {
		*why = "out of memory";
		errno = ENOMEM;
		return -1;
	}
	if (st == BT_READ_TRUNCATED)
		img->truncated = 1;
	else if (st != BT_READ_END)
		img->corrupt = 1; /* nonsense, or a damaged last record */
	return 0;
}

void bt_image_free(struct bt_image *img)
{
	free(img->file);
	free(img->argv);
	free(img->env);
	free(img->spawns);
	free(img->reaps);
	free(img->session_argv);
	free(img->modules);
	free(img->threads);
	free(img->batches);
	free(img->strings);
	if (img->blob_shared)
		; /* the file's first image frees it */
	else if (img->blob_mapped)
		munmap(img->blob, img->blob_len);
	else
		free(img->blob);
	memset(img, 0, sizeof(*img));
}

/* Calls F on each string member of IMG (its slot).  A string member the
 * model reads once the profile has dropped the file's pages must be
 * here, or the read maps the pages around it again. */
static void each_string(struct bt_image *img,
			void (*f)(const char **slot, void *arg), void *arg)
{
	f(&img->exe, arg);
	f(&img->cwd, arg);
	f(&img->exec_path, arg);
	f(&img->session_version, arg);
	for (size_t i = 0; img->argv && i < img->start.argc_kept; i++)
		f(&img->argv[i], arg);
	for (size_t i = 0; img->env && i < img->start.envc; i++)
		f(&img->env[i], arg);
	for (size_t i = 0; img->session_argv && i < img->session.argc; i++)
		f(&img->session_argv[i], arg);
	for (size_t i = 0; i < img->n_spawns; i++)
		f(&img->spawns[i].what, arg);
	for (size_t i = 0; i < img->n_modules; i++) {
		f(&img->modules[i].path, arg);
		f(&img->modules[i].build_id, arg);
	}
	for (size_t i = 0; i < img->n_threads; i++)
		f(&img->threads[i].name, arg);
}

struct string_copy {
	const char *lo, *hi; /* the mapping */
	size_t bytes;
	char *to; /* NULL: count BYTES */
};

static void copy_string(const char **slot, void *arg)
{
	struct string_copy *c = arg;
	size_t n;
	if (!*slot || *slot < c->lo || *slot >= c->hi)
		return; /* not in the file (a default) */
	n = strlen(*slot) + 1;
	if (c->to) {
		memcpy(c->to, *slot, n);
		*slot = c->to;
		c->to += n;
	} else {
		c->bytes += n;
	}
}

/* Copies the strings of a mapped image to the heap.  Touching one byte of
 * a mapped file maps the page cache's whole folio around it (up to
 * hundreds of KiB on ext4), so every argv the model, the schedule and
 * the writers read would bring most of each file back after
 * bt_image_drop_pages(): 600 MB of 980 MB for 10,000 processes and 5
 * million samples.  The strings are a few KiB a file.  Returns 0, or -1
 * out of memory. */
static int own_strings(struct bt_image *img)
{
	struct string_copy c = {img->blob, img->blob + img->blob_len, 0, NULL};
	if (!img->blob_mapped)
		return 0;
	each_string(img, copy_string, &c);
	img->strings = c.to = malloc(c.bytes + 1);
	if (!img->strings)
		return -1;
	each_string(img, copy_string, &c);
	return 0;
}

void bt_image_drop_pages(const struct bt_image *img)
{
	if (img->blob_mapped)
		madvise(img->blob, img->blob_len, MADV_DONTNEED);
}

/* Files from this size on are mapped rather than read: a trace of
 * millions of samples is then not copied into fresh memory, and its pages
 * can be dropped once parsed (bt_image_drop_pages).  A build of many
 * processes spreads its samples over many small files (10,000 processes
 * and 5 million samples: 3,700 files of 64 KiB to 1 MiB, 0.9 GB), so
 * the bound is a few pages, not a megabyte: what is read into the heap,
 * and kept there, is at most MAP_FROM_BYTES a file.  A file that shrinks
 * while mapped would raise SIGBUS; trace files only grow, and are read
 * after the build. */
#define MAP_FROM_BYTES (16u << 10)

/* At most this many files are mapped at once, the others read: each
 * mapping is one of the process's areas, of which Linux allows 65,530
 * by default (vm.max_map_count), and malloc and libelf need theirs. */
#define MAP_FILES_MAX 16384

/* How long after a process's exit record its reap still counts as its end. */
#define REAP_LAG_NS (250ull * 1000 * 1000)

/* Reads file PATH into *OUT (*LEN bytes), or maps it (*MAPPED) when it
 * has MAP_FROM_BYTES or more and MAY_MAP. */
static int read_file(const char *path, char **out, size_t *len, int *mapped,
		     int may_map, const char **why)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	*mapped = 0;
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*why = "not a regular file";
		errno = EINVAL;
		return -1;
	}
	if ((unsigned long long)st.st_size > MAX_FILE_BYTES) {
		close(fd);
		*why = "file larger than 1 GiB";
		errno = EFBIG;
		return -1;
	}
	if (may_map && (size_t)st.st_size >= MAP_FROM_BYTES) {
		buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			   0);
		if (buf != MAP_FAILED) {
			close(fd);
			*out = buf;
			*len = (size_t)st.st_size;
			*mapped = 1;
			return 0;
		}
	}
	buf = zalloc((size_t)st.st_size + 1, 1);
	if (!buf) {
		close(fd);
		*why = "out of memory";
		errno = ENOMEM;
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t image_time(const struct bt_image *img)
{
	return img->has_start ? img->start.mono_ns : 0;
}

static int cmp_image_key(const void *a, const void *b)
{
	const struct bt_image *x = *(struct bt_image *const *)a;
	const struct bt_image *y = *(struct bt_image *const *)b;
	if (x->header.pid != y->header.pid)
		return x->header.pid < y->header.pid ? -1 : 1;
	if (x->header.start_ticks != y->header.start_ticks)
		return x->header.start_ticks < y->header.start_ticks ? -1 : 1;
	if (image_time(x) != image_time(y))
		return image_time(x) < image_time(y) ? -1 : 1;
	return 0;
}

static int cmp_proc_start(const void *a, const void *b)
{
	const struct bt_proc *x = a, *y = b;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

const struct bt_image *bt_proc_last(const struct bt_proc *p)
{
	return p->images[p->n_images - 1];
}

const char *bt_image_env(const struct bt_image *img, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; img->has_start && i < img->start.envc; i++)
		if (strncmp(img->env[i], name, n) == 0 && img->env[i][n] == '=')
			return img->env[i] + n + 1;
	return NULL;
}

/* The process with PID and parent PPID that a spawn at AT started (the
 * first to start at or after AT, not yet claimed by another spawn), or
 * that a reap at AT ended (the last to start before AT, not yet reaped).
 * Spawn, start and reap times come from one monotonic clock, so no slop
 * is needed; a reused pid is told apart by its start.  Linear in the
 * processes. */
/* The processes of each pid, so that joining a parent's records with its
 * children does not scan every process (a build of 50k processes would
 * take minutes).  Chains hold procs[] indices + 1, newest first. */
struct pid_index {
	uint32_t *head, *next;
	size_t mask;
};

static size_t pid_slot(const struct pid_index *x, uint32_t pid)
{
	return (size_t)(pid * 2654435761u) & x->mask;
}

static int pid_index_init(struct pid_index *x, size_t cap)
{
	size_t n = 64;
	while (n < cap * 2)
		n <<= 1;
	x->head = zalloc(n, sizeof(*x->head));
	x->next = zalloc(cap + 1, sizeof(*x->next));
	x->mask = n - 1;
	return x->head && x->next ? 0 : -1;
}

static void pid_index_add(struct pid_index *x, const struct bt_trace *t,
			  size_t i)
{
	size_t s = pid_slot(x, t->procs[i].pid);
	x->next[i] = x->head[s];
	x->head[s] = (uint32_t)i + 1;
}

static void pid_index_free(struct pid_index *x)
{
	free(x->head);
	free(x->next);
}

static struct bt_proc *find_child(struct bt_trace *t, const struct pid_index *x,
				  uint32_t pid, uint32_t ppid, uint64_t at,
				  int spawn)
{
	struct bt_proc *best = NULL;
	for (uint32_t k = x->head[pid_slot(x, pid)]; k; k = x->next[k - 1]) {
		struct bt_proc *p = &t->procs[k - 1];
		uint64_t own = p->images[0]->start.mono_ns;
		if (p->pid != pid || (ppid && p->ppid != ppid))
			continue;
		if (spawn) {
			if (own < at || p->spawn_matched)
				continue;
			if (!best || own < best->images[0]->start.mono_ns)
				best = p;
		} else {
			if (own > at || p->reaped)
				continue;
			if (!best || own > best->images[0]->start.mono_ns)
				best = p;
		}
	}
	return best;
}

/* A process known only from its parent's records, with a stand-in
 * image: its path (if the spawn said) as exe and argv[0].  NULL when out
 * of memory. */
static struct bt_proc *add_untraced(struct bt_trace *t, struct pid_index *x,
				    uint32_t pid, uint32_t ppid, uint64_t at,
				    const char *path)
{
	struct bt_image *img = &t->untraced[t->n_untraced++];
	struct bt_proc *p = &t->procs[t->n_procs++];
	memset(img, 0, sizeof(*img));
	memset(p, 0, sizeof(*p));
	img->exe = path && *path ? path : "?";
	img->cwd = "";
	img->argv = zalloc(2, sizeof(char *));
	img->env = zalloc(1, sizeof(char *));
	p->images = zalloc(1, sizeof(*p->images));
	if (!img->argv || !img->env || !p->images)
		return NULL;
	img->argv[0] = img->exe;
	img->start.pid = pid;
	img->start.ppid = ppid;
	img->start.mono_ns = at;
	img->start.argc = img->start.argc_kept = 1;
	img->header.pid = pid;
	p->pid = pid;
	p->ppid = ppid;
	p->images[0] = img;
	p->n_images = 1;
	p->start_ns = at;
	p->exit_code = -1;
	p->untraced = 1;
	pid_index_add(x, t, (size_t)(p - t->procs));
	return p;
}

/* Returns 0, or -1 out of memory. */
static int build_procs(struct loader *l)
{
	struct bt_trace *t = l->t;
	struct bt_image **order;
	struct pid_index idx = {0};
	size_t n = 0;

	order = zalloc(t->n_images, sizeof(*order));
	if (!order)
		return -1;
	for (size_t i = 0; i < t->n_images; i++)
		if (t->images[i].has_start)
			order[n++] = &t->images[i];
	qsort(order, n, sizeof(*order), cmp_image_key);
	{
		size_t extra = 0;
		for (size_t i = 0; i < t->n_images; i++)
			extra += t->images[i].n_spawns + t->images[i].n_reaps;
		t->procs = zalloc(n + extra, sizeof(*t->procs));
		t->untraced = zalloc(extra, sizeof(*t->untraced));
		if (!t->procs || !t->untraced ||
		    pid_index_init(&idx, n + extra) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		struct bt_proc *p = &t->procs[t->n_procs++];
		while (j < n && order[j]->header.pid == order[i]->header.pid &&
		       order[j]->header.start_ticks ==
			   order[i]->header.start_ticks)
			j++;
		p->pid = order[i]->start.pid;
		p->ppid = order[i]->start.ppid;
		p->start_ticks = order[i]->header.start_ticks;
		p->n_images = j - i;
		p->images = zalloc(p->n_images, sizeof(*p->images));
		if (!p->images)
			goto nomem;
		memcpy(p->images, order + i, p->n_images * sizeof(*p->images));
		p->start_ns = order[i]->start.mono_ns;
		p->exit_code = -1;
		{
			const struct bt_image *last = order[j - 1];
			if (last->has_end) {
				p->end_ns = last->end.mono_ns;
				p->end_known = 1;
				p->ru_self = last->end.ru;
				p->has_ru_self = 1;
				if (last->end.flags & BT_END_STATUS_KNOWN)
					p->exit_code = last->end.exit_status;
			}
		}
		pid_index_add(&idx, t, t->n_procs - 1);
		i = j;
	}
	free(order);
	order = NULL;

	/* Join the parents' spawn records, then their reaps.  A child that
	 * never ran the shim (statically linked, setuid, or its trace file
	 * could not be made) is known only from them: it becomes an
	 * untraced process. */
	for (size_t i = 0; i < t->n_images; i++) {
		struct bt_image *img = &t->images[i];
		uint32_t parent = img->header.pid;
		for (size_t k = 0; k < img->n_spawns; k++) {
			struct bt_spawn *sp = &img->spawns[k];
			struct bt_proc *c;
			if (!sp->rec.child_pid)
				continue;
			c = find_child(t, &idx, sp->rec.child_pid, parent,
				       sp->rec.mono_ns, 1);
			if (!c)
				c = add_untraced(t, &idx, sp->rec.child_pid,
						 parent, sp->rec.mono_ns,
						 sp->what);
			if (!c)
				goto nomem;
			c->spawn_matched = 1;
			if (sp->rec.mono_ns < c->start_ns)
				c->start_ns = sp->rec.mono_ns;
		}
	}
	for (size_t i = 0; i < t->n_images; i++) {
		struct bt_image *img = &t->images[i];
		uint32_t parent = img->header.pid;
		for (size_t k = 0; k < img->n_reaps; k++) {
			struct bt_reap *rp = &img->reaps[k];
			int st = rp->rec.wait_status;
			struct bt_proc *c =
			    find_child(t, &idx, rp->rec.child_pid, parent,
				       rp->rec.mono_ns, 0);
			if (!c) {
				/* Started where we could not see it (vfork of
				 * an untraced program): its start is unknown.
				 */
				c = add_untraced(t, &idx, rp->rec.child_pid,
						 parent, rp->rec.mono_ns, "");
				if (!c)
					goto nomem;
				c->start_unknown = 1;
			}
			rp->matched = 1;
			c->reaped = 1;
			c->ru_reap = rp->rec.ru;
			c->has_ru_reap = 1;
			/* A process ends when its parent can reap it: after
			 * its exit record comes the kernel's teardown of its
			 * address space (milliseconds for a big rustc), which
			 * its parent waits for too.  A reap long after the
			 * exit is the parent's delay, not the child's. */
			if (!c->end_known ||
			    (rp->rec.mono_ns > c->end_ns &&
			     rp->rec.mono_ns - c->end_ns < REAP_LAG_NS)) {
				c->end_ns = rp->rec.mono_ns;
				c->end_known = 1;
			}
			if (WIFEXITED(st)) {
				c->exit_code = WEXITSTATUS(st);
				c->signal = 0;
			} else if (WIFSIGNALED(st)) {
				c->signal = WTERMSIG(st);
				c->exit_code = -1;
			}
		}
	}
	for (size_t i = 0; i < t->n_procs; i++) {
		struct bt_proc *p = &t->procs[i];
		/* An end before the start (a reap or spawn record that names
		 * the pid of another process): the records disagree; the
		 * duration is taken as 0, with a warning, never negative. */
		if (p->end_known && p->end_ns < p->start_ns) {
			warn(l, 0,
			     "process %u: its end precedes its start "
			     "by %.3f s; its duration is taken as 0",
			     (unsigned)p->pid,
			     (double)(p->start_ns - p->end_ns) / 1e9);
			p->end_ns = p->start_ns;
		}
		p->cpu_us =
		    p->has_ru_self   ? p->ru_self.utime_us + p->ru_self.stime_us
		    : p->has_ru_reap ? p->ru_reap.utime_us + p->ru_reap.stime_us
				     : 0;
	}
	qsort(t->procs, t->n_procs, sizeof(*t->procs), cmp_proc_start);
	/* Parents: the latest process with pid == ppid that started before.
	 * The index is rebuilt in start order as we go, so each chain holds
	 * only earlier processes, newest first. */
	memset(idx.head, 0, (idx.mask + 1) * sizeof(*idx.head));
	for (size_t i = 0; i < t->n_procs; i++) {
		struct bt_proc *p = &t->procs[i];
		for (uint32_t k = idx.head[pid_slot(&idx, p->ppid)]; k;
		     k = idx.next[k - 1]) {
			if (t->procs[k - 1].pid == p->ppid) {
				p->parent = &t->procs[k - 1];
				break;
			}
		}
		pid_index_add(&idx, t, i);
	}
	pid_index_free(&idx);
	return 0;
nomem:
	free(order);
	pid_index_free(&idx);
	return -1;
}

/* Every file names its session in its header.  Files of another session
 * (two traces copied into one directory, a BTRACE_DIR shared by two
 * builds) would add their processes to this build's totals: keep the
 * session the directory is named after, else the one with the most files
 * (on a tie, the first file's in name order), and leave the others out
 * with a warning.  O(n log n) in the files. */
static int cmp_session_ptr(const void *a, const void *b)
{
	const struct bt_image *x = *(struct bt_image *const *)a;
	const struct bt_image *y = *(struct bt_image *const *)b;
	int c = strcmp(x->header.session, y->header.session);
	return c ? c : (x < y ? -1 : x > y);
}

/* Returns 0, or -1 out of memory. */
static int keep_one_session(struct loader *l)
{
	struct bt_trace *t = l->t;
	const char *base = strrchr(t->dir, '/');
	const struct bt_image *best = NULL;
	struct bt_image **by;
	char keep[BT_SESSION_LEN];
	size_t best_n = 0, kept = 0, same = 0;
	base = base ? base + 1 : t->dir;
	for (size_t i = 0; i < t->n_images; i++)
		same += !strcmp(t->images[i].header.session,
				t->images[0].header.session);
	if (same == t->n_images)
		return 0; /* the usual case: one session */
	by = zalloc(t->n_images, sizeof(*by));
	if (!by)
		return -1;
	for (size_t i = 0; i < t->n_images; i++)
		by[i] = &t->images[i];
	qsort(by, t->n_images, sizeof(*by), cmp_session_ptr);
	for (size_t i = 0, j; i < t->n_images; i = j) {
		for (j = i + 1;
		     j < t->n_images &&
		     !strcmp(by[j]->header.session, by[i]->header.session);
		     j++)
			;
		/* by[i] is the run's first file in name order. */
		if (!strcmp(by[i]->header.session, base)) {
			best = by[i];
			break;
		}
		if (j - i > best_n || (j - i == best_n && by[i] < best)) {
			best_n = j - i;
			best = by[i];
		}
	}
	snprintf(keep, sizeof(keep), "%s", best->header.session);
	free(by);
	for (size_t i = 0; i < t->n_images; i++) {
		struct bt_image *img = &t->images[i];
		if (strcmp(img->header.session, keep) != 0) {
			warn(l, 1,
			     "%s: belongs to session '%s', not '%s': left out",
			     img->file, img->header.session, keep);
			bt_image_free(img);
			continue;
		}
		if (kept != i)
			t->images[kept] = *img;
		kept++;
	}
	t->n_images = kept;
	return 0;
}

int bt_trace_load(const char *dir, struct bt_trace *t, char *err, size_t errlen)
{
	return bt_trace_load_progress(dir, t, err, errlen, NULL);
}

int bt_trace_load_progress(const char *dir, struct bt_trace *t, char *err,
			   size_t errlen, const struct bt_progress_cb *cb)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n_names = 0, n_ok = 0, n_mapped = 0;
	const char *first_why = NULL;
	char first_file[512] = "";
	struct loader ld = {t, 0}, *l = &ld;
	size_t i = 0, cap = 0, cont = 0;
	int e;

	memset(t, 0, sizeof(*t));
	d = opendir(dir);
	if (!d) {
		e = errno;
		snprintf(err, errlen, "cannot open trace directory %s: %s", dir,
			 strerror(e));
		errno = e;
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len > 4 &&
		    strcmp(de->d_name + len - 4, BT_FILE_SUFFIX) == 0) {
			char **slot = GROW(names, n_names);
			if (!slot || !(*slot = strdup(de->d_name))) {
				n_names -= slot != NULL;
				closedir(d);
				goto nomem;
			}
		}
	}
	closedir(d);
	if (!n_names) {
		snprintf(err, errlen,
			 "no trace files (*.btr) in %s: was the build run "
			 "under btrace record or LD_PRELOAD=libbtrace.so?",
			 dir);
		free(names);
		errno = ENOENT;
		return -1;
	}
	qsort(names, n_names, sizeof(*names), cmp_str);
	t->dir = strdup(dir);
	t->images = zalloc(n_names, sizeof(*t->images));
	cap = n_names;
	if (!t->dir || !t->images)
		goto nomem;
	for (; i < n_names && !ld.nomem; i++) {
		struct bt_image *img;
		bt_progress(cb, "reading the trace", i, n_names);
		char path[4096];
		char *blob = NULL;
		size_t len = 0;
		const char *why = NULL;
		int mapped = 0;
		if (t->n_images == cap) {
			/* a file of several images (version 4) */
			struct bt_image *more =
			    realloc(t->images, 2 * cap * sizeof(*t->images));
			if (!more)
				goto nomem;
			memset(more + cap, 0, cap * sizeof(*more));
			t->images = more;
			cap *= 2;
		}
		img = &t->images[t->n_images];
		if (cont) {
			/* the next image in the file names[i] */
			const struct bt_image *prev = &t->images[cont - 1];
			cont = 0;
			if (bt_image_parse_next(img, prev, &why) < 0 ||
			    !(img->file = strdup(names[i])) ||
			    own_strings(img) < 0) {
				bt_image_free(img);
				i++; /* names[i] is its first image's */
				goto nomem;
			}
			goto parsed;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_file(path, &blob, &len, &mapped,
			      n_mapped < MAP_FILES_MAX, &why) == 0) {
			img->blob_len = len;
			img->blob_mapped = mapped;
		} else if (errno == ENOMEM) {
			goto nomem;
		}
		if (!blob || bt_image_parse(img, blob, len, &why) < 0) {
			if (blob && errno == ENOMEM) {
				bt_image_free(img);
				goto nomem;
			}
			warn(l, 1, "%s: %s", names[i], why);
			if (!first_why) {
				first_why = why;
				snprintf(first_file, sizeof(first_file), "%s",
					 names[i]);
			}
			if (img->blob)
				bt_image_free(img);
			else if (mapped)
				munmap(blob, len);
			else
				free(blob);
			free(names[i]);
			continue;
		}
		if (own_strings(img) < 0) {
			bt_image_free(img);
			goto nomem;
		}
		img->file = names[i];
		n_mapped += mapped;
	parsed:
		bt_image_drop_pages(img);
		t->n_records += img->n_records;
		if (img->truncated)
			warn(l, 1,
			     "%s: cut off after %zu records (the last record "
			     "is incomplete)",
			     names[i], img->n_records);
		if (img->corrupt)
			warn(l, 1,
			     "%s: corrupt record after %zu records; rest "
			     "of the file skipped",
			     names[i], img->n_records);
		if (img->n_damaged)
			warn(l, 1,
			     "%s: %zu damaged stretches (%zu bytes, the first "
			     "at "
			     "offset %zu) skipped; the whole records around "
			     "them "
			     "were read",
			     names[i], img->n_damaged, img->damaged_bytes,
			     img->damaged_at);
		if (img->has_sampler_end &&
		    img->n_samples < img->sampler_end.written)
			warn(l, 1,
			     "%s: %llu of the %llu samples written are missing",
			     names[i],
			     (unsigned long long)(img->sampler_end.written -
						  img->n_samples),
			     (unsigned long long)img->sampler_end.written);
		if (img->n_bad_batches)
			warn(l, 1,
			     "%s: %zu sample batches are malformed and were "
			     "skipped",
			     names[i], img->n_bad_batches);
		if (img->has_sampler_end && (img->sampler_end.dropped_full ||
					     img->sampler_end.dropped_write))
			warn(
			    l, 0,
			    "%s: %llu samples lost (%llu buffer full, %llu not "
			    "written)",
			    names[i],
			    (unsigned long long)(img->sampler_end.dropped_full +
						 img->sampler_end
						     .dropped_write),
			    (unsigned long long)img->sampler_end.dropped_full,
			    (unsigned long long)img->sampler_end.dropped_write);
		if (img->has_sampling &&
		    (img->sampling.flags & BT_SAMPLING_ACTIVE) &&
		    !img->has_sampler_end)
			warn(l, 1,
			     "%s: sampling never finished (killed?): its "
			     "last samples are missing",
			     names[i]);
		if (img->dropped_records)
			warn(l, 1,
			     "%s: %llu records (%llu bytes) could not be "
			     "written by the recorder (no free descriptor, a "
			     "full disk or a moved trace directory)",
			     names[i], (unsigned long long)img->dropped_records,
			     (unsigned long long)img->dropped_bytes);
		if (!img->has_start && !img->has_session)
			warn(l, 1, "%s: no process start record", names[i]);
		/* btrace record's session file (a SESSION record and no
		 * PROC_START) ends in the reap of its command, which gives
		 * the command's end and status: without it the file lost
		 * its tail at a record boundary. */
		if (img->has_session && !img->has_start && !img->n_reaps &&
		    !img->truncated && !img->corrupt)
			warn(l, 1,
			     "%s: the session file has no reap of the command: "
			     "its last record is missing",
			     names[i]);
		t->n_images++;
		n_ok++;
		if (img->next_image) {
			cont = t->n_images; /* this file again, from there */
			i--;
		}
	}
	if (ld.nomem)
		goto nomem;
	free(names);
	names = NULL;
	if (!n_ok) {
		snprintf(err, errlen, "no usable trace file in %s: %s: %s", dir,
			 first_file, first_why ? first_why : "unreadable");
		bt_trace_free(t);
		errno = EINVAL;
		return -1;
	}
	if (keep_one_session(l) < 0)
		goto nomem;
	for (size_t i = 0; i < t->n_images; i++) {
		struct bt_image *img = &t->images[i];
		if (img->has_session && !t->has_session) {
			t->has_session = 1;
			t->session = img->session;
			t->btrace_version = img->session_version;
			t->command = img->session_argv;
		}
	}
	if (build_procs(l) < 0)
		goto nomem;
	t->t0_ns = t->has_session ? t->session.mono_ns : UINT64_MAX;
	for (size_t i = 0; i < t->n_procs; i++) {
		struct bt_proc *p = &t->procs[i];
		if (p->start_ns < t->t0_ns)
			t->t0_ns = p->start_ns;
		if (p->end_known && p->end_ns > t->t1_ns)
			t->t1_ns = p->end_ns;
		if (!p->end_known) {
			const struct bt_image *last = bt_proc_last(p);
			warn(l, 1,
			     "process %u (%s) has no end: the build was killed "
			     "or the trace is incomplete",
			     p->pid, last->exe);
		}
		/* Its parent saw it exit with a status, so it passed
		 * through exit() or _exit() and wrote its end record: a
		 * file without one lost its tail (cut at a record
		 * boundary, where nothing else shows it). */
		if (!p->untraced && p->reaped && p->exit_code >= 0 &&
		    !bt_proc_last(p)->has_end && !bt_proc_last(p)->truncated &&
		    !bt_proc_last(p)->corrupt)
			warn(l, 1,
			     "process %u (%s) exited with status %d, but %s "
			     "has no exit record: its last records are missing",
			     p->pid, bt_proc_last(p)->exe, p->exit_code,
			     bt_proc_last(p)->file);
		/* Every image but a process's last one ended in an exec,
		 * recorded just before it: an earlier image without its
		 * exec record lost its tail (cut at a record boundary),
		 * with whatever it held (the samples a fork child took
		 * before its exec, say). */
		for (size_t k = 0; !p->untraced && k + 1 < p->n_images; k++) {
			const struct bt_image *img = p->images[k];
			if (img->has_exec || img->truncated || img->corrupt)
				continue;
			warn(l, 1,
			     "process %u (%s) went on in %s, but %s has no "
			     "exec record: its last records are missing",
			     p->pid, img->exe, p->images[k + 1]->file,
			     img->file);
		}
	}
	if (ld.nomem)
		goto nomem;
	if (t->t0_ns == UINT64_MAX)
		t->t0_ns = 0;
	if (t->t1_ns < t->t0_ns)
		t->t1_ns = t->t0_ns;
	return 0;
nomem:
	/* the names not yet handed to an image */
	for (; names && i < n_names; i++)
		free(names[i]);
	free(names);
	bt_trace_free(t);
	snprintf(err, errlen, "out of memory reading the trace in %s", dir);
	errno = ENOMEM;
	return -1;
}

void bt_trace_free(struct bt_trace *t)
{
	for (size_t i = 0; i < t->n_images; i++)
		bt_image_free(&t->images[i]);
	free(t->images);
	for (size_t i = 0; i < t->n_untraced; i++) {
		free(t->untraced[i].argv);
		free(t->untraced[i].env);
	}
	free(t->untraced);
	for (size_t i = 0; i < t->n_procs; i++)
		free(t->procs[i].images);
	free(t->procs);
	for (size_t i = 0; i < t->n_warnings; i++)
		free(t->warnings[i]);
	free(t->warnings);
	free(t->dir);
	memset(t, 0, sizeof(*t));
}

char *bt_default_trace_dir(void)
{
	char *p = realpath("btrace.data/latest", NULL);
	return p;
}
