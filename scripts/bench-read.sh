#!/usr/bin/env bash
# Benchmark for the ledger CSV reader (issue 3, acceptance 3): generates a 1,000,000-row
# canonical receipts.csv, builds custody-bench-read in release mode and reports MB/s (best of
# 3 runs; the figure counts file bytes, including sha256 hashing and cell parsing).
# With ENCODING (issue 19, e.g. cp932), the rows carry Japanese material names and are read
# twice: the same text as UTF-8, then encoded in ENCODING and decoded while read.
# Usage: scripts/bench-read.sh [ROWS] [ENCODING]
set -eo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
ENCODING="${2:-}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT

python3 - "$DIR/receipts.csv" "$ROWS" "$ENCODING" <<'PY'
import random, sys
path, rows, encoding = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(3)
origins = ["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]
pools = {"post_consumer": "PCL", "pre_consumer": "MR", "primary": "NONE", "same_process": "NONE", "unknown": "NONE"}
materials = ["No. 2 copper scrap", "copper concentrate", "chopped cable, insulated", "anode scrap", "blister"]
if encoding:
    materials = ["銅スクラップ2号", "銅精鉱", "被覆電線、破砕", "アノードスクラップ", "粗銅"]
with open(path, "w", newline="", encoding="utf-8") as f:
    f.write("entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n")
    for i in range(rows):
        origin = rng.choice(origins)
        pool = pools[origin]
        gross = rng.randint(1000, 40_000_000) / 1000
        pct = rng.randint(2000, 99_000) / 1000
        cu = round(gross * pct / 100, 6)
        material = rng.choice(materials)
        if "," in material or "、" in material:
            material = '"' + material + '"'
        partner = f"P-{rng.randint(1, 40)}" if pool == "PCL" else ""
        f.write(f"R-{i:07d},2024-{rng.randint(1,12):02d}-{rng.randint(1,28):02d},SM{rng.randint(1,3)},"
                f"SUP-{rng.randint(1,500):04d},{material},{origin},{pool},{partner},{gross:.3f},{pct:.3f},{cu:.6f},DOC-{i:07d}\n")
PY
ls -l "$DIR/receipts.csv" | awk '{printf "receipts.csv: %.1f MB\n", $5/1e6}'
swift build -c release --product custody-bench-read 2>&1 | tail -1
BIN="$(swift build -c release --show-bin-path)/custody-bench-read"
"$BIN" "$DIR" 3
if [ -n "$ENCODING" ]; then
  python3 -c "import sys; t=open(sys.argv[1], encoding='utf-8').read(); open(sys.argv[1], 'w', encoding=sys.argv[2], newline='').write(t)" "$DIR/receipts.csv" "$ENCODING"
  ls -l "$DIR/receipts.csv" | awk -v e="$ENCODING" '{printf "receipts.csv in %s: %.1f MB\n", e, $5/1e6}'
  "$BIN" "$DIR" 3 "$ENCODING"
fi
