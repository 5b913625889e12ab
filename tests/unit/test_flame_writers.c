/* test_flame_writers.c - flame.svg and stacks.folded on hand-built
 * profiles, no trace: folded lines, counts that add up to the root,
 * category and crate first, ';' and newlines replaced, no zero counts;
 * an SVG that is well-formed (tags balance, every '<' outside the script
 * is markup, entities are XML's own), one <title> per drawn frame, the
 * legend and the totals, names with <, >, & and quotes escaped, bad
 * UTF-8 and control characters replaced, tiny frames merged, the same
 * bytes on every run, and a valid SVG when there is no profile.  The
 * script and style are output/assets/flame.{js,css} without their notes
 * (asset.h).  report.html on the same profile: one bar per unit, markup
 * in names and the command escaped, flame.svg inline, report.js whole,
 * no URL, deterministic. */
#define _GNU_SOURCE
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/asset.h"
#include "output/writer.h"
#include "profile/profile.h"

#define MAX_NODES 64

struct fixture {
	struct bt_profile prof;
	struct bt_build b; /* session zeroed: the title says "build" */
	struct bt_report r;
	struct bt_flame_node crate[MAX_NODES], cat[MAX_NODES];
	uint32_t last[MAX_NODES];
};

static uint32_t add(struct bt_flame_tree *t, uint32_t *last, uint32_t parent,
		    const char *name, uint64_t v, int kind, int cat)
{
	uint32_t i = (uint32_t)t->n_nodes++;
	struct bt_flame_node *n = &t->nodes[i];

	assert_true(t->n_nodes <= MAX_NODES);
	n->name = name;
	n->value_us = v;
	n->parent = parent;
	n->first_child = n->next_sibling = BT_FLAME_NONE;
	n->kind = (uint8_t)kind;
	n->category = (int8_t)cat;
	n->depth = parent == BT_FLAME_NONE ? 0 : t->nodes[parent].depth + 1;
	last[i] = BT_FLAME_NONE;
	if (parent != BT_FLAME_NONE) {
		if (last[parent] == BT_FLAME_NONE)
			t->nodes[parent].first_child = i;
		else
			t->nodes[last[parent]].next_sibling = i;
		last[parent] = i;
	}
	return i;
}

/* By category (values in microseconds, 10 s in all):
 *   build 10000000 (+100 of its own: CPU in no category)
 *     codegen_llvm 6000000
 *       regex 1.7.1 lib 6000000
 *         opt cgu 6000000
 *           <T as Trait>::f 4000000      (self 1000000)
 *             a & b;c 3000000
 *           llvm::X 2000000
 *     link 3999900
 *       app;bin\nx 3999900
 *         linker 3999900                 (self 3999900)
 *     frontend 0                         (no line)
 * By crate: what the SVG draws by default, with the special kinds, bad
 * UTF-8, and 30 tiny frames (200 us: 0.024 px each) that are merged. */
static const char *const tiny_names[30] = {
    "t0",  "t1",  "t2",	 "t3",	"t4",  "t5",  "t6",  "t7",  "t8",  "t9",
    "t10", "t11", "t12", "t13", "t14", "t15", "t16", "t17", "t18", "t19",
    "t20", "t21", "t22", "t23", "t24", "t25", "t26", "t27", "t28", "t29",
};

