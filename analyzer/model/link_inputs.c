/* link_inputs.c - section sizes of the linkers' inputs (link_inputs.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hash.h"
#include "model/link_inputs.h"
#include "model/schedule.h"
#include "model/trace_reader.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The debuginfo section a section's name is, relocations included
 * (".rela.debug_info" -> ".debug_info"), or NULL. */
static const char *debug_section(const char *name)
{
	if (!name)
		return NULL;
	if (!strncmp(name, ".rela.", 6))
		name += 5;
	else if (!strncmp(name, ".rel.", 5))
		name += 4;
	return strncmp(name, ".debug_", 7) ? NULL : name;
}

/* The part of the debuginfo (link_inputs.def) that debuginfo section
 * NAME is in, or NULL for the rest. */
static uint64_t *part_of(struct bt_section_bytes *out, const char *name,
			 uint64_t **work)
{
#define LINK_SECTION(sname, part)                                              \
	if (!strcmp(name, sname)) {                                            \
		*work = &out->part##_work;                                     \
		return &out->part;                                             \
	}
#include "model/link_inputs.def"
#undef LINK_SECTION
	*work = NULL;
	return NULL;
}

/* Whether ELF object E defines a global symbol: an archive member that
 * defines none is never pulled into a link (an .rlib's lib.rmeta, a
 * .dwo file). */
static int defines_symbol(Elf *e)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		/* the globals follow the locals (sh_info is the first) */
		for (size_t i = sh.sh_info; i < n; i++) {
			GElf_Sym sym;
			if (gelf_getsym(d, (int)i, &sym) &&
			    sym.st_shndx != SHN_UNDEF &&
			    GELF_ST_BIND(sym.st_info) != STB_LOCAL)
				return 1;
		}
	}
	return 0;
}

/* Adds the sections of one ELF object. */
static void add_elf(Elf *e, struct bt_section_bytes *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) < 0)
		return;
	out->objects++;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *raw, *name;
		uint64_t *part, *part_work;
		int work;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		out->total += sh.sh_size;
		raw = elf_strptr(e, shstrndx, sh.sh_name);
		name = debug_section(raw);
		if (!name)
			continue;
		/* the linker's work: a relocation each, a string each */
		work = sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL ||
		       (sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) ==
			   (SHF_MERGE | SHF_STRINGS);
		out->debug += sh.sh_size;
		out->debug_work += work ? sh.sh_size : 0;
		part = part_of(out, name, &part_work);
		if (part) {
			*part += sh.sh_size;
			*part_work += work ? sh.sh_size : 0;
		}
	}
}

/* Adds archive member M: skipped when it defines no symbol. */
static void add_member(Elf *m, struct bt_section_bytes *out)
{
	Elf_Arhdr *h = elf_getarhdr(m);
	if (elf_kind(m) != ELF_K_ELF)
		return;
	if (!defines_symbol(m)) {
		out->skipped += h ? (uint64_t)h->ar_size : 0;
		return;
	}
	add_elf(m, out);
}

int bt_section_bytes_of_file(const char *path, struct bt_section_bytes *out)
{
	int fd, rc = -1;
	Elf *ar;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ar = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (ar && elf_kind(ar) == ELF_K_AR) {
		Elf *m;
		Elf_Cmd cmd = ELF_C_READ_MMAP;
		/* members: objects, and the ones never linked */
		while ((m = elf_begin(fd, cmd, ar)) != NULL) {
			add_member(m, out);
			cmd = elf_next(m);
			elf_end(m);
		}
		rc = 0;
	} else if (ar && elf_kind(ar) == ELF_K_ELF) {
		add_elf(ar, out);
		rc = 0;
	}
	if (ar)
		elf_end(ar);
	close(fd);
	return rc;
}

void bt_section_bytes_add(struct bt_section_bytes *to,
			  const struct bt_section_bytes *b)
{
	to->total += b->total;
	to->debug += b->debug;
	to->lines += b->lines;
	to->ranges += b->ranges;
	to->locs += b->locs;
	to->debug_work += b->debug_work;
	to->lines_work += b->lines_work;
	to->ranges_work += b->ranges_work;
	to->locs_work += b->locs_work;
	to->skipped += b->skipped;
	to->objects += b->objects;
}

/* A string -> value table (open addressing), for the files read once
 * however many links name them (every link names the standard library's
 * rlibs, each an archive of hundreds of objects) and for the units by
 * output stem. */
