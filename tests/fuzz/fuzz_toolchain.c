/* fuzz_toolchain.c - libFuzzer target for the toolchain version scan
 * (model/toolchain.c): the bytes of a compiler library that the trace
 * names, and an LLVM library's file name.  Any bytes scan, never a read
 * outside them; a version found is a terminated string within the
 * caller's buffer, at most CAP - 1 bytes, whatever CAP is.
 *
 * Input: the first byte picks CAP (1 to 256); the rest is the library's
 * bytes, and (up to its first NUL) the file name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/toolchain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[257], *bytes, *name;
	const char *source = NULL;
	size_t cap;
	int rc;
	if (!size)
		return 0;
	cap = (size_t)data[0] + 1;
	/* An exact-size heap copy: ASan sees any read past the end. */
	bytes = malloc(size - 1 ? size - 1 : 1);
	name = malloc(size);
	if (!bytes || !name)
		goto out;
	memcpy(bytes, data + 1, size - 1);
	memset(out, 0x55, sizeof(out));
	rc = bt_rustc_version_scan(bytes, size - 1, out, cap, &source);
	if (rc < -1 || rc > 1 || strnlen(out, cap) >= cap)
		abort();
	if (out[cap] != 0x55 && cap < sizeof(out))
		abort(); /* wrote past CAP */
	if (rc == 1 && (!source || !out[0]))
		abort();
	memcpy(name, data + 1, size - 1);
	name[size - 1] = 0;
	memset(out, 0x55, sizeof(out));
	rc = bt_rustc_version_of_llvm(name, out, cap);
	if ((rc != 0 && rc != 1) || strnlen(out, cap) >= cap)
		abort();
	if (out[cap] != 0x55 && cap < sizeof(out))
		abort();
out:
	free(bytes);
	free(name);
	return 0;
}