static struct fixture *make_fixture(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct bt_flame_tree *t;
	uint32_t r, a, b, c;

	assert_non_null(fx);
	fx->r.build = &fx->b;
	fx->r.profile = &fx->prof;
	fx->b.wall_s = 8.0;
	fx->b.cpu_s = 10.0;
	fx->b.parallelism = 1.25;
	fx->b.complete = 1;
	fx->prof.samples = 9000;
	fx->prof.frames = 1000;
	fx->prof.frames_unknown = 125;

	t = &fx->prof.by_category;
	t->nodes = fx->cat;
	r = add(t, fx->last, BT_FLAME_NONE, "build", 10000000, BT_FLAME_ROOT,
		-1);
	a = add(t, fx->last, r, "codegen_llvm", 6000000, BT_FLAME_GROUP,
		BT_CAT_CODEGEN_LLVM);
	a = add(t, fx->last, a, "regex 1.7.1 lib", 6000000, BT_FLAME_GROUP,
		BT_CAT_CODEGEN_LLVM);
	a = add(t, fx->last, a, "opt cgu", 6000000, BT_FLAME_GROUP,
		BT_CAT_CODEGEN_LLVM);
	b = add(t, fx->last, a, "<T as Trait>::f", 4000000, BT_FLAME_FRAME,
		BT_CAT_CODEGEN_LLVM);
	add(t, fx->last, b, "a & b;c", 3000000, BT_FLAME_FRAME,
	    BT_CAT_CODEGEN_LLVM);
	add(t, fx->last, a, "llvm::X", 2000000, BT_FLAME_FRAME,
	    BT_CAT_CODEGEN_LLVM);
	a = add(t, fx->last, r, "link", 3999900, BT_FLAME_GROUP, BT_CAT_LINK);
	a = add(t, fx->last, a, "app;bin\nx", 3999900, BT_FLAME_GROUP,
		BT_CAT_LINK);
	add(t, fx->last, a, "linker", 3999900, BT_FLAME_GROUP, BT_CAT_LINK);
	add(t, fx->last, r, "frontend", 0, BT_FLAME_GROUP, BT_CAT_FRONTEND);

	t = &fx->prof.by_crate;
	t->nodes = fx->crate;
	r = add(t, fx->last, BT_FLAME_NONE, "build", 10000000, BT_FLAME_ROOT,
		-1);
	a = add(t, fx->last, r, "regex 1.7.1 lib", 6000000, BT_FLAME_GROUP, -1);
	b = add(t, fx->last, a, "rustc", 5000000, BT_FLAME_GROUP, -1);
	c = add(t, fx->last, b, "<T as Trait>::f", 4000000, BT_FLAME_FRAME,
		BT_CAT_CODEGEN_LLVM);
	add(t, fx->last, c, "a & b \"q\" 'a", 3000000, BT_FLAME_FRAME,
	    BT_CAT_CODEGEN_LLVM);
	add(t, fx->last, b, "bad\xff\xc0\x80utf8\x01", 1000000,
	    BT_FLAME_UNKNOWN, BT_CAT_OTHER);
	add(t, fx->last, a, "[not sampled: start-up]", 994000,
	    BT_FLAME_UNSAMPLED, BT_CAT_OTHER);
	for (int i = 0; i < 30; i++)
		add(t, fx->last, a, tiny_names[i], 200, BT_FLAME_FRAME,
		    BT_CAT_FRONTEND);
	a = add(t, fx->last, r, "app 0.1.0 bin", 3000000, BT_FLAME_GROUP,
		BT_CAT_LINK);
	add(t, fx->last, a, "ld", 3000000, BT_FLAME_FRAME, BT_CAT_LINK);
	add(t, fx->last, r, "[lost samples]", 1000000, BT_FLAME_GAP,
	    BT_CAT_OTHER);
	return fx;
}

