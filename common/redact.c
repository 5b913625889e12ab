/* redact.c - see redact.h.  [AS-safe]: no libc state, stack only.
 *
 * Every rule is one row of RULES below: what the recorder recognizes as a
 * credential.  The code applies the rows; it knows no names of its own. */
#include <string.h>

#include "redact.h"

enum rule_kind {
	R_NAME,		      /* a name component that sounds secret: TOKEN */
	R_NAME_PAIR,	      /* two adjacent components that do: API_KEY */
	R_NAME_HARMLESS_LAST, /* ...unless the name ends so: TOKEN_FILE */
	R_HEADER,	      /* an HTTP header whose value is a credential */
	R_URL,		      /* scheme://userinfo@host: userinfo is one */
	R_EXEMPT_PROG, /* a program whose arguments are kept as they are */
	R_KEEP_AFTER,  /* a flag of rustc's whose value is no credential */
};

/* Names are split into components at '_', '-' and '.', compared without
 * case.  They are read in --NAME=value, --NAME value and NAME=value. */
static const struct rule {
	enum rule_kind kind;
	const char *a, *b;
} rules[] = {
    {R_NAME, "password", NULL},
    {R_NAME, "passwd", NULL},
    {R_NAME, "passphrase", NULL},
    {R_NAME, "secret", NULL},
    {R_NAME, "token", NULL},
    {R_NAME, "apikey", NULL},
    {R_NAME, "auth", NULL},
    {R_NAME, "credential", NULL},
    {R_NAME, "credentials", NULL},
    {R_NAME_PAIR, "api", "key"},
    {R_NAME_PAIR, "access", "key"},
    {R_NAME_PAIR, "private", "key"},
    {R_NAME_HARMLESS_LAST, "file", NULL},
    {R_NAME_HARMLESS_LAST, "path", NULL},
    {R_NAME_HARMLESS_LAST, "dir", NULL},
    {R_HEADER, "authorization:", NULL},
    {R_HEADER, "proxy-authorization:", NULL},
    {R_HEADER, "cookie:", NULL},
    {R_HEADER, "x-api-key:", NULL},
    {R_HEADER, "x-auth-token:", NULL},
    {R_HEADER, "private-token:", NULL},
    {R_URL, "://", NULL},
    {R_EXEMPT_PROG, "rustc", NULL},
    {R_EXEMPT_PROG, "rustdoc", NULL},
    {R_EXEMPT_PROG, "clippy-driver", NULL},
    /* rustc's, under a wrapper (sccache): --extern password_hash=... */
    {R_KEEP_AFTER, "--extern", NULL},
    {R_KEEP_AFTER, "--crate-name", NULL},
    {R_KEEP_AFTER, "--cfg", NULL},
    {R_KEEP_AFTER, "--check-cfg", NULL},
    {R_KEEP_AFTER, "-C", NULL},
    {R_KEEP_AFTER, "-L", NULL},
    {R_KEEP_AFTER, "-l", NULL},
};
#define NRULES (sizeof(rules) / sizeof(*rules))

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Does S (N bytes) equal the lower-case WORD, ignoring case? */
static int eq_nocase(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n && word[i]; i++)
		if (lower(s[i]) != word[i])
			return 0;
	return i == n && !word[i];
}

static int is_sep(char c)
{
	return c == '_' || c == '-' || c == '.';
}

