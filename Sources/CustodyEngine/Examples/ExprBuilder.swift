import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// Builds type-annotated `ExprNode` trees against a schema, for check examples and tests,
/// without the language compiler. Node ids are unique per builder; `text` approximates the
/// source an author would write.
public final class ExprBuilder: Sendable {
  public let schema: LedgerSchema
  public let table: String
  private let next = Locked(0)
  private let span = SourceSpan(SourceLocation(file: "<example>", line: 1, column: 1), length: 0)

  public init(schema: LedgerSchema, table: String) {
    self.schema = schema
    self.table = table
  }

  private func node(_ kind: ExprKind, _ type: ValueType, _ text: String) -> ExprNode {
    let id = next.withLock {
      $0 += 1
      return $0
    }
    return ExprNode(id: id, kind: kind, type: type, span: span, text: text)
  }

  /// A column of the current row (`cu_t`).
  public func col(_ name: String) -> ExprNode {
    let t = schema.table(table)
    let i = t?.columnIndex(name) ?? -1
    return node(
      .field(scope: .row, column: i, name: name), t?.column(name)?.type.valueType ?? .any, name)
  }

  /// `ref.name`: a column of a reference check's target row.
  public func ref(_ name: String, in target: String) -> ExprNode {
    let t = schema.table(target)
    let i = t?.columnIndex(name) ?? -1
    return node(
      .field(scope: .ref, column: i, name: name), t?.column(name)?.type.valueType ?? .any,
      "ref.\(name)")
  }

  /// A group key or computed value of an aggregate check, by position.
  public func group(_ index: Int, _ name: String, _ type: ValueType = .decimal(unit: nil))
    -> ExprNode
  {
    node(.field(scope: .group, column: index, name: name), type, name)
  }

  public func num(_ text: String) -> ExprNode {
    node(.literal(.decimal(ExactDecimal(text) ?? .zero)), .decimal(unit: nil), text)
  }
  public func int(_ v: Int) -> ExprNode { node(.literal(.integer(Int64(v))), .integer, String(v)) }
  public func str(_ s: String) -> ExprNode { node(.literal(.string(s)), .string, "\"\(s)\"") }
  public func bool(_ b: Bool) -> ExprNode { node(.literal(.bool(b)), .bool, String(b)) }
  public func null() -> ExprNode { node(.literal(.null), .null, "null") }
  public func date(_ s: String) -> ExprNode {
    node(.literal(CivilDate.parseISO(s).map(Value.date) ?? .null), .date, "date(\"\(s)\")")
  }
  public func param(_ name: String, _ value: Value) -> ExprNode {
    node(.parameter(name: name, value: value), .any, "$" + name)
  }
  public func list(_ items: [ExprNode]) -> ExprNode {
    node(
      .list(items), .list(items.first?.type ?? .any),
      "[" + items.map(\.text).joined(separator: ", ") + "]")
  }
  public func strings(_ items: [String]) -> ExprNode { list(items.map(str)) }

  public func bin(_ op: BinaryOperator, _ a: ExprNode, _ b: ExprNode) -> ExprNode {
    let type: ValueType
    switch op {
    case .add, .subtract, .multiply, .divide:
      type =
        a.type == .integer && b.type == .integer && op != .divide ? .integer : .decimal(unit: nil)
    default: type = .bool
    }
    return node(.binary(op, a, b), type, "\(a.text) \(op.rawValue) \(b.text)")
  }
  public func not(_ a: ExprNode) -> ExprNode { node(.unary(.not, a), .bool, "not \(a.text)") }
  public func neg(_ a: ExprNode) -> ExprNode { node(.unary(.negate, a), a.type, "-\(a.text)") }
  public func call(_ f: BuiltinFunction, _ args: ExprNode...) -> ExprNode {
    node(
      .call(f, args), args.first?.type ?? .any,
      "\(f.rawValue)(\(args.map(\.text).joined(separator: ", ")))")
  }
  public func iff(_ c: ExprNode, _ a: ExprNode, _ b: ExprNode) -> ExprNode {
    node(.conditional(c, a, b), a.type, "if(\(c.text), \(a.text), \(b.text))")
  }
  /// `table[key]` / `table[key @ at]`.
  public func lookup(_ target: String, _ key: [ExprNode], at: ExprNode? = nil) -> ExprNode {
    node(
      .lookup(table: target, key: key, at: at), .row(target),
      "\(target)[\(key.map(\.text).joined(separator: ", "))\(at.map { " @ \($0.text)" } ?? "")]")
  }
  /// `lookup.column` (or `?.column`).
  public func member(_ base: ExprNode, _ column: String, nullSafe: Bool = false) -> ExprNode {
    let t = base.type.rowTable.flatMap { schema.table($0) }
    let i = t?.columnIndex(column) ?? -1
    return node(
      .member(base, column: i, name: column, nullSafe: nullSafe),
      t?.column(column)?.type.valueType ?? .any, "\(base.text)\(nullSafe ? "?." : ".")\(column)")
  }
  public func agg(_ f: AggregateFunction, _ a: ExprNode?) -> ExprNode {
    node(.aggregate(f, a), .decimal(unit: nil), "\(f.rawValue)(\(a?.text ?? ""))")
  }

  /// Column index in `table` (for period sources and target keys).
  public func index(_ column: String, in t: String? = nil) -> Int {
    schema.table(t ?? table)?.columnIndex(column) ?? -1
  }
}
