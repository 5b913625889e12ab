/* trace_records.c - one builder per record type (see trace_records.h).
 * [AS-safe] throughout: nothing here allocates, calls stdio or touches libc
 * state; libbtrace.so links it. */
#define _GNU_SOURCE
#include "trace_records.h"

#include <sched.h>
#include <string.h>

void bt_rusage_from(const struct rusage *in, struct bt_rusage *out)
{
	out->utime_us = (uint64_t)in->ru_utime.tv_sec * 1000000u +
			(uint64_t)in->ru_utime.tv_usec;
	out->stime_us = (uint64_t)in->ru_stime.tv_sec * 1000000u +
			(uint64_t)in->ru_stime.tv_usec;
	out->maxrss_kib = (uint64_t)in->ru_maxrss;
	out->minflt = (uint64_t)in->ru_minflt;
	out->majflt = (uint64_t)in->ru_majflt;
	out->nvcsw = (uint64_t)in->ru_nvcsw;
	out->nivcsw = (uint64_t)in->ru_nivcsw;
	out->inblock = (uint64_t)in->ru_inblock;
	out->oublock = (uint64_t)in->ru_oublock;
}

/* A record of TYPE that is its fixed body alone. */
static size_t fixed_only(char *buf, size_t cap, uint16_t type,
			 const void *fixed, uint16_t size)
{
	struct bt_enc e;
	if (bt_enc_begin(&e, buf, cap, type, fixed, size) < 0)
		return 0;
	return bt_enc_end(&e);
}

/* A record of TYPE that is its fixed body and the string STR, cut at MAX
 * bytes. */
static size_t fixed_and_str(char *buf, size_t cap, uint16_t type,
			    const void *fixed, uint16_t size, const char *str,
			    size_t max)
{
	struct bt_enc e;
	if (bt_enc_begin(&e, buf, cap, type, fixed, size) < 0)
		return 0;
	bt_enc_str(&e, str, max);
	return bt_enc_end(&e);
}

/* Appends IN's argv, bounded (and redacted if asked); returns 1 if it was
 * cut. */
static int add_argv(struct bt_enc *e, const struct bt_argv_in *in,
		    uint32_t *kept, uint32_t *total)
{
	if (!in->redact)
		return bt_enc_argv(e, in->argv, BT_MAX_ARGV_BYTES, BT_MAX_ARGS,
				   kept, total);
	in->redact->exempt = bt_redact_exempt_argv(in->argv);
	return bt_enc_argv_filtered(e, in->argv, BT_MAX_ARGV_BYTES, BT_MAX_ARGS,
				    kept, total, bt_redact_filter, in->redact);
}

uint32_t bt_session_cpus(void)
{
	cpu_set_t set;
	int n;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	n = CPU_COUNT(&set);
	return n > 0 ? (uint32_t)n : 0;
}

size_t bt_build_session(char *buf, size_t cap, const struct bt_rec_session *s,
			const char *version, const struct bt_argv_in *cmd)
{
	struct bt_rec_session body = *s;
	struct bt_enc e;
	uint32_t kept = 0, total = 0;
	if (bt_enc_begin(&e, buf, cap, BT_REC_SESSION, &body, sizeof(body)) < 0)
		return 0;
	bt_enc_str(&e, version, BT_STR_VERSION);
	add_argv(&e, cmd, &kept, &total);
	body.argc = kept;
	bt_enc_patch_fixed(&e, &body, sizeof(body));
	return bt_enc_end(&e);
}

size_t bt_build_proc_start(char *buf, size_t cap,
			   const struct bt_rec_proc_start *st,
			   const struct bt_start_in *in)
{
	struct bt_rec_proc_start body = *st;
	struct bt_enc e;
	body.argc = body.argc_kept = body.envc = 0;
	if (bt_enc_begin(&e, buf, cap, BT_REC_PROC_START, &body, sizeof(body)) <
	    0)
		return 0;
	bt_enc_str(&e, in->exe, BT_STR_PATH);
	bt_enc_str(&e, in->cwd, BT_STR_PATH);
	if (add_argv(&e, &in->argv, &body.argc_kept, &body.argc))
		body.flags |= BT_START_ARGV_TRUNCATED;
	for (char *const *ep = in->env; ep && *ep; ep++) {
		if (in->env_keep && !in->env_keep(*ep))
			continue;
		if (e.cap - e.len < BT_MAX_ENV_VALUE + 64) {
			body.flags |= BT_START_ENV_TRUNCATED;
			break;
		}
		if (bt_enc_str(&e, *ep, BT_MAX_ENV_VALUE) > 0)
			body.flags |= BT_START_ENV_TRUNCATED;
		body.envc++;
	}
	bt_enc_patch_fixed(&e, &body, sizeof(body));
	return bt_enc_end(&e);
}

