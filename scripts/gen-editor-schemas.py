#!/usr/bin/env python3
"""Writes docs/schemas/*.schema.json: JSON Schemas for custody's YAML formats, for editors with
a YAML language server (docs/editing.md). `custody schema` prints the same text; a test checks
that the two agree and that every shipped YAML file validates."""
import json, os, sys

ROOT = os.path.join(os.path.dirname(__file__), "..")
ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
EXPR = {"type": "string", "minLength": 1, "maxLength": 4000,
        "description": "An expression (docs/rule-language.md#expressions)."}
DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}
SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}
VALUE = {"anyOf": [SCALAR, {"type": "array", "items": SCALAR}]}

def obj(props, required=(), description=None):
    o = {"type": "object", "properties": props, "additionalProperties": False}
    if required: o["required"] = list(required)
    if description: o["description"] = description
    return o

param_decl = obj({
    "type": {"enum": ["integer", "decimal", "string", "boolean", "date", "enum", "list", "duration"]},
    "unit": {"type": "string"},
    "values": {"type": "array", "items": {"type": "string"}},
    "default": VALUE,
    "optional": {"type": "boolean", "description": "null (~) is a meaningful value; otherwise a null default or binding is an error"},
    "description": {"type": "string"},
    "min": {"type": ["number", "string"]},
    "max": {"type": ["number", "string"]},
}, ["type"], "A typed parameter with an optional default.")
params = {"type": "object", "additionalProperties": param_decl}

column = obj({
    "name": {"type": "string", "pattern": ID},
    "type": {"enum": ["string", "decimal", "integer", "date", "boolean", "enum", "list"]},
    "unit": {"type": "string"}, "scale": {"type": "integer", "minimum": 0, "maximum": 24},
    "min": {"type": ["number", "string"]},
    "values": {"type": "array", "items": {"type": "string"}},
    "separator": {"type": "string", "minLength": 1, "maxLength": 1},
    "required": {"type": "boolean"}, "description": {"type": "string"},
}, ["name", "type"])
table = obj({
    "name": {"type": "string", "pattern": ID}, "file": {"type": "string"},
    "optional": {"type": "boolean"}, "key": {"type": "array", "items": {"type": "string"}},
    "entry_id": {"type": "string"},
    "valid": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
    "description": {"type": "string"},
    "columns": {"type": "array", "items": column},
}, ["name"])
schema_file = obj({
    "schema": {"type": "string", "pattern": ID}, "version": {"type": ["string", "number"]},
    "title": {"type": "string"}, "description": {"type": "string"},
    "extends": {"type": "string"}, "tables": {"type": "array", "items": table},
}, ["schema", "tables"], "A custody ledger schema.")

periods = obj({"table": {"type": "string"}, "group": {"type": "string"}, "start": {"type": "string"},
               "end": {"type": "string"}, "id": {"type": "string"}}, ["table", "group", "start", "end"])
expr_list = {"oneOf": [EXPR, {"type": "array", "items": EXPR}]}
check = {
    "type": "object", "required": ["kind"],
    "properties": {
        "kind": {"enum": ["row", "unique", "reference", "aggregate", "period_coverage", "mass_balance"]},
        "table": {"type": "string"}, "where": EXPR, "assert": EXPR, "key": expr_list,
        "across": {"type": "array", "items": obj({"table": {"type": "string"}, "key": expr_list, "where": EXPR}, ["table", "key"])},
        "target": {"type": "string"}, "target_key": {"type": "array", "items": {"type": "string"}},
        "at": EXPR, "group_by": {"type": "object", "additionalProperties": EXPR},
        "per_period": obj({"periods": {"type": "string"}, "group": EXPR, "date": EXPR}),
        "compute": {"type": "object", "additionalProperties": EXPR},
        "also": {"type": "array", "items": obj({"table": {"type": "string"}, "where": EXPR, "compute": {"type": "object", "additionalProperties": EXPR}}, ["table", "compute"])},
        "periods": periods, "max_months": {"type": ["integer", "string"]}, "contiguous": {"type": "boolean"},
        "entries": {"type": "array", "items": obj({"table": {"type": "string"}, "group": EXPR, "date": EXPR, "where": EXPR}, ["table", "group", "date"])},
        "book": {"type": "string"}, "book_params": {"type": "object"},
        "mode": {"enum": ["continuous", "period_end", "expiry", "percentage", "transfer_cover"]},
        "tolerance": {"type": ["number", "string"]},
        "keep": {"enum": ["first"]},
    },
    "additionalProperties": False,
}
test_case = obj({
    "name": {"type": "string"}, "params": {"type": "object"},
    "given": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}},
    "ledger": {"type": "string"},
    "expect": {"oneOf": [{"enum": ["pass", "fail", "error", "skipped"]}, {"type": "object"}]},
}, ["name", "expect"])
rule_file = obj({
    "rule": {"type": "string", "pattern": ID}, "title": {"type": "string"},
    "description": {"type": "string"}, "params": params,
    "requires": {"type": "array", "items": {"type": "string"}},
    "unless_failing": {"type": "array", "items": {"type": "string"}},
    "effective_from": DATE, "effective_until": DATE,
    "check": check, "message": {"type": "string"},
    "tests": {"type": "array", "items": test_case},
}, ["rule", "title", "check"], "A custody rule.")

