/* hash.h - the analyzer's hashes, for its open-addressing tables (every
 * table masks the hash with its power-of-two size):
 *   - bt_mix64(): MurmurHash3's fmix64 finalizer, for integer keys and
 *     for mixing a few of them together;
 *   - bt_hash_bytes()/bt_hash_str(): FNV-1a over bytes and strings, from
 *     BT_HASH_SEED or a previous hash, for keys made of strings.
 * (bench/gen_trace keeps its own FNV: the traces it writes must stay
 * byte-identical whatever happens here.) */
#ifndef BTRACE_HASH_H
#define BTRACE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t bt_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

#define BT_HASH_SEED 0xcbf29ce484222325ull /* FNV-1a's offset basis */

/* H extended with the N bytes at P (FNV-1a). */
static inline uint64_t bt_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = (const unsigned char *)p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* H extended with S and its NUL, so that ("ab", "c") and ("a", "bc")
 * differ. */
static inline uint64_t bt_hash_str(uint64_t h, const char *s)
{
	return bt_hash_bytes(h, s, strlen(s) + 1);
}

#endif
