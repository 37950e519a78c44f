import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Compiles one rule's `check:` (and message) with bound parameter values into a `CheckSpec`.
struct CheckCompiler {
  let schema: LedgerSchema
  let parameters: [String: ExpressionEnvironment.Parameter]
  let books: [String: BookDecl]
  let limits: (length: Int, depth: Int)
  var bag = DiagnosticBag()
  /// Rule ids named by the book's `exclude_failing:` (resolved to instances by the binder).
  var excludeFailing: [YAMLScalar] = []
  /// Rule ids named by the book's `unless_failing:` (prerequisites: ordered before the book
  /// when the standard binds them, ignored when it does not).
  var prerequisites: [YAMLScalar] = []

  static let kindKeys: [String: [String]] = [
    "row": ["table", "where", "assert"],
    "unique": ["table", "key", "where", "across", "keep"],
    "reference": ["table", "where", "key", "target", "target_key", "at", "assert"],
    "aggregate": ["table", "where", "group_by", "per_period", "compute", "also", "assert"],
    "period_coverage": ["periods", "max_months", "contiguous", "entries"],
    "mass_balance": ["book", "book_params", "mode", "periods", "tolerance"],
  ]
  static let required: [String: [String]] = [
    "row": ["table", "assert"], "unique": [], "reference": ["table", "key", "target"],
    "aggregate": ["table", "compute", "assert"], "period_coverage": ["periods", "entries"],
    "mass_balance": ["book", "mode"],
  ]

  func env(_ table: TableSchema?) -> ExpressionEnvironment {
    ExpressionEnvironment(
      schema: schema, table: table, parameters: parameters, maxLength: limits.length,
      maxDepth: limits.depth)
  }

  mutating func table(_ r: MappingReader, _ key: String = "table") -> TableSchema? {
    guard let s = r.scalar(key, bag: &bag) else { return nil }
    guard let t = schema.table(s.value) else {
      bag.report(
        .unknownSchemaTable, "the ledger schema has no table '\(s.value)'", at: s.span,
        suggestions: Suggestions.closest(to: s.value, in: schema.tables.map(\.name)))
      return nil
    }
    return t
  }

  mutating func condition(_ r: MappingReader, _ key: String, _ env: ExpressionEnvironment)
    -> ExprNode?
  {
    guard let s = r.scalar(key, bag: &bag) else { return nil }
    return ExpressionCompiler.compileCondition(s, in: env, bag: &bag)
  }

  mutating func expr(_ node: YAMLNode?, _ env: ExpressionEnvironment, what: String) -> ExprNode? {
    guard let node else { return nil }
    guard let s = node.scalar else {
      bag.report(
        .wrongValueType, "\(what) must be an expression, not \(node.kindDescription)", at: node.span
      )
      return nil
    }
    return ExpressionCompiler.compile(s, in: env, bag: &bag)
  }

  mutating func exprs(_ r: MappingReader, _ key: String, _ env: ExpressionEnvironment)
    -> [ExprNode]?
  {
    guard let items = r.scalars(key, bag: &bag) else { return nil }
    var out: [ExprNode] = []
    for s in items {
      guard let n = ExpressionCompiler.compileListItem(s, in: env, bag: &bag) else { return nil }
      out.append(n)
    }
    return out
  }

  /// A column name of `table` given as a plain scalar, as its index.
  mutating func column(
    _ r: MappingReader, _ key: String, in table: TableSchema, type: ValueType? = nil
  ) -> Int? {
    guard let s = r.scalar(key, bag: &bag) else { return nil }
    guard let i = table.columnIndex(s.value) else {
      bag.report(
        .unknownSchemaColumn, "table '\(table.name)' has no column '\(s.value)'", at: s.span,
        suggestions: Suggestions.closest(to: s.value, in: table.columns.map(\.name)))
      return nil
    }
    if let type, table.columns[i].type.valueType != type {
      bag.report(
        .typeMismatch,
        "'\(key)' must be a \(type) column, but '\(s.value)' is \(table.columns[i].type)",
        at: s.span)
      return nil
    }
    return i
  }

  /// A scalar that is a literal or `$param`, as a value of `type`.
  mutating func value(_ r: MappingReader, _ key: String, as type: ValueType) -> Value? {
    guard let s = r.scalar(key, bag: &bag) else { return nil }
    if s.value.hasPrefix("$") {
      let name = String(s.value.dropFirst())
      guard let p = parameters[name] else {
        bag.report(
          .unknownParameter, "unknown parameter '\(s.value)'", at: s.span,
          suggestions: Suggestions.closest(to: name, in: parameters.keys.sorted()).map { "$" + $0 })
        return nil
      }
      return p.value
    }
    return ParameterLowering.parse(.scalar(s), as: type, what: "'\(key)'", bag: &bag)
  }

  mutating func compile(_ rule: RuleDecl) -> CheckSpec? {
    guard let allowed = Self.kindKeys[rule.kind] else { return nil }
    guard
      let r = MappingReader.open(
        .mapping(rule.check), what: "check of kind \(rule.kind)", allowed: ["kind"] + allowed,
        required: Self.required[rule.kind] ?? [], bag: &bag)
    else { return nil }
    let before = bag.errorCount
    let spec: CheckSpec?
    switch rule.kind {
    case "row": spec = row(r)
    case "unique": spec = unique(r)
    case "reference": spec = reference(r)
    case "aggregate": spec = aggregate(r)
    case "period_coverage": spec = periodCoverage(r)
    default: spec = massBalance(r)
    }
    return bag.errorCount == before ? spec : nil
  }

