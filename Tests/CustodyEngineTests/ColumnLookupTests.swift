import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Testing

@testable import CustodyEngine

/// `table[column = value]` and `table[column = value @ date]`: the first row in file order whose
/// column equals the value (a list column: contains it), within the validity window.
@Suite struct ColumnLookupTests {
  static let partners = TableSchema(
    name: "partners", file: "partners.csv", key: ["partner"], entryID: "partner",
    columns: [
      ColumnSchema(name: "partner", type: .string, required: true),
      ColumnSchema(name: "region", type: .string, required: false),
      ColumnSchema(name: "valid_from", type: .date, required: false),
      ColumnSchema(name: "valid_to", type: .date, required: false),
      ColumnSchema(name: "affiliates", type: .list(separator: ";"), required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let shipments = TableSchema(
    name: "shipments", file: "shipments.csv", key: ["entry_id"], entryID: "entry_id",
    columns: [
      ColumnSchema(name: "entry_id", type: .string, required: true),
      ColumnSchema(name: "date", type: .date, required: false),
      ColumnSchema(name: "customer", type: .string, required: false),
    ])
  static let schema = LedgerSchema(id: "t", version: "1", tables: [shipments, partners])

  /// File order: KAR (window 2024), TKW (open), KAR2 (2025 on), which shares KAR-CU with KAR.
  static let partnerRows: [[String: String]] = [
    [
      "partner": "KAR", "region": "east", "valid_from": "2024-01-01", "valid_to": "2024-12-31",
      "affiliates": "KAR-ES;KAR-CU",
    ],
    ["partner": "TKW", "region": "west", "affiliates": "TKW-CA;TKW-CA"],
    ["partner": "KAR2", "region": "east", "valid_from": "2025-01-01", "affiliates": "KAR-CU"],
    ["partner": "NSE", "region": "south"],
  ]

  func compile(_ text: String) throws -> ExprNode {
    let (node, diagnostics) = ExpressionCompiler.compile(
      text: text, table: Self.shipments, schema: Self.schema)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    return try #require(node)
  }

  func lookups() throws -> Lookups {
    let ledger = try InMemoryLedger(schema: Self.schema, rows: ["partners": Self.partnerRows])
    return try Lookups.load(["partners"], from: ledger)
  }

  func eval(_ text: String, customer: String, date: String = "2024-06-01") throws -> Value {
    let ledger = try InMemoryLedger(
      schema: Self.schema,
      rows: ["shipments": [["entry_id": "S1", "date": date, "customer": customer]]])
    var row: [Value] = []
    try ledger.read(table: "shipments") { row = $0.values }
    var frame = Frame(row: row)
    return try ProgramCompiler(lookups: try lookups()).evaluate(try compile(text), &frame)
  }

  /// `text` must fail as an ambiguous lookup naming both rows (issue 16: lookups never guess).
  func expectAmbiguous(
    _ text: String, customer: String, date: String = "2024-06-01", _ rows: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    do {
      let v = try eval(text, customer: customer, date: date)
      Issue.record("expected an ambiguous lookup, got \(v)", sourceLocation: sourceLocation)
    } catch {
      let message = "\(error)"
      #expect(message.contains("[CUS8008]"), sourceLocation: sourceLocation)
      #expect(message.contains(rows), "\(message)", sourceLocation: sourceLocation)
    }
  }

  @Test func listColumnMatchesAnyItemAndNeverGuesses() throws {
    let text = "partners[affiliates = customer]?.partner"
    #expect(try eval(text, customer: "KAR-ES") == .string("KAR"))
    #expect(try eval(text, customer: "TKW-CA") == .string("TKW"))
    // Listed by KAR and KAR2: without a date both match, and neither is picked.
    expectAmbiguous(text, customer: "KAR-CU", "partners.csv:2 and :4 both match")
    // A whole cell or a prefix of an item is no match; nor is a partner id.
    #expect(try eval(text, customer: "KAR-ES;KAR-CU") == .null)
    #expect(try eval(text, customer: "KAR-C") == .null)
    #expect(try eval(text, customer: "KAR") == .null)
  }

  @Test func validityWindowFiltersBothEndsIncluded() throws {
    let text = "partners[affiliates = customer @ date]?.partner"
    #expect(try eval(text, customer: "KAR-CU", date: "2024-12-31") == .string("KAR"))
    #expect(try eval(text, customer: "KAR-CU", date: "2025-01-01") == .string("KAR2"))
    #expect(try eval(text, customer: "KAR-ES", date: "2024-01-01") == .string("KAR"))
    #expect(try eval(text, customer: "KAR-ES", date: "2023-12-31") == .null)
    #expect(try eval(text, customer: "KAR-ES", date: "2025-01-01") == .null)
    // Open window (both ends empty).
    #expect(try eval(text, customer: "TKW-CA", date: "1999-01-01") == .string("TKW"))
  }

  @Test func plainColumnMatchesEqualCells() throws {
    expectAmbiguous(
      "partners[region = \"east\"]?.partner", customer: "x", "partners.csv:2 and :4 both match")
    #expect(
      try eval("partners[region = \"east\" @ date]?.partner", customer: "x", date: "2025-03-01")
        == .string("KAR2"))
    #expect(try eval("partners[region = \"north\"]?.partner", customer: "x") == .null)
    #expect(try eval("partners[partner = customer]?.region", customer: "NSE") == .string("south"))
    // The key lookup and the column lookup agree on the partner itself.
    #expect(
      try eval(
        "coalesce(partners[customer]?.partner, partners[affiliates = customer]?.partner)",
        customer: "TKW") == .string("TKW"))
    #expect(
      try eval(
        "coalesce(partners[customer]?.partner, partners[affiliates = customer]?.partner)",
        customer: "TKW-CA") == .string("TKW"))
  }

  @Test func missingRowWithPlainDotIsAnError() throws {
    let ledger = try InMemoryLedger(
      schema: Self.schema,
      rows: ["shipments": [["entry_id": "S1", "date": "2024-06-01", "customer": "CUS-03"]]])
    var row: [Value] = []
    try ledger.read(table: "shipments") { row = $0.values }
    var frame = Frame(row: row)
    do {
      _ = try ProgramCompiler(lookups: try lookups()).evaluate(
        try compile("partners[affiliates = customer].partner"), &frame)
      Issue.record("expected an error")
    } catch let e as EvaluationError {
      #expect(e.code == .missingLookupRow)
    }
  }

  @Test func engineLoadsTheLookedUpTable() throws {
    let check = CheckSpec.row(
      RowCheckSpec(
        table: "shipments", filter: nil,
        assertion: try compile(
          "partners[customer] != null or partners[affiliates = customer @ date] != null")))
    let standard = CompiledStandard.single(T.instance("r", check), schema: Self.schema)
    let ledger = try InMemoryLedger(
      schema: Self.schema,
      rows: [
        "partners": Self.partnerRows,
        "shipments": [
          ["entry_id": "S1", "date": "2024-06-01", "customer": "KAR-CU"],
          ["entry_id": "S2", "date": "2024-06-01", "customer": "CUS-03"],
          ["entry_id": "S3", "date": "2024-06-01", "customer": "NSE"],
          ["entry_id": "S4", "date": "2023-06-01", "customer": "KAR-ES"],
          ["entry_id": "S5", "date": "2026-06-01", "customer": "KAR-CU"],
        ],
      ])
    let result = try Engine(standard: standard).evaluate(ledger: ledger)
    #expect(result.rows("r") == ["S2", "S4"])
  }
}
