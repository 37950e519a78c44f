import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// A compiled expression: evaluates against a frame, throws on a run-time error.
public typealias Program = (inout Frame) throws(EvaluationError) -> Value

/// Reference tables available to `table[key]` lookups, indexed once per run.
public final class Lookups: @unchecked Sendable {
  // Filled before any expression is compiled; read-only afterwards.
  public private(set) var indexes: [String: LookupIndex] = [:]
  public init() {}
  public func add(_ index: LookupIndex) { indexes[index.table] = index }
  public subscript(table: String) -> LookupIndex? { indexes[table] }

  private let lock = Lock()
  private var columnIndexes: [ColumnKey: LookupIndex] = [:]
  private struct ColumnKey: Hashable {
    var table: String
    var column: Int
  }

  /// The index of `table` on one column, for `table[column = value]`: built on first use from the
  /// rows of the table's key index (list cells expanded), then shared.
  public func index(_ table: String, column: Int) -> LookupIndex? {
    lock.withLock {
      let key = ColumnKey(table: table, column: column)
      if let built = columnIndexes[key] { return built }
      guard let base = indexes[table] else { return nil }
      let built = LookupIndex(table: table, rows: base.rows, window: base.window, column: column)
      columnIndexes[key] = built
      return built
    }
  }
}

/// Turns a type-checked `ExprNode` tree into nested closures once per rule instance, so a row
/// costs one closure call per node and no tree walk or dictionary look-up.
public struct ProgramCompiler {
  public var lookups: Lookups
  /// Record every node's value in `frame.trace` (slower; for explanations and messages).
  public var tracing: Bool

  public init(lookups: Lookups, tracing: Bool = false) {
    self.lookups = lookups
    self.tracing = tracing
  }

  public func compile(_ node: ExprNode) -> Program {
    let inner = compileNode(node)
    guard tracing else { return inner }
    let id = node.id
    return { (frame: inout Frame) throws(EvaluationError) -> Value in
      do throws(EvaluationError) {
        let v = try inner(&frame)
        frame.trace?.record(id, v)
        return v
      } catch {
        if frame.trace?.failedNode == nil { frame.trace?.failedNode = id }
        throw error
      }
    }
  }

  /// Evaluates once without compiling for reuse (messages, tests).
  public func evaluate(_ node: ExprNode, _ frame: inout Frame) throws(EvaluationError) -> Value {
    try compile(node)(&frame)
  }

