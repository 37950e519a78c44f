#!/usr/bin/env bash
# One-command performance benchmark (issue 9, docs/performance.md):
#   Benchmarks/run.sh            1M rows (500k receipts + 500k shipments) and 10M rows
#   Benchmarks/run.sh --quick    1M rows only
# Builds custody in release mode, generates the ledgers with `custody sample`, times
# `custody validate` (full Cu-again standard, JSON report written) and DuckDB running the
# equivalent checks as SQL on the same files in the same run, and prints both times, the
# ratio, and peak memory (max RSS). Needs python3; installs duckdb from PyPI when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CUSTODY_BENCH_DATA:-Benchmarks/.data}"
SIZES=("500000")
[ "${1:-}" = "--quick" ] || SIZES+=("5000000")

swift build -c release --product custody >/dev/null
BIN="$(swift build -c release --show-bin-path)/custody"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
mkdir -p "$DATA"

measure() { # prints "seconds maxrss_kb" for the command
  local out; out=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1 )
  echo "$out"
}

printf "%-10s %-10s %10s %10s %8s %12s %12s\n" rows tool seconds duckdb_s ratio custody_MB duckdb_MB
for half in "${SIZES[@]}"; do
  rows=$((half * 2))
  dir="$DATA/ledger-$rows"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    "$BIN" sample --out "$dir" --receipts "$half" --shipments "$half" --seed 9 2>/dev/null
    touch "$dir/.complete"
  fi
  # Warm the page cache once so both tools read from memory.
  cat "$dir"/*.csv >/dev/null
  best_c=""; mem_c=""
  for _ in 1 2 3; do
    read -r t m < <(measure "$BIN" validate --standard standards/cu-again-coc.yaml --ledger "$dir" \
      --format json --output "$DATA/report-$rows.json" --deterministic || true)
    if [ -z "$best_c" ] || awk "BEGIN{exit !($t < $best_c)}"; then best_c=$t; mem_c=$m; fi
  done
  best_d=""; mem_d=""
  for _ in 1 2 3; do
    read -r t m < <(measure python3 Benchmarks/duckdb_checks.py "$dir")
    if [ -z "$best_d" ] || awk "BEGIN{exit !($t < $best_d)}"; then best_d=$t; mem_d=$m; fi
  done
  ratio=$(awk "BEGIN{printf \"%.2f\", $best_c / $best_d}")
  printf "%-10s %-10s %10s %10s %8s %12d %12d\n" "$rows" custody "$best_c" "$best_d" "$ratio" $((mem_c / 1024)) $((mem_d / 1024))
done
echo "(best of 3; ratio = custody / duckdb, below 1 means custody is faster; MB = peak RSS)"
