/* rustc_flags.c - what a rustc invocation was asked to do, from its argv.
 *
 * rustc reads its command line with getopts, and this follows the same
 * rules so that a flag means here what it meant to rustc: a short option's
 * value is the rest of its argument or else the next argument, whatever
 * that looks like (`-C -x` is codegen option "-x"); short options without
 * values group (`-vV`); a long option's value follows '=' or is the next
 * argument; "--" ends the options.  -C and -Z keys match with '-' and '_'
 * alike, as rustc looks them up. */
#include "model/rustc_flags.h"

#include <limits.h>
#include <string.h>

_Static_assert(sizeof(((struct bt_rustc_flags *)0)->unknown) ==
		   BT_RUSTC_UNKNOWN_MAX * sizeof(const char *),
	       "unknown[] and BT_RUSTC_UNKNOWN_MAX disagree");

/* What an option does to the result. */
enum act {
	ACT_IGNORE,  /* known, changes nothing we report */
	ACT_UNKNOWN, /* known to rustc, not modelled: keep it */
	ACT_PROBE,   /* prints something and exits */
	ACT_CRATE_NAME,
	ACT_CRATE_TYPE,
	ACT_EMIT,
	ACT_EDITION,
	ACT_TARGET,
	ACT_OUT_DIR,
	ACT_TEST,
	ACT_DEBUG_FULL,	 /* -g */
	ACT_OPT_DEFAULT, /* -O */
	ACT_CODEGEN,	 /* -C */
	ACT_UNSTABLE,	 /* -Z */
};

struct opt {
	const char *name; /* long name, or NULL */
	char letter;	  /* short name, or 0 */
	char has_value;
	enum act act;
};

/* rustc's options (`rustc --help -v`).  The ones cargo passes must be
 * here so that their values are consumed rather than taken for inputs. */
