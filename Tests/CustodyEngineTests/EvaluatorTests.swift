import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Testing

@testable import CustodyEngine

/// Expression semantics: exact decimals, explicit nulls, lookups with validity windows.
@Suite struct EvaluatorTests {
  let b = ExprBuilder(schema: T.schema, table: "receipts")

  func row(_ cells: [String: String]) throws -> [Value] {
    let ledger = try InMemoryLedger(schema: T.schema, rows: ["receipts": [cells]])
    var values: [Value] = []
    try ledger.read(table: "receipts") { values = $0.values }
    return values
  }

  func eval(_ e: ExprNode, _ cells: [String: String] = [:], lookups: Lookups = Lookups()) throws
    -> Value
  {
    var frame = Frame(row: try row(cells))
    return try ProgramCompiler(lookups: lookups).evaluate(e, &frame)
  }

  func error(_ e: ExprNode, _ cells: [String: String] = [:], lookups: Lookups = Lookups()) throws
    -> EvaluationError?
  {
    do {
      _ = try eval(e, cells, lookups: lookups)
      return nil
    } catch let error as EvaluationError {
      return error
    }
  }

  @Test func decimalArithmeticIsExact() throws {
    let e = b.bin(.add, b.num("0.1"), b.num("0.2"))
    #expect(try eval(e) == .decimal(T.d("0.3")))
    let q = b.bin(.divide, b.num("1"), b.num("3"))
    #expect(try eval(q) == .decimal(T.d("0.333333333333333333")))
  }

