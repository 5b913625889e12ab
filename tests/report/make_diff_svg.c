/* make_diff_svg.c - writes diff.svg (and the two folded files) for two
 * hand-built profiles, with no trace: the input of diff_chromium.sh.
 *
 *   make_diff_svg OUT.svg [BASE.folded NEW.folded]
 *
 * Base (10 s):                       New (12 s):
 *   build 10                           build 12
 *     app 0.1.0 bin 4                    app 0.1.0 bin 4
 *       rustc 4                            rustc 4
 *         app::codegen 3                     app::codegen 3
 *         app::parse 1                       app::parse 1
 *     lib1 0.1.0 lib 6                   lib1 0.1.0 lib 8
 *       rustc 6                            rustc 8
 *         lib1::old_fn 4                     lib1::new_fn 5
 *         lib1::parse 2                      lib1::parse 3
 *
 * Merged widths (the larger side, at least the children): lib1's rustc
 * 3 + 4 + 5 = 12 s, lib1 12 s, the root 16 s.  The base is given as two
 * builds of half weight each, as btrace diff averages a side. */
#include <stdio.h>
#include <string.h>

#include "compare/compare.h"
#include "output/diff_writer.h"

struct row {
	const char *name;
	uint32_t parent;
	double s;
	int kind, cat;
};

static void make(const struct row *r, size_t n, struct bt_flame_node *nd,
		 struct bt_flame_tree *t)
{
	memset(nd, 0, n * sizeof(*nd));
	for (size_t i = 0; i < n; i++) {
		nd[i].name = r[i].name;
		nd[i].value_us = (uint64_t)(r[i].s * 1e6);
		nd[i].parent = i ? r[i].parent : BT_FLAME_NONE;
		nd[i].first_child = nd[i].next_sibling = BT_FLAME_NONE;
		nd[i].kind = (uint8_t)r[i].kind;
		nd[i].category = (int8_t)r[i].cat;
	}
	for (size_t i = n; i-- > 1;) {
		nd[i].next_sibling = nd[r[i].parent].first_child;
		nd[r[i].parent].first_child = (uint32_t)i;
	}
	t->nodes = nd;
	t->n_nodes = n;
}

static int write(const struct bt_diff_writer *w, const struct bt_comparison *c,
		 const char *path)
{
	FILE *f = fopen(path, "w");
	int rc;
	if (!f) {
		perror(path);
		return -1;
	}
	rc = w->write(c, f);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int main(int argc, char **argv)
{
	enum { R = BT_FLAME_ROOT, G = BT_FLAME_GROUP, F = BT_FLAME_FRAME };
	const struct row base[] = {
	    {"build", 0, 10, R, -1},
	    {"app 0.1.0 bin", 0, 4, G, -1},
	    {"rustc", 1, 4, G, -1},
	    {"app::codegen", 2, 3, F, BT_CAT_CODEGEN_LLVM},
	    {"app::parse", 2, 1, F, BT_CAT_FRONTEND},
	    {"lib1 0.1.0 lib", 0, 6, G, -1},
	    {"rustc", 5, 6, G, -1},
	    {"lib1::old_fn", 6, 4, F, BT_CAT_CODEGEN_LLVM},
	    {"lib1::parse", 6, 2, F, BT_CAT_FRONTEND},
	};
	const struct row new_[] = {
	    {"build", 0, 12, R, -1},
	    {"app 0.1.0 bin", 0, 4, G, -1},
	    {"rustc", 1, 4, G, -1},
	    {"app::codegen", 2, 3, F, BT_CAT_CODEGEN_LLVM},
	    {"app::parse", 2, 1, F, BT_CAT_FRONTEND},
	    {"lib1 0.1.0 lib", 0, 8, G, -1},
	    {"rustc", 5, 8, G, -1},
	    {"lib1::new_fn", 6, 5, F, BT_CAT_CODEGEN_LLVM},
	    {"lib1::parse", 6, 3, F, BT_CAT_FRONTEND},
	};
	struct bt_flame_node nb[9], nn[9];
	struct bt_flame_tree tb, tn;
	struct bt_comparison c;
	struct bt_stat sb = {2, 10, 0}, sn = {1, 12, 0};

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: make_diff_svg OUT.svg [BASE.folded "
				"NEW.folded]\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.n_builds[0] = 2;
	c.n_builds[1] = 1;
	snprintf(c.command[1], sizeof(c.command[1]), "cargo build <&>");
	bt_change_of(&sb, &sn, &c.build[BT_Q_CPU]);
	make(base, 9, nb, &tb);
	make(new_, 9, nn, &tn);
	if (bt_diff_tree_add(&c.tree, &tb, 0, 0.5) < 0 ||
	    bt_diff_tree_add(&c.tree, &tb, 0, 0.5) < 0 ||
	    bt_diff_tree_add(&c.tree, &tn, 1, 1) < 0 ||
	    bt_diff_tree_finish(&c.tree) < 0) {
		fprintf(stderr, "make_diff_svg: out of memory\n");
		return 3;
	}
	if (write(&bt_diff_writer_svg, &c, argv[1]) < 0 ||
	    (argc == 4 &&
	     (write(&bt_diff_writer_folded_base, &c, argv[2]) < 0 ||
	      write(&bt_diff_writer_folded_new, &c, argv[3]) < 0)))
		return 1;
	bt_diff_tree_free(&c.tree);
	return 0;
}
