/* symbolize.c - sampled PCs to function names: module files read by
 * elf_file.c (libelf), names demangled with libiberty.
 *
 * Demangler: Debian's libiberty (libiberty-dev: the GNU demangler that
 * binutils and GCC use and maintain) rather than a hand-written one.
 * cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI) demangles
 *   - C++ (Itanium ABI), with parameter lists:
 *     llvm::DwarfDebug::beginModule(llvm::Module*);
 *   - Rust legacy symbols (_ZN...17h<hash>E): the hash is left out unless
 *     DMGL_VERBOSE is given, which we never do;
 *   - Rust v0 symbols (_R...): crate disambiguators are left out (also a
 *     DMGL_VERBOSE thing), generic arguments are kept.
 * It also drops the ".llvm.N", ".cold" and ".warm" suffixes of Rust
 * symbols, so LLVM's and BOLT's split-off fragments of a function are named
 * like the function itself and intern to it.  A legacy "::h<16 hex>"
 * suffix that would still get through is cut here.
 *
 * Design, for traces of millions of samples of ~35 frames each:
 *   - a module file (path, recorded build-id, layout) is read once, on the
 *     first PC that falls in it, into a sorted array of disjoint address
 *     ranges (elf_file.h), shared by every image that maps it wherever it
 *     was loaded;
 *   - a lookup first tries a small direct-mapped front cache keyed by
 *     (image, pc), which stays in the CPU caches and catches the frames a
 *     process samples again and again; else it finds the image's mapping
 *     (a hint, else a binary search) and looks (module file, file address)
 *     up in a hash memo shared by all images (on huge pages, its slots
 *     prefetched a whole stack at a time); only a miss there searches the
 *     module's ranges, within one page of them;
 *   - function names are interned: one dense id per distinct (status,
 *     module, demangled name), demangled once, when a symbol is first hit;
 *     unnamed addresses intern as "[module+0xOFFSET]".
 * No global state but libelf's elf_version(). */
#define _GNU_SOURCE
#include "base/hash.h"
#include "profile/elf_file.h"
#include "profile/proc_macro_path.h"
#include "profile/symbolize.h"

#include <errno.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libiberty/demangle.h>

#define NO_ID UINT32_MAX
#define FUNC_CHUNK_BITS 12
#define FUNC_CHUNK (1u << FUNC_CHUNK_BITS)
#define FUNC_CHUNKS ((size_t)1 << (32 - FUNC_CHUNK_BITS))
#define ARENA_CHUNK (256u * 1024)
#define MEMO_REL_BITS 40 /* file addresses below 1 TiB are memoized */

/* Allocation: NULL means out of memory.  The symbolizer then sets its
 * sticky `nomem` (bt_symbolizer_nomem()) and gives answers that are safe
 * to read but incomplete; it never exits (base/xalloc.h). */
static void *zalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

static char *fmtstr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmtstr(const char *fmt, ...)
{
	char *p;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		p = NULL;
	va_end(ap);
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- strings: a bump arena, freed all at once ---- */

struct arena {
	char **chunks;
	size_t n_chunks;
	char *cur;
	size_t left;
};

/* A copy of S in A, or NULL when out of memory. */
static const char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;
	if (n > a->left) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		char **chunks =
		    realloc(a->chunks, (a->n_chunks + 1) * sizeof(*a->chunks));
		if (!chunks)
			return NULL;
		a->chunks = chunks;
		if (!(a->cur = zalloc(1, cap)))
			return NULL;
		a->chunks[a->n_chunks++] = a->cur;
		a->left = cap;
	}
	p = a->cur;
	memcpy(p, s, n);
	a->cur += n;
	a->left -= n;
	return p;
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n_chunks; i++)
		free(a->chunks[i]);
	free(a->chunks);
	memset(a, 0, sizeof(*a));
}

/* ---- module files ---- */

struct modfile {
	char *path;	  /* resolved path of the recorded module */
	const char *base; /* its basename (interned) */
	char *build_id;	  /* as recorded: lower-case hex, or "" */
	uint64_t lay[4];  /* recorded start, end, exec_start, exec_end,
			     relative to the bias */
	uint64_t hash;
	uint32_t idx;
	int loaded;
	int proc_macro;		  /* a proc-macro library (proc_macro_path.h) */
	struct bt_elf_funcs fn;	  /* what reading it gave (elf_file.h) */
	uint64_t frames, unnamed; /* lookups that landed here */
};

/* A module as one image mapped it. */
struct mapping {
	uint64_t start, end, bias;
	uint64_t t_load, t_unload; /* t_unload: UINT64_MAX if never */
	struct modfile *mf;
	int overlaps; /* another mapping of the image shares addresses */
};

struct bt_image_syms {
	struct mapping *map; /* sorted by start */
	size_t n;
	uint64_t *reach; /* reach[i]: highest end of map[0..i] */
	size_t hint;
	uint64_t *changes; /* sorted: the times at which a lookup's answer
			      can change (see when()) */
	size_t n_changes;
	struct bt_image_syms *next;
};

/* The last stack a thread's lookups gave (bt_symbolize_thread_stack):
 * consecutive samples of a thread share their outer frames (how many:
 * BENCHMARKS.md, "The synthetic traces"), which need no lookup again
 * while the module map stays the same. */
