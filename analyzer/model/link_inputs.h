/* link_inputs.h - how much of what a linker read was debuginfo.
 *
 * Debuginfo costs link time too: the linker copies, merges and relocates
 * the .debug_* sections of every object it reads.  For each unit that
 * linked, this reads its link driver's inputs (objects and archives such
 * as .rlib) with libelf after the build and sums their section sizes:
 * all of them, the debuginfo ones (.debug_* and their relocations,
 * .rela.debug_*), and of those the parts the options treat apart
 * (link_inputs.def: the line tables, the address ranges, the location
 * lists), each with its relocations and merged strings apart.  An
 * archive member that defines no symbol is never pulled into a link
 * (an .rlib's lib.rmeta, rustc's metadata, was 16-33% of the bytes of
 * the rlibs a link names): it is counted as skipped, not read.
 *
 * Each input is put with the crate that produced it: a unit of this build,
 * or a crate an earlier build left in cargo's deps directory (a rebuild
 * links the rlibs of every dependency it did not recompile).  Such a
 * crate is recognised by the dep-info file cargo has rustc write beside
 * it (deps/<crate>-<hash>.d for deps/lib<crate>-<hash>.rlib), and was a
 * workspace member when cargo also "uplifted" it: it links (or copies)
 * the libraries of the packages it builds as members, and only those, to
 * the profile directory (target/debug/lib<crate>.rlib, the same file).
 * Everything else (the standard library, system objects) no Cargo.toml
 * setting changes.  rustc deletes a binary's own objects after linking;
 * with incremental compilation on, the session directory of its cache
 * (-C incremental=DIR: DIR/<crate>-<hash>/s-<session>/<cgu>.o) keeps a
 * copy of each, which is read instead.  Inputs that are gone are counted as
 * missing, not guessed. */
#ifndef BTRACE_LINK_INPUTS_H
#define BTRACE_LINK_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "model/build_model.h"

/* A link's input bytes by the part of the debuginfo they are
 * (link_inputs.def), each with the share the linker processes entry by
 * entry: relocations (.rela.debug_*) and merged strings (SHF_MERGE |
 * SHF_STRINGS: .debug_str, .debug_line_str), its "work" bytes; the rest
 * of the DWARF it copies as it is (docs/estimation.md, "What the link
 * pays for"). */
struct bt_section_bytes {
	uint64_t total;	 /* every section with file contents the linker
			    reads (never an archive member it skips) */
	uint64_t debug;	 /* .debug_* and .rela.debug_* */
	uint64_t lines;	 /* of debug: .debug_line, .debug_line_str,
			    .debug_aranges (with their relocations) */
	uint64_t ranges; /* of debug: .debug_ranges, .debug_rnglists */
	uint64_t locs;	 /* of debug: .debug_loc, .debug_loclists */
	/* of each above: its relocations and merged strings */
	uint64_t debug_work, lines_work, ranges_work, locs_work;
	/* archive members that define no symbol, which the linker never
	 * reads: an .rlib's lib.rmeta, split DWARF's .dwo files */
	uint64_t skipped;
	/* ELF objects read: the file, or the archive members it links */
	uint64_t objects;
};

/* Adds B's bytes, every field, to TO's. */
void bt_section_bytes_add(struct bt_section_bytes *to,
			  const struct bt_section_bytes *b);

/* The inputs of one unit's link, by producer. */
struct bt_link_inputs {
	struct bt_section_bytes all;	 /* every readable input */
	struct bt_section_bytes primary; /* produced by workspace members */
	struct bt_section_bytes deps;	 /* produced by other crates cargo
					    built */
	size_t n_inputs, n_missing;
	size_t n_reused; /* inputs an earlier build produced */
	/* the objects this unit (not its link) made that the build's links
	 * read, each file once: a binary's own, an rlib's members, one per
	 * codegen unit (with split DWARF, each has its .dwo beside it) */
	size_t objects_made;
};

/* What the links of a build read, over all of them. */
struct bt_link_census {
	size_t inputs, missing;
	size_t reused_crates; /* distinct crates from earlier builds */
	size_t reused_deps;   /* of them, dependencies (not members) */
};

/* Sums the section sizes of one file (an ELF object, or an archive of
 * them) into OUT.  Returns 0, or -1 if it is not readable as either. */
int bt_section_bytes_of_file(const char *path, struct bt_section_bytes *out);

/* Reads the link inputs of every unit of B that linked: OUT[i] for
 * b->units[i] (zeroed for the others), and the totals into CENSUS.
 * Returns 0, or -1 when out of memory. */
int bt_link_inputs_read(const struct bt_build *b, struct bt_link_inputs *out,
			struct bt_link_census *census);

/* Where the .rlib at PATH, which no unit of this build produced, came
 * from: BT_ORIGIN_NONE (not cargo's: the standard library's),
 * BT_ORIGIN_MEMBER or BT_ORIGIN_DEPENDENCY (read from the files beside
 * it, as above). */
enum bt_origin { BT_ORIGIN_NONE, BT_ORIGIN_MEMBER, BT_ORIGIN_DEPENDENCY };
enum bt_origin bt_rlib_origin(const char *path);

#endif
