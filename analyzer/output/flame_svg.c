/* flame_svg.c - flame.svg: where the build's CPU went, as an
 * interactive flame graph in one file.
 *
 * Flame orientation, as flamegraph.pl draws it: the root (the whole
 * build) is the bottom row, each row above holds the children of the one
 * below, and a frame's width is its inclusive CPU.  Children go left to
 * right in the profile's order (largest first), so the output depends on
 * the profile alone: same profile, same bytes.
 *
 * The layout is computed here and written as plain SVG, so the picture is
 * right without scripting (an image viewer, a CI artifact preview).  The
 * embedded script only adds the interactions: hover details, click to
 * zoom, search.  Nothing is loaded from anywhere: generic font families,
 * inline CSS and script, from assets/flame.css and assets/flame.js
 * (embedded at build time, asset.h).
 *
 * Frames are one flat list of <g> in preorder, each naming its parent by
 * its index in the list ("p"), so a subtree is a run of the list.  Not
 * nested <g>: browsers' XML parsers refuse documents nested a few
 * thousand deep, and deep recursion in the compiler gets there.  From
 * that the script has the tree: zooming greys the ancestors and hides the
 * rest, and search counts a match only when no ancestor matched (nested
 * matches are the same CPU).  It recomputes positions from the values
 * ("v", microseconds), not from rounded pixels, so deep zooms stay
 * exact.
 *
 * Size: a frame narrower than MIN_W_PX is not drawn (nor anything above
 * it, which is narrower still); the siblings skipped under one parent are
 * drawn as one "[N frames narrower than ...]" frame when together they
 * are wide enough, so their CPU stays visible and the parent's width is
 * untouched.  The SVG therefore grows with the picture's width times its
 * depth, not with the profile's node count.  Should a profile still have
 * more than MAX_DRAWN frames that wide (thousands of deep stacks of equal
 * weight), only the largest are drawn, shallower first among equals, and
 * the rest merged the same way: a set that keeps every drawn frame's
 * ancestors, and a file of a few megabytes whatever the input. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/asset.h"
#include "output/assets/flame.css.h"
#include "output/assets/flame.js.h"
#include "output/flame_svg.h"
#include "output/writer.h"
#include "profile/profile.h"

#define IMG_W 1200
#define XPAD 10
#define FRAMES_W (IMG_W - 2 * XPAD)
#define FRAME_H 16	/* row pitch; a frame is one pixel less */
#define CHAR_W 6.6	/* monospace 11px advance (0.6 em): label fitting */
#define MIN_W_PX 0.1	/* narrower frames are merged, not drawn ... */
#define MAX_DRAWN 25000 /* ... and the smallest past this many frames */
#define TOP_H 124	/* title, totals, legend and the details line */
#define BOTTOM_H 12	/* a margin below the frames */
#define DETAILS_Y 115	/* the details line, right above the frames */
#define TITLE_CHARS 110 /* of the command, in the 17px title */

/* Per node of the profile: the drawn tree and its layout. */
struct lay {
	uint64_t x_us;	   /* offset from the root's left edge */
	uint64_t small_us; /* children too narrow to draw, together */
	uint32_t small_n;  /* how many */
	uint32_t first;	   /* first drawn child, BT_FLAME_NONE if none */
	uint32_t next;	   /* next drawn sibling */
	uint32_t parent;
	uint32_t depth;	      /* counted here, not trusted from the node */
	uint32_t index;	      /* in the SVG's list of frames */
	unsigned char seen;   /* reached once: a broken list is cut there */
	unsigned char expand; /* EXPAND_* */
};

/* A frame's part in a proc macro's expansion: none, the macro's own code
 * (a frame in its library), or what that code called (rustc through
 * proc_macro's bridge, std, the allocator). */
enum { EXPAND_NONE, EXPAND_MACRO, EXPAND_CALLEE };

struct flame {
	FILE *f;
	const struct bt_flame_tree *t;
	struct lay *lay;
	uint64_t total_us; /* the root's value */
	double px_per_us;
	int budget;	    /* MAX_DRAWN is in force: ... */
	uint64_t cut_us;    /* ... frames below this value are merged, */
	uint32_t cut_depth; /* and those of it deeper than this */
	uint32_t max_depth; /* of drawn frames, merged ones included */
	size_t drawn;	    /* frames the layout draws */
	int macros;	    /* proc-macro frames among them: their legend */
	uint32_t written;   /* frames written so far: the next one's index */
	const struct bt_flame_paint *paint; /* bt_flame_svg_draw's, or NULL */
};

