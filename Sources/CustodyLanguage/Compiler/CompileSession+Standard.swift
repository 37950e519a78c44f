import CustodyDiagnostics
import CustodyValues
import CustodyYAML

extension CompileSession {
  /// The standard's pieces as resolved so far (lint reuses them for warnings).
  struct Resolved {
    var decl: StandardDecl
    var schema: LedgerSchema
    var library: Library
    var parameters: [BoundParameter]
  }

  func compileStandard(path: String) -> CompiledStandard? {
    var resolved: Resolved?
    return compileStandard(path: path, resolved: &resolved)
  }

  func compileStandard(path: String, resolved: inout Resolved?) -> CompiledStandard? {
    touched = []
    stage(.load)
    guard let root = load(path) else { return nil }
    stage(.parse)
    guard let kind = kind(of: root, path: path) else { return nil }
    guard kind == "standard" else {
      bag.report(
        .wrongFileKind,
        "'\(path)' is a \(kind) file, not a standard (its first key must be `standard:`)",
        at: root.mapping?.pairs.first?.key.span ?? root.span)
      return nil
    }
    stage(.lower)
    guard let decl = StandardLowering.standard(root, file: path, bag: &bag) else { return nil }
    stage(.resolve)
    var schema = LedgerSchema(id: "", version: "", tables: [])
    var schemaLoaded = false
    if let s = decl.schemaPath {
      let target = Paths.resolve(s.value, relativeTo: path)
      if Paths.isFile(target) {
        let lowering = SchemaLowering(load: { self.load($0) })
        // A local bag: the loader closure reports into `bag` while lowering runs.
        var local = DiagnosticBag()
        if let loaded = lowering.lower(path: target, bag: &local) {
          schema = loaded
          schemaLoaded = true
        }
        bag.append(contentsOf: local.diagnostics)
      } else {
        bag.report(
          .fileNotFound, "ledger schema '\(s.value)' not found (looked at \(target))", at: s.span)
      }
    }
    let library = self.library(
      paths: decl.rulePaths.map { (Paths.resolve($0.value, relativeTo: path), $0.span) })
    let parameters = standardParameters(decl)
    checkRequirementPlaceholders(decl, parameters: parameters)
    resolved = Resolved(decl: decl, schema: schema, library: library, parameters: parameters)
    // Without a schema every table would be unknown: stop here rather than cascade.
    guard schemaLoaded else { return nil }
    stage(.typecheck)
    stage(.bind)
    var binder = Binder(
      session: self, decl: decl, schema: schema, library: library, standardParameters: parameters)
    let instances = binder.bind()
    stage(.graph)
    let graphBefore = bag.errorCount
    var graph = GraphBuilder(
      instances: instances, library: library, excludeFailing: binder.excludeFailing,
      prerequisites: binder.prerequisites)
    graph.boundRules = Set(decl.clauses.flatMap { $0.uses.map(\.ruleID) })
    graph.build(bag: &bag)
    stage(.cycles)
    graph.checkCycles(bag: &bag)
    guard bag.errorCount == graphBefore else { return nil }
    stage(.plan)
    let order = graph.plan()
    let byID = Dictionary(instances.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let rules = order.compactMap { byID[$0] }
    var clauses: [Clause] = []
    for c in decl.clauses {
      var clause = c.clause
      let ids = instances.filter { $0.clauseIDs.contains(clause.id) }.map(\.id)
      clause.evidence =
        c.documentary || (c.uses.isEmpty && ids.isEmpty)
        ? .documentary : .ledger(ruleInstances: ids)
      clauses.append(clause)
    }
    let ruleGraph = RuleGraph(order: order, requires: graph.requires, tables: graph.tables)
    var tests = TestLowering.standardTests(decl, bag: &bag)
    for rule in Set(rules.map(\.ruleID)).sorted() {
      if let r = library.rules[rule] { tests += TestLowering.ruleTests(r, bag: &bag) }
    }
    let inputs = touched.sorted().map { InputFile(path: $0, sha256: sha($0)) }
    var recordsClause: String?
    if let s = decl.recordsClause {
      if let c = clauses.first(where: { $0.id == s.value }), case .ledger = c.evidence {
        recordsClause = s.value
      } else {
        bag.report(
          .invalidValue,
          "`records_clause` names '\(s.value)', which is not a ledger clause of this standard",
          at: s.span,
          suggestions: Suggestions.closest(to: s.value, in: clauses.map(\.id)))
        return nil
      }
    }
    var compiled = CompiledStandard(
      id: decl.id, title: decl.title, version: decl.version, effectiveFrom: decl.effectiveFrom,
      effectiveUntil: decl.effectiveUntil, references: decl.references, file: path,
      sha256: sha(path),
      inputs: inputs, schema: schema, parameters: parameters, sections: decl.sections,
      clauses: clauses, rules: rules, graph: ruleGraph,
      graphDigest: Digest.graph(
        rules: rules, clauses: clauses, parameters: parameters, recordsClause: recordsClause),
      tests: tests,
      span: decl.span)
    compiled.recordsClause = recordsClause
    compiled.severityLabels = decl.severityLabels
    return compiled
  }

  /// Every `{$name}` in a requirement text names a parameter of the standard (CUS2024).
  func checkRequirementPlaceholders(_ decl: StandardDecl, parameters: [BoundParameter]) {
    let names = parameters.map(\.name)
    for c in decl.clauses {
      for p in RequirementText.placeholders(in: c.clause.requirement) where !names.contains(p.name)
      {
        let span = c.requirementScalar.map {
          SourceSpan(
            start: $0.location(ofValueOffset: p.offset),
            end: $0.location(ofValueOffset: p.offset + p.length))
        }
        bag.report(
          .unknownRequirementParameter,
          "the requirement of clause '\(c.clause.id)' names '{$\(p.name)}', which is not a parameter of standard '\(decl.id)'",
          at: span ?? c.clause.span,
          suggestions: Suggestions.closest(to: p.name, in: names))
      }
    }
  }

  func standardParameters(_ decl: StandardDecl) -> [BoundParameter] {
    decl.params.map { p in
      if p.defaultValue == nil && !p.defaultInvalid {
        bag.report(
          .missingParameter, "standard parameter '\(p.name)' needs a `default:`", at: p.span)
      }
      return BoundParameter(
        name: p.name, type: p.type, value: p.defaultValue ?? .null, origin: .defaultValue,
        span: p.defaultSpan ?? p.span, description: p.description)
    }
  }
}
