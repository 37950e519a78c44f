import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Resolves names and types a parsed expression into `ExprNode`s. Recursion is bounded by the
/// parser's depth limit. Each error is reported once, at the offending token, and the subtree
/// is dropped (nil) so one mistake does not cascade.
struct TypeChecker {
  let scalar: YAMLScalar
  let scalars: [Unicode.Scalar]
  let env: ExpressionEnvironment
  var bag: DiagnosticBag
  var nextID = 0

  let locator: ScalarLocator
  /// String index of every value offset (and the end), so node text is a cheap slice.
  let indices: [String.Index]

  init(scalar: YAMLScalar, env: ExpressionEnvironment) {
    self.scalar = scalar
    self.scalars = Array(scalar.value.unicodeScalars)
    self.env = env
    self.bag = DiagnosticBag()
    self.locator = ScalarLocator(scalar)
    self.indices =
      Array(scalar.value.unicodeScalars.indices) + [scalar.value.unicodeScalars.endIndex]
  }

  func span(_ range: Range<Int>) -> SourceSpan {
    locator.span(range.isEmpty ? range.lowerBound..<(range.lowerBound + 1) : range)
  }

  func text(_ range: Range<Int>) -> String {
    let lo = max(0, min(range.lowerBound, scalars.count))
    let hi = max(lo, min(range.upperBound, scalars.count))
    return String(scalar.value.unicodeScalars[indices[lo]..<indices[hi]])
  }

  mutating func error(
    _ code: DiagnosticCode, _ message: String, _ range: Range<Int>, suggestions: [String] = [],
    help: String? = nil
  ) {
    bag.report(code, message, at: span(range), suggestions: suggestions, help: help)
  }

  mutating func node(_ kind: ExprKind, _ type: ValueType, _ range: Range<Int>) -> ExprNode {
    nextID += 1
    return ExprNode(id: nextID, kind: kind, type: type, span: span(range), text: text(range))
  }

  // MARK: - Dispatch

  mutating func check(_ s: Syntax) -> ExprNode? {
    switch s.kind {
    case .integer(let t):
      guard let i = Int64(t) else {
        error(.badLiteral, "integer \(t) is too large", s.range)
        return nil
      }
      return node(.literal(.integer(i)), .integer, s.range)
    case .decimal(let t):
      guard let d = ExactDecimal(t) else {
        error(.badLiteral, "number \(t) has too many digits", s.range)
        return nil
      }
      return node(.literal(.decimal(d)), .decimal(unit: nil), s.range)
    case .duration(let n, let u):
      let unit: CalendarDuration.Unit = u == "d" ? .days : .months
      return node(.literal(.duration(CalendarDuration(n, unit))), .duration, s.range)
    case .string(let t): return node(.literal(.string(t)), .string, s.range)
    case .bool(let b): return node(.literal(.bool(b)), .bool, s.range)
    case .null: return node(.literal(.null), .null, s.range)
    case .name(let name): return checkName(name, s.range)
    case .parameter(let name): return checkParameter(name, s.range)
    case .list(let items): return checkList(items, s.range)
    case .unary(let op, let operand): return checkUnary(op, operand, s.range)
    case .binary(let op, let l, let r): return checkBinary(op, l, r, s.range)
    case .call(let name, let nameRange, let args): return checkCall(name, nameRange, args, s.range)
    case .index(let base, let keys, let at): return checkLookup(base, keys, at, s.range)
    case .indexWhere(let base, let column, let columnRange, let value, let at):
      return checkColumnLookup(base, column, columnRange, value, at, s.range)
    case .member(let base, let name, let nameRange, let nullSafe):
      return checkMember(base, name, nameRange, nullSafe, s.range)
    }
  }

  // MARK: - Names

