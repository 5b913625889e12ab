/* fuzz_rustc_flags.c - libFuzzer target for the rustc flag parser: any
 * argv (and any CARGO_ENCODED_RUSTFLAGS) parses, never a crash, an
 * overflow of a fixed field or an `unknown` entry pointing outside the
 * strings it was given.
 *
 * Input: NUL-separated arguments; if a 0x1e byte comes first, the bytes up
 * to the next 0x1e are the encoded RUSTFLAGS (0x1f-separated). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/rustc_flags.h"

#define MAX_ARGS 512

/* Aborts (a crash the fuzzer keeps) unless FIELD is a terminated string
 * within its array. */
#define CHECK_FIELD(f)                                                         \
	do {                                                                   \
		if (strnlen((f), sizeof(f)) >= sizeof(f))                      \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *p, *end, *enc = NULL;
	const char *argv[MAX_ARGS];
	struct bt_rustc_flags *f = malloc(sizeof(*f));
	int argc = 0;
	if (!buf || !f)
		goto out;
	memcpy(buf, data, size);
	buf[size] = 0;
	p = buf;
	end = buf + size;
	if (size && buf[0] == 0x1e) {
		char *close = memchr(buf + 1, 0x1e, size - 1);
		enc = buf + 1;
		if (close) {
			*close = 0;
			p = close + 1;
		} else {
			p = end;
		}
	}
	while (p < end && argc < MAX_ARGS) {
		argv[argc++] = p;
		p += strlen(p) + 1;
	}
	bt_rustc_flags_parse(argc, argv, enc, f);
	CHECK_FIELD(f->crate_name);
	CHECK_FIELD(f->crate_types);
	CHECK_FIELD(f->emit);
	CHECK_FIELD(f->edition);
	CHECK_FIELD(f->target);
	CHECK_FIELD(f->out_dir);
	CHECK_FIELD(f->extra_filename);
	CHECK_FIELD(f->debuginfo);
	CHECK_FIELD(f->opt_level);
	CHECK_FIELD(f->codegen_backend);
	CHECK_FIELD(f->lto);
	CHECK_FIELD(f->split_debuginfo);
	CHECK_FIELD(f->strip);
	CHECK_FIELD(f->linker);
	CHECK_FIELD(f->fuse_ld);
	CHECK_FIELD(f->link_self_contained);
	CHECK_FIELD(f->linker_flavor);
	(void)bt_debuginfo_has_types(f->debuginfo);
	/* Every unknown entry points into the input or encoded_buf, at a
	 * terminated string. */
	for (size_t i = 0; i < f->n_unknown && i < BT_RUSTC_UNKNOWN_MAX; i++) {
		const char *u = f->unknown[i];
		int in_buf = u >= buf && u <= end;
		int in_enc = u >= f->encoded_buf &&
			     u < f->encoded_buf + sizeof(f->encoded_buf);
		if (!in_buf && !in_enc)
			abort();
		if (in_enc &&
		    strnlen(u, (size_t)(f->encoded_buf +
					sizeof(f->encoded_buf) - u)) ==
			(size_t)(f->encoded_buf + sizeof(f->encoded_buf) - u))
			abort();
	}
	if (f->input && !(f->input >= buf && f->input <= end) &&
	    strcmp(f->input, "-") != 0)
		abort();
out:
	free(f);
	free(buf);
	return 0;
}
