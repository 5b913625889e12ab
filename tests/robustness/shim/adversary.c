/* adversary.c - programs that try to make libbtrace.so harm the process it
 * observes (issue 14).  Each mode exits 0 when the program saw what it
 * would see untraced, 1 (with a line on stdout) when it did not; the .sh
 * drivers run it traced and untraced and check the trace.
 *
 *   noop                      exits 0 (a child to start)
 *   code N                    exits N
 *   showenv                   prints "LD_PRELOAD=<value or (unset)>
 *                             traced|untraced" (is libbtrace mapped?)
 *   forkthreads CHILDREN THREADS
 *                             fork children whose THREADS threads all
 *                             posix_spawn at the same moment (defect 1)
 *   cancel                    a fork child's thread is cancelled while
 *                             its record creates the trace file
 *   smallstack [BYTES]        posix_spawn, system, popen and fork+exec
 *                             from a thread with a 32 KiB stack (or
 *                             BYTES), with
 *                             environments that need repair (defect 3)
 *   stackuse                  prints the stack smallstack's work uses
 *   syscancel                 a thread cancelled in system() (same)
 *   sysrace THREADS CALLS     concurrent system() with an environment
 *                             that needs repair; SIGINT and SIGQUIT must
 *                             be as before (defect 5)
 *   preload LIB FOO           execs showenv with no LD_PRELOAD, and with
 *                             two LD_PRELOAD= entries (defect 8)
 *   secrets                   execs noop with credentials in argv and
 *                             passes them to system and popen (defect 9)
 *   nofile                    forks with every descriptor taken, then
 *                             again with some free (defect 11)
 *   dirswap DIR               renames the trace directory DIR away,
 *                             plants files with the trace files' names in
 *                             a new DIR, then records on (defect 12)
 *   fds OUTDIR                closefrom, a /proc/self/fd loop and dup2
 *                             over 3..9 around children: the files hold
 *                             exactly what the program wrote
 *   vanish DIR                removes the trace directory, then starts
 *                             children
 *   fulldisk FILLER           starts children, removes FILLER (freeing
 *                             the disk), starts more
 *   bigargv                   execs argcount with 512 KiB of argv and of
 *                             environment, 300 variables, no LD_PRELOAD
 *   argcount ...              prints argc, the argv bytes and the
 *                             environment's size
 *   vfork                     vfork + exec and vfork + _exit
 *   pidfd                     pidfd_spawn, if glibc has it (else 77) */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static char self[PATH_MAX];
static int fails;

#define FAIL(...)                                                              \
	do {                                                                   \
		printf("UNEXPECTED: " __VA_ARGS__);                            \
		printf("\n");                                                  \
		fails++;                                                       \
	} while (0)

/* posix_spawn SELF ARGV1 with ENVP; returns the exit code or -1. */
static int spawn_wait(const char *mode, char *const envp[])
{
	char *av[] = {self, (char *)mode, NULL};
	pid_t pid;
	int st;
	if (posix_spawn(&pid, self, NULL, NULL, av, envp) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int fork_exit(int code)
{
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int is_traced(void)
{
	char line[4096];
	int traced = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "libbtrace"))
			traced = 1;
	if (f)
		fclose(f);
	return traced;
}

/* ---- defect 1 ---- */
static pthread_barrier_t barrier;

static void *spawner(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier);
	if (spawn_wait("noop", environ) != 0)
		FAIL("spawn from a fork child's thread");
	return NULL;
}

