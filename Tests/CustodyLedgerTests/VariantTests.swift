import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// The valid ledger and its variants (CRLF, BOM, reordered columns, extra columns, every field
/// quoted) give identical rows, values and line numbers.
@Suite struct VariantTests {
  static func rows(_ variant: TestLedger.Variant) throws -> ([String: [String]], FolderLedger) {
    let folder = TestLedger.writeValid(variant)
    defer { TestLedger.remove(folder) }
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    return (try TestLedger.readAll(ledger), ledger)
  }

  @Test func validLedgerReadsExactly() throws {
    let (rows, ledger) = try VariantTests.rows(.init())
    #expect(ledger.cellErrors.isEmpty)
    #expect(rows["receipts"]?.first == "2|R-1|\"R-1\"|date(\"2024-01-15\")|\"SM1\"|\"SUP-1\"|\"No. 2 scrap\"|\"post_consumer\"|\"PCL\"|\"P-1\"|10.000|96.5|9.65|\"D-R1\"|[]")
    #expect(rows["receipts"]?.last?.hasPrefix("4|R-3|") == true)
    #expect(rows["documents"] == ["2|DOC-1|\"DOC-1\"|date(\"2024-03-20\")|\"Wire Works\"|5|\"PCL100/mb\"|\"mass balance\"|\"Note: \"PCL\", first line\nsecond line\"|[]"])
    #expect(rows["partners"]?.first?.contains("[\"SUP-1\", \"SUP-3\"]") == true)
    #expect(rows["transfers"] == [])
    let absent = ledger.files.first { $0.table == "transfers" }
    #expect(absent?.absent == true)
    let receipts = try #require(ledger.files.first { $0.table == "receipts" })
    #expect(receipts.rows == 3)
    #expect(receipts.sha256.count == 64)
    #expect(receipts.extraColumns == [])
  }

  @Test(arguments: [
    TestLedger.Variant(lineEnd: "\r\n"),
    TestLedger.Variant(bom: true),
    TestLedger.Variant(reverseColumns: true),
    TestLedger.Variant(extraColumn: true),
    TestLedger.Variant(quoteAll: true),
    TestLedger.Variant(lineEnd: "\r\n", bom: true, reverseColumns: true, extraColumn: true, quoteAll: true),
  ])
  func variantGivesIdenticalRows(_ variant: TestLedger.Variant) throws {
    let (original, _) = try VariantTests.rows(.init())
    let (rows, ledger) = try VariantTests.rows(variant)
    #expect(rows == original)
    #expect(ledger.cellErrors.isEmpty)
    let receipts = try #require(ledger.files.first { $0.table == "receipts" })
    #expect(receipts.extraColumns == (variant.extraColumn ? ["legacy_note"] : []))
  }

  @Test func sha256MatchesTheFileBytes() throws {
    let folder = TestLedger.tempFolder()
    defer { TestLedger.remove(folder) }
    for (name, rows) in TestLedger.valid { TestLedger.write(folder, name, TestLedger.csv(rows)) }
    TestLedger.write(folder, "sites.csv", "site,in_scope\nSM1,true\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    try ledger.read(table: "sites") { _ in }
    // sha256("site,in_scope\nSM1,true\n"), computed with sha256sum.
    #expect(ledger.files.first?.sha256 == "4c683926694500112ffe20bf646db41c6d73382d335d5ef0dada59c1a64561c8")
    #expect(ledger.files.first?.bytes == 23)
  }
}