/* The category colours of the legend, by enum bt_category. */
static const unsigned char cat_rgb[BT_CAT_MAX][3] = {
    [BT_CAT_FRONTEND] = {0x6f, 0xa8, 0xdc},	     /* blue */
    [BT_CAT_CODEGEN_LLVM] = {0xe6, 0x91, 0x38},	     /* orange */
    [BT_CAT_CODEGEN_CRANELIFT] = {0xe8, 0xc3, 0x2e}, /* yellow */
    [BT_CAT_DEBUGINFO] = {0x9a, 0x7c, 0xd0},	     /* purple */
    [BT_CAT_LINK] = {0x6a, 0xb0, 0x4f},		     /* green */
    [BT_CAT_BUILD_SCRIPT] = {0xd8, 0x6f, 0x8e},	     /* pink */
    [BT_CAT_CARGO] = {0xa0, 0x72, 0x4a},	     /* brown */
    [BT_CAT_PROBE] = {0x8c, 0x9d, 0xb0},	     /* slate */
    [BT_CAT_STARTUP] = {0xb5, 0xb5, 0xb5},	     /* grey */
    [BT_CAT_OTHER] = {0x4f, 0xb8, 0xb0},	     /* teal */
};
/* Frames whose samples are of several categories (upper frames shared by
 * all of rustc's work): sand, unlike any category. */
static const unsigned char mixed_rgb[3] = {0xd2, 0xc2, 0x96};
/* Proc-macro expansion, a sub-category of the frontend: a royal blue,
 * more violet than the frontend's; what the macro calls is paler. */
static const unsigned char macro_rgb[3] = {0x4a, 0x6c, 0xe8};

/* The special kinds: hatched, so that they read as "not a function" even
 * where they are narrow.  userSpaceOnUse keeps the stripes the same on
 * every frame. */
static const char *const patterns[] = {
    /* unknown frame: grey stripes */
    "<pattern id=\"pu\" width=\"6\" height=\"6\""
    " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    "<rect width=\"6\" height=\"6\" fill=\"#e4e4e4\"/>"
    "<rect width=\"2.5\" height=\"6\" fill=\"#a9a9a9\"/></pattern>",
    /* not sampled: blue-grey stripes the other way */
    "<pattern id=\"pn\" width=\"6\" height=\"6\""
    " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
    "<rect width=\"6\" height=\"6\" fill=\"#e8eef5\"/>"
    "<rect width=\"2.5\" height=\"6\" fill=\"#9db2c8\"/></pattern>",
    /* lost samples: red stripes */
    "<pattern id=\"pl\" width=\"6\" height=\"6\""
    " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    "<rect width=\"6\" height=\"6\" fill=\"#fbe1e1\"/>"
    "<rect width=\"2.5\" height=\"6\" fill=\"#d9534f\"/></pattern>",
    /* merged narrow frames: light grey uprights */
    "<pattern id=\"pk\" width=\"4\" height=\"4\""
    " patternUnits=\"userSpaceOnUse\">"
    "<rect width=\"4\" height=\"4\" fill=\"#f2f2f2\"/>"
    "<rect width=\"1\" height=\"4\" fill=\"#c4c4c4\"/></pattern>",
};

/* Decodes the UTF-8 character at S (N > 0 bytes left) into *CP and
 * returns its length.  A byte that starts no valid character (stray,
 * overlong, surrogate, past U+10FFFF) is one U+FFFD: symbol names come
 * from binaries and must not break the XML. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = UINT32_MAX;
	return 1;
}

static size_t utf8_chars(const char *s)
{
	size_t n = strlen(s), chars = 0;
	uint32_t cp;
	for (const unsigned char *p = (const unsigned char *)s; n; chars++) {
		size_t l = utf8_next(p, n, &cp);
		p += l;
		n -= l;
	}
	return chars;
}

/* Writes the first MAX characters of S as XML character data: markup
 * characters escaped, line breaks and tabs as spaces (labels are one
 * line), and what XML 1.0 cannot hold at all (other controls, U+FFFE,
 * U+FFFF, bytes that are not UTF-8) as U+FFFD. */
