import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// `standard:` files -> `StandardDecl` (clauses, sections, parameters, rule uses).
enum StandardLowering {
  static let keys = [
    "standard", "title", "description", "version", "effective_from", "effective_until", "schema",
    "rules", "references", "parameters", "sections", "tests", "records_clause",
    "severity_labels",
  ]
  static let sectionKeys = ["id", "title", "description", "clauses"]
  static let clauseKeys = [
    "id", "title", "requirement", "severity", "provenance", "references", "effective_from",
    "effective_until", "rules", "evidence", "notes",
  ]
  static let referenceKeys = ["id", "title", "locator", "provenance"]

  static func standard(_ root: YAMLNode, file: String, bag: inout DiagnosticBag) -> StandardDecl? {
    guard
      let r = MappingReader.open(
        root, what: "standard", allowed: keys,
        required: ["standard", "title", "version", "schema", "sections"], bag: &bag),
      let id = r.string("standard", bag: &bag)
    else { return nil }
    var references: [ExternalReference] = []
    for node in r.list("references", bag: &bag) ?? [] {
      guard
        let rr = MappingReader.open(
          node, what: "reference", allowed: referenceKeys, required: ["id", "title"], bag: &bag)
      else { continue }
      references.append(
        ExternalReference(
          id: rr.string("id", bag: &bag) ?? "", title: rr.string("title", bag: &bag) ?? "",
          locator: rr.string("locator", bag: &bag),
          provenance: rr.choice("provenance", ["modelled", "inferred", "in_house"], bag: &bag)
            .flatMap(Provenance.init(rawValue:))))
    }
    var sections: [Section] = []
    var clauses: [ClauseDecl] = []
    var seenSections: [String: SourceSpan] = [:]
    var seenClauses: [String: SourceSpan] = [:]
    for node in r.list("sections", bag: &bag) ?? [] {
      guard
        let s = MappingReader.open(
          node, what: "section", allowed: sectionKeys, required: ["id", "title", "clauses"],
          bag: &bag),
        let sid = s.scalar("id", bag: &bag)
      else { continue }
      if let first = seenSections[sid.value] {
        bag.report(
          .duplicateID, "section '\(sid.value)' is defined twice", at: sid.span,
          notes: [DiagnosticNote("first defined here", at: first)])
      }
      seenSections[sid.value] = sid.span
      var ids: [String] = []
      for c in s.list("clauses", bag: &bag) ?? [] {
        guard let clause = self.clause(c, section: sid.value, bag: &bag) else { continue }
        if let first = seenClauses[clause.clause.id] {
          bag.report(
            .duplicateID, "clause '\(clause.clause.id)' is defined twice", at: clause.clause.span,
            notes: [DiagnosticNote("first defined here", at: first)])
          continue
        }
        seenClauses[clause.clause.id] = clause.clause.span
        ids.append(clause.clause.id)
        clauses.append(clause)
      }
      sections.append(
        Section(id: sid.value, title: s.string("title", bag: &bag) ?? "", clauseIDs: ids))
    }
    var decl = StandardDecl(
      id: id, title: r.string("title", bag: &bag) ?? "",
      version: r.string("version", bag: &bag) ?? "",
      effectiveFrom: r.date("effective_from", bag: &bag),
      effectiveUntil: r.date("effective_until", bag: &bag),
      schemaPath: r.scalar("schema", bag: &bag),
      recordsClause: r.has("records_clause") ? r.scalar("records_clause", bag: &bag) : nil,
      rulePaths: r.scalars("rules", bag: &bag) ?? [],
      references: references,
      params: ParameterLowering.declarations(r.map("parameters", bag: &bag), bag: &bag),
      sections: sections, clauses: clauses, tests: r.list("tests", bag: &bag) ?? [], file: file,
      span: root.span)
    decl.severityLabels = severityLabels(r.map("severity_labels", bag: &bag), bag: &bag)
    return decl
  }

  /// `severity_labels: {major: does not meet, minor: partially meets}`: a display name per
  /// level; an unknown level is CUS2005, an empty name CUS2003.
  static func severityLabels(_ map: YAMLMapping?, bag: inout DiagnosticBag) -> [ClauseSeverity:
    String]
  {
    var labels: [ClauseSeverity: String] = [:]
    for (key, node) in map?.pairs ?? [] {
      guard let level = ClauseSeverity(rawValue: key.value) else {
        bag.report(
          .invalidValue,
          "'\(key.value)' is not a severity level (\(ClauseSeverity.allCases.map(\.rawValue).joined(separator: ", ")))",
          at: key.span,
          suggestions: Suggestions.closest(
            to: key.value, in: ClauseSeverity.allCases.map(\.rawValue)))
        continue
      }
      guard let s = node.scalar, !s.isNull,
        !s.value.allSatisfy(\.isWhitespace)
      else {
        bag.report(
          .wrongValueType, "the label of severity '\(key.value)' must be non-empty text",
          at: node.span)
        continue
      }
      labels[level] = s.value
    }
    return labels
  }

  static func clause(_ node: YAMLNode, section: String, bag: inout DiagnosticBag) -> ClauseDecl? {
    guard
      let c = MappingReader.open(
        node, what: "clause", allowed: clauseKeys,
        required: ["id", "title", "requirement", "severity"], bag: &bag),
      let id = c.scalar("id", bag: &bag)
    else { return nil }
    let evidence = c.choice("evidence", ["documentary", "ledger"], bag: &bag)
    var uses: [RuleUse] = []
    for item in c.list("rules", bag: &bag) ?? [] {
      if let s = item.scalar {
        uses.append(RuleUse(ruleID: s.value, ruleSpan: s.span, bindings: []))
        continue
      }
      guard
        let u = MappingReader.open(
          item, what: "rule use", allowed: ["rule", "with"], required: ["rule"], bag: &bag),
        let rid = u.scalar("rule", bag: &bag)
      else { continue }
      let with = u.map("with", bag: &bag)?.pairs.map { (name: $0.key, value: $0.value) } ?? []
      uses.append(RuleUse(ruleID: rid.value, ruleSpan: rid.span, bindings: with))
    }
    let documentary = evidence == "documentary"
    if documentary && !uses.isEmpty {
      bag.report(
        .invalidValue,
        "clause '\(id.value)' is documentary but lists rules; remove one or the other",
        at: c.mapping.keyScalar("evidence")?.span)
    }
    let clause = Clause(
      id: id.value, section: section, title: c.string("title", bag: &bag) ?? "",
      requirement: c.string("requirement", bag: &bag) ?? "",
      severity: c.choice("severity", ClauseSeverity.allCases.map(\.rawValue), bag: &bag).flatMap(
        ClauseSeverity.init(rawValue:)) ?? .major,
      evidence: .documentary, effectiveFrom: c.date("effective_from", bag: &bag),
      effectiveUntil: c.date("effective_until", bag: &bag),
      provenance: c.choice("provenance", ["modelled", "inferred", "in_house"], bag: &bag).flatMap(
        Provenance.init(rawValue:)),
      references: c.strings("references", bag: &bag) ?? [], span: id.span)
    return ClauseDecl(
      clause: clause, uses: uses, documentary: documentary,
      requirementScalar: c["requirement"]?.scalar)
  }
}