static const struct opt opts[] = {
    {"cfg", 0, 1, ACT_IGNORE},
    {"check-cfg", 0, 1, ACT_IGNORE},
    {NULL, 'L', 1, ACT_IGNORE},
    {NULL, 'l', 1, ACT_IGNORE},
    {"crate-type", 0, 1, ACT_CRATE_TYPE},
    {"crate-name", 0, 1, ACT_CRATE_NAME},
    {"edition", 0, 1, ACT_EDITION},
    {"emit", 0, 1, ACT_EMIT},
    {"print", 0, 1, ACT_PROBE},
    {NULL, 'g', 0, ACT_DEBUG_FULL},
    {NULL, 'O', 0, ACT_OPT_DEFAULT},
    {NULL, 'o', 1, ACT_IGNORE},
    {"out-dir", 0, 1, ACT_OUT_DIR},
    {"explain", 0, 1, ACT_PROBE},
    {"test", 0, 0, ACT_TEST},
    {"target", 0, 1, ACT_TARGET},
    {"allow", 'A', 1, ACT_IGNORE},
    {"warn", 'W', 1, ACT_IGNORE},
    {"force-warn", 0, 1, ACT_IGNORE},
    {"deny", 'D', 1, ACT_IGNORE},
    {"forbid", 'F', 1, ACT_IGNORE},
    {"cap-lints", 0, 1, ACT_IGNORE},
    {"codegen", 'C', 1, ACT_CODEGEN},
    {"version", 'V', 0, ACT_PROBE},
    {"verbose", 'v', 0, ACT_IGNORE},
    {"help", 'h', 0, ACT_PROBE},
    {"extern", 0, 1, ACT_IGNORE},
    {"sysroot", 0, 1, ACT_UNKNOWN},
    {"error-format", 0, 1, ACT_IGNORE},
    {"json", 0, 1, ACT_IGNORE},
    {"color", 0, 1, ACT_IGNORE},
    {"diagnostic-width", 0, 1, ACT_IGNORE},
    {"remap-path-prefix", 0, 1, ACT_UNKNOWN},
    {"env-set", 0, 1, ACT_UNKNOWN},
    {NULL, 'Z', 1, ACT_UNSTABLE},
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

struct parser {
	struct bt_rustc_flags *f;
	int from_env; /* reading CARGO_ENCODED_RUSTFLAGS */
	int probe;    /* a flag that makes rustc print and exit */
};

/* Copies N bytes of S into DST of SIZE, cut to fit: the fields are for
 * display and comparison, and a cut value says more than none. */
static void copy_n(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

#define COPY(dst, s) copy_n((dst), sizeof(dst), (s), strlen(s))

/* Appends ",S[0..N)" (no comma when DST is empty), cut to fit. */
static void append_item(char *dst, size_t size, const char *s, size_t n)
{
	size_t len = strlen(dst);
	if (len && len + 1 < size)
		dst[len++] = ',';
	copy_n(dst + len, size - len, s, n);
}

static void keep_unknown(struct parser *p, const char *arg)
{
	struct bt_rustc_flags *f = p->f;
	if (f->n_unknown < BT_RUSTC_UNKNOWN_MAX)
		f->unknown[f->n_unknown] = arg;
	f->n_unknown++;
}

/* Keeps a flag as given: its argument, and its value's if separate. */
static void keep_flag(struct parser *p, const char *arg, const char *sep)
{
	keep_unknown(p, arg);
	if (sep)
		keep_unknown(p, sep);
}

/* Whether KEY[0..N) names option NAME; rustc looks -C and -Z keys up with
 * '-' made '_', so both spellings are the same option. */
static int key_is(const char *key, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n && name[i]; i++) {
		char a = key[i] == '_' ? '-' : key[i];
		if (a != name[i])
			return 0;
	}
	return i == n && !name[i];
}

/* The file name in a path, after its last '/' (or '\\', for Windows
 * paths in traces of cross builds). */
static const char *base_name(const char *s, size_t *n)
{
	const char *b = s;
	for (size_t i = 0; i < *n; i++)
		if (s[i] == '/' || s[i] == '\\')
			b = s + i + 1;
	*n -= (size_t)(b - s);
	return b;
}

static int set_debuginfo(struct bt_rustc_flags *f, const char *v)
{
	static const char *const map[][2] = {
	    {"0", "0"},
	    {"none", "0"},
	    {"line-directives-only", "line-directives-only"},
	    {"line-tables-only", "line-tables-only"},
	    {"1", "1"},
	    {"limited", "1"},
	    {"2", "2"},
	    {"full", "2"},
	};
	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(v, map[i][0])) {
			COPY(f->debuginfo, map[i][1]);
			f->debuginfo_given = 1;
			return 1;
		}
	}
	return 0; /* rustc refuses it: keep it as given */
}

static int set_opt_level(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !v[0] || v[1] || !strchr("0123sz", v[0]))
		return 0;
	COPY(f->opt_level, v);
	return 1;
}

static int set_codegen_units(struct bt_rustc_flags *f, const char *v)
{
	int n = 0;
	if (!v || !*v)
		return 0;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (INT_MAX - (*v - '0')) / 10)
			return 0;
		n = n * 10 + (*v - '0');
	}
	if (n == 0) /* rustc: "must be a positive non-zero integer" */
		return 0;
	f->codegen_units = n;
	return 1;
}

static int set_incremental(struct bt_rustc_flags *f, const char *v)
{
	if (!v)
		return 0;
	f->incremental = 1;
	return 1;
}

/* rustc takes a backend with a '.' in it for a path to a backend library,
 * named librustc_codegen_NAME-HASH.so by its build; anything else names a
 * backend in the sysroot. */
static int set_backend(struct bt_rustc_flags *f, const char *v)
{
	const char *name, *at;
	size_t n;
	if (!v || !*v)
		return 0;
	if (!strchr(v, '.') && !strchr(v, '/') && !strchr(v, '\\')) {
		COPY(f->codegen_backend, v);
		return 1;
	}
	n = strlen(v);
	name = base_name(v, &n);
	if (n >= 3 && !strncmp(name, "lib", 3)) {
		name += 3;
		n -= 3;
	}
	at = strstr(name, "rustc_codegen_");
	if (at) {
		n -= (size_t)(at - name) + strlen("rustc_codegen_");
		name = at + strlen("rustc_codegen_");
	}
	n = strcspn(name, ".-") < n ? strcspn(name, ".-") : n;
	if (n)
		copy_n(f->codegen_backend, sizeof(f->codegen_backend), name, n);
	else
		COPY(f->codegen_backend, v);
	return 1;
}

