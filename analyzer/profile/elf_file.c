/* elf_file.c - one module file's identity and function table, read with
 * libelf (elf_file.h).
 *
 * Every allocation failure is carried up as -1 to bt_elf_read(), which
 * frees what was made and returns -1: the caller decides what running out
 * of memory means (base/xalloc.h).  libelf's own failures, its running out
 * of memory included, make the module unreadable, with elf_errmsg(). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "build_id.h"
#include "profile/elf_file.h"

#define MAX_PAGES (1u << 22) /* 16 MiB of index for 16 GiB of addresses */

/* What one bt_elf_read() works on. */
struct rd {
	const char *path;
	const char *bid;     /* as recorded: lower-case hex, or "" */
	const uint64_t *lay; /* as recorded */
	const char *debug_dir;
	struct bt_elf_funcs *f;
	int nomem;
};

/* A malloc'd printf, or NULL (and RD->nomem) when out of memory. */
static char *fmtstr(struct rd *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *fmtstr(struct rd *rd, const char *fmt, ...)
{
	char *p;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0) {
		p = NULL;
		rd->nomem = 1;
	}
	va_end(ap);
	return p;
}

/* The file is not the recorded module, or not readable as it: status ST
 * for the reason WHY (from fmtstr: NULL only when out of memory). */
static void fail(struct rd *rd, enum bt_sym_status st, char *why)
{
	rd->f->status = st;
	free(rd->f->why);
	rd->f->why = why;
}

struct cand {
	uint64_t lo, hi;   /* hi == lo: no size */
	uint64_t sect_end; /* end of its section, 0 if unknown */
	const char *name;
	int rank; /* 0 global, 1 weak, 2 local */
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->name, y->name);
}

/* Looks for a GNU build-id note in D; hex into OUT.  Returns 1 if found.
 * Notes in 8-aligned sections are ELF_T_NHDR8 (as gelf_getnote reads
 * them); PT_NOTE segments are read as ELF_T_NHDR, 4-aligned. */
static int note_build_id(Elf_Data *d, char *out, size_t cap)
{
	return bt_build_id_notes(d->d_buf, d->d_size,
				 d->d_type == ELF_T_NHDR8 ? 8 : 4, out, cap);
}

/* The file's GNU build-id as hex into OUT (empty if none): from the
 * PT_NOTE segments, as the recorder read it, else (separate debug files)
 * from the note sections.  Returns 0, or -1 on a libelf error. */
static int elf_build_id(Elf *e, char *out, size_t cap)
{
	size_t phnum;
	Elf_Scn *scn = NULL;
	out[0] = 0;
	if (elf_getphdrnum(e, &phnum) != 0)
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		if (!gelf_getphdr(e, (int)i, &ph))
			return -1;
		if (ph.p_type != PT_NOTE || ph.p_filesz == 0)
			continue;
		d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
					 ELF_T_NHDR);
		if (d && note_build_id(d, out, cap))
			return 0;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (d && note_build_id(d, out, cap))
			return 0;
	}
	return 0;
}

/* The layout as the recorder computes it from the program headers:
 * lowest and highest PT_LOAD addresses, then those of the executable
 * ones (0, 0 if none). */
static int elf_layout(Elf *e, uint64_t lay[4])
{
	size_t phnum;
	lay[0] = lay[2] = UINT64_MAX;
	lay[1] = lay[3] = 0;
	if (elf_getphdrnum(e, &phnum) != 0)
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t a, b;
		if (!gelf_getphdr(e, (int)i, &ph))
			return -1;
		if (ph.p_type != PT_LOAD)
			continue;
		a = ph.p_vaddr;
		b = a + ph.p_memsz;
		if (a < lay[0])
			lay[0] = a;
		if (b > lay[1])
			lay[1] = b;
		if (ph.p_flags & PF_X) {
			if (a < lay[2])
				lay[2] = a;
			if (b > lay[3])
				lay[3] = b;
		}
	}
	if (lay[0] == UINT64_MAX)
		lay[0] = lay[1] = 0;
	if (lay[2] == UINT64_MAX)
		lay[2] = lay[3] = 0;
	return 0;
}

