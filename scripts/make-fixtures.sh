#!/usr/bin/env bash
# Regenerates fixtures/sample (the README's conformant ledger) and fixtures/planted/<clause>/
# (one planted non-conformity per automated Cu-again clause, and one fixture per root cause of
# issue 16 whose expected.yaml lists exactly its one non-conformity and the clauses it leaves
# not evaluated).
# Deterministic: the same generator and seed always give byte-identical files; the test
# SampleGeneratorTests/committedFixturesMatchGenerator fails when the committed ones are stale.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=20240131
if swift run custody sample --help >/dev/null 2>&1; then
  rm -rf fixtures/sample fixtures/planted
  swift run custody sample --out fixtures/sample --receipts 3000 --shipments 2500 --seed "$SEED"
  for kind in out-of-scope-site duplicate-entry-id ineligible-origin supplier-not-passed \
    duplicate-document copper-mismatch pcl-wrong-supplier period-gap missing-conversion-factor \
    overdraft negative-period-close expired-credits stock-difference pcl-wrong-customer \
    missing-document document-mismatch unknown-claim transfer-across-entities wrong-cfp-factor site-overdraft \
    transfer-uncovered \
    unreadable-factor-bound overlapping-suppliers overlapping-factors unreadable-origin \
    missing-supplier-document out-of-scope-claim undocumented-unknown-claim \
    unreadable-concentrate-copper systematic-unknown-claims \
    overlapping-master-windows implausible-receipt withdrawn-certificate late-document \
    pcl-agreement-ended unclaimed-average-cfp residual-not-conserving physical-overdraw; do
    # The folder (planted/<clause id>) is named in the expected.yaml the generator writes.
    tmp="$(mktemp -d)"
    swift run custody sample --out "$tmp" --receipts 600 --shipments 500 --seed "$SEED" --plant "$kind"
    folder="$(sed -n 's/^fixture: //p' "$tmp/expected.yaml")"
    mkdir -p fixtures/planted && rm -rf "fixtures/$folder" && mv "$tmp" "fixtures/$folder"
  done
else
  # Until the CLI wires `custody sample`, the integration test writes the same fixtures.
  CUSTODY_REGENERATE_FIXTURES=1 swift test --filter 'SampleGeneratorTests/committedFixturesMatchGenerator'
fi
echo "fixtures regenerated"
