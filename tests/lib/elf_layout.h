/* elf_layout.h - an ELF file's load layout as the recorder writes it
 * (minus the bias), for unit tests that build module records by hand.
 * Header-only, like check.h. */
#ifndef BTRACE_TESTS_ELF_LAYOUT_H
#define BTRACE_TESTS_ELF_LAYOUT_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <unistd.h>

/* Lowest and highest PT_LOAD address of PATH into LAY[0..1], then of the
 * executable ones into LAY[2..3].  Returns 0, or -1 if PATH cannot be
 * read as ELF. */
static inline int elf_file_layout(const char *path, uint64_t lay[4])
{
	int fd = open(path, O_RDONLY);
	size_t n;
	Elf *e;
	int rc = -1;
	lay[0] = lay[2] = UINT64_MAX;
	lay[1] = lay[3] = 0;
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &n) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr < lay[0])
			lay[0] = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > lay[1])
			lay[1] = ph.p_vaddr + ph.p_memsz;
		if (!(ph.p_flags & PF_X))
			continue;
		if (ph.p_vaddr < lay[2])
			lay[2] = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > lay[3])
			lay[3] = ph.p_vaddr + ph.p_memsz;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

#endif
