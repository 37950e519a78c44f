#!/usr/bin/env bash
# Renders an HTML report (default: the golden planted report) in headless Chromium from
# Debian's packages and checks that it
#   - loads with no console message, no blocked request and no JavaScript error,
#   - has its content in the rendered DOM (verdict, clause table, evidence, balance chart),
#   - draws a non-blank screenshot (PNG) and prints to PDF.
# Also renders a deliberately bad page (a network image and a console error) and expects the
# check to reject it, so the console check is known to work.
# Writes the PNG and PDF to $OUT (default .build/html-check). Non-interactive; exits non-zero
# on any failure. Usage: scripts/check-html.sh [report.html]
set -euo pipefail
cd "$(dirname "$0")/.."

html=${1:-Tests/CustodyReportsTests/Golden/planted.html}
out=${OUT:-.build/html-check}
mkdir -p "$out"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# Runs chromium on $1 with extra flags; the page's console and network errors go to stderr.
run() {
  local page=$1; shift
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --log-level=0 --hide-scrollbars \
    --virtual-time-budget=3000 "$@" "file://$(realpath "$page")"
}

# Console messages, CSP refusals, failed loads and JS errors, filtered from chromium's log.
page_errors() {
  grep -E "CONSOLE|Uncaught|Refused to|net::ERR_|Failed to load|Content Security Policy" "$1" || true
}

echo "== $html: DOM"
run "$html" --dump-dom >"$out/dom.html" 2>"$out/dom.log"
errors=$(page_errors "$out/dom.log")
if [ -n "$errors" ]; then
  echo "FAIL: the page logged errors:"; echo "$errors"; exit 1
fi
for needle in 'NON-CONFORMANT' '<table class="clauses">' 'S-000123' '<svg class="chart"' 'class="failure"' '@media print'; do
  if ! grep -qF "$needle" "$out/dom.html"; then
    echo "FAIL: the rendered DOM lacks $needle"; exit 1
  fi
done
echo "ok   no console errors; verdict, clause table, evidence and chart are in the DOM"

echo "== screenshot and print"
name=$(basename "$html" .html)
rm -f "$out/$name.png" "$out/$name.pdf"
run "$html" --window-size=1200,3400 --screenshot="$out/$name.png" >/dev/null 2>"$out/shot.log"
run "$html" --no-pdf-header-footer --print-to-pdf="$out/$name.pdf" >/dev/null 2>"$out/pdf.log"
python3 - "$out/$name.png" "$out/$name.pdf" <<'PY'
import struct, sys, zlib
png, pdf = sys.argv[1], sys.argv[2]
data = open(png, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"FAIL: {png} is not a PNG")
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
# Distinct byte values across the image: a blank page has a handful, content has many.
distinct = len(set(raw))
if width < 800 or height < 1000 or distinct < 40:
    sys.exit(f"FAIL: {png} looks blank ({width}x{height}, {distinct} distinct byte values)")
print(f"ok   {png}: {width}x{height}, {distinct} distinct byte values")
doc = open(pdf, "rb").read()
pages = doc.count(b"/Type /Page") - doc.count(b"/Type /Pages")
if not doc.startswith(b"%PDF") or pages < 1:
    sys.exit(f"FAIL: {pdf} is not a printed PDF")
print(f"ok   {pdf}: {pages} printed pages")
PY

echo "== the check rejects a bad page"
bad="$profile/bad.html"
cat >"$bad" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head>
<body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script></body></html>
HTML
run "$bad" --dump-dom >/dev/null 2>"$out/bad.log" || true
if [ -z "$(page_errors "$out/bad.log")" ]; then
  echo "FAIL: a page with a console error and a network image passed the check"; exit 1
fi
echo "ok   a page with a console error is rejected"
echo "HTML check OK: $out/$name.png"
