import CustodyDiagnostics
import CustodyValues
import CustodyYAML

extension CheckCompiler {
  mutating func aggregate(_ r: MappingReader) -> CheckSpec? {
    guard let t = table(r) else { return nil }
    let e = env(t)
    let filter = condition(r, "where", e)
    var groupBy: [(name: String, expr: ExprNode)] = []
    let groupNodes = r.map("group_by", bag: &bag)?.pairs ?? []
    for (key, node) in groupNodes {
      guard let n = expr(node, e, what: "group_by '\(key.value)'") else { return nil }
      groupBy.append((key.value, n))
    }
    var periods: PeriodSource?
    var periodGroup: ExprNode?
    var periodDate: ExprNode?
    var periodReader: MappingReader?
    if let node = r["per_period"] {
      guard
        let p = MappingReader.open(
          node, what: "per_period", allowed: ["periods", "group", "date"],
          required: ["periods", "group", "date"], bag: &bag)
      else { return nil }
      periodReader = p
      periods = periodSource(p["periods"])
      periodGroup = expr(p["group"], e, what: "per_period group")
      periodDate = expr(p["date"], e, what: "per_period date")
      if let d = periodDate, d.type != .date {
        bag.report(
          .typeMismatch,
          "per_period `date` must be a date, but '\(d.text)' is \(TypeRules.describe(d.type))",
          at: d.span)
        return nil
      }
    }
    guard let compute = aggregations(r, e) else { return nil }
    // `also:` sources: the same group and period expressions, compiled on their own table.
    var also: [AggregateCheckSpec.Also] = []
    var names = Set(groupBy.map(\.name) + compute.map(\.name))
    for node in r.list("also", bag: &bag) ?? [] {
      guard
        let ar = MappingReader.open(
          node, what: "also item", allowed: ["table", "where", "compute"],
          required: ["table", "compute"], bag: &bag),
        let at = table(ar)
      else { return nil }
      let ae = env(at)
      let aFilter = condition(ar, "where", ae)
      var aGroup: [ExprNode] = []
      for ((key, node), main) in zip(groupNodes, groupBy) {
        guard let n = expr(node, ae, what: "group_by '\(key.value)' on \(at.name)") else {
          return nil
        }
        if n.type != main.expr.type && n.type != .null && main.expr.type != .null {
          bag.report(
            .typeMismatch,
            "group_by '\(key.value)' is \(TypeRules.describe(main.expr.type)) on \(t.name) but \(TypeRules.describe(n.type)) on \(at.name)",
            at: node.span)
          return nil
        }
        aGroup.append(n)
      }
      var aPeriodGroup: ExprNode?
      var aPeriodDate: ExprNode?
      if let p = periodReader {
        aPeriodGroup = expr(p["group"], ae, what: "per_period group on \(at.name)")
        aPeriodDate = expr(p["date"], ae, what: "per_period date on \(at.name)")
        if aPeriodGroup == nil || aPeriodDate?.type != .date { return nil }
      }
      guard let aCompute = aggregations(ar, ae) else { return nil }
      for c in aCompute where !names.insert(c.name).inserted {
        bag.report(
          .duplicateID, "compute '\(c.name)' is named twice in this aggregate",
          at: ar["compute"]?.span)
        return nil
      }
      also.append(
        .init(
          table: at.name, filter: aFilter, groupBy: aGroup, periodGroup: aPeriodGroup,
          periodDate: aPeriodDate, compute: aCompute))
    }
    var fields = groupBy.map { (name: $0.name, type: $0.expr.type) }
    for c in compute + also.flatMap(\.compute) {
      let type: ValueType =
        c.function == .count
        ? .integer
        : c.function == .avg
          ? .decimal(unit: TypeRules.unit(c.argument?.type ?? .null))
          : (c.argument?.type ?? .integer)
      fields.append((c.name, type))
    }
    if periods != nil {
      fields.append(("period_start", .date))
      fields.append(("period_end", .date))
    }
    var groupEnv = env(nil)
    groupEnv.groupFields = fields
    guard let assertion = condition(r, "assert", groupEnv) else { return nil }
    return .aggregate(
      AggregateCheckSpec(
        table: t.name, filter: filter, groupBy: groupBy, periods: periods, periodGroup: periodGroup,
        periodDate: periodDate, compute: compute, assertion: assertion, also: also))
  }

  /// The `compute:` mapping of an aggregate (or of one of its `also:` sources) on table env `e`.
  private mutating func aggregations(_ r: MappingReader, _ e: ExpressionEnvironment)
    -> [AggregateCheckSpec.Computed]?
  {
    var compute: [AggregateCheckSpec.Computed] = []
    var aggEnv = e
    aggEnv.allowAggregates = true
    for (key, node) in r.map("compute", bag: &bag)?.pairs ?? [] {
      guard let s = node.scalar else {
        bag.report(
          .wrongValueType, "compute '\(key.value)' must be an aggregation like sum(cu_t)",
          at: node.span)
        return nil
      }
      guard let (function, argument) = ExpressionCompiler.compileAggregate(s, in: aggEnv, bag: &bag)
      else { return nil }
      compute.append(.init(name: key.value, function: function, argument: argument))
    }
    return compute
  }

