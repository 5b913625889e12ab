/* records.c - the trace files: buffered output, growing string lists, and one
 * function per record kind, built with common/trace_records.c. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- output ---- */

static char out_buf[1 << 20];

static void out_flush(struct out *o)
{
	size_t off = 0;
	while (off < o->len) {
		ssize_t n = write(o->fd, out_buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: %s", o->path,
			    n < 0 ? strerror(errno) : "short write");
		off += (size_t)n;
	}
	g.bytes += o->len;
	o->len = 0;
}

void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > sizeof(out_buf))
		out_flush(o);
	memcpy(out_buf + o->len, p, n);
	o->len += n;
}

static void out_rec(struct out *o, const char *rec, size_t len)
{
	if (!len)
		die("internal error: a record did not fit");
	out_put(o, rec, len);
}

void out_open(struct out *o, uint32_t pid, uint64_t ticks)
{
	struct bt_file_header h;
	o->fd =
	    bt_trace_file_create(g.dir, pid, ticks, o->path, sizeof(o->path));
	if (o->fd < 0)
		die("cannot create a trace file in %s: %s", g.dir,
		    strerror(errno));
	o->len = 0;
	bt_file_header_init(&h, pid, ticks, g.session);
	out_put(o, &h, sizeof(h));
	g.n_images++;
}

void out_close(struct out *o)
{
	out_flush(o);
	if (close(o->fd) < 0)
		die("%s: %s", o->path, strerror(errno));
}

void sv_reset(struct strv *s)
{
	s->len = s->n = 0;
}