  @Test func nullInArithmeticOrOrderingIsAnError() throws {
    let sum = b.bin(.add, b.col("cu_t"), b.num("1"))
    #expect(try error(sum, ["entry_id": "R1"])?.code == .nullOperand)
    let less = b.bin(.less, b.col("cu_t"), b.num("1"))
    #expect(try error(less, ["entry_id": "R1"])?.code == .nullOperand)
    // == and != handle null explicitly.
    #expect(try eval(b.bin(.equal, b.col("cu_t"), b.null()), ["entry_id": "R1"]) == .bool(true))
    #expect(
      try eval(b.bin(.notEqual, b.col("cu_t"), b.null()), ["entry_id": "R1", "cu_t": "2"])
        == .bool(true))
    // `and` short-circuits, so a guard keeps the comparison from seeing null.
    let guarded = b.bin(
      .and, b.bin(.notEqual, b.col("cu_t"), b.null()), b.bin(.less, b.col("cu_t"), b.num("1")))
    #expect(try eval(guarded, ["entry_id": "R1"]) == .bool(false))
    #expect(
      try eval(b.call(.coalesce, b.col("cu_t"), b.num("7")), ["entry_id": "R1"]) == .decimal(7))
  }

  @Test func divisionByZeroIsAnError() throws {
    #expect(try error(b.bin(.divide, b.num("1"), b.num("0")))?.code == .divisionByZero)
  }

  @Test func lookupsHonourValidityWindowsAndNullSafety() throws {
    let ledger = try InMemoryLedger(
      schema: T.schema,
      rows: [
        "conversion_factors": [
          ["site": "S1", "valid_from": "2024-01-01", "valid_to": "2024-06-30", "factor": "0.9"],
          ["site": "S1", "valid_from": "2024-07-01", "factor": "0.8"],
        ]
      ])
    var rows: [LedgerRow] = []
    try ledger.read(table: "conversion_factors") { rows.append($0) }
    let lookups = Lookups()
    lookups.add(LookupIndex(table: try #require(T.schema.table("conversion_factors")), rows: rows))
    let factor = b.member(
      b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor")
    #expect(
      try eval(factor, ["entry_id": "R", "site": "S1", "date": "2024-06-30"], lookups: lookups)
        == .decimal(T.d("0.9")))
    #expect(
      try eval(factor, ["entry_id": "R", "site": "S1", "date": "2024-07-01"], lookups: lookups)
        == .decimal(T.d("0.8")))
    #expect(
      try eval(factor, ["entry_id": "R", "site": "S1", "date": "2030-01-01"], lookups: lookups)
        == .decimal(T.d("0.8")))
    // Before any window: `.factor` is an error, `?.factor` is null.
    let e = try error(
      factor, ["entry_id": "R", "site": "S1", "date": "2023-12-31"], lookups: lookups)
    #expect(e?.code == .missingLookupRow)
    let safe = b.member(
      b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor", nullSafe: true)
    #expect(
      try eval(safe, ["entry_id": "R", "site": "S2", "date": "2024-01-01"], lookups: lookups)
        == .null)
  }

  /// Lookups made through one frame share a one-entry cache (`Frame.lookupMemo`): a repeated
  /// lookup of the same key and date gives the same row, and a different key, date or index is
  /// looked up afresh, whatever row the frame held when the entry was made.
  @Test func repeatedLookupsThroughOneFrameGiveWhatFreshFramesGive() throws {
    let ledger = try InMemoryLedger(
      schema: T.schema,
      rows: [
        "conversion_factors": [
          ["site": "S2", "valid_from": "2024-01-01", "factor": "0.7"],
          ["site": "S1", "valid_from": "2024-07-01", "factor": "0.8"],
          ["site": "S1", "valid_from": "2024-01-01", "valid_to": "2024-06-30", "factor": "0.9"],
        ],
        // The same key, "S1", in another table.
        "due_diligence": [
          ["supplier_id": "S1", "status": "passed", "valid_from": "2024-01-01"],
          ["supplier_id": "S2", "status": "failed", "valid_from": "2024-01-01"],
        ],
      ])
    let lookups = try Lookups.load(["conversion_factors", "due_diligence"], from: ledger)
    let factor = b.member(
      b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor")
    let status = b.member(
      b.lookup("due_diligence", [b.col("supplier_id")], at: b.col("date")), "status")
    let compiler = ProgramCompiler(lookups: lookups)
    let cases: [([String: String], ExprNode, Value)] = [
      (["site": "S1", "date": "2024-06-30"], factor, .decimal(T.d("0.9"))),
      (["site": "S1", "date": "2024-06-30"], factor, .decimal(T.d("0.9"))),  // the cached entry
      (["site": "S1", "date": "2024-07-01"], factor, .decimal(T.d("0.8"))),  // another date
      (["site": "S2", "date": "2024-07-01"], factor, .decimal(T.d("0.7"))),  // another key
      (["supplier_id": "S2", "date": "2024-07-01"], status, .string("failed")),  // another index
      (["supplier_id": "S1", "date": "2024-07-01"], status, .string("passed")),
      (["site": "S1", "date": "2024-07-01"], factor, .decimal(T.d("0.8"))),
    ]
    var shared = Frame()
    for (cells, e, expected) in cases {
      shared.row = try row(cells.merging(["entry_id": "R"]) { a, _ in a })
      #expect(try compiler.evaluate(e, &shared) == expected, "\(cells)")
      var fresh = Frame(row: shared.row)
      #expect(try compiler.evaluate(e, &fresh) == expected, "\(cells), fresh frame")
    }
    // The cache holds the last lookup made.
    #expect(shared.lookupMemo?.key == .string("S1"))
    #expect(shared.lookupMemo?.date == CivilDate.parseISO("2024-07-01"))
  }

  @Test func builtins() throws {
    #expect(try eval(b.call(.round, b.num("2.345"), b.int(2))) == .decimal(T.d("2.35")))
    #expect(try eval(b.call(.abs, b.num("-2.5"))) == .decimal(T.d("2.5")))
    #expect(try eval(b.call(.max, b.num("1"), b.num("3"), b.num("2"))) == .decimal(3))
    #expect(
      try eval(b.call(.addMonths, b.date("2024-01-31"), b.int(1)))
        == .date(try #require(CivilDate.parseISO("2024-02-29"))))
    #expect(
      try eval(b.call(.monthsBetween, b.date("2024-01-31"), b.date("2024-02-28"))) == .integer(0))
    #expect(
      try eval(b.call(.monthsBetween, b.date("2024-01-15"), b.date("2025-01-15"))) == .integer(12))
    #expect(
      try eval(b.call(.daysBetween, b.date("2024-02-28"), b.date("2024-03-01"))) == .integer(2))
    #expect(try eval(b.call(.quarter, b.date("2024-08-01"))) == .integer(3))
    #expect(try eval(b.call(.upper, b.str("pcl"))) == .string("PCL"))
    #expect(try eval(b.call(.contains, b.strings(["a", "b"]), b.str("b"))) == .bool(true))
    #expect(try eval(b.call(.len, b.str("abc"))) == .integer(3))
    #expect(try eval(b.call(.matches, b.str("S-000123"), b.str("^S-[0-9]+$"))) == .bool(true))
    #expect(try eval(b.call(.matches, b.str("S-00012x"), b.str("^S-\\d+$"))) == .bool(false))
    #expect(try error(b.call(.abs, b.col("cu_t")), ["entry_id": "R"])?.code == .nullOperand)
    #expect(try error(b.call(.matches, b.str("x"), b.str("(unclosed")))?.code == .badArgument)
    #expect(
      try error(b.call(.matches, b.col("site"), b.str("^S")), ["entry_id": "R"])?.code
        == .nullOperand)
    // A pattern computed per row goes through the general path.
    #expect(
      try eval(b.call(.matches, b.str("S-1"), b.col("site")), ["entry_id": "R", "site": "^S-\\d$"])
        == .bool(true))
  }

  @Test func patternsRunInLinearTime() {
    // (a*)*b against a long run of a's is exponential with backtracking.
    let p = Pattern("(a*)*b")
    #expect(p != nil)
    #expect(p?.matches(String(repeating: "a", count: 5000)) == false)
    #expect(Pattern("ab|cd")?.matches("xxcdxx") == true)
    #expect(Pattern("(unclosed") == nil)
  }

  @Test func traceRecordsEveryNodeValue() throws {
    let e = b.bin(.lessOrEqual, b.bin(.multiply, b.col("cu_t"), b.num("2")), b.num("5"))
    var frame = Frame(row: try row(["entry_id": "R", "cu_t": "3"]), trace: Trace())
    let v = try ProgramCompiler(lookups: Lookups(), tracing: true).evaluate(e, &frame)
    #expect(v == .bool(false))
    let lhs = try #require(Self.leftOperand(e))
    #expect(frame.trace?.values[lhs.id] == .decimal(6))
    #expect(frame.trace?.values.count == 5)
  }
}

