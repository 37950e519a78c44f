import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// What ERP systems export (issue 19): legacy encodings, tables split over several files,
/// thousands separators.
@Suite struct ExportFormatTests {
  static let header =
    "entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n"

  func profile(_ text: String) throws -> MappingProfile {
    var bag = DiagnosticBag()
    let p = MappingProfile.load(text: text, path: "p.yaml", schema: CanonicalSchema.v1, into: &bag)
    #expect(bag.sorted.map(\.description) == [])
    return try #require(p)
  }

  func diagnostics(_ text: String) -> [String] {
    var bag = DiagnosticBag()
    _ = MappingProfile.load(text: text, path: "p.yaml", schema: CanonicalSchema.v1, into: &bag)
    return bag.sorted.map { "\($0.span?.start.description ?? "-") \($0.code.id)" }
  }

  /// The valid ledger with receipts replaced by `files` (name -> bytes).
  func folder(_ files: [String: [UInt8]]) throws -> String {
    let folder = TestLedger.writeValid()
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    for (name, bytes) in files { TestLedger.write(folder, name, bytes: bytes) }
    return folder
  }

  func encode(_ text: String, _ iconvName: String) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
    p.arguments = ["-f", "UTF-8", "-t", iconvName]
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return [UInt8](data)
  }

  func receipts(_ ledger: FolderLedger) throws -> [String] {
    var rows: [String] = []
    try ledger.read(table: "receipts") { row in
      let material = if case .string(let m) = row.values[4] { m } else { row.values[4].literal }
      rows.append("\(row.line) \(material) \(row.values[8].literal)")
    }
    return rows
  }

  func error(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "no error"
    } catch let e as LedgerError {
      let s = e.diagnostic.span?.start
      return
        "\((s?.file as NSString?)?.lastPathComponent ?? "-"):\(s?.line ?? 0):\(s?.column ?? 0) \(e.diagnostic.code.id) \(e.diagnostic.message)"
    } catch {
      return "unexpected \(error)"
    }
  }

  static let japanese = """
    R-1,2024-01-15,SM1,SUP-1,銅スクラップ（ソ）,post_consumer,PCL,P-1,10.000,96.5,9.65,D-R1
    R-2,2024-02-01,SM1,SUP-2,精鉱,primary,NONE,,100,25.123456,25.123456,D-R2

    """

  @Test(arguments: [
    ("cp932", "CP932"), ("shift_jis", "CP932"), ("windows-31j", "CP932"), ("euc-jp", "EUC-JP"),
  ])
  func japaneseEncodingsDecodeAndHashTheOriginalBytes(name: String, iconv: String) throws {
    let bytes = try encode(ExportFormatTests.header + ExportFormatTests.japanese, iconv)
    let folder = try folder(["r.csv": bytes])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: jp\ntables: {receipts: {file: r.csv, encoding: \(name)}}\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
    #expect(try receipts(ledger) == ["2 銅スクラップ（ソ） 10.000", "3 精鉱 100"])
    let info = try #require(ledger.files.first { $0.table == "receipts" })
    #expect(info.bytes == bytes.count)
    #expect(info.sha256 == Digest.sha256(bytes))
  }

  @Test func windows1252AndLatin1AreDistinct() throws {
    // 0x80 is the euro sign in windows-1252 and a C1 control in latin-1.
    var bytes = Array(ExportFormatTests.header.utf8)
    bytes += Array("R-1,2024-01-15,SM1,SUP-1,".utf8) + [0x80, 0x20, 0xE9]
    bytes += Array(",post_consumer,PCL,P-1,10,96.5,9.65,D-R1\n".utf8)
    let folder = try folder(["r.csv": bytes])
    defer { TestLedger.remove(folder) }
    let w = try profile("profile: w\ntables: {receipts: {file: r.csv, encoding: windows-1252}}\n")
    let l = try profile("profile: l\ntables: {receipts: {file: r.csv, encoding: latin-1}}\n")
    let a = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: w)
    let b = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: l)
    #expect(try receipts(a) == ["2 € é 10"])
    #expect(try receipts(b) == ["2 \u{80} é 10"])
  }

  @Test func utf16NeedsItsByteOrderMark() throws {
    let text = ExportFormatTests.header + ExportFormatTests.japanese
    let le = try encode(text, "UTF-16LE")
    let be = try encode(text, "UTF-16BE")
    for (name, bytes) in [("le", [0xFF, 0xFE] + le), ("be", [0xFE, 0xFF] + be)] {
      let folder = try folder(["r.csv": bytes])
      defer { TestLedger.remove(folder) }
      let p = try profile("profile: u\ntables: {receipts: {file: r.csv, encoding: utf-16}}\n")
      let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
      #expect(try receipts(ledger) == ["2 銅スクラップ（ソ） 10.000", "3 精鉱 100"], "\(name)")
      #expect(ledger.files.first { $0.table == "receipts" }?.sha256 == Digest.sha256(bytes))
    }
    let folder = try folder(["r.csv": le])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: u\ntables: {receipts: {file: r.csv, encoding: utf-16}}\n")
    #expect(
      error { _ = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p) }
        == "r.csv:1:1 CUS6023 a utf-16 file starts with its byte-order mark (FF FE or FE FF); this one starts with 65 00"
    )
  }

  @Test func undecodableByteIsLocatedInCharactersOfTheOriginal() throws {
    // Line 3: "R-2,2024-02-01,SM1,SUP-2,精" then 0x81 0x20 (a lead byte without its trail).
    var bytes = try encode(ExportFormatTests.header + ExportFormatTests.japanese, "CP932")
    let line3 = try encode("R-2,2024-02-01,SM1,SUP-2,精", "CP932")
    let at = try #require(index(of: line3, in: bytes)) + line3.count
    bytes[at] = 0x81
    bytes[at + 1] = 0x20
    let folder = try folder(["r.csv": bytes])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: jp\nencoding: cp932\ntables: {receipts: {file: r.csv}}\n")
    #expect(
      error {
        let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
        _ = try receipts(ledger)
      }
        == "r.csv:3:27 CUS6023 bytes 81 20 (file offset \(at)) are not valid cp932, the encoding the profile names"
    )
    // In windows-1252, 0x81 is undefined.
    let folder2 = try self.folder([
      "r.csv": Array((ExportFormatTests.header + "R-1,").utf8) + [0x81]
    ])
    defer { TestLedger.remove(folder2) }
    let w = try profile("profile: w\ntables: {receipts: {file: r.csv, encoding: windows-1252}}\n")
    #expect(
      error {
        let ledger = try FolderLedger.open(folder: folder2, schema: CanonicalSchema.v1, profile: w)
        _ = try receipts(ledger)
      }.hasPrefix("r.csv:2:5 CUS6023 bytes 81 (file offset 93) are not valid windows-1252"))
  }

  @Test func sequenceCutAtTheEndOfTheFile() throws {
    let bytes = try encode(ExportFormatTests.header + "R-1,2024-01-15,SM1,SUP-1,", "CP932") + [0x90]
    let folder = try folder(["r.csv": bytes])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: jp\nencoding: cp932\ntables: {receipts: {file: r.csv}}\n")
    #expect(
      error {
        let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
        _ = try receipts(ledger)
      } == "r.csv:2:26 CUS6023 the file ends inside a cp932 character (bytes 90, file offset 114)")
  }

  @Test func decodingAcrossChunkBoundaries() throws {
    // Many multi-byte cells and a 7-byte chunk: every character is cut somewhere.
    var text = ExportFormatTests.header
    for i in 0..<200 {
      text += "R-\(i),2024-01-15,SM1,SUP-1,ソ表能\(i)「銅」,post_consumer,PCL,P-1,10,96.5,9.65,D\(i)\n"
    }
    let bytes = try encode(text, "CP932")
    let folder = try folder(["r.csv": bytes])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: jp\nencoding: cp932\ntables: {receipts: {file: r.csv}}\n")
    var limits = LedgerReadLimits()
    limits.chunkBytes = 7
    let ledger = try FolderLedger.open(
      folder: folder, schema: CanonicalSchema.v1, profile: p,
      options: LedgerOpenOptions(limits: limits))
    let rows = try receipts(ledger)
    #expect(rows.count == 200)
    #expect(rows[199] == "201 ソ表能199「銅」 10")
    #expect(ledger.files.first { $0.table == "receipts" }?.sha256 == Digest.sha256(bytes))
  }

  @Test func unknownEncodingSuggests() {
    #expect(diagnostics("profile: x\nencoding: shift-jiss\n") == ["p.yaml:2:11 CUS6021"])
  }

  // MARK: files:

  @Test func tableFromSeveralFilesInNameOrder() throws {
    let h =
      "Beleg,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n"
    let h2 =
      "date,Beleg,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id\n"
    let folder = try folder([
      "入荷実績_2025.csv": Array(
        (h2 + "2025-01-02,R-3,SM1,SUP-1,c,post_consumer,PCL,P-1,1,50,x,D3\n").utf8),
      "入荷実績_2024.csv": Array(
        (h + "R-1,2024-01-15,SM1,SUP-1,a,post_consumer,PCL,P-1,10,96.5,9.65,D1\n\n"
          + "R-2,2024-02-01,SM1,SUP-2,b,primary,NONE,,100,25,25,D2\n").utf8),
      "other.csv": Array("x\n".utf8),
    ])
    defer { TestLedger.remove(folder) }
    let p = try profile(
      "profile: split\ntables:\n  receipts:\n    files: \"入荷実績_*.csv\"\n    columns: {entry_id: Beleg}\n"
    )
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
    #expect(try receipts(ledger) == ["2 a 10", "4 b 100", "7 c 1"])
    let files = ledger.files.filter { $0.table == "receipts" }
    #expect(
      files.map { "\(($0.path as NSString).lastPathComponent) \($0.rows)" } == [
        "入荷実績_2024.csv 2", "入荷実績_2025.csv 1",
      ])
    #expect(files[0].sha256 == Digest.sha256(file: folder + "/入荷実績_2024.csv"))
    // Row 7 of the table is line 2 of the second file; cell errors name the file itself.
    #expect(ledger.locate(table: "receipts", line: 7)?.line == 2)
    #expect(ledger.locate(table: "receipts", line: 7)?.file.hasSuffix("入荷実績_2025.csv") == true)
    #expect(ledger.locate(table: "receipts", line: 4)?.file.hasSuffix("入荷実績_2024.csv") == true)
    #expect(
      ledger.cellErrors.map {
        "\(($0.provenance.file as NSString).lastPathComponent):\($0.provenance.line):\($0.provenance.column ?? 0) \($0.code.id)"
      } == ["入荷実績_2025.csv:2:11 CUS7002"])
  }

  @Test func eachFilesHeaderIsCheckedOnItsOwn() throws {
    let folder = try folder([
      "r_1.csv": Array(ExportFormatTests.header.utf8),
      "r_2.csv": Array("entry_id,date\n".utf8),
    ])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: split\ntables: {receipts: {files: [r_1.csv, r_2.csv]}}\n")
    #expect(
      error { _ = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p) }
        .hasPrefix("r_2.csv:1:1 CUS6004"))
  }

  @Test func globMatchingNothingIsCUS6003NamingThePattern() throws {
    let folder = try folder([:])
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: split\ntables: {receipts: {files: \"入荷実績_*.csv\"}}\n")
    #expect(
      error { _ = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p) }
        == "入荷実績_*.csv:1:1 CUS6003 no file in the ledger folder matches '入荷実績_*.csv' (files: of table 'receipts')"
    )
  }

  @Test func fileAndFilesTogetherIsAnError() {
    #expect(
      diagnostics("profile: x\ntables: {receipts: {file: a.csv, files: [b.csv]}}\n") == [
        "p.yaml:2:41 CUS6021"
      ])
  }

  // MARK: thousands separators

  @Test(arguments: [
    (",", false, "113,437", "113437"), (",", false, "1,234,567.25", "1234567.25"),
    (".", true, "1.234.567,25", "1234567.25"), (" ", true, "113 437,5", "113437.5"),
    ("'", false, "1'234.5", "1234.5"), (",", false, "950", "950"), (",", false, "-1,000", "-1000"),
    (",", false, "113437", "113437"),
  ])
  func groupedNumbers(mark: String, decimalComma: Bool, text: String, value: String) {
    let parser = CellParser(decimalComma: decimalComma, thousandsSeparator: mark.utf8.first)
    let column = ColumnSchema(name: "q", type: .decimal(unit: "t", maxScale: nil), required: true)
    guard case .value(let v) = parser.parse(text, as: column) else {
      Issue.record("\(text) not read")
      return
    }
    #expect(v.literal == value)
  }

  @Test(arguments: ["1,23,4", ",123", "1234,567", "1,2345", "12,34", "1,234.5,6", "1,,234"])
  func wrongGroupingIsACellError(text: String) {
    let parser = CellParser(thousandsSeparator: UInt8(ascii: ","))
    let column = ColumnSchema(name: "q", type: .decimal(unit: "t", maxScale: nil), required: true)
    guard case .error(let code, let message) = parser.parse(text, as: column) else {
      Issue.record("\(text) was read")
      return
    }
    #expect(code == .notANumber)
    #expect(message == "'\(text)' is not grouped in thousands with ',' (e.g. 1,234)")
  }

  @Test func thousandsAtProfileTableAndColumnLevel() throws {
    let folder = try folder([
      "r.csv": Array(
        ("entry_id;date;site;supplier;material;origin;pool;partner;gross_t;cu_pct;cu_t;document_id\n"
          + "R-1;2024-01-15;SM1;SUP-1;a;post_consumer;PCL;P-1;113.437;96,5;1'094,667;D1\n"
          + "R-2;2024-01-15;SM1;SUP-1;a;post_consumer;PCL;P-1;1.23.4;96,5;1;D2\n").utf8)
    ])
    defer { TestLedger.remove(folder) }
    let p = try profile(
      """
      profile: th
      thousands_separator: ","
      tables:
        receipts:
          file: r.csv
          delimiter: ";"
          decimal_comma: true
          thousands_separator: "."
          thousands_separators: {cu_t: apostrophe}
          units: {gross_t: kg}
      """)
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
    var rows: [String] = []
    try ledger.read(table: "receipts") {
      rows.append($0.values[8...10].map(\.literal).joined(separator: " "))
    }
    #expect(rows == ["113.437 96.5 1094.667", "null 96.5 1"])
    #expect(
      ledger.cellErrors.map { "\($0.provenance.line):\($0.provenance.column ?? 0) \($0.code.id)" }
        == ["3:9 CUS7002"])
  }

  @Test func thousandsMarkEqualToDecimalMarkIsAProfileError() {
    #expect(
      diagnostics(
        "profile: x\ndecimal_comma: true\ntables: {receipts: {thousands_separator: \",\"}}\n")
        == ["p.yaml:3:42 CUS6021"])
    #expect(diagnostics("profile: x\nthousands_separator: \"_\"\n") == ["p.yaml:2:22 CUS6021"])
  }

  // MARK: where:

  @Test func oneMovementsFileYieldsReceiptsAndShipments() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    try FileManager.default.removeItem(atPath: folder + "/shipments.csv")
    TestLedger.write(
      folder, "Bewegungen.csv",
      "BWA;Beleg;Datum;Werk;Partner;Material;Herkunft;Pool;Brutto;Prozent;Cu;Dok;Anspruch\n"
        + "101;R-1;2024-01-15;SM1;SUP-1;a;post_consumer;PCL;10;96.5;9.65;D-R1;\n"
        + "601;S-1;2024-02-01;SM1;CUS-1;cathode;;;;;5;D-S1;\n"
        + "102;R-2;2024-02-02;SM1;SUP-2;b;primary;NONE;100;25;25;D-R2;\n"
        + "311;T-1;2024-02-03;SM1;;;;;;;1;;\n")
    let p = try profile(
      """
      profile: sap-movements
      tables:
        receipts:
          file: Bewegungen.csv
          delimiter: ";"
          where: {BWA: ["101", "102"]}
          columns: {entry_id: Beleg, date: Datum, site: Werk, supplier: Partner, material: Material,
                    origin: Herkunft, pool: Pool, gross_t: Brutto, cu_pct: Prozent, cu_t: Cu,
                    document_id: Dok}
        shipments:
          file: Bewegungen.csv
          delimiter: ";"
          where: {BWA: "601"}
          columns: {entry_id: Beleg, date: Datum, site: Werk, customer: Partner, product: Material,
                    cu_t: Cu, document_id: Dok, claim: Anspruch}
          constants: {cfp_kg_per_t: "3450"}
      """)
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p)
    #expect(try receipts(ledger) == ["2 a 10", "4 b 100"])
    var shipments: [String] = []
    try ledger.read(table: "shipments") { shipments.append("\($0.line) \($0.entryID ?? "-")") }
    #expect(shipments == ["3 S-1"])
    #expect(ledger.cellErrors.map(\.code.id) == [])
    #expect(ledger.files.filter { $0.path.hasSuffix("Bewegungen.csv") }.map(\.rows) == [2, 1])
    #expect(p.describe(table: "receipts").contains("where 'BWA' in 101, 102"))
  }

  @Test func whereOnAColumnTheFileLacks() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    let p = try profile("profile: w\ntables: {receipts: {where: {BWA: [\"101\"]}}}\n")
    #expect(
      error { _ = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: p) }
        == "receipts.csv:1:1 CUS6004 receipts.csv has no column 'BWA', which the profile's `where:` of table 'receipts' filters on"
    )
  }

  // MARK: warnings

  @Test func unreadFilesAndShortDateRangesAreWarnings() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    // A year's receipts file that no table reads, notes beside the data, a hidden file.
    TestLedger.write(folder, "入荷実績_2025.csv", ExportFormatTests.header)
    TestLedger.write(folder, "profile.yaml", "profile: x\n")
    TestLedger.write(folder, ".DS_Store", "x")
    // Shipments run on to 2025-12-22 while receipts end 2024-03-09.
    TestLedger.write(
      folder, "shipments.csv",
      "entry_id,date,site,customer,product,cu_t,claim,document_id,cfp_kg_per_t\n"
        + "S-1,2024-02-01,SM1,C-1,cathode,1,,,3450\nS-2,2025-12-22,SM1,C-1,cathode,1,,,3450\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    #expect(ledger.unreadFiles == ["入荷実績_2025.csv"])
    _ = try TestLedger.readAll(ledger)
    #expect(
      ledger.warnings == [
        "入荷実績_2025.csv in the ledger folder is read by no table (not named by the schema or the profile)",
        "receipts dates end 2024-03-09, shipments dates run to 2025-12-22: are receipts files missing for the rest of the period?",
      ])
  }

  @Test func theValidLedgerHasNoWarnings() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    _ = try TestLedger.readAll(ledger)
    #expect(ledger.warnings == [])
  }

  func index(of needle: [UInt8], in hay: [UInt8]) -> Int? {
    guard needle.count <= hay.count else { return nil }
    for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle {
      return i
    }
    return nil
  }
}

/// sha256 hex of bytes, computed by the system's sha256sum (independent of the reader's).
enum Digest {
  static func sha256(_ bytes: [UInt8]) -> String {
    let path = NSTemporaryDirectory() + "/digest-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return sha256(file: path)
  }

  static func sha256(file: String) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [file]
    let out = Pipe()
    p.standardOutput = out
    try? p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
  }
}
