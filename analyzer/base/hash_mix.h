/* hash_mix.h - the 64-bit finalizer (MurmurHash3's fmix64) that the
 * analyzer's open-addressing tables hash their keys with. */
#ifndef BTRACE_HASH_MIX_H
#define BTRACE_HASH_MIX_H

#include <stdint.h>

static inline uint64_t bt_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

#endif
