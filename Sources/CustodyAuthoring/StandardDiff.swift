import CustodyLanguage
import CustodyReports
import CustodyValues
import Foundation

/// What changed between two versions of a standard: clauses added, removed and changed, rule
/// instances whose compiled meaning changed (digest of the compiled form, not the text), and,
/// with a ledger, which findings appear and disappear.
public struct StandardDiff: Sendable, Hashable {
  public struct Change: Sendable, Hashable {
    /// added | removed | changed
    public var kind: String
    /// clause | parameter | rule | standard
    public var subject: String
    public var id: String
    /// One line per changed field: `severity: minor -> major`.
    public var details: [String]
  }

  public var changes: [Change]
  public var appeared: [Report.Finding] = []
  public var disappeared: [Report.Finding] = []

  public init(old: CompiledStandard, new: CompiledStandard) {
    var changes: [Change] = []
    func field(_ name: String, _ a: String, _ b: String, into details: inout [String]) {
      if a != b {
        details.append("\(name): \(a.isEmpty ? "(none)" : a) -> \(b.isEmpty ? "(none)" : b)")
      }
    }
    var head: [String] = []
    field("version", old.version, new.version, into: &head)
    field("title", old.title, new.title, into: &head)
    field(
      "effective_from", old.effectiveFrom?.description ?? "", new.effectiveFrom?.description ?? "",
      into: &head)
    field(
      "effective_until", old.effectiveUntil?.description ?? "",
      new.effectiveUntil?.description ?? "", into: &head)
    if !head.isEmpty {
      changes.append(Change(kind: "changed", subject: "standard", id: new.id, details: head))
    }

    let oldParams = Dictionary(
      old.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let newParams = Dictionary(
      new.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for name in Set(oldParams.keys).union(newParams.keys).sorted() {
      switch (oldParams[name], newParams[name]) {
      case (nil, let n?):
        changes.append(
          Change(
            kind: "added", subject: "parameter", id: name, details: ["value: \(n.value.literal)"]))
      case (let o?, nil):
        changes.append(
          Change(
            kind: "removed", subject: "parameter", id: name, details: ["value: \(o.value.literal)"])
        )
      case (let o?, let n?):
        var d: [String] = []
        field("value", o.value.literal, n.value.literal, into: &d)
        field("type", o.type.description, n.type.description, into: &d)
        if !d.isEmpty {
          changes.append(Change(kind: "changed", subject: "parameter", id: name, details: d))
        }
      default: break
      }
    }

    let oldClauses = Dictionary(old.clauses.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let newClauses = Dictionary(new.clauses.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    func evidence(_ c: Clause) -> String {
      switch c.evidence {
      case .documentary: "documentary"
      case .ledger(let rules): "rules " + rules.joined(separator: ", ")
      }
    }
    for id in Set(oldClauses.keys).union(newClauses.keys).sorted(by: Self.clauseOrder) {
      switch (oldClauses[id], newClauses[id]) {
      case (nil, let n?):
        changes.append(
          Change(
            kind: "added", subject: "clause", id: id,
            details: ["\(n.title) [\(n.severity.rawValue)]: \(evidence(n))"]))
      case (let o?, nil):
        changes.append(
          Change(
            kind: "removed", subject: "clause", id: id,
            details: ["\(o.title) [\(o.severity.rawValue)]"]))
      case (let o?, let n?):
        var d: [String] = []
        field("title", o.title, n.title, into: &d)
        if o.requirement != n.requirement {
          d.append("requirement text changed")
        } else {
          // The same words with a `{$param}` whose value changed: the text as read changed.
          field(
            "requirement", o.requirement(boundTo: old.parameters),
            n.requirement(boundTo: new.parameters), into: &d)
        }
        field("severity", o.severity.rawValue, n.severity.rawValue, into: &d)
        field(
          "effective_from", o.effectiveFrom?.description ?? "", n.effectiveFrom?.description ?? "",
          into: &d)
        field(
          "effective_until", o.effectiveUntil?.description ?? "",
          n.effectiveUntil?.description ?? "", into: &d)
        field("evidence", evidence(o), evidence(n), into: &d)
        if !d.isEmpty {
          changes.append(Change(kind: "changed", subject: "clause", id: id, details: d))
        }
      default: break
      }
    }

    let oldRules = Dictionary(old.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let newRules = Dictionary(new.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for id in Set(oldRules.keys).union(newRules.keys).sorted() {
      switch (oldRules[id], newRules[id]) {
      case (nil, let n?):
        changes.append(
          Change(kind: "added", subject: "rule", id: id, details: ["\(n.check.kind): \(n.title)"]))
      case (let o?, nil):
        changes.append(
          Change(kind: "removed", subject: "rule", id: id, details: ["\(o.check.kind): \(o.title)"])
        )
      case (let o?, let n?) where o.digest != n.digest:
        var d: [String] = ["compiled meaning changed"]
        let op = Dictionary(
          o.parameters.map { ($0.name, $0.value.literal) }, uniquingKeysWith: { a, _ in a })
        for p in n.parameters where op[p.name] != p.value.literal {
          d.append("parameter \(p.name): \(op[p.name] ?? "(none)") -> \(p.value.literal)")
        }
        field(
          "clauses", o.clauseIDs.joined(separator: ", "), n.clauseIDs.joined(separator: ", "),
          into: &d)
        changes.append(Change(kind: "changed", subject: "rule", id: id, details: d))
      default: break
      }
    }
    self.changes = changes
  }

  /// Adds the ledger impact: findings in `new` that `old` did not have, and the reverse.
  /// Findings are matched by rule, clauses and evidence rows (ids differ when a rule's
  /// parameters change, the rows do not).
  public mutating func addImpact(old: Report, new: Report) {
    func key(_ f: Report.Finding) -> String {
      f.rule + "|" + f.clauses.joined(separator: ",") + "|" + (f.account ?? "") + "|"
        + f.evidence.map { "\($0.file):\($0.line)" }.joined(separator: ",")
    }
    let oldKeys = Set(old.findings.map(key))
    let newKeys = Set(new.findings.map(key))
    appeared = new.findings.filter { !oldKeys.contains(key($0)) }
    disappeared = old.findings.filter { !newKeys.contains(key($0)) }
  }

  /// `CUA-4.10` after `CUA-4.9`.
  static func clauseOrder(_ a: String, _ b: String) -> Bool {
    a.compare(b, options: .numeric) == .orderedAscending
  }

  public func renderText(oldLabel: String, newLabel: String) -> String {
    var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
    if changes.isEmpty { out += "no changes in clauses, parameters or compiled rules\n" }
    for c in changes {
      let sign = c.kind == "added" ? "+" : (c.kind == "removed" ? "-" : "~")
      out += "\(sign) \(c.subject) \(c.id) \(c.kind)\n"
      for d in c.details { out += "    \(d)\n" }
    }
    if !appeared.isEmpty || !disappeared.isEmpty {
      out += "\nImpact on the ledger:\n"
      for f in appeared {
        out += "+ finding \(f.rule) [\(f.clauses.joined(separator: ","))]: \(f.message)\n"
      }
      for f in disappeared {
        out += "- finding \(f.rule) [\(f.clauses.joined(separator: ","))]: \(f.message)\n"
      }
    }
    return out
  }
}