struct thread_last {
	const struct bt_image_syms *m; /* NULL: nothing yet */
	uint64_t t_ns;
	uint16_t depth;
	uint64_t pcs[BT_MAX_DEPTH];
	uint32_t ids[BT_MAX_DEPTH];
	struct modfile *mf[BT_MAX_DEPTH]; /* NULL: no module */
	uint8_t st[BT_MAX_DEPTH];
};

struct memo_ent {
	uint64_t key; /* 0: empty */
	uint32_t func;
	uint32_t status; /* the function's, to count without looking */
};

/* The front cache: (image, pc) -> function, direct-mapped and small enough
 * to stay in the CPU caches, for the frames a process samples again and
 * again (its outer frames above all). */
#define FRONT_BITS 14
struct front_ent {
	uint64_t pc;
	const struct bt_image_syms *m; /* NULL: empty */
	uint32_t func;
	uint16_t status;
	uint16_t map; /* index of the mapping, for its time check */
};

struct func_rec {
	struct bt_func f;
	uint64_t hash;
};

struct bt_symbolizer {
	struct modfile **files;
	size_t n_files;
	uint32_t *file_tab; /* open addressing: file index + 1, 0 empty */
	size_t file_cap;

	struct func_rec **func_chunks; /* FUNC_CHUNKS, allocated at once:
					  it never moves, so that another
					  thread can read the functions of
					  ids it was given */
	size_t n_funcs;
	uint32_t *func_tab; /* open addressing: func id + 1, 0 empty */
	size_t func_cap;
	uint32_t unknown_func; /* the NO_MODULE stand-in, NO_ID if none */

	struct memo_ent *memo;
	size_t memo_cap, memo_n;
	struct thread_last **last; /* by thread slot */
	size_t n_last;
	struct front_ent front[1u << FRONT_BITS];

	const char **bases; /* interned module basenames */
	size_t n_bases;

	struct arena strings;
	char *debug_dir; /* where separate debug files are, or NULL */
	struct bt_image_syms *images;
	struct bt_sym_stats st;
	char **problems;
	uint64_t *problem_frames; /* unnamed frames of each problem line */
	size_t n_problems;
	int nomem; /* sticky: an allocation failed (bt_symbolizer_nomem) */
};

static const char *const status_names[BT_SYM_N_STATUS] = {
    [BT_SYM_OK] = "ok",
    [BT_SYM_NO_MODULE] = "no module",
    [BT_SYM_MODULE_MISSING] = "module missing",
    [BT_SYM_MODULE_CHANGED] = "module changed",
    [BT_SYM_NO_SYMBOLS] = "no symbols",
    [BT_SYM_NO_SYMBOL] = "no symbol",
    [BT_SYM_MODULE_UNREADABLE] = "module unreadable",
};

const char *bt_sym_status_name(enum bt_sym_status st)
{
	return (unsigned)st < BT_SYM_N_STATUS ? status_names[st] : "?";
}

/* ---- demangling ---- */

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Cuts a Rust legacy "::h<16 hex>" hash off the end of S. */
static void strip_rust_hash(char *s)
{
	size_t n = strlen(s);
	if (n < 19 || memcmp(s + n - 19, "::h", 3) != 0)
		return;
	for (size_t i = n - 16; i < n; i++)
		if (!is_hex(s[i]))
			return;
	s[n - 19] = 0;
}

char *bt_sym_demangle(const char *name)
{
	char *d;
	/* Itanium C++ and Rust legacy start with _Z, Rust v0 with _R. */
	if (name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	d = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI);
	if (d)
		strip_rust_hash(d);
	return d;
}

/* ---- interning ---- */

static const char *intern_base(struct bt_symbolizer *s, const char *b)
{
	for (size_t i = 0; i < s->n_bases; i++)
		if (strcmp(s->bases[i], b) == 0)
			return s->bases[i];
	{
		const char **bases =
		    realloc(s->bases, (s->n_bases + 1) * sizeof(*s->bases));
		const char *copy;
		if (!bases)
			goto nomem;
		s->bases = bases;
		if (!(copy = arena_strdup(&s->strings, b)))
			goto nomem;
		return s->bases[s->n_bases++] = copy;
	}
nomem:
	s->nomem = 1;
	return NULL;
}

static struct func_rec *func_at(const struct bt_symbolizer *s, uint32_t id)
{
	return &s->func_chunks[id >> FUNC_CHUNK_BITS][id & (FUNC_CHUNK - 1)];
}

static int func_tab_grow(struct bt_symbolizer *s)
{
	size_t cap = s->func_cap ? s->func_cap * 2 : 1024;
	uint32_t *tab = zalloc(cap, sizeof(*tab));
	if (!tab)
		return -1;
	for (uint32_t id = 0; id < s->n_funcs; id++) {
		size_t i = func_at(s, id)->hash & (cap - 1);
		while (tab[i])
			i = (i + 1) & (cap - 1);
		tab[i] = id + 1;
	}
	free(s->func_tab);
	s->func_tab = tab;
	s->func_cap = cap;
	return 0;
}

/* The id of (ST, MODULE, NAME, PROC_MACRO); MODULE must be interned
 * (NULL: interning it ran out of memory).  NO_ID, with s->nomem, when out
 * of memory. */
