import CustodyAuthoring
import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 19, acceptance 3: `custody profile suggest` on each golden export drafts a profile
/// that validates the export unchanged, with the canonical ledger's verdict, clauses and
/// finding ids, once the value maps it lists (and only those, taken from fixtures/profiles/)
/// are added.
@Suite struct ProfileSuggestionTests {
  static let root = ExportGoldenTests.root

  static let schema: LedgerSchema = {
    let (schema, diagnostics) = Compiler().compileSchema(
      path: root + "/standards/schema/custody-ledger-v1.yaml")
    precondition(diagnostics.isEmpty, "\(diagnostics)")
    return schema!
  }()

  /// Per export style: the value maps the draft must list (table.column), and values it must
  /// name among them (the planted ledger may not hold every value of the sample).
  static let listed: [String: [String]] = [
    "sap-de": ["receipts.origin"],
    "jp-cp932": ["receipts.origin", "shipments.claim"],
    "xlsx": [],
    "movements": [],
  ]

  @Test(arguments: ExportGoldenTests.styles)
  func draftValidatesTheExportUnchanged(_ style: ExportGoldenTests.Style) throws {
    var suggestion = try ProfileSuggestion.suggest(folder: style.folder, schema: Self.schema)
    var bag = DiagnosticBag()
    let fixture = try #require(
      MappingProfile.load(
        path: Self.root + "/fixtures/profiles/\(style.name).profile.yaml", schema: Self.schema,
        into: &bag))
    // Exactly the value maps it could not know are listed, each with the export's values:
    // every one a key of the canonical profile's map.
    #expect(suggestion.unmappedValues.map { "\($0.table).\($0.column)" } == Self.listed[style.name])
    for u in suggestion.unmappedValues {
      let keys = Set(Array(fixture.tables[u.table]?.values[u.column]?.keys ?? [:].keys))
      #expect(!u.values.isEmpty && Set(u.values).isSubset(of: keys), "\(u)")
    }
    if style.source == "sample" && style.name == "jp-cp932" {
      let values: [[String]] = suggestion.unmappedValues.map { $0.values }
      #expect(values == [["一次原料", "製造工程くず", "使用済み製品", "同一工程内"], ["なし"]])
    }

    // Add only the listed maps, from the style's canonical profile.
    for u in suggestion.unmappedValues {
      let map = try #require(fixture.tables[u.table]?.values[u.column])
      let k = try #require(suggestion.tables.firstIndex { $0.name == u.table })
      suggestion.tables[k].values[u.column] = map
    }
    let path = NSTemporaryDirectory() + "exports2-suggested-\(style.source)-\(style.name).yaml"
    try suggestion.yaml().write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let canonical = try #require(ExportGoldenTests.canonical[style.source]).get()
    let report = try ExportGoldenTests.run(ledger: style.folder, profile: path)
    #expect(report.ledger.cellErrors == 0)
    #expect(report.ledger.warnings == nil)
    #expect(report.verdict == canonical.verdict)
    #expect(report.summary == canonical.summary)
    #expect(
      report.clauses.map { "\($0.id) \($0.status)" }
        == canonical.clauses.map { "\($0.id) \($0.status)" })
    #expect(report.findings.map(\.id) == canonical.findings.map(\.id))
    #expect(report.nonconformities.map(\.id) == canonical.nonconformities.map(\.id))
    // The export files themselves are read and pinned, as with the canonical profile.
    for (table, files) in [("receipts", style.receipts), ("shipments", style.shipments)] {
      #expect(
        report.ledger.files.filter { $0.table == table }.map {
          ($0.path as NSString).lastPathComponent
        } == files)
    }
  }

  /// What the draft says for each style: the choices it read off the files.
  @Test func draftsNameWhatTheFilesShow() throws {
    func draft(_ name: String) throws -> String {
      try ProfileSuggestion.suggest(
        folder: Self.root + "/Tests/Exports/sample/\(name)", schema: Self.schema
      ).yaml()
    }
    let sap = try draft("sap-de")
    for line in [
      "    file: \"WE_Wareneingang.csv\"", "    encoding: windows-1252", "    delimiter: \";\"",
      "    decimal_comma: true", "    thousands_separator: \".\"", "    date_format: dd.MM.yyyy",
      "      gross_t: \"Bruttogewicht kg\"", "      cu_pct: \"Cu-Gehalt %\"",
      "    units: {gross_t: kg}",
      "#? receipts.origin: map 'Primär', 'Neuschrott', 'Altschrott', 'Kreislaufmaterial' (not one of post_consumer, pre_consumer, primary, same_process, unknown) under `values:`",
    ] {
      #expect(sap.contains(line + "\n") || sap.contains(line + "  #"), "\(line)")
    }
    let jp = try draft("jp-cp932")
    for line in [
      "    files: [\"入荷実績_*.csv\"]", "    files: [\"出荷実績_*.csv\"]", "    encoding: cp932",
      "    thousands_separator: \",\"", "    date_format: yyyy/MM/dd",
      "    units: {gross_t: kg, cu_t: kg}", "      cu_pct: \"銅品位(%)\"",
    ] {
      #expect(jp.contains(line + "\n") || jp.contains(line + "  #"), "\(line)")
    }
    let book = try draft("xlsx")
    for line in [
      "    file: \"Bestandsbuch.xlsx\"", "    sheet: \"入荷\"", "    sheet: \"出荷\"",
      "    header_row: 3", "    round: true", "      entry_id: \"Beleg\"",
      "      document_id: \"Lieferschein\"",
    ] {
      #expect(book.contains(line + "\n") || book.contains(line + "  #"), "\(line)")
    }
    let movements = try draft("movements")
    for line in [
      "    where: {\"Bewegungsart\": [\"101\"]}", "    where: {\"Bewegungsart\": [\"601\"]}",
      "      supplier: \"Geschaeftspartner\"", "      customer: \"Geschaeftspartner\"",
      "      document_id: \"Beleg\"", "      entry_id: \"Materialbeleg\"",
    ] {
      #expect(movements.contains(line + "\n") || movements.contains(line + "  #"), "\(line)")
    }
  }
}
