import CustodyDiagnostics
import CustodyValues
import CustodyYAML

extension CompileSession {
  /// Compiles every standard under `paths`, lowers every rule, book and schema, type-checks
  /// rules no standard binds (against the first standard's schema, with defaults), and adds
  /// the CUS5xxx warnings.
  func lint(paths: [String]) -> (standards: [CompiledStandard], files: [String]) {
    var files: [String] = []
    for path in paths {
      if !Paths.isDirectory(path) && !Paths.isFile(path) {
        bag.report(.fileNotFound, "'\(path)' does not exist", at: nil)
        continue
      }
      let walk = Paths.walkYAML(under: path)
      for d in walk.diagnostics { bag.report(d) }
      files += walk.files
    }
    files = Array(Set(files)).sorted()
    preload(files)
    var standards: [CompiledStandard] = []
    var resolvedAll: [Resolved] = []
    var library = Library()
    for file in files {
      guard let root = load(file), let kind = kind(of: root, path: file) else { continue }
      switch kind {
      case "standard":
        var resolved: Resolved?
        if let s = compileStandard(path: file, resolved: &resolved) { standards.append(s) }
        if let resolved { resolvedAll.append(resolved) }
      case "schema":
        var local = DiagnosticBag()
        _ = SchemaLowering(load: { self.load($0) }).lower(path: file, bag: &local)
        bag.append(contentsOf: local.diagnostics)
      default:
        add(file: file, to: &library)
      }
    }
    var used = Set<String>()
    for r in resolvedAll {
      for c in r.decl.clauses { for u in c.uses { used.insert(u.ruleID) } }
      for (id, rule) in r.library.rules where library.rules[id] == nil { library.rules[id] = rule }
      for (id, book) in r.library.books where library.books[id] == nil { library.books[id] = book }
    }
    let schema = resolvedAll.first?.schema
    for id in library.rules.keys.sorted() {
      guard let rule = library.rules[id] else { continue }
      if !used.contains(id), let schema {
        // Not bound anywhere: still type-check it, with defaults.
        let params = Dictionary(
          rule.params.map {
            (
              $0.name,
              ExpressionEnvironment.Parameter(type: $0.type, value: $0.defaultValue ?? .null)
            )
          }, uniquingKeysWith: { a, _ in a })
        _ = Binder.compileCheck(
          rule, schema: schema, parameters: params, books: library.books, options: options,
          bag: &bag)
        _ = TestLowering.ruleTests(rule, bag: &bag)
      }
      warnings(rule: rule, used: used.contains(id), anyStandard: !resolvedAll.isEmpty)
    }
    for id in library.books.keys.sorted() {
      guard let book = library.books[id] else { continue }
      var text = book.lifetime.map { $0.value + " " } ?? ""
      for node in book.credits + book.debits + book.transfers + book.inputTotals + book.outputTotals
        + (book.opening.map { [$0] } ?? [])
      {
        Self.collectText(node, into: &text)
      }
      for p in book.params where !Self.mentions(text, p.name) {
        bag.report(
          .unusedParameter, "parameter '\(p.name)' of book '\(book.id)' is never used", at: p.span)
      }
    }
    // Asked of a standard that compiles: beside real errors it would only be noise.
    let compiles = bag.errorCount == 0
    for r in resolvedAll {
      if compiles, r.decl.recordsClause == nil,
        r.decl.clauses.contains(where: { !$0.uses.isEmpty })
      {
        bag.report(
          .noRecordsClause,
          "standard '\(r.decl.id)' has ledger clauses but no `records_clause:`: unreadable cells would count against no clause",
          at: r.decl.span)
      }
      for c in r.decl.clauses where c.uses.isEmpty && !c.documentary {
        bag.report(
          .clauseWithoutRule,
          "clause '\(c.clause.id)' has no rule and is not marked `evidence: documentary`",
          at: c.clause.span)
      }
      var text = ""
      for c in r.decl.clauses {
        for u in c.uses { for b in u.bindings { Self.collectText(b.value, into: &text) } }
      }
      for p in r.decl.params where !Self.mentions(text, p.name) {
        bag.report(
          .unusedParameter, "standard parameter '\(p.name)' is not bound to any rule", at: p.span)
      }
    }
    if compiles { for s in standards { prerequisiteCoverage(s) } }
    return (standards, files)
  }

  func warnings(rule: RuleDecl, used: Bool, anyStandard: Bool) {
    if anyStandard && !used {
      bag.report(.unusedRule, "rule '\(rule.id)' is not used by any standard", at: rule.idSpan)
    }
    if rule.tests.isEmpty {
      bag.report(.ruleWithoutTest, "rule '\(rule.id)' has no tests", at: rule.idSpan)
    }
    var text = rule.message.map { $0.value + " " } ?? ""
    Self.collectText(.mapping(rule.check), into: &text)
    for p in rule.params where !Self.mentions(text, p.name) {
      bag.report(
        .unusedParameter, "parameter '\(p.name)' of rule '\(rule.id)' is never used", at: p.span)
    }
  }