/* rustc's parse_lto: a boolean, "thin" or "fat", or nothing for fat. */
static int set_lto(struct bt_rustc_flags *f, const char *v)
{
	static const char *const map[][2] = {
	    {"n", "off"},   {"no", "off"},    {"off", "off"}, {"false", "off"},
	    {"y", "fat"},   {"yes", "fat"},   {"on", "fat"},  {"true", "fat"},
	    {"fat", "fat"}, {"thin", "thin"},
	};
	if (!v) {
		COPY(f->lto, "fat");
		return 1;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(v, map[i][0])) {
			COPY(f->lto, map[i][1]);
			return 1;
		}
	}
	return 0;
}

static int set_split_debuginfo(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !*v)
		return 0;
	COPY(f->split_debuginfo, v);
	return 1;
}

static int set_strip(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !*v)
		return 0;
	COPY(f->strip, v);
	return 1;
}

static int set_extra_filename(struct bt_rustc_flags *f, const char *v)
{
	if (!v)
		return 0;
	COPY(f->extra_filename, v);
	return 1;
}

static int set_linker(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !*v)
		return 0;
	COPY(f->linker, v);
	return 1;
}

static int set_self_contained(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !*v)
		return 0;
	COPY(f->link_self_contained, v);
	return 1;
}

static int set_linker_flavor(struct bt_rustc_flags *f, const char *v)
{
	if (!v || !*v)
		return 0;
	COPY(f->linker_flavor, v);
	return 1;
}

/* One linker driver argument, ARG[0..N): the compiler driver (cc, clang)
 * links with the linker -fuse-ld= or --ld-path= names, the last one
 * winning.  Kept as its file name, with "ld." dropped so that
 * -fuse-ld=/usr/bin/ld.mold and -fuse-ld=mold compare equal. */
static void link_arg_one(struct bt_rustc_flags *f, const char *arg, size_t n)
{
	static const char *const sel[] = {"-fuse-ld=", "--ld-path="};
	for (size_t i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		size_t k = strlen(sel[i]);
		const char *name;
		if (n <= k || strncmp(arg, sel[i], k))
			continue;
		n -= k;
		name = base_name(arg + k, &n);
		if (n > 3 && !strncmp(name, "ld.", 3)) {
			name += 3;
			n -= 3;
		}
		if (n)
			copy_n(f->fuse_ld, sizeof(f->fuse_ld), name, n);
		return;
	}
}

static int link_arg(struct bt_rustc_flags *f, const char *v)
{
	if (!v)
		return 0;
	link_arg_one(f, v, strlen(v));
	return 1;
}

/* -C link-args is split on whitespace by rustc. */
static int link_args(struct bt_rustc_flags *f, const char *v)
{
	if (!v)
		return 0;
	while (*v) {
		size_t n = strcspn(v, " \t\n");
		link_arg_one(f, v, n);
		v += n;
		v += strspn(v, " \t\n");
	}
	return 1;
}

/* Known -C settings that change nothing reported here; cargo passes them
 * on every build, so they are not "unknown". */
static int ignore_setting(struct bt_rustc_flags *f, const char *v)
{
	(void)f;
	(void)v;
	return 1;
}

struct setting {
	const char *key;
	int (*set)(struct bt_rustc_flags *f, const char *v);
};

static const struct setting codegen_settings[] = {
    {"debuginfo", set_debuginfo},
    {"opt-level", set_opt_level},
    {"codegen-units", set_codegen_units},
    {"incremental", set_incremental},
    {"codegen-backend", set_backend},
    {"lto", set_lto},
    {"split-debuginfo", set_split_debuginfo},
    {"linker", set_linker},
    {"link-arg", link_arg},
    {"link-args", link_args},
    {"link-self-contained", set_self_contained},
    {"linker-flavor", set_linker_flavor},
    {"metadata", ignore_setting},
    {"extra-filename", set_extra_filename},
    {"strip", set_strip},
    {"embed-bitcode", ignore_setting},
    {"prefer-dynamic", ignore_setting},
};

