/* trace_codec.c - encode and decode btrace records (see trace_codec.h).
 * Nothing here allocates or calls into stdio: the recorder links it. */
#include "trace_codec.h"

#include <string.h>

static size_t bt_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* A 64-bit multiplicative hash over 8-byte words (FNV-1a's step on words),
 * folded to 32 bits.  Each step is a bijection of the state, so a change
 * confined to one word (any flipped byte) always changes the state; the
 * fold leaves a 2^-32 chance of missing other damage.  Pure computation:
 * async-signal-safe. */
uint32_t bt_check32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8); /* records are not aligned */
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

void bt_file_header_init(struct bt_file_header *h, uint32_t pid,
			 uint64_t start_ticks, const char *session)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, BT_MAGIC, BT_MAGIC_LEN);
	h->version = BT_FORMAT_VERSION;
	h->min_reader_version = BT_MIN_READER_VERSION;
	h->header_size = sizeof(*h);
	h->flags = BT_FILE_CHECKED;
	h->endian_mark = BT_ENDIAN_MARK;
	h->pid = pid;
	h->start_ticks = start_ticks;
	if (session) {
		size_t n = bt_strnlen(session, BT_SESSION_LEN - 1);
		memcpy(h->session, session, n);
	}
	h->header_check = bt_check32(h, sizeof(*h));
}

int bt_enc_begin(struct bt_enc *e, char *buf, size_t cap, uint16_t type,
		 const void *fixed, uint16_t fixed_size)
{
	struct bt_record_header rh;
	e->buf = buf;
	e->len = 0;
	e->overflow = 0;
	if (cap < sizeof(rh) + fixed_size + BT_RECORD_CHECK_SIZE) {
		e->cap = cap;
		e->overflow = 1;
		return -1;
	}
	e->cap = cap - BT_RECORD_CHECK_SIZE; /* room for the check */
	rh.size = 0;
	rh.type = type;
	rh.fixed_size = fixed_size;
	memcpy(buf, &rh, sizeof(rh));
	memcpy(buf + sizeof(rh), fixed, fixed_size);
	e->len = sizeof(rh) + fixed_size;
	return 0;
}

int bt_enc_str(struct bt_enc *e, const char *s, size_t max_len)
{
	static const char mark[] = BT_TRUNC_MARK;
	size_t room, n;
	if (e->overflow)
		return -1;
	if (!s)
		s = "";
	room = e->cap - e->len; /* includes the NUL */
	n = bt_strnlen(s, max_len + 1);
	if (n <= max_len && n + 1 <= room) {
		memcpy(e->buf + e->len, s, n + 1);
		e->len += n + 1;
		return 0;
	}
	/* Cut: keep a prefix and the mark. */
	if (room < sizeof(mark)) {
		e->overflow = 1;
		return -1;
	}
	if (n > max_len)
		n = max_len;
	if (n + sizeof(mark) > room)
		n = room - sizeof(mark);
	memcpy(e->buf + e->len, s, n);
	memcpy(e->buf + e->len + n, mark, sizeof(mark));
	e->len += n + sizeof(mark);
	return 1;
}

