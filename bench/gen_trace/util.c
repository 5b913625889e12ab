/* util.c - die(), allocation that dies on failure, the random numbers
 * (splitmix64, seeded per process) and the hashes every other part derives
 * from. */
#define _GNU_SOURCE
#include "gen_trace.h"

void die(const char *fmt, ...)
{
	va_list ap;
	fputs("gen_trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- randomness: splitmix64, seeded per process so that nothing depends
 * on the order things are generated in ---- */

uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

/* A value in [0, N) from the high bits of H, without a division. */
uint64_t scale(uint64_t h, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)h * n) >> 64);
}

uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return scale(rnd(r), n);
}

double rnd_unit(struct rng *r)
{
	return (double)(rnd(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [LO, HI] milliseconds, in nanoseconds. */
uint64_t rnd_ms(struct rng *r, double lo, double hi)
{
	return (uint64_t)((lo + (hi - lo) * rnd_unit(r)) * 1e6);
}

/* exp(N(0, SIGMA)): median 1, a long tail like crate sizes have. */
double rnd_lognormal(struct rng *r, double sigma)
{
	double u1 = rnd_unit(r) + 1e-12, u2 = rnd_unit(r);
	return exp(sigma * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

void rnd_hex(struct rng *r, char *out, int n)
{
	static const char d[] = "0123456789abcdef";
	uint64_t v = rnd(r);
	for (int i = 0; i < n; i++) {
		if (i == 16)
			v = rnd(r);
		out[i] = d[v & 15];
		v >>= 4;
	}
	out[n] = 0;
}

void rnd_base36(struct rng *r, char *out, int n)
{
	static const char d[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	for (int i = 0; i < n; i++)
		out[i] = d[rnd_below(r, 36)];
	out[n] = 0;
}

void rnd_alnum(struct rng *r, char *out, int n)
{
	static const char d[] = "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < n; i++)
		out[i] = d[rnd_below(r, sizeof(d) - 1)];
	out[n] = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* A GNU build-id (SHA-1 sized) that depends only on the file's path: the
 * same file has the same id in every process. */
void build_id_for(const char *path, char out[41])
{
	static const char d[] = "0123456789abcdef";
	uint64_t h = hash_str(path);
	for (int i = 0; i < 40; i++) {
		if (i % 16 == 0)
			h = mix64(h + (uint64_t)i);
		out[i] = d[(h >> (4 * (i % 16))) & 15];
	}
	out[40] = 0;
}
