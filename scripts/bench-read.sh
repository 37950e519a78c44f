#!/usr/bin/env bash
# Benchmark for the ledger CSV reader (issue 3, acceptance 3): generates a 1,000,000-row
# canonical receipts.csv, builds custody-bench-read in release mode and reports MB/s (best of
# 3 runs; the figure counts file bytes, including sha256 hashing and cell parsing).
# Usage: scripts/bench-read.sh [ROWS]
set -eo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT

python3 - "$DIR/receipts.csv" "$ROWS" <<'PY'
import random, sys
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(3)
origins = ["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]
pools = {"post_consumer": "PCL", "pre_consumer": "MR", "primary": "NONE", "same_process": "NONE", "unknown": "NONE"}
materials = ["No. 2 copper scrap", "copper concentrate", "chopped cable, insulated", "anode scrap", "blister"]
with open(path, "w", newline="") as f:
    f.write("entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n")
    for i in range(rows):
        origin = rng.choice(origins)
        pool = pools[origin]
        gross = rng.randint(1000, 40_000_000) / 1000
        pct = rng.randint(2000, 99_000) / 1000
        cu = round(gross * pct / 100, 6)
        material = rng.choice(materials)
        if "," in material:
            material = '"' + material + '"'
        partner = f"P-{rng.randint(1, 40)}" if pool == "PCL" else ""
        f.write(f"R-{i:07d},2024-{rng.randint(1,12):02d}-{rng.randint(1,28):02d},SM{rng.randint(1,3)},"
                f"SUP-{rng.randint(1,500):04d},{material},{origin},{pool},{partner},{gross:.3f},{pct:.3f},{cu:.6f},DOC-{i:07d}\n")
PY
ls -l "$DIR/receipts.csv" | awk '{printf "receipts.csv: %.1f MB\n", $5/1e6}'
swift build -c release --product custody-bench-read 2>&1 | tail -1
"$(swift build -c release --show-bin-path)/custody-bench-read" "$DIR" 3
