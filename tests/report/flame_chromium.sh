#!/usr/bin/env bash
# flame_chromium.sh MAKE_FLAME - flame.svg in a real browser.
#
# make_flame writes the SVG of a hand-built profile (see make_flame.c for
# its frames and values).  The checks are appended to a copy of it, as the
# SVG's own last <script>, so they run after the flame graph's script has
# set up, in the SVG document itself (file:// forbids fetching the SVG
# into a page).  They drive the UI with DOM events and the window.search
# and window.btraceFlame hooks, and write one <text class="check"> per
# check; headless Chromium's --dump-dom prints the document and this
# script reads the verdicts back.  A second document, 5000 frames deep,
# checks that deep stacks still parse and render.
#
# Needs Debian's chromium (scripts/deps.sh installs it); exits 77 (skip)
# when there is none.  Never installs anything itself.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)

make_flame=$1
source "$(dirname "$0")/chromium.sh"

# The small profile: rendering, zoom, reset, search.
"$make_flame" "$dir/flame.svg"
cat >"$dir/flame.js" <<'EOF'
function run() {
	var F = window.btraceFlame;
	report(!!F && typeof window.search === "function", "test hooks exist");

	/* It renders: every frame has a real on-screen width, the title and
	 * the totals are there, names survived the XML escaping. */
	var rects = document.querySelectorAll("#frames g.f > rect");
	check("frames drawn", rects.length, 18, 0);
	var zero = 0;
	for (var i = 0; i < rects.length; i++)
		if (!(rects[i].getBoundingClientRect().width > 0)) zero++;
	check("frames with no rendered width", zero, 0, 0);
	report(/btrace flame graph/.test(
		document.getElementById("title").textContent), "title text");
	report(/8\.00 s wall, 10\.00 s CPU, parallelism 1\.25/.test(
		document.getElementById("totals").textContent), "totals text");
	report(/9000 samples, 5\.0% of frames unknown/.test(
		document.getElementById("profile").textContent), "profile text");
	report(!!g('<alloc::vec::Vec<T> as Drop>::drop & "co"'),
	       "escaped name reads back exactly");
	report(!!g("[20 frames narrower than 0.1 px]"), "tiny frames merged");
	report(g("[unknown]").getBoundingClientRect().width > 0 &&
	       rectOf("[unknown]").getAttribute("fill") === "url(#pu)",
	       "unknown frame hatched and visible");
	check("root width", w("build"), 1180);
	check("alloc_thing width", w("rustc_codegen_llvm::alloc_thing"), 295);
	check("parse_crate x", x("rustc_parse::parse_crate"), 305);

	/* Proc-macro expansion: the macro's frame (class x) in its own
	 * blue, what it called (class y) a paler one, the frontend frame
	 * that called it in the frontend's colour; a legend key says so. */
	var MAC = "serde_derive::de::expand_derive_deserialize";
	var CALLEE = "rustc_expand::proc_macro_server::from_str";
	function rgb(name) {
		return getComputedStyle(rectOf(name)).fill.match(/\d+/g)
			.map(Number);
	}
	var mac = rgb(MAC), callee = rgb(CALLEE);
	var front = rgb("rustc_parse::parse_crate");
	report(g(MAC).classList.contains("x") &&
	       g(CALLEE).classList.contains("y") &&
	       !g("rustc_parse::parse_crate").classList.contains("x"),
	       "proc-macro classes");
	/* Lightening toward white keeps (255 - green) / (255 - blue): the
	 * hue, whatever a name's shade: 6.4 for the macro colour, 2.5 for
	 * the frontend's. */
	function hue(c) { return (255 - c[1]) / (255 - c[2]); }
	report(mac[2] > mac[0] + 40 && hue(mac) > 4,
	       "proc-macro frame in the macro's blue: " + mac);
	report(hue(front) < 3, "the frontend frame in its own: " + front);
	report(hue(callee) > 4 &&
	       callee[0] + callee[1] + callee[2] > mac[0] + mac[1] + mac[2],
	       "its callee a paler shade of it: " + callee);
	var key = document.getElementById("key-proc-macro");
	report(!!key && key.getBoundingClientRect().width > 0 &&
	       /proc macro/.test(key.textContent), "proc-macro legend key");
	check("proc-macro frame width", w(MAC), 118);
	check("zoom proc macro", window.btraceFlame.zoom(g(MAC)), 1180);
	check("zoomed callee", w(CALLEE), 472);
	window.btraceFlame.reset();

	/* Click zooms: the frame fills the width, its child scales, its
	 * ancestors stay (greyed, full width), the rest is hidden. */
	click(rectOf("rustc_codegen_llvm::alloc_thing"));
	check("zoomed width", w("rustc_codegen_llvm::alloc_thing"), 1180);
	check("zoomed x", x("rustc_codegen_llvm::alloc_thing"), 10);
	check("zoomed child width",
	      w('<alloc::vec::Vec<T> as Drop>::drop & "co"'), 472);
	report(g("rustc_driver::main").classList.contains("a") &&
	       near(w("rustc_driver::main"), 1180) && shown("rustc_driver::main"),
	       "ancestor greyed and full width");
	report(!shown("app 0.1.0 bin") && !shown("rustc_parse::parse_crate"),
	       "frames outside the zoom hidden");
	report(!document.getElementById("reset").classList.contains("off"),
	       "reset control active");
	rectOf('<alloc::vec::Vec<T> as Drop>::drop & "co"').dispatchEvent(
		new MouseEvent("mouseover", {bubbles: true}));
	var d = document.getElementById("details").textContent;
	report(/1\.000 s CPU, 10\.00% of all, 40\.00% of the zoomed frame/.test(d),
	       "hover details: " + d);

	/* Reset restores the first layout. */
	click(document.getElementById("reset"));
	check("reset width", w("rustc_codegen_llvm::alloc_thing"), 295);
	check("reset parse_crate x", x("rustc_parse::parse_crate"), 305);
	report(shown("app 0.1.0 bin") &&
	       !g("rustc_driver::main").classList.contains("a"),
	       "reset shows everything");

	/* Escape too. */
	click(rectOf("ld::alloc_sections"));
	check("zoom linker frame", w("ld::alloc_sections"), 1180);
	window.dispatchEvent(new KeyboardEvent("keydown",
		{key: "Escape", bubbles: true}));
	check("escape resets", w("ld::alloc_sections"), 236);

	/* Search: regex, any case; a match inside a match counts once
	 * (2.5 s + 2 s, not + 1 s more). */
	check("search share", window.search("ALLOC"), 45, 0.001);
	check("frames highlighted",
	      document.querySelectorAll("#frames g.m").length, 3, 0);
	report(/Matched: 45\.00% of all/.test(
		document.getElementById("matched").textContent),
	       "matched share shown");
	check("highlight colour", getComputedStyle(
		rectOf("ld::alloc_sections")).fill, "rgb(230, 0, 230)");
	check("regex search", window.search("^(rustc_parse|llvm::)"), 30,
	      0.001);
	check("not a regex: substring",
	      window.search("endFunction(llvm::machine"), 15, 0.001);
	check("substring of an escaped name", window.search("drop & \"co"), 10,
	      0.001);
	window.search("");
	check("search cleared", document.querySelectorAll("#frames g.m").length,
	      0, 0);
	/* The UI's control asks with prompt() and calls the same search. */
	window.prompt = function () { return "dwarfdebug"; };
	click(document.getElementById("search"));
	report(/Matched: 15\.00% of all/.test(
		document.getElementById("matched").textContent),
	       "search control: " +
	       document.getElementById("matched").textContent);
	click(document.getElementById("search"));
	check("search control resets",
	      document.querySelectorAll("#frames g.m").length, 0, 0);
}
finish(run);
EOF
chromium_svg flame "$dir/flame.svg" "$dir/flame.js"

# 5000 frames deep (deep recursion in the compiler): the document must
# parse, and the deepest frame render and zoom.
"$make_flame" "$dir/deep.svg" --nodes 5000 --chain 2>/dev/null
cat >"$dir/deep.js" <<'EOF'
finish(function () {
	var F = window.btraceFlame;
	check("deep frames", F.frames.length, 5000, 0);
	var top = F.frames[4999].querySelector("rect");
	check("deepest frame rendered width",
	      top.getBoundingClientRect().width, 1180);
	check("deepest frame below the root (an icicle)",
	      +top.getAttribute("y") -
	      +F.frames[0].querySelector("rect").getAttribute("y"), 4999 * 16, 0);
	check("zoom deepest", F.zoom(F.frames[4999]), 1180);
	report(F.frames[4998].classList.contains("a"), "deep ancestor greyed");
});
EOF
chromium_svg deep "$dir/deep.svg" "$dir/deep.js"