static void put_xml(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (; n && max; max--) {
		uint32_t cp;
		size_t l = utf8_next(p, n, &cp);
		if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'')
			fputs("&apos;", f);
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			fputc(' ', f);
		else if (cp < 0x20 || cp == 0xfffe || cp == 0xffff ||
			 cp == UINT32_MAX)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(p, 1, l, f);
		p += l;
		n -= l;
	}
}

/* S cut to MAX characters, ".." marking the cut. */
static void put_xml_cut(FILE *f, const char *s, size_t max)
{
	if (utf8_chars(s) <= max) {
		put_xml(f, s, SIZE_MAX);
		return;
	}
	put_xml(f, s, max > 2 ? max - 2 : 0);
	fputs("..", f);
}

static void put_time(FILE *f, uint64_t us)
{
	if (us >= 1000000)
		fprintf(f, "%.3f s", (double)us / 1e6);
	else if (us >= 1000)
		fprintf(f, "%.1f ms", (double)us / 1e3);
	else
		fprintf(f, "%" PRIu64 " us", us);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* RGB mixed toward white by T (0..1). */
static void put_rgb(FILE *f, const unsigned char rgb[3], double t)
{
	fprintf(f, "#%02x%02x%02x", (unsigned)(rgb[0] + (255 - rgb[0]) * t),
		(unsigned)(rgb[1] + (255 - rgb[1]) * t),
		(unsigned)(rgb[2] + (255 - rgb[2]) * t));
}

static const unsigned char *category_rgb(int category)
{
	return category >= 0 && category < BT_CAT_MAX ? cat_rgb[category]
						      : mixed_rgb;
}

static const char *kind_class(uint8_t kind)
{
	switch (kind) {
	case BT_FLAME_ROOT:
		return " r";
	case BT_FLAME_GROUP:
		return " g";
	case BT_FLAME_UNKNOWN:
		return " u";
	case BT_FLAME_UNSAMPLED:
		return " n";
	case BT_FLAME_GAP:
		return " l";
	case BT_FLAME_MACRO:
		return " x";
	default:
		return "";
	}
}

/* Functions get their category's colour, lightened by a hash of the name
 * so neighbours differ and the same function looks the same everywhere;
 * groups and the root are pale (they are not code); the special kinds
 * are hatched.  A proc macro's frames (in its library, symbolized or
 * not) and the functions they call are the macro's colour instead, the
 * callees paler: expansion is a sub-category of the frontend. */
static void put_fill(FILE *f, const struct bt_flame_node *n, int expand)
{
	double shade = (double)(fnv1a(n->name ? n->name : "") % 1000) / 1000;

	if (expand == EXPAND_MACRO) {
		put_rgb(f, macro_rgb, shade * 0.25);
		return;
	}
	if (expand == EXPAND_CALLEE && n->kind == BT_FLAME_FRAME) {
		put_rgb(f, macro_rgb, 0.5 + shade * 0.15);
		return;
	}
	switch (n->kind) {
	case BT_FLAME_ROOT:
		fputs("#cfcfcf", f);
		return;
	case BT_FLAME_GROUP:
		if (n->category >= 0 && n->category < BT_CAT_MAX)
			put_rgb(f, cat_rgb[n->category], 0.62);
		else
			fputs("#dcdcdc", f);
		return;
	case BT_FLAME_UNKNOWN:
		fputs("url(#pu)", f);
		return;
	case BT_FLAME_UNSAMPLED:
		fputs("url(#pn)", f);
		return;
	case BT_FLAME_GAP:
		fputs("url(#pl)", f);
		return;
	default:
		put_rgb(f, category_rgb(n->category), shade * 0.35);
	}
}

/* An icicle: the root ("build") right below the header, callees
 * hanging down.  rustc's stacks are 20 to 60 frames deep, so a graph
 * with the root at the bottom opened on a window of thin towers, with
 * the units and the big frames a long scroll away. */
static double frame_y(const struct flame *fl, uint32_t depth)
{
	(void)fl;
	return TOP_H + (double)depth * FRAME_H;
}

/* One frame: its <g> names the parent's index in the list (none for the
 * root) and holds the title with the full name, the rect, and a label
 * when three characters fit. */
static void put_frame(struct flame *fl, const char *name, const char *cls,
		      const struct bt_flame_node *n, int expand, uint64_t x_us,
		      uint64_t v_us, uint32_t depth, uint32_t parent)
{
	FILE *f = fl->f;
	double x = XPAD + (double)x_us * fl->px_per_us;
	double w = (double)v_us * fl->px_per_us, y = frame_y(fl, depth);
	long fit = (long)((w - 6) / CHAR_W);

	fprintf(f, "<g class=\"f%s%s\" v=\"%" PRIu64 "\"", cls,
		expand == EXPAND_CALLEE && n && n->kind == BT_FLAME_FRAME ? " y"
									  : "",
		v_us);
	if (parent != BT_FLAME_NONE)
		fprintf(f, " p=\"%" PRIu32 "\"", parent);
	fputs("><title>", f);
	put_xml(f, name, SIZE_MAX);
	fputs(" (", f);
	if (n && fl->paint) {
		fl->paint->figures(f, fl->t, (uint32_t)(n - fl->t->nodes),
				   fl->paint->ctx);
	} else {
		put_time(f, v_us);
		fprintf(f, " CPU, %.2f%%",
			100.0 * (double)v_us / (double)fl->total_us);
	}
	fprintf(f,
		")</title><rect x=\"%.2f\" y=\"%.0f\" "
		"width=\"%.2f\" height=\"%d\" fill=\"",
		x, y, w, FRAME_H - 1);
	if (n && fl->paint)
		fl->paint->fill(f, fl->t, (uint32_t)(n - fl->t->nodes),
				fl->paint->ctx);
	else if (n)
		put_fill(f, n, expand);
	else
		fputs("url(#pk)", f);
	fputs("\"/>", f);
	if (fit >= 3) {
		fprintf(f, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + 11.5);
		put_xml_cut(f, name, (size_t)fit);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
	fl->written++;
}

static void put_node(struct flame *fl, uint32_t i)
{
	const struct bt_flame_node *n = &fl->t->nodes[i];
	struct lay *l = &fl->lay[i];

	l->index = fl->written;
	put_frame(fl, n->name ? n->name : "[unnamed]", kind_class(n->kind), n,
		  l->expand, l->x_us, n->value_us, l->depth,
		  i ? fl->lay[l->parent].index : BT_FLAME_NONE);
}

/* Whether a frame of V_US at DEPTH, whose parent is drawn, is drawn too.
 * A parent is at least as large and shallower, so the budget's cut keeps
 * whole top parts of the tree, never a frame without its parent. */
static int drawn(const struct flame *fl, uint64_t v_us, uint32_t depth)
{
	if ((double)v_us * fl->px_per_us < MIN_W_PX)
		return 0;
	return !fl->budget || v_us > fl->cut_us ||
	       (v_us == fl->cut_us && depth <= fl->cut_depth);
}

/* The merged narrow children of I, after its drawn children. */
static void put_small(struct flame *fl, uint32_t i)
{
	const struct lay *l = &fl->lay[i];
	char name[96];
	uint64_t x_us = l->x_us;

	if ((double)l->small_us * fl->px_per_us < MIN_W_PX)
		return;
	for (uint32_t c = l->first; c != BT_FLAME_NONE; c = fl->lay[c].next)
		x_us += fl->t->nodes[c].value_us;
	if (fl->budget)
		snprintf(name, sizeof(name),
			 "[%" PRIu32 " small frame%s, merged: over %d frames]",
			 l->small_n, l->small_n == 1 ? "" : "s", MAX_DRAWN);
	else
		snprintf(name, sizeof(name),
			 "[%" PRIu32 " frame%s narrower than %g px]",
			 l->small_n, l->small_n == 1 ? "" : "s", MIN_W_PX);
	put_frame(fl, name, " k", NULL, EXPAND_NONE, x_us, l->small_us,
		  l->depth + 1, l->index);
}

/* Pass 1: which nodes are drawn, where, and how deep the picture is.
 * One visit per node; the explicit stack holds each node at most once,
 * so deep trees need no deep C stack. */
static int layout(struct flame *fl)
{
	const struct bt_flame_tree *t = fl->t;
	uint32_t *stack, sp = 0;

	if (!fl->lay)
		fl->lay = malloc(t->n_nodes * sizeof(*fl->lay));
	stack = malloc(t->n_nodes * sizeof(*stack));
	if (!fl->lay || !stack) {
		free(stack);
		return -1;
	}
	memset(fl->lay, 0, t->n_nodes * sizeof(*fl->lay));
	for (size_t i = 0; i < t->n_nodes; i++)
		fl->lay[i].first = fl->lay[i].next = fl->lay[i].parent =
		    BT_FLAME_NONE;
	fl->max_depth = 0;
	fl->macros = 0;
	fl->lay[0].seen = 1;
	fl->drawn = 1;
	stack[sp++] = 0;
	while (sp) {
		uint32_t p = stack[--sp], last = BT_FLAME_NONE;
		struct lay *lp = &fl->lay[p];
		uint64_t off = lp->x_us;

		for (uint32_t c = t->nodes[p].first_child; c != BT_FLAME_NONE;
		     c = t->nodes[c].next_sibling) {
			const struct bt_flame_node *n;
			struct lay *lc;
			if (c >= t->n_nodes || fl->lay[c].seen)
				break;
			n = &t->nodes[c];
			lc = &fl->lay[c];
			lc->seen = 1;
			if (!drawn(fl, n->value_us, lp->depth + 1)) {
				lp->small_us += n->value_us;
				lp->small_n++;
				continue;
			}
			lc->parent = p;
			lc->depth = lp->depth + 1;
			lc->expand = n->kind == BT_FLAME_MACRO ? EXPAND_MACRO
				     : lp->expand	       ? EXPAND_CALLEE
							       : EXPAND_NONE;
			fl->macros |= lc->expand == EXPAND_MACRO;
			lc->x_us = off;
			off += n->value_us;
			if (last == BT_FLAME_NONE)
				lp->first = c;
			else
				fl->lay[last].next = c;
			last = c;
			stack[sp++] = c;
			fl->drawn++;
			if (lc->depth > fl->max_depth)
				fl->max_depth = lc->depth;
		}
		if ((double)lp->small_us * fl->px_per_us >= MIN_W_PX) {
			fl->drawn++;
			if (lp->depth + 1 > fl->max_depth)
				fl->max_depth = lp->depth + 1;
		}
	}
	free(stack);
	return 0;
}

struct frame_key {
	uint64_t v_us;
	uint32_t depth;
};

static int by_size(const void *a, const void *b)
{
	const struct frame_key *x = a, *y = b;
	if (x->v_us != y->v_us)
		return x->v_us > y->v_us ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/* Too many frames are wide enough: keep the largest, shallower first
 * among equals.  Two thirds of MAX_DRAWN, as each drawn frame may bring
 * a merged one; ties at the cut can add a row's worth (frames of one
 * depth are disjoint, so at most FRAMES_W / MIN_W_PX of them). */
static int set_budget(struct flame *fl)
{
	struct frame_key *keys = malloc(fl->drawn * sizeof(*keys));
	size_t n = 0, keep = MAX_DRAWN * 2 / 3;

	if (!keys)
		return -1;
	for (size_t i = 0; i < fl->t->n_nodes && n < fl->drawn; i++)
		if (!i || fl->lay[i].parent != BT_FLAME_NONE)
			keys[n++] = (struct frame_key){fl->t->nodes[i].value_us,
						       fl->lay[i].depth};
	qsort(keys, n, sizeof(*keys), by_size);
	if (keep > n)
		keep = n;
	fl->budget = 1;
	fl->cut_us = keys[keep - 1].v_us;
	fl->cut_depth = keys[keep - 1].depth;
	free(keys);
	return 0;
}

/* Pass 2: the frames in preorder (a subtree is a run of the list, its
 * merged narrow frames last), without recursion. */
static void put_frames(struct flame *fl)
{
	uint32_t cur = 0;

	fputs("<g id=\"frames\">\n", fl->f);
	put_node(fl, cur);
	for (;;) {
		if (fl->lay[cur].first != BT_FLAME_NONE) {
			cur = fl->lay[cur].first;
			put_node(fl, cur);
			continue;
		}
		/* CUR's subtree is written but for its merged frame; then
		 * the same for each ancestor that has no sibling left. */
		for (;;) {
			put_small(fl, cur);
			if (!cur)
				goto done;
			if (fl->lay[cur].next != BT_FLAME_NONE) {
				cur = fl->lay[cur].next;
				put_node(fl, cur);
				break;
			}
			cur = fl->lay[cur].parent;
		}
	}
done:
	fputs("</g>\n", fl->f);
}

static void put_command(FILE *f, const struct bt_session *s)
{
	char cmd[512] = "";
	size_t l = 0;

	if (!s->known || !s->command) {
		fputs("build", f);
		return;
	}
	for (size_t i = 0; i < s->argc && l < sizeof(cmd); i++)
		l += (size_t)snprintf(cmd + l, sizeof(cmd) - l, "%s%s",
				      i ? " " : "",
				      s->command[i] ? s->command[i] : "");
	put_xml_cut(f, cmd[0] ? cmd : "build", TITLE_CHARS);
}

static void put_head(FILE *f, const struct bt_build *b, int height)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
	      f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"id=\"btrace-flame\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n",
		IMG_W, height, IMG_W, height);
	fputs("<title>btrace flame graph: ", f);
	put_command(f, &b->session);
	fputs("</title>\n<style><![CDATA[", f);
	bt_asset_put(f, bt_asset_flame_css, "");
	fputs("]]></style>\n<defs>", f);
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++)
		fputs(patterns[i], f);
	fprintf(f,
		"</defs>\n<rect width=\"%d\" height=\"%d\" "
		"fill=\"#fcfcf7\"/>\n",
		IMG_W, height);
	fprintf(f,
		"<text id=\"title\" x=\"%d\" y=\"24\" "
		"text-anchor=\"middle\">btrace flame graph: ",
		IMG_W / 2);
	put_command(f, &b->session);
	fprintf(f,
		"</text>\n<text id=\"totals\" x=\"%d\" y=\"44\" "
		"text-anchor=\"middle\">Build: %.2f s wall, %.2f s CPU, "
		"parallelism %.2f",
		IMG_W / 2, b->wall_s, b->cpu_s, b->parallelism);
	if (!b->complete)
		fprintf(f,
			"; INCOMPLETE TRACE (%zu warnings): the gaps "
			"hide CPU",
			b->n_warnings);
	fputs("</text>\n", f);
}

