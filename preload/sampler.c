/* sampler.c - CPU-time sampling with call stacks, in rustc, rustdoc and
 * the linkers (BTRACE_SAMPLE=off|compilers|all, BTRACE_HZ, default 250).
 *
 * Every thread gets its own CPU-time timer (timer_create on
 * CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID), so samples are proportional to
 * CPU time on every thread, LLVM's workers included.  The SIGPROF handler
 * unwinds with libgcc's _Unwind_Backtrace (found at run time, primed in
 * the constructor) and stores raw PCs in a preallocated lock-free ring
 * (a bounded MPSC queue with per-slot sequence numbers).  A flusher thread,
 * with every signal blocked, drains the ring into SAMPLES records and
 * writes the module map as modules appear.  Symbolization is the
 * analyzer's job.
 *
 * Async-signal-safety: on_sigprof() and everything it calls are AS-safe
 * (atomics, the stack, the ring); nothing else here runs in the handler. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include "../common/trace_codec.h"
#include "shim.h"

#define NSLOTS 1024u      /* ring slots; a power of two */
#define MAX_TIMERS 1024   /* threads with a timer at once */
#define MAX_MODULES 2048  /* modules we remember having written */
#define FLUSH_MS 100

struct slot {
	uint64_t seq; /* Vyukov: == pos free for pos, == pos+1 ready */
	struct bt_sample_head head;
	uint64_t pcs[BT_MAX_DEPTH];
};

typedef _Unwind_Reason_Code (*backtrace_fn)(_Unwind_Trace_Fn, void *);
typedef _Unwind_Ptr (*getipinfo_fn)(struct _Unwind_Context *, int *);

static struct {
	volatile int on; /* timers may fire and samples count */
	uint32_t hz;
	uint64_t period_ns;
	uint32_t mode;
	struct slot *ring;
	uint64_t head; /* producers claim here */
	uint64_t tail; /* the single consumer reads here */
	int draining;  /* the consumer lock */
	uint64_t taken, dropped_full, dropped_write, written;
	uint32_t threads;
	int installed; /* our SIGPROF handler is in place */
	backtrace_fn backtrace;
	getipinfo_fn getipinfo;
	pthread_key_t key;
	int stop_flusher;
	struct {
		int used;
		timer_t id;
		pid_t tid;
		int has_timer;
	} timers[MAX_TIMERS]; /* registered threads */
	int process_timer; /* one process-wide timer instead of one a thread */
	struct {
		uint64_t start, end;
	} modules[MAX_MODULES];
	size_t n_modules;
} sp;

static struct sigaction sp_original; /* SIGPROF before we installed ours */

static __thread int in_handler __attribute__((tls_model("initial-exec")));
static __thread int timer_slot __attribute__((tls_model("initial-exec")));

/* ---- the signal handler [AS-safe] ---- */

struct unwind_state {
	uint64_t *pcs;
	uint64_t pc0; /* the interrupted PC: frames before it are ours */
	int n, started, skipped;
};

static _Unwind_Reason_Code unwind_cb(struct _Unwind_Context *ctx, void *arg)
{
	struct unwind_state *u = arg;
	int before = 0;
	uint64_t ip = (uint64_t)sp.getipinfo(ctx, &before);
	if (!u->started) {
		/* Skip the handler's own frames and the signal trampoline. */
		if (ip != u->pc0)
			return ++u->skipped > 16 ? _URC_NORMAL_STOP
						  : _URC_NO_REASON;
		u->started = 1;
	}
	if (u->n >= BT_MAX_DEPTH)
		return _URC_NORMAL_STOP;
	u->pcs[u->n++] = ip;
	return _URC_NO_REASON;
}