  mutating func row(_ r: MappingReader) -> CheckSpec? {
    guard let t = table(r) else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    guard let assertion = condition(r, "assert", e) else { return nil }
    return .row(RowCheckSpec(table: t.name, filter: filter, assertion: assertion))
  }

  mutating func unique(_ r: MappingReader) -> CheckSpec? {
    var sources: [UniqueCheckSpec.Source] = []
    if let across = r.list("across", bag: &bag) {
      if r.has("table") || r.has("key") {
        bag.report(
          .invalidValue, "write either `table`+`key` or `across:`, not both",
          at: r.mapping.keyScalar("across")?.span)
      }
      for node in across {
        guard
          let s = MappingReader.open(
            node, what: "unique source", allowed: ["table", "key", "where"],
            required: ["table", "key"], bag: &bag),
          let source = uniqueSource(s)
        else { continue }
        sources.append(source)
      }
    } else {
      guard r.has("table"), r.has("key") else {
        bag.report(
          .missingKey, "a unique check needs `table` and `key`, or `across:`", at: r.mapping.span)
        return nil
      }
      guard let source = uniqueSource(r) else { return nil }
      sources = [source]
    }
    var keep = UniqueCheckSpec.Keep.none
    if r.has("keep") {
      switch r.choice("keep", ["first"], bag: &bag) {
      case "first"?: keep = .first
      default: break
      }
    }
    return .unique(UniqueCheckSpec(sources: sources, keep: keep))
  }

  mutating func uniqueSource(_ r: MappingReader) -> UniqueCheckSpec.Source? {
    guard let t = table(r) else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    guard let key = exprs(r, "key", e), !key.isEmpty else { return nil }
    return UniqueCheckSpec.Source(table: t.name, filter: filter, key: key)
  }

  mutating func reference(_ r: MappingReader) -> CheckSpec? {
    guard let t = table(r), let target = table(r, "target") else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    guard let key = exprs(r, "key", e) else { return nil }
    var targetKey: [Int] = []
    if let names = r.scalars("target_key", bag: &bag) {
      for s in names {
        guard let i = target.columnIndex(s.value) else {
          bag.report(
            .unknownSchemaColumn, "table '\(target.name)' has no column '\(s.value)'", at: s.span,
            suggestions: Suggestions.closest(to: s.value, in: target.columns.map(\.name)))
          return nil
        }
        targetKey.append(i)
      }
    } else {
      targetKey = target.key.compactMap { target.columnIndex($0) }
      if targetKey.isEmpty {
        bag.report(
          .badLookup, "table '\(target.name)' declares no key; give `target_key:`",
          at: r["target"]?.span)
        return nil
      }
    }
    if targetKey.count != key.count {
      bag.report(
        .badLookup,
        "`key` gives \(key.count) value(s) but the target key has \(targetKey.count) column(s)",
        at: r["key"]?.span)
      return nil
    }
    var at: ExprNode?
    if let s = r.scalar("at", bag: &bag) {
      if target.validFrom == nil && target.validTo == nil {
        bag.report(
          .badLookup,
          "table '\(target.name)' has no validity window (`valid:`), so `at:` cannot be used",
          at: s.span)
        return nil
      }
      at = ExpressionCompiler.compile(s, in: e, bag: &bag)
      if let a = at, a.type != .date {
        bag.report(
          .typeMismatch, "`at:` must be a date, but '\(a.text)' is \(TypeRules.describe(a.type))",
          at: a.span)
        return nil
      }
    }
    var refEnv = e
    refEnv.ref = target
    let assertion = condition(r, "assert", refEnv)
    return .reference(
      ReferenceCheckSpec(
        table: t.name, filter: filter, key: key, target: target.name, targetKey: targetKey, at: at,
        condition: assertion))
  }

  /// `{table, group, start, end, id?}`, or the shorthand `periods: <table>` for a table with
  /// `site`, `start` and `end` columns (its `entry_id` column names the period).
  mutating func periodSource(_ node: YAMLNode?) -> PeriodSource? {
    if let s = node?.scalar, !s.isNull {
      guard let t = schema.table(s.value) else {
        bag.report(
          .unknownSchemaTable, "the ledger schema has no table '\(s.value)'", at: s.span,
          suggestions: Suggestions.closest(to: s.value, in: schema.tables.map(\.name)))
        return nil
      }
      guard let group = t.columnIndex("site"), let start = t.columnIndex("start"),
        let end = t.columnIndex("end")
      else {
        bag.report(
          .unknownSchemaColumn,
          "table '\(t.name)' has no site/start/end columns; write {table, group, start, end}",
          at: s.span)
        return nil
      }
      return PeriodSource(
        table: t.name, group: group, id: t.entryID.flatMap { t.columnIndex($0) }, start: start,
        end: end)
    }
    guard let node,
      let p = MappingReader.open(
        node, what: "periods", allowed: ["table", "group", "start", "end", "id"],
        required: ["table", "group", "start", "end"], bag: &bag),
      let t = table(p), let group = column(p, "group", in: t),
      let start = column(p, "start", in: t, type: .date),
      let end = column(p, "end", in: t, type: .date)
    else { return nil }
    return PeriodSource(
      table: t.name, group: group, id: p.has("id") ? column(p, "id", in: t) : nil, start: start,
      end: end)
  }
}