static int forkthreads(int children, int threads)
{
	for (int c = 0; c < children; c++) {
		int st;
		pid_t pid = fork();
		if (pid == 0) {
			pthread_t th[64];
			if (threads > 64)
				threads = 64;
			pthread_barrier_init(&barrier, NULL, (unsigned)threads);
			for (int i = 0; i < threads; i++)
				pthread_create(&th[i], NULL, spawner, NULL);
			for (int i = 0; i < threads; i++)
				pthread_join(th[i], NULL);
			exit(fails ? 1 : 0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			FAIL("fork child %d", c);
	}
	return 0;
}

/* A thread cancelled while its record creates the fork child's trace
 * file (open and write are cancellation points): the other threads must
 * not wait for that file for good. */
static void *cancelled_spawner(void *arg)
{
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_barrier_wait(&barrier); /* main cancels us now */
	pthread_barrier_wait(&barrier);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	spawn_wait("noop", environ); /* the first record of the child */
	return NULL;
}

static int cancel(void)
{
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t th;
		void *ret;
		pthread_barrier_init(&barrier, NULL, 2);
		pthread_create(&th, NULL, cancelled_spawner, NULL);
		pthread_barrier_wait(&barrier);
		pthread_cancel(th);
		pthread_barrier_wait(&barrier);
		pthread_join(th, &ret);
		if (spawn_wait("noop", environ) != 0)
			_exit(1);
		exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		FAIL("fork child with a cancelled thread");
	return 0;
}

/* ---- defect 3 ---- */
static char **env_without_preload(int extra)
{
	size_t n = 0, k = 0;
	char **e;
	while (environ[n])
		n++;
	e = calloc(n + (size_t)extra + 1, sizeof(*e));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			e[k++] = environ[i];
	for (int i = 0; i < extra; i++) {
		char *v = malloc(32);
		snprintf(v, 32, "ADVERSARY_%d=%d", i, i);
		e[k++] = v;
	}
	e[k] = NULL;
	return e;
}

static char **small_env, **big_env;

static void *small_stack_work(void *arg)
{
	char buf[64];
	FILE *p;
	pid_t pid;
	int st;
	(void)arg;
	if (spawn_wait("noop", environ) != 0)
		FAIL("posix_spawn from a 32 KiB stack");
	if (spawn_wait("noop", small_env) != 0)
		FAIL("posix_spawn (repaired env) from a 32 KiB stack");
	if (spawn_wait("noop", big_env) != 0)
		FAIL("posix_spawn (repaired big env) from a 32 KiB stack");
	st = system("exit 3");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 3)
		FAIL("system from a 32 KiB stack: %#x", st);
	p = popen("echo popen-ok", "r");
	if (!p || !fgets(buf, sizeof(buf), p) || strcmp(buf, "popen-ok\n"))
		FAIL("popen from a 32 KiB stack");
	if (p)
		pclose(p);
	pid = fork();
	if (pid == 0) {
		char *av[] = {self, "code", "4", NULL};
		execve(self, av, big_env);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 4)
		FAIL("fork+execve from a 32 KiB stack: %#x", st);
	return NULL;
}

static int smallstack(size_t size)
{
	pthread_attr_t a;
	pthread_t th;
	small_env = env_without_preload(0);
	big_env = env_without_preload(300);
	pthread_attr_init(&a);
	if (pthread_attr_setstacksize(&a, size) != 0)
		return 2;
	if (pthread_create(&th, &a, small_stack_work, NULL) != 0)
		return 2;
	pthread_join(th, NULL);
	return 0;
}

/* On a painted stack: a fork child's first record is the EXEC record of
 * an execve that fails, so the child creates its trace file right there
 * (the deepest path of the recorder).  The child repaints what lies below
 * its frame, runs it, and reports the deepest byte it changed. */
static unsigned char *painted;
enum { PAINTED = 256 * 1024 };

static void *fork_exec_fail_work(void *arg)
{
	int fds[2], st;
	size_t used = 0;
	pid_t pid;
	(void)arg;
	if (pipe(fds) < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		char *av[] = {"/nonexistent/x", NULL};
		unsigned char here;
		size_t low = 0, below = (size_t)(&here - painted) - 512;
		memset(painted, 0xa5, below);
		execve(av[0], av, small_env);
		while (low < PAINTED && painted[low] == 0xa5)
			low++;
		used = PAINTED - low;
		if (write(fds[1], &used, sizeof(used)) != sizeof(used))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &used, sizeof(used)) != sizeof(used))
		used = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	printf("fork child's failed execve, stack used: %zu bytes\n", used);
	return NULL;
}

/* The most stack small_stack_work uses: run on a painted 256 KiB stack,
 * then find the deepest byte it changed. */
static int stackuse(void)
{
	enum { SIZE = PAINTED };
	pthread_attr_t a;
	pthread_t th;
	unsigned char *stack = aligned_alloc(4096, SIZE);
	size_t low = 0;
	small_env = env_without_preload(0);
	big_env = env_without_preload(300);
	memset(stack, 0xa5, SIZE);
	pthread_attr_init(&a);
	if (pthread_attr_setstack(&a, stack, SIZE) != 0 ||
	    pthread_create(&th, &a, small_stack_work, NULL) != 0)
		return 2;
	pthread_join(th, NULL);
	while (low < SIZE && stack[low] == 0xa5)
		low++;
	printf("stack used: %zu bytes\n", (size_t)SIZE - low);
	fflush(stdout);
	painted = stack;
	memset(stack, 0xa5, SIZE);
	if (pthread_create(&th, &a, fork_exec_fail_work, NULL) != 0)
		return 2;
	pthread_join(th, NULL);
	return 0;
}

