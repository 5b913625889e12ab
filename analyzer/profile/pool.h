/* pool.h - the profile's strings for group names ("build", a unit, a
 * thread kind, "[lost samples]"): each made once, so that equal names are
 * the same pointer and the trees can key their nodes by pointer.
 *
 * A pool holds a name per unit and thread kind: thousands in a build of
 * thousands of units, so equal names are found through a hash, not a
 * scan (a scan per image made the profile quadratic in the processes).
 * It is owned by one thread: the profile's producer (pipeline.h) makes
 * every name the builder uses. */
#ifndef BTRACE_POOL_H
#define BTRACE_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool {
	char **s;
	size_t n, cap;
	uint32_t *slots; /* index + 1 into S by the string's hash; 0 empty */
	size_t n_slots;
};

/* The pooled copy of the printf-formatted string (at most 511 bytes): an
 * equal one already in P, else a new one.  NULL when out of memory. */
const char *pool_add(struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees the index that finds equal strings: no more pool_add() (the
 * strings and their array stay, for pool_free()). */
void pool_seal(struct pool *p);

/* Frees the strings, the array and the index; P may be zeroed and
 * reused. */
void pool_free(struct pool *p);

#endif
