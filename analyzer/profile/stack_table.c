/* stack_table.c - an image's distinct stacks and their path-order sort
 * (stack_table.h). */
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "profile/stack_table.h"

int st_reset(struct stack_table *st)
{
	st->n = 0;
	st->n_ids = 0;
	if (st->slots)
		memset(st->slots, 0, st->n_slots * sizeof(*st->slots));
	return 0;
}

static int st_grow(struct stack_table *st)
{
	size_t n = st->n_slots ? st->n_slots * 2 : 8192;
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < st->n; i++) {
		size_t j = st->s[i].hash & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(st->slots);
	st->slots = s;
	st->n_slots = n;
	return 0;
}

/* Counts one stack of ids[0..depth) (innermost first). */
int st_add(struct stack_table *st, const uint32_t *ids, uint16_t depth,
	   uint16_t marker, uint32_t thread, uint64_t weight)
{
	uint64_t h = bt_mix64(((uint64_t)thread << 32) ^
			      ((uint64_t)marker << 16) ^ depth);
	size_t j;
	for (uint16_t i = 0; i < depth; i++)
		h = bt_mix64(h ^ (ids[i] + 0x9e3779b97f4a7c15ULL));
	if ((st->n + 1) * 2 > st->n_slots && st_grow(st) < 0)
		return -1;
	j = h & (st->n_slots - 1);
	while (st->slots[j]) {
		struct stack *s = &st->s[st->slots[j] - 1];
		if (s->hash == h && s->depth == depth && s->marker == marker &&
		    s->thread == thread &&
		    !memcmp(st->ids + s->first, ids, depth * sizeof(*ids))) {
			s->weight += weight;
			return 0;
		}
		j = (j + 1) & (st->n_slots - 1);
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		struct stack *s = realloc(st->s, cap * sizeof(*s));
		if (!s)
			return -1;
		st->s = s;
		st->cap = cap;
	}
	if (st->n_ids + depth > st->cap_ids) {
		size_t cap = (st->n_ids + depth) * 2 + 65536;
		uint32_t *x = realloc(st->ids, cap * sizeof(*x));
		if (!x)
			return -1;
		st->ids = x;
		st->cap_ids = cap;
	}
	memcpy(st->ids + st->n_ids, ids, depth * sizeof(*ids));
	st->s[st->n] = (struct stack){
	    h, (uint32_t)st->n_ids, depth, marker, thread, weight};
	st->n_ids += depth;
	st->slots[j] = (uint32_t)++st->n;
	return 0;
}

void st_free(struct stack_table *st)
{
	free(st->s);
	free(st->slots);
	free(st->ids);
}
size_t st_bytes(const struct stack_table *st)
{
	return st->cap * sizeof(*st->s) + st->n_slots * sizeof(*st->slots) +
	       st->cap_ids * sizeof(*st->ids);
}

/* Stacks in path order: thread kind, marker, then frames outermost first,
 * so that consecutive stacks share long prefixes. */
static int cmp_stacks(const void *a, const void *b, void *arg)
{
	const struct stack_table *st = arg;
	const struct stack *x = &st->s[*(const uint32_t *)a];
	const struct stack *y = &st->s[*(const uint32_t *)b];
	const uint32_t *xi = st->ids + x->first, *yi = st->ids + y->first;
	uint16_t n = x->depth < y->depth ? x->depth : y->depth;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->marker != y->marker)
		return x->marker < y->marker ? -1 : 1;
	for (uint16_t k = 1; k <= n; k++)
		if (xi[x->depth - k] != yi[y->depth - k])
			return xi[x->depth - k] < yi[y->depth - k] ? -1 : 1;
	return (int)x->depth - (int)y->depth;
}

/* Level D of stack S's path as a sort key (see cmp_stacks): the thread
 * kind, the marker, then the frames outermost first; 0 past its end, so
 * that a stack sorts before the stacks it is a prefix of. */
static inline uint64_t level_key(const struct stack_table *st,
				 const struct stack *s, size_t d)
{
	if (d == 0)
		return (uint64_t)s->thread + 1;
	if (d == 1)
		return (uint64_t)s->marker + 1;
	d -= 2;
	return d < s->depth ? (uint64_t)st->ids[s->first + s->depth - 1 - d] + 1
			    : 0;
}

/* Sorts ORDER[0..N) in path order (as cmp_stacks) from level D on, all of
 * them sharing levels 0..D-1: a multikey quicksort (Bentley and
 * Sedgewick), which looks at each stack's level D once per partition
 * instead of comparing whole shared prefixes again and again: the stacks
 * of one thread share their outer dozen frames. */
void sort_stacks(const struct stack_table *st, uint32_t *order, size_t n,
		 size_t d)
{
	while (n > 1) {
		size_t lt = 0, i = 0, gt = n;
		uint64_t pivot;
		if (n < 12) {
			/* insertion sort on the whole keys */
			for (size_t a = 1; a < n; a++)
				for (size_t b = a;
				     b > 0 &&
				     cmp_stacks(&order[b - 1], &order[b],
						(void *)st) > 0;
				     b--) {
					uint32_t t = order[b];
					order[b] = order[b - 1];
					order[b - 1] = t;
				}
			return;
		}
		{
			/* median of three */
			uint64_t x = level_key(st, &st->s[order[0]], d);
			uint64_t y = level_key(st, &st->s[order[n / 2]], d);
			uint64_t z = level_key(st, &st->s[order[n - 1]], d);
			pivot = x < y ? (y < z	 ? y
					 : x < z ? z
						 : x)
				      : (x < z	 ? x
					 : y < z ? z
						 : y);
		}
		/* three-way partition: [0,lt) < pivot, [lt,gt) ==, [gt,n) > */
		while (i < gt) {
			uint64_t k = level_key(st, &st->s[order[i]], d);
			uint32_t t = order[i];
			if (k < pivot) {
				order[i++] = order[lt];
				order[lt++] = t;
			} else if (k > pivot) {
				order[i] = order[--gt];
				order[gt] = t;
			} else {
				i++;
			}
		}
		sort_stacks(st, order, lt, d);
		sort_stacks(st, order + gt, n - gt, d);
		if (pivot == 0)
			return; /* all ended here: equal paths */
		order += lt;
		n = gt - lt;
		d++;
	}
}

/* The path levels two stacks share. */
size_t common_levels(const struct stack_table *st, const struct stack *a,
		     const struct stack *b)
{
	const uint32_t *ai = st->ids + a->first, *bi = st->ids + b->first;
	uint16_t n = a->depth < b->depth ? a->depth : b->depth, k = 0;
	if (a->thread != b->thread)
		return 0;
	if (a->marker != b->marker)
		return 1;
	while (k < n && ai[a->depth - 1 - k] == bi[b->depth - 1 - k])
		k++;
	return 2 + (size_t)k;
}
