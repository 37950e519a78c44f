import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

@testable import CustodyEngine

/// Derived columns of a mapping profile (issue 19): `cu_t: {expr: "gross_t * cu_pct / 100"}`
/// compiled with the rule language at load, computed exactly on every row.
@Suite struct DerivedColumnTests {
  static let schemaText = """
    schema: derived-test
    version: "1"
    tables:
      - name: receipts
        file: receipts.csv
        entry_id: entry_id
        columns:
          - {name: entry_id, type: string, required: true}
          - {name: site, type: string, required: true}
          - {name: gross_t, type: decimal, unit: t, scale: 6, min: 0, required: true}
          - {name: cu_pct, type: decimal, unit: "%", scale: 6, min: 0}
          - {name: cu_t, type: decimal, unit: t, scale: 6, min: 0, required: true}
          - {name: lots, type: integer}

    """

  static let schema: LedgerSchema = {
    let dir = NSTemporaryDirectory() + "exports2-derived-schema-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/schema.yaml"
    FileManager.default.createFile(atPath: path, contents: Data(schemaText.utf8))
    let (schema, diagnostics) = Compiler().compileSchema(path: path)
    precondition(diagnostics.isEmpty, "\(diagnostics)")
    return schema!
  }()

  /// The export: no copper tonnage, gross weight in kg.
  static let csv = """
    Beleg,Werk,Brutto kg,Cu %
    R-1,TAM,122948,28.43
    R-2,TAM,10000,50
    R-3,TAM,abc,50
    R-4,TAM,1000,
    R-5,TAM,1000,-5
    R-6,TAM,2500,0

    """

  static func profileText(_ derived: String, extra: String = "") -> String {
    """
    profile: derived
    tables:
      receipts:
        columns:
          entry_id: Beleg
          site: Werk
          gross_t: Brutto kg
          cu_pct: Cu %
          cu_t: \(derived)
        units: {gross_t: kg}
    \(extra)
    """
  }

  func load(_ text: String, compiler: (any DerivedColumnCompiler)? = RuleLanguageDerivedColumns())
    -> (MappingProfile?, [String])
  {
    var bag = DiagnosticBag()
    let p = MappingProfile.load(
      text: text, path: "p.yaml", schema: Self.schema, into: &bag, derived: compiler)
    return (
      p,
      bag.sorted.map {
        "\($0.span.map { "\($0.start.line):\($0.start.column)" } ?? "-") \($0.code.id) \($0.message)\($0.suggestions.isEmpty ? "" : " \($0.suggestions)")"
      }
    )
  }

  func read(_ profile: MappingProfile) throws -> (rows: [String], errors: [String]) {
    let folder = NSTemporaryDirectory() + "exports2-derived-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    FileManager.default.createFile(atPath: folder + "/receipts.csv", contents: Data(Self.csv.utf8))
    let ledger = try FolderLedger.open(folder: folder, schema: Self.schema, profile: profile)
    var rows: [String] = []
    try ledger.read(table: "receipts") { row in
      rows.append(
        "\(row.entryID ?? "-") gross=\(row.values[2].literal) cu_t=\(row.values[4].literal) invalid=\(row.invalidColumns)"
      )
    }
    let errors = ledger.cellErrors.map {
      "\($0.provenance.line) \($0.provenance.columnName ?? "-") \($0.code.id) \($0.message)"
    }
    return (rows, errors)
  }