/* Does the name S (N bytes, no '=') sound like it holds a secret? */
static int secret_name(const char *s, size_t n)
{
	const char *comp[16];
	size_t clen[16], nc = 0;
	int hit = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !is_sep(s[j]))
			j++;
		if (j > i) {
			if (nc == 16)
				return 0; /* not a name anyone types */
			comp[nc] = s + i;
			clen[nc++] = j - i;
		}
		i = j + 1;
	}
	if (!nc)
		return 0;
	for (size_t r = 0; r < NRULES; r++) {
		const struct rule *ru = &rules[r];
		if (ru->kind == R_NAME_HARMLESS_LAST &&
		    eq_nocase(comp[nc - 1], clen[nc - 1], ru->a))
			return 0;
		for (size_t c = 0; c < nc && !hit; c++) {
			if (ru->kind == R_NAME)
				hit = eq_nocase(comp[c], clen[c], ru->a);
			else if (ru->kind == R_NAME_PAIR && c + 1 < nc)
				hit =
				    eq_nocase(comp[c], clen[c], ru->a) &&
				    eq_nocase(comp[c + 1], clen[c + 1], ru->b);
		}
	}
	return hit;
}

/* Output that never overflows: what does not fit is cut. */
struct out {
	char *p;
	size_t cap, n;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room = o->cap ? o->cap - 1 - o->n : 0;
	if (n > room)
		n = room;
	memcpy(o->p + o->n, s, n);
	o->n += n;
	if (o->cap)
		o->p[o->n] = 0;
}

/* Is the word W (N bytes) a flag whose value follows as the next word:
 * "--token", "-password"?  (No '=' in it.) */
static int secret_flag(const char *w, size_t n)
{
	size_t d = 0;
	while (d < n && d < 2 && w[d] == '-')
		d++;
	if (!d || d == n || memchr(w, '=', n))
		return 0;
	return secret_name(w + d, n - d);
}

static int quote(char c)
{
	return c == '\'' || c == '"';
}

/* Length of the header rule's name matching at W[I..N), or 0. */
static size_t header_at(const char *w, size_t i, size_t n)
{
	if (i && is_alnum(w[i - 1]))
		return 0;
	for (size_t r = 0; r < NRULES; r++) {
		size_t l;
		if (rules[r].kind != R_HEADER)
			continue;
		l = strlen(rules[r].a);
		if (l <= n - i && eq_nocase(w + i, l, rules[r].a))
			return l;
	}
	return 0;
}

static int url_at(const char *w, size_t i, size_t n)
{
	for (size_t r = 0; r < NRULES; r++) {
		size_t l;
		if (rules[r].kind != R_URL)
			continue;
		l = strlen(rules[r].a);
		if (l <= n - i && memcmp(w + i, rules[r].a, l) == 0)
			return (int)l;
	}
	return 0;
}

/* Can a header or URL rule match anywhere in the word W (N bytes)?  Each
 * such rule is matched with its letters in any case and its other
 * characters as they are, so a word that lacks one of a rule's
 * non-letters (the ':' of "authorization:" and of "://") holds no match
 * of that rule.  A link's command line is thousands of paths with no
 * ':': this spares them the scan of every rule at every byte. */
static int may_hold_header_or_url(const char *w, size_t n)
{
	for (size_t r = 0; r < NRULES; r++) {
		const char *c = rules[r].a;
		int absent = 0;
		if (rules[r].kind != R_HEADER && rules[r].kind != R_URL)
			continue;
		for (; *c && !absent; c++)
			absent = !(*c >= 'a' && *c <= 'z') && !memchr(w, *c, n);
		if (!absent)
			return 1;
	}
	return 0;
}

/* Redacts the word W (N bytes) into O; AFTER_FLAG: the word before was a
 * secret flag.  Returns the number of replacements. */
