/* link_inputs.h - how much of what a linker read was debuginfo.
 *
 * Debuginfo costs link time too: the linker copies, merges and relocates
 * the .debug_* sections of every object it reads.  For each unit that
 * linked, this reads its link driver's inputs (objects and archives such
 * as .rlib) with libelf after the build and sums their section sizes:
 * all of them, the .debug_* ones, and the line-table ones (.debug_line,
 * .debug_line_str) that line-tables-only keeps.  Each input is put with
 * the unit that produced it, or with none (the standard library and
 * system objects, which no Cargo.toml setting changes).  Inputs that are
 * gone (rustc deletes a binary's own objects after linking) are counted
 * as missing, not guessed. */
#ifndef BTRACE_LINK_INPUTS_H
#define BTRACE_LINK_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "build_model.h"

struct bt_section_bytes {
	uint64_t total; /* every section with file contents */
	uint64_t debug; /* .debug_* */
	uint64_t lines; /* .debug_line, .debug_line_str */
};

/* The inputs of one unit's link, by producer. */
struct bt_link_inputs {
	struct bt_section_bytes all;	 /* every readable input */
	struct bt_section_bytes primary; /* produced by workspace members */
	struct bt_section_bytes deps;	 /* produced by other cargo units
					    that had debuginfo on */
	size_t n_inputs, n_missing;
};

/* Sums the section sizes of one file (an ELF object, or an archive of
 * them) into OUT.  Returns 0, or -1 if it is not readable as either. */
int bt_section_bytes_of_file(const char *path, struct bt_section_bytes *out);

/* Reads the link inputs of every unit of B that linked: OUT[i] for
 * b->units[i] (zeroed for the others).  Returns 0, or -1 when out of
 * memory. */
int bt_link_inputs_read(const struct bt_build *b, struct bt_link_inputs *out);

#endif
