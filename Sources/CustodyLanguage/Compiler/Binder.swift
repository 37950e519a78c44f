import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Binds the rules named by clauses to parameter values, giving rule instances. A rule bound
/// identically by several clauses is one instance; bound differently, `id`, `id#2` ...
struct Binder {
  let session: CompileSession
  let decl: StandardDecl
  let schema: LedgerSchema
  let library: CompileSession.Library
  let standardParameters: [BoundParameter]

  /// Per instance: the rule ids named by its book's `exclude_failing:` (for the graph).
  var excludeFailing: [String: [YAMLScalar]] = [:]
  /// Per instance: the rule ids its `unless_failing:` (rule or book) names.
  var prerequisites: [String: [YAMLScalar]] = [:]

  init(
    session: CompileSession, decl: StandardDecl, schema: LedgerSchema,
    library: CompileSession.Library, standardParameters: [BoundParameter]
  ) {
    self.session = session
    self.decl = decl
    self.schema = schema
    self.library = library
    self.standardParameters = standardParameters
  }

  mutating func bind() -> [RuleInstance] {
    var instances: [RuleInstance] = []
    var byKey: [String: Int] = [:]
    var countPerRule: [String: Int] = [:]
    for clause in decl.clauses {
      for use in clause.uses {
        guard let rule = library.rules[use.ruleID] else {
          session.bag.report(
            .unknownRule, "clause '\(clause.clause.id)' names unknown rule '\(use.ruleID)'",
            at: use.ruleSpan,
            suggestions: Suggestions.closest(to: use.ruleID, in: library.rules.keys.sorted()))
          continue
        }
        guard let params = bindParameters(rule, use) else { continue }
        let key =
          rule.id + "\u{1}"
          + params.map { "\($0.name)=\($0.value.literal)" }.joined(separator: "\u{1}")
        if let i = byKey[key] {
          if !instances[i].clauseIDs.contains(clause.clause.id) {
            instances[i].clauseIDs.append(clause.clause.id)
          }
          continue
        }
        let n = (countPerRule[rule.id] ?? 0) + 1
        countPerRule[rule.id] = n
        let id = n == 1 ? rule.id : "\(rule.id)#\(n)"
        guard var instance = compile(rule, id: id, params: params) else { continue }
        instance.clauseIDs = [clause.clause.id]
        byKey[key] = instances.count
        instances.append(instance)
      }
    }
    // `exclude_failing:` and `unless_failing:` name rules; the engine needs their instances.
    func resolved(_ rules: [String]) -> [String] {
      rules.flatMap { rule in
        let ids = instances.filter { $0.ruleID == rule }.map(\.id)
        return ids.isEmpty ? [rule] : ids
      }
    }
    // A prerequisite the standard does not bind is dropped: it removes nothing.
    func bound(_ rules: [String]) -> [String] {
      rules.flatMap { rule in instances.filter { $0.ruleID == rule }.map(\.id) }
    }
    for i in instances.indices {
      let rule = library.rules[instances[i].ruleID]
      instances[i].unlessFailing = bound((rule?.unlessFailing ?? []).map(\.value)).filter {
        $0 != instances[i].id
      }
      if case .massBalance(var spec) = instances[i].check {
        func map(_ sources: [CompiledBook.Source]) -> [CompiledBook.Source] {
          sources.map { source in
            var s = source
            s.excludeFailing = resolved(s.excludeFailing)
            s.unlessFailing = bound(s.unlessFailing)
            return s
          }
        }
        spec.book.credits = map(spec.book.credits)
        spec.book.debits = map(spec.book.debits)
        spec.book.transfers = spec.book.transfers.map { t in
          var t = t
          t.unlessFailing = bound(t.unlessFailing)
          return t
        }
        instances[i].check = .massBalance(spec)
      }
    }
    for i in instances.indices { instances[i].digest = Digest.instance(instances[i]) }
    return instances
  }

