import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// Mapping profiles: another system's export read as the canonical ledger, exactly.
@Suite struct ProfileTests {
  static let erpProfile = """
    profile: erp-export
    description: Goods-receipt export of the ERP, German locale.
    tables:
      receipts:
        file: WE_export.csv
        delimiter: ";"
        decimal_comma: true
        date_format: dd.MM.yyyy
        columns:
          entry_id: Beleg
          date: Datum
          supplier: Lieferant
          material: Material
          origin: Herkunft
          pool: Pool
          partner: Partner
          gross_t: Brutto_kg
          cu_pct: Cu_Prozent
          cu_t: Cu_lb
          document_id: Dok
        units: {gross_t: kg, cu_t: lb}
        constants: {site: SM1}
        values:
          origin: {Altschrott: post_consumer, Neuschrott: pre_consumer}
          pool: {Recycling: PCL}
    """

  func load(_ text: String) -> (MappingProfile?, [String]) {
    var bag = DiagnosticBag()
    let profile = MappingProfile.load(
      text: text, path: "p.yaml", schema: CanonicalSchema.v1, into: &bag)
    return (
      profile,
      bag.sorted.map { "\($0.span?.start.description ?? "-") \($0.code.id) \($0.suggestions)" }
    )
  }

  @Test func erpExportReadsAsCanonicalRows() throws {
    let (profile, diagnostics) = load(ProfileTests.erpProfile)
    #expect(diagnostics == [])
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    TestLedger.write(
      folder, "WE_export.csv",
      "Beleg;Datum;Lieferant;Material;Herkunft;Pool;Partner;Brutto_kg;Cu_Prozent;Cu_lb;Dok;Bemerkung\r\n"
        + "WE-1;15.01.2024;SUP-1;\"Kabel; gehackt\";Altschrott;Recycling;P-1;10000,5;96,5;2204,62262;D1;eilig\r\n"
        + "WE-2;31.02.2024;SUP-2;Erz;Primaer;NONE;;5;1,5;-3;D2;\r\n")
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: profile)
    var rows: [LedgerRow] = []
    try ledger.read(table: "receipts") { rows.append($0) }
    let first = try #require(rows.first)
    #expect(first.values[0] == .string("WE-1"))
    #expect(first.values[1] == .date(CivilDate(year: 2024, month: 1, day: 15)!))
    #expect(first.values[2] == .string("SM1"))
    #expect(first.values[4] == .string("Kabel; gehackt"))
    #expect(first.values[5] == .string("post_consumer"))
    #expect(first.values[6] == .string("PCL"))
    #expect(first.values[8] == .decimal(ExactDecimal(mantissa: 100_005, scale: 4)))
    #expect(first.values[9] == .decimal(ExactDecimal(mantissa: 965, scale: 1)))
    // 2204.62262 lb x 0.00045359237 t/lb, exactly.
    #expect(first.values[10] == .decimal(ExactDecimal(mantissa: 9_999_999_991_614_094, scale: 16)))
    #expect(first.invalidColumns == [])
    let errors = ledger.cellErrors.map {
      "\($0.provenance.line):\($0.provenance.column ?? 0) \($0.provenance.columnName ?? "") \($0.code.id)"
    }
    #expect(errors == ["3:2 date CUS7006", "3:5 origin CUS7008", "3:10 cu_t CUS7004"])
    #expect(ledger.files.first?.extraColumns == ["Bemerkung"])
    #expect(ledger.files.first?.path.hasSuffix("/WE_export.csv") == true)
    let described = try #require(profile?.describe(table: "receipts"))
    #expect(described.contains("cu_t in lb -> t (x 0.00045359237)"))
    #expect(described.contains("site = 'SM1'"))
  }

  @Test func missingMappedColumnNamesTheExportHeader() throws {
    let (profile, _) = load(ProfileTests.erpProfile)
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(folder, "WE_export.csv", "Beleg;Datum\r\n")
    do {
      _ = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1, profile: profile)
      Issue.record("expected a missing column")
    } catch {
      #expect(error.diagnostic.code == .missingColumn)
      #expect(
        error.diagnostic.message
          == "receipts.csv has no column 'Lieferant' (the profile maps 'supplier' to it), which table 'receipts' requires"
      )
      #expect(error.diagnostic.span?.start.line == 1)
    }
  }

  @Test func profileErrorsHaveLocationsAndSuggestions() {
    let (profile, diagnostics) = load(
      """
      profile: broken
      delimeter: ";"
      date_format: yyyy/MM
      tables:
        reciepts:
          file: x.csv
        shipments:
          columns: {cu_tt: Menge}
          units: {customer: kg, cu_t: stone}
          delimiter: ";;"
      """)
    #expect(profile == nil)
    #expect(
      diagnostics == [
        "p.yaml:2:1 CUS6020 [\"delimiter\"]",
        "p.yaml:3:14 CUS6021 []",
        "p.yaml:5:3 CUS6022 [\"receipts\"]",
        "p.yaml:8:15 CUS6022 [\"cu_t\"]",
        "p.yaml:9:13 CUS6021 []",
        "p.yaml:9:33 CUS6021 []",
        "p.yaml:10:16 CUS6021 []",
      ])
  }

  @Test func topLevelSettingsApplyToEveryTableUnlessOverridden() {
    let (profile, _) = load(
      """
      profile: semicolons
      delimiter: ";"
      decimal_comma: true
      tables:
        sites: {delimiter: "\\t"}
      """)
    #expect(profile?.settings(for: "receipts").delimiter == ";")
    #expect(profile?.settings(for: "receipts").decimalComma == true)
    #expect(profile?.settings(for: "sites").delimiter == "\t")
  }

  @Test func unitsConvertExactly() {
    #expect(QuantityUnit.lb.tonnes == ExactDecimal("0.00045359237"))
    #expect(QuantityUnit.kg.tonnes == ExactDecimal("0.001"))
    #expect(QuantityUnit.t.tonnes == ExactDecimal("1"))
  }
}
