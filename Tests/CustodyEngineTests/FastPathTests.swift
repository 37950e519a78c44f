import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Testing

@testable import CustodyEngine

/// The evaluator's fast paths (`in` a constant list, `== null`, `table[key].column`, one-key
/// lookups, `abs`) give exactly what the general nodes give: the same value, or the same error
/// code, message and location. The tracing compiler takes the general nodes, so it is the
/// reference.
@Suite struct FastPathTests {
  let b = ExprBuilder(schema: T.schema, table: "receipts")

  /// Rows covering nulls, strings, numbers of two scales and dates in and out of windows.
  let rows: [[String: String]] = [
    ["entry_id": "R1"],
    ["entry_id": "R2", "site": "S1", "pool": "PCL", "cu_t": "2", "date": "2024-03-01"],
    ["entry_id": "R3", "site": "S2", "pool": "MR", "cu_t": "2.50", "date": "2024-08-01"],
    ["entry_id": "R4", "site": "S1", "pool": "none", "cu_t": "-3.125", "date": "2023-01-01"],
    ["entry_id": "R5", "site": "S9", "pool": "K", "cu_t": "0", "date": "2024-07-01"],
  ]

  func lookups() throws -> Lookups {
    let ledger = try InMemoryLedger(
      schema: T.schema,
      rows: [
        "conversion_factors": [
          ["site": "S1", "valid_from": "2024-01-01", "valid_to": "2024-06-30", "factor": "0.9"],
          ["site": "S1", "valid_from": "2024-07-01", "factor": "0.8"],
          ["site": "S2", "valid_from": "2024-01-01", "factor": "1"],
        ]
      ])
    return try Lookups.load(["conversion_factors"], from: ledger)
  }

  enum Outcome: Equatable {
    case value(Value)
    case error(String, String, SourceSpan?)
  }

  func outcome(_ e: ExprNode, _ cells: [String: String], tracing: Bool, _ l: Lookups) throws
    -> Outcome
  {
    let ledger = try InMemoryLedger(schema: T.schema, rows: ["receipts": [cells]])
    var values: [Value] = []
    try ledger.read(table: "receipts") { values = $0.values }
    var frame = Frame(row: values, trace: tracing ? Trace() : nil)
    let owned: Outcome
    do throws(EvaluationError) {
      owned = .value(try ProgramCompiler(lookups: l, tracing: tracing).evaluate(e, &frame))
    } catch {
      owned = .error(error.code.id, error.message, error.span)
    }
    // The same cells borrowed, as the engine streams them.
    let borrowed = values.withUnsafeBufferPointer { cells -> Outcome in
      var frame = Frame(trace: tracing ? Trace() : nil)
      frame.cells = cells
      do throws(EvaluationError) {
        return .value(try ProgramCompiler(lookups: l, tracing: tracing).evaluate(e, &frame))
      } catch {
        return .error(error.code.id, error.message, error.span)
      }
    }
    #expect(owned == borrowed, "\(e.text): a borrowed row gives what an owned one gives")
    return owned
  }