int bt_elf_identity(Elf *e, const char *build_id, const uint64_t lay[4],
		    int *unverified, char *why, size_t cap)
{
	char bid[130];
	uint64_t got[4];
	*unverified = 0;
	if (elf_build_id(e, bid, sizeof(bid)) < 0 || elf_layout(e, got) < 0) {
		snprintf(why, cap, "%s", elf_errmsg(-1));
		return -1;
	}
	if (build_id[0] || bid[0]) {
		if (strcmp(build_id, bid) == 0)
			return 0;
		snprintf(why, cap, "build-id %s recorded, %s on disk",
			 build_id[0] ? build_id : "(none)",
			 bid[0] ? bid : "(none)");
		return 1;
	}
	/* No build-id on either side (the Rust toolchain's libraries have
	 * none): the layout is all there is to compare. */
	if (memcmp(got, lay, sizeof(got)) != 0) {
		snprintf(why, cap,
			 "no build-id, and the segments differ: "
			 "0x%" PRIx64 "-0x%" PRIx64 " recorded, "
			 "0x%" PRIx64 "-0x%" PRIx64 " on disk",
			 lay[0], lay[1], got[0], got[1]);
		return 1;
	}
	*unverified = 1;
	return 0;
}

/* Checks that E is the file the trace recorded.  Returns 0, or -1 with
 * the status changed (or unreadable). */
static int check_identity(struct rd *rd, Elf *e)
{
	char why[512];
	int rc = bt_elf_identity(e, rd->bid, rd->lay, &rd->f->unverified, why,
				 sizeof(why));
	if (rc < 0)
		fail(rd, BT_SYM_MODULE_UNREADABLE,
		     fmtstr(rd, "%s: %s", rd->path, why));
	else if (rc > 0)
		fail(rd, BT_SYM_MODULE_CHANGED, fmtstr(rd, "%s", why));
	return rc ? -1 : 0;
}

/* Collects the defined functions of symbol table SCN into *OUT, *N of
 * them.  Returns 0, or -1 out of memory. */
static int collect(Elf *e, Elf_Scn *scn, const uint64_t *sect_end, size_t shnum,
		   struct cand **out, size_t *np)
{
	GElf_Shdr sh;
	Elf_Data *d, *xd = NULL;
	Elf_Scn *x = NULL;
	struct cand *c;
	size_t n = 0, count;

	*out = NULL;
	*np = 0;
	if (!gelf_getshdr(scn, &sh) || sh.sh_entsize == 0)
		return 0;
	d = elf_getdata(scn, NULL);
	if (!d)
		return 0;
	/* Section indexes past 0xff00 live in a SHT_SYMTAB_SHNDX section. */
	while ((x = elf_nextscn(e, x))) {
		GElf_Shdr xs;
		if (gelf_getshdr(x, &xs) && xs.sh_type == SHT_SYMTAB_SHNDX &&
		    xs.sh_link == elf_ndxscn(scn)) {
			xd = elf_getdata(x, NULL);
			break;
		}
	}
	count = sh.sh_size / sh.sh_entsize;
	c = calloc(count ? count : 1, sizeof(*c));
	if (!c)
		return -1;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		Elf32_Word xndx = 0;
		size_t shndx;
		const char *name;
		int type, bind;
		if (!gelf_getsymshndx(d, xd, (int)i, &sym, &xndx))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		shndx = sym.st_shndx == SHN_XINDEX ? xndx : sym.st_shndx;
		if (shndx == SHN_UNDEF ||
		    (sym.st_shndx >= SHN_LORESERVE &&
		     sym.st_shndx != SHN_XINDEX) ||
		    sym.st_value == 0)
			continue;
		name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		c[n].lo = sym.st_value;
		c[n].hi = sym.st_value + sym.st_size;
		c[n].sect_end = shndx < shnum ? sect_end[shndx] : 0;
		c[n].name = name;
		c[n].rank = bind == STB_LOCAL ? 2 : bind == STB_WEAK ? 1 : 0;
		n++;
	}
	*out = c;
	*np = n;
	return 0;
}

