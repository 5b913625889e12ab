/* cargo-btrace - the cargo subcommand.
 *
 * `cargo btrace build|test|check|...` records the cargo command with
 * `btrace record` and prints `btrace report` of it; `cargo btrace
 * report|dump|experiment|diff|history` run btrace's own command.  It
 * follows cargo's conventions: --manifest-path, --target-dir and
 * CARGO_TARGET_DIR (and build.target-dir, through `cargo metadata`) decide
 * where btrace.data goes (beside the target directory), the exit status is
 * cargo's, and --color and CARGO_TERM_COLOR decide the color of its own
 * status lines.  It reads nothing of the trace itself: btrace does.
 *
 * cargo runs it as `cargo-btrace btrace ARGS...` with $CARGO set to the
 * cargo that did; run by hand, the "btrace" word may be left out. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "trace_dir.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

/* Our own failures (usage, no btrace, no trace directory), as btrace
 * record's, so that they are not taken for cargo's 101. */
#define EXIT_OWN 125

/* btrace's commands that `cargo btrace CMD` runs as they are.  ADD says
 * what cargo-btrace adds when the user did not give it: the trace
 * (DATA/latest) as the last argument, or -o DATA/experiment.  VALUED
 * lists the options that take a value, so that the value is not taken for
 * the trace directory (as each command's getopt_long table says). */
enum add { ADD_NOTHING, ADD_TRACE, ADD_OUTPUT };
static const struct passthrough {
	const char *cmd;
	enum add add;
	const char *const valued[6];
} passthroughs[] = {
    {"report", ADD_TRACE, {"-o", "--output", "--group", NULL}},
    {"dump", ADD_TRACE, {NULL}},
    {"experiment",
     ADD_OUTPUT,
     {"-o", "--output", "--runs", "--only", "--touch", NULL}},
    {"diff", ADD_NOTHING, {NULL}},
    {"history", ADD_NOTHING, {NULL}},
};

static int color;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cargo btrace CARGO_COMMAND [CARGO_OPTIONS...]\n"
		"       cargo btrace report|dump|experiment|diff|history "
		"[OPTIONS...]\n"
		"\n"
		"Records the cargo command (build, test, check, run, ...) "
		"with every\n"
		"process traced, then prints btrace report of it; exits with "
		"cargo's status.\n"
		"report, dump, experiment, diff and history run btrace's "
		"command (btrace\n"
		"CMD --help); report and dump read the last trace, experiment "
		"writes beside it.\n"
		"The trace goes to btrace.data/ beside the target directory, "
		"which these\n"
		"cargo options and variables decide:\n"
		"  --manifest-path PATH  the workspace (default: the one "
		"around .)\n"
		"  --target-dir DIR      the target directory; also "
		"CARGO_TARGET_DIR\n"
		"  --color WHEN          auto, always or never; also "
		"CARGO_TERM_COLOR\n"
		"  -h, --help            this help\n"
		"  -V, --version         cargo-btrace's version\n"
		"Own failures (no btrace, no trace directory) exit 125.\n");
}

