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
 * The start is lazy (issue 19): most sampled images are short (rustc's
 * fork child before it execs cc, the ld.lld wrapper before it execs
 * rust-lld, `rustc -vV`), and many end before their first sample.  The
 * constructor does only what the handler needs (the unwinder, the ring,
 * the handler, the timer) and builds the SAMPLING record; the module scan
 * and that record's write wait for the first flush, or for the stop,
 * which scans only if a sample was taken; the flusher starts with the
 * program's first thread.  Until then the handler itself writes the ring
 * out when it is half full (bt_emit() is AS-safe), so a single-threaded
 * image loses no samples.
 *
 * Async-signal-safety: on_sigprof() and everything it calls are AS-safe
 * (atomics, the stack, the ring, gettid, prctl(PR_GET_NAME), and
 * bt_emit()'s system calls with the consumer lock only tried); nothing
 * else here runs in the handler. */
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
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include "../common/build_id.h"
#include "../common/trace_records.h"
#include "shim.h"

#define NSLOTS 1024u	 /* ring slots; a power of two */
#define MAX_TIMERS 1024	 /* threads with a timer at once */
#define MAX_MODULES 2048 /* modules we remember having written */
#define FLUSH_MS 100

/* Vyukov's sequence number of the slot at index I, stored as seq - I
 * (slot_seq/slot_set): zero-filled memory is then the initial state
 * (seq == I, free for position I), so the ring needs no first pass over
 * its 2 MiB: a short process only faults in the pages it uses. */
struct slot {
	uint64_t seq; /* seq - index: == pos free for pos, == pos+1 ready */
	struct bt_sample_head head;
	uint64_t pcs[BT_MAX_DEPTH];
};

/* [AS-safe] The sequence number of the slot for position POS. */
static inline uint64_t slot_seq(const struct slot *s, uint64_t pos)
{
	return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) + pos % NSLOTS;
}

/* [AS-safe] Publishes SEQ in the slot for position POS. */
static inline void slot_set(struct slot *s, uint64_t pos, uint64_t seq)
{
	__atomic_store_n(&s->seq, seq - pos % NSLOTS, __ATOMIC_RELEASE);
}

typedef _Unwind_Reason_Code (*backtrace_fn)(_Unwind_Trace_Fn, void *);
typedef _Unwind_Ptr (*getipinfo_fn)(struct _Unwind_Context *, int *);
struct dwarf_eh_bases {
	void *tbase, *dbase, *func;
};
typedef const void *(*find_fde_fn)(void *, struct dwarf_eh_bases *);
typedef int (*sigmask_fn)(int, const sigset_t *, sigset_t *);

/* The flusher thread's life: a failed exec stops it and takes it back. */
enum { FLUSHER_NONE, FLUSHER_RUNNING, FLUSHER_STOPPING };

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
	int began;     /* sampling was active in this image */
	backtrace_fn backtrace;
	getipinfo_fn getipinfo;
	find_fde_fn find_fde;
	pthread_key_t key;
	int flusher; /* FLUSHER_*: none until the program starts a thread */
	/* The SAMPLING record of the image's start, built when sampling
	 * began and written by the first scan, the handler's first drain or
	 * the stop, whichever comes first (the one that clears the flag). */
	int sampling_pending;
	size_t sampling_len;
	char sampling_rec[128];
	/* Threads that block SIGPROF, threads registered and alive, and a
	 * generation that every change of either bumps
	 * (arm_process_timer()). */
	int blockers, live;
	uint32_t gen;
	timer_t ptimer; /* the process-wide timer, if any */
	int has_ptimer;
	struct {
		int used;
		timer_t id;
		pid_t tid;
		int has_timer;
		uint64_t left; /* of its period, while it is off */
		char name[16]; /* its name at its last sample */
	} timers[MAX_TIMERS];  /* registered threads */
	/* Slots ever claimed: timers[n_timers..] were never used.  The loops
	 * over the table stop there: its 48 KiB are 12 pages, and a
	 * compare-and-swap on each slot (bt_sampler_stop()) faults in every
	 * page it touches, a short process's most of them. */
	int n_timers;
	int process_timer; /* one process-wide timer instead of one a thread */
	struct {
		uint64_t start, end;
	} modules[MAX_MODULES];
	size_t n_modules;
	/* When the last scan of the modules began (0: none yet).  A module
	 * that scan did not see was loaded after it: that is the time its
	 * LOADED record carries, so that its first samples, taken before a
	 * later scan wrote it, fall within it (with no flusher yet, that
	 * scan may be the one at exit). */
	uint64_t last_scan_ns;
} sp;

static struct sigaction sp_original; /* SIGPROF before we installed ours */

static __thread int in_handler __attribute__((tls_model("initial-exec")));
static __thread int timer_slot __attribute__((tls_model("initial-exec")));
/* This thread blocks SIGPROF (it counts in sp.blockers). */
static __thread int blocks_prof __attribute__((tls_model("initial-exec")));

static sigmask_fn real_sigmask; /* pthread_sigmask, resolved at start */

/* ---- the signal handler [AS-safe] ---- */