static const struct setting unstable_settings[] = {
    {"codegen-backend", set_backend},
};

/* Applies "KEY[=VALUE]" from -C or -Z; 0 if not understood. */
static int apply_setting(struct bt_rustc_flags *f, const struct setting *tab,
			 size_t n_tab, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	for (size_t i = 0; i < n_tab; i++)
		if (key_is(kv, klen, tab[i].key))
			return tab[i].set(f, eq ? eq + 1 : NULL);
	return 0;
}

/* Appends the kinds of an --emit list: "link=/path/out" is kind "link"
 * written to a path of its own. */
static void add_emit(struct bt_rustc_flags *f, const char *v)
{
	while (*v) {
		size_t n = strcspn(v, ",");
		size_t kind = strcspn(v, "=,");
		if (kind)
			append_item(f->emit, sizeof(f->emit), v, kind);
		v += n;
		if (*v)
			v++;
	}
}

/* Applies option O, found in argument ARG with value VALUE (NULL if it has
 * none); SEP is the argument that held the value if it was separate. */
static void apply(struct parser *p, const struct opt *o, const char *arg,
		  const char *sep, const char *value)
{
	struct bt_rustc_flags *f = p->f;
	if (o->has_value && !value) {
		/* A flag missing its value: rustc would refuse the run. */
		keep_unknown(p, arg);
		return;
	}
	switch (o->act) {
	case ACT_IGNORE:
		break;
	case ACT_UNKNOWN:
		keep_flag(p, arg, sep);
		break;
	case ACT_PROBE:
		p->probe = 1;
		break;
	case ACT_CRATE_NAME:
		COPY(f->crate_name, value);
		break;
	case ACT_CRATE_TYPE:
		if (*value)
			append_item(f->crate_types, sizeof(f->crate_types),
				    value, strlen(value));
		break;
	case ACT_EMIT:
		add_emit(f, value);
		break;
	case ACT_EDITION:
		COPY(f->edition, value);
		break;
	case ACT_TARGET:
		COPY(f->target, value);
		break;
	case ACT_OUT_DIR:
		COPY(f->out_dir, value);
		break;
	case ACT_TEST:
		f->test = 1;
		break;
	case ACT_DEBUG_FULL:
		/* rustc: the later of -g and -C debuginfo wins */
		COPY(f->debuginfo, "2");
		f->debuginfo_given = 1;
		break;
	case ACT_OPT_DEFAULT:
		/* likewise -O and -C opt-level */
		COPY(f->opt_level, "2");
		break;
	case ACT_CODEGEN:
		if (!apply_setting(f, codegen_settings,
				   sizeof(codegen_settings) /
				       sizeof(codegen_settings[0]),
				   value))
			keep_flag(p, arg, sep);
		break;
	case ACT_UNSTABLE:
		if (!apply_setting(f, unstable_settings,
				   sizeof(unstable_settings) /
				       sizeof(unstable_settings[0]),
				   value))
			keep_flag(p, arg, sep);
		break;
	}
}

/* A free argument: the input, or, once there is one, a second input that
 * rustc would refuse.  Free arguments in RUSTFLAGS are never the input:
 * cargo puts the input in argv. */
static void free_arg(struct parser *p, const char *arg)
{
	if (!p->from_env && !p->f->input)
		p->f->input = arg;
	else
		keep_unknown(p, arg);
}

/* Parses "-xyz" (short options, grouped); returns arguments used. */
static int parse_short(struct parser *p, const char *arg, const char *next)
{
	for (const char *c = arg + 1; *c; c++) {
		const struct opt *o = NULL;
		for (size_t i = 0; i < N_OPTS && !o; i++)
			if (opts[i].letter == *c)
				o = &opts[i];
		if (!o) {
			keep_unknown(p, arg);
			return 1;
		}
		if (!o->has_value) {
			apply(p, o, arg, NULL, NULL);
			continue;
		}
		if (c[1]) {
			apply(p, o, arg, NULL, c + 1);
			return 1;
		}
		apply(p, o, arg, next, next);
		return next ? 2 : 1;
	}
	return 1;
}

