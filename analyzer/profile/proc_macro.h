/* proc_macro.h - how long each proc macro ran, and for which crates.
 *
 * rustc runs a proc macro by dlopen()ing the macro crate's library
 * (target/debug/deps/libserde_derive-<hash>.so) and calling into it
 * through proc_macro's bridge.  A sample whose stack has a frame inside
 * such a library is time spent expanding that macro, in the compilation
 * that sampled it: the CPU the macro's own code took, and what it called
 * back in rustc through the bridge.  No symbol is needed: the samples'
 * PCs are matched against the address ranges of the modules the shim
 * recorded (BT_REC_MODULE, loaded after the sample's time), and the
 * library to the proc-macro unit that built it (its output name), else to
 * the crate name in the file name (a macro built by an earlier build).
 * When several macro libraries are on one stack, the outermost one (the
 * macro rustc called) takes the sample.
 *
 * This is a sub-category of the frontend (docs/attribution.md): the
 * profile's categories still count this time as frontend.
 *
 * Ownership: bt_proc_macros_make() allocates; bt_proc_macros_free()
 * releases. */
#ifndef BTRACE_PROC_MACRO_H
#define BTRACE_PROC_MACRO_H

#include <stddef.h>

#include "model/build_model.h"
#include "model/dep_graph.h"
#include "profile/proc_macro_path.h"

struct bt_macro {
	char crate[128]; /* "serde_derive" */
	size_t pkg;	 /* its package in the graph, or SIZE_MAX */
	double expand_s; /* CPU sampled inside it, in every user */
	size_t n_users;	 /* compilations that ran it */
	/* what building it costs: its package's own CPU, and that of every
	 * package it depends on (syn, quote, ...), transitively */
	double own_cpu_s, deps_cpu_s;
	size_t n_deps;
};

struct bt_macro_use {
	size_t macro; /* index into macros */
	size_t unit;  /* the compilation that ran it */
	double expand_s;
};

struct bt_proc_macros {
	struct bt_macro *macros; /* most expansion time first */
	size_t n_macros;
	struct bt_macro_use *uses; /* most time first */
	size_t n_uses;
	double expand_s;  /* all of it */
	double sampled_s; /* all the compilations' sampled CPU */
};

/* Finds the proc macros' expansion time in build B's samples; G is B's
 * package graph (its costs).  Returns 0, or -1 when out of memory (M
 * then needs no free). */
int bt_proc_macros_make(const struct bt_build *b, const struct bt_dep_graph *g,
			struct bt_proc_macros *m);
void bt_proc_macros_free(struct bt_proc_macros *m);

#endif