static void put_profile_line(FILE *f, const struct bt_report *r)
{
	const struct bt_profile *p = r->profile;

	fprintf(f,
		"<text id=\"profile\" x=\"%d\" y=\"61\" text-anchor=\"middle\">"
		"Profile: %" PRIu64 " samples, ",
		IMG_W / 2, p->samples);
	if (p->frames)
		fprintf(f, "%.1f%% of frames unknown",
			100.0 * (double)p->frames_unknown / (double)p->frames);
	else
		fputs("no frames", f);
	fprintf(f, ", %.2f s CPU not sampled, %.2f s lost; by %s",
		p->unsampled_cpu_s, p->lost_cpu_s,
		r->options.flame_by_category ? "category" : "crate");
	fputs("</text>\n", f);
}

/* One legend entry: a swatch and its name; returns the next x. */
static int put_key(FILE *f, int x, int y, const char *id, const char *name,
		   const unsigned char *rgb, double tint, const char *fill)
{
	fprintf(f,
		"<g class=\"key\" id=\"key-%s\"><rect x=\"%d\" y=\"%d\" "
		"width=\"12\" height=\"12\" stroke=\"#888\" "
		"stroke-width=\".5\" fill=\"",
		id, x, y - 10);
	if (rgb)
		put_rgb(f, rgb, tint);
	else
		fputs(fill, f);
	fprintf(f, "\"/><text x=\"%d\" y=\"%d\">%s</text></g>", x + 16, y,
		name);
	return x + 16 + (int)(CHAR_W * (double)strlen(name)) + 18;
}

