/* svg_checks.js - the helpers of the checks that chromium.sh's
 * chromium_svg appends to an SVG (flame.svg, diff.svg) before the test's
 * own script: each check is one <text class="check">, "ok ..." or
 * "FAIL ...", and finish() ends with "RESULT PASS" or "RESULT FAIL".
 * Then the flame graph's frames (flame.svg and diff.svg share its UI):
 * by name, their rect's drawn width and x, shown or not, and a click. */
var NS = "http://www.w3.org/2000/svg", failed = 0, y = 20;
function report(ok, what) {
	var t = document.createElementNS(NS, "text");
	t.setAttribute("class", "check");
	t.setAttribute("x", "300");
	t.setAttribute("y", String(y += 12));
	t.textContent = (ok ? "ok " : "FAIL ") + what;
	document.documentElement.appendChild(t);
	if (!ok) failed++;
}
function near(a, b, eps) { return Math.abs(a - b) <= (eps || 0.5); }
function check(what, got, want, eps) {
	var ok = typeof want === "number" ? near(+got, want, eps) : got === want;
	report(ok, what + ": got " + got + ", want " + want);
}
function finish(run) {
	try {
		run();
	} catch (e) {
		report(false, "exception: " + e);
	}
	report(true, failed ? "RESULT FAIL" : "RESULT PASS");
}
function g(name) { return window.btraceFlame.find(name); }
function rectOf(name) { return g(name).querySelector("rect"); }
function w(name) { return +rectOf(name).getAttribute("width"); }
function x(name) { return +rectOf(name).getAttribute("x"); }
function shown(name) {
	return rectOf(name).getBoundingClientRect().width > 0;
}
function click(el) {
	el.dispatchEvent(new MouseEvent("click", {bubbles: true}));
}
