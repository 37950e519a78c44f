#!/usr/bin/env bash
# End-to-end checks run by .ci/run after the tests:
#  - every shipped standard and rule lints clean, strictly (warnings are errors);
#  - `custody test --coverage` passes: every case, and every automated clause and rule has a
#    failing and a passing case;
#  - a real `validate --format json` report validates against docs/report-schema.json, and two
#    deterministic runs are byte-identical;
#  - the exit codes: 0 conformant, 1 non-conformant, 2 standard does not compile, 3 ledger
#    unreadable, 64 usage;
#  - `custody profile suggest` drafts a profile that validates the movements export as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product custody >/dev/null
BIN="$(swift build --show-bin-path)/custody"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "== lint --strict"
"$BIN" lint --strict standards rules

echo "== test --coverage"
"$BIN" test --coverage > "$TMP/coverage.txt" || { cat "$TMP/coverage.txt"; exit 1; }
tail -1 "$TMP/coverage.txt"

echo "== editor schemas (custody schema) against every shipped YAML file"
python3 -c "import jsonschema, yaml" 2>/dev/null || pip install --quiet jsonschema pyyaml
python3 scripts/check-editor-schemas.py

echo "== JSON report against docs/report-schema.json, twice byte-identical"
for run in 1 2; do
  set +e
  "$BIN" validate --standard standards/cu-again-coc.yaml --ledger fixtures/planted/cua-4.3 \
    --format json --deterministic --output "$TMP/report-$run.json"
  code=$?
  set -e
  [ "$code" -eq 1 ] || { echo "expected exit 1 (non-conformant), got $code"; exit 1; }
done
cmp "$TMP/report-1.json" "$TMP/report-2.json"
python3 - "$TMP/report-1.json" <<'PY'
import json, sys, jsonschema
schema = json.load(open("docs/report-schema.json"))
report = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)
assert report["verdict"] == "non_conformant"
assert [c["id"] for c in report["clauses"] if c["status"] == "non_conformant"] == ["CUA-4.3"], report["clauses"]
print("ok   validate --format json matches the schema")
PY

echo "== exit codes"
expect() { local want=$1; shift; set +e; "$@" >/dev/null 2>&1; local got=$?; set -e
  [ "$got" -eq "$want" ] || { echo "expected exit $want, got $got: $*"; exit 1; }; echo "ok   exit $want: ${*:2:6}"; }
expect 0 "$BIN" validate --standard standards/cu-again-coc.yaml --ledger fixtures/sample
expect 1 "$BIN" validate --standard standards/cu-again-coc.yaml --ledger fixtures/planted/cua-3.4
printf 'standard: broken\n' > "$TMP/broken.yaml"
expect 2 "$BIN" validate --standard "$TMP/broken.yaml" --ledger fixtures/sample
expect 3 "$BIN" validate --standard standards/cu-again-coc.yaml --ledger "$TMP/no-such-ledger"
expect 64 "$BIN" validate --standard standards/cu-again-coc.yaml

echo "== profile suggest (issue 19): a draft for an export, from the command line"
"$BIN" profile suggest Tests/Exports/sample/movements > "$TMP/movements.profile.yaml"
expect 0 "$BIN" validate --standard standards/cu-again-coc.yaml --ledger Tests/Exports/sample/movements \
  --profile "$TMP/movements.profile.yaml"
"$BIN" profile suggest --schema standards/schema/custody-ledger-v1.yaml Tests/Exports/sample/jp-cp932 \
  > "$TMP/jp.profile.yaml"
grep -q '^#? shipments.claim: map .なし.' "$TMP/jp.profile.yaml" || { echo "the なし claim is not listed"; exit 1; }
echo "ok   the draft for the Japanese export lists the claim value it cannot map"
expect 2 "$BIN" profile suggest --schema "$TMP/broken.yaml" Tests/Exports/sample/jp-cp932
expect 3 "$BIN" profile suggest "$TMP/no-such-folder"
echo "end-to-end checks OK"
