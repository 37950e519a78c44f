import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// Cell errors do not stop the run: each becomes a CellError with exact provenance, and the
/// row still reaches the body with the bad column in `invalidColumns`.
@Suite struct CellErrorTests {
  static let header =
    "entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n"

  func read(_ receipts: String) throws -> (rows: [LedgerRow], errors: [String]) {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(folder, "receipts.csv", receipts)
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    var rows: [LedgerRow] = []
    try ledger.read(table: "receipts") { rows.append($0) }
    try ledger.read(table: "receipts") { _ in }  // a second read adds no duplicate errors
    let errors = ledger.cellErrors.map { e in
      let p = e.provenance
      return
        "\((p.file as NSString).lastPathComponent):\(p.line):\(p.column.map(String.init) ?? "-") \(p.columnName ?? "-") \(p.entryID ?? "-") \(e.code.id) '\(e.raw)'"
    }
    return (rows, errors)
  }

  @Test func everyKindOfCellError() throws {
    let text =
      CellErrorTests.header
      + "R-1,2024-01-15,SM1,SUP-1,\"scrap\nwith note\",post_consumer,PCL,P-1,1e3,96.5,9.65,D1\n"  // lines 2-3
      + "R-2,2024-02-30,SM1,SUP-2,ore,primary,NONE,,100,25,25,D2\n"  // 4: bad date
      + "R-3,2024-03-09,SM1,SUP-1,cable,post_consumr,MR,,2.5,80,-2,D3\n"  // 5: enum, negative
      + "R-4,2024-03-10,,SUP-1,cable,primary,MR,,2.5,80,2.0000001,D4\n"  // 6: empty required, scale
      // 7: NaN, short row (document_id is optional: the short row leaves it null, no error)
      + "R-5,2024-03-11,SM1,SUP-1,cable,primary,MR,,NaN,80\n"
    let (rows, errors) = try read(text)
    #expect(rows.map(\.line) == [2, 4, 5, 6, 7])
    #expect(rows.map(\.entryID) == ["R-1", "R-2", "R-3", "R-4", "R-5"])
    #expect(rows.map(\.invalidColumns) == [[8], [1], [5, 10], [2, 10], [8, 10]])
    #expect(rows[0][4] == .string("scrap\nwith note"))
    #expect(
      errors == [
        "receipts.csv:3:9 gross_t R-1 CUS7002 '1e3'",
        "receipts.csv:4:2 date R-2 CUS7006 '2024-02-30'",
        "receipts.csv:5:6 origin R-3 CUS7008 'post_consumr'",
        "receipts.csv:5:11 cu_t R-3 CUS7004 '-2'",
        "receipts.csv:6:3 site R-4 CUS7001 ''",
        "receipts.csv:6:11 cu_t R-4 CUS7003 '2.0000001'",
        "receipts.csv:7:9 gross_t R-5 CUS7002 'NaN'",
        "receipts.csv:7:11 cu_t R-5 CUS7001 ''",
        "receipts.csv:7:- - R-5 CUS7009 ''",
      ])
  }

  @Test func suggestionForEnumTypo() throws {
    let (_, _) = try read(CellErrorTests.header)
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(
      folder, "receipts.csv",
      CellErrorTests.header + "R-9,2024-01-01,SM1,S,m,post_consumr,PCL,,1,1,1,D9\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    try ledger.read(table: "receipts") { _ in }
    #expect(ledger.cellErrors.first?.message.hasSuffix("did you mean 'post_consumer'?") == true)
  }
}

@Suite struct CellErrorLimitTests {
  @Test func keepsTheFirstErrorsAndCountsThemAll() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    var text = CellErrorTests.header
    for i in 1...5 { text += "R-\(i),2024-01-0\(i),SM1,S,m,primary,NONE,,x\(i),1,1,D\(i)\n" }
    TestLedger.write(folder, "receipts.csv", text)
    var options = LedgerOpenOptions()
    options.limits.maxCellErrors = 2
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, options: options)
    let summary = try ledger.inspect()
    #expect(ledger.cellErrors.map(\.raw) == ["x1", "x2"])
    #expect(ledger.cellErrorCounts["receipts"] == [.notANumber: 5])
    #expect(summary.tables.first { $0.name == "receipts" }?.cellErrors == ["CUS7002": 5])
    #expect(summary.cellErrorsByCode.map { "\($0.code.id)=\($0.count)" } == ["CUS7002=5"])
  }

  @Test func listColumnsSplitOnTheirSeparator() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(
      folder, "partners.csv",
      "partner,agreement,valid_from,valid_to,affiliates\nP-1,AG,2024-01-01,2024-12-31,A;B;;C\n"
        + "P-2,AG,2024-01-01,2024-12-31,\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    var values: [Value] = []
    try ledger.read(table: "partners") { values.append($0[5]) }
    #expect(values == [.list([.string("A"), .string("B"), .string("C")]), .null])
  }
}