  /// Rule parameters in declaration order: binding, `$standard_param`, or default.
  func bindParameters(_ rule: RuleDecl, _ use: RuleUse) -> [BoundParameter]? {
    var ok = true
    var bound: [String: BoundParameter] = [:]
    // Names whose binding was written (even if wrong): not reported again as missing.
    let attempted = Set(use.bindings.map(\.name.value))
    for (name, value) in use.bindings {
      guard let p = rule.params.first(where: { $0.name == name.value }) else {
        session.bag.report(
          .unknownParameterBinding, "rule '\(rule.id)' has no parameter '\(name.value)'",
          at: name.span,
          suggestions: Suggestions.closest(to: name.value, in: rule.params.map(\.name)),
          help: rule.params.isEmpty
            ? "rule '\(rule.id)' declares no parameters"
            : "its parameters: \(rule.params.map(\.name).joined(separator: ", "))")
        ok = false
        continue
      }
      if let s = value.scalar, s.value.hasPrefix("$") {
        let ref = String(s.value.dropFirst())
        guard let sp = standardParameters.first(where: { $0.name == ref }) else {
          session.bag.report(
            .unknownStandardParameter, "the standard has no parameter '\(s.value)'", at: s.span,
            suggestions: Suggestions.closest(to: ref, in: standardParameters.map(\.name)).map {
              "$" + $0
            })
          ok = false
          continue
        }
        guard ParameterLowering.assignable(sp.type, to: p.type) else {
          session.bag.report(
            .parameterValueType,
            "standard parameter '\(s.value)' is \(sp.type), but '\(p.name)' of rule '\(rule.id)' is \(p.type)",
            at: s.span)
          ok = false
          continue
        }
        if sp.value == .null, decl.params.first(where: { $0.name == ref })?.defaultInvalid == true {
          ok = false  // its bad default is already reported
          continue
        }
        if sp.value == .null, !p.optional {
          session.bag.report(
            .parameterValueType,
            "standard parameter '\(s.value)' is null, but '\(p.name)' of rule '\(rule.id)' is not optional",
            at: s.span)
          ok = false
          continue
        }
        bound[p.name] = BoundParameter(
          name: p.name, type: p.type, value: sp.value, origin: .standardParameter(ref),
          span: s.span, description: p.description)
      } else {
        guard
          let v = ParameterLowering.parse(
            value, as: p.type, what: "binding '\(p.name)'", bag: &session.bag)
        else {
          ok = false
          continue
        }
        if v == .null, !p.optional {
          session.bag.report(
            .parameterValueType,
            "binding '\(p.name)' is null, but '\(p.name)' of rule '\(rule.id)' is \(p.type) and not optional",
            at: value.span, notes: [DiagnosticNote("declared here", at: p.span)])
          ok = false
          continue
        }
        bound[p.name] = BoundParameter(
          name: p.name, type: p.type, value: v, origin: .binding, span: value.span,
          description: p.description)
      }
    }
    var out: [BoundParameter] = []
    for p in rule.params {
      if let b = bound[p.name] {
        out.append(b)
      } else if attempted.contains(p.name) {
        continue
      } else if p.defaultInvalid {
        ok = false  // the bad default is already reported
      } else if let d = p.defaultValue {
        out.append(
          BoundParameter(
            name: p.name, type: p.type, value: d, origin: .defaultValue, span: p.defaultSpan,
            description: p.description))
      } else {
        session.bag.report(
          .missingParameter,
          "rule '\(rule.id)' needs a value for parameter '\(p.name)' (it has no default)",
          at: use.ruleSpan,
          notes: [DiagnosticNote("declared here", at: p.span)],
          help: "bind it: {rule: \(rule.id), with: {\(p.name): ...}}")
        ok = false
      }
    }
    return ok ? out : nil
  }

