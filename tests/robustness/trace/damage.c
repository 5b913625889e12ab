/* damage.c - damages a real trace in every way a disk, a crash or a
 * careless copy can, and checks what `btrace dump` and `btrace report`
 * make of each damaged copy:
 *
 *   - every file cut at every byte offset, read in process by the trace
 *     reader: each cut must be reported as a problem unless it reads
 *     whole (the same records and totals); one that is not is run
 *     through dump and report too;
 *   - every file cut at every record boundary, inside its header, and at
 *     seeded random offsets, through dump and report;
 *   - seeded random bytes flipped (each must be found: the format checks
 *     every byte);
 *   - a zero-length file, alone and beside the others;
 *   - a file, and then every file, from a future format version;
 *   - a torn record in the middle of a file followed by whole ones (the
 *     whole ones must still be read);
 *   - the files of a second session copied into the directory.
 *
 * Each run must end in one of two ways: exit 2 with one line on stderr
 * (no usable trace), or a report whose totals (processes, CPU, samples)
 * equal the undamaged trace's unless the report marks a gap
 * (session.complete = false, warnings) and dump counts a problem.  A crash
 * (any signal), a hang (20 s), another exit status or an unmarked
 * difference fails the test.
 *
 * usage: damage BTRACE TRACE_DIR OTHER_SESSION_DIR WORK_DIR SEED [EVERY]
 * (EVERY > 1: cut at every EVERY-th record boundary only, for slow
 * sanitized builds) */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/trace_reader.h"
#include "trace_codec.h"

#define MAX_FILES 256
#define TIMEOUT_S 20

struct file {
	char name[256];
	unsigned char *data;
	size_t len;
	size_t bounds[4096]; /* record starts, then the file's end */
	size_t n_bounds;
};

static struct file files[MAX_FILES], others[MAX_FILES];
static size_t n_files, n_others;
static const char *btrace, *work;
static char case_dir[4096], out_dir[4096];
static int failures, n_cases, have_base;

/* What the undamaged trace says. */
static struct totals {
	int processes;
	double cpu_s;
	long samples;
	size_t dump_procs, dump_images, dump_records, dump_samples;
} base;

