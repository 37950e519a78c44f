#!/usr/bin/env bash
# Validates the golden report outputs against their schemas:
#   Golden/planted.json       against docs/report-schema.json (JSON Schema 2020-12, with formats)
#   Golden/planted.sarif      against Schemas/sarif-schema-2.1.0.json (OASIS SARIF 2.1.0)
#   Golden/planted.junit.xml  against Schemas/JUnit.xsd (Apache Ant / Jenkins JUnit schema)
# and checks that each validator rejects a broken copy, so a check that cannot fail is caught.
# Installs python3-jsonschema (pip) and xmllint (Debian libxml2-utils) when absent.
# Non-interactive; exits non-zero on any failure. Run from anywhere: scripts/check-report-formats.sh
set -euo pipefail
cd "$(dirname "$0")/.."

golden=Tests/CustodyReportsTests/Golden
schemas=Tests/CustodyReportsTests/Schemas

if ! python3 -c "import jsonschema" >/dev/null 2>&1; then
  echo "installing jsonschema (pip)"
  python3 -m pip install --quiet jsonschema || python3 -m pip install --quiet --break-system-packages jsonschema
fi
if ! command -v xmllint >/dev/null 2>&1; then
  echo "installing libxml2-utils (xmllint)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libxml2-utils >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q libxml2-utils; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== JSON report: $golden/planted.json against docs/report-schema.json"
echo "== SARIF: $golden/planted.sarif against $schemas/sarif-schema-2.1.0.json"
python3 - "$golden" "$schemas" <<'PY'
import copy, json, sys
import jsonschema

golden, schemas = sys.argv[1], sys.argv[2]

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def errors(schema, instance):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))

failed = False
def check(name, schema, instance, broken):
    global failed
    found = errors(schema, instance)
    for e in found:
        print(f"  {name}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}")
    if found:
        failed = True
        print(f"FAIL {name}: {len(found)} schema errors")
    else:
        print(f"ok   {name}")
    if not errors(schema, broken):
        failed = True
        print(f"FAIL {name}: the validator accepted a deliberately broken copy")

report_schema = load("docs/report-schema.json")
report = load(f"{golden}/planted.json")
broken = copy.deepcopy(report)
del broken["findings"][0]["evidence"][0]["line"]
broken["accounts"][0]["steps"][0]["balance"] = "1e3"
check("planted.json", report_schema, report, broken)

sarif_schema = load(f"{schemas}/sarif-schema-2.1.0.json")
sarif = load(f"{golden}/planted.sarif")
broken = copy.deepcopy(sarif)
broken["runs"][0]["results"][0]["level"] = "fatal"
check("planted.sarif", sarif_schema, sarif, broken)
sys.exit(1 if failed else 0)
PY

echo "== JUnit: $golden/planted.junit.xml against $schemas/JUnit.xsd"
xmllint --noout --schema "$schemas/JUnit.xsd" "$golden/planted.junit.xml"
# A testcase without its required classname must be rejected.
sed '0,/ classname="[^"]*"/s/ classname="[^"]*"//' "$golden/planted.junit.xml" >"$work/broken.xml"
if xmllint --noout --schema "$schemas/JUnit.xsd" "$work/broken.xml" >/dev/null 2>&1; then
  echo "FAIL planted.junit.xml: xmllint accepted a testcase without classname"
  exit 1
fi
echo "ok   planted.junit.xml (and a broken copy is rejected)"

echo "report formats OK"