static uint32_t intern_func(struct bt_symbolizer *s, enum bt_sym_status st,
			    const char *module, const char *name,
			    int proc_macro)
{
	uint64_t h =
	    bt_hash_str(bt_hash_bytes(BT_HASH_SEED, &st, sizeof(st)), name);
	struct func_rec *r;
	size_t i;
	uint32_t id;

	if (!module)
		goto nomem;
	h = bt_hash_bytes(h, &module, sizeof(module));
	if ((s->n_funcs + 1) * 2 > s->func_cap && func_tab_grow(s) < 0)
		goto nomem;
	for (i = h & (s->func_cap - 1); s->func_tab[i];
	     i = (i + 1) & (s->func_cap - 1)) {
		r = func_at(s, s->func_tab[i] - 1);
		if (r->hash == h && r->f.status == st &&
		    r->f.module == module && r->f.proc_macro == proc_macro &&
		    strcmp(r->f.name, name) == 0)
			return r->f.id;
	}
	id = (uint32_t)s->n_funcs;
	if (id == UINT32_MAX)
		goto nomem; /* 4 billion functions: no id left */
	if ((id & (FUNC_CHUNK - 1)) == 0 &&
	    !(s->func_chunks[id >> FUNC_CHUNK_BITS] =
		  zalloc(FUNC_CHUNK, sizeof(struct func_rec))))
		goto nomem;
	r = func_at(s, id);
	r->f.id = id;
	if (!(r->f.name = arena_strdup(&s->strings, name)))
		goto nomem;
	r->f.module = module;
	r->f.status = st;
	r->f.proc_macro = (unsigned char)proc_macro;
	r->hash = h;
	s->func_tab[i] = id + 1;
	s->n_funcs++;
	return id;
nomem:
	s->nomem = 1;
	return NO_ID;
}

/* The stand-in for file address REL of MF that no symbol names. */
static uint32_t intern_unnamed(struct bt_symbolizer *s, struct modfile *mf,
			       enum bt_sym_status st, uint64_t rel)
{
	char name[512];
	snprintf(name, sizeof(name), "[%s+0x%" PRIx64 "]", mf->base, rel);
	return intern_func(s, st, mf->base, name, mf->proc_macro);
}

/* The one stand-in for every address of a module that cannot be read as
 * recorded (missing, changed on disk, unreadable): its offsets would name
 * nothing a user can look up, and one frame per address would let a single
 * changed libc blow up the profile. */
static uint32_t intern_unreadable(struct bt_symbolizer *s, struct modfile *mf)
{
	char name[512];
	snprintf(name, sizeof(name), "[%s (%s)]", mf->base,
		 mf->fn.status == BT_SYM_MODULE_MISSING ? "missing"
		 : mf->fn.status == BT_SYM_MODULE_CHANGED
		     ? "changed since the build"
		     : "unreadable");
	return intern_func(s, mf->fn.status, mf->base, name, mf->proc_macro);
}

