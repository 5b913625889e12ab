/* recorder.c - libbtrace.so's constructor and destructor, its atfork
 * handler, the records of the hooks' events (exec, spawn, reap, end) and
 * the child environments they repair.  Records go out through bt_emit()
 * (emit.c); sampling is the sampler's (sampler.c), started and stopped
 * here. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/redact.h"
#include "../common/trace_codec.h"
#include "../common/trace_records.h"
#include "shim.h"

#ifndef BTRACE_VERSION
#define BTRACE_VERSION "0"
#endif

struct bt_recorder bt_recorder;

/* Entries we put back into child environments, built once. */
static char inject_store[BT_INJECT_MAX][1280];

/* ---- records of events (called by the hooks) ---- */

void bt_record_exec(uint32_t api, const char *path, int repaired)
{
	char rec[1024 + 128];
	struct bt_rec_exec ex = {bt_now_ns(), api, (uint32_t)repaired};
	if (!bt_active())
		return;
	bt_emit(rec, bt_build_exec(rec, sizeof(rec), &ex, path));
}

void bt_record_exec_failed(uint32_t api, int err)
{
	char rec[64];
	struct bt_rec_exec_failed ef = {bt_now_ns(), err, api};
	if (!bt_active())
		return;
	bt_emit(rec, bt_build_exec_failed(rec, sizeof(rec), &ef));
}

void bt_record_spawn(uint32_t api, uint64_t t0, pid_t child, int result,
		     const char *what, int repaired)
{
	char rec[1024 + 128];
	struct bt_rec_spawn sp;
	if (!bt_active())
		return;
	memset(&sp, 0, sizeof(sp));
	sp.mono_ns = t0;
	sp.done_ns = bt_now_ns();
	sp.child_pid = (uint32_t)(child > 0 ? child : 0);
	sp.api = api;
	sp.result = result;
	sp.env_repaired = (uint32_t)repaired;
	if (api == BT_API_SYSTEM || api == BT_API_POPEN) {
		/* A shell command line: may hold credentials (redact.h). */
		char cmd[BT_STR_EXEC + sizeof(BT_TRUNC_MARK)];
		bt_redact_command(what, cmd, sizeof(cmd));
		bt_emit(rec, bt_build_spawn(rec, sizeof(rec), &sp, cmd));
	} else {
		bt_emit(rec, bt_build_spawn(rec, sizeof(rec), &sp, what));
	}
}

void bt_record_reap(uint32_t api, pid_t child, int status,
		    const struct rusage *ru)
{
	char rec[256];
	struct bt_rec_reap rp;
	if (!bt_active())
		return;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = bt_now_ns();
	rp.child_pid = (uint32_t)child;
	rp.api = api;
	rp.wait_status = status;
	if (ru)
		bt_rusage_from(ru, &rp.ru);
	bt_emit(rec, bt_build_reap(rec, sizeof(rec), &rp));
}

void bt_record_end(uint32_t api, int status, int status_known)
{
	char rec[512];
	struct bt_rec_proc_end pe;
	struct rusage ru;
	if (!bt_active() ||
	    __atomic_exchange_n(&bt_recorder.ended, 1, __ATOMIC_SEQ_CST))
		return;
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = bt_now_ns();
	pe.api = api;
	pe.exit_status = status_known ? (status & 0xff) : -1;
	pe.flags = status_known ? BT_END_STATUS_KNOWN : 0;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		bt_rusage_from(&ru, &pe.ru);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		bt_rusage_from(&ru, &pe.ru_children);
	bt_emit(rec, bt_build_proc_end(rec, sizeof(rec), &pe));
}

