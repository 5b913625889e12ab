#!/usr/bin/env bash
# diff_chromium.sh MAKE_DIFF_SVG - diff.svg (btrace diff's differential
# flame graph) in a real browser, as flame_chromium.sh checks flame.svg.
#
# make_diff_svg writes the SVG of two hand-built profiles (see
# make_diff_svg.c for their frames and values).  The checks are appended
# to a copy of it as its last <script> and run in the SVG document; they
# drive the UI with DOM events and window.btraceFlame, write one <text
# class="check"> per check, and headless Chromium's --dump-dom gives them
# back.  They check the same interactions as flame.svg's (zoom, reset,
# search, hover) and what diff.svg adds: widths from the larger side,
# colours by change, both sides' figures on hover.
#
# Needs Debian's chromium (scripts/deps.sh installs it); exits 77 (skip)
# when there is none.  Never installs anything itself.
set -euo pipefail

make_diff=$1
source "$(dirname "$0")/chromium.sh"

"$make_diff" "$dir/diff.svg" "$dir/base.folded" "$dir/new.folded"
# The folded stacks: each side's self values, the mean of its builds.
grep -qx 'lib1 0.1.0 lib;rustc;lib1::old_fn 4000000' "$dir/base.folded"
grep -qx 'lib1 0.1.0 lib;rustc;lib1::new_fn 5000000' "$dir/new.folded"
! grep -q new_fn "$dir/base.folded"
cat >"$dir/diff.js" <<'EOF'
function run() {
	var F = window.btraceFlame;
	report(!!F && typeof window.search === "function", "test hooks exist");
	function fill(name) { return getComputedStyle(rectOf(name)).fill; }
	function hover(name) {
		rectOf(name).dispatchEvent(new MouseEvent("mouseover",
			{bubbles: true}));
		return document.getElementById("details").textContent;
	}

	/* It renders: 10 frames, each with an on-screen width. */
	var rects = document.querySelectorAll("#frames g.f > rect");
	check("frames drawn", rects.length, 10, 0);
	var zero = 0;
	for (var i = 0; i < rects.length; i++)
		if (!(rects[i].getBoundingClientRect().width > 0)) zero++;
	check("frames with no rendered width", zero, 0, 0);
	report(/btrace differential flame graph: cargo build <&>/.test(
		document.getElementById("title").textContent),
	       "title text, escaped command reads back");
	report(/base 10\.00 s \(2 builds\), new 12\.00 s \(1 build\): \+2\.00 s/
		.test(document.getElementById("totals").textContent),
	       "totals: " + document.getElementById("totals").textContent);

	/* Widths: the larger side, and a parent as wide as its children
	 * (lib1's rustc: 3 + 4 + 5 s of a 16 s root). */
	check("root width", w("build"), 1180);
	check("lib1 width", w("lib1 0.1.0 lib"), 885);
	check("new_fn width", w("lib1::new_fn"), 368.75);
	check("old_fn width (gone, still drawn)", w("lib1::old_fn"), 295);
	check("old_fn x", x("lib1::old_fn"), 378.75);

	/* Colours: only in new full red, only in base full blue, unchanged
	 * grey, +50% of a 3 s frame (1/3 of it) two thirds of the way. */
	check("new_fn red", fill("lib1::new_fn"), "rgb(224, 60, 49)");
	check("old_fn blue", fill("lib1::old_fn"), "rgb(59, 111, 214)");
	check("unchanged grey", fill("app::codegen"), "rgb(238, 238, 234)");
	check("grew by a third", fill("lib1::parse"), "rgb(229, 119, 111)");

	/* Hover: both sides and the change. */
	var d = hover("lib1::new_fn");
	report(d === "lib1::new_fn: base 0 us, new 5.000 s: +5.000 s, only in new",
	       "hover new_fn: " + d);
	d = hover("lib1::parse");
	report(d === "lib1::parse: base 2.000 s, new 3.000 s: +1.000 s +50.0%",
	       "hover parse: " + d);
	d = hover("lib1::old_fn");
	report(/-4\.000 s -100\.0%, only in base$/.test(d), "hover old_fn: " + d);

	/* Click zooms, as in flame.svg. */
	click(rectOf("lib1 0.1.0 lib"));
	check("zoomed width", w("lib1 0.1.0 lib"), 1180);
	check("zoomed child width", w("lib1::new_fn"), 491.67);
	report(g("build").classList.contains("a") && shown("build"),
	       "ancestor greyed");
	report(!shown("app::codegen"), "frames outside the zoom hidden");
	check("zoomed frame keeps its colour", fill("lib1::new_fn"),
	      "rgb(224, 60, 49)");
	click(document.getElementById("reset"));
	check("reset width", w("lib1 0.1.0 lib"), 885);
	report(shown("app::codegen"), "reset shows everything");

	/* Search: by name, the share of the drawn width. */
	check("search share", window.search("_fn$"), 56.25, 0.001);
	check("frames highlighted",
	      document.querySelectorAll("#frames g.m").length, 2, 0);
	window.search("");
	check("search cleared", document.querySelectorAll("#frames g.m").length,
	      0, 0);
}
finish(run);
EOF
chromium_svg diff "$dir/diff.svg" "$dir/diff.js"