struct flat {
	struct bt_elf_range *r;
	size_t n, cap;
};

static int flat_emit(struct flat *f, uint32_t sym, uint64_t lo, uint64_t hi)
{
	struct bt_elf_range *last = f->n ? &f->r[f->n - 1] : NULL;
	if (hi <= lo)
		return 0;
	if (hi - lo > UINT32_MAX)
		hi = lo + UINT32_MAX;
	if (last && last->sym == sym && last->lo + last->len == lo &&
	    (uint64_t)last->len + (hi - lo) <= UINT32_MAX) {
		last->len += (uint32_t)(hi - lo);
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		struct bt_elf_range *r = realloc(f->r, cap * sizeof(*r));
		if (!r)
			return -1;
		f->r = r;
		f->cap = cap;
	}
	f->r[f->n].lo = lo;
	f->r[f->n].len = (uint32_t)(hi - lo);
	f->r[f->n].sym = sym;
	f->n++;
	return 0;
}

/* Indexes F's ranges by page (a module that spans too much goes
 * without: its lookups search all the ranges).  Returns 0, or -1 out of
 * memory. */
static int build_pages(struct bt_elf_funcs *f)
{
	const struct bt_elf_range *r = f->ranges;
	size_t n = f->n_ranges, np, i = 0;
	if (!n)
		return 0;
	np = ((r[n - 1].lo + r[n - 1].len) >> BT_ELF_PAGE_BITS) + 2;
	if (np > MAX_PAGES)
		return 0;
	f->pages = calloc(np, sizeof(*f->pages));
	if (!f->pages)
		return -1;
	f->n_pages = np;
	for (size_t p = 0; p < np; p++) {
		while (i < n && r[i].lo < (uint64_t)p << BT_ELF_PAGE_BITS)
			i++;
		f->pages[p] = (uint32_t)i;
	}
	return 0;
}

/* Builds F's tables from candidates C[0..N) (sorted, one per address):
 * symbols without a size reach to the next symbol (or their section's
 * end); nested symbols are flattened so that the innermost wins.
 * Returns 0, or -1 out of memory. */
static int build_tables(struct bt_elf_funcs *f, struct cand *c, size_t n)
{
	struct flat fl = {NULL, 0, 0};
	size_t names_len = 0, *stack, top = 0;
	uint64_t cur = 0;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		if (c[i].hi > c[i].lo)
			continue;
		c[i].hi = i + 1 < n ? c[i + 1].lo : c[i].sect_end;
		if (c[i].sect_end > c[i].lo && c[i].hi > c[i].sect_end)
			c[i].hi = c[i].sect_end;
		if (c[i].hi <= c[i].lo)
			c[i].hi = c[i].lo + 1;
	}
	for (size_t i = 0; i < n; i++)
		names_len += strlen(c[i].name) + 1;
	f->syms = calloc(n ? n : 1, sizeof(*f->syms));
	f->names = calloc(names_len ? names_len : 1, 1);
	/* A stack of open symbols, ends decreasing towards the top. */
	stack = calloc(n ? n : 1, sizeof(*stack));
	if (!f->syms || !f->names || !stack)
		goto out;
	f->n_syms = n;
	names_len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(c[i].name) + 1;
		memcpy(f->names + names_len, c[i].name, len);
		f->syms[i].name = (uint32_t)names_len;
		f->syms[i].func = BT_ELF_NO_FUNC;
		names_len += len;
	}
	for (size_t i = 0; i < n; i++) {
		while (top && c[stack[top - 1]].hi <= c[i].lo) {
			size_t t = stack[--top];
			if (flat_emit(&fl, (uint32_t)t, cur, c[t].hi) < 0)
				goto out;
			if (c[t].hi > cur)
				cur = c[t].hi;
		}
		if (top &&
		    flat_emit(&fl, (uint32_t)stack[top - 1], cur, c[i].lo) < 0)
			goto out;
		cur = c[i].lo;
		while (top && c[stack[top - 1]].hi <= c[i].hi)
			top--; /* shadowed by the newer symbol to its end */
		stack[top++] = i;
	}
	while (top) {
		size_t t = stack[--top];
		if (flat_emit(&fl, (uint32_t)t, cur, c[t].hi) < 0)
			goto out;
		if (c[t].hi > cur)
			cur = c[t].hi;
	}
	f->ranges = fl.r;
	f->n_ranges = fl.n;
	fl.r = NULL;
	rc = build_pages(f);