/* ---- defect 5 ---- */
static int sys_calls;

static void *system_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < sys_calls; i++) {
		int st = system("true");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			FAIL("system: %#x", st);
	}
	return NULL;
}

static void *system_sleeper(void *arg)
{
	(void)arg;
	system("sleep 10");
	return NULL;
}

/* A thread cancelled in system(): SIGINT and SIGQUIT come back all the
 * same (glibc's system() has a cancellation handler, so must ours). */
static int syscancel(void)
{
	pthread_t th;
	struct sigaction sa;
	unsetenv("LD_PRELOAD");
	pthread_create(&th, NULL, system_sleeper, NULL);
	usleep(300 * 1000);
	pthread_cancel(th);
	pthread_join(th, NULL);
	sigaction(SIGINT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		FAIL("SIGINT is not SIG_DFL after a cancelled system()");
	sigaction(SIGQUIT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		FAIL("SIGQUIT is not SIG_DFL after a cancelled system()");
	return 0;
}

static int sysrace(int threads, int calls)
{
	pthread_t th[32];
	struct sigaction sa;
	sys_calls = calls;
	/* The repaired path: our variables are gone from environ. */
	unsetenv("LD_PRELOAD");
	if (threads > 32)
		threads = 32;
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, system_loop, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	sigaction(SIGINT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		FAIL("SIGINT is %s after system()",
		     sa.sa_handler == SIG_IGN ? "ignored" : "handled");
	sigaction(SIGQUIT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		FAIL("SIGQUIT is %s after system()",
		     sa.sa_handler == SIG_IGN ? "ignored" : "handled");
	return 0;
}

/* ---- defect 8 ---- */
static void exec_showenv(char **envp)
{
	int st;
	char *av[] = {self, "showenv", NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execve(self, av, envp);
		_exit(127);
	}
	fflush(stdout);
	waitpid(pid, &st, 0);
}

static int preload(const char *lib, const char *foo)
{
	char e1[PATH_MAX + 16], e2[PATH_MAX + 16];
	char *cleared[] = {"PATH=/usr/bin:/bin", NULL};
	char *dup[] = {e1, e2, "PATH=/usr/bin:/bin", NULL};
	snprintf(e1, sizeof(e1), "LD_PRELOAD=%s", lib);
	snprintf(e2, sizeof(e2), "LD_PRELOAD=%s", foo);
	fflush(stdout);
	printf("cleared: ");
	fflush(stdout);
	exec_showenv(cleared);
	printf("duplicates: ");
	fflush(stdout);
	exec_showenv(dup);
	return 0;
}

/* ---- defect 9 ---- */
static int secrets(void)
{
	char buf[256];
	FILE *p;
	char *av[] = {self,
		      "noop",
		      "https://alice:hunter2@example.com/x.git",
		      "-H",
		      "Authorization: Bearer tok-AAAA",
		      "--password=pw-BBBB",
		      "--token",
		      "tok-CCCC",
		      "GITHUB_TOKEN=tok-DDDD",
		      "--release",
		      "-p",
		      "tokenizers",
		      NULL};
	pid_t pid;
	int st;
	if (posix_spawn(&pid, self, NULL, NULL, av, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		FAIL("spawn with secrets in argv");
	st = system("true --token tok-EEEE 'Authorization: Basic tok-FFFF' "
		    "https://bob:pw-GGGG@example.org/");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("system: %#x", st);
	p = popen("API_KEY=tok-HHHH echo popen-ok", "r");
	if (!p || !fgets(buf, sizeof(buf), p) || strcmp(buf, "popen-ok\n"))
		FAIL("popen");
	if (p)
		pclose(p);
	return 0;
}

/* ---- defect 11 ---- */
static int nofile(void)
{
	struct rlimit rl = {64, 64};
	int fds[128], n = 0, fd;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 2;
	while (n < 128 && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	if (errno != EMFILE)
		FAIL("filling the descriptor table: %s", strerror(errno));
	if (fork_exit(5) != 5)
		FAIL("fork with no free descriptor");
	if (fork_exit(6) != 6)
		FAIL("fork with no free descriptor");
	while (n)
		close(fds[--n]);
	if (fork_exit(7) != 7)
		FAIL("fork after descriptors were freed");
	return 0;
}

/* ---- defect 12 ---- */
static int dirswap(const char *dir)
{
	char moved[PATH_MAX], path[PATH_MAX * 2];
	DIR *d;
	struct dirent *de;
	if (spawn_wait("noop", environ) != 0)
		FAIL("spawn before the swap");
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	if (rename(dir, moved) < 0 || mkdir(dir, 0700) < 0)
		return 2;
	/* Plant files with every name the trace used so far. */
	d = opendir(moved);
	while (d && (de = readdir(d))) {
		int fd;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	/* Records of this image, and of fork children (no exec: a new
	 * image would check the new directory on its own, and accept it:
	 * here it is ours). */
	if (fork_exit(3) != 3 || fork_exit(4) != 4)
		FAIL("fork after the swap");
	return 0;
}

/* ---- descriptors ---- */
static void write_all_fds(int round)
{
	for (int fd = 3; fd < 10; fd++)
		dprintf(fd, "round %d fd %d\n", round, fd);
}

static void open_outputs(const char *dir, int flags)
{
	char path[PATH_MAX + 32];
	for (int fd = 3; fd < 10; fd++) {
		int f;
		snprintf(path, sizeof(path), "%s/out.%d", dir, fd);
		f = open(path, O_WRONLY | O_CREAT | flags, 0600);
		if (f < 0) {
			FAIL("open %s", path);
			continue;
		}
		if (f != fd) {
			dup2(f, fd);
			close(f);
		}
	}
}

static void children_round(void)
{
	char *av[] = {self, "noop", NULL};
	pid_t pid;
	int st;
	if (spawn_wait("noop", environ) != 0)
		FAIL("spawn");
	pid = fork();
	if (pid == 0) {
		execv(self, av);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		FAIL("fork+exec");
	if (system("true") != 0)
		FAIL("system");
}

static int fds(const char *dir)
{
	char path[PATH_MAX + 32], buf[1024], want[1024];
	DIR *d;
	struct dirent *de;
	int dfd;
	/* closefrom (glibc 2.34) */
	closefrom(3);
	open_outputs(dir, O_TRUNC);
	write_all_fds(0);
	children_round();
	write_all_fds(1);
	/* The /proc/self/fd loop of daemons and shells. */
	d = opendir("/proc/self/fd");
	dfd = d ? dirfd(d) : -1;
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 2 && fd != dfd)
			close(fd);
	}
	if (d)
		closedir(d);
	open_outputs(dir, O_APPEND);
	children_round();
	write_all_fds(2);
	children_round();
	for (int fd = 3; fd < 10; fd++)
		close(fd);
	for (int fd = 3; fd < 10; fd++) {
		FILE *f;
		size_t got;
		snprintf(path, sizeof(path), "%s/out.%d", dir, fd);
		f = fopen(path, "r");
		got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[got] = 0;
		snprintf(want, sizeof(want),
			 "round 0 fd %d\nround 1 fd %d\nround 2 fd %d\n", fd,
			 fd, fd);
		if (strcmp(buf, want))
			FAIL("fd %d file holds [%s]", fd, buf);
	}
	return 0;
}

/* ---- a trace directory that vanishes, a full disk ---- */
static int vanish(const char *dir)
{
	char cmd[PATH_MAX + 32];
	children_round();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		FAIL("rm");
	children_round();
	if (fork_exit(9) != 9)
		FAIL("fork");
	printf("vanish: done\n");
	return 0;
}

static int fulldisk(const char *filler)
{
	children_round();
	if (fork_exit(3) != 3)
		FAIL("fork on a full disk");
	if (unlink(filler) < 0)
		FAIL("unlink %s", filler);
	children_round();
	if (fork_exit(4) != 4)
		FAIL("fork after the disk was freed");
	printf("fulldisk: done\n");
	return 0;
}

/* ---- odd processes ---- */
static int bigargv(void)
{
	enum { ARGS = 512, ENVS = 512, LEN = 1024 };
	char **av = calloc(ARGS + 3, sizeof(*av));
	char **ev = env_without_preload(0);
	size_t n = 0, k;
	char **env;
	pid_t pid;
	int st;
	while (ev[n])
		n++;
	env = calloc(n + ENVS + 1, sizeof(*env));
	memcpy(env, ev, n * sizeof(*env));
	av[0] = self;
	av[1] = "argcount";
	for (int i = 0; i < ARGS; i++) {
		av[2 + i] = malloc(LEN);
		memset(av[2 + i], 'a' + i % 26, LEN - 1);
		av[2 + i][LEN - 1] = 0;
	}
	for (k = 0; k < ENVS; k++) {
		env[n + k] = malloc(LEN);
		snprintf(env[n + k], LEN, "BIG_%zu=", k);
		memset(env[n + k] + strlen(env[n + k]), 'e',
		       LEN - 1 - strlen(env[n + k]));
		env[n + k][LEN - 1] = 0;
	}
	env[n + k] = NULL;
	fflush(stdout);
	if (posix_spawn(&pid, self, NULL, NULL, av, env) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		FAIL("spawn with 512 KiB of argv and of environment");
	return 0;
}

static int argcount(int argc, char **argv)
{
	size_t bytes = 0, envs = 0, ebytes = 0;
	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "BIG_", 4)) {
			envs++;
			ebytes += strlen(*e) + 1;
		}
	printf("argc %d, %zu argv bytes, %zu BIG_ variables of %zu bytes\n",
	       argc, bytes, envs, ebytes);
	return 0;
}

static int do_vfork(void)
{
	char *av[] = {self, "code", "6", NULL};
	char **env = env_without_preload(300);
	pid_t pid;
	int st;
	pid = vfork();
	if (pid == 0) {
		execv(self, av);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 6)
		FAIL("vfork+execv");
	pid = vfork();
	if (pid == 0) {
		execve(self, av, env);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 6)
		FAIL("vfork+execve, environment repaired");
	pid = vfork();
	if (pid == 0)
		_exit(8);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 8)
		FAIL("vfork+_exit");
	return 0;
}

static int pidfd(void)
{
	typedef int (*spawn_fn)(
	    int *, const char *, const posix_spawn_file_actions_t *,
	    const posix_spawnattr_t *, char *const[], char *const[]);
	spawn_fn fn = (spawn_fn)dlsym(RTLD_DEFAULT, "pidfd_spawn");
	char *av[] = {self, "code", "5", NULL};
	siginfo_t si;
	int fd;
	if (!fn) {
		printf("pidfd_spawn: not in this glibc\n");
		return 77;
	}
	if (fn(&fd, self, NULL, NULL, av, environ) != 0)
		FAIL("pidfd_spawn");
	else if (waitid(P_PIDFD, (id_t)fd, &si, WEXITED) != 0 ||
		 si.si_status != 5)
		FAIL("pidfd_spawn's child");
	return 0;
}

int main(int argc, char **argv)
{
	ssize_t n;
	int r = 2;
	const char *m = argc > 1 ? argv[1] : "";
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;
	if (!strcmp(m, "noop"))
		return 0;
	if (!strcmp(m, "code") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(m, "showenv")) {
		const char *v = getenv("LD_PRELOAD");
		printf("LD_PRELOAD=%s %s\n", v ? v : "(unset)",
		       is_traced() ? "traced" : "untraced");
		return 0;
	}
	if (!strcmp(m, "forkthreads") && argc == 4)
		r = forkthreads(atoi(argv[2]), atoi(argv[3]));
	else if (!strcmp(m, "cancel"))
		r = cancel();
	else if (!strcmp(m, "smallstack"))
		r = smallstack(argc > 2 ? (size_t)atol(argv[2]) : 32768);
	else if (!strcmp(m, "stackuse"))
		return stackuse();
	else if (!strcmp(m, "syscancel"))
		r = syscancel();
	else if (!strcmp(m, "sysrace") && argc == 4)
		r = sysrace(atoi(argv[2]), atoi(argv[3]));
	else if (!strcmp(m, "preload") && argc == 4)
		r = preload(argv[2], argv[3]);
	else if (!strcmp(m, "secrets"))
		r = secrets();
	else if (!strcmp(m, "nofile"))
		r = nofile();
	else if (!strcmp(m, "dirswap") && argc == 3)
		r = dirswap(argv[2]);
	else if (!strcmp(m, "fds") && argc == 3)
		r = fds(argv[2]);
	else if (!strcmp(m, "vanish") && argc == 3)
		r = vanish(argv[2]);
	else if (!strcmp(m, "fulldisk") && argc == 3)
		r = fulldisk(argv[2]);
	else if (!strcmp(m, "bigargv"))
		r = bigargv();
	else if (!strcmp(m, "argcount"))
		return argcount(argc, argv);
	else if (!strcmp(m, "vfork"))
		r = do_vfork();
	else if (!strcmp(m, "pidfd"))
		r = pidfd();
	if (r)
		return r;
	printf("%s: %s\n", m, fails ? "failed" : "ok");
	return fails ? 1 : 0;
}