  /// Every row: the fast result equals the general one; returns the fast results.
  @discardableResult
  func agree(_ e: ExprNode, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    -> [Outcome]
  {
    let l = try lookups()
    var out: [Outcome] = []
    for cells in rows {
      let fast = try outcome(e, cells, tracing: false, l)
      let general = try outcome(e, cells, tracing: true, l)
      #expect(fast == general, "row \(cells["entry_id"] ?? "?")", sourceLocation: sourceLocation)
      out.append(fast)
    }
    return out
  }

  @Test func fieldComparedWithAConstantInPlace() throws {
    // Either side, == and !=, strings, numbers of two scales,
    // a parameter, a date, and a missing cell (null equals no constant).
    let pools = try agree(b.bin(.equal, b.col("pool"), b.str("PCL")))
    #expect(pools == [false, true, false, false, false].map { .value(.bool($0)) })
    let id = try agree(b.bin(.equal, b.str("R3"), b.col("entry_id")))
    #expect(id == [false, false, true, false, false].map { .value(.bool($0)) })
    let two = try agree(b.bin(.notEqual, b.col("cu_t"), b.num("2.0")))
    #expect(two == [true, false, true, true, true].map { .value(.bool($0)) })
    try agree(b.bin(.equal, b.col("site"), b.param("site", .string("S1"))))
    try agree(b.bin(.equal, b.col("date"), b.date("2024-03-01")))
    try agree(b.bin(.equal, b.col("cu_t"), b.str("2")))
  }

  /// `==`/`!=` with a row field on one side and a computed value on the other (the cell is read
  /// in place): the same results and, when the computed side fails, the same error, on either
  /// side and with both sides row fields.
  @Test func fieldComparedWithAComputedValueInPlace() throws {
    let sum = b.bin(.add, b.col("cu_t"), b.num("0.00"))
    let right = try agree(b.bin(.equal, sum, b.col("cu_t")))
    // R1 has no cu_t and R4's is below the minimum (a null cell): null in arithmetic is an
    // error, whichever side the row field is on.
    for i in [0, 3] {
      if case .error(let code, _, _) = right[i] {
        #expect(code == DiagnosticCode.nullOperand.id)
      } else {
        Issue.record("expected an error for row \(i + 1), got \(right[i])")
      }
    }
    #expect([right[1], right[2], right[4]] == [true, true, true].map { .value(.bool($0)) })
    try agree(b.bin(.notEqual, b.col("cu_t"), sum))
    let sites = try agree(b.bin(.equal, b.col("site"), b.col("pool")))
    #expect(sites == [true, false, false, false, false].map { .value(.bool($0)) })
    try agree(b.bin(.notEqual, b.col("pool"), b.call(.upper, b.col("pool"))))
  }

  @Test func membershipInAConstantList() throws {
    let pools = try agree(b.bin(.in, b.col("pool"), b.strings(["PCL", "MR"])))
    let expected: [Outcome] = [false, true, true, false, false].map { .value(.bool($0)) }
    #expect(pools == expected)
    // A parameter list and `not in`; strings compare by canonical equivalence (the Kelvin
    // sign is K).
    try agree(b.bin(.notIn, b.col("pool"), b.param("pools", .list([.string("MR")]))))
    let kelvin = try agree(b.bin(.in, b.str("K"), b.param("p", .list([.string("\u{212A}")]))))
    #expect(kelvin.last == .value(.bool(true)))
    // Numbers compare by value across scales; a mixed list takes the general comparison.
    let numbers = try agree(
      b.bin(.in, b.col("cu_t"), b.list([b.num("2.5"), b.int(0), b.str("2")])))
    let inList: [Outcome] = [false, false, true, false, true].map { .value(.bool($0)) }
    #expect(numbers == inList)
  }

  @Test func nullTestsOnEitherSide() throws {
    let present = try agree(b.bin(.notEqual, b.col("site"), b.null()))
    #expect(present.first == .value(.bool(false)))
    #expect(present.dropFirst().allSatisfy { $0 == .value(.bool(true)) })
    try agree(b.bin(.equal, b.null(), b.col("cu_t")))
    // A computed operand keeps its own errors: null in arithmetic is still an error.
    let sum = try agree(b.bin(.equal, b.bin(.add, b.col("cu_t"), b.num("1")), b.null()))
    #expect(
      sum.first.map { if case .error(let code, _, _) = $0 { code } else { "" } }
        == DiagnosticCode.nullOperand.id)
  }

  @Test func lookupMembersAndOneKeyLookups() throws {
    let factor = b.member(
      b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor")
    let found = try agree(factor)
    #expect(found[1] == .value(.decimal(T.d("0.9"))))
    #expect(found[2] == .value(.decimal(T.d("1"))))
    if case .error(let code, _, _) = found[3] {
      #expect(code == DiagnosticCode.missingLookupRow.id)
    } else {
      Issue.record("a receipt before every window must be an error, got \(found[3])")
    }
    let safe = try agree(
      b.member(
        b.lookup("conversion_factors", [b.col("site")], at: b.col("date")), "factor",
        nullSafe: true))
    #expect(safe[3] == .value(.null))
    #expect(safe[4] == .value(.null))
    try agree(b.lookup("conversion_factors", [b.col("site")], at: b.col("date")))
  }

  @Test func absoluteValue() throws {
    let abs = try agree(b.call(.abs, b.col("cu_t")))
    #expect(abs[2] == .value(.decimal(T.d("2.50"))))
    let negative = try agree(b.call(.abs, b.num("-3.125")))
    #expect(negative.first == .value(.decimal(T.d("3.125"))))
    if case .error(let code, let message, _) = abs[0] {
      #expect(code == DiagnosticCode.nullOperand.id)
      #expect(message == "argument 1 of abs() is null")
    } else {
      Issue.record("abs(null) must be an error")
    }
    #expect(try agree(b.call(.abs, b.int(-4))).first == .value(.integer(4)))
    let overflow = try agree(b.call(.abs, b.int(Int(Int64.min))))
    #expect(
      overflow.first.map { if case .error(let c, _, _) = $0 { c } else { "" } }
        == DiagnosticCode.arithmeticOverflow.id)
  }

