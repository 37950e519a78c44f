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

measure() { # prints "seconds maxrss_kb cpu_seconds" for the command
  # -o: time's own report must not go where the command's stderr goes (it is discarded).
  local f; f=$(mktemp)
  /usr/bin/time -o "$f" -f "%e %M %U %S" "$@" >/dev/null 2>/dev/null || true
  tail -1 "$f" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
  rm -f "$f"
}

printf "%-10s %10s %10s %8s %12s %12s %10s %10s\n" rows custody_s duckdb_s ratio custody_MB duckdb_MB custody_cpu duckdb_cpu
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
  # The two tools alternate, so a slow spell of the machine (a shared VM) hits both alike.
  best_c=""; mem_c=""; cpu_c=""; best_d=""; mem_d=""; cpu_d=""
  for _ in 1 2 3; do
    read -r t m c < <(measure "$BIN" validate --standard standards/cu-again-coc.yaml --ledger "$dir" \
      --format json --output "$DATA/report-$rows.json" --deterministic)
    if [ -z "$best_c" ] || awk "BEGIN{exit !($t < $best_c)}"; then best_c=$t; mem_c=$m; cpu_c=$c; fi
    read -r t m c < <(measure python3 Benchmarks/duckdb_checks.py "$dir")
    if [ -z "$best_d" ] || awk "BEGIN{exit !($t < $best_d)}"; then best_d=$t; mem_d=$m; cpu_d=$c; fi
  done
  ratio=$(awk "BEGIN{printf \"%.2f\", $best_c / $best_d}")
  printf "%-10s %10s %10s %8s %12d %12d %10s %10s\n" "$rows" "$best_c" "$best_d" "$ratio" $((mem_c / 1024)) $((mem_d / 1024)) "$cpu_c" "$cpu_d"
done
echo "(best of 3 wall-clock runs per tool, alternating; ratio = custody / duckdb, below 1 means custody is faster;"
echo " MB = peak RSS; cpu = user + system seconds of that run, less sensitive to other load)"
uptime
