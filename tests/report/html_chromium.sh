#!/usr/bin/env bash
# html_chromium.sh BTRACE TRACE_TAR - report.html in a real browser.
#
# TRACE_TAR is the golden test's cli-app trace (a real clean cargo build,
# 89 units, with recommendations; tests/golden/README.md), btrace report
# makes its report.html, and the checks go into a copy of
# it: a first <script> at the top of <head> that records every error and
# console.error of the page's own scripts, and a last one before </body>
# that drives the page with DOM events and the window.btraceReport and
# window.btraceFlame hooks.  Each check is one <li class="check">;
# headless Chromium's --dump-dom prints the document after the scripts
# (and their promises) ran, and this script reads the verdicts back.
#
# The copy button is checked three ways, on three recommendations: with
# the browser's clipboard as it is (the snippet is then on the clipboard,
# read back, or shown and selected where the clipboard is refused), with
# a clipboard that refuses (shown and selected), and with one that
# accepts (given exactly the snippet).
#
# Needs Debian's chromium (scripts/deps.sh installs it); exits 77 (skip)
# when there is none.  Never installs anything itself.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)

btrace=$1 tar=$2
# $chrome (or skip), $dir (removed at exit)
source "$(dirname "$0")/chromium.sh"

tar -C "$dir" -xJf "$tar"
"$btrace" report -q -o "$dir/report" "$dir/cli-app" 2>"$dir/report.err"
html=$dir/report/report.html
# Nothing outside the file: no URL but the links to the other outputs.
if grep -Eo '(src|href)="[^"#][^"]*"' "$html" | grep -Ev \
	'href="(summary\.txt|summary\.json|trace\.json|flame\.svg|stacks\.folded)"'; then
	echo "FAIL: report.html refers to something outside itself"
	exit 1
fi
if grep -Eiq 'https?://' <(sed 's|http://www.w3.org/2000/svg||g' "$html"); then
	echo "FAIL: report.html names a URL"
	exit 1
fi
units=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["units"]))' \
	"$dir/report/summary.json")
snippets=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["recommendations"]))' \
	"$dir/report/summary.json")
echo "units: $units, recommendations: $snippets"
[ "$snippets" -gt 0 ] || {
	echo "FAIL: the test trace has no recommendation: the copy button is untested"
	exit 1
}

cat >"$dir/early.js" <<'EOF'
window.__errors = [];
window.addEventListener("error", function (e) {
	window.__errors.push(String(e.message));
});
(function () {
	var ce = console.error;
	console.error = function () {
		window.__errors.push(Array.prototype.join.call(arguments, " "));
		return ce.apply(console, arguments);
	};
})();
EOF

