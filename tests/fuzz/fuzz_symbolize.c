/* fuzz_symbolize.c - libFuzzer target for the symbolizer's ELF input: any
 * bytes as a module file named by a trace (a truncated library, a file
 * replaced since the build, a hostile one) give names or clean "unreadable"
 * stand-ins, never a crash, a leak or an out-of-bounds read.
 *
 * The input is written to a memfd that a one-module image names.  Its
 * recorded layout is taken from the input's own program headers, so the
 * symbolizer goes on to read the symbol tables rather than stopping at
 * "changed since the build"; a file with a build-id is read a second time
 * with the build-id the first pass found on it. */
#define _GNU_SOURCE
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile/symbolize.h"

static int fd = -1;
static char path[64];

static void layout(const uint8_t *data, size_t size, uint64_t lay[4])
{
	char *copy = malloc(size ? size : 1);
	Elf *e;
	size_t phnum;
	lay[0] = lay[2] = UINT64_MAX;
	lay[1] = lay[3] = 0;
	memcpy(copy, data, size);
	e = elf_memory(copy, size);
	if (e && elf_getphdrnum(e, &phnum) == 0) {
		for (size_t i = 0; i < phnum && i < 4096; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph) ||
			    ph.p_type != PT_LOAD)
				continue;
			if (ph.p_vaddr < lay[0])
				lay[0] = ph.p_vaddr;
			if (ph.p_vaddr + ph.p_memsz > lay[1])
				lay[1] = ph.p_vaddr + ph.p_memsz;
			if ((ph.p_flags & PF_X) && ph.p_vaddr < lay[2])
				lay[2] = ph.p_vaddr;
			if ((ph.p_flags & PF_X) &&
			    ph.p_vaddr + ph.p_memsz > lay[3])
				lay[3] = ph.p_vaddr + ph.p_memsz;
		}
	}
	if (e)
		elf_end(e);
	free(copy);
	if (lay[0] == UINT64_MAX)
		lay[0] = lay[1] = 0;
	if (lay[2] == UINT64_MAX)
		lay[2] = lay[3] = 0;
}

/* Looks up PCs all over the module; returns the build-id on disk that a
 * "changed" problem line names, if any, in BID. */
static void one_pass(const uint64_t lay[4], const char *build_id, char *bid,
		     size_t bidlen)
{
	struct bt_symbolizer *s = bt_symbolizer_new();
	struct bt_image img;
	struct bt_module mod;
	struct bt_image_syms *m;
	const char *const *lines;
	const uint64_t bias = 0x7f0000000000ull;
	uint64_t span, pcs[66];
	uint32_t ids[66];
	size_t n;
	if (!s)
		return;
	bt_symbolizer_set_debug_dir(s, NULL);
	memset(&img, 0, sizeof(img));
	memset(&mod, 0, sizeof(mod));
	mod.rec.mono_ns = 1;
	mod.rec.bias = bias;
	mod.rec.start = bias + lay[0];
	mod.rec.end = bias + (lay[1] > lay[0] ? lay[1] : lay[0] + 0x1000);
	mod.rec.exec_start = bias + lay[2];
	mod.rec.exec_end = bias + lay[3];
	mod.rec.event = BT_MODULE_LOADED;
	mod.path = path;
	mod.build_id = build_id;
	img.modules = &mod;
	img.n_modules = 1;
	img.cwd = "/";
	m = bt_symbolizer_image(s, &img);
	span = mod.rec.end - mod.rec.start;
	for (size_t i = 0; i < 64; i++)
		pcs[i] = mod.rec.start + span / 64 * i + i;
	pcs[64] = mod.rec.end - 1;
	pcs[65] = mod.rec.end; /* just outside */
	n = bt_symbolize_stack(s, m, pcs, 66, 10, ids);
	for (size_t i = 0; i < n; i++) {
		const struct bt_func *f = bt_symbolizer_func(s, ids[i]);
		if (!f || !f->name || !f->module)
			abort();
		(void)strlen(f->name);
	}
	n = bt_symbolizer_problems(s, &lines, NULL);
	for (size_t i = 0; i < n; i++) {
		const char *r = strstr(lines[i], "recorded, ");
		size_t k = 0;
		if (!r)
			continue;
		r += strlen("recorded, ");
		while (k + 1 < bidlen && ((r[k] >= '0' && r[k] <= '9') ||
					  (r[k] >= 'a' && r[k] <= 'f'))) {
			bid[k] = r[k];
			k++;
		}
		bid[k] = 0;
	}
	bt_symbolizer_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t lay[4];
	char bid[130] = "";
	if (fd < 0) {
		elf_version(EV_CURRENT);
		fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	layout(data, size, lay);
	one_pass(lay, "", bid, sizeof(bid));
	if (bid[0])
		one_pass(lay, bid, bid, sizeof(bid));
	return 0;
}