/* Runs writer W into memory; the caller frees the text. */
static char *run(const struct bt_report_writer *w, const struct bt_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(w->write(r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* ---- stacks.folded ---- */

static void test_folded_lines(void **state)
{
	struct fixture *fx = make_fixture();
	char *text = run(&bt_writer_stacks_folded, &fx->r);
	static const char *const want =
	    "build 100\n"
	    "codegen_llvm;regex 1.7.1 lib;opt cgu;<T as Trait>::f 1000000\n"
	    "codegen_llvm;regex 1.7.1 lib;opt cgu;<T as Trait>::f;"
	    "a & b:c 3000000\n"
	    "codegen_llvm;regex 1.7.1 lib;opt cgu;llvm::X 2000000\n"
	    "link;app:bin x;linker 3999900\n";
	(void)state;
	assert_string_equal(text, want);
	free(text);
	free(fx);
}

/* Whatever the SVG's grouping: category and crate come first, counts
 * add up to the root, none is zero. */
static void test_folded_round_trip(void **state)
{
	struct fixture *fx = make_fixture();
	char *text, *line, *save = NULL;
	uint64_t sum = 0;

	(void)state;
	fx->r.options.flame_by_category = 0;
	text = run(&bt_writer_stacks_folded, &fx->r);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' '), *end;
		unsigned long long n;
		assert_non_null(sp);
		n = strtoull(sp + 1, &end, 10);
		assert_true(*end == 0 && n > 0);
		sum += n;
		if (strncmp(line, "build ", 6)) {
			char *semi = strchr(line, ';');
			assert_non_null(semi);
			assert_true(!strncmp(line, "codegen_llvm;", 13) ||
				    !strncmp(line, "link;", 5));
			semi++;
			assert_true(!strncmp(semi, "regex 1.7.1 lib;", 16) ||
				    !strncmp(semi, "app:bin x;", 10));
		}
	}
	assert_int_equal(sum, fx->prof.by_category.nodes[0].value_us);
	free(text);
	free(fx);
}

static void test_folded_no_profile(void **state)
{
	struct fixture *fx = make_fixture();
	char *text;

	(void)state;
	fx->r.profile = NULL;
	text = run(&bt_writer_stacks_folded, &fx->r);
	assert_string_equal(text, "");
	free(text);
	free(fx);
}

/* ---- flame.svg ---- */

/* Well-formed enough: tags balance; '<' outside CDATA, comments and
 * processing instructions opens a tag; every '&' is one of XML's
 * entities or a character reference; attribute values hold no '<'.
 * Returns the number of elements. */
static size_t check_xml(const char *s)
{
	const char *stack[256];
	size_t depth = 0, elements = 0;
	const char *p = s;

	while (*p) {
		if (*p == '&') {
			static const char *const ents[] = {
			    "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#"};
			int ok = 0;
			for (size_t i = 0; i < 6; i++)
				ok |= !strncmp(p, ents[i], strlen(ents[i]));
			if (!ok)
				fail_msg("bad entity at: %.40s", p);
			p++;
			continue;
		}
		if (*p == '>')
			fail_msg("raw '>' in text at: %.40s", p);
		if (*p != '<') {
			p++;
			continue;
		}
		if (!strncmp(p, "<![CDATA[", 9)) {
			const char *e = strstr(p, "]]>");
			assert_non_null(e);
			p = e + 3;
		} else if (!strncmp(p, "<!--", 4)) {
			const char *e = strstr(p, "-->");
			assert_non_null(e);
			p = e + 3;
		} else if (p[1] == '?') {
			const char *e = strstr(p, "?>");
			assert_non_null(e);
			p = e + 2;
		} else if (p[1] == '/') {
			size_t n = strcspn(p + 2, ">");
			assert_true(depth > 0);
			depth--;
			if (strncmp(stack[depth], p + 2, n) ||
			    (stack[depth][n] != ' ' && stack[depth][n] != '>' &&
			     stack[depth][n] != '/'))
				fail_msg("</%.*s> closes <%.20s", (int)n, p + 2,
					 stack[depth]);
			p += 2 + n + 1;
		} else {
			const char *q = p + 1;
			char quote = 0;
			if (!isalpha((unsigned char)*q))
				fail_msg("'<' that opens no tag at: %.40s", p);
			for (; *q && (quote || *q != '>'); q++) {
				if (quote && *q == '<')
					fail_msg("'<' in a value: %.40s", p);
				if (*q == '"' || *q == '\'')
					quote = quote == *q ? 0
						: quote	    ? quote
							    : *q;
			}
			assert_true(*q == '>');
			elements++;
			if (q[-1] != '/') {
				assert_true(depth < 256);
				stack[depth++] = p + 1;
			}
			p = q + 1;
		}
	}
	assert_int_equal(depth, 0);
	return elements;
}

/* Each frame's <g> opens with its <title>. */
static size_t frames_with_titles(const char *s)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "<g class=\"f")); p++) {
		const char *gt = strchr(p, '>');
		assert_non_null(gt);
		assert_true(!strncmp(gt + 1, "<title>", 7));
		n++;
	}
	return n;
}

static void test_svg_structure(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg = run(&bt_writer_flame_svg, &fx->r);
	size_t frames;

	(void)state;
	assert_true(!strncmp(svg, "<?xml ", 6));
	assert_non_null(
	    strstr(svg, "\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_true(check_xml(svg) > 20);
	/* Drawn: build, regex, rustc, <T as Trait>::f, its child, bad utf8,
	 * not sampled, the merged tiny frames, app, ld, lost samples. */
	frames = frames_with_titles(svg);
	assert_int_equal(frames, 11);
	assert_int_equal(count(svg, "<title>"), frames + 1); /* + the file's */
	assert_int_equal(count(svg, "<rect x="), frames + BT_CAT_MAX + 6);
	/* Nothing fetched from elsewhere. */
	assert_null(strstr(svg, "href=\"http"));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "url(http"));
	free(svg);
	free(fx);
}

static void test_svg_title_and_legend(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg = run(&bt_writer_flame_svg, &fx->r);

	(void)state;
	assert_non_null(
	    strstr(svg, "<title>btrace flame graph: build</title>"));
	assert_non_null(strstr(svg, "Build: 8.00 s wall, 10.00 s CPU, "
				    "parallelism 1.25"));
	assert_non_null(strstr(svg, "Profile: 9000 samples, 12.5% of frames "
				    "unknown"));
	assert_non_null(strstr(svg, "by crate"));
	for (int c = 0; c < BT_CAT_MAX; c++) {
		char id[64];
		snprintf(id, sizeof(id), "id=\"key-%s\"", bt_category_name(c));
		assert_non_null(strstr(svg, id));
	}
	assert_non_null(strstr(svg, "id=\"key-unknown\""));
	assert_non_null(strstr(svg, "id=\"key-unsampled\""));
	assert_non_null(strstr(svg, "id=\"key-lost\""));
	assert_non_null(strstr(svg, "id=\"key-group\""));
	/* The interactions and the hooks tests drive. */
	assert_non_null(strstr(svg, "id=\"reset\""));
	assert_non_null(strstr(svg, "id=\"search\""));
	assert_non_null(strstr(svg, "window.search = search;"));
	assert_non_null(strstr(svg, "'Escape'"));
	free(svg);
	free(fx);
}

