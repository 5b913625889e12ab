/* toolchain.c - which rustc each compilation ran (toolchain.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/toolchain.h"
#include "profile/elf_file.h"

#define DRIVER_PREFIX "librustc_driver-"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* A version token's character: "1.97.0-nightly", "1.96.0-beta.3". */
static int is_vchar(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '-';
}

/* The length of "X.Y.Z" at P (at most N bytes), or 0. */
static size_t xyz_len(const char *p, size_t n)
{
	size_t i = 0;
	for (int part = 0; part < 3; part++) {
		size_t d = i;
		while (i < n && is_digit(p[i]))
			i++;
		if (i == d || i - d > 5)
			return 0;
		if (part < 2) {
			if (i == n || p[i] != '.')
				return 0;
			i++;
		}
	}
	return i;
}

/* The versions a scan met, each with its count: the most frequent wins
 * (a string in .rodata is not NUL-separated from the one before it, so
 * a digit there can make one occurrence read "21.95.0"). */
#define MAX_SEEN 8
struct seen {
	char v[MAX_SEEN][96];
	size_t n[MAX_SEEN];
	int k;
};

struct scan {
	struct seen full; /* "1.95.0 (59807616e 2026-04-14)" */
	struct seen path; /* "1.63.0", from "/rustc-1.63.0/" */
};

static void note(struct seen *s, const char *p, size_t n)
{
	int i;
	if (n >= sizeof(s->v[0]))
		return;
	for (i = 0; i < s->k; i++)
		if (strlen(s->v[i]) == n && !memcmp(s->v[i], p, n)) {
			s->n[i]++;
			return;
		}
	if (s->k == MAX_SEEN)
		return;
	memcpy(s->v[s->k], p, n);
	s->v[s->k][n] = 0;
	s->n[s->k++] = 1;
}

/* The most frequent version: 1, 0 none, -1 a tie. */
static int best(const struct seen *s, const char **v)
{
	int top = -1, tie = 0;
	for (int i = 0; i < s->k; i++)
		if (top < 0 || s->n[i] > s->n[top]) {
			top = i;
			tie = 0;
		} else if (s->n[i] == s->n[top]) {
			tie = 1;
		}
	if (top < 0)
		return 0;
	*v = s->v[top];
	return tie ? -1 : 1;
}

/* Whether P[0..N) is "X.Y.Z" or "X.Y.Z-tag" (tag: [a-z0-9.]). */
static int version_token(const char *p, size_t n)
{
	size_t l = xyz_len(p, n);
	if (!l)
		return 0;
	if (l == n)
		return 1;
	if (p[l] != '-' || l + 1 == n)
		return 0;
	for (size_t i = l + 1; i < n; i++)
		if (!is_vchar(p[i]) || p[i] == '-')
			return 0;
	return 1;
}

/* "X.Y.Z[-tag] (HASH YYYY-MM-DD)" around the '(' at P + I. */
static void scan_full(struct scan *s, const char *p, size_t n, size_t i)
{
	size_t j = i + 1, h, start, end;
	if (i < 6 || p[i - 1] != ' ')
		return;
	for (h = 0; j < n && is_hex(p[j]); j++, h++)
		;
	if (h < 7 || h > 40 || j + 12 > n || p[j] != ' ')
		return;
	for (int k = 1; k <= 10; k++) {
		char c = p[j + k];
		if (k == 5 || k == 8 ? c != '-' : !is_digit(c))
			return;
	}
	if (p[j + 11] != ')')
		return;
	end = j + 12;
	start = i - 1;
	while (start > 0 && i - start < 40 && is_vchar(p[start - 1]))
		start--;
	/* the version starts at a digit that follows no digit or dot:
	 * "prefix1.95.0" is 1.95.0 */
	for (; start < i - 1; start++)
		if (is_digit(p[start]) &&
		    (start == 0 ||
		     !(is_digit(p[start - 1]) || p[start - 1] == '.')) &&
		    version_token(p + start, i - 1 - start))
			break;
	if (start < i - 1)
		note(&s->full, p + start, end - start);
}

/* "/rustc-X.Y.Z/" (or "-src/") at P + I, the "/rustc-" found there. */
static void scan_path(struct scan *s, const char *p, size_t n, size_t i)
{
	size_t v = i + 7, l = xyz_len(p + v, n - v);
	if (!l || v + l >= n)
		return;
	if (p[v + l] != '/' &&
	    !(v + l + 5 <= n && !memcmp(p + v + l, "-src/", 5)))
		return;
	note(&s->path, p + v, l);
}

