/* pool.c - the profile's string pool (pool.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "profile/pool.h"

/* Doubles the index (64 slots at first) and puts every string back. */
static int grow_index(struct pool *p)
{
	size_t n = p->n_slots ? p->n_slots * 2 : 64;
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		size_t j = bt_hash_str(BT_HASH_SEED, p->s[i]) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = s;
	p->n_slots = n;
	return 0;
}

const char *pool_add(struct pool *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uint64_t h = bt_hash_str(BT_HASH_SEED, buf);
	size_t j;
	if ((p->n + 1) * 2 > p->n_slots && grow_index(p) < 0)
		return NULL;
	/* reuse equal strings so tree keys (pointers) match */
	for (j = h & (p->n_slots - 1); p->slots[j];
	     j = (j + 1) & (p->n_slots - 1))
		if (!strcmp(p->s[p->slots[j] - 1], buf))
			return p->s[p->slots[j] - 1];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **s = realloc(p->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		p->s = s;
		p->cap = cap;
	}
	p->s[p->n] = strdup(buf);
	if (!p->s[p->n])
		return NULL;
	p->slots[j] = (uint32_t)++p->n;
	return p->s[p->n - 1];
}

void pool_seal(struct pool *p)
{
	free(p->slots);
	p->slots = NULL;
	p->n_slots = 0;
}

void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	pool_seal(p);
}
