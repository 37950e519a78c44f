#!/usr/bin/env bash
# Generates 1,000 rule files (row, reference, unique and aggregate checks with lookups and
# parameters) and a standard binding them all in 100 clauses, then times compiling them in a
# release build. Target: under 200 ms. A measurement, not a test.
# Uses `custody lint` when the CLI has it, else the custody-bench-compile helper.
# Usage: scripts/bench-compile.sh [N_RULES]   (BENCH_DIR=folder keeps the generated files)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
if [ -n "${BENCH_DIR:-}" ]; then
  dir=$BENCH_DIR   # kept afterwards, for profiling
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir/rules" "$dir/schema"
cp standards/schema/custody-ledger-v1.yaml "$dir/schema/ledger.yaml"

for i in $(seq 1 "$n"); do
  case $((i % 4)) in
    0) check="  kind: row
  table: receipts
  where: pool in [\"PCL\", \"MR\"] and suppliers[supplier @ date]?.due_diligence == \"passed\"
  assert: abs(gross_t * cu_pct / 100 - cu_t) <= \$tolerance_t and cu_t * conversion_factors[site @ date].factor >= 0" ;;
    1) check="  kind: reference
  table: receipts
  where: pool != \"NONE\"
  key: [supplier]
  target: suppliers
  at: date
  assert: ref.due_diligence == \"passed\" and cu_t <= \$tolerance_t * 1000000" ;;
    2) check="  kind: unique
  table: receipts
  where: cu_t > \$tolerance_t
  key: [document_id]" ;;
    3) check="  kind: aggregate
  table: shipments
  where: claim != \"none\"
  group_by: {site: site, month: month(date)}
  compute: {total: sum(cu_t), n: count()}
  assert: total >= \$tolerance_t and n >= 0" ;;
  esac
  cat > "$dir/rules/rule-$i.yaml" <<RULE
rule: rule-$i
title: Generated rule $i
params:
  tolerance_t: {type: decimal, unit: t, default: 0.001}
check:
$check
message: "entry {site} breaks generated rule $i"
tests:
  - {name: empty, given: {receipts: []}, expect: pass}
RULE
done

{
  cat <<HEAD
standard: bench
title: Generated benchmark standard
version: "1"
schema: schema/ledger.yaml
rules: [rules]
parameters:
  tolerance_t: {type: decimal, unit: t, default: 0.001}
sections:
  - id: S
    title: All
    clauses:
HEAD
  for c in $(seq 0 $(((n - 1) / 10))); do
    echo "      - id: C-$c"
    echo "        title: Clause $c"
    echo "        requirement: Generated."
    echo "        severity: minor"
    echo "        rules:"
    for k in $(seq 1 10); do
      i=$((c * 10 + k))
      [ "$i" -le "$n" ] && echo "          - {rule: rule-$i, with: {tolerance_t: \$tolerance_t}}"
    done
  done
} > "$dir/standard.yaml"

echo "generated $n rules in $dir"
swift build -c release --product custody-bench-compile >/dev/null
if [ -x .build/release/custody ] && .build/release/custody lint --help >/dev/null 2>&1; then
  for run in 1 2 3; do
    start=$(date +%s%N)
    .build/release/custody lint "$dir" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo "custody lint run $run: $(((end - start) / 1000000)) ms (process start included)"
  done
fi
.build/release/custody-bench-compile "$dir" 5
