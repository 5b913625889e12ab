# chromium.sh - what the browser tests of tests/report share; source it.
#
# Sourcing it finds headless Chromium (Debian's chromium, which
# scripts/deps.sh installs) in $chrome, or exits 77 (skip) after one line
# when there is none (it never installs anything), and makes $dir, a
# temporary directory removed at exit.
#
# chromium_dump NAME FILE: FILE (file://, so the document cannot fetch
#   another) in headless Chromium; the document after its scripts ran
#   into $dir/NAME.dom.  Returns 1 after the browser's log if it failed.
# chromium_svg NAME SVG JS: a copy of SVG with svg_checks.js and JS
#   appended as its last <script> (so they run after the SVG's own script
#   has set up, in the SVG document itself), through chromium_dump; prints
#   every check (<text class="check">), and fails unless all passed.
chrome=
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then
		chrome=$c
		break
	fi
done
if [ -z "$chrome" ]; then
	echo "SKIP: no chromium on PATH (apt-get install chromium)"
	exit 77
fi
chromium_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

chromium_dump() {
	local name=$1 file=$2
	timeout 30 "$chrome" --headless --no-sandbox --disable-gpu \
		--no-first-run --user-data-dir="$dir/profile" \
		--virtual-time-budget=5000 --dump-dom \
		"file://$file" >"$dir/$name.dom" 2>"$dir/$name.log" || {
		echo "FAIL: chromium failed on $name"
		tail -20 "$dir/$name.log"
		return 1
	}
}

chromium_svg() {
	local name=$1 svg=$2 js=$3 checks
	grep -q '^</svg>$' "$svg"
	{
		sed '/^<\/svg>$/d' "$svg"
		echo '<script type="text/ecmascript"><![CDATA['
		cat "$chromium_lib/svg_checks.js" "$js"
		echo ']]></script>'
		echo '</svg>'
	} >"$dir/$name.test.svg"
	chromium_dump "$name" "$dir/$name.test.svg" || return 1
	checks=$(grep -o '<text class="check"[^>]*>[^<]*</text>' \
		"$dir/$name.dom" |
		sed 's/<[^>]*>//g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' ||
		true)
	if [ -z "$checks" ]; then
		echo "FAIL: $name: no test output (the SVG did not load or" \
			"its script failed)"
		head -c 2000 "$dir/$name.dom"
		return 1
	fi
	echo "$checks" | sed "s/^/$name: /"
	echo "$checks" | grep -qx 'ok RESULT PASS'
}