static void on_sigprof(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct unwind_state u;
	int overrun = si && si->si_code == SI_TIMER ? si->si_overrun : 0;
	struct slot *s;
	uint64_t pos;
	_Unwind_Reason_Code r;
	int saved = errno;
	(void)sig;

	if (in_handler || !sp.on)
		goto out;
	in_handler = 1;
	pos = __atomic_load_n(&sp.head, __ATOMIC_RELAXED);
	for (;;) {
		uint64_t seq;
		s = &sp.ring[pos % NSLOTS];
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq == pos) {
			if (__atomic_compare_exchange_n(&sp.head, &pos, pos + 1,
							0, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (seq < pos) {
			__atomic_add_fetch(&sp.dropped_full, 1,
					   __ATOMIC_RELAXED);
			goto done;
		} else {
			pos = __atomic_load_n(&sp.head, __ATOMIC_RELAXED);
		}
	}
	u.pcs = s->pcs;
	u.pc0 = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	u.n = u.started = u.skipped = 0;
	r = sp.backtrace(unwind_cb, &u);
	s->head.mono_ns = bt_now_ns();
	s->head.tid = (uint32_t)syscall(SYS_gettid);
	s->head.flags = 0;
	if (!u.started) {
		s->pcs[0] = u.pc0;
		u.n = 1;
		s->head.flags = BT_SAMPLE_UNWIND_FAILED;
	} else if (u.n >= BT_MAX_DEPTH) {
		s->head.flags = BT_SAMPLE_CUT;
	} else if (r == _URC_END_OF_STACK) {
		s->head.flags = BT_SAMPLE_COMPLETE;
	}
	s->head.depth = (uint16_t)u.n;
	s->head.weight = 1u + (uint32_t)(overrun > 0 ? overrun : 0);
	s->head.reserved = 0;
	__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&sp.taken, 1, __ATOMIC_RELAXED);
done:
	in_handler = 0;
out:
	errno = saved;
}

/* ---- module map ---- */

static int module_seen(uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < sp.n_modules; i++)
		if (sp.modules[i].start == start && sp.modules[i].end == end)
			return 1;
	return 0;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = 0;
}

static void build_id(const struct dl_phdr_info *info, char *out, size_t cap)
{
	out[0] = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;
		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*nh);
			const unsigned char *desc = (const unsigned char *)
				(name + ((nh->n_namesz + 3) & ~3u));
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 &&
			    nh->n_descsz * 2 + 1 <= cap) {
				hex(out, desc, nh->n_descsz);
				return;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
}

/* The address range of INFO's loadable segments (START = UINT64_MAX if
 * it has none). */
static void module_range(const struct dl_phdr_info *info, uint64_t *start,
			 uint64_t *end)
{
	*start = UINT64_MAX;
	*end = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
		if (ph->p_type != PT_LOAD)
			continue;
		if (a < *start)
			*start = a;
		if (b > *end)
			*end = b;
	}
}

/* Writes INFO's module record; a LOADED one only once per address range
 * unless AGAIN. */
static void write_module(const struct dl_phdr_info *info, uint32_t event,
			 int again)
{
	char rec[4096], bid[130], exe[1024];
	struct bt_rec_module m;
	struct bt_enc e;
	const char *path = info->dlpi_name;
	memset(&m, 0, sizeof(m));
	module_range(info, &m.start, &m.end);
	m.exec_start = UINT64_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			if (a < m.exec_start)
				m.exec_start = a;
			if (b > m.exec_end)
				m.exec_end = b;
		}
	}
	if (m.start == UINT64_MAX)
		return;
	if (m.exec_start == UINT64_MAX)
		m.exec_start = m.exec_end = 0;
	if (event == BT_MODULE_LOADED && !again) {
		if (module_seen(m.start, m.end) || sp.n_modules >= MAX_MODULES)
			return;
		sp.modules[sp.n_modules].start = m.start;
		sp.modules[sp.n_modules++].end = m.end;
	}
	if (!path || !*path) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		path = exe;
	}
	m.mono_ns = bt_now_ns();
	m.bias = info->dlpi_addr;
	m.event = event;
	build_id(info, bid, sizeof(bid));
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_MODULE, &m, sizeof(m));
	bt_enc_str(&e, path, 2048);
	bt_enc_str(&e, bid, sizeof(bid));
	bt_emit(rec, bt_enc_end(&e));
}