  mutating func compile(_ rule: RuleDecl, id: String, params: [BoundParameter]) -> RuleInstance? {
    let env = Dictionary(
      params.map { ($0.name, ExpressionEnvironment.Parameter(type: $0.type, value: $0.value)) },
      uniquingKeysWith: { a, _ in a })
    guard
      let (spec, message, excluded, prerequisites) = Self.compileCheck(
        rule, schema: schema, parameters: env, books: library.books, options: session.options,
        bag: &session.bag)
    else { return nil }
    excludeFailing[id] = excluded
    self.prerequisites[id] = prerequisites + rule.unlessFailing
    return RuleInstance(
      id: id, ruleID: rule.id, title: rule.title, description: rule.description, clauseIDs: [],
      parameters: params, check: spec, message: message, requires: rule.requires.map(\.value),
      effectiveFrom: rule.effectiveFrom, effectiveUntil: rule.effectiveUntil, file: rule.file,
      span: rule.check.span, digest: "")
  }

  /// Compiles a rule's check and message with the given parameter values.
  static func compileCheck(
    _ rule: RuleDecl, schema: LedgerSchema, parameters: [String: ExpressionEnvironment.Parameter],
    books: [String: BookDecl], options: CompilerOptions, bag: inout DiagnosticBag
  ) -> (CheckSpec, MessageTemplate?, [YAMLScalar], [YAMLScalar])? {
    var checker = CheckCompiler(
      schema: schema, parameters: parameters, books: books,
      limits: (options.maxExpressionLength, options.maxExpressionDepth))
    let spec = checker.compile(rule)
    var message: MessageTemplate?
    if let spec, let m = rule.message {
      message = checker.message(m, env: messageEnvironment(spec, checker: checker))
    }
    bag.append(contentsOf: checker.bag.diagnostics)
    guard let spec, checker.bag.errorCount == 0 else { return nil }
    return (spec, message, checker.excludeFailing, checker.prerequisites)
  }

  /// What `{...}` in a message may read: the checked row (and `ref`), an aggregate's group
  /// fields, or a book's account components.
  static func messageEnvironment(_ spec: CheckSpec, checker: CheckCompiler) -> ExpressionEnvironment
  {
    switch spec {
    case .row(let s): return checker.env(checker.schema.table(s.table))
    case .unique(let s):
      // The engine renders a duplicate per key, not per row (`Frame(group: key)`): a message
      // may name the key parts, by their column names (issue 22, item 9: `{entry_id}` read a
      // row that was not there and printed `<error: no column ...>`).
      var e = checker.env(nil)
      e.groupFields = (s.sources.first?.key ?? []).enumerated().map { i, k in
        if case .field(_, _, let name) = k.kind { return (name, k.type) }
        return ("key_\(i + 1)", k.type)
      }
      return e
    case .reference(let s):
      var e = checker.env(checker.schema.table(s.table))
      e.ref = checker.schema.table(s.target)
      return e
    case .aggregate(let s):
      var e = checker.env(nil)
      e.groupFields = s.groupBy.map { ($0.name, $0.expr.type) }
      for c in s.compute + s.also.flatMap(\.compute) {
        e.groupFields.append(
          (c.name, c.function == .count ? .integer : (c.argument?.type ?? .integer)))
      }
      if s.periods != nil { e.groupFields += [("period_start", .date), ("period_end", .date)] }
      return e
    case .periodCoverage(let s):
      // Rendered for an entry (a receipt or shipment) outside every period: the group (named
      // as the periods table's group column) and the entry's date. Not the entry's row read
      // as a periods row, which printed an entry id where the site belongs (issue 22, item 9).
      var e = checker.env(nil)
      let table = checker.schema.table(s.periods.table)
      let groupName =
        table.flatMap {
          s.periods.group < $0.columns.count ? $0.columns[s.periods.group].name : nil
        }
        ?? "group"
      e.groupFields = [(groupName, s.entries.first?.group.type ?? .string), ("date", .date)]
      return e
    case .massBalance(let s):
      var e = checker.env(nil)
      // The engine renders these per account: the account key components, in order.
      e.groupFields = s.book.accountKey.map { ($0, ValueType.string) }
      return e
    }
  }
}