struct str_tab {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

/* The slot of KEY: its own, or the empty one where it would go. */
static size_t tab_slot(const struct str_tab *t, const char *key)
{
	size_t i = bt_hash_str(BT_HASH_SEED, key) & (t->cap - 1);
	while (t->keys[i] && strcmp(t->keys[i], key))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int tab_get(const struct str_tab *t, const char *key, size_t *val)
{
	size_t i;
	if (!t->cap)
		return 0;
	i = tab_slot(t, key);
	if (!t->keys[i])
		return 0;
	*val = t->vals[i];
	return 1;
}

static int tab_put(struct str_tab *t, const char *key, size_t val)
{
	size_t i;
	if ((t->n + 1) * 2 > t->cap) {
		struct str_tab g = {0};
		g.cap = t->cap ? t->cap * 2 : 64;
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.vals = calloc(g.cap, sizeof(*g.vals));
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -1;
		}
		for (size_t j = 0; j < t->cap; j++)
			if (t->keys[j]) {
				size_t k = tab_slot(&g, t->keys[j]);
				g.keys[k] = t->keys[j];
				g.vals[k] = t->vals[j];
			}
		g.n = t->n;
		free(t->keys);
		free(t->vals);
		*t = g;
	}
	i = tab_slot(t, key);
	if (!t->keys[i]) {
		t->keys[i] = strdup(key);
		if (!t->keys[i])
			return -1;
		t->n++;
	}
	t->vals[i] = val;
	return 0;
}

static void tab_free(struct str_tab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->vals);
}

struct reader {
	const struct bt_build *b;
	struct str_tab units;  /* output stem -> unit index */
	struct str_tab files;  /* path -> index in bytes, or SIZE_MAX */
	struct str_tab reused; /* path -> enum bt_origin */
	struct bt_section_bytes *bytes;
	size_t n_bytes, n_reused, n_reused_deps;
	size_t *made; /* per unit: the objects it made, read (objects_made) */
};

/* The unit that produced the file at PATH ("lib<crate><extra>.rlib"), or
 * NULL. */
static const struct bt_unit *producer(struct reader *r, const char *path)
{
	char stem[BT_OUTPUT_KEY_MAX];
	size_t i;
	bt_output_stem(path, stem, sizeof(stem));
	return tab_get(&r->units, stem, &i) ? &r->b->units[i] : NULL;
}

/* Whether the files at A and B are one (a hard link), or a copy with the
 * same size and modification time. */
static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	if (stat(a, &x) < 0 || stat(b, &y) < 0)
		return 0;
	if (x.st_dev == y.st_dev && x.st_ino == y.st_ino)
		return 1;
	return x.st_size == y.st_size && x.st_mtim.tv_sec == y.st_mtim.tv_sec &&
	       x.st_mtim.tv_nsec == y.st_mtim.tv_nsec;
}

enum bt_origin bt_rlib_origin(const char *path)
{
	char other[PATH_MAX];
	const char *base = strrchr(path, '/'), *dash;
	int dir_len, stem_len;
	base = base ? base + 1 : path;
	dir_len = (int)(base - path);
	dash = strrchr(base, '-');
	if (strncmp(base, "lib", 3) || !ends_with(base, ".rlib") || !dash ||
	    strlen(path) + 8 > sizeof(other))
		return BT_ORIGIN_NONE;
	/* deps/libfoo-123.rlib: cargo's if deps/foo-123.d is there */
	stem_len = (int)(strlen(base) - 8); /* "foo-123" */
	snprintf(other, sizeof(other), "%.*s%.*s.d", dir_len, path, stem_len,
		 base + 3);
	if (access(other, F_OK) < 0)
		return BT_ORIGIN_NONE;
	/* a member's is uplifted to deps/../libfoo.rlib */
	if (dir_len < 6 || strncmp(base - 6, "/deps/", 6))
		return BT_ORIGIN_DEPENDENCY;
	snprintf(other, sizeof(other), "%.*s%.*s.rlib", dir_len - 5, path,
		 (int)(dash - base), base);
	return same_file(path, other) ? BT_ORIGIN_MEMBER : BT_ORIGIN_DEPENDENCY;
}

/* The origin of an .rlib at PATH that no unit of this build produced
 * (bt_rlib_origin), looked up once per path. */