out:
	free(fl.r);
	free(stack);
	return rc;
}

/* Sorts candidates and merges those at one address: the best-ranked name
 * (global, then weak, then local; then by name) with the largest size. */
static size_t dedup(struct cand *c, size_t n)
{
	size_t k = 0;
	qsort(c, n, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k && c[k - 1].lo == c[i].lo) {
			if (c[i].hi > c[k - 1].hi)
				c[k - 1].hi = c[i].hi;
			continue;
		}
		c[k++] = c[i];
	}
	return k;
}

/* Collects the functions of E's symbol table of TYPE (SHT_SYMTAB or
 * SHT_DYNSYM) into *C (names point into E), *N of them; *HAS says whether
 * there is such a table at all.  Returns 0, or -1 out of memory. */
static int elf_functions(Elf *e, Elf64_Word type, struct cand **c, size_t *n,
			 int *has)
{
	Elf_Scn *scn = NULL, *tab = NULL;
	size_t shnum = 0;
	uint64_t *sect_end;
	int rc;

	*c = NULL;
	*n = 0;
	*has = 0;
	if (elf_getshdrnum(e, &shnum) != 0)
		return 0;
	sect_end = calloc(shnum ? shnum : 1, sizeof(*sect_end));
	if (!sect_end)
		return -1;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		size_t i = elf_ndxscn(scn);
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (i < shnum && (sh.sh_flags & SHF_ALLOC))
			sect_end[i] = sh.sh_addr + sh.sh_size;
		if (sh.sh_type == type && !tab)
			tab = scn;
	}
	*has = tab != NULL;
	rc = tab ? collect(e, tab, sect_end, shnum, c, n) : 0;
	free(sect_end);
	return rc;
}

/* Opens the separate debug file of build-id BID under DIR
 * (DIR/.build-id/xx/yyyy.debug) if it is there and has that build-id. */
static Elf *open_debug_file(const char *dir, const char *bid, int *fdp)
{
	char path[4096], got[130];
	Elf *e;
	int fd;
	*fdp = -1;
	if (!dir || strlen(bid) < 3)
		return NULL;
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir, bid,
		 bid + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF ||
	    elf_build_id(e, got, sizeof(got)) < 0 || strcmp(got, bid) != 0) {
		if (e)
			elf_end(e);
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return e;
}

/* Reads the functions of E: its .symtab, else the .symtab of its
 * separate debug file (Debian's -dbg packages), else its .dynsym. */
