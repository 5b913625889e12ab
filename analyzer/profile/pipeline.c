/* pipeline.c - the profile's producer and builder threads (pipeline.h,
 * which states the threading contract). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "profile/pipeline.h"

/* No more than this much of the tables waiting, so that a build of a few
 * huge processes does not hold 16 huge tables at once; and a table bigger
 * than TABLE_KEEP gives its memory back once built. */
#define QUEUED_BYTES ((size_t)256 << 20)
#define TABLE_KEEP ((size_t)64 << 20)

/* Builder thread (or inline): does J, then gives its table back. */
static void consume(struct pipeline *pl, struct job *j)
{
	if (j->kind == JOB_IMAGE && j->skip)
		pl->failed = 1;
	if (pl->consume(pl->arg, j, pl->failed) < 0)
		pl->failed = 1;
	if (j->kind != JOB_IMAGE)
		return;
	if (st_bytes(j->st) > TABLE_KEEP) {
		st_free(j->st);
		memset(j->st, 0, sizeof(*j->st));
	}
	pthread_mutex_lock(&pl->mu);
	pl->queued_bytes -= j->bytes;
	pl->free_tables[pl->n_free++] = j->st;
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->mu);
}

static void *builder(void *arg)
{
	struct pipeline *pl = arg;
	for (;;) {
		struct job j;
		pthread_mutex_lock(&pl->mu);
		while (!pl->n)
			pthread_cond_wait(&pl->changed, &pl->mu);
		j = pl->q[pl->head];
		pl->head = (pl->head + 1) % PIPELINE_QUEUE;
		pl->n--;
		pthread_cond_broadcast(&pl->changed);
		pthread_mutex_unlock(&pl->mu);
		if (j.kind == JOB_END)
			return NULL;
		consume(pl, &j);
	}
}

void pipeline_put(struct pipeline *pl, const struct job *j)
{
	if (!pl->threaded) {
		struct job c = *j;
		pl->queued_bytes += c.bytes;
		if (c.kind != JOB_END)
			consume(pl, &c);
		return;
	}
	pthread_mutex_lock(&pl->mu);
	while (pl->n == PIPELINE_QUEUE)
		pthread_cond_wait(&pl->changed, &pl->mu);
	pl->queued_bytes += j->bytes;
	pl->q[(pl->head + pl->n) % PIPELINE_QUEUE] = *j;
	pl->n++;
	pthread_cond_broadcast(&pl->changed);
	pthread_mutex_unlock(&pl->mu);
}

struct stack_table *pipeline_take_table(struct pipeline *pl)
{
	struct stack_table *st;
	pthread_mutex_lock(&pl->mu);
	while (!pl->n_free || (pl->queued_bytes > QUEUED_BYTES &&
			       pl->n_free < PIPELINE_TABLES))
		pthread_cond_wait(&pl->changed, &pl->mu);
	st = pl->free_tables[--pl->n_free];
	pthread_mutex_unlock(&pl->mu);
	return st;
}

int pipeline_start(struct pipeline *pl, pipeline_consume_fn consume, void *arg)
{
	const char *env = getenv("BTRACE_THREADS");
	memset(pl, 0, sizeof(*pl));
	pl->consume = consume;
	pl->arg = arg;
	for (size_t i = 0; i < PIPELINE_TABLES; i++)
		pl->free_tables[pl->n_free++] = &pl->tables[i];
	if (pthread_mutex_init(&pl->mu, NULL))
		return -1;
	if (pthread_cond_init(&pl->changed, NULL)) {
		pthread_mutex_destroy(&pl->mu);
		return -1;
	}
	/* without a second thread (BTRACE_THREADS=1, or none to be had)
	 * the jobs run inline, in the same order */
	pl->threaded = !(env && !strcmp(env, "1")) &&
		       pthread_create(&pl->thread, NULL, builder, pl) == 0;
	return 0;
}

int pipeline_finish(struct pipeline *pl)
{
	struct job end = {.kind = JOB_END};
	pipeline_put(pl, &end);
	if (pl->threaded)
		pthread_join(pl->thread, NULL);
	pthread_cond_destroy(&pl->changed);
	pthread_mutex_destroy(&pl->mu);
	for (size_t i = 0; i < PIPELINE_TABLES; i++)
		st_free(&pl->tables[i]);
	return pl->failed ? -1 : 0;
}
