/* fuzz_trace_reader.c - libFuzzer target for the trace reader: any bytes
 * as a trace file must parse to records or a clean error, never a crash,
 * a leak, or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bt_image img;
	const char *why = NULL;
	char *blob = malloc(size + 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	blob[size] = 0;
	memset(&img, 0, sizeof(img));
	if (bt_image_parse(&img, blob, size, &why) == 0) {
		/* Walk everything the parse produced. */
		uint64_t pcs[BT_MAX_DEPTH];
		volatile size_t sink = 0;
		for (uint32_t i = 0; i < img.start.argc_kept; i++)
			sink += strlen(img.argv[i]);
		for (uint32_t i = 0; i < img.start.envc; i++)
			sink += strlen(img.env[i]);
		for (size_t i = 0; i < img.n_modules; i++)
			sink += strlen(img.modules[i].path);
		for (size_t b = 0; b < img.n_batches; b++) {
			struct bt_sample_head h;
			size_t off = 0;
			while (bt_batch_next(&img.batches[b], &off, &h, pcs))
				sink += h.depth ? pcs[h.depth - 1] & 1 : 0;
		}
		(void)sink;
	}
	/* bt_image_parse took the blob even when the header was bad. */
	bt_image_free(&img);
	return 0;
}