static void read_elf(struct rd *rd, Elf *e)
{
	struct bt_elf_funcs *f = rd->f;
	struct cand *c = NULL;
	Elf *de = NULL;
	int has_symtab = 0, has_dynsym = 0, dfd = -1, dummy;
	size_t n = 0;

	if (elf_kind(e) != ELF_K_ELF) {
		fail(rd, BT_SYM_MODULE_UNREADABLE,
		     fmtstr(rd, "%s: not an ELF file", rd->path));
		return;
	}
	if (check_identity(rd, e) < 0)
		return;
	if (elf_functions(e, SHT_SYMTAB, &c, &n, &has_symtab) < 0)
		goto nomem;
	if (!n && rd->bid[0]) {
		de = open_debug_file(rd->debug_dir, rd->bid, &dfd);
		if (de) {
			free(c);
			if (elf_functions(de, SHT_SYMTAB, &c, &n, &dummy) < 0)
				goto nomem;
			f->debugfile = n > 0;
		}
	}
	if (!n) {
		free(c);
		if (elf_functions(e, SHT_DYNSYM, &c, &n, &has_dynsym) < 0)
			goto nomem;
		f->dynsym = n > 0;
	}
	if (!n) {
		fail(rd, BT_SYM_NO_SYMBOLS,
		     fmtstr(rd, "%s",
			    has_symtab || has_dynsym
				? "no function symbols"
				: "stripped: no symbol table"));
	} else {
		n = dedup(c, n);
		if (build_tables(f, c, n) < 0)
			goto nomem;
	}
	goto out;
nomem:
	rd->nomem = 1;
out:
	free(c);
	if (de)
		elf_end(de);
	if (dfd >= 0)
		close(dfd);
}

int bt_elf_is_vdso(const char *path)
{
	return strncmp(path, "linux-vdso", 10) == 0 ||
	       strncmp(path, "linux-gate", 10) == 0;
}

/* Our own vDSO, which is the traced one if the build-ids match (the
 * analysis runs on the machine and kernel that recorded).  Its copy must
 * outlive the Elf. */
static void read_vdso(struct rd *rd)
{
	const unsigned char *v =
	    (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)v;
	size_t size;
	char *copy;
	Elf *e;

	if (!v || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64) {
		fail(rd, BT_SYM_MODULE_MISSING,
		     fmtstr(rd, "no vDSO to read here"));
		return;
	}
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph =
		    (const Elf64_Phdr *)(v + eh->e_phoff +
					 (size_t)i * eh->e_phentsize);
		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
	}
	copy = malloc(size ? size : 1);
	if (!copy) {
		rd->nomem = 1;
		return;
	}
	memcpy(copy, v, size);
	e = elf_memory(copy, size);
	if (!e) {
		fail(rd, BT_SYM_MODULE_UNREADABLE,
		     fmtstr(rd, "vDSO: %s", elf_errmsg(-1)));
	} else {
		read_elf(rd, e);
		elf_end(e);
	}
	free(copy);
	if (rd->f->status == BT_SYM_MODULE_CHANGED)
		fail(rd, BT_SYM_MODULE_MISSING,
		     fmtstr(rd,
			    "the traced kernel's vDSO (build-id %s) is not "
			    "this one",
			    rd->bid[0] ? rd->bid : "none"));
}

int bt_elf_read(const char *path, const char *build_id, const uint64_t lay[4],
		const char *debug_dir, struct bt_elf_funcs *f)
{
	struct rd rd = {path, build_id, lay, debug_dir, f, 0};
	int fd;
	Elf *e;

	memset(f, 0, sizeof(*f));
	f->status = BT_SYM_OK;
	if (bt_elf_is_vdso(path)) {
		read_vdso(&rd);
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int err = errno;
		fail(&rd,
		     err == ENOENT || err == ENOTDIR ? BT_SYM_MODULE_MISSING
						     : BT_SYM_MODULE_UNREADABLE,
		     fmtstr(&rd, "%s: %s", path, strerror(err)));
	} else {
		e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (!e)
			fail(&rd, BT_SYM_MODULE_UNREADABLE,
			     fmtstr(&rd, "%s: %s", path, elf_errmsg(-1)));
		else
			read_elf(&rd, e);
		if (e)
			elf_end(e);
		close(fd);
	}
	if (rd.nomem) {
		bt_elf_funcs_free(f);
		return -1;
	}
	return 0;
}

void bt_elf_funcs_free(struct bt_elf_funcs *f)
{
	free(f->why);
	free(f->ranges);
	free(f->pages);
	free(f->syms);
	free(f->names);
	memset(f, 0, sizeof(*f));
}
