/* symbolize.h - turn sampled PCs into function names.
 *
 * The symbolizer reads the ELF symbol tables (.symtab, else .dynsym) of the
 * modules a trace's MODULE records name, checks each file against the
 * recorded build-id, and names every PC with an interned function: a dense
 * id per distinct function, so callers can keep per-function arrays.
 *
 * Modules are read lazily, the first time a PC falls in them, once per
 * module file (path, build-id and layout): the same librustc_driver mapped
 * by hundreds of rustc processes at different addresses shares one table.
 * A module that is gone or changed on disk (build-id differs) is never
 * read as if it were the recorded one: all its frames are one stand-in,
 * "[basename (missing)]" or "[basename (changed since the build)]", with a
 * status that says why.  A stripped module's frames are named
 * "[basename+0xOFFSET]" (OFFSET: the file's virtual address, pc - bias, as
 * addr2line wants it).
 *
 * Ownership: the symbolizer owns everything it returns: the per-image
 * contexts, the functions (and their strings) and the problem lines.  All
 * stay valid until bt_symbolizer_free(); the problem lines only until the
 * next bt_symbolizer_problems() call.  bt_symbolizer_image() copies what it
 * needs, so the trace may be freed before the symbolizer.  A symbolizer is
 * not thread-safe: use one per thread.
 *
 * Out of memory (base/xalloc.h): nothing here exits.  bt_symbolizer_new()
 * and bt_symbolizer_image() return NULL; a lookup that runs out makes up
 * no answer: bt_symbolize() returns NULL, the stack calls may store
 * UINT32_MAX ids, and bt_symbolizer_nomem() is true from then on.
 * Callers check it after each stack (a load and a branch) and give up
 * with ENOMEM; the symbolizer stays safe to free. */
#ifndef BTRACE_SYMBOLIZE_H
#define BTRACE_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "model/trace_reader.h"

enum bt_sym_status {
	BT_SYM_OK = 0,
	BT_SYM_NO_MODULE,	  /* the pc is in no module mapped then */
	BT_SYM_MODULE_MISSING,	  /* the module's file is gone */
	BT_SYM_MODULE_CHANGED,	  /* build-id (or layout) differs on disk */
	BT_SYM_NO_SYMBOLS,	  /* stripped: no function symbol at all */
	BT_SYM_NO_SYMBOL,	  /* the module has symbols, none covers pc */
	BT_SYM_MODULE_UNREADABLE, /* there, but not a readable ELF file */
	BT_SYM_N_STATUS
};

/* A function, or a stand-in for an address no symbol names. */
struct bt_func {
	uint32_t id;	    /* dense: 0 .. bt_symbolizer_n_funcs() - 1 */
	const char *name;   /* demangled, or "[libfoo.so+0x1234]" */
	const char *module; /* basename, or "[unknown]" */
	enum bt_sym_status status;
	/* in a proc-macro library (proc_macro_path.h), whatever the status:
	 * the frame is macro expansion (docs/attribution.md) */
	unsigned char proc_macro;
};

/* A recorded LOADED record counts from its mono_ns, and up to this much
 * earlier: the recorder writes a dlopen'ed module when its flusher next
 * looks (every 100 ms), after the samples taken in it meanwhile. */
#define BT_SYM_LOAD_LAG_NS (1000ull * 1000 * 1000)

struct bt_symbolizer;
struct bt_image_syms;

/* Returns NULL if libelf cannot be initialised or memory ran out. */
struct bt_symbolizer *bt_symbolizer_new(void);
void bt_symbolizer_free(struct bt_symbolizer *s);

/* Where separate debug files are looked up by build-id, as
 * DIR/.build-id/xx/yyyy.debug, for modules without .symtab (Debian's -dbg
 * packages: libc6-dbg names libc's static functions).  Default
 * "/usr/lib/debug"; NULL turns it off.  Set it before the first lookup.
 * Returns 0, or -1 (unchanged) when out of memory. */
int bt_symbolizer_set_debug_dir(struct bt_symbolizer *s, const char *dir);

/* True once an allocation has failed: the answers since may be missing
 * (NULL functions, UINT32_MAX ids) and the caller should give up. */
int bt_symbolizer_nomem(const struct bt_symbolizer *s);

/* The module map of IMG (its MODULE records), for the lookups of IMG's
 * samples.  Owned by S.  Call once per image and keep it: it is where the
 * lookups' hint lives.  NULL when out of memory. */
struct bt_image_syms *bt_symbolizer_image(struct bt_symbolizer *s,
					  const struct bt_image *img);