static void scan_bytes(struct scan *s, const char *p, size_t n)
{
	const char *q;
	for (q = memchr(p, '(', n); q;
	     q = memchr(q + 1, '(', n - (size_t)(q + 1 - p)))
		scan_full(s, p, n, (size_t)(q - p));
	for (q = memmem(p, n, "/rustc-", 7); q;
	     q = memmem(q + 1, n - (size_t)(q + 1 - p), "/rustc-", 7))
		scan_path(s, p, n, (size_t)(q - p));
}

/* The result of a scan, as bt_rustc_version_scan returns it. */
static int scan_result(const struct scan *s, char *out, size_t cap,
		       const char **source)
{
	const char *v = NULL;
	int rc = best(&s->full, &v);
	int from_path = 0;
	*source = NULL;
	out[0] = 0;
	if (rc == 0 && (rc = best(&s->path, &v)) > 0)
		from_path = 1;
	if (rc <= 0)
		return rc;
	if (strlen(v) >= cap)
		return 0; /* a version that does not fit is none */
	memcpy(out, v, strlen(v) + 1);
	*source = from_path ? "source paths" : "librustc_driver";
	return 1;
}

int bt_rustc_version_scan(const char *p, size_t n, char *out, size_t cap,
			  const char **source)
{
	struct scan s = {0};
	scan_bytes(&s, p, n);
	return scan_result(&s, out, cap, source);
}

int bt_rustc_version_of_llvm(const char *name, char *out, size_t cap)
{
	const char *v = strstr(name, "-rust-");
	size_t l;
	out[0] = 0;
	if (strncmp(name, "libLLVM", 7) || !v)
		return 0;
	v += 6;
	l = strlen(v);
	if (l > 3 && !strcmp(v + l - 3, ".so"))
		l -= 3;
	if (!xyz_len(v, l))
		return 0;
	for (size_t i = 0; i < l; i++)
		if (!is_vchar(v[i]))
			return 0;
	/* rustc -V says "1.95.0" for stable, "1.97.0-nightly" otherwise */
	if (l > 7 && !strncmp(v + l - 7, "-stable", 7))
		l -= 7;
	if (l >= cap)
		return 0;
	memcpy(out, v, l);
	out[l] = 0;
	return 1;
}

/* The recorded module M's layout, as profile/symbolize.c computes it. */
static void layout_of(const struct bt_module *m, uint64_t lay[4])
{
	const struct bt_rec_module *r = &m->rec;
	lay[0] = r->start - r->bias;
	lay[1] = r->end - r->bias;
	lay[2] = r->exec_end ? r->exec_start - r->bias : 0;
	lay[3] = r->exec_end ? r->exec_end - r->bias : 0;
}

/* Reads the version of the driver module M into T (version, source), or
 * the reason it cannot into T->why. */
static void read_driver(const struct bt_module *m, struct bt_toolchain *t)
{
	const char *base = base_name(m->path);
	uint64_t lay[4];
	struct scan s = {0};
	struct stat st;
	char why[512];
	int fd, unverified, rc;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *e = NULL;

	/* O_NONBLOCK: a FIFO planted at the path must not hang us */
	fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(t->why, sizeof(t->why), "%s: %s since the build", base,
			 errno == ENOENT ? "gone" : strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(t->why, sizeof(t->why), "%s: not a regular file",
			 base);
		goto out;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		snprintf(t->why, sizeof(t->why), "%s: %s", base,
			 e ? "not an ELF file" : elf_errmsg(-1));
		goto out;
	}
	layout_of(m, lay);
	rc = bt_elf_identity(e, m->build_id ? m->build_id : "", lay,
			     &unverified, why, sizeof(why));
	if (rc) {
		snprintf(t->why, sizeof(t->why),
			 "%.64s %s since the build (%.160s)", base,
			 rc > 0 ? "changed" : "unreadable", why);
		goto out;
	}
	if (elf_getshdrstrndx(e, &shstrndx) != 0) {
		snprintf(t->why, sizeof(t->why), "%s: %s", base,
			 elf_errmsg(-1));
		goto out;
	}
	/* the read-only data: .rodata, and BOLT's .bolt.org.rodata where
	 * rustup's drivers keep it */
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) ||
		    (sh.sh_flags & (SHF_EXECINSTR | SHF_WRITE)))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || !strstr(name, "rodata"))
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && d->d_size)
			scan_bytes(&s, d->d_buf, d->d_size);
	}
	rc = scan_result(&s, t->version, sizeof(t->version), &t->source);
	if (rc < 0)
		snprintf(t->why, sizeof(t->why),
			 "%s holds several version strings", base);
	else if (rc == 0)
		snprintf(t->why, sizeof(t->why), "%s holds no version string",
			 base);
out:
	if (e)
		elf_end(e);
	close(fd);
}

/* The toolchain's name, as compare.c showed it before versions: rustup's
 * toolchain directory of the rustc, else RUSTUP_TOOLCHAIN, else the
 * executable's path. */