static void test_svg_escaping(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg = run(&bt_writer_flame_svg, &fx->r);

	(void)state;
	assert_non_null(strstr(svg, "<title>&lt;T as Trait&gt;::f (4.000 s "
				    "CPU, 40.00%)</title>"));
	assert_non_null(strstr(svg, ">&lt;T as Trait&gt;::f</text>"));
	assert_non_null(strstr(svg, "<title>a &amp; b &quot;q&quot; "
				    "&apos;a (3.000 s CPU, 30.00%)</title>"));
	assert_null(strstr(svg, "<T as"));
	assert_null(strstr(svg, "a & b"));
	/* \xff, the overlong \xc0\x80 and \x01 each become U+FFFD. */
	assert_non_null(strstr(svg, "<title>bad\xef\xbf\xbd\xef\xbf\xbd"
				    "\xef\xbf\xbdutf8\xef\xbf\xbd (1.000 s"));
	assert_null(strchr(svg, '\x01'));
	assert_null(strchr(svg, '\xff'));
	free(svg);
	free(fx);
}

static void test_svg_tiny_and_kinds(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg = run(&bt_writer_flame_svg, &fx->r);

	(void)state;
	/* 30 frames of 0.024 px: not drawn, merged into one 0.71 px frame
	 * at the end of the parent, whose width keeps their CPU. */
	assert_null(strstr(svg, "<title>t0 "));
	assert_non_null(strstr(svg, "<g class=\"f k\" v=\"6000\" p=\"1\">"
				    "<title>[30 frames narrower than 0.1 px] "
				    "(6.0 ms"));
	assert_non_null(strstr(svg, "<title>regex 1.7.1 lib (6.000 s CPU, "
				    "60.00%)</title><rect x=\"10.00\" "
				    "y=\"140\" width=\"708.00\""));
	/* an icicle: the unit one row below the root, its child below it */
	assert_non_null(strstr(svg, "x=\"717.29\" y=\"156\" width=\"0.71\""));
	/* Frames are a flat list, each naming its parent's index. */
	assert_non_null(strstr(svg, "<g class=\"f r\" v=\"10000000\"><title>"));
	assert_non_null(strstr(svg, "<g class=\"f g\" v=\"6000000\" p=\"0\">"
				    "<title>regex "));
	assert_non_null(strstr(svg, "<g class=\"f g\" v=\"5000000\" p=\"1\">"
				    "<title>rustc "));
	assert_non_null(strstr(svg, "<g class=\"f\" v=\"3000000\" p=\"3\">"));
	/* Kinds are told apart. */
	assert_non_null(strstr(svg, "<g class=\"f r\""));
	assert_non_null(strstr(svg, "<g class=\"f g\" v=\"5000000\""));
	assert_non_null(strstr(svg, "<g class=\"f u\" v=\"1000000\""));
	assert_non_null(strstr(svg, "<g class=\"f n\" v=\"994000\""));
	assert_non_null(strstr(svg, "<g class=\"f l\" v=\"1000000\""));
	assert_non_null(strstr(svg, "fill=\"url(#pu)\""));
	assert_non_null(strstr(svg, "fill=\"url(#pn)\""));
	assert_non_null(strstr(svg, "fill=\"url(#pl)\""));
	free(svg);
	free(fx);
}

/* The fill of the frame whose title starts with NAME, as "#rrggbb". */
static unsigned fill_of(const char *svg, const char *name, char cls[16])
{
	char want[128];
	const char *t, *g, *fill;
	unsigned rgb;
	snprintf(want, sizeof(want), "<title>%s (", name);
	t = strstr(svg, want);
	assert_non_null(t);
	for (g = t; g > svg && strncmp(g, "<g class=\"", 10); g--)
		;
	assert_true(sscanf(g, "<g class=\"%15[^\"]", cls) == 1);
	fill = strstr(t, "fill=\"#");
	assert_non_null(fill);
	assert_true(sscanf(fill, "fill=\"#%6x", &rgb) == 1);
	return rgb;
}

static double hue(unsigned rgb)
{
	return (255.0 - (rgb >> 8 & 0xff)) / (255.0 - (rgb & 0xff));
}

