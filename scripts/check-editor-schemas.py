#!/usr/bin/env python3
"""Checks docs/schemas/*.schema.json (what `custody schema` prints for editors) against the
shipped YAML: every standard, rule, book and ledger schema validates, and a wrong file is
rejected with a message naming the bad key. Run by scripts/check-end-to-end.sh."""
import glob, json, os, sys
import yaml, jsonschema

ROOT = os.path.join(os.path.dirname(__file__), "..")
schemas = {name: json.load(open(os.path.join(ROOT, "docs", "schemas", f"{name}.schema.json")))
           for name in ["standard", "rule", "book", "ledger-schema", "profile"]}

class Loader(yaml.SafeLoader):
    pass
# YAML 1.1 would turn 2024-01-01 into a date object; custody reads dates as text.
Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}

def kind(doc):
    for key, name in [("standard", "standard"), ("rule", "rule"), ("book", "book"),
                      ("schema", "ledger-schema"), ("profile", "profile")]:
        if isinstance(doc, dict) and key in doc:
            return name
    return None

files = sorted(glob.glob(os.path.join(ROOT, "standards", "**", "*.yaml"), recursive=True)
               + glob.glob(os.path.join(ROOT, "rules", "**", "*.yaml"), recursive=True))
failures = 0
for path in files:
    doc = yaml.load(open(path), Loader=Loader)
    name = kind(doc)
    if name is None:
        print(f"FAIL {path}: not a custody format"); failures += 1; continue
    errors = list(jsonschema.Draft7Validator(schemas[name]).iter_errors(doc))
    for e in errors:
        print(f"FAIL {os.path.relpath(path, ROOT)}: {'/'.join(map(str, e.path))}: {e.message}")
    failures += bool(errors)
print(f"ok   {len(files) - failures} of {len(files)} shipped YAML files match their editor schema")

wrong = {"rule": "copper-content", "title": "t", "chek": {"kind": "row"}}
errors = list(jsonschema.Draft7Validator(schemas["rule"]).iter_errors(wrong))
messages = [e.message for e in errors]
if not any("chek" in m for m in messages):
    print("FAIL a rule with a misspelt key was not rejected by name:", messages); failures += 1
else:
    print("ok   a wrong rule is rejected:", next(m for m in messages if "chek" in m))
sys.exit(1 if failures else 0)
