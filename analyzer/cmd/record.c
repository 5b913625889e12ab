/* record.c - btrace record [-o DIR] -- CMD ARGS...
 *
 * Runs CMD with libbtrace.so preloaded and the trace directory exported,
 * writes the session file (the realtime anchor, the command, and CMD's reap
 * with its rusage), and returns CMD's exit status (128+N if a signal N
 * killed it); its own failures, usage included, exit 125 (enum bt_exit),
 * as env, nice and timeout do, so they are not taken for the build's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "base/spawn.h"
#include "cli.h"
#include "history/record.h"
#include "redact.h"
#include "trace_codec.h"
#include "trace_dir.h"
#include "trace_records.h"

#ifndef BTRACE_INSTALLED_LIB
#define BTRACE_INSTALLED_LIB "/usr/local/lib/libbtrace.so"
#endif

/* The library to preload: $BTRACE_LIB, then the one next to this binary
 * (a build tree), then the installed one.  Always an absolute path. */
static int find_library(char *out, size_t cap)
{
	char exe[PATH_MAX];
	const char *env = getenv("BTRACE_LIB");
	ssize_t n;
	if (env && *env) {
		if (!realpath(env, out) || access(out, R_OK) < 0)
			return -1;
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		snprintf(out, cap, "%s/libbtrace.so", dirname(exe));
		if (access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, cap, "%s", BTRACE_INSTALLED_LIB);
	return access(out, R_OK) == 0 ? 0 : -1;
}

static int dir_has_trace_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		found = l > 4 && !strcmp(de->d_name + l - 4, BT_FILE_SUFFIX);
	}
	closedir(d);
	return found;
}

static size_t count_trace_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		n += l > 4 && !strcmp(de->d_name + l - 4, BT_FILE_SUFFIX);
	}
	closedir(d);
	return n;
}

static uint64_t ts_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_all(int fd, const void *buf, size_t len)
{
	return len && write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* The session file: header, then the session record. */
static int session_file_open(const char *dir, const char *session, char **cmd,
			     uint64_t mono, uint64_t real)
{
	static char rec[BT_MAX_RECORD];
	static char arg[BT_MAX_ARGV_BYTES];
	/* The command as the shim records argv: no credentials. */
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_argv_in argv = {cmd, &rb};
	char path[PATH_MAX];
	struct bt_file_header fh;
	struct bt_rec_session s;
	int fd = bt_trace_file_create(dir, (uint32_t)getpid(), 0, path,
				      sizeof(path));
	if (fd < 0)
		return -1;
	bt_file_header_init(&fh, (uint32_t)getpid(), 0, session);
	memset(&s, 0, sizeof(s));
	s.mono_ns = mono;
	s.realtime_ns = real;
	s.root_pid = (uint32_t)getpid();
	s.n_cpus = bt_session_cpus();
	if (write_all(fd, &fh, sizeof(fh)) < 0 ||
	    write_all(fd, rec,
		      bt_build_session(rec, sizeof(rec), &s, BTRACE_VERSION,
				       &argv)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void session_file_reap(int fd, pid_t pid, int status,
			      const struct rusage *ru)
{
	char rec[512];
	struct bt_rec_reap rp;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = ts_ns(CLOCK_MONOTONIC);
	rp.child_pid = (uint32_t)pid;
	rp.api = BT_API_WAIT4;
	rp.wait_status = status;
	bt_rusage_from(ru, &rp.ru);
	if (write_all(fd, rec, bt_build_reap(rec, sizeof(rec), &rp)) < 0)
		fprintf(stderr, "btrace: cannot write the session file: %s\n",
			strerror(errno));
}

/* LD_PRELOAD with our library first, keeping what was there. */
static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;
	int r;
	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&v, "%s %s", lib, old) < 0)
		return -1;
	r = setenv("LD_PRELOAD", v, 1);
	free(v);
	return r;
}

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"sample", required_argument, NULL, 's'},
    {"hz", required_argument, NULL, 'z'},
    {"history", no_argument, NULL, 'H'},
    {"db", required_argument, NULL, 'D'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const sample_modes[] = {"off", "compilers", "all", NULL};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: btrace record [-o DIR] [--sample off|compilers|all] "
	       "[--hz N] [--] CMD ARGS...\n"
	       "\n"
	       "Runs CMD with every process traced and returns its exit "
	       "status; btrace's\n"
	       "own failures exit 125.\n"
	       "  -o, --output DIR  the trace directory (made like mkdir -p, "
	       "0700); default\n"
	       "                    ./btrace.data/DATE-TIME-PID, linked from "
	       "./btrace.data/latest\n"
	       "  --sample MODE     sample the CPU of the compilers (default), "
	       "all, or off\n"
	       "  --hz N            samples per CPU second, 1 to 10000; the "
	       "kernel's tick\n"
	       "                    (often 250 a second) caps the rate, not "
	       "the CPU counted\n"
	       "  --history         store the build in the history afterwards "
	       "(or\n"
	       "                    BTRACE_HISTORY=1); --db DB: in DB\n");
}

/* How long record waits, after the command, for the processes it left
 * running: mold's fork child exits after its parent and writes its end
 * then.  A daemon the build started (a compiler cache's server) keeps
 * running; record stops waiting for it after this long. */
#define ORPHAN_WAIT_S 5

/* --history: the build's summary into the history store; a failure is
 * one warning, and the exit status stays the command's. */
static void store_history(const char *dir, const char *db)
{
	struct bt_analyze_opts o = {.profile_only = 1};
	struct bt_analysis a;
	char err[1024];
	if (bt_analyze(dir, &o, &a, err, sizeof(err)) != BT_EXIT_OK) {
		fprintf(stderr, "btrace record: warning: history: %s\n", err);
		return;
	}
	bt_history_store("record", &a, db);
	bt_analysis_free(&a);
}

