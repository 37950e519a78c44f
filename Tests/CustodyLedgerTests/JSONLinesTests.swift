import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

@Suite struct JSONLinesTests {
  @Test func objectsReadExactlyWithProvenance() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    TestLedger.write(
      folder, "receipts.jsonl",
      """
      {"entry_id": "R-1", "date": "2024-01-15", "site": "SM1", "supplier": "SUP-1", "material": "scrap", "origin": "post_consumer", "pool": "PCL", "gross_t": 10.1, "cu_pct": "96.5", "cu_t": 0.1, "note": "x", "document_id": "D1"}

      {"entry_id": "R-2", "date": "2024-01-16", "site": "SM1", "supplier": "SUP-1", "material": "scrap", "origin": "primary", "pool": "NONE", "gross_t": 1e3, "cu_pct": 1, "cu_t": {"v": 1}, "extra": [1, 2], "document_id": "D2"}
      {"cu_t": 3.000001, "entry_id": "R-\\u00e9", "date": "2024-01-17", "site": "SM1", "supplier": "SUP-1", "material": "m", "origin": "primary", "pool": "NONE", "gross_t": 4, "cu_pct": 75, "document_id": null}

      """)
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    var rows: [LedgerRow] = []
    try ledger.read(table: "receipts") { rows.append($0) }
    #expect(rows.map(\.line) == [1, 3, 4])
    #expect(rows.map(\.entryID) == ["R-1", "R-2", "R-é"])
    #expect(rows[0].values[8] == .decimal(ExactDecimal(mantissa: 101, scale: 1)))
    #expect(rows[0].values[10] == .decimal(ExactDecimal(mantissa: 1, scale: 1)))
    #expect(rows[2].values[10] == .decimal(ExactDecimal(mantissa: 3_000_001, scale: 6)))
    #expect(rows[2].values[11] == .null)
    let errors = ledger.cellErrors.map {
      "\($0.provenance.line):\($0.provenance.column ?? 0) \($0.provenance.columnName ?? "") \($0.code.id) '\($0.raw)'"
    }
    #expect(
      errors == [
        // document_id is optional: its null on line 4 is no error.
        "3:8 gross_t CUS7002 '1e3'", "3:10 cu_t CUS7010 ''",
      ])
    #expect(ledger.cellErrors.first?.message.contains("exponent") == true)
    #expect(ledger.files.first?.extraColumns == ["note", "extra"])
    #expect(ledger.files.first?.rows == 3)
  }
}

@Suite struct InspectTests {
  @Test func summaryOfTheValidLedger() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(
      folder, "shipments.csv",
      "entry_id,date,site,customer,product,cu_t,claim,document_id,cfp_kg_per_t\n"
        + "S-1,2024-03-20,SM1,W,cathode,5,PCL100/mb,DOC-1,1200\nS-2,2024-13-01,SM1,W,cathode,x,,,1\nS-3,2024-01-02,SM1,W,cathode,1,,,1\n"
    )
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    let summary = try ledger.inspect()
    #expect(summary.tables.map(\.name) == CanonicalSchema.v1.tables.map(\.name))
    let receipts = try #require(summary.tables.first { $0.name == "receipts" })
    #expect(receipts.format == "csv")
    #expect(receipts.file.rows == 3)
    #expect(receipts.file.sha256.count == 64)
    #expect(
      receipts.dateRanges.map { "\($0.column) \($0.min)..\($0.max)" } == [
        "date 2024-01-15..2024-03-09"
      ])
    let shipments = try #require(summary.tables.first { $0.name == "shipments" })
    #expect(
      shipments.dateRanges.map { "\($0.column) \($0.min)..\($0.max)" } == [
        "date 2024-01-02..2024-03-20"
      ])
    #expect(shipments.cellErrors == ["CUS7002": 1, "CUS7006": 1])
    #expect(
      summary.cellErrorsByCode.map { "\($0.code.id)=\($0.count)" } == ["CUS7002=1", "CUS7006=1"])
    #expect(summary.tables.first { $0.name == "transfers" }?.format == "absent")
    #expect(summary.tables.first { $0.name == "transfers" }?.file.absent == true)
  }
}