struct unwind_state {
	uint64_t *pcs;
	uint64_t pc0; /* the interrupted PC: frames before it are ours */
	int n, started, skipped;
	int last_before; /* the last PC is the instruction itself, not a
			    return address (a signal frame) */
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
	u->last_before = before;
	return _URC_NO_REASON;
}

/* [AS-safe as the unwinder is: no syscall] libgcc reports the end of
 * the stack both where the CFI says so and where it finds no FDE at all.
 * At the root (_start, clone, clone3: `.cfi_undefined rip`) the return
 * address becomes 0, and libgcc calls us once more with that 0 as the
 * outermost PC.  Where it found no FDE (hand-written assembly, JIT code)
 * the outermost PC is real and has no FDE: the stack is cut there.  The
 * lookup is one more of the kind the unwinder made for every frame. */
static int reached_root(const struct unwind_state *u)
{
	struct dwarf_eh_bases bases;
	uint64_t pc = u->pcs[u->n - 1];
	if (!pc)
		return 1;
	if (!u->last_before)
		pc--; /* a return address: look up the call */
	return sp.find_fde((void *)pc, &bases) != NULL;
}

static void drain_in_handler(void);

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
	/* The thread's name, for its THREAD record should it still run when
	 * sampling stops (thread_name()). */
	if (timer_slot > 0)
		prctl(PR_GET_NAME,
		      (unsigned long)sp.timers[timer_slot - 1].name, 0, 0, 0);
	pos = __atomic_load_n(&sp.head, __ATOMIC_RELAXED);
	for (;;) {
		uint64_t seq;
		s = &sp.ring[pos % NSLOTS];
		seq = slot_seq(s, pos);
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
	u.n = u.started = u.skipped = u.last_before = 0;
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
		s->head.flags =
		    reached_root(&u) ? BT_SAMPLE_COMPLETE : BT_SAMPLE_TRUNCATED;
	}
	s->head.depth = (uint16_t)u.n;
	s->head.weight = 1u + (uint32_t)(overrun > 0 ? overrun : 0);
	s->head.reserved = 0;
	slot_set(s, pos, pos + 1);
	__atomic_add_fetch(&sp.taken, 1, __ATOMIC_RELAXED);
	/* No flusher yet (no thread of the program's): half full is time to
	 * write the ring out here, rather than lose samples when full. */
	if (pos + 1 - __atomic_load_n(&sp.tail, __ATOMIC_RELAXED) >=
		NSLOTS / 2 &&
	    __atomic_load_n(&sp.flusher, __ATOMIC_ACQUIRE) != FLUSHER_RUNNING)
		drain_in_handler();
done:
	in_handler = 0;
out:
	errno = saved;
}

static void drain(void);
static int drain_lock(int wait);
static void drain_unlock(void);
static void write_staged(void);

/* ---- module map ---- */

static int module_seen(uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < sp.n_modules; i++)
		if (sp.modules[i].start == start && sp.modules[i].end == end)
			return 1;
	return 0;
}

/* INFO's GNU build-id as hex into OUT ("" if none), from its PT_NOTE
 * segments in memory (common/build_id.h). */
static void build_id(const struct dl_phdr_info *info, char *out, size_t cap)
{
	out[0] = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE &&
		    bt_build_id_notes(
			(const void *)(info->dlpi_addr + ph->p_vaddr),
			ph->p_memsz, 4, out, cap))
			return;
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

/* The MODULE records of one scan, written together: one write(2) for
 * the dozen modules a rustc starts with, rather than an open, fstat,
 * write and close each.  The lock serializes scan_modules() (dlclose()
 * calls it without the consumer lock); it is taken before the loader's
 * lock, never inside it. */
static struct {
	int lock;
	unsigned count;
	size_t len;
	char buf[16384];
} scanned;

static void scanned_write(void)
{
	if (scanned.len)
		bt_emit_batch(scanned.buf, scanned.len, scanned.count);
	scanned.len = 0;
	scanned.count = 0;
}

/* Writes INFO's module record (into the scan's batch if BATCH); a LOADED
 * one only once per address range unless AGAIN. */
static void write_module(const struct dl_phdr_info *info, uint32_t event,
			 int again, int batch)
{
	size_t len;
	char rec[4096], bid[130];
	struct bt_rec_module m;
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
	if (!path || !*path)
		path = bt_st.exe; /* the main program */
	m.mono_ns = event == BT_MODULE_LOADED && !again && sp.last_scan_ns
			? sp.last_scan_ns
			: bt_now_ns();
	m.bias = info->dlpi_addr;
	m.event = event;
	build_id(info, bid, sizeof(bid));
	len = bt_build_module(rec, sizeof(rec), &m, path, bid);
	if (!batch) {
		bt_emit(rec, len);
		return;
	}
	if (len > sizeof(scanned.buf) - scanned.len)
		scanned_write();
	memcpy(scanned.buf + scanned.len, rec, len);
	scanned.len += len;
	scanned.count++;
}

static int module_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	write_module(info, BT_MODULE_LOADED, 0, 1);
	return 0;
}

/* Not AS-safe (dl_iterate_phdr takes the loader lock).  The modules not
 * written yet, then TAIL (LEN bytes, one record; NULL: none) in the same
 * write(2): the sampler's start writes its SAMPLING record so. */