  mutating func periodCoverage(_ r: MappingReader) -> CheckSpec? {
    guard let periods = periodSource(r["periods"]) else { return nil }
    var maxMonths: Int?
    if r.has("max_months") {
      switch value(r, "max_months", as: .integer) {
      case .integer(let i)?: maxMonths = Int(i)
      case .null?, nil: maxMonths = nil
      default:
        bag.report(
          .parameterValueType, "`max_months` must be a whole number", at: r["max_months"]?.span)
      }
    }
    var contiguous = true
    if r.has("contiguous") {
      if case .bool(let b)? = value(r, "contiguous", as: .bool) { contiguous = b }
    }
    var entries: [PeriodCoverageSpec.Entries] = []
    for node in r.list("entries", bag: &bag) ?? [] {
      guard
        let er = MappingReader.open(
          node, what: "entries item", allowed: ["table", "group", "date", "where"],
          required: ["table", "group", "date"], bag: &bag),
        let t = table(er)
      else { continue }
      let e = env(t)
      let filter = condition(er, "where", e)
      guard let group = expr(er["group"], e, what: "group"),
        let date = expr(er["date"], e, what: "date")
      else { continue }
      if date.type != .date {
        bag.report(
          .typeMismatch,
          "`date` must be a date, but '\(date.text)' is \(TypeRules.describe(date.type))",
          at: date.span)
        continue
      }
      entries.append(.init(table: t.name, filter: filter, group: group, date: date))
    }
    return .periodCoverage(
      PeriodCoverageSpec(
        periods: periods, maxMonths: maxMonths, contiguous: contiguous, entries: entries))
  }

  mutating func massBalance(_ r: MappingReader) -> CheckSpec? {
    guard let bookID = r.scalar("book", bag: &bag) else { return nil }
    guard let book = books[bookID.value] else {
      bag.report(
        .unknownBook, "unknown book '\(bookID.value)'", at: bookID.span,
        suggestions: Suggestions.closest(to: bookID.value, in: books.keys.sorted()))
      return nil
    }
    let mode = r.choice("mode", MassBalanceMode.allCases.map(\.rawValue), bag: &bag).flatMap(
      MassBalanceMode.init(rawValue:))
    let periods = r.has("periods") ? periodSource(r["periods"]) : nil
    var tolerance = ExactDecimal.zero
    if r.has("tolerance"), let v = value(r, "tolerance", as: .decimal(unit: nil)),
      let d = v.asDecimal
    {
      tolerance = d
    }
    if (mode == .periodEnd || mode == .percentage) && periods == nil {
      bag.report(.missingKey, "mode \(mode?.rawValue ?? "") needs `periods:`", at: r.mapping.span)
    }
    // Book parameters: defaults, overridden by `book_params:` (literals or this rule's `$params`).
    var bookParams: [String: ExpressionEnvironment.Parameter] = [:]
    for p in book.params {
      bookParams[p.name] = .init(type: p.type, value: p.defaultValue ?? .null)
    }
    for (key, node) in r.map("book_params", bag: &bag)?.pairs ?? [] {
      guard let decl = book.params.first(where: { $0.name == key.value }) else {
        bag.report(
          .unknownParameterBinding, "book '\(book.id)' has no parameter '\(key.value)'",
          at: key.span, suggestions: Suggestions.closest(to: key.value, in: book.params.map(\.name))
        )
        continue
      }
      if let s = node.scalar, s.value.hasPrefix("$") {
        guard let p = parameters[String(s.value.dropFirst())] else {
          bag.report(
            .unknownParameter, "unknown parameter '\(s.value)'", at: s.span,
            suggestions: Suggestions.closest(
              to: String(s.value.dropFirst()), in: parameters.keys.sorted()
            ).map { "$" + $0 })
          continue
        }
        bookParams[key.value] = .init(type: decl.type, value: p.value)
      } else if let v = ParameterLowering.parse(
        node, as: decl.type, what: "book parameter '\(key.value)'", bag: &bag)
      {
        bookParams[key.value] = .init(type: decl.type, value: v)
      }
    }
    if mode == .percentage, let first = book.transfers.first {
      // Silently ignoring the transfers would let a sender claim its own share and give credits
      // away besides; honouring them needs a tonnage ledger the percentage method does not keep.
      bag.report(
        .percentageTransfers,
        "mode percentage cannot honour the transfers of book '\(book.id)': the percentage method balances shares and has no credits to move",
        at: r["mode"]?.span ?? r.mapping.span,
        notes: [
          DiagnosticNote("book '\(book.id)' moves credits here", at: first.span),
          DiagnosticNote(
            "remove the book's `transfers:` (each account is judged on its own input) or use a credit mode"
          ),
        ])
      return nil
    }
    guard let compiled = compileBook(book, parameters: bookParams), let mode else { return nil }
    return .massBalance(
      MassBalanceSpec(book: compiled, mode: mode, periods: periods, tolerance: tolerance))
  }

  /// A `{...}` message template: text with expressions, compiled in the check's main scope.
  mutating func message(_ s: YAMLScalar, env: ExpressionEnvironment) -> MessageTemplate? {
    let chars = Array(s.value.unicodeScalars)
    var parts: [MessageTemplate.Part] = []
    var text = ""
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" {
        text += "{"
        i += 2
      } else if c == "}" && i + 1 < chars.count && chars[i + 1] == "}" {
        text += "}"
        i += 2
      } else if c == "{" {
        guard let close = chars[(i + 1)...].firstIndex(of: "}") else {
          bag.report(
            .badMessageTemplate, "'{' is not closed with '}'", at: s.span(ofValueRange: i..<(i + 1))
          )
          return nil
        }
        if !text.isEmpty { parts.append(.text(text)) }
        text = ""
        guard let node = ExpressionCompiler.compile(s, range: (i + 1)..<close, in: env, bag: &bag)
        else { return nil }
        parts.append(.expression(node))
        i = close + 1
      } else if c == "}" {
        bag.report(
          .badMessageTemplate, "'}' without a matching '{' (write '}}' for a brace)",
          at: s.span(ofValueRange: i..<(i + 1)))
        return nil
      } else {
        text.unicodeScalars.append(c)
        i += 1
      }
    }
    if !text.isEmpty { parts.append(.text(text)) }
    return MessageTemplate(parts: parts, span: s.span)
  }
}
