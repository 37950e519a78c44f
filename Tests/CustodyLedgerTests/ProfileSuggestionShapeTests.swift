import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// The pieces `custody profile suggest` reads off an export: encodings, number marks, date
/// formats, header names and units.
@Suite struct ProfileSuggestionShapeTests {
  func iconv(_ text: String, _ to: String) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
    p.arguments = ["-f", "UTF-8", "-t", to]
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

  static let japanese = "伝票番号,入荷日,由来区分\nR-1,2024/01/15,使用済み製品\nR-2,2024/02/01,一次原料\n"
  static let german = "Materialbeleg;Herkunft;Menge\nR-1;Primär;1,5\nR-2;Altschrott;2,25\n"

  @Test func encodingsAreReadOffTheBytes() throws {
    #expect(Encodings.detect(Array(Self.japanese.utf8)).0 == .utf8)
    #expect(Encodings.detect(try iconv(Self.japanese, "CP932")) == (.cp932, nil))
    #expect(Encodings.detect(try iconv(Self.japanese, "EUC-JP")) == (.eucJP, nil))
    #expect(Encodings.detect(try iconv(Self.german, "WINDOWS-1252")) == (.windows1252, nil))
    #expect(Encodings.detect(try iconv(Self.german, "UTF-16")).0 == .utf16)
    // 0x81 is undefined in windows-1252 and, alone, no Japanese encoding: latin-1, with a note.
    let odd = Encodings.detect([0x41, 0x81, 0x41])
    #expect(odd.0 == .latin1)
    #expect(odd.1?.hasPrefix("? bytes fit neither") == true)
  }

  @Test(
    arguments: [
      (["122.948", "28,43", "34,954116"], true, ".", nil),  // SAP: decimal comma, '.' groups
      (["122,948", "28.43", "34,954.116", "3,450"], false, ",", nil),  // Japanese ERP
      (["122.948", "28.43", "34.954116"], false, "", nil),  // plain decimals
      (["1 234,5", "17,25"], true, " ", nil),
      (
        ["50,995", "65,762"], false, ",",
        "? numbers like '50,995' read as , digit grouping or as a decimal ,; nothing here tells which: check a value"
      ),
    ] as [([String], Bool, String, String?)])
  func numberMarks(_ values: [String], _ comma: Bool, _ grouping: String, _ note: String?) {
    let m = NumberMarks.infer(values)
    #expect(m.decimalComma == comma)
    #expect(m.grouping == grouping)
    #expect(m.note == note)
  }