static int module_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	write_module(info, BT_MODULE_LOADED, 0);
	return 0;
}

/* Not AS-safe (dl_iterate_phdr takes the loader lock). */
static void scan_modules(void)
{
	dl_iterate_phdr(module_cb, NULL);
}

struct unload_arg {
	uint64_t bias;
	const char *name;
	int found;
	uint64_t start, end; /* its range, as module_seen() keeps it */
};

/* Whether INFO is the object U names (its load bias and path). */
static int is_object(const struct dl_phdr_info *info,
		     const struct unload_arg *u)
{
	return info->dlpi_addr == u->bias && info->dlpi_name &&
	       strcmp(info->dlpi_name, u->name) == 0;
}

static int unload_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct unload_arg *u = arg;
	(void)size;
	if (is_object(info, u)) {
		write_module(info, BT_MODULE_UNLOADING, 0);
		module_range(info, &u->start, &u->end);
		u->found = 1;
		return 1;
	}
	return 0;
}

/* After dlclose: if the module is still mapped (it had other
 * references), write it again as loaded, since the analyzer closed its
 * range at the UNLOADING record. */
static int still_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct unload_arg *u = arg;
	(void)size;
	if (is_object(info, u)) {
		u->found = 1;
		write_module(info, BT_MODULE_LOADED, 1);
		return 1;
	}
	return 0;
}

/* Forgets a range module_seen() knew, so that a library loaded at the
 * same addresses later is written.  Called inside dl_iterate_phdr, whose
 * loader lock also serializes scan_modules()' writers. */
static int forget_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct unload_arg *u = arg;
	(void)info;
	(void)size;
	for (size_t i = 0; i < sp.n_modules; i++)
		if (sp.modules[i].start == u->start &&
		    sp.modules[i].end == u->end) {
			sp.modules[i] = sp.modules[--sp.n_modules];
			break;
		}
	return 1;
}

/* dlclose: write the module before it goes, so samples in it (a proc
 * macro) can still be symbolized; afterwards, forget its range if it is
 * gone, or write it again if it stays. */
BT_EXPORT int dlclose(void *handle)
{
	static int (*real_dlclose)(void *);
	struct unload_arg u = {0, NULL, 0, 0, 0};
	char name[1024];
	int rc;
	if (!real_dlclose)
		*(void **)&real_dlclose = dlsym(RTLD_NEXT, "dlclose");
	if (sp.on && bt_active()) {
		struct link_map *lm = NULL;
		int saved = errno;
		if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm &&
		    lm->l_name) {
			snprintf(name, sizeof(name), "%s", lm->l_name);
			u.bias = (uint64_t)lm->l_addr;
			u.name = name;
			scan_modules(); /* make sure it was written at all */
			dl_iterate_phdr(unload_cb, &u);
		}
		errno = saved;
	}
	rc = real_dlclose(handle);
	if (u.found) {
		int saved = errno;
		u.found = 0;
		dl_iterate_phdr(still_cb, &u);
		if (!u.found)
			dl_iterate_phdr(forget_cb, &u);
		errno = saved;
	}
	return rc;
}

/* ---- draining the ring (one consumer at a time) ---- */

