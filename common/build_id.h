/* build_id.h - a module's GNU build-id, as lower-case hex, from its ELF
 * notes: the recorder reads it from the loaded module's PT_NOTE segments
 * (preload/sampler.c), the symbolizer from the file on disk
 * (analyzer/profile/elf_file.c), and both must spell it alike for the
 * analyzer to match them (docs/trace-format.md, MODULE records).
 *
 * Async-signal-safe and allocation-free: plain loads and stores on the
 * caller's buffers, no libc call (the shim may call it where a signal
 * handler or a vfork child could be). */
#ifndef BTRACE_BUILD_ID_H
#define BTRACE_BUILD_ID_H

#include <stddef.h>
#include <stdint.h>

#define BT_NT_GNU_BUILD_ID 3 /* NT_GNU_BUILD_ID, without <elf.h> */

/* OUT = the N bytes at P as lower-case hex, NUL-terminated (2N+1 bytes).
 * AS-safe. */
static inline void bt_hex(char *out, const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = 0;
}

/* Looks for a GNU build-id note in the LEN bytes of notes at BUF (a
 * PT_NOTE segment or SHT_NOTE section, in this machine's byte order),
 * whose entries are aligned to ALIGN bytes (4, or 8 for ELF_T_NHDR8
 * sections).  Writes its hex into OUT (CAP bytes) and returns 1; returns
 * 0, leaving OUT alone, if there is none, it does not fit in OUT, or the
 * notes are cut short.  AS-safe. */
static inline int bt_build_id_notes(const void *buf, size_t len, size_t align,
				    char *out, size_t cap)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t off = 0, a = align == 8 ? 8 : 4;

	while (off <= len && len - off >= 12) {
		uint32_t hdr[3]; /* n_namesz, n_descsz, n_type */
		size_t name, desc, next;
		for (size_t i = 0; i < sizeof(hdr); i++)
			((unsigned char *)hdr)[i] = b[off + i];
		name = off + 12;
		if (hdr[0] > len - name)
			return 0;
		/* the name is aligned to 4 even in 8-aligned notes */
		desc = (name + hdr[0] + 3) & ~(size_t)3;
		if (a == 8)
			desc = (desc + 7) & ~(size_t)7;
		if (desc > len || hdr[1] > len - desc)
			return 0;
		if (hdr[2] == BT_NT_GNU_BUILD_ID && hdr[0] == 4 &&
		    b[name] == 'G' && b[name + 1] == 'N' &&
		    b[name + 2] == 'U' && b[name + 3] == 0 &&
		    (size_t)hdr[1] * 2 + 1 <= cap) {
			bt_hex(out, b + desc, hdr[1]);
			return 1;
		}
		next = (desc + hdr[1] + a - 1) & ~(a - 1);
		if (next <= off)
			return 0; /* wrapped around */
		off = next;
	}
	return 0;
}

#endif
