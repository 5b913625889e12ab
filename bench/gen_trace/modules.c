/* modules.c - the modules a traced rustc, rust-lld or ld.lld maps: sizes and
 * executable ranges of the real files, and where each lands. */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- the modules: sizes and executable ranges of the real files ---- */

const struct moddef mods[N_MODS] = {
    [M_RUSTC] = {RUSTC_EXE, 0x29b6bd, 0x12bc0, 0x89df0, 0, 400},
    [M_VDSO] = {"linux-vdso.so.1", 0x1542, 0, 0x1542, 1, 128},
    [M_BTRACE] = {"/nonexistent/gen_trace/libbtrace.so", 0x500e8, 0x2000,
		  0x8645, 1, 128},
    [M_DRIVER] = {TC "/lib/librustc_driver-6108105cd7e839cf.so", 0x7be2b8c,
		  0x11a1c00, 0x7be2b8c, 0, 60000},
    [M_LIBDL] = {"/lib/x86_64-linux-gnu/libdl.so.2", 0x4010, 0x1000, 0x110d, 1,
		 128},
    [M_LIBRT] = {"/lib/x86_64-linux-gnu/librt.so.1", 0x4020, 0x1000, 0x125d, 1,
		 128},
    [M_LIBPTHREAD] = {"/lib/x86_64-linux-gnu/libpthread.so.0", 0x4010, 0x1000,
		      0x110d, 1, 128},
    [M_LIBC] = {"/lib/x86_64-linux-gnu/libc.so.6", 0x1e1f50, 0x26000, 0x17b0fc,
		1, 2500},
    [M_LLVM] = {TC "/lib/libLLVM.so.22.1-rust-1.95.0-stable", 0xa757044,
		0x449b9a4, 0xa757044, 0, 80000},
    [M_LIBGCC] = {"/lib/x86_64-linux-gnu/libgcc_s.so.1", 0x1f2c8, 0x3000,
		  0x198d1, 1, 200},
    [M_LDSO] = {"/lib64/ld-linux-x86-64.so.2", 0x342d8, 0x1000, 0x26111, 1,
		200},
    [M_LIBM] = {"/lib/x86_64-linux-gnu/libm.so.6", 0xdf110, 0x10000, 0x833e1, 1,
		400},
    [M_LIBZ] = {"/lib/x86_64-linux-gnu/libz.so.1", 0x1e190, 0x3000, 0x1500d, 1,
		128},
    [M_LLD] = {LLD_EXE, 0x754ac0, 0xe61c0, 0x7254c0, 0, 20000},
    [M_WRAPPER] = {WRAPPER_EXE, 0x5e752, 0x151a0, 0x592e0, 0, 300},
    [M_MACRO] = {NULL, 0x5d9f6, 0x18824, 0x596c0, 1, 800},
};

const struct placement rustc_layout[] = {
    {M_RUSTC, 0},
    {M_VDSO, 0x127b4000},
    {M_BTRACE, 0x1275b000},
    {M_DRIVER, 0xaa00000},
    {M_LIBDL, 0x1274b000},
    {M_LIBRT, 0x12746000},
    {M_LIBPTHREAD, 0x12741000},
    {M_LIBC, 0xa81e000},
    {M_LLVM, 0},
    {M_LIBGCC, 0x1271f000},
    {M_LDSO, 0x127b6000},
    {M_LIBM, 0x1263f000},
    {M_LIBZ, 0x12620000},
};

const struct placement lld_layout[] = {
    {M_LLD, 0},
    {M_VDSO, 0xab1a000},
    {M_BTRACE, 0xaac1000},
    {M_LIBPTHREAD, 0xaab1000},
    {M_LIBZ, 0xaa92000},
    {M_LLVM, 0x200000},
    {M_LIBM, 0xa9b0000},
    {M_LIBGCC, 0xa990000},
    {M_LIBC, 0x1e000},
    {M_LDSO, 0xab1c000},
    {M_LIBRT, 0xa98b000},
    {M_LIBDL, 0xa986000},
};

const struct placement wrapper_layout[] = {
    {M_WRAPPER, 0},	  {M_VDSO, 0x26b000},	    {M_BTRACE, 0x212000},
    {M_LIBGCC, 0x1e7000}, {M_LIBPTHREAD, 0x1e2000}, {M_LIBC, 0},
    {M_LDSO, 0x26d000},
};

const size_t n_rustc_layout = N_OF(rustc_layout);
const size_t n_lld_layout = N_OF(lld_layout);
const size_t n_wrapper_layout = N_OF(wrapper_layout);