  mutating func checkName(_ name: String, _ range: Range<Int>) -> ExprNode? {
    if let i = env.groupFields.firstIndex(where: { $0.name == name }) {
      return node(.field(scope: .group, column: i, name: name), env.groupFields[i].type, range)
    }
    if let table = env.table, let i = table.columnIndex(name) {
      return node(
        .field(scope: .row, column: i, name: name), table.columns[i].type.valueType, range)
    }
    if name == "ref", env.ref != nil {
      error(.exprSyntax, "'ref' is the matched row; read one of its columns with ref.column", range)
      return nil
    }
    if env.schema.table(name) != nil {
      error(
        .unknownField, "'\(name)' is a table, not a field; look up a row with \(name)[key]", range)
      return nil
    }
    var candidates = env.groupFields.map(\.name) + (env.table?.columns.map(\.name) ?? [])
    if env.ref != nil { candidates.append("ref") }
    let place: String
    if let table = env.table {
      place = "table '\(table.name)'" + (env.groupFields.isEmpty ? "" : " or the group")
    } else {
      place = "the group fields (\(env.groupFields.map(\.name).joined(separator: ", ")))"
    }
    error(
      .unknownField, "unknown field '\(name)' in \(place)", range,
      suggestions: Suggestions.closest(to: name, in: candidates))
    return nil
  }

  mutating func checkParameter(_ name: String, _ range: Range<Int>) -> ExprNode? {
    guard let p = env.parameters[name] else {
      let declared = env.parameters.keys.sorted()
      error(
        .unknownParameter, "unknown parameter '$\(name)'", range,
        suggestions: Suggestions.closest(to: name, in: declared).map { "$" + $0 },
        help: declared.isEmpty ? "declare it under `params:`" : nil)
      return nil
    }
    return node(.parameter(name: name, value: p.value), p.type, range)
  }

  mutating func checkList(_ items: [Syntax], _ range: Range<Int>) -> ExprNode? {
    var nodes: [ExprNode] = []
    var element: ValueType = .any
    for item in items {
      guard let n = check(item) else { return nil }
      guard let u = TypeRules.unify(element, n.type), !TypeRules.isRow(n.type) else {
        error(
          .typeMismatch,
          "list items must have one type; this is \(TypeRules.describe(n.type)), earlier items are \(TypeRules.describe(element))",
          item.range)
        return nil
      }
      element = u
      nodes.append(n)
    }
    return node(.list(nodes), .list(element), range)
  }

  // MARK: - Lookups

  /// The table named before `[`, shared by key and column lookups.
  mutating func lookupTable(_ base: Syntax, example: String) -> TableSchema? {
    guard case .name(let tableName) = base.kind else {
      error(.badLookup, "only a table can be looked up: write \(example)", base.range)
      return nil
    }
    guard let table = env.schema.table(tableName) else {
      error(
        .unknownLookupTable, "unknown table '\(tableName)'", base.range,
        suggestions: Suggestions.closest(to: tableName, in: env.schema.tables.map(\.name)))
      return nil
    }
    return table
  }

  /// `@ date` of a lookup: the table must have a validity window and the value must be a date.
  mutating func checkWindowDate(_ at: Syntax, table: TableSchema) -> ExprNode? {
    guard table.validFrom != nil || table.validTo != nil else {
      error(
        .badLookup,
        "table '\(table.name)' has no validity window (`valid:` in the schema), so '@ date' cannot be used",
        at.range)
      return nil
    }
    guard let a = check(at) else { return nil }
    guard a.type == .date || a.type == .null else {
      error(.typeMismatch, "'@' needs a date, but this is \(TypeRules.describe(a.type))", at.range)
      return nil
    }
    return a
  }

