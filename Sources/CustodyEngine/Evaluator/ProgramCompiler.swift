import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// Reference tables available to `table[key]` lookups, indexed once per run.
public final class Lookups: Sendable {
  // A reading thread files the reference tables while other lanes may already ask for them.
  private struct State {
    var byTable: [String: LookupIndex] = [:]
    var columnIndexes: [ColumnKey: LookupIndex] = [:]
  }
  private let state = Locked(State())
  public init() {}
  public var indexes: [String: LookupIndex] { state.withLock { $0.byTable } }
  public func add(_ index: LookupIndex) { state.withLock { $0.byTable[index.table] = index } }
  public subscript(table: String) -> LookupIndex? { state.withLock { $0.byTable[table] } }

  private struct ColumnKey: Hashable {
    var table: String
    var column: Int
  }

  /// The index of `table` on one column, for `table[column = value]`: built on first use from the
  /// rows of the table's key index (list cells expanded), then shared.
  public func index(_ table: String, column: Int) -> LookupIndex? {
    state.withLock { state in
      let key = ColumnKey(table: table, column: column)
      if let built = state.columnIndexes[key] { return built }
      guard let base = state.byTable[table] else { return nil }
      let built = LookupIndex(
        table: table, file: base.file, rows: base.rows, window: base.window, column: column)
      state.columnIndexes[key] = built
      return built
    }
  }
}

/// Turns a type-checked `ExprNode` tree into a tree of `Program` nodes once per rule instance,
/// so a row costs one virtual call per node and no tree walk or dictionary look-up.
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
    return tracing ? TracedProgram(inner, id: node.id) : inner
  }

  /// Evaluates once without compiling for reuse (messages, tests).
  public func evaluate(_ node: ExprNode, _ frame: inout Frame) throws(EvaluationError) -> Value {
    try compile(node)(&frame)
  }

  private func compileNode(_ node: ExprNode) -> Program {
    switch node.kind {
    case .literal(let v), .parameter(_, let v):
      return ConstantProgram(v)
    case .field(let scope, let column, let name):
      switch scope {
      case .row: return RowFieldProgram(column, name, node)
      case .ref: return FrameFieldProgram(.ref, column, name, node)
      case .group: return FrameFieldProgram(.group, column, name, node)
      }
    case .unary(let op, let operand):
      return UnaryProgram(op, compile(operand), node)
    case .binary(let op, let lhs, let rhs):
      if !tracing, op == .in || op == .notIn, let items = rhs.constantList {
        return ConstantMembershipProgram(compile(lhs), items, want: op == .in)
      }
      if !tracing, op == .equal || op == .notEqual,
        let test = nullTest(lhs, rhs, want: op == .equal)
      {
        return test
      }
      if !tracing, op == .equal || op == .notEqual,
        let test = fieldEquality(lhs, rhs, want: op == .equal)
      {
        return test
      }
      let (l, r) = (compile(lhs), compile(rhs))
      switch op {
      case .and, .or: return LogicalProgram(op, l, r, node, lhs, rhs)
      case .equal, .notEqual: return EqualityProgram(op, l, r, node, lhs, rhs)
      case .in, .notIn: return MembershipProgram(op, l, r, node, lhs, rhs)
      case .less, .lessOrEqual, .greater, .greaterOrEqual:
        return ComparisonProgram(op, l, r, node, lhs, rhs)
      case .add, .subtract, .multiply, .divide: return ArithmeticProgram(op, l, r, node, lhs, rhs)
      }
    case .list(let items):
      return ListProgram(items.map(compile))
    case .call(let function, let args):
      return CallProgram(Builtins.compile(function, args.map(compile), node))
    case .conditional(let c, let a, let b):
      return ConditionalProgram(compile(c), compile(a), compile(b), node)
    case .lookup(let table, let key, let at):
      guard let index = lookups[table] else { return notLoaded(table, "", node) }
      return LookupProgram(key: key.map(compile), at: at.map(compile), index: index, node: node)
    case .lookupWhere(let table, let column, let name, let value, let at):
      guard let index = lookups.index(table, column: column) else {
        return notLoaded(table, "column '\(name)' of ", node)
      }
      return LookupProgram(key: [compile(value)], at: at.map(compile), index: index, node: node)
    case .member(let base, let column, let name, let nullSafe):
      // `table[key].column` reads the found row's cell without building its list value
      // (not when tracing: the lookup's own value is then recorded).
      let b = compile(base)
      if !tracing, let lookup = b as? LookupProgram, lookup.member == nil {
        return LookupProgram(
          key: lookup.key, at: lookup.at, index: lookup.index, node: lookup.node,
          member: (column: column, nullSafe: nullSafe, node: node, name: name))
      }
      return MemberProgram(b, column, name, nullSafe, base, node)
    case .aggregate:
      // Aggregations are computed by the aggregate check and read as `.group` fields.
      return ErrorProgram(
        EvaluationError(.unexpectedType, "aggregation outside `compute:`", at: node))
    }
  }
}

extension ProgramCompiler {
  /// A lookup in a table that is not loaded: an error on every evaluation.
  fileprivate func notLoaded(_ table: String, _ what: String, _ node: ExprNode) -> Program {
    ErrorProgram(
      EvaluationError(
        .unexpectedType, "\(what)table '\(table)' is not loaded for lookups", at: node))
  }

  /// `field == constant` / `field != constant` (either side) for a row field and a literal or
  /// parameter other than null: compared in place.
  fileprivate func fieldEquality(_ lhs: ExprNode, _ rhs: ExprNode, want: Bool) -> Program? {
    func constant(_ n: ExprNode) -> Value? {
      switch n.kind {
      case .literal(let v), .parameter(_, let v): return v.isNull ? nil : v
      default: return nil
      }
    }
    if case .field(.row, let column, let name) = lhs.kind, let c = constant(rhs) {
      return RowFieldEqualityProgram(column, name, lhs, c, want: want)
    }
    if case .field(.row, let column, let name) = rhs.kind, let c = constant(lhs) {
      return RowFieldEqualityProgram(column, name, rhs, c, want: want)
    }
    return nil
  }

  /// `x == null` / `x != null` (either side): whether x is null, without a comparison; for a
  /// row field, without copying the cell.
  fileprivate func nullTest(_ lhs: ExprNode, _ rhs: ExprNode, want: Bool) -> Program? {
    func isNull(_ n: ExprNode) -> Bool {
      if case .literal(.null) = n.kind { return true }
      return false
    }
    let other: ExprNode
    if isNull(rhs) {
      other = lhs
    } else if isNull(lhs) {
      other = rhs
    } else {
      return nil
    }
    if case .field(.row, let column, let name) = other.kind {
      return RowNullTestProgram(column, name, other, want: want)
    }
    return NullTestProgram(compile(other), want: want)
  }
}

extension ExprNode {
  /// The items of a list fixed at compile time: a list literal or parameter, or `[a, b]` of
  /// literals and parameters.
  var constantList: [Value]? {
    switch kind {
    case .literal(.list(let items)), .parameter(_, .list(let items)): return items
    case .list(let nodes):
      var items: [Value] = []
      for n in nodes {
        switch n.kind {
        case .literal(let v), .parameter(_, let v): items.append(v)
        default: return nil
        }
      }
      return items
    default: return nil
    }
  }
}