/* The legend; the proc-macro key only when such frames are drawn, so
 * that a build without proc macros has the same picture as before. */
static void put_legend(FILE *f, int macros)
{
	int x = XPAD;

	fputs("<g id=\"legend\">", f);
	for (int c = 0; c < BT_CAT_MAX; c++)
		x = put_key(f, x, 80, bt_category_name(c), bt_category_name(c),
			    cat_rgb[c], 0.15, NULL);
	if (macros)
		put_key(f, x, 80, "proc-macro",
			"proc macro (pale: its callees)", macro_rgb, 0.1, NULL);
	x = XPAD;
	x = put_key(f, x, 97, "mixed", "several categories", mixed_rgb, 0.15,
		    NULL);
	x = put_key(f, x, 97, "group",
		    "group: category, unit, thread (pale: its category)", NULL,
		    0, "#dcdcdc");
	x = put_key(f, x, 97, "unknown", "unknown frame", NULL, 0, "url(#pu)");
	x = put_key(f, x, 97, "unsampled", "not sampled", NULL, 0, "url(#pn)");
	x = put_key(f, x, 97, "lost", "lost samples", NULL, 0, "url(#pl)");
	put_key(f, x, 97, "merged", "too narrow, merged", NULL, 0, "url(#pk)");
	fputs("</g>\n", f);
}