/* "error: ..." on stderr, in cargo's colors. */
static void error(const char *fmt, ...)
{
	va_list ap;
	fputs(color ? "\033[1m\033[31merror\033[0m\033[1m:\033[0m " : "error: ",
	      stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A status line as cargo prints them: the verb right-aligned in 12
 * columns, bold green. */
static void status(const char *verb, const char *fmt, ...)
{
	va_list ap;
	if (color)
		fprintf(stderr, "\033[1m\033[32m%12s\033[0m ", verb);
	else
		fprintf(stderr, "%12s ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* snprintf into a path buffer: 0, or -1 with ENAMETOOLONG if it did not
 * fit (a path cut short would name another file). */
static int path_fmt(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The value of cargo's option NAME (--name V or --name=V) among the N
 * ARGS, before any "--" (what follows goes to the test binaries); the
 * last one if it is repeated, NULL if absent. */
static const char *cargo_opt(char **args, int n, const char *name)
{
	size_t l = strlen(name);
	const char *v = NULL;
	for (int i = 0; i < n && strcmp(args[i], "--") != 0; i++) {
		if (strncmp(args[i], name, l) != 0)
			continue;
		if (args[i][l] == '=')
			v = args[i] + l + 1;
		else if (!args[i][l] && i + 1 < n)
			v = args[++i];
	}
	return v;
}

/* cargo's rule: --color, else CARGO_TERM_COLOR, else auto (a terminal on
 * stderr, where the status lines go).  A value cargo refuses is cargo's
 * to report; here it counts as auto. */
static int use_color(char **args, int n)
{
	const char *c = cargo_opt(args, n, "--color");
	if (!c)
		c = getenv("CARGO_TERM_COLOR");
	if (c && !strcmp(c, "always"))
		return 1;
	if (c && !strcmp(c, "never"))
		return 0;
	return isatty(2);
}

/* The directory this program is in (build tree or bin/): btrace is
 * looked for there first, then on PATH. */
static void find_btrace(char *out, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			if (path_fmt(out, cap, "%s/btrace", exe) == 0 &&
			    access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, cap, "btrace");
}

/* Runs ARGV with stdout into *OUT (malloc'd, NUL-terminated) and stderr
 * into *ERR (the same).  Returns its exit status, or -1 with errno if it
 * could not be run. */
static int run_capture(char *const argv[], char **out, char **err)
{
	int pfd[2] = {-1, -1}, status = 0, rc = -1, nomem = 0;
	FILE *ef = NULL;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	*out = *err = NULL;
	if (!(ef = tmpfile()) || pipe2(pfd, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(fileno(ef), 2);
		close(fileno(ef));
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	pfd[1] = -1;
	for (;;) {
		ssize_t r;
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);
			if (!nb) {
				nomem = 1;
				break;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		r = read(pfd[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	/* closed before the wait: a child still writing gets EPIPE, and
	 * cannot block on a pipe nobody reads */
	close(pfd[0]);
	pfd[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (nomem || !buf) {
		errno = ENOMEM;
		goto out;
	}
	buf[len] = 0;
	*out = buf;
	buf = NULL;
	{
		long el;
		fseek(ef, 0, SEEK_END);
		el = ftell(ef);
		rewind(ef);
		*err = calloc(1, el > 0 ? (size_t)el + 1 : 1);
		if (*err && el > 0 &&
		    fread(*err, 1, (size_t)el, ef) != (size_t)el)
			(*err)[0] = 0;
	}
	rc = WIFEXITED(status)	   ? WEXITSTATUS(status)
	     : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : 1;
out:
	free(buf);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (ef)
		fclose(ef);
	return rc;
}

/* The target directory the cargo command ARGS will use, absolute, into
 * OUT: --target-dir, else what `cargo metadata` says (CARGO_TARGET_DIR,
 * build.target-dir, or the workspace's target/).  Returns 0; or cargo
 * metadata's exit status (> 0) after printing its error, or -1 after
 * printing ours. */
static int target_dir(const char *cargo, char **args, int n, char *out,
		      size_t cap, int quiet)
{
	const char *td = cargo_opt(args, n, "--target-dir");
	const char *mp = cargo_opt(args, n, "--manifest-path");
	char *argv[8], *meta = NULL, *err = NULL;
	cJSON *j = NULL, *t;
	int k = 0, rc = -1;

	if (td) {
		char cwd[PATH_MAX];
		if (td[0] == '/'
			? path_fmt(out, cap, "%s", td) < 0
			: !getcwd(cwd, sizeof(cwd)) ||
			      path_fmt(out, cap, "%s/%s", cwd, td) < 0) {
			if (!quiet)
				error("--target-dir %s: %s", td,
				      strerror(errno));
			return -1;
		}
		return 0;
	}
	argv[k++] = (char *)cargo;
	argv[k++] = "metadata";
	argv[k++] = "--no-deps";
	argv[k++] = "--format-version=1";
	if (mp) {
		argv[k++] = "--manifest-path";
		argv[k++] = (char *)mp;
	}
	argv[k] = NULL;
	rc = run_capture(argv, &meta, &err);
	if (rc != 0) {
		if (rc < 0)
			goto fail_errno;
		if (!quiet)
			fputs(err ? err : "", stderr);
		goto out;
	}
	rc = -1;
	j = cJSON_Parse(meta);
	t = cJSON_GetObjectItemCaseSensitive(j, "target_directory");
	if (!cJSON_IsString(t) || t->valuestring[0] != '/') {
		if (!quiet)
			error("cargo metadata gave no target directory");
		goto out;
	}
	if (path_fmt(out, cap, "%s", t->valuestring) < 0) {
		if (!quiet)
			error("%s: %s", t->valuestring, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail_errno:
	if (!quiet)
		error("cannot run %s metadata: %s", cargo, strerror(errno));
	rc = -1;
out:
	cJSON_Delete(j);
	free(meta);
	free(err);
	return rc;
}

/* DATA, btrace.data beside TARGET (absolute), into OUT: 0, or -1 with
 * ENAMETOOLONG. */
static int data_dir(const char *target, char *out, size_t cap)
{
	char t[PATH_MAX], *slash;
	size_t n;
	if (path_fmt(t, sizeof(t), "%s", target) < 0)
		return -1;
	n = strlen(t);
	while (n > 1 && t[n - 1] == '/')
		t[--n] = 0;
	slash = strrchr(t, '/');
	if (slash)
		slash[slash == t] = 0; /* "/target" -> "/" */
	return path_fmt(out, cap, "%s%s%s", t, slash == t ? "" : "/",
			BT_DEFAULT_BASE);
}

/* Runs ARGV and waits: its exit status (128 + N for signal N), or
 * EXIT_OWN after a message if it could not be started.  Ctrl-C goes to
 * the child (the terminal's whole process group gets it); we stay to say
 * where the trace is. */
static int run_wait(char *const argv[])
{
	struct sigaction ign, old_int, old_quit;
	int status = 0;
	pid_t pid;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(argv[0], argv);
		error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(EXIT_OWN);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (pid < 0) {
		error("fork: %s", strerror(errno));
		return EXIT_OWN;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Whether ARGS (N of them, for P's command) give -o/--output (OUTPUT
 * set) or a positional argument (OUTPUT 0), before any "--" for the
 * first.  Values of P's valued options are skipped; clusters of short
 * options ("-qo DIR") are not taken apart. */
static int has_arg(const struct passthrough *p, char **args, int n, int output)
{
	for (int i = 0; i < n; i++) {
		const char *a = args[i];
		if (!strcmp(a, "--"))
			return !output && i + 1 < n;
		if (a[0] != '-' || !a[1]) {
			if (!output)
				return 1;
			continue;
		}
		for (int v = 0; v < 6 && p->valued[v]; v++) {
			const char *o = p->valued[v];
			size_t l = strlen(o);
			int is_long = o[1] == '-';
			if (strncmp(a, o, l) != 0 ||
			    (a[l] && is_long && a[l] != '='))
				continue;
			if (output &&
			    (!strcmp(o, "-o") || !strcmp(o, "--output")))
				return 1;
			if (!a[l])
				i++; /* its value is the next argument */
			break;
		}
	}
	return 0;
}

/* cargo btrace report|dump|experiment|diff|history ARGS: btrace's command,
 * with the workspace's trace (or experiment directory) added when the
 * user gave none and there is a workspace here. */
static int passthrough(const struct passthrough *p, const char *btrace,
		       const char *cargo, char **args, int n)
{
	char target[PATH_MAX], data[PATH_MAX], add[PATH_MAX + 16];
	char **argv = calloc((size_t)n + 5, sizeof(*argv));
	int k = 0;

	if (!argv) {
		error("out of memory");
		return EXIT_OWN;
	}
	argv[k++] = (char *)btrace;
	argv[k++] = (char *)p->cmd;
	if (p->add != ADD_NOTHING &&
	    target_dir(cargo, args, 0, target, sizeof(target), 1) == 0 &&
	    data_dir(target, data, sizeof(data)) == 0) {
		if (p->add == ADD_OUTPUT && !has_arg(p, args, n, 1) &&
		    path_fmt(add, sizeof(add), "%s/experiment", data) == 0) {
			argv[k++] = "-o";
			argv[k++] = add;
		}
		/* no trace there: btrace's own default and error */
		if (p->add == ADD_TRACE && !has_arg(p, args, n, 0) &&
		    path_fmt(add, sizeof(add), "%s/latest", data) == 0 &&
		    access(add, F_OK) == 0) {
			memcpy(argv + k, args, (size_t)n * sizeof(*args));
			k += n;
			n = 0;
			argv[k++] = add;
		}
	}
	memcpy(argv + k, args, (size_t)n * sizeof(*args));
	argv[k + n] = NULL;
	execvp(btrace, argv);
	error("cannot run %s: %s", btrace, strerror(errno));
	free(argv);
	return EXIT_OWN;
}

/* cargo btrace CARGO_COMMAND...: record, then report. */
static int record(const char *btrace, const char *cargo, char **args, int n)
{
	char target[PATH_MAX], data[PATH_MAX], dir[PATH_MAX], session[64];
	const char *why = NULL;
	char **argv = NULL;
	int rc, k = 0;

	rc = target_dir(cargo, args, n, target, sizeof(target), 0);
	if (rc != 0)
		return rc > 0 ? rc : EXIT_OWN;
	if (data_dir(target, data, sizeof(data)) < 0) {
		error("%s: %s", target, strerror(errno));
		return EXIT_OWN;
	}
	/* the data directory's parents (the target directory), made as
	 * cargo would: 0777 less the umask */
	if (bt_mkdir_parents(data, 0777) < 0) {
		error("%s: %s", data, strerror(errno));
		return EXIT_OWN;
	}
	if (bt_session_dir_create(data, dir, sizeof(dir), session,
				  sizeof(session), &why) < 0) {
		error("%s: %s", data, why);
		return EXIT_OWN;
	}
	if (!(argv = calloc((size_t)n + 7, sizeof(*argv)))) {
		error("out of memory");
		return EXIT_OWN;
	}
	argv[k++] = (char *)btrace;
	argv[k++] = "record";
	argv[k++] = "-o";
	argv[k++] = dir;
	argv[k++] = "--";
	argv[k++] = (char *)cargo;
	memcpy(argv + k, args, (size_t)n * sizeof(*args));
	argv[k + n] = NULL;
	status("Recording", "cargo %s (trace: %s)", args[0], dir);
	rc = run_wait(argv);
	if (rc != 0) {
		if (rc != EXIT_OWN)
			status("Recorded",
			       "cargo exited with %d; no report (the trace: "
			       "cargo btrace report %s)",
			       rc, dir);
		goto out;
	}
	status("Reporting", "%s/report/", dir);
	k = 0;
	argv[k++] = (char *)btrace;
	argv[k++] = "report";
	argv[k++] = dir;
	argv[k] = NULL;
	fflush(stderr);
	if (run_wait(argv) != 0)
		error("btrace report %s failed; the exit status stays cargo's",
		      dir);
out:
	free(argv);
	return rc;
}

int main(int argc, char **argv)
{
	char btrace[PATH_MAX];
	const char *cargo = getenv("CARGO");
	char **args = argv + 1;
	int n = argc - 1;

	/* cargo runs us as `cargo-btrace btrace ARGS` */
	if (n > 0 && !strcmp(args[0], "btrace")) {
		args++;
		n--;
	}
	color = use_color(args, n);
	if (!cargo || !*cargo)
		cargo = "cargo";
	if (n == 0) {
		usage(stderr);
		return EXIT_OWN;
	}
	if (!strcmp(args[0], "-h") || !strcmp(args[0], "--help") ||
	    !strcmp(args[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(args[0], "-V") || !strcmp(args[0], "--version")) {
		printf("cargo-btrace %s\n", BTRACE_VERSION);
		return 0;
	}
	if (args[0][0] == '-') {
		error("unexpected option '%s' before the cargo command (try "
		      "cargo btrace --help)",
		      args[0]);
		return EXIT_OWN;
	}
	find_btrace(btrace, sizeof(btrace));
	for (size_t i = 0; i < sizeof(passthroughs) / sizeof(*passthroughs);
	     i++)
		if (!strcmp(args[0], passthroughs[i].cmd))
			return passthrough(&passthroughs[i], btrace, cargo,
					   args + 1, n - 1);
	return record(btrace, cargo, args, n);
}
