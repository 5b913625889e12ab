/* toolchain.h - which rustc each compilation ran, by name and by version
 * ("1.95.0 (59807616e 2026-04-14)"), from what the trace recorded and
 * the files it names, without running anything: a trace may come from
 * anyone, and `rustc -V` of a path it names would run that path.
 *
 * The version comes from the compiler library the sampler saw loaded
 * (the module map of a sampled rustc: librustc_driver-HASH.so with its
 * build-id and segments), read only when the file on disk is still that
 * module (profile/elf_file.h's identity check):
 *   1. its version string, "X.Y.Z[-channel] (HASH YYYY-MM-DD)", the one
 *      rustc -V prints (rustup's and upstream's builds);
 *   2. else its source paths, ".../rustc-X.Y.Z/compiler/...": builds
 *      from a release tarball (Debian's rustc prints only "1.63.0");
 *   3. else, when the file is gone or changed since the build (after a
 *      `rustup update`), the LLVM library's name in the module map,
 *      "libLLVM.so.22.1-rust-1.95.0-stable": a recorded fact, so it
 *      names the version that ran, never the one installed now.
 * Unknown otherwise (not sampled, no such module): the name and the
 * driver's file name stay, with the reason.  docs/report-format.md
 * ("Toolchain"). */
#ifndef BTRACE_TOOLCHAIN_H
#define BTRACE_TOOLCHAIN_H

#include <stddef.h>

#include "model/build_model.h"

/* Fills B->toolchains from B's compilations, and each unit's toolchain
 * index (-1 for units that are not compilations).  Returns 0, or -1 with
 * errno ENOMEM. */
int bt_toolchains_make(struct bt_build *b);

/* The toolchain for people, into BUF: its version, "1.95.0 (59807616e
 * 2026-04-14)"; unknown, its name and driver with the mark: "stable-
 * x86_64-unknown-linux-gnu (librustc_driver-6108105cd7e839cf), version
 * unknown". */
void bt_toolchain_label(const struct bt_toolchain *t, char *buf, size_t cap);

/* The version in the bytes P[0..N) of a compiler library, as above (1
 * then 2), into OUT; *SOURCE says which ("librustc_driver", "source
 * paths").  Returns 1 found, 0 none (or one longer than CAP - 1), -1
 * several that disagree.  Exposed for the unit tests and the fuzzer. */
int bt_rustc_version_scan(const char *p, size_t n, char *out, size_t cap,
			  const char **source);

/* The version in an LLVM library's file name ("libLLVM-22-rust-1.95.0-
 * stable.so", "libLLVM.so.22.1-rust-1.97.0-nightly"), as rustc -V starts
 * it ("1.95.0", "1.97.0-nightly"), into OUT: 1, or 0 when NAME is not
 * one. */
int bt_rustc_version_of_llvm(const char *name, char *out, size_t cap);

#endif