  @Test func dateFormats() {
    #expect(DateShapes.infer(["01.01.2024", "31.12.2025"]) == ("dd.MM.yyyy", nil))
    #expect(DateShapes.infer(["2024/01/01"]) == ("yyyy/MM/dd", nil))
    #expect(DateShapes.infer([]) == ("yyyy-MM-dd", nil))
    // Day and month both at most 12: either order reads; the note says so.
    #expect(
      DateShapes.infer(["01/02/2024", "03/04/2024"])
        == ("dd/MM/yyyy", "? every date also reads as MM/dd/yyyy: check the day and month order"))
    #expect(DateShapes.infer(["12/31/2024"]) == ("MM/dd/yyyy", nil))
    #expect(
      DateShapes.infer(["Jan 5"]).1
        == "? dates like 'Jan 5' fit no known format: write the format here")
  }

  @Test func headersGiveNameAndUnit() {
    #expect(HeaderMatch.parse("Bruttogewicht kg") == ("bruttogewicht", "kg"))
    #expect(HeaderMatch.parse("総重量(kg)") == ("総重量", "kg"))
    #expect(HeaderMatch.parse("Cu (%)") == ("cu", "%"))
    #expect(HeaderMatch.parse("Cu-Gehalt %") == ("cugehalt", "%"))
    #expect(HeaderMatch.parse("CFP kg/t") == ("cfp", "kg/t"))
    #expect(HeaderMatch.parse("Brutto to") == ("brutto", "t"))
    #expect(HeaderMatch.parse("Geschäftspartner") == ("geschaeftspartner", nil))
    #expect(HeaderMatch.parse("Partner") == ("partner", nil))
  }

  @Test func headersMatchTheSchemaByNameSynonymAndUnit() throws {
    let receipts = try #require(CanonicalSchema.v1.table("receipts"))
    // A workbook: "Beleg" is the entry id when the delivery note has its own column...
    let book = HeaderMatch(
      table: receipts,
      header: [
        "Beleg", "Datum", "Werk", "Lieferant", "Material", "Herkunft", "Pool", "Partner",
        "Brutto (kg)", "Cu (%)", "Cu (kg)", "Lieferschein",
      ])
    #expect(book.covers)
    #expect(
      book.matched.map { "\($0.0)=\($0.1)" }
        == [
          "entry_id=0", "date=1", "site=2", "supplier=3", "material=4", "origin=5", "pool=6",
          "partner=7", "gross_t=8", "cu_pct=9", "cu_t=10", "document_id=11",
        ])
    #expect(book.units.map { "\($0.0) \($0.1)" } == ["gross_t kg", "cu_t kg"])
    // ...and the document when the entry id is "Materialbeleg".
    let movements = HeaderMatch(
      table: receipts,
      header: [
        "Bewegungsart", "Materialbeleg", "Buchungsdatum", "Werk", "Geschaeftspartner", "Material",
        "Herkunft", "Pool", "PCL-Partner", "Brutto t", "Cu %", "Cu t", "Aussage", "Beleg",
        "CFP kg/t",
      ])
    #expect(
      movements.matched.map { "\($0.0)=\($0.1)" }
        == [
          "entry_id=1", "date=2", "site=3", "supplier=4", "material=5", "origin=6", "pool=7",
          "partner=8", "gross_t=9", "cu_pct=10", "cu_t=11", "document_id=13",
        ])
    #expect(movements.units.isEmpty)
    // Shipments headers do not cover receipts (no supplier, no gross weight).
    let shipments = HeaderMatch(
      table: receipts,
      header: ["Materialbeleg", "Buchungsdatum", "Werk", "Kunde", "Materialkurztext", "Cu-Menge t"])
    #expect(!shipments.covers)
  }

  @Test func splitFilesBecomeOneGlobAndUnknownThingsAreNotes() throws {
    let folder = NSTemporaryDirectory() + "exports2-suggest-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let header = "伝票番号\t出荷日\t拠点\t得意先\t製品\t銅量(kg)\t主張\t証明書番号\tCFP(kg/t)\n"
    for (year, row) in [
      ("2024", "S-1\t2024/03/01\tTAM\tC-1\tcathode\t1,500\tなし\t\t3,450\n"),
      ("2025", "S-2\t2025/03/01\tTAM\tC-1\tcathode\t2,250.5\tなし\t\t3,450\n"),
    ] {
      FileManager.default.createFile(
        atPath: folder + "/出荷_\(year).txt", contents: Data(try iconv(header + row, "UTF-16")))
    }
    FileManager.default.createFile(
      atPath: folder + "/readme.pdf", contents: Data("x,y\n1,2\n".utf8))
    let s = try ProfileSuggestion.suggest(folder: folder, schema: CanonicalSchema.v1)
    let shipments = try #require(s.tables.first { $0.name == "shipments" })
    #expect(shipments.files == ["出荷_*.txt"])
    #expect(shipments.encoding == .utf16)
    #expect(shipments.delimiter == "\t")
    #expect(shipments.thousandsSeparator == ",")
    #expect(shipments.decimalComma == false)
    #expect(shipments.dateFormat == "yyyy/MM/dd")
    #expect(shipments.units.map { "\($0.column) \($0.unit)" } == ["cu_t kg"])
    #expect(
      s.unmappedValues == [.init(table: "shipments", column: "claim", values: ["なし"], allowed: [])])
    #expect(s.notes.contains("readme.pdf: matches no table of the schema; it is not read"))
    #expect(s.notes.contains { $0.hasPrefix("no file or sheet matches table 'receipts'") })
    let yaml = s.yaml()
    #expect(yaml.contains("    delimiter: \"\\t\"\n"))
    #expect(yaml.contains("    encoding: utf-16\n"))
    // The draft loads as a profile.
    var bag = DiagnosticBag()
    #expect(
      MappingProfile.load(text: yaml, path: "draft.yaml", schema: CanonicalSchema.v1, into: &bag)
        != nil)
    #expect(bag.sorted.map(\.description) == [])
  }
}