static enum bt_origin reused_origin(struct reader *r, const char *path)
{
	size_t val;
	if (tab_get(&r->reused, path, &val))
		return (enum bt_origin)val;
	val = bt_rlib_origin(path);
	r->n_reused += val != BT_ORIGIN_NONE;
	r->n_reused_deps += val == BT_ORIGIN_DEPENDENCY;
	if (tab_put(&r->reused, path, val) < 0)
		return BT_ORIGIN_NONE;
	return (enum bt_origin)val;
}

/* The section sizes of the file at PATH, read once: 1 when read now, 0
 * when read before, -1 if unreadable. */
static int file_bytes(struct reader *r, const char *path,
		      struct bt_section_bytes *sb)
{
	size_t i;
	struct bt_section_bytes *nb;
	if (tab_get(&r->files, path, &i)) {
		if (i == SIZE_MAX)
			return -1;
		*sb = r->bytes[i];
		return 0;
	}
	if (bt_section_bytes_of_file(path, sb) < 0)
		return tab_put(&r->files, path, SIZE_MAX), -1;
	nb = realloc(r->bytes, (r->n_bytes + 1) * sizeof(*nb));
	if (nb) {
		r->bytes = nb;
		r->bytes[r->n_bytes] = *sb;
		if (tab_put(&r->files, path, r->n_bytes) == 0) {
			r->n_bytes++;
			return 1;
		}
	}
	return 0; /* not remembered (no memory): read again if met again */
}

/* The incremental session directory unit U's compilation used, into OUT
 * (CAP bytes): the newest DIR/<crate>-<hash>/s-* of its
 * `-C incremental=DIR`.  Returns 0, or -1 if it has none. */
static int incr_session(const struct bt_unit *u, char *out, size_t cap)
{
	const struct bt_image *im = bt_proc_last(u->node->proc);
	const char *dir = NULL;
	char base[PATH_MAX], sub[PATH_MAX];
	size_t crate_len = strlen(u->flags.crate_name);
	struct timespec best = {0};
	DIR *d, *sd;
	struct dirent *e, *se;
	int argc = im ? (int)im->start.argc_kept : 0;

	for (int a = 1; a < argc && !dir; a++) {
		const char *v = im->argv[a];
		if (!strcmp(v, "-C") && a + 1 < argc)
			v = im->argv[++a];
		else if (!strncmp(v, "-C", 2))
			v += 2;
		if (!strncmp(v, "incremental=", 12))
			dir = v + 12;
	}
	if (!dir || !crate_len)
		return -1;
	if (dir[0] == '/' || !im->cwd)
		snprintf(base, sizeof(base), "%s", dir);
	else
		snprintf(base, sizeof(base), "%s/%s", im->cwd, dir);
	out[0] = '\0';
	d = opendir(base);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, u->flags.crate_name, crate_len) ||
		    e->d_name[crate_len] != '-')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", base, e->d_name) >=
			(int)sizeof(sub) ||
		    !(sd = opendir(sub)))
			continue;
		while ((se = readdir(sd)) != NULL) {
			char sess[PATH_MAX];
			struct stat st;
			if (strncmp(se->d_name, "s-", 2) ||
			    ends_with(se->d_name, "-working") ||
			    snprintf(sess, sizeof(sess), "%s/%s", sub,
				     se->d_name) >= (int)sizeof(sess) ||
			    stat(sess, &st) < 0 || !S_ISDIR(st.st_mode) ||
			    st.st_mtim.tv_sec < best.tv_sec ||
			    (st.st_mtim.tv_sec == best.tv_sec &&
			     st.st_mtim.tv_nsec <= best.tv_nsec))
				continue;
			best = st.st_mtim;
			snprintf(out, cap, "%s", sess);
		}
		closedir(sd);
	}
	closedir(d);
	return out[0] ? 0 : -1;
}

/* The incremental cache's copy of a deleted object ARG of unit U:
 * rustc links <stem>.<cgu>.<suffix>.rcgu.o, a copy of <cgu>.o in the
 * session directory, and deletes it after the link; the cache keeps
 * it.  SESSION is looked up once per link (*HAVE: 0 not yet, 1 found,
 * -1 none).  Returns 0 with PATH set, or -1. */