static void drain(void)
{
	static char rec[BT_MAX_RECORD]; /* guarded by sp.draining */
	struct bt_rec_samples hdr = {0, 0};
	struct bt_enc e;
	int open = 0;

	for (;;) {
		struct slot *s = &sp.ring[sp.tail % NSLOTS];
		size_t need;
		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != sp.tail + 1)
			break;
		need = sizeof(s->head) + s->head.depth * sizeof(uint64_t);
		if (open && e.cap - e.len < need) {
			bt_enc_patch_fixed(&e, &hdr, sizeof(hdr));
			bt_emit(rec, bt_enc_end(&e));
			if (!bt_st.enabled)
				sp.dropped_write += hdr.count;
			else
				sp.written += hdr.count;
			open = 0;
		}
		if (!open) {
			hdr.count = 0;
			bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLES, &hdr,
				     sizeof(hdr));
			open = 1;
		}
		bt_enc_bytes(&e, &s->head, sizeof(s->head));
		bt_enc_bytes(&e, s->pcs, s->head.depth * sizeof(uint64_t));
		hdr.count++;
		__atomic_store_n(&s->seq, sp.tail + NSLOTS, __ATOMIC_RELEASE);
		sp.tail++;
	}
	if (open) {
		bt_enc_patch_fixed(&e, &hdr, sizeof(hdr));
		bt_emit(rec, bt_enc_end(&e));
		if (!bt_st.enabled)
			sp.dropped_write += hdr.count;
		else
			sp.written += hdr.count;
	}
}

/* Takes the consumer lock; WAIT says whether to wait for the flusher. */
static int drain_lock(int wait)
{
	for (int i = 0; i < (wait ? 1000 : 1); i++) {
		if (!__atomic_exchange_n(&sp.draining, 1, __ATOMIC_ACQUIRE))
			return 0;
		if (wait) {
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
	}
	return -1;
}

static void drain_unlock(void)
{
	__atomic_store_n(&sp.draining, 0, __ATOMIC_RELEASE);
}

static void *flusher(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&sp.stop_flusher, __ATOMIC_RELAXED)) {
		struct timespec ts = {0, FLUSH_MS * 1000000L};
		nanosleep(&ts, NULL);
		if (!sp.on || drain_lock(0) < 0)
			continue;
		scan_modules();
		drain();
		drain_unlock();
	}
	return NULL;
}

/* ---- timers ---- */

/* Registers the calling thread (for its name and CPU time at its end)
 * and, in thread mode or for the first thread in process mode, arms a
 * CPU-time timer. */
