import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// A compiled expression: evaluates against a frame, throws on a run-time error.
///
/// One final subclass per node kind, children held as `let` references. This replaced a tree of
/// closures: calling a closure stored in another closure's context went through reabstraction
/// thunks and retained contexts and copied values on every call (a third of a 1M-row run was
/// `swift_retain`/`swift_release`); a virtual call on a `let` child borrows it instead.
public class Program: @unchecked Sendable {
  // Immutable after construction; shared by the lanes of a run.
  @inline(__always)
  public final func callAsFunction(_ f: inout Frame) throws(EvaluationError) -> Value {
    try eval(&f)
  }

  /// Overridden by every node kind.
  func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    preconditionFailure("Program.eval is abstract")
  }

  /// True for the node kinds whose value is always a boolean; `test` gives it unboxed, so an
  /// `and` chain, a filter or an assertion does not wrap and unwrap a `Value` per operand
  /// (the eleven-field presence checks ran ten nested `and`s per row). Parents read this once,
  /// when they are built.
  var isBoolean: Bool { false }

  /// This node's value as a boolean; overridden where `isBoolean` is true. Elsewhere it
  /// evaluates and rejects a non-boolean (callers ask only boolean nodes).
  func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    let v = try eval(&f)
    guard case .bool(let b) = v else {
      throw EvaluationError(
        code: v.isNull ? .nullOperand : .unexpectedType,
        message: "the value is \(v.literal), not true or false", span: nil, expression: "")
    }
    return b
  }
}

/// A literal or a parameter's value.
final class ConstantProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let value: Value
  init(_ value: Value) { self.value = value }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { value }
  override var isBoolean: Bool { if case .bool = value { true } else { false } }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    if case .bool(let b) = value { return b }
    return try super.test(&f)
  }
}

/// `column` of the current row.
final class RowFieldProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let column: Int
  let name: String
  let node: ExprNode
  init(_ column: Int, _ name: String, _ node: ExprNode) {
    (self.column, self.name, self.node) = (column, name, node)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    guard column < f.cellCount else {
      throw RowFieldProgram.missing(name, node)
    }
    return f.cell(column)
  }

  /// A row shorter than the schema (the nodes that read a row's cell in place say the same).
  static func missing(_ name: String, _ node: ExprNode) -> EvaluationError {
    EvaluationError(.unexpectedType, "no column '\(name)' in this row", at: node)
  }
}

/// `ref.column` (the matched row of a reference check) or a group value of an aggregate.
final class FrameFieldProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  enum Scope { case ref, group }
  let scope: Scope
  let column: Int
  let name: String
  let node: ExprNode
  init(_ scope: Scope, _ column: Int, _ name: String, _ node: ExprNode) {
    (self.scope, self.column, self.name, self.node) = (scope, column, name, node)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    switch scope {
    case .ref:
      guard column < f.ref.count else {
        throw EvaluationError(.unexpectedType, "no referenced row for 'ref.\(name)'", at: node)
      }
      return f.ref[column]
    case .group:
      guard column < f.group.count else {
        throw EvaluationError(.unexpectedType, "no group value '\(name)'", at: node)
      }
      return f.group[column]
    }
  }
}

final class UnaryProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let op: UnaryOperator
  let operand: Program
  let node: ExprNode
  init(_ op: UnaryOperator, _ operand: Program, _ node: ExprNode) {
    (self.op, self.operand, self.node) = (op, operand, node)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    let v = try operand.eval(&f)
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
}

/// Shared by the binary nodes: operands, the operator's node and the operand nodes (messages).
class BinaryProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let lhs: Program
  let rhs: Program
  let node: ExprNode
  let lhsNode: ExprNode
  let rhsNode: ExprNode
  let op: BinaryOperator
  init(
    _ op: BinaryOperator, _ lhs: Program, _ rhs: Program, _ node: ExprNode, _ lhsNode: ExprNode,
    _ rhsNode: ExprNode
  ) {
    (self.op, self.lhs, self.rhs, self.node, self.lhsNode, self.rhsNode) = (
      op, lhs, rhs, node, lhsNode, rhsNode
    )
  }

  /// A boolean operand of `and`/`or`: null and non-booleans are errors, never false.
  @inline(__always)
  final func operand(_ p: Program, _ side: ExprNode, _ f: inout Frame) throws(EvaluationError)
    -> Bool
  {
    let v = try p.eval(&f)
    switch v {
    case .bool(let b): return b
    case .null:
      throw EvaluationError(.nullOperand, "`\(side.text)` is null in `\(op.rawValue)`", at: node)
    default:
      throw EvaluationError(
        .unexpectedType, "`\(side.text)` is \(v.literal), not a boolean", at: node)
    }
  }
}