static int redact_word(struct out *o, const char *w, size_t n, int after_flag)
{
	const char *eq = memchr(w, '=', n);
	int count = 0;
	size_t i = 0;

	if (after_flag && n) {
		put(o, BT_REDACTED, sizeof(BT_REDACTED) - 1);
		return 1;
	}
	if (eq) {
		/* --NAME=value, or NAME=value with NAME an identifier. */
		size_t d = 0, k;
		while (d < 2 && w + d < eq && w[d] == '-')
			d++;
		for (k = d; w + k < eq; k++)
			if (!is_alnum(w[k]) && !is_sep(w[k]))
				break;
		if (w + k == eq && k > d && (d || !is_sep(w[0])) &&
		    secret_name(w + d, k - d)) {
			put(o, w, k + 1);
			put(o, BT_REDACTED, sizeof(BT_REDACTED) - 1);
			return 1;
		}
	}
	if (!may_hold_header_or_url(w, n)) {
		put(o, w, n);
		return 0;
	}
	while (i < n) {
		size_t h = header_at(w, i, n);
		int u = h ? 0 : url_at(w, i, n);
		if (h) {
			size_t v;
			put(o, w + i, h);
			i += h;
			while (i < n && w[i] == ' ')
				put(o, w + i++, 1);
			for (v = i; v < n && !quote(w[v]); v++)
				;
			if (v > i) {
				put(o, BT_REDACTED, sizeof(BT_REDACTED) - 1);
				count++;
			}
			i = v;
		} else if (u) {
			size_t a = i + (size_t)u, at = 0;
			put(o, w + i, (size_t)u);
			for (size_t k = a; k < n; k++) {
				char c = w[k];
				if (c == '/' || c == '?' || c == '#' ||
				    c == ' ' || quote(c))
					break;
				if (c == '@')
					at = k;
			}
			if (at) {
				put(o, BT_REDACTED, sizeof(BT_REDACTED) - 1);
				count++;
				i = at;
			} else {
				i = a;
			}
		} else {
			put(o, w + i++, 1);
		}
	}
	return count;
}

static int keep_after(const char *prev)
{
	for (size_t r = 0; prev && r < NRULES; r++)
		if (rules[r].kind == R_KEEP_AFTER &&
		    strcmp(prev, rules[r].a) == 0)
			return 1;
	return 0;
}

int bt_redact_arg(const char *arg, const char *prev, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	put(&o, "", 0);
	if (keep_after(prev)) {
		put(&o, arg, strlen(arg));
		return 0;
	}
	return redact_word(&o, arg, strlen(arg),
			   prev && secret_flag(prev, strlen(prev)));
}

int bt_redact_command(const char *cmd, char *out, size_t cap)
{
	struct out o = {out, cap, 0};
	const char *p = cmd;
	int count = 0, after_flag = 0;
	put(&o, "", 0);
	while (*p) {
		const char *w = p;
		char q = 0;
		size_t n;
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			put(&o, p++, 1);
			continue;
		}
		for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\n'));
		     p++) {
			if (q && *p == q)
				q = 0;
			else if (!q && quote(*p))
				q = *p;
		}
		n = (size_t)(p - w);
		count += redact_word(&o, w, n, after_flag);
		after_flag = secret_flag(w, n);
	}
	return count;
}

int bt_redact_exempt_argv(char *const argv[])
{
	/* rustc itself, or rustc run by a wrapper (RUSTC_WRAPPER=sccache). */
	return argv && argv[0] &&
	       (bt_redact_exempt(argv[0]) ||
		(argv[1] && bt_redact_exempt(argv[1])));
}

int bt_redact_exempt(const char *argv0)
{
	const char *base = argv0;
	if (!argv0)
		return 0;
	for (const char *q = argv0; *q; q++)
		if (*q == '/')
			base = q + 1;
	for (size_t r = 0; r < NRULES; r++)
		if (rules[r].kind == R_EXEMPT_PROG &&
		    strcmp(base, rules[r].a) == 0)
			return 1;
	return 0;
}

const char *bt_redact_filter(void *ctx, char *const argv[], unsigned i)
{
	struct bt_redact_buf *rb = ctx;
	int c;
	if (rb->exempt)
		return argv[i];
	if (i && strcmp(argv[i - 1], "-c") == 0)
		/* sh -c COMMAND (system, popen, scripts): a command line. */
		c = bt_redact_command(argv[i], rb->buf, rb->cap);
	else
		c = bt_redact_arg(argv[i], i ? argv[i - 1] : NULL, rb->buf,
				  rb->cap);
	if (!c)
		return argv[i];
	rb->count += c;
	return rb->buf;
}