static int register_this_thread(void)
{
	struct sigevent sev;
	struct itimerspec its;
	timer_t id;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int slot = -1, want_timer;

	for (int i = 0; i < MAX_TIMERS; i++) {
		int expected = 0;
		if (__atomic_compare_exchange_n(&sp.timers[i].used, &expected, 1,
						0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			slot = i;
			break;
		}
	}
	if (slot < 0)
		return -1;
	want_timer = !sp.process_timer || !sp.threads;
	sp.timers[slot].tid = tid;
	sp.timers[slot].has_timer = 0;
	if (want_timer) {
		memset(&sev, 0, sizeof(sev));
		sev.sigev_signo = SIGPROF;
		if (sp.process_timer) {
			sev.sigev_notify = SIGEV_SIGNAL;
		} else {
			sev.sigev_notify = SIGEV_THREAD_ID;
			sev._sigev_un._tid = tid;
		}
		if (timer_create(sp.process_timer ? CLOCK_PROCESS_CPUTIME_ID
						  : CLOCK_THREAD_CPUTIME_ID,
				 &sev, &id) < 0) {
			__atomic_store_n(&sp.timers[slot].used, 0,
					 __ATOMIC_RELEASE);
			return -1;
		}
		sp.timers[slot].id = id;
		sp.timers[slot].has_timer = 1;
	}
	__atomic_store_n(&sp.timers[slot].used, 2, __ATOMIC_RELEASE);
	timer_slot = slot + 1;
	__atomic_add_fetch(&sp.threads, 1, __ATOMIC_RELAXED);
	if (want_timer) {
		/* A random first expiry in (0, period], so that a thread
		 * that runs for less than a period is sampled with the right
		 * probability rather than never. */
		uint64_t x = bt_now_ns() ^ ((uint64_t)tid << 32) ^
			     0x9e3779b97f4a7c15u, first;
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdu;
		x ^= x >> 33;
		first = 1 + x % sp.period_ns;
		its.it_interval.tv_sec = (time_t)(sp.period_ns / 1000000000u);
		its.it_interval.tv_nsec = (long)(sp.period_ns % 1000000000u);
		its.it_value.tv_sec = (time_t)(first / 1000000000u);
		its.it_value.tv_nsec = (long)(first % 1000000000u);
		timer_settime(id, 0, &its, NULL);
	}
	return 0;
}

/* A thread's CPU clock, from its tid (the kernel's encoding, as
 * pthread_getcpuclockid uses). */
static uint64_t thread_cpu_ns(pid_t tid)
{
	struct timespec ts;
	clockid_t c = (clockid_t)((~(unsigned)tid << 3) | 6);
	if (clock_gettime(c, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_thread(pid_t tid, uint32_t flags)
{
	char rec[256], path[64], name[32];
	struct bt_rec_thread t;
	struct bt_enc e;
	ssize_t n = -1;
	int fd;
	size_t pos = 0;
	const char *pre = "/proc/self/task/";
	char num[16];
	int k = 0;
	unsigned v = (unsigned)tid;
	while (*pre)
		path[pos++] = *pre++;
	do {
		num[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		path[pos++] = num[--k];
	memcpy(path + pos, "/comm", 6);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, name, sizeof(name) - 1);
		close(fd);
	}
	if (n > 0 && name[n - 1] == '\n')
		n--;
	name[n > 0 ? n : 0] = 0;
	memset(&t, 0, sizeof(t));
	t.mono_ns = bt_now_ns();
	t.cpu_ns = thread_cpu_ns(tid);
	t.tid = (uint32_t)tid;
	t.flags = flags;
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_THREAD, &t, sizeof(t));
	bt_enc_str(&e, name, sizeof(name));
	bt_emit(rec, bt_enc_end(&e));
}

/* The thread is ending: its timer goes, its name is written. */
static void thread_end(void *arg)
{
	int slot = timer_slot - 1;
	(void)arg;
	if (slot < 0 || !bt_active())
		return;
	timer_slot = 0;
	{
		int two = 2;
		if (__atomic_compare_exchange_n(&sp.timers[slot].used, &two, 4,
						0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			if (sp.timers[slot].has_timer)
				timer_delete(sp.timers[slot].id);
			write_thread(sp.timers[slot].tid, 0);
			__atomic_store_n(&sp.timers[slot].used, 0,
					 __ATOMIC_RELEASE);
		}
	}
}

struct trampoline {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_start(void *p)
{
	struct trampoline t = *(struct trampoline *)p;
	free(p);
	if (sp.on && register_this_thread() == 0)
		pthread_setspecific(sp.key, (void *)1);
	return t.fn(t.arg);
}

BT_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
			     void *(*fn)(void *), void *arg)
{
	static int (*real)(pthread_t *, const pthread_attr_t *,
			   void *(*)(void *), void *);
	struct trampoline *t;
	int r;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	if (!sp.on || !bt_active() || !(t = malloc(sizeof(*t))))
		return real(th, attr, fn, arg);
	t->fn = fn;
	t->arg = arg;
	r = real(th, attr, thread_start, t);
	if (r)
		free(t);
	return r;
}

/* ---- start and stop ---- */

static const char *const compilers[] = {
	"rustc", "rustdoc", "ld", "ld.bfd", "ld.gold", "gold",
	"ld.lld", "lld", "rust-lld", "mold", "ld.mold",
};

static int is_compiler(const char *exe)
{
	const char *b = strrchr(exe, '/');
	b = b ? b + 1 : exe;
	for (size_t i = 0; i < sizeof(compilers) / sizeof(*compilers); i++)
		if (!strcmp(b, compilers[i]))
			return 1;
	return 0;
}

static uint64_t process_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_sampling(uint32_t flags)
{
	char rec[128];
	struct bt_rec_sampling s;
	struct bt_enc e;
	memset(&s, 0, sizeof(s));
	s.mono_ns = bt_now_ns();
	s.period_ns = sp.period_ns;
	s.hz = sp.hz;
	s.mode = sp.mode;
	s.flags = flags;
	s.process_cpu_ns = process_cpu_ns();
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLING, &s, sizeof(s));
	bt_emit(rec, bt_enc_end(&e));
}

/* Which timer: one CPU-time timer for the whole process (default on
 * Linux >= 6.3, which delivers its signal to the thread that is running),
 * or one per thread (BTRACE_TIMER=thread).  Per-thread timers are only
 * checked at the scheduler tick, so the many short-lived LLVM worker
 * threads of a small crate were found to get about 65% of their CPU
 * sampled; the process timer got 98% (docs/sampling.md). */
static int use_process_timer(void)
{
	const char *v = getenv("BTRACE_TIMER");
	struct utsname u;
	int major = 0, minor = 0;
	if (v && !strcmp(v, "thread"))
		return 0;
	if (v && !strcmp(v, "process"))
		return 1;
	if (uname(&u) < 0)
		return 0;
	major = atoi(u.release);
	minor = strchr(u.release, '.') ? atoi(strchr(u.release, '.') + 1) : 0;
	return major > 6 || (major == 6 && minor >= 3);
}

static _Unwind_Reason_Code prime_cb(struct _Unwind_Context *c, void *a)
{
	(void)c;
	(void)a;
	return _URC_NO_REASON;
}

void bt_sampler_start(void)
{
	const char *v = getenv("BTRACE_SAMPLE");
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct sigaction sa, old;
	pthread_t th;
	sigset_t all, prev;
	void *gcc;
	long hz;

	exe[n > 0 ? n : 0] = 0;
	sp.mode = BT_SAMPLE_COMPILERS;
	if (v && !strcmp(v, "off"))
		sp.mode = BT_SAMPLE_OFF;
	else if (v && !strcmp(v, "all"))
		sp.mode = BT_SAMPLE_ALL;
	if (sp.mode == BT_SAMPLE_OFF ||
	    (sp.mode == BT_SAMPLE_COMPILERS && !is_compiler(exe)))
		return;
	v = getenv("BTRACE_HZ");
	hz = v ? strtol(v, NULL, 10) : 250;
	if (hz < 1 || hz > 10000)
		hz = 250;
	sp.hz = (uint32_t)hz;
	sp.period_ns = 1000000000u / sp.hz;
	sp.process_timer = use_process_timer();

	/* Never take SIGPROF from a program that handles it itself. */
	if (sigaction(SIGPROF, NULL, &old) < 0 ||
	    ((old.sa_flags & SA_SIGINFO) ||
	     (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))) {
		write_sampling(BT_SAMPLING_FOREIGN_HANDLER);
		return;
	}
	gcc = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);
	if (gcc) {
		*(void **)&sp.backtrace = dlsym(gcc, "_Unwind_Backtrace");
		*(void **)&sp.getipinfo = dlsym(gcc, "_Unwind_GetIPInfo");
	}
	if (!sp.backtrace || !sp.getipinfo) {
		write_sampling(BT_SAMPLING_NO_UNWINDER);
		return;
	}
	sp.backtrace(prime_cb, NULL); /* lazy set-up, outside any handler */
	sp.ring = mmap(NULL, NSLOTS * sizeof(struct slot),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sp.ring == MAP_FAILED) {
		sp.ring = NULL;
		return;
	}
	for (uint64_t i = 0; i < NSLOTS; i++)
		sp.ring[i].seq = i;
	if (pthread_key_create(&sp.key, thread_end) != 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, &sp_original) < 0)
		return;
	sp.installed = 1;
	scan_modules();
	sp.on = 1;
	if (register_this_thread() < 0) {
		sp.on = 0;
		write_sampling(BT_SAMPLING_NO_TIMER);
		return;
	}
	/* The flusher takes no signal: they stay with the program's
	 * threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &prev);
	{
		static int (*real)(pthread_t *, const pthread_attr_t *,
				   void *(*)(void *), void *);
		if (!real)
			*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
		if (real(&th, NULL, flusher, NULL) == 0)
			pthread_detach(th);
	}
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	write_sampling(BT_SAMPLING_ACTIVE |
		       (sp.process_timer ? BT_SAMPLING_PROCESS_TIMER : 0));
}

/* Stops every timer, writes what the ring holds, the threads' names and
 * the totals.  Called before exec, at exit and from _exit; not in a vfork
 * child (bt_active() is false there). */
void bt_sampler_stop(void)
{
	char rec[256];
	struct bt_rec_sampler_end end;
	struct bt_enc e;
	sigset_t prof, prev;
	struct timespec zero = {0, 0};
	int main_tid = (int)bt_st.pid;

	if (!sp.on || !bt_active())
		return;
	sp.on = 0;
	__atomic_store_n(&sp.stop_flusher, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < MAX_TIMERS; i++)
		if (__atomic_load_n(&sp.timers[i].used, __ATOMIC_ACQUIRE) == 2 &&
		    sp.timers[i].has_timer)
			timer_delete(sp.timers[i].id);
	/* A SIGPROF still pending here would outlive exec and, with the
	 * default action, kill the new program: take it now. */
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &prof, &prev);
	while (sigtimedwait(&prof, NULL, &zero) == SIGPROF)
		;
	pthread_sigmask(SIG_SETMASK, &prev, NULL);

	if (drain_lock(1) == 0) {
		scan_modules();
		drain();
		drain_unlock();
	}
	for (int i = 0; i < MAX_TIMERS; i++) {
		int two = 2;
		/* 3: written here, so thread_end() will not write it again. */
		if (__atomic_compare_exchange_n(&sp.timers[i].used, &two, 3, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			write_thread(sp.timers[i].tid,
				     sp.timers[i].tid == main_tid ? 1 : 0);
	}
	memset(&end, 0, sizeof(end));
	end.mono_ns = bt_now_ns();
	end.taken = sp.taken;
	end.dropped_full = sp.dropped_full;
	/* Claimed but never finished (a handler cut short) also counts. */
	end.dropped_write = sp.dropped_write + (sp.head - sp.tail);
	end.written = sp.written;
	end.threads = sp.threads;
	end.process_cpu_ns = process_cpu_ns();
	bt_enc_begin(&e, rec, sizeof(rec), BT_REC_SAMPLER_END, &end,
		     sizeof(end));
	bt_emit(rec, bt_enc_end(&e));
}

/* ---- the program takes SIGPROF ----
 * A program that installs its own SIGPROF handler after our constructor
 * gets it: sampling stops for good (what was sampled so far stays), and
 * the program sees the disposition it would have seen without us. */


static void yield_sigprof(void)
{
	if (!sp.on || !bt_active())
		return;
	bt_sampler_stop();
	write_sampling(BT_SAMPLING_FOREIGN_HANDLER);
}

BT_EXPORT int sigaction(int sig, const struct sigaction *act,
			struct sigaction *old)
{
	static int (*real)(int, const struct sigaction *, struct sigaction *);
	int ours = 0, r;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sigaction");
	if (sig == SIGPROF && sp.installed) {
		ours = 1;
		if (act)
			yield_sigprof();
	}
	r = real(sig, act, old);
	if (r == 0 && ours) {
		if (old)
			*old = sp_original;
		if (act)
			sp.installed = 0;
	}
	return r;
}

BT_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART; /* glibc's signal() has BSD semantics */
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* A fork child inherits the handler but no timers: it is not sampled. */
void bt_sampler_forked(void)
{
	sp.on = 0;
}
