/* stacks.c - the stack shapes: call trees over the modules' functions, and one
 * sampled stack of a thread type (--stacks real or diverse). */
#define _GNU_SOURCE
#include "gen_trace.h"

/* ---- call trees: function F of module M is a fixed range of its text,
 * and each function calls a fixed few others, so that every process
 * samples the same code ---- */

static uint64_t fn_off(int m, uint64_t f, uint64_t *len)
{
	const struct moddef *d = &mods[m];
	uint64_t span = d->x1 - d->x0;
	uint64_t maxlen = span / 8 < 4096 ? span / 8 : 4096;
	uint64_t h =
	    mix64(f * 0x9e3779b97f4a7c15ull ^ ((uint64_t)(m + 1) << 52));
	uint64_t l = 16 + (((h >> 32) * maxlen) >> 32);
	*len = l;
	return (d->x0 + (((h & 0xffffffffu) * (span - l)) >> 32)) & ~15ull;
}

/* --stacks: "real" (the default) matches the shape of real rustc samples;
 * "diverse" is the old, much more varied model, kept as a worst case. */
int stacks_diverse;

#define REAL_SKEW 1.4
static uint32_t next_node(int m, uint64_t cur, uint64_t c)
{
	uint64_t h = mix64((cur << 2 | c) ^ ((uint64_t)(m + 7) << 50));
	/* real: as many functions as the real libraries have symbols */
	uint64_t n = (stacks_diverse  ? mods[m].n_funcs
		      : m == M_DRIVER ? 120000
		      : m == M_LLVM   ? 180000
		      : m == M_LLD    ? 60000
				      : mods[m].n_funcs) -
		     64;
	double u;
	if (stacks_diverse)
		return (uint32_t)(64 + scale(h, n));
	/* real: call graphs converge on a few hot functions; the callee's
	 * index is log-distributed, n^(u^SKEW) */
	u = (double)(h >> 11) * 0x1p-53;
	return (uint32_t)(64 + (uint64_t)pow((double)n, pow(u, REAL_SKEW)) - 1);
}

struct frame {
	uint8_t m;
	uint32_t f;
};

static const struct frame pre_main[] = {
    {M_RUSTC, 1},  {M_LIBC, 1},	  {M_LIBC, 2},	 {M_RUSTC, 2},
    {M_DRIVER, 1}, {M_DRIVER, 2}, {M_DRIVER, 3},
};
static const struct frame pre_compiler[] = {
    {M_LIBC, 10},   {M_LIBC, 11},   {M_DRIVER, 10}, {M_DRIVER, 11},
    {M_DRIVER, 12}, {M_DRIVER, 13}, {M_DRIVER, 14},
};
static const struct frame pre_worker[] = {
    {M_LIBC, 10},   {M_LIBC, 11},   {M_DRIVER, 10}, {M_DRIVER, 11},
    {M_DRIVER, 30}, {M_DRIVER, 31}, {M_DRIVER, 32}, {M_LLVM, 1},
};
static const struct frame pre_coord[] = {
    {M_LIBC, 10}, {M_LIBC, 11}, {M_DRIVER, 10}, {M_DRIVER, 11}, {M_DRIVER, 40},
};
static const struct frame pre_lld_main[] = {
    {M_LLD, 1}, {M_LIBC, 1}, {M_LIBC, 2}, {M_LLD, 2}, {M_LLD, 3}, {M_LLD, 4},
};
static const struct frame pre_lld_worker[] = {
    {M_LIBC, 10}, {M_LIBC, 11}, {M_LLVM, 20}, {M_LLVM, 21}, {M_LLD, 20},
};

/* Per thread type: the frames from the root, the module most of the stack
 * is in, and where the innermost frames are (cumulative percentages). */
static const struct tdef {
	const struct frame *pre;
	int n_pre;
	uint8_t walk_mod;
	uint32_t walk_from;
	uint8_t tail_mod[4];
	uint8_t tail_pct[4];
} tdefs[N_TYPES] = {
    [T_MAIN] = {pre_main,
		N_OF(pre_main),
		M_DRIVER,
		100,
		{M_DRIVER, M_LIBC, M_LDSO, M_LDSO},
		{80, 95, 100, 100}},
    [T_COMPILER] = {pre_compiler,
		    N_OF(pre_compiler),
		    M_DRIVER,
		    200,
		    {M_DRIVER, M_LIBC, M_LLVM, M_MACRO},
		    {62, 77, 92, 100}},
    [T_WORKER] = {pre_worker,
		  N_OF(pre_worker),
		  M_LLVM,
		  300,
		  {M_LLVM, M_LIBC, M_LIBC, M_LIBC},
		  {85, 100, 100, 100}},
    [T_COORD] = {pre_coord,
		 N_OF(pre_coord),
		 M_DRIVER,
		 400,
		 {M_DRIVER, M_LIBC, M_LIBC, M_LIBC},
		 {60, 100, 100, 100}},
    [T_LLD_MAIN] = {pre_lld_main,
		    N_OF(pre_lld_main),
		    M_LLD,
		    500,
		    {M_LLD, M_LLVM, M_LIBC, M_LIBC},
		    {60, 85, 100, 100}},
    [T_LLD_WORKER] = {pre_lld_worker,
		      N_OF(pre_lld_worker),
		      M_LLD,
		      600,
		      {M_LLD, M_LLVM, M_LIBC, M_LIBC},
		      {55, 80, 100, 100}},
};

