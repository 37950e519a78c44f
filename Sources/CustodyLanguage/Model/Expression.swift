import CustodyDiagnostics
import CustodyValues

/// Which row a field reference reads in a check's context.
public enum FieldScope: String, Sendable, Hashable {
  /// The row being checked (`cu_t`).
  case row
  /// The matched row of a `reference` check's target table (`ref.due_diligence`).
  case ref
  /// A group key or computed value of an `aggregate` check (`total`, `site`).
  case group
}

/// Binary operators. Arithmetic is exact decimal; comparisons of null are errors unless the
/// operator is `==`/`!=` (null handling is explicit, never silently false).
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
  case add = "+", subtract = "-", multiply = "*", divide = "/"
  case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">",
    greaterOrEqual = ">="
  case and = "and", or = "or"
  case `in` = "in", notIn = "not in"
}

public enum UnaryOperator: String, Sendable, Hashable {
  case not = "not", negate = "-"
}

/// Aggregations, allowed only in an `aggregate` check's `compute:`.
public enum AggregateFunction: String, Sendable, Hashable, CaseIterable {
  case sum, count, min, max, avg
}

/// Built-in functions. Declarations (signatures, docs) live with the type checker;
/// implementations live in the engine's evaluator.
public enum BuiltinFunction: String, Sendable, Hashable, CaseIterable {
  case abs, min, max, round, coalesce
  case addMonths = "add_months", addDays = "add_days"
  case daysBetween = "days_between", monthsBetween = "months_between"
  case year, quarter, month
  case lower, upper
  case startsWith = "starts_with", endsWith = "ends_with"
  case contains, matches, len
  case isNull = "is_null"
  case date
}

/// A type-checked expression node. Node ids are unique within one expression and key the
/// evaluation trace that `custody explain` prints.
public struct ExprNode: Sendable, Hashable {
  public var id: Int
  public var kind: ExprKind
  public var type: ValueType
  public var span: SourceSpan
  /// The expression's source text for this node (`cu_t * 0.98`), for explanations.
  public var text: String

  public init(id: Int, kind: ExprKind, type: ValueType, span: SourceSpan, text: String) {
    self.id = id
    self.kind = kind
    self.type = type
    self.span = span
    self.text = text
  }
}

public indirect enum ExprKind: Sendable, Hashable {
  case literal(Value)
  /// A parameter reference (`$max_months`) already bound to its value for this rule instance.
  case parameter(name: String, value: Value)
  /// A column of the row in `scope`; `column` is its index in the table schema (or in the
  /// aggregate's group/compute list for `.group`).
  case field(scope: FieldScope, column: Int, name: String)
  case unary(UnaryOperator, ExprNode)
  case binary(BinaryOperator, ExprNode, ExprNode)
  case list([ExprNode])
  case call(BuiltinFunction, [ExprNode])
  /// `table[key]` or `table[key @ date]`: the row of a reference table whose key columns equal
  /// `key` (and whose validity window covers `at`, both ends included), or null.
  case lookup(table: String, key: [ExprNode], at: ExprNode?)
  /// `table[column = value]` or `table[column = value @ date]`: the one row
  /// (among rows whose validity window covers `at`, both ends included) whose `column` equals
  /// `value`, or, for a list column, contains it; null when none. `column` is its index in the
  /// table schema, `name` its name.
  case lookupWhere(table: String, column: Int, name: String, value: ExprNode, at: ExprNode?)
  /// `row.column` on a lookup; `nullSafe` for `?.`. A plain `.` on a missing row is a run-time
  /// error reported as a finding with status `error`.
  case member(ExprNode, column: Int, name: String, nullSafe: Bool)
  /// `if(cond, a, b)`.
  case conditional(ExprNode, ExprNode, ExprNode)
  /// An aggregation over the rows of a group (only inside `compute:`).
  case aggregate(AggregateFunction, ExprNode?)
}

/// A message with `{expression}` placeholders, rendered per finding with actual values.
public struct MessageTemplate: Sendable, Hashable {
  public enum Part: Sendable, Hashable {
    case text(String)
    case expression(ExprNode)
  }
  public var parts: [Part]
  public var span: SourceSpan?

  public init(parts: [Part], span: SourceSpan?) {
    self.parts = parts
    self.span = span
  }
}

extension ValueType {
  /// A row of a reference table, the type of `table[key]`.
  public static func row(_ table: String) -> ValueType { .enumeration(values: ["@row:" + table]) }

  /// The table name if this is a row type.
  public var rowTable: String? {
    if case .enumeration(let values) = self, values.count == 1, values[0].hasPrefix("@row:") {
      return String(values[0].dropFirst(5))
    }
    return nil
  }
}