char *const *bt_child_env(char *const envp[], struct bt_envbuf *b,
			  int *repaired)
{
	size_t slots, scratch;
	int n;
	*repaired = 0;
	b->map = NULL;
	b->map_len = 0;
	if (!bt_st.initialized || !bt_recorder.inject.count)
		return envp;
	n = bt_env_repair(envp, &bt_recorder.inject, b->slots, BT_ENV_SMALL,
			  b->scratch, sizeof(b->scratch));
	if (n < 0) {
		/* Too big for the frame: an area of its own. */
		slots = bt_env_repair_need(envp, &bt_recorder.inject, &scratch);
		b->map_len = slots * sizeof(char *) + scratch;
		b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b->map == MAP_FAILED) {
			b->map = NULL;
			bt_debug("no memory to repair a child's environment",
				 NULL);
			return envp;
		}
		n = bt_env_repair(envp, &bt_recorder.inject, b->map, slots,
				  (char *)b->map + slots * sizeof(char *),
				  scratch);
	}
	if (n <= 0)
		return envp;
	*repaired = 1;
	return b->map ? (char *const *)b->map : b->slots;
}

void bt_child_env_release(struct bt_envbuf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	b->map = NULL;
}

/* ---- set-up ---- */

static void add_inject(const char *name, const char *value)
{
	size_t i = bt_recorder.inject.count, nl = strlen(name),
	       vl = strlen(value);
	if (i >= BT_INJECT_MAX || nl + 1 + vl + 1 > sizeof(inject_store[0]))
		return;
	memcpy(inject_store[i], name, nl);
	inject_store[i][nl] = '=';
	memcpy(inject_store[i] + nl + 1, value, vl + 1);
	bt_recorder.inject.entries[i] = inject_store[i];
	bt_recorder.inject.count++;
}

