/* replay_main.c - runs a libFuzzer target on saved inputs without
 * libFuzzer: the checked-in crashers and seeds of tests/fuzz/corpus are
 * replayed by a normal test in every build (tests/robustness/trace).
 * usage: replay_TARGET FILE... ; exit 0 if every input ran */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, got;
		if (!f) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			return 2;
		}
		do {
			if (cap - len < 65536) {
				cap = cap * 2 + 65536;
				buf = realloc(buf, cap);
				if (!buf)
					return 2;
			}
			got = fread(buf + len, 1, cap - len, f);
			len += got;
		} while (got);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		n++;
	}
	printf("replay: %d inputs, no crash\n", n);
	return 0;
}