source = obj({"table": {"type": "string"}, "label": {"type": "string"}, "where": EXPR,
              "exclude_failing": {"type": "array", "items": {"type": "string"}},
              "unless_failing": {"type": "array", "items": {"type": "string"}},
              "date": EXPR, "account": {"type": "array", "items": {"type": ["string", "null"]}},
              "amount": EXPR,
              "copper": {**EXPR, "description": "On a credit source: the copper behind a row's credits (the statement's credited copper)."},
              "factor": {**EXPR, "description": "On a credit source: the factor that turned the copper into credits (shown in the statement)."}},
             ["table", "date", "account", "amount"])
transfer = obj({"table": {"type": "string"}, "label": {"type": "string"}, "where": EXPR, "date": EXPR,
                "unless_failing": {"type": "array", "items": {"type": "string"}},
                "from": {"type": "array", "items": {"type": ["string", "null"]}},
                "to": {"type": "array", "items": {"type": ["string", "null"]}}, "amount": EXPR},
               ["table", "date", "from", "to", "amount"])
book_file = obj({
    "book": {"type": "string", "pattern": ID}, "title": {"type": "string"}, "description": {"type": "string"},
    "params": params, "account": {"type": "array", "items": {"type": "string"}},
    "same_day": {"enum": ["credits_first", "debits_first"]},
    "lifetime_months": {"type": ["integer", "string", "null"]},
    "credits": {"type": "array", "items": source}, "debits": {"type": "array", "items": source},
    "transfers": {"type": "array", "items": transfer}, "opening": source,
    "input_totals": {"type": "array", "items": source}, "output_totals": {"type": "array", "items": source},
}, ["book", "account"], "A credit book for mass_balance checks.")

binding = {"oneOf": [{"type": "string"}, obj({"rule": {"type": "string"}, "with": {"type": "object"}}, ["rule"])]}
clause = obj({
    "id": {"type": "string"}, "title": {"type": "string"}, "requirement": {"type": "string"},
    "severity": {"enum": ["major", "minor", "observation"]},
    "evidence": {"enum": ["documentary", "ledger"]},
    "provenance": {"enum": ["modelled", "inferred", "in_house"]},
    "references": {"type": "array", "items": {"type": "string"}},
    "effective_from": DATE, "effective_until": DATE,
    "rules": {"type": "array", "items": binding}, "note": {"type": "string"},
}, ["id", "title", "requirement", "severity"])
section = obj({"id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
               "clauses": {"type": "array", "items": clause}}, ["id", "title", "clauses"])
reference = obj({"id": {"type": "string"}, "title": {"type": "string"}, "locator": {"type": "string"},
                 "provenance": {"enum": ["modelled", "inferred", "in_house"]}, "url": {"type": "string"}}, ["id", "title"])
std_test = obj({"name": {"type": "string"}, "ledger": {"type": "string"}, "params": {"type": "object"},
                "given": {"type": "object"}, "expect": {"type": "object"}}, ["name", "expect"])
