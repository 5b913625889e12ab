// report.js - report.html's interactions (output/report_html.c): the
// timeline's hover and click, the copy buttons.  The page is whole
// without it; the flame graph has its own script (flame.js).
//
// report_html.c writes this file into a <script> at the end of the body,
// inside "(function () { "use strict"; ... })();", so the DOM is there.
// No "</script" in the code, and the lines that start with // (these
// notes) are left out of the page.
//
// Timeline: each unit is a <g class="bt-unit"> whose data-tip attribute
// holds its details, one per line.  Hover shows them in #bt-tip beside
// the pointer; a click selects the unit (class bt-sel) and puts them in
// #bt-unit-detail, where they stay.
//
// Copy: a button.bt-copy copies the text of the pre.bt-snippet of its
// recommendation (div.bt-rec) with navigator.clipboard; where the clipboard is refused (file:// pages
// in some browsers, no permission) it selects the snippet's text and says
// to press Ctrl-C, so the snippet is always in reach.
// window.btraceReport is what tests drive.
var tip = document.getElementById('bt-tip');
var detail = document.getElementById('bt-unit-detail');
var timeline = document.getElementById('bt-timeline');
var selected = null;
function unitOf(e) {
	for (; e && e !== timeline; e = e.parentNode)
		if (e.classList && e.classList.contains('bt-unit')) return e;
	return null;
}
function select(u) {
	if (selected) selected.classList.remove('bt-sel');
	selected = u === selected ? null : u;
	if (selected) selected.classList.add('bt-sel');
	detail.textContent = selected ? selected.getAttribute('data-tip')
		: 'Click a unit to keep its details here.';
}
if (timeline) {
	timeline.addEventListener('mouseover', function (e) {
		var u = unitOf(e.target);
		if (!u) return;
		tip.textContent = u.getAttribute('data-tip');
		tip.style.display = 'block';
		tip.style.left = Math.min(e.clientX + 14,
			window.innerWidth - tip.offsetWidth - 4) + 'px';
		tip.style.top = (e.clientY + 14) + 'px';
	});
	timeline.addEventListener('mouseout', function (e) {
		if (unitOf(e.target) && !unitOf(e.relatedTarget))
			tip.style.display = 'none';
	});
	timeline.addEventListener('click', function (e) {
		var u = unitOf(e.target);
		if (u) select(u);
	});
}
function shown(btn, pre, ok) {
	var note = btn.nextElementSibling;
	if (ok) {
		btn.textContent = 'Copied';
		note.textContent = '';
		return;
	}
	var range = document.createRange(), sel = window.getSelection();
	range.selectNodeContents(pre);
	sel.removeAllRanges();
	sel.addRange(range);
	pre.classList.add('bt-shown');
	note.textContent = 'The clipboard is not allowed here: the snippet '
		+ 'is selected, press Ctrl-C to copy it.';
}
function copy(btn) {
	var pre = btn.closest('.bt-rec').querySelector('pre.bt-snippet');
	var text = pre.textContent;
	var done = function (ok) { shown(btn, pre, ok); return ok; };
	if (!navigator.clipboard || !navigator.clipboard.writeText)
		return Promise.resolve(done(false));
	return navigator.clipboard.writeText(text).then(function () {
		return done(true);
	}, function () {
		return done(false);
	});
}
Array.prototype.forEach.call(document.querySelectorAll('button.bt-copy'),
	function (b) {
		b.addEventListener('click', function () { copy(b); });
	});
window.btraceReport = { select: select, copy: copy,
	selected: function () { return selected; } };
