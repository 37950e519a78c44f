import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `custody explain FINDING-ID --ledger DIR`: why a finding was raised, in plain words. For a
/// row predicate, the value of every sub-expression of the failing assertion on the evidence
/// row; for a balance, each posting with the balance after it.
public enum FindingExplainer {
  public static func explain(
    _ finding: Finding, standard: CompiledStandard, ledger: any LedgerSource
  ) -> String {
    var out = "Finding \(finding.id): \(finding.status.rawValue)\n"
    out += "  rule:     \(finding.ruleID)\n"
    out += "  clauses:  \(finding.clauseIDs.joined(separator: ", "))\n"
    out += "  message:  \(finding.message)\n"
    if let span = finding.location { out += "  rule at:  \(span.start)\n" }
    if let slice = finding.balance {
      out += "\n" + balance(slice)
    } else if let instance = standard.rule(finding.ruleID), let evidence = finding.evidence.first {
      out += "\n" + rowTrace(instance, evidence: evidence, standard: standard, ledger: ledger)
    }
    if finding.evidenceTotal > 1 {
      out += "\n  \(finding.evidenceTotal) rows in all; the first \(finding.evidence.count):\n"
      for e in finding.evidence {
        out +=
          "    \(e.file):\(e.line)\(e.entryID.map { "  \($0)" } ?? "")\(e.column.map { "  \($0)=\(e.value ?? "")" } ?? "")\n"
      }
    }
    return out
  }

  static func balance(_ s: BalanceSlice) -> String {
    let account = s.account.map { $0.isEmpty ? "-" : $0 }.joined(separator: " | ")
    var out = "  Account \(account)"
    if let start = s.periodStart, let end = s.periodEnd { out += ", period \(start)..\(end)" }
    out += "\n  Opening balance \(s.openingBalance.canonicalDescription) t.\n"
    for (i, p) in s.postings.enumerated() {
      let amount = p.amount.magnitude.canonicalDescription
      let row = p.entryID.map { "\(p.label) \($0)" } ?? p.label
      let at = p.line > 0 ? " (\(p.file):\(p.line))" : ""
      let verb: String
      switch p.kind {
      case .credit: verb = "created \(amount) t of credits"
      case .debit: verb = "used \(amount) t"
      case .transferIn: verb = "brought in \(amount) t by transfer"
      case .transferOut: verb = "moved out \(amount) t by transfer"
      case .expiry: verb = "expired \(amount) t of credits"
      case .opening: verb = "opened with \(amount) t"
      case .excluded: verb = "created no credits (it fails a rule the book relies on)"
      }
      var line =
        "  \(i + 1). On \(p.date), \(row)\(at) \(verb); balance \(p.balance.canonicalDescription) t"
      if let available = p.available {
        line += ", unexpired credits \(available.canonicalDescription) t"
      }
      if i == s.failingIndex { line += ".  <- here the rule first broke" }
      out += line + "\n"
    }
    if s.omitted > 0 { out += "  ... \(s.omitted) more postings not shown\n" }
    if !s.shortfall.isZero { out += "  Shortfall: \(s.shortfall.canonicalDescription) t.\n" }
    return out
  }

  /// Re-reads the evidence row and evaluates the rule's assertion on it with every node's value.
  static func rowTrace(
    _ instance: RuleInstance, evidence: EvidenceRow, standard: CompiledStandard,
    ledger: any LedgerSource
  ) -> String {
    let table: String
    let assertion: ExprNode?
    switch instance.check {
    case .row(let c):
      table = c.table
      assertion = c.assertion
    case .reference(let c):
      table = c.table
      assertion = c.filter
    default:
      return "  (a \(instance.check.kind) check: the evidence rows above are the whole story)\n"
    }
    guard let assertion else { return "" }
    var row: LedgerRow?
    do {
      try ledger.read(table: table) { r in
        if r.line == evidence.line { row = r }
      }
    } catch {
      return "  cannot re-read \(evidence.file): \(error)\n"
    }
    guard let row else { return "  row \(evidence.file):\(evidence.line) not found\n" }
    var lookupTables = Set<String>()
    collectLookups(assertion, into: &lookupTables)
    let lookups = (try? Lookups.load(Array(lookupTables), from: ledger)) ?? Lookups()
    let trace = ExpressionTrace.evaluate(assertion, row: row.values, lookups: lookups)
    var out =
      "  On \(evidence.file):\(evidence.line)\(evidence.entryID.map { " (\($0))" } ?? ""), the assertion\n"
    out += "    \(assertion.text)\n"
    if let v = trace.value {
      out += "  is \(display(v)). Its parts:\n"
    } else if let e = trace.error {
      out += "  cannot be evaluated: \(e). Its parts:\n"
    }
    walk(assertion, depth: 2, trace: trace, into: &out)
    return out
  }

  static func walk(_ node: ExprNode, depth: Int, trace: ExpressionTrace, into out: inout String) {
    let value =
      trace.values[node.id].map(display)
      ?? (trace.failedNode == node.id ? "error" : "not evaluated")
    switch node.kind {
    case .literal: return
    default: break
    }
    out += String(repeating: "  ", count: depth) + "\(node.text) = \(value)\n"
    for child in children(node) { walk(child, depth: depth + 1, trace: trace, into: &out) }
  }

  /// Computed decimals without trailing zeros; everything else as a literal.
  static func display(_ v: Value) -> String {
    if case .decimal(let d) = v { return d.canonicalDescription }
    return v.literal
  }

  /// The direct sub-expressions of a node, in source order.
  public static func children(_ node: ExprNode) -> [ExprNode] {
    switch node.kind {
    case .literal, .parameter, .field: []
    case .unary(_, let a): [a]
    case .binary(_, let a, let b): [a, b]
    case .list(let items): items
    case .call(_, let args): args
    case .lookup(_, let key, let at): key + (at.map { [$0] } ?? [])
    case .lookupWhere(_, _, _, let value, let at): [value] + (at.map { [$0] } ?? [])
    case .member(let base, _, _, _): [base]
    case .conditional(let a, let b, let c): [a, b, c]
    case .aggregate(_, let a): a.map { [$0] } ?? []
    }
  }

  static func collectLookups(_ node: ExprNode, into tables: inout Set<String>) {
    if case .lookup(let table, _, _) = node.kind { tables.insert(table) }
    if case .lookupWhere(let table, _, _, _, _) = node.kind { tables.insert(table) }
    for child in children(node) { collectLookups(child, into: &tables) }
  }
}
