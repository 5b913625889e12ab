/* redact.h - credential-shaped command-line values, removed at record time.
 *
 * A trace keeps every process's argv and the command strings passed to
 * system() and popen().  Build scripts pass tokens there: curl -H
 * 'Authorization: Bearer ...', https://user:password@host URLs,
 * --password=..., --token ..., GITHUB_TOKEN=... .  The recorder copies
 * each such value as BT_REDACTED instead (docs/trace-format.md lists the
 * rules; redact.c keeps them in one table).
 *
 * [AS-safe] throughout: the stack and the caller's buffers only, no libc
 * state, so the recorder may call these in a vfork child. */
#ifndef BTRACE_REDACT_H
#define BTRACE_REDACT_H

#include <stddef.h>

#define BT_REDACTED "<redacted>"

/* Copies the argument ARG into OUT (CAP bytes, always NUL-terminated, cut
 * to fit) with its credential-shaped parts replaced by BT_REDACTED.  PREV
 * is the argument before it, or NULL: "--token VALUE" redacts VALUE.
 * The argument after a flag of rustc's whose value is never a credential
 * (--extern NAME=PATH, -C, --cfg) is kept as it is.
 * Returns the number of replacements (0: OUT is ARG, perhaps cut). */
int bt_redact_arg(const char *arg, const char *prev, char *out, size_t cap);

/* The same for a shell command line (system, popen): words are split at
 * unquoted blanks, and each is redacted as an argument after the word
 * before it.  Blanks and quotes are kept. */
int bt_redact_command(const char *cmd, char *out, size_t cap);

/* Are the arguments of the program ARGV0 left as they are?  rustc's and
 * rustdoc's are (crate names such as tokenizers=..., -C flags: what the
 * analyzer reads, and never credentials). */
int bt_redact_exempt(const char *argv0);
/* ... or, for ARGV, its argv[0] or (under a wrapper) argv[1]. */
int bt_redact_exempt_argv(char *const argv[]);

/* For bt_enc_argv_filtered: returns argv[i], or a redacted copy in the
 * struct bt_redact_buf that CTX points to.  The argument after "-c" is
 * read as a command line (sh -c). */
struct bt_redact_buf {
	char *buf;
	size_t cap;
	int exempt; /* bt_redact_exempt(argv[0]) */
	int count;  /* replacements made so far */
};
const char *bt_redact_filter(void *ctx, char *const argv[], unsigned i);

#endif