/// `and` / `or`, short-circuit.
final class LogicalProgram: BinaryProgram, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  /// Whether each operand is a boolean node, read through `test`.
  private let direct: (lhs: Bool, rhs: Bool)
  override init(
    _ op: BinaryOperator, _ lhs: Program, _ rhs: Program, _ node: ExprNode, _ lhsNode: ExprNode,
    _ rhsNode: ExprNode
  ) {
    direct = (lhs.isBoolean, rhs.isBoolean)
    super.init(op, lhs, rhs, node, lhsNode, rhsNode)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    let first = direct.lhs ? try lhs.test(&f) : try operand(lhs, lhsNode, &f)
    if op == .and ? !first : first { return first }
    return direct.rhs ? try rhs.test(&f) : try operand(rhs, rhsNode, &f)
  }
}

/// `==` / `!=`.
final class EqualityProgram: BinaryProgram, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  /// The column of an operand that is a row field (-1 otherwise): that cell is compared where
  /// it lies, not copied out (`documents[document_id].recipient == customer`).
  private let lhsColumn: Int
  private let rhsColumn: Int
  override init(
    _ op: BinaryOperator, _ lhs: Program, _ rhs: Program, _ node: ExprNode, _ lhsNode: ExprNode,
    _ rhsNode: ExprNode
  ) {
    lhsColumn = (lhs as? RowFieldProgram)?.column ?? -1
    rhsColumn = (rhs as? RowFieldProgram)?.column ?? -1
    super.init(op, lhs, rhs, node, lhsNode, rhsNode)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    // Operands are evaluated left to right as in the general case, so errors are the same (a
    // row field in range cannot fail).
    if rhsColumn >= 0, rhsColumn < f.cellCount {
      let a = try lhs.eval(&f)
      return f.withCells { ValueOps.equal(a, $0[rhsColumn]) } == (op == .equal)
    }
    if lhsColumn >= 0, lhsColumn < f.cellCount {
      let b = try rhs.eval(&f)
      return f.withCells { ValueOps.equal($0[lhsColumn], b) } == (op == .equal)
    }
    let a = try lhs.eval(&f)
    let b = try rhs.eval(&f)
    return ValueOps.equal(a, b) == (op == .equal)
  }
}

/// `in` / `not in` over a list computed per row.
final class MembershipProgram: BinaryProgram, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    let x = try lhs.eval(&f)
    switch try rhs.eval(&f) {
    case .list(let items): return items.contains { ValueOps.equal(x, $0) } == (op == .in)
    case .null:
      throw EvaluationError(.nullOperand, "`\(rhsNode.text)` is null in `\(op.rawValue)`", at: node)
    case let v:
      throw EvaluationError(
        .unexpectedType, "`\(rhsNode.text)` is \(v.literal), not a list", at: node)
    }
  }
}

/// `x in [literals]` / `x in $list_parameter`: the list is fixed when the rule is compiled, so
/// it is held unboxed (no list value copied per row); strings compare as strings.
final class ConstantMembershipProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let item: Program
  let items: [Value]
  /// The items as strings when they all are (`allStrings`); held non-optional, as binding an
  /// optional array retained it on every row.
  let strings: [String]
  let allStrings: Bool
  let want: Bool
  /// When `item` is a row field (`pool in $credit_pools`): its column, tested where the cell
  /// lies instead of copied out (a copy retained a heap string); -1 otherwise.
  let column: Int
  init(_ item: Program, _ items: [Value], want: Bool) {
    self.item = item
    self.items = items
    self.want = want
    let strings = items.compactMap(\.asString)
    self.allStrings = strings.count == items.count
    self.strings = allStrings ? strings : []
    column = (item as? RowFieldProgram)?.column ?? -1
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    if column >= 0 {
      // A row shorter than the schema: the field's own error.
      guard column < f.cellCount else { return contains(try item.eval(&f)) == want }
      return f.withCells { contains($0[column]) } == want
    }
    return contains(try item.eval(&f)) == want
  }

  @inline(__always) private func contains(_ x: Value) -> Bool {
    // ValueOps.equal on two strings is String ==; a non-string never equals a string.
    if allStrings, case .string(let s) = x { return strings.contains(s) }
    return items.contains { ValueOps.equal(x, $0) }
  }
}

