#!/usr/bin/env python3
"""Writes fixtures/modelled/<name>/: small hand-made ledgers, one planted non-conformity each,
for the modelled standards (issue 18): the Copper Mark CoC clauses the sample ledger cannot
break (it has no Copper Mark claims) and an ASI site with activity but no accounting period.
The standards' `tests:` name each folder with its exact clause and rows.

Deterministic; rerun after changing the ledger schema (a new required table needs a file here).
"""
import copy
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "modelled")

HEADERS = {
    "sites": ["site", "name", "entity", "in_scope"],
    "suppliers": ["supplier", "name", "due_diligence", "valid_from", "valid_to"],
    "partners": ["partner", "name", "agreement", "valid_from", "valid_to", "affiliates"],
    "periods": ["site", "period", "start", "end"],
    "conversion_factors": ["site", "factor", "valid_from", "valid_to", "basis_document"],
    "cfp_factors": ["route", "kg_co2e_per_t", "valid_from", "valid_to"],
    "receipts": ["entry_id", "date", "site", "supplier", "material", "origin", "pool", "partner",
                 "gross_t", "cu_pct", "cu_t", "document_id"],
    "shipments": ["entry_id", "date", "site", "customer", "product", "cu_t", "claim",
                  "document_id", "cfp_kg_per_t"],
    "documents": ["document_id", "issue_date", "recipient", "cu_t", "claim", "model",
                  "certificate"],
    "awards": ["award", "supplier", "site_name", "status", "valid_from", "valid_to"],
}


def receipt(entry, date, supplier, material, origin, pool, gross, pct, cu):
    return {"entry_id": entry, "date": date, "site": "NIB", "supplier": supplier,
            "material": material, "origin": origin, "pool": pool, "gross_t": gross,
            "cu_pct": pct, "cu_t": cu, "document_id": "SD-" + entry[2:]}


def shipment(entry, cu, claim, cfp):
    row = {"entry_id": entry, "date": "2024-03-01", "site": "NIB", "customer": "CUS-01",
           "product": "copper_cathode", "cu_t": cu, "cfp_kg_per_t": cfp}
    if claim:
        row.update(claim=claim, document_id="CD-" + entry[2:])
    return row


def document(entry, cu, claim):
    return {"document_id": "CD-" + entry[2:], "issue_date": "2024-03-01", "recipient": "CUS-01",
            "cu_t": cu, "claim": claim, "model": "mass_balance", "certificate": "CM-CERT-0001"}


# One in-scope site, 2024 in one period, 200 t of concentrate from an awarded mine, 96 t of
# recycled scrap from a dealer without an award; a 60 t Copper Mark claim, a 40 t recycled
# claim of another scheme and 50 t unclaimed. Conformant under the Copper Mark standard.
BASE = {
    "sites": [{"site": "NIB", "name": "Niihama Refinery", "entity": "JXMS", "in_scope": "true"}],
    "suppliers": [
        {"supplier": "MIN-ESC", "name": "Concentrate Mine 1", "due_diligence": "passed",
         "valid_from": "2023-01-01", "valid_to": "2026-12-31"},
        {"supplier": "MR-01", "name": "Scrap Dealer 1", "due_diligence": "passed",
         "valid_from": "2023-01-01", "valid_to": "2026-12-31"},
    ],
    "partners": [{"partner": "KAR", "name": "Kanto Appliance Recycling",
                  "agreement": "CLA-2023-001", "valid_from": "2023-01-01",
                  "valid_to": "2026-12-31", "affiliates": "KAR-ES"}],
    "periods": [{"site": "NIB", "period": "NIB-2024", "start": "2024-01-01", "end": "2024-12-31"}],
    "conversion_factors": [{"site": "NIB", "factor": "1", "valid_from": "2023-01-01",
                            "valid_to": "2026-12-31", "basis_document": "CF-NIB-1"}],
    "cfp_factors": [
        {"route": "recycled", "kg_co2e_per_t": "1180", "valid_from": "2023-01-01",
         "valid_to": "2026-12-31"},
        {"route": "average", "kg_co2e_per_t": "3450", "valid_from": "2023-01-01",
         "valid_to": "2026-12-31"},
    ],
    "receipts": [
        receipt("R-000001", "2024-02-01", "MIN-ESC", "copper_concentrate", "primary", "NONE",
                "400", "25", "100"),
        receipt("R-000002", "2024-02-01", "MR-01", "no1_copper_scrap", "post_consumer", "MR",
                "100", "96", "96"),
        receipt("R-000003", "2024-03-01", "MIN-ESC", "copper_concentrate", "primary", "NONE",
                "400", "25", "100"),
    ],
    "shipments": [
        shipment("S-000001", "60", "CopperMark/mb", "3450"),
        shipment("S-000002", "40", "MR100/mb", "1180"),
        shipment("S-000003", "50", None, "3450"),
    ],
    "documents": [document("S-000001", "60", "CopperMark/mb"),
                  document("S-000002", "40", "MR100/mb")],
    "awards": [{"award": "CMA-0001", "supplier": "MIN-ESC", "site_name": "Mine 1 concentrator",
                "status": "awarded", "valid_from": "2023-01-01", "valid_to": "2025-12-31"}],
}


def variant(change):
    ledger = copy.deepcopy(BASE)
    change(ledger)
    return ledger


def award_too_long(l):
    l["awards"][0]["valid_to"] = "2026-06-30"


def factor_late(l):
    # No factor on 2024-02-01: R-000001 is Copper Mark input without a factor (R-000003 still
    # covers the claim).
    l["conversion_factors"][0]["valid_from"] = "2024-03-01"


def claim_on_unawarded_scrap(l):
    # 250 t claimed against 200 t of awarded input: MR-01's scrap has no award.
    l["shipments"][0]["cu_t"] = "250"
    l["documents"][0]["cu_t"] = "250"


def document_missing(l):
    del l["documents"][0]


def document_differs(l):
    l["documents"][0]["cu_t"] = "61"


def asi_site_without_period(l):
    # The ASI base: no Copper Mark claim (ASI does not know it).
    l["shipments"][0].pop("claim")
    l["shipments"][0].pop("document_id")
    del l["documents"][0]
    l["awards"] = []
    l["sites"].append({"site": "KAM", "name": "Kamioka Works", "entity": "JXMS",
                       "in_scope": "true"})
    r = receipt("R-000004", "2024-04-01", "MIN-ESC", "copper_concentrate", "primary", "NONE",
                "200", "25", "50")
    r["site"] = "KAM"
    l["receipts"].append(r)
    s = shipment("S-000004", "30", None, "3450")
    s.update(site="KAM", date="2024-05-01")
    l["shipments"].append(s)


FIXTURES = {
    "coppermark-base": lambda l: None,
    "coppermark-award-too-long": award_too_long,
    "coppermark-input-without-factor": factor_late,
    "coppermark-claim-on-unawarded-input": claim_on_unawarded_scrap,
    "coppermark-document-missing": document_missing,
    "coppermark-document-differs": document_differs,
    "asi-site-without-period": asi_site_without_period,
}


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for name, change in FIXTURES.items():
        folder = os.path.join(OUT, name)
        os.makedirs(folder)
        ledger = variant(change)
        for table, header in HEADERS.items():
            with open(os.path.join(folder, table + ".csv"), "w", newline="") as f:
                f.write(",".join(header) + "\n")
                for row in ledger[table]:
                    f.write(",".join(row.get(c, "") for c in header) + "\n")
    print("wrote", len(FIXTURES), "ledgers to fixtures/modelled")


main()
