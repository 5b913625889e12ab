/* pool.c - the profile's string pool (pool.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/pool.h"

const char *pool_add(struct pool *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* small pools: reuse equal strings so tree keys (pointers) match */
	for (size_t i = p->n; i-- > 0;)
		if (!strcmp(p->s[i], buf))
			return p->s[i];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **s = realloc(p->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		p->s = s;
		p->cap = cap;
	}
	p->s[p->n] = strdup(buf);
	return p->s[p->n] ? p->s[p->n++] : NULL;
}

void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
}