/// `field == constant` / `!=` for a row field and a literal or parameter (either side): the
/// cell is compared where it lies and the constant is held by the node, so neither is copied
/// (a copy retained a string stored on the heap, such as an interned material name).
final class RowFieldEqualityProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let column: Int
  let name: String
  let node: ExprNode
  let constant: Value
  let want: Bool
  init(_ column: Int, _ name: String, _ node: ExprNode, _ constant: Value, want: Bool) {
    (self.column, self.name, self.node, self.constant, self.want) = (
      column, name, node, constant, want
    )
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    guard column < f.cellCount else {
      throw RowFieldProgram.missing(name, node)
    }
    return f.withCells { ValueOps.equal($0[column], constant) } == want
  }
}

/// `x == null` (want true) or `x != null` (want false).
final class NullTestProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let operand: Program
  let want: Bool
  init(_ operand: Program, want: Bool) { (self.operand, self.want) = (operand, want) }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    try operand.eval(&f).isNull == want
  }
}

/// `column == null` / `column != null` on the current row, reading the cell in place.
final class RowNullTestProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let column: Int
  let name: String
  let node: ExprNode
  let want: Bool
  init(_ column: Int, _ name: String, _ node: ExprNode, want: Bool) {
    (self.column, self.name, self.node, self.want) = (column, name, node, want)
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    guard column < f.cellCount else {
      throw RowFieldProgram.missing(name, node)
    }
    return f.withCells { $0[column].isNull } == want
  }
}

/// `<`, `<=`, `>`, `>=`: a null operand is an error, never false.
final class ComparisonProgram: BinaryProgram, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { .bool(try test(&f)) }
  override var isBoolean: Bool { true }
  override func test(_ f: inout Frame) throws(EvaluationError) -> Bool {
    let a = try lhs.eval(&f)
    let b = try rhs.eval(&f)
    if a.isNull || b.isNull {
      let side = a.isNull ? lhsNode : rhsNode
      throw EvaluationError(
        .nullOperand, "`\(side.text)` is null, so `\(node.text)` cannot be decided", at: node)
    }
    guard let c = ValueOps.compare(a, b) else {
      throw EvaluationError(
        .unexpectedType, "cannot order \(a.literal) and \(b.literal)", at: node)
    }
    switch op {
    case .less: return c < 0
    case .lessOrEqual: return c <= 0
    case .greater: return c > 0
    default: return c >= 0
    }
  }
}

/// `+ - * /`, exact.
final class ArithmeticProgram: BinaryProgram, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    let a = try lhs.eval(&f)
    let b = try rhs.eval(&f)
    if a.isNull || b.isNull {
      let side = a.isNull ? lhsNode : rhsNode
      throw EvaluationError(
        .nullOperand, "`\(side.text)` is null in arithmetic `\(node.text)`", at: node)
    }
    return try ValueOps.arithmetic(op, a, b, node)
  }
}

/// `[a, b, c]` with at least one item computed per row.
final class ListProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let items: [Program]
  init(_ items: [Program]) { self.items = items }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    var out: [Value] = []
    out.reserveCapacity(items.count)
    for p in items { out.append(try p.eval(&f)) }
    return .list(out)
  }
}

/// `if(c, a, b)`.
final class ConditionalProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let condition: Program
  let then: Program
  let otherwise: Program
  let node: ExprNode
  /// The condition is a boolean node, evaluated through `test`.
  let booleanCondition: Bool
  init(_ c: Program, _ a: Program, _ b: Program, _ node: ExprNode) {
    (condition, then, otherwise, self.node) = (c, a, b, node)
    booleanCondition = c.isBoolean
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    switch booleanCondition ? .bool(try condition.test(&f)) : try condition.eval(&f) {
    case .bool(true): return try then.eval(&f)
    case .bool(false): return try otherwise.eval(&f)
    case .null: throw EvaluationError(.nullOperand, "the condition of if() is null", at: node)
    case let v:
      throw EvaluationError(.unexpectedType, "if() condition is \(v.literal)", at: node)
    }
  }
}

/// A built-in function (Builtins.swift) over its argument programs.
final class CallProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  typealias Body = (inout Frame) throws(EvaluationError) -> Value
  let body: Body
  init(_ body: @escaping Body) { self.body = body }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { try body(&f) }
}