  /// Every scalar of a node, space-separated (iteratively: nesting is bounded by the loader).
  static func collectText(_ node: YAMLNode, into text: inout String) {
    var pending = [node]
    while let n = pending.popLast() {
      switch n {
      case .scalar(let s): text += s.value + " "
      case .sequence(let s): pending += s.items
      case .mapping(let m): pending += m.pairs.map(\.value)
      }
    }
  }

  /// Whether `$name` occurs as a whole parameter reference.
  static func mentions(_ text: String, _ name: String) -> Bool {
    let needle = Array(("$" + name).unicodeScalars)
    let hay = Array(text.unicodeScalars)
    guard hay.count >= needle.count else { return false }
    var i = 0
    while i + needle.count <= hay.count {
      if hay[i] == "$" && Array(hay[i..<(i + needle.count)]) == needle {
        let end = i + needle.count
        if end == hay.count { return true }
        let c = hay[end]
        let isIdent =
          (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
        if !isIdent { return true }
      }
      i += 1
    }
    return false
  }
}

extension CompileSession {
  /// CUS5007: a book source's prerequisite is meant to keep rows it judged non-conformant out
  /// of the book; rows the source admits but the prerequisite's own `where:` never selects are
  /// posted whatever they hold. The source's filter covers the prerequisite's when the
  /// prerequisite has none, or when it equals the source's filter or one of its `and` terms
  /// (compared by meaning: parameters by value, not by name or spelling).
  func prerequisiteCoverage(_ standard: CompiledStandard) {
    let byID = Dictionary(standard.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for instance in standard.rules {
      guard case .massBalance(let spec) = instance.check else { continue }
      var roles: [(label: String, filter: ExprNode?, rules: [String])] = []
      for s in spec.book.debits + spec.book.credits {
        roles.append((s.label, s.filter, s.unlessFailing))
      }
      for t in spec.book.transfers { roles.append(("transfer", t.filter, t.unlessFailing)) }
      for role in roles {
        let terms = Set((role.filter.map(Self.conjuncts) ?? []).map(Self.meaning))
        for id in role.rules {
          guard let p = byID[id], let needed = Self.rowFilter(p.check) else { continue }
          if terms.contains(Self.meaning(needed)) { continue }
          let admits = role.filter.map { "`where: \($0.text)`" } ?? "no `where:`"
          bag.report(
            .prerequisiteNarrowerThanSource,
            "the \(role.label) source of book '\(spec.book.id)' (\(admits)) names '\(p.ruleID)' under `unless_failing`, which judges only rows where `\(needed.text)`: other rows are posted unjudged",
            at: role.filter?.span ?? instance.span)
        }
      }
    }
  }

  static func rowFilter(_ check: CheckSpec) -> ExprNode? {
    switch check {
    case .row(let s): s.filter
    case .reference(let s): s.filter
    default: nil
    }
  }

  static func conjuncts(_ node: ExprNode) -> [ExprNode] {
    if case .binary(.and, let a, let b) = node.kind { return [node] + conjuncts(a) + conjuncts(b) }
    return [node]
  }

  /// A node's meaning as text: kinds and values, without ids, spans or parameter names.
  static func meaning(_ node: ExprNode) -> String {
    switch node.kind {
    case .literal(let v), .parameter(_, let v): "lit(\(v))"
    case .field(let scope, let column, _): "\(scope.rawValue).\(column)"
    case .unary(let op, let a): "\(op.rawValue)(\(meaning(a)))"
    case .binary(let op, let a, let b): "(\(meaning(a)) \(op.rawValue) \(meaning(b)))"
    case .list(let items): "[" + items.map(meaning).joined(separator: ",") + "]"
    case .call(let f, let args): "\(f.rawValue)(" + args.map(meaning).joined(separator: ",") + ")"
    case .lookup(let t, let key, let at):
      "\(t)[" + key.map(meaning).joined(separator: ",") + "@" + (at.map(meaning) ?? "") + "]"
    case .lookupWhere(let t, let column, _, let value, let at):
      "\(t)[\(column)=\(meaning(value))@\(at.map(meaning) ?? "")]"
    case .member(let base, let column, _, let safe): "\(meaning(base)).\(column)\(safe ? "?" : "")"
    case .conditional(let c, let a, let b): "if(\(meaning(c)),\(meaning(a)),\(meaning(b)))"
    case .aggregate(let f, let a): "\(f.rawValue)(\(a.map(meaning) ?? ""))"
    }
  }
}
