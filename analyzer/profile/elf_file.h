/* elf_file.h - one module file read as the trace recorded it: its
 * identity checked, its function symbols as a sorted table of disjoint
 * address ranges.
 *
 * This is the ELF half of the symbolizer (symbolize.h), with no state of
 * its own: a path (or the vDSO) and the build-id and layout the recorder
 * saw go in; a function table and a status with its reason come out.
 * libelf (elfutils) reads the files; the symbolizer interns the names and
 * answers the lookups.
 *
 * Identity: a file whose GNU build-id differs from the recorded one (or,
 * when neither side has one, whose PT_LOAD layout differs) is never read
 * as if it were the recorded module: it gets BT_SYM_MODULE_CHANGED and no
 * table.  The vDSO is the kernel's, not a file: this process's own is
 * read, and counts as the traced one only if the build-ids match.
 *
 * Symbols: .symtab, else the .symtab of a separate debug file found by
 * build-id (DEBUG_DIR/.build-id/xx/yyyy.debug), else .dynsym.  Symbols at
 * one address are merged (global, then weak, then local name; the largest
 * size); symbols without a size reach to the next symbol or their
 * section's end; nested symbols are flattened so that the innermost wins.
 *
 * Not thread-safe only in that libelf's elf_version() must have been
 * called once (bt_symbolizer_new() does). */
#ifndef BTRACE_ELF_FILE_H
#define BTRACE_ELF_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

#include "profile/symbolize.h"

#define BT_ELF_NO_FUNC UINT32_MAX

/* A function symbol, after duplicates at one address were merged. */
struct bt_elf_sym {
	uint32_t name; /* offset in the table's names */
	uint32_t func; /* the caller's (the symbolizer's interned id);
			  BT_ELF_NO_FUNC as read */
};

/* [lo, lo + len) belongs to syms[sym]: sorted, disjoint. */
struct bt_elf_range {
	uint64_t lo;
	uint32_t len;
	uint32_t sym;
};

/* The page index: pages[p] is the number of ranges that start below file
 * address p << BT_ELF_PAGE_BITS, so a lookup searches one page's ranges
 * instead of all of them (a big library has hundreds of thousands). */
#define BT_ELF_PAGE_BITS 12

struct bt_elf_funcs {
	/* BT_SYM_OK (a table), BT_SYM_NO_SYMBOLS (readable, no function
	 * symbol), BT_SYM_MODULE_MISSING, _CHANGED or _UNREADABLE */
	enum bt_sym_status status;
	char *why;	/* detail of a status other than OK (malloc'd) */
	int dynsym;	/* named from .dynsym */
	int debugfile;	/* named from a separate debug file */
	int unverified; /* no build-id on either side: matched by layout */
	struct bt_elf_range *ranges; /* file addresses (pc - bias) */
	size_t n_ranges;
	uint32_t *pages; /* NULL: no index, search all the ranges */
	size_t n_pages;
	struct bt_elf_sym *syms;
	size_t n_syms;
	char *names; /* the symbols' mangled names, NUL-separated */
};

/* "linux-vdso.so.1" (or "linux-gate"): the kernel's, not a file. */
int bt_elf_is_vdso(const char *path);

/* Reads the module at PATH (the vDSO if bt_elf_is_vdso(PATH)) that the
 * trace recorded with build-id BUILD_ID (lower-case hex, "" if none) and
 * layout LAY (lowest and highest PT_LOAD addresses, then those of the
 * executable ones, relative to the bias), looking for separate debug
 * files under DEBUG_DIR (NULL: not at all).  Fills *F (zeroed first;
 * free it with bt_elf_funcs_free()) and returns 0, whatever the status;
 * returns -1, with *F empty, only when out of memory. */
int bt_elf_read(const char *path, const char *build_id, const uint64_t lay[4],
		const char *debug_dir, struct bt_elf_funcs *f);

void bt_elf_funcs_free(struct bt_elf_funcs *f);

/* Whether the open file E is the module the trace recorded with BUILD_ID
 * and LAY (as for bt_elf_read): 0 it is (*UNVERIFIED 1 when neither has a
 * build-id and the layouts match); 1 it is another file now, with the
 * reason in WHY ("build-id X recorded, Y on disk"); -1 unreadable, with
 * elf_errmsg() in WHY.  The symbolizer and model/toolchain.c share it. */
int bt_elf_identity(Elf *e, const char *build_id, const uint64_t lay[4],
		    int *unverified, char *why, size_t cap);

#endif
