/* link_inputs.c - section sizes of the linkers' inputs (link_inputs.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link_inputs.h"
#include "schedule.h"
#include "trace_reader.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* Adds the sections of one ELF object. */
static void add_elf(Elf *e, struct bt_section_bytes *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		out->total += sh.sh_size;
		if (!name || strncmp(name, ".debug_", 7))
			continue;
		out->debug += sh.sh_size;
		if (!strcmp(name, ".debug_line") ||
		    !strcmp(name, ".debug_line_str"))
			out->lines += sh.sh_size;
	}
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
		/* members: objects, and an .rlib's lib.rmeta (not ELF) */
		while ((m = elf_begin(fd, cmd, ar)) != NULL) {
			add_elf(m, out);
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

static void add_bytes(struct bt_section_bytes *to,
		      const struct bt_section_bytes *b)
{
	to->total += b->total;
	to->debug += b->debug;
	to->lines += b->lines;
}

/* The unit that produced the file at PATH ("lib<crate><extra>.rlib"), or
 * NULL.  KEYS holds each unit's output stem. */
static const struct bt_unit *producer(const struct bt_build *b,
				      char (*keys)[BT_OUTPUT_KEY_MAX],
				      const char *path)
{
	char stem[BT_OUTPUT_KEY_MAX];
	bt_output_stem(path, stem, sizeof(stem));
	for (size_t i = 0; i < b->n_units; i++)
		if (keys[i][0] && !strcmp(keys[i], stem))
			return &b->units[i];
	return NULL;
}

/* Reads the inputs of one link driver node N of unit U. */
static void read_link(const struct bt_build *b, char (*keys)[BT_OUTPUT_KEY_MAX],
		      const struct bt_node *n, const struct bt_unit *u,
		      struct bt_link_inputs *out)
{
	const struct bt_image *im = bt_proc_last(n->proc);
	int argc = im ? (int)im->start.argc_kept : 0;
	for (int a = 1; a < argc; a++) {
		const char *arg = im->argv[a];
		char path[PATH_MAX];
		struct bt_section_bytes sb;
		const struct bt_unit *p;
		if (!strcmp(arg, "-o")) {
			a++;
			continue;
		}
		if (arg[0] == '-' || !(ends_with(arg, ".o") ||
				       ends_with(arg, ".rlib") ||
				       ends_with(arg, ".a")))
			continue;
		if (arg[0] == '/' || !im->cwd)
			snprintf(path, sizeof(path), "%s", arg);
		else
			snprintf(path, sizeof(path), "%s/%s", im->cwd, arg);
		out->n_inputs++;
		if (bt_section_bytes_of_file(path, &sb) < 0) {
			out->n_missing++;
			continue;
		}
		add_bytes(&out->all, &sb);
		p = ends_with(arg, ".o") ? u : producer(b, keys, arg);
		if (p && bt_unit_debug_level(p) > 0)
			add_bytes(p->primary ? &out->primary : &out->deps, &sb);
	}
}

int bt_link_inputs_read(const struct bt_build *b, struct bt_link_inputs *out)
{
	char (*keys)[BT_OUTPUT_KEY_MAX] = calloc(b->n_units + 1, sizeof(*keys));
	if (!keys)
		return -1;
	memset(out, 0, b->n_units * sizeof(*out));
	for (size_t i = 0; i < b->n_units; i++)
		if (b->units[i].has_flags)
			bt_unit_output_key(&b->units[i], keys[i],
					   sizeof(keys[i]));
	for (size_t i = 0; i < b->n_nodes; i++) {
		const struct bt_node *n = &b->nodes[i];
		if (n->kind != BT_KIND_LINKER || !n->parent ||
		    n->parent->kind == BT_KIND_LINKER || !n->unit)
			continue;
		read_link(b, keys, n, n->unit, &out[n->unit - b->units]);
	}
	free(keys);
	return 0;
}