static int incr_copy(const struct bt_unit *u, const char *arg, char *session,
		     int *have, char *path, size_t cap)
{
	const char *base = strrchr(arg, '/'), *cgu, *end;
	base = base ? base + 1 : arg;
	if (!ends_with(base, ".rcgu.o") || !(cgu = strchr(base, '.')) ||
	    !(end = strchr(cgu + 1, '.')))
		return -1;
	if (!*have)
		*have = incr_session(u, session, PATH_MAX) == 0 ? 1 : -1;
	if (*have < 0)
		return -1;
	snprintf(path, cap, "%s/%.*s.o", session, (int)(end - cgu - 1),
		 cgu + 1);
	return 0;
}

/* Reads the inputs of one link driver node N of unit U. */
static void read_link(struct reader *r, const struct bt_node *n,
		      const struct bt_unit *u, struct bt_link_inputs *out)
{
	const struct bt_image *im = bt_proc_last(n->proc);
	int argc = im ? (int)im->start.argc_kept : 0;
	char session[PATH_MAX];
	int have_session = 0;
	for (int a = 1; a < argc; a++) {
		const char *arg = im->argv[a];
		char path[PATH_MAX];
		struct bt_section_bytes sb;
		const struct bt_unit *p;
		int got;
		if (!strcmp(arg, "-o")) {
			a++;
			continue;
		}
		if (arg[0] == '-' ||
		    !(ends_with(arg, ".o") || ends_with(arg, ".rlib") ||
		      ends_with(arg, ".a")))
			continue;
		if (arg[0] == '/' || !im->cwd)
			snprintf(path, sizeof(path), "%s", arg);
		else
			snprintf(path, sizeof(path), "%s/%s", im->cwd, arg);
		out->n_inputs++;
		got = file_bytes(r, path, &sb);
		if (got < 0 && u->flags.incremental &&
		    incr_copy(u, arg, session, &have_session, path,
			      sizeof(path)) == 0)
			got = file_bytes(r, path, &sb);
		if (got < 0) {
			out->n_missing++;
			continue;
		}
		bt_section_bytes_add(&out->all, &sb);
		p = ends_with(arg, ".o") ? u : producer(r, arg);
		if (p && got == 1)
			r->made[p - r->b->units] += (size_t)sb.objects;
		if (p) {
			/* this build's units: as their flags say */
			if (bt_unit_debug_level(p) > 0)
				bt_section_bytes_add(p->primary ? &out->primary
								: &out->deps,
						     &sb);
			continue;
		}
		switch (reused_origin(r, path)) {
		case BT_ORIGIN_MEMBER:
			bt_section_bytes_add(&out->primary, &sb);
			out->n_reused++;
			break;
		case BT_ORIGIN_DEPENDENCY:
			bt_section_bytes_add(&out->deps, &sb);
			out->n_reused++;
			break;
		default:
			break;
		}
	}
}

int bt_link_inputs_read(const struct bt_build *b, struct bt_link_inputs *out,
			struct bt_link_census *census)
{
	struct reader r = {.b = b};
	int rc = 0;
	memset(out, 0, b->n_units * sizeof(*out));
	memset(census, 0, sizeof(*census));
	r.made = calloc(b->n_units + 1, sizeof(*r.made));
	if (!r.made)
		return -1;
	/* the first unit of each output stem, as a scan in order finds */
	for (size_t i = b->n_units; i-- > 0;) {
		char key[BT_OUTPUT_KEY_MAX];
		if (!b->units[i].has_flags)
			continue;
		bt_unit_output_key(&b->units[i], key, sizeof(key));
		if (key[0] && tab_put(&r.units, key, i) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < b->n_nodes && rc == 0; i++) {
		const struct bt_node *n = &b->nodes[i];
		if (n->kind != BT_KIND_LINKER || !n->parent ||
		    n->parent->kind == BT_KIND_LINKER || !n->unit)
			continue;
		read_link(&r, n, n->unit, &out[n->unit - b->units]);
	}
	for (size_t i = 0; i < b->n_units; i++) {
		census->inputs += out[i].n_inputs;
		census->missing += out[i].n_missing;
		out[i].objects_made = r.made[i];
	}
	census->reused_crates = r.n_reused;
	census->reused_deps = r.n_reused_deps;
	tab_free(&r.units);
	tab_free(&r.reused);
	tab_free(&r.files);
	free(r.bytes);
	free(r.made);
	return rc;
}
