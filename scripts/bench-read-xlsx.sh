#!/usr/bin/env bash
# Benchmark for reading an .xlsx workbook (issue 19, acceptance 4): the receipts of
# scripts/bench-read.sh (default 1,000,000 rows) written as one sheet with openpyxl (write-only
# mode; into scripts/.venv, git-ignored), then read by custody-bench-read in release mode (best
# of 3; MB/s counts the workbook's compressed bytes, rows/s the rows).
# Usage: scripts/bench-read-xlsx.sh [ROWS]
set -eo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
[ -x scripts/.venv/bin/python ] || python3 -m venv scripts/.venv
scripts/.venv/bin/python -c "import openpyxl" 2>/dev/null || scripts/.venv/bin/pip install -q openpyxl

scripts/.venv/bin/python - "$DIR/receipts.xlsx" "$ROWS" <<'PY'
import datetime, random, sys
import openpyxl
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(3)
origins = ["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]
pools = {"post_consumer": "PCL", "pre_consumer": "MR", "primary": "NONE", "same_process": "NONE", "unknown": "NONE"}
materials = ["No. 2 copper scrap", "copper concentrate", "chopped cable, insulated", "anode scrap", "blister"]
book = openpyxl.Workbook(write_only=True)
ws = book.create_sheet("receipts")
ws.append(["entry_id", "date", "site", "supplier", "material", "origin", "pool", "partner", "gross_t", "cu_pct", "cu_t", "document_id"])
for i in range(rows):
    origin = rng.choice(origins)
    pool = pools[origin]
    gross = rng.randint(1000, 40_000_000) / 1000
    pct = rng.randint(2000, 99_000) / 1000
    cu = round(gross * pct / 100, 6)
    partner = f"P-{rng.randint(1, 40)}" if pool == "PCL" else None
    ws.append([f"R-{i:07d}", datetime.date(2024, rng.randint(1, 12), rng.randint(1, 28)), f"SM{rng.randint(1, 3)}",
               f"SUP-{rng.randint(1, 500):04d}", rng.choice(materials), origin, pool, partner, gross, pct, cu, f"DOC-{i:07d}"])
book.save(path)
PY
ls -l "$DIR/receipts.xlsx" | awk '{printf "receipts.xlsx: %.1f MB\n", $5/1e6}'
swift build -c release --product custody-bench-read 2>&1 | tail -1
"$(swift build -c release --show-bin-path)/custody-bench-read" "$DIR" 3 xlsx