int bt_enc_bytes(struct bt_enc *e, const void *p, size_t n)
{
	if (e->overflow || e->cap - e->len < n) {
		e->overflow = 1;
		return -1;
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
	return 0;
}

int bt_enc_argv(struct bt_enc *e, char *const argv[], size_t max_bytes,
		uint32_t max_args, uint32_t *kept, uint32_t *total)
{
	return bt_enc_argv_filtered(e, argv, max_bytes, max_args, kept, total,
				    NULL, NULL);
}

int bt_enc_argv_filtered(struct bt_enc *e, char *const argv[], size_t max_bytes,
			 uint32_t max_args, uint32_t *kept, uint32_t *total,
			 bt_arg_filter filter, void *ctx)
{
	uint32_t i = 0, k = 0;
	size_t used = 0;
	int cut = 0;
	if (argv) {
		for (; argv[i]; i++) {
			size_t n, budget;
			const char *a;
			if (cut)
				continue; /* keep counting the total */
			a = filter ? filter(ctx, argv, i) : argv[i];
			n = bt_strnlen(a, max_bytes) + 1;
			budget = max_bytes - used;
			if (k >= max_args ||
			    budget < sizeof(BT_TRUNC_MARK) + 1) {
				cut = 1;
				continue;
			}
			if (n <= budget) {
				size_t before = e->len;
				int r = bt_enc_str(e, a, n - 1);
				if (r < 0) {
					e->overflow = 0; /* stop, keep record */
					cut = 1;
					continue;
				}
				used += e->len - before;
				k++;
				if (r > 0)
					cut = 1;
			} else {
				size_t before = e->len;
				if (bt_enc_str(
					e, a, budget - sizeof(BT_TRUNC_MARK)) >=
				    0) {
					used += e->len - before;
					k++;
				} else {
					e->overflow = 0;
				}
				cut = 1;
			}
		}
	}
	*kept = k;
	*total = i;
	return cut;
}

void bt_enc_patch_fixed(struct bt_enc *e, const void *fixed,
			uint16_t fixed_size)
{
	memcpy(e->buf + sizeof(struct bt_record_header), fixed, fixed_size);
}

size_t bt_enc_end(struct bt_enc *e)
{
	uint32_t size, check;
	if (e->overflow)
		return 0;
	size = (uint32_t)(e->len + BT_RECORD_CHECK_SIZE);
	memcpy(e->buf, &size, sizeof(size));
	check = bt_check32(e->buf, e->len);
	memcpy(e->buf + e->len, &check, sizeof(check));
	return size;
}

int bt_check_file_header(const void *data, size_t len,
			 struct bt_file_header *out, const char **why)
{
	struct bt_file_header h;
	const char *reason = NULL;
	memset(&h, 0, sizeof(h));
	if (len < BT_MAGIC_LEN || memcmp(data, BT_MAGIC, BT_MAGIC_LEN) != 0) {
		reason =
		    len == 0 ? "empty file" : "not a btrace file (bad magic)";
		goto fail;
	}
	if (len < BT_HEADER_V2_SIZE) {
		reason = "file header is cut off";
		goto fail;
	}
	memcpy(&h, data, len < sizeof(h) ? len : sizeof(h));
	if ((h.version >= 3 || (h.flags & BT_FILE_CHECKED)) &&
	    len < sizeof(h)) {
		reason = "file header is cut off";
		goto fail;
	}
	if (h.endian_mark != BT_ENDIAN_MARK) {
		reason = "trace has the other byte order";
		goto fail;
	}
	if (h.min_reader_version > BT_FORMAT_VERSION) {
		reason = "trace needs a newer btrace (format version too new)";
		goto fail;
	}
	/* From version 3 on the header is checked: a flipped bit in a
	 * version, flag, size, pid or session must not pass for data. */
	if (h.version >= 3 || (h.flags & BT_FILE_CHECKED)) {
		uint32_t want = h.header_check;
		if (!(h.flags & BT_FILE_CHECKED) || h.version < 3 ||
		    h.header_size < sizeof(h)) {
			reason = "damaged file header (version and flags "
				 "disagree)";
			goto fail;
		}
		h.header_check = 0;
		if (bt_check32(&h, sizeof(h)) != want) {
			reason = "damaged file header (checksum mismatch)";
			goto fail;
		}
		h.header_check = want;
	} else {
		/* Versions 1 and 2: a 64-byte header, no checks. */
		memset((char *)&h + BT_HEADER_V2_SIZE, 0,
		       sizeof(h) - BT_HEADER_V2_SIZE);
		if (h.header_size < BT_HEADER_V2_SIZE) {
			reason = "bad file header size";
			goto fail;
		}
	}
	if (h.header_size > len) {
		reason = "bad file header size";
		goto fail;
	}
	h.session[BT_SESSION_LEN - 1] = 0;
	if (out)
		*out = h;
	return 0;
fail:
	if (why)
		*why = reason;
	return -1;
}

enum bt_read_status bt_next_record(const void *data, size_t len, size_t *off,
				   struct bt_record *rec)
{
	return bt_read_record(data, len, off, BT_FILE_CHECKED, rec);
}

enum bt_read_status bt_read_record(const void *data, size_t len, size_t *off,
				   unsigned file_flags, struct bt_record *rec)
{
	const unsigned char *p = data;
	struct bt_record_header rh;
	size_t tail = (file_flags & BT_FILE_CHECKED) ? BT_RECORD_CHECK_SIZE : 0;
	if (*off >= len)
		return BT_READ_END;
	if (len - *off < sizeof(rh))
		return BT_READ_TRUNCATED;
	memcpy(&rh, p + *off, sizeof(rh));
	if (rh.size == 0 && rh.type == 0) {
		/* A zero-filled tail: a write that the kernel extended but
		 * never filled (crash during append). */
		return BT_READ_TRUNCATED;
	}
	if (rh.size < sizeof(rh) + tail || rh.size > BT_MAX_RECORD ||
	    rh.fixed_size > rh.size - sizeof(rh) - tail)
		return BT_READ_CORRUPT;
	if (rh.size > len - *off)
		return BT_READ_TRUNCATED;
	if (tail) {
		uint32_t check;
		memcpy(&check, p + *off + rh.size - tail, sizeof(check));
		if (bt_check32(p + *off, rh.size - tail) != check)
			return BT_READ_DAMAGED;
	}
	rec->type = rh.type;
	rec->fixed_size = rh.fixed_size;
	rec->size = rh.size;
	rec->offset = *off;
	rec->fixed = p + *off + sizeof(rh);
	rec->strings = (const char *)rec->fixed + rh.fixed_size;
	rec->strings_len = rh.size - sizeof(rh) - rh.fixed_size - tail;
	*off += rh.size;
	return BT_READ_OK;
}

void bt_record_fixed(const struct bt_record *rec, void *out, size_t out_size)
{
	size_t n = rec->fixed_size < out_size ? rec->fixed_size : out_size;
	memset(out, 0, out_size);
	memcpy(out, rec->fixed, n);
}

int bt_record_strings(const struct bt_record *rec, const char **out, size_t max)
{
	size_t i = 0;
	int count = 0;
	if (rec->strings_len == 0)
		return 0;
	if (rec->strings[rec->strings_len - 1] != 0)
		return -1;
	while (i < rec->strings_len) {
		if ((size_t)count < max)
			out[count] = rec->strings + i;
		count++;
		i += strlen(rec->strings + i) + 1;
	}
	return count;
}

const char *bt_api_name(uint32_t api)
{
	static const char *const names[BT_API_MAX] = {
	    [BT_API_EXECVE] = "execve",
	    [BT_API_EXECV] = "execv",
	    [BT_API_EXECVP] = "execvp",
	    [BT_API_EXECVPE] = "execvpe",
	    [BT_API_EXECL] = "execl",
	    [BT_API_EXECLP] = "execlp",
	    [BT_API_EXECLE] = "execle",
	    [BT_API_FEXECVE] = "fexecve",
	    [BT_API_EXECVEAT] = "execveat",
	    [BT_API_POSIX_SPAWN] = "posix_spawn",
	    [BT_API_POSIX_SPAWNP] = "posix_spawnp",
	    [BT_API_FORK] = "fork",
	    [BT_API_SYSTEM] = "system",
	    [BT_API_POPEN] = "popen",
	    [BT_API_WAIT] = "wait",
	    [BT_API_WAITPID] = "waitpid",
	    [BT_API_WAIT3] = "wait3",
	    [BT_API_WAIT4] = "wait4",
	    [BT_API_WAITID] = "waitid",
	    [BT_API_EXIT] = "exit",
	    [BT_API__EXIT] = "_exit",
	    [BT_API__EXIT2] = "_Exit",
	    [BT_API_DESTRUCTOR] = "destructor",
	};
	if (api < BT_API_MAX && names[api])
		return names[api];
	return "unknown";
}

const char *bt_record_type_name(uint32_t type)
{
	switch (type) {
	case BT_REC_SESSION:
		return "session";
	case BT_REC_PROC_START:
		return "proc_start";
	case BT_REC_EXEC:
		return "exec";
	case BT_REC_EXEC_FAILED:
		return "exec_failed";
	case BT_REC_SPAWN:
		return "spawn";
	case BT_REC_REAP:
		return "reap";
	case BT_REC_PROC_END:
		return "proc_end";
	case BT_REC_SAMPLING:
		return "sampling";
	case BT_REC_MODULE:
		return "module";
	case BT_REC_SAMPLES:
		return "samples";
	case BT_REC_THREAD:
		return "thread";
	case BT_REC_SAMPLER_END:
		return "sampler_end";
	case BT_REC_DROPPED:
		return "dropped";
	default:
		return "unknown";
	}
}