  mutating func checkLookup(_ base: Syntax, _ keys: [Syntax], _ at: Syntax?, _ range: Range<Int>)
    -> ExprNode?
  {
    guard let table = lookupTable(base, example: "table[key]") else { return nil }
    let tableName = table.name
    guard !table.key.isEmpty else {
      error(
        .badLookup, "table '\(tableName)' declares no `key:`, so it cannot be looked up", base.range
      )
      return nil
    }
    guard keys.count == table.key.count else {
      error(
        .badLookup,
        "table '\(tableName)' is keyed by \(table.key.count) column(s) (\(table.key.joined(separator: ", "))), but \(keys.count) value(s) are given",
        range)
      return nil
    }
    var keyNodes: [ExprNode] = []
    for (key, column) in zip(keys, table.key) {
      guard let k = check(key) else { return nil }
      let columnType = table.column(column)?.type.valueType ?? .string
      guard comparable(k.type, columnType) else {
        error(
          .typeMismatch,
          "key column '\(column)' of '\(tableName)' is \(TypeRules.describe(columnType)), but this is \(TypeRules.describe(k.type))",
          key.range)
        return nil
      }
      keyNodes.append(k)
    }
    var atNode: ExprNode?
    if let at {
      guard let a = checkWindowDate(at, table: table) else { return nil }
      atNode = a
    }
    return node(.lookup(table: tableName, key: keyNodes, at: atNode), .row(tableName), range)
  }

  /// `table[column = value]` / `table[column = value @ date]`: any column of any table; a list
  /// column matches when it contains the value.
  mutating func checkColumnLookup(
    _ base: Syntax, _ column: String, _ columnRange: Range<Int>, _ value: Syntax, _ at: Syntax?,
    _ range: Range<Int>
  ) -> ExprNode? {
    guard let table = lookupTable(base, example: "table[column = value]") else { return nil }
    let tableName = table.name
    guard let columnIndex = table.columnIndex(column) else {
      error(
        .unknownMember, "table '\(tableName)' has no column '\(column)'", columnRange,
        suggestions: Suggestions.closest(to: column, in: table.columns.map(\.name)))
      return nil
    }
    guard let v = check(value) else { return nil }
    let columnType = table.columns[columnIndex].type.valueType
    var wanted = columnType
    if case .list(let element) = columnType { wanted = element }
    guard comparable(v.type, wanted) else {
      let what = wanted == columnType ? "" : " (a list: the value is matched against its items)"
      error(
        .typeMismatch,
        "column '\(column)' of '\(tableName)' is \(TypeRules.describe(columnType))\(what), but this is \(TypeRules.describe(v.type))",
        value.range)
      return nil
    }
    var atNode: ExprNode?
    if let at {
      guard let a = checkWindowDate(at, table: table) else { return nil }
      atNode = a
    }
    return node(
      .lookupWhere(table: tableName, column: columnIndex, name: column, value: v, at: atNode),
      .row(tableName), range)
  }

  mutating func checkMember(
    _ base: Syntax, _ name: String, _ nameRange: Range<Int>, _ nullSafe: Bool, _ range: Range<Int>
  ) -> ExprNode? {
    if case .name("ref") = base.kind, let ref = env.ref, env.table?.column("ref") == nil {
      guard let i = ref.columnIndex(name) else {
        error(
          .unknownMember, "table '\(ref.name)' has no column '\(name)'", nameRange,
          suggestions: Suggestions.closest(to: name, in: ref.columns.map(\.name)))
        return nil
      }
      return node(.field(scope: .ref, column: i, name: name), ref.columns[i].type.valueType, range)
    }
    guard let b = check(base) else { return nil }
    guard let tableName = b.type.rowTable, let table = env.schema.table(tableName) else {
      error(
        .typeMismatch,
        "'.\(name)' reads a column of a looked-up row, but '\(b.text)' is \(TypeRules.describe(b.type))",
        nameRange)
      return nil
    }
    guard let i = table.columnIndex(name) else {
      error(
        .unknownMember, "table '\(tableName)' has no column '\(name)'", nameRange,
        suggestions: Suggestions.closest(to: name, in: table.columns.map(\.name)))
      return nil
    }
    return node(
      .member(b, column: i, name: name, nullSafe: nullSafe), table.columns[i].type.valueType, range)
  }

  /// Whether `==` may compare the two types (units are checked apart).
  func comparable(_ a: ValueType, _ b: ValueType) -> Bool {
    if TypeRules.isRow(a) || TypeRules.isRow(b) { return a == .null || b == .null || a == b }
    if a.isNumeric && b.isNumeric { return true }
    return TypeRules.unify(a, b) != nil
  }
}