size_t bt_build_exec(char *buf, size_t cap, const struct bt_rec_exec *ex,
		     const char *path)
{
	return fixed_and_str(buf, cap, BT_REC_EXEC, ex, sizeof(*ex), path,
			     BT_STR_EXEC);
}

size_t bt_build_exec_failed(char *buf, size_t cap,
			    const struct bt_rec_exec_failed *ef)
{
	return fixed_only(buf, cap, BT_REC_EXEC_FAILED, ef, sizeof(*ef));
}

size_t bt_build_spawn(char *buf, size_t cap, const struct bt_rec_spawn *sp,
		      const char *what)
{
	return fixed_and_str(buf, cap, BT_REC_SPAWN, sp, sizeof(*sp), what,
			     BT_STR_EXEC);
}

size_t bt_build_reap(char *buf, size_t cap, const struct bt_rec_reap *rp)
{
	return fixed_only(buf, cap, BT_REC_REAP, rp, sizeof(*rp));
}

size_t bt_build_proc_end(char *buf, size_t cap,
			 const struct bt_rec_proc_end *pe)
{
	return fixed_only(buf, cap, BT_REC_PROC_END, pe, sizeof(*pe));
}

size_t bt_build_dropped(char *buf, size_t cap, const struct bt_rec_dropped *d)
{
	return fixed_only(buf, cap, BT_REC_DROPPED, d, sizeof(*d));
}

size_t bt_build_sampling(char *buf, size_t cap, const struct bt_rec_sampling *s)
{
	return fixed_only(buf, cap, BT_REC_SAMPLING, s, sizeof(*s));
}

size_t bt_build_module(char *buf, size_t cap, const struct bt_rec_module *m,
		       const char *path, const char *build_id)
{
	struct bt_enc e;
	if (bt_enc_begin(&e, buf, cap, BT_REC_MODULE, m, sizeof(*m)) < 0)
		return 0;
	bt_enc_str(&e, path, BT_STR_MODULE_PATH);
	bt_enc_str(&e, build_id, BT_STR_BUILD_ID);
	return bt_enc_end(&e);
}

size_t bt_build_thread(char *buf, size_t cap, const struct bt_rec_thread *t,
		       const char *name)
{
	return fixed_and_str(buf, cap, BT_REC_THREAD, t, sizeof(*t), name,
			     BT_STR_THREAD);
}

size_t bt_build_sampler_end(char *buf, size_t cap,
			    const struct bt_rec_sampler_end *end)
{
	return fixed_only(buf, cap, BT_REC_SAMPLER_END, end, sizeof(*end));
}

void bt_samples_begin(struct bt_samples_batch *b, char *buf, size_t cap)
{
	struct bt_rec_samples hdr = {0, 0};
	b->count = 0;
	bt_enc_begin(&b->e, buf, cap, BT_REC_SAMPLES, &hdr, sizeof(hdr));
}

int bt_samples_add(struct bt_samples_batch *b, const struct bt_sample_head *h,
		   const uint64_t *pcs)
{
	size_t need = sizeof(*h) + (size_t)h->depth * sizeof(uint64_t);
	if (b->e.overflow || b->e.cap - b->e.len < need)
		return -1;
	bt_enc_bytes(&b->e, h, sizeof(*h));
	bt_enc_bytes(&b->e, pcs, (size_t)h->depth * sizeof(uint64_t));
	b->count++;
	return 0;
}

size_t bt_samples_end(struct bt_samples_batch *b)
{
	struct bt_rec_samples hdr = {b->count, 0};
	if (b->e.overflow)
		return 0;
	bt_enc_patch_fixed(&b->e, &hdr, sizeof(hdr));
	return bt_enc_end(&b->e);
}