/* ---- the memo: (module file, file address) -> function ---- */

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* A zeroed memo of CAP entries, on huge pages if the kernel gives them.
 * At 5M samples the memo holds millions of addresses probed in no order:
 * with 4 KiB pages nearly every probe also misses the TLB, and the page
 * walk costs as much as the probe (BENCHMARKS.md has the report's times).
 * Transparent huge pages are often "madvise"-only, so ask, before the
 * first write: calloc leaves a big block's fresh pages untouched.  (Tried
 * for the profile's tables and the function index too: no gain there,
 * the allocation's compaction costs more.) */
static struct memo_ent *memo_alloc(size_t cap)
{
	struct memo_ent *m = zalloc(cap, sizeof(*m));
	if (!m)
		return NULL;
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)m + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t e = ((uintptr_t)m + cap * sizeof(*m)) & ~(HUGE_PAGE - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
	return m;
}

static int memo_grow(struct bt_symbolizer *s)
{
	size_t cap = s->memo_cap ? s->memo_cap * 2 : 1u << 16;
	struct memo_ent *m = memo_alloc(cap);
	if (!m)
		return -1;
	for (size_t j = 0; j < s->memo_cap; j++) {
		size_t i;
		if (!s->memo[j].key)
			continue;
		i = bt_mix64(s->memo[j].key) & (cap - 1);
		while (m[i].key)
			i = (i + 1) & (cap - 1);
		m[i] = s->memo[j];
	}
	free(s->memo);
	s->memo = m;
	s->memo_cap = cap;
	return 0;
}

static const struct memo_ent *memo_get(const struct bt_symbolizer *s,
				       uint64_t key)
{
	size_t mask = s->memo_cap - 1;
	if (!s->memo)
		return NULL;
	for (size_t i = bt_mix64(key) & mask; s->memo[i].key;
	     i = (i + 1) & mask)
		if (s->memo[i].key == key)
			return &s->memo[i];
	return NULL;
}

static void memo_put(struct bt_symbolizer *s, uint64_t key, uint32_t func,
		     enum bt_sym_status st)
{
	size_t i, mask;
	if ((s->memo_n + 1) * 2 > s->memo_cap && memo_grow(s) < 0) {
		s->nomem = 1;
		return;
	}
	mask = s->memo_cap - 1;
	for (i = bt_mix64(key) & mask; s->memo[i].key; i = (i + 1) & mask)
		if (s->memo[i].key == key)
			return;
	s->memo[i].key = key;
	s->memo[i].func = func;
	s->memo[i].status = st;
	s->memo_n++;
}

/* Reads MF's file: its identity checked, its function table built
 * (elf_file.h); counts the outcome. */
static void load_modfile(struct bt_symbolizer *s, struct modfile *mf)
{
	uint64_t t0 = now_ns();

	mf->loaded = 1;
	s->st.modules++;
	if (bt_elf_read(mf->path, mf->build_id, mf->lay, s->debug_dir,
			&mf->fn) < 0) {
		s->nomem = 1;
		mf->fn.status = BT_SYM_MODULE_UNREADABLE;
	}
	switch (mf->fn.status) {
	case BT_SYM_MODULE_MISSING:
		s->st.modules_missing++;
		break;
	case BT_SYM_MODULE_CHANGED:
		s->st.modules_changed++;
		break;
	case BT_SYM_NO_SYMBOLS:
		s->st.modules_stripped++;
		break;
	case BT_SYM_MODULE_UNREADABLE:
		s->st.modules_unreadable++;
		break;
	default:
		break;
	}
	if (mf->fn.status == BT_SYM_OK) {
		s->st.modules_dynsym += mf->fn.dynsym;
		s->st.modules_debugfile += mf->fn.debugfile;
		s->st.modules_unverified += mf->fn.unverified;
	}
	s->st.load_ns += now_ns() - t0;
}

/* ---- module files by identity ---- */

static uint64_t modfile_hash(const char *path, const char *bid,
			     const uint64_t lay[4])
{
	uint64_t h = bt_hash_str(bt_hash_str(BT_HASH_SEED, path), bid);
	return bt_hash_bytes(h, lay, 4 * sizeof(uint64_t));
}

static int file_tab_grow(struct bt_symbolizer *s)
{
	size_t cap = s->file_cap ? s->file_cap * 2 : 256;
	uint32_t *tab = zalloc(cap, sizeof(*tab));
	if (!tab)
		return -1;
	for (size_t j = 0; j < s->n_files; j++) {
		size_t i = s->files[j]->hash & (cap - 1);
		while (tab[i])
			i = (i + 1) & (cap - 1);
		tab[i] = (uint32_t)j + 1;
	}
	free(s->file_tab);
	s->file_tab = tab;
	s->file_cap = cap;
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* The module file of (PATH, BID, LAY), made if new; NULL when out of
 * memory. */
static struct modfile *get_modfile(struct bt_symbolizer *s, const char *path,
				   const char *bid, const uint64_t lay[4])
{
	uint64_t h = modfile_hash(path, bid, lay);
	struct modfile *mf, **files;
	size_t i;

	if ((s->n_files + 1) * 2 > s->file_cap && file_tab_grow(s) < 0)
		return NULL;
	for (i = h & (s->file_cap - 1); s->file_tab[i];
	     i = (i + 1) & (s->file_cap - 1)) {
		mf = s->files[s->file_tab[i] - 1];
		if (mf->hash == h && strcmp(mf->path, path) == 0 &&
		    strcmp(mf->build_id, bid) == 0 &&
		    memcmp(mf->lay, lay, sizeof(mf->lay)) == 0)
			return mf;
	}
	files = realloc(s->files, (s->n_files + 1) * sizeof(*s->files));
	if (!files)
		return NULL;
	s->files = files;
	mf = zalloc(1, sizeof(*mf));
	if (!mf)
		return NULL;
	mf->path = strdup(path);
	mf->base = intern_base(s, *path ? basename_of(path) : "[anonymous]");
	mf->build_id = strdup(bid);
	mf->proc_macro = bt_is_proc_macro_path(path, NULL, 0);
	if (!mf->path || !mf->base || !mf->build_id) {
		free(mf->path);
		free(mf->build_id);
		free(mf);
		return NULL;
	}
	memcpy(mf->lay, lay, sizeof(mf->lay));
	mf->hash = h;
	mf->idx = (uint32_t)s->n_files;
	s->files[s->n_files++] = mf;
	s->file_tab[i] = mf->idx + 1;
	return mf;
}

/* ---- per-image module maps ---- */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int map_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->t_load != y->t_load)
		return x->t_load < y->t_load ? -1 : 1;
	return 0;
}

/* The path to open for module path P of IMG: relative paths (a dlopen
 * with a relative name) are taken from the image's cwd, and the
 * " (deleted)" that readlink adds for a replaced executable is dropped
 * (the build-id check then tells whether the file there now is it).
 * NULL when out of memory. */
static char *module_path(const struct bt_image *img, const char *p)
{
	static const char deleted[] = " (deleted)";
	size_t n, dn = sizeof(deleted) - 1;
	char *r;
	if (p[0] != '/' && strchr(p, '/') && img->cwd && img->cwd[0] == '/')
		r = fmtstr("%s/%s", img->cwd, p);
	else
		r = strdup(p);
	if (!r)
		return NULL;
	n = strlen(r);
	if (n > dn && strcmp(r + n - dn, deleted) == 0)
		r[n - dn] = 0;
	return r;
}