static unsigned lightness(unsigned rgb)
{
	return (rgb >> 16) + (rgb >> 8 & 0xff) + (rgb & 0xff);
}

/* Proc-macro expansion in the flame graph (docs/attribution.md): a frame
 * in a macro library has the macro colour and class x, symbolized or
 * not; the functions below it (rustc through the bridge) class y and a
 * paler shade of it; a frontend frame beside them keeps the frontend's
 * colour; the legend names it.  Without such frames: no legend key, no
 * class, the same bytes as before. */
static void test_svg_proc_macro(void **state)
{
	struct fixture *fx = make_fixture();
	struct bt_flame_tree *t = &fx->prof.by_crate;
	char *plain, *svg, cls[16];
	unsigned mac, unk, callee, deep, front, before;
	uint32_t u, a, m;

	(void)state;
	plain = run(&bt_writer_flame_svg, &fx->r);
	assert_null(strstr(plain, "key-proc-macro"));
	assert_null(strstr(plain, "<g class=\"f x"));
	assert_null(strstr(plain, "<g class=\"f y"));
	before = fill_of(plain, "&lt;T as Trait&gt;::f", cls);
	/* app's frontend expands serde_derive, twice, once unnamed */
	u = add(t, fx->last, 0, "app 0.2.0 lib", 0, BT_FLAME_GROUP, -1);
	a = add(t, fx->last, u, "rustc_expand::expand::expand_crate", 0,
		BT_FLAME_FRAME, BT_CAT_FRONTEND);
	m = add(t, fx->last, a, "serde_derive::de::expand_derive", 0,
		BT_FLAME_MACRO, BT_CAT_FRONTEND);
	m = add(t, fx->last, m, "proc_macro::bridge::client::run", 0,
		BT_FLAME_FRAME, BT_CAT_FRONTEND);
	add(t, fx->last, m, "rustc_expand::proc_macro_server::from_str", 0,
	    BT_FLAME_FRAME, BT_CAT_FRONTEND);
	add(t, fx->last, a, "[libserde_derive-1.so (missing)]", 0,
	    BT_FLAME_MACRO, BT_CAT_FRONTEND);
	add(t, fx->last, u, "rustc_hir_typeck::typeck", 0, BT_FLAME_FRAME,
	    BT_CAT_FRONTEND);
	/* 1 s of the build's 10 s: taken from the lost samples */
	t->nodes[u].value_us = 1000000;
	t->nodes[a].value_us = 600000;
	t->nodes[a + 1].value_us = 400000;
	t->nodes[a + 2].value_us = 300000;
	t->nodes[a + 3].value_us = 200000;
	t->nodes[a + 4].value_us = 200000;
	t->nodes[a + 5].value_us = 400000;
	for (uint32_t c = t->nodes[0].first_child; c != BT_FLAME_NONE;
	     c = t->nodes[c].next_sibling)
		if (t->nodes[c].kind == BT_FLAME_GAP)
			t->nodes[c].value_us = 0;
	svg = run(&bt_writer_flame_svg, &fx->r);
	assert_true(check_xml(svg) > 20);
	mac = fill_of(svg, "serde_derive::de::expand_derive", cls);
	assert_string_equal(cls, "f x");
	unk = fill_of(svg, "[libserde_derive-1.so (missing)]", cls);
	assert_string_equal(cls, "f x");
	callee = fill_of(svg, "proc_macro::bridge::client::run", cls);
	assert_string_equal(cls, "f y");
	deep = fill_of(svg, "rustc_expand::proc_macro_server::from_str", cls);
	assert_string_equal(cls, "f y");
	front = fill_of(svg, "rustc_hir_typeck::typeck", cls);
	assert_string_equal(cls, "f");
	/* the macro's hue, unlike the frontend's: lightening toward white
	 * keeps (255 - green) / (255 - blue), 6.4 for the macro's blue and
	 * 2.5 for the frontend's; callees a paler shade of it */
	assert_true(hue(mac) > 4 && hue(unk) > 4);
	assert_true(hue(callee) > 4 && hue(deep) > 4);
	assert_true(hue(front) < 3);
	assert_true(lightness(callee) > lightness(mac));
	assert_true(lightness(deep) > lightness(mac));
	assert_int_not_equal(mac, fill_of(svg,
					  "rustc_expand::expand::"
					  "expand_crate",
					  cls));
	assert_string_equal(cls, "f");
	assert_non_null(strstr(svg, "id=\"key-proc-macro\""));
	/* the rest is drawn as before */
	assert_int_equal(fill_of(svg, "&lt;T as Trait&gt;::f", cls), before);
	free(plain);
	free(svg);
	free(fx);
}