/* Which callee: skewed, so that some paths are hot; SALT (per crate)
 * moves the hot paths near the root. */
static uint64_t pick(uint64_t bits, int level, uint64_t salt)
{
	static const uint8_t skew[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					 1, 1, 1, 1, 2, 2, 3, 3};
	static const uint8_t skew_real[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					      0, 0, 0, 1, 1, 1, 2, 3};
	uint64_t c = (stacks_diverse ? skew : skew_real)[bits & 15];
	if (level < 6)
		c = (c + (salt >> (2 * level))) & 3;
	return c;
}

#define HOT_SPOTS 4096 /* places per function where "real" stacks stop */

/* Where a "real" stack is interrupted in its function: one of up to
 * HOT_SPOTS places, log-distributed, so a few are hot. */
static uint64_t hot_spot(struct rng *r)
{
	return (uint64_t)pow((double)HOT_SPOTS, rnd_unit(r));
}

/* The callee of a tail frame: any of four, or (real) mostly the first. */
static uint64_t tail_pick(struct rng *r)
{
	return stacks_diverse ? rnd(r) & 3 : pick(rnd(r), 99, 0);
}

/* One stack, innermost PC first.  MAP holds each module's load address
 * (0: not mapped).  Returns the depth; *FLAGS gets the sample flags. */
int make_stack(struct rng *r, int type, const uint64_t *map, uint64_t salt,
	       int macro_ok, uint64_t *pcs, uint16_t *flags)
{
	const struct tdef *t = &tdefs[type];
	struct frame fr[64];
	int depth = stacks_diverse ? 10 + (int)rnd_below(r, 51)
				   : 6 + (int)rnd_below(r, 35),
	    n = 0, tail, walk;
	uint64_t bits = rnd(r), cur, x = rnd(r);
	int tm = t->tail_mod[3], level = 0, used = 0;

	for (int i = 0; i < 4; i++)
		if ((x & 0xffff) % 100 < t->tail_pct[i]) {
			tm = t->tail_mod[i];
			break;
		}
	x >>= 16;
	if (tm == M_MACRO && !macro_ok)
		tm = M_DRIVER;
	if (!map[tm])
		tm = t->walk_mod;
	tail = 1 + (int)(x % 3);
	x >>= 8;
	if (tm == M_MACRO)
		tail = 3 + (int)(x % 4);
	if (tail > depth - t->n_pre)
		tail = depth - t->n_pre;
	if (tm == M_MACRO && tail < 3)
		tm = t->walk_mod;
	walk = depth - t->n_pre - tail;

	for (int i = 0; i < t->n_pre; i++)
		fr[n++] = t->pre[i];
	cur = t->walk_from + ((x >> 8) & 1);
	for (int i = 0; i < walk; i++, level++) {
		fr[n++] = (struct frame){t->walk_mod, (uint32_t)cur};
		if (++used == 16) {
			bits = rnd(r);
			used = 0;
		}
		cur = next_node(t->walk_mod, cur, pick(bits, level, salt));
		bits >>= 4;
	}
	if (tm == t->walk_mod) {
		for (int i = 0; i < tail; i++, level++) {
			fr[n++] = (struct frame){(uint8_t)tm, (uint32_t)cur};
			cur = next_node(tm, cur, tail_pick(r));
		}
	} else {
		int i = 0;
		if (tm == M_MACRO) {
			/* rustc's proc-macro bridge, then the macro */
			fr[n++] = (struct frame){M_DRIVER, 50};
			fr[n++] = (struct frame){M_DRIVER, 51};
			i = 2;
		}
		cur = next_node(tm, cur ^ 0x5a5a, 0);
		for (; i < tail; i++) {
			fr[n++] = (struct frame){(uint8_t)tm, (uint32_t)cur};
			cur = next_node(tm, cur, tail_pick(r));
		}
	}

	/* Innermost first: the interrupted PC, then return addresses. */
	for (int i = 0; i < n; i++) {
		const struct frame *f = &fr[n - 1 - i];
		/* the interrupted PC: anywhere in the function, or (real)
		 * one of a few hot spots */
		uint64_t len, callee = i		? fr[n - i].f
				       : stacks_diverse ? rnd(r)
							: hot_spot(r);
		uint64_t off = fn_off(f->m, f->f, &len);
		uint64_t h = mix64(f->f * 31 + callee) & 0xffffffffu;
		pcs[i] = map[f->m] + off + 1 + ((h * (len - 1)) >> 32);
	}
	*flags = BT_SAMPLE_COMPLETE;
	/* 1%: the unwinder gave up before the root (no unwind info). */
	if (rnd_below(r, 100) == 0 && n - t->n_pre >= 10) {
		n -= t->n_pre;
		*flags = 0;
	}
	return n;
}