/* Parses "--name[=value]"; returns arguments used. */
static int parse_long(struct parser *p, const char *arg, const char *next)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = NULL;
	for (size_t i = 0; i < N_OPTS && !o; i++)
		if (opts[i].name && strlen(opts[i].name) == n &&
		    !strncmp(opts[i].name, name, n))
			o = &opts[i];
	if (!o || (eq && !o->has_value)) {
		/* Not an option of rustc's; whether it would have taken the
		 * next argument is unknowable, so it is taken alone. */
		keep_unknown(p, arg);
		return 1;
	}
	if (!o->has_value || eq) {
		apply(p, o, arg, NULL, eq ? eq + 1 : NULL);
		return 1;
	}
	apply(p, o, arg, next, next);
	return next ? 2 : 1;
}

static void parse_args(struct parser *p, int argc, const char *const *argv)
{
	int only_free = 0;
	int i = 0;
	while (i < argc) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!arg || !*arg) {
			/* nothing to read (a hole in a damaged trace) */
			i++;
		} else if (only_free || arg[0] != '-' || !arg[1]) {
			free_arg(p, arg); /* "-" is stdin */
			i++;
		} else if (!strcmp(arg, "--")) {
			only_free = 1;
			i++;
		} else if (arg[1] == '-') {
			i += parse_long(p, arg, next);
		} else {
			i += parse_short(p, arg, next);
		}
	}
}

/* Splits CARGO_ENCODED_RUSTFLAGS into f->encoded_buf and parses it.  A
 * flag cut by the end of the buffer is kept as unknown but not parsed: cut
 * at the wrong place, "-Ccodegen-units=256" would read as 25. */
static void parse_encoded(struct parser *p, const char *enc)
{
	struct bt_rustc_flags *f = p->f;
	const char *tok[sizeof(f->encoded_buf) / 2 + 1];
	size_t len = strlen(enc), n = 0, start = 0;
	int cut = len >= sizeof(f->encoded_buf);
	if (cut)
		len = sizeof(f->encoded_buf) - 1;
	memcpy(f->encoded_buf, enc, len);
	f->encoded_buf[len] = '\0';
	for (size_t i = 0; i <= len; i++) {
		if (i < len && f->encoded_buf[i] != '\x1f')
			continue;
		f->encoded_buf[i] = '\0';
		if (i > start)
			tok[n++] = f->encoded_buf + start;
		start = i + 1;
	}
	/* The last flag was cut unless a separator ended it in the buffer. */
	cut = cut && n && enc[len] != '\x1f' && enc[len - 1] != '\x1f';
	p->from_env = 1;
	parse_args(p, (int)(n - (size_t)cut), tok);
	if (cut)
		keep_unknown(p, tok[n - 1]);
	p->from_env = 0;
}

void bt_rustc_flags_parse(int argc, const char *const *argv,
			  const char *encoded_rustflags,
			  struct bt_rustc_flags *out)
{
	struct parser p = {.f = out};
	memset(out, 0, sizeof(*out));
	COPY(out->debuginfo, "0");
	COPY(out->opt_level, "0");
	out->codegen_units = -1;
	COPY(out->codegen_backend, "llvm");

	if (encoded_rustflags)
		parse_encoded(&p, encoded_rustflags);
	if (argv && argc > 0)
		parse_args(&p, argc, argv);

	/* Cargo's target-info probe reads a program from stdin under the
	 * crate name "___" (and prints); a run with neither input nor crate
	 * name compiles nothing either. */
	if (p.probe ||
	    (out->input && !strcmp(out->input, "-") &&
	     !strcmp(out->crate_name, "___")) ||
	    (!out->input && !out->crate_name[0]))
		out->mode = BT_RUSTC_PROBE;
	else
		out->mode = BT_RUSTC_COMPILE;
}

int bt_debuginfo_has_types(const char *debuginfo)
{
	/* Accepts rustc's spellings too, for callers with raw values. */
	static const char *const full[] = {"1", "2", "limited", "full"};
	if (!debuginfo)
		return 0;
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		if (!strcmp(debuginfo, full[i]))
			return 1;
	return 0;
}