/* Names PC, sampled at T_NS (the sample's mono_ns).  The module is the one
 * whose [start, end) holds PC and that was loaded at T_NS (loaded before,
 * not yet unloading; the latest such when a range was reused), else the
 * next one loaded there within BT_SYM_LOAD_LAG_NS.
 *
 * PCs as recorded are the interrupted PC for the innermost frame and
 * return addresses for the others: pass return addresses minus 1, so that
 * a call at the very end of a function is not charged to the next one
 * (bt_symbolize_stack() does that).  NULL only when out of memory. */
const struct bt_func *bt_symbolize(struct bt_symbolizer *s,
				   struct bt_image_syms *m, uint64_t pc,
				   uint64_t t_ns);

/* Symbolizes a recorded stack, innermost first: PCS[0] as is, the others
 * minus 1.  Trailing zero PCs (the unwinder reports the end of a complete
 * stack as a 0 frame) are dropped.  Stores the function ids in IDS (up to
 * DEPTH entries) and returns how many it stored. */
size_t bt_symbolize_stack(struct bt_symbolizer *s, struct bt_image_syms *m,
			  const uint64_t *pcs, size_t depth, uint64_t t_ns,
			  uint32_t *ids);

/* The same for a stack of thread SLOT (any small number the caller gives
 * each thread of the image): the outer frames it shares with that
 * thread's previous stack are taken from it without a lookup, as long as
 * M's module map has not changed in between.  The ids and the counts are
 * those bt_symbolize_stack() gives. */
size_t bt_symbolize_thread_stack(struct bt_symbolizer *s,
				 struct bt_image_syms *m, size_t slot,
				 const uint64_t *pcs, size_t depth,
				 uint64_t t_ns, uint32_t *ids);

/* Frees the lookup caches (hundreds of megabytes after millions of
 * samples) once the lookups are done: the functions stay, and later
 * lookups still work, only slower until the caches fill again. */
void bt_symbolizer_trim(struct bt_symbolizer *s);

/* The function with id ID, or NULL if there is none. */
const struct bt_func *bt_symbolizer_func(const struct bt_symbolizer *s,
					 uint32_t id);
size_t bt_symbolizer_n_funcs(const struct bt_symbolizer *s);

/* The same, from a thread other than the one looking up: ID must be an id
 * a lookup returned, handed over with synchronization (a mutex); the
 * symbolizer may go on looking up meanwhile.  Functions never move. */
const struct bt_func *bt_symbolizer_func_shared(const struct bt_symbolizer *s,
						uint32_t id);

struct bt_sym_stats {
	size_t modules;		   /* module files read (tables built) */
	size_t modules_missing;	   /* ... of which gone from disk */
	size_t modules_changed;	   /* ... changed on disk since the build */
	size_t modules_stripped;   /* ... without any function symbol */
	size_t modules_unreadable; /* ... not readable as ELF */
	size_t modules_debugfile;  /* ... named from a separate debug file */
	size_t modules_dynsym;	   /* ... named from .dynsym only: their
				      static functions stay unnamed */
	size_t modules_unverified; /* ... without build-id, recorded or on
				      disk: matched by path and layout */
	size_t images;		   /* bt_symbolizer_image() contexts */
	size_t funcs;		   /* interned functions */
	uint64_t lookups;	   /* frames looked up */
	uint64_t memo_hits;	   /* ... answered from the caches, without
				      searching a symbol table */
	uint64_t front_hits;	   /* ... of which from the front cache */
	uint64_t memo_entries;	   /* distinct (module file, address) pairs */
	uint64_t unknown_frames;   /* ... with a status other than OK */
	uint64_t frames[BT_SYM_N_STATUS]; /* lookups by status */
	uint64_t load_ns;		  /* time spent reading symbol tables */
};

void bt_symbolizer_stats(const struct bt_symbolizer *s,
			 struct bt_sym_stats *out);

/* One line per module that could not be read as recorded, for report
 * warnings, e.g. "libfoo.so: changed on disk since the build (build-id
 * 0a1b... recorded, 2c3d... on disk); 12 frames unnamed".  Sets *LINES to
 * an array owned by S (valid until the next call) and returns its length;
 * and, unless FRAMES is NULL, *FRAMES to the unnamed frames of each line,
 * so that the caller can weigh the gap. */
size_t bt_symbolizer_problems(struct bt_symbolizer *s,
			      const char *const **lines,
			      const uint64_t **frames);

/* NAME demangled (C++, Rust legacy without its hash, Rust v0), as a
 * malloc'd string, or NULL if it is not a mangled name, or (errno
 * ENOMEM) when out of memory. */
char *bt_sym_demangle(const char *name);

/* "ok", "no module", "module missing", ... */
const char *bt_sym_status_name(enum bt_sym_status st);

#endif