static void write_session_record(void)
{
	static char rec[BT_MAX_RECORD]; /* constructor only */
	static char arg[BT_MAX_ARGV_BYTES];
	struct bt_redact_buf rb = {arg, sizeof(arg), 0, 0};
	struct bt_argv_in cmd = {bt_st.argv, &rb};
	struct bt_rec_session s;
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	memset(&s, 0, sizeof(s));
	s.mono_ns =
	    (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	s.realtime_ns =
	    (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	s.root_pid = (uint32_t)bt_st.pid;
	s.n_cpus = bt_session_cpus();
	bt_emit(rec,
		bt_build_session(rec, sizeof(rec), &s, BTRACE_VERSION, &cmd));
}

static void atfork_child(void)
{
	bt_emit_forked(); /* first: the others ask bt_active() */
	bt_system_forked();
	bt_sampler_forked();
	bt_recorder.ended = 0;
	bt_recorder.exit_status_known = 0;
}

static void find_our_library(char *needle, size_t cap, char *path,
			     size_t path_cap)
{
	Dl_info info;
	const char *p, *base;
	needle[0] = path[0] = 0;
	if (!dladdr((void *)&find_our_library, &info) || !info.dli_fname)
		return;
	p = info.dli_fname;
	base = strrchr(p, '/');
	base = base ? base + 1 : p;
	if (strlen(base) < cap)
		strcpy(needle, base);
	if (strlen(p) < path_cap)
		strcpy(path, p);
}

__attribute__((constructor)) static void bt_init(int argc, char **argv,
						 char **envp)
{
	static char needle[256], libpath[1024];
	const char *dir, *v, *why = NULL;
	int saved = errno;
	(void)envp;

	bt_libc_resolve();
	bt_st.pid = (pid_t)syscall(SYS_getpid);
	bt_st.ppid = getppid();
	bt_st.image_start_ns = bt_now_ns();
	bt_st.argc = argc;
	bt_st.argv = argv;
	bt_st.fsize_limit = UINT64_MAX;
	v = getenv("BTRACE_DEBUG");
	bt_st.debug = v && *v && strcmp(v, "0") != 0;
	bt_st.initialized = 1;

	/* Inert in setuid/setgid programs, and when switched off. */
	if (getauxval(AT_SECURE)) {
		bt_recorder.inject.count = 0;
		goto out;
	}
	v = getenv("BTRACE");
	if (v && strcmp(v, "off") == 0)
		goto out;

	find_our_library(needle, sizeof(needle), libpath, sizeof(libpath));
	if (!needle[0]) {
		bt_debug("cannot find our own library, recording off", NULL);
		goto out;
	}
	bt_recorder.inject.preload_needle = needle;
	/* Only our library goes back into a child's LD_PRELOAD: what else
	 * the first process preloaded, a program may have dropped on purpose
	 * (issue 14, defect 8). */
	add_inject("LD_PRELOAD", libpath);

	dir = getenv("BTRACE_DIR");
	v = getenv("BTRACE_SESSION");
	if (dir && *dir) {
		if (strlen(dir) >= sizeof(bt_st.dir) - 100) {
			bt_debug("BTRACE_DIR too long, recording off", dir);
			goto out;
		}
		if (dir[0] != '/') {
			char cwd[512];
			if (!getcwd(cwd, sizeof(cwd)) ||
			    strlen(cwd) + strlen(dir) + 2 >=
				sizeof(bt_st.dir) - 100)
				goto out;
			strcpy(bt_st.dir, cwd);
			strcat(bt_st.dir, "/");
			strcat(bt_st.dir, dir);
		} else {
			strcpy(bt_st.dir, dir);
		}
		if (bt_dir_prepare(bt_st.dir, &why) < 0) {
			bt_debug(why, bt_st.dir);
			goto out;
		}
		if (v && *v) {
			strncpy(bt_st.session, v, sizeof(bt_st.session) - 1);
		} else {
			/* BTRACE_DIR set by hand: this process starts the
			 * session. */
			const char *b = strrchr(bt_st.dir, '/');
			b = b ? b + 1 : bt_st.dir;
			size_t bl = strlen(b);
			if (bl >= sizeof(bt_st.session))
				bl = sizeof(bt_st.session) - 1;
			memcpy(bt_st.session, b, bl);
			bt_st.session_root = 1;
		}
	} else {
		if (bt_session_dir_create(
			BT_DEFAULT_BASE, bt_st.dir, sizeof(bt_st.dir) - 100,
			bt_st.session, sizeof(bt_st.session), &why) < 0) {
			bt_debug(why, "btrace.data");
			goto out;
		}
		bt_st.session_root = 1;
	}
	add_inject("BTRACE_DIR", bt_st.dir);
	add_inject("BTRACE_SESSION", bt_st.session);
	/* A session root also exports the session in its own environment,
	 * so children started where no hook can repair the environment
	 * (popen, which keeps glibc-private state) join it rather than
	 * starting a session of their own.  This runs in the constructor,
	 * before the program has threads. */
	if (bt_st.session_root) {
		setenv("BTRACE_DIR", bt_st.dir, 1);
		setenv("BTRACE_SESSION", bt_st.session, 1);
	}
	/* Pass the other settings on unchanged. */
	{
		extern char **environ;
		for (char **ep = environ; ep && *ep; ep++)
			if (strncmp(*ep, "BTRACE_", 7) == 0 &&
			    strncmp(*ep, "BTRACE_DIR=", 11) != 0 &&
			    strncmp(*ep, "BTRACE_SESSION=", 15) != 0) {
				char name[64];
				const char *eq = strchr(*ep, '=');
				size_t nl = eq ? (size_t)(eq - *ep) : 0;
				if (!eq || nl >= sizeof(name))
					continue;
				memcpy(name, *ep, nl);
				name[nl] = 0;
				add_inject(name, eq + 1);
			}
	}
	if (pthread_atfork(NULL, NULL, atfork_child) != 0) {
		bt_debug("pthread_atfork failed, recording off", NULL);
		goto out;
	}
	if (bt_emit_begin() < 0) {
		bt_debug("trace directory changed while checked, recording off",
			 bt_st.dir);
		goto out;
	}
	if (bt_st.session_root)
		write_session_record();
	bt_sampler_start();
	bt_debug("recording to", bt_st.path);
out:
	errno = saved;
}

__attribute__((destructor)) static void bt_fini(void)
{
	int saved = errno;
	bt_sampler_stop();
	bt_record_end(bt_recorder.exit_status_known ? bt_recorder.exit_api
						    : BT_API_DESTRUCTOR,
		      bt_recorder.exit_status, bt_recorder.exit_status_known);
	errno = saved;
}
