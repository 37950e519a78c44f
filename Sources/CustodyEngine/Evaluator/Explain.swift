import CustodyLanguage
import CustodyLedger
import CustodyValues

/// One expression evaluated with every node's value recorded, for `custody explain`.
public struct ExpressionTrace: Sendable {
  /// The expression's value, or nil when it failed.
  public var value: Value?
  public var error: EvaluationError?
  /// Node id -> value, for every node evaluated before the result (or the error).
  public var values: [Int: Value]
  /// The node whose evaluation raised `error`.
  public var failedNode: Int?

  /// Evaluates `node` over a row (and a reference check's matched row, or an aggregate's group
  /// values) with lookups into the given reference tables.
  public static func evaluate(
    _ node: ExprNode, row: [Value] = [], ref: [Value] = [], group: [Value] = [],
    lookups: Lookups = Lookups()
  ) -> ExpressionTrace {
    let trace = Trace()
    var frame = Frame(row: row, ref: ref, group: group, trace: trace)
    do throws(EvaluationError) {
      let v = try ProgramCompiler(lookups: lookups, tracing: true).evaluate(node, &frame)
      return ExpressionTrace(value: v, error: nil, values: trace.values, failedNode: nil)
    } catch {
      return ExpressionTrace(
        value: nil, error: error, values: trace.values, failedNode: trace.failedNode)
    }
  }
}

extension Lookups {
  /// Reference tables read from a ledger and indexed (for explaining a single row).
  public static func load(_ tables: [String], from ledger: any LedgerSource) throws -> Lookups {
    let lookups = Lookups()
    for name in tables.sorted() {
      guard let table = ledger.schema.table(name) else { continue }
      var rows: [LedgerRow] = []
      try ledger.read(table: name) { rows.append($0) }
      lookups.add(LookupIndex(table: table, rows: rows))
    }
    return lookups
  }
}