standard_file = obj({
    "standard": {"type": "string", "pattern": ID}, "title": {"type": "string"},
    "version": {"type": ["string", "number"]}, "description": {"type": "string"},
    "effective_from": DATE, "effective_until": DATE,
    "schema": {"type": "string"}, "records_clause": {"type": "string"},
    "severity_labels": {"type": "object", "description": "Display names of the severity levels (e.g. Copper Mark's does not meet / partially meets).", "properties": {k: {"type": "string", "minLength": 1} for k in ("major", "minor", "observation")}, "additionalProperties": False},
    "rules": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "references": {"type": "array", "items": reference}, "parameters": params,
    "sections": {"type": "array", "items": section}, "tests": {"type": "array", "items": std_test},
}, ["standard", "title", "version", "schema", "sections"], "A custody chain-of-custody standard.")

ENCODING = {"enum": ["utf-8", "utf8", "cp932", "shift_jis", "shift-jis", "sjis", "windows-31j", "ms932",
                     "euc-jp", "eucjp", "windows-1252", "cp1252", "latin-1", "latin1", "iso-8859-1",
                     "utf-16", "utf16"]}
THOUSANDS = {"enum": [",", ".", " ", "'", "space", "apostrophe", "none", ""]}
table_map = obj({
    "file": {"type": "string"}, "format": {"enum": ["csv", "jsonl"]},
    "delimiter": {"type": "string", "minLength": 1, "maxLength": 1},
    # A header name, or a derived column: an expression of the table's other columns (issue 19).
    "columns": {"type": "object", "additionalProperties": {"oneOf": [
        {"type": "string"},
        obj({"expr": {"type": "string", "minLength": 1}, "round": {"oneOf": [{"type": "boolean"}, {"enum": [
            "half_even", "half_up", "down", "up", "floor", "ceiling"]}]}}, ["expr"],
            "A derived column: a number computed per row with the rule language.")]}},
    "units": {"type": "object", "additionalProperties": {"enum": ["t", "kg", "lb"]}},
    "constants": {"type": "object", "additionalProperties": SCALAR},
    "values": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}}},
    "date_format": {"type": "string"}, "decimal_comma": {"type": "boolean"},
    # Issue 19: what ERP systems export.
    "files": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
    "encoding": ENCODING, "thousands_separator": THOUSANDS,
    "thousands_separators": {"type": "object", "additionalProperties": THOUSANDS},
    "sheet": {"type": "string"}, "header_row": {"type": "integer", "minimum": 1, "maximum": 1048576},
    "round": {"type": "boolean"},
    "where": {"type": "object", "minProperties": 1, "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}},
})
profile_file = obj({
    "profile": {"type": "string", "pattern": ID}, "title": {"type": "string"}, "description": {"type": "string"},
    "delimiter": {"type": "string", "minLength": 1, "maxLength": 1},
    "date_format": {"type": "string"}, "decimal_comma": {"type": "boolean"},
    "encoding": ENCODING, "thousands_separator": THOUSANDS, "round": {"type": "boolean"},
    "tables": {"type": "object", "additionalProperties": table_map},
}, ["profile"], "A mapping profile from another system's export to a custody ledger schema.")

out = {"standard": standard_file, "rule": rule_file, "book": book_file, "ledger-schema": schema_file, "profile": profile_file}
for name, s in out.items():
    s = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": f"https://custody.dev/schemas/{name}.schema.json", "title": s.pop("description", name), **s}
    with open(os.path.join(ROOT, "docs", "schemas", f"{name}.schema.json"), "w") as f:
        json.dump(s, f, indent=2)
        f.write("\n")
print("wrote", ", ".join(out))

# The same text embedded for `custody schema` (a test checks the two agree).
swift = ["// Generated by scripts/gen-editor-schemas.py; do not edit.", "", "/// JSON Schemas for custody's YAML formats, keyed by format name.", "public enum EditorSchemas {", "  public static let all: [(name: String, json: String)] = ["]
for name in out:
    text = open(os.path.join(ROOT, "docs", "schemas", f"{name}.schema.json")).read()
    swift.append(f'    ("{name}", #"""\n{text}\n"""#),')
swift += ["  ]", "}", ""]
open(os.path.join(ROOT, "Sources", "CustodyAuthoring", "EditorSchemas+Generated.swift"), "w").write("\n".join(swift))
