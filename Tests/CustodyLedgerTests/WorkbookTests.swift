import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// .xlsx workbooks (issue 19): cell kinds read exactly, sheet locations, limits; and the
/// corpus of export errors (Tests/Exports/errors/<case>: files, profile.yaml, expected).
@Suite struct WorkbookTests {
  static let exports = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Exports").path

  func open(_ book: String, _ profileText: String) throws -> FolderLedger {
    let folder = TestLedger.writeValid()
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    try FileManager.default.copyItem(
      atPath: WorkbookTests.exports + "/workbooks/" + book, toPath: folder + "/" + book)
    var bag = DiagnosticBag()
    let profile = MappingProfile.load(
      text: profileText, path: "p.yaml", schema: CanonicalSchema.v1, into: &bag)
    #expect(bag.sorted.map(\.description) == [])
    return try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: profile)
  }

  func rows(_ ledger: FolderLedger) throws -> [String] {
    var out: [String] = []
    try ledger.read(table: "receipts") { row in
      let material = if case .string(let m) = row.values[4] { m } else { "-" }
      let date = if case .date(let d) = row.values[1] { d.description } else { "null" }
      out.append(
        "\(row.line) \(row.entryID ?? "-") \(date) \(material) \(row.values[8].literal) \(row.values[10].literal)"
      )
    }
    return out
  }

  func errors(_ ledger: FolderLedger) -> [String] {
    ledger.cellErrors.map {
      "\(($0.provenance.file as NSString).lastPathComponent):\($0.provenance.line):\($0.provenance.column ?? 0) \($0.code.id) \($0.message)"
    }
  }

  @Test func everyCellKindReadsExactly() throws {
    let ledger = try open(
      "cells.xlsx",
      "profile: x\ntables: {receipts: {file: cells.xlsx, sheet: Receipts, header_row: 2}}\n")
    defer { TestLedger.remove(ledger.folder) }
    #expect(
      try rows(ledger) == [
        "3 R-1 2024-01-15 銅スクラップ 10 9.65",
        "4 R-2 2024-02-01 cable 0.0015 null",
        "5 R-3 2024-03-10 x 2.5 2",
        "6 R-4 2024-03-11 noise null 0.1",
        "7 R-5 null half day 1 1",
      ])
    #expect(
      errors(ledger) == [
        "cells.xlsx[Receipts]:4:11 CUS7003 '0.0014475' has 7 fractional digits; at most 6 allowed",
        "cells.xlsx[Receipts]:6:9 CUS7003 '0.30000000000000004' carries binary floating-point noise (more than 15 significant digits); round it in the workbook or set `round: true`",
        "cells.xlsx[Receipts]:7:2 CUS7006 '45362.5' is not a whole-day Excel date serial",
      ])
    let info = try #require(ledger.files.first { $0.table == "receipts" })
    #expect(info.path == ledger.folder + "/cells.xlsx[Receipts]")
    #expect(info.rows == 5)
    #expect(info.sha256 == Digest.sha256(file: ledger.folder + "/cells.xlsx"))
    #expect(info.extraColumns == [])
  }

  @Test func roundTrueRoundsFloatNoiseToTheColumnScale() throws {
    let ledger = try open(
      "cells.xlsx",
      "profile: x\ntables: {receipts: {file: cells.xlsx, sheet: Receipts, header_row: 2, round: true}}\n"
    )
    defer { TestLedger.remove(ledger.folder) }
    #expect(try rows(ledger)[3] == "6 R-4 2024-03-11 noise 0.3 0.1")
    #expect(errors(ledger).count == 2)
  }

  @Test func dates1904System() throws {
    let ledger = try open(
      "dates1904.xlsx", "profile: x\ntables: {receipts: {file: dates1904.xlsx}}\n")
    defer { TestLedger.remove(ledger.folder) }
    #expect(try rows(ledger) == ["2 R-1 2024-01-15 a 10 9.65"])
  }

  @Test func headerAboveTheHeaderRowIsATitle() throws {
    // header_row 1 reads the title as the header: the required columns are missing.
    #expect(throws: LedgerError.self) {
      _ = try open("cells.xlsx", "profile: x\ntables: {receipts: {file: cells.xlsx}}\n")
    }
  }

  @Test func excelNumbersFromTheirText() {
    #expect(SheetNumber.plain("1.5E-3") == "0.0015")
    #expect(SheetNumber.plain("12E2") == "1200")
    #expect(SheetNumber.plain("-0.25") == "-0.25")
    #expect(SheetNumber.plain("1.0") == "1")
    #expect(SheetNumber.plain("abc") == nil)
    #expect(SheetNumber.significantDigits("0.30000000000000004") == 17)
    #expect(SheetNumber.significantDigits("122948") == 6)
    #expect(SheetNumber.significantDigits("34954.116") == 8)
    #expect(
      SheetNumber.date(serial: "1", date1904: false) == CivilDate(year: 1900, month: 1, day: 1))
    #expect(
      SheetNumber.date(serial: "59", date1904: false) == CivilDate(year: 1900, month: 2, day: 28))
    #expect(SheetNumber.date(serial: "60", date1904: false) == nil)  // Excel's phantom 1900-02-29
    #expect(
      SheetNumber.date(serial: "61", date1904: false) == CivilDate(year: 1900, month: 3, day: 1))
    #expect(
      SheetNumber.date(serial: "0", date1904: true) == CivilDate(year: 1904, month: 1, day: 1))
    #expect(SheetReader.column(ofReference: "XFD1048576") == 16_384)
    #expect(SheetReader.letters(28) == "AB")
  }

  // MARK: Error corpus

  static var cases: [String] {
    let dir = exports + "/errors"
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
  }

  @Test(arguments: WorkbookTests.cases)
  func exportErrorIsLocated(_ name: String) throws {
    let dir = WorkbookTests.exports + "/errors/" + name
    let expected = try String(contentsOfFile: dir + "/expected", encoding: .utf8)
      .trimmingCharacters(in: .newlines)
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    for file in try FileManager.default.contentsOfDirectory(atPath: dir)
    where file != "expected" && file != "profile.yaml" {
      try FileManager.default.copyItem(atPath: dir + "/" + file, toPath: folder + "/" + file)
    }
    var bag = DiagnosticBag()
    let profile = MappingProfile.load(
      path: dir + "/profile.yaml", schema: CanonicalSchema.v1, into: &bag)
    #expect(bag.sorted.map(\.description) == [])
    var got = "no error"
    do {
      let ledger = try FolderLedger.open(
        folder: folder, schema: CanonicalSchema.v1, profile: profile)
      _ = try TestLedger.readAll(ledger)
    } catch let error as LedgerError {
      let s = error.diagnostic.span?.start
      got =
        "\((s?.file as NSString?)?.lastPathComponent ?? "-"):\(s?.line ?? 0):\(s?.column ?? 0) \(error.diagnostic.code.id)"
      print("\(name): \(error.diagnostic.message)")
    }
    #expect(got == expected)
  }
}