@Suite struct ExplainTests {
  @Test func explainRecordsValuesAndTheFailingNode() throws {
    let b = ExprBuilder(schema: T.schema, table: "receipts")
    let ledger = try InMemoryLedger(
      schema: T.schema,
      rows: [
        "conversion_factors": [
          ["site": "S1", "valid_from": "2024-01-01", "valid_to": "2024-12-31", "factor": "0.5"]
        ],
        "receipts": [["entry_id": "R1", "site": "S1", "date": "2025-01-01", "cu_t": "4"]],
      ])
    let lookups = try Lookups.load(["conversion_factors"], from: ledger)
    var row: [Value] = []
    try ledger.read(table: "receipts") { row = $0.values }
    let member = b.member(
      b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor")
    let e = b.bin(.multiply, b.col("cu_t"), member)
    let trace = ExpressionTrace.evaluate(e, row: row, lookups: lookups)
    #expect(trace.value == nil)
    #expect(trace.error?.code == .missingLookupRow)
    #expect(trace.failedNode == member.id)
    let cu = try #require(EvaluatorTests.leftOperand(e))
    #expect(trace.values[cu.id] == .decimal(4))
  }
}

extension EvaluatorTests {
  /// The left operand of a binary expression; nil for any other kind (the test then fails).
  static func leftOperand(_ e: ExprNode) -> ExprNode? {
    if case .binary(_, let lhs, _) = e.kind { return lhs }
    return nil
  }
}
