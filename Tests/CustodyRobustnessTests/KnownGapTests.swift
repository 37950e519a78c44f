import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyValues
import Foundation
import Testing

/// Regressions for hostile inputs the fuzzers and this suite found: a JSON Lines string over
/// the field limit, and regular-expression patterns (from a ledger cell) deep or long enough to
/// overflow a recursive parser. Each ran as a known issue until fixed.
@Suite struct KnownGapTests {
  @Test func jsonLinesFieldLimit() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    // A 2 MiB string value: over `maxFieldBytes` (1 MiB), under `maxRecordBytes` (16 MiB).
    try Robust.writeBig(
      folder + "/receipts.jsonl",
      header:
        "{\"entry_id\": \"R-1\", \"date\": \"2024-01-01\", \"pool\": \"PCL\", \"cu_t\": 1, \"note\": \"",
      unit: String(repeating: "x", count: 1024), count: 2048, tail: "\"}\n")
    #expect(Robust.readLedger(folder).hasPrefix("CUS6011@1:"))
  }

  /// `matches(note, note)` with a ledger cell of 100,000 `(`: the pattern parser recurses per
  /// `(` and overflows the stack. Run in a child process so the crash cannot take the test
  /// runner down.
  @Test func deepPatternFromALedgerCell() async {
    await #expect(processExitsWith: .success) {
      let (compiled, _) = CustodyLanguage.ExpressionCompiler.compile(
        text: "matches(note, note)", table: Robust.expressionReceipts,
        schema: Robust.expressionSchema)
      let node = try #require(compiled)
      var row = Array(repeating: Value.null, count: Robust.expressionReceipts.columns.count)
      row[Robust.expressionReceipts.columns.count - 1] = .string(
        String(repeating: "(", count: 100_000))
      var frame = Frame(row: row)
      _ = try? ProgramCompiler(lookups: Lookups()).evaluate(node, &frame)
    }
  }

  /// The same with alternation: `a|a|...|a` recurses once per `|`.
  @Test func longAlternationFromALedgerCell() async {
    await #expect(processExitsWith: .success) {
      let (compiled, _) = CustodyLanguage.ExpressionCompiler.compile(
        text: "matches(note, note)", table: Robust.expressionReceipts,
        schema: Robust.expressionSchema)
      let node = try #require(compiled)
      var row = Array(repeating: Value.null, count: Robust.expressionReceipts.columns.count)
      row[Robust.expressionReceipts.columns.count - 1] = .string(
        String(repeating: "a|", count: 200_000) + "a")
      var frame = Frame(row: row)
      _ = try? ProgramCompiler(lookups: Lookups()).evaluate(node, &frame)
    }
  }

  /// Evaluates `text` against a row whose integer column `lines` holds `Int64.min` (a valid
  /// ledger cell: -9223372036854775808), in a child process.
  static func evaluateWithSmallestInteger(_ text: String) throws {
    let table = Robust.expressionReceipts
    let (compiled, _) = CustodyLanguage.ExpressionCompiler.compile(
      text: text, table: table, schema: Robust.expressionSchema)
    let node = try #require(compiled)
    let lines = try #require(table.columnIndex("lines"))
    var row = Array(repeating: Value.null, count: table.columns.count)
    row[lines] = .integer(Int64.min)
    var frame = Frame(row: row)
    _ = try? ProgramCompiler(lookups: Lookups()).evaluate(node, &frame)
  }

  /// Found by FuzzExpression: `-x` on an integer traps on overflow
  /// (CustodyEngine/Evaluator/ProgramCompiler.swift, `.integer(-i)`) instead of the
  /// `arithmeticOverflow` error that `+ - *` give.
  @Test func negatingTheSmallestInteger() async {
    await #expect(processExitsWith: .success) {
      try KnownGapTests.evaluateWithSmallestInteger("-lines < 0")
    }
  }

  /// The same in `abs` (CustodyEngine/Evaluator/Builtins.swift, `n < 0 ? -n : n`).
  @Test func absOfTheSmallestInteger() async {
    await #expect(processExitsWith: .success) {
      try KnownGapTests.evaluateWithSmallestInteger("abs(lines) > 0")
    }
  }
}
