#!/usr/bin/env bash
# Findings in bulk (issue 16, semantics 8): a ledger where most shipments break a rule (the
# systematic export error of a first submission) against the clean ledger of the same size.
# Target: at most 1.5x the clean ledger's time and no more memory.
#
#   scripts/bench-bulk-findings.sh [RECEIPTS] [SHIPMENTS] [RUNS]   default 500000 500000 3
#
# Needs a release build: swift build -c release --product custody (or CUSTODY=path/to/custody).
# Prints one line per ledger: the best and median wall time of RUNS runs of
# `custody validate --format json --deterministic --output /dev/null`, and the peak RSS
# (GNU time's maximum resident set size) of the best run.
set -euo pipefail
cd "$(dirname "$0")/.."
RECEIPTS="${1:-500000}"
SHIPMENTS="${2:-500000}"
RUNS="${3:-3}"
CUSTODY="${CUSTODY:-.build/release/custody}"
DATA=Benchmarks/.data/bulk-$RECEIPTS-$SHIPMENTS
[ -x "$CUSTODY" ] || { echo "no $CUSTODY: build it with swift build -c release --product custody"; exit 2; }

KINDS=(clean systematic-unknown-claims every-claim-unknown)
for kind in clean systematic-unknown-claims; do
  if [ ! -f "$DATA/$kind/shipments.csv" ]; then
    plant=()
    [ "$kind" != clean ] && plant=(--plant "$kind")
    "$CUSTODY" sample --out "$DATA/$kind" --receipts "$RECEIPTS" --shipments "$SHIPMENTS" "${plant[@]}" >/dev/null
  fi
done

# every-claim-unknown: the clean ledger with every shipment's claim exported as REC50/mb (the
# issue's case: most shipments break four rules), documents and all else unchanged.
if [ ! -f "$DATA/every-claim-unknown/shipments.csv" ]; then
  mkdir -p "$DATA/every-claim-unknown"
  cp "$DATA/clean"/*.csv "$DATA/every-claim-unknown/"
  col=$(head -1 "$DATA/clean/shipments.csv" | tr ',' '\n' | grep -n '^claim$' | cut -d: -f1)
  awk -F, -v OFS=, -v c="$col" 'NR > 1 { $c = "REC50/mb" } { print }' "$DATA/clean/shipments.csv" \
    >"$DATA/every-claim-unknown/shipments.csv"
fi

# The ledgers alternate run by run, so a shared machine's load falls on both alike.
declare -A times best best_rss
for kind in "${KINDS[@]}"; do times[$kind]=""; best[$kind]=999999; best_rss[$kind]=0; done
for _ in $(seq "$RUNS"); do
  for kind in "${KINDS[@]}"; do
    # Exit 1 (non-conformant) is expected for the planted ledger.
    /usr/bin/time -o "$DATA/time.txt" -f "%e %M" "$CUSTODY" validate \
      --standard standards/cu-again-coc.yaml --ledger "$DATA/$kind" --format json \
      --deterministic --output /dev/null 2>/dev/null || true
    out=$(tail -1 "$DATA/time.txt")
    t=${out% *}
    rss=${out#* }
    times[$kind]="${times[$kind]} $t"
    if awk "BEGIN {exit !($t < ${best[$kind]})}"; then best[$kind]=$t; best_rss[$kind]=$rss; fi
  done
done
for kind in "${KINDS[@]}"; do
  median=$(printf "%s\n" ${times[$kind]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rows=$(cat "$DATA/$kind"/*.csv | wc -l)
  echo "$kind: $rows lines, best ${best[$kind]} s, median $median s of $RUNS, peak RSS $((${best_rss[$kind]} / 1024)) MB (runs:${times[$kind]})"
done