static void scan_modules_with(const char *tail, size_t len)
{
	uint64_t t = bt_now_ns();
	int cs;
	/* write(2) is a cancellation point: a thread cancelled in here (a
	 * program's thread in dlclose()) must not keep the lock. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
	while (__atomic_exchange_n(&scanned.lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	dl_iterate_phdr(module_cb, NULL);
	if (tail && len) {
		if (len > sizeof(scanned.buf) - scanned.len)
			scanned_write();
		memcpy(scanned.buf + scanned.len, tail, len);
		scanned.len += len;
		scanned.count++;
	}
	scanned_write();
	sp.last_scan_ns = t;
	__atomic_store_n(&scanned.lock, 0, __ATOMIC_RELEASE);
	pthread_setcancelstate(cs, NULL);
}

/* Not AS-safe.  The modules not written yet, and the start's SAMPLING
 * record after them if it is still to be written. */
static void scan_modules(void)
{
	if (__atomic_exchange_n(&sp.sampling_pending, 0, __ATOMIC_ACQ_REL))
		scan_modules_with(sp.sampling_rec, sp.sampling_len);
	else
		scan_modules_with(NULL, 0);
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
		write_module(info, BT_MODULE_UNLOADING, 0, 0);
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
		write_module(info, BT_MODULE_LOADED, 1, 0);
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
			/* its samples go before its unloading record (with no
			 * flusher yet, they would otherwise wait for the end)
			 */
			if (drain_lock(1) == 0) {
				drain();
				drain_unlock();
			}
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
		if (!u.found) {
			dl_iterate_phdr(forget_cb, &u);
			/* an object loaded at its addresses from now on is
			 * another one */
			sp.last_scan_ns = bt_now_ns();
		}
		errno = saved;
	}
	return rc;
}

/* ---- draining the ring (one consumer at a time) ---- */

/* Writes batch B and counts its samples as written or lost. */
static void write_batch(struct bt_samples_batch *b, const char *rec)
{
	bt_emit(rec, bt_samples_end(b));
	if (!bt_st.enabled)
		sp.dropped_write += b->count;
	else
		sp.written += b->count;
}

/* The ring's samples into the file (the consumer lock held). */
static void drain_ring(void)
{
	static char rec[BT_MAX_RECORD]; /* guarded by sp.draining */
	struct bt_samples_batch b;
	int open = 0;

	for (;;) {
		struct slot *s = &sp.ring[sp.tail % NSLOTS];
		if (slot_seq(s, sp.tail) != sp.tail + 1)
			break;
		if (!open || bt_samples_add(&b, &s->head, s->pcs) < 0) {
			/* none yet, or full: a new batch holds any sample */
			if (open)
				write_batch(&b, rec);
			bt_samples_begin(&b, rec, sizeof(rec));
			bt_samples_add(&b, &s->head, s->pcs);
			open = 1;
		}
		slot_set(s, sp.tail, sp.tail + NSLOTS);
		sp.tail++;
	}
	if (open)
		write_batch(&b, rec);
}

/* The ring's samples, then the staged records (the consumer lock held). */
static void drain(void)
{
	drain_ring();
	write_staged();
}

/* [AS-safe] The handler's drain, while no flusher runs: the start's
 * SAMPLING record if no scan wrote it, then the ring.  The consumer lock
 * is only tried (its holder may be the code this signal interrupted); the
 * staged records (a spin lock) and the modules (dl_iterate_phdr) wait for
 * the next drain outside a handler, and the first scan's records carry
 * the sampler's start as their time, so these samples fall within them. */
