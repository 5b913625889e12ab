/* pool.h - the profile's strings for group names ("build", a unit, a
 * thread kind, "[lost samples]"): each made once, so that equal names are
 * the same pointer and the trees can key their nodes by pointer.
 *
 * A pool is small (hundreds of names) and owned by one thread: the
 * profile's producer (pipeline.h) makes every name the builder uses. */
#ifndef BTRACE_POOL_H
#define BTRACE_POOL_H

#include <stddef.h>

struct pool {
	char **s;
	size_t n, cap;
};

/* The pooled copy of the printf-formatted string (at most 511 bytes): an
 * equal one already in P, else a new one.  NULL when out of memory. */
const char *pool_add(struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees the strings and the array; P may be zeroed and reused. */
void pool_free(struct pool *p);

#endif