  @Test func computesExactlyPerRowAndNeverHidesAnUnreadableInput() throws {
    let (profile, diagnostics) = load(
      Self.profileText(#"{expr: "gross_t * cu_pct / 100", round: true}"#))
    #expect(diagnostics == [])
    let (rows, errors) = try read(try #require(profile))
    #expect(
      rows == [
        // 122.948 t x 28.43 % = 34.9541164 t, rounded half-even to the column's 6 digits.
        "R-1 gross=122.948 cu_t=34.954116 invalid=[]",
        "R-2 gross=10.000 cu_t=5 invalid=[]",
        "R-3 gross=null cu_t=null invalid=[2, 4]",
        "R-4 gross=1.000 cu_t=null invalid=[4]",
        "R-5 gross=1.000 cu_t=null invalid=[3, 4]",
        "R-6 gross=2.500 cu_t=0 invalid=[]",
      ])
    #expect(
      errors == [
        "4 gross_t CUS7002 'abc' is not a decimal number: unexpected character 'a' at position 1 of the number",
        "4 cu_t CUS7013 'cu_t' = gross_t * cu_pct / 100 cannot be computed: 'gross_t' is unreadable on this row",
        "5 cu_t CUS7001 'cu_t' = gross_t * cu_pct / 100 is empty on this row ('cu_pct' empty)",
        "6 cu_pct CUS7004 negative quantity -5",
        "6 cu_t CUS7013 'cu_t' = gross_t * cu_pct / 100 cannot be computed: 'cu_pct' is unreadable on this row",
      ])
  }

  @Test func moreDigitsThanTheScaleIsACellErrorWithoutRound() throws {
    let (profile, _) = load(Self.profileText(#"{expr: "gross_t * cu_pct / 100"}"#))
    let (rows, errors) = try read(try #require(profile))
    #expect(rows[0] == "R-1 gross=122.948 cu_t=null invalid=[4]")
    #expect(rows[1] == "R-2 gross=10.000 cu_t=5 invalid=[]")
    #expect(
      errors.first
        == "2 cu_t CUS7003 'cu_t' = gross_t * cu_pct / 100 is 34.9541164 with 7 fractional digits; at most 6 allowed (`round: true` rounds half-even, `round: half_up` half up)"
    )
  }

  @Test func roundingModeIsTheProfiles() throws {
    // 10 t x 0.00000025 + 1 = 1.0000025 t: a tie at the 7th digit.
    func cu(_ round: String) throws -> String {
      let (profile, diagnostics) = load(
        Self.profileText(#"{expr: "gross_t * 0.00000025 + 1", round: "# + round + "}"))
      #expect(diagnostics == [])
      return try read(try #require(profile)).rows[1]
    }
    #expect(try cu("true") == "R-2 gross=10.000 cu_t=1.000002 invalid=[]")  // half-even
    #expect(try cu("half_up") == "R-2 gross=10.000 cu_t=1.000003 invalid=[]")
    #expect(try cu("ceiling") == "R-2 gross=10.000 cu_t=1.000003 invalid=[]")
    #expect(try cu("down") == "R-2 gross=10.000 cu_t=1.000002 invalid=[]")
    let (_, bad) = load(Self.profileText(#"{expr: "gross_t", round: half_down}"#))
    #expect(
      bad == [
        "9:38 CUS6021 `round` is true, false or a rounding mode: half_even, half_up, down, up, floor, ceiling [\"half_even\"]"
      ])
  }

  @Test func divisionByZeroIsACellError() throws {
    let (profile, diagnostics) = load(Self.profileText(#"{expr: "gross_t / cu_pct"}"#))
    #expect(diagnostics == [])
    let (rows, errors) = try read(try #require(profile))
    #expect(rows[5] == "R-6 gross=2.500 cu_t=null invalid=[4]")
    #expect(
      errors.last?.hasPrefix("7 cu_t CUS7014 'cu_t' = gross_t / cu_pct: division by zero") == true)
  }

  @Test(arguments: [
    // Unknown column: located at the name inside the quoted expression, with did-you-mean.
    (
      #"{expr: "gross_t * cu_pc / 100"}"#,
      [
        "9:31 CUS3002 unknown field 'cu_pc' in table 'receipts' [\"cu_pct\", \"cu_t\"]"
      ]
    ),
    (
      #"{expr: "site"}"#,
      ["9:21 CUS3003 derived column 'cu_t' is a number, but 'site' is text"]
    ),
    (
      #"{expr: "cu_pct * 2"}"#,
      ["9:21 CUS3006 derived column 'cu_t' is in t, but 'cu_pct * 2' is in %"]
    ),
    (
      #"{expr: "gross_t + cu_pct"}"#,
      ["9:31 CUS3006 unit mismatch: 'gross_t' is in t but 'cu_pct' is in %"]
    ),
    (
      #"{expr: "cu_t * 2"}"#,
      ["9:21 CUS6026 derived column 'cu_t' cannot read itself"]
    ),
    (
      #"{expr: "gross_t", rnd: true}"#,
      ["9:31 CUS6020 unknown key 'rnd' in a mapping profile [\"round\"]"]
    ),
  ])
  func checkedAtLoad(_ derived: String, _ expected: [String]) {
    let (profile, diagnostics) = load(Self.profileText(derived))
    #expect(profile == nil)
    #expect(diagnostics == expected)
  }

  @Test func derivedColumnsStayNumbersAndComputedOnly() {
    var (_, d) = load(
      """
      profile: derived
      tables:
        receipts:
          columns:
            cu_t: {expr: "gross_t"}
          units: {cu_t: kg}
      """)
    #expect(d == ["5:20 CUS6026 derived column 'cu_t' is computed, so `units` cannot apply to it"])
    (_, d) = load(
      """
      profile: derived
      tables:
        receipts:
          columns:
            site: {expr: "gross_t"}
      """)
    #expect(
      d == [
        "5:7 CUS6026 derived column 'site' is not a number column; only decimal and integer columns can be computed"
      ])
  }

  @Test func aProfileWithADerivedColumnNeedsACompiler() throws {
    let (profile, diagnostics) = load(
      Self.profileText(#"{expr: "gross_t * cu_pct / 100"}"#), compiler: nil)
    #expect(profile == nil)
    #expect(
      diagnostics == [
        "9:20 CUS6026 derived column 'cu_t' needs the rule language to compile; this reader was given none"
      ])
    // Built by hand without compiling: the ledger refuses it rather than leave cu_t empty.
    var mapping = TableMapping(columns: ["entry_id": "Beleg"])
    let at = SourceLocation(file: "p.yaml", line: 3, column: 9)
    mapping.derived["cu_t"] = DerivedColumn(
      column: "cu_t",
      expression: YAMLScalar(
        value: "gross_t", style: .plain, span: SourceSpan(at), raw: "gross_t"))
    var hand = MappingProfile(name: "hand")
    hand.tables["receipts"] = mapping
    #expect(throws: LedgerError.self) { try read(hand) }
    do {
      _ = try read(hand)
    } catch let e as LedgerError {
      #expect(e.diagnostic.code == .derivedColumnInvalid)
      #expect(e.diagnostic.span?.start.line == 3)
    }
  }
}