static void test_svg_by_category_and_deterministic(void **state)
{
	struct fixture *fx = make_fixture();
	char *a, *b;

	(void)state;
	fx->r.options.flame_by_category = 1;
	a = run(&bt_writer_flame_svg, &fx->r);
	b = run(&bt_writer_flame_svg, &fx->r);
	assert_string_equal(a, b);
	check_xml(a);
	assert_non_null(strstr(a, "<title>codegen_llvm (6.000 s"));
	assert_non_null(strstr(a, "by category"));
	/* The zero-valued "frontend" group is narrower than anything. */
	assert_null(strstr(a, "<title>frontend "));
	free(a);
	free(b);
	free(fx);
}

/* A big tree on the heap: N nodes, node i's parent PARENT(i). */
static struct bt_report *heap_report(size_t n, uint32_t (*parent)(uint32_t),
				     uint64_t leaf_us)
{
	struct bt_report *r = calloc(1, sizeof(*r));
	struct bt_build *b = calloc(1, sizeof(*b));
	struct bt_profile *p = calloc(1, sizeof(*p));
	struct bt_flame_node *nd = calloc(n, sizeof(*nd));
	uint32_t *last = calloc(n, sizeof(*last));

	assert_true(r && b && p && nd && last);
	p->by_crate.nodes = nd;
	p->by_crate.n_nodes = n;
	p->by_category = p->by_crate;
	r->build = b;
	r->profile = p;
	b->wall_s = b->cpu_s = b->parallelism = 1;
	b->complete = 1;
	for (uint32_t i = 0; i < n; i++) {
		nd[i].name = i ? "f" : "build";
		nd[i].kind = i ? BT_FLAME_FRAME : BT_FLAME_ROOT;
		nd[i].category = i ? BT_CAT_FRONTEND : -1;
		nd[i].first_child = nd[i].next_sibling = BT_FLAME_NONE;
		nd[i].parent = i ? parent(i) : BT_FLAME_NONE;
		last[i] = BT_FLAME_NONE;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t up = nd[i].parent;
		if (last[up] == BT_FLAME_NONE)
			nd[up].first_child = i;
		else
			nd[last[up]].next_sibling = i;
		last[up] = i;
	}
	/* leaves get LEAF_US, inner nodes the sum (parents come first) */
	for (uint32_t i = (uint32_t)n; i-- > 0;) {
		if (nd[i].first_child == BT_FLAME_NONE)
			nd[i].value_us = leaf_us;
		if (i)
			nd[nd[i].parent].value_us += nd[i].value_us;
	}
	free(last);
	return r;
}

static void heap_free(struct bt_report *r)
{
	free(r->profile->by_crate.nodes);
	free((void *)r->profile);
	free((void *)r->build);
	free(r);
}

static uint32_t chain_parent(uint32_t i)
{
	return i - 1;
}

/* 20000 frames deep: every one drawn, the document stays flat (XML
 * parsers refuse deep nesting), and nothing recurses in C. */
static void test_svg_deep_chain(void **state)
{
	struct bt_report *r = heap_report(20000, chain_parent, 1000);
	char *svg = run(&bt_writer_flame_svg, r);

	(void)state;
	check_xml(svg); /* which fails past 256 levels of nesting */
	assert_int_equal(frames_with_titles(svg), 20000);
	assert_non_null(strstr(svg, "p=\"19998\">"));
	free(svg);
	heap_free(r);
}

/* 3000 chains of 10 frames, each 0.39 px wide: 30001 frames that are all
 * wide enough is too many.  The largest are kept, shallower first among
 * equals (two thirds of the budget: the root and six rows of 3000), and
 * each chain's rest is one merged frame; the CPU is all still there. */
static uint32_t chains_parent(uint32_t i)
{
	return i % 10 == 1 ? 0 : i - 1;
}

static void test_svg_frame_cap(void **state)
{
	struct bt_report *r = heap_report(30001, chains_parent, 1000);
	char *svg = run(&bt_writer_flame_svg, r);

	(void)state;
	check_xml(svg);
	assert_int_equal(frames_with_titles(svg), 1 + 6 * 3000 + 3000);
	assert_int_equal(count(svg, "<title>[1 small frame, merged: over 25000 "
				    "frames] (1.0 ms CPU, 0.03%)</title>"),
			 3000);
	assert_true(strlen(svg) < 5000000);
	free(svg);
	heap_free(r);
}

/* A broken profile (a child list that loops, a child pointing back at
 * the root, an index past the end) is cut where it breaks: both writers
 * end, and the SVG is still well-formed. */
