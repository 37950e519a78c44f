#!/usr/bin/env python3
"""Writes fixtures/two-period/period-1 (2024) and period-2 (2025) from fixtures/sample, cut at
2025-01-01 (issue 18, CUA-4.7): dated rows go to the period of their date, documents with the
shipment they were issued for, periods by their start; reference tables are copied whole.
Period 2 has no opening_balances table: its openings come from period 1's signed report
(`validate --previous`). Deterministic; rerun after scripts/make-fixtures.sh."""
import csv, os, shutil

ROOT = os.path.join(os.path.dirname(__file__), "..")
SRC = os.path.join(ROOT, "fixtures", "sample")
OUT = os.path.join(ROOT, "fixtures", "two-period")
CUT = "2025-01-01"
DAY_BEFORE_CUT = "2024-12-31"
DATED = {"receipts": "date", "shipments": "date", "transfers": "date", "stock_counts": "date",
         "periods": "start"}

def read(name):
    with open(os.path.join(SRC, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]

def write(folder, name, header, rows):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

shutil.rmtree(OUT, ignore_errors=True)
folders = [os.path.join(OUT, "period-1"), os.path.join(OUT, "period-2")]
shipment_period = {}
for name in sorted(f[:-4] for f in os.listdir(SRC) if f.endswith(".csv")):
    header, rows = read(name)
    if name in DATED:
        col = header.index(DATED[name])
        parts = ([r for r in rows if r[col] < CUT], [r for r in rows if r[col] >= CUT])
        if name == "stock_counts":
            # The count closing period 1 also opens period 2 (CUA-4.8 reads the count on the
            # day before a period as its opening stock).
            parts = (parts[0], [r for r in rows if r[col] >= DAY_BEFORE_CUT])
        if name == "shipments":
            doc = header.index("document_id")
            for i, part in enumerate(parts):
                for r in part:
                    if r[doc]:
                        shipment_period[r[doc]] = i
    elif name == "documents":
        continue
    else:
        parts = (rows, rows)
    for folder, part in zip(folders, parts):
        write(folder, name, header, part)
header, rows = read("documents")
for i, folder in enumerate(folders):
    write(folder, "documents", header, [r for r in rows if shipment_period.get(r[0], 0) == i])
print("wrote", OUT)

# Period 1 with one opening balance and no previous report to prove it: CUA-4.7 on row OB-1
# (the standard's failing test of the clause).
unproven = os.path.join(OUT, "unproven-openings")
shutil.copytree(folders[0], unproven)
write(unproven, "opening_balances", ["opening_id", "site", "pool", "partner", "created", "cu_t"],
      [["OB-1", "SAG", "MR", "", "2023-12-15", "5"]])
