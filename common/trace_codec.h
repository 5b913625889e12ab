/* trace_codec.h - encode and decode btrace records.
 *
 * Encoding works on a caller-provided buffer and never allocates, so the
 * recorder may use it anywhere, including vfork children (all encode
 * functions are async-signal-safe: they only touch the buffer).
 * Decoding works in place on a buffer holding a whole file and returns
 * pointers into it.
 */
#ifndef BTRACE_TRACE_CODEC_H
#define BTRACE_TRACE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "trace_format.h"

/* ---- encoding ---- */

struct bt_enc {
	char *buf;
	size_t cap;
	size_t len;
	int overflow; /* set when something did not fit */
};

void bt_file_header_init(struct bt_file_header *h, uint32_t pid,
			 uint64_t start_ticks, const char *session);

/* Starts a record of TYPE with a fixed body.  Returns 0, or -1 if the
 * buffer is too small for the header and body. */
int bt_enc_begin(struct bt_enc *e, char *buf, size_t cap, uint16_t type,
		 const void *fixed, uint16_t fixed_size);
/* Appends a NUL-terminated string.  A string that does not fit whole is cut
 * to fit with BT_TRUNC_MARK at its end; returns 1 then, 0 if whole, and -1
 * if not even the mark fits (nothing is appended). */
int bt_enc_str(struct bt_enc *e, const char *s, size_t max_len);
/* Appends N raw bytes (a binary payload, as in SAMPLES records).
 * Returns 0, or -1 (and marks the record overflowed) if they do not fit. */
int bt_enc_bytes(struct bt_enc *e, const void *p, size_t n);
/* Appends up to MAX_ARGS strings of ARGV (NULL-terminated) using at most
 * MAX_BYTES bytes.  Stores how many were kept in *KEPT and the original
 * count in *TOTAL.  Returns 1 if argv was cut, else 0. */
int bt_enc_argv(struct bt_enc *e, char *const argv[], size_t max_bytes,
		uint32_t max_args, uint32_t *kept, uint32_t *total);
/* The same with each argument passed through FILTER(CTX, ARGV, i), which
 * returns the string to encode in place of ARGV[i] (see redact.h). */
typedef const char *(*bt_arg_filter)(void *ctx, char *const argv[], unsigned i);
int bt_enc_argv_filtered(struct bt_enc *e, char *const argv[], size_t max_bytes,
			 uint32_t max_args, uint32_t *kept, uint32_t *total,
			 bt_arg_filter filter, void *ctx);
/* Patches the fixed body after strings were added (counts known late). */
void bt_enc_patch_fixed(struct bt_enc *e, const void *fixed,
			uint16_t fixed_size);
/* Finishes the record: sets its size and appends its check (bt_enc_begin
 * kept room for it).  Returns its total size, or 0 on overflow. */
size_t bt_enc_end(struct bt_enc *e);

/* ---- decoding ---- */

enum bt_read_status {
	BT_READ_OK = 0,
	BT_READ_END = 1,       /* clean end of file */
	BT_READ_TRUNCATED = 2, /* cut-off tail: the last record is partial */
	BT_READ_CORRUPT = 3,   /* a record header makes no sense */
	BT_READ_DAMAGED = 4,   /* a whole record whose check does not match */
};

/* The check of records and headers (BT_FILE_CHECKED): see trace_codec.c.
 * Async-signal-safe. */
uint32_t bt_check32(const void *data, size_t len);

/* Validates a file header.  Returns 0, or -1 with a one-line reason. */
int bt_check_file_header(const void *data, size_t len,
			 struct bt_file_header *out, const char **why);

struct bt_record {
	uint16_t type;
	uint16_t fixed_size;
	uint32_t size;
	const unsigned char *fixed; /* fixed body, fixed_size bytes */
	const char *strings;	    /* NUL-terminated strings */
	size_t strings_len;
	size_t offset; /* offset of the record in the file */
};

/* Reads the record at *OFF and advances *OFF past it (only on
 * BT_READ_OK).  FILE_FLAGS is the file header's flags: with
 * BT_FILE_CHECKED each record's check is verified and not counted in its
 * strings. */
enum bt_read_status bt_read_record(const void *data, size_t len, size_t *off,
				   unsigned file_flags, struct bt_record *rec);
/* bt_read_record of a record written by this version (checked). */
enum bt_read_status bt_next_record(const void *data, size_t len, size_t *off,
				   struct bt_record *rec);

/* Copies a record's fixed body into OUT (OUT_SIZE bytes): fields the
 * writer did not have (an older, shorter body) are zero. */
void bt_record_fixed(const struct bt_record *rec, void *out, size_t out_size);

/* Splits the record's strings: stores up to MAX pointers in OUT and
 * returns how many strings there are (all of them, even past MAX).
 * Returns -1 if the string section does not end with a NUL. */
int bt_record_strings(const struct bt_record *rec, const char **out,
		      size_t max);

#endif
