#!/usr/bin/env python3
"""Golden ERP exports (issue 19, acceptance 1), written to Tests/Exports/sample/<style> (from
fixtures/sample, conformant) and Tests/Exports/site-overdraft/<style> (from
fixtures/planted/site-overdraft, non-conformant: findings and evidence to compare); plus
hand-made workbooks (Tests/Exports/workbooks) and the export error corpus (Tests/Exports/errors).

Each style folder is the ledger as another system would hand it over: receipts and
shipments in the export's own form, the other tables as the canonical CSV files. With the
profile of the same name in fixtures/profiles/, each must give the canonical ledger's verdict,
clauses and findings (Tests/CustodyIntegrationTests/ExportGoldenTests.swift).

  sap-de/      German SAP-style CSV: windows-1252, ';', decimal comma, '.' grouping,
               dd.MM.yyyy, gross weight in kg, German headers and origin names
  jp-cp932/    Japanese ERP: cp932, one file per year (入荷実績_2024.csv, ...), yyyy/MM/dd,
               weights in kg with ',' grouping ("113,437"), Japanese headers and values
               (使用済み製品, なし for no claim)
  xlsx/        one workbook, a sheet per table, a title row above the header, Excel dates,
               weights in kg; openpyxl writes floats with 17 significant digits, so some
               cells carry binary-float noise (92.81999999999999), as Excel's own files do
  movements/   one SAP goods-movement file (Bewegungsart 101 receipts, 601 shipments)

Usage (the workbook needs openpyxl; the generated files are committed, tests need no Python):
  python3 -m venv scripts/.venv && scripts/.venv/bin/pip install openpyxl
  scripts/.venv/bin/python scripts/generate-golden-exports.py
"""
import csv
import datetime
import os
import shutil
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "fixtures", "sample")
OUT = os.path.join(ROOT, "Tests", "Exports")
DEST = OUT  # set per source below
OTHER = [
    "sites.csv", "suppliers.csv", "partners.csv", "periods.csv", "conversion_factors.csv",
    "cfp_factors.csv", "documents.csv", "transfers.csv", "stock_counts.csv", "certificates.csv",
]