static void drain_in_handler(void)
{
	if (drain_lock(0) < 0)
		return;
	if (__atomic_exchange_n(&sp.sampling_pending, 0, __ATOMIC_ACQ_REL))
		bt_emit(sp.sampling_rec, sp.sampling_len);
	drain_ring();
	drain_unlock();
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

/* The flusher: every FLUSH_MS, new modules and the ring into the file.
 * bt_sampler_stop() asks it to stop (FLUSHER_STOPPING); if the exec that
 * stopped it fails, bt_sampler_exec_failed() takes the request back. */
static void *flusher(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts = {0, FLUSH_MS * 1000000L};
		int stopping = FLUSHER_STOPPING;
		nanosleep(&ts, NULL);
		if (__atomic_compare_exchange_n(
			&sp.flusher, &stopping, FLUSHER_NONE, 0,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return NULL;
		if (!sp.on || drain_lock(0) < 0)
			continue;
		if (__atomic_load_n(&sp.taken, __ATOMIC_RELAXED))
			scan_modules(); /* modules only matter for samples */
		drain();
		drain_unlock();
	}
}

/* Starts the flusher unless it runs; it takes no signal: they stay with
 * the program's threads. */
static void start_flusher(void)
{
	static int (*real)(pthread_t *, const pthread_attr_t *,
			   void *(*)(void *), void *);
	sigset_t all, prev;
	pthread_t th;
	int st = FLUSHER_STOPPING;
	if (__atomic_compare_exchange_n(&sp.flusher, &st, FLUSHER_RUNNING, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* it had not stopped yet: it goes on */
	st = FLUSHER_NONE;
	if (!__atomic_compare_exchange_n(&sp.flusher, &st, FLUSHER_RUNNING, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* running */
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	sigfillset(&all);
	real_sigmask(SIG_SETMASK, &all, &prev);
	if (real(&th, NULL, flusher, NULL) == 0)
		pthread_detach(th);
	else
		__atomic_store_n(&sp.flusher, FLUSHER_NONE, __ATOMIC_RELEASE);
	real_sigmask(SIG_SETMASK, &prev, NULL);
}

/* ---- timers ----
 * A timer that is switched off keeps what was left of its period, and
 * gets it back when switched on, so that a program that blocks and
 * unblocks SIGPROF often is sampled neither more nor less. */

/* [AS-safe] Switches timer ID on or off; *LEFT is what was left of the
 * period when it went off (0: none yet, start at a random point in the
 * first period, so that a thread that runs for less than a period is
 * sampled with the right probability rather than never). */
static void set_timer(timer_t id, int on, uint64_t *left)
{
	struct itimerspec its, old;
	memset(&its, 0, sizeof(its));
	if (on) {
		uint64_t first = *left;
		if (!first) {
			uint64_t x = bt_now_ns() ^
				     ((uint64_t)(uintptr_t)id << 32) ^
				     0x9e3779b97f4a7c15u;
			x ^= x >> 33;
			x *= 0xff51afd7ed558ccdu;
			x ^= x >> 33;
			first = 1 + x % sp.period_ns;
		}
		its.it_interval.tv_sec = (time_t)(sp.period_ns / 1000000000u);
		its.it_interval.tv_nsec = (long)(sp.period_ns % 1000000000u);
		its.it_value.tv_sec = (time_t)(first / 1000000000u);
		its.it_value.tv_nsec = (long)(first % 1000000000u);
		*left = 0;
		timer_settime(id, 0, &its, NULL);
	} else if (timer_settime(id, 0, &its, &old) == 0) {
		*left = (uint64_t)old.it_value.tv_sec * 1000000000u +
			(uint64_t)old.it_value.tv_nsec;
	}
}

static uint64_t ptimer_left; /* the process timer's, while it is off */
static int ptimer_armed;

/* [AS-safe] The process-wide timer runs while some sampled thread
 * does not block SIGPROF: when every one blocks it, its signal would
 * stay pending for the program to find (sigwait, signalfd).  Callers
 * changed sp.blockers or sp.live and bumped sp.gen first; whoever sees
 * the generation unchanged after switching has switched to the final
 * state, however the callers interleave. */
static void arm_process_timer(void)
{
	for (;;) {
		uint32_t g = __atomic_load_n(&sp.gen, __ATOMIC_ACQUIRE);
		int on = sp.on && sp.has_ptimer &&
			 __atomic_load_n(&sp.blockers, __ATOMIC_ACQUIRE) <
			     __atomic_load_n(&sp.live, __ATOMIC_ACQUIRE);
		if (sp.has_ptimer && on != ptimer_armed) {
			set_timer(sp.ptimer, on, &ptimer_left);
			ptimer_armed = on;
		}
		if (__atomic_load_n(&sp.gen, __ATOMIC_ACQUIRE) == g)
			return;
	}
}

static int create_timer(pid_t tid, timer_t *id)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_signo = SIGPROF;
	if (!tid) {
		sev.sigev_notify = SIGEV_SIGNAL;
		return timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, id);
	}
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev._sigev_un._tid = tid;
	return timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, id);
}

/* Registers the calling thread (for its name and CPU time at its end,
 * and whether it blocks SIGPROF) and, with per-thread timers, arms its
 * timer unless it blocks SIGPROF. */
static int register_this_thread(void)
{
	timer_t id;
	sigset_t cur;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int slot = -1;

	for (int i = 0; i < MAX_TIMERS; i++) {
		int expected = 0;
		if (__atomic_compare_exchange_n(&sp.timers[i].used, &expected,
						1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			slot = i;
			break;
		}
	}
	if (slot < 0)
		return -1;
	for (int n = __atomic_load_n(&sp.n_timers, __ATOMIC_ACQUIRE);
	     n <= slot;)
		if (__atomic_compare_exchange_n(&sp.n_timers, &n, slot + 1, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
	sp.timers[slot].tid = tid;
	sp.timers[slot].name[0] = 0;
	sp.timers[slot].has_timer = 0;
	sp.timers[slot].left = 0;
	/* The mask a thread starts with is its creator's (or, for the main
	 * thread, what the parent left across exec). */
	blocks_prof = real_sigmask(SIG_BLOCK, NULL, &cur) == 0 &&
		      sigismember(&cur, SIGPROF) == 1;
	if (!sp.process_timer) {
		if (create_timer(tid, &id) < 0) {
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
	if (sp.process_timer) {
		__atomic_add_fetch(&sp.live, 1, __ATOMIC_ACQ_REL);
		if (blocks_prof)
			__atomic_add_fetch(&sp.blockers, 1, __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&sp.gen, 1, __ATOMIC_ACQ_REL);
		arm_process_timer();
	} else if (!blocks_prof) {
		set_timer(id, 1, &sp.timers[slot].left);
	}
	return 0;
}

/* [AS-safe] The calling thread starts (ON) or stops blocking SIGPROF. */
static void set_blocking(int on)
{
	int slot = timer_slot - 1;
	blocks_prof = on;
	if (sp.process_timer) {
		__atomic_add_fetch(&sp.blockers, on ? 1 : -1, __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&sp.gen, 1, __ATOMIC_ACQ_REL);
		arm_process_timer();
	} else if (slot >= 0 && sp.timers[slot].has_timer &&
		   __atomic_load_n(&sp.timers[slot].used, __ATOMIC_ACQUIRE) ==
		       2) {
		set_timer(sp.timers[slot].id, !on, &sp.timers[slot].left);
	}
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

/* TID's name into NAME (17 bytes): the calling thread's own, or what the
 * SIGPROF handler last saw of another (empty if it never took a sample).
 * Never from /proc/self/task/TID/comm: with those lookups, the parent's
 * wait4() spun for milliseconds in shrink_dcache_parent() when it reaped
 * the process, and without them it does not (BENCHMARKS.md, "Where the
 * overhead comes from"; likely the dying threads still invalidating
 * their dentries). */
static void thread_name(pid_t tid, int slot, char *name)
{
	name[0] = name[16] = 0;
	if (tid == (pid_t)syscall(SYS_gettid) &&
	    prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0) == 0)
		return;
	if (slot >= 0)
		memcpy(name, sp.timers[slot].name, 16);
}

/* THREAD record of TID into REC; returns its length (0: none). */
static size_t thread_record(char *rec, size_t cap, pid_t tid, int slot,
			    uint32_t flags)
{
	char name[17];
	struct bt_rec_thread t;
	thread_name(tid, slot, name);
	memset(&t, 0, sizeof(t));
	t.mono_ns = bt_now_ns();
	t.cpu_ns = thread_cpu_ns(tid);
	t.tid = (uint32_t)tid;
	t.flags = flags;
	return bt_build_thread(rec, cap, &t, name);
}

/* ---- THREAD records of ended threads ----
 * A thread that ends puts its THREAD record here, and the next drain()
 * writes all that are here in one write(2): rustc starts and ends a
 * thread per codegen unit (161 in a rebuild of cli-app), and a record
 * of its own cost each of them an open, fstat, write and close of the
 * trace file.  The lock is held only to copy a record in or the buffer
 * out; a fork child starts with it free and the buffer empty (the
 * parent writes what is in it). */
#define STAGE_BYTES 8192
static struct {
	int lock;
	unsigned count;
	size_t len;
	char buf[STAGE_BYTES];
} staged;

static void stage_lock(void)
{
	while (__atomic_exchange_n(&staged.lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void stage_unlock(void)
{
	__atomic_store_n(&staged.lock, 0, __ATOMIC_RELEASE);
}

/* Adds REC to the staged records; returns -1 if it does not fit. */
static int stage(const char *rec, size_t len)
{
	int r = -1;
	stage_lock();
	if (staged.len + len <= sizeof(staged.buf)) {
		memcpy(staged.buf + staged.len, rec, len);
		staged.len += len;
		staged.count++;
		r = 0;
	}
	stage_unlock();
	return r;
}

/* Writes the staged records.  Holds the consumer lock (drain_lock()),
 * which guards the copy. */
static void write_staged(void)
{
	static char out[STAGE_BYTES];
	size_t len;
	unsigned count;
	stage_lock();
	len = staged.len;
	count = staged.count;
	memcpy(out, staged.buf, len);
	staged.len = 0;
	staged.count = 0;
	stage_unlock();
	if (len)
		bt_emit_batch(out, len, count);
}

/* An ended thread's record: staged while the flusher runs to write it,
 * else (or if it does not fit) written now. */
static void ended_thread(pid_t tid, int slot, uint32_t flags)
{
	char rec[256];
	size_t len = thread_record(rec, sizeof(rec), tid, slot, flags);
	if (!len)
		return;
	if (__atomic_load_n(&sp.flusher, __ATOMIC_SEQ_CST) != FLUSHER_RUNNING ||
	    stage(rec, len) < 0) {
		bt_emit(rec, len);
		return;
	}
	/* Sampling stopped meanwhile: its last drain may have run before
	 * the record was staged. */
	if (__atomic_load_n(&sp.flusher, __ATOMIC_SEQ_CST) != FLUSHER_RUNNING &&
	    drain_lock(1) == 0) {
		write_staged();
		drain_unlock();
	}
}

/* The thread is ending: it no longer counts for the process timer; its
 * timer goes and its name is written (unless bt_sampler_stop() wrote it:
 * 3). */
static void thread_end(void *arg)
{
	int slot = timer_slot - 1, two = 2, three = 3;
	(void)arg;
	if (slot < 0)
		return;
	timer_slot = 0;
	if (sp.process_timer) {
		__atomic_sub_fetch(&sp.live, 1, __ATOMIC_ACQ_REL);
		if (blocks_prof)
			__atomic_sub_fetch(&sp.blockers, 1, __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&sp.gen, 1, __ATOMIC_ACQ_REL);
		arm_process_timer();
	}
	blocks_prof = 0;
	if (!bt_active())
		return;
	if (__atomic_compare_exchange_n(&sp.timers[slot].used, &two, 4, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		if (sp.timers[slot].has_timer)
			timer_delete(sp.timers[slot].id);
		ended_thread(sp.timers[slot].tid, slot,
			     sp.timers[slot].tid == bt_st.pid ? 1 : 0);
		__atomic_store_n(&sp.timers[slot].used, 0, __ATOMIC_RELEASE);
	} else if (__atomic_compare_exchange_n(&sp.timers[slot].used, &three, 0,
					       0, __ATOMIC_ACQ_REL,
					       __ATOMIC_RELAXED)) {
		/* written, and its timer deleted, before a failed exec */
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

/* Every thread the program starts is registered, and the first one
 * starts the flusher: the process is then multi-threaded anyway (a
 * single-threaded program never gets a thread of ours, see
 * BTRACE_SAMPLE=all in docs/sampling.md, and a short one never pays for
 * it). */
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
	start_flusher();
	t->fn = fn;
	t->arg = arg;
	r = real(th, attr, thread_start, t);
	if (r)
		free(t);
	return r;
}

/* ---- start and stop ---- */

static const char *const compilers[] = {
    "rustc",  "rustdoc", "ld",	     "ld.bfd", "ld.gold", "gold",
    "ld.lld", "lld",	 "rust-lld", "mold",   "ld.mold",
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

/* The SAMPLING record of FLAGS as of now into REC; returns its length. */
static size_t sampling_record(char *rec, size_t cap, uint32_t flags)
{
	struct bt_rec_sampling s;
	memset(&s, 0, sizeof(s));
	s.mono_ns = bt_now_ns();
	s.period_ns = sp.period_ns;
	s.hz = sp.hz;
	s.mode = sp.mode;
	s.flags = flags;
	s.process_cpu_ns = process_cpu_ns();
	return bt_build_sampling(rec, cap, &s);
}

static void write_sampling(uint32_t flags)
{
	char rec[128];
	bt_emit(rec, sampling_record(rec, sizeof(rec), flags));
}

/* Which timer: one CPU-time timer for the whole process (default on
 * Linux >= 6.3, which delivers its signal to the thread that is running),
 * or one per thread (BTRACE_TIMER=thread).  Per-thread timers are only
 * checked at the scheduler tick, so the many short-lived LLVM worker
 * threads of a small crate are under-sampled: the measured shares of
 * either timer are in docs/sampling.md, "Which timer". */
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

/* fork() takes the consumer lock around itself, so that the flusher is
 * not inside dl_iterate_phdr() (whose lock a fork child would inherit
 * held, and hang on when it writes its modules) nor half-way through a
 * record when the child is made. */
static int fork_locked;

static void prefork(void)
{
	if (sp.on && drain_lock(1) == 0)
		fork_locked = 1;
}

static void postfork_parent(void)
{
	if (fork_locked) {
		fork_locked = 0;
		drain_unlock();
	}
}

/* Registers this thread, makes the process timer if there is to be one,
 * and builds the SAMPLING record, to be written with the first scan or at
 * the stop (sampling_pending).  Nothing is written here, no module is
 * scanned and no thread started: an image that ends or execs before its
 * first sample pays for neither.  The constructor and a fork child. */
static void begin_sampling(void)
{
	uint32_t flags = BT_SAMPLING_ACTIVE |
			 (sp.process_timer ? BT_SAMPLING_PROCESS_TIMER : 0);
	/* Built before any timer runs, so that the handler's first drain
	 * finds it. */
	sp.sampling_len =
	    sampling_record(sp.sampling_rec, sizeof(sp.sampling_rec), flags);
	__atomic_store_n(&sp.sampling_pending, 1, __ATOMIC_RELEASE);
	/* The first scan stamps what it finds with the time sampling began
	 * (write_module(): what no earlier scan saw was loaded after it), so
	 * that the samples taken before that scan fall within them. */
	if (!sp.last_scan_ns)
		sp.last_scan_ns = bt_now_ns();
	sp.on = 1;
	if (register_this_thread() < 0 ||
	    (sp.process_timer && create_timer(0, &sp.ptimer) < 0)) {
		sp.on = 0;
		__atomic_store_n(&sp.sampling_pending, 0, __ATOMIC_RELEASE);
		write_sampling(BT_SAMPLING_NO_TIMER);
		return;
	}
	/* thread_end() also for this thread, should it end before the
	 * process (pthread_exit from main): it must stop counting as a
	 * thread that takes SIGPROF. */
	pthread_setspecific(sp.key, (void *)1);
	if (sp.process_timer) {
		sp.has_ptimer = 1;
		__atomic_add_fetch(&sp.gen, 1, __ATOMIC_ACQ_REL);
		arm_process_timer();
	}
	sp.began = 1;
}

void bt_sampler_start(void)
{
	const char *v = getenv("BTRACE_SAMPLE");
	const char *exe = bt_st.exe;
	struct sigaction sa, old;
	void *gcc;
	long hz;

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
	*(void **)&real_sigmask = dlsym(RTLD_NEXT, "pthread_sigmask");
	if (!real_sigmask)
		return;

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
		*(void **)&sp.find_fde = dlsym(gcc, "_Unwind_Find_FDE");
	}
	if (!sp.backtrace || !sp.getipinfo || !sp.find_fde) {
		write_sampling(BT_SAMPLING_NO_UNWINDER);
		return;
	}
	sp.backtrace(prime_cb, NULL); /* lazy set-up, outside any handler */
	sp.ring =
	    mmap(NULL, NSLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sp.ring == MAP_FAILED) {
		sp.ring = NULL;
		return;
	}
	if (pthread_key_create(&sp.key, thread_end) != 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, &sp_original) < 0)
		return;
	sp.installed = 1;
	if (pthread_atfork(prefork, postfork_parent, NULL) != 0)
		return;
	begin_sampling();
}

/* bt_sampler_stop()'s record REC (LEN bytes): staged, to go out with the
 * others, while it holds the consumer lock (LOCKED), else written now;
 * staged records keep their order. */
static void stop_record(const char *rec, size_t len, int locked)
{
	if (!len)
		return;
	if (locked && stage(rec, len) == 0)
		return;
	if (locked) {
		write_staged();
		if (stage(rec, len) == 0)
			return;
	}
	bt_emit(rec, len);
}

/* Stops every timer, writes what the ring holds, the threads' names and
 * the totals.  Called before exec, at exit and from _exit; not in a vfork
 * child (bt_active() is false there).  The totals count from the start of
 * the image: after a failed exec the last SAMPLER_END holds them all. */
void bt_sampler_stop(void)
{
	char rec[256];
	struct bt_rec_sampler_end end;
	sigset_t prof, prev;
	struct timespec zero = {0, 0};
	int main_tid = (int)bt_st.pid, running = FLUSHER_RUNNING, locked;

	if (!sp.on || !bt_active())
		return;
	sp.on = 0;
	__atomic_compare_exchange_n(&sp.flusher, &running, FLUSHER_STOPPING, 0,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	if (sp.has_ptimer) {
		sp.has_ptimer = 0;
		ptimer_armed = 0;
		ptimer_left = 0;
		timer_delete(sp.ptimer);
	}
	for (int i = 0; i < __atomic_load_n(&sp.n_timers, __ATOMIC_ACQUIRE);
	     i++)
		if (__atomic_load_n(&sp.timers[i].used, __ATOMIC_ACQUIRE) ==
			2 &&
		    sp.timers[i].has_timer)
			timer_delete(sp.timers[i].id);
	/* A SIGPROF still pending here would outlive exec and, with the
	 * default action, kill the new program: take it now. */
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	real_sigmask(SIG_BLOCK, &prof, &prev);
	while (sigtimedwait(&prof, NULL, &zero) == SIGPROF)
		;
	real_sigmask(SIG_SETMASK, &prev, NULL);

	/* The threads' records and SAMPLER_END go out together with what
	 * ended threads staged: one write(2), not one each.  The modules
	 * only matter for samples: an image that took none (it exec'd or
	 * ended first) writes none, and its SAMPLING record goes with the
	 * others. */
	locked = drain_lock(1) == 0;
	if (locked) {
		if (__atomic_load_n(&sp.taken, __ATOMIC_RELAXED))
			scan_modules();
		drain_ring();
	}
	if (__atomic_exchange_n(&sp.sampling_pending, 0, __ATOMIC_ACQ_REL))
		stop_record(sp.sampling_rec, sp.sampling_len, locked);
	for (int i = 0; i < __atomic_load_n(&sp.n_timers, __ATOMIC_ACQUIRE);
	     i++) {
		int two = 2;
		size_t len;
		/* 3: written here, so thread_end() will not write it again. */
		if (!__atomic_compare_exchange_n(&sp.timers[i].used, &two, 3, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		len = thread_record(rec, sizeof(rec), sp.timers[i].tid, i,
				    sp.timers[i].tid == main_tid ? 1 : 0);
		stop_record(rec, len, locked);
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
	stop_record(rec, bt_build_sampler_end(rec, sizeof(rec), &end), locked);
	if (locked) {
		write_staged();
		drain_unlock();
	}
}

/* The exec that bt_sampler_stop() ran for failed: the image goes on, and
 * so does its sampling.  Its timer comes back: the process timer, or, with
 * per-thread timers, the calling thread's (the other threads' timers were
 * deleted and stay so: they are no longer sampled); the flusher too.  The
 * threads' names were written and are not written again.  [AS-safe]
 * except for starting the flusher, which bt_active() (false in a vfork
 * child) guards. */
void bt_sampler_exec_failed(void)
{
	int saved = errno, slot = timer_slot - 1;
	if (sp.on || !sp.began || !sp.installed || !bt_active())
		return;
	sp.on = 1;
	if (sp.process_timer) {
		if (create_timer(0, &sp.ptimer) == 0) {
			sp.has_ptimer = 1;
			__atomic_add_fetch(&sp.gen, 1, __ATOMIC_ACQ_REL);
			arm_process_timer();
		}
	} else {
		if (slot >= 0) {
			int three = 3;
			timer_slot = 0;
			if (__atomic_compare_exchange_n(
				&sp.timers[slot].used, &three, 0, 0,
				__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				__atomic_sub_fetch(&sp.threads, 1,
						   __ATOMIC_RELAXED);
		}
		register_this_thread();
	}
	if (sp.threads > 1) /* the program had started a thread */
		start_flusher();
	errno = saved;
}

/* A fork child inherits the handler, the ring's contents and the thread
 * table, but no timer and no other thread.  A child of a sampled image
 * (mold does its work in one) is sampled as an image of its own: the
 * parent's samples are dropped from the ring (the parent writes them),
 * the table starts empty with the forking thread, the totals at zero,
 * and every module is written again to the child's own file.  Runs in
 * the child's atfork handler, which glibc runs with one thread. */
void bt_sampler_forked(void)
{
	int was_on = sp.on;
	sp.on = 0;
	sp.sampling_pending = 0; /* the parent's: the parent writes it */
	sp.has_ptimer = 0;
	ptimer_armed = 0;
	ptimer_left = 0;
	__atomic_store_n(&sp.flusher, FLUSHER_NONE, __ATOMIC_RELEASE);
	__atomic_store_n(&sp.draining, 0, __ATOMIC_RELEASE);
	fork_locked = 0;
	/* The parent writes the records staged before the fork. */
	staged.len = 0;
	staged.count = 0;
	__atomic_store_n(&staged.lock, 0, __ATOMIC_RELEASE);
	scanned.len = 0;
	scanned.count = 0;
	__atomic_store_n(&scanned.lock, 0, __ATOMIC_RELEASE);
	if (!was_on || !sp.installed || !bt_active())
		return;
	for (uint64_t pos = sp.tail; pos != sp.head; pos++)
		slot_set(&sp.ring[pos % NSLOTS], pos, pos + NSLOTS);
	sp.tail = sp.head;
	sp.taken = sp.dropped_full = sp.dropped_write = sp.written = 0;
	sp.threads = 0;
	sp.live = sp.blockers = 0;
	memset(sp.timers, 0, (size_t)sp.n_timers * sizeof(sp.timers[0]));
	sp.n_timers = 0;
	sp.n_modules = 0;
	timer_slot = 0;
	blocks_prof = 0;
	begin_sampling();
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

/* signal() is hooked for SIGPROF only, and only because glibc's signal()
 * calls its internal __sigaction, which an interposed sigaction() never
 * sees: without this hook a program's signal(SIGPROF, h) would replace
 * our handler unnoticed, and our timer would go on firing into the
 * program's handler.  Every call goes to glibc's own signal(), so its
 * semantics are glibc's exactly: SA_RESTART unless siginterrupt() asked
 * otherwise, the old handler returned.  (sysv_signal, bsd_signal and
 * sigset also reach __sigaction, and are not hooked: a gap,
 * docs/sampling.md.) */
BT_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	static sighandler_t (*real)(int, sighandler_t);
	sighandler_t r;
	int ours;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "signal");
	ours = sig == SIGPROF && sp.installed;
	if (ours)
		yield_sigprof();
	r = real(sig, handler);
	if (r != SIG_ERR && ours) {
		r = (sp_original.sa_flags & SA_SIGINFO)
			? SIG_DFL
			: sp_original.sa_handler;
		sp.installed = 0;
	}
	return r;
}

/* ---- the program blocks SIGPROF ----
 * A thread that blocks SIGPROF (to sigwait() on a full set, to read a
 * signalfd) must never find one of our signals pending.  The hooks see
 * the change before it is made (blocking) or after (unblocking) and
 * switch timers off while it lasts: with per-thread timers that thread's
 * own; with the process timer, the process's while every sampled thread
 * blocks SIGPROF (the kernel gives a process-wide signal to a thread that
 * does not block it).  The program's mask itself is never touched.
 * glibc-internal masking (posix_spawn, system) does not come here and
 * needs not: it ends before the function returns.  [AS-safe] */
static int mask_hook(sigmask_fn real, int how, const sigset_t *set,
		     sigset_t *old)
{
	int will, r, was = blocks_prof;
	if (!set || !timer_slot || !real_sigmask)
		return real(how, set, old);
	switch (how) {
	case SIG_BLOCK:
		will = was || sigismember(set, SIGPROF) == 1;
		break;
	case SIG_UNBLOCK:
		will = was && sigismember(set, SIGPROF) != 1;
		break;
	case SIG_SETMASK:
		will = sigismember(set, SIGPROF) == 1;
		break;
	default:
		return real(how, set, old);
	}
	if (will && !was)
		set_blocking(1); /* off before the mask can hold it back */
	r = real(how, set, old);
	if (r != 0 ? will && !was : !will && was) {
		int saved = errno;
		set_blocking(0);
		errno = saved;
	}
	return r;
}

BT_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	static sigmask_fn real;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_sigmask");
	return mask_hook(real, how, set, old);
}

BT_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	static sigmask_fn real;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sigprocmask");
	return mask_hook(real, how, set, old);
}