void sv_add(struct strv *s, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if (s->len + (size_t)n + 1 > s->cap) {
		s->cap = (s->len + (size_t)n + 1) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	if (s->n + 2 > s->ncap) {
		s->ncap = (s->n + 2) * 2;
		s->off = xrealloc(s->off, s->ncap * sizeof(*s->off));
		s->v = xrealloc(s->v, s->ncap * sizeof(*s->v));
	}
	memcpy(s->buf + s->len, tmp, (size_t)n + 1);
	s->off[s->n++] = s->len;
	s->len += (size_t)n + 1;
}

/* The NULL-terminated array, valid until the next sv_add. */
static char **sv_argv(struct strv *s)
{
	if (s->n + 1 > s->ncap) {
		s->ncap = s->n + 1;
		s->v = xrealloc(s->v, s->ncap * sizeof(*s->v));
	}
	for (size_t i = 0; i < s->n; i++)
		s->v[i] = s->buf + s->off[i];
	s->v[s->n] = NULL;
	return s->v;
}

static char rec_buf[BT_MAX_RECORD];

/* As the shim's: exe, cwd, bounded argv, the environment (allow-listed
 * already, not redacted: no credentials are generated). */
void rec_start(struct out *o, const struct proc *p, uint64_t t, uint32_t flags,
	       const char *exe, const char *cwd, struct strv *argv,
	       struct strv *env)
{
	struct bt_rec_proc_start st;
	struct bt_start_in in;
	memset(&st, 0, sizeof(st));
	st.pid = p->pid;
	st.ppid = p->ppid;
	st.start_ticks = p->ticks;
	st.mono_ns = t;
	st.flags = flags;
	st.uid = 0;
	st.tid = p->pid;
	memset(&in, 0, sizeof(in));
	in.exe = exe;
	in.cwd = cwd;
	in.argv.argv = sv_argv(argv);
	in.env = sv_argv(env);
	out_rec(o, rec_buf,
		bt_build_proc_start(rec_buf, sizeof(rec_buf), &st, &in));
}

void rec_session(struct out *o, uint64_t t, uint32_t root_pid,
		 struct strv *argv)
{
	struct bt_rec_session s;
	struct bt_argv_in cmd = {sv_argv(argv), NULL};
	memset(&s, 0, sizeof(s));
	s.mono_ns = t;
	s.realtime_ns = g.realtime0 + (t - g.t0);
	s.root_pid = root_pid;
	s.n_cpus = 2; /* cargo -j2 on two CPUs */
	out_rec(o, rec_buf,
		bt_build_session(rec_buf, sizeof(rec_buf), &s, BTRACE_VERSION,
				 &cmd));
}

void rec_exec(struct out *o, uint64_t t, const char *path)
{
	char rec[2048];
	struct bt_rec_exec ex;
	memset(&ex, 0, sizeof(ex));
	ex.mono_ns = t;
	ex.api = BT_API_EXECVP; /* Rust's Command, fork path */
	out_rec(o, rec, bt_build_exec(rec, sizeof(rec), &ex, path));
}

void rec_spawn(struct out *o, const struct proc *c)
{
	char rec[2048];
	struct bt_rec_spawn sp;
	int probe = c->kind == P_PROBE_VV || c->kind == P_PROBE_PRINT;
	memset(&sp, 0, sizeof(sp));
	sp.mono_ns = c->spawn_ns;
	sp.done_ns = c->spawn_done_ns;
	sp.child_pid = c->pid;
	sp.api = probe ? BT_API_POSIX_SPAWNP : BT_API_FORK;
	out_rec(o, rec,
		bt_build_spawn(rec, sizeof(rec), &sp, probe ? RUSTC_EXE : ""));
}

void rec_reap(struct out *o, const struct proc *c)
{
	char rec[256];
	struct bt_rec_reap rp;
	memset(&rp, 0, sizeof(rp));
	rp.mono_ns = c->reap_ns;
	rp.child_pid = c->pid;
	rp.api = BT_API_WAITPID;
	rp.wait_status = 0; /* exited 0 */
	rp.ru = c->ru_reap;
	out_rec(o, rec, bt_build_reap(rec, sizeof(rec), &rp));
}

void rec_end(struct out *o, const struct proc *p, uint32_t api, int known)
{
	char rec[512];
	struct bt_rec_proc_end pe;
	memset(&pe, 0, sizeof(pe));
	pe.mono_ns = p->end_ns;
	pe.api = api;
	pe.exit_status = known ? 0 : -1;
	pe.flags = known ? BT_END_STATUS_KNOWN : 0;
	pe.ru = p->ru_self;
	pe.ru_children = p->ru_children;
	out_rec(o, rec, bt_build_proc_end(rec, sizeof(rec), &pe));
}

void rec_sampling(struct out *o, uint64_t t, uint64_t cpu)
{
	char rec[128];
	struct bt_rec_sampling s;
	memset(&s, 0, sizeof(s));
	s.mono_ns = t;
	s.period_ns = PERIOD_NS;
	s.hz = SAMPLE_HZ;
	s.mode = BT_SAMPLE_COMPILERS;
	s.flags = BT_SAMPLING_ACTIVE | BT_SAMPLING_PROCESS_TIMER;
	s.process_cpu_ns = cpu;
	out_rec(o, rec, bt_build_sampling(rec, sizeof(rec), &s));
}

void rec_module(struct out *o, uint64_t t, int m, uint64_t start,
		const char *path)
{
	char rec[4096], bid[41] = "";
	struct bt_rec_module mr;
	const struct moddef *d = &mods[m];
	memset(&mr, 0, sizeof(mr));
	mr.mono_ns = t;
	mr.bias = start;
	mr.start = start;
	mr.end = start + d->size;
	mr.exec_start = start + d->x0;
	mr.exec_end = start + d->x1;
	mr.event = BT_MODULE_LOADED;
	if (d->has_build_id)
		build_id_for(path, bid);
	out_rec(o, rec, bt_build_module(rec, sizeof(rec), &mr, path, bid));
}

void rec_thread(struct out *o, uint64_t t, const struct proc *p,
		const struct thr *th)
{
	char rec[256];
	struct bt_rec_thread tr;
	memset(&tr, 0, sizeof(tr));
	tr.mono_ns = t;
	tr.cpu_ns = th->cpu_ns;
	tr.tid = p->pid + th->tid_off;
	tr.flags = th->is_main;
	out_rec(o, rec, bt_build_thread(rec, sizeof(rec), &tr, th->name));
}

void rec_sampler_end(struct out *o, uint64_t t, uint64_t n, uint32_t threads,
		     uint64_t cpu)
{
	char rec[256];
	struct bt_rec_sampler_end se;
	memset(&se, 0, sizeof(se));
	se.mono_ns = t;
	se.taken = n;
	se.written = n;
	se.threads = threads;
	se.process_cpu_ns = cpu;
	out_rec(o, rec, bt_build_sampler_end(rec, sizeof(rec), &se));
}