def read(name):
    with open(os.path.join(SAMPLE, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(text, factor=1, decimal=".", group=""):
    """Exact: the canonical decimal text times factor, written with the export's marks."""
    d = Decimal(text) * factor
    s = format(d.normalize(), "f") if d != 0 else "0"
    whole, _, fraction = s.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    if group:
        parts = []
        while len(whole) > 3:
            parts.insert(0, whole[-3:])
            whole = whole[:-3]
        parts.insert(0, whole)
        whole = group.join(parts)
    return sign + whole + (decimal + fraction if fraction else "")


def day(text):
    return datetime.date.fromisoformat(text)


def folder(name):
    path = os.path.join(DEST, name)
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    for other in OTHER:
        shutil.copy(os.path.join(SAMPLE, other), path)
    return path


def write_csv(path, header, rows, delimiter, encoding, line_end="\r\n"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=line_end)
        w.writerow(header)
        w.writerows(rows)


# --- Hand-made workbooks: every cell kind, and the error corpus (no openpyxl needed) ----------
import zipfile
from xml.sax.saxutils import escape


def xlsx(path, sheets, shared=(), date1904=False, merges=None, compress=zipfile.ZIP_DEFLATED):
    """A minimal valid .xlsx: sheets is [(name, sheetData XML)], written as given."""
    names = "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, (n, _) in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", compress) as z:
        def put(name, text):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, text)
        put("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        pr = ' date1904="1"' if date1904 else ""
        put("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}>'
            f'<workbookPr{pr}/><sheets>{names}</sheets></workbook>')
        put("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        if shared:
            items = "".join(f"<si><t>{escape(t)}</t></si>" for t in shared)
            put("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} '
                f'count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>')
        for i, (_, data) in enumerate(sheets):
            m = f'<mergeCells count="1"><mergeCell ref="{merges}"/></mergeCells>' if merges else ""
            put(f"xl/worksheets/sheet{i + 1}.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<worksheet {ns} {rns}><sheetData>{data}</sheetData>{m}</worksheet>')


def row(r, cells):
    return f'<row r="{r}">' + "".join(cells) + "</row>"


def s(ref, i):
    return f'<c r="{ref}" t="s"><v>{i}</v></c>'


def n(ref, v):
    return f'<c r="{ref}"><v>{v}</v></c>'


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


HEAD = ["entry_id", "date", "site", "supplier", "material", "origin", "pool", "partner",
        "gross_t", "cu_pct", "cu_t", "document_id"]
COLS = "ABCDEFGHIJKL"
shared = HEAD + ["SM1", "SUP-1", "post_consumer", "PCL", "P-1"]


def header(r=1):
    return row(r, [s(f"{COLS[i]}{r}", i) for i in range(len(HEAD))])


def receipt(r, entry, date, gross, cu_t, material, extra=()):
    return row(r, [inline(f"A{r}", entry), date(f"B{r}"), s(f"C{r}", 12), s(f"D{r}", 13),
                   material(f"E{r}"), s(f"F{r}", 14), s(f"G{r}", 15), s(f"H{r}", 16),
                   n(f"I{r}", gross), n(f"J{r}", "96.5"), n(f"K{r}", cu_t),
                   inline(f"L{r}", "D-" + entry)] + list(extra))


books = os.path.join(OUT, "workbooks")
if os.path.exists(books):
    shutil.rmtree(books)
os.makedirs(books)
# Every kind of cell: a title row above the header, shared and inline strings, a text date, an
# exponent number, float noise (row 6), a boolean and an error cell in unmapped columns,
# trailing empty rows with formatting only.
xlsx(os.path.join(books, "cells.xlsx"), [("Receipts", "".join([
    row(1, [inline("A1", "Goods receipts")]),
    header(2),
    receipt(3, "R-1", lambda ref: n(ref, "45306"), "10", "9.65", lambda ref: inline(ref, "銅スクラップ")),
    receipt(4, "R-2", lambda ref: inline(ref, "2024-02-01"), "1.5E-3", "0.0014475",
            lambda ref: inline(ref, "cable"), [f'<c r="M4" t="b"><v>1</v></c>']),
    receipt(5, "R-3", lambda ref: n(ref, "45361"), "2.5", "2", lambda ref: inline(ref, "x"),
            [f'<c r="M5" t="e"><v>#DIV/0!</v></c>']),
    receipt(6, "R-4", lambda ref: n(ref, "45362"), "0.30000000000000004", "0.1",
            lambda ref: inline(ref, "noise")),
    receipt(7, "R-5", lambda ref: n(ref, "45362.5"), "1", "1", lambda ref: inline(ref, "half day")),
    '<row r="8" spans="1:12"/>', '<row r="9"><c r="A9" s="3"/></row>',
])), ("Other", header(1))], shared=shared)
xlsx(os.path.join(books, "dates1904.xlsx"), [("Receipts", header(1) + receipt(
    2, "R-1", lambda ref: n(ref, "43844"), "10", "9.65", lambda ref: inline(ref, "a")))],
    shared=shared, date1904=True)

errors = os.path.join(OUT, "errors")
if os.path.exists(errors):
    shutil.rmtree(errors)


def case(name, profile, expected, files):
    d = os.path.join(errors, name)
    os.makedirs(d)
    with open(os.path.join(d, "profile.yaml"), "w", encoding="utf-8") as f:
        f.write(profile)
    with open(os.path.join(d, "expected"), "w", encoding="utf-8") as f:
        f.write(expected + "\n")
    for fname, make in files.items():
        make(os.path.join(d, fname))
    return d


def data(bytes_):
    def make(path):
        with open(path, "wb") as f:
            f.write(bytes_)
    return make


body = ("entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n"
        "R-1,2024-01-15,SM1,SUP-1,銅スクラップ,post_consumer,PCL,P-1,10,96.5,9.65,D-R1\n")
bad = body.encode("cp932") + "R-2,2024-01-16,SM1,SUP-1,精".encode("cp932") + b"\x81\x20,x\n"
one = "tables: {receipts: {file: %s, encoding: %s}}\n"
case("undecodable_cp932", "profile: e\n" + one % ("r.csv", "cp932"),
     "r.csv:3:27 CUS6023", {"r.csv": data(bad)})
case("utf16_without_bom", "profile: e\n" + one % ("r.csv", "utf-16"),
     "r.csv:1:1 CUS6023", {"r.csv": data(body.encode("utf-16-le"))})
case("glob_matches_nothing", "profile: e\ntables: {receipts: {files: \"入荷実績_*.csv\"}}\n",
     "入荷実績_*.csv:1:1 CUS6003", {"入荷実績.csv": data(body.encode("utf-8"))})
ok_book = lambda path: xlsx(path, [("Receipts", header(1) + receipt(
    2, "R-1", lambda ref: n(ref, "45306"), "10", "9.65", lambda ref: inline(ref, "a")))],
    shared=shared)
case("missing_sheet", "profile: e\ntables: {receipts: {file: book.xlsx, sheet: Reciepts}}\n",
     "book.xlsx:1:1 CUS6024", {"book.xlsx": ok_book})
case("header_row_out_of_range",
     "profile: e\ntables: {receipts: {file: book.xlsx, sheet: Receipts, header_row: 40}}\n",
     "book.xlsx[Receipts]:40:1 CUS6024", {"book.xlsx": ok_book})
case("merged_header_cells",
     "profile: e\ntables: {receipts: {file: book.xlsx, header_row: 2}}\n",
     "book.xlsx[Receipts]:2:2 CUS6024", {"book.xlsx": lambda path: xlsx(path, [(
         "Receipts", row(1, [inline("A1", "title")]) + header(2))], shared=shared, merges="B2:C2")})
# 40 MB of whitespace inside sheetData compresses ~1000:1: past the ratio limit at 16 MiB.
case("zip_bomb", "profile: e\ntables: {receipts: {file: bomb.xlsx}}\n",
     "bomb.xlsx:1:1 CUS6025", {"bomb.xlsx": lambda path: xlsx(path, [(
         "Receipts", header(1) + " " * (40 << 20))], shared=shared)})
case("cell_past_last_column", "profile: e\ntables: {receipts: {file: wide.xlsx}}\n",
     "wide.xlsx[Receipts]:2:16385 CUS6013", {"wide.xlsx": lambda path: xlsx(path, [(
         "Receipts", header(1) + row(2, [n("XFE2", "1")]))], shared=shared)})
case("row_past_last_row", "profile: e\ntables: {receipts: {file: tall.xlsx}}\n",
     "tall.xlsx[Receipts]:1048577:1 CUS6025", {"tall.xlsx": lambda path: xlsx(path, [(
         "Receipts", header(1) + row(1048577, [n("A1048577", "1")]))], shared=shared)})
case("not_a_workbook", "profile: e\ntables: {receipts: {file: book.xlsx}}\n",
     "book.xlsx:1:1 CUS6024", {"book.xlsx": data(body.encode("utf-8"))})


def exports():
    receipts = read("receipts.csv")
    shipments = read("shipments.csv")

    # --- German SAP-style CSV -------------------------------------------------------------------
    HERKUNFT = {"post_consumer": "Altschrott", "pre_consumer": "Neuschrott", "primary": "Primär",
                "same_process": "Kreislaufmaterial", "unknown": "unbekannt"}
    out = folder("sap-de")
    write_csv(
        os.path.join(out, "WE_Wareneingang.csv"),
        ["Materialbeleg", "Buchungsdatum", "Werk", "Lieferant", "Materialkurztext", "Herkunft",
         "Pool", "Partner", "Bruttogewicht kg", "Cu-Gehalt %", "Cu-Menge t", "Lieferschein"],
        [[r["entry_id"], day(r["date"]).strftime("%d.%m.%Y"), r["site"], r["supplier"],
          r["material"], HERKUNFT[r["origin"]], r["pool"], r["partner"],
          number(r["gross_t"], 1000, ",", "."), number(r["cu_pct"], 1, ","),
          number(r["cu_t"], 1, ","), r["document_id"]] for r in receipts],
        ";", "windows-1252")
    write_csv(
        os.path.join(out, "WA_Warenausgang.csv"),
        ["Materialbeleg", "Buchungsdatum", "Werk", "Kunde", "Materialkurztext", "Cu-Menge t",
         "Aussage", "Zertifikat", "CFP kg/t"],
        [[s["entry_id"], day(s["date"]).strftime("%d.%m.%Y"), s["site"], s["customer"],
          s["product"], number(s["cu_t"], 1, ","), s["claim"], s["document_id"],
          number(s["cfp_kg_per_t"], 1, ",")] for s in shipments],
        ";", "windows-1252")

    # --- Japanese ERP, cp932, one file per year --------------------------------------------------
    YURAI = {"post_consumer": "使用済み製品", "pre_consumer": "製造工程くず", "primary": "一次原料",
             "same_process": "同一工程内", "unknown": "不明"}
    out = folder("jp-cp932")
    for year in sorted({r["date"][:4] for r in receipts}):
        write_csv(
            os.path.join(out, f"入荷実績_{year}.csv"),
            ["伝票番号", "入荷日", "拠点", "仕入先", "品目", "由来区分", "プール", "パートナー",
             "総重量(kg)", "銅品位(%)", "銅量(kg)", "送り状番号"],
            [[r["entry_id"], day(r["date"]).strftime("%Y/%m/%d"), r["site"], r["supplier"],
              r["material"], YURAI[r["origin"]], r["pool"], r["partner"],
              number(r["gross_t"], 1000, ".", ","), number(r["cu_pct"]),
              number(r["cu_t"], 1000, ".", ","), r["document_id"]]
             for r in receipts if r["date"][:4] == year],
            ",", "cp932")
    for year in sorted({s["date"][:4] for s in shipments}):
        write_csv(
            os.path.join(out, f"出荷実績_{year}.csv"),
            ["伝票番号", "出荷日", "拠点", "得意先", "製品", "銅量(kg)", "主張", "証明書番号",
             "CFP(kg/t)"],
            [[s["entry_id"], day(s["date"]).strftime("%Y/%m/%d"), s["site"], s["customer"],
              s["product"], number(s["cu_t"], 1000, ".", ","), s["claim"] or "なし",
              s["document_id"], number(s["cfp_kg_per_t"], 1, ".", ",")]
             for s in shipments if s["date"][:4] == year],
            ",", "cp932")

    # --- Combined goods-movement file (SAP MB51-style) ------------------------------------------
    out = folder("movements")
    movements = []
    for r in receipts:
        movements.append((r["date"], 0, ["101", r["entry_id"], r["date"], r["site"], r["supplier"],
                                         r["material"], r["origin"], r["pool"], r["partner"],
                                         r["gross_t"], r["cu_pct"], r["cu_t"], "", r["document_id"],
                                         ""]))
    for s in shipments:
        movements.append((s["date"], 1, ["601", s["entry_id"], s["date"], s["site"], s["customer"],
                                         s["product"], "", "", "", "", "", s["cu_t"], s["claim"],
                                         s["document_id"], s["cfp_kg_per_t"]]))
    movements.sort(key=lambda m: (m[0], m[1]))  # stable: each table keeps its own order
    write_csv(
        os.path.join(out, "Warenbewegungen.csv"),
        ["Bewegungsart", "Materialbeleg", "Buchungsdatum", "Werk", "Geschaeftspartner", "Material",
         "Herkunft", "Pool", "PCL-Partner", "Brutto t", "Cu %", "Cu t", "Aussage", "Beleg",
         "CFP kg/t"],
        [m[2] for m in movements], ";", "utf-8", "\n")

    # --- Excel workbook ---------------------------------------------------------------------------
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise SystemExit("openpyxl is missing: scripts/.venv/bin/pip install openpyxl")

    out = folder("xlsx")
    book = openpyxl.Workbook()


    def sheet(ws, title, header, rows):
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.append([])
        ws.append(header)
        for row in rows:
            ws.append(row)
        for c in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 14
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "dd.mm.yyyy"


    def kg(text):
        """A float only where it round-trips exactly through its shortest repr (Excel's way)."""
        d = Decimal(text) * 1000
        f = float(d)
        assert Decimal(repr(f)) == d, text
        return int(f) if f == int(f) else f


    def plain(text):
        d = Decimal(text)
        f = float(d)
        assert Decimal(repr(f)) == d, text
        return int(f) if f == int(f) else f


    ws = book.active
    ws.title = "入荷"
    sheet(ws, "Wareneingang / Goods receipts 2024-2025",
          ["Beleg", "Datum", "Werk", "Lieferant", "Material", "Herkunft", "Pool", "Partner",
           "Brutto (kg)", "Cu (%)", "Cu (kg)", "Lieferschein"],
          [[r["entry_id"], day(r["date"]), r["site"], r["supplier"], r["material"], r["origin"],
            r["pool"], r["partner"] or None, kg(r["gross_t"]), plain(r["cu_pct"]), kg(r["cu_t"]),
            r["document_id"]] for r in receipts])
    sheet(book.create_sheet("出荷"), "Warenausgang / Shipments 2024-2025",
          ["Beleg", "Datum", "Werk", "Kunde", "Produkt", "Cu (kg)", "Aussage", "Zertifikat",
           "CFP (kg/t)"],
          [[s["entry_id"], day(s["date"]), s["site"], s["customer"], s["product"], kg(s["cu_t"]),
            s["claim"] or None, s["document_id"] or None, plain(s["cfp_kg_per_t"])]
           for s in shipments])
    # Fixed timestamps so the workbook's bytes (and sha256) do not change from run to run.
    book.properties.created = datetime.datetime(2026, 1, 1)
    book.properties.modified = datetime.datetime(2026, 1, 1)
    path = os.path.join(out, "Bestandsbuch.xlsx")
    book.save(path)


# The sample (conformant) and a planted ledger (site-overdraft: non-conformant, with findings
# and evidence to compare), each exported in every style.
for source, name in [("sample", "sample"), (os.path.join("planted", "site-overdraft"), "site-overdraft")]:
    SAMPLE = os.path.join(ROOT, "fixtures", source)
    DEST = os.path.join(OUT, name)
    exports()
print("wrote", OUT)
