/* fuzz_trace_reader.c - libFuzzer target for the trace reader: any bytes
 * as a trace file must parse to records or a clean error, never a crash,
 * a leak, or an out-of-bounds read.
 *
 * Version 3 files check every byte, so most mutations end at a check
 * (which exercises the reader's search for the next whole record).  To
 * reach the parsing behind the checks too, an input whose header has bit
 * 0 of reserved1 set gets its header and record checks recomputed first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace_reader.h"

/* Recomputes the checks of a checked file, record by record, as far as
 * the record headers make sense. */
static void fix_checks(char *blob, size_t size)
{
	struct bt_file_header h;
	size_t off;
	if (size < sizeof(h))
		return;
	memcpy(&h, blob, sizeof(h));
	if (!(h.reserved1 & 1) || !(h.flags & BT_FILE_CHECKED))
		return;
	h.header_check = 0;
	h.header_check = bt_check32(&h, sizeof(h));
	memcpy(blob, &h, sizeof(h));
	off = h.header_size;
	while (off + sizeof(struct bt_record_header) <= size) {
		struct bt_record_header rh;
		uint32_t c;
		memcpy(&rh, blob + off, sizeof(rh));
		if (rh.size < sizeof(rh) + BT_RECORD_CHECK_SIZE ||
		    rh.size > size - off)
			break;
		c = bt_check32(blob + off, rh.size - BT_RECORD_CHECK_SIZE);
		memcpy(blob + off + rh.size - BT_RECORD_CHECK_SIZE, &c,
		       sizeof(c));
		off += rh.size;
	}
}

/* Walks everything the parse of IMG produced. */
static void walk(const struct bt_image *img)
{
	uint64_t pcs[BT_MAX_DEPTH];
	volatile size_t sink = 0;
	for (uint32_t i = 0; i < img->start.argc_kept; i++)
		sink += strlen(img->argv[i]);
	for (uint32_t i = 0; i < img->start.envc; i++)
		sink += strlen(img->env[i]);
	for (size_t i = 0; i < img->n_modules; i++)
		sink += strlen(img->modules[i].path);
	for (size_t b = 0; b < img->n_batches; b++) {
		struct bt_sample_head h;
		size_t off = 0;
		while (bt_batch_next(&img->batches[b], &off, &h, pcs))
			sink += h.depth ? pcs[h.depth - 1] & 1 : 0;
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { MAX_IMAGES = 64 };
	static struct bt_image img[MAX_IMAGES];
	const char *why = NULL;
	char *blob = malloc(size + 1);
	size_t n = 1;
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	blob[size] = 0;
	fix_checks(blob, size);
	memset(img, 0, sizeof(img));
	if (bt_image_parse(&img[0], blob, size, &why) == 0) {
		walk(&img[0]);
		/* The images after it in the same file (version 4). */
		while (n < MAX_IMAGES && img[n - 1].next_image) {
			if (bt_image_parse_next(&img[n], &img[n - 1], &why) < 0)
				break;
			walk(&img[n++]);
		}
	}
	/* The first image owns the blob (taken even when the header was
	 * bad): the others go first. */
	while (n-- > 1)
		bt_image_free(&img[n]);
	bt_image_free(&img[0]);
	return 0;
}