  /// Boolean nodes (`and`/`or`, comparisons, membership, null tests, `if` conditions, filters
  /// and assertions) are read unboxed through `Program.test`; the tracing compiler wraps every
  /// node, so it takes the boxed path. Both agree, errors included, and `test` gives what
  /// `eval` gives.
  @Test func booleanNodesDecideUnboxed() throws {
    let bools = { (xs: [Bool]) in xs.map { Outcome.value(.bool($0)) } }
    let chain = b.bin(
      .and, b.bin(.notEqual, b.col("site"), b.null()),
      b.bin(.greater, b.col("cu_t"), b.num("1")))
    // R4's cu_t is negative, below the schema's minimum: a null cell, so `>` is an error.
    let chained = try agree(chain)
    #expect(Array(chained.prefix(3)) == bools([false, true, true]))
    #expect(code(chained[3]) == DiagnosticCode.nullOperand.id)
    #expect(chained[4] == .value(.bool(false)))
    let choice = b.iff(
      b.bin(.in, b.col("pool"), b.strings(["PCL", "MR"])),
      b.bin(.greaterOrEqual, b.col("cu_t"), b.num("2")), b.bin(.equal, b.col("site"), b.str("S1")))
    #expect(try agree(choice) == bools([false, true, true, true, false]))
    // A null reaching a comparison is an error, not false.
    let either = try agree(
      b.bin(.or, b.bin(.equal, b.col("pool"), b.str("PCL")), b.bin(.less, b.col("cu_t"), b.int(1))))
    #expect(either.first.map(code) == DiagnosticCode.nullOperand.id)
    #expect(Array(either[1...2]) == bools([true, false]))
    #expect(code(either[3]) == DiagnosticCode.nullOperand.id)
    #expect(either[4] == .value(.bool(true)))
    // A non-boolean operand of `and` is an error naming it.
    let loose = try agree(b.bin(.and, b.bin(.notEqual, b.col("site"), b.null()), b.col("cu_t")))
    #expect(loose.first == .value(.bool(false)))
    if case .error(let c, let message, _) = loose[1] {
      #expect(c == DiagnosticCode.unexpectedType.id)
      #expect(message == "`cu_t` is 2, not a boolean")
    } else {
      Issue.record("`and` over a number must be an error, got \(loose[1])")
    }
    // Longer chains, nested either way, with a non-boolean operand inside.
    let present = ["entry_id", "site", "pool", "cu_t"].map { b.bin(.notEqual, b.col($0), b.null()) }
    let all = present.dropFirst().reduce(present[0]) { b.bin(.and, $0, $1) }
    let allPresent = try agree(all)
    // R4 and R5 hold pools the schema does not list ("none", "K"): null cells.
    #expect(allPresent == bools([false, true, true, false, false]))
    let nested = b.bin(
      .and, b.bin(.and, present[1], b.bin(.and, present[2], b.col("cu_t"))), present[0])
    let mixed = try agree(nested)
    #expect(mixed.first == .value(.bool(false)))
    #expect(code(mixed[1]) == DiagnosticCode.unexpectedType.id)
    let any = b.bin(
      .or,
      b.bin(.or, b.bin(.equal, b.col("pool"), b.str("K")), b.bin(.less, b.col("cu_t"), b.int(1))),
      b.bin(.equal, b.col("site"), b.str("S2")))
    let anyOf = try agree(any)
    #expect(code(anyOf[0]) == DiagnosticCode.nullOperand.id)
    #expect(Array(anyOf[1...2]) == bools([false, true]))
    #expect(code(anyOf[3]) == DiagnosticCode.nullOperand.id)
    #expect(anyOf[4] == .value(.bool(true)))
    // `test` and `eval` of the same compiled node.
    let l = try lookups()
    for e in [
      chain, choice, b.not(chain), b.bin(.notIn, b.col("pool"), b.strings(["MR"])), all, nested,
      any,
    ] {
      let program = ProgramCompiler(lookups: l).compile(e)
      for cells in rows {
        let ledger = try InMemoryLedger(schema: T.schema, rows: ["receipts": [cells]])
        var values: [Value] = []
        try ledger.read(table: "receipts") { values = $0.values }
        var frame = Frame(row: values)
        let boxed: Value? = try? program.eval(&frame)
        let unboxed: Bool? = try? program.test(&frame)
        #expect(boxed == unboxed.map(Value.bool), "\(e.text), row \(cells["entry_id"] ?? "?")")
      }
    }
  }

  private func code(_ o: Outcome) -> String {
    if case .error(let c, _, _) = o { c } else { "" }
  }
}