static void failf(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FAIL [%s]: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static int load_dir(const char *dir, struct file *fs, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return -1;
	while ((de = readdir(d)) && *n < MAX_FILES) {
		struct file *f = &fs[*n];
		char path[4096];
		struct stat st;
		FILE *fp;
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".btr") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !(fp = fopen(path, "rb")))
			return -1;
		snprintf(f->name, sizeof(f->name), "%s", de->d_name);
		f->len = (size_t)st.st_size;
		f->data = malloc(f->len + 1);
		if (fread(f->data, 1, f->len, fp) != f->len) {
			fclose(fp);
			return -1;
		}
		fclose(fp);
		/* Record boundaries, read with the codec itself. */
		{
			struct bt_file_header h;
			struct bt_record r;
			const char *why;
			size_t off;
			if (bt_check_file_header(f->data, f->len, &h, &why) < 0)
				return -1;
			off = h.header_size;
			f->bounds[f->n_bounds++] = off;
			while (bt_read_record(f->data, f->len, &off, h.flags,
					      &r) == BT_READ_OK &&
			       f->n_bounds < 4095)
				f->bounds[f->n_bounds++] = off;
		}
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int write_file(const char *dir, const char *name, const void *p,
		      size_t len)
{
	char path[4096];
	int fd;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (len && write(fd, p, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void rm_rf(const char *dir)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "damage: cannot remove %s\n", dir);
}

/* Starts a fresh case directory holding the undamaged files, except
 * SKIP (an index, or -1). */
static void case_begin(long skip)
{
	rm_rf(case_dir);
	rm_rf(out_dir);
	mkdir(case_dir, 0700);
	for (size_t i = 0; i < n_files; i++)
		if ((long)i != skip)
			write_file(case_dir, files[i].name, files[i].data,
				   files[i].len);
}

/* Runs btrace ARGS with stdout and stderr to files; returns the wait
 * status, or -1 on a hang (killed after TIMEOUT_S). */
static int run(const char *const *args, const char *out, const char *err)
{
	struct timespec t0, now;
	pid_t pid = fork();
	int st;
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(o, 1);
		dup2(e, 2);
		execv(btrace, (char *const *)args);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > TIMEOUT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(1000);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	if (!f)
		return NULL;
	do {
		if (cap - n < 4096)
			buf = realloc(buf, cap = cap * 2 + 8192);
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The last line of dump's output: its counts. */
static int dump_counts(const char *out, size_t c[5])
{
	const char *last = out, *p;
	size_t len = strlen(out);
	if (len < 2)
		return -1;
	for (p = out + len - 2; p > out; p--)
		if (*p == '\n') {
			last = p + 1;
			break;
		}
	return sscanf(last,
		      "%zu processes, %zu images, %zu records, %zu samples, "
		      "%zu problems",
		      &c[0], &c[1], &c[2], &c[3], &c[4]) == 5
		   ? 0
		   : -1;
}

enum expect {
	MAY_PASS = 0,  /* undetectable damage allowed if totals are right */
	MUST_FLAG = 1, /* the damage must be marked (or exit 2) */
};

/* What one run of dump and report said. */
struct verdict {
	int dump_rc, report_rc; /* exit codes; 2 = no usable trace */
	int complete;
	size_t dump[5];
	int processes;
	double cpu_s;
	long samples;
};

static int one_line_error(const char *name, const char *what, const char *err)
{
	if (count_lines(err) != 1 || strncmp(err, "btrace ", 7) != 0) {
		failf(name, "%s exit 2 wants one line of error, got: %.400s",
		      what, err);
		return -1;
	}
	return 0;
}

static int check_case(const char *name, enum expect ex, struct verdict *v)
{
	char out[4200], err[4200];
	const char *dump_args[] = {"btrace", "dump", case_dir, NULL};
	const char *report_args[] = {"btrace", "report", "-q", "-o",
				     out_dir,  case_dir, NULL};
	char *so = NULL, *se = NULL;
	int st, bad = failures;
	memset(v, 0, sizeof(*v));
	n_cases++;
	snprintf(out, sizeof(out), "%s/stdout", work);
	snprintf(err, sizeof(err), "%s/stderr", work);

	st = run(dump_args, out, err);
	so = slurp(out, NULL);
	se = slurp(err, NULL);
	if (st < 0) {
		failf(name, "dump hung (killed after %d s)", TIMEOUT_S);
		goto report;
	}
	if (!WIFEXITED(st)) {
		failf(name, "dump died of signal %d: %.400s", WTERMSIG(st), se);
		goto report;
	}
	v->dump_rc = WEXITSTATUS(st);
	if (v->dump_rc == 2) {
		one_line_error(name, "dump", se);
	} else if (v->dump_rc == 0 || v->dump_rc == 1) {
		if (dump_counts(so, v->dump) < 0) {
			failf(name, "dump's last line has no counts: %.200s",
			      so);
		} else if (v->dump_rc == 1 && !v->dump[4]) {
			failf(name, "dump exit 1 with 0 problems");
		} else if (v->dump_rc == 0 && have_base &&
			   (v->dump[4] || v->dump[0] != base.dump_procs ||
			    v->dump[3] != base.dump_samples)) {
			failf(name,
			      "dump exit 0 but %zu processes, %zu samples, %zu "
			      "problems (undamaged: %zu, %zu, 0)",
			      v->dump[0], v->dump[3], v->dump[4],
			      base.dump_procs, base.dump_samples);
		} else if (v->dump_rc == 0 && ex == MUST_FLAG) {
			failf(name, "dump found nothing wrong (exit 0)");
		}
	} else {
		failf(name, "dump exit %d: %.400s", v->dump_rc, se);
	}
report:
	free(so);
	free(se);
	so = se = NULL;
	st = run(report_args, out, err);
	se = slurp(err, NULL);
	if (st < 0) {
		failf(name, "report hung (killed after %d s)", TIMEOUT_S);
		goto done;
	}
	if (!WIFEXITED(st)) {
		failf(name, "report died of signal %d: %.400s", WTERMSIG(st),
		      se);
		goto done;
	}
	v->report_rc = WEXITSTATUS(st);
	if (v->report_rc == 2) {
		one_line_error(name, "report", se);
		if (v->dump_rc != 2)
			failf(name, "report says no usable trace, dump exit %d",
			      v->dump_rc);
	} else if (v->report_rc == 0) {
		char path[4200];
		char *js;
		cJSON *root, *s, *p;
		snprintf(path, sizeof(path), "%s/summary.json", out_dir);
		js = slurp(path, NULL);
		root = js ? cJSON_Parse(js) : NULL;
		free(js);
		s = cJSON_GetObjectItem(root, "session");
		p = cJSON_GetObjectItem(root, "profile");
		if (!s || !p) {
			failf(name, "report exit 0 without a summary.json");
			cJSON_Delete(root);
			goto done;
		}
		v->complete = cJSON_IsTrue(cJSON_GetObjectItem(s, "complete"));
		v->processes = cJSON_GetObjectItem(s, "processes")->valueint;
		v->cpu_s = cJSON_GetObjectItem(s, "cpu_s")->valuedouble;
		v->samples =
		    (long)cJSON_GetObjectItem(p, "samples")->valuedouble;
		if (v->complete && have_base &&
		    (v->processes != base.processes ||
		     fabs(v->cpu_s - base.cpu_s) > 1e-6 ||
		     v->samples != base.samples))
			failf(name,
			      "silently wrong: complete, but %d processes, "
			      "%.6f s CPU, %ld samples (undamaged: %d, %.6f, "
			      "%ld)",
			      v->processes, v->cpu_s, v->samples,
			      base.processes, base.cpu_s, base.samples);
		if (v->complete && v->dump_rc != 0)
			failf(name, "report complete but dump exit %d",
			      v->dump_rc);
		if (!v->complete && (cJSON_GetArraySize(cJSON_GetObjectItem(
					 s, "warnings")) < 1 ||
				     !strstr(se, "warning:")))
			failf(name, "incomplete report without its warnings");
		if (!v->complete && v->dump_rc == 0)
			failf(name, "report marks a gap, dump exit 0");
		if (v->complete && ex == MUST_FLAG)
			failf(name, "report found nothing wrong");
		cJSON_Delete(root);
	} else {
		failf(name, "report exit %d: %.400s", v->report_rc, se);
	}
done:
	free(so);
	free(se);
	return failures == bad ? 0 : -1;
}

/* What the trace reader makes of a trace, in process: the totals that
 * dump and report are made of. */
struct reading {
	size_t problems, records, procs, ended, samples;
	uint64_t cpu_us, wall_ns;
};

static int read_trace(const char *dir, struct reading *r)
{
	struct bt_trace t;
	char err[512];
	memset(r, 0, sizeof(*r));
	if (bt_trace_load(dir, &t, err, sizeof(err)) < 0)
		return -1;
	r->problems = t.n_problems;
	r->records = t.n_records;
	r->procs = t.n_procs;
	r->wall_ns = t.t1_ns - t.t0_ns;
	for (size_t i = 0; i < t.n_images; i++)
		r->samples += t.images[i].n_samples;
	for (size_t i = 0; i < t.n_procs; i++) {
		r->cpu_us += t.procs[i].cpu_us;
		r->ended += t.procs[i].end_known;
	}
	bt_trace_free(&t);
	return 0;
}

/* Cuts every file at every byte offset, one file at a time, and reads
 * each cut with the trace reader itself (a cut costs a few hundred
 * microseconds this way, where dump and report cost tens of
 * milliseconds).  A cut file lost bytes, so unless the reader reports a
 * problem it must read whole: the same records, processes, ends,
 * samples, CPU and wall time.  A cut that is neither is a silent loss:
 * it fails, and goes through dump and report as well, so the failure
 * shows what the user would see.  Returns the number of cuts. */
static size_t cut_everywhere(void)
{
	struct reading whole, r;
	size_t n = 0;
	case_begin(-1);
	if (read_trace(case_dir, &whole) < 0 || whole.problems) {
		failf("every cut", "the undamaged trace does not read whole");
		return 0;
	}
	for (size_t i = 0; i < n_files; i++) {
		struct file *f = &files[i];
		for (size_t len = 0; len < f->len; len++, n++) {
			char name[512];
			struct verdict v;
			write_file(case_dir, f->name, f->data, len);
			if (read_trace(case_dir, &r) < 0 || r.problems)
				continue; /* no usable trace, or reported */
			if (r.records == whole.records &&
			    r.procs == whole.procs && r.ended == whole.ended &&
			    r.samples == whole.samples &&
			    r.cpu_us == whole.cpu_us &&
			    r.wall_ns == whole.wall_ns)
				continue; /* reads whole */
			snprintf(name, sizeof(name), "%s cut at %zu of %zu",
				 f->name, len, f->len);
			failf(name,
			      "the reader reports no problem, but reads %zu "
			      "records, %zu processes (%zu ended), %zu "
			      "samples, %llu us CPU, %llu ns wall (undamaged: "
			      "%zu, %zu (%zu), %zu, %llu, %llu)",
			      r.records, r.procs, r.ended, r.samples,
			      (unsigned long long)r.cpu_us,
			      (unsigned long long)r.wall_ns, whole.records,
			      whole.procs, whole.ended, whole.samples,
			      (unsigned long long)whole.cpu_us,
			      (unsigned long long)whole.wall_ns);
			check_case(name, MUST_FLAG, &v);
			case_begin(-1);
		}
		write_file(case_dir, f->name, f->data, f->len);
	}
	return n;
}

/* Cuts file I to LEN bytes. */
static void case_cut(size_t i, size_t len, enum expect ex)
{
	char name[512];
	struct verdict v;
	case_begin((long)i);
	write_file(case_dir, files[i].name, files[i].data, len);
	snprintf(name, sizeof(name), "%s cut at %zu of %zu", files[i].name, len,
		 files[i].len);
	check_case(name, ex, &v);
}

int main(int argc, char **argv)
{
	struct verdict v;
	unsigned seed;
	size_t n_cut = 0, n_every = 0, n_flip = 0, every = 1;
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: damage BTRACE TRACE_DIR OTHER_DIR WORK "
				"SEED\n");
		return 2;
	}
	btrace = argv[1];
	work = argv[4];
	seed = (unsigned)strtoul(argv[5], NULL, 10);
	if (argc == 7 && atoi(argv[6]) > 1)
		every = (size_t)atoi(argv[6]);
	srand(seed);
	if (load_dir(argv[2], files, &n_files) < 0 || n_files < 3 ||
	    load_dir(argv[3], others, &n_others) < 0 || !n_others) {
		fprintf(stderr, "damage: cannot read the traces\n");
		return 2;
	}
	/* The case directory is named like a session directory would not
	 * be, so no session is preferred by name. */
	snprintf(case_dir, sizeof(case_dir), "%s/case", work);
	snprintf(out_dir, sizeof(out_dir), "%s/out", work);

	/* The undamaged trace: whole, and the totals to compare with. */
	case_begin(-1);
	if (check_case("undamaged", MAY_PASS, &v) < 0 || v.dump_rc != 0 ||
	    v.report_rc != 0 || !v.complete) {
		fprintf(stderr, "FAIL: the undamaged trace is not whole\n");
		return 1;
	}
	have_base = 1;
	base.processes = v.processes;
	base.cpu_s = v.cpu_s;
	base.samples = v.samples;
	base.dump_procs = v.dump[0];
	base.dump_images = v.dump[1];
	base.dump_records = v.dump[2];
	base.dump_samples = v.dump[3];
	if (base.samples < 1 || base.processes < 3) {
		fprintf(stderr,
			"FAIL: the trace has %ld samples and %d "
			"processes: too small to test\n",
			base.samples, base.processes);
		return 1;
	}
	check_case("undamaged", MAY_PASS, &v);

	/* Every file cut at every byte, read in process. */
	n_every = cut_everywhere();
	n_cut += n_every;

	/* Every file cut at every record boundary, inside its header, and
	 * at 3 random offsets.  A cut between records may be invisible (a
	 * file that just ended there); its totals must then be right. */
	for (size_t i = 0; i < n_files; i++) {
		struct file *f = &files[i];
		size_t hdr[] = {0, 1, 8, 20, 63, 64, 71};
		for (size_t k = i % every; k + 1 < f->n_bounds;
		     k += every, n_cut++)
			case_cut(i, f->bounds[k], MAY_PASS);
		for (size_t k = 0; k < sizeof(hdr) / sizeof(*hdr); k++, n_cut++)
			case_cut(i, hdr[k], MUST_FLAG);
		for (int k = 0; k < 3; k++, n_cut++) {
			size_t at = f->bounds[0] +
				    (size_t)rand() % (f->len - f->bounds[0]);
			int on_bound = 0;
			for (size_t b = 0; b < f->n_bounds; b++)
				on_bound |= f->bounds[b] == at;
			case_cut(i, at, on_bound ? MAY_PASS : MUST_FLAG);
		}
	}

	/* Flipped bytes: 4 per file, anywhere, header included.  Every byte
	 * is under a check, so each must be found. */
	for (size_t i = 0; i < n_files; i++) {
		for (int k = 0; k < 4; k++, n_flip++) {
			struct file *f = &files[i];
			size_t at = (size_t)rand() % f->len;
			unsigned char x = (unsigned char)(1 + rand() % 255);
			char name[512];
			case_begin((long)i);
			f->data[at] ^= x;
			write_file(case_dir, f->name, f->data, f->len);
			f->data[at] ^= x;
			snprintf(name, sizeof(name), "%s byte %zu ^= 0x%02x",
				 f->name, at, x);
			check_case(name, MUST_FLAG, &v);
		}
	}

	/* A zero-length file beside the others, and alone. */
	case_begin(-1);
	write_file(case_dir, "99999-1-0.btr", "", 0);
	check_case("an extra empty file", MUST_FLAG, &v);
	rm_rf(case_dir);
	mkdir(case_dir, 0700);
	write_file(case_dir, "99999-1-0.btr", "", 0);
	check_case("only an empty file", MUST_FLAG, &v);
	if (v.dump_rc != 2 || v.report_rc != 2)
		failf("only an empty file",
		      "want exit 2, got dump %d report %d", v.dump_rc,
		      v.report_rc);

	/* A future version: one file, then every file.  A newer writer sets
	 * its own header check, so the header is re-checked here. */
	for (int all = 0; all < 2; all++) {
		case_begin(-1);
		for (size_t i = 0; i < n_files; i++) {
			struct bt_file_header h;
			unsigned char *copy;
			if (!all && i != n_files / 2)
				continue;
			copy = malloc(files[i].len);
			memcpy(copy, files[i].data, files[i].len);
			memcpy(&h, copy, sizeof(h));
			h.version = BT_FORMAT_VERSION + 7;
			h.min_reader_version = BT_FORMAT_VERSION + 1;
			h.header_check = 0;
			h.header_check = bt_check32(&h, sizeof(h));
			memcpy(copy, &h, sizeof(h));
			write_file(case_dir, files[i].name, copy, files[i].len);
			free(copy);
		}
		check_case(all ? "every file from a future version"
			       : "one file from a future version",
			   MUST_FLAG, &v);
		if (all && (v.dump_rc != 2 || v.report_rc != 2))
			failf("future version", "want exit 2, got %d/%d",
			      v.dump_rc, v.report_rc);
	}

	/* A torn record in the middle of the longest file: its first half,
	 * then the whole records after it.  Those must still be read: dump
	 * counts every record but the torn one. */
	{
		size_t big = 0;
		for (size_t i = 1; i < n_files; i++)
			if (files[i].n_bounds > files[big].n_bounds)
				big = i;
		for (size_t k = 1; k + 2 < files[big].n_bounds;
		     k += files[big].n_bounds / 3) {
			struct file *f = &files[big];
			size_t a = f->bounds[k], b = f->bounds[k + 1];
			size_t half = (b - a) / 2;
			unsigned char *copy = malloc(f->len);
			char name[512];
			memcpy(copy, f->data, a + half);
			memcpy(copy + a + half, f->data + b, f->len - b);
			case_begin((long)big);
			write_file(case_dir, f->name, copy,
				   f->len - (b - a) + half);
			free(copy);
			snprintf(name, sizeof(name),
				 "%s: record %zu torn, whole ones after it",
				 f->name, k);
			if (check_case(name, MUST_FLAG, &v) == 0 &&
			    v.dump[2] != base.dump_records - 1)
				failf(name, "dump read %zu records, want %zu",
				      v.dump[2], base.dump_records - 1);
		}
	}

	/* Two sessions in one directory: the other session's files must
	 * not count in this one's totals, and the mix must be marked. */
	case_begin(-1);
	for (size_t i = 0; i < n_others; i++) {
		char name[300];
		snprintf(name, sizeof(name), "x%s", others[i].name);
		write_file(case_dir, name, others[i].data, others[i].len);
	}
	if (check_case("two sessions mixed", MUST_FLAG, &v) == 0 &&
	    (v.processes != base.processes || v.dump[0] != base.dump_procs))
		failf("two sessions mixed",
		      "%d processes in the report, %zu in dump; the trace has "
		      "%d",
		      v.processes, v.dump[0], base.processes);

	rm_rf(case_dir);
	rm_rf(out_dir);
	printf("damage: %d cases (%zu cuts, %zu of them read in process, "
	       "%zu flips, %zu files, seed %u): %d failures\n",
	       n_cases, n_cut, n_every, n_flip, n_files, seed, failures);
	return failures ? 1 : 0;
}