  private func compileNode(_ node: ExprNode) -> Program {
    switch node.kind {
    case .literal(let v), .parameter(_, let v):
      return { (_: inout Frame) throws(EvaluationError) -> Value in v }
    case .field(let scope, let column, let name):
      switch scope {
      case .row:
        return { (f: inout Frame) throws(EvaluationError) -> Value in
          guard column < f.row.count else {
            throw EvaluationError(.unexpectedType, "no column '\(name)' in this row", at: node)
          }
          return f.row[column]
        }
      case .ref:
        return { (f: inout Frame) throws(EvaluationError) -> Value in
          guard column < f.ref.count else {
            throw EvaluationError(.unexpectedType, "no referenced row for 'ref.\(name)'", at: node)
          }
          return f.ref[column]
        }
      case .group:
        return { (f: inout Frame) throws(EvaluationError) -> Value in
          guard column < f.group.count else {
            throw EvaluationError(.unexpectedType, "no group value '\(name)'", at: node)
          }
          return f.group[column]
        }
      }
    case .unary(let op, let operand):
      let x = compile(operand)
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        let v = try x(&f)
        switch (op, v) {
        case (_, .null):
          throw EvaluationError(.nullOperand, "`\(op.rawValue)` applied to null", at: node)
        case (.not, .bool(let b)): return .bool(!b)
        case (.negate, .integer(let i)):
          // -Int64.min does not exist: an overflow error, never a trap.
          let (r, o) = Int64(0).subtractingReportingOverflow(i)
          if o {
            throw EvaluationError(.arithmeticOverflow, "integer overflow negating \(i)", at: node)
          }
          return .integer(r)
        case (.negate, .decimal(let d)): return .decimal(d.negated)
        default:
          throw EvaluationError(
            .unexpectedType, "cannot apply `\(op.rawValue)` to \(v.literal)", at: node)
        }
      }
    case .binary(let op, let lhs, let rhs):
      return compileBinary(op, compile(lhs), compile(rhs), node, lhs, rhs)
    case .list(let items):
      let programs = items.map(compile)
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        var out: [Value] = []
        out.reserveCapacity(programs.count)
        for p in programs { out.append(try p(&f)) }
        return .list(out)
      }
    case .call(let function, let args):
      return Builtins.compile(function, args.map(compile), node)
    case .conditional(let c, let a, let b):
      let (pc, pa, pb) = (compile(c), compile(a), compile(b))
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        switch try pc(&f) {
        case .bool(true): return try pa(&f)
        case .bool(false): return try pb(&f)
        case .null: throw EvaluationError(.nullOperand, "the condition of if() is null", at: node)
        case let v:
          throw EvaluationError(.unexpectedType, "if() condition is \(v.literal)", at: node)
        }
      }
    case .lookup(let table, let key, let at):
      return compileLookup(table, key.map(compile), at.map(compile), node)
    case .lookupWhere(let table, let column, let name, let value, let at):
      let index = lookups.index(table, column: column)
      return compileLookup(
        table, [compile(value)], at.map(compile), node, index: index, what: "column '\(name)' of")
    case .member(let base, let column, let name, let nullSafe):
      let pb = compile(base)
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        switch try pb(&f) {
        case .null:
          if nullSafe { return .null }
          throw EvaluationError(
            .missingLookupRow, "no row found for `\(base.text)`, so `.\(name)` has no value",
            at: node)
        case .list(let values) where column < values.count:
          return values[column]
        case let v:
          throw EvaluationError(.unexpectedType, "cannot read .\(name) of \(v.literal)", at: node)
        }
      }
    case .aggregate:
      // Aggregations are computed by the aggregate check and read as `.group` fields.
      return { (_: inout Frame) throws(EvaluationError) -> Value in
        throw EvaluationError(.unexpectedType, "aggregation outside `compute:`", at: node)
      }
    }
  }

  /// A key lookup (`index` defaults to the table's key index) or a column lookup (`index` on
  /// that column); both find the first candidate row whose window covers the date.
  private func compileLookup(
    _ table: String, _ key: [Program], _ at: Program?, _ node: ExprNode,
    index: LookupIndex?? = nil, what: String = ""
  ) -> Program {
    let index = index ?? lookups[table]
    return { (f: inout Frame) throws(EvaluationError) -> Value in
      guard let index else {
        throw EvaluationError(
          .unexpectedType, "\(what)table '\(table)' is not loaded for lookups", at: node)
      }
      var one: Value = .null
      var values: [Value] = []
      if key.count == 1 {
        one = try key[0](&f)
      } else {
        values.reserveCapacity(key.count)
        for k in key { values.append(try k(&f)) }
      }
      var date: CivilDate?
      if let at {
        switch try at(&f) {
        case .date(let d): date = d
        case .null:
          throw EvaluationError(
            .nullOperand, "the date after @ in `\(node.text)` is null", at: node)
        case let v:
          throw EvaluationError(
            .unexpectedType, "the value after @ is \(v.literal), not a date", at: node)
        }
      }
      let found = key.count == 1 ? index.find(one: one, at: date) : index.find(values, at: date)
      guard let row = found else { return .null }
      return .list(row.values)
    }
  }

  private func compileBinary(
    _ op: BinaryOperator, _ l: @escaping Program, _ r: @escaping Program, _ node: ExprNode,
    _ lhs: ExprNode, _ rhs: ExprNode
  ) -> Program {
    func bool(_ v: Value, _ side: ExprNode) throws(EvaluationError) -> Bool {
      switch v {
      case .bool(let b): return b
      case .null:
        throw EvaluationError(.nullOperand, "`\(side.text)` is null in `\(op.rawValue)`", at: node)
      default:
        throw EvaluationError(
          .unexpectedType, "`\(side.text)` is \(v.literal), not a boolean", at: node)
      }
    }
    switch op {
    case .and:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        guard try bool(try l(&f), lhs) else { return .bool(false) }
        return .bool(try bool(try r(&f), rhs))
      }
    case .or:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        if try bool(try l(&f), lhs) { return .bool(true) }
        return .bool(try bool(try r(&f), rhs))
      }
    case .equal, .notEqual:
      let want = op == .equal
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        .bool(ValueOps.equal(try l(&f), try r(&f)) == want)
      }
    case .in, .notIn:
      let want = op == .in
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        let x = try l(&f)
        switch try r(&f) {
        case .list(let items): return .bool(items.contains { ValueOps.equal(x, $0) } == want)
        case .null:
          throw EvaluationError(.nullOperand, "`\(rhs.text)` is null in `\(op.rawValue)`", at: node)
        case let v:
          throw EvaluationError(
            .unexpectedType, "`\(rhs.text)` is \(v.literal), not a list", at: node)
        }
      }
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        let (a, b) = (try l(&f), try r(&f))
        if a.isNull || b.isNull {
          let side = a.isNull ? lhs : rhs
          throw EvaluationError(
            .nullOperand, "`\(side.text)` is null, so `\(node.text)` cannot be decided", at: node)
        }
        guard let c = ValueOps.compare(a, b) else {
          throw EvaluationError(
            .unexpectedType, "cannot order \(a.literal) and \(b.literal)", at: node)
        }
        switch op {
        case .less: return .bool(c < 0)
        case .lessOrEqual: return .bool(c <= 0)
        case .greater: return .bool(c > 0)
        default: return .bool(c >= 0)
        }
      }
    case .add, .subtract, .multiply, .divide:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        let (a, b) = (try l(&f), try r(&f))
        if a.isNull || b.isNull {
          let side = a.isNull ? lhs : rhs
          throw EvaluationError(
            .nullOperand, "`\(side.text)` is null in arithmetic `\(node.text)`", at: node)
        }
        return try ValueOps.arithmetic(op, a, b, node)
      }
    }
  }
}