struct bt_image_syms *bt_symbolizer_image(struct bt_symbolizer *s,
					  const struct bt_image *img)
{
	struct bt_image_syms *m = zalloc(1, sizeof(*m));
	size_t n = 0;

	if (!m)
		goto nomem;
	m->map = zalloc(img->n_modules, sizeof(*m->map));
	if (!m->map)
		goto nomem;
	for (size_t i = 0; i < img->n_modules; i++) {
		const struct bt_module *md = &img->modules[i];
		const struct bt_rec_module *r = &md->rec;
		struct mapping *mp = NULL;
		uint64_t lay[4];
		char *path;

		if (r->end <= r->start || r->start < r->bias)
			continue;
		if (r->event == BT_MODULE_UNLOADING) {
			/* The latest open mapping of the same object. */
			for (size_t j = n; j-- > 0;)
				if (m->map[j].start == r->start &&
				    m->map[j].end == r->end &&
				    m->map[j].bias == r->bias &&
				    m->map[j].t_unload == UINT64_MAX &&
				    m->map[j].t_load <= r->mono_ns) {
					mp = &m->map[j];
					break;
				}
			if (mp) {
				mp->t_unload = r->mono_ns;
				continue;
			}
		} else if (r->event != BT_MODULE_LOADED) {
			continue;
		}
		lay[0] = r->start - r->bias;
		lay[1] = r->end - r->bias;
		lay[2] = r->exec_end ? r->exec_start - r->bias : 0;
		lay[3] = r->exec_end ? r->exec_end - r->bias : 0;
		path = module_path(img, md->path ? md->path : "");
		if (!path)
			goto nomem;
		mp = &m->map[n++];
		mp->start = r->start;
		mp->end = r->end;
		mp->bias = r->bias;
		mp->mf =
		    get_modfile(s, path, md->build_id ? md->build_id : "", lay);
		if (!mp->mf) {
			free(path);
			goto nomem;
		}
		if (r->event == BT_MODULE_LOADED) {
			mp->t_load = r->mono_ns;
			mp->t_unload = UINT64_MAX;
		} else { /* unloading, never seen loaded */
			mp->t_load = 0;
			mp->t_unload = r->mono_ns;
		}
		free(path);
	}
	m->n = n;
	qsort(m->map, n, sizeof(*m->map), map_cmp);
	m->reach = zalloc(n, sizeof(*m->reach));
	m->changes = zalloc(3 * n + 1, sizeof(*m->changes));
	if (!m->reach || !m->changes)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		m->reach[i] = m->map[i].end;
		if (i && m->reach[i - 1] > m->reach[i])
			m->reach[i] = m->reach[i - 1];
		m->map[i].overlaps =
		    (i && m->map[i].start < m->reach[i - 1]) ||
		    (i + 1 < n && m->map[i + 1].start < m->map[i].end);
	}
	for (size_t i = 0; i < n; i++) {
		const struct mapping *mp = &m->map[i];
		m->changes[m->n_changes++] =
		    mp->t_load > BT_SYM_LOAD_LAG_NS
			? mp->t_load - BT_SYM_LOAD_LAG_NS
			: 0;
		m->changes[m->n_changes++] = mp->t_load;
		if (mp->t_unload != UINT64_MAX)
			m->changes[m->n_changes++] = mp->t_unload;
	}
	qsort(m->changes, m->n_changes, sizeof(*m->changes), u64_cmp);
	m->next = s->images;
	s->images = m;
	s->st.images++;
	return m;
nomem:
	if (m) {
		free(m->map);
		free(m->reach);
		free(m->changes);
		free(m);
	}
	s->nomem = 1;
	return NULL;
}

/* 0: loaded at T; 1: loaded within the lag after T; -1: neither. */
static int when(const struct mapping *mp, uint64_t t)
{
	if (t >= mp->t_load)
		return t < mp->t_unload ? 0 : -1;
	return mp->t_load - t <= BT_SYM_LOAD_LAG_NS ? 1 : -1;
}

static struct mapping *find_mapping(struct bt_image_syms *m, uint64_t pc,
				    uint64_t t)
{
	struct mapping *h, *live = NULL, *soon = NULL;
	size_t lo = 0, hi = m->n;

	if (!m->n)
		return NULL;
	h = &m->map[m->hint];
	if (pc >= h->start && pc < h->end && !h->overlaps)
		return when(h, t) >= 0 ? h : NULL;
	/* The last mapping starting at or below pc ... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->map[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ... and back while earlier ones may still reach it. */
	for (size_t j = lo; j-- > 0 && m->reach[j] > pc;) {
		struct mapping *mp = &m->map[j];
		if (pc >= mp->end)
			continue;
		switch (when(mp, t)) {
		case 0:
			if (!live || mp->t_load > live->t_load)
				live = mp;
			break;
		case 1:
			if (!soon || mp->t_load < soon->t_load)
				soon = mp;
			break;
		default:
			break;
		}
	}
	h = live ? live : soon;
	if (h)
		m->hint = (size_t)(h - m->map);
	return h;
}

/* ---- lookups ---- */