int cmd_record(int argc, char **argv)
{
	char lib[PATH_MAX], dir[PATH_MAX], session[BT_SESSION_LEN];
	const char *out = NULL, *why = NULL;
	struct sigaction ign, old_int, old_quit;
	sigset_t dfl;
	struct bt_spawn_opts so = {.sig_default = &dfl};
	struct rusage ru;
	int i, e, w, fd, status = 0;
	pid_t pid;
	uint64_t mono, real;
	const char *db = NULL;
	int history = bt_history_wanted(0);

	for (;;) {
		long hz;
		int c = getopt_long(argc, argv, "+:o:h", options, NULL);
		if (c == -1)
			break;
		if (c == 'o') {
			out = optarg;
		} else if (c == 's') {
			if (bt_cli_choice("record", "--sample", optarg,
					  sample_modes) < 0)
				return BT_EXIT_RECORD_FAILED;
			setenv("BTRACE_SAMPLE", optarg, 1);
		} else if (c == 'z') {
			if (bt_cli_uint("record", "--hz", optarg, 1, 10000,
					&hz) < 0)
				return BT_EXIT_RECORD_FAILED;
			setenv("BTRACE_HZ", optarg, 1);
		} else if (c == 'H' || c == 'D') {
			db = c == 'D' ? optarg : db;
			history = 1;
		} else if (c == 'h') {
			usage(stdout);
			return BT_EXIT_OK;
		} else {
			bt_cli_bad_option("record", c, argv);
			return BT_EXIT_RECORD_FAILED;
		}
	}
	i = optind;
	if (i >= argc) {
		fprintf(stderr, "btrace record: no command to run (try btrace "
				"record --help)\n");
		return BT_EXIT_RECORD_FAILED;
	}
	if (find_library(lib, sizeof(lib)) < 0) {
		fprintf(stderr, "btrace record: cannot find libbtrace.so (set "
				"BTRACE_LIB, or install btrace)\n");
		return BT_EXIT_RECORD_FAILED;
	}
	if (out) {
		char *b;
		/* the parents 0700: the trace they lead to is private; OUT
		 * itself is left to bt_dir_prepare() */
		if (bt_mkdir_parents(out, 0700) < 0) {
			fprintf(stderr,
				"btrace record: %s: cannot create its "
				"parent directories: %s\n",
				out, strerror(errno));
			return BT_EXIT_RECORD_FAILED;
		}
		if (bt_dir_prepare(out, &why) < 0) {
			fprintf(stderr, "btrace record: %s: %s\n", out, why);
			return BT_EXIT_RECORD_FAILED;
		}
		if (!realpath(out, dir)) {
			fprintf(stderr, "btrace record: %s: %s\n", out,
				strerror(errno));
			return BT_EXIT_RECORD_FAILED;
		}
		if (dir_has_trace_files(dir)) {
			fprintf(stderr,
				"btrace record: %s already holds a trace; "
				"choose an empty directory\n",
				out);
			return BT_EXIT_RECORD_FAILED;
		}
		b = strrchr(dir, '/');
		b = b ? b + 1 : dir;
		snprintf(session, sizeof(session), "%.*s",
			 (int)sizeof(session) - 1, b);
	} else if (bt_session_dir_create(BT_DEFAULT_BASE, dir, sizeof(dir),
					 session, sizeof(session), &why) < 0) {
		fprintf(stderr, "btrace record: ./%s: %s\n", BT_DEFAULT_BASE,
			why);
		return BT_EXIT_RECORD_FAILED;
	}

	mono = ts_ns(CLOCK_MONOTONIC);
	real = ts_ns(CLOCK_REALTIME);
	fd = session_file_open(dir, session, argv + i, mono, real);
	if (fd < 0) {
		fprintf(stderr, "btrace record: cannot write to %s: %s\n", dir,
			strerror(errno));
		return BT_EXIT_RECORD_FAILED;
	}
	if (set_preload(lib) < 0 || setenv("BTRACE_DIR", dir, 1) < 0 ||
	    setenv("BTRACE_SESSION", session, 1) < 0) {
		fprintf(stderr, "btrace record: cannot set the environment\n");
		close(fd);
		return BT_EXIT_RECORD_FAILED;
	}

	/* Like time(1): the build gets ^C, we stay to finish the trace
	 * (the command gets the dispositions we had: what we ignored stays
	 * ignored, the rest is SIG_DFL after exec). */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigemptyset(&dfl);
	if (old_int.sa_handler != SIG_IGN)
		sigaddset(&dfl, SIGINT);
	if (old_quit.sa_handler != SIG_IGN)
		sigaddset(&dfl, SIGQUIT);
	/* The build's orphans come to us, not to init, so that we can wait
	 * for their traces to be whole (bt_reap_stragglers). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	e = bt_spawn(argv + i, &so, &pid);
	if (e != 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		close(fd);
		fprintf(stderr, "btrace record: cannot run %s: %s\n", argv[i],
			strerror(e));
		return e == ENOENT ? BT_EXIT_NOT_FOUND : BT_EXIT_CANNOT_EXECUTE;
	}
	w = bt_wait(pid, &status, &ru);
	if (w == 0)
		session_file_reap(fd, pid, status, &ru);
	close(fd);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (bt_reap_stragglers(ORPHAN_WAIT_S, NULL) < 0)
		fprintf(stderr,
			"btrace: processes the command started still run %d s "
			"after it ended; their traces have no end yet\n",
			ORPHAN_WAIT_S);

	fprintf(stderr, "btrace: trace of %zu processes in %s\n",
		count_trace_files(dir) - 1, dir);
	if (history)
		store_history(dir, db);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
