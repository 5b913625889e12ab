// flame.js - the flame graph's interactions (output/flame_svg.c): hover
// details, click to zoom, search.  The picture is right without it.
//
// flame_svg.c writes this file into the SVG's <script> inside a CDATA
// section, within "(function () { "use strict"; var W, X0, CW ... })();"
// where W is the frames' width in pixels, X0 their left edge and CW the
// width of a label's character.  So: no "]]>" in the code (a test checks),
// and the lines that start with // (these notes) are left out of the SVG.
//
// The layout comes from the SVG: frames are one flat list of <g class="f">
// in preorder, each with its value in microseconds ("v") and its parent's
// index in the list ("p"); the first child of a frame is its <title>, the
// second its <rect>, then its label's <text> if one fits.
// window.search and window.btraceFlame are what the UI calls and what
// tests drive without a prompt dialog.
var NS = 'http://www.w3.org/2000/svg', doc = document;
var frames = doc.getElementById('frames');
var details = doc.getElementById('details');
var resetBtn = doc.getElementById('reset');
var searchBtn = doc.getElementById('search');
var matchedEl = doc.getElementById('matched');
var list = Array.prototype.slice.call(
	frames.querySelectorAll('g.f'));
var root = list[0], zoomed = null, term = '';
var HINT = 'Click a frame to zoom, Esc or Reset Zoom to go back; '
	+ 'Search or Ctrl-F highlights frames by name';
function isFrame(e) { return e && e._v !== undefined; }
// Values, names and offsets from the DOM, in document order, which is the
// tree's preorder: a parent is read before its children, and _end is the
// last frame of a frame's subtree.
list.forEach(function (g, i) {
	var t = g.firstElementChild, r = t.nextElementSibling;
	var p = g.getAttribute('p'), s = t.textContent;
	var k = s.lastIndexOf(' (');
	g._i = g._end = i;
	g._p = p === null || !(+p < i) ? null : list[+p];
	g._v = +g.getAttribute('v');
	g._n = k >= 0 ? s.slice(0, k) : s;
	g._r = r;
	g._y = +r.getAttribute('y');
	g._l = r.nextElementSibling;
	if (g._l && g._l.localName !== 'text') g._l = null;
	g._c = 0;
	g._x = g._p ? g._p._x + g._p._c : 0;
	if (g._p) g._p._c += g._v;
});
for (var i = list.length - 1; i > 0; i--) {
	var p = list[i]._p;
	if (p && p._end < list[i]._end) p._end = list[i]._end;
}
function inside(g, z) { return g._i >= z._i && g._i <= z._end; }
function fmt(us) {
	if (us >= 1e6) return (us / 1e6).toFixed(3) + ' s';
	if (us >= 1e3) return (us / 1e3).toFixed(1) + ' ms';
	return us + ' us';
}
function pct(a, b) {
	return (b > 0 ? 100 * a / b : 0).toFixed(2) + '%';
}
// Same fitting as the C side: whole characters, ".." when cut.
function cut(s, n) {
	var cs = Array.from(s);
	if (cs.length <= n) return s;
	return cs.slice(0, Math.max(n - 2, 0)).join('') + '..';
}
function place(g, x, w) {
	var fit = Math.floor((w - 6) / CW), l = g._l;
	var s = fit >= 3 ? cut(g._n, fit) : '';
	g._r.setAttribute('x', x.toFixed(2));
	g._r.setAttribute('width', w.toFixed(2));
	if (!l) {
		if (!s) return;
		l = g._l = doc.createElementNS(NS, 'text');
		l.setAttribute('y', (g._y + 11.5).toFixed(1));
		g.insertBefore(l, g._r.nextSibling);
	}
	l.setAttribute('x', (x + 3).toFixed(2));
	l.textContent = s;
}
function idle() {
	details.textContent = zoomed ? 'Zoomed: ' + describe(zoomed)
		: HINT;
}
// Z full width with its subtree scaled; its ancestors full width and
// greyed; everything else hidden.
function zoom(z) {
	if (!isFrame(z)) return 0;
	var k = W / z._v, a;
	zoomed = z === root ? null : z;
	for (a = z._p; a; a = a._p) a._anc = true;
	list.forEach(function (g) {
		var inz = inside(g, z);
		g.classList.toggle('a', !!g._anc);
		g.classList.toggle('h', !inz && !g._anc);
		if (inz) place(g, X0 + (g._x - z._x) * k, g._v * k);
		else if (g._anc) place(g, X0, W);
	});
	for (a = z._p; a; a = a._p) a._anc = false;
	resetBtn.classList.toggle('off', !zoomed);
	idle();
	return +z._r.getAttribute('width');
}
function reset() { return zoom(root); }
function describe(g) {
	var s = ': ' + fmt(g._v) + ' CPU, ' + pct(g._v, root._v)
		+ ' of all';
	if (zoomed && inside(g, zoomed))
		s += ', ' + pct(g._v, zoomed._v)
			+ ' of the zoomed frame';
	var room = Math.floor(W / CW) - s.length - 8;
	return cut(g._n, Math.max(room, 20)) + s;
}
// Regex, any case; text that is no valid regex is matched as a substring
// ("Vec<u8>::push(" is a fine thing to search for).
function search(t) {
	term = t ? String(t) : '';
	var re = null, low = term.toLowerCase(), sum = 0, n = 0;
	try { re = new RegExp(term, 'i'); } catch (e) { re = null; }
	list.forEach(function (g) {
		var p = g._p;
		var hit = term !== '' && (re ? re.test(g._n)
			: g._n.toLowerCase().indexOf(low) >= 0);
		g._in = !!p && (p._in || p._hit);
		g._hit = hit;
		g.classList.toggle('m', hit);
		if (hit) n++;
		// A match inside a match is CPU already counted.
		if (hit && !g._in) sum += g._v;
	});
	var share = root._v > 0 ? 100 * sum / root._v : 0;
	matchedEl.textContent = !term ? '' : 'Matched: '
		+ share.toFixed(2) + '% of all (' + fmt(sum) + ', '
		+ n + ' frames)';
	searchBtn.textContent = term ? 'Reset Search' : 'Search';
	return share;
}
function ask() {
	var t = window.prompt('Search frames (regular expression or '
		+ 'text, any case):', term);
	if (t !== null) search(t);
}
function frameOf(e) {
	for (; e && e !== frames; e = e.parentNode)
		if (isFrame(e)) return e;
	return null;
}
frames.addEventListener('click', function (e) {
	var g = frameOf(e.target);
	if (g) zoom(g);
});
frames.addEventListener('mouseover', function (e) {
	var g = frameOf(e.target);
	if (g) details.textContent = describe(g);
});
frames.addEventListener('mouseout', idle);
resetBtn.addEventListener('click', reset);
searchBtn.addEventListener('click', function () {
	if (term) search(''); else ask();
});
window.addEventListener('keydown', function (e) {
	if (e.key === 'Escape') {
		reset();
		search('');
	} else if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
		e.preventDefault();
		ask();
	}
});
idle();
window.search = search;
window.btraceFlame = { zoom: zoom, reset: reset, search: search,
	frames: list, root: root,
	find: function (name) {
		return list.filter(function (g) {
			return g._n === name;
		})[0] || null;
	} };