/* No profile: the totals and why there is no picture. */
static int write_empty(const struct bt_build *b, FILE *f, const char *why)
{
	int height = 130;

	put_head(f, b, height);
	fprintf(f,
		"<text id=\"notice\" x=\"%d\" y=\"90\" text-anchor=\"middle\">"
		"%s</text>\n</svg>\n",
		IMG_W / 2, why);
	return ferror(f) ? -1 : 0;
}

/* The picture of FL->t: flame.svg's (R set, FL->paint NULL) or another
 * writer's through bt_flame_svg_draw (FL->paint set, R NULL). */
static int draw(struct flame *fl, const struct bt_report *r)
{
	const struct bt_flame_paint *paint = fl->paint;
	FILE *f = fl->f;
	int height;

	fl->total_us = fl->t->nodes[0].value_us;
	fl->px_per_us = FRAMES_W / (double)fl->total_us;
	if (layout(fl) < 0 ||
	    (fl->drawn > MAX_DRAWN && (set_budget(fl) < 0 || layout(fl) < 0))) {
		free(fl->lay);
		return -1;
	}
	height = TOP_H + (int)(fl->max_depth + 1) * FRAME_H + BOTTOM_H;
	if (paint) {
		paint->head(f, IMG_W, height, paint->ctx);
		fputs("<style><![CDATA[", f);
		bt_asset_put(f, bt_asset_flame_css, "");
		fputs("]]></style>\n<defs>", f);
		for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns);
		     i++)
			fputs(patterns[i], f);
		fprintf(f,
			"</defs>\n<rect width=\"%d\" height=\"%d\" "
			"fill=\"#fcfcf7\"/>\n",
			IMG_W, height);
		paint->lines(f, IMG_W, XPAD, paint->ctx);
	} else {
		put_head(f, r->build, height);
		put_profile_line(f, r);
	}
	fprintf(f,
		"<text id=\"reset\" class=\"btn off\" x=\"%d\" y=\"24\">"
		"Reset Zoom</text>\n<text id=\"search\" class=\"btn\" "
		"x=\"%d\" y=\"24\" text-anchor=\"end\">Search</text>\n",
		XPAD, IMG_W - XPAD);
	if (!paint)
		put_legend(f, fl->macros);
	put_frames(fl);
	fprintf(f,
		"<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\"></text>\n",
		XPAD, DETAILS_Y, IMG_W - XPAD, DETAILS_Y);
	fprintf(f,
		"<script type=\"text/ecmascript\"><![CDATA[\n"
		"(function () {\n\"use strict\";\n"
		"var W = %d, X0 = %d, CW = %g;\n",
		FRAMES_W, XPAD, CHAR_W);
	bt_asset_put(f, bt_asset_flame_js, "\n");
	fputs("})();\n]]></script>\n", f);
	if (paint && paint->script)
		fprintf(f,
			"<script type=\"text/ecmascript\"><![CDATA[\n%s"
			"]]></script>\n",
			paint->script);
	fputs("</svg>\n", f);
	free(fl->lay);
	fl->lay = NULL;
	return ferror(f) ? -1 : 0;
}

int bt_flame_svg_draw(FILE *f, const struct bt_flame_tree *t,
		      const struct bt_flame_paint *paint)
{
	struct flame fl = {.f = f, .t = t, .paint = paint};

	if (!t->n_nodes || !t->nodes[0].value_us)
		return -1;
	return draw(&fl, NULL);
}

static int write_flame_svg(const struct bt_report *r, FILE *f)
{
	const struct bt_build *b = r->build;
	const struct bt_profile *p = r->profile;
	struct flame fl = {.f = f};

	if (!p)
		return write_empty(b, f,
				   "No CPU samples in this trace, so no flame "
				   "graph: record with btrace record --sample "
				   "compilers (or all).");
	fl.t = r->options.flame_by_category ? &p->by_category : &p->by_crate;
	if (!fl.t->n_nodes || !fl.t->nodes[0].value_us)
		return write_empty(b, f,
				   "The CPU profile is empty: no CPU time to "
				   "draw.");
	return draw(&fl, r);
}

const struct bt_report_writer bt_writer_flame_svg = {
    .file = "flame.svg",
    .what = "where the CPU went: interactive flame graph (open in a "
	    "browser)",
    .write = write_flame_svg,
};