static void test_broken_tree_terminates(void **state)
{
	struct fixture *fx = make_fixture();
	char *text;

	(void)state;
	fx->crate[2].next_sibling = 1; /* rustc -> its parent's list */
	fx->crate[4].first_child = 0;  /* a frame whose child is the root */
	fx->cat[10].next_sibling = 1;  /* frontend loops to codegen_llvm */
	fx->cat[6].first_child = 5000; /* past the end */
	text = run(&bt_writer_flame_svg, &fx->r);
	check_xml(text);
	free(text);
	fx->r.options.flame_by_category = 1;
	text = run(&bt_writer_flame_svg, &fx->r);
	check_xml(text);
	free(text);
	text = run(&bt_writer_stacks_folded, &fx->r);
	assert_true(count(text, "\n") >= 4 && count(text, "\n") < 20);
	free(text);
	free(fx);
}

static void test_svg_no_profile(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg;

	(void)state;
	fx->r.profile = NULL;
	fx->b.complete = 0;
	fx->b.n_warnings = 2;
	svg = run(&bt_writer_flame_svg, &fx->r);
	assert_true(!strncmp(svg, "<?xml ", 6));
	check_xml(svg);
	assert_non_null(strstr(svg, "Build: 8.00 s wall, 10.00 s CPU"));
	assert_non_null(strstr(svg, "INCOMPLETE TRACE (2 warnings)"));
	assert_non_null(strstr(svg, "No CPU samples"));
	assert_null(strstr(svg, "<g class=\"f"));
	assert_true(strlen(svg) > 100 &&
		    !strcmp(svg + strlen(svg) - 7, "</svg>\n"));
	free(svg);
	free(fx);
}

/* The command line reaches the title, escaped. */
static void test_svg_command_title(void **state)
{
	struct fixture *fx = make_fixture();
	const char *cmd[] = {"cargo", "build", "--features=a&b<c>"};
	char *svg;

	(void)state;
	fx->b.session.known = 1;
	fx->b.session.argc = 3;
	fx->b.session.command = cmd;
	svg = run(&bt_writer_flame_svg, &fx->r);
	check_xml(svg);
	assert_non_null(strstr(svg, "<title>btrace flame graph: cargo build "
				    "--features=a&amp;b&lt;c&gt;</title>"));
	free(svg);
	free(fx);
}

/* ---- the assets ---- */

/* bt_asset_put() on TEXT with SEP, into memory. */
static char *put(const char *text, const char *sep)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(bt_asset_put(f, text, sep), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Notes are whole lines: // lines, block comments opening a line (on one
 * line or several); code, and comment marks inside code, stay. */
static void test_asset_notes(void **state)
{
	char *out;
	(void)state;
	out = put("// note\nvar a = 'http://x'; // kept\n\t// indented note\n"
		  "\tf(a);\n/* one-line note */\n/* a note\n   over lines\n"
		  "   ends here */\ng(); /* kept */\n/*/ still a note\n*/\n"
		  "last",
		  "\n");
	assert_string_equal(out, "var a = 'http://x'; // kept\n\tf(a);\n"
				 "g(); /* kept */\nlast\n");
	free(out);
	out = put("/* style\n * notes */\na{b:c}\n#d{e:f}\n", "");
	assert_string_equal(out, "a{b:c}#d{e:f}");
	free(out);
	out = put("", "\n");
	assert_string_equal(out, "");
	free(out);
}

