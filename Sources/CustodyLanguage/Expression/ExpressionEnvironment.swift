import CustodyDiagnostics
import CustodyValues

/// What an expression may name: the checked row's table, a reference check's `ref` table,
/// an aggregate's group fields, parameters with their bound values, and the ledger schema for
/// lookups (`table[key @ date].column`).
public struct ExpressionEnvironment: Sendable {
  /// A parameter as seen from an expression: its type and the value bound for this instance
  /// (`.null` while a rule is checked on its own and the parameter has no default).
  public struct Parameter: Sendable, Hashable {
    public var type: ValueType
    public var value: Value
    public init(type: ValueType, value: Value) {
      self.type = type
      self.value = value
    }
  }

  public var schema: LedgerSchema
  /// The table whose rows the expression reads by plain column name; nil where no row is in
  /// scope (an aggregate's `assert:`).
  public var table: TableSchema?
  /// The matched target row of a `reference` check (`ref.column`).
  public var ref: TableSchema?
  /// Group keys and computed values of an aggregate check, in order (`FieldScope.group`).
  public var groupFields: [(name: String, type: ValueType)]
  public var parameters: [String: Parameter]
  /// True only inside an aggregate check's `compute:`.
  public var allowAggregates: Bool
  /// Longest expression, in characters.
  public var maxLength: Int
  /// Deepest nesting of the expression tree.
  public var maxDepth: Int

  public init(
    schema: LedgerSchema, table: TableSchema? = nil, ref: TableSchema? = nil,
    groupFields: [(name: String, type: ValueType)] = [], parameters: [String: Parameter] = [:],
    allowAggregates: Bool = false, maxLength: Int = 4_000, maxDepth: Int = 64
  ) {
    self.schema = schema
    self.table = table
    self.ref = ref
    self.groupFields = groupFields
    self.parameters = parameters
    self.allowAggregates = allowAggregates
    self.maxLength = maxLength
    self.maxDepth = maxDepth
  }
}