static uint32_t resolve(struct bt_symbolizer *s, struct modfile *mf,
			uint64_t rel)
{
	size_t lo = 0, hi = mf->fn.n_ranges;
	const struct bt_elf_range *r;
	struct bt_elf_sym *sym;
	char *d;

	if (mf->fn.status == BT_SYM_NO_SYMBOLS)
		return intern_unnamed(s, mf, mf->fn.status, rel);
	if (mf->fn.status != BT_SYM_OK)
		return intern_unreadable(s, mf);
	if (mf->fn.pages) {
		/* the ranges starting at or below REL and not below its
		 * page; past the last page, all of them */
		uint64_t p = rel >> BT_ELF_PAGE_BITS;
		lo = hi = mf->fn.n_ranges;
		if (p + 1 < mf->fn.n_pages) {
			lo = mf->fn.pages[p];
			hi = mf->fn.pages[p + 1];
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mf->fn.ranges[mid].lo <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return intern_unnamed(s, mf, BT_SYM_NO_SYMBOL, rel);
	r = &mf->fn.ranges[lo - 1];
	if (rel - r->lo >= r->len)
		return intern_unnamed(s, mf, BT_SYM_NO_SYMBOL, rel);
	sym = &mf->fn.syms[r->sym];
	if (sym->func == BT_ELF_NO_FUNC) {
		const char *name = mf->fn.names + sym->name;
		errno = 0;
		d = bt_sym_demangle(name);
		if (!d && errno == ENOMEM) {
			/* the demangler ran out, not a name it cannot read:
			 * the mangled name would be a silent stand-in */
			s->nomem = 1;
			return NO_ID;
		}
		sym->func = intern_func(s, BT_SYM_OK, mf->base, d ? d : name,
					mf->proc_macro);
		free(d);
		if (sym->func == NO_ID)
			sym->func = BT_ELF_NO_FUNC; /* out of memory: retry */
	}
	return sym->func;
}

/* Counts a frame of MF (NULL: in no module) with status ST. */
static void count(struct bt_symbolizer *s, struct modfile *mf,
		  enum bt_sym_status st)
{
	if (mf)
		mf->frames++;
	s->st.frames[st]++;
	if (st != BT_SYM_OK) {
		if (mf)
			mf->unnamed++;
		s->st.unknown_frames++;
	}
}

/* The id of PC's function; counts the lookup.  *MFP and *STP get the
 * module file (NULL: none) and the status it was counted with.  NO_ID
 * (with s->nomem) when out of memory. */
static uint32_t lookup(struct bt_symbolizer *s, struct bt_image_syms *m,
		       uint64_t pc, uint64_t t_ns, struct modfile **mfp,
		       uint8_t *stp)
{
	struct front_ent *fe =
	    &s->front[bt_mix64(pc ^ (uintptr_t)m) & ((1u << FRONT_BITS) - 1)];
	const struct memo_ent *e = NULL;
	enum bt_sym_status st;
	struct mapping *mp;
	struct modfile *mf;
	uint64_t rel, key = 0;
	uint32_t id;

	s->st.lookups++;
	if (fe->m == m && fe->pc == pc && m) {
		mp = &m->map[fe->map];
		/* Only mappings that share no address go in: no other
		 * module can hold pc at another time. */
		if (t_ns >= mp->t_load && t_ns < mp->t_unload) {
			s->st.memo_hits++;
			s->st.front_hits++;
			count(s, mp->mf, (enum bt_sym_status)fe->status);
			*mfp = mp->mf;
			*stp = (uint8_t)fe->status;
			return fe->func;
		}
	}
	mp = m ? find_mapping(m, pc, t_ns) : NULL;
	if (!mp) {
		if (s->unknown_func == NO_ID)
			s->unknown_func = intern_func(
			    s, BT_SYM_NO_MODULE, intern_base(s, "[unknown]"),
			    "[unknown]", 0);
		*mfp = NULL;
		*stp = BT_SYM_NO_MODULE;
		if (s->unknown_func == NO_ID)
			return NO_ID;
		count(s, NULL, BT_SYM_NO_MODULE);
		return s->unknown_func;
	}
	mf = mp->mf;
	rel = pc - mp->bias;
	if (rel < (1ull << MEMO_REL_BITS) &&
	    mf->idx < (1u << (63 - MEMO_REL_BITS))) {
		key = ((uint64_t)(mf->idx + 1) << MEMO_REL_BITS) | rel;
		e = memo_get(s, key);
	}
	if (e) {
		s->st.memo_hits++;
		id = e->func;
		st = (enum bt_sym_status)e->status;
	} else {
		if (!mf->loaded)
			load_modfile(s, mf);
		id = resolve(s, mf, rel);
		if (id == NO_ID) {
			*mfp = mf;
			*stp = BT_SYM_MODULE_UNREADABLE;
			return NO_ID;
		}
		st = func_at(s, id)->f.status;
		if (key)
			memo_put(s, key, id, st);
	}
	if (!mp->overlaps && m->n <= UINT16_MAX) {
		fe->pc = pc;
		fe->m = m;
		fe->func = id;
		fe->status = (uint16_t)st;
		fe->map = (uint16_t)(mp - m->map);
	}
	count(s, mf, st);
	*mfp = mf;
	*stp = (uint8_t)st;
	return id;
}

static uint32_t symbolize_id(struct bt_symbolizer *s, struct bt_image_syms *m,
			     uint64_t pc, uint64_t t_ns)
{
	struct modfile *mf;
	uint8_t st;
	return lookup(s, m, pc, t_ns, &mf, &st);
}

const struct bt_func *bt_symbolize(struct bt_symbolizer *s,
				   struct bt_image_syms *m, uint64_t pc,
				   uint64_t t_ns)
{
	uint32_t id = symbolize_id(s, m, pc, t_ns);
	return id == NO_ID ? NULL : &func_at(s, id)->f;
}

/* Starts loading the memo slot PC would be looked up in: a memo of
 * millions of addresses is far bigger than the caches, so nearly every
 * probe is a miss to memory, and a stack's frames are independent
 * lookups whose misses can overlap. */
static void memo_prefetch(const struct bt_symbolizer *s,
			  struct bt_image_syms *m, uint64_t pc, uint64_t t_ns)
{
	const struct front_ent *fe =
	    &s->front[bt_mix64(pc ^ (uintptr_t)m) & ((1u << FRONT_BITS) - 1)];
	const struct mapping *mp;
	uint64_t rel, key;
	if (fe->m == m && fe->pc == pc)
		return; /* the front cache will answer */
	if (!s->memo)
		return;
	mp = m ? find_mapping(m, pc, t_ns) : NULL;
	if (!mp)
		return;
	rel = pc - mp->bias;
	if (rel >= (1ull << MEMO_REL_BITS) ||
	    mp->mf->idx >= (1u << (63 - MEMO_REL_BITS)))
		return;
	key = ((uint64_t)(mp->mf->idx + 1) << MEMO_REL_BITS) | rel;
	__builtin_prefetch(&s->memo[bt_mix64(key) & (s->memo_cap - 1)]);
}

/* Looks up the frames PCS[0..N) of a stack (innermost first: PCS[0] as
 * is, the others minus 1) into IDS, and, if not NULL, their module files
 * and statuses into MFS and STS. */
static void lookup_frames(struct bt_symbolizer *s, struct bt_image_syms *m,
			  const uint64_t *pcs, size_t n, uint64_t t_ns,
			  uint32_t *ids, struct modfile **mfs, uint8_t *sts)
{
	for (size_t i = 0; i < n; i++)
		memo_prefetch(s, m, i && pcs[i] ? pcs[i] - 1 : pcs[i], t_ns);
	for (size_t i = 0; i < n; i++) {
		uint64_t pc = i && pcs[i] ? pcs[i] - 1 : pcs[i];
		struct modfile *mf;
		uint8_t st;
		ids[i] = lookup(s, m, pc, t_ns, &mf, &st);
		if (mfs) {
			mfs[i] = mf;
			sts[i] = st;
		}
	}
}

size_t bt_symbolize_stack(struct bt_symbolizer *s, struct bt_image_syms *m,
			  const uint64_t *pcs, size_t depth, uint64_t t_ns,
			  uint32_t *ids)
{
	while (depth && pcs[depth - 1] == 0)
		depth--;
	lookup_frames(s, m, pcs, depth, t_ns, ids, NULL, NULL);
	return depth;
}

/* Would every lookup in M give the same answer at A as at B? */
static int map_stable(const struct bt_image_syms *m, uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
	size_t i = 0, j = m->n_changes;
	/* the first change after LO */
	while (i < j) {
		size_t mid = i + (j - i) / 2;
		if (m->changes[mid] <= lo)
			i = mid + 1;
		else
			j = mid;
	}
	return i == m->n_changes || m->changes[i] > hi;
}

size_t bt_symbolize_thread_stack(struct bt_symbolizer *s,
				 struct bt_image_syms *m, size_t slot,
				 const uint64_t *pcs, size_t depth,
				 uint64_t t_ns, uint32_t *ids)
{
	struct thread_last *l;
	size_t k = 0, n;

	if (slot >= s->n_last) {
		size_t cap = slot + 8;
		struct thread_last **last =
		    realloc(s->last, cap * sizeof(*s->last));
		if (!last) {
			s->nomem = 1;
			return 0;
		}
		s->last = last;
		for (; s->n_last < cap; s->n_last++)
			if (!(s->last[s->n_last] = zalloc(1, sizeof(**last)))) {
				s->nomem = 1;
				return 0;
			}
	}
	l = s->last[slot];
	while (depth && pcs[depth - 1] == 0)
		depth--;
	if (depth > BT_MAX_DEPTH)
		return bt_symbolize_stack(s, m, pcs, depth, t_ns, ids);
	/* the outer frames it shares with the thread's last stack, but not
	 * the innermost of either (an interrupted PC, not a return
	 * address), while the module map stays the same */
	if (l->m == m && l->depth && map_stable(m, l->t_ns, t_ns)) {
		size_t most = (depth < l->depth ? depth : l->depth) - 1;
		while (k < most &&
		       pcs[depth - 1 - k] == l->pcs[l->depth - 1 - k])
			k++;
	}
	n = depth - k;
	/* the shared outer frames move to their place in this stack */
	memmove(l->ids + n, l->ids + l->depth - k, k * sizeof(*l->ids));
	memmove(l->mf + n, l->mf + l->depth - k, k * sizeof(*l->mf));
	memmove(l->st + n, l->st + l->depth - k, k * sizeof(*l->st));
	for (size_t i = n; i < depth; i++) {
		ids[i] = l->ids[i];
		s->st.lookups++;
		s->st.memo_hits++;
		count(s, l->mf[i], (enum bt_sym_status)l->st[i]);
	}
	lookup_frames(s, m, pcs, n, t_ns, ids, l->mf, l->st);
	memcpy(l->ids, ids, n * sizeof(*ids));
	memcpy(l->pcs, pcs, depth * sizeof(*pcs));
	l->depth = (uint16_t)depth;
	l->m = m;
	l->t_ns = t_ns;
	return depth;
}

void bt_symbolizer_trim(struct bt_symbolizer *s)
{
	if (s->memo_n > s->st.memo_entries)
		s->st.memo_entries = s->memo_n;
	free(s->memo);
	/* no memo until a lookup needs one again (memo_put grows it) */
	s->memo = NULL;
	s->memo_cap = s->memo_n = 0;
}

const struct bt_func *bt_symbolizer_func(const struct bt_symbolizer *s,
					 uint32_t id)
{
	return id < s->n_funcs ? &func_at(s, id)->f : NULL;
}

const struct bt_func *bt_symbolizer_func_shared(const struct bt_symbolizer *s,
						uint32_t id)
{
	return &func_at(s, id)->f;
}

size_t bt_symbolizer_n_funcs(const struct bt_symbolizer *s)
{
	return s->n_funcs;
}

void bt_symbolizer_stats(const struct bt_symbolizer *s,
			 struct bt_sym_stats *out)
{
	*out = s->st;
	out->funcs = s->n_funcs;
	if (s->memo_n > out->memo_entries)
		out->memo_entries = s->memo_n;
}

static void free_problems(struct bt_symbolizer *s)
{
	for (size_t i = 0; i < s->n_problems; i++)
		free(s->problems[i]);
	free(s->problems);
	free(s->problem_frames);
	s->problems = NULL;
	s->problem_frames = NULL;
	s->n_problems = 0;
}

size_t bt_symbolizer_problems(struct bt_symbolizer *s,
			      const char *const **lines,
			      const uint64_t **frames)
{
	free_problems(s);
	*lines = NULL;
	if (frames)
		*frames = NULL;
	s->problems = zalloc(s->n_files, sizeof(*s->problems));
	s->problem_frames = zalloc(s->n_files, sizeof(*s->problem_frames));
	if (!s->problems || !s->problem_frames) {
		s->nomem = 1;
		return 0;
	}
	for (size_t i = 0; i < s->n_files; i++) {
		const struct modfile *mf = s->files[i];
		const char *what;
		if (!mf->loaded || mf->fn.status == BT_SYM_OK)
			continue;
		switch (mf->fn.status) {
		case BT_SYM_MODULE_MISSING:
			what = "missing";
			break;
		case BT_SYM_MODULE_CHANGED:
			what = "changed on disk since the build";
			break;
		case BT_SYM_NO_SYMBOLS:
			what = "no symbols";
			break;
		default:
			what = "unreadable";
			break;
		}
		s->problems[s->n_problems] =
		    fmtstr("%s: %s (%s); %" PRIu64 " frame%s unnamed", mf->base,
			   what, mf->fn.why ? mf->fn.why : "", mf->unnamed,
			   mf->unnamed == 1 ? "" : "s");
		if (!s->problems[s->n_problems]) {
			s->nomem = 1;
			continue;
		}
		s->problem_frames[s->n_problems] = mf->unnamed;
		s->n_problems++;
	}
	*lines = (const char *const *)s->problems;
	if (frames)
		*frames = s->problem_frames;
	return s->n_problems;
}

int bt_symbolizer_set_debug_dir(struct bt_symbolizer *s, const char *dir)
{
	char *copy = NULL;
	if (dir && !(copy = strdup(dir)))
		return -1;
	free(s->debug_dir);
	s->debug_dir = copy;
	return 0;
}

int bt_symbolizer_nomem(const struct bt_symbolizer *s)
{
	return s->nomem;
}

struct bt_symbolizer *bt_symbolizer_new(void)
{
	struct bt_symbolizer *s;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	s = zalloc(1, sizeof(*s));
	if (!s)
		return NULL;
	/* 8 MiB of address space; only the pages of used chunks are ever
	 * touched */
	s->func_chunks = zalloc(FUNC_CHUNKS, sizeof(*s->func_chunks));
	s->unknown_func = NO_ID;
	s->debug_dir = strdup("/usr/lib/debug");
	if (!s->func_chunks || !s->debug_dir || memo_grow(s) < 0) {
		bt_symbolizer_free(s);
		return NULL;
	}
	return s;
}

void bt_symbolizer_free(struct bt_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_files; i++) {
		struct modfile *mf = s->files[i];
		free(mf->path);
		free(mf->build_id);
		bt_elf_funcs_free(&mf->fn);
		free(mf);
	}
	free(s->files);
	free(s->file_tab);
	for (size_t i = 0; i < (s->n_funcs + FUNC_CHUNK - 1) / FUNC_CHUNK; i++)
		free(s->func_chunks[i]);
	free(s->func_chunks);
	free(s->func_tab);
	free(s->memo);
	free(s->bases);
	while (s->images) {
		struct bt_image_syms *m = s->images;
		s->images = m->next;
		free(m->map);
		free(m->reach);
		free(m->changes);
		free(m);
	}
	for (size_t i = 0; i < s->n_last; i++)
		free(s->last[i]);
	free(s->last);
	free_problems(s);
	free(s->debug_dir);
	arena_free(&s->strings);
	free(s);
}