static char *slurp_asset(const char *name)
{
	char path[512], *text;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ASSETS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = calloc((size_t)len + 1, 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

/* The text of SVG between the first BEGIN after its start and the END
 * after that. */
static char *between(const char *svg, const char *begin, const char *end)
{
	const char *a = strstr(svg, begin), *b;
	assert_non_null(a);
	a += strlen(begin);
	b = strstr(a, end);
	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

/* flame.svg holds the asset files as they are in the source tree, less
 * their notes: the embedded copies are current and whole.  Their code
 * may not hold "]]>", which would end the CDATA section early. */
static void test_svg_assets(void **state)
{
	struct fixture *fx = make_fixture();
	char *svg = run(&bt_writer_flame_svg, &fx->r);
	char *js = slurp_asset("flame.js"), *css = slurp_asset("flame.css");
	char *want_js = put(js, "\n"), *want_css = put(css, "");
	char *got_js = between(svg, "var W = 1180, X0 = 10, CW = 6.6;\n",
			       "})();\n]]></script>");
	char *got_css = between(svg, "<style><![CDATA[", "]]></style>");

	(void)state;
	assert_null(strstr(want_js, "]]>"));
	assert_null(strstr(want_css, "]]>"));
	assert_string_equal(got_js, want_js);
	assert_string_equal(got_css, want_css);
	/* the notes went, the code stayed */
	assert_null(strstr(got_js, "\n//"));
	assert_non_null(strstr(got_js, "window.btraceFlame = {"));
	assert_null(strchr(got_css, '\n'));
	assert_null(strstr(got_css, "/*"));
	assert_non_null(strstr(got_css, "#frames g.h{display:none}"));
	free(got_js);
	free(got_css);
	free(want_js);
	free(want_css);
	free(js);
	free(css);
	free(svg);
	free(fx);
}

/* ---- report.html ---- */

/* How many NEEDLEs HAY holds. */
static size_t n_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* report.html on the fixture with two units whose names and the command
 * hold markup: one bar per unit, everything escaped, the flame graph
 * inline without its XML declaration, report.js's code whole and unable
 * to end its <script>, no URL, the same bytes on every run.  (The page
 * in a browser: tests/report/html_chromium.sh.) */
static void test_html_report(void **state)
{
	struct fixture *fx = make_fixture();
	struct bt_unit units[2];
	const char *cmd[] = {"cargo", "build", "--features=<b>&\"q\""};
	char *html, *again, *js = slurp_asset("report.js");
	char *want_js = put(js, "\n");

	(void)state;
	memset(units, 0, sizeof(units));
	strcpy(units[0].package, "evil<script>alert(1)</script>");
	strcpy(units[0].crate, units[0].package);
	units[0].wall_s = 2;
	units[0].cpu_s = 1.5;
	units[0].categories[BT_CAT_FRONTEND] = 1;
	units[0].categories[BT_CAT_DEBUGINFO] = 0.5;
	strcpy(units[1].package, "q\"uote'&amp");
	strcpy(units[1].crate, "q");
	units[1].start_s = 1;
	units[1].wall_s = 1;
	units[1].target = BT_TARGET_BIN;
	fx->b.units = units;
	fx->b.n_units = 2;
	fx->b.wall_s = 4;
	fx->b.session.known = 1;
	fx->b.session.argc = 3;
	fx->b.session.command = cmd;
	html = run(&bt_writer_report_html, &fx->r);
	again = run(&bt_writer_report_html, &fx->r);
	assert_string_equal(html, again);
	assert_int_equal(n_of(html, "<g class=\"bt-unit"), 2);
	/* the split bar: frontend and debuginfo, in proportion (2:1 of
	 * the unit's 2 s at its scale) */
	assert_int_equal(n_of(html, "fill=\"#9a7cd0\"/>"), 1);
	assert_null(strstr(html, "evil<script>"));
	assert_non_null(
	    strstr(html, "evil&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "q&quot;uote&#39;&amp;amp bin (q)"));
	assert_non_null(strstr(html, "<title>btrace report: cargo build "
				     "--features=&lt;b&gt;&amp;&quot;q&quot;"
				     "</title>"));
	/* the flame graph: inline, the same SVG without its declaration */
	assert_null(strstr(html, "<?xml"));
	assert_int_equal(
	    n_of(html, "<svg xmlns=\"http://www.w3.org/2000/svg\""), 1);
	assert_non_null(strstr(html, "window.btraceFlame = {"));
	/* report.js as it is, less its notes; nothing in it ends a script */
	assert_non_null(strstr(html, want_js));
	assert_null(strstr(want_js, "</script"));
	assert_int_equal(n_of(html, "</script>"), 2);
	/* no URL but the SVG namespace and the other outputs' names */
	assert_int_equal(n_of(html, "http"),
			 n_of(html, "http://www.w3.org/2000/svg"));
	assert_non_null(strstr(html, "<a href=\"flame.svg\">"));
	assert_true(!strcmp(html + strlen(html) - 8, "</html>\n"));
	free(want_js);
	free(js);
	free(html);
	free(again);
	free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_folded_lines),
	    cmocka_unit_test(test_html_report),
	    cmocka_unit_test(test_folded_round_trip),
	    cmocka_unit_test(test_folded_no_profile),
	    cmocka_unit_test(test_svg_structure),
	    cmocka_unit_test(test_svg_title_and_legend),
	    cmocka_unit_test(test_svg_escaping),
	    cmocka_unit_test(test_svg_tiny_and_kinds),
	    cmocka_unit_test(test_svg_proc_macro),
	    cmocka_unit_test(test_svg_by_category_and_deterministic),
	    cmocka_unit_test(test_svg_deep_chain),
	    cmocka_unit_test(test_svg_frame_cap),
	    cmocka_unit_test(test_broken_tree_terminates),
	    cmocka_unit_test(test_svg_no_profile),
	    cmocka_unit_test(test_svg_command_title),
	    cmocka_unit_test(test_asset_notes),
	    cmocka_unit_test(test_svg_assets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
