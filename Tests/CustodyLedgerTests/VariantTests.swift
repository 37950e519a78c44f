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
    #expect(
      rows["receipts"]?.first
        == "2|R-1|\"R-1\"|date(\"2024-01-15\")|\"SM1\"|\"SUP-1\"|\"No. 2 scrap\"|\"post_consumer\"|\"PCL\"|\"P-1\"|10.000|96.5|9.65|\"D-R1\"|[]"
    )
    #expect(rows["receipts"]?.last?.hasPrefix("4|R-3|") == true)
    #expect(
      rows["documents"] == [
        "2|DOC-1|\"DOC-1\"|date(\"2024-03-20\")|\"Wire Works\"|5|\"PCL100/mb\"|\"mass balance\"|\"Note: \"PCL\", first line\nsecond line\"|[]"
      ])
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
    TestLedger.Variant(lineEnd: "\r"),
    TestLedger.Variant(bom: true),
    TestLedger.Variant(reverseColumns: true),
    TestLedger.Variant(extraColumn: true),
    TestLedger.Variant(quoteAll: true),
    TestLedger.Variant(
      lineEnd: "\r\n", bom: true, reverseColumns: true, extraColumn: true, quoteAll: true),
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
    TestLedger.write(folder, "sites.csv", "site,entity,in_scope\nSM1,E,true\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    try ledger.read(table: "sites") { _ in }
    // sha256("site,entity,in_scope\nSM1,E,true\n"), computed with sha256sum.
    #expect(
      ledger.files.first?.sha256
        == "8bc8b0700c79128e7b1d6c20e18eacd3a677daf015668a94bbafd2c14bbe713d")
    #expect(ledger.files.first?.bytes == 32)
  }
}

/// The committed sample ledger (fixtures/sample, from `custody sample`) reads cleanly with the
/// canonical schema: every row, no cell errors.
@Suite struct SampleFixtureTests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "fixtures/sample"
    ).path

  @Test func sampleLedgerReadsWithoutErrors() throws {
    let ledger = try FolderLedger.open(
      folder: SampleFixtureTests.sample, schema: CanonicalSchema.v1)
    let summary = try ledger.inspect()
    #expect(
      ledger.cellErrors.map { "\($0.provenance.file):\($0.provenance.line) \($0.code.id)" } == [])
    let rows = Dictionary(uniqueKeysWithValues: summary.tables.map { ($0.name, $0.file.rows) })
    #expect(rows["receipts"] == 3000)
    #expect(rows["shipments"] == 2500)
    #expect(summary.tables.allSatisfy { $0.file.extraColumns.isEmpty })
  }
}