# The checks.
checks_js() {
	cat <<EOF
var UNITS = $units;
EOF
	cat <<'EOF'
var failed = 0, out = document.createElement("ul");
out.id = "checks";
document.body.appendChild(out);
function report(ok, what) {
	var li = document.createElement("li");
	li.className = "check";
	/* one line each: this script reads them back with grep */
	li.textContent = (ok ? "ok " : "FAIL ") + String(what).replace(/\n/g, "\\n");
	out.appendChild(li);
	if (!ok) failed++;
}
function check(what, got, want) {
	report(got === want, what + ": got " + got + ", want " + want);
}
function ev(el, type, x, y) {
	el.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: x || 0,
		clientY: y || 0}));
}
async function copyCheck(MODE, rec) {
	var btn = rec.querySelector("button.bt-copy");
	var pre = rec.querySelector("pre.bt-snippet");
	report(pre.textContent.length > 0, MODE + ": snippet: " +
	       pre.textContent.split("\n")[0]);
	var given = null;
	if (MODE !== "real") {
		Object.defineProperty(navigator, "clipboard", {configurable: true,
			value: {writeText: function (t) {
				given = t;
				return MODE === "allow" ? Promise.resolve()
					: Promise.reject(new Error("denied"));
			}}});
	}
	window.getSelection().removeAllRanges();
	ev(btn, "click");
	await new Promise(function (r) { setTimeout(r, 300); });
	var sel = String(window.getSelection());
	var note = btn.nextElementSibling.textContent;
	/* the browser's text of a selected <pre> may drop its last line
	 * break: compare without the blanks at the ends */
	var shownOk = sel.trim() === pre.textContent.trim() &&
		sel.trim() !== "" && /Ctrl-C/.test(note);
	if (MODE === "deny") {
		check("refused clipboard: given the snippet", given, pre.textContent);
		report(shownOk, "refused clipboard: snippet selected and shown: " +
		       note);
	} else if (MODE === "allow") {
		check("clipboard given the snippet", given, pre.textContent);
		check("button says so", btn.textContent, "Copied");
		check("nothing selected", sel, "");
	} else if (btn.textContent === "Copied") {
		var back = null;
		try { back = await navigator.clipboard.readText(); } catch (e) {}
		report(back === null || back === pre.textContent,
		       "real clipboard: copied, read back " + back);
	} else {
		report(shownOk, "real clipboard refused: snippet selected and " +
		       "shown: " + note);
	}
}
async function run() {
	var R = window.btraceReport, F = window.btraceFlame;
	report(!!R && !!F, "hooks of both scripts exist");
	/* The timeline: one bar (a unit's group) per unit. */
	var units = document.querySelectorAll("#bt-timeline g.bt-unit");
	check("timeline bars", units.length, UNITS);
	var drawn = 0;
	units.forEach(function (u) {
		if (u.querySelector("rect").getBoundingClientRect().width > 0)
			drawn++;
	});
	check("bars with a rendered width", drawn, UNITS);
	/* Hover shows the unit's details beside the pointer. */
	var u = units[Math.floor(UNITS / 2)], tip = document.getElementById("bt-tip");
	ev(u.querySelector("rect"), "mouseover", 100, 100);
	check("hover shows the tip", getComputedStyle(tip).display, "block");
	check("tip is the unit's details", tip.textContent,
	      u.getAttribute("data-tip"));
	report(/wall [0-9.]+ s, CPU [0-9.]+ s/.test(tip.textContent) &&
	       /debuginfo|build-script-run/.test(tip.textContent),
	       "tip has numbers and flags: " + tip.textContent.split("\n")[1]);
	ev(u.querySelector("rect"), "mouseout", 0, 0);
	check("the tip goes away", getComputedStyle(tip).display, "none");
	/* Click keeps them, a second click lets go. */
	ev(u.querySelector("text"), "click");
	report(u.classList.contains("bt-sel") && R.selected() === u,
	       "click selects the unit");
	check("details kept", document.getElementById("bt-unit-detail").textContent,
	      u.getAttribute("data-tip"));
	ev(u.querySelector("rect"), "click");
	report(!u.classList.contains("bt-sel") && R.selected() === null,
	       "second click lets go");
	/* The inline flame graph zooms on a click, as flame.svg does. */
	var g = F.frames[1], before = +g._r.getAttribute("width");
	ev(g._r, "click");
	report(+g._r.getAttribute("width") > before - 0.01 &&
	       Math.abs(+g._r.getAttribute("width") - 1180) < 0.5,
	       "flame frame zooms to full width");
	F.reset();
	/* The copy button, on three recommendations in turn: the
	 * browser's clipboard as it is, then one that refuses, then one
	 * that accepts. */
	var recs = document.querySelectorAll(".bt-rec");
	report(recs.length >= 3, "three recommendations to copy from");
	var modes = ["real", "deny", "allow"];
	for (var k = 0; k < modes.length && k < recs.length; k++)
		await copyCheck(modes[k], recs[k]);
	check("no console errors", window.__errors.join("; "), "");
}
run().catch(function (e) { report(false, "exception: " + e); })
	.then(function () {
		report(true, failed ? "RESULT FAIL" : "RESULT PASS");
	});
EOF
}

rc=0
for mode in page; do
	{
		sed -n '1,/<head>/p' "$html"
		printf '<script>\n'
		cat "$dir/early.js"
		printf '</script>\n'
		sed -n '/<head>/,$p' "$html" | sed '1d; /^<\/body>$/,$d'
		printf '<script>\n'
		checks_js "$mode"
		printf '</script>\n</body>\n</html>\n'
	} >"$dir/report/$mode.html"
	timeout 60 "$chrome" --headless --no-sandbox --disable-gpu \
		--no-first-run --user-data-dir="$dir/profile" \
		--enable-logging=stderr --v=0 \
		--virtual-time-budget=5000 --dump-dom \
		"file://$dir/report/$mode.html" >"$dir/$mode.dom" \
		2>"$dir/$mode.log" || {
		echo "FAIL: chromium failed on $mode"
		tail -20 "$dir/$mode.log"
		rc=1
		continue
	}
	checks=$(grep -o '<li class="check">[^<]*</li>' "$dir/$mode.dom" |
		sed 's/<[^>]*>//g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' ||
		true)
	if [ -z "$checks" ]; then
		echo "FAIL: $mode: no test output (the page did not load or" \
			"its script failed)"
		grep -i 'console\|error' "$dir/$mode.log" | head -20
		rc=1
		continue
	fi
	echo "$checks" | sed "s/^/$mode: /"
	echo "$checks" | grep -qx 'ok RESULT PASS' || rc=1
	# What the page's scripts logged as errors, as Chromium saw them.
	if grep -E 'CONSOLE.*(Uncaught|Error)' "$dir/$mode.log"; then
		echo "FAIL: $mode: console errors"
		rc=1
	fi
done
exit $rc