static void name_of(const struct bt_image *img, char *buf, size_t cap)
{
	const char *exe = img && img->exe ? img->exe : "";
	const char *t = strstr(exe, "/toolchains/");
	const char *env = img ? bt_image_env(img, "RUSTUP_TOOLCHAIN") : NULL;

	if (t) {
		t += strlen("/toolchains/");
		snprintf(buf, cap, "%.*s", (int)strcspn(t, "/"), t);
	} else if (env) {
		snprintf(buf, cap, "%s", env);
	} else {
		snprintf(buf, cap, "%s", exe[0] ? exe : "?");
	}
}

static const struct bt_module *module_named(const struct bt_image *img,
					    const char *prefix)
{
	for (size_t i = 0; img && i < img->n_modules; i++) {
		const char *m = img->modules[i].path;
		if (m && !strncmp(base_name(m), prefix, strlen(prefix)))
			return &img->modules[i];
	}
	return NULL;
}

/* A new toolchain for the compilation whose last image is IMG, resolved
 * (toolchain.h, 1 to 3). */
static void resolve(const struct bt_image *img, const struct bt_module *drv,
		    struct bt_toolchain *t)
{
	const struct bt_module *llvm = NULL;

	for (size_t i = 0; img && i < img->n_modules && !llvm; i++) {
		const char *m = img->modules[i].path;
		char v[64];
		if (m && bt_rustc_version_of_llvm(base_name(m), v, sizeof(v)))
			llvm = &img->modules[i];
	}
	if (drv)
		read_driver(drv, t);
	else if (!img || !img->n_modules)
		snprintf(t->why, sizeof(t->why), "not sampled (no module map)");
	else
		snprintf(t->why, sizeof(t->why),
			 "no " DRIVER_PREFIX "*.so in its module map");
	if (!t->version[0] && llvm &&
	    bt_rustc_version_of_llvm(base_name(llvm->path), t->version,
				     sizeof(t->version)))
		t->source = "libLLVM name";
}

static int find(const struct bt_build *b, const char *name, const char *drv)
{
	for (size_t i = 0; i < b->n_toolchains; i++)
		if (!strcmp(b->toolchains[i].name, name) &&
		    !strcmp(b->toolchains[i].driver, drv))
			return (int)i;
	return -1;
}

/* The one toolchain named NAME, or -1 (none, or several drivers). */
static int only_one_named(const struct bt_build *b, const char *name)
{
	int k = -1;
	for (size_t i = 0; i < b->n_toolchains; i++)
		if (!strcmp(b->toolchains[i].name, name)) {
			if (k >= 0)
				return -1;
			k = (int)i;
		}
	return k;
}

static int add(struct bt_build *b)
{
	struct bt_toolchain *t =
	    realloc(b->toolchains, (b->n_toolchains + 1) * sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	b->toolchains = t;
	memset(&t[b->n_toolchains], 0, sizeof(*t));
	return (int)b->n_toolchains++;
}

int bt_toolchains_make(struct bt_build *b)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < b->n_units; i++)
		b->units[i].toolchain = -1;
	/* Two rounds: the sampled compilations, whose driver is known, then
	 * the others, which join the one toolchain of their name if there
	 * is one (a toolchain directory does not change within a build). */
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < b->n_units; i++) {
			struct bt_unit *u = &b->units[i];
			const struct bt_proc *p = u->node->proc;
			const struct bt_image *img = p ? bt_proc_last(p) : NULL;
			const struct bt_module *drv =
			    module_named(img, DRIVER_PREFIX);
			char name[128], driver[64] = "";
			int k;
			if (u->node->kind != BT_KIND_RUSTC ||
			    (round == 0) != (drv != NULL))
				continue;
			name_of(img, name, sizeof(name));
			if (drv)
				snprintf(
				    driver, sizeof(driver), "%.*s",
				    (int)strcspn(base_name(drv->path), "."),
				    base_name(drv->path));
			k = find(b, name, driver);
			if (k < 0 && !drv)
				k = only_one_named(b, name);
			if (k < 0) {
				if ((k = add(b)) < 0)
					return -1;
				snprintf(b->toolchains[k].name,
					 sizeof(b->toolchains[k].name), "%s",
					 name);
				snprintf(b->toolchains[k].driver,
					 sizeof(b->toolchains[k].driver), "%s",
					 driver);
				resolve(img, drv, &b->toolchains[k]);
			}
			u->toolchain = k;
			b->toolchains[k].units++;
		}
	return 0;
}

void bt_toolchain_label(const struct bt_toolchain *t, char *buf, size_t cap)
{
	if (t->version[0])
		snprintf(buf, cap, "%s", t->version);
	else if (t->driver[0])
		snprintf(buf, cap, "%s (%s), version unknown", t->name,
			 t->driver);
	else
		snprintf(buf, cap, "%s, version unknown", t->name);
}