/// `table[key]`, `table[key @ date]`, `table[column = value @ date]`; with `member` set, the
/// column of the found row (`table[key].column`) without building the row's list value.
final class LookupProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let key: [Program]
  /// `key[0]`: held apart so the one-key path loads no array element (which retained it).
  let key0: Program
  let at: Program?
  let index: LookupIndex
  let node: ExprNode
  /// `(column, nullSafe, member node)` when this is `table[...].column`.
  let member: (column: Int, nullSafe: Bool, node: ExprNode, name: String)?

  init(
    key: [Program], at: Program?, index: LookupIndex, node: ExprNode,
    member: (column: Int, nullSafe: Bool, node: ExprNode, name: String)? = nil
  ) {
    (self.key, self.at, self.index, self.node, self.member) = (key, at, index, node, member)
    self.key0 = key.first ?? ConstantProgram(.null)
  }

  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    var date: CivilDate?
    let hit: LookupIndex.Hit
    if key.count == 1 {
      let one = try key0.eval(&f)
      date = try self.date(&f)
      let id = ObjectIdentifier(index)
      if let m = f.lookupMemo, m.index == id, m.date == date, ValueHash.sameKey(m.key, one) {
        hit = m.found
      } else {
        hit = index.find(one: one, at: date)
        f.lookupMemo = Frame.LookupMemo(index: id, key: one, date: date, found: hit)
      }
    } else {
      var values: [Value] = []
      values.reserveCapacity(key.count)
      for k in key { values.append(try k.eval(&f)) }
      date = try self.date(&f)
      hit = index.find(values, at: date)
    }
    let found: Int?
    switch hit {
    case .none: found = nil
    case .one(let i): found = i
    case .ambiguous(let a, let b):
      // Never the first of several rows: even `?.column` cannot tell which one is meant.
      throw EvaluationError(
        .ambiguousLookup, "`\(node.text)` is ambiguous: \(index.ambiguity(a, b, at: date))",
        at: node)
    case .undecidable(let r):
      throw EvaluationError(
        .undecidableLookup, "`\(node.text)` cannot be decided: \(index.undecidable(r))", at: node)
    }
    guard let member else {
      guard let found else { return .null }
      return .list(index.rows[found].values)
    }
    return try MemberProgram.read(
      found.map { index.rows[$0].values }, member.column, member.name, nullSafe: member.nullSafe,
      base: node, at: member.node)
  }

  @inline(__always) private func date(_ f: inout Frame) throws(EvaluationError) -> CivilDate? {
    guard let v = try at?.eval(&f) else { return nil }
    switch v {
    case .date(let d): return d
    case .null:
      throw EvaluationError(.nullOperand, "the date after @ in `\(node.text)` is null", at: node)
    case let v:
      throw EvaluationError(
        .unexpectedType, "the value after @ is \(v.literal), not a date", at: node)
    }
  }
}

/// `base.column` on a list value (a lookup result held in a variable-free expression).
final class MemberProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let base: Program
  let column: Int
  let name: String
  let nullSafe: Bool
  let baseNode: ExprNode
  let node: ExprNode
  init(
    _ base: Program, _ column: Int, _ name: String, _ nullSafe: Bool, _ baseNode: ExprNode,
    _ node: ExprNode
  ) {
    (self.base, self.column, self.name, self.nullSafe, self.baseNode, self.node) = (
      base, column, name, nullSafe, baseNode, node
    )
  }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    switch try base.eval(&f) {
    case .null:
      return try MemberProgram.read(nil, column, name, nullSafe: nullSafe, base: baseNode, at: node)
    case .list(let values):
      return try MemberProgram.read(
        values, column, name, nullSafe: nullSafe, base: baseNode, at: node)
    case let v:
      throw EvaluationError(.unexpectedType, "cannot read .\(name) of \(v.literal)", at: node)
    }
  }

  /// `.name` of a found row (`nil`: none was found), for this node and the fused
  /// `table[key].column` of `LookupProgram`.
  @inline(__always)
  static func read(
    _ row: [Value]?, _ column: Int, _ name: String, nullSafe: Bool, base: ExprNode,
    at node: ExprNode
  ) throws(EvaluationError) -> Value {
    guard let row else {
      if nullSafe { return .null }
      throw EvaluationError(
        .missingLookupRow, "no row found for `\(base.text)`, so `.\(name)` has no value", at: node)
    }
    guard column < row.count else {
      throw EvaluationError(
        .unexpectedType, "cannot read .\(name) of \(Value.list(row).literal)", at: node)
    }
    return row[column]
  }
}

/// Evaluated outside an aggregate check's `compute:`.
final class ErrorProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let error: EvaluationError
  init(_ error: EvaluationError) { self.error = error }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value { throw error }
}

/// Records the node's value (or that it failed) in `frame.trace`, for explanations.
final class TracedProgram: Program, @unchecked Sendable {
  // Unchecked as `Program` (a non-final base class): only `let` fields, read by every lane.
  let inner: Program
  let id: Int
  init(_ inner: Program, id: Int) { (self.inner, self.id) = (inner, id) }
  override func eval(_ f: inout Frame) throws(EvaluationError) -> Value {
    do throws(EvaluationError) {
      let v = try inner.eval(&f)
      f.trace?.record(id, v)
      return v
    } catch {
      if f.trace?.failedNode == nil { f.trace?.failedNode = id }
      throw error
    }
  }
}
